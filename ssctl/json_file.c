// SPDX-License-Identifier: GPL-2.0
/*
 * JSON documents that hold secrets, for ss-socksd (-c config.json) and
 * ssctl (client import): read unbuffered and whole, so that no copy of a
 * password stays in a stdio buffer, and our copy wiped once parsed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "json_file.h"
#include "ssctl.h"

json_object *json_read_file(const char *path, const char *what)
{
	enum json_tokener_error jerr;
	json_object *root = NULL;
	size_t len = 0;
	char *buf;
	size_t n;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		pr_err("cannot read %s '%s': %s", what, path, strerror(errno));
		return NULL;
	}
	buf = malloc(JSON_FILE_MAX + 1);
	if (!buf) {
		pr_err("out of memory");
		fclose(f);
		return NULL;
	}
	setvbuf(f, NULL, _IONBF, 0);
	while (len <= JSON_FILE_MAX &&
	       (n = fread(buf + len, 1, JSON_FILE_MAX + 1 - len, f)) > 0)
		len += n;
	if (ferror(f)) {
		pr_err("cannot read %s '%s': %s", what, path, strerror(errno));
	} else if (len > JSON_FILE_MAX) {
		pr_err("%s '%s' is larger than %d bytes", what, path,
		       JSON_FILE_MAX);
	} else {
		buf[len] = '\0';
		root = json_tokener_parse_verbose(buf, &jerr);
		if (!root)
			pr_err("%s '%s' is not valid JSON: %s", what, path,
			       json_tokener_error_desc(jerr));
	}
	OPENSSL_cleanse(buf, len);
	free(buf);
	fclose(f);
	return root;
}
