/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The UDP datagram layer both roles' UDP relays are built on (udp.c, the
 * server role; udp_local.c, the local role). Grouped by what uses it:
 * association tables, the packet codec, sockets, and the ready lists that
 * socket callbacks fill for a role's work. The roles keep their own logic:
 * what a datagram means, where it goes, and how long its state lives.
 */

#ifndef _SS_DATAGRAM_H
#define _SS_DATAGRAM_H

#include <crypto/aes.h>
#include <linux/bitops.h>
#include <linux/hash.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/shadowsocks.h>
#include <linux/workqueue.h>

#include "addr.h"
#include "cipher.h"
#include "sip022.h"

struct socket;
struct ss_endpoint;
struct ss_stats;
struct ss_user;
struct ss_users;

/* A buffer any UDP datagram fits in, so that none is truncated. */
#define SS_DGRAM_BUF		65536
/* The largest payload of an IPv4 UDP datagram. */
#define SS_DGRAM_MAX		(65535 - 8 - 20)
/* The longest IP address in the SOCKS5 format: type, IPv6, port. */
#define SS_DGRAM_ADDR_IP_MAX	(1 + 16 + 2)
/* Datagrams read from one socket in one run of a role's work. */
#define SS_DGRAM_BUDGET		64

/* Association tables, keyed by a peer's address (2022: a session ID). */

/**
 * struct ss_dgram_table - a role's associations, by ss_dgram_hash() or
 *	ss_dgram_hash_sid(); under the role's lock
 * @buckets: 1 << @bits of them, NULL before ss_dgram_table_init()
 * @bits: see @buckets
 */
struct ss_dgram_table {
	struct hlist_head *buckets;
	u8 bits;
};

int ss_dgram_table_init(struct ss_dgram_table *t, u32 max_conns,
			u8 bits_min);
void ss_dgram_table_free(struct ss_dgram_table *t);

static inline struct hlist_head *
ss_dgram_bucket(const struct ss_dgram_table *t, u32 hash)
{
	return &t->buckets[hash_32(hash, t->bits)];
}

/*
 * The table's buckets, 0 before it is made. Walks of a whole table
 * (expiry, an owner ending) give the CPU up between buckets: it may hold
 * max_conns associations.
 */
static inline u32 ss_dgram_buckets(const struct ss_dgram_table *t)
{
	return t->buckets ? 1U << t->bits : 0;
}

u32 ss_dgram_hash(const union ss_sockaddr *sa);
u32 ss_dgram_hash_sid(const u8 *sid);
bool ss_dgram_addr_eq(const union ss_sockaddr *a, const union ss_sockaddr *b);
unsigned long ss_dgram_gc_period(const struct ss_endpoint *ep);

/* The codec: AEAD UDP packets (protocol.md, "UDP packet"). */

/**
 * struct ss_dgram_codec - what one server or profile seals and opens its
 *	packets with; under the role's lock, one packet at a time
 * @buf: every datagram in and out goes through it (the ciphers need linear
 *	memory), kmalloc'd with the size ss_dgram_codec_init() was given
 * @rx: opens packets, rekeyed with each packet's salt (2022: with each
 *	session ID that differs from the last one's, @rx_sid)
 * @tx: seals packets, rekeyed likewise (2022: @tx_sid)
 * @rx_sid: 2022: the session ID @rx is keyed for, if @rx_keyed
 * @tx_sid: 2022: the session ID @tx is keyed for, if @tx_keyed
 * @rx_keyed: see @rx_sid
 * @tx_keyed: see @tx_sid
 * @sep: 2022 AES methods: the separate headers' AES key schedule, of the
 *	PSK (SIP022 section 3.2.1); wiped when the codec is freed
 * @isep: a profile with an identity key: the schedule of the identity PSK,
 *	which seals the separate header and the identity header of the
 *	packets it sends (SIP023); wiped likewise
 * @usep: a server with users: the schedule of the PSK of the user it last
 *	sealed a packet for (@usep_owner, a user's id; 0 for none); wiped
 *	likewise
 * @rx_owner: whose PSK @rx is keyed for: 0 for the object's own, else a
 *	SIP023 user's id
 * @tx_owner: likewise for @tx
 * @usep_owner: see @usep
 */
struct ss_dgram_codec {
	u8 *buf;
	struct ss_cipher rx;
	struct ss_cipher tx;
	u8 rx_sid[SS_2022_SESSION_ID_LEN];
	u8 tx_sid[SS_2022_SESSION_ID_LEN];
	bool rx_keyed;
	bool tx_keyed;
	struct crypto_aes_ctx sep;
	struct crypto_aes_ctx isep;
	struct crypto_aes_ctx usep;
	u64 rx_owner;
	u64 tx_owner;
	u64 usep_owner;
};

