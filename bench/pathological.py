#!/usr/bin/env python3
"""Pathological inputs, doubled: does any family grow faster than its input?

For each family (identical headings, one long line in a highlighted block, many links on one
line, deep nesting, a wide table) this writes one chapter of N units into a fresh guide made by
`guidesmith init`, runs `guidesmith build` on it, and doubles N until the chapter nears the
8 MiB input cap. It prints wall time and peak RSS per size and the ratio per doubling: linear
work doubles (ratio ~2); a ratio well above 2 means superlinear cost. It also checks that every
input under the cap builds (or is refused with a diagnostic) within 10 s.

    bench/pathological.py [--guidesmith BINARY] [--families headings,code,...] [--work DIR]

Defaults: target/release/guidesmith (or $CARGO_TARGET_DIR), every family, scratch under
$BENCH_WORK or $TMPDIR. Exit status 1 if a doubling's time ratio exceeds --max-ratio (3.0) at
sizes where the run takes over 0.2 s, or a run takes over 10 s.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

CAP = 8 * 1024 * 1024

# name -> (unit text for N units, starting N)
FAMILIES = {
    "headings": (lambda n: "## 同名小节\n\n" * n, 8_000),
    "code": (lambda n: "```markdown\n" + "*[" * n + "\n```\n", 16_000),
    "links": (lambda n: "[链接](missing.md) " * n + "\n", 4_000),
    "nesting": (lambda n: "".join("  " * i + "- 项\n" for i in range(n)), 500),
    "quotes": (lambda n: "> " * n + "引用\n", 2_000),
    "table": (lambda n: "|" + "列|" * n + "\n|" + "-|" * n + "\n|" + "格|" * n + "\n", 2_000),
    "emphasis": (lambda n: "*" * n + "字" + "_" * n + "\n", 16_000),
}


def binary(arg):
    if arg:
        return os.path.realpath(arg)
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(here, "..", "target"))
    return os.path.realpath(os.path.join(target, "release", "guidesmith"))


def run(gs, guide, out):
    """(wall seconds, peak RSS MiB, exit code) of one build."""
    start = time.monotonic()
    p = subprocess.run(
        ["/usr/bin/time", "-f", "%M", gs, "build", "--guide", guide, "--out", out],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )
    wall = time.monotonic() - start
    last = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "0"
    rss = int(last) / 1024 if last.isdigit() else float("nan")
    return wall, rss, p.returncode


def family(gs, work, name, make, n, max_ratio):
    guide = os.path.join(work, name, "guide")
    shutil.rmtree(os.path.join(work, name), ignore_errors=True)
    os.makedirs(os.path.join(work, name))
    subprocess.run([gs, "init", guide], check=True, stdout=subprocess.DEVNULL)
    chapter = os.path.join(guide, "chapters", "intro.md")
    head = "---\ntitle: 病态输入\n---\n\n"
    ok, prev = True, None
    while True:
        body = head + make(n)
        size = len(body.encode())
        if size > CAP:
            break
        with open(chapter, "w", encoding="utf-8") as f:
            f.write(body)
        try:
            wall, rss, code = run(gs, guide, os.path.join(work, name, "out"))
        except subprocess.TimeoutExpired:
            print(f"{name:9} N={n:>9,} {size / 1024:>8.0f} KiB  timed out (120 s)  OVER 10 s")
            return False
        ratio = wall / prev if prev else float("nan")
        flag = ""
        if wall > 10:
            flag, ok = "  OVER 10 s", False
        elif prev and wall > 0.2 and ratio > max_ratio:
            flag, ok = "  SUPERLINEAR", False
        print(
            f"{name:9} N={n:>9,} {size / 1024:>8.0f} KiB  {wall:7.3f} s  {rss:7.1f} MiB  "
            f"exit {code}  x{ratio:4.2f}{flag}",
            flush=True,
        )
        prev = wall
        n *= 2
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--guidesmith")
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--work")
    ap.add_argument("--max-ratio", type=float, default=3.0)
    a = ap.parse_args()
    gs = binary(a.guidesmith)
    base = a.work or os.environ.get("BENCH_WORK") or tempfile.gettempdir()
    work = tempfile.mkdtemp(prefix="guidesmith-pathological-", dir=base)
    ok = True
    try:
        for name in a.families.split(","):
            make, n = FAMILIES[name]
            ok &= family(gs, work, name, make, n, a.max_ratio)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("all families linear and under 10 s" if ok else "FAILED: see the flagged lines")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
