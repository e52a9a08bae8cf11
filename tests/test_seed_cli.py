"""`flask seed`, `flask create-user`, and the question-bank loader.

The loader and seed tests use bank files written to a temp folder, so they do
not depend on the bundled content; `test_bundled_bank_*` check the real files
in question_bank/data (these fail until the content is complete and valid).
"""
import json
from pathlib import Path

import pytest

import core.cli
from accounts.models import User
from core.cli import DEMO_ACCOUNTS, DEMO_PASSWORD
from core.extensions import db
from core.sim_classes import CLASS_CODES
from exam.blueprints import DEFAULT_TOPIC_COUNTS, PREVIOUS_DEFAULT_TOPIC_COUNTS, current_blueprint, update_blueprint
from exam.models import ExamBlueprint
from exam.services import candidates_for
from helpers import Api, question_data
from question_bank.images import STATIC_IMAGES
from question_bank.loader import BankFileError, load_bank, read_bank
from question_bank.models import Question, QuestionVersion
from question_bank.services import question_problems

ALL_CLASSES = list(CLASS_CODES)


def write_bank(folder: Path, name: str, questions) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps({"questions": questions}, ensure_ascii=False), encoding="utf-8")
    return path


def full_bank(folder: Path) -> list[dict]:
    """One file per topic with exactly the default blueprint's count, for every class."""
    written = []
    for topic, count in DEFAULT_TOPIC_COUNTS.items():
        questions = [question_data(topic=topic, classes=ALL_CLASSES, code=f"{topic[:3].upper()}-{i:03d}")
                     for i in range(1, count + 1)]
        write_bank(folder, f"{topic}.json", questions)
        written += questions
    return written


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


# --------------------------------------------------------------------------- loader


def test_load_bank_creates_then_reports_unchanged(app_ctx, tmp_path):
    questions = full_bank(tmp_path / "bank")
    assert load_bank(tmp_path / "bank") == {"created": len(questions)}
    assert count(Question) == len(questions)
    assert load_bank(tmp_path / "bank") == {"unchanged": len(questions)}
    assert count(QuestionVersion) == len(questions)


def test_changed_question_gets_a_new_version_and_keeps_the_old(app_ctx, tmp_path):
    folder = tmp_path / "bank"
    first = question_data(code="REG-001")
    second = question_data(code="REG-002")
    write_bank(folder, "regulations.json", [first, second])
    load_bank(folder)

    edited = {**first, "text": {"id": "Pertanyaan baru?", "en": "New question?"}}
    write_bank(folder, "regulations.json", [edited, second])
    assert load_bank(folder) == {"updated": 1, "unchanged": 1}

    question = db.session.scalar(db.select(Question).where(Question.code == "REG-001"))
    assert [v.number for v in question.versions] == [1, 2]
    assert question.current_version.text_en == "New question?"
    assert question.versions[0].text_en == first["text"]["en"]


def test_changing_only_the_classes_makes_a_new_version(app_ctx, tmp_path):
    folder = tmp_path / "bank"
    question = question_data(code="SGN-001", classes=["A"])
    write_bank(folder, "signs.json", [question])
    load_bank(folder)
    write_bank(folder, "signs.json", [{**question, "classes": ["A", "C"]}])
    assert load_bank(folder) == {"updated": 1}


def test_bad_files_are_rejected_whole_with_every_problem_listed(app_ctx, tmp_path):
    folder = tmp_path / "bank"
    good = question_data(code="GOOD-001")
    write_bank(folder, "a_good.json", [good])
    two_correct = question_data(code="BAD-006")
    two_correct["options"][1]["correct"] = True
    write_bank(folder, "b_bad.json", [
        {**question_data(), "code": ""},                                       # 1: missing code
        {**question_data(code="BAD-002"), "topic": "astrology"},              # 2
        {**question_data(code="BAD-003"), "classes": ["A", "Z"]},             # 3
        {**question_data(code="BAD-004"), "text": {"id": "Hanya Indonesia"}},  # 4
        {**question_data(code="BAD-005", option_count=2)},                    # 5
        two_correct,                                                          # 6
        {**question_data(code="BAD-007"), "image": "signs/does-not-exist.svg"},
        {**question_data(code="BAD-008"), "image": "../app.py"},
        "not an object",                                                      # 9
        {**question_data(code="GOOD-001")},                                   # duplicate code
    ])
    (folder / "c_broken.json").write_text("{not json", encoding="utf-8")
    (folder / "d_no_list.json").write_text(json.dumps({"items": []}), encoding="utf-8")

    with pytest.raises(BankFileError) as raised:
        load_bank(folder)

    message = str(raised.value)
    for expected in [
        "b_bad.json question 1", "missing code",
        "b_bad.json question 2 (BAD-002): unknown topic 'astrology'",
        "b_bad.json question 3 (BAD-003): classes must be",
        "b_bad.json question 4 (BAD-004): text needs both 'id' and 'en'",
        "b_bad.json question 5 (BAD-005): needs 3 or 4 options",
        "b_bad.json question 6 (BAD-006): needs exactly one correct option",
        "b_bad.json question 7 (BAD-007): image 'signs/does-not-exist.svg' does not exist",
        "b_bad.json question 8 (BAD-008): image '../app.py' does not exist",
        "b_bad.json question 9 (?): not an object",
        "duplicate code GOOD-001",
        "c_broken.json: cannot read",
        "d_no_list.json: cannot read",
    ]:
        assert expected in message, expected
    assert count(Question) == 0, "nothing is loaded when any file is bad"


