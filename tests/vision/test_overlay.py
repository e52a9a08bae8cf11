"""Evidence overlays: boxes, pose arrow and text drawn on a copy of the frame."""
import numpy as np

from proctoring.vision import Face, FrameAnalysis, HeadPose, draw_overlay
from proctoring.vision.overlay import ALERT_COLOUR, OK_COLOUR


def blank():
    return np.full((480, 640, 3), 128, np.uint8)


def test_one_face_green_box_and_pose_arrow():
    frame = blank()
    analysis = FrameAnalysis(640, 480, (Face((250.0, 150.0, 140.0, 150.0), 0.95),), 128.0, (),
                             pose=HeadPose(40.0, 0.0, 0.0), identity_distance=0.12)
    image = draw_overlay(frame, analysis)
    assert image.shape == frame.shape and image.dtype == np.uint8
    assert (frame == 128).all(), "the input frame is left alone"
    assert tuple(image[300, 250]) == OK_COLOUR  # the box's left edge
    centre_y = int(150 + 150 / 2)
    right_of_centre = image[centre_y, 325:400]
    assert (right_of_centre != 128).any(axis=1).sum() > 20, "the yaw arrow points to the image's right"


def test_several_faces_in_red_with_flags():
    analysis = FrameAnalysis(640, 480, (Face((250.0, 150.0, 140.0, 150.0), 0.95), Face((40.0, 60.0, 45.0, 45.0), 0.7)),
                             128.0, ("multiple_faces",))
    image = draw_overlay(blank(), analysis)
    assert tuple(image[300, 250]) == ALERT_COLOUR
    assert tuple(image[90, 40]) == ALERT_COLOUR
    assert (image[:100, :300] != 128).any(), "count and flags are written at the top left"


def test_no_face_still_draws_the_summary():
    image = draw_overlay(blank(), FrameAnalysis(640, 480, (), 10.0, ("no_face", "dark")))
    assert (image != 128).any()


def test_boxes_partly_outside_the_frame_are_drawn_in_red():
    analysis = FrameAnalysis(640, 480, (Face((-60.0, 100.0, 150.0, 150.0), 0.6),), 100.0, ("face_partly_out",))
    image = draw_overlay(blank(), analysis)
    assert tuple(image[100, 50]) == ALERT_COLOUR  # the top edge, inside the picture


def test_a_different_person_is_boxed_in_red():
    analysis = FrameAnalysis(640, 480, (Face((250.0, 150.0, 140.0, 150.0), 0.95),), 128.0, ("different_person",),
                             identity_distance=0.8)
    assert tuple(draw_overlay(blank(), analysis)[300, 250]) == ALERT_COLOUR
