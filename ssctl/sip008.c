// SPDX-License-Identifier: GPL-2.0
/*
 * "ssctl client import FILE": a client profile for each server of a SIP008
 * document, the JSON that providers hand out:
 *
 *   { "version": 1, "servers": [ { "id": UUID, "remarks": NAME,
 *     "server": HOST, "server_port": PORT, "method": METHOD,
 *     "password": PASSWORD, "plugin": ..., "plugin_opts": ... }, ... ] }
 *
 * Every server is checked, as "client add" checks its command line, before
 * any profile is added; if the kernel then refuses one, those added before
 * it are deleted again, so that an import adds all or nothing.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config.h"
#include "ipc.h"
#include "json_file.h"
#include "sip008.h"

/* the servers of one document at most: a profile each */
#define IMPORT_MAX 1024

static json_object *json_member(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* a member that must be a non-empty string, or NULL after saying why */
static const char *json_string(json_object *server, const char *key,
			       const char *path, size_t i)
{
	json_object *v = json_member(server, key);

	if (!v || !json_object_is_type(v, json_type_string) ||
	    !json_object_get_string_len(v)) {
		pr_err("%s: servers[%zu]: '%s' %s", path, i, key,
		       !v ? "is missing" : "must be a non-empty string");
		return NULL;
	}
	if (!json_string_whole(v)) {
		pr_err("%s: servers[%zu]: '%s' holds a NUL character (\\u0000)",
		       path, i, key);
		return NULL;
	}
	return json_object_get_string(v);
}

/*
 * A profile's name: the server's remarks, else its id, each character
 * that a name may not hold made '_', cut to the longest name.
 */
static void import_name(json_object *server, size_t i, char *name)
{
	const char *from = NULL, *keys[] = { "remarks", "id" };
	size_t len = 0;

	for (size_t k = 0; k < 2 && !from; k++) {
		json_object *v = json_member(server, keys[k]);

		if (v && json_object_is_type(v, json_type_string) &&
		    json_object_get_string_len(v))
			from = json_object_get_string(v);
	}
	if (!from) {
		snprintf(name, SS_NAME_MAX, "sip008-%zu", i);
		return;
	}
	for (; *from && len < SS_NAME_MAX - 1; from++) {
		char c = *from;

		name[len++] = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "abcdefghijklmnopqrstuvwxyz"
				     "0123456789_.-", c) && c ? c : '_';
	}
	name[len] = '\0';
}

/*
 * Server @i of @path into @cfg, through config_parse(), as if given as
 * "client add NAME server HOST port PORT method METHOD (password|key) PW".
 */
static int import_server(const struct cmd *cmd, json_object *server,
			 const char *path, size_t i, struct ss_config *cfg)
{
	const char *host, *method, *password, *plugin = NULL;
	char name[SS_NAME_MAX], port[16], where[PATH_MAX + 64], *secret;
	struct cmd from_file = *cmd;
	const struct method *m;
	json_object *v;
	int64_t p;
	int ret;

	if (!json_object_is_type(server, json_type_object)) {
		pr_err("%s: servers[%zu] is not an object", path, i);
		return EXIT_RUNTIME;
	}
	import_name(server, i, name);
	host = json_string(server, "server", path, i);
	method = host ? json_string(server, "method", path, i) : NULL;
	password = method ? json_string(server, "password", path, i) : NULL;
	if (!password)
		return EXIT_RUNTIME;
	v = json_member(server, "server_port");
	if (!v || !json_object_is_type(v, json_type_int) ||
	    (p = json_object_get_int64(v)) < 1 || p > 65535) {
		pr_err("%s: servers[%zu]: 'server_port' %s", path, i,
		       v ? "must be a number from 1 to 65535" : "is missing");
		return EXIT_RUNTIME;
	}
	snprintf(port, sizeof(port), "%lld", (long long)p);
	v = json_member(server, "plugin");
	if (v && json_object_is_type(v, json_type_string) &&
	    json_object_get_string_len(v))
		plugin = json_object_get_string(v);
	if (plugin) {
		pr_err("%s: servers[%zu] ('%s') is reached through the plugin '%s' (SIP003), which client profiles do not run: ss-socksd --plugin runs it (see ss-socksd(8))",
		       path, i, name, plugin);
		return EXIT_RUNTIME;
	}
	m = method_by_name(method);
	/* config_parse()'s messages name the server, with no usage line */
	snprintf(where, sizeof(where), "%s: servers[%zu] ('%s')", path, i,
		 name);
	from_file.where = where;
	secret = strdup(password);
	if (!secret) {
		pr_err("out of memory");
		return EXIT_RUNTIME;
	}
	{
		char *argv[] = {
			(char *)cmd->verb->name, name,
			"server", (char *)host, "port", port,
			"method", (char *)method,
			/* 2022: the password member holds the base64 PSK */
			m && m->psk_only ? "key" : "password", secret,
		};

		ret = config_parse(cfg, SS_CLIENT, &from_file,
				   sizeof(argv) / sizeof(argv[0]), argv);
	}
	OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
	return ret ? EXIT_RUNTIME : 0;
}

