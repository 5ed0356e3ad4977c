// SPDX-License-Identifier: GPL-2.0
/*
 * acl.c against .acl files written here in shadowsocks-libev's format:
 * every section and pattern form, what each list matches and does not,
 * and the lines it refuses, each with its file and line. TAP output.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "acl.h"
#include "tap.h"

static char dir[] = "/tmp/acl-test.XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
	return path;
}

static int addr(const struct acl_list *l, const char *text)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, text, a) == 1)
		return acl_match_addr(l, AF_INET, a);
	if (inet_pton(AF_INET6, text, a) == 1)
		return acl_match_addr(l, AF_INET6, a);
	fprintf(stderr, "bad address in the test: %s\n", text);
	exit(1);
}

static const char good[] =
	"# a server's list and a client's, libev's format\n"
	"\n"
	"[proxy_all]\n"
	"[outbound_block_list]\n"
	"10.1.2.3/8   # host bits under the prefix\n"
	"192.168.0.0/16\n"
	"203.0.113.7\n"
	"fc00::/7\n"
	"::ffff:127.0.0.1/104\n"
	"2001:db8::1\n"
	"(^|\\.)Example\\.com$\n"
	"^www\\.example\\.org$\n"
	"||foo.net\n"
	"bar.io\n"
	"(^|\\.)example\\.com$\n"
	"[bypass_list]\n"
	"127.0.0.0/8\n"
	"(^|\\.)lan$\n"
	"[white_list]\n"
	"(^|\\.)proxied\\.test$\n"
	"[bypass_all]\n";

static void test_good(void)
{
	const struct acl_list *o, *b, *p;
	char err[512];
	struct acl acl;

	if (acl_load(write_file("good.acl", good), &acl, err, sizeof(err))) {
		ok(0, "a file of every form loads: %s", err);
		return;
	}
	ok(1, "a file of every form loads");
	o = &acl.list[ACL_OUTBOUND_BLOCK];
	b = &acl.list[ACL_BYPASS];
	p = &acl.list[ACL_PROXY];
	ok(acl.bypass_all, "[bypass_all] after [proxy_all]: the last one counts");
	ok(o->nr_nets == 6 && o->nr_hosts == 1 && o->nr_domains == 3,
	   "outbound_block_list: 6 networks, 1 host, 3 domains (a duplicate in another case dropped): %zu %zu %zu",
	   o->nr_nets, o->nr_hosts, o->nr_domains);
	ok(acl_list_rules(o) == 10, "acl_list_rules() counts them: %zu",
	   acl_list_rules(o));
	ok(b->nr_nets == 1 && b->nr_domains == 1 && p->nr_domains == 1,
	   "[bypass_list] and [white_list] go to their lists");

	ok(addr(o, "10.200.3.4") && !addr(o, "11.0.0.1") && !addr(o, "9.255.255.255"),
	   "10.1.2.3/8 is 10.0.0.0/8");
	ok(addr(o, "203.0.113.7") && !addr(o, "203.0.113.8"), "a bare IPv4 address is /32");
	ok(addr(o, "fd12::1") && addr(o, "fc00::") && !addr(o, "fe00::1"), "fc00::/7");
	ok(addr(o, "2001:db8::1") && !addr(o, "2001:db8::2"), "a bare IPv6 address is /128");
	ok(addr(o, "::ffff:127.9.8.7") && !addr(o, "::ffff:128.0.0.1"),
	   "::ffff:127.0.0.1/104 matches IPv4-mapped loopback");
	ok(addr(o, "::ffff:192.168.44.1") && addr(o, "192.168.44.1"),
	   "an IPv4-mapped IPv6 address is checked against the IPv4 networks");
	ok(addr(o, "127.0.0.1") && !addr(o, "128.0.0.1"),
	   "and an IPv4 address against IPv4-mapped IPv6 networks");

	ok(acl_match_name(o, "example.com") && acl_match_name(o, "a.b.EXAMPLE.com.") &&
	   !acl_match_name(o, "badexample.com") && !acl_match_name(o, "example.com.au"),
	   "(^|\\.)example\\.com$: the domain and names under it, any case, a trailing dot");
	ok(acl_match_name(o, "www.example.org") && !acl_match_name(o, "a.www.example.org") &&
	   !acl_match_name(o, "example.org"), "^www\\.example\\.org$: that name only");
	ok(acl_match_name(o, "foo.net") && acl_match_name(o, "x.foo.net") &&
	   acl_match_name(o, "bar.io") && acl_match_name(o, "y.bar.io") &&
	   !acl_match_name(o, "foobar.io"), "||foo.net and a plain bar.io are domains");
	ok(!acl_match_name(o, "") && !acl_match_name(o, ".") && !acl_match_name(o, "com"),
	   "empty names and parents of rules do not match");
	ok(acl_match_name(b, "printer.lan") && addr(b, "127.0.0.1") &&
	   !acl_match_name(o, "printer.lan"), "each list matches only its own rules");
	acl_free(&acl);
}

struct bad {
	const char *text;
	const char *want;	/* the message after "FILE:" */
};

