// SPDX-License-Identifier: GPL-2.0
/*
 * BLAKE3 of one chunk (blake3.h), written from the BLAKE3 specification
 * (O'Connor, Aumasson, Neves, Wilcox-O'Hearn, 2020), section 2: the
 * compression function, the chunk of up to 16 blocks, and the root
 * output's extension. The kernel has no BLAKE3 (it has BLAKE2s, with other
 * constants and rounds); this is what Shadowsocks 2022 needs of it.
 *
 * A chunk is also the root when it is the only one: its last block is
 * compressed with CHUNK_END | ROOT, and the output is that compression's
 * whole state, once per 64 output bytes with the block counter in place of
 * the chunk counter (0 for the only chunk).
 */

#include <asm/byteorder.h>
#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "blake3.h"

enum {
	SS_BLAKE3_CHUNK_START		= 1 << 0,
	SS_BLAKE3_CHUNK_END		= 1 << 1,
	SS_BLAKE3_ROOT			= 1 << 3,
	SS_BLAKE3_KEYED_HASH		= 1 << 4,
	SS_BLAKE3_DERIVE_KEY_CONTEXT	= 1 << 5,
	SS_BLAKE3_DERIVE_KEY_MATERIAL	= 1 << 6,
};

#define SS_BLAKE3_ROUNDS	7

/* SHA-256's initial hash value, BLAKE3's IV (and the key of the hash). */
static const u32 ss_blake3_iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/*
 * The message words each round takes, in order: round 0 takes them as
 * they are, each later round permutes the previous round's order by
 * (2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8).
 */
static const u8 ss_blake3_sched[SS_BLAKE3_ROUNDS][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8 },
	{ 3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1 },
	{ 10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6 },
	{ 12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4 },
	{ 9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7 },
	{ 11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13 },
};

/* Words are little-endian; the buffers have no alignment. */
static u32 ss_blake3_load(const u8 *p)
{
	__le32 w;

	memcpy(&w, p, sizeof(w));
	return le32_to_cpu(w);
}

static void ss_blake3_store(u32 x, u8 *p)
{
	__le32 w = cpu_to_le32(x);

	memcpy(p, &w, sizeof(w));
}

/* The quarter-round: ChaCha's G with a message word added twice. */
static void ss_blake3_g(u32 *v, int a, int b, int c, int d, u32 x, u32 y)
{
	v[a] = v[a] + v[b] + x;
	v[d] = ror32(v[d] ^ v[a], 16);
	v[c] = v[c] + v[d];
	v[b] = ror32(v[b] ^ v[c], 12);
	v[a] = v[a] + v[b] + y;
	v[d] = ror32(v[d] ^ v[a], 8);
	v[c] = v[c] + v[d];
	v[b] = ror32(v[b] ^ v[c], 7);
}

/*
 * The compression function: @out gets all 16 words of the state, the
 * first 8 of which are the next chaining value.
 */
