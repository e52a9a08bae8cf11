"""The liveness measurements judged on photographs from installed packages
(`devset.SOURCES`), split into the people the thresholds were chosen on (the dev
set's applicants) and people held back from that choice.

For each person, facing the camera at webcam distance:
- real movements: the head re-rendered turned in 3D (`synth.turn_head`, from the
  face mesh's own depth) — the step must count each in its direction, with depth,
  as the same person;
- photo attacks: the whole picture tilted as a plane (`synth.tilt_picture`), as a
  print or a phone held up to the camera — none may count as a movement.
Used by tests/vision/test_liveness.py and bench/liveness_report.py.
"""
from dataclasses import dataclass

import cv2
import numpy as np

from proctoring.vision.devset import APPLICANTS, subject_image
from proctoring.vision.liveness import LEFT, RIGHT, UP, liveness_sample
from proctoring.vision.models import Models, thread_models
from proctoring.vision.pipeline import analyze, mesh_landmarks
from proctoring.vision.records import ReferenceProfile
from proctoring.vision.reference import profile_from
from proctoring.vision.synth import HEIGHT, WIDTH, place, tilt_picture, turn_head
from proctoring.vision.thresholds import DEFAULT_THRESHOLDS, Thresholds

SPLITS = {"tuning": APPLICANTS, "held-back": ("paul", "cranston")}
LIVE_MOVES = ((25.0, 0.0), (-25.0, 0.0), (35.0, 0.0), (-35.0, 0.0), (0.0, 20.0), (0.0, 30.0))
TILTS = ((20.0, 0.0), (-20.0, 0.0), (35.0, 0.0), (-35.0, 0.0), (0.0, 25.0), (0.0, -25.0), (30.0, 15.0),
         (-30.0, 15.0))
MOVEMENTS = (LEFT, RIGHT, UP)


@dataclass(frozen=True)
class Row:
    person: str
    kind: str  # "live" or "tilt"
    yaw: float
    pitch: float
    direction: str | None
    rel_yaw: float
    rel_pitch: float
    depth: float
    identity: float
    verdict: str  # live: counted / missed; tilt: refused / COUNTED


@dataclass(frozen=True)
class Summary:
    live: int
    live_ok: int
    attacks: int
    attacks_passed: int
    live_depth: tuple[float, float]
    attack_depth: tuple[float, float]


def facing_frame(name: str) -> np.ndarray:
    image, box = subject_image(name)
    return place(image, box, face_width=170, centre=(WIDTH / 2, HEIGHT * 0.46))


def profile_of(frame: np.ndarray, models: Models) -> ReferenceProfile:
    """The person's reference taken from this frame as it is (the held-back people's
    photos are not all frontal enough for the reference check, which is not under test)."""
    analysis, _ = analyze(frame, models=models)
    return profile_from(frame, analysis, models)


def expected_direction(yaw: float, pitch: float) -> str:
    if yaw:
        return LEFT if yaw > 0 else RIGHT
    return UP


def counts_as_movement(sample, thresholds: Thresholds) -> bool:
    return (sample.direction in MOVEMENTS and sample.depth is not None
            and sample.depth >= thresholds.liveness_min_depth)


def _row(name, kind, yaw, pitch, sample, verdict) -> Row:
    return Row(name, kind, yaw, pitch, sample.direction, sample.yaw or 0.0, sample.pitch or 0.0,
               sample.depth if sample.depth is not None else float("nan"),
               sample.identity_distance if sample.identity_distance is not None else float("nan"), verdict)


def person_rows(name: str, models: Models, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> list[Row]:
    frame = facing_frame(name)
    profile = profile_of(frame, models)
    facing = liveness_sample(frame, profile, models=models, thresholds=thresholds)
    baseline = facing.landmarks
    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    analysis, _ = analyze(frame, models=models)
    mesh = mesh_landmarks(rgb, analysis.faces[0].box, models)
    rows = []
    for yaw, pitch in LIVE_MOVES:
        sample = liveness_sample(turn_head(frame, mesh, yaw, pitch), profile, baseline, models=models,
                                 thresholds=thresholds)
        same = sample.identity_distance is None or sample.identity_distance <= thresholds.identity_max_distance
        counted = sample.direction == expected_direction(yaw, pitch) and counts_as_movement(sample, thresholds)
        rows.append(_row(name, "live", yaw, pitch, sample, "counted" if counted and same else "missed"))
    for yaw, pitch in TILTS:
        sample = liveness_sample(tilt_picture(frame, yaw, pitch), profile, baseline, models=models,
                                 thresholds=thresholds)
        rows.append(_row(name, "tilt", yaw, pitch, sample,
                         "COUNTED" if counts_as_movement(sample, thresholds) else "refused"))
    return rows


def _range(values) -> tuple[float, float]:
    finite = [v for v in values if v == v]
    return (min(finite), max(finite)) if finite else (float("nan"), float("nan"))


def evaluate_split(names, models: Models | None = None,
                   thresholds: Thresholds = DEFAULT_THRESHOLDS) -> tuple[list[Row], Summary]:
    models = models or thread_models()
    rows = [row for name in names for row in person_rows(name, models, thresholds)]
    live = [r for r in rows if r.kind == "live"]
    tilts = [r for r in rows if r.kind == "tilt"]
    moved = [r for r in live if r.direction in MOVEMENTS]
    return rows, Summary(len(live), sum(r.verdict == "counted" for r in live), len(tilts),
                         sum(r.verdict == "COUNTED" for r in tilts), _range(r.depth for r in moved),
                         _range(r.depth for r in tilts))
