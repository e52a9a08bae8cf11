"""One exception hierarchy for user-facing failures, mapped to HTTP answers in one place.

Messages are shown to the user, so they are written to be read by one and go
through gettext at the point they are raised.
"""
from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from core.extensions import db

DATABASE_RETRY_AFTER_SECONDS = 2


class PlatformError(Exception):
    """Base of every error that is the user's to fix; `status` is the HTTP answer."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class NotFound(PlatformError):
    status = 404


class Forbidden(PlatformError):
    status = 403


class Conflict(PlatformError):
    status = 409


class ValidationError(PlatformError):
    status = 422


def wants_json() -> bool:
    """True for API callers and fetch() calls that asked for JSON."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(message: str, status: int):
    if wants_json():
        return jsonify(error=message, status=status), status
    return render_template("error.html", message=message, status=status), status


def http_message(status: int, default: str) -> str:
    messages = {
        400: _("The request could not be read."),
        404: _("This page does not exist. Check the address, or start again from the home page."),
        405: _("This address does not accept that kind of request."),
        413: _("What was sent is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
    }
    return messages.get(status, default)


def refuse_oversized_streams() -> None:
    """A chunked body (no Content-Length) over MAX_CONTENT_LENGTH is a 413. Werkzeug
    stops reading such a stream at the limit without a word, so the truncated body
    would fail later as malformed (a misleading 400): read it here, and one byte past."""
    limit = request.max_content_length  # MAX_CONTENT_LENGTH, unless a route has its own limit
    if limit is None or request.content_length is not None or not request.environ.get("wsgi.input_terminated"):
        return
    if len(request.get_data(cache=True)) >= limit:
        request.stream.read(1)  # past the limit: Werkzeug raises RequestEntityTooLarge (413)


def refuse_nameless_form_fields() -> None:
    """A multipart part without a name (`Content-Disposition: form-data` alone) is
    refused before anything reads the form (the CSRF check would trip over it)."""
    if request.mimetype == "multipart/form-data" and (None in request.form or None in request.files):
        raise PlatformError(_("Every part of the form needs a name."), status=400)


def request_json():
    """The request's parsed JSON; None when it is not JSON, is malformed, or is nested too
    deep to parse (RecursionError, which get_json's `silent` does not cover)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def contains_nul(value) -> bool:
    """Whether any string in `value` (nested lists and dicts, walked without recursion so
    that a deeply nested body cannot exhaust the stack) holds a NUL."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def refuse_nul_characters() -> None:
    """A NUL character in a field, a query or a JSON string is refused with a 400: no
    applicant types one, and PostgreSQL cannot store it (a 500 deep inside the query)."""
    texts = [*request.args.keys(), *request.args.values(), *request.form.keys(), *request.form.values(),
             *(upload.filename or "" for upload in request.files.values())]
    if contains_nul(texts) or contains_nul(request_json()):
        raise PlatformError(_("The request contains a character that is not allowed (NUL)."), status=400)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(PlatformError)
    def handle_platform_error(error: PlatformError):
        db.session.rollback()
        return error_response(error.message, error.status)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        return error_response(_("Your form has expired or is missing its security token. Reload the page and try again."), 400)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        """Werkzeug's own errors (no such page, wrong method, body too large) in the app's
        words and language; the headers they carry (a 405's Allow) are kept."""
        status = error.code or 500
        message = error.description or error.name
        if message == type(error).description:  # Werkzeug's English default, not a message of ours
            message = http_message(status, message)
        response = make_response(*error_response(message, status))
        for name, value in error.get_headers():
            if name in ("Allow", "Retry-After", "WWW-Authenticate"):
                response.headers[name] = value
        return response

    @app.errorhandler(OperationalError)
    def handle_database_unavailable(error: OperationalError):
        """A locked or unreachable database: nothing was saved, so the client may retry."""
        db.session.rollback()
        app.logger.warning("Database unavailable: %s", error.orig)
        response, status = error_response(
            _("The exam server is busy. Your answer was not saved yet; it is sent again automatically."), 503)
        response = make_response(response, status)
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return error_response(_("Something went wrong on our side. Your saved answers are safe; please try again."), 500)
