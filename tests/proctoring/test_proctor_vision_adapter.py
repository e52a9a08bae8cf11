"""The adapter between the web side and the real vision code, on frames built from
package photos (tests/browser/fake_camera.py)."""
import json
import math

import pytest
from browser.fake_camera import applicant_frame, empty_frame, two_people_frame

from proctoring.analysis import AnalysisFailed, FrameAnalysis
from proctoring.rules import MULTIPLE_FACES, NO_FACE, frame_conditions
from proctoring.vision import encode_jpeg
from proctoring.vision_adapter import VisionAnalyzer


@pytest.fixture(scope="module")
def analyzer():
    return VisionAnalyzer()


@pytest.fixture(scope="module")
def reference(analyzer):
    result = analyzer.analyze_reference(encode_jpeg(applicant_frame()))
    assert result.passed, result.problems
    return result


def test_the_reference_is_one_face_and_a_json_safe_signature(reference):
    assert len(reference.faces) == 1 and reference.problems == ()
    assert 0.2 < reference.faces[0].box[2] < 0.4  # about 190 of 640 pixels wide
    assert len(reference.signature) == 134
    json.dumps(reference.signature, allow_nan=False)


def test_a_refused_reference_gives_the_vision_codes_reasons(analyzer):
    result = analyzer.analyze_reference(encode_jpeg(two_people_frame()))
    assert not result.passed and result.problems == ("multiple_faces",) and result.signature is None


def test_frames_map_to_the_web_sides_records(analyzer, reference):
    same = analyzer.analyze_frame(encode_jpeg(applicant_frame()), reference.signature, memory_key="a1")
    assert len(same.faces) == 1 and same.identity_distance is not None and same.identity_distance < 0.3
    assert same.faces[0].yaw is not None and abs(same.faces[0].yaw) < 10
    assert frame_conditions(same) == set()
    two = analyzer.analyze_frame(encode_jpeg(two_people_frame()), reference.signature, memory_key="a1")
    assert frame_conditions(two) == {MULTIPLE_FACES} and min(f.confidence for f in two.faces) >= 0.6
    nobody = analyzer.analyze_frame(encode_jpeg(empty_frame()), reference.signature, memory_key="a1")
    assert frame_conditions(nobody) == {NO_FACE}


def test_the_stored_record_draws_the_overlay(analyzer, reference):
    data = encode_jpeg(two_people_frame())
    analysis = analyzer.analyze_frame(data, reference.signature)
    stored = FrameAnalysis.from_dict(json.loads(json.dumps(analysis.to_dict(), allow_nan=False)))
    overlay = analyzer.draw_overlay(data, stored)
    assert overlay.startswith(b"\xff\xd8") and overlay != data


def test_undecodable_pictures_fail_cleanly(analyzer):
    with pytest.raises(AnalysisFailed):
        analyzer.analyze_frame(b"\xff\xd8\xff" + b"\0" * 100, None)
    with pytest.raises(AnalysisFailed):
        analyzer.draw_overlay(encode_jpeg(applicant_frame()), FrameAnalysis())


def test_a_signature_with_no_gaze_round_trips(analyzer, reference):
    signature = list(reference.signature)
    signature[3] = signature[4] = None  # how a profile without gaze is stored
    result = analyzer.analyze_frame(encode_jpeg(applicant_frame()), signature)
    assert result.identity_distance is not None and not math.isnan(result.identity_distance)
