// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the plaintext of a UDP packet once it is opened, as the
 * module reads it: [target address][payload].
 *
 * The reading itself lives in kmod/udp.c (server role) and
 * kmod/udp_local.c (local role), between kernel sockets, the cipher and
 * the counters; the steps below are theirs, made of the same kmod/addr.c
 * calls, and must be kept in step with them:
 *   - server_packet(): ss_udp_client_packet(): the address's length, the
 *     whole address within the plaintext, its parse, a name that must be
 *     well-formed; the payload is what follows;
 *   - local_reply(): the local role's reading of a server's reply (the
 *     address of the host that replied, then the payload);
 *   - local_datagram(): the local role's reading of an application's
 *     SOCKS5 UDP request: RSV RSV FRAG, then as above. FRAG must be 0;
 *     the kernel does not look at RSV (RFC 1928: X'0000'), nor does this.
 * For each, checks that it accepts exactly what the protocol calls valid
 * (fuzz.h), that the payload lies within the input and is all of what
 * follows the address, and what the parse gave (check_target()), each from
 * a buffer of the input's exact size.
 */
#include "fuzz.h"

/* kmod/udp.c, ss_udp_client_packet(); 0 or the drop (-EINVAL) */
static int server_packet(const u8 *pt, size_t pt_len, struct ss_target *t,
			 const u8 **data, size_t *data_len)
{
	int alen;

	alen = ss_addr_len(pt, pt_len);
	if (alen <= 0 || (size_t)alen > pt_len)
		return -EINVAL;		/* SS_CTR_UDP_DROP_BAD */
	ss_addr_parse(pt, alen, t);
	if (t->name_len && !ss_addr_name_ok(t->name, t->name_len))
		return -EINVAL;		/* SS_CTR_UDP_DROP_BAD */
	*data = pt + alen;
	*data_len = pt_len - alen;
	return alen;
}

/* kmod/udp_local.c, a server's reply to the local role */
static int local_reply(const u8 *pt, size_t pt_len, const u8 **data,
		       size_t *data_len)
{
	int alen;

	alen = ss_addr_len(pt, pt_len);
	if (alen <= 0 || (size_t)alen > pt_len)
		return -EINVAL;
	*data = pt + alen;
	*data_len = pt_len - alen;
	return alen;
}

#define SOCKS5_UDP_HDR	3	/* RSV RSV FRAG */

/* kmod/udp_local.c, an application's SOCKS5 UDP request */
static int local_datagram(const u8 *d, size_t len, const u8 **pt,
			  size_t *pt_len)
{
	int alen;

	if (len < SOCKS5_UDP_HDR + 1 || d[2])
		return -EINVAL;
	*pt = d + SOCKS5_UDP_HDR;
	*pt_len = len - SOCKS5_UDP_HDR;
	alen = ss_addr_len(*pt, *pt_len);
	if (alen <= 0 || (size_t)alen > *pt_len)
		return -EINVAL;
	return alen;
}

static void check_payload(const u8 *buf, size_t len, int alen,
			  const u8 *data, size_t data_len)
{
	CHECK(alen > 0 && (size_t)alen <= len, "address length %d of %zu",
	      alen, len);
	CHECK(data == buf + alen && data_len == len - alen,
	      "payload [%td, +%zu) of %zu", data - buf, data_len, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	u8 *buf = malloc(size ? size : 1);
	const u8 *data, *pt;
	size_t data_len, pt_len;
	struct ss_target t;
	int ref, alen;

	CHECK(buf, "out of memory");
	memcpy(buf, in, size);

	/* the server role */
	ref = ref_addr_len(buf, size);
	memset(&t, 0xa5, sizeof(t));
	alen = server_packet(buf, size, &t, &data, &data_len);
	if (ref > 0) {
		/* valid: dropped only for a name that cannot be resolved */
		if (alen < 0) {
			CHECK(buf[0] == SS_ATYP_DOMAIN && t.name_len &&
			      !ref_name_ok(t.name, t.name_len),
			      "a valid packet dropped");
		} else {
			CHECK(alen == ref, "address length %d, want %d", alen,
			      ref);
			check_payload(buf, size, alen, data, data_len);
			check_target(buf, alen, &t);
			if (t.name_len)
				CHECK(ref_name_ok(t.name, t.name_len),
				      "name \"%s\" accepted", t.name);
		}
	} else {
		CHECK(alen == -EINVAL, "an invalid packet accepted (%d)", alen);
	}

	/* the local role: a server's reply */
	alen = local_reply(buf, size, &data, &data_len);
	CHECK((alen > 0) == (ref > 0), "reply: %d, want %d", alen, ref);
	if (alen > 0)
		check_payload(buf, size, alen, data, data_len);

	/* the local role: an application's datagram */
	alen = local_datagram(buf, size, &pt, &pt_len);
	ref = size > SOCKS5_UDP_HDR && !buf[2] ?
	      ref_addr_len(buf + SOCKS5_UDP_HDR, size - SOCKS5_UDP_HDR) : -1;
	CHECK((alen > 0) == (ref > 0), "datagram: %d, want %d", alen, ref);
	if (alen > 0) {
		CHECK(alen == ref, "datagram: address length %d, want %d",
		      alen, ref);
		CHECK(pt == buf + SOCKS5_UDP_HDR && alen <= (int)pt_len,
		      "datagram: address outside");
	}
	free(buf);
	return 0;
}
