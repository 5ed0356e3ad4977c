#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Talk Shadowsocks AEAD (aes-*-gcm, chacha20-ietf-poly1305) straight to a
server's port, correctly or not, and report what the server did.

usage: ss_probe.py --server HOST:PORT --method M (--password PW | --key B64)
                   [options] CASE[@TARGET] ...

Runs the cases in order, each on a new connection, and prints one line of
JSON per case. TARGET (HOST:PORT, IPv6 in brackets, or a domain) is the
address the request asks for; each case has a default.

  valid        a correct session to the echo service (10.0.2.2:9000): salt,
               then [target address][payload] as the first chunk, in one
               write; reads the encrypted reply and checks it is the
               payload. Its first write is kept for "replay".
  fragment     the same, its first 105 bytes sent in 7-byte pieces 20 ms
               apart (the salt, the length chunk and the address each
               arrive split), then the rest
  halfclose    a correct session to the digest service (10.0.2.2:9001):
               sends an 8-byte reply length (--reply) and --send random
               bytes, shuts down its write side, then reads the reply to
               EOF: the digest of what the target got, and the first
               --reply bytes of --blob; the stream must end at a chunk
               boundary.
  dribble      a correct session to the echo service whose --send bytes go
               in chunks of random lengths, written in random pieces (1 to
               20 bytes or up to 4 KiB, TCP_NODELAY, a pause now and then),
               so that lengths, payloads and tags arrive split at every
               offset and the server waits for the rest of each; the
               echo, read meanwhile, must be what was sent ("seed" in the
               result replays the sizes)
  noreply      a correct request for a target that cannot be reached (no
               default: give @TARGET): the server must close without
               sending anything, within --timeout + --margin.
  zero-after   a correct session to the echo service; once its payload is
               echoed, a chunk of length 0 (a sealed length of 0 and the
               tag of nothing), then a correct chunk of more payload, in
               one write: the server must close without echoing it
               (within --timeout + --margin of the zero chunk).
  replay       the bytes of the last "valid" first write, again
  replay-head  its salt and sealed length only (salt + 18 bytes), then
               nothing of its own: a server that checks the salt only once
               the whole first chunk is in lets such replays hold a
               payload buffer until the timeout
  wrong-key    a correct session sealed with another password's key
  random       random bytes, as long as a valid first write
  short-salt   half a salt, then nothing
  big-length   a correct salt and a length chunk carrying 0x4000 (over the
               0x3FFF limit), then a correctly sealed 0x4000-byte payload
               that is a valid request (a server ignoring the limit would
               relay it, and the echo target would answer)
  bad-atyp     a correct stream whose address type is 0x05
  port-zero    a correct stream whose target (TARGET, the echo service by
               default) has port 0
  port-zero-split
               the same, the address split over two chunks (its type and
               first address byte in the first, the rest and the port in
               the second): port 0 is only seen once the address is whole
  zero-length  a correct salt, a chunk of length 0 (its sealed length and
               the tag of nothing), then a correct first chunk of a valid
               request (a server accepting empty chunks would relay it,
               and the echo target would answer)

