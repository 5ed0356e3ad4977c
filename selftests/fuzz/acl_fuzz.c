// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: kmod/acl.c, a server's egress ACL: ss_acl_parse() of a
 * request's SS_A_ACL nests, then ss_acl_blocks_addr() and
 * ss_acl_blocks_name(), held against a model that knows nothing of
 * ranges, merging, sorting or hashes: the rules as sent, scanned one by
 * one for every question.
 *
 * The input is a sequence of operations that build a SS_CMD_SERVER_NEW
 * message and the questions to ask of its ACL. The message is always one
 * the genetlink policy lets through (kmod/netlink-gen.c, validated
 * strictly): SS_A_ACL carries NLA_F_NESTED; inside it only types 1..5, a
 * string 1..254 bytes (one more for a final NUL), SS_ACL_A_RULES 4 bytes;
 * no nest or attribute over 64 KiB, nothing left over. What the policy
 * does not check is fuzzed: the records' lengths, prefixes and padding,
 * the names' bytes and NULs, empty nests, unpadded ends, NLA_F_NET_BYTEORDER
 * (which no policy looks at), other attributes between the nests. An op
 * byte: bits 0-3 the operation, bits 4-7 its flags F:
 *
 *   0 NEST     a new SS_A_ACL nest (IPV4 .. BULK6 open one when none is
 *              open, or when the open one is full); F&1: its length without
 *              its last attribute's padding; F&2: NLA_F_NET_BYTEORDER
 *   1 OTHER    a length byte, that many bytes: an SS_A_KEY between nests
 *   2 IPV4     a byte C, C&63 records of 8 bytes; C&64: as they are, less
 *              the last F>>1 bytes, else with the prefix taken mod 33 and
 *              the padding zeroed
 *   3 IPV6     a byte C, C&31 records of 20 bytes; the same, mod 129
 *   4 HOST, 5 DOMAIN  a length byte, that many bytes. F&2: as they are
 *              (F&4: then a NUL); else made a valid name (each byte one of
 *              65 characters, no empty label, no final dot, at most 253
 *              bytes; F&8: then "." and the last name sent, so that rules
 *              nest)
 *   6 RULES    4 bytes: the reply-only attribute, always refused
 *   7 BULK4    2 bytes N (mod 8191), 4 bytes address, a prefix byte (mod
 *              33): one attribute of N networks, the address stepping by
 *              4^(F-1) (F 0: all the same); 9 of them pass SS_ACL_MAX_RULES
 *   8 BULK6    the same for IPv6: N mod 3277, 16 bytes, prefix mod 129,
 *              the step 2^(8F)
 *   9 Q4       4 bytes: an IPv4 address to ask about (and its ::ffff: form)
 *  10 Q6       16 bytes (F&1: 4 bytes, IPv4-mapped): an IPv6 address
 *  11 QNAME    a length byte, that many bytes: a name to ask about (F&1:
 *              with a final dot; also upper-cased)
 *  15 FAIL     the F-th allocation of the parse fails (0: none)
 *  12-14       as 2, 4 and 5
 *
 * F&1 on OTHER .. BULK6 sets NLA_F_NET_BYTEORDER on the attribute. The
 * message ends where its last attribute's bytes do, in a buffer of just
 * that size, so that ASan sees a read past them.
 *
 * Checks that ss_acl_parse() returns NULL exactly when there is no SS_A_ACL,
 * the model's error when a rule is bad (-EINVAL, the first bad attribute
 * named in the extended ACK; also for rules, but no rule at all) or there
 * are too many (-E2BIG, counted after each attribute), and otherwise an
 * ACL of as many rules as were sent, whose every answer is the model's:
 * for the questions of the input, and for ones made from the rules (a
 * network's first and last address, the ones just outside, in both
 * families; a name as it is, upper-cased, with a final dot, under it, next
 * to it, its parent). With an allocation made to fail: -ENOMEM, and ASan
 * sees that what was allocated is freed, as it sees the list freed.
 */
