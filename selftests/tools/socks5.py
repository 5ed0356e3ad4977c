#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A SOCKS5 client for the local role's tests: correct and pipelined
sessions, and the bad input a SOCKS5 front end must refuse.

usage: socks5.py --proxy HOST:PORT [--user U --password P] [--timeout S]
                 [--margin S] [--first N] [--more N] CASE[@TARGET] ...

Runs the cases in order, each on a new connection, and prints one line of
JSON per case, with "ok" saying whether the proxy did what it must. TARGET
(HOST:PORT, IPv6 in brackets, or a domain) defaults to 10.0.2.2:9000, the
echo service of tools/servers.py. --timeout is the proxy's handshake
timeout; every close must come within --timeout + --margin seconds.

  valid      greeting, (RFC 1929 login with --user), CONNECT, each waited
             for; then --more random bytes, echoed back exactly; EOF after
             the client's half-close
  onewrite   greeting, login, CONNECT and the first --first random bytes
             in ONE write; then the replies, the echo of those bytes, and
             --more bytes more as in "valid": nothing the client sent before
             the relay started may be lost
  badver     a SOCKS4 CONNECT: closed at once (within --margin), no reply
  garbage    random bytes (first byte 0xff): closed within --margin, nothing
             or a SOCKS5 failure sent
  badreq     a correct greeting, then random bytes as the request (first
             byte 0xff): after the method reply, nothing or a failure reply,
             closed within --margin
  bind       CONNECT replaced by BIND (2): reply 05 07, then closed
  udp        UDP ASSOCIATE (3): reply 05 07, then closed (a front end
             without UDP; ss-socksd has it: see socks5_udp.py)
  atyp       CONNECT with address type 0x05: reply 05 08, then closed
  truncated  a greeting and the first 6 bytes of a CONNECT, then nothing:
             closed at the handshake timeout (not before 0.9 x --timeout)
  noauth     offers only "no authentication" to a proxy that requires a
             login: reply 05 ff, then closed
  badlogin   offers login, sends a wrong password: reply 01 and a non-zero
             status, then closed
  connfail   a correct CONNECT the proxy cannot hand over (its client
             profile gone, or full): reply 05 01, then closed
  idle       a correct CONNECT, one echo, then nothing: the relay must close
             at its idle timeout, given as --timeout (not before 0.9 x)
  stall      a correct CONNECT and 4 bytes of data to a relay that cannot
             reach its server: nothing comes back, and the relay closes
             --timeout after the CONNECT reply (not before 0.9 x)

