#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ss-socksd on the host, over real TCP, with tests/fake-ipc.c in place of
the kernel (see there what its "kernel" answers). TAP output.

    tests/socksd-test.py tests/socksd-fake
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "tests/socksd-fake"
n_test = 0
n_failed = 0


def ok(cond, desc, diag=None):
    global n_test, n_failed
    n_test += 1
    if not cond:
        n_failed += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n_test, desc))
    if not cond and diag is not None:
        for line in str(diag).splitlines():
            print("# " + line)
    sys.stdout.flush()


def free_port(family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind(("127.0.0.1" if family == socket.AF_INET else "::1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Daemon:
    # every one started: stopped at the end even if a test raised
    started = []

    def __init__(self, args, wait=None):
        self.err = tempfile.TemporaryFile()
        self.p = subprocess.Popen([BIN] + args, stdout=subprocess.DEVNULL,
                                  stderr=self.err)
        Daemon.started.append(self)
        self.ready = True
        if wait:
            self.ready = self.wait_listening(*wait)

    def wait_listening(self, host, port):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        for _ in range(100):
            if self.p.poll() is not None:
                return False
            # a probe connection: it is a pending handshake, closed at once
            s = socket.socket(fam, socket.SOCK_STREAM)
            try:
                s.connect((host, port))
                s.close()
                return True
            except OSError:
                s.close()
                time.sleep(0.05)
        return False

    def stderr(self):
        # pread, not seek and read: the daemon writes through the same
        # open file, at its offset, which a seek would move under it
        fd, out = self.err.fileno(), b""
        while True:
            d = os.pread(fd, 65536, len(out))
            if not d:
                return out.decode(errors="replace")
            out += d

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return None


def conn(host, port):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.create_connection((host, port), timeout=5)
    assert s.family == fam
    return s


def read_all(s, timeout=5.0):
    """everything until EOF (or the timeout: None)"""
    s.settimeout(timeout)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                return out
            out += b
    except socket.timeout:
        return None
    except ConnectionResetError:
        return out + b"<RST>"


def reply(atyp_addr, port, rep=0):
    return bytes([5, rep, 0]) + atyp_addr + struct.pack("!H", port)


V4_LO = bytes([1, 127, 0, 0, 1])
V6_LO = bytes([4]) + socket.inet_pton(socket.AF_INET6, "::1")
FAIL = lambda rep: bytes([5, rep, 0, 1, 0, 0, 0, 0, 0, 0])
GREET = bytes([5, 1, 0])


def domain_req(name, port):
    return bytes([5, 1, 0, 3, len(name)]) + name + struct.pack("!H", port)


# ---- --acl: targets connected to directly, relayed by ss-socksd ----

def listen_same_port(hosts):
    """listening sockets on each of @hosts, all on one port"""
    for _ in range(50):
        socks, port = [], 0
        try:
            for h in hosts:
                s = socket.socket(socket.AF_INET6 if ":" in h
                                  else socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                s.bind((h, port))
                port = s.getsockname()[1]
                s.listen(16)
            return socks, port
        except OSError:
            for s in socks:
                s.close()
    raise OSError("no port free on all of %r" % (hosts,))


def serve(socks, handler):
    def loop(ls):
        while True:
            try:
                c, _ = ls.accept()
            except OSError:
                return
            threading.Thread(target=handler, args=(c,), daemon=True).start()
    for ls in socks:
        threading.Thread(target=loop, args=(ls,), daemon=True).start()


def echo(c):
    """everything back; at the end of the stream, ours ends too"""
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            c.sendall(b)
        c.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    c.close()


def recv_exact(s, n, timeout=5.0):
    s.settimeout(timeout)
    out = b""
    try:
        while len(out) < n:
            b = s.recv(n - len(out))
            if not b:
                break
            out += b
    except (socket.timeout, ConnectionResetError):
        pass
    return out


def target(host, port):
    try:
        return (bytes([1]) + socket.inet_pton(socket.AF_INET, host) +
                struct.pack("!H", port))
    except OSError:
        pass
    try:
        return (bytes([4]) + socket.inet_pton(socket.AF_INET6, host) +
                struct.pack("!H", port))
    except OSError:
        return (bytes([3, len(host)]) + host.encode() +
                struct.pack("!H", port))


def socks_req(lhost, lport, host, port, data=b""):
    """a CONNECT (and @data in the same write): the socket, the method\n    reply and the request's reply"""
    s = conn(lhost, lport)
    s.sendall(GREET + bytes([5, 1, 0]) + target(host, port) + data)
    head = recv_exact(s, 6)
    rest = b""
    # ss-socksd's replies have an IPv4 or IPv6 BND.ADDR, never a name
    if len(head) == 6 and head[5] in (1, 4):
        rest = recv_exact(s, 4 + 2 if head[5] == 1 else 16 + 2)
    return s, head[:2], head[2:] + rest


def exchange(s, payload, timeout=10.0):
    """send @payload and end our stream while reading to the end"""
    def send():
        try:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    t = threading.Thread(target=send, daemon=True)
    t.start()
    got = read_all(s, timeout)
    t.join(timeout)
    return got


def acl_tests(tmp):
    e4, echo_port = listen_same_port(["127.0.0.1", "::1"])
    serve(e4, echo)
    # first its data and the end of its stream, then it reads ours
    sink = {}
    srv_data = os.urandom(300 * 1024)

    def source_then_sink(c):
        try:
            c.sendall(srv_data)
            c.shutdown(socket.SHUT_WR)
            got = b""
            while True:
                b = c.recv(65536)
                if not b:
                    break
                got += b
            sink["got"] = got
        except OSError as e:
            sink["err"] = e
        c.close()
    ss, sink_port = listen_same_port(["127.0.0.1"])
    serve(ss, source_then_sink)
    closed = free_port()
    pa, pa6, pt, pself, pc = (free_port(), free_port(socket.AF_INET6),
                              free_port(), free_port(), free_port())

    # libev's format: comments, a mode, sections, networks, patterns
    default_acl = os.path.join(tmp, "default.acl")
    with open(default_acl, "w") as f:
        f.write("# bypass the loopback and local names\n[proxy_all]\n\n"
                "[bypass_list]\n127.0.0.1\n::1/128\n(^|\\.)localhost$\n"
                "^nosuch\\.invalid$\n127.0.0.3\n\n"
                "[proxy_list]\n127.0.0.3  # in both lists\n"
                "(^|\\.)example\\.com$\n")
    bypass_acl = os.path.join(tmp, "bypass-all.acl")
    with open(bypass_acl, "w") as f:
        f.write("[bypass_all]\n[proxy_list]\n192.0.2.0/24\n"
                "(^|\\.)example\\.com$\n127.0.0.3\n"
                "[bypass_list]\n127.0.0.3\n")

    d = Daemon(["-v", "--client", "p", "--socks", "127.0.0.1:%d" % pa,
                "--socks", "[::1]:%d" % pa6,
                "--tunnel", "127.0.0.1:%d=127.0.0.1:%d" % (pt, echo_port),
                "--tunnel", "127.0.0.1:%d=127.0.0.1:%d" % (pself, pself),
                "--acl", default_acl, "--handshake-timeout", "2",
                "--max-pending", "3"], wait=("127.0.0.1", pa))
    ok(d.ready and "--acl '%s': 5 bypass rule(s), 2 proxy rule(s); targets "
       "neither names go through the relay" % default_acl in d.stderr(),
       "--acl: the file loaded, its rules counted with -v", d.stderr())

    # bypassed: ss-socksd connects, replies, relays
    payload = os.urandom(400 * 1024)
    s, m, rep = socks_req("127.0.0.1", pa, "127.0.0.1", echo_port)
    bnd = struct.unpack("!H", rep[-2:])[0] if len(rep) == 10 else 0
    ok(m == b"\x05\x00" and rep[:8] == b"\x05\x00\x00\x01\x7f\x00\x00\x01"
       and bnd not in (0, pa, echo_port),
       "--acl: CONNECT to a bypassed 127.0.0.1: 05 00, BND the address the "
       "direct connection left from", repr(m + rep))
    got = exchange(s, payload)
    ok(got == payload, "--acl: 400 KiB echoed both ways through the direct "
       "connection, then our end of stream comes back as the target's "
       "(%r bytes)" % (None if got is None else len(got)))
    s.close()
    ok(("bypass 127.0.0.1:%d (acl)" % echo_port) in d.stderr() and
       ("-> 127.0.0.1:%d" % echo_port) not in d.stderr(),
       "--acl -v: 'bypass TARGET (acl)', no handover", d.stderr())

    # the target ends first; the client goes on sending
    s, m, rep = socks_req("127.0.0.1", pa, "127.0.0.1", sink_port)
    got = read_all(s, 10)
    mine = os.urandom(200 * 1024)
    s.sendall(mine)
    s.shutdown(socket.SHUT_WR)
    end = read_all(s, 5)
    time.sleep(0.2)
    ok(rep[:2] == b"\x05\x00" and got == srv_data and end == b"" and
       sink.get("got") == mine,
       "--acl: half-close the other way: the target's 300 KiB and its end "
       "of stream, then 200 KiB from the client still reach it",
       "%r %r %r %r" % (rep, got is not None and len(got), end,
                        len(sink.get("got", b"")) or sink.get("err")))
    s.close()

    # IPv6 front end, IPv6 target
    s, m, rep = socks_req("::1", pa6, "::1", echo_port)
    ok(m == b"\x05\x00" and rep[:4] == b"\x05\x00\x00\x04" and
       rep[4:20] == socket.inet_pton(socket.AF_INET6, "::1"),
       "--acl: CONNECT to a bypassed [::1]: BND is IPv6", repr(rep))
    got = exchange(s, payload[:300 * 1024])
    ok(got == payload[:300 * 1024], "--acl: 300 KiB echoed over IPv6")
    s.close()

    # the bytes sent with the request go first
    s, m, rep = socks_req("127.0.0.1", pa, "127.0.0.1", echo_port,
                          b"sent with the request;")
    got = exchange(s, b"then more")
    ok(rep[:2] == b"\x05\x00" and got == b"sent with the request;then more",
       "--acl: the bytes read past the request reach the target first",
       repr(rep) + " " + repr(got))
    s.close()

    # a name, matched by a domain rule, resolved by ss-socksd
    s, m, rep = socks_req("127.0.0.1", pa, "localhost", echo_port)
    got = exchange(s, b"by name")
    ok(rep[:2] == b"\x05\x00" and got == b"by name" and
       ("bypass localhost:%d (acl)" % echo_port) in d.stderr(),
       "--acl: a name a domain rule matches (localhost) is resolved and "
       "connected to directly", repr(rep) + " " + repr(got))
    s.close()

    # not bypassed: handed to the kernel as before
    for host, desc in (("127.0.0.4", "an address no list names"),
                       ("www.example.com", "a name only [proxy_list] names")):
        s, m, rep = socks_req("127.0.0.1", pa, host, 80)
        got = read_all(s) or b""
        ok(rep == reply(V4_LO, pa) and
           got == ("RELAY %s:80 0\n" % host).encode(),
           "--acl: %s goes to the kernel as before" % desc,
           repr(rep) + " " + repr(got))
        s.close()

    # failures: the SOCKS5 code of the direct connect's
    for host, port, want, desc in (
            ("127.0.0.1", closed, 5, "a refused direct connect: 05 05"),
            ("127.0.0.3", closed, 5, "a target in both lists is bypassed "
             "([proxy_all]): connected directly, refused: 05 05"),
            ("nosuch.invalid", 80, 4, "a bypassed name that does not "
             "resolve: 05 04")):
        s, m, rep = socks_req("127.0.0.1", pa, host, port)
        ok(m == b"\x05\x00" and rep == FAIL(want), "--acl: " + desc,
           repr(rep))
        s.close()

    # a tunnel to a bypassed target: no reply, the bytes relayed
    s = conn("127.0.0.1", pt)
    got = exchange(s, payload[:100 * 1024])
    ok(got == payload[:100 * 1024],
       "--acl: --tunnel to a bypassed target: relayed directly, no reply")
    s.close()
    # a tunnel to itself would loop; the reset may come before our
    # connect() has returned
    try:
        s = conn("127.0.0.1", pself)
        got = read_all(s, 5)
        s.close()
    except ConnectionResetError:
        got = b"<RST>"
    time.sleep(0.1)
    ok(got in (b"", b"<RST>") and d.p.poll() is None and
       "it is the address the client reached" in d.stderr(),
       "--acl: a tunnel to its own address is reset, not looped",
       repr(got) + " " + d.stderr())

    # UDP is not subject to the ACL
    s = conn("127.0.0.1", pa)
    s.sendall(GREET + bytes([5, 3, 0, 1, 127, 0, 0, 1, 0, 0]))
    got = read_all(s) or b""
    ok(b"UDP socks5 127.0.0.1:" in got,
       "--acl: UDP ASSOCIATE with a bypassed source still goes to the "
       "kernel", repr(got))
    s.close()

    # at --max-pending direct connections, a new bypassed one is refused
    time.sleep(0.3)
    held = [socks_req("127.0.0.1", pa, "127.0.0.1", echo_port)[0]
            for _ in range(3)]
    s, m, rep = socks_req("127.0.0.1", pa, "127.0.0.1", echo_port)
    ok(rep == FAIL(1) and "3 direct connections (--max-pending)" in
       d.stderr(), "--acl: at --max-pending 3 direct connections, a fourth "
       "is refused: 05 01", repr(rep) + " " + d.stderr())
    s.close()
    s, m, rep = socks_req("127.0.0.1", pa, "192.0.2.1", 80)
    got = read_all(s) or b""
    ok(got == b"RELAY 192.0.2.1:80 0\n",
       "--acl: handovers to the kernel go on meanwhile", repr(got))
    s.close()
    held.pop().close()
    time.sleep(0.3)
    s, m, rep = socks_req("127.0.0.1", pa, "127.0.0.1", echo_port)
    got = exchange(s, b"again")
    ok(rep[:2] == b"\x05\x00" and got == b"again" and
       "direct connections below --max-pending again (1 refused)" in
       d.stderr(), "--acl: below --max-pending again: served", d.stderr())
    s.close()

    # SIGHUP rereads the file; a broken one keeps the rules in use
    with open(default_acl, "w") as f:
        f.write("[bypass_list]\n(^|\\.)localhost$\n")
    d.p.send_signal(signal.SIGHUP)
    time.sleep(0.3)
    s, m, rep = socks_req("127.0.0.1", pa, "127.0.0.1", echo_port)
    got = read_all(s) or b""
    ok(got == b"RELAY 127.0.0.1:%d 0\n" % echo_port,
       "--acl: SIGHUP rereads the file (127.0.0.1 no longer bypassed)",
       repr(got) + " " + d.stderr())
    s.close()
    with open(default_acl, "w") as f:
        f.write("[bypass_list]\n127.0.0.1\n[frob]\n")
    d.p.send_signal(signal.SIGHUP)
    time.sleep(0.3)
    s, m, rep = socks_req("127.0.0.1", pa, "127.0.0.1", echo_port)
    got = read_all(s) or b""
    ok(got == b"RELAY 127.0.0.1:%d 0\n" % echo_port and
       ("%s:3: unknown section [frob]" % default_acl) in d.stderr() and
       "the rules loaded before stay" in d.stderr(),
       "--acl: SIGHUP with a broken file: the error, the rules in use stay",
       repr(got) + " " + d.stderr())
    s.close()

    # SIGTERM ends the direct connections (they live in ss-socksd)
    s, m, rep = socks_req("127.0.0.1", pa, "localhost", echo_port)
    rc = d.stop()
    got = read_all(s, 5)
    ok(rc == 0 and rep[:2] == b"\x05\x00" and got in (b"", b"<RST>") and
       "the 3 direct connection(s) end" in d.stderr(),
       "--acl: SIGTERM: exit 0, the direct connections end",
       "exit %r %r %r %s" % (rc, rep, got, d.stderr()))
    for h in held:
        h.close()
    s.close()

    # [bypass_all], from config.json's "acl"
    cfg = os.path.join(tmp, "acl.json")
    with open(cfg, "w") as f:
        f.write('{"server": "192.0.2.1", "server_port": 8388, "password": '
                '"pw", "method": "aes-256-gcm", "local_port": %d, '
                '"acl": "%s"}' % (pc, bypass_acl))
    d = Daemon(["-v", "-c", cfg, "--client", "p"], wait=("127.0.0.1", pc))
    ok(d.ready and "--acl '%s': 1 bypass rule(s), 3 proxy rule(s); targets "
       "neither names go direct ([bypass_all])" % bypass_acl in d.stderr(),
       "-c: the config's \"acl\" is loaded", d.stderr())
    for host, port, desc in (
            ("127.0.0.1", echo_port, "an address no list names"),
            ("localhost", echo_port, "a name no list names")):
        s, m, rep = socks_req("127.0.0.1", pc, host, port)
        got = exchange(s, b"direct")
        ok(rep[:2] == b"\x05\x00" and got == b"direct",
           "[bypass_all]: %s is connected to directly" % desc,
           repr(rep) + " " + repr(got))
        s.close()
    # (as with libev, the bypass list wins: tried direct, refused)
    s, m, rep = socks_req("127.0.0.1", pc, "127.0.0.3", closed)
    ok(rep[:2] == b"\x05\x05",
       "[bypass_all]: a target in both lists is connected to directly (the "
       "bypass list wins, as with libev)", repr(rep))
    s.close()
    for host, desc in (("192.0.2.9", "an address in [proxy_list]"),
                       ("www.example.com", "a name in [proxy_list]")):
        s, m, rep = socks_req("127.0.0.1", pc, host, 443)
        got = read_all(s) or b""
        ok(got == ("RELAY %s:443 0\n" % host).encode(),
           "[bypass_all]: %s goes to the kernel" % desc, repr(got))
        s.close()
    d.stop()

    # the command line's --acl wins over the config's
    with open(default_acl, "w") as f:
        f.write("[bypass_list]\n127.0.0.1\n")
    d = Daemon(["-v", "-c", cfg, "--client", "p", "--acl", default_acl],
               wait=("127.0.0.1", pc))
    s, m, rep = socks_req("127.0.0.1", pc, "127.0.0.4", 443)
    got = read_all(s) or b""
    ok(got == b"RELAY 127.0.0.4:443 0\n" and
       ("--acl '%s'" % default_acl) in d.stderr(),
       "--acl wins over the config's \"acl\"", repr(got) + " " + d.stderr())
    s.close()
    d.stop()
    for ls in e4 + ss:
        ls.close()


def main():
    print("TAP version 13")
    p4, p6, pt, pf, pa, pc = (free_port(), free_port(socket.AF_INET6),
                              free_port(), free_port(), free_port(),
                              free_port())
    pu = free_port()
    auth = tempfile.NamedTemporaryFile("w", delete=False)
    auth.write("# users\n\nbob:x\nalice:s3cret:with:colons\n")
    auth.close()

    d = Daemon(["-v", "--client", "p", "--socks", "127.0.0.1:%d" % p4,
                "--socks", "[::1]:%d" % p6,
                "--tunnel", "127.0.0.1:%d=dns.example:53" % pt,
                "--tunnel", "127.0.0.1:%d=[2001:db8::53]:53,udp" % pu,
                "--handshake-timeout", "1", "--max-pending", "3"],
               wait=("127.0.0.1", p4))
    ok(d.ready, "listens on --socks 127.0.0.1", d.stderr())
    ok(d.wait_listening("::1", p6), "listens on --socks [::1]", d.stderr())
    time.sleep(0.1)

    # greeting, request and data in one write
    s = conn("127.0.0.1", p4)
    s.sendall(GREET + domain_req(b"example.com", 443) + b"hello")
    got = read_all(s)
    want = (b"\x05\x00" + reply(V4_LO, p4) + b"RELAY example.com:443 5\n" +
            b"hello")
    ok(got == want, "one write: method reply, then the kernel writes the "
       "success reply (BND = the listener), target and the 5 bytes read past "
       "the request", "got  %r\nwant %r" % (got, want))

    # byte by byte
    s = conn("127.0.0.1", p4)
    s.sendall(GREET)
    s.settimeout(2)
    m = s.recv(2)
    for b in bytes([5, 1, 0, 1, 192, 0, 2, 9, 0, 80]):
        s.sendall(bytes([b]))
        time.sleep(0.01)
    got = read_all(s)
    ok(m == b"\x05\x00" and
       got == reply(V4_LO, p4) + b"RELAY 192.0.2.9:80 0\n",
       "a request sent one byte at a time: IPv4 target, no data",
       "%r %r" % (m, got))

    # IPv6 listener, IPv6 target
    s = conn("::1", p6)
    s.sendall(GREET + bytes([5, 1, 0, 4]) +
              socket.inet_pton(socket.AF_INET6, "2001:db8::1") + b"\x01\xbb")
    got = read_all(s)
    ok(got == b"\x05\x00" + reply(V6_LO, p6) +
       b"RELAY [2001:db8::1]:443 0\n",
       "IPv6 listener and target: BND is the IPv6 address", repr(got))

    # more than the buffer in one write
    payload = bytes(range(256)) * 40
    s = conn("127.0.0.1", p4)
    s.sendall(GREET + domain_req(b"big.example", 80) + payload)
    # the fake kernel holds no reference: the close with the rest unread
    # is a reset here
    got = (read_all(s) or b"").removesuffix(b"<RST>")
    head = b"\x05\x00" + reply(V4_LO, p4) + b"RELAY big.example:80 "
    ok_form = got.startswith(head)
    n = -1
    if ok_form:
        line, _, rest = got[len(b"\x05\x00") + 10:].partition(b"\n")
        n = int(line.split()[-1])
        ok_form = rest == payload[:n] and 0 < n <= 8192
    ok(ok_form, "a request with 10 KiB of data: what was read past it "
       "(%d bytes) handed over, in order" % n, repr(got[:80]))

    # refusals
    cases = [
        ("BIND: 05 07", GREET + bytes([5, 2, 0, 1, 1, 2, 3, 4, 0, 80]),
         b"\x05\x00" + FAIL(7)),
        ("address type 5: 05 08", GREET + bytes([5, 1, 0, 5, 1, 2, 3, 4, 0, 80]),
         b"\x05\x00" + FAIL(8)),
        ("RSV 1: 05 01", GREET + bytes([5, 1, 1, 1, 1, 2, 3, 4, 0, 80]),
         b"\x05\x00" + FAIL(1)),
        ("RSV 0xff, UDP ASSOCIATE: 05 01",
         GREET + bytes([5, 3, 0xff, 1, 0, 0, 0, 0, 0, 0]), b"\x05\x00" + FAIL(1)),
        ("CONNECT to port 0: 05 01, not handed over",
         GREET + bytes([5, 1, 0, 1, 1, 2, 3, 4, 0, 0]), b"\x05\x00" + FAIL(1)),
        ("CONNECT to a name, port 0: 05 01", GREET + domain_req(b"host", 0),
         b"\x05\x00" + FAIL(1)),
        ("empty domain name: 05 01", GREET + bytes([5, 1, 0, 3, 0, 0, 80]),
         b"\x05\x00" + FAIL(1)),
        ("a SOCKS4 request: closed, no reply",
         bytes([4, 1, 0, 80, 1, 2, 3, 4, 0]), b""),
        ("garbage: closed, no reply", b"GET / HTTP/1.0\r\n\r\n", b""),
        ("request version 4 after a greeting: closed, no more reply",
         GREET + bytes([4, 1, 0, 1, 1, 2, 3, 4, 0, 80]), b"\x05\x00"),
        ("only username/password offered: 05 ff", bytes([5, 1, 2]),
         b"\x05\xff"),
        ("BIND followed by a CONNECT: the CONNECT is never read",
         GREET + bytes([5, 2, 0, 1, 1, 2, 3, 4, 0, 80]) +
         bytes([5, 1, 0, 1, 1, 2, 3, 4, 0, 80]), b"\x05\x00" + FAIL(7)),
    ]
    for desc, data, want in cases:
        s = conn("127.0.0.1", p4)
        s.sendall(data)
        got = read_all(s)
        ok(got == want, "refused: " + desc, "got %r want %r" % (got, want))

    # a truncated request: closed at the handshake timeout (1 s)
    s = conn("127.0.0.1", p4)
    t0 = time.monotonic()
    s.sendall(GREET + bytes([5, 1, 0, 3, 20]) + b"short")
    got = read_all(s, 5)
    dt = time.monotonic() - t0
    ok(got == b"\x05\x00" and 0.8 <= dt <= 3,
       "a truncated request: closed at the 1 s handshake timeout (%.1f s)" % dt,
       repr(got))

    # --max-pending 3
    idle = [conn("127.0.0.1", p4) for _ in range(3)]
    time.sleep(0.2)
    s = conn("127.0.0.1", p4)
    t0 = time.monotonic()
    got = read_all(s, 2)
    dt = time.monotonic() - t0
    ok(got in (b"", b"<RST>") and dt < 0.5,
       "at --max-pending 3, a fourth connection is closed at once", repr(got))
    for i in idle:
        i.close()
    time.sleep(0.2)
    s = conn("127.0.0.1", p4)
    s.sendall(GREET + domain_req(b"again.example", 80))
    got = read_all(s)
    ok(got == b"\x05\x00" + reply(V4_LO, p4) + b"RELAY again.example:80 0\n",
       "below --max-pending again: served", repr(got))
    ok("below --max-pending again" in d.stderr(),
       "the refusals are logged, once when they start and once when they stop",
       d.stderr())

    # tunnel
    s = conn("127.0.0.1", pt)
    s.sendall(b"not read by ss-socksd")
    # (left unread, the fake kernel holding nothing: the close may reset)
    got = (read_all(s) or b"").removesuffix(b"<RST>")
    ok(got == b"RELAY dns.example:53 0\n",
       "--tunnel: handed over at once, fixed target, no reply, nothing read",
       repr(got))

    ok("fake: UDP tunnel 127.0.0.1:%d -> [2001:db8::53]:53" % pu
       in d.stderr(), "--tunnel ...,udp: the bound UDP socket handed over at "
       "start, fixed target", d.stderr())
    # the port is held (by ss-socksd's descriptor here; by the kernel for real)

    # UDP ASSOCIATE: the kernel writes the reply (BND: the UDP socket)
    for req, src, desc in (
            (bytes([5, 3, 0, 1, 0, 0, 0, 0, 0, 0]), "-", "0.0.0.0:0"),
            (bytes([5, 3, 0, 1, 127, 0, 0, 1, 0x30, 0x39]), "127.0.0.1:12345",
             "127.0.0.1:12345"),
            (bytes([5, 3, 0, 3, 1, 0x61, 0, 0]), "-", "a domain")):
        s = conn("127.0.0.1", p4)
        s.sendall(GREET + req)
        got = read_all(s) or b""
        form = (got[:5] == b"\x05\x00\x05\x00\x00" and got[5] == 1 and
                got[6:10] == b"\x7f\x00\x00\x01")
        port = int.from_bytes(got[10:12], "big") if form else 0
        want = b"UDP socks5 127.0.0.1:%d %s\n" % (port, src.encode())
        ok(form and port and got[12:] == want,
           "UDP ASSOCIATE %s: UDP socket bound on the control connection's "
           "address, reply 05 00 BND, source %s" % (desc, src), repr(got))

    ok("-> example.com:443 (5 bytes already read)" in d.stderr(),
       "-v logs the handoff", d.stderr())
    rc = d.stop()
    ok(rc == 0, "SIGTERM: exit 0", "exit %r; %s" % (rc, d.stderr()))

    # the kernel refuses
    d = Daemon(["--client", "fail", "--socks", "127.0.0.1:%d" % pf],
               wait=("127.0.0.1", pf))
    s = conn("127.0.0.1", pf)
    s.sendall(GREET + domain_req(b"example.com", 443) + b"data")
    got = read_all(s)
    ok(got == b"\x05\x00" + FAIL(1),
       "the kernel refuses the handover (-EMFILE): reply 05 01, closed",
       repr(got))
    time.sleep(0.1)
    ok("handoff failed: the client profile has max-conns relays already"
       in d.stderr(), "the kernel's message is logged", d.stderr())
    rc = d.stop()
    ok(rc == 0, "SIGTERM: exit 0", rc)

    # logins
    d = Daemon(["--client", "p", "--socks", "127.0.0.1:%d" % pa,
                "--auth-file", auth.name], wait=("127.0.0.1", pa))
    s = conn("127.0.0.1", pa)
    s.sendall(GREET)
    got = read_all(s)
    ok(got == b"\x05\xff", "--auth-file: no-auth only: 05 ff", repr(got))
    s = conn("127.0.0.1", pa)
    s.sendall(bytes([5, 2, 0, 2, 1, 5]) + b"alice" + bytes([6]) + b"s3cret")
    got = read_all(s)
    ok(got == b"\x05\x02\x01\x01", "--auth-file: a wrong password: 01 01",
       repr(got))
    pw = b"s3cret:with:colons"
    s = conn("127.0.0.1", pa)
    s.sendall(bytes([5, 1, 2, 1, 5]) + b"alice" + bytes([len(pw)]) + pw +
              domain_req(b"example.com", 443) + b"x")
    got = read_all(s)
    ok(got == b"\x05\x02\x01\x00" + reply(V4_LO, pa) +
       b"RELAY example.com:443 1\nx",
       "--auth-file: the right password (with colons), login, request and "
       "data in one write", repr(got))
    d.stop()

    # SIGHUP rereads --auth-file; a file that does not load keeps the
    # logins in use
    def login(user, pw):
        s = conn("127.0.0.1", pa)
        s.sendall(bytes([5, 1, 2, 1, len(user)]) + user + bytes([len(pw)]) + pw)
        s.settimeout(2)
        got = b""
        try:
            while len(got) < 4:
                b = s.recv(4 - len(got))
                if not b:
                    break
                got += b
        except socket.timeout:
            pass
        s.close()
        return got

    def write_auth(text):
        with open(auth.name, "w") as f:
            f.write(text)

    def hup():
        d.p.send_signal(signal.SIGHUP)
        time.sleep(0.3)

    write_auth("carol:one\n")
    d = Daemon(["-v", "--client", "p", "--socks", "127.0.0.1:%d" % pa,
                "--auth-file", auth.name], wait=("127.0.0.1", pa))
    ok(login(b"carol", b"one") == b"\x05\x02\x01\x00",
       "--auth-file: carol logs in")
    write_auth("dave:two\n")
    hup()
    got = (login(b"carol", b"one"), login(b"dave", b"two"))
    ok(got == (b"\x05\x02\x01\x01", b"\x05\x02\x01\x00") and
       "reloaded: 1 login(s)" in d.stderr(),
       "SIGHUP: the auth file is reread (carol refused, dave logs in)",
       repr(got) + " " + d.stderr())
    write_auth("no colon here\n")
    hup()
    got = login(b"dave", b"two")
    ok(got == b"\x05\x02\x01\x00" and d.p.poll() is None and
       "not loaded; the 1 login(s) loaded before stay" in d.stderr(),
       "SIGHUP: a broken auth file keeps the logins in use (dave still "
       "logs in), with an error", repr(got) + " " + d.stderr())
    rc = d.stop()
    ok(rc == 0, "SIGTERM after SIGHUPs: exit 0", rc)

    # -c config.json, through the fake kernel
    cfg = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    cfg.write('{"server": "192.0.2.1", "server_port": 8388, "password": "pw",'
              ' "method": "aes-256-gcm", "local_port": %d}' % pc)
    cfg.close()
    d = Daemon(["-v", "-c", cfg.name, "--client", "p"],
               wait=("127.0.0.1", pc))
    ok(d.ready and "matches" in d.stderr(),
       "-c: a profile that matches the config is used; local_port listens",
       d.stderr())
    d.stop()
    d = Daemon(["-v", "-c", cfg.name, "--client", "newone"],
               wait=("127.0.0.1", pc))
    ok(d.ready and "client profile 'newone' added" in d.stderr(),
       "-c: a missing profile is created", d.stderr())
    d.stop()
    with open(cfg.name, "w") as f:
        f.write('{"server": "192.0.2.2", "server_port": 8388, "password": '
                '"pw", "method": "aes-256-gcm", "local_port": %d}' % pc)
    d = Daemon(["-c", cfg.name, "--client", "p"])
    rc = d.p.wait(timeout=5)
    want = ("ss-socksd: client profile 'p' differs from %s (it has "
            "192.0.2.1:8388 aes-256-gcm, the config 192.0.2.2:8388 "
            "aes-256-gcm): delete it with 'ssctl client del p' (which ends "
            "its relays) or choose another --client NAME\n" % cfg.name)
    ok(rc == 1 and d.stderr() == want,
       "-c: a profile that differs: exit 1, the profile is kept",
       "exit %d: %s" % (rc, d.stderr()))
    # a string cut short by \u0000 would be another server or method
    for field, value in (("server", "192.0.2.1\\u0000.example"),
                         ("method", "aes-256-gcm\\u0000x"),
                         ("local_address", "127.0.0.1\\u0000x"),
                         ("plugin", "obfs-local\\u0000x")):
        conf = {"server": '"192.0.2.1"', "method": '"aes-256-gcm"'}
        conf[field] = '"%s"' % value
        with open(cfg.name, "w") as f:
            f.write('{"server": %s, "server_port": 8388, "password": "pw", '
                    '"method": %s, "local_port": %d%s}'
                    % (conf["server"], conf["method"], pc,
                       "".join(', "%s": %s' % (k, v) for k, v in conf.items()
                               if k not in ("server", "method"))))
        d = Daemon(["-c", cfg.name, "--client", "p"])
        rc = d.p.wait(timeout=5)
        want = ("ss-socksd: %s: '%s' holds a NUL character (\\u0000)\n"
                % (cfg.name, field))
        ok(rc == 1 and d.stderr() == want,
           "-c: '%s' with a \\u0000: exit 1, named" % field,
           "exit %d: %s" % (rc, d.stderr()))
    d = Daemon(["--client", "nosuch", "--socks", "127.0.0.1:%d" % pc])
    rc = d.p.wait(timeout=5)
    ok(rc == 1 and d.stderr().startswith(
        "ss-socksd: no client profile named 'nosuch'"),
       "--client: an unknown profile: exit 1", d.stderr())

    # a port in use
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    bport = busy.getsockname()[1]
    d = Daemon(["--client", "p", "--socks", "127.0.0.1:%d" % bport])
    rc = d.p.wait(timeout=5)
    ok(rc == 1 and d.stderr() ==
       "ss-socksd: cannot listen on 127.0.0.1:%d (socks): Address already in use\n"
       % bport, "a port in use: exit 1", d.stderr())
    busy.close()

    with tempfile.TemporaryDirectory() as tmp:
        acl_tests(tmp)

    os.unlink(auth.name)
    os.unlink(cfg.name)
    print("1..%d" % n_test)
    return 1 if n_failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        for d in Daemon.started:
            d.stop()
