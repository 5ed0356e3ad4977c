// SPDX-License-Identifier: GPL-2.0
/*
 * The relay of the server role, run by a connection's work (conn.c):
 *
 * - client to target: the salt, then chunks; each sealed length and each
 *   sealed payload is read straight into its buffer and opened in place,
 *   and the plaintext is written to the target from there;
 * - target to client: plaintext is read at the payload offset of a chunk
 *   buffer, its length put before it, both sealed in place, and the chunk
 *   written; the first one goes with the reply salt in front of it, in one
 *   send.
 *
 * All socket calls are non-blocking. A direction whose writer would block
 * keeps its buffer and stops reading until the peer's sk_write_space says
 * there is room again (backpressure); a FIN read on one side is passed on
 * as a FIN (shutdown(SHUT_WR)) once everything before it is written.
 * Buffers are allocated when data comes and freed when a direction has
 * nothing pending, so an idle connection holds none.
 */

#include <linux/net.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "addr.h"
#include "conn.h"
#include "relay.h"
#include "replay.h"
#include "server.h"

/*
 * Chunks a direction handles in one run of the work before it lets the
 * connections queued behind it have the CPU (the work queues itself again).
 */
#define SS_RELAY_BUDGET		16

/* Client to target: the largest sealed payload. */
#define SS_UP_BUF_SIZE		(SS_CHUNK_PAYLOAD_MAX + SS_TAG_LEN)

/*
 * Target to client: the salt's room, the sealed length, the payload, its
 * tag. Reply chunks are made a little smaller than the protocol allows so
 * that the buffer is exactly 16 KiB, not just over it (which kmalloc()
 * would round up to 32 KiB).
 */
#define SS_DOWN_HEAD		SS_SALT_MAX_LEN
#define SS_DOWN_BUF_SIZE	SZ_16K
#define SS_DOWN_PAYLOAD_MAX	(SS_DOWN_BUF_SIZE - SS_DOWN_HEAD - \
				 SS_LEN_SEALED - SS_TAG_LEN)
static_assert(SS_DOWN_PAYLOAD_MAX <= SS_CHUNK_PAYLOAD_MAX);

/* What reading returns besides negative errnos. */
enum {
	SS_IO_AGAIN,	/* nothing more now: a callback will queue the work */
	SS_IO_CHUNK,	/* a chunk is ready */
	SS_IO_EOF,	/* the peer sent its FIN */
	SS_IO_YIELD,	/* the budget is spent: queue the work again */
	SS_IO_AUTH,	/* a chunk failed authentication */
	SS_IO_BADLEN,	/* a chunk length with its reserved bits set */
};

static int ss_recv(struct socket *sock, void *buf, size_t len)
{
	struct kvec vec = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {};

	return kernel_recvmsg(sock, &msg, &vec, 1, len, MSG_DONTWAIT);
}

/*
 * Would a send certainly find no room? TCP sets SOCK_NOSPACE when a send
 * returns -EAGAIN or short, and only sk_stream_write_space() clears it,
 * once there is room, just before ss_conn_write_space() queues the work.
 * While it is set, the work runs for the other socket's events only: a send
 * now would be refused. An error on the socket is let through to the send.
 */
static bool ss_sock_full(struct socket *sock)
{
	return test_bit(SOCK_NOSPACE, &sock->flags) &&
	       !READ_ONCE(sock->sk->sk_err);
}

/*
 * Write [*off, end) of @buf. Return: 0 once all is written; -EAGAIN when
 * the socket is full (TCP has set SOCK_NOSPACE, so sk_write_space will
 * come); another negative errno when the connection is broken.
 */
