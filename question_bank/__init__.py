"""The question bank: versioned bilingual questions, the staff editor, import/export
and item statistics; the bundled content lives in `data/`."""
from flask import Blueprint, request

bp = Blueprint("question_bank", __name__)


def allow_import_uploads() -> None:
    """An app-level before-request hook, registered before anything reads the body: an
    import upload may be as large as FORMATS.md promises (MAX_IMPORT_BYTES) plus the
    multipart framing, above the app's MAX_CONTENT_LENGTH."""
    if request.endpoint == "question_bank.bank_import" and request.method == "POST":
        from question_bank.transfer import MAX_IMPORT_BYTES

        request.max_content_length = MAX_IMPORT_BYTES + 1024 * 1024


def attach_routes() -> Blueprint:
    """The blueprint with its routes attached (views import lazily to avoid import cycles)."""
    from question_bank import views  # noqa: F401

    return bp


@bp.app_template_filter()
def item_flag_label(code: str) -> str:
    """The translated name of an item-statistics review flag."""
    from flask_babel import gettext as _

    from question_bank import statistics

    labels = {statistics.TOO_EASY: _("too easy"), statistics.TOO_HARD: _("too hard"),
              statistics.NEGATIVE_DISCRIMINATION: _("negative discrimination"),
              statistics.LOW_DISCRIMINATION: _("low discrimination"),
              statistics.UNUSED_DISTRACTOR: _("unused distractor")}
    return labels.get(code, code)
