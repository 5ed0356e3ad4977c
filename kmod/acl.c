// SPDX-License-Identifier: GPL-2.0
/*
 * A server's egress ACL: IPv4 and IPv6 networks, host names matched
 * exactly and domains matched with every name under them. ssctl reads a
 * shadowsocks-libev .acl file's [outbound_block_list] into SS_A_ACL; the
 * server then refuses a request's target when its name matches (before
 * any lookup) or when the address it would connect or send to does (a
 * literal, or what a name resolved to), TCP and UDP alike, counted as
 * acl_block.
 *
 * The list comes from a netlink caller, who may be anyone with
 * CAP_NET_ADMIN in a namespace of their own: its size is bounded
 * (SS_ACL_MAX_RULES), its memory charged to the caller, and nothing in it
 * is trusted to be sorted, disjoint or canonical. The networks become
 * sorted, disjoint ranges (host bits under the prefix ignored, overlapping
 * and adjacent ones merged), found by binary search. The names are
 * lowercased and sorted by a hash taken from their last byte to their
 * first: a target's name and each parent domain of it are then looked up
 * with one pass over its bytes and a binary search over integers each,
 * whatever the rules' names look like (comparing strings in the search
 * would let a crafted target and list cost a name's length per step, per
 * parent). The hash is seeded per list, so a remote peer cannot aim at
 * collisions, which would cost one comparison of bytes each anyway. The
 * list never changes after the server is made, and it is freed with the
 * server.
 */

#include <linux/ctype.h>
#include <linux/netlink.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include <linux/shadowsocks.h>

#include "acl.h"
#include "addr.h"

/* a name rule's longest: a DNS name without its final dot */
#define SS_ACL_NAME_MAX		253

/* (ss_acl_check()'s message says so) */
static_assert(SS_ACL_MAX_RULES == 65536);

/* an IPv4 network as sent: address (network order), prefix, zero padding */
#define SS_ACL_IPV4_LEN		8
/* an IPv6 network: address, prefix, zero padding */
#define SS_ACL_IPV6_LEN		20

struct ss_acl_range4 {
	u32 lo, hi;
};

/* a 128-bit address as a number: @hi the first 8 bytes */
struct ss_acl_u128 {
	u64 hi, lo;
};

struct ss_acl_range6 {
	struct ss_acl_u128 lo, hi;
};

/* a name rule: its hash (ss_acl_hash_step() over its bytes, last first) */
struct ss_acl_name {
	u64 hash;
	const char *name;
	u32 len;
};

/**
 * struct ss_acl - an egress ACL
 * @rules: how many rules the caller sent (networks and names)
 * @nr4: entries of @r4
 * @nr6: entries of @r6
 * @nr_hosts: entries of @hosts
 * @nr_domains: entries of @domains
 * @r4: IPv4 ranges, host byte order, sorted and disjoint
 * @r6: IPv6 ranges, sorted and disjoint
 * @seed: where each name's hash starts
 * @domain_labels: the most labels of a name in @domains: a target's
 *	parent domains with more are not looked for
 * @hosts: names matched exactly, lowercase, sorted by hash (into @names)
 * @domains: names matched with every name under them, likewise
 * @names: the names' bytes, each NUL-terminated
 */
struct ss_acl {
	u32 rules;
	u32 nr4, nr6, nr_hosts, nr_domains;
	struct ss_acl_range4 *r4;
	struct ss_acl_range6 *r6;
	u64 seed;
	u32 domain_labels;
	struct ss_acl_name *hosts;
	struct ss_acl_name *domains;
	char *names;
};

