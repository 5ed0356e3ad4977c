// SPDX-License-Identifier: GPL-2.0
/*
 * Shadowsocks in the kernel: module init and exit.
 */

#include <linux/module.h>
#include <linux/shadowsocks.h>
#include <net/genetlink.h>

#include "netlink.h"
#include "netns.h"

static int __init ss_mod_init(void)
{
	int err;

	err = ss_netns_init();
	if (err)
		return err;

	err = ss_genl_init();
	if (err)
		goto err_netns;

	return 0;

err_netns:
	ss_netns_uninit();
	return err;
}

/*
 * The family goes first, so no request can create objects any more; then
 * every namespace's objects, their sockets included.
 */
static void __exit ss_mod_exit(void)
{
	ss_genl_uninit();
	ss_netns_uninit();
}

module_init(ss_mod_init);
module_exit(ss_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Shadowsocks AEAD proxy relay");
MODULE_ALIAS_GENL_FAMILY(SS_GENL_NAME);
