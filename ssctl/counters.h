/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An object's counters. Each is defined once, with its doc, in the netlink
 * spec (Documentation/netlink/specs/shadowsocks.yaml, attribute set
 * "stats"); scripts/counters-gen.py turns that set into ss_counters[]
 * (counters-gen.h), which ipc.c's parser and show.c's output walk, and
 * into the list in ssctl.8.
 */
#ifndef SSCTL_COUNTERS_H
#define SSCTL_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/shadowsocks.h>

/* indexed by SS_STATS_A_*; 0 where the kernel sent none */
struct ss_stats {
	uint64_t ctr[SS_STATS_A_MAX + 1];
	bool sent[SS_STATS_A_MAX + 1];	/* which the kernel sent */
};

/* one counter of the spec */
struct ss_counter {
	int type;		/* SS_STATS_A_* */
	const char *json;	/* its member in "show -j", "stats" object */
	bool gauge;		/* a level ("Gauge," in the spec), not a count */
	const char *doc;	/* the spec's doc */
};

/*
 * The counters of a SIP023 user (SS_CMD_USER_GET): those the uapi gives
 * users, and any other the kernel sent for @stats (NULL: none).
 */
static inline bool user_has_counter(const struct ss_stats *stats, int type)
{
	switch (type) {
	case SS_STATS_A_CONN_ACTIVE:
	case SS_STATS_A_CONN_TOTAL:
	case SS_STATS_A_BYTES_IN:
	case SS_STATS_A_BYTES_OUT:
	case SS_STATS_A_AUTH_FAIL:
	case SS_STATS_A_UDP_PKTS_IN:
	case SS_STATS_A_UDP_PKTS_OUT:
	case SS_STATS_A_UDP_BYTES_IN:
	case SS_STATS_A_UDP_BYTES_OUT:
	case SS_STATS_A_UDP_ASSOC_ACTIVE:
		return true;
	}
	return stats && stats->sent[type];
}

#endif
