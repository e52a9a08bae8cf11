"""Aiken (https://docs.moodle.org/en/Aiken_format): the simplest hand-written format.

    Apa arti marka garis utuh?
    A. Boleh mendahului
    B. Dilarang melintas
    C. Parkir
    ANSWER: B

Import: blocks separated by blank lines; the question text (one or more lines), then
options `A.` or `A)` in order from A, then `ANSWER: <letter>`. Aiken has one language
(the one chosen for unmarked text), no code (derived from the text, so the same file
imported again updates its questions), no category (the file maps as one category on
the preview page), no explanation and no classes (chosen on the preview page).

Export: one language (Bahasa Indonesia; the English text goes to the JSON, CSV, Moodle
XML and GIFT exports), plain text on one line per question and option; codes,
classes, topics, explanations and images are not part of the format.
"""
import hashlib
import re

from flask_babel import gettext as _

from question_bank.rich_text import html_to_plain
from question_bank.transfer.common import ImportProblem, ParsedQuestion, ParseResult, located
from question_bank.transfer.moodle_html import read_plain
from question_bank.transfer.moodle_xml import fill_texts

_OPTION = re.compile(r"^([A-Z])[.)]\s+(.*)$")
_ANSWER = re.compile(r"^ANSWER:\s*([A-Z])\s*$", re.IGNORECASE)


def export(questions: list[dict]) -> bytes:
    blocks = []
    for question in questions:
        html_text = question.get("format") == "html"
        lines = [_one_line(question["text"]["id"], html_text)]
        lines += [f"{'ABCD'[i]}. {_one_line(o['id'], html_text)}" for i, o in enumerate(question["options"])]
        lines.append("ANSWER: " + "ABCD"[next(i for i, o in enumerate(question["options"]) if o["correct"])])
        blocks.append("\n".join(lines))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def _one_line(value: str, html_text: bool) -> str:
    return " ".join((html_to_plain(value) if html_text else value).split())


def parse(text: str, untagged: str = "id") -> ParseResult:
    """Read an Aiken file; each question is located as `line N (CODE)`."""
    result = ParseResult()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    block: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines + [""], start=1):
        if line.strip():
            block.append((number, line.strip()))
            continue
        if block:
            result.add(_question(block, untagged, seen))
        block = []
    return result


def _question(block: list[tuple[int, str]], untagged: str, seen: dict[str, int]) -> ParsedQuestion | ImportProblem:
    first = block[0][0]
    text_lines, options, answer, problems = [], [], None, []
    for number, line in block:
        option, answer_line = _OPTION.match(line), _ANSWER.match(line)
        if answer_line:
            answer = answer_line.group(1).upper()
        elif option and (options or text_lines):
            if option.group(1) != chr(ord("A") + len(options)):
                problems.append(_("line %(n)s: option %(letter)s is out of order", n=number, letter=option.group(1)))
            options.append(option.group(2))
        elif options:
            problems.append(_("line %(n)s: only options (A. ...) and ANSWER: may follow the options", n=number))
        else:
            text_lines.append(line)
    text = "\n".join(text_lines)
    digest = hashlib.sha256(text.encode()).hexdigest()[:8].upper()
    code = f"AIK-{digest}"
    seen[code] = seen.get(code, 0) + 1
    code = code if seen[code] == 1 else f"{code}-{seen[code]}"
    parsed = ParsedQuestion(located(first, code), {"code": code, "status": None, "topic": "", "classes": [],
                                                     "image": None, "reference": ""},
                            lenient=True, category="", problems=problems)
    if answer is None:
        parsed.problems.append(_("no ANSWER: line"))
    elif ord(answer) - ord("A") >= len(options):
        parsed.problems.append(_("ANSWER: %(letter)s names no option", letter=answer))
    parsed.data["options"] = [{"correct": chr(ord("A") + i) == answer} for i in range(len(options))]
    fields = {"text": read_plain(text, untagged)}
    fields.update({f"option {i}": read_plain(option, untagged) for i, option in enumerate(options)})
    fill_texts(parsed, fields, read_plain("", untagged), [])
    return parsed
