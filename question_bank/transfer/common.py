"""What every transfer format shares: problems and the rejection they add up to,
the question dict with its status, validation of a whole file, image files."""
import copy
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import ngettext

from core.errors import ValidationError
from core.sim_classes import CLASS_CODES
from question_bank.images import (
    STATIC_IMAGES,
    UPLOAD_PREFIX,
    bundled_images,
    image_exists,
    upload_folder,
)
from question_bank.models import ACTIVE, HTML, PRACTICE, RETIRED, TOPICS, Question
from question_bank.services import question_problems

MAX_IMPORT_BYTES = 10 * 1024 * 1024
STATUSES = (ACTIVE, RETIRED, PRACTICE)
QUESTION_FIELDS = ("code", "status", "topic", "classes", "image", "text", "options", "explanation", "reference",
                   "exclusion_group", "format")
GROUP_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")  # questions.exclusion_group is String(40); as the GroupForm
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$")  # questions.code is String(20)
MAX_REFERENCE = 300  # question_versions.reference
MAX_IMAGE = 200  # question_versions.image


def file_location() -> str:
    """The location of a problem with the file as a whole."""
    return _("file")


def line_location(number: int) -> str:
    return _("line %(n)s", n=number)


def located(line: int, code: str) -> str:
    """A question of a text format (GIFT, Aiken): its first line and its code."""
    return _("line %(n)s (%(code)s)", n=line, code=code)


