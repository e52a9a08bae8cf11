"""Rules: pure functions from analysed frames and browser events to flags.

`evaluate(frames, events)` is the whole rule set; it changes nothing and has no
clock of its own, so it is re-run over everything known about an attempt each time
something new arrives, and the same input always gives the same flags.

Frame rules look at runs of consecutive frames (ordered by sequence number, at most
`max_frame_gap_seconds` apart) that share a condition; one run is at most one flag,
so consecutive frames of one condition merge. Event rules pair an event with the one
that ends it (tab hidden -> visible) or group bursts of one kind.

Monotone in the evidence: turning a clean frame into one with a condition, or
adding frames or events, only grows or joins runs and intervals, so the evidence
behind every kind of flag (`Flag.units`) never shrinks. `proctoring.scoring` relies
on this.

The one exception is NO_VIDEO (`coverage_flags`): the time in the supervised window
that no usable frame covers. Missing evidence is a finding of its own, never a clean
record, so it raises its flag and risk; a frame that arrives later can only shrink it.
"""
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from proctoring.analysis import (
    DIFFERENT_PERSON_FLAG,
    LOOKING_AWAY_FLAG,
    Face,
    FrameAnalysis,
)
from proctoring.rule_config import DEFAULT_RULES, HIGH, LOW, MEDIUM, RuleConfig

NO_FACE = "no_face"
MULTIPLE_FACES = "multiple_faces"
LOOKING_AWAY = "looking_away"
IDENTITY_MISMATCH = "identity_mismatch"
CAMERA_OFF = "camera_off"
TAB_HIDDEN = "tab_hidden"
FULLSCREEN_EXIT = "fullscreen_exit"
COPY_PASTE = "copy_paste"
NO_VIDEO = "no_video"
FAST_ANSWERS = "fast_answers"
FACE_REUSED = "face_reused"
DARK_ROOM = "dark_room"
FLAG_KINDS = (NO_FACE, MULTIPLE_FACES, LOOKING_AWAY, IDENTITY_MISMATCH, CAMERA_OFF, TAB_HIDDEN, FULLSCREEN_EXIT,
              COPY_PASTE, NO_VIDEO, FAST_ANSWERS, FACE_REUSED, DARK_ROOM)

# Browser events the client may send. Only some feed rules; the rest are kept for the examiner's timeline.
EVENT_KINDS = frozenset({
    "tab_hidden", "tab_visible", "window_blur", "window_focus", "fullscreen_enter", "fullscreen_exit",
    "copy", "cut", "paste", "context_menu", "print_screen", "shortcut", "window_small", "window_restored",
    "camera_started", "camera_ended", "camera_muted", "camera_unmuted", "camera_unavailable", "page_reload",
    "frame_refused",
})
CAMERA_LOST_EVENTS = frozenset({"camera_ended", "camera_muted", "camera_unavailable"})
CAMERA_BACK_EVENTS = frozenset({"camera_started", "camera_unmuted"})
CLIPBOARD_EVENTS = frozenset({"copy", "cut", "paste", "print_screen"})

SLICE_SECONDS = 5.0  # time-based flags count one evidence unit per 5 s (one default frame interval)


@dataclass(frozen=True)
class FrameObservation:
    frame_id: int
    sequence: int
    at: datetime
    analysis: FrameAnalysis


@dataclass(frozen=True)
class BrowserEvent:
    kind: str
    at: datetime


@dataclass(frozen=True)
class Coverage:
    """The supervised window and the times the server received the frames that cover it (analysed,
    or still waiting for analysis; frames whose analysis failed cover nothing). `end` is
    None while the attempt is open: only gaps between frames are known then."""

    start: datetime
    end: datetime | None
    frame_times: tuple[datetime, ...]


@dataclass(frozen=True)
class Flag:
    """One finding: what, how serious, when, and what backs it. `units` is the amount
    of evidence (frames, events, or 5-s slices of time) that the risk score counts."""

    kind: str
    severity: str
    start: datetime
    end: datetime
    units: float
    frame_ids: tuple[int, ...] = ()
    count: int = 1
    confidence: float | None = None

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


# --------------------------------------------------------------------------- per frame


def main_face(faces: tuple[Face, ...]) -> Face | None:
    """The largest face: the one sitting the exam, when there is any."""
    return max(faces, key=lambda f: f.box[2] * f.box[3], default=None)


def second_face_confidence(analysis: FrameAnalysis) -> float:
    scores = sorted((f.confidence for f in analysis.faces), reverse=True)
    return scores[1] if len(scores) > 1 else 0.0


