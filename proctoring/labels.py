"""Translated names for the proctor's flag kinds, severities and browser events."""
from flask_babel import gettext as _

from proctoring.rules import (
    CAMERA_OFF,
    COPY_PASTE,
    DARK_ROOM,
    FACE_REUSED,
    FAST_ANSWERS,
    FULLSCREEN_EXIT,
    IDENTITY_MISMATCH,
    LOOKING_AWAY,
    MULTIPLE_FACES,
    NO_FACE,
    NO_VIDEO,
    TAB_HIDDEN,
)


def flag_kind_label(kind: str) -> str:
    labels = {
        NO_FACE: _("No face"), MULTIPLE_FACES: _("More than one face"), LOOKING_AWAY: _("Looking away"),
        IDENTITY_MISMATCH: _("Different person"), CAMERA_OFF: _("Camera off"), TAB_HIDDEN: _("Left the exam tab"),
        FULLSCREEN_EXIT: _("Left fullscreen"), COPY_PASTE: _("Copy / paste"), NO_VIDEO: _("No video"),
        FAST_ANSWERS: _("Answered too fast"), FACE_REUSED: _("Face used by another account"),
        DARK_ROOM: _("Dark room"),
    }
    return labels.get(kind, kind.replace("_", " "))


def severity_label(severity: str) -> str:
    return {"high": _("high"), "medium": _("medium"), "low": _("low")}.get(severity, severity)


def event_kind_label(kind: str) -> str:
    labels = {
        "tab_hidden": _("Exam tab hidden"), "tab_visible": _("Exam tab visible again"),
        "window_blur": _("Window lost focus"), "window_focus": _("Window focused again"),
        "fullscreen_enter": _("Entered fullscreen"), "fullscreen_exit": _("Left fullscreen"),
        "copy": _("Copy"), "cut": _("Cut"), "paste": _("Paste"), "context_menu": _("Right-click menu"),
        "print_screen": _("Print screen"), "shortcut": _("Shortcut key"), "window_small": _("Window made small"),
        "window_restored": _("Window restored"), "camera_started": _("Camera started"),
        "camera_ended": _("Camera stopped"), "camera_muted": _("Camera muted"), "camera_unmuted": _("Camera unmuted"),
        "camera_unavailable": _("Camera unavailable"), "page_reload": _("Page reloaded"),
        "frame_refused": _("Camera picture refused"),
    }
    return labels.get(kind, kind.replace("_", " "))
