// SPDX-License-Identifier: GPL-2.0
/*
 * ss-socksd's configuration: the front ends given on the command line
 * (--socks, --tunnel, --redir), the logins of --auth-file and the rules of
 * --acl (both reread on SIGHUP), and -c config.json, whose client profile
 * is created here if it does not exist yet.
 */
#define _GNU_SOURCE	/* reallocarray */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "json_file.h"
#include "socksd.h"

/* SOCKS5 address (ATYP 1 or 4) -> socket address */
static socklen_t addr_to_sockaddr(const uint8_t *a, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a[0] == SOCKS5_ATYP_IPV4) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a + 1, 4);
		memcpy(&sin->sin_port, a + 5, 2);
		return sizeof(*sin);
	}
	sin6->sin6_family = AF_INET6;
	memcpy(&sin6->sin6_addr, a + 1, 16);
	memcpy(&sin6->sin6_port, a + 17, 2);
	return sizeof(*sin6);
}

/* a front end's own address: numeric only */
static int parse_listen(struct frontend *fe, const char *opt, const char *arg)
{
	uint8_t a[SOCKS5_ADDR_MAX];
	const char *why;

	if (!socks5_addr_from_string(arg, a, &why))
		return usage_error(NULL, "%s '%s': %s", opt, arg, why);
	if (a[0] == SOCKS5_ATYP_DOMAIN)
		return usage_error(NULL, "%s '%s': the address must be numeric (IPv4, or [IPv6])",
				   opt, arg);
	fe->addr_len = addr_to_sockaddr(a, &fe->addr);
	return 0;
}

static struct frontend *fe_new(enum fe_kind kind)
{
	struct frontend *fe;

	fe = reallocarray(socksd.fe, socksd.n_fe + 1, sizeof(*fe));
	if (!fe) {
		pr_err("out of memory");
		exit(EXIT_RUNTIME);
	}
	socksd.fe = fe;
	fe = &socksd.fe[socksd.n_fe++];
	memset(fe, 0, sizeof(*fe));
	fe->type = SRC_LISTEN;
	fe->kind = kind;
	fe->fd = -1;
	return fe;
}

/* Does @s end with @suffix? Then cut it off. */
static bool cut_suffix(char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	if (n < m || strcmp(s + n - m, suffix))
		return false;
	s[n - m] = '\0';
	return true;
}

/*
 * --redir ADDR:PORT[,tproxy[,udp]]: ",udp" adds a UDP front end on the
 * same address, which only tproxy can feed (REDIRECT rewrites the
 * destination, and a UDP socket has no SO_ORIGINAL_DST).
 */
static int add_redir(struct frontend *fe, const char *opt, const char *arg)
{
	char listen[128];
	bool udp;
	int ret;

	if (strlen(arg) >= sizeof(listen))
		return usage_error(NULL, "%s '%s': too long", opt, arg);
	strcpy(listen, arg);
	udp = cut_suffix(listen, ",udp");
	fe->tproxy = cut_suffix(listen, ",tproxy");
	if (udp && !fe->tproxy)
		return usage_error(NULL, "%s '%s': ,udp needs ,tproxy (expected ADDR:PORT[,tproxy[,udp]]): REDIRECT cannot divert UDP",
				   opt, arg);
	if (strchr(listen, ','))
		return usage_error(NULL, "%s '%s': expected ADDR:PORT[,tproxy[,udp]]",
				   opt, arg);
	ret = parse_listen(fe, opt, listen);
	if (ret || !udp)
		return ret;
	fe = fe_new(FE_REDIR);	/* may move the array: fe is the new one */
	fe->tproxy = true;
	fe->udp = true;
	return parse_listen(fe, opt, listen);
}

