"""Hypothesis-generated pictures against the checks and the upload endpoints: cut,
bit-flipped and spliced JPEGs, frame headers claiming huge sizes, random bytes and
nothing at all. The JPEG check and the real decoder only ever answer with their own
errors, and the frame and camera-check endpoints only ever with a 2xx or a clear 4xx
(never a 500); a refused picture stores nothing."""
import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from proctor_helpers import BASE_JPEG, post_check, post_frame

from proctoring.jpeg import JpegError, inspect_jpeg
from proctoring.models import Frame
from proctoring.vision import InvalidImage, decode_jpeg

ACCEPTED_STATUSES = {200, 201, 202, 400, 413, 415, 422}


def sof(width: int, height: int) -> bytes:
    """A baseline frame header claiming `width` x `height` (three components)."""
    body = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xc0" + struct.pack(">H", len(body) + 2) + body


@st.composite
def pictures(draw) -> bytes:
    data = bytearray(BASE_JPEG)
    kind = draw(st.sampled_from(["cut", "flip", "splice", "huge", "random", "empty"]))
    if kind == "cut":
        data = data[:draw(st.integers(0, len(data) - 1))]
    elif kind == "flip":
        for _ in range(draw(st.integers(1, 20))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    elif kind == "splice":
        at = draw(st.integers(2, len(data) - 1))
        data[at:at] = draw(st.binary(min_size=1, max_size=64))
    elif kind == "huge":
        data[2:2] = sof(draw(st.integers(0, 65535)), draw(st.integers(0, 65535)))
    elif kind == "random":
        data = bytearray(draw(st.binary(max_size=2048)))
    else:
        data = bytearray()
    return bytes(data)


@settings(max_examples=300, deadline=None)
@given(picture=pictures())
def test_the_checks_answer_only_with_their_own_errors(picture):
    try:
        inspect_jpeg(picture)
    except JpegError:
        pass
    try:
        decode_jpeg(picture)
    except InvalidImage:
        pass


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picture=pictures())
def test_the_frame_endpoint_never_fails_on_a_picture(exam, rows, picture):
    before = len(rows(Frame))
    exam.sequence += 1
    response = post_frame(exam.api, exam.public_id, picture, exam.sequence, exam.clock.now.isoformat() + "Z")
    assert response.status_code in ACCEPTED_STATUSES, (response.status_code, response.get_json())
    assert response.is_json and (response.status_code < 300 or response.get_json()["error"])
    if response.status_code >= 400:
        assert len(rows(Frame)) == before  # refused: nothing stored


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picture=pictures())
def test_the_camera_check_never_fails_on_a_picture(proctored, applicant, applicant_api, picture):
    response = post_check(applicant_api, applicant.application_id, picture)
    assert response.status_code in ACCEPTED_STATUSES, (response.status_code, response.get_json())
