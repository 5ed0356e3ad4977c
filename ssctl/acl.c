// SPDX-License-Identifier: GPL-2.0
/*
 * shadowsocks-libev's .acl files (see acl.h for what is taken).
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "acl.h"

struct acl_reader {
	const char *path;
	unsigned int line;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int acl_error(struct acl_reader *r, const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	if (r->line)
		n = snprintf(r->err, r->errlen, "%s:%u: ", r->path, r->line);
	else
		n = snprintf(r->err, r->errlen, "%s: ", r->path);
	if (n < r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err + n, r->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* capacities of the lists being read, beside them */
struct acl_caps {
	size_t nets, hosts, domains;
};

static int add_net(struct acl_reader *r, struct acl_list *l,
		   struct acl_caps *c, int family, const uint8_t *addr,
		   unsigned int prefix)
{
	struct acl_net *n;
	unsigned int i, bytes = family == AF_INET ? 4 : 16;

	if (grow((void **)&l->nets, &c->nets, l->nr_nets + 1, sizeof(*n)))
		return acl_error(r, "out of memory");
	n = &l->nets[l->nr_nets++];
	memset(n, 0, sizeof(*n));
	n->family = family;
	n->prefix = prefix;
	memcpy(n->addr, addr, bytes);
	/* host bits under the prefix cleared, as libev's ipset does */
	for (i = 0; i < bytes; i++) {
		if (prefix >= 8 * (i + 1))
			continue;
		n->addr[i] &= prefix <= 8 * i ? 0 : (uint8_t)(0xff << (8 - (prefix - 8 * i)));
	}
	return 0;
}

static int add_name(struct acl_reader *r, char ***names, size_t *nr,
		    size_t *cap, const char *name)
{
	char *s = strdup(name);

	if (!s || grow((void **)names, cap, *nr + 1, sizeof(**names))) {
		free(s);
		return acl_error(r, "out of memory");
	}
	(*names)[(*nr)++] = s;
	return 0;
}

/*
 * An address or network: "ADDR" or "ADDR/PREFIX". Returns 1 if @tok is
 * one (added), 0 if it is not an address at all, -1 for a malformed one.
 */
static int parse_net(struct acl_reader *r, struct acl_list *l,
		     struct acl_caps *c, const char *tok)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned long prefix;
	uint8_t addr[16];
	char *slash, *end;
	int family;

	/* a name has a letter (IPv6's hex digits go with a ':') */
	if (!strchr(tok, ':') && strspn(tok, "0123456789./") != strlen(tok))
		return 0;
	if (strlen(tok) >= sizeof(buf))
		return acl_error(r, "'%s' is not an IP address or network", tok);
	strcpy(buf, tok);
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		family = AF_INET6;
	else
		return acl_error(r, "'%s' is not an IP address or network", tok);
	prefix = family == AF_INET ? 32 : 128;
	if (slash) {
		errno = 0;
		prefix = strtoul(slash + 1, &end, 10);
		if (!isdigit((unsigned char)slash[1]) || *end || errno ||
		    prefix > (family == AF_INET ? 32UL : 128UL))
			return acl_error(r, "'%s': the prefix length is 0..%d", tok,
					 family == AF_INET ? 32 : 128);
	}
	return add_net(r, l, c, family, addr, (unsigned int)prefix) ? -1 : 1;
}

/* a name's characters: letters, digits, '-', '_', dots between labels */
static bool name_ok(const char *s)
{
	size_t len = strlen(s), label = 0;

	if (!len || len > ACL_NAME_MAX)
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (!label)
				return false;
			label = 0;
			continue;
		}
		if (!isascii((unsigned char)*s) ||
		    (!isalnum((unsigned char)*s) && *s != '-' && *s != '_'))
			return false;
		label++;
	}
	return label > 0;
}

/*
 * The name a pattern's middle spells: "\." is a dot; a bare '.' is taken
 * as one too (it matches a dot, among others). Returns false if it has
 * anything a name cannot.
 */
