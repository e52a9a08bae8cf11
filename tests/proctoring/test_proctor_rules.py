"""Every rule: sequences of synthetic frame results and browser events -> exact flags."""
from datetime import datetime, timedelta

import pytest

from proctoring.analysis import Face, FrameAnalysis
from proctoring.rule_config import DEFAULT_RULES, HIGH, LOW, MEDIUM, RuleConfig
from proctoring.rules import (
    CAMERA_OFF,
    COPY_PASTE,
    DARK_ROOM,
    FULLSCREEN_EXIT,
    IDENTITY_MISMATCH,
    LOOKING_AWAY,
    MULTIPLE_FACES,
    NO_FACE,
    TAB_HIDDEN,
    BrowserEvent,
    Flag,
    FrameObservation,
    evaluate,
    frame_conditions,
)

T0 = datetime(2026, 3, 2, 2, 0, 0)
FACE = Face((0.3, 0.2, 0.4, 0.55), 0.98, 0.0, 0.0)
SMALL_FACE = Face((0.8, 0.1, 0.1, 0.15), 0.9, 0.0, 0.0)

# One letter per frame: what the frame shows (judgements as the vision code flags them).
CODES = {
    ".": FrameAnalysis((FACE,), 130.0, 0.2),                                     # clean
    "0": FrameAnalysis((), 130.0, None),                                          # no face
    "2": FrameAnalysis((FACE, SMALL_FACE), 130.0, None, ("multiple_faces",)),     # two faces
    "w": FrameAnalysis((FACE, Face((0.8, 0.1, 0.1, 0.15), 0.4)), 130.0, None),   # a weak second "face"
    "<": FrameAnalysis((Face(FACE.box, 0.98, -50.0, 0.0),), 130.0, 0.2, ("looking_away",)),  # head turned
    "v": FrameAnalysis((Face(FACE.box, 0.98, 0.0, 40.0),), 130.0, 0.2, ("looking_away", "gaze_away")),  # down
    "x": FrameAnalysis((FACE,), 130.0, 0.9, ("different_person",)),              # someone else
    "#": FrameAnalysis((), 3.0, None, ("dark", "no_face")),                       # dark (covered lens)
    "d": FrameAnalysis((Face(FACE.box, 0.9, 0.0, 0.0),), 9.0, 0.2, ("dark",)),   # a dark room, face found
}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def frames(pattern: str, interval: float = 5.0, start_id: int = 1) -> list[FrameObservation]:
    """'..00.' -> frames 1..5 every `interval` seconds (ids = sequence numbers)."""
    return [FrameObservation(start_id + i, start_id + i, at(i * interval), CODES[c]) for i, c in enumerate(pattern)]


def events(*pairs) -> list[BrowserEvent]:
    return [BrowserEvent(kind, at(seconds)) for kind, seconds in pairs]


def summary(flags: list[Flag]) -> list[tuple]:
    return [(f.kind, f.severity, f.frame_ids, f.start, f.end) for f in flags]


# --------------------------------------------------------------------------- conditions


@pytest.mark.parametrize(("code", "expected"), [
    (".", set()), ("0", {NO_FACE}), ("2", {MULTIPLE_FACES}), ("w", set()), ("<", {LOOKING_AWAY}),
    ("v", {LOOKING_AWAY}), ("x", {IDENTITY_MISMATCH}), ("#", {CAMERA_OFF}),
])
def test_frame_conditions(code, expected):
    assert frame_conditions(CODES[code]) == expected


def test_a_dark_frame_without_a_face_shows_only_camera_off():
    assert frame_conditions(FrameAnalysis((), 2.0, None, ("dark", "no_face"))) == {CAMERA_OFF}


def test_a_dark_frame_with_a_face_is_a_dark_room_judged_as_usual():
    """A detected face means the camera works: not camera_off, and the face still counts."""
    dark = FrameAnalysis((FACE,), 2.0, 0.9, ("different_person", "looking_away"))
    assert frame_conditions(dark) == {DARK_ROOM, IDENTITY_MISMATCH, LOOKING_AWAY}