static int ss_acl_cmp4(const void *a, const void *b)
{
	const struct ss_acl_range4 *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

static int ss_u128_cmp(const struct ss_acl_u128 *x,
		       const struct ss_acl_u128 *y)
{
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

static int ss_acl_cmp6(const void *a, const void *b)
{
	const struct ss_acl_range6 *x = a, *y = b;

	return ss_u128_cmp(&x->lo, &y->lo);
}

static int ss_acl_cmp_name(const void *a, const void *b)
{
	const struct ss_acl_name *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return 0;
}

/*
 * One byte more of a name's hash, taken from its end (FNV-1a's step): the
 * hash of each suffix of a name comes on the way to the whole name's.
 */
static u64 ss_acl_hash_step(u64 h, u8 c)
{
	return (h ^ c) * 0x100000001b3ULL;
}

/* @p: 16 bytes in network order, of any alignment */
static struct ss_acl_u128 ss_u128_of(const u8 *p)
{
	__be64 w[2];

	memcpy(w, p, sizeof(w));
	return (struct ss_acl_u128){ be64_to_cpu(w[0]), be64_to_cpu(w[1]) };
}

/* Sort and merge overlapping or adjacent ranges in place; return how many. */
static u32 ss_acl_merge4(struct ss_acl_range4 *r, u32 n)
{
	u32 i, out = 0;

	if (!n)
		return 0;
	sort(r, n, sizeof(*r), ss_acl_cmp4, NULL);
	for (i = 1; i < n; i++) {
		/* (hi == U32_MAX: everything after is inside) */
		if (r[out].hi == U32_MAX || r[i].lo <= r[out].hi + 1) {
			r[out].hi = max(r[out].hi, r[i].hi);
			continue;
		}
		r[++out] = r[i];
	}
	return out + 1;
}

static bool ss_u128_next_to(const struct ss_acl_u128 *hi,
			    const struct ss_acl_u128 *lo)
{
	struct ss_acl_u128 next = *hi;

	/* is @lo at most @hi + 1? (@hi the largest: always) */
	if (++next.lo == 0 && ++next.hi == 0)
		return true;
	return ss_u128_cmp(lo, &next) <= 0;
}

static u32 ss_acl_merge6(struct ss_acl_range6 *r, u32 n)
{
	u32 i, out = 0;

	if (!n)
		return 0;
	sort(r, n, sizeof(*r), ss_acl_cmp6, NULL);
	for (i = 1; i < n; i++) {
		if (ss_u128_next_to(&r[out].hi, &r[i].lo)) {
			if (ss_u128_cmp(&r[i].hi, &r[out].hi) > 0)
				r[out].hi = r[i].hi;
			continue;
		}
		r[++out] = r[i];
	}
	return out + 1;
}

static int ss_acl_net4(struct ss_acl_range4 *r, const u8 *p,
		       const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	__be32 a;
	u32 addr, mask;
	u8 prefix = p[4];

	memcpy(&a, p, sizeof(a));
	addr = be32_to_cpu(a);
	if (prefix > 32 || p[5] || p[6] || p[7]) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "an IPv4 network's prefix is 0..32, its padding zero");
		return -EINVAL;
	}
	mask = prefix ? ~0U << (32 - prefix) : 0;
	r->lo = addr & mask;
	r->hi = addr | ~mask;
	return 0;
}

static int ss_acl_net6(struct ss_acl_range6 *r, const u8 *p,
		       const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	struct ss_acl_u128 a = ss_u128_of(p), m;
	u8 prefix = p[16];

	if (prefix > 128 || p[17] || p[18] || p[19]) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "an IPv6 network's prefix is 0..128, its padding zero");
		return -EINVAL;
	}
	m.hi = prefix >= 64 ? ~0ULL : (prefix ? ~0ULL << (64 - prefix) : 0);
	m.lo = prefix <= 64 ? 0 : ~0ULL << (128 - prefix);
	r->lo = (struct ss_acl_u128){ a.hi & m.hi, a.lo & m.lo };
	r->hi = (struct ss_acl_u128){ a.hi | ~m.hi, a.lo | ~m.lo };
	return 0;
}

/*
 * A name rule: what ss_addr_name_ok() takes, without a trailing dot (a
 * target's is ignored too), at most SS_ACL_NAME_MAX bytes, NUL-terminated
 * within its attribute (NLA_STRING does not make sure of that). Return: its
 * length, or a negative errno with the message set.
 */
static int ss_acl_name_len(const struct nlattr *attr,
			   struct netlink_ext_ack *extack)
{
	const char *s = nla_data(attr);
	size_t len = strnlen(s, nla_len(attr));

	if (!len || len == (size_t)nla_len(attr) || len > SS_ACL_NAME_MAX ||
	    !ss_addr_name_ok(s, len) || s[len - 1] == '.') {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a name rule is a domain name of letters, digits, '-', '_' and dots, without a trailing dot");
		return -EINVAL;
	}
	/* a target written so is parsed as the address, never as a name */
	if (ss_addr_is_literal(s, len)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "an IPv4 address is a network rule (SS_ACL_A_IPV4 with prefix 32), not a name");
		return -EINVAL;
	}
	return len;
}

static void ss_acl_lower(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = tolower(src[i]);
	dst[len] = '\0';
}

/* the count of each kind, and the names' bytes, over every nest */
struct ss_acl_sizes {
	u64 n4, n6, nh, nd;
	size_t bytes;
};

/*
 * The first pass: check every rule (so that the second cannot fail) and
 * count. Return: 0, or a negative errno with the message set.
 */
