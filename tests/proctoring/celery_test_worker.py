"""The Celery worker the tests start (`celery -A celery_test_worker worker`): the real
`proctoring.tasks` with the fake analyzer replaced by `GatedAnalyzer`, which writes a
line to TEST_ANALYSIS_LOG when an analysis starts and when it ends, and, when
TEST_ANALYSIS_GATE names a file, waits for that file before it finishes: a test holds
a task in the middle of its analysis for as long as it needs, without any timing."""
import os
import threading
from pathlib import Path

from proctoring.analysis import FakeAnalyzer
from proctoring.tasks import celery, flask_app

__all__ = ["celery"]


class GatedAnalyzer(FakeAnalyzer):
    def _log(self, line: str) -> None:
        with open(os.environ["TEST_ANALYSIS_LOG"], "a") as log:
            log.write(f"{line} {os.getpid()}\n")

    def analyze_frame(self, jpeg, reference, memory_key=None):
        self._log("start")
        gate = os.environ.get("TEST_ANALYSIS_GATE")
        waiting = threading.Event()
        while gate and not Path(gate).exists():
            waiting.wait(0.05)  # the test opens the gate by creating the file
        result = super().analyze_frame(jpeg, reference, memory_key)
        self._log("done")
        return result


flask_app.extensions["proctor_analyzer"] = GatedAnalyzer()
