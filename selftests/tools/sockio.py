# SPDX-License-Identifier: GPL-2.0
"""Reading a stream socket exactly, for the tools that speak SOCKS5 or
Shadowsocks over TCP."""

import time


def recv_exact(s, n, timeout=None):
    """n bytes from s; EOFError if the peer ends the stream first, and with
    a timeout (seconds for all n bytes) TimeoutError when it passes."""
    buf = bytearray()
    deadline = None if timeout is None else time.monotonic() + timeout
    while len(buf) < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("%d of %d bytes" % (len(buf), n))
            s.settimeout(left)
        data = s.recv(n - len(buf))
        if not data:
            raise EOFError("EOF after %d of %d bytes" % (len(buf), n))
        buf += data
    return bytes(buf)
