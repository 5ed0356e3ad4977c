/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON documents that hold secrets (ss-socksd's config.json, SIP008
 * documents for "ssctl client import"), read whole and parsed.
 */
#ifndef SSCTL_JSON_FILE_H
#define SSCTL_JSON_FILE_H

#include <json-c/json.h>

/* the largest document taken */
#define JSON_FILE_MAX (1 << 20)

/*
 * json_read_file() - the document in @path, parsed; NULL after printing
 * why (unreadable, larger than JSON_FILE_MAX, not JSON), naming the file
 * "@what 'PATH'". Our copy of its text is wiped: it holds passwords.
 */
json_object *json_read_file(const char *path, const char *what);

#endif
