/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The headers of Shadowsocks 2022 (SIP022): what a TCP request's fixed
 * and variable headers must hold and the response's fixed header (section
 * 3.1); the main headers of UDP packets (section 3.2).
 *
 * Everything here is pure: it needs nothing but <linux/errno.h> and the
 * types u8 and u64, so that a userspace harness (fuzzing the parsing) can
 * include this header with typedefs of them.
 *
 * A request: salt, then sealed, the fixed header (type 0, timestamp,
 * length of the variable header), then sealed, the variable header (the
 * target address, padding length, padding, initial payload), then chunks
 * as in AEAD-2017 but of up to 0xFFFF bytes. A response: salt, then sealed,
 * the fixed header (type 1, timestamp, the request's salt, length of the
 * first payload), then that payload sealed, then chunks.
 */

#ifndef _SS_SIP022_H
#define _SS_SIP022_H

#include <linux/errno.h>
#include <linux/types.h>

#define SS_2022_TYPE_REQUEST	0
#define SS_2022_TYPE_RESPONSE	1

/* A request's fixed header: type, timestamp (u64be), length (u16be). */
#define SS_2022_REQ_FIXED_LEN	(1 + 8 + 2)
/* A response's, without the request salt: type, timestamp, length. */
#define SS_2022_RESP_FIXED_LEN	(1 + 8 + 2)
/* A SIP023 identity header: one AES block. */
#define SS_2022_IDENTITY_LEN	16
/* Largest payload of a chunk, and of the variable header. */
#define SS_2022_CHUNK_MAX	0xFFFF
/* Largest padding a request may carry. */
#define SS_2022_PADDING_MAX	900
/* Seconds a timestamp may be off this host's clock, either way. */
#define SS_2022_TIME_SKEW	30

