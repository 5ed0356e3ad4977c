// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "shadowsocks": request handlers and replies.
 * uapi/linux/shadowsocks.h documents every command. The per-command
 * policies and the ops table are generated from the YAML spec into
 * netlink-gen.c: the core checks which attributes each command takes, and
 * their types and ranges, before a handler runs; the handlers check what
 * the spec cannot say (lengths of binary attributes, combinations).
 *
 * Requests run in parallel (no genl_mutex): changes serialise on the
 * namespace's lock, inside server.c and client.c; GET and dumps read under
 * RCU.
 */

#include <linux/err.h>
#include <linux/ipv6.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/shadowsocks.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/inet_sock.h>
#include <net/tcp_states.h>

#include "acl.h"
#include "addr.h"
#include "client.h"
#include "compat.h"
#include "conn.h"
#include "crypto.h"
#include "netlink.h"
#include "netlink-gen.h"
#include "netns.h"
#include "resolve.h"
#include "server.h"

static struct genl_family ss_family;

/*
 * The resolver's requests carry the names clients visit: only an admin of
 * the namespace may read them (and, being a listener, turn lookups away
 * from the initial namespace's upcall).
 */
static const struct genl_multicast_group ss_mcgrps[] = {
	[SHADOWSOCKS_NLGRP_RESOLVER] = {
		.name = SS_GENL_MCGRP_RESOLVER,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
	/*
	 * Events carry names, never keys or addresses; the group is an
	 * admin's all the same, as the resolver's is: the initial namespace's
	 * monitors also hear of the objects of namespaces that end.
	 */
	[SHADOWSOCKS_NLGRP_MONITOR] = {
		.name = SS_GENL_MCGRP_MONITOR,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/* What ss_nl_missing() says for each required attribute. */
static const char *const ss_nl_missing_msg[SS_A_MAX + 1] = {
	[SS_A_NAME]		= "missing name",
	[SS_A_PORT]		= "missing port",
	[SS_A_METHOD]		= "missing method",
	[SS_A_KEY]		= "missing key",
	[SS_A_FD]		= "missing socket descriptor",
	[SS_A_TARGET]		= "missing target address",
	[SS_A_LOOKUP_ID]	= "missing lookup id",
	[SS_A_USER]		= "missing user",
};

/*
 * Is a required attribute missing? Then say which, and return true.
 * NL_SET_ERR_MSG() takes a literal only; the messages above are literals
 * too, of static storage, so the extack may point at them as it would.
 */
static bool ss_nl_missing(struct genl_info *info, int type)
{
	if (!GENL_REQ_ATTR_CHECK(info, type))
		return false;
	if (ss_nl_missing_msg[type] && info->extack)
		info->extack->_msg = ss_nl_missing_msg[type];
	else
		NL_SET_ERR_MSG(info->extack, "missing attribute");
	return true;
}

/*
 * Is a binary attribute longer than @max bytes? Then say so, and return
 * true. The spec language (ynl-gen of 6.12) has no maximum length for
 * binary attributes, so the handlers check it; -ERANGE as the core would.
 */
static bool ss_nl_too_long(struct genl_info *info, int type, int max)
{
	const struct nlattr *attr = info->attrs[type];

	if (nla_len(attr) <= max)
		return false;
	NL_SET_BAD_ATTR(info->extack, attr);
	SS_SET_ERR_MSG_FMT(info->extack, "attribute too long",
			   "attribute too long (at most %d bytes)", max);
	return true;
}

static bool ss_name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/*
 * The policy guarantees a NUL within SS_NAME_MAX bytes; insist on exactly
 * one, at the end, after 1..SS_NAME_MAX-1 characters of [A-Za-z0-9_.-].
 * Object names (SS_A_NAME) and user names (SS_A_USER) alike.
 */
static const char *ss_nl_name_attr(const struct nlattr *attr,
				   struct netlink_ext_ack *extack)
{
	const char *name = nla_data(attr);
	int len = nla_len(attr) - 1;
	int i;

	if (len < 1 || strnlen(name, len + 1) != len)
		goto invalid;
	for (i = 0; i < len; i++)
		if (!ss_name_char_ok(name[i]))
			goto invalid;
	return name;

invalid:
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "invalid name (1 to 31 characters of A-Z a-z 0-9 _ . -)");
	return NULL;
}

static const char *ss_nl_name(struct genl_info *info)
{
	return ss_nl_name_attr(info->attrs[SS_A_NAME], info->extack);
}

/* For DEL and GET, which take a name only. Return: the name or NULL. */
static const char *ss_nl_name_only(struct genl_info *info)
{
	if (ss_nl_missing(info, SS_A_NAME))
		return NULL;
	return ss_nl_name(info);
}

static void ss_nl_no_server(struct genl_info *info, const char *name)
{
	NL_SET_BAD_ATTR(info->extack, info->attrs[SS_A_NAME]);
	SS_SET_ERR_MSG_FMT(info->extack, "no server of that name",
			   "no server named \"%s\"", name);
}

static void ss_nl_no_client(struct genl_info *info, const char *name)
{
	NL_SET_BAD_ATTR(info->extack, info->attrs[SS_A_NAME]);
	SS_SET_ERR_MSG_FMT(info->extack, "no client of that name",
			   "no client named \"%s\"", name);
}

/*
 * Errors of creation that carry no message of their own: the allocation
 * failed, the namespace has no free id for another object (ids are 31
 * bits, cyclic), or the module is being unloaded.
 */
static void ss_nl_create_err(struct netlink_ext_ack *extack, int err)
{
	if (extack->_msg)
		return;
	if (err == -ENOMEM)
		NL_SET_ERR_MSG(extack, "out of memory");
	else if (err == -EBUSY)
		NL_SET_ERR_MSG(extack, "no free object id in this namespace");
	else if (err == -ESHUTDOWN)
		NL_SET_ERR_MSG(extack, "the module is being unloaded");
}

/*
 * Name, port, method, key and timeouts, which servers and clients share;
 * the key is checked against the method (ss_method_check()).
 */
static int ss_nl_parse_obj(struct genl_info *info, struct ss_obj_cfg *cfg)
{
	struct nlattr **attrs = info->attrs;
	int key_len, err;

	if (ss_nl_missing(info, SS_A_NAME) || ss_nl_missing(info, SS_A_PORT) ||
	    ss_nl_missing(info, SS_A_METHOD) || ss_nl_missing(info, SS_A_KEY))
		return -EINVAL;

	cfg->name = ss_nl_name(info);
	if (!cfg->name)
		return -EINVAL;

	cfg->method = ss_method_get(nla_get_u32(attrs[SS_A_METHOD]));
	if (!cfg->method) {	/* the policy's range makes this impossible */
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[SS_A_METHOD],
				    "unknown method");
		return -EINVAL;
	}

	key_len = nla_len(attrs[SS_A_KEY]);
	if (key_len != cfg->method->key_len) {
		NL_SET_BAD_ATTR(info->extack, attrs[SS_A_KEY]);
		SS_SET_ERR_MSG_FMT(info->extack,
				   "key length does not match the method",
				   "key length %d does not match %s (needs %u)",
				   key_len, cfg->method->name,
				   cfg->method->key_len);
		return -EINVAL;
	}
	cfg->key = nla_data(attrs[SS_A_KEY]);
	/*
	 * Salts and 2022 session IDs are random: before the kernel's
	 * generator is seeded they could repeat across boots, and with them
	 * the nonces under a PSK that outlives the boot.
	 */
	if (!rng_is_initialized()) {
		NL_SET_ERR_MSG(info->extack,
			       "the kernel's random number generator is not seeded yet; try again");
		return -EAGAIN;
	}
	err = ss_method_check(cfg->method, cfg->key, info->extack);
	if (err) {
		NL_SET_BAD_ATTR(info->extack, attrs[SS_A_METHOD]);
		return err;
	}

	cfg->port = nla_get_u16(attrs[SS_A_PORT]);
	cfg->timeout = attrs[SS_A_TIMEOUT] ? nla_get_u32(attrs[SS_A_TIMEOUT]) :
					     SS_DEFAULT_TIMEOUT;
	cfg->handshake_timeout = attrs[SS_A_HANDSHAKE_TIMEOUT] ?
		nla_get_u32(attrs[SS_A_HANDSHAKE_TIMEOUT]) :
		min_t(u32, SS_DEFAULT_HANDSHAKE_TIMEOUT, cfg->timeout);
	cfg->max_conns = attrs[SS_A_MAX_CONNS] ?
		nla_get_u32(attrs[SS_A_MAX_CONNS]) : SS_DEFAULT_MAX_CONNS;
	return 0;
}

static void ss_nl_sockaddr4(union ss_sockaddr *sa, const struct nlattr *attr,
			    u16 port)
{
	sa->in4.sin_family = AF_INET;
	sa->in4.sin_port = htons(port);
	sa->in4.sin_addr.s_addr = nla_get_in_addr(attr);
}

static void ss_nl_sockaddr6(union ss_sockaddr *sa, const struct nlattr *attr,
			    u16 port)
{
	sa->in6.sin6_family = AF_INET6;
	sa->in6.sin6_port = htons(port);
	sa->in6.sin6_addr = nla_get_in6_addr(attr);
}

/* The key is wiped from the request on every path, as WireGuard does. */
static void ss_nl_wipe_key(struct genl_info *info, int type)
{
	struct nlattr *attr = info->attrs[type];

	if (attr)
		memzero_explicit(nla_data(attr), nla_len(attr));
}

/*
 * The end of SERVER_NEW and CLIENT_NEW: tell the monitors, or say why
 * creation failed where the creating code has not. Return: @err.
 */
static int ss_nl_created(struct genl_info *info, int err,
			 const struct ss_kind *kind, const char *name)
{
	if (!err) {
		ss_nl_notify(genl_info_net(info), SS_CMD_OBJECT_NEW_NTF,
			     kind->object, name, 0, GFP_KERNEL);
	} else if (err == -EEXIST) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[SS_A_NAME]);
		SS_SET_ERR_MSG_FMT(info->extack, "name already in use",
				   "%s \"%s\" already exists",
				   kind->object == SS_OBJECT_SERVER ? "server" :
								     "client",
				   name);
	} else if (err) {
		ss_nl_create_err(info->extack, err);
	}
	return err;
}

