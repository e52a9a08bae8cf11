"""While an attempt is in progress nothing the applicant receives may tell which
option is correct: no `correct`-like key, no explanation, no telltale order.

Every question made by the factories carries a random `KEY-<token>` in its
correct option's text only and `EXPLAIN-<token>` in its explanation, so the
tests can find the correct option in any output and check what surrounds it.
"""
import json
import re

import pytest

from helpers import answer_key, app_context, csrf_from_html, form_login, wrong_choice

FORBIDDEN_KEYS = {"correct", "is_correct", "correct_option", "correct_index", "answer_key", "answer",
                  "right", "solution", "explanation", "explanation_id", "explanation_en"}
OPTION_KEYS = {"key", "text"}
HTML_MARKERS = re.compile(r"data-correct|is[-_]correct|answer[-_]key|correct_index|\bcorrect=|[\"']correct[\"']",
                          re.IGNORECASE)


@pytest.fixture
def bank(make_bank):
    """Every question stores its correct option first: the worst case for a leak by position."""
    return make_bank(correct_index=0)


@pytest.fixture
def attempt(bank, applicant, applicant_api):
    response = applicant_api.start(applicant.application_id)
    assert response.status_code == 201
    return response


def all_keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in all_keys(v)}
    return set()


def responses_during_the_attempt(app, api, start_response) -> list:
    """Every API response an applicant can get while the attempt is open."""
    public_id = start_response.get_json()["id"]
    count = start_response.get_json()["question_count"]
    key = answer_key(app, public_id)
    responses = [start_response, api.state(public_id), api.get("/applications")]
    for number in range(1, count + 1):
        responses.append(api.question(public_id, number))
        choice = key[number - 1] if number % 2 else wrong_choice(key[number - 1])
        responses.append(api.answer(public_id, number, choice))
        responses.append(api.flag(public_id, number, True))
        responses.append(api.flag(public_id, number, False))
        responses.append(api.question(public_id, number))
    responses.append(api.state(public_id))
    responses.append(api.result(public_id))  # refused while open; its error must not leak either
    return responses


def test_api_responses_never_contain_the_answer_key(app, applicant_api, attempt, bank):
    responses = responses_during_the_attempt(app, applicant_api, attempt)
    explanation_tokens = [q.explanation_token for q in bank]
    for response in responses:
        assert response.status_code in (200, 201, 409), response.get_json()
        body = response.get_data(as_text=True)
        assert '"correct"' not in body
        assert not all_keys(response.get_json()) & FORBIDDEN_KEYS
        assert not any(token in body for token in explanation_tokens)
        assert "UU No. 22 Tahun 2009" not in body  # the reference cites the rule, i.e. hints at the answer


def test_options_carry_nothing_but_a_display_key_and_text(app, applicant_api, attempt):
    public_id = attempt.get_json()["id"]
    for number in range(1, attempt.get_json()["question_count"] + 1):
        question = applicant_api.question(public_id, number).get_json()["question"]
        assert [o["key"] for o in question["options"]] == list(range(len(question["options"])))
        for option in question["options"]:
            assert set(option) == OPTION_KEYS
            assert set(option["text"]) == {"id", "en"}


def test_options_are_shuffled_so_position_does_not_reveal_the_answer(app, applicant_api, attempt, bank):
    """The bank stores every correct option first; the applicant must see it in varying places."""
    tokens = {q.correct_token for q in bank}
    public_id = attempt.get_json()["id"]
    shown_at = []
    for number in range(1, attempt.get_json()["question_count"] + 1):
        options = applicant_api.question(public_id, number).get_json()["question"]["options"]
        positions = [o["key"] for o in options if any(t in o["text"]["en"] for t in tokens)]
        assert len(positions) == 1
        shown_at.append(positions[0])
    assert shown_at == answer_key(app, public_id)
    assert any(position != 0 for position in shown_at)
    assert len(set(shown_at)) >= 3


