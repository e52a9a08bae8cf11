"""decode_jpeg: what it refuses, and that a good frame comes back as it went in."""
import numpy as np
import pytest

from proctoring.vision import InvalidImage, Thresholds, decode_jpeg, encode_jpeg


def frame(width=640, height=480):
    image = np.zeros((height, width, 3), np.uint8)
    image[:, :, 0] = np.linspace(0, 255, width, dtype=np.uint8)
    image[:, :, 1] = 120
    image[:, :, 2] = np.linspace(30, 200, height, dtype=np.uint8)[:, None]
    return image


def test_round_trip_keeps_size_and_colours():
    original = frame()
    decoded = decode_jpeg(encode_jpeg(original, 95))
    assert decoded.shape == (480, 640, 3) and decoded.dtype == np.uint8
    assert np.abs(decoded.astype(int) - original.astype(int)).mean() < 2


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"GIF89a" + b"\0" * 100, "not_jpeg"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "not_jpeg"),
    (b"\xff\xd8\xff\xe0" + b"\0" * 200 + b"\xff\xd9", "corrupt"),
])
def test_refuses_what_is_not_a_jpeg(data, reason):
    with pytest.raises(InvalidImage) as error:
        decode_jpeg(data)
    assert error.value.reason == reason


def test_refuses_a_truncated_upload():
    data = encode_jpeg(frame())
    with pytest.raises(InvalidImage) as error:
        decode_jpeg(data[: len(data) // 2])
    assert error.value.reason == "truncated"


def test_refuses_oversized_bytes():
    data = encode_jpeg(frame())
    with pytest.raises(InvalidImage) as error:
        decode_jpeg(data, Thresholds(max_jpeg_bytes=len(data) - 1))
    assert error.value.reason == "too_large"


@pytest.mark.parametrize("width, height", [(100, 80), (640, 90), (5000, 300)])
def test_refuses_pictures_that_are_not_webcam_frames(width, height):
    with pytest.raises(InvalidImage) as error:
        decode_jpeg(encode_jpeg(frame(width, height)))
    assert error.value.reason == "bad_size"


def test_refuses_non_bytes():
    with pytest.raises(InvalidImage) as error:
        decode_jpeg("not bytes")
    assert error.value.reason == "not_jpeg"


def test_accepts_memoryview_and_bytearray():
    data = encode_jpeg(frame())
    assert decode_jpeg(bytearray(data)).shape == (480, 640, 3)
    assert decode_jpeg(memoryview(data)).shape == (480, 640, 3)
