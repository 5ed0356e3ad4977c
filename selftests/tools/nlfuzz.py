#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A fuzzer of the shadowsocks generic netlink family, meant to run as an
unprivileged user in a user and network namespace of its own (unshare
-Urn): everything it may do there, it does at random.

usage: nlfuzz.py --count N [--seed S] [--workers W] [--max-batch B]

W worker processes (default 2: requests run in parallel in the kernel)
share --count messages. Each message is one of:
  - a request built for a command (1..8) with the attributes it takes,
    plausible values (names from a small pool, so that DEL, GET and the
    handovers find what NEW made; loopback addresses and a few ports, so
    that profiles reach the fuzzer's own servers with the right key), then
    0..3 mutations: an attribute dropped, repeated, retyped (any type
    1..21 and beyond), resized (random length, truncated, emptied),
    replaced by random bytes, flagged nested or byte-order, a nested blob
    (a random SS_A_STATS-like list of u64s) added, an unknown attribute
    added, the command changed (any of 0..255), trailing bytes;
  - random attributes for any command;
  - a broken header (nlmsg_len short of the netlink or genl header, or
    beyond the data; a non-zero reserved field; no NLM_F_REQUEST; DUMP on
    any command, with attributes or not), or random bytes behind a
    netlink header.
Requests go out 1..B per send(). SS_A_FD and SS_A_CTRL_FD are mostly
descriptors of a pool the worker keeps and renews (each socket taken over by
a relay is replaced): TCP listening, connected (either end), unconnected,
bound, shut down, and peer-closed sockets, IPv4 and IPv6; UDP bound,
connected and unbound; AF_UNIX stream, datagram and seqpacket pairs;
pipes; /dev/null; an eventfd; netlink sockets (its own genl socket too);
descriptors just closed; and numbers no descriptor has.

Afterwards (parent): every server and client profile of the namespace is
deleted, and both dumps must come back empty. Prints one JSON line per
check ({"case", "ok", ...}), then {"summary": {...}}: seed, messages, send
calls, seconds, rate, per command the requests sent and accepted, errnos
seen, what coverage was reached. Exit 0 iff every check is ok.
"""

import argparse
import errno
import json
import os
import random
import select
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from genl import (Genl, attrs, strz, NLM_F_ACK, NLM_F_REQUEST,  # noqa: E402
                  NLMSG_ERROR, CMD_SERVER_DEL, CMD_SERVER_GET, CMD_CLIENT_DEL,
                  CMD_CLIENT_GET, A_NAME)

NLM_F_ECHO, NLM_F_DUMP = 0x8, 0x300
NLMSG_DONE = 3
NLA_F_NESTED, NLA_F_NET_BYTEORDER = 1 << 15, 1 << 14
NETLINK_CAP_ACK = 10
N_CMDS, N_ATTRS = 8, 21
(NAME, LISTEN4, LISTEN6, REMOTE4, REMOTE6, PORT, METHOD, KEY, MODE, TIMEOUT,
 STATS, HS_TIMEOUT, MAX_CONNS, ALLOW_LOCAL, FD, TARGET, DATA, REPLY,
 SOCKS5_UDP, UDP_SOURCE, CTRL_FD) = range(1, 22)
KEY_LEN = {1: 16, 2: 24, 3: 32, 4: 32, 5: 32}
# one key per method, the same in every run: a profile made with it
# authenticates to a server made with it
KEYS = {m: bytes((7 * i + m) & 0xff for i in range(n)) for m, n in KEY_LEN.items()}
NAMES = ["fz0", "fz1", "fz2", "fz3", "a", "Z.9-_", "x" * 31]
BAD_NAMES = [b"", b"\0", b"x" * 32 + b"\0", b"x" * 40, b"bad name\0", b"a/b\0",
             "é\0".encode(), b"fz0\0junk\0", b"fz0", b"\xff\xfe\0"]
PORTS = [20000, 20001, 20002, 20003]

# the commands each request template carries (a valid request's attributes)
TEMPLATES = {
    1: ([NAME, PORT, METHOD, KEY],
        [LISTEN4, LISTEN6, MODE, TIMEOUT, HS_TIMEOUT, MAX_CONNS, ALLOW_LOCAL]),
    2: ([NAME], []),
    3: ([NAME], []),
    4: ([NAME, PORT, METHOD, KEY], [TIMEOUT, HS_TIMEOUT, MAX_CONNS]),
    5: ([NAME], []),
    6: ([NAME], []),
    7: ([NAME, FD, TARGET], [DATA, REPLY]),
    8: ([NAME, FD], [UDP_SOURCE, CTRL_FD, REPLY]),
}


class FastRandom(random.Random):
    """random.Random with cheaper randint, randrange and choice (the
    fuzzer's own cost matters under TCG); seeded, so a run reproduces."""

    def randint(self, a, b):
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start, stop=None, step=1):
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


def nla(t, data, length=None):
    """One attribute; length overrides nla_len (a lie about its size)."""
    n = 4 + len(data) if length is None else length
    return struct.pack("HH", n & 0xffff, t & 0xffff) + data + \
        b"\0" * (-(4 + len(data)) % 4)


class FdPool:
    """Descriptors of every kind the handovers may be given."""

    def __init__(self, rnd):
        self.rnd = rnd
        self.keep = []		# (kind, objects): what holds them open
        self.fds = []		# (kind, fd)
        self.closed = []
        self.listen4 = None

    def _add(self, kind, fd, *objs):
        self.keep.append(objs)
        self.fds.append((kind, fd))

    def _tcp_pair(self, fam):
        host = "127.0.0.1" if fam == socket.AF_INET else "::1"
        lst = socket.socket(fam, socket.SOCK_STREAM)
        lst.bind((host, 0))
        lst.listen(8)
        c = socket.socket(fam, socket.SOCK_STREAM)
        c.connect(lst.getsockname()[:2])
        a, _ = lst.accept()
        lst.close()
        return c, a

    def build(self):
        """Close the old pool, open a new one."""
        for objs in self.keep:
            for o in objs:
                try:
                    o.close()
                except OSError:
                    pass
        self.keep, self.fds = [], []
        rnd = self.rnd
        for fam, tag in ((socket.AF_INET, "4"), (socket.AF_INET6, "6")):
            host = "127.0.0.1" if fam == socket.AF_INET else "::1"
            lst = socket.socket(fam, socket.SOCK_STREAM)
            lst.bind((host, 0))
            lst.listen(64)
            self._add("tcp%s-listen" % tag, lst.fileno(), lst)
            if fam == socket.AF_INET:
                self.listen4 = lst.getsockname()[1]
            for _ in range(2):
                c, a = self._tcp_pair(fam)
                self._add("tcp%s-connected" % tag, c.fileno(), c, a)
                self._add("tcp%s-accepted" % tag, a.fileno())
            c, a = self._tcp_pair(fam)
            a.close()		# the peer is gone: CLOSE_WAIT
            self._add("tcp%s-peer-closed" % tag, c.fileno(), c)
            c, a = self._tcp_pair(fam)
            c.shutdown(socket.SHUT_RD)
            self._add("tcp%s-shut-rd" % tag, c.fileno(), c, a)
            s = socket.socket(fam, socket.SOCK_STREAM)
            self._add("tcp%s-unconnected" % tag, s.fileno(), s)
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.bind((host, 0))
            self._add("tcp%s-bound" % tag, s.fileno(), s)
            s = socket.socket(fam, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
            s.connect_ex((host, 1))	# refused at once
            self._add("tcp%s-refused" % tag, s.fileno(), s)
            for _ in range(2):
                u = socket.socket(fam, socket.SOCK_DGRAM)
                u.bind((host, 0))
                self._add("udp%s-bound" % tag, u.fileno(), u)
            u = socket.socket(fam, socket.SOCK_DGRAM)
            u.bind((host, 0))
            u.connect((host, 9))
            self._add("udp%s-connected" % tag, u.fileno(), u)
            u = socket.socket(fam, socket.SOCK_DGRAM)
            self._add("udp%s-unbound" % tag, u.fileno(), u)
        for _ in range(2):
            x, y = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            self._add("unix-stream", x.fileno(), x, y)
            self._add("unix-stream-peer", y.fileno())
        x, y = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._add("unix-dgram", x.fileno(), x, y)
        x, y = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._add("unix-seqpacket", x.fileno(), x, y)
        x, y = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        y.close()
        self._add("unix-stream-peer-closed", x.fileno(), x)
        r, w = os.pipe()
        ro, wo = os.fdopen(r, "rb", 0), os.fdopen(w, "wb", 0)
        self._add("pipe-r", r, ro, wo)
        self._add("pipe-w", w)
        f = open("/dev/null", "rb")
        self._add("devnull", f.fileno(), f)
        if hasattr(os, "eventfd"):
            e = os.fdopen(os.eventfd(0), "rb", 0)
            self._add("eventfd", e.fileno(), e)
        for proto in (0, 16):	# NETLINK_ROUTE, NETLINK_GENERIC
            n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
            self._add("netlink", n.fileno(), n)
        # descriptors that were, and no longer are
        self.closed = []
        for _ in range(2):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.closed.append(s.fileno())
            s.close()
        rnd.shuffle(self.fds)

    def pick(self, own_fd):
        """(kind, fd) for SS_A_FD or SS_A_CTRL_FD"""
        r = self.rnd.random()
        if r < 0.85 and self.fds:
            return self.rnd.choice(self.fds)
        if r < 0.90:
            return "closed", self.rnd.choice(self.closed)
        if r < 0.93:
            return "genl-own", own_fd
        return "number", self.rnd.choice(
            [0, 1, 2, 999, 65535, 1 << 20, (1 << 31) - 1, 1 << 31,
             0xffffffff, self.rnd.getrandbits(32)])


class Fuzzer:
    def __init__(self, rnd, nl, pool):
        self.rnd, self.nl, self.pool = rnd, nl, pool
        self.family = nl.family
        self.seq = 1 << 20
        self.sent_cmds = {}
        self.sent_attrs = set()
        self.fd_kinds = set()
        self.method = 3

    # ---- attribute values ---------------------------------------------

    def value(self, t, cmd):
        r, rnd = self.rnd.random(), self.rnd
        if t == NAME:
            if r < 0.9:
                return (rnd.choice(NAMES) + "\0").encode()
            return rnd.choice(BAD_NAMES)
        if t in (LISTEN4, REMOTE4):
            if r < 0.7:
                return socket.inet_aton("127.0.0.1")
            return rnd.choice([bytes(4), b"\xff" * 4, b"\xe0\0\0\1",
                               socket.inet_aton("169.254.1.1"),
                               self.rnd.randbytes(4), self.rnd.randbytes(3)])
        if t in (LISTEN6, REMOTE6):
            if r < 0.6:
                return socket.inet_pton(socket.AF_INET6, "::1")
            return rnd.choice([bytes(16), socket.inet_pton(socket.AF_INET6, "fe80::1"),
                               socket.inet_pton(socket.AF_INET6, "::ffff:127.0.0.1"),
                               socket.inet_pton(socket.AF_INET6, "ff02::1"),
                               self.rnd.randbytes(16), self.rnd.randbytes(15)])
        if t == PORT:
            if r < 0.85:
                return struct.pack("H", rnd.choice(PORTS + [self.pool.listen4 or 1]))
            return struct.pack("H", rnd.choice([0, 65535, rnd.getrandbits(16)]))
        if t == METHOD:
            if r < 0.5:
                m = 3
            elif r < 0.9:
                m = rnd.randint(1, 5)
            else:
                m = rnd.choice([0, 6, 255, rnd.getrandbits(32)])
            self.method = m
            return struct.pack("I", m)
        if t == KEY:
            if r < 0.85 and self.method in KEYS:
                return KEYS[self.method]
            return self.rnd.randbytes(rnd.choice([0, 1, 15, 16, 24, 31, 32, 33, 64]))
        if t == MODE:
            return struct.pack("I", rnd.choice([0, 1, 2, 1, 2, 3, 0xffffffff]))
        if t in (TIMEOUT, HS_TIMEOUT):
            if r < 0.8:
                return struct.pack("I", rnd.randint(1, 5))
            return struct.pack("I", rnd.choice([0, 86400, 86401, 0xffffffff]))
        if t == MAX_CONNS:
            if r < 0.8:
                return struct.pack("I", rnd.randint(1, 8))
            return struct.pack("I", rnd.choice([0, 1000000, 1000001, 0xffffffff]))
        if t == ALLOW_LOCAL:
            return struct.pack("B", rnd.choice([0, 1, 1, 2, 255]))
        if t in (FD, CTRL_FD):
            kind, fd = self.pool.pick(self.nl.sk.fileno())
            self.fd_kinds.add(kind)
            return struct.pack("I", fd & 0xffffffff)
        if t == TARGET:
            return self.target()
        if t == DATA:
            return self.rnd.randbytes(rnd.choice([0, 1, 100, 1000, 8192, 8193, rnd.randint(0, 9000)]))
        if t == REPLY:
            return self.rnd.randbytes(rnd.choice([0, 1, 10, 64, 65, rnd.randint(0, 100)]))
        if t == SOCKS5_UDP:
            return b"" if r < 0.9 else self.rnd.randbytes(rnd.randint(1, 8))
        if t == UDP_SOURCE:
            if r < 0.4:
                return b"\x01" + socket.inet_aton("127.0.0.1") + struct.pack("!H", rnd.choice([0, 9, 4000]))
            if r < 0.7:
                return b"\x04" + bytes(16) + b"\0\0"
            return self.target()
        if t == STATS:
            return self.nested()
        return self.rnd.randbytes(rnd.randint(0, 40))

    def target(self):
        r, rnd = self.rnd.random(), self.rnd
        port = struct.pack("!H", rnd.choice([self.pool.listen4 or 9, 9, 0, 53, 65535]))
        if r < 0.45:
            return b"\x01" + socket.inet_aton("127.0.0.1") + port
        if r < 0.6:
            return b"\x04" + socket.inet_pton(socket.AF_INET6, "::1") + port
        if r < 0.7:
            name = rnd.choice([b"localhost", b"x.test", b"a" * 255, b"", b"a\0b", b"\xff",
                               b"a..b", self.rnd.randbytes(rnd.randint(1, 20))])
            return b"\x03" + bytes([len(name) & 0xff]) + name + port
        if r < 0.8:
            good = b"\x01" + socket.inet_aton("127.0.0.1") + port
            return good[:rnd.randint(0, len(good) - 1)]
        if r < 0.9:
            return bytes([rnd.choice([0, 2, 5, 0xff])]) + self.rnd.randbytes(rnd.randint(0, 20))
        return self.rnd.randbytes(rnd.randint(0, 300))

    def nested(self, depth=0):
        """A random list of attributes, u64s mostly: SS_A_STATS-like."""
        rnd = self.rnd
        out = b""
        for _ in range(rnd.randint(0, 8)):
            t = rnd.randint(0, 30)
            if depth < 3 and rnd.random() < 0.15:
                out += nla(t | NLA_F_NESTED, self.nested(depth + 1))
            elif rnd.random() < 0.8:
                out += nla(t, struct.pack("Q", rnd.getrandbits(64)))
            else:
                out += nla(t, self.rnd.randbytes(rnd.randint(0, 12)))
        return out

    # ---- messages -------------------------------------------------------

    def attr_list(self, cmd):
        rnd = self.rnd
        if cmd in TEMPLATES and rnd.random() < 0.8:
            req, opt = TEMPLATES[cmd]
            types = list(req) + [t for t in opt if rnd.random() < 0.35]
            if cmd == 4:
                types.insert(1, REMOTE4 if rnd.random() < 0.7 else REMOTE6)
            if cmd == 8:
                types.insert(2, TARGET if rnd.random() < 0.5 else SOCKS5_UDP)
            if cmd == 3 and rnd.random() < 0.3:
                types = []
            if cmd == 6 and rnd.random() < 0.3:
                types = []
        else:
            types = [rnd.randint(1, N_ATTRS + 3) for _ in range(rnd.randint(0, 8))]
        return [[t, self.value(t, cmd), None] for t in types]

    def mutate(self, cmd, al):
        rnd = self.rnd
        tail = b""
        for _ in range(rnd.choice([0, 0, 0, 1, 1, 2, 3])):
            m = rnd.randint(0, 11)
            i = rnd.randrange(len(al)) if al else None
            if m == 0 and al:
                del al[i]
            elif m == 1 and al:
                al.insert(rnd.randrange(len(al) + 1), list(al[i]))
            elif m == 2 and al:		# another type, same payload
                al[i][0] = rnd.choice([rnd.randint(1, N_ATTRS), rnd.randint(0, 40),
                                       rnd.getrandbits(14)])
            elif m == 3 and al:		# another length
                al[i][1] = al[i][1][:rnd.randint(0, max(0, len(al[i][1]) - 1))] \
                    if rnd.random() < 0.5 else al[i][1] + self.rnd.randbytes(rnd.randint(1, 8))
            elif m == 4 and al:
                al[i][1] = self.rnd.randbytes(rnd.randint(0, 64))
            elif m == 5 and al:
                al[i][0] |= rnd.choice([NLA_F_NESTED, NLA_F_NET_BYTEORDER,
                                        NLA_F_NESTED | NLA_F_NET_BYTEORDER])
            elif m == 6:
                al.insert(rnd.randrange(len(al) + 1),
                          [rnd.choice([STATS, rnd.randint(1, N_ATTRS)]) | NLA_F_NESTED,
                           self.nested(), None])
            elif m == 7:
                t = rnd.choice([0, N_ATTRS + 1, N_ATTRS + 2, 100, 0x3fff, rnd.getrandbits(16)])
                al.append([t, self.rnd.randbytes(rnd.randint(0, 16)), None])
            elif m == 8:
                cmd = rnd.choice([0, 9, 10, 255, rnd.randint(1, N_CMDS), rnd.getrandbits(8)])
            elif m == 9 and al:		# nla_len lies: short, long, under 4
                al[i][2] = rnd.choice([0, 1, 3, 4 + len(al[i][1]) + rnd.randint(1, 64),
                                       rnd.randint(0, 4 + len(al[i][1]))])
            elif m == 10:
                tail = self.rnd.randbytes(rnd.randint(1, 3))
            elif m == 11:
                al.append([TIMEOUT, struct.pack("I", rnd.randint(1, 5)), None])
        return cmd, al, tail

    def message(self):
        """(bytes, cmd, must_be_last)"""
        rnd = self.rnd
        self.seq += 1
        r = rnd.random()
        if r < 0.9:
            cmd = rnd.randint(1, N_CMDS) if rnd.random() < 0.95 else \
                rnd.choice([0, 9, 10, 128, 255])
            al = self.attr_list(cmd)
            cmd, al, tail = self.mutate(cmd, al)
            body = b"".join(nla(t, d, n) for t, d, n in al) + tail
            for t, _, _ in al:
                self.sent_attrs.add(t & 0x3fff)
        else:
            cmd = rnd.randint(0, 12)
            body = self.rnd.randbytes(rnd.randint(0, 200))
        flags = NLM_F_REQUEST | NLM_F_ACK
        if cmd in (3, 6) and rnd.random() < 0.4 or rnd.random() < 0.03:
            flags |= NLM_F_DUMP
        if rnd.random() < 0.05:
            flags |= NLM_F_ECHO
        if rnd.random() < 0.03:
            flags &= ~NLM_F_REQUEST
        if rnd.random() < 0.1:
            flags &= ~NLM_F_ACK
        version, reserved = 1, 0
        if rnd.random() < 0.05:
            version = rnd.getrandbits(8)
        if rnd.random() < 0.03:
            reserved = rnd.getrandbits(16) or 1
        payload = struct.pack("BBH", cmd & 0xff, version, reserved) + body
        self.sent_cmds[cmd & 0xff] = self.sent_cmds.get(cmd & 0xff, 0) + 1
        last = False
        length = 16 + len(payload)
        ntype = self.family
        r = rnd.random()
        if r < 0.01:		# shorter than a netlink header
            length, last = rnd.randint(0, 15), True
        elif r < 0.02:		# no room for the genl header
            length, payload, last = 16 + rnd.randint(0, 3), payload[:rnd.randint(0, 3)], True
            length = 16 + len(payload)
        elif r < 0.03:		# claims more than there is
            length, last = length + rnd.randint(1, 4096), True
        elif r < 0.035:		# a control message type
            ntype = rnd.choice([1, 2, 3, 4])
        msg = struct.pack("IHHII", length & 0xffffffff, ntype, flags, self.seq, 0) + payload
        return msg + b"\0" * (-len(msg) % 4), cmd & 0xff, last


def drain(sk, stats):
    """Read every reply queued (and the dumps' next parts) without waiting."""
    while True:
        try:
            data = sk.recv(1 << 17, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        except OSError as e:
            stats["recv_errors"][errno.errorcode.get(e.errno, str(e.errno))] = \
                stats["recv_errors"].get(errno.errorcode.get(e.errno, str(e.errno)), 0) + 1
            if e.errno == errno.ENOBUFS:
                continue
            return
        i = 0
        while i + 16 <= len(data):
            n, t, _, seq, _ = struct.unpack_from("IHHII", data, i)
            if n < 16:
                break
            if t == NLMSG_ERROR and i + 20 <= len(data):
                err = -struct.unpack_from("i", data, i + 16)[0]
                cmd = stats["seq_cmd"].pop(seq, None)
                name = errno.errorcode.get(err, str(err)) if err else "ok"
                key = "%s:%s" % (cmd, name)
                stats["replies"][key] = stats["replies"].get(key, 0) + 1
            i += (n + 3) & ~3


def worker(idx, args, seed, count):
    rnd = FastRandom(seed * 1000003 + idx)
    nl = Genl()
    sk = nl.sk
    try:
        sk.setsockopt(270, NETLINK_CAP_ACK, 1)
    except OSError:
        pass
    pool = FdPool(rnd)
    pool.build()
    fz = Fuzzer(rnd, nl, pool)
    stats = {"replies": {}, "recv_errors": {}, "send_errors": {}, "seq_cmd": {}}
    sent = sends = 0
    next_build = 500
    while sent < count:
        if sent >= next_build:
            pool.build()
            next_build = sent + rnd.randint(300, 1500)
        batch, n = [], rnd.choice([1, 1, 1, 2, 3, 4, 8, args.max_batch])
        for _ in range(min(n, count - sent)):
            msg, cmd, last = fz.message()
            batch.append(msg)
            stats["seq_cmd"][fz.seq] = cmd
            if last:
                break
        try:
            sk.send(b"".join(batch))
        except OSError as e:
            k = errno.errorcode.get(e.errno, str(e.errno))
            stats["send_errors"][k] = stats["send_errors"].get(k, 0) + 1
        sends += 1
        sent += len(batch)
        drain(sk, stats)
        if len(stats["seq_cmd"]) > 4096:	# never answered: not kept
            stats["seq_cmd"].clear()
    drain(sk, stats)
    del stats["seq_cmd"]
    stats.update({"sent": sent, "sends": sends, "cmds": fz.sent_cmds,
                  "attrs": sorted(fz.sent_attrs), "fd_kinds": sorted(fz.fd_kinds)})
    return stats


def dump_names(nl, cmd):
    nl.send(cmd, [], flags=NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP)
    names = []
    while True:
        data = nl.sk.recv(1 << 17)
        i, done = 0, False
        while i + 16 <= len(data):
            n, t, _, _, _ = struct.unpack_from("IHHII", data, i)
            if n < 16:
                break
            if t in (NLMSG_DONE, NLMSG_ERROR):
                done = True
            elif t == nl.family:
                for at, ad in attrs(data[i + 20:i + n]):
                    if at == A_NAME:
                        names.append(ad.rstrip(b"\0").decode())
            i += (n + 3) & ~3
        if done:
            # an ACK follows the DONE of a dump asked with NLM_F_ACK
            try:
                nl.sk.recv(1 << 16, socket.MSG_DONTWAIT)
            except BlockingIOError:
                pass
            return names


def case(desc, ok, **extra):
    res = {"case": desc, "ok": bool(ok)}
    res.update(extra)
    print(json.dumps(res), flush=True)
    return bool(ok)


def merge(into, d):
    for k, v in d.items():
        if isinstance(v, dict):
            merge(into.setdefault(k, {}), v)
        elif isinstance(v, list):
            into[k] = sorted(set(into.get(k, [])) | set(v))
        else:
            into[k] = into.get(k, 0) + v


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--max-batch", type=int, default=16)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    print(json.dumps({"seed": seed}), flush=True)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)

    t0 = time.monotonic()
    kids = []
    per = [args.count // args.workers + (1 if i < args.count % args.workers else 0)
           for i in range(args.workers)]
    for i in range(args.workers):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            code = 0
            try:
                st = worker(i, args, seed, per[i])
                os.write(w, json.dumps(st).encode())
            except BaseException as e:	# pylint: disable=broad-except
                os.write(w, json.dumps({"crash": repr(e)}).encode())
                code = 1
            os.close(w)
            os._exit(code)
        os.close(w)
        kids.append((pid, r))
    total, crashes = {}, []
    for pid, r in kids:
        chunks = []
        while True:
            b = os.read(r, 1 << 16)
            if not b:
                break
            chunks.append(b)
        os.close(r)
        _, status = os.waitpid(pid, 0)
        try:
            st = json.loads(b"".join(chunks) or b"{}")
        except ValueError:
            st = {"crash": "unreadable report"}
        if "crash" in st or status != 0:
            crashes.append(st.get("crash", "exit status %d" % status))
        else:
            merge(total, st)
    seconds = time.monotonic() - t0
    case("the fuzzer's workers ran to the end", not crashes, crashes=crashes)

    # every command (and some out of range), every attribute type
    cmds = set(int(c) for c in total.get("cmds", {}))
    attr_types = set(total.get("attrs", []))
    cover = set(range(1, N_CMDS + 1)) <= cmds and any(c == 0 or c > N_CMDS for c in cmds) \
        and set(range(1, N_ATTRS + 1)) <= attr_types and any(t > N_ATTRS for t in attr_types)
    case("every command 1..%d and others, every attribute type 1..%d and others sent"
         % (N_CMDS, N_ATTRS), cover, commands=sorted(cmds)[:40],
         attr_types_beyond=len([t for t in attr_types if t > N_ATTRS]),
         fd_kinds=total.get("fd_kinds", []))

    # the family still answers, and everything the fuzzer made goes
    nl = Genl()
    deleted = {"servers": 0, "clients": 0}
    failed = []
    for get, dele, what in ((CMD_SERVER_GET, CMD_SERVER_DEL, "servers"),
                            (CMD_CLIENT_GET, CMD_CLIENT_DEL, "clients")):
        for name in dump_names(nl, get):
            err, msg, _ = nl.request(dele, [strz(A_NAME, name)])
            if err:
                failed.append("%s %s: %s %s" % (what, name, errno.errorcode.get(err, err), msg))
            else:
                deleted[what] += 1
    left = {"servers": dump_names(nl, CMD_SERVER_GET),
            "clients": dump_names(nl, CMD_CLIENT_GET)}
    case("every server and client profile left deleted; both dumps empty",
         not failed and not left["servers"] and not left["clients"],
         deleted=deleted, failed=failed[:5], left=left)

    accepted = {}
    for k, v in total.get("replies", {}).items():
        cmd, _, res = k.partition(":")
        if res == "ok":
            accepted[cmd] = accepted.get(cmd, 0) + v
    errnos = {}
    for k, v in total.get("replies", {}).items():
        res = k.partition(":")[2]
        errnos[res] = errnos.get(res, 0) + v
    print(json.dumps({"summary": {
        "seed": seed, "messages": total.get("sent", 0), "sends": total.get("sends", 0),
        "workers": args.workers, "seconds": round(seconds, 1),
        "rate": round(total.get("sent", 0) / seconds) if seconds else None,
        "accepted": accepted, "replies_by_errno": errnos,
        "send_errors": total.get("send_errors", {}),
        "recv_errors": total.get("recv_errors", {}),
        "left_at_end": deleted}}), flush=True)
    return 0 if not crashes and cover and not failed and not left["servers"] \
        and not left["clients"] else 1


if __name__ == "__main__":
    sys.exit(main())