def frame_conditions(analysis: FrameAnalysis, config: RuleConfig = DEFAULT_RULES) -> frozenset[str]:
    """The flag-worthy conditions one frame shows on its own. Whether a head is turned
    away or belongs to someone else is the analyzer's judgement (its `flags`). A
    dark frame without a face shows only CAMERA_OFF (a covered lens hides everything
    else); a dark frame in which a face was found is a DARK_ROOM, judged as usual
    otherwise: a detected face means the camera works."""
    dark = analysis.brightness < config.camera_dark_brightness
    if dark and not analysis.faces:
        return frozenset({CAMERA_OFF})
    conditions = {DARK_ROOM} if dark else set()
    if not analysis.faces:
        conditions.add(NO_FACE)
    if second_face_confidence(analysis) >= config.multi_face_min_confidence:
        conditions.add(MULTIPLE_FACES)
    if analysis.faces and LOOKING_AWAY_FLAG in analysis.flags:
        conditions.add(LOOKING_AWAY)
    if len(analysis.faces) == 1 and DIFFERENT_PERSON_FLAG in analysis.flags:
        conditions.add(IDENTITY_MISMATCH)
    return frozenset(conditions)


def runs(frames: list[FrameObservation], kind: str, config: RuleConfig) -> list[list[FrameObservation]]:
    """Maximal runs of consecutive frames (sorted, gaps <= max_frame_gap_seconds) showing `kind`."""
    found: list[list[FrameObservation]] = []
    current: list[FrameObservation] = []
    previous: FrameObservation | None = None
    max_gap = timedelta(seconds=config.max_frame_gap_seconds)
    for frame in frames:
        if previous is not None and frame.at - previous.at > max_gap:
            current = []
        if kind in frame_conditions(frame.analysis, config):
            if not current:
                found.append(current)
            current.append(frame)
        else:
            current = []
        previous = frame
    return found


def _frame_flag(kind: str, run: list[FrameObservation], severity: str, confidence: float | None = None) -> Flag:
    return Flag(kind, severity, run[0].at, run[-1].at, units=float(len(run)),
                frame_ids=tuple(f.frame_id for f in run), count=len(run), confidence=confidence)


def _seconds(run: list[FrameObservation]) -> float:
    return (run[-1].at - run[0].at).total_seconds()


def frame_flags(frames: Iterable[FrameObservation], config: RuleConfig = DEFAULT_RULES) -> list[Flag]:
    ordered = sorted(frames, key=lambda f: (f.sequence, f.at))
    flags = []
    for run in runs(ordered, NO_FACE, config):
        if len(run) >= config.no_face_min_frames:
            flags.append(_frame_flag(NO_FACE, run, HIGH if _seconds(run) >= config.no_face_high_seconds else MEDIUM))
    for run in runs(ordered, MULTIPLE_FACES, config):
        confidence = max(second_face_confidence(f.analysis) for f in run)
        severity = HIGH if len(run) >= config.multi_face_high_frames else MEDIUM
        flags.append(_frame_flag(MULTIPLE_FACES, run, severity, round(confidence, 3)))
    for run in runs(ordered, LOOKING_AWAY, config):
        if _seconds(run) >= config.looking_away_min_seconds:
            severity = MEDIUM if _seconds(run) >= config.looking_away_medium_seconds else LOW
            flags.append(_frame_flag(LOOKING_AWAY, run, severity))
    for run in runs(ordered, IDENTITY_MISMATCH, config):
        if len(run) >= config.identity_min_frames:
            flags.append(_frame_flag(IDENTITY_MISMATCH, run, HIGH))
    for run in runs(ordered, CAMERA_OFF, config):
        if len(run) >= config.camera_dark_min_frames:
            flags.append(_frame_flag(CAMERA_OFF, run, HIGH if _seconds(run) >= config.camera_off_high_seconds else MEDIUM))
    for run in runs(ordered, DARK_ROOM, config):
        if len(run) >= config.camera_dark_min_frames:
            flags.append(_frame_flag(DARK_ROOM, run, LOW))
    return flags


# --------------------------------------------------------------------------- browser events


def _slices(start: datetime, end: datetime) -> float:
    return max(1.0, (end - start).total_seconds() / SLICE_SECONDS)


