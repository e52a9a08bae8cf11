"""Everything the examiner's session page shows, read in one place: the attempt's
flags with their evidence frames and the frames just before and after them, its
browser events and answer activity, the reference photo and the timeline.

Reads only. Frames are shown through proctoring's evidence URL when they are kept
as evidence; other frames still on disk are served by `review.views.frame_image`;
a frame whose picture is gone is shown by what the analysis saw.
"""
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from accounts.models import User
from core.clock import now_utc
from core.extensions import db
from exam.models import Attempt
from proctoring.labels import event_kind_label, flag_kind_label, severity_label
from proctoring.models import (
    BrowserEventRecord,
    Frame,
    ProctorFlag,
    ProctorSession,
    SystemCheck,
)
from proctoring.rules import (
    CLIPBOARD_EVENTS,
    FLAG_KINDS,
)
from review.charts import Timeline, TimelineItem, elapsed_label, timeline
from review.models import FlagMark, Review

MAX_FRAMES_PER_FLAG = 6
TAB_EVENTS = frozenset({"tab_hidden", "tab_visible", "window_blur", "window_focus", "window_small", "window_restored"})
FULLSCREEN_EVENTS = frozenset({"fullscreen_enter", "fullscreen_exit"})


def event_group(kind: str) -> str:
    if kind in TAB_EVENTS:
        return "tab"
    if kind in FULLSCREEN_EVENTS:
        return "fullscreen"
    if kind in CLIPBOARD_EVENTS or kind in ("context_menu", "shortcut"):
        return "clipboard"
    if kind.startswith("camera"):
        return "camera"
    return "other"


@dataclass(frozen=True)
class FrameView:
    id: int
    sequence: int
    at: datetime
    evidence: bool
    stored: bool
    faces: int | None
    summary: str

    @property
    def from_proctoring(self) -> bool:
        """Served (with the overlay) by proctoring's evidence URL."""
        return self.evidence and self.stored


def describe(frame: Frame) -> FrameView:
    """A frame and a one-line account of what the analysis saw in it."""
    result = frame.result
    parts: list[str] = []
    faces = None
    if result is not None:
        faces = len(result.faces)
        parts.append(_("%(n)s face(s)", n=faces))
        main = max(result.faces, key=lambda f: f.box[2] * f.box[3], default=None)
        if main is not None and (main.yaw is not None or main.pitch is not None):
            parts.append(_("head %(yaw)s° / %(pitch)s°", yaw=round(main.yaw or 0), pitch=round(main.pitch or 0)))
        if result.identity_distance is not None:
            parts.append(_("identity distance %(d)s", d=f"{result.identity_distance:.2f}"))
        parts.append(_("light %(b)s", b=round(result.brightness)))
    elif frame.error:
        parts.append(_("not analysed: %(error)s", error=frame.error))
    return FrameView(frame.id, frame.sequence, frame.captured_at, frame.is_evidence, frame.path is not None, faces,
                     " · ".join(parts))


def sample(items: list, limit: int) -> list:
    """At most `limit` items spread evenly, always keeping the first and the last."""
    if len(items) <= limit:
        return list(items)
    return [items[round(i * (len(items) - 1) / (limit - 1))] for i in range(limit)]


@dataclass(frozen=True)
class FlagView:
    flag: ProctorFlag
    number: int
    label: str
    frames: list[FrameView]
    hidden_frames: int
    before: FrameView | None
    after: FrameView | None
    mark: FlagMark | None


@dataclass(frozen=True)
class FaceMatch:
    """Another account whose reference photo shows this attempt's reference face."""

    user: User
    distance: float
    attempt: Attempt | None


@dataclass(frozen=True)
class SessionView:
    attempt: Attempt
    proctor: ProctorSession | None
    check: SystemCheck | None
    flags: list[FlagView]
    events: list[BrowserEventRecord]
    timeline: Timeline
    review: Review | None
    end: datetime
    face_matches: list[FaceMatch]

    @property
    def frame_ids(self) -> list[int]:
        return [frame.id for view in self.flags for frame in view.frames]

    def offset(self, moment: datetime) -> str:
        return elapsed_label((moment - self.attempt.started_at).total_seconds())


