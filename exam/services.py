"""Attempt operations: start, answer, flag, submit, the deadline sweep and verification.

Every entry point that touches an attempt first closes it if its deadline has
passed (`settle`), so an expired attempt is submitted on the next request as
well as by the periodic sweep, and answers saved before the deadline are never lost.

Concurrency: every write to an attempt first takes the attempt's row lock with a
guarded UPDATE (`_lock_open`: a row lock on PostgreSQL, the database write lock on
SQLite) that matches only while the attempt is still in progress, then re-reads the
attempt. So an answer and a submit are serialised, an answer is stored only while the
attempt is open, and of several submits exactly one grades and the others return
its result. Starting an exam locks the registration the same way, and the database
holds at most one attempt in progress per registration (a unique partial index).
"""
import secrets
import uuid
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from core.clock import local_date, local_today, now_utc
from core.errors import Conflict, Forbidden, NotFound, ValidationError
from core.extensions import db
from exam.assembly import Candidate, NotEnoughQuestions, assemble
from exam.blueprints import current_blueprint
from exam.grading import GradedItem, Result, grade
from exam.models import IN_PROGRESS, Application, Attempt, AttemptItem
from exam.retakes import IN_PROGRESS as ELIGIBILITY_IN_PROGRESS
from exam.retakes import PASSED, WAIT, eligibility
from exam.signals import attempt_closed, attempt_submitted
from proctoring.gate import begin_proctoring, require_system_check
from question_bank.models import ACTIVE, Question, QuestionVersion, QuestionVersionClass

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def grace_seconds() -> int:
    return current_app.config["SUBMIT_GRACE_SECONDS"]


def latest_application(user: User, sim_class: str | None = None) -> Application | None:
    query = select(Application).where(Application.user_id == user.id)
    if sim_class is not None:
        query = query.where(Application.sim_class == sim_class)
    return db.session.scalar(query.order_by(Application.id.desc()).limit(1))


def register_again(user: User, sim_class: str) -> Application:
    """Open a new application once the previous one can no longer be used."""
    previous = latest_application(user, sim_class)
    if previous is not None:
        status = eligibility(previous, local_today())
        if not status.must_register_again:
            raise Conflict(_("Your current registration for this class is still valid."))
        previous.closed = True
    application = Application(user_id=user.id, sim_class=sim_class)
    db.session.add(application)
    db.session.commit()
    return application


def candidates_for(sim_class: str, status: str = ACTIVE) -> dict[str, list[Candidate]]:
    """Questions of a status (exam papers: active; practice: the practice pool) whose
    current version applies to a class, by topic. A version that still needs a
    translation is never drawn: an applicant could face a question in one language only."""
    rows = db.session.execute(
        select(Question.id, QuestionVersion.id, QuestionVersion.topic, QuestionVersion.options,
               Question.exclusion_group)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .join(QuestionVersionClass, QuestionVersionClass.version_id == QuestionVersion.id)
        .where(Question.status == status, QuestionVersionClass.sim_class == sim_class,
               QuestionVersion.translation_needed.is_(False))
    )
    by_topic: dict[str, list[Candidate]] = {}
    for question_id, version_id, topic, options, group in rows:
        by_topic.setdefault(topic, []).append(Candidate(question_id, version_id, len(options), group))
    return by_topic


def seen_question_ids(user: User) -> set[int]:
    return set(db.session.scalars(
        select(QuestionVersion.question_id)
        .join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.user_id == user.id)
    ))


def start_attempt(user: User, application: Application, consent: bool) -> Attempt:
    """Draw a paper and start the clock. Raises if consent is missing, the
    applicant may not sit now, the camera check has not passed (with
    PROCTORING_REQUIRED; the check becomes the attempt's reference photo), or the
    bank cannot fill the blueprint."""
    if application.user_id != user.id:
        raise Forbidden(_("This registration belongs to someone else."))
    if not consent:
        raise ValidationError(_("Please read the rules and give your consent before starting."))
    for previous in application.attempts:
        settle(previous)  # an attempt past its deadline that no request or sweep has closed yet
    _lock_application(application)
    now = now_utc()
    status = eligibility(application, local_date(now))
    if status.status == ELIGIBILITY_IN_PROGRESS:
        raise Conflict(_("You already have an exam in progress."))
    if status.status == PASSED:
        raise Conflict(_("You have already passed the theory exam for this class."))
    if status.status == WAIT:
        raise Conflict(_("Your retake can start from %(day)s.", day=status.window_opens.isoformat()))
    if not status.may_start:
        raise Conflict(_("Your retakes for this registration are used up or their period has ended; please register again."))
    check = require_system_check(user, application)  # None when PROCTORING_REQUIRED is off
    blueprint = current_blueprint(application.sim_class)
    seed = secrets.randbelow(2**31)
    try:
        paper = assemble(blueprint.topic_counts, candidates_for(application.sim_class), seen_question_ids(user), seed)
    except NotEnoughQuestions as error:
        current_app.logger.error("Cannot assemble paper for %s: %s", application.sim_class, error)
        raise Conflict(_("The question bank cannot fill this exam yet. Please contact the exam office.")) from error
    attempt = Attempt(
        public_id=uuid.uuid4().hex, user_id=user.id, application_id=application.id, blueprint_id=blueprint.id,
        seed=seed, state=IN_PROGRESS, consent_at=now, started_at=now,
        deadline_at=now + timedelta(seconds=blueprint.total_seconds), current_position=0, current_shown_at=now,
    )
    attempt.items = [
        AttemptItem(position=i, question_version_id=item.version_id, option_order=list(item.option_order))
        for i, item in enumerate(paper)
    ]
    try:
        db.session.add(attempt)
        if check is not None:
            begin_proctoring(attempt, check)
        db.session.commit()
    except IntegrityError as error:  # the partial index or the check's claim: another start won
        db.session.rollback()
        raise Conflict(_("You already have an exam in progress.")) from error
    return attempt