#include <linux/random.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "acl.h"
#include "fuzz.h"

/* nine bulk attributes of 64 KiB, and room for more */
#define MSG_MAX		(1 << 20)
/* the largest nest: its length is a u16, and it ends padded */
#define NEST_MAX	0xfffc
#define IPV4_LEN	8
#define IPV6_LEN	20
#define NAME_MAX_LEN	253
#define QUERIES_MAX	64

enum {
	OP_NEST, OP_OTHER, OP_IPV4, OP_IPV6, OP_HOST, OP_DOMAIN, OP_RULES,
	OP_BULK4, OP_BULK6, OP_Q4, OP_Q6, OP_QNAME, OP_FAIL,
};

static const u8 op_of[16] = {
	OP_NEST, OP_OTHER, OP_IPV4, OP_IPV6, OP_HOST, OP_DOMAIN, OP_RULES,
	OP_BULK4, OP_BULK6, OP_Q4, OP_Q6, OP_QNAME,
	OP_IPV4, OP_HOST, OP_DOMAIN, OP_FAIL,
};

typedef unsigned __int128 u128;

/*
 * The model's loops run over every rule for every question: their
 * comparisons would be most of what libFuzzer traces, and tell it nothing
 * about the code under test.
 */
#define MODEL __attribute__((no_sanitize("coverage")))

struct input {
	const u8 *p;
	size_t n;
};

/* the next byte; zeros once the input is over */
static u8 take8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static void take(struct input *in, u8 *dst, size_t len)
{
	while (len--)
		*dst++ = take8(in);
}

static u128 u128_of(const u8 *p, size_t len)
{
	u128 v = 0;
	size_t i;

	for (i = 0; i < len; i++)
		v = v << 8 | p[i];
	return v;
}

static void u128_put(u8 *p, size_t len, u128 v)
{
	while (len--) {
		p[len] = (u8)v;
		v >>= 8;
	}
}

/* The message as it is built: 4-aligned, as a socket buffer's data is. */
static struct {
	u8 buf[MSG_MAX] __attribute__((aligned(4)));
	size_t len;	/* where the next attribute goes */
	size_t end;	/* where the last one's bytes end (its padding not) */
	size_t nest;	/* the open SS_A_ACL's offset, 0 if none */
	bool trim;	/* its length leaves out its last attribute's padding */
} msg;

/*
 * The model: the rules as sent, and what ss_acl_parse() must say of them.
 * A name points into msg.buf.
 */
struct rule {
	int type;
	unsigned int prefix;
	u8 addr[16];		/* IPv4: the first 4 bytes */
	const char *name;
	size_t len;
};

static struct {
	bool any;		/* an SS_A_ACL was sent */
	int err;		/* the first error, 0 if none */
	size_t bad;		/* the offset of the attribute it names, or 0 */
	u32 count;
	const char *last;	/* the last name sent, for F&8 */
	size_t last_len;
	struct rule rules[SS_ACL_MAX_RULES];
} ref;

/* the questions of the input */
static struct {
	int n4, n6, nn;
	u8 a4[QUERIES_MAX][4];
	u8 a6[QUERIES_MAX][16];
	char name[QUERIES_MAX][SS_DOMAIN_MAX];
	size_t len[QUERIES_MAX];
} q;

static struct nlattr *put(u16 type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(msg.buf + msg.len);

	a->nla_len = NLA_HDRLEN + len;
	a->nla_type = type;
	if (len)	/* (a nest is opened with none) */
		memcpy(msg.buf + msg.len + NLA_HDRLEN, data, len);
	msg.end = msg.len + NLA_HDRLEN + len;
	memset(msg.buf + msg.end, 0, NLA_ALIGN(msg.end) - msg.end);
	msg.len = NLA_ALIGN(msg.end);
	return a;
}

static bool room(size_t len)
{
	return msg.len + NLA_HDRLEN + NLA_ALIGN(len) <= MSG_MAX;
}

