"""Head pose and gaze from MediaPipe face-mesh landmarks.

Pose: `cv2.solvePnP` of six landmarks against a generic 3D head. A generic head
fits nobody exactly (on real faces it reads tens of degrees of pitch for someone
looking straight ahead), so exam frames are measured relative to the
applicant's own reference photo: R_relative = R_frame · R_referenceᵀ.

Gaze: where each iris centre sits between the eye's corners (and lids).

Facing the camera (the reference photo's test): the face mesh's own depth, not the
generic head. The mesh places every landmark in 3D for the face it sees, so the
line from cheek to cheek and from forehead to chin tilt in depth as the face
turns; that reads frontal faces as frontal wherever they sit in the picture,
where the generic head reads some of them 20-25 degrees turned.
"""
import math

import cv2
import numpy as np

from proctoring.vision.records import Gaze, HeadPose

# Landmark indices of MediaPipe's 468-point mesh (+10 iris points with refinement).
NOSE_TIP, CHIN = 1, 152
EYE_OUTER_IMAGE_LEFT, EYE_OUTER_IMAGE_RIGHT = 33, 263
MOUTH_IMAGE_LEFT, MOUTH_IMAGE_RIGHT = 61, 291
PNP_LANDMARKS = (NOSE_TIP, CHIN, EYE_OUTER_IMAGE_LEFT, EYE_OUTER_IMAGE_RIGHT, MOUTH_IMAGE_LEFT, MOUTH_IMAGE_RIGHT)
# The usual generic head (arbitrary units), in camera axes: x to the image's right,
# y down, z away from the camera; the nose tip is the origin.
GENERIC_HEAD = np.array([
    (0.0, 0.0, 0.0),
    (0.0, 330.0, 65.0),
    (-225.0, -170.0, 135.0),
    (225.0, -170.0, 135.0),
    (-150.0, 150.0, 125.0),
    (150.0, 150.0, 125.0),
])
# Eyes as (image-left corner, image-right corner, upper lid, lower lid), iris centre.
EYES = (((33, 133, 159, 145), 468), ((362, 263, 386, 374), 473))


CHEEK_IMAGE_LEFT, CHEEK_IMAGE_RIGHT, FOREHEAD = 234, 454, 10


def facing_angles(landmarks: np.ndarray) -> tuple[float, float]:
    """(yaw, pitch) in degrees of the face from the mesh's depth: yaw + = turned
    towards the image's right, pitch + = chin further from the camera than the
    forehead (looking down). About (0, +8) for a face looking into the camera."""
    left, right = landmarks[CHEEK_IMAGE_LEFT], landmarks[CHEEK_IMAGE_RIGHT]
    top, bottom = landmarks[FOREHEAD], landmarks[CHIN]
    yaw = math.degrees(math.atan2(right[2] - left[2], right[0] - left[0]))
    pitch = math.degrees(math.atan2(bottom[2] - top[2], bottom[1] - top[1]))
    return yaw, pitch


def mesh_rotation(landmarks: np.ndarray) -> np.ndarray:
    """The head's 3x3 rotation in camera axes from the mesh's own 3D points: the
    least-squares rotation (Umeyama, with scale) of the generic head onto the mesh's
    x, y and depth at the six PnP landmarks. With depth there is no perspective
    ambiguity: PnP on the 2D points alone flips between two poses on some real
    faces (an open mouth read as yaw -20 and +19 on alternate frames)."""
    mesh = landmarks[list(PNP_LANDMARKS), :3].astype(np.float64)
    model = GENERIC_HEAD
    mesh_c, model_c = mesh - mesh.mean(axis=0), model - model.mean(axis=0)
    u, _, vt = np.linalg.svd(mesh_c.T @ model_c)
    sign = np.diag([1.0, 1.0, np.sign(np.linalg.det(u @ vt))])
    return u @ sign @ vt


def camera_matrix(width: int, height: int) -> np.ndarray:
    """A webcam of ~60 degrees horizontal field of view (focal length ≈ width)."""
    return np.array([[width, 0, width / 2], [0, width, height / 2], [0, 0, 1]], dtype=np.float64)


