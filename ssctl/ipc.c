// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel interface, over libnl-genl.
 *
 * Every request opens its own socket (but SS_CMD_RELAY_NEW, which keeps one:
 * see ipc_relay_new(); and batch mode keeps one for all: see
 * ipc_keep_socket()), resolves the family (which makes the kernel load
 * the module through its "net-pf-16-proto-16-family-shadowsocks" alias),
 * sends one message and reads until the ACK, the error or the end of the
 * dump. The error handler keeps the raw errno and the extended ACK
 * message, which libnl would otherwise fold into its own error codes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <openssl/crypto.h>

#include "ipc.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* a dump that keeps being interrupted by changes is retried this often */
#define DUMP_TRIES 10

struct request {
	enum ss_kind kind;
	struct ss_object_list *list;	/* replies go here; may be NULL */
	struct ss_user_list *users;	/* or, for users, here */
	struct ss_export *export;	/* or, for CLIENT_EXPORT, here */
	struct ipc_error *e;
	bool done;
	bool interrupted;		/* NLM_F_DUMP_INTR seen */
	size_t msg_size;		/* the request's, 0: one page */
};

static struct nla_policy attr_policy[SS_A_MAX + 1] = {
	[SS_A_NAME]		= { .type = NLA_STRING, .maxlen = SS_NAME_MAX },
	[SS_A_LISTEN_IPV4]	= { .minlen = sizeof(struct in_addr) },
	[SS_A_LISTEN_IPV6]	= { .minlen = sizeof(struct in6_addr) },
	[SS_A_REMOTE_IPV4]	= { .minlen = sizeof(struct in_addr) },
	[SS_A_REMOTE_IPV6]	= { .minlen = sizeof(struct in6_addr) },
	[SS_A_PORT]		= { .type = NLA_U16 },
	[SS_A_METHOD]		= { .type = NLA_U32 },
	[SS_A_MODE]		= { .type = NLA_U32 },
	[SS_A_TIMEOUT]		= { .type = NLA_U32 },
	[SS_A_STATS]		= { .type = NLA_NESTED },
	[SS_A_HANDSHAKE_TIMEOUT] = { .type = NLA_U32 },
	[SS_A_MAX_CONNS]	= { .type = NLA_U32 },
	[SS_A_ALLOW_LOCAL]	= { .type = NLA_U8 },
	[SS_A_USER]		= { .type = NLA_STRING, .maxlen = SS_NAME_MAX },
	[SS_A_USERS]		= { .type = NLA_U32 },
	[SS_A_ACL]		= { .type = NLA_NESTED },
	[SS_A_KEY]		= { .maxlen = SS_KEY_MAX_LEN },
	[SS_A_IDENTITY_KEY]	= { .maxlen = SS_KEY_MAX_LEN },
	[SS_A_PASSWORD]		= { .maxlen = SS_PASSWORD_MAX_LEN },
};

/*
 * The TLVs of an NLMSG_ERROR or NLMSG_DONE message start after @hlen bytes
 * of payload; keep the NLMSGERR_ATTR_MSG string.
 */
static void extack_parse(const struct nlmsghdr *nlh, size_t hlen,
			 struct ipc_error *e)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t payload = nlh->nlmsg_len - NLMSG_HDRLEN;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || payload <= hlen)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)NLMSG_DATA(nlh) + NLMSG_ALIGN(hlen)),
		      (int)(payload - NLMSG_ALIGN(hlen)), NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(e->msg, tb[NLMSGERR_ATTR_MSG], sizeof(e->msg));
}

static int error_cb(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct request *req = arg;
	size_t hlen = sizeof(*err);

	(void)nla;
	/* without NETLINK_CAP_ACK the request is echoed before the TLVs */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hlen += err->msg.nlmsg_len - NLMSG_HDRLEN;
	req->e->err = -err->error;
	extack_parse(nlh, hlen, req->e);
	req->done = true;
	return NL_STOP;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

/* NLMSG_DONE carries the dump's final status, and may carry an extack */
static int finish_cb(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct request *req = arg;
	int status;

	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(status))) {
		memcpy(&status, NLMSG_DATA(nlh), sizeof(status));
		if (status < 0) {
			req->e->err = -status;
			extack_parse(nlh, sizeof(status), req->e);
		}
	}
	req->done = true;
	return NL_STOP;
}

/*
 * Every counter is a u64 named by its SS_STATS_A_* type: no table to keep
 * in step with the spec. A newer kernel's counters, beyond SS_STATS_A_MAX,
 * are skipped.
 */
static int parse_stats(struct nlattr *nest, struct ss_stats *stats)
{
	struct nlattr *ctr;
	int rem;

	nla_for_each_nested(ctr, nest, rem) {
		int type = nla_type(ctr);

		if (type <= SS_STATS_A_PAD || type > SS_STATS_A_MAX)
			continue;
		if (nla_len(ctr) != sizeof(uint64_t))
			return -1;
		stats->ctr[type] = nla_get_u64(ctr);
		stats->sent[type] = true;
	}
	return 0;
}

