/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/random.h>: get_random_u64() (shim/kernel.c)
 * gives a fixed sequence, started over by fuzz_random_seed(), so that an
 * input found by the fuzzer does the same again when replayed.
 */
#ifndef _SS_SHIM_LINUX_RANDOM_H
#define _SS_SHIM_LINUX_RANDOM_H

#include <linux/types.h>

u64 get_random_u64(void);
void fuzz_random_seed(u64 seed);

#endif
