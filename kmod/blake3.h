/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BLAKE3, as Shadowsocks 2022 uses it (SIP022, SIP023): the hash and the
 * key derivation of short inputs. Every input the protocol hashes is a
 * key, a salt, or both (at most 64 bytes), so only inputs of one chunk
 * (1024 bytes) are supported: no tree. Outputs of any length (the XOF).
 */

#ifndef _SS_BLAKE3_H
#define _SS_BLAKE3_H

#include <linux/types.h>

#define SS_BLAKE3_OUT_LEN	32
#define SS_BLAKE3_KEY_LEN	32
#define SS_BLAKE3_BLOCK_LEN	64
/* The longest input: one chunk. */
#define SS_BLAKE3_CHUNK_LEN	1024

/**
 * struct ss_blake3 - a hash of one chunk under way
 * @cv: the chaining value: the key words, then each full block's output
 * @block: the input not compressed yet (the last block is only
 *	compressed at ss_blake3_final(), with the flags of the end)
 * @block_len: bytes in @block
 * @blocks: blocks compressed so far
 * @flags: the mode's flags (keyed, derive-key context or material)
 * @too_long: more than a chunk was given: ss_blake3_final() fails
 */
struct ss_blake3 {
	u32 cv[8];
	u8 block[SS_BLAKE3_BLOCK_LEN];
	u8 block_len;
	u8 blocks;
	u8 flags;
	bool too_long;
};

void ss_blake3_init(struct ss_blake3 *h);
void ss_blake3_init_keyed(struct ss_blake3 *h,
			  const u8 key[SS_BLAKE3_KEY_LEN]);
void ss_blake3_init_derive_key(struct ss_blake3 *h, const char *context);
void ss_blake3_update(struct ss_blake3 *h, const void *in, size_t len);
int ss_blake3_final(struct ss_blake3 *h, u8 *out, size_t out_len);
int ss_blake3_derive_salted(const char *context, const u8 *key,
			    size_t key_len, const u8 *salt, size_t salt_len,
			    u8 *out, size_t out_len);

#ifdef DEBUG
bool ss_blake3_selftest(void);
#endif

#endif /* _SS_BLAKE3_H */
