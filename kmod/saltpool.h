/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The salt pool of Shadowsocks 2022 servers (SIP022 section 3.1.5): every
 * request salt seen in the last minute, exactly (no Bloom filter, no
 * false positive), in memory bounded by a limit: when the pool is full, a
 * new session is refused rather than a salt forgotten early.
 */

#ifndef _SS_SALTPOOL_H
#define _SS_SALTPOOL_H

#include <linux/types.h>

/*
 * How long a salt is kept: SIP022's 60 seconds, and 2 more. A request is in
 * time while its timestamp is within 30 s of the wall clock, in whole
 * seconds, while salts expire by jiffies: at the window's edges a request
 * could be in time up to 2 s longer than 60 s after its salt came.
 */
#define SS_SALT_POOL_SECS	62

struct ss_salt_pool;

int ss_salt_pool_check_param(void);
struct ss_salt_pool *ss_salt_pool_new(unsigned int limit);
struct ss_salt_pool *ss_salt_pool_new_server(void);
struct ss_salt_pool *ss_salt_pool_get(struct ss_salt_pool *p);
void ss_salt_pool_put(struct ss_salt_pool *p);
void ss_salt_pool_free(struct ss_salt_pool *p);
int ss_salt_pool_add(struct ss_salt_pool *p, const u8 *salt, size_t len);
unsigned int ss_salt_pool_count(struct ss_salt_pool *p);

#ifdef DEBUG
bool ss_salt_pool_selftest(void);
#endif

#endif /* _SS_SALTPOOL_H */
