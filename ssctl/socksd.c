// SPDX-License-Identifier: GPL-2.0
/*
 * ss-socksd: the SOCKS5, tunnel and redir front ends of the local role.
 *
 * It accepts the applications' connections, reads the SOCKS5 handshake
 * (socks5.c), and hands each socket with its target to the kernel
 * (SS_CMD_RELAY_NEW): from then on only the kernel touches its bytes, and
 * ss-socksd closes its descriptor. Restarting ss-socksd leaves the relays
 * handed over running.
 *
 * UDP: a SOCKS5 UDP ASSOCIATE gets a UDP socket bound to the address the
 * client reached us at (port 0), handed to the kernel with the control
 * connection (SS_CMD_UDP_RELAY_NEW); the kernel writes the success reply
 * on the control connection once it reads the UDP socket, and ends the
 * association when the client closes the control connection. A UDP tunnel
 * (--tunnel ...,udp) binds its UDP socket at start and hands it over with
 * one end of a socket pair whose other end this process keeps: the kernel
 * ends that relay when ss-socksd exits, so that a new ss-socksd can bind
 * the port again; and if the kernel ends it (the profile deleted), we see
 * our end close and exit with a failure, for a supervisor to restart us.
 *
 * One process, one epoll loop, no threads. Sockets are non-blocking; the
 * netlink request is not, but the kernel answers it without waiting on
 * the network (the relay connects to the server after the request has
 * returned), so it does not stall the loop.
 */
#define _GNU_SOURCE	/* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <json-c/json.h>
#include <netlink/errno.h>
#include <openssl/crypto.h>

#include "config.h"
#include "ipc.h"
#include "socks5.h"

#ifndef SSCTL_VERSION
#define SSCTL_VERSION "unknown"
#endif

#define SOCKSD_NAME "ss-socksd"

/*
 * What a connection may have read: the handshake, and whatever followed
 * the request in the same reads. It all goes to SS_A_DATA, so it must fit.
 */
#define CONN_BUF 4096
_Static_assert(CONN_BUF <= SS_RELAY_DATA_MAX, "SS_A_DATA must hold the buffer");
_Static_assert(CONN_BUF >= 2 * SOCKS5_MSG_MAX, "a message must always fit");

#define ACCEPT_BATCH 64		/* accepts per listener per wakeup */
#define ACCEPT_PAUSE_MS 1000	/* after EMFILE and the like */
#define DRAIN_MAX 65536		/* bytes read and dropped before a close */

enum fe_kind { FE_SOCKS, FE_TUNNEL, FE_REDIR };

static const char *const fe_names[] = {
	[FE_SOCKS] = "socks", [FE_TUNNEL] = "tunnel", [FE_REDIR] = "redir",
};

/* what an epoll event points at: the first member of each */
enum src_type { SRC_SIGNAL, SRC_LISTEN, SRC_CONN };

struct frontend {
	enum src_type type;		/* SRC_LISTEN */
	enum fe_kind kind;
	int fd;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	uint8_t target[SOCKS5_ADDR_MAX];	/* tunnel */
	size_t target_len;
	bool udp;			/* a UDP tunnel: @fd is our end of
					 * the socket pair, watched for its
					 * end, never paused */
	char name[128];			/* "socks 127.0.0.1:1080", for logs */
};

/* a SOCKS5 connection in its handshake */
struct conn {
	enum src_type type;		/* SRC_CONN */
	struct conn *prev, *next;	/* accept order, so deadline order */
	int fd;
	uint64_t deadline;		/* CLOCK_MONOTONIC, ms */
	const struct frontend *fe;
	struct socks5 s5;
	char peer[64];
	size_t len;
	uint8_t buf[CONN_BUF];
};

struct user {
	char *name, *pass;
	size_t name_len, pass_len;
};

static struct {
	bool verbose;
	const char *profile;
	unsigned int handshake_timeout;	/* seconds */
	unsigned int max_pending;
	struct frontend *fe;
	size_t n_fe;
	const char *auth_file;		/* reread on SIGHUP */
	struct user *users;
	size_t n_users;
	struct socks5_auth auth;
	int epfd;
	/* pending handshakes, oldest first */
	struct conn *head, *tail;
	unsigned int n_pending;
	bool full;			/* at max_pending: refusing */
	unsigned long refused;
	uint64_t accept_paused_until;	/* 0: accepting */
} d = {
	.handshake_timeout = 10,
	.max_pending = 256,
	.epfd = -1,
};

