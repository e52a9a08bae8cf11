"""Practice exams: drawn only from the practice pool (never from exam questions), not
counted, explanation after each answer, closed while a real exam is in progress."""
import re

import pytest

from core.extensions import db
from exam.models import Attempt, AttemptItem
from helpers import api_login, app_context, csrf_from_html, form_login
from question_bank.models import PRACTICE, Question, QuestionVersion


@pytest.fixture
def practice_bank(app, make_bank):
    """`practice_bank()`: a full exam bank plus a full practice pool; returns the
    practice pool's `QuestionRecord`s."""
    def make():
        make_bank()
        pool = make_bank()
        with app_context(app):
            for record in pool:
                db.session.get(Question, record.id).status = PRACTICE
            db.session.commit()
        return pool

    return make


def signed_in(app, account):
    client = app.test_client()
    assert form_login(client, account.email).status_code == 302
    return client


def start_practice(client, sim_class="A"):
    page = client.get("/practice")
    assert page.status_code == 200
    return client.post("/practice", data={"csrf_token": csrf_from_html(page.get_data(as_text=True)),
                                          "sim_class": sim_class})


def test_practice_shows_the_explanation_and_is_not_an_attempt(app, applicant, practice_bank):
    bank = {q.correct_token: q for q in practice_bank()}
    client = signed_in(app, applicant)
    assert start_practice(client).status_code == 303
    page = client.get("/practice/1").get_data(as_text=True)
    assert "practice-feedback" not in page and "EXPLAIN-" not in page
    token = re.search(r"KEY-[0-9a-f]{12}", page).group(0)
    correct_choice = int(re.search(r'value="(\d)">\s*<button[^>]*>.{0,200}?' + token, page, re.S).group(1))
    answered = client.post("/practice/1", data={"csrf_token": csrf_from_html(page), "choice": str(correct_choice)})
    html = answered.get_data(as_text=True)
    assert answered.status_code == 200
    assert 'data-correct="true"' in html and bank[token].explanation_token in html
    again = client.post("/practice/1", data={"csrf_token": csrf_from_html(page), "choice": str((correct_choice + 1) % 4)})
    assert 'data-correct="true"' in again.get_data(as_text=True)  # the first answer stands
    with app_context(app):
        assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 0


def test_practice_is_closed_during_a_real_exam(app, applicant, practice_bank):
    practice_bank()
    api = api_login(app.test_client(), applicant)
    assert api.start(applicant.application_id).status_code == 201
    client = signed_in(app, applicant)
    assert client.get("/practice").status_code == 409


def test_practice_never_shows_an_exam_question_and_exams_never_draw_practice_ones(app, applicant, practice_bank):
    pool = practice_bank()
    pool_tokens = {q.correct_token for q in pool}
    client = signed_in(app, applicant)
    assert start_practice(client).status_code == 303
    for number in range(1, 31):
        page = client.get(f"/practice/{number}").get_data(as_text=True)
        shown = set(re.findall(r"KEY-[0-9a-f]{12}", page))
        assert shown and shown <= pool_tokens, number  # the key shown belongs to a practice question

    api = api_login(app.test_client(), applicant)
    assert api.start(applicant.application_id).status_code == 201
    with app_context(app):
        drawn = set(db.session.scalars(db.select(Question.status).join(QuestionVersion, QuestionVersion.question_id
                    == Question.id).join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)))
        assert drawn == {"active"}


def test_without_a_practice_pool_practice_is_refused_rather_than_using_exam_questions(app, applicant, make_bank):
    make_bank()
    client = signed_in(app, applicant)
    assert start_practice(client).status_code == 409


def test_a_choice_of_unicode_digits_is_refused_not_a_500(app, applicant, practice_bank):
    """Found by the form fuzzing: "²" passes str.isdigit() but int() refuses it (500)."""
    practice_bank()
    client = signed_in(app, applicant)
    assert start_practice(client).status_code == 303
    page = client.get("/practice/1").get_data(as_text=True)
    for choice in ("²", "٣", "１", "1\u200b", "-1", "999"):
        response = client.post("/practice/1", data={"csrf_token": csrf_from_html(page), "choice": choice})
        assert 400 <= response.status_code < 500, (choice, response.status_code)
    assert client.post("/practice/1", data={"csrf_token": csrf_from_html(page), "choice": "0"}).status_code == 200
