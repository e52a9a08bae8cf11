"""Test-taking cue checks over the question bank: pure functions, no database.

A bank can be gamed without knowing the rules when its keys give themselves away:
the correct option is the longest, keys are longer than distractors on average,
distractors hold absolute words ("selalu", "tidak perlu", "always") that an
applicant learns to rule out, or two questions asking the same thing land on one
paper. `bank_cues` measures all of this per language and topic; `question_cues`
says what is wrong with one question (for the editor). Input questions are in the
data-file format (question_bank/data/FORMAT.md); `groups` maps a code to its
exclusion group (question_bank/exclusion_groups.json, `Question.exclusion_group`).
The words for staff (`cue_message`, `CueReport.messages`) follow the UI language.
"""
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

from flask_babel import force_locale
from flask_babel import gettext as _

LANGUAGES = ("id", "en")
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}
MAX_KEY_LONGEST = 0.30  # share of questions whose key is the longest option (ties count)
RATIO_RANGE = (0.85, 1.15)  # mean key length / mean distractor length, per topic
MAX_ABSOLUTE = 0.05  # share of distractors holding an absolute word
NEAR_DUPLICATE = 0.6  # token (Jaccard) similarity of two stems from which they are near-duplicates ...
SIMILAR_KEY = 0.5  # ... when their keys are this similar too
NEAR_KEY = 0.7  # keys this similar (non-numeric) make near-duplicates even with differently worded stems
MIN_KEY_TOKENS = 4  # a shared key shorter than this ("50 km/jam") is no sign of a duplicate

# Hazard perception is sat in the 15-second per-question (AVIS) mode while the scene
# plays: at about 240 words a minute, a 20-word stem is read in 5 s and the whole
# question (stem and options) in under 14 s. English runs about a fifth longer in words
# for the same text in this bank, so its limits are a fifth higher.
TIMED_TOPICS = ("hazard_perception",)
READING_LIMITS = {"id": (20, 55), "en": (24, 66)}  # (stem words, stem + options words)

ABSOLUTE_WORDS = {
    "id": ("selalu", "hanya", "apa pun", "apapun", "tidak perlu", "tak perlu", "tidak usah", "secepat mungkin",
           "pasti", "tidak pernah", "semua", "sama sekali", "kapan pun", "kapanpun", "mana pun", "manapun",
           "siapa pun", "siapapun", "tanpa kecuali", "tanpa terkecuali", "mutlak"),
    "en": ("always", "only", "never", "whatever", "no need", "need not", "needn't", "does not need",
           "do not need", "don't need", "as fast as possible", "as quickly as possible", "as soon as possible",
           "all", "at all", "regardless", "certainly", "definitely", "anything", "any time", "whenever",
           "without exception", "nothing"),
}
_ABSOLUTE_PATTERNS = {
    lang: re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
                     + r")(?![\w-])", re.IGNORECASE)
    for lang, words in ABSOLUTE_WORDS.items()
}
_NON_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Lower case, punctuation gone, spaces collapsed: the form duplicates are compared in."""
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


def tokens(text: str) -> frozenset[str]:
    return frozenset(normalise(text).split())


def similarity(first: str, second: str) -> float:
    """Jaccard similarity of the two texts' word sets (1.0 for the same words)."""
    a, b = tokens(first), tokens(second)
    return len(a & b) / len(a | b) if a | b else 1.0


def absolute_words(text: str, lang: str) -> list[str]:
    """The absolute words (lower case) found in `text`."""
    return [match.group(1).lower() for match in _ABSOLUTE_PATTERNS[lang].finditer(text)]


def _key_and_distractors(question: dict, lang: str) -> tuple[str, list[str]]:
    key = next(o[lang] for o in question["options"] if o.get("correct") is True)
    return key.strip(), [o[lang].strip() for o in question["options"] if o.get("correct") is not True]


def key_is_longest(question: dict, lang: str) -> bool:
    """Whether the key is at least as long (in characters) as every distractor."""
    key, distractors = _key_and_distractors(question, lang)
    return all(len(key) >= len(d) for d in distractors)


def word_count(text: str) -> int:
    return len(text.split())


