"""Proctoring JSON API under /api/v1 (same session cookie and X-CSRFToken header as
the exam API).

Frames and reference photos come as multipart (`frame` file field, other values as
form fields) or as a raw `image/jpeg` body (values in the query string).
"""
from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from core.access import APPLICANT, roles_required
from core.errors import ValidationError
from exam.api_views import json_body
from proctoring import api, services

MULTIPART_OVERHEAD = 16 * 1024


def _too_large() -> ValidationError:
    limit = current_app.config["PROCTOR_FRAME_MAX_BYTES"]
    return ValidationError(_("The picture is too large (at most %(kb)s KB).", kb=limit // 1024), status=413)


def refuse_oversized_body() -> None:
    """413 before the body is read or parsed, when its declared length is already too much."""
    limit = current_app.config["PROCTOR_FRAME_MAX_BYTES"]
    if request.content_length is not None and request.content_length > limit + MULTIPART_OVERHEAD:
        raise _too_large()


def uploaded_jpeg() -> bytes:
    """The picture's bytes (multipart `frame` field or the raw body); 413 when too large."""
    refuse_oversized_body()
    limit = current_app.config["PROCTOR_FRAME_MAX_BYTES"]
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("frame")
        if upload is None:
            raise ValidationError(_("Send the picture in the `frame` field."), status=400)
        data = upload.read(limit + 1)
        upload.close()
    else:
        data = request.get_data(cache=False)
    if len(data) > limit:
        raise _too_large()
    return data


@api.post("/attempts/<public_id>/frames")
@roles_required(APPLICANT)
def post_frame(public_id: str):
    attempt = services.open_proctored_attempt(public_id, current_user)
    refuse_oversized_body()
    sequence = services.parse_sequence(request.values.get("sequence"))
    client_time = services.parse_client_time(request.values.get("client_time"))
    frame, created = services.ingest_frame(attempt, uploaded_jpeg(), sequence, client_time)
    return jsonify(frame=frame.id, sequence=frame.sequence, stored=created), 202 if created else 200


@api.post("/attempts/<public_id>/events")
@roles_required(APPLICANT)
def post_events(public_id: str):
    attempt = services.open_proctored_attempt(public_id, current_user)
    stored = services.ingest_events(attempt, json_body().get("events"))
    return jsonify(stored=stored), 202


@api.post("/applications/<int:application_id>/system-check")
@roles_required(APPLICANT)
def system_check(application_id: int):
    application = services.own_application(application_id, current_user)
    check, feedback = services.run_system_check(current_user, application, uploaded_jpeg())
    return jsonify(check=check.id, **feedback), 201


@api.post("/applications/<int:application_id>/system-check/preview")
@roles_required(APPLICANT)
def system_check_preview(application_id: int):
    services.own_application(application_id, current_user)
    return jsonify(services.preview(uploaded_jpeg()))


@api.post("/system-checks/<int:check_id>/liveness")
@roles_required(APPLICANT)
def liveness_frame(check_id: int):
    """One frame of the liveness step: the progress, and what to do next."""
    check = services.own_check(check_id, current_user)
    return jsonify(check=check.id, **services.liveness_frame(check, uploaded_jpeg()))