def existing_image() -> str:
    image = next(STATIC_IMAGES.glob("*/*.svg"), None)
    if image is None:
        pytest.skip("no image in static/img yet")
    return image.relative_to(STATIC_IMAGES).as_posix()


def test_question_with_an_existing_image_is_valid():
    assert question_problems(question_data(image=existing_image())) == []


@pytest.mark.parametrize(("change", "problem"), [
    ({"code": None}, "missing code"),
    ({"code": "   "}, "missing code"),
    ({"topic": None}, "unknown topic"),
    ({"classes": []}, "classes must be"),
    ({"classes": "A"}, "classes must be"),
    ({"text": {"id": "x", "en": " "}}, "text needs both"),
    ({"explanation": None}, "explanation needs both"),
    ({"options": None}, "needs 3 or 4 options"),
    ({"options": [{"id": "a", "en": "a", "correct": True}] * 5}, "needs 3 or 4 options"),
    ({"options": [{"id": "a", "en": "a", "correct": False}] * 3}, "needs exactly one correct option"),
    ({"options": [{"id": "a", "en": "a", "correct": "yes"}, {"id": "b", "en": "b"}, {"id": "c", "en": "c"}]},
     "needs exactly one correct option"),
    ({"options": [{"id": "a", "correct": True}, {"id": "b", "en": "b"}, {"id": "c", "en": "c"}]},
     "every option needs both"),
    ({"image": 5}, "does not exist"),
])
def test_question_problems(change, problem):
    problems = question_problems({**question_data(), **change})
    assert any(problem in p for p in problems), problems


def test_read_bank_of_an_empty_folder_is_empty(tmp_path):
    assert read_bank(tmp_path) == []


# --------------------------------------------------------------------------- seed


@pytest.fixture
def temp_bank(tmp_path, monkeypatch):
    """Point `flask seed` at a complete bank in a temp folder."""
    folder = tmp_path / "bank"
    questions = full_bank(folder)
    monkeypatch.setattr(core.cli, "load_bank", lambda: load_bank(folder))
    return questions


def test_seed_creates_bank_blueprints_and_demo_accounts(app, runner, temp_bank):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert f"'created': {len(temp_bank)}" in result.output
    assert DEMO_PASSWORD in result.output
    with app.app_context():
        users = {u.email: u.role for u in db.session.scalars(db.select(User))}
        assert users == {**{email: role for email, _, role in DEMO_ACCOUNTS}, "applicant@demo.sim": "applicant"}
        assert {b.sim_class for b in db.session.scalars(db.select(ExamBlueprint))} == set(CLASS_CODES)
        assert count(Question) == len(temp_bank)

    for email in users:
        assert Api(app.test_client()).login(email, DEMO_PASSWORD).status_code == 200


def test_demo_applicant_can_start_an_exam_after_seeding(app, runner, temp_bank):
    runner.invoke(args=["seed"])
    api = Api(app.test_client())
    api.login("applicant@demo.sim", DEMO_PASSWORD)
    application = api.get("/applications").get_json()["applications"][0]
    assert application["sim_class"] == "A" and application["may_start"] is True
    assert api.start(application["id"]).status_code == 201


def test_seed_twice_changes_nothing(app, runner, temp_bank):
    runner.invoke(args=["seed"])
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert f"'unchanged': {len(temp_bank)}" in result.output
    assert "Blueprints created: 0" in result.output
    assert "none (already there)" in result.output
    with app.app_context():
        assert count(User) == len(DEMO_ACCOUNTS) + 1


def test_seed_no_demo_creates_no_accounts(app, runner, temp_bank):
    result = runner.invoke(args=["seed", "--no-demo"])
    assert result.exit_code == 0, result.output
    assert f"Blueprints created: {len(CLASS_CODES)}" in result.output
    with app.app_context():
        assert count(User) == 0