static const enum src_type signal_src = SRC_SIGNAL;

void pr_err(const char *fmt, ...)
{
	va_list ap;

	fputs(SOCKSD_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define pr_verbose(...) do { if (d.verbose) pr_err(__VA_ARGS__); } while (0)

static const char usage_line[] =
	"Usage: " SOCKSD_NAME " [-c CONFIG] [--client NAME] [--socks ADDR:PORT]...\n"
	"         [--tunnel ADDR:PORT=HOST:PORT[,udp]]... [--redir ADDR:PORT]...\n"
	"         [--auth-file FILE] [--handshake-timeout SECONDS] [--max-pending N]\n"
	"         [-v] [-h] [-V]\n";

/*
 * Two users: the command line (@cmd NULL: the message, then the usage
 * lines) and config.c, which parses the -c file for us; then @cmd's
 * object name is the file's path and no usage line follows.
 */
int usage_error(const struct cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs(SOCKSD_NAME ": ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd->object->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (!cmd)
		fputs(usage_line, stderr);
	return EXIT_USAGE;
}

static void help(void)
{
	fputs(usage_line, stdout);
	fputs("\n"
	      "Accept SOCKS5 (and tunnel, redir) connections and hand them to the\n"
	      "shadowsocks kernel module, which relays them through a client profile.\n"
	      "\n"
	      "  -c, --config FILE          shadowsocks config.json: create (or check) the\n"
	      "                             client profile, and a SOCKS5 front end on\n"
	      "                             local_address:local_port\n"
	      "      --client NAME          the client profile (default with -c: \"default\")\n"
	      "      --socks ADDR:PORT      a SOCKS5 front end\n"
	      "      --tunnel ADDR:PORT=HOST:PORT[,udp]\n"
	      "                             every connection goes to HOST:PORT; with\n"
	      "                             ,udp every UDP datagram to ADDR:PORT instead\n"
	      "      --redir ADDR:PORT      connections redirected by netfilter go to their\n"
	      "                             original destination\n"
	      "      --auth-file FILE       require SOCKS5 username/password (user:password\n"
	      "                             lines; reread on SIGHUP)\n"
	      "      --handshake-timeout S  seconds a SOCKS5 handshake may take (default 10)\n"
	      "      --max-pending N        handshakes at once; more are closed (default 256)\n"
	      "  -v, --verbose              log every connection handed over\n"
	      "  -h, --help                 show this text\n"
	      "  -V, --version              show the version\n"
	      "\n"
	      "ADDR is an IPv4 address or an IPv6 address in brackets; HOST may also be a\n"
	      "domain name, which the server resolves.\n", stdout);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sockaddr_string(const struct sockaddr *sa, char *buf, size_t size)
{
	uint8_t a[SOCKS5_ADDR_MAX];
	size_t len = socks5_addr_from_sockaddr(sa, a);

	socks5_addr_string(a, len, buf, size);
}

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

	fe = reallocarray(d.fe, d.n_fe + 1, sizeof(*fe));
	if (!fe) {
		pr_err("out of memory");
		exit(EXIT_RUNTIME);
	}
	d.fe = fe;
	fe = &d.fe[d.n_fe++];
	memset(fe, 0, sizeof(*fe));
	fe->type = SRC_LISTEN;
	fe->kind = kind;
	fe->fd = -1;
	return fe;
}

static int add_frontend(enum fe_kind kind, const char *opt, const char *arg)
{
	struct frontend *fe = fe_new(kind);
	char listen[128], target[300], *eq;
	const char *why;
	size_t tlen;
	int ret;

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
	for (size_t i = 0; i < d.n_users; i++) {
		const struct user *u = &d.users[i];

		if (u->name_len == user_len && !memcmp(u->name, user, user_len))
			ok = u->pass_len == pass_len &&
			     !CRYPTO_memcmp(u->pass, pass, pass_len);
	}
	return ok;
}

static void free_users(struct user *users, size_t n)
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
static int load_auth_file(const char *path)
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
	free_users(d.users, d.n_users);
	d.users = users;
	d.n_users = n;
	d.auth.check = auth_check;
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

#define CONFIG_MAX (1 << 20)

/* the file holds the password: read it whole, and wipe our copy after */
static json_object *json_from_file(const char *path)
{
	enum json_tokener_error jerr;
	json_object *root = NULL;
	size_t len = 0;
	char *buf;
	size_t n;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		pr_err("cannot read config '%s': %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(CONFIG_MAX + 1);
	if (!buf) {
		pr_err("out of memory");
		fclose(f);
		return NULL;
	}
	setvbuf(f, NULL, _IONBF, 0);
	while (len <= CONFIG_MAX &&
	       (n = fread(buf + len, 1, CONFIG_MAX + 1 - len, f)) > 0)
		len += n;
	if (ferror(f))
		pr_err("cannot read config '%s': %s", path, strerror(errno));
	else if (len > CONFIG_MAX)
		pr_err("config '%s' is larger than %d bytes", path, CONFIG_MAX);
	else {
		buf[len] = '\0';
		root = json_tokener_parse_verbose(buf, &jerr);
		if (!root)
			pr_err("config '%s' is not valid JSON: %s", path,
			       json_tokener_error_desc(jerr));
	}
	OPENSSL_cleanse(buf, len);
	free(buf);
	fclose(f);
	return root;
}

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

/*
 * Parse @path into @cfg (the client profile @name) through config.c's
 * parser, as "client add" arguments, so that the key is derived and
 * every value checked exactly as ssctl does it. local_address and
 * local_port become a SOCKS5 front end.
 */
static int read_config(const char *path, const char *name,
		       struct ss_config *cfg)
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
	root = json_from_file(path);
	if (!root)
		return EXIT_RUNTIME;
	if (!json_object_is_type(root, json_type_object)) {
		cfg_error(path, "not a JSON object");
		goto out;
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
	/* and wipe json-c's own copy before it is freed */
	OPENSSL_cleanse((char *)json_object_get_string(v),
			(size_t)json_object_get_string_len(v));
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
	argv[argc++] = (char *)(pw ? "password" : "key");
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
	ret = 0;
out:
	if (secret) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
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
static int ensure_profile(const struct ss_config *cfg, const char *path)
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
static int check_profile(const char *name)
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

/* ---- sockets ---- */

static void describe_error(const struct ipc_error *e, char *buf, size_t size);

/*
 * A UDP tunnel: bind, and hand the socket over at once with one end of a
 * socket pair; we keep the other (in fe->fd) until we exit.
 */
static int open_udp_tunnel(struct frontend *fe, const char *addr)
{
	char to[300], why[400];
	struct ipc_error e;
	int one = 1, pair[2], fd;

	fd = socket(fe->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	if (fe->addr.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&fe->addr, fe->addr_len) < 0)
		goto err_close;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		goto err_close;
	socks5_addr_string(fe->target, fe->target_len, to, sizeof(to));
	if (ipc_udp_relay_new(d.profile, fd, pair[1], fe->target,
			      fe->target_len, NULL, 0, NULL, 0, &e) < 0) {
		describe_error(&e, why, sizeof(why));
		pr_err("%s -> %s: handoff failed: %s", fe->name, to, why);
		close(pair[0]);
		close(pair[1]);
		close(fd);
		return EXIT_RUNTIME;
	}
	close(pair[1]);
	close(fd);
	fe->fd = pair[0];
	pr_verbose("%s -> %s: handed over", fe->name, to);
	return 0;
err_close:
	close(fd);
err:
	pr_err("cannot bind %s (udp tunnel): %s", addr, strerror(errno));
	return EXIT_RUNTIME;
}

static int open_listener(struct frontend *fe)
{
	char addr[80];
	int one = 1;

	sockaddr_string((struct sockaddr *)&fe->addr, addr, sizeof(addr));
	snprintf(fe->name, sizeof(fe->name), "%s %s%s", fe_names[fe->kind],
		 addr, fe->udp ? " udp" : "");
	if (fe->udp)
		return open_udp_tunnel(fe, addr);
	fe->fd = socket(fe->addr.ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fe->fd < 0)
		goto err;
	setsockopt(fe->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::]:PORT and 0.0.0.0:PORT are separate front ends */
	if (fe->addr.ss_family == AF_INET6)
		setsockopt(fe->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fe->fd, (struct sockaddr *)&fe->addr, fe->addr_len) < 0 ||
	    listen(fe->fd, SOMAXCONN) < 0)
		goto err;
	return 0;
err:
	pr_err("cannot listen on %s (%s): %s", addr, fe_names[fe->kind],
	       strerror(errno));
	return EXIT_RUNTIME;
}

static void epoll_add(int fd, void *ptr)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = ptr };

	if (epoll_ctl(d.epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		pr_err("epoll_ctl: %s", strerror(errno));
		exit(EXIT_RUNTIME);
	}
}

static bool send_all(int fd, const uint8_t *buf, size_t len)
{
	/*
	 * A reply of a few bytes into a fresh socket's empty send buffer is
	 * not cut short; if it is anyway, the connection is given up.
	 */
	return send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)len;
}

/*
 * Close after a refusal: unread input would make the close a reset, which
 * may discard the reply still queued. Read (and ignore) what is there, end
 * our side, then close.
 */
static void close_after_reply(int fd)
{
	uint8_t scratch[4096];
	size_t total = 0;
	ssize_t n;

	shutdown(fd, SHUT_WR);
	while (total < DRAIN_MAX &&
	       (n = recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT)) > 0)
		total += (size_t)n;
	close(fd);
}

static void describe_error(const struct ipc_error *e, char *buf, size_t size)
{
	if (e->no_family)
		snprintf(buf, size, "the shadowsocks kernel module is not loaded");
	else if (e->nl_err)
		snprintf(buf, size, "%s", nl_geterror(e->nl_err));
	else if (e->msg[0])
		snprintf(buf, size, "%s (%s)", e->msg, strerror(e->err));
	else if (e->err == ENOENT)
		snprintf(buf, size, "no client profile named '%s'", d.profile);
	else
		snprintf(buf, size, "%s", strerror(e->err));
}

/* SS_CMD_RELAY_NEW; logs; the caller closes @fd either way */
static int handoff(const struct frontend *fe, int fd, const char *peer,
		   const uint8_t *target, size_t tlen, const uint8_t *data,
		   size_t dlen, const uint8_t *reply, size_t rlen)
{
	char to[300], why[400];
	struct ipc_error e;

	socks5_addr_string(target, tlen, to, sizeof(to));
	if (ipc_relay_new(d.profile, fd, target, tlen, data, dlen, reply, rlen,
			  &e) < 0) {
		describe_error(&e, why, sizeof(why));
		pr_err("%s: %s -> %s: handoff failed: %s", fe->name, peer, to,
		       why);
		return -1;
	}
	if (dlen)
		pr_verbose("%s: %s -> %s (%zu bytes already read)", fe->name,
			   peer, to, dlen);
	else
		pr_verbose("%s: %s -> %s", fe->name, peer, to);
	return 0;
}

static void conn_free(struct conn *c)
{
	if (c == d.head)
		d.head = c->next;
	else
		c->prev->next = c->next;
	if (c == d.tail)
		d.tail = c->prev;
	else
		c->next->prev = c->prev;
	d.n_pending--;
	if (d.full && d.n_pending < d.max_pending) {
		pr_err("pending handshakes below --max-pending again (%lu connections refused)",
		       d.refused);
		d.full = false;
		d.refused = 0;
	}
	OPENSSL_cleanse(c->buf, sizeof(c->buf));
	free(c);
}

/* the fd is closed by the caller (close, or close_after_reply) */
static void conn_end(struct conn *c)
{
	epoll_ctl(d.epfd, EPOLL_CTL_DEL, c->fd, NULL);
	conn_free(c);
}

static void conn_connect(struct conn *c, size_t used)
{
	uint8_t reply[SOCKS5_REPLY_MAX];
	struct sockaddr_storage local;
	socklen_t local_len = sizeof(local);
	size_t rlen;
	int fd = c->fd;

	/* BND: the address the client reached us at */
	if (getsockname(fd, (struct sockaddr *)&local, &local_len) < 0)
		local.ss_family = AF_UNSPEC;
	rlen = socks5_reply(SOCKS5_REP_SUCCEEDED, (struct sockaddr *)&local,
			    reply);
	epoll_ctl(d.epfd, EPOLL_CTL_DEL, fd, NULL);
	if (handoff(c->fe, fd, c->peer, c->s5.target, c->s5.target_len,
		    c->buf + used, c->len - used, reply, rlen) < 0) {
		/* the request failed: the kernel wrote nothing */
		rlen = socks5_reply(SOCKS5_REP_GENERAL_FAILURE, NULL, reply);
		send_all(fd, reply, rlen);
		conn_free(c);
		close_after_reply(fd);
		return;
	}
	conn_free(c);
	close(fd);
}

/*
 * UDP ASSOCIATE (RFC 1928 section 7): a UDP socket bound to the address
 * the client reached us at, port 0, handed over with the control
 * connection. The kernel writes the reply (BND: that UDP socket) once it
 * reads the socket, so that no datagram the client sends after the reply
 * can meet a socket nobody reads; on failure nothing was written and we
 * answer 05 01. Bytes the client sent after its request are ignored.
 */
static void conn_udp_associate(struct conn *c)
{
	uint8_t reply[SOCKS5_REPLY_MAX], source[SOCKS5_IPADDR_MAX];
	struct sockaddr_storage local;
	socklen_t local_len = sizeof(local);
	char bnd[80], why[400];
	size_t rlen, slen = 0;
	struct ipc_error e;
	int fd = c->fd, ufd = -1;
	const char *fail = NULL;

	epoll_ctl(d.epfd, EPOLL_CTL_DEL, fd, NULL);
	if (getsockname(fd, (struct sockaddr *)&local, &local_len) < 0 ||
	    (local.ss_family != AF_INET && local.ss_family != AF_INET6)) {
		fail = "getsockname";
		goto fail;
	}
	if (local.ss_family == AF_INET)
		((struct sockaddr_in *)&local)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&local)->sin6_port = 0;
	ufd = socket(local.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ufd < 0 || bind(ufd, (struct sockaddr *)&local, local_len) < 0) {
		fail = "cannot bind a UDP socket";
		goto fail;
	}
	local_len = sizeof(local);
	if (getsockname(ufd, (struct sockaddr *)&local, &local_len) < 0) {
		fail = "getsockname";
		goto fail;
	}
	rlen = socks5_reply(SOCKS5_REP_SUCCEEDED, (struct sockaddr *)&local,
			    reply);
	/* DST.ADDR and DST.PORT, if the client gave them: its source */
	if (c->s5.target[0] != SOCKS5_ATYP_DOMAIN) {
		size_t i;

		for (i = 1; i < c->s5.target_len; i++)
			if (c->s5.target[i])
				break;
		if (i < c->s5.target_len) {
			slen = c->s5.target_len;
			memcpy(source, c->s5.target, slen);
		}
	}
	sockaddr_string((struct sockaddr *)&local, bnd, sizeof(bnd));
	if (ipc_udp_relay_new(d.profile, ufd, fd, NULL, 0, source, slen,
			      reply, rlen, &e) < 0) {
		describe_error(&e, why, sizeof(why));
		pr_err("%s: %s: UDP ASSOCIATE: handoff failed: %s", c->fe->name,
		       c->peer, why);
		goto refuse;
	}
	pr_verbose("%s: %s: UDP ASSOCIATE on %s", c->fe->name, c->peer, bnd);
	close(ufd);
	conn_free(c);
	close(fd);
	return;
fail:
	pr_err("%s: %s: UDP ASSOCIATE: %s: %s", c->fe->name, c->peer, fail,
	       strerror(errno));
refuse:
	if (ufd >= 0)
		close(ufd);
	rlen = socks5_reply(SOCKS5_REP_GENERAL_FAILURE, NULL, reply);
	send_all(fd, reply, rlen);
	conn_free(c);
	close_after_reply(fd);
}

