/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AEAD methods of Shadowsocks (SIP004/SIP007) and how the kernel
 * provides each of them.
 */

#ifndef _SS_CRYPTO_H
#define _SS_CRYPTO_H

#include <linux/types.h>

struct netlink_ext_ack;

/**
 * enum ss_kdf - how a session subkey comes from the key and a salt
 * @SS_KDF_HKDF_SHA1: AEAD-2017: HKDF-SHA1 of the master key, salted, info
 *	"ss-subkey"
 * @SS_KDF_BLAKE3: Shadowsocks 2022 (SIP022 section 2.2): BLAKE3's key
 *	derivation, context "shadowsocks 2022 session subkey", of the PSK
 *	followed by the salt
 * @SS_KDF_NONE: the key itself (SIP022 section 4.1: 2022 chacha UDP packets
 *	are sealed under the PSK)
 */
enum ss_kdf {
	SS_KDF_HKDF_SHA1,
	SS_KDF_BLAKE3,
	SS_KDF_NONE,
};

/**
 * enum ss_aead_impl - what seals and opens for a method
 * @SS_AEAD_API: the crypto API's transform named by &ss_method_info.aead
 * @SS_AEAD_CHACHA: ChaCha20-Poly1305 with a 96-bit nonce, built on the
 *	ChaCha20 and Poly1305 library functions (chachapoly.c)
 * @SS_AEAD_XCHACHA: XChaCha20-Poly1305 (24-byte nonce): the same, under the
 *	key and nonce HChaCha20 derives from the key and nonce
 *	(ss_xchachapoly_key())
 */
enum ss_aead_impl {
	SS_AEAD_API,
	SS_AEAD_CHACHA,
	SS_AEAD_XCHACHA,
};

/**
 * struct ss_method_info - one AEAD cipher, as protocol.md tabulates it
 * @id: enum ss_method value, as in SS_A_METHOD
 * @name: the name configuration files and ssctl use
 * @impl: what seals and opens
 * @aead: the crypto API algorithm name, for @impl SS_AEAD_API
 * @key_len: master key and session subkey length
 * @salt_len: per-session salt length
 * @nonce_len: nonce (IV) length
 * @tag_len: authentication tag length
 * @kdf: the session subkey's derivation (0, the default: AEAD-2017's)
 * @aes_headers: a 2022 AES method: its UDP packets' separate header and
 *	SIP023's identity headers are AES blocks under a PSK
 * @udp: what seals the method's UDP packets, if not the method itself
 *	(2022 chacha: XChaCha20-Poly1305 under the PSK, SIP022 section 4.1)
 */
struct ss_method_info {
	u32 id;
	const char *name;
	enum ss_aead_impl impl;
	const char *aead;
	unsigned int key_len;
	unsigned int salt_len;
	unsigned int nonce_len;
	unsigned int tag_len;
	enum ss_kdf kdf;
	bool aes_headers;
	const struct ss_method_info *udp;
};

/* A Shadowsocks 2022 method (SIP022), whose streams are framed otherwise. */
static inline bool ss_method_is_2022(const struct ss_method_info *m)
{
	return m->kdf == SS_KDF_BLAKE3;
}

/* What seals @m's UDP packets. */
static inline const struct ss_method_info *
ss_method_udp(const struct ss_method_info *m)
{
	return m->udp ?: m;
}

const struct ss_method_info *ss_method_get(u32 id);
int ss_method_check(const struct ss_method_info *method, const u8 *key,
		    struct netlink_ext_ack *extack);

#endif /* _SS_CRYPTO_H */