static int ss_acl_check(const struct nlattr *top, struct ss_acl_sizes *sz,
			struct netlink_ext_ack *extack)
{
	const struct nlattr *attr;
	struct ss_acl_range4 r4;
	struct ss_acl_range6 r6;
	int rem, len, k, err;

	nla_for_each_nested(attr, top, rem) {
		const u8 *p = nla_data(attr);

		switch (nla_type(attr)) {
		case SS_ACL_A_IPV4:
			if (!nla_len(attr) || nla_len(attr) % SS_ACL_IPV4_LEN) {
				NL_SET_ERR_MSG_ATTR(extack, attr,
						    "IPv4 networks are records of 8 bytes");
				return -EINVAL;
			}
			for (k = 0; k < nla_len(attr); k += SS_ACL_IPV4_LEN) {
				err = ss_acl_net4(&r4, p + k, attr, extack);
				if (err)
					return err;
			}
			sz->n4 += nla_len(attr) / SS_ACL_IPV4_LEN;
			break;
		case SS_ACL_A_IPV6:
			if (!nla_len(attr) || nla_len(attr) % SS_ACL_IPV6_LEN) {
				NL_SET_ERR_MSG_ATTR(extack, attr,
						    "IPv6 networks are records of 20 bytes");
				return -EINVAL;
			}
			for (k = 0; k < nla_len(attr); k += SS_ACL_IPV6_LEN) {
				err = ss_acl_net6(&r6, p + k, attr, extack);
				if (err)
					return err;
			}
			sz->n6 += nla_len(attr) / SS_ACL_IPV6_LEN;
			break;
		case SS_ACL_A_HOST:
		case SS_ACL_A_DOMAIN:
			len = ss_acl_name_len(attr, extack);
			if (len < 0)
				return len;
			sz->bytes += len + 1;
			if (nla_type(attr) == SS_ACL_A_HOST)
				sz->nh++;
			else
				sz->nd++;
			break;
		case SS_ACL_A_RULES:
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "rules is a reply attribute");
			return -EINVAL;
		default:
			/* (the policy refuses types it does not know) */
			NL_SET_ERR_MSG_ATTR(extack, attr, "unexpected attribute");
			return -EINVAL;
		}
		if (sz->n4 + sz->n6 + sz->nh + sz->nd > SS_ACL_MAX_RULES) {
			NL_SET_ERR_MSG(extack, "an ACL holds at most 65536 rules");
			return -E2BIG;
		}
	}
	return 0;
}

/* The second pass: the rules of one nest, checked by ss_acl_check(). */
static void ss_acl_fill(struct ss_acl *acl, const struct nlattr *top,
			u32 *i4, u32 *i6, u32 *ih, u32 *id, size_t *off)
{
	const struct nlattr *attr;
	struct ss_acl_name *n;
	int rem, k;
	u32 labels;

	nla_for_each_nested(attr, top, rem) {
		const u8 *p = nla_data(attr);

		switch (nla_type(attr)) {
		case SS_ACL_A_IPV4:
			for (k = 0; k < nla_len(attr); k += SS_ACL_IPV4_LEN)
				ss_acl_net4(&acl->r4[(*i4)++], p + k, attr, NULL);
			break;
		case SS_ACL_A_IPV6:
			for (k = 0; k < nla_len(attr); k += SS_ACL_IPV6_LEN)
				ss_acl_net6(&acl->r6[(*i6)++], p + k, attr, NULL);
			break;
		case SS_ACL_A_HOST:
		case SS_ACL_A_DOMAIN:
			if (nla_type(attr) == SS_ACL_A_HOST)
				n = &acl->hosts[(*ih)++];
			else
				n = &acl->domains[(*id)++];
			n->name = acl->names + *off;
			n->len = strlen(nla_data(attr));
			ss_acl_lower(acl->names + *off, nla_data(attr), n->len);
			n->hash = acl->seed;
			labels = 1;
			for (k = n->len; k--;) {
				n->hash = ss_acl_hash_step(n->hash, n->name[k]);
				labels += n->name[k] == '.';
			}
			if (nla_type(attr) == SS_ACL_A_DOMAIN)
				acl->domain_labels = max(acl->domain_labels,
							 labels);
			*off += n->len + 1;
			break;
		}
	}
}

