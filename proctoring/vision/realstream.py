"""Scripted exam sessions of the real people in `proctoring.vision.realset`: the
benchmark's and the accuracy tests' stream of real, varied faces (the dev set's
sessions have only its three applicants).

Each person looking into the camera gets one session (`devset.SESSION_SCRIPT`:
alone, a visitor small in the background, the head turned, the lens covered,
another person in the chair, the light off). The visitor and the impostor are
other people of the same split, so a split's figures never involve the other's
faces.
"""
import zlib

import numpy as np

from proctoring.vision.devset import SESSION_SCRIPT, DevFrame, _rng, scripted_session
from proctoring.vision.realset import FACES, RealFace, portrait
from proctoring.vision.synth import place


def session_people(split: str | None = None, faces=FACES) -> list[tuple[RealFace, RealFace, RealFace]]:
    """(applicant, visitor, impostor) per person looking into the camera (one photo
    each), the other two drawn from the same split's other people."""
    facing = [face for face in faces if face.facing and (split is None or face.split == split)]
    applicants = list({face.person: face for face in reversed(facing)}.values())[::-1]
    sessions = []
    for face in applicants:
        others = [other for other in facing if other.person != face.person and other.split == face.split]
        if len(others) < 2:
            continue
        rng = np.random.default_rng(zlib.crc32(f"real/{face.person}".encode()))
        visitor, impostor = (others[i] for i in rng.choice(len(others), 2, replace=False))
        sessions.append((face, visitor, impostor))
    return sessions


def real_sessions(mesh_of, split: str | None = None, script=SESSION_SCRIPT, faces=FACES) -> list[DevFrame]:
    """The frames of every real person's session, in order; each frame's `reference`
    is the applicant (their reference photo: `reference_frame`)."""
    return [frame for people in session_people(split, faces) for frame in real_session(*people, mesh_of, script)]


def real_session(face: RealFace, visitor: RealFace, impostor: RealFace, mesh_of, script=SESSION_SCRIPT,
                 ) -> list[DevFrame]:
    """One scripted session of `face`, with `visitor` in the background and `impostor` in the chair."""
    return scripted_session((face.person, *portrait(face)), portrait(visitor), (impostor.person, *portrait(impostor)),
                            mesh_of, script, _rng(f"real-session/{face.person}"))


def reference_frame(face: RealFace) -> np.ndarray:
    """The applicant's reference photo: alone at the centre of a 640x480 frame, the
    face 165 px wide like in the session."""
    image, box = portrait(face)
    return place(image, box, 165, (320, 240))
