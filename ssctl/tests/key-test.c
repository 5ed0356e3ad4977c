// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer tests of key.c: password -> master key for every method, and
 * base64 keys. The expected masters of aes-128-gcm, aes-256-gcm and
 * chacha20-ietf-poly1305 are copied from shared/protocol-vectors.json
 * (password "barfoo!"); every method is also checked against MD5 chained by
 * hand here (D1 = MD5(pw), Di = MD5(D(i-1) || pw)), which does not go
 * through EVP_BytesToKey. TAP output.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "key.h"

static int n_test, n_failed;

static void ok(bool cond, const char *fmt, const char *arg)
{
	n_test++;
	if (!cond)
		n_failed++;
	printf("%sok %d - ", cond ? "" : "not ", n_test);
	printf(fmt, arg);
	putchar('\n');
}

static void hex(const uint8_t *b, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * len] = '\0';
}

/* the derivation spelled out, for a second opinion */
static void md5_chain(const char *pw, size_t key_len, uint8_t *out)
{
	uint8_t d[16], buf[16 + 256];
	size_t done = 0, pw_len = strlen(pw), in_len;

	while (done < key_len) {
		in_len = 0;
		if (done) {
			memcpy(buf, d, 16);
			in_len = 16;
		}
		memcpy(buf + in_len, pw, pw_len);
		in_len += pw_len;
		EVP_Digest(buf, in_len, d, NULL, EVP_md5(), NULL);
		memcpy(out + done, d, key_len - done < 16 ? key_len - done : 16);
		done += 16;
	}
}

static const struct {
	const char *method;
	const char *master;	/* protocol-vectors.json, or NULL */
} vectors[] = {
	{ "aes-128-gcm", "b3adc47839e047eb228870526dc8fc30" },
	{ "aes-192-gcm", NULL },
	{ "aes-256-gcm",
	  "b3adc47839e047eb228870526dc8fc30b347287ffca3045dcea06b3fdf090acb" },
	{ "chacha20-ietf-poly1305",
	  "b3adc47839e047eb228870526dc8fc30b347287ffca3045dcea06b3fdf090acb" },
	{ "xchacha20-ietf-poly1305", NULL },
};

static const size_t key_lens[] = { 16, 24, 32, 32, 32 };

int main(void)
{
	const char *pw = "barfoo!";
	uint8_t key[SS_KEY_MAX_LEN], ref[SS_KEY_MAX_LEN];
	char got[2 * SS_KEY_MAX_LEN + 1], want[2 * SS_KEY_MAX_LEN + 1];
	const struct method *m;
	size_t len;

	printf("TAP version 13\n");

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		m = method_by_name(vectors[i].method);
		ok(m && m->key_len == key_lens[i], "%s: known, right key length",
		   vectors[i].method);
		if (!m)
			continue;
		ok(method_by_id(m->id) == m, "%s: found by its uapi id",
		   m->name);
		memset(key, 0xaa, sizeof(key));
		ok(key_from_password(m, pw, strlen(pw), key),
		   "%s: key_from_password succeeds", m->name);
		hex(key, m->key_len, got);
		md5_chain(pw, m->key_len, ref);
		hex(ref, m->key_len, want);
		ok(!strcmp(got, want), "%s: key equals the MD5 chain", m->name);
		if (vectors[i].master)
			ok(!strcmp(got, vectors[i].master),
			   "%s: key equals protocol-vectors.json", m->name);
		/* a longer password takes another path through the chain */
		key_from_password(m, "correct horse battery staple", 28, key);
		md5_chain("correct horse battery staple", m->key_len, ref);
		ok(!memcmp(key, ref, m->key_len), "%s: long password", m->name);
	}

	ok(!method_by_name("foo") && !method_by_name("AES-128-GCM") &&
	   !method_by_name("aes-128-gcm ") && !method_by_id(0) &&
	   !method_by_id(SS_METHOD_MAX + 1), "%s", "unknown methods refused");
	ok(!strcmp(method_list(), "aes-128-gcm, aes-192-gcm, aes-256-gcm, "
		   "chacha20-ietf-poly1305, xchacha20-ietf-poly1305, "
		   "2022-blake3-aes-128-gcm, 2022-blake3-aes-256-gcm, "
		   "2022-blake3-chacha20-poly1305"),
	   "%s", "method list");

	/* Shadowsocks 2022: PSKs only, of the method's length */
	static const struct {
		const char *name;
		uint32_t id;
		size_t key_len;
	} psk_methods[] = {
		{ "2022-blake3-aes-128-gcm", SS_METHOD_2022_BLAKE3_AES_128_GCM, 16 },
		{ "2022-blake3-aes-256-gcm", SS_METHOD_2022_BLAKE3_AES_256_GCM, 32 },
		{ "2022-blake3-chacha20-poly1305",
		  SS_METHOD_2022_BLAKE3_CHACHA20_POLY1305, 32 },
	};
	for (size_t i = 0; i < sizeof(psk_methods) / sizeof(psk_methods[0]); i++) {
		m = method_by_name(psk_methods[i].name);
		ok(m && m->id == psk_methods[i].id &&
		   m->key_len == psk_methods[i].key_len && m->psk_only &&
		   method_by_id(m->id) == m,
		   "%s: known, PSK only, right key length", psk_methods[i].name);
		ok(m && !key_from_password(m, pw, strlen(pw), key),
		   "%s: no key from a password", psk_methods[i].name);
	}
	ok(!method_by_name("aes-128-gcm")->psk_only, "%s",
	   "AEAD-2017 methods take passwords");

	m = method_by_name("aes-128-gcm");
	ok(key_from_base64(m, "s63EeDngR+siiHBSbcj8MA==", key, &len) ==
	   KEY_B64_OK && !memcmp(key, "\xb3\xad\xc4\x78\x39\xe0\x47\xeb"
			      "\x22\x88\x70\x52\x6d\xc8\xfc\x30", 16),
	   "%s", "base64 key of aes-128-gcm decodes to its bytes");
	m = method_by_name("aes-256-gcm");
	ok(key_from_base64(m, "s63EeDngR+siiHBSbcj8MA==", key, &len) ==
	   KEY_B64_LENGTH && len == 16,
	   "%s", "16-byte base64 key for aes-256-gcm: wrong length, 16");
	ok(key_from_base64(m, "s63EeDngR+siiHBSbcj8MLNHKH/8owRdzqBrP98JCss=",
			   key, &len) == KEY_B64_OK &&
	   !memcmp(key, "\xb3\xad\xc4\x78\x39\xe0\x47\xeb\x22\x88\x70\x52"
		   "\x6d\xc8\xfc\x30\xb3\x47\x28\x7f\xfc\xa3\x04\x5d\xce\xa0"
		   "\x6b\x3f\xdf\x09\x0a\xcb", 32),
	   "%s", "base64 key of aes-256-gcm decodes to its bytes");
	ok(key_from_base64(m, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			   key, &len) == KEY_B64_LENGTH && len == 36,
	   "%s", "36-byte key: wrong length, 36");

	static const char *const bad[] = {
		"", "AAA", "A", "AA=A", "=AAA", "AAAA====", "AA!A", "AA-_",
		"s63EeDngR+siiHBSbcj8MA", "s63EeDngR+siiHBSbcj8MA==x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(key_from_base64(m, bad[i], key, &len) == KEY_B64_INVALID,
		   "invalid base64 '%s' refused", bad[i]);

	printf("1..%d\n", n_test);
	return n_failed ? 1 : 0;
}