/**
 * ss_acl_parse() - build an ACL from the SS_A_ACL nests of a request
 * @info: the request (SS_CMD_SERVER_NEW); its attributes validated
 *	against the policy, every SS_A_ACL among them
 *
 * An attribute holds at most 64 KiB: a list longer than that comes as
 * several SS_A_ACL nests, which make one ACL.
 *
 * Sleeps. Allocations are charged to the caller's memory cgroup.
 *
 * Return: the ACL, NULL when the request has no SS_A_ACL, or an ERR_PTR:
 * -EINVAL (malformed, or no rule at all; message set), -E2BIG (more than
 * SS_ACL_MAX_RULES rules), -ENOMEM.
 */
struct ss_acl *ss_acl_parse(const struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	u32 i4 = 0, i6 = 0, ih = 0, id = 0;
	struct ss_acl_sizes sz = {};
	const struct nlattr *top;
	bool any = false;
	struct ss_acl *acl;
	size_t off = 0;
	int rem, err;

	nlmsg_for_each_attr(top, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(top) != SS_A_ACL)
			continue;
		any = true;
		err = ss_acl_check(top, &sz, extack);
		if (err)
			return ERR_PTR(err);
	}
	if (!any)
		return NULL;
	if (!(sz.n4 + sz.n6 + sz.nh + sz.nd)) {
		NL_SET_ERR_MSG(extack, "an ACL with no rule");
		return ERR_PTR(-EINVAL);
	}

	acl = kzalloc(sizeof(*acl), GFP_KERNEL_ACCOUNT);
	if (!acl)
		goto nomem;
	acl->rules = sz.n4 + sz.n6 + sz.nh + sz.nd;
	acl->seed = get_random_u64();
	if (sz.n4) {
		acl->r4 = kvmalloc_array(sz.n4, sizeof(*acl->r4),
					 GFP_KERNEL_ACCOUNT);
		if (!acl->r4)
			goto nomem;
	}
	if (sz.n6) {
		acl->r6 = kvmalloc_array(sz.n6, sizeof(*acl->r6),
					 GFP_KERNEL_ACCOUNT);
		if (!acl->r6)
			goto nomem;
	}
	if (sz.nh) {
		acl->hosts = kvmalloc_array(sz.nh, sizeof(*acl->hosts),
					    GFP_KERNEL_ACCOUNT);
		if (!acl->hosts)
			goto nomem;
	}
	if (sz.nd) {
		acl->domains = kvmalloc_array(sz.nd, sizeof(*acl->domains),
					      GFP_KERNEL_ACCOUNT);
		if (!acl->domains)
			goto nomem;
	}
	if (sz.bytes) {
		acl->names = kvmalloc(sz.bytes, GFP_KERNEL_ACCOUNT);
		if (!acl->names)
			goto nomem;
	}

	nlmsg_for_each_attr(top, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(top) == SS_A_ACL)
			ss_acl_fill(acl, top, &i4, &i6, &ih, &id, &off);
	}
	acl->nr4 = ss_acl_merge4(acl->r4, sz.n4);
	acl->nr6 = ss_acl_merge6(acl->r6, sz.n6);
	acl->nr_hosts = sz.nh;
	acl->nr_domains = sz.nd;
	sort(acl->hosts, sz.nh, sizeof(*acl->hosts), ss_acl_cmp_name, NULL);
	sort(acl->domains, sz.nd, sizeof(*acl->domains), ss_acl_cmp_name, NULL);
	return acl;

nomem:
	ss_acl_free(acl);
	NL_SET_ERR_MSG(extack, "no memory for the ACL");
	return ERR_PTR(-ENOMEM);
}

/**
 * ss_acl_free() - free an ACL
 * @acl: the ACL, or NULL
 */
void ss_acl_free(struct ss_acl *acl)
{
	if (!acl)
		return;
	kvfree(acl->r4);
	kvfree(acl->r6);
	kvfree(acl->hosts);
	kvfree(acl->domains);
	kvfree(acl->names);
	kfree(acl);
}

/**
 * ss_acl_rules() - how many rules the ACL was made of
 * @acl: the ACL
 *
 * Return: the number of networks and names its caller sent.
 */
u32 ss_acl_rules(const struct ss_acl *acl)
{
	return acl->rules;
}

