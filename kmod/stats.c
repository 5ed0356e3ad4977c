// SPDX-License-Identifier: GPL-2.0
/*
 * Per-object counters: allocation and their netlink representation.
 */

#include <linux/percpu.h>
#include <linux/shadowsocks.h>
#include <net/netlink.h>

#include "stats.h"

static const u16 ss_counter_attr[SS_CTR_NR] = {
	[SS_CTR_CONN_TOTAL]	= SS_STATS_A_CONN_TOTAL,
	[SS_CTR_BYTES_IN]	= SS_STATS_A_BYTES_IN,
	[SS_CTR_BYTES_OUT]	= SS_STATS_A_BYTES_OUT,
	[SS_CTR_AUTH_FAIL]	= SS_STATS_A_AUTH_FAIL,
	[SS_CTR_REPLAY]		= SS_STATS_A_REPLAY,
	[SS_CTR_BAD_HEADER]	= SS_STATS_A_BAD_HEADER,
	[SS_CTR_CONNECT_FAIL]	= SS_STATS_A_CONNECT_FAIL,
	[SS_CTR_DNS_FAIL]	= SS_STATS_A_DNS_FAIL,
	[SS_CTR_REFUSED]	= SS_STATS_A_REFUSED,
	[SS_CTR_UDP_PKTS_IN]	= SS_STATS_A_UDP_PKTS_IN,
	[SS_CTR_UDP_PKTS_OUT]	= SS_STATS_A_UDP_PKTS_OUT,
	[SS_CTR_UDP_BYTES_IN]	= SS_STATS_A_UDP_BYTES_IN,
	[SS_CTR_UDP_BYTES_OUT]	= SS_STATS_A_UDP_BYTES_OUT,
	[SS_CTR_UDP_DROP_AUTH]	= SS_STATS_A_UDP_DROP_AUTH,
	[SS_CTR_UDP_DROP_BAD]	= SS_STATS_A_UDP_DROP_BAD,
	[SS_CTR_UDP_DROP_REPLAY] = SS_STATS_A_UDP_DROP_REPLAY,
	[SS_CTR_UDP_DROP_LIMIT]	= SS_STATS_A_UDP_DROP_LIMIT,
	[SS_CTR_UDP_DROP_TARGET] = SS_STATS_A_UDP_DROP_TARGET,
	[SS_CTR_EVICTED]	= SS_STATS_A_EVICTED,
};

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
	u64 sum[SS_CTR_NR] = {};
	struct nlattr *nest;
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct ss_pcpu_stats *p = per_cpu_ptr(stats->pcpu, cpu);
		u64 val[SS_CTR_NR];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			for (i = 0; i < SS_CTR_NR; i++)
				val[i] = u64_stats_read(&p->ctr[i]);
		} while (u64_stats_fetch_retry(&p->syncp, start));
		for (i = 0; i < SS_CTR_NR; i++)
			sum[i] += val[i];
	}

	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, SS_STATS_A_CONN_ACTIVE,
			      atomic64_read(&stats->conn_active),
			      SS_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, SS_STATS_A_DRAINING,
			      atomic64_read(&stats->draining), SS_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, SS_STATS_A_UDP_ASSOC_ACTIVE,
			      atomic64_read(&stats->udp_assoc_active),
			      SS_STATS_A_PAD))
		goto cancel;
	for (i = 0; i < SS_CTR_NR; i++)
		if (nla_put_u64_64bit(skb, ss_counter_attr[i], sum[i],
				      SS_STATS_A_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}
