"""The OpenAPI 3 description of /api/v1, built from a compact table of operations."""

JSON = "application/json"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(schema: str, code: str = "200") -> dict:
    return {code: {"description": "OK", "content": {JSON: {"schema": _ref(schema)}}}}


ERRORS = {code: {"description": text, "content": {JSON: {"schema": _ref("Error"), "example": {
    "error": example, "status": int(code)}}}}
          for code, (text, example) in {
              "400": ("Bad request", "The request body must be a JSON object."),
              "401": ("Not signed in", "Please sign in first."),
              "403": ("Wrong role", "You do not have access to this page."),
              "404": ("Not found", "Exam not found."),
              "409": ("Not allowed in the attempt's state", "You already have an exam in progress."),
              "422": ("Invalid value", "That answer option does not exist."),
              "429": ("Too many sign-in attempts",
                      "Too many failed sign-in attempts. Please wait 15 minutes and try again.")}.items()}

ATTEMPT_ID = {"name": "public_id", "in": "path", "required": True, "schema": {"type": "string"}}
NUMBER = {"name": "number", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1},
          "description": "Question position, 1-based"}
CSRF = {"name": "X-CSRFToken", "in": "header", "required": True, "schema": {"type": "string"},
        "description": "Token from GET /session"}


def _body(properties: dict, required: list[str], example: dict) -> dict:
    return {"required": True, "content": {JSON: {"schema": {"type": "object", "properties": properties,
                                                           "required": required}, "example": example}}}


OPERATIONS = [
    ("/session", "get", "Current user and CSRF token", [], None, _ok("Session")),
    ("/session", "post", "Sign in", [CSRF], _body({"email": {"type": "string"}, "password": {"type": "string"}},
                                                 ["email", "password"],
                                                 {"email": "siti@contoh.id", "password": "rahasia-sekali-1"}),
     _ok("Session")),
    ("/session", "delete", "Sign out", [CSRF], None, {"200": {"description": "Signed out"}}),
    ("/applications", "get", "The applicant's registrations and whether each may start an exam", [], None,
     _ok("Applications")),
    ("/attempts", "post", "Start an exam (draws the paper, starts the clock)", [CSRF],
     _body({"application_id": {"type": "integer"}, "consent": {"type": "boolean", "enum": [True]}},
           ["application_id", "consent"], {"application_id": 1, "consent": True}), _ok("Attempt", "201")),
    ("/attempts/{public_id}", "get", "Attempt state, server time and navigation grid", [ATTEMPT_ID], None,
     _ok("Attempt")),
    ("/attempts/{public_id}/questions/{number}", "get", "One question (never its answer key)",
     [ATTEMPT_ID, NUMBER], None, _ok("QuestionWithAttempt")),
    ("/attempts/{public_id}/questions/{number}/answer", "post", "Save an answer (refused after the deadline)",
     [ATTEMPT_ID, NUMBER, CSRF], _body({"option": {"type": "integer", "minimum": 0}}, ["option"], {"option": 2}),
     _ok("QuestionWithAttempt")),
    ("/attempts/{public_id}/questions/{number}/skip", "post", "Per-question mode: move on unanswered",
     [ATTEMPT_ID, NUMBER, CSRF], None, _ok("AttemptOnly")),
    ("/attempts/{public_id}/questions/{number}/flag", "post", "Flag or unflag a question for review",
     [ATTEMPT_ID, NUMBER, CSRF], _body({"flagged": {"type": "boolean"}}, ["flagged"], {"flagged": True}),
     _ok("QuestionWithAttempt")),
    ("/attempts/{public_id}/submit", "post", "Submit the exam", [ATTEMPT_ID, CSRF], None, _ok("Result")),
    ("/attempts/{public_id}/result", "get", "Result after submission", [ATTEMPT_ID], None, _ok("Result")),
    ("/verify/{code}", "get", "Public verification of a result",
     [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}], None, _ok("Verification")),
]

CERTIFICATE_STATUSES = ["pending_review", "valid", "invalidated", "not_passed"]
BILINGUAL = {"type": "object", "properties": {"id": {"type": "string"}, "en": {"type": "string"}}}

