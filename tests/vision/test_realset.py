"""The reference check on real photographs of people from installed packages
(`proctoring.vision.realset`), each face at five places in a 640x480 frame.

Its facing-the-camera test (the face mesh's depth) was set on the tuning split;
the held-back split is reported as measured (bench/realset_report.py): facing
faces accepted 35/35 on tuning and 19/20 held back (the old rule, the generic
head's absolute angles: 32/35 and 16/20); turned faces refused 10/10 on tuning and
10/15 held back — a man looking down (psychopy's face03) passes. The set has no
headscarf and no dark skin (see the module's docstring).
"""
import pytest

from proctoring.vision import analyze, make_reference
from proctoring.vision.realset import CONDITIONS, HELD_BACK, TUNING, fairness, rate, reference_results


@pytest.fixture(scope="module")
def results(models):
    return reference_results(lambda frame: make_reference(frame, models=models))


def split(results, name):
    return [r for r in results if r.face.split == name]


def test_every_face_looking_into_the_camera_is_accepted_on_the_tuning_split(results):
    assert rate(split(results, TUNING), True) == (35, 35)


def test_turned_and_downcast_faces_are_refused_with_the_instruction_on_the_tuning_split(results):
    refused = [r for r in split(results, TUNING) if r.face.facing is False]
    assert refused and all(not any(r.accepted) for r in refused)
    assert all(problem == "not_facing_camera" for r in refused for problem in r.problems)


def test_held_back_faces_looking_into_the_camera_are_accepted_95_percent(results):
    accepted, total = rate(split(results, HELD_BACK), True)
    assert total == 20 and accepted / total >= 0.95


def test_held_back_heads_turned_far_are_refused(results):
    for person in ("luispedro", "cranston"):
        (result,) = [r for r in results if r.face.person == person]
        assert not any(result.accepted), person


@pytest.fixture(scope="module")
def fairness_rows(models):
    return fairness(lambda frame: make_reference(frame, models=models),
                    lambda frame, reference: analyze(frame, reference, models=models))


def test_exactly_one_face_is_found_for_every_group_in_every_light(fairness_rows):
    """Measured: every frame of every group and light condition (bench/fairness_report.py)."""
    assert {row.condition for row in fairness_rows} == set(CONDITIONS)
    assert all(row.one_face == row.frames for row in fairness_rows), fairness_rows


def test_false_flags_stay_rare_for_every_group(fairness_rows):
    """Measured: at most one frame in ten (a light-medium face in dim light and in normal
    light on the tuning split, a light face backlit on the held-back split)."""
    assert all(row.false_flagged * 10 <= row.frames for row in fairness_rows), fairness_rows


def test_reference_photos_in_normal_light_are_accepted_for_every_group(fairness_rows):
    """Measured: 100% but the held-back medium-dark group's 9/10. Dim rooms are refused
    with the instruction to add light (too_dark), which is what the check is for."""
    normal = [row for row in fairness_rows if row.condition == "normal"]
    assert all(row.reference_accepted * 10 >= row.frames * 9 for row in normal), normal
