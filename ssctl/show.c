// SPDX-License-Identifier: GPL-2.0
/*
 * Output of show. Text: one block per object, like "wg show". JSON (-j):
 * an array of objects, built with json-c. The kernel never returns a key,
 * and nothing here could print one.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json.h>

#include "counters-gen.h"
#include "key.h"
#include "show.h"

static const char *method_str(uint32_t id, char *buf, size_t size)
{
	const struct method *m = method_by_id(id);

	if (m)
		return m->name;
	snprintf(buf, size, "unknown(%" PRIu32 ")", id);
	return buf;
}

static const char *mode_str(uint32_t mode, char *buf, size_t size)
{
	const char *s = mode_name(mode);

	if (s)
		return s;
	snprintf(buf, size, "unknown(%" PRIu32 ")", mode);
	return buf;
}

/*
 * The text layout groups and words the counters it knows by hand; take()
 * reads one for it and leave() marks one it leaves out for this kind of
 * object on purpose. A counter neither taken nor left (one the spec has
 * gained since the layout was written) is printed after the block under
 * its own name, so none is ever hidden.
 */
struct text_counters {
	const struct ss_stats *stats;
	bool done[SS_STATS_A_MAX + 1];
};

static uint64_t take(struct text_counters *t, int type)
{
	t->done[type] = true;
	return t->stats->ctr[type];
}

static void leave(struct text_counters *t, int type)
{
	t->done[type] = true;
}

/* the counters of the spec named udp-*, for an object without UDP */
static void leave_udp(struct text_counters *t)
{
	for (size_t i = 0; i < SS_N_COUNTERS; i++)
		if (!strncmp(ss_counters[i].json, "udp_", 4))
			leave(t, ss_counters[i].type);
}

static void show_rest(const struct text_counters *t)
{
	for (size_t i = 0; i < SS_N_COUNTERS; i++) {
		const struct ss_counter *c = &ss_counters[i];

		if (t->done[c->type])
			continue;
		printf("  ");
		for (const char *p = c->json; *p; p++)
			putchar(*p == '_' ? ' ' : *p);
		printf(": %" PRIu64 "\n", t->stats->ctr[c->type]);
	}
}

