"""Capacity benchmark (not a test): N simulated applicants against a real server on loopback.

Each applicant signs in, takes the camera check (a real reference photo from the vision dev set;
the liveness step is switched off: still photos cannot turn their heads), starts a supervised
exam, answers a question every ~10 s, posts a 640x480 JPEG frame every ~5 s and a browser event
now and then, and submits at the end. Bounded: --duration seconds of exam per applicant (after its
camera check), then at most --drain seconds waiting for the analyses, then everything is stopped.

Two setups in the same run, on the same machine:
  embedded - `flask run` (threads), SQLite, frame analysis on the in-process pool (the default);
  celery   - gunicorn (gunicorn.conf.py), Celery workers (`celery -A proctoring.tasks worker`,
             --workers of them) and redis-server on loopback; PostgreSQL with --database-url (an
             empty database it may fill), else SQLite.

Printed per setup and N: p50/p95/p99 of answer saves and frame uploads (ms), errors, frames
analysed per second, and the lag from upload to analysis (received_at -> analyzed_at).

With --database-url each celery run gets a database of its own, created on that server and dropped
after the run. With --profile DIR, py-spy samples every server process (the web server with its
workers and threads, and each Celery worker) during the exam phase and writes, per run, the raw
stacks and a summary of where the time went: CPU samples by default, with --profile-wall every
thread's samples, waits included (time blocked inside a C call, such as SQLite's lock wait or a
PostgreSQL round trip, counts towards the Python frame that made it).

Run: .venv/bin/python bench/load_test.py [--applicants 20,50] [--duration 60] [--modes embedded,celery]
     [--analyzer vision|fake] [--workers 2] [--database-url postgresql://...] [--profile DIR]
"""
import argparse
import asyncio
import itertools
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PASSWORD = "bench-password-123"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# --------------------------------------------------------------------------- pictures


def pictures(analyzer: str) -> tuple[list[bytes], list[list[bytes]]]:
    """Reference photos and, per person, a quiet exam stream (36 frames) from the dev set."""
    if analyzer == "fake":
        jpeg = (ROOT / "tests" / "proctoring" / "data" / "frame_640x480.jpg").read_bytes()
        return [jpeg], [[jpeg]]
    from proctoring.vision.devset import APPLICANTS, encode_jpeg, session_stream, subject_image
    from proctoring.vision.synth import place

    references, streams = [], []
    for name in APPLICANTS:
        image, box = subject_image(name)
        references.append(encode_jpeg(place(image, box, 175, (320, 230)), 90))
        streams.append([frame.jpeg for frame in session_stream(name, None, (("alone", 36),))])
    return references, streams


# --------------------------------------------------------------------------- the parts


