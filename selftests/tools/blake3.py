#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""BLAKE3 in plain Python, written from the BLAKE3 specification, for an
independent Shadowsocks-2022 (SIP022) test peer: SIP022 derives every
session subkey with BLAKE3's derive_key mode. It shares no code with the
kernel module. Slow (pure Python) but complete: any input length (the
chunk/parent tree) and any output length (extended output).

usage: blake3.py [--check VECTORS.json] [--b3sum] [--sip022 [FILE]]

  --check FILE   every case of the BLAKE3 team's test_vectors.json (input
                 bytes i % 251; hash, keyed_hash with "key", derive_key
                 with "context_string"; the whole extended output, and its
                 first 32 bytes against the default-length output)
  --b3sum        random inputs of awkward lengths against Debian's b3sum:
                 plain, --length 131, --keyed, --derive-key
  --sip022 FILE  derive_key("shadowsocks 2022 session subkey", psk + salt)
                 for every entry of FILE carrying a session subkey
                 (default: sip022_vectors.json next to this file)

Prints TAP: one line per mode or vector, then the plan; exits 1 if any
line is "not ok".
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile

# The initial chaining value: the first 32 bits of the fractional parts of
# the square roots of the first 8 primes (SHA-256's IV).
IV = (0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
      0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19)

# The permutation applied to the 16 message words between rounds: word i of
# the next round is word MSG_PERMUTATION[i] of this one.
MSG_PERMUTATION = (2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8)

ROUNDS = 7

# domain flags, OR-ed into the last state word of each compression
CHUNK_START = 1 << 0
CHUNK_END = 1 << 1
PARENT = 1 << 2
ROOT = 1 << 3
KEYED_HASH = 1 << 4
DERIVE_KEY_CONTEXT = 1 << 5
DERIVE_KEY_MATERIAL = 1 << 6

BLOCK_LEN = 64
CHUNK_LEN = 1024
KEY_LEN = 32
OUT_LEN = 32

MASK32 = 0xFFFFFFFF

SIP022_CONTEXT = "shadowsocks 2022 session subkey"


def rotr32(x, n):
    """Rotate the 32-bit word x right by n bits."""
    return ((x >> n) | (x << (32 - n))) & MASK32


def g(v, a, b, c, d, x, y):
    """The quarter-round: mix state words a, b, c, d with message words x
    and y (rotations 16, 12, 8, 7), in place."""
    v[a] = (v[a] + v[b] + x) & MASK32
    v[d] = rotr32(v[d] ^ v[a], 16)
    v[c] = (v[c] + v[d]) & MASK32
    v[b] = rotr32(v[b] ^ v[c], 12)
    v[a] = (v[a] + v[b] + y) & MASK32
    v[d] = rotr32(v[d] ^ v[a], 8)
    v[c] = (v[c] + v[d]) & MASK32
    v[b] = rotr32(v[b] ^ v[c], 7)


def compress(cv, block_words, counter, block_len, flags):
    """The compression function: chaining value cv (8 words), one 64-byte
    block as 16 little-endian words, the 64-bit counter, the number of
    bytes actually in the block and the flags. Returns all 16 output words:
    the first 8 are the next chaining value, the 16 together are one
    64-byte block of extended output."""
    # the 4x4 state: chaining value, IV's first half, counter, length, flags
    v = list(cv) + list(IV[:4]) + [
        counter & MASK32, (counter >> 32) & MASK32, block_len, flags]
    m = list(block_words)
    for r in range(ROUNDS):
        # columns
        g(v, 0, 4, 8, 12, m[0], m[1])
        g(v, 1, 5, 9, 13, m[2], m[3])
        g(v, 2, 6, 10, 14, m[4], m[5])
        g(v, 3, 7, 11, 15, m[6], m[7])
        # diagonals
        g(v, 0, 5, 10, 15, m[8], m[9])
        g(v, 1, 6, 11, 12, m[10], m[11])
        g(v, 2, 7, 8, 13, m[12], m[13])
        g(v, 3, 4, 9, 14, m[14], m[15])
        m = [m[i] for i in MSG_PERMUTATION]
    # feed-forward: the low half is folded with the high half, the high
    # half with the input chaining value (that part only matters for XOF)
    for i in range(8):
        v[i] ^= v[i + 8]
        v[i + 8] ^= cv[i]
    return v


def words(block):
    """A block of up to 64 bytes as 16 little-endian words, zero-padded."""
    block = block.ljust(BLOCK_LEN, b"\0")
    return [int.from_bytes(block[i:i + 4], "little")
            for i in range(0, BLOCK_LEN, 4)]


def words_to_bytes(ws):
    """32-bit words to little-endian bytes."""
    return b"".join(w.to_bytes(4, "little") for w in ws)


