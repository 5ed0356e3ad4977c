// SPDX-License-Identifier: GPL-2.0
/*
 * show's output carries every counter of the spec: for a server with UDP,
 * each counter of ss_counters[] (generated from the spec) is given a value
 * of its own, and must come out as its JSON member and somewhere in the
 * text block. A counter added to the spec is covered with no change here.
 * A server that can have users shows their number. "user show": the table
 * (a header, a line per user, the columns' values) and the JSON (server,
 * user, and stats with exactly the counters of users, plus one more the
 * kernel sent).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "counters-gen.h"
#include "show.h"

static int n, failed;

static void result(int ok, const char *what, const char *name)
{
	printf("%sok %d - %s %s\n", ok ? "" : "not ", ++n, what, name);
	if (!ok)
		failed++;
}

/* a value no other counter has, of the same width as all of them */
static uint64_t value_of(int type)
{
	return 7000000 + 1000 * (uint64_t)type + 7;
}

/* run show_objects(), or show_users() for @users, to a string */
static char *render_any(const struct ss_object_list *list,
			const struct ss_user_list *users, bool json)
{
	FILE *real = stdout, *mem;
	char *buf = NULL;
	size_t len = 0;

	mem = open_memstream(&buf, &len);
	if (!mem)
		exit(1);
	stdout = mem;
	if (users ? show_users(users, json) : show_objects(SS_SERVER, list, json))
		exit(1);
	fclose(mem);
	stdout = real;
	return buf;
}

static char *render(const struct ss_object_list *list, bool json)
{
	return render_any(list, NULL, json);
}

/* @text is @lines lines of the same length */
static bool same_widths(const char *text, int lines)
{
	const char *nl, *p = text;
	long width = -1;
	int n_lines = 0;

	for (; (nl = strchr(p, '\n')); p = nl + 1, n_lines++) {
		if (width >= 0 && nl - p != width)
			return false;
		width = nl - p;
	}
	return !*p && n_lines == lines;
}

/* the tests of "user show" */
static void test_users(void)
{
	struct ss_user u[2] = {
		{ .server = "ss22", .name = "alice" },
		{ .server = "ss22", .name = "a-much-longer-user.name" },
	};
	struct ss_user_list list = { .items = u, .len = 2, .cap = 2 };
	struct ss_user_list none = { 0 };
	char *text, *json, *empty, *line2, *line3, want[256];
	json_object *arr, *o, *v, *stats;
	size_t n_user = 0;

	for (int i = 0; i < 2; i++)
		for (int t = 1; t <= SS_STATS_A_MAX; t++) {
			u[i].stats.ctr[t] = 900000 + 10000 * (uint64_t)i + t;
			u[i].stats.sent[t] = user_has_counter(NULL, t);
		}
	/* a counter a newer kernel might send for users */
	u[1].stats.sent[SS_STATS_A_UDP_DROP_WINDOW] = true;
	for (int t = 1; t <= SS_STATS_A_MAX; t++)
		n_user += user_has_counter(NULL, t);

	text = render_any(NULL, &list, false);
	json = render_any(NULL, &list, true);
	empty = render_any(NULL, &none, false);
	line2 = strchr(text, '\n');
	line3 = line2 ? strchr(line2 + 1, '\n') : NULL;
	result(!strncmp(text, "SERVER  USER                     CONN-ACTIVE  CONN-TOTAL  BYTES-IN  BYTES-OUT  UDP-PKTS-IN  UDP-PKTS-OUT  AUTH-FAIL\n", 116),
	       "user show:", "the header, columns as wide as the longest name");
	snprintf(want, sizeof(want), "ss22    %-23s  %11d  %10d  %8d  %9d  %11d  %12d  %9d\n",
		 "alice", 900000 + SS_STATS_A_CONN_ACTIVE,
		 900000 + SS_STATS_A_CONN_TOTAL, 900000 + SS_STATS_A_BYTES_IN,
		 900000 + SS_STATS_A_BYTES_OUT, 900000 + SS_STATS_A_UDP_PKTS_IN,
		 900000 + SS_STATS_A_UDP_PKTS_OUT,
		 900000 + SS_STATS_A_AUTH_FAIL);
	result(line3 && !strncmp(line2 + 1, want, strlen(want)),
	       "user show:", "a user's line, the numbers right-aligned");
	result(line3 && strstr(line3 + 1, "a-much-longer-user.name") &&
	       same_widths(text, 3), "user show:", "three lines, as wide");
	result(empty && !empty[0], "user show:", "no users: nothing");

	arr = json_tokener_parse(json);
	result(arr && json_object_array_length(arr) == 2, "user show -j:",
	       "an array of the users");
	o = arr ? json_object_array_get_idx(arr, 0) : NULL;
	result(o && json_object_object_get_ex(o, "server", &v) &&
	       !strcmp(json_object_get_string(v), "ss22") &&
	       json_object_object_get_ex(o, "user", &v) &&
	       !strcmp(json_object_get_string(v), "alice") &&
	       json_object_object_length(o) == 3,
	       "user show -j:", "server, user and stats, nothing else");
	result(o && json_object_object_get_ex(o, "stats", &stats) &&
	       (size_t)json_object_object_length(stats) == n_user && n_user == 10 &&
	       json_object_object_get_ex(stats, "udp_assoc_active", &v) &&
	       json_object_get_uint64(v) == 900000 + SS_STATS_A_UDP_ASSOC_ACTIVE &&
	       !json_object_object_get_ex(stats, "replay", &v),
	       "user show -j:", "stats: the 10 counters of users");
	o = arr ? json_object_array_get_idx(arr, 1) : NULL;
	result(o && json_object_object_get_ex(o, "stats", &stats) &&
	       (size_t)json_object_object_length(stats) == n_user + 1 &&
	       json_object_object_get_ex(stats, "udp_drop_window", &v) &&
	       json_object_get_uint64(v) == 910000 + SS_STATS_A_UDP_DROP_WINDOW,
	       "user show -j:", "stats: and one more the kernel sent");
	json_object_put(arr);
	free(text);
	free(json);
	free(empty);
}