def too_long_to_read(question: dict, lang: str) -> tuple[int, int] | None:
    """(stem words, stem + options words) when a timed-topic question is over the
    reading limits in `lang`, else None."""
    if question.get("topic") not in TIMED_TOPICS:
        return None
    stem = word_count((question.get("text") or {}).get(lang) or "")
    total = stem + sum(word_count(o.get(lang) or "") for o in question.get("options", []) if isinstance(o, dict))
    max_stem, max_total = READING_LIMITS[lang]
    return (stem, total) if stem > max_stem or total > max_total else None


@dataclass(frozen=True)
class Figures:
    """Cue figures for one language over a set of questions."""

    questions: int
    key_longest: float  # share of questions whose key is the longest option
    ratio: float  # mean key length / mean distractor length
    distractors: int
    absolute: float  # share of distractors with an absolute word

    @property
    def problems(self) -> list[str]:
        """Which thresholds these figures break (empty when they hold)."""
        found = []
        if self.key_longest > MAX_KEY_LONGEST:
            found.append("key_longest")
        if not RATIO_RANGE[0] <= self.ratio <= RATIO_RANGE[1]:
            found.append("ratio")
        if self.absolute > MAX_ABSOLUTE:
            found.append("absolute")
        return found


def figures(questions: list[dict], lang: str) -> Figures:
    """The cue figures of `questions` in language `lang` (questions with an empty
    text in that language, e.g. English still to be written, are left out)."""
    questions = [q for q in questions if all(o.get(lang, "").strip() for o in q["options"])]
    keys, distractors, longest = [], [], 0
    for question in questions:
        key, others = _key_and_distractors(question, lang)
        keys.append(len(key))
        distractors.extend(others)
        longest += key_is_longest(question, lang)
    mean_distractor = sum(len(d) for d in distractors) / len(distractors) if distractors else 0.0
    ratio = (sum(keys) / len(keys)) / mean_distractor if keys and mean_distractor else 1.0
    flagged = sum(1 for d in distractors if absolute_words(d, lang))
    return Figures(len(questions), longest / len(questions) if questions else 0.0, ratio, len(distractors),
                   flagged / len(distractors) if distractors else 0.0)


@dataclass(frozen=True)
class Duplicate:
    """Two questions that ask the same thing and are not in one exclusion group.
    `kind`: "stem" (the same question text over the same drawing), "key" (the same
    non-numeric correct answer, word for word) or "near" (similar stems with similar
    keys, or very similar keys)."""

    first: str
    second: str
    kind: str
    similarity: float


def _prepared(question: dict) -> tuple:
    stem, key = question["text"]["id"], _key_and_distractors(question, "id")[0]
    return (question.get("code") or "", question.get("image"), tokens(stem), normalise(stem), tokens(key),
            normalise(key))


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def _compare(a: tuple, b: tuple, groups: Mapping[str, str | None]) -> Duplicate | None:
    """Whether two prepared questions are duplicates. Two sign questions asking
    "Apa arti rambu ini?" over different drawings are not; numeric keys (fines,
    ages, speeds) legitimately recur, so they count only with a similar stem."""
    (code_a, image_a, stem_tokens_a, stem_a, key_tokens_a, key_a) = a
    (code_b, image_b, stem_tokens_b, stem_b, key_tokens_b, key_b) = b
    if groups.get(code_a) is not None and groups.get(code_a) == groups.get(code_b):
        return None
    if not stem_a or not stem_b:
        return None  # an imported question without its Indonesian text yet: nothing to compare
    stem_score = _jaccard(stem_tokens_a, stem_tokens_b)
    if image_a != image_b and image_a and image_b:
        stem_score = min(stem_score, NEAR_DUPLICATE - 0.01)  # the drawings tell the questions apart
    key_score = _jaccard(key_tokens_a, key_tokens_b)
    wordy_key = len(key_tokens_a) >= MIN_KEY_TOKENS and not any(ch.isdigit() for ch in key_a + key_b)
    if stem_a == stem_b and image_a == image_b:
        return Duplicate(code_a, code_b, "stem", 1.0)
    if key_a == key_b and wordy_key:
        return Duplicate(code_a, code_b, "key", round(stem_score, 2))
    if (stem_score >= NEAR_DUPLICATE and key_score >= SIMILAR_KEY) \
            or (wordy_key and key_score >= NEAR_KEY and stem_score >= 0.2):
        return Duplicate(code_a, code_b, "near", round(max(stem_score, key_score), 2))
    return None