SCHEMAS = {
    "Error": {"type": "object", "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
              "required": ["error", "status"]},
    "Session": {"type": "object", "properties": {"user": {"type": "object", "nullable": True},
                                                  "csrf_token": {"type": "string"}}},
    "Applications": {"type": "object", "properties": {"applications": {"type": "array", "items": {
        "type": "object", "properties": {"id": {"type": "integer"}, "sim_class": {"type": "string"},
                                         "status": {"type": "string"}, "may_start": {"type": "boolean"},
                                         "retakes_used": {"type": "integer"}, "retakes_allowed": {"type": "integer"},
                                         "retake_window_closes": {"type": "string", "nullable": True}}}}}},
    "Attempt": {"type": "object", "properties": {
        "id": {"type": "string"}, "state": {"type": "string", "enum": ["in_progress", "submitted"]},
        "sim_class": {"type": "string"}, "delivery_mode": {"type": "string", "enum": ["free", "per_question"]},
        "question_count": {"type": "integer"}, "pass_mark": {"type": "integer"},
        "started_at": {"type": "string", "format": "date-time"}, "deadline_at": {"type": "string", "format": "date-time"},
        "server_now": {"type": "string", "format": "date-time"}, "seconds_left": {"type": "integer"},
        "current_position": {"type": "integer"},
        "question_deadline_at": {"type": "string", "format": "date-time", "nullable": True},
        "question_seconds_left": {"type": "integer", "nullable": True},
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "position": {"type": "integer"}, "answered": {"type": "boolean"}, "flagged": {"type": "boolean"}}}}}},
    "Question": {"type": "object", "properties": {
        "position": {"type": "integer"}, "topic": {"type": "string"}, "topic_label": BILINGUAL, "text": BILINGUAL,
        "text_format": {"type": "string", "enum": ["plain", "html"]},
        "image": {"type": "string", "nullable": True},
        "options": {"type": "array", "items": {"type": "object", "properties": {"key": {"type": "integer"},
                                                                              "text": BILINGUAL}}},
        "choice": {"type": "integer", "nullable": True}, "flagged": {"type": "boolean"}}},
    "QuestionWithAttempt": {"type": "object", "properties": {"question": _ref("Question"), "attempt": _ref("Attempt")}},
    "AttemptOnly": {"type": "object", "properties": {"attempt": _ref("Attempt")}},
    "Result": {"type": "object", "properties": {
        "id": {"type": "string"}, "sim_class": {"type": "string"}, "submitted_at": {"type": "string"},
        "auto_submitted": {"type": "boolean"}, "correct": {"type": "integer"}, "total": {"type": "integer"},
        "score": {"type": "integer"}, "pass_mark": {"type": "integer"}, "passed": {"type": "boolean"},
        "by_topic": {"type": "array", "items": {"type": "object", "properties": {
            "topic": {"type": "string"}, "label": BILINGUAL, "correct": {"type": "integer"}, "total": {"type": "integer"}}}},
        "verification_code": {"type": "string"}, "verification_url": {"type": "string"},
        "review": {"type": "object", "properties": {
            "status": {"type": "string", "enum": ["pending", "valid", "invalid"]}, "auto_cleared": {"type": "boolean"},
            "reason": {"type": "string", "nullable": True}, "reason_label": {**BILINGUAL, "nullable": True},
            "decided_at": {"type": "string", "format": "date-time", "nullable": True},
            "certificate_status": {"type": "string", "enum": CERTIFICATE_STATUSES}}}}},
    "Verification": {"type": "object", "properties": {
        "name": {"type": "string"}, "sim_class": {"type": "string"}, "date": {"type": "string"},
        "passed": {"type": "boolean"}, "score": {"type": "integer"},
        "review_status": {"type": "string", "enum": ["pending", "valid", "invalid"]},
        "certificate_status": {"type": "string", "enum": CERTIFICATE_STATUSES}}},
}

_ATTEMPT_EXAMPLE = {
    "id": "Xk3v9QpLmR2a", "state": "in_progress", "sim_class": "A", "delivery_mode": "free",
    "question_count": 30, "pass_mark": 21, "started_at": "2026-03-02T02:00:00Z",
    "deadline_at": "2026-03-02T02:30:00Z", "server_now": "2026-03-02T02:04:10Z", "seconds_left": 1550,
    "current_position": 2, "question_deadline_at": None, "question_seconds_left": None,
    "items": [{"position": 1, "answered": True, "flagged": False},
              {"position": 2, "answered": False, "flagged": True}]}
