#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Plain TCP clients of the target's echo service (tools/servers.py),
reached either directly (--connect HOST:PORT, e.g. an ss-tunnel port) or
through a SOCKS5 proxy (--socks HOST:PORT --target HOST:PORT[,...], e.g.
ss-local; several targets are used in turn).

  concurrent  N connections at once: all are opened and proven end to end
              (a first KiB echoed) before any sends the rest; optionally
              they hold there until told to go (--hold DIR: creates
              DIR/ready, waits for DIR/go), so the server can be seen with
              all N live. Each then sends its own random data and must read
              exactly that data back. Exit 0 iff all N got their data back.
              (No half-close: shadowsocks-libev's ss-local and ss-tunnel
              close both directions at a client's EOF.)
  digest      one connection to the digest service (port 9001): sends an
              8-byte reply length (--reply) and --send random bytes, shuts
              down its write side, reads to EOF: the digest line must match
              what it sent and the rest must be the first --reply bytes of
              --blob. Exit 0 iff both match (a relay that loses the
              half-close gets nothing back).
  bulk        N connections to the echo service, each sending a random
              MiB over and over while it reads the echo back, checked
              against what was sent, until the relay ends the connection
              (or --seconds pass, or the process is killed: the test's
              cue to cut the relay in the middle of traffic both ways).
              Exit 0 iff every echo was intact up to where it ended.

Prints one line of JSON with what happened.
"""

import argparse
import hashlib
import ipaddress
import json
import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sockio import recv_exact  # noqa: E402
from socks_addr import split_hostport as hostport  # noqa: E402


def socks5_connect(proxy, target, timeout):
    s = socket.create_connection(proxy, timeout=timeout)
    s.sendall(b"\x05\x01\x00")
    if recv_exact(s, 2) != b"\x05\x00":
        raise OSError("SOCKS5: no-auth method refused")
    host, port = target
    try:
        ip = ipaddress.ip_address(host)
        addr = (b"\x01" if ip.version == 4 else b"\x04") + ip.packed
    except ValueError:
        addr = b"\x03" + bytes([len(host)]) + host.encode()
    s.sendall(b"\x05\x01\x00" + addr + struct.pack(">H", port))
    rep = recv_exact(s, 4)
    if rep[1] != 0:
        raise OSError("SOCKS5: CONNECT refused, reply %d" % rep[1])
    alen = {1: 4, 4: 16}.get(rep[3])
    if alen is None:
        alen = recv_exact(s, 1)[0]
    recv_exact(s, alen + 2)
    return s


def open_conn(args, target=None):
    if args.socks:
        return socks5_connect(hostport(args.socks), hostport(target or args.target),
                              args.timeout)
    return socket.create_connection(hostport(args.connect), timeout=args.timeout)


def cmd_concurrent(args):
    targets = args.target.split(",") if args.socks else [None]
    n = args.n
    ready = threading.Barrier(n + 1)
    go = threading.Event()
    results = [None] * n

    def worker(i):
        data = os.urandom(args.size)
        s = None
        try:
            s = open_conn(args, targets[i % len(targets)])
            first = data[:1024]
            s.sendall(first)
            if recv_exact(s, len(first)) != first:
                raise ValueError("first echo differs")
        except Exception as e:	# pylint: disable=broad-except
            results[i] = "open: %r" % e
        try:
            ready.wait(args.timeout)
        except threading.BrokenBarrierError:
            pass
        if results[i] is not None:
            return
        try:
            go.wait(args.timeout)
            rest = data[1024:]
            sender = threading.Thread(target=s.sendall, args=(rest,))
            sender.start()
            back = recv_exact(s, len(rest))
            sender.join()
            results[i] = "ok" if back == rest else "data: echo differs"
        except Exception as e:	# pylint: disable=broad-except
            results[i] = "relay: %r" % e
        finally:
            s.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    try:
        ready.wait(args.timeout)
    except threading.BrokenBarrierError:
        pass
    opened = sum(r is None for r in results)
    if args.hold:
        open(os.path.join(args.hold, "ready"), "w").close()
        deadline = time.monotonic() + args.timeout
        while not os.path.exists(os.path.join(args.hold, "go")) and time.monotonic() < deadline:
            time.sleep(0.05)
    go.set()
    for t in threads:
        t.join()
    ok = sum(r == "ok" for r in results)
    errors = sorted(set(r for r in results if r != "ok"))
    print(json.dumps({"n": n, "opened_together": opened, "ok": ok,
                      "seconds": round(time.monotonic() - t0, 2), "errors": errors[:5]}))
    return 0 if ok == n and opened == n else 1


def cmd_digest(args):
    t0 = time.monotonic()
    data = os.urandom(args.send)
    want = ("%s %d\n" % (hashlib.sha256(data).hexdigest(), len(data))).encode()
    s = open_conn(args)
    sender_err = []

    def send():
        try:
            s.sendall(struct.pack(">Q", args.reply) + data)
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            sender_err.append(repr(e))

    sender = threading.Thread(target=send)
    sender.start()
    back = bytearray()
    while True:
        chunk = s.recv(1 << 18)
        if not chunk:
            break
        back += chunk
    sender.join()
    s.close()
    with open(args.blob, "rb") as f:
        blob = f.read(args.reply)
    line, _, rest = bytes(back).partition(b"\n")
    res = {"sent": len(data), "got": len(back), "digest_ok": line + b"\n" == want,
           "reply_ok": rest == blob, "seconds": round(time.monotonic() - t0, 2)}
    if sender_err:
        res["send_error"] = sender_err[0]
    res["ok"] = res["digest_ok"] and res["reply_ok"] and not sender_err
    print(json.dumps(res))
    return 0 if res["ok"] else 1


def cmd_bulk(args):
    block = os.urandom(1 << 20)
    targets = args.target.split(",") if args.socks else [None]
    results = [None] * args.n

    def worker(i):
        res = {"sent": 0, "got": 0, "intact": True, "end": "timeout"}
        results[i] = res
        try:
            s = open_conn(args, targets[i % len(targets)])
        except OSError as e:
            res.update(end="open: %r" % e, intact=False)
            return
        s.settimeout(args.seconds)
        deadline = time.monotonic() + args.seconds

        def send():
            try:
                while time.monotonic() < deadline:
                    s.sendall(block)
                    res["sent"] += len(block)
            except OSError:
                pass

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        view = memoryview(block)
        try:
            while time.monotonic() < deadline:
                data = s.recv(1 << 18)
                if not data:
                    res["end"] = "eof"
                    break
                off = res["got"] % len(block)
                pos = 0
                while pos < len(data):
                    n = min(len(data) - pos, len(block) - off)
                    if data[pos:pos + n] != view[off:off + n]:
                        res["intact"] = False
                    pos += n
                    off = 0
                res["got"] += len(data)
        except OSError as e:
            res["end"] = "error: %s" % e.__class__.__name__
        s.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"n": args.n, "conns": results}))
    return 0 if all(r["intact"] for r in results) else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--connect", help="HOST:PORT to connect to directly")
    ap.add_argument("--socks", help="SOCKS5 proxy HOST:PORT")
    ap.add_argument("--target", help="HOST:PORT (or a comma-separated list for "
                    "concurrent) the proxy connects to")
    ap.add_argument("--timeout", type=float, default=120)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("concurrent")
    c.add_argument("--n", type=int, default=100)
    c.add_argument("--size", type=int, default=65536)
    c.add_argument("--hold", help="directory for the ready/go files")
    d = sub.add_parser("digest")
    d.add_argument("--send", type=int, default=1 << 20)
    d.add_argument("--reply", type=int, default=1 << 20)
    d.add_argument("--blob", required=True, help="the file the target serves")
    b = sub.add_parser("bulk")
    b.add_argument("--n", type=int, default=2)
    b.add_argument("--seconds", type=float, default=120)
    args = ap.parse_args()
    if bool(args.connect) == bool(args.socks) or (args.socks and not args.target):
        ap.error("give --connect, or --socks and --target")
    try:
        if args.cmd == "digest":
            return cmd_digest(args)
        if args.cmd == "bulk":
            return cmd_bulk(args)
        return cmd_concurrent(args)
    except Exception as e:	# pylint: disable=broad-except
        print(json.dumps({"error": repr(e)}))
        return 1


if __name__ == "__main__":
    sys.exit(main())
