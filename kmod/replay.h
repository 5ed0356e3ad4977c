/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The salt replay filter: salts seen recently, one filter per network
 * namespace, so that a recorded session replayed to a server is refused;
 * and the server's own salts, recognisable, so that one sent back to it
 * is refused too.
 */

#ifndef _SS_REPLAY_H
#define _SS_REPLAY_H

#include <linux/types.h>

struct ss_replay;

int ss_replay_init(void);
void ss_replay_uninit(void);
struct ss_replay *ss_replay_net_get(struct ss_replay **slot);
void ss_replay_put(struct ss_replay *r);
bool ss_replay_check_and_add(struct ss_replay *r, const u8 *salt, size_t len);
void ss_replay_own_salt(u8 *salt, size_t len);

#ifdef DEBUG
bool ss_replay_selftest(void);
#endif

#endif /* _SS_REPLAY_H */