static int ss_flush(struct socket *sock, const u8 *buf, u16 *off, u16 end)
{
	while (*off < end) {
		struct kvec vec = {
			.iov_base = (void *)(buf + *off),
			.iov_len = end - *off,
		};
		struct msghdr msg = {
			.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
		};
		int n;

		if (ss_sock_full(sock))
			return -EAGAIN;
		n = kernel_sendmsg(sock, &msg, &vec, 1, vec.iov_len);
		if (n <= 0)
			return n ?: -EAGAIN;
		*off += n;
	}
	return 0;
}

/*
 * Read from the client until a whole chunk is opened, or the socket has no
 * more for now. The salt keys &ss_conn.dec when complete.
 *
 * Return: SS_IO_CHUNK with plaintext [0, plen) in @up->buf (stage
 * SS_UP_WRITE); SS_IO_AGAIN; SS_IO_EOF; SS_IO_AUTH; SS_IO_BADLEN; or a
 * negative errno.
 */
static int ss_up_read(struct ss_conn *conn)
{
	const struct ss_method_info *m = conn->srv->method;
	struct ss_up *up = &conn->up;
	size_t need;
	u8 *dst;
	int n;

	for (;;) {
		switch (up->stage) {
		case SS_UP_SALT:
			dst = conn->salt;
			need = m->salt_len;
			break;
		case SS_UP_LEN:
			dst = up->hdr;
			need = SS_LEN_SEALED;
			break;
		default:	/* SS_UP_PAYLOAD */
			if (!up->buf) {
				up->buf = kmalloc(SS_UP_BUF_SIZE, GFP_KERNEL);
				if (!up->buf)
					return -ENOMEM;
			}
			dst = up->buf;
			need = up->plen + SS_TAG_LEN;
			break;
		}

		n = ss_recv(conn->client.sock, dst + up->have, need - up->have);
		if (n == -EAGAIN) {
			if (up->stage == SS_UP_LEN && !up->have) {
				/* Between chunks, idle: hold no buffer. */
				kfree(up->buf);
				up->buf = NULL;
			}
			return SS_IO_AGAIN;
		}
		if (n <= 0)
			return n ?: SS_IO_EOF;
		up->have += n;
		if (up->have < need)
			continue;
		up->have = 0;

		switch (up->stage) {
		case SS_UP_SALT:
			n = ss_cipher_init(&conn->dec, m, conn->srv->key,
					   conn->salt, GFP_KERNEL);
			if (n)
				return n;
			up->stage = SS_UP_LEN;
			break;
		case SS_UP_LEN:
			n = ss_cipher_open(&conn->dec, up->hdr, up->hdr, need);
			if (n)
				return n == -EBADMSG ? SS_IO_AUTH : n;
			up->plen = up->hdr[0] << 8 | up->hdr[1];
			if (up->plen > SS_CHUNK_PAYLOAD_MAX)
				return SS_IO_BADLEN;
			up->stage = SS_UP_PAYLOAD;
			break;
		default:	/* SS_UP_PAYLOAD */
			n = ss_cipher_open(&conn->dec, up->buf, up->buf, need);
			if (n)
				return n == -EBADMSG ? SS_IO_AUTH : n;
			up->off = 0;
			up->end = up->plen;
			up->stage = SS_UP_WRITE;
			return SS_IO_CHUNK;
		}
	}
}

/*
 * Collect the target address from the chunk just opened, [off, end) of
 * @up->buf, into @t. Nearly always the first chunk holds all of it and it
 * is parsed where it is; otherwise its pieces are gathered in
 * &ss_conn.abuf.
 *
 * Return: 1 with @t set and @up->off past the address; 0 if the chunk ends
 * before the address does; -EINVAL for a bad address; -ENOMEM.
 */
