"""Identity: dlib's 128-number face embedding, and a cheap patch that says when
it is worth computing again.

The embedding is aligned with dlib's 5-point shape predictor inside MediaPipe's
face box (dlib's own detector is not used). It costs 70-150 ms; between two
embeddings `face_patch` — 32x32 grey pixels aligned on the eyes, ~0.1 ms — shows
whether the face in the chair still looks like the one last verified.
"""
import cv2
import numpy as np

from proctoring.vision.records import Box

PATCH_SIZE = 32
# Where the eye centres land in the patch (x, y): the patch spans brows to mouth.
PATCH_EYES = ((10.0, 11.0), (22.0, 11.0))


def dlib_rectangle(box: Box, width: int, height: int):
    """MediaPipe's box as a dlib rectangle, clipped to the frame. MediaPipe boxes
    run from the brows to the chin like dlib's own detector's, so no rescaling."""
    import dlib

    x, y, w, h = box
    left, top = max(0, round(x)), max(0, round(y))
    right, bottom = min(width - 1, round(x + w)), min(height - 1, round(y + h))
    return dlib.rectangle(left, top, max(left + 1, right), max(top + 1, bottom))


def embedding(rgb: np.ndarray, box: Box, models) -> np.ndarray:
    """The 128-number identity embedding of the face in `box`."""
    height, width = rgb.shape[:2]
    shape = models.shape_predictor(rgb, dlib_rectangle(box, width, height))
    return np.asarray(models.face_encoder.compute_face_descriptor(rgb, shape, 0), dtype=np.float64)


def distance(a, b) -> float:
    """Euclidean distance of two embeddings (dlib: under 0.6 = same person)."""
    return float(np.linalg.norm(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)))


def face_patch(gray: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """32x32 uint8 grey patch of the face, rotated and scaled so the eyes sit at
    fixed points (head tilt and distance do not change it)."""
    from proctoring.vision.pose import EYES

    (left_eye, _), (right_eye, _) = EYES
    src_left = landmarks[[left_eye[0], left_eye[1]], :2].mean(axis=0)
    src_right = landmarks[[right_eye[0], right_eye[1]], :2].mean(axis=0)
    (dl, dr) = (np.array(p) for p in PATCH_EYES)
    src_vec, dst_vec = src_right - src_left, dr - dl
    scale = np.hypot(*dst_vec) / max(np.hypot(*src_vec), 1e-6)
    angle = np.arctan2(src_vec[1], src_vec[0]) - np.arctan2(dst_vec[1], dst_vec[0])
    cos, sin = scale * np.cos(-angle), scale * np.sin(-angle)
    matrix = np.array([[cos, -sin, 0.0], [sin, cos, 0.0]])
    matrix[:, 2] = dl - matrix[:, :2] @ src_left
    # Blur a crop around the face before sampling it down (a bare warp would alias).
    height, width = gray.shape[:2]
    x0, y0 = (int(max(0, v)) for v in landmarks[:, :2].min(axis=0) - 4)
    x1, y1 = (int(v) for v in landmarks[:, :2].max(axis=0) + 4)
    x1, y1 = min(width, x1), min(height, y1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return np.zeros((PATCH_SIZE, PATCH_SIZE), np.uint8)
    sigma = max(0.0, 0.5 / scale - 0.5)
    crop = cv2.GaussianBlur(gray[y0:y1, x0:x1], (0, 0), sigma) if sigma > 0.3 else gray[y0:y1, x0:x1]
    matrix[:, 2] += matrix[:, :2] @ np.array([x0, y0], dtype=np.float64)
    return cv2.warpAffine(crop, matrix, (PATCH_SIZE, PATCH_SIZE), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


def patch_similarity(a, b) -> float:
    """Correlation of two patches (-1..1), blind to brightness and contrast."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    a, b = a - a.mean(), b - b.mean()
    norm = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a @ b / norm) if norm > 0 else 0.0
