// SPDX-License-Identifier: GPL-2.0
/*
 * Per-object counters: allocation and their netlink representation.
 */

#include <linux/percpu.h>
#include <linux/shadowsocks.h>
#include <net/netlink.h>

#include "stats.h"

/*
 * The gauges: what is open now goes up on one CPU and down on another, so
 * each is one atomic rather than a per-CPU sum that a reader could catch
 * below zero. Every other attribute of the set is a per-CPU counter.
 */
static const atomic64_t *ss_stats_gauge(const struct ss_stats *stats,
					int type)
{
	switch (type) {
	case SS_STATS_A_CONN_ACTIVE:
		return &stats->conn_active;
	case SS_STATS_A_DRAINING:
		return &stats->draining;
	case SS_STATS_A_UDP_ASSOC_ACTIVE:
		return &stats->udp_assoc_active;
	}
	return NULL;
}

/**
 * ss_stats_init() - allocate zeroed counters
 * @stats: the counters to set up
 *
 * Return: 0 or -ENOMEM.
 */
int ss_stats_init(struct ss_stats *stats)
{
	int cpu;

	stats->pcpu = alloc_percpu_gfp(struct ss_pcpu_stats, GFP_KERNEL_ACCOUNT);
	if (!stats->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats->pcpu, cpu)->syncp);
	atomic64_set(&stats->conn_active, 0);
	atomic64_set(&stats->draining, 0);
	atomic64_set(&stats->udp_assoc_active, 0);
	return 0;
}

/**
 * ss_stats_free() - free counters set up by ss_stats_init()
 * @stats: the counters; may be all zero (never set up)
 *
 * Safe in any context, the RCU callbacks that free objects included.
 */
void ss_stats_free(struct ss_stats *stats)
{
	free_percpu(stats->pcpu);
	stats->pcpu = NULL;
}

/**
 * ss_stats_fill() - put the counters into a message as a nested attribute
 * @skb: the message
 * @attrtype: type of the nest (SS_A_STATS)
 * @stats: the counters
 *
 * Does not sleep: callers fill messages under rcu_read_lock().
 *
 * Return: 0, or -EMSGSIZE with @skb as it was.
 */
int ss_stats_fill(struct sk_buff *skb, int attrtype,
		  const struct ss_stats *stats)
{
	u64 sum[SS_STATS_NR] = {};
	struct nlattr *nest;
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct ss_pcpu_stats *p = per_cpu_ptr(stats->pcpu, cpu);
		u64 val[SS_STATS_NR];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			for (i = 0; i < SS_STATS_NR; i++)
				val[i] = u64_stats_read(&p->ctr[i]);
		} while (u64_stats_fetch_retry(&p->syncp, start));
		for (i = 0; i < SS_STATS_NR; i++)
			sum[i] += val[i];
	}

	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	/* every attribute after the padding, in the spec's order */
	for (i = SS_STATS_A_PAD + 1; i < SS_STATS_NR; i++) {
		const atomic64_t *gauge = ss_stats_gauge(stats, i);
		u64 val = gauge ? atomic64_read(gauge) : sum[i];

		if (nla_put_u64_64bit(skb, i, val, SS_STATS_A_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}
