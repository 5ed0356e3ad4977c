#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Shadowsocks AEAD UDP (aes-*-gcm, chacha20-ietf-poly1305) straight to a
server's port, correctly or not; and plain UDP echo through a tunnel.

usage: ss_udp.py MODE [options]

  echo    --server HOST:PORT --method M --password PW --target TARGET
          --count N [--min A --max B]: N packets of random sizes A..B to
          TARGET (HOST:PORT, [IPv6]:PORT or NAME:PORT; the UDP echo
          service by default), one at a time; each reply must come from
          the target (its address in front: the same IP and port for an IP
          target, the port for a name) and carry the same payload. A packet
          unanswered after --wait seconds is sent again (a new salt), up to
          --retries times. Exit 0 iff all were echoed.
  bad     --server --method --password: one malformed packet of each kind
          (see CASES), each followed by --wait seconds of silence to check
          that nothing answers; then a valid packet sent twice (the second
          is a replay: no answer); then a valid packet must be echoed.
          Prints one JSON line per case with the counter it must raise.
  replay  --server --method --password [--target]: one valid packet, sent
          twice (the second a replay, dropped); prints its JSON line
  cap     --server --method --password --clients K: K sockets (K client
          addresses) each send one valid packet; prints how many got an
          answer (JSON), and keeps the sockets open for --hold seconds.
  listen  --server --method --password --target TARGET --hold S: one
          valid packet to TARGET (an IP address), then every reply for S
          seconds, each printed as it comes ({"reply_from": "target" or
          "elsewhere", "payload": ...}); at the end how many came from
          TARGET itself and from elsewhere, by payload: {"from_target":
          {...}, "from_elsewhere": {...}, "bad": n} (bad: did not open)
  plain   --to HOST:PORT --count N [--min --max]: plain UDP echo, e.g.
          through ss-tunnel -U in front of the echo service. --window W
          (W > 1): up to W datagrams in flight (windowed.py), from one
          unconnected socket, each payload a sequence number first (at
          least 4 bytes); each reply must come from HOST:PORT itself
          (address and port: what a transparent proxy must give back), a
          reply from anywhere else fails the run (10 of them end it);
          --give-up S ends it after S seconds (with W > 1), failed
  dns     --to HOST:PORT --name NAME: an A query; prints the addresses
