#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpus of the fuzz targets (corpus/NAME/*): small inputs,
one of each kind the parsers take, named for what they are. Run by
"make seeds"; the files are committed, so this runs only when seeds change."""

import ipaddress
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def ip(a, port):
    a = ipaddress.ip_address(a)
    return (b"\x01" if a.version == 4 else b"\x04") + a.packed + struct.pack("!H", port)


def name(n, port):
    return bytes([3, len(n)]) + n + struct.pack("!H", port)


ADDRS = {
    "ipv4": ip("10.0.2.2", 9000),
    "ipv4-port0": ip("10.0.2.2", 0),
    "ipv4-truncated": ip("10.0.2.2", 9000)[:4],
    "ipv4-loopback": ip("127.0.0.1", 80),
    "ipv4-own": ip("192.0.2.1", 80),
    "ipv4-unreachable": ip("198.51.100.7", 80),
    "ipv4-meta-ll": ip("169.254.169.254", 80),
    "ipv4-meta-alibaba": ip("100.100.100.200", 80),
    "ipv6": ip("fd00:2::2", 9000),
    "ipv6-port0": ip("fd00:2::2", 0),
    "ipv6-truncated": ip("fd00:2::2", 9000)[:12],
    "ipv6-mapped": ip("::ffff:127.0.0.1", 22),
    "ipv6-linklocal": ip("fe80::1", 22),
    "ipv6-meta-aws": ip("fd00:ec2::254", 80),
    "name": name(b"target.test", 9000),
    "name-port0": name(b"target.test", 0),
    "name-truncated": name(b"target.test", 9000)[:8],
    "name-empty": b"\x03\x00\x23\x28",
    "name-255": name(b"a" * 63 + b"." + b"b" * 63 + b"." + b"c" * 63 + b"." + b"d" * 63, 443),
    "name-latin1": name(b"caf\xe9.test", 80),
    "name-nul": name(b"a\x00b.test", 80),
    "name-empty-label": name(b"a..test", 80),
    "name-literal-ipv4": name(b"10.0.2.2", 9000),
    "name-literal-ipv6": name(b"fd00:2::2", 9000),
    "name-literal-mapped": name(b"::ffff:10.0.2.2", 9000),
    "name-literal-zeros": name(b"010.0.0.1", 9000),
    "type5": b"\x05" + ip("10.0.2.2", 9000)[1:],
    "answer": b"fd00:2::2, 10.0.2.2\n192.0.2.9",
}


CSID = bytes.fromhex("0123456789abcdef")


def udp_body(typ, csid, padding, rest, ts=1764800000):
    """A UDP packet's main header (padding given with its length), then rest."""
    return bytes([typ]) + struct.pack("!Q", ts) + (csid or b"") + padding + rest


# window: operations of an op byte and a u64 (window_fuzz.c): the ID is the
# u64 (ABS) or the highest ID accepted minus (BACK) or plus (AHEAD) the u64
# mod 64, 2048, 8192 or not (D64 ..), or about the window's far edge (EDGE,
# the u64's low byte - 128); then the call.
ABS, BACK, AHEAD, EDGE = range(4)
D64, D2048, D8192, DALL = (s << 2 for s in range(4))
CHECK, UPDATE, BOTH, TWICE = (c << 4 for c in range(4))
RESUME = 0x40                           # ss_window_seen_below() instead
WSIZE = 1984                            # SS_WINDOW_SIZE


def ops(*o):
    return b"".join(bytes([op]) + struct.pack("!Q", v % 2**64) for op, v in o)


