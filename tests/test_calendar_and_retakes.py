"""Working days (exam/calendar.py) and who may sit the exam when (exam/retakes.py,
Perpol No. 5 Tahun 2021 Pasal 15): one first attempt, then at most two retakes
from the day after the first failure, within 14 working days."""
from datetime import date, datetime, timedelta

import pytest

from accounts.models import User
from core.errors import Conflict
from core.extensions import db
from exam import retakes, services
from exam.calendar import add_working_days, is_working_day, parse_holidays
from exam.models import Application, Attempt

MON, TUE, FRI, SAT, SUN = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 8)


# --------------------------------------------------------------------------- calendar


@pytest.mark.parametrize(("start", "count", "expected"), [
    (MON, 0, MON),
    (MON, 1, TUE),
    (FRI, 1, date(2026, 3, 9)),        # over the weekend
    (SAT, 1, date(2026, 3, 9)),
    (SUN, 1, date(2026, 3, 9)),
    (FRI, 5, date(2026, 3, 13)),
    (MON, 14, date(2026, 3, 20)),      # the retake window from a Monday failure
])
def test_add_working_days_skips_weekends(start, count, expected):
    assert add_working_days(start, count) == expected


@pytest.mark.parametrize(("start", "count", "holidays", "expected"), [
    (FRI, 1, {date(2026, 3, 9)}, date(2026, 3, 10)),                     # Monday holiday
    (FRI, 1, {SAT, SUN}, date(2026, 3, 9)),                              # weekend holidays count once
    (MON, 14, {date(2026, 3, 19), date(2026, 3, 20)}, date(2026, 3, 24)),
    (MON, 1, {TUE, date(2026, 3, 4)}, date(2026, 3, 5)),
])
def test_add_working_days_skips_holidays(start, count, holidays, expected):
    assert add_working_days(start, count, holidays) == expected


@pytest.mark.parametrize(("day", "working"), [(MON, True), (FRI, True), (SAT, False), (SUN, False),
                                              (date(2026, 3, 19), False)])
def test_is_working_day(day, working):
    assert is_working_day(day, {date(2026, 3, 19)}) is working


@pytest.mark.parametrize(("text", "expected"), [
    ("", frozenset()),
    ("2026-03-19", frozenset({date(2026, 3, 19)})),
    (" 2026-03-19 , 2026-03-20,,", frozenset({date(2026, 3, 19), date(2026, 3, 20)})),
])
def test_parse_holidays(text, expected):
    assert parse_holidays(text) == expected


def test_parse_holidays_rejects_a_bad_date():
    with pytest.raises(ValueError):
        parse_holidays("2026-02-30")


# --------------------------------------------------------------------------- eligibility


@pytest.fixture
def candidate(app_ctx, make_bank, applicant):
    """The applicant's user and application, with a bank that fills an exam."""
    make_bank()
    return db.session.get(User, applicant.id), db.session.get(Application, applicant.application_id)


def sit(user: User, application: Application, passing: bool = False) -> Attempt:
    """Start an attempt and submit it, all answers right (pass) or none given (fail)."""
    attempt = services.start_attempt(user, application, consent=True)
    if passing:
        for item in attempt.items:
            services.answer(attempt, item.position, item.option_order.index(item.version.correct_index))
    services.submit(attempt)
    assert attempt.passed is passing
    return attempt


def status_of(application: Application, clock) -> retakes.Eligibility:
    db.session.refresh(application)
    return retakes.eligibility(application, clock.today())


def test_first_attempt_is_allowed(candidate, clock):
    _, application = candidate
    status = status_of(application, clock)
    assert status.status == retakes.OPEN and status.may_start and not status.must_register_again
    assert status.retakes_used == 0 and status.retakes_allowed == 2


def test_attempt_in_progress_blocks_a_second_start(candidate, clock):
    user, application = candidate
    services.start_attempt(user, application, consent=True)
    assert status_of(application, clock).status == retakes.IN_PROGRESS
    with pytest.raises(Conflict):
        services.start_attempt(user, application, consent=True)


def test_after_a_fail_the_retake_waits_until_the_next_day(candidate, clock):
    user, application = candidate
    sit(user, application)
    status = status_of(application, clock)
    assert status.status == retakes.WAIT and not status.may_start
    assert status.window_opens == clock.today() + timedelta(days=1)
    with pytest.raises(Conflict, match=status.window_opens.isoformat()):
        services.start_attempt(user, application, consent=True)

    clock.advance(hours=21, minutes=59)  # 23:59 UTC, still the same day
    assert status_of(application, clock).status == retakes.WAIT
    clock.advance(minutes=1)
    assert status_of(application, clock).status == retakes.OPEN
    assert services.start_attempt(user, application, consent=True).is_open