"""

import argparse
import ipaddress
import json
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ss_probe import METHODS, TAG, master_key  # noqa: E402
from socks_addr import parse_addr, socks_addr, split_hostport  # noqa: E402
import windowed  # noqa: E402

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.kdf.hkdf import HKDF  # noqa: E402

DEFAULT_TARGET = "10.0.2.2:9002"


class Udp:
    def __init__(self, method, password):
        self.method = method
        self.klen, self.aead = METHODS[method]
        self.key = master_key(password.encode(), self.klen)

    def _aead(self, salt, key=None):
        sub = HKDF(algorithm=hashes.SHA1(), length=self.klen, salt=salt,
                   info=b"ss-subkey").derive(key or self.key)
        return self.aead(sub)

    def seal(self, plain, key=None, salt=None):
        salt = salt or os.urandom(self.klen)
        return salt + self._aead(salt, key).encrypt(bytes(12), plain, None)

    def open(self, pkt):
        salt = pkt[:self.klen]
        return self._aead(salt).decrypt(bytes(12), pkt[self.klen:], None)

    def open_reply(self, pkt):
        """A reply's (host, port, payload); raises if it does not open
        or its address does not parse."""
        plain = self.open(pkt)
        h, p, alen = parse_addr(plain)
        return h, p, plain[alen:]


def new_sock(server):
    host, port = split_hostport(server)
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.connect((host, port))
    return s


def recv_within(s, wait):
    s.settimeout(wait)
    try:
        return s.recv(1 << 16)
    except socket.timeout:
        return None


def mode_echo(a):
    u = Udp(a.method, a.password)
    s = new_sock(a.server)
    host, port = split_hostport(a.target)
    addr = socks_addr(host, port)
    is_ip = addr[0] != 3
    want_host = str(ipaddress.ip_address(host)) if is_ip else None
    ok = retries = bad = 0
    rnd = random.Random(a.seed)
    for i in range(a.count):
        n = rnd.randint(a.min, a.max)
        payload = os.urandom(n)
        for attempt in range(a.retries + 1):
            if attempt:
                retries += 1
            s.send(u.seal(addr + payload))
            deadline = time.monotonic() + a.wait
            got = None
            while time.monotonic() < deadline:
                r = recv_within(s, max(0.01, deadline - time.monotonic()))
                if r is None:
                    break
                try:
                    h, p, body = u.open_reply(r)
                except Exception as e:  # noqa: BLE001
                    bad += 1
                    print("# bad reply: %s" % e, file=sys.stderr)
                    continue
                if body != payload:
                    continue	# a late answer to an earlier attempt
                if p != port or (is_ip and h != want_host):
                    bad += 1
                    print("# reply from %s:%d" % (h, p), file=sys.stderr)
                got = body
                break
            if got is not None:
                ok += 1
                break
    print(json.dumps({"sent": a.count, "ok": ok, "retries": retries, "bad": bad}))
    return 0 if ok == a.count and not bad else 1


def mode_replay(a):
    u = Udp(a.method, a.password)
    s = new_sock(a.server)
    pkt = u.seal(socks_addr(*split_hostport(a.target)) + b"once")
    s.send(pkt)
    time.sleep(0.2)
    s.send(pkt)
    print(json.dumps({"sent": 2, "bytes": len(pkt)}))
    return 0


def mode_bad(a):
    u = Udp(a.method, a.password)
    s = new_sock(a.server)
    k = u.klen
    echo = socks_addr(*split_hostport(DEFAULT_TARGET))
    valid = u.seal(echo + b"ping")
    cases = [
        ("empty", b"", "udp_drop_bad"),
        ("short-salt", os.urandom(k - 1), "udp_drop_bad"),
        ("salt-no-tag", os.urandom(k + TAG - 1), "udp_drop_bad"),
        ("truncated", valid[:-5], "udp_drop_auth"),
        ("wrong-key", u.seal(echo + b"ping", key=master_key(b"not it", k)), "udp_drop_auth"),
        ("random", os.urandom(100), "udp_drop_auth"),
        ("flipped", valid[:k + 3] + bytes([valid[k + 3] ^ 1]) + valid[k + 4:], "udp_drop_auth"),
        ("no-address", u.seal(b""), "udp_drop_bad"),
        ("bad-atyp", u.seal(b"\x05" + echo[1:] + b"ping"), "udp_drop_bad"),
        ("empty-domain", u.seal(b"\x03\x00\x23\x2a" + b"ping"), "udp_drop_bad"),
        ("trunc-ipv4", u.seal(b"\x01\x0a\x00\x02"), "udp_drop_bad"),
        ("trunc-ipv6", u.seal(b"\x04" + bytes(10)), "udp_drop_bad"),
        ("trunc-domain", u.seal(b"\x03\x20target.test"), "udp_drop_bad"),
        ("bad-name", u.seal(socks_addr("a..test", 9002) + b"ping"), "udp_drop_bad"),
        ("nul-name", u.seal(socks_addr("a\0b.test", 9002) + b"ping"), "udp_drop_bad"),
        ("latin1-name", u.seal(b"\x03\x09caf\xe9.test" + echo[-2:] + b"ping"), "udp_drop_bad"),
        ("port-zero", u.seal(echo[:-2] + b"\0\0" + b"ping"), "udp_drop_bad"),
        ("big-random", os.urandom(65000), "udp_drop_auth"),
    ]
    rc = 0
    for name, pkt, counter in cases:
        s.send(pkt)
        r = recv_within(s, a.wait)
        print(json.dumps({"case": name, "counter": counter, "answered": r is not None}))
        if r is not None:
            rc = 1
    # the same valid packet twice: the first is answered, the replay not
    s.send(valid)
    r1 = recv_within(s, 3)
    s.send(valid)
    r2 = recv_within(s, a.wait)
    print(json.dumps({"case": "replay", "counter": "udp_drop_replay",
                      "answered": r2 is not None, "first_answered": r1 is not None}))
    if r1 is None or r2 is not None:
        rc = 1
    s.send(u.seal(echo + b"still alive"))
    r = recv_within(s, 3)
    alive = r is not None and u.open(r).endswith(b"still alive")
    print(json.dumps({"case": "alive", "answered": alive}))
    return rc if alive else 1


def mode_cap(a):
    u = Udp(a.method, a.password)
    echo = socks_addr(*split_hostport(DEFAULT_TARGET))
    socks = [new_sock(a.server) for _ in range(a.clients)]
    for s in socks:
        s.send(u.seal(echo + b"cap"))
    answered = sum(1 for s in socks if recv_within(s, a.wait) is not None)
    print(json.dumps({"clients": a.clients, "answered": answered}), flush=True)
    time.sleep(a.hold)
    return 0


def mode_listen(a):
    u = Udp(a.method, a.password)
    s = new_sock(a.server)
    host, port = split_hostport(a.target)
    want = (str(ipaddress.ip_address(host)), port)
    s.send(u.seal(socks_addr(host, port) + b"hello"))
    res = {"from_target": {}, "from_elsewhere": {}, "bad": 0}
    end = time.monotonic() + a.hold
    while time.monotonic() < end:
        r = recv_within(s, max(0.01, end - time.monotonic()))
        if r is None:
            continue
        try:
            h, p, body = u.open_reply(r)
        except Exception:  # noqa: BLE001
            res["bad"] += 1
            continue
        where = "target" if (h, p) == want else "elsewhere"
        k = body.decode(errors="replace")
        d = res["from_" + where]
        d[k] = d.get(k, 0) + 1
        print(json.dumps({"reply_from": where, "payload": k}), flush=True)
    print(json.dumps(res))
    return 0


def plain_windowed(a, host, port):
    """mode_plain with up to a.window datagrams in flight; each reply
    matched by payload and checked for its source: host and port"""
    want = (ipaddress.ip_address(host), port)
    fam = socket.AF_INET6 if want[0].version == 6 else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", 0))
    rnd = random.Random(a.seed)
    strangers = {}
    end = time.monotonic() + a.give_up if a.give_up else None

    class GiveUp(Exception):
        pass

    def make(i):
        n = max(4, rnd.randint(a.min, a.max))
        return i.to_bytes(4, "big") + rnd.randbytes(n - 4), None

    def send(payload, _ctx):
        s.sendto(payload, (host, port))

    def receive(timeout):
        if end is not None:
            timeout = min(timeout, end - time.monotonic())
            if timeout <= 0:
                raise GiveUp("gave up after %g s" % a.give_up)
        s.settimeout(max(0.001, timeout))
        try:
            data, frm = s.recvfrom(1 << 16)
        except socket.timeout:
            return None
        if (ipaddress.ip_address(frm[0].split("%")[0]), frm[1]) != want:
            k = "%s:%d" % (frm[0], frm[1])
            strangers[k] = strangers.get(k, 0) + 1
            if sum(strangers.values()) >= 10:
                raise GiveUp("10 replies from elsewhere")
            return None
        return data, None

    t0 = time.monotonic()
    res = {"sent": a.count, "window": a.window}
    try:
        ok, lost, resends = windowed.run(a.count, a.window, a.retries,
                                         a.wait, make, send, receive)
        res.update(ok=ok, lost=lost, resends=resends)
    except GiveUp as e:
        ok = -1
        res["error"] = str(e)
    res.update(from_elsewhere=strangers,
               seconds=round(time.monotonic() - t0, 2))
    print(json.dumps(res))
    return 0 if ok == a.count and not strangers else 1


def mode_plain(a):
    host, port = split_hostport(a.to)
    if a.window > 1:
        return plain_windowed(a, host, port)
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.connect((host, port))
    ok = retries = 0
    rnd = random.Random(a.seed)
    for i in range(a.count):
        payload = os.urandom(rnd.randint(a.min, a.max))
        for attempt in range(a.retries + 1):
            if attempt:
                retries += 1
            s.send(payload)
            deadline = time.monotonic() + a.wait
            got = False
            while time.monotonic() < deadline:
                r = recv_within(s, max(0.01, deadline - time.monotonic()))
                if r is None:
                    break
                if r == payload:
                    got = True
                    break
            if got:
                ok += 1
                break
    print(json.dumps({"sent": a.count, "ok": ok, "retries": retries}))
    return 0 if ok == a.count else 1


def mode_dns(a):
    host, port = split_hostport(a.to)
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.connect((host, port))
    qid = random.randrange(1 << 16)
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in a.name.split(".")) + b"\0"
    q += struct.pack("!HH", 1, 1)
    for _ in range(a.retries + 1):
        s.send(q)
        r = recv_within(s, a.wait)
        if r and struct.unpack("!H", r[:2])[0] == qid:
            break
    else:
        print(json.dumps({"answers": []}))
        return 1
    an = struct.unpack("!H", r[6:8])[0]
    i = len(q)		# the question is echoed back as sent
    out = []
    for _ in range(an):
        if r[i] & 0xC0 == 0xC0:
            i += 2
        else:
            while r[i]:
                i += r[i] + 1
            i += 1
        typ, _cls, _ttl, rdlen = struct.unpack("!HHIH", r[i:i + 10])
        i += 10
        if typ == 1:
            out.append(str(ipaddress.ip_address(r[i:i + rdlen])))
        i += rdlen
    print(json.dumps({"answers": out}))
    return 0 if out else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["echo", "bad", "replay", "cap", "listen", "plain", "dns"])
    ap.add_argument("--server")
    ap.add_argument("--method")
    ap.add_argument("--password")
    ap.add_argument("--target", default=DEFAULT_TARGET)
    ap.add_argument("--to")
    ap.add_argument("--name")
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--min", type=int, default=1)
    ap.add_argument("--max", type=int, default=1400)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--wait", type=float, default=1.0)
    ap.add_argument("--retries", type=int, default=3)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--hold", type=float, default=0)
    ap.add_argument("--window", type=int, default=1,
                    help="plain: datagrams in flight at once (payloads of "
                    "at least 4 bytes: a sequence number first), each "
                    "reply's source checked")
    ap.add_argument("--give-up", type=float, default=0,
                    help="plain with --window: fail after this many seconds "
                    "(0: never)")
    a = ap.parse_args()
    return {"echo": mode_echo, "bad": mode_bad, "replay": mode_replay,
            "cap": mode_cap, "listen": mode_listen,
            "plain": mode_plain, "dns": mode_dns}[a.mode](a)


if __name__ == "__main__":
    sys.exit(main())
