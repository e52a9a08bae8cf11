"""Real services for the tests that need them, started as subprocesses on loopback:
Debian's redis-server (skipped with the reason when it is missing, a failure under CI,
where `.ci/run` installs it), and polling helpers that wait for a condition with a
deadline instead of sleeping."""
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], timeout: float = 60.0, what: str = "the condition"):
    """`condition()`'s first truthy value, polled until `timeout` seconds have passed
    (then the test fails, saying what it waited for)."""
    deadline = time.monotonic() + timeout
    event = threading.Event()
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout} s waiting for {what}")
        event.wait(0.05)  # a polling interval, not a timing assumption


def need_binary(name: str, package: str) -> str:
    """The binary's path; without it, skip (fail when the CI variable is set)."""
    path = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
    if path is None:
        reason = (f"{name} is not installed: the Celery and broker tests need Debian's {package} "
                  f"(sudo apt-get install -y {package}; `make test` installs it when it can)")
        if os.environ.get("CI"):
            pytest.fail(reason + " and CI is set", pytrace=False)
        pytest.skip(reason)
    return path


def ping_redis(url: str) -> bool:
    import redis
    from redis.exceptions import RedisError

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (RedisError, OSError):
        return False


class RedisServer:
    """redis-server on 127.0.0.1 on a free port, no persistence."""

    def __init__(self, folder: Path):
        self.binary = need_binary("redis-server", "redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = folder
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [self.binary, "--save", "", "--appendonly", "no", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: self.process.poll() is not None or ping_redis(self.url), 20, "redis-server to answer")
        assert self.process.poll() is None, "redis-server exited at start"
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
