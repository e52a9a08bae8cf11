"""The server's clock. Every time decision in the exam goes through `now_utc`,
so tests can freeze or move time by patching this one function."""
from datetime import datetime, timezone


def now_utc() -> datetime:
    """Current UTC time as a naive datetime (the form stored in the database)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