static void nest_close(void)
{
	struct nlattr *a = (struct nlattr *)(msg.buf + msg.nest);

	if (!msg.nest)
		return;
	a->nla_len = (msg.trim ? msg.end : msg.len) - msg.nest;
	msg.end = msg.nest + a->nla_len;
	msg.nest = 0;
}

static void nest_open(bool trim, u16 flags)
{
	nest_close();
	msg.nest = msg.len;
	msg.trim = trim;
	put(SS_A_ACL | NLA_F_NESTED | flags, NULL, 0);
	ref.any = true;
}

/*
 * Is @s (@len bytes) an IPv4 address as the kernel's in4_pton() reads one:
 * four parts of digits (leading zeros allowed) of at most 255, between
 * dots? A target so written is that address, so no name rule may be one.
 */
static bool ref_ipv4_literal(const char *s, size_t len)
{
	unsigned int parts = 0, value = 0, digits = 0;
	size_t i;

	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (!digits || ++parts > 4)
				return false;
			value = digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9') {
			value = value * 10 + (unsigned int)(s[i] - '0');
			digits++;
			if (value > 255)
				return false;
		} else {
			return false;
		}
	}
	return parts == 4;
}

/*
 * What ss_acl_check() must make of one attribute of a nest, the rules'
 * syntax written out plainly (uapi/linux/shadowsocks.h); the rules of a
 * good one kept for the questions.
 */
static void ref_attr(int type, const u8 *p, size_t len, size_t off)
{
	size_t i, n = 0, rec = type == SS_ACL_A_IPV4 ? IPV4_LEN : IPV6_LEN;
	unsigned int max = type == SS_ACL_A_IPV4 ? 32 : 128;
	bool bad = false;
	const u8 *nul;
	struct rule *r;

	if (ref.err)
		return;
	switch (type) {
	case SS_ACL_A_IPV4:
	case SS_ACL_A_IPV6:
		bad = !len || len % rec;
		for (i = 0; !bad && i < len; i += rec)
			bad = p[i + rec - 4] > max || p[i + rec - 3] ||
			      p[i + rec - 2] || p[i + rec - 1];
		n = len / rec;
		break;
	case SS_ACL_A_HOST:
	case SS_ACL_A_DOMAIN:
		nul = memchr(p, 0, len);
		n = nul ? (size_t)(nul - p) : 0;
		bad = !n || n > NAME_MAX_LEN || !ref_name_ok((const char *)p, n) ||
		      p[n - 1] == '.' || ref_ipv4_literal((const char *)p, n);
		n = 1;
		break;
	default:
		bad = true;
		break;
	}
	if (bad) {
		ref.err = -EINVAL;
		ref.bad = off;
		return;
	}
	if (ref.count + n > SS_ACL_MAX_RULES) {
		ref.err = -E2BIG;
		return;
	}
	for (i = 0; i < n; i++) {
		r = &ref.rules[ref.count++];
		r->type = type;
		if (type == SS_ACL_A_IPV4 || type == SS_ACL_A_IPV6) {
			memcpy(r->addr, p + i * rec, rec - 4);
			r->prefix = p[i * rec + rec - 4];
		} else {
			r->name = (const char *)p;
			r->len = strlen(r->name);
		}
	}
}

/* An attribute of the open nest (opened if none is, or if it is full). */
static struct nlattr *put_inner(int type, u16 flags, const void *data,
				 size_t len)
{
	struct nlattr *a;

	if (!room(len + NLA_HDRLEN))
		return NULL;
	if (!msg.nest || msg.len + NLA_HDRLEN + NLA_ALIGN(len) - msg.nest > NEST_MAX)
		nest_open(false, 0);
	a = put(type | flags, data, len);
	ref_attr(type, nla_data(a), len, (u8 *)a - msg.buf);
	return a;
}

