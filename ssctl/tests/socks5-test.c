// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of socks5.c, the SOCKS5 handshake of ss-socksd, on the host:
 * every message alone, every refusal, every truncation, pipelined input
 * split at every byte, and the address helpers. TAP output.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "socks5.h"
#include "tap.h"


static bool check_user(void *arg, const uint8_t *user, size_t user_len,
		       const uint8_t *pass, size_t pass_len)
{
	(void)arg;
	return user_len == 5 && !memcmp(user, "alice", 5) &&
	       pass_len == 6 && !memcmp(pass, "s3cret", 6);
}

static const struct socks5_auth no_auth = { 0 };
static const struct socks5_auth with_auth = { .check = check_user };

/*
 * What ss-socksd's connection does with the state machine: bytes arrive in
 * chunks, each message is answered, used bytes are dropped.
 */
struct run {
	enum socks5_action last;	/* the final action */
	uint8_t out[256];		/* every reply, concatenated */
	size_t out_len;
	uint8_t rest[4096];		/* what was left after CONNECT */
	size_t rest_len;
	struct socks5 s;
};

static void feed(struct run *r, const struct socks5_auth *auth,
		 const uint8_t *in, size_t len, size_t chunk)
{
	uint8_t buf[4096], out[SOCKS5_REPLY_MAX];
	size_t have = 0, pos = 0, used, out_len;

	memset(r, 0, sizeof(*r));
	socks5_init(&r->s);
	r->last = SOCKS5_NEED_MORE;
	while (pos < len) {
		size_t n = len - pos < chunk ? len - pos : chunk;

		memcpy(buf + have, in + pos, n);
		have += n;
		pos += n;
		for (;;) {
			r->last = socks5_step(&r->s, auth, buf, have, &used,
					      out, &out_len);
			memcpy(r->out + r->out_len, out, out_len);
			r->out_len += out_len;
			if (r->last == SOCKS5_SEND) {
				have -= used;
				memmove(buf, buf + used, have);
				continue;
			}
			if (r->last == SOCKS5_CONNECT) {
				r->rest_len = have - used;
				memcpy(r->rest, buf + used, r->rest_len);
				return;
			}
			if (r->last != SOCKS5_NEED_MORE)
				return;
			break;
		}
	}
}

static bool same(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

#define B(...) ((const uint8_t[]){ __VA_ARGS__ })
#define L(...) sizeof((const uint8_t[]){ __VA_ARGS__ })
#define BL(...) B(__VA_ARGS__), L(__VA_ARGS__)

/* one step on @in alone from a fresh state (or after @pre) */
static enum socks5_action step1(const struct socks5_auth *auth,
				enum socks5_state state, const uint8_t *in,
				size_t len, size_t *used, uint8_t *out,
				size_t *out_len, struct socks5 *s)
{
	socks5_init(s);
	s->state = state;
	return socks5_step(s, auth, in, len, used, out, out_len);
}

static void test_greeting(void)
{
	uint8_t out[SOCKS5_REPLY_MAX];
	size_t used, out_len;
	struct socks5 s;
	enum socks5_action a;

	a = step1(&no_auth, SOCKS5_GREETING, BL(5, 1, 0), &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND && used == 3 && same(out, out_len, BL(5, 0)) &&
	   s.state == SOCKS5_REQUEST, "greeting: no-auth accepted with 05 00");
	a = step1(&no_auth, SOCKS5_GREETING, BL(5, 3, 1, 2, 0), &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND && used == 5 && same(out, out_len, BL(5, 0)),
	   "greeting: no-auth chosen among three methods");
	a = step1(&no_auth, SOCKS5_GREETING, BL(5, 1, 2), &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, BL(5, 0xff)) &&
	   s.state == SOCKS5_FAILED && s.why,
	   "greeting: only username/password offered, none configured: 05 FF");
	a = step1(&no_auth, SOCKS5_GREETING, BL(5, 0), &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, BL(5, 0xff)),
	   "greeting: no methods at all: 05 FF");
	a = step1(&with_auth, SOCKS5_GREETING, BL(5, 1, 0), &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, BL(5, 0xff)),
	   "greeting: with --auth-file, no-auth alone is refused: 05 FF");
	a = step1(&with_auth, SOCKS5_GREETING, BL(5, 2, 0, 2), &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND && used == 4 && same(out, out_len, BL(5, 2)) &&
	   s.state == SOCKS5_AUTH, "greeting: with --auth-file, 05 02 chosen");
	a = step1(&no_auth, SOCKS5_GREETING, BL(4), &used, out, &out_len, &s);
	ok(a == SOCKS5_CLOSE && !out_len && s.state == SOCKS5_FAILED,
	   "greeting: version 4 closes without a reply, on its first byte");
	a = step1(&no_auth, SOCKS5_GREETING, BL('G', 'E', 'T', ' ', '/'), &used, out, &out_len, &s);
	ok(a == SOCKS5_CLOSE && !out_len, "greeting: HTTP closes without a reply");
	a = step1(&no_auth, SOCKS5_GREETING, NULL, 0, &used, out, &out_len, &s);
	ok(a == SOCKS5_NEED_MORE && !out_len, "greeting: nothing yet: wait");
	a = step1(&no_auth, SOCKS5_GREETING, BL(5, 255, 0), &used, out, &out_len, &s);
	ok(a == SOCKS5_NEED_MORE && !out_len && s.state == SOCKS5_GREETING,
	   "greeting: 255 methods announced, 1 present: wait");
}

