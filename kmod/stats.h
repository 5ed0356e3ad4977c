/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-object counters, reported nested in SS_A_STATS.
 */

#ifndef _SS_STATS_H
#define _SS_STATS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/shadowsocks.h>
#include <linux/u64_stats_sync.h>

struct sk_buff;

/*
 * A counter is named by its attribute in the netlink spec
 * (Documentation/netlink/specs/shadowsocks.yaml, attribute set "stats"):
 * the per-CPU array is indexed by SS_STATS_A_*, so a counter added to the
 * spec is stored and reported without a table here to extend. The slots
 * of SS_STATS_A_UNSPEC, SS_STATS_A_PAD and of the gauges stay unused
 * (a few words per CPU): gauges are atomics, see ss_stats_gauge().
 */
#define SS_STATS_NR	(SS_STATS_A_MAX + 1)

/**
 * struct ss_pcpu_stats - one CPU's share of the monotonic counters
 * @ctr: the counters, indexed by SS_STATS_A_*
 * @syncp: lets 32-bit readers see each counter whole
 */
struct ss_pcpu_stats {
	u64_stats_t ctr[SS_STATS_NR];
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
 * @ctr: which one (SS_STATS_A_*, not a gauge)
 * @val: how much
 *
 * Runs with preemption off on this CPU's share. Callers are process
 * context (the relay's works): on 32-bit, a softirq writer interrupting
 * one would need the _irqsave variants of the u64_stats helpers.
 */
static inline void ss_stats_add(struct ss_stats *stats,
				enum ss_stats_attr ctr, u64 val)
{
	struct ss_pcpu_stats *p = get_cpu_ptr(stats->pcpu);

	u64_stats_update_begin(&p->syncp);
	u64_stats_add(&p->ctr[ctr], val);
	u64_stats_update_end(&p->syncp);
	put_cpu_ptr(stats->pcpu);
}

static inline void ss_stats_inc(struct ss_stats *stats,
				enum ss_stats_attr ctr)
{
	ss_stats_add(stats, ctr, 1);
}

int ss_stats_init(struct ss_stats *stats);
void ss_stats_free(struct ss_stats *stats);
int ss_stats_fill(struct sk_buff *skb, int attrtype,
		  const struct ss_stats *stats);

#endif /* _SS_STATS_H */