/* records as they are, or made valid */
static void op_nets(struct input *in, int type, unsigned int f)
{
	u16 flags = f & 1 ? NLA_F_NET_BYTEORDER : 0;
	size_t rec = type == SS_ACL_A_IPV4 ? IPV4_LEN : IPV6_LEN;
	u8 c = take8(in), buf[31 * IPV6_LEN], *p;
	size_t i, n = c & (type == SS_ACL_A_IPV4 ? 63 : 31);
	size_t len = n * rec, cut = f >> 1;

	take(in, buf, len);
	if (c & 64) {
		put_inner(type, flags, buf, len - (cut < len ? cut : len));
		return;
	}
	for (i = 0; i < n; i++) {
		p = buf + i * rec;
		p[rec - 4] %= type == SS_ACL_A_IPV4 ? 33 : 129;
		memset(p + rec - 3, 0, 3);
	}
	put_inner(type, flags, buf, len);
}

static void op_bulk(struct input *in, int type, u16 flags, unsigned int f)
{
	size_t i, rec = type == SS_ACL_A_IPV4 ? IPV4_LEN : IPV6_LEN;
	size_t n = (size_t)take8(in) << 8;
	static u8 buf[NEST_MAX];
	u8 base[16], prefix;
	u128 a, step;

	n |= take8(in);
	n %= type == SS_ACL_A_IPV4 ? 8191 : 3277;
	take(in, base, rec - 4);
	prefix = take8(in) % (type == SS_ACL_A_IPV4 ? 33 : 129);
	a = u128_of(base, rec - 4);
	if (type == SS_ACL_A_IPV4)
		step = f ? (u128)1 << (2 * (f - 1)) : 0;
	else
		step = (u128)1 << (8 * f);
	for (i = 0; i < n; i++) {
		u8 *p = buf + i * rec;

		u128_put(p, rec - 4, a + step * i);
		p[rec - 4] = prefix;
		memset(p + rec - 3, 0, 3);
	}
	put_inner(type, flags, buf, n * rec);
}

