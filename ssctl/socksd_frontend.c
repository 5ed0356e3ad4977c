// SPDX-License-Identifier: GPL-2.0
/*
 * ss-socksd's front ends: the listeners (socks, tunnel, redir), accepting
 * with a pause when out of descriptors, and the SOCKS5 handshake of each
 * connection a socks front end accepts, bounded by --handshake-timeout and
 * --max-pending. A tunnel's or redir's connection, and a SOCKS5 one once
 * its request is read, goes to socksd_handoff.c, or to socksd_direct.c if
 * --acl bypasses its target.
 */
#define _GNU_SOURCE	/* accept4 */
#include <arpa/inet.h>	/* before the netfilter headers, as they need */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <openssl/crypto.h>

#include "socksd.h"

#define ACCEPT_BATCH 64		/* accepts per listener per wakeup */
#define ACCEPT_PAUSE_MS 1000	/* after EMFILE and the like */
#define DRAIN_MAX 65536		/* bytes read and dropped before a close */

static const char *const fe_names[] = {
	[FE_SOCKS] = "socks", [FE_TUNNEL] = "tunnel", [FE_REDIR] = "redir",
};

static void sockaddr_string(const struct sockaddr *sa, char *buf, size_t size)
{
	uint8_t a[SOCKS5_ADDR_MAX];
	size_t len = socks5_addr_from_sockaddr(sa, a);

	socks5_addr_string(a, len, buf, size);
}

