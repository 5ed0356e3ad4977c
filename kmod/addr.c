// SPDX-License-Identifier: GPL-2.0
/*
 * Target addresses: parsing the SOCKS5-format address of a request
 * (protocol.md), textual addresses, and which targets count as local to
 * the server.
 */

#include <linux/ctype.h>
#include <linux/inet.h>
#include <linux/string.h>
#include <net/addrconf.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "addr.h"

/**
 * ss_addr_len() - the length of the address at the head of a buffer
 * @p: the first bytes of the request's plaintext
 * @len: how many there are
 *
 * Port 0 reaches nothing (a TCP connect or a UDP send to it fails): an
 * address with it is malformed, refused like an unknown type. The port
 * comes last, so it is only seen once @len covers the whole address: a
 * caller that gathers an address piecewise asks again on the whole of it.
 *
 * Return: the whole address's length, type and port included, once the
 * first bytes tell it (the length may exceed @len: the rest is still to
 * come); 0 if @len is too short to tell; -EINVAL for an unknown type, a
 * zero-length domain name, or port 0 (once @len covers it).
 */
int ss_addr_len(const u8 *p, size_t len)
{
	size_t total;

	if (len < 1)
		return 0;
	switch (p[0]) {
	case SS_ATYP_IPV4:
		total = 1 + 4 + 2;
		break;
	case SS_ATYP_IPV6:
		total = 1 + 16 + 2;
		break;
	case SS_ATYP_DOMAIN:
		if (len < 2)
			return 0;
		if (!p[1])
			return -EINVAL;
		total = 1 + 1 + p[1] + 2;
		break;
	default:
		return -EINVAL;
	}
	if (len >= total && !p[total - 2] && !p[total - 1])
		return -EINVAL;
	return total;
}

static void ss_addr_set4(union ss_sockaddr *sa, __be32 a, __be16 port)
{
	memset(sa, 0, sizeof(*sa));
	sa->in4.sin_family = AF_INET;
	sa->in4.sin_addr.s_addr = a;
	sa->in4.sin_port = port;
}

/* An IPv4-mapped address becomes IPv4: it is checked and reached as such. */
static void ss_addr_set6(union ss_sockaddr *sa, const struct in6_addr *a,
			 __be16 port)
{
	if (ipv6_addr_v4mapped(a)) {
		ss_addr_set4(sa, a->s6_addr32[3], port);
		return;
	}
	memset(sa, 0, sizeof(*sa));
	sa->in6.sin6_family = AF_INET6;
	sa->in6.sin6_addr = *a;
	sa->in6.sin6_port = port;
}

/* Is all of @s (@len bytes) an IPv4 or IPv6 literal? Then set @sa. */
static bool ss_addr_literal(const char *s, size_t len, __be16 port,
			    union ss_sockaddr *sa)
{
	struct in6_addr a6;
	const char *end;
	__be32 a4;

	if (in4_pton(s, len, (u8 *)&a4, -1, &end) && end == s + len) {
		ss_addr_set4(sa, a4, port);
		return true;
	}
	if (in6_pton(s, len, (u8 *)&a6, -1, &end) && end == s + len) {
		ss_addr_set6(sa, &a6, port);
		return true;
	}
	return false;
}

/**
 * ss_addr_is_literal() - is a name an IPv4 or IPv6 literal?
 * @s: the name
 * @len: its length
 *
 * Return: true if ss_addr_parse() would take it as an address, not a name.
 */
bool ss_addr_is_literal(const char *s, size_t len)
{
	union ss_sockaddr sa;

	return ss_addr_literal(s, len, 0, &sa);
}

/**
 * ss_addr_parse() - parse a whole address
 * @p: the address
 * @len: its length, as ss_addr_len() gave it
 * @t: the result
 *
 * A domain name that is an IPv4 or IPv6 literal gives that address, as it
 * would from getaddrinfo(); any other name is copied to @t->name.
 */
