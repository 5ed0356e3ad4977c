#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""An independent Shadowsocks 2022 peer (SIP022, with SIP023 identity
headers), written from the two specifications; it shares no code with the
kernel module. BLAKE3 comes from blake3.py next to this file, the AEADs and
AES from Debian's python3-cryptography; XChaCha20-Poly1305 is HChaCha20
(here) followed by ChaCha20-Poly1305.

usage: ss2022.py MODE [options]

  selftest [--vectors FILE]
          the codec against the known answers in sip022_vectors.json (next
          to this file by default), then round trips and forgeries; TAP,
          exit 0 iff all pass
  server  --listen HOST:PORT --method M --key B64 [--users FILE]
          [--stats FILE] [--ready-file FILE] [--bad-response-salt]
          a SIP022 server, TCP and UDP on the same port (port 0: any free
          one, written to --ready-file as HOST:PORT once listening).
          --users FILE (JSON {"name": "uPSK base64"}) turns on SIP023: --key
          is then the identity PSK. --stats FILE is rewritten (JSON) each
          time a counter moves. --bad-response-salt: TCP responses quote
          a random salt, not the request's (for testing clients).
  client tcp --server HOST:PORT --method M --key K --target HOST:PORT
          stdin to the target, the target's answer to stdout. K is the PSK,
          or iPSK:...:uPSK (base64 each) for identity headers.
          --echo-check N   N random bytes instead of stdin; the echo must
                           match (SHA-256); one JSON line; exit 0 iff equal
          --expect-refused the first write must be refused: EOF with no
                           data within --wait seconds (the server counts it)
          --replay         the same first write on two connections: the
                           first must be answered, the second refused
          --timestamp-offset S   add S seconds to the header's timestamp
          --save-first F   with --echo-check: the first write (salt and
                           headers) also to file F, to be replayed
          --byte-delay S   the first write one byte per send(), S seconds
                           apart (TCP_NODELAY: a segment each), as a
                           prober measuring where the server reacts does
          --no-padding-no-payload  a request header with neither
  client udp --server --method --key --target --count N [--min A --max B]
          N datagrams of random sizes A..B, one at a time, each echoed by
          the target; the replies are checked (session, packet ID window,
          type, timestamp, address, payload). One JSON line: sent, ok,
          retries, bad (replies failing a check), sessions, server_sessions
          (the most server session IDs one client session saw: 1 from a
          server that did not restart), rebinds; exit 0 iff all N echoed
          and none bad.
          --window W       up to W datagrams in flight (default 1: one
                           at a time); replies matched by payload, which
                           then starts with a 4-byte sequence number
          --sessions N     N client sessions (own session ID, packet IDs
                           and windows) on one socket, used round-robin;
                           each reply must name the session that sent it
          --rebind-every K after every K packets, a new socket (a new
                           source port; the sessions stay): the server
                           must answer at the client's last address
          --bad-packets    first, on the first session and each once: a
                           flipped tag byte, type 1, a timestamp 40 s old,
                           a padding length past the end, a truncated
                           packet, a replay of an answered one; adds
                           bad_sent and bad_answered (must be 0)
          --replay: one datagram sent twice: exactly one answer
          --save-sent F    the first datagram sent also to file F, to be
                           replayed
          --resume-after F after the N: print {"paused": OK} and wait (up
                           to 120 s) until file F exists, then N more on
                           the same sessions, one at a time; adds ok_after,
                           and exit 0 needs all of those echoed too
          --resume-server HOST:PORT: those N more to this server instead
                           (another with the key), from a new socket
          --timestamp-offset S: add S seconds to every packet's timestamp
          --expect-none: no datagram may be answered (with the above, or a
          key the server does not know)
  echo    --listen HOST:PORT [--ready-file FILE]
          a plain TCP and UDP echo service on one port, for the host check
"""

import argparse
import base64
import hashlib
import ipaddress
import json
import os
import selectors
import socket
import struct
import sys
import threading
import time
from functools import lru_cache

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blake3  # noqa: E402
from socks_addr import parse_addr, socks_addr, split_hostport  # noqa: E402
import windowed  # noqa: E402

from cryptography.exceptions import InvalidTag  # noqa: E402
from cryptography.hazmat.primitives.ciphers import (  # noqa: E402
    Cipher, algorithms, modes)
from cryptography.hazmat.primitives.ciphers.aead import (  # noqa: E402
    AESGCM, ChaCha20Poly1305)

SUBKEY_CONTEXT = "shadowsocks 2022 session subkey"
IDENTITY_CONTEXT = "shadowsocks 2022 identity subkey"

# method: (key and salt bytes, AEAD for TCP and the AES methods' UDP)
METHODS = {
    "2022-blake3-aes-128-gcm": (16, AESGCM),
    "2022-blake3-aes-256-gcm": (32, AESGCM),
    "2022-blake3-chacha20-poly1305": (32, ChaCha20Poly1305),
}

TAG = 16
TYPE_CLIENT = 0
TYPE_SERVER = 1
MAX_PADDING = 900
MAX_CHUNK = 0xFFFF
TIME_WINDOW = 30	# seconds either way (§3.1.3)
SALT_TTL = 60		# seconds (§3.1.5)
UDP_SESSION_TTL = 120	# at least 60 (§3.2.4)
REPLAY_WINDOW = 2048	# packet IDs behind the highest seen


class ProtocolError(Exception):
    """Bad data from the peer; .kind names the counter it raises."""

    def __init__(self, kind, text=""):
        super().__init__(f"{kind}: {text}" if text else kind)
        self.kind = kind


# ---------------------------------------------------------------- keys

def decode_psk(b64, method):
    """A base64 PSK of the method's key length."""
    klen = METHODS[method][0]
    psk = base64.b64decode(b64, validate=True)
    if len(psk) != klen:
        raise ValueError(f"{method} needs a {klen}-byte key, "
                         f"got {len(psk)} bytes")
    return psk


def decode_psks(spec, method):
    """"PSK" or "iPSK0:...:uPSK" (SIP023) as a list of keys."""
    psks = [decode_psk(p, method) for p in spec.split(":")]
    if len(psks) > 1 and not is_aes(method):
        raise ValueError("identity headers need an AES method")
    return psks


def is_aes(method):
    return "-aes-" in method


@lru_cache(maxsize=4096)
def session_subkey(psk, salt):
    """derive_key("shadowsocks 2022 session subkey", psk + salt) (§2.2)"""
    return blake3.derive_key(SUBKEY_CONTEXT, psk + salt, len(psk))


@lru_cache(maxsize=4096)
def identity_subkey(ipsk, salt):
    """SIP023: derive_key("shadowsocks 2022 identity subkey", iPSK + salt)"""
    return blake3.derive_key(IDENTITY_CONTEXT, ipsk + salt, len(ipsk))


@lru_cache(maxsize=256)
def psk_hash(psk):
    """SIP023: the first 16 bytes of BLAKE3(psk)"""
    return blake3.hash(psk)[:16]


def aes_ecb(key, block, decrypt=False):
    """One AES block operation (the separate and identity headers)."""
    c = Cipher(algorithms.AES(key), modes.ECB())
    op = c.decryptor() if decrypt else c.encryptor()
    return op.update(block) + op.finalize()


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


# ------------------------------------------------- XChaCha20-Poly1305

def _rotl(x, n):
    return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF


