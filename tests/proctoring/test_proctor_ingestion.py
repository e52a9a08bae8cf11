"""Frame and event ingestion through the API: what is accepted, what is refused
(and that nothing is stored then), and what analysis makes of it."""
import errno
from datetime import UTC, timedelta

import pytest
from proctor_helpers import FRONT, PNG, SECOND, SMALL_JPEG, event, jpeg, post_frame

from exam.models import Attempt
from helpers import Api, api_login
from proctoring import storage
from proctoring.models import (
    ANALYZED,
    FAILED,
    BrowserEventRecord,
    Frame,
    ProctorFlag,
    ProctorSession,
)


def stored_files(app) -> list[str]:
    with app.test_request_context():
        return storage.files_under(storage.FRAMES)


def session_row(rows, exam) -> ProctorSession:
    attempt = rows(Attempt, public_id=exam.public_id)[0]
    return rows(ProctorSession, attempt_id=attempt.id)[0]


# --------------------------------------------------------------------------- accepted


def test_a_frame_is_stored_analysed_and_a_clean_one_deleted(app, exam, rows):
    response = exam.frame()
    assert response.status_code == 202
    assert response.get_json()["stored"] is True and response.get_json()["sequence"] == 1
    (frame,) = rows(Frame)
    assert frame.status == ANALYZED and frame.width == 640 and frame.byte_size == len(jpeg())
    assert frame.analysis["faces"][0]["confidence"] == 0.98
    assert frame.path is None and frame.deleted_at is not None  # clean: deleted after analysis (privacy)
    assert stored_files(app) == []


def test_raw_jpeg_body_and_epoch_milliseconds_work_too(exam, rows, clock):
    clock.advance(seconds=5)
    millis = int(clock.now.replace(tzinfo=UTC).timestamp() * 1000) - 2000
    response = post_frame(exam.api, exam.public_id, jpeg(), 7, millis, raw=True)
    assert response.status_code == 202, response.get_json()
    (frame,) = rows(Frame)
    assert frame.sequence == 7 and frame.captured_at == clock.now - timedelta(seconds=2)


def test_a_resent_frame_is_not_stored_twice(exam, rows):
    assert exam.frame(jpeg(faces=[]), sequence=3).status_code == 202
    again = exam.frame(jpeg(faces=[]), sequence=3)
    assert again.status_code == 200 and again.get_json()["stored"] is False
    assert len(rows(Frame)) == 1


def test_client_time_is_clamped_to_the_attempt(exam, rows, clock):
    exam.frame(client_time="1999-01-01T00:00:00Z")
    exam.frame(client_time="2100-01-01T00:00:00Z")
    early, late = sorted(rows(Frame), key=lambda f: f.sequence)
    attempt = rows(Attempt, public_id=exam.public_id)[0]
    assert early.captured_at == attempt.started_at - timedelta(minutes=1)
    assert late.captured_at == clock.now


def test_two_faces_then_no_face_make_flags_evidence_and_a_higher_score(app, exam, rows):
    exam.frame()
    assert session_row(rows, exam).risk_score == 0
    for _ in range(2):
        exam.frame(jpeg(faces=[FRONT, SECOND]))
    after_two_faces = session_row(rows, exam).risk_score
    for _ in range(3):
        exam.frame(jpeg(faces=[]))
    exam.frame()
    flags = sorted(rows(ProctorFlag), key=lambda f: f.started_at)
    assert [(f.kind, f.severity, f.count) for f in flags] == [("multiple_faces", "high", 2), ("no_face", "medium", 3)]
    assert flags[0].confidence == 0.9
    evidence = {f.sequence for f in rows(Frame) if f.is_evidence}
    assert evidence == {2, 3, 4, 5, 6}
    assert len(stored_files(app)) == 5  # the two clean frames are gone
    session = session_row(rows, exam)
    assert 0 < after_two_faces < session.risk_score and session.flag_count == 2


def test_a_frame_the_analyzer_cannot_read_is_marked_failed(exam, rows):
    assert exam.frame(jpeg(fail=True)).status_code == 202
    (frame,) = rows(Frame)
    assert frame.status == FAILED and frame.error


def test_events_are_stored_once_and_become_flags(exam, rows, clock):
    start = clock.now
    batch = [event("tab_hidden", start + timedelta(seconds=1)), event("tab_visible", start + timedelta(seconds=41)),
             event("copy", start + timedelta(seconds=50)), event("window_blur", start + timedelta(seconds=51))]
    clock.advance(seconds=60)
    response = exam.events(*batch)
    assert response.status_code == 202 and response.get_json() == {"stored": 4}
    assert exam.events(*batch).get_json() == {"stored": 0}
    assert len(rows(BrowserEventRecord)) == 4
    kinds = sorted((f.kind, f.severity) for f in rows(ProctorFlag))
    assert kinds == [("copy_paste", "medium"), ("tab_hidden", "high")]
    assert session_row(rows, exam).risk_score > 0


# --------------------------------------------------------------------------- refused, nothing stored