def test_two_retakes_then_a_fourth_attempt_is_refused(candidate, clock):
    user, application = candidate
    sit(user, application)
    for used in (1, 2):
        clock.advance(days=1)
        status = status_of(application, clock)
        assert status.status == retakes.OPEN and status.retakes_used == used - 1
        sit(user, application)
    clock.advance(days=1)
    status = status_of(application, clock)
    assert status.status == retakes.EXHAUSTED and status.retakes_used == 2
    assert status.must_register_again and not status.may_start
    with pytest.raises(Conflict):
        services.start_attempt(user, application, consent=True)
    assert len(application.attempts) == 3


def test_retake_window_is_fourteen_working_days(candidate, clock):
    user, application = candidate
    sit(user, application)  # Monday 2 March 2026
    closes = date(2026, 3, 20)
    clock.set(datetime(2026, 3, 20, 8, 0))
    status = status_of(application, clock)
    assert status.status == retakes.OPEN and status.window_closes == closes
    clock.set(datetime(2026, 3, 23, 2, 0))  # the next working day
    status = status_of(application, clock)
    assert status.status == retakes.EXPIRED and status.must_register_again
    with pytest.raises(Conflict):
        services.start_attempt(user, application, consent=True)


def test_configured_holidays_extend_the_window(candidate, clock, app):
    user, application = candidate
    app.config["PUBLIC_HOLIDAYS"] = "2026-03-19,2026-03-20"
    sit(user, application)
    clock.set(datetime(2026, 3, 23, 2, 0))
    status = status_of(application, clock)
    assert status.status == retakes.OPEN and status.window_closes == date(2026, 3, 24)
    clock.set(datetime(2026, 3, 25, 2, 0))
    assert status_of(application, clock).status == retakes.EXPIRED


def test_retake_max_comes_from_config(candidate, clock, app):
    user, application = candidate
    app.config["RETAKE_MAX"] = 0
    sit(user, application)
    clock.advance(days=1)
    assert status_of(application, clock).status == retakes.EXHAUSTED


def test_passed_means_no_more_attempts(candidate, clock):
    user, application = candidate
    sit(user, application, passing=True)
    clock.advance(days=1)
    status = status_of(application, clock)
    assert status.status == retakes.PASSED and not status.may_start and not status.must_register_again
    with pytest.raises(Conflict):
        services.start_attempt(user, application, consent=True)
    with pytest.raises(Conflict):
        services.register_again(user, application.sim_class)


def test_pass_on_a_retake_ends_the_application(candidate, clock):
    user, application = candidate
    sit(user, application)
    clock.advance(days=1)
    sit(user, application, passing=True)
    clock.advance(days=1)
    assert status_of(application, clock).status == retakes.PASSED


@pytest.mark.parametrize("situation", ["fresh", "waiting", "open_retake", "in_progress"])
def test_register_again_is_refused_while_the_registration_is_usable(candidate, clock, situation):
    user, application = candidate
    if situation == "waiting":
        sit(user, application)
    elif situation == "open_retake":
        sit(user, application)
        clock.advance(days=1)
    elif situation == "in_progress":
        services.start_attempt(user, application, consent=True)
    with pytest.raises(Conflict):
        services.register_again(user, application.sim_class)
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 1


@pytest.mark.parametrize("ended_by", ["exhausted", "expired"])
def test_register_again_opens_a_fresh_application(candidate, clock, ended_by):
    user, application = candidate
    sit(user, application)
    if ended_by == "exhausted":
        for _ in range(2):
            clock.advance(days=1)
            sit(user, application)
        clock.advance(days=1)
    else:
        clock.set(datetime(2026, 3, 23, 2, 0))
    assert status_of(application, clock).must_register_again

    fresh = services.register_again(user, application.sim_class)

    assert fresh.id != application.id
    assert status_of(application, clock).status == retakes.CLOSED
    assert status_of(fresh, clock).status == retakes.OPEN
    assert services.start_attempt(user, fresh, consent=True).is_open


def test_register_again_for_a_new_class_needs_no_previous_application(candidate, clock):
    user, _ = candidate
    application = services.register_again(user, "C")
    assert application.sim_class == "C" and status_of(application, clock).status == retakes.OPEN


def test_an_expired_unswept_attempt_does_not_block_the_retake(candidate, clock):
    """The applicant closed the browser; no sweep ran. The next day the old attempt
    must be settled (auto-submitted, failed) and a retake allowed."""
    user, application = candidate
    attempt = services.start_attempt(user, application, consent=True)
    clock.advance(days=1)
    retake = services.start_attempt(user, application, consent=True)
    db.session.refresh(attempt)
    assert attempt.state == "submitted" and attempt.auto_submitted and attempt.passed is False
    assert retake.is_open and retake.id != attempt.id