From replay on, the cases expect the server to drain and then close: after sending, and
(except short-salt, which must not complete the salt) from a fifth of the
--timeout on a further --junk bytes of random data, the prober looks at the
socket at half the --timeout (the server's handshake timeout): "at_half" is
"open" if nothing came and it is still open, and "outq_at_half" is what the
server has not read yet (0: it keeps reading). It watches the socket from
connect until --timeout + --margin seconds and reports the first thing the
server did ("close": "eof", "rst" or "data"; "open" if nothing) and when
("closed_after", seconds from connect).

--after CMD runs CMD with sh once before the first case (CASE=start in its
environment, and CASE_NO=0) and after each case (CASE=its name, CASE_NO=
1, 2, ...), e.g. to snapshot the
server's counters. --parallel runs the valid and fragment cases first, then
all others at once (no --after). Exit status 0 iff every case ran, and every
valid, fragment, halfclose, dribble, noreply and zero-after case got what it
expected.
"""

import argparse
import base64
import fcntl
import hashlib
import ipaddress
import json
import os
import random
import select
import socket
import struct
import sys
import subprocess
import termios
import threading
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sockio import recv_exact  # noqa: E402

METHODS = {	# name: (key and salt length, AEAD class)
    "aes-128-gcm": (16, AESGCM),
    "aes-192-gcm": (24, AESGCM),
    "aes-256-gcm": (32, AESGCM),
    "chacha20-ietf-poly1305": (32, ChaCha20Poly1305),
}
TAG = 16
MAX_PAYLOAD = 0x3FFF
DEFAULT_TARGET = "10.0.2.2:9000"


def master_key(password, n):
    """EVP_BytesToKey(MD5, no salt, one round), as every implementation."""
    d, out = b"", b""
    while len(out) < n:
        d = hashlib.md5(d + password).digest()
        out += d
    return out[:n]


class Cipher:
    """One direction of a TCP stream: salt, subkey, little-endian nonce."""

    def __init__(self, method, key, salt):
        klen, aead = METHODS[method]
        sub = HKDF(algorithm=hashes.SHA1(), length=klen, salt=salt,
                   info=b"ss-subkey").derive(key)
        self.aead = aead(sub)
        self.n = 0

    def _nonce(self):
        nonce = self.n.to_bytes(12, "little")
        self.n += 1
        return nonce

    def seal(self, data):
        return self.aead.encrypt(self._nonce(), data, None)

    def open(self, data):
        return self.aead.decrypt(self._nonce(), data, None)

    def chunk(self, payload, length=None):
        """[E(len)][tag][E(payload)][tag]; length: the value to claim"""
        if length is None:
            length = len(payload)
        return self.seal(struct.pack(">H", length)) + self.seal(payload)


def address(target):
    host, _, port = target.rpartition(":")
    host = host.strip("[]")
    try:
        ip = ipaddress.ip_address(host)
        a = (b"\x01" if ip.version == 4 else b"\x04") + ip.packed
    except ValueError:
        a = b"\x03" + bytes([len(host)]) + host.encode()
    return a + struct.pack(">H", int(port))


def first_write(method, key, header, payload, length=None):
    klen = METHODS[method][0]
    salt = os.urandom(klen)
    c = Cipher(method, key, salt)
    return salt + c.chunk(header + payload, length)


def read_reply(s, method, key, want):
    """Decrypt the server's reply stream until want bytes of payload."""
    klen = METHODS[method][0]
    c = Cipher(method, key, recv_exact(s, klen))
    out = b""
    while len(out) < want:
        (n,) = struct.unpack(">H", c.open(recv_exact(s, 2 + TAG)))
        if n == 0 or n > MAX_PAYLOAD:
            raise ValueError("reply chunk length %#x" % n)
        out += c.open(recv_exact(s, n + TAG))
    return out


def read_stream(s, method, key):
    """Decrypt the server's reply stream to EOF, which must fall between
    chunks; returns (payload, number of chunks)."""
    klen = METHODS[method][0]
    c = Cipher(method, key, recv_exact(s, klen))
    out, chunks = bytearray(), 0
    while True:
        first = s.recv(1)
        if not first:
            return bytes(out), chunks
        (n,) = struct.unpack(">H", c.open(first + recv_exact(s, 1 + TAG)))
        if n == 0 or n > MAX_PAYLOAD:
            raise ValueError("reply chunk length %#x" % n)
        out += c.open(recv_exact(s, n + TAG))
        chunks += 1


def halfclose(args, s, key, target):
    up = os.urandom(args.send)
    with open(args.blob, "rb") as f:
        down_sha = hashlib.sha256(f.read(args.reply)).hexdigest()
    klen = METHODS[args.method][0]
    salt = os.urandom(klen)
    c = Cipher(args.method, key, salt)
    stream = bytearray(salt)
    first = address(target) + struct.pack(">Q", args.reply)
    first, rest = first + up[:MAX_PAYLOAD - len(first)], up[MAX_PAYLOAD - len(first):]
    stream += c.chunk(first)
    for off in range(0, len(rest), MAX_PAYLOAD):
        stream += c.chunk(rest[off:off + MAX_PAYLOAD])
    s.settimeout(args.timeout + args.margin + 60)
    s.sendall(stream)
    s.shutdown(socket.SHUT_WR)
    back, chunks = read_stream(s, args.method, key)
    line, _, data = back.partition(b"\n")
    res = {"sent": len(up), "target_got": line.decode(errors="replace"),
           "reply_len": len(data), "reply_chunks": chunks}
    res["upload_ok"] = line == b"%s %d" % (hashlib.sha256(up).hexdigest().encode(), len(up))
    res["reply_ok"] = len(data) == args.reply and hashlib.sha256(data).hexdigest() == down_sha
    res["ok"] = res["upload_ok"] and res["reply_ok"]
    return res


def dribble(args, s, key, target):
    seed = int.from_bytes(os.urandom(4), "big")
    rnd = random.Random(seed)
    up = os.urandom(args.send)
    klen = METHODS[args.method][0]
    salt = os.urandom(klen)
    c = Cipher(args.method, key, salt)
    head = address(target)
    stream, off, chunks = bytearray(salt), 0, 0
    while off < len(up):
        room = MAX_PAYLOAD - (len(head) if not chunks else 0)
        n = rnd.randint(1, room)
        stream += c.chunk((head if not chunks else b"") + up[off:off + n])
        off += n
        chunks += 1
    got = {}

    def reader():
        try:
            got["back"] = read_reply(s, args.method, key, len(up))
        except Exception as e:	# pylint: disable=broad-except
            got["error"] = repr(e)

    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(args.timeout + args.margin + 60)
    t = threading.Thread(target=reader)
    t.start()
    off = 0
    while off < len(stream):
        n = rnd.randint(1, 20) if rnd.random() < 0.5 else rnd.randint(1, 4096)
        s.sendall(stream[off:off + n])
        off += n
        if rnd.random() < 0.03:
            time.sleep(0.005)
    t.join()
    res = {"sent": len(up), "chunks": chunks, "seed": seed}
    if "error" in got:
        res["error"] = got["error"]
    res["ok"] = got.get("back") == up
    return res


def state(s):
    """'open', 'eof', 'rst' or 'data', without blocking."""
    try:
        data = s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return "open"
    except ConnectionResetError:
        return "rst"
    return "data" if data else "eof"


def outq(s):
    return struct.unpack("i", fcntl.ioctl(s.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]


def watch(args, s, until, res):
    """Wait until `until` for the socket to become readable (data, EOF or
    reset); record how and when (seconds from connect). Return: whether
    it did."""
    while True:
        left = until - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([s], [], [], left)
        if r:
            st = state(s)
            if st == "open":
                continue
            res["close"] = st
            res["closed_after"] = round(time.monotonic() - args.t0, 2)
            if st == "data":
                res["data"] = s.recv(64).hex()
            return True


def valid(args, s, key, target, fragment=False):
    payload = os.urandom(args.payload)
    data = first_write(args.method, key, address(target), payload)
    args.last_valid = data
    if fragment:
        for off in range(0, 105, 7):
            s.sendall(data[off:off + 7])
            time.sleep(0.02)
        s.sendall(data[105:])
    else:
        s.sendall(data)
    s.settimeout(args.timeout + args.margin)
    back = read_reply(s, args.method, key, len(payload))
    return {"sent": len(data), "ok": back == payload}


def zero_after(args, s, key, target):
    """A valid session, then an empty chunk: the server must close."""
    klen = METHODS[args.method][0]
    payload = os.urandom(args.payload)
    salt = os.urandom(klen)
    c = Cipher(args.method, key, salt)
    s.sendall(salt + c.chunk(address(target) + payload))
    s.settimeout(args.timeout + args.margin)
    back = read_reply(s, args.method, key, len(payload))
    res = {"echoed": back == payload}
    s.sendall(c.chunk(b"", 0) + c.chunk(os.urandom(64)))
    t0, args.t0 = args.t0, time.monotonic()
    if not watch(args, s, args.t0 + args.timeout + args.margin, res):
        res["close"] = "open"
    args.t0 = t0
    res["ok"] = res["echoed"] and res["close"] in ("eof", "rst")
    return res


def noreply(args, s, key, target):
    s.sendall(first_write(args.method, key, address(target), os.urandom(args.payload)))
    res = {}
    if not watch(args, s, args.t0 + args.timeout + args.margin, res):
        res["close"] = "open"
    res["ok"] = res["close"] in ("eof", "rst")
    return res


def bad(args, s, key, case, target):
    klen = METHODS[args.method][0]
    header = address(target)
    payload = os.urandom(64)
    if case == "replay":
        data = args.last_valid
        if data is None:
            raise ValueError("replay needs a valid case before it")
    elif case == "wrong-key":
        data = first_write(args.method, master_key(b"not the password", klen), header, payload)
    elif case == "replay-head":
        if args.last_valid is None:
            raise ValueError("replay-head needs a valid case before it")
        data = args.last_valid[:klen + 2 + TAG]
    elif case == "zero-length":
        salt = os.urandom(klen)
        c = Cipher(args.method, key, salt)
        data = salt + c.chunk(b"", 0) + c.chunk(header + payload)
    elif case == "random":
        data = os.urandom(klen + 2 + TAG + len(header) + len(payload) + TAG)
    elif case == "short-salt":
        data = os.urandom(klen // 2)
    elif case == "big-length":
        body = header + os.urandom(0x4000 - len(header))
        data = first_write(args.method, key, b"", body, 0x4000)
    elif case == "bad-atyp":
        data = first_write(args.method, key, b"\x05" + header[1:], payload)
    elif case == "port-zero":
        data = first_write(args.method, key, header[:-2] + b"\0\0", payload)
    elif case == "port-zero-split":
        salt = os.urandom(klen)
        c = Cipher(args.method, key, salt)
        h = header[:-2] + b"\0\0"
        data = salt + c.chunk(h[:2]) + c.chunk(h[2:] + payload)
    else:
        raise ValueError(case)
    s.sendall(data)
    res = {"sent": len(data), "junk_sent": 0}
    # watch for an early close all along: it is what a prober would learn
    if not watch(args, s, args.t0 + args.timeout * 0.2, res) and \
            case != "short-salt" and args.junk:
        # apart from the case's bytes, so the server judges those alone
        junk = os.urandom(args.junk)
        s.setblocking(False)
        off, deadline = 0, args.t0 + args.timeout * 0.4
        while off < len(junk) and time.monotonic() < deadline:
            try:
                off += s.send(junk[off:off + 65536])
            except BlockingIOError:
                if watch(args, s, time.monotonic() + 0.05, res):
                    break
            except OSError:
                watch(args, s, time.monotonic() + 0.05, res)
                break
        s.setblocking(True)
        res["junk_sent"] = off
    if "close" not in res:
        watch(args, s, args.t0 + args.timeout * 0.5, res)
    time.sleep(max(0.0, args.t0 + args.timeout * 0.5 - time.monotonic()))
    res["at_half"] = state(s)
    res["outq_at_half"] = outq(s)
    if "close" not in res:
        watch(args, s, args.t0 + args.timeout + args.margin, res)
    if "close" not in res:
        res["close"] = "open"
    return res


DEFAULTS = {"halfclose": DEFAULT_TARGET.replace(":9000", ":9001")}
CASES = ["valid", "fragment", "halfclose", "dribble", "noreply", "zero-after", "replay",
         "replay-head", "wrong-key", "random", "short-salt", "big-length",
         "bad-atyp", "port-zero", "port-zero-split", "zero-length"]
CHECKED = ("valid", "fragment", "halfclose", "dribble", "noreply", "zero-after")


def run_case(args, key, spec):
    case, _, target = spec.partition("@")
    target = target or DEFAULTS.get(case, DEFAULT_TARGET)
    res = {"case": case, "target": target}
    try:
        if case not in CASES:
            raise ValueError("unknown case")
        if case == "noreply" and "@" not in spec:
            raise ValueError("noreply needs @TARGET")
        host, _, port = args.server.rpartition(":")
        s = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        args.t0 = time.monotonic()
        s.settimeout(None)
        if case in ("valid", "fragment"):
            res.update(valid(args, s, key, target, case == "fragment"))
        elif case == "halfclose":
            res.update(halfclose(args, s, key, target))
        elif case == "dribble":
            res.update(dribble(args, s, key, target))
        elif case == "noreply":
            res.update(noreply(args, s, key, target))
        elif case == "zero-after":
            res.update(zero_after(args, s, key, target))
        else:
            res.update(bad(args, s, key, case, target))
        s.close()
    except Exception as e:	# pylint: disable=broad-except
        res["error"] = repr(e)
        res["ok"] = False
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="+", metavar="CASE[@TARGET]")
    ap.add_argument("--server", required=True, help="HOST:PORT of the Shadowsocks server")
    ap.add_argument("--method", default="chacha20-ietf-poly1305", choices=sorted(METHODS))
    ap.add_argument("--password")
    ap.add_argument("--key", help="base64 master key (instead of --password)")
    ap.add_argument("--payload", type=int, default=1000)
    ap.add_argument("--send", type=int, default=1 << 20, help="halfclose: bytes to send")
    ap.add_argument("--reply", type=int, default=1 << 20, help="halfclose: bytes to ask for")
    ap.add_argument("--blob", help="halfclose: the target's blob file")
    ap.add_argument("--junk", type=int, default=256 << 10)
    ap.add_argument("--timeout", type=float, default=3.0,
                    help="the server's handshake timeout, seconds")
    ap.add_argument("--margin", type=float, default=3.0)
    ap.add_argument("--after", help="shell command to run before and after each case")
    ap.add_argument("--parallel", action="store_true")
    args = ap.parse_args()
    klen = METHODS[args.method][0]
    if (args.key is None) == (args.password is None):
        ap.error("give --password or --key")
    key = base64.b64decode(args.key) if args.key else master_key(args.password.encode(), klen)
    if len(key) != klen:
        ap.error("key length %d, %s needs %d" % (len(key), args.method, klen))
    args.last_valid = None

    results = []
    if args.parallel:
        first = [c for c in args.cases if c.partition("@")[0] in ("valid", "fragment")]
        rest = [c for c in args.cases if c not in first]
        results = [run_case(args, key, c) for c in first]
        out = [None] * len(rest)

        def one(i, spec):
            a = argparse.Namespace(**vars(args))
            out[i] = run_case(a, key, spec)
        threads = [threading.Thread(target=one, args=(i, c)) for i, c in enumerate(rest)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results += out
        for r in results:
            print(json.dumps(r), flush=True)
    else:
        def after(name, i):
            if args.after:
                subprocess.run(["sh", "-c", args.after], check=False,
                               env=dict(os.environ, CASE=name, CASE_NO=str(i)))
        after("start", 0)
        for i, spec in enumerate(args.cases, 1):
            r = run_case(args, key, spec)
            after(r["case"], i)
            print(json.dumps(r), flush=True)
            results.append(r)
    bad_ = [r for r in results if "error" in r or (r["case"] in CHECKED and not r.get("ok"))]
    return 1 if bad_ else 0


if __name__ == "__main__":
    sys.exit(main())
