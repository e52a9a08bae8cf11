"""The identity check on real pairs (`proctoring.vision.identity_eval`): another photo
of the same person must not be flagged `different_person`, another person must be.

Measured (bench/identity_report.py) with identity_max_distance 0.6: genuine frames
flagged 0/80 on tuning and 0/30 held back (distances 0.26-0.48 and 0.34-0.46);
impostor frames not flagged 31/108 on tuning and 10/72 held back, but most of
those got no identity decision at all (28 and 8: turned or downcast probes, the
head past identity_max_yaw) — only 3 and 2 decided impostors fell under 0.6
(closest 0.52 on tuning, 0.42 held back). The tuning split alone would put the
cut near 0.50 (0 errors there; 1 held-back impostor under it). Thresholds are
not changed here.
"""
from types import SimpleNamespace

import pytest

from proctoring.vision.identity_eval import GENUINE, IMPOSTOR, IdentityPair, best_threshold, identity_pairs, summarise
from proctoring.vision.realset import FACES, HELD_BACK, MAYBE_SAME, TUNING, person_of


def fake_vision():
    """A make_reference/analyze pair without models: the 'embedding' is the person."""
    def reference(frame):
        return SimpleNamespace(ok=True, profile=frame)

    def judge(frame, profile):
        same = frame is profile
        return SimpleNamespace(identity_distance=0.3 if same else 0.9, flags=() if same else ("different_person",)), None

    return reference, judge


def test_pairs_follow_the_same_person_groups_and_never_cross_splits(monkeypatch):
    frames = {}
    monkeypatch.setattr("proctoring.vision.identity_eval.webcam_frame",
                        lambda face, centre: frames.setdefault(person_of(face.person), object()))
    pairs, refused = identity_pairs(*fake_vision())
    by_id = {face.person: face for face in FACES}
    assert refused == []
    for pair in pairs:
        assert by_id[pair.reference].split == by_id[pair.probe].split == pair.split
        assert (person_of(pair.reference) == person_of(pair.probe)) == (pair.kind == GENUINE)
        assert (pair.reference, pair.probe) not in MAYBE_SAME and (pair.probe, pair.reference) not in MAYBE_SAME
    assert (summarise(pairs, TUNING).genuine, summarise(pairs, HELD_BACK).genuine) == (80, 30)
    assert all(summarise(pairs, s).genuine_flagged == 0 and summarise(pairs, s).impostors_missed == 0
               for s in (TUNING, HELD_BACK))


def test_the_best_threshold_separates_the_tuning_distances():
    pairs = [IdentityPair(TUNING, GENUINE, "a", "b", 0, d, False) for d in (0.3, 0.4, 0.45)]
    pairs += [IdentityPair(TUNING, IMPOSTOR, "a", "c", 0, d, True) for d in (0.55, 0.8)]
    pairs.append(IdentityPair(TUNING, IMPOSTOR, "a", "d", 0, None, False))  # undecided: ignored
    assert best_threshold(pairs, TUNING) == (0.5, 0)
    summary = summarise(pairs, TUNING)
    assert (summary.impostors, summary.impostors_missed, summary.impostors_undecided) == (3, 1, 1)


@pytest.fixture(scope="module")
def real_pairs(real_vision):
    return identity_pairs(real_vision.make_reference, real_vision.analyze)[0]


def test_another_photo_of_the_same_person_is_never_flagged(real_pairs):
    for split in (TUNING, HELD_BACK):
        summary = summarise(real_pairs, split)
        assert summary.genuine >= 30 and summary.genuine_flagged == 0, summary


def test_decided_impostors_are_flagged_as_measured(real_pairs):
    """Decided impostors let through: measured 3 of 80 on tuning, 2 of 64 held back."""
    for split, most in ((TUNING, 3), (HELD_BACK, 2)):
        summary = summarise(real_pairs, split)
        assert summary.impostors_missed - summary.impostors_undecided <= most, summary


def test_genuine_distances_stay_under_the_impostors_on_tuning(real_pairs):
    """Measured: genuine at most 0.48, impostors at least 0.52 on tuning."""
    genuine = [p.distance for p in real_pairs if p.split == TUNING and p.kind == GENUINE and p.distance]
    impostor = [p.distance for p in real_pairs if p.split == TUNING and p.kind == IMPOSTOR and p.distance]
    assert max(genuine) < 0.5 < min(impostor)