def test_dark_frames_with_a_face_are_a_low_dark_room_flag():
    assert summary(evaluate(frames(".dd."), [])) == [(DARK_ROOM, LOW, (2, 3), at(5), at(10))]
    assert evaluate(frames(".d."), []) == []


def test_a_dim_room_is_not_camera_off():
    assert frame_conditions(FrameAnalysis((FACE,), 40.0, 0.2, ("dark",))) == set()


def test_identity_is_judged_only_with_exactly_one_face():
    two = FrameAnalysis((FACE, SMALL_FACE), 130.0, None, ("different_person",))
    assert IDENTITY_MISMATCH not in frame_conditions(two)


def test_other_vision_flags_make_no_condition():
    quirks = FrameAnalysis((FACE,), 130.0, 0.2, ("gaze_away", "blurry", "face_partly_out", "face_too_small"))
    assert frame_conditions(quirks) == set()


# --------------------------------------------------------------------------- no face


def test_clean_frames_give_no_flags():
    assert evaluate(frames("." * 20), []) == []


def test_one_empty_frame_is_not_a_flag():
    assert evaluate(frames("..0..0.."), []) == []


def test_two_consecutive_empty_frames_are_one_flag():
    assert summary(evaluate(frames("..00.."), [])) == [(NO_FACE, MEDIUM, (3, 4), at(10), at(15))]


def test_a_long_run_merges_into_one_high_flag():
    flags = evaluate(frames(".0000000."), [])  # 7 frames, 30 s
    assert summary(flags) == [(NO_FACE, HIGH, (2, 3, 4, 5, 6, 7, 8), at(5), at(35))]
    assert flags[0].units == 7 and flags[0].count == 7


def test_separate_runs_are_separate_flags():
    assert [f.frame_ids for f in evaluate(frames("00.00"), [])] == [(1, 2), (4, 5)]


def test_a_gap_between_frames_breaks_a_run():
    gap = frames("0") + [FrameObservation(2, 2, at(60), CODES["0"])]
    assert evaluate(gap, []) == []


def test_frames_are_ordered_by_sequence_not_arrival():
    shuffled = list(reversed(frames(".00.")))
    assert [f.frame_ids for f in evaluate(shuffled, [])] == [(2, 3)]


# --------------------------------------------------------------------------- more than one face


def test_one_frame_with_two_confident_faces_is_a_medium_flag_with_its_confidence():
    """Persistence before high: one frame alone may be a speck the detector took for a face."""
    flags = evaluate(frames("..2.."), [])
    assert summary(flags) == [(MULTIPLE_FACES, MEDIUM, (3,), at(10), at(10))]
    assert flags[0].confidence == 0.9


def test_two_frames_in_a_row_with_a_second_face_are_high():
    assert summary(evaluate(frames(".22."), [])) == [(MULTIPLE_FACES, HIGH, (2, 3), at(5), at(10))]


def test_a_weak_second_face_is_not_a_flag():
    assert evaluate(frames("www"), []) == []


def test_consecutive_multi_face_frames_merge():
    assert summary(evaluate(frames(".222."), [])) == [(MULTIPLE_FACES, HIGH, (2, 3, 4), at(5), at(15))]


def test_the_confidence_threshold_is_configurable():
    strict = RuleConfig(multi_face_min_confidence=0.95)
    assert evaluate(frames("2"), [], config=strict) == []


# --------------------------------------------------------------------------- looking away


def test_a_glance_away_is_not_a_flag():
    assert evaluate(frames("..<<.."), []) == []  # 5 s


def test_looking_away_for_ten_seconds_is_a_low_flag():
    assert summary(evaluate(frames(".<<<."), [])) == [(LOOKING_AWAY, LOW, (2, 3, 4), at(5), at(15))]


def test_looking_down_counts_and_merges_with_turning():
    assert summary(evaluate(frames(".<v<v<v."), [])) == [(LOOKING_AWAY, LOW, (2, 3, 4, 5, 6, 7), at(5), at(30))]


def test_looking_away_for_half_a_minute_is_medium():
    assert evaluate(frames("<" * 7), [])[0].severity == MEDIUM


# --------------------------------------------------------------------------- identity


def test_identity_mismatch_needs_three_frames_in_a_row():
    assert evaluate(frames(".xx.xx."), []) == []
    assert summary(evaluate(frames(".xxx."), [])) == [(IDENTITY_MISMATCH, HIGH, (2, 3, 4), at(5), at(15))]