static void test_auth(void)
{
	uint8_t out[SOCKS5_REPLY_MAX];
	size_t used, out_len;
	struct socks5 s;
	enum socks5_action a;

	a = step1(&with_auth, SOCKS5_AUTH,
		  BL(1, 5, 'a', 'l', 'i', 'c', 'e', 6, 's', '3', 'c', 'r', 'e', 't'),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND && used == 14 && same(out, out_len, BL(1, 0)) &&
	   s.state == SOCKS5_REQUEST, "auth: right user and password: 01 00");
	a = step1(&with_auth, SOCKS5_AUTH,
		  BL(1, 5, 'a', 'l', 'i', 'c', 'e', 6, 's', '3', 'c', 'r', 'e', 'T'),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, BL(1, 1)) &&
	   s.state == SOCKS5_FAILED, "auth: wrong password: 01 01 and close");
	a = step1(&with_auth, SOCKS5_AUTH,
		  BL(1, 3, 'b', 'o', 'b', 6, 's', '3', 'c', 'r', 'e', 't'),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, BL(1, 1)),
	   "auth: unknown user: 01 01");
	a = step1(&with_auth, SOCKS5_AUTH, BL(1, 0, 0), &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, BL(1, 1)),
	   "auth: empty user and password: 01 01");
	a = step1(&with_auth, SOCKS5_AUTH, BL(5, 5, 'a'), &used, out, &out_len, &s);
	ok(a == SOCKS5_CLOSE && !out_len,
	   "auth: subnegotiation version 5 closes without a reply");
	a = step1(&with_auth, SOCKS5_AUTH, BL(1, 5, 'a', 'l', 'i', 'c', 'e'),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_NEED_MORE && !out_len, "auth: no PLEN yet: wait");
}

