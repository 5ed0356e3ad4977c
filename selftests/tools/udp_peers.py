#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A UDP target that answers one association's socket from two places: the
target the client sent to, then a stranger the client never sent to.

usage: udp_peers.py --port P [--known S] [--stranger T] [--interval I]

Binds P (IPv4 and IPv6), waits up to 60 s for one datagram, and prints
{"from": "ADDR:PORT"} (the server's association socket). Then, from P
(the target the client sent to), sends b"known" to that address every I
seconds for S seconds; then, from a new socket on another port (a stranger
to the association), b"stranger" every I seconds for T seconds. Prints {"known": n}
and {"stranger": m} (datagrams sent) as each phase ends and exits 0; exits
1 if no datagram came.
"""

import argparse
import json
import socket
import sys
import time


def send_for(sock, to, payload, seconds, interval):
    n = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sock.sendto(payload, to)
        n += 1
        time.sleep(interval)
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--known", type=float, default=10)
    ap.add_argument("--stranger", type=float, default=10)
    ap.add_argument("--interval", type=float, default=0.5)
    a = ap.parse_args()

    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", a.port))
    s.settimeout(60)
    try:
        _, frm = s.recvfrom(1 << 16)
    except socket.timeout:
        print(json.dumps({"error": "no datagram in 60 s"}), flush=True)
        return 1
    print(json.dumps({"from": "%s:%d" % frm[:2]}), flush=True)
    n = send_for(s, frm, b"known", a.known, a.interval)
    print(json.dumps({"known": n}), flush=True)
    stranger = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    stranger.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    stranger.bind(("::", 0))
    n = send_for(stranger, frm, b"stranger", a.stranger, a.interval)
    print(json.dumps({"stranger": n}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
