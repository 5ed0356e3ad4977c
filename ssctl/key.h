/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Methods and master keys: the method table, password -> key derivation
 * (EVP_BytesToKey with MD5, as every Shadowsocks implementation does) and
 * base64 keys. Nothing here talks to the kernel.
 */
#ifndef SSCTL_KEY_H
#define SSCTL_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/shadowsocks.h>

struct method {
	const char *name;
	uint32_t id;		/* enum ss_method */
	size_t key_len;
	bool psk_only;		/* Shadowsocks 2022: a base64 PSK, no password */
};

const struct method *method_by_name(const char *name);
const struct method *method_by_id(uint32_t id);
/* a Shadowsocks 2022 method, whose key is a base64 PSK, never a password */
bool method_psk_only(const char *name);
/* a 2022 AES method: SIP023 identity keys and users */
bool method_has_identity(const struct method *m);
/* "aes-128-gcm, aes-192-gcm, ..." for messages */
const char *method_list(void);

/*
 * key_from_password() - derive the master key of @m from a password.
 * Writes m->key_len bytes to @key. Returns false if OpenSSL fails.
 */
bool key_from_password(const struct method *m, const char *password,
		       size_t password_len, uint8_t key[SS_KEY_MAX_LEN]);

enum key_b64_result {
	KEY_B64_OK,
	KEY_B64_INVALID,	/* not base64 */
	KEY_B64_LENGTH,		/* valid base64, wrong length; *len says it */
};

/*
 * key_from_base64() - decode a base64 master key for @m.
 * On KEY_B64_OK, @key holds m->key_len bytes; on KEY_B64_LENGTH, *@len is
 * the decoded length. Decoded bytes are wiped from every scratch buffer.
 */
enum key_b64_result key_from_base64(const struct method *m, const char *b64,
				    uint8_t key[SS_KEY_MAX_LEN], size_t *len);

#endif