def duplicates(questions: list[dict], groups: Mapping[str, str | None]) -> list[Duplicate]:
    """Pairs of questions with the same or similar Indonesian stem, or the same
    key wording, that are not already in the same exclusion group."""
    prepared = [_prepared(q) for q in questions]
    pairs = (_compare(a, b, groups) for a, b in combinations(prepared, 2))
    return [pair for pair in pairs if pair is not None]


@dataclass(frozen=True)
class AbsoluteHit:
    code: str
    lang: str
    option: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class LongRead:
    code: str
    lang: str
    stem_words: int
    total_words: int


@dataclass
class CueReport:
    """Figures per (language, topic) and overall per language, the distractors with
    absolute words, the unresolved duplicates, and the timed questions too long to read."""

    by_topic: dict[tuple[str, str], Figures] = field(default_factory=dict)
    overall: dict[str, Figures] = field(default_factory=dict)
    absolute: list[AbsoluteHit] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    long_reads: list[LongRead] = field(default_factory=list)

    @property
    def exact_duplicates(self) -> list[Duplicate]:
        return [d for d in self.duplicates if d.kind == "stem"]

    def messages(self) -> list[str]:
        """One line per broken threshold and per duplicate, in the UI language."""
        lines = []
        for (lang, topic), fig in sorted(self.by_topic.items()):
            lines.extend(figure_message(f"{topic} ({lang})", fig, problem) for problem in fig.problems)
        for lang, fig in sorted(self.overall.items()):
            lines.extend(figure_message(_("all topics (%(lang)s)", lang=lang), fig, problem)
                         for problem in fig.problems)
        lines.extend(duplicate_message(d) for d in self.duplicates)
        lines.extend(long_read_message(r.code, r.lang, r.stem_words, r.total_words) for r in self.long_reads)
        return lines

    def warnings(self) -> list[str]:
        """The same lines in English, for logs and the CLI."""
        with force_locale("en"):
            return self.messages()


def _share(value: float) -> str:
    return f"{value:.0%}"


def figure_message(where: str, fig: Figures, problem: str) -> str:
    """A broken threshold (`Figures.problems`) of the figures of `where`, in words."""
    if problem == "key_longest":
        return _("%(where)s: key is the longest option in %(share)s of questions (at most %(limit)s)",
                 where=where, share=_share(fig.key_longest), limit=_share(MAX_KEY_LONGEST))
    if problem == "ratio":
        return _("%(where)s: keys are %(ratio)s times the distractors' length (%(low)s-%(high)s)",
                 where=where, ratio=f"{fig.ratio:.2f}", low=RATIO_RANGE[0], high=RATIO_RANGE[1])
    return _("%(where)s: %(share)s of distractors hold absolute words (at most %(limit)s)",
             where=where, share=_share(fig.absolute), limit=_share(MAX_ABSOLUTE))


def long_read_message(code: str, lang: str, stem_words: int, total_words: int) -> str:
    max_stem, max_total = READING_LIMITS[lang]
    return _("%(code)s (%(lang)s): too long to read in the per-question time: the stem has %(stem)s words "
             "(at most %(max_stem)s), stem and options %(total)s (at most %(max_total)s)",
             code=code, lang=lang, stem=stem_words, max_stem=max_stem, total=total_words, max_total=max_total)


def duplicate_message(pair: Duplicate) -> str:
    """Two questions asking the same thing outside one exclusion group, in words."""
    if pair.kind == "stem":
        return _("%(first)s / %(second)s: the same question text, not in one exclusion group",
                 first=pair.first, second=pair.second)
    if pair.kind == "key":
        return _("%(first)s / %(second)s: the same correct answer, not in one exclusion group",
                 first=pair.first, second=pair.second)
    return _("%(first)s / %(second)s: very similar (similarity %(similarity)s), not in one exclusion group",
             first=pair.first, second=pair.second, similarity=f"{pair.similarity:.2f}")


