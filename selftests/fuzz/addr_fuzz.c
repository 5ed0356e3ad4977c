// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: kmod/addr.c, the SOCKS5-format target address (every type,
 * truncations, lengths), domain names, resolver answers and the local
 * target check.
 *
 * For one input, checks that
 *   - ss_addr_len() on every prefix agrees with the protocol (fuzz.h:
 *     ref_addr_len()): 0 while the bytes cannot tell, the length once they
 *     can, -EINVAL for a bad type, an empty name or port 0; a length is
 *     never under what it has seen and never over SS_ADDR_MAX; each prefix
 *     ends where its buffer ends (ASan catches a read past it);
 *   - ss_addr_parse() of a whole address gives its type, bytes and port
 *     (check_target()), an IPv4-mapped address as IPv4, a literal name as
 *     its address, any other name as is and NUL-terminated;
 *   - ss_addr_name_ok() accepts exactly the names of fuzz.h's
 *     ref_name_ok(), on the parsed name and on the input as a name;
 *   - ss_addr_is_local() refuses exactly what ref_is_local() does, for
 *     the parsed address and for the input's first bytes as an address;
 *   - ss_addr_pick() on the input as a resolver's answer gives 0 and an
 *     address with the port, or -ENOENT.
 */
#include "fuzz.h"

/* @len bytes of @data in a buffer of exactly that size */
static u8 *exact(const u8 *data, size_t len)
{
	u8 *b = malloc(len ? len : 1);

	CHECK(b, "out of memory");
	memcpy(b, data, len);
	return b;
}

static void check_len(const u8 *data, size_t size)
{
	size_t k, max = size < SS_ADDR_MAX + 1 ? size : SS_ADDR_MAX + 1;
	u8 *b = exact(data, max);
	int r, ref;

	/* prefix k at the end of the buffer: a read past it is past the end */
	for (k = 0; k <= max; k++) {
		memmove(b + max - k, data, k);
		r = ss_addr_len(b + max - k, k);
		ref = ref_addr_len(data, k);
		if (ref < 0)
			CHECK(r == -EINVAL, "prefix %zu: %d, want -EINVAL", k, r);
		else if (ref > 0)
			CHECK(r == ref, "prefix %zu: %d, want %d", k, r, ref);
		else
			CHECK(r == 0 || ((size_t)r > k && r <= SS_ADDR_MAX),
			      "prefix %zu: %d, incomplete", k, r);
	}
	free(b);
}

static void check_parse(const u8 *data, size_t size)
{
	int alen = ss_addr_len(data, size);
	struct ss_target t;
	u8 *b;

	if (alen <= 0 || (size_t)alen > size)
		return;
	b = exact(data, alen);
	memset(&t, 0xa5, sizeof(t));	/* nothing may be left unset */
	ss_addr_parse(b, alen, &t);
	check_target(b, alen, &t);
	free(b);
	if (t.name_len)
		CHECK(ss_addr_name_ok(t.name, t.name_len) ==
		      ref_name_ok(t.name, t.name_len),
		      "name_ok(\"%s\") differs", t.name);
	else
		CHECK(ss_addr_is_local(&fuzz_net, &t.addr) ==
		      ref_is_local(&t.addr), "is_local differs");
}

/* the first 17 bytes as an address: byte 0 says which family */
static void check_local(const u8 *data, size_t size)
{
	union ss_sockaddr sa;

	if (size < 17)
		return;
	memset(&sa, 0, sizeof(sa));
	if (data[0] & 1) {
		sa.in4.sin_family = AF_INET;
		memcpy(&sa.in4.sin_addr, data + 1, 4);
	} else {
		sa.in6.sin6_family = AF_INET6;
		memcpy(&sa.in6.sin6_addr, data + 1, 16);
		/* callers make IPv4-mapped addresses IPv4 first */
		if (IN6_IS_ADDR_V4MAPPED(&sa.in6.sin6_addr))
			return;
	}
	CHECK(ss_addr_is_local(&fuzz_net, &sa) == ref_is_local(&sa),
	      "is_local differs for the input's first bytes");
}

static void check_text(const u8 *data, size_t size)
{
	const __be16 port = htons(0x1234);
	char *s = (char *)exact(data, size);
	union ss_sockaddr sa;
	int r;

	CHECK(ss_addr_name_ok(s, size) == ref_name_ok(s, size),
	      "name_ok differs on the input");
	memset(&sa, 0, sizeof(sa));
	r = ss_addr_pick(s, size, port, &sa);
	free(s);
	CHECK(r == 0 || r == -ENOENT, "pick: %d", r);
	if (r == 0) {
		CHECK(sa.sa.sa_family == AF_INET || sa.sa.sa_family == AF_INET6,
		      "pick: family %d", sa.sa.sa_family);
		CHECK(sa.sa.sa_family == AF_INET ? sa.in4.sin_port == port :
		      sa.in6.sin6_port == port, "pick: port");
		if (sa.sa.sa_family == AF_INET6)
			CHECK(!IN6_IS_ADDR_V4MAPPED(&sa.in6.sin6_addr),
			      "pick: IPv4-mapped left IPv6");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_len(data, size);
	check_parse(data, size);
	check_local(data, size);
	check_text(data, size);
	return 0;
}