class Output:
    """The last compression of a chunk or parent node, not yet done: its
    chaining value or, if it is the root, its extended output still depends
    on the ROOT flag and the output block counter."""

    def __init__(self, cv, block_words, counter, block_len, flags):
        self.cv = cv
        self.block_words = block_words
        self.counter = counter
        self.block_len = block_len
        self.flags = flags

    def chaining_value(self):
        """The node's 8-word chaining value, as a non-root node."""
        return compress(self.cv, self.block_words, self.counter,
                        self.block_len, self.flags)[:8]

    def root_bytes(self, length):
        """length bytes of output as the root: block i of 64 bytes is the
        root compression with i as its counter."""
        out = bytearray()
        block = 0
        while len(out) < length:
            out += words_to_bytes(compress(self.cv, self.block_words, block,
                                           self.block_len,
                                           self.flags | ROOT))
            block += 1
        return bytes(out[:length])


def chunk_output(key_words, chunk, chunk_counter, flags):
    """One chunk (at most 1024 bytes, possibly empty): its blocks chained
    under the key, all with the chunk's index as counter; the first block
    flagged CHUNK_START, the last CHUNK_END. Returns the last block's
    compression, left undone."""
    cv = key_words
    # the blocks; an empty chunk is one empty block
    blocks = [chunk[i:i + BLOCK_LEN]
              for i in range(0, len(chunk), BLOCK_LEN)] or [b""]
    for i, block in enumerate(blocks):
        block_flags = flags
        if i == 0:
            block_flags |= CHUNK_START
        if i == len(blocks) - 1:
            block_flags |= CHUNK_END
            return Output(cv, words(block), chunk_counter, len(block),
                          block_flags)
        cv = compress(cv, words(block), chunk_counter, BLOCK_LEN,
                      block_flags)[:8]


def subtree_output(key_words, data, chunk_counter, flags):
    """The tree over data, whose first chunk has index chunk_counter. A
    single chunk is its own node; otherwise the left subtree holds the
    largest power of two of whole chunks that leaves the right one
    non-empty, and the parent node compresses the two children's chaining
    values as one block (counter 0, PARENT)."""
    if len(data) <= CHUNK_LEN:
        return chunk_output(key_words, data, chunk_counter, flags)
    left_chunks = 1
    while (2 * left_chunks) * CHUNK_LEN < len(data):
        left_chunks *= 2
    split = left_chunks * CHUNK_LEN
    left = subtree_output(key_words, data[:split], chunk_counter, flags)
    right = subtree_output(key_words, data[split:],
                           chunk_counter + left_chunks, flags)
    return Output(key_words,
                  left.chaining_value() + right.chaining_value(),
                  0, BLOCK_LEN, flags | PARENT)


def _blake3(key_words, data, flags, length):
    """The whole hash of data under key_words and mode flags, length bytes
    of output."""
    return subtree_output(key_words, bytes(data), 0, flags).root_bytes(length)


def hash(data: bytes, length: int = OUT_LEN) -> bytes:
    """BLAKE3 hash of data (key: the IV), length bytes of output."""
    return _blake3(IV, data, 0, length)


def keyed_hash(key: bytes, data: bytes, length: int = OUT_LEN) -> bytes:
    """BLAKE3 keyed hash (a MAC) of data under a 32-byte key."""
    if len(key) != KEY_LEN:
        raise ValueError("keyed_hash: the key must be 32 bytes")
    return _blake3(words(key)[:8], data, KEYED_HASH, length)


def derive_key(context: str, material: bytes, length: int = OUT_LEN) -> bytes:
    """BLAKE3 key derivation: the context string is hashed (flag
    DERIVE_KEY_CONTEXT) into a 32-byte key, under which the key material is
    hashed (flag DERIVE_KEY_MATERIAL)."""
    context_key = _blake3(IV, context.encode("utf-8"), DERIVE_KEY_CONTEXT,
                          KEY_LEN)
    return _blake3(words(context_key)[:8], material, DERIVE_KEY_MATERIAL,
                   length)


class Tap:
    """Numbered TAP lines; remembers whether any failed."""

    def __init__(self):
        self.n = 0
        self.failed = False

    def result(self, ok, text, diag=()):
        """One "ok N - text" or "not ok N - text" line, then diagnostics."""
        self.n += 1
        self.failed |= not ok
        print(f"{'ok' if ok else 'not ok'} {self.n} - {text}")
        for line in diag:
            print(f"# {line}")
        sys.stdout.flush()

    def plan(self):
        """The plan line, at the end."""
        print(f"1..{self.n}")


