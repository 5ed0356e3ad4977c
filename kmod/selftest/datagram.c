// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the Shadowsocks 2022 packet codec, run at load by debug
 * builds: the UDP packets of protocol-vectors.json opened and sealed
 * through ss_dgram_open_2022() and ss_dgram_seal_2022() with the method
 * table's own entries (cipher.c's self-test checks the pieces), a
 * forgery refused and counted, NULL, and the subkey cache followed across
 * sessions.
 */

#ifdef DEBUG

#include "check.h"

/* AES-128: the PSK, and the packet of session 01..08, packet ID 0. */
static const char ss_st_dg_aes_psk[] __initconst =
	"000102030405060708090a0b0c0d0e0f";
static const char ss_st_dg_aes_body[] __initconst =
	"00000000006553f1000000017f00000100356869";
static const char ss_st_dg_aes_pkt[] __initconst =
	"18ba69bb4661fee5a7cc9ec1a731e2780f887748f59fbaddc74035aa8ff89041"
	"19109376f5135245d9b3bf78f6fdffa4c7affa7b";

/* chacha: the PSK, and the same session's packet, its nonce in front. */
static const char ss_st_dg_chacha_psk[] __initconst =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char ss_st_dg_chacha_pkt[] __initconst =
	"404142434445464748494a4b4c4d4e4f5051525354555657d53b0674d5e67e1e"
	"8ff487beaf9c659292baadc4133c006b6a31fd447604239116cc6a071bc8399e"
	"151cf16bccbebd120200f58c";

static const u8 ss_st_dg_sid[SS_2022_SESSION_ID_LEN] __initconst = {
	1, 2, 3, 4, 5, 6, 7, 8,
};

#define SS_ST_DG_BUF	512

static bool __init ss_st_dg_unhex(u8 *dst, const char *hex, size_t *len)
{
	*len = strlen(hex) / 2;
	return !hex2bin(dst, hex, *len);
}

/* A private endpoint: no namespace, no events (as a client profile). */
static struct ss_endpoint *__init ss_st_dg_ep(u32 method, const char *psk)
{
	struct ss_endpoint *ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	size_t len;

	if (!ep)
		return NULL;
	ep->local = true;
	ep->method = ss_method_get(method);
	if (!ep->method || !ss_st_dg_unhex(ep->key, psk, &len) ||
	    len != ep->method->key_len || ss_stats_init(&ep->stats)) {
		kfree(ep);
		return NULL;
	}
	return ep;
}

static void __init ss_st_dg_ep_free(struct ss_endpoint *ep)
{
	ss_stats_free(&ep->stats);
	kfree_sensitive(ep);
}

static u64 __init ss_st_dg_count(struct ss_endpoint *ep,
				 enum ss_stats_attr ctr)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += u64_stats_read(&per_cpu_ptr(ep->stats.pcpu, cpu)->ctr[ctr]);
	return sum;
}

static bool __init ss_selftest_dgram_aes(void)
{
	u8 want[SS_ST_DG_BUF], body[64], sid[SS_2022_SESSION_ID_LEN];
	struct ss_dgram_codec *dc;
	struct ss_endpoint *ep;
	size_t len, body_len;
	bool ok = true;
	u64 pid = 1;
	int ret;

	/* Two AES key schedules and two ciphers: not on the stack. */
	dc = kzalloc(sizeof(*dc), GFP_KERNEL);
	if (!dc)
		return false;
	ep = ss_st_dg_ep(SS_METHOD_2022_BLAKE3_AES_128_GCM, ss_st_dg_aes_psk);
	if (!ep || ss_dgram_codec_init(dc, ep, SS_ST_DG_BUF) ||
	    !ss_st_dg_unhex(want, ss_st_dg_aes_pkt, &len) ||
	    !ss_st_dg_unhex(body, ss_st_dg_aes_body, &body_len)) {
		SS_CHECK(false, "2022 codec, AES: set-up");
		goto out;
	}

	memcpy(dc->buf, want, len);
	ret = ss_dgram_open_2022(dc, ep, dc->buf, len, sid, &pid, NULL, NULL);
	SS_CHECK(ret == body_len && !pid &&
		 !memcmp(sid, ss_st_dg_sid, sizeof(sid)) &&
		 !memcmp(dc->buf + SS_2022_UDP_SEP_LEN, body, body_len),
		 "2022 codec, AES: open the vector packet (%d)", ret);

	/* Sealed again under another session first: the cache must follow. */
	memcpy(dc->buf + SS_2022_UDP_SEP_LEN, body, body_len);
	ret = ss_dgram_seal_2022(dc, ep, NULL, (const u8 *)"otherses", 7,
				 dc->buf, body_len);
	memcpy(dc->buf + SS_2022_UDP_SEP_LEN, body, body_len);
	ret = ret ?: ss_dgram_seal_2022(dc, ep, NULL, ss_st_dg_sid, 0,
					dc->buf, body_len);
	SS_CHECK(!ret && !memcmp(dc->buf, want, len),
		 "2022 codec, AES: seal the vector packet (%d)", ret);

	/* A flipped tag bit: refused and counted, as an authentication failure */
	dc->buf[len - 1] ^= 1;
	ret = ss_dgram_open_2022(dc, ep, dc->buf, len, sid, &pid, NULL, NULL);
	SS_CHECK(ret == -EBADMSG &&
		 ss_st_dg_count(ep, SS_STATS_A_UDP_DROP_AUTH) == 1,
		 "2022 codec, AES: a forged packet refused (%d)", ret);
	ret = ss_dgram_open_2022(dc, ep, dc->buf, SS_2022_UDP_SEP_LEN +
				 SS_TAG_LEN - 1, sid, &pid, NULL, NULL);
	SS_CHECK(ret == -EINVAL &&
		 ss_st_dg_count(ep, SS_STATS_A_UDP_DROP_BAD) == 1,
		 "2022 codec, AES: a short packet refused (%d)", ret);
out:
	ss_dgram_codec_free(dc);
	kfree_sensitive(dc);
	if (ep)
		ss_st_dg_ep_free(ep);
	return ok;
}