int main(void)
{
	struct ss_object obj = { .name = "web", .has_ipv4 = true, .port = 8388,
				 .method = 3, .has_mode = true,
				 .mode = SS_MODE_TCP_AND_UDP, .timeout = 60 };
	struct ss_object_list list = { .items = &obj, .len = 1, .cap = 1 };
	json_object *arr, *stats = NULL;
	char *text, *json;

	inet_pton(AF_INET, "192.0.2.7", &obj.ipv4);
	for (size_t i = 0; i < SS_N_COUNTERS; i++)
		obj.stats.ctr[ss_counters[i].type] =
			value_of(ss_counters[i].type);
	text = render(&list, false);
	json = render(&list, true);

	printf("TAP version 13\n");
	arr = json_tokener_parse(json);
	result(arr && json_object_object_get_ex(
			json_object_array_get_idx(arr, 0), "stats", &stats),
	       "show -j has", "a stats object");
	result(stats && (size_t)json_object_object_length(stats) ==
			SS_N_COUNTERS,
	       "show -j stats has one member per counter of", "the spec");
	for (size_t i = 0; i < SS_N_COUNTERS; i++) {
		const struct ss_counter *c = &ss_counters[i];
		json_object *v;
		char num[32];

		result(stats && json_object_object_get_ex(stats, c->json, &v) &&
		       json_object_get_uint64(v) == value_of(c->type),
		       "show -j reports", c->json);
		snprintf(num, sizeof(num), " %" PRIu64 "", value_of(c->type));
		result(strstr(text, num) != NULL, "show (text) reports",
		       c->json);
	}
	json_object_put(arr);
	free(text);
	free(json);

	/* a server that can have users, and one that cannot */
	obj.has_users = true;
	obj.users = 3;
	text = render(&list, false);
	json = render(&list, true);
	arr = json_tokener_parse(json);
	result(strstr(text, "\n  users: 3\n") != NULL, "show (text) reports",
	       "users");
	result(arr && json_object_object_get_ex(
			json_object_array_get_idx(arr, 0), "users", &stats) &&
	       json_object_get_int(stats) == 3, "show -j reports", "users");
	json_object_put(arr);
	free(text);
	free(json);
	obj.has_users = false;
	text = render(&list, false);
	json = render(&list, true);
	result(!strstr(text, "users") && !strstr(json, "\"users\""),
	       "show, a server without users:", "no users");
	free(text);
	free(json);

	test_users();
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
