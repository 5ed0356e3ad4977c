// SPDX-License-Identifier: GPL-2.0
/*
 * ssctl resolver: the agent that answers the kernel module's lookups of
 * target names for the servers of this network namespace (see
 * uapi/linux/shadowsocks.h, "Resolving target names"). It resolves with
 * getaddrinfo(), so with what the namespace's processes see: started under
 * "ip netns exec NS", that includes /etc/netns/NS/resolv.conf.
 *
 * The main thread reads the requests from the module's multicast group and
 * queues them; a few worker threads resolve them, each answering on a
 * netlink socket of its own, so that one slow name holds up one worker
 * only. The queue is bounded: a request that finds it full is answered
 * EAGAIN at once (the kernel counts a failed lookup) rather than left to
 * time out in the kernel.
 *
 * Unloading the module deletes the family and the agent's membership of
 * its group, and a module loaded again is a new family: the agent follows
 * the controller's notifications and exits (status 1) when the family is
 * deleted, for its supervisor to start it again, subscribed to the new one.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <netlink/errno.h>

#include "ipc.h"
#include "ssctl.h"

#define USAGE "Usage: " PROG_NAME " resolver [workers N] [verbose]\n"
#define DEFAULT_WORKERS 4
#define MAX_WORKERS 64
#define QUEUE_MAX 256

struct agent {
	pthread_mutex_t lock;		/* protects the queue */
	pthread_cond_t more;		/* signalled when the queue grows */
	struct ipc_lookup queue[QUEUE_MAX];
	unsigned int head, len;
	bool verbose;
	struct ipc_listener *reply;	/* the main thread's replies */
};

struct worker {
	pthread_t thread;
	struct agent *agent;
	struct ipc_listener *reply;	/* this worker's replies */
};

/* getaddrinfo()'s failure as the errno the kernel is told */
static int gai_errno(int gai)
{
	switch (gai) {
	case EAI_NONAME:
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
		return ENOENT;
	case EAI_AGAIN:
		return EAGAIN;
	case EAI_MEMORY:
		return ENOMEM;
	case EAI_SYSTEM:
		return errno ? errno : EIO;
	default:
		return EIO;
	}
}

static void reply(struct ipc_listener *r, const struct ipc_lookup *l, int err,
		  const struct ipc_addr *addrs, size_t n)
{
	struct ipc_error e;

	if (!ipc_resolve_reply(r, l->id, err, addrs, n, &e))
		return;
	/* one fprintf a line: threads' lines do not mix */
	if (e.err == ENOENT)
		fprintf(stderr, PROG_NAME ": resolver: lookup %u of %s: the kernel no longer waits for it%s%s\n",
			l->id, l->name, e.msg[0] ? ": " : "", e.msg);
	else
		fprintf(stderr, PROG_NAME ": resolver: lookup %u of %s: reply refused: %s%s%s\n",
			l->id, l->name,
			e.err ? strerror(e.err) : nl_geterror(e.nl_err),
			e.msg[0] ? ": " : "", e.msg);
}

