// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for ipc.c, linked into tests/socksd-fake so that ss-socksd's
 * loop, front ends and replies can be tested on a host without the module
 * (tests/socksd-test.py), and into tests/ssctl-fake for "ssctl user"
 * (tests/run.sh). Failed requests are reported by the real ipc_error.c,
 * from the errno and the kernel's message this file gives. Its "kernel":
 *
 *   - knows the client profiles "p" (192.0.2.1 port 8388 aes-256-gcm) and
 *     "fail"; any other name is -ENOENT, and ipc_add() succeeds for it,
 *     logging "client-new NAME ADDRESS PORT METHOD HEXKEY [ikey HEXKEY]
 *     [password HEX]",
 *     as ipc_del() does a client's deletion ("client-del NAME"), but of
 *     "p" and "fail" (-EPERM);
 *   - refuses every handover to "fail" with -EMFILE and the kernel's
 *     message for it;
 *   - takes every other handover by writing to the socket SS_A_REPLY, then
 *     "RELAY <target> <n>\n" and the n bytes of SS_A_DATA. It keeps no
 *     reference: when ss-socksd closes its descriptor, the client sees the
 *     end of the stream;
 *   - takes every UDP handover (but to "fail") by checking the UDP socket
 *     is bound, then: SOCKS5 mode, writing to the control socket SS_A_REPLY
 *     and "UDP socks5 <bound address> <source or ->\n"; tunnel mode,
 *     logging "fake: UDP tunnel <bound address> -> <target>" on stderr and
 *     keeping a duplicate of the control socket (the kernel's reference)
 *     for good;
 *   - knows the servers "ss22" (2022-blake3-aes-256-gcm, users alice and
 *     bob), "ss16" (2022-blake3-aes-128-gcm, user carol), "chacha22"
 *     (2022-blake3-chacha20-poly1305) and "web" (aes-256-gcm), and answers
 *     user-new, user-del and user-get for them as the module would, with
 *     its messages: alice's key is 32 bytes of 0x01, and a user's counters
 *     are fake_user_value(). It keeps no state: a user added or deleted is
 *     logged ("user-new SERVER USER HEXKEY", "user-del SERVER USER"), one
 *     line each, to the file $SSCTL_FAKE_LOG, if set;
 *   - exports (CLIENT_EXPORT) the fixed profiles of fake_exports[]: "p"
 *     with a password of every awkward character, "k17" made from a key,
 *     "v6" (2022, IPv6 remote), "id23" (2022 with an identity key) and
 *     "c22" (2022 chacha); "fail" is -EPERM with the module's message, as
 *     for a caller without CAP_NET_ADMIN;
 *   - has no resolver or monitor group.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipc.h"
#include "socks5.h"

static bool known(const char *name)
{
	return !strcmp(name, "p") || !strcmp(name, "fail");
}

static void fake_log(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void fake_hex(const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fake_log("%02x", b[i]);
}

int ipc_add(const struct ss_config *cfg, struct ipc_error *e)
{
	char addr[INET6_ADDRSTRLEN] = "";

	memset(e, 0, sizeof(*e));
	if (known(cfg->name)) {
		e->err = EEXIST;
		return -1;
	}
	if (cfg->kind != SS_CLIENT)
		return 0;
	if (cfg->has_ipv4)
		inet_ntop(AF_INET, &cfg->ipv4, addr, sizeof(addr));
	else
		inet_ntop(AF_INET6, &cfg->ipv6, addr, sizeof(addr));
	fake_log("client-new %s %s %u %s ", cfg->name, addr, cfg->port,
		 cfg->method->name);
	fake_hex(cfg->key, cfg->method->key_len);
	if (cfg->has_ikey) {
		fake_log(" ikey ");
		fake_hex(cfg->ikey, cfg->method->key_len);
	}
	if (cfg->password_len) {
		fake_log(" password ");
		fake_hex((const uint8_t *)cfg->password, cfg->password_len);
	}
	fake_log("\n");
	return 0;
}

/* clients: taken, and logged, but for "p" and "fail" (EPERM) */
int ipc_del(enum ss_kind kind, const char *name, struct ipc_error *e)
{
	memset(e, 0, sizeof(*e));
	if (kind != SS_CLIENT || known(name)) {
		e->err = EPERM;
		return -1;
	}
	fake_log("client-del %s\n", name);
	return 0;
}

static const struct {
	const char *name;
	uint32_t method;
	int users;		/* -1: a server that cannot have users */
} fake_servers[] = {
	{ "chacha22", SS_METHOD_2022_BLAKE3_CHACHA20_POLY1305, -1 },
	{ "ss16", SS_METHOD_2022_BLAKE3_AES_128_GCM, 1 },
	{ "ss22", SS_METHOD_2022_BLAKE3_AES_256_GCM, 2 },
	{ "web", SS_METHOD_AES_256_GCM, -1 },
};

#define N_FAKE_SERVERS (sizeof(fake_servers) / sizeof(fake_servers[0]))

/* sorted by server, then user, as ipc_user_get() returns them */
static const struct {
	const char *server, *user;
} fake_users[] = {
	{ "ss16", "carol" }, { "ss22", "alice" }, { "ss22", "bob" },
};

#define N_FAKE_USERS (sizeof(fake_users) / sizeof(fake_users[0]))

/* a user's counter: its index, then the counter's type; none alike */
static uint64_t fake_user_value(size_t user, int type)
{
	return 1000000 * (uint64_t)(user + 1) + 1000 * (uint64_t)type + 7;
}

static int fake_server(const char *name)
{
	for (size_t i = 0; i < N_FAKE_SERVERS; i++)
		if (!strcmp(fake_servers[i].name, name))
			return (int)i;
	return -1;
}

static void fake_log(const char *fmt, ...)
{
	const char *path = getenv("SSCTL_FAKE_LOG");
	va_list ap;
	FILE *f;

	if (!path || !(f = fopen(path, "a")))
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static int get_servers(const char *name, struct ss_object_list *list,
		       struct ipc_error *e)
{
	int idx = name ? fake_server(name) : -1;

	if (name && idx < 0) {
		e->err = ENOENT;
		snprintf(e->msg, sizeof(e->msg), "no server named \"%s\"", name);
		return -1;
	}
	list->items = calloc(N_FAKE_SERVERS, sizeof(*list->items));
	if (!list->items) {
		e->err = ENOMEM;
		return -1;
	}
	list->cap = N_FAKE_SERVERS;
	for (size_t i = 0; i < N_FAKE_SERVERS; i++) {
		struct ss_object *o = &list->items[list->len];

		if (name && (int)i != idx)
			continue;
		snprintf(o->name, sizeof(o->name), "%s", fake_servers[i].name);
		o->has_ipv4 = true;
		o->port = (uint16_t)(8388 + i);
		o->method = fake_servers[i].method;
		o->has_mode = true;
		o->timeout = 60;
		o->has_users = fake_servers[i].users >= 0;
		o->users = o->has_users ? (uint32_t)fake_servers[i].users : 0;
		list->len++;
	}
	return 0;
}

int ipc_get(enum ss_kind kind, const char *name, struct ss_object_list *list,
	    struct ipc_error *e)
{
	struct ss_object *o;

	memset(e, 0, sizeof(*e));
	memset(list, 0, sizeof(*list));
	if (kind == SS_SERVER)
		return get_servers(name, list, e);
	if (kind == SS_CLIENT && !name)
		return 0;	/* a dump: the profiles are not listed */
	if (kind != SS_CLIENT || !name || !known(name)) {
		e->err = ENOENT;
		return -1;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		e->err = ENOMEM;
		return -1;
	}
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->has_ipv4 = true;
	inet_pton(AF_INET, "192.0.2.1", &o->ipv4);
	o->port = 8388;
	o->method = SS_METHOD_AES_256_GCM;
	list->items = o;
	list->len = list->cap = 1;
	return 0;
}

static const struct {
	const char *name, *addr;
	uint16_t port;
	uint32_t method;
	const char *password;
	uint8_t key_byte, ikey_byte;	/* key: key_len bytes of it; 0: none */
} fake_exports[] = {
	{ "p", "192.0.2.1", 8388, SS_METHOD_AES_256_GCM,
	  "p@ss:w/rd #1+%=?&\xc3\xa9", 0x11, 0 },
	{ "k17", "192.0.2.2", 8389, SS_METHOD_AES_128_GCM, NULL, 0x22, 0 },
	{ "v6", "2001:db8::1", 443, SS_METHOD_2022_BLAKE3_AES_256_GCM, NULL,
	  0x33, 0 },
	{ "id23", "198.51.100.7", 8443, SS_METHOD_2022_BLAKE3_AES_128_GCM,
	  NULL, 0x44, 0x55 },
	{ "c22", "203.0.113.9", 65535,
	  SS_METHOD_2022_BLAKE3_CHACHA20_POLY1305, NULL, 0x66, 0 },
};

int ipc_client_export(const char *name, struct ss_export *x,
		      struct ipc_error *e)
{
	memset(e, 0, sizeof(*e));
	memset(x, 0, sizeof(*x));
	if (!strcmp(name, "fail")) {
		e->err = EPERM;
		return -1;
	}
	for (size_t i = 0; i < sizeof(fake_exports) / sizeof(fake_exports[0]);
	     i++) {
		const struct method *m = method_by_id(fake_exports[i].method);

		if (strcmp(fake_exports[i].name, name))
			continue;
		snprintf(x->obj.name, sizeof(x->obj.name), "%s", name);
		if (inet_pton(AF_INET, fake_exports[i].addr, &x->obj.ipv4) == 1)
			x->obj.has_ipv4 = true;
		else if (inet_pton(AF_INET6, fake_exports[i].addr,
				   &x->obj.ipv6) == 1)
			x->obj.has_ipv6 = true;
		x->obj.port = fake_exports[i].port;
		x->obj.method = fake_exports[i].method;
		x->key_len = m->key_len;
		memset(x->key, fake_exports[i].key_byte, m->key_len);
		if (fake_exports[i].ikey_byte) {
			x->has_ikey = true;
			memset(x->ikey, fake_exports[i].ikey_byte, m->key_len);
		}
		if (fake_exports[i].password) {
			x->password_len = strlen(fake_exports[i].password);
			memcpy(x->password, fake_exports[i].password,
			       x->password_len);
		}
		return 0;
	}
	e->err = ENOENT;
	snprintf(e->msg, sizeof(e->msg), "no client named \"%s\"", name);
	return -1;
}

/* the server of a user request, or -1 with the module's error */
static int user_server(const char *server, struct ipc_error *e)
{
	int idx = fake_server(server);

	memset(e, 0, sizeof(*e));
	if (idx < 0) {
		e->err = ENOENT;
		snprintf(e->msg, sizeof(e->msg), "no server named \"%s\"",
			 server);
	}
	return idx;
}

static int fake_user(const char *server, const char *user)
{
	for (size_t i = 0; i < N_FAKE_USERS; i++)
		if (!strcmp(fake_users[i].server, server) &&
		    !strcmp(fake_users[i].user, user))
			return (int)i;
	return -1;
}

static void no_user(const char *server, const char *user,
		    struct ipc_error *e)
{
	e->err = ENOENT;
	snprintf(e->msg, sizeof(e->msg), "server \"%s\" has no user named \"%s\"",
		 server, user);
}

int ipc_user_add(const struct ss_config *cfg, struct ipc_error *e)
{
	static const uint8_t alice[32] = {
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	};
	const struct method *m;
	char hex[2 * SS_KEY_MAX_LEN + 1];
	int idx = user_server(cfg->name, e);

	if (idx < 0)
		return -1;
	m = method_by_id(fake_servers[idx].method);
	if (fake_servers[idx].users < 0) {
		e->err = EOPNOTSUPP;
		snprintf(e->msg, sizeof(e->msg),
			 "users need a Shadowsocks 2022 server of an AES method (SIP023)");
		return -1;
	}
	if (cfg->method != m) {
		e->err = EINVAL;
		snprintf(e->msg, sizeof(e->msg),
			 "key length %zu does not match %s (needs %zu)",
			 cfg->method->key_len, m->name, m->key_len);
		return -1;
	}
	if (fake_user(cfg->name, cfg->user) >= 0) {
		e->err = EEXIST;
		snprintf(e->msg, sizeof(e->msg),
			 "the server has a user of that name");
		return -1;
	}
	if (!strcmp(cfg->name, "ss22") && !memcmp(cfg->key, alice, 32)) {
		e->err = EEXIST;
		snprintf(e->msg, sizeof(e->msg),
			 "another user of the server has that key");
		return -1;
	}
	for (size_t i = 0; i < m->key_len; i++)
		sprintf(hex + 2 * i, "%02x", cfg->key[i]);
	fake_log("user-new %s %s %s\n", cfg->name, cfg->user, hex);
	return 0;
}

int ipc_user_del(const char *server, const char *user, struct ipc_error *e)
{
	if (user_server(server, e) < 0)
		return -1;
	if (fake_user(server, user) < 0) {
		no_user(server, user, e);
		return -1;
	}
	fake_log("user-del %s %s\n", server, user);
	return 0;
}

int ipc_user_get(const char *server, const char *user,
		 struct ss_user_list *list, struct ipc_error *e)
{
	memset(e, 0, sizeof(*e));
	memset(list, 0, sizeof(*list));
	if (server && user) {
		if (user_server(server, e) < 0)
			return -1;
		if (fake_user(server, user) < 0) {
			no_user(server, user, e);
			return -1;
		}
	}
	list->items = calloc(N_FAKE_USERS, sizeof(*list->items));
	if (!list->items) {
		e->err = ENOMEM;
		return -1;
	}
	list->cap = N_FAKE_USERS;
	for (size_t i = 0; i < N_FAKE_USERS; i++) {
		struct ss_user *u = &list->items[list->len];

		if ((server && strcmp(server, fake_users[i].server)) ||
		    (user && strcmp(user, fake_users[i].user)))
			continue;
		snprintf(u->server, sizeof(u->server), "%s",
			 fake_users[i].server);
		snprintf(u->name, sizeof(u->name), "%s", fake_users[i].user);
		for (int t = 1; t <= SS_STATS_A_MAX; t++) {
			if (!user_has_counter(NULL, t))
				continue;
			u->stats.ctr[t] = fake_user_value(i, t);
			u->stats.sent[t] = true;
		}
		list->len++;
	}
	return 0;
}

void ipc_keep_socket(bool keep)
{
	(void)keep;
}

/* no resolver or monitor group: a module from before them */
static int no_group(struct ipc_error *e)
{
	memset(e, 0, sizeof(*e));
	e->err = EOPNOTSUPP;
	return -1;
}

struct ipc_listener *ipc_resolver_open(bool subscribe, struct ipc_error *e)
{
	(void)subscribe;
	no_group(e);
	return NULL;
}

struct ipc_listener *ipc_monitor_open(struct ipc_error *e)
{
	return ipc_resolver_open(true, e);
}

int ipc_listener_fd(const struct ipc_listener *r)
{
	(void)r;
	return -1;
}

int ipc_resolver_read(struct ipc_listener *r,
		      void (*fn)(const struct ipc_lookup *lookup, void *arg),
		      void *arg, struct ipc_error *e)
{
	(void)r;
	(void)fn;
	(void)arg;
	return no_group(e);
}

int ipc_monitor_read(struct ipc_listener *r,
		     void (*fn)(const struct ipc_event *ev, void *arg),
		     void *arg, struct ipc_error *e)
{
	(void)r;
	(void)fn;
	(void)arg;
	return no_group(e);
}

int ipc_resolve_reply(struct ipc_listener *r, uint32_t id, int err,
		      const struct ipc_addr *addrs, size_t n,
		      struct ipc_error *e)
{
	(void)r;
	(void)id;
	(void)err;
	(void)addrs;
	(void)n;
	return no_group(e);
}

void ipc_listener_close(struct ipc_listener *r)
{
	(void)r;
}

int ipc_relay_new(const char *profile, int fd, const uint8_t *target,
		  size_t tlen, const uint8_t *data, size_t dlen,
		  const uint8_t *reply, size_t rlen, struct ipc_error *e)
{
	char to[300], line[340];
	int n;

	memset(e, 0, sizeof(*e));
	if (!known(profile)) {
		e->err = ENOENT;
		snprintf(e->msg, sizeof(e->msg), "no client profile named '%s'",
			 profile);
		return -1;
	}
	if (!strcmp(profile, "fail")) {
		e->err = EMFILE;
		snprintf(e->msg, sizeof(e->msg),
			 "the client profile has max-conns relays already");
		return -1;
	}
	if (socks5_addr_valid(target, tlen) != tlen || dlen > SS_RELAY_DATA_MAX ||
	    rlen > SS_RELAY_REPLY_MAX) {
		e->err = EINVAL;
		snprintf(e->msg, sizeof(e->msg), "invalid attribute");
		return -1;
	}
	socks5_addr_string(target, tlen, to, sizeof(to));
	n = snprintf(line, sizeof(line), "RELAY %s %zu\n", to, dlen);
	if ((rlen && send(fd, reply, rlen, MSG_NOSIGNAL) != (ssize_t)rlen) ||
	    send(fd, line, (size_t)n, MSG_NOSIGNAL) != n ||
	    (dlen && send(fd, data, dlen, MSG_NOSIGNAL) != (ssize_t)dlen)) {
		e->err = EIO;
		return -1;
	}
	return 0;
}

int ipc_udp_relay_new(const char *profile, int fd, int ctrl_fd,
		      enum ipc_udp_mode mode, const uint8_t *target, size_t tlen,
		      const uint8_t *source, size_t slen,
		      const uint8_t *reply, size_t rlen, struct ipc_error *e)
{
	char bound[300], src[300], to[300], line[700];
	uint8_t a[SOCKS5_ADDR_MAX];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int n;

	memset(e, 0, sizeof(*e));
	if (!known(profile)) {
		e->err = ENOENT;
		return -1;
	}
	if (!strcmp(profile, "fail")) {
		e->err = EMFILE;
		snprintf(e->msg, sizeof(e->msg),
			 "the client profile has max-conns UDP relays already");
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
	    !(n = (int)socks5_addr_from_sockaddr((struct sockaddr *)&ss, a)) ||
	    (!a[n - 1] && !a[n - 2]) ||
	    (mode == IPC_UDP_TUNNEL &&
	     socks5_addr_valid(target, tlen) != tlen) ||
	    (rlen && ctrl_fd < 0) || rlen > SS_RELAY_REPLY_MAX) {
		e->err = EINVAL;
		snprintf(e->msg, sizeof(e->msg), "invalid attribute");
		return -1;
	}
	socks5_addr_string(a, (size_t)n, bound, sizeof(bound));
	if (mode != IPC_UDP_SOCKS5) {
		if (mode == IPC_UDP_TUNNEL)
			socks5_addr_string(target, tlen, to, sizeof(to));
		else
			snprintf(to, sizeof(to), "original destinations");
		pr_err("fake: UDP %s %s -> %s",
		       mode == IPC_UDP_TUNNEL ? "tunnel" : "tproxy", bound, to);
		/* the kernel's reference on the control socket, kept */
		if (ctrl_fd >= 0 && dup(ctrl_fd) < 0) {
			e->err = errno;
			return -1;
		}
		return 0;
	}
	if (slen)
		socks5_addr_string(source, slen, src, sizeof(src));
	else
		snprintf(src, sizeof(src), "-");
	n = snprintf(line, sizeof(line), "UDP socks5 %s %s\n", bound, src);
	if (ctrl_fd >= 0 &&
	    ((rlen && send(ctrl_fd, reply, rlen, MSG_NOSIGNAL) != (ssize_t)rlen) ||
	     send(ctrl_fd, line, (size_t)n, MSG_NOSIGNAL) != n)) {
		e->err = EIO;
		return -1;
	}
	return 0;
}

void ipc_relay_close(void)
{
}