int add_frontend(enum fe_kind kind, const char *opt, const char *arg)
{
	struct frontend *fe = fe_new(kind);
	char listen[128], target[300], *eq;
	const char *why;
	size_t tlen;
	int ret;

	if (kind == FE_REDIR)
		return add_redir(fe, opt, arg);
	if (kind != FE_TUNNEL)
		return parse_listen(fe, opt, arg);

	eq = strchr(arg, '=');
	if (!eq || (size_t)(eq - arg) >= sizeof(listen))
		return usage_error(NULL, "%s '%s': expected ADDR:PORT=HOST:PORT[,udp]",
				   opt, arg);
	memcpy(listen, arg, (size_t)(eq - arg));
	listen[eq - arg] = '\0';
	ret = parse_listen(fe, opt, listen);
	if (ret)
		return ret;
	/* a trailing ",udp": a domain name or a port has no comma */
	tlen = strlen(eq + 1);
	if (tlen >= 4 && !strcmp(eq + 1 + tlen - 4, ",udp")) {
		fe->udp = true;
		tlen -= 4;
	}
	if (tlen >= sizeof(target))
		return usage_error(NULL, "%s '%s': target too long", opt, arg);
	memcpy(target, eq + 1, tlen);
	target[tlen] = '\0';
	fe->target_len = socks5_addr_from_string(target, fe->target, &why);
	if (!fe->target_len)
		return usage_error(NULL, "%s '%s': target '%s': %s", opt, arg,
				   target, why);
	return 0;
}

/* ---- --auth-file ---- */

static bool auth_check(void *arg, const uint8_t *user, size_t user_len,
		       const uint8_t *pass, size_t pass_len)
{
	bool ok = false;

	(void)arg;
	for (size_t i = 0; i < socksd.n_users; i++) {
		const struct user *u = &socksd.users[i];

		if (u->name_len == user_len && !memcmp(u->name, user, user_len))
			ok = u->pass_len == pass_len &&
			     !CRYPTO_memcmp(u->pass, pass, pass_len);
	}
	return ok;
}

void free_users(struct user *users, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		OPENSSL_cleanse(users[i].pass, users[i].pass_len);
		free(users[i].name);
		free(users[i].pass);
	}
	free(users);
}

/*
 * Lines "user:password"; empty lines and lines starting with '#' skipped.
 * The logins in use are replaced only when the whole file is good, so
 * that a reload (SIGHUP) of a broken file keeps the old ones.
 */
int load_auth_file(const char *path)
{
	char *line = NULL, *colon;
	size_t cap = 0, lineno = 0, n = 0;
	struct user *users = NULL;
	ssize_t len;
	FILE *f;
	int ret = 0;

	f = fopen(path, "re");
	if (!f) {
		pr_err("cannot read auth file '%s': %s", path, strerror(errno));
		return EXIT_RUNTIME;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct user *u;

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		colon = strchr(line, ':');
		if (!colon || colon == line || colon - line > 255 ||
		    !colon[1] || strlen(colon + 1) > 255) {
			pr_err("%s:%zu: expected user:password (each 1 to 255 bytes)",
			       path, lineno);
			ret = EXIT_RUNTIME;
			break;
		}
		u = reallocarray(users, n + 1, sizeof(*u));
		if (!u) {
			pr_err("out of memory");
			ret = EXIT_RUNTIME;
			break;
		}
		users = u;
		u = &users[n];
		*colon = '\0';
		u->name = strdup(line);
		u->pass = strdup(colon + 1);
		if (!u->name || !u->pass) {
			free(u->name);
			free(u->pass);
			pr_err("out of memory");
			ret = EXIT_RUNTIME;
			break;
		}
		u->name_len = strlen(u->name);
		u->pass_len = strlen(u->pass);
		n++;
	}
	if (!ret && ferror(f)) {
		pr_err("cannot read auth file '%s': %s", path, strerror(errno));
		ret = EXIT_RUNTIME;
	}
	if (!ret && !n) {
		pr_err("auth file '%s' has no user:password line", path);
		ret = EXIT_RUNTIME;
	}
	if (line) {
		OPENSSL_cleanse(line, cap);
		free(line);
	}
	fclose(f);
	if (ret) {
		free_users(users, n);
		return ret;
	}
	free_users(socksd.users, socksd.n_users);
	socksd.users = users;
	socksd.n_users = n;
	socksd.auth.check = auth_check;
	return 0;
}

