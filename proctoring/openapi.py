"""OpenAPI description of the proctoring routes under /api/v1 (merged into the
document by `exam.openapi`). Same table format as there."""
JSON = "application/json"
ERROR = {"content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}}
ERROR_EXAMPLES = {"409": "This camera check has no movement step to take.",
                  "413": "The picture is too large (at most 512 KB).", "415": "The picture must be a JPEG image.",
                  "503": "The camera check is not available right now. Please try again later."}
CSRF = {"name": "X-CSRFToken", "in": "header", "required": True, "schema": {"type": "string"},
        "description": "Token from GET /session"}
ATTEMPT_ID = {"name": "public_id", "in": "path", "required": True, "schema": {"type": "string"}}
APPLICATION_ID = {"name": "application_id", "in": "path", "required": True, "schema": {"type": "integer"}}
CHECK_ID = {"name": "check_id", "in": "path", "required": True, "schema": {"type": "integer"},
            "description": "The `check` of a passing system-check answer"}
SEQUENCE = {"name": "sequence", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0},
            "description": "Frame number within the attempt (form field `sequence` with multipart)"}
CLIENT_TIME = {"name": "client_time", "in": "query", "required": False,
               "schema": {"oneOf": [{"type": "integer"}, {"type": "string", "format": "date-time"}]},
               "description": "Capture time, ms since 1970 (server-clock corrected) or ISO 8601; "
                              "form field `client_time` with multipart"}

PICTURE_BODY = {"required": True, "content": {
    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["frame"], "properties": {
        "frame": {"type": "string", "format": "binary"}, "sequence": {"type": "integer"},
        "client_time": {"type": "string"}}}},
}}
EVENTS_BODY = {"required": True, "content": {JSON: {"schema": {"type": "object", "required": ["events"], "properties": {
    "events": {"type": "array", "maxItems": 200, "items": {"type": "object", "required": ["id", "type", "at"],
               "properties": {"id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"},
                              "type": {"type": "string"},
                              "at": {"oneOf": [{"type": "integer"}, {"type": "string", "format": "date-time"}]},
                              "detail": {"type": "object"}}}}}},
    "example": {"events": [{"id": "e-1740885600-1", "type": "tab_hidden", "at": "2026-03-02T02:05:00Z"},
                           {"id": "e-1740885600-2", "type": "fullscreen_exit", "at": 1772417106000,
                            "detail": {"seconds": 3}}]}}}}


def _ok(schema: str, code: str) -> dict:
    return {code: {"description": "OK", "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}}


def _errors(*codes: str) -> dict:
    texts = {"409": "No movement step open on this check", "413": "Picture or batch too large",
             "415": "Not a JPEG", "503": "Camera check unavailable"}
    return {code: {"description": texts[code], "content": {JSON: {
        **ERROR["content"][JSON], "example": {"error": ERROR_EXAMPLES[code], "status": int(code)}}}}
        for code in codes}


OPERATIONS = [
    ("/attempts/{public_id}/frames", "post",
     ("Send a webcam frame (JPEG, at most 512 KB); stored and queued for analysis. A resent sequence number is "
      "answered 200 without storing it again."),
     [ATTEMPT_ID, CSRF, SEQUENCE, CLIENT_TIME], PICTURE_BODY,
     {**_ok("FrameReceipt", "202"), **_ok("FrameReceipt", "200"), **_errors("413", "415")}),
    ("/attempts/{public_id}/events", "post", "Send a batch of browser events (tab hidden, fullscreen exit, ...)",
     [ATTEMPT_ID, CSRF], EVENTS_BODY, {**_ok("EventsReceipt", "202"), **_errors("413")}),
    ("/applications/{application_id}/system-check", "post",
     "Take the reference photo of the camera check; the exam starts only after a passing check",
     [APPLICATION_ID, CSRF], PICTURE_BODY, {**_ok("SystemCheck", "201"), **_errors("413", "415", "503")}),
    ("/applications/{application_id}/system-check/preview", "post",
     "Live feedback on a camera picture (face size, light); nothing is stored",
     [APPLICATION_ID, CSRF], PICTURE_BODY, {**_ok("SystemCheck", "200"), **_errors("413", "415", "503")}),
    ("/system-checks/{check_id}/liveness", "post",
     ("One webcam frame of the liveness step that follows a passing reference photo: the server judges it and "
      "says what to do next (one random head movement at a time). Send frames one at a time until `status` "
      "is passed or failed; a failed step needs a new photo."),
     [CHECK_ID, CSRF], PICTURE_BODY, {**_ok("LivenessStep", "200"), **_errors("409", "413", "415", "503")}),
]

SCHEMAS = {
    "FrameReceipt": {"type": "object", "properties": {"frame": {"type": "integer"}, "sequence": {"type": "integer"},
                                                      "stored": {"type": "boolean"}}},
    "EventsReceipt": {"type": "object", "properties": {"stored": {"type": "integer"}}},
    "SystemCheck": {"type": "object", "properties": {
        "check": {"type": "integer", "description": "Only when the photo was taken (not for a preview)"},
        "passed": {"type": "boolean"},
        "reasons": {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string", "enum": ["no_face", "multiple_faces", "face_partly_out", "face_too_small",
                                               "too_dark", "too_bright", "blurry", "face_unclear",
                                               "not_facing_camera", "head_down", "head_up",
                                               "not_looking_at_camera"]},
            "message": {"type": "string"}}}},
        "faces": {"type": "integer"},
        "face_size": {"type": "number", "description": "Width of the main face as a fraction of the picture's"},
        "brightness": {"type": "number", "description": "Mean luma, 0-255"},
        "liveness": {"$ref": "#/components/schemas/LivenessStep"}}},
    "LivenessStep": {"type": "object", "properties": {
        "check": {"type": "integer"},
        "status": {"type": "string", "enum": ["pending", "passed", "failed"]},
        "instruction": {"type": "string", "nullable": True,
                        "enum": ["face_camera", "turn_left", "turn_right", "look_up", None]},
        "message": {"type": "string", "description": "The instruction in the applicant's language"},
        "done": {"type": "integer"}, "steps": {"type": "integer"},
        "reasons": {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string", "enum": ["multiple_faces", "different_person", "wrong_movement",
                                               "flat_picture", "timed_out"]},
            "message": {"type": "string"}}}}}},
}

# One example per response schema (exam.openapi adds them to the responses that use it).
EXAMPLES = {
    "FrameReceipt": {"frame": 412, "sequence": 37, "stored": True},
    "EventsReceipt": {"stored": 2},
    "SystemCheck": {"check": 9, "passed": False, "faces": 1, "face_size": 0.18, "brightness": 31.5,
                    "reasons": [{"code": "too_dark", "message": "The picture is too dark. Turn on a light in front "
                                                                "of you or move to a brighter place."}]},
    "LivenessStep": {"check": 9, "status": "pending", "instruction": "turn_left",
                     "message": "Slowly turn your head to your left, then back to the camera.",
                     "done": 1, "steps": 2, "reasons": []},
}