static int parse_object(struct nl_msg *msg, struct ss_object *obj)
{
	struct nlattr *tb[SS_A_MAX + 1];
	int v4, v6;

	memset(obj, 0, sizeof(*obj));
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, SS_A_MAX, attr_policy) < 0 ||
	    !tb[SS_A_NAME])
		return -1;
	nla_strlcpy(obj->name, tb[SS_A_NAME], sizeof(obj->name));

	v4 = tb[SS_A_LISTEN_IPV4] ? SS_A_LISTEN_IPV4 : SS_A_REMOTE_IPV4;
	v6 = tb[SS_A_LISTEN_IPV6] ? SS_A_LISTEN_IPV6 : SS_A_REMOTE_IPV6;
	if (tb[v4]) {
		obj->has_ipv4 = true;
		memcpy(&obj->ipv4, nla_data(tb[v4]), sizeof(obj->ipv4));
	}
	if (tb[v6]) {
		obj->has_ipv6 = true;
		memcpy(&obj->ipv6, nla_data(tb[v6]), sizeof(obj->ipv6));
	}
	if (tb[SS_A_PORT])
		obj->port = nla_get_u16(tb[SS_A_PORT]);
	if (tb[SS_A_METHOD])
		obj->method = nla_get_u32(tb[SS_A_METHOD]);
	if (tb[SS_A_MODE]) {
		obj->has_mode = true;
		obj->mode = nla_get_u32(tb[SS_A_MODE]);
	}
	if (tb[SS_A_TIMEOUT])
		obj->timeout = nla_get_u32(tb[SS_A_TIMEOUT]);
	/* servers and client profiles; a kernel too old for them has neither */
	if (tb[SS_A_HANDSHAKE_TIMEOUT] && tb[SS_A_MAX_CONNS]) {
		obj->has_limits = true;
		obj->handshake_timeout = nla_get_u32(tb[SS_A_HANDSHAKE_TIMEOUT]);
		obj->max_conns = nla_get_u32(tb[SS_A_MAX_CONNS]);
	}
	if (tb[SS_A_ALLOW_LOCAL]) {	/* servers only */
		obj->has_allow_local = true;
		obj->allow_local = nla_get_u8(tb[SS_A_ALLOW_LOCAL]);
	}
	if (tb[SS_A_USERS]) {		/* servers that can have users */
		obj->has_users = true;
		obj->users = nla_get_u32(tb[SS_A_USERS]);
	}
	if (tb[SS_A_ACL]) {		/* servers with an ACL */
		struct nlattr *acl[SS_ACL_A_MAX + 1];

		if (nla_parse_nested(acl, SS_ACL_A_MAX, tb[SS_A_ACL], NULL) == 0 &&
		    acl[SS_ACL_A_RULES] &&
		    nla_len(acl[SS_ACL_A_RULES]) >= (int)sizeof(uint32_t)) {
			obj->has_acl = true;
			obj->acl_rules = nla_get_u32(acl[SS_ACL_A_RULES]);
		}
	}
	if (tb[SS_A_STATS])
		return parse_stats(tb[SS_A_STATS], &obj->stats);
	return 0;
}

static int parse_user(struct nl_msg *msg, struct ss_user *user)
{
	struct nlattr *tb[SS_A_MAX + 1];

	memset(user, 0, sizeof(*user));
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, SS_A_MAX, attr_policy) < 0 ||
	    !tb[SS_A_NAME] || !tb[SS_A_USER])
		return -1;
	nla_strlcpy(user->server, tb[SS_A_NAME], sizeof(user->server));
	nla_strlcpy(user->name, tb[SS_A_USER], sizeof(user->name));
	if (tb[SS_A_STATS])
		return parse_stats(tb[SS_A_STATS], &user->stats);
	return 0;
}

/* CLIENT_EXPORT's reply: the profile, then its secrets */
static int parse_export(struct nl_msg *msg, struct ss_export *x)
{
	struct nlattr *tb[SS_A_MAX + 1];
	int ret = -1;

	if (parse_object(msg, &x->obj) < 0 ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, SS_A_MAX, attr_policy) < 0 ||
	    !tb[SS_A_KEY])
		goto out;
	x->key_len = (size_t)nla_len(tb[SS_A_KEY]);
	memcpy(x->key, nla_data(tb[SS_A_KEY]), x->key_len);
	if (tb[SS_A_IDENTITY_KEY]) {
		if (nla_len(tb[SS_A_IDENTITY_KEY]) != (int)x->key_len)
			goto out;
		x->has_ikey = true;
		memcpy(x->ikey, nla_data(tb[SS_A_IDENTITY_KEY]), x->key_len);
	}
	if (tb[SS_A_PASSWORD]) {
		x->password_len = (size_t)nla_len(tb[SS_A_PASSWORD]);
		memcpy(x->password, nla_data(tb[SS_A_PASSWORD]),
		       x->password_len);
		x->password[x->password_len] = '\0';
	}
	ret = 0;
out:
	/* libnl's copy of the reply is freed after this: wipe it first */
	OPENSSL_cleanse(nlmsg_data(nlmsg_hdr(msg)),
			(size_t)nlmsg_datalen(nlmsg_hdr(msg)));
	return ret;
}

/*
 * @items, @len of @size bytes each, with room for one more: @items itself,
 * or moved, with *@cap updated; NULL when out of memory (@items is kept)
 */
static void *list_grow(void *items, size_t len, size_t *cap, size_t size)
{
	size_t c = *cap ? *cap * 2 : 64;
	void *p;

	if (len < *cap)
		return items;
	p = reallocarray(items, c, size);
	if (p)
		*cap = c;
	return p;
}