int open_listener(struct frontend *fe)
{
	char addr[80];
	int one = 1;

	sockaddr_string((struct sockaddr *)&fe->addr, addr, sizeof(addr));
	snprintf(fe->name, sizeof(fe->name), "%s %s%s%s", fe_names[fe->kind],
		 addr, fe->tproxy ? " tproxy" : "", fe->udp ? " udp" : "");
	if (fe->udp)
		return open_udp_relay(fe, addr);
	fe->fd = socket(fe->addr.ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fe->fd < 0)
		goto err;
	setsockopt(fe->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::]:PORT and 0.0.0.0:PORT are separate front ends */
	if (fe->addr.ss_family == AF_INET6)
		setsockopt(fe->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (fe->tproxy && set_transparent(fe->fd, fe->addr.ss_family, false) < 0)
		goto err;
	if (bind(fe->fd, (struct sockaddr *)&fe->addr, fe->addr_len) < 0 ||
	    listen(fe->fd, SOMAXCONN) < 0)
		goto err;
	return 0;
err:
	pr_err("cannot listen on %s (%s): %s", addr, fe_names[fe->kind],
	       strerror(errno));
	return EXIT_RUNTIME;
}

bool send_all(int fd, const uint8_t *buf, size_t len)
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
void close_after_reply(int fd)
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

void conn_free(struct conn *c)
{
	if (c == socksd.head)
		socksd.head = c->next;
	else
		c->prev->next = c->next;
	if (c == socksd.tail)
		socksd.tail = c->prev;
	else
		c->next->prev = c->prev;
	socksd.n_pending--;
	if (socksd.full && socksd.n_pending < socksd.max_pending) {
		pr_err("pending handshakes below --max-pending again (%lu connections refused)",
		       socksd.refused);
		socksd.full = false;
		socksd.refused = 0;
	}
	OPENSSL_cleanse(c->buf, sizeof(c->buf));
	free(c);
}

/* the fd is closed by the caller (close, or close_after_reply) */
static void conn_end(struct conn *c)
{
	epoll_ctl(socksd.epfd, EPOLL_CTL_DEL, c->fd, NULL);
	conn_free(c);
}

static void conn_connect(struct conn *c, size_t used)
{
	uint8_t reply[SOCKS5_REPLY_MAX];
	struct sockaddr_storage local;
	socklen_t local_len = sizeof(local);
	size_t rlen;
	int fd = c->fd;

	if (direct_wanted(c->s5.target, c->s5.target_len)) {
		epoll_ctl(socksd.epfd, EPOLL_CTL_DEL, fd, NULL);
		direct_start(c->fe, fd, c->peer, c->s5.target,
			     c->s5.target_len, c->buf + used, c->len - used);
		conn_free(c);
		return;
	}
	/* BND: the address the client reached us at */
	if (getsockname(fd, (struct sockaddr *)&local, &local_len) < 0)
		local.ss_family = AF_UNSPEC;
	rlen = socks5_reply(SOCKS5_REP_SUCCEEDED, (struct sockaddr *)&local,
			    reply);
	epoll_ctl(socksd.epfd, EPOLL_CTL_DEL, fd, NULL);
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

	epoll_ctl(socksd.epfd, EPOLL_CTL_DEL, fd, NULL);
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
	if (ipc_udp_relay_new(socksd.profile, ufd, fd, IPC_UDP_SOCKS5, NULL, 0,
			      source, slen, reply, rlen, &e) < 0) {
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

void conn_readable(struct conn *c)
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
		switch (socks5_step(&c->s5, &socksd.auth, c->buf, c->len, &used,
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
int expire(void)
{
	uint64_t now = now_ms();
	int timeout = -1;

	while (socksd.head && socksd.head->deadline <= now) {
		struct conn *c = socksd.head;
		int fd = c->fd;

		pr_verbose("%s: %s: handshake timeout", c->fe->name, c->peer);
		conn_end(c);
		close(fd);
	}
	if (socksd.head)
		timeout = (int)(socksd.head->deadline - now);
	if (socksd.accept_paused_until) {
		if (socksd.accept_paused_until <= now) {
			socksd.accept_paused_until = 0;
			for (size_t i = 0; i < socksd.n_fe; i++)
				if (!socksd.fe[i].udp)
					epoll_add(socksd.fe[i].fd, &socksd.fe[i]);
		} else if (timeout < 0 ||
			   socksd.accept_paused_until - now < (uint64_t)timeout) {
			timeout = (int)(socksd.accept_paused_until - now);
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
	for (size_t i = 0; i < socksd.n_fe; i++)
		if (!socksd.fe[i].udp)
			epoll_ctl(socksd.epfd, EPOLL_CTL_DEL, socksd.fe[i].fd, NULL);
	socksd.accept_paused_until = now_ms() + ACCEPT_PAUSE_MS;
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

/*
 * --redir ...,tproxy: tproxy leaves the destination alone, so a diverted
 * connection's own local address is where it was going. A connection to
 * the listener's port on one of our addresses came straight to us instead:
 * relaying it would bring it back here through the server, for ever.
 */
static size_t tproxy_dst(const struct frontend *fe, int fd,
			 uint8_t target[SOCKS5_ADDR_MAX])
{
	const struct sockaddr_in6 *fe6 = (const struct sockaddr_in6 *)&fe->addr;
	const struct sockaddr_in *fe4 = (const struct sockaddr_in *)&fe->addr;
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	bool self;

	memset(&local, 0, sizeof(local));
	if (getsockname(fd, (struct sockaddr *)&local, &len) < 0)
		return 0;
	if (local.ss_family == AF_INET6)
		self = ((struct sockaddr_in6 *)&local)->sin6_port == fe6->sin6_port &&
		       (IN6_IS_ADDR_UNSPECIFIED(&fe6->sin6_addr) ||
			IN6_ARE_ADDR_EQUAL(&fe6->sin6_addr,
					   &((struct sockaddr_in6 *)&local)->sin6_addr));
	else
		self = ((struct sockaddr_in *)&local)->sin_port == fe4->sin_port &&
		       (fe4->sin_addr.s_addr == htonl(INADDR_ANY) ||
			fe4->sin_addr.s_addr ==
			((struct sockaddr_in *)&local)->sin_addr.s_addr);
	if (self) {
		errno = EDESTADDRREQ;
		return 0;
	}
	return socks5_addr_from_sockaddr((struct sockaddr *)&local, target);
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
		if (direct_wanted(fe->target, fe->target_len)) {
			direct_start(fe, fd, peer, fe->target, fe->target_len,
				     NULL, 0);
			return;
		}
		handoff(fe, fd, peer, fe->target, fe->target_len, NULL, 0,
			NULL, 0);
		close(fd);
		return;
	case FE_REDIR:
		tlen = fe->tproxy ? tproxy_dst(fe, fd, target) :
				    original_dst(fd, target);
		if (!tlen) {
			pr_err(fe->tproxy ?
			       "%s: %s: no original destination (%s): is the connection diverted by netfilter's tproxy?" :
			       "%s: %s: no original destination (%s): is the connection redirected by netfilter?",
			       fe->name, peer,
			       errno == EDESTADDRREQ ? "it is this socket" :
			       strerror(errno));
			close(fd);
			return;
		}
		if (direct_wanted(target, tlen)) {
			direct_start(fe, fd, peer, target, tlen, NULL, 0);
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
	if (socksd.n_pending >= socksd.max_pending) {
		if (!socksd.full)
			pr_err("%u handshakes pending (--max-pending): closing new connections",
			       socksd.n_pending);
		socksd.full = true;
		socksd.refused++;
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
	c->deadline = now_ms() + (uint64_t)socksd.handshake_timeout * 1000;
	socks5_init(&c->s5);
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	c->prev = socksd.tail;
	if (socksd.tail)
		socksd.tail->next = c;
	else
		socksd.head = c;
	socksd.tail = c;
	socksd.n_pending++;
	epoll_add(fd, c);
}

void listener_readable(struct frontend *fe)
{
	for (int i = 0; i < ACCEPT_BATCH && !socksd.accept_paused_until; i++) {
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