static int ss_handshake_addr(struct ss_conn *conn, struct ss_target *t)
{
	struct ss_up *up = &conn->up;
	const u8 *p = up->buf + up->off;
	size_t avail = up->end - up->off;
	int total;

	if (!conn->abuf) {
		total = ss_addr_len(p, avail);
		if (total < 0)
			return total;
		if (total && total <= avail) {
			ss_addr_parse(p, total, t);
			up->off += total;
			return 1;
		}
		conn->abuf = kmalloc(SS_ADDR_MAX, GFP_KERNEL);
		if (!conn->abuf)
			return -ENOMEM;
		conn->alen = 0;
	}

	while (avail) {
		size_t want, n;

		total = ss_addr_len(conn->abuf, conn->alen);
		if (total < 0)
			return total;
		/* Until the length is known, one byte at a time. */
		want = total ?: conn->alen + 1;
		n = min(want - conn->alen, avail);
		memcpy(conn->abuf + conn->alen, p, n);
		conn->alen += n;
		up->off += n;
		p += n;
		avail -= n;
		if (total && conn->alen == total) {
			ss_addr_parse(conn->abuf, total, t);
			return 1;
		}
	}
	total = ss_addr_len(conn->abuf, conn->alen);
	return total < 0 ? total : 0;
}

/**
 * ss_relay_handshake() - read the salt and the request's target address
 * @conn: the connection, in its work, in SS_CONN_HANDSHAKE
 *
 * Authentication failure, a bad length or address, and a replayed salt
 * make the connection drain; once the address is complete the connection
 * goes on to its target, with whatever payload followed the address
 * pending for it.
 */
void ss_relay_handshake(struct ss_conn *conn)
{
	const struct ss_method_info *m = conn->srv->method;
	struct ss_up *up = &conn->up;
	struct ss_target t;
	int i, ret;

	for (i = 0; i < SS_RELAY_BUDGET; i++) {
		ret = ss_up_read(conn);
		switch (ret) {
		case SS_IO_CHUNK:
			break;
		case SS_IO_AGAIN:
			return;
		case SS_IO_EOF:
			ss_conn_close(conn, "client closed during handshake");
			return;
		case SS_IO_AUTH:
			ss_conn_bad(conn, SS_CTR_AUTH_FAIL,
				    "authentication failure");
			return;
		case SS_IO_BADLEN:
			ss_conn_bad(conn, SS_CTR_BAD_HEADER, "bad chunk length");
			return;
		default:
			pr_debug("conn %u handshake: error %d\n", conn->id, ret);
			ss_conn_close(conn, "error during handshake");
			return;
		}

		/* Only now: salts of garbage never get in the filter. */
		if (!conn->salt_checked) {
			conn->salt_checked = true;
			if (ss_replay_check_and_add(conn->salt, m->salt_len)) {
				ss_conn_bad(conn, SS_CTR_REPLAY, "replayed salt");
				return;
			}
		}

		ret = ss_handshake_addr(conn, &t);
		if (ret == -EINVAL) {
			ss_conn_bad(conn, SS_CTR_BAD_HEADER, "bad address");
			return;
		}
		if (ret < 0) {
			ss_conn_close(conn, "out of memory");
			return;
		}
		if (!ret) {
			up->stage = SS_UP_LEN;	/* the rest is in the next one */
			continue;
		}

		kfree(conn->abuf);
		conn->abuf = NULL;
		if (up->off == up->end)
			up->stage = SS_UP_LEN;
		else
			ss_stats_add(&conn->srv->stats, SS_CTR_BYTES_IN,
				     up->end - up->off);
		ss_conn_target(conn, &t);
		return;
	}
	ss_conn_queue(conn);
}

/* Client to target. Return: an SS_IO_* code or a negative errno. */
static int ss_relay_up(struct ss_conn *conn)
{
	struct socket *target = conn->target.sock;
	struct ss_up *up = &conn->up;
	int i, ret;

	for (i = 0; i < SS_RELAY_BUDGET; i++) {
		if (up->stage == SS_UP_WRITE) {
			ret = ss_flush(target, up->buf, &up->off, up->end);
			if (ret)
				return ret == -EAGAIN ? SS_IO_AGAIN : ret;
			up->stage = SS_UP_LEN;
		}
		if (up->eof) {
			if (!up->shut) {
				up->shut = true;
				kernel_sock_shutdown(target, SHUT_WR);
			}
			return SS_IO_AGAIN;
		}

		ret = ss_up_read(conn);
		if (ret == SS_IO_EOF) {
			up->eof = true;
			continue;
		}
		if (ret != SS_IO_CHUNK)
			return ret;
		ss_stats_add(&conn->srv->stats, SS_CTR_BYTES_IN, up->end);
		conn->last_active = jiffies;
	}
	return SS_IO_YIELD;
}

