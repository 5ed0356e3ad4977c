// SPDX-License-Identifier: GPL-2.0
/*
 * ss-socksd --acl: the TCP targets a shadowsocks-libev .acl file says to
 * reach directly ("bypass"), as ss-local does. For those, ss-socksd
 * connects to the target itself and relays the bytes in userspace, one
 * buffer per direction; nothing of them goes to the kernel, which knows
 * nothing of these connections. UDP is not looked at: it always goes
 * through the kernel's relay.
 *
 * A direct connection lives in this process: it ends when ss-socksd exits,
 * unlike a relay handed to the kernel. They are counted and capped by
 * --max-pending (apart from the handshakes, which that option caps too):
 * a client waiting for a slow target must not take a handshake's place.
 *
 * Names are resolved with getaddrinfo_a(3), whose helper threads (glibc's,
 * not ours) wait on DNS while the loop goes on; each lookup's end comes as
 * a real-time signal, read from the signalfd of the loop like the others.
 * The lookup and the connection share one deadline: --handshake-timeout,
 * from the moment the target is known.
 *
 * A lookup is never taken back: glibc's gai_cancel() unlinks a queued
 * request without freeing what it allocated for its notification, a leak
 * per call. A lookup whose connection ended is left to finish instead,
 * and lookups under way, those included, are capped by --max-pending.
 *
 * The loop's invariant (socksd.c): an event may only free what it points
 * at. A direct connection has two sockets, so the event of one may end
 * both while an event of the other waits in the same batch: ended ones go
 * to a list that run() frees after the batch (direct_reap()).
 */
#define _GNU_SOURCE	/* getaddrinfo_a */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "socksd.h"

/* per direction: a few socket reads' worth, and what the handshake read */
#define DIRECT_BUF 16384
_Static_assert(DIRECT_BUF >= CONN_BUF, "the bytes read past a request must fit");
_Static_assert(DIRECT_BUF >= SOCKS5_REPLY_MAX, "the reply must fit");

/* SOCKS5 replies (RFC 1928 section 6) that socks5.h has no use for */
#define REP_NET_UNREACHABLE	0x03
#define REP_HOST_UNREACHABLE	0x04
#define REP_CONN_REFUSED	0x05

struct dbuf {
	size_t start, end;		/* the bytes not yet sent */
	uint8_t data[DIRECT_BUF];
};

/* one socket of a direct connection: what its epoll events point at */
struct end {
	enum src_type type;		/* SRC_DIRECT */
	int fd;				/* -1: none (yet, or any more) */
	uint32_t events;		/* watched for; 0: not in the epoll set */
	bool eof;			/* its peer ended its stream (read 0) */
	bool shut;			/* we ended ours: shutdown(SHUT_WR) */
	struct direct *d;
};

enum direct_state {
	D_RESOLVING,			/* a lookup under way */
	D_CONNECTING,			/* a connect() under way */
	D_RELAYING,
	D_CLOSED,			/* waiting for direct_reap() */
};

struct lookup;

struct direct {
	struct direct *prev, *next;	/* in the list of its state */
	enum direct_state state;
	uint64_t deadline;		/* resolving and connecting */
	const struct frontend *fe;
	char peer[64];
	char to[300];			/* the target, for logs */
	/* where the client reached us (not for tproxy): a loop, as a target */
	struct sockaddr_storage self;
	struct lookup *lookup;
	struct addrinfo *ai_list;	/* the lookup's answer, or NULL */
	struct addrinfo *ai_next;	/* the next address to try */
	struct addrinfo one;		/* an address target: its only address */
	struct sockaddr_storage one_addr;
	int err;			/* the last address's failure */
	const char *why;		/* or this, instead of strerror(err) */
	struct end cli, dst;
	struct dbuf up;			/* client to target */
	struct dbuf down;		/* target to client */
};

struct dlist {
	struct direct *head, *tail;
};

/*
 * connecting: D_RESOLVING and D_CONNECTING, in deadline order (each gets
 * the same timeout when it starts); closed: to free after the batch.
 */
static struct dlist connecting, relaying, closed;

/*
 * A lookup lives apart from its connection: a connection may end (its
 * deadline) while glibc still works on the lookup and holds its gaicb;
 * then the lookup stays, orphaned, until glibc is done with it.
 */
struct lookup {
	struct gaicb cb;
	struct addrinfo hints;
	char host[256], port[8];
	/* in the signal's value: not a pointer, which may be freed by then */
	uintptr_t id;
	struct direct *d;		/* NULL: orphaned */
	struct lookup *next;
};

