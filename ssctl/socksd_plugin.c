// SPDX-License-Identifier: GPL-2.0
/*
 * SIP003 plugins on the client side, as ss-local runs them.
 *
 * The plugin (obfs-local, v2ray-plugin, ...) listens on a loopback port and
 * carries what it reads there to the Shadowsocks server, disguised. The
 * kernel's relays must therefore connect to that port, not to the server:
 * ss-socksd makes a private client profile for them, with the secrets of
 * the profile it was given (SS_CMD_CLIENT_EXPORT) and the plugin's address,
 * named "<profile>.p<pid>", and hands TCP connections to it. UDP does not
 * go through plugins (SIP003 carries TCP only; ss-local does the same): UDP
 * relays keep the given profile, straight to the server.
 *
 * The plugin gets the SIP003 environment (SS_REMOTE_HOST, SS_REMOTE_PORT:
 * the server; SS_LOCAL_HOST, SS_LOCAL_PORT: its loopback port;
 * SS_PLUGIN_OPTIONS) and runs in a process group of its own. If it exits,
 * it is started again, after 1 s, doubled while it keeps dying within 10 s
 * of its start, up to 30 s. When ss-socksd exits, the plugin is stopped
 * (SIGTERM to its group, SIGKILL after 2 s) and the private profile is
 * deleted, which ends the relays through it: without the plugin they could
 * not go on anyway.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "socksd.h"

#define PLUGIN_RESTART_MIN_MS	1000
#define PLUGIN_RESTART_MAX_MS	30000
#define PLUGIN_STABLE_MS	10000	/* alive this long: not crash-looping */
#define PLUGIN_READY_MS		5000	/* at start, wait for its port this long */
#define PLUGIN_STOP_MS		2000

static struct {
	char profile[SS_NAME_MAX];	/* the private profile, "" if none */
	char remote_host[INET6_ADDRSTRLEN];
	char remote_port[8];
	char local_port[8];
	uint16_t port;			/* the plugin's, host order */
	pid_t pid;			/* 0: not running */
	uint64_t started;		/* ms */
	uint64_t restart_at;		/* ms, 0: none due */
	unsigned int backoff;		/* ms */
} plugin;

/* a loopback port nobody listens on now, as ss-local picks one */
static int free_port(uint16_t *port)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(a);
	int fd, ret = -1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (!bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len)) {
		*port = ntohs(a.sin_port);
		ret = 0;
	}
	close(fd);
	return ret;
}

static bool port_listening(uint16_t port)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool up;

	if (fd < 0)
		return false;
	up = !connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return up;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* the child: the SIP003 environment, default signals, then the plugin */
static void plugin_exec(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0);
	if (setenv("SS_REMOTE_HOST", plugin.remote_host, 1) ||
	    setenv("SS_REMOTE_PORT", plugin.remote_port, 1) ||
	    setenv("SS_LOCAL_HOST", "127.0.0.1", 1) ||
	    setenv("SS_LOCAL_PORT", plugin.local_port, 1) ||
	    (socksd.plugin_opts ?
	     setenv("SS_PLUGIN_OPTIONS", socksd.plugin_opts, 1) :
	     unsetenv("SS_PLUGIN_OPTIONS"))) {
		pr_err("plugin: cannot set its environment");
		_exit(127);
	}
	execlp(socksd.plugin, socksd.plugin, (char *)NULL);
	pr_err("plugin: cannot run '%s': %s", socksd.plugin, strerror(errno));
	_exit(127);
}

static int plugin_spawn(void)
{
	pid_t pid = fork();

	if (pid < 0) {
		pr_err("plugin: cannot start '%s': %s", socksd.plugin,
		       strerror(errno));
		return -1;
	}
	if (!pid)
		plugin_exec();
	/* both sides set the group, so that it is set before either acts */
	setpgid(pid, pid);
	plugin.pid = pid;
	plugin.started = now_ms();
	plugin.restart_at = 0;
	pr_verbose("plugin '%s' started (pid %d): 127.0.0.1:%u to %s port %s",
		   socksd.plugin, (int)pid, plugin.port, plugin.remote_host,
		   plugin.remote_port);
	return 0;
}

