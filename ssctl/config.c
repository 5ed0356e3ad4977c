// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing of "server add", "client add" and "user add". Every check that
 * does not need the kernel is made here, so that a bad command line never
 * reaches it ("user add" asks it for the server's method, to check the
 * key's length).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#include "config.h"
#include "sip002.h"

#define PASSWORD_MAX 1024

static const char *const mode_names[] = {
	[SS_MODE_TCP_ONLY] = "tcp_only",
	[SS_MODE_TCP_AND_UDP] = "tcp_and_udp",
	[SS_MODE_UDP_ONLY] = "udp_only",
};

const char *mode_name(uint32_t mode)
{
	if (mode > SS_MODE_MAX)
		return NULL;
	return mode_names[mode];
}

const char *kind_name(enum ss_kind kind)
{
	return kind == SS_SERVER ? "server" : kind == SS_CLIENT ? "client" :
	       "user";
}

bool name_valid(const char *name)
{
	size_t len = strlen(name);

	if (!len || len >= SS_NAME_MAX)
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz"
			    "0123456789_.-") == len;
}

static int name_error_of(const struct cmd *cmd, const char *what,
			 const char *name)
{
	return usage_error(cmd, "invalid %s '%s': use 1 to %d of the characters A-Z a-z 0-9 _ . -",
			   what, name, SS_NAME_MAX - 1);
}

int name_error(const struct cmd *cmd, const char *name)
{
	return name_error_of(cmd, "name", name);
}

int user_name_error(const struct cmd *cmd, const char *name)
{
	return name_error_of(cmd, "user name", name);
}

/* a decimal number in [min, max], digits only (ss-socksd's options too) */
bool parse_uint(const char *s, unsigned long min, unsigned long max,
		unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || !s[0] || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/*
 * The first line of @f, without its line end. Unbuffered, so that no copy
 * of the password stays in a stdio buffer and nothing past the first line
 * is consumed from a pipe. @where names the source in messages.
 */
static int read_password_line(FILE *f, const char *where, char *buf,
			      size_t size)
{
	size_t len;

	setvbuf(f, NULL, _IONBF, 0);
	if (!fgets(buf, (int)size, f)) {
		if (ferror(f))
			pr_err("cannot read the password from %s: %s", where,
			       strerror(errno));
		else
			pr_err("no password in %s", where);
		return -1;
	}
	len = strlen(buf);
	if (len == size - 1 && buf[len - 1] != '\n' && !feof(f)) {
		pr_err("the password in %s is longer than %zu bytes", where,
		       size - 2);
		return -1;
	}
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (!len) {
		pr_err("the password in %s is empty", where);
		return -1;
	}
	return (int)len;
}

/* @path "-" is standard input */
static int read_password_file(const char *path, char *buf, size_t size)
{
	char where[PATH_MAX + 8];
	FILE *f;
	int ret;

	if (!strcmp(path, "-")) {
		ret = read_password_line(stdin, "standard input", buf, size);
	} else {
		f = fopen(path, "re");
		if (!f) {
			pr_err("cannot read password file '%s': %s", path,
			       strerror(errno));
			return -1;
		}
		snprintf(where, sizeof(where), "'%s'", path);
		ret = read_password_line(f, where, buf, size);
		fclose(f);
	}
	if (ret < 0)
		OPENSSL_cleanse(buf, size);
	return ret;
}

/* numeric address, or for clients a host name: first getaddrinfo() result */
static int resolve_host(struct ss_config *cfg, const char *host)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
	}, *res;
	int ret;

	ret = getaddrinfo(host, NULL, &hints, &res);
	if (ret) {
		pr_err("cannot resolve '%s': %s", host,
		       ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret));
		return EXIT_RUNTIME;
	}
	if (res->ai_family == AF_INET) {
		cfg->has_ipv4 = true;
		cfg->ipv4 = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
	} else if (res->ai_family == AF_INET6) {
		cfg->has_ipv6 = true;
		cfg->ipv6 = ((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
	}
	freeaddrinfo(res);
	if (!cfg->has_ipv4 && !cfg->has_ipv6) {
		pr_err("cannot resolve '%s': no IPv4 or IPv6 address", host);
		return EXIT_RUNTIME;
	}
	return 0;
}

/*
 * "acl FILE": a shadowsocks-libev .acl file's [outbound_block_list], the
 * targets the server refuses. The file's other sections are ss-socksd's
 * (--acl); a file with no rule for servers is refused rather than taken
 * as an ACL that refuses nothing.
 */
static int parse_acl(struct ss_config *cfg, const struct cmd *cmd,
		     const char *path)
{
	const struct acl_list *l;
	char err[512];

	if (cfg->has_acl)
		return usage_error(cmd, "'acl' given twice");
	if (acl_load(path, &cfg->acl, err, sizeof(err))) {
		pr_err("%s", err);
		return EXIT_RUNTIME;
	}
	cfg->has_acl = true;
	l = &cfg->acl.list[ACL_OUTBOUND_BLOCK];
	if (!acl_list_rules(l)) {
		pr_err("%s: no rule in [outbound_block_list], the section a server takes", path);
		return EXIT_RUNTIME;
	}
	if (acl_list_rules(l) > SS_ACL_MAX_RULES) {
		pr_err("%s: %zu rules in [outbound_block_list]; a server takes at most %d",
		       path, acl_list_rules(l), SS_ACL_MAX_RULES);
		return EXIT_RUNTIME;
	}
	return 0;
}

static int parse_listen_address(struct ss_config *cfg, const struct cmd *cmd,
				const char *arg)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, arg, &a4) == 1) {
		if (cfg->has_ipv4)
			return usage_error(cmd, "address: only one IPv4 address may be given");
		cfg->has_ipv4 = true;
		cfg->ipv4 = a4;
	} else if (inet_pton(AF_INET6, arg, &a6) == 1) {
		if (cfg->has_ipv6)
			return usage_error(cmd, "address: only one IPv6 address may be given");
		cfg->has_ipv6 = true;
		cfg->ipv6 = a6;
	} else {
		return usage_error(cmd, "invalid address '%s' (a numeric IPv4 or IPv6 address)",
				   arg);
	}
	return 0;
}