/* a user's reply; a dump of 100000 users is as many messages */
static int user_cb(struct nl_msg *msg, struct request *req)
{
	struct ss_user_list *list = req->users;
	struct ss_user *items;

	items = list_grow(list->items, list->len, &list->cap, sizeof(*items));
	if (!items) {
		req->e->err = ENOMEM;
		return NL_STOP;
	}
	list->items = items;
	if (parse_user(msg, &list->items[list->len]) < 0) {
		req->e->err = EBADMSG;
		return NL_STOP;
	}
	list->len++;
	return NL_OK;
}

/* one reply: one object; a dump sends many, over many messages */
static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	struct ss_object_list *list = req->list;
	struct ss_object *items;

	if (nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP_INTR)
		req->interrupted = true;
	if (req->users)
		return user_cb(msg, req);
	if (req->export) {
		if (parse_export(msg, req->export) < 0) {
			req->e->err = EBADMSG;
			return NL_STOP;
		}
		return NL_OK;
	}
	if (!list)
		return NL_OK;
	items = list_grow(list->items, list->len, &list->cap, sizeof(*items));
	if (!items) {
		req->e->err = ENOMEM;
		return NL_STOP;
	}
	list->items = items;
	if (parse_object(msg, &list->items[list->len]) < 0) {
		req->e->err = EBADMSG;
		return NL_STOP;
	}
	list->len++;
	return NL_OK;
}

static struct nl_sock *ipc_open(int *family, struct ipc_error *e)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, ret;

	if (!sk) {
		e->nl_err = NLE_NOMEM;
		return NULL;
	}
	ret = genl_connect(sk);
	if (ret < 0) {
		e->nl_err = ret;
		goto err;
	}
	/*
	 * Extended ACKs carry the kernel's reason for a rejection. CAP_ACK
	 * keeps the kernel from echoing the request, key included, back.
	 * Kernels without them still work, with plainer messages.
	 */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	/* replies of any size: peek at the length, then read the whole */
	nl_socket_enable_msg_peek(sk);

	ret = genl_ctrl_resolve(sk, SS_GENL_NAME);
	if (ret < 0) {
		if (ret == -NLE_OBJ_NOTFOUND)
			e->no_family = true;
		else
			e->nl_err = ret;
		goto err;
	}
	*family = ret;
	return sk;
err:
	nl_socket_free(sk);
	return NULL;
}

/*
 * Batch mode's socket (ipc_keep_socket()): sock_get() gives it, opening it
 * at the first request; sock_put() keeps it unless the request failed (a
 * failed dump may leave messages unread, and a module reloaded meanwhile
 * would be another family), and frees any other.
 */
static bool keep_sk;
static struct nl_sock *kept_sk;
static int kept_family;

static struct nl_sock *sock_get(int *family, struct ipc_error *e)
{
	struct nl_sock *sk;

	if (kept_sk) {
		*family = kept_family;
		return kept_sk;
	}
	sk = ipc_open(family, e);
	if (sk && keep_sk) {
		kept_sk = sk;
		kept_family = *family;
	}
	return sk;
}

static void sock_put(struct nl_sock *sk, bool failed)
{
	if (sk == kept_sk) {
		if (!failed)
			return;
		kept_sk = NULL;
	}
	nl_socket_free(sk);
}

void ipc_keep_socket(bool keep)
{
	keep_sk = keep;
	if (!keep && kept_sk) {
		nl_socket_free(kept_sk);
		kept_sk = NULL;
	}
}

/* @size: the message's size, 0 for the default (one page) */
static struct nl_msg *msg_new_size(int family, int flags, uint8_t cmd,
				   size_t size)
{
	struct nl_msg *msg = size ? nlmsg_alloc_size(size) : nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				flags, cmd, SS_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static struct nl_msg *msg_new(int family, int flags, uint8_t cmd)
{
	return msg_new_size(family, flags, cmd, 0);
}

/* the message may hold a key: wipe it before it goes back to the heap */
static void msg_free(struct nl_msg *msg)
{
	struct nlmsghdr *nlh;

	if (!msg)
		return;
	nlh = nlmsg_hdr(msg);
	OPENSSL_cleanse(nlh, nlh->nlmsg_len);
	nlmsg_free(msg);
}

/* send @msg on @sk and read until its ACK, error or end of dump */
static int transact(struct nl_sock *sk, struct nl_msg *msg,
		    struct request *req)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!cb) {
		req->e->nl_err = NLE_NOMEM;
		return -1;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, req);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, req);

	ret = nl_send_auto(sk, msg);
	if (ret < 0) {
		req->e->nl_err = ret;
		goto out;
	}
	while (!req->done && !req->e->err) {
		ret = nl_recvmsgs(sk, cb);
		/* an error the handlers recorded is the one to report */
		if (ret < 0 && !req->done && !req->e->err) {
			req->e->nl_err = ret;
			break;
		}
	}
out:
	nl_cb_put(cb);
	return req->e->err || req->e->nl_err ? -1 : 0;
}

/*
 * Build one request on @sk (@fill, which may be NULL, adds its attributes),
 * send it and read the answer. Return: 0, or -1 with req->e set.
 */