@pytest.mark.parametrize(("data", "status"), [
    (b"", 400),
    (PNG, 415),
    (b"%PDF-1.4 not a picture", 415),
    (jpeg()[:3000], 422),                   # cut off
    (jpeg()[:20] + b"garbage" + jpeg()[20:], 422),  # garbage between segments
    (SMALL_JPEG, 422),                      # 100x75: below the minimum size
])
def test_bad_pictures_are_refused_and_not_stored(app, exam, rows, data, status):
    response = exam.frame(data)
    assert response.status_code == status, response.get_json()
    assert response.is_json and response.get_json()["error"]
    assert rows(Frame) == [] and stored_files(app) == []


def test_a_huge_picture_is_refused(app, exam, rows):
    app.config["PROCTOR_FRAME_MAX_BYTES"] = 4096
    response = exam.frame(jpeg())
    assert response.status_code == 413 and rows(Frame) == []
    app.config["PROCTOR_FRAME_MAX_BYTES"] = 512 * 1024
    huge = jpeg()[:-2] + b"\0" * (600 * 1024) + b"\xff\xd9"
    # (raw body only: the test client spools a large multipart body to a file it never closes)
    assert post_frame(exam.api, exam.public_id, huge, 99, "2026-03-02T02:00:00Z", raw=True).status_code == 413
    assert rows(Frame) == [] and stored_files(app) == []


@pytest.mark.parametrize(("fields", "status"), [
    ({"sequence": "abc"}, 400), ({"sequence": "-1"}, 400), ({"client_time": "yesterday"}, 400),
    ({"client_time": ""}, 400),
])
def test_bad_sequence_or_time_is_refused(exam, rows, fields, status):
    values = {"sequence": "1", "client_time": "2026-03-02T02:00:05Z", **fields}
    response = post_frame(exam.api, exam.public_id, jpeg(), values["sequence"], values["client_time"])
    assert response.status_code == status and rows(Frame) == []


def test_a_frame_without_the_file_field_is_refused(exam, rows):
    response = exam.api.client.post(f"/api/v1/attempts/{exam.public_id}/frames", data={"sequence": "1"},
                                    content_type="multipart/form-data", headers={"X-CSRFToken": exam.api.csrf_token()})
    assert response.status_code == 400 and rows(Frame) == []


def test_someone_elses_attempt_is_not_found(app, exam, adversary, rows):
    intruder = api_login(app.test_client(), adversary)
    response = post_frame(intruder, exam.public_id, jpeg(), 1, "2026-03-02T02:00:05Z")
    assert response.status_code == 404
    assert intruder.post(f"/attempts/{exam.public_id}/events",
                         {"events": [event("copy", exam.clock.now)]}).status_code == 404
    assert rows(Frame) == [] and rows(BrowserEventRecord) == []


def test_anonymous_and_staff_callers_are_refused(app, exam, examiner, rows):
    anonymous = Api(app.test_client())
    assert post_frame(anonymous, exam.public_id, jpeg(), 1, "2026-03-02T02:00:05Z").status_code == 401
    staff = api_login(app.test_client(), examiner)
    assert post_frame(staff, exam.public_id, jpeg(), 1, "2026-03-02T02:00:05Z").status_code == 403
    assert rows(Frame) == []


def test_missing_csrf_header_is_refused(exam, rows):
    response = exam.api.client.post(f"/api/v1/attempts/{exam.public_id}/frames?sequence=1&client_time=1",
                                    data=jpeg(), content_type="image/jpeg")
    assert response.status_code == 400 and rows(Frame) == []


def test_nothing_is_taken_after_submission(app, exam, rows, clock):
    assert exam.api.submit(exam.public_id).status_code == 200
    assert exam.frame().status_code == 409
    assert exam.events(event("copy", clock.now)).status_code == 409
    assert rows(Frame) == [] and rows(BrowserEventRecord) == [] and stored_files(app) == []


def test_nothing_is_taken_after_the_deadline(exam, rows, clock):
    clock.advance(minutes=31)
    assert exam.frame().status_code == 409
    assert rows(Frame) == []


def test_an_unsupervised_attempt_takes_no_frames(app, bank, applicant, applicant_api, rows):
    app.config["PROCTORING_REQUIRED"] = False
    public_id = applicant_api.start(applicant.application_id).get_json()["id"]
    response = post_frame(applicant_api, public_id, jpeg(), 1, "2026-03-02T02:00:05Z")
    assert response.status_code == 409 and rows(Frame) == []


