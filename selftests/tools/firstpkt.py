#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Random first packets against Shadowsocks servers: what a prober learns
from the server's reaction to a connection whose first write is random.

usage: firstpkt.py --server NAME=HOST:PORT:SALT ... --count N
                   [--concurrency C] [--min 1] [--max 1000] [--seed S]
                   [--timeout HS] [--margin M]

Opens --count connections (--concurrency at once), to the servers in turn;
each sends, once connected, one write of L random bytes, L uniform in
--min..--max, then nothing more, and watches the socket until the server
does something: closes it (FIN: "eof", or RST: "rst"), sends data ("data",
which no server may do), or nothing until --timeout + --margin seconds
("open"). Times are taken from the connect() call: the server's clock
starts at its accept, later, so a close before the timeout is the server's
doing whatever this process's own delays. Connections are opened --step at
a time per round of the event loop, so that it keeps up with its sockets.

A server's reaction must be the same whatever was sent: every connection
closed the same way, none before the handshake timeout (0.9 * --timeout:
"early") nor after --timeout + --margin ("late"). SALT is the method's salt
length: a write of at least SALT + 18 bytes (salt, sealed length, tag) is
one the server can reject (counted as an authentication failure); a
shorter one leaves it waiting for more. Both must look alike.

Prints one JSON line per server, then a line with the totals:
  {"server", "n", "kinds": {kind: count}, "early", "late", "authable"
   (writes of at least SALT + 18 bytes), "authable_late" (those of them
   sent over half the timeout after connect(), which the server may not
   have read before it closed), "t": [min, p50, p99, max] of the
   close times, "t_short" / "t_long": the same for writes shorter than
   SALT + 18 and the others, "connect_errors"}
  {"total": N, "seconds", "rate" (connections per second), "seed",
   "kinds", "ok"}
