/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of ss-socksd share: its front ends and the connections in
 * their handshake, the daemon's state, and the functions each file offers
 * the others, grouped by the file that has them:
 *
 *   socksd.c          options, the event loop, signals, clean-up
 *   socksd_config.c   front ends from the command line, --auth-file, and
 *                     -c config.json (with the client profile it names)
 *   socksd_frontend.c listeners (socks, tunnel, redir) and the SOCKS5
 *                     handshakes on the connections they accept
 *   socksd_handoff.c  the handoff to the kernel: SS_CMD_RELAY_NEW, and a
 *                     UDP tunnel's SS_CMD_UDP_RELAY_NEW
 *   socksd_plugin.c   a SIP003 plugin: started, restarted, stopped, and the
 *                     private profile through it
 *   socksd_direct.c   --acl: the targets connected to directly, and the
 *                     relay of their bytes in this process
 */
#ifndef SOCKSD_H
#define SOCKSD_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "acl.h"
#include "config.h"
#include "ipc.h"
#include "socks5.h"

#define SOCKSD_NAME "ss-socksd"

/*
 * What a connection may have read: the handshake, and whatever followed
 * the request in the same reads. It all goes to SS_A_DATA, so it must fit.
 */
#define CONN_BUF 4096
_Static_assert(CONN_BUF <= SS_RELAY_DATA_MAX, "SS_A_DATA must hold the buffer");
_Static_assert(CONN_BUF >= 2 * SOCKS5_MSG_MAX, "a message must always fit");

enum fe_kind { FE_SOCKS, FE_TUNNEL, FE_REDIR };

/* what an epoll event points at: the first member of each */
enum src_type { SRC_SIGNAL, SRC_LISTEN, SRC_CONN, SRC_DIRECT };

/* the end of a name lookup of socksd_direct.c, read from the signalfd */
#define DIRECT_SIGNAL SIGRTMIN

struct frontend {
	enum src_type type;		/* SRC_LISTEN */
	enum fe_kind kind;
	int fd;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	uint8_t target[SOCKS5_ADDR_MAX];	/* tunnel */
	size_t target_len;
	bool udp;			/* a UDP tunnel or tproxy front end:
					 * @fd is our end of the socket pair,
					 * watched for its end, never paused */
	bool tproxy;			/* redir: IP_TRANSPARENT, fed by
					 * netfilter's tproxy */
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

/* the daemon's state: one process, one event loop, no threads */
struct socksd {
	bool verbose;
	const char *profile;
	/* the profile TCP relays use: @profile, or the plugin's private one */
	const char *tcp_profile;
	const char *plugin, *plugin_opts;	/* SIP003, or NULL */
	unsigned int handshake_timeout;	/* seconds */
	unsigned int max_pending;
	struct frontend *fe;
	size_t n_fe;
	const char *auth_file;		/* reread on SIGHUP */
	const char *acl_file;		/* --acl or "acl": reread on SIGHUP */
	struct acl acl;
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
	/* direct connections (--acl), capped by max_pending apart */
	unsigned int n_direct;
	bool direct_full;
	unsigned long direct_refused;
};

extern struct socksd socksd;

#define pr_verbose(...) do { if (socksd.verbose) pr_err(__VA_ARGS__); } while (0)

/* socksd.c */
uint64_t now_ms(void);
void epoll_add(int fd, void *ptr);

/* socksd_config.c */
int add_frontend(enum fe_kind kind, const char *opt, const char *arg);
int load_auth_file(const char *path);
int load_acl(const char *path);
void free_users(struct user *users, size_t n);
int read_config(const char *path, const char *name, struct ss_config *cfg);
int ensure_profile(const struct ss_config *cfg, const char *path);
int check_profile(const char *name);

/* socksd_frontend.c */
int open_listener(struct frontend *fe);
void listener_readable(struct frontend *fe);
void conn_readable(struct conn *c);
void conn_free(struct conn *c);
int expire(void);
bool send_all(int fd, const uint8_t *buf, size_t len);
void close_after_reply(int fd);

/* socksd_plugin.c */
int plugin_start(void);
void plugin_reap(void);		/* SIGCHLD */
int plugin_tick(void);		/* ms until the next restart is due, or -1 */
void plugin_stop(void);

/* socksd_handoff.c */
int set_transparent(int fd, int family, bool udp);
int open_udp_relay(struct frontend *fe, const char *addr);
void describe_error(const struct ipc_error *e, char *buf, size_t size);
int handoff(const struct frontend *fe, int fd, const char *peer,
	    const uint8_t *target, size_t tlen, const uint8_t *data,
	    size_t dlen, const uint8_t *reply, size_t rlen);

/* socksd_direct.c */
bool direct_wanted(const uint8_t *target, size_t tlen);
void direct_start(const struct frontend *fe, int fd, const char *peer,
		  const uint8_t *target, size_t tlen, const uint8_t *data,
		  size_t dlen);
void direct_event(void *end, uint32_t events);
void direct_resolved(int32_t code, uint64_t id);
int direct_tick(void);		/* ms until the next deadline, or -1 */
void direct_reap(void);		/* after each batch of events */
void direct_cleanup(void);

#endif