static int request_on(struct nl_sock *sk, int family, uint8_t cmd, int flags,
		      int (*fill)(struct nl_msg *msg, const void *arg),
		      const void *arg, struct request *req)
{
	struct nl_msg *msg = msg_new_size(family, flags, cmd, req->msg_size);
	int ret = -1;

	if (!msg || (fill && fill(msg, arg))) {
		req->e->nl_err = NLE_NOMEM;
	} else {
		/*
		 * A message longer than the socket's send buffer is refused
		 * (libnl's default: 32 KiB); the kernel caps what is asked at
		 * net.core.wmem_max.
		 */
		if (req->msg_size > 32768) {
			int buf = (int)req->msg_size + 4096;

			setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_SNDBUF,
				   &buf, sizeof(buf));
		}
		ret = transact(sk, msg, req);
	}
	msg_free(msg);
	return ret;
}

/*
 * request_on() on a socket of its own, or batch mode's. A dump the kernel
 * flags as interrupted (the list changed while it was read) may hold an
 * object twice or miss one: it is read again, into the emptied list, up to
 * DUMP_TRIES times (other requests are never interrupted, so run once).
 * Return: 0, or -1 with req->e set, EAGAIN if every read was interrupted.
 */
static int run_request(uint8_t cmd, int flags,
		       int (*fill)(struct nl_msg *msg, const void *arg),
		       const void *arg, struct request *req)
{
	struct nl_sock *sk;
	int family, ret = -1;

	memset(req->e, 0, sizeof(*req->e));
	sk = sock_get(&family, req->e);
	if (!sk)
		return -1;
	for (int try = 0; try < DUMP_TRIES; try++) {
		memset(req->e, 0, sizeof(*req->e));
		req->done = false;
		req->interrupted = false;
		if (req->list)
			req->list->len = 0;
		if (req->users)
			req->users->len = 0;
		ret = request_on(sk, family, cmd, flags, fill, arg, req);
		if (ret < 0 || !req->interrupted)
			break;
		ret = -1;
		req->e->err = EAGAIN;
	}
	sock_put(sk, ret < 0);
	return ret;
}

/*
 * An attribute holds at most 64 KiB: a long list goes as several SS_A_ACL
 * nests (the kernel makes one ACL of them), networks in runs of records.
 */
#define ACL_NEST_MAX	60000

struct acl_put {
	struct nl_msg *msg;
	struct nlattr *nest;
	size_t used;		/* bytes in @nest */
};

/* room for @len more bytes of attribute: in this nest, or a new one */
static int acl_room(struct acl_put *a, size_t len)
{
	if (a->nest && a->used + len <= ACL_NEST_MAX)
		goto ok;
	if (a->nest && nla_nest_end(a->msg, a->nest) < 0)
		return -1;
	a->nest = nla_nest_start(a->msg, SS_A_ACL);
	if (!a->nest)
		return -1;
	a->used = 0;
ok:
	a->used += NLA_HDRLEN + NLA_ALIGN(len);
	return 0;
}

/* the networks of one family as SS_ACL_A_IPV4 or _IPV6 runs of records */
static int put_acl_nets(struct acl_put *a, const struct acl_list *l,
			int family)
{
	size_t rec = family == AF_INET ? 8 : 20, alen = rec - 4;
	size_t run = family == AF_INET ? 512 : 200;
	int type = family == AF_INET ? SS_ACL_A_IPV4 : SS_ACL_A_IPV6;
	uint8_t *buf = calloc(run, rec);
	size_t i, n = 0;
	int ret = 0;

	if (!buf)
		return -1;
	for (i = 0; i < l->nr_nets && !ret; i++) {
		if (l->nets[i].family != family)
			continue;
		memcpy(buf + n * rec, l->nets[i].addr, alen);
		buf[n * rec + alen] = l->nets[i].prefix;
		if (++n == run) {
			ret = acl_room(a, n * rec) ||
			      nla_put(a->msg, type, (int)(n * rec), buf);
			memset(buf, 0, run * rec);
			n = 0;
		}
	}
	if (!ret && n)
		ret = acl_room(a, n * rec) ||
		      nla_put(a->msg, type, (int)(n * rec), buf);
	free(buf);
	return ret ? -1 : 0;
}

static int put_acl_names(struct acl_put *a, char **names, size_t nr, int type)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (acl_room(a, strlen(names[i]) + 1) ||
		    nla_put_string(a->msg, type, names[i]))
			return -1;
	return 0;
}

/*
 * SS_A_ACL: a server's [outbound_block_list]. Every put is checked: a list
 * that does not go whole must fail the request, never leave the server
 * without its ACL (libnl cancels a nest that outgrew 64 KiB).
 */
static int put_acl(struct nl_msg *msg, const struct acl_list *l)
{
	struct acl_put a = { .msg = msg };

	if (put_acl_nets(&a, l, AF_INET) || put_acl_nets(&a, l, AF_INET6) ||
	    put_acl_names(&a, l->hosts, l->nr_hosts, SS_ACL_A_HOST) ||
	    put_acl_names(&a, l->domains, l->nr_domains, SS_ACL_A_DOMAIN))
		return -1;
	return a.nest && nla_nest_end(msg, a.nest) < 0 ? -1 : 0;
}

