// SPDX-License-Identifier: GPL-2.0
/*
 * One direction of a Shadowsocks AEAD session: the session subkey
 * (HKDF-SHA1 of the master key and the salt for AEAD-2017, BLAKE3's key
 * derivation of both for 2022), the keyed transform and the
 * little-endian nonce counter; and the seal and open operations of the
 * relay's hot path, which look nothing up. The ChaCha20 methods allocate
 * nothing at all; the crypto API's take a request per operation (as kTLS
 * does per record), so that an idle connection holds only its keyed
 * transforms.
 */

#include <crypto/aead.h>
#include <crypto/chacha.h>
#include <crypto/hash.h>
#include <crypto/sha1.h>
#include <linux/err.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/string.h>

#include "blake3.h"
#include "chachapoly.h"
#include "cipher.h"

static const u8 ss_subkey_info[] = "ss-subkey";
static const char ss_subkey_context_2022[] = "shadowsocks 2022 session subkey";

/*
 * HMAC is computed here over an unkeyed "sha1" shash (RFC 2104, as
 * WireGuard's noise.c builds HMAC over BLAKE2s) rather than with the
 * "hmac(sha1)" template, because of where the template keeps its key: in
 * the transform. A shared hmac(sha1) transform would need a lock around
 * every setkey-and-digest (serialising all connection set-ups, and never
 * safe against a softirq caller on the same CPU without disabling BHs);
 * one transform per CPU would cost an allocation per CPU and still leave
 * the last PRK's pads in it; one per call costs an algorithm lookup and
 * two allocations per connection and may sleep. An unkeyed hash transform
 * has no mutable state at all, so this one is shared by every CPU with no
 * lock, the whole HMAC state lives in a descriptor on the caller's stack,
 * and it is wiped before returning. The cost is the same number of SHA-1
 * compressions as the template's. Allocated once at module load. (6.1
 * and 6.12 export no HKDF helper: fscrypt keeps its own, static.)
 */
static struct crypto_shash *ss_sha1 __read_mostly;

/**
 * ss_hkdf_init() - allocate the SHA-1 transform HKDF uses
 *
 * Called once at module load, before anything can call ss_hkdf_sha1() or
 * ss_cipher_init().
 *
 * Return: 0 or -errno.
 */
