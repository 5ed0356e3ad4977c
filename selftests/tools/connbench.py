#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Connection benchmarks for selftests/bench.sh: a small echo server and two
clients, all single-threaded on selectors (no thread per connection, so
that thousands of connections cost the client and the target little, and
the same in every path measured).

  serve --port P      echo server on [::]:P (IPv4 too): sends back what it
                      reads, closes at EOF
  rate --connect HOST:PORT [--seconds S] [--parallel P] [--size N]
                      for S seconds, P connections in flight at a time, each
                      new one: connect, send N bytes, read the N echoed
                      bytes, close. One line of JSON: connections completed
                      per second, latency median and 99th percentile
                      (connect to last byte), errors.
  idle --connect HOST:PORT --n N --hold DIR [--parallel P]
                      open N connections (P at a time), each proven end to
                      end by a 64-byte echo, and keep them open and idle.
                      Handshake with the caller through files in DIR:
                      creates DIR/started once up, waits for DIR/open,
                      opens the N, creates DIR/ready, waits for DIR/go,
                      closes them all, prints one line of JSON and exits
                      0 iff all N were opened.
"""

import argparse
import errno
import json
import os
import selectors
import socket
import sys
import time


def hostport(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


def raise_nofile():
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


def cmd_serve(args):
    sel = selectors.DefaultSelector()
    lsock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    lsock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("::", args.port))
    lsock.listen(4096)
    lsock.setblocking(False)
    sel.register(lsock, selectors.EVENT_READ, None)
    pending = {}	# sock -> bytes not yet echoed
    print("serving", flush=True)
    while True:
        for key, ev in sel.select():
            s = key.fileobj
            if s is lsock:
                for _ in range(64):
                    try:
                        c, _ = lsock.accept()
                    except BlockingIOError:
                        break
                    except OSError as e:
                        if e.errno in (errno.EMFILE, errno.ENFILE):
                            break
                        raise
                    c.setblocking(False)
                    pending[c] = b""
                    sel.register(c, selectors.EVENT_READ, None)
                continue
            try:
                if ev & selectors.EVENT_READ and not pending[s]:
                    data = s.recv(65536)
                    if not data:
                        raise EOFError
                    pending[s] = data
                if pending[s]:
                    n = s.send(pending[s])
                    pending[s] = pending[s][n:]
                sel.modify(s, selectors.EVENT_WRITE if pending[s] else selectors.EVENT_READ)
            except (BlockingIOError, InterruptedError):
                sel.modify(s, selectors.EVENT_WRITE if pending[s] else selectors.EVENT_READ)
            except (EOFError, OSError):
                sel.unregister(s)
                del pending[s]
                s.close()


class Conn:
    """One client connection: connect, send the request, read the echo."""

    def __init__(self, addr, payload):
        self.t0 = time.monotonic()
        self.sock = socket.socket(socket.AF_INET6 if ":" in addr[0] else socket.AF_INET,
                                  socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.out = payload
        self.want = len(payload)
        self.got = bytearray()
        self.payload = payload
        self.connected = False
        err = self.sock.connect_ex(addr)
        if err not in (0, errno.EINPROGRESS):
            self.sock.close()
            raise OSError(err, os.strerror(err))

    def events(self):
        return selectors.EVENT_WRITE if (self.out or not self.connected) else selectors.EVENT_READ

    def step(self, ev):
        """Return True when the echo is complete; raise on failure."""
        if not self.connected:
            err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                raise OSError(err, "connect: " + os.strerror(err))
            self.connected = True
        if self.out and ev & selectors.EVENT_WRITE:
            n = self.sock.send(self.out)
            self.out = self.out[n:]
        if ev & selectors.EVENT_READ:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("EOF after %d of %d bytes" % (len(self.got), self.want))
            self.got += data
        if len(self.got) >= self.want:
            if bytes(self.got) != self.payload:
                raise ValueError("echo differs")
            return True
        return False


def run_conns(addr, payload_fn, total, parallel, deadline, on_done, timeout):
    """Keep up to `parallel` connections in flight until `total` have
    finished (or the deadline); on_done(conn) for each that echoed.
    Return (completed, errors list)."""
    sel = selectors.DefaultSelector()
    started = done = 0
    errors = []
    inflight = 0

    def start():
        nonlocal started, inflight
        started += 1
        try:
            c = Conn(addr, payload_fn())
        except OSError as e:
            errors.append("connect: %r" % e)
            return
        sel.register(c.sock, c.events(), c)
        inflight += 1

    while (total is None or started < total) and inflight < parallel \
            and time.monotonic() < deadline:
        start()
    while inflight:
        now = time.monotonic()
        for key, ev in sel.select(timeout=1.0):
            c = key.data
            try:
                finished = c.step(ev)
            except (OSError, EOFError, ValueError) as e:
                errors.append(repr(e))
                finished = None
            if finished is False:
                if time.monotonic() - c.t0 > timeout:
                    errors.append("timeout")
                else:
                    sel.modify(c.sock, c.events(), c)
                    continue
            sel.unregister(c.sock)
            inflight -= 1
            if finished:
                done += 1
                on_done(c)
            else:
                c.sock.close()
            if (total is None or started < total) and time.monotonic() < deadline:
                start()
        for key in list(sel.get_map().values()):
            c = key.data
            if now - c.t0 > timeout:
                sel.unregister(c.sock)
                c.sock.close()
                inflight -= 1
                errors.append("timeout")
    return done, errors


def pct(sorted_vals, p):
    if not sorted_vals:
        return None
    return sorted_vals[min(len(sorted_vals) - 1, int(len(sorted_vals) * p))]


def cmd_rate(args):
    addr = hostport(args.connect)
    payload = os.urandom(args.size)
    lat = []

    def on_done(c):
        lat.append(time.monotonic() - c.t0)
        c.sock.close()

    t0 = time.monotonic()
    done, errors = run_conns(addr, lambda: payload, None, args.parallel,
                             t0 + args.seconds, on_done, args.timeout)
    secs = time.monotonic() - t0
    lat.sort()
    print(json.dumps({"conns": done, "seconds": round(secs, 3),
                      "rate": round(done / secs, 1) if secs > 0 else 0,
                      "lat_ms_p50": round(pct(lat, 0.5) * 1000, 2) if lat else None,
                      "lat_ms_p99": round(pct(lat, 0.99) * 1000, 2) if lat else None,
                      "errors": len(errors), "first_errors": errors[:3]}))
    return 0 if done and not errors else 1


def wait_file(path, timeout):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def cmd_idle(args):
    addr = hostport(args.connect)
    held = []
    touch = lambda name: open(os.path.join(args.hold, name), "w").close()
    touch("started")
    if not wait_file(os.path.join(args.hold, "open"), args.timeout):
        print(json.dumps({"error": "no 'open' from the caller"}))
        return 1
    t0 = time.monotonic()
    done, errors = run_conns(addr, lambda: os.urandom(64), args.n, args.parallel,
                             t0 + args.timeout, held.append, args.timeout)
    secs = time.monotonic() - t0
    with open(os.path.join(args.hold, "ready.json"), "w") as f:
        json.dump({"open": done, "seconds": round(secs, 2)}, f)
    touch("ready")
    wait_file(os.path.join(args.hold, "go"), args.timeout)
    for c in held:
        c.sock.close()
    print(json.dumps({"n": args.n, "open": done, "seconds": round(secs, 2),
                      "errors": len(errors), "first_errors": errors[:3]}))
    return 0 if done == args.n else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=60)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, required=True)
    r = sub.add_parser("rate")
    r.add_argument("--connect", required=True)
    r.add_argument("--seconds", type=float, default=3)
    r.add_argument("--parallel", type=int, default=4)
    r.add_argument("--size", type=int, default=64)
    i = sub.add_parser("idle")
    i.add_argument("--connect", required=True)
    i.add_argument("--n", type=int, default=1000)
    i.add_argument("--parallel", type=int, default=20)
    i.add_argument("--hold", required=True)
    args = ap.parse_args()
    raise_nofile()
    return {"serve": cmd_serve, "rate": cmd_rate, "idle": cmd_idle}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
