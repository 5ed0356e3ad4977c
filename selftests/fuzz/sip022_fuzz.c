// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the headers of a Shadowsocks 2022 request (kmod/sip022.h),
 * opened, as a server reads them: the input is the fixed header (type,
 * timestamp, length), then the variable header (the address, padding
 * length, padding, payload), the AEAD taken away. Each function is held
 * against SIP022 section 3.1 written out plainly here:
 *
 * - the fixed header is accepted iff its type is 0 and its length is not,
 *   and gives back that length and the timestamp;
 * - the variable header (as much of it as the input has, up to its
 *   length; ss_addr_head() of kmod/addr.c finds the address) is accepted
 *   iff the padding length after the address is at most 900, the padding
 *   ends within the header, and padding or payload is there; the payload
 *   starts right after the padding;
 * - a timestamp is in time iff it is within 30 s of now, either way, for
 *   any two 64-bit values (no overflow);
 * - a response's fixed header, written for the input's timestamp, salt and
 *   length, reads back as type 1 and those three.
 *
 * The same input is also a UDP packet's opened body, then the client
 * session ID a server's packet must quote: its last 8 bytes. The body is
 * read both ways, held against SIP022 section 3.2.3 written out plainly
 * (ref_udp_header()); a main header written for that timestamp and
 * session ID, an address behind it, reads back as its own length and the
 * timestamp.
 */
#include "fuzz.h"
#include "sip022.h"

