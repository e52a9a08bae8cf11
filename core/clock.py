"""The server's clock. Every time decision in the exam goes through `now_utc`,
so tests can freeze or move time by patching this one function."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# Dates that rules count in (the retake window, ages, "the next day") are the
# exam authority's local dates, not UTC ones.
LOCAL_ZONE = ZoneInfo("Asia/Jakarta")


def now_utc() -> datetime:
    """Current UTC time as a naive datetime (the form stored in the database)."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_date(moment: datetime) -> date:
    """The local (WIB) calendar date of a naive UTC datetime."""
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_ZONE).date()


def local_today() -> date:
    return local_date(now_utc())