static void show_text(enum ss_kind kind, const struct ss_object *o, bool first)
{
	struct text_counters t = { .stats = &o->stats };
	char a4[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN], buf[32];

	inet_ntop(AF_INET, &o->ipv4, a4, sizeof(a4));
	inet_ntop(AF_INET6, &o->ipv6, a6, sizeof(a6));

	if (!first)
		putchar('\n');
	printf("%s: %s\n", kind_name(kind), o->name);
	printf("  %s: %s%s%s\n", kind == SS_SERVER ? "address" : "server",
	       o->has_ipv4 ? a4 : "", o->has_ipv4 && o->has_ipv6 ? ", " : "",
	       o->has_ipv6 ? a6 : "");
	printf("  port: %u\n", o->port);
	printf("  method: %s\n", method_str(o->method, buf, sizeof(buf)));
	if (kind == SS_SERVER && o->has_mode)
		printf("  mode: %s\n", mode_str(o->mode, buf, sizeof(buf)));
	printf("  timeout: %" PRIu32 "s\n", o->timeout);
	if (o->has_limits) {
		printf("  handshake timeout: %" PRIu32 "s\n", o->handshake_timeout);
		printf("  max connections: %" PRIu32 "\n", o->max_conns);
	}
	if (kind == SS_SERVER && o->has_allow_local)
		printf("  allow local targets: %s\n", o->allow_local ? "on" : "off");
	if (kind == SS_SERVER && o->has_acl)
		printf("  acl: %u rules (targets refused)\n", o->acl_rules);
	if (o->has_users)
		printf("  users: %" PRIu32 "\n", o->users);
	printf("  connections: %" PRIu64 " active, %" PRIu64 " total\n",
	       take(&t, SS_STATS_A_CONN_ACTIVE), take(&t, SS_STATS_A_CONN_TOTAL));
	printf("  bytes: %" PRIu64 " in, %" PRIu64 " out\n",
	       take(&t, SS_STATS_A_BYTES_IN), take(&t, SS_STATS_A_BYTES_OUT));
	printf("  auth failures: %" PRIu64 "\n", take(&t, SS_STATS_A_AUTH_FAIL));
	/*
	 * A client profile's relays read no target address, salts to check
	 * for replays or host names to resolve, and are never drained: those
	 * counters stay zero for it (they remain in the JSON, whose members
	 * are the same for both kinds).
	 */
	if (kind == SS_SERVER) {
		printf("  replays refused: %" PRIu64 "\n",
		       take(&t, SS_STATS_A_REPLAY));
		printf("  bad headers: %" PRIu64 "\n",
		       take(&t, SS_STATS_A_BAD_HEADER));
	}
	printf("  connect failures: %" PRIu64 "\n",
	       take(&t, SS_STATS_A_CONNECT_FAIL));
	if (kind == SS_SERVER) {
		printf("  dns failures: %" PRIu64 "\n",
		       take(&t, SS_STATS_A_DNS_FAIL));
		printf("  draining: %" PRIu64 "\n", take(&t, SS_STATS_A_DRAINING));
	}
	printf("  refused (max-conns): %" PRIu64 "\n",
	       take(&t, SS_STATS_A_REFUSED));
	if (kind == SS_SERVER)
		printf("  evicted (max-conns): %" PRIu64 "\n",
		       take(&t, SS_STATS_A_EVICTED));
	if (kind == SS_CLIENT ||
	    (o->has_mode && o->mode != SS_MODE_TCP_ONLY)) {
		printf("  udp:\n");
		printf("    associations: %" PRIu64 " active\n",
		       take(&t, SS_STATS_A_UDP_ASSOC_ACTIVE));
		printf("    packets: %" PRIu64 " in, %" PRIu64 " out\n",
		       take(&t, SS_STATS_A_UDP_PKTS_IN),
		       take(&t, SS_STATS_A_UDP_PKTS_OUT));
		printf("    bytes: %" PRIu64 " in, %" PRIu64 " out\n",
		       take(&t, SS_STATS_A_UDP_BYTES_IN),
		       take(&t, SS_STATS_A_UDP_BYTES_OUT));
		printf("    dropped: %" PRIu64 " auth, %" PRIu64 " bad, ",
		       take(&t, SS_STATS_A_UDP_DROP_AUTH),
		       take(&t, SS_STATS_A_UDP_DROP_BAD));
		/* the local role keeps out of the replay filter */
		if (kind == SS_SERVER)
			printf("%" PRIu64 " replay, ",
			       take(&t, SS_STATS_A_UDP_DROP_REPLAY));
		printf("%" PRIu64 " limit, %" PRIu64 " target\n",
		       take(&t, SS_STATS_A_UDP_DROP_LIMIT),
		       take(&t, SS_STATS_A_UDP_DROP_TARGET));
	} else {
		/* a TCP-only server: its UDP counters stay zero */
		leave_udp(&t);
	}
	if (kind == SS_CLIENT) {
		leave(&t, SS_STATS_A_REPLAY);
		leave(&t, SS_STATS_A_BAD_HEADER);
		leave(&t, SS_STATS_A_DNS_FAIL);
		leave(&t, SS_STATS_A_DRAINING);
		leave(&t, SS_STATS_A_EVICTED);
		leave(&t, SS_STATS_A_UDP_DROP_REPLAY);
	}
	show_rest(&t);
}

/* json_object_object_add() takes the value's reference, even NULL */
static bool add(json_object *obj, const char *key, json_object *val)
{
	return val && !json_object_object_add(obj, key, val);
}