/* a valid name from the input's bytes, or its bytes as they are */
static void op_name(struct input *in, int type, unsigned int f)
{
	static const char set[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
	u16 flags = f & 1 ? NLA_F_NET_BYTEORDER : 0;
	size_t i, len = take8(in);
	u8 buf[SS_DOMAIN_MAX + 2];
	struct nlattr *a;

	take(in, buf, len);
	if (f & 2) {
		if (f & 4 || !len)
			buf[len++] = '\0';
		/* NLA_STRING's length, 254 bytes and a final NUL at most */
		if (buf[len - 1] == '\0' && len > 255) {
			len = 255;
			buf[len - 1] = '\0';
		} else if (buf[len - 1] != '\0' && len > 254) {
			len = 254;
		}
	} else {
		if (!len)
			buf[len++] = 'x';
		len = len > NAME_MAX_LEN ? NAME_MAX_LEN : len;
		for (i = 0; i < len; i++) {
			buf[i] = set[buf[i] % (sizeof(set) - 1)];
			if (buf[i] == '.' && (!i || buf[i - 1] == '.' || i == len - 1))
				buf[i] = 'x';
		}
		if (f & 8 && ref.last && len + 1 + ref.last_len <= NAME_MAX_LEN) {
			buf[len++] = '.';
			memcpy(buf + len, ref.last, ref.last_len);
			len += ref.last_len;
		}
		buf[len++] = '\0';
	}
	a = put_inner(type, flags, buf, len);
	if (a && !ref.err) {
		ref.last = nla_data(a);
		ref.last_len = strlen(ref.last);
	}
}

/* which allocation of the parse is to fail, 0 for none */
static unsigned int fail;

static void ops(struct input *in)
{
	u8 op, f, buf[256];
	u16 flags;
	size_t len;

	while (in->n) {
		op = take8(in);
		f = op >> 4;
		flags = f & 1 ? NLA_F_NET_BYTEORDER : 0;
		switch (op_of[op & 15]) {
		case OP_NEST:
			if (room(0))
				nest_open(f & 1, f & 2 ? NLA_F_NET_BYTEORDER : 0);
			break;
		case OP_OTHER:
			len = take8(in);
			take(in, buf, len);
			if (room(len)) {
				nest_close();
				put(SS_A_KEY | flags, buf, len);
			}
			break;
		case OP_IPV4:
			op_nets(in, SS_ACL_A_IPV4, f);
			break;
		case OP_IPV6:
			op_nets(in, SS_ACL_A_IPV6, f);
			break;
		case OP_HOST:
			op_name(in, SS_ACL_A_HOST, f);
			break;
		case OP_DOMAIN:
			op_name(in, SS_ACL_A_DOMAIN, f);
			break;
		case OP_RULES:
			take(in, buf, 4);
			put_inner(SS_ACL_A_RULES, flags, buf, 4);
			break;
		case OP_BULK4:
			op_bulk(in, SS_ACL_A_IPV4, flags, f);
			break;
		case OP_BULK6:
			op_bulk(in, SS_ACL_A_IPV6, flags, f);
			break;
		case OP_Q4:
			take(in, buf, 4);
			if (q.n4 < QUERIES_MAX)
				memcpy(q.a4[q.n4++], buf, 4);
			break;
		case OP_Q6:
			memset(buf, 0, 16);
			if (f & 1) {
				buf[10] = buf[11] = 0xff;
				take(in, buf + 12, 4);
			} else {
				take(in, buf, 16);
			}
			if (q.n6 < QUERIES_MAX)
				memcpy(q.a6[q.n6++], buf, 16);
			break;
		case OP_FAIL:
			fail = f;
			break;
		case OP_QNAME:
			len = take8(in);
			take(in, buf, len);
			if (f & 1 && len < SS_DOMAIN_MAX)
				buf[len++] = '.';
			if (q.nn < QUERIES_MAX) {
				memcpy(q.name[q.nn], buf, len);
				q.len[q.nn++] = len;
			}
			break;
		}
	}
	nest_close();
}

/* Do the first @bits bits of @a and @b agree? */
static MODEL bool ref_prefix(const u8 *a, const u8 *b, unsigned int bits)
{
	unsigned int i;

	/* (bytes compared in a loop: libFuzzer hooks memcmp()) */
	for (i = 0; i < bits / 8; i++) {
		if (a[i] != b[i])
			return false;
	}
	return bits % 8 == 0 || !((a[i] ^ b[i]) & (u8)(0xff << (8 - bits % 8)));
}

static bool ref_v4mapped(const u8 *a)
{
	static const u8 prefix[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a, prefix, sizeof(prefix));
}

/* Is @a (4 or 16 bytes) in a network of @type? */
static MODEL bool ref_in(int type, const u8 *a)
{
	u32 i;

	for (i = 0; i < ref.count; i++) {
		if (ref.rules[i].type == type &&
		    ref_prefix(a, ref.rules[i].addr, ref.rules[i].prefix))
			return true;
	}
	return false;
}

/* an IPv4 address is its ::ffff: form, and the other way round */
static bool ref_blocks_one(int family, const u8 *a)
{
	u8 mapped[16] = { [10] = 0xff, [11] = 0xff };

	if (family == AF_INET) {
		memcpy(mapped + 12, a, 4);
		return ref_in(SS_ACL_A_IPV4, a) || ref_in(SS_ACL_A_IPV6, mapped);
	}
	return ref_in(SS_ACL_A_IPV6, a) ||
	       (ref_v4mapped(a) && ref_in(SS_ACL_A_IPV4, a + 12));
}

/*
 * The stack connects and sends to an unspecified address as loopback:
 * 0.0.0.0 (and ::ffff:0.0.0.0) as 127.0.0.1, :: as ::1.
 */
static bool ref_blocks_addr(int family, const u8 *a)
{
	static const u8 zero[16], lo4[4] = { 127, 0, 0, 1 };
	static const u8 lo6[16] = { [15] = 1 };

	if (ref_blocks_one(family, a))
		return true;
	if (family == AF_INET)
		return !memcmp(a, zero, 4) && ref_blocks_one(AF_INET, lo4);
	if (ref_v4mapped(a))
		return !memcmp(a + 12, zero, 4) && ref_blocks_one(AF_INET, lo4);
	return !memcmp(a, zero, 16) && ref_blocks_one(AF_INET6, lo6);
}

static MODEL bool ref_same(const char *a, const char *b, size_t len)
{
	size_t i;

	/* the rules are ASCII: no other byte can be their case */
	for (i = 0; i < len; i++) {
		char x = a[i] >= 'A' && a[i] <= 'Z' ? a[i] - 'A' + 'a' : a[i];
		char y = b[i] >= 'A' && b[i] <= 'Z' ? b[i] - 'A' + 'a' : b[i];

		if (x != y)
			return false;
	}
	return true;
}

/* a host rule is the name; a domain rule the name or ends it after a dot */
static MODEL bool ref_blocks_name(const char *s, size_t len)
{
	const struct rule *r;
	u32 i;

	if (len && s[len - 1] == '.')
		len--;
	/* longer than SOCKS5 can carry: refused by a list with names */
	if (len > SS_DOMAIN_MAX) {
		for (i = 0; i < ref.count; i++) {
			if (ref.rules[i].type == SS_ACL_A_HOST ||
			    ref.rules[i].type == SS_ACL_A_DOMAIN)
				return true;
		}
		return false;
	}
	for (i = 0; i < ref.count; i++) {
		r = &ref.rules[i];
		if (r->type != SS_ACL_A_HOST && r->type != SS_ACL_A_DOMAIN)
			continue;
		if (r->len == len && ref_same(s, r->name, len))
			return true;
		if (r->type == SS_ACL_A_DOMAIN && len > r->len &&
		    s[len - r->len - 1] == '.' &&
		    ref_same(s + len - r->len, r->name, r->len))
			return true;
	}
	return false;
}

static void ask_addr(const struct ss_acl *acl, int family, const u8 *a)
{
	union ss_sockaddr sa;
	bool got, want;

	memset(&sa, 0, sizeof(sa));
	sa.sa.sa_family = family;
	if (family == AF_INET)
		memcpy(&sa.in4.sin_addr, a, 4);
	else
		memcpy(&sa.in6.sin6_addr, a, 16);
	got = ss_acl_blocks_addr(acl, &sa);
	want = acl && ref_blocks_addr(family, a);
	if (family == AF_INET)
		CHECK(got == want, "%u.%u.%u.%u: %d, want %d", a[0], a[1], a[2],
		      a[3], got, want);
	else
		CHECK(got == want, "%02x%02x:%02x%02x:..:%02x%02x:%02x%02x: %d, want %d",
		      a[0], a[1], a[2], a[3], a[12], a[13], a[14], a[15], got,
		      want);
}

/* an IPv4 address, and the same as ::ffff:a.b.c.d */
static void ask4(const struct ss_acl *acl, const u8 *a)
{
	u8 mapped[16] = { [10] = 0xff, [11] = 0xff };

	memcpy(mapped + 12, a, 4);
	ask_addr(acl, AF_INET, a);
	ask_addr(acl, AF_INET6, mapped);
}

/* an IPv6 address, and if it is IPv4-mapped, the IPv4 one */
static void ask6(const struct ss_acl *acl, const u8 *a)
{
	ask_addr(acl, AF_INET6, a);
	if (ref_v4mapped(a))
		ask_addr(acl, AF_INET, a + 12);
}

/* in a buffer of its length: ASan sees a read past it */
static void ask_name(const struct ss_acl *acl, const char *s, size_t len)
{
	char *b = malloc(len ? len : 1);
	bool got, want;

	CHECK(b, "out of memory");
	memcpy(b, s, len);
	got = ss_acl_blocks_name(acl, b, len);
	want = acl && ref_blocks_name(s, len);
	CHECK(got == want, "\"%.*s\": %d, want %d", (int)len, s, got, want);
	free(b);
}

/* @a .. @b, then @c (each at most 255 bytes), as one name */
static void ask_cat(const struct ss_acl *acl, const char *a, const char *b,
		    size_t blen, const char *c)
{
	char buf[3 * SS_DOMAIN_MAX];
	size_t len = strlen(a);

	memcpy(buf, a, len);
	memcpy(buf + len, b, blen);
	len += blen;
	memcpy(buf + len, c, strlen(c));
	len += strlen(c);
	/* (no target name is longer: SOCKS5's length is a byte) */
	if (len <= SS_DOMAIN_MAX)
		ask_name(acl, buf, len);
}

static void ask_upper(const struct ss_acl *acl, const char *s, size_t len,
		      const char *tail)
{
	char buf[SS_DOMAIN_MAX];
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i];
	ask_cat(acl, "", buf, len, tail);
}