Exit 0 iff ok: a single kind over all servers, eof or rst, nothing early,
late, open or data, no connection error.
"""

import argparse
import errno
import json
import os
import random
import resource
import select
import socket
import sys
import time


def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))], 3)


def summary(xs):
    if not xs:
        return None
    return [round(min(xs), 3), pct(xs, 50), pct(xs, 99), round(max(xs), 3)]


def parse_server(spec):
    name, _, rest = spec.partition("=")
    hostport, _, salt = rest.rpartition(":")
    host, _, port = hostport.rpartition(":")
    host = host.strip("[]")
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    return {"name": name, "addr": (host, int(port)), "family": fam,
            "salt": int(salt), "n": 0, "kinds": {}, "early": 0, "late": 0,
            "authable": 0, "authable_late": 0, "t": [], "t_short": [], "t_long": [],
            "connect_errors": 0, "errors": []}


class Conn:
    __slots__ = ("sock", "srv", "data", "t0", "state", "late")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", action="append", required=True,
                    help="NAME=HOST:PORT:SALT")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--concurrency", type=int, default=400)
    ap.add_argument("--min", type=int, default=1)
    ap.add_argument("--max", type=int, default=1000)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--timeout", type=float, default=2.0,
                    help="the servers' handshake timeout, seconds")
    ap.add_argument("--margin", type=float, default=3.0)
    ap.add_argument("--step", type=int, default=8,
                    help="connections opened per round of the event loop")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    rnd = random.Random(seed)
    servers = [parse_server(s) for s in args.server]

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.concurrency + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))

    ep = select.epoll()
    conns = {}
    started = 0
    finished = 0
    t_start = time.monotonic()
    deadline_of = args.timeout + args.margin

    def start_one():
        nonlocal started
        srv = servers[started % len(servers)]
        started += 1
        c = Conn()
        c.srv = srv
        n = rnd.randint(args.min, args.max)
        c.data = rnd.getrandbits(8 * n).to_bytes(n, "little")
        c.sock = socket.socket(srv["family"], socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
        # the server's clock starts at its accept, after this: a close
        # before t0 + timeout is early whatever this process's delays
        c.t0 = time.monotonic()
        c.state = "connecting"
        c.late = False
        err = c.sock.connect_ex(srv["addr"])
        if err not in (0, errno.EINPROGRESS):
            srv["connect_errors"] += 1
            srv["errors"].append(os.strerror(err))
            c.sock.close()
            return False
        conns[c.sock.fileno()] = c
        ep.register(c.sock.fileno(), select.EPOLLOUT)
        return True

    def finish(c, kind, t):
        nonlocal finished
        srv = c.srv
        srv["n"] += 1
        srv["kinds"][kind] = srv["kinds"].get(kind, 0) + 1
        short = len(c.data) < srv["salt"] + 18
        if not short:
            srv["authable"] += 1
            if c.late:
                srv["authable_late"] += 1
        if kind in ("eof", "rst", "data"):
            srv["t"].append(t)
            (srv["t_short"] if short else srv["t_long"]).append(t)
            if t < 0.9 * args.timeout:
                srv["early"] += 1
            elif t > deadline_of:
                srv["late"] += 1
        fd = c.sock.fileno()
        ep.unregister(fd)
        del conns[fd]
        c.sock.close()
        finished += 1

    while finished < args.count:
        # a few at a time: bursts of connections would make this process
        # lag behind its own sockets
        for _ in range(args.step):
            if len(conns) >= args.concurrency or started >= args.count:
                break
            if not start_one():
                finished += 1
        now = time.monotonic()
        # the oldest connections are first in the dict: give up on those
        # the server left open too long
        for c in list(conns.values()):
            if now - c.t0 <= deadline_of + 1:
                break
            finish(c, "open" if c.state == "sent" else "connect_timeout", now - c.t0)
        for fd, ev in ep.poll(0.01 if started < args.count else 0.05):
            c = conns.get(fd)
            if c is None:
                continue
            now = time.monotonic()
            if c.state == "connecting":
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    c.srv["connect_errors"] += 1
                    c.srv["errors"].append(os.strerror(err))
                    fd = c.sock.fileno()
                    ep.unregister(fd)
                    del conns[fd]
                    c.sock.close()
                    finished += 1
                    continue
                # sent so late that the server may have closed first
                # (this process lagging): it cannot count what it got
                c.late = now - c.t0 > 0.5 * args.timeout
                try:
                    c.sock.send(c.data)
                except OSError as e:
                    finish(c, "send_error:" + (e.strerror or str(e)), now - c.t0)
                    continue
                c.state = "sent"
                ep.modify(fd, select.EPOLLIN | select.EPOLLRDHUP)
                continue
            try:
                got = c.sock.recv(64)
                kind = "data" if got else "eof"
            except ConnectionResetError:
                kind = "rst"
            except BlockingIOError:
                continue
            except OSError as e:
                kind = "error:" + (e.strerror or str(e))
            finish(c, kind, now - c.t0)

    seconds = time.monotonic() - t_start
    kinds = {}
    ok = True
    for srv in servers:
        for k, v in srv["kinds"].items():
            kinds[k] = kinds.get(k, 0) + v
        out = {"server": srv["name"], "n": srv["n"], "kinds": srv["kinds"],
               "early": srv["early"], "late": srv["late"],
               "authable": srv["authable"], "authable_late": srv["authable_late"],
               "t": summary(srv["t"]),
               "t_short": summary(srv["t_short"]),
               "t_long": summary(srv["t_long"]),
               "connect_errors": srv["connect_errors"],
               "errors": sorted(set(srv["errors"]))[:3]}
        print(json.dumps(out), flush=True)
        if srv["early"] or srv["late"] or srv["connect_errors"]:
            ok = False
    if len(kinds) != 1 or list(kinds)[0] not in ("eof", "rst"):
        ok = False
    print(json.dumps({"total": finished, "seconds": round(seconds, 1),
                      "rate": round(finished / seconds, 1) if seconds else None,
                      "seed": seed, "kinds": kinds, "ok": ok}), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
