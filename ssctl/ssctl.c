// SPDX-License-Identifier: GPL-2.0
/*
 * ssctl: configure the Shadowsocks kernel module.
 *
 *   ssctl [-j] COMMAND [ARGS...]
 *   ssctl -b FILE
 *
 * The commands are the table below; their usage is generated from it and
 * from each command's verb table. Batch mode (-b) runs the lines of a file
 * as commands, in order, and stops at the first that fails.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <openssl/crypto.h>

#include "ipc.h"
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
	{ "user", user_main, "SIP023 users of Shadowsocks 2022 servers" },
	{ "resolver", resolver_main, "answer the module's name lookups in this namespace" },
	{ "monitor", monitor_main, "print the module's events in this namespace" },
	{ "stats", stats_main, "every counter, in the Prometheus text format" },
	{ "help", help_main, "show this text, or the usage of one command" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* in batch mode, the file and line whose command is running */
static const char *batch_file;
static unsigned long batch_line;

/* "ssctl: ", and in batch mode "FILE:LINE: " after it */
static void err_prefix(void)
{
	fputs(PROG_NAME ": ", stderr);
	if (batch_file)
		fprintf(stderr, "%s:%lu: ", batch_file, batch_line);
}

static void vpr_err(const char *fmt, va_list ap)
{
	err_prefix();
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pr_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpr_err(fmt, ap);
	va_end(ap);
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

	if (cmd->where) {
		err_prefix();
		fprintf(stderr, "%s: ", cmd->where);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
		return EXIT_RUNTIME;
	}
	va_start(ap, fmt);
	vpr_err(fmt, ap);
	va_end(ap);
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
	      "       " PROG_NAME " -b|--batch <file>\n"
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
	      "  -j, --json         print the output of show as JSON\n"
	      "  -b, --batch FILE   run the commands of FILE ('-': standard input),\n"
	      "                     one a line, in order; stop at the first that\n"
	      "                     fails. A line is a command line without the\n"
	      "                     leading 'ssctl': words are separated by blanks,\n"
	      "                     \"...\" quotes blanks (\\\" and \\\\ within), lines\n"
	      "                     starting with # are comments. No -j.\n"
	      "  -h, --help         show this text\n"
	      "  -V, --version      show the version\n"
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

/* run one command line; argv[0] is the command's name */
static int run_command(int argc, char *argv[], const struct ssctl_opts *opts)
{
	int ret;

	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		ret = commands[i].function(argc, argv, opts);
		if (fflush(stdout) || ferror(stdout)) {
			pr_err("cannot write the output");
			return EXIT_RUNTIME;
		}
		return ret;
	}
	pr_err("unknown command '%s'", argv[0]);
	usage(stderr, false);
	return EXIT_USAGE;
}

/*
 * Split @line in place into words: runs of characters other than blanks
 * (space, tab, CR, LF); a part in double quotes may hold blanks, and
 * within it \" and \\ stand for " and \. A line whose first non-blank
 * character is # is a comment. Returns the number of words (0 for an
 * empty line or a comment) with pointers into @line in (*words)[], or -1
 * with *err set.
 */
static int split_words(char *line, char ***words, size_t *cap,
		       const char **err)
{
	static const char blanks[] = " \t\r\n";
	char *r = line + strspn(line, blanks), *w = line;
	size_t n = 0;

	if (*r == '#')
		return 0;
	while (*r) {
		bool quoted = false;

		if (n + 1 >= *cap) {
			size_t c = *cap ? *cap * 2 : 16;
			char **p = reallocarray(*words, c, sizeof(*p));

			if (!p) {
				*err = "out of memory";
				return -1;
			}
			*words = p;
			*cap = c;
		}
		(*words)[n++] = w;
		/* one word: stop at a blank outside quotes */
		for (; *r && (quoted || !strchr(blanks, *r)); r++) {
			if (*r == '"') {
				quoted = !quoted;
			} else if (quoted && *r == '\\' &&
				   (r[1] == '"' || r[1] == '\\')) {
				*w++ = *++r;
			} else {
				*w++ = *r;
			}
		}
		if (quoted) {
			*err = "unterminated quote";
			return -1;
		}
		/* w <= r: the terminator overwrites what has been read */
		if (*r)
			r++;
		*w++ = '\0';
		r += strspn(r, blanks);
	}
	if (n)
		(*words)[n] = NULL;
	return (int)n;
}

