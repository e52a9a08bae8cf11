"""The liveness step of the camera check (fake analyzer): random head movements one
at a time after the reference photo; the exam starts only once they were made.
A stock photo (it cannot move), a tilted picture (no depth), another person or a
second face, the wrong movement and a slow one all fail the step."""
from collections import Counter

import pytest
from proctor_helpers import FRONT, SECOND, jpeg, post_check

from exam.models import Attempt
from helpers import api_login, follow_liveness, moving, pass_check, post_liveness
from proctoring import liveness
from proctoring.analysis import CENTRE, LEFT, RIGHT, UP, LivenessFrame
from proctoring.models import SystemCheck


def photo(api, application_id) -> dict:
    response = post_check(api, application_id, jpeg())
    assert response.status_code == 201
    return response.get_json()


def send(api, check: dict, instruction: str, **scenario) -> dict:
    response = post_liveness(api, check["check"], moving(instruction, **scenario))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def opposite(instruction: str) -> str:
    return {"turn_left": "turn_right", "turn_right": "turn_left", "look_up": "turn_left"}[instruction]


# --------------------------------------------------------------------------- through the API


def test_a_passing_photo_asks_for_movements_and_the_gate_waits_for_them(proctored, bank, applicant, applicant_api,
                                                                        rows):
    check = photo(applicant_api, applicant.application_id)
    assert check["passed"] is True
    step = check["liveness"]
    assert step["status"] == "pending" and step["instruction"] == "face_camera" and step["steps"] == 2
    assert step["message"]
    refused = applicant_api.start(applicant.application_id)
    assert refused.status_code == 409 and "gerakan kepala" in refused.get_json()["error"]
    assert follow_liveness(applicant_api, check)["status"] == "passed"
    assert applicant_api.start(applicant.application_id).status_code == 201
    (stored,) = rows(SystemCheck)
    assert stored.liveness_status == "passed" and stored.liveness_frames == 5  # centre, move, centre, move, centre


def test_each_movement_is_asked_for_after_facing_the_camera(proctored, applicant, applicant_api):
    check = photo(applicant_api, applicant.application_id)
    first = send(applicant_api, check, "face_camera")
    assert first["instruction"] in ("turn_left", "turn_right", "look_up") and first["done"] == 0
    moved = send(applicant_api, check, first["instruction"])
    assert moved["instruction"] == "face_camera" and moved["done"] == 1
    still_turned = send(applicant_api, check, first["instruction"])  # holding the turn is not a second movement
    assert still_turned["done"] == 1 and still_turned["status"] == "pending"
    back = send(applicant_api, check, "face_camera")
    assert back["instruction"] not in ("face_camera", first["instruction"])


@pytest.mark.parametrize(("scenario", "reason"), [
    ({"depth": 0.01}, "flat_picture"),  # a photo tilted before the camera
    ({"identity_distance": 0.9}, "different_person"),
])
def test_a_movement_without_depth_or_by_someone_else_fails(proctored, bank, applicant, applicant_api, scenario,
                                                           reason):
    check = photo(applicant_api, applicant.application_id)
    asked = send(applicant_api, check, "face_camera")["instruction"]
    verdict = send(applicant_api, check, asked, **scenario)
    assert verdict["status"] == "failed" and [r["code"] for r in verdict["reasons"]] == [reason]
    assert verdict["reasons"][0]["message"]
    assert applicant_api.start(applicant.application_id).status_code == 409


def test_the_wrong_movement_fails(proctored, applicant, applicant_api):
    check = photo(applicant_api, applicant.application_id)
    asked = send(applicant_api, check, "face_camera")["instruction"]
    verdict = send(applicant_api, check, opposite(asked))
    assert verdict["status"] == "failed" and verdict["reasons"][0]["code"] == "wrong_movement"


def test_a_second_face_fails_the_step(proctored, applicant, applicant_api):
    check = photo(applicant_api, applicant.application_id)
    response = post_liveness(applicant_api, check["check"], jpeg(faces=[FRONT, SECOND]))
    assert response.get_json()["status"] == "failed" and response.get_json()["reasons"][0]["code"] == "multiple_faces"


def test_a_still_photo_never_passes(proctored, applicant, applicant_api):
    """What the stock-photo applicant sends: the same frontal picture over and over."""
    check = photo(applicant_api, applicant.application_id)
    answers = [post_liveness(applicant_api, check["check"], jpeg()).get_json() for _ in range(15)]
    assert all(a["status"] == "pending" and a["done"] == 0 for a in answers)
    assert applicant_api.start(applicant.application_id).status_code == 409


