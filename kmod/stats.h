/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-object counters, reported nested in SS_A_STATS.
 */

#ifndef _SS_STATS_H
#define _SS_STATS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>

struct sk_buff;

/* The monotonic counters; each reported as one SS_STATS_A_* attribute. */
enum ss_counter {
	SS_CTR_CONN_TOTAL,
	SS_CTR_BYTES_IN,
	SS_CTR_BYTES_OUT,
	SS_CTR_AUTH_FAIL,
	SS_CTR_REPLAY,
	SS_CTR_BAD_HEADER,
	SS_CTR_CONNECT_FAIL,
	SS_CTR_DNS_FAIL,
	SS_CTR_REFUSED,
	SS_CTR_UDP_PKTS_IN,
	SS_CTR_UDP_PKTS_OUT,
	SS_CTR_UDP_BYTES_IN,
	SS_CTR_UDP_BYTES_OUT,
	SS_CTR_UDP_DROP_AUTH,
	SS_CTR_UDP_DROP_BAD,
	SS_CTR_UDP_DROP_REPLAY,
	SS_CTR_UDP_DROP_LIMIT,
	SS_CTR_UDP_DROP_TARGET,
	SS_CTR_EVICTED,
	SS_CTR_NR
};

/**
 * struct ss_pcpu_stats - one CPU's share of the monotonic counters
 * @ctr: the counters, indexed by enum ss_counter
 * @syncp: lets 32-bit readers see each counter whole
 */
struct ss_pcpu_stats {
	u64_stats_t ctr[SS_CTR_NR];
	struct u64_stats_sync syncp;
};

/**
 * struct ss_stats - the counters of a server or a client profile
 * @pcpu: per-CPU monotonic counters, summed when reported
 * @conn_active: connections open now; a gauge goes up on one CPU and down
 *	on another, so it is one atomic rather than a per-CPU sum that a
 *	reader could catch below zero
 * @draining: connections open now that are read and discarded until their
 *	handshake timeout after bad data; a gauge, as @conn_active
 * @udp_assoc_active: UDP associations (servers) open now; a gauge
 */
struct ss_stats {
	struct ss_pcpu_stats __percpu *pcpu;
	atomic64_t conn_active;
	atomic64_t draining;
	atomic64_t udp_assoc_active;
};

/**
 * ss_stats_add() - add to one of the monotonic counters
 * @stats: the counters
 * @ctr: which one
 * @val: how much
 *
 * Runs with preemption off on this CPU's share. Callers are process
 * context (the relay's works): on 32-bit, a softirq writer interrupting
 * one would need the _irqsave variants of the u64_stats helpers.
 */
static inline void ss_stats_add(struct ss_stats *stats, enum ss_counter ctr,
				u64 val)
{
	struct ss_pcpu_stats *p = get_cpu_ptr(stats->pcpu);

	u64_stats_update_begin(&p->syncp);
	u64_stats_add(&p->ctr[ctr], val);
	u64_stats_update_end(&p->syncp);
	put_cpu_ptr(stats->pcpu);
}

static inline void ss_stats_inc(struct ss_stats *stats, enum ss_counter ctr)
{
	ss_stats_add(stats, ctr, 1);
}

int ss_stats_init(struct ss_stats *stats);
void ss_stats_free(struct ss_stats *stats);
int ss_stats_fill(struct sk_buff *skb, int attrtype,
		  const struct ss_stats *stats);

#endif /* _SS_STATS_H */
