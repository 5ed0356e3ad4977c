/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "ssctl client show NAME --url | --qr": a client profile as a share link
 * (SIP002) or its QR code.
 */
#ifndef SSCTL_SHARE_H
#define SSCTL_SHARE_H

#include <stdbool.h>

#include "ssctl.h"

/* argv holds --url or --qr: "client show" is share_main()'s */
bool share_wanted(int argc, char *argv[]);

/*
 * share_main() - print the link or its QR code on stdout. Needs
 * CAP_NET_ADMIN, as the kernel gives keys to no one else. Returns 0,
 * EXIT_USAGE after the usage line, or EXIT_RUNTIME after the error.
 */
int share_main(const struct cmd *cmd, int argc, char *argv[]);

#endif
