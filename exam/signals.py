"""Exam events that other features subscribe to, so that exam never imports them."""
from blinker import Namespace

_signals = Namespace()

# Sent with the Attempt as sender when it is submitted (by the applicant, the last
# per-question answer, or its deadline), inside the transaction that records the
# result: receivers' writes commit or roll back with it.
attempt_submitted = _signals.signal("attempt-submitted")

# Sent with the Attempt as sender once its submission is committed: for work that must
# see the result and may take its own transactions (re-deriving the proctor's flags).
attempt_closed = _signals.signal("attempt-closed")