static void test_request(void)
{
	uint8_t out[SOCKS5_REPLY_MAX], name[300];
	const uint8_t fail01[] = { 5, 1, 0, 1, 0, 0, 0, 0, 0, 0 };
	const uint8_t fail07[] = { 5, 7, 0, 1, 0, 0, 0, 0, 0, 0 };
	const uint8_t fail08[] = { 5, 8, 0, 1, 0, 0, 0, 0, 0, 0 };
	size_t used, out_len;
	struct socks5 s;
	enum socks5_action a;

	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 1, 0, 1, 192, 0, 2, 1, 0, 80),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_CONNECT && used == 10 && !out_len &&
	   same(s.target, s.target_len, BL(1, 192, 0, 2, 1, 0, 80)) &&
	   s.state == SOCKS5_DONE, "request: CONNECT to IPv4");
	a = step1(&no_auth, SOCKS5_REQUEST,
		  BL(5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0xbb),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_CONNECT && used == 22 &&
	   same(s.target, s.target_len,
		BL(4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0xbb)),
	   "request: CONNECT to IPv6");
	a = step1(&no_auth, SOCKS5_REQUEST,
		  BL(5, 1, 0, 3, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm', 1, 0xbb),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_CONNECT && used == 18 &&
	   same(s.target, s.target_len,
		BL(3, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm', 1, 0xbb)),
	   "request: CONNECT to a domain name");

	/* a domain of 255 bytes, the longest */
	memcpy(name, BL(5, 1, 0, 3, 255));
	memset(name + 5, 'a', 255);
	name[260] = 0x12;
	name[261] = 0x34;
	a = step1(&no_auth, SOCKS5_REQUEST, name, 262, &used, out, &out_len, &s);
	ok(a == SOCKS5_CONNECT && used == 262 && s.target_len == 259 &&
	   same(s.target, s.target_len, name + 3, 259),
	   "request: a domain name of 255 bytes");
	a = step1(&no_auth, SOCKS5_REQUEST, name, 261, &used, out, &out_len, &s);
	ok(a == SOCKS5_NEED_MORE, "request: that one without its last byte: wait");

	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 1, 0, 3, 0, 0, 80), &used, out,
		  &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, fail01, sizeof(fail01)),
	   "request: empty domain name: reply 01");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 2), &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, fail07, sizeof(fail07)) &&
	   s.state == SOCKS5_FAILED,
	   "request: BIND: reply 07, decided on the command byte");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 3, 0, 1, 0, 0, 0, 0, 0, 0),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_UDP_ASSOCIATE && used == 10 && !out_len &&
	   s.state == SOCKS5_DONE &&
	   same(s.target, s.target_len, B(1, 0, 0, 0, 0, 0, 0), 7),
	   "request: UDP ASSOCIATE 0.0.0.0:0: no reply yet, the client's address");
	a = step1(&no_auth, SOCKS5_REQUEST,
		  BL(5, 3, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		     0x30, 0x39), &used, out, &out_len, &s);
	ok(a == SOCKS5_UDP_ASSOCIATE && used == 22 &&
	   same(s.target, s.target_len,
		B(4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x30, 0x39),
		19),
	   "request: UDP ASSOCIATE [::1]:12345: the client's address");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 3, 0, 1, 0, 0, 0, 0, 0),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_NEED_MORE,
	   "request: UDP ASSOCIATE without its last byte: wait");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 3, 0, 5, 1, 2, 3, 4, 0, 80),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, fail08, sizeof(fail08)),
	   "request: UDP ASSOCIATE, address type 5: reply 08");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 0x42, 0, 1), &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, fail07, sizeof(fail07)),
	   "request: unknown command: reply 07");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 1, 0, 2, 1, 2, 3, 4, 0, 80),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, fail08, sizeof(fail08)),
	   "request: address type 2: reply 08");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 1, 0, 0), &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, fail08, sizeof(fail08)),
	   "request: address type 0: reply 08");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 1, 0, 5), &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, fail08, sizeof(fail08)),
	   "request: address type 5: reply 08");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 1, 1, 1, 1, 2, 3, 4, 0, 80),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, fail01, sizeof(fail01)),
	   "request: RSV 1: reply 01");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(4, 1, 0, 80, 1, 2, 3, 4, 0),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_CLOSE && !out_len,
	   "request: version 4 closes without a reply");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 1, 0, 1, 192, 0, 2, 1, 0, 0),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, fail01, sizeof(fail01)) &&
	   s.state == SOCKS5_FAILED, "request: CONNECT to IPv4 port 0: reply 01");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 1, 0, 1, 192, 0, 2, 1, 0),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_NEED_MORE, "request: that one without its last byte: wait");
	a = step1(&no_auth, SOCKS5_REQUEST,
		  BL(5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, fail01, sizeof(fail01)),
	   "request: CONNECT to IPv6 port 0: reply 01");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 1, 0, 3, 1, 'a', 0, 0),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_SEND_CLOSE && same(out, out_len, fail01, sizeof(fail01)),
	   "request: CONNECT to a name, port 0: reply 01");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 1, 0, 1, 192, 0, 2, 1, 0, 1),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_CONNECT, "request: CONNECT to port 1");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 3, 0, 1, 192, 0, 2, 1, 0, 0),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_UDP_ASSOCIATE &&
	   same(s.target, s.target_len, B(1, 192, 0, 2, 1, 0, 0), 7),
	   "request: UDP ASSOCIATE from 192.0.2.1 port 0 (unknown yet) accepted");
	a = step1(&no_auth, SOCKS5_REQUEST, BL(5, 1, 0, 1, 1, 2, 3, 4, 0, 80, 'G', 'E', 'T'),
		  &used, out, &out_len, &s);
	ok(a == SOCKS5_CONNECT && used == 10,
	   "request: data after the request is not used");

	/* RSV: every value but 0 refused, decided on that byte, whatever
	 * follows (here a request that is otherwise fine, or nothing) */
	{
		bool good = true;

		for (unsigned int rsv = 0; rsv <= 0xff && good; rsv++) {
			const uint8_t cmds[] = { SOCKS5_CMD_CONNECT,
						 SOCKS5_CMD_UDP_ASSOCIATE };

			for (size_t c = 0; c < sizeof(cmds) && good; c++) {
				uint8_t req[] = { 5, cmds[c], rsv, 1, 192, 0, 2, 1, 0, 80 };
				size_t cut;

				for (cut = 3; cut <= sizeof(req) && good; cut++) {
					a = step1(&no_auth, SOCKS5_REQUEST, req, cut,
						  &used, out, &out_len, &s);
					if (rsv)
						good = a == SOCKS5_SEND_CLOSE &&
						       same(out, out_len, fail01,
							    sizeof(fail01)) &&
						       !used && s.state == SOCKS5_FAILED;
					else
						good = cut < sizeof(req) ?
						       a == SOCKS5_NEED_MORE :
						       a != SOCKS5_SEND_CLOSE &&
						       used == sizeof(req);
				}
			}
			if (!good)
				printf("# RSV 0x%02x\n", rsv);
		}
		ok(good, "request: RSV 0x01..0xff refused with 01 on the RSV byte, "
		   "CONNECT and UDP ASSOCIATE; RSV 0 accepted");
	}

	/* once decided, nothing more is read */
	socks5_init(&s);
	s.state = SOCKS5_FAILED;
	a = socks5_step(&s, &no_auth, BL(5, 1, 0), &used, out, &out_len);
	ok(a == SOCKS5_CLOSE && !out_len && !used, "failed: nothing more is read");
	s.state = SOCKS5_DONE;
	a = socks5_step(&s, &no_auth, BL(5, 1, 0), &used, out, &out_len);
	ok(a == SOCKS5_CLOSE && !out_len && !used, "done: nothing more is read");
}

