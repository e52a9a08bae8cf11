"""JSON: the lossless format.

`{"format": "sim-question-bank", "version": 1, "questions": [...]}`, each question
being the data-file dict (question_bank/data/FORMAT.md) plus `"status"`
(`"active"` or `"retired"`; absent or null on import leaves an existing
question's status as it is and makes a new one active).
"""
import json

from question_bank.transfer.common import (
    QUESTION_FIELDS,
    ImportProblem,
    ParsedQuestion,
    ParseResult,
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
        result.add(ImportProblem(f"line {error.lineno}", f"not valid JSON: {error.msg}"))
        return result
    except RecursionError:
        result.add(ImportProblem("file", "not valid JSON: nested too deeply"))
        return result
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        reason = f'not a question-bank file (expected "format": "{FORMAT_NAME}")'
        result.add(ImportProblem("file", reason))
        return result
    if document.get("version") != VERSION:
        reason = f"unsupported version {document.get('version')!r} (expected {VERSION})"
        result.add(ImportProblem("file", reason))
        return result
    items = document.get("questions")
    if not isinstance(items, list):
        result.add(ImportProblem("file", '"questions" must be a list'))
        return result
    for index, item in enumerate(items, start=1):
        code = item.get("code") if isinstance(item, dict) else None
        location = f"question {index} ({code})" if isinstance(code, str) and code else f"question {index}"
        if not isinstance(item, dict):
            result.add(ImportProblem(location, "not an object"))
            continue
        parsed = ParsedQuestion(location, item)
        unknown = sorted(set(item) - set(QUESTION_FIELDS))
        if unknown:
            parsed.problems.append(f"unknown fields: {', '.join(unknown)}")
        result.add(parsed)
    return result
