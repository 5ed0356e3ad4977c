// SPDX-License-Identifier: GPL-2.0
/*
 * ssctl.c's error helpers, for the tests that link one command's file
 * without ssctl.c (which holds ssctl's main()): the commands' main
 * functions are not run there, so a usage error is a test's bug.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "ssctl.h"

void pr_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_error(const struct cmd *cmd, const char *fmt, ...)
{
	(void)cmd;
	(void)fmt;
	abort();
}