static struct lookup *lookups;
static unsigned int n_lookups;
static uintptr_t last_lookup_id;

static struct dlist *list_for(enum direct_state state)
{
	switch (state) {
	case D_RESOLVING:
	case D_CONNECTING:
		return &connecting;
	case D_RELAYING:
		return &relaying;
	case D_CLOSED:
		break;
	}
	return &closed;
}

static void list_add(struct direct *d)
{
	struct dlist *l = list_for(d->state);

	d->next = NULL;
	d->prev = l->tail;
	if (l->tail)
		l->tail->next = d;
	else
		l->head = d;
	l->tail = d;
}

static void list_del(struct direct *d)
{
	struct dlist *l = list_for(d->state);

	if (d->prev)
		d->prev->next = d->next;
	else
		l->head = d->next;
	if (d->next)
		d->next->prev = d->prev;
	else
		l->tail = d->prev;
	d->prev = NULL;
	d->next = NULL;
}

/* within connecting, a connection keeps its place: its deadline's */
static void set_state(struct direct *d, enum direct_state state)
{
	if (list_for(state) == list_for(d->state)) {
		d->state = state;
		return;
	}
	list_del(d);
	d->state = state;
	list_add(d);
}

/* ---- the decision ---- */

/* A SOCKS5 address as a socket address: ATYP 1 or 4, or a numeric name. */
static bool target_sockaddr(const uint8_t *t, size_t tlen,
			    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	char name[256];
	uint16_t port;

	memset(ss, 0, sizeof(*ss));
	memcpy(&port, t + tlen - 2, 2);
	switch (t[0]) {
	case SOCKS5_ATYP_IPV4:
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, t + 1, 4);
		break;
	case SOCKS5_ATYP_IPV6:
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, t + 1, 16);
		break;
	default:
		memcpy(name, t + 2, t[1]);
		name[t[1]] = '\0';
		if (inet_pton(AF_INET, name, &sin->sin_addr) == 1)
			sin->sin_family = AF_INET;
		else if (inet_pton(AF_INET6, name, &sin6->sin6_addr) == 1)
			sin6->sin6_family = AF_INET6;
		else
			return false;
	}
	if (ss->ss_family == AF_INET) {
		sin->sin_port = port;
		*len = sizeof(*sin);
	} else {
		sin6->sin6_port = port;
		*len = sizeof(*sin6);
	}
	return true;
}

/*
 * libev's choice (acl_match_host() looks at the bypass list first): a
 * target the [bypass_list] names goes direct, in either mode; else one the
 * [proxy_list] names goes through the relay; else the mode decides
 * ([bypass_all]: direct; the default, [proxy_all]: the relay). A target
 * in both lists goes direct, as with libev, so that one file means the
 * same to both.
 *
 * A name is matched against the lists' names only: resolving it to match
 * the lists' networks too, as libev does, would stall every connection
 * to a name on a lookup, even those that end up in the kernel. A numeric
 * name ("127.0.0.1" as ATYP 3) is taken as the address it spells.
 */
/* does @l name the target (@ss if it is an address, else @name)? */
static bool acl_names(const struct acl_list *l,
		      const struct sockaddr_storage *ss, const char *name)
{
	if (!name && ss->ss_family == AF_INET)
		return acl_match_addr(l, AF_INET,
				      &((const struct sockaddr_in *)ss)->sin_addr);
	if (!name)
		return acl_match_addr(l, AF_INET6,
				      &((const struct sockaddr_in6 *)ss)->sin6_addr);
	return acl_match_name(l, name);
}

bool direct_wanted(const uint8_t *t, size_t tlen)
{
	struct sockaddr_storage ss;
	const char *n = NULL;
	socklen_t len;
	char name[256];

	if (!socksd.acl_file)
		return false;
	if (!target_sockaddr(t, tlen, &ss, &len)) {
		/*
		 * A name with a NUL byte could be matched (and resolved) only
		 * as the part before it: it is no name of ours to connect to,
		 * whatever the mode; the relay takes it, as without --acl.
		 */
		if (memchr(t + 2, '\0', t[1]))
			return false;
		memcpy(name, t + 2, t[1]);
		name[t[1]] = '\0';
		n = name;
	}
	if (acl_names(&socksd.acl.list[ACL_BYPASS], &ss, n))
		return true;
	if (acl_names(&socksd.acl.list[ACL_PROXY], &ss, n))
		return false;
	return socksd.acl.bypass_all;
}

