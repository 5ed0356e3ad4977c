// SPDX-License-Identifier: GPL-2.0
/*
 * show's output carries every counter of the spec: for a server with UDP,
 * each counter of ss_counters[] (generated from the spec) is given a value
 * of its own, and must come out as its JSON member and somewhere in the
 * text block. A counter added to the spec is covered with no change here.
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

/* run show_objects() with stdout going to a string */
static char *render(const struct ss_object_list *list, bool json)
{
	FILE *real = stdout, *mem;
	char *buf = NULL;
	size_t len = 0;

	mem = open_memstream(&buf, &len);
	if (!mem)
		exit(1);
	stdout = mem;
	if (show_objects(SS_SERVER, list, json))
		exit(1);
	fclose(mem);
	stdout = real;
	return buf;
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
	printf("1..%d\n", n);
	json_object_put(arr);
	free(text);
	free(json);
	return failed ? 1 : 0;
}
