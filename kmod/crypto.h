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
 * struct ss_method_info - one AEAD cipher, as protocol.md tabulates it
 * @id: enum ss_method value, as in SS_A_METHOD
 * @name: the name configuration files and ssctl use
 * @aead: crypto API algorithm name, or NULL for the kernel's
 *	xchacha20poly1305 library functions (no crypto API template exists)
 * @key_len: master key and session subkey length
 * @salt_len: per-session salt length
 * @nonce_len: nonce (IV) length
 * @tag_len: authentication tag length
 */
struct ss_method_info {
	u32 id;
	const char *name;
	const char *aead;
	unsigned int key_len;
	unsigned int salt_len;
	unsigned int nonce_len;
	unsigned int tag_len;
};

const struct ss_method_info *ss_method_get(u32 id);
int ss_method_check(const struct ss_method_info *method, const u8 *key,
		    struct netlink_ext_ack *extack);

#endif /* _SS_CRYPTO_H */
