// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer tests of cipher.c, run at load by debug builds: HKDF-SHA1
 * (RFC 5869 A.4-A.7), ChaCha20-Poly1305 with AAD (RFC 8439 2.8.2) through
 * chachapoly.c, which seals and opens for the chacha methods, whole and in
 * pieces, and each method's first TCP
 * chunk and UDP packet from protocol-vectors.json. The xchacha20 vector
 * comes from two implementations independent of this module (HChaCha20 by
 * hand plus Python cryptography's ChaCha20Poly1305, and libsodium), both
 * first checked against draft-irtf-cfrg-xchacha-03 A.3.1.
 */

#ifdef DEBUG

#include <crypto/aes.h>
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/shadowsocks.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "relay.h"
#include "check.h"

/* A whole sealed chunk: length, its tag, payload, its tag. */
#define SS_CHUNK_MAX	(2 + SS_TAG_LEN + SS_CHUNK_PAYLOAD_MAX + SS_TAG_LEN)

/* RFC 5869 A.4-A.7: inputs are runs of bytes, start + i * step */
struct ss_hkdf_vec {
	u8 ikm_start, ikm_step, ikm_len;
	u8 salt_start, salt_len;
	bool salt_absent;
	u8 info_start, info_len;
	u8 okm_len;
	u8 okm[82];
};

static const struct ss_hkdf_vec ss_hkdf_vecs[] __initconst = {
	{	/* A.4: basic test case with SHA-1 */
		.ikm_start = 0x0b, .ikm_step = 0, .ikm_len = 11,
		.salt_start = 0x00, .salt_len = 13,
		.info_start = 0xf0, .info_len = 10,
		.okm_len = 42,
		.okm = {
			0x08, 0x5a, 0x01, 0xea, 0x1b, 0x10, 0xf3, 0x69,
			0x33, 0x06, 0x8b, 0x56, 0xef, 0xa5, 0xad, 0x81,
			0xa4, 0xf1, 0x4b, 0x82, 0x2f, 0x5b, 0x09, 0x15,
			0x68, 0xa9, 0xcd, 0xd4, 0xf1, 0x55, 0xfd, 0xa2,
			0xc2, 0x2e, 0x42, 0x24, 0x78, 0xd3, 0x05, 0xf3,
			0xf8, 0x96,
		},
	},
	{	/* A.5: longer inputs and outputs (a salt above a block) */
		.ikm_start = 0x00, .ikm_step = 1, .ikm_len = 80,
		.salt_start = 0x60, .salt_len = 80,
		.info_start = 0xb0, .info_len = 80,
		.okm_len = 82,
		.okm = {
			0x0b, 0xd7, 0x70, 0xa7, 0x4d, 0x11, 0x60, 0xf7,
			0xc9, 0xf1, 0x2c, 0xd5, 0x91, 0x2a, 0x06, 0xeb,
			0xff, 0x6a, 0xdc, 0xae, 0x89, 0x9d, 0x92, 0x19,
			0x1f, 0xe4, 0x30, 0x56, 0x73, 0xba, 0x2f, 0xfe,
			0x8f, 0xa3, 0xf1, 0xa4, 0xe5, 0xad, 0x79, 0xf3,
			0xf3, 0x34, 0xb3, 0xb2, 0x02, 0xb2, 0x17, 0x3c,
			0x48, 0x6e, 0xa3, 0x7c, 0xe3, 0xd3, 0x97, 0xed,
			0x03, 0x4c, 0x7f, 0x9d, 0xfe, 0xb1, 0x5c, 0x5e,
			0x92, 0x73, 0x36, 0xd0, 0x44, 0x1f, 0x4c, 0x43,
			0x00, 0xe2, 0xcf, 0xf0, 0xd0, 0x90, 0x0b, 0x52,
			0xd3, 0xb4,
		},
	},
	{	/* A.6: zero-length salt and info */
		.ikm_start = 0x0b, .ikm_step = 0, .ikm_len = 22,
		.okm_len = 42,
		.okm = {
			0x0a, 0xc1, 0xaf, 0x70, 0x02, 0xb3, 0xd7, 0x61,
			0xd1, 0xe5, 0x52, 0x98, 0xda, 0x9d, 0x05, 0x06,
			0xb9, 0xae, 0x52, 0x05, 0x72, 0x20, 0xa3, 0x06,
			0xe0, 0x7b, 0x6b, 0x87, 0xe8, 0xdf, 0x21, 0xd0,
			0xea, 0x00, 0x03, 0x3d, 0xe0, 0x39, 0x84, 0xd3,
			0x49, 0x18,
		},
	},
	{	/* A.7: salt not provided (defaults to HashLen zeros) */
		.ikm_start = 0x0c, .ikm_step = 0, .ikm_len = 22,
		.salt_absent = true,
		.okm_len = 42,
		.okm = {
			0x2c, 0x91, 0x11, 0x72, 0x04, 0xd7, 0x45, 0xf3,
			0x50, 0x0d, 0x63, 0x6a, 0x62, 0xf6, 0x4f, 0x0a,
			0xb3, 0xba, 0xe5, 0x48, 0xaa, 0x53, 0xd4, 0x23,
			0xb0, 0xd1, 0xf2, 0x7e, 0xbb, 0xa6, 0xf5, 0xe5,
			0x67, 0x3a, 0x08, 0x1d, 0x70, 0xcc, 0xe7, 0xac,
			0xfc, 0x48,
		},
	},
};

static void __init ss_fill(u8 *buf, u8 start, u8 step, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		buf[i] = start + i * step;
}

static bool __init ss_selftest_hkdf(void)
{
	u8 ikm[80], salt[80], info[80], okm[82];
	bool ok = true;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(ss_hkdf_vecs); i++) {
		const struct ss_hkdf_vec *v = &ss_hkdf_vecs[i];

		ss_fill(ikm, v->ikm_start, v->ikm_step, v->ikm_len);
		ss_fill(salt, v->salt_start, 1, v->salt_len);
		ss_fill(info, v->info_start, 1, v->info_len);
		err = ss_hkdf_sha1(ikm, v->ikm_len,
				   v->salt_absent ? NULL : salt, v->salt_len,
				   info, v->info_len, okm, v->okm_len);
		SS_CHECK(!err && !memcmp(okm, v->okm, v->okm_len),
			 "HKDF-SHA1 RFC 5869 A.%u (%d)", i + 4, err);
	}
	err = ss_hkdf_sha1(ikm, 1, NULL, 0, NULL, 0, okm,
			   255 * SHA1_DIGEST_SIZE + 1);
	SS_CHECK(err == -EINVAL, "HKDF-SHA1 refuses L > 255 * HashLen (%d)",
		 err);
	return ok;
}

