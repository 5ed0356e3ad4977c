// SPDX-License-Identifier: GPL-2.0
/*
 * ssctl server add|del|show: servers are listeners of the server role; each
 * owns its sockets and connections in the kernel.
 */
#include "config.h"
#include "ipc.h"
#include "show.h"

static int server_add(const struct cmd *cmd, int argc, char *argv[])
{
	struct ss_config cfg;
	struct ipc_error e;
	int ret;

	ret = config_parse(&cfg, SS_SERVER, cmd, argc, argv);
	if (!ret && ipc_add(&cfg, &e) < 0) {
		ipc_report(&e, SS_SERVER, "add", cfg.name, cfg.method->name);
		ret = EXIT_RUNTIME;
	}
	config_wipe(&cfg);
	return ret;
}

static int server_del(const struct cmd *cmd, int argc, char *argv[])
{
	struct ipc_error e;

	if (argc != 2)
		return usage_error(cmd, argc < 2 ? "missing NAME" :
				   "too many arguments");
	if (!name_valid(argv[1]))
		return name_error(cmd, argv[1]);
	if (ipc_del(SS_SERVER, argv[1], &e) < 0) {
		ipc_report(&e, SS_SERVER, "delete", argv[1], NULL);
		return EXIT_RUNTIME;
	}
	return 0;
}

static int server_show(const struct cmd *cmd, int argc, char *argv[])
{
	return show_main(cmd, SS_SERVER, argc, argv);
}

static const struct verb verbs[] = {
	{ "add", server_add,
	  "NAME [address ADDR]... port PORT method METHOD "
	  "(password PW | password-file FILE | key BASE64) "
	  "[mode tcp_only|tcp_and_udp|udp_only] [timeout SECONDS] "
	  "[handshake-timeout SECONDS] [max-conns N] [allow-local on|off]",
	  "add a server: it listens on PORT at once" },
	{ "del", server_del, "NAME",
	  "delete a server, closing its connections" },
	{ "show", server_show, "[NAME] [-j]",
	  "show servers and their counters (-j: as JSON)" },
};

static const struct object server_object = {
	.name = "server",
	.verbs = verbs,
	.n_verbs = sizeof(verbs) / sizeof(verbs[0]),
};

int server_main(int argc, char *argv[], const struct ssctl_opts *opts)
{
	return object_main(&server_object, argc, argv, opts);
}
