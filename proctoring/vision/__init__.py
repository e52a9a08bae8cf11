"""The webcam proctor's vision: pure functions over numpy arrays, no Flask, no database.

    image = decode_jpeg(jpeg_bytes)                    # validates; raises InvalidImage
    check = make_reference(image)                      # system-check photo -> ReferenceCheck
    analysis, memory = analyze(image, check.profile, memory)   # each exam frame
    evidence = draw_overlay(image, analysis)
    sample = liveness_sample(image, check.profile, baseline)  # the head-movement step

`memory` (a `Memory`, start with `Memory()`) is kept by the caller between frames
of one attempt; it lets `analyze` skip the identity model while the same face
sits still. Models load on first use, once per thread (`thread_models`), or pass
`models=load_models()`. Every threshold is in `thresholds.py` with its reason.
"""
from proctoring.vision.decode import decode_jpeg, encode_jpeg
from proctoring.vision.liveness import LivenessSample, liveness_sample
from proctoring.vision.models import Models, load_models, thread_models
from proctoring.vision.overlay import draw_overlay
from proctoring.vision.pipeline import analyze
from proctoring.vision.records import (
    FLAGS,
    Face,
    FaceQuality,
    FrameAnalysis,
    Gaze,
    HeadPose,
    InvalidImage,
    Memory,
    ModelUnavailable,
    Problem,
    ReferenceCheck,
    ReferenceProfile,
    VisionError,
)
from proctoring.vision.reference import make_reference
from proctoring.vision.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "DEFAULT_THRESHOLDS", "FLAGS", "Face", "FaceQuality", "FrameAnalysis", "Gaze", "HeadPose", "InvalidImage",
    "LivenessSample", "Memory", "ModelUnavailable", "Models", "Problem", "ReferenceCheck", "ReferenceProfile", "Thresholds",
    "VisionError", "analyze", "decode_jpeg", "draw_overlay", "encode_jpeg", "liveness_sample", "load_models", "make_reference",
    "thread_models",
]
