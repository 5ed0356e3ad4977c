// SPDX-License-Identifier: GPL-2.0
/*
 * stats' output for two servers, a client profile and two SIP023 users,
 * each counter of ss_counters[] (generated from the spec) given a value of
 * its own per object: writes the Prometheus text to OUT and what a parser
 * must find in it to WANT (one line per sample: family without
 * "shadowsocks_", type, labels as "label=value,...", value), for
 * tests/stats-check.py, which reads OUT with prometheus_client's parser.
 * A client's name and a user's have a quote and a backslash (ssctl's
 * names never do) to test the label escapes. Users have the counters the
 * uapi gives them, and one more that the kernel sent for one of them
 * (udp_drop_window, as a newer module might): its family has that user's
 * sample only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters-gen.h"
#include "stats.h"

/* a value no other counter of any object has */
static uint64_t value_of(unsigned int obj, int type)
{
	return 1000000007ULL * (obj + 1) + 1000 * (uint64_t)type + 7;
}

static void want(FILE *f, const struct ss_counter *c, const char *label,
		 const struct ss_object *o, uint64_t v)
{
	fprintf(f, "%s\t%s\t%s=%s\t%" PRIu64 "\n", c->json,
		c->gauge ? "gauge" : "counter", label, o->name, v);
}

static void want_user(FILE *f, const struct ss_counter *c,
		      const struct ss_user *u, uint64_t v)
{
	fprintf(f, "user_%s\t%s\tserver=%s,user=%s\t%" PRIu64 "\n", c->json,
		c->gauge ? "gauge" : "counter", u->server, u->name, v);
}

int main(int argc, char *argv[])
{
	struct ss_object obj[3] = {
		{ .name = "web" }, { .name = "dns" }, { .name = "we\"ird\\one" },
	};
	struct ss_object_list servers = { .items = obj, .len = 2, .cap = 2 };
	struct ss_object_list clients = { .items = obj + 2, .len = 1,
					  .cap = 1 };
	struct ss_user user[2] = {
		{ .server = "web", .name = "alice" },
		{ .server = "web", .name = "b\"o\\b" },
	};
	struct ss_user_list users = { .items = user, .len = 2, .cap = 2 };
	FILE *out, *exp;

	if (argc != 3) {
		fprintf(stderr, "usage: %s OUT WANT\n", argv[0]);
		return 2;
	}
	out = fopen(argv[1], "w");
	exp = fopen(argv[2], "w");
	if (!out || !exp)
		return 1;
	for (unsigned int i = 0; i < 3; i++)
		for (size_t k = 0; k < SS_N_COUNTERS; k++)
			obj[i].stats.ctr[ss_counters[k].type] =
				value_of(i, ss_counters[k].type);
	for (unsigned int i = 0; i < 2; i++) {
		for (size_t k = 0; k < SS_N_COUNTERS; k++) {
			int t = ss_counters[k].type;

			user[i].stats.ctr[t] = value_of(3 + i, t);
			user[i].stats.sent[t] = user_has_counter(NULL, t) ||
				(i == 0 && t == SS_STATS_A_UDP_DROP_WINDOW);
		}
	}
	if (stats_write(out, &servers, &clients, &users) || fclose(out))
		return 1;
	for (size_t k = 0; k < SS_N_COUNTERS; k++)
		for (unsigned int i = 0; i < 3; i++)
			want(exp, &ss_counters[k], i < 2 ? "server" : "client",
			     &obj[i], value_of(i, ss_counters[k].type));
	for (size_t k = 0; k < SS_N_COUNTERS; k++)
		for (unsigned int i = 0; i < 2; i++)
			if (user[i].stats.sent[ss_counters[k].type])
				want_user(exp, &ss_counters[k], &user[i],
					  value_of(3 + i, ss_counters[k].type));
	return fclose(exp) ? 1 : 0;
}
