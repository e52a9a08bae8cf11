"""Helpers for the review tests: JPEGs that tell the fake analyzer what to see,
posting frames and events, and the record of a sat exam."""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO

from helpers import API, FAKE_BASE_JPEG, FAKE_FRONT, Account, Api, csrf_from_html
from proctoring.analysis import embed_fake_scenario

BASE_JPEG = FAKE_BASE_JPEG
FRONT = FAKE_FRONT
SECOND = {"box": [0.75, 0.3, 0.15, 0.2], "confidence": 0.9, "yaw": 5.0, "pitch": 0.0}
AWAY = {**FRONT, "yaw": 60.0}
TWO_FACES = {"faces": [FRONT, SECOND]}
NO_FACE = {"faces": []}
LOOKING_AWAY = {"faces": [AWAY]}
CLEAN: dict = {}


def jpeg(**scenario) -> bytes:
    """A real 640x480 JPEG that the fake analyzer sees as `scenario` (default: one frontal face)."""
    return embed_fake_scenario(BASE_JPEG, **scenario) if scenario else BASE_JPEG


def post_frame(api: Api, public_id: str, data: bytes, sequence: int, at: datetime):
    return api.client.post(f"{API}/attempts/{public_id}/frames",
                           data={"frame": (BytesIO(data), "frame.jpg"), "sequence": str(sequence),
                                 "client_time": at.isoformat() + "Z"},
                           content_type="multipart/form-data", headers={"X-CSRFToken": api.csrf_token()})


def event(kind: str, start: datetime, seconds: float, number: int = 0) -> dict:
    return {"id": f"{kind}-{number}", "type": kind, "at": (start + timedelta(seconds=seconds)).isoformat() + "Z"}


@dataclass(frozen=True)
class Sat:
    """An exam an applicant sat: the account, its signed-in API client, the attempt."""

    account: Account
    api: Api
    public_id: str
    attempt_id: int
    code: str | None


def decision_form(client, public_id: str) -> dict:
    """The session page's CSRF token and expected decision count, as form fields."""
    html = client.get(f"/review/sessions/{public_id}").get_data(as_text=True)

    expected = re.search(r'name="expected"[^>]*value="(\d+)"', html) or re.search(r'value="(\d+)"[^>]*name="expected"', html)
    assert expected, "no expected field on the session page"
    return {"csrf_token": csrf_from_html(html), "expected": expected.group(1)}


def post_decision(client, public_id: str, **fields):
    """Open the session page, then post a decision with its token (fields override)."""
    data = decision_form(client, public_id)
    data.update({key: value for key, value in fields.items() if value is not None})
    return client.post(f"/review/sessions/{public_id}/decision", data=data)
