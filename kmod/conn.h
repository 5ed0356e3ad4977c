/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connections of both roles: the socket carrying the encrypted stream (the
 * "wire" side: an accepted Shadowsocks client in the server role, the
 * remote server in the local role), the socket carrying plaintext (the
 * "plain" side: the target, or the application that a helper handed
 * over), and the state of the relay between them.
 */

#ifndef _SS_CONN_H
#define _SS_CONN_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/sizes.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "cipher.h"
#include "socket.h"
#include "stats.h"
#include "user.h"

struct net;
struct sock;
struct netlink_ext_ack;
struct socket;
struct ss_client;
struct ss_endpoint;
struct ss_lookup;
struct ss_server;
struct ss_target;

extern struct workqueue_struct *ss_wq;

/**
 * enum ss_conn_state - where a connection is
 * @SS_CONN_NEW: accepted or handed over; its work has not run yet
 * @SS_CONN_HANDSHAKE: reading the client's salt and the target address
 *	(server role)
 * @SS_CONN_RESOLVING: waiting for the resolver (resolve.c; server role)
 * @SS_CONN_CONNECTING: non-blocking connect to the target (server role)
 *	or the remote server (local role) under way
 * @SS_CONN_RELAY: relaying both ways
 * @SS_CONN_DRAINING: bad data seen: reading and discarding until the
 *	handshake deadline, then closing
 * @SS_CONN_DEAD: sockets released; the memory waits for its last reference
 */
enum ss_conn_state {
	SS_CONN_NEW,
	SS_CONN_HANDSHAKE,
	SS_CONN_RESOLVING,
	SS_CONN_CONNECTING,
	SS_CONN_RELAY,
	SS_CONN_DRAINING,
	SS_CONN_DEAD,
};

/* Bits of &ss_conn.flags, set by others for the work to see. */
enum {
	SS_CONN_F_KILL,		/* the server or profile is going: close */
	SS_CONN_F_TIMER,	/* the timer fired: check the deadline */
	SS_CONN_F_RESOLVED,	/* the resolver has answered */
	SS_CONN_F_EVICT,	/* a new connection needs its place: close */
	SS_CONN_F_SPLIT,	/* relaying: socket events go to the direction
				 * works (@rx_work, @tx_work)
				 */
	SS_CONN_F_RX_SHUT,	/* wire to plain has passed its FIN on */
	SS_CONN_F_TX_SHUT,	/* plain to wire has passed its FIN on */
	SS_CONN_F_KICK,		/* relaying, an event either direction may
				 * have to act on: the control work queues
				 * both
				 */
};

/*
 * How a direction ended the connection (&ss_conn.end): a direction work
 * never closes, it records why and queues the control work, which does.
 */
enum ss_conn_end {
	SS_CONN_END_NONE,
	SS_CONN_END_AUTH,	/* a chunk from the wire failed authentication */
	SS_CONN_END_BADLEN,	/* a bad chunk length or 2022 header */
	SS_CONN_END_RX,		/* wire to plain: a socket error */
	SS_CONN_END_TX,		/* plain to wire: a socket error */
};

/**
 * struct ss_peer - one of a connection's two sockets
 * @sock: the socket, NULL before it exists and after it is released
 * @saved: what the socket had before our callbacks (socket.c), put back
 *	before it is released
 */
struct ss_peer {
	struct socket *sock;
	struct ss_sock_saved saved;
};

/* Stages of reading the wire side's stream (struct ss_rx). */
enum ss_rx_stage {
	SS_RX_SALT,	/* reading the salt into &ss_conn.salt */
	SS_RX_IDENTITY,	/* 2022 server with users: the identity header */
	SS_RX_FIXED,	/* 2022 server: reading the request's fixed header */
	SS_RX_RESP,	/* 2022 local: reading the response's fixed header */
	SS_RX_LEN,	/* reading a sealed length into @hdr */
	SS_RX_PAYLOAD,	/* reading a sealed payload into @buf, its tag into @tag */
	SS_RX_WRITE,	/* plaintext [@off, @end) of @buf goes to plain */
	SS_RX_EOF,	/* the wire side has sent its FIN, all is written */
};

/* A sealed length: two bytes and their tag. */
#define SS_LEN_SEALED		(2 + SS_TAG_LEN)
/* A 2022 request's sealed fixed header (sip022.h): 11 bytes and a tag. */
#define SS_2022_FIXED_SEALED	(1 + 8 + 2 + SS_TAG_LEN)
/* A 2022 response's, the request salt in it, at its longest. */
#define SS_2022_RESP_SEALED_MAX	(1 + 8 + SS_SALT_MAX_LEN + 2 + SS_TAG_LEN)

