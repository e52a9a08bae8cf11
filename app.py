"""Application factory for the SIM theory-exam platform."""
import threading
from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from core.config import database_engine_options, load_config
from core.errors import refuse_nameless_form_fields, refuse_nul_characters, refuse_oversized_streams
from core.extensions import DATABASE_ID_MAX, babel, csrf, db, limiter, login_manager, migrate
from core.static import configure_static
from question_bank import allow_import_uploads

BASE_DIR = Path(__file__).resolve().parent


class DatabaseIntegerConverter(IntegerConverter):
    """`<int:...>` in a URL: an id the database can hold (DATABASE_ID_MAX), so a larger
    number is an unknown page (404), not an overflow inside the query (500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", DATABASE_ID_MAX)
        super().__init__(map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(BASE_DIR / "instance"), instance_relative_config=True)
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.config.update(load_config(Path(app.instance_path)))
    app.config.update(config or {})
    configure_extensions(app)
    configure_blueprints(app)
    configure_security_headers(app)
    configure_static(app)
    configure_errors_and_cli(app)
    configure_sweeper(app)
    configure_proctoring(app)
    return app


def select_locale() -> str:
    languages = ("id", "en")
    if not has_request_context():  # CLI commands and the sweeper: no session, no user
        return "id"
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return "id"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: WAL for concurrent readers during writes, and enforce foreign keys."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def configure_extensions(app: Flask) -> None:
    import core.audit  # noqa: F401  (the audit table belongs to the metadata)
    from accounts.models import User

    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", database_engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    db.init_app(app)
    limiter.init_app(app)
    if app.config["TRUSTED_PROXIES"] > 0:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    app.before_request(allow_import_uploads)  # the import's own upload limit, before anything reads the body
    app.before_request(refuse_oversized_streams)  # both before the CSRF check reads the body
    app.before_request(refuse_nameless_form_fields)
    app.before_request(refuse_nul_characters)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=str(BASE_DIR / "translations"))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str):
        """`User.get_id()` is "id:session_version": a cookie from before a sign-out no longer matches."""
        user_id, _, version = session_id.partition(":")
        if not (user_id.isdigit() and version.isdigit()) or len(user_id) > 18:
            return None
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.session_version == int(version) else None

    @app.context_processor
    def inject_locale():
        return {"current_locale": select_locale(), "other_locale": "en" if select_locale() == "id" else "id"}


def configure_blueprints(app: Flask) -> None:
    import accounts
    import exam
    import proctoring
    import question_bank
    import review
    from core import health

    app.register_blueprint(accounts.attach_routes())
    app.register_blueprint(question_bank.attach_routes())
    for blueprint in (*exam.attach_routes(), *proctoring.attach_routes()):
        app.register_blueprint(blueprint)
    app.register_blueprint(review.attach_routes())
    app.register_blueprint(health.bp)


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


# Only ever sent on an HTTPS response: browsers then refuse plain HTTP to this host for a year.
HSTS = "max-age=31536000; includeSubDomains"


def configure_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        if request.is_secure:  # served over TLS (directly, or X-Forwarded-Proto from a trusted proxy)
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.path.startswith(("/exam", "/api/")):
            response.headers["Cache-Control"] = "no-store"
        elif not request.path.startswith("/static/") and current_user.is_authenticated:
            # Pages for a signed-in user (the bank export, review pages, user lists) are
            # never kept by a browser or a shared cache.
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response


def configure_errors_and_cli(app: Flask) -> None:
    from core.cli import register_cli
    from core.errors import register_error_handlers
    from core.templating import register_filters

    register_error_handlers(app)
    register_cli(app)
    register_filters(app)


def configure_sweeper(app: Flask) -> None:
    """Submit expired exams every EXAM_SWEEP_INTERVAL seconds in a daemon thread, then
    auto-clear reviews that have become eligible (0 disables it; `flask sweep-expired`
    and `flask auto-clear` do the same from cron)."""
    interval = app.config["EXAM_SWEEP_INTERVAL"]
    if interval <= 0 or app.testing:
        return
    from exam.services import sweep_expired
    from proctoring.services import requeue_stale_frames
    from review.services import auto_clear_pending

    stop = threading.Event()

    def run() -> None:
        while not stop.wait(interval):
            with app.app_context():
                try:
                    sweep_expired()
                    auto_clear_pending()
                    requeue_stale_frames()
                except Exception:  # the sweeper must outlive a bad cycle
                    app.logger.exception("Expired-exam sweep failed")
                    db.session.rollback()

    threading.Thread(target=run, name="exam-sweeper", daemon=True).start()
    app.extensions["exam_sweeper_stop"] = stop


def configure_proctoring(app: Flask) -> None:
    """The frame-analysis worker pool (threads start on the first frame; stopped at exit,
    or by `app.extensions["proctor_pool"].shutdown()`), and with PROCTOR_QUEUE=celery the
    Celery queue that frame analysis and flag refreshes are sent to instead. On the
    in-process pool, the first request queues again the frames a previous process left
    waiting (`recover_lost_analyses`)."""
    from proctoring.worker import recover_lost_analyses, start_pool

    start_pool(app)
    recover_lost_analyses(app)
