#!/usr/bin/env python3
"""Two guidesmith binaries and the floor, interleaved: the ratio between two commits from one run.

    bench/ab_build.py --before OLD_BINARY [--after NEW_BINARY] [--sizes 1000 5000]
                      [--guide DIR] [--rounds 11] [--work /dev/shm/gsb]
    bench/ab_build.py --before OLD_BINARY --sizes --guide guide --rounds 31   # the bundled guide

Each round runs the floor, then the "before" and "after" binaries once each (clean output
every time; the two swap places every other round), so slow and fast minutes of a noisy machine
hit all three alike. That is what makes a before/after ratio meaningful where sequential runs
are not: on a shared 2-core VM the same build's wall time swings by 15 % from one minute to the
next.

The corpus and the floor are the ones bench/build_bench.sh prepares under --work (run it once
first). --guide DIR also times a real guide folder (copied to WORK/guide-copy/guide first, so
nothing is written beside the original); `--sizes` with no value leaves out the corpora. Prints,
per N (or "guide"), the median and minimum wall time, the median user CPU and the largest
peak RSS of each, the after/before ratio, and each binary's ratio to the floor: as ratios of
the medians, and as the median (with quartiles) of the ratios within each round, the steadier
of the two.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", required=True, help="the baseline guidesmith binary")
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(repo, "target")
    ap.add_argument("--after", default=os.path.join(target, "release/guidesmith"),
                    help="the binary under test (default $CARGO_TARGET_DIR/release/guidesmith)")
    ap.add_argument("--sizes", nargs="*", type=int, default=[1000, 5000])
    ap.add_argument("--guide", help="also a real guide folder (e.g. the bundled guide/)")
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--work", default=os.environ.get("BENCH_WORK") or
                    os.path.join(tempfile.gettempdir(), "guidesmith-bench"))
    a = ap.parse_args()
    floor = os.path.join(a.work, "floor-target/release/floor")
    if not os.access(floor, os.X_OK):
        print(f"missing {floor}: bench/build_bench.sh builds the floor", file=sys.stderr)
        return 2
    for path in (a.before, a.after):
        if not os.access(path, os.X_OK):
            print(f"not an executable: {path}", file=sys.stderr)
            return 2
    cases = []
    for n in a.sizes:
        d = os.path.join(a.work, f"corpus-{n}")
        if not os.path.isfile(os.path.join(d, "guide", "guide.yaml")):
            print(f"missing corpus {d}: run SIZES={n} bench/build_bench.sh first", file=sys.stderr)
            return 2
        cases.append((str(n), d))
    if a.guide:
        d = os.path.join(a.work, "guide-copy")
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(a.guide, os.path.join(d, "guide"))
        cases.append(("guide", d))
    for n, d in cases:
        tools = {
            "floor": ([floor, os.path.join(d, "guide/chapters"), os.path.join(d, "floor-out")],
                      os.path.join(d, "floor-out")),
            "before": ([a.before, "build", "--out", "public"], os.path.join(d, "public")),
            "after": ([a.after, "build", "--out", "public"], os.path.join(d, "public")),
        }
        wall = {k: [] for k in tools}
        user = {k: [] for k in tools}
        peak = {k: [] for k in tools}
        # Round 0 warms the page cache and is not counted. "before" and "after" swap places
        # every other round, so a machine that speeds up or slows down within a round favours
        # neither.
        for r in range(a.rounds + 1):
            order = ["floor", "before", "after"] if r % 2 else ["floor", "after", "before"]
            for k in order:
                cmd, out = tools[k]
                shutil.rmtree(out, ignore_errors=True)
                t0 = time.perf_counter()
                p = subprocess.Popen(cmd, cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                # wait4 gives this child's own CPU time and peak RSS (KiB on Linux).
                _, status, ru = os.wait4(p.pid, 0)
                t1 = time.perf_counter()
                p.returncode = os.waitstatus_to_exitcode(status)
                if p.returncode != 0:
                    raise subprocess.CalledProcessError(p.returncode, cmd)
                if r > 0:
                    wall[k].append(t1 - t0)
                    user[k].append(ru.ru_utime)
                    peak[k].append(ru.ru_maxrss / 1024)
        med = {k: statistics.median(v) for k, v in wall.items()}
        for k in tools:
            print(f"N={n:<5} {k:6} wall median {med[k]:.3f} s  min {min(wall[k]):.3f} s  "
                  f"user median {statistics.median(user[k]):.3f} s  "
                  f"peak RSS max {max(peak[k]):.0f} MiB")
        print(f"N={n:<5} after/before {med['after'] / med['before']:.3f}  "
              f"before/floor {med['before'] / med['floor']:.2f}x  after/floor {med['after'] / med['floor']:.2f}x")
        # The same ratios taken within each round first: minute-to-minute swings of the machine
        # cancel out, so these are steadier than the ratios of the medians above.
        for num, den in (("after", "before"), ("before", "floor"), ("after", "floor")):
            q = quartiles([x / y for x, y in zip(wall[num], wall[den])])
            print(f"N={n:<5} {num}/{den} per round: median {q[1]:.3f}  "
                  f"quartiles {q[0]:.3f}–{q[2]:.3f}")
    return 0


def quartiles(v):
    """First quartile, median and third quartile of `v`."""
    if len(v) < 2:
        return (v[0], v[0], v[0])
    q = statistics.quantiles(v, n=4)
    return (q[0], statistics.median(v), q[2])


if __name__ == "__main__":
    sys.exit(main())
