/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The salt replay filter: salts seen recently, so that a recorded session
 * replayed to the server is refused.
 */

#ifndef _SS_REPLAY_H
#define _SS_REPLAY_H

#include <linux/types.h>

int ss_replay_init(void);
void ss_replay_uninit(void);
bool ss_replay_check_and_add(const u8 *salt, size_t len);
void ss_replay_add(const u8 *salt, size_t len);

#ifdef DEBUG
bool ss_replay_selftest(void);
#endif

#endif /* _SS_REPLAY_H */
