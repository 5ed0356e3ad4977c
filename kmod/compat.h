/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernel lines this module supports: Debian
 * bookworm's 6.1 and 6.12. Every kernel version check of the module lives
 * in this file and nowhere else; where a feature can be tested for (a macro
 * that appeared), that is preferred to comparing LINUX_VERSION_CODE.
 */

#ifndef _SS_COMPAT_H
#define _SS_COMPAT_H

#include <linux/mm.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/version.h>
#include <net/inet_sock.h>
#include <net/netlink.h>

/*
 * NLA_POLICY_FULL_RANGE() - a policy entry whose bounds are in a struct
 *
 * 6.1's struct nla_policy points at the bounds without const (6.12's with
 * it), and the policies generated from the YAML spec (netlink-gen.c) keep
 * them const; the core only reads them. No macro tells the two apart.
 */
#if KERNEL_VERSION(6, 12, 0) > LINUX_VERSION_CODE
#undef NLA_POLICY_FULL_RANGE
#define NLA_POLICY_FULL_RANGE(tp, _range) {				\
	.type = NLA_ENSURE_UINT_OR_BINARY_TYPE(tp),			\
	.validation_type = NLA_VALIDATE_RANGE_PTR,			\
	.range = (struct netlink_range_validation *)(_range),		\
}
#endif

/*
 * ss_genl_hook_ops - the type of the op a family's pre_doit and post_doit
 * get: from 6.2 on, the core turns every genl_ops into a genl_split_ops and
 * passes that; 6.1 passes the genl_ops. No macro tells the two apart.
 */
#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE
#define ss_genl_hook_ops genl_ops
#else
#define ss_genl_hook_ops genl_split_ops
#endif

/*
 * ss_genl_dump_attrs() - the attributes of a dump's request, parsed by the
 * core against the op's policy: 6.6 moved them into a struct genl_info.
 */
#if KERNEL_VERSION(6, 6, 0) > LINUX_VERSION_CODE
#define ss_genl_dump_attrs(cb) (genl_dumpit_info(cb)->attrs)
#else
#define ss_genl_dump_attrs(cb) (genl_info_dump(cb)->attrs)
#endif

/*
 * SS_SET_ERR_MSG_FMT() - set a formatted extended ACK message
 * @extack: the request's extack, may be NULL
 * @fallback: a string literal: the message where formatting is unavailable,
 *	or where the formatted text would not fit
 * @fmt: printf format of the message, and its arguments after it
 *
 * Formatted extack messages arrived in 6.2 (NL_SET_ERR_MSG_FMT). Before that
 * an extack can only point at a string that outlives the request, so 6.1
 * always reports the fixed @fallback text. From 6.2 on, a message longer
 * than NETLINK_MAX_FMTMSG_LEN is replaced by @fallback rather than cut (the
 * core would also warn in the kernel log about the cut).
 */
#ifdef NL_SET_ERR_MSG_FMT
static inline __printf(2, 3)
bool ss_set_err_msg_fmt(struct netlink_ext_ack *extack, const char *fmt, ...)
{
	char msg[NETLINK_MAX_FMTMSG_LEN];
	va_list args;
	int len;

	va_start(args, fmt);
	len = vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	if (len >= (int)sizeof(msg))
		return false;
	NL_SET_ERR_MSG_FMT(extack, "%s", msg);
	return true;
}

#define SS_SET_ERR_MSG_FMT(extack, fallback, fmt, ...) do {		\
	struct netlink_ext_ack *__ss_extack = (extack);			\
									\
	if (!ss_set_err_msg_fmt(__ss_extack, fmt, ##__VA_ARGS__))	\
		NL_SET_ERR_MSG(__ss_extack, fallback);			\
} while (0)
#else
#define SS_SET_ERR_MSG_FMT(extack, fallback, fmt, ...) do {		\
	if (0)								\
		no_printk(fmt, ##__VA_ARGS__);				\
	NL_SET_ERR_MSG(extack, fallback);				\
} while (0)
#endif

/*
 * ss_sk_transparent(), ss_sk_set_transparent() - a socket's IP_TRANSPARENT
 * (IPV6_TRANSPARENT sets the same flag): 6.6 moved it from a bit field of
 * struct inet_sock into its atomic inet_flags, with inet_test_bit().
 */
#ifdef inet_test_bit
static inline bool ss_sk_transparent(const struct sock *sk)
{
	return inet_test_bit(TRANSPARENT, sk);
}

static inline void ss_sk_set_transparent(struct sock *sk)
{
	inet_set_bit(TRANSPARENT, sk);
}
#else
static inline bool ss_sk_transparent(const struct sock *sk)
{
	return inet_sk(sk)->transparent;
}

/* Only on a socket nobody else has seen yet: a plain bit field store. */
static inline void ss_sk_set_transparent(struct sock *sk)
{
	inet_sk(sk)->transparent = 1;
}
#endif

/*
 * ss_send_pages() - send @len bytes at @buf without copying them
 * @sock: a TCP socket
 * @buf: in memory from the page allocator (never kmalloc()'s: TCP takes
 *	references on its pages and keeps them until the peer has
 *	acknowledged the bytes, or over loopback until the receiver has read
 *	them), which must not change while TCP holds a reference
 * @len: bytes to send
 * @flags: MSG_* flags of the send
 *
 * The pages go into the socket's skbs as they are, where they stay marked
 * as shared (SKBFL_SHARED_FRAG), so that whatever would write into a
 * packet copies first. 6.5 replaced sendpage by MSG_SPLICE_PAGES on
 * sendmsg, which also takes the pages of a kvec. 6.1's TCP ignores that
 * flag (Debian's 6.1 headers define it, for sendmsg() to strip it from
 * userspace's flags): there, kernel_sendpage() page by page, all but the
 * last marked MSG_SENDPAGE_NOTLAST so that TCP pushes once, as splice()
 * does; MSG_SENDPAGE_NOTLAST went with sendpage, which tells the two apart.
 *
 * Return: the bytes TCP took, or a negative errno (as kernel_sendmsg()).
 */
#ifdef MSG_SENDPAGE_NOTLAST
static inline int ss_send_pages(struct socket *sock, const void *buf,
				size_t len, int flags)
{
	size_t sent = 0;

	while (sent < len) {
		const void *p = buf + sent;
		size_t n = min_t(size_t, len - sent,
				 PAGE_SIZE - offset_in_page(p));
		int more = sent + n < len ? MSG_SENDPAGE_NOTLAST : 0;
		int ret;

		ret = kernel_sendpage(sock, virt_to_page(p), offset_in_page(p),
				      n, flags | more);
		if (ret <= 0)
			return sent ?: ret;
		sent += ret;
		if (ret < n)
			break;
	}
	return sent;
}
#else
static inline int ss_send_pages(struct socket *sock, const void *buf,
				size_t len, int flags)
{
	struct kvec vec = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = flags | MSG_SPLICE_PAGES };

	return kernel_sendmsg(sock, &msg, &vec, 1, len);
}
#endif

#endif /* _SS_COMPAT_H */
