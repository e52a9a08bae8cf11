"""Running a pipeline over the dev set and scoring it, for the accuracy tests and
the benchmark alike.

Each applicant's frames run in order as one session, the memory carried from
frame to frame (so the skipping is tested, not just the models); frames that
belong to no applicant run alone without a reference.
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from proctoring.vision.decode import decode_jpeg
from proctoring.vision.devset import DevFrame, DevSet
from proctoring.vision.pipeline import _analyze
from proctoring.vision.records import (
    DARK,
    DIFFERENT_PERSON,
    FACE_PARTLY_OUT,
    GAZE_AWAY,
    LOOKING_AWAY,
    NO_FACE,
    FrameAnalysis,
    Memory,
    ReferenceProfile,
)
from proctoring.vision.reference import make_reference
from proctoring.vision.thresholds import DEFAULT_THRESHOLDS

Result = tuple[DevFrame, FrameAnalysis]


def reference_profiles(devset: DevSet, models, thresholds=DEFAULT_THRESHOLDS) -> dict[str, ReferenceProfile]:
    """Each applicant's profile from their reference photo. Raises ValueError if one is refused."""
    profiles = {}
    for name, jpeg in devset.references.items():
        check = make_reference(decode_jpeg(jpeg), models=models, thresholds=thresholds)
        if not check.ok:
            raise ValueError(f"the reference photo of {name} was refused: {check.problems}")
        profiles[name] = check.profile
    return profiles


def run_sessions(frames: Iterable[DevFrame], profiles: dict, models, *, cache: bool = True, exhaustive: bool = False,
                 thresholds=DEFAULT_THRESHOLDS, decode: Callable = decode_jpeg) -> list[Result]:
    """Analyse `frames` in order; consecutive frames with the same `reference` form
    one session sharing a memory (with `cache`)."""
    results, memory, current = [], Memory(), object()
    for frame in frames:
        if frame.reference != current:
            memory, current = Memory(), frame.reference
        reference = profiles.get(frame.reference) if frame.reference else None
        analysis, memory = _analyze(decode(frame.jpeg), reference, memory if cache else Memory(), models,
                                    thresholds, cache, exhaustive)
        results.append((frame, analysis))
    return results


def exam_frames(devset: DevSet) -> list[DevFrame]:
    """The dev set's exam frames (reference photos left out)."""
    return [frame for frame in devset.frames if frame.kind not in ("reference", "refused")]


@dataclass(frozen=True)
class Rate:
    hits: int
    total: int
    misses: tuple[str, ...] = ()

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.value:.3f} ({self.hits}/{self.total})"


def _rate(results: list[Result], select, correct) -> Rate:
    chosen = [(frame, analysis) for frame, analysis in results if select(frame)]
    misses = tuple(frame.name for frame, analysis in chosen if not correct(frame, analysis))
    return Rate(len(chosen) - len(misses), len(chosen), misses)


def score(results: list[Result]) -> dict[str, Rate]:
    """Named rates (higher is better) over analysed dev-set frames:

    - faces_0 / faces_1 / faces_2: the count right (0, 1, 2+), frames cut by the
      edge left out (either answer flags them);
    - second_person: 2+ faces where the label says two people;
    - edge_flagged: frames cut by the edge flagged partly-out or no-face;
    - dark_flagged / dark_false: dark rooms flagged / ordinary frames not;
    - away_caught / away_false: turned heads flagged looking-away / frontal heads not;
    - gaze_caught / gaze_false: eyes to the side flagged / centred eyes not;
    - same_person: the applicant's own frontal frames not flagged different-person;
    - impostor_flagged: another person in the applicant's chair flagged different-person
      or (turned away, when identity is not judged) looking-away;
    - impostor_identified: of those frames whose identity was judged (a frontal
      face in full view), the share flagged different-person.
    """
    def count_is(n):
        return lambda frame, analysis: min(analysis.face_count, 2) == n

    def flagged(*flags):
        return lambda frame, analysis: any(analysis.has(flag) for flag in flags)

    def not_flagged(flag):
        return lambda frame, analysis: not analysis.has(flag)

    judged = [(f, a) for f, a in results if not f.partly_out]
    return {
        "faces_0": _rate(judged, lambda f: f.faces == 0, count_is(0)),
        "faces_1": _rate(judged, lambda f: f.faces == 1, count_is(1)),
        "faces_2": _rate(judged, lambda f: f.faces >= 2, count_is(2)),
        "second_person": _rate(results, lambda f: f.faces >= 2, count_is(2)),
        "edge_flagged": _rate(results, lambda f: f.partly_out, flagged(FACE_PARTLY_OUT, NO_FACE)),
        "dark_flagged": _rate(results, lambda f: f.dark, flagged(DARK)),
        "dark_false": _rate(results, lambda f: not f.dark and f.faces == 1 and not f.partly_out, not_flagged(DARK)),
        "away_caught": _rate(results, lambda f: f.looking_away is True, flagged(LOOKING_AWAY)),
        "away_false": _rate(results, lambda f: f.looking_away is False, not_flagged(LOOKING_AWAY)),
        "gaze_caught": _rate(results, lambda f: f.gaze_away is True, flagged(GAZE_AWAY)),
        "gaze_false": _rate(results, lambda f: f.gaze_away is False, not_flagged(GAZE_AWAY)),
        "same_person": _rate(results, lambda f: f.reference and f.subject == f.reference and f.faces == 1
                             and not f.partly_out and f.looking_away is not True, not_flagged(DIFFERENT_PERSON)),
        "impostor_flagged": _rate(results, _impostor, flagged(DIFFERENT_PERSON, LOOKING_AWAY)),
        "impostor_identified": _rate([(f, a) for f, a in results if _identity_judged(a)], _impostor,
                                     flagged(DIFFERENT_PERSON)),
    }


def _identity_judged(analysis: FrameAnalysis) -> bool:
    """A distance was measured on a frontal face in full view (the only kind the
    different-person flag is given for)."""
    return (analysis.identity_distance is not None and not analysis.has(LOOKING_AWAY)
            and not analysis.has(FACE_PARTLY_OUT))


def _impostor(frame: DevFrame) -> bool:
    return bool(frame.reference) and frame.subject not in (None, frame.reference)