/* RFC 8439 2.8.2, through chachapoly.c with 12 bytes of AAD. */
static const u8 ss_rfc8439_key[] __initconst = {
	0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
	0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
	0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
	0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
};

static const u8 ss_rfc8439_nonce[] __initconst = {
	0x07, 0x00, 0x00, 0x00, 0x40, 0x41, 0x42, 0x43,
	0x44, 0x45, 0x46, 0x47,
};

static const u8 ss_rfc8439_aad[] __initconst = {
	0x50, 0x51, 0x52, 0x53, 0xc0, 0xc1, 0xc2, 0xc3,
	0xc4, 0xc5, 0xc6, 0xc7,
};

/*
 * "Ladies and Gentlemen of the class of '99: If I could offer you only
 * one tip for the future, sunscreen would be it."
 */
static const u8 ss_rfc8439_pt[] __initconst = {
	0x4c, 0x61, 0x64, 0x69, 0x65, 0x73, 0x20, 0x61,
	0x6e, 0x64, 0x20, 0x47, 0x65, 0x6e, 0x74, 0x6c,
	0x65, 0x6d, 0x65, 0x6e, 0x20, 0x6f, 0x66, 0x20,
	0x74, 0x68, 0x65, 0x20, 0x63, 0x6c, 0x61, 0x73,
	0x73, 0x20, 0x6f, 0x66, 0x20, 0x27, 0x39, 0x39,
	0x3a, 0x20, 0x49, 0x66, 0x20, 0x49, 0x20, 0x63,
	0x6f, 0x75, 0x6c, 0x64, 0x20, 0x6f, 0x66, 0x66,
	0x65, 0x72, 0x20, 0x79, 0x6f, 0x75, 0x20, 0x6f,
	0x6e, 0x6c, 0x79, 0x20, 0x6f, 0x6e, 0x65, 0x20,
	0x74, 0x69, 0x70, 0x20, 0x66, 0x6f, 0x72, 0x20,
	0x74, 0x68, 0x65, 0x20, 0x66, 0x75, 0x74, 0x75,
	0x72, 0x65, 0x2c, 0x20, 0x73, 0x75, 0x6e, 0x73,
	0x63, 0x72, 0x65, 0x65, 0x6e, 0x20, 0x77, 0x6f,
	0x75, 0x6c, 0x64, 0x20, 0x62, 0x65, 0x20, 0x69,
	0x74, 0x2e,
};

static const u8 ss_rfc8439_sealed[] __initconst = {
	0xd3, 0x1a, 0x8d, 0x34, 0x64, 0x8e, 0x60, 0xdb,
	0x7b, 0x86, 0xaf, 0xbc, 0x53, 0xef, 0x7e, 0xc2,
	0xa4, 0xad, 0xed, 0x51, 0x29, 0x6e, 0x08, 0xfe,
	0xa9, 0xe2, 0xb5, 0xa7, 0x36, 0xee, 0x62, 0xd6,
	0x3d, 0xbe, 0xa4, 0x5e, 0x8c, 0xa9, 0x67, 0x12,
	0x82, 0xfa, 0xfb, 0x69, 0xda, 0x92, 0x72, 0x8b,
	0x1a, 0x71, 0xde, 0x0a, 0x9e, 0x06, 0x0b, 0x29,
	0x05, 0xd6, 0xa5, 0xb6, 0x7e, 0xcd, 0x3b, 0x36,
	0x92, 0xdd, 0xbd, 0x7f, 0x2d, 0x77, 0x8b, 0x8c,
	0x98, 0x03, 0xae, 0xe3, 0x28, 0x09, 0x1b, 0x58,
	0xfa, 0xb3, 0x24, 0xe4, 0xfa, 0xd6, 0x75, 0x94,
	0x55, 0x85, 0x80, 0x8b, 0x48, 0x31, 0xd7, 0xbc,
	0x3f, 0xf4, 0xde, 0xf0, 0x8e, 0x4b, 0x7a, 0x9d,
	0xe5, 0x76, 0xd2, 0x65, 0x86, 0xce, 0xc6, 0x4b,
	0x61, 0x16, 0x1a, 0xe1, 0x0b, 0x59, 0x4f, 0x09,
	0xe2, 0x6a, 0x7e, 0x90, 0x2e, 0xcb, 0xd0, 0x60,
	0x06, 0x91,
};

#define SS_RFC8439_PT_LEN sizeof(ss_rfc8439_pt)
static_assert(sizeof(ss_rfc8439_sealed) == SS_RFC8439_PT_LEN + SS_TAG_LEN);

