// SPDX-License-Identifier: GPL-2.0
/*
 * The relay of both roles, run by a connection's work (conn.c). A
 * connection has a wire side (the Shadowsocks client in the server role,
 * the remote server in the local role), which carries the encrypted
 * stream, and a plain side (the target in the server role, the application
 * in the local role):
 *
 * - rx, wire to plain: the salt, then chunks; each sealed length and each
 *   sealed payload is read straight into its buffer (a payload's tag into
 *   a small one beside it) and opened in place, and the plaintext is
 *   written to the plain side from there. In the server role the first
 *   chunks carry the target address (the handshake);
 * - tx, plain to wire: plaintext is read at the payload offset of a chunk
 *   buffer, its length put before it, both sealed in place, and the chunk
 *   written; the first one goes with the salt in front of it, in one send.
 *   In the local role the first chunk starts with the target address and
 *   whatever the helper had read already (&ss_conn.abuf).
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

/*
 * Wire to plain: the largest payload. Its tag goes to &ss_rx.tag, so that
 * the buffer stays within 16 KiB: kmalloc() would round the 16399 bytes of
 * payload and tag together up to 32 KiB (an order-3 block).
 */
#define SS_RX_BUF_SIZE		SS_CHUNK_PAYLOAD_MAX
static_assert(SS_RX_BUF_SIZE <= SZ_16K);

/*
 * Plain to wire: the salt's room, the sealed length, the payload, its
 * tag. These chunks are made a little smaller than the protocol allows so
 * that the buffer is exactly 16 KiB, not just over it (which kmalloc()
 * would round up to 32 KiB).
 */
#define SS_TX_HEAD		SS_SALT_MAX_LEN
#define SS_TX_BUF_SIZE	SZ_16K
#define SS_TX_PAYLOAD_MAX	(SS_TX_BUF_SIZE - SS_TX_HEAD - \
				 SS_LEN_SEALED - SS_TAG_LEN)
static_assert(SS_TX_PAYLOAD_MAX <= SS_CHUNK_PAYLOAD_MAX);

/* What reading returns besides negative errnos. */
enum {
	SS_IO_AGAIN,	/* nothing more now: a callback will queue the work */
	SS_IO_CHUNK,	/* a chunk is ready */
	SS_IO_EOF,	/* the peer sent its FIN */
	SS_IO_YIELD,	/* the budget is spent: queue the work again */
	SS_IO_AUTH,	/* a chunk failed authentication */
	SS_IO_BADLEN,	/* a chunk length of 0, or with its reserved bits set */
	SS_IO_SALT,	/* handshake: the first length authenticated */
};

static int ss_recvv(struct socket *sock, struct kvec *vec, size_t nvec,
		    size_t len)
{
	struct msghdr msg = {};

	return kernel_recvmsg(sock, &msg, vec, nvec, len, MSG_DONTWAIT);
}