static void conn_readable(struct conn *c)
{
	uint8_t out[SOCKS5_REPLY_MAX];
	size_t used, out_len;
	ssize_t n;
	int fd = c->fd;

	n = recv(fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		pr_verbose("%s: %s: %s during the handshake", c->fe->name,
			   c->peer, n ? strerror(errno) : "closed");
		conn_end(c);
		close(fd);
		return;
	}
	c->len += (size_t)n;

	for (;;) {
		switch (socks5_step(&c->s5, &d.auth, c->buf, c->len, &used,
				    out, &out_len)) {
		case SOCKS5_NEED_MORE:
			/* cannot happen: CONN_BUF holds any message */
			if (c->len == sizeof(c->buf)) {
				conn_end(c);
				close(fd);
			}
			return;
		case SOCKS5_SEND:
			if (!send_all(fd, out, out_len)) {
				pr_verbose("%s: %s: cannot reply: %s",
					   c->fe->name, c->peer,
					   strerror(errno));
				conn_end(c);
				close(fd);
				return;
			}
			c->len -= used;
			memmove(c->buf, c->buf + used, c->len);
			continue;
		case SOCKS5_SEND_CLOSE:
			pr_verbose("%s: %s: refused: %s", c->fe->name, c->peer,
				   c->s5.why);
			send_all(fd, out, out_len);
			conn_end(c);
			close_after_reply(fd);
			return;
		case SOCKS5_CLOSE:
			pr_verbose("%s: %s: closed: %s", c->fe->name, c->peer,
				   c->s5.why ?: "?");
			conn_end(c);
			close(fd);
			return;
		case SOCKS5_CONNECT:
			conn_connect(c, used);
			return;
		case SOCKS5_UDP_ASSOCIATE:
			conn_udp_associate(c);
			return;
		}
	}
}