enum secret_kind {
	SECRET_NONE,
	SECRET_PASSWORD,
	SECRET_PASSWORD_FILE,
	SECRET_KEY,
};

/* a base64 key of exactly the method's length into @key */
static int decode_one(struct ss_config *cfg, const struct cmd *cmd,
		      const char *b64, const char *what,
		      uint8_t key[SS_KEY_MAX_LEN])
{
	const struct method *m = cfg->method;
	size_t len = 0;

	switch (key_from_base64(m, b64, key, &len)) {
	case KEY_B64_OK:
		return 0;
	case KEY_B64_INVALID:
		return usage_error(cmd, "%s is not valid base64", what);
	case KEY_B64_LENGTH:
		if (cfg->kind == SS_USER)
			return usage_error(cmd, "%s is %zu bytes but server '%s' needs %zu, the key length of %s",
					   what, len, cfg->name, m->key_len,
					   m->name);
		return usage_error(cmd, "%s is %zu bytes but %s needs %zu",
				   what, len, m->name, m->key_len);
	}
	return EXIT_RUNTIME;
}

/*
 * cfg->key from base64; for a 2022 client profile, "iPSK:uPSK" also gives
 * the identity key (SIP023, as shadowsocks-rust's password does)
 */
static int decode_key(struct ss_config *cfg, const struct cmd *cmd,
		      const char *b64, const char *what)
{
	const struct method *m = cfg->method;
	char *copy, *upsk;
	int ret;

	if (!m->psk_only || !strchr(b64, ':'))
		return decode_one(cfg, cmd, b64, what, cfg->key);
	if (cfg->kind == SS_USER)
		return usage_error(cmd, "%s: a user's key is its own PSK (iPSK:uPSK is for client profiles)",
				   what);
	if (cfg->kind != SS_CLIENT)
		return usage_error(cmd, "%s: iPSK:uPSK is for client profiles (a server's key is its identity PSK)",
				   what);
	if (!method_has_identity(m))
		return usage_error(cmd, "%s: identity keys (SIP023) are for the 2022 AES methods only",
				   what);
	copy = strdup(b64);
	if (!copy) {
		pr_err("out of memory");
		return EXIT_RUNTIME;
	}
	upsk = strchr(copy, ':');
	*upsk++ = '\0';
	if (strchr(upsk, ':'))
		ret = usage_error(cmd, "%s: one identity key at most (iPSK:uPSK)",
				  what);
	else
		ret = decode_one(cfg, cmd, copy, "identity key", cfg->ikey) ?:
		      decode_one(cfg, cmd, upsk, what, cfg->key);
	cfg->has_ikey = !ret;
	OPENSSL_cleanse(copy, strlen(b64));
	free(copy);
	return ret;
}

