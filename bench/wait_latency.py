#!/usr/bin/env python3
"""Edit → served and edit → browser-told latency of `guidesmith serve` (stdlib only).

    bench/wait_latency.py --cwd SITE --edit CHAPTER.md --page /NNNN-slug.html
                          [--repeats 20] [--settle 1] -- GUIDESMITH serve --port 0

Starts the server (its own process group), reads the URL from its first stdout line, then
REPEATS times: reads the current build number from /__gs/status, opens the live-reload
WebSocket `/__gs/live?build=N&page=PAGE` exactly as the client does, appends one line with a
unique marker to CHAPTER.md, and records (a) when the socket's first message arrives (the
moment a browser is told to reload: the new build is fully published) and (b) when the page, polled over HTTP
every 5 ms, first contains the marker. Same method as ../shared/bench/poll_rebuild.py.
Restores the chapter and stops the server by its PID at the end.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import socket
import threading
import time
import urllib.request


def get(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read()


def first_message(base, path, timeout=60):
    """Opens a WebSocket at base+path and returns its first text message (unmasked server frame)."""
    host = base.split("//", 1)[1]
    name, port = host.rsplit(":", 1)
    s = socket.create_connection((name, int(port)), timeout=timeout)
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
               % (path, host)).encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(4096)
    head, buf = buf.split(b"\r\n\r\n", 1)
    if not head.startswith(b"HTTP/1.1 101"):
        raise OSError("upgrade refused: %r" % head[:40])
    while True:
        while len(buf) < 4:
            buf += s.recv(4096)
        n, at = buf[1] & 0x7F, 2
        if n == 126:
            n, at = int.from_bytes(buf[2:4], "big"), 4
        while len(buf) < at + n:
            buf += s.recv(65536)
        op, payload, buf = buf[0] & 0x0F, buf[at:at + n], buf[at + n:]
        if op == 1:
            s.close()
            return payload


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cwd", required=True)
    p.add_argument("--edit", required=True)
    p.add_argument("--page", required=True)
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--settle", type=float, default=1.0)
    p.add_argument("--interval", type=float, default=0.005)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    original = open(a.edit, "rb").read()
    proc = subprocess.Popen(cmd, cwd=a.cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    served, told = [], []
    try:
        line = proc.stdout.readline().decode()
        base = line.split()[-1].rstrip("/")
        if not base.startswith("http://127.0.0.1:"):
            sys.exit("unexpected first line %r" % line)
        time.sleep(2)
        for k in range(a.repeats):
            time.sleep(a.settle)
            build = json.loads(get(base + "/__gs/status")[1])["build"]
            answer = {}

            def wait():
                body = first_message(base, "/__gs/live?build=%d&page=%s" % (build, a.page))
                answer["t"] = time.monotonic()
                answer["json"] = json.loads(body)

            th = threading.Thread(target=wait)
            th.start()
            time.sleep(0.05)  # the socket is open before the edit
            marker = "waitbench%d%d" % (os.getpid(), k)
            with open(a.edit, "ab") as f:
                f.write(("\n\n增量测试 %s。\n" % marker).encode("utf-8"))
            t0 = time.monotonic()
            t1 = None
            while time.monotonic() - t0 < 60:
                try:
                    st, body = get(base + a.page)
                    if marker.encode() in body:
                        t1 = time.monotonic()
                        break
                except OSError:
                    pass
                time.sleep(a.interval)
            th.join(timeout=60)
            if t1 is None or "t" not in answer:
                print("run %d: not seen" % (k + 1), flush=True)
                continue
            if not answer["json"].get("page_changed"):
                print("run %d: told without page_changed" % (k + 1), flush=True)
            served.append((t1 - t0) * 1000)
            told.append((answer["t"] - t0) * 1000)
            print("run %d: served %.0f ms, browser told %.0f ms" % (k + 1, served[-1], told[-1]), flush=True)
    finally:
        with open(a.edit, "wb") as f:
            f.write(original)
        time.sleep(a.settle)
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        proc.wait()
    if served:
        for name, xs in (("edit->served", served), ("edit->browser told (socket message)", told)):
            p90 = sorted(xs)[round(0.9 * (len(xs) - 1))]
            print("%s ms: median %.0f  p90 %.0f  min %.0f  max %.0f  (n=%d)"
                  % (name, statistics.median(xs), p90, min(xs), max(xs), len(xs)))
    return 0 if len(served) == a.repeats else 1


if __name__ == "__main__":
    sys.exit(main())