/* expire handshakes past their deadline; the time to the next one, in ms */
static int expire(void)
{
	uint64_t now = now_ms();
	int timeout = -1;

	while (d.head && d.head->deadline <= now) {
		struct conn *c = d.head;
		int fd = c->fd;

		pr_verbose("%s: %s: handshake timeout", c->fe->name, c->peer);
		conn_end(c);
		close(fd);
	}
	if (d.head)
		timeout = (int)(d.head->deadline - now);
	if (d.accept_paused_until) {
		if (d.accept_paused_until <= now) {
			d.accept_paused_until = 0;
			for (size_t i = 0; i < d.n_fe; i++)
				if (!d.fe[i].udp)
					epoll_add(d.fe[i].fd, &d.fe[i]);
		} else if (timeout < 0 ||
			   d.accept_paused_until - now < (uint64_t)timeout) {
			timeout = (int)(d.accept_paused_until - now);
		}
	}
	return timeout;
}

/*
 * Out of descriptors (or memory): the connection stays in the backlog,
 * and a level-triggered listener would wake us at once, forever. Stop
 * watching the listeners for a while instead.
 */
static void pause_accepting(int err)
{
	pr_err("cannot accept connections: %s; pausing for %d ms",
	       strerror(err), ACCEPT_PAUSE_MS);
	for (size_t i = 0; i < d.n_fe; i++)
		if (!d.fe[i].udp)
			epoll_ctl(d.epfd, EPOLL_CTL_DEL, d.fe[i].fd, NULL);
	d.accept_paused_until = now_ms() + ACCEPT_PAUSE_MS;
}

