"""Configuration read from the environment, with safe defaults."""
import os
import secrets
from pathlib import Path


def _instance_secret(instance_path: Path) -> str:
    """Return the SECRET_KEY kept in the instance folder, creating it once."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(instance_path: Path) -> dict:
    """Build the configuration mapping for `create_app`."""
    instance_path.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'sim_exam.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "EVIDENCE_FOLDER": os.environ.get("EVIDENCE_FOLDER") or str(instance_path / "evidence"),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or str(instance_path / "uploads"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 5 * 1024 * 1024)),
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", True),
        "REMEMBER_COOKIE_HTTPONLY": True,
        # A form or page's security token lasts 4 hours: longer than any exam, short enough
        # that a token lifted from an old page is useless.
        "WTF_CSRF_TIME_LIMIT": int(os.environ.get("CSRF_TOKEN_SECONDS", 4 * 3600)),
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "LANGUAGES": ("id", "en"),
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", 5)),
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": int(os.environ.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", 20)),
        "LOGIN_MAX_FAILURES_PER_IP": int(os.environ.get("LOGIN_MAX_FAILURES_PER_IP", 30)),
        "LOGIN_LOCKOUT_MINUTES": int(os.environ.get("LOGIN_LOCKOUT_MINUTES", 15)),
        # Registrations accepted from one address (a fresh account must not be a fresh exam).
        "REGISTER_RATE_LIMIT": os.environ.get("REGISTER_RATE_LIMIT", "5 per hour;20 per day"),
        # Accounts per 30 days whose NIK shares its first 12 digits (district, birth date and
        # sex): a handful of real people at most; made-up NIKs for one person, many.
        "REGISTER_NIK_PREFIX_LIMIT": int(os.environ.get("REGISTER_NIK_PREFIX_LIMIT", 5)),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto (0: none, trust no header).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", 0)),
        "RETAKE_MAX": int(os.environ.get("RETAKE_MAX", 2)),
        "RETAKE_WINDOW_WORKING_DAYS": int(os.environ.get("RETAKE_WINDOW_WORKING_DAYS", 14)),
        "PUBLIC_HOLIDAYS": os.environ.get("PUBLIC_HOLIDAYS", ""),
        "EXAM_SWEEP_INTERVAL": int(os.environ.get("EXAM_SWEEP_INTERVAL", 0)),
        "SUBMIT_GRACE_SECONDS": int(os.environ.get("SUBMIT_GRACE_SECONDS", 2)),
        # Static files: versioned URLs (`?v=<content hash>`, added by url_for) are cached for a
        # year; a URL without the version (a link from CSS) for STATIC_MAX_AGE seconds.
        "SEND_FILE_MAX_AGE_DEFAULT": int(os.environ.get("STATIC_MAX_AGE", 3600)),
        **proctoring_config(),
    }


def database_engine_options(database_url: str) -> dict:
    """PostgreSQL: a statement waits at most DATABASE_LOCK_TIMEOUT_MS for a lock (SQLite's
    busy_timeout is the same 5 s), then fails with an OperationalError, which the app
    answers 503 + Retry-After (nothing half saved) instead of holding the worker until
    gunicorn kills it. DATABASE_STATEMENT_TIMEOUT_MS (0: none) bounds any statement; set
    it on web nodes (below gunicorn's timeout), not for a backup of a large database.
    Pooled connections are checked before use, so a restarted server costs no request."""
    if not database_url.startswith("postgresql"):
        return {}
    lock_ms = int(os.environ.get("DATABASE_LOCK_TIMEOUT_MS", 5000))
    statement_ms = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", 0))
    return {"pool_pre_ping": True,
            "connect_args": {"options": f"-c lock_timeout={lock_ms} -c statement_timeout={statement_ms}"}}


def proctoring_config() -> dict:
    """Webcam proctoring (see proctoring/README.md)."""
    env = os.environ.get
    return {
        # An exam starts only after a passing camera check (reference photo).
        "PROCTORING_REQUIRED": _env_bool("PROCTORING_REQUIRED", True),
        # "vision" (proctoring.vision) or "fake" (tests: proctoring.analysis.FakeAnalyzer).
        "PROCTOR_ANALYZER": env("PROCTOR_ANALYZER", "vision"),
        # Analyse frames inside the request instead of the worker pool (tests).
        "PROCTOR_SYNC_ANALYSIS": _env_bool("PROCTOR_SYNC_ANALYSIS", False),
        "PROCTOR_WORKERS": int(env("PROCTOR_WORKERS", 2)),
        # Where frame analysis and flag refreshes run: "threads" (the in-process pool, one
        # machine) or "celery" (tasks on Redis, run by `celery -A proctoring.tasks worker`;
        # needs REDIS_URL). REDIS_URL alone does not switch it: it may serve other purposes.
        "PROCTOR_QUEUE": env("PROCTOR_QUEUE", "threads").strip().lower(),
        "REDIS_URL": env("REDIS_URL", ""),
        # Celery: a task not acknowledged this long after delivery (its worker died) is
        # delivered again; analysis is idempotent, so a slow task delivered twice is harmless.
        "CELERY_VISIBILITY_TIMEOUT": int(env("CELERY_VISIBILITY_TIMEOUT", 300)),
        "CELERY_RESTORE_INTERVAL": int(env("CELERY_RESTORE_INTERVAL", 10)),
        # Retries of a task whose database was unreachable (exponential backoff, at most 60 s apart).
        "CELERY_TASK_MAX_RETRIES": int(env("CELERY_TASK_MAX_RETRIES", 8)),
        # A frame still queued this long after it arrived lost its job (a crashed process):
        # the sweeper queues it again. Analysis takes well under a second, so two minutes is ample.
        "PROCTOR_STALE_QUEUE_SECONDS": int(env("PROCTOR_STALE_QUEUE_SECONDS", 120)),
        "PROCTOR_FRAME_INTERVAL_SECONDS": float(env("PROCTOR_FRAME_INTERVAL_SECONDS", 5)),
        "PROCTOR_FRAME_JITTER_SECONDS": float(env("PROCTOR_FRAME_JITTER_SECONDS", 1.5)),
        "PROCTOR_FRAME_MAX_BYTES": int(env("PROCTOR_FRAME_MAX_BYTES", 512 * 1024)),
        "PROCTOR_FRAME_MIN_WIDTH": 160, "PROCTOR_FRAME_MIN_HEIGHT": 120,
        "PROCTOR_FRAME_MAX_WIDTH": 1280, "PROCTOR_FRAME_MAX_HEIGHT": 960,
        "PROCTOR_EVENTS_PER_BATCH": 200,
        # A passing check must be this recent when the exam starts.
        "PROCTOR_CHECK_VALID_MINUTES": int(env("PROCTOR_CHECK_VALID_MINUTES", 30)),
        # After the photo, the liveness step: this many random head movements (turn left,
        # turn right, look up), made within PROCTOR_LIVENESS_SECONDS and at most
        # PROCTOR_LIVENESS_MAX_FRAMES frames; a photo, screen or recording cannot follow them.
        "PROCTOR_LIVENESS_REQUIRED": _env_bool("PROCTOR_LIVENESS_REQUIRED", True),
        "PROCTOR_LIVENESS_STEPS": int(env("PROCTOR_LIVENESS_STEPS", 2)),
        "PROCTOR_LIVENESS_SECONDS": int(env("PROCTOR_LIVENESS_SECONDS", 60)),
        "PROCTOR_LIVENESS_MAX_FRAMES": int(env("PROCTOR_LIVENESS_MAX_FRAMES", 200)),
        # Privacy: frames that back no flag are deleted as soon as they are analysed and found
        # clean, the rest after PROCTOR_FRAME_RETENTION_HOURS; evidence after PROCTOR_EVIDENCE_RETENTION_DAYS.
        "PROCTOR_DELETE_CLEAN_FRAMES": _env_bool("PROCTOR_DELETE_CLEAN_FRAMES", True),
        "PROCTOR_FRAME_RETENTION_HOURS": int(env("PROCTOR_FRAME_RETENTION_HOURS", 24)),
        "PROCTOR_EVIDENCE_RETENTION_DAYS": int(env("PROCTOR_EVIDENCE_RETENTION_DAYS", 90)),
    }