/* ---- sockets ---- */

/* what epoll watches @e for: @want, 0 taking it out of the set */
static int watch(struct end *e, uint32_t want)
{
	struct epoll_event ev = { .events = want, .data.ptr = e };
	int op;

	if (want == e->events)
		return 0;
	/*
	 * Out of the set rather than watched for nothing: epoll reports a
	 * hang-up whatever was asked, so a level-triggered socket that hung
	 * up while we wait on the other side would wake the loop for ever.
	 */
	op = !want ? EPOLL_CTL_DEL : !e->events ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	if (epoll_ctl(socksd.epfd, op, e->fd, &ev) < 0) {
		pr_err("epoll_ctl: %s", strerror(errno));
		return -1;
	}
	e->events = want;
	return 0;
}

static void end_close(struct end *e, bool reset)
{
	static const struct linger now = { .l_onoff = 1, .l_linger = 0 };

	if (e->fd < 0)
		return;
	watch(e, 0);
	/* a reset, not an end of stream that would pass for a whole one */
	if (reset)
		setsockopt(e->fd, SOL_SOCKET, SO_LINGER, &now, sizeof(now));
	close(e->fd);
	e->fd = -1;
}

static void lookup_abandon(struct lookup *l);

static void direct_close(struct direct *d, bool reset)
{
	end_close(&d->cli, reset);
	end_close(&d->dst, reset);
	if (d->lookup) {
		lookup_abandon(d->lookup);
		d->lookup = NULL;
	}
	if (d->ai_list) {
		freeaddrinfo(d->ai_list);
		d->ai_list = NULL;
	}
	set_state(d, D_CLOSED);
	socksd.n_direct--;
	if (socksd.direct_full && socksd.n_direct < socksd.max_pending) {
		pr_err("direct connections below --max-pending again (%lu refused)",
		       socksd.direct_refused);
		socksd.direct_full = false;
		socksd.direct_refused = 0;
	}
}

/*
 * Refuse the client of a connection not made: a SOCKS5 client gets @rep;
 * a tunnel's or redir's, which believes it reached the target already, a
 * reset, the nearest thing to the refusal it would have met there.
 */
static void refuse(const struct frontend *fe, int fd, uint8_t rep)
{
	static const struct linger now = { .l_onoff = 1, .l_linger = 0 };
	uint8_t reply[SOCKS5_REPLY_MAX];
	size_t rlen;

	if (fe->kind == FE_SOCKS) {
		rlen = socks5_reply(rep, NULL, reply);
		send_all(fd, reply, rlen);
		close_after_reply(fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &now, sizeof(now));
	close(fd);
}

static uint8_t errno_rep(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return REP_CONN_REFUSED;
	case EHOSTUNREACH:
	case EHOSTDOWN:
	case ETIMEDOUT:
		return REP_HOST_UNREACHABLE;
	case ENETUNREACH:
	case ENETDOWN:
		return REP_NET_UNREACHABLE;
	default:
		return SOCKS5_REP_GENERAL_FAILURE;
	}
}

/* the connection cannot be made: tell the client, log with -v */
static void direct_fail(struct direct *d, uint8_t rep, const char *why)
{
	pr_verbose("%s: %s: bypass %s: %s", d->fe->name, d->peer, d->to, why);
	refuse(d->fe, d->cli.fd, rep);
	d->cli.fd = -1;
	direct_close(d, false);
}

static bool same_addr(const struct sockaddr *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)b;
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;
	const struct sockaddr_in *b4 = (const struct sockaddr_in *)b;

	if (a->sa_family != b->ss_family)
		return false;
	if (a->sa_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		       a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->sa_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		       IN6_ARE_ADDR_EQUAL(&a6->sin6_addr, &b6->sin6_addr);
	return false;
}

