"""Face detection in two passes, merged.

1. The short-range model on the whole frame finds the applicant at webcam
   distance (its 128x128 input is plenty for a 100-250 px face).
2. The full-range model on overlapping tiles finds the small faces: on the whole
   640x480 frame its 192x192 input would shrink a 45 px background face to
   ~13 px, under what it finds; on a 2x2 grid the same face is ~25 px.

Dim frames are brightened with a gamma curve first (detection only).
"""
import time

import cv2
import numpy as np

from proctoring.vision.records import Face
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


def tile_windows(width: int, height: int, grid: tuple[int, int], overlap: float) -> list[tuple[int, int, int, int]]:
    """(x0, y0, x1, y1) of a columns x rows grid of tiles that overlap by `overlap` of a tile."""
    columns, rows = grid
    tile_w = width / (columns - (columns - 1) * overlap)
    tile_h = height / (rows - (rows - 1) * overlap)
    windows = []
    for row in range(rows):
        for column in range(columns):
            x0 = round(column * tile_w * (1 - overlap))
            y0 = round(row * tile_h * (1 - overlap))
            windows.append((x0, y0, min(width, round(x0 + tile_w)), min(height, round(y0 + tile_h))))
    return windows


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


def detect_faces(rgb: np.ndarray, luma: float, models, thresholds: Thresholds, tiles: bool = True,
                 timings: dict | None = None) -> list[Face]:
    """All faces in the frame, largest first. `tiles=False` skips the small-face pass."""
    timings = timings if timings is not None else {}
    if luma < thresholds.low_light_luma:
        rgb = brighten(rgb, luma)
    start = time.perf_counter()
    faces = run_detector(models.short_range, rgb, thresholds.short_range_min_confidence, "short")
    timings["detect_short"] = (time.perf_counter() - start) * 1000
    if tiles:
        start = time.perf_counter()
        height, width = rgb.shape[:2]
        for x0, y0, x1, y1 in tile_windows(width, height, thresholds.tile_grid, thresholds.tile_overlap):
            faces += run_detector(models.full_range, rgb[y0:y1, x0:x1], thresholds.tile_min_confidence, "tile",
                                  (x0, y0))
        timings["detect_tiles"] = (time.perf_counter() - start) * 1000
    faces = [face for face in faces if face.box[2] >= thresholds.min_face_px]
    return merge_faces(faces, thresholds.merge_iou)
