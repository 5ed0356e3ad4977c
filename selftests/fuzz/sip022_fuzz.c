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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 fixed[SS_2022_REQ_FIXED_LEN], resp[SS_2022_RESP_FIXED_LEN + 32];
	unsigned int want_n;
	size_t len, salt_len;
	u64 ts = 0, now;
	u8 *var;
	int n, alen, off;

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
