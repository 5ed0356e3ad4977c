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
    def __init__(self, args, wait=None):
        self.err = tempfile.TemporaryFile()
        self.p = subprocess.Popen([BIN] + args, stdout=subprocess.DEVNULL,
                                  stderr=self.err)
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

    os.unlink(auth.name)
    os.unlink(cfg.name)
    print("1..%d" % n_test)
    return 1 if n_failed else 0


if __name__ == "__main__":
    sys.exit(main())
