"""JSON: the lossless format.

`{"format": "sim-question-bank", "version": 1, "questions": [...]}`, each question
being the data-file dict (question_bank/data/FORMAT.md) plus `"status"`
(`"active"` or `"retired"`; absent or null on import leaves an existing
question's status as it is and makes a new one active).
"""
import json

from flask_babel import gettext as _

from question_bank.transfer.common import (
    QUESTION_FIELDS,
    ImportProblem,
    ParsedQuestion,
    ParseResult,
    file_location,
    line_location,
)

FORMAT_NAME = "sim-question-bank"
VERSION = 1


def export(questions: list[dict]) -> bytes:
    document = {"format": FORMAT_NAME, "version": VERSION, "questions": questions}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def parse(text: str) -> ParseResult:
    """Read a bank file. Syntax errors are located by line; each question by its
    position in the list and its code."""
    result = ParseResult()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        result.add(ImportProblem(line_location(error.lineno), _("not valid JSON: %(error)s", error=error.msg)))
        return result
    except RecursionError:
        result.add(ImportProblem(file_location(), _("not valid JSON: nested too deeply")))
        return result
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        reason = _('not a question-bank file (expected "format": "%(name)s")', name=FORMAT_NAME)
        result.add(ImportProblem(file_location(), reason))
        return result
    if document.get("version") != VERSION:
        reason = _("unsupported version %(version)s (expected %(expected)s)", version=repr(document.get("version")),
                   expected=VERSION)
        result.add(ImportProblem(file_location(), reason))
        return result
    items = document.get("questions")
    if not isinstance(items, list):
        result.add(ImportProblem(file_location(), _('"questions" must be a list')))
        return result
    for index, item in enumerate(items, start=1):
        code = item.get("code") if isinstance(item, dict) else None
        location = _("question %(n)s (%(code)s)", n=index, code=code) if isinstance(code, str) and code \
            else _("question %(n)s", n=index)
        if not isinstance(item, dict):
            result.add(ImportProblem(location, _("not an object")))
            continue
        parsed = ParsedQuestion(location, item)
        unknown = sorted(set(item) - set(QUESTION_FIELDS))
        if unknown:
            parsed.problems.append(_("unknown fields: %(names)s", names=", ".join(unknown)))
        result.add(parsed)
    return result