static bool __init ss_selftest_rfc8439(u8 *buf)
{
	const unsigned int aad = sizeof(ss_rfc8439_aad);
	const size_t len = SS_RFC8439_PT_LEN;
	u8 *pieces[3], tag[SS_TAG_LEN];
	bool ok = true;

	ss_chachapoly_seal(buf, ss_rfc8439_pt, len, ss_rfc8439_aad, aad,
			   ss_rfc8439_nonce, ss_rfc8439_key);
	SS_CHECK(!memcmp(buf, ss_rfc8439_sealed, sizeof(ss_rfc8439_sealed)),
		 "RFC 8439 2.8.2 seal");
	memcpy(tag, buf + len, SS_TAG_LEN);
	SS_CHECK(ss_chachapoly_open(&buf, len, len, tag, ss_rfc8439_aad, aad,
				    ss_rfc8439_nonce, ss_rfc8439_key) &&
		 !memcmp(buf, ss_rfc8439_pt, len),
		 "RFC 8439 2.8.2 open");

	/* in pieces of one block: the counter runs on across them */
	memcpy(buf, ss_rfc8439_sealed, len);
	pieces[0] = buf;
	pieces[1] = buf + CHACHA_BLOCK_SIZE;
	SS_CHECK(ss_chachapoly_open(pieces, CHACHA_BLOCK_SIZE, len, tag,
				    ss_rfc8439_aad, aad, ss_rfc8439_nonce,
				    ss_rfc8439_key) &&
		 !memcmp(buf, ss_rfc8439_pt, len),
		 "RFC 8439 2.8.2 open, in pieces of 64 bytes");

	/* the associated data is authenticated; a refusal leaves all as it was */
	memcpy(buf, ss_rfc8439_sealed, len);
	memcpy(buf + len + 64, ss_rfc8439_aad, aad);
	buf[len + 64] ^= 1;
	SS_CHECK(!ss_chachapoly_open(&buf, len, len, tag, buf + len + 64, aad,
				     ss_rfc8439_nonce, ss_rfc8439_key) &&
		 !memcmp(buf, ss_rfc8439_sealed, len),
		 "RFC 8439 2.8.2, other associated data: refused, untouched");
	/* pieces the counter cannot run across are refused */
	pieces[1] = buf + 60;
	pieces[2] = buf + 120;
	SS_CHECK(!ss_chachapoly_open(pieces, 60, len, tag, ss_rfc8439_aad, aad,
				     ss_rfc8439_nonce, ss_rfc8439_key),
		 "pieces of 60 bytes refused");
	return ok;
}

/*
 * protocol-vectors.json: the salt is 00 01 02 ..., the TCP chunk seals the
 * length 0x0005 (nonce 0) then "hello" (nonce 1), the UDP packet seals
 * "hello" (nonce 0). The salt is left out of .tcp and .udp.
 */
struct ss_kat_vec {
	u32 method;
	u8 master[32];
	u8 subkey[32];
	u8 tcp[2 + SS_TAG_LEN + 5 + SS_TAG_LEN];
	u8 udp[5 + SS_TAG_LEN];
};