/*
 * A client profile keeps its AEAD-2017 password, for share links: the
 * kernel holds at most SS_PASSWORD_MAX_LEN bytes of it.
 */
static int keep_password(struct ss_config *cfg, const struct cmd *cmd,
			 const char *password, size_t len)
{
	if (cfg->kind != SS_CLIENT)
		return 0;
	if (len > SS_PASSWORD_MAX_LEN)
		return usage_error(cmd, "a client profile's password is at most %d bytes (this one has %zu)",
				   SS_PASSWORD_MAX_LEN, len);
	memcpy(cfg->password, password, len);
	cfg->password_len = len;
	return 0;
}

/* turn the secret into cfg->key; wipes @arg when it is the secret itself */
static int derive_key(struct ss_config *cfg, const struct cmd *cmd,
		      enum secret_kind kind, char *arg)
{
	const struct method *m = cfg->method;
	char password[PASSWORD_MAX + 2];
	size_t len = 0;
	int ret = 0;

	switch (kind) {
	case SECRET_KEY:
		ret = decode_key(cfg, cmd, arg, "key");
		OPENSSL_cleanse(arg, strlen(arg));
		return ret;
	case SECRET_PASSWORD:
		if (m->psk_only) {
			OPENSSL_cleanse(arg, strlen(arg));
			return usage_error(cmd, "%s takes no password: its key is a random %zu-byte PSK given in base64 (SIP022: a password-derived key is guessable offline); make one with 'openssl rand -base64 %zu' and give it as 'key BASE64' or 'password-file FILE'",
					   m->name, m->key_len, m->key_len);
		}
		len = strlen(arg);
		if (!len)
			return usage_error(cmd, "the password is empty");
		ret = keep_password(cfg, cmd, arg, len);
		if (!ret && !key_from_password(m, arg, len, cfg->key)) {
			pr_err("cannot derive the key from the password");
			ret = EXIT_RUNTIME;
		}
		OPENSSL_cleanse(arg, len);
		return ret;
	case SECRET_PASSWORD_FILE: {
		int n;

		if (!strcmp(arg, "-") && cmd->opts->stdin_is_batch)
			return usage_error(cmd, "password-file -: standard input is the batch file");
		n = read_password_file(arg, password, sizeof(password));

		if (n < 0)
			return EXIT_RUNTIME;
		if (m->psk_only) {
			/* the file holds the PSK in base64 */
			ret = decode_key(cfg, cmd, password, "password-file");
		} else {
			ret = keep_password(cfg, cmd, password, (size_t)n);
			if (!ret && !key_from_password(m, password, (size_t)n,
						       cfg->key)) {
				pr_err("cannot derive the key from the password");
				ret = EXIT_RUNTIME;
			}
		}
		OPENSSL_cleanse(password, sizeof(password));
		return ret;
	}
	case SECRET_NONE:
		break;
	}
	return EXIT_RUNTIME;
}

