// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the plaintext of a UDP packet once it is opened, as the
 * module reads it: [target address][payload].
 *
 * The reading is kmod/addr.c's, the same calls the roles make once
 * datagram.c has opened a packet:
 *   - ss_addr_target(): the server role's reading of a client's packet
 *     (kmod/udp.c): a whole address within the plaintext, its parse, a
 *     name that must be well-formed; the payload is what follows;
 *   - ss_addr_head(): the local role's reading of a server's reply
 *     (kmod/udp_local.c): the address of the host that replied, then the
 *     payload;
 *   - ss_addr_socks5_udp(): the local role's reading of an application's
 *     SOCKS5 UDP request: RSV RSV FRAG, all zeros (RFC 1928: RSV is
 *     X'0000'; fragments are not reassembled), then as above.
 * For each, checks that it accepts exactly what the protocol calls valid
 * (fuzz.h), that the payload lies within the input and is all of what
 * follows the address, and what the parse gave (check_target()), each from
 * a buffer of the input's exact size.
 */
#include "fuzz.h"

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
	const u8 *data;
	size_t data_len;
	struct ss_target t;
	int ref, alen;

	CHECK(buf, "out of memory");
	memcpy(buf, in, size);

	/* the server role */
	ref = ref_addr_len(buf, size);
	memset(&t, 0xa5, sizeof(t));
	alen = ss_addr_target(buf, size, &t);
	data = buf + (alen > 0 ? alen : 0);
	data_len = size - (alen > 0 ? alen : 0);
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
	alen = ss_addr_head(buf, size);
	CHECK((alen > 0) == (ref > 0), "reply: %d, want %d", alen, ref);
	if (alen > 0)
		check_payload(buf, size, alen, buf + alen, size - alen);

	/* the local role: an application's datagram */
	alen = ss_addr_socks5_udp(buf, size);
	ref = size > SS_SOCKS5_UDP_HDR && !buf[0] && !buf[1] && !buf[2] ?
	      ref_addr_len(buf + SS_SOCKS5_UDP_HDR, size - SS_SOCKS5_UDP_HDR) :
	      -1;
	CHECK((alen > 0) == (ref > 0), "datagram: %d, want %d", alen, ref);
	if (alen > 0) {
		CHECK(alen == ref, "datagram: address length %d, want %d",
		      alen, ref);
		CHECK((size_t)alen <= size - SS_SOCKS5_UDP_HDR,
		      "datagram: address outside");
	}
	free(buf);
	return 0;
}
