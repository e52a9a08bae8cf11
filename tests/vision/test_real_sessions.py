"""Scripted exam sessions of real people (`proctoring.vision.realstream`): the
faults these sessions exposed in the proctor, each pinned on the person who showed
it (all of the tuning split).

- feat-f1 (mouth open): PnP on the generic head flipped her yaw between -20 and +19
  on alternate still frames, nine false `looking_away` flags in one session.
- feat-f15 and feat-f1, two women of the same research photo set: swapped in the
  chair, the 32x32 face patch still correlated 0.84 with the last verified one, over
  the old bar of 0.80, so the swap went unchecked for a minute.
- A near-black frame (a covered lens) in which the brightened detector still finds
  the face: identity on the noise read as another person.
"""
import pytest

from proctoring.vision import Memory, analyze, decode_jpeg, make_reference
from proctoring.vision.realset import FACES
from proctoring.vision.realstream import real_session, reference_frame

PEOPLE = {face.person: face for face in FACES}


def run(models, mesh_of, person, visitor, impostor):
    face = PEOPLE[person]
    check = make_reference(reference_frame(face), models=models)
    assert check.ok, check.problems
    memory, results = Memory(), []
    for frame in real_session(face, PEOPLE[visitor], PEOPLE[impostor], mesh_of):
        analysis, memory = analyze(decode_jpeg(frame.jpeg), check.profile, memory, models=models)
        results.append((frame, analysis))
    return results


@pytest.fixture(scope="module")
def open_mouth(models, mesh_of):
    return run(models, mesh_of, "feat-f1", "feat-man", "feat-f15")


@pytest.fixture(scope="module")
def look_alike_swap(models, mesh_of):
    return run(models, mesh_of, "feat-f15", "feat-man", "feat-f1")


def test_a_still_open_mouthed_face_reads_a_steady_pose_and_no_looking_away(open_mouth):
    alone = [analysis for frame, analysis in open_mouth if frame.kind == "alone"]
    yaws = [analysis.pose.yaw for analysis in alone if analysis.pose is not None]
    assert len(yaws) >= len(alone) - 1
    assert max(yaws) - min(yaws) < 8
    assert not [analysis.flags for analysis in alone if "looking_away" in analysis.flags]


def test_her_turned_head_is_still_caught(open_mouth):
    turned = [analysis for frame, analysis in open_mouth if frame.kind == "turned"]
    assert turned and all("looking_away" in analysis.flags for analysis in turned)


def test_a_look_alike_taking_the_chair_is_re_verified_at_once(look_alike_swap):
    first_impostor = next(analysis for frame, analysis in look_alike_swap if frame.kind == "impostor")
    assert first_impostor.identity_fresh


def test_the_applicant_back_in_the_chair_is_verified_again(look_alike_swap):
    frames = [(frame.kind, analysis) for frame, analysis in look_alike_swap]
    back = next(analysis for (kind, analysis), (before, _) in zip(frames[1:], frames) if
                kind == "alone" and before == "impostor")
    assert back.identity_fresh and back.identity_distance < 0.3


def test_no_identity_verdict_on_a_near_black_frame(open_mouth, look_alike_swap):
    dark = [analysis for frame, analysis in open_mouth + look_alike_swap if frame.kind in ("covered", "dark")]
    assert dark and not [analysis.flags for analysis in dark if "different_person" in analysis.flags]