def bank_cues(questions: Iterable[dict], groups: Mapping[str, str | None] | None = None,
              with_duplicates: bool = True) -> CueReport:
    """The cue report over `questions` (data-file dicts); `with_duplicates=False`
    skips the pairwise duplicate search."""
    questions = list(questions)
    groups = groups or {}
    report = CueReport()
    by_topic: dict[str, list[dict]] = defaultdict(list)
    for question in questions:
        by_topic[question["topic"]].append(question)
    for lang in LANGUAGES:
        report.overall[lang] = figures(questions, lang)
        for topic, members in by_topic.items():
            report.by_topic[(lang, topic)] = figures(members, lang)
        for question in questions:
            for option in question["options"]:
                words = absolute_words(option.get(lang, ""), lang)
                if words and option.get("correct") is not True:
                    report.absolute.append(AbsoluteHit(question["code"], lang, option[lang], tuple(words)))
            counts = too_long_to_read(question, lang)
            if counts:
                report.long_reads.append(LongRead(question["code"], lang, *counts))
    if with_duplicates:
        report.duplicates = duplicates(questions, groups)
    return report


@dataclass(frozen=True)
class QuestionCue:
    """One cue in one question: `kind` is "key_longest", "absolute", "long_read" or a
    duplicate kind ("stem", "near", "key"); `lang` and `detail` say where (an option's text, the other code)."""

    kind: str
    lang: str = ""
    detail: str = ""


def question_cues(question: dict, others: Iterable[dict] = (),
                  groups: Mapping[str, str | None] | None = None) -> list[QuestionCue]:
    """The cues in one question, and its duplicates among `others` (the rest of the
    bank) not in its exclusion group. Options with an empty text are skipped."""
    return many_question_cues([question], others, groups)[0]


def many_question_cues(questions: list[dict], others: Iterable[dict] = (),
                       groups: Mapping[str, str | None] | None = None) -> list[list[QuestionCue]]:
    """`question_cues` of each of `questions` against the same `others` (read once)."""
    prepared = [_prepared(other) for other in others]
    return [_cues(question, prepared, groups or {}) for question in questions]


def _cues(question: dict, others: list[tuple], groups: Mapping[str, str | None]) -> list[QuestionCue]:
    found = []
    options = [o for o in question.get("options", []) if isinstance(o, dict)]
    if sum(o.get("correct") is True for o in options) != 1:
        return found
    for lang in LANGUAGES:
        if not all((o.get(lang) or "").strip() for o in options):
            continue
        if key_is_longest({**question, "options": options}, lang):
            found.append(QuestionCue("key_longest", lang))
        for option in options:
            words = absolute_words(option[lang], lang)
            if words and option.get("correct") is not True:
                found.append(QuestionCue("absolute", lang, f"{option[lang]} ({', '.join(words)})"))
        counts = too_long_to_read({**question, "options": options}, lang)
        if counts:
            found.append(QuestionCue("long_read", lang, f"{counts[0]} {counts[1]}"))
    mine = _prepared({**question, "options": options})
    for other in others:
        if other[0] != mine[0]:
            pair = _compare(mine, other, groups)
            if pair is not None:
                found.append(QuestionCue(pair.kind, "id", pair.second))
    return found

def cue_message(cue: QuestionCue) -> str:
    """One question's cue in words for staff (the editor, the import preview and report)."""
    language = LANGUAGE_NAMES.get(cue.lang, cue.lang)
    if cue.kind == "key_longest":
        return _("%(language)s: the correct option is the longest one; applicants learn to pick the longest "
                 "option. Make a distractor at least as long.", language=language)
    if cue.kind == "absolute":
        return _("%(language)s: a distractor holds an absolute word that gives it away: %(option)s.",
                 language=language, option=cue.detail)
    if cue.kind == "long_read":
        stem, total = cue.detail.split()
        max_stem, max_total = READING_LIMITS[cue.lang]
        return _("%(language)s: too long to read in the per-question time: the stem has %(stem)s words (at most "
                 "%(max_stem)s), stem and options %(total)s (at most %(max_total)s). Let the scene carry the "
                 "situation.", language=language, stem=stem, max_stem=max_stem, total=total, max_total=max_total)
    if cue.kind == "stem":
        return _("The same question text as %(code)s, which is not in this question's exclusion group.",
                 code=cue.detail)
    if cue.kind == "key":
        return _("The same correct answer as %(code)s, which is not in this question's exclusion group.",
                 code=cue.detail)
    return _("Very similar to %(code)s, which is not in this question's exclusion group.", code=cue.detail)
