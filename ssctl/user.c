// SPDX-License-Identifier: GPL-2.0
/*
 * ssctl user add|del|show: the SIP023 users of a Shadowsocks 2022 server
 * of an AES method. A server with users takes only requests that carry a
 * user's identity (its own key is then the identity PSK); each user has a
 * PSK of the method's key length, which "user add" checks against the
 * server's method, asked of the kernel first, so that its messages are the
 * same as "server add"'s. In batch mode the requests of every line share
 * one netlink socket (ipc_keep_socket()): adding many users is one
 * server-get and one user-new per line.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "config.h"
#include "ipc.h"
#include "show.h"

/* user_config_parse()'s question: the method of @server, if it has users */
static int server_method(const char *server, const struct method **m)
{
	struct ss_object_list list;
	struct ipc_error e;
	uint32_t id;

	if (ipc_get(SS_SERVER, server, &list, &e) < 0) {
		ipc_report(&e, SS_SERVER, "show", server, NULL);
		return EXIT_RUNTIME;
	}
	id = list.len ? list.items[0].method : 0;
	ipc_list_free(&list);
	*m = method_by_id(id);
	if (*m && method_has_identity(*m))
		return 0;
	if (*m)
		pr_err("server '%s' is %s: users (SIP023) need a Shadowsocks 2022 server of an AES method (2022-blake3-aes-128-gcm or 2022-blake3-aes-256-gcm)",
		       server, (*m)->name);
	else
		pr_err("server '%s' has a method unknown to ssctl (%" PRIu32 "): users (SIP023) need a Shadowsocks 2022 server of an AES method (2022-blake3-aes-128-gcm or 2022-blake3-aes-256-gcm)",
		       server, id);
	*m = NULL;
	return EXIT_RUNTIME;
}

static int user_add(const struct cmd *cmd, int argc, char *argv[])
{
	struct ss_config cfg;
	struct ipc_error e;
	int ret;

	ret = user_config_parse(&cfg, cmd, argc, argv, server_method);
	if (!ret && ipc_user_add(&cfg, &e) < 0) {
		ipc_user_report(&e, "add", cfg.name, cfg.user);
		ret = EXIT_RUNTIME;
	}
	config_wipe(&cfg);
	return ret;
}

static int user_del(const struct cmd *cmd, int argc, char *argv[])
{
	struct ipc_error e;

	if (argc != 3)
		return usage_error(cmd, argc < 2 ? "missing SERVER" :
				   argc < 3 ? "missing USER" :
				   "too many arguments");
	if (!name_valid(argv[1]))
		return name_error(cmd, argv[1]);
	if (!name_valid(argv[2]))
		return user_name_error(cmd, argv[2]);
	if (ipc_user_del(argv[1], argv[2], &e) < 0) {
		ipc_user_report(&e, "delete", argv[1], argv[2]);
		return EXIT_RUNTIME;
	}
	return 0;
}

static int user_show(const struct cmd *cmd, int argc, char *argv[])
{
	static name_error_fn *const errors[] = { name_error, user_name_error };
	struct ss_object_list servers;
	struct ss_user_list list;
	const char *names[2], *server, *user;
	struct ipc_error e;
	bool json;
	int ret;

	ret = show_args(cmd, argc, argv, names, 2, errors, &json);
	if (ret)
		return ret;
	server = names[0];
	user = names[1];

	if (ipc_user_get(server, user, &list, &e) < 0) {
		ipc_user_report(&e, "show", server, user);
		return EXIT_RUNTIME;
	}
	/* a dump of an unknown server's users is empty: say it is unknown */
	if (server && !list.len) {
		if (ipc_get(SS_SERVER, server, &servers, &e) < 0) {
			ipc_report(&e, SS_SERVER, "show", server, NULL);
			ipc_user_list_free(&list);
			return EXIT_RUNTIME;
		}
		ipc_list_free(&servers);
	}
	ret = show_users(&list, json);
	ipc_user_list_free(&list);
	return ret;
}

static const struct verb user_verbs[] = {
	{ "add", user_add, "SERVER USER (key BASE64 | password-file FILE)",
	  "add a user (its PSK, of the method's key length) to a 2022 AES server" },
	{ "del", user_del, "SERVER USER",
	  "delete a user, ending its connections and UDP sessions" },
	{ "show", user_show, "[SERVER [USER]] [-j]",
	  "show users and their counters (-j: as JSON)" },
};

static const struct object user_object = {
	.name = "user",
	.kind = SS_USER,
	.verbs = user_verbs,
	.n_verbs = sizeof(user_verbs) / sizeof(user_verbs[0]),
};

int user_main(int argc, char *argv[], const struct ssctl_opts *opts)
{
	return object_main(&user_object, argc, argv, opts);
}
