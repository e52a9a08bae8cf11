"""`Analyzer` on top of the real vision code (`proctoring.vision`): JPEG bytes in,
the web side's records out.

- Boxes become fractions of the frame; the head pose (relative to the reference)
  goes on the main face; the vision code's per-frame flags pass through.
- The reference signature is `ReferenceProfile.to_vector()`, stored as JSON with
  None for NaN (PostgreSQL's JSON has no NaN).
- The vision code's `Memory` (which lets it skip the identity model while the
  same face sits still) is kept per attempt in this process, bounded; losing it
  only costs an extra identity computation.
- The full vision record is kept in `FrameAnalysis.detail`, so the evidence
  overlay is drawn from exactly what was seen.
"""
import math
import threading
from collections import OrderedDict

from proctoring.analysis import (
    AnalysisFailed,
    AnalyzerUnavailable,
    Face,
    FrameAnalysis,
    LivenessFrame,
    ReferenceAnalysis,
)

MEMORIES_KEPT = 512

try:  # numpy, OpenCV, MediaPipe and dlib are needed only here
    from proctoring import vision
except ImportError as error:  # pragma: no cover - depends on the installation
    vision = None
    IMPORT_ERROR = error


def _finite(value):
    """JSON-safe copy: NaN and infinities become None, tuples become lists."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def _faces(analysis) -> tuple[Face, ...]:
    """The vision faces as the web side's: fractions of the frame, pose on the main face."""
    faces = []
    for index, face in enumerate(analysis.faces):
        pose = analysis.pose if index == 0 and analysis.pose is not None else None
        faces.append(Face(tuple(round(v, 4) for v in face.relative_box(analysis.width, analysis.height)),
                          round(face.confidence, 4),
                          round(pose.yaw, 1) if pose else None, round(pose.pitch, 1) if pose else None))
    return tuple(faces)


def _vision_analysis(detail: dict):
    """Rebuild a vision FrameAnalysis from its stored dict (for the overlay)."""
    def pose(data):
        return vision.HeadPose(**data) if data else None

    return vision.FrameAnalysis(
        width=detail["width"], height=detail["height"],
        faces=tuple(vision.Face(tuple(f["box"]), f["confidence"], f.get("detector", "short")) for f in detail["faces"]),
        brightness=detail["brightness"], flags=tuple(detail.get("flags", ())),
        quality=vision.FaceQuality(**detail["quality"]) if detail.get("quality") else None,
        pose=pose(detail.get("pose")), raw_pose=pose(detail.get("raw_pose")),
        gaze=vision.Gaze(**detail["gaze"]) if detail.get("gaze") else None,
        landmarks_outside=detail.get("landmarks_outside"), identity_distance=detail.get("identity_distance"),
        identity_fresh=bool(detail.get("identity_fresh")), stages=tuple(detail.get("stages", ())))


class VisionAnalyzer:
    """The real analyzer. Raises AnalyzerUnavailable when the vision packages are missing."""

    def __init__(self):
        if vision is None:
            raise AnalyzerUnavailable(f"the vision packages are not installed: {IMPORT_ERROR}")
        self.same_person_distance = vision.DEFAULT_THRESHOLDS.identity_max_distance
        self._memories: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the calling thread's models now (a Celery pool process does, when it starts)."""
        try:
            vision.thread_models()
        except vision.ModelUnavailable as error:
            raise AnalyzerUnavailable(error.message) from error

    @staticmethod
    def _decode(jpeg: bytes):
        try:
            return vision.decode_jpeg(jpeg)
        except vision.InvalidImage as error:
            raise AnalysisFailed(f"{error.reason}: {error.message}") from error

    def analyze_reference(self, jpeg: bytes) -> ReferenceAnalysis:
        image = self._decode(jpeg)
        try:
            check = vision.make_reference(image)
        except vision.ModelUnavailable as error:
            raise AnalyzerUnavailable(error.message) from error
        analysis = check.analysis
        signature = tuple(_finite(list(check.profile.to_vector()))) if check.ok else None
        return ReferenceAnalysis(_faces(analysis), round(analysis.brightness, 1),
                                 tuple(problem.code for problem in check.problems), signature)

    @staticmethod
    def _profile(reference):
        try:
            return vision.ReferenceProfile.from_vector([math.nan if v is None else v for v in reference])
        except ValueError as error:
            raise AnalysisFailed(f"unusable reference signature: {error}") from error

    def analyze_frame(self, jpeg: bytes, reference, memory_key: str | None = None) -> FrameAnalysis:
        image = self._decode(jpeg)
        profile = self._profile(reference) if reference else None
        with self._lock:
            memory = self._memories.get(memory_key) if memory_key else None
        try:
            analysis, memory = vision.analyze(image, profile, memory)
        except vision.ModelUnavailable as error:
            raise AnalyzerUnavailable(error.message) from error
        if memory_key:
            with self._lock:
                self._memories[memory_key] = memory
                self._memories.move_to_end(memory_key)
                while len(self._memories) > MEMORIES_KEPT:
                    self._memories.popitem(last=False)
        detail = _finite(analysis.to_dict())
        detail.pop("timings", None)
        return FrameAnalysis(_faces(analysis), round(analysis.brightness, 1),
                             None if analysis.identity_distance is None else round(analysis.identity_distance, 4),
                             tuple(analysis.flags), detail)

    def analyze_liveness_frame(self, jpeg: bytes, reference, baseline) -> LivenessFrame:
        image = self._decode(jpeg)
        thresholds = vision.DEFAULT_THRESHOLDS
        try:
            sample = vision.liveness_sample(image, self._profile(reference), baseline)
        except vision.ModelUnavailable as error:
            raise AnalyzerUnavailable(error.message) from error
        distance, depth = sample.identity_distance, sample.depth
        return LivenessFrame(
            sample.face_count, sample.direction,
            None if distance is None else distance <= thresholds.identity_max_distance,
            None if depth is None else depth < thresholds.liveness_min_depth, sample.landmarks,
            {"yaw": sample.yaw, "pitch": sample.pitch, "identity_distance": distance, "depth": depth})

    def reference_distance(self, a, b) -> float:
        return vision.identity.distance(self._profile(a).embedding, self._profile(b).embedding)

    def draw_overlay(self, jpeg: bytes, analysis: FrameAnalysis) -> bytes:
        image = self._decode(jpeg)
        if not analysis.detail or "width" not in analysis.detail:
            raise AnalysisFailed("the frame has no vision record to draw")
        try:
            return vision.encode_jpeg(vision.draw_overlay(image, _vision_analysis(analysis.detail)))
        except (KeyError, TypeError, ValueError) as error:
            raise AnalysisFailed(f"the vision record cannot be drawn: {error}") from error
