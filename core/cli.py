"""Click commands: `flask --app app seed | create-user | sweep-expired | requeue-stale-frames |
purge-evidence | auto-clear | verify-audit | backup | restore`.
Migrations are Flask-Migrate's: `flask --app app db upgrade`."""
from datetime import date
from pathlib import Path

import click
from flask import Flask

from accounts.services import create_user, email_taken, register_applicant
from core.access import ADMIN, APPLICANT, EXAMINER, ROLES, STAFF
from core.audit import verify_chain
from core.backup import BackupError, backup, restore
from core.clock import now_utc
from core.errors import PlatformError
from core.extensions import db
from exam.blueprints import adopt_default_topic_counts, ensure_default_blueprints
from exam.services import sweep_expired
from proctoring.retention import purge_evidence
from question_bank.editing import cue_report
from question_bank.loader import BankFileError, load_bank
from review.services import auto_clear_pending

DEMO_PASSWORD = "demo-password-123"
DEMO_ACCOUNTS = (
    ("admin@demo.sim", "Admin Demo", ADMIN),
    ("staff@demo.sim", "Staf Bank Soal", STAFF),
    ("examiner@demo.sim", "Penguji Demo", EXAMINER),
)


def seed_demo_accounts() -> list[str]:
    """Create the demo staff-side accounts and one applicant (idempotent)."""
    made = []
    for email, name, role in DEMO_ACCOUNTS:
        if not email_taken(email):
            create_user(email=email, password=DEMO_PASSWORD, full_name=name, role=role)
            made.append(email)
    if not email_taken("applicant@demo.sim"):
        register_applicant(full_name="Budi Santoso", nik="3174011505990001", born=date(1999, 5, 15),
                           email="applicant@demo.sim", password=DEMO_PASSWORD, sim_class="A", held=[])
        made.append("applicant@demo.sim")
    return made


def register_cli(app: Flask) -> None:
    @app.cli.command("seed")
    @click.option("--no-demo", is_flag=True, help="Load the question bank and blueprints only.")
    def seed(no_demo: bool):
        """Load the question bank, default blueprints and demo accounts."""
        try:
            counts = load_bank()
        except BankFileError as error:
            raise click.ClickException(f"The question bank files are invalid; nothing was loaded:\n{error}") from error
        click.echo(f"Question bank: {dict(counts)}")
        warnings = cue_report().warnings()
        if warnings:
            click.echo(f"Warning: {len(warnings)} test-taking cue(s) in the question bank (see /bank/cues):")
            for line in warnings:
                click.echo(f"  - {line}")
        else:
            click.echo("Cue check: no test-taking cues found.")
        click.echo(f"Blueprints created: {ensure_default_blueprints()}")
        moved = adopt_default_topic_counts()
        if moved:
            click.echo(f"Blueprints moved to the current default topic mix: {', '.join(moved)}")
        if not no_demo:
            made = seed_demo_accounts()
            click.echo(f"Demo accounts created: {', '.join(made) or 'none (already there)'}; password {DEMO_PASSWORD}")

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", "full_name", required=True)
    @click.option("--role", type=click.Choice(ROLES), required=True)
    @click.password_option()
    def create_user_command(email: str, full_name: str, role: str, password: str):
        """Create an account with a role (applicants normally register themselves)."""
        if role == APPLICANT:
            raise click.ClickException("Applicants register through the website (NIK and age checks apply).")
        try:
            user = create_user(email=email, password=password, full_name=full_name, role=role)
        except PlatformError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        click.echo(f"Created {user.email} ({user.role}).")

    @app.cli.command("sweep-expired")
    def sweep_command():
        """Submit every exam whose deadline has passed, then auto-clear eligible reviews."""
        click.echo(f"Submitted {sweep_expired()} expired exam(s).")
        click.echo(f"Auto-cleared {auto_clear_pending().cleared} exam(s) awaiting review.")

    @app.cli.command("requeue-stale-frames")
    def requeue_stale_frames_command():
        """Queue again the frames whose analysis was lost (queued longer than PROCTOR_STALE_QUEUE_SECONDS)."""
        from proctoring.services import requeue_stale_frames

        click.echo(f"Queued {requeue_stale_frames()} frame(s) again for analysis.")

    @app.cli.command("purge-evidence")
    def purge_evidence_command():
        """Delete proctoring pictures past their retention period (cron-friendly)."""
        counts = purge_evidence(now_utc())
        click.echo(f"Deleted {counts.frames} frame(s), {counts.evidence} evidence frame(s) "
                   f"and {counts.photos} reference photo(s).")

    @app.cli.command("auto-clear")
    def auto_clear_command():
        """Clear submitted exams below REVIEW_AUTO_CLEAR_BELOW risk with no high-severity flag."""
        counts = auto_clear_pending()
        click.echo(f"Checked {counts.checked} exam(s) awaiting review with a risk below "
                   f"{app.config['REVIEW_AUTO_CLEAR_BELOW']}; auto-cleared {counts.cleared}.")

    @app.cli.command("verify-audit")
    def verify_audit_command():
        """Verify the audit trail's hash chain; exit code 1 at the first broken entry."""
        report = verify_chain()
        if report.intact:
            click.echo(f"Audit chain intact: {report.checked} entries checked.")
            return
        click.echo(f"Audit chain BROKEN at entry {report.first_broken_id}: {report.reason} "
                   f"({report.checked} entries before it are intact).", err=True)
        raise click.exceptions.Exit(1)

    @app.cli.command("backup")
    @click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(destination: Path):
        """Write every table and the evidence and upload folders to DESTINATION (.tar.gz)."""
        counts = backup(destination)
        click.echo(f"Backed up {sum(counts.values())} row(s) in {len(counts)} table(s) to {destination}.")

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--replace", is_flag=True, help="Replace what the database holds now.")
    def restore_command(source: Path, replace: bool):
        """Load a backup into this (empty, or with --replace any) database and its folders."""
        try:
            counts = restore(source, replace=replace)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Restored {sum(counts.values())} row(s) in {len(counts)} table(s) from {source}.")
