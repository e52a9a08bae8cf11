"""An upload waiting on its preview page for the staff member's confirmation.

The file, the choices made on the preview page (category mappings, classes, the
language of unmarked text) and the plan that was shown are stored server-side in a
`PendingImport`, under a random token that only its uploader can use, for
`LIFETIME`. Confirming applies that stored plan, never anything the browser sends
back, after checking that the bank has not changed in a way that would make the
plan do something else.
"""
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete

from core.clock import now_utc
from core.errors import NotFound, ValidationError
from core.extensions import db
from question_bank.models import TOPICS, PendingImport
from question_bank.transfer.common import MAX_IMPORT_BYTES, ImportProblem, no_questions_problem, size_problem
from question_bank.transfer.operations import ImportReport, get_format
from question_bank.transfer.plan import REFUSED, apply_plan, build_plan, check_unchanged, importable, plan_locale

LIFETIME = timedelta(hours=1)
LANGUAGES = ("id", "en")


class NothingToImport(ValidationError):
    """The file cannot be imported at all (structure, size, encoding); `problems` says why."""

    def __init__(self, problems: list[ImportProblem], status: int = 422):
        self.problems = problems
        super().__init__(_("The file cannot be imported; nothing was saved."), status=status)


def start(user_id: int, fmt: str, filename: str, data: bytes, untagged: str = "id") -> PendingImport:
    """Read an upload and keep it, with its plan, for the preview page. Raises
    NothingToImport when the file as a whole cannot be read. Commits."""
    get_format(fmt)
    untagged = untagged if untagged in LANGUAGES else "id"
    if len(data) > MAX_IMPORT_BYTES:
        raise NothingToImport([size_problem()], status=413)
    plan = build_plan(fmt, data, untagged=untagged)
    if plan["problems"] or not plan["questions"]:
        problems = [ImportProblem(location, reason) for location, reason in plan["problems"]]
        raise NothingToImport(problems or [no_questions_problem()])
    now = now_utc()
    db.session.execute(delete(PendingImport).where(PendingImport.expires_at < now))
    pending = PendingImport(token=secrets.token_urlsafe(32), user_id=user_id, format=fmt, filename=filename[:255],
                            upload=data, options={"untagged": untagged, "mapping": {}, "classes": []}, plan=plan,
                            created_at=now, expires_at=now + LIFETIME)
    db.session.add(pending)
    db.session.commit()
    return pending


def get(token: str, user_id: int) -> PendingImport:
    """The user's pending import with that token; NotFound if there is none, it is
    someone else's, or it has expired."""
    pending = db.session.scalar(db.select(PendingImport).where(PendingImport.token == token))
    if pending is None or pending.user_id != user_id or pending.expires_at < now_utc():
        raise NotFound(_("This import has expired or does not exist; upload the file again."))
    return pending


def for_preview(token: str, user_id: int) -> PendingImport:
    """The pending import (as `get`) for its preview page, planned again with the same
    choices if the UI language changed since: a plan's messages are in the language
    it was made in. Commits when it plans again."""
    pending = get(token, user_id)
    if pending.plan.get("locale") != plan_locale():
        choose(pending, pending.options["mapping"], pending.options["classes"], pending.options["untagged"])
    return pending


def choose(pending: PendingImport, mapping: dict[str, str], classes: list[str], untagged: str) -> PendingImport:
    """Plan the import again with the choices made on the preview page. Commits."""
    paths = {c["path"] for c in pending.plan["categories"]}
    options = {"untagged": untagged if untagged in LANGUAGES else pending.options["untagged"],
               "mapping": {path: topic for path, topic in mapping.items() if path in paths and topic in TOPICS},
               "classes": sorted(set(classes))}
    plan = build_plan(pending.format, pending.upload, mapping=options["mapping"], classes=options["classes"],
                      untagged=options["untagged"])
    pending.options, pending.plan = options, plan
    db.session.commit()
    return pending


def confirm(pending: PendingImport, user_id: int, skip_refused: bool) -> ImportReport:
    """Apply the plan that was previewed and forget the upload. Raises ValidationError
    when questions would be refused and staff did not choose to import the rest, or
    nothing is importable; Conflict when the bank changed since the preview."""
    plan = pending.plan
    refused = [q for q in plan["questions"] if q["action"] == REFUSED]
    if not importable(plan):
        raise ValidationError(_("No question of this file can be imported."))
    if refused and not skip_refused:
        raise ValidationError(_("%(n)s questions would be refused. Tick \u201cimport the others\u201d to import "
                                "the rest of the file without them.", n=len(refused)))
    check_unchanged(plan)
    filename = pending.filename
    db.session.delete(pending)
    return apply_plan(plan, user_id, filename=filename)