/* a whole exchange, delivered at once, in two pieces split anywhere, and
 * byte by byte: the same replies, target and leftover every time */
static void test_stream(const char *what, const struct socks5_auth *auth,
			const uint8_t *in, size_t len,
			enum socks5_action want, const uint8_t *want_out,
			size_t want_out_len, size_t want_rest)
{
	struct run whole, r;
	bool good;

	feed(&whole, auth, in, len, len);
	ok(whole.last == want &&
	   same(whole.out, whole.out_len, want_out, want_out_len) &&
	   whole.rest_len == want_rest &&
	   !memcmp(whole.rest, in + len - want_rest, want_rest),
	   "%s: in one piece", what);

	good = true;
	for (size_t chunk = 1; chunk < len && good; chunk++) {
		feed(&r, auth, in, len, chunk);
		good = r.last == whole.last &&
		       same(r.out, r.out_len, whole.out, whole.out_len) &&
		       same(r.s.target, r.s.target_len, whole.s.target,
			    whole.s.target_len);
		/* the leftover depends on the pieces: never more than sent */
		if (want == SOCKS5_CONNECT)
			good = good && r.rest_len <= want_rest &&
			       !memcmp(r.rest, in + len - want_rest, r.rest_len);
	}
	ok(good, "%s: in pieces of every size", what);

	/* every truncation: nothing decided that the whole does not decide,
	 * and a handshake that completes only at the end does not complete */
	good = true;
	for (size_t cut = 0; cut < len - want_rest && good; cut++) {
		feed(&r, auth, in, cut, cut ? cut : 1);
		if (want == SOCKS5_CONNECT)
			good = r.last == SOCKS5_NEED_MORE &&
			       r.out_len <= whole.out_len &&
			       !memcmp(r.out, whole.out, r.out_len);
		else
			good = (r.last == SOCKS5_NEED_MORE || r.last == want) &&
			       r.out_len <= whole.out_len &&
			       !memcmp(r.out, whole.out, r.out_len);
	}
	ok(good, "%s: truncated at every byte, waits for more", what);
}

