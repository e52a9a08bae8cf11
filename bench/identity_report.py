"""The identity check on real photographs (`proctoring.vision.identity_eval`): per
split, genuine pairs (another photo of the same person) falsely flagged
`different_person` and impostor pairs not flagged, with dlib's distances, and the
cut the tuning split alone would suggest (reported, never applied here).
Run: .venv/bin/python bench/identity_report.py
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from proctoring.vision import analyze, make_reference  # noqa: E402
from proctoring.vision.identity_eval import GENUINE, IMPOSTOR, best_threshold, identity_pairs, summarise  # noqa: E402
from proctoring.vision.realset import HELD_BACK, TUNING  # noqa: E402
from proctoring.vision.thresholds import DEFAULT_THRESHOLDS  # noqa: E402


def spread(values) -> str:
    if not values:
        return "-"
    q = np.percentile(values, [0, 10, 50, 90, 100])
    return "min {:.3f}  p10 {:.3f}  median {:.3f}  p90 {:.3f}  max {:.3f}".format(*q)


def main() -> None:
    pairs, refused = identity_pairs(make_reference, lambda frame, reference: analyze(frame, reference))
    print(f"references refused (not used as references): {', '.join(refused) or 'none'}")
    print(f"current identity_max_distance = {DEFAULT_THRESHOLDS.identity_max_distance}")
    for split in (TUNING, HELD_BACK):
        s = summarise(pairs, split)
        print(f"\n{split}: genuine frames flagged different_person {s.genuine_flagged}/{s.genuine} "
              f"(no decision {s.genuine_undecided}); impostor frames NOT flagged {s.impostors_missed}/{s.impostors} "
              f"(no decision {s.impostors_undecided})")
        for kind in (GENUINE, IMPOSTOR):
            values = [p.distance for p in pairs if p.split == split and p.kind == kind and p.distance is not None]
            print(f"  {kind:8s} distances ({len(values)}): {spread(values)}")
        closest = sorted((p.distance, p.reference, p.probe) for p in pairs
                         if p.split == split and p.kind == IMPOSTOR and p.distance is not None)[:5]
        print("  closest impostors: " + ", ".join(f"{r}->{q} {d:.2f}" for d, r, q in closest))
        undecided = sorted({p.probe for p in pairs if p.split == split and p.kind == IMPOSTOR and p.distance is None})
        print(f"  impostor probes with no identity decision: {', '.join(undecided) or 'none'}")
        by_pair = {}
        for p in pairs:
            if p.split == split and p.kind == GENUINE:
                by_pair.setdefault((p.reference, p.probe), []).append(p)
        for (reference, probe), group in sorted(by_pair.items()):
            distances = " ".join("-" if p.distance is None else f"{p.distance:.2f}" for p in group)
            print(f"    {reference:12s} -> {probe:12s} flagged {sum(p.flagged for p in group)}/{len(group)}  "
                  f"distances {distances}")
    cut, errors = best_threshold(pairs, TUNING)
    print(f"\ntuning split alone suggests identity_max_distance ~ {cut} ({errors} errors on tuning); "
          f"on held-back that cut would give: "
          f"{sum(p.distance > cut for p in pairs if p.split == HELD_BACK and p.kind == GENUINE and p.distance)} "
          f"genuine above, "
          f"{sum(p.distance <= cut for p in pairs if p.split == HELD_BACK and p.kind == IMPOSTOR and p.distance)} "
          f"impostors at or under")


if __name__ == "__main__":
    main()
