// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for ipc.c, linked into tests/socksd-fake so that ss-socksd's
 * loop, front ends and replies can be tested on a host without the module
 * (tests/socksd-test.py). Its "kernel":
 *
 *   - knows the client profiles "p" (192.0.2.1 port 8388 aes-256-gcm) and
 *     "fail"; any other name is -ENOENT, and ipc_add() succeeds for it;
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
 *     for good.
 */
#include <arpa/inet.h>
#include <errno.h>
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

int ipc_add(const struct ss_config *cfg, struct ipc_error *e)
{
	memset(e, 0, sizeof(*e));
	if (known(cfg->name)) {
		e->err = EEXIST;
		return -1;
	}
	return 0;
}

int ipc_del(enum ss_kind kind, const char *name, struct ipc_error *e)
{
	(void)kind;
	(void)name;
	memset(e, 0, sizeof(*e));
	e->err = EPERM;
	return -1;
}

int ipc_get(enum ss_kind kind, const char *name, struct ss_object_list *list,
	    struct ipc_error *e)
{
	struct ss_object *o;

	memset(e, 0, sizeof(*e));
	memset(list, 0, sizeof(*list));
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

void ipc_report(const struct ipc_error *e, enum ss_kind kind,
		const char *action, const char *name, const char *method)
{
	(void)method;
	pr_err("cannot %s %s '%s': %s", action, kind_name(kind),
	       name ? name : "", strerror(e->err));
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
		      const uint8_t *target, size_t tlen,
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
	    (target && socks5_addr_valid(target, tlen) != tlen) ||
	    (rlen && ctrl_fd < 0) || rlen > SS_RELAY_REPLY_MAX) {
		e->err = EINVAL;
		snprintf(e->msg, sizeof(e->msg), "invalid attribute");
		return -1;
	}
	socks5_addr_string(a, (size_t)n, bound, sizeof(bound));
	if (target) {
		socks5_addr_string(target, tlen, to, sizeof(to));
		pr_err("fake: UDP tunnel %s -> %s", bound, to);
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
