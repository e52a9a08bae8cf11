"""The reference step: check the system-check photo and build the applicant's
reference profile (pose baseline, gaze baseline, identity embedding)."""
import cv2

from proctoring.vision import identity as ident
from proctoring.vision.models import Models, thread_models
from proctoring.vision.pipeline import _analyze, mesh_landmarks
from proctoring.vision.pose import facing_angles
from proctoring.vision.records import (
    FACE_PARTLY_OUT,
    Memory,
    Problem,
    ReferenceCheck,
    ReferenceProfile,
)
from proctoring.vision.thresholds import DEFAULT_THRESHOLDS, Thresholds

MESSAGES = {
    "no_face": "No face was found. Sit in front of the camera with your face in view.",
    "multiple_faces": "More than one face is in view. Only you may be in the picture.",
    "face_partly_out": "Part of your face is outside the picture. Move to the middle of the camera's view.",
    "face_too_small": "Your face is too small in the picture. Move closer to the camera.",
    "too_dark": "The picture is too dark. Turn on a light or face a window.",
    "too_bright": "The picture is too bright. Move away from the lamp or window behind the camera.",
    "blurry": "The picture is blurred. Hold still and clean the camera lens.",
    "face_unclear": "Your face could not be measured. Remove anything covering it and face the camera.",
    "not_facing_camera": "Turn your head to face the camera directly.",
    "head_down": "Raise your chin a little and look straight into the camera.",
    "head_up": "Lower your chin a little and look straight into the camera.",
    "not_looking_at_camera": "Look straight into the camera.",
}


def _problem(code: str) -> Problem:
    return Problem(code, MESSAGES[code])


def facing_problem(landmarks, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> str | None:
    """Why the face does not look into the camera, judged from the mesh's depth
    (`pose.facing_angles`): turned aside (`not_facing_camera`), looking down
    (`head_down`) or up (`head_up`); None when it faces the camera. A head both
    turned and tilted is told to turn first: one instruction at a time."""
    yaw, pitch = facing_angles(landmarks)
    if abs(yaw) > thresholds.reference_max_yaw:
        return "not_facing_camera"
    if pitch > thresholds.reference_max_pitch:
        return "head_down"
    if pitch < thresholds.reference_min_pitch:
        return "head_up"
    return None


def make_reference(frame_bgr, *, models: Models | None = None,
                   thresholds: Thresholds = DEFAULT_THRESHOLDS) -> ReferenceCheck:
    """Check a system-check photo (HxWx3 uint8 BGR): exactly one face, large, lit
    and sharp enough, in the picture, facing and looking at the camera. Returns a
    `ReferenceCheck` with the profile, or with the problems that prevent one
    (most important first); never raises for what the picture shows."""
    models = models or thread_models()
    analysis, _ = _analyze(frame_bgr, None, Memory(), models, thresholds, False)
    problems = []
    if analysis.face_count == 0:
        problems.append(_problem("no_face"))
    elif analysis.face_count > 1:
        problems.append(_problem("multiple_faces"))
    else:
        quality = analysis.quality
        if analysis.has(FACE_PARTLY_OUT):
            problems.append(_problem("face_partly_out"))
        if quality.width_fraction < thresholds.reference_min_face_fraction:
            problems.append(_problem("face_too_small"))
        if quality.luma < thresholds.reference_min_luma:
            problems.append(_problem("too_dark"))
        elif quality.luma > thresholds.reference_max_luma:
            problems.append(_problem("too_bright"))
        if quality.sharpness < thresholds.blur_min_sharpness:
            problems.append(_problem("blurry"))
        gaze = analysis.gaze
        landmarks = None
        if analysis.raw_pose is not None:
            landmarks = mesh_landmarks(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB), analysis.faces[0].box, models)
        facing = None if landmarks is None else facing_problem(landmarks, thresholds)
        if landmarks is None:
            problems.append(_problem("face_unclear"))
        elif facing:
            problems.append(_problem(facing))
        elif gaze is not None and abs(gaze.x) > thresholds.reference_max_gaze:
            problems.append(_problem("not_looking_at_camera"))
    if problems:
        return ReferenceCheck(analysis, None, tuple(problems))
    return ReferenceCheck(analysis, profile_from(frame_bgr, analysis, models), ())


def profile_from(frame_bgr, analysis, models: Models) -> ReferenceProfile:
    """The reference profile of the one face `analysis` found in the frame (no checks:
    `make_reference` decides whether the photo may be one)."""
    rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
    embedding = ident.embedding(rgb, analysis.faces[0].box, models)
    return ReferenceProfile(analysis.raw_pose, analysis.gaze, analysis.quality.width_fraction,
                            tuple(float(v) for v in embedding))