/*
 * Read what the target has, up to one chunk's payload, and seal it in
 * place. The first chunk picks the reply salt and gets it in front.
 *
 * Return: SS_IO_CHUNK with sealed bytes [off, end) in @down->buf;
 * SS_IO_AGAIN; SS_IO_EOF; or a negative errno.
 */
static int ss_down_read(struct ss_conn *conn)
{
	const struct ss_method_info *m = conn->srv->method;
	struct ss_down *down = &conn->down;
	u8 *chunk, *payload;
	int n, err;

	if (!down->buf) {
		down->buf = kmalloc(SS_DOWN_BUF_SIZE, GFP_KERNEL);
		if (!down->buf)
			return -ENOMEM;
	}
	chunk = down->buf + SS_DOWN_HEAD;
	payload = chunk + SS_LEN_SEALED;

	n = ss_recv(conn->target.sock, payload, SS_DOWN_PAYLOAD_MAX);
	if (n <= 0) {
		/* Nothing is pending: hold no buffer while idle. */
		kfree(down->buf);
		down->buf = NULL;
		if (n == -EAGAIN)
			return SS_IO_AGAIN;
		return n ?: SS_IO_EOF;
	}

	down->off = SS_DOWN_HEAD;
	if (!down->keyed) {
		u8 *salt = chunk - m->salt_len;

		get_random_bytes(salt, m->salt_len);
		err = ss_cipher_init(&conn->enc, m, conn->srv->key, salt,
				     GFP_KERNEL);
		if (err)
			return err;
		/* A salt of ours sent back to us is a replay. */
		ss_replay_add(salt, m->salt_len);
		down->keyed = true;
		down->off -= m->salt_len;
	}
	chunk[0] = n >> 8;
	chunk[1] = n & 0xff;
	err = ss_cipher_seal(&conn->enc, chunk, chunk, 2);
	if (!err)
		err = ss_cipher_seal(&conn->enc, payload, payload, n);
	if (err)
		return err;
	down->end = SS_DOWN_HEAD + SS_LEN_SEALED + n + SS_TAG_LEN;
	ss_stats_add(&conn->srv->stats, SS_CTR_BYTES_OUT, n);
	return SS_IO_CHUNK;
}

/* Target to client. Return: an SS_IO_* code or a negative errno. */
static int ss_relay_down(struct ss_conn *conn)
{
	struct socket *client = conn->client.sock;
	struct ss_down *down = &conn->down;
	int i, ret;

	for (i = 0; i < SS_RELAY_BUDGET; i++) {
		if (down->off < down->end) {
			ret = ss_flush(client, down->buf, &down->off,
				       down->end);
			if (ret)
				return ret == -EAGAIN ? SS_IO_AGAIN : ret;
		}
		if (down->eof) {
			if (!down->shut) {
				down->shut = true;
				kernel_sock_shutdown(client, SHUT_WR);
			}
			return SS_IO_AGAIN;
		}

		ret = ss_down_read(conn);
		if (ret == SS_IO_EOF) {
			down->eof = true;
			continue;
		}
		if (ret != SS_IO_CHUNK)
			return ret;
		conn->last_active = jiffies;
	}
	return SS_IO_YIELD;
}

/* Both FINs exchanged and ours acknowledged (or reset): nothing in flight. */
static bool ss_sock_closed(struct socket *sock)
{
	return inet_sk_state_load(sock->sk) == TCP_CLOSE;
}

