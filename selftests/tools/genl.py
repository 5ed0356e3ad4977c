# SPDX-License-Identifier: GPL-2.0
"""The shadowsocks generic netlink family by hand, for the tests that must
send what ssctl never would (raw attributes, descriptors of their own).

The numbers are read from uapi/linux/shadowsocks_genl.h (generated from
the YAML spec) and shadowsocks.h themselves (append-only): each enumerator SS_X of its enums is X
here (CMD_CLIENT_NEW, A_NAME, METHOD_AES_256_GCM, MODE_UDP_ONLY,
STATS_A_BYTES_IN, ...), so no test writes an attribute number by hand.

    nl = Genl()                         # resolves the family
    err, extack, msgs = nl.request(CMD_CLIENT_NEW, [strz(A_NAME, "c"), ...])
"""

import os
import re
import socket
import struct

NETLINK_GENERIC, SOL_NETLINK, NETLINK_EXT_ACK = 16, 270, 11
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3


UAPI_HEADERS = ("shadowsocks.h", "shadowsocks_genl.h")


def uapi_dir():
    """The tree's uapi/linux, or copies of its headers beside this file (the
    tests that run the tools as another user run copies of them)."""
    here = os.path.dirname(os.path.abspath(__file__))
    for path in (here, os.path.join(here, "..", "..", "uapi", "linux")):
        if all(os.path.exists(os.path.join(path, h)) for h in UAPI_HEADERS):
            return path
    raise FileNotFoundError("uapi/linux/%s: neither beside %s nor in the "
                            "tree" % (" and ".join(UAPI_HEADERS), here))


def uapi_enums(path=None):
    """{name without "SS_": value} of every enumerator of the headers' enums
    (an enumerator's value is the one before it plus one, or its "= N")."""
    text = ""
    for h in UAPI_HEADERS:
        with open(os.path.join(path or uapi_dir(), h)) as f:
            text += re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    values = {}
    for body in re.findall(r"\benum\s+\w+\s*\{(.*?)\}", text, re.S):
        v = -1
        for item in body.split(","):
            m = re.match(r"\s*(\w+)\s*(?:=\s*(\w+))?\s*$", item)
            if not m:
                continue
            v = int(m.group(2), 0) if m.group(2) else v + 1
            if m.group(1).startswith("SS_"):
                values[m.group(1)[3:]] = v
    return values


globals().update(uapi_enums())

NETLINK_ADD_MEMBERSHIP = 1
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_MCAST_GROUPS = 1, 7

METHOD_AES_256_GCM = 3


def attr(t, data):
    n = 4 + len(data)
    return struct.pack("HH", n, t) + data + b"\0" * (-n % 4)


def attrs(b):
    """(type, payload) of each attribute in b"""
    i = 0
    while i + 4 <= len(b):
        n, t = struct.unpack_from("HH", b, i)
        if n < 4:
            break
        yield t & 0x3fff, b[i + 4:i + n]
        i += (n + 3) & ~3


def u32(t, v):
    return attr(t, struct.pack("I", v))


def u16(t, v):
    return attr(t, struct.pack("H", v))


def strz(t, s):
    return attr(t, s.encode() + b"\0")


def v4addr(host, port):
    """A SOCKS5 address: ATYP 1, IPv4, port"""
    return b"\x01" + socket.inet_aton(host) + struct.pack("!H", port)


class Genl:
    """One netlink socket, extended ACKs on, the family resolved."""

    def __init__(self, family="shadowsocks"):
        self.sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                NETLINK_GENERIC)
        self.sk.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sk.bind((0, 0))
        self.seq = 0
        err, _, msgs = self.request(CTRL_CMD_GETFAMILY,
                                    [strz(2, family)], family=GENL_ID_CTRL)
        if err:
            raise OSError(err, "cannot resolve the generic netlink family")
        self.groups = {}
        for t, d in attrs(msgs[0][4:]):
            if t == CTRL_ATTR_FAMILY_ID:
                self.family = struct.unpack("H", d[:2])[0]
            elif t == CTRL_ATTR_MCAST_GROUPS:
                for _, g in attrs(d):
                    ga = dict(attrs(g))
                    self.groups[ga[1].rstrip(b"\0").decode()] = \
                        struct.unpack("I", ga[2])[0]

    def subscribe(self, group):
        """Join a multicast group of the family (OSError EPERM if not
        allowed)."""
        self.sk.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
                           self.groups[group])

    def recv_event(self):
        """(cmd, {attribute type: payload}) of the next multicast message"""
        while True:
            data = self.sk.recv(1 << 16)
            n, t, _, seq, _ = struct.unpack_from("IHHII", data, 0)
            if t == self.family and seq == 0:
                return data[16], dict(attrs(data[20:n]))

    def send(self, cmd, body, family=None, flags=NLM_F_REQUEST | NLM_F_ACK,
             raw=None):
        """Send one message (or raw bytes as its payload); return its seq."""
        self.seq += 1
        payload = raw if raw is not None else \
            struct.pack("BBH", cmd, 1, 0) + b"".join(body)
        self.sk.send(struct.pack("IHHII", 16 + len(payload),
                                 family or self.family, flags, self.seq, 0) +
                     payload)
        return self.seq

    def recv_ack(self):
        """(errno, extack message, [payloads before the ACK or the end of
        a dump])"""
        msgs = []
        while True:
            data = self.sk.recv(1 << 20)
            i = 0
            while i + 16 <= len(data):
                n, t, f, _, _ = struct.unpack_from("IHHII", data, i)
                if n < 16:
                    break
                body = data[i + 16:i + n]
                i += (n + 3) & ~3
                if t == NLMSG_ERROR:
                    err = -struct.unpack_from("i", body)[0]
                    msg = ""
                    if f & 0x200:
                        off = 20 if f & 0x100 else \
                            4 + struct.unpack_from("I", body, 4)[0]
                        for at, ad in attrs(body[off:]):
                            if at == 1:
                                msg = ad.rstrip(b"\0").decode(errors="replace")
                    return err, msg, msgs
                if t == NLMSG_DONE:
                    # a dump's end: its errno (a dump that failed), then
                    # the extack attributes
                    err = -struct.unpack_from("i", body)[0] \
                        if len(body) >= 4 else 0
                    msg = ""
                    if f & 0x200:
                        for at, ad in attrs(body[4:]):
                            if at == 1:
                                msg = ad.rstrip(b"\0").decode(errors="replace")
                    return err, msg, msgs
                msgs.append(body)

    def request(self, cmd, body, family=None, flags=NLM_F_ACK):
        """(errno, extack, [payloads]); flags=NLM_F_DUMP for a dump"""
        self.send(cmd, body, family, flags | NLM_F_REQUEST)
        return self.recv_ack()