def test_identity_mismatch_is_the_analyzers_judgement_not_the_distance():
    unflagged = FrameAnalysis((FACE,), 130.0, 0.95)
    observations = [FrameObservation(i, i, at(i * 5), unflagged) for i in range(5)]
    assert evaluate(observations, []) == []


# --------------------------------------------------------------------------- camera off


def test_dark_frames_are_camera_off():
    assert summary(evaluate(frames(".##."), [])) == [(CAMERA_OFF, MEDIUM, (2, 3), at(5), at(10))]


def test_camera_ended_until_started_again():
    flags = evaluate(frames("." * 6), events(("camera_ended", 7), ("camera_started", 17)))
    assert summary(flags) == [(CAMERA_OFF, MEDIUM, (), at(7), at(17))]


def test_camera_muted_until_unmuted():
    flags = evaluate([], events(("camera_muted", 0), ("camera_unmuted", 40)))
    assert summary(flags) == [(CAMERA_OFF, HIGH, (), at(0), at(40))]
    assert flags[0].units == 8  # 40 s in 5-s slices


def test_camera_still_off_is_closed_at_until():
    flags = evaluate([], events(("camera_unavailable", 10)), until=at(20))
    assert summary(flags) == [(CAMERA_OFF, MEDIUM, (), at(10), at(20))]


# --------------------------------------------------------------------------- browser events


def test_tab_hidden_until_visible():
    flags = evaluate([], events(("tab_hidden", 10), ("tab_visible", 18), ("tab_hidden", 100), ("tab_visible", 140)))
    assert summary(flags) == [(TAB_HIDDEN, MEDIUM, (), at(10), at(18)), (TAB_HIDDEN, HIGH, (), at(100), at(140))]


def test_tab_still_hidden_runs_to_the_last_observation():
    flags = evaluate(frames("......"), events(("tab_hidden", 12)))
    assert summary(flags) == [(TAB_HIDDEN, MEDIUM, (), at(12), at(25))]


def test_a_single_fullscreen_exit_is_low_and_lasts_until_reentry():
    flags = evaluate([], events(("fullscreen_exit", 5), ("fullscreen_enter", 9)))
    assert summary(flags) == [(FULLSCREEN_EXIT, LOW, (), at(5), at(9))]


def test_a_burst_of_fullscreen_exits_is_one_medium_flag():
    flags = evaluate([], events(("fullscreen_exit", 0), ("fullscreen_exit", 4), ("fullscreen_exit", 8),
                                ("fullscreen_exit", 200)))
    assert [(f.kind, f.severity, f.count) for f in flags] == [(FULLSCREEN_EXIT, MEDIUM, 3), (FULLSCREEN_EXIT, LOW, 1)]


def test_copy_and_paste_close_together_are_one_flag():
    flags = evaluate([], events(("copy", 0), ("paste", 3), ("cut", 60), ("print_screen", 200)))
    assert [(f.kind, f.severity, f.count, f.start) for f in flags] == [
        (COPY_PASTE, MEDIUM, 2, at(0)), (COPY_PASTE, MEDIUM, 1, at(60)), (COPY_PASTE, MEDIUM, 1, at(200))]


def test_events_without_a_rule_make_no_flag():
    noise = events(("window_blur", 1), ("window_focus", 2), ("context_menu", 3), ("shortcut", 4),
                   ("window_small", 5), ("window_restored", 6), ("page_reload", 7), ("camera_started", 8),
                   ("frame_refused", 9))
    assert evaluate([], noise) == []


# --------------------------------------------------------------------------- everything together


def test_flags_are_ordered_by_time_then_kind():
    flags = evaluate(frames("..22..00.."), events(("tab_hidden", 0), ("tab_visible", 4)))
    assert [f.kind for f in flags] == [TAB_HIDDEN, MULTIPLE_FACES, NO_FACE]


def test_every_threshold_has_a_reason():
    reasons = RuleConfig.reasons()
    assert set(reasons) == {name for name in vars(DEFAULT_RULES)}
    assert all(len(text) > 20 for text in reasons.values())