/* ---- --acl ---- */

/*
 * The rules in use are replaced only when the whole file is good, as the
 * logins are: a reload (SIGHUP) of a broken file keeps the old ones.
 */
int load_acl(const char *path)
{
	char err[512];
	struct acl acl;

	if (acl_load(path, &acl, err, sizeof(err))) {
		pr_err("%s", err);
		return EXIT_RUNTIME;
	}
	acl_free(&socksd.acl);
	socksd.acl = acl;
	return 0;
}

/* ---- -c config.json ---- */

/* a number, or a string of digits, as config.json files have both */
static const char *json_number(json_object *v, char *buf, size_t size)
{
	if (json_object_is_type(v, json_type_int)) {
		snprintf(buf, size, "%lld", (long long)json_object_get_int64(v));
		return buf;
	}
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static json_object *json_get(json_object *root, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(root, key, &v) ? v : NULL;
}

static int cfg_error(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int cfg_error(const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, SOCKSD_NAME ": %s: ", path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_RUNTIME;
}

/* "plugin" and "plugin_opts": kept for the daemon's life */
static int config_plugin(const char *path, json_object *root)
{
	json_object *plugin = json_get(root, "plugin");
	json_object *opts = json_get(root, "plugin_opts");

	if ((plugin && !json_object_is_type(plugin, json_type_string)) ||
	    (opts && !json_object_is_type(opts, json_type_string)))
		return cfg_error(path, "'%s' must be a string",
				 plugin && !json_object_is_type(plugin, json_type_string) ?
				 "plugin" : "plugin_opts");
	/* an empty plugin is none, as ss-local takes it */
	if (!plugin || !json_object_get_string_len(plugin) || socksd.plugin)
		return 0;
	socksd.plugin = strdup(json_object_get_string(plugin));
	if (opts && !socksd.plugin_opts)
		socksd.plugin_opts = strdup(json_object_get_string(opts));
	if (!socksd.plugin || (opts && !socksd.plugin_opts)) {
		pr_err("out of memory");
		return EXIT_RUNTIME;
	}
	return 0;
}

/* "acl", as libev's: the command line's --acl wins */
static int config_acl(const char *path, json_object *root)
{
	json_object *acl = json_get(root, "acl");

	if (acl && !json_object_is_type(acl, json_type_string))
		return cfg_error(path, "'acl' must be a string");
	/* an empty one is none, as an empty plugin is */
	if (!acl || !json_object_get_string_len(acl) || socksd.acl_file)
		return 0;
	socksd.acl_file = strdup(json_object_get_string(acl));
	if (!socksd.acl_file) {
		pr_err("out of memory");
		return EXIT_RUNTIME;
	}
	return 0;
}

/*
 * Parse @path into @cfg (the client profile @name) through config.c's
 * parser, as "client add" arguments, so that the key is derived and
 * every value checked exactly as ssctl does it. local_address and
 * local_port become a SOCKS5 front end.
 */
int read_config(const char *path, const char *name, struct ss_config *cfg)
{
	const struct verb verb = { "add", NULL, "", "" };
	const struct object object = { .name = path };
	const struct cmd cmd = { .object = &object, .verb = &verb };
	json_object *root, *v, *pw, *key;
	char sport[32], lport[32], tmo[32];
	const char *server, *port, *method, *local, *lp, *timeout = NULL;
	char *secret = NULL, *argv[12];
	struct in6_addr a6;
	struct in_addr a4;
	int argc = 0, ret = EXIT_RUNTIME;

	memset(cfg, 0, sizeof(*cfg));
	root = json_read_file(path, "config");
	if (!root)
		return EXIT_RUNTIME;
	if (!json_object_is_type(root, json_type_object)) {
		cfg_error(path, "not a JSON object");
		goto out;
	}
	/*
	 * Each string is used as a C string: one cut short by a \u0000 would
	 * be a different server, method or plugin than the file says.
	 */
	json_object_object_foreach(root, field_name, field) {
		if (json_object_is_type(field, json_type_string) &&
		    !json_string_whole(field)) {
			cfg_error(path, "'%s' holds a NUL character (\\u0000)",
				  field_name);
			goto out;
		}
	}

	v = json_get(root, "server");
	if (!v || !json_object_is_type(v, json_type_string)) {
		cfg_error(path, "'server' must be given, as one IP address");
		goto out;
	}
	server = json_object_get_string(v);
	if (inet_pton(AF_INET, server, &a4) != 1 &&
	    inet_pton(AF_INET6, server, &a6) != 1) {
		cfg_error(path, "server '%s' is not an IP address (ss-socksd does not resolve names at startup)",
			  server);
		goto out;
	}
	v = json_get(root, "server_port");
	port = v ? json_number(v, sport, sizeof(sport)) : NULL;
	if (!port) {
		cfg_error(path, "'server_port' must be given, as a number");
		goto out;
	}
	v = json_get(root, "method");
	if (!v || !json_object_is_type(v, json_type_string)) {
		cfg_error(path, "'method' must be given, as a string");
		goto out;
	}
	method = json_object_get_string(v);
	pw = json_get(root, "password");
	key = json_get(root, "key");
	if (!pw == !key) {
		cfg_error(path, "give one of 'password' and 'key'");
		goto out;
	}
	v = pw ?: key;
	if (!json_object_is_type(v, json_type_string)) {
		cfg_error(path, "'%s' must be a string", pw ? "password" : "key");
		goto out;
	}
	/* config_parse() wipes the secret it is given: give it a copy */
	secret = strdup(json_object_get_string(v));
	if (!secret) {
		pr_err("out of memory");
		goto out;
	}
	v = json_get(root, "timeout");
	if (v) {
		timeout = json_number(v, tmo, sizeof(tmo));
		if (!timeout) {
			cfg_error(path, "'timeout' must be a number");
			goto out;
		}
	}

	argv[argc++] = (char *)"add";
	argv[argc++] = (char *)name;
	argv[argc++] = (char *)"server";
	argv[argc++] = (char *)server;
	argv[argc++] = (char *)"port";
	argv[argc++] = (char *)port;
	argv[argc++] = (char *)"method";
	argv[argc++] = (char *)method;
	/*
	 * A 2022 method's "password" is its base64 PSK, as in
	 * shadowsocks-rust's configuration files.
	 */
	argv[argc++] = (char *)(pw && !method_psk_only(method) ? "password" :
								  "key");
	argv[argc++] = secret;
	if (timeout) {
		argv[argc++] = (char *)"timeout";
		argv[argc++] = (char *)timeout;
	}
	if (config_parse(cfg, SS_CLIENT, &cmd, argc, argv))
		goto out;

	/* the front end */
	v = json_get(root, "local_port");
	if (v) {
		struct frontend *fe;
		uint16_t p;
		unsigned long n;

		lp = json_number(v, lport, sizeof(lport));
		if (!lp || !parse_uint(lp, 1, 65535, &n)) {
			cfg_error(path, "invalid local_port (1-65535)");
			goto out;
		}
		p = htons((uint16_t)n);
		v = json_get(root, "local_address");
		if (v && !json_object_is_type(v, json_type_string)) {
			cfg_error(path, "'local_address' must be a string");
			goto out;
		}
		local = v ? json_object_get_string(v) : "127.0.0.1";
		fe = fe_new(FE_SOCKS);
		if (inet_pton(AF_INET, local, &a4) == 1) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&fe->addr;

			sin->sin_family = AF_INET;
			sin->sin_addr = a4;
			sin->sin_port = p;
			fe->addr_len = sizeof(*sin);
		} else if (inet_pton(AF_INET6, local, &a6) == 1) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&fe->addr;

			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = a6;
			sin6->sin6_port = p;
			fe->addr_len = sizeof(*sin6);
		} else {
			cfg_error(path, "local_address '%s' is not an IP address",
				  local);
			goto out;
		}
	}
	/* SIP003, as ss-local's: the command line's --plugin wins */
	if (config_plugin(path, root) || config_acl(path, root))
		goto out;
	ret = 0;
out:
	if (secret) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
	/* json-c's copy of the secret (and of everything else) */
	json_wipe_strings(root);
	json_object_put(root);
	return ret;
}

