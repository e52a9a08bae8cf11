"""The interface between the web side of proctoring and the vision code.

The web side speaks JPEG bytes and small frozen records (`Face`, `FrameAnalysis`,
`ReferenceAnalysis`); the vision code (`proctoring.vision`, pure functions over
numpy arrays) sits behind `Analyzer`, adapted by `proctoring.vision_adapter`.
Per-frame judgements ("this head is turned away", "this is another person") and
the reference photo's verdict are the analyzer's, with its own thresholds
(`proctoring/vision/thresholds.py`); the rules (`proctoring.rules`) add time and
confidence on top.

`FakeAnalyzer` is a deterministic stand-in for tests: it reads what it should
"see" from a JPEG comment segment, so a test can describe a frame without any
image library. `get_analyzer(app)` picks one by `PROCTOR_ANALYZER` ("vision" or
"fake") and keeps it for the app's lifetime (models are loaded once per thread).
"""
import json
import math
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Protocol

from flask import Flask

Box = tuple[float, float, float, float]


class AnalysisFailed(Exception):
    """The image could not be analysed (undecodable, or the vision code failed)."""


class AnalyzerUnavailable(Exception):
    """The configured analyzer cannot be loaded (e.g. the vision packages are missing)."""


@dataclass(frozen=True)
class Face:
    """One detected face. `box` is (x, y, width, height) as fractions of the frame;
    `yaw`/`pitch` are head-pose angles in degrees (0 = facing the camera)."""

    box: Box
    confidence: float
    yaw: float | None = None
    pitch: float | None = None

    @property
    def height(self) -> float:
        return self.box[3]


# Per-frame flags the analyzer may set (the vision code's names).
LOOKING_AWAY_FLAG = "looking_away"
DIFFERENT_PERSON_FLAG = "different_person"


@dataclass(frozen=True)
class FrameAnalysis:
    """What the analyzer saw in one exam frame. `faces` is largest first;
    `identity_distance` compares the one face with the reference photo (None when
    there is not exactly one face or no reference); `brightness` is the mean luma,
    0-255; `flags` are the analyzer's per-frame judgements; `detail` is the
    analyzer's own full record (kept for the evidence overlay, not read by rules)."""

    faces: tuple[Face, ...] = ()
    brightness: float = 0.0
    identity_distance: float | None = None
    flags: tuple[str, ...] = ()
    detail: dict | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "FrameAnalysis":
        faces = tuple(Face(tuple(f["box"]), f["confidence"], f.get("yaw"), f.get("pitch")) for f in data.get("faces", ()))
        return cls(faces, float(data.get("brightness", 0.0)), data.get("identity_distance"),
                   tuple(data.get("flags", ())), data.get("detail"))


@dataclass(frozen=True)
class ReferenceAnalysis:
    """The reference photo from the system check. `problems` are the analyzer's
    reason codes why it cannot be a reference (empty = it passes; messages in
    `proctoring.system_check`); `signature` is what later frames are compared
    with (None unless it passes)."""

    faces: tuple[Face, ...] = ()
    brightness: float = 0.0
    problems: tuple[str, ...] = ()
    signature: tuple[float | None, ...] | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        return not self.problems and self.signature is not None

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("signature")
        return data


# Where the head points in the liveness step (the applicant's own left and right).
CENTRE, LEFT, RIGHT, UP, BETWEEN = "centre", "left", "right", "up", "between"


@dataclass(frozen=True)
class LivenessFrame:
    """One frame of the liveness step, as the analyzer judged it. `direction` is
    CENTRE, LEFT, RIGHT, UP or BETWEEN (None without exactly one measurable face);
    `same_person` compares the face with the reference photo (None when it was not
    measured); `planar` says the head moved like a flat picture since the facing
    `baseline` (None without a baseline); `landmarks` become the baseline when the
    frame faces the camera; `detail` holds the measurements for the record."""

    face_count: int
    direction: str | None = None
    same_person: bool | None = None
    planar: bool | None = None
    landmarks: tuple[float, ...] | None = field(default=None, repr=False)
    detail: dict = field(default_factory=dict, compare=False)


