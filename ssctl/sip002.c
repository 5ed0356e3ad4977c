// SPDX-License-Identifier: GPL-2.0
/*
 * Shadowsocks links (SIP002):
 *
 *   ss://userinfo@host:port[/][?plugin=...][#tag]
 *
 * userinfo is base64url(method ":" password), or, as the 2022 methods must
 * have it, method ":" password percent-encoded. The form before SIP002,
 * ss://BASE64(method:password@host:port)[#tag], is still handed around,
 * and is taken too. Nothing here knows the methods: the caller checks the
 * parts as it checks a command line.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include <openssl/crypto.h>

#include "sip002.h"

#define LINK_SCHEME "ss://"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode @len bytes of @s into @out (room for @len + 1). A '+'
 * stays a '+': it is a space only in HTML forms, and base64 keys hold it.
 * False for a broken escape, or one that decodes to NUL.
 */
static bool percent_decode(const char *s, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] != '%') {
			*out++ = s[i];
			continue;
		}
		if (i + 2 >= len)
			return false;
		hi = hex_value(s[i + 1]);
		lo = hex_value(s[i + 2]);
		if (hi < 0 || lo < 0 || (!hi && !lo))
			return false;
		*out++ = (char)(hi << 4 | lo);
		i += 2;
	}
	*out = '\0';
	return true;
}

static int base64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/*
 * Decode @len bytes of base64 at @s into @out (room for @len + 1), either
 * alphabet, with or without its padding. SIP002 asks for base64url without
 * padding, and clients write every variant. False if it is not base64 or
 * decodes to a NUL.
 */
