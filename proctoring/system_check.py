"""The camera check's feedback: the analyzer's verdict on a picture (its reason
codes, see `proctoring.vision.reference`) with a message the applicant can act on
for each code, in their language."""
from flask_babel import gettext as _

from proctoring.analysis import ReferenceAnalysis
from proctoring.rules import main_face

LIGHT_PROBLEMS = ("too_dark", "too_bright")


def reason_message(code: str) -> str:
    messages = {
        "no_face": _("No face was found. Sit in front of the camera with your whole face in the picture."),
        "multiple_faces": _("More than one face is in the picture. Only you may be in view during the exam."),
        "face_partly_out": _("Part of your face is outside the picture. Move to the middle of the camera's view."),
        "face_too_small": _("Your face is too small in the picture. Move closer to the camera."),
        "too_dark": _("The picture is too dark. Turn on a light in front of you or move to a brighter place."),
        "too_bright": _("The picture is too bright. Avoid a window or lamp shining into the camera."),
        "blurry": _("The picture is blurred. Hold still and clean the camera lens."),
        "face_unclear": _("Your face could not be seen clearly. Remove anything covering it and face the camera."),
        "not_facing_camera": _("Turn your head to face the camera directly."),
        "head_down": _("Raise your chin a little and look straight into the camera."),
        "head_up": _("Lower your chin a little and look straight into the camera."),
        "not_looking_at_camera": _("Look straight into the camera for the photo."),
    }
    return messages.get(code, _("The photo cannot be used. Please try again."))


def feedback(reference: ReferenceAnalysis) -> dict:
    """What the check page shows: pass or not, the reasons with their messages, and
    the face count, face size (fraction of the picture's width) and light."""
    face = main_face(reference.faces)
    return {
        "passed": reference.passed,
        "reasons": [{"code": code, "message": reason_message(code)} for code in reference.problems],
        "faces": len(reference.faces),
        "face_size": round(face.box[2], 3) if face else 0.0,
        "brightness": round(reference.brightness, 1),
    }