/* the private profile: @x's method and secrets, the plugin's address */
static int private_profile(const struct ss_export *x)
{
	struct ss_config cfg = { .kind = SS_CLIENT };
	struct ipc_error e;
	int ret = 0;

	cfg.method = method_by_id(x->obj.method);
	if (!cfg.method || x->key_len != cfg.method->key_len) {
		pr_err("client profile '%s': a method this ss-socksd does not know (%u)",
		       socksd.profile, x->obj.method);
		return EXIT_RUNTIME;
	}
	snprintf(cfg.name, sizeof(cfg.name), "%.20s.p%u", socksd.profile,
		 (unsigned int)getpid());
	cfg.has_ipv4 = true;
	cfg.ipv4.s_addr = htonl(INADDR_LOOPBACK);
	cfg.port = plugin.port;
	memcpy(cfg.key, x->key, x->key_len);
	cfg.has_ikey = x->has_ikey;
	memcpy(cfg.ikey, x->ikey, sizeof(cfg.ikey));
	cfg.has_timeout = true;
	cfg.timeout = x->obj.timeout;
	if (x->obj.has_limits) {
		cfg.has_handshake_timeout = true;
		cfg.handshake_timeout = x->obj.handshake_timeout;
		cfg.has_max_conns = true;
		cfg.max_conns = x->obj.max_conns;
	}
	if (ipc_add(&cfg, &e) < 0) {
		ipc_report(&e, SS_CLIENT, "add", cfg.name, cfg.method->name);
		ret = EXIT_RUNTIME;
	} else {
		memcpy(plugin.profile, cfg.name, sizeof(plugin.profile));
		socksd.tcp_profile = plugin.profile;
	}
	config_wipe(&cfg);
	return ret;
}

int plugin_start(void)
{
	struct ss_export x;
	struct ipc_error e;
	int ret;

	if (ipc_client_export(socksd.profile, &x, &e) < 0) {
		ipc_report(&e, SS_CLIENT, "export", socksd.profile, NULL);
		return EXIT_RUNTIME;
	}
	if (x.obj.has_ipv6)
		inet_ntop(AF_INET6, &x.obj.ipv6, plugin.remote_host,
			  sizeof(plugin.remote_host));
	else
		inet_ntop(AF_INET, &x.obj.ipv4, plugin.remote_host,
			  sizeof(plugin.remote_host));
	snprintf(plugin.remote_port, sizeof(plugin.remote_port), "%u",
		 x.obj.port);
	if (free_port(&plugin.port)) {
		ipc_export_wipe(&x);
		pr_err("plugin: no free loopback port: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	snprintf(plugin.local_port, sizeof(plugin.local_port), "%u",
		 plugin.port);
	ret = private_profile(&x);
	ipc_export_wipe(&x);
	if (ret)
		return ret;

	if (plugin_spawn())
		return EXIT_RUNTIME;
	/* the first connections should find it listening */
	for (unsigned int t = 0; t < PLUGIN_READY_MS; t += 50) {
		if (port_listening(plugin.port))
			return 0;
		if (waitpid(plugin.pid, NULL, WNOHANG) == plugin.pid) {
			plugin.pid = 0;
			pr_err("plugin '%s' exited at once", socksd.plugin);
			return EXIT_RUNTIME;
		}
		sleep_ms(50);
	}
	pr_err("plugin '%s' does not listen on 127.0.0.1:%u after %u s; going on",
	       socksd.plugin, plugin.port, PLUGIN_READY_MS / 1000);
	return 0;
}

void plugin_reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		uint64_t now = now_ms();

		if (pid != plugin.pid)
			continue;
		plugin.pid = 0;
		if (now - plugin.started >= PLUGIN_STABLE_MS || !plugin.backoff)
			plugin.backoff = PLUGIN_RESTART_MIN_MS;
		else if (plugin.backoff * 2 > PLUGIN_RESTART_MAX_MS)
			plugin.backoff = PLUGIN_RESTART_MAX_MS;
		else
			plugin.backoff *= 2;
		plugin.restart_at = now + plugin.backoff;
		if (WIFSIGNALED(status))
			pr_err("plugin '%s' (pid %d) killed by %s; restarting in %u s",
			       socksd.plugin, (int)pid,
			       strsignal(WTERMSIG(status)),
			       (plugin.backoff + 999) / 1000);
		else
			pr_err("plugin '%s' (pid %d) exited with status %d; restarting in %u s",
			       socksd.plugin, (int)pid, WEXITSTATUS(status),
			       (plugin.backoff + 999) / 1000);
	}
}

int plugin_tick(void)
{
	uint64_t now;

	if (!plugin.restart_at)
		return -1;
	now = now_ms();
	if (plugin.restart_at > now)
		return (int)(plugin.restart_at - now);
	if (plugin_spawn()) {
		plugin.restart_at = now + PLUGIN_RESTART_MAX_MS;
		return PLUGIN_RESTART_MAX_MS;
	}
	return -1;
}

void plugin_stop(void)
{
	struct ipc_error e;

	if (plugin.pid > 0) {
		kill(-plugin.pid, SIGTERM);
		for (unsigned int t = 0; t < PLUGIN_STOP_MS; t += 50) {
			if (waitpid(plugin.pid, NULL, WNOHANG) == plugin.pid) {
				plugin.pid = 0;
				break;
			}
			sleep_ms(50);
		}
		if (plugin.pid > 0) {
			kill(-plugin.pid, SIGKILL);
			waitpid(plugin.pid, NULL, 0);
		}
		plugin.pid = 0;
	}
	if (plugin.profile[0] && ipc_del(SS_CLIENT, plugin.profile, &e) < 0)
		ipc_report(&e, SS_CLIENT, "delete", plugin.profile, NULL);
	plugin.profile[0] = '\0';
}
