/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output of "server show" and "client show": text blocks or JSON; of
 * "user show": a table or JSON.
 */
#ifndef SSCTL_SHOW_H
#define SSCTL_SHOW_H

#include "ipc.h"

/* returns 0, or EXIT_RUNTIME if the JSON could not be built */
int show_objects(enum ss_kind kind, const struct ss_object_list *list,
		 bool json);

/* returns 0, or EXIT_RUNTIME if the JSON could not be built */
int show_users(const struct ss_user_list *list, bool json);

/* name_error() or user_name_error(): prints why, returns EXIT_USAGE */
typedef int name_error_fn(const struct cmd *cmd, const char *name);

/*
 * The arguments of "server show", "client show" and "user show": -j
 * (--json) anywhere, refused in batch mode, and up to @n names in order,
 * names[i] refused by @errors[i] if not name_valid(); those not given are
 * NULL. Returns 0, or EXIT_USAGE once the usage error is printed.
 */
int show_args(const struct cmd *cmd, int argc, char *argv[],
	      const char *names[], size_t n, name_error_fn *const errors[],
	      bool *json);

/* the common body of "server show" and "client show" */
int show_main(const struct cmd *cmd, enum ss_kind kind, int argc,
	      char *argv[]);

#endif
