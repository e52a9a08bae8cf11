"""The reference check on real photographs of people from installed packages
(`proctoring.vision.realset`: 60 faces of 51 people, PyPI and npm), each face at
five places in a 640x480 frame.

Its facing-the-camera test (the face mesh's depth: yaw, and pitch with a separate
instruction, 'raise/lower your chin') was set on the tuning split; the npm faces
were added with their splits fixed before any result. Measured
(bench/realset_report.py), asserted as floors:
- tuning: facing accepted 129/130 (the generic head's absolute angles: 106/130);
  turned refused 20/20;
- held-back: facing accepted 80/85, 94% (generic head 76/85); turned refused
  20/25 — a man looking down (psychopy's face03) passes.
The 95% the issue asks for is missed on held-back by one photo: face-api's fa5-middle,
a medium-skinned woman with her chin raised (pitch -11..-12 against the -9 set on
tuning, which has no face looking up), is told to lower her chin at all five places
— kept visible here by a strict xfail. Group photos are cropped so that no other
annotated face is in the picture (`realset.portrait_bounds`). The set has no
headscarf and no deep dark skin (see the module's docstring).
"""
import pytest

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
    portrait_bounds,
    rate,
    reference_results,
    source_image,
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
def results(real_vision):
    return reference_results(real_vision.make_reference)


def split(results, name):
    return [r for r in results if r.face.split == name]


def test_faces_looking_into_the_camera_are_accepted_on_the_tuning_split(results):
    """Measured 129/130: one place of sv-middle sees a second face."""
    accepted, total = rate(split(results, TUNING), True)
    assert total == 130 and accepted >= 129


def test_turned_and_downcast_faces_are_refused_with_the_instruction_on_the_tuning_split(results):
    refused = [r for r in split(results, TUNING) if r.face.facing is False]
    assert len(refused) == 4 and all(not any(r.accepted) for r in refused)
    assert all(problem in ("not_facing_camera", "head_down", "head_up", "face_unclear")
               for r in refused for problem in r.problems)
    assert {problem for r in refused for problem in r.problems} >= {"not_facing_camera", "head_down"}


def test_held_back_faces_looking_into_the_camera_are_accepted_as_measured(results):
    """Measured 80/85 (94%), more than the generic head's 76/85."""
    accepted, total = rate(split(results, HELD_BACK), True)
    assert total == 85 and accepted >= 80


@pytest.mark.xfail(strict=True, reason="94% measured: fa5-middle's raised chin is refused at every place")
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
def fairness_rows(real_vision):
    """The held-back split's table, the one the issue judges (bench/fairness_report.py
    prints both splits)."""
    return fairness(real_vision.make_reference, real_vision.analyze,
                    faces=[face for face in FACES if face.split == HELD_BACK])


def test_the_fairness_table_covers_every_group_and_light(fairness_rows):
    assert {row.condition for row in fairness_rows} == set(CONDITIONS)
    assert {row.skin for row in fairness_rows} == set(SKINS)
    assert {row.split for row in fairness_rows} == {HELD_BACK}


def test_held_back_groups_get_one_face_found_and_at_most_one_false_flag(fairness_rows):
    """Measured (bench/fairness_report.py): on held-back every group and light has exactly
    one face found in all frames but one, and at most one falsely flagged frame. Not
    met on tuning, where refused references (tilted medium-skinned faces, fa6-c with a
    neighbour in view) leave no reference to judge against: medium 33-40% and
    medium-dark 100% of frames falsely flagged."""
    for row in (r for r in fairness_rows if r.split == HELD_BACK):
        assert row.one_face >= row.frames - 1 and row.false_flagged <= 1, row


def test_no_other_face_of_a_group_photo_is_in_a_persons_crop():
    for face in (f for f in FACES if f.package != "devset"):
        image, box = source_image(face)
        x0, y0, x1, y1 = portrait_bounds(face, box, image.shape)
        bx, by, bw, bh = box
        assert x0 <= max(0, bx) and min(image.shape[1], bx + bw) <= x1 and y0 <= max(0, by), face.person
        for other in FACES:
            if (other.package, other.path) == (face.package, face.path) and other.person != face.person:
                nx, ny, nw, nh = other.box
                assert nx >= x1 or nx + nw <= x0 or ny >= y1 or ny + nh <= y0, (face.person, other.person)
