#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A server's egress ACL (SS_A_ACL) by hand: netlink requests ssctl never
sends, and UDP to many targets at once through a server.

usage: acl_tool.py netlink --port PORT [--name NAME]
       acl_tool.py udp --server HOST:PORT --method M --password PW
                       [--count N] [--wait S] [--retries R] CASE@TARGET ...

Each prints one JSON line per case ({"case", "ok", ...}) and exits 0 iff
every case is ok.

netlink: run as root in a netns where no server is called NAME (default
"aclnl") and nothing listens on PORT. Each case asks for a server NAME on
PORT (aes-256-gcm, a random key) with SS_A_ACL nests of its own.

  refusals: records of a bad length (IPv4 0, 7 and 12 bytes, IPv6 19), an
    IPv4 prefix of 33, an IPv6 prefix of 129, non-zero padding (IPv4,
    IPv6), a bad record in the second SS_A_ACL of a request, a host and a
    domain with a trailing dot, names with a space, a '*', an empty label,
    IPv4 addresses as a host and as a domain, nothing at all, no NUL, 254 bytes, 255 bytes (the policy's), an
    SS_A_ACL with no rule, SS_ACL_A_RULES in a request, and
    SS_ACL_MAX_RULES + 1 (65537) rules: each with the errno and the extack
    message the module gives, and no server NAME afterwards
  accepted: a list of every kind (overlapping, unsorted networks with host
    bits set, names in upper case, several IPv4 attributes), names only,
    two SS_A_ACL nests, and SS_ACL_MAX_RULES (65536) networks in 9 nests:
    the server's SS_ACL_A_RULES is the number of rules sent. Each server
    is deleted again.

  One SS_A_ACL holds at most 8190 IPv4 networks (an attribute's length is
  16 bits): a longer list comes as several, which make one ACL.

udp: every case at once, each from a socket of its own (its own
association), so that the refused ones cost one --wait in all:

  echo@TARGET    --count datagrams (1..1400 random bytes) to TARGET
                 (HOST:PORT, [IPv6]:PORT or NAME:PORT) through the
                 Shadowsocks server, one after the other; each reply must
                 carry the payload and come from the target (the same IP
                 and port for an IP target, the port for a name). One
                 unanswered after --wait seconds is sent again (a new
                 salt), up to --retries times.
  drop@TARGET    exactly one datagram to TARGET through the server: no
                 answer may come within --wait seconds
  plain-echo@HOST:PORT, plain-drop@HOST:PORT
                 the same as plain UDP to HOST:PORT (an ss-tunnel -U in
                 front of the server), no Shadowsocks of our own
"""

import argparse
import errno
import ipaddress
import json
import os
import re
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from socks_addr import parse_addr, socks_addr, split_hostport  # noqa: E402
from genl import (Genl, attr, attrs, strz, u16, u32, uapi_dir,  # noqa: E402
                  A_NAME, A_PORT, A_METHOD, A_KEY, A_ACL,
                  ACL_A_IPV4, ACL_A_IPV6, ACL_A_HOST, ACL_A_DOMAIN,
                  ACL_A_RULES, CMD_SERVER_NEW, CMD_SERVER_GET,
                  CMD_SERVER_DEL, METHOD_AES_256_GCM)

SOL_NETLINK, NETLINK_CAP_ACK = 270, 10
SO_SNDBUFFORCE, SO_RCVBUFFORCE = 32, 33

MSG_LEN4 = "IPv4 networks are records of 8 bytes"
MSG_LEN6 = "IPv6 networks are records of 20 bytes"
MSG_NET4 = "an IPv4 network's prefix is 0..32, its padding zero"
MSG_NET6 = "an IPv6 network's prefix is 0..128, its padding zero"
MSG_NAME = ("a name rule is a domain name of letters, digits, '-', '_' and "
            "dots, without a trailing dot")
MSG_LITERAL = "an IPv4 address is a network rule (SS_ACL_A_IPV4 with prefix 32), not a name"
MSG_RULES = "rules is a reply attribute"
MSG_EMPTY = "an ACL with no rule"


def max_rules():
    with open(os.path.join(uapi_dir(), "shadowsocks.h")) as f:
        return int(re.search(r"#define\s+SS_ACL_MAX_RULES\s+(\d+)", f.read()).group(1))


def net4(addr, prefix, pad=b"\0\0\0"):
    return socket.inet_pton(socket.AF_INET, addr) + bytes([prefix]) + pad


def net6(addr, prefix, pad=b"\0\0\0"):
    return socket.inet_pton(socket.AF_INET6, addr) + bytes([prefix]) + pad


def nest(t, body):
    return attr(t | 0x8000, b"".join(body))	# NLA_F_NESTED


class Cases:
    def __init__(self, args):
        self.nl = Genl()
        sk = self.nl.sk
        # 65537 records are half a megabyte: past the default buffers;
        # the ACK without the request in it
        sk.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 8 << 20)
        sk.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
        sk.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.name, self.port = args.name, args.port
        self.key = os.urandom(32)
        self.results = []
        self.t0 = time.monotonic()

    def new(self, acl_attrs):
        body = [strz(A_NAME, self.name), u16(A_PORT, self.port),
                u32(A_METHOD, METHOD_AES_256_GCM), attr(A_KEY, self.key)]
        return self.nl.request(CMD_SERVER_NEW, body + acl_attrs)[:2]

    def rules(self):
        """(errno of GET NAME, SS_ACL_A_RULES or None)"""
        err, _, msgs = self.nl.request(CMD_SERVER_GET, [strz(A_NAME, self.name)])
        if err or not msgs:
            return err, None
        for t, d in attrs(msgs[0][4:]):
            if t == A_ACL:
                for at, ad in attrs(d):
                    if at == ACL_A_RULES:
                        return 0, struct.unpack("I", ad[:4])[0]
        return 0, None

    def delete(self):
        return self.nl.request(CMD_SERVER_DEL, [strz(A_NAME, self.name)])[0]

    def report(self, res):
        now = time.monotonic()
        res["seconds"] = round(now - self.t0, 2)
        self.t0 = now
        self.results.append(res)
        print(json.dumps(res), flush=True)

    def refused(self, desc, acl_attrs, want_errno, want_msg):
        """want_errno: an errno or a tuple of them; want_msg: the extack
        message, a regular expression (re.search), or None for any"""
        err, msg = self.new(acl_attrs)
        get_err, rules = self.rules()
        created = get_err == 0
        if created:
            self.delete()
        errs = want_errno if isinstance(want_errno, tuple) else (want_errno,)
        ok = err in errs and not created and \
            (want_msg is None or (msg == want_msg if isinstance(want_msg, str)
                                  else bool(want_msg.search(msg))))
        res = {"case": desc, "ok": ok, "errno": errno.errorcode.get(err, err),
               "extack": msg, "created": created}
        if created:
            res["rules"] = rules
        if not ok:
            res["want"] = {"errno": [errno.errorcode.get(e, e) for e in errs],
                           "extack": want_msg if isinstance(want_msg, str) or want_msg is None
                           else want_msg.pattern, "created": False}
        self.report(res)

    def accepted(self, desc, acl_attrs, want_rules):
        err, msg = self.new(acl_attrs)
        get_err, rules = self.rules()
        ok = err == 0 and get_err == 0 and rules == want_rules
        res = {"case": desc, "ok": ok, "errno": errno.errorcode.get(err, err),
               "extack": msg, "rules": rules, "want_rules": want_rules}
        if get_err == 0:
            del_err = self.delete()
            gone = self.rules()[0] == errno.ENOENT
            res["deleted"] = del_err == 0 and gone
            res["ok"] = ok and res["deleted"]
        self.report(res)


def mode_netlink(args):
    c = Cases(args)
    ok4 = net4("10.0.0.0", 8)
    ok6 = net6("fd00::", 8)
    R = lambda *a: [nest(A_ACL, list(a))]  # noqa: E731

    c.refused("an empty IPv4 attribute: EINVAL", R(attr(ACL_A_IPV4, b"")),
              errno.EINVAL, MSG_LEN4)
    c.refused("an IPv4 attribute of 7 bytes: EINVAL", R(attr(ACL_A_IPV4, ok4[:7])),
              errno.EINVAL, MSG_LEN4)
    c.refused("an IPv4 attribute of 12 bytes (a record and a half): EINVAL",
              R(attr(ACL_A_IPV4, ok4 + ok4[:4])), errno.EINVAL, MSG_LEN4)
    c.refused("an IPv6 attribute of 19 bytes: EINVAL", R(attr(ACL_A_IPV6, ok6[:19])),
              errno.EINVAL, MSG_LEN6)
    c.refused("an IPv4 prefix of 33 (after a good record): EINVAL",
              R(attr(ACL_A_IPV4, ok4 + net4("10.1.0.0", 33))), errno.EINVAL, MSG_NET4)
    c.refused("an IPv6 prefix of 129: EINVAL", R(attr(ACL_A_IPV6, net6("fd00:1::", 129))),
              errno.EINVAL, MSG_NET6)
    c.refused("an IPv4 record with non-zero padding: EINVAL",
              R(attr(ACL_A_IPV4, net4("10.0.0.0", 8, b"\0\0\1"))), errno.EINVAL, MSG_NET4)
    c.refused("an IPv6 record with non-zero padding: EINVAL",
              R(attr(ACL_A_IPV6, net6("fd00::", 8, b"\1\0\0"))), errno.EINVAL, MSG_NET6)
    c.refused("a good SS_A_ACL, then one with a prefix of 33: EINVAL",
              R(attr(ACL_A_IPV4, ok4), strz(ACL_A_HOST, "a.example")) +
              R(attr(ACL_A_IPV4, net4("10.1.0.0", 33))), errno.EINVAL, MSG_NET4)
    c.refused("a host with a trailing dot (example.com.): EINVAL",
              R(strz(ACL_A_HOST, "example.com.")), errno.EINVAL, MSG_NAME)
    c.refused("a domain with a trailing dot (example.com.): EINVAL",
              R(strz(ACL_A_DOMAIN, "example.com.")), errno.EINVAL, MSG_NAME)
    c.refused("a host with a space: EINVAL", R(strz(ACL_A_HOST, "exa mple.com")),
              errno.EINVAL, MSG_NAME)
    c.refused("a domain with a '*' (*.example.com): EINVAL",
              R(strz(ACL_A_DOMAIN, "*.example.com")), errno.EINVAL, MSG_NAME)
    c.refused("a domain with an empty label (a..com): EINVAL",
              R(strz(ACL_A_DOMAIN, "a..com")), errno.EINVAL, MSG_NAME)
    c.refused("a host that is an IPv4 address (10.0.0.1): EINVAL",
              R(strz(ACL_A_HOST, "10.0.0.1")), errno.EINVAL, MSG_LITERAL)
    c.refused("a domain that is an IPv4 address with leading zeros (010.0.0.01): EINVAL",
              R(strz(ACL_A_DOMAIN, "010.0.0.01")), errno.EINVAL, MSG_LITERAL)
    c.refused("an empty host: EINVAL", R(strz(ACL_A_HOST, "")), errno.EINVAL, MSG_NAME)
    c.refused("a host without its NUL: EINVAL", R(attr(ACL_A_HOST, b"example.com")),
              errno.EINVAL, MSG_NAME)
    c.refused("a host of 254 bytes: EINVAL",
              R(strz(ACL_A_HOST, ("a" * 62 + ".") * 4 + "ab")), errno.EINVAL, MSG_NAME)
    c.refused("a domain of 255 bytes: refused by the policy",
              R(strz(ACL_A_DOMAIN, ("a" * 62 + ".") * 4 + "abc")),
              (errno.EINVAL, errno.ERANGE), None)
    c.refused("an SS_A_ACL with no rule: EINVAL", R(), errno.EINVAL, MSG_EMPTY)
    c.refused("SS_ACL_A_RULES in a request: EINVAL",
              R(attr(ACL_A_IPV4, ok4), u32(ACL_A_RULES, 1)), errno.EINVAL, MSG_RULES)

    # one SS_A_ACL holds at most (65535 - 4 - 4) / 8 = 8190 IPv4 records
    per = (0xffff - 8) // 8
    top = max_rules()
    recs = [struct.pack("!I", 0x14000000 + (i << 8)) + b"\x18\0\0\0" for i in range(top + 1)]

    def nests(n):
        return [nest(A_ACL, [attr(ACL_A_IPV4, b"".join(recs[i:min(i + per, n)]))])
                for i in range(0, n, per)]
    c.refused("%d rules (SS_ACL_MAX_RULES + 1, in %d SS_A_ACL): E2BIG"
              % (top + 1, len(nests(top + 1))), nests(top + 1), errno.E2BIG,
              re.compile(r"at most %d rules" % top))

    # accepted: every kind, overlapping and unsorted, host bits set
    body = [attr(ACL_A_IPV4, net4("10.9.0.7", 16) + net4("10.0.0.0", 8) + net4("192.0.2.1", 32)),
            attr(ACL_A_IPV6, net6("fd00:9::1", 64) + net6("fd00::", 16) + net6("::", 0)),
            attr(ACL_A_IPV4, net4("10.9.0.0", 16) + net4("0.0.0.0", 0)),
            strz(ACL_A_HOST, "Raw.Example.TEST"), strz(ACL_A_HOST, "raw.example.test"),
            strz(ACL_A_DOMAIN, "example.org"), strz(ACL_A_DOMAIN, "x_y-z.Example.org")]
    c.accepted("every kind, overlapping, unsorted, host bits set, upper case: "
               "created, SS_ACL_A_RULES = the 12 rules sent", R(*body), 12)
    c.accepted("names only (a host, a domain): created, 2 rules",
               R(strz(ACL_A_HOST, "a.b"), strz(ACL_A_DOMAIN, "c")), 2)
    c.accepted("names of digits that are no IPv4 address (1.2.3, 1.2.3.4.5): created, 2 rules",
               R(strz(ACL_A_DOMAIN, "1.2.3"), strz(ACL_A_HOST, "1.2.3.4.5")), 2)
    c.accepted("two SS_A_ACL (networks, then names): created, 3 rules",
               R(attr(ACL_A_IPV4, ok4), attr(ACL_A_IPV6, ok6)) + R(strz(ACL_A_DOMAIN, "c")), 3)
    c.accepted("the largest SS_A_ACL there can be (%d IPv4 networks, %d bytes): "
               "created, %d rules" % (per, 8 + 8 * per, per), nests(per), per)
    c.accepted("SS_ACL_MAX_RULES (%d) networks in %d SS_A_ACL: created, %d rules"
               % (top, len(nests(top)), top), nests(top), top)
    return 0 if all(r["ok"] for r in c.results) else 1


class UdpCase:
    """One case of the udp mode: its socket and where it stands."""

    def __init__(self, a, spec, udp):
        self.spec = spec
        kind, _, target = spec.partition("@")
        if kind not in ("echo", "drop", "plain-echo", "plain-drop"):
            raise ValueError("unknown case %s" % spec)
        self.plain = kind.startswith("plain-")
        self.echo = kind.endswith("echo")
        self.want = a.count if self.echo else 0
        self.retries = a.retries if self.echo else 0
        self.wait = a.wait
        self.udp = udp
        self.host, self.port = split_hostport(target)
        dest = target if self.plain else a.server
        h, p = split_hostport(dest)
        fam = socket.AF_INET6 if ":" in h else socket.AF_INET
        self.s = socket.socket(fam, socket.SOCK_DGRAM)
        self.s.connect((h, p))
        if not self.plain:
            self.addr = socks_addr(self.host, self.port)
            self.ip = str(ipaddress.ip_address(self.host)) if self.addr[0] != 3 else None
        self.got = self.sent = self.answered = self.bad = 0
        self.payload = None
        self.done = False

    def send(self, new):
        if new:
            self.payload = os.urandom(int.from_bytes(os.urandom(2), "big") % 1400 + 1)
            self.tries = 0
        else:
            self.tries += 1
        data = self.payload if self.plain else self.udp.seal(self.addr + self.payload)
        self.s.send(data)
        self.sent += 1
        self.deadline = time.monotonic() + self.wait

    def receive(self):
        data = self.s.recv(1 << 16)
        self.answered += 1
        if not self.echo:
            return
        if not self.plain:
            try:
                plain = self.udp.open(data)
                h, p, alen = parse_addr(plain)
            except Exception:  # noqa: BLE001
                self.bad += 1
                return
            if p != self.port or (self.ip and h != self.ip):
                self.bad += 1
                return
            data = plain[alen:]
        if data != self.payload:
            return	# a late answer to an earlier datagram
        self.got += 1
        if self.got == self.want:
            self.done = True
        else:
            self.send(True)

    def expired(self):
        if self.echo and self.tries < self.retries:
            self.send(False)
        else:
            self.done = True

    def result(self):
        ok = self.got == self.want and not self.bad and (self.echo or not self.answered)
        return {"case": self.spec, "ok": ok, "sent": self.sent, "answered": self.answered,
                "echoed": self.got, "bad": self.bad}


def mode_udp(a):
    from ss_udp import Udp  # (imports the cryptography package)
    udp = Udp(a.method, a.password) if a.server else None
    cases = [UdpCase(a, spec, udp) for spec in a.cases]
    for c in cases:
        c.send(True)
    while not all(c.done for c in cases):
        live = [c for c in cases if not c.done]
        left = max(0.0, min(c.deadline for c in live) - time.monotonic())
        ready, _, _ = select.select([c.s for c in live], [], [], left)
        for c in live:
            if c.s in ready:
                try:
                    c.receive()
                except OSError:
                    c.bad += 1	# e.g. ICMP unreachable: no echo
        now = time.monotonic()
        for c in live:
            if not c.done and now >= c.deadline:
                c.expired()
    results = [c.result() for c in cases]
    for r in results:
        print(json.dumps(r), flush=True)
    return 0 if all(r["ok"] for r in results) else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    n = sub.add_parser("netlink")
    n.add_argument("--port", type=int, required=True)
    n.add_argument("--name", default="aclnl")
    u = sub.add_parser("udp")
    u.add_argument("--server", help="HOST:PORT of the Shadowsocks server (echo, drop)")
    u.add_argument("--method")
    u.add_argument("--password")
    u.add_argument("--count", type=int, default=5)
    u.add_argument("--wait", type=float, default=1.5)
    u.add_argument("--retries", type=int, default=3)
    u.add_argument("cases", nargs="+", metavar="CASE@TARGET")
    args = ap.parse_args()
    return mode_netlink(args) if args.mode == "netlink" else mode_udp(args)


if __name__ == "__main__":
    sys.exit(main())
