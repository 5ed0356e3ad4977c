// SPDX-License-Identifier: GPL-2.0
/*
 * ssctl monitor: print the module's events as they come, one line each,
 * as "ip monitor" does: objects created and deleted (and why), connections
 * or relays refused at max-conns, and a server's authentication failures
 * and replays (the kernel sends at most one of those a second per object).
 * With -j, one JSON object per line.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <json.h>
#include <netlink/errno.h>

#include "ipc.h"
#include "ssctl.h"

#define USAGE "Usage: " PROG_NAME " [-j] monitor\n"

static const char *object_name(uint32_t object)
{
	switch (object) {
	case SS_OBJECT_SERVER:
		return "server";
	case SS_OBJECT_CLIENT:
		return "client";
	}
	return "unknown";
}

/* the spec's names of the reasons, for -j */
static const char *reason_name(uint32_t reason)
{
	switch (reason) {
	case SS_REASON_USERSPACE:
		return "userspace";
	case SS_REASON_NETNS_EXIT:
		return "netns-exit";
	case SS_REASON_MODULE_UNLOAD:
		return "module-unload";
	}
	return "unknown";
}

static const char *reason_text(uint32_t reason)
{
	switch (reason) {
	case SS_REASON_USERSPACE:
		return "deleted";
	case SS_REASON_NETNS_EXIT:
		return "deleted: its network namespace ended";
	case SS_REASON_MODULE_UNLOAD:
		return "deleted: the module is being unloaded";
	}
	return "deleted";
}

/* the event's name in -j, and NULL for a command this ssctl does not know */
static const char *event_name(uint8_t cmd)
{
	switch (cmd) {
	case SS_CMD_OBJECT_NEW_NTF:
		return "created";
	case SS_CMD_OBJECT_DEL_NTF:
		return "deleted";
	case SS_CMD_REFUSED_NTF:
		return "refused";
	case SS_CMD_AUTH_FAIL_NTF:
		return "auth-fail";
	case SS_CMD_REPLAY_NTF:
		return "replay";
	}
	return NULL;
}

static void print_text(const struct ipc_event *ev)
{
	const char *what;

	switch (ev->cmd) {
	case SS_CMD_OBJECT_NEW_NTF:
		what = "created";
		break;
	case SS_CMD_OBJECT_DEL_NTF:
		what = reason_text(ev->reason);
		break;
	case SS_CMD_REFUSED_NTF:
		what = ev->object == SS_OBJECT_SERVER ?
			"refused a connection at max-conns" :
			"refused a relay at max-conns";
		break;
	case SS_CMD_AUTH_FAIL_NTF:
		what = "authentication failure (the first this second)";
		break;
	default:	/* SS_CMD_REPLAY_NTF */
		what = "replayed salt refused (the first this second)";
		break;
	}
	printf("%s %s: %s\n", object_name(ev->object), ev->name, what);
}

static void print_json(const struct ipc_event *ev)
{
	json_object *obj = json_object_new_object();

	if (!obj)
		return;
	json_object_object_add(obj, "event",
			       json_object_new_string(event_name(ev->cmd)));
	json_object_object_add(obj, "object",
			       json_object_new_string(object_name(ev->object)));
	json_object_object_add(obj, "name", json_object_new_string(ev->name));
	if (ev->cmd == SS_CMD_OBJECT_DEL_NTF)
		json_object_object_add(obj, "reason", json_object_new_string(
				reason_name(ev->reason)));
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}

static void print_event(const struct ipc_event *ev, void *arg)
{
	const bool *json = arg;

	if (!event_name(ev->cmd))
		return;		/* a newer module's event */
	if (*json)
		print_json(ev);
	else
		print_text(ev);
	fflush(stdout);
}

int monitor_main(int argc, char *argv[], const struct ssctl_opts *opts)
{
	struct ipc_listener *sub;
	bool json = opts->json;
	struct ipc_error e;
	struct pollfd pfd;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "help") || !strcmp(argv[i], "--help") ||
		    !strcmp(argv[i], "-h")) {
			fputs(USAGE
			      "Print the module's events in this network namespace, one line each,\n"
			      "until interrupted, or until the module is unloaded (status 1): servers\n"
			      "and client profiles created and deleted (and why), connections or\n"
			      "relays refused at max-conns, a server's authentication failures and\n"
			      "replays (at most one of those a second per server). In the initial\n"
			      "namespace, also the deletions of objects whose namespace ended.\n"
			      "  -j   one JSON object per line\n", stdout);
			return 0;
		}
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json = true;
			continue;
		}
		pr_err("monitor: unexpected argument '%s'", argv[i]);
		fputs(USAGE, stderr);
		return EXIT_USAGE;
	}
	if (opts->batch) {
		pr_err("monitor: not in batch mode");
		return EXIT_USAGE;
	}

	sub = ipc_monitor_open(&e);
	if (!sub) {
		ipc_listener_report("monitor", "monitor", &e);
		return EXIT_RUNTIME;
	}
	pfd = (struct pollfd){ .fd = ipc_listener_fd(sub), .events = POLLIN };
	for (;;) {
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("monitor: poll: %s", strerror(errno));
			break;
		}
		if (ipc_monitor_read(sub, print_event, &json, &e) == 0)
			continue;
		if (e.no_family) {
			pr_err("monitor: the shadowsocks kernel module was unloaded: exiting");
			break;
		}
		if (e.nl_err != NLE_NOMEM) {
			pr_err("monitor: cannot read the module's events: %s: exiting",
			       nl_geterror(e.nl_err));
			break;
		}
		pr_err("monitor: events lost: the socket's buffer overflowed");
	}
	ipc_listener_close(sub);
	return EXIT_RUNTIME;
}
