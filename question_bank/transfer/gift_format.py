"""GIFT, the text format teachers write by hand for Moodle
(https://docs.moodle.org/en/GIFT_format).

Import: questions are separated by blank lines; `// comment` lines are skipped,
except Moodle's `// [id:CODE]` and `// [tag:NAME]` lines, which give the code
and the tags (`class:`, `topic:`, `ref:`, `status:retired`, as in Moodle XML);
`$CATEGORY: path` sets the category of the questions after it; `::title::` is
the question's name (its code when it is a valid one); `[html]` marks HTML text
(Moodle's multilang spans give both languages; other text is in the language
chosen for unmarked text); `{=right ~wrong ~wrong #feedback ####general}` is a
multiple-choice question, `{T}` / `{F}` a true/false one; the escapes `\\~ \\= \\#
\\{ \\} \\: \\\\ \\n` are understood. Other GIFT types (short answer, numerical,
matching, essay, several correct answers, weights, descriptions) are refused
per question with the reason.

Export: `$CATEGORY: $course$/top/SIM/<topic>` before each topic, then per question
`// [id:CODE]` and its tags, `::CODE::[html]` with both languages in multilang spans,
the options (`=` correct, `~` the others) and the explanation as `####` general
feedback. An image is an `<img src="@@PLUGINFILE@@/NAME">` without the file (GIFT
cannot carry files); importing it matches the name against the images here.
"""
import hashlib
import re
from urllib.parse import quote, unquote

from flask_babel import gettext as _

from question_bank.models import RETIRED, TOPICS
from question_bank.transfer.common import CODE_PATTERN, ParsedQuestion, ParseResult, bundled_image_index, located
from question_bank.transfer.moodle_html import HtmlText, multilang, read_html, read_plain
from question_bank.transfer.moodle_xml import (
    CATEGORY_ROOT,
    PLUGINFILE,
    _by_file_name,
    _category_path,
    _existing_upload,
    fill_texts,
    topic_key,
)

_SPECIAL = "\\~=#{}:"
_META = re.compile(r"\[(id|tag):((?:[^\]\\]|\\.)*)\]")
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")


# --------------------------------------------------------------------------- export


def escape(text: str) -> str:
    return "".join("\\" + c if c in _SPECIAL else c for c in text).replace("\n", "\\n")


def export(questions: list[dict]) -> bytes:
    lines = ["// SIM question bank in GIFT format (https://docs.moodle.org/en/GIFT_format)", ""]
    topic = None
    for question in sorted(questions, key=lambda q: list(TOPICS).index(q["topic"]) if q["topic"] in TOPICS else 99):
        if question["topic"] != topic:
            topic = question["topic"]
            lines += [f"$CATEGORY: {CATEGORY_ROOT}/{topic}", ""]
        html_text = question.get("format") == "html"
        tags = [f"class:{c}" for c in question["classes"]] + [f"topic:{question['topic']}"]
        if question["reference"]:
            tags.append(f"ref:{question['reference']}")
        if question["status"] == RETIRED:
            tags.append("status:retired")
        lines.append(f"// [id:{question['code']}] " + " ".join(f"[tag:{_meta_escape(t)}]" for t in tags))
        body = multilang(question["text"], html_text)
        if question["image"]:
            body = f'<p><img src="{PLUGINFILE}{quote(question["image"].rsplit("/", 1)[-1])}" alt=""></p>' + body
        lines.append(f"::{escape(question['code'])}::[html]{escape(body)}{{")
        for option in question["options"]:
            lines.append(("=" if option["correct"] else "~") + escape(multilang(option, html_text)))
        lines.append("####" + escape(multilang(question["explanation"], html_text)))
        lines += ["}", ""]
    return "\n".join(lines).encode("utf-8")


def _meta_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("]", "\\]")


# --------------------------------------------------------------------------- import


def parse(text: str, untagged: str = "id") -> ParseResult:
    """Read a GIFT file; each question is located as `line N (CODE)`, N being the
    line the question starts on."""
    result = ParseResult()
    category = ""
    seen: dict[str, int] = {}
    for line_number, chunk, meta in _chunks(text.replace("\r\n", "\n").replace("\r", "\n")):
        stripped = chunk.strip()
        if stripped.upper().startswith("$CATEGORY:"):
            category = _category_path(stripped.split(":", 1)[1])
            continue
        result.add(_question(line_number, stripped, meta, category, untagged, seen))
    return result


