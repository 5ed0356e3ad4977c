#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Upload latency under a saturating download, on one connection.

  server  listens on --port (:: and IPv4); per connection, sends a random
          MiB over and over (the download) while it reads 64-byte probes
          (sequence number, CLOCK_MONOTONIC of the send in ns) and takes
          the one-way delay of each; at the client's EOF it writes one line
          of JSON to --out (replacing it) and closes: probes, p50, p99 and
          max in ms, and the download's Mbit/s.
  client  connects to --connect HOST:PORT (a tunnel to the server), reads
          and drops the download, sends a probe every --interval seconds
          for --seconds, shuts its write side and reads to EOF.

Client and server must share a clock: both in one machine (netns apart).
"""

import argparse
import json
import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sockio import recv_exact  # noqa: E402
from socks_addr import split_hostport  # noqa: E402

PROBE = struct.Struct(">QQ48x")


def pct(vals, p):
    vals = sorted(vals)
    return vals[min(len(vals) - 1, int(len(vals) * p))] if vals else None


def serve_one(conn, out):
    block = os.urandom(1 << 20)
    done = threading.Event()
    sent = [0]

    def download():
        try:
            while not done.is_set():
                conn.sendall(block)
                sent[0] += len(block)
        except OSError:
            pass

    t0 = time.monotonic()
    th = threading.Thread(target=download, daemon=True)
    th.start()
    delays = []
    try:
        while True:
            try:
                p = recv_exact(conn, PROBE.size)
            except (EOFError, OSError):
                break
            if not p:
                break
            _, ts = PROBE.unpack(p)
            delays.append((time.monotonic_ns() - ts) / 1e6)
    finally:
        done.set()
        secs = time.monotonic() - t0
        res = {"probes": len(delays), "p50_ms": pct(delays, 0.5),
               "p99_ms": pct(delays, 0.99), "max_ms": max(delays) if delays else None,
               "down_mbit": round(sent[0] * 8 / secs / 1e6, 1)}
        with open(out + ".tmp", "w") as f:
            f.write(json.dumps(res) + "\n")
        os.replace(out + ".tmp", out)
        conn.close()


def cmd_server(args):
    ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("::", args.port))
    ls.listen(16)
    print("serving", flush=True)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve_one, args=(conn, args.out), daemon=True).start()


def cmd_client(args):
    s = socket.create_connection(split_hostport(args.connect), timeout=args.seconds + 60)

    def drain():
        try:
            while s.recv(1 << 18):
                pass
        except OSError:
            pass

    th = threading.Thread(target=drain, daemon=True)
    th.start()
    end = time.monotonic() + args.seconds
    seq = 0
    while time.monotonic() < end:
        s.sendall(PROBE.pack(seq, time.monotonic_ns()))
        seq += 1
        time.sleep(args.interval)
    s.shutdown(socket.SHUT_WR)
    th.join(args.seconds + 60)
    s.close()
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sv = sub.add_parser("server")
    sv.add_argument("--port", type=int, required=True)
    sv.add_argument("--out", required=True)
    cl = sub.add_parser("client")
    cl.add_argument("--connect", required=True)
    cl.add_argument("--seconds", type=float, default=6)
    cl.add_argument("--interval", type=float, default=0.02)
    args = ap.parse_args()
    return cmd_server(args) if args.cmd == "server" else cmd_client(args)


if __name__ == "__main__":
    sys.exit(main())
