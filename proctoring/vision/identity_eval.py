"""The identity check on real photographs (`realset`): different photos of one person
(`SAME_PERSON`) and different people, never a transformed copy of the reference.

Per split:
- genuine pairs: the reference taken from one photo of a person (centre of the
  frame), the exam frames from another photo of that person at the five places;
  a `different_person` flag on one of them is a false alarm;
- impostor pairs: the reference of one person, an exam frame (centre) of another
  in the same split: each probe face is judged against the references of the
  `impostors_per_probe` people that follow it in the set's order (a fixed, bounded sample);
  no flag is a missed impostor. Faces that may be the same woman (`MAYBE_SAME`)
  are never paired.
The raw dlib distances are kept so a threshold can be chosen on the tuning split
and only reported on the held-back one. Model-free: `make_reference` and `analyze`
are passed in (`proctoring.vision.make_reference` and `analyze`).
"""
from dataclasses import dataclass

from proctoring.vision.realset import FACES, MAYBE_SAME, POSITIONS, person_of, webcam_frame

GENUINE, IMPOSTOR = "genuine", "impostor"


@dataclass(frozen=True)
class IdentityPair:
    split: str
    kind: str  # GENUINE or IMPOSTOR
    reference: str  # the face id the reference photo comes from
    probe: str  # the face id of the exam frame
    position: int  # index in realset.POSITIONS
    distance: float | None  # dlib's distance; None: no identity decision on this frame
    flagged: bool  # `different_person` raised


def _maybe_same(a: str, b: str) -> bool:
    return person_of(a) == person_of(b) or (a, b) in MAYBE_SAME or (b, a) in MAYBE_SAME


def identity_pairs(make_reference, analyze, faces=FACES, impostors_per_probe: int = 3):
    """(pairs, refused): every genuine and sampled impostor pair of `faces`, and the
    face ids whose photo the reference check refused (they serve as no reference)."""
    references, refused = {}, []
    for face in faces:
        if face.facing:
            check = make_reference(webcam_frame(face, POSITIONS[0]))
            if check.ok:
                references[face.person] = check.profile
            else:
                refused.append(face.person)
    pairs = []

    def judge(split, kind, reference, probe, position):
        analysis, _ = analyze(webcam_frame(probe, POSITIONS[position]), references[reference])
        pairs.append(IdentityPair(split, kind, reference, probe.person, position, analysis.identity_distance,
                                  "different_person" in analysis.flags))

    for probe in faces:
        split = [f for f in faces if f.split == probe.split]
        index = split.index(probe)
        candidates = [f for f in split[index + 1:] + split[:index] if f.person in references]
        for reference in candidates:
            if person_of(reference.person) == person_of(probe.person):
                for position in range(len(POSITIONS)):
                    judge(probe.split, GENUINE, reference.person, probe, position)
        others, seen = [], set()
        for reference in candidates:
            owner = person_of(reference.person)
            if not _maybe_same(reference.person, probe.person) and owner not in seen:
                seen.add(owner)
                others.append(reference)
        for reference in others[:impostors_per_probe]:
            judge(probe.split, IMPOSTOR, reference.person, probe, 0)
    return pairs, refused


@dataclass(frozen=True)
class IdentitySummary:
    split: str
    genuine: int
    genuine_flagged: int  # false alarms
    genuine_undecided: int  # no distance computed
    impostors: int
    impostors_missed: int  # not flagged
    impostors_undecided: int


def summarise(pairs, split: str) -> IdentitySummary:
    genuine = [p for p in pairs if p.split == split and p.kind == GENUINE]
    impostor = [p for p in pairs if p.split == split and p.kind == IMPOSTOR]
    return IdentitySummary(split, len(genuine), sum(p.flagged for p in genuine),
                           sum(p.distance is None for p in genuine), len(impostor),
                           sum(not p.flagged for p in impostor), sum(p.distance is None for p in impostor))


def best_threshold(pairs, split: str) -> tuple[float, int]:
    """The distance cut that makes the fewest errors (genuine above it, impostors at or
    under it) on `split`'s decided pairs, halfway between neighbouring distances, and
    that number of errors. For choosing on the tuning split only."""
    decided = sorted((p.distance, p.kind) for p in pairs if p.split == split and p.distance is not None)
    if not decided:
        return 0.0, 0
    best = (len(decided) + 1, 0.0)
    cuts = [decided[0][0] - 0.01] + [(a[0] + b[0]) / 2 for a, b in zip(decided, decided[1:])] + [decided[-1][0] + 0.01]
    for cut in cuts:
        errors = sum((d > cut) if kind == GENUINE else (d <= cut) for d, kind in decided)
        best = min(best, (errors, cut))
    return round(best[1], 3), best[0]