void ss_addr_parse(const u8 *p, size_t len, struct ss_target *t)
{
	struct in6_addr a6;
	__be16 port;
	__be32 a4;

	memcpy(&port, p + len - 2, sizeof(port));
	memset(&t->addr, 0, sizeof(t->addr));
	t->port = port;
	t->name_len = 0;
	t->name[0] = '\0';
	switch (p[0]) {
	case SS_ATYP_IPV4:
		memcpy(&a4, p + 1, sizeof(a4));
		ss_addr_set4(&t->addr, a4, port);
		break;
	case SS_ATYP_IPV6:
		memcpy(&a6, p + 1, sizeof(a6));
		ss_addr_set6(&t->addr, &a6, port);
		break;
	default:	/* SS_ATYP_DOMAIN */
		if (ss_addr_literal((const char *)p + 2, p[1], port, &t->addr))
			break;
		t->name_len = p[1];
		memcpy(t->name, p + 2, p[1]);
		t->name[p[1]] = '\0';
		break;
	}
}

/**
 * ss_addr_name_ok() - is this a name worth asking the resolver about?
 * @name: the name
 * @len: its length
 *
 * ASCII letters, digits, '-', '_' and '.' only (names on the wire are
 * ASCII, internationalised ones included), and no empty label: anything
 * else could never resolve, and must not reach the key description. (The
 * kernel's isalnum() is Latin-1: it alone would let 0xC0..0xFF through.)
 *
 * Return: true if @name is well-formed.
 */
bool ss_addr_name_ok(const char *name, size_t len)
{
	size_t i, label = 0;

	for (i = 0; i < len; i++) {
		char c = name[i];

		if (c == '.') {
			if (!label)
				return false;
			label = 0;
			continue;
		}
		if (!isascii(c) || (!isalnum(c) && c != '-' && c != '_'))
			return false;
		label++;
	}
	return len > 0;
}

/**
 * ss_addr_head() - the address a UDP packet's plaintext starts with
 * @p: the plaintext: the address, then the payload
 * @len: its length
 *
 * Return: the address's length, all of it within @p; -EINVAL if @p does
 * not start with a whole, valid address.
 */
int ss_addr_head(const u8 *p, size_t len)
{
	int alen = ss_addr_len(p, len);

	if (alen <= 0 || (size_t)alen > len)
		return -EINVAL;
	return alen;
}

/**
 * ss_addr_target() - the target a client's UDP packet names
 * @p: the plaintext: the target's address, then the payload
 * @len: its length
 * @t: the target, parsed
 *
 * Return: the address's length; -EINVAL if @p does not start with a whole
 * address, or names a domain that could never resolve (ss_addr_name_ok()).
 */
int ss_addr_target(const u8 *p, size_t len, struct ss_target *t)
{
	int alen = ss_addr_head(p, len);

	if (alen < 0)
		return alen;
	ss_addr_parse(p, alen, t);
	if (t->name_len && !ss_addr_name_ok(t->name, t->name_len))
		return -EINVAL;
	return alen;
}

/**
 * ss_addr_socks5_udp() - the address of an application's SOCKS5 UDP request
 * @d: the datagram (RFC 1928 section 7): RSV RSV FRAG, the address, the data
 * @len: its length
 *
 * RSV must be 0, and fragments are not reassembled: FRAG must be 0 too.
 *
 * Return: the address's length (it starts at @d + %SS_SOCKS5_UDP_HDR);
 * -EINVAL for a header not all zeros, or no whole, valid address.
 */
int ss_addr_socks5_udp(const u8 *d, size_t len)
{
	if (len < SS_SOCKS5_UDP_HDR || d[0] || d[1] || d[2])
		return -EINVAL;
	return ss_addr_head(d + SS_SOCKS5_UDP_HDR, len - SS_SOCKS5_UDP_HDR);
}

/**
 * ss_addr_put_ip() - write an IP address and port in SOCKS5 format
 * @end: where the address ends: it is written right before
 * @from: the address, IPv4 or IPv6
 *
 * Return: its length, 7 or 19 (at most %SS_DGRAM_ADDR_IP_MAX).
 */
