/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ChaCha20-Poly1305 (RFC 8439) with a whole 96-bit nonce, from the
 * kernel's ChaCha20 and Poly1305 library functions.
 */

#ifndef _SS_CHACHAPOLY_H
#define _SS_CHACHAPOLY_H

#include <linux/types.h>

#define SS_CHACHAPOLY_KEY_LEN	32
#define SS_CHACHAPOLY_NONCE_LEN	12
#define SS_XCHACHAPOLY_NONCE_LEN	24

void ss_chachapoly_seal(u8 *dst, const u8 *src, size_t len, const u8 *ad,
			size_t ad_len, const u8 *nonce, const u8 *key);
bool ss_chachapoly_open(u8 *const *pieces, size_t piece_len, size_t len,
			const u8 *tag, const u8 *ad, size_t ad_len,
			const u8 *nonce, const u8 *key);
bool ss_chachapoly_open_to(u8 *dst, const u8 *src, size_t len,
			   const u8 *nonce, const u8 *key);
void ss_xchachapoly_key(u8 *key, u8 *nonce, const u8 *xkey, const u8 *xnonce);

#endif /* _SS_CHACHAPOLY_H */
