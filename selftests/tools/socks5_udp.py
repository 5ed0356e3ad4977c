#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A SOCKS5 UDP ASSOCIATE client (RFC 1928 section 7) for the local role's
UDP tests.

usage: socks5_udp.py --proxy HOST:PORT MODE [options]

Each mode opens a control connection to --proxy, sends the greeting (no
authentication) and UDP ASSOCIATE with DST --announce (default 0.0.0.0:0,
"don't know"), reads the reply and sends its datagrams to BND.ADDR:BND.PORT
from one UDP socket. It prints one line of JSON and exits 0 iff it saw what
it must.

  echo    --target TARGET --count N [--min A --max B] [--seed S]: N
          datagrams of random sizes A..B (default 1..1400) to TARGET
          (HOST:PORT, [IPv6]:PORT or NAME:PORT; the UDP echo service of
          tools/servers.py by default), one at a time; each reply must be
          00 00 00, the target's address (the same IP and port for an IP
          target; for a name, an IP address and the port) and the same
          payload. A datagram unanswered after --wait seconds is sent again,
          up to --retries times. --window W: up to W datagrams in flight,
          replies matched by payload (then at least 4 bytes: a sequence
          number first).
  frag    --count N: N datagrams with FRAG 1..127 and 0x80.., none of which
          may be answered within --wait seconds; then one good datagram
          must be echoed
  rsv     --count N: N datagrams whose RSV bytes (the first two, which
          must be 0) are not 0, none of which may be answered within --wait
          seconds; then one good datagram must be echoed
  source  (with --announce set to an address that is not ours): --count N
          datagrams, none of which may be answered within --wait seconds
  close   one datagram echoed; prints {"port": BND.PORT} and waits --hold
          seconds (the caller looks at the association meanwhile), closes
          the control connection, waits 1 s, then sends a datagram that
          must not be answered within --wait seconds
  hold    one datagram echoed; prints {"port": BND.PORT}, waits --hold
          seconds (the caller restarts the proxy meanwhile), then another
          datagram must be echoed: the association outlived the proxy
  cut     one datagram echoed; prints {"port": BND.PORT}; the proxy (the
          kernel) must close the control connection within --hold seconds
          (the caller deletes the profile meanwhile)
  none    the ASSOCIATE must be refused: a reply other than 05 00
