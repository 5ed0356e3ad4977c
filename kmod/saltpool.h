/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The salt pool of Shadowsocks 2022 servers (SIP022 section 3.1.5): every
 * request salt seen in the last minute, exactly (no Bloom filter, no
 * false positive), in memory bounded by a limit: when the pool is full, a
 * new session is refused rather than a salt forgotten early.
 */

#ifndef _SS_SALTPOOL_H
#define _SS_SALTPOOL_H

#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/workqueue.h>

/*
 * How long a salt is kept: SIP022's 60 seconds, and 2 more. A request is in
 * time while its timestamp is within 30 s of the wall clock, in whole
 * seconds, while salts expire by jiffies: at the window's edges a request
 * could be in time up to 2 s longer than 60 s after its salt came.
 */
#define SS_SALT_POOL_SECS	62

struct ss_salt;
struct ss_salt_pool;

/* The length of a claim's key: a Shadowsocks 2022 UDP client session ID. */
#define SS_SALT_CLAIM_LEN	8

/**
 * struct ss_salt_claim - a key that one live user of a pool holds
 * @node: in the pool's claims while held
 * @key: the key
 * @held: @node is in the pool's claims
 *
 * Embedded in its holder (udp.c: a 2022 session), so that claiming
 * allocates nothing but the table's growth; zeroed, it is not held.
 */
struct ss_salt_claim {
	struct rhash_head node;
	u8 key[SS_SALT_CLAIM_LEN];
	bool held;
};

/**
 * struct ss_salt_pools - a namespace's retired salt pools
 * @retired: pools whose last server went, in the order they went: each is
 *	kept until its youngest salt has had its time, so that a server made
 *	again with the same method and key takes it back (ss_salt_pool_adopt())
 *	and refuses what was recorded before as replays
 * @by_key: the same pools by method and key, so that a server's creation
 *	finds its pool in one bucket, however many a caller making and
 *	deleting servers in a loop has retired
 * @reap: frees retired pools whose time is up
 * @lock: the namespace's lock (ss_net.lock), which protects @retired
 */
struct ss_salt_pools {
	struct list_head retired;
	DECLARE_HASHTABLE(by_key, 6);
	struct delayed_work reap;
	struct mutex *lock;	/* the namespace's; see above */
};

int ss_salt_pool_check_param(void);
struct ss_salt_pool *ss_salt_pool_new(unsigned int limit);
struct ss_salt_pool *ss_salt_pool_new_server(const void *owner, const u8 *key,
					     size_t key_len);
struct ss_salt_pool *ss_salt_pool_get(struct ss_salt_pool *p);
void ss_salt_pool_free(struct ss_salt_pool *p);
void ss_salt_pools_init(struct ss_salt_pools *pools, struct mutex *lock);
void ss_salt_pools_destroy(struct ss_salt_pools *pools);
void ss_salt_pool_retire(struct ss_salt_pools *pools, struct ss_salt_pool *p);
struct ss_salt_pool *ss_salt_pool_adopt(struct ss_salt_pools *pools,
					const void *owner, const u8 *key,
					size_t key_len);
int ss_salt_pool_add(struct ss_salt_pool *p, const u8 *salt, size_t len);
struct ss_salt *ss_salt_record_new(struct ss_salt_pool *p);
void ss_salt_record_free(struct ss_salt *rec);
void ss_salt_pool_record(struct ss_salt_pool *p, struct ss_salt *rec,
			 const u8 *key, size_t len, u64 value);
bool ss_salt_pool_lookup(struct ss_salt_pool *p, const u8 *key, size_t len,
			 u64 *value);
int ss_salt_pool_claim(struct ss_salt_pool *p, struct ss_salt_claim *c,
		       const u8 *key);
void ss_salt_pool_unclaim(struct ss_salt_pool *p, struct ss_salt_claim *c);
unsigned int ss_salt_pool_count(struct ss_salt_pool *p);

#ifdef DEBUG
bool ss_salt_pool_selftest(void);
#endif

#endif /* _SS_SALTPOOL_H */
