/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server role's UDP relay: packets from clients on the server's UDP
 * sockets, relayed to their targets through one association per client
 * address, and the targets' replies sealed back to the client.
 */

#ifndef _SS_UDP_H
#define _SS_UDP_H

#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include "addr.h"
#include "datagram.h"

struct net;
struct ss_server;
struct ss_user;

/* The association table's buckets: at least 64 (ss_dgram_table_init()). */
#define SS_UDP_HASH_BITS_MIN	6

/**
 * struct ss_udp - a server's UDP relay state
 * @lock: serialises everything below that is not atomic, and every
 *	association's state: the association table, @nr_assocs, @closing,
 *	@dc, @target. Taken by the relay work, the expiry work,
 *	resolutions as they finish, and ss_udp_stop(); never by socket
 *	callbacks, which only queue. Sleeps (sockets are created and released
 *	and ciphers keyed under it).
 * @net: the server's namespace, where association sockets are created
 * @assocs: associations by client address (2022: session ID), sized
 *	from the server's max_conns; no buckets when the mode has no UDP
 * @nr_assocs: entries in @assocs; at most the server's max_conns
 * @closing: set by ss_udp_stop(): nothing is added or queued any more
 * @started: the listeners' sk_data_ready are ours
 * @ready: associations whose sockets have replies to read (struct
 *	ss_ready); each entry holds a reference
 * @work: reads the listeners and the @ready associations; on ss_wq
 * @gc: ends associations idle for the server's timeout; on ss_wq
 * @dc: opens client packets and seals replies in its %SS_DGRAM_BUF
 *	buffer, one at a time; allocated when the mode has UDP
 * @target: the address of the packet being handled (large for the stack)
 */
struct ss_udp {
	struct mutex lock;	/* see above */
	struct net *net;
	struct ss_dgram_table assocs;
	u32 nr_assocs;
	bool closing;
	bool started;
	struct llist_head ready;
	struct work_struct work;
	struct delayed_work gc;
	struct ss_dgram_codec dc;
	struct ss_target target;
};

int ss_udp_init(struct ss_server *srv, struct net *net);
void ss_udp_start(struct ss_server *srv);
void ss_udp_stop(struct ss_server *srv);
void ss_udp_end_user(struct ss_server *srv, struct ss_user *user);

#endif /* _SS_UDP_H */
