// SPDX-License-Identifier: GPL-2.0
/*
 * The messages of failed requests, apart from ipc.c so that the tests'
 * stand-in for the kernel (tests/fake-ipc.c) is reported as it would be.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/errno.h>

#include "ipc.h"

void ipc_report(const struct ipc_error *e, enum ss_kind kind,
		const char *action, const char *name, const char *method)
{
	const char *k = kind_name(kind);
	char ours[160];

	if (e->no_family) {
		pr_err("the shadowsocks kernel module is not loaded and could not be loaded (try: modprobe shadowsocks)");
		return;
	}
	if (e->nl_err) {
		if (name)
			pr_err("cannot %s %s '%s': %s", action, k, name,
			       nl_geterror(e->nl_err));
		else
			pr_err("cannot %s %ss: %s", action, k,
			       nl_geterror(e->nl_err));
		return;
	}

	switch (e->err) {
	case EEXIST:
		snprintf(ours, sizeof(ours), "%s '%s' already exists", k, name);
		break;
	case ENOENT:
		if (!name)
			goto other;
		snprintf(ours, sizeof(ours), "no %s named '%s'", k, name);
		break;
	case EPERM:
		snprintf(ours, sizeof(ours),
			 "permission denied (CAP_NET_ADMIN is required)");
		break;
	case ENOPKG:
		snprintf(ours, sizeof(ours),
			 "the kernel cannot provide the cipher of %s",
			 method ? method : "this method");
		break;
	case EAGAIN:
		if (name)
			goto other;
		snprintf(ours, sizeof(ours),
			 "the %ss kept changing while they were listed; try again",
			 k);
		break;
	default:
other:
		if (e->msg[0])
			pr_err("%s", e->msg);
		else if (name)
			pr_err("cannot %s %s '%s': %s", action, k, name,
			       strerror(e->err));
		else
			pr_err("cannot %s %ss: %s", action, k, strerror(e->err));
		return;
	}
	/* for a duplicate or unknown name the kernel's text says no more */
	if (e->msg[0] && e->err != EEXIST && e->err != ENOENT)
		pr_err("%s: %s", ours, e->msg);
	else
		pr_err("%s", ours);
}

void ipc_user_report(const struct ipc_error *e, const char *action,
		     const char *server, const char *user)
{
	char what[128];

	if (e->no_family) {
		pr_err("the shadowsocks kernel module is not loaded and could not be loaded (try: modprobe shadowsocks)");
		return;
	}
	/* "cannot add user 'alice' to server 'web'", "cannot list users" */
	if (user)
		snprintf(what, sizeof(what), "%s user '%s' %s server '%s'",
			 action, user, !strcmp(action, "add") ? "to" : "of",
			 server);
	else if (server)
		snprintf(what, sizeof(what), "list the users of server '%s'",
			 server);
	else
		snprintf(what, sizeof(what), "list users");

	if (e->nl_err) {
		pr_err("cannot %s: %s", what, nl_geterror(e->nl_err));
		return;
	}
	switch (e->err) {
	case EPERM:
		pr_err("permission denied (CAP_NET_ADMIN is required)");
		return;
	case EOPNOTSUPP:
		/* an unknown command: a module from before users */
		if (!e->msg[0]) {
			pr_err("cannot %s: the shadowsocks kernel module has no users (SIP023; too old)",
			       what);
			return;
		}
		break;
	case ENOENT:
		/* the kernel's message says which: no server, or no such user */
		if (!server || !user)
			break;
		if (!strncmp(e->msg, "no server", 9))
			pr_err("no server named '%s'", server);
		else if (e->msg[0])
			pr_err("server '%s' has no user named '%s'", server,
			       user);
		else
			pr_err("no server named '%s', or it has no user named '%s'",
			       server, user);
		return;
	case EEXIST:
		if (!e->msg[0]) {
			pr_err("cannot %s: the server has a user of that name or with that key",
			       what);
			return;
		}
		break;
	case ENOSPC:
		pr_err("cannot %s: the server has %d users, the most it may have",
		       what, SS_MAX_USERS);
		return;
	case EAGAIN:
		if (!user) {
			pr_err("cannot %s: the users kept changing while they were listed; try again",
			       what);
			return;
		}
		break;
	}
	pr_err("cannot %s: %s", what, e->msg[0] ? e->msg : strerror(e->err));
}

void ipc_listener_report(const char *who, const char *group,
			 const struct ipc_error *e)
{
	if (e->no_family)
		pr_err("the shadowsocks kernel module is not loaded and could not be loaded (try: modprobe shadowsocks)");
	else if (e->err == EPERM)
		pr_err("%s: permission denied (CAP_NET_ADMIN is required)", who);
	else if (e->err == EOPNOTSUPP)
		pr_err("%s: the shadowsocks kernel module has no %s group (too old)",
		       who, group);
	else if (e->err)
		pr_err("%s: %s", who, strerror(e->err));
	else
		pr_err("%s: %s", who, nl_geterror(e->nl_err));
}