size_t ss_addr_put_ip(u8 *end, const union ss_sockaddr *from)
{
	u8 *p;

	if (from->sa.sa_family == AF_INET) {
		p = end - (1 + 4 + 2);
		p[0] = SS_ATYP_IPV4;
		memcpy(p + 1, &from->in4.sin_addr, 4);
		memcpy(p + 5, &from->in4.sin_port, 2);
		return 1 + 4 + 2;
	}
	p = end - (1 + 16 + 2);
	p[0] = SS_ATYP_IPV6;
	memcpy(p + 1, &from->in6.sin6_addr, 16);
	memcpy(p + 17, &from->in6.sin6_port, 2);
	return 1 + 16 + 2;
}

/**
 * ss_addr_pick() - choose an address from a resolver's answer
 * @text: the answer: addresses separated by commas or white space
 * @len: its length
 * @port: the port to set (network byte order)
 * @sa: the result
 *
 * The first IPv4 address is preferred (the path most likely to work from
 * a server that may have no IPv6 route), else the first IPv6 one.
 *
 * Return: 0, or -ENOENT if @text holds no address.
 */
int ss_addr_pick(const char *text, size_t len, __be16 port,
		 union ss_sockaddr *sa)
{
	const char *p = text, *end = text + len;
	union ss_sockaddr cur;
	bool found = false;

	while (p < end) {
		const char *tok;

		while (p < end && (*p == ',' || isspace(*p)))
			p++;
		tok = p;
		while (p < end && *p != ',' && !isspace(*p))
			p++;
		if (p == tok || !ss_addr_literal(tok, p - tok, port, &cur))
			continue;
		if (cur.sa.sa_family == AF_INET) {
			*sa = cur;
			return 0;
		}
		if (!found) {
			*sa = cur;
			found = true;
		}
	}
	return found ? 0 : -ENOENT;
}

/*
 * Cloud metadata services answer any request from the instance, with its
 * credentials among the answers: a server must not fetch them for its
 * clients. 169.254.169.254 (AWS, Azure, Google Cloud, Oracle, DigitalOcean,
 * OpenStack, ...) and Tencent Cloud's 169.254.0.23 are link-local already;
 * these are not.
 */
/* Alibaba Cloud's metadata service: 100.100.100.200 (shared address space) */
#define SS_META4_ALIBABA	cpu_to_be32(0x646464c8)
/* AWS's instance metadata service over IPv6 (Nitro): fd00:ec2::254 */
static const struct in6_addr ss_meta6_aws = { { {
	0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54
} } };

static bool ss_addr_is_local4(struct net *net, __be32 a)
{
	if (ipv4_is_loopback(a) || ipv4_is_zeronet(a) ||
	    ipv4_is_linklocal_169(a) || ipv4_is_multicast(a) ||
	    ipv4_is_lbcast(a) || a == SS_META4_ALIBABA)
		return true;
	/* Addresses of the namespace, and its broadcast addresses. */
	return inet_addr_type(net, a) != RTN_UNICAST;
}

static bool ss_addr_is_local6(struct net *net, const struct in6_addr *a)
{
	if (ipv6_addr_any(a) || ipv6_addr_loopback(a) ||
	    (ipv6_addr_type(a) & (IPV6_ADDR_LINKLOCAL | IPV6_ADDR_MULTICAST)) ||
	    ipv6_addr_equal(a, &ss_meta6_aws))
		return true;
	return ipv6_chk_addr(net, a, NULL, 0);
}

/**
 * ss_addr_is_local() - would this target reach the server itself?
 * @net: the server's namespace
 * @sa: the target (IPv4-mapped addresses already made IPv4)
 *
 * Loopback, link-local, unspecified, multicast and broadcast addresses,
 * the cloud metadata services' addresses, and any address of @net: what a
 * server refuses unless it allows local targets.
 *
 * Return: true if @sa is one of those.
 */
bool ss_addr_is_local(struct net *net, const union ss_sockaddr *sa)
{
	if (sa->sa.sa_family == AF_INET)
		return ss_addr_is_local4(net, sa->in4.sin_addr.s_addr);
	return ss_addr_is_local6(net, &sa->in6.sin6_addr);
}
