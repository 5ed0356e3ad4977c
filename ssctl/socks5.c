// SPDX-License-Identifier: GPL-2.0
/*
 * The SOCKS5 handshake as a state machine, and the SOCKS5 address format.
 *
 * What is refused, and how (RFC 1928 leaves some of it open):
 *   - a version byte other than 5 in the greeting or the request, or other
 *     than 1 in the username/password subnegotiation: closed without a
 *     reply (the peer does not speak this protocol; no reply would mean
 *     anything to it);
 *   - no acceptable method: 05 FF, then closed;
 *   - failed authentication (or an empty username or password): 01 01,
 *     then closed;
 *   - a command other than CONNECT (BIND, UDP ASSOCIATE, unknown): reply
 *     07, command not supported;
 *   - RSV not zero: reply 01, general failure (the RFC has no code for a
 *     malformed request; a client that sets it is not one we understand,
 *     so we do not guess);
 *   - a CONNECT to port 0: reply 01 (it reaches nothing, and the kernel
 *     refuses it as a target; for UDP ASSOCIATE, port 0 is the client
 *     saying it does not know its port yet, as RFC 1928 allows);
 *   - an address type other than 1, 3, 4: reply 08; a domain name of
 *     length 0: reply 01.
 * Every refusal is decided on the first byte that shows it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "socks5.h"

void socks5_init(struct socks5 *s)
{
	memset(s, 0, sizeof(*s));
	s->state = SOCKS5_GREETING;
}

static enum socks5_action fail(struct socks5 *s, const char *why)
{
	s->state = SOCKS5_FAILED;
	s->why = why;
	return SOCKS5_CLOSE;
}

static enum socks5_action fail_reply(struct socks5 *s, const char *why,
				     const uint8_t *reply, size_t len,
				     uint8_t *out, size_t *out_len)
{
	s->state = SOCKS5_FAILED;
	s->why = why;
	memcpy(out, reply, len);
	*out_len = len;
	return SOCKS5_SEND_CLOSE;
}

static enum socks5_action fail_request(struct socks5 *s, const char *why,
				       uint8_t rep, uint8_t *out,
				       size_t *out_len)
{
	s->state = SOCKS5_FAILED;
	s->why = why;
	*out_len = socks5_reply(rep, NULL, out);
	return SOCKS5_SEND_CLOSE;
}

static enum socks5_action greeting(struct socks5 *s,
				   const struct socks5_auth *auth,
				   const uint8_t *in, size_t len, size_t *used,
				   uint8_t *out, size_t *out_len)
{
	static const uint8_t refused[] = { SOCKS5_VERSION,
					   SOCKS5_METHOD_REFUSED };
	uint8_t want = auth && auth->check ? SOCKS5_METHOD_USERPASS :
					     SOCKS5_METHOD_NONE;
	size_t n;

	if (in[0] != SOCKS5_VERSION)
		return fail(s, "not a SOCKS5 greeting");
	if (len < 2 || len < 2 + (size_t)in[1])
		return SOCKS5_NEED_MORE;
	n = in[1];
	if (!memchr(in + 2, want, n))
		return fail_reply(s, want == SOCKS5_METHOD_NONE ?
				  "no acceptable method (the client does not offer no-auth)" :
				  "no acceptable method (the client does not offer username/password)",
				  refused, sizeof(refused), out, out_len);
	out[0] = SOCKS5_VERSION;
	out[1] = want;
	*out_len = 2;
	*used = 2 + n;
	s->state = want == SOCKS5_METHOD_NONE ? SOCKS5_REQUEST : SOCKS5_AUTH;
	return SOCKS5_SEND;
}

static enum socks5_action userpass(struct socks5 *s,
				   const struct socks5_auth *auth,
				   const uint8_t *in, size_t len, size_t *used,
				   uint8_t *out, size_t *out_len)
{
	static const uint8_t denied[] = { SOCKS5_AUTH_VERSION, 0x01 };
	size_t ulen, plen;

	if (in[0] != SOCKS5_AUTH_VERSION)
		return fail(s, "not a username/password subnegotiation");
	if (len < 2)
		return SOCKS5_NEED_MORE;
	ulen = in[1];
	if (len < 3 + ulen)
		return SOCKS5_NEED_MORE;
	plen = in[2 + ulen];
	if (len < 3 + ulen + plen)
		return SOCKS5_NEED_MORE;
	if (!ulen || !plen || !auth || !auth->check ||
	    !auth->check(auth->arg, in + 2, ulen, in + 3 + ulen, plen))
		return fail_reply(s, "authentication failed", denied,
				  sizeof(denied), out, out_len);
	out[0] = SOCKS5_AUTH_VERSION;
	out[1] = 0x00;
	*out_len = 2;
	*used = 3 + ulen + plen;
	s->state = SOCKS5_REQUEST;
	return SOCKS5_SEND;
}

static enum socks5_action request(struct socks5 *s, const uint8_t *in,
				  size_t len, size_t *used, uint8_t *out,
				  size_t *out_len)
{
	size_t alen, total;

	if (in[0] != SOCKS5_VERSION)
		return fail(s, "not a SOCKS5 request");
	if (len < 2)
		return SOCKS5_NEED_MORE;
	if (in[1] != SOCKS5_CMD_CONNECT && in[1] != SOCKS5_CMD_UDP_ASSOCIATE)
		return fail_request(s, in[1] == 0x02 ? "BIND is not supported" :
				    "unknown command",
				    SOCKS5_REP_CMD_UNSUPPORTED, out, out_len);
	if (len < 3)
		return SOCKS5_NEED_MORE;
	if (in[2] != 0x00)
		return fail_request(s, "reserved byte of the request is not 0",
				    SOCKS5_REP_GENERAL_FAILURE, out, out_len);
	if (len < 4)
		return SOCKS5_NEED_MORE;
	switch (in[3]) {
	case SOCKS5_ATYP_IPV4:
		alen = 4;
		break;
	case SOCKS5_ATYP_IPV6:
		alen = 16;
		break;
	case SOCKS5_ATYP_DOMAIN:
		if (len < 5)
			return SOCKS5_NEED_MORE;
		if (!in[4])
			return fail_request(s, "empty domain name",
					    SOCKS5_REP_GENERAL_FAILURE, out,
					    out_len);
		alen = 1 + (size_t)in[4];
		break;
	default:
		return fail_request(s, "address type not supported",
				    SOCKS5_REP_ATYP_UNSUPPORTED, out, out_len);
	}
	total = 4 + alen + 2;
	if (len < total)
		return SOCKS5_NEED_MORE;
	if (in[1] == SOCKS5_CMD_CONNECT && !in[total - 2] && !in[total - 1])
		return fail_request(s, "port 0", SOCKS5_REP_GENERAL_FAILURE,
				    out, out_len);
	s->target_len = total - 3;
	memcpy(s->target, in + 3, s->target_len);
	*used = total;
	s->state = SOCKS5_DONE;
	return in[1] == SOCKS5_CMD_UDP_ASSOCIATE ? SOCKS5_UDP_ASSOCIATE :
						   SOCKS5_CONNECT;
}

enum socks5_action socks5_step(struct socks5 *s, const struct socks5_auth *auth,
			       const uint8_t *in, size_t len, size_t *used,
			       uint8_t out[SOCKS5_REPLY_MAX], size_t *out_len)
{
	*used = 0;
	*out_len = 0;
	if (s->state == SOCKS5_DONE || s->state == SOCKS5_FAILED)
		return SOCKS5_CLOSE;
	if (!len)
		return SOCKS5_NEED_MORE;
	switch (s->state) {
	case SOCKS5_GREETING:
		return greeting(s, auth, in, len, used, out, out_len);
	case SOCKS5_AUTH:
		return userpass(s, auth, in, len, used, out, out_len);
	default:
		return request(s, in, len, used, out, out_len);
	}
}

size_t socks5_addr_from_sockaddr(const struct sockaddr *sa, uint8_t *out)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

	if (sa->sa_family == AF_INET) {
		out[0] = SOCKS5_ATYP_IPV4;
		memcpy(out + 1, &sin->sin_addr, 4);
		memcpy(out + 5, &sin->sin_port, 2);
		return 7;
	}
	if (sa->sa_family != AF_INET6)
		return 0;
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		out[0] = SOCKS5_ATYP_IPV4;
		memcpy(out + 1, sin6->sin6_addr.s6_addr + 12, 4);
		memcpy(out + 5, &sin6->sin6_port, 2);
		return 7;
	}
	out[0] = SOCKS5_ATYP_IPV6;
	memcpy(out + 1, &sin6->sin6_addr, 16);
	memcpy(out + 17, &sin6->sin6_port, 2);
	return 19;
}

size_t socks5_reply(uint8_t rep, const struct sockaddr *bnd,
		    uint8_t out[SOCKS5_REPLY_MAX])
{
	size_t alen = 0;

	out[0] = SOCKS5_VERSION;
	out[1] = rep;
	out[2] = 0x00;
	if (bnd)
		alen = socks5_addr_from_sockaddr(bnd, out + 3);
	if (!alen) {
		memset(out + 3, 0, 7);
		out[3] = SOCKS5_ATYP_IPV4;
		alen = 7;
	}
	return 3 + alen;
}

static bool parse_port(const char *s, uint16_t *port)
{
	unsigned long v;
	char *end;

	if (!s[0] || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5)
		return false;
	v = strtoul(s, &end, 10);
	if (*end || v < 1 || v > 65535)
		return false;
	*port = htons((uint16_t)v);
	return true;
}

size_t socks5_addr_from_string(const char *hostport,
			       uint8_t out[SOCKS5_ADDR_MAX], const char **why)
{
	const char *colon, *port_s;
	char host[256];
	uint16_t port;
	size_t hlen, alen;

	*why = NULL;
	if (hostport[0] == '[') {
		const char *close = strchr(hostport, ']');

		if (!close || close[1] != ':') {
			*why = "expected [IPv6]:PORT";
			return 0;
		}
		hlen = (size_t)(close - hostport - 1);
		if (hlen >= sizeof(host)) {
			*why = "invalid IPv6 address";
			return 0;
		}
		memcpy(host, hostport + 1, hlen);
		host[hlen] = '\0';
		port_s = close + 2;
		out[0] = SOCKS5_ATYP_IPV6;
		if (inet_pton(AF_INET6, host, out + 1) != 1) {
			*why = "invalid IPv6 address";
			return 0;
		}
		alen = 17;
	} else {
		colon = strrchr(hostport, ':');
		if (!colon) {
			*why = "expected HOST:PORT";
			return 0;
		}
		hlen = (size_t)(colon - hostport);
		if (memchr(hostport, ':', hlen)) {
			*why = "an IPv6 address goes in brackets: [ADDR]:PORT";
			return 0;
		}
		if (!hlen || hlen > 255) {
			*why = "the host name must be 1 to 255 bytes long";
			return 0;
		}
		memcpy(host, hostport, hlen);
		host[hlen] = '\0';
		port_s = colon + 1;
		if (inet_pton(AF_INET, host, out + 1) == 1) {
			out[0] = SOCKS5_ATYP_IPV4;
			alen = 5;
		} else {
			for (size_t i = 0; i < hlen; i++) {
				if (host[i] <= ' ' || host[i] == 0x7f ||
				    host[i] == '[' || host[i] == ']' ||
				    host[i] == '/') {
					*why = "invalid host name";
					return 0;
				}
			}
			out[0] = SOCKS5_ATYP_DOMAIN;
			out[1] = (uint8_t)hlen;
			memcpy(out + 2, host, hlen);
			alen = 2 + hlen;
		}
	}
	if (!parse_port(port_s, &port)) {
		*why = "invalid port (1-65535)";
		return 0;
	}
	memcpy(out + alen, &port, 2);
	return alen + 2;
}

size_t socks5_addr_valid(const uint8_t *a, size_t len)
{
	size_t need;

	if (len < 1)
		return 0;
	switch (a[0]) {
	case SOCKS5_ATYP_IPV4:
		need = 1 + 4 + 2;
		break;
	case SOCKS5_ATYP_IPV6:
		need = 1 + 16 + 2;
		break;
	case SOCKS5_ATYP_DOMAIN:
		if (len < 2 || !a[1])
			return 0;
		need = 2 + (size_t)a[1] + 2;
		break;
	default:
		return 0;
	}
	return len >= need ? need : 0;
}

void socks5_addr_string(const uint8_t *a, size_t len, char *buf, size_t size)
{
	char host[256];
	size_t alen = socks5_addr_valid(a, len), n;
	unsigned int port;

	if (!alen || !size) {
		if (size)
			snprintf(buf, size, "?");
		return;
	}
	port = (unsigned int)a[alen - 2] << 8 | a[alen - 1];
	switch (a[0]) {
	case SOCKS5_ATYP_IPV4:
		inet_ntop(AF_INET, a + 1, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, port);
		break;
	case SOCKS5_ATYP_IPV6:
		inet_ntop(AF_INET6, a + 1, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, port);
		break;
	default:
		/* a name from the network: nothing unprintable goes to logs */
		n = a[1];
		for (size_t i = 0; i < n; i++)
			host[i] = a[2 + i] > ' ' && a[2 + i] < 0x7f ?
				  (char)a[2 + i] : '?';
		host[n] = '\0';
		snprintf(buf, size, "%s:%u", host, port);
		break;
	}
}