def _chunks(text: str):
    """(first line number, question text, [id:]/[tag:] comments) for each blank-line
    separated block; comment lines are left out."""
    lines = text.split("\n")
    chunk: list[str] = []
    meta: list[tuple[str, str]] = []
    start = 0
    for number, line in enumerate(lines + [""], start=1):
        if line.strip().startswith("//"):
            meta += [(kind, _meta_unescape(value)) for kind, value in _META.findall(line)]
            continue
        if line.strip():
            if not chunk:
                start = number
            chunk.append(line)
            continue
        if chunk and "{" in "".join(chunk) and not _balanced("\n".join(chunk)):
            chunk.append(line)  # a blank line inside an answer block does not end the question
            continue
        if chunk:
            yield start, "\n".join(chunk), meta
            meta = []
        chunk = []


def _meta_unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value).strip()


def _balanced(text: str) -> bool:
    opened = _find(text, "{")
    return opened < 0 or _find(text, "}", opened) >= 0


def _find(text: str, char: str, start: int = 0) -> int:
    """The index of the first unescaped `char` at or after `start`, or -1."""
    index = start
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text.startswith(char, index):
            return index
        index += 1
    return -1


def _split(text: str, markers: str) -> list[tuple[str, str]]:
    """`text` cut before each unescaped marker character: [(marker, text), ...]; text
    before the first marker has the marker ""."""
    parts: list[tuple[str, str]] = []
    current, marker, index = [], "", 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index:index + 2])
            index += 2
            continue
        if char in markers:
            parts.append((marker, "".join(current)))
            current, marker = [], char
        else:
            current.append(char)
        index += 1
    parts.append((marker, "".join(current)))
    return parts


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def _question(line: int, chunk: str, meta: list[tuple[str, str]], category: str, untagged: str,
              seen: dict[str, int]) -> ParsedQuestion:
    title = ""
    if chunk.startswith("::"):
        end = _find(chunk, "::", 2)
        if end > 0:
            title, chunk = unescape(chunk[2:end]).strip(), chunk[end + 2:]
    text_format = "moodle"
    match = _FORMAT.match(chunk)
    if match:
        text_format, chunk = match.group(1).lower(), chunk[match.end():]
    ids = [value for kind, value in meta if kind == "id"]
    tags = [value for kind, value in meta if kind == "tag"]
    code = _code(ids[0] if ids else "", title, category, chunk, seen)
    parsed = ParsedQuestion(located(line, code), {"code": code}, lenient=True, category=category, name=title)
    opened = _find(chunk, "{")
    closed = _find(chunk, "}", opened + 1) if opened >= 0 else -1
    if opened < 0 or closed < 0:
        parsed.problems.append(_("question type %(type)s: %(reason)s", type="description",
                                 reason=_("a description is not a question")) if opened < 0
                               else _("the answer block is not closed with }"))
        return parsed
    before, block, after = chunk[:opened], chunk[opened + 1:closed], chunk[closed + 1:]
    source = before.rstrip() + (" _____ " + after.strip() if after.strip() else "")
    kind, reason = _kind(block)
    if reason:
        parsed.problems.append(_("question type %(type)s: %(reason)s", type=kind, reason=reason))
        return parsed
    general = ""
    general_at = _find(block, "####")
    if general_at >= 0:
        block, general = block[:general_at], block[general_at + 4:]

    def read(value: str) -> HtmlText:
        value = unescape(value).strip()
        return read_html(value, untagged) if text_format == "html" else read_plain(value, untagged)

    tagged = {name: [t.split(":", 1)[1].strip() for t in tags if t.lower().startswith(name + ":")]
              for name in ("class", "topic", "ref", "status")}
    parsed.data.update({
        "status": RETIRED if "retired" in tagged["status"] else None,
        "topic": topic_key((tagged["topic"] or [category.rsplit("/", 1)[-1]])[0]),
        "classes": list(dict.fromkeys(c.upper() for c in tagged["class"])), "image": None,
        "reference": "; ".join(tagged["ref"]),
    })
    parsed.topic_tagged = bool(tagged["topic"])
    fields: dict[str, HtmlText] = {"text": read(source)}
    feedback: list[HtmlText] = []
    if kind == "truefalse":
        _true_false(parsed, block, read, feedback)
    else:
        parsed.data["options"] = []
        for index, (_marker, answer) in enumerate(a for a in _split(block, "=~") if a[0]):
            cut = _find(answer, "#")
            answer_text, answer_feedback = (answer[:cut], answer[cut + 1:]) if cut >= 0 else (answer, "")
            fields[f"option {index}"] = read(answer_text)
            feedback.append(read(answer_feedback))
            parsed.data["options"].append({"correct": _marker == "="})
    fill_texts(parsed, fields, read(general), feedback)
    if text_format == "markdown":
        parsed.warnings.append(_("Markdown text is imported as plain text"))
    images = fields["text"].images
    if images:
        parsed.data["image"] = _image(parsed, images)
    return parsed


