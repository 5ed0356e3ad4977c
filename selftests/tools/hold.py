#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Open many connections to a Shadowsocks server's port, send each the same
kind of opening, and hold them open: a flood of idle or bad clients.

usage: hold.py --server HOST:PORT --n N [--case CASE] [--method M
               (--password PW | --key B64)] [--dir DIR] [--timeout S]

CASE (default idle):
  idle     nothing at all
  random   random bytes as long as a first write of a request (salt,
           sealed length, a short address and 64 bytes, tag): they fail
           authentication, and the server drains the connection
  len      a correct salt (a fresh one each) and a correctly sealed length
           of 0x3FFF, and no payload: the connection has authenticated and
           the server waits, buffer ready, for the rest of the chunk

The connections are opened one after the other, each sending its bytes at
once. Then DIR/ready is created (with --dir) and the connections are held
until DIR/go exists (or --timeout seconds pass). Prints one line of JSON:
"opened" (connections established), "closed" (how many the server had
closed, by EOF or reset, when the hold ended: read without blocking),
"closed_order" (their indices, the order they were opened in, up to 200),
"seconds" (how long opening them took). The sockets are closed at exit.
"""

import argparse
import base64
import json
import os
import resource
import socket
import sys
import time

# salt (and key) length of each method; ss_probe.py (which imports the
# cryptography package, slow to load under TCG) only for --case len
SALT = {"aes-128-gcm": 16, "aes-192-gcm": 24, "aes-256-gcm": 32,
        "chacha20-ietf-poly1305": 32}
TAG = 16


def state(s):
    """'open', 'eof', 'rst' or 'data', without blocking."""
    try:
        data = s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return "open"
    except ConnectionResetError:
        return "rst"
    return "data" if data else "eof"


def opening(args, key):
    klen = SALT[args.method]
    if args.case == "idle":
        return b""
    if args.case == "random":
        return os.urandom(klen + 2 + TAG + 7 + 64 + TAG)
    from ss_probe import Cipher  # pylint: disable=import-outside-toplevel
    salt = os.urandom(klen)
    return salt + Cipher(args.method, key, salt).seal(b"\x3f\xff")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--case", choices=("idle", "random", "len"), default="idle")
    ap.add_argument("--method", default="chacha20-ietf-poly1305", choices=sorted(SALT))
    ap.add_argument("--password")
    ap.add_argument("--key")
    ap.add_argument("--dir")
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()
    key = None
    if args.case == "len":
        if (args.key is None) == (args.password is None):
            ap.error("--case len needs --password or --key")
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from ss_probe import master_key  # pylint: disable=import-outside-toplevel
        key = base64.b64decode(args.key) if args.key else \
            master_key(args.password.encode(), SALT[args.method])

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.n + 64
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            ap.error("RLIMIT_NOFILE hard limit %d < %d" % (hard, want))
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    host, _, port = args.server.rpartition(":")
    addr = (host.strip("[]"), int(port))
    socks, errors = [], []
    t0 = time.monotonic()
    for _ in range(args.n):
        try:
            s = socket.create_connection(addr, timeout=10)
            s.settimeout(None)
            data = opening(args, key)
            if data:
                s.sendall(data)
            socks.append(s)
        except OSError as e:
            errors.append(repr(e))
    seconds = round(time.monotonic() - t0, 2)

    if args.dir:
        open(os.path.join(args.dir, "ready"), "w").close()
        deadline = time.monotonic() + args.timeout
        while not os.path.exists(os.path.join(args.dir, "go")) and \
                time.monotonic() < deadline:
            time.sleep(0.05)

    closed = [i for i, s in enumerate(socks) if state(s) in ("eof", "rst")]
    print(json.dumps({"n": args.n, "opened": len(socks), "closed": len(closed),
                      "closed_order": closed[:200], "seconds": seconds,
                      "errors": sorted(set(errors))[:5]}), flush=True)
    for s in socks:
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
