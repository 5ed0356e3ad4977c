// SPDX-License-Identifier: GPL-2.0
/*
 * Methods and master keys.
 *
 * The kernel only ever receives raw key bytes. A password becomes a key the
 * way shadowsocks-libev and every compatible implementation do it: OpenSSL's
 * EVP_BytesToKey with MD5, no salt, one round, cut to the method's key length
 * (D1 = MD5(pw), Di = MD5(D(i-1) || pw)).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "key.h"

/*
 * EVP_BytesToKey takes its output length from a cipher. OpenSSL has no
 * XChaCha20-Poly1305, so that method borrows ChaCha20-Poly1305, whose key
 * has the same length; key_from_password() checks the lengths agree.
 */
static const struct {
	struct method m;
	const EVP_CIPHER *(*cipher)(void);
} methods[] = {
	{ { "aes-128-gcm", SS_METHOD_AES_128_GCM, 16, false }, EVP_aes_128_gcm },
	{ { "aes-192-gcm", SS_METHOD_AES_192_GCM, 24, false }, EVP_aes_192_gcm },
	{ { "aes-256-gcm", SS_METHOD_AES_256_GCM, 32, false }, EVP_aes_256_gcm },
	{ { "chacha20-ietf-poly1305", SS_METHOD_CHACHA20_IETF_POLY1305, 32,
	    false },
	  EVP_chacha20_poly1305 },
	{ { "xchacha20-ietf-poly1305", SS_METHOD_XCHACHA20_IETF_POLY1305, 32,
	    false },
	  EVP_chacha20_poly1305 },
	/* SIP022 section 2.1: the key is a random PSK, never a password */
	{ { "2022-blake3-aes-128-gcm", SS_METHOD_2022_BLAKE3_AES_128_GCM, 16,
	    true }, NULL },
	{ { "2022-blake3-aes-256-gcm", SS_METHOD_2022_BLAKE3_AES_256_GCM, 32,
	    true }, NULL },
	{ { "2022-blake3-chacha20-poly1305",
	    SS_METHOD_2022_BLAKE3_CHACHA20_POLY1305, 32, true }, NULL },
};

#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

const struct method *method_by_name(const char *name)
{
	for (size_t i = 0; i < N_METHODS; i++)
		if (!strcmp(methods[i].m.name, name))
			return &methods[i].m;
	return NULL;
}

const struct method *method_by_id(uint32_t id)
{
	for (size_t i = 0; i < N_METHODS; i++)
		if (methods[i].m.id == id)
			return &methods[i].m;
	return NULL;
}

bool method_psk_only(const char *name)
{
	const struct method *m = method_by_name(name);

	return m && m->psk_only;
}

bool method_has_identity(const struct method *m)
{
	return m->id == SS_METHOD_2022_BLAKE3_AES_128_GCM ||
	       m->id == SS_METHOD_2022_BLAKE3_AES_256_GCM;
}

const char *method_list(void)
{
	static char list[256];

	if (!list[0]) {
		for (size_t i = 0; i < N_METHODS; i++) {
			if (i)
				strcat(list, ", ");
			strcat(list, methods[i].m.name);
		}
	}
	return list;
}

bool key_from_password(const struct method *m, const char *password,
		       size_t password_len, uint8_t key[SS_KEY_MAX_LEN])
{
	const EVP_CIPHER *cipher = NULL;
	int len;

	for (size_t i = 0; i < N_METHODS; i++)
		if (&methods[i].m == m && methods[i].cipher)
			cipher = methods[i].cipher();
	if (!cipher || (size_t)EVP_CIPHER_get_key_length(cipher) != m->key_len ||
	    m->key_len > SS_KEY_MAX_LEN)
		return false;

	len = EVP_BytesToKey(cipher, EVP_md5(), NULL,
			     (const unsigned char *)password, (int)password_len,
			     1, key, NULL);
	if ((size_t)len != m->key_len) {
		OPENSSL_cleanse(key, SS_KEY_MAX_LEN);
		return false;
	}
	return true;
}

enum key_b64_result key_from_base64(const struct method *m, const char *b64,
				    uint8_t key[SS_KEY_MAX_LEN], size_t *len)
{
	enum key_b64_result ret = KEY_B64_INVALID;
	size_t in_len = strlen(b64), cap;
	EVP_ENCODE_CTX *ctx;
	unsigned char *buf;
	int n = 0, tail = 0;

	*len = 0;
	if (!in_len || in_len > INT_MAX / 2)
		return KEY_B64_INVALID;

	cap = in_len / 4 * 3 + 3 + 80;	/* EVP_DecodeUpdate may buffer a line */
	buf = calloc(1, cap);
	ctx = EVP_ENCODE_CTX_new();
	if (!buf || !ctx)
		goto out;

	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, buf, &n, (const unsigned char *)b64,
			     (int)in_len) < 0)
		goto out;
	if (EVP_DecodeFinal(ctx, buf + n, &tail) != 1)
		goto out;
	n += tail;
	/* base64 of anything is a multiple of 4 characters, padding included */
	if (in_len % 4)
		goto out;

	*len = (size_t)n;
	if ((size_t)n != m->key_len) {
		ret = KEY_B64_LENGTH;
		goto out;
	}
	memcpy(key, buf, m->key_len);
	ret = KEY_B64_OK;
out:
	if (buf) {
		OPENSSL_cleanse(buf, cap);
		free(buf);
	}
	/*
	 * The context is opaque and OpenSSL frees it without cleansing; it
	 * can only still hold base64 text, which the caller wipes in argv.
	 */
	EVP_ENCODE_CTX_free(ctx);
	return ret;
}
