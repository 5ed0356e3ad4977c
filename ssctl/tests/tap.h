/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TAP output of the unit tests that count with ok(): one line per
 * check, the plan at the end (tap_done()).
 */
#ifndef SSCTL_TESTS_TAP_H
#define SSCTL_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int n_test, n_failed;

__attribute__((format(printf, 2, 3)))
static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	n_test++;
	if (!cond)
		n_failed++;
	printf("%sok %d - ", cond ? "" : "not ", n_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* the plan; main()'s exit status */
static int tap_done(void)
{
	printf("1..%d\n", n_test);
	return n_failed ? 1 : 0;
}

#endif /* SSCTL_TESTS_TAP_H */
