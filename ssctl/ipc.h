/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel interface: one generic netlink request per call, over a socket
 * opened for it (ipc_relay_new() keeps its socket between calls, and so do
 * all requests between ipc_keep_socket(true) and (false), as batch mode
 * wants). Errors come back as a positive errno plus the kernel's extended
 * ACK message, if it sent one.
 */
#ifndef SSCTL_IPC_H
#define SSCTL_IPC_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "config.h"
#include "counters.h"

/* an object as the kernel reports it (never with a key) */
struct ss_object {
	char name[SS_NAME_MAX];
	/* servers: listen addresses; clients: the remote server */
	bool has_ipv4, has_ipv6;
	struct in_addr ipv4;
	struct in6_addr ipv6;
	uint16_t port;
	uint32_t method;
	bool has_mode;
	uint32_t mode;
	uint32_t timeout;
	/* has_limits, has_allow_local: when the kernel reported them */
	bool has_limits;
	uint32_t handshake_timeout;
	uint32_t max_conns;
	bool has_allow_local;		/* servers only */
	bool allow_local;
	bool has_users;			/* servers that can have users */
	uint32_t users;
	bool has_acl;			/* servers with an egress ACL */
	uint32_t acl_rules;
	struct ss_stats stats;
};

/* a SIP023 user of a server, as the kernel reports it (never its key) */
struct ss_user {
	char server[SS_NAME_MAX];
	char name[SS_NAME_MAX];
	struct ss_stats stats;
};

struct ss_user_list {
	struct ss_user *items;
	size_t len, cap;
};

struct ss_object_list {
	struct ss_object *items;
	size_t len, cap;
};

struct ipc_error {
	bool no_family;		/* the module is absent and would not load */
	int err;		/* positive errno from the kernel, or 0 */
	int nl_err;		/* libnl error code of a local failure, or 0 */
	char msg[256];		/* the kernel's extack message, or "" */
};

int ipc_add(const struct ss_config *cfg, struct ipc_error *e);
int ipc_del(enum ss_kind kind, const char *name, struct ipc_error *e);
/* @name NULL: every object of the netns (a dump) */
int ipc_get(enum ss_kind kind, const char *name, struct ss_object_list *list,
	    struct ipc_error *e);

/* a client profile with its secrets (SS_CMD_CLIENT_EXPORT) */
struct ss_export {
	struct ss_object obj;
	size_t key_len;			/* the method's */
	uint8_t key[SS_KEY_MAX_LEN];
	bool has_ikey;			/* SIP023: the identity PSK */
	uint8_t ikey[SS_KEY_MAX_LEN];
	size_t password_len;		/* AEAD-2017 made from a password */
	char password[SS_PASSWORD_MAX_LEN + 1];
};

/*
 * ipc_client_export() - the profile @name with its key, identity key and
 * password: needs CAP_NET_ADMIN (e->err EPERM). Call ipc_export_wipe()
 * once done with @x; on failure it is wiped already.
 */
int ipc_client_export(const char *name, struct ss_export *x,
		      struct ipc_error *e);

static inline void ipc_export_wipe(struct ss_export *x)
{
	OPENSSL_cleanse(x, sizeof(*x));
}