def shuffled(n, seed):
    """n IDs from 100000 up, received out of order, some twice."""
    r = random.Random(seed)
    ids = [100000 + i for i in range(n)]
    r.shuffle(ids)
    return ops(*((ABS | BOTH, i) for i in ids + ids[:n // 8]))


WINDOW = {
    "empty": b"",
    "in-order": ops(*((ABS | BOTH, i) for i in range(8))),
    "replay": ops((ABS | UPDATE, 5), (ABS | TWICE, 5), (ABS | CHECK, 5)),
    "zero-first": ops((ABS | TWICE, 0), (AHEAD | D64 | BOTH, 1)),
    # 10000 then IDs across the far edge: 10000 - 1984 is out, - 1983 in
    "edge": ops((ABS | UPDATE, 10000),
                *((EDGE | BOTH, 128 + k) for k in (-1, 0, 1, 2, 63, 64, 65))),
    "edge-check": ops((ABS | UPDATE, 10000),
                      *((ABS | CHECK, 10000 - WSIZE + k) for k in (-1, 0, 1))),
    "back": ops((ABS | UPDATE, 5000),
                *((BACK | D2048 | BOTH, d) for d in (1, 63, 64, 65, 1983, 1984))),
    # the highest ID moves within its word, then across words, then past
    # the whole ring: old IDs of the same ring slot must not count as seen
    "ahead": ops((ABS | UPDATE, 64 * 100 + 3),
                 *((AHEAD | D64 | BOTH, d) for d in (1, 60, 0, 63)),
                 (AHEAD | D2048 | BOTH, 64 * 31),
                 (AHEAD | D8192 | BOTH, 64 * 32),
                 (BACK | D64 | CHECK, 1)),
    "ring-slot": ops((ABS | UPDATE, 64 * 40 + 7), (ABS | UPDATE, 64 * 72 + 1),
                     (ABS | CHECK, 64 * 72 + 7), (ABS | BOTH, 64 * 41 + 7)),
    "jump-far": ops((ABS | UPDATE, 1), (ABS | BOTH, 2**63),
                    (ABS | BOTH, 1), (BACK | DALL | BOTH, 2**62)),
    "max": ops((ABS | BOTH, 2**64 - 1), (ABS | BOTH, 2**64 - 2),
               (ABS | BOTH, 2**64 - 1), (BACK | D64 | BOTH, 1)),
    "wrap-back": ops((ABS | UPDATE, 3), (BACK | D64 | BOTH, 10)),
    "shuffled": shuffled(300, 2022),
    # a session going on where an ended one stopped: at a word's first ID,
    # inside a word, at 0, at the last ID; then IDs either side
    "resume": ops((ABS | UPDATE, 500), (ABS | RESUME, 64 * 20),
                  (BACK | D64 | BOTH, 1), (AHEAD | D64 | BOTH, 1),
                  (BACK | D64 | BOTH, 1), (ABS | RESUME, 64 * 30 + 5),
                  (AHEAD | D64 | BOTH, 0), (BACK | D64 | BOTH, 0),
                  (AHEAD | D64 | BOTH, 3), (BACK | D64 | BOTH, 1),
                  (ABS | RESUME, 0), (ABS | BOTH, 0),
                  (ABS | RESUME, 2**64 - 1), (BACK | D64 | BOTH, 1)),
}


# acl: operations building SS_A_ACL nests and the questions to ask
# (acl_fuzz.c): an op byte, its flags F in the high nibble
NEST, OTHER, IPV4, IPV6, HOST, DOMAIN, RULES, BULK4, BULK6, Q4, Q6, QNAME = range(12)
FAIL = 15                               # F: which allocation fails
RAW = 0x40                              # IPV4, IPV6: records as they are


def net(a, prefix, pad=b"\0\0\0"):
    n = ipaddress.ip_address(a)
    return n.packed + bytes([prefix]) + pad


def nets(kind, *recs, f=0, raw=True):
    return bytes([kind | f << 4, len(recs) | (RAW if raw else 0)]) + b"".join(recs)


def aname(kind, n, nul=True):
    """a name rule as it is (F&2), NUL-terminated (F&4) or not"""
    return bytes([kind | (6 if nul else 2) << 4, len(n)]) + n


def q4(a):
    return bytes([Q4]) + ipaddress.ip_address(a).packed


def q6(a):
    return bytes([Q6]) + ipaddress.ip_address(a).packed


def qname(n):
    return bytes([QNAME, len(n)]) + n


def bulk4(n, a, prefix, f=1):
    return bytes([BULK4 | f << 4]) + struct.pack("!H", n) + \
        ipaddress.ip_address(a).packed + bytes([prefix])


LIBEV = (nets(IPV4, net("127.0.0.0", 8), net("10.0.0.0", 8), net("192.168.0.0", 16)) +
         nets(IPV6, net("::1", 128), net("fc00::", 7), net("::ffff:127.0.0.1", 104)) +
         aname(HOST, b"localhost") + aname(DOMAIN, b"example.com") +
         q4("127.0.0.1") + q4("11.0.0.1") + q6("::1") + q6("::ffff:10.1.2.3") +
         q6("fe80::1") + qname(b"www.example.com") + qname(b"EXAMPLE.COM.") +
         qname(b"notexample.com") + qname(b"localhost.") + qname(b"x.localhost"))

ACL = {
    "empty": b"",
    "empty-nest": bytes([NEST]),
    "libev-list": LIBEV,
    "two-nests": (nets(IPV4, net("203.0.113.0", 24)) + bytes([OTHER, 3]) + b"key" +
                  aname(DOMAIN, b"test") + bytes([NEST | 1 << 4]) + aname(HOST, b"a.b")),
    "key-only": bytes([OTHER, 4]) + b"key!",
    "net-byteorder": nets(IPV4, net("198.51.100.0", 24), f=1) + bytes([NEST | 2 << 4]) +
                     bytes([HOST | 7 << 4, 3]) + b"a-b",
    # host bits set, overlapping, adjacent, nested and the ends of the space
    "merge4": (nets(IPV4, net("10.1.2.3", 9), net("10.128.0.0", 9), net("10.0.0.0", 16),
                    net("11.0.0.0", 32), net("0.0.0.0", 1), net("255.255.255.255", 32),
                    net("128.0.0.0", 1), net("1.2.3.4", 0)) + q4("12.0.0.0")),
    "merge6": (nets(IPV6, net("::ffff:ffff:ffff:ffff", 128), net("0:0:0:1::", 128),
                    net("2001:db8::1", 32), net("2001:db8:8000::", 33),
                    net("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128), net("::", 1),
                    net("8000::", 1), net("::ffff:0:0", 96)) + q4("10.0.0.1")),
    "mapped": (nets(IPV6, net("::ffff:192.0.2.0", 120)) + nets(IPV4, net("198.51.100.0", 24)) +
               q4("192.0.2.7") + bytes([Q6 | 1 << 4]) + bytes([198, 51, 100, 1])),
    "prefix-33": nets(IPV4, net("10.0.0.0", 33)),
    "prefix-129": nets(IPV6, net("::", 129)),
    "padding4": nets(IPV4, net("10.0.0.0", 8, b"\0\1\0")),
    "padding6": nets(IPV6, net("::", 8, b"\0\0\1")),
    "record-short4": bytes([IPV4 | 2 << 4, 1 | RAW]) + net("10.0.0.0", 8),
    "record-short6": bytes([IPV6 | 14 << 4, 2 | RAW]) + net("::", 8) + net("::1", 128),
    "record-none": bytes([IPV4, RAW]),
    "name-trailing-dot": aname(DOMAIN, b"example.com."),
    "name-no-nul": aname(HOST, b"example.com", nul=False),
    "name-nul-inside": aname(HOST, b"a.example\0junk!"),
    "name-empty": aname(HOST, b""),
    "name-empty-label": aname(DOMAIN, b"a..b"),
    "name-latin1": aname(DOMAIN, b"caf\xe9.test"),
    "name-253": aname(DOMAIN, (b"a" * 63 + b".") * 3 + b"b" * 61) + qname(b"x." + (b"A" * 63 + b".") * 3 + b"b" * 61),
    "name-254": aname(DOMAIN, (b"a" * 63 + b".") * 3 + b"b" * 62),
    "rules-attr": nets(IPV4, net("10.0.0.0", 8)) + bytes([RULES]) + struct.pack("!I", 1),
    # made-valid names, each under the one before (F&8)
    "nested-names": (bytes([DOMAIN, 3, 4, 23, 12]) + bytes([HOST | 8 << 4, 3, 22, 22, 22]) +
                     bytes([DOMAIN | 8 << 4, 1, 0]) + bytes([QNAME | 1 << 4, 5]) + b"b.ExE"),
    "bad-then-valid": nets(IPV4, net("10.0.0.0", 40)) + LIBEV,
    # SS_ACL_MAX_RULES exactly, then one more; then over it before a bad one
    "max-rules": b"".join(bulk4(8190, "10.%d.0.0" % i, 24) for i in range(8)) +
                 nets(IPV4, *(net("192.0.2.%d" % i, 32) for i in range(16))),
    "max-rules-plus-one": b"".join(bulk4(8190, "10.%d.0.0" % i, 24) for i in range(8)) +
                          nets(IPV4, *(net("192.0.2.%d" % i, 32) for i in range(17))),
    "e2big-then-bad": b"".join(bulk4(8190, "0.0.0.0", 32, f=0) for i in range(9)) +
                      nets(IPV4, net("10.0.0.0", 40)),
    # each allocation of a list of every kind failing in turn
    **{"nomem-%d" % k: LIBEV + bytes([FAIL | k << 4]) for k in range(1, 7)},
    # with allow-local on, the unspecified addresses are loopback's
    "unspecified": (nets(IPV4, net("127.0.0.0", 8)) + nets(IPV6, net("::1", 128)) +
                    q4("0.0.0.0") + q6("::") + q6("::ffff:0.0.0.0") + q6("::2")),
    "unspecified-v6-rule": (nets(IPV6, net("::ffff:127.0.0.0", 104)) + q4("0.0.0.0") +
                            q6("::")),
    # a target of many labels against a shallow and a deep domain rule
    "labels": (aname(DOMAIN, b"b.c") + aname(DOMAIN, b"a.b.c.d.e.f") +
               qname(b"x." * 100 + b"b.c") + qname(b"x." * 100 + b"a.b.c.d.e.f") +
               qname(b"x." * 100 + b"b.d")),
    # IPv4 literals are no names: each refused, the first bad one named
    "name-ipv4": aname(HOST, b"10.0.0.1") + aname(DOMAIN, b"1.2.3.4"),
    "name-ipv4-zeros": aname(DOMAIN, b"010.000.000.001"),
    "name-digits": (aname(DOMAIN, b"1.2.3") + aname(HOST, b"1.2.3.4.5") +
                    aname(HOST, b"1.2.3.256") + qname(b"x.1.2.3")),
    "bulk6": bytes([BULK6 | 2 << 4]) + struct.pack("!H", 3276) +
             ipaddress.ip_address("2001:db8::").packed + bytes([112]) + q6("2001:db8::1"),
}


def write(corpus, items):
    d = os.path.join(HERE, "corpus", corpus)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    for k, v in items.items():
        with open(os.path.join(d, k), "wb") as f:
            f.write(v)


def main():
    write("addr", ADDRS)
    udp = {k: v + b"ping" for k, v in ADDRS.items() if k != "answer"}
    udp["no-payload"] = ADDRS["ipv4"]
    udp["empty"] = b""
    udp.update({"socks5-" + k: b"\0\0\0" + ADDRS[k] + b"ping"
                for k in ("ipv4", "ipv6", "name", "ipv4-port0")})
    udp["socks5-frag"] = b"\0\0\1" + ADDRS["ipv4"] + b"ping"
    udp["socks5-rsv"] = b"\1\0\0" + ADDRS["ipv4"] + b"ping"
    write("udp", udp)
    write("chunk", {
        "one": b"\x00\x04ping",
        "two": b"\x00\x04ping\x00\x05 pong",
        "max": b"\x3f\xff" + bytes(range(256)) * 8,	# the rest to come
        "over": b"\x40\x00" + bytes(16),
        "zero": b"\x00\x00ping",
        "reserved": b"\xc0\x04ping",
        "after-bad": b"\x00\x01x\xff\xff",
    })
    now = struct.pack("!Q", 1764800000)

    def req(var, typ=0, ts=1764800000, n=None):
        n = len(var) if n is None else n
        return bytes([typ]) + struct.pack("!QH", ts, n) + now + var
    pad = struct.pack("!H", 16) + bytes(16)
    write("sip022", {
        "ipv4-padding": req(ADDRS["ipv4"] + pad),
        "ipv6-payload": req(ADDRS["ipv6"] + b"\0\0GET / HTTP/1.1\r\n"),
        "name-both": req(ADDRS["name"] + pad + b"ping"),
        "neither": req(ADDRS["ipv4"] + b"\0\0"),
        "padding-900": req(ADDRS["ipv4"] + struct.pack("!H", 900) + bytes(900)),
        "padding-901": req(ADDRS["ipv4"] + struct.pack("!H", 901) + bytes(901)),
        "padding-past": req(ADDRS["ipv4"] + struct.pack("!H", 32) + bytes(8)),
        "address-past": req(ADDRS["ipv6"][:10]),
        "response-type": req(ADDRS["ipv4"] + pad, typ=1),
        "length-0": req(b"", n=0),
        "stale": req(ADDRS["ipv4"] + pad, ts=1764800000 - 31),
        "ahead": req(ADDRS["ipv4"] + pad, ts=1764800000 + 30),
        "ts-max": req(ADDRS["ipv4"] + pad, ts=2**64 - 1),
        # UDP: a packet's body, then the client session ID to quote
        "udp-client": udp_body(0, None, pad, ADDRS["ipv4"] + b"ping") + CSID,
        "udp-client-no-padding": udp_body(0, None, b"\0\0", ADDRS["name"]) + CSID,
        "udp-server": udp_body(1, CSID, pad, ADDRS["ipv6"] + b"pong") + CSID,
        "udp-server-other-id": udp_body(1, CSID, pad, ADDRS["ipv4"]) + CSID[::-1],
        "udp-server-padding-past": udp_body(1, CSID, struct.pack("!H", 64) + bytes(8), b"") + CSID,
        "udp-server-padding-end": udp_body(1, CSID, struct.pack("!H", 8) + bytes(8), b"") + CSID,
        "udp-server-short": udp_body(1, CSID, b"\0\0", b"")[:18] + CSID,
        "udp-client-short": b"\0" + bytes(9) + CSID,
        "udp-type2": udp_body(2, None, pad, ADDRS["ipv4"]) + CSID,
    })
    write("window", WINDOW)
    write("acl", ACL)
    # ss:// links: SIP002's own examples, the older form, IPv6, a query
    write("link", {
        "sip002-example1": b"ss://YWVzLTEyOC1nY206dGVzdA@192.168.100.1:8888#Example1",
        "sip002-example2": b"ss://cmM0LW1kNTpwYXNzd2Q@192.168.100.1:8888/"
                           b"?plugin=obfs-local%3Bobfs%3Dhttp#Example2",
        "sip002-example3": b"ss://2022-blake3-aes-256-gcm:YctPZ6U7xPPcU%2Bgp3u%2B0tx%2F"
                           b"tRizJN9K8y%2BuKlW2qjlI%3D@192.168.100.1:8888#Example3",
        "legacy-ipv6": b"ss://YWVzLTI1Ni1nY206cGFzc0BbOjoxXTo4Mzg4#old",
        "plain-ipv6-query": b"ss://aes-256-gcm:x@[2001:db8::1]:8388/"
                            b"?a=b&plugin=v2ray-plugin%3Bserver&c#t%20a",
        # a method with an encoded ':', which no written link can carry
        # (found by the fuzzer, CI of stop 30)
        "method-colon": b"ss://s%3Aess://cM1kFTpwYXzd2Q@192.1:8888/?plu%agein=",
        "password-at": b"ss://aes-256-gcm:p@ss@203.0.113.5:8388",
        "base64-pct-padding": b"ss://YWVzLTEyOC1nY206cGFzcw%3D%3D@192.0.2.1:8388",
    })


if __name__ == "__main__":
    main()
