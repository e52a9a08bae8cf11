"""Benchmark: the webcam proctor's frame analysis on 640x480 JPEGs.

Prints, all measured in this run on the same frames,
  floor  - JPEG decode alone (what any analysis must do),
  naive  - every model on every frame and every face (both detector passes on
           all windows, face mesh and identity embedding of each face),
  ours   - `proctoring.vision.analyze` with its memory (it skips the identity
           model while the same face sits still, and the small-face pass on
           tiles whose picture did not change),
as frames per second with the ratios, the mean cost per stage, and the accuracy
of naive and ours on the dev set and the scripted sessions.

The timed streams are scripted exam sessions, one applicant per session in a
still room. "real" is a session for each person of the real photo set who looks
into the camera (`realstream.real_sessions`: real, varied faces, the visitor and
the impostor other real people); the dev set's (`devset.session_stream`): "events" has something happening every
few frames (a second person, a turned head, a covered lens, another person in
the chair, the light off: 6 events in 36 frames, 3 minutes), "quiet" is the
applicant alone for 36 frames. A real 30-minute exam is mostly quiet.

Run: .venv/bin/python bench/proctor_bench.py [--repeat 2] [--cache DIR]
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2
import numpy as np

from proctoring.vision import Memory, analyze, decode_jpeg, load_models
from proctoring.vision.detect import run_detector
from proctoring.vision.devset import APPLICANTS, build_devset, session_stream
from proctoring.vision.evaluation import (
    exam_frames,
    reference_profiles,
    run_sessions,
    score,
)
from proctoring.vision.pipeline import analyze_exhaustive, mesh_landmarks
from proctoring.vision.realstream import real_sessions, reference_frame, session_people
from proctoring.vision.reference import make_reference

STAGES = ("decode", "convert", "detect_short", "detect_tiles", "mesh", "identity")


def timed_run(frames, profiles, models, mode: str) -> tuple[float, dict[str, float], list[float]]:
    """Seconds for the whole stream, total ms per stage, and ms per frame."""
    stages = dict.fromkeys(STAGES, 0.0)
    memory, current = Memory(), None
    per_frame = []
    start = time.perf_counter()
    for frame in frames:
        t0 = time.perf_counter()
        image = decode_jpeg(frame.jpeg)
        stages["decode"] += (time.perf_counter() - t0) * 1000
        if mode == "floor":
            per_frame.append((time.perf_counter() - t0) * 1000)
            continue
        reference = profiles.get(frame.reference)
        if mode == "naive":
            analysis = analyze_exhaustive(image, reference, models=models)
        else:
            if frame.reference != current:
                memory, current = Memory(), frame.reference
            analysis, memory = analyze(image, reference, memory, models=models)
        for stage, ms in analysis.timings.items():
            stages[stage] += ms
        per_frame.append((time.perf_counter() - t0) * 1000)
    return time.perf_counter() - start, stages, per_frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2, help="timed passes over the stream (best one counts)")
    parser.add_argument("--cache", help="dev-set cache folder (default: a temporary one)")
    args = parser.parse_args()

    models = load_models()

    def mesh_of(frame):
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        faces = run_detector(models.short_range, rgb, 0.3, "short")
        return mesh_landmarks(rgb, max(faces, key=lambda f: f.area).box, models) if faces else None

    with tempfile.TemporaryDirectory() as scratch:
        devset = build_devset(mesh_of, args.cache or scratch)
    profiles = reference_profiles(devset, models)
    real = real_sessions(mesh_of)
    for face, _, _ in session_people():
        profiles[face.person] = make_reference(reference_frame(face), models=models).profile
    stream = [frame for name in APPLICANTS for frame in session_stream(name, mesh_of)]
    quiet = [frame for name in APPLICANTS for frame in session_stream(name, mesh_of, (("alone", 36),))]
    print(f"streams: events and quiet, each {len(stream)} frames of {len(APPLICANTS)} scripted sessions, "
          f"640x480 JPEG; dev set: {len(exam_frames(devset))} frames")

    timed_run(stream[:6], profiles, models, "ours")  # warm-up
    timed_run(stream[:6], profiles, models, "naive")
    print(f"real: {len(real)} frames of {len(session_people())} sessions of real people (same script)")
    for label, frames in (("real", real), ("events", stream), ("quiet", quiet)):
        results = {}
        for mode in ("floor", "naive", "ours"):
            runs = [timed_run(frames, profiles, models, mode) for _ in range(max(1, args.repeat))]
            results[mode] = min(runs, key=lambda run: run[0])
        count = len(frames)
        fps = {mode: count / seconds for mode, (seconds, _, _) in results.items()}
        print(f"\n[{label}] throughput (frames per second, one thread)")
        for mode in ("floor", "naive", "ours"):
            p90 = float(np.percentile(results[mode][2], 90))
            print(f"  {mode:6s} {fps[mode]:8.1f} fps   mean {1000 / fps[mode]:7.1f} ms/frame   p90 {p90:7.1f} ms")
        print(f"  ours/naive = {fps['ours'] / fps['naive']:.2f}x   floor/ours = {fps['floor'] / fps['ours']:.1f}x   "
              f"floor/naive = {fps['floor'] / fps['naive']:.1f}x")
        print(f"[{label}] mean cost per frame and stage (ms)")
        print(f"  {'stage':14s} {'naive':>8s} {'ours':>8s}")
        for stage in STAGES:
            print(f"  {stage:14s} {results['naive'][1][stage] / count:8.2f} {results['ours'][1][stage] / count:8.2f}")

    print("\naccuracy (hits/total; see proctoring.vision.evaluation.score)")
    for label, frames in (("dev set", exam_frames(devset)), ("sessions", stream), ("real", real)):
        naive = score(run_sessions(frames, profiles, models, cache=False, exhaustive=True))
        ours = score(run_sessions(frames, profiles, models))
        print(f"  {label}: {'metric':20s} {'naive':>16s} {'ours':>16s}")
        for name in ours:
            print(f"  {'':{len(label) + 1}s} {name:20s} {naive[name]!s:>16s} {ours[name]!s:>16s}")
    models.close()


if __name__ == "__main__":
    main()