Exit status 0 iff every case is ok.
"""

import argparse
import ipaddress
import json
import os
import select
import socket
import struct
import sys
import time


def hostport(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


def addr_bytes(host, port):
    try:
        ip = ipaddress.ip_address(host)
        a = (b"\x01" if ip.version == 4 else b"\x04") + ip.packed
    except ValueError:
        a = b"\x03" + bytes([len(host)]) + host.encode()
    return a + struct.pack(">H", port)


class Closed(Exception):
    """The proxy closed (eof or rst) before sending what was expected."""


class Conn:
    def __init__(self, args):
        self.t0 = time.monotonic()
        self.deadline = self.t0 + args.timeout + args.margin
        self.s = socket.create_connection(hostport(args.proxy), timeout=args.timeout + args.margin)
        self.got = bytearray()	# everything received, for the report
        self.close = None	# "eof" / "rst" when seen
        self.closed_after = None

    def recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("%d of %d bytes" % (len(buf), n))
            self.s.settimeout(left)
            try:
                data = self.s.recv(n - len(buf))
            except ConnectionResetError:
                self._closed("rst")
                raise Closed("rst after %d of %d bytes" % (len(buf), n)) from None
            if not data:
                self._closed("eof")
                raise Closed("eof after %d of %d bytes" % (len(buf), n))
            buf += data
            self.got += data
        return bytes(buf)

    def _closed(self, kind):
        if self.close is None:
            self.close = kind
            self.closed_after = round(time.monotonic() - self.t0, 2)

    def wait_close(self):
        """Read until the proxy closes or the deadline; what came is in got."""
        while self.close is None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([self.s], [], [], left)
            if not r:
                return
            try:
                data = self.s.recv(65536)
            except ConnectionResetError:
                self._closed("rst")
                return
            if not data:
                self._closed("eof")
                return
            self.got += data

    def report(self, res):
        res["reply"] = bytes(self.got[:32]).hex()
        res["close"] = self.close or "open"
        res["closed_after"] = self.closed_after
        return res


def greeting(args):
    return b"\x05\x01\x02" if args.user else b"\x05\x01\x00"


def login(args, password=None):
    u, p = args.user.encode(), (password or args.password).encode()
    return b"\x01" + bytes([len(u)]) + u + bytes([len(p)]) + p


def read_connect_reply(c):
    rep = c.recv_exact(4)
    if rep[0] != 5 or rep[1] != 0:
        raise ValueError("CONNECT reply %s" % rep.hex())
    alen = {1: 4, 4: 16}.get(rep[3])
    if alen is None:
        alen = c.recv_exact(1)[0]
    c.recv_exact(alen + 2)


def read_auth_replies(c, args):
    m = c.recv_exact(2)
    want = b"\x05\x02" if args.user else b"\x05\x00"
    if m != want:
        raise ValueError("method reply %s, want %s" % (m.hex(), want.hex()))
    if args.user:
        a = c.recv_exact(2)
        if a != b"\x01\x00":
            raise ValueError("login reply %s" % a.hex())


def echo_rest(c, args, res):
    """--more bytes echoed, then the half-close answered by EOF."""
    data = os.urandom(args.more)
    off = 0
    while off < len(data):
        c.s.sendall(data[off:off + 65536])
        back = c.recv_exact(min(65536, len(data) - off))
        if back != data[off:off + 65536]:
            raise ValueError("echo differs at %d" % off)
        off += 65536
    c.s.shutdown(socket.SHUT_WR)
    c.got = bytearray()
    c.wait_close()
    if c.close != "eof" or c.got:
        raise ValueError("after the half-close: %s, %d more bytes" % (c.close or "open", len(c.got)))
    res["echoed"] = len(data)


def case_valid(args, target, onewrite):
    res = {"case": "onewrite" if onewrite else "valid", "target": "%s:%d" % target}
    c = Conn(args)
    try:
        req = b"\x05\x01\x00" + addr_bytes(*target)
        if onewrite:
            first = os.urandom(args.first)
            msg = greeting(args) + (login(args) if args.user else b"") + req + first
            c.s.sendall(msg)
            res["first_write"] = len(msg)
            read_auth_replies(c, args)
            read_connect_reply(c)
            if c.recv_exact(len(first)) != first:
                raise ValueError("the first data came back different")
            res["first_echoed"] = len(first)
        else:
            c.s.sendall(greeting(args))
            m = c.recv_exact(2)
            if args.user:
                if m != b"\x05\x02":
                    raise ValueError("method reply %s" % m.hex())
                c.s.sendall(login(args))
                if c.recv_exact(2) != b"\x01\x00":
                    raise ValueError("login refused")
            elif m != b"\x05\x00":
                raise ValueError("method reply %s" % m.hex())
            c.s.sendall(req)
            read_connect_reply(c)
        echo_rest(c, args, res)
        res["ok"] = True
    except Exception as e:	# pylint: disable=broad-except
        res["ok"] = False
        res["error"] = repr(e)
    res["seconds"] = round(time.monotonic() - c.t0, 2)
    c.s.close()
    return res


def case_bad(args, name, target):
    """Send the bad input, then see what the proxy answers and when it closes."""
    res = {"case": name, "target": "%s:%d" % target}
    c = Conn(args)
    hello = b"\x05\x01\x00"	# no login offered, even when one is required
    expect_prefix, expect_after = None, "margin"
    try:
        if name == "badver":
            c.s.sendall(b"\x04\x01" + struct.pack(">H", target[1]) + b"\x0a\x00\x02\x02user\x00")
            expect_prefix = b""
        elif name == "garbage":
            c.s.sendall(b"\xff" + os.urandom(63))
            expect_prefix = None	# nothing, or a failure
        elif name in ("badreq", "bind", "udp", "atyp", "truncated"):
            c.s.sendall(greeting(args))
            if args.user:
                c.recv_exact(2)
                c.s.sendall(login(args))
            c.recv_exact(2)	# the method reply, or the login's
            c.got = bytearray()
            if name == "badreq":
                c.s.sendall(b"\xff" + os.urandom(31))
            elif name == "bind":
                c.s.sendall(b"\x05\x02\x00" + addr_bytes(*target))
                expect_prefix = b"\x05\x07"
            elif name == "udp":
                c.s.sendall(b"\x05\x03\x00" + addr_bytes("0.0.0.0", 0))
                expect_prefix = b"\x05\x07"
            elif name == "atyp":
                c.s.sendall(b"\x05\x01\x00\x05" + os.urandom(6))
                expect_prefix = b"\x05\x08"
            else:
                c.s.sendall((b"\x05\x01\x00" + addr_bytes(*target))[:6])
                expect_prefix = b""
                expect_after = "timeout"
        elif name == "connfail":
            c.s.sendall(greeting(args))
            if args.user:
                c.recv_exact(2)
                c.s.sendall(login(args))
            c.recv_exact(2)
            c.got = bytearray()
            c.s.sendall(b"\x05\x01\x00" + addr_bytes(*target))
            expect_prefix = b"\x05\x01"
        elif name in ("idle", "stall"):
            c.s.sendall(greeting(args))
            if args.user:
                c.recv_exact(2)
                c.s.sendall(login(args))
            c.recv_exact(2)
            c.s.sendall(b"\x05\x01\x00" + addr_bytes(*target))
            read_connect_reply(c)
            c.s.sendall(b"ping")
            if name == "idle" and c.recv_exact(4) != b"ping":
                raise ValueError("no echo")
            c.got = bytearray()
            t_idle = time.monotonic()
            c.deadline = t_idle + args.timeout + args.margin
            expect_prefix, expect_after = b"", "timeout"
        elif name == "noauth":
            c.s.sendall(hello)
            expect_prefix = b"\x05\xff"
        elif name == "badlogin":
            c.s.sendall(b"\x05\x01\x02")
            if c.recv_exact(2) != b"\x05\x02":
                raise ValueError("method reply %s, want 0502" % bytes(c.got).hex())
            c.got = bytearray()
            c.s.sendall(login(args, password=args.password + "-wrong"))
            expect_prefix = b"\x01"
        else:
            raise ValueError("unknown case " + name)
        c.wait_close()
        if name in ("idle", "stall") and c.closed_after is not None:
            c.closed_after = round(c.closed_after - (t_idle - c.t0), 2)
        why = []
        got = bytes(c.got)
        if expect_prefix is None:
            if got and not (got[0] == 5 and len(got) >= 2 and got[1] != 0):
                why.append("sent %s" % got[:16].hex())
        elif expect_prefix == b"":
            if got:
                why.append("sent %s, want nothing" % got[:16].hex())
        elif not got.startswith(expect_prefix):
            why.append("sent %s, want %s..." % (got[:16].hex() or "nothing", expect_prefix.hex()))
        elif name == "badlogin" and (len(got) < 2 or got[1] == 0):
            why.append("login status %s, want non-zero" % got[:2].hex())
        if c.close is None:
            why.append("still open after %.1f s" % (args.timeout + args.margin))
        elif expect_after == "margin" and c.closed_after > args.margin:
            why.append("closed after %.2f s, want at once (%.1f s)" % (c.closed_after, args.margin))
        elif expect_after == "timeout" and c.closed_after < 0.9 * args.timeout:
            why.append("closed after %.2f s, before the handshake timeout %.1f s" %
                       (c.closed_after, args.timeout))
        res["ok"] = not why
        if why:
            res["why"] = "; ".join(why)
    except Exception as e:	# pylint: disable=broad-except
        res["ok"] = False
        res["error"] = repr(e)
    c.report(res)
    c.s.close()
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--proxy", required=True, help="HOST:PORT of the SOCKS5 proxy")
    ap.add_argument("--user")
    ap.add_argument("--password", default="")
    ap.add_argument("--timeout", type=float, default=3, help="the proxy's handshake timeout")
    ap.add_argument("--margin", type=float, default=3)
    ap.add_argument("--first", type=int, default=4096, help="data bytes in onewrite's first write")
    ap.add_argument("--more", type=int, default=65536, help="data bytes echoed afterwards")
    ap.add_argument("cases", nargs="+")
    args = ap.parse_args()
    rc = 0
    for spec in args.cases:
        name, _, target = spec.partition("@")
        target = hostport(target or "10.0.2.2:9000")
        if name in ("valid", "onewrite"):
            res = case_valid(args, target, name == "onewrite")
        else:
            res = case_bad(args, name, target)
        print(json.dumps(res), flush=True)
        if not res["ok"]:
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