def size_problem() -> "ImportProblem":
    """The file is over `MAX_IMPORT_BYTES` (the limit FORMATS.md documents)."""
    return ImportProblem(file_location(), _("The file is larger than the limit of %(mb)s MB.",
                                            mb=MAX_IMPORT_BYTES // (1024 * 1024)))


def no_questions_problem() -> "ImportProblem":
    return ImportProblem(file_location(), _("The file contains no questions."))


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an import file: where ("row 7", "question 3 (REG-010)",
    "<question> #3 (REG-010)", "line 42", "file") and why, both in the UI language
    when the problem was found."""

    location: str
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


class ImportRejected(ValidationError):
    """The file was refused as a whole; `problems` lists everything found wrong."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = list(problems)
        super().__init__(ngettext(
            "The import file has %(num)d problem; nothing was imported.",
            "The import file has %(num)d problems; nothing was imported.",
            len(self.problems),
        ))


@dataclass
class ParsedQuestion:
    """A question read from a file, before validation.

    `reported` names checks the parser (or the import plan) has already turned into
    clearer problems of its own ("text", "explanation", "options.text",
    "options.correct", "topic", "classes"), so that
    validation does not report the same fault a second time in generic words."""

    location: str
    data: dict
    problems: list[str] = field(default_factory=list)
    reported: set[str] = field(default_factory=set)
    # What the import keeps differently or leaves out (shown on the preview page).
    warnings: list[str] = field(default_factory=list)
    # Moodle, GIFT, Aiken: one language is enough (translation needed), two options too.
    lenient: bool = False
    # The category path the question came under, and whether its topic came from a
    # `topic:` tag (then the category mapping does not apply).
    category: str | None = None
    topic_tagged: bool = False
    # An image that is not here yet, stored when the import is confirmed: {"name", "content" (base64)}.
    new_image: dict | None = None
    # The question's name in the other tool (Moodle <name>, GIFT ::title::), for the preview.
    name: str = ""


@dataclass
class ParseResult:
    """What a parser read, in file order: questions, and problems that belong to
    no question (syntax, header, a row that could not be read)."""

    items: list[ParsedQuestion | ImportProblem] = field(default_factory=list)

    @property
    def questions(self) -> list[ParsedQuestion]:
        return [item for item in self.items if isinstance(item, ParsedQuestion)]

    def add(self, item: ParsedQuestion | ImportProblem) -> None:
        self.items.append(item)


def question_dict(question: Question) -> dict:
    """The current version of a question in the data-file format plus its status."""
    version = question.current_version
    return {
        "code": question.code,
        "status": question.status,
        "topic": version.topic,
        "classes": sorted(version.class_codes, key=_class_order),
        "image": version.image,
        "text": {"id": version.text_id, "en": version.text_en},
        "options": [{"id": o["id"], "en": o["en"], "correct": o["correct"] is True} for o in version.options],
        "explanation": {"id": version.explanation_id, "en": version.explanation_en},
        "reference": version.reference or "",
        "exclusion_group": question.exclusion_group,
    } | ({"format": HTML} if version.text_format == HTML else {})


def _class_order(code: str) -> int:
    return CLASS_CODES.index(code) if code in CLASS_CODES else len(CLASS_CODES)


def decode_text(data: bytes) -> tuple[str | None, ImportProblem | None]:
    """The file as text (UTF-8, with or without a byte-order mark)."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        return None, ImportProblem(line_location(line), _("The file is not UTF-8 text."))


def image_file(image: str) -> Path | None:
    """The file behind a question's `image` (bundled or uploaded), or None."""
    if ".." in image or not image_exists(image):
        return None
    if image.startswith(UPLOAD_PREFIX):
        return upload_folder() / image[len(UPLOAD_PREFIX):]
    return STATIC_IMAGES / image


@lru_cache(maxsize=1)
def bundled_image_index() -> dict[str, str]:
    """Every bundled image, by SHA-256 of its content and by its path below static/img."""
    index: dict[str, str] = {}
    for name in bundled_images():
        index.setdefault("sha256:" + hashlib.sha256((STATIC_IMAGES / name).read_bytes()).hexdigest(), name)
        index[name] = name
    return index


def uploaded_image_with(content: bytes) -> str | None:
    """The `image` of an already uploaded file with exactly this content, if any
    (uploads are stored under the SHA-256 of their content)."""
    digest = hashlib.sha256(content).hexdigest()[:32]
    for path in sorted(upload_folder().glob(f"{digest}.*")):
        if path.read_bytes() == content:
            return UPLOAD_PREFIX + path.name
    return None


def validate(result: ParseResult) -> list[ImportProblem]:
    """Every problem in a parsed file: the parser's own, each question's
    (`question_bank.services.question_problems` plus storage limits), and codes
    that occur more than once."""
    problems: list[ImportProblem] = []
    first_seen: dict[str, str] = {}
    for parsed in result.items:
        if isinstance(parsed, ImportProblem):
            problems.append(parsed)
            continue
        reasons = list(parsed.problems)
        if parsed.lenient and "options" not in parsed.data:
            pass  # a question type that was refused as a whole: its parts are not checked
        else:
            # What the bank may hold comes back in every format: a question still needing
            # its translation, a true/false question with two options.
            reasons += question_problems(_neutralised(parsed.data, parsed.reported), monolingual=True, min_options=2)
        reasons += _storage_problems(parsed.data)
        code = parsed.data.get("code")
        if isinstance(code, str) and code:
            if code in first_seen:
                reasons.append(_("duplicate code %(code)s (first at %(where)s)", code=code,
                                 where=first_seen[code]))
            else:
                first_seen[code] = parsed.location
        problems.extend(ImportProblem(parsed.location, reason) for reason in _unique(reasons))
    if not result.questions and not problems:
        problems.append(no_questions_problem())
    return problems


def _neutralised(data: dict, reported: set[str]) -> dict:
    """A copy of `data` in which faults the parser already reported are papered
    over, and values `question_problems` cannot compare are made harmless."""
    data = copy.deepcopy(data)
    # A topic or classes still to be chosen on the preview page: the plan says so itself.
    if "topic" in reported:
        data["topic"] = next(iter(TOPICS))
    if "classes" in reported:
        data["classes"] = list(CLASS_CODES[:1])
    if not isinstance(data.get("topic"), str | None):
        data["topic"] = str(data["topic"])  # unhashable values would break the lookup in TOPICS
    for name in ("text", "explanation"):
        if name in reported and isinstance(data.get(name), dict):
            data[name] = {lang: data[name].get(lang) or "-" for lang in ("id", "en")}
    options = data.get("options")
    if isinstance(options, list) and all(isinstance(o, dict) for o in options):
        if "options.text" in reported:
            data["options"] = options = [{**o, "id": o.get("id") or "-", "en": o.get("en") or "-"} for o in options]
        if "options.correct" in reported and options:
            data["options"] = [{**o, "correct": i == 0} for i, o in enumerate(options)]
    return data


def _storage_problems(data: dict) -> list[str]:
    """What the data-file check leaves to the database: column sizes and the status."""
    problems = []
    code = data.get("code")
    if isinstance(code, str) and code.strip() and not CODE_PATTERN.match(code):
        problems.append(_("code %(code)s must be 1-20 letters, digits, '-', '_' or '.'", code=repr(code)))
    status = data.get("status")
    if status is not None and status not in STATUSES:
        problems.append(_("status must be 'active', 'retired' or 'practice', not %(status)s", status=repr(status)))
    reference = data.get("reference")
    if reference is not None and not isinstance(reference, str):
        problems.append(_("reference must be text"))
    elif reference and len(reference.strip()) > MAX_REFERENCE:
        problems.append(_("reference is longer than %(n)s characters", n=MAX_REFERENCE))
    group = data.get("exclusion_group")
    if group is not None and (not isinstance(group, str) or not GROUP_PATTERN.match(group)):
        problems.append(_("exclusion group %(group)s is not a group name: 1-40 lower-case letters, digits and "
                          "'-', starting with a letter or digit (e.g. level-crossing), or empty for none",
                          group=repr(group)))
    image = data.get("image")
    if isinstance(image, str) and len(image) > MAX_IMAGE:
        problems.append(_("image name is longer than %(n)s characters", n=MAX_IMAGE))
    return problems


def _unique(reasons: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(reasons))
