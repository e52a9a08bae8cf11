"""The start gate: with PROCTORING_REQUIRED, an exam starts only with a recent,
passing, unused camera check for the same registration (its liveness step passed
too, with PROCTOR_LIVENESS_REQUIRED), which becomes the attempt's reference. Called by `exam.services.start_attempt`."""
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from core.clock import now_utc
from core.errors import Conflict
from core.extensions import db
from proctoring.liveness import PASSED, PENDING
from proctoring.models import ProctorSession, SystemCheck


class SystemCheckRequired(Conflict):
    """No passing camera check to start the exam with."""


def require_system_check(user, application) -> SystemCheck | None:
    """The check this start will use, or None when proctoring is switched off.
    Raises SystemCheckRequired (409) when there is no recent passing check."""
    if not current_app.config["PROCTORING_REQUIRED"]:
        return None
    since = now_utc() - timedelta(minutes=current_app.config["PROCTOR_CHECK_VALID_MINUTES"])
    latest = db.session.scalar(
        select(SystemCheck)
        .where(SystemCheck.user_id == user.id, SystemCheck.application_id == application.id,
               SystemCheck.attempt_id.is_(None), SystemCheck.created_at >= since)
        .order_by(SystemCheck.id.desc()).limit(1)
    )
    if latest is None:
        raise SystemCheckRequired(_("Complete the camera check on this page before starting the exam."))
    if not latest.passed:
        raise SystemCheckRequired(_("Your last camera check did not pass. Follow its advice and take it again."))
    if current_app.config["PROCTOR_LIVENESS_REQUIRED"] and latest.liveness_status != PASSED:
        if latest.liveness_status == PENDING:
            raise SystemCheckRequired(_("Finish the head movements of the camera check before starting."))
        raise SystemCheckRequired(_("The head movements of your last camera check did not pass. "
                                    "Take the reference photo again and follow the instructions."))
    return latest


def begin_proctoring(attempt, check: SystemCheck) -> ProctorSession:
    """Attach the check to the new attempt and open its proctoring session (no commit)."""
    db.session.flush()  # the attempt needs its id
    check.claim(attempt)
    session = ProctorSession(attempt_id=attempt.id, check_id=check.id, risk_score=0, flag_count=0)
    db.session.add(session)
    return session
