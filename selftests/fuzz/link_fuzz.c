// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: ssctl/sip002.c, the ss:// links (SIP002) that users paste
 * from anywhere into "ssctl client add NAME url LINK". Not a module
 * parser, but one that reads what strangers write.
 *
 * For one input, taken as a string (cut at its first NUL), checks that
 *   - link_parse() gives 0 with the method, password, host and port set
 *     and non-empty, the port 1 to 65535 in digits only, the host an IPv6
 *     address or made of letters, digits, '.', '-' and '_' only, every
 *     part within its buffer; or -1 with a reason;
 *   - the parts, written again as a plain SIP002 link with every byte
 *     outside RFC 3986's unreserved set percent-encoded, parse to the same
 *     parts: nothing is lost, added or changed between the two;
 *   - when the host is an address (hex digits, '.' and ':') and the
 *     method holds no ':' (no method's name does), the parts written by
 *     link_format(), as "client show --url" writes them, in the plain
 *     form and in base64url, parse to the same parts too;
 *   - link_free() leaves nothing (LeakSanitizer) and an empty link.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip002.h"

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s: ",	\
				__FILE__, __LINE__, #cond);		\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			abort();					\
		}							\
	} while (0)

/* @s percent-encoded but for RFC 3986's unreserved characters, at @out */
static char *encode(char *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c))
			*out++ = (char)c;
		else
			out += sprintf(out, "%%%02X", c);
	}
	return out;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void check_part(const struct ss_link *l, const char *p, bool required,
		       const char *what)
{
	if (!p) {
		CHECK(!required, "no %s", what);
		return;
	}
	CHECK(p >= l->buf && p + strlen(p) < l->buf + l->size,
	      "%s outside the buffer", what);
	CHECK(!required || p[0], "empty %s", what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ss_link a, b;
	const char *why = NULL;
	char *url, *again, *w;
	unsigned long port;

	url = malloc(size + 1);
	CHECK(url, "out of memory");
	memcpy(url, data, size);
	url[size] = '\0';

	if (link_parse(url, &a, &why)) {
		CHECK(why && why[0], "refused without a reason");
		link_free(&a);
		CHECK(!a.buf && !a.method, "link_free() left parts");
		free(url);
		return 0;
	}
	check_part(&a, a.method, true, "method");
	check_part(&a, a.password, true, "password");
	check_part(&a, a.host, true, "host");
	check_part(&a, a.port, true, "port");
	check_part(&a, a.plugin, false, "plugin");
	check_part(&a, a.tag, false, "tag");
	CHECK(strspn(a.port, "0123456789") == strlen(a.port), "port '%s'",
	      a.port);
	port = strtoul(a.port, NULL, 10);
	CHECK(port >= 1 && port <= 65535, "port %lu", port);
	CHECK(strchr(a.host, ':') ||
	      strspn(a.host, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_") ==
	      strlen(a.host), "host '%s'", a.host);

	/* each byte may become three; the punctuation is bounded */
	again = malloc(3 * (size + 1) + 64);
	CHECK(again, "out of memory");
	w = again + sprintf(again, "ss://");
	w = encode(w, a.method);
	*w++ = ':';
	w = encode(w, a.password);
	/* an IPv6 host (the only kind with a ':') in brackets */
	w += sprintf(w, strchr(a.host, ':') ? "@[" : "@");
	w = encode(w, a.host);
	w += sprintf(w, strchr(a.host, ':') ? "]:%s/" : ":%s/", a.port);
	if (a.plugin) {
		w += sprintf(w, "?plugin=");
		w = encode(w, a.plugin);
	}
	if (a.tag) {
		*w++ = '#';
		w = encode(w, a.tag);
	}
	*w = '\0';

	CHECK(!link_parse(again, &b, &why), "'%s' refused: %s", again, why);
	CHECK(same(a.method, b.method) && same(a.password, b.password) &&
	      same(a.host, b.host) && same(a.port, b.port) &&
	      same(a.plugin, b.plugin) && same(a.tag, b.tag),
	      "'%s' is not what '%s' gave", again, url);
	link_free(&b);

	/*
	 * What "client show --url" writes: of an address, and of a method,
	 * whose name never holds a ':' (base64url user info splits at the
	 * first one; ssctl writes links of the methods it knows only).
	 */
	if (strspn(a.host, "0123456789abcdefABCDEF.:") == strlen(a.host) &&
	    !strchr(a.method, ':')) {
		for (int plain = 0; plain < 2; plain++) {
			char *out = link_format(a.method, a.password,
						strlen(a.password), a.host,
						(uint16_t)port, a.tag,
						plain);

			CHECK(out, "out of memory");
			CHECK(!link_parse(out, &b, &why), "'%s' refused: %s",
			      out, why);
			CHECK(same(a.method, b.method) &&
			      same(a.password, b.password) &&
			      same(a.host, b.host) && !b.plugin &&
			      strtoul(b.port, NULL, 10) == port &&
			      same(a.tag, b.tag),
			      "'%s' is not what '%s' gave", out, url);
			link_free(&b);
			link_string_free(out);
		}
	}
	link_free(&a);
	free(again);
	free(url);
	return 0;
}