def session_view(attempt: Attempt, frame_href: Callable[[int], str]) -> SessionView:
    """Assemble the session page for an attempt; `frame_href(frame_id)` links a frame."""
    proctor = db.session.scalar(select(ProctorSession).where(ProctorSession.attempt_id == attempt.id))
    check = reference_check(attempt) if proctor is not None else None
    flags = db.session.scalars(select(ProctorFlag).where(ProctorFlag.attempt_id == attempt.id)
                               .order_by(ProctorFlag.started_at, ProctorFlag.id)).all()
    events = db.session.scalars(select(BrowserEventRecord).where(BrowserEventRecord.attempt_id == attempt.id)
                                .order_by(BrowserEventRecord.occurred_at, BrowserEventRecord.id)).all()
    frames = db.session.scalars(select(Frame).where(Frame.attempt_id == attempt.id).order_by(Frame.sequence)).all()
    marks = {(m.flag_kind, m.flag_started_at): m for m in db.session.scalars(
        select(FlagMark).where(FlagMark.attempt_id == attempt.id))}
    review = db.session.scalar(select(Review).where(Review.attempt_id == attempt.id))

    by_id = {frame.id: index for index, frame in enumerate(frames)}
    times = [frame.captured_at for frame in frames]
    views = [describe(frame) for frame in frames]
    flag_views = []
    for number, flag in enumerate(flags, start=1):
        positions = sorted(by_id[i] for i in flag.frame_ids if i in by_id)
        if positions:
            before_at, after_at = positions[0] - 1, positions[-1] + 1
        else:  # a flag from browser events: the frames around its interval
            before_at, after_at = bisect_right(times, flag.started_at) - 1, bisect_left(times, flag.ended_at)
        shown = sample([views[p] for p in positions], MAX_FRAMES_PER_FLAG)
        flag_views.append(FlagView(
            flag, number, flag_kind_label(flag.kind), shown, len(positions) - len(shown),
            views[before_at] if 0 <= before_at < len(views) else None,
            views[after_at] if 0 <= after_at < len(views) else None,
            marks.get((flag.kind, flag.started_at))))

    end = attempt.submitted_at or min(now_utc(), attempt.deadline_at)
    chart = _timeline(attempt, end, flag_views, events, [v for v in views if v.from_proctoring], frame_href)
    return SessionView(attempt, proctor, check, flag_views, list(events), chart, review, end, face_matches_of(check))


def face_matches_of(check: SystemCheck | None) -> list[FaceMatch]:
    """The accounts behind a reference photo's face matches, with the attempt each matching check started."""
    found = []
    for match in (check.face_matches or []) if check is not None else []:
        user = db.session.get(User, match["user_id"])
        other = db.session.get(SystemCheck, match["check_id"])
        if user is not None:
            attempt = db.session.get(Attempt, other.attempt_id) if other is not None and other.attempt_id else None
            found.append(FaceMatch(user, match["distance"], attempt))
    return found


def _timeline(attempt: Attempt, end: datetime, flags: list[FlagView], events, evidence: list[FrameView],
              frame_href: Callable[[int], str]) -> Timeline:
    start = attempt.started_at

    def at(moment: datetime) -> str:
        return "+" + elapsed_label((moment - start).total_seconds())

    exam_items = [TimelineItem(start, None, "tl-start", _("Started") + " " + at(start))]
    if attempt.submitted_at:
        exam_items.append(TimelineItem(attempt.submitted_at, None, "tl-submit",
                                       _("Submitted") + " " + at(attempt.submitted_at)))
    answers = [TimelineItem(item.answered_at, None, "tl-answer",
                            _("Question %(n)s answered", n=item.position + 1) + " " + at(item.answered_at))
               for item in attempt.items if item.answered_at is not None]
    browser = [TimelineItem(e.occurred_at, None, f"tl-event tl-event-{event_group(e.kind)}",
                            event_kind_label(e.kind) + " " + at(e.occurred_at), f"#event-{e.id}") for e in events]
    lanes = [("exam", _("Exam"), exam_items), ("answers", _("Answers"), answers),
             ("browser", _("Browser"), browser)]
    for kind in FLAG_KINDS:
        items = [TimelineItem(v.flag.started_at, v.flag.ended_at, f"tl-flag sev-{v.flag.severity}",
                              f"#{v.number} {v.label} ({severity_label(v.flag.severity)}) {at(v.flag.started_at)}",
                              f"#flag-{v.flag.id}") for v in flags if v.flag.kind == kind]
        if items:
            lanes.append((kind, flag_kind_label(kind), items))
    if evidence:
        lanes.append(("evidence", _("Evidence frames"), [
            TimelineItem(f.at, None, "tl-frame", _("Frame %(n)s", n=f.sequence) + " " + at(f.at), frame_href(f.id))
            for f in evidence]))
    return timeline(start, max(end, start), lanes)


def reference_check(attempt: Attempt) -> SystemCheck | None:
    """The camera check (reference photo) the attempt started with, if supervised."""
    return db.session.scalar(select(SystemCheck).join(ProctorSession, ProctorSession.check_id == SystemCheck.id)
                             .where(ProctorSession.attempt_id == attempt.id))


def frame_context(attempt: Attempt, frame_id: int) -> tuple[FrameView, FrameView | None, FrameView | None] | None:
    """A frame of the attempt with the frames just before and after it (None if it is
    not the attempt's)."""
    frames = db.session.scalars(select(Frame).where(Frame.attempt_id == attempt.id).order_by(Frame.sequence)).all()
    for index, frame in enumerate(frames):
        if frame.id == frame_id:
            before = describe(frames[index - 1]) if index > 0 else None
            after = describe(frames[index + 1]) if index + 1 < len(frames) else None
            return describe(frame), before, after
    return None
