#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Traffic through a relay that may fail under it: echo round trips over
TCP and UDP, counted, never fatal.

usage: load.py [--tcp HOST:PORT] [--udp HOST:PORT] [--workers K]
               [--http HOST:PORT --blob FILE [--get N] [--interval S]]
               [--duration SECONDS] [--dir DIR] [--size MAX]

--tcp: K workers, each in a loop: connect, send 1..--size random bytes,
read them back (5 s at most), compare, close. --udp: one worker: a
datagram of 1..1400 random bytes, its echo awaited 1 s, compared. Both
addresses are echo services, directly or through tunnels (the target's
tools/servers.py echo and UDP echo). --http: one worker, a fetch every
--interval seconds: GET /blob?n=N (--get, 65536) from the target's HTTP
service (tools/servers.py), the body compared with the first N bytes of
--blob, 10 s at most, its time taken. Runs for --duration seconds, or until
DIR/stop exists; DIR/ready is created once every worker started. Prints one
JSON line: for "tcp", "udp" and "http", "ok" (round trips that came back
intact), "fail", "errors" (kind: count) and "bytes" (echoed or fetched);
for "http" also "latency": [min, p50, p95, max] seconds of the good ones.
"""

import argparse
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sockio import recv_exact  # noqa: E402


def hostport(s):
    host, _, port = s.rpartition(":")
    host = host.strip("[]")
    return (socket.AF_INET6 if ":" in host else socket.AF_INET), (host, int(port))


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.ok = self.fail = self.bytes = 0
        self.errors = {}

    def good(self, n):
        with self.lock:
            self.ok += 1
            self.bytes += n

    def bad(self, why):
        with self.lock:
            self.fail += 1
            self.errors[why] = self.errors.get(why, 0) + 1

    def json(self):
        out = {"ok": self.ok, "fail": self.fail, "bytes": self.bytes,
               "errors": self.errors}
        lat = sorted(getattr(self, "latency", []))
        if lat:
            out["latency"] = [round(lat[0], 3), round(lat[len(lat) // 2], 3),
                              round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 3),
                              round(lat[-1], 3)]
        return out


def tcp_worker(addr, size, stop, tally):
    fam, sa = addr
    while not stop.is_set():
        data = os.urandom(1 + int.from_bytes(os.urandom(4), "little") % size)
        try:
            with socket.socket(fam, socket.SOCK_STREAM) as s:
                s.settimeout(5)
                s.connect(sa)
                s.sendall(data)
                back = recv_exact(s, len(data))
            if back == data:
                tally.good(len(data))
            else:
                tally.bad("corrupt")
        except EOFError:
            tally.bad("eof")
        except socket.timeout:
            tally.bad("timeout")
        except OSError as e:
            tally.bad(type(e).__name__ if not e.strerror else e.strerror)
            time.sleep(0.05)


def udp_worker(addr, stop, tally):
    fam, sa = addr
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(1)
    while not stop.is_set():
        data = os.urandom(1 + os.urandom(1)[0] * 5)
        try:
            s.sendto(data, sa)
            while True:
                back, _ = s.recvfrom(2048)
                if back == data:
                    tally.good(len(data))
                    break
                # a late echo of an earlier datagram: read on
        except socket.timeout:
            tally.bad("timeout")
        except OSError as e:
            tally.bad(e.strerror or type(e).__name__)
            time.sleep(0.05)
    s.close()


def http_worker(addr, want, interval, stop, tally):
    fam, sa = addr
    tally.latency = []
    req = b"GET /blob?n=%d HTTP/1.0\r\nHost: target\r\n\r\n" % len(want)
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            with socket.socket(fam, socket.SOCK_STREAM) as s:
                s.settimeout(10)
                s.connect(sa)
                s.sendall(req)
                buf = bytearray()
                while time.monotonic() - t0 < 10:
                    data = s.recv(1 << 16)
                    if not data:
                        break
                    buf += data
            head, _, body = bytes(buf).partition(b"\r\n\r\n")
            if head.startswith(b"HTTP/1.") and b" 200 " in head.split(b"\r\n")[0] \
                    and body == want:
                tally.good(len(body))
                tally.latency.append(time.monotonic() - t0)
            else:
                tally.bad("short or corrupt (%d bytes)" % len(body))
        except socket.timeout:
            tally.bad("timeout")
        except OSError as e:
            tally.bad(e.strerror or type(e).__name__)
        stop.wait(max(0.0, interval - (time.monotonic() - t0)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tcp")
    ap.add_argument("--udp")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--duration", type=float, default=30)
    ap.add_argument("--dir")
    ap.add_argument("--size", type=int, default=65536)
    ap.add_argument("--http")
    ap.add_argument("--blob")
    ap.add_argument("--get", type=int, default=65536)
    ap.add_argument("--interval", type=float, default=0.5)
    args = ap.parse_args()
    stop = threading.Event()
    tcp, udp, http = Tally(), Tally(), Tally()
    threads = []
    if args.http:
        with open(args.blob, "rb") as f:
            want = f.read(args.get)
        threads.append(threading.Thread(target=http_worker, args=(
            hostport(args.http), want, args.interval, stop, http)))
    if args.tcp:
        for _ in range(args.workers):
            threads.append(threading.Thread(target=tcp_worker, args=(
                hostport(args.tcp), args.size, stop, tcp)))
    if args.udp:
        threads.append(threading.Thread(target=udp_worker, args=(
            hostport(args.udp), stop, udp)))
    for t in threads:
        t.daemon = True
        t.start()
    if args.dir:
        open(os.path.join(args.dir, "ready"), "w").close()
    end = time.monotonic() + args.duration
    while time.monotonic() < end:
        if args.dir and os.path.exists(os.path.join(args.dir, "stop")):
            break
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join(7)
    print(json.dumps({"tcp": tcp.json(), "udp": udp.json(), "http": http.json()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