static inline u64 ss_2022_get_be64(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static inline void ss_2022_put_be64(u8 *p, u64 v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = v >> (56 - 8 * i);
}

/**
 * ss_2022_request_fixed() - read a request's opened fixed header
 * @p: its %SS_2022_REQ_FIXED_LEN bytes
 * @ts: the timestamp, seconds since the epoch
 *
 * Return: the variable header's length, 1 to %SS_2022_CHUNK_MAX; -EBADMSG
 * for a type other than a request's (a response reflected back to a
 * server is one) or a length of 0.
 */
static inline int ss_2022_request_fixed(const u8 *p, u64 *ts)
{
	unsigned int n = (unsigned int)p[9] << 8 | p[10];

	if (p[0] != SS_2022_TYPE_REQUEST || !n)
		return -EBADMSG;
	*ts = ss_2022_get_be64(p + 1);
	return n;
}

/**
 * ss_2022_time_ok() - is a timestamp within %SS_2022_TIME_SKEW of now?
 * @ts: the timestamp
 * @now: this host's clock, seconds since the epoch
 *
 * Return: true if it is; a stream whose timestamp is not is treated as a
 * replay (SIP022 section 3.1.5). Written without overflow for any @ts.
 */
static inline bool ss_2022_time_ok(u64 ts, u64 now)
{
	return ts <= now ? now - ts <= SS_2022_TIME_SKEW :
			   ts - now <= SS_2022_TIME_SKEW;
}

/**
 * ss_2022_request_var() - check a request's opened variable header
 * @p: the variable header (its first @len bytes at least)
 * @len: its length
 * @alen: the length of the address it starts with, all within @len
 *
 * The padding length follows the address; the padding (at most
 * %SS_2022_PADDING_MAX bytes) must end within the header, and a header
 * with neither padding nor initial payload is refused (SIP022 section
 * 3.1.3: a client pads a request that has no payload, so that its length
 * tells nothing).
 *
 * Return: the offset of the initial payload (@len if there is none);
 * -EBADMSG if the header is bad.
 */
static inline int ss_2022_request_var(const u8 *p, size_t len, size_t alen)
{
	size_t pad;

	if (alen + 2 > len)
		return -EBADMSG;
	pad = (size_t)p[alen] << 8 | p[alen + 1];
	if (pad > SS_2022_PADDING_MAX || alen + 2 + pad > len)
		return -EBADMSG;
	if (!pad && alen + 2 == len)
		return -EBADMSG;
	return alen + 2 + pad;
}

/**
 * ss_2022_response_check() - read a response's opened fixed header
 * @p: its %SS_2022_RESP_FIXED_LEN + @salt_len bytes
 * @ts: the timestamp, seconds since the epoch
 * @salt: our request's salt, which it must quote
 * @salt_len: its length
 *
 * The timestamp is left to the caller (ss_2022_time_ok()). The salt is
 * compared in constant time: it is a secret of the session's until then.
 *
 * Return: the first payload's length, 1 to %SS_2022_CHUNK_MAX; -EBADMSG
 * for a type other than a response's, another salt, or a length of 0.
 */
static inline int ss_2022_response_check(const u8 *p, u64 *ts, const u8 *salt,
					 size_t salt_len)
{
	unsigned int n = (unsigned int)p[9 + salt_len] << 8 | p[10 + salt_len];
	u8 diff = 0;
	size_t i;

	for (i = 0; i < salt_len; i++)
		diff |= p[9 + i] ^ salt[i];
	if (p[0] != SS_2022_TYPE_RESPONSE || diff || !n)
		return -EBADMSG;
	*ts = ss_2022_get_be64(p + 1);
	return n;
}

/**
 * ss_2022_request_fixed_put() - write a request's fixed header, to be sealed
 * @p: room for %SS_2022_REQ_FIXED_LEN bytes
 * @ts: the timestamp, seconds since the epoch
 * @len: the variable header's length, 1 to %SS_2022_CHUNK_MAX
 */
static inline void ss_2022_request_fixed_put(u8 *p, u64 ts, unsigned int len)
{
	p[0] = SS_2022_TYPE_REQUEST;
	ss_2022_put_be64(p + 1, ts);
	p[9] = len >> 8;
	p[10] = len & 0xff;
}

/**
 * ss_2022_response_fixed() - write a response's fixed header, to be sealed
 * @p: room for %SS_2022_RESP_FIXED_LEN + @salt_len bytes
 * @ts: the timestamp, seconds since the epoch
 * @salt: the request's salt
 * @salt_len: its length
 * @len: the first payload's length, 1 to %SS_2022_CHUNK_MAX
 *
 * Return: the header's length.
 */
static inline size_t ss_2022_response_fixed(u8 *p, u64 ts, const u8 *salt,
					    size_t salt_len, unsigned int len)
{
	size_t i;

	p[0] = SS_2022_TYPE_RESPONSE;
	ss_2022_put_be64(p + 1, ts);
	for (i = 0; i < salt_len; i++)
		p[9 + i] = salt[i];
	p[9 + salt_len] = len >> 8;
	p[10 + salt_len] = len & 0xff;
	return SS_2022_RESP_FIXED_LEN + salt_len;
}

/*
 * UDP (SIP022 section 3.2). A packet of an AES method: the separate header
 * (session ID, u64be packet ID) as one AES block under the PSK, then the
 * body sealed with the session's subkey. Of the chacha method (section
 * 4.1): a random 24-byte nonce, then sealed under the PSK itself, the
 * session ID, the packet ID and the body. The body starts with the main
 * header: a client's is type 0, timestamp, padding length, padding; a
 * server's is type 1, timestamp, the client's session ID, padding length,
 * padding. The SOCKS5 address and the payload follow.
 */

/* A session ID, and the separate header: session ID, packet ID. */
#define SS_2022_SESSION_ID_LEN	8
#define SS_2022_UDP_SEP_LEN	(SS_2022_SESSION_ID_LEN + 8)
/* The chacha method's nonce, in front of its packets. */
#define SS_2022_UDP_NONCE_LEN	24
/*
 * Seconds a UDP session is remembered at least, after its last packet:
 * SIP022's 60 (a timestamp is good for 30 s either way), and 2 for whole
 * seconds against expiry by jiffies, as for the salt pool.
 */
#define SS_2022_UDP_SESSION_SECS	62
/* Main headers without their padding: client's, server's. */
#define SS_2022_UDP_CLIENT_HDR	(1 + 8 + 2)
#define SS_2022_UDP_SERVER_HDR	(1 + 8 + SS_2022_SESSION_ID_LEN + 2)

/**
 * ss_2022_udp_header() - check an opened packet's main header
 * @p: the body
 * @len: its length
 * @type: the type it must have: %SS_2022_TYPE_REQUEST for a client's
 *	packet, %SS_2022_TYPE_RESPONSE for a server's
 * @csid: a server's packet must quote this client session ID (compared in
 *	constant time: only the two ends know it); NULL for a client's
 * @ts: the timestamp, left to the caller (ss_2022_time_ok())
 *
 * The padding must end within the body; its length is not limited
 * otherwise (section 3.2.3 leaves it to the sender and the path's MTU).
 *
 * Return: the offset of the SOCKS5 address; -EBADMSG if the header is bad.
 */
static inline int ss_2022_udp_header(const u8 *p, size_t len, u8 type,
				     const u8 *csid, u64 *ts)
{
	size_t off = 1 + 8, pad;
	u8 diff = 0;
	size_t i;

	if (len < (csid ? SS_2022_UDP_SERVER_HDR : SS_2022_UDP_CLIENT_HDR) ||
	    p[0] != type)
		return -EBADMSG;
	*ts = ss_2022_get_be64(p + 1);
	if (csid) {
		for (i = 0; i < SS_2022_SESSION_ID_LEN; i++)
			diff |= p[off + i] ^ csid[i];
		if (diff)
			return -EBADMSG;
		off += SS_2022_SESSION_ID_LEN;
	}
	pad = (size_t)p[off] << 8 | p[off + 1];
	off += 2;
	if (pad > len - off)
		return -EBADMSG;
	return off + pad;
}

/**
 * ss_2022_udp_header_put() - write a main header without padding
 * @p: room for %SS_2022_UDP_SERVER_HDR bytes (with @csid), or
 *	%SS_2022_UDP_CLIENT_HDR
 * @ts: the timestamp, seconds since the epoch
 * @csid: the client session ID a server's packet quotes; NULL for a
 *	client's packet
 *
 * Return: the header's length.
 */
static inline size_t ss_2022_udp_header_put(u8 *p, u64 ts, const u8 *csid)
{
	size_t off = 1 + 8, i;

	p[0] = csid ? SS_2022_TYPE_RESPONSE : SS_2022_TYPE_REQUEST;
	ss_2022_put_be64(p + 1, ts);
	if (csid) {
		for (i = 0; i < SS_2022_SESSION_ID_LEN; i++)
			p[off + i] = csid[i];
		off += SS_2022_SESSION_ID_LEN;
	}
	p[off] = 0;
	p[off + 1] = 0;
	return off + 2;
}

#endif /* _SS_SIP022_H */
