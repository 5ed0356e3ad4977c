/* SPDX-License-Identifier: GPL-2.0 */
/* Output of "server show" and "client show": text blocks or JSON. */
#ifndef SSCTL_SHOW_H
#define SSCTL_SHOW_H

#include "ipc.h"

/* returns 0, or EXIT_RUNTIME if the JSON could not be built */
int show_objects(enum ss_kind kind, const struct ss_object_list *list,
		 bool json);

/* the common body of "server show" and "client show" */
int show_main(const struct cmd *cmd, enum ss_kind kind, int argc,
	      char *argv[]);

#endif
