/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the command files share: the options given before the object, the
 * verb tables from which usage is generated, and error printing.
 */
#ifndef SSCTL_H
#define SSCTL_H

#include <stdbool.h>
#include <stdio.h>

#define PROG_NAME "ssctl"

/* exit status: 1 for runtime errors, 2 for bad command lines */
#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

struct ssctl_opts {
	bool json;		/* -j before the object */
	bool batch;		/* running the lines of a batch file (-b) */
	bool stdin_is_batch;	/* ... read from standard input */
};

struct cmd;

struct verb {
	const char *name;
	int (*function)(const struct cmd *cmd, int argc, char *argv[]);
	const char *args;	/* usage after "ssctl OBJECT VERB" */
	const char *description;
};

/* one object ("server", "client", "user") and its verbs */
struct object {
	const char *name;
	unsigned int kind;	/* enum ss_kind (config.h), for object.c */
	const struct verb *verbs;
	unsigned int n_verbs;
};

/* what a verb function is told about how it was called */
struct cmd {
	const struct object *object;
	const struct verb *verb;
	const struct ssctl_opts *opts;
	/* set when the arguments were read from a file, not the command
	 * line: usage_error() names it and prints no usage line
	 */
	const char *where;
};

/* the commands of ssctl.c's table; "COMMAND help" prints their usage */
int server_main(int argc, char *argv[], const struct ssctl_opts *opts);
int client_main(int argc, char *argv[], const struct ssctl_opts *opts);
int user_main(int argc, char *argv[], const struct ssctl_opts *opts);
int resolver_main(int argc, char *argv[], const struct ssctl_opts *opts);
int monitor_main(int argc, char *argv[], const struct ssctl_opts *opts);
int stats_main(int argc, char *argv[], const struct ssctl_opts *opts);

/* run argv[1] (a verb of @object); argv[0] is the object's name */
int object_main(const struct object *object, int argc, char *argv[],
		const struct ssctl_opts *opts);
void object_usage(FILE *f, const struct object *object, bool descriptions);

/* "ssctl: <message>\n" on stderr; in batch mode "ssctl: FILE:LINE: ..." */
void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * "ssctl: <message>\n" then the verb's usage line; returns EXIT_USAGE.
 * With cmd->where: "ssctl: <where>: <message>\n"; returns EXIT_RUNTIME.
 */
int usage_error(const struct cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