static int ss_recv(struct socket *sock, void *buf, size_t len)
{
	struct kvec vec = { .iov_base = buf, .iov_len = len };

	return ss_recvv(sock, &vec, 1, len);
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
 * Where the rest of the current stage's unit goes: one piece of @vec, or
 * for a payload two (what is left of the payload, then of its tag).
 * Return: the number of pieces.
 */
static size_t ss_rx_vec(struct ss_conn *conn, struct kvec *vec, size_t need)
{
	struct ss_rx *rx = &conn->rx;
	size_t nvec = 0, tag_have;

	switch (rx->stage) {
	case SS_RX_SALT:
		vec[0].iov_base = conn->salt + rx->have;
		break;
	case SS_RX_LEN:
		vec[0].iov_base = rx->hdr + rx->have;
		break;
	default:	/* SS_RX_PAYLOAD */
		if (rx->have < rx->plen) {
			vec[0].iov_base = rx->buf + rx->have;
			vec[0].iov_len = rx->plen - rx->have;
			nvec++;
		}
		tag_have = rx->have > rx->plen ? rx->have - rx->plen : 0;
		vec[nvec].iov_base = rx->tag + tag_have;
		vec[nvec].iov_len = SS_TAG_LEN - tag_have;
		return nvec + 1;
	}
	vec[0].iov_len = need - rx->have;
	return 1;
}

/*
 * Read from the wire side until a whole chunk is opened, or the socket has no
 * more for now. The salt keys &ss_conn.dec when complete.
 *
 * Return: SS_IO_CHUNK with plaintext [0, plen) in @rx->buf (stage
 * SS_RX_WRITE); SS_IO_AGAIN; SS_IO_EOF; SS_IO_AUTH; SS_IO_BADLEN;
 * SS_IO_SALT (server role, in the handshake: the first sealed length has
 * authenticated, no payload buffer is allocated yet, and the salt is for
 * ss_relay_handshake() to check before it calls again); or a negative
 * errno.
 */
static int ss_rx_read(struct ss_conn *conn)
{
	const struct ss_method_info *m = conn->ep->method;
	struct ss_rx *rx = &conn->rx;
	struct kvec vec[2];
	size_t need, nvec;
	int n;

	for (;;) {
		switch (rx->stage) {
		case SS_RX_SALT:
			need = m->salt_len;
			break;
		case SS_RX_LEN:
			need = SS_LEN_SEALED;
			break;
		default:	/* SS_RX_PAYLOAD */
			if (!rx->buf) {
				rx->buf = kmalloc(SS_RX_BUF_SIZE, GFP_KERNEL);
				if (!rx->buf)
					return -ENOMEM;
			}
			need = rx->plen + SS_TAG_LEN;
			break;
		}

		nvec = ss_rx_vec(conn, vec, need);
		n = ss_recvv(conn->wire.sock, vec, nvec, need - rx->have);
		if (n == -EAGAIN) {
			if (rx->stage == SS_RX_LEN && !rx->have) {
				/* Between chunks, idle: hold no buffer. */
				kfree(rx->buf);
				rx->buf = NULL;
			}
			return SS_IO_AGAIN;
		}
		if (n <= 0)
			return n ?: SS_IO_EOF;
		rx->have += n;
		if (rx->have < need)
			continue;
		rx->have = 0;

		switch (rx->stage) {
		case SS_RX_SALT:
			n = ss_cipher_init(&conn->dec, m, conn->ep->key,
					   conn->salt, GFP_KERNEL);
			if (n)
				return n;
			rx->stage = SS_RX_LEN;
			break;
		case SS_RX_LEN:
			n = ss_cipher_open(&conn->dec, rx->hdr, rx->hdr, need);
			if (n)
				return n == -EBADMSG ? SS_IO_AUTH : n;
			n = ss_chunk_len(rx->hdr);
			if (n < 0)
				return SS_IO_BADLEN;
			rx->plen = n;
			rx->stage = SS_RX_PAYLOAD;
			if (conn->state == SS_CONN_HANDSHAKE && !conn->salt_checked)
				return SS_IO_SALT;
			break;
		default:	/* SS_RX_PAYLOAD */
			n = ss_cipher_open_split(&conn->dec, rx->buf, rx->plen,
						 rx->tag);
			if (n)
				return n == -EBADMSG ? SS_IO_AUTH : n;
			rx->off = 0;
			rx->end = rx->plen;
			rx->stage = SS_RX_WRITE;
			return SS_IO_CHUNK;
		}
	}
}

/*
 * Collect the target address from the chunk just opened, [off, end) of
 * @rx->buf, into @t. Nearly always the first chunk holds all of it and it
 * is parsed where it is; otherwise its pieces are gathered in
 * &ss_conn.abuf.
 *
 * Return: 1 with @t set and @rx->off past the address; 0 if the chunk ends
 * before the address does; -EINVAL for a bad address; -ENOMEM.
 */
static int ss_handshake_addr(struct ss_conn *conn, struct ss_target *t)
{
	struct ss_rx *rx = &conn->rx;
	const u8 *p = rx->buf + rx->off;
	size_t avail = rx->end - rx->off;
	int total;

	if (!conn->abuf) {
		total = ss_addr_len(p, avail);
		if (total < 0)
			return total;
		if (total && total <= avail) {
			ss_addr_parse(p, total, t);
			rx->off += total;
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
		rx->off += n;
		p += n;
		avail -= n;
		if (total && conn->alen == total) {
			/* the port is only seen now that the address is whole */
			total = ss_addr_len(conn->abuf, conn->alen);
			if (total < 0)
				return total;
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
 *
 * The salt goes through the replay filter as soon as the first sealed
 * length authenticates: the sender has the key, or replays what someone
 * who has it sent. Not earlier, so that salts of garbage never get in the
 * filter; not later, once the whole first chunk is in, because a replay of
 * the salt and those 18 bytes alone would otherwise get a payload buffer
 * and hold it until the handshake timeout, as often as anyone cared to
 * send them. A salt that passes makes the connection authenticated (see
 * ss_conn_authenticated()).
 */
void ss_relay_handshake(struct ss_conn *conn)
{
	const struct ss_method_info *m = conn->ep->method;
	struct ss_rx *rx = &conn->rx;
	struct ss_target t;
	int i, ret;

	for (i = 0; i < SS_RELAY_BUDGET; i++) {
		ret = ss_rx_read(conn);
		switch (ret) {
		case SS_IO_CHUNK:
			break;
		case SS_IO_SALT:
			conn->salt_checked = true;
			if (ss_replay_check_and_add(conn->ep->replay, conn->salt,
						    m->salt_len)) {
				ss_conn_bad(conn, SS_STATS_A_REPLAY, "replayed salt");
				return;
			}
			if (!ss_conn_authenticated(conn))
				return;	/* evicted: the work closes it next */
			continue;
		case SS_IO_AGAIN:
			return;
		case SS_IO_EOF:
			ss_conn_close(conn, "client closed during handshake");
			return;
		case SS_IO_AUTH:
			ss_conn_bad(conn, SS_STATS_A_AUTH_FAIL,
				    "authentication failure");
			return;
		case SS_IO_BADLEN:
			ss_conn_bad(conn, SS_STATS_A_BAD_HEADER, "bad chunk length");
			return;
		default:
			pr_debug("conn %u handshake: error %d\n", conn->id, ret);
			ss_conn_close(conn, "error during handshake");
			return;
		}

		ret = ss_handshake_addr(conn, &t);
		if (ret == -EINVAL) {
			ss_conn_bad(conn, SS_STATS_A_BAD_HEADER, "bad address");
			return;
		}
		if (ret < 0) {
			ss_conn_close(conn, "out of memory");
			return;
		}
		if (!ret) {
			rx->stage = SS_RX_LEN;	/* the rest is in the next one */
			continue;
		}

		kfree(conn->abuf);
		conn->abuf = NULL;
		if (rx->off == rx->end)
			rx->stage = SS_RX_LEN;
		else
			ss_stats_add(&conn->ep->stats, SS_STATS_A_BYTES_IN,
				     rx->end - rx->off);
		ss_conn_target(conn, &t);
		return;
	}
	ss_conn_queue(conn);
}

/* Wire to plain. Return: an SS_IO_* code or a negative errno. */
static int ss_relay_rx(struct ss_conn *conn)
{
	struct socket *plain = conn->plain.sock;
	struct ss_rx *rx = &conn->rx;
	int i, ret;

	for (i = 0; i < SS_RELAY_BUDGET; i++) {
		if (rx->stage == SS_RX_WRITE) {
			ret = ss_flush(plain, rx->buf, &rx->off, rx->end);
			if (ret)
				return ret == -EAGAIN ? SS_IO_AGAIN : ret;
			rx->stage = SS_RX_LEN;
		}
		if (rx->eof) {
			if (!rx->shut) {
				rx->shut = true;
				kernel_sock_shutdown(plain, SHUT_WR);
			}
			return SS_IO_AGAIN;
		}

		ret = ss_rx_read(conn);
		if (ret == SS_IO_EOF) {
			rx->eof = true;
			continue;
		}
		if (ret != SS_IO_CHUNK)
			return ret;
		ss_stats_add(&conn->ep->stats, SS_STATS_A_BYTES_IN, rx->end);
		conn->last_active = jiffies;
	}
	return SS_IO_YIELD;
}

/*
 * The local role's first chunk starts with what the helper handed over
 * (the target address, then data it had read already), still pending in
 * [aoff, alen) of &ss_conn.abuf. Copy it to @payload, free it, and return
 * its length; the address is left out of the payload counter through
 * @uncounted.
 */
static int ss_tx_pending(struct ss_conn *conn, u8 *payload, int *uncounted)
{
	int n = conn->alen - conn->aoff;

	memcpy(payload, conn->abuf + conn->aoff, n);
	*uncounted = conn->addr_len;
	kfree_sensitive(conn->abuf);
	conn->abuf = NULL;
	conn->alen = 0;
	conn->aoff = 0;
	return n;
}

/*
 * Read what the plain side has, up to one chunk's payload, and seal it in
 * place. The first chunk picks the salt and gets it in front.
 *
 * Return: SS_IO_CHUNK with sealed bytes [off, end) in @tx->buf;
 * SS_IO_AGAIN; SS_IO_EOF; or a negative errno.
 */
static int ss_tx_read(struct ss_conn *conn)
{
	const struct ss_method_info *m = conn->ep->method;
	struct ss_tx *tx = &conn->tx;
	int n = 0, got, err, uncounted = 0;
	u8 *chunk, *payload;

	if (!tx->buf) {
		tx->buf = kmalloc(SS_TX_BUF_SIZE, GFP_KERNEL);
		if (!tx->buf)
			return -ENOMEM;
	}
	chunk = tx->buf + SS_TX_HEAD;
	payload = chunk + SS_LEN_SEALED;

	if (conn->abuf && conn->ep->local)
		n = ss_tx_pending(conn, payload, &uncounted);
	got = ss_recv(conn->plain.sock, payload + n, SS_TX_PAYLOAD_MAX - n);
	if (got > 0) {
		n += got;
	} else if (!n) {
		/* Nothing is pending: hold no buffer while idle. */
		kfree(tx->buf);
		tx->buf = NULL;
		if (got == -EAGAIN)
			return SS_IO_AGAIN;
		return got ?: SS_IO_EOF;
	}
	/*
	 * else: the handed-over bytes go now; an end or error of the socket
	 * shows again at the next read.
	 */

	tx->off = SS_TX_HEAD;
	if (!tx->keyed) {
		u8 *salt = chunk - m->salt_len;

		/*
		 * A salt of ours sent back to us is a replay: the server
		 * role's salts are recognisable. The local role's are plain
		 * random: a box running both roles would otherwise refuse
		 * its own local role's requests.
		 */
		if (conn->ep->local)
			get_random_bytes(salt, m->salt_len);
		else
			ss_replay_own_salt(salt, m->salt_len);
		err = ss_cipher_init(&conn->enc, m, conn->ep->key, salt,
				     GFP_KERNEL);
		if (err)
			return err;
		tx->keyed = true;
		tx->off -= m->salt_len;
	}
	chunk[0] = n >> 8;
	chunk[1] = n & 0xff;
	err = ss_cipher_seal(&conn->enc, chunk, chunk, 2);
	if (!err)
		err = ss_cipher_seal(&conn->enc, payload, payload, n);
	if (err)
		return err;
	tx->end = SS_TX_HEAD + SS_LEN_SEALED + n + SS_TAG_LEN;
	ss_stats_add(&conn->ep->stats, SS_STATS_A_BYTES_OUT, n - uncounted);
	return SS_IO_CHUNK;
}

/* Plain to wire. Return: an SS_IO_* code or a negative errno. */
static int ss_relay_tx(struct ss_conn *conn)
{
	struct socket *wire = conn->wire.sock;
	struct ss_tx *tx = &conn->tx;
	int i, ret;

	for (i = 0; i < SS_RELAY_BUDGET; i++) {
		if (tx->off < tx->end) {
			ret = ss_flush(wire, tx->buf, &tx->off,
				       tx->end);
			if (ret)
				return ret == -EAGAIN ? SS_IO_AGAIN : ret;
		}
		if (tx->eof) {
			if (!tx->shut) {
				tx->shut = true;
				kernel_sock_shutdown(wire, SHUT_WR);
			}
			return SS_IO_AGAIN;
		}

		ret = ss_tx_read(conn);
		if (ret == SS_IO_EOF) {
			tx->eof = true;
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
 * authentication (the peer was genuine until then: no draining), or once
 * both directions have passed their FIN on and TCP has closed both sockets.
 */
void ss_relay_pump(struct ss_conn *conn)
{
	int rx, tx;

	rx = ss_relay_rx(conn);
	if (rx == SS_IO_AUTH || rx == SS_IO_BADLEN) {
		ss_conn_fail(conn, rx == SS_IO_AUTH ? SS_STATS_A_AUTH_FAIL :
						      SS_STATS_A_BAD_HEADER,
			     "bad chunk on the wire");
		return;
	}
	if (rx < 0) {
		pr_debug("conn %u wire to plain: error %d\n", conn->id, rx);
		ss_conn_close(conn, "wire to plain: error");
		return;
	}
	tx = ss_relay_tx(conn);
	if (tx < 0) {
		pr_debug("conn %u plain to wire: error %d\n", conn->id, tx);
		ss_conn_close(conn, "plain to wire: error");
		return;
	}
	if (conn->rx.shut && conn->tx.shut) {
		/*
		 * Both FINs are passed on. Released now, a socket would stop
		 * retransmitting: a kernel socket holds no reference on its
		 * namespace, so TCP clears its timers when it is closed. What
		 * the peers have not acknowledged yet, the FINs included,
		 * would be lost with a lost packet. So the sockets are kept
		 * until TCP has closed them (everything acknowledged), which
		 * their sk_state_change reports; the idle timeout bounds it.
		 */
		if (ss_sock_closed(conn->wire.sock) &&
		    ss_sock_closed(conn->plain.sock))
			ss_conn_close(conn, "done");
		return;
	}
	if (rx == SS_IO_YIELD || tx == SS_IO_YIELD)
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
	switch (ss_relay_discard(conn->wire.sock)) {
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
	kfree(conn->rx.buf);
	conn->rx.buf = NULL;
	kfree(conn->tx.buf);
	conn->tx.buf = NULL;
	conn->tx.off = 0;
	conn->tx.end = 0;
	kfree(conn->abuf);
	conn->abuf = NULL;
}