int shadowsocks_nl_server_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct ss_server_cfg cfg = {};
	int err;

	err = ss_nl_parse_obj(info, &cfg.obj);
	if (err)
		return err;
	cfg.mode = attrs[SS_A_MODE] ? nla_get_u32(attrs[SS_A_MODE]) :
				      SS_MODE_TCP_ONLY;
	cfg.allow_local = attrs[SS_A_ALLOW_LOCAL] &&
			  nla_get_u8(attrs[SS_A_ALLOW_LOCAL]);
	if (attrs[SS_A_LISTEN_IPV4])
		ss_nl_sockaddr4(&cfg.listen[SS_LISTEN_IPV4],
				attrs[SS_A_LISTEN_IPV4], cfg.obj.port);
	if (attrs[SS_A_LISTEN_IPV6])
		ss_nl_sockaddr6(&cfg.listen[SS_LISTEN_IPV6],
				attrs[SS_A_LISTEN_IPV6], cfg.obj.port);
	cfg.acl = ss_acl_parse(info);
	if (IS_ERR(cfg.acl))
		return PTR_ERR(cfg.acl);

	/* (it takes cfg.acl over, made or not) */
	err = ss_server_create(genl_info_net(info), &cfg, info->extack);
	return ss_nl_created(info, err, &ss_server_kind, cfg.obj.name);
}

static void *ss_nl_put_hdr(struct sk_buff *skb, u32 portid, u32 seq,
			   int flags, u8 cmd, struct netlink_callback *cb)
{
	void *hdr = genlmsg_put(skb, portid, seq, &ss_family, flags, cmd);

	if (hdr && cb)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
}

