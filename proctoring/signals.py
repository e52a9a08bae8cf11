"""Proctoring events that other features subscribe to, so that proctoring never imports them."""
from blinker import Namespace

_signals = Namespace()

# Sent with the Attempt as sender, once committed, when a newer reference photo of
# another account turns out to show the same face as this attempt's reference: a
# result the system cleared on its own must go back to the examiners.
face_reuse_found = _signals.signal("face-reuse-found")
