/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shadowsocks links (SIP002, "ss://..."), as other clients share servers:
 * parsed into their parts, for "ssctl client add NAME url LINK", and
 * written, for "ssctl client show NAME --url".
 */
#ifndef SSCTL_SIP002_H
#define SSCTL_SIP002_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The parts of a link, each decoded and NUL-terminated, in one allocation
 * that link_free() wipes (the password is the secret: a password for the
 * AEAD-2017 methods, the base64 PSK, or iPSK:uPSK, for 2022).
 */
struct ss_link {
	char *method;
	char *password;
	char *host;		/* an IPv6 address without its brackets */
	char *port;		/* as written: the caller checks its range */
	char *plugin;		/* "name;options" (SIP003), or NULL */
	char *tag;		/* the name after '#', or NULL */
	char *buf;		/* what the parts point into */
	size_t size;
};

/*
 * link_parse() - split @url into @link's parts.
 * Every form of SIP002 is taken: userinfo in base64url (padded or not, or
 * in the standard alphabet), or plain and percent-encoded as the 2022
 * methods must have it; an IPv6 host in brackets; an optional '/' before
 * the query, whose "plugin" is kept and any other parameter ignored; a
 * tag. So is the form before SIP002, "ss://BASE64(method:password@host:
 * port)#tag". Returns 0, or -1 with *@why set to a static message saying
 * what is wrong (it never quotes the secret). Call link_free() in both
 * cases.
 */
int link_parse(const char *url, struct ss_link *link, const char **why);
void link_free(struct ss_link *link);

/*
 * link_format() - the link of a server, as SIP002 writes it: userinfo
 * base64url without padding (method ":" password), or, when @plain (the
 * 2022 methods, whose password is the base64 PSK), method ":" password
 * with every byte but the unreserved ones percent-encoded. @host is an
 * address (an IPv6 one is put in brackets); @tag, if not NULL, follows
 * the '#', percent-encoded. Returns the link, to be freed with
 * link_string_free() (it holds the secret), or NULL when out of memory.
 */
char *link_format(const char *method, const char *password,
		  size_t password_len, const char *host, uint16_t port,
		  const char *tag, bool plain);
void link_string_free(char *s);

#endif