static u64 be64(const u8 *p)
{
	u64 v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * ref_udp_header() - a UDP packet's main header (SIP022 section 3.2.3),
 * read the obvious way. A client's: type 0, timestamp (u64be), padding
 * length (u16be), padding. A server's: type 1, timestamp, the client's
 * session ID (8 bytes, which must be @csid), padding length, padding.
 * Return: the offset of the address, after the padding; -EBADMSG for
 * another type, another session ID, a body shorter than the fixed part,
 * or padding that runs past the end.
 */
static int ref_udp_header(const u8 *p, size_t len, bool server,
			  const u8 *csid)
{
	size_t fixed = server ? 1 + 8 + 8 + 2 : 1 + 8 + 2;
	size_t pad;

	if (len < fixed || p[0] != (server ? 1 : 0))
		return -EBADMSG;
	if (server && memcmp(p + 9, csid, 8))
		return -EBADMSG;
	pad = (size_t)p[fixed - 2] << 8 | p[fixed - 1];
	if (fixed + pad > len)
		return -EBADMSG;
	return (int)(fixed + pad);
}

static void check_udp(const uint8_t *data, size_t size)
{
	size_t blen = size - 8, hlen, tail;
	u8 *body, *csid, *pkt;
	u64 ts, ts_put;
	int server, n, want;

	/* each in its own buffer, of its exact size, for ASan */
	body = malloc(blen ? blen : 1);
	csid = malloc(8);
	CHECK(body && csid, "out of memory");
	memcpy(body, data, blen);
	memcpy(csid, data + blen, 8);
	/* the body's timestamp if it has one, so that a good one reads back */
	ts_put = blen >= 9 ? be64(body + 1) : be64(csid);
	for (server = 0; server <= 1; server++) {
		u8 type = server ? SS_2022_TYPE_RESPONSE : SS_2022_TYPE_REQUEST;
		const u8 *id = server ? csid : NULL;
		u8 hdr[19 + 8];

		ts = 0x5a5a5a5a5a5a5a5aULL;
		n = ss_2022_udp_header(body, blen, type, id, &ts);
		want = ref_udp_header(body, blen, server, csid);
		CHECK(n == want, "%s body of %zu: %d, want %d",
		      server ? "server" : "client", blen, n, want);
		if (n >= 0)
			CHECK(ts == be64(body + 1), "%s body: timestamp",
			      server ? "server" : "client");

		/* written, then read back, with what the body has after it */
		memset(hdr, 0xa5, sizeof(hdr));
		hlen = ss_2022_udp_header_put(hdr, ts_put, id);
		CHECK(hlen == (server ? 19u : 11u), "%s header put: %zu",
		      server ? "server" : "client", hlen);
		CHECK(hdr[0] == type && be64(hdr + 1) == ts_put &&
		      (!server || !memcmp(hdr + 9, csid, 8)) &&
		      hdr[hlen - 2] == 0 && hdr[hlen - 1] == 0 &&
		      hdr[hlen] == 0xa5, "%s header put: fields",
		      server ? "server" : "client");
		tail = blen < 32 ? blen : 32;
		pkt = malloc(hlen + tail);
		CHECK(pkt, "out of memory");
		memcpy(pkt, hdr, hlen);
		memcpy(pkt + hlen, body, tail);
		ts = 0;
		n = ss_2022_udp_header(pkt, hlen + tail, type, id, &ts);
		CHECK(n == (int)hlen && ts == ts_put,
		      "%s header put, read back: %d",
		      server ? "server" : "client", n);
		free(pkt);
	}
	free(csid);
	free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 fixed[SS_2022_REQ_FIXED_LEN], resp[SS_2022_RESP_FIXED_LEN + 32];
	unsigned int want_n;
	size_t len, salt_len;
	u64 ts = 0, now;
	u8 *var;
	int n, alen, off;

	if (size >= 8)
		check_udp(data, size);
	if (size < SS_2022_REQ_FIXED_LEN + 8)
		return 0;
	memcpy(fixed, data, sizeof(fixed));
	want_n = (unsigned int)fixed[9] << 8 | fixed[10];
	n = ss_2022_request_fixed(fixed, &ts);
	if (fixed[0] != 0 || !want_n) {
		CHECK(n == -EBADMSG, "type %u length %u: %d", fixed[0], want_n, n);
	} else {
		CHECK(n == (int)want_n && ts == be64(fixed + 1),
		      "length %u: %d", want_n, n);
	}

	/* "now" is the 8 bytes after the fixed header */
	now = be64(data + SS_2022_REQ_FIXED_LEN);
	{
		__int128 d = (__int128)ts - (__int128)now;

		CHECK(ss_2022_time_ok(ts, now) == (d >= -30 && d <= 30),
		      "ts %llu now %llu", (unsigned long long)ts,
		      (unsigned long long)now);
	}

	/* the response header for this timestamp, salt and length */
	salt_len = data[0] & 1 ? 32 : 16;
	if (size >= SS_2022_REQ_FIXED_LEN + 8 + salt_len) {
		const u8 *salt = data + SS_2022_REQ_FIXED_LEN + 8;
		unsigned int l = want_n ? want_n : 1;

		CHECK(ss_2022_response_fixed(resp, ts, salt, salt_len, l) ==
		      11 + salt_len, "response header length");
		CHECK(resp[0] == 1 && be64(resp + 1) == ts &&
		      !memcmp(resp + 9, salt, salt_len) &&
		      ((unsigned int)resp[9 + salt_len] << 8 |
		       resp[10 + salt_len]) == l, "response header fields");
	}

	if (n < 0)
		return 0;
	/* the variable header: what the input has of it, in its own buffer */
	len = size - SS_2022_REQ_FIXED_LEN - 8;
	if (len > (size_t)n)
		len = n;
	var = malloc(len ? len : 1);
	CHECK(var, "out of memory");
	memcpy(var, data + SS_2022_REQ_FIXED_LEN + 8, len);
	alen = ss_addr_head(var, len);
	CHECK(alen == -EINVAL ? ref_addr_len(var, len) <= 0 :
	      alen == ref_addr_len(var, len), "address %d", alen);
	if (alen > 0) {
		size_t a = alen;
		size_t pad = a + 2 <= len ?
			     ((size_t)var[a] << 8 | var[a + 1]) : 0;
		bool good = a + 2 <= len && pad <= 900 && a + 2 + pad <= len &&
			    (pad || a + 2 < len);

		off = ss_2022_request_var(var, len, a);
		if (good)
			CHECK(off == (int)(a + 2 + pad) && (size_t)off <= len,
			      "header of %zu, address %d, padding %zu: %d",
			      len, alen, pad, off);
		else
			CHECK(off == -EBADMSG,
			      "header of %zu, address %d, padding %zu: %d, want -EBADMSG",
			      len, alen, pad, off);
	}
	free(var);
	return 0;
}
