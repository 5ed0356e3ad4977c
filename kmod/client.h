/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client profiles: where relays of the local role connect to, and how.
 */

#ifndef _SS_CLIENT_H
#define _SS_CLIENT_H

#include <linux/kref.h>
#include <linux/rcupdate.h>
#include <linux/shadowsocks.h>

#include "netns.h"
#include "socket.h"
#include "stats.h"

/**
 * struct ss_client - a client profile
 * @entry: name and id; in &ss_net.clients
 * @refcount: one reference held by the table while published, others by
 *	whoever found it and needs it past an RCU read section
 * @rcu: frees the profile after readers are done with it
 * @method: AEAD method
 * @key: raw master key, @method->key_len bytes used; wiped on free
 * @remote: the Shadowsocks server's address and port
 * @timeout: idle timeout in seconds
 * @stats: counters
 *
 * Everything but @stats is set before the profile is published and never
 * changed afterwards.
 */
struct ss_client {
	struct ss_entry entry;
	struct kref refcount;
	struct rcu_head rcu;
	const struct ss_method_info *method;
	u8 key[SS_KEY_MAX_LEN];
	union ss_sockaddr remote;
	u32 timeout;
	struct ss_stats stats;
};

/**
 * struct ss_client_cfg - what SS_CMD_CLIENT_NEW asks for
 * @obj: name, method, key, port, timeout
 * @remote: the remote server's address, with @obj.port
 */
struct ss_client_cfg {
	struct ss_obj_cfg obj;
	union ss_sockaddr remote;
};

int ss_client_create(struct net *net, const struct ss_client_cfg *cfg);
int ss_client_delete(struct net *net, const char *name);
struct ss_client *ss_client_find(struct ss_net *sn, const char *name);
void ss_client_remove_all(struct ss_net *sn);

#endif /* _SS_CLIENT_H */