def head_rotation(landmarks: np.ndarray, width: int, height: int) -> np.ndarray | None:
    """The head's 3x3 rotation in camera axes, or None if PnP fails. `landmarks`
    are in pixels of a `width` x `height` frame."""
    points = landmarks[list(PNP_LANDMARKS), :2].astype(np.float64)
    matrix = camera_matrix(width, height)
    # Start from a head facing the camera at the distance its eye span implies: without
    # a start, the iterative solver sometimes lands on the mirror solution (roll 180).
    eye_span = max(float(np.hypot(*(points[3] - points[2]))), 1.0)
    depth = width * 450.0 / eye_span
    nose = points[0]
    tvec = np.array([[(nose[0] - width / 2) * depth / width], [(nose[1] - height / 2) * depth / width], [depth]])
    ok, rvec, _ = cv2.solvePnP(GENERIC_HEAD, points, matrix, np.zeros(4), rvec=np.zeros((3, 1)), tvec=tvec,
                               useExtrinsicGuess=True, flags=cv2.SOLVEPNP_ITERATIVE)
    if not ok:
        return None
    return cv2.Rodrigues(rvec)[0]


def head_pose_rotation(landmarks: np.ndarray, width: int, height: int, pnp_from_yaw: float) -> np.ndarray:
    """The head's rotation: the mesh alignment (`mesh_rotation`), stable near frontal;
    for a head it reads turned past `pnp_from_yaw`, PnP's (`head_rotation`) when that
    agrees on the side and reads a larger turn — the mesh's depth flattens on the
    half of a face turned away, so it reads a 55 degree turn as about 30."""
    mesh = mesh_rotation(landmarks)
    yaw = euler(mesh).yaw
    if abs(yaw) <= pnp_from_yaw:
        return mesh
    pnp = head_rotation(landmarks, width, height)
    if pnp is None:
        return mesh
    pnp_yaw = euler(pnp).yaw
    return pnp if pnp_yaw * yaw > 0 and abs(pnp_yaw) > abs(yaw) else mesh


def euler(rotation: np.ndarray) -> HeadPose:
    """Yaw, pitch, roll in degrees of a rotation in camera axes (x right, y down):
    yaw + = the face turned towards the image's right, pitch + = up, roll + = the head
    tilted clockwise in the image."""
    angles = cv2.RQDecomp3x3(rotation)[0]  # about x, y, z
    pitch, yaw, roll = (float(a) for a in angles)
    return HeadPose(yaw=-yaw, pitch=-pitch, roll=roll)


def relative_rotation(rotation: np.ndarray, reference: np.ndarray) -> np.ndarray:
    return rotation @ reference.T


def rotation_from_pose(pose: HeadPose) -> np.ndarray:
    """Inverse of `euler` (used to store a reference as three angles)."""
    pitch, yaw, roll = np.radians([-pose.pitch, -pose.yaw, pose.roll])
    rx = np.array([[1, 0, 0], [0, np.cos(pitch), -np.sin(pitch)], [0, np.sin(pitch), np.cos(pitch)]])
    ry = np.array([[np.cos(yaw), 0, np.sin(yaw)], [0, 1, 0], [-np.sin(yaw), 0, np.cos(yaw)]])
    rz = np.array([[np.cos(roll), -np.sin(roll), 0], [np.sin(roll), np.cos(roll), 0], [0, 0, 1]])
    return rz @ ry @ rx


def relative_pose(pose: HeadPose, reference: HeadPose) -> HeadPose:
    """`pose` measured from `reference` (both absolute generic-model poses)."""
    return euler(relative_rotation(rotation_from_pose(pose), rotation_from_pose(reference)))


def gaze(landmarks: np.ndarray) -> Gaze | None:
    """Mean iris offset of both eyes, as fractions of half the eye width; None
    without the 478-point refined mesh."""
    if landmarks.shape[0] < 478:
        return None
    xs, ys = [], []
    for (left, right, upper, lower), iris in EYES:
        a, b = landmarks[left, :2], landmarks[right, :2]
        axis = b - a
        length = float(np.hypot(*axis))
        if length < 1e-6:
            return None
        unit = axis / length
        normal = np.array([-unit[1], unit[0]])  # points down in the image for a level eye
        centre = (a + b) / 2
        lid_centre = (landmarks[upper, :2] + landmarks[lower, :2]) / 2
        offset = landmarks[iris, :2] - centre
        xs.append(float(offset @ unit) / (length / 2))
        ys.append(float((landmarks[iris, :2] - lid_centre) @ normal) / (length / 2))
    return Gaze(x=float(np.mean(xs)), y=float(np.mean(ys)))


def relative_gaze(value: Gaze | None, reference: Gaze | None) -> Gaze | None:
    if value is None or reference is None:
        return value
    return Gaze(value.x - reference.x, value.y - reference.y)