static const struct ss_kat_vec ss_kat_vecs[] __initconst = {
	{
		/* aes-128-gcm */
		.method = SS_METHOD_AES_128_GCM,
		.master = {
			0xb3, 0xad, 0xc4, 0x78, 0x39, 0xe0, 0x47, 0xeb,
			0x22, 0x88, 0x70, 0x52, 0x6d, 0xc8, 0xfc, 0x30,
		},
		.subkey = {
			0x9c, 0xd2, 0x1f, 0xb8, 0x90, 0xa5, 0x7f, 0xbe,
			0x98, 0x65, 0x3c, 0xba, 0xdd, 0x4d, 0x04, 0x7c,
		},
		.tcp = {
			0x6f, 0x51, 0x6d, 0xe5, 0xfb, 0x51, 0x21, 0x99,
			0x59, 0x82, 0x0f, 0xba, 0x2f, 0xba, 0xa7, 0x06,
			0x0c, 0xf6, 0xe8, 0xa5, 0x3f, 0x65, 0xd1, 0x82,
			0xc3, 0xe7, 0xfd, 0xb6, 0x07, 0x57, 0xcc, 0x6d,
			0xe4, 0xa5, 0x43, 0x67, 0xcb, 0x74, 0xa8,
		},
		.udp = {
			0x07, 0x31, 0xea, 0xd6, 0x12, 0x20, 0x54, 0xec,
			0xc7, 0x91, 0xe3, 0xed, 0x04, 0x0b, 0xcd, 0xaa,
			0x78, 0xf6, 0x9d, 0x2a, 0x80,
		},
	},
	{
		/* aes-256-gcm */
		.method = SS_METHOD_AES_256_GCM,
		.master = {
			0xb3, 0xad, 0xc4, 0x78, 0x39, 0xe0, 0x47, 0xeb,
			0x22, 0x88, 0x70, 0x52, 0x6d, 0xc8, 0xfc, 0x30,
			0xb3, 0x47, 0x28, 0x7f, 0xfc, 0xa3, 0x04, 0x5d,
			0xce, 0xa0, 0x6b, 0x3f, 0xdf, 0x09, 0x0a, 0xcb,
		},
		.subkey = {
			0x6e, 0x62, 0xf4, 0x11, 0x74, 0xd7, 0x87, 0x9f,
			0xfe, 0xa2, 0x69, 0xeb, 0xf7, 0x80, 0x5b, 0x73,
			0x0f, 0x62, 0x00, 0x2e, 0x2b, 0x46, 0x1f, 0x4d,
			0xcb, 0x2a, 0x21, 0xdf, 0xb6, 0xf6, 0x42, 0x3e,
		},
		.tcp = {
			0xfe, 0x32, 0xaf, 0xeb, 0x1b, 0x6b, 0x5a, 0xfe,
			0xe4, 0x95, 0x34, 0x44, 0xc7, 0x34, 0x46, 0x75,
			0x14, 0xfd, 0xb6, 0xf5, 0xcc, 0x0f, 0x03, 0x3f,
			0x51, 0x09, 0x73, 0xcd, 0x30, 0x78, 0x5b, 0x47,
			0x6c, 0x59, 0xf5, 0xb4, 0x78, 0x47, 0xc9,
		},
		.udp = {
			0x96, 0x52, 0xce, 0xd2, 0x57, 0xe0, 0xac, 0x29,
			0xcf, 0x1e, 0x87, 0x0b, 0x49, 0xd6, 0xa7, 0x19,
			0xc9, 0x07, 0xc9, 0x5e, 0x3b,
		},
	},
	{
		/* chacha20-ietf-poly1305 */
		.method = SS_METHOD_CHACHA20_IETF_POLY1305,
		.master = {
			0xb3, 0xad, 0xc4, 0x78, 0x39, 0xe0, 0x47, 0xeb,
			0x22, 0x88, 0x70, 0x52, 0x6d, 0xc8, 0xfc, 0x30,
			0xb3, 0x47, 0x28, 0x7f, 0xfc, 0xa3, 0x04, 0x5d,
			0xce, 0xa0, 0x6b, 0x3f, 0xdf, 0x09, 0x0a, 0xcb,
		},
		.subkey = {
			0x6e, 0x62, 0xf4, 0x11, 0x74, 0xd7, 0x87, 0x9f,
			0xfe, 0xa2, 0x69, 0xeb, 0xf7, 0x80, 0x5b, 0x73,
			0x0f, 0x62, 0x00, 0x2e, 0x2b, 0x46, 0x1f, 0x4d,
			0xcb, 0x2a, 0x21, 0xdf, 0xb6, 0xf6, 0x42, 0x3e,
		},
		.tcp = {
			0xa0, 0x2a, 0x78, 0x67, 0xf0, 0x72, 0x52, 0x60,
			0xf5, 0x42, 0xfb, 0x1f, 0xfd, 0x40, 0x7f, 0x07,
			0xa6, 0x0c, 0x26, 0xd7, 0x6e, 0xe1, 0x3a, 0x69,
			0x2c, 0xab, 0xd0, 0x5d, 0x0c, 0x89, 0xb3, 0x63,
			0x6c, 0x1e, 0xc8, 0xc0, 0xea, 0xb3, 0x47,
		},
		.udp = {
			0xc8, 0x4a, 0xc8, 0x91, 0x35, 0x04, 0x23, 0x15,
			0xcf, 0x77, 0x2e, 0xbd, 0xb0, 0xfb, 0x97, 0xde,
			0x52, 0xb8, 0x45, 0x80, 0x24,
		},
	},
	{
		/* xchacha20-ietf-poly1305 */
		.method = SS_METHOD_XCHACHA20_IETF_POLY1305,
		.master = {
			0xb3, 0xad, 0xc4, 0x78, 0x39, 0xe0, 0x47, 0xeb,
			0x22, 0x88, 0x70, 0x52, 0x6d, 0xc8, 0xfc, 0x30,
			0xb3, 0x47, 0x28, 0x7f, 0xfc, 0xa3, 0x04, 0x5d,
			0xce, 0xa0, 0x6b, 0x3f, 0xdf, 0x09, 0x0a, 0xcb,
		},
		.subkey = {
			0x6e, 0x62, 0xf4, 0x11, 0x74, 0xd7, 0x87, 0x9f,
			0xfe, 0xa2, 0x69, 0xeb, 0xf7, 0x80, 0x5b, 0x73,
			0x0f, 0x62, 0x00, 0x2e, 0x2b, 0x46, 0x1f, 0x4d,
			0xcb, 0x2a, 0x21, 0xdf, 0xb6, 0xf6, 0x42, 0x3e,
		},
		.tcp = {
			0x19, 0xb5, 0x7c, 0xea, 0xae, 0x1b, 0x00, 0xf3,
			0xef, 0xf1, 0x54, 0x9f, 0xae, 0x61, 0x5b, 0x59,
			0xb3, 0xdd, 0xcb, 0x1c, 0x82, 0xf0, 0x45, 0x40,
			0x6e, 0x27, 0x0f, 0x70, 0x89, 0x80, 0xd5, 0xb7,
			0xd1, 0x93, 0x94, 0xbd, 0x2f, 0xc7, 0x4b,
		},
		.udp = {
			0x71, 0xd5, 0xfd, 0x90, 0x3e, 0x81, 0x73, 0x3b,
			0x03, 0xad, 0x25, 0xf6, 0xcf, 0x8a, 0x8e, 0xe7,
			0xf2, 0x56, 0xa0, 0x41, 0xdd,
		},
	},
};

#define SS_TCP_LEN_SEALED (2 + SS_TAG_LEN)
#define SS_TCP_SEALED (2 + SS_TAG_LEN + 5 + SS_TAG_LEN)
#define SS_UDP_SEALED (5 + SS_TAG_LEN)

/*
 * @buf is kmalloc()ed scratch space (512 bytes used here), all the buffers
 * seal and open see: module data is vmalloc()ed, no scatterlist can use it.
 */