def test_seed_moves_unedited_blueprints_to_the_new_hazard_share_and_leaves_edited_ones(app, runner, temp_bank):
    """A database seeded before hazard perception's share was raised: the blueprints
    still on the old default mix get the new one as a new audited version; a class
    staff configured keeps its own."""
    from core.audit import AuditEntry

    runner.invoke(args=["seed", "--no-demo"])
    old = dict(PREVIOUS_DEFAULT_TOPIC_COUNTS[0])
    custom = {**old, "signs": 7, "regulations": 5}
    with app.app_context():
        for code in CLASS_CODES:
            blueprint = current_blueprint(code)
            blueprint.topic_counts = custom if code == "C" else old
        db.session.commit()
        update_blueprint("B2", topic_counts=old, pass_mark=22, delivery_mode="free", duration_seconds=1800,
                         seconds_per_question=15, by_user_id=None)  # on the old mix, with its own pass mark
    result = runner.invoke(args=["seed", "--no-demo"])
    assert result.exit_code == 0, result.output
    assert "Blueprints moved to the current default topic mix:" in result.output
    with app.app_context():
        assert current_blueprint("C").topic_counts == custom
        for code in set(CLASS_CODES) - {"C"}:
            assert current_blueprint(code).topic_counts == DEFAULT_TOPIC_COUNTS, code
        b2 = current_blueprint("B2")
        assert b2.pass_mark == 22 and b2.version == 3  # its other settings kept, a new version
        assert current_blueprint("A").version == 2
        entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "blueprint.update")).all()
        assert sorted(e.target_id for e in entries) == sorted([*(set(CLASS_CODES) - {"C"}), "B2"])  # B2: edit, move
    again = runner.invoke(args=["seed", "--no-demo"])
    assert "moved" not in again.output


def test_seed_with_an_invalid_bank_loads_nothing(app, runner, tmp_path, monkeypatch):
    folder = tmp_path / "bad"
    write_bank(folder, "regulations.json", [question_data(code="REG-001"), {**question_data(), "topic": "x"}])
    monkeypatch.setattr(core.cli, "load_bank", lambda: load_bank(folder))
    result = runner.invoke(args=["seed"])
    assert result.exit_code != 0
    assert "invalid" in result.output and "unknown topic 'x'" in result.output
    with app.app_context():
        assert count(Question) == 0 and count(User) == 0 and count(ExamBlueprint) == 0


# --------------------------------------------------------------------------- create-user


def test_create_user_command(app, runner):
    result = runner.invoke(args=["create-user", "--email", "Boss@Example.test", "--name", "Boss", "--role", "admin"],
                           input="a-long-password\na-long-password\n")
    assert result.exit_code == 0, result.output
    assert "Created boss@example.test (admin)." in result.output
    with app.app_context():
        assert db.session.scalar(db.select(User.role).where(User.email == "boss@example.test")) == "admin"


@pytest.mark.parametrize(("role", "password"), [("applicant", "a-long-password"), ("staff", "short")])
def test_create_user_command_refusals(app, runner, role, password):
    result = runner.invoke(args=["create-user", "--email", "x@example.test", "--name", "X", "--role", role],
                           input=f"{password}\n{password}\n")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Error:" in result.output
    with app.app_context():
        assert count(User) == 0


def test_create_user_command_refuses_a_taken_email(app, runner, staff):
    result = runner.invoke(args=["create-user", "--email", staff.email, "--name", "X", "--role", "staff"],
                           input="a-long-password\na-long-password\n")
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # a clean ClickException, no crash
    assert "Error:" in result.output


# --------------------------------------------------------------------------- the bundled bank


def test_bundled_bank_is_valid():
    """Fails, listing every problem, until the content in question_bank/data is valid."""
    try:
        questions = read_bank()
    except BankFileError as error:
        pytest.fail(f"question_bank/data is invalid:\n{error}")
    assert questions, "question_bank/data has no questions yet"


def test_bundled_bank_fills_every_class_exam_twice(app_ctx):
    """Every class needs enough questions per topic for the default blueprint, and
    twice that so a retake can draw questions the applicant has not seen."""
    load_bank()
    short = {}
    for sim_class in CLASS_CODES:
        available = {topic: len(c) for topic, c in candidates_for(sim_class).items()}
        for topic, needed in DEFAULT_TOPIC_COUNTS.items():
            if available.get(topic, 0) < 2 * needed:
                short[f"{sim_class}/{topic}"] = f"{available.get(topic, 0)} < {2 * needed}"
    assert not short


def test_seed_with_the_bundled_bank(app, runner):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    api = Api(app.test_client())
    api.login("applicant@demo.sim", DEMO_PASSWORD)
    application = api.get("/applications").get_json()["applications"][0]
    assert api.start(application["id"]).status_code == 201