int ss_dgram_codec_init(struct ss_dgram_codec *dc,
			const struct ss_endpoint *ep, size_t size);
void ss_dgram_codec_free(struct ss_dgram_codec *dc);
void ss_dgram_codec_forget(struct ss_dgram_codec *dc,
			   const struct ss_endpoint *ep, u64 owner);
int ss_dgram_seal(struct ss_dgram_codec *dc, const struct ss_endpoint *ep,
		  u8 *pkt, size_t len);
int ss_dgram_open(struct ss_dgram_codec *dc, struct ss_endpoint *ep,
		  u8 *pkt, size_t len);

/*
 * Shadowsocks 2022 packets (sip022.h): the bytes in front of the main
 * header (the separate header; the chacha method's nonce, session ID and
 * packet ID) and their open and seal.
 */
static inline size_t ss_dgram_2022_head(const struct ss_method_info *m)
{
	return m->aes_headers ? SS_2022_UDP_SEP_LEN :
				SS_2022_UDP_NONCE_LEN + SS_2022_UDP_SEP_LEN;
}

/*
 * What the packets a server or profile sends carry in front of their main
 * header: the above, and a profile's identity header (SIP023) if
 * @identity.
 */
static inline size_t ss_dgram_2022_tx_head(const struct ss_method_info *m,
					   bool identity)
{
	return ss_dgram_2022_head(m) + (identity ? SS_2022_IDENTITY_LEN : 0);
}

int ss_dgram_open_2022(struct ss_dgram_codec *dc, struct ss_endpoint *ep,
		       u8 *pkt, size_t len, u8 *sid, u64 *pid,
		       struct ss_users *users, struct ss_user **user);
int ss_dgram_seal_2022(struct ss_dgram_codec *dc, const struct ss_endpoint *ep,
		       const struct ss_user *user, const u8 *sid, u64 pid,
		       u8 *pkt, size_t len);

#ifdef DEBUG
bool ss_dgram_selftest(void);
#endif

/* Sockets: a run of datagrams read, one datagram sent. */

/**
 * struct ss_dgram_reader - one run over a socket's receive queue
 * @sock: the socket
 * @buf: where each datagram is read, @size bytes
 * @size: a datagram longer than this is dropped
 * @stats: counts the datagrams dropped...
 * @drop: ...in this counter
 * @budget: datagrams left to read in this run
 * @want_dst: read each datagram's original destination (IP_ORIGDSTADDR,
 *	IPV6_ORIGDSTADDR: a transparent socket with IP_RECVORIGDSTADDR or
 *	IPV6_RECVORIGDSTADDR on); a datagram without one is dropped
 * @from: the sender of the datagram last returned
 * @dst: with @want_dst, the original destination of that datagram
 *
 * Set up with ss_dgram_reader_init(); read with ss_dgram_next().
 */
struct ss_dgram_reader {
	struct socket *sock;
	u8 *buf;
	size_t size;
	struct ss_stats *stats;
	enum ss_stats_attr drop;
	unsigned int budget;
	bool want_dst;
	union ss_sockaddr from;
	union ss_sockaddr dst;
};

static inline void ss_dgram_reader_init(struct ss_dgram_reader *rd,
					struct socket *sock, u8 *buf,
					size_t size, struct ss_stats *stats,
					enum ss_stats_attr drop)
{
	rd->sock = sock;
	rd->buf = buf;
	rd->size = size;
	rd->stats = stats;
	rd->drop = drop;
	rd->budget = SS_DGRAM_BUDGET;
	rd->want_dst = false;
}

int ss_dgram_next(struct ss_dgram_reader *rd);
int ss_dgram_send(struct socket *sock, const union ss_sockaddr *to,
		  void *data, size_t len);

/* Ready lists: objects whose sockets have something for the work. */

/**
 * struct ss_ready - an object's place on a ready list
 * @node: in the list while @queued's bit 0 is set
 * @queued: bit 0: on the list, which holds a reference on the object
 */
struct ss_ready {
	struct llist_node node;
	unsigned long queued;
};

void ss_ready_queue(struct ss_ready *r, struct kref *ref,
		    struct llist_head *list, struct work_struct *work);

/*
 * The work takes the whole list and visits each entry: it calls
 * ss_ready_taken() before it reads the entry's sockets, and drops the
 * list's reference after.
 */
#define ss_ready_for_each(pos, tmp, list, member)			\
	llist_for_each_entry_safe(pos, tmp, llist_del_all(list), member.node)

static inline void ss_ready_taken(struct ss_ready *r)
{
	clear_bit(0, &r->queued);
	/* Orders the bit with the reads: new data queues the entry again. */
	smp_mb__after_atomic();
}

#endif /* _SS_DATAGRAM_H */
