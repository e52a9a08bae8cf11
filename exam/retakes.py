"""Who may sit the exam now: Perpol No. 5 Tahun 2021 Pasal 15(2).

After a failed theory exam the applicant may retake it at most `RETAKE_MAX`
times within `RETAKE_WINDOW_WORKING_DAYS` working days counted from the day
after the failure. Past that, or once the retakes are used up, the applicant
must register again (a new application).
"""
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

from core.clock import local_date
from exam.calendar import add_working_days, parse_holidays
from exam.models import Application

OPEN = "open"
IN_PROGRESS = "in_progress"
PASSED = "passed"
WAIT = "wait"
EXHAUSTED = "exhausted"
EXPIRED = "expired"
CLOSED = "closed"


@dataclass(frozen=True)
class Eligibility:
    status: str
    retakes_used: int
    retakes_allowed: int
    window_opens: date | None = None
    window_closes: date | None = None

    @property
    def may_start(self) -> bool:
        return self.status == OPEN

    @property
    def must_register_again(self) -> bool:
        return self.status in (EXHAUSTED, EXPIRED, CLOSED)


def retake_rules() -> tuple[int, int, frozenset[date]]:
    config = current_app.config
    return config["RETAKE_MAX"], config["RETAKE_WINDOW_WORKING_DAYS"], parse_holidays(config["PUBLIC_HOLIDAYS"])


def eligibility(application: Application, today: date) -> Eligibility:
    """Decide whether the applicant may start an attempt on `today` under this application."""
    retake_max, window_days, holidays = retake_rules()
    attempts = application.attempts
    if any(a.is_open for a in attempts):
        return Eligibility(IN_PROGRESS, 0, retake_max)
    if any(a.counts_as_pass for a in attempts):
        return Eligibility(PASSED, 0, retake_max)
    failed = [a for a in attempts if a.counts_as_fail]
    if application.closed:
        return Eligibility(CLOSED, max(len(failed) - 1, 0), retake_max)
    if not failed:
        return Eligibility(OPEN, 0, retake_max)
    first_fail = min(local_date(a.submitted_at) for a in failed)
    opens = first_fail + timedelta(days=1)
    closes = add_working_days(first_fail, window_days, holidays)
    used = len(failed) - 1
    if used >= retake_max:
        return Eligibility(EXHAUSTED, used, retake_max, opens, closes)
    if today > closes:
        return Eligibility(EXPIRED, used, retake_max, opens, closes)
    if today < opens:
        return Eligibility(WAIT, used, retake_max, opens, closes)
    return Eligibility(OPEN, used, retake_max, opens, closes)
