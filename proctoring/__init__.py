"""Webcam proctoring: the system check before an exam, frame and browser-event
ingestion during it, analysis in a worker pool, rules that turn observations into
flags, the attempt's risk score, evidence for examiners and its retention.

The per-frame vision (face detection, head pose, identity, overlays) lives in
`proctoring.vision` behind the small `Analyzer` interface of `proctoring.analysis`.
"""
from flask import Blueprint

bp = Blueprint("proctoring", __name__, url_prefix="/proctoring")
api = Blueprint("proctoring_api", __name__, url_prefix="/api/v1")


@bp.record_once
def _label_filters(state) -> None:
    from proctoring.labels import event_kind_label, flag_kind_label, severity_label

    for label in (event_kind_label, flag_kind_label, severity_label):
        state.app.add_template_filter(label)


def attach_routes() -> tuple[Blueprint, Blueprint]:
    """The web (examiner) and API blueprints with their routes attached."""
    from exam.signals import attempt_closed
    from proctoring import api_views, views  # noqa: F401

    attempt_closed.connect(_refresh_after_close)
    return bp, api


def _refresh_after_close(attempt) -> None:
    """Once an attempt is submitted its window is closed: re-derive its flags, so the
    video missing up to the end (or throughout) is flagged and scored."""
    from proctoring import jobs
    from proctoring.services import proctor_session
    from proctoring.worker import enqueue

    if proctor_session(attempt) is not None:
        enqueue(jobs.refresh_flags, attempt.id)
