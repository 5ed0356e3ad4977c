// SPDX-License-Identifier: GPL-2.0
/*
 * ssctl: configure the Shadowsocks kernel module.
 *
 *   ssctl [-j] COMMAND [ARGS...]
 *
 * The commands are the table below; their usage is generated from it and
 * from each command's verb table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssctl.h"

#ifndef SSCTL_VERSION
#define SSCTL_VERSION "unknown"
#endif

static int help_main(int argc, char *argv[], const struct ssctl_opts *opts);

static const struct {
	const char *name;
	int (*function)(int argc, char *argv[], const struct ssctl_opts *opts);
	const char *description;
} commands[] = {
	{ "server", server_main, "Shadowsocks servers (listeners, server role)" },
	{ "client", client_main, "client profiles (where local relays connect)" },
	{ "help", help_main, "show this text, or the usage of one command" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

void pr_err(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void verb_usage(FILE *f, const char *prefix, const struct object *object,
		       const struct verb *verb)
{
	fprintf(f, "%s" PROG_NAME " %s %s%s%s\n", prefix, object->name,
		verb->name, verb->args[0] ? " " : "", verb->args);
}

int usage_error(const struct cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs(PROG_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	verb_usage(stderr, "Usage: ", cmd->object, cmd->verb);
	return EXIT_USAGE;
}

void object_usage(FILE *f, const struct object *object, bool descriptions)
{
	for (unsigned int i = 0; i < object->n_verbs; i++) {
		verb_usage(f, i ? "       " : "Usage: ", object, &object->verbs[i]);
		if (descriptions)
			fprintf(f, "           %s\n", object->verbs[i].description);
	}
}

int object_main(const struct object *object, int argc, char *argv[],
		const struct ssctl_opts *opts)
{
	/* "ssctl server" alone is "ssctl server show", as with ip(8) */
	const char *verb = argc > 1 ? argv[1] : "show";

	if (!strcmp(verb, "help") || !strcmp(verb, "--help") ||
	    !strcmp(verb, "-h")) {
		object_usage(stdout, object, true);
		return 0;
	}
	for (unsigned int i = 0; i < object->n_verbs; i++) {
		const struct cmd cmd = {
			.object = object,
			.verb = &object->verbs[i],
			.opts = opts,
		};

		if (strcmp(verb, object->verbs[i].name))
			continue;
		/* the verb's function gets its arguments from argv[1] on */
		return object->verbs[i].function(&cmd, argc > 1 ? argc - 1 : 1,
						 argc > 1 ? argv + 1 : argv);
	}
	pr_err("unknown command '%s %s'", object->name, verb);
	object_usage(stderr, object, false);
	return EXIT_USAGE;
}

/* @full: the help text; otherwise the short form for error messages */
static void usage(FILE *f, bool full)
{
	fputs("Usage: " PROG_NAME " [-j] <command> [<arguments>]\n"
	      "       " PROG_NAME " help [<command>]\n"
	      "       " PROG_NAME " --version\n", f);
	if (!full) {
		fputs("Commands:", f);
		for (size_t i = 0; i < N_COMMANDS; i++)
			fprintf(f, " %s", commands[i].name);
		fputs(" ('" PROG_NAME " --help' tells more)\n", f);
		return;
	}
	fputs("\nCommands:\n", f);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name,
			commands[i].description);
	fputs("\n"
	      "Options:\n"
	      "  -j         print the output of show as JSON\n"
	      "  --help     show this text\n"
	      "  --version  show the version\n"
	      "\n"
	      "'" PROG_NAME " help <command>' shows the usage of one command.\n",
	      f);
}

static int help_main(int argc, char *argv[], const struct ssctl_opts *opts)
{
	char help[] = "help";

	if (argc < 2 || !strcmp(argv[1], "help")) {
		usage(stdout, true);
		return 0;
	}
	if (argc > 2) {
		pr_err("help takes one command");
		fputs("Usage: " PROG_NAME " help [<command>]\n", stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		char *sub_argv[] = { argv[1], help, NULL };

		if (!strcmp(argv[1], commands[i].name))
			return commands[i].function(2, sub_argv, opts);
	}
	pr_err("unknown command '%s'", argv[1]);
	usage(stderr, false);
	return EXIT_USAGE;
}

int main(int argc, char *argv[])
{
	struct ssctl_opts opts = { 0 };
	int ret;

	/* options before the command */
	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			usage(stdout, true);
			return 0;
		} else if (!strcmp(argv[1], "--version") ||
			   !strcmp(argv[1], "-V")) {
			puts(PROG_NAME " " SSCTL_VERSION);
			return 0;
		} else if (!strcmp(argv[1], "-j") ||
			   !strcmp(argv[1], "--json")) {
			opts.json = true;
		} else {
			pr_err("unknown option '%s'", argv[1]);
			usage(stderr, false);
			return EXIT_USAGE;
		}
		argc--;
		argv++;
	}
	if (argc < 2) {
		pr_err("no command given");
		usage(stderr, false);
		return EXIT_USAGE;
	}

	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		ret = commands[i].function(argc - 1, argv + 1, &opts);
		if (fflush(stdout) || ferror(stdout)) {
			pr_err("cannot write the output");
			return EXIT_RUNTIME;
		}
		return ret;
	}
	pr_err("unknown command '%s'", argv[1]);
	usage(stderr, false);
	return EXIT_USAGE;
}
