"""The bundled question bank: counts per topic and class, both languages, one
correct option, an explanation and a rule for every question, images that exist
and are safe, and enough questions for every class's paper and its retakes."""
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from core.sim_classes import CLASS_CODES
from exam.assembly import assemble
from exam.blueprints import DEFAULT_TOPIC_COUNTS, current_blueprint, ensure_default_blueprints
from exam.services import candidates_for
from question_bank.loader import load_bank, read_bank, read_exclusion_groups
from question_bank.models import TOPICS

STATIC_IMG = Path(__file__).resolve().parents[2] / "static" / "img"
PAPERS_WITHOUT_REPEATS = 3  # the first exam and its two retakes


@pytest.fixture(scope="module")
def bank() -> list[dict]:
    return read_bank()


def test_bank_size_and_topics(bank):
    assert len(bank) >= 250
    by_topic = Counter(q["topic"] for q in bank)
    assert set(by_topic) == set(TOPICS)
    assert min(by_topic.values()) >= 25


def test_every_question_is_complete_and_bilingual(bank):
    for q in bank:
        assert q["text"]["id"].strip() and q["text"]["en"].strip(), q["code"]
        assert q["explanation"]["id"].strip() and q["explanation"]["en"].strip(), q["code"]
        assert q["reference"].strip(), q["code"]
        assert 3 <= len(q["options"]) <= 4, q["code"]
        assert sum(o["correct"] is True for o in q["options"]) == 1, q["code"]
        assert all(o["id"].strip() and o["en"].strip() for o in q["options"]), q["code"]
        assert len({o["id"] for o in q["options"]}) == len(q["options"]), q["code"]


def test_images_exist_and_cover_signs_and_scenes(bank):
    images = [q["image"] for q in bank if q["image"]]
    assert all((STATIC_IMG / image).is_file() for image in images)
    assert sum(1 for q in bank if q["image"] and q["image"].startswith("signs/")) >= 40
    hazard = [q for q in bank if q["topic"] == "hazard_perception"]
    assert len(hazard) >= 20 and all(q["image"] and q["image"].startswith("scenes/") for q in hazard)


HAZARD_FAMILIES = {  # the classes a family's own scenes are for
    "car": ("A", "A_UMUM", "B1", "B1_UMUM", "B2", "B2_UMUM", "D1"),
    "heavy": ("B1", "B1_UMUM", "B2", "B2_UMUM"),
    "motorcycle": ("C", "C1", "C2", "D"),
}
MIN_HAZARD_PER_CLASS = 30


@pytest.mark.parametrize("sim_class", CLASS_CODES)
def test_every_class_has_thirty_exam_hazard_perception_scenes(bank, sim_class):
    hazard = [q for q in bank if q["topic"] == "hazard_perception" and sim_class in q["classes"]
              and q.get("status") != "practice"]
    assert len(hazard) >= MIN_HAZARD_PER_CLASS, (sim_class, len(hazard))


@pytest.mark.parametrize("family", sorted(HAZARD_FAMILIES))
def test_each_class_family_has_hazard_scenes_of_its_own(bank, family):
    """Not only scenes every road user shares: car drivers, heavy-vehicle drivers and
    riders each get situations of their own vehicle."""
    own = [q["code"] for q in bank if q["topic"] == "hazard_perception"
           and set(q["classes"]) <= set(HAZARD_FAMILIES[family])]
    assert len(own) >= 4, (family, own)


def test_hazard_perception_scenes_are_animated_and_loop(bank):
    """A multi-moment case study like the real test's video: the scene has SMIL
    animation that repeats, so an applicant who looks up late still sees it develop."""
    scenes = {q["image"] for q in bank if q["topic"] == "hazard_perception"}
    static = [s for s in sorted(scenes)
              if not re.search(r"<(animate|animateTransform|animateMotion|set)\b", (STATIC_IMG / s).read_text("utf-8"))]
    assert static == []
    once = [s for s in sorted(scenes) if 'repeatCount="indefinite"' not in (STATIC_IMG / s).read_text("utf-8")]
    assert once == []


@pytest.mark.parametrize("folder", ["signs", "scenes"])
def test_drawings_are_plain_svg_without_scripts_or_external_references(folder):
    files = sorted((STATIC_IMG / folder).glob("*.svg"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        root = ET.fromstring(text)
        assert root.tag.endswith("svg") and root.get("viewBox"), path.name
        assert not re.search(r"<script|<image|<foreignObject|href=|on\w+=", text, re.IGNORECASE), path.name


@pytest.mark.parametrize("sim_class", CLASS_CODES)
def test_every_class_can_sit_three_papers_without_repeats(bank, sim_class):
    """Counting exam questions only: the practice pool is never drawn for an exam."""
    available = Counter(q["topic"] for q in bank if sim_class in q["classes"] and q.get("status") != "practice")
    for topic, count in DEFAULT_TOPIC_COUNTS.items():
        assert available[topic] >= count * PAPERS_WITHOUT_REPEATS, (sim_class, topic, available[topic])


@pytest.mark.parametrize("sim_class", CLASS_CODES)
def test_every_class_has_a_practice_pool_in_every_topic(bank, sim_class):
    practice = Counter(q["topic"] for q in bank if sim_class in q["classes"] and q.get("status") == "practice")
    assert set(practice) == set(DEFAULT_TOPIC_COUNTS), sim_class
    assert sum(min(n, practice[t]) for t, n in DEFAULT_TOPIC_COUNTS.items()) >= 25, sim_class


def test_class_tags_follow_vehicle_groups(bank):
    """Seat-belt questions are never motorcycle-only; helmet questions never car-only."""
    motorcycle_only, car_only = {"C", "C1", "C2", "D"}, {"A", "A_UMUM", "B1", "B1_UMUM", "B2", "B2_UMUM", "D1"}
    for q in bank:
        classes, text = set(q["classes"]), q["text"]["id"].lower()
        if "sabuk keselamatan" in text:
            assert not classes <= motorcycle_only, q["code"]
        if re.search(r"\bhelm\b", text):
            assert not classes <= car_only, q["code"]


def test_exclusion_groups_name_bundled_questions_and_load():
    groups = read_exclusion_groups()
    codes = {item["code"] for item in read_bank()}
    assert set(groups) <= codes
    assert groups["REG-050"] == groups["SAF-038"]  # the same question word for word
    assert len(set(groups.values())) >= 5


def test_papers_from_the_real_bank_never_hold_two_of_a_group(app_ctx):
    load_bank()
    ensure_default_blueprints()
    for sim_class in ("A", "C"):
        candidates = candidates_for(sim_class)
        by_id = {c.question_id: c.group for pool in candidates.values() for c in pool}
        assert any(by_id.values())  # the groups reached the exam's candidates
        counts = current_blueprint(sim_class).topic_counts
        for seed in range(150):
            paper = assemble(counts, candidates, set(), seed)
            drawn = [by_id[item.question_id] for item in paper if by_id[item.question_id]]
            assert len(drawn) == len(set(drawn)), (sim_class, seed, drawn)
