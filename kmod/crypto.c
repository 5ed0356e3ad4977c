// SPDX-License-Identifier: GPL-2.0
/*
 * The method table, and the check that the running kernel can provide a
 * method before an object that needs it is created.
 */

#include <crypto/aead.h>
#include <linux/err.h>
#include <linux/fips.h>
#include <linux/nospec.h>
#include <linux/shadowsocks.h>
#include <linux/string.h>

#include "chachapoly.h"
#include "compat.h"
#include "crypto.h"

/*
 * 2022-blake3-chacha20-poly1305's UDP packets (SIP022 section 4.1):
 * XChaCha20-Poly1305 under the PSK itself, with the random 24-byte nonce
 * each packet starts with. Not a method of its own: no uapi number.
 */
static const struct ss_method_info ss_2022_xchacha_udp = {
	.id = SS_METHOD_2022_BLAKE3_CHACHA20_POLY1305,
	.name = "2022-blake3-chacha20-poly1305 (UDP)",
	.impl = SS_AEAD_XCHACHA,
	.key_len = SS_CHACHAPOLY_KEY_LEN, .salt_len = 0,
	.nonce_len = SS_XCHACHAPOLY_NONCE_LEN, .tag_len = 16,
	.kdf = SS_KDF_NONE,
};

static const struct ss_method_info ss_methods[] = {
	[SS_METHOD_AES_128_GCM] = {
		.id = SS_METHOD_AES_128_GCM, .name = "aes-128-gcm",
		.aead = "gcm(aes)",
		.key_len = 16, .salt_len = 16, .nonce_len = 12, .tag_len = 16,
	},
	[SS_METHOD_AES_192_GCM] = {
		.id = SS_METHOD_AES_192_GCM, .name = "aes-192-gcm",
		.aead = "gcm(aes)",
		.key_len = 24, .salt_len = 24, .nonce_len = 12, .tag_len = 16,
	},
	[SS_METHOD_AES_256_GCM] = {
		.id = SS_METHOD_AES_256_GCM, .name = "aes-256-gcm",
		.aead = "gcm(aes)",
		.key_len = 32, .salt_len = 32, .nonce_len = 12, .tag_len = 16,
	},
	[SS_METHOD_CHACHA20_IETF_POLY1305] = {
		.id = SS_METHOD_CHACHA20_IETF_POLY1305,
		.name = "chacha20-ietf-poly1305",
		.impl = SS_AEAD_CHACHA,
		.key_len = 32, .salt_len = 32, .nonce_len = 12, .tag_len = 16,
	},
	[SS_METHOD_XCHACHA20_IETF_POLY1305] = {
		.id = SS_METHOD_XCHACHA20_IETF_POLY1305,
		.name = "xchacha20-ietf-poly1305",
		.impl = SS_AEAD_XCHACHA,
		.key_len = SS_CHACHAPOLY_KEY_LEN, .salt_len = 32,
		.nonce_len = SS_XCHACHAPOLY_NONCE_LEN, .tag_len = 16,
	},
	/*
	 * Shadowsocks 2022 (SIP022): the PSK is the key, the salt as long
	 * as it, the session subkey from BLAKE3. These entries describe the
	 * TCP streams; the AES methods' UDP packets are sealed alike, with
	 * the session ID as the salt (section 3.2), the chacha method's as
	 * ss_2022_xchacha_udp says.
	 */
	[SS_METHOD_2022_BLAKE3_AES_128_GCM] = {
		.id = SS_METHOD_2022_BLAKE3_AES_128_GCM,
		.name = "2022-blake3-aes-128-gcm",
		.aead = "gcm(aes)",
		.key_len = 16, .salt_len = 16, .nonce_len = 12, .tag_len = 16,
		.kdf = SS_KDF_BLAKE3, .aes_headers = true,
	},
	[SS_METHOD_2022_BLAKE3_AES_256_GCM] = {
		.id = SS_METHOD_2022_BLAKE3_AES_256_GCM,
		.name = "2022-blake3-aes-256-gcm",
		.aead = "gcm(aes)",
		.key_len = 32, .salt_len = 32, .nonce_len = 12, .tag_len = 16,
		.kdf = SS_KDF_BLAKE3, .aes_headers = true,
	},
	[SS_METHOD_2022_BLAKE3_CHACHA20_POLY1305] = {
		.id = SS_METHOD_2022_BLAKE3_CHACHA20_POLY1305,
		.name = "2022-blake3-chacha20-poly1305",
		.impl = SS_AEAD_CHACHA,
		.key_len = 32, .salt_len = 32, .nonce_len = 12, .tag_len = 16,
		.kdf = SS_KDF_BLAKE3, .udp = &ss_2022_xchacha_udp,
	},
};

