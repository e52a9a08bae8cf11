"""The risk score: its range, its values for typical cases, and monotonicity both in
the flags and, through the rules, in the observed frames and events."""
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from test_proctor_rules import CODES, at, events, frames

from proctoring.rule_config import DEFAULT_RULES, HIGH, SEVERITIES
from proctoring.rules import FLAG_KINDS, Flag, FrameObservation, evaluate
from proctoring.scoring import risk_score

T0 = datetime(2026, 3, 2, 2, 0, 0)


def flag(kind: str, units: float = 1.0, severity: str = HIGH) -> Flag:
    return Flag(kind, severity, T0, T0 + timedelta(seconds=5), units)


flag_strategy = st.builds(flag, st.sampled_from(FLAG_KINDS), st.floats(0.0, 500.0), st.sampled_from(SEVERITIES))


def test_no_flags_no_risk():
    assert risk_score([]) == 0


def test_typical_values():
    assert risk_score([flag("multiple_faces", 1)]) == 31
    assert risk_score([flag("fullscreen_exit", 1)]) == 7
    assert risk_score([flag("identity_mismatch", 30), flag("multiple_faces", 30)]) == 98


def test_evidence_of_one_kind_adds_up_across_flags():
    assert risk_score([flag("no_face", 2), flag("no_face", 2)]) == risk_score([flag("no_face", 4)])


def test_a_clean_exam_scores_lower_than_one_with_another_person():
    clean = evaluate(frames("." * 30), [])
    crowded = evaluate(frames("." * 10 + "222" + "." * 17), [])
    assert risk_score(clean) == 0 < risk_score(crowded)


@given(st.lists(flag_strategy, max_size=12))
def test_score_is_between_0_and_100(flags):
    assert 0 <= risk_score(flags) <= 100
    assert all(risk_score([one]) < 100 for one in flags)  # no single kind of evidence is proof


@given(st.lists(flag_strategy, max_size=12), flag_strategy)
def test_adding_a_flag_never_lowers_the_score(flags, extra):
    assert risk_score(flags + [extra]) >= risk_score(flags)


@given(st.lists(flag_strategy, min_size=1, max_size=12), st.data())
def test_more_evidence_in_a_flag_never_lowers_the_score(flags, data):
    index = data.draw(st.integers(0, len(flags) - 1))
    more = data.draw(st.floats(0.0, 100.0))
    grown = list(flags)
    old = grown[index]
    grown[index] = Flag(old.kind, old.severity, old.start, old.end, old.units + more)
    assert risk_score(grown) >= risk_score(flags)


@given(st.permutations(list(range(len(FLAG_KINDS)))))
def test_order_of_flags_does_not_matter(order):
    flags = [flag(kind, 1 + i) for i, kind in enumerate(FLAG_KINDS)]
    assert risk_score([flags[i] for i in order]) == risk_score(flags)


# Through the rules: turning any clean frame into an anomalous one (or adding frames
# and events at the end) never lowers the score.
pattern = st.text(alphabet=list(CODES), min_size=0, max_size=30)
ANOMALIES = [code for code in CODES if code != "."]
EVENT_KINDS = ["tab_hidden", "tab_visible", "fullscreen_exit", "fullscreen_enter", "copy", "paste",
               "camera_muted", "camera_unmuted", "window_blur"]
event_list = st.lists(st.tuples(st.sampled_from(EVENT_KINDS), st.integers(0, 150)), max_size=10)


def score(codes: str, event_pairs) -> int:
    return risk_score(evaluate(frames(codes), events(*event_pairs), until=at(200)), DEFAULT_RULES)


@settings(max_examples=150)
@given(pattern, event_list, st.data())
def test_an_anomalous_frame_instead_of_a_clean_one_never_lowers_the_score(codes, event_pairs, data):
    clean_positions = [i for i, c in enumerate(codes) if c == "."]
    if not clean_positions:
        return
    i = data.draw(st.sampled_from(clean_positions))
    worse = codes[:i] + data.draw(st.sampled_from(ANOMALIES)) + codes[i + 1:]
    assert score(worse, event_pairs) >= score(codes, event_pairs)


@settings(max_examples=150)
@given(pattern, st.text(alphabet=list(CODES), min_size=1, max_size=10), event_list)
def test_more_frames_never_lower_the_score(codes, more, event_pairs):
    assert score(codes + more, event_pairs) >= score(codes, event_pairs)


@settings(max_examples=150)
@given(pattern, event_list, st.sampled_from(["tab_hidden", "fullscreen_exit", "copy", "paste", "camera_muted"]),
       st.integers(0, 150))
def test_an_extra_suspicious_event_never_lowers_the_score(codes, event_pairs, kind, second):
    assert score(codes, event_pairs + [(kind, second)]) >= score(codes, event_pairs)


def test_frames_without_analysis_gaps_are_consecutive():
    # Sanity check of the helper the properties rely on: frames are 5 s apart.
    observed = frames("..")
    assert isinstance(observed[0], FrameObservation) and observed[1].at - observed[0].at == timedelta(seconds=5)
