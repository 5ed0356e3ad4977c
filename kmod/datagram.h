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

#include <linux/bitops.h>
#include <linux/kref.h>
#include <linux/llist.h>
#include <linux/shadowsocks.h>
#include <linux/workqueue.h>

#include "addr.h"
#include "cipher.h"

struct socket;
struct ss_endpoint;
struct ss_stats;

/* A buffer any UDP datagram fits in, so that none is truncated. */
#define SS_DGRAM_BUF		65536
/* The largest payload of an IPv4 UDP datagram. */
#define SS_DGRAM_MAX		(65535 - 8 - 20)
/* The longest IP address in the SOCKS5 format: type, IPv6, port. */
#define SS_DGRAM_ADDR_IP_MAX	(1 + 16 + 2)
/* Datagrams read from one socket in one run of a role's work. */
#define SS_DGRAM_BUDGET		64

/* Association tables, keyed by a peer's address. */

u32 ss_dgram_hash(const union ss_sockaddr *sa);
bool ss_dgram_addr_eq(const union ss_sockaddr *a, const union ss_sockaddr *b);
unsigned long ss_dgram_gc_period(const struct ss_endpoint *ep);

/* The codec: AEAD UDP packets (protocol.md, "UDP packet"). */

/**
 * struct ss_dgram_codec - what one server or profile seals and opens its
 *	packets with; under the role's lock, one packet at a time
 * @buf: every datagram in and out goes through it (the ciphers need linear
 *	memory), kmalloc'd with the size ss_dgram_codec_init() was given
 * @rx: opens packets, rekeyed with each packet's salt
 * @tx: seals packets, rekeyed with each packet's fresh salt
 */
struct ss_dgram_codec {
	u8 *buf;
	struct ss_cipher rx;
	struct ss_cipher tx;
};

int ss_dgram_codec_init(struct ss_dgram_codec *dc,
			const struct ss_endpoint *ep, size_t size);
void ss_dgram_codec_free(struct ss_dgram_codec *dc);
int ss_dgram_seal(struct ss_dgram_codec *dc, const struct ss_endpoint *ep,
		  u8 *pkt, size_t len);
int ss_dgram_open(struct ss_dgram_codec *dc, struct ss_endpoint *ep,
		  u8 *pkt, size_t len);

/* Sockets: a run of datagrams read, one datagram sent. */

/**
 * struct ss_dgram_reader - one run over a socket's receive queue
 * @sock: the socket
 * @buf: where each datagram is read, @size bytes
 * @size: a datagram longer than this is dropped
 * @stats: counts the datagrams dropped...
 * @drop: ...in this counter
 * @budget: datagrams left to read in this run
 * @from: the sender of the datagram last returned
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
	union ss_sockaddr from;
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
