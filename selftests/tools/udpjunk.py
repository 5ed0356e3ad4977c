#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Garbage UDP datagrams to a Shadowsocks server: none may be answered.

usage: udpjunk.py --to HOST:PORT [--to HOST:PORT ...] --count N
                  [--rate PPS] [--seed S] [--wait SECONDS]

Sends --count datagrams to the --to addresses in turn (IPv4 and IPv6 alike),
from one unconnected socket per address family, each of random bytes:
  1 in 8   empty or shorter than a salt and a tag (0..47 bytes)
  1 in 100 large: 1500..65000 bytes
  the rest 48..1472 bytes
at up to --rate datagrams per second (0: as fast as the sockets take them;
a full socket buffer is waited out, ENOBUFS retried). Meanwhile and for
--wait seconds after the last, it reads its sockets: anything that arrives
is an answer. Prints one JSON line: "sent", "bytes", "sizes" (count by
class), "answers" (datagrams received) and "answered_by" (their sources, up
to 5), "send_errors" (errno names: count), "seconds" (sending), "rate",
"seed".
"""

import argparse
import errno
import json
import os
import random
import select
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--to", action="append", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--wait", type=float, default=2.0)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    rnd = random.Random(seed)

    dsts, socks = [], {}
    for t in args.to:
        host, _, port = t.rpartition(":")
        host = host.strip("[]")
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        if fam not in socks:
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
            s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", 0))
            s.setblocking(False)
            socks[fam] = s
        dsts.append((socks[fam], (host, int(port))))

    answers, answered_by, errs = 0, [], {}
    sizes = {"short": 0, "normal": 0, "large": 0}
    poll = select.poll()
    for s in socks.values():
        poll.register(s.fileno(), select.POLLIN)
    by_fd = {s.fileno(): s for s in socks.values()}
    pool = os.urandom(1 << 16)

    def read_answers(timeout_ms):
        nonlocal answers
        for fd, _ in poll.poll(timeout_ms):
            while True:
                try:
                    _, src = by_fd[fd].recvfrom(1 << 16)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError as e:	# an ICMP error: not an answer
                    name = "recv:" + errno.errorcode.get(e.errno, str(e.errno))
                    errs[name] = errs.get(name, 0) + 1
                    break
                answers += 1
                if len(answered_by) < 5:
                    answered_by.append("%s:%d" % src[:2])

    sent = nbytes = 0
    t0 = time.monotonic()
    for i in range(args.count):
        r = rnd.random()
        if r < 0.125:
            n = rnd.randint(0, 47)
            sizes["short"] += 1
        elif r < 0.135:
            n = rnd.randint(1500, 65000)
            sizes["large"] += 1
        else:
            n = rnd.randint(48, 1472)
            sizes["normal"] += 1
        off = rnd.randint(0, len(pool) - n)
        # a random slice of random bytes, its first 8 bytes made unique:
        # no two datagrams alike (a replayed salt would count elsewhere)
        data = rnd.getrandbits(64).to_bytes(8, "little")[:n] + pool[off + min(n, 8):off + n]
        s, dst = dsts[i % len(dsts)]
        ok = False
        while True:
            try:
                s.sendto(data, dst)
                ok = True
                break
            except (BlockingIOError, InterruptedError):
                select.select([], [s], [], 0.1)
            except OSError as e:
                name = errno.errorcode.get(e.errno, str(e.errno))
                errs[name] = errs.get(name, 0) + 1
                if e.errno == errno.ENOBUFS:
                    time.sleep(0.001)
                    continue
                break
        if not ok:
            continue
        sent += 1
        nbytes += n
        if args.rate:
            ahead = t0 + sent / args.rate - time.monotonic()
            if ahead > 0:
                read_answers(int(ahead * 1000))
        if i % 256 == 0:
            read_answers(0)
    seconds = time.monotonic() - t0
    end = time.monotonic() + args.wait
    while time.monotonic() < end:
        read_answers(int(max(1, (end - time.monotonic()) * 1000)))
    print(json.dumps({"sent": sent, "bytes": nbytes, "sizes": sizes,
                      "answers": answers, "answered_by": answered_by,
                      "send_errors": errs, "seconds": round(seconds, 2),
                      "rate": round(sent / seconds) if seconds else None,
                      "seed": seed}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
