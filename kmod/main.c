// SPDX-License-Identifier: GPL-2.0
/*
 * Shadowsocks in the kernel: module init and exit.
 */

#include <linux/module.h>
#include <linux/shadowsocks.h>
#include <net/genetlink.h>

#include "blake3.h"
#include "cipher.h"
#include "client.h"
#include "conn.h"
#include "datagram.h"
#include "netlink.h"
#include "netns.h"
#include "replay.h"
#include "resolve.h"
#include "saltpool.h"
#include "server.h"
#include "socket.h"

/* What a namespace holds; the order of removal at its end. */
static const struct ss_kind *const ss_kinds[] = {
	&ss_server_kind,
	&ss_client_kind,
};

static int __init ss_mod_init(void)
{
	int err;

	err = ss_hkdf_init();
	if (err)
		return err;

	err = ss_replay_init();
	if (err)
		goto err_hkdf;
	err = ss_salt_pool_check_param();
	if (err)
		goto err_replay;

#ifdef DEBUG
	if (!ss_cipher_selftest() || !ss_blake3_selftest() ||
	    !ss_replay_selftest() || !ss_salt_pool_selftest() ||
	    !ss_dgram_selftest()) {
		pr_err("crypto self-tests: FAIL (see above)\n");
		err = -ENOTRECOVERABLE;
		goto err_replay;
	}
	pr_info("crypto self-tests: pass\n");
#endif

	ss_sock_init();
	err = ss_conn_init();
	if (err)
		goto err_replay;

	err = ss_resolve_init();
	if (err)
		goto err_conn;

	err = ss_netns_init(ss_kinds, ARRAY_SIZE(ss_kinds));
	if (err)
		goto err_resolve;

	err = ss_genl_init();
	if (err)
		goto err_netns;

	return 0;

err_netns:
	ss_netns_uninit();
err_resolve:
	ss_resolve_uninit();
err_conn:
	ss_conn_uninit();
err_replay:
	ss_replay_uninit();
err_hkdf:
	ss_hkdf_uninit();
	return err;
}

/*
 * Every object goes first, with its event, while the family can send it
 * (none is created after); then the family, so no request runs any more;
 * then every namespace's state; then the resolutions still under way, and
 * the works they and the connections left queued.
 */
static void __exit ss_mod_exit(void)
{
	ss_netns_shutdown();
	ss_genl_uninit();
	ss_netns_uninit();
	ss_resolve_uninit();
	ss_conn_uninit();
	ss_replay_uninit();
	ss_hkdf_uninit();
}

module_init(ss_mod_init);
module_exit(ss_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Shadowsocks AEAD proxy relay");
MODULE_ALIAS_GENL_FAMILY(SS_GENL_NAME);
