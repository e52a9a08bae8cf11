"""JPEG checks by content (no decoding library needed)."""
import pytest
from proctor_helpers import BASE_JPEG, PNG, SMALL_JPEG

from proctoring.analysis import embed_fake_scenario
from proctoring.jpeg import (
    CORRUPT,
    NOT_JPEG,
    TRUNCATED,
    JpegError,
    JpegInfo,
    inspect_jpeg,
)


def test_reads_the_size_of_a_real_jpeg():
    assert inspect_jpeg(BASE_JPEG) == JpegInfo(640, 480, 3, False)
    assert inspect_jpeg(SMALL_JPEG).width == 100


def test_a_comment_segment_does_not_disturb_it():
    assert inspect_jpeg(embed_fake_scenario(BASE_JPEG, faces=[])).height == 480


@pytest.mark.parametrize(("data", "reason"), [
    (b"", NOT_JPEG),
    (PNG, NOT_JPEG),
    (b"GIF89a" + b"\0" * 100, NOT_JPEG),
    (b"\xff\xd8\xff", NOT_JPEG),
    (BASE_JPEG[:len(BASE_JPEG) // 2], TRUNCATED),            # upload cut off mid-scan
    (BASE_JPEG[:40], TRUNCATED),                              # cut off in the headers
    (BASE_JPEG[:2] + b"\xff\xd9", CORRUPT),                  # end of image straight away
    (BASE_JPEG[:20] + b"\x00" * 50 + BASE_JPEG[20:], CORRUPT),  # garbage where a marker should be
    (b"\xff\xd8\xff\xda\x00\x08" + b"\x00" * 6 + b"\xff\xd9", CORRUPT),  # a scan before any frame header
])
def test_refuses_what_is_not_a_whole_jpeg(data, reason):
    with pytest.raises(JpegError) as error:
        inspect_jpeg(data)
    assert error.value.reason == reason


def test_refuses_a_zero_size_frame_header():
    sof = BASE_JPEG.find(b"\xff\xc0")
    broken = bytearray(BASE_JPEG)
    broken[sof + 5:sof + 9] = b"\x00\x00\x00\x00"
    with pytest.raises(JpegError) as error:
        inspect_jpeg(bytes(broken))
    assert error.value.reason == CORRUPT
