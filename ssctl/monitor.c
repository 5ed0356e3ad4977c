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

/* a value's name in the spec (for -j) and its words in the text layout */
struct word {
	const char *name;
	const char *text;
};

/* an object kind's text is what a refusal at max-conns refused */
static const struct word objects[] = {
	[SS_OBJECT_SERVER] = { "server", "refused a connection at max-conns" },
	[SS_OBJECT_CLIENT] = { "client", "refused a relay at max-conns" },
};

static const struct word reasons[] = {
	[SS_REASON_USERSPACE] = { "userspace", "deleted" },
	[SS_REASON_NETNS_EXIT] = {
		"netns-exit", "deleted: its network namespace ended" },
	[SS_REASON_MODULE_UNLOAD] = {
		"module-unload", "deleted: the module is being unloaded" },
};

/* the text of object-del-ntf and refused-ntf is the reason's, the object's */
static const struct word events[] = {
	[SS_CMD_OBJECT_NEW_NTF] = { "created", "created" },
	[SS_CMD_OBJECT_DEL_NTF] = { "deleted", NULL },
	[SS_CMD_REFUSED_NTF] = { "refused", NULL },
	[SS_CMD_AUTH_FAIL_NTF] = {
		"auth-fail", "authentication failure (the first this second)" },
	[SS_CMD_REPLAY_NTF] = {
		"replay", "replayed salt refused (the first this second)" },
};

static const struct word unknown = { "unknown", NULL };

/* the word for @i in @tbl, or NULL for a value a newer module may send */
static const struct word *lookup(const struct word *tbl, size_t n, uint32_t i)
{
	return i < n && tbl[i].name ? &tbl[i] : NULL;
}

#define LOOKUP(tbl, i) lookup(tbl, sizeof(tbl) / sizeof(tbl[0]), i)

static void print_text(const struct ipc_event *ev, const struct word *event,
		       const struct word *object)
{
	const struct word *reason = LOOKUP(reasons, ev->reason);
	const char *what = event->text;

	if (ev->cmd == SS_CMD_OBJECT_DEL_NTF)
		what = reason ? reason->text : "deleted";
	else if (ev->cmd == SS_CMD_REFUSED_NTF)
		what = object->text ?: "refused at max-conns";
	printf("%s %s: %s\n", object->name, ev->name, what);
}

static void print_json(const struct ipc_event *ev, const struct word *event,
		       const struct word *object)
{
	json_object *obj = json_object_new_object();
	const struct word *reason = LOOKUP(reasons, ev->reason);

	if (!obj)
		return;
	json_object_object_add(obj, "event",
			       json_object_new_string(event->name));
	json_object_object_add(obj, "object",
			       json_object_new_string(object->name));
	json_object_object_add(obj, "name", json_object_new_string(ev->name));
	if (ev->cmd == SS_CMD_OBJECT_DEL_NTF)
		json_object_object_add(obj, "reason", json_object_new_string(
				(reason ?: &unknown)->name));
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}

static void print_event(const struct ipc_event *ev, void *arg)
{
	const struct word *event = LOOKUP(events, ev->cmd);
	const struct word *object = LOOKUP(objects, ev->object);
	const bool *json = arg;

	if (!event)
		return;		/* a newer module's event */
	if (*json)
		print_json(ev, event, object ?: &unknown);
	else
		print_text(ev, event, object ?: &unknown);
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