static bool __init ss_selftest_vec(const struct ss_kat_vec *v, u8 *buf)
{
	const struct ss_method_info *m = ss_method_get(v->method);
	u8 *salt = buf, *in = buf + 64, *out = buf + 128, *pt = buf + 256;
	struct ss_cipher c, r;
	bool ok = true;
	int err, err2;

	memset(&r, 0, sizeof(r));
	ss_fill(salt, 0, 1, m->salt_len);
	err = ss_cipher_init(&c, m, v->master, salt);
	SS_CHECK(!err, "%s: init (%d)", m->name, err);
	if (err)
		return false;
	SS_CHECK(!memcmp(c.subkey, v->subkey, m->key_len), "%s: subkey",
		 m->name);

	/* first TCP chunk: length out of place, payload in place */
	in[0] = 0x00;
	in[1] = 0x05;
	err = ss_cipher_seal(&c, out, in, 2);
	memcpy(out + SS_TCP_LEN_SEALED, "hello", 5);
	err = err ?: ss_cipher_seal(&c, out + SS_TCP_LEN_SEALED,
				    out + SS_TCP_LEN_SEALED, 5);
	SS_CHECK(!err && !memcmp(out, v->tcp, SS_TCP_SEALED),
		 "%s: tcp_first_chunk (%d)", m->name, err);
	SS_CHECK(c.nonce[0] == 2 && !memchr_inv(c.nonce + 1, 0,
						sizeof(c.nonce) - 1),
		 "%s: nonce is 2 after two seals", m->name);

	/* the other end: length in place, payload out of place */
	err = ss_cipher_init(&r, m, v->master, salt);
	memcpy(in, v->tcp, SS_TCP_SEALED);
	err = err ?: ss_cipher_open(&r, in, in, SS_TCP_LEN_SEALED);
	SS_CHECK(!err && in[0] == 0x00 && in[1] == 0x05,
		 "%s: open the length (%d)", m->name, err);
	err = err ?: ss_cipher_open(&r, pt, in + SS_TCP_LEN_SEALED,
				    5 + SS_TAG_LEN);
	SS_CHECK(!err && !memcmp(pt, "hello", 5),
		 "%s: open the payload (%d)", m->name, err);
	ss_cipher_free(&r);

	/* tampering: one flipped bit, in the ciphertext or in the tag */
	err = ss_cipher_init(&r, m, v->master, salt);
	memcpy(in, v->tcp, SS_TCP_SEALED);
	in[0] ^= 0x01;
	err = err ?: ss_cipher_open(&r, pt, in, SS_TCP_LEN_SEALED);
	SS_CHECK(err == -EBADMSG && !pt[0] && !pt[1],
		 "%s: flipped ciphertext bit refused, output wiped (%d)",
		 m->name, err);
	ss_cipher_free(&r);
	err = ss_cipher_init(&r, m, v->master, salt);
	memcpy(in, v->tcp, SS_TCP_SEALED);
	in[SS_TCP_LEN_SEALED - 1] ^= 0x80;
	err = err ?: ss_cipher_open(&r, in, in, SS_TCP_LEN_SEALED);
	SS_CHECK(err == -EBADMSG, "%s: flipped tag bit refused (%d)",
		 m->name, err);
	ss_cipher_free(&r);

	/* chunks opened out of order use the wrong nonce */
	err = ss_cipher_init(&r, m, v->master, salt);
	memcpy(in, v->tcp, SS_TCP_SEALED);
	err = err ?: ss_cipher_open(&r, pt, in + SS_TCP_LEN_SEALED,
				    5 + SS_TAG_LEN);
	SS_CHECK(err == -EBADMSG, "%s: payload under nonce 0 refused (%d)",
		 m->name, err);
	ss_cipher_free(&r);

	/*
	 * UDP: a new session per packet, nonce zero, in place; the sender
	 * rekeys its cipher (which sealed two messages under another salt),
	 * the receiver starts a fresh one.
	 */
	salt[0] ^= 0xff;
	err = ss_cipher_rekey(&c, v->master, salt);
	salt[0] ^= 0xff;
	err = err ?: ss_cipher_seal(&c, out, out, 5);
	err = err ?: ss_cipher_rekey(&c, v->master, salt);
	SS_CHECK(!err && !c.nonce[0] &&
		 !memcmp(c.subkey, v->subkey, m->key_len),
		 "%s: rekey (%d)", m->name, err);
	memcpy(out, "hello", 5);
	err = err ?: ss_cipher_seal(&c, out, out, 5);
	SS_CHECK(!err && !memcmp(out, v->udp, SS_UDP_SEALED),
		 "%s: udp_packet (%d)", m->name, err);
	err2 = ss_cipher_init(&r, m, v->master, salt);
	err2 = err2 ?: ss_cipher_open(&r, out, out, SS_UDP_SEALED);
	SS_CHECK(!err2 && !memcmp(out, "hello", 5), "%s: open udp_packet (%d)",
		 m->name, err2);

	/* free is idempotent and wipes */
	ss_cipher_free(&r);
	ss_cipher_free(&r);
	ss_cipher_free(&c);
	SS_CHECK(!c.tfm && !memchr_inv(c.subkey, 0, sizeof(c.subkey)),
		 "%s: free wipes", m->name);
	return ok;
}

/*
 * Every method, random key and salt: empty and odd-sized messages, opened
 * in one piece and with the tag apart (as the relay's receive side opens
 * payloads); a flipped tag bit fails either way and leaves zeros.
 */
static bool __init ss_selftest_roundtrip(u32 id, u8 *buf)
{
	const struct ss_method_info *m = ss_method_get(id);
	u8 *key = buf, *salt = buf + 32, *msg = buf + 64;
	u8 *ct = msg + SS_CHUNK_MAX, *tag = ct + SS_CHUNK_MAX;
	static const unsigned int lens[] __initconst = { 0, 1, 15, 16, 17, 255,
							  SS_CHUNK_PAYLOAD_MAX };
	struct ss_cipher c, r;
	unsigned int i;
	bool ok = true;
	int err;

	get_random_bytes(key, 64);
	err = ss_cipher_init(&c, m, key, salt);
	if (!err) {
		err = ss_cipher_init(&r, m, key, salt);
		if (err)
			ss_cipher_free(&c);
	}
	SS_CHECK(!err, "%s: init (%d)", m->name, err);
	if (err)
		return false;
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		get_random_bytes(msg, lens[i]);
		err = ss_cipher_seal(&c, ct, msg, lens[i]) ?:
		      ss_cipher_open(&r, ct, ct, lens[i] + SS_TAG_LEN);
		SS_CHECK(!err && !memcmp(ct, msg, lens[i]),
			 "%s: round trip of %u bytes (%d)", m->name, lens[i],
			 err);

		err = ss_cipher_seal(&c, ct, msg, lens[i]);
		memcpy(tag, ct + lens[i], SS_TAG_LEN);
		memset(ct + lens[i], 0, SS_TAG_LEN);
		err = err ?: ss_cipher_open_split(&r, ct, lens[i], tag);
		SS_CHECK(!err && !memcmp(ct, msg, lens[i]),
			 "%s: round trip of %u bytes, tag apart (%d)", m->name,
			 lens[i], err);

		err = ss_cipher_seal(&c, ct, msg, lens[i]);
		memcpy(tag, ct + lens[i], SS_TAG_LEN);
		tag[i] ^= 0x10;
		err = err ?: ss_cipher_open_split(&r, ct, lens[i], tag);
		SS_CHECK(err == -EBADMSG && !memchr_inv(ct, 0, lens[i]),
			 "%s: %u bytes, tag apart and altered: refused, zeroed (%d)",
			 m->name, lens[i], err);
	}
	ss_cipher_free(&r);
	ss_cipher_free(&c);
	return ok;
}