/* a client's server: a numeric address, or a host name resolved */
static int set_server_host(struct ss_config *cfg, const char *host)
{
	if (inet_pton(AF_INET, host, &cfg->ipv4) == 1)
		cfg->has_ipv4 = true;
	else if (inet_pton(AF_INET6, host, &cfg->ipv6) == 1)
		cfg->has_ipv6 = true;
	else
		return resolve_host(cfg, host);
	return 0;
}

/* short and printable: no escape sequence reaches the terminal */
static bool quotable(const char *s)
{
	size_t len = strlen(s);

	if (!len || len > 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '\'')
			return false;
	return true;
}

/*
 * "url LINK" (SIP002): the server, port, method and secret of a client
 * profile, checked as their keywords are. Wipes @url, which holds the
 * secret.
 */
static int config_link(struct ss_config *cfg, const struct cmd *cmd,
		       char *url)
{
	struct ss_link link;
	const char *why;
	unsigned long port;
	int ret;

	ret = link_parse(url, &link, &why);
	OPENSSL_cleanse(url, strlen(url));
	if (ret) {
		ret = usage_error(cmd, "url: %s", why);
		goto out;
	}
	if (link.plugin) {
		/* the plugin's name, not its options (they may hold secrets) */
		link.plugin[strcspn(link.plugin, ";")] = '\0';
		ret = usage_error(cmd, "url: the server is reached through the plugin '%s' (SIP003), which client profiles do not run: ss-socksd --plugin runs it (see ss-socksd(8))",
				  quotable(link.plugin) ? link.plugin : "?");
		goto out;
	}
	cfg->method = method_by_name(link.method);
	if (!cfg->method) {
		/* a link's bytes are anyone's: quote a plausible name only */
		if (quotable(link.method))
			ret = usage_error(cmd, "url: unknown method '%s'; valid methods: %s",
					  link.method, method_list());
		else
			ret = usage_error(cmd, "url: unknown method; valid methods: %s",
					  method_list());
		goto out;
	}
	/* link_parse() checked it */
	parse_uint(link.port, 1, 65535, &port);
	cfg->port = (uint16_t)port;
	/* 2022: the base64 PSK (or iPSK:uPSK); else a password */
	ret = derive_key(cfg, cmd, cfg->method->psk_only ? SECRET_KEY :
			 SECRET_PASSWORD, link.password) ?:
	      set_server_host(cfg, link.host);
out:
	link_free(&link);
	return ret;
}