class Parts:
    """The server's processes for one setup, and their environment."""

    def __init__(self, mode: str, folder: Path, args):
        self.mode, self.folder, self.args = mode, folder, args
        self.processes: list[subprocess.Popen] = []
        self.alarms: list[str] = []  # worker timeouts and tracebacks in the servers' logs while serving
        self.shutdown_alarms: list[str] = []  # the same, once `stop` began (kept apart: not the load's doing)
        self.stopping = False
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # The embedded default is SQLite by definition; the Celery setup uses --database-url when given.
        database = (args.database_url if mode == "celery" else None) or f"sqlite:///{folder / 'bench.db'}"
        self.env = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": "bench-secret", "SESSION_COOKIE_SECURE": "0",
                    "EVIDENCE_FOLDER": str(folder / "evidence"), "UPLOAD_FOLDER": str(folder / "uploads"),
                    "PROCTORING_REQUIRED": "1", "PROCTOR_LIVENESS_REQUIRED": "0", "PROCTOR_ANALYZER": args.analyzer,
                    "PROCTOR_SYNC_ANALYSIS": "0", "EXAM_SWEEP_INTERVAL": "0", "REGISTER_NIK_PREFIX_LIMIT": "1000000",
                    "LOGIN_MAX_FAILURES_PER_IP": "1000000", "PYTHONUNBUFFERED": "1"}
        if mode == "celery":
            self.redis_port = free_port()
            self.env.update(PROCTOR_QUEUE="celery", REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
                            GUNICORN_BIND=f"127.0.0.1:{self.port}", GUNICORN_ACCESS_LOG="/dev/null")

    def flask(self, *command: str) -> None:
        subprocess.run([str(BIN / "flask"), "--app", "app", *command], cwd=ROOT, env=self.env, check=True,
                       capture_output=True, timeout=600)

    def spawn(self, command: list[str], ready: str | None = None) -> subprocess.Popen:
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True, start_new_session=True)
        self.processes.append(process)
        seen = threading.Event()

        def alarm(text: str) -> None:
            (self.shutdown_alarms if self.stopping else self.alarms).append(text)

        def drain():
            in_traceback = False
            for line in process.stderr:
                if ready and ready in line:
                    seen.set()
                if "WORKER TIMEOUT" in line:
                    alarm(line.strip())
                if line.startswith("Traceback"):
                    in_traceback = True
                elif in_traceback and line.strip() and not line[0].isspace():
                    alarm(f"Traceback: {line.strip()[:200]}")  # the exception itself
                    in_traceback = False

        threading.Thread(target=drain, daemon=True).start()
        if ready and not seen.wait(180):
            raise RuntimeError(f"{command[0]} did not become ready")
        return process

    def start(self) -> None:
        if self.mode == "embedded":
            self.spawn([str(BIN / "flask"), "--app", "app", "run", "--port", str(self.port), "--no-reload"], "Running on")
            return
        self.spawn([shutil.which("redis-server") or "/usr/bin/redis-server", "--save", "", "--appendonly", "no",
                    "--port", str(self.redis_port), "--bind", "127.0.0.1"])
        for number in range(self.args.workers):
            self.spawn([str(BIN / "celery"), "-A", "proctoring.tasks", "worker", "--concurrency", "1", "-Q", "frames",
                        "--loglevel", "INFO", "--without-gossip", "--without-mingle", "-n", f"bench{number}@%h"],
                       " ready.")
        self.spawn([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "app:create_app()"], "Booting worker")

    def stop(self) -> None:
        """Stop as an operator would, one part after the other: the web server, then each
        Celery worker (a warm shutdown: SIGTERM to the main process only, which finishes
        its task and leaves the queued ones in Redis), then Redis. Signalling a whole
        process group at once kills Celery's pool child under its task (WorkerLostError)
        and Redis under the workers (ConnectionRefusedError): tracebacks of the shutdown,
        not of the load."""
        self.stopping = True
        for process in reversed(self.processes):
            if process.poll() is None:
                os.kill(process.pid, 15)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()


