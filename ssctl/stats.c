// SPDX-License-Identifier: GPL-2.0
/*
 * ssctl stats: every counter of every server and client profile of this
 * network namespace, in the Prometheus text exposition format (version
 * 0.0.4), for node_exporter's textfile collector or any scraper. One
 * family per counter of the spec (ss_counters[], generated from it), named
 * shadowsocks_<counter>, its HELP the spec's doc, its TYPE gauge or counter
 * (counters end in _total, as Prometheus names them); one sample per
 * object, labelled server="NAME" or client="NAME".
 *
 * With -o FILE the output goes to FILE.tmp.PID, then is renamed over FILE,
 * so that a collector reading FILE never sees half of it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "counters-gen.h"
#include "stats.h"

#define USAGE "Usage: " PROG_NAME " stats [-o FILE]\n"

/* @s with the escapes of a HELP line (\\ and \n) */
static void put_help(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* @s with the escapes of a label value (\\, \" and \n) */
static void put_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* the family's name: shadowsocks_<json>, and _total for a counter */
static void put_name(FILE *f, const struct ss_counter *c)
{
	size_t len = strlen(c->json);

	fprintf(f, "shadowsocks_%s", c->json);
	if (!c->gauge &&
	    (len < 6 || strcmp(c->json + len - 6, "_total") != 0))
		fputs("_total", f);
}

static void put_samples(FILE *f, const struct ss_counter *c,
			const char *label, const struct ss_object_list *list)
{
	for (size_t i = 0; i < list->len; i++) {
		put_name(f, c);
		fprintf(f, "{%s=\"", label);
		put_label(f, list->items[i].name);
		fprintf(f, "\"} %" PRIu64 "\n",
			list->items[i].stats.ctr[c->type]);
	}
}

int stats_write(FILE *f, const struct ss_object_list *servers,
		const struct ss_object_list *clients)
{
	for (size_t i = 0; i < SS_N_COUNTERS; i++) {
		const struct ss_counter *c = &ss_counters[i];

		fputs("# HELP ", f);
		put_name(f, c);
		fputc(' ', f);
		put_help(f, c->doc);
		fputs("\n# TYPE ", f);
		put_name(f, c);
		fputs(c->gauge ? " gauge\n" : " counter\n", f);
		put_samples(f, c, "server", servers);
		put_samples(f, c, "client", clients);
	}
	return ferror(f) ? -EIO : 0;
}

/* write to @path's temporary name, then rename it over @path */
static int write_file(const char *path, const struct ss_object_list *servers,
		      const struct ss_object_list *clients)
{
	char tmp[4096];
	FILE *f;
	int err;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
			     (long)getpid()) >= sizeof(tmp)) {
		pr_err("stats: file name too long: %s", path);
		return EXIT_RUNTIME;
	}
	f = fopen(tmp, "w");
	if (!f) {
		pr_err("stats: cannot write '%s': %s", tmp, strerror(errno));
		return EXIT_RUNTIME;
	}
	err = stats_write(f, servers, clients);
	if (fclose(f) || err) {
		pr_err("stats: cannot write '%s': %s", tmp, strerror(errno));
		unlink(tmp);
		return EXIT_RUNTIME;
	}
	if (rename(tmp, path)) {
		pr_err("stats: cannot rename '%s' to '%s': %s", tmp, path,
		       strerror(errno));
		unlink(tmp);
		return EXIT_RUNTIME;
	}
	return 0;
}

int stats_main(int argc, char *argv[], const struct ssctl_opts *opts)
{
	struct ss_object_list servers = { 0 }, clients = { 0 };
	const char *path = NULL;
	struct ipc_error e;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "help") || !strcmp(argv[i], "--help") ||
		    !strcmp(argv[i], "-h")) {
			fputs(USAGE
			      "Print every counter of every server and client profile of this network\n"
			      "namespace in the Prometheus text format: one family per counter\n"
			      "(shadowsocks_<counter>, counters ending in _total), one sample per object\n"
			      "labelled server=\"NAME\" or client=\"NAME\".\n"
			      "  -o FILE   write FILE whole (a temporary file renamed over it), as\n"
			      "            node_exporter's textfile collector wants\n", stdout);
			return 0;
		}
		if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) &&
		    !path) {
			if (i + 1 == argc) {
				pr_err("stats: %s needs a FILE", argv[i]);
				fputs(USAGE, stderr);
				return EXIT_USAGE;
			}
			path = argv[++i];
			continue;
		}
		pr_err("stats: unexpected argument '%s'", argv[i]);
		fputs(USAGE, stderr);
		return EXIT_USAGE;
	}
	if (opts->json) {
		pr_err("stats: -j does not apply (the format is Prometheus')");
		fputs(USAGE, stderr);
		return EXIT_USAGE;
	}

	if (ipc_get(SS_SERVER, NULL, &servers, &e) < 0) {
		ipc_report(&e, SS_SERVER, "list", NULL, NULL);
		return EXIT_RUNTIME;
	}
	if (ipc_get(SS_CLIENT, NULL, &clients, &e) < 0) {
		ipc_report(&e, SS_CLIENT, "list", NULL, NULL);
		ipc_list_free(&servers);
		return EXIT_RUNTIME;
	}
	if (path) {
		ret = write_file(path, &servers, &clients);
	} else {
		ret = stats_write(stdout, &servers, &clients) ||
		      fflush(stdout) ? EXIT_RUNTIME : 0;
		if (ret)
			pr_err("stats: cannot write the output");
	}
	ipc_list_free(&servers);
	ipc_list_free(&clients);
	return ret;
}