static void test_streams(void)
{
	const uint8_t plain[] = {
		5, 2, 0, 1,				/* greeting */
		5, 1, 0, 3, 4, 'h', 'o', 's', 't', 0, 80,	/* request */
		'G', 'E', 'T', ' ', '/', '\r', '\n',	/* first data */
	};
	const uint8_t authed[] = {
		5, 1, 2,
		1, 5, 'a', 'l', 'i', 'c', 'e', 6, 's', '3', 'c', 'r', 'e', 't',
		5, 1, 0, 1, 10, 0, 0, 1, 0x1f, 0x90,
		0x16, 0x03, 0x01,
	};
	const uint8_t bad_pw[] = {
		5, 1, 2,
		1, 5, 'a', 'l', 'i', 'c', 'e', 6, 'x', 'x', 'x', 'x', 'x', 'x',
		5, 1, 0, 1, 10, 0, 0, 1, 0x1f, 0x90,
	};
	const uint8_t bind[] = {
		5, 1, 0,
		5, 2, 0, 1, 10, 0, 0, 1, 0x1f, 0x90,
		5, 1, 0, 1, 10, 0, 0, 1, 0x1f, 0x90,	/* never read */
	};
	const uint8_t no_data[] = {
		5, 1, 0,
		5, 1, 0, 1, 127, 0, 0, 1, 0, 22,
	};
	const uint8_t rsv[] = {
		5, 1, 0,
		5, 1, 0x80, 1, 10, 0, 0, 1, 0x1f, 0x90,
		'G', 'E', 'T',				/* never read */
	};
	const uint8_t port0[] = {
		5, 1, 0,
		5, 1, 0, 3, 4, 'h', 'o', 's', 't', 0, 0,
		'G', 'E', 'T',				/* never read */
	};

	test_stream("no-auth handshake and data", &no_auth, plain, sizeof(plain),
		    SOCKS5_CONNECT, BL(5, 0), 7);
	test_stream("username/password handshake and data", &with_auth, authed,
		    sizeof(authed), SOCKS5_CONNECT, BL(5, 2, 1, 0), 3);
	test_stream("handshake without data", &no_auth, no_data,
		    sizeof(no_data), SOCKS5_CONNECT, BL(5, 0), 0);
	test_stream("wrong password, request after it", &with_auth, bad_pw,
		    sizeof(bad_pw), SOCKS5_SEND_CLOSE, BL(5, 2, 1, 1), 0);
	test_stream("BIND, CONNECT after it", &no_auth, bind, sizeof(bind),
		    SOCKS5_SEND_CLOSE,
		    BL(5, 0, 5, 7, 0, 1, 0, 0, 0, 0, 0, 0), 0);
	test_stream("RSV 0x80, data after it", &no_auth, rsv, sizeof(rsv),
		    SOCKS5_SEND_CLOSE,
		    BL(5, 0, 5, 1, 0, 1, 0, 0, 0, 0, 0, 0), 0);
	test_stream("CONNECT to port 0, data after it", &no_auth, port0,
		    sizeof(port0), SOCKS5_SEND_CLOSE,
		    BL(5, 0, 5, 1, 0, 1, 0, 0, 0, 0, 0, 0), 0);
}

