// SPDX-License-Identifier: GPL-2.0
/*
 * ChaCha20-Poly1305 (RFC 8439 section 2.8) with a whole 96-bit nonce, from
 * the kernel's ChaCha20 and Poly1305 library functions: what
 * chacha20-ietf-poly1305 and the TCP streams of
 * 2022-blake3-chacha20-poly1305 seal with, and xchacha20-ietf-poly1305 and
 * 2022 UDP's XChaCha20 under the key and nonce ss_xchachapoly_key() gives.
 *
 * Why not the crypto API's rfc7539(chacha20,poly1305): every connection
 * needs a keyed transform per direction, and the template's is four
 * (the AEAD, a ChaCha20 skcipher, Poly1305, and their instances looked up
 * under crypto_alg_sem), about 1.3 KiB each, allocated for every proxied
 * connection in each role; and each operation runs as a chain of
 * sub-requests walking scatterlists. Why not the library's
 * chacha20poly1305_encrypt(): its nonce is a u64 placed after 32 zero
 * bits (0^32 || le64(n)), where Shadowsocks counts little-endian over all
 * 96 bits (le64(n) || 0^32 while n < 2^64): the bytes on the wire would
 * differ. So the construction is built here from the primitives the
 * library's own uses (and the same SIMD code the template would pick):
 * ChaCha20 block 0 gives the one-time Poly1305 key, blocks 1 on encrypt,
 * Poly1305 runs over the associated data and the ciphertext, each padded
 * to 16 bytes, and their two lengths. Nothing is allocated and the key is
 * taken per call, so a connection's cipher is its 32-byte subkey.
 *
 * chacha_crypt() advances the block counter by whole blocks, a partial
 * last block included: data in several calls must come in multiples of
 * CHACHA_BLOCK_SIZE but for the last.
 *
 * Opening checks the tag before it decrypts anything, so no unauthenticated
 * plaintext is ever written.
 */

#include <crypto/algapi.h>
#include <crypto/chacha.h>
#include <crypto/poly1305.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "chachapoly.h"

static_assert(SS_CHACHAPOLY_KEY_LEN == CHACHA_KEY_SIZE);
static_assert(SS_XCHACHAPOLY_NONCE_LEN == 16 + 8);

/* One operation's state: the cipher's and the MAC's, wiped after it. */
struct ss_chachapoly {
	u32 chacha[CHACHA_STATE_WORDS];
	struct poly1305_desc_ctx poly;
};

/*
 * Key the cipher with @key and @nonce at block 0, take the one-time
 * Poly1305 key from that block (which leaves the counter at 1), and MAC
 * the associated data.
 */
static void ss_chachapoly_start(struct ss_chachapoly *s, const u8 *key,
				const u8 *nonce, const u8 *ad, size_t ad_len)
{
	static const u8 pad[POLY1305_BLOCK_SIZE];
	u32 k[CHACHA_KEY_SIZE / sizeof(u32)];
	__le32 kle[ARRAY_SIZE(k)];
	u8 iv[CHACHA_IV_SIZE] = {};
	u8 otk[POLY1305_KEY_SIZE] = {};
	unsigned int i;

	memcpy(kle, key, sizeof(kle));
	for (i = 0; i < ARRAY_SIZE(k); i++)
		k[i] = le32_to_cpu(kle[i]);
	/* the block counter (0), then the nonce */
	memcpy(iv + sizeof(u32), nonce, SS_CHACHAPOLY_NONCE_LEN);
	chacha_init(s->chacha, k, iv);
	chacha20_crypt(s->chacha, otk, otk, sizeof(otk));
	poly1305_init(&s->poly, otk);
	if (ad_len) {
		poly1305_update(&s->poly, ad, ad_len);
		poly1305_update(&s->poly, pad, -ad_len % POLY1305_BLOCK_SIZE);
	}
	memzero_explicit(k, sizeof(k));
	memzero_explicit(kle, sizeof(kle));
	memzero_explicit(otk, sizeof(otk));
}

/* Pad the ciphertext's MAC, add both lengths, give the tag. */
static void ss_chachapoly_tag(struct ss_chachapoly *s, size_t ad_len,
			      size_t len, u8 *tag)
{
	static const u8 pad[POLY1305_BLOCK_SIZE];
	__le64 lens[2] = { cpu_to_le64(ad_len), cpu_to_le64(len) };

	poly1305_update(&s->poly, pad, -len % POLY1305_BLOCK_SIZE);
	poly1305_update(&s->poly, (const u8 *)lens, sizeof(lens));
	poly1305_final(&s->poly, tag);
}

/**
 * ss_chachapoly_seal() - encrypt and authenticate
 * @dst: @len bytes of ciphertext, then the POLY1305_DIGEST_SIZE-byte tag;
 *	may equal @src
 * @src: @len bytes of plaintext
 * @len: may be 0; at most UINT_MAX (the library's lengths are unsigned int)
 * @ad: associated data (Shadowsocks has none; RFC 8439's test vector does)
 * @ad_len: its length
 * @nonce: SS_CHACHAPOLY_NONCE_LEN bytes
 * @key: SS_CHACHAPOLY_KEY_LEN bytes
 *
 * Any context; any memory.
 */
void ss_chachapoly_seal(u8 *dst, const u8 *src, size_t len, const u8 *ad,
			size_t ad_len, const u8 *nonce, const u8 *key)
{
	struct ss_chachapoly s;

	ss_chachapoly_start(&s, key, nonce, ad, ad_len);
	chacha20_crypt(s.chacha, dst, src, len);
	poly1305_update(&s.poly, dst, len);
	ss_chachapoly_tag(&s, ad_len, len, dst + len);
	memzero_explicit(&s, sizeof(s));
}