def make_applicants(env: dict, count: int) -> list[str]:
    """`count` registered applicants (SIM A), made directly in the database; their e-mails."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from accounts.services import register_applicant
        from app import create_app
        from core.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"].replace("postgresql://",
                                                                                  "postgresql+psycopg://", 1)
                          if env["DATABASE_URL"].startswith("postgresql://") else env["DATABASE_URL"]})
        born = date.today() - timedelta(days=30 * 365)
        emails = []
        with app.app_context():
            for number in range(count):
                email = f"bench{number}@example.test"
                nik = f"317401{born.day:02d}{born.month:02d}{born.year % 100:02d}{number + 1:04d}"
                register_applicant(full_name=f"Peserta {number}", nik=nik, born=born, email=email, password=PASSWORD,
                                   sim_class="A", held=[])
                emails.append(email)
            db.session.remove()
            db.engine.dispose()
        return emails
    finally:
        os.environ.clear()
        os.environ.update(saved)


# --------------------------------------------------------------------------- one applicant


class Stats:
    def __init__(self):
        self.answers: list[float] = []
        self.frames: list[float] = []
        self.errors: dict[str, int] = {}

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


class Dropped:
    """Stands in for a response when the connection failed (counted as an error, by the
    exception's class: a refused connection, a timeout, a connection closed under the request)."""

    def __init__(self, error: Exception):
        self.status_code = type(error).__name__

    def json(self) -> dict:
        return {}


async def send(client: httpx.AsyncClient, method: str, url: str, **kwargs):
    try:
        return await client.request(method, url, **kwargs)
    except httpx.HTTPError as error:
        return Dropped(error)


async def applicant(base: str, email: str, reference: bytes, stream: list[bytes], duration: float, stats: Stats,
                    start_gate: asyncio.Semaphore) -> None:
    """One applicant: sign in, camera check, start, then `duration` seconds of exam, then submit."""
    async with httpx.AsyncClient(base_url=base + "/api/v1", timeout=30) as client:
        async with start_gate:  # sign-in and camera checks a few at a time, like arrivals
            token = (await send(client, "GET", "/session")).json().get("csrf_token", "")
            signed = await send(client, "POST", "/session", json={"email": email, "password": PASSWORD},
                                headers={"X-CSRFToken": token})
            if signed.status_code != 200:
                stats.error(f"login {signed.status_code}")
                return
            headers = {"X-CSRFToken": signed.json()["csrf_token"]}
            application = (await send(client, "GET", "/applications")).json()["applications"][0]["id"]
            check = await send(client, "POST", f"/applications/{application}/system-check", content=reference,
                               headers={**headers, "Content-Type": "image/jpeg"})
            if check.status_code != 201 or not check.json().get("passed"):
                stats.error(f"camera check {check.status_code}")
                return
            started = await send(client, "POST", "/attempts", json={"application_id": application, "consent": True},
                                 headers=headers)
            if started.status_code != 201:
                stats.error(f"start {started.status_code}")
                return
        public_id = started.json()["id"]
        until = time.monotonic() + duration
        rng = random.Random(email)
        next_answer = time.monotonic() + rng.uniform(0, 10)
        next_frame = time.monotonic() + rng.uniform(0, 5)
        question, sequence, frames = 1, 0, itertools.cycle(stream)
        while time.monotonic() < until:
            now = time.monotonic()
            if now >= next_frame:
                sequence += 1
                t0 = time.perf_counter()
                response = await send(
                    client, "POST", f"/attempts/{public_id}/frames", headers=headers,
                    data={"sequence": str(sequence), "client_time": str(int(time.time() * 1000))},
                    files={"frame": ("frame.jpg", next(frames), "image/jpeg")})
                stats.frames.append((time.perf_counter() - t0) * 1000)
                if response.status_code not in (200, 202):
                    stats.error(f"frame {response.status_code}")
                if sequence % 6 == 0:
                    kind = "window_blur" if sequence % 12 else "window_focus"
                    events = await send(client, "POST", f"/attempts/{public_id}/events", headers=headers, json={"events": [
                        {"id": f"e{sequence}", "type": kind, "at": int(time.time() * 1000)}]})
                    if events.status_code != 202:
                        stats.error(f"events {events.status_code}")
                next_frame += rng.uniform(4.0, 6.0)
            if now >= next_answer and question <= 30:
                t0 = time.perf_counter()
                response = await send(client, "POST", f"/attempts/{public_id}/questions/{question}/answer",
                                      json={"option": rng.randrange(4)}, headers=headers)
                stats.answers.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    stats.error(f"answer {response.status_code}")
                question += 1
                next_answer += rng.uniform(8.0, 12.0)
            await asyncio.sleep(max(0.0, min(next_frame, next_answer) - time.monotonic()))
        submitted = await send(client, "POST", f"/attempts/{public_id}/submit", headers=headers)
        if submitted.status_code != 200:
            stats.error(f"submit {submitted.status_code}")


async def simulate(base: str, emails: list[str], references, streams, duration: float) -> tuple[Stats, float]:
    stats = Stats()
    gate = asyncio.Semaphore(8)
    started = time.monotonic()
    await asyncio.gather(*(applicant(base, email, references[i % len(references)], streams[i % len(streams)],
                                     duration, stats, gate) for i, email in enumerate(emails)))
    return stats, time.monotonic() - started


# --------------------------------------------------------------------------- analysis figures


def analysis_figures(env: dict, drain: float) -> dict:
    """Wait (at most `drain` s) for the queued frames, then the lag and the rate from the database."""
    from sqlalchemy import create_engine, text

    url = env["DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url)
    deadline = time.monotonic() + drain
    try:
        with engine.connect() as connection:
            while True:
                queued = connection.execute(text("SELECT count(*) FROM proctor_frames WHERE status = 'queued'")).scalar()
                connection.commit()
                if not queued or time.monotonic() > deadline:
                    break
                time.sleep(0.5)  # the benchmark waits for the workers to catch up (not a test)
            rows = connection.execute(text(
                "SELECT received_at, analyzed_at, status FROM proctor_frames")).all()
    finally:
        engine.dispose()

    def moment(value):  # SQLite returns text
        return datetime.fromisoformat(value) if isinstance(value, str) else value

    done = [(moment(r[0]), moment(r[1])) for r in rows if r[2] != "queued" and r[1] is not None]
    lags = [(analyzed - received).total_seconds() for received, analyzed in done]
    span = ((max(a for _, a in done) - min(r for r, _ in done)).total_seconds() if done else 0) or 1
    return {"frames": len(rows), "analysed": len(done), "still_queued": len(rows) - len(done),
            "per_second": len(done) / span, "lag_p50": percentile(lags, 0.5), "lag_p95": percentile(lags, 0.95),
            "lag_max": max(lags, default=float("nan"))}


def _admin_url(url: str, database: str) -> str:
    head, _, _ = url.rpartition("/")
    return f"{head}/{database}"


def own_database(url: str, name: str, drop: bool = False) -> str:
    """Create (or drop) database `name` on the PostgreSQL server of `url`; the new URL."""
    import psycopg

    with psycopg.connect(_admin_url(url, "postgres").replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"' + (" WITH (FORCE)" if drop else ""))
        if not drop:
            connection.execute(f'CREATE DATABASE "{name}"')
    return _admin_url(url, name)


class Profiler:
    """py-spy sampling the server's processes (and their children) for a while."""

    def __init__(self, folder: Path | None, label: str, wall: bool = False):
        self.folder, self.label, self.wall, self.samplers = folder, label, wall, []

    def start(self, processes: list[subprocess.Popen], seconds: float) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for number, process in enumerate(processes):
            out = self.folder / f"{self.label}-{number}.txt"
            self.samplers.append((out, subprocess.Popen(
                [str(BIN / "py-spy"), "record", "--pid", str(process.pid), "--subprocesses", "--threads",
                 *(["--idle"] if self.wall else []), "--rate", "50", "--duration", str(int(seconds)), "--format", "raw", "--output", str(out),
                 "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))

    def finish(self) -> str:
        for _, sampler in self.samplers:
            try:
                sampler.wait(60)
            except subprocess.TimeoutExpired:
                sampler.kill()
        if not self.samplers:
            return ""
        summary = summarise_stacks([out for out, _ in self.samplers if out.exists()])
        (self.folder / f"{self.label}-summary.txt").write_text(summary, encoding="utf-8")
        return summary


STAGES = (  # (label, a frame name that marks the stage), first match from the leaf wins
    ("waiting (idle threads, sockets, locks)", ("wait", "select", "poll", "accept", "recv", "_worker", "sleep")),
    ("frame analysis (vision)", ("proctoring/vision/", "mediapipe", "dlib")),
    ("password hashing", ("scrypt", "pbkdf2", "check_password_hash", "generate_password_hash")),
    ("JPEG decode/encode", ("imdecode", "imencode", "decode_jpeg")),
    ("database (SQLAlchemy, driver)", ("sqlalchemy", "sqlite3", "psycopg")),
    ("templates and JSON", ("jinja2", "json")),
    ("HTTP and Flask", ("werkzeug", "flask", "gunicorn")),
)


def summarise_stacks(files: list[Path]) -> str:
    """Share of busy samples per stage (waiting samples counted apart), from py-spy raw stacks."""
    busy, idle, by_stage, by_function = 0, 0, {}, {}
    for path in files:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            n, frames = int(count), stack.split(";")
            leaf = frames[-1].lower()
            if any(word in leaf for word in STAGES[0][1]):
                idle += n
                continue
            busy += n
            whole = stack.lower()
            stage = next((label for label, words in STAGES[1:] if any(w in whole for w in words)), "other Python")
            by_stage[stage] = by_stage.get(stage, 0) + n
            by_function[frames[-1]] = by_function.get(frames[-1], 0) + n
    lines = [f"{busy} busy samples, {idle} waiting"]
    lines += [f"  {share:5.1%} {label}" for label, share in
              sorted(((label, n / (busy or 1)) for label, n in by_stage.items()), key=lambda x: -x[1])]
    lines.append("  top functions (leaf):")
    lines += [f"    {n / (busy or 1):5.1%} {name}" for name, n in sorted(by_function.items(), key=lambda x: -x[1])[:12]]
    return "\n".join(lines)


def run(mode: str, count: int, args, references, streams) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"load-{mode}-{count}-"))
    parts = Parts(mode, folder, args)
    database = f"bench_{mode}_{count}_{os.getpid()}"
    if mode == "celery" and args.database_url:
        parts.env["DATABASE_URL"] = own_database(args.database_url, database)
    profiler = Profiler(Path(args.profile) if args.profile else None, f"{mode}-{count}", args.profile_wall)
    try:
        parts.flask("db", "upgrade")
        parts.flask("seed", "--no-demo")
        emails = make_applicants(parts.env, count)
        parts.start()
        profiler.start(parts.processes, args.duration)
        stats, elapsed = asyncio.run(simulate(parts.base, emails, references, streams, args.duration))
        figures = analysis_figures(parts.env, args.drain)
    finally:
        parts.stop()
        shutil.rmtree(folder, ignore_errors=True)
        if mode == "celery" and args.database_url:
            own_database(args.database_url, database, drop=True)
    return {"mode": mode, "applicants": count, "elapsed": elapsed, "stats": stats, "alarms": parts.alarms,
            "shutdown_alarms": parts.shutdown_alarms,
            "profile": profiler.finish(), **figures}


def report(result: dict) -> str:
    s = result["stats"]
    errors = sum(s.errors.values())
    return (f"{result['mode']:9} {result['applicants']:5d} | answers {len(s.answers):5d}: "
            f"{percentile(s.answers, .5):6.1f} {percentile(s.answers, .95):6.1f} {percentile(s.answers, .99):6.1f} | "
            f"frames {len(s.frames):5d}: {percentile(s.frames, .5):6.1f} {percentile(s.frames, .95):6.1f} "
            f"{percentile(s.frames, .99):6.1f} | errors {errors:3d} | analysed {result['analysed']}/{result['frames']} "
            f"{result['per_second']:5.1f}/s | lag p50 {result['lag_p50']:5.2f} p95 {result['lag_p95']:5.2f} "
            f"max {result['lag_max']:5.2f} s" + (f" | {s.errors}" if errors else "")
            + (f" | server log: {len(result['alarms'])} alarms, e.g. {sorted(set(result['alarms']))[:3]}"
               if result["alarms"] else "")
            + (f" | at shutdown: {len(result['shutdown_alarms'])}, e.g. {sorted(set(result['shutdown_alarms']))[:2]}"
               if result["shutdown_alarms"] else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", default="20,50", help="comma-separated N (default 20,50)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of exam per run (default 60)")
    parser.add_argument("--drain", type=float, default=120, help="at most this long waiting for analyses")
    parser.add_argument("--modes", default="embedded,celery")
    parser.add_argument("--analyzer", default="vision", choices=("vision", "fake"))
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (celery mode)")
    parser.add_argument("--database-url", default=None, help="PostgreSQL for the celery setup (default: SQLite)")
    parser.add_argument("--profile", default=None, help="folder for py-spy profiles of the server processes")
    parser.add_argument("--profile-wall", action="store_true",
                        help="sample idle threads too (wall-clock: where requests wait), not only CPU")
    args = parser.parse_args()
    references, streams = pictures(args.analyzer)
    print(f"{os.cpu_count()} CPUs, analyzer {args.analyzer}, {args.duration:.0f} s per run; latencies in ms "
          "(p50 p95 p99), lag from upload to analysis")
    for count in (int(n) for n in args.applicants.split(",")):
        for mode in args.modes.split(","):
            result = run(mode, count, args, references, streams)
            print(report(result), flush=True)
            if result["profile"]:
                print(result["profile"], flush=True)


if __name__ == "__main__":
    main()