static void test_reply(void)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(1080) };
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(1080) };
	uint8_t out[SOCKS5_REPLY_MAX];
	size_t len;

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	len = socks5_reply(0, (struct sockaddr *)&sin, out);
	ok(same(out, len, BL(5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38)),
	   "reply: success, BND 127.0.0.1:1080");
	inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
	len = socks5_reply(0, (struct sockaddr *)&sin6, out);
	ok(same(out, len, BL(5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
			     0x04, 0x38)), "reply: success, BND [::1]:1080");
	inet_pton(AF_INET6, "::ffff:192.0.2.7", &sin6.sin6_addr);
	len = socks5_reply(0, (struct sockaddr *)&sin6, out);
	ok(same(out, len, BL(5, 0, 0, 1, 192, 0, 2, 7, 0x04, 0x38)),
	   "reply: an IPv4-mapped BND is sent as IPv4");
	len = socks5_reply(1, NULL, out);
	ok(same(out, len, BL(5, 1, 0, 1, 0, 0, 0, 0, 0, 0)),
	   "reply: general failure, BND 0.0.0.0:0");
}

static void test_addr(void)
{
	uint8_t a[SOCKS5_ADDR_MAX];
	char long_name[300], buf[300];
	const char *why;
	size_t len;
	static const char *const bad[] = {
		"::1:53", "host", "host:0", "host:65536", ":80", "[::1]53",
		"[::1]:", "[::1", "[1.2.3.4]:80", "host:8o", "a b:80",
		"host:+80", "[::1]:99999",
	};

	len = socks5_addr_from_string("192.0.2.1:80", a, &why);
	ok(same(a, len, BL(1, 192, 0, 2, 1, 0, 80)), "address: IPv4:PORT");
	len = socks5_addr_from_string("[2001:db8::1]:53", a, &why);
	ok(same(a, len, BL(4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
			   0, 53)), "address: [IPv6]:PORT");
	len = socks5_addr_from_string("dns.example:853", a, &why);
	ok(same(a, len, BL(3, 11, 'd', 'n', 's', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e',
			   0x03, 0x55)), "address: name:PORT, not resolved");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = socks5_addr_from_string(bad[i], a, &why);
		ok(!len && why, "address: '%s' refused (%s)", bad[i],
		   why ? why : "no reason");
	}
	memset(long_name, 'a', 255);
	strcpy(long_name + 255, ":1");
	len = socks5_addr_from_string(long_name, a, &why);
	ok(len == 259 && a[1] == 255, "address: a 255-byte name");
	memset(long_name, 'a', 256);
	strcpy(long_name + 256, ":1");
	ok(!socks5_addr_from_string(long_name, a, &why),
	   "address: a 256-byte name refused");

	socks5_addr_string(BL(3, 3, 'a', '\n', 'b', 0, 80), buf, sizeof(buf));
	ok(!strcmp(buf, "a?b:80"), "address: unprintable name bytes logged as '?'");
	socks5_addr_string(BL(4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
			      1, 0xbb), buf, sizeof(buf));
	ok(!strcmp(buf, "[2001:db8::1]:443"), "address: IPv6 printed in brackets");
	socks5_addr_string(BL(3, 0, 0, 80), buf, sizeof(buf));
	ok(!strcmp(buf, "?"), "address: an empty name is not an address");
	ok(socks5_addr_valid(BL(1, 1, 2, 3, 4, 0)) == 0 &&
	   socks5_addr_valid(BL(1, 1, 2, 3, 4, 0, 80)) == 7 &&
	   socks5_addr_valid(BL(9, 1, 2, 3, 4, 0, 80)) == 0,
	   "address: lengths checked");
}

int main(void)
{
	printf("TAP version 13\n");
	test_greeting();
	test_auth();
	test_request();
	test_streams();
	test_reply();
	test_addr();
	return tap_done();
}
