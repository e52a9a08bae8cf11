"""Open the review of an attempt in the transaction that submits it.

An attempt is submitted from many places (the submit button, the API, the last
answer of a per-question exam, an expired deadline noticed by any request or by the
sweep), all ending in `Attempt.record_result`. Rather than calling the review from
each, these session events notice an attempt whose `state` became "submitted" and,
just before that transaction commits, run `review.services.on_submitted` (which
auto-clears it when it qualifies). The review is therefore never missing for a
submission that committed, and never present for one that rolled back.
"""
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from exam.models import SUBMITTED, Attempt

PENDING_KEY = "review.submitted_attempts"


def _just_submitted(objects) -> set[Attempt]:
    return {obj for obj in objects
            if isinstance(obj, Attempt) and obj.state == SUBMITTED and inspect(obj).attrs.state.history.added}


@event.listens_for(Session, "before_flush")
def _note_submissions(session: Session, _flush_context, _instances) -> None:
    found = _just_submitted(session.dirty)
    if found:
        session.info.setdefault(PENDING_KEY, set()).update(found)


@event.listens_for(Session, "before_commit")
def _open_reviews(session: Session) -> None:
    attempts = session.info.pop(PENDING_KEY, set()) | _just_submitted(session.dirty)
    if not attempts:
        return
    from review.services import on_submitted

    for attempt in sorted(attempts, key=lambda a: a.id):
        on_submitted(attempt)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, *_args) -> None:
    session.info.pop(PENDING_KEY, None)
