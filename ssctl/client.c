// SPDX-License-Identifier: GPL-2.0
/*
 * ssctl client add|del|show: client profiles say where relays of the local
 * role (sockets handed over by ss-socksd) connect, and with which key.
 */
#include "config.h"
#include "ipc.h"
#include "show.h"

static int client_add(const struct cmd *cmd, int argc, char *argv[])
{
	struct ss_config cfg;
	struct ipc_error e;
	int ret;

	ret = config_parse(&cfg, SS_CLIENT, cmd, argc, argv);
	if (!ret && ipc_add(&cfg, &e) < 0) {
		ipc_report(&e, SS_CLIENT, "add", cfg.name, cfg.method->name);
		ret = EXIT_RUNTIME;
	}
	config_wipe(&cfg);
	return ret;
}

static int client_del(const struct cmd *cmd, int argc, char *argv[])
{
	struct ipc_error e;

	if (argc != 2)
		return usage_error(cmd, argc < 2 ? "missing NAME" :
				   "too many arguments");
	if (!name_valid(argv[1]))
		return name_error(cmd, argv[1]);
	if (ipc_del(SS_CLIENT, argv[1], &e) < 0) {
		ipc_report(&e, SS_CLIENT, "delete", argv[1], NULL);
		return EXIT_RUNTIME;
	}
	return 0;
}

static int client_show(const struct cmd *cmd, int argc, char *argv[])
{
	return show_main(cmd, SS_CLIENT, argc, argv);
}

static const struct verb verbs[] = {
	{ "add", client_add,
	  "NAME server ADDR port PORT method METHOD "
	  "(password PW | password-file FILE | key BASE64) [timeout SECONDS] "
	  "[handshake-timeout SECONDS] [max-conns N]",
	  "add a client profile; ADDR may be a host name (first address)" },
	{ "del", client_del, "NAME",
	  "delete a client profile" },
	{ "show", client_show, "[NAME] [-j]",
	  "show client profiles and their counters (-j: as JSON)" },
};

static const struct object client_object = {
	.name = "client",
	.verbs = verbs,
	.n_verbs = sizeof(verbs) / sizeof(verbs[0]),
};

int client_main(int argc, char *argv[], const struct ssctl_opts *opts)
{
	return object_main(&client_object, argc, argv, opts);
}
