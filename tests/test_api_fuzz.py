"""Hypothesis-generated JSON bodies (any shape: nulls, huge and negative numbers,
strings, nested lists and objects) against the state-changing JSON endpoints of a
running exam: each answers with a 2xx or a clear 4xx carrying a message, never a
500, and the attempt stays consistent (at most one answer stored per question)."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.extensions import db
from exam.models import Attempt

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12)
BODIES = JSON | st.fixed_dictionaries({}, optional={
    "option": JSON, "flagged": JSON, "application_id": JSON, "consent": JSON, "email": JSON, "password": JSON})
ENDPOINTS = ["/attempts/{id}/questions/1/answer", "/attempts/{id}/questions/2/flag", "/attempts/{id}/questions/99/answer",
             "/attempts", "/session"]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES, endpoint=st.sampled_from(ENDPOINTS))
def test_any_json_body_gets_a_clear_answer(app, started, applicant_api, body, endpoint):
    path = endpoint.format(id=started["id"])
    response = applicant_api.post(path, body)
    assert response.status_code < 500, (path, body, response.get_json())
    assert response.is_json
    if response.status_code >= 400:
        assert response.get_json()["error"], (path, body)
    if endpoint == "/session" and response.status_code == 200:
        applicant_api._csrf = response.get_json()["csrf_token"]
    with app.app_context():
        attempt = db.session.scalar(db.select(Attempt).where(Attempt.public_id == started["id"]))
        assert attempt.state == "in_progress"
        assert len({item.position for item in attempt.items}) == len(attempt.items)
