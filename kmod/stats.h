/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-object counters, reported nested in SS_A_STATS.
 */

#ifndef _SS_STATS_H
#define _SS_STATS_H

#include <linux/atomic.h>
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
 */
struct ss_stats {
	struct ss_pcpu_stats __percpu *pcpu;
	atomic64_t conn_active;
};

int ss_stats_init(struct ss_stats *stats);
void ss_stats_free(struct ss_stats *stats);
int ss_stats_fill(struct sk_buff *skb, int attrtype,
		  const struct ss_stats *stats);

#endif /* _SS_STATS_H */
