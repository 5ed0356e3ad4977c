// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: TCP chunk framing, ss_chunk_len() (kmod/relay.h), which
 * judges a chunk's opened 2-byte length: 1..0x3FFF, the top two bits
 * reserved (protocol.md).
 *
 * Every one of the 65536 lengths is checked once at start. Then the input
 * is read as a stream of chunks with the AEAD taken away, [length][payload]
 * ..., the way the relay takes it: each length judged from a buffer of
 * exactly two bytes, a bad one ends the stream (the relay drains), a
 * payload that is not all there waits. Checks that a length is accepted
 * iff it is 1..0x3FFF and given back as is, that no chunk reaches past the
 * input, and that the chunks read, framed again, are the input's first
 * bytes (a round trip).
 */
#include "fuzz.h"
#include "relay.h"

static void check_one(unsigned int v, int n)
{
	if (v == 0 || v > 0x3FFF)
		CHECK(n == -EBADMSG, "length 0x%04x: %d, want -EBADMSG", v, n);
	else
		CHECK(n == (int)v && n <= SS_CHUNK_PAYLOAD_MAX,
		      "length 0x%04x: %d", v, n);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned int v;

	(void)argc;
	(void)argv;
	CHECK(SS_CHUNK_PAYLOAD_MAX == 0x3FFF, "SS_CHUNK_PAYLOAD_MAX 0x%x",
	      SS_CHUNK_PAYLOAD_MAX);
	for (v = 0; v <= 0xFFFF; v++) {
		const u8 len[2] = { v >> 8, v & 0xff };

		check_one(v, ss_chunk_len(len));
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 *again = malloc(size ? size : 1);
	size_t off = 0, out = 0;

	CHECK(again, "out of memory");
	while (size - off >= 2) {
		u8 *len = malloc(2);
		unsigned int v;
		int n;

		CHECK(len, "out of memory");
		memcpy(len, data + off, 2);
		n = ss_chunk_len(len);
		free(len);
		v = (unsigned int)data[off] << 8 | data[off + 1];
		check_one(v, n);
		if (n < 0)
			break;			/* bad data: drained */
		if ((size_t)n > size - off - 2)
			break;			/* the rest is still to come */
		/* framed again: the length, then the payload */
		again[out++] = n >> 8;
		again[out++] = n & 0xff;
		memcpy(again + out, data + off + 2, n);
		out += n;
		off += 2 + n;
	}
	CHECK(out == off && off <= size && !memcmp(again, data, off),
	      "framed again, %zu bytes differ from the input's %zu", out, off);
	free(again);
	return 0;
}