static bool __init ss_selftest_dgram_chacha(void)
{
	u8 want[SS_ST_DG_BUF], sid[SS_2022_SESSION_ID_LEN];
	size_t head = SS_2022_UDP_NONCE_LEN + SS_2022_UDP_SEP_LEN;
	u8 nonce[SS_2022_UDP_NONCE_LEN];
	struct ss_dgram_codec *dc;
	struct ss_endpoint *ep;
	size_t len;
	bool ok = true;
	u64 pid = 1;
	int ret;

	dc = kzalloc(sizeof(*dc), GFP_KERNEL);
	if (!dc)
		return false;
	ep = ss_st_dg_ep(SS_METHOD_2022_BLAKE3_CHACHA20_POLY1305,
			 ss_st_dg_chacha_psk);
	if (!ep || ss_dgram_codec_init(dc, ep, SS_ST_DG_BUF) ||
	    !ss_st_dg_unhex(want, ss_st_dg_chacha_pkt, &len)) {
		SS_CHECK(false, "2022 codec, chacha: set-up");
		goto out;
	}
	SS_CHECK(ss_dgram_2022_head(ep->method) == head,
		 "2022 codec, chacha: the IDs are sealed with the body");

	memcpy(dc->buf, want, len);
	ret = ss_dgram_open_2022(dc, ep, dc->buf, len, sid, &pid, NULL, NULL);
	SS_CHECK(ret == len - head - SS_TAG_LEN && !pid &&
		 !memcmp(sid, ss_st_dg_sid, sizeof(sid)) &&
		 dc->buf[head] == SS_2022_TYPE_REQUEST,
		 "2022 codec, chacha: open the vector packet (%d)", ret);

	/* A random nonce, not the vector's: sealed, opened to the same body */
	memcpy(nonce, want, sizeof(nonce));
	memcpy(want, dc->buf + head, len - head - SS_TAG_LEN);
	ret = ss_dgram_seal_2022(dc, ep, NULL, ss_st_dg_sid, 5, dc->buf,
				 len - head - SS_TAG_LEN);
	SS_CHECK(!ret && memcmp(dc->buf, nonce, sizeof(nonce)),
		 "2022 codec, chacha: seal with a fresh nonce (%d)", ret);
	ret = ss_dgram_open_2022(dc, ep, dc->buf, len, sid, &pid, NULL, NULL);
	SS_CHECK(ret == len - head - SS_TAG_LEN && pid == 5 &&
		 !memcmp(sid, ss_st_dg_sid, sizeof(sid)) &&
		 !memcmp(dc->buf + head, want, ret),
		 "2022 codec, chacha: open what was sealed (%d)", ret);
	dc->buf[head] ^= 1;
	ret = ss_dgram_open_2022(dc, ep, dc->buf, len, sid, &pid, NULL, NULL);
	SS_CHECK(ret == -EBADMSG, "2022 codec, chacha: forgery refused (%d)",
		 ret);
out:
	ss_dgram_codec_free(dc);
	kfree_sensitive(dc);
	if (ep)
		ss_st_dg_ep_free(ep);
	return ok;
}

/**
 * ss_dgram_selftest() - known answers of the 2022 packet codec
 *
 * Return: true if all passed.
 */
bool __init ss_dgram_selftest(void)
{
	return ss_selftest_dgram_aes() & ss_selftest_dgram_chacha();
}

#endif /* DEBUG */
