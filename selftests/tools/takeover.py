#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A hostile caller of the handover commands: what it does to the sockets it
hands over, and to the relays, while it keeps their descriptors.

usage: takeover.py [ROUNDS]
       takeover.py --rmmod

Meant to run as an unprivileged user in a user and network namespace of its
own (unshare -Urn): it needs nothing but CAP_NET_ADMIN there. It brings lo
up, listens as a stand-in Shadowsocks server on 127.0.0.1, makes a client
profile pointing there and then, each case a JSON line ({"case", "ok",
...}); exit 0 iff every case is ok:

  - TCP (SS_CMD_RELAY_NEW), ROUNDS times, IPv4 and IPv6: once the relay has
    the socket (its reply arrived), connect(AF_UNSPEC) on our descriptor is
    refused (EBUSY), so is listen(), and so are TCP_REPAIR, TCP_ULP and
    IPV6_ADDRFORM. Were they not, every child the socket accepted would
    carry the relay's callbacks and call them after the relay is freed.
    Its ULP slot is taken meanwhile (getsockopt(TCP_ULP) says
    "shadowsocks"), so a TCP_ULP that raced the handover fails too.
    After the relay ends the socket is plain TCP again (AF_UNSPEC works,
    no ULP).
  - a socket with a ULP (kTLS, if the tls module is there) is refused, and
    so is one in repair mode (TCP_REPAIR: its sends would queue without
    going out, pinning the relay's buffers until it closes).
  - UDP (SS_CMD_UDP_RELAY_NEW), ROUNDS times: two relays with one control
    socket at once, datagrams arriving meanwhile: one wins, one gets EBUSY.
  - AF_UNIX control sockets that would keep a relay alive for ever: the
    peer's own descriptor in flight to the control socket; two relays with
    the two ends of one pair (refused: EBUSY); two pairs whose peers are in
    flight to each other's control socket. Each relay ends once we closed
    our descriptors (its UDP port can be bound again).
  - one socket handed over twice at once: one relay gets it, the other
    leaves it alone (the winner's relay goes on).

With --rmmod (as root, in a namespace of the caller's choosing): hands a
TCP socket and a UDP socket with an AF_UNIX control socket over, prints
"ready", waits for a line on stdin (the caller removes the module
meanwhile), then uses the sockets the way the attack above would: nothing
of the module may be left on them. Before that it tries to make a second
held socket a listener (refused: EBUSY); had that worked, the child it
accepted would be given data after the removal, which would call into the
module's freed text had the child inherited the module's callbacks.
"""

import array
import ctypes
import errno
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from genl import (Genl, A_CTRL_FD, A_FD, A_HANDSHAKE_TIMEOUT, A_KEY,  # noqa: E402
                  A_METHOD, A_NAME, A_PORT, A_REMOTE_IPV4, A_REPLY, A_TARGET,
                  CMD_CLIENT_DEL, CMD_CLIENT_NEW, CMD_RELAY_NEW,
                  CMD_UDP_RELAY_NEW, METHOD_AES_256_GCM, attr, strz, u16, u32,
                  v4addr)

TCP_REPAIR, TCP_ULP, IPV6_ADDRFORM = 19, 31, 1
REPLY = b"\x05\x00\x00\x01" + bytes(6)
PROFILE = "takeover"
libc = ctypes.CDLL(None, use_errno=True)
results = []


def case(desc, ok, **extra):
    res = {"case": desc, "ok": bool(ok)}
    res.update(extra)
    results.append(res)
    print(json.dumps(res), flush=True)
    return ok


def disconnect(s):
    """connect(AF_UNSPEC): 0 or the errno"""
    sa = ctypes.create_string_buffer(socket.AF_UNSPEC.to_bytes(2, "little"), 16)
    if libc.connect(s.fileno(), sa, 16) == 0:
        return 0
    return ctypes.get_errno()


def sockerr(fn):
    try:
        fn()
        return 0
    except OSError as e:
        return e.errno


def tcp_pair(family):
    """(connected client socket, its accepted peer)"""
    host = "127.0.0.1" if family == socket.AF_INET else "::"
    lst = socket.socket(family, socket.SOCK_STREAM)
    lst.bind((host, 0))
    lst.listen(4)
    c = socket.socket(family, socket.SOCK_STREAM)
    dst = "127.0.0.1" if family == socket.AF_INET else "::ffff:127.0.0.1"
    c.connect((dst, lst.getsockname()[1]))
    a, _ = lst.accept()
    lst.close()
    return c, a


def relay_new(nl, c):
    """Hand TCP socket c over to the profile: (errno, extack, reply)."""
    return nl.request(CMD_RELAY_NEW, [
        strz(A_NAME, PROFILE), u32(A_FD, c.fileno()),
        attr(A_TARGET, v4addr("127.0.0.1", 9)), attr(A_REPLY, REPLY)])


def tcp_round(nl, server, family, i):
    tag = "tcp%s round %d" % ("6" if family == socket.AF_INET6 else "4", i)
    c, a = tcp_pair(family)
    err, msg, _ = relay_new(nl, c)
    if not case(tag + ": handed over", err == 0, errno=err, extack=msg):
        return
    a.settimeout(10)
    got = a.recv(len(REPLY))
    case(tag + ": the relay has the socket (its reply arrived)", got == REPLY)
    # the relay's connection to the stand-in server
    server.settimeout(10)
    srv_conn, _ = server.accept()

    case(tag + ": connect(AF_UNSPEC) refused with EBUSY",
         disconnect(c) == errno.EBUSY)
    e = sockerr(lambda: c.listen(8))
    case(tag + ": listen() refused", e != 0, errno=e)
    children = []
    if e == 0:
        # what the attack would do next: children with the relay's callbacks
        for _ in range(3):
            k = socket.socket(family, socket.SOCK_STREAM)
            k.connect(("127.0.0.1" if family == socket.AF_INET else "::1",
                       c.getsockname()[1]))
            children.append(k)
    e = sockerr(lambda: c.setsockopt(socket.SOL_TCP, TCP_REPAIR, 1))
    case(tag + ": TCP_REPAIR refused with EBUSY", e == errno.EBUSY, errno=e)
    e = sockerr(lambda: c.setsockopt(socket.SOL_TCP, TCP_ULP, b"tls"))
    case(tag + ": TCP_ULP refused with EBUSY", e == errno.EBUSY, errno=e)
    # what a TCP_ULP that raced the handover finds under the socket lock
    ulp = c.getsockopt(socket.SOL_TCP, TCP_ULP, 16).rstrip(b"\0")
    case(tag + ": the held socket's ULP slot is taken", ulp == b"shadowsocks",
         ulp=ulp.decode(errors="replace"))
    if family == socket.AF_INET6:
        e = sockerr(lambda: c.setsockopt(socket.IPPROTO_IPV6, IPV6_ADDRFORM,
                                         socket.AF_INET))
        case(tag + ": IPV6_ADDRFORM refused with EBUSY", e == errno.EBUSY,
             errno=e)

    # end the relay: the application and the server both go
    a.close()
    srv_conn.close()
    for k in children:
        k.send(b"after the relay")
    deadline = time.monotonic() + 10
    e = errno.EBUSY
    while time.monotonic() < deadline:
        e = disconnect(c)
        if e != errno.EBUSY:
            break
        time.sleep(0.05)
    case(tag + ": after the relay ends the socket is plain TCP again", e == 0,
         errno=e)
    ulp = c.getsockopt(socket.SOL_TCP, TCP_ULP, 16).rstrip(b"\0")
    case(tag + ": and has no ULP", ulp == b"", ulp=ulp.decode(errors="replace"))
    for k in children:
        k.close()
    c.close()


def ulp_case(nl):
    c, a = tcp_pair(socket.AF_INET)
    try:
        c.setsockopt(socket.SOL_TCP, TCP_ULP, b"tls")
    except OSError as e:
        case("a socket with a ULP (kTLS): not testable here", True,
             skipped="TCP_ULP tls: %s" % e.strerror)
        return
    err, msg, _ = nl.request(CMD_RELAY_NEW, [
        strz(A_NAME, PROFILE), u32(A_FD, c.fileno()),
        attr(A_TARGET, v4addr("127.0.0.1", 9))])
    case("a socket with a ULP (kTLS) refused: EOPNOTSUPP",
         err == errno.EOPNOTSUPP, errno=err, extack=msg)
    c.close()
    a.close()


def repair_case(nl):
    c, a = tcp_pair(socket.AF_INET)
    c.setsockopt(socket.SOL_TCP, TCP_REPAIR, 1)
    err, msg, _ = relay_new(nl, c)
    case("a socket in repair mode (TCP_REPAIR) refused: EOPNOTSUPP",
         err == errno.EOPNOTSUPP and "repair" in (msg or ""), errno=err,
         extack=msg)
    c.setsockopt(socket.SOL_TCP, TCP_REPAIR, 0)
    err, msg, _ = relay_new(nl, c)
    case("out of repair mode, the same socket is taken", err == 0, errno=err,
         extack=msg)
    c.close()
    a.close()


def udp_bound():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    return u


def udp_relay(nl, u, ctrl):
    return nl.request(CMD_UDP_RELAY_NEW, [
        strz(A_NAME, PROFILE), u32(A_FD, u.fileno()),
        attr(A_TARGET, v4addr("127.0.0.1", 9)),
        u32(A_CTRL_FD, ctrl.fileno())])[:2]


def gone(port, secs=10):
    """True once 127.0.0.1:port/udp can be bound again"""
    deadline = time.monotonic() + secs
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


def udp_race(rounds):
    """Two SS_CMD_UDP_RELAY_NEW with one control socket, datagrams flying."""
    nls = [Genl(), Genl()]
    bad = []
    for i in range(rounds):
        us = [udp_bound(), udp_bound()]
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        stop = threading.Event()

        def flood():
            f = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            dst = [u.getsockname() for u in us]
            while not stop.is_set():
                for d in dst:
                    f.sendto(b"x" * 64, d)
            f.close()

        out = [None, None]

        def hand(k):
            out[k] = udp_relay(nls[k], us[k], theirs)

        fl = threading.Thread(target=flood)
        fl.start()
        ts = [threading.Thread(target=hand, args=(k,)) for k in (0, 1)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        stop.set()
        fl.join()
        errs = sorted(o[0] for o in out)
        if errs != [0, errno.EBUSY]:
            bad.append({"round": i, "errnos": errs})
        ports = [u.getsockname()[1] for u in us]
        for s in us + [theirs]:
            s.close()
        ours.close()
        won = ports[[o[0] for o in out].index(0)] if 0 in [o[0] for o in out] else None
        if won and not gone(won):
            bad.append({"round": i, "relay did not end": won})
    case("udp: %d rounds of two relays with one control socket: one wins, "
         "one EBUSY, no relay left" % rounds, not bad, bad=bad[:5])


def send_fd(via, fd):
    via.sendmsg([b"F"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                          array.array("i", [fd]))])


def unix_cycles(nl):
    # the peer's own descriptor in flight to the control socket
    u = udp_bound()
    port = u.getsockname()[1]
    x, y = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    err, msg = udp_relay(nl, u, x)
    if case("unix: relay with a control socket", err == 0, errno=err,
            extack=msg):
        send_fd(y, y.fileno())
        for s in (u, x, y):
            s.close()
        case("unix: the peer in flight to the control socket: the relay "
             "ends", gone(port))

    # the two ends of one pair, each a relay's control socket
    u1, u2 = udp_bound(), udp_bound()
    x, y = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    e1 = udp_relay(nl, u1, x)
    e2 = udp_relay(nl, u2, y)
    case("unix: the peer of a relay's control socket refused: EBUSY",
         e1[0] == 0 and e2[0] == errno.EBUSY, errnos=[e1[0], e2[0]],
         extack=e2[1])
    p1 = u1.getsockname()[1]
    for s in (u1, u2, x, y):
        s.close()
    case("unix: ... and the first relay ends with its pair", gone(p1))

    # two pairs, each peer in flight to the other pair's control socket
    ua, ub = udp_bound(), udp_bound()
    pa, pb = ua.getsockname()[1], ub.getsockname()[1]
    a1, a2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    b1, b2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    ea, eb = udp_relay(nl, ua, a1), udp_relay(nl, ub, b1)
    if case("unix: two relays with two pairs", ea[0] == 0 and eb[0] == 0,
            errnos=[ea[0], eb[0]]):
        send_fd(b2, a2.fileno())    # a2 waits in b1's queue
        send_fd(a2, b2.fileno())    # b2 waits in a1's queue
        for s in (ua, ub, a1, a2, b1, b2):
            s.close()
        case("unix: cross-linked pairs: both relays end",
             gone(pa) and gone(pb))


def dup_handover(nl, server):
    c, a = tcp_pair(socket.AF_INET)
    nls = [nl, Genl()]
    out = [None, None]

    def hand(k):
        out[k] = relay_new(nls[k], c)[0]

    ts = [threading.Thread(target=hand, args=(k,)) for k in (0, 1)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    a.settimeout(10)
    got = a.recv(len(REPLY))
    server.settimeout(10)
    srv_conn, _ = server.accept()
    # the loser's relay ends on its own; the winner's must go on
    time.sleep(1)
    a.send(b"still there")
    srv_conn.settimeout(10)
    try:
        first = srv_conn.recv(4096)
    except OSError:
        first = b""
    case("one socket handed over twice at once: one reply, the winner "
         "relays, the socket still held", got == REPLY and len(first) > 0 and
         disconnect(c) == errno.EBUSY, errnos=out)
    a.close()
    srv_conn.close()
    c.close()


def after_rmmod():
    """Hand sockets over, let the caller remove the module, use them."""
    nl = Genl()
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    err, msg = make_profile(nl, server)
    if not case("rmmod: client profile", err == 0, errno=err, extack=msg):
        return 1
    c, a = tcp_pair(socket.AF_INET)
    err, msg, _ = relay_new(nl, c)
    a.settimeout(10)
    case("rmmod: TCP socket handed over", err == 0 and
         a.recv(len(REPLY)) == REPLY, errno=err, extack=msg)
    held = held_listener(nl)
    u = udp_bound()
    x, y = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    err, msg = udp_relay(nl, u, x)
    case("rmmod: UDP socket and control socket handed over", err == 0,
         errno=err, extack=msg)
    nl.sk.close()
    print("ready", flush=True)
    sys.stdin.readline()
    if len(held) == 4:
        # A child cloned while the module held its parent: were the
        # module's callbacks copied to it, this data would call into the
        # module's freed text.
        kid, child = held[2], held[3]
        kid.send(b"z")
        child.settimeout(5)
        try:
            got = child.recv(1)
        except OSError as ex:
            got = repr(ex)
        case("rmmod: a child cloned while the module held its parent "
             "carries data", got == b"z", got=repr(got))
    # the module is gone: every callback and protocol of the sockets is
    # the kernel's own again
    case("rmmod: connect(AF_UNSPEC) works on the TCP socket",
         disconnect(c) == 0)
    c.bind(("127.0.0.1", 0))
    c.listen(4)
    kids = []
    for _ in range(3):
        k = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        k.connect(c.getsockname())
        k.send(b"x")
        kids.append(k)
    acc = [c.accept()[0] for _ in kids]
    case("rmmod: the socket listens, its children carry data",
         all(s.recv(1) == b"x" for s in acc))
    f = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    f.sendto(b"datagram", u.getsockname())
    u.settimeout(5)
    case("rmmod: the UDP socket reads its datagrams itself",
         u.recv(100) == b"datagram")
    y.send(b"ctrl")
    x.settimeout(5)
    case("rmmod: the control socket reads its data itself",
         x.recv(100) == b"ctrl")
    for s in kids + acc + [c, a, u, x, y, f, server] + held:
        s.close()
    return 0 if all(r["ok"] for r in results) else 1


def held_listener(nl):
    """Hand a socket over and try to make it a listener while the module
    holds it. Returns the sockets made: [socket, its peer], and a client
    and the child the socket accepted if that worked, which it must not
    (the child would inherit what the module installed, and keep it after
    rmmod)."""
    c, a = tcp_pair(socket.AF_INET)
    err, msg, _ = relay_new(nl, c)
    a.settimeout(10)
    if not case("rmmod: a second TCP socket handed over", err == 0 and
                a.recv(len(REPLY)) == REPLY, errno=err, extack=msg):
        return [c, a]
    e = disconnect(c)
    case("rmmod: while held, the socket cannot be disconnected to become "
         "a listener (EBUSY)", e == errno.EBUSY, errno=e)
    if e:
        return [c, a]
    kid = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        c.bind(("127.0.0.1", 0))
        c.listen(4)
        kid.connect(c.getsockname())
        # the child is queued by now; the module's callbacks on the
        # listener may keep a blocking accept() from waking
        time.sleep(0.5)
        c.setblocking(False)
        return [c, a, kid, c.accept()[0]]
    except OSError as ex:
        case("rmmod: the held socket, a listener, accepts a child", False,
             error=repr(ex))
        return [c, a, kid]


def make_profile(nl, server):
    return nl.request(CMD_CLIENT_NEW, [
        strz(A_NAME, PROFILE), attr(A_REMOTE_IPV4, socket.inet_aton("127.0.0.1")),
        u16(A_PORT, server.getsockname()[1]), u32(A_METHOD, METHOD_AES_256_GCM),
        attr(A_KEY, os.urandom(32)), u32(A_HANDSHAKE_TIMEOUT, 10)])[:2]


def guarded(fn, *args):
    """Run one case function; an exception is a failed case, not the end."""
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001 - every failure is reported
        case("%s%s raised %s: %s" % (fn.__name__, args[2:], type(e).__name__,
                                       e), False)


def main():
    if sys.argv[1:] == ["--rmmod"]:
        return after_rmmod()
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    nl = Genl()
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    err, msg = make_profile(nl, server)
    if not case("client profile in our own namespace, unprivileged", err == 0,
                errno=err, extack=msg):
        return 1
    guarded(dup_handover, nl, server)
    for i in range(rounds):
        guarded(tcp_round, nl, server, socket.AF_INET, i)
    for i in range(max(1, rounds // 4)):
        guarded(tcp_round, nl, server, socket.AF_INET6, i)
    guarded(ulp_case, nl)
    guarded(repair_case, nl)
    guarded(udp_race, rounds)
    guarded(unix_cycles, nl)
    err, msg, _ = nl.request(CMD_CLIENT_DEL, [strz(A_NAME, PROFILE)])
    case("client profile deleted", err == 0, errno=err, extack=msg)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
