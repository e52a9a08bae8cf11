"""The thresholds: one frozen place, each with its reason, and consistent with each other."""
import dataclasses

import pytest

from proctoring.vision import DEFAULT_THRESHOLDS, Thresholds


def test_every_threshold_gives_its_reason():
    reasons = Thresholds.reasons()
    assert set(reasons) == {field.name for field in dataclasses.fields(Thresholds)}
    assert all(len(reason) > 30 for reason in reasons.values())


def test_thresholds_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_THRESHOLDS.dark_luma = 10


def test_thresholds_agree_with_each_other():
    t = DEFAULT_THRESHOLDS
    assert t.dark_luma < t.low_light_luma < 255
    assert t.dark_luma < t.reference_min_luma < t.reference_max_luma
    assert t.small_face_fraction < t.reference_min_face_fraction
    assert t.reference_max_yaw < t.looking_away_yaw
    assert t.reference_max_gaze < t.gaze_away
    assert 0 < t.identity_patch_min_similarity < 1
    assert t.min_face_px < 40, "the background heads we must catch are 40 px wide"
    assert t.tile_px <= 256, "a 40 px head must be at least ~30 px in the 192 px detector input"
    assert t.short_range_min_confidence <= t.tile_min_confidence <= 0.7