/* the next address: a connect() under way, or the failure told */
static void try_connect(struct direct *d)
{
	struct addrinfo *ai;
	int fd;

	while ((ai = d->ai_next)) {
		d->ai_next = ai->ai_next;
		/*
		 * A tunnel to its own address, say, would come back to it
		 * and be bypassed again, for ever: the connection that
		 * reaches a front end has that front end's address as its
		 * own, so no loop gets past its second turn.
		 */
		if (same_addr(ai->ai_addr, &d->self)) {
			d->why = "it is the address the client reached";
			continue;
		}
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    0);
		if (fd < 0) {
			d->err = errno;
			d->why = NULL;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
		    errno != EINPROGRESS) {
			d->err = errno;
			d->why = NULL;
			close(fd);
			continue;
		}
		/* even at once (loopback): its EPOLLOUT says so */
		d->dst.fd = fd;
		if (watch(&d->dst, EPOLLOUT) < 0) {
			d->err = errno;
			d->why = NULL;
			end_close(&d->dst, false);
			continue;
		}
		set_state(d, D_CONNECTING);
		return;
	}
	direct_fail(d, d->why ? SOCKS5_REP_GENERAL_FAILURE : errno_rep(d->err),
		    d->why ?: strerror(d->err));
}

static bool empty(const struct dbuf *b)
{
	return b->start == b->end;
}

static bool room(const struct dbuf *b)
{
	return b->end - b->start < sizeof(b->data);
}

/* what the sockets are watched for, and the ends of the directions */
static void relay_update(struct direct *d)
{
	uint32_t cli, dst;

	/* a direction ends once its source ended and all it sent went on */
	if (d->cli.eof && empty(&d->up) && !d->dst.shut) {
		shutdown(d->dst.fd, SHUT_WR);
		d->dst.shut = true;
	}
	if (d->dst.eof && empty(&d->down) && !d->cli.shut) {
		shutdown(d->cli.fd, SHUT_WR);
		d->cli.shut = true;
	}
	if (d->cli.shut && d->dst.shut) {
		direct_close(d, false);
		return;
	}
	cli = (!d->cli.eof && room(&d->up) ? EPOLLIN : 0) |
	      (!empty(&d->down) ? EPOLLOUT : 0);
	dst = (!d->dst.eof && room(&d->down) ? EPOLLIN : 0) |
	      (!empty(&d->up) ? EPOLLOUT : 0);
	if (watch(&d->cli, cli) < 0 || watch(&d->dst, dst) < 0)
		direct_close(d, true);
}

static void set_keepalive(int fd)
{
	int one = 1;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
}

static void connected(struct direct *d)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);

	/* BND: the address the connection to the target left from */
	if (d->fe->kind == FE_SOCKS) {
		if (getsockname(d->dst.fd, (struct sockaddr *)&local, &len) < 0)
			local.ss_family = AF_UNSPEC;
		d->down.end = socks5_reply(SOCKS5_REP_SUCCEEDED,
					   (struct sockaddr *)&local,
					   d->down.data);
	}
	/*
	 * No idle timeout here (the kernel's relays have the profile's):
	 * keepalive at least ends, in the system's time, a connection whose
	 * peer vanished, which would otherwise hold its place for ever.
	 */
	set_keepalive(d->cli.fd);
	set_keepalive(d->dst.fd);
	if (d->ai_list) {
		freeaddrinfo(d->ai_list);
		d->ai_list = NULL;
	}
	d->ai_next = NULL;
	set_state(d, D_RELAYING);
	relay_update(d);
}

static void connect_done(struct direct *d)
{
	socklen_t len = sizeof(d->err);

	if (getsockopt(d->dst.fd, SOL_SOCKET, SO_ERROR, &d->err, &len) < 0)
		d->err = errno;
	if (!d->err) {
		connected(d);
		return;
	}
	d->why = NULL;
	end_close(&d->dst, false);
	try_connect(d);
}

/* one read from @from into @b; -1 on an error (in errno) */
static int pull(struct end *from, struct dbuf *b)
{
	ssize_t n;

	if (b->end == sizeof(b->data)) {
		memmove(b->data, b->data + b->start, b->end - b->start);
		b->end -= b->start;
		b->start = 0;
	}
	n = recv(from->fd, b->data + b->end, sizeof(b->data) - b->end, 0);
	if (n > 0)
		b->end += (size_t)n;
	else if (!n)
		from->eof = true;
	else if (errno != EAGAIN && errno != EINTR)
		return -1;
	return 0;
}

/* one write of @b to @to; -1 on an error (in errno) */
static int push(struct end *to, struct dbuf *b)
{
	ssize_t n;

	if (empty(b))
		return 0;
	n = send(to->fd, b->data + b->start, b->end - b->start, MSG_NOSIGNAL);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	b->start += (size_t)n;
	if (empty(b)) {
		b->start = 0;
		b->end = 0;
	}
	return 0;
}

