#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The target's services for the relay tests, all in one process.

Every port listens on :: with IPV6_V6ONLY off, so IPv4 and IPv6 clients
reach the same service.

  HTTP, port 8080 (curl through ss-local):
    GET /blob[?n=N]   the first N bytes (default: all) of the blob file
    PUT|POST /sink    reads the body (Content-Length); answers
                      "<sha256 hex> <length>\\n"
  echo, port 9000     sends back everything it reads; at EOF shuts down its
                      write side and closes
  digest, port 9001   reads an 8-byte big-endian reply length R, then
                      everything up to EOF (the client's half-close), then
                      sends "<sha256 hex of what followed the header>
                      <its length>\\n" and the first R bytes of the blob, and
                      closes. It only answers after EOF, so a relay that
                      loses the half-close gets no reply at all.
  udp echo, --udp-echo PORT (off unless given): every datagram is sent
                      back to where it came from, unchanged
  junk, --junk PORT   (off unless given) sends 4 KiB of random bytes at
                      once, then reads to EOF and closes: a "server" whose
                      answer can never authenticate
"""

import argparse
import hashlib
import http.server
import os
import socket
import socketserver
import struct
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sockio import recv_exact  # noqa: E402


def dual_stack_bind(server):
    server.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.socket.bind(server.server_address)
    server.server_address = server.socket.getsockname()


class TCPServer(socketserver.ThreadingTCPServer):
    address_family = socket.AF_INET6
    daemon_threads = True
    request_queue_size = 512

    def server_bind(self):
        dual_stack_bind(self)


class HTTPServer(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True
    request_queue_size = 512

    def server_bind(self):
        dual_stack_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port


def send_blob(sock, n):
    """The first n bytes of the blob, with sendfile."""
    with open(BLOB, "rb") as f:
        off = 0
        while off < n:
            sent = sock.sendfile(f, off, n - off)
            if sent == 0:
                raise OSError("short sendfile")
            off += sent


class HTTPHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("http: %s %s\n" % (self.client_address[0], fmt % args))

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path != "/blob":
            self.send_error(404)
            return
        n = BLOB_SIZE
        for kv in query.split("&"):
            if kv.startswith("n="):
                n = min(int(kv[2:]), BLOB_SIZE)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        self.wfile.flush()
        send_blob(self.connection, n)

    def do_PUT(self):
        if self.path != "/sink":
            self.send_error(404)
            return
        left = int(self.headers.get("Content-Length", "0"))
        h, got = hashlib.sha256(), 0
        while left > 0:
            data = self.rfile.read(min(left, 1 << 18))
            if not data:
                break
            h.update(data)
            got += len(data)
            left -= len(data)
        body = ("%s %d\n" % (h.hexdigest(), got)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT


class EchoHandler(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        while True:
            data = s.recv(1 << 16)
            if not data:
                break
            s.sendall(data)
        s.shutdown(socket.SHUT_WR)


class DigestHandler(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        try:
            (reply,) = struct.unpack(">Q", recv_exact(s, 8))
        except EOFError:
            return	# a probe of the port
        h, got = hashlib.sha256(), 0
        while True:
            data = s.recv(1 << 18)
            if not data:
                break
            h.update(data)
            got += len(data)
        s.sendall(("%s %d\n" % (h.hexdigest(), got)).encode())
        send_blob(s, min(reply, BLOB_SIZE))
        s.shutdown(socket.SHUT_WR)


class JunkHandler(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        try:
            s.sendall(os.urandom(4096))
            while s.recv(1 << 16):
                pass
        except OSError:
            pass


def udp_echo(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    # the reply goes out from the address the datagram came to (IPv4 as
    # IPv4-mapped), as a client checks, on a host with several addresses
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
    s.bind(("::", port))
    while True:
        data, anc, _, peer = s.recvmsg(1 << 16, socket.CMSG_SPACE(20))
        info = [d for lvl, typ, d in anc
                if lvl == socket.IPPROTO_IPV6 and typ == socket.IPV6_PKTINFO]
        try:
            if info:
                s.sendmsg([data], [(socket.IPPROTO_IPV6, socket.IPV6_PKTINFO, info[0])],
                          0, peer)
            else:
                s.sendto(data, peer)
        except OSError:
            pass


def main():
    global BLOB, BLOB_SIZE
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--blob", required=True, help="file GET /blob and digest serve")
    ap.add_argument("--http", type=int, default=8080)
    ap.add_argument("--echo", type=int, default=9000)
    ap.add_argument("--digest", type=int, default=9001)
    ap.add_argument("--junk", type=int, default=0, help="port of the junk service (0: none)")
    ap.add_argument("--udp-echo", type=int, default=0, help="port of the UDP echo service (0: none)")
    args = ap.parse_args()
    BLOB = args.blob
    BLOB_SIZE = os.path.getsize(BLOB)

    servers = [HTTPServer(("::", args.http), HTTPHandler),
               TCPServer(("::", args.echo), EchoHandler),
               TCPServer(("::", args.digest), DigestHandler)]
    if args.junk:
        servers.append(TCPServer(("::", args.junk), JunkHandler))
    for srv in servers[1:]:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    if args.udp_echo:
        threading.Thread(target=udp_echo, args=(args.udp_echo,), daemon=True).start()
    print("serving", flush=True)
    servers[0].serve_forever()


if __name__ == "__main__":
    main()