/**
 * ss_relay_pump() - relay both ways as far as the sockets let us
 * @conn: the connection, in its work, in SS_CONN_RELAY
 *
 * Ends the connection on an error of either socket, a chunk failing
 * authentication (the client was genuine until then: no draining), or once
 * both directions have passed their FIN on and TCP has closed both sockets.
 */
void ss_relay_pump(struct ss_conn *conn)
{
	int up, down;

	up = ss_relay_up(conn);
	if (up == SS_IO_AUTH || up == SS_IO_BADLEN) {
		ss_conn_fail(conn, up == SS_IO_AUTH ? SS_CTR_AUTH_FAIL :
						      SS_CTR_BAD_HEADER,
			     "bad chunk from client");
		return;
	}
	if (up < 0) {
		pr_debug("conn %u client to target: error %d\n", conn->id, up);
		ss_conn_close(conn, "client to target: error");
		return;
	}
	down = ss_relay_down(conn);
	if (down < 0) {
		pr_debug("conn %u target to client: error %d\n", conn->id,
			 down);
		ss_conn_close(conn, "target to client: error");
		return;
	}
	if (conn->up.shut && conn->down.shut) {
		/*
		 * Both FINs are passed on. Released now, a socket would stop
		 * retransmitting: a kernel socket holds no reference on its
		 * namespace, so TCP clears its timers when it is closed. What
		 * the peers have not acknowledged yet, the FINs included,
		 * would be lost with a lost packet. So the sockets are kept
		 * until TCP has closed them (everything acknowledged), which
		 * their sk_state_change reports; the idle timeout bounds it.
		 */
		if (ss_sock_closed(conn->client.sock) &&
		    ss_sock_closed(conn->target.sock))
			ss_conn_close(conn, "done");
		return;
	}
	if (up == SS_IO_YIELD || down == SS_IO_YIELD)
		ss_conn_queue(conn);
}

/**
 * ss_relay_discard() - read and drop what a socket has
 * @sock: the socket
 *
 * MSG_TRUNC makes TCP drop the data without copying it anywhere.
 *
 * Return: SS_IO_AGAIN when it has no more for now, SS_IO_YIELD after a
 * budget of reads, SS_IO_EOF when the peer has closed or reset.
 */
int ss_relay_discard(struct socket *sock)
{
	struct kvec vec = { .iov_base = NULL, .iov_len = SZ_64K };
	int i, n;

	for (i = 0; i < SS_RELAY_BUDGET; i++) {
		struct msghdr msg = {};

		n = kernel_recvmsg(sock, &msg, &vec, 1, vec.iov_len,
				   MSG_DONTWAIT | MSG_TRUNC);
		if (n == -EAGAIN)
			return SS_IO_AGAIN;
		if (n <= 0)
			return SS_IO_EOF;
	}
	return SS_IO_YIELD;
}

/**
 * ss_relay_drain() - read and drop what the client sends
 * @conn: the connection, in its work, in SS_CONN_DRAINING
 *
 * The timer closes it at the handshake deadline; if the client closes
 * first, it is closed now.
 */
void ss_relay_drain(struct ss_conn *conn)
{
	switch (ss_relay_discard(conn->client.sock)) {
	case SS_IO_AGAIN:
		break;
	case SS_IO_YIELD:
		ss_conn_queue(conn);
		break;
	default:
		ss_conn_close(conn, "client closed while draining");
		break;
	}
}

/**
 * ss_relay_free() - free a connection's buffers
 * @conn: the connection
 */
void ss_relay_free(struct ss_conn *conn)
{
	kfree(conn->up.buf);
	conn->up.buf = NULL;
	kfree(conn->down.buf);
	conn->down.buf = NULL;
	conn->down.off = 0;
	conn->down.end = 0;
	kfree(conn->abuf);
	conn->abuf = NULL;
}
