"""The liveness step of the camera check: after the reference photo passes, the
applicant moves their head as asked, one random movement at a time, facing the
camera again between them, while the browser sends frames. A photograph, a
screen or a recording cannot follow instructions it has not seen.

`advance` is the whole judgement: a pure function from the progress so far and
one analysed frame (`LivenessFrame`, the analyzer's) to the new progress. It
fails the step on a second face, another person, a movement other than the one
asked for (a turn to the other side, or any turn when a look up was asked), or a
movement without depth (a tilted picture); it passes once every
movement was made and the applicant faces the camera again. Time and frame
limits are the service's (`proctoring.services`).
"""
import secrets
from dataclasses import asdict, dataclass, replace

from flask_babel import gettext as _

from proctoring.analysis import CENTRE, LEFT, RIGHT, UP, LivenessFrame

MOVEMENTS = (LEFT, RIGHT, UP)
PENDING, PASSED, FAILED = "pending", "passed", "failed"
MIN_IDENTITY_FRAMES = 2

MULTIPLE_FACES, DIFFERENT_PERSON, WRONG_MOVEMENT, FLAT_PICTURE, TIMED_OUT = (
    "multiple_faces", "different_person", "wrong_movement", "flat_picture", "timed_out")


@dataclass(frozen=True)
class Progress:
    """Where an applicant is in the liveness step (stored as a dict on the check).
    `done` movements of `steps` are made; `centred` says the head faced the camera
    since the last one; `baseline` holds the facing landmarks that movements are
    compared with; `identity_frames` counts frames confirmed as the reference's person."""

    steps: tuple[str, ...]
    done: int = 0
    centred: bool = False
    baseline: tuple[float, ...] | None = None
    frames: int = 0
    identity_frames: int = 0
    status: str = PENDING
    reason: str | None = None

    @property
    def instruction(self) -> str | None:
        """What the applicant should do now: face_camera, turn_left, turn_right, look_up; None once decided."""
        if self.status != PENDING:
            return None
        if not self.centred or self.done == len(self.steps):
            return "face_camera"
        return {LEFT: "turn_left", RIGHT: "turn_right", UP: "look_up"}[self.steps[self.done]]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Progress":
        baseline = data.get("baseline")
        return cls(tuple(data["steps"]), data.get("done", 0), data.get("centred", False),
                   tuple(baseline) if baseline else None, data.get("frames", 0), data.get("identity_frames", 0),
                   data.get("status", PENDING), data.get("reason"))

    def fail(self, reason: str) -> "Progress":
        return replace(self, status=FAILED, reason=reason)


def new_challenge(length: int) -> Progress:
    """A random sequence of `length` movements, no movement twice in a row."""
    steps: list[str] = []
    while len(steps) < length:
        steps.append(secrets.choice([m for m in MOVEMENTS if not steps or m != steps[-1]]))
    return Progress(tuple(steps))


def advance(progress: Progress, frame: LivenessFrame) -> Progress:
    """The progress after one more frame (unchanged once passed or failed)."""
    if progress.status != PENDING:
        return progress
    progress = replace(progress, frames=progress.frames + 1)
    if frame.face_count > 1:
        return progress.fail(MULTIPLE_FACES)
    if frame.direction is None:
        return progress  # no face measured (a fast movement blurs): wait for the next frame
    if frame.same_person is False:
        return progress.fail(DIFFERENT_PERSON)
    if frame.same_person:
        progress = replace(progress, identity_frames=progress.identity_frames + 1)
    if frame.direction == CENTRE:
        progress = replace(progress, centred=True, baseline=progress.baseline or frame.landmarks)
        if progress.done == len(progress.steps) and progress.identity_frames >= MIN_IDENTITY_FRAMES:
            return replace(progress, status=PASSED, baseline=None)
        return progress
    if frame.direction not in MOVEMENTS or not progress.centred or progress.done == len(progress.steps):
        return progress  # between positions, or still turned from the last movement
    expected = progress.steps[progress.done]
    if frame.direction != expected:
        if expected != UP and frame.direction == UP:
            return progress  # a turn passes through a slight tilt: only the other side is wrong
        return progress.fail(WRONG_MOVEMENT)
    if frame.planar is not False:
        return progress.fail(FLAT_PICTURE)
    return replace(progress, done=progress.done + 1, centred=False)


def instruction_message(code: str | None) -> str:
    messages = {
        "face_camera": _("Look straight at the camera."),
        "turn_left": _("Slowly turn your head to your left, then back to the camera."),
        "turn_right": _("Slowly turn your head to your right, then back to the camera."),
        "look_up": _("Slowly tilt your head up, then back to the camera."),
    }
    return messages.get(code, "")


def step_label(step: str) -> str:
    """A movement's name for the examiner."""
    return {LEFT: _("turn left"), RIGHT: _("turn right"), UP: _("look up")}.get(step, step)


def reason_message(code: str | None) -> str:
    messages = {
        MULTIPLE_FACES: _("More than one face was in view. Only you may be in the picture."),
        DIFFERENT_PERSON: _("The person moving is not the person in the reference photo."),
        WRONG_MOVEMENT: _("That was not the movement asked for. Take the photo again and follow each instruction."),
        FLAT_PICTURE: _("The movement looked like a flat picture, not a head. Sit in front of the camera yourself."),
        TIMED_OUT: _("The movements took too long. Take the photo again and follow the instructions."),
    }
    return messages.get(code, "")


def feedback(progress: Progress) -> dict:
    """What the check page shows after a frame."""
    return {
        "status": progress.status, "instruction": progress.instruction,
        "message": instruction_message(progress.instruction), "done": progress.done, "steps": len(progress.steps),
        "reasons": [{"code": progress.reason, "message": reason_message(progress.reason)}] if progress.reason else [],
    }
