// SPDX-License-Identifier: GPL-2.0
/*
 * ss-socksd: the SOCKS5, tunnel and redir front ends of the local role.
 *
 * It accepts the applications' connections, reads the SOCKS5 handshake
 * (socks5.c), and hands each socket with its target to the kernel
 * (SS_CMD_RELAY_NEW): from then on only the kernel touches its bytes, and
 * ss-socksd closes its descriptor. Restarting ss-socksd leaves the relays
 * handed over running.
 *
 * UDP: a SOCKS5 UDP ASSOCIATE gets a UDP socket bound to the address the
 * client reached us at (port 0), handed to the kernel with the control
 * connection (SS_CMD_UDP_RELAY_NEW); the kernel writes the success reply
 * on the control connection once it reads the UDP socket, and ends the
 * association when the client closes the control connection. A UDP tunnel
 * (--tunnel ...,udp) binds its UDP socket at start and hands it over with
 * one end of a socket pair whose other end this process keeps: the kernel
 * ends that relay when ss-socksd exits, so that a new ss-socksd can bind
 * the port again; and if the kernel ends it (the profile deleted), we see
 * our end close and exit with a failure, for a supervisor to restart us.
 *
 * --acl: the TCP targets a shadowsocks-libev .acl file bypasses are not
 * handed over: ss-socksd connects to them and relays their bytes itself
 * (socksd_direct.c). UDP always goes through the kernel.
 *
 * The files: socksd.h says which holds what. This one has the options,
 * the event loop, signals and clean-up.
 *
 * One process, one epoll loop; no threads of ours (glibc's getaddrinfo_a()
 * resolves the names of direct targets in helper threads of its own).
 * Sockets are non-blocking; the netlink request is not, but the kernel
 * answers it without waiting on the network (the relay connects to the
 * server after the request has returned), so it does not stall the loop.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "socksd.h"

#ifndef SSCTL_VERSION
#define SSCTL_VERSION "unknown"
#endif

struct socksd socksd = {
	.handshake_timeout = 10,
	.max_pending = 256,
	.epfd = -1,
};

static const enum src_type signal_src = SRC_SIGNAL;

void pr_err(const char *fmt, ...)
{
	va_list ap;

	fputs(SOCKSD_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define pr_verbose(...) do { if (socksd.verbose) pr_err(__VA_ARGS__); } while (0)

static const char usage_line[] =
	"Usage: " SOCKSD_NAME " [-c CONFIG] [--client NAME] [--socks ADDR:PORT]...\n"
	"         [--tunnel ADDR:PORT=HOST:PORT[,udp]]...\n"
	"         [--redir ADDR:PORT[,tproxy[,udp]]]...\n"
	"         [--plugin PROGRAM [--plugin-opts OPTIONS]]\n"
	"         [--acl FILE] [--auth-file FILE] [--handshake-timeout SECONDS]\n"
	"         [--max-pending N]\n"
	"         [-v] [-h] [-V]\n";

/*
 * Two users: the command line (@cmd NULL: the message, then the usage
 * lines) and config.c, which parses the -c file for us; then @cmd's
 * object name is the file's path and no usage line follows.
 */
int usage_error(const struct cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs(SOCKSD_NAME ": ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd->object->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (!cmd)
		fputs(usage_line, stderr);
	return EXIT_USAGE;
}

static void help(void)
{
	fputs(usage_line, stdout);
	fputs("\n"
	      "Accept SOCKS5 (and tunnel, redir) connections and hand them to the\n"
	      "shadowsocks kernel module, which relays them through a client profile.\n"
	      "\n"
	      "  -c, --config FILE          shadowsocks config.json: create (or check) the\n"
	      "                             client profile, and a SOCKS5 front end on\n"
	      "                             local_address:local_port\n"
	      "      --client NAME          the client profile (default with -c: \"default\")\n"
	      "      --socks ADDR:PORT      a SOCKS5 front end\n"
	      "      --tunnel ADDR:PORT=HOST:PORT[,udp]\n"
	      "                             every connection goes to HOST:PORT; with\n"
	      "                             ,udp every UDP datagram to ADDR:PORT instead\n"
	      "      --redir ADDR:PORT[,tproxy[,udp]]\n"
	      "                             connections redirected by netfilter go to their\n"
	      "                             original destination; with ,tproxy those that\n"
	      "                             netfilter's tproxy diverts (IP_TRANSPARENT),\n"
	      "                             and with ,udp its UDP datagrams too, whose\n"
	      "                             replies leave from the replying host's address\n"
	      "      --plugin PROGRAM       a SIP003 plugin (obfs-local, v2ray-plugin...):\n"
	      "                             started, restarted if it dies, stopped on exit;\n"
	      "                             TCP relays go through it, UDP straight to the\n"
	      "                             server\n"
	      "      --plugin-opts OPTIONS  its SS_PLUGIN_OPTIONS\n"
	      "      --acl FILE             a shadowsocks-libev .acl file: TCP targets it\n"
	      "                             bypasses are connected to directly, and relayed\n"
	      "                             by ss-socksd, not the kernel (UDP always goes\n"
	      "                             through the kernel's relay; reread on SIGHUP)\n"
	      "      --auth-file FILE       require SOCKS5 username/password (user:password\n"
	      "                             lines; reread on SIGHUP)\n"
	      "      --handshake-timeout S  seconds a SOCKS5 handshake may take (default 10)\n"
	      "      --max-pending N        handshakes at once; more are closed (default 256);\n"
	      "                             with --acl, also the direct connections at once\n"
	      "  -v, --verbose              log every connection handed over or bypassed\n"
	      "  -h, --help                 show this text\n"
	      "  -V, --version              show the version\n"
	      "\n"
	      "ADDR is an IPv4 address or an IPv6 address in brackets; HOST may also be a\n"
	      "domain name, which the server resolves.\n", stdout);
}

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void epoll_add(int fd, void *ptr)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = ptr };

	if (epoll_ctl(socksd.epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		pr_err("epoll_ctl: %s", strerror(errno));
		exit(EXIT_RUNTIME);
	}
}