def test_the_movements_must_be_made_within_the_time_limit(proctored, applicant, applicant_api, clock):
    check = photo(applicant_api, applicant.application_id)
    send(applicant_api, check, "face_camera")
    clock.advance(seconds=61)
    verdict = send(applicant_api, check, "face_camera")
    assert verdict["status"] == "failed" and verdict["reasons"][0]["code"] == "timed_out"


def test_a_decided_step_takes_no_more_frames_and_a_new_photo_starts_over(proctored, bank, applicant, applicant_api):
    check = photo(applicant_api, applicant.application_id)
    asked = send(applicant_api, check, "face_camera")["instruction"]
    send(applicant_api, check, opposite(asked))
    again = post_liveness(applicant_api, check["check"], moving("face_camera"))
    assert again.status_code == 409 and again.get_json()["error"]
    pass_check(applicant_api, applicant.application_id)
    assert applicant_api.start(applicant.application_id).status_code == 201


def test_frame_limits_and_owners(app, proctored, applicant, applicant_api, adversary, rows):
    check = photo(applicant_api, applicant.application_id)
    intruder = api_login(app.test_client(), adversary)
    assert post_liveness(intruder, check["check"], moving("face_camera")).status_code == 404
    assert post_liveness(applicant_api, 10**6, moving("face_camera")).status_code == 404
    assert post_liveness(applicant_api, check["check"], b"not a jpeg").status_code == 415
    assert rows(SystemCheck)[0].liveness_frames == 0


def test_a_failed_photo_has_no_movement_step(proctored, applicant, applicant_api):
    response = post_check(applicant_api, applicant.application_id, jpeg(faces=[]))
    body = response.get_json()
    assert body["passed"] is False and "liveness" not in body
    assert post_liveness(applicant_api, body["check"], moving("face_camera")).status_code == 409


def test_without_the_liveness_setting_the_photo_is_enough(app, proctored, bank, applicant, applicant_api, rows):
    app.config["PROCTOR_LIVENESS_REQUIRED"] = False
    body = photo(applicant_api, applicant.application_id)
    assert "liveness" not in body
    assert applicant_api.start(applicant.application_id).status_code == 201
    assert rows(Attempt)[0].state == "in_progress"


# --------------------------------------------------------------------------- the judgement alone


def frame(direction, *, same=True, planar=False, faces=1) -> LivenessFrame:
    return LivenessFrame(faces, direction, same, planar, (0.0,))


def test_challenges_are_random_and_never_repeat_a_movement_in_a_row():
    challenges = [liveness.new_challenge(3).steps for _ in range(300)]
    assert len(set(challenges)) == 12  # 3 x 2 x 2 sequences
    assert all(a != b for steps in challenges for a, b in zip(steps, steps[1:]))
    firsts = Counter(steps[0] for steps in challenges)
    assert min(firsts.values()) > 60  # each of the three movements comes first about a third of the time


def test_the_judgement_follows_the_instructions():
    progress = liveness.Progress((LEFT, UP))
    for seen in (frame(None, same=None), frame(LEFT), frame(CENTRE)):  # nothing, a turn before facing, facing
        progress = liveness.advance(progress, seen)
    assert progress.done == 0 and progress.centred and progress.baseline == (0.0,)
    for seen in (frame(LEFT), frame(LEFT), frame("between"), frame(CENTRE), frame(UP)):
        progress = liveness.advance(progress, seen)
    assert progress.done == 2 and progress.status == liveness.PENDING and progress.instruction == "face_camera"
    progress = liveness.advance(progress, frame(CENTRE))
    assert progress.status == liveness.PASSED and progress.frames == 9


@pytest.mark.parametrize(("seen", "reason"), [
    (frame(LEFT, planar=True), liveness.FLAT_PICTURE),
    (frame(LEFT, planar=None), liveness.FLAT_PICTURE),  # depth unknown is no depth
    (frame(RIGHT), liveness.WRONG_MOVEMENT),
    (frame(CENTRE, same=False), liveness.DIFFERENT_PERSON),
    (frame(None, faces=2), liveness.MULTIPLE_FACES),
])
def test_the_judgement_fails(seen, reason):
    progress = liveness.advance(liveness.Progress((LEFT,)), frame(CENTRE))
    failed = liveness.advance(progress, seen)
    assert failed.status == liveness.FAILED and failed.reason == reason
    assert liveness.advance(failed, frame(CENTRE)) == failed  # decided for good


def test_passing_needs_the_identity_confirmed_twice():
    progress = liveness.Progress((LEFT,))
    for seen in (frame(CENTRE, same=None), frame(LEFT, same=None), frame(CENTRE, same=None)):
        progress = liveness.advance(progress, seen)
    assert progress.status == liveness.PENDING
    progress = liveness.advance(progress, frame(CENTRE))
    assert progress.status == liveness.PENDING and progress.identity_frames == 1
    assert liveness.advance(progress, frame(CENTRE)).status == liveness.PASSED