static bool ss_acl_has4(const struct ss_acl *acl, u32 x)
{
	u32 lo = 0, hi = acl->nr4;

	/* the last range starting at or before @x */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (acl->r4[mid].lo <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && x <= acl->r4[lo - 1].hi;
}

static bool ss_acl_has6(const struct ss_acl *acl, const struct in6_addr *a)
{
	struct ss_acl_u128 x = ss_u128_of(a->s6_addr);
	u32 lo = 0, hi = acl->nr6;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (ss_u128_cmp(&acl->r6[mid].lo, &x) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && ss_u128_cmp(&x, &acl->r6[lo - 1].hi) <= 0;
}

/* @a in an IPv4 network, or its IPv4-mapped form in an IPv6 one */
static bool ss_acl_has_ip4(const struct ss_acl *acl, __be32 a)
{
	struct in6_addr mapped;

	if (ss_acl_has4(acl, ntohl(a)))
		return true;
	ipv6_addr_set_v4mapped(a, &mapped);
	return ss_acl_has6(acl, &mapped);
}

/**
 * ss_acl_blocks_addr() - does the ACL refuse this address?
 * @acl: the ACL, or NULL (nothing refused)
 * @sa: an IPv4 or IPv6 address
 *
 * An IPv4-mapped IPv6 address reaches the IPv4 host, and an IPv4 address
 * is the IPv4-mapped one: each is checked against both kinds of network
 * (libev's lists write loopback as ::ffff:127.0.0.1/104 too; and target
 * parsing gives a mapped address as IPv4). An unspecified address (0.0.0.0,
 * ::, ::ffff:0.0.0.0) is what the stack connects and sends to as loopback,
 * so it is refused when its loopback address is: lists block 127.0.0.0/8
 * and ::1, rarely 0.0.0.0 (with allow-local off, the server refuses all
 * of these before the ACL is asked).
 *
 * Return: true to refuse it.
 */
bool ss_acl_blocks_addr(const struct ss_acl *acl, const union ss_sockaddr *sa)
{
	const struct in6_addr *a6;
	__be32 a4;

	if (!acl)
		return false;
	if (sa->sa.sa_family == AF_INET) {
		a4 = sa->in4.sin_addr.s_addr;
	} else if (sa->sa.sa_family == AF_INET6) {
		a6 = &sa->in6.sin6_addr;
		if (!ipv6_addr_v4mapped(a6)) {
			/* tcp_v6_connect() and udpv6_sendmsg() take :: for ::1 */
			return ss_acl_has6(acl, a6) ||
			       (ipv6_addr_any(a6) &&
				ss_acl_has6(acl, &in6addr_loopback));
		}
		a4 = a6->s6_addr32[3];
	} else {
		return false;
	}
	/* routing sends to 0.0.0.0 over loopback */
	return ss_acl_has_ip4(acl, a4) ||
	       (!a4 && ss_acl_has_ip4(acl, htonl(INADDR_LOOPBACK)));
}

/* Is @name (@len bytes, its hash @hash) among @names? */
static bool ss_acl_find(const struct ss_acl_name *names, u32 n, u64 hash,
			const char *name, u32 len)
{
	u32 lo = 0, hi = n;

	/* the first entry of @hash or more */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (names[mid].hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && names[lo].hash == hash; lo++) {
		if (names[lo].len == len && !memcmp(names[lo].name, name, len))
			return true;
	}
	return false;
}

/**
 * ss_acl_blocks_name() - does the ACL refuse this domain name?
 * @acl: the ACL, or NULL (nothing refused)
 * @name: the name, as the request gave it (a trailing dot ignored)
 * @len: its length
 *
 * Return: true if a host rule names it, or a domain rule names it or a
 * domain it is under, or (with any name rule) if it is longer than
 * SS_DOMAIN_MAX; false for a name no rule could match.
 */
bool ss_acl_blocks_name(const struct ss_acl *acl, const char *name,
			size_t len)
{
	char buf[SS_DOMAIN_MAX + 1];
	u32 labels = 0;
	u64 hash;
	size_t i;

	if (!acl || (!acl->nr_hosts && !acl->nr_domains))
		return false;
	if (len && name[len - 1] == '.')
		len--;
	if (!len)
		return false;
	/* (SOCKS5 cannot carry one: fail closed) */
	if (len > SS_DOMAIN_MAX)
		return true;
	ss_acl_lower(buf, name, len);
	/*
	 * Each domain it is under (from the top), then the name itself; a
	 * name of many labels costs no more searches than the deepest
	 * domain rule has labels.
	 */
	hash = acl->seed;
	for (i = len; i--;) {
		hash = ss_acl_hash_step(hash, buf[i]);
		if (i && buf[i - 1] != '.')
			continue;
		if (++labels > acl->domain_labels)
			continue;
		if (ss_acl_find(acl->domains, acl->nr_domains, hash, buf + i,
				len - i))
			return true;
	}
	return ss_acl_find(acl->hosts, acl->nr_hosts, hash, buf, len);
}