_QUESTION_EXAMPLE = {
    "position": 2, "topic": "signs", "topic_label": {"id": "Rambu lalu lintas", "en": "Traffic signs"},
    "text": {"id": "Apa arti rambu ini?", "en": "What does this sign mean?"}, "text_format": "plain",
    "image": "/exam/images/5f0c2a9e.svg",
    "options": [{"key": 0, "text": {"id": "Dilarang berhenti", "en": "No stopping"}},
                {"key": 1, "text": {"id": "Dilarang parkir", "en": "No parking"}},
                {"key": 2, "text": {"id": "Wajib berhenti", "en": "Stop"}}],
    "choice": None, "flagged": True}
_RESULT_EXAMPLE = {
    "id": "Xk3v9QpLmR2a", "sim_class": "A", "submitted_at": "2026-03-02T02:21:37Z", "auto_submitted": False,
    "correct": 24, "total": 30, "score": 24, "pass_mark": 21, "passed": True,
    "by_topic": [{"topic": "signs", "label": {"id": "Rambu lalu lintas", "en": "Traffic signs"},
                  "correct": 5, "total": 6}],
    "verification_code": "7Q4KM-2M9XH", "verification_url": "https://sim.example.id/verify/7Q4KM-2M9XH",
    "review": {"status": "pending", "auto_cleared": False, "reason": None, "reason_label": None,
               "decided_at": None, "certificate_status": "pending_review"}}
# One example per response schema (added to every JSON response that uses it), so that
# a reader, a client generator or a mock server sees a realistic answer.
EXAMPLES = {
    "Session": {"user": {"email": "siti@contoh.id", "full_name": "Siti Aminah", "role": "applicant"},
                "csrf_token": "IjQ1ZjA3YjU2ZTc4NDVkNmEi.Z8Q2mA.n1cQk2c"},
    "Applications": {"applications": [{"id": 1, "sim_class": "A", "status": "open", "may_start": True,
                                       "retakes_used": 0, "retakes_allowed": 2, "retake_window_closes": None}]},
    "Attempt": _ATTEMPT_EXAMPLE,
    "QuestionWithAttempt": {"question": _QUESTION_EXAMPLE, "attempt": _ATTEMPT_EXAMPLE},
    "AttemptOnly": {"attempt": _ATTEMPT_EXAMPLE},
    "Result": _RESULT_EXAMPLE,
    "Verification": {"name": "S*** A*****", "sim_class": "A", "date": "2026-03-02", "passed": True, "score": 24,
                     "review_status": "valid", "certificate_status": "valid"},
}


SECURITY_SCHEMES = {
    "session": {"type": "apiKey", "in": "cookie", "name": "session",
                "description": "The signed session cookie set by POST /session (sign-in)"},
    "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
             "description": "The token from GET /session; needed by every request that changes something"},
}
PUBLIC = {("/session", "get"), ("/verify/{code}", "get")}


def operation_id(path: str, method: str) -> str:
    """'post' + '/attempts/{public_id}/questions/{number}/answer' -> 'postAttemptsByPublicIdQuestionsByNumberAnswer'."""
    words = []
    for part in path.strip("/").replace("-", "_").split("/"):
        if part.startswith("{"):
            words.append("By" + "".join(word.title() for word in part.strip("{}").split("_")))
        else:
            words.append("".join(word.title() for word in part.split("_")))
    return method + "".join(words)


def security_for(path: str, method: str) -> list[dict]:
    """Who may call it: the public reads need nothing; sign-in needs the CSRF token; the
    rest need the session, and the CSRF token when they change something."""
    if (path, method) in PUBLIC:
        return []
    if (path, method) == ("/session", "post"):
        return [{"csrf": []}]
    return [{"session": []}] if method == "get" else [{"session": [], "csrf": []}]