def _quarter(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF
    s[d] = _rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF
    s[b] = _rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF
    s[d] = _rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF
    s[b] = _rotl(s[b] ^ s[c], 7)


def hchacha20(key, nonce16, slow=False):
    """HChaCha20 (draft-irtf-cfrg-xchacha §2.2): 20 ChaCha rounds over
    constants, key and the 16-byte nonce, no final addition; the subkey is
    state words 0..3 and 12..15."""
    if len(key) != 32 or len(nonce16) != 16:
        raise ValueError("hchacha20: 32-byte key, 16-byte nonce")
    s = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    s += list(struct.unpack("<8I", key)) + list(struct.unpack("<4I", nonce16))
    if not slow:
        # OpenSSL's ChaCha20 block (its 16-byte nonce: the counter, then
        # the 96-bit nonce: state words 12..15) is the rounds plus the
        # input state: subtracting the input gives the rounds' output, 30
        # times faster than the loop below (a datagram flood needs it)
        ks = Cipher(algorithms.ChaCha20(key, nonce16), mode=None) \
            .encryptor().update(bytes(64))
        w = struct.unpack("<16I", ks)
        return struct.pack("<8I", *((w[i] - s[i]) & 0xFFFFFFFF
                                    for i in (0, 1, 2, 3, 12, 13, 14, 15)))
    for _ in range(10):
        _quarter(s, 0, 4, 8, 12)
        _quarter(s, 1, 5, 9, 13)
        _quarter(s, 2, 6, 10, 14)
        _quarter(s, 3, 7, 11, 15)
        _quarter(s, 0, 5, 10, 15)
        _quarter(s, 1, 6, 11, 12)
        _quarter(s, 2, 7, 8, 13)
        _quarter(s, 3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


class XChaCha20Poly1305:
    """XChaCha20-Poly1305: ChaCha20-Poly1305 under HChaCha20(key,
    nonce[0:16]) with the nonce 00000000 || nonce[16:24]."""

    def __init__(self, key):
        self.key = key

    def _aead(self, nonce):
        if len(nonce) != 24:
            raise ValueError("xchacha20-poly1305: 24-byte nonce")
        sub = hchacha20(self.key, nonce[:16])
        return ChaCha20Poly1305(sub), bytes(4) + nonce[16:]

    def encrypt(self, nonce, data, aad):
        aead, n = self._aead(nonce)
        return aead.encrypt(n, data, aad)

    def decrypt(self, nonce, data, aad):
        aead, n = self._aead(nonce)
        return aead.decrypt(n, data, aad)


# ---------------------------------------------------------------- TCP

class Stream:
    """One direction of a TCP proxy stream: the session subkey's AEAD and
    the 12-byte little-endian nonce counter (§3.1.1)."""

    def __init__(self, method, psk, salt):
        self.aead = METHODS[method][1](session_subkey(psk, salt))
        self.counter = 0

    def _nonce(self):
        n = self.counter.to_bytes(12, "little")
        self.counter += 1
        return n

    def seal(self, plain):
        return self.aead.encrypt(self._nonce(), plain, None)

    def open(self, sealed):
        try:
            return self.aead.decrypt(self._nonce(), sealed, None)
        except InvalidTag:
            raise ProtocolError("bad_auth", "chunk fails authentication")

    def chunks(self, data):
        """data as length and payload chunks of at most 0xFFFF bytes"""
        out = []
        for i in range(0, len(data), MAX_CHUNK):
            piece = data[i:i + MAX_CHUNK]
            out.append(self.seal(struct.pack(">H", len(piece))))
            out.append(self.seal(piece))
        return b"".join(out)


def request_fixed_header(timestamp, var_len):
    """type 0, u64be timestamp, u16be length of the variable header"""
    return struct.pack(">BQH", TYPE_CLIENT, timestamp, var_len)


def request_var_header(addr, padding, payload):
    """SOCKS5 address, u16be padding length, padding, initial payload"""
    return addr + struct.pack(">H", len(padding)) + padding + payload


def response_fixed_header(timestamp, request_salt, length):
    """type 1, u64be timestamp, request salt, u16be first payload length"""
    return (struct.pack(">BQ", TYPE_SERVER, timestamp) + request_salt
            + struct.pack(">H", length))


def identity_headers_tcp(psks, salt):
    """SIP023: one 16-byte header per iPSK, each the next key's hash under
    the iPSK's identity subkey"""
    return b"".join(aes_ecb(identity_subkey(psks[i], salt),
                            psk_hash(psks[i + 1]))
                    for i in range(len(psks) - 1))


def tcp_request_from_plain(method, psks, salt, fixed_plain, var_plain):
    """(first write, Stream): salt, identity headers, the two header chunks
    sealed as given. The stream goes on with the counter at 2."""
    st = Stream(method, psks[-1], salt)
    return (salt + identity_headers_tcp(psks, salt) + st.seal(fixed_plain)
            + st.seal(var_plain)), st


def tcp_request(method, psks, target, payload=b"", padding=None,
                timestamp=None, salt=None):
    """(first write, salt, Stream) of a request stream to target (a SOCKS5
    address). Padding: None for random 1..900 bytes when there is no
    payload, none otherwise."""
    klen = METHODS[method][0]
    salt = salt if salt is not None else os.urandom(klen)
    if padding is None:
        padding = b"" if payload else os.urandom(
            1 + int.from_bytes(os.urandom(2), "big") % MAX_PADDING)
    if timestamp is None:
        timestamp = int(time.time())
    var = request_var_header(target, padding, payload)
    if len(var) > MAX_CHUNK:
        raise ValueError("variable header over 0xFFFF bytes")
    first, st = tcp_request_from_plain(
        method, psks, salt, request_fixed_header(timestamp, len(var)), var)
    return first, salt, st


def tcp_response(method, psk, request_salt, payload, timestamp=None,
                 salt=None):
    """(first write, Stream) of a response stream: salt, the fixed header
    (which is the first length chunk), the first payload chunk"""
    if not 0 < len(payload) <= MAX_CHUNK:
        raise ValueError("first response payload of 1..0xFFFF bytes")
    klen = METHODS[method][0]
    salt = salt if salt is not None else os.urandom(klen)
    if timestamp is None:
        timestamp = int(time.time())
    st = Stream(method, psk, salt)
    hdr = response_fixed_header(timestamp, request_salt, len(payload))
    return salt + st.seal(hdr) + st.seal(payload), st


def check_time(ts, now=None):
    now = time.time() if now is None else now
    if abs(now - ts) > TIME_WINDOW:
        raise ProtocolError("bad_timestamp", f"{int(now - ts)} s off")


def parse_request_fixed(plain, now=None):
    """length of the variable header, after checking type and timestamp"""
    typ, ts, length = struct.unpack(">BQH", plain)
    if typ != TYPE_CLIENT:
        raise ProtocolError("bad_header", f"request type {typ}")
    check_time(ts, now)
    return length


def parse_request_var(plain):
    """(host, port, padding length, initial payload) of a variable header
    (§3.1.4: padding within the chunk, payload or padding present)"""
    try:
        host, port, alen = parse_addr(plain)
    except (ValueError, IndexError, UnicodeDecodeError) as e:
        raise ProtocolError("bad_header", f"address: {e}")
    if len(plain) < alen + 2:
        raise ProtocolError("bad_header", "no padding length")
    plen, = struct.unpack(">H", plain[alen:alen + 2])
    if plen > MAX_PADDING or alen + 2 + plen > len(plain):
        raise ProtocolError("bad_header", f"padding length {plen}")
    payload = plain[alen + 2 + plen:]
    if not payload and plen == 0:
        raise ProtocolError("no_payload_no_padding")
    return host, port, plen, payload


def parse_response_fixed(plain, request_salt, now=None):
    """length of the first payload chunk, after checking the header"""
    klen = len(request_salt)
    if len(plain) != 11 + klen:
        raise ProtocolError("bad_header", "response header size")
    typ, ts = struct.unpack(">BQ", plain[:9])
    if typ != TYPE_SERVER:
        raise ProtocolError("bad_header", f"response type {typ}")
    check_time(ts, now)
    if plain[9:9 + klen] != request_salt:
        raise ProtocolError("bad_header", "response for another request")
    return struct.unpack(">H", plain[9 + klen:])[0]


# ---------------------------------------------------------------- UDP

def udp_client_body(timestamp, addr, payload, padding=b""):
    """type 0, timestamp, padding length, padding, address, payload"""
    return (struct.pack(">BQH", TYPE_CLIENT, timestamp, len(padding))
            + padding + addr + payload)


def udp_server_body(timestamp, client_session, addr, payload, padding=b""):
    """type 1, timestamp, client session ID, padding length, padding,
    address, payload"""
    return (struct.pack(">BQ", TYPE_SERVER, timestamp) + client_session
            + struct.pack(">H", len(padding)) + padding + addr + payload)


def parse_udp_body(body, now=None):
    """dict of a message body (either direction), after checking the
    timestamp: type, client_session (server messages), host, port, payload"""
    try:
        typ, ts = struct.unpack(">BQ", body[:9])
        off = 9
        out = {"type": typ}
        if typ == TYPE_SERVER:
            out["client_session"] = body[off:off + 8]
            off += 8
        elif typ != TYPE_CLIENT:
            raise ProtocolError("bad_header", f"packet type {typ}")
        plen, = struct.unpack(">H", body[off:off + 2])
        off += 2 + plen
        if plen > MAX_PADDING or off > len(body):
            raise ProtocolError("bad_header", f"padding length {plen}")
        host, port, alen = parse_addr(body[off:])
    except (struct.error, ValueError, IndexError, UnicodeDecodeError) as e:
        if isinstance(e, ProtocolError):
            raise
        raise ProtocolError("bad_header", f"body: {e}")
    check_time(ts, now)
    out.update(host=host, port=port, payload=body[off + alen:], timestamp=ts)
    return out


def udp_seal(method, psks, session_id, packet_id, body, nonce=None):
    """One packet. AES methods: the separate header under psks[0] (AES),
    one identity header per iPSK (SIP023), the body under the session
    subkey of psks[-1] with nonce separate_header[4:16]. ChaCha: a 24-byte
    nonce, then session ID, packet ID and body under XChaCha20-Poly1305
    with the PSK itself (§4.1)."""
    sep = session_id + struct.pack(">Q", packet_id)
    if not is_aes(method):
        nonce = nonce if nonce is not None else os.urandom(24)
        return nonce + XChaCha20Poly1305(psks[0]).encrypt(nonce, sep + body,
                                                          None)
    out = [aes_ecb(psks[0], sep)]
    for i in range(len(psks) - 1):
        out.append(aes_ecb(psks[i], xor(psk_hash(psks[i + 1]), sep)))
    aead = AESGCM(session_subkey(psks[-1], session_id))
    out.append(aead.encrypt(sep[4:16], body, None))
    return b"".join(out)


def udp_open_header(method, psk, pkt, users=None):
    """(session ID, packet ID, user PSK or None, rest) of a packet, the
    separate header decrypted (and with users, a {hash: uPSK} table, the
    identity header looked up). ChaCha: rest is the decrypted body."""
    if not is_aes(method):
        if len(pkt) < 24 + 16 + TAG:
            raise ProtocolError("bad_header", "short packet")
        try:
            plain = XChaCha20Poly1305(psk).decrypt(pkt[:24], pkt[24:], None)
        except InvalidTag:
            raise ProtocolError("bad_auth", "packet fails authentication")
        return plain[:8], struct.unpack(">Q", plain[8:16])[0], None, \
            plain[16:]
    need = 16 + (16 if users is not None else 0) + TAG
    if len(pkt) < need:
        raise ProtocolError("bad_header", "short packet")
    sep = aes_ecb(psk, pkt[:16], decrypt=True)
    rest = pkt[16:]
    user = None
    if users is not None:
        h = xor(aes_ecb(psk, rest[:16], decrypt=True), sep)
        user = users.get(h)
        if user is None:
            raise ProtocolError("unknown_user")
        rest = rest[16:]
    return sep[:8], struct.unpack(">Q", sep[8:])[0], user, rest


def udp_open_body(method, psk, session_id, packet_id, rest):
    """the body of an AES method's packet (rest from udp_open_header)"""
    if not is_aes(method):
        return rest
    sep = session_id + struct.pack(">Q", packet_id)
    try:
        return AESGCM(session_subkey(psk, session_id)).decrypt(
            sep[4:16], rest, None)
    except InvalidTag:
        raise ProtocolError("bad_auth", "body fails authentication")


class ReplayWindow:
    """Sliding window of packet IDs (the highest seen and a bitmap of the
    REPLAY_WINDOW below it), as in WireGuard: check() before, update()
    only after the packet is validated (§3.2.4)."""

    def __init__(self, size=REPLAY_WINDOW):
        self.size = size
        self.top = -1
        self.bits = 0	# bit i: top - i seen

    def check(self, pid):
        if pid > self.top:
            return True
        d = self.top - pid
        return d < self.size and not (self.bits >> d) & 1

    def update(self, pid):
        if pid > self.top:
            shift = pid - self.top
            self.bits = ((self.bits << shift) | 1) & ((1 << self.size) - 1) \
                if shift < self.size else 1
            self.top = pid
        else:
            self.bits |= 1 << (self.top - pid)


# ---------------------------------------------------------------- I/O

def recv_exact(s, n):
    """n bytes, or EOFError (with what came) if the stream ends first"""
    buf = bytearray()
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            raise EOFError(bytes(buf))
        buf += d
    return bytes(buf)


def listen_addr(spec):
    host, port = split_hostport(spec)
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    return fam, host, port


def bind_pair(spec):
    """a TCP and a UDP socket on the same port (port 0: a free one)"""
    fam, host, port = listen_addr(spec)
    for _ in range(50):
        t = socket.socket(fam, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind((host, port))
        p = t.getsockname()[1]
        u = socket.socket(fam, socket.SOCK_DGRAM)
        try:
            u.bind((host, p))
        except OSError:
            t.close()
            u.close()
            if port:
                raise
            continue
        t.listen(128)
        return t, u, f"[{host}]:{p}" if fam == socket.AF_INET6 else \
            f"{host}:{p}"
    raise OSError("no free port for TCP and UDP")


def write_atomic(path, text):
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def resolve(host, port, kind):
    return socket.getaddrinfo(host, port, 0, kind)[0]


def sockaddr_socks(sa):
    """the SOCKS5 address of a socket address (IPv4-mapped as IPv4)"""
    ip = ipaddress.ip_address(sa[0].split("%")[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return socks_addr(str(ip), sa[1])


# ------------------------------------------------------------- server

class Stats:
    """Counters, rewritten to a JSON file (if any) at each change; a lazy
    one (a per-packet counter: a file rewrite per packet would slow a
    datagram flood tenfold) within LAZY seconds."""

    LAZY = 0.2

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.c = {}
        self.dirty = False
        if path:
            threading.Thread(target=self.flusher, daemon=True).start()

    def write(self):
        """under the lock"""
        self.dirty = False
        if self.path:
            write_atomic(self.path, json.dumps(self.c, sort_keys=True) + "\n")

    def flusher(self):
        while True:
            time.sleep(self.LAZY)
            with self.lock:
                if self.dirty:
                    self.write()

    def bump(self, name, lazy=False):
        with self.lock:
            self.c[name] = self.c.get(name, 0) + 1
            if lazy:
                self.dirty = True
            else:
                self.write()


class SaltPool:
    """Every accepted request salt for 60 s, exactly (§3.1.5)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.salts = {}

    def add(self, salt, now=None):
        """False if salt was seen within SALT_TTL"""
        now = time.monotonic() if now is None else now
        with self.lock:
            for s in [s for s, t in self.salts.items()
                      if now - t > SALT_TTL]:
                del self.salts[s]
            if salt in self.salts:
                return False
            self.salts[salt] = now
            return True


class Server:
    def __init__(self, method, key, users, stats, verbose):
        self.method = method
        self.klen = METHODS[method][0]
        self.key = key
        # SIP023: {psk_hash(uPSK): uPSK}
        self.users = None if users is None else {
            psk_hash(u): u for u in users.values()}
        self.stats = stats
        self.verbose = verbose
        self.salts = SaltPool()
        self.sessions = {}
        # a broken server, for testing clients: quote another salt
        self.bad_response_salt = False

    def log(self, text):
        if self.verbose:
            print(f"ss2022 server: {text}", file=sys.stderr, flush=True)

    # TCP ------------------------------------------------------------

    def refuse(self, conn, kind):
        """§3.1.4 strategy 2: FIN now, then read until the peer's EOF"""
        self.stats.bump("tcp_" + kind)
        self.log(f"tcp refused: {kind}")
        try:
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(60)
            while conn.recv(65536):
                pass
        except OSError:
            pass
        conn.close()

    def tcp_handle(self, conn):
        try:
            self._tcp_handle(conn)
        except Exception as e:  # noqa: BLE001
            self.log(f"tcp: {e!r}")
            conn.close()

    def _tcp_handle(self, conn):
        klen = self.klen
        eih = 16 if self.users is not None else 0
        want = klen + eih + 11 + TAG
        conn.settimeout(30)
        try:
            first = conn.recv(want + 65536)	# exactly one read
        except OSError:
            first = b""
        if len(first) < want:
            return self.refuse(conn, "short_header")
        salt = first[:klen]
        psk = self.key
        if self.users is not None:
            h = aes_ecb(identity_subkey(self.key, salt),
                        first[klen:klen + 16], decrypt=True)
            psk = self.users.get(h)
            if psk is None:
                return self.refuse(conn, "unknown_user")
        up = Stream(self.method, psk, salt)
        try:
            vlen = parse_request_fixed(up.open(first[klen + eih:want]))
        except ProtocolError as e:
            return self.refuse(conn, e.kind)
        if not self.salts.add(salt):
            return self.refuse(conn, "replay")
        rest = first[want:]
        if len(rest) < vlen + TAG:
            try:
                rest += recv_exact(conn, vlen + TAG - len(rest))
            except (EOFError, OSError):
                return self.refuse(conn, "short_header")
        try:
            host, port, _, payload = parse_request_var(
                up.open(rest[:vlen + TAG]))
        except ProtocolError as e:
            return self.refuse(conn, e.kind)
        rest = rest[vlen + TAG:]
        try:
            target = socket.create_connection((host, port), timeout=10)
        except OSError as e:
            self.log(f"tcp connect {host}:{port}: {e}")
            self.stats.bump("tcp_connect_failed")
            conn.close()
            return
        self.stats.bump("tcp_accepted")
        conn.settimeout(None)
        target.settimeout(None)
        if payload:
            target.sendall(payload)
        t = threading.Thread(target=self.tcp_up,
                             args=(conn, target, up, rest), daemon=True)
        t.start()
        self.tcp_down(conn, target, psk, salt)
        t.join()
        conn.close()
        target.close()

    def tcp_up(self, conn, target, st, buf):
        """client to target: length and payload chunks"""
        buf = bytearray(buf)

        def take(n):
            while len(buf) < n:
                d = conn.recv(65536 + 2 * TAG)
                if not d:
                    raise EOFError(len(buf))
                buf.extend(d)
            out = bytes(buf[:n])
            del buf[:n]
            return out
        try:
            while True:
                try:
                    lc = take(2 + TAG)
                except EOFError as e:
                    if e.args[0]:
                        self.stats.bump("tcp_truncated")
                    break
                n, = struct.unpack(">H", st.open(lc))
                target.sendall(st.open(take(n + TAG)))
        except ProtocolError as e:
            self.stats.bump("tcp_bad_chunk")
            self.log(f"tcp chunk: {e}")
        except (EOFError, OSError) as e:
            self.log(f"tcp up: {e!r}")
        try:
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def tcp_down(self, conn, target, psk, request_salt):
        """target to client: the response header with the first data, then
        chunks; the target's EOF becomes a half-close"""
        st = None
        try:
            while True:
                d = target.recv(MAX_CHUNK)
                if not d:
                    break
                if st is None:
                    quoted = request_salt
                    if self.bad_response_salt:
                        quoted = os.urandom(len(request_salt))
                    out, st = tcp_response(self.method, psk, quoted, d)
                    conn.sendall(out)
                else:
                    conn.sendall(st.chunks(d))
        except OSError as e:
            self.log(f"tcp down: {e!r}")
        try:
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def tcp_loop(self, lsock):
        while True:
            conn, _ = lsock.accept()
            threading.Thread(target=self.tcp_handle, args=(conn,),
                             daemon=True).start()

    # UDP ------------------------------------------------------------

    def udp_loop(self, usock):
        sel = selectors.DefaultSelector()
        sel.register(usock, selectors.EVENT_READ, None)
        last_sweep = time.monotonic()
        while True:
            for key, _ in sel.select(timeout=5):
                if key.data is None:
                    pkt, src = usock.recvfrom(65536)
                    try:
                        self.udp_from_client(sel, usock, pkt, src)
                    except ProtocolError as e:
                        self.stats.bump("udp_" + e.kind)
                        self.log(f"udp from {src}: {e}")
                else:
                    sess = key.data
                    data, sa = key.fileobj.recvfrom(65536)
                    self.udp_to_client(usock, sess, data, sa)
            now = time.monotonic()
            if now - last_sweep > 5:
                last_sweep = now
                for csid in [c for c, s in self.sessions.items()
                             if now - s["last"] > UDP_SESSION_TTL]:
                    for s in self.sessions.pop(csid)["socks"].values():
                        sel.unregister(s)
                        s.close()

    def udp_from_client(self, sel, usock, pkt, src):
        csid, pid, user, rest = udp_open_header(self.method, self.key, pkt,
                                                self.users)
        sess = self.sessions.get(csid)
        psk = user or self.key
        if sess is not None:
            if sess["psk"] != psk:
                raise ProtocolError("unknown_user", "session of another user")
            if not sess["window"].check(pid):
                raise ProtocolError("replay", f"packet ID {pid}")
        body = parse_udp_body(udp_open_body(self.method, psk, csid, pid,
                                            rest))
        if body["type"] != TYPE_CLIENT:
            raise ProtocolError("bad_header", "server packet")
        if sess is None:
            sess = {"psk": psk, "window": ReplayWindow(),
                    "ssid": os.urandom(8), "spid": 0, "socks": {},
                    "csid": csid}
            self.sessions[csid] = sess
            self.stats.bump("udp_sessions")
        sess["window"].update(pid)
        sess["addr"] = src	# follow the client's last address
        sess["last"] = time.monotonic()
        self.stats.bump("udp_packets", lazy=True)
        try:
            fam, typ, proto, _, sa = resolve(body["host"], body["port"],
                                             socket.SOCK_DGRAM)
        except OSError as e:
            raise ProtocolError("resolve_failed", str(e))
        s = sess["socks"].get(fam)
        if s is None:
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.setblocking(False)
            sess["socks"][fam] = s
            sel.register(s, selectors.EVENT_READ, sess)
        try:
            s.sendto(body["payload"], sa)
        except OSError as e:
            self.log(f"udp to {sa}: {e}")

    def udp_to_client(self, usock, sess, data, sa):
        body = udp_server_body(int(time.time()), sess["csid"],
                               sockaddr_socks(sa), data)
        pkt = udp_seal(self.method, [sess["psk"]], sess["ssid"], sess["spid"],
                       body)
        sess["spid"] += 1
        try:
            usock.sendto(pkt, sess["addr"])
        except OSError as e:
            self.log(f"udp to client {sess['addr']}: {e}")


def mode_server(a):
    key = decode_psk(a.key, a.method)
    users = None
    if a.users:
        if not is_aes(a.method):
            sys.exit("ss2022: --users (SIP023) needs an AES method")
        with open(a.users) as f:
            users = {n: decode_psk(k, a.method)
                     for n, k in json.load(f).items()}
    stats = Stats(a.stats)
    srv = Server(a.method, key, users, stats, a.verbose)
    srv.bad_response_salt = a.bad_response_salt
    tsock, usock, where = bind_pair(a.listen)
    if a.stats:
        write_atomic(a.stats, "{}\n")
    threading.Thread(target=srv.udp_loop, args=(usock,), daemon=True).start()
    if a.ready_file:
        write_atomic(a.ready_file, where + "\n")
    srv.log(f"listening on {where} ({a.method}"
            f"{', %d users' % len(users) if users else ''})")
    try:
        srv.tcp_loop(tsock)
    except KeyboardInterrupt:
        return 0


# ------------------------------------------------------------- client

def connect(server):
    host, port = split_hostport(server)
    return socket.create_connection((host, port), timeout=10)


def first_write(a, psks, target, payload):
    ts = int(time.time()) + a.timestamp_offset
    padding = b"" if a.no_padding_no_payload else None
    if a.no_padding_no_payload:
        payload = b""
    return tcp_request(a.method, psks, target, payload, padding, ts)


def read_response(s, method, psk, request_salt, sink, limit=None):
    """the response stream into sink(bytes) until EOF; returns its length.
    Raises EOFError(b"...") if the stream ends inside a chunk."""
    klen = METHODS[method][0]
    try:
        hdr = recv_exact(s, klen + 11 + klen + TAG)
    except EOFError as e:
        if not e.args[0]:
            return 0
        raise
    st = Stream(method, psk, hdr[:klen])
    n = parse_response_fixed(st.open(hdr[klen:]), request_salt)
    total = 0
    while True:
        data = st.open(recv_exact(s, n + TAG))
        sink(data)
        total += len(data)
        if limit is not None and total >= limit:
            return total
        try:
            lc = recv_exact(s, 2 + TAG)
        except EOFError as e:
            if e.args[0]:
                raise
            return total
        n, = struct.unpack(">H", st.open(lc))


CLOSED_AFTER = []	# seconds from the connect to each refusal's close


def refused(s, wait, t0=None):
    """True if the server closes with no data within wait seconds; the
    close's time, from t0 (default: now), goes to CLOSED_AFTER"""
    t0 = t0 or time.monotonic()
    s.settimeout(wait)
    try:
        d = s.recv(65536)
    except socket.timeout:
        print("# no EOF within %g s" % wait, file=sys.stderr)
        return False
    except ConnectionResetError:
        return True
    CLOSED_AFTER.append(round(time.monotonic() - t0, 2))
    if d:
        print("# got %d bytes" % len(d), file=sys.stderr)
    return not d


def send_first(s, a, first):
    """the first write: whole, or one byte per send() --byte-delay
    seconds apart"""
    if not a.byte_delay:
        s.sendall(first)
        return
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for i in range(len(first)):
        s.sendall(first[i:i + 1])
        time.sleep(a.byte_delay)


def tcp_echo_check(a, psks, target):
    data = os.urandom(a.echo_check)
    init = data[:min(len(data), 4000)]
    first, salt, st = first_write(a, psks, target, init)
    if a.save_first:
        with open(a.save_first, "wb") as f:
            f.write(first)
    s = connect(a.server)
    send_first(s, a, first)

    def send_rest():
        try:
            rest = data[len(init):]
            for i in range(0, len(rest), 1 << 20):
                s.sendall(st.chunks(rest[i:i + (1 << 20)]))
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            print(f"# send: {e}", file=sys.stderr)
    t = threading.Thread(target=send_rest, daemon=True)
    t.start()
    got = hashlib.sha256()
    s.settimeout(a.wait)
    n = read_response(s, a.method, psks[-1], salt, got.update)
    t.join()
    ok = n == len(data) and got.digest() == hashlib.sha256(data).digest()
    print(json.dumps({"sent": len(data), "received": n, "ok": ok}))
    return 0 if ok else 1


def mode_client_tcp(a):
    psks = decode_psks(a.key, a.method)
    target = socks_addr(*split_hostport(a.target))
    if a.echo_check is not None:
        return tcp_echo_check(a, psks, target)
    if a.replay or a.expect_refused:
        probe = os.urandom(32)
        first, salt, _ = first_write(a, psks, target, probe)
        result = {}
        if a.replay:
            s = connect(a.server)
            s.sendall(first)
            s.settimeout(a.wait)
            got = bytearray()
            try:
                read_response(s, a.method, psks[-1], salt, got.extend,
                              limit=len(probe))
            except (EOFError, OSError, ProtocolError) as e:
                print(f"# first connection: {e!r}", file=sys.stderr)
            s.close()
            result["first_answered"] = bytes(got) == probe
        s = connect(a.server)
        t0 = time.monotonic()
        try:
            send_first(s, a, first)
        except OSError as e:
            # the server may close while a trickle is still being sent
            print(f"# send: {e}", file=sys.stderr)
        result["refused"] = refused(s, a.wait, t0)
        s.close()
        ok = all(result.values())
        result["ok"] = ok
        if CLOSED_AFTER:
            result["closed_after"] = CLOSED_AFTER[-1]
        print(json.dumps(result))
        return 0 if ok else 1
    # stdin to the target, the answer to stdout
    first, salt, st = first_write(a, psks, target, b"")
    s = connect(a.server)
    s.settimeout(None)
    s.sendall(first)

    def pump():
        try:
            while True:
                d = os.read(0, MAX_CHUNK)
                if not d:
                    break
                s.sendall(st.chunks(d))
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    threading.Thread(target=pump, daemon=True).start()
    out = sys.stdout.buffer

    def sink(d):
        out.write(d)
        out.flush()
    read_response(s, a.method, psks[-1], salt, sink)
    return 0


class UdpSession:
    """One client session: its ID, its packet ID counter, and for each
    server session ID seen in its replies, a ReplayWindow (§3.2.4)."""

    def __init__(self):
        self.csid = os.urandom(8)
        self.pid = 0
        self.windows = {}	# server session ID: ReplayWindow


class UdpClient:
    """Client sessions over one connected UDP socket, which --rebind-every
    replaces (a new source port) every K packets sent."""

    def __init__(self, a):
        self.method = a.method
        self.psks = decode_psks(a.key, a.method)
        self.sessions = [UdpSession() for _ in range(a.sessions)]
        self.by_csid = {s.csid: s for s in self.sessions}
        host, port = split_hostport(a.server)
        self.fam = resolve(host, port, socket.SOCK_DGRAM)[0]
        self.server = (host, port)
        self.s = self.open()
        self.ts_offset = a.timestamp_offset
        self.rebind_every = a.rebind_every
        self.sent = 0
        self.rebinds = 0
        self.bad = 0		# replies that fail a check
        self.watch = {}		# payload: name, of packets no one may answer
        self.answered = []	# names of those answered all the same
        self.save_sent = a.save_sent

    def open(self):
        s = socket.socket(self.fam, socket.SOCK_DGRAM)
        s.connect(self.server)
        return s

    def move_to(self, server):
        """the sessions go on with another server (one with the key)"""
        host, port = split_hostport(server)
        self.fam = resolve(host, port, socket.SOCK_DGRAM)[0]
        self.server = (host, port)
        self.s.close()
        self.s = self.open()

    def rebind(self):
        """a new socket (opened first, so its port differs), the old one
        closed: to the server, the client has moved"""
        new = self.open()
        self.s.close()
        self.s = new
        self.rebinds += 1

    def send(self, pkt):
        if self.rebind_every and self.sent and \
                self.sent % self.rebind_every == 0:
            self.rebind()
        self.s.send(pkt)
        if self.save_sent and not self.sent:
            with open(self.save_sent, "wb") as f:
                f.write(pkt)
        self.sent += 1

    def seal(self, sess, body):
        """body as the session's next packet"""
        pkt = udp_seal(self.method, self.psks, sess.csid, sess.pid, body)
        sess.pid += 1
        return pkt

    def body(self, target, payload, age=0):
        return udp_client_body(int(time.time()) + self.ts_offset - age,
                               target, payload)

    def packet(self, target, payload, sess=None):
        return self.seal(sess or self.sessions[0], self.body(target, payload))

    def receive(self, wait):
        """(session, payload, host, port) of the next valid reply, or None.
        A reply is matched to its client session by the client session ID
        in its header, then checked against that session's window for its
        server session ID."""
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                pkt = self.s.recv(65536)
            except socket.timeout:
                return None
            try:
                ssid, pid, _, rest = udp_open_header(self.method,
                                                     self.psks[-1], pkt)
                b = parse_udp_body(udp_open_body(
                    self.method, self.psks[-1], ssid, pid, rest))
                if b["type"] != TYPE_SERVER:
                    raise ProtocolError("bad_header", "client packet")
                sess = self.by_csid.get(b["client_session"])
                if sess is None:
                    raise ProtocolError("bad_header", "unknown session "
                                        + b["client_session"].hex())
                if ssid == sess.csid:
                    raise ProtocolError("bad_header", "server session ID "
                                        "is the client session ID")
                w = sess.windows.get(ssid) or ReplayWindow()
                if not w.check(pid):
                    raise ProtocolError("replay", f"packet ID {pid}")
                w.update(pid)
                sess.windows[ssid] = w
            except ProtocolError as e:
                self.bad += 1
                print(f"# bad reply: {e}", file=sys.stderr)
                continue
            if b["payload"] in self.watch:
                name = self.watch[b["payload"]]
                self.answered.append(name)
                print(f"# answered: {name}", file=sys.stderr)
                continue
            return sess, b["payload"], b["host"], b["port"]

    def wait_for(self, payload, wait):
        """the reply carrying payload, or None; others are passed over
        (late answers to earlier tries)"""
        r = self.receive(wait)
        while r is not None and r[1] != payload:
            r = self.receive(wait)
        return r

    def server_sessions(self):
        """the most server sessions any one client session has seen"""
        return max(len(s.windows) for s in self.sessions)


def udp_bad_packets(c, target):
    """(name, payload, packet) of datagrams a server must drop, all of the
    first session and each with a fresh packet ID, so that a server that
    drops them keeps its window as it was: a flipped tag byte, type 1, a
    timestamp 40 s old, a padding length one past the end, a packet one
    byte short of its headers and a tag."""
    sess = c.sessions[0]
    out = []

    def bad(name, body=None, age=0):
        payload = b"bad: " + name.encode() + b" " + os.urandom(8)
        b = c.body(target, payload, age)
        return name, payload, c.seal(sess, body(b) if body else b)
    name, payload, p = bad("flipped tag byte")
    out.append((name, payload, p[:-1] + bytes([p[-1] ^ 0x80])))
    out.append(bad("type 1", lambda b: bytes([TYPE_SERVER]) + b[1:]))
    out.append(bad("40 s old", age=40))
    # type, timestamp, padding length 0, then the rest: make the padding
    # run one byte past the end
    out.append(bad("padding past the end", lambda b: b[:9] + struct.pack(
        ">H", len(b) - 11 + 1) + b[11:]))
    hdr = 16 * len(c.psks) if is_aes(c.method) else 24 + 16
    name, payload, p = bad("truncated")
    out.append((name, payload, p[:hdr + TAG - 1]))
    return out


def udp_bad_run(a, c, target):
    """--bad-packets: a probe answered; then the bad packets and the probe
    again (a replay), each once; then a fence packet. Any answer before
    the fence's, or in the second (at most --wait) after it, counts, and
    so does a later answer carrying a bad packet's payload. Returns (bad
    packets sent, answered), answered None if the probe or the fence got
    no answer."""
    sess = c.sessions[0]
    probe = None
    for attempt in range(a.retries + 1):
        payload = b"probe %d " % attempt + os.urandom(8)
        pkt = c.packet(target, payload, sess)
        c.send(pkt)
        if c.wait_for(payload, a.wait) is not None:
            probe = ("replay", payload, pkt)
            break
    if probe is None:
        print("# bad packets: the probe got no answer", file=sys.stderr)
        return 0, None
    bad = udp_bad_packets(c, target) + [probe]
    for name, payload, pkt in bad:
        c.watch[payload] = name
        c.send(pkt)
    fence = b"fence " + os.urandom(8)
    c.send(c.packet(target, fence, sess))
    fenced = False
    while True:
        r = c.receive(min(a.wait, 1) if fenced else a.wait)
        if r is None:
            break
        if r[1] == fence:
            fenced = True
            continue
        c.answered.append("unexpected reply " + r[1][:16].hex())
        print(f"# answered: {c.answered[-1]}", file=sys.stderr)
    if not fenced:
        print("# bad packets: the fence got no answer", file=sys.stderr)
        return len(bad), None
    return len(bad), len(c.answered)


def reply_faults(r, sess, port, want_host):
    """how many of the checks a reply (UdpClient.receive()) to a datagram
    of session sess fails: its session, the replying port and host (want
    None for a name)"""
    n = 0
    if r[0] is not sess:
        n += 1
        print("# reply for another session", file=sys.stderr)
    if r[3] != port or (want_host and r[2] != want_host):
        n += 1
        print(f"# reply from {r[2]}:{r[3]}", file=sys.stderr)
    return n


def udp_windowed(a, c, target, port, want_host):
    """(ok, bad, retries) of a.count datagrams with up to a.window in
    flight. Each payload starts with its sequence number, so a reply is
    matched by payload; one not answered is sent again (a new packet ID)
    on windowed.py's timer, no sooner than a.wait, up to a.retries times."""
    bad = 0

    def make(i):
        n = max(4, a.min + int.from_bytes(os.urandom(4), "big")
                % (a.max - a.min + 1))
        return (i.to_bytes(4, "big") + os.urandom(n - 4),
                c.sessions[i % len(c.sessions)])

    def receive(timeout):
        r = c.receive(timeout)
        return None if r is None else (r[1], r)

    def answered(r, sess):
        nonlocal bad
        bad += reply_faults(r, sess, port, want_host)

    def lost(payload):
        print(f"# datagram {int.from_bytes(payload[:4], 'big')} "
              "never answered", file=sys.stderr)

    ok, _, retries = windowed.run(
        a.count, a.window, a.retries, a.wait, make,
        lambda payload, sess: c.send(c.packet(target, payload, sess)),
        receive, answered, lost)
    return ok, bad, retries


def mode_client_udp(a):
    if a.sessions < 1 or a.rebind_every < 0 or a.window < 1:
        sys.exit("ss2022: --sessions and --window at least 1, "
                 "--rebind-every at least 0")
    c = UdpClient(a)
    host, port = split_hostport(a.target)
    target = socks_addr(host, port)
    if a.replay:
        pkt = c.packet(target, b"once")
        c.send(pkt)
        first = c.receive(a.wait)
        c.send(pkt)
        second = c.receive(a.wait)
        ok = first is not None and second is None
        print(json.dumps({"first_answered": first is not None,
                          "replay_answered": second is not None, "ok": ok}))
        return 0 if ok else 1
    bad_sent = bad_answered = None
    if a.bad_packets:
        bad_sent, bad_answered = udp_bad_run(a, c, target)
    want_host = str(ipaddress.ip_address(host)) if target[0] != 3 else None
    ok = bad = retries = 0
    if a.window > 1:
        ok, bad, retries = udp_windowed(a, c, target, port, want_host)

    def one_at_a_time(count):
        nonlocal bad, retries
        ok = 0
        for i in range(count):
            sess = c.sessions[i % len(c.sessions)]
            n = a.min + int.from_bytes(os.urandom(4), "big") \
                % (a.max - a.min + 1)
            payload = os.urandom(n)
            for attempt in range(a.retries + 1):
                retries += bool(attempt)
                c.send(c.packet(target, payload, sess))
                r = c.wait_for(payload, a.wait)
                if r is None:
                    continue
                bad += reply_faults(r, sess, port, want_host)
                ok += 1
                break
        return ok

    if a.window == 1:
        ok += one_at_a_time(a.count)
    ok_after = None
    if a.resume_after:
        print(json.dumps({"paused": ok}), flush=True)
        deadline = time.monotonic() + 120
        while not os.path.exists(a.resume_after) and \
                time.monotonic() < deadline:
            time.sleep(0.1)
        if a.resume_server:
            c.move_to(a.resume_server)
        ok_after = one_at_a_time(a.count)
    if bad_answered is not None:
        bad_answered = len(c.answered)	# late answers too
    res = {"sent": a.count, "ok": ok, "retries": retries,
           "bad": bad + c.bad, "sessions": len(c.sessions),
           "server_sessions": c.server_sessions(), "rebinds": c.rebinds}
    if a.bad_packets:
        res.update(bad_sent=bad_sent, bad_answered=bad_answered)
    if ok_after is not None:
        res["ok_after"] = ok_after
    if a.expect_none:
        res["expect"] = "no answer"
        print(json.dumps(res))
        return 0 if ok == 0 else 1
    print(json.dumps(res))
    good = ok == a.count and not res["bad"] and \
        ok_after in (None, a.count)
    return 0 if good and (not a.bad_packets or bad_answered == 0) else 1


# --------------------------------------------------------------- echo

def mode_echo(a):
    tsock, usock, where = bind_pair(a.listen)

    def udp():
        while True:
            d, src = usock.recvfrom(65536)
            usock.sendto(d, src)

    def tcp(conn):
        with conn:
            try:
                while True:
                    d = conn.recv(65536)
                    if not d:
                        break
                    conn.sendall(d)
                conn.shutdown(socket.SHUT_WR)
            except OSError:
                pass
    threading.Thread(target=udp, daemon=True).start()
    if a.ready_file:
        write_atomic(a.ready_file, where + "\n")
    try:
        while True:
            conn, _ = tsock.accept()
            threading.Thread(target=tcp, args=(conn,), daemon=True).start()
    except KeyboardInterrupt:
        return 0


# ----------------------------------------------------------- selftest

class Tap(blake3.Tap):
    """blake3.py's TAP lines, with the checks the codec's self-test makes"""

    def equal(self, got, want, text):
        self.result(got == want, text, [] if got == want else
                    [f"want {want.hex()}", f"got  {got.hex()}"])

    def raises(self, kind, fn, text):
        try:
            fn()
        except ProtocolError as e:
            self.result(e.kind == kind, text, [] if e.kind == kind else
                        [f"raised {e.kind}, want {kind}"])
            return
        self.result(False, text, [f"no {kind} error"])


def field(entry, name):
    if name + "_b64" in entry:
        return base64.b64decode(entry[name + "_b64"], validate=True)
    return bytes.fromhex(entry[name])


def selftest_vectors(tap, vectors):
    """the known answers"""
    hv = vectors["2022-blake3-chacha20-poly1305"]["hchacha20_draft_vector"]
    tap.equal(hchacha20(field(hv, "key"), field(hv, "nonce16")),
              field(hv, "out"), "hchacha20: draft-irtf-cfrg-xchacha vector")
    tap.equal(hchacha20(field(hv, "key"), field(hv, "nonce16"), slow=True),
              field(hv, "out"), "hchacha20 (the rounds in Python): the same "
              "vector")

    m = "2022-blake3-aes-128-gcm"
    v = vectors[m]
    psk, salt = field(v, "psk"), field(v, "salt")
    tap.equal(session_subkey(psk, salt), field(v, "session_subkey"),
              f"{m}: session subkey")
    fixed, var = field(v, "fixed_header_plain"), field(v, "var_header_plain")
    first, _ = tcp_request_from_plain(m, [psk], salt, fixed, var)
    tap.equal(first, field(v, "tcp_request_prefix"),
              f"{m}: TCP request salt and header chunks")
    # the same plaintexts from their fields
    ts, = struct.unpack(">Q", fixed[1:9])
    built, _, _ = tcp_request(m, [psk], socks_addr("example.com", 80),
                              b"hello", b"", ts, salt)
    tap.equal(built, field(v, "tcp_request_prefix"),
              f"{m}: TCP request built from its fields")
    # and the server's side of it
    st = Stream(m, psk, salt)
    try:
        now = ts + 1
        vlen = parse_request_fixed(st.open(first[16:16 + 27]), now)
        got = parse_request_var(st.open(first[16 + 27:16 + 27 + vlen + 16]))
        ok = got == ("example.com", 80, 0, b"hello")
    except ProtocolError as e:
        ok, got = False, e
    tap.result(ok, f"{m}: TCP request parsed back", [] if ok else [str(got)])

    sep = field(v, "udp_sep_header_plain")
    tap.equal(aes_ecb(psk, sep), field(v, "udp_sep_header_enc"),
              f"{m}: UDP separate header")
    tap.equal(session_subkey(psk, sep[:8]), field(v, "udp_session_subkey"),
              f"{m}: UDP session subkey")
    body = field(v, "udp_body_plain")
    pkt = udp_seal(m, [psk], sep[:8], struct.unpack(">Q", sep[8:])[0], body)
    tap.equal(pkt, field(v, "udp_packet"), f"{m}: UDP packet")
    bts, = struct.unpack(">Q", body[1:9])
    tap.equal(udp_client_body(bts, socks_addr("127.0.0.1", 53), b"hi"), body,
              f"{m}: UDP client body built from its fields")
    try:
        sid, pid, _, rest = udp_open_header(m, psk, field(v, "udp_packet"))
        b = parse_udp_body(udp_open_body(m, psk, sid, pid, rest), bts)
        ok = (sid, pid, b["type"], b["host"], b["port"], b["payload"]) == \
            (sep[:8], 0, 0, "127.0.0.1", 53, b"hi")
    except ProtocolError as e:
        ok, b = False, e
    tap.result(ok, f"{m}: UDP packet opened", [] if ok else [str(b)])

    m = "2022-blake3-chacha20-poly1305"
    v = vectors[m]
    psk, nonce, plain = field(v, "psk"), field(v, "nonce"), field(v, "plain")
    pkt = udp_seal(m, [psk], plain[:8], struct.unpack(">Q", plain[8:16])[0],
                   plain[16:], nonce)
    tap.equal(pkt, field(v, "udp_packet"), f"{m}: UDP packet")
    try:
        sid, pid, _, body = udp_open_header(m, psk, field(v, "udp_packet"))
        ok = sid + struct.pack(">Q", pid) + body == plain
    except ProtocolError:
        ok = False
    tap.result(ok, f"{m}: UDP packet opened")


def selftest_roundtrips(tap):
    """self-consistency: every method, both directions, SIP023, forgeries"""
    now = int(time.time())
    for m, (klen, _) in METHODS.items():
        psk = os.urandom(klen)
        target = socks_addr("192.0.2.1", 443)
        first, salt, cst = tcp_request(m, [psk], target)
        st = Stream(m, psk, first[:klen])
        hdr = first[klen:klen + 11 + TAG]
        vlen = parse_request_fixed(st.open(hdr))
        host, port, plen, payload = parse_request_var(
            st.open(first[klen + 11 + TAG:]))
        tap.result((host, port, payload) == ("192.0.2.1", 443, b"")
                   and 1 <= plen <= MAX_PADDING and vlen == 9 + plen,
                   f"{m}: TCP request with random padding, parsed back")
        data = os.urandom(MAX_CHUNK + 1000)
        sealed = cst.chunks(data)
        out = b""
        off = 0
        while off < len(sealed):
            n, = struct.unpack(">H", st.open(sealed[off:off + 2 + TAG]))
            off += 2 + TAG
            out += st.open(sealed[off:off + n + TAG])
            off += n + TAG
        tap.result(out == data, f"{m}: TCP chunks over 0xFFFF bytes")

        resp, _ = tcp_response(m, psk, salt, b"answer")
        rst = Stream(m, psk, resp[:klen])
        n = parse_response_fixed(rst.open(resp[klen:klen + 11 + klen + TAG]),
                                 salt)
        got = rst.open(resp[klen + 11 + klen + TAG:])
        tap.result(n == 6 and got == b"answer",
                   f"{m}: TCP response parsed back")
        tap.raises("bad_header", lambda: parse_response_fixed(
            Stream(m, psk, resp[:klen]).open(resp[klen:klen + 11 + klen
                                                  + TAG]),
            os.urandom(klen)), f"{m}: TCP response for another salt refused")

        old, _, _ = tcp_request(m, [psk], target, b"x", timestamp=now - 40)
        tap.raises("bad_timestamp", lambda: parse_request_fixed(
            Stream(m, psk, old[:klen]).open(old[klen:klen + 11 + TAG])),
            f"{m}: TCP request 40 s old refused")
        bare, _, _ = tcp_request(m, [psk], target, b"", b"")
        bst = Stream(m, psk, bare[:klen])
        bst.open(bare[klen:klen + 11 + TAG])
        tap.raises("no_payload_no_padding", lambda: parse_request_var(
            bst.open(bare[klen + 11 + TAG:])),
            f"{m}: TCP request with neither payload nor padding refused")
        forged = bytearray(first)
        forged[klen + 3] ^= 1
        tap.raises("bad_auth", lambda: Stream(m, psk, first[:klen]).open(
            bytes(forged[klen:klen + 11 + TAG])),
            f"{m}: TCP header with a flipped bit refused")

        csid, ssid = os.urandom(8), os.urandom(8)
        cb = udp_client_body(now, target, b"ping", b"\0" * 5)
        pkt = udp_seal(m, [psk], csid, 7, cb)
        sid, pid, _, rest = udp_open_header(m, psk, pkt)
        b = parse_udp_body(udp_open_body(m, psk, sid, pid, rest))
        tap.result((sid, pid, b["type"], b["payload"], b["port"])
                   == (csid, 7, 0, b"ping", 443),
                   f"{m}: UDP client packet parsed back")
        sb = udp_server_body(now, csid, target, b"pong")
        pkt = udp_seal(m, [psk], ssid, 0, sb)
        sid, pid, _, rest = udp_open_header(m, psk, pkt)
        b = parse_udp_body(udp_open_body(m, psk, sid, pid, rest))
        tap.result((sid, b["type"], b["client_session"], b["payload"])
                   == (ssid, 1, csid, b"pong"),
                   f"{m}: UDP server packet parsed back")
        bad = bytearray(pkt)
        bad[-1] ^= 1
        tap.raises("bad_auth", lambda: udp_open_body(
            m, psk, *udp_open_header(m, psk, bytes(bad))[:2],
            udp_open_header(m, psk, bytes(bad))[3]),
            f"{m}: UDP packet with a flipped bit refused")
        old = udp_client_body(now - 40, target, b"ping")
        tap.raises("bad_timestamp", lambda: parse_udp_body(old),
                   f"{m}: UDP packet 40 s old refused")

        if not is_aes(m):
            continue
        ipsk, u1, u2 = os.urandom(klen), os.urandom(klen), os.urandom(klen)
        users = {psk_hash(u1): u1, psk_hash(u2): u2}
        first, salt, _ = tcp_request(m, [ipsk, u2], target, b"hi")
        h = aes_ecb(identity_subkey(ipsk, salt), first[klen:klen + 16], True)
        u = users.get(h)
        ok = u == u2
        if ok:
            st = Stream(m, u, salt)
            parse_request_fixed(st.open(first[klen + 16:klen + 16 + 11 + TAG]))
            ok = parse_request_var(st.open(first[klen + 16 + 11 + TAG:]))[3] \
                == b"hi"
        tap.result(ok, f"{m}: SIP023 TCP identity header finds the user")
        pkt = udp_seal(m, [ipsk, u1], csid, 3, cb)
        sid, pid, u, rest = udp_open_header(m, ipsk, pkt, users)
        b = parse_udp_body(udp_open_body(m, u, sid, pid, rest))
        tap.result((sid, pid, u, b["payload"]) == (csid, 3, u1, b"ping"),
                   f"{m}: SIP023 UDP identity header finds the user")
        pkt = udp_seal(m, [ipsk, os.urandom(klen)], csid, 4, cb)
        tap.raises("unknown_user", lambda: udp_open_header(m, ipsk, pkt,
                                                           users),
                   f"{m}: SIP023 UDP packet of an unknown user refused")

    w = ReplayWindow(64)
    seq = [(0, True), (0, False), (5, True), (3, True), (3, False),
           (200, True), (100, False), (150, True), (199, True), (5, False),
           (137, True), (136, False)]
    got = []
    for pid, _ in seq:
        ok = w.check(pid)
        got.append(ok)
        if ok:
            w.update(pid)
    tap.result(got == [ok for _, ok in seq], "sliding window replay filter",
               [] if got == [ok for _, ok in seq] else [str(got)])
    selftest_window(tap)
    p = SaltPool()
    s = os.urandom(16)
    tap.result(p.add(s, 0) and not p.add(s, 59) and p.add(s, 61),
               "salt pool: refused within 60 s, forgotten after")


def selftest_window(tap):
    """ReplayWindow at its full size: out of order, the edge, duplicates,
    and a window that check() alone leaves as it was"""
    w = ReplayWindow()
    top = 5 * REPLAY_WINDOW
    checks = []

    def take(pid):
        ok = w.check(pid)
        if ok:
            w.update(pid)
        return ok
    checks.append((take(top), "highest ID accepted"))
    checks.append((not take(top), "highest ID again refused"))
    checks.append((take(top - 7), "7 behind, out of order, accepted"))
    checks.append((take(top - 3), "3 behind, out of order, accepted"))
    checks.append((not take(top - 7), "7 behind again refused"))
    checks.append((take(top - REPLAY_WINDOW + 1),
                   "the oldest ID inside the window accepted"))
    checks.append((not w.check(top - REPLAY_WINDOW),
                   "the first ID outside the window refused"))
    checks.append((not w.check(top - REPLAY_WINDOW + 1),
                   "the oldest ID inside, again, refused"))
    for _ in range(3):
        w.check(top + 1)	# a packet later found invalid
    checks.append((w.top == top, "check() alone leaves the window"))
    checks.append((take(top + 1), "then the next ID accepted"))
    checks.append((not w.check(top - REPLAY_WINDOW + 1),
                   "after it moves on, the old edge is outside"))
    checks.append((take(top - 4 + REPLAY_WINDOW), "a jump within the "
                   "window accepted"))
    checks.append((not take(top - 3), "an ID seen before the jump, now "
                   "the oldest inside, refused"))
    checks.append((take(top - 2), "one not seen, next to it, accepted"))
    checks.append((take(top + 10 * REPLAY_WINDOW), "a jump past the "
                   "window accepted"))
    checks.append((not take(top + 9 * REPLAY_WINDOW),
                   "everything before the jump refused"))
    bad = [text for ok, text in checks if not ok]
    tap.result(not bad, f"sliding window of {REPLAY_WINDOW}: out of order, "
               "edge, duplicates", bad)


def mode_selftest(a):
    tap = Tap()
    with open(a.vectors) as f:
        vectors = json.load(f)
    for part in (lambda: selftest_vectors(tap, vectors),
                 lambda: selftest_roundtrips(tap)):
        try:
            part()
        except Exception as e:  # noqa: BLE001
            tap.result(False, f"selftest stopped: {e!r}")
    tap.plan()
    return 1 if tap.failed else 0


# ---------------------------------------------------------------- main

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(
        description="Shadowsocks 2022 (SIP022/SIP023) test peer",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 2)[2])
    sub = p.add_subparsers(dest="mode", required=True)

    t = sub.add_parser("selftest", help="the codec against known answers")
    t.add_argument("--vectors", default=os.path.join(here,
                                                     "sip022_vectors.json"))

    def common(q, server_side):
        q.add_argument("--method", required=True, choices=sorted(METHODS))
        q.add_argument("--key", required=True,
                       help="base64 PSK" + ("" if server_side else
                                            ", or iPSK:...:uPSK"))

    s = sub.add_parser("server", help="a SIP022 server, TCP and UDP")
    s.add_argument("--listen", required=True, help="HOST:PORT")
    common(s, True)
    s.add_argument("--users", help="JSON {name: uPSK base64}: SIP023, "
                   "--key is the identity PSK")
    s.add_argument("--stats", help="JSON counters, rewritten as they move")
    s.add_argument("--ready-file", help="HOST:PORT written once listening")
    s.add_argument("--bad-response-salt", action="store_true",
                   help="a broken server: TCP responses quote a random salt "
                   "instead of the request's (a client must refuse them)")
    s.add_argument("-v", "--verbose", action="store_true")

    c = sub.add_parser("client", help="TCP or UDP through a server")
    csub = c.add_subparsers(dest="proto", required=True)
    for proto in ("tcp", "udp"):
        q = csub.add_parser(proto)
        q.add_argument("--server", required=True, help="HOST:PORT")
        common(q, False)
        q.add_argument("--target", required=True, help="HOST:PORT")
        q.add_argument("--timestamp-offset", type=int, default=0,
                       metavar="SECONDS")
        q.add_argument("--replay", action="store_true")
        q.add_argument("--wait", type=float, default=5,
                       help="seconds to wait for an answer")
    ct = csub.choices["tcp"]
    ct.add_argument("--echo-check", type=int, metavar="N")
    ct.add_argument("--expect-refused", action="store_true")
    ct.add_argument("--no-padding-no-payload", action="store_true")
    ct.add_argument("--byte-delay", type=float, default=0, metavar="SECONDS",
                    help="the first write one byte at a time")
    ct.add_argument("--save-first", metavar="FILE",
                    help="--echo-check: the first write also to FILE")
    cu = csub.choices["udp"]
    cu.add_argument("--count", type=int, default=1)
    cu.add_argument("--min", type=int, default=1)
    cu.add_argument("--max", type=int, default=1200)
    cu.add_argument("--retries", type=int, default=2)
    cu.add_argument("--window", type=int, default=1, metavar="W",
                    help="datagrams in flight at once")
    cu.add_argument("--expect-none", action="store_true",
                    help="no datagram may be answered (a probe)")
    cu.add_argument("--sessions", type=int, default=1, metavar="N",
                    help="client sessions sharing the socket, round-robin")
    cu.add_argument("--rebind-every", type=int, default=0, metavar="K",
                    help="a new socket (source port) every K packets")
    cu.add_argument("--bad-packets", action="store_true",
                    help="first, malformed packets that must go unanswered")
    cu.add_argument("--save-sent", metavar="FILE",
                    help="the first datagram sent also to FILE")
    cu.add_argument("--resume-after", metavar="FILE",
                    help="after --count, wait until FILE exists, then "
                    "--count more on the same sessions")
    cu.add_argument("--resume-server", metavar="HOST:PORT",
                    help="with --resume-after: those to this server instead")

    e = sub.add_parser("echo", help="plain TCP and UDP echo on one port")
    e.add_argument("--listen", required=True, help="HOST:PORT")
    e.add_argument("--ready-file")

    a = p.parse_args()
    if a.mode == "selftest":
        return mode_selftest(a)
    if a.mode == "server":
        return mode_server(a)
    if a.mode == "echo":
        return mode_echo(a)
    if a.proto == "udp":
        if a.resume_server and not a.resume_after:
            p.error("--resume-server goes with --resume-after")
        return mode_client_udp(a)
    return mode_client_tcp(a)


if __name__ == "__main__":
    sys.exit(main())
