"""The records the vision code returns and keeps: small frozen dataclasses of plain
numbers, so they compare, pickle and turn into JSON without numpy.

Boxes are (x, y, width, height) in pixels of the analysed frame; angles in
degrees; `Memory` is what the caller keeps between two frames of one attempt.
"""
from dataclasses import asdict, dataclass, field

Box = tuple[float, float, float, float]

# Flags: what an examiner must look at in one frame.
NO_FACE = "no_face"
MULTIPLE_FACES = "multiple_faces"
FACE_PARTLY_OUT = "face_partly_out"
DARK = "dark"
BLURRY = "blurry"
FACE_TOO_SMALL = "face_too_small"
LOOKING_AWAY = "looking_away"
GAZE_AWAY = "gaze_away"
DIFFERENT_PERSON = "different_person"
FLAGS = (NO_FACE, MULTIPLE_FACES, FACE_PARTLY_OUT, DARK, BLURRY, FACE_TOO_SMALL, LOOKING_AWAY, GAZE_AWAY,
         DIFFERENT_PERSON)


class VisionError(Exception):
    """Base of the vision code's errors; `reason` is a short code for logs and APIs."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


class InvalidImage(VisionError):
    """The bytes are not a usable picture (not a JPEG, truncated, too large or too small)."""


class ModelUnavailable(VisionError):
    """A model file or package is missing from the installation."""


@dataclass(frozen=True)
class Face:
    """One detected face; `detector` is the pass that found it ("short" or "tile")."""

    box: Box
    confidence: float
    detector: str = "short"

    @property
    def center(self) -> tuple[float, float]:
        x, y, w, h = self.box
        return x + w / 2, y + h / 2

    @property
    def area(self) -> float:
        return self.box[2] * self.box[3]

    def relative_box(self, width: int, height: int) -> Box:
        """The box as fractions of the frame (the web side's unit)."""
        x, y, w, h = self.box
        return x / width, y / height, w / width, h / height


@dataclass(frozen=True)
class HeadPose:
    """Yaw (+ = the applicant's head turned to the image's right), pitch (+ = up), roll."""

    yaw: float
    pitch: float
    roll: float

    def largest_change(self, other: "HeadPose") -> float:
        return max(abs(self.yaw - other.yaw), abs(self.pitch - other.pitch), abs(self.roll - other.roll))


@dataclass(frozen=True)
class Gaze:
    """Iris offset from the eyes' centres, as fractions of half the eye width
    (x: + = towards the image's right; y: + = down). 0 = looking where the head points."""

    x: float
    y: float


@dataclass(frozen=True)
class FaceQuality:
    """Of the main face: its width in pixels and as a fraction of the frame width,
    its mean luma (0-255) and sharpness (variance of the Laplacian at 128 px)."""

    width_px: float
    width_fraction: float
    luma: float
    sharpness: float


@dataclass(frozen=True)
class FrameAnalysis:
    """What one frame shows. `faces` is sorted largest first (faces[0] is the main
    face). `pose` and `gaze` are relative to the reference when one is given
    (absolute otherwise); `identity_distance` is dlib's distance to the reference
    face (0 = same face; None without exactly one face or a reference), and
    `identity_fresh` says whether it was computed on this frame or carried over
    from an earlier one that the cheap patch check matched. `tiles_scanned`,
    `stages` (what ran) and `timings` (ms per stage) are for benchmarks and logs."""

    width: int
    height: int
    faces: tuple[Face, ...]
    brightness: float
    flags: tuple[str, ...]
    quality: FaceQuality | None = None
    pose: HeadPose | None = None
    raw_pose: HeadPose | None = None
    gaze: Gaze | None = None
    landmarks_outside: float | None = None
    identity_distance: float | None = None
    identity_fresh: bool = False
    tiles_scanned: int = 0
    stages: tuple[str, ...] = ()
    timings: dict = field(default_factory=dict, compare=False)

    @property
    def face_count(self) -> int:
        return len(self.faces)

    def has(self, flag: str) -> bool:
        return flag in self.flags

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ReferenceProfile:
    """The applicant's reference: the head pose the generic model reads for them
    looking at the camera (exam poses are measured against it), the gaze baseline,
    the face width, and the 128-number identity embedding."""

    pose: HeadPose
    gaze: Gaze | None
    face_width_fraction: float
    embedding: tuple[float, ...] = field(repr=False)

    def to_vector(self) -> tuple[float, ...]:
        """A flat tuple of floats for storage (e.g. the web side's `signature`)."""
        gaze = (self.gaze.x, self.gaze.y) if self.gaze else (float("nan"), float("nan"))
        return (self.pose.yaw, self.pose.pitch, self.pose.roll, *gaze, self.face_width_fraction, *self.embedding)

    @classmethod
    def from_vector(cls, vector) -> "ReferenceProfile":
        """Inverse of `to_vector`. Raises ValueError on a vector of the wrong length."""
        values = [float(v) for v in vector]
        if len(values) != 6 + 128:
            raise ValueError(f"a reference vector has 134 numbers, not {len(values)}")
        gaze = None if values[3] != values[3] else Gaze(values[3], values[4])  # NaN marks no gaze
        return cls(HeadPose(*values[:3]), gaze, values[5], tuple(values[6:]))


@dataclass(frozen=True)
class Problem:
    """Why a reference photo was refused: a code and a sentence for the applicant."""

    code: str
    message: str


@dataclass(frozen=True)
class ReferenceCheck:
    """Result of checking a system-check photo: `profile` when it is usable,
    otherwise the `problems` (most important first). `analysis` is what was seen."""

    analysis: FrameAnalysis
    profile: ReferenceProfile | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.profile is not None


@dataclass(frozen=True)
class TileState:
    """One tile of the small-face pass as last scanned: its grey thumbnail then,
    the faces found in it, and the frame number of that scan."""

    thumbnail: tuple[int, ...] = field(repr=False)
    faces: tuple[Face, ...]
    frame: int


@dataclass(frozen=True)
class VerifiedLook:
    """A face the identity model measured: the frame number, the distance to the
    reference, and what the face looked like then (its eye-aligned patch, box and
    pose), so a later face that looks the same can reuse the distance."""

    frame: int
    distance: float
    patch: tuple[int, ...] = field(repr=False)
    box: Box
    pose: HeadPose | None = None


@dataclass(frozen=True)
class Memory:
    """What `analyze` keeps between frames of one attempt, so it can skip work
    whose answer cannot have changed: the identity model while the face in the
    chair looks like one it recently measured (`looks`, newest first: the
    applicant frontal and turned, or an impostor), and the small-face pass on tiles
    whose picture has not changed. Plain numbers only: the caller may store it
    anywhere (`to_dict`/`from_dict` for JSON)."""

    frame_index: int = 0
    looks: tuple[VerifiedLook, ...] = ()
    frame_size: tuple[int, int] | None = None
    tiles: tuple[TileState, ...] | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Memory":
        def face(item):
            return Face(tuple(item["box"]), item["confidence"], item["detector"])

        def optional_tuple(value):
            return tuple(value) if value is not None else None

        def look(item):
            pose = item.get("pose")
            return VerifiedLook(int(item["frame"]), float(item["distance"]), tuple(item["patch"]),
                                tuple(item["box"]), HeadPose(**pose) if pose else None)

        tiles = data.get("tiles")
        return cls(
            frame_index=int(data.get("frame_index", 0)), looks=tuple(look(item) for item in data.get("looks", ())),
            frame_size=optional_tuple(data.get("frame_size")),
            tiles=None if tiles is None else tuple(
                TileState(tuple(t["thumbnail"]), tuple(face(f) for f in t["faces"]), int(t["frame"])) for t in tiles))
