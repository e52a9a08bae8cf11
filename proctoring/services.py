"""Proctoring operations: the camera check, frame and event ingestion.

Ingestion answers fast: it checks who is sending and what, stores the frame and
queues its analysis (`proctoring.jobs`), never analysing in the request (unless
PROCTOR_SYNC_ANALYSIS is on, for tests). Everything that is refused is refused
before anything is stored.
"""
import json
import re
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core.clock import now_utc
from core.errors import Conflict, NotFound, PlatformError, ValidationError
from core.extensions import db
from exam import services as exam_services
from exam.models import Application, Attempt
from proctoring import jobs, liveness, storage
from proctoring.analysis import (
    AnalysisFailed,
    AnalyzerUnavailable,
    ReferenceAnalysis,
    get_analyzer,
)
from proctoring.jpeg import NOT_JPEG, JpegError, JpegInfo, inspect_jpeg
from proctoring.models import QUEUED, BrowserEventRecord, Frame, ProctorSession, SystemCheck
from proctoring.rules import EVENT_KINDS
from proctoring.signals import face_reuse_found
from proctoring.system_check import feedback
from proctoring.worker import call, enqueue

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MAX_SEQUENCE = 10_000_000
CLOCK_SLACK = timedelta(minutes=1)


# --------------------------------------------------------------------------- validation


