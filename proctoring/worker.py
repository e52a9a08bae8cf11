"""The analysis worker pool: ThreadPoolExecutors inside the app process, or Celery.

Jobs are plain functions of ids (`proctoring.jobs`), run inside a fresh app
context. With PROCTOR_QUEUE=celery, `enqueue` sends them as Celery tasks by name
(`CeleryQueue`; the worker side is `proctoring.tasks`) instead. With
PROCTOR_SYNC_ANALYSIS (tests) a job runs at once in the caller's thread and its
errors propagate; in the pool they are logged and the job's session rolled back.

`call` runs an analyzer function for a request that waits for the answer (the
camera check, evidence overlays) on a second set of long-lived threads: the
vision models are loaded once per thread, so request threads (new for every
request on a threaded server) must not load them, and frames queued for
analysis must not hold up an applicant waiting at the camera check.
"""
import atexit
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from flask import Flask, current_app

from core.extensions import db

QUEUES = ("threads", "celery")


class AnalysisPool:
    def __init__(self, app: Flask):
        self.app = app
        self.sync = app.config["PROCTOR_SYNC_ANALYSIS"]
        self.workers = app.config["PROCTOR_WORKERS"]
        self._executor: ThreadPoolExecutor | None = None
        self._interactive: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, job: Callable, *args) -> Future | None:
        if self.sync:
            with self.app.app_context():
                job(*args)
            return None
        return self._ensure_executor().submit(self._run, job, *args)

    def call(self, function: Callable, *args, timeout: float = 30.0):
        """`function(*args)`'s result, computed on an interactive worker thread.
        Raises what the function raises, or TimeoutError."""
        if self.sync:
            return function(*args)
        with self._lock:
            if self._interactive is None:
                self._interactive = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="proctor-check")
                atexit.register(self.shutdown)
            future = self._interactive.submit(function, *args)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout as error:
            future.cancel()
            raise TimeoutError(f"{function.__name__} took longer than {timeout} s") from error

    def _ensure_executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="proctor-analysis")
                atexit.register(self.shutdown)
            return self._executor

    def _run(self, job: Callable, *args) -> None:
        with self.app.app_context():
            try:
                job(*args)
            except Exception:  # a worker must outlive a bad job
                self.app.logger.exception("Proctoring job %s%r failed", job.__name__, args)
                db.session.rollback()

    def shutdown(self, wait: bool = True) -> None:
        """Finish queued jobs (wait=True) and stop the threads."""
        with self._lock:
            executors = [e for e in (self._executor, self._interactive) if e is not None]
            self._executor = self._interactive = None
        for executor in executors:
            executor.shutdown(wait=wait, cancel_futures=not wait)


class CeleryQueue:
    """Sends jobs to the Celery workers by task name. A broker that cannot be reached is
    logged, not raised: what the job reads is committed, and the stale-frame sweep
    (`proctoring.services.requeue_stale_frames`) sends a frame's analysis again."""

    def __init__(self, app: Flask):
        from core.celery_app import ANALYZE_FRAME, REFRESH_FLAGS, make_celery  # Celery only when configured

        self.app = app
        self.celery = make_celery(app)
        self.tasks = {"analyze_frame": ANALYZE_FRAME, "refresh_flags": REFRESH_FLAGS}

    def submit(self, job: Callable, *args):
        """The task's AsyncResult, or None when the broker could not be reached."""
        from kombu.exceptions import OperationalError as BrokerError
        from redis.exceptions import RedisError

        from core.celery_app import QUEUE

        try:
            # The outcome is in the database; nobody here waits for the task's result, so the
            # worker stores none (and this process subscribes to nothing on the result backend).
            return self.celery.send_task(self.tasks[job.__name__], args=list(args), queue=QUEUE, ignore_result=True)
        except (BrokerError, RedisError, OSError) as error:
            self.app.logger.error("Proctoring job %s%r not queued (broker: %s)", job.__name__, args, error)
            return None


def start_pool(app: Flask) -> AnalysisPool:
    """The in-process pool (always: it runs the camera check's `call`s) and, with
    PROCTOR_QUEUE=celery, the Celery queue for jobs. Raises ValueError for an unknown
    PROCTOR_QUEUE and CeleryNotConfigured without REDIS_URL."""
    if app.config["PROCTOR_QUEUE"] not in QUEUES:
        raise ValueError(f"PROCTOR_QUEUE must be one of {QUEUES}, not {app.config['PROCTOR_QUEUE']!r}")
    pool = AnalysisPool(app)
    app.extensions["proctor_pool"] = pool
    if app.config["PROCTOR_QUEUE"] == "celery":
        app.extensions["proctor_celery"] = CeleryQueue(app)
    return pool


def recover_lost_analyses(app: Flask) -> None:
    """On the in-process pool (PROCTOR_QUEUE=threads), a frame's analysis job lives only in
    the memory of the process that received it: a process killed with frames waiting
    (SIGKILL, a crash, a restart) leaves them queued for good. So the first request a new
    serving process handles queues again every frame still waiting that arrived before the
    process started (`proctoring.services.requeue_frames_received_before`; analysis is
    idempotent by frame id, so a frame a sibling process is still analysing is stored once).
    Not on the first request of CLI commands (there is none), nor with Celery (its broker
    keeps the tasks; lost ones are the stale-frame sweep's), nor in tests."""
    if app.config["PROCTOR_QUEUE"] != "threads" or app.config["PROCTOR_SYNC_ANALYSIS"] or app.testing:
        return
    from core.clock import now_utc

    started = now_utc()
    lock, done = threading.Lock(), threading.Event()

    @app.before_request
    def requeue_frames_of_a_previous_process() -> None:
        if done.is_set() or not lock.acquire(blocking=False):  # one request does it, none waits for it
            return
        try:
            if done.is_set():
                return
            from proctoring.services import requeue_frames_received_before

            count = requeue_frames_received_before(started)
            done.set()
            if count:
                app.logger.warning("Queued %d frame(s) left queued by a previous process for analysis again", count)
        except Exception:  # the request goes on; the next one tries again
            app.logger.exception("Frames of a previous process could not be queued again")
            db.session.rollback()
        finally:
            lock.release()


def enqueue(job: Callable, *args):
    """Run `job(*args)` in the current app's pool or send it to the Celery workers
    (call after committing what it reads)."""
    queue = current_app.extensions.get("proctor_celery") or current_app.extensions["proctor_pool"]
    return queue.submit(job, *args)


def call(function: Callable, *args, timeout: float = 30.0):
    """`function(*args)` on the current app's interactive workers (see `AnalysisPool.call`)."""
    return current_app.extensions["proctor_pool"].call(function, *args, timeout=timeout)
