/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the load-time self-tests (the files in selftest/, debug builds)
 * share: a failed check is logged and clears the test's "ok", and the
 * tests go on, so one load reports every failure.
 */

#ifndef _SS_SELFTEST_CHECK_H
#define _SS_SELFTEST_CHECK_H

#include <linux/printk.h>

#define SS_CHECK(cond, fmt, ...) do {					\
	if (!(cond)) {							\
		pr_err("crypto self-tests: FAIL " fmt "\n", ##__VA_ARGS__); \
		ok = false;						\
	}								\
} while (0)

#endif /* _SS_SELFTEST_CHECK_H */
