"""Fixtures of the vision tests: the models, loaded once, and the dev set,
generated once per test session into a temporary folder."""
import hashlib
from types import SimpleNamespace

import cv2
import pytest

from proctoring.vision import analyze, load_models, make_reference
from proctoring.vision.detect import run_detector
from proctoring.vision.devset import APPLICANTS, build_devset, session_stream
from proctoring.vision.evaluation import reference_profiles
from proctoring.vision.pipeline import mesh_landmarks


@pytest.fixture(scope="session")
def models():
    loaded = load_models()
    yield loaded
    loaded.close()


@pytest.fixture(scope="session")
def mesh_of(models):
    """Face-mesh landmarks of the largest face (the dev set turns heads with them)."""
    def landmarks(frame):
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        faces = run_detector(models.short_range, rgb, 0.3, "short")
        return mesh_landmarks(rgb, max(faces, key=lambda f: f.area).box, models) if faces else None

    return landmarks


@pytest.fixture(scope="session")
def devset(mesh_of, tmp_path_factory):
    return build_devset(mesh_of, str(tmp_path_factory.mktemp("devset")))


@pytest.fixture(scope="session")
def profiles(devset, models):
    return reference_profiles(devset, models)


@pytest.fixture(scope="session")
def sessions(mesh_of):
    """The scripted exam session of each applicant."""
    return {name: session_stream(name, mesh_of) for name in APPLICANTS}


@pytest.fixture(scope="session")
def real_vision(models):
    """`make_reference` and a fresh-memory `analyze` (its (analysis, memory) pair), each run once per distinct frame
    (and reference) in the session: the real set's reports (reference check, fairness,
    identity pairs) build many of the same frames, and both functions are
    deterministic for a frame and a reference."""
    checks, analyses = {}, {}

    def key(frame):
        return frame.shape, hashlib.sha1(frame.tobytes()).hexdigest()

    def reference(frame):
        found = key(frame)
        if found not in checks:
            checks[found] = make_reference(frame, models=models)
        return checks[found]

    def judge(frame, profile):
        found = (key(frame), id(profile))
        if found not in analyses:
            analyses[found] = (analyze(frame, profile, models=models), profile)  # the profile keeps its id
        return analyses[found][0]

    return SimpleNamespace(make_reference=reference, analyze=judge)
