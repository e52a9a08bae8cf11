"""The Celery application for proctoring tasks, configured from the Flask app's settings.

Used on both sides: the web process only sends tasks by name (`send_task`, so it never
imports the task module, which builds a Flask app of its own), and the worker
(`celery -A proctoring.tasks worker`) registers and runs them. Redis is the broker and
the result backend (REDIS_URL).

Delivery is "at least once": a task is acknowledged only after it ran (`acks_late`),
a task whose pool process died is put back (`task_reject_on_worker_lost`), a task
whose worker vanished altogether is delivered again after CELERY_VISIBILITY_TIMEOUT,
and each worker process reserves one task at a time (`worker_prefetch_multiplier=1`),
so a dead worker holds back at most the task it was running. The tasks are
idempotent by id, which makes a second delivery harmless.
"""
from celery import Celery
from flask import Flask

# Every proctoring task goes to this queue; `-Q frames` on the worker's command line.
QUEUE = "frames"
ANALYZE_FRAME = "proctoring.analyze_frame"
REFRESH_FLAGS = "proctoring.refresh_flags"


class CeleryNotConfigured(RuntimeError):
    """PROCTOR_QUEUE=celery without a REDIS_URL."""


def celery_settings(config) -> dict:
    url = config["REDIS_URL"]
    if not url:
        raise CeleryNotConfigured("PROCTOR_QUEUE=celery needs REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    # Every CELERY_RESTORE_INTERVAL seconds each worker puts back the tasks that were
    # delivered more than CELERY_VISIBILITY_TIMEOUT seconds ago and never acknowledged.
    transport = {"visibility_timeout": config["CELERY_VISIBILITY_TIMEOUT"],
                 "unacked_restore_interval": config["CELERY_RESTORE_INTERVAL"], "unacked_restore_throttle": 1,
                 "socket_connect_timeout": 2, "socket_timeout": 10}
    return {
        "broker_url": url,
        "result_backend": url,
        "broker_transport_options": transport,
        "result_backend_transport_options": transport,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 2,
        "task_default_queue": QUEUE,
        "task_routes": {ANALYZE_FRAME: {"queue": QUEUE}, REFRESH_FLAGS: {"queue": QUEUE}},
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "result_expires": 3600,
        # An upload must not hang on a broker that is down: a few quick tries, then the
        # frame stays queued in the database and the stale-frame sweep sends it again.
        "task_publish_retry": True,
        "task_publish_retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.2,
                                      "interval_max": 0.5},
        "worker_send_task_events": False,
    }


def make_celery(app: Flask) -> Celery:
    """A Celery app whose settings come from `app.config` (raises CeleryNotConfigured)."""
    celery = Celery(app.import_name, set_as_current=False)
    celery.conf.update(celery_settings(app.config))
    return celery