/* What servers and client profiles both report. Return: 0 or -EMSGSIZE. */
static int ss_nl_put_endpoint(struct sk_buff *skb,
			      const struct ss_endpoint *ep)
{
	if (nla_put_string(skb, SS_A_NAME, ep->entry.name) ||
	    nla_put_u32(skb, SS_A_METHOD, ep->method->id) ||
	    nla_put_u32(skb, SS_A_TIMEOUT, ep->timeout) ||
	    nla_put_u32(skb, SS_A_HANDSHAKE_TIMEOUT, ep->handshake_timeout) ||
	    nla_put_u32(skb, SS_A_MAX_CONNS, ep->max_conns))
		return -EMSGSIZE;
	return ss_stats_fill(skb, SS_A_STATS, &ep->stats);
}

/* A server's own attributes, after ss_nl_put_endpoint()'s. */
static int ss_nl_put_server(struct sk_buff *skb, const struct ss_entry *entry)
{
	const struct ss_server *srv = container_of(entry, struct ss_server,
						   ep.entry);
	const struct sockaddr_in6 *l6 = &srv->listen[SS_LISTEN_IPV6].addr.in6;
	const struct sockaddr_in *l4 = &srv->listen[SS_LISTEN_IPV4].addr.in4;

	if ((l4->sin_family &&
	     nla_put_in_addr(skb, SS_A_LISTEN_IPV4, l4->sin_addr.s_addr)) ||
	    (l6->sin6_family &&
	     nla_put_in6_addr(skb, SS_A_LISTEN_IPV6, &l6->sin6_addr)) ||
	    nla_put_u16(skb, SS_A_PORT, srv->port) ||
	    nla_put_u32(skb, SS_A_MODE, srv->mode) ||
	    nla_put_u8(skb, SS_A_ALLOW_LOCAL, srv->allow_local))
		return -EMSGSIZE;
	if (srv->ep.acl) {
		struct nlattr *nest = nla_nest_start(skb, SS_A_ACL);

		if (!nest || nla_put_u32(skb, SS_ACL_A_RULES,
					 ss_acl_rules(srv->ep.acl)))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	/* Servers that can have users say how many they have. */
	if (READ_ONCE(srv->users.ready) &&
	    nla_put_u32(skb, SS_A_USERS, READ_ONCE(srv->users.nr)))
		return -EMSGSIZE;
	return 0;
}

/* A client profile's own attributes: its server's address and port. */
static int ss_nl_put_client(struct sk_buff *skb, const struct ss_entry *entry)
{
	const struct ss_client *cl = container_of(entry, struct ss_client,
						  ep.entry);
	const union ss_sockaddr *remote = &cl->remote;

	if (remote->sa.sa_family == AF_INET6) {
		if (nla_put_in6_addr(skb, SS_A_REMOTE_IPV6,
				     &remote->in6.sin6_addr) ||
		    nla_put_u16(skb, SS_A_PORT, ntohs(remote->in6.sin6_port)))
			return -EMSGSIZE;
	} else {
		if (nla_put_in_addr(skb, SS_A_REMOTE_IPV4,
				    remote->in4.sin_addr.s_addr) ||
		    nla_put_u16(skb, SS_A_PORT, ntohs(remote->in4.sin_port)))
			return -EMSGSIZE;
	}
	return 0;
}

/**
 * struct ss_nl_kind - how GET and its dump report one kind of object
 * @table: the kind's table in the namespace
 * @cmd: the command of the replies
 * @put: the kind's own attributes
 * @not_found: what a GET by a name nobody has says
 */
struct ss_nl_kind {
	const struct ss_kind *table;
	u8 cmd;
	int (*put)(struct sk_buff *skb, const struct ss_entry *entry);
	void (*not_found)(struct genl_info *info, const char *name);
};

static const struct ss_nl_kind ss_nl_servers = {
	.table = &ss_server_kind,
	.cmd = SS_CMD_SERVER_GET,
	.put = ss_nl_put_server,
	.not_found = ss_nl_no_server,
};

static const struct ss_nl_kind ss_nl_clients = {
	.table = &ss_client_kind,
	.cmd = SS_CMD_CLIENT_GET,
	.put = ss_nl_put_client,
	.not_found = ss_nl_no_client,
};

/* CLIENT_EXPORT's: a client profile's own attributes, then its secrets. */
static int ss_nl_put_client_secrets(struct sk_buff *skb,
				    const struct ss_entry *entry)
{
	const struct ss_client *cl = container_of(entry, struct ss_client,
						  ep.entry);
	const struct ss_endpoint *ep = &cl->ep;

	if (ss_nl_put_client(skb, entry) ||
	    nla_put(skb, SS_A_KEY, ep->method->key_len, ep->key) ||
	    (ep->has_ikey &&
	     nla_put(skb, SS_A_IDENTITY_KEY, ep->method->key_len, ep->ikey)) ||
	    (cl->password_len &&
	     nla_put(skb, SS_A_PASSWORD, cl->password_len, cl->password)))
		return -EMSGSIZE;
	return 0;
}

static const struct ss_nl_kind ss_nl_client_secrets = {
	.table = &ss_client_kind,
	.cmd = SS_CMD_CLIENT_EXPORT,
	.put = ss_nl_put_client_secrets,
	.not_found = ss_nl_no_client,
};

/* Fill one reply; called under rcu_read_lock(), so it must not sleep. */
static int ss_nl_fill(struct sk_buff *skb, const struct ss_nl_kind *kind,
		      const struct ss_entry *entry, u32 portid, u32 seq,
		      int flags, struct netlink_callback *cb)
{
	const struct ss_endpoint *ep = container_of(entry, struct ss_endpoint,
						    entry);
	void *hdr;

	hdr = ss_nl_put_hdr(skb, portid, seq, flags, kind->cmd, cb);
	if (!hdr)
		return -EMSGSIZE;
	if (ss_nl_put_endpoint(skb, ep) || kind->put(skb, entry)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* SERVER_DEL and CLIENT_DEL: one object of @kind, by name. */
static int ss_nl_del(struct genl_info *info, const struct ss_nl_kind *kind)
{
	const char *name;
	int err;

	name = ss_nl_name_only(info);
	if (!name)
		return -EINVAL;
	err = ss_obj_delete(genl_info_net(info), kind->table, name);
	if (err == -ENOENT)
		kind->not_found(info, name);
	return err;
}

int shadowsocks_nl_server_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return ss_nl_del(info, &ss_nl_servers);
}

/* GET (and CLIENT_EXPORT) with a name: one reply, filled under RCU. */
static int ss_nl_get(struct genl_info *info, const struct ss_nl_kind *kind)
{
	struct ss_net *sn = ss_net(genl_info_net(info));
	struct ss_entry *entry;
	struct sk_buff *msg;
	const char *name;
	int err;

	name = ss_nl_name_only(info);
	if (!name)
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rcu_read_lock();
	entry = ss_table_lookup(sn, ss_kind_table(sn, kind->table), name);
	err = entry ? ss_nl_fill(msg, kind, entry, info->snd_portid,
				 info->snd_seq, 0, NULL) : -ENOENT;
	rcu_read_unlock();
	if (err) {
		/* CLIENT_EXPORT's may hold secrets: none stays in freed memory */
		memzero_explicit(msg->data, skb_headlen(msg));
		nlmsg_free(msg);
		if (err == -ENOENT)
			kind->not_found(info, name);
		return err;
	}
	return genlmsg_reply(msg, info);
}

int shadowsocks_nl_server_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return ss_nl_get(info, &ss_nl_servers);
}

/*
 * Dump one table. cb->args[0] is the id to resume at: ids only grow (they
 * are allocated cyclically), so each object is sent at most once, and each
 * object present from the first part to the last is sent. cb->seq carries
 * the table's generation: a change between parts flags the dump
 * NLM_F_DUMP_INTR.
 */
static int ss_nl_dump(struct sk_buff *skb, struct netlink_callback *cb,
		      const struct ss_nl_kind *kind)
{
	struct ss_net *sn = ss_net(sock_net(cb->skb->sk));
	struct ss_table *table = ss_kind_table(sn, kind->table);
	u32 portid = NETLINK_CB(cb->skb).portid;
	unsigned long next = cb->args[0];
	struct ss_entry *entry;
	unsigned long id;
	int err = 0;

	/*
	 * The core has validated the attributes against GET's policy, which
	 * the dump shares; a dump takes none (a name belongs in a GET without
	 * NLM_F_DUMP). The first part fails, so no later part runs.
	 */
	if (nlmsg_attrlen(cb->nlh, GENL_HDRLEN)) {
		NL_SET_ERR_MSG_ATTR(cb->extack,
				    nlmsg_attrdata(cb->nlh, GENL_HDRLEN),
				    "a dump takes no attributes");
		return -EINVAL;
	}

	rcu_read_lock();
	cb->seq = ss_table_gen(table);
	xa_for_each_start(&table->ids, id, entry, next) {
		err = ss_nl_fill(skb, kind, entry, portid, cb->nlh->nlmsg_seq,
				 NLM_F_MULTI, cb);
		if (err)
			break;
		next = id + 1;
	}
	rcu_read_unlock();
	cb->args[0] = next;

	/* An object that does not fit an empty message never will. */
	if (err && !skb->len)
		return err;
	return skb->len;
}

int shadowsocks_nl_server_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	return ss_nl_dump(skb, cb, &ss_nl_servers);
}