int config_parse(struct ss_config *cfg, enum ss_kind kind,
		 const struct cmd *cmd, int argc, char *argv[])
{
	enum secret_kind secret = SECRET_NONE;
	const char *host = NULL;
	char *secret_arg = NULL, *url = NULL;
	unsigned long v;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->kind = kind;

	if (argc < 2)
		return usage_error(cmd, "missing NAME");
	if (!name_valid(argv[1]))
		return name_error(cmd, argv[1]);
	strcpy(cfg->name, argv[1]);

	for (int i = 2; i < argc; i += 2) {
		const char *kw = argv[i];
		char *val = argv[i + 1];
		bool known = !strcmp(kw, "port") || !strcmp(kw, "method") ||
			     !strcmp(kw, "password") ||
			     !strcmp(kw, "password-file") ||
			     !strcmp(kw, "key") || !strcmp(kw, "timeout") ||
			     !strcmp(kw, "handshake-timeout") ||
			     !strcmp(kw, "max-conns") ||
			     (kind == SS_SERVER && (!strcmp(kw, "address") ||
						    !strcmp(kw, "mode") ||
						    !strcmp(kw, "allow-local") ||
						    !strcmp(kw, "acl"))) ||
			     (kind == SS_CLIENT && (!strcmp(kw, "server") ||
						    !strcmp(kw, "url")));

		if (!known)
			return usage_error(cmd, "unknown argument '%s'", kw);
		if (i + 1 >= argc)
			return usage_error(cmd, "'%s' needs a value", kw);

		if (!strcmp(kw, "url")) {
			if (url)
				return usage_error(cmd, "'url' given twice");
			url = val;
		} else if (!strcmp(kw, "address")) {
			ret = parse_listen_address(cfg, cmd, val);
			if (ret)
				return ret;
		} else if (!strcmp(kw, "server")) {
			if (host)
				return usage_error(cmd, "'server' given twice");
			if (!val[0])
				return usage_error(cmd, "invalid server address ''");
			host = val;
		} else if (!strcmp(kw, "port")) {
			if (cfg->port)
				return usage_error(cmd, "'port' given twice");
			if (!parse_uint(val, 1, 65535, &v))
				return usage_error(cmd, "invalid port '%s' (1-65535)", val);
			cfg->port = (uint16_t)v;
		} else if (!strcmp(kw, "method")) {
			if (cfg->method)
				return usage_error(cmd, "'method' given twice");
			cfg->method = method_by_name(val);
			if (!cfg->method)
				return usage_error(cmd, "unknown method '%s'; valid methods: %s",
						   val, method_list());
		} else if (!strcmp(kw, "mode")) {
			if (cfg->has_mode)
				return usage_error(cmd, "'mode' given twice");
			for (uint32_t m = 0; m <= SS_MODE_MAX; m++) {
				if (!strcmp(val, mode_names[m])) {
					cfg->mode = m;
					cfg->has_mode = true;
				}
			}
			if (!cfg->has_mode)
				return usage_error(cmd, "invalid mode '%s'; valid modes: tcp_only, tcp_and_udp, udp_only",
						   val);
		} else if (!strcmp(kw, "timeout")) {
			if (cfg->has_timeout)
				return usage_error(cmd, "'timeout' given twice");
			if (!parse_uint(val, 1, SS_MAX_TIMEOUT, &v))
				return usage_error(cmd, "invalid timeout '%s' (1-%d seconds)",
						   val, SS_MAX_TIMEOUT);
			cfg->timeout = (uint32_t)v;
			cfg->has_timeout = true;
		} else if (!strcmp(kw, "handshake-timeout")) {
			if (cfg->has_handshake_timeout)
				return usage_error(cmd, "'handshake-timeout' given twice");
			if (!parse_uint(val, 1, SS_MAX_TIMEOUT, &v))
				return usage_error(cmd, "invalid handshake-timeout '%s' (1-%d seconds)",
						   val, SS_MAX_TIMEOUT);
			cfg->handshake_timeout = (uint32_t)v;
			cfg->has_handshake_timeout = true;
		} else if (!strcmp(kw, "max-conns")) {
			if (cfg->has_max_conns)
				return usage_error(cmd, "'max-conns' given twice");
			if (!parse_uint(val, 1, SS_MAX_MAX_CONNS, &v))
				return usage_error(cmd, "invalid max-conns '%s' (1-%d)",
						   val, SS_MAX_MAX_CONNS);
			cfg->max_conns = (uint32_t)v;
			cfg->has_max_conns = true;
		} else if (!strcmp(kw, "allow-local")) {
			if (cfg->has_allow_local)
				return usage_error(cmd, "'allow-local' given twice");
			if (strcmp(val, "on") && strcmp(val, "off"))
				return usage_error(cmd, "invalid allow-local '%s' (on or off)",
						   val);
			cfg->allow_local = !strcmp(val, "on");
			cfg->has_allow_local = true;
		} else if (!strcmp(kw, "acl")) {
			ret = parse_acl(cfg, cmd, val);
			if (ret)
				return ret;
		} else {
			/* password, password-file, key */
			if (secret != SECRET_NONE)
				return usage_error(cmd, "give only one of password, password-file and key");
			secret = !strcmp(kw, "password") ? SECRET_PASSWORD :
				 !strcmp(kw, "key") ? SECRET_KEY :
				 SECRET_PASSWORD_FILE;
			secret_arg = val;
		}
	}

	if (url) {
		if (host || cfg->port || cfg->method || secret != SECRET_NONE) {
			OPENSSL_cleanse(url, strlen(url));
			return usage_error(cmd, "'url' gives the server, port, method and key: give none of them with it");
		}
		return config_link(cfg, cmd, url);
	}
	if (kind == SS_CLIENT && !host)
		return usage_error(cmd, "missing 'server ADDR'");
	if (!cfg->port)
		return usage_error(cmd, "missing 'port PORT'");
	if (!cfg->method)
		return usage_error(cmd, "missing 'method METHOD'");
	if (secret == SECRET_NONE)
		return usage_error(cmd, "missing 'password PW', 'password-file FILE' or 'key BASE64'");

	ret = derive_key(cfg, cmd, secret, secret_arg);
	if (ret)
		return ret;

	return host ? set_server_host(cfg, host) : 0;
}