def validate_jpeg(data: bytes) -> JpegInfo:
    """The picture's size, if it is a JPEG within the configured limits. Raises
    ValidationError: 400 empty, 413 too large, 415 not a JPEG, 422 broken or wrong size."""
    config = current_app.config
    if not data:
        raise ValidationError(_("No picture was sent."), status=400)
    if len(data) > config["PROCTOR_FRAME_MAX_BYTES"]:
        raise ValidationError(_("The picture is too large (at most %(kb)s KB).",
                                kb=config["PROCTOR_FRAME_MAX_BYTES"] // 1024), status=413)
    try:
        info = inspect_jpeg(data)
    except JpegError as error:
        if error.reason == NOT_JPEG:
            raise ValidationError(_("The picture must be a JPEG image."), status=415) from error
        raise ValidationError(_("The picture is damaged or incomplete."), status=422) from error
    if not (config["PROCTOR_FRAME_MIN_WIDTH"] <= info.width <= config["PROCTOR_FRAME_MAX_WIDTH"]
            and config["PROCTOR_FRAME_MIN_HEIGHT"] <= info.height <= config["PROCTOR_FRAME_MAX_HEIGHT"]):
        raise ValidationError(_("The picture must be between %(min)s and %(max)s pixels.",
                                min=f"{config['PROCTOR_FRAME_MIN_WIDTH']}x{config['PROCTOR_FRAME_MIN_HEIGHT']}",
                                max=f"{config['PROCTOR_FRAME_MAX_WIDTH']}x{config['PROCTOR_FRAME_MAX_HEIGHT']}"),
                              status=422)
    return info


def parse_client_time(value) -> datetime:
    """Milliseconds since the epoch or an ISO 8601 time -> naive UTC. Raises ValidationError (400)."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    is_number_text = isinstance(value, str) and re.fullmatch(r"\d{1,15}(\.\d+)?", value) is not None
    try:
        if is_number or is_number_text:
            moment = datetime.fromtimestamp(float(value) / 1000, tz=UTC)
        elif isinstance(value, str) and value:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                moment = moment.astimezone(UTC)
        else:
            raise ValueError(value)
    except (ValueError, OverflowError, OSError) as error:
        raise ValidationError(_("Give the client time in milliseconds since 1970 or as an ISO 8601 time."),
                              status=400) from error
    return moment.replace(tzinfo=None)


def parse_sequence(value) -> int:
    try:
        sequence = int(value)
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Give the frame's sequence number."), status=400) from error
    if isinstance(value, bool) or not 0 <= sequence <= MAX_SEQUENCE:
        raise ValidationError(_("Give the frame's sequence number."), status=400)
    return sequence


def clamp_to_attempt(moment: datetime, attempt: Attempt, now: datetime) -> datetime:
    """The client's clock is trusted only within the attempt as the server saw it."""
    return min(max(moment, attempt.started_at - CLOCK_SLACK), now)


# --------------------------------------------------------------------------- attempts


def proctor_session(attempt: Attempt) -> ProctorSession | None:
    return db.session.scalar(select(ProctorSession).where(ProctorSession.attempt_id == attempt.id))


def open_proctored_attempt(public_id: str, user) -> Attempt:
    """The user's running, webcam-supervised attempt. Raises NotFound (another's or
    unknown) or Conflict (submitted, past its deadline, or not supervised)."""
    attempt = exam_services.load_attempt(public_id, user)
    attempt.ensure_open(now_utc(), exam_services.grace_seconds())
    if proctor_session(attempt) is None:
        raise Conflict(_("This exam is not supervised by webcam."))
    return attempt


# --------------------------------------------------------------------------- frames and events


def ingest_frame(attempt: Attempt, data: bytes, sequence: int, client_time: datetime) -> tuple[Frame, bool]:
    """Store a frame and queue its analysis. Returns (frame, created); a frame whose
    sequence number is already stored (a retry) is not stored again."""
    info = validate_jpeg(data)
    existing = db.session.scalar(select(Frame).where(Frame.attempt_id == attempt.id, Frame.sequence == sequence))
    if existing is not None:
        return existing, False
    now = now_utc()
    path = storage.frame_path(attempt.public_id, sequence)
    frame = Frame(attempt_id=attempt.id, sequence=sequence, client_time=client_time,
                  captured_at=clamp_to_attempt(client_time, attempt, now), received_at=now, byte_size=len(data),
                  width=info.width, height=info.height, path=path)
    _store(path, data)
    db.session.add(frame)
    try:
        db.session.commit()
    except IntegrityError:  # the same sequence arrived twice at once
        db.session.rollback()
        storage.delete(path)
        return db.session.scalar(select(Frame).where(Frame.attempt_id == attempt.id, Frame.sequence == sequence)), False
    except Exception:
        db.session.rollback()
        storage.delete(path)
        raise
    frame_id = frame.id
    enqueue(jobs.analyze_frame, frame_id)
    return frame, True


def _store(path: str, data: bytes) -> None:
    """Write a picture to the evidence folder; a full or unwritable disk is a 503 the
    browser retries (the exam itself goes on), and it is logged for the operators."""
    try:
        storage.save(path, data)
    except OSError as error:
        current_app.logger.error("Evidence storage failed for %s: %s", path, error)
        raise PlatformError(_("The picture could not be stored just now; it will be sent again."),
                            status=503) from error


def _event_detail(value) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict) or len(repr(value)) > 500 or not _storable_json(value):
        raise ValidationError(_("An event's detail must be a small JSON object."), status=422)
    return value


def _storable_json(value) -> bool:
    """Whether every database stores `value` as JSON: no NaN or infinity, no lone
    surrogate, no NUL character (PostgreSQL refuses each; Python's JSON reader lets them in)."""
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
        text.encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return False
    return "\\u0000" not in text


def ingest_events(attempt: Attempt, items) -> int:
    """Store a batch of browser events (all or none) and queue a flag refresh.
    Events already stored (same client id) are skipped, so resending is harmless.
    Returns how many were new. Never answers 409 for a race: the browser takes 409
    to mean the exam is over."""
    if not isinstance(items, list) or not items:
        raise ValidationError(_("Send the events as a non-empty list."), status=400)
    if len(items) > current_app.config["PROCTOR_EVENTS_PER_BATCH"]:
        raise ValidationError(_("Too many events in one request."), status=413)
    now = now_utc()
    parsed = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not CLIENT_ID.match(item["id"]):
            raise ValidationError(_("Every event needs an id of letters, digits, '-' or '_'."), status=422)
        if not isinstance(item.get("type"), str) or item["type"] not in EVENT_KINDS:
            raise ValidationError(_("Unknown event type: %(type)s.", type=str(item.get("type"))[:40]), status=422)
        client_time = parse_client_time(item.get("at"))
        parsed[item["id"]] = BrowserEventRecord(
            attempt_id=attempt.id, client_id=item["id"], kind=item["type"], client_time=client_time,
            occurred_at=clamp_to_attempt(client_time, attempt, now), received_at=now,
            detail=_event_detail(item.get("detail")))
    for _try in range(2):  # a resend can race its first delivery: then skip what that one stored
        known = set(db.session.scalars(select(BrowserEventRecord.client_id).where(
            BrowserEventRecord.attempt_id == attempt.id, BrowserEventRecord.client_id.in_(parsed))))
        new = [record for client_id, record in parsed.items() if client_id not in known]
        db.session.add_all(new)
        try:
            db.session.commit()
            break
        except IntegrityError:
            db.session.rollback()
            parsed = {client_id: _copy(record) for client_id, record in parsed.items()}
    else:
        raise PlatformError(_("These events could not be saved just now; they will be sent again."), status=503)
    if new:
        enqueue(jobs.refresh_flags, attempt.id)
    return len(new)


def _copy(record: BrowserEventRecord) -> BrowserEventRecord:
    """A fresh, unsaved copy (a rolled-back instance cannot be added again as new)."""
    return BrowserEventRecord(attempt_id=record.attempt_id, client_id=record.client_id, kind=record.kind,
                              client_time=record.client_time, occurred_at=record.occurred_at,
                              received_at=record.received_at, detail=record.detail)


# --------------------------------------------------------------------------- the camera check


def own_application(application_id: int, user) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or application.user_id != user.id:
        raise NotFound(_("Registration not found."))
    return application


def _analyze(method, *args):
    """Run one of the analyzer's methods on the worker pool: 503 when it is unavailable,
    422 when the picture cannot be read."""
    try:
        analyzer = get_analyzer(current_app._get_current_object())
        return call(getattr(analyzer, method), *args)
    except (AnalyzerUnavailable, TimeoutError) as error:
        current_app.logger.error("Camera check unavailable: %s", error)
        raise PlatformError(_("The camera check is not available right now. Please try again later."),
                            status=503) from error
    except AnalysisFailed as error:
        raise ValidationError(_("The picture could not be read. Please try again."), status=422) from error


def _analyze_reference(data: bytes) -> ReferenceAnalysis:
    validate_jpeg(data)
    return _analyze("analyze_reference", data)


def preview(data: bytes) -> dict:
    """Live feedback for the check page (face size, light, reasons); stores nothing."""
    return feedback(_analyze_reference(data))


def face_matches(user, signature) -> list[dict]:
    """Other accounts whose kept reference photo shows the same face as `signature`,
    nearest first (at most ten): [{user_id, check_id, distance}]. Reference photos
    are kept only for the retention period, which bounds the search."""
    analyzer = get_analyzer(current_app._get_current_object())
    rows = db.session.execute(select(SystemCheck.id, SystemCheck.user_id, SystemCheck.signature).where(
        SystemCheck.user_id != user.id, SystemCheck.passed.is_(True), SystemCheck.signature.is_not(None)))
    nearest: dict[int, dict] = {}
    for check_id, user_id, other in rows:
        try:
            distance = analyzer.reference_distance(tuple(signature), tuple(other))
        except (AnalysisFailed, TypeError, ValueError):
            continue
        if distance < analyzer.same_person_distance and (
                user_id not in nearest or distance < nearest[user_id]["distance"]):
            nearest[user_id] = {"user_id": user_id, "check_id": check_id, "distance": round(distance, 4)}
    return sorted(nearest.values(), key=lambda match: match["distance"])[:10]


def run_system_check(user, application: Application, data: bytes) -> tuple[SystemCheck, dict]:
    """Take the reference photo: analyse it, record the verdict, and keep the photo
    and its identity signature only if it passes. A passing photo is compared with
    other accounts' reference photos (a match flags the attempt, it does not refuse:
    the applicant is not told) and opens the liveness step when it is required.
    Returns the check and its feedback."""
    reference = _analyze_reference(data)
    now = now_utc()
    check = SystemCheck(user_id=user.id, application_id=application.id, created_at=now,
                        passed=reference.passed, reasons=list(reference.problems), analysis=reference.to_dict(),
                        signature=list(reference.signature) if reference.passed else None)
    progress = None
    if check.passed:
        check.face_matches = face_matches(user, reference.signature)
        if current_app.config["PROCTOR_LIVENESS_REQUIRED"]:
            progress = liveness.new_challenge(current_app.config["PROCTOR_LIVENESS_STEPS"])
            check.liveness, check.liveness_status = progress.to_dict(), progress.status
            check.liveness_started_at = now
        check.photo_path = storage.check_path(user.id)
        _store(check.photo_path, data)
    db.session.add(check)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        storage.delete(check.photo_path)
        raise
    if check.face_matches:
        _share_matches(check)
    answer = feedback(reference)
    if progress is not None:
        answer["liveness"] = liveness.feedback(progress)
    return check, answer


def _share_matches(check: SystemCheck) -> None:
    """The earlier reference photos that `check` matches record the match too: their
    attempts are flagged as well (the first of fifteen accounts on one stock photo is
    no more genuine than the rest), and `face_reuse_found` sends each such attempt to
    whoever must look again."""
    attempts = []
    for match in check.face_matches:
        other = db.session.get(SystemCheck, match["check_id"])
        if other is None:
            continue
        kept = [m for m in other.face_matches or () if m["user_id"] != check.user_id]
        mine = {"user_id": check.user_id, "check_id": check.id, "distance": match["distance"]}
        other.face_matches = sorted([*kept, mine], key=lambda m: m["distance"])[:10]
        if other.attempt_id is not None:
            attempts.append(other.attempt_id)
    db.session.commit()
    for attempt_id in attempts:
        enqueue(jobs.refresh_flags, attempt_id)
        face_reuse_found.send(db.session.get(Attempt, attempt_id))


def own_check(check_id: int, user) -> SystemCheck:
    check = db.session.get(SystemCheck, check_id)
    if check is None or check.user_id != user.id:
        raise NotFound(_("Camera check not found."))
    return check


def liveness_frame(check: SystemCheck, data: bytes) -> dict:
    """Judge one frame of the check's liveness step and store the progress. Past
    PROCTOR_LIVENESS_SECONDS (server time) or PROCTOR_LIVENESS_MAX_FRAMES the step
    fails. Raises Conflict (409) when the check has no open step or another frame of
    it was judged at the same moment, ValidationError for a bad picture."""
    if check.liveness is None or check.attempt_id is not None:
        raise Conflict(_("This camera check has no movement step to take."))
    if check.liveness_status != liveness.PENDING:
        raise Conflict(_("The movement check is over. Take the reference photo again to repeat it."))
    validate_jpeg(data)
    config = current_app.config
    progress = liveness.Progress.from_dict(check.liveness)
    elapsed = (now_utc() - check.liveness_started_at).total_seconds()
    if elapsed > config["PROCTOR_LIVENESS_SECONDS"] or check.liveness_frames >= config["PROCTOR_LIVENESS_MAX_FRAMES"]:
        progress = progress.fail(liveness.TIMED_OUT)
    else:
        frame = _analyze("analyze_liveness_frame", data, tuple(check.signature), progress.baseline)
        progress = liveness.advance(progress, frame)
    stored = db.session.execute(
        update(SystemCheck)
        .where(SystemCheck.id == check.id, SystemCheck.liveness_frames == check.liveness_frames,
               SystemCheck.liveness_status == liveness.PENDING)
        .values(liveness=progress.to_dict(), liveness_status=progress.status,
                liveness_frames=SystemCheck.liveness_frames + 1)
        .execution_options(synchronize_session=False))
    if stored.rowcount != 1:
        db.session.rollback()
        raise Conflict(_("Send the movement check's pictures one at a time."))
    db.session.commit()
    return liveness.feedback(progress)


def stale_queued() -> tuple:
    """Where-conditions for the frames still waiting for analysis long after they arrived
    (PROCTOR_STALE_QUEUE_SECONDS): their job was lost with a restarted process."""
    cutoff = now_utc() - timedelta(seconds=current_app.config["PROCTOR_STALE_QUEUE_SECONDS"])
    return Frame.status == QUEUED, Frame.received_at < cutoff


def requeue_stale_frames() -> int:
    """Queue again the frames whose analysis job was lost (`stale_queued`). Analysis is
    idempotent by frame id, so a frame queued twice is still analysed once. Returns how many."""
    return _requeue(*stale_queued())


def requeue_frames_received_before(moment: datetime) -> int:
    """Queue again the frames still waiting for analysis that arrived before `moment` (a
    process's start): on the in-process pool their jobs died with the process that
    received them (a crash, a SIGKILL, a restart). Idempotent like `requeue_stale_frames`.
    Returns how many."""
    return _requeue(Frame.status == QUEUED, Frame.received_at < moment)


def _requeue(*conditions) -> int:
    frame_ids = db.session.scalars(select(Frame.id).where(*conditions).order_by(Frame.id)).all()
    db.session.rollback()  # the read is over: no transaction stays open while the jobs run
    for frame_id in frame_ids:
        enqueue(jobs.analyze_frame, frame_id)
    return len(frame_ids)
