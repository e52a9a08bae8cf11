"""The liveness step's measurements, frame by frame: where the head points
relative to the reference photo, whether it is still the same person, and whether
a movement happened in depth (a real head) or as a plane (a photograph or a
screen held up to the camera).

The depth test: a turning head moves its nose against its cheeks, so no single
plane-to-plane mapping (homography) takes the face-mesh landmarks of the facing
frame onto those of the turned one. A flat picture tilted before the camera is a
plane, and one homography maps it exactly, up to the landmark model's noise.
The sequence of movements asked for, and the verdict, are the web side's
(`proctoring.liveness`).
"""
from dataclasses import dataclass

import cv2
import numpy as np

from proctoring.vision import identity as ident
from proctoring.vision.models import Models, thread_models
from proctoring.vision.pipeline import _analyze, mesh_landmarks
from proctoring.vision.pose import EYE_OUTER_IMAGE_LEFT, EYE_OUTER_IMAGE_RIGHT
from proctoring.vision.records import HeadPose, Memory, ReferenceProfile
from proctoring.vision.thresholds import DEFAULT_THRESHOLDS, Thresholds

CENTRE, LEFT, RIGHT, UP, BETWEEN = "centre", "left", "right", "up", "between"  # as proctoring.analysis
MESH_POINTS = 468


@dataclass(frozen=True)
class LivenessSample:
    """One frame of the liveness step. `direction` is where the head points
    (CENTRE, LEFT/RIGHT = the applicant's own left/right, UP, or BETWEEN), None
    without exactly one measurable face; `depth` compares the landmarks with the
    facing `baseline` (None without one); `landmarks` (x, y pairs, flattened) serve
    as the baseline of later frames when this one faces the camera."""

    face_count: int
    direction: str | None = None
    yaw: float | None = None
    pitch: float | None = None
    identity_distance: float | None = None
    depth: float | None = None
    landmarks: tuple[float, ...] | None = None


def direction_of(pose: HeadPose, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> str:
    """The head's direction from its pose relative to the reference. Yaw + turns the
    face towards the image's right: the applicant's own left."""
    if pose.yaw >= thresholds.liveness_turn_yaw:
        return LEFT
    if pose.yaw <= -thresholds.liveness_turn_yaw:
        return RIGHT
    if pose.pitch >= thresholds.liveness_look_up_pitch and abs(pose.yaw) < thresholds.liveness_turn_yaw:
        return UP
    if abs(pose.yaw) <= thresholds.liveness_centre_degrees and abs(pose.pitch) <= thresholds.liveness_centre_degrees:
        return CENTRE
    return BETWEEN


def depth(baseline: np.ndarray, landmarks: np.ndarray) -> float:
    """How far the face moved out of a plane between two frames: the median error of
    the best homography from the baseline's landmarks to these, as a fraction of the
    eye span (0 for a tilted photograph, up to the noise)."""
    source = np.asarray(baseline, dtype=np.float64).reshape(-1, 2)[:MESH_POINTS]
    target = np.asarray(landmarks, dtype=np.float64).reshape(-1, 2)[:MESH_POINTS]
    homography, _ = cv2.findHomography(source, target, 0)
    if homography is None:
        return 0.0
    mapped = cv2.perspectiveTransform(source[None], homography)[0]
    span = max(float(np.linalg.norm(target[EYE_OUTER_IMAGE_LEFT] - target[EYE_OUTER_IMAGE_RIGHT])), 1.0)
    return float(np.median(np.linalg.norm(mapped - target, axis=1)) / span)


def liveness_sample(frame_bgr: np.ndarray, reference: ReferenceProfile, baseline=None, *,
                    models: Models | None = None, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> LivenessSample:
    """Measure one frame of the liveness step (HxWx3 uint8 BGR) against the reference
    profile and, when given, the facing baseline landmarks. The identity is compared
    on the frames that face the camera within `liveness_identity_max_degrees` (dlib's
    distance is not reliable on a turned head)."""
    models = models or thread_models()
    analysis, _ = _analyze(frame_bgr, reference, Memory(), models, thresholds, False)
    if analysis.face_count != 1 or analysis.pose is None:
        return LivenessSample(analysis.face_count)
    pose = analysis.pose
    rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
    box = analysis.faces[0].box
    landmarks = mesh_landmarks(rgb, box, models)
    if landmarks is None:
        return LivenessSample(1)
    points = landmarks[:MESH_POINTS, :2]
    distance = None
    if max(abs(pose.yaw), abs(pose.pitch)) <= thresholds.liveness_identity_max_degrees:
        distance = analysis.identity_distance
        if distance is None:
            distance = ident.distance(ident.embedding(rgb, box, models), reference.embedding)
    return LivenessSample(
        1, direction_of(pose, thresholds), round(pose.yaw, 1), round(pose.pitch, 1),
        None if distance is None else round(distance, 4),
        None if baseline is None else round(depth(baseline, points), 4),
        tuple(round(float(v), 1) for v in points.ravel()))
