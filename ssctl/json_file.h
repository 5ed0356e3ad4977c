/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON documents that hold secrets (ss-socksd's config.json, SIP008
 * documents for "ssctl client import"), read whole and parsed.
 */
#ifndef SSCTL_JSON_FILE_H
#define SSCTL_JSON_FILE_H

#include <stdbool.h>

#include <json-c/json.h>

/* the largest document taken */
#define JSON_FILE_MAX (1 << 20)

/*
 * json_read_file() - the document in @path, parsed; NULL after printing
 * why (unreadable, larger than JSON_FILE_MAX, not JSON), naming the file
 * "@what 'PATH'"; also for a NUL byte in it, or text after the document.
 * Our copy of its text, and the parser's, are wiped: they hold passwords.
 */
json_object *json_read_file(const char *path, const char *what);

/* every string in @o wiped, before json_object_put() frees them */
void json_wipe_strings(json_object *o);

/* a string without a NUL inside ("\u0000" would cut a C copy short) */
bool json_string_whole(json_object *o);

#endif
