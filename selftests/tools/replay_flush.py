#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Can anyone make a server forget a salt? Two ways to try:

usage: replay_flush.py stranger PORT PASSWORD COUNT
       replay_flush.py cross PORT PASSWORD -- COMMAND...
       replay_flush.py valid PORT PASSWORD COUNT

Run in a netns where a udp server (aes-256-gcm, allow-local on) listens
on 127.0.0.1:PORT, best with the module loaded with a small replay_capacity
(COUNT well above twice it).

stranger: the server's UDP associations answer whatever reaches their
sockets, from anyone, each answer with a fresh salt of the server's own.
A client sends one valid packet to a target of ours; the target answers
once, so the client holds one reply of the server's; COUNT datagrams from
a stranger to the association are answered to the client; then the
client's first packet, replayed, must not reach the target, nor the
server's reply sent back to the server (a reflection), and a new packet
must.

cross: the client's packet reaches the target, then COMMAND runs (it
floods a server in another namespace with valid packets: a user who owns
that namespace can), then the packet replayed must not reach the target.

valid: COUNT valid packets, each with a fresh salt, to a target of ours;
at least 80 % must arrive (the flood of "cross").

usage: replay_flush.py one PORT PASSWORD SRCPORT

one: a valid packet from 127.0.0.1:SRCPORT reaches a target of ours (the
debug log then shows its association's hash).

Prints one JSON line per case; exit 0 iff all are ok.
"""

import json
import os
import socket
import subprocess
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


def endpoints(port, srcport=0):
    target = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    target.bind(("127.0.0.1", 0))
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    client.bind(("127.0.0.1", srcport))
    client.connect(("127.0.0.1", port))
    return target, client, socks_addr("127.0.0.1", target.getsockname()[1])


def stranger(u, port, count):
    target, client, to = endpoints(port)
    first = u.seal(to + b"first")
    client.send(first)
    data, assoc = recv_within(target, 5)
    if not case("a valid packet reaches the target", data == b"first"):
        return
    target.sendto(b"pong", assoc)
    reply, _ = recv_within(client, 5)
    if not case("the target's answer reaches the client",
                reply is not None and u.open(reply)[-4:] == b"pong"):
        return

    print("association at %s:%d" % assoc, flush=True)
    other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    answered = 0
    try:
        for i in range(count):
            other.sendto(b"x%d" % i, assoc)
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
    # the reply holds the target's address: accepted, it would send
    # "pong" back to the target
    client.send(reply)
    data, _ = recv_within(target, 2)
    case("the server's first reply sent back to it after them is refused",
         data is None, got=repr(data))
    client.send(u.seal(to + b"second"))
    data, _ = recv_within(target, 5)
    case("a new packet still reaches the target", data == b"second")


def cross(u, port, command):
    target, client, to = endpoints(port)
    first = u.seal(to + b"first")
    client.send(first)
    data, _ = recv_within(target, 5)
    if not case("a valid packet reaches the target", data == b"first"):
        return
    rc = subprocess.run(command).returncode
    if not case("the flood of the other namespace's server ran", rc == 0,
                rc=rc):
        return
    client.send(first)
    data, _ = recv_within(target, 2)
    case("the packet replayed after it is refused", data is None,
         got=repr(data))
    client.send(u.seal(to + b"second"))
    data, _ = recv_within(target, 5)
    case("a new packet still reaches the target", data == b"second")


def valid(u, port, count):
    target, client, to = endpoints(port)
    got = 0
    for i in range(count):
        client.send(u.seal(to + b"v%d" % i))
        if i % 32 == 31:
            while recv_within(target, 0.05)[0] is not None:
                got += 1
    while recv_within(target, 0.5)[0] is not None:
        got += 1
    case("valid packets with fresh salts reach the target",
         got >= count * 0.8, sent=count, got=got)


def one(u, port, srcport):
    target, client, to = endpoints(port, srcport)
    client.send(u.seal(to + b"one"))
    data, _ = recv_within(target, 5)
    case("a packet from port %d reaches the target" % srcport,
         data == b"one")


def main():
    mode, port, password = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    u = Udp("aes-256-gcm", password)
    if mode == "stranger":
        stranger(u, port, int(sys.argv[4]))
    elif mode == "cross" and sys.argv[4] == "--":
        cross(u, port, sys.argv[5:])
    elif mode == "valid":
        valid(u, port, int(sys.argv[4]))
    elif mode == "one":
        one(u, port, int(sys.argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0 if results and all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