/*
 * One read and one write at most per event, so that a fast connection
 * does not starve the others; level-triggered epoll calls again.
 */
static void relay(struct direct *d, struct end *e, uint32_t ev)
{
	bool is_cli = e == &d->cli;
	struct end *other = is_cli ? &d->dst : &d->cli;
	struct dbuf *from_e = is_cli ? &d->up : &d->down;
	struct dbuf *to_e = is_cli ? &d->down : &d->up;

	/* a hang-up or an error shows in the read or write it lets through */
	if ((e->events & EPOLLIN) && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		/*
		 * What was read goes on at once: the other side is most
		 * often writable, and a wait for it would cost a round.
		 */
		if (pull(e, from_e) < 0 || push(other, from_e) < 0)
			goto fail;
	}
	if ((e->events & EPOLLOUT) && (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR))) {
		if (push(e, to_e) < 0)
			goto fail;
	}
	relay_update(d);
	return;
fail:
	pr_verbose("%s: %s: bypass %s: %s", d->fe->name, d->peer, d->to,
		   strerror(errno));
	direct_close(d, true);
}

void direct_event(void *src, uint32_t events)
{
	struct end *e = src;
	struct direct *d = e->d;

	switch (d->state) {
	case D_CONNECTING:
		if (e == &d->dst)
			connect_done(d);
		return;
	case D_RELAYING:
		relay(d, e, events);
		return;
	case D_RESOLVING:	/* nothing watched */
	case D_CLOSED:		/* ended earlier in this batch */
		return;
	}
}

/* ---- names ---- */

static void lookup_start(struct direct *d, const char *name, uint16_t port)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL };
	struct gaicb *list[1];
	struct lookup *l;
	int ret;

	/*
	 * Orphans too: while DNS does not answer, each waits its full
	 * timeout, and the queue would grow as fast as clients ask.
	 */
	if (n_lookups >= socksd.max_pending) {
		direct_fail(d, SOCKS5_REP_GENERAL_FAILURE,
			    "too many name lookups under way (--max-pending)");
		return;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		direct_fail(d, SOCKS5_REP_GENERAL_FAILURE, "out of memory");
		return;
	}
	snprintf(l->host, sizeof(l->host), "%s", name);
	snprintf(l->port, sizeof(l->port), "%u", port);
	l->hints.ai_family = AF_UNSPEC;
	l->hints.ai_socktype = SOCK_STREAM;
	/* no AAAA answers to try on a host without IPv6, and vice versa */
	l->hints.ai_flags = AI_ADDRCONFIG;
	l->cb.ar_name = l->host;
	l->cb.ar_service = l->port;
	l->cb.ar_request = &l->hints;
	l->id = ++last_lookup_id;
	l->d = d;
	sev.sigev_signo = DIRECT_SIGNAL;
	sev.sigev_value.sival_ptr = (void *)l->id;
	list[0] = &l->cb;
	ret = getaddrinfo_a(GAI_NOWAIT, list, 1, &sev);
	if (ret) {
		/* glibc signals even this: the id will not be found */
		free(l);
		direct_fail(d, SOCKS5_REP_GENERAL_FAILURE,
			    ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret));
		return;
	}
	l->next = lookups;
	lookups = l;
	n_lookups++;
	d->lookup = l;
	set_state(d, D_RESOLVING);
}

/* the connection no longer wants the answer (see the top) */
static void lookup_abandon(struct lookup *l)
{
	l->d = NULL;
}

/*
 * DIRECT_SIGNAL, from the signalfd: the lookup of id @id is done. Its
 * answer is read only now: glibc writes it before it sends the signal.
 */
void direct_resolved(int32_t code, uint64_t id)
{
	struct lookup *l, **pp;
	struct direct *d;
	int err;

	if (code != SI_ASYNCNL)
		return;
	for (pp = &lookups; (l = *pp); pp = &l->next)
		if (l->id == id)
			break;
	/* one whose getaddrinfo_a() failed: glibc signals even those */
	if (!l)
		return;
	err = gai_error(&l->cb);
	if (err == EAI_INPROGRESS)
		return;
	*pp = l->next;
	n_lookups--;
	d = l->d;
	if (!d) {
		if (!err)
			freeaddrinfo(l->cb.ar_result);
		free(l);
		return;
	}
	d->lookup = NULL;
	if (err) {
		free(l);
		/* no such name, or no answer: no host to reach */
		direct_fail(d, err == EAI_SYSTEM || err == EAI_MEMORY ?
			    SOCKS5_REP_GENERAL_FAILURE : REP_HOST_UNREACHABLE,
			    gai_strerror(err));
		return;
	}
	d->ai_list = l->cb.ar_result;
	d->ai_next = d->ai_list;
	free(l);
	d->err = EHOSTUNREACH;		/* if no address is usable */
	try_connect(d);
}