/*
 * USER_NEW, USER_DEL, USER_GET: the server (SS_A_NAME) and the user
 * (SS_A_USER), both required and valid. Return: 0, or -EINVAL with the
 * reason in the extack.
 */
static int ss_nl_user_names(struct genl_info *info, const char **server,
			    const char **user)
{
	if (ss_nl_missing(info, SS_A_NAME) || ss_nl_missing(info, SS_A_USER))
		return -EINVAL;
	*server = ss_nl_name(info);
	*user = *server ? ss_nl_name_attr(info->attrs[SS_A_USER],
					  info->extack) : NULL;
	return *user ? 0 : -EINVAL;
}

/* The server of a USER_* request; the caller holds ss_net.lock. */
static struct ss_server *ss_nl_user_server(struct genl_info *info,
					   struct ss_net *sn, const char *name)
{
	struct ss_server *srv = ss_server_find(sn, name);

	if (!srv)
		ss_nl_no_server(info, name);
	return srv;
}

static void ss_nl_no_user(struct genl_info *info, const char *server,
			  const char *user)
{
	NL_SET_BAD_ATTR(info->extack, info->attrs[SS_A_USER]);
	SS_SET_ERR_MSG_FMT(info->extack, "no user of that name",
			   "server \"%s\" has no user named \"%s\"", server,
			   user);
}

int shadowsocks_nl_user_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ss_net *sn = ss_net(genl_info_net(info));
	const struct ss_method_info *m;
	const char *server, *user;
	struct ss_server *srv;
	int err, key_len;

	err = ss_nl_user_names(info, &server, &user);
	if (!err && ss_nl_missing(info, SS_A_KEY))
		err = -EINVAL;
	if (err)
		goto out;

	mutex_lock(&sn->lock);
	srv = ss_nl_user_server(info, sn, server);
	if (!srv) {
		err = -ENOENT;
		goto out_unlock;
	}
	m = srv->ep.method;
	key_len = nla_len(info->attrs[SS_A_KEY]);
	if (m->aes_headers && key_len != m->key_len) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[SS_A_KEY]);
		SS_SET_ERR_MSG_FMT(info->extack,
				   "key length does not match the server's method",
				   "key length %d does not match %s (needs %u)",
				   key_len, m->name, m->key_len);
		err = -EINVAL;
		goto out_unlock;
	}
	err = ss_user_add(srv, user, nla_data(info->attrs[SS_A_KEY]),
			  info->extack);
	if (err == -EEXIST && !info->extack->_msg)
		NL_SET_ERR_MSG(info->extack, "the server has a user of that name");
	else if (err)
		ss_nl_create_err(info->extack, err);
out_unlock:
	mutex_unlock(&sn->lock);
out:
	ss_nl_wipe_key(info, SS_A_KEY);
	return err;
}

int shadowsocks_nl_user_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ss_net *sn = ss_net(genl_info_net(info));
	const char *server, *user;
	struct ss_server *srv;
	int err;

	err = ss_nl_user_names(info, &server, &user);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	srv = ss_nl_user_server(info, sn, server);
	err = srv ? ss_user_del(srv, user) : -ENOENT;
	if (srv && err == -ENOENT)
		ss_nl_no_user(info, server, user);
	mutex_unlock(&sn->lock);
	return err;
}