static const struct bad bads[] = {
	{ "[outbound_block_list]\n(foo|bar)\\.com$\n", "2: '(foo|bar)\\.com$' is neither" },
	{ "[outbound_block_list]\n\n10.0.0.0/33\n", "3: '10.0.0.0/33': the prefix length is 0..32" },
	{ "fc00::/129\n", "1: 'fc00::/129': the prefix length is 0..128" },
	{ "10.0.0.0/\n", "1: '10.0.0.0/': the prefix length" },
	{ "10.0.0.0/-1\n", "1: '10.0.0.0/-1'" },
	{ "1.2.3\n", "1: '1.2.3' is not an IP address or network" },
	{ "fc00:::1\n", "1: 'fc00:::1' is not an IP address or network" },
	{ "[nonsense]\n", "1: unknown section [nonsense]" },
	{ "a.com b.com\n", "1: one network or pattern a line" },
	{ "^$\n", "1: '^$' is neither" },
	{ "(^|\\.)a\\.\\.com$\n", "1: '(^|\\.)a\\.\\.com$' is neither" },
	{ "^a\\Sb$\n", "1: '^a\\Sb$' is neither" },
	{ "ex*mple.com\n", "1: 'ex*mple.com' is neither" },
	{ "||\n", "1: '||' is neither" },
	{ "^10\\.0\\.0\\.1$\n", "1: '^10\\.0\\.0\\.1$' names an IP address" },
	{ "(^|\\.)1\\.2\\.3\\.4$\n", "1: '(^|\\.)1\\.2\\.3\\.4$' names an IP address" },
	{ "||192.168.0.1\n", "1: '||192.168.0.1' names an IP address" },
};

static void test_bad(void)
{
	char err[512], want[512];
	const char *path;
	struct acl acl;
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		path = write_file("bad.acl", bads[i].text);
		snprintf(want, sizeof(want), "%s:%s", path, bads[i].want);
		ok(acl_load(path, &acl, err, sizeof(err)) == -1 &&
		   !strncmp(err, want, strlen(want)),
		   "refused: %s", err);
	}
	snprintf(want, sizeof(want), "%s/none.acl", dir);
	ok(acl_load(want, &acl, err, sizeof(err)) == -1 &&
	   strstr(err, "No such file"), "a missing file: %s", err);
}

/* a file the size of libev's chn.acl: every /24 of 20.0.0.0/14 */
static void test_large(void)
{
	char *text = malloc(1 << 20), err[512];
	size_t n = 0;
	struct acl acl;
	int i;

	n += sprintf(text + n, "[outbound_block_list]\n");
	for (i = 0; i < 1024; i++)
		n += sprintf(text + n, "20.%d.%d.0/24\n", i >> 8, i & 255);
	for (i = 0; i < 5000; i++)
		n += sprintf(text + n, "(^|\\.)name%d\\.example$\n", i);
	if (acl_load(write_file("large.acl", text), &acl, err, sizeof(err))) {
		ok(0, "6024 rules load: %s", err);
		free(text);
		return;
	}
	ok(acl_list_rules(&acl.list[ACL_OUTBOUND_BLOCK]) == 6024, "6024 rules load");
	ok(addr(&acl.list[ACL_OUTBOUND_BLOCK], "20.3.255.1") &&
	   !addr(&acl.list[ACL_OUTBOUND_BLOCK], "20.4.0.1") &&
	   acl_match_name(&acl.list[ACL_OUTBOUND_BLOCK], "x.name4999.example") &&
	   !acl_match_name(&acl.list[ACL_OUTBOUND_BLOCK], "name5000.example"),
	   "the first and last of each kind match, the next ones do not");
	acl_free(&acl);
	free(text);
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_good();
	test_bad();
	test_large();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	return tap_done();
}
