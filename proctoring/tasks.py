"""The Celery worker's side: the proctoring jobs as tasks, each run in an app context.

Start a worker (one per core; more machines, more of the same command):

    .venv/bin/celery -A proctoring.tasks worker --concurrency 1 -Q frames --loglevel INFO

with the web nodes' settings (DATABASE_URL, EVIDENCE_FOLDER, REDIS_URL,
PROCTOR_QUEUE=celery, ...). Importing this module builds the Flask app with
`create_app`, so only the worker imports it; the web side sends tasks by name
(`proctoring.worker.CeleryQueue`).

Tasks take ids only and are idempotent by id (`proctoring.jobs`): a frame already
analysed is not analysed again, so a retried or redelivered task is a no-op. A task
whose database is unreachable is retried with exponential backoff, a bounded number
of times; after that the frame stays queued and the stale-frame sweep sends it again.
The vision models are loaded once per worker process, when the process starts.
"""
from celery import Task
from celery.signals import worker_process_init
from sqlalchemy.exc import DBAPIError, OperationalError

from app import create_app
from core.celery_app import ANALYZE_FRAME, REFRESH_FLAGS, make_celery
from core.extensions import db
from proctoring import jobs
from proctoring.analysis import AnalyzerUnavailable, get_analyzer

# The sweeper belongs to the web nodes (or cron), not to the workers.
flask_app = create_app({"EXAM_SWEEP_INTERVAL": 0, "PROCTOR_QUEUE": "celery"})
celery = make_celery(flask_app)

TRANSIENT = (OperationalError, DBAPIError)


class AppContextTask(Task):
    """Runs the task inside a fresh app context (the database session is removed after it)."""

    abstract = True

    def __call__(self, *args, **kwargs):
        with flask_app.app_context():
            return super().__call__(*args, **kwargs)


def _task(name: str):
    return celery.task(name=name, base=AppContextTask, autoretry_for=TRANSIENT,
                       max_retries=flask_app.config["CELERY_TASK_MAX_RETRIES"],
                       retry_backoff=1, retry_backoff_max=60, retry_jitter=True,
                       acks_late=True, reject_on_worker_lost=True)


@_task(ANALYZE_FRAME)
def analyze_frame(frame_id: int) -> str:
    """`proctoring.jobs.analyze_frame`: "analyzed", "failed" or "skipped" (not queued any more)."""
    return jobs.analyze_frame(int(frame_id))


@_task(REFRESH_FLAGS)
def refresh_flags(attempt_id: int) -> int:
    """`proctoring.jobs.refresh_flags`: the attempt's new risk score."""
    return jobs.refresh_flags(int(attempt_id))


@worker_process_init.connect
def _prepare_process(**_kwargs) -> None:
    """In each new pool process: no database connection inherited from the parent, and
    the analyzer (with the vision models, for the thread that runs the tasks) loaded now
    rather than on the first frame."""
    with flask_app.app_context():
        db.engine.dispose(close=False)
        try:
            analyzer = get_analyzer(flask_app)
            warm_up = getattr(analyzer, "warm_up", None)
            if warm_up is not None:
                warm_up()
        except AnalyzerUnavailable as error:  # every frame will be marked failed, with the reason
            flask_app.logger.error("Proctoring analyzer unavailable in this worker: %s", error)