/* One user's reply: its server's name, its own, its counters. */
static int ss_nl_fill_user(struct sk_buff *skb, const struct ss_server *srv,
			   const struct ss_user *user, u32 portid, u32 seq,
			   int flags, struct netlink_callback *cb)
{
	void *hdr = ss_nl_put_hdr(skb, portid, seq, flags, SS_CMD_USER_GET, cb);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, SS_A_NAME, srv->ep.entry.name) ||
	    nla_put_string(skb, SS_A_USER, user->name) ||
	    ss_user_fill_stats(skb, user)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int shadowsocks_nl_user_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ss_net *sn = ss_net(genl_info_net(info));
	const char *server, *name;
	struct ss_server *srv;
	struct ss_user *user;
	struct sk_buff *msg;
	int err;

	err = ss_nl_user_names(info, &server, &name);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	/* Under the lock: a server's user tables end without a grace period. */
	mutex_lock(&sn->lock);
	srv = ss_nl_user_server(info, sn, server);
	user = srv ? ss_user_lookup_name(&srv->users, name) : NULL;
	if (srv && !user)
		ss_nl_no_user(info, server, name);
	err = user ? ss_nl_fill_user(msg, srv, user, info->snd_portid,
				     info->snd_seq, 0, NULL) : -ENOENT;
	mutex_unlock(&sn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Dump the users of one server (SS_A_NAME) or of every one. cb->args[0]
 * is the server id to resume at, cb->args[1] how many of its users were
 * sent. Under RCU: users leave their list with list_del_rcu() and are
 * freed after a grace period; a user added or removed between parts may
 * be missed or sent twice, as with any dump of a list that changes.
 */
int shadowsocks_nl_user_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct ss_net *sn = ss_net(sock_net(cb->skb->sk));
	struct nlattr **attrs = ss_genl_dump_attrs(cb);
	u32 portid = NETLINK_CB(cb->skb).portid;
	unsigned long next = cb->args[0];
	unsigned long skip = cb->args[1];
	const char *only = NULL;
	struct ss_entry *entry;
	unsigned long id, n;
	struct ss_user *user;
	int err = 0;

	if (attrs[SS_A_USER]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[SS_A_USER],
				    "a dump takes a server's name only");
		return -EINVAL;
	}
	if (attrs[SS_A_NAME]) {
		only = ss_nl_name_attr(attrs[SS_A_NAME], cb->extack);
		if (!only)
			return -EINVAL;
	}

	rcu_read_lock();
	xa_for_each_start(&sn->servers.ids, id, entry, next) {
		struct ss_server *srv = container_of(entry, struct ss_server,
						     ep.entry);

		if (!READ_ONCE(srv->users.ready) ||
		    (only && strcmp(only, entry->name)))
			goto next_server;
		n = 0;
		list_for_each_entry_rcu(user, &srv->users.list, entry) {
			if (n++ < skip)
				continue;
			err = ss_nl_fill_user(skb, srv, user, portid,
					      cb->nlh->nlmsg_seq, NLM_F_MULTI,
					      cb);
			if (err)
				break;
			skip = n;
		}
		if (err)
			break;
next_server:
		next = id + 1;
		skip = 0;
	}
	rcu_read_unlock();
	cb->args[0] = next;
	cb->args[1] = skip;

	if (err && !skb->len)
		return err;
	return skb->len;
}

/* One remote address, IPv4 or IPv6, unicast and usable without a scope. */
static int ss_nl_parse_remote(struct genl_info *info, struct ss_client_cfg *cfg)
{
	struct nlattr *v4 = info->attrs[SS_A_REMOTE_IPV4];
	struct nlattr *v6 = info->attrs[SS_A_REMOTE_IPV6];

	if (!v4 && !v6) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, SS_A_REMOTE_IPV4);
		NL_SET_ERR_MSG(info->extack,
			       "missing remote address (IPv4 or IPv6)");
		return -EINVAL;
	}
	if (v4 && v6) {
		NL_SET_ERR_MSG_ATTR(info->extack, v6,
				    "give one remote address, IPv4 or IPv6, not both");
		return -EINVAL;
	}

	if (v4) {
		__be32 a = nla_get_in_addr(v4);

		if (ipv4_is_zeronet(a) || ipv4_is_multicast(a) ||
		    ipv4_is_lbcast(a)) {
			NL_SET_ERR_MSG_ATTR(info->extack, v4,
					    "remote address must be unicast");
			return -EINVAL;
		}
		ss_nl_sockaddr4(&cfg->remote, v4, cfg->obj.port);
	} else {
		struct in6_addr a = nla_get_in6_addr(v6);

		if (ipv6_addr_any(&a) || ipv6_addr_is_multicast(&a)) {
			NL_SET_ERR_MSG_ATTR(info->extack, v6,
					    "remote address must be unicast");
			return -EINVAL;
		}
		if (ipv6_addr_type(&a) & IPV6_ADDR_LINKLOCAL) {
			NL_SET_ERR_MSG_ATTR(info->extack, v6,
					    "link-local remote addresses are not supported");
			return -EINVAL;
		}
		ss_nl_sockaddr6(&cfg->remote, v6, cfg->obj.port);
	}
	return 0;
}

/*
 * SS_A_IDENTITY_KEY: SIP023 defines identity headers for the 2022 AES
 * methods only (their block cipher seals them).
 */
static int ss_nl_parse_ikey(struct genl_info *info, struct ss_obj_cfg *cfg)
{
	struct nlattr *attr = info->attrs[SS_A_IDENTITY_KEY];
	const struct ss_method_info *m = cfg->method;

	if (!attr)
		return 0;
	if (!m->aes_headers) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "identity keys (SIP023) are for the 2022 AES methods only");
		return -EINVAL;
	}
	if (nla_len(attr) != m->key_len) {
		NL_SET_BAD_ATTR(info->extack, attr);
		SS_SET_ERR_MSG_FMT(info->extack,
				   "identity key length does not match the method",
				   "identity key length %d does not match %s (needs %u)",
				   nla_len(attr), m->name, m->key_len);
		return -EINVAL;
	}
	cfg->ikey = nla_data(attr);
	return 0;
}

