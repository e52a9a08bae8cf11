"""Exam events that other features subscribe to, so that exam never imports them."""
from blinker import Namespace

_signals = Namespace()

# Sent with the Attempt as sender when it is submitted (by the applicant, the last
# per-question answer, or its deadline), inside the transaction that records the
# result: receivers' writes commit or roll back with it.
attempt_submitted = _signals.signal("attempt-submitted")
