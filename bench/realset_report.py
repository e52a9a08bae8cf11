"""The reference check on real photographs from installed packages
(`proctoring.vision.realset`), per split and per skin group: how many frames of
people facing the camera it accepts, and how many of people turned away it
refuses, each at five places in the picture; beside the old rule (the generic
head's absolute angles) in the same run. Run: .venv/bin/python bench/realset_report.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from proctoring.vision import make_reference  # noqa: E402
from proctoring.vision.realset import HELD_BACK, TUNING, rate, reference_results  # noqa: E402


def share(pair) -> str:
    done, total = pair
    return f"{done}/{total}" + (f" ({100 * done / total:.0f}%)" if total else "")


def main() -> None:
    results = reference_results(make_reference)
    print(f"{'person':13s} {'split':9s} {'skin':12s} {'facing':6s}  accepted (5 places)  old rule  problems")
    for r in results:
        face = r.face
        print(f"{face.person:13s} {face.split:9s} {face.skin:12s} {str(face.facing):6s}  "
              f"{sum(r.accepted)}/5{'':15s} {sum(r.generic_head_facing)}/5      {', '.join(sorted(set(r.problems)))}")
    for split in (TUNING, HELD_BACK):
        chosen = [r for r in results if r.face.split == split]
        accepted, refused = rate(chosen, True), rate(chosen, False)
        old = rate(chosen, True, "generic_head_facing")
        print(f"\n{split}: facing accepted {share(accepted)} (old rule {share(old)}); "
              f"turned away refused {share((refused[1] - refused[0], refused[1]))}")
        for skin in sorted({r.face.skin for r in chosen}):
            group = [r for r in chosen if r.face.skin == skin]
            print(f"  {skin:12s} facing accepted {share(rate(group, True))}")


if __name__ == "__main__":
    main()
