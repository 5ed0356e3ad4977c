/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local role's UDP relay: UDP front ends handed over by ss-socksd
 * (SS_CMD_UDP_RELAY_NEW), in tunnel or SOCKS5 mode, relayed through the
 * client profile's server.
 */

#ifndef _SS_UDP_LOCAL_H
#define _SS_UDP_LOCAL_H

#include <linux/llist.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include "addr.h"
#include "datagram.h"

struct net;
struct netlink_ext_ack;
struct socket;
struct ss_client;

/**
 * struct ss_ludp - a client profile's UDP relays
 * @lock: serialises everything below that is not atomic, and the state of
 *	every relay and association of the profile. Taken by the profile's
 *	work, its expiry work, the handover and ss_ludp_stop(); never by
 *	socket callbacks, which only queue. Sleeps.
 * @relays: the relays (struct ss_ludp_relay)
 * @nr_relays: entries in @relays; at most the profile's max_conns
 * @assocs: the associations of all its relays, by relay and source
 *	address; sized from the profile's max_conns with the first relay
 * @nr_assocs: entries in @assocs; at most the profile's max_conns
 * @closing: set by ss_ludp_stop(): nothing is added or queued any more
 * @ready_relays: relays with datagrams to read, or to end (struct
 *	ss_ready); each entry holds a reference
 * @ready_assocs: associations with replies to read; likewise
 * @work: reads the ready relays and associations; on ss_wq
 * @gc: ends idle associations (and idle relays without a control socket);
 *	on ss_wq
 * @dc: seals datagrams to the server and opens its replies, in its
 *	%SS_LUDP_BUF buffer; allocated with the first relay
 */
struct ss_ludp {
	struct mutex lock;	/* see above */
	struct list_head relays;
	u32 nr_relays;
	struct ss_dgram_table assocs;
	u32 nr_assocs;
	bool closing;
	struct llist_head ready_relays;
	struct llist_head ready_assocs;
	struct work_struct work;
	struct delayed_work gc;
	struct ss_dgram_codec dc;
};

/**
 * enum ss_ludp_mode - what a relay's datagrams look like, and its replies
 * @SS_LUDP_TUNNEL: as ss-tunnel -u: data only, one fixed target
 * @SS_LUDP_SOCKS5: RFC 1928 section 7: the SOCKS5 UDP header, then data
 * @SS_LUDP_TPROXY: data only, each to its original destination (a
 *	transparent socket netfilter's tproxy feeds); replies leave from the
 *	replying host's address
 */
enum ss_ludp_mode {
	SS_LUDP_TUNNEL,
	SS_LUDP_SOCKS5,
	SS_LUDP_TPROXY,
};

/**
 * struct ss_ludp_cfg - what SS_CMD_UDP_RELAY_NEW asks for
 * @sock: the bound UDP socket, with the file reference sockfd_lookup()
 *	took; on success the relay owns it
 * @ctrl: the control socket or NULL, likewise
 * @mode: tunnel, SOCKS5 or transparent
 * @target: tunnel mode: the fixed target (SOCKS5 format), @target_len bytes
 * @target_len: its length
 * @source: SOCKS5 mode: the allowed source; sa_family 0 for any
 * @reply: written to @ctrl once the relay is in place, @reply_len bytes
 * @reply_len: its length, 0 for none
 */
struct ss_ludp_cfg {
	struct socket *sock;
	struct socket *ctrl;
	enum ss_ludp_mode mode;
	const u8 *target;
	u16 target_len;
	union ss_sockaddr source;
	const u8 *reply;
	u16 reply_len;
};

void ss_ludp_init(struct ss_client *cl);
int ss_ludp_relay_new(struct net *net, struct ss_client *cl,
		      const struct ss_ludp_cfg *cfg,
		      struct netlink_ext_ack *extack);
void ss_ludp_stop(struct ss_client *cl);

#endif /* _SS_UDP_LOCAL_H */
