"""Examiner review: the risk-sorted queue, one attempt's timeline with its evidence,
decisions (valid / invalid, with claims and overrides), the audit-log browser and
the reports dashboard."""
from flask import Blueprint

bp = Blueprint("review", __name__)


def attach_routes() -> Blueprint:
    """The blueprint with its routes attached (views import lazily to avoid import cycles)."""
    from exam.signals import attempt_submitted
    from proctoring.signals import face_reuse_found
    from review import views  # noqa: F401
    from review.services import on_face_reuse, on_submitted

    attempt_submitted.connect(on_submitted)
    face_reuse_found.connect(on_face_reuse)

    return bp


@bp.record_once
def _default_config(state) -> None:
    from review.config import review_config

    for key, value in review_config().items():
        state.app.config.setdefault(key, value)
