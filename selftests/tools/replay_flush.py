#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Can unauthenticated datagrams flush a client's salt from the replay
filter? The server's UDP associations answer whatever reaches their
sockets, from anyone, each answer with a fresh salt of the server's own.

usage: replay_flush.py PORT PASSWORD COUNT

Run in a netns where a udp server (aes-256-gcm, allow-local on) listens
on 127.0.0.1:PORT, best with the module loaded with a small replay_capacity
(COUNT well above twice it). A client sends one valid packet to a target
of ours; the target learns the association's address; COUNT datagrams from
a stranger to that address are answered to the client; then the client's
first packet, replayed, must not reach the target, and a new one must.
Prints one JSON line per case; exit 0 iff all are ok.
"""

import json
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from socks_addr import socks_addr  # noqa: E402
from ss_udp import Udp  # noqa: E402

results = []


def case(desc, ok, **extra):
    res = {"case": desc, "ok": bool(ok)}
    res.update(extra)
    results.append(res)
    print(json.dumps(res), flush=True)
    return ok


def recv_within(s, wait):
    s.settimeout(wait)
    try:
        return s.recvfrom(1 << 16)
    except socket.timeout:
        return None, None


def main():
    port, password, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    u = Udp("aes-256-gcm", password)
    target = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    target.bind(("127.0.0.1", 0))
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.connect(("127.0.0.1", port))
    to = socks_addr("127.0.0.1", target.getsockname()[1])

    first = u.seal(to + b"first")
    client.send(first)
    data, assoc = recv_within(target, 5)
    if not case("a valid packet reaches the target", data == b"first"):
        return 1

    print("association at %s:%d" % assoc, flush=True)
    stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    answered = 0
    try:
        for i in range(count):
            stranger.sendto(b"x%d" % i, assoc)
            if i % 32 == 31:
                while recv_within(client, 0.05)[0] is not None:
                    answered += 1
        while recv_within(client, 0.5)[0] is not None:
            answered += 1
    except OSError as e:
        print("flood: %s" % e, flush=True)
    case("a stranger's datagrams to the association are answered to the "
         "client", answered >= count * 0.8, sent=count, answered=answered)

    client.send(first)
    data, _ = recv_within(target, 2)
    case("the client's first packet replayed after them is refused",
         data is None, got=repr(data))
    client.send(u.seal(to + b"second"))
    data, _ = recv_within(target, 5)
    case("a new packet still reaches the target", data == b"second")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