/* undo the first @n adds of an import the kernel refused */
static void import_undo(const struct ss_config *cfgs, size_t n)
{
	struct ipc_error e;

	for (size_t i = 0; i < n; i++) {
		if (ipc_del(SS_CLIENT, cfgs[i].name, &e) < 0) {
			ipc_report(&e, SS_CLIENT, "delete", cfgs[i].name, NULL);
			pr_err("client '%s' was imported and stays", cfgs[i].name);
		}
	}
}

int client_import(const struct cmd *cmd, int argc, char *argv[])
{
	struct ss_config *cfgs = NULL;
	json_object *root, *servers, *v;
	const char *path;
	struct ipc_error e;
	size_t n = 0, i;
	int ret = 0;

	if (argc != 2)
		return usage_error(cmd, argc < 2 ? "missing FILE" :
				   "too many arguments");
	path = argv[1];
	root = json_read_file(path, "SIP008 document");
	if (!root)
		return EXIT_RUNTIME;

	v = json_member(root, "version");
	servers = json_member(root, "servers");
	if (!json_object_is_type(root, json_type_object)) {
		pr_err("%s: not a SIP008 document (a JSON object)", path);
		ret = EXIT_RUNTIME;
	} else if (!v || !json_object_is_type(v, json_type_int) ||
		   json_object_get_int64(v) != 1) {
		pr_err("%s: %s (SIP008 version 1 is understood)", path,
		       v ? "unknown version" : "no 'version'");
		ret = EXIT_RUNTIME;
	} else if (!servers || !json_object_is_type(servers, json_type_array) ||
		   !json_object_array_length(servers)) {
		pr_err("%s: %s", path, !servers ? "no 'servers'" :
		       "'servers' must be an array of at least one server");
		ret = EXIT_RUNTIME;
	} else if ((n = json_object_array_length(servers)) > IMPORT_MAX) {
		pr_err("%s: %zu servers: at most %d are imported at once", path,
		       n, IMPORT_MAX);
		ret = EXIT_RUNTIME;
	} else if (!(cfgs = calloc(n, sizeof(*cfgs)))) {
		pr_err("out of memory");
		ret = EXIT_RUNTIME;
	}

	/* every server checked before the kernel hears of any */
	for (i = 0; !ret && i < n; i++) {
		ret = import_server(cmd, json_object_array_get_idx(servers, i),
				    path, i, &cfgs[i]);
		for (size_t j = 0; !ret && j < i; j++) {
			if (strcmp(cfgs[j].name, cfgs[i].name))
				continue;
			pr_err("%s: servers[%zu] and servers[%zu] would both be client '%s': give them remarks that differ",
			       path, j, i, cfgs[i].name);
			ret = EXIT_RUNTIME;
		}
	}
	/* the document's passwords, on every path: wiped in json-c's copy */
	json_wipe_strings(root);
	json_object_put(root);
	if (ret && n)
		pr_err("%s: nothing was imported", path);

	for (i = 0; !ret && i < n; i++) {
		if (ipc_add(&cfgs[i], &e) < 0) {
			ipc_report(&e, SS_CLIENT, "add", cfgs[i].name,
				   cfgs[i].method->name);
			import_undo(cfgs, i);
			pr_err("%s: nothing was imported", path);
			ret = EXIT_RUNTIME;
		}
	}
	if (!ret) {
		for (i = 0; i < n; i++)
			printf("client %s imported (%s)\n", cfgs[i].name,
			       cfgs[i].method->name);
	}
	for (i = 0; cfgs && i < n; i++)
		config_wipe(&cfgs[i]);
	free(cfgs);
	return ret;
}
