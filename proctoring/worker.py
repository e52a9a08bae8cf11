"""The analysis worker pool: ThreadPoolExecutors inside the app process.

Jobs are plain functions of ids (`proctoring.jobs`), run inside a fresh app
context, so a task queue can run them unchanged later. With
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


def start_pool(app: Flask) -> AnalysisPool:
    pool = AnalysisPool(app)
    app.extensions["proctor_pool"] = pool
    return pool


def enqueue(job: Callable, *args) -> Future | None:
    """Run `job(*args)` in the current app's pool (call after committing what it reads)."""
    return current_app.extensions["proctor_pool"].submit(job, *args)


def call(function: Callable, *args, timeout: float = 30.0):
    """`function(*args)` on the current app's interactive workers (see `AnalysisPool.call`)."""
    return current_app.extensions["proctor_pool"].call(function, *args, timeout=timeout)