static json_object *object_json(enum ss_kind kind, const struct ss_object *o)
{
	char a4[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN], buf[32];
	json_object *obj, *stats, *addrs = NULL;
	bool ok;

	inet_ntop(AF_INET, &o->ipv4, a4, sizeof(a4));
	inet_ntop(AF_INET6, &o->ipv6, a6, sizeof(a6));

	obj = json_object_new_object();
	if (!obj)
		return NULL;
	ok = add(obj, "name", json_object_new_string(o->name));
	if (kind == SS_SERVER) {
		addrs = json_object_new_array();
		ok = ok && add(obj, "addresses", addrs);
		if (o->has_ipv4)
			ok = ok && !json_object_array_add(addrs,
					json_object_new_string(a4));
		if (o->has_ipv6)
			ok = ok && !json_object_array_add(addrs,
					json_object_new_string(a6));
	} else {
		ok = ok && add(obj, "server", json_object_new_string(
				o->has_ipv4 ? a4 : o->has_ipv6 ? a6 : ""));
	}
	ok = ok && add(obj, "port", json_object_new_int(o->port));
	ok = ok && add(obj, "method", json_object_new_string(
			method_str(o->method, buf, sizeof(buf))));
	if (kind == SS_SERVER && o->has_mode)
		ok = ok && add(obj, "mode", json_object_new_string(
				mode_str(o->mode, buf, sizeof(buf))));
	ok = ok && add(obj, "timeout", json_object_new_int64(o->timeout));
	if (o->has_limits) {
		ok = ok && add(obj, "handshake_timeout",
			       json_object_new_int64(o->handshake_timeout));
		ok = ok && add(obj, "max_conns",
			       json_object_new_int64(o->max_conns));
	}
	if (kind == SS_SERVER && o->has_allow_local)
		ok = ok && add(obj, "allow_local",
			       json_object_new_boolean(o->allow_local));
	if (kind == SS_SERVER && o->has_acl)
		ok = ok && add(obj, "acl_rules",
			       json_object_new_int64(o->acl_rules));
	if (o->has_users)
		ok = ok && add(obj, "users", json_object_new_int64(o->users));

	stats = json_object_new_object();
	ok = ok && add(obj, "stats", stats);
	for (size_t i = 0; ok && i < SS_N_COUNTERS; i++)
		ok = add(stats, ss_counters[i].json, json_object_new_uint64(
				o->stats.ctr[ss_counters[i].type]));
	if (!ok) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

/* print @arr, pretty, and free it; NULL: out of memory */
static int put_json(json_object *arr)
{
	if (!arr) {
		pr_err("out of memory");
		return EXIT_RUNTIME;
	}
	puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_SPACED |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return 0;
}

int show_objects(enum ss_kind kind, const struct ss_object_list *list,
		 bool json)
{
	json_object *arr;

	if (!json) {
		for (size_t i = 0; i < list->len; i++)
			show_text(kind, &list->items[i], i == 0);
		return 0;
	}

	arr = json_object_new_array_ext((int)list->len);
	for (size_t i = 0; arr && i < list->len; i++) {
		json_object *obj = object_json(kind, &list->items[i]);

		if (!obj || json_object_array_add(arr, obj)) {
			json_object_put(obj);
			json_object_put(arr);
			arr = NULL;
		}
	}
	return put_json(arr);
}

/*
 * The columns of "user show": the counters a user has that matter most at
 * a glance; -j gives every counter the kernel sent for a user.
 */
static const struct {
	const char *head;
	int type;
} user_columns[] = {
	{ "CONN-ACTIVE", SS_STATS_A_CONN_ACTIVE },
	{ "CONN-TOTAL", SS_STATS_A_CONN_TOTAL },
	{ "BYTES-IN", SS_STATS_A_BYTES_IN },
	{ "BYTES-OUT", SS_STATS_A_BYTES_OUT },
	{ "UDP-PKTS-IN", SS_STATS_A_UDP_PKTS_IN },
	{ "UDP-PKTS-OUT", SS_STATS_A_UDP_PKTS_OUT },
	{ "AUTH-FAIL", SS_STATS_A_AUTH_FAIL },
};

#define N_USER_COLUMNS (sizeof(user_columns) / sizeof(user_columns[0]))

static int width_of(uint64_t v)
{
	char buf[24];

	return snprintf(buf, sizeof(buf), "%" PRIu64, v);
}

/* a table: a header, then one line per user, columns aligned */
static void users_text(const struct ss_user_list *list)
{
	int w_server = 6, w_user = 4, w[N_USER_COLUMNS];
	size_t c;

	if (!list->len)
		return;
	for (c = 0; c < N_USER_COLUMNS; c++)
		w[c] = (int)strlen(user_columns[c].head);
	for (size_t i = 0; i < list->len; i++) {
		const struct ss_user *u = &list->items[i];

		if ((int)strlen(u->server) > w_server)
			w_server = (int)strlen(u->server);
		if ((int)strlen(u->name) > w_user)
			w_user = (int)strlen(u->name);
		for (c = 0; c < N_USER_COLUMNS; c++)
			if (width_of(u->stats.ctr[user_columns[c].type]) > w[c])
				w[c] = width_of(u->stats.ctr[user_columns[c].type]);
	}
	printf("%-*s  %-*s", w_server, "SERVER", w_user, "USER");
	for (c = 0; c < N_USER_COLUMNS; c++)
		printf("  %*s", w[c], user_columns[c].head);
	putchar('\n');
	for (size_t i = 0; i < list->len; i++) {
		const struct ss_user *u = &list->items[i];

		printf("%-*s  %-*s", w_server, u->server, w_user, u->name);
		for (c = 0; c < N_USER_COLUMNS; c++)
			printf("  %*" PRIu64, w[c],
			       u->stats.ctr[user_columns[c].type]);
		putchar('\n');
	}
}

static json_object *user_json(const struct ss_user *u)
{
	json_object *obj = json_object_new_object(), *stats;
	bool ok;

	if (!obj)
		return NULL;
	ok = add(obj, "server", json_object_new_string(u->server)) &&
	     add(obj, "user", json_object_new_string(u->name));
	stats = json_object_new_object();
	ok = ok && add(obj, "stats", stats);
	for (size_t i = 0; ok && i < SS_N_COUNTERS; i++)
		if (user_has_counter(&u->stats, ss_counters[i].type))
			ok = add(stats, ss_counters[i].json,
				 json_object_new_uint64(
					u->stats.ctr[ss_counters[i].type]));
	if (!ok) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

int show_users(const struct ss_user_list *list, bool json)
{
	json_object *arr;

	if (!json) {
		users_text(list);
		return 0;
	}
	arr = json_object_new_array_ext((int)list->len);
	for (size_t i = 0; arr && i < list->len; i++) {
		json_object *obj = user_json(&list->items[i]);

		if (!obj || json_object_array_add(arr, obj)) {
			json_object_put(obj);
			json_object_put(arr);
			arr = NULL;
		}
	}
	return put_json(arr);
}

int show_args(const struct cmd *cmd, int argc, char *argv[],
	      const char *names[], size_t n, name_error_fn *const errors[],
	      bool *json)
{
	size_t given = 0;

	*json = cmd->opts->json;
	for (size_t k = 0; k < n; k++)
		names[k] = NULL;
	for (int i = 1; i < argc; i++) {
		bool j = !strcmp(argv[i], "-j") || !strcmp(argv[i], "--json");

		if (j && cmd->opts->batch)
			/* one JSON document per line would not be one document */
			return usage_error(cmd, "-j is not allowed in batch mode");
		else if (j)
			*json = true;
		else if (argv[i][0] == '-')
			return usage_error(cmd, "unknown option '%s'", argv[i]);
		else if (given == n)
			return usage_error(cmd, "unexpected argument '%s'",
					   argv[i]);
		else if (!name_valid(argv[i]))
			return errors[given](cmd, argv[i]);
		else
			names[given++] = argv[i];
	}
	return 0;
}

int show_main(const struct cmd *cmd, enum ss_kind kind, int argc,
	      char *argv[])
{
	static name_error_fn *const errors[] = { name_error };
	struct ss_object_list list;
	const char *name;
	struct ipc_error e;
	bool json;
	int ret;

	ret = show_args(cmd, argc, argv, &name, 1, errors, &json);
	if (ret)
		return ret;
	if (ipc_get(kind, name, &list, &e) < 0) {
		ipc_report(&e, kind, name ? "show" : "list", name, NULL);
		return EXIT_RUNTIME;
	}
	ret = show_objects(kind, &list, json);
	ipc_list_free(&list);
	return ret;
}