int ss_hkdf_init(void)
{
	struct crypto_shash *tfm;

	tfm = crypto_alloc_shash("sha1", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	if (crypto_shash_digestsize(tfm) != SHA1_DIGEST_SIZE ||
	    crypto_shash_blocksize(tfm) != SHA1_BLOCK_SIZE) {
		crypto_free_shash(tfm);
		return -EINVAL;
	}
	ss_sha1 = tfm;
	return 0;
}

/**
 * ss_hkdf_uninit() - free the SHA-1 transform
 */
void ss_hkdf_uninit(void)
{
	crypto_free_shash(ss_sha1);
	ss_sha1 = NULL;
}

/*
 * The HMAC key block K0 of RFC 2104: the key, hashed first if longer than
 * a block, padded with zeros to one block.
 */
static int ss_hmac_key(struct shash_desc *desc, u8 k0[SHA1_BLOCK_SIZE],
		       const u8 *key, size_t key_len)
{
	memset(k0, 0, SHA1_BLOCK_SIZE);
	if (key_len > SHA1_BLOCK_SIZE)
		return crypto_shash_digest(desc, key, key_len, k0);
	if (key_len)
		memcpy(k0, key, key_len);
	return 0;
}

/* Start H((K0 ^ ipad) || text); the caller feeds the text. */
static int ss_hmac_begin(struct shash_desc *desc,
			 const u8 k0[SHA1_BLOCK_SIZE], u8 pad[SHA1_BLOCK_SIZE])
{
	unsigned int i;

	for (i = 0; i < SHA1_BLOCK_SIZE; i++)
		pad[i] = k0[i] ^ 0x36;
	return crypto_shash_init(desc) ?:
	       crypto_shash_update(desc, pad, SHA1_BLOCK_SIZE);
}

/* Finish: out = H((K0 ^ opad) || inner hash). */
static int ss_hmac_end(struct shash_desc *desc, const u8 k0[SHA1_BLOCK_SIZE],
		       u8 pad[SHA1_BLOCK_SIZE], u8 out[SHA1_DIGEST_SIZE])
{
	unsigned int i;
	int err;

	err = crypto_shash_final(desc, out);
	if (err)
		return err;
	for (i = 0; i < SHA1_BLOCK_SIZE; i++)
		pad[i] = k0[i] ^ 0x5c;
	return crypto_shash_init(desc) ?:
	       crypto_shash_update(desc, pad, SHA1_BLOCK_SIZE) ?:
	       crypto_shash_finup(desc, out, SHA1_DIGEST_SIZE, out);
}

/**
 * ss_hkdf_sha1() - RFC 5869 HKDF with HMAC-SHA1, extract then expand
 * @ikm: input keying material (the master key)
 * @ikm_len: its length
 * @salt: the extract salt; may be NULL if @salt_len is 0, which RFC 5869
 *	defines as equal to a block of zeros
 * @salt_len: its length
 * @info: the expand context ("ss-subkey")
 * @info_len: its length
 * @okm: output keying material
 * @okm_len: how much of it, at most 255 * 20 bytes
 *
 * Any context, no allocation; all intermediate key material is wiped.
 *
 * Return: 0, or -EINVAL if @okm_len is too large, or an error of the hash.
 */
int ss_hkdf_sha1(const u8 *ikm, size_t ikm_len, const u8 *salt,
		 size_t salt_len, const u8 *info, size_t info_len,
		 u8 *okm, size_t okm_len)
{
	u8 k0[SHA1_BLOCK_SIZE], pad[SHA1_BLOCK_SIZE];
	u8 prk[SHA1_DIGEST_SIZE], t[SHA1_DIGEST_SIZE];
	SHASH_DESC_ON_STACK(desc, ss_sha1);
	size_t done, n;
	u8 counter;
	int err;

	if (okm_len > 255 * SHA1_DIGEST_SIZE)
		return -EINVAL;
	desc->tfm = ss_sha1;

	/* extract: PRK = HMAC(salt, IKM) */
	err = ss_hmac_key(desc, k0, salt, salt_len) ?:
	      ss_hmac_begin(desc, k0, pad) ?:
	      crypto_shash_update(desc, ikm, ikm_len) ?:
	      ss_hmac_end(desc, k0, pad, prk);
	if (err)
		goto out;

	/* expand: T(i) = HMAC(PRK, T(i - 1) || info || i), T(0) empty */
	err = ss_hmac_key(desc, k0, prk, sizeof(prk));
	for (done = 0, counter = 1; !err && done < okm_len; counter++) {
		err = ss_hmac_begin(desc, k0, pad) ?:
		      (done ? crypto_shash_update(desc, t, sizeof(t)) : 0) ?:
		      crypto_shash_update(desc, info, info_len) ?:
		      crypto_shash_update(desc, &counter, 1) ?:
		      ss_hmac_end(desc, k0, pad, t);
		n = min_t(size_t, okm_len - done, sizeof(t));
		if (!err)
			memcpy(okm + done, t, n);
		done += n;
	}

out:
	if (err)
		memzero_explicit(okm, okm_len);
	shash_desc_zero(desc);
	memzero_explicit(k0, sizeof(k0));
	memzero_explicit(pad, sizeof(pad));
	memzero_explicit(prk, sizeof(prk));
	memzero_explicit(t, sizeof(t));
	return err;
}

/* @salt's session subkey, @method->key_len bytes, as @method derives it */
static int ss_cipher_derive(const struct ss_method_info *method,
			    const u8 *master_key, const u8 *salt,
			    size_t salt_len, u8 *subkey)
{
	switch (method->kdf) {
	case SS_KDF_HKDF_SHA1:
		return ss_hkdf_sha1(master_key, method->key_len, salt, salt_len,
				    ss_subkey_info, sizeof(ss_subkey_info) - 1,
				    subkey, method->key_len);
	case SS_KDF_BLAKE3:
		return ss_blake3_derive_salted(ss_subkey_context_2022,
					       master_key, method->key_len,
					       salt, salt_len, subkey,
					       method->key_len);
	case SS_KDF_NONE:
		memcpy(subkey, master_key, method->key_len);
		return 0;
	}
	return -EINVAL;
}

/**
 * ss_cipher_init() - derive a direction's subkey and key its transform
 * @c: the cipher; its previous contents are ignored (free it first)
 * @method: the session's method
 * @master_key: the master key, @method->key_len bytes
 * @salt: the direction's salt, @method->salt_len bytes
 *
 * For the crypto API methods this allocates the transform, which takes
 * the crypto API's locks and may load modules: call it in process
 * context. The library methods (chacha20 and xchacha20) allocate nothing
 * and may be initialised in any context. The nonce starts at zero.
 *
 * Return: 0 or -errno; on failure nothing is left allocated and no key
 * material is left in @c.
 */
int ss_cipher_init(struct ss_cipher *c, const struct ss_method_info *method,
		   const u8 *master_key, const u8 *salt)
{
	struct crypto_aead *tfm;
	int err;

	memset(c, 0, sizeof(*c));
	c->method = method;
	if (WARN_ON_ONCE(method->key_len > sizeof(c->subkey) ||
			 method->nonce_len > sizeof(c->nonce) ||
			 method->tag_len != SS_TAG_LEN))
		return -EINVAL;

	err = ss_cipher_derive(method, master_key, salt, method->salt_len,
			       c->subkey);
	if (err)
		return err;
	if (method->impl != SS_AEAD_API)
		return 0;

	tfm = crypto_alloc_aead(method->aead, 0, 0);
	if (IS_ERR(tfm)) {
		err = PTR_ERR(tfm);
		goto err_key;
	}
	err = crypto_aead_setkey(tfm, c->subkey, method->key_len) ?:
	      crypto_aead_setauthsize(tfm, SS_TAG_LEN);
	if (!err && crypto_aead_ivsize(tfm) != method->nonce_len)
		err = -EINVAL;
	if (err)
		goto err_tfm;
	c->tfm = tfm;
	return 0;

err_tfm:
	crypto_free_aead(tfm);
err_key:
	memzero_explicit(c->subkey, sizeof(c->subkey));
	return err;
}

/**
 * ss_cipher_rekey() - start a new session on an initialised cipher
 * @c: a cipher that ss_cipher_init() set up, not in use by anyone else
 * @master_key: the master key, @c->method->key_len bytes
 * @salt: the new salt, @c->method->salt_len bytes
 *
 * What ss_cipher_free() and ss_cipher_init() with the same method would
 * do, but keeping the transform: for UDP, where every
 * packet has its own salt, this costs the key derivation and a setkey
 * instead of an algorithm lookup and several allocations. Process context
 * (a transform's setkey may allocate and wait). The nonce restarts at zero.
 *
 * Return: 0 or -errno; on failure the key is wiped, the cipher must not be
 * used to seal or open, and must still be freed.
 */
int ss_cipher_rekey(struct ss_cipher *c, const u8 *master_key, const u8 *salt)
{
	return ss_cipher_rekey_salt(c, master_key, salt, c->method->salt_len);
}

/**
 * ss_cipher_rekey_salt() - ss_cipher_rekey() with a salt of another length
 * @c: as for ss_cipher_rekey()
 * @master_key: likewise
 * @salt: the salt
 * @salt_len: its length: a 2022 UDP session's subkey is salted with its
 *	8-byte session ID (SIP022 section 3.2.1)
 *
 * Return: as ss_cipher_rekey().
 */
int ss_cipher_rekey_salt(struct ss_cipher *c, const u8 *master_key,
			 const u8 *salt, size_t salt_len)
{
	const struct ss_method_info *method = c->method;
	int err;

	memzero_explicit(c->nonce, sizeof(c->nonce));
	err = ss_cipher_derive(method, master_key, salt, salt_len, c->subkey);
	if (!err && c->tfm)
		err = crypto_aead_setkey(c->tfm, c->subkey, method->key_len);
	if (err)
		memzero_explicit(c->subkey, sizeof(c->subkey));
	return err;
}

/**
 * ss_cipher_set_nonce() - set the nonce of the next operation
 * @c: the cipher
 * @nonce: @c->method->nonce_len bytes
 *
 * For packets that carry their nonce (2022 UDP: part of the separate
 * header, or random in front of the packet) instead of counting it.
 */
void ss_cipher_set_nonce(struct ss_cipher *c, const u8 *nonce)
{
	memcpy(c->nonce, nonce, c->method->nonce_len);
}

/**
 * ss_cipher_free() - free the transform and wipe the key and nonce
 * @c: the cipher; may be all zeros (never initialised), may be freed
 *	already, and may be one whose ss_cipher_init() failed
 */
void ss_cipher_free(struct ss_cipher *c)
{
	if (c->tfm)
		crypto_free_aead(c->tfm);	/* wipes the keyed context */
	c->tfm = NULL;
	memzero_explicit(c->subkey, sizeof(c->subkey));
	memzero_explicit(c->nonce, sizeof(c->nonce));
}

/* The nonce is an unsigned little-endian integer over its whole width. */
static void ss_nonce_inc(u8 *nonce, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (++nonce[i])
			break;
}

/*
 * One AEAD operation through the crypto API over scatterlists, the first
 * @assoclen bytes of each being associated data (Shadowsocks has none;
 * the self-tests use it). @srclen counts the tag when opening. The wait
 * lives on the stack: an asynchronous implementation (the SIMD wrappers
 * defer to cryptd where the FPU is not usable) is waited for, which may
 * sleep. The request is allocated here rather than kept with the
 * transform: four per proxied connection (a direction each, both roles),
 * about 200 bytes each, that an idle connection would hold for nothing;
 * against one slab allocation per operation of up to 16 KiB of AES-GCM.
 */
static int ss_aead_crypt_sg(struct ss_cipher *c, struct scatterlist *src,
			    struct scatterlist *dst, unsigned int assoclen,
			    unsigned int srclen, bool seal)
{
	struct aead_request *req;
	DECLARE_CRYPTO_WAIT(wait);
	int err;

	might_sleep();
	req = aead_request_alloc(c->tfm, GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	aead_request_set_crypt(req, src, dst, srclen, c->nonce);
	aead_request_set_ad(req, assoclen);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				  CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &wait);
	if (seal)
		err = crypto_wait_req(crypto_aead_encrypt(req), &wait);
	else
		err = crypto_wait_req(crypto_aead_decrypt(req), &wait);
	aead_request_free(req);	/* kfree_sensitive(): its context held data */
	return err;
}

/*
 * The key and 96-bit nonce ChaCha20-Poly1305 runs under for @c's next
 * operation: @c's own for chacha20, derived by HChaCha20 for xchacha20.
 */
struct ss_chacha_op {
	u8 key[SS_CHACHAPOLY_KEY_LEN];
	u8 nonce[SS_CHACHAPOLY_NONCE_LEN];
};

static void ss_chacha_op_init(struct ss_chacha_op *op,
			      const struct ss_cipher *c)
{
	if (c->method->impl == SS_AEAD_XCHACHA) {
		ss_xchachapoly_key(op->key, op->nonce, c->subkey, c->nonce);
		return;
	}
	memcpy(op->key, c->subkey, sizeof(op->key));
	memcpy(op->nonce, c->nonce, sizeof(op->nonce));
}

/*
 * The same over linear buffers. @srclen counts the tag when opening,
 * @dstlen when sealing.
 */
static int ss_aead_crypt(struct ss_cipher *c, u8 *dst, const u8 *src,
			 unsigned int assoclen, unsigned int srclen,
			 unsigned int dstlen, bool seal)
{
	struct scatterlist sg_src, sg_dst;

	if (src == dst) {
		/* In place: one list over the longer of the two. */
		sg_init_one(&sg_dst, dst, assoclen + max(srclen, dstlen));
		return ss_aead_crypt_sg(c, &sg_dst, &sg_dst, assoclen, srclen,
					seal);
	}
	sg_init_one(&sg_src, src, assoclen + srclen);
	sg_init_one(&sg_dst, dst, assoclen + dstlen);
	return ss_aead_crypt_sg(c, &sg_src, &sg_dst, assoclen, srclen, seal);
}

/*
 * Scatterlists map a buffer through virt_to_page(), which only works on
 * the kernel's linear map: kmalloc() memory and page_address() of a page.
 * vmalloc() memory and the (virtually mapped) stack give a wrong page and
 * would corrupt unrelated memory, silently without CONFIG_DEBUG_SG, so
 * both are refused. The check is a few instructions against a cipher.
 */
static bool ss_buf_ok(const void *buf)
{
	return !WARN_ON_ONCE(!virt_addr_valid(buf));
}

/**
 * ss_cipher_seal() - encrypt and authenticate one message, no AAD
 * @c: the cipher
 * @dst: @len bytes of ciphertext, then the %SS_TAG_LEN-byte tag
 * @src: @len bytes of plaintext
 * @len: plaintext length, may be 0
 *
 * @dst may equal @src (in place; the buffer then has room for the tag) but
 * must not otherwise overlap it. Both must be linear-map memory (kmalloc(),
 * page_address()): not vmalloc() memory, not on the stack, not module
 * data. For the crypto API methods this may sleep (an asynchronous
 * implementation is waited for): process context only.
 *
 * The nonce advances after every operation, whatever its result: a
 * failed seal never lets the next one reuse its nonce.
 *
 * Return: 0; -EFAULT for a buffer outside the linear map (warns once);
 * -EMSGSIZE if @len does not fit the crypto API; -ENOMEM (crypto API
 * methods: no request); or the error of the implementation.
 */
int ss_cipher_seal(struct ss_cipher *c, u8 *dst, const u8 *src, size_t len)
{
	const struct ss_method_info *method = c->method;
	struct ss_chacha_op op;
	int err = 0;

	if (unlikely(len > UINT_MAX - SS_TAG_LEN))
		return -EMSGSIZE;
	if (unlikely(!ss_buf_ok(dst) || (len && !ss_buf_ok(src))))
		return -EFAULT;

	switch (method->impl) {
	case SS_AEAD_API:
		err = ss_aead_crypt(c, dst, src, 0, len, len + SS_TAG_LEN,
				    true);
		break;
	case SS_AEAD_CHACHA:
	case SS_AEAD_XCHACHA:
		ss_chacha_op_init(&op, c);
		ss_chachapoly_seal(dst, src, len, NULL, 0, op.nonce, op.key);
		memzero_explicit(&op, sizeof(op));
		break;
	default:
		/* nothing was sealed: never let the plaintext pass as sealed */
		WARN_ON_ONCE(1);
		err = -EINVAL;
		break;
	}
	ss_nonce_inc(c->nonce, method->nonce_len);
	return err;
}

/**
 * ss_cipher_open() - authenticate and decrypt one message, no AAD
 * @c: the cipher
 * @dst: @len - %SS_TAG_LEN bytes of plaintext
 * @src: @len bytes: ciphertext, then the tag
 * @len: sealed length, the tag included
 *
 * Buffers and context as for ss_cipher_seal(); @dst may equal @src.
 *
 * On any failure @dst is zeroed, so no unauthenticated plaintext can leak
 * (the crypto API's AES-GCM decrypts before it compares the tag); the
 * caller discards it anyway, and after -EBADMSG the stream is dead. The
 * nonce advances after every operation, whatever its result, so it always
 * counts the operations done, as the protocol defines it; calls refused
 * with -EINVAL, -EMSGSIZE or -EFAULT do no operation.
 *
 * Return: 0; -EBADMSG if authentication failed (and only then: callers
 * count it against the sender); -EINVAL if @len is shorter than a tag;
 * -EMSGSIZE, -EFAULT, -ENOMEM (crypto API methods: no request), or an
 * error of the implementation.
 */
int ss_cipher_open(struct ss_cipher *c, u8 *dst, const u8 *src, size_t len)
{
	const struct ss_method_info *method = c->method;
	struct ss_chacha_op op;
	int err = 0;

	if (unlikely(len < SS_TAG_LEN))
		return -EINVAL;
	if (unlikely(len > UINT_MAX))
		return -EMSGSIZE;
	if (unlikely(!ss_buf_ok(src) || (len > SS_TAG_LEN && !ss_buf_ok(dst))))
		return -EFAULT;

	switch (method->impl) {
	case SS_AEAD_API:
		err = ss_aead_crypt(c, dst, src, 0, len, len - SS_TAG_LEN,
				    false);
		break;
	case SS_AEAD_CHACHA:
	case SS_AEAD_XCHACHA:
		ss_chacha_op_init(&op, c);
		if (!ss_chachapoly_open_to(dst, src, len, op.nonce, op.key))
			err = -EBADMSG;
		memzero_explicit(&op, sizeof(op));
		break;
	default:
		WARN_ON_ONCE(1);
		err = -EINVAL;
		break;
	}
	ss_nonce_inc(c->nonce, method->nonce_len);
	if (unlikely(err))
		memset(dst, 0, len - SS_TAG_LEN);
	return err;
}

/**
 * ss_cipher_open_pieces() - authenticate and decrypt in place, in pieces
 * @c: the cipher
 * @pieces: the ciphertext: @piece_len bytes in each piece but the last,
 *	which holds the rest; replaced by the plaintext
 * @piece_len: bytes in every full piece
 * @len: ciphertext length, the tag not included; may be 0; at most
 *	%SS_OPEN_PIECES_MAX pieces
 * @tag: the %SS_TAG_LEN-byte tag, read only
 *
 * As ss_cipher_open() of the pieces and the tag laid end to end, without
 * their being contiguous: the relay keeps a chunk's payload in buffers of
 * 16 KiB (a 2022 chunk of 0xFFFF bytes in four of them) and its tag
 * beside them, rather than in one buffer that kmalloc() would round up to
 * a block of a costly order. Buffers and context as for ss_cipher_open();
 * on any failure the pieces are zeroed.
 *
 * Return: 0; -EBADMSG if authentication failed; -EMSGSIZE for more than
 * %SS_OPEN_PIECES_MAX pieces; -EINVAL for pieces of no length, or (more
 * than one) of a length not a multiple of CHACHA_BLOCK_SIZE; -EFAULT, or
 * an error of the implementation.
 */
int ss_cipher_open_pieces(struct ss_cipher *c, u8 *const *pieces,
			  size_t piece_len, size_t len, u8 *tag)
{
	const struct ss_method_info *method = c->method;
	struct scatterlist sg[SS_OPEN_PIECES_MAX + 1];
	struct ss_chacha_op op;
	unsigned int i, n;
	size_t left;
	int err = 0;

	if (unlikely(len && !piece_len))
		return -EINVAL;
	/* the same contract for every method: ChaCha20 counts whole blocks */
	if (unlikely(len > piece_len && piece_len % CHACHA_BLOCK_SIZE))
		return -EINVAL;
	n = len ? DIV_ROUND_UP(len, piece_len) : 0;
	if (unlikely(n > SS_OPEN_PIECES_MAX || len > UINT_MAX - SS_TAG_LEN))
		return -EMSGSIZE;
	if (unlikely(!ss_buf_ok(tag)))
		return -EFAULT;
	for (i = 0; i < n; i++)
		if (unlikely(!ss_buf_ok(pieces[i])))
			return -EFAULT;

	switch (method->impl) {
	case SS_AEAD_API:
		sg_init_table(sg, n + 1);
		for (i = 0, left = len; i < n; i++, left -= piece_len)
			sg_set_buf(&sg[i], pieces[i], min(left, piece_len));
		sg_set_buf(&sg[n], tag, SS_TAG_LEN);
		err = ss_aead_crypt_sg(c, sg, sg, 0, len + SS_TAG_LEN, false);
		break;
	case SS_AEAD_CHACHA:
	case SS_AEAD_XCHACHA:
		ss_chacha_op_init(&op, c);
		if (!ss_chachapoly_open(pieces, piece_len, len, tag, NULL, 0,
					op.nonce, op.key))
			err = -EBADMSG;
		memzero_explicit(&op, sizeof(op));
		break;
	default:
		WARN_ON_ONCE(1);
		err = -EINVAL;
		break;
	}
	ss_nonce_inc(c->nonce, method->nonce_len);
	if (unlikely(err))
		for (i = 0, left = len; i < n; i++, left -= piece_len)
			memset(pieces[i], 0, min(left, piece_len));
	return err;
}

/**
 * ss_cipher_open_split() - authenticate and decrypt in place, the tag apart
 * @c: the cipher
 * @buf: @len bytes of ciphertext, replaced by the plaintext
 * @len: ciphertext length, the tag not included; may be 0
 * @tag: the %SS_TAG_LEN-byte tag, read only
 *
 * ss_cipher_open_pieces() of one piece.
 *
 * Return: as ss_cipher_open_pieces().
 */
int ss_cipher_open_split(struct ss_cipher *c, u8 *buf, size_t len, u8 *tag)
{
	return ss_cipher_open_pieces(c, &buf, len, len, tag);
}

#include "selftest/cipher.c"