static bool base64_decode(const char *s, size_t len, char *out)
{
	uint32_t acc = 0;
	int bits = 0;

	while (len && s[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return false;
	for (size_t i = 0; i < len; i++) {
		int v = base64_value(s[i]);

		if (v < 0)
			return false;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*out = (char)(acc >> bits & 0xff);
			if (!*out++)
				return false;
		}
	}
	*out = '\0';
	return true;
}

/* the parts are written one after the other into link->buf */
struct link_writer {
	struct ss_link *link;
	char *next;
};

/* a part: @len bytes of @s, percent-decoded when @decode */
static char *link_part(struct link_writer *w, const char *s, size_t len,
		       bool decode)
{
	char *part = w->next;

	if (decode) {
		if (!percent_decode(s, len, part))
			return NULL;
	} else {
		memcpy(part, s, len);
		part[len] = '\0';
	}
	w->next = part + strlen(part) + 1;
	return part;
}

/* "method:password" of @len bytes at @s */
static int link_userinfo(struct link_writer *w, const char *s, size_t len,
			 bool decode, const char **why)
{
	const char *colon = memchr(s, ':', len);
	struct ss_link *link = w->link;

	if (!colon) {
		*why = "the user info holds no 'method:password'";
		return -1;
	}
	link->method = link_part(w, s, (size_t)(colon - s), decode);
	link->password = link_part(w, colon + 1, len - (size_t)(colon - s) - 1,
				   decode);
	if (!link->method || !link->password) {
		*why = "the user info has a broken percent-encoding";
		return -1;
	}
	if (!link->method[0]) {
		*why = "the link names no method";
		return -1;
	}
	if (!link->password[0]) {
		*why = "the link holds no password or key";
		return -1;
	}
	return 0;
}

/*
 * User info without a ':' as written: base64, whose padding may be
 * percent-encoded ("%3D", as Outline writes it), or plain user info whose
 * ':' is ("%3A"). Decoded once, then taken as whichever it is.
 */
static int link_userinfo_encoded(struct link_writer *w, const char *s,
				 size_t len, const char **why)
{
	char *text = malloc(len + 1), *plain = w->next;
	int ret = -1;

	if (!text) {
		*why = "out of memory";
		return -1;
	}
	if (!percent_decode(s, len, text)) {
		*why = "the user info has a broken percent-encoding";
	} else if (strchr(text, ':')) {
		ret = link_userinfo(w, text, strlen(text), false, why);
	} else if (!base64_decode(text, strlen(text), plain)) {
		*why = "the user info is neither base64 nor 'method:password'";
	} else {
		w->next = plain + strlen(plain) + 1;
		ret = link_userinfo(w, plain, strlen(plain), false, why);
		OPENSSL_cleanse(plain, strlen(plain));
	}
	OPENSSL_cleanse(text, len + 1);
	free(text);
	return ret;
}

/*
 * What a host may be: an IPv6 address in brackets (without a zone), or
 * letters, digits, '.', '-' and '_': a name or an IPv4 address. Checked
 * before any lookup, so that nothing else (a piece of a password, say)
 * goes to a resolver or into a message.
 */
static bool link_host_ok(const char *host, bool bracketed, const char **why)
{
	struct in6_addr a6;

	if (bracketed) {
		if (strchr(host, '%')) {
			*why = "IPv6 zone IDs are not supported";
			return false;
		}
		if (inet_pton(AF_INET6, host, &a6) != 1) {
			*why = "the host in brackets is not an IPv6 address";
			return false;
		}
		return true;
	}
	if (strchr(host, ':')) {
		*why = "an IPv6 address must be in brackets";
		return false;
	}
	if (strspn(host, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_") !=
	    strlen(host)) {
		*why = "the host holds a character a host name cannot have";
		return false;
	}
	return true;
}

/* "host:port" or "[IPv6]:port" of @len bytes at @s */
static int link_host_port(struct link_writer *w, const char *s, size_t len,
			  bool decode, const char **why)
{
	struct ss_link *link = w->link;
	const char *host = s, *colon;
	size_t host_len;
	unsigned long port;
	char *end;

	if (len && s[0] == '[') {
		const char *close = memchr(s, ']', len);

		if (!close) {
			*why = "the IPv6 address has no closing ']'";
			return -1;
		}
		host = s + 1;
		host_len = (size_t)(close - host);
		colon = close + 1 < s + len && close[1] == ':' ? close + 1 :
			NULL;
		if (!colon) {
			*why = close + 1 < s + len ?
			       "unexpected text after the IPv6 address's ']'" :
			       "the link has no port";
			return -1;
		}
	} else {
		colon = NULL;
		for (size_t i = len; i--;) {
			if (s[i] == ':') {
				colon = s + i;
				break;
			}
		}
		if (!colon) {
			*why = "the link has no port";
			return -1;
		}
		host_len = (size_t)(colon - s);
	}
	if (!host_len) {
		*why = "the link has no host";
		return -1;
	}
	link->host = link_part(w, host, host_len, decode);
	link->port = link_part(w, colon + 1, len - (size_t)(colon + 1 - s),
			       false);
	if (!link->host) {
		*why = "the host has a broken percent-encoding";
		return -1;
	}
	if (!link_host_ok(link->host, host != s, why))
		return -1;
	port = strtoul(link->port, &end, 10);
	if (!link->port[0] || *end ||
	    strspn(link->port, "0123456789") != strlen(link->port) || !port ||
	    port > 65535) {
		*why = "invalid port (1-65535)";
		return -1;
	}
	return 0;
}

/* the query after '?': "plugin" is kept, other parameters ignored */
static int link_query(struct link_writer *w, const char *s, size_t len,
		      const char **why)
{
	const char *end = s + len;

	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *stop = amp ? amp : end;

		if ((size_t)(stop - s) >= 7 && !memcmp(s, "plugin=", 7)) {
			char *plugin = link_part(w, s + 7,
						 (size_t)(stop - s - 7), true);

			if (!plugin) {
				*why = "the plugin parameter has a broken percent-encoding";
				return -1;
			}
			w->link->plugin = plugin[0] ? plugin : NULL;
		}
		s = stop + (amp ? 1 : 0);
	}
	return 0;
}

/* ss://BASE64(method:password@host:port): @len bytes of base64 at @s */
static int link_parse_legacy(struct link_writer *w, const char *s, size_t len,
			     const char **why)
{
	char *plain = w->next, *at;
	int ret;

	/* a trailing '/' is written by some clients */
	if (len && s[len - 1] == '/')
		len--;
	if (!base64_decode(s, len, plain)) {
		*why = "no '@' before the host, and not the base64 of the older form (method:password@host:port)";
		return -1;
	}
	w->next = plain + strlen(plain) + 1;
	/* the password may hold an '@', the host and port never do */
	at = strrchr(plain, '@');
	if (!at) {
		*why = "the base64 of the older form holds no '@' (method:password@host:port)";
		ret = -1;
	} else {
		ret = link_userinfo(w, plain, (size_t)(at - plain), false,
				    why) ?:
		      link_host_port(w, at + 1, strlen(at + 1), false, why);
	}
	OPENSSL_cleanse(plain, strlen(plain));
	return ret;
}

int link_parse(const char *url, struct ss_link *link, const char **why)
{
	const char *body, *hash, *at, *end, *hostport, *rest;
	struct link_writer w = { .link = link };
	size_t len = strlen(url), info_len;
	int ret;

	memset(link, 0, sizeof(*link));
	if (len < strlen(LINK_SCHEME) ||
	    strncasecmp(url, LINK_SCHEME, strlen(LINK_SCHEME))) {
		*why = "not a Shadowsocks link (ss://...)";
		return -1;
	}
	/* every part decodes to at most its length, and gets a NUL; the
	 * older form's whole decoded text, and base64 user info, are
	 * written once more
	 */
	link->size = 3 * len + 16;
	link->buf = calloc(1, link->size);
	if (!link->buf) {
		*why = "out of memory";
		return -1;
	}
	w.next = link->buf;

	body = url + strlen(LINK_SCHEME);
	hash = strchr(body, '#');
	end = hash ? hash : url + len;
	if (hash && hash[1]) {
		/* only a name: one that does not decode is kept as written */
		link->tag = link_part(&w, hash + 1, strlen(hash + 1), true) ?:
			    link_part(&w, hash + 1, strlen(hash + 1), false);
	}

	at = memchr(body, '@', (size_t)(end - body));
	if (!at)
		return link_parse_legacy(&w, body, (size_t)(end - body), why);
	/*
	 * A password written as is may hold '@' (other clients split at the
	 * last one, as URL parsers do): the user info ends at the last '@'
	 * before the query, and the host never holds one.
	 */
	for (const char *p = at, *stop = memchr(at, '?', (size_t)(end - at)) ?: end;
	     p < stop; p++)
		if (*p == '@')
			at = p;

	/*
	 * Plain user info has its ':' (percent-encoded parts never hold
	 * one); base64url has none. The host and port end at the '/' or '?'.
	 */
	info_len = (size_t)(at - body);
	if (memchr(body, ':', info_len)) {
		ret = link_userinfo(&w, body, info_len, true, why);
	} else {
		ret = link_userinfo_encoded(&w, body, info_len, why);
	}
	if (ret)
		return ret;

	hostport = at + 1;
	rest = hostport + strcspn(hostport, "/?#");
	if (rest > end)
		rest = end;
	ret = link_host_port(&w, hostport, (size_t)(rest - hostport), true,
			     why);
	if (ret)
		return ret;
	if (rest < end && *rest == '/')
		rest++;
	if (rest < end && *rest == '?')
		return link_query(&w, rest + 1, (size_t)(end - rest - 1), why);
	if (rest < end) {
		*why = "unexpected text after the port (only '/', '?plugin=...' and '#tag' may follow)";
		return -1;
	}
	return 0;
}

void link_free(struct ss_link *link)
{
	if (link->buf) {
		OPENSSL_cleanse(link->buf, link->size);
		free(link->buf);
	}
	memset(link, 0, sizeof(*link));
}

/* RFC 3986's unreserved characters, the only ones a link writes as is */
static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

static char *percent_encode(char *out, const unsigned char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		if (unreserved(s[i])) {
			*out++ = (char)s[i];
		} else {
			*out++ = '%';
			*out++ = hex[s[i] >> 4];
			*out++ = hex[s[i] & 15];
		}
	}
	return out;
}

