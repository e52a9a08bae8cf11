#!/usr/bin/env python3
"""Render every SVG in static/img/signs and static/img/scenes into one labelled PNG.

Usage:
    python3 tools/contact_sheet.py /tmp/contact_sheet.png [--cols 6] [--cell 200]
                                  [--dir static/img/signs ...]

Standard library only. The PNG is produced by Debian's headless Chromium
(/usr/bin/chromium). If Chromium is still being installed, the script waits for
it (checking every 30 seconds, for up to 10 minutes). Write the PNG outside the
repository (for example under /tmp): it is a review aid, not a project asset.
"""

from __future__ import annotations

import argparse
import base64
import html
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIRS = [REPO_ROOT / "static" / "img" / "signs", REPO_ROOT / "static" / "img" / "scenes"]

WAIT_STEP_S = 30
WAIT_MAX_S = 600


def wait_for_chromium() -> str:
    """Return the Chromium path, waiting for an apt install in progress if needed."""
    waited = 0
    while not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        if waited >= WAIT_MAX_S:
            sys.exit(f"{CHROMIUM} not found after waiting {WAIT_MAX_S} s")
        print(f"{CHROMIUM} missing, waiting {WAIT_STEP_S} s ...", file=sys.stderr)
        time.sleep(WAIT_STEP_S)
        waited += WAIT_STEP_S
    return CHROMIUM


def collect(dirs: list[Path]) -> list[tuple[str, Path]]:
    items = []
    for d in dirs:
        if not d.is_dir():
            continue
        for p in sorted(d.glob("*.svg")):
            items.append((f"{d.name}/{p.name}", p))
    return items


def build_html(items: list[tuple[str, Path]], cols: int, cell: int) -> tuple[str, int, int]:
    label_h = 34
    gap = 12
    pad = 16
    title_h = 40
    rows = max(1, math.ceil(len(items) / cols))
    width = pad * 2 + cols * cell + (cols - 1) * gap
    height = pad * 2 + title_h + rows * (cell + label_h) + (rows - 1) * gap

    cells = []
    for label, path in items:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        cells.append(
            '<figure><div class="img">'
            f'<img src="data:image/svg+xml;base64,{data}" alt="">'
            f"</div><figcaption>{html.escape(label)}</figcaption></figure>"
        )
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><style>
  html, body {{ margin: 0; background: #d9dde3; font-family: "DejaVu Sans", Arial, sans-serif; }}
  body {{ padding: {pad}px; width: {width - 2 * pad}px; }}
  h1 {{ font-size: 18px; height: {title_h}px; margin: 0; line-height: {title_h - 10}px; }}
  .grid {{ display: grid; grid-template-columns: repeat({cols}, {cell}px); gap: {gap}px; }}
  figure {{ margin: 0; width: {cell}px; }}
  .img {{ width: {cell}px; height: {cell}px; background:
          repeating-conic-gradient(#f4f4f4 0 25%, #e6e6e6 0 50%) 0 0 / 20px 20px; }}
  .img img {{ width: {cell}px; height: {cell}px; display: block; }}
  figcaption {{ height: {label_h}px; font-size: 10.5px; line-height: 13px; overflow: hidden;
               word-break: break-all; padding-top: 3px; color: #111; }}
</style></head><body>
<h1>Contact sheet: {len(items)} SVG files</h1>
<div class="grid">
{"".join(cells)}
</div></body></html>"""
    return page, width, height


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("output", help="PNG path to write, outside the repository (e.g. /tmp/sheet.png)")
    ap.add_argument("--cols", type=int, default=6)
    ap.add_argument("--cell", type=int, default=200, help="rendered size of each image in px")
    ap.add_argument("--dir", action="append", type=Path, help="directory of SVGs (repeatable)")
    args = ap.parse_args()

    dirs = args.dir or DEFAULT_DIRS
    items = collect(dirs)
    if not items:
        print("no SVG files found in: " + ", ".join(str(d) for d in dirs), file=sys.stderr)
        return 1

    chromium = wait_for_chromium()
    page, width, height = build_html(items, args.cols, args.cell)
    out = Path(args.output).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)

    tmp = tempfile.mkdtemp(prefix="contact_sheet_")
    try:
        html_path = Path(tmp) / "sheet.html"
        html_path.write_text(page, encoding="utf-8")
        profile = Path(tmp) / "profile"
        profile.mkdir()
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--screenshot={out}",
            f"--window-size={width},{height}",
            html_path.as_uri(),
        ]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=180
        )
        if proc.returncode != 0 or not out.exists():
            sys.stderr.write(proc.stderr[-4000:])
            print(f"chromium failed (exit {proc.returncode})", file=sys.stderr)
            return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"wrote {out} ({len(items)} images, {width}x{height})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
