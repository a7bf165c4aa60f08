#!/usr/bin/env python3
"""Memory of `guidesmith serve` while a chapter has thousands of diagnostics (stdlib only).

    bench/serve_diag_rss.py [--links 2000] [--line-kib 600] [--guidesmith BINARY]

Makes a scratch guide with `guidesmith init` (under $TMPDIR, removed at the end), starts
`serve --port 0` on it (loopback), and reads VmRSS from /proc every 20 ms:
  1. baseline, 2 s after the first build;
  2. peak and settled RSS after the chapter is saved with LINKS broken links spread over one
     line of LINE_KIB KiB (the adversarial test's shape: each problem is located on that line);
  3. peak and settled RSS after the chapter is saved fixed again.
"Settled" is the RSS 3 s after the rebuild that followed the save. The server is stopped by its
PID at the end. Exit status 1 if the RSS under the diagnostics reaches 100 MiB.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

from serve_load import rss_kib  # VmRSS from /proc, shared with the load benchmark


def watch(pid, seconds):
    """Peak and last RSS (KiB) over `seconds`, sampled every 20 ms."""
    peak = last = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        last = rss_kib(pid)
        peak = max(peak, last)
        time.sleep(0.02)
    return peak, last


def binary(arg):
    if arg:
        return os.path.abspath(arg)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.dirname(__file__), "..", "target"))
    return os.path.abspath(os.path.join(target, "release", "guidesmith"))


def broken_line(links, line_kib):
    filler = max(0, line_kib * 1024 // links - 30)
    return "".join(f"[坏链{i}](missing-{i}.md)" + "字" * (filler // 3) for i in range(links)) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--links", type=int, default=2000)
    ap.add_argument("--line-kib", type=int, default=600)
    ap.add_argument("--guidesmith")
    a = ap.parse_args()
    gs = binary(a.guidesmith)
    work = tempfile.mkdtemp(prefix="gs-diag-rss-")
    proc = None
    try:
        guide = os.path.join(work, "guide")
        subprocess.run([gs, "init", guide], check=True, capture_output=True)
        chapter = os.path.join(guide, "chapters", "intro.md")
        with open(chapter, encoding="utf-8") as f:
            good = f.read()
        proc = subprocess.Popen([gs, "serve", "--guide", guide, "--port", "0"], cwd=work,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        proc.stdout.readline()  # the URL line: the first build is done
        base = watch(proc.pid, 2.0)[1]
        with open(chapter, "w", encoding="utf-8") as f:
            f.write(good + "\n" + broken_line(a.links, a.line_kib))
        bad_peak, bad_settled = watch(proc.pid, 4.0)
        with open(chapter, "w", encoding="utf-8") as f:
            f.write(good)
        fix_peak, fix_settled = watch(proc.pid, 4.0)
        mib = lambda k: f"{k / 1024:.1f} MiB"
        print(f"| `serve`, {a.links:,} broken links on one {a.line_kib} KiB line | RSS |")
        print("|---|---|")
        print(f"| baseline (2 s after the first build) | {mib(base)} |")
        print(f"| after saving the broken chapter: peak / settled | {mib(bad_peak)} / {mib(bad_settled)} |")
        print(f"| after saving it fixed: peak / settled | {mib(fix_peak)} / {mib(fix_settled)} |")
        return 1 if max(bad_peak, bad_settled) >= 100 * 1024 else 0
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