/*
 * A 2022 chunk's largest payload, 0xFFFF bytes, sealed in one buffer and
 * opened in the relay's four 16 KiB pieces, for each method; a flipped
 * bit in the last piece fails and zeroes every piece; five pieces are
 * refused before any operation.
 */
static bool __init ss_selftest_pieces(u32 id)
{
	const struct ss_method_info *m = ss_method_get(id);
	const size_t len = 0xFFFF, piece = SZ_16K;
	u8 *pieces[SS_OPEN_PIECES_MAX] = {}, key[32], salt[32];
	u8 *msg, *ct = NULL, *tag = NULL;
	struct ss_cipher c, r;
	bool ok = true, zero = true;
	unsigned int i;
	int err = -ENOMEM;

	msg = kmalloc(len, GFP_KERNEL);
	ct = kmalloc(len + SS_TAG_LEN, GFP_KERNEL);
	tag = kmalloc(SS_TAG_LEN, GFP_KERNEL);
	for (i = 0; i < SS_OPEN_PIECES_MAX; i++)
		pieces[i] = kmalloc(piece, GFP_KERNEL);
	if (!msg || !ct || !tag || !pieces[SS_OPEN_PIECES_MAX - 1])
		goto out;
	get_random_bytes(key, sizeof(key));
	get_random_bytes(salt, sizeof(salt));
	get_random_bytes(msg, len);
	err = ss_cipher_init(&c, m, key, salt);
	if (err)
		goto out;
	err = ss_cipher_init(&r, m, key, salt);
	if (err) {
		ss_cipher_free(&c);
		goto out;
	}

	err = ss_cipher_seal(&c, ct, msg, len);
	for (i = 0; i < SS_OPEN_PIECES_MAX; i++)
		memcpy(pieces[i], ct + i * piece, min(piece, len - i * piece));
	memcpy(tag, ct + len, SS_TAG_LEN);
	err = err ?: ss_cipher_open_pieces(&r, pieces, piece, len, tag);
	for (i = 0; i < SS_OPEN_PIECES_MAX; i++)
		ok &= !memcmp(pieces[i], msg + i * piece,
			      min(piece, len - i * piece));
	SS_CHECK(!err && ok, "%s: 0xFFFF bytes opened in four pieces (%d)",
		 m->name, err);

	err = ss_cipher_seal(&c, ct, msg, len);
	for (i = 0; i < SS_OPEN_PIECES_MAX; i++)
		memcpy(pieces[i], ct + i * piece, min(piece, len - i * piece));
	memcpy(tag, ct + len, SS_TAG_LEN);
	pieces[3][100] ^= 1;
	err = err ?: ss_cipher_open_pieces(&r, pieces, piece, len, tag);
	for (i = 0; i < SS_OPEN_PIECES_MAX; i++)
		zero &= !memchr_inv(pieces[i], 0, min(piece, len - i * piece));
	SS_CHECK(err == -EBADMSG && zero,
		 "%s: a piece altered: refused, every piece zeroed (%d)",
		 m->name, err);

	err = ss_cipher_open_pieces(&r, pieces, piece / 2, len, tag);
	SS_CHECK(err == -EMSGSIZE, "%s: eight pieces refused (%d)", m->name,
		 err);
	err = 0;
	ss_cipher_free(&r);
	ss_cipher_free(&c);
out:
	SS_CHECK(!err, "%s: pieces test set up (%d)", m->name, err);
	for (i = 0; i < SS_OPEN_PIECES_MAX; i++)
		kfree(pieces[i]);
	kfree(tag);
	kfree(ct);
	kfree(msg);
	return ok;
}

/*
 * The nonce is little-endian over its whole width: 255 + 1 carries into
 * the second byte; a 12-byte nonce wraps to zero without touching the
 * bytes beyond it; a 24-byte one carries past byte 11.
 */