/* what ipc_get() filled (inline: the tests' fake ipc.c shares it) */
static inline void ipc_list_free(struct ss_object_list *list)
{
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/*
 * Users of servers. ipc_user_add() sends cfg->name (the server), cfg->user
 * and cfg->key (cfg->method's length). ipc_user_get(): @server and @user
 * both: that user; @server alone: the users of that server (none for an
 * unknown server); neither: every server's users; sorted by server, then
 * user. e->err EOPNOTSUPP without a message: a module without users.
 */
int ipc_user_add(const struct ss_config *cfg, struct ipc_error *e);
int ipc_user_del(const char *server, const char *user, struct ipc_error *e);
int ipc_user_get(const char *server, const char *user,
		 struct ss_user_list *list, struct ipc_error *e);

static inline void ipc_user_list_free(struct ss_user_list *list)
{
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/*
 * ipc_user_report() - print a failed user request as one line on stderr.
 * @action: "add", "delete", "show"; @server and @user may be NULL (dumps).
 */
void ipc_user_report(const struct ipc_error *e, const char *action,
		     const char *server, const char *user);

/*
 * ipc_keep_socket() - from true to false, requests share one socket,
 * opened (and the family resolved) at the first; false closes it. After a
 * failed request the socket is dropped and the next opens another.
 */
void ipc_keep_socket(bool keep);

/*
 * ipc_report() - print a failed request as one line on stderr.
 * @action: "add", "delete", "show" — used when nothing better is known.
 * @name may be NULL (a dump); @method may be NULL.
 */
void ipc_report(const struct ipc_error *e, enum ss_kind kind,
		const char *action, const char *name, const char *method);

/*
 * ipc_relay_new() - SS_CMD_RELAY_NEW: hand the connected TCP socket @fd
 * over to the client profile @profile, with its target (SOCKS5 address
 * format), the bytes already read past the handshake (@data, may be empty,
 * at most SS_RELAY_DATA_MAX) and the reply the kernel writes first (@reply,
 * may be empty, at most SS_RELAY_REPLY_MAX). On success the caller closes
 * @fd; on failure the socket is untouched. Requests share one netlink
 * socket, kept open between calls; ipc_relay_close() frees it.
 */
int ipc_relay_new(const char *profile, int fd, const uint8_t *target,
		  size_t tlen, const uint8_t *data, size_t dlen,
		  const uint8_t *reply, size_t rlen, struct ipc_error *e);
void ipc_relay_close(void);

/* what the datagrams of a UDP relay look like (SS_CMD_UDP_RELAY_NEW) */
enum ipc_udp_mode { IPC_UDP_TUNNEL, IPC_UDP_SOCKS5, IPC_UDP_TPROXY };

/*
 * ipc_udp_relay_new() - SS_CMD_UDP_RELAY_NEW: hand the bound UDP socket
 * @fd over to @profile. IPC_UDP_TUNNEL: @target (SOCKS5 format, @tlen
 * bytes) is where every datagram goes. IPC_UDP_SOCKS5: datagrams carry the
 * SOCKS5 UDP header; @source (@slen bytes, may be 0) restricts where they
 * may come from. IPC_UDP_TPROXY: @fd has IP_TRANSPARENT and
 * IP_RECVORIGDSTADDR, each datagram goes to its original destination. @ctrl_fd (-1: none) is the socket whose close
 * ends the relay; @reply (may be empty) is written to it by the kernel
 * once the relay is in place. On success the caller closes @fd and
 * @ctrl_fd; on failure nothing was written. Shares ipc_relay_new()'s
 * netlink socket.
 */
int ipc_udp_relay_new(const char *profile, int fd, int ctrl_fd,
		      enum ipc_udp_mode mode, const uint8_t *target, size_t tlen,
		      const uint8_t *source, size_t slen,
		      const uint8_t *reply, size_t rlen, struct ipc_error *e);

/*
 * The resolver agent (ssctl resolver). ipc_resolver_open() opens a socket
 * (a struct ipc_listener, closed with ipc_listener_close()),
 * subscribed to the module's resolver group if @subscribe (which needs
 * CAP_NET_ADMIN: e->err EPERM; EOPNOTSUPP when the module has no such
 * group). ipc_resolver_read() reads what is queued on a subscribed socket,
 * without blocking, and calls @fn for each request; -1 with e->nl_err
 * NLE_NOMEM when the socket overflowed and requests were lost, -1 with
 * e->no_family when the family was deleted (the module unloaded: the
 * socket is no longer subscribed, and will not be to a module loaded
 * again), -1 with another e->nl_err when reading failed.
 * ipc_resolve_reply() answers one (SS_CMD_RESOLVE_REPLY) on a socket of
 * its own per thread: @err (a positive errno) or @n addresses, and waits
 * for the kernel's ACK (e->err ENOENT: the lookup is no longer under way).
 */
struct ipc_listener;

struct ipc_lookup {
	uint32_t id;
	char name[256];
	char server[SS_NAME_MAX];
};

struct ipc_addr {
	int family;		/* AF_INET or AF_INET6 */
	struct in_addr v4;
	struct in6_addr v6;
};

struct ipc_listener *ipc_resolver_open(bool subscribe, struct ipc_error *e);
int ipc_listener_fd(const struct ipc_listener *r);
int ipc_resolver_read(struct ipc_listener *r,
		      void (*fn)(const struct ipc_lookup *lookup, void *arg),
		      void *arg, struct ipc_error *e);
int ipc_resolve_reply(struct ipc_listener *r, uint32_t id, int err,
		      const struct ipc_addr *addrs, size_t n,
		      struct ipc_error *e);
void ipc_listener_close(struct ipc_listener *r);
/* why ipc_resolver_open() or ipc_monitor_open() failed, on stderr */
void ipc_listener_report(const char *who, const char *group,
			 const struct ipc_error *e);

/*
 * The monitor (ssctl monitor). ipc_monitor_open() opens a socket
 * subscribed to the module's monitor group (CAP_NET_ADMIN: e->err EPERM;
 * EOPNOTSUPP for a module without it); ipc_monitor_read() reads what is
 * queued, as ipc_resolver_read() does, and calls @fn for each event.
 */
struct ipc_event {
	uint8_t cmd;		/* SS_CMD_*_NTF */
	uint32_t object;	/* SS_OBJECT_* */
	uint32_t reason;	/* SS_REASON_*, object-del-ntf only; else 0 */
	char name[SS_NAME_MAX];
};

struct ipc_listener *ipc_monitor_open(struct ipc_error *e);
int ipc_monitor_read(struct ipc_listener *r,
		     void (*fn)(const struct ipc_event *ev, void *arg),
		     void *arg, struct ipc_error *e);

#endif
