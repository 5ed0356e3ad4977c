// SPDX-License-Identifier: GPL-2.0
/*
 * ss-socksd's handoff to the kernel: a connection with its target
 * (SS_CMD_RELAY_NEW), and a UDP tunnel's or transparent UDP front end's
 * socket with one end of a socket pair (SS_CMD_UDP_RELAY_NEW); how a
 * failed request is told in the log.
 * From then on only the kernel touches the bytes.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/errno.h>

#include "socksd.h"

/*
 * A transparent front end's socket: tproxy diverts to it what was going
 * elsewhere (IP_TRANSPARENT, CAP_NET_ADMIN), and each datagram's original
 * destination comes with it (IP_RECVORIGDSTADDR).
 */
int set_transparent(int fd, int family, bool udp)
{
	int one = 1;

	if (family == AF_INET6)
		return setsockopt(fd, SOL_IPV6, IPV6_TRANSPARENT, &one,
				  sizeof(one)) ?:
		       (udp ? setsockopt(fd, SOL_IPV6, IPV6_RECVORIGDSTADDR,
					 &one, sizeof(one)) : 0);
	return setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one)) ?:
	       (udp ? setsockopt(fd, SOL_IP, IP_RECVORIGDSTADDR, &one,
				 sizeof(one)) : 0);
}

/*
 * A UDP tunnel or transparent UDP front end: bind, and hand the socket
 * over at once with one end of a socket pair; we keep the other (in
 * fe->fd) until we exit.
 */
int open_udp_relay(struct frontend *fe, const char *addr)
{
	char to[300], why[400];
	struct ipc_error e;
	int one = 1, pair[2], fd;

	fd = socket(fe->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	if (fe->addr.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (fe->tproxy && set_transparent(fd, fe->addr.ss_family, true) < 0)
		goto err_close;
	if (bind(fd, (struct sockaddr *)&fe->addr, fe->addr_len) < 0)
		goto err_close;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		goto err_close;
	if (fe->tproxy)
		snprintf(to, sizeof(to), "original destinations");
	else
		socks5_addr_string(fe->target, fe->target_len, to, sizeof(to));
	if (ipc_udp_relay_new(socksd.profile, fd, pair[1],
			      fe->tproxy ? IPC_UDP_TPROXY : IPC_UDP_TUNNEL,
			      fe->target, fe->target_len, NULL, 0, NULL, 0,
			      &e) < 0) {
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
	pr_err("cannot bind %s (%s): %s", addr,
	       fe->tproxy ? "udp tproxy" : "udp tunnel", strerror(errno));
	return EXIT_RUNTIME;
}

void describe_error(const struct ipc_error *e, char *buf, size_t size)
{
	if (e->no_family)
		snprintf(buf, size, "the shadowsocks kernel module is not loaded");
	else if (e->nl_err)
		snprintf(buf, size, "%s", nl_geterror(e->nl_err));
	else if (e->msg[0])
		snprintf(buf, size, "%s (%s)", e->msg, strerror(e->err));
	else if (e->err == ENOENT)
		snprintf(buf, size, "no client profile named '%s'", socksd.profile);
	else
		snprintf(buf, size, "%s", strerror(e->err));
}

/* SS_CMD_RELAY_NEW; logs; the caller closes @fd either way */
int handoff(const struct frontend *fe, int fd, const char *peer,
	    const uint8_t *target, size_t tlen, const uint8_t *data,
	    size_t dlen, const uint8_t *reply, size_t rlen)
{
	char to[300], why[400];
	struct ipc_error e;

	socks5_addr_string(target, tlen, to, sizeof(to));
	if (ipc_relay_new(socksd.tcp_profile, fd, target, tlen, data, dlen,
			  reply, rlen, &e) < 0) {
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