def _lock_application(application: Application) -> None:
    """Serialise starts on one registration and re-read its attempts under the lock."""
    db.session.execute(update(Application).where(Application.id == application.id)
                       .values(closed=Application.closed).execution_options(synchronize_session=False))
    db.session.refresh(application)
    db.session.execute(select(Attempt).where(Attempt.application_id == application.id)
                       .execution_options(populate_existing=True)).all()
    db.session.expire(application, ["attempts"])


def _lock_open(attempt: Attempt) -> bool:
    """Take the attempt's row lock if it is still in progress and re-read it (with its
    answers) as committed; False, with the attempt re-read, when it is already closed.
    Held until the caller's commit or rollback."""
    locked = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.state == IN_PROGRESS)
        .values(state=IN_PROGRESS).execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(attempt)
    db.session.execute(select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)
                       .execution_options(populate_existing=True)).all()
    return locked


def _lock_for_write(attempt: Attempt) -> None:
    """Lock an attempt that is to be changed; raises Conflict (with the reason) when it is closed."""
    if not _lock_open(attempt):
        db.session.rollback()
        attempt.ensure_open(now_utc())


def load_attempt(public_id: str, user: User) -> Attempt:
    """The user's attempt, settled against the clock. Others' attempts are 404."""
    attempt = db.session.scalar(select(Attempt).where(Attempt.public_id == public_id))
    if attempt is None or attempt.user_id != user.id:
        raise NotFound(_("Exam not found."))
    settle(attempt)
    return attempt


def current_attempt(user: User) -> Attempt | None:
    attempt = db.session.scalar(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.state == IN_PROGRESS).limit(1)
    )
    if attempt is not None:
        settle(attempt)
        if not attempt.is_open:
            return None
    return attempt


def settle(attempt: Attempt) -> None:
    """Apply the clock: advance per-question timers and submit past the deadline."""
    if not attempt.is_open:
        return
    now = now_utc()
    if now > attempt.deadline_at + timedelta(seconds=grace_seconds()):
        _close(attempt, now, auto=True)
        return
    before = (attempt.current_position, attempt.current_shown_at)
    attempt.advance_if_due(now)
    if attempt.per_question and attempt.current_position >= len(attempt.items):
        _close(attempt, now, auto=True)
    elif before != (attempt.current_position, attempt.current_shown_at):
        db.session.commit()


def answer(attempt: Attempt, position: int, choice: int) -> AttemptItem:
    _lock_for_write(attempt)
    item = attempt.answer(position, choice, now_utc(), grace_seconds())
    _commit_or_finish(attempt)
    return item


def skip(attempt: Attempt, position: int) -> None:
    _lock_for_write(attempt)
    attempt.skip(position, now_utc())
    _commit_or_finish(attempt)


def _commit_or_finish(attempt: Attempt) -> None:
    """In per-question mode the last answer (or skip) ends the exam."""
    if attempt.per_question and attempt.current_position >= len(attempt.items):
        _close(attempt, now_utc(), auto=False)
    else:
        db.session.commit()


def flag(attempt: Attempt, position: int, flagged: bool) -> AttemptItem:
    _lock_for_write(attempt)
    item = attempt.flag(position, flagged, now_utc())
    db.session.commit()
    return item


def go_to(attempt: Attempt, position: int) -> None:
    _lock_for_write(attempt)
    attempt.go_to(position, now_utc())
    db.session.commit()


def submit(attempt: Attempt) -> Attempt:
    """Submit the attempt, or return it as it is when it has already been submitted
    (a replayed or concurrent submit): one result and one verification code."""
    _close(attempt, now_utc(), auto=False)
    return attempt


def grade_attempt(attempt: Attempt) -> Result:
    """Grade from the stored versions: also used to re-score an old attempt."""
    graded = [
        GradedItem(item.version.topic, item.option_order, item.version.correct_index, item.choice)
        for item in attempt.items
    ]
    return grade(graded, attempt.blueprint.pass_mark)


def _close(attempt: Attempt, now, auto: bool) -> None:
    """Grade and close under the attempt's lock; a no-op when someone else closed it first."""
    if not _lock_open(attempt):
        db.session.rollback()
        return
    attempt.record_result(grade_attempt(attempt), now, auto, _new_verification_code())
    attempt_submitted.send(attempt)
    db.session.commit()
    attempt_closed.send(attempt)


def _new_verification_code() -> str:
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
        if db.session.scalar(select(Attempt.id).where(Attempt.verification_code == code)) is None:
            return code


def sweep_expired() -> int:
    """Submit every open attempt whose deadline has passed. Returns how many."""
    cutoff = now_utc() - timedelta(seconds=grace_seconds())
    overdue = db.session.scalars(
        select(Attempt).where(Attempt.state == IN_PROGRESS, Attempt.deadline_at < cutoff)
    ).all()
    for attempt in overdue:
        settle(attempt)
    return len(overdue)


def find_by_verification_code(code: str) -> Attempt:
    normalized = code.strip().upper()
    attempt = db.session.scalar(select(Attempt).where(Attempt.verification_code == normalized))
    if attempt is None:
        raise NotFound(_("No result has this verification code."))
    return attempt


def mask_name(full_name: str) -> str:
    """'Budi Santoso' -> 'B*** S******': enough to match a person, not to identify one."""
    return " ".join(part[0] + "*" * (len(part) - 1) for part in full_name.split())
