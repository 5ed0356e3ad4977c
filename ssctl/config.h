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

#include "acl.h"
#include "key.h"
#include "ssctl.h"

enum ss_kind {
	SS_SERVER,
	SS_CLIENT,
	SS_USER,		/* a SIP023 user of a server ("user add") */
};

struct ss_config {
	enum ss_kind kind;
	char name[SS_NAME_MAX];		/* users: the server's */
	char user[SS_NAME_MAX];		/* users only */
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
	/* clients, AEAD-2017: the password the key came from, which the
	 * kernel keeps for share links (client show --url) */
	size_t password_len;
	char password[SS_PASSWORD_MAX_LEN];
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
	/* servers only: "acl FILE", its [outbound_block_list] (acl.h) */
	bool has_acl;
	struct acl acl;
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

/*
 * user_config_parse() - parse "SERVER USER (key BASE64 | password-file
 * FILE)" (argv[1] is SERVER) into @cfg (kind SS_USER, name the server's).
 * The key must have the length of the server's method, which only the
 * kernel knows: once the command line is known good, @server_method is
 * asked for it; it returns 0 with *@m set to a method that can have users,
 * or prints why not and returns EXIT_RUNTIME. The key is then decoded, or
 * a password refused, as for a 2022 server. Returns as config_parse(),
 * and wipes the secret from argv in every case. Call config_wipe().
 */
int user_config_parse(struct ss_config *cfg, const struct cmd *cmd,
		      int argc, char *argv[],
		      int (*server_method)(const char *server,
					   const struct method **m));

/* a decimal number in [min, max], digits only; false for NULL */
bool parse_uint(const char *s, unsigned long min, unsigned long max,
		unsigned long *out);

/* name rules of the uapi: 1..SS_NAME_MAX-1 bytes of [A-Za-z0-9_.-] */
bool name_valid(const char *name);
/* prints "invalid name" and the usage line, returns EXIT_USAGE */
int name_error(const struct cmd *cmd, const char *name);
/* the same for a user's name: "invalid user name" */
int user_name_error(const struct cmd *cmd, const char *name);

const char *mode_name(uint32_t mode);
const char *kind_name(enum ss_kind kind);

#endif