/* --redir: where the connection went before netfilter's REDIRECT */
static size_t original_dst(int fd, uint8_t target[SOCKS5_ADDR_MAX])
{
	struct sockaddr_storage dst, local;
	uint8_t self[SOCKS5_ADDR_MAX];
	socklen_t len = sizeof(local);
	size_t n;

	memset(&local, 0, sizeof(local));
	if (getsockname(fd, (struct sockaddr *)&local, &len) < 0)
		return 0;
	memset(&dst, 0, sizeof(dst));
	len = sizeof(struct sockaddr_in6);
	if (local.ss_family == AF_INET6 &&
	    !getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &dst, &len))
		goto found;
	len = sizeof(struct sockaddr_in);
	if (!getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &dst, &len))
		goto found;
	errno = errno ?: ENOENT;
	return 0;
found:
	n = socks5_addr_from_sockaddr((struct sockaddr *)&dst, target);
	/* not redirected: the original destination is this very socket */
	if (n && n == socks5_addr_from_sockaddr((struct sockaddr *)&local, self) &&
	    !memcmp(target, self, n)) {
		errno = EDESTADDRREQ;
		return 0;
	}
	return n;
}

static void accept_one(struct frontend *fe, int fd,
		       const struct sockaddr *peer_sa)
{
	uint8_t target[SOCKS5_ADDR_MAX];
	char peer[64];
	struct conn *c;
	size_t tlen;

	sockaddr_string(peer_sa, peer, sizeof(peer));
	switch (fe->kind) {
	case FE_TUNNEL:
		handoff(fe, fd, peer, fe->target, fe->target_len, NULL, 0,
			NULL, 0);
		close(fd);
		return;
	case FE_REDIR:
		tlen = original_dst(fd, target);
		if (!tlen) {
			pr_err("%s: %s: no original destination (%s): is the connection redirected by netfilter?",
			       fe->name, peer,
			       errno == EDESTADDRREQ ? "it is this socket" :
			       strerror(errno));
			close(fd);
			return;
		}
		handoff(fe, fd, peer, target, tlen, NULL, 0, NULL, 0);
		close(fd);
		return;
	case FE_SOCKS:
		break;
	}

	/*
	 * At --max-pending, a new connection is accepted and closed at once
	 * rather than left in the backlog: the client learns it at once, and
	 * the listener, level-triggered, has nothing left to wake us for (a
	 * backlog left full would, unless the listeners were unwatched).
	 */
	if (d.n_pending >= d.max_pending) {
		if (!d.full)
			pr_err("%u handshakes pending (--max-pending): closing new connections",
			       d.n_pending);
		d.full = true;
		d.refused++;
		close(fd);
		return;
	}
	c = malloc(sizeof(*c));
	if (!c) {
		pr_err("%s: %s: out of memory", fe->name, peer);
		close(fd);
		return;
	}
	memset(c, 0, offsetof(struct conn, buf));
	c->type = SRC_CONN;
	c->fd = fd;
	c->fe = fe;
	c->deadline = now_ms() + (uint64_t)d.handshake_timeout * 1000;
	socks5_init(&c->s5);
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	c->prev = d.tail;
	if (d.tail)
		d.tail->next = c;
	else
		d.head = c;
	d.tail = c;
	d.n_pending++;
	epoll_add(fd, c);
}

