# SPDX-License-Identifier: GPL-2.0
"""SOCKS5 addresses (RFC 1928), as Shadowsocks carries them: the helpers
that ss_udp.py and socks5_udp.py share."""

import ipaddress
import struct


def split_hostport(s):
    if s.startswith("["):
        host, _, port = s[1:].partition("]:")
    else:
        host, _, port = s.rpartition(":")
    return host, int(port)


def socks_addr(host, port):
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        name = host.encode()
        return bytes([3, len(name)]) + name + struct.pack("!H", port)
    if ip.version == 4:
        return b"\x01" + ip.packed + struct.pack("!H", port)
    return b"\x04" + ip.packed + struct.pack("!H", port)


def parse_addr(p):
    """(host, port, length) of the SOCKS5 address at the head of p"""
    if p[0] == 1:
        return str(ipaddress.ip_address(p[1:5])), struct.unpack("!H", p[5:7])[0], 7
    if p[0] == 4:
        return str(ipaddress.ip_address(p[1:17])), struct.unpack("!H", p[17:19])[0], 19
    if p[0] == 3:
        n = p[1]
        return p[2:2 + n].decode(), struct.unpack("!H", p[2 + n:4 + n])[0], 4 + n
    raise ValueError("address type %d" % p[0])
