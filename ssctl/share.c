// SPDX-License-Identifier: GPL-2.0
/*
 * ssctl client show NAME --url | --qr: a client profile as a share link
 * (SIP002), which another client takes to reach the same server, or that
 * link as a QR code for a phone's camera.
 *
 * The kernel gives the profile's secrets only to a caller with
 * CAP_NET_ADMIN (SS_CMD_CLIENT_EXPORT). A 2022 profile's link carries its
 * base64 PSK (iPSK:uPSK with an identity key); an AEAD-2017 profile's, the
 * password it was made from, which the kernel keeps for this. A 2017
 * profile made from a raw key has no password, so it has no link.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <qrencode.h>

#include "config.h"
#include "ipc.h"
#include "share.h"
#include "sip002.h"

/* quiet zone around the code, in modules (ISO/IEC 18004 asks for 4) */
#define QR_MARGIN 4

bool share_wanted(int argc, char *argv[])
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--url") || !strcmp(argv[i], "--qr"))
			return true;
	return false;
}

/* standard base64 with padding, as keys are given ("openssl rand -base64") */
static size_t key_base64(char *out, const uint8_t *key, size_t len)
{
	return (size_t)EVP_EncodeBlock((unsigned char *)out, key, (int)len);
}

/* the link of @x, or NULL after saying why */
static char *export_link(const struct ss_export *x)
{
	const struct method *m = method_by_id(x->obj.method);
	char host[INET6_ADDRSTRLEN];
	/* iPSK:uPSK, each the base64 of up to SS_KEY_MAX_LEN bytes */
	char psk[2 * (4 * ((SS_KEY_MAX_LEN + 2) / 3)) + 2];
	char *link;

	if (!m) {
		pr_err("client profile '%s' has a method this ssctl does not know (%u)",
		       x->obj.name, x->obj.method);
		return NULL;
	}
	if (x->obj.has_ipv6)
		inet_ntop(AF_INET6, &x->obj.ipv6, host, sizeof(host));
	else
		inet_ntop(AF_INET, &x->obj.ipv4, host, sizeof(host));

	if (m->psk_only) {
		size_t n = 0;

		if (x->has_ikey) {
			n = key_base64(psk, x->ikey, x->key_len);
			psk[n++] = ':';
		}
		n += key_base64(psk + n, x->key, x->key_len);
		link = link_format(m->name, psk, n, host, x->obj.port,
				   x->obj.name, true);
		OPENSSL_cleanse(psk, sizeof(psk));
	} else if (x->password_len) {
		link = link_format(m->name, x->password, x->password_len, host,
				   x->obj.port, x->obj.name, false);
	} else {
		pr_err("client profile '%s' was made from a key, not a password: a link of %s carries the password (SIP002), so it has none; add the profile with 'password' or 'password-file' to share it",
		       x->obj.name, m->name);
		return NULL;
	}
	if (!link)
		pr_err("out of memory");
	return link;
}

/*
 * The code in text, two modules a character (upper and lower half
 * blocks), light modules drawn, as qrencode -t UTF8 does: light text on a
 * dark terminal reads as the code.
 */
static int print_qr(const char *link)
{
	/* by the darkness of the upper module (bit 0) and the lower (bit 1) */
	static const char *const glyph[4] = {
		"\u2588",	/* both light: a full block */
		"\u2584",	/* upper dark: the lower half block */
		"\u2580",	/* lower dark: the upper half block */
		" ",		/* both dark */
	};
	QRcode *qr = QRcode_encodeString(link, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int size;

	if (!qr) {
		pr_err("cannot make a QR code of the link: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	size = qr->width + 2 * QR_MARGIN;
	for (int y = 0; y < size; y += 2) {
		for (int x = 0; x < size; x++) {
			int mx = x - QR_MARGIN, my = y - QR_MARGIN;
			bool in_x = mx >= 0 && mx < qr->width;
			bool top = in_x && my >= 0 && my < qr->width &&
				   (qr->data[my * qr->width + mx] & 1);
			bool bottom = in_x && my + 1 >= 0 &&
				      my + 1 < qr->width &&
				      (qr->data[(my + 1) * qr->width + mx] & 1);

			fputs(glyph[top | bottom << 1], stdout);
		}
		putchar('\n');
	}
	/* the data holds the link's bits */
	OPENSSL_cleanse(qr->data, (size_t)qr->width * (size_t)qr->width);
	QRcode_free(qr);
	return 0;
}

int share_main(const struct cmd *cmd, int argc, char *argv[])
{
	const char *name = NULL;
	struct ss_export x;
	struct ipc_error e;
	bool url = false, qr = false;
	char *link;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--url"))
			url = true;
		else if (!strcmp(argv[i], "--qr"))
			qr = true;
		else if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			return usage_error(cmd, "'%s' does not go with --url or --qr",
					   argv[i]);
		else if (argv[i][0] == '-')
			return usage_error(cmd, "unknown option '%s'", argv[i]);
		else if (name)
			return usage_error(cmd, "unexpected argument '%s'",
					   argv[i]);
		else if (!name_valid(argv[i]))
			return name_error(cmd, argv[i]);
		else
			name = argv[i];
	}
	if (!name)
		return usage_error(cmd, "--url and --qr show one profile: give its NAME");
	if (url && qr)
		return usage_error(cmd, "give one of --url and --qr");

	if (ipc_client_export(name, &x, &e) < 0) {
		ipc_report(&e, SS_CLIENT, "export", name, NULL);
		return EXIT_RUNTIME;
	}
	link = export_link(&x);
	ipc_export_wipe(&x);
	if (!link)
		return EXIT_RUNTIME;
	if (url) {
		puts(link);
		ret = 0;
	} else {
		ret = print_qr(link);
	}
	link_string_free(link);
	if (!ret && fflush(stdout)) {
		pr_err("cannot write the link: %s", strerror(errno));
		ret = EXIT_RUNTIME;
	}
	return ret;
}