def _intervals(events: list[BrowserEvent], starts: frozenset[str], ends: frozenset[str],
               until: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) intervals opened by a `starts` event and closed by the next `ends` event (or `until`)."""
    found = []
    opened: datetime | None = None
    for event in events:
        if event.kind in starts and opened is None:
            opened = event.at
        elif event.kind in ends and opened is not None:
            found.append((opened, event.at))
            opened = None
    if opened is not None:
        found.append((opened, max(opened, until)))
    return found


def _bursts(events: list[BrowserEvent], kinds: frozenset[str], config: RuleConfig) -> list[list[BrowserEvent]]:
    groups: list[list[BrowserEvent]] = []
    gap = timedelta(seconds=config.event_merge_seconds)
    for event in events:
        if event.kind not in kinds:
            continue
        if groups and event.at - groups[-1][-1].at <= gap:
            groups[-1].append(event)
        else:
            groups.append([event])
    return groups


def event_flags(events: Iterable[BrowserEvent], until: datetime, config: RuleConfig = DEFAULT_RULES) -> list[Flag]:
    ordered = sorted(events, key=lambda e: e.at)
    flags = []
    for start, end in _intervals(ordered, frozenset({"tab_hidden"}), frozenset({"tab_visible"}), until):
        severity = HIGH if (end - start).total_seconds() >= config.tab_hidden_high_seconds else MEDIUM
        flags.append(Flag(TAB_HIDDEN, severity, start, end, units=_slices(start, end)))
    # The browser reports the camera back ("camera_started" on every exam page, "camera_unmuted");
    # frames do not end the interval, so more frames never shorten it (see the module docstring).
    for start, end in _intervals(ordered, CAMERA_LOST_EVENTS, CAMERA_BACK_EVENTS, until):
        severity = HIGH if (end - start).total_seconds() >= config.camera_off_high_seconds else MEDIUM
        flags.append(Flag(CAMERA_OFF, severity, start, end, units=_slices(start, end)))
    for burst in _bursts(ordered, frozenset({"fullscreen_exit"}), config):
        back = next((e.at for e in ordered if e.kind == "fullscreen_enter" and e.at >= burst[-1].at), burst[-1].at)
        severity = MEDIUM if len(burst) >= config.fullscreen_exit_medium_count else LOW
        flags.append(Flag(FULLSCREEN_EXIT, severity, burst[0].at, back, units=float(len(burst)), count=len(burst)))
    for burst in _bursts(ordered, CLIPBOARD_EVENTS, config):
        flags.append(Flag(COPY_PASTE, MEDIUM, burst[0].at, burst[-1].at, units=float(len(burst)), count=len(burst)))
    return flags


# --------------------------------------------------------------------------- missing video


def coverage_flags(coverage: Coverage, config: RuleConfig = DEFAULT_RULES) -> list[Flag]:
    """One NO_VIDEO flag per stretch of the window longer than `max_frame_gap_seconds`
    without a usable frame: before the first frame, between frames, after the last one
    (once the window is closed), or the whole window when the camera never sent one."""
    times = sorted(t for t in coverage.frame_times if t >= coverage.start)
    edges = [coverage.start, *times] + ([coverage.end] if coverage.end is not None else [])
    flags = []
    for start, end in zip(edges, edges[1:]):
        gap = (end - start).total_seconds()
        if gap > config.max_frame_gap_seconds:
            severity = HIGH if gap >= config.camera_off_high_seconds else MEDIUM
            flags.append(Flag(NO_VIDEO, severity, start, end, units=_slices(start, end)))
    return flags


# --------------------------------------------------------------------------- answering pace


def answer_pace_flags(started: datetime, answer_times: Iterable[datetime],
                      config: RuleConfig = DEFAULT_RULES) -> list[Flag]:
    """FAST_ANSWERS when the answers came faster than anyone reads the questions: the
    median time between consecutive answers (from the start) below `fast_answer_seconds`
    over at least `fast_answers_min_count` answers, the pace of answering from a key."""
    times = sorted(t for t in answer_times if t >= started)
    if len(times) < config.fast_answers_min_count:
        return []
    gaps = [(b - a).total_seconds() for a, b in zip([started, *times], times)]
    if statistics.median(gaps) >= config.fast_answer_seconds:
        return []
    fast = sum(1 for gap in gaps if gap < config.fast_answer_seconds)
    return [Flag(FAST_ANSWERS, HIGH, times[0], times[-1], units=float(fast), count=len(times))]


# --------------------------------------------------------------------------- the reference photo


def face_reuse_flags(started: datetime, other_accounts: int) -> list[Flag]:
    """FACE_REUSED when the attempt's reference photo shows the face of another
    account's reference: one person sitting for several registrations, or a stock
    photo passed off as many applicants. One unit per other account."""
    if other_accounts <= 0:
        return []
    return [Flag(FACE_REUSED, HIGH, started, started, units=float(other_accounts), count=other_accounts)]


# --------------------------------------------------------------------------- everything


def evaluate(frames: Iterable[FrameObservation], events: Iterable[BrowserEvent], until: datetime | None = None,
             config: RuleConfig = DEFAULT_RULES, coverage: Coverage | None = None,
             answers: tuple[datetime, tuple[datetime, ...]] | None = None,
             face_reuse: tuple[datetime, int] | None = None) -> list[Flag]:
    """All flags for one attempt, ordered by start time then kind. `until` closes
    intervals still open (tab still hidden, camera still off); it defaults to the
    latest time seen in the input. With `coverage` (supervised attempts), stretches
    without video are flagged too; with `answers` (start, answer times), a pace no
    reader can keep; with `face_reuse` (start, other accounts), a reference face
    that other accounts used."""
    frames, events = list(frames), list(events)
    if until is None:
        until = max([f.at for f in frames] + [e.at for e in events], default=datetime.min)
    flags = frame_flags(frames, config) + event_flags(events, until, config)
    if coverage is not None:
        flags += coverage_flags(coverage, config)
    if answers is not None:
        flags += answer_pace_flags(*answers, config)
    if face_reuse is not None:
        flags += face_reuse_flags(*face_reuse)
    return sorted(flags, key=lambda f: (f.start, FLAG_KINDS.index(f.kind)))
