/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The relay of both roles (the server role's connections and the local
 * role's handed-over sockets alike): chunks read, opened, sealed and
 * written, both ways, with backpressure.
 *
 * ss_chunk_len() and the constant before it are pure: they need nothing but
 * <linux/errno.h> and the type u8, so that a userspace harness (fuzzing the
 * stream's parsing) can include this header with a typedef of u8.
 */

#ifndef _SS_RELAY_H
#define _SS_RELAY_H

#include <linux/errno.h>
#include <linux/types.h>

struct socket;
struct ss_conn;

/* Largest payload of one TCP chunk; the top two length bits are reserved. */
#define SS_CHUNK_PAYLOAD_MAX	0x3FFF

/**
 * ss_chunk_len_max() - the payload length an opened chunk length announces
 * @len: the two opened bytes, big-endian
 * @max: the method's largest payload: %SS_CHUNK_PAYLOAD_MAX for AEAD-2017,
 *	0xFFFF for Shadowsocks 2022 (which reserves no bits)
 *
 * A length of 0 is bad data, not an empty chunk: nobody sends one, and
 * accepting it would let a peer make the relay open one tag after another
 * for nothing. A length over @max (for AEAD-2017: with the reserved top
 * two bits set) is bad data too.
 *
 * Return: the length, 1 to @max; -EBADMSG if it is bad.
 */
static inline int ss_chunk_len_max(const u8 len[2], unsigned int max)
{
	unsigned int n = (unsigned int)len[0] << 8 | len[1];

	if (!n || n > max)
		return -EBADMSG;
	return n;
}

/* ss_chunk_len_max() of AEAD-2017: 1 to %SS_CHUNK_PAYLOAD_MAX. */
static inline int ss_chunk_len(const u8 len[2])
{
	return ss_chunk_len_max(len, SS_CHUNK_PAYLOAD_MAX);
}

void ss_relay_handshake(struct ss_conn *conn);
void ss_relay_pump(struct ss_conn *conn);
void ss_relay_pump_rx(struct ss_conn *conn);
void ss_relay_pump_tx(struct ss_conn *conn);
void ss_relay_drain(struct ss_conn *conn);
int ss_relay_discard(struct socket *sock);
void ss_relay_free(struct ss_conn *conn);

#endif /* _SS_RELAY_H */
