"""Chart geometry (pure) and the reports dashboard: exams per day, pass rate per
class, flag rate per type, the review backlog and the median time to a decision."""
import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from review_helpers import CLEAN, NO_FACE, TWO_FACES, post_decision

from proctoring.rules import FLAG_KINDS
from review.charts import (
    MIN_INTERVAL_WIDTH,
    TimelineItem,
    bar_chart,
    elapsed_label,
    hbar_chart,
    nice_max,
    tick_step,
    timeline,
)

# --------------------------------------------------------------------------- charts


@pytest.mark.parametrize("value, expected", [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (24, 25), (250, 250),
                                             (0.3, 0.5)])
def test_nice_max(value, expected):
    assert nice_max(value) == pytest.approx(expected)


def test_bars_are_proportional_and_sit_on_the_axis():
    chart = bar_chart([("a", 5), ("b", 10), ("c", 0)], width=300, height=200)
    a, b, c = chart.bars
    assert b.height == pytest.approx(chart.plot_height) and a.height == pytest.approx(chart.plot_height / 2)
    assert c.height == 0
    bottom = chart.plot_top + chart.plot_height
    assert all(bar.y + bar.height == pytest.approx(bottom) for bar in chart.bars)
    assert a.x < b.x < c.x and all(bar.width > 0 for bar in chart.bars)
    assert [t.label for t in chart.ticks] == ["0", "2.5", "5", "7.5", "10"]


def test_horizontal_bars_respect_a_fixed_maximum():
    chart = hbar_chart([("SIM A", 50.0), ("SIM C", 150.0)], fmt="{:.0f}%", max_value=100)
    half, over = chart.bars
    assert half.width == pytest.approx(chart.plot_width / 2) and over.width == pytest.approx(chart.plot_width)
    assert half.text == "50%" and chart.ticks[-1].label == "100%"


def test_an_empty_chart_has_no_bars():
    assert bar_chart([]).bars == () and hbar_chart([]).bars == ()


@pytest.mark.parametrize("seconds, step", [(60, 15), (600, 120), (1800, 300), (3 * 3600, 1800), (6 * 3600, 3600), (30 * 3600, 7200)])
def test_tick_steps_keep_the_axis_readable(seconds, step):
    assert tick_step(seconds) == step


def test_elapsed_labels():
    assert [elapsed_label(s) for s in (0, 59.6, 61, 1805)] == ["0:00", "1:00", "1:01", "30:05"]


def test_timeline_positions_clamps_and_keeps_intervals_clickable():
    start = datetime(2026, 3, 2, 2, 0)
    items = [
        TimelineItem(start + timedelta(minutes=15), None, "point", "middle"),
        TimelineItem(start + timedelta(minutes=10), start + timedelta(minutes=10, milliseconds=1), "tiny", "tiny",
                     "#flag-1"),
        TimelineItem(start - timedelta(minutes=5), start + timedelta(minutes=45), "wide", "clamped"),
    ]
    tl = timeline(start, start + timedelta(minutes=30), [("lane", "Lane", items), ("empty", "Empty", [])],
                  width=1000, label_width=100)
    middle, tiny, wide = tl.marks
    assert middle.point and middle.x == pytest.approx(tl.plot_left + tl.plot_width / 2)
    assert tiny.width == MIN_INTERVAL_WIDTH and tiny.href == "#flag-1"
    assert wide.x == pytest.approx(tl.plot_left) and wide.width == pytest.approx(tl.plot_width)
    assert [lane.key for lane in tl.lanes] == ["lane", "empty"] and tl.lanes[1].y > tl.lanes[0].y
    assert [t.label for t in tl.ticks] == ["0:00", "5:00", "10:00", "15:00", "20:00", "25:00", "30:00"]


# --------------------------------------------------------------------------- the dashboard


@pytest.fixture
def exams(sit, clock):
    """Day 1: two class-A exams (one passed with two faces, one failed and clean);
    day 2: one class-C exam that passed with no face in view."""
    first = sit([TWO_FACES, TWO_FACES, CLEAN], full_name="Ani Satu")
    second = sit([CLEAN, CLEAN], correct=4, full_name="Budi Dua")
    clock.advance(days=1)
    third = sit([NO_FACE, NO_FACE, CLEAN], sim_class="C", full_name="Citra Tiga")
    return first, second, third


def test_the_numbers(app, exams, examiner, web, clock):
    first = exams[0]
    clock.advance(hours=3)
    assert post_decision(web(examiner), first.public_id, outcome="invalid", reason="another_person").status_code == 303
    from review.reports import build_report

    with app.app_context():
        today = clock.today()
        report = build_report(today - timedelta(days=2), today)
    assert [count for _, count in report.per_day] == [0, 2, 1]
    assert [(r.sim_class, r.attempts, r.passed) for r in report.pass_rates] == [("A", 2, 1), ("C", 1, 1)]
    rates = {r.kind: (r.attempts, r.supervised) for r in report.flag_rates}
    assert rates["multiple_faces"] == (1, 3) and rates["no_face"] == (1, 3) and rates["tab_hidden"] == (0, 3)
    assert report.backlog == 1  # the no-face exam waits; the clean one was auto-cleared
    assert (report.decided, report.auto_cleared, report.invalidated) == (2, 1, 1)
    # first exam: submitted on day 1, decided a day and three hours later; the auto-clear does not count
    assert report.median_hours_to_decision == pytest.approx(27, abs=0.2)


def test_the_dashboard_draws_svg_charts_and_exports_csv(app, exams, examiner, admin, web, clock):
    client = web(examiner)
    today = clock.today().isoformat()
    html = client.get("/review/reports", query_string={"date_to": today}).get_data(as_text=True)
    for chart in ("chart-per-day", "chart-pass-rates", "chart-flag-rates"):
        assert re.search(rf'<svg class="chart bar-chart" id="{chart}"', html), chart
    assert html.count('class="bar"') == 30 + 2 + len(FLAG_KINDS)  # 30 days, 2 classes, every flag type
    assert 'id="stat-backlog">2<' in html  # two-faces and no-face exams wait

    response = web(admin).get("/review/reports.csv", query_string={"date_from": today, "date_to": today})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == ["section", "key", "count", "total", "rate"]
    rows = {(row[0], row[1]): row[2:] for row in table[1:]}
    assert rows[("attempts_per_day", today)][0] == "1"
    assert rows[("pass_rate", "C")] == ["1", "1", "1.0000"]
    assert rows[("review", "backlog")][0] == "2"


def test_a_reversed_or_bad_range_still_answers(exams, examiner, web):
    client = web(examiner)
    assert client.get("/review/reports", query_string={"date_from": "2026-03-05", "date_to": "2026-03-01"}).status_code == 200
    assert client.get("/review/reports", query_string={"date_from": "not-a-date"}).status_code == 200
