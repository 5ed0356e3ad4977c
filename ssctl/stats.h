/* SPDX-License-Identifier: GPL-2.0 */
/* Output of "stats": the counters in the Prometheus text format. */
#ifndef SSCTL_STATS_H
#define SSCTL_STATS_H

#include <stdio.h>

#include "ipc.h"
#include "ssctl.h"

/*
 * every counter of the objects of @servers and @clients, and of the users
 * of @users; 0 or -EIO
 */
int stats_write(FILE *f, const struct ss_object_list *servers,
		const struct ss_object_list *clients,
		const struct ss_user_list *users);

#endif
