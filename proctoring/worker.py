"""The analysis worker pool: a ThreadPoolExecutor inside the app process.

Jobs are plain functions of ids (`proctoring.jobs`), run inside a fresh app
context, so a task queue can run them unchanged later. With
PROCTOR_SYNC_ANALYSIS (tests) a job runs at once in the caller's thread and its
errors propagate; in the pool they are logged and the job's session rolled back.
"""
import atexit
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

from flask import Flask, current_app

from core.extensions import db


class AnalysisPool:
    def __init__(self, app: Flask):
        self.app = app
        self.sync = app.config["PROCTOR_SYNC_ANALYSIS"]
        self.workers = app.config["PROCTOR_WORKERS"]
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, job: Callable, *args) -> Future | None:
        if self.sync:
            with self.app.app_context():
                job(*args)
            return None
        return self._ensure_executor().submit(self._run, job, *args)

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
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=wait, cancel_futures=not wait)


def start_pool(app: Flask) -> AnalysisPool:
    pool = AnalysisPool(app)
    app.extensions["proctor_pool"] = pool
    return pool


def enqueue(job: Callable, *args) -> Future | None:
    """Run `job(*args)` in the current app's pool (call after committing what it reads)."""
    return current_app.extensions["proctor_pool"].submit(job, *args)
