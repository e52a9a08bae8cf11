"""Hazard-perception scenes move: each bundled scene, rendered by Chromium at the start
of its loop and a few seconds in (the SVG's own animation clock, set, not waited
for), shows a different picture."""
from pathlib import Path

import pytest

from question_bank.loader import read_bank

pytestmark = pytest.mark.browser

STATIC_IMG = Path(__file__).resolve().parents[2] / "static" / "img"
SCENES = sorted({q["image"] for q in read_bank() if q["topic"] == "hazard_perception"})


def frame_at(page, seconds: float) -> bytes:
    page.evaluate("t => { const svg = document.documentElement; svg.pauseAnimations(); svg.setCurrentTime(t); }",
                  seconds)
    return page.screenshot()


def test_every_hazard_scene_develops_over_time(page):
    assert len(SCENES) >= 40
    still = []
    for scene in SCENES:
        page.goto((STATIC_IMG / scene).as_uri())
        start, later = frame_at(page, 0.05), frame_at(page, 3.5)
        if start == later:
            still.append(scene)
    assert still == []