/*
 * SS_A_PASSWORD: kept for CLIENT_EXPORT only. A 2022 method's key is the
 * PSK that a link carries itself; it has no password.
 */
static int ss_nl_parse_password(struct genl_info *info,
				struct ss_client_cfg *cfg)
{
	struct nlattr *attr = info->attrs[SS_A_PASSWORD];
	int len;

	if (!attr)
		return 0;
	if (ss_method_is_2022(cfg->obj.method)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "2022 methods take a PSK, not a password");
		return -EINVAL;
	}
	len = nla_len(attr);
	if (len < 1 || len > SS_PASSWORD_MAX_LEN) {
		NL_SET_BAD_ATTR(info->extack, attr);
		SS_SET_ERR_MSG_FMT(info->extack,
				   "password length out of range",
				   "password length %d not in 1..%d",
				   len, SS_PASSWORD_MAX_LEN);
		return -EINVAL;
	}
	cfg->password = nla_data(attr);
	cfg->password_len = len;
	return 0;
}

int shadowsocks_nl_client_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ss_client_cfg cfg = {};
	int err;

	err = ss_nl_parse_obj(info, &cfg.obj) ?: ss_nl_parse_remote(info, &cfg) ?:
	      ss_nl_parse_ikey(info, &cfg.obj) ?:
	      ss_nl_parse_password(info, &cfg);
	if (err)
		return err;
	err = ss_client_create(genl_info_net(info), &cfg);
	return ss_nl_created(info, err, &ss_client_kind, cfg.obj.name);
}

int shadowsocks_nl_client_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return ss_nl_del(info, &ss_nl_clients);
}

int shadowsocks_nl_client_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return ss_nl_get(info, &ss_nl_clients);
}

int shadowsocks_nl_client_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	return ss_nl_dump(skb, cb, &ss_nl_clients);
}

/*
 * CLIENT_EXPORT: a profile with its secrets, for a share link. The ops
 * table's GENL_UNS_ADMIN_PERM keeps it to those who could have created the
 * profile.
 */
int shadowsocks_nl_client_export_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	return ss_nl_get(info, &ss_nl_client_secrets);
}

/*
 * SS_A_TARGET: a SOCKS5 address (type, address, port), exactly. Return: 0,
 * or -EINVAL with a message.
 */
static int ss_nl_target(struct genl_info *info, const u8 **target, u16 *len)
{
	const struct nlattr *attr = info->attrs[SS_A_TARGET];

	*target = nla_data(attr);
	*len = nla_len(attr);
	if (*len && ss_addr_len(*target, *len) == *len)
		return 0;
	NL_SET_ERR_MSG_ATTR(info->extack, attr,
			    "invalid target address (SOCKS5 format: type, address, port)");
	return -EINVAL;
}

/*
 * An optional binary attribute of at most @max bytes (a bound the spec
 * language cannot say, see ss_nl_too_long()): where and how long, or
 * nothing. Return: 0, or -ERANGE with a message.
 */
static int ss_nl_binary(struct genl_info *info, int type, int max,
			const u8 **data, u16 *len)
{
	const struct nlattr *attr = info->attrs[type];

	if (!attr)
		return 0;
	if (ss_nl_too_long(info, type, max))
		return -ERANGE;
	*data = nla_data(attr);
	*len = nla_len(attr);
	return 0;
}

/*
 * The socket of a descriptor attribute, in the caller's descriptor table:
 * doit runs in the sender's context. What the socket must be is checked by
 * the code that takes it (socket.c's ss_sock_check_*()).
 */
static struct socket *ss_nl_sockfd(struct genl_info *info, int type, int *err)
{
	struct socket *sock = sockfd_lookup(nla_get_u32(info->attrs[type]), err);

	if (!sock)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[type],
				    "not a socket descriptor");
	return sock;
}

/* Find a profile and take a reference on it, or say there is none. */
static struct ss_client *ss_nl_client_get_ref(struct genl_info *info,
					      const char *name)
{
	struct ss_net *sn = ss_net(genl_info_net(info));
	struct ss_client *cl;

	rcu_read_lock();
	cl = ss_client_find(sn, name);
	if (cl && !ss_endpoint_get_live(&cl->ep))
		cl = NULL;
	rcu_read_unlock();
	if (!cl)
		ss_nl_no_client(info, name);
	return cl;
}

/*
 * The family's hooks, around every command's handler. The handovers act on
 * a client profile: pre_doit finds it by name and holds a reference for
 * the handler in user_ptr[0], which post_doit drops. post_doit also wipes
 * the key from the request, whatever the handler returned (a command whose
 * policy has no key never sees one: the core refuses it before the hooks).
 */
static int ss_nl_pre_doit(const struct ss_genl_hook_ops *ops,
			  struct sk_buff *skb, struct genl_info *info)
{
	const char *name;

	info->user_ptr[0] = NULL;
	if (ops->cmd != SS_CMD_RELAY_NEW && ops->cmd != SS_CMD_UDP_RELAY_NEW)
		return 0;
	name = ss_nl_name_only(info);
	if (!name)
		return -EINVAL;
	info->user_ptr[0] = ss_nl_client_get_ref(info, name);
	return info->user_ptr[0] ? 0 : -ENOENT;
}

static void ss_nl_post_doit(const struct ss_genl_hook_ops *ops,
			    struct sk_buff *skb, struct genl_info *info)
{
	struct ss_client *cl = info->user_ptr[0];

	if (cl)
		ss_endpoint_put(&cl->ep);
	/* attrs[] is as long as the command's policy: past it, no key */
	if (ops->maxattr >= SS_A_KEY)
		ss_nl_wipe_key(info, SS_A_KEY);
	if (ops->maxattr >= SS_A_IDENTITY_KEY)
		ss_nl_wipe_key(info, SS_A_IDENTITY_KEY);
	if (ops->maxattr >= SS_A_PASSWORD)
		ss_nl_wipe_key(info, SS_A_PASSWORD);
}