/*
 * A payload is read into pieces of 16 KiB (the largest block short of a
 * costly order): one for AEAD-2017's chunks of up to 0x3FFF bytes, up to
 * four for 2022's of up to 0xFFFF.
 */
#define SS_RX_PIECE		SZ_16K
#define SS_RX_PIECES		4

/**
 * struct ss_rx - wire side to plain side: chunks opened in place
 * @buf: one sealed payload in pieces of %SS_RX_PIECE bytes, opened in
 *	place; each piece allocated when a payload needs it, all freed when
 *	the wire side has nothing more for now, so that an idle connection
 *	holds no buffer
 * @hdr: the current chunk's sealed length, or a 2022 request's or
 *	response's sealed fixed header, opened in place
 * @tag: the current payload's tag: apart from @buf, whose pieces then fit
 *	in 16 KiB each
 * @stage: enum ss_rx_stage
 * @have: bytes of the current stage's unit read so far (in the length
 *	stage, some may have come with the payload before it)
 * @plen: the current chunk's payload length
 * @off: first plaintext byte not yet written to the plain side
 * @end: end of the plaintext
 * @lowat: the wire socket's receive low-water mark as last set (at first
 *	TCP's default of 1), see ss_rx_lowat()
 */
struct ss_rx {
	u8 *buf[SS_RX_PIECES];
	u8 hdr[SS_2022_RESP_SEALED_MAX];
	u8 tag[SS_TAG_LEN];
	u8 stage;
	u32 have;
	u32 plen;
	u32 off;
	u32 end;
	u32 lowat;
};

/**
 * struct ss_tx - plain side to wire side: chunks sealed in place
 * @buf: room for the salt, then one chunk (sealed length, payload, tag);
 *	plaintext is read at its payload offset and sealed in place.
 *	Allocated when the plain side has data, freed when it has no more
 *	for now and everything was sent
 * @off: first sealed byte not yet sent to the wire side
 * @end: end of the sealed bytes
 * @keyed: our salt is chosen and &ss_conn.enc keyed with it; read by
 *	the other direction (2022 local role, see &ss_conn.req_salt)
 * @eof: the plain side has sent its FIN
 */
struct ss_tx {
	u8 *buf;
	u32 off;
	u32 end;
	bool keyed;
	bool eof;
};

/**
 * struct ss_conn - a connection of either role
 * @refcount: the base reference, held from accept until ss_conn_close();
 *	one for each queued run of @work, @rx_work and @tx_work; one held by
 *	a pending resolution
 * @end: enum ss_conn_end, set once by a direction work
 * @work: the control work: runs everything the connection does until it
 *	relays, then its timer, its end and its close, one run at a time (a
 *	work item never runs concurrently with itself). Until the relay the
 *	fields below @flags need no lock: only this work touches them; then
 *	each direction work owns its half, and the rest is shared as said
 * @rx_work: relaying: wire to plain (@rx, @dec), so that one direction
 *	never waits behind the other; from SS_CONN_F_SPLIT on
 * @tx_work: relaying: plain to wire (@tx, @enc, @abuf of the local role)
 * @timer: handshake deadline, then idle timeout; queues @work
 * @flags: SS_CONN_F_* bits
 * @node: in &ss_endpoint.conns, under &ss_endpoint.conns_lock
 * @unode: in &ss_endpoint.unauth while the connection may be evicted (a
 *	server's, not authenticated yet, see ss_conn_authenticated()); under
 *	&ss_endpoint.conns_lock
 * @ep: the server or client profile, a reference held until the memory
 *	is freed; &ss_endpoint.local tells the role
 * @net: its namespace; no reference: the owner's removal, which the
 *	namespace's end waits for, ends every connection first
 * @id: number for log messages, unique while the module is loaded
 * @state: enum ss_conn_state
 * @user_counted: the connection counts in @user's conn_active
 * @salt_checked: the request salt went through the replay filter (once
 *	the first sealed length authenticated) or the salt pool (2022: once
 *	the fixed header authenticated and its timestamp was good)
 * @user: a 2022 server's connection: the SIP023 user its identity header
 *	named, a reference held until the memory is freed; its key keys the
 *	connection both ways. Set once, under &ss_endpoint.conns_lock (see
 *	user.c); NULL when the server has no users
 * @deadline: jiffies at which the handshake must be over (accept or
 *	handover plus the handshake timeout); draining connections close then.
 *	Until the relay: @last_active takes its place then
 * @last_active: relaying: jiffies of the last data relayed, for the idle
 *	timeout; written by both direction works, read by the control work
 * @wire: the encrypted side: the accepted client, or the remote server
 * @plain: the plaintext side: the target, or the application
 * @rx: wire to plain
 * @tx: plain to wire
 * @dec: opens the wire side's stream
 * @enc: seals ours
 * @salt: server role: the client's salt, kept until the replay filter has
 *	seen it, and with 2022 until our response has quoted it (the local
 *	role reads the server's into &ss_rx.hdr: it needs it only to key @dec)
 * @req_salt: local role, 2022: in @salt's place, our request's salt, which
 *	the server's response must quote; written by @tx_work before it
 *	publishes &ss_tx.keyed, read by @rx_work after it has seen it
 * @abuf: server role: collects an address that spans chunks (rare, so
 *	allocated then). Local role: the helper's reply to the application,
 *	[0, @aoff), then the first payload: the target address (@addr_len
 *	bytes) and the data the helper had read, [@aoff, @alen); freed once
 *	written
 * @alen: bytes in @abuf
 * @aoff: see @abuf
 * @addr_len: see @abuf
 * @target_addr: where to connect; written by the resolver before it sets
 *	SS_CONN_F_RESOLVED
 * @resolve_err: the resolver's result, as @target_addr
 * @lookup: the lookup of the target's name while in SS_CONN_RESOLVING, a
 *	reference held (resolve.c); cancelled if the connection closes first
 */