def check_vectors(tap, path):
    """The official test vectors: one TAP line per mode."""
    with open(path) as f:
        vectors = json.load(f)
    key = vectors["key"].encode("ascii")
    context = vectors["context_string"]
    modes = (
        ("hash", lambda data, n: hash(data, n)),
        ("keyed_hash", lambda data, n: keyed_hash(key, data, n)),
        ("derive_key", lambda data, n: derive_key(context, data, n)),
    )
    for name, fn in modes:
        bad = []
        for case in vectors["cases"]:
            n = case["input_len"]
            data = bytes(i % 251 for i in range(n))
            want = bytes.fromhex(case[name])
            got = fn(data, len(want))
            if got != want:
                bad.append(f"{name} input_len {n}: extended output differs")
            if fn(data, OUT_LEN) != want[:OUT_LEN]:
                bad.append(f"{name} input_len {n}: default output differs")
        tap.result(not bad, f"vectors: {name}, "
                   f"{len(vectors['cases'])} cases ({os.path.basename(path)})",
                   bad[:5])


B3SUM_LENGTHS = (0, 1, 63, 64, 65, 1023, 1024, 1025, 2048, 3073, 8193,
                 65537)


def b3sum(args, path, stdin=b""):
    """Run b3sum with args on the file path; its hex output as bytes."""
    out = subprocess.run(["b3sum", "--no-names", *args, path], input=stdin,
                         stdout=subprocess.PIPE, check=True).stdout
    return bytes.fromhex(out.decode().strip())


def check_b3sum(tap):
    """Random inputs against Debian's b3sum: one TAP line per mode."""
    try:
        subprocess.run(["b3sum", "--version"], stdout=subprocess.DEVNULL,
                       check=True)
    except (OSError, subprocess.CalledProcessError):
        tap.result(False, "b3sum: not installed (apt-get install b3sum)")
        return
    key = os.urandom(KEY_LEN)
    context = "blake3.py b3sum cross-check " + os.urandom(4).hex()
    modes = (
        ("plain", [], b"", lambda data: hash(data)),
        ("--length 131", ["--length", "131"], b"",
         lambda data: hash(data, 131)),
        ("--keyed", ["--keyed"], key, lambda data: keyed_hash(key, data)),
        ("--derive-key", ["--derive-key", context], b"",
         lambda data: derive_key(context, data)),
    )
    with tempfile.TemporaryDirectory() as tmp:
        inputs = []
        for n in B3SUM_LENGTHS:
            path = os.path.join(tmp, f"in{n}")
            data = os.urandom(n)
            with open(path, "wb") as f:
                f.write(data)
            inputs.append((path, data))
        for name, args, stdin, fn in modes:
            bad = []
            for path, data in inputs:
                want, got = b3sum(args, path, stdin), fn(data)
                if got != want:
                    bad.append(f"{name} length {len(data)}: b3sum "
                               f"{want.hex()}, blake3.py {got.hex()}")
            tap.result(not bad, f"b3sum {name}: {len(inputs)} random inputs"
                       f" of {min(B3SUM_LENGTHS)}..{max(B3SUM_LENGTHS)} bytes",
                       bad[:5])


def decode(entry, name):
    """Field name of a vector entry, given as name (hex) or name_b64."""
    if name + "_b64" in entry:
        return base64.b64decode(entry[name + "_b64"], validate=True)
    return bytes.fromhex(entry[name])


def check_sip022(tap, path):
    """SIP022 session subkeys: one TAP line per entry that has one."""
    with open(path) as f:
        vectors = json.load(f)
    found = 0
    for label, entry in vectors.items():
        if not isinstance(entry, dict) or not (
                "session_subkey" in entry or "session_subkey_b64" in entry):
            continue
        found += 1
        psk = decode(entry, "psk")
        salt = decode(entry, "salt")
        want = decode(entry, "session_subkey")
        got = derive_key(entry.get("context", SIP022_CONTEXT), psk + salt,
                         len(want))
        tap.result(got == want, f"sip022: {label} session subkey "
                   f"({len(want)} bytes)",
                   [] if got == want else [f"want {want.hex()}",
                                           f"got  {got.hex()}"])
    if not found:
        tap.result(False, f"sip022: no session subkey vector in {path}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(
        description="BLAKE3 in Python: checks against vectors and b3sum")
    p.add_argument("--check", metavar="VECTORS.json",
                   help="the BLAKE3 team's test_vectors.json")
    p.add_argument("--b3sum", action="store_true",
                   help="compare with Debian's b3sum on random inputs")
    p.add_argument("--sip022", metavar="FILE", nargs="?",
                   const=os.path.join(here, "sip022_vectors.json"),
                   help="SIP022 session subkey vectors "
                   "(default: sip022_vectors.json here)")
    a = p.parse_args()
    if not (a.check or a.b3sum or a.sip022):
        p.error("nothing to check: give --check, --b3sum or --sip022")
    tap = Tap()
    if a.check:
        check_vectors(tap, a.check)
    if a.b3sum:
        check_b3sum(tap)
    if a.sip022:
        check_sip022(tap, a.sip022)
    tap.plan()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
