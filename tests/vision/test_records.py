"""The records travel: memory through JSON, a reference profile through a float vector."""
import json

import pytest

from proctoring.vision import (
    Face,
    FrameAnalysis,
    Gaze,
    HeadPose,
    Memory,
    ReferenceProfile,
)
from proctoring.vision.records import TileState, VerifiedLook


def test_memory_survives_json():
    memory = Memory(frame_index=7, looks=(VerifiedLook(3, 0.21, (1, 2, 3), (10.0, 20.0, 100.0, 100.0),
                                                      HeadPose(1.0, -2.0, 0.5)),
                                         VerifiedLook(1, 0.9, (4, 5, 6), (12.0, 20.0, 90.0, 90.0))),
                    frame_size=(640, 480),
                    tiles=(TileState((5,) * 4, (Face((1.0, 2.0, 40.0, 40.0), 0.8, "tile"),), 6),
                           TileState((9,) * 4, (), 2)))
    assert Memory.from_dict(json.loads(json.dumps(memory.to_dict()))) == memory
    assert Memory.from_dict({}) == Memory()


def test_reference_profile_as_vector():
    profile = ReferenceProfile(HeadPose(4.0, -10.0, 1.0), Gaze(0.02, -0.01), 0.27, tuple(float(i) for i in range(128)))
    vector = profile.to_vector()
    assert len(vector) == 134 and all(isinstance(v, float) for v in vector)
    assert ReferenceProfile.from_vector(vector) == profile
    without_gaze = ReferenceProfile(HeadPose(0.0, 0.0, 0.0), None, 0.3, (0.0,) * 128)
    assert ReferenceProfile.from_vector(without_gaze.to_vector()) == without_gaze
    with pytest.raises(ValueError):
        ReferenceProfile.from_vector(vector[:-1])


def test_face_geometry():
    face = Face((100.0, 50.0, 64.0, 80.0), 0.9)
    assert face.center == (132.0, 90.0) and face.area == 64.0 * 80.0
    assert face.relative_box(640, 480) == pytest.approx((0.15625, 50 / 480, 0.1, 80 / 480))


def test_frame_analysis_flags():
    analysis = FrameAnalysis(640, 480, (), 12.0, ("no_face", "dark"))
    assert analysis.face_count == 0 and analysis.has("dark") and not analysis.has("multiple_faces")
    assert analysis.to_dict()["flags"] == ("no_face", "dark")
