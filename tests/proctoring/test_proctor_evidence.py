"""Evidence for examiners (overlay drawn on demand, never for applicants), the
examiner's pages, retention and the purge command, and the worker pool."""
from datetime import timedelta

import pytest
from proctor_helpers import FRONT, SECOND, jpeg, post_check

from core.extensions import db
from helpers import form_login
from proctoring import storage
from proctoring.analysis import OVERLAY_MARKER
from proctoring.models import Frame, ProctorSession, SystemCheck
from proctoring.retention import purge_evidence


def files(app, folder=storage.FRAMES) -> list[str]:
    with app.test_request_context():
        return storage.files_under(folder)


@pytest.fixture
def flagged(exam, rows):
    """An attempt with two multi-face frames (evidence), one suspicious-but-unflagged
    frame (no face, once) and one clean frame."""
    exam.frame(jpeg(faces=[FRONT, SECOND]))
    exam.frame(jpeg(faces=[FRONT, SECOND]))
    exam.frame()
    exam.frame(jpeg(faces=[]))
    exam.frame()
    return {f.sequence: f for f in rows(Frame)}


def signed_in(app, account):
    client = app.test_client()
    form_login(client, account.email, account.password)
    return client


# --------------------------------------------------------------------------- evidence route


def test_an_examiner_sees_the_evidence_with_the_overlay(app, flagged, examiner):
    client = signed_in(app, examiner)
    response = client.get(f"/proctoring/evidence/{flagged[1].id}.jpg")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert OVERLAY_MARKER in response.data
    assert response.headers["Cache-Control"] == "private, no-store"
    raw = client.get(f"/proctoring/evidence/{flagged[1].id}.jpg?raw=1")
    assert OVERLAY_MARKER not in raw.data and raw.data.startswith(b"\xff\xd8")


def test_an_admin_may_too(app, flagged, admin):
    assert signed_in(app, admin).get(f"/proctoring/evidence/{flagged[2].id}.jpg").status_code == 200


@pytest.mark.parametrize("who", ["applicant", "staff"])
def test_the_applicant_and_staff_may_not(app, flagged, request, who):
    client = signed_in(app, request.getfixturevalue(who))
    assert client.get(f"/proctoring/evidence/{flagged[1].id}.jpg").status_code == 403


def test_frames_that_are_not_evidence_are_not_served(app, flagged, examiner):
    client = signed_in(app, examiner)
    assert client.get(f"/proctoring/evidence/{flagged[3].id}.jpg").status_code == 404  # clean, deleted
    assert client.get(f"/proctoring/evidence/{flagged[4].id}.jpg").status_code == 404  # kept, but no flag
    assert client.get("/proctoring/evidence/99999.jpg").status_code == 404


def test_a_failing_overlay_serves_the_picture_as_taken(app, flagged, examiner, monkeypatch):
    from proctoring.analysis import AnalysisFailed, FakeAnalyzer

    def broken(self, data, analysis):
        raise AnalysisFailed("no")

    monkeypatch.setattr(FakeAnalyzer, "draw_overlay", broken)
    response = signed_in(app, examiner).get(f"/proctoring/evidence/{flagged[1].id}.jpg")
    assert response.status_code == 200 and OVERLAY_MARKER not in response.data


# --------------------------------------------------------------------------- examiner pages


def test_the_examiner_lists_attempts_and_reads_a_report(app, flagged, exam, examiner):
    client = signed_in(app, examiner)
    listing = client.get("/proctoring/attempts").get_data(as_text=True)
    assert f'data-attempt="{exam.public_id}"' in listing
    report = client.get(f"/proctoring/attempts/{exam.public_id}")
    html = report.get_data(as_text=True)
    assert report.status_code == 200 and 'data-kind="multiple_faces"' in html
    assert f"/proctoring/evidence/{flagged[1].id}.jpg" in html
    assert f"/proctoring/evidence/{flagged[4].id}.jpg" not in html
    assert client.get("/proctoring/attempts/unknown").status_code == 404


