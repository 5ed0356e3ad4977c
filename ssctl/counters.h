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
};

/* one counter of the spec */
struct ss_counter {
	int type;		/* SS_STATS_A_* */
	const char *json;	/* its member in "show -j", "stats" object */
	bool gauge;		/* a level ("Gauge," in the spec), not a count */
	const char *doc;	/* the spec's doc */
};

#endif
