/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Listening TCP sockets of servers, and accepting on them.
 */

#ifndef _SS_LISTEN_H
#define _SS_LISTEN_H

struct netlink_ext_ack;
struct ss_server;

int ss_listen_start(struct ss_server *srv, struct netlink_ext_ack *extack);
void ss_listen_stop(struct ss_server *srv);

#endif /* _SS_LISTEN_H */
