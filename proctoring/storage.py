"""Evidence files under app.config["EVIDENCE_FOLDER"]. The database keeps paths
relative to that folder, so the folder can move. Files are written atomically
(temporary name, then rename) and readable by the app's user only."""
import os
import secrets
from pathlib import Path

from flask import current_app

FRAMES = "frames"
CHECKS = "checks"


def root() -> Path:
    return Path(current_app.config["EVIDENCE_FOLDER"])


def frame_path(attempt_public_id: str, sequence: int) -> str:
    return f"{FRAMES}/{attempt_public_id}/{sequence:07d}-{secrets.token_hex(4)}.jpg"


def check_path(user_id: int) -> str:
    return f"{CHECKS}/{user_id}/{secrets.token_hex(8)}.jpg"


def _absolute(relative: str) -> Path:
    base = root().resolve()
    path = (base / relative).resolve()
    if base not in path.parents:
        raise ValueError(f"evidence path outside the evidence folder: {relative!r}")
    return path


def save(relative: str, data: bytes) -> None:
    path = _absolute(relative)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)  # a full disk leaves no half-written file behind
        raise


def read(relative: str) -> bytes:
    """The file's bytes. Raises FileNotFoundError."""
    return _absolute(relative).read_bytes()


def delete(relative: str | None) -> None:
    """Remove a file if it is there (purges are repeatable)."""
    if relative:
        _absolute(relative).unlink(missing_ok=True)


def files_under(folder: str) -> list[str]:
    """Every file below a top folder, as relative paths (for tests and audits)."""
    base = root()
    return sorted(str(p.relative_to(base)) for p in (base / folder).rglob("*") if p.is_file())