# --------------------------------------------------------------------------- retention


def test_retention_keeps_evidence_and_purges_the_rest_in_time(app, flagged, clock, runner, rows):
    assert len(files(app)) == 3  # two evidence frames and the unflagged no-face frame
    assert len(files(app, storage.CHECKS)) == 1  # the reference photo

    result = runner.invoke(args=["purge-evidence"])
    assert result.exit_code == 0 and "Deleted 0 frame(s), 0 evidence frame(s) and 0 reference photo(s)" in result.output

    clock.advance(hours=25)
    result = runner.invoke(args=["purge-evidence"])
    assert "Deleted 1 frame(s), 0 evidence frame(s) and 0 reference photo(s)" in result.output
    assert sorted(f.sequence for f in rows(Frame) if f.path) == [1, 2]
    assert len(files(app)) == 2

    clock.advance(days=90)
    result = runner.invoke(args=["purge-evidence"])
    assert "Deleted 0 frame(s), 2 evidence frame(s) and 1 reference photo(s)" in result.output
    assert files(app) == [] and files(app, storage.CHECKS) == []
    assert all(f.analysis is not None for f in rows(Frame))  # the findings stay, the pictures go
    assert rows(ProctorSession)[0].risk_score > 0
    assert runner.invoke(args=["purge-evidence"]).exit_code == 0  # repeatable


def test_unused_reference_photos_go_after_a_day(app, proctored, applicant, applicant_api, clock, rows):
    post_check(applicant_api, applicant.application_id, jpeg())
    clock.advance(hours=25)
    with app.app_context():
        counts = purge_evidence(clock.now)
    assert counts.photos == 1 and rows(SystemCheck)[0].photo_path is None
    assert files(app, storage.CHECKS) == []


def test_clean_frames_are_kept_when_configured(app, exam, rows):
    app.config["PROCTOR_DELETE_CLEAN_FRAMES"] = False
    exam.frame()
    assert rows(Frame)[0].path is not None and len(files(app)) == 1


# --------------------------------------------------------------------------- the worker pool


def test_the_pool_analyses_in_the_background(app, exam, rows):
    app.config["PROCTOR_SYNC_ANALYSIS"] = False
    from proctoring.worker import start_pool

    pool = start_pool(app)
    try:
        for _ in range(3):
            response = exam.frame(jpeg(faces=[]))
            assert response.status_code == 202
    finally:
        pool.shutdown(wait=True)
    assert {f.status for f in rows(Frame)} == {"analyzed"}
    assert rows(ProctorSession)[0].flag_count == 1


def test_a_failing_job_is_logged_and_the_pool_goes_on(app, caplog):
    app.config["PROCTOR_SYNC_ANALYSIS"] = False
    from proctoring.worker import AnalysisPool

    def broken(_):
        raise RuntimeError("boom")

    def fine(results):
        results.append(db.session is not None)

    pool = AnalysisPool(app)
    results = []
    pool.submit(broken, 1)
    pool.submit(fine, results)
    pool.shutdown(wait=True)
    assert results == [True]
    assert "Proctoring job broken" in caplog.text


def test_call_waits_for_the_answer_and_times_out(app):
    import time

    app.config["PROCTOR_SYNC_ANALYSIS"] = False
    from proctoring.worker import AnalysisPool

    pool = AnalysisPool(app)
    try:
        assert pool.call(lambda x: x * 2, 21) == 42
        with pytest.raises(TimeoutError):
            pool.call(time.sleep, 0.5, timeout=0.05)
    finally:
        pool.shutdown(wait=True)


def test_captured_times_follow_the_clock(exam, rows, clock):
    exam.frame(advance=7)
    assert rows(Frame)[0].received_at == clock.now and clock.now - rows(Frame)[0].captured_at < timedelta(seconds=1)
