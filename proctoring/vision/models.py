"""The models, loaded offline from installed packages, and nothing else.

- MediaPipe 0.10.21 ships the face detectors (short range: 128x128 input, faces
  within ~2 m; full range: 192x192, up to ~5 m), the face mesh with iris
  refinement, in its legacy `solutions` API.
- dlib's face-recognition ResNet (128-number embeddings) and its 5-point shape
  predictor come from the `face_recognition_models` package; `dlib-bin` runs them.
  The package's `__init__` imports `pkg_resources`, so the files are found
  without importing it.

One `Models` per worker thread: MediaPipe graphs are not safe to share between
threads. In static-image mode they keep no state between calls, so results
depend on the frame alone.
"""
import importlib.util
import os
import threading
from dataclasses import dataclass

from proctoring.vision.records import ModelUnavailable


def package_dir(name: str) -> str:
    """The installed folder of a package, without importing it. Raises ModelUnavailable."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable("missing_package", f"the package {name!r} is not installed")
    return next(iter(spec.submodule_search_locations))


def dlib_model_path(filename: str) -> str:
    path = os.path.join(package_dir("face_recognition_models"), "models", filename)
    if not os.path.isfile(path):
        raise ModelUnavailable("missing_model", f"{path} is missing")
    return path


@dataclass
class Models:
    """The loaded models. Build with `load_models()`."""

    short_range: object
    full_range: object
    mesh: object
    shape_predictor: object
    face_encoder: object

    def close(self) -> None:
        for graph in (self.short_range, self.full_range, self.mesh):
            graph.close()


def load_models(min_confidence: float = 0.3) -> Models:
    """Load every model (about a second). Detectors keep candidates down to
    `min_confidence`; the pipeline applies its own thresholds. Raises ModelUnavailable."""
    try:
        import dlib
        from mediapipe.python.solutions import face_detection, face_mesh
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise ModelUnavailable("missing_package", f"a vision package is missing: {error}") from error
    return Models(
        short_range=face_detection.FaceDetection(model_selection=0, min_detection_confidence=min_confidence),
        full_range=face_detection.FaceDetection(model_selection=1, min_detection_confidence=min_confidence),
        mesh=face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1, refine_landmarks=True,
                                min_detection_confidence=0.3),
        shape_predictor=dlib.shape_predictor(dlib_model_path("shape_predictor_5_face_landmarks.dat")),
        face_encoder=dlib.face_recognition_model_v1(dlib_model_path("dlib_face_recognition_resnet_model_v1.dat")),
    )


_local = threading.local()


def thread_models() -> Models:
    """This thread's models, loaded on first use."""
    models = getattr(_local, "models", None)
    if models is None:
        models = _local.models = load_models()
    return models