class Analyzer(Protocol):
    same_person_distance: float

    def analyze_reference(self, jpeg: bytes) -> ReferenceAnalysis:
        """Faces, brightness and identity signature of a reference photo. Raises AnalysisFailed."""

    def analyze_frame(self, jpeg: bytes, reference: tuple[float | None, ...] | None,
                      memory_key: str | None = None) -> FrameAnalysis:
        """Faces, head pose, brightness, identity distance and flags of one exam frame.
        `memory_key` (the attempt) lets the analyzer reuse work between frames of one
        attempt. Raises AnalysisFailed."""

    def analyze_liveness_frame(self, jpeg: bytes, reference: tuple[float | None, ...],
                               baseline: tuple[float, ...] | None) -> LivenessFrame:
        """Direction, identity and depth of one liveness-step frame. Raises AnalysisFailed."""

    def reference_distance(self, a: tuple[float | None, ...], b: tuple[float | None, ...]) -> float:
        """How far apart the faces of two reference signatures are (under
        `same_person_distance`: the same person)."""

    def draw_overlay(self, jpeg: bytes, analysis: FrameAnalysis) -> bytes:
        """The frame as JPEG with the analysis drawn on it. Raises AnalysisFailed."""


# --------------------------------------------------------------------------- the fake

FAKE_MARKER = b"fake-vision:"
OVERLAY_MARKER = b"fake-overlay"
DEFAULT_FAKE_FACE = {"box": [0.3, 0.2, 0.4, 0.55], "confidence": 0.98, "yaw": 0.0, "pitch": 0.0}


def _comment_segment(payload: bytes) -> bytes:
    return b"\xff\xfe" + (len(payload) + 2).to_bytes(2, "big") + payload


def embed_fake_scenario(jpeg: bytes, **scenario) -> bytes:
    """`jpeg` with a comment telling FakeAnalyzer what to see, e.g.
    `embed_fake_scenario(data, faces=[], brightness=90)`. Keys: faces (list of
    dicts like DEFAULT_FAKE_FACE), brightness, identity_distance, signature, fail,
    seconds (an exam frame's analysis takes this long, like the real models). Yaw
    beyond 30 or pitch beyond 25 degrees is "looking away", an identity distance
    over 0.6 "another person"."""
    return jpeg[:2] + _comment_segment(FAKE_MARKER + json.dumps(scenario).encode()) + jpeg[2:]


def _fake_scenario(jpeg: bytes) -> dict:
    start = jpeg.find(b"\xff\xfe")
    while start != -1:
        length = int.from_bytes(jpeg[start + 2:start + 4], "big")
        payload = jpeg[start + 4:start + 2 + length]
        if payload.startswith(FAKE_MARKER):
            return json.loads(payload[len(FAKE_MARKER):])
        start = jpeg.find(b"\xff\xfe", start + 2)
    return {}