int shadowsocks_nl_relay_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ss_handover ho = {};
	struct socket *sock;
	int err;

	if (ss_nl_missing(info, SS_A_FD) || ss_nl_missing(info, SS_A_TARGET))
		return -EINVAL;
	err = ss_nl_target(info, &ho.target, &ho.target_len) ?:
	      ss_nl_binary(info, SS_A_DATA, SS_RELAY_DATA_MAX, &ho.data,
			   &ho.data_len) ?:
	      ss_nl_binary(info, SS_A_REPLY, SS_RELAY_REPLY_MAX, &ho.reply,
			   &ho.reply_len);
	if (err)
		return err;

	sock = ss_nl_sockfd(info, SS_A_FD, &err);
	if (!sock)
		return err;
	err = ss_conn_hand_over(genl_info_net(info), info->user_ptr[0], sock,
				&ho, info->extack);
	if (err)
		sockfd_put(sock);
	return err;	/* on success, the relay holds the socket */
}

/* SS_A_UDP_SOURCE: ATYP 1 or 4, address, port. */
static int ss_nl_udp_source(struct genl_info *info, union ss_sockaddr *sa)
{
	struct nlattr *attr = info->attrs[SS_A_UDP_SOURCE];
	const u8 *p;
	int len;

	memset(sa, 0, sizeof(*sa));
	if (!attr)
		return 0;
	p = nla_data(attr);
	len = nla_len(attr);
	if (len == 1 + 4 + 2 && p[0] == SS_ATYP_IPV4) {
		sa->in4.sin_family = AF_INET;
		memcpy(&sa->in4.sin_addr, p + 1, 4);
		memcpy(&sa->in4.sin_port, p + 5, 2);
	} else if (len == 1 + 16 + 2 && p[0] == SS_ATYP_IPV6) {
		sa->in6.sin6_family = AF_INET6;
		memcpy(&sa->in6.sin6_addr, p + 1, 16);
		memcpy(&sa->in6.sin6_port, p + 17, 2);
	} else {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "invalid source address (SOCKS5 format, IPv4 or IPv6, and port)");
		return -EINVAL;
	}
	return 0;
}

int shadowsocks_nl_udp_relay_new_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct ss_ludp_cfg cfg = {};
	int err;

	if (ss_nl_missing(info, SS_A_FD))
		return -EINVAL;
	if (!!attrs[SS_A_TARGET] + nla_get_flag(attrs[SS_A_SOCKS5_UDP]) +
	    nla_get_flag(attrs[SS_A_TPROXY]) != 1) {
		NL_SET_ERR_MSG(info->extack,
			       "exactly one of a target (tunnel mode), the SOCKS5 flag and the tproxy flag");
		return -EINVAL;
	}
	if (nla_get_flag(attrs[SS_A_SOCKS5_UDP]))
		cfg.mode = SS_LUDP_SOCKS5;
	else if (nla_get_flag(attrs[SS_A_TPROXY]))
		cfg.mode = SS_LUDP_TPROXY;
	else
		cfg.mode = SS_LUDP_TUNNEL;
	if (attrs[SS_A_UDP_SOURCE] && cfg.mode != SS_LUDP_SOCKS5) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[SS_A_UDP_SOURCE],
				    "a source address is for SOCKS5 mode only");
		return -EINVAL;
	}
	if (attrs[SS_A_REPLY] && !attrs[SS_A_CTRL_FD]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[SS_A_REPLY],
				    "a reply needs a control socket");
		return -EINVAL;
	}
	err = (attrs[SS_A_TARGET] ?
	       ss_nl_target(info, &cfg.target, &cfg.target_len) : 0) ?:
	      ss_nl_udp_source(info, &cfg.source) ?:
	      ss_nl_binary(info, SS_A_REPLY, SS_RELAY_REPLY_MAX, &cfg.reply,
			   &cfg.reply_len);
	if (err)
		return err;

	cfg.sock = ss_nl_sockfd(info, SS_A_FD, &err);
	if (!cfg.sock)
		return err;
	/*
	 * Transparent mode sends from other hosts' addresses in the socket's
	 * namespace, with a kernel socket's powers (any port): only for a
	 * caller with CAP_NET_ADMIN there, not merely the holder of a
	 * transparent socket someone else made.
	 */
	err = -EPERM;
	if (cfg.mode == SS_LUDP_TPROXY &&
	    !netlink_ns_capable(skb, sock_net(cfg.sock->sk)->user_ns,
				CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[SS_A_FD],
				    "tproxy mode needs CAP_NET_ADMIN over the socket's network namespace");
		goto out_put;
	}
	if (attrs[SS_A_CTRL_FD]) {
		cfg.ctrl = ss_nl_sockfd(info, SS_A_CTRL_FD, &err);
		if (!cfg.ctrl)
			goto out_put;
	}
	err = ss_ludp_relay_new(genl_info_net(info), info->user_ptr[0], &cfg,
				info->extack);
	if (!err)
		return 0;	/* the relay holds the sockets now */
	if (cfg.ctrl)
		sockfd_put(cfg.ctrl);
out_put:
	sockfd_put(cfg.sock);
	return err;
}

/**
 * ss_nl_monitored() - does anyone listen for events?
 * @net: the namespace
 *
 * Return: true if a socket of @net is subscribed to the monitor group.
 */
bool ss_nl_monitored(struct net *net)
{
	return genl_has_listeners(&ss_family, net, SHADOWSOCKS_NLGRP_MONITOR);
}

/**
 * ss_nl_notify() - multicast an event to a namespace's monitors
 * @net: the namespace
 * @cmd: SS_CMD_*_NTF
 * @object: SS_OBJECT_*
 * @name: the object's name
 * @reason: SS_REASON_* for SS_CMD_OBJECT_DEL_NTF, else 0
 * @gfp: allocation flags of the caller's context
 *
 * Best effort, like every netlink event: a monitor whose socket is full
 * misses it (and sees ENOBUFS on its socket).
 */