static void resolve(struct agent *a, struct ipc_listener *r,
		    const struct ipc_lookup *l)
{
	/* SOCK_STREAM: one entry per address, not one per socket type */
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
	};
	struct ipc_addr addrs[SS_LOOKUP_ADDRS_MAX];
	struct addrinfo *res, *ai;
	char text[INET6_ADDRSTRLEN];
	size_t n = 0;
	int gai, err = 0;

	gai = getaddrinfo(l->name, NULL, &hints, &res);
	if (gai) {
		err = gai_errno(gai);
		if (a->verbose)
			fprintf(stderr, PROG_NAME ": resolver: lookup %u of %s (server %s): %s\n",
				l->id, l->name, l->server, gai_strerror(gai));
	} else {
		for (ai = res; ai && n < SS_LOOKUP_ADDRS_MAX; ai = ai->ai_next) {
			struct ipc_addr *p = &addrs[n];

			memset(p, 0, sizeof(*p));
			p->family = ai->ai_family;
			if (ai->ai_family == AF_INET)
				p->v4 = ((struct sockaddr_in *)ai->ai_addr)->sin_addr;
			else if (ai->ai_family == AF_INET6)
				p->v6 = ((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
			else
				continue;
			if (a->verbose && !n)
				fprintf(stderr, PROG_NAME ": resolver: lookup %u of %s (server %s): %s%s\n",
					l->id, l->name, l->server,
					inet_ntop(p->family, p->family == AF_INET ?
						  (void *)&p->v4 : (void *)&p->v6,
						  text, sizeof(text)),
					ai->ai_next ? " ..." : "");
			n++;
		}
		freeaddrinfo(res);
		if (!n)
			err = ENOENT;
	}
	reply(r, l, err, addrs, n);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct agent *a = w->agent;
	struct ipc_lookup l;

	for (;;) {
		pthread_mutex_lock(&a->lock);
		while (!a->len)
			pthread_cond_wait(&a->more, &a->lock);
		l = a->queue[a->head];
		a->head = (a->head + 1) % QUEUE_MAX;
		a->len--;
		pthread_mutex_unlock(&a->lock);
		resolve(a, w->reply, &l);
	}
	return NULL;
}

/* a request from the kernel: to the queue, or refused at once */
static void enqueue(const struct ipc_lookup *l, void *arg)
{
	struct agent *a = arg;
	bool full;

	pthread_mutex_lock(&a->lock);
	full = a->len == QUEUE_MAX;
	if (!full) {
		a->queue[(a->head + a->len) % QUEUE_MAX] = *l;
		a->len++;
		pthread_cond_signal(&a->more);
	}
	pthread_mutex_unlock(&a->lock);
	if (full) {
		fprintf(stderr, PROG_NAME ": resolver: %u lookups waiting already: %s refused\n",
			QUEUE_MAX, l->name);
		reply(a->reply, l, EAGAIN, NULL, 0);
	}
}

static void open_error(const struct ipc_error *e)
{
	ipc_listener_report("resolver", "resolver", e);
}

static int parse_args(int argc, char *argv[], unsigned int *workers,
		      bool *verbose)
{
	for (int i = 1; i < argc; i++) {
		char *end;
		unsigned long v;

		if (!strcmp(argv[i], "verbose")) {
			*verbose = true;
		} else if (!strcmp(argv[i], "workers")) {
			if (++i == argc) {
				pr_err("'workers' needs a value");
				return -1;
			}
			errno = 0;
			v = strtoul(argv[i], &end, 10);
			if (errno || *end || end == argv[i] || argv[i][0] == '-' ||
			    v < 1 || v > MAX_WORKERS) {
				pr_err("invalid workers '%s' (1-%d)", argv[i],
				       MAX_WORKERS);
				return -1;
			}
			*workers = (unsigned int)v;
		} else {
			pr_err("unknown argument '%s'", argv[i]);
			return -1;
		}
	}
	return 0;
}

int resolver_main(int argc, char *argv[], const struct ssctl_opts *opts)
{
	struct agent a = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.more = PTHREAD_COND_INITIALIZER,
	};
	unsigned int n_workers = DEFAULT_WORKERS;
	struct ipc_listener *sub = NULL;
	struct worker *workers = NULL;
	struct pollfd pfd[2];
	struct ipc_error e;
	sigset_t sigs;
	int sfd = -1, ret = EXIT_RUNTIME;

	if (argc > 1 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
			 !strcmp(argv[1], "-h"))) {
		fputs(USAGE
		      "Answer the kernel module's lookups of target names for the servers of\n"
		      "this network namespace, with getaddrinfo(); runs until SIGTERM or SIGINT,\n"
		      "or exits with status 1 when the module is unloaded.\n"
		      "  workers N   names resolved at once (1-64, default 4)\n"
		      "  verbose     log every lookup on stderr\n", stdout);
		return 0;
	}
	if (opts->batch) {
		pr_err("resolver: not in batch mode");
		return EXIT_USAGE;
	}
	if (parse_args(argc, argv, &n_workers, &a.verbose) < 0) {
		fputs(USAGE, stderr);
		return EXIT_USAGE;
	}

	/* the threads inherit the mask: the signals reach signalfd only */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &sigs, NULL) ||
	    (sfd = signalfd(-1, &sigs, SFD_CLOEXEC)) < 0) {
		pr_err("resolver: signalfd: %s", strerror(errno));
		return EXIT_RUNTIME;
	}

	sub = ipc_resolver_open(true, &e);
	if (!sub) {
		open_error(&e);
		goto out;
	}
	a.reply = ipc_resolver_open(false, &e);
	workers = calloc(n_workers, sizeof(*workers));
	if (!a.reply || !workers) {
		if (!a.reply)
			open_error(&e);
		else
			pr_err("resolver: %s", strerror(ENOMEM));
		goto out;
	}
	for (unsigned int i = 0; i < n_workers; i++) {
		workers[i].agent = &a;
		workers[i].reply = ipc_resolver_open(false, &e);
		if (!workers[i].reply) {
			open_error(&e);
			goto out;
		}
		errno = pthread_create(&workers[i].thread, NULL, worker_main,
				       &workers[i]);
		if (errno) {
			pr_err("resolver: cannot start a worker: %s",
			       strerror(errno));
			goto out;
		}
	}
	if (a.verbose)
		fprintf(stderr, PROG_NAME ": resolver: answering with %u workers\n",
			n_workers);

	pfd[0] = (struct pollfd){ .fd = ipc_listener_fd(sub), .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("resolver: poll: %s", strerror(errno));
			goto out;
		}
		if (pfd[1].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si) && a.verbose)
				fprintf(stderr, PROG_NAME ": resolver: %s, exiting\n",
					strsignal((int)si.ssi_signo));
			ret = 0;
			goto out;
		}
		if (pfd[0].revents &&
		    ipc_resolver_read(sub, enqueue, &a, &e) < 0) {
			if (e.no_family) {
				pr_err("resolver: the shadowsocks kernel module was unloaded: exiting");
				goto out;
			}
			if (e.nl_err != NLE_NOMEM) {
				pr_err("resolver: cannot read the module's requests: %s: exiting",
				       nl_geterror(e.nl_err));
				goto out;
			}
			/* the kernel fails the lost ones at their timeout */
			pr_err("resolver: requests lost: the socket's buffer overflowed");
		}
	}
out:
	/*
	 * Workers may be inside getaddrinfo() for seconds: they are not
	 * waited for, the process's exit ends them; the kernel fails lookups
	 * left unanswered when their timeout comes, and goes back to its own
	 * resolution once nobody listens.
	 */
	ipc_listener_close(sub);
	if (sfd >= 0)
		close(sfd);
	return ret;
}