@pytest.mark.parametrize(("items", "status"), [
    (None, 400), ([], 400), ("copy", 400),
    ([{"id": "a1", "type": "teleport", "at": "2026-03-02T02:00:05Z"}], 422),
    ([{"id": "bad id!", "type": "copy", "at": "2026-03-02T02:00:05Z"}], 422),
    ([{"type": "copy", "at": "2026-03-02T02:00:05Z"}], 422),
    ([{"id": "a1", "type": "copy", "at": "noon"}], 400),
    ([{"id": "a1", "type": "copy", "at": 1, "detail": "x" * 600}], 422),
    ([{"id": f"e{i}", "type": "copy", "at": 1} for i in range(201)], 413),
])
def test_bad_event_batches_are_refused_whole(exam, rows, items, status):
    good = {"id": "fine", "type": "paste", "at": "2026-03-02T02:00:05Z"}
    body = {"events": [good, *items] if isinstance(items, list) and items else items}
    if isinstance(items, list) and len(items) > 200:
        body = {"events": items}
    response = exam.api.post(f"/attempts/{exam.public_id}/events", body)
    assert response.status_code == status, response.get_json()
    assert rows(BrowserEventRecord) == []


def test_a_resend_racing_its_first_delivery_is_not_a_409(exam, rows, clock, monkeypatch):
    """The browser reads 409 as "the exam is over"; a race on event ids must not look like it."""
    from sqlalchemy.exc import IntegrityError

    from proctoring import services

    batch = [event("copy", clock.now, 1), event("paste", clock.now, 2)]
    real_commit = services.db.session.commit
    calls = {"n": 0}

    def commit_racing_once():
        calls["n"] += 1
        if calls["n"] == 1:  # another request stores the first event just before us
            services.db.session.rollback()
            raise IntegrityError("insert", {}, Exception("duplicate key"))
        return real_commit()

    monkeypatch.setattr(services.db.session, "commit", commit_racing_once)
    response = exam.events(*batch)
    assert response.status_code == 202 and response.get_json() == {"stored": 2}
    assert sorted(e.kind for e in rows(BrowserEventRecord)) == ["copy", "paste"]


def test_frames_whose_job_was_lost_are_queued_again(app, exam, rows, clock, monkeypatch):
    import proctoring.services as proctor_services

    real_enqueue = proctor_services.enqueue
    monkeypatch.setattr(proctor_services, "enqueue", lambda *args: None)  # the process dies before the job runs
    assert exam.frame().status_code == 202
    assert [f.status for f in rows(Frame)] == ["queued"]
    monkeypatch.setattr(proctor_services, "enqueue", real_enqueue)
    with app.app_context():
        assert proctor_services.requeue_stale_frames() == 0  # not stale yet
        clock.advance(seconds=app.config["PROCTOR_STALE_QUEUE_SECONDS"] + 1)
        assert proctor_services.requeue_stale_frames() == 1
    assert [f.status for f in rows(Frame)] == [ANALYZED]


def test_a_full_disk_is_a_503_for_the_frame_and_the_exam_goes_on(app, exam, rows, monkeypatch, caplog):
    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    working = storage.save
    monkeypatch.setattr(storage, "save", full)
    response = exam.frame()
    assert response.status_code == 503 and response.get_json()["error"]
    assert rows(Frame) == [] and stored_files(app) == []
    assert "Evidence storage failed" in caplog.text
    assert exam.api.answer(exam.public_id, 1, 0).status_code == 200  # the exam itself continues
    monkeypatch.setattr(storage, "save", working)  # space again
    assert exam.frame(sequence=exam.sequence).status_code == 202  # the browser's retry is stored


def test_an_unusable_evidence_folder_is_a_503_for_the_frame_and_the_exam_goes_on(app, exam, rows, caplog):
    """A real OS refusal, not a stub (and one root cannot bypass, unlike file modes): the
    frames folder is a plain file, so nothing can be written under it."""
    from pathlib import Path

    blocked = Path(app.config["EVIDENCE_FOLDER"]) / storage.FRAMES
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_bytes(b"not a folder")
    response = exam.frame()
    assert response.status_code == 503 and response.get_json()["error"]
    assert rows(Frame) == [] and blocked.read_bytes() == b"not a folder"
    assert "Evidence storage failed" in caplog.text
    assert exam.api.answer(exam.public_id, 1, 0).status_code == 200  # the exam itself continues
    blocked.unlink()  # the folder is usable again
    assert exam.frame(sequence=exam.sequence).status_code == 202  # the browser's retry is stored
    assert len(rows(Frame)) == 1


@pytest.mark.parametrize("event", [
    {"id": "e1", "type": ["tab_hidden"], "at": 0},
    {"id": "e1", "type": {"x": 1}, "at": 0},
    {"id": "e1", "type": "tab_hidden", "at": 0, "detail": {"x": float("nan")}},
    {"id": "e1", "type": "tab_hidden", "at": 0, "detail": {"a\u0000": 1}},
], ids=["type-list", "type-object", "detail-nan", "detail-nul"])
def test_an_event_of_the_wrong_shape_is_a_422_not_a_500(app_ctx, event):
    from datetime import datetime
    from types import SimpleNamespace

    from core.errors import ValidationError
    from proctoring.services import ingest_events

    with pytest.raises(ValidationError) as refused:
        ingest_events(SimpleNamespace(id=1, started_at=datetime(2026, 1, 1)), [event])
    assert refused.value.status == 422
