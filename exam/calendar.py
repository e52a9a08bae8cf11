"""Working-day arithmetic for the retake window (Perpol No. 5 Tahun 2021 Pasal 15)."""
from collections.abc import Iterable
from datetime import date, timedelta


def parse_holidays(text: str) -> frozenset[date]:
    """Parse a comma-separated list of ISO dates (the PUBLIC_HOLIDAYS setting)."""
    return frozenset(date.fromisoformat(part.strip()) for part in text.split(",") if part.strip())


def is_working_day(day: date, holidays: Iterable[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, count: int, holidays: Iterable[date] = ()) -> date:
    """The `count`-th working day after `start`, counting from the day after it."""
    holidays = frozenset(holidays)
    day, remaining = start, count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            remaining -= 1
    return day