static bool __init ss_selftest_nonce(u8 *buf)
{
	const struct ss_method_info *m;
	u8 zero[32] = {}, n[SS_NONCE_MAX_LEN];
	struct ss_cipher c;
	bool ok = true;
	int err;

	memset(n, 0, sizeof(n));
	n[0] = 0xff;
	ss_nonce_inc(n, 12);
	SS_CHECK(n[0] == 0x00 && n[1] == 0x01 && !memchr_inv(n + 2, 0, 22),
		 "nonce 255 + 1 = 256");

	memset(n, 0xff, 12);
	memset(n + 12, 0xaa, 12);
	ss_nonce_inc(n, 12);
	SS_CHECK(!memchr_inv(n, 0, 12) && !memchr_inv(n + 12, 0xaa, 12),
		 "12-byte nonce wraps within its width");

	memset(n, 0xff, 12);
	memset(n + 12, 0, 12);
	ss_nonce_inc(n, 24);
	SS_CHECK(!memchr_inv(n, 0, 12) && n[12] == 0x01 &&
		 !memchr_inv(n + 13, 0, 11),
		 "24-byte nonce carries past byte 11");

	/* seal advances it the same way, also when open fails */
	m = ss_method_get(SS_METHOD_AES_128_GCM);
	err = ss_cipher_init(&c, m, zero, zero);
	SS_CHECK(!err, "aes-128-gcm init (%d)", err);
	if (err)
		return false;
	c.nonce[0] = 0xff;
	err = ss_cipher_seal(&c, buf, buf, 16);
	SS_CHECK(!err && c.nonce[0] == 0x00 && c.nonce[1] == 0x01,
		 "seal advances the nonce 255 -> 256 (%d)", err);
	memset(buf, 0, 32);
	err = ss_cipher_open(&c, buf, buf, 32);
	SS_CHECK(err == -EBADMSG && c.nonce[0] == 0x01 && c.nonce[1] == 0x01,
		 "a failed open advances the nonce too (%d)", err);
	err = ss_cipher_open(&c, buf, buf, SS_TAG_LEN - 1);
	SS_CHECK(err == -EINVAL && c.nonce[0] == 0x01,
		 "open shorter than a tag refused, nonce kept (%d)", err);
	ss_cipher_free(&c);
	return ok;
}

/*
 * Shadowsocks 2022 (protocol-vectors.json, "2022-blake3-aes-128-gcm" and
 * "2022-blake3-chacha20-poly1305"): the session subkey of BLAKE3, a TCP
 * request's salt and two header chunks; a UDP packet's separate header
 * (AES under the PSK), its session subkey (salted with the session ID) and
 * body (the nonce from the separate header); a chacha UDP packet (under the
 * PSK itself, the nonce in front). The methods are the test's own: the
 * relay does not offer 2022 methods yet.
 */
static const struct ss_method_info ss_st_2022_aes128 __initconst = {
	.name = "2022-blake3-aes-128-gcm", .aead = "gcm(aes)",
	.key_len = 16, .salt_len = 16, .nonce_len = 12, .tag_len = 16,
	.kdf = SS_KDF_BLAKE3,
};

static const struct ss_method_info ss_st_2022_xchacha __initconst = {
	.name = "2022-blake3-chacha20-poly1305 (UDP)",
	.impl = SS_AEAD_XCHACHA,
	.key_len = 32, .salt_len = 0, .nonce_len = 24, .tag_len = 16,
	.kdf = SS_KDF_NONE,
};

static const char ss_st_2022_psk[] __initconst =
	"000102030405060708090a0b0c0d0e0f";

static const char ss_st_2022_salt[] __initconst =
	"101112131415161718191a1b1c1d1e1f";

static const char ss_st_2022_subkey[] __initconst =
	"bc32fb8d5205f7b84f9691dfb9f04ff3";

static const char ss_st_2022_fixed[] __initconst =
	"00000000006553f1000016";

static const char ss_st_2022_var[] __initconst =
	"030b6578616d706c652e636f6d0050000068656c6c6f";

static const char ss_st_2022_tcp[] __initconst =
	"101112131415161718191a1b1c1d1e1ff62b42ac395d4aead07a65d094718609"
	"19e806ee8ea58821dd5f47e19e0c3dc0253175322489f04f23b87d6f54e5b977"
	"92b3b12edd78cdd72072ddc7b2219556cc";

static const char ss_st_2022_sep[] __initconst =
	"01020304050607080000000000000000";

static const char ss_st_2022_sep_enc[] __initconst =
	"18ba69bb4661fee5a7cc9ec1a731e278";

static const char ss_st_2022_udp_subkey[] __initconst =
	"b8473b44792f673ee36a405dfa755cc4";

static const char ss_st_2022_udp_body[] __initconst =
	"00000000006553f1000000017f00000100356869";

static const char ss_st_2022_udp[] __initconst =
	"18ba69bb4661fee5a7cc9ec1a731e2780f887748f59fbaddc74035aa8ff89041"
	"19109376f5135245d9b3bf78f6fdffa4c7affa7b";

static const char ss_st_2022_chacha_psk[] __initconst =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static const char ss_st_2022_chacha_nonce[] __initconst =
	"404142434445464748494a4b4c4d4e4f5051525354555657";

static const char ss_st_2022_chacha_plain[] __initconst =
	"0102030405060708000000000000000000000000006553f1000000017f000001"
	"00356869";

static const char ss_st_2022_chacha_udp[] __initconst =
	"404142434445464748494a4b4c4d4e4f5051525354555657d53b0674d5e67e1e"
	"8ff487beaf9c659292baadc4133c006b6a31fd447604239116cc6a071bc8399e"
	"151cf16bccbebd120200f58c";
/* Decode @hex into @dst; its length, or 0 if it is not hex. */
static size_t __init ss_st_unhex(u8 *dst, const char *hex)
{
	size_t len = strlen(hex) / 2;

	return hex2bin(dst, hex, len) ? 0 : len;
}

/* Is @got the bytes of @hex? @tmp is scratch room as long. */
static bool __init ss_st_is(const u8 *got, size_t len, const char *hex,
			    u8 *tmp)
{
	return ss_st_unhex(tmp, hex) == len && !memcmp(got, tmp, len);
}

