"""How the liveness step's measurements separate a real head from a flat picture,
on the tuning split (the dev set's applicants) and the held-back split (people the
thresholds were not chosen on). Prints one row per frame and a summary per split.

Real movements are heads re-rendered turned in 3D (`synth.turn_head`, the face
mesh's own depth); photo attacks are the same photographs tilted as a plane
(`synth.tilt_picture`). Run: .venv/bin/python bench/liveness_report.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from proctoring.vision.liveness_eval import SPLITS, evaluate_split  # noqa: E402


def main() -> None:
    for split, names in SPLITS.items():
        rows, summary = evaluate_split(names)
        print(f"\n== {split} split: {', '.join(names)}")
        print(f"{'person':10s} {'kind':6s} {'yaw':>5s} {'pitch':>5s} | {'dir':8s} {'rel yaw':>7s} {'rel pit':>7s} "
              f"{'depth':>6s} {'id':>5s}  verdict")
        for row in rows:
            print(f"{row.person:10s} {row.kind:6s} {row.yaw:5.0f} {row.pitch:5.0f} | {str(row.direction):8s} "
                  f"{row.rel_yaw:7.1f} {row.rel_pitch:7.1f} {row.depth:6.3f} {row.identity:5.2f}  {row.verdict}")
        print(f"live movements counted: {summary.live_ok}/{summary.live}; "
              f"tilted pictures that would count as a movement: {summary.attacks_passed}/{summary.attacks}; "
              f"depth of live movements {summary.live_depth[0]:.3f}-{summary.live_depth[1]:.3f}, "
              f"of tilted pictures {summary.attack_depth[0]:.3f}-{summary.attack_depth[1]:.3f}")


if __name__ == "__main__":
    main()
