"""Practice exams: an unproctored paper, not counted as an attempt, showing the
right answer and the explanation after each answer. It is drawn only from the
practice pool (questions with status `practice`), which exams never draw from, so
practice cannot be used to collect the exam questions' answer keys. The paper lives
in the signed session cookie (version ids and option orders only), so nothing is stored.

Practice is closed while the applicant has a real exam in progress, so it cannot
be used to look answers up during an exam.
"""
import secrets
from dataclasses import dataclass

from flask import session
from flask_babel import gettext as _

from accounts.models import User
from core.errors import Conflict, NotFound, ValidationError
from core.extensions import db
from exam.assembly import assemble
from exam.blueprints import current_blueprint
from exam.services import candidates_for, current_attempt
from question_bank.models import PRACTICE, QuestionVersion

SESSION_KEY = "practice"


@dataclass(frozen=True)
class PracticeQuestion:
    number: int
    total: int
    version: QuestionVersion
    option_order: list[int]
    choice: int | None

    @property
    def options(self) -> list[dict]:
        return [self.version.options[i] for i in self.option_order]

    @property
    def correct_choice(self) -> int:
        return self.option_order.index(self.version.correct_index)


def ensure_no_exam_running(user: User) -> None:
    if current_attempt(user) is not None:
        raise Conflict(_("Practice is closed while you have an exam in progress."))


def start(user: User, sim_class: str) -> None:
    ensure_no_exam_running(user)
    pool = candidates_for(sim_class, PRACTICE)
    # The blueprint's count per topic, as far as the practice pool has questions for it.
    counts = {topic: min(count, len(pool.get(topic, ()))) for topic, count in current_blueprint(sim_class).topic_counts.items()}
    if not any(counts.values()):
        raise Conflict(_("The question bank cannot fill a practice exam for this class yet."))
    paper = assemble(counts, pool, set(), secrets.randbelow(2**31))
    session[SESSION_KEY] = {"class": sim_class, "items": [[p.version_id, list(p.option_order)] for p in paper],
                            "answers": {}}


def _paper() -> dict:
    paper = session.get(SESSION_KEY)
    if not paper:
        raise NotFound(_("Start a practice exam first."))
    return paper


def question(user: User, number: int) -> PracticeQuestion:
    ensure_no_exam_running(user)
    paper = _paper()
    if not 1 <= number <= len(paper["items"]):
        raise NotFound(_("There is no question %(number)s in this exam.", number=number))
    version_id, order = paper["items"][number - 1]
    version = db.session.get(QuestionVersion, version_id)
    return PracticeQuestion(number, len(paper["items"]), version, order, paper["answers"].get(str(number)))


def answer(user: User, number: int, choice: int) -> PracticeQuestion:
    current = question(user, number)
    if current.choice is not None:
        return current
    if not 0 <= choice < len(current.option_order):
        raise ValidationError(_("That answer option does not exist."))
    paper = _paper()
    paper["answers"][str(number)] = choice
    session[SESSION_KEY] = paper
    return question(user, number)


def summary() -> tuple[int, int, int]:
    """(correct, answered, total) so far."""
    paper = _paper()
    correct = 0
    for number, choice in paper["answers"].items():
        version_id, order = paper["items"][int(number) - 1]
        version = db.session.get(QuestionVersion, version_id)
        correct += int(order[choice] == version.correct_index)
    return correct, len(paper["answers"]), len(paper["items"])
