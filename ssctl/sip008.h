/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "ssctl client import FILE": client profiles from a SIP008 document.
 */
#ifndef SSCTL_SIP008_H
#define SSCTL_SIP008_H

#include "ssctl.h"

int client_import(const struct cmd *cmd, int argc, char *argv[]);

#endif
