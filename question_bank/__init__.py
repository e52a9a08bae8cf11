"""The question bank: versioned bilingual questions, the staff editor, import/export
and item statistics; the bundled content lives in `data/`."""
from flask import Blueprint

bp = Blueprint("question_bank", __name__)


def attach_routes() -> Blueprint:
    """The blueprint with its routes attached (views import lazily to avoid import cycles)."""
    from question_bank import views  # noqa: F401

    return bp