class FakeAnalyzer:
    """Sees what the JPEG's comment says (default: one bright, frontal face that
    matches the reference) and judges it with fixed, simple thresholds.
    Deterministic and instant (unless told to take `seconds`), for tests."""

    AWAY_YAW, AWAY_PITCH, SAME_PERSON, DARK = 30.0, 25.0, 0.6, 45.0
    TURN_YAW, LOOK_UP_PITCH, CENTRE_DEGREES, MIN_DEPTH = 20.0, 15.0, 10.0, 0.02
    same_person_distance = SAME_PERSON

    def _faces(self, scenario: dict) -> tuple[Face, ...]:
        if scenario.get("fail"):
            raise AnalysisFailed("fake analyzer asked to fail")
        faces = scenario.get("faces", [DEFAULT_FAKE_FACE])
        return tuple(Face(tuple(f["box"]), f["confidence"], f.get("yaw"), f.get("pitch")) for f in faces)

    def analyze_reference(self, jpeg: bytes) -> ReferenceAnalysis:
        scenario = _fake_scenario(jpeg)
        faces = self._faces(scenario)
        brightness = float(scenario.get("brightness", 128.0))
        problems = []
        if len(faces) != 1:
            problems.append("no_face" if not faces else "multiple_faces")
        else:
            face = faces[0]
            if face.box[2] < 0.18:
                problems.append("face_too_small")
            if brightness < 42:
                problems.append("too_dark")
            elif brightness > 225:
                problems.append("too_bright")
            if abs(face.yaw or 0) > 20:
                problems.append("not_facing_camera")
            elif abs(face.pitch or 0) > 20:
                problems.append("head_down" if face.pitch > 0 else "head_up")
        person = [float(secrets.randbelow(10**9))]
        signature = None if problems else tuple(scenario.get("signature", [0.0, 1.0, *person]))
        return ReferenceAnalysis(faces, brightness, tuple(problems), signature)

    def analyze_frame(self, jpeg: bytes, reference: tuple[float | None, ...] | None,
                      memory_key: str | None = None) -> FrameAnalysis:
        scenario = _fake_scenario(jpeg)
        time.sleep(float(scenario.get("seconds", 0)))
        faces = self._faces(scenario)
        distance = scenario.get("identity_distance", 0.1) if len(faces) == 1 and reference is not None else None
        flags = []
        if len(faces) == 1 and (abs(faces[0].yaw or 0) > self.AWAY_YAW or abs(faces[0].pitch or 0) > self.AWAY_PITCH):
            flags.append(LOOKING_AWAY_FLAG)
        if distance is not None and distance > self.SAME_PERSON:
            flags.append(DIFFERENT_PERSON_FLAG)
        return FrameAnalysis(faces, float(scenario.get("brightness", 128.0)), distance, tuple(flags),
                             {"analyzer": "fake"})

    def _direction(self, face: Face) -> str:
        yaw, pitch = face.yaw or 0.0, face.pitch or 0.0
        if abs(yaw) >= self.TURN_YAW:
            return LEFT if yaw > 0 else RIGHT
        if pitch >= self.LOOK_UP_PITCH:
            return UP
        return CENTRE if max(abs(yaw), abs(pitch)) <= self.CENTRE_DEGREES else BETWEEN

    def analyze_liveness_frame(self, jpeg: bytes, reference, baseline) -> LivenessFrame:
        scenario = _fake_scenario(jpeg)
        faces = self._faces(scenario)
        if len(faces) != 1:
            return LivenessFrame(len(faces))
        distance = scenario.get("identity_distance", 0.1)
        depth = scenario.get("depth", 0.05)
        return LivenessFrame(1, self._direction(faces[0]), distance <= self.SAME_PERSON,
                             None if baseline is None else depth < self.MIN_DEPTH, (0.0,),
                             {"identity_distance": distance, "depth": depth})

    def reference_distance(self, a, b) -> float:
        if len(a) != len(b):
            return math.inf
        return math.dist([v or 0.0 for v in a], [v or 0.0 for v in b])

    def draw_overlay(self, jpeg: bytes, analysis: FrameAnalysis) -> bytes:
        return jpeg[:2] + _comment_segment(OVERLAY_MARKER) + jpeg[2:]


# --------------------------------------------------------------------------- choosing one

_lock = threading.Lock()


def get_analyzer(app: Flask) -> Analyzer:
    """The app's analyzer, created on first use. Raises AnalyzerUnavailable when
    the vision code cannot be imported."""
    analyzer = app.extensions.get("proctor_analyzer")
    if analyzer is not None:
        return analyzer
    with _lock:
        analyzer = app.extensions.get("proctor_analyzer")
        if analyzer is None:
            kind = app.config["PROCTOR_ANALYZER"]
            if kind == "fake":
                analyzer = FakeAnalyzer()
            elif kind == "vision":
                from proctoring.vision_adapter import VisionAnalyzer

                analyzer = VisionAnalyzer()
            else:
                raise AnalyzerUnavailable(f"unknown PROCTOR_ANALYZER {kind!r}")
            app.extensions["proctor_analyzer"] = analyzer
    return analyzer
