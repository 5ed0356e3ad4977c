/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One direction of a Shadowsocks AEAD session: the session subkey derived
 * from the master key and that direction's salt (the method's KDF: HKDF-SHA1,
 * info "ss-subkey", for AEAD-2017; BLAKE3 for 2022), and the nonce counter
 * (little-endian over the whole nonce, incremented after every seal or
 * open).
 */

#ifndef _SS_CIPHER_H
#define _SS_CIPHER_H

#include <linux/shadowsocks.h>
#include <linux/types.h>

#include "crypto.h"

struct crypto_aead;

#define SS_SALT_MAX_LEN		32
#define SS_NONCE_MAX_LEN	24
#define SS_TAG_LEN		16

/* Most pieces ss_cipher_open_pieces() takes. */
#define SS_OPEN_PIECES_MAX	4

/**
 * struct ss_cipher - one direction of a session
 * @method: the method
 * @tfm: the keyed transform (SS_AEAD_API methods); NULL for the others
 * @subkey: the session subkey (the library methods key each operation with it:
 *	no transform, nothing allocated); wiped on free
 * @nonce: the counter, little-endian over @method->nonce_len bytes
 */
struct ss_cipher {
	const struct ss_method_info *method;
	struct crypto_aead *tfm;
	u8 subkey[SS_KEY_MAX_LEN];
	u8 nonce[SS_NONCE_MAX_LEN];
};

int ss_cipher_init(struct ss_cipher *c, const struct ss_method_info *method,
		   const u8 *master_key, const u8 *salt);
int ss_cipher_rekey(struct ss_cipher *c, const u8 *master_key, const u8 *salt);
int ss_cipher_rekey_salt(struct ss_cipher *c, const u8 *master_key,
			 const u8 *salt, size_t salt_len);
void ss_cipher_set_nonce(struct ss_cipher *c, const u8 *nonce);
void ss_cipher_free(struct ss_cipher *c);
int ss_cipher_seal(struct ss_cipher *c, u8 *dst, const u8 *src, size_t len);
int ss_cipher_open(struct ss_cipher *c, u8 *dst, const u8 *src, size_t len);
int ss_cipher_open_pieces(struct ss_cipher *c, u8 *const *pieces,
			  size_t piece_len, size_t len, u8 *tag);
int ss_cipher_open_split(struct ss_cipher *c, u8 *buf, size_t len, u8 *tag);
int ss_hkdf_sha1(const u8 *ikm, size_t ikm_len, const u8 *salt,
		 size_t salt_len, const u8 *info, size_t info_len,
		 u8 *okm, size_t okm_len);

int ss_hkdf_init(void);
void ss_hkdf_uninit(void);

#ifdef DEBUG
bool ss_cipher_selftest(void);
#endif

#endif /* _SS_CIPHER_H */