/* the secret of "user add": its keyword and value (NULL: not given) */
struct user_secret {
	enum secret_kind kind;
	char *arg;
};

static int user_args(struct ss_config *cfg, const struct cmd *cmd, int argc,
		     char *argv[], struct user_secret *secret)
{
	if (argc < 2)
		return usage_error(cmd, "missing SERVER");
	if (!name_valid(argv[1]))
		return name_error(cmd, argv[1]);
	strcpy(cfg->name, argv[1]);
	if (argc < 3)
		return usage_error(cmd, "missing USER");
	if (!name_valid(argv[2]))
		return user_name_error(cmd, argv[2]);
	strcpy(cfg->user, argv[2]);

	for (int i = 3; i < argc; i += 2) {
		const char *kw = argv[i];

		if (strcmp(kw, "key") && strcmp(kw, "password-file") &&
		    strcmp(kw, "password"))
			return usage_error(cmd, "unknown argument '%s'", kw);
		if (i + 1 >= argc)
			return usage_error(cmd, "'%s' needs a value", kw);
		if (secret->kind != SECRET_NONE)
			return usage_error(cmd, "give only one of key and password-file");
		secret->kind = !strcmp(kw, "password") ? SECRET_PASSWORD :
			       !strcmp(kw, "key") ? SECRET_KEY :
			       SECRET_PASSWORD_FILE;
		secret->arg = argv[i + 1];
	}
	if (secret->kind == SECRET_NONE)
		return usage_error(cmd, "missing 'key BASE64' or 'password-file FILE'");
	if (secret->kind == SECRET_PASSWORD_FILE &&
	    !strcmp(secret->arg, "-") && cmd->opts->stdin_is_batch)
		return usage_error(cmd, "password-file -: standard input is the batch file");
	return 0;
}

int user_config_parse(struct ss_config *cfg, const struct cmd *cmd,
		      int argc, char *argv[],
		      int (*server_method)(const char *server,
					   const struct method **m))
{
	struct user_secret secret = { SECRET_NONE, NULL };
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->kind = SS_USER;
	/* the method, then the key or the refusal of a password, as servers */
	ret = user_args(cfg, cmd, argc, argv, &secret) ?:
	      server_method(cfg->name, &cfg->method) ?:
	      derive_key(cfg, cmd, secret.kind, secret.arg);
	/* derive_key() wipes it, but not when an earlier step failed */
	if (secret.kind == SECRET_KEY || secret.kind == SECRET_PASSWORD)
		OPENSSL_cleanse(secret.arg, strlen(secret.arg));
	return ret;
}

void config_wipe(struct ss_config *cfg)
{
	if (cfg->has_acl)
		acl_free(&cfg->acl);
	cfg->has_acl = false;
	OPENSSL_cleanse(cfg->key, sizeof(cfg->key));
	OPENSSL_cleanse(cfg->ikey, sizeof(cfg->ikey));
	OPENSSL_cleanse(cfg->password, sizeof(cfg->password));
}