"""

import argparse
import ipaddress
import json
import os
import random
import select
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sockio import recv_exact  # noqa: E402
from socks_addr import parse_addr, socks_addr, split_hostport  # noqa: E402
import windowed  # noqa: E402

DEFAULT_TARGET = "10.0.2.2:9002"


class Assoc:
    """A control connection with its association, and the UDP socket."""

    def __init__(self, args):
        host, port = split_hostport(args.proxy)
        self.ctrl = socket.create_connection((host, port), timeout=args.timeout)
        self.ctrl.sendall(b"\x05\x01\x00")
        if recv_exact(self.ctrl, 2, args.timeout) != b"\x05\x00":
            raise RuntimeError("method refused")
        ahost, aport = split_hostport(args.announce)
        self.ctrl.sendall(b"\x05\x03\x00" + socks_addr(ahost, aport))
        head = recv_exact(self.ctrl, 4, args.timeout)
        self.rep = head[1]
        if head[0] != 5 or head[1] != 0:
            self.bnd = None
            return
        alen = {1: 4, 4: 16}.get(head[3])
        if alen is None:
            raise RuntimeError("BND address type %d" % head[3])
        rest = recv_exact(self.ctrl, alen + 2, args.timeout)
        bhost, bport, _ = parse_addr(head[3:4] + rest)
        self.bnd = (bhost, bport)
        fam = socket.AF_INET6 if ":" in bhost else socket.AF_INET
        self.udp = socket.socket(fam, socket.SOCK_DGRAM)
        self.udp.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", 0))

    def send(self, payload, target, frag=0, rsv=b"\x00\x00"):
        self.udp.sendto(rsv + bytes([frag]) + socks_addr(*target) + payload,
                        self.bnd)

    def recv(self, wait):
        """the next datagram from BND within wait seconds, or None"""
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.udp], [], [], left)
            if not r:
                return None
            try:
                data, frm = self.udp.recvfrom(65536)
            except ConnectionRefusedError:
                continue
            if frm[1] != self.bnd[1]:
                continue
            return data


def same_host(a, b):
    return ipaddress.ip_address(a) == ipaddress.ip_address(b)


def echo_one(a, args, target, payload):
    """True iff payload is echoed from target, with resends"""
    is_name = True
    try:
        ipaddress.ip_address(target[0])
        is_name = False
    except ValueError:
        pass
    for _ in range(args.retries + 1):
        a.send(payload, target)
        deadline = time.monotonic() + args.wait
        while time.monotonic() < deadline:
            data = a.recv(deadline - time.monotonic())
            if data is None:
                break
            if reply_payload(data, args, target, is_name) == payload:
                return True
            # a late echo of an earlier resend: read on
    return False


def reply_payload(data, args, target, is_name):
    """the payload of a reply from BND, its header checked"""
    if len(data) < 4 or data[:3] != b"\x00\x00\x00":
        raise RuntimeError("reply without RSV RSV FRAG 0: %r" % data[:8])
    host, port, n = parse_addr(data[3:])
    if port != target[1] or data[3] == 3 or \
            (not is_name and not same_host(host, target[0])):
        raise RuntimeError("reply from %s:%d, not %s:%d"
                           % (host, port, target[0], target[1]))
    return data[3 + n:]


def echo_windowed(a, args, target, rnd):
    """(lost, resends) of args.count datagrams, up to args.window in
    flight; each payload starts with its sequence number, so a reply is
    matched by payload; one not answered is sent again on windowed.py's timer (no
    sooner than args.wait), up to args.retries times"""
    try:
        ipaddress.ip_address(target[0])
        is_name = False
    except ValueError:
        is_name = True

    def make(i):
        n = max(4, rnd.randint(args.min, args.max))
        return i.to_bytes(4, "big") + rnd.randbytes(n - 4), None

    def receive(timeout):
        data = a.recv(timeout)
        if data is None:
            return None
        return reply_payload(data, args, target, is_name), data

    _, lost, resends = windowed.run(args.count, args.window, args.retries,
                                    args.wait, make,
                                    lambda payload, _: a.send(payload, target),
                                    receive)
    return lost, resends


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proxy", required=True)
    ap.add_argument("mode", choices=("echo", "frag", "rsv", "source", "close", "hold", "cut",
                                     "none"))
    ap.add_argument("--target", default=DEFAULT_TARGET)
    ap.add_argument("--announce", default="0.0.0.0:0")
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--min", type=int, default=1)
    ap.add_argument("--max", type=int, default=1400)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--wait", type=float, default=2.0)
    ap.add_argument("--retries", type=int, default=3)
    ap.add_argument("--window", type=int, default=1,
                    help="echo: datagrams in flight at once (payloads of "
                    "at least 4 bytes: a sequence number first)")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--hold", type=float, default=2.0)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    target = split_hostport(args.target)
    res = {"mode": args.mode, "ok": False}

    try:
        a = Assoc(args)
        res["rep"] = a.rep
        if args.mode == "none":
            res["ok"] = a.rep != 0
        elif a.bnd is None:
            res["error"] = "ASSOCIATE refused: reply %d" % a.rep
        elif args.mode == "echo":
            lost = resends = 0
            t0 = time.monotonic()
            if args.window > 1:
                lost, resends = echo_windowed(a, args, target, rnd)
                res["resends"] = resends
            for _ in range(args.count if args.window == 1 else 0):
                n = rnd.randint(args.min, args.max)
                if not echo_one(a, args, target, rnd.randbytes(n)):
                    lost += 1
            res.update(sent=args.count, lost=lost,
                       seconds=round(time.monotonic() - t0, 2),
                       bnd="%s:%d" % a.bnd)
            res["ok"] = lost == 0
        elif args.mode in ("frag", "rsv", "source"):
            answered = 0
            for i in range(args.count):
                frag = (1 + i % 127) | (0x80 if i % 2 else 0) \
                    if args.mode == "frag" else 0
                # RSV: 00 01, 01 00, ff ff, then 1..
                rsv = (b"\x00\x01", b"\x01\x00", b"\xff\xff")[i] if i < 3 \
                    else (i & 0xffff).to_bytes(2, "big")
                a.send(b"x" * (1 + i), target, frag,
                       rsv if args.mode == "rsv" else b"\x00\x00")
            if a.recv(args.wait) is not None:
                answered += 1
            res.update(sent=args.count, answered=answered)
            res["ok"] = answered == 0
            if args.mode in ("frag", "rsv"):
                res["then_echoed"] = echo_one(a, args, target, b"after the fragments")
                res["ok"] = res["ok"] and res["then_echoed"]
        elif args.mode == "close":
            first = echo_one(a, args, target, b"before the close")
            print(json.dumps({"port": a.bnd[1], "echoed": first}), flush=True)
            time.sleep(args.hold)
            a.ctrl.close()
            time.sleep(1)
            a.send(b"after the close", target)
            late = a.recv(args.wait)
            res.update(echoed_before=first, answered_after=late is not None)
            res["ok"] = first and late is None
        elif args.mode == "hold":
            first = echo_one(a, args, target, b"before")
            print(json.dumps({"port": a.bnd[1], "echoed": first}), flush=True)
            time.sleep(args.hold)
            second = echo_one(a, args, target, b"after")
            res.update(echoed_before=first, echoed_after=second)
            res["ok"] = first and second
        elif args.mode == "cut":
            first = echo_one(a, args, target, b"before")
            print(json.dumps({"port": a.bnd[1], "echoed": first}), flush=True)
            a.ctrl.settimeout(args.hold)
            try:
                closed = a.ctrl.recv(1) == b""
            except ConnectionResetError:
                closed = True
            except socket.timeout:
                closed = False
            res.update(echoed_before=first, control_closed=closed)
            res["ok"] = first and closed
    except (OSError, RuntimeError, EOFError, ValueError) as e:
        res["error"] = "%s: %s" % (type(e).__name__, e)
    print(json.dumps(res), flush=True)
    return 0 if res["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
