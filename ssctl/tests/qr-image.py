#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the text QR code of "ssctl client show NAME --qr" (standard input)
back into an image (a PGM, standard output) that a QR reader (zbarimg)
can decode: each character is two modules, one above the other, the drawn
half blocks light, as ssctl prints them for light text on a dark terminal.
Each module becomes SCALE x SCALE pixels."""
import sys

SCALE = 4
# (upper, lower) lightness of each character
HALVES = {"\u2588": (1, 1), "\u2580": (1, 0), "\u2584": (0, 1), " ": (0, 0)}

rows = []
for n, line in enumerate(sys.stdin.read().splitlines(), 1):
    try:
        pairs = [HALVES[c] for c in line]
    except KeyError as e:
        sys.exit(f"qr-image: line {n}: not a QR code character: {e}")
    rows.append([p[0] for p in pairs])
    rows.append([p[1] for p in pairs])
if not rows or len({len(r) for r in rows}) != 1:
    sys.exit("qr-image: no code, or lines of different widths")
w, h = len(rows[0]) * SCALE, len(rows) * SCALE
out = bytearray(f"P5\n{w} {h}\n255\n".encode())
for r in rows:
    line = bytes(255 if v else 0 for v in r for _ in range(SCALE))
    out += line * SCALE
sys.stdout.buffer.write(out)
