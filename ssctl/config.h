/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command line of "server add" and "client add", parsed into one
 * structure that the netlink layer turns into a message.
 */
#ifndef SSCTL_CONFIG_H
#define SSCTL_CONFIG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/shadowsocks.h>

#include "key.h"
#include "ssctl.h"

enum ss_kind {
	SS_SERVER,
	SS_CLIENT,
};

struct ss_config {
	enum ss_kind kind;
	char name[SS_NAME_MAX];
	/* servers: listen addresses (either, both or neither);
	 * clients: the remote server's address (exactly one) */
	bool has_ipv4, has_ipv6;
	struct in_addr ipv4;
	struct in6_addr ipv6;
	uint16_t port;
	const struct method *method;
	uint8_t key[SS_KEY_MAX_LEN];	/* method->key_len bytes */
	/* clients, 2022 AES methods: SIP023 identity PSK (key iPSK:uPSK) */
	bool has_ikey;
	uint8_t ikey[SS_KEY_MAX_LEN];
	bool has_mode;
	uint32_t mode;			/* enum ss_mode, servers only */
	bool has_timeout;
	uint32_t timeout;
	bool has_handshake_timeout;
	uint32_t handshake_timeout;
	bool has_max_conns;
	uint32_t max_conns;
	/* servers only */
	bool has_allow_local;
	bool allow_local;
};

/*
 * config_parse() - parse "NAME keyword value..." (argv[1] is NAME).
 * Returns 0, EXIT_USAGE after printing the error and the usage line, or
 * EXIT_RUNTIME after printing the error (unreadable password file, failed
 * host name lookup). Secrets given on the command line are wiped from argv.
 * Call config_wipe() in every case.
 */
int config_parse(struct ss_config *cfg, enum ss_kind kind,
		 const struct cmd *cmd, int argc, char *argv[]);
void config_wipe(struct ss_config *cfg);

/* a decimal number in [min, max], digits only; false for NULL */
bool parse_uint(const char *s, unsigned long min, unsigned long max,
		unsigned long *out);

/* name rules of the uapi: 1..SS_NAME_MAX-1 bytes of [A-Za-z0-9_.-] */
bool name_valid(const char *name);
/* prints "invalid name" and the usage line, returns EXIT_USAGE */
int name_error(const struct cmd *cmd, const char *name);

const char *mode_name(uint32_t mode);
const char *kind_name(enum ss_kind kind);

#endif
