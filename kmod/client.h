/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client profiles: where relays of the local role connect to, and how.
 */

#ifndef _SS_CLIENT_H
#define _SS_CLIENT_H

#include <linux/shadowsocks.h>

#include "endpoint.h"
#include "netns.h"
#include "socket.h"
#include "stats.h"
#include "udp_local.h"

/**
 * struct ss_client - a client profile
 * @ep: name, method, key, timeouts, counters and relays; first, so that
 *	freeing it frees the profile
 * @remote: the Shadowsocks server's address and port
 * @udp: its UDP relays (udp_local.c), with their own lock
 * @password_len: bytes of @password, 0 if the profile was made from a key
 * @password: an AEAD-2017 profile's password, which nothing here uses:
 *	kept for SS_CMD_CLIENT_EXPORT only (a share link carries it); wiped
 *	when the profile is freed, as @ep's keys are
 *
 * All but @udp set before the profile is published and never changed
 * afterwards.
 */
struct ss_client {
	struct ss_endpoint ep;
	union ss_sockaddr remote;
	struct ss_ludp udp;
	u16 password_len;
	u8 password[SS_PASSWORD_MAX_LEN];
};

/**
 * struct ss_client_cfg - what SS_CMD_CLIENT_NEW asks for
 * @obj: name, method, key, port, timeouts, limit
 * @remote: the remote server's address, with @obj.port
 * @password: the password @obj.key came from, or NULL
 * @password_len: its length, at most SS_PASSWORD_MAX_LEN
 */
struct ss_client_cfg {
	struct ss_obj_cfg obj;
	union ss_sockaddr remote;
	const u8 *password;
	u16 password_len;
};

static inline struct ss_client *ss_client_of(struct ss_endpoint *ep)
{
	return container_of(ep, struct ss_client, ep);
}

int ss_client_create(struct net *net, const struct ss_client_cfg *cfg);
struct ss_client *ss_client_find(struct ss_net *sn, const char *name);
extern const struct ss_kind ss_client_kind;

#endif /* _SS_CLIENT_H */