def test_answer_responses_do_not_depend_on_correctness(app, applicant_api, attempt):
    public_id = attempt.get_json()["id"]
    key = answer_key(app, public_id)
    right = applicant_api.answer(public_id, 1, key[0]).get_json()
    wrong = applicant_api.answer(public_id, 2, wrong_choice(key[1])).get_json()

    def shape(payload):
        payload = json.loads(json.dumps(payload))
        for volatile in ("position", "choice", "text", "options", "topic", "topic_label", "image"):
            payload["question"].pop(volatile)
        payload["attempt"].pop("current_position")
        payload["attempt"].pop("items")
        return payload

    assert shape(right) == shape(wrong)
    assert set(right["question"]) == set(wrong["question"])


def test_the_stored_attempt_items_have_no_correctness_before_submission(app, applicant_api, attempt):
    """`AttemptItem.correct` is filled by grading at submission, not when answering."""
    from core.extensions import db
    from exam.models import Attempt

    public_id = attempt.get_json()["id"]
    key = answer_key(app, public_id)
    applicant_api.answer(public_id, 1, key[0])
    with app_context(app):
        attempt_row = db.session.scalar(db.select(Attempt).where(Attempt.public_id == public_id))
        assert all(item.correct is None for item in attempt_row.items)


# --------------------------------------------------------------------------- HTML pages

RADIO_VALUE = re.compile(r"<input\b(?=[^>]*\btype=[\"']radio[\"'])(?=[^>]*\bname=[\"']choice[\"'])[^>]*"
                         r"\bvalue=[\"'](\d+)[\"']", re.IGNORECASE)


def test_exam_html_pages_never_contain_the_answer_key(app, client, applicant, bank):
    """The lead's pages (question and review) are held to the same rule as the API.
    Signs in through the real /login form, so it needs the templates."""
    response = form_login(client, applicant.email, applicant.password)
    assert response.status_code == 302
    start_page = client.get(f"/exam/applications/{applicant.application_id}/start")
    assert start_page.status_code == 200
    started = client.post(f"/exam/applications/{applicant.application_id}/start",
                          data={"consent": "y", "csrf_token": csrf_from_html(start_page.get_data(as_text=True))})
    assert started.status_code == 303
    question_url = started.headers["Location"]
    public_id = question_url.split("/attempts/")[1].split("/")[0]
    key = answer_key(app, public_id)
    by_token = {q.correct_token: q for q in bank}
    explanation_tokens = [q.explanation_token for q in bank]

    pages = []
    for number in range(1, len(key) + 1):
        page = client.get(f"/exam/attempts/{public_id}/questions/{number}")
        assert page.status_code == 200, number
        html = page.get_data(as_text=True)
        pages.append(html)
        shown = [q for token, q in by_token.items() if token in html]
        assert len(shown) == 1, "exactly one question's options are on the page"
        question = shown[0]
        wrong_text = next(o for o in question.data["options"] if not o["correct"])
        assert html.count(question.correct_token) == html.count(wrong_text["en"]) + html.count(wrong_text["id"]), \
            "the correct option's text appears as often as a wrong option's: nothing else repeats it"
        values = [int(v) for v in RADIO_VALUE.findall(html)]
        assert sorted(values) == [0, 1, 2, 3], "radio values are the displayed positions"
    review = client.get(f"/exam/attempts/{public_id}/review")
    assert review.status_code == 200
    pages.append(review.get_data(as_text=True))

    for html in pages:
        assert not HTML_MARKERS.search(html), HTML_MARKERS.search(html)
        assert not any(token in html for token in explanation_tokens)


def test_question_images_are_linked_under_neutral_names(app, applicant, applicant_api, make_bank):
    """A sign's file name says what it means ("larangan-masuk.svg"): pages and the API
    link bundled drawings only by an alias that resolves to the right file."""
    from question_bank.images import STATIC_IMAGES, bundled_images

    image = next(i for i in bundled_images() if i.startswith("signs/"))
    make_bank(image=image)
    started = applicant_api.start(applicant.application_id).get_json()
    url = applicant_api.get(f"/attempts/{started['id']}/questions/1").get_json()["question"]["image"]
    assert url and "signs" not in url and image.rsplit("/", 1)[1] not in url
    with applicant_api.client.get(url) as served:
        assert served.status_code == 200 and served.data == (STATIC_IMAGES / image).read_bytes()
    assert applicant_api.client.get(url.rsplit("/", 1)[0] + "/" + "f" * 24 + ".svg").status_code == 404
