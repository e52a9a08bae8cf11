"""Accuracy on the generated dev set and on scripted exam sessions.

Each minimum is what the pipeline scored when it was set, less about one frame,
so any loss fails (the scores and the frames missed are printed with -s). The
dev set's frames of one applicant run as one session with the memory carried,
so the skipping (identity, tiles) is tested along with the models.
"""
import pytest

from proctoring.vision.evaluation import exam_frames, run_sessions, score

# Measured: faces_0 15/16 (a colour wheel reads as a face), faces_1 64/64, faces_2 18/19
# (a lecture photo's grainy 72 px face is missed), all the rest 100%.
DEVSET_MINIMUM = {
    "faces_0": 0.87, "faces_1": 0.98, "faces_2": 0.89, "second_person": 0.89, "edge_flagged": 0.88,
    "dark_flagged": 0.85, "dark_false": 0.98, "away_caught": 0.92, "away_false": 0.96, "gaze_caught": 0.8,
    "gaze_false": 0.95, "same_person": 0.97, "impostor_flagged": 0.88, "impostor_identified": 0.85,
}
# Measured: 100% on every metric over 3 sessions x 36 frames.
SESSION_MINIMUM = {
    "faces_0": 0.83, "faces_1": 0.98, "faces_2": 0.88, "dark_flagged": 0.9, "dark_false": 0.98,
    "away_caught": 0.83, "away_false": 0.98, "same_person": 0.98, "impostor_flagged": 0.9,
    "impostor_identified": 0.9,
}


def report(title, scores):
    print(f"\n{title}")
    for name, rate in scores.items():
        print(f"  {name:20s} {rate}  {', '.join(rate.misses)}")


@pytest.fixture(scope="module")
def devset_scores(devset, models, profiles):
    scores = score(run_sessions(exam_frames(devset), profiles, models))
    report("dev set", scores)
    return scores


@pytest.fixture(scope="module")
def session_results(sessions, models, profiles):
    return run_sessions([frame for stream in sessions.values() for frame in stream], profiles, models)


def test_devset_composition(devset):
    kinds = {}
    for frame in exam_frames(devset):
        kinds[frame.kind] = kinds.get(frame.kind, 0) + 1
    assert sum(kinds.values()) >= 100
    assert {"alone", "background", "beside", "edge", "dark", "turned", "slight", "impostor", "empty", "lecture",
            "couple", "eyes", "profile"} <= set(kinds)
    identities = {frame.subject for frame in devset.frames if frame.subject}
    assert len(identities) >= 5


@pytest.mark.parametrize("metric", sorted(DEVSET_MINIMUM))
def test_devset_accuracy(devset_scores, metric):
    rate = devset_scores[metric]
    assert rate.total > 0
    assert rate.value >= DEVSET_MINIMUM[metric], f"{metric} {rate}: missed {rate.misses}"


@pytest.mark.parametrize("metric", sorted(SESSION_MINIMUM))
def test_session_accuracy(session_results, metric):
    rate = score(session_results)[metric]
    assert rate.total > 0
    assert rate.value >= SESSION_MINIMUM[metric], f"{metric} {rate}: missed {rate.misses}"


def test_small_dim_background_heads_are_found(devset_scores, devset):
    small = [frame.name for frame in devset.frames if frame.kind == "background"]
    assert len(small) >= 12
    assert not set(small) & set(devset_scores["faces_2"].misses)


def test_the_memory_changes_no_decision(session_results, sessions, models, profiles):
    """Skipping is only worth it if it never changes what the examiner sees: the
    flags with the memory equal the flags with every stage run on every frame."""
    frames = [frame for stream in sessions.values() for frame in stream]
    fresh = run_sessions(frames, profiles, models, cache=False)
    changed = [frame.name for (frame, cached), (_, full) in zip(session_results, fresh) if cached.flags != full.flags]
    assert not changed


def test_the_memory_saves_work(session_results):
    frames = len(session_results)
    embeddings = sum(analysis.identity_fresh for _, analysis in session_results)
    tiles = sum(analysis.tiles_scanned for _, analysis in session_results)
    print(f"\nidentity embeddings on {embeddings}/{frames} frames; {tiles}/{7 * frames} tile scans")
    assert embeddings <= 0.25 * frames
    assert tiles <= 0.5 * 7 * frames
