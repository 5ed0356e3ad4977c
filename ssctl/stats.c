// SPDX-License-Identifier: GPL-2.0
/*
 * ssctl stats: every counter of every server and client profile of this
 * network namespace, in the Prometheus text exposition format (version
 * 0.0.4), for node_exporter's textfile collector or any scraper. One
 * family per counter of the spec (ss_counters[], generated from it), named
 * shadowsocks_<counter>, its HELP the spec's doc, its TYPE gauge or counter
 * (counters end in _total, as Prometheus names them); one sample per
 * object, labelled server="NAME" or client="NAME". Then the counters of
 * SIP023 users, in families of their own, shadowsocks_user_<counter>, one
 * sample per user labelled server="SERVER",user="USER": in the families of
 * the servers, a sum over a server's samples would count its users twice
 * (the server's counters count its users' too), and a family's samples
 * had best have the same labels.
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

/*
 * The family's name: shadowsocks_<json> (@user: shadowsocks_user_<json>),
 * and _total for a counter
 */
static void put_name(FILE *f, const struct ss_counter *c, bool user)
{
	size_t len = strlen(c->json);

	fprintf(f, "shadowsocks_%s%s", user ? "user_" : "", c->json);
	if (!c->gauge &&
	    (len < 6 || strcmp(c->json + len - 6, "_total") != 0))
		fputs("_total", f);
}

static void put_family(FILE *f, const struct ss_counter *c, bool user)
{
	fputs("# HELP ", f);
	put_name(f, c, user);
	fputc(' ', f);
	if (user)
		fputs("Of one SIP023 user of a server (which counts it too): ",
		      f);
	put_help(f, c->doc);
	fputs("\n# TYPE ", f);
	put_name(f, c, user);
	fputs(c->gauge ? " gauge\n" : " counter\n", f);
}

static void put_samples(FILE *f, const struct ss_counter *c,
			const char *label, const struct ss_object_list *list)
{
	for (size_t i = 0; i < list->len; i++) {
		put_name(f, c, false);
		fprintf(f, "{%s=\"", label);
		put_label(f, list->items[i].name);
		fprintf(f, "\"} %" PRIu64 "\n",
			list->items[i].stats.ctr[c->type]);
	}
}

/* the counter of each user that has it, but for the kernel's */
static void put_user_family(FILE *f, const struct ss_counter *c,
			    const struct ss_user_list *users)
{
	size_t i;

	/* the counters the uapi gives users, and any the kernel sent */
	for (i = 0; !user_has_counter(NULL, c->type) && i < users->len; i++)
		if (user_has_counter(&users->items[i].stats, c->type))
			break;
	if (i == users->len && !user_has_counter(NULL, c->type))
		return;
	put_family(f, c, true);
	for (i = 0; i < users->len; i++) {
		const struct ss_user *u = &users->items[i];

		if (!user_has_counter(&u->stats, c->type))
			continue;
		put_name(f, c, true);
		fputs("{server=\"", f);
		put_label(f, u->server);
		fputs("\",user=\"", f);
		put_label(f, u->name);
		fprintf(f, "\"} %" PRIu64 "\n", u->stats.ctr[c->type]);
	}
}

int stats_write(FILE *f, const struct ss_object_list *servers,
		const struct ss_object_list *clients,
		const struct ss_user_list *users)
{
	for (size_t i = 0; i < SS_N_COUNTERS; i++) {
		const struct ss_counter *c = &ss_counters[i];

		put_family(f, c, false);
		put_samples(f, c, "server", servers);
		put_samples(f, c, "client", clients);
	}
	for (size_t i = 0; i < SS_N_COUNTERS; i++)
		put_user_family(f, &ss_counters[i], users);
	return ferror(f) ? -EIO : 0;
}

/* write to @path's temporary name, then rename it over @path */
static int write_file(const char *path, const struct ss_object_list *servers,
		      const struct ss_object_list *clients,
		      const struct ss_user_list *users)
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
	err = stats_write(f, servers, clients, users);
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
	struct ss_user_list users = { 0 };
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
			      "labelled server=\"NAME\" or client=\"NAME\"; SIP023 users' counters in\n"
			      "families of their own (shadowsocks_user_<counter>), labelled\n"
			      "server=\"SERVER\",user=\"USER\".\n"
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
	/* a module from before users: none to list */
	if (ipc_user_get(NULL, NULL, &users, &e) < 0 &&
	    (e.err != EOPNOTSUPP || e.msg[0])) {
		ipc_user_report(&e, "list", NULL, NULL);
		ipc_list_free(&servers);
		ipc_list_free(&clients);
		return EXIT_RUNTIME;
	}
	if (path) {
		ret = write_file(path, &servers, &clients, &users);
	} else {
		ret = stats_write(stdout, &servers, &clients, &users) ||
		      fflush(stdout) ? EXIT_RUNTIME : 0;
		if (ret)
			pr_err("stats: cannot write the output");
	}
	ipc_list_free(&servers);
	ipc_list_free(&clients);
	ipc_user_list_free(&users);
	return ret;
}
