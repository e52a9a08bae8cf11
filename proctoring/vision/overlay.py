"""Evidence images: the frame with what the analysis saw drawn on it."""
import math

import cv2
import numpy as np

from proctoring.vision.records import (
    DIFFERENT_PERSON,
    FACE_PARTLY_OUT,
    GAZE_AWAY,
    LOOKING_AWAY,
    FrameAnalysis,
)

OK_COLOUR = (80, 200, 60)  # BGR
ALERT_COLOUR = (40, 40, 230)
TEXT_COLOUR = (255, 255, 255)
PERSON_FLAGS = (LOOKING_AWAY, GAZE_AWAY, DIFFERENT_PERSON, FACE_PARTLY_OUT)


def _label(image: np.ndarray, text: str, origin: tuple[int, int], colour) -> None:
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)
    x, y = max(0, origin[0]), max(h + 4, origin[1])
    cv2.rectangle(image, (x, y - h - 4), (x + w + 4, y + base), colour, -1)
    cv2.putText(image, text, (x + 2, y - 2), cv2.FONT_HERSHEY_SIMPLEX, 0.5, TEXT_COLOUR, 1, cv2.LINE_AA)


def draw_overlay(frame_bgr: np.ndarray, analysis: FrameAnalysis) -> np.ndarray:
    """A copy of the frame with every face box (green: the one expected face, in
    order; red: all faces when there are several, or the one face when it is
    turned, cut, looking aside or someone else), a head-pose arrow from the main
    face, the face count, identity distance and the frame's flags. The input is
    not changed."""
    image = frame_bgr.copy()
    alert = analysis.face_count != 1 or any(flag in analysis.flags for flag in PERSON_FLAGS)
    for index, face in enumerate(analysis.faces):
        x, y, w, h = (round(v) for v in face.box)
        colour = ALERT_COLOUR if alert else OK_COLOUR
        cv2.rectangle(image, (x, y), (x + w, y + h), colour, 2)
        _label(image, f"{index + 1}: {face.confidence:.2f}", (x, y - 2), colour)
    if analysis.faces and analysis.pose is not None:
        cx, cy = analysis.faces[0].center
        length = analysis.faces[0].box[2] * 0.8
        yaw, pitch = math.radians(analysis.pose.yaw), math.radians(analysis.pose.pitch)
        tip = (int(cx + length * math.sin(yaw)), int(cy - length * math.sin(pitch)))
        colour = ALERT_COLOUR if LOOKING_AWAY in analysis.flags else OK_COLOUR
        cv2.arrowedLine(image, (int(cx), int(cy)), tip, colour, 2, cv2.LINE_AA, tipLength=0.25)
    lines = [f"faces: {analysis.face_count}  luma: {analysis.brightness:.0f}"]
    if analysis.pose is not None:
        lines.append(f"yaw {analysis.pose.yaw:+.0f} pitch {analysis.pose.pitch:+.0f} roll {analysis.pose.roll:+.0f}")
    if analysis.identity_distance is not None:
        lines.append(f"identity distance {analysis.identity_distance:.2f}")
    if analysis.flags:
        lines.append(", ".join(analysis.flags))
    for row, text in enumerate(lines):
        colour = ALERT_COLOUR if analysis.flags and row == len(lines) - 1 else (60, 60, 60)
        _label(image, text, (6, 20 + 20 * row), colour)
    return image
