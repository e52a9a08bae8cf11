"""Import and export of the question bank as JSON (lossless), CSV (spreadsheets),
Moodle XML, GIFT and Aiken. The formats are described in FORMATS.md beside this file;
`plan.build_plan` / `plan.apply_plan` are the preview and the save, `pending` keeps an
upload between the two.

    export_bank("json")                        -> bytes of every question's current version
    parse_import("csv", data)                  -> list of question dicts, or ImportRejected
    import_bank("moodle", data, actor_id=7)    -> ImportReport(created, updated, unchanged, retired, restored)

No Flask request state is used; callers need an app context with the database.
"""
from question_bank.transfer.common import (
    MAX_IMPORT_BYTES,
    ImportProblem,
    ImportRejected,
)
from question_bank.transfer.operations import (
    FORMATS,
    Format,
    ImportReport,
    export_bank,
    get_format,
    import_bank,
    parse_import,
)

__all__ = [
    "FORMATS", "MAX_IMPORT_BYTES", "Format", "ImportProblem", "ImportRejected", "ImportReport",
    "export_bank", "get_format", "import_bank", "parse_import",
]