/* ---- connections ---- */

/*
 * direct_start() - connect @fd's client to @target, and relay
 * @data (the bytes read past a SOCKS5 request) first. Takes @fd.
 */
void direct_start(const struct frontend *fe, int fd, const char *peer,
		  const uint8_t *target, size_t tlen, const uint8_t *data,
		  size_t dlen)
{
	char to[300], name[256];
	socklen_t len;
	struct direct *d;
	uint16_t port;

	socks5_addr_string(target, tlen, to, sizeof(to));
	pr_verbose("%s: %s: bypass %s (acl)", fe->name, peer, to);
	if (socksd.n_direct >= socksd.max_pending) {
		if (!socksd.direct_full)
			pr_err("%u direct connections (--max-pending): refusing new ones that --acl bypasses",
			       socksd.n_direct);
		socksd.direct_full = true;
		socksd.direct_refused++;
		refuse(fe, fd, SOCKS5_REP_GENERAL_FAILURE);
		return;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		pr_err("%s: %s: out of memory", fe->name, peer);
		refuse(fe, fd, SOCKS5_REP_GENERAL_FAILURE);
		return;
	}
	d->fe = fe;
	snprintf(d->peer, sizeof(d->peer), "%s", peer);
	snprintf(d->to, sizeof(d->to), "%s", to);
	d->cli = (struct end){ .type = SRC_DIRECT, .fd = fd, .d = d };
	d->dst = (struct end){ .type = SRC_DIRECT, .fd = -1, .d = d };
	/*
	 * tproxy leaves a connection its original destination as its own
	 * address: that is the target itself (tproxy_dst() refused those
	 * that came straight to the front end).
	 */
	len = sizeof(d->self);
	if (fe->tproxy ||
	    getsockname(fd, (struct sockaddr *)&d->self, &len) < 0)
		d->self.ss_family = AF_UNSPEC;
	if (dlen)
		memcpy(d->up.data, data, dlen);
	d->up.end = dlen;
	d->deadline = now_ms() + (uint64_t)socksd.handshake_timeout * 1000;
	d->state = D_CONNECTING;
	list_add(d);
	socksd.n_direct++;

	if (target_sockaddr(target, tlen, &d->one_addr, &len)) {
		d->one.ai_family = d->one_addr.ss_family;
		d->one.ai_socktype = SOCK_STREAM;
		d->one.ai_addr = (struct sockaddr *)&d->one_addr;
		d->one.ai_addrlen = len;
		d->ai_next = &d->one;
		try_connect(d);
		return;
	}
	memcpy(name, target + 2, target[1]);
	name[target[1]] = '\0';
	memcpy(&port, target + tlen - 2, 2);
	lookup_start(d, name, ntohs(port));
}

/* the deadlines of lookups and connects; the time to the next, in ms */
int direct_tick(void)
{
	uint64_t now = now_ms();
	char why[80];

	direct_reap();
	while (connecting.head && connecting.head->deadline <= now) {
		struct direct *d = connecting.head;

		snprintf(why, sizeof(why), "%s took over %u s (--handshake-timeout)",
			 d->state == D_RESOLVING ? "the name lookup" : "connecting",
			 socksd.handshake_timeout);
		direct_fail(d, REP_HOST_UNREACHABLE, why);
	}
	direct_reap();
	return connecting.head ? (int)(connecting.head->deadline - now) : -1;
}

/* free what ended: after a batch of events, none of which points at it */
void direct_reap(void)
{
	while (closed.head) {
		struct direct *d = closed.head;

		list_del(d);
		free(d);
	}
}

/*
 * On the way out: the direct connections end with ss-socksd. One under
 * way is reset: an end of stream would pass for the whole answer.
 */
void direct_cleanup(void)
{
	socksd.direct_full = false;	/* no "below --max-pending" now */
	while (connecting.head)
		direct_close(connecting.head, false);
	while (relaying.head)
		direct_close(relaying.head, true);
	direct_reap();
	/* lookups glibc still works on are left to it: we exit */
}
