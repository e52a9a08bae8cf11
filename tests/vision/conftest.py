"""Fixtures of the vision tests: the models, loaded once, and the dev set,
generated once per test session into a temporary folder."""
import cv2
import pytest

from proctoring.vision import load_models
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
