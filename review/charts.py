"""Chart geometry for server-rendered SVG: pure functions from data to shapes.

Templates (`templates/review/_charts.html`) draw the shapes; nothing here knows
about HTML, requests or the database, so the arithmetic is tested on its own.
Coordinates are in the SVG's viewBox units.
"""
import math
from dataclasses import dataclass
from datetime import datetime

# --------------------------------------------------------------------------- bar charts


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    plot_left: float
    plot_top: float
    plot_width: float
    plot_height: float
    horizontal: bool


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 x 10^n at or above `value` (1 for 0)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return step * power
    return 10 * power  # pragma: no cover  (the loop always returns)


def _format(value: float, fmt: str) -> str:
    return fmt.format(value)


def bar_chart(items: list[tuple[str, float]], *, width: int = 640, height: int = 220, fmt: str = "{:g}",
              max_value: float | None = None, tick_count: int = 4) -> BarChart:
    """Vertical bars, one per (label, value), on a 0..max axis with `tick_count` steps."""
    left, top, bottom, right = 40.0, 10.0, 40.0, 10.0
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max_value if max_value is not None else nice_max(max((v for _, v in items), default=0))
    slot = plot_w / max(len(items), 1)
    gap = min(slot * 0.2, 8.0)
    bars = []
    for index, (label, value) in enumerate(items):
        bar_h = plot_h * min(max(value, 0) / top_value, 1.0)
        bars.append(Bar(label, value, _format(value, fmt), left + index * slot + gap / 2, top + plot_h - bar_h,
                        slot - gap, bar_h))
    ticks = tuple(Tick(top + plot_h - plot_h * i / tick_count, _format(top_value * i / tick_count, fmt))
                  for i in range(tick_count + 1))
    return BarChart(width, height, tuple(bars), ticks, left, top, plot_w, plot_h, horizontal=False)


def hbar_chart(items: list[tuple[str, float]], *, width: int = 640, row_height: int = 26, label_width: int = 150,
               fmt: str = "{:g}", max_value: float | None = None, tick_count: int = 4) -> BarChart:
    """Horizontal bars (for categories with long names), one row per (label, value)."""
    left, top, right, bottom = float(label_width), 6.0, 60.0, 24.0
    plot_w = width - left - right
    plot_h = row_height * max(len(items), 1)
    top_value = max_value if max_value is not None else nice_max(max((v for _, v in items), default=0))
    bars = []
    for index, (label, value) in enumerate(items):
        bar_w = plot_w * min(max(value, 0) / top_value, 1.0)
        bars.append(Bar(label, value, _format(value, fmt), left, top + index * row_height + 3, bar_w, row_height - 6))
    ticks = tuple(Tick(left + plot_w * i / tick_count, _format(top_value * i / tick_count, fmt))
                  for i in range(tick_count + 1))
    return BarChart(width, int(top + plot_h + bottom), tuple(bars), ticks, left, top, plot_w, plot_h,
                    horizontal=True)


# --------------------------------------------------------------------------- the session timeline


@dataclass(frozen=True)
class TimelineItem:
    """Something that happened: a point (`end` None) or an interval."""

    start: datetime
    end: datetime | None
    css: str
    title: str
    href: str | None = None


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    width: float
    height: float
    point: bool
    css: str
    title: str
    href: str | None


@dataclass(frozen=True)
class Lane:
    key: str
    label: str
    y: float
    height: float


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    plot_left: float
    plot_width: float
    lanes: tuple[Lane, ...]
    marks: tuple[Mark, ...]
    ticks: tuple[Tick, ...]


TICK_STEPS = (15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)  # seconds
MIN_INTERVAL_WIDTH = 3.0


def tick_step(seconds: float, max_ticks: int = 8) -> int:
    """The smallest step from TICK_STEPS that puts at most `max_ticks` ticks on the axis."""
    return next((step for step in TICK_STEPS if seconds / step <= max_ticks), TICK_STEPS[-1])


def elapsed_label(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def timeline(start: datetime, end: datetime, lanes: list[tuple[str, str, list[TimelineItem]]], *,
             width: int = 960, lane_height: int = 26, label_width: int = 170) -> Timeline:
    """Lay out lanes of items on one time axis from `start` to `end`. Items outside the
    span are clamped to it; intervals get at least MIN_INTERVAL_WIDTH so they stay
    clickable. Tick labels are minutes:seconds since `start`."""
    span = max((end - start).total_seconds(), 1.0)
    left, right, top, axis = float(label_width), 12.0, 4.0, 22.0
    plot_w = width - left - right

    def x_of(moment: datetime) -> float:
        offset = min(max((moment - start).total_seconds(), 0.0), span)
        return left + plot_w * offset / span

    placed_lanes, marks = [], []
    for index, (key, label, items) in enumerate(lanes):
        y = top + index * lane_height
        placed_lanes.append(Lane(key, label, y, lane_height))
        for item in items:
            x = x_of(item.start)
            if item.end is None:
                marks.append(Mark(x, y + 4, 0.0, lane_height - 8, True, item.css, item.title, item.href))
            else:
                w = max(x_of(item.end) - x, MIN_INTERVAL_WIDTH)
                x = min(x, left + plot_w - w)
                marks.append(Mark(x, y + 5, w, lane_height - 10, False, item.css, item.title, item.href))
    step = tick_step(span)
    ticks = tuple(Tick(left + plot_w * s / span, elapsed_label(s)) for s in range(0, int(span) + 1, step))
    height = int(top + len(lanes) * lane_height + axis)
    return Timeline(width, height, left, plot_w, tuple(placed_lanes), tuple(marks), ticks)
