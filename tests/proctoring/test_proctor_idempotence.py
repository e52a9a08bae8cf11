"""Frame analysis is idempotent by frame id: of two deliveries of the same job running
at once (a retried or redelivered task), only the first to store its result counts;
the other stores nothing and refreshes nothing."""
from proctor_helpers import jpeg

from core.extensions import db
from proctoring import jobs
from proctoring import services as proctor_services
from proctoring.analysis import FakeAnalyzer, FrameAnalysis, get_analyzer
from proctoring.models import ANALYZED, Frame


def test_a_second_delivery_racing_the_first_stores_nothing(app, exam, monkeypatch):
    monkeypatch.setattr(proctor_services, "enqueue", lambda *args: None)  # the job is only queued
    assert exam.frame(jpeg()).status_code == 202
    refreshes = []
    real_refresh = jobs.refresh_flags
    monkeypatch.setattr(jobs, "refresh_flags", lambda attempt_id: refreshes.append(attempt_id) or real_refresh(attempt_id))

    class Racing(FakeAnalyzer):
        """While the first delivery analyses, the second one runs from start to end."""
        depth = 0

        def analyze_frame(self, data, reference, memory_key=None):
            Racing.depth += 1
            seen = super().analyze_frame(data, reference, memory_key)
            if Racing.depth == 1:
                assert jobs.analyze_frame(frame_id) == jobs.DONE
                return FrameAnalysis(seen.faces, 1.0, seen.identity_distance, seen.flags, {"delivery": "first"})
            return FrameAnalysis(seen.faces, 200.0, seen.identity_distance, seen.flags, {"delivery": "second"})

    with app.app_context():
        frame_id = db.session.scalar(db.select(Frame.id))
        get_analyzer(app)
        app.extensions["proctor_analyzer"] = Racing()
        assert jobs.analyze_frame(frame_id) == jobs.SKIPPED  # lost the race: stores nothing
        frame = db.session.get(Frame, frame_id)
        assert frame.status == ANALYZED and frame.analysis["brightness"] == 200.0
        assert frame.analysis["detail"] == {"delivery": "second"}
        assert refreshes == [frame.attempt_id]  # the flags were refreshed once
        assert jobs.analyze_frame(frame_id) == jobs.SKIPPED and Racing.depth == 2  # not analysed again


def test_the_requeue_command_sends_lost_frames_again(app, exam, rows, clock, monkeypatch):
    real_enqueue = proctor_services.enqueue
    monkeypatch.setattr(proctor_services, "enqueue", lambda *args: None)  # the job is lost
    assert exam.frame(jpeg()).status_code == 202
    monkeypatch.setattr(proctor_services, "enqueue", real_enqueue)
    runner = app.test_cli_runner()
    assert "Queued 0 frame(s)" in runner.invoke(args=["requeue-stale-frames"]).output  # not stale yet
    clock.advance(seconds=app.config["PROCTOR_STALE_QUEUE_SECONDS"] + 1)
    assert "Queued 1 frame(s)" in runner.invoke(args=["requeue-stale-frames"]).output
    assert [frame.status for frame in rows(Frame)] == [ANALYZED]