/* what a message with @l as SS_A_ACL needs, the rest included */
static size_t acl_msg_size(const struct acl_list *l)
{
	size_t i, n = 8192 + l->nr_nets * 20 + l->nr_nets / 100 * 8;

	for (i = 0; i < l->nr_hosts; i++)
		n += NLA_ALIGN(strlen(l->hosts[i]) + 1) + NLA_HDRLEN;
	for (i = 0; i < l->nr_domains; i++)
		n += NLA_ALIGN(strlen(l->domains[i]) + 1) + NLA_HDRLEN;
	/* a nest header per ACL_NEST_MAX bytes */
	return n + n / ACL_NEST_MAX * NLA_HDRLEN + NLA_HDRLEN;
}

/* the attributes of SERVER_NEW and CLIENT_NEW, the key among them */
static int fill_config(struct nl_msg *msg, const void *arg)
{
	const struct ss_config *cfg = arg;
	bool server = cfg->kind == SS_SERVER;

	return nla_put_string(msg, SS_A_NAME, cfg->name) ||
	       (cfg->has_ipv4 &&
		nla_put(msg, server ? SS_A_LISTEN_IPV4 : SS_A_REMOTE_IPV4,
			sizeof(cfg->ipv4), &cfg->ipv4)) ||
	       (cfg->has_ipv6 &&
		nla_put(msg, server ? SS_A_LISTEN_IPV6 : SS_A_REMOTE_IPV6,
			sizeof(cfg->ipv6), &cfg->ipv6)) ||
	       nla_put_u16(msg, SS_A_PORT, cfg->port) ||
	       nla_put_u32(msg, SS_A_METHOD, cfg->method->id) ||
	       nla_put(msg, SS_A_KEY, (int)cfg->method->key_len, cfg->key) ||
	       (cfg->has_ikey &&
		nla_put(msg, SS_A_IDENTITY_KEY, (int)cfg->method->key_len,
			cfg->ikey)) ||
	       (cfg->password_len &&
		nla_put(msg, SS_A_PASSWORD, (int)cfg->password_len,
			cfg->password)) ||
	       (cfg->has_mode && nla_put_u32(msg, SS_A_MODE, cfg->mode)) ||
	       (cfg->has_timeout &&
		nla_put_u32(msg, SS_A_TIMEOUT, cfg->timeout)) ||
	       (cfg->has_handshake_timeout &&
		nla_put_u32(msg, SS_A_HANDSHAKE_TIMEOUT,
			    cfg->handshake_timeout)) ||
	       (cfg->has_max_conns &&
		nla_put_u32(msg, SS_A_MAX_CONNS, cfg->max_conns)) ||
	       (cfg->has_allow_local &&
		nla_put_u8(msg, SS_A_ALLOW_LOCAL, cfg->allow_local)) ||
	       (cfg->has_acl &&
		put_acl(msg, &cfg->acl.list[ACL_OUTBOUND_BLOCK]));
}

/* SS_A_NAME, if @arg is a name */
static int fill_name(struct nl_msg *msg, const void *arg)
{
	return arg && nla_put_string(msg, SS_A_NAME, arg);
}

int ipc_add(const struct ss_config *cfg, struct ipc_error *e)
{
	struct request req = { .kind = cfg->kind, .e = e };

	if (cfg->has_acl)
		req.msg_size = acl_msg_size(&cfg->acl.list[ACL_OUTBOUND_BLOCK]);
	return run_request(cfg->kind == SS_SERVER ? SS_CMD_SERVER_NEW :
						    SS_CMD_CLIENT_NEW,
			   0, fill_config, cfg, &req);
}

int ipc_del(enum ss_kind kind, const char *name, struct ipc_error *e)
{
	struct request req = { .kind = kind, .e = e };

	return run_request(kind == SS_SERVER ? SS_CMD_SERVER_DEL :
					       SS_CMD_CLIENT_DEL,
			   0, fill_name, name, &req);
}

int ipc_client_export(const char *name, struct ss_export *x,
		      struct ipc_error *e)
{
	struct request req = { .kind = SS_CLIENT, .export = x, .e = e };
	int ret;

	memset(x, 0, sizeof(*x));
	ret = run_request(SS_CMD_CLIENT_EXPORT, 0, fill_name, name, &req);
	if (!ret && !x->key_len) {	/* an ACK with no reply */
		e->err = EBADMSG;
		ret = -1;
	}
	if (ret < 0)
		ipc_export_wipe(x);
	return ret;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct ss_object *)a)->name,
		      ((const struct ss_object *)b)->name);
}

int ipc_get(enum ss_kind kind, const char *name, struct ss_object_list *list,
	    struct ipc_error *e)
{
	uint8_t cmd = kind == SS_SERVER ? SS_CMD_SERVER_GET : SS_CMD_CLIENT_GET;
	struct request req = { .kind = kind, .list = list, .e = e };

	memset(list, 0, sizeof(*list));
	if (run_request(cmd, name ? 0 : NLM_F_DUMP, fill_name, name,
			&req) < 0) {
		ipc_list_free(list);
		return -1;
	}
	if (list->len > 1)
		qsort(list->items, list->len, sizeof(*list->items), by_name);
	return 0;
}

/* the attributes of USER_NEW, the key among them */
static int fill_user_new(struct nl_msg *msg, const void *arg)
{
	const struct ss_config *cfg = arg;

	return nla_put_string(msg, SS_A_NAME, cfg->name) ||
	       nla_put_string(msg, SS_A_USER, cfg->user) ||
	       nla_put(msg, SS_A_KEY, (int)cfg->method->key_len, cfg->key);
}

struct user_names {
	const char *server, *user;	/* either may be NULL */
};

