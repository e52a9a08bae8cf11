"""Missing evidence is never a clean record, nor is a paper answered from a key: a supervised exam whose camera sent no
frames, only frames that could not be analysed, or left long gaps, gets a NO_VIDEO
flag that counts in its risk score, and it is never auto-cleared."""
from datetime import datetime, timedelta

import pytest
from review_helpers import jpeg, post_frame

from core.extensions import db
from exam.models import Attempt
from proctoring.models import ProctorFlag, ProctorSession
from proctoring.rules import FAST_ANSWERS, NO_VIDEO, Coverage, answer_pace_flags, coverage_flags
from review.models import PENDING, Review
from review.services import auto_clear_pending


def outcome(app, attempt_id: int) -> tuple[str, int, list[tuple[str, str]]]:
    with app.app_context():
        review = db.session.scalar(db.select(Review).where(Review.attempt_id == attempt_id))
        risk = db.session.scalar(db.select(ProctorSession.risk_score).where(ProctorSession.attempt_id == attempt_id))
        flags = db.session.execute(db.select(ProctorFlag.kind, ProctorFlag.severity)
                                   .where(ProctorFlag.attempt_id == attempt_id)).all()
        return (review.status if review else PENDING), risk, [tuple(f) for f in flags]


def test_a_clean_exam_with_video_throughout_is_auto_cleared(app, sit):
    sat = sit(frames=[{}])
    status, risk, flags = outcome(app, sat.attempt_id)
    assert flags == [] and risk == 0 and status == "valid"


def test_no_frames_at_all_raise_no_video_and_block_auto_clear(app, sit):
    sat = sit(camera=False)
    status, risk, flags = outcome(app, sat.attempt_id)
    assert (NO_VIDEO, "high") in flags
    assert risk >= 10 and status == PENDING
    with app.app_context():
        assert auto_clear_pending().cleared == 0
    assert outcome(app, sat.attempt_id)[0] == PENDING


def test_frames_the_analysis_cannot_decode_count_as_missing(app, sit, clock):
    sat = sit(camera=False, submit=False)
    for sequence in range(1, 8):
        clock.advance(seconds=5)
        # accepted as a JPEG, but the analysis fails on it (as on a JPEG with no image data)
        assert post_frame(sat.api, sat.public_id, jpeg(fail=True), sequence, clock.now).status_code == 202
    assert sat.api.submit(sat.public_id).status_code == 200
    status, risk, flags = outcome(app, sat.attempt_id)
    assert (NO_VIDEO, "high") in flags and status == PENDING


def test_a_gap_in_the_middle_is_flagged(app, sit, clock):
    sat = sit(frames=[{}], submit=False)
    clock.advance(seconds=90)  # the camera stops sending for a minute and a half
    for sequence in range(100, 104):
        clock.advance(seconds=5)
        assert post_frame(sat.api, sat.public_id, jpeg(), sequence, clock.now).status_code == 202
    assert sat.api.submit(sat.public_id).status_code == 200
    status, _, flags = outcome(app, sat.attempt_id)
    assert flags == [(NO_VIDEO, "high")] and status == PENDING
    with app.app_context():
        attempt = db.session.get(Attempt, sat.attempt_id)
        flag = db.session.scalar(db.select(ProctorFlag).where(ProctorFlag.attempt_id == attempt.id))
        assert flag.ended_at - flag.started_at >= timedelta(seconds=90)


@pytest.mark.parametrize("gap, expected", [(15, []), (25, [(NO_VIDEO, "medium")]), (40, [(NO_VIDEO, "high")])])
def test_gap_severity_follows_the_rule_config(gap, expected):
    start = datetime(2026, 12, 3, 8, 0)
    times = (start + timedelta(seconds=5), start + timedelta(seconds=5 + gap))
    flags = coverage_flags(Coverage(start, times[-1] + timedelta(seconds=5), times))
    assert [(f.kind, f.severity) for f in flags] == expected


def test_a_paper_answered_from_a_key_in_a_second_is_flagged_and_not_auto_cleared(app, sit):
    sat = sit(frames=[{}, {}, {}], answer_seconds=0.03)
    status, risk, flags = outcome(app, sat.attempt_id)
    assert flags == [(FAST_ANSWERS, "high")] and risk > 0 and status == PENDING


@pytest.mark.parametrize("pace, count, flagged", [(1.0, 30, True), (1.9, 30, True), (2.0, 30, False),
                                                  (6.0, 30, False), (0.5, 9, False)])
def test_answer_pace_rule(pace, count, flagged):
    start = datetime(2026, 12, 3, 8, 0)
    times = [start + timedelta(seconds=pace * (n + 1)) for n in range(count)]
    assert bool(answer_pace_flags(start, times)) is flagged
