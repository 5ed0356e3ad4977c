# SPDX-License-Identifier: GPL-2.0
"""Datagrams with several in flight, each resent until answered.

socks5_udp.py and ss2022.py send a run of echo datagrams with up to W in
flight. A fixed resend timer collapses on a slow path: on the debug kernel
a 2022 peer in Python answers a few datagrams a second, so 32 in flight
wait longer than the timer, every one is sent again, the copies double the
load and some datagrams use up their tries queued behind them. The timer
here follows the measured round trip as TCP's does (RFC 6298: smoothed RTT
plus four deviations, samples only from datagrams sent once, doubled on
a resend), never below the caller's wait, and a resend halves how many
may be in flight.
"""

import time


class ResendTimer:
    """RFC 6298 retransmission timeout, never below floor seconds: doubled
    on a resend and kept so until a datagram sent once is answered"""

    def __init__(self, floor):
        self.floor = floor
        self.srtt = None
        self.rttvar = None
        self.rto = floor

    def sample(self, rtt):
        if self.srtt is None:
            self.srtt, self.rttvar = rtt, rtt / 2
        else:
            self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - rtt)
            self.srtt = 0.875 * self.srtt + 0.125 * rtt
        self.rto = max(self.floor, self.srtt + 4 * self.rttvar)

    def backoff(self):
        self.rto = min(2 * self.rto, 64 * self.floor)


def run(count, window, retries, floor, make, send, receive, answered=None,
        lost=None):
    """Send count datagrams, up to window in flight.

    make(i) gives (payload, ctx) for the i-th; payloads must differ (a
    sequence number first does). send(payload, ctx) sends one, the first
    time or again. receive(timeout) gives (payload, reply) for a reply that
    came in, or None; answered(reply, ctx) sees each first answer and lost(
    payload) each datagram that used up 1 + retries tries. Returns
    (answered, lost, resends).

    As in TCP, a resend halves the datagrams allowed in flight and each
    answer adds one back, up to window: a path slower than window
    datagrams per timer settles at what it carries instead of filling
    with copies.
    """
    timer = ResendTimer(floor)
    pending = {}	# payload: [ctx, tries, deadline, first send]
    allowed = window
    n_ok = n_lost = resends = i = 0
    while i < count or pending:
        while i < count and len(pending) < allowed:
            payload, ctx = make(i)
            send(payload, ctx)
            now = time.monotonic()
            pending[payload] = [ctx, 0, now + timer.rto, now]
            i += 1
        first = min(v[2] for v in pending.values())
        got = receive(max(0.01, first - time.monotonic()))
        now = time.monotonic()
        if got is not None and got[0] in pending:
            ctx, tries, _, sent = pending.pop(got[0])
            if tries == 0:	# Karn: a resent one's reply is ambiguous
                timer.sample(now - sent)
            if answered is not None:
                answered(got[1], ctx)
            n_ok += 1
            allowed = min(window, allowed + 1)
        expired = [p for p, v in pending.items() if v[2] <= now]
        if expired:
            timer.backoff()
            allowed = max(1, allowed // 2)
        for payload in expired:
            v = pending[payload]
            if v[1] >= retries:
                del pending[payload]
                n_lost += 1
                if lost is not None:
                    lost(payload)
                continue
            v[1] += 1
            v[2] = now + timer.rto
            resends += 1
            send(payload, v[0])
    return n_ok, n_lost, resends
