"""The fairness table: per split, skin group and light condition, how the proctor
treats people who face the camera (`proctoring.vision.realset.fairness`): reference
photos accepted, exactly one face found, and frames falsely flagged.
Run: .venv/bin/python bench/fairness_report.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from proctoring.vision import analyze, make_reference  # noqa: E402
from proctoring.vision.realset import fairness  # noqa: E402


def pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "-"


def main() -> None:
    rows = fairness(make_reference, lambda frame, reference: analyze(frame, reference))
    print(f"{'split':9s} {'skin':12s} {'light':12s} {'reference accepted':20s} {'one face':16s} false flags")
    for row in rows:
        print(f"{row.split:9s} {row.skin:12s} {row.condition:12s} {pct(row.reference_accepted, row.frames):20s} "
              f"{pct(row.one_face, row.frames):16s} {pct(row.false_flagged, row.frames)}")


if __name__ == "__main__":
    main()
