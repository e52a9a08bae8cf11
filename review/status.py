"""What a review means for a result: the certificate status shown on the applicant's
result page, the public verification page and the API.

- A passed attempt is "pending_review" until it is cleared (by an examiner or
  automatically), then "valid".
- Any attempt with an invalid decision is "invalidated".
- A failed attempt is "not_passed" (a review can still invalidate it).

Reads only; kept apart from `review.services` so `exam` can import it without cycles.
"""
from sqlalchemy import select

from core.extensions import db
from exam.models import Attempt
from review.models import INVALID, PENDING, REASONS, VALID, Review

PENDING_REVIEW = "pending_review"
CERTIFICATE_VALID = "valid"
INVALIDATED = "invalidated"
NOT_PASSED = "not_passed"
CERTIFICATE_STATUSES = (PENDING_REVIEW, CERTIFICATE_VALID, INVALIDATED, NOT_PASSED)


def review_of(attempt: Attempt) -> Review | None:
    return db.session.scalar(select(Review).where(Review.attempt_id == attempt.id))


def certificate_status(attempt: Attempt, review: Review | None) -> str:
    if review is not None and review.status == INVALID:
        return INVALIDATED
    if not attempt.passed:
        return NOT_PASSED
    if review is not None and review.status == VALID:
        return CERTIFICATE_VALID
    return PENDING_REVIEW


def review_summary(attempt: Attempt) -> dict:
    """The applicant-facing view of the review: outcome and reason category, never the
    examiner's notes or name."""
    review = review_of(attempt)
    decided = review is not None and review.is_decided
    return {
        "status": review.status if review is not None else PENDING,
        "auto_cleared": bool(review and review.auto_cleared),
        "reason": review.reason if decided else None,
        "reason_label": dict(REASONS[review.reason]) if decided and review.reason in REASONS else None,
        "decided_at": review.decided_at.isoformat() + "Z" if decided and review.decided_at else None,
        "certificate_status": certificate_status(attempt, review),
    }