static int fill_user_names(struct nl_msg *msg, const void *arg)
{
	const struct user_names *n = arg;

	return (n->server && nla_put_string(msg, SS_A_NAME, n->server)) ||
	       (n->user && nla_put_string(msg, SS_A_USER, n->user));
}

int ipc_user_add(const struct ss_config *cfg, struct ipc_error *e)
{
	struct request req = { .kind = SS_USER, .e = e };

	return run_request(SS_CMD_USER_NEW, 0, fill_user_new, cfg, &req);
}

int ipc_user_del(const char *server, const char *user, struct ipc_error *e)
{
	struct user_names n = { server, user };
	struct request req = { .kind = SS_USER, .e = e };

	return run_request(SS_CMD_USER_DEL, 0, fill_user_names, &n, &req);
}

static int by_server_user(const void *a, const void *b)
{
	const struct ss_user *x = a, *y = b;

	return strcmp(x->server, y->server) ?: strcmp(x->name, y->name);
}

int ipc_user_get(const char *server, const char *user,
		 struct ss_user_list *list, struct ipc_error *e)
{
	struct user_names n = { server, server ? user : NULL };
	struct request req = { .kind = SS_USER, .users = list, .e = e };

	memset(list, 0, sizeof(*list));
	if (run_request(SS_CMD_USER_GET, server && user ? 0 : NLM_F_DUMP,
			fill_user_names, &n, &req) < 0) {
		ipc_user_list_free(list);
		return -1;
	}
	if (list->len > 1)
		qsort(list->items, list->len, sizeof(*list->items),
		      by_server_user);
	return 0;
}

/*
 * ss-socksd sends one SS_CMD_RELAY_NEW per accepted connection, so these
 * requests share one socket, opened (and the family resolved) at the first
 * request. Requests and their ACKs alternate on it, so libnl's sequence
 * numbers stay in step. After a local failure, or -ENOENT (which is also
 * what an unknown family id gets: the module may have been reloaded with a
 * new id), the socket is dropped and the next request starts afresh.
 */
static struct nl_sock *relay_sk;
static int relay_family;

/*
 * The start of SS_CMD_RELAY_NEW and SS_CMD_UDP_RELAY_NEW alike: the socket
 * opened if need be, the header, the profile's name and the socket handed
 * over. @size is the message's size, 0 for the default (one page). NULL
 * with @e filled on failure.
 */
static struct nl_msg *relay_msg_new(uint8_t cmd, size_t size,
				    const char *profile, int fd,
				    struct ipc_error *e)
{
	struct nl_msg *msg;

	memset(e, 0, sizeof(*e));
	if (!relay_sk) {
		relay_sk = ipc_open(&relay_family, e);
		if (!relay_sk)
			return NULL;
	}
	msg = msg_new_size(relay_family, 0, cmd, size);
	if (!msg || nla_put_string(msg, SS_A_NAME, profile) ||
	    nla_put_u32(msg, SS_A_FD, (uint32_t)fd)) {
		e->nl_err = NLE_NOMEM;
		msg_free(msg);
		ipc_relay_close();
		return NULL;
	}
	return msg;
}

/*
 * Send @msg, unless putting the rest of its attributes failed (@put_failed),
 * and free it. After a failure of ours or -ENOENT the socket is dropped.
 */
static int relay_msg_send(struct nl_msg *msg, bool put_failed,
			  struct ipc_error *e)
{
	struct request req = { .kind = SS_CLIENT, .e = e };
	int ret = -1;

	if (put_failed)
		e->nl_err = NLE_NOMEM;
	else
		ret = transact(relay_sk, msg, &req);
	/* the application's first bytes: not left in freed memory either */
	msg_free(msg);
	if (ret < 0 && (e->nl_err || e->err == ENOENT))
		ipc_relay_close();
	return ret;
}

int ipc_relay_new(const char *profile, int fd, const uint8_t *target,
		  size_t tlen, const uint8_t *data, size_t dlen,
		  const uint8_t *reply, size_t rlen, struct ipc_error *e)
{
	struct nl_msg *msg;

	/* SS_A_DATA may be larger than the default (one page) message */
	msg = relay_msg_new(SS_CMD_RELAY_NEW,
			    NLMSG_HDRLEN + GENL_HDRLEN +
			    nla_total_size(SS_NAME_MAX) +
			    nla_total_size(sizeof(uint32_t)) +
			    nla_total_size((int)tlen) +
			    nla_total_size((int)dlen) +
			    nla_total_size((int)rlen), profile, fd, e);
	if (!msg)
		return -1;
	return relay_msg_send(msg,
			      nla_put(msg, SS_A_TARGET, (int)tlen, target) ||
			      (dlen && nla_put(msg, SS_A_DATA, (int)dlen, data)) ||
			      (rlen && nla_put(msg, SS_A_REPLY, (int)rlen, reply)),
			      e);
}

