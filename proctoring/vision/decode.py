"""JPEG bytes to a BGR array, refusing what is not a whole, sensibly sized JPEG."""
import cv2
import numpy as np

from proctoring.vision.records import InvalidImage
from proctoring.vision.thresholds import DEFAULT_THRESHOLDS, Thresholds

JPEG_START = b"\xff\xd8\xff"
JPEG_END = b"\xff\xd9"


def decode_jpeg(data: bytes, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> np.ndarray:
    """Decode a JPEG to an HxWx3 uint8 BGR array.

    Raises InvalidImage with reason "empty", "too_large", "not_jpeg", "truncated",
    "corrupt" or "bad_size". A truncated upload is refused rather than decoded:
    libjpeg would fill the missing rows with grey, which looks like a covered lens.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidImage("not_jpeg", f"expected JPEG bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise InvalidImage("empty", "the image is empty")
    if len(data) > thresholds.max_jpeg_bytes:
        raise InvalidImage("too_large", f"the image has {len(data)} bytes, more than {thresholds.max_jpeg_bytes}")
    if not data.startswith(JPEG_START):
        raise InvalidImage("not_jpeg", "the image is not a JPEG")
    if JPEG_END not in data[-64:]:
        raise InvalidImage("truncated", "the JPEG is cut off (no end-of-image marker)")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise InvalidImage("corrupt", "the JPEG could not be decoded")
    height, width = image.shape[:2]
    if min(height, width) < thresholds.min_side_px or max(height, width) > thresholds.max_side_px:
        raise InvalidImage("bad_size", f"a {width}x{height} picture is not a webcam frame")
    return image


def encode_jpeg(image: np.ndarray, quality: int = 85) -> bytes:
    """Encode a BGR array as JPEG (evidence images, the dev set, tests)."""
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:  # pragma: no cover - OpenCV fails only on empty or odd-typed arrays
        raise InvalidImage("corrupt", "the image could not be encoded")
    return buffer.tobytes()
