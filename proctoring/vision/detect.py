"""Face detection in two passes, merged.

1. The short-range model on the whole frame finds the applicant at webcam
   distance (its 128x128 input is plenty for a 100-250 px face).
2. The full-range model on overlapping 256 px tiles finds the small faces: on
   the whole 640x480 frame its 192x192 input would shrink a 45 px background face
   to ~13 px, under what it finds; on a tile it is ~34 px. Tiles whose picture
   has not changed since their last scan keep that scan's faces.

Dim frames are brightened with a gamma curve first (detection only).
"""
import time

import cv2
import numpy as np

from proctoring.vision.records import Face, TileState
from proctoring.vision.thresholds import Thresholds


def brightness(gray: np.ndarray) -> float:
    """Mean luma 0-255 (on a 4x-reduced copy: the same number to 0.1, 10x cheaper)."""
    small = cv2.resize(gray, (max(1, gray.shape[1] // 4), max(1, gray.shape[0] // 4)), interpolation=cv2.INTER_AREA)
    return float(small.mean())


def brighten(rgb: np.ndarray, luma: float, target: float = 110.0) -> np.ndarray:
    """A gamma-corrected copy whose mean luma is roughly `target` (for dim frames)."""
    luma = min(max(luma, 1.0), 254.0)
    gamma = np.log(target / 255.0) / np.log(luma / 255.0)
    table = np.clip(255.0 * (np.arange(256) / 255.0) ** gamma, 0, 255).astype(np.uint8)
    return cv2.LUT(rgb, table)


def tile_windows(width: int, height: int, tile_px: int) -> list[tuple[int, int, int, int]]:
    """(x0, y0, x1, y1) of the fewest square `tile_px` tiles that cover the frame,
    spread evenly so neighbours overlap (640x480 at 256: 3x2 tiles, overlapping
    64 px across and 32 px down)."""
    def starts(size: int) -> list[int]:
        count = max(1, -(-size // tile_px))
        if count == 1:
            return [0]
        return [round(i * (size - tile_px) / (count - 1)) for i in range(count)]

    return [(x0, y0, min(width, x0 + tile_px), min(height, y0 + tile_px))
            for y0 in starts(height) for x0 in starts(width)]


def run_detector(detector, rgb: np.ndarray, min_confidence: float, label: str,
                 offset: tuple[int, int] = (0, 0)) -> list[Face]:
    """Faces from one MediaPipe detector call, boxes in the coordinates of the frame
    `rgb` was cut from (shifted by `offset`). Boxes may reach past the picture's edge."""
    height, width = rgb.shape[:2]
    result = detector.process(np.ascontiguousarray(rgb))
    faces = []
    for detection in result.detections or ():
        score = float(detection.score[0])
        if score < min_confidence:
            continue
        box = detection.location_data.relative_bounding_box
        faces.append(Face((box.xmin * width + offset[0], box.ymin * height + offset[1],
                           box.width * width, box.height * height), score, label))
    return faces


def iou(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def _same_face(a: Face, b: Face, min_iou: float) -> bool:
    """Two boxes of one face: they overlap enough, or one's centre lies in the other
    (the passes box the same face at somewhat different sizes)."""
    if iou(a.box, b.box) >= min_iou:
        return True
    small, large = sorted((a, b), key=lambda face: face.area)
    cx, cy = small.center
    x, y, w, h = large.box
    return x <= cx <= x + w and y <= cy <= y + h


def merge_faces(faces: list[Face], min_iou: float) -> list[Face]:
    """One face per person: keep the most confident box of each overlapping group
    (a short-range box wins over a tile box of the same face, being the better fit)."""
    order = sorted(faces, key=lambda face: (face.detector != "short", -face.confidence))
    kept: list[Face] = []
    for face in order:
        if not any(_same_face(face, other, min_iou) for other in kept):
            kept.append(face)
    return sorted(kept, key=lambda face: -face.area)


# Hair and headscarf above a face box, in face-box heights: a MediaPipe box ends at
# the brows, and the crown (or a hijab's top) sits another 0.5-0.8 box heights up.
HAIR_ABOVE = 0.7
THUMBNAIL = 32  # px per side of a tile's thumbnail for change detection (8 frame px per pixel on a 256 px tile)


def _thumbnail(gray_tile: np.ndarray) -> np.ndarray:
    return cv2.resize(gray_tile, (THUMBNAIL, THUMBNAIL), interpolation=cv2.INTER_AREA)


def tile_change(now: np.ndarray, then: np.ndarray, ignore: np.ndarray) -> float:
    """How much a tile's picture changed outside the `ignore` mask (the faces the
    short-range pass saw this frame): after matching the thumbnails' exposure, the
    largest mean grey-level difference over a 2x2 block of thumbnail pixels. A block,
    not the tile's mean: a 40 px head is 5x5 thumbnail pixels, 2% of a tile, and
    would vanish in the mean."""
    keep = ~ignore
    if not keep.any():
        return 0.0
    a, b = now.astype(np.float32), then.astype(np.float32)
    b *= max(float(a[keep].mean()), 1.0) / max(float(b[keep].mean()), 1.0)  # auto-exposure is not a change
    difference = cv2.blur(np.abs(a - b), (2, 2))
    return float(difference[keep].max())


def needs_scan(change: float, age: int, thresholds: Thresholds) -> bool:
    """Whether a face-free window whose last scan is `age` frames old is scanned
    again: always after `tile_rescan_frames`; at once for a change as large as a
    head coming into view; for a small change (a shoulder, hair, the light) only
    once its last scan is `tile_small_change_gap` frames old, so a window that
    keeps changing a little is not scanned on every frame."""
    if age >= thresholds.tile_rescan_frames or change > thresholds.tile_urgent_change_luma:
        return True
    return change > thresholds.tile_change_luma and age >= thresholds.tile_small_change_gap


def _ignore_mask(window, faces: list[Face], head_scale: float) -> np.ndarray:
    """Thumbnail pixels of the tile `window` that belong to the people already seen:
    each face's head (its box grown by `head_scale`, more upwards for the hair) and
    the body below it (three face widths wide, to the frame's bottom), which hides
    whatever is behind it."""
    x0, y0, x1, y1 = window
    mask = np.zeros((THUMBNAIL, THUMBNAIL), bool)
    sx, sy = THUMBNAIL / (x1 - x0), THUMBNAIL / (y1 - y0)

    def cover(left, top, right, bottom):
        left, right = max(0, int((left - x0) * sx)), max(0, int(np.ceil((right - x0) * sx)))
        top, bottom = max(0, int((top - y0) * sy)), max(0, int(np.ceil((bottom - y0) * sy)))
        mask[top:bottom, left:right] = True

    for face in faces:
        x, y, w, h = face.box
        cx = x + w / 2
        grow = (head_scale - 1) / 2
        cover(cx - w * head_scale / 2, y - h * (grow + HAIR_ABOVE), cx + w * head_scale / 2, y + h * (1 + grow))
        cover(cx - 1.5 * w, y + h, cx + 1.5 * w, y1)
    return mask


def large_or_sure(face: Face, thresholds: Thresholds) -> bool:
    """Whether a detection is kept: large enough, or small and sure (a real head far
    back scores high; specks of texture score low)."""
    return face.box[2] >= thresholds.min_face_px or (
        face.box[2] >= thresholds.min_small_face_px and face.confidence >= thresholds.small_face_min_confidence)


def detect_faces(rgb: np.ndarray, gray: np.ndarray, luma: float, models, thresholds: Thresholds,
                 tiles: tuple[TileState, ...] | None = None, frame_index: int = 0, timings: dict | None = None,
                 ) -> tuple[list[Face], tuple[TileState, ...]]:
    """All faces in the frame, largest first, and the tiles' new state.

    `tiles` is the state from the previous frame (None: scan every tile). The
    windows are the whole frame (for mid-sized faces a tile seam may cut) and the
    256 px tiles. A window is scanned again when its last scan found a face the
    short-range pass did not, when its picture changed outside the faces the
    short-range pass sees (someone may have come into view; see `needs_scan`), or
    when its last scan is `tile_rescan_frames` old; otherwise it still holds no one."""
    timings = timings if timings is not None else {}
    detect_rgb = brighten(rgb, luma) if luma < thresholds.low_light_luma else rgb
    start = time.perf_counter()
    faces = run_detector(models.short_range, detect_rgb, thresholds.short_range_min_confidence, "short")
    timings["detect_short"] = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    height, width = rgb.shape[:2]
    windows = [(0, 0, width, height)] + tile_windows(width, height, thresholds.tile_px)
    if tiles is not None and len(tiles) != len(windows):
        tiles = None
    states, scanned = [], 0
    for index, window in enumerate(windows):
        x0, y0, x1, y1 = window
        thumbnail = _thumbnail(gray[y0:y1, x0:x1])
        previous = tiles[index] if tiles is not None else None
        if previous is not None and not previous.faces:
            then = np.array(previous.thumbnail, dtype=np.uint8).reshape(THUMBNAIL, THUMBNAIL)
            change = tile_change(thumbnail, then, _ignore_mask(window, faces, thresholds.tile_ignore_face_scale))
            if not needs_scan(change, frame_index - previous.frame, thresholds):
                states.append(previous)
                continue
        found = run_detector(models.full_range, detect_rgb[y0:y1, x0:x1], thresholds.tile_min_confidence, "tile",
                             (x0, y0))
        scanned += 1
        # Keep only faces the short-range pass did not see: the state then says "this
        # tile holds someone else", and such a tile is scanned on every frame.
        extra = tuple(face for face in found if large_or_sure(face, thresholds)
                      and not any(_same_face(face, other, thresholds.merge_iou) for other in faces))
        states.append(TileState(tuple(int(v) for v in thumbnail.ravel()), extra, frame_index))
    timings["detect_tiles"] = (time.perf_counter() - start) * 1000
    timings["tiles_scanned"] = scanned
    faces = [face for face in faces if large_or_sure(face, thresholds)]
    faces += [face for state in states for face in state.faces]
    return merge_faces(faces, thresholds.merge_iou), tuple(states)