static void remote_string(bool has_ipv4, const struct in_addr *a4,
			  const struct in6_addr *a6, uint16_t port,
			  uint32_t method, char *buf, size_t size)
{
	const struct method *m = method_by_id(method);
	char host[INET6_ADDRSTRLEN];

	if (has_ipv4) {
		inet_ntop(AF_INET, a4, host, sizeof(host));
		snprintf(buf, size, "%s:%u %s", host, port, m ? m->name : "?");
	} else {
		inet_ntop(AF_INET6, a6, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u %s", host, port, m ? m->name : "?");
	}
}

/*
 * The profile @cfg names must exist with @cfg's server and method: create
 * it if it does not exist. One that differs is never replaced, because
 * deleting it would end its relays: the user decides.
 */
int ensure_profile(const struct ss_config *cfg, const char *path)
{
	struct ss_object_list list;
	const struct ss_object *o;
	char have[128], want[128];
	struct ipc_error e;
	bool same;

	for (int try = 0; try < 2; try++) {
		if (!ipc_get(SS_CLIENT, cfg->name, &list, &e))
			break;
		if (e.no_family || e.nl_err || e.err != ENOENT || try) {
			ipc_report(&e, SS_CLIENT, "find", cfg->name, NULL);
			return EXIT_RUNTIME;
		}
		if (!ipc_add(cfg, &e)) {
			pr_verbose("client profile '%s' added from %s",
				   cfg->name, path);
			return 0;
		}
		/* another one added it at the same moment: check that one */
		if (e.err != EEXIST) {
			ipc_report(&e, SS_CLIENT, "add", cfg->name,
				   cfg->method->name);
			return EXIT_RUNTIME;
		}
	}
	if (!list.len) {
		ipc_list_free(&list);
		pr_err("cannot find client '%s'", cfg->name);
		return EXIT_RUNTIME;
	}
	o = &list.items[0];
	same = o->port == cfg->port && o->method == cfg->method->id &&
	       o->has_ipv4 == cfg->has_ipv4 && o->has_ipv6 == cfg->has_ipv6 &&
	       (!o->has_ipv4 || !memcmp(&o->ipv4, &cfg->ipv4, sizeof(o->ipv4))) &&
	       (!o->has_ipv6 || !memcmp(&o->ipv6, &cfg->ipv6, sizeof(o->ipv6)));
	if (!same) {
		remote_string(o->has_ipv4, &o->ipv4, &o->ipv6, o->port,
			      o->method, have, sizeof(have));
		remote_string(cfg->has_ipv4, &cfg->ipv4, &cfg->ipv6, cfg->port,
			      cfg->method->id, want, sizeof(want));
		pr_err("client profile '%s' differs from %s (it has %s, the config %s): delete it with 'ssctl client del %s' (which ends its relays) or choose another --client NAME",
		       cfg->name, path, have, want, cfg->name);
	} else {
		pr_verbose("client profile '%s' matches %s", cfg->name, path);
	}
	ipc_list_free(&list);
	return same ? 0 : EXIT_RUNTIME;
}

/* without -c: the profile must already exist */
int check_profile(const char *name)
{
	struct ss_object_list list;
	struct ipc_error e;

	if (!ipc_get(SS_CLIENT, name, &list, &e)) {
		ipc_list_free(&list);
		return 0;
	}
	if (!e.no_family && !e.nl_err && e.err == ENOENT)
		pr_err("no client profile named '%s' (add it with 'ssctl client add %s ...', or give -c CONFIG)",
		       name, name);
	else
		ipc_report(&e, SS_CLIENT, "find", name, NULL);
	return EXIT_RUNTIME;
}
