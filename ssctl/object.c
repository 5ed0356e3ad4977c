// SPDX-License-Identifier: GPL-2.0
/*
 * ssctl server|client add|del|show. Servers are listeners of the server
 * role; each owns its sockets and connections in the kernel. Client profiles
 * say where relays of the local role (sockets handed over by ss-socksd)
 * connect, and with which key. Both kinds are added, deleted and shown the
 * same way, so one set of verb functions serves both: each object of the
 * table below says which kind it is, and its verb table holds only what
 * differs, the usage and descriptions.
 */
#include "config.h"
#include "ipc.h"
#include "share.h"
#include "show.h"
#include "sip008.h"

static int object_add(const struct cmd *cmd, int argc, char *argv[])
{
	enum ss_kind kind = cmd->object->kind;
	struct ss_config cfg;
	struct ipc_error e;
	int ret;

	ret = config_parse(&cfg, kind, cmd, argc, argv);
	if (!ret && ipc_add(&cfg, &e) < 0) {
		ipc_report(&e, kind, "add", cfg.name, cfg.method->name);
		ret = EXIT_RUNTIME;
	}
	config_wipe(&cfg);
	return ret;
}

static int object_del(const struct cmd *cmd, int argc, char *argv[])
{
	enum ss_kind kind = cmd->object->kind;
	struct ipc_error e;

	if (argc != 2)
		return usage_error(cmd, argc < 2 ? "missing NAME" :
				   "too many arguments");
	if (!name_valid(argv[1]))
		return name_error(cmd, argv[1]);
	if (ipc_del(kind, argv[1], &e) < 0) {
		ipc_report(&e, kind, "delete", argv[1], NULL);
		return EXIT_RUNTIME;
	}
	return 0;
}

static int object_show(const struct cmd *cmd, int argc, char *argv[])
{
	if (cmd->object->kind == SS_CLIENT && share_wanted(argc, argv))
		return share_main(cmd, argc, argv);
	return show_main(cmd, cmd->object->kind, argc, argv);
}

static const struct verb server_verbs[] = {
	{ "add", object_add,
	  "NAME [address ADDR]... port PORT method METHOD "
	  "(password PW | password-file FILE | key BASE64) "
	  "[mode tcp_only|tcp_and_udp|udp_only] [timeout SECONDS] "
	  "[handshake-timeout SECONDS] [max-conns N] [allow-local on|off] "
	  "[acl FILE]",
	  "add a server: it listens on PORT at once" },
	{ "del", object_del, "NAME",
	  "delete a server, closing its connections" },
	{ "show", object_show, "[NAME] [-j]",
	  "show servers and their counters (-j: as JSON)" },
};

static const struct verb client_verbs[] = {
	{ "add", object_add,
	  "NAME (server ADDR port PORT method METHOD "
	  "(password PW | password-file FILE | key BASE64) | url LINK) "
	  "[timeout SECONDS] [handshake-timeout SECONDS] [max-conns N]",
	  "add a client profile; ADDR may be a host name (first address); "
	  "LINK: an ss:// link (SIP002)" },
	{ "import", client_import, "FILE",
	  "add a client profile for each server of a SIP008 JSON document, "
	  "named by its remarks (all or none)" },
	{ "del", object_del, "NAME",
	  "delete a client profile" },
	{ "show", object_show, "[NAME] [-j] | NAME --url | NAME --qr",
	  "show client profiles and their counters (-j: as JSON); --url: "
	  "the profile as an ss:// link (SIP002), --qr: as a QR code "
	  "(both need CAP_NET_ADMIN)" },
};

#define N_VERBS(verbs) (sizeof(verbs) / sizeof((verbs)[0]))

static const struct object server_object = {
	.name = "server",
	.kind = SS_SERVER,
	.verbs = server_verbs,
	.n_verbs = N_VERBS(server_verbs),
};

static const struct object client_object = {
	.name = "client",
	.kind = SS_CLIENT,
	.verbs = client_verbs,
	.n_verbs = N_VERBS(client_verbs),
};

int server_main(int argc, char *argv[], const struct ssctl_opts *opts)
{
	return object_main(&server_object, argc, argv, opts);
}

int client_main(int argc, char *argv[], const struct ssctl_opts *opts)
{
	return object_main(&client_object, argc, argv, opts);
}
