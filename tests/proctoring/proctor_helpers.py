"""Helpers for the proctoring tests: JPEGs that tell the fake analyzer what to see,
posting frames, events and camera checks, and the running-exam record."""
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from helpers import (  # noqa: F401  (the camera-check helpers, for the tests here)
    API,
    FAKE_BASE_JPEG,
    FAKE_FRONT,
    Api,
    follow_liveness,
    moving,
    pass_check,
    post_check,
    post_liveness,
)
from proctoring.analysis import embed_fake_scenario

DATA = Path(__file__).parent / "data"
BASE_JPEG = FAKE_BASE_JPEG
SMALL_JPEG = (DATA / "frame_100x75.jpg").read_bytes()
PNG = (DATA / "frame.png").read_bytes()

FRONT = FAKE_FRONT
SECOND = {"box": [0.75, 0.3, 0.15, 0.2], "confidence": 0.9, "yaw": 5.0, "pitch": 0.0}


def jpeg(**scenario) -> bytes:
    """A real 640x480 JPEG that the fake analyzer sees as `scenario` (default: one frontal face)."""
    return embed_fake_scenario(BASE_JPEG, **scenario) if scenario else BASE_JPEG


@dataclass
class Exam:
    """An applicant's running, supervised attempt and helpers to feed it."""

    api: Api
    public_id: str
    clock: object
    sequence: int = 0

    def frame(self, data: bytes | None = None, *, sequence: int | None = None, advance: float = 5.0,
              client_time=None, **kwargs):
        """Post a frame as multipart after moving the clock on by `advance` seconds."""
        self.clock.advance(seconds=advance)
        if sequence is None:
            self.sequence += 1
            sequence = self.sequence
        when = client_time if client_time is not None else self.clock.now.isoformat() + "Z"
        return post_frame(self.api, self.public_id, jpeg() if data is None else data, sequence, when, **kwargs)

    def events(self, *items, advance: float = 0.0):
        self.clock.advance(seconds=advance)
        return self.api.post(f"/attempts/{self.public_id}/events", {"events": list(items)})


def post_frame(api: Api, public_id: str, data: bytes, sequence, client_time, *, raw: bool = False):
    url = f"{API}/attempts/{public_id}/frames"
    if raw:
        return api.client.post(f"{url}?sequence={sequence}&client_time={client_time}", data=data,
                               content_type="image/jpeg", headers={"X-CSRFToken": api.csrf_token()})
    return api.client.post(url, data={"frame": (BytesIO(data), "frame.jpg"), "sequence": str(sequence),
                                      "client_time": str(client_time)},
                           content_type="multipart/form-data", headers={"X-CSRFToken": api.csrf_token()})


def event(kind: str, at, number: int = 0, **detail) -> dict:
    return {"id": f"{kind}-{number}-{at.timestamp():.0f}", "type": kind, "at": at.isoformat() + "Z",
            **({"detail": detail} if detail else {})}