static void listener_readable(struct frontend *fe)
{
	for (int i = 0; i < ACCEPT_BATCH && !d.accept_paused_until; i++) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int fd;

		fd = accept4(fe->fd, (struct sockaddr *)&peer, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			switch (errno) {
			case EAGAIN:
				return;
			case EMFILE:
			case ENFILE:
			case ENOBUFS:
			case ENOMEM:
				pause_accepting(errno);
				return;
			default:
				/* ECONNABORTED and the like: that one only */
				continue;
			}
		}
		accept_one(fe, fd, (struct sockaddr *)&peer);
	}
}

/* room for --max-pending handshakes, listeners and some slack */
static void raise_fd_limit(void)
{
	rlim_t want = (rlim_t)d.max_pending + d.n_fe + 64;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ?
		      want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/*
 * SIGHUP: reread --auth-file; handshakes under way check against the new
 * logins from then on. A file that does not load keeps the old ones.
 */
static void reload(void)
{
	if (!d.auth_file) {
		pr_verbose("SIGHUP: no --auth-file to reload");
		return;
	}
	if (load_auth_file(d.auth_file))
		pr_err("SIGHUP: '%s' not loaded; the %zu login(s) loaded before stay",
		       d.auth_file, d.n_users);
	else
		pr_verbose("SIGHUP: '%s' reloaded: %zu login(s)", d.auth_file,
			   d.n_users);
}

static int run(void)
{
	struct epoll_event events[64];
	struct signalfd_siginfo si;
	sigset_t mask;
	int sfd, n;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || d.epfd < 0) {
		pr_err("cannot set up the event loop: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	epoll_add(sfd, (void *)&signal_src);
	/* a UDP tunnel's socket pair: readable (EOF) once the kernel ends it */
	for (size_t i = 0; i < d.n_fe; i++)
		epoll_add(d.fe[i].fd, &d.fe[i]);

	if (d.verbose)
		for (size_t i = 0; i < d.n_fe; i++)
			pr_err("%s: listening, client profile '%s'",
			       d.fe[i].name, d.profile);

	for (;;) {
		n = epoll_wait(d.epfd, events, 64, expire());
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pr_err("epoll_wait: %s", strerror(errno));
			return EXIT_RUNTIME;
		}
		for (int i = 0; i < n; i++) {
			enum src_type *type = events[i].data.ptr;

			switch (*type) {
			case SRC_SIGNAL:
				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					break;
				if (si.ssi_signo == SIGHUP) {
					reload();
					break;
				}
				pr_verbose("%s: exiting; relays handed over continue",
					   strsignal((int)si.ssi_signo));
				close(sfd);
				return 0;
			case SRC_LISTEN:
				if (((struct frontend *)type)->udp) {
					pr_err("%s: the kernel ended the UDP tunnel (client profile '%s' deleted?); exiting",
					       ((struct frontend *)type)->name,
					       d.profile);
					close(sfd);
					return EXIT_RUNTIME;
				}
				listener_readable((struct frontend *)type);
				break;
			case SRC_CONN:
				/*
				 * A connection is freed only by the handler
				 * of its own event (or by expire(), before
				 * the wait), so no later event of this batch
				 * points at freed memory.
				 */
				conn_readable((struct conn *)type);
				break;
			}
		}
	}
}

static void cleanup(void)
{
	/* stop listening first, then drop the handshakes */
	for (size_t i = 0; i < d.n_fe; i++)
		if (d.fe[i].fd >= 0)
			close(d.fe[i].fd);
	d.full = false;		/* no "below --max-pending" on the way out */
	while (d.head) {
		struct conn *c = d.head;
		int fd = c->fd;

		conn_free(c);
		close(fd);
	}
	if (d.epfd >= 0)
		close(d.epfd);
	ipc_relay_close();
	free_users(d.users, d.n_users);
	free(d.fe);
}

enum {
	OPT_CLIENT = 0x100,
	OPT_SOCKS,
	OPT_TUNNEL,
	OPT_REDIR,
	OPT_AUTH_FILE,
	OPT_HANDSHAKE_TIMEOUT,
	OPT_MAX_PENDING,
};

static const struct option long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "client", required_argument, NULL, OPT_CLIENT },
	{ "socks", required_argument, NULL, OPT_SOCKS },
	{ "tunnel", required_argument, NULL, OPT_TUNNEL },
	{ "redir", required_argument, NULL, OPT_REDIR },
	{ "auth-file", required_argument, NULL, OPT_AUTH_FILE },
	{ "handshake-timeout", required_argument, NULL, OPT_HANDSHAKE_TIMEOUT },
	{ "max-pending", required_argument, NULL, OPT_MAX_PENDING },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char *argv[])
{
	const char *config = NULL, *auth_file = NULL;
	bool have_timeout = false, have_pending = false;
	struct ss_config cfg;
	unsigned long v;
	int opt, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":c:vhV", long_options,
				  NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (config)
				return usage_error(NULL, "-c given twice");
			config = optarg;
			break;
		case OPT_CLIENT:
			if (d.profile)
				return usage_error(NULL, "--client given twice");
			if (!name_valid(optarg))
				return usage_error(NULL, "invalid client profile name '%s': use 1 to %d of the characters A-Z a-z 0-9 _ . -",
						   optarg, SS_NAME_MAX - 1);
			d.profile = optarg;
			break;
		case OPT_SOCKS:
		case OPT_REDIR:
		case OPT_TUNNEL:
			ret = add_frontend(opt == OPT_SOCKS ? FE_SOCKS :
					   opt == OPT_REDIR ? FE_REDIR : FE_TUNNEL,
					   opt == OPT_SOCKS ? "--socks" :
					   opt == OPT_REDIR ? "--redir" : "--tunnel",
					   optarg);
			if (ret)
				return ret;
			break;
		case OPT_AUTH_FILE:
			if (auth_file)
				return usage_error(NULL, "--auth-file given twice");
			auth_file = optarg;
			break;
		case OPT_HANDSHAKE_TIMEOUT:
			if (have_timeout)
				return usage_error(NULL, "--handshake-timeout given twice");
			if (!parse_uint(optarg, 1, 3600, &v))
				return usage_error(NULL, "invalid --handshake-timeout '%s' (1-3600 seconds)",
						   optarg);
			d.handshake_timeout = (unsigned int)v;
			have_timeout = true;
			break;
		case OPT_MAX_PENDING:
			if (have_pending)
				return usage_error(NULL, "--max-pending given twice");
			if (!parse_uint(optarg, 1, 1000000, &v))
				return usage_error(NULL, "invalid --max-pending '%s' (1-1000000)",
						   optarg);
			d.max_pending = (unsigned int)v;
			have_pending = true;
			break;
		case 'v':
			d.verbose = true;
			break;
		case 'h':
			help();
			return 0;
		case 'V':
			puts(SOCKSD_NAME " " SSCTL_VERSION);
			return 0;
		case ':':
			return usage_error(NULL, "option '%s' needs a value",
					   argv[optind - 1]);
		default:
			if (optopt)
				return usage_error(NULL, "unknown option '-%c'",
						   optopt);
			return usage_error(NULL, "unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(NULL, "unexpected argument '%s'", argv[optind]);
	if (!config && !d.profile)
		return usage_error(NULL, "give the client profile: --client NAME, or -c CONFIG");
	if (!d.profile)
		d.profile = "default";

	if (config) {
		ret = read_config(config, d.profile, &cfg);
		if (ret) {
			config_wipe(&cfg);
			return EXIT_RUNTIME;
		}
	}
	if (!d.n_fe) {
		if (config)
			config_wipe(&cfg);
		return usage_error(NULL, config ?
				   "no front end: the config has no local_port; give --socks, --tunnel or --redir" :
				   "no front end: give --socks, --tunnel or --redir");
	}
	if (auth_file) {
		ret = load_auth_file(auth_file);
		if (ret)
			goto out;
		d.auth_file = auth_file;
	}

	ret = config ? ensure_profile(&cfg, config) : check_profile(d.profile);
	if (config)
		config_wipe(&cfg);
	if (ret)
		goto out;

	raise_fd_limit();
	for (size_t i = 0; i < d.n_fe; i++) {
		ret = open_listener(&d.fe[i]);
		if (ret)
			goto out;
	}
	ret = run();
out:
	cleanup();
	return ret;
}
