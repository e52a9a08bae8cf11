"""CSV: one row per question, for spreadsheets.

UTF-8 with a byte-order mark (so Excel reads it as UTF-8; import accepts it with
or without), RFC 4180 quoting, so commas, quotes and line breaks survive inside
cells. Columns: see `COLUMNS`; `classes` is space-separated SIM class codes, the
D option is empty for 3-option questions, `correct` is one letter A-D, an empty
`image` is no image and an empty `status` on import leaves the status as it is.

Formula injection: a spreadsheet runs a cell that starts with = + - @ (or a tab
or carriage return) as a formula. On export such a cell gets a leading single
quote (`=cmd` is written `'=cmd`), and so does a cell that already starts with a
quote, so that the rule can be undone exactly: on import one leading quote is
removed from a cell that starts with a quote followed by one of those characters
or by another quote. A hand-written `''x` therefore imports as `'x`.
"""
import csv
import io
import re

from flask_babel import gettext as _

from question_bank.transfer.common import ImportProblem, ParsedQuestion, ParseResult, line_location

LETTERS = "ABCD"
COLUMNS = (
    "code", "status", "topic", "classes", "text_id", "text_en",
    *(f"option_{letter.lower()}_{lang}" for letter in LETTERS for lang in ("id", "en")),
    "correct", "explanation_id", "explanation_en", "reference", "image", "format", "exclusion_group",
)
OPTIONAL_COLUMNS = {"status", "option_d_id", "option_d_en", "reference", "image", "exclusion_group", "format"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ESCAPED_START = (*FORMULA_START, "'")


def export(questions: list[dict]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for question in questions:
        writer.writerow([escape_cell(question_row(question)[column]) for column in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def question_row(question: dict) -> dict[str, str]:
    row = {
        "code": question["code"], "status": question["status"], "topic": question["topic"],
        "classes": " ".join(question["classes"]),
        "text_id": question["text"]["id"], "text_en": question["text"]["en"],
        "correct": next((LETTERS[i] for i, o in enumerate(question["options"]) if o["correct"]), ""),
        "explanation_id": question["explanation"]["id"], "explanation_en": question["explanation"]["en"],
        "reference": question["reference"] or "", "image": question["image"] or "",
        "exclusion_group": question.get("exclusion_group") or "",
        "format": question.get("format") or "",  # "html": the texts are sanitised HTML
    }
    for index, letter in enumerate(LETTERS):
        option = question["options"][index] if index < len(question["options"]) else {"id": "", "en": ""}
        row[f"option_{letter.lower()}_id"], row[f"option_{letter.lower()}_en"] = option["id"], option["en"]
    return row


def escape_cell(value: str) -> str:
    """Make a cell inert in spreadsheets (see the module docstring)."""
    return "'" + value if value.startswith(ESCAPED_START) else value


def unescape_cell(value: str) -> str:
    return value[1:] if value[:1] == "'" and value[1:].startswith(ESCAPED_START) else value


def parse(text: str) -> ParseResult:
    """Read the rows; a row's location is its spreadsheet row number (the header is row 1)."""
    result = ParseResult()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
        columns = _check_header(header, result)
        if columns is None:
            return result
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # spreadsheets leave blank rows behind
            location = _("row %(n)s", n=number)
            if len(cells) > len(header):
                reason = _("has %(cells)s cells but the header has %(header)s", cells=len(cells), header=len(header))
                result.add(ImportProblem(location, reason))
                continue
            cells = [unescape_cell(cell) for cell in cells] + [""] * (len(header) - len(cells))
            result.add(_question(location, {name: cells[i] for name, i in columns.items()}, "exclusion_group" in columns))
    except csv.Error as error:
        result.add(ImportProblem(line_location(reader.line_num), _("not valid CSV: %(error)s", error=str(error))))
    return result


def _check_header(header: list[str], result: ParseResult) -> dict[str, int] | None:
    location = _("row 1 (header)")
    if not header:
        result.add(ImportProblem(location, _("The file is empty.")))
        return None
    for name in sorted({n for n in header if header.count(n) > 1}):
        result.add(ImportProblem(location, _("column %(name)s appears more than once", name=name)))
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        result.add(ImportProblem(location, _("unknown columns: %(names)s", names=", ".join(unknown))))
    missing = [name for name in COLUMNS if name not in header and name not in OPTIONAL_COLUMNS]
    if missing:
        result.add(ImportProblem(location, _("missing columns: %(names)s", names=", ".join(missing))))
    if result.items:
        return None
    return {name: header.index(name) for name in header}


def _question(location: str, row: dict[str, str], has_group: bool = False) -> ParsedQuestion:
    """One row as a question; without an `exclusion_group` column the key is left
    out, so that the import leaves each question's group as it is."""
    cell = {name: row.get(name, "") for name in COLUMNS}
    parsed = ParsedQuestion(location, {
        "code": cell["code"].strip(),
        "status": cell["status"].strip().lower() or None,
        "topic": cell["topic"].strip(),
        "classes": [c.upper() for c in re.split(r"[\s,;]+", cell["classes"]) if c],
        "image": cell["image"].strip() or None,
        "text": {"id": cell["text_id"], "en": cell["text_en"]},
        "options": [],
        "explanation": {"id": cell["explanation_id"], "en": cell["explanation_en"]},
        "reference": cell["reference"],
    })
    if has_group:
        parsed.data["exclusion_group"] = cell["exclusion_group"].strip() or None
    text_format = cell["format"].strip().lower()
    if text_format == "html":
        parsed.data["format"] = "html"
    elif text_format not in ("", "plain"):
        parsed.problems.append(_("format must be empty, 'plain' or 'html', not %(value)s", value=repr(cell["format"])))
    filled = [letter for letter in LETTERS
              if cell[f"option_{letter.lower()}_id"].strip() or cell[f"option_{letter.lower()}_en"].strip()]
    count = len(filled)
    if filled != list(LETTERS[:count]):
        parsed.problems.append(_("options must be filled from A onwards with no gaps (filled: %(letters)s)",
                                 letters=", ".join(filled)))
        parsed.reported.add("options.text")
        count = len(LETTERS)
    correct = cell["correct"].strip().upper()
    if len(correct) != 1 or correct not in LETTERS:
        parsed.problems.append(_("correct must be one letter A-D, not %(value)s", value=repr(cell["correct"])))
        parsed.reported.add("options.correct")
    elif LETTERS.index(correct) >= count:
        parsed.problems.append(_("the correct option %(letter)s is empty", letter=correct))
        parsed.reported.add("options.correct")
    parsed.data["options"] = [
        {"id": cell[f"option_{letter.lower()}_id"], "en": cell[f"option_{letter.lower()}_en"],
         "correct": letter == correct}
        for letter in LETTERS[:count]
    ]
    return parsed
