#!/usr/bin/env python3
"""Two guidesmith binaries on one guide, interleaved, with CPU time: no floor, no corpus.

    bench/ab_guide.py OLD_BINARY NEW_BINARY GUIDE_DIR [ROUNDS]

Each round builds GUIDE_DIR once with each binary (the order swaps every round; clean output
under $TMPDIR every time) and records wall time, user + system CPU (os.wait4) and peak RSS.
CPU time is the figure to quote on a busy shared machine, where wall time swings by a third.
Prints the medians and the median (with quartiles) of the per-round after/before ratios.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def main() -> int:
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    bins = {"before": os.path.abspath(sys.argv[1]), "after": os.path.abspath(sys.argv[2])}
    guide, rounds = sys.argv[3], int(sys.argv[4]) if len(sys.argv) == 5 else 11
    wall = {k: [] for k in bins}
    cpu = {k: [] for k in bins}
    rss = {k: 0 for k in bins}
    work = tempfile.mkdtemp(prefix="gs-ab-")
    for r in range(rounds):
        for k in (["before", "after"] if r % 2 else ["after", "before"]):
            out = os.path.join(work, k)
            shutil.rmtree(out, ignore_errors=True)
            start = time.perf_counter()
            p = subprocess.Popen([bins[k], "build", "--guide", guide, "--out", out],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, ru = os.wait4(p.pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                print(f"{k} failed on {guide}", file=sys.stderr)
                return 1
            wall[k].append(time.perf_counter() - start)
            cpu[k].append(ru.ru_utime + ru.ru_stime)
            rss[k] = max(rss[k], ru.ru_maxrss)
    shutil.rmtree(work, ignore_errors=True)
    for k in bins:
        print(f"{k}: wall median {statistics.median(wall[k]) * 1000:.0f} ms, "
              f"CPU median {statistics.median(cpu[k]) * 1000:.0f} ms, peak RSS {rss[k] / 1024:.1f} MiB")
    for name, xs in (("wall", wall), ("CPU", cpu)):
        ratios = sorted(a / b for a, b in zip(xs["after"], xs["before"]))
        q = statistics.quantiles(ratios, n=4)
        print(f"{name} after/before: median {statistics.median(ratios):.3f} "
              f"(quartiles {q[0]:.3f}-{q[2]:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
