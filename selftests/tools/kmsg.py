#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Follow the kernel log like dmesg -w, and say when records were lost.

usage: kmsg.py FILE

Reads /dev/kmsg from the last clear (dmesg -C) on and appends each record
to FILE as dmesg prints it ("[seconds] message"). When the reader fell so
far behind that the ring buffer overwrote records it had not read yet, it
writes "kmsg.py: lost N records (seq A..B)": a log checked for object
lifetimes (every "created" has its "destroyed") is incomplete then, which
dmesg -w never tells. Run it at a real-time priority (chrt -f) where the
kernel logs fast on a busy machine. Ends on SIGTERM or SIGINT.
"""

import errno
import os
import signal
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = open(sys.argv[1], "a", buffering=1)
    fd = os.open("/dev/kmsg", os.O_RDONLY)
    try:
        os.lseek(fd, 0, os.SEEK_DATA)	# from the last clear on
    except OSError:
        pass
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    expect = None
    while True:
        try:
            rec = os.read(fd, 8192)
        except OSError as e:
            if e.errno == errno.EPIPE:	# overwritten: the next read resumes
                continue
            if e.errno == errno.EINTR:
                continue
            raise
        head, _, rest = rec.partition(b";")
        fields = head.split(b",")
        try:
            seq, usec = int(fields[1]), int(fields[2])
        except (IndexError, ValueError):
            continue
        if expect is not None and seq > expect:
            out.write("kmsg.py: lost %d records (seq %d..%d)\n" % (seq - expect, expect, seq - 1))
        expect = seq + 1
        # (the continuation lines of a record are its dictionary: not shown)
        msg = rest.split(b"\n", 1)[0].decode(errors="replace")
        out.write("[%5d.%06d] %s\n" % (usec // 1000000, usec % 1000000, msg))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
