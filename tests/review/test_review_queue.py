"""The review queue: highest risk first, filters, paging, and who may reach the
queue, the session pages and the evidence at all."""
import re
from datetime import timedelta

import pytest
from review_helpers import CLEAN, LOOKING_AWAY, NO_FACE, TWO_FACES, post_decision

from core.extensions import db
from proctoring.models import Frame, ProctorSession

pytestmark = pytest.mark.usefixtures("clock")


def queue_ids(client, **args) -> list[str]:
    response = client.get("/review", query_string=args)
    assert response.status_code == 200
    return re.findall(r'<tr data-attempt="([0-9a-f]{32})"', response.get_data(as_text=True))


def risk(rows, sat) -> int:
    return rows(ProctorSession, attempt_id=sat.attempt_id)[0].risk_score


@pytest.fixture
def three(sit):
    """Three submitted exams of different risk, none auto-cleared."""
    low = sit([LOOKING_AWAY] * 4 + [CLEAN], full_name="Lina Rendah")
    high = sit([TWO_FACES] * 3, full_name="Hadi Tinggi")
    medium = sit([NO_FACE] * 3 + [CLEAN], correct=5, full_name="Maya Sedang")
    return low, medium, high


def test_the_queue_puts_the_highest_risk_first(three, examiner, web, rows):
    low, medium, high = three
    assert risk(rows, high) > risk(rows, medium) > risk(rows, low) > 0
    assert queue_ids(web(examiner)) == [high.public_id, medium.public_id, low.public_id]


def test_filters_by_result_flag_type_and_class(sit, three, examiner, web):
    low, medium, high = three
    client = web(examiner)
    assert queue_ids(client, outcome="failed") == [medium.public_id]
    assert queue_ids(client, outcome="passed") == [high.public_id, low.public_id]
    assert queue_ids(client, flag_kind="multiple_faces") == [high.public_id]
    assert queue_ids(client, flag_kind="looking_away") == [low.public_id]
    other_class = sit([TWO_FACES] * 2, sim_class="C", full_name="Citra Motor")
    assert queue_ids(client, sim_class="C") == [other_class.public_id]
    assert queue_ids(client, sim_class="nonsense")[0] == high.public_id  # an invalid filter is ignored


def test_filters_by_date(three, examiner, web, clock):
    client = web(examiner)
    today = clock.today()
    assert len(queue_ids(client, date_from=today.isoformat(), date_to=today.isoformat())) == 3
    assert queue_ids(client, date_from=(today + timedelta(days=1)).isoformat()) == []
    assert queue_ids(client, date_to=(today - timedelta(days=1)).isoformat()) == []


def test_reviewed_and_unreviewed(sit, three, examiner, web):
    low, medium, high = three
    cleared = sit([CLEAN], full_name="Bersih Sekali")  # auto-cleared at submission
    client = web(examiner)
    assert post_decision(client, high.public_id, outcome="invalid", reason="another_person").status_code == 303
    assert queue_ids(client) == [medium.public_id, low.public_id]
    assert set(queue_ids(client, reviewed="reviewed")) == {high.public_id, cleared.public_id}
    assert queue_ids(client, reviewed="auto") == [cleared.public_id]
    assert len(queue_ids(client, reviewed="all")) == 4
    page = client.get("/review", query_string={"reviewed": "all"}).get_data(as_text=True)
    assert 'data-status="invalid"' in page and 'data-status="valid"' in page


def test_the_queue_pages(app, three, examiner, web):
    app.config["REVIEW_PAGE_SIZE"] = 2
    client = web(examiner)
    first, second = queue_ids(client), queue_ids(client, page=2)
    assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)
    assert queue_ids(client, page=99) == second  # past the end: the last page
    assert 'rel="next"' in client.get("/review").get_data(as_text=True)


# --------------------------------------------------------------------------- who may see what


@pytest.fixture
def evidence_frame(app, three) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Frame.id).where(Frame.is_evidence.is_(True),
                                                           Frame.attempt_id == three[2].attempt_id).limit(1))


@pytest.mark.parametrize("who", ["applicant", "staff"])
def test_applicants_and_staff_cannot_reach_the_queue_or_the_evidence(request, three, evidence_frame, web, who):
    account = request.getfixturevalue(who) if who == "staff" else three[0].account
    client = web(account)
    public_id = three[2].public_id
    for url in ("/review", f"/review/sessions/{public_id}", f"/review/sessions/{public_id}/frames/{evidence_frame}",
                f"/review/sessions/{public_id}/frames/{evidence_frame}.jpg",
                f"/review/sessions/{public_id}/reference.jpg", f"/proctoring/evidence/{evidence_frame}.jpg",
                "/review/reports", "/review/reports.csv", "/admin/audit", "/admin/audit.csv"):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(app, three):
    response = app.test_client().get(f"/review/sessions/{three[0].public_id}")
    assert response.status_code == 302 and "/login" in response.location


def test_examiners_cannot_edit_questions(make_question, examiner, web):
    question = make_question()
    client = web(examiner)
    for url in ("/bank", "/bank/new", f"/bank/{question.id}/edit", "/admin/blueprints", "/admin/audit"):
        assert client.get(url).status_code == 403, url


def test_examiners_and_admins_reach_the_review_pages(three, evidence_frame, examiner, admin, web):
    public_id = three[2].public_id
    for account in (examiner, admin):
        client = web(account)
        for url in ("/review", f"/review/sessions/{public_id}", f"/review/sessions/{public_id}/frames/{evidence_frame}",
                    f"/review/sessions/{public_id}/reference.jpg", "/review/reports"):
            assert client.get(url).status_code == 200, (account.role, url)