def _attempt_links(prefix: str) -> dict:
    """Links from a response carrying an Attempt at `prefix` (a JSON pointer) to the
    operations on that attempt, at its current question."""
    public_id = {"public_id": f"$response.body#{prefix}/id"}
    at_question = {**public_id, "number": f"$response.body#{prefix}/current_position"}
    return {
        "GetAttempt": {"operationId": "getAttemptsByPublicId", "parameters": public_id},
        "GetQuestion": {"operationId": "getAttemptsByPublicIdQuestionsByNumber", "parameters": at_question},
        "Answer": {"operationId": "postAttemptsByPublicIdQuestionsByNumberAnswer", "parameters": at_question},
        "Flag": {"operationId": "postAttemptsByPublicIdQuestionsByNumberFlag", "parameters": at_question},
        "Skip": {"operationId": "postAttemptsByPublicIdQuestionsByNumberSkip", "parameters": at_question},
        "Submit": {"operationId": "postAttemptsByPublicIdSubmit", "parameters": public_id},
        "GetResult": {"operationId": "getAttemptsByPublicIdResult", "parameters": public_id},
        "SendFrame": {"operationId": "postAttemptsByPublicIdFrames", "parameters": public_id},
        "SendEvents": {"operationId": "postAttemptsByPublicIdEvents", "parameters": public_id},
    }


# OpenAPI links: how a response's values feed the next operations (for clients and for
# stateful testing, e.g. schemathesis following GET /applications to a started exam).
FIRST_APPLICATION = "$response.body#/applications/0/id"
LINKS = {
    ("/applications", "get", "200"): {
        "StartAttempt": {"operationId": "postAttempts",
                         "requestBody": {"application_id": FIRST_APPLICATION, "consent": True}},
        "TakeReferencePhoto": {"operationId": "postApplicationsByApplicationIdSystemCheck",
                               "parameters": {"application_id": FIRST_APPLICATION}},
        "PreviewPhoto": {"operationId": "postApplicationsByApplicationIdSystemCheckPreview",
                         "parameters": {"application_id": FIRST_APPLICATION}},
    },
    ("/applications/{application_id}/system-check", "post", "201"): {
        "Liveness": {"operationId": "postSystemChecksByCheckIdLiveness",
                     "parameters": {"check_id": "$response.body#/check"}},
    },
    ("/attempts", "post", "201"): _attempt_links(""),
    ("/attempts/{public_id}", "get", "200"): _attempt_links(""),
    ("/attempts/{public_id}/questions/{number}", "get", "200"): _attempt_links("/attempt"),
    ("/attempts/{public_id}/questions/{number}/answer", "post", "200"): _attempt_links("/attempt"),
    ("/attempts/{public_id}/questions/{number}/flag", "post", "200"): _attempt_links("/attempt"),
    ("/attempts/{public_id}/questions/{number}/skip", "post", "200"): _attempt_links("/attempt"),
    ("/attempts/{public_id}/submit", "post", "200"): {
        "GetResult": {"operationId": "getAttemptsByPublicIdResult",
                      "parameters": {"public_id": "$response.body#/id"}},
        "Verify": {"operationId": "getVerifyByCode", "parameters": {"code": "$response.body#/verification_code"}},
    },
}


def _with_links(path: str, method: str, responses: dict) -> dict:
    linked = dict(responses)
    for (link_path, link_method, code), links in LINKS.items():
        if (link_path, link_method) == (path, method):
            linked[code] = {**linked[code], "links": links}
    return linked


def _with_examples(responses: dict, examples: dict) -> dict:
    """Each JSON response whose schema has an entry in `examples` carries that example."""
    shown = {}
    for code, response in responses.items():
        media = response.get("content", {}).get(JSON)
        name = media and media["schema"].get("$ref", "").rsplit("/", 1)[-1]
        if media and "example" not in media and name in examples:
            response = {**response, "content": {**response["content"], JSON: {**media, "example": examples[name]}}}
        shown[code] = response
    return shown


def openapi_document() -> dict:
    from proctoring import openapi as proctoring_openapi

    examples = {**EXAMPLES, **proctoring_openapi.EXAMPLES}
    paths: dict[str, dict] = {}
    for path, method, summary, parameters, body, responses in OPERATIONS + proctoring_openapi.OPERATIONS:
        responses = _with_examples({**responses, **ERRORS}, examples)
        operation = {"operationId": operation_id(path, method), "summary": summary, "parameters": parameters,
                     "security": security_for(path, method),
                     "responses": _with_links(path, method, responses)}
        if body:
            operation["requestBody"] = body
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": "SIM theory exam API", "version": "1.0.0",
                 "description": "The applicant's exam flow. Session-cookie authentication; "
                                "state-changing requests need the X-CSRFToken header."},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {"schemas": {**SCHEMAS, **proctoring_openapi.SCHEMAS}, "securitySchemes": SECURITY_SCHEMES},
    }