static_assert(ARRAY_SIZE(ss_methods) == SS_METHOD_MAX + 1);

/**
 * ss_method_get() - look a method up by its uapi number
 * @id: enum ss_method value
 *
 * Return: the method, or NULL for SS_METHOD_UNSPEC and unknown numbers.
 */
const struct ss_method_info *ss_method_get(u32 id)
{
	if (id == SS_METHOD_UNSPEC || id > SS_METHOD_MAX)
		return NULL;
	return &ss_methods[array_index_nospec(id, SS_METHOD_MAX + 1)];
}

/* Allocate the transform, key it and set the tag size, then let it go. */
static int ss_aead_check(const struct ss_method_info *method, const u8 *key)
{
	struct crypto_aead *tfm;
	int err;

	tfm = crypto_alloc_aead(method->aead, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = crypto_aead_setkey(tfm, key, method->key_len);
	if (!err)
		err = crypto_aead_setauthsize(tfm, method->tag_len);
	if (!err && crypto_aead_ivsize(tfm) != method->nonce_len)
		err = -EINVAL;
	crypto_free_aead(tfm);	/* wipes the keyed context */
	return err;
}

/*
 * The library has no instantiation step: calling it makes this module
 * depend on the modules that provide ChaCha20 and Poly1305 (on x86,
 * chacha-x86_64 and poly1305-x86_64), so being loaded at all proves them
 * present. Seal and open an empty message anyway (through the XChaCha20
 * key derivation too), which also proves the key usable. The library is
 * not the crypto API, which refuses ChaCha20-Poly1305 in FIPS mode: so is
 * it refused here.
 */
static int ss_lib_check(const struct ss_method_info *method, const u8 *key)
{
	u8 xnonce[SS_XCHACHAPOLY_NONCE_LEN] = {};
	u8 nonce[SS_CHACHAPOLY_NONCE_LEN] = {};
	u8 subkey[SS_CHACHAPOLY_KEY_LEN];
	u8 tag[16] = {};
	u8 *none = tag;
	bool ok;

	if (fips_enabled)
		return -ENOPKG;
	if (method->impl == SS_AEAD_XCHACHA)
		ss_xchachapoly_key(subkey, nonce, key, xnonce);
	else
		memcpy(subkey, key, sizeof(subkey));
	ss_chachapoly_seal(tag, tag, 0, NULL, 0, nonce, subkey);
	ok = ss_chachapoly_open(&none, 0, 0, tag, NULL, 0, nonce, subkey);
	memzero_explicit(subkey, sizeof(subkey));
	memzero_explicit(tag, sizeof(tag));
	return ok ? 0 : -EBADMSG;
}

/* What makes @method's transform, as messages name it. */
static const char *ss_impl_name(const struct ss_method_info *method)
{
	switch (method->impl) {
	case SS_AEAD_API:
		return method->aead;
	case SS_AEAD_CHACHA:
		return "chacha20 and poly1305";
	case SS_AEAD_XCHACHA:
		break;
	}
	return "hchacha20, chacha20 and poly1305";
}

/**
 * ss_method_check() - can this kernel encrypt with @method and @key?
 * @method: the method an object is about to be created with
 * @key: its key, @method->key_len bytes
 * @extack: where to say why not
 *
 * For the crypto API methods this allocates the transform (which may load
 * modules, so it sleeps), sets the key and the tag size, and frees it again.
 *
 * Return: 0, or -ENOPKG with a message in @extack.
 */
int ss_method_check(const struct ss_method_info *method, const u8 *key,
		    struct netlink_ext_ack *extack)
{
	int err;

	if (method->impl == SS_AEAD_API)
		err = ss_aead_check(method, key);
	else
		err = ss_lib_check(method, key);
	if (!err)
		return 0;

	pr_debug("cannot instantiate %s for %s: %d\n", ss_impl_name(method),
		 method->name, err);
	SS_SET_ERR_MSG_FMT(extack,
			   "kernel cannot instantiate the method's transform",
			   "kernel cannot instantiate %s for %s%s",
			   ss_impl_name(method), method->name,
			   fips_enabled && method->impl != SS_AEAD_API ?
			   " (FIPS mode)" : "");
	return -ENOPKG;
}