static bool __init ss_selftest_sip022(u8 *buf)
{
	u8 *psk = buf, *want = buf + 64, *pkt = buf + 256, *tmp = buf + 512;
	size_t salt_len, fixed_len, var_len, sep_len, body_len;
	struct crypto_aes_ctx aes;
	struct ss_cipher c, r;
	bool ok = true;
	u8 *p;

	/* TCP: salt, fixed header chunk (nonce 0), variable one (nonce 1) */
	ss_st_unhex(psk, ss_st_2022_psk);
	salt_len = ss_st_unhex(pkt, ss_st_2022_salt);
	SS_CHECK(!ss_cipher_init(&c, &ss_st_2022_aes128, psk, pkt) &&
		 ss_st_is(c.subkey, 16, ss_st_2022_subkey, tmp),
		 "SIP022 TCP session subkey");
	p = pkt + salt_len;
	fixed_len = ss_st_unhex(p, ss_st_2022_fixed);
	SS_CHECK(!ss_cipher_seal(&c, p, p, fixed_len),
		 "SIP022 TCP: seal the fixed header");
	p += fixed_len + SS_TAG_LEN;
	var_len = ss_st_unhex(p, ss_st_2022_var);
	SS_CHECK(!ss_cipher_seal(&c, p, p, var_len),
		 "SIP022 TCP: seal the variable header");
	p += var_len + SS_TAG_LEN;
	SS_CHECK(ss_st_is(pkt, p - pkt, ss_st_2022_tcp, tmp),
		 "SIP022 TCP request: salt and header chunks");
	ss_cipher_free(&c);

	/* ...and opened again, by the server's side */
	p = pkt + salt_len;
	SS_CHECK(!ss_cipher_init(&r, &ss_st_2022_aes128, psk, pkt) &&
		 !ss_cipher_open(&r, p, p, fixed_len + SS_TAG_LEN) &&
		 ss_st_is(p, fixed_len, ss_st_2022_fixed, tmp) &&
		 !ss_cipher_open(&r, p + fixed_len + SS_TAG_LEN,
				 p + fixed_len + SS_TAG_LEN,
				 var_len + SS_TAG_LEN) &&
		 ss_st_is(p + fixed_len + SS_TAG_LEN, var_len, ss_st_2022_var,
			  tmp),
		 "SIP022 TCP request opened");
	ss_cipher_free(&r);

	/* UDP, AES: the separate header under the PSK, the body under the
	 * session's subkey with the separate header's last 12 bytes as nonce
	 */
	sep_len = ss_st_unhex(want, ss_st_2022_sep);
	if (aes_expandkey(&aes, psk, 16)) {
		SS_CHECK(false, "SIP022 UDP: AES key of the separate header");
		return ok;
	}
	aes_encrypt(&aes, pkt, want);
	memzero_explicit(&aes, sizeof(aes));
	SS_CHECK(sep_len == AES_BLOCK_SIZE &&
		 ss_st_is(pkt, sep_len, ss_st_2022_sep_enc, tmp),
		 "SIP022 UDP separate header");
	p = pkt + sep_len;
	body_len = ss_st_unhex(p, ss_st_2022_udp_body);
	SS_CHECK(!ss_cipher_init(&c, &ss_st_2022_aes128, psk, pkt) &&
		 !ss_cipher_rekey_salt(&c, psk, want, 8) &&
		 ss_st_is(c.subkey, 16, ss_st_2022_udp_subkey, tmp),
		 "SIP022 UDP session subkey (salted with the session ID)");
	ss_cipher_set_nonce(&c, want + 4);
	SS_CHECK(!ss_cipher_seal(&c, p, p, body_len) &&
		 ss_st_is(pkt, sep_len + body_len + SS_TAG_LEN, ss_st_2022_udp,
			  tmp),
		 "SIP022 UDP packet, AES");
	ss_cipher_free(&c);

	/* UDP, chacha: XChaCha20-Poly1305 under the PSK, the nonce in front */
	ss_st_unhex(psk, ss_st_2022_chacha_psk);
	ss_st_unhex(pkt, ss_st_2022_chacha_nonce);
	p = pkt + SS_XCHACHAPOLY_NONCE_LEN;
	body_len = ss_st_unhex(p, ss_st_2022_chacha_plain);
	SS_CHECK(!ss_cipher_init(&c, &ss_st_2022_xchacha, psk, NULL),
		 "SIP022 UDP, chacha: the cipher");
	ss_cipher_set_nonce(&c, pkt);
	SS_CHECK(!ss_cipher_seal(&c, p, p, body_len) &&
		 ss_st_is(pkt, SS_XCHACHAPOLY_NONCE_LEN + body_len +
			  SS_TAG_LEN, ss_st_2022_chacha_udp, tmp),
		 "SIP022 UDP packet, chacha");
	ss_cipher_free(&c);
	memzero_explicit(buf, 64);
	return ok;
}

/**
 * ss_cipher_selftest() - known-answer tests of HKDF, the AEADs and seal/open
 *
 * Prints each failure as "crypto self-tests: FAIL ...".
 *
 * Return: true if all passed.
 */
bool __init ss_cipher_selftest(void)
{
	struct ss_cipher zeroed;
	unsigned int i;
	bool ok = true;
	u8 *buf;

	buf = kmalloc(2 * SS_CHUNK_MAX + 64 + SS_TAG_LEN, GFP_KERNEL);
	if (!buf)
		return false;

	memset(&zeroed, 0, sizeof(zeroed));
	ss_cipher_free(&zeroed);	/* never initialised: a no-op */

	ok &= ss_selftest_hkdf();
	ok &= ss_selftest_rfc8439(buf);
	for (i = 0; i < ARRAY_SIZE(ss_kat_vecs); i++)
		ok &= ss_selftest_vec(&ss_kat_vecs[i], buf);
	for (i = SS_METHOD_UNSPEC + 1; i <= SS_METHOD_MAX; i++)
		ok &= ss_selftest_roundtrip(i, buf) && ss_selftest_pieces(i);
	ok &= ss_selftest_nonce(buf);
	ok &= ss_selftest_sip022(buf);

	kfree(buf);
	return ok;
}

#undef SS_CHECK

#endif /* DEBUG */