static bool unescape(const char *p, size_t len, char *out)
{
	size_t i, o = 0;

	if (len > ACL_NAME_MAX * 2)
		return false;
	for (i = 0; i < len; i++) {
		char ch = p[i];

		if (ch == '\\') {
			if (++i == len || p[i] != '.')
				return false;
			ch = '.';
		}
		out[o++] = (char)tolower((unsigned char)ch);
	}
	out[o] = '\0';
	return name_ok(out);
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static int parse_pattern(struct acl_reader *r, struct acl_list *l,
			 struct acl_caps *c, const char *tok)
{
	size_t len = strlen(tok);
	char name[ACL_NAME_MAX * 2 + 1];
	bool domain;

	if (starts(tok, "(^|\\.)") && len > 7 && tok[len - 1] == '$') {
		domain = true;
		if (!unescape(tok + 6, len - 7, name))
			goto bad;
	} else if (tok[0] == '^' && len > 2 && tok[len - 1] == '$') {
		domain = false;
		if (!unescape(tok + 1, len - 2, name))
			goto bad;
	} else if (starts(tok, "||") && len > 2) {
		domain = true;
		if (!unescape(tok + 2, len - 2, name))
			goto bad;
	} else if (unescape(tok, len, name)) {
		domain = true;
	} else {
		goto bad;
	}
	/* the server parses a target so written as an address, never a name */
	if (strspn(name, "0123456789.") == strlen(name))
		return acl_error(r, "'%s' names an IP address: write it as an address or network line (ADDR or ADDR/PREFIX)",
				 tok);
	if (domain)
		return add_name(r, &l->domains, &l->nr_domains, &c->domains, name);
	return add_name(r, &l->hosts, &l->nr_hosts, &c->hosts, name);

bad:
	return acl_error(r, "'%s' is neither an IP network nor a domain pattern this tool can match: "
			 "(^|\\.)example\\.com$, ^example\\.com$, ||example.com or example.com",
			 tok);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* sort, and free the duplicates */
static void sort_names(char **names, size_t *nr)
{
	size_t i, out = 0;

	if (!*nr)
		return;
	qsort(names, *nr, sizeof(*names), cmp_name);
	for (i = 1; i < *nr; i++) {
		if (!strcmp(names[out], names[i]))
			free(names[i]);
		else
			names[++out] = names[i];
	}
	*nr = out + 1;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int acl_load(const char *path, struct acl *acl, char *err, size_t errlen)
{
	struct acl_reader r = { .path = path, .err = err, .errlen = errlen };
	struct acl_caps caps[ACL_NR_SECTIONS] = { 0 };
	enum acl_section sec = ACL_BYPASS;	/* libev's, before any header */
	char *line = NULL, *tok, *hash;
	size_t cap = 0;
	FILE *f;
	int ret = 0, i;

	memset(acl, 0, sizeof(*acl));
	f = fopen(path, "re");
	if (!f)
		return acl_error(&r, "%s", strerror(errno));
	while (getline(&line, &cap, f) >= 0) {
		r.line++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		tok = trim(line);
		if (!*tok)
			continue;
		if (*tok == '[') {
			if (!strcmp(tok, "[outbound_block_list]")) {
				sec = ACL_OUTBOUND_BLOCK;
			} else if (!strcmp(tok, "[bypass_list]") ||
				   !strcmp(tok, "[black_list]")) {
				sec = ACL_BYPASS;
			} else if (!strcmp(tok, "[proxy_list]") ||
				   !strcmp(tok, "[white_list]")) {
				sec = ACL_PROXY;
			} else if (!strcmp(tok, "[bypass_all]") ||
				   !strcmp(tok, "[reject_all]")) {
				acl->bypass_all = true;
			} else if (!strcmp(tok, "[proxy_all]") ||
				   !strcmp(tok, "[accept_all]")) {
				acl->bypass_all = false;
			} else {
				ret = acl_error(&r, "unknown section %s", tok);
				break;
			}
			continue;
		}
		if (strpbrk(tok, " \t")) {
			ret = acl_error(&r, "one network or pattern a line: '%s'", tok);
			break;
		}
		ret = parse_net(&r, &acl->list[sec], &caps[sec], tok);
		if (ret < 0)
			break;
		if (ret == 0)
			ret = parse_pattern(&r, &acl->list[sec], &caps[sec], tok);
		if (ret < 0)
			break;
		ret = 0;
	}
	if (!ret && ferror(f)) {
		r.line = 0;
		ret = acl_error(&r, "read error");
	}
	free(line);
	fclose(f);
	if (ret) {
		acl_free(acl);
		return ret;
	}
	for (i = 0; i < ACL_NR_SECTIONS; i++) {
		sort_names(acl->list[i].hosts, &acl->list[i].nr_hosts);
		sort_names(acl->list[i].domains, &acl->list[i].nr_domains);
	}
	return 0;
}

static void list_free(struct acl_list *l)
{
	size_t i;

	for (i = 0; i < l->nr_hosts; i++)
		free(l->hosts[i]);
	for (i = 0; i < l->nr_domains; i++)
		free(l->domains[i]);
	free(l->hosts);
	free(l->domains);
	free(l->nets);
	memset(l, 0, sizeof(*l));
}

void acl_free(struct acl *acl)
{
	int i;

	for (i = 0; i < ACL_NR_SECTIONS; i++)
		list_free(&acl->list[i]);
}

size_t acl_list_rules(const struct acl_list *l)
{
	return l->nr_nets + l->nr_hosts + l->nr_domains;
}

static bool net_has(const struct acl_net *n, const uint8_t *a)
{
	unsigned int full = n->prefix / 8, rest = n->prefix % 8;

	if (memcmp(n->addr, a, full))
		return false;
	return !rest || !((n->addr[full] ^ a[full]) & (uint8_t)(0xff << (8 - rest)));
}

bool acl_match_addr(const struct acl_list *l, int family, const void *addr)
{
	static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };
	uint8_t a4[4], a6[16];
	bool is_mapped;
	size_t i;

	/* an IPv4 address and its IPv4-mapped IPv6 form are one host */
	if (family == AF_INET) {
		memcpy(a4, addr, 4);
		memcpy(a6, prefix, 12);
		memcpy(a6 + 12, addr, 4);
		is_mapped = true;
	} else {
		memcpy(a6, addr, 16);
		is_mapped = !memcmp(a6, prefix, 12);
		memcpy(a4, a6 + 12, 4);
	}
	for (i = 0; i < l->nr_nets; i++) {
		const struct acl_net *n = &l->nets[i];

		if (n->family == AF_INET6 ? net_has(n, a6) :
					    is_mapped && net_has(n, a4))
			return true;
	}
	return false;
}

static bool find(char **names, size_t nr, const char *name)
{
	return nr && bsearch(&name, names, nr, sizeof(*names), cmp_name);
}

bool acl_match_name(const struct acl_list *l, const char *name)
{
	char buf[ACL_NAME_MAX + 2];
	size_t len = strlen(name), i;
	const char *p;

	if (len && name[len - 1] == '.')
		len--;
	if (!len || len > ACL_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[len] = '\0';
	if (find(l->hosts, l->nr_hosts, buf))
		return true;
	for (p = buf;;) {
		if (find(l->domains, l->nr_domains, p))
			return true;
		p = strchr(p, '.');
		if (!p)
			return false;
		p++;
	}
}
