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

#include <json-c/printbuf.h>
#include <openssl/crypto.h>

#include "json_file.h"
#include "ssctl.h"

/*
 * @len bytes at @buf, one JSON document and nothing after it but white
 * space; NULL with *@jerr json_tokener_success for text after it. The
 * tokener's own buffer, which held every string it read, is wiped before
 * it is freed (copies json-c left when it grew that buffer cannot be).
 */
static json_object *json_parse_whole(const char *buf, size_t len,
				     enum json_tokener_error *jerr)
{
	json_tokener *tok = json_tokener_new();
	json_object *root = NULL;
	size_t end;

	if (!tok) {
		/* json_tokener_new() fails only for memory */
		*jerr = json_tokener_error_size;
		return NULL;
	}
	root = json_tokener_parse_ex(tok, buf, (int)len);
	*jerr = json_tokener_get_error(tok);
	if (root && *jerr == json_tokener_success) {
		end = json_tokener_get_parse_end(tok);
		if (strspn(buf + end, " \t\r\n") != len - end) {
			json_object_put(root);
			root = NULL;
		}
	} else if (root) {
		json_object_put(root);
		root = NULL;
	} else if (*jerr == json_tokener_continue) {
		*jerr = json_tokener_error_parse_eof;
	}
	if (tok->pb && tok->pb->buf)
		OPENSSL_cleanse(tok->pb->buf, (size_t)tok->pb->size);
	json_tokener_free(tok);
	return root;
}

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
	} else if (memchr(buf, '\0', len)) {
		pr_err("%s '%s' holds a NUL byte", what, path);
	} else {
		buf[len] = '\0';
		root = json_parse_whole(buf, len, &jerr);
		if (!root && jerr == json_tokener_success)
			pr_err("%s '%s' has text after its JSON document", what,
			       path);
		else if (!root)
			pr_err("%s '%s' is not valid JSON: %s", what, path,
			       json_tokener_error_desc(jerr));
	}
	OPENSSL_cleanse(buf, len);
	free(buf);
	fclose(f);
	return root;
}

/* the strings of @o and of everything in it */
void json_wipe_strings(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_string:
		OPENSSL_cleanse((char *)json_object_get_string(o),
				(size_t)json_object_get_string_len(o));
		break;
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++)
			json_wipe_strings(json_object_array_get_idx(o, i));
		break;
	case json_type_object: {
		json_object_object_foreach(o, key, v) {
			(void)key;
			json_wipe_strings(v);
		}
		break;
	}
	default:
		break;
	}
}

bool json_string_whole(json_object *o)
{
	return strlen(json_object_get_string(o)) ==
	       (size_t)json_object_get_string_len(o);
}
