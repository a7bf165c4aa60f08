#!/usr/bin/env python3
"""Memory and latency of `guidesmith serve` under idle and slow clients (stdlib only).

    bench/serve_load.py [--clients 1000] [--seconds 8] [--cwd DIR] -- GUIDESMITH serve --guide guide

Loopback only and bounded: starts the server (port 0, its own process group), reads its URL
from the first stdout line, then measures, one after another:
  1. idle RSS (VmRSS from /proc, 2 s after the first build);
  2. RSS with CLIENTS idle TCP connections open (nothing sent), 2 s after opening them;
  3. normal GET / latency (p50, p99, max; non-200 answers counted) while CLIENTS slow clients
     send one byte of a request head per second, for SECONDS;
  4. RSS with CLIENTS open live-reload WebSockets (skipped if the server refuses the upgrade).
Every socket is closed and the server stopped by its PID at the end.
"""

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

KEY = "dGhlIHNhbXBsZSBub25jZQ=="


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def get(port, path="/"):
    """One GET on a fresh connection; (status, seconds)."""
    t = time.monotonic()
    data = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    except OSError:
        pass  # refused or reset: counted as status 0
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, time.monotonic() - t


def connect_many(port, n):
    socks = []
    for _ in range(n):
        try:
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:
            break
    return socks


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def slow_clients(port, n, seconds):
    head = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: {'y' * 64}".encode()
    socks = connect_many(port, n)
    times, bad = [], 0
    start = time.monotonic()
    sec = 0
    while time.monotonic() - start < seconds:
        for s in socks:
            try:
                s.send(head[sec % len(head):][:1])
            except OSError:
                pass
        tick = start + sec + 1
        while time.monotonic() < tick:
            st, took = get(port)
            times.append(took)
            bad += st != 200
            time.sleep(0.02)
        sec += 1
    close_all(socks)
    return len(socks), times, bad


def websockets(port, n):
    socks = []
    for _ in range(n):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall((f"GET /__gs/live?build=1&page=%2F HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                       f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\n"
                       "Sec-WebSocket-Version: 13\r\n\r\n").encode())
            if not s.recv(4096).startswith(b"HTTP/1.1 101"):
                s.close()
                break
            socks.append(s)
        except OSError:
            break
    return socks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--cwd", default=".")
    ap.add_argument("cmd", nargs="+")
    a = ap.parse_args()
    cmd = a.cmd + ["--port", "0"]
    proc = subprocess.Popen(cmd, cwd=a.cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        line = proc.stdout.readline().decode()
        port = int(line.strip().rstrip("/").rsplit(":", 1)[1])
        time.sleep(2)
        print(f"idle RSS: {rss_kib(proc.pid) / 1024:.1f} MiB")
        socks = connect_many(port, a.clients)
        time.sleep(2)
        print(f"RSS with {len(socks)} idle connections: {rss_kib(proc.pid) / 1024:.1f} MiB")
        st, took = get(port)
        print(f"  a GET / meanwhile: {st} in {took * 1000:.0f} ms")
        close_all(socks)
        time.sleep(2)
        n, times, bad = slow_clients(port, a.clients, a.seconds)
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{n} slow clients for {a.seconds} s: {len(times)} normal GETs, {bad} not 200, "
              f"p50 {statistics.median(times) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
              f"max {times[-1] * 1000:.0f} ms")
        time.sleep(2)
        ws = websockets(port, a.clients)
        if ws:
            time.sleep(2)
            print(f"RSS with {len(ws)} open live-reload sockets: {rss_kib(proc.pid) / 1024:.1f} MiB")
            close_all(ws)
        else:
            print("live-reload WebSocket: refused (no such endpoint)")
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait()


if __name__ == "__main__":
    sys.exit(main())
