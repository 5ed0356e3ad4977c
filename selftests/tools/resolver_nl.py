#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The module's resolver protocol by hand (uapi/linux/shadowsocks.h,
"Resolving target names"), for tests: a fake agent, and replies that
ssctl resolver would never send.

usage: resolver_nl.py listen [--answer ADDR | --error ERRNO] [--count N]
       resolver_nl.py reply ITEM...
       resolver_nl.py request

  listen   subscribe to the "resolver" group and print each request as a
           JSON line {"id", "name", "server"}; with --answer or --error,
           answer it so (and print {"id", "errno", "extack"}); exit after
           --count requests (default: never). Exit 3 if the subscription
           is refused (printing the errno).
  reply    send one SS_CMD_RESOLVE_REPLY made of ITEMs, in order:
           id=N, err=N (SS_A_LOOKUP_ERROR), v4=ADDR, v6=ADDR, name=TEXT
           (SS_A_NAME), raw=TYPE:HEX (any attribute); print "ERRNO EXTACK"
           (0 on success); exit 0
  request  send SS_CMD_RESOLVE_REQUEST as a request (only the kernel may
           send it); print "ERRNO EXTACK"
"""

import argparse
import json
import socket
import struct
import sys

import genl as g


def reply_items(items):
    body = []
    for it in items:
        k, v = it.split("=", 1)
        if k == "id":
            body.append(g.u32(g.A_LOOKUP_ID, int(v)))
        elif k == "err":
            body.append(g.u32(g.A_LOOKUP_ERROR, int(v)))
        elif k == "v4":
            body.append(g.attr(g.A_LOOKUP_IPV4, socket.inet_pton(socket.AF_INET, v)))
        elif k == "v6":
            body.append(g.attr(g.A_LOOKUP_IPV6, socket.inet_pton(socket.AF_INET6, v)))
        elif k == "name":
            body.append(g.strz(g.A_NAME, v))
        elif k == "raw":
            t, h = v.split(":", 1)
            body.append(g.attr(int(t), bytes.fromhex(h)))
        else:
            raise SystemExit("unknown item " + it)
    return body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["listen", "reply", "request"])
    ap.add_argument("items", nargs="*")
    ap.add_argument("--answer")
    ap.add_argument("--error", type=int)
    ap.add_argument("--count", type=int, default=0)
    a = ap.parse_args()

    nl = g.Genl()
    if a.mode == "reply":
        err, msg, _ = nl.request(g.CMD_RESOLVE_REPLY, reply_items(a.items))
        print(err, msg)
        return 0
    if a.mode == "request":
        err, msg, _ = nl.request(g.CMD_RESOLVE_REQUEST,
                                 [g.u32(g.A_LOOKUP_ID, 1),
                                  g.strz(g.A_LOOKUP_NAME, "x.test")])
        print(err, msg)
        return 0

    ev = g.Genl()           # events on their own socket, replies on nl
    try:
        ev.subscribe("resolver")
    except OSError as e:
        print(json.dumps({"subscribe": e.errno}), flush=True)
        return 3
    print(json.dumps({"subscribed": True}), flush=True)
    n = 0
    while not a.count or n < a.count:
        cmd, at = ev.recv_event()
        if cmd != g.CMD_RESOLVE_REQUEST:
            continue
        n += 1
        lid = struct.unpack("I", at[g.A_LOOKUP_ID])[0]
        print(json.dumps({"id": lid,
                          "name": at[g.A_LOOKUP_NAME].rstrip(b"\0").decode(),
                          "server": at[g.A_NAME].rstrip(b"\0").decode()}),
              flush=True)
        items = None
        if a.answer:
            items = ["id=%d" % lid,
                     ("v6=" if ":" in a.answer else "v4=") + a.answer]
        elif a.error is not None:
            items = ["id=%d" % lid, "err=%d" % a.error]
        if items:
            err, msg, _ = nl.request(g.CMD_RESOLVE_REPLY, reply_items(items))
            print(json.dumps({"id": lid, "errno": err, "extack": msg}),
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