/* A network's first and last address, and the ones either side. */
static void ask_net(const struct ss_acl *acl, const struct rule *r)
{
	size_t len = r->type == SS_ACL_A_IPV4 ? 4 : 16;
	unsigned int bits = 8 * len;
	u128 all = bits == 128 ? ~(u128)0 : ((u128)1 << bits) - 1;
	u128 host = r->prefix == bits ? 0 : all >> r->prefix;
	u128 a = u128_of(r->addr, len), lo = a & ~host & all, hi = a | host;
	u128 at[4] = { lo, hi, (lo - 1) & all, (hi + 1) & all };
	u8 b[16];
	int i;

	for (i = 0; i < 4; i++) {
		u128_put(b, len, at[i]);
		if (len == 4)
			ask4(acl, b);
		else
			ask6(acl, b);
	}
}

/* A name as it is and in other cases and forms, under it and next to it. */
static void ask_rule_name(const struct ss_acl *acl, const struct rule *r)
{
	const char *dot = memchr(r->name, '.', r->len);

	ask_cat(acl, "", r->name, r->len, "");
	ask_cat(acl, "", r->name, r->len, ".");
	ask_cat(acl, "", r->name, r->len, "..");
	ask_upper(acl, r->name, r->len, "");
	ask_upper(acl, r->name, r->len, ".");
	ask_cat(acl, "x.", r->name, r->len, "");
	ask_cat(acl, "Ab-1.x_y.", r->name, r->len, ".");
	ask_cat(acl, ".", r->name, r->len, "");
	ask_cat(acl, "x", r->name, r->len, "");
	ask_cat(acl, "", r->name, r->len, "x");
	ask_cat(acl, "", r->name, r->len - 1, "");
	if (dot)
		ask_cat(acl, "", dot + 1, r->len - (dot + 1 - r->name), "");
}