int ipc_udp_relay_new(const char *profile, int fd, int ctrl_fd,
		      enum ipc_udp_mode mode, const uint8_t *target, size_t tlen,
		      const uint8_t *source, size_t slen,
		      const uint8_t *reply, size_t rlen, struct ipc_error *e)
{
	struct nl_msg *msg;

	msg = relay_msg_new(SS_CMD_UDP_RELAY_NEW, 0, profile, fd, e);
	if (!msg)
		return -1;
	return relay_msg_send(msg,
			      (mode == IPC_UDP_TUNNEL &&
			       nla_put(msg, SS_A_TARGET, (int)tlen, target)) ||
			      (mode == IPC_UDP_SOCKS5 &&
			       nla_put_flag(msg, SS_A_SOCKS5_UDP)) ||
			      (mode == IPC_UDP_TPROXY &&
			       nla_put_flag(msg, SS_A_TPROXY)) ||
			      (slen && nla_put(msg, SS_A_UDP_SOURCE, (int)slen, source)) ||
			      (ctrl_fd >= 0 &&
			       nla_put_u32(msg, SS_A_CTRL_FD, (uint32_t)ctrl_fd)) ||
			      (rlen && nla_put(msg, SS_A_REPLY, (int)rlen, reply)),
			      e);
}

void ipc_relay_close(void)
{
	if (relay_sk)
		nl_socket_free(relay_sk);
	relay_sk = NULL;
}

/* ---- the resolver agent (ssctl resolver) ---- */

struct ipc_listener {
	struct nl_sock *sk;
	int family;
};

/*
 * A socket of its own for the module's multicast group @group (NULL: for
 * requests only), and for the controller's notifications, nonblocking.
 */
static struct ipc_listener *listener_open(const char *group,
					  struct ipc_error *e)
{
	struct ipc_listener *r = calloc(1, sizeof(*r));
	int grp, ret;

	memset(e, 0, sizeof(*e));
	if (!r) {
		e->nl_err = NLE_NOMEM;
		return NULL;
	}
	r->sk = ipc_open(&r->family, e);
	if (!r->sk)
		goto err;
	if (!group)
		return r;

	grp = genl_ctrl_resolve_grp(r->sk, SS_GENL_NAME, group);
	if (grp < 0) {
		/* a module from before the group */
		e->err = grp == -NLE_OBJ_NOTFOUND ? EOPNOTSUPP : 0;
		e->nl_err = e->err ? 0 : grp;
		goto err;
	}
	ret = nl_socket_add_membership(r->sk, grp);
	if (ret < 0) {
		/* the groups need CAP_NET_ADMIN: keep the errno */
		e->err = ret == -NLE_PERM ? EPERM : 0;
		e->nl_err = e->err ? 0 : ret;
		goto err;
	}
	/*
	 * The controller's notifications too: unloading the module deletes
	 * the family, and with it this socket's membership of its group; a
	 * module loaded again is a new family, which nobody told this socket
	 * to join. listener_read() reports the deletion.
	 */
	grp = genl_ctrl_resolve_grp(r->sk, "nlctrl", "notify");
	if (grp < 0) {
		e->nl_err = grp;
		goto err;
	}
	ret = nl_socket_add_membership(r->sk, grp);
	if (ret < 0) {
		e->nl_err = ret;
		goto err;
	}
	/* a burst of messages must not overflow the socket */
	nl_socket_set_buffer_size(r->sk, 4 << 20, 0);
	nl_socket_set_nonblocking(r->sk);
	return r;
err:
	ipc_listener_close(r);
	return NULL;
}

struct ipc_listener *ipc_resolver_open(bool subscribe, struct ipc_error *e)
{
	return listener_open(subscribe ? SS_GENL_MCGRP_RESOLVER : NULL, e);
}

struct ipc_listener *ipc_monitor_open(struct ipc_error *e)
{
	return listener_open(SS_GENL_MCGRP_MONITOR, e);
}

int ipc_listener_fd(const struct ipc_listener *r)
{
	return nl_socket_get_fd(r->sk);
}

void ipc_listener_close(struct ipc_listener *r)
{
	if (!r)
		return;
	if (r->sk)
		nl_socket_free(r->sk);
	free(r);
}

struct listen_read {
	int (*valid)(struct nl_msg *msg, void *arg);	/* the family's */
	void *arg;
	int family;
	bool gone;		/* the family was deleted */
};

static struct nla_policy ctrl_policy[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID]	= { .type = NLA_U16 },
	[CTRL_ATTR_FAMILY_NAME]	= { .type = NLA_STRING, .maxlen = GENL_NAMSIZ },
};

/*
 * A notification of the controller: of ours, CTRL_CMD_DELFAMILY (the
 * module unloaded), or CTRL_CMD_NEWFAMILY with another id (loaded again,
 * the deletion missed: lost to an overflow) end the subscription.
 */
static int ctrl_cb(struct nl_msg *msg, struct listen_read *rd)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[CTRL_ATTR_MAX + 1];

	if ((gh->cmd != CTRL_CMD_DELFAMILY && gh->cmd != CTRL_CMD_NEWFAMILY) ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, ctrl_policy) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_NAME] ||
	    strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), SS_GENL_NAME))
		return NL_SKIP;
	if (gh->cmd == CTRL_CMD_NEWFAMILY &&
	    (!tb[CTRL_ATTR_FAMILY_ID] ||
	     nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]) == rd->family))
		return NL_SKIP;
	rd->gone = true;
	return NL_STOP;
}

