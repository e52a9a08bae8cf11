"""Fake webcam videos for Chromium (`--use-file-for-fake-video-capture`): Y4M files
built from photos that installed packages ship, with the vision dev set's helpers
(`proctoring.vision.devset`): Eileen Collins (scikit-image's astronaut) in front of
the camera, Grace Hopper (matplotlib's sample) as a second person, and a face-free
scene from scikit-image. Chromium loops the file."""
from pathlib import Path

import cv2
import numpy as np

from proctoring.vision.devset import (
    HEIGHT,
    WIDTH,
    paste_head,
    place,
    read_source,
    subject_image,
)
from proctoring.vision.models import thread_models
from proctoring.vision.pipeline import analyze, mesh_landmarks
from proctoring.vision.synth import turn_head

FPS = 5


def applicant_frame() -> np.ndarray:
    """Collins at webcam distance, frontal, in the middle of a 640x480 frame."""
    image, box = subject_image("collins")
    return place(image, box, face_width=190, centre=(WIDTH / 2, HEIGHT * 0.45))


def turned_frames() -> dict[str, np.ndarray]:
    """The applicant's frame with her head turned to her left by 30 degrees and tipped
    up by 25, re-rendered from the face mesh (`synth.turn_head`), for the liveness step."""
    frame = applicant_frame()
    models = thread_models()
    analysis, _ = analyze(frame, models=models)
    mesh = mesh_landmarks(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), analysis.faces[0].box, models)
    return {"left": turn_head(frame, mesh, 30, 0), "up": turn_head(frame, mesh, 0, 25)}


def two_people_frame() -> np.ndarray:
    """The applicant with a second person looking over her shoulder (matplotlib, a
    MediaPipe dependency, ships Grace Hopper's photo)."""
    return paste_head(applicant_frame(), "hopper", face_width=130, centre=(WIDTH * 0.82, HEIGHT * 0.35), dim=1.0, blur=0)


def empty_frame() -> np.ndarray:
    """The room with nobody in it (scikit-image's brick wall)."""
    scene = read_source("skimage", "data/brick.png")
    return cv2.resize(scene, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)


def write_y4m(path: Path, segments: list[tuple[np.ndarray, float]], fps: int = FPS) -> Path:
    """A 640x480 I420 Y4M video: each (BGR frame, seconds) held still for its seconds."""
    with path.open("wb") as handle:
        handle.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame, seconds in segments:
            planes = cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes()
            for _ in range(max(1, round(seconds * fps))):
                handle.write(b"FRAME\n")
                handle.write(planes)
    return path