/*
 * 255 bytes and a final dot; 256 bytes (no target has them: refused by a
 * list with names); 127 labels (more than the deepest domain rule has, so
 * the parent domains past its depth are not searched).
 */
static void ask_long(const struct ss_acl *acl)
{
	char big[SS_DOMAIN_MAX + 1];
	int j;

	memset(big, 'a', sizeof(big));
	big[SS_DOMAIN_MAX] = '.';
	ask_name(acl, big, sizeof(big));
	big[SS_DOMAIN_MAX] = 'a';
	ask_name(acl, big, sizeof(big));
	for (j = 0; j < SS_DOMAIN_MAX; j++)
		big[j] = j % 2 ? '.' : 'a' + j % 26;
	ask_name(acl, big, SS_DOMAIN_MAX);
}

static void ask(const struct ss_acl *acl)
{
	/* every rule of a small list, a few spread over a large one: the
	 * model scans them all for each question */
	u32 i, step = ref.count <= 64 ? 1 : ref.count / (ref.count > 1024 ? 4 : 16);
	static const u8 zero[16];
	union ss_sockaddr none;
	int k;

	for (k = 0; k < q.n4; k++)
		ask4(acl, q.a4[k]);
	for (k = 0; k < q.n6; k++)
		ask6(acl, q.a6[k]);
	for (k = 0; k < q.nn; k++) {
		ask_name(acl, q.name[k], q.len[k]);
		ask_upper(acl, q.name[k], q.len[k], "");
	}
	ask4(acl, zero);
	ask6(acl, zero);
	ask_name(acl, "", 0);
	ask_name(acl, ".", 1);
	ask_long(acl);
	memset(&none, 0, sizeof(none));
	CHECK(!ss_acl_blocks_addr(acl, &none), "no address blocked");
	for (i = 0; acl && i < ref.count; i += step) {
		if (ref.rules[i].type == SS_ACL_A_IPV4 ||
		    ref.rules[i].type == SS_ACL_A_IPV6)
			ask_net(acl, &ref.rules[i]);
		else
			ask_rule_name(acl, &ref.rules[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct netlink_ext_ack extack = {};
	struct genl_info info = {};
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	struct ss_acl *acl;
	u64 seed = 0xcbf29ce484222325ULL;
	size_t i;
	u8 *m;

	/* the list's hash seed: a function of the input, so that it replays */
	for (i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 0x100000001b3ULL;
	fuzz_random_seed(seed);

	msg.len = msg.end = NLMSG_HDRLEN + GENL_HDRLEN;
	msg.nest = 0;
	ref.any = false;
	ref.err = 0;
	ref.bad = 0;
	ref.count = 0;
	ref.last = NULL;
	q.n4 = q.n6 = q.nn = 0;
	fail = 0;
	ops(&in);

	/* as the kernel has it: exactly the message, its last padding not */
	m = malloc(msg.end);
	CHECK(m, "out of memory");
	memcpy(m, msg.buf, msg.end);
	nlh = (struct nlmsghdr *)m;
	memset(nlh, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_len = msg.end;
	nlh->nlmsg_type = GENL_MIN_ID;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	genl = nlmsg_data(nlh);
	genl->cmd = SS_CMD_SERVER_NEW;
	genl->version = SS_GENL_VERSION;
	info.nlhdr = nlh;
	info.genlhdr = genl;
	info.extack = &extack;

	fuzz_fail_alloc = fail;
	fuzz_failed_alloc = false;
	acl = ss_acl_parse(&info);
	fuzz_fail_alloc = 0;
	if (fuzz_failed_alloc) {
		/* (before the list, only the check: nothing is allocated) */
		CHECK(ref.any && !ref.err && ref.count, "allocated for a bad list");
		CHECK(IS_ERR(acl) && PTR_ERR(acl) == -ENOMEM,
		      "allocation %u failed: %ld", fail,
		      IS_ERR(acl) ? PTR_ERR(acl) : 0);
		CHECK(extack._msg && !extack.bad_attr, "no message");
		acl = NULL;
	} else if (!ref.any) {
		CHECK(!acl && !extack._msg, "no SS_A_ACL: %p", (void *)acl);
	} else if (ref.err || !ref.count) {
		long want = ref.err ? ref.err : -EINVAL;

		CHECK(IS_ERR(acl) && PTR_ERR(acl) == want,
		      "%u rules: %ld, want %ld", ref.count,
		      IS_ERR(acl) ? PTR_ERR(acl) : 0, want);
		CHECK(extack._msg, "no message");
		CHECK(extack.bad_attr == (ref.bad ? (void *)(m + ref.bad) : NULL),
		      "bad attribute at %td, want %zu",
		      extack.bad_attr ? (const u8 *)extack.bad_attr - m : 0,
		      ref.bad);
		acl = NULL;
	} else {
		CHECK(!IS_ERR_OR_NULL(acl), "%u good rules: %ld", ref.count,
		      PTR_ERR(acl));
		CHECK(!extack._msg, "a message: %s", extack._msg);
		CHECK(ss_acl_rules(acl) == ref.count, "%u rules, want %u",
		      ss_acl_rules(acl), ref.count);
	}
	ask(acl);
	ss_acl_free(acl);
	free(m);
	return 0;
}
