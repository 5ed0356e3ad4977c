/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The relay of the server role: chunks read, opened, sealed and written,
 * both ways, with backpressure.
 */

#ifndef _SS_RELAY_H
#define _SS_RELAY_H

struct socket;
struct ss_conn;

void ss_relay_handshake(struct ss_conn *conn);
void ss_relay_pump(struct ss_conn *conn);
void ss_relay_drain(struct ss_conn *conn);
int ss_relay_discard(struct socket *sock);
void ss_relay_free(struct ss_conn *conn);

#endif /* _SS_RELAY_H */
