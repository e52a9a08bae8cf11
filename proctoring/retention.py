"""Retention of proctoring pictures (privacy). `flask --app app purge-evidence`
runs `purge_evidence`; it is safe to run as often as wanted (e.g. hourly from cron).

- Frames that back no flag: deleted when analysed and clean (see `jobs.refresh_flags`),
  otherwise PROCTOR_FRAME_RETENTION_HOURS after they arrived.
- Frames that back a flag (evidence) and the reference photos of attempts:
  PROCTOR_EVIDENCE_RETENTION_DAYS after they were taken.
- Reference photos of checks that never started an exam: as frames that back no flag.

The analysis results, flags and risk scores stay; only pictures are deleted.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from core.extensions import db
from proctoring import storage
from proctoring.models import Frame, SystemCheck


@dataclass(frozen=True)
class PurgeCounts:
    frames: int
    evidence: int
    photos: int


def purge_evidence(now: datetime) -> PurgeCounts:
    """Delete every picture past its retention period; returns how many of each kind."""
    frame_cutoff = now - timedelta(hours=current_app.config["PROCTOR_FRAME_RETENTION_HOURS"])
    evidence_cutoff = now - timedelta(days=current_app.config["PROCTOR_EVIDENCE_RETENTION_DAYS"])
    frames = db.session.scalars(select(Frame).where(
        Frame.path.is_not(None), Frame.is_evidence.is_(False), Frame.received_at < frame_cutoff)).all()
    evidence = db.session.scalars(select(Frame).where(
        Frame.path.is_not(None), Frame.is_evidence.is_(True), Frame.received_at < evidence_cutoff)).all()
    photos = db.session.scalars(select(SystemCheck).where(SystemCheck.photo_path.is_not(None)).where(
        (SystemCheck.attempt_id.is_(None) & (SystemCheck.created_at < frame_cutoff))
        | (SystemCheck.created_at < evidence_cutoff))).all()
    doomed = [frame.discard(now) for frame in (*frames, *evidence)] + [check.discard_photo() for check in photos]
    db.session.commit()
    for path in doomed:
        storage.delete(path)
    return PurgeCounts(len(frames), len(evidence), len(photos))