/*
 * The stdio buffer of the batch file, wiped at the end with the line, as
 * both may hold passwords. Static: stdin keeps pointing at it.
 */
static char batch_iobuf[BUFSIZ];

/* ssctl -b FILE: each line a command; stop at the first that fails */
static int batch_main(const char *path, struct ssctl_opts *opts)
{
	bool from_stdin = !strcmp(path, "-");
	char *line = NULL, **words = NULL;
	size_t size = 0, cap = 0;
	int ret = 0, n;
	const char *err = "";
	ssize_t len;
	FILE *f;

	f = from_stdin ? stdin : fopen(path, "re");
	if (!f) {
		pr_err("cannot open batch file '%s': %s", path, strerror(errno));
		return EXIT_RUNTIME;
	}
	setvbuf(f, batch_iobuf, _IOFBF, sizeof(batch_iobuf));
	opts->batch = true;
	opts->stdin_is_batch = from_stdin;
	batch_file = path;
	/* one netlink socket for every line: thousands of "user add" */
	ipc_keep_socket(true);

	for (batch_line = 1; (len = getline(&line, &size, f)) >= 0;
	     batch_line++) {
		if (strlen(line) != (size_t)len) {
			pr_err("a NUL byte in the line");
			ret = EXIT_RUNTIME;
			break;
		}
		n = split_words(line, &words, &cap, &err);
		if (n < 0) {
			pr_err("%s", err);
			ret = EXIT_RUNTIME;
			break;
		}
		if (n > 0 && words[0][0] == '-') {
			pr_err("no options in batch mode: '%s' (a line is a command without 'ssctl')",
			       words[0]);
			ret = EXIT_RUNTIME;
			break;
		}
		if (n > 0)
			ret = run_command(n, words, opts);
		OPENSSL_cleanse(line, size);
		if (ret) {
			/* whatever the line's own status, the batch failed */
			ret = EXIT_RUNTIME;
			break;
		}
	}
	if (!ret && ferror(f)) {
		batch_file = NULL;
		pr_err("cannot read batch file '%s': %s", path, strerror(errno));
		ret = EXIT_RUNTIME;
	}
	if (line)
		OPENSSL_cleanse(line, size);
	free(line);
	free(words);
	if (!from_stdin)
		fclose(f);
	ipc_keep_socket(false);
	OPENSSL_cleanse(batch_iobuf, sizeof(batch_iobuf));
	batch_file = NULL;
	return ret;
}

int main(int argc, char *argv[])
{
	struct ssctl_opts opts = { 0 };
	const char *batch = NULL;

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
		} else if (!strcmp(argv[1], "-b") ||
			   !strcmp(argv[1], "--batch")) {
			if (argc < 3 || batch) {
				if (batch)
					pr_err("only one batch file may be given");
				else
					pr_err("'%s' needs a FILE ('-': standard input)",
					       argv[1]);
				usage(stderr, false);
				return EXIT_USAGE;
			}
			batch = argv[2];
			argc--;
			argv++;
		} else {
			pr_err("unknown option '%s'", argv[1]);
			usage(stderr, false);
			return EXIT_USAGE;
		}
		argc--;
		argv++;
	}
	if (batch) {
		if (opts.json || argc > 1) {
			if (opts.json)
				pr_err("-j is not allowed in batch mode");
			else
				pr_err("unexpected argument '%s' after the batch file",
				       argv[1]);
			usage(stderr, false);
			return EXIT_USAGE;
		}
		return batch_main(batch, &opts);
	}
	if (argc < 2) {
		pr_err("no command given");
		usage(stderr, false);
		return EXIT_USAGE;
	}
	return run_command(argc - 1, argv + 1, &opts);
}
