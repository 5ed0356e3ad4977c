#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""SS_CMD_UDP_RELAY_NEW straight over generic netlink, without ss-socksd:
every refusal, and two relays made by hand.

usage: udp_relay_nl.py PROFILE TARGET

Run in the client profile's netns, as root. TARGET (HOST:PORT, IPv4) is a
UDP echo service the profile's server reaches. Prints one JSON line per
case ({"case", "ok", "errno", "extack"}); exit 0 iff every case is ok.

  - refusals: each with the errno the uapi header documents
  - tunnel: a bound UDP socket and one end of a socket pair handed over;
    a datagram sent to it comes back echoed; the same socket again is
    -EBUSY; our end of the pair closed: the relay ends (its port can be
    bound again)
  - socks5: a bound UDP socket and a TCP control connection (to ourselves)
    with SS_A_REPLY: the reply arrives on the control connection; a SOCKS5
    datagram is echoed with 00 00 00 and the target's address; the client
    side of the control connection closed: the relay ends
"""

import errno
import json
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from genl import (Genl, attr, A_NAME, A_FD, A_TARGET, A_REPLY,  # noqa: E402
                  A_SOCKS5_UDP, A_UDP_SOURCE, A_CTRL_FD, A_TPROXY,
                  CMD_UDP_RELAY_NEW)

try:
    nl = Genl()
except OSError as e:
    sys.exit("cannot resolve the family: errno %d" % e.errno)

results = []


def u32(v):
    return struct.pack("I", v)


def name(p):
    return attr(A_NAME, p.encode() + b"\0")


def relay_new(*body):
    return nl.request(CMD_UDP_RELAY_NEW, list(body))[:2]


def case(desc, want, got, extra=None):
    err, msg = got
    res = {"case": desc, "ok": err == want, "errno": err, "extack": msg}
    if extra:
        res.update(extra)
    results.append(res)
    print(json.dumps(res), flush=True)
    return err == want


def v4addr(host, port):
    return b"\x01" + socket.inet_aton(host) + struct.pack("!H", port)


def udp_bound():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    return u


def gone(port):
    """True once 127.0.0.1:port can be bound again (within 5 s)"""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            time.sleep(0.1)
        finally:
            s.close()
    return False


def main():
    profile, target = sys.argv[1], sys.argv[2]
    thost, tport = target.rsplit(":", 1)
    tgt = v4addr(thost, int(tport))

    u = udp_bound()
    fd = attr(A_FD, u32(u.fileno()))
    case("unknown profile: ENOENT", errno.ENOENT,
         relay_new(name("no-such-profile"), fd, attr(A_TARGET, tgt)))
    case("a descriptor not open: EBADF", errno.EBADF,
         relay_new(name(profile), attr(A_FD, u32(9999)), attr(A_TARGET, tgt)))
    with open("/dev/null") as f:
        case("not a socket: ENOTSOCK", errno.ENOTSOCK,
             relay_new(name(profile), attr(A_FD, u32(f.fileno())), attr(A_TARGET, tgt)))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    case("a TCP socket: EPROTOTYPE", errno.EPROTOTYPE,
         relay_new(name(profile), attr(A_FD, u32(t.fileno())), attr(A_TARGET, tgt)))
    ub = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    case("an unbound UDP socket: EDESTADDRREQ", errno.EDESTADDRREQ,
         relay_new(name(profile), attr(A_FD, u32(ub.fileno())), attr(A_TARGET, tgt)))
    uc = udp_bound()
    uc.connect(("127.0.0.1", 9))
    case("a connected UDP socket: EISCONN", errno.EISCONN,
         relay_new(name(profile), attr(A_FD, u32(uc.fileno())), attr(A_TARGET, tgt)))
    case("neither a target nor SOCKS5: EINVAL", errno.EINVAL,
         relay_new(name(profile), fd))
    case("both a target and SOCKS5: EINVAL", errno.EINVAL,
         relay_new(name(profile), fd, attr(A_TARGET, tgt), attr(A_SOCKS5_UDP, b"")))
    case("both SOCKS5 and tproxy: EINVAL", errno.EINVAL,
         relay_new(name(profile), fd, attr(A_SOCKS5_UDP, b""), attr(A_TPROXY, b"")))
    case("both a target and tproxy: EINVAL", errno.EINVAL,
         relay_new(name(profile), fd, attr(A_TARGET, tgt), attr(A_TPROXY, b"")))
    case("tproxy on a socket without IP_TRANSPARENT: EPERM", errno.EPERM,
         relay_new(name(profile), fd, attr(A_TPROXY, b"")))
    case("a source in tproxy mode: EINVAL", errno.EINVAL,
         relay_new(name(profile), fd, attr(A_TPROXY, b""),
                   attr(A_UDP_SOURCE, v4addr("127.0.0.1", 0))))
    case("a malformed target: EINVAL", errno.EINVAL,
         relay_new(name(profile), fd, attr(A_TARGET, b"\x09\x01\x02")))
    case("a source in tunnel mode: EINVAL", errno.EINVAL,
         relay_new(name(profile), fd, attr(A_TARGET, tgt),
                   attr(A_UDP_SOURCE, v4addr("127.0.0.1", 0))))
    case("a source of a bad length: EINVAL", errno.EINVAL,
         relay_new(name(profile), fd, attr(A_SOCKS5_UDP, b""),
                   attr(A_UDP_SOURCE, b"\x01\x7f\x00\x00")))
    case("a reply without a control socket: EINVAL", errno.EINVAL,
         relay_new(name(profile), fd, attr(A_SOCKS5_UDP, b""), attr(A_REPLY, b"x")))
    case("a UDP control socket: EPROTOTYPE", errno.EPROTOTYPE,
         relay_new(name(profile), fd, attr(A_SOCKS5_UDP, b""),
                   attr(A_CTRL_FD, u32(uc.fileno()))))
    case("an unconnected TCP control socket: ENOTCONN", errno.ENOTCONN,
         relay_new(name(profile), fd, attr(A_SOCKS5_UDP, b""),
                   attr(A_CTRL_FD, u32(t.fileno()))))
    case("no descriptor: EINVAL", errno.EINVAL,
         relay_new(name(profile), attr(A_TARGET, tgt)))
    for s in (t, ub, uc):
        s.close()

    # tunnel mode, by hand
    port = u.getsockname()[1]
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    ok = case("tunnel: handed over", 0,
              relay_new(name(profile), fd, attr(A_TARGET, tgt),
                        attr(A_CTRL_FD, u32(theirs.fileno()))))
    theirs.close()
    if ok:
        case("tunnel: the same socket again: EBUSY", errno.EBUSY,
             relay_new(name(profile), fd, attr(A_TARGET, tgt)))
        u.close()	# the kernel holds it now
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.settimeout(3)
        echoed = False
        for _ in range(3):
            c.sendto(b"by hand", ("127.0.0.1", port))
            try:
                echoed = c.recvfrom(2048) == (b"by hand", ("127.0.0.1", port))
                break
            except socket.timeout:
                continue
        results.append({"case": "tunnel: a datagram echoed", "ok": echoed})
        print(json.dumps(results[-1]), flush=True)
        ours.close()
        results.append({"case": "tunnel: our end of the pair closed, the relay ends",
                        "ok": gone(port)})
        print(json.dumps(results[-1]), flush=True)

    # SOCKS5 mode, by hand, with a TCP control connection to ourselves
    u = udp_bound()
    port = u.getsockname()[1]
    lis = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lis.bind(("127.0.0.1", 0))
    lis.listen(1)
    cli = socket.create_connection(lis.getsockname())
    srv, _ = lis.accept()
    lis.close()
    reply = b"\x05\x00\x00\x01\x7f\x00\x00\x01" + struct.pack("!H", port)
    ok = case("socks5: handed over with a control connection and a reply", 0,
              relay_new(name(profile), attr(A_FD, u32(u.fileno())),
                        attr(A_SOCKS5_UDP, b""), attr(A_CTRL_FD, u32(srv.fileno())),
                        attr(A_REPLY, reply)))
    u.close()
    srv.close()
    if ok:
        cli.settimeout(3)
        got = b""
        try:
            while len(got) < len(reply):
                chunk = cli.recv(64)
                if not chunk:
                    break
                got += chunk
        except socket.timeout:
            pass
        results.append({"case": "socks5: the kernel wrote the reply", "ok": got == reply})
        print(json.dumps(results[-1]), flush=True)
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.settimeout(3)
        want = b"\x00\x00\x00" + tgt + b"socks5 by hand"
        echoed = False
        for _ in range(3):
            c.sendto(b"\x00\x00\x00" + tgt + b"socks5 by hand", ("127.0.0.1", port))
            try:
                echoed = c.recvfrom(2048)[0] == want
                break
            except socket.timeout:
                continue
        results.append({"case": "socks5: a datagram echoed, 00 00 00 and the target's address in front",
                        "ok": echoed})
        print(json.dumps(results[-1]), flush=True)
        cli.close()
        results.append({"case": "socks5: the control connection closed, the relay ends",
                        "ok": gone(port)})
        print(json.dumps(results[-1]), flush=True)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