static int listen_cb(struct nl_msg *msg, void *arg)
{
	struct listen_read *rd = arg;

	if (nlmsg_hdr(msg)->nlmsg_type == GENL_ID_CTRL)
		return ctrl_cb(msg, rd);
	return rd->valid(msg, rd->arg);
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/*
 * Read what is queued on a subscribed socket, without blocking; @valid
 * gets each message of the family. Return: 0; -1 with e->no_family when
 * the family was deleted, or with e->nl_err (NLE_NOMEM: the socket
 * overflowed, messages were lost).
 */
static int listener_read(struct ipc_listener *r,
			 int (*valid)(struct nl_msg *msg, void *arg),
			 void *arg, struct ipc_error *e)
{
	struct listen_read rd = { .valid = valid, .arg = arg,
				  .family = r->family };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	memset(e, 0, sizeof(*e));
	if (!cb) {
		e->nl_err = NLE_NOMEM;
		return -1;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, listen_cb, &rd);
	/* multicast messages carry no sequence number to check */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	do
		ret = nl_recvmsgs(r->sk, cb);
	while (ret >= 0 && !rd.gone);
	nl_cb_put(cb);
	if (rd.gone) {
		e->no_family = true;
		return -1;
	}
	if (ret == -NLE_AGAIN)
		return 0;
	/* libnl reports a socket that overflowed (ENOBUFS) as NLE_NOMEM */
	e->nl_err = ret;
	return -1;
}

struct lookup_read {
	void (*fn)(const struct ipc_lookup *lookup, void *arg);
	void *arg;
};

static struct nla_policy lookup_policy[SS_A_MAX + 1] = {
	[SS_A_NAME]		= { .type = NLA_STRING, .maxlen = SS_NAME_MAX },
	[SS_A_LOOKUP_ID]	= { .type = NLA_U32 },
	[SS_A_LOOKUP_NAME]	= { .type = NLA_STRING, .maxlen = 256 },
};

static int lookup_cb(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct lookup_read *rd = arg;
	struct nlattr *tb[SS_A_MAX + 1];
	struct ipc_lookup l = { 0 };

	if (gh->cmd != SS_CMD_RESOLVE_REQUEST ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, SS_A_MAX, lookup_policy) < 0 ||
	    !tb[SS_A_LOOKUP_ID] || !tb[SS_A_LOOKUP_NAME])
		return NL_SKIP;
	l.id = nla_get_u32(tb[SS_A_LOOKUP_ID]);
	nla_strlcpy(l.name, tb[SS_A_LOOKUP_NAME], sizeof(l.name));
	if (tb[SS_A_NAME])
		nla_strlcpy(l.server, tb[SS_A_NAME], sizeof(l.server));
	rd->fn(&l, rd->arg);
	return NL_OK;
}

int ipc_resolver_read(struct ipc_listener *r,
		      void (*fn)(const struct ipc_lookup *lookup, void *arg),
		      void *arg, struct ipc_error *e)
{
	struct lookup_read rd = { .fn = fn, .arg = arg };

	return listener_read(r, lookup_cb, &rd, e);
}

struct event_read {
	void (*fn)(const struct ipc_event *ev, void *arg);
	void *arg;
};

static struct nla_policy event_policy[SS_A_MAX + 1] = {
	[SS_A_NAME]		= { .type = NLA_STRING, .maxlen = SS_NAME_MAX },
	[SS_A_OBJECT]		= { .type = NLA_U32 },
	[SS_A_REASON]		= { .type = NLA_U32 },
};

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct event_read *rd = arg;
	struct nlattr *tb[SS_A_MAX + 1];
	struct ipc_event ev = { .cmd = gh->cmd };

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, SS_A_MAX, event_policy) < 0 ||
	    !tb[SS_A_NAME] || !tb[SS_A_OBJECT])
		return NL_SKIP;
	ev.object = nla_get_u32(tb[SS_A_OBJECT]);
	if (tb[SS_A_REASON])
		ev.reason = nla_get_u32(tb[SS_A_REASON]);
	nla_strlcpy(ev.name, tb[SS_A_NAME], sizeof(ev.name));
	rd->fn(&ev, rd->arg);
	return NL_OK;
}

int ipc_monitor_read(struct ipc_listener *r,
		     void (*fn)(const struct ipc_event *ev, void *arg),
		     void *arg, struct ipc_error *e)
{
	struct event_read rd = { .fn = fn, .arg = arg };

	return listener_read(r, event_cb, &rd, e);
}

int ipc_resolve_reply(struct ipc_listener *r, uint32_t id, int err,
		      const struct ipc_addr *addrs, size_t n,
		      struct ipc_error *e)
{
	struct request req = { .e = e };
	struct nl_msg *msg;
	int ret = -1;
	size_t i;

	memset(e, 0, sizeof(*e));
	msg = msg_new(r->family, 0, SS_CMD_RESOLVE_REPLY);
	if (!msg || nla_put_u32(msg, SS_A_LOOKUP_ID, id) ||
	    (err && nla_put_u32(msg, SS_A_LOOKUP_ERROR, (uint32_t)err))) {
		e->nl_err = NLE_NOMEM;
		goto out;
	}
	for (i = 0; !err && i < n; i++) {
		if (addrs[i].family == AF_INET ?
		    nla_put(msg, SS_A_LOOKUP_IPV4, sizeof(addrs[i].v4),
			    &addrs[i].v4) :
		    nla_put(msg, SS_A_LOOKUP_IPV6, sizeof(addrs[i].v6),
			    &addrs[i].v6)) {
			e->nl_err = NLE_NOMEM;
			goto out;
		}
	}
	ret = transact(r->sk, msg, &req);
out:
	nlmsg_free(msg);
	return ret;
}