def _image(parsed: ParsedQuestion, sources: list[str]) -> str | None:
    """An image named in the text must be here already (GIFT cannot carry files)."""
    source = sources[0]
    name = unquote(source[len(PLUGINFILE):]) if source.startswith(PLUGINFILE) else source
    if len(sources) > 1:
        parsed.warnings.append(_("has %(n)s images; a question shows one: only %(name)s is kept",
                                 n=len(sources), name=name))
    index = bundled_image_index()
    found = index.get(name) or _by_file_name(name.rsplit("/", 1)[-1], index, parsed) or _existing_upload(name)
    if found is None:
        parsed.problems.append(_("image %(name)s is not here, and a GIFT file cannot carry images", name=name))
    return found


def _kind(block: str) -> tuple[str, str | None]:
    """The GIFT question type of an answer block, and why it is refused (None: importable)."""
    body = block.strip()
    answers = [a for a in _split(block, "=~") if a[0]]
    if re.fullmatch(r"(?i)(T|TRUE|F|FALSE)\s*(#.*)?", body.split("####")[0].strip(), re.DOTALL):
        return "truefalse", None
    if not body or body.startswith("####"):
        return "essay", _("an essay question needs a marker; the bank has single-choice questions only")
    if body.startswith("#"):
        return "numerical", _("a numerical question has no options to choose from")
    if _find(block, "->") >= 0:
        return "matching", _("a matching question has several answers; the bank has one correct option per question")
    if answers and all(marker == "=" for marker, _text in answers):
        return "shortanswer", _("a short-answer question has no options to choose from")
    if any(_WEIGHT.match(text.strip()) for _marker, text in answers):
        return "multichoice", _("answers with weights give partial credit; the bank has one correct option per "
                                "question")
    if sum(1 for marker, _text in answers if marker == "=") != 1:
        return "multichoice", _("needs exactly one correct answer (=)")
    return "multichoice", None


def _true_false(parsed: ParsedQuestion, block: str, read, feedback: list[HtmlText]) -> None:
    parts = _split(block.split("####")[0], "#")
    truth = parts[0][1].strip().upper() in ("T", "TRUE")
    wrong = read(parts[1][1]) if len(parts) > 1 else read("")
    right = read(parts[2][1]) if len(parts) > 2 else read("")
    parsed.data["options"] = [{"id": "Benar", "en": "True", "correct": truth},
                              {"id": "Salah", "en": "False", "correct": not truth}]
    # GIFT: the first feedback is for a wrong answer, the second for a right one.
    feedback += [right, wrong] if truth else [wrong, right]


def _code(identifier: str, title: str, category: str, chunk: str, seen: dict[str, int]) -> str:
    for candidate in (identifier, title):
        if CODE_PATTERN.match(candidate):
            return candidate
    digest = hashlib.sha256(f"{category}\n{identifier or title or chunk}".encode()).hexdigest()[:8].upper()
    code = f"GIFT-{digest}"
    seen[code] = seen.get(code, 0) + 1
    return code if seen[code] == 1 else f"{code}-{seen[code]}"