/**
 * ss_chachapoly_open() - authenticate, then decrypt in place, in pieces
 * @pieces: the ciphertext, @piece_len bytes in each piece but the last,
 *	which holds the rest; replaced by the plaintext if it is authentic
 * @piece_len: a multiple of CHACHA_BLOCK_SIZE if there is more than one
 *	piece
 * @len: ciphertext length, the tag not included; may be 0
 * @tag: the tag, POLY1305_DIGEST_SIZE bytes
 * @ad: associated data
 * @ad_len: its length
 * @nonce: SS_CHACHAPOLY_NONCE_LEN bytes
 * @key: SS_CHACHAPOLY_KEY_LEN bytes
 *
 * Any context; any memory. The tag is compared in constant time.
 *
 * Return: true if it was authentic (and is decrypted); false if not, or
 * if @piece_len is 0 or not a whole number of blocks, or @len is over
 * UINT_MAX: the pieces then untouched.
 */
bool ss_chachapoly_open(u8 *const *pieces, size_t piece_len, size_t len,
			const u8 *tag, const u8 *ad, size_t ad_len,
			const u8 *nonce, const u8 *key)
{
	u8 mac[POLY1305_DIGEST_SIZE];
	struct ss_chachapoly s;
	unsigned int i;
	size_t left;
	bool ok;

	if ((len && !piece_len) || len > UINT_MAX ||
	    (len > piece_len && piece_len % CHACHA_BLOCK_SIZE))
		return false;
	ss_chachapoly_start(&s, key, nonce, ad, ad_len);
	for (i = 0, left = len; left; i++, left -= min(left, piece_len))
		poly1305_update(&s.poly, pieces[i], min(left, piece_len));
	ss_chachapoly_tag(&s, ad_len, len, mac);
	ok = !crypto_memneq(mac, tag, sizeof(mac));
	for (i = 0, left = len; ok && left; i++, left -= min(left, piece_len))
		chacha20_crypt(s.chacha, pieces[i], pieces[i],
			       min(left, piece_len));
	memzero_explicit(&s, sizeof(s));
	memzero_explicit(mac, sizeof(mac));
	return ok;
}

/**
 * ss_xchachapoly_key() - the ChaCha20-Poly1305 key and nonce of XChaCha20
 * @key: SS_CHACHAPOLY_KEY_LEN bytes out: HChaCha20 of @xkey and the first
 *	16 bytes of @xnonce
 * @nonce: SS_CHACHAPOLY_NONCE_LEN bytes out: 4 zero bytes, then the last 8
 *	of @xnonce
 * @xkey: the XChaCha20-Poly1305 key, SS_CHACHAPOLY_KEY_LEN bytes
 * @xnonce: its nonce, SS_XCHACHAPOLY_NONCE_LEN bytes
 *
 * XChaCha20-Poly1305 is ChaCha20-Poly1305 under these (the library's
 * xchacha20poly1305_encrypt() is built the same way), so one core serves
 * both. The caller wipes @key.
 */
void ss_xchachapoly_key(u8 *key, u8 *nonce, const u8 *xkey, const u8 *xnonce)
{
	u32 state[CHACHA_STATE_WORDS], k[CHACHA_KEY_SIZE / sizeof(u32)];
	__le32 kle[ARRAY_SIZE(k)];
	unsigned int i;

	memcpy(kle, xkey, sizeof(kle));
	for (i = 0; i < ARRAY_SIZE(k); i++)
		k[i] = le32_to_cpu(kle[i]);
	chacha_init(state, k, xnonce);
	hchacha_block(state, k, 20);
	for (i = 0; i < ARRAY_SIZE(k); i++)
		kle[i] = cpu_to_le32(k[i]);
	memcpy(key, kle, sizeof(kle));
	memset(nonce, 0, sizeof(u32));
	memcpy(nonce + sizeof(u32), xnonce + 16, 8);
	memzero_explicit(state, sizeof(state));
	memzero_explicit(k, sizeof(k));
	memzero_explicit(kle, sizeof(kle));
}

/**
 * ss_chachapoly_open_to() - authenticate and decrypt, no associated data
 * @dst: @len - POLY1305_DIGEST_SIZE bytes of plaintext; may equal @src
 * @src: @len bytes: ciphertext, then the tag
 * @len: at least POLY1305_DIGEST_SIZE
 * @nonce: SS_CHACHAPOLY_NONCE_LEN bytes
 * @key: SS_CHACHAPOLY_KEY_LEN bytes
 *
 * Return: true if it was authentic (and is decrypted into @dst); false if
 * not, @dst then untouched.
 */
bool ss_chachapoly_open_to(u8 *dst, const u8 *src, size_t len,
			   const u8 *nonce, const u8 *key)
{
	size_t n = len - POLY1305_DIGEST_SIZE;
	u8 mac[POLY1305_DIGEST_SIZE];
	struct ss_chachapoly s;
	bool ok;

	if (len < POLY1305_DIGEST_SIZE || len > UINT_MAX)
		return false;
	ss_chachapoly_start(&s, key, nonce, NULL, 0);
	poly1305_update(&s.poly, src, n);
	ss_chachapoly_tag(&s, 0, n, mac);
	ok = !crypto_memneq(mac, src + n, sizeof(mac));
	if (ok)
		chacha20_crypt(s.chacha, dst, src, n);
	memzero_explicit(&s, sizeof(s));
	memzero_explicit(mac, sizeof(mac));
	return ok;
}
