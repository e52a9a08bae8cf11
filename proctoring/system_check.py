"""The camera check's verdict on a reference photo: pure, with reason codes, and
the messages the applicant reads for each code."""
from flask_babel import gettext as _

from proctoring.analysis import ReferenceAnalysis
from proctoring.rule_config import DEFAULT_RULES, RuleConfig
from proctoring.rules import main_face

NO_FACE, SEVERAL_FACES, UNSURE_FACE, FACE_TOO_SMALL = "no_face", "several_faces", "unsure_face", "face_too_small"
TOO_DARK, TOO_BRIGHT, NOT_LOOKING = "too_dark", "too_bright", "not_looking"


def check_reasons(reference: ReferenceAnalysis, config: RuleConfig = DEFAULT_RULES) -> list[str]:
    """Why the photo cannot be a reference ([] = it passes): exactly one face, large
    and bright enough, looking at the camera."""
    reasons = []
    if reference.brightness < config.check_min_brightness:
        reasons.append(TOO_DARK)
    elif reference.brightness > config.check_max_brightness:
        reasons.append(TOO_BRIGHT)
    if not reference.faces:
        return [NO_FACE, *reasons]
    others = sorted(reference.faces, key=lambda f: f.confidence, reverse=True)[1:]
    if any(f.confidence >= config.multi_face_min_confidence for f in others):
        return [SEVERAL_FACES, *reasons]
    face = main_face(reference.faces)
    if face.confidence < config.check_min_confidence or reference.signature is None:
        reasons.append(UNSURE_FACE)
    if face.height < config.check_min_face_height:
        reasons.append(FACE_TOO_SMALL)
    if (face.yaw is not None and abs(face.yaw) > config.check_max_yaw) or (
            face.pitch is not None and abs(face.pitch) > config.check_max_pitch):
        reasons.append(NOT_LOOKING)
    return reasons


def reason_message(code: str) -> str:
    messages = {
        NO_FACE: _("No face was found. Sit in front of the camera with your whole face in the picture."),
        SEVERAL_FACES: _("More than one face is in the picture. Only you may be in view during the exam."),
        UNSURE_FACE: _("Your face could not be seen clearly. Remove anything covering it and face the camera."),
        FACE_TOO_SMALL: _("Your face is too small in the picture. Move closer to the camera."),
        TOO_DARK: _("The picture is too dark. Turn on a light in front of you or move to a brighter place."),
        TOO_BRIGHT: _("The picture is too bright. Avoid a window or lamp shining into the camera."),
        NOT_LOOKING: _("Look straight at the camera for the photo."),
    }
    return messages.get(code, code)


def feedback(reference: ReferenceAnalysis, config: RuleConfig = DEFAULT_RULES) -> dict:
    """What the check page shows: reasons with their messages, face size and light."""
    reasons = check_reasons(reference, config)
    face = main_face(reference.faces)
    return {
        "passed": not reasons,
        "reasons": [{"code": code, "message": reason_message(code)} for code in reasons],
        "faces": len(reference.faces),
        "face_height": round(face.height, 3) if face else 0.0,
        "min_face_height": config.check_min_face_height,
        "brightness": round(reference.brightness, 1),
        "min_brightness": config.check_min_brightness,
        "max_brightness": config.check_max_brightness,
    }