struct ss_conn {
	struct kref refcount;
	atomic_t end;
	struct work_struct work;
	struct work_struct rx_work;
	struct work_struct tx_work;
	struct timer_list timer;
	unsigned long flags;
	struct list_head node;
	struct list_head unode;
	struct ss_endpoint *ep;
	struct net *net;
	u32 id;
	u8 state;
	bool user_counted;
	bool salt_checked;
	struct ss_user *user;
	union {
		unsigned long deadline;
		unsigned long last_active;
	};
	struct ss_peer wire;
	struct ss_peer plain;
	struct ss_rx rx;
	struct ss_tx tx;
	struct ss_cipher dec;
	struct ss_cipher enc;
	union {
		u8 salt[SS_SALT_MAX_LEN];
		u8 req_salt[SS_SALT_MAX_LEN];
	};
	u8 *abuf;
	u16 alen;
	u16 aoff;
	u16 addr_len;
	union ss_sockaddr target_addr;
	int resolve_err;
	struct ss_lookup *lookup;
};

int ss_conn_init(void);
void ss_conn_uninit(void);
void ss_conn_accept(struct ss_server *srv, struct socket *sock,
		    void (*data_ready)(struct sock *sk));
void ss_conn_kill_all(struct ss_endpoint *ep);
void ss_conn_kill_user(struct ss_endpoint *ep, struct ss_user *user);
bool ss_conn_set_user(struct ss_conn *conn, struct ss_user *user);
void ss_conn_count(struct ss_conn *conn, enum ss_stats_attr ctr, u64 val);

/**
 * struct ss_handover - what SS_CMD_RELAY_NEW hands over with the socket
 * @target: the target address, SOCKS5 format, validated
 * @target_len: its length
 * @data: what the helper has read past its handshake
 * @data_len: its length, at most SS_RELAY_DATA_MAX
 * @reply: what to write to the application first
 * @reply_len: its length, at most SS_RELAY_REPLY_MAX
 */
struct ss_handover {
	const u8 *target;
	u16 target_len;
	const u8 *data;
	u16 data_len;
	const u8 *reply;
	u16 reply_len;
};

int ss_conn_hand_over(struct net *net, struct ss_client *cl,
		      struct socket *sock, const struct ss_handover *ho,
		      struct netlink_ext_ack *extack);

void ss_conn_get(struct ss_conn *conn);
void ss_conn_put(struct ss_conn *conn);
void ss_conn_queue(struct ss_conn *conn);
void ss_conn_queue_work(struct ss_conn *conn, struct work_struct *work);
void ss_conn_active(struct ss_conn *conn);
void ss_conn_close(struct ss_conn *conn, const char *why);
void ss_conn_fail(struct ss_conn *conn, enum ss_stats_attr ctr,
		  const char *why);
void ss_conn_bad(struct ss_conn *conn, enum ss_stats_attr ctr,
		 const char *why);
bool ss_conn_authenticated(struct ss_conn *conn);
void ss_conn_target(struct ss_conn *conn, const struct ss_target *t);

#endif /* _SS_CONN_H */