/*
 * Room for --max-pending handshakes, as many direct connections (two
 * sockets each), the listeners and some slack.
 */
static void raise_fd_limit(void)
{
	rlim_t want = (rlim_t)socksd.max_pending + socksd.n_fe + 64;
	struct rlimit rl;

	if (socksd.acl_file)
		want += 2 * (rlim_t)socksd.max_pending;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ?
		      want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static void acl_summary(const char *what)
{
	const struct acl *a = &socksd.acl;

	pr_verbose("%s'%s': %zu bypass rule(s), %zu proxy rule(s); targets neither names go %s%s",
		   what, socksd.acl_file, acl_list_rules(&a->list[ACL_BYPASS]),
		   acl_list_rules(&a->list[ACL_PROXY]),
		   a->bypass_all ? "direct ([bypass_all])" : "through the relay",
		   acl_list_rules(&a->list[ACL_OUTBOUND_BLOCK]) ?
		   "; [outbound_block_list] is for servers: not used" : "");
}

/*
 * SIGHUP: reread --auth-file and --acl; handshakes under way check against
 * the new logins from then on, and targets known from then on against the
 * new rules (connections already made stay as they are). A file that does
 * not load keeps the old ones.
 */
static void reload(void)
{
	if (!socksd.auth_file && !socksd.acl_file) {
		pr_verbose("SIGHUP: no --auth-file or --acl to reload");
		return;
	}
	if (socksd.auth_file) {
		if (load_auth_file(socksd.auth_file))
			pr_err("SIGHUP: '%s' not loaded; the %zu login(s) loaded before stay",
			       socksd.auth_file, socksd.n_users);
		else
			pr_verbose("SIGHUP: '%s' reloaded: %zu login(s)",
				   socksd.auth_file, socksd.n_users);
	}
	if (socksd.acl_file) {
		if (load_acl(socksd.acl_file))
			pr_err("SIGHUP: '%s' not loaded; the rules loaded before stay",
			       socksd.acl_file);
		else
			acl_summary("SIGHUP: reloaded ");
	}
}

/* the signals run() reads from a signalfd */
static sigset_t loop_signals;

/*
 * Blocked before the plugin starts, not in run(): a plugin that dies at
 * once must leave its SIGCHLD pending for run() (unblocked, it would be
 * discarded and the plugin never restarted), and a SIGTERM while it starts
 * must still stop it and delete the private profile.
 */
static void block_signals(void)
{
	sigemptyset(&loop_signals);
	sigaddset(&loop_signals, SIGTERM);
	sigaddset(&loop_signals, SIGINT);
	sigaddset(&loop_signals, SIGHUP);
	sigaddset(&loop_signals, SIGCHLD);
	/*
	 * glibc sends it to the process: blocked in every thread (its
	 * helpers block all), it waits for the signalfd
	 */
	sigaddset(&loop_signals, DIRECT_SIGNAL);
	sigprocmask(SIG_BLOCK, &loop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int run(void)
{
	struct epoll_event events[64];
	struct signalfd_siginfo si;
	int sfd, n;

	sfd = signalfd(-1, &loop_signals, SFD_NONBLOCK | SFD_CLOEXEC);
	socksd.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || socksd.epfd < 0) {
		pr_err("cannot set up the event loop: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	epoll_add(sfd, (void *)&signal_src);
	/* a UDP tunnel's socket pair: readable (EOF) once the kernel ends it */
	for (size_t i = 0; i < socksd.n_fe; i++)
		epoll_add(socksd.fe[i].fd, &socksd.fe[i]);

	if (socksd.verbose)
		for (size_t i = 0; i < socksd.n_fe; i++)
			pr_err("%s: listening, client profile '%s'%s%s%s",
			       socksd.fe[i].name, socksd.profile,
			       socksd.plugin ? " (TCP through plugin '" : "",
			       socksd.plugin ? socksd.plugin : "",
			       socksd.plugin ? "')" : "");

	for (;;) {
		int timeout = expire(), restart = plugin_tick();
		int direct = direct_tick();

		if (restart >= 0 && (timeout < 0 || restart < timeout))
			timeout = restart;
		if (direct >= 0 && (timeout < 0 || direct < timeout))
			timeout = direct;
		n = epoll_wait(socksd.epfd, events, 64, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pr_err("epoll_wait: %s", strerror(errno));
			return EXIT_RUNTIME;
		}
		for (int i = 0; i < n; i++) {
			enum src_type *type = events[i].data.ptr;

			switch (*type) {
			case SRC_SIGNAL:
				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					break;
				if (si.ssi_signo == SIGHUP) {
					reload();
					break;
				}
				if (si.ssi_signo == SIGCHLD) {
					plugin_reap();
					break;
				}
				if ((int)si.ssi_signo == DIRECT_SIGNAL) {
					direct_resolved(si.ssi_code, si.ssi_ptr);
					break;
				}
				if (socksd.n_direct)
					pr_verbose("%s: exiting; relays handed over continue, the %u direct connection(s) end",
						   strsignal((int)si.ssi_signo),
						   socksd.n_direct);
				else
					pr_verbose("%s: exiting; relays handed over continue",
						   strsignal((int)si.ssi_signo));
				close(sfd);
				return 0;
			case SRC_LISTEN:
				if (((struct frontend *)type)->udp) {
					pr_err("%s: the kernel ended the UDP relay (client profile '%s' deleted?); exiting",
					       ((struct frontend *)type)->name,
					       socksd.profile);
					close(sfd);
					return EXIT_RUNTIME;
				}
				listener_readable((struct frontend *)type);
				break;
			case SRC_CONN:
				/*
				 * A connection is freed only by the handler
				 * of its own event (or by expire(), before
				 * the wait), so no later event of this batch
				 * points at freed memory.
				 */
				conn_readable((struct conn *)type);
				break;
			case SRC_DIRECT:
				/* may end its connection: freed after the batch */
				direct_event(type, events[i].events);
				break;
			}
		}
		direct_reap();
	}
}

static void cleanup(void)
{
	/* stop listening first, then drop the handshakes */
	for (size_t i = 0; i < socksd.n_fe; i++)
		if (socksd.fe[i].fd >= 0)
			close(socksd.fe[i].fd);
	socksd.full = false;		/* no "below --max-pending" on the way out */
	while (socksd.head) {
		struct conn *c = socksd.head;
		int fd = c->fd;

		conn_free(c);
		close(fd);
	}
	direct_cleanup();
	acl_free(&socksd.acl);
	if (socksd.epfd >= 0)
		close(socksd.epfd);
	plugin_stop();
	ipc_relay_close();
	free_users(socksd.users, socksd.n_users);
	free(socksd.fe);
}

enum {
	OPT_CLIENT = 0x100,
	OPT_SOCKS,
	OPT_TUNNEL,
	OPT_REDIR,
	OPT_AUTH_FILE,
	OPT_HANDSHAKE_TIMEOUT,
	OPT_MAX_PENDING,
	OPT_PLUGIN,
	OPT_PLUGIN_OPTS,
	OPT_ACL,
};

static const struct option long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "client", required_argument, NULL, OPT_CLIENT },
	{ "socks", required_argument, NULL, OPT_SOCKS },
	{ "tunnel", required_argument, NULL, OPT_TUNNEL },
	{ "redir", required_argument, NULL, OPT_REDIR },
	{ "auth-file", required_argument, NULL, OPT_AUTH_FILE },
	{ "handshake-timeout", required_argument, NULL, OPT_HANDSHAKE_TIMEOUT },
	{ "max-pending", required_argument, NULL, OPT_MAX_PENDING },
	{ "plugin", required_argument, NULL, OPT_PLUGIN },
	{ "plugin-opts", required_argument, NULL, OPT_PLUGIN_OPTS },
	{ "acl", required_argument, NULL, OPT_ACL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char *argv[])
{
	const char *config = NULL, *auth_file = NULL;
	bool have_timeout = false, have_pending = false;
	struct ss_config cfg;
	unsigned long v;
	int opt, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":c:vhV", long_options,
				  NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (config)
				return usage_error(NULL, "-c given twice");
			config = optarg;
			break;
		case OPT_CLIENT:
			if (socksd.profile)
				return usage_error(NULL, "--client given twice");
			if (!name_valid(optarg))
				return usage_error(NULL, "invalid client profile name '%s': use 1 to %d of the characters A-Z a-z 0-9 _ . -",
						   optarg, SS_NAME_MAX - 1);
			socksd.profile = optarg;
			break;
		case OPT_SOCKS:
		case OPT_REDIR:
		case OPT_TUNNEL:
			ret = add_frontend(opt == OPT_SOCKS ? FE_SOCKS :
					   opt == OPT_REDIR ? FE_REDIR : FE_TUNNEL,
					   opt == OPT_SOCKS ? "--socks" :
					   opt == OPT_REDIR ? "--redir" : "--tunnel",
					   optarg);
			if (ret)
				return ret;
			break;
		case OPT_AUTH_FILE:
			if (auth_file)
				return usage_error(NULL, "--auth-file given twice");
			auth_file = optarg;
			break;
		case OPT_HANDSHAKE_TIMEOUT:
			if (have_timeout)
				return usage_error(NULL, "--handshake-timeout given twice");
			if (!parse_uint(optarg, 1, 3600, &v))
				return usage_error(NULL, "invalid --handshake-timeout '%s' (1-3600 seconds)",
						   optarg);
			socksd.handshake_timeout = (unsigned int)v;
			have_timeout = true;
			break;
		case OPT_MAX_PENDING:
			if (have_pending)
				return usage_error(NULL, "--max-pending given twice");
			if (!parse_uint(optarg, 1, 1000000, &v))
				return usage_error(NULL, "invalid --max-pending '%s' (1-1000000)",
						   optarg);
			socksd.max_pending = (unsigned int)v;
			have_pending = true;
			break;
		case OPT_PLUGIN:
			if (socksd.plugin)
				return usage_error(NULL, "--plugin given twice");
			if (!optarg[0])
				return usage_error(NULL, "--plugin needs a program");
			socksd.plugin = optarg;
			break;
		case OPT_PLUGIN_OPTS:
			if (socksd.plugin_opts)
				return usage_error(NULL, "--plugin-opts given twice");
			socksd.plugin_opts = optarg;
			break;
		case OPT_ACL:
			if (socksd.acl_file)
				return usage_error(NULL, "--acl given twice");
			if (!optarg[0])
				return usage_error(NULL, "--acl needs a file");
			socksd.acl_file = optarg;
			break;
		case 'v':
			socksd.verbose = true;
			break;
		case 'h':
			help();
			return 0;
		case 'V':
			puts(SOCKSD_NAME " " SSCTL_VERSION);
			return 0;
		case ':':
			return usage_error(NULL, "option '%s' needs a value",
					   argv[optind - 1]);
		default:
			if (optopt)
				return usage_error(NULL, "unknown option '-%c'",
						   optopt);
			return usage_error(NULL, "unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(NULL, "unexpected argument '%s'", argv[optind]);
	if (!config && !socksd.profile)
		return usage_error(NULL, "give the client profile: --client NAME, or -c CONFIG");
	if (!socksd.profile)
		socksd.profile = "default";
	socksd.tcp_profile = socksd.profile;

	if (config) {
		ret = read_config(config, socksd.profile, &cfg);
		if (ret) {
			config_wipe(&cfg);
			return EXIT_RUNTIME;
		}
	}
	if (socksd.plugin_opts && !socksd.plugin) {
		if (config)
			config_wipe(&cfg);
		return usage_error(NULL, "--plugin-opts without --plugin");
	}
	if (!socksd.n_fe) {
		if (config)
			config_wipe(&cfg);
		return usage_error(NULL, config ?
				   "no front end: the config has no local_port; give --socks, --tunnel or --redir" :
				   "no front end: give --socks, --tunnel or --redir");
	}
	if (auth_file) {
		ret = load_auth_file(auth_file);
		if (ret)
			goto out;
		socksd.auth_file = auth_file;
	}
	if (socksd.acl_file) {
		ret = load_acl(socksd.acl_file);
		if (ret)
			goto out;
		acl_summary("--acl ");
	}

	ret = config ? ensure_profile(&cfg, config) : check_profile(socksd.profile);
	if (config)
		config_wipe(&cfg);
	if (ret)
		goto out;

	block_signals();
	if (socksd.plugin) {
		ret = plugin_start();
		if (ret)
			goto out;
	}
	raise_fd_limit();
	for (size_t i = 0; i < socksd.n_fe; i++) {
		ret = open_listener(&socksd.fe[i]);
		if (ret)
			goto out;
	}
	ret = run();
out:
	cleanup();
	return ret;
}