void ss_nl_notify(struct net *net, u8 cmd, u32 object, const char *name,
		  u32 reason, gfp_t gfp)
{
	struct sk_buff *skb;
	void *hdr;

	if (!ss_nl_monitored(net))
		return;
	skb = genlmsg_new(2 * nla_total_size(sizeof(u32)) +
			  nla_total_size(SS_NAME_MAX), gfp);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &ss_family, 0, cmd);
	if (!hdr || nla_put_u32(skb, SS_A_OBJECT, object) ||
	    nla_put_string(skb, SS_A_NAME, name) ||
	    (reason && nla_put_u32(skb, SS_A_REASON, reason))) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&ss_family, net, skb, 0,
				SHADOWSOCKS_NLGRP_MONITOR, gfp);
}

/**
 * ss_nl_resolver_listening() - does an agent listen for lookups?
 * @net: the namespace
 *
 * Return: true if a socket of @net is subscribed to the resolver group.
 */
bool ss_nl_resolver_listening(struct net *net)
{
	return genl_has_listeners(&ss_family, net, SHADOWSOCKS_NLGRP_RESOLVER);
}

/**
 * ss_nl_resolve_request() - multicast a lookup to the namespace's agents
 * @net: the server's namespace
 * @id: the lookup's id there
 * @server: the server's name
 * @name: the name to resolve, NUL-terminated
 *
 * Process context.
 *
 * Return: 0; -ESRCH when no agent got it; -ENOBUFS when an agent's socket
 * was full; -ENOMEM, -EMSGSIZE.
 */
int ss_nl_resolve_request(struct net *net, u32 id, const char *server,
			  const char *name)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(nla_total_size(sizeof(u32)) +
			  nla_total_size(SS_DOMAIN_MAX + 1) +
			  nla_total_size(SS_NAME_MAX), GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &ss_family, 0, SS_CMD_RESOLVE_REQUEST);
	if (!hdr || nla_put_u32(skb, SS_A_LOOKUP_ID, id) ||
	    nla_put_string(skb, SS_A_LOOKUP_NAME, name) ||
	    nla_put_string(skb, SS_A_NAME, server)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_multicast_netns(&ss_family, net, skb, 0,
				       SHADOWSOCKS_NLGRP_RESOLVER, GFP_KERNEL);
}

/*
 * An address of a reply; an IPv4-mapped IPv6 address counts as IPv4. The
 * first of each family is kept.
 */
static void ss_nl_reply_addr(const struct nlattr *nla, union ss_sockaddr *v4,
			     union ss_sockaddr *v6)
{
	struct in6_addr a6;

	if (nla_type(nla) == SS_A_LOOKUP_IPV4) {
		if (!v4->sa.sa_family)
			ss_nl_sockaddr4(v4, nla, 0);
		return;
	}
	a6 = nla_get_in6_addr(nla);
	if (ipv6_addr_v4mapped(&a6)) {
		if (!v4->sa.sa_family) {
			v4->in4.sin_family = AF_INET;
			v4->in4.sin_addr.s_addr = a6.s6_addr32[3];
		}
	} else if (!v6->sa.sa_family) {
		ss_nl_sockaddr6(v6, nla, 0);
	}
}

int shadowsocks_nl_resolve_reply_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	union ss_sockaddr v4 = {}, v6 = {};
	unsigned int n_id = 0, n_err = 0, n_addrs = 0;
	struct nlattr *nla;
	int rem, err;

	if (ss_nl_missing(info, SS_A_LOOKUP_ID))
		return -EINVAL;

	/*
	 * attrs[] holds the last attribute of each type only (the core has
	 * validated every one): walk them all for the addresses, and refuse
	 * a repeated id or error, which would be ambiguous.
	 */
	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem) {
		switch (nla_type(nla)) {
		case SS_A_LOOKUP_ID:
			n_id++;
			break;
		case SS_A_LOOKUP_ERROR:
			n_err++;
			break;
		case SS_A_LOOKUP_IPV4:
		case SS_A_LOOKUP_IPV6:
			if (++n_addrs > SS_LOOKUP_ADDRS_MAX) {
				NL_SET_ERR_MSG_ATTR(info->extack, nla,
						    "too many addresses");
				return -E2BIG;
			}
			ss_nl_reply_addr(nla, &v4, &v6);
			break;
		}
	}
	if (n_id > 1 || n_err > 1) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    n_id > 1 ? attrs[SS_A_LOOKUP_ID] :
					       attrs[SS_A_LOOKUP_ERROR],
				    "attribute repeated");
		return -EINVAL;
	}
	if (n_err && n_addrs) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[SS_A_LOOKUP_ERROR],
				    "an error and addresses in one reply");
		return -EINVAL;
	}
	if (!n_err && !n_addrs) {
		NL_SET_ERR_MSG(info->extack,
			       "a reply needs addresses or an error");
		return -EINVAL;
	}
	err = n_err ? -(int)nla_get_u32(attrs[SS_A_LOOKUP_ERROR]) : 0;
	err = ss_lookup_answer(genl_info_net(info),
			       nla_get_u32(attrs[SS_A_LOOKUP_ID]), err,
			       v4.sa.sa_family ? &v4 : &v6);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[SS_A_LOOKUP_ID],
				    "no such lookup under way in this namespace (answered, timed out or ended)");
	return err;
}

/*
 * resv_start_op is left 0: every command is "new", so the core refuses a
 * non-zero reserved header field and validates attributes strictly
 * (unknown types, trailing data, NLA_UNSPEC) for doit and dump alike.
 * The ops carry their own policies (netlink-gen.c): an attribute that a
 * command does not take is refused before its handler runs, so a key sent
 * to a command that takes none is not wiped; it is the sender's own, and
 * leaves with the request's buffer.
 */
static struct genl_family ss_family __ro_after_init = {
	.name = SS_GENL_NAME,
	.version = SS_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.pre_doit = ss_nl_pre_doit,
	.post_doit = ss_nl_post_doit,
	.ops = shadowsocks_nl_ops,
	.n_ops = ARRAY_SIZE(shadowsocks_nl_ops),
	.mcgrps = ss_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ss_mcgrps),
};

/**
 * ss_genl_init() - register the generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int ss_genl_init(void)
{
	return genl_register_family(&ss_family);
}

/**
 * ss_genl_uninit() - unregister the family; no request runs after this
 */
void ss_genl_uninit(void)
{
	genl_unregister_family(&ss_family);
}
