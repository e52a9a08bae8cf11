"""Head pose (the generic head aligned to the mesh's 3D points) and gaze, on synthetic landmarks
whose true angles are known."""
import numpy as np
import pytest

from proctoring.vision.pose import (
    EYES,
    GENERIC_HEAD,
    PNP_LANDMARKS,
    euler,
    gaze,
    mesh_rotation,
    relative_pose,
    relative_rotation,
    rotation_from_pose,
)
from proctoring.vision.records import Gaze, HeadPose


def project(pose: HeadPose, nose_at=(320.0, 240.0), scale=0.4):
    """478 landmarks as the mesh gives them (x, y in pixels, depth in the same scale)
    of the generic head at `pose`, its nose at pixel `nose_at`."""
    points = scale * (rotation_from_pose(pose) @ GENERIC_HEAD.T).T + np.array([*nose_at, 0.0])
    landmarks = np.zeros((478, 3))
    landmarks[list(PNP_LANDMARKS)] = points
    return landmarks


@pytest.mark.parametrize("pose", [HeadPose(0, 0, 0), HeadPose(25, 0, 0), HeadPose(-40, 5, 0), HeadPose(0, -20, 0),
                                  HeadPose(10, 12, -15), HeadPose(-15, -25, 8)])
@pytest.mark.parametrize("nose_at", [(320, 240), (180, 300)])
def test_the_mesh_alignment_recovers_the_pose(pose, nose_at):
    measured = euler(mesh_rotation(project(pose, nose_at)))
    assert measured.yaw == pytest.approx(pose.yaw, abs=1.0)
    assert measured.pitch == pytest.approx(pose.pitch, abs=1.0)
    assert measured.roll == pytest.approx(pose.roll, abs=1.0)


def test_the_mesh_alignment_tolerates_a_face_unlike_the_generic_head():
    """A real face's proportions differ from the generic head's (here a longer chin
    and a flatter nose): the pose is still read within a few degrees."""
    landmarks = project(HeadPose(20, -10, 5))
    landmarks[PNP_LANDMARKS[1], 1] += 12
    landmarks[PNP_LANDMARKS[0], 2] += 8
    measured = euler(mesh_rotation(landmarks))
    assert measured.yaw == pytest.approx(20, abs=5.0)
    assert measured.pitch == pytest.approx(-10, abs=5.0)


def test_positive_yaw_turns_the_nose_to_the_image_right():
    landmarks = project(HeadPose(30, 0, 0))
    nose, left_eye, right_eye = (landmarks[i, 0] for i in (PNP_LANDMARKS[0], PNP_LANDMARKS[2], PNP_LANDMARKS[3]))
    assert nose - left_eye > right_eye - nose


def test_euler_and_rotation_are_inverse():
    for pose in (HeadPose(12, -7, 3), HeadPose(-35, 20, -10)):
        back = euler(rotation_from_pose(pose))
        assert (back.yaw, back.pitch, back.roll) == pytest.approx((pose.yaw, pose.pitch, pose.roll), abs=1e-6)


def test_relative_pose_removes_the_applicants_own_bias():
    """A generic head reads someone looking straight ahead as pitched (here -18);
    measured against their reference, the same pose is level, and a turn is a turn."""
    reference = HeadPose(3, -18, 2)
    same = relative_pose(reference, reference)
    assert (same.yaw, same.pitch, same.roll) == pytest.approx((0, 0, 0), abs=1e-6)
    turned = euler(rotation_from_pose(HeadPose(35, 0, 0)) @ rotation_from_pose(reference))
    measured = relative_pose(turned, reference)
    assert measured.yaw == pytest.approx(35, abs=0.5) and abs(measured.pitch) < 0.5
    assert np.allclose(relative_rotation(np.eye(3), np.eye(3)), np.eye(3))


def eyes(iris_shift=0.0, iris_drop=0.0):
    """Landmarks of two level eyes 60 px wide; irises shifted by a fraction of half the eye width."""
    landmarks = np.zeros((478, 3))
    for ((left, right, upper, lower), iris), x0 in zip(EYES, (200.0, 300.0)):
        landmarks[left, :2] = (x0, 200)
        landmarks[right, :2] = (x0 + 60, 200)
        landmarks[upper, :2] = (x0 + 30, 190)
        landmarks[lower, :2] = (x0 + 30, 210)
        landmarks[iris, :2] = (x0 + 30 + iris_shift * 30, 200 + iris_drop * 30)
    return landmarks


def test_gaze_from_the_irises():
    assert gaze(eyes()) == Gaze(0.0, 0.0)
    looking_right = gaze(eyes(iris_shift=0.5))
    assert looking_right.x == pytest.approx(0.5) and looking_right.y == pytest.approx(0.0)
    assert gaze(eyes(iris_drop=0.2)).y == pytest.approx(0.2)


def test_no_gaze_without_iris_landmarks():
    assert gaze(np.zeros((468, 3))) is None