/* base64url without padding, as SIP002 asks */
static char *base64url_encode(char *out, const unsigned char *s, size_t len)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint32_t acc = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		acc = acc << 8 | s[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			*out++ = b64[acc >> bits & 63];
		}
	}
	if (bits)
		*out++ = b64[acc << (6 - bits) & 63];
	return out;
}

char *link_format(const char *method, const char *password,
		  size_t password_len, const char *host, uint16_t port,
		  const char *tag, bool plain)
{
	size_t mlen = strlen(method), tlen = tag ? strlen(tag) : 0;
	/* the worst case: every byte percent-encoded */
	size_t size = sizeof(LINK_SCHEME) + 3 * (mlen + 1 + password_len) +
		      strlen(host) + 2 + sizeof(":65535") + 1 + 3 * tlen + 1;
	bool v6 = strchr(host, ':');
	char *link = malloc(size), *p;
	int n;

	if (!link)
		return NULL;
	p = link + strlen(strcpy(link, LINK_SCHEME));
	if (plain) {
		p = percent_encode(p, (const unsigned char *)method, mlen);
		*p++ = ':';
		p = percent_encode(p, (const unsigned char *)password,
				   password_len);
	} else {
		unsigned char *info = malloc(mlen + 1 + password_len);

		if (!info) {
			free(link);
			return NULL;
		}
		memcpy(info, method, mlen);
		info[mlen] = ':';
		memcpy(info + mlen + 1, password, password_len);
		p = base64url_encode(p, info, mlen + 1 + password_len);
		OPENSSL_cleanse(info, mlen + 1 + password_len);
		free(info);
	}
	n = snprintf(p, size - (size_t)(p - link), v6 ? "@[%s]:%u" : "@%s:%u",
		     host, port);
	p += n;
	if (tag) {
		*p++ = '#';
		p = percent_encode(p, (const unsigned char *)tag, tlen);
	}
	*p = '\0';
	return link;
}

void link_string_free(char *s)
{
	if (!s)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}
