"""The detection helpers (tiles, merging, change detection, which detections count)
and a small real head kept behind the applicant."""
import cv2
import numpy as np
import pytest

from proctoring.vision.detect import (
    THUMBNAIL,
    brighten,
    brightness,
    detect_faces,
    iou,
    large_or_sure,
    merge_faces,
    needs_scan,
    tile_change,
    tile_windows,
)
from proctoring.vision.devset import paste_head, place, subject_image
from proctoring.vision.pipeline import box_outside_fraction
from proctoring.vision.records import Face
from proctoring.vision.thresholds import DEFAULT_THRESHOLDS


@pytest.mark.parametrize("width, height", [(640, 480), (1280, 720), (320, 240), (256, 256)])
def test_tiles_cover_the_frame_and_overlap(width, height):
    windows = tile_windows(width, height, 256)
    covered = np.zeros((height, width), bool)
    for x0, y0, x1, y1 in windows:
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        assert x1 - x0 <= 256 and y1 - y0 <= 256
        covered[y0:y1, x0:x1] = True
    assert covered.all()


def test_640x480_is_six_tiles():
    assert tile_windows(640, 480, 256) == [(0, 0, 256, 256), (192, 0, 448, 256), (384, 0, 640, 256),
                                           (0, 224, 256, 480), (192, 224, 448, 480), (384, 224, 640, 480)]


def test_merge_keeps_one_box_per_face():
    applicant_short = Face((250, 150, 160, 160), 0.95, "short")
    applicant_tile = Face((240, 140, 180, 185), 0.97, "tile")
    part_of_applicant = Face((300, 200, 60, 60), 0.6, "tile")
    background = Face((40, 40, 45, 45), 0.7, "tile")
    merged = merge_faces([part_of_applicant, background, applicant_tile, applicant_short], 0.3)
    assert merged == [applicant_short, background]
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0 and iou((0, 0, 10, 10), (20, 20, 5, 5)) == 0.0


def test_tile_change_sees_a_small_head_but_not_noise_or_exposure():
    rng = np.random.default_rng(1)
    room = rng.integers(60, 200, (THUMBNAIL, THUMBNAIL)).astype(np.uint8)
    nothing = np.zeros_like(room, bool)
    noisy = np.clip(room + rng.normal(0, 1.0, room.shape), 0, 255).astype(np.uint8)
    brighter = np.clip(room * 1.15, 0, 255).astype(np.uint8)
    head = room.copy()
    head[10:15, 20:25] = 30  # a 40 px head on a 256 px tile is 5x5 thumbnail pixels
    assert tile_change(noisy, room, nothing) < 8.0
    assert tile_change(brighter, room, nothing) < 8.0
    assert tile_change(head, room, nothing) > DEFAULT_THRESHOLDS.tile_urgent_change_luma
    covered = nothing.copy()
    covered[8:17, 18:27] = True  # ... unless it is where a face already seen is
    assert tile_change(head, room, covered) < 8.0


def test_a_large_change_is_scanned_at_once_a_small_one_waits_for_its_gap():
    limits = DEFAULT_THRESHOLDS
    small = (limits.tile_change_luma + limits.tile_urgent_change_luma) / 2
    assert needs_scan(limits.tile_urgent_change_luma + 1, 1, limits)
    assert not needs_scan(small, limits.tile_small_change_gap - 1, limits)
    assert needs_scan(small, limits.tile_small_change_gap, limits)
    assert not needs_scan(limits.tile_change_luma - 1, limits.tile_rescan_frames - 1, limits)
    assert needs_scan(0.0, limits.tile_rescan_frames, limits)


def test_brighten_lifts_a_dark_frame():
    dark = np.full((10, 10, 3), 20, np.uint8)
    assert 90 < brighten(dark, 20.0).mean() < 130


def test_box_outside_fraction():
    assert box_outside_fraction((100, 100, 50, 50), 640, 480) == 0.0
    assert box_outside_fraction((-25, 100, 50, 50), 640, 480) == pytest.approx(0.5)
    assert box_outside_fraction((600, 460, 80, 40), 640, 480) == pytest.approx(0.75)


def test_a_small_detection_counts_only_when_the_detector_is_sure():
    assert large_or_sure(Face((0, 0, 40, 40), 0.55), DEFAULT_THRESHOLDS)  # large: the detector's own bar decides
    assert large_or_sure(Face((0, 0, 28, 28), 0.86), DEFAULT_THRESHOLDS)  # a real head far back
    assert not large_or_sure(Face((0, 0, 28, 28), 0.62), DEFAULT_THRESHOLDS)  # a speck of texture
    assert not large_or_sure(Face((0, 0, 12, 12), 0.95), DEFAULT_THRESHOLDS)  # too few pixels to mean anything


@pytest.mark.parametrize("person", ["hopper", "kanade"])
def test_a_real_head_under_30_px_behind_the_applicant_is_kept(models, person):
    image, box = subject_image("collins")
    frame = paste_head(place(image, box, 180, (380, 230)), person, 28, (110, 150), 1.0, 0)
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    faces, _ = detect_faces(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), gray, brightness(gray), models,
                            DEFAULT_THRESHOLDS)
    assert len(faces) == 2
    assert faces[1].box[2] < 30 and faces[1].confidence >= 0.8  # dropped by size alone before