static void ss_blake3_compress(const u32 cv[8], const u8 block[64],
			       u8 block_len, u64 counter, u8 flags,
			       u32 out[16])
{
	u32 m[16], v[16];
	int i, r;

	for (i = 0; i < 16; i++)
		m[i] = ss_blake3_load(block + 4 * i);
	memcpy(v, cv, 8 * sizeof(u32));
	memcpy(v + 8, ss_blake3_iv, 4 * sizeof(u32));
	v[12] = lower_32_bits(counter);
	v[13] = upper_32_bits(counter);
	v[14] = block_len;
	v[15] = flags;

	for (r = 0; r < SS_BLAKE3_ROUNDS; r++) {
		const u8 *s = ss_blake3_sched[r];

		/* the columns, then the diagonals */
		ss_blake3_g(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
		ss_blake3_g(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
		ss_blake3_g(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
		ss_blake3_g(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
		ss_blake3_g(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
		ss_blake3_g(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
		ss_blake3_g(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
		ss_blake3_g(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
	}

	for (i = 0; i < 8; i++) {
		out[i] = v[i] ^ v[i + 8];
		out[i + 8] = v[i + 8] ^ cv[i];
	}
	/* The message may be a key, the state its image. */
	memzero_explicit(m, sizeof(m));
	memzero_explicit(v, sizeof(v));
}

static void ss_blake3_start(struct ss_blake3 *h, const u32 key[8], u8 flags)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->cv, key, sizeof(h->cv));
	h->flags = flags;
}

/**
 * ss_blake3_init() - start a hash
 * @h: the state
 */
void ss_blake3_init(struct ss_blake3 *h)
{
	ss_blake3_start(h, ss_blake3_iv, 0);
}

/**
 * ss_blake3_init_keyed() - start a keyed hash
 * @h: the state
 * @key: the key
 */
void ss_blake3_init_keyed(struct ss_blake3 *h, const u8 key[SS_BLAKE3_KEY_LEN])
{
	u32 k[8];
	int i;

	for (i = 0; i < 8; i++)
		k[i] = ss_blake3_load(key + 4 * i);
	ss_blake3_start(h, k, SS_BLAKE3_KEYED_HASH);
	memzero_explicit(k, sizeof(k));
}

/**
 * ss_blake3_init_derive_key() - start a key derivation
 * @h: the state: the key material is given with ss_blake3_update()
 * @context: the context string, hard-coded and unique to its use (at most
 *	a chunk long, else ss_blake3_final() fails)
 */
void ss_blake3_init_derive_key(struct ss_blake3 *h, const char *context)
{
	u8 key[SS_BLAKE3_KEY_LEN];
	bool too_long;

	ss_blake3_start(h, ss_blake3_iv, SS_BLAKE3_DERIVE_KEY_CONTEXT);
	ss_blake3_update(h, context, strlen(context));
	too_long = ss_blake3_final(h, key, sizeof(key)) != 0;
	ss_blake3_init_keyed(h, key);
	h->flags = SS_BLAKE3_DERIVE_KEY_MATERIAL;
	h->too_long = too_long;
	memzero_explicit(key, sizeof(key));
}

/**
 * ss_blake3_update() - hash more input
 * @h: the state
 * @in: the input
 * @len: its length: the whole input may be up to %SS_BLAKE3_CHUNK_LEN
 */
void ss_blake3_update(struct ss_blake3 *h, const void *in, size_t len)
{
	size_t room = SS_BLAKE3_CHUNK_LEN - h->blocks * SS_BLAKE3_BLOCK_LEN -
		      h->block_len;
	const u8 *p = in;
	u32 out[16];

	if (len > room) {
		h->too_long = true;
		return;
	}
	while (len) {
		size_t n;

		/* A full block is compressed once more input follows it. */
		if (h->block_len == SS_BLAKE3_BLOCK_LEN) {
			ss_blake3_compress(h->cv, h->block, SS_BLAKE3_BLOCK_LEN,
					   0, h->flags | (h->blocks ? 0 :
					   SS_BLAKE3_CHUNK_START), out);
			memcpy(h->cv, out, sizeof(h->cv));
			h->blocks++;
			h->block_len = 0;
		}
		n = min_t(size_t, len, SS_BLAKE3_BLOCK_LEN - h->block_len);
		memcpy(h->block + h->block_len, p, n);
		h->block_len += n;
		p += n;
		len -= n;
	}
	memzero_explicit(out, sizeof(out));
}

/**
 * ss_blake3_final() - the hash, and the end of the state
 * @h: the state, wiped here
 * @out: the output
 * @out_len: its length, any (BLAKE3 is an XOF: a shorter output is a
 *	prefix of a longer one)
 *
 * Return: 0, or -EINVAL if the input was longer than a chunk (@out is then
 * all zeros).
 */
int ss_blake3_final(struct ss_blake3 *h, u8 *out, size_t out_len)
{
	u8 flags = h->flags | SS_BLAKE3_CHUNK_END | SS_BLAKE3_ROOT |
		   (h->blocks ? 0 : SS_BLAKE3_CHUNK_START);
	u64 counter = 0;
	u32 words[16];
	int i, err = 0;

	if (h->too_long) {
		memset(out, 0, out_len);
		err = -EINVAL;
		goto out;
	}
	memset(h->block + h->block_len, 0, SS_BLAKE3_BLOCK_LEN - h->block_len);
	while (out_len) {
		u8 block[SS_BLAKE3_BLOCK_LEN];
		size_t n = min_t(size_t, out_len, sizeof(block));

		ss_blake3_compress(h->cv, h->block, h->block_len, counter++,
				   flags, words);
		for (i = 0; i < 16; i++)
			ss_blake3_store(words[i], block + 4 * i);
		memcpy(out, block, n);
		memzero_explicit(block, sizeof(block));
		out += n;
		out_len -= n;
	}
	memzero_explicit(words, sizeof(words));
out:
	memzero_explicit(h, sizeof(*h));
	return err;
}

/**
 * ss_blake3_derive_salted() - Shadowsocks 2022's subkeys
 * @context: the derivation's context string
 * @key: the PSK
 * @key_len: its length
 * @salt: the salt
 * @salt_len: its length
 * @out: the subkey
 * @out_len: its length
 *
 * BLAKE3's key derivation under @context of @key followed by @salt: the
 * session subkey (SIP022 section 2.2) and the identity subkey (SIP023)
 * are both made so.
 *
 * Return: as ss_blake3_final().
 */
int ss_blake3_derive_salted(const char *context, const u8 *key,
			    size_t key_len, const u8 *salt, size_t salt_len,
			    u8 *out, size_t out_len)
{
	struct ss_blake3 h;

	ss_blake3_init_derive_key(&h, context);
	ss_blake3_update(&h, key, key_len);
	ss_blake3_update(&h, salt, salt_len);
	return ss_blake3_final(&h, out, out_len);
}

#include "selftest/blake3.c"
