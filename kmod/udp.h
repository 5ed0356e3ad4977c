/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server role's UDP relay: packets from clients on the server's UDP
 * sockets, relayed to their targets through one association per client
 * address, and the targets' replies sealed back to the client.
 */

#ifndef _SS_UDP_H
#define _SS_UDP_H

#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include "addr.h"
#include "cipher.h"

struct net;
struct sock;
struct socket;
struct ss_method_info;
struct ss_server;

#define SS_UDP_HASH_BITS	8

/* The packet buffer: any UDP datagram fits, so none is truncated. */
#define SS_UDP_BUF		65536
#define SS_UDP_DGRAM_MAX	(65535 - 8 - 20)
/* The longest IP address in the SOCKS5 format: type, IPv6, port. */
#define SS_UDP_ADDR_IP_MAX	(1 + 16 + 2)
/* Packets read per socket in one run of a relay work. */
#define SS_UDP_BUDGET		64

/**
 * struct ss_udp - a server's UDP relay state
 * @lock: serialises everything below that is not atomic, and every
 *	association's state: the association table, @nr_assocs, @closing,
 *	@buf, @rx, @tx, @target. Taken by the relay work, the expiry work,
 *	resolutions as they finish, and ss_udp_stop(); never by socket
 *	callbacks, which only queue. Sleeps (sockets are created and released
 *	and ciphers keyed under it).
 * @net: the server's namespace, where association sockets are created
 * @assocs: associations by client address
 * @nr_assocs: entries in @assocs; at most the server's max_conns
 * @closing: set by ss_udp_stop(): nothing is added or queued any more
 * @started: the listeners' sk_data_ready are ours
 * @ready: associations whose sockets have replies to read; each entry
 *	holds a reference, and its %SS_ASSOC_QUEUED bit is set
 * @work: reads the listeners and the @ready associations; on ss_wq
 * @gc: ends associations idle for the server's timeout; on ss_wq
 * @buf: %SS_UDP_BUF bytes, kmalloc'd (the ciphers need linear memory):
 *	every packet in and every reply out goes through it, one at a time
 * @rx: opens client packets, rekeyed with each packet's salt
 * @tx: seals replies, rekeyed with a fresh random salt for each
 * @target: the address of the packet being handled (large for the stack)
 */
struct ss_udp {
	struct mutex lock;	/* see above */
	struct net *net;
	DECLARE_HASHTABLE(assocs, SS_UDP_HASH_BITS);
	u32 nr_assocs;
	bool closing;
	bool started;
	struct llist_head ready;
	struct work_struct work;
	struct delayed_work gc;
	u8 *buf;
	struct ss_cipher rx;
	struct ss_cipher tx;
	struct ss_target target;
};

/* Shared by both roles' UDP relays (udp.c, udp_local.c). */
u32 ss_udp_hash(const union ss_sockaddr *sa);
bool ss_udp_addr_eq(const union ss_sockaddr *a, const union ss_sockaddr *b);
int ss_udp_seal(struct ss_cipher *c, const struct ss_method_info *method,
		const u8 *key, u8 *pkt, size_t len);
int ss_udp_open(struct ss_cipher *c, const struct ss_method_info *method,
		const u8 *key, u8 *pkt, size_t len);

int ss_udp_init(struct ss_server *srv, struct net *net);
void ss_udp_start(struct ss_server *srv);
void ss_udp_stop(struct ss_server *srv);

#endif /* _SS_UDP_H */
