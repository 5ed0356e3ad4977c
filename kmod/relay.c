// SPDX-License-Identifier: GPL-2.0
/*
 * The relay of both roles, run by a connection's works (conn.c): the
 * handshake by its control work, then each direction by a work of its own. A
 * connection has a wire side (the Shadowsocks client in the server role,
 * the remote server in the local role), which carries the encrypted
 * stream, and a plain side (the target in the server role, the application
 * in the local role):
 *
 * - rx, wire to plain: the salt, then chunks; each sealed length and each
 *   sealed payload is read straight into its buffer (a payload's tag into
 *   a small one beside it; a payload of more than 16 KiB, which only 2022
 *   sends, into pieces of 16 KiB; the next sealed length in the same read)
 *   and opened in place, and the plaintext is written to the plain side
 *   from there; while a unit is incomplete, the wire socket's low-water
 *   mark holds TCP's wakeups until the rest of it is in. In the server
 *   role the first chunks carry the target address (the handshake); with
 *   Shadowsocks 2022 a fixed header comes first, then a variable header
 *   that holds the address (sip022.h);
 * - tx, plain to wire: plaintext is read at the payload offset of a chunk
 *   buffer, its length put before it, both sealed in place, and the chunk
 *   written; the first one goes with the salt in front of it, in one send.
 *   In the local role the first chunk starts with the target address and
 *   whatever the helper had read already (&ss_conn.abuf). A 2022 server's
 *   first chunk has the response header instead of a sealed length.
 *
 * All socket calls are non-blocking. A direction whose writer would block
 * keeps its buffer and stops reading until the peer's sk_write_space says
 * there is room again (backpressure); a FIN read on one side is passed on
 * as a FIN (shutdown(SHUT_WR)) once everything before it is written.
 * Buffers are allocated when data comes and freed when a direction has
 * nothing pending, so an idle connection holds none.
 *
 * Sealed chunks (tx) and opened payloads (rx) of at least %SS_ZC_MIN bytes
 * are handed to TCP without a copy (ss_send_pages()). TCP then holds
 * references on the buffer's pages until the bytes are acknowledged (a
 * retransmission reads them again) or, over loopback, read. Since chunks
 * are sealed and opened in place, a buffer TCP still holds must not be
 * written again: that would put the next chunk's plaintext into a
 * retransmission of this one. So a buffer is reused only while it is ours
 * alone (ss_buf_busy()), checked before the first byte of a chunk goes into
 * it; otherwise ours is let go (TCP frees it with its last reference) and
 * a new one taken.
 */

#include <crypto/aes.h>
#include <linux/memcontrol.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tcp_states.h>

#include "addr.h"
#include "blake3.h"
#include "compat.h"
#include "conn.h"
#include "relay.h"
#include "replay.h"
#include "saltpool.h"
#include "server.h"
#include "sip022.h"

/*
 * Chunks a direction handles in one run of its work before it lets the
 * connections queued behind it have the CPU (the work queues itself again).
 */
#define SS_RELAY_BUDGET		16

/*
 * Relay buffers (&ss_tx.buf, each of &ss_rx.buf): 16 KiB from the page
 * allocator (order 2 with 4 KiB pages, one compound page), whose pages TCP
 * can take references on (kmalloc()'s memory must not be freed while
 * anyone holds one).
 */
#define SS_BUF_ORDER		get_order(SZ_16K)

/*
 * Sends of fewer bytes are copied. TCP accounts (send buffer, memory
 * pressure) for the bytes it takes, not for the 16 KiB block they sit in:
 * from 12 KiB on, what a connection makes TCP hold is at most 4/3 of what
 * TCP counts, whatever sizes a peer makes the chunks (a partial send that
 * takes a few bytes before the socket is full pins a block once per
 * write-space wait).
 */
#define SS_ZC_MIN		(SZ_8K + SZ_4K)

/*
 * Wire to plain: a payload's tag goes to &ss_rx.tag, so that each piece
 * stays within 16 KiB: the 16399 bytes of an AEAD-2017 payload and its
 * tag together would take an order-3 block (32 KiB).
 */
static_assert(SS_CHUNK_PAYLOAD_MAX <= SS_RX_PIECE);
static_assert(SS_RX_PIECES * SS_RX_PIECE >= SS_2022_CHUNK_MAX);
static_assert(SS_RX_PIECES <= SS_OPEN_PIECES_MAX);

/*
 * Plain to wire: room for what goes before the first payload, the
 * payload, its tag. Before a payload: the salt and a sealed length, or a
 * 2022 server's salt and sealed response header (type, timestamp, the
 * request salt, length; 91 bytes with 32-byte salts), or a 2022 request's
 * salt, identity header (SIP023) and sealed fixed header (75 bytes). These
 * chunks are made a little smaller than the protocol allows so that the
 * buffer is exactly 16 KiB, not just over it (an order-3 block, 32 KiB).
 */
#define SS_TX_HEAD_MAX		(SS_SALT_MAX_LEN + SS_2022_RESP_FIXED_LEN + \
				 SS_SALT_MAX_LEN + SS_TAG_LEN)
#define SS_TX_BUF_SIZE	SZ_16K
#define SS_TX_PAYLOAD_MAX	(SS_TX_BUF_SIZE - SS_TX_HEAD_MAX - SS_TAG_LEN)
static_assert(SS_TX_PAYLOAD_MAX <= SS_CHUNK_PAYLOAD_MAX);
/* A local role's first payload: the address, then what the helper read,
 * or a 2022 request's variable header (address, padding, that data).
 */
static_assert(SS_ADDR_MAX + 2 + SS_2022_PADDING_MAX + SS_RELAY_DATA_MAX <=
	      SS_TX_PAYLOAD_MAX);

/* What reading returns besides negative errnos. */
enum {
	SS_IO_AGAIN,	/* nothing more now: a callback will queue the work */
	SS_IO_CHUNK,	/* a chunk is ready */
	SS_IO_EOF,	/* the peer sent its FIN */
	SS_IO_YIELD,	/* the budget is spent: queue the work again */
	SS_IO_AUTH,	/* a chunk failed authentication */
	SS_IO_BADLEN,	/* a chunk length of 0 or over the method's most, or
			 * a bad 2022 fixed header
			 */
	SS_IO_SALT,	/* handshake: the first length (2022: the fixed
			 * header) authenticated
			 */
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
 * once there is room, just before ss_conn_write_space() queues the work
 * that writes it. While it is set, that work runs for other events only
 * (the socket it reads, a state change): a send now would be refused. An
 * error on the socket is let through to the send.
 */
static bool ss_sock_full(struct socket *sock)
{
	return test_bit(SOCK_NOSPACE, &sock->flags) &&
	       !READ_ONCE(sock->sk->sk_err);
}

/*
 * Would a read certainly find nothing? A direction's work runs for room
 * on the socket it writes and for every state change too, and a read needs
 * a buffer: a socket with nothing queued, no FIN and no error is not read,
 * so that a direction that is idle while the other is busy allocates (and
 * zeroes) nothing. Data or a FIN coming after this look calls
 * sk_data_ready, a reset sk_state_change, which queue the work again (if
 * it is running, it runs once more).
 */
static bool ss_sock_empty(struct socket *sock)
{
	const struct sock *sk = sock->sk;

	return skb_queue_empty_lockless(&sk->sk_receive_queue) &&
	       !(READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) &&
	       !READ_ONCE(sk->sk_err);
}

/*
 * Write [*off, end) of @buf, a relay buffer (ss_buf_alloc()): without a
 * copy from %SS_ZC_MIN bytes on. Return: 0 once all is written; -EAGAIN
 * when the socket is full (TCP has set SOCK_NOSPACE, so sk_write_space
 * will come); another negative errno when the connection is broken.
 */
static int ss_flush(struct socket *sock, const u8 *buf, u32 *off, u32 end)
{
	const int flags = MSG_DONTWAIT | MSG_NOSIGNAL;

	while (*off < end) {
		struct kvec vec = {
			.iov_base = (void *)(buf + *off),
			.iov_len = end - *off,
		};
		struct msghdr msg = { .msg_flags = flags };
		int n;

		if (ss_sock_full(sock))
			return -EAGAIN;
		if (vec.iov_len >= SS_ZC_MIN)
			n = ss_send_pages(sock, vec.iov_base, vec.iov_len,
					  flags);
		else
			n = kernel_sendmsg(sock, &msg, &vec, 1, vec.iov_len);
		if (n <= 0)
			return n ?: -EAGAIN;
		*off += n;
	}
	return 0;
}

/* Write the plaintext [off, end) of the pieces; as ss_flush(). */
static int ss_rx_flush(struct socket *sock, struct ss_rx *rx)
{
	while (rx->off < rx->end) {
		unsigned int i = rx->off / SS_RX_PIECE;
		u32 base = i * SS_RX_PIECE;
		u32 off = rx->off - base;
		int err;

		err = ss_flush(sock, rx->buf[i], &off,
			       min_t(u32, rx->end - base, SS_RX_PIECE));
		rx->off = base + off;
		if (err)
			return err;
	}
	return 0;
}

/*
 * A relay buffer, charged to the memory cgroup of whoever made the server
 * or profile: the work that allocates it runs in nobody's.
 */
static void *ss_relay_alloc(const struct ss_conn *conn, size_t size)
{
	struct mem_cgroup *old = ss_memcg_enter(conn->ep);
	void *p = kmalloc(size, GFP_KERNEL_ACCOUNT);

	ss_memcg_leave(old);
	return p;
}

/*
 * A relay buffer of 16 KiB, charged as ss_relay_alloc(). Not zeroed
 * beyond what the kernel's init_on_alloc does: everything sent from it is
 * written first. One compound page (__GFP_COMP), so that TCP's references
 * on any of its pages count on the head's folio, which ss_buf_busy()
 * reads; a TCP receive zero-copy mapping refuses compound pages too.
 */
static void *ss_buf_alloc(const struct ss_conn *conn)
{
	struct mem_cgroup *old = ss_memcg_enter(conn->ep);
	struct page *page;

	page = alloc_pages(GFP_KERNEL_ACCOUNT | __GFP_COMP, SS_BUF_ORDER);
	ss_memcg_leave(old);
	return page ? page_address(page) : NULL;
}

/* Let go of our reference: TCP may hold more, and frees it with its last. */
static void ss_buf_put(void *buf)
{
	if (buf)
		folio_put(virt_to_folio(buf));
}

/*
 * Does TCP still hold pages of @buf (zero-copy sends of it not yet
 * acknowledged, or not yet read by a local receiver)? Then it must not be
 * written. While we hold it alone, only our own sends add references (all
 * others copy one that exists), so a count of one stays one until we send
 * again; the writes that follow depend on this read through the branch
 * (as skb_page_frag_refill()'s reuse does). A stray reference only makes
 * us take a new buffer.
 */
static bool ss_buf_busy(const void *buf)
{
	return folio_ref_count(virt_to_folio(buf)) > 1;
}

/* Hold no payload buffer (between chunks, idle). */
static void ss_rx_free_buf(struct ss_rx *rx)
{
	unsigned int i;

	for (i = 0; i < SS_RX_PIECES; i++) {
		ss_buf_put(rx->buf[i]);
		rx->buf[i] = NULL;
	}
}

/*
 * Have the pieces for a payload of @rx->plen bytes. Before its first byte
 * is read, a piece TCP still holds (ss_buf_busy()) is replaced.
 */
static int ss_rx_alloc_buf(struct ss_conn *conn)
{
	struct ss_rx *rx = &conn->rx;
	unsigned int i, n = DIV_ROUND_UP(rx->plen, SS_RX_PIECE);

	for (i = 0; i < n; i++) {
		if (rx->buf[i] && !rx->have && ss_buf_busy(rx->buf[i])) {
			ss_buf_put(rx->buf[i]);
			rx->buf[i] = NULL;
		}
		if (rx->buf[i])
			continue;
		rx->buf[i] = ss_buf_alloc(conn);
		if (!rx->buf[i])
			return -ENOMEM;
	}
	return 0;
}

/*
 * Where the wire side's salt is read: the server role keeps the client's
 * (the replay filter, the salt pool and a 2022 response need it); the
 * local role needs the server's only to key its decryption, and its
 * &ss_conn.salt holds the request salt a 2022 response must quote.
 */
static_assert(sizeof_field(struct ss_rx, hdr) >= SS_SALT_MAX_LEN);

static u8 *ss_rx_salt(struct ss_conn *conn)
{
	return conn->ep->local ? conn->rx.hdr : conn->salt;
}

/*
 * Where the rest of the current stage's unit goes: one piece of @vec, or
 * for a payload up to %SS_RX_PIECES + 2: what is left of the payload,
 * piece by piece, then of its tag, then room for the next chunk's sealed
 * length, so that a chunk that is all there takes one read, not two (a
 * payload is always followed by a length; it is opened after the payload,
 * in nonce order). @nvec is set to the number of pieces.
 *
 * Return: the bytes they hold.
 */
static size_t ss_rx_vec(struct ss_conn *conn, struct kvec *vec, size_t need,
			size_t *nvec)
{
	struct ss_rx *rx = &conn->rx;
	size_t n = 0, tag_have;
	u32 off, end;

	switch (rx->stage) {
	case SS_RX_SALT:
		vec[0].iov_base = ss_rx_salt(conn) + rx->have;
		break;
	case SS_RX_LEN:
	case SS_RX_IDENTITY:
	case SS_RX_FIXED:
	case SS_RX_RESP:
		vec[0].iov_base = rx->hdr + rx->have;
		break;
	default:	/* SS_RX_PAYLOAD */
		for (off = rx->have; off < rx->plen; off = end) {
			unsigned int i = off / SS_RX_PIECE;

			end = min_t(u32, rx->plen, (i + 1) * SS_RX_PIECE);
			/* ss_rx_alloc_buf() gave us pieces TCP has let go of */
			DEBUG_NET_WARN_ON_ONCE(ss_buf_busy(rx->buf[i]));
			vec[n].iov_base = rx->buf[i] + off % SS_RX_PIECE;
			vec[n].iov_len = end - off;
			n++;
		}
		tag_have = rx->have > rx->plen ? rx->have - rx->plen : 0;
		vec[n].iov_base = rx->tag + tag_have;
		vec[n].iov_len = SS_TAG_LEN - tag_have;
		vec[n + 1].iov_base = rx->hdr;
		vec[n + 1].iov_len = SS_LEN_SEALED;
		*nvec = n + 2;
		return need - rx->have + SS_LEN_SEALED;
	}
	vec[0].iov_len = need - rx->have;
	*nvec = 1;
	return vec[0].iov_len;
}

/* The PSK of the connection's stream both ways: its user's, if it has one. */
static const u8 *ss_conn_key(const struct ss_conn *conn)
{
	return conn->user ? conn->user->key : conn->ep->key;
}

/*
 * SIP023's identity header, after a request's salt: the user's PSK hash
 * (BLAKE3, first 16 bytes) under AES with the identity subkey, BLAKE3's
 * derive_key of the identity PSK @ipsk and the salt. Encrypt @in to @out
 * (local role), or decrypt (server). Not inlined: the key schedule is a
 * large stack frame of its own.
 */
static noinline_for_stack int ss_2022_identity(const struct ss_method_info *m,
					       const u8 *ipsk, const u8 *salt,
					       const u8 *in, u8 *out,
					       bool decrypt)
{
	u8 subkey[SS_KEY_MAX_LEN];
	struct crypto_aes_ctx aes;
	int err;

	err = ss_blake3_derive_salted("shadowsocks 2022 identity subkey",
				      ipsk, m->key_len, salt, m->salt_len,
				      subkey, m->key_len) ?:
	      aes_expandkey(&aes, subkey, m->key_len);
	if (!err && decrypt)
		aes_decrypt(&aes, out, in);
	else if (!err)
		aes_encrypt(&aes, out, in);
	memzero_explicit(subkey, sizeof(subkey));
	memzero_explicit(&aes, sizeof(aes));
	return err;
}

/*
 * A 2022 server with users: the request's identity header, read into
 * @rx->hdr, names the user whose PSK keys the connection both ways (one
 * hash lookup). Return: 0 with &ss_conn.user set; SS_IO_AUTH for no user
 * (an unknown key, or garbage: as any request that fails to
 * authenticate); or a negative errno.
 */
static int ss_rx_identity(struct ss_conn *conn)
{
	struct ss_server *srv = ss_server_of(conn->ep);
	u8 hash[SS_USER_HASH_LEN];
	struct ss_user *user;
	int err;

	err = ss_2022_identity(conn->ep->method, conn->ep->key, conn->salt,
			       conn->rx.hdr, hash, true);
	if (err)
		return err;
	user = ss_user_find(&srv->users, hash);
	if (!user || !ss_conn_set_user(conn, user))
		return SS_IO_AUTH;
	return 0;
}

/*
 * Wake the work once the rest of the unit being read (@want bytes) has
 * come, not for every segment of it: the wire socket's low-water mark, up
 * to which TCP does not call sk_data_ready (it still does on a FIN, an
 * error, memory pressure, or a receive window down to one segment). Never
 * more than the current unit: a peer that sends a last short chunk and
 * waits for an answer must still wake us. Set by SO_RCVLOWAT, which checks
 * under the socket lock what is queued already against the new mark (so
 * lowering it loses no wakeup); at most half the window the receive
 * buffer allows (tcp_full_space(); a 2022 chunk is up to 64 KiB), which
 * the window is sure to let in, and within which tcp_set_rcvlowat()
 * neither grows the buffer nor (6.1) clamps the window to the mark. Only
 * in the relay: before the client has authenticated, a server reacts to
 * nothing it sends but by the rules of the handshake (a draining
 * connection reads whatever comes).
 */
static void ss_rx_lowat(struct ss_conn *conn, u32 want)
{
	struct socket *sock = conn->wire.sock;
	int val;

	val = clamp_t(u32, want, 1, max(tcp_full_space(sock->sk) / 2, 1));
	if (val == conn->rx.lowat)
		return;
	conn->rx.lowat = val;
	sock_setsockopt(sock, SOL_SOCKET, SO_RCVLOWAT, KERNEL_SOCKPTR(&val),
			sizeof(val));
}

/*
 * Read from the wire side until a whole chunk is opened, or the socket has no
 * more for now. The salt keys &ss_conn.dec when complete.
 *
 * Return: SS_IO_CHUNK with plaintext [0, plen) in @rx->buf (stage
 * SS_RX_WRITE); SS_IO_AGAIN; SS_IO_EOF; SS_IO_AUTH; SS_IO_BADLEN (also a
 * bad 2022 fixed header); SS_IO_SALT (server role, in the handshake: the
 * first sealed length, or a 2022 request's fixed header, has
 * authenticated, no payload buffer is allocated yet, and the salt is for
 * ss_relay_handshake() to check before it calls again); or a negative
 * errno.
 */
static int ss_rx_read(struct ss_conn *conn)
{
	const struct ss_method_info *m = conn->ep->method;
	bool sip022 = ss_method_is_2022(m);
	struct ss_rx *rx = &conn->rx;
	struct kvec vec[SS_RX_PIECES + 2];
	size_t need, nvec, len;
	u32 ahead;
	u64 ts;
	int n;

	for (;;) {
		switch (rx->stage) {
		case SS_RX_SALT:
			need = m->salt_len;
			break;
		case SS_RX_LEN:
			need = SS_LEN_SEALED;
			break;
		case SS_RX_IDENTITY:
			need = SS_2022_IDENTITY_LEN;
			break;
		case SS_RX_FIXED:
			need = SS_2022_FIXED_SEALED;
			break;
		case SS_RX_RESP:
			need = SS_2022_RESP_FIXED_LEN + m->salt_len + SS_TAG_LEN;
			break;
		default:	/* SS_RX_PAYLOAD */
			if (ss_rx_alloc_buf(conn))
				return -ENOMEM;
			need = rx->plen + SS_TAG_LEN;
			break;
		}

		if (rx->have < need) {
			len = ss_rx_vec(conn, vec, need, &nvec);
			n = ss_recvv(conn->wire.sock, vec, nvec, len);
			if (n == -EAGAIN) {
				if (rx->stage == SS_RX_LEN && !rx->have)
					ss_rx_free_buf(rx);
				if (conn->state == SS_CONN_RELAY)
					ss_rx_lowat(conn, need - rx->have);
				return SS_IO_AGAIN;
			}
			if (n <= 0)
				return n ?: SS_IO_EOF;
			rx->have += n;
			if (rx->have < need)
				continue;
		}
		/* a payload's read may have taken some of the next length */
		ahead = rx->have - need;
		rx->have = 0;

		switch (rx->stage) {
		case SS_RX_SALT:
			/* SIP023: the identity header names the key first. */
			if (sip022 && !conn->ep->local &&
			    ss_users_active(&ss_server_of(conn->ep)->users)) {
				rx->stage = SS_RX_IDENTITY;
				break;
			}
			n = ss_cipher_init(&conn->dec, m, conn->ep->key,
					   ss_rx_salt(conn));
			if (n)
				return n;
			/* 2022: a fixed header comes first, either way. */
			if (!sip022)
				rx->stage = SS_RX_LEN;
			else if (conn->ep->local)
				rx->stage = SS_RX_RESP;
			else
				rx->stage = SS_RX_FIXED;
			break;
		case SS_RX_IDENTITY:
			n = ss_rx_identity(conn);
			if (n)
				return n;
			n = ss_cipher_init(&conn->dec, m, conn->user->key,
					   conn->salt);
			if (n)
				return n;
			rx->stage = SS_RX_FIXED;
			break;
		case SS_RX_RESP:
			/*
			 * The server's response must quote our request's salt
			 * (so it answers this request, not a recorded one)
			 * and be in time; it gives the first payload's length.
			 */
			/* pairs with ss_tx_2022_request()'s release */
			if (!smp_load_acquire(&conn->tx.keyed))	/* no request yet */
				return SS_IO_BADLEN;
			n = ss_cipher_open(&conn->dec, rx->hdr, rx->hdr, need);
			if (n)
				return n == -EBADMSG ? SS_IO_AUTH : n;
			n = ss_2022_response_check(rx->hdr, &ts, conn->req_salt,
						   m->salt_len);
			if (n < 0 || !ss_2022_time_ok(ts, ktime_get_real_seconds()))
				return SS_IO_BADLEN;
			rx->plen = n;
			rx->stage = SS_RX_PAYLOAD;
			break;
		case SS_RX_FIXED:
			n = ss_cipher_open(&conn->dec, rx->hdr, rx->hdr, need);
			if (n)
				return n == -EBADMSG ? SS_IO_AUTH : n;
			n = ss_2022_request_fixed(rx->hdr, &ts);
			if (n < 0)
				return SS_IO_BADLEN;
			rx->plen = n;	/* the variable header, a payload */
			rx->stage = SS_RX_PAYLOAD;
			return SS_IO_SALT;
		case SS_RX_LEN:
			n = ss_cipher_open(&conn->dec, rx->hdr, rx->hdr, need);
			if (n)
				return n == -EBADMSG ? SS_IO_AUTH : n;
			n = ss_chunk_len_max(rx->hdr, sip022 ? SS_2022_CHUNK_MAX :
							       SS_CHUNK_PAYLOAD_MAX);
			if (n < 0)
				return SS_IO_BADLEN;
			rx->plen = n;
			rx->stage = SS_RX_PAYLOAD;
			if (conn->state == SS_CONN_HANDSHAKE && !conn->salt_checked)
				return SS_IO_SALT;
			break;
		default:	/* SS_RX_PAYLOAD */
			n = ss_cipher_open_pieces(&conn->dec, rx->buf,
						  SS_RX_PIECE, rx->plen,
						  rx->tag);
			if (n)
				return n == -EBADMSG ? SS_IO_AUTH : n;
			rx->off = 0;
			rx->end = rx->plen;
			rx->stage = SS_RX_WRITE;
			rx->have = ahead;	/* then SS_RX_LEN, always */
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
	const u8 *p = rx->buf[0] + rx->off;	/* all of an AEAD-2017 chunk */
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
		conn->abuf = ss_relay_alloc(conn, SS_ADDR_MAX);
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

/*
 * A 2022 request's fixed header has authenticated: its timestamp must be
 * within %SS_2022_TIME_SKEW of ours (checked first, so that a stale replay
 * never takes room in the pool), then its salt new to the server's salt
 * pool. Return: true if both are; otherwise the connection drains.
 */
static bool ss_handshake_2022_salt(struct ss_conn *conn)
{
	const struct ss_method_info *m = conn->ep->method;
	u64 ts = ss_2022_get_be64(conn->rx.hdr + 1);
	int err;

	if (!ss_2022_time_ok(ts, ktime_get_real_seconds())) {
		ss_conn_bad(conn, SS_STATS_A_STALE_TIMESTAMP,
			    "timestamp out of range");
		return false;
	}
	err = ss_salt_pool_add(conn->ep->salts, conn->salt, m->salt_len);
	if (err == -EEXIST) {
		ss_conn_bad(conn, SS_STATS_A_REPLAY, "replayed salt");
		return false;
	}
	if (err) {
		/* Full (or no memory): refused, no salt forgotten early. */
		ss_conn_bad(conn, SS_STATS_A_SALT_POOL_FULL, "salt pool full");
		return false;
	}
	return true;
}

/*
 * A 2022 request's variable header, just opened, is [0, end) of the
 * pieces: the address, the padding and the start of the payload all lie
 * in the first piece (at most 1 + 1 + 255 + 2 + 2 + 900 bytes), so it is
 * read there. Return: 1 with @t set and @rx->off at the initial payload;
 * -EINVAL for a bad header.
 */
static int ss_handshake_2022_var(struct ss_conn *conn, struct ss_target *t)
{
	struct ss_rx *rx = &conn->rx;
	size_t len = min_t(u32, rx->end, SS_RX_PIECE);
	const u8 *p = rx->buf[0];
	int alen, off;

	alen = ss_addr_head(p, len);
	if (alen < 0)
		return alen;
	off = ss_2022_request_var(p, len, alen);
	if (off < 0)
		return -EINVAL;
	ss_addr_parse(p, alen, t);
	rx->off = off;
	return 1;
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
 *
 * Shadowsocks 2022 (SIP022 section 3.1): the fixed header (27 bytes after
 * the salt) authenticates, its timestamp is checked, then its salt goes
 * into the salt pool; the variable header must hold the whole address,
 * its padding, and padding or payload. Every failure, whatever was sent
 * and however much of it, drains the connection until the handshake
 * deadline (ss_conn_bad()): one reaction to all bad data (section 3.1.4).
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
			if (ss_method_is_2022(m)) {
				if (!ss_handshake_2022_salt(conn))
					return;
			} else if (ss_replay_check_and_add(conn->ep->replay,
							   conn->salt,
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

		if (ss_method_is_2022(m))
			ret = ss_handshake_2022_var(conn, &t);
		else
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
			ss_conn_count(conn, SS_STATS_A_BYTES_IN,
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
			ret = ss_rx_flush(plain, rx);
			if (ret)
				return ret == -EAGAIN ? SS_IO_AGAIN : ret;
			rx->stage = SS_RX_LEN;
		}
		if (rx->stage == SS_RX_EOF) {
			/* this direction alone sets it */
			if (!test_bit(SS_CONN_F_RX_SHUT, &conn->flags)) {
				kernel_sock_shutdown(plain, SHUT_WR);
				set_bit(SS_CONN_F_RX_SHUT, &conn->flags);
				ss_conn_queue(conn);	/* both done? */
			}
			return SS_IO_AGAIN;
		}

		ret = ss_rx_read(conn);
		if (ret == SS_IO_EOF) {
			/*
			 * All is written (the read follows the flush) and no
			 * more will come: a half-closed connection whose other
			 * direction goes on for hours holds no payload buffer.
			 */
			rx->stage = SS_RX_EOF;
			ss_rx_free_buf(rx);
			continue;
		}
		if (ret != SS_IO_CHUNK)
			return ret;
		ss_conn_count(conn, SS_STATS_A_BYTES_IN, rx->end);
		ss_conn_active(conn);
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
 * A 2022 local role's request (SIP022 section 3.1.1), all in one write: a
 * random salt, the identity header if the profile has an identity key
 * (SIP023), the sealed fixed header (type, timestamp, the variable
 * header's length), then the sealed variable header at @var: the target
 * address, the padding length and padding, and whatever the helper had
 * read plus what the application has now. Padding (1 to 900 bytes) only
 * when the helper had read nothing, so that a request's length says
 * nothing of the address alone. Return: as ss_tx_read().
 */
static int ss_tx_2022_request(struct ss_conn *conn, u8 *var)
{
	const struct ss_method_info *m = conn->ep->method;
	struct ss_tx *tx = &conn->tx;
	u8 *fixed = var - SS_2022_FIXED_SEALED;
	u8 *salt = fixed - m->salt_len;
	size_t alen = conn->addr_len, dlen, pad, len;
	const u8 *pending;
	int got, err;

	if (WARN_ON_ONCE(!conn->abuf))
		return -EINVAL;
	pending = conn->abuf + conn->aoff;
	dlen = conn->alen - conn->aoff - alen;
	pad = dlen ? 0 : get_random_u32() % SS_2022_PADDING_MAX + 1;
	memcpy(var, pending, alen);
	var[alen] = pad >> 8;
	var[alen + 1] = pad & 0xff;
	memset(var + alen + 2, 0, pad);	/* sealed: its content is noise */
	len = alen + 2 + pad;
	memcpy(var + len, pending + alen, dlen);
	len += dlen;
	kfree_sensitive(conn->abuf);
	conn->abuf = NULL;
	conn->alen = 0;
	conn->aoff = 0;
	/* an end or error of the socket shows again at the next read */
	got = ss_recv(conn->plain.sock, var + len, SS_TX_PAYLOAD_MAX - len);
	if (got > 0) {
		len += got;
		dlen += got;
	}

	if (conn->ep->has_ikey)
		salt -= SS_2022_IDENTITY_LEN;
	get_random_bytes(salt, m->salt_len);
	memcpy(conn->req_salt, salt, m->salt_len);
	if (conn->ep->has_ikey) {
		err = ss_2022_identity(m, conn->ep->ikey, salt,
				       conn->ep->ikey_hash, salt + m->salt_len,
				       false);
		if (err)
			return err;
	}
	err = ss_cipher_init(&conn->enc, m, conn->ep->key, salt);
	if (err)
		return err;
	/* req_salt is written: the other direction may read it now */
	smp_store_release(&tx->keyed, true);
	ss_2022_request_fixed_put(fixed, ktime_get_real_seconds(), len);
	err = ss_cipher_seal(&conn->enc, fixed, fixed, SS_2022_REQ_FIXED_LEN);
	if (!err)
		err = ss_cipher_seal(&conn->enc, var, var, len);
	if (err)
		return err;
	tx->off = salt - tx->buf;
	tx->end = var - tx->buf + len + SS_TAG_LEN;
	ss_conn_count(conn, SS_STATS_A_BYTES_OUT, dlen);
	return SS_IO_CHUNK;
}

/*
 * A 2022 server's first chunk (SIP022 section 3.1.2): a random salt, the
 * sealed response header (type, timestamp, the request's salt, the
 * payload's length) where a sealed length would be, then the @n bytes of
 * payload at @payload, sealed. Return: as ss_tx_read().
 */
static int ss_tx_2022_response(struct ss_conn *conn, u8 *payload, int n)
{
	const struct ss_method_info *m = conn->ep->method;
	struct ss_tx *tx = &conn->tx;
	size_t hlen = SS_2022_RESP_FIXED_LEN + m->salt_len;
	u8 *hdr = payload - hlen - SS_TAG_LEN;
	u8 *salt = hdr - m->salt_len;
	int err;

	get_random_bytes(salt, m->salt_len);
	err = ss_cipher_init(&conn->enc, m, ss_conn_key(conn), salt);
	if (err)
		return err;
	tx->keyed = true;
	ss_2022_response_fixed(hdr, ktime_get_real_seconds(), conn->salt,
			       m->salt_len, n);
	err = ss_cipher_seal(&conn->enc, hdr, hdr, hlen);
	if (!err)
		err = ss_cipher_seal(&conn->enc, payload, payload, n);
	if (err)
		return err;
	tx->off = salt - tx->buf;
	tx->end = SS_TX_HEAD_MAX + n + SS_TAG_LEN;
	ss_conn_count(conn, SS_STATS_A_BYTES_OUT, n);
	return SS_IO_CHUNK;
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
	u8 *chunk, *payload, *start;

	/* The last chunk is all sent: if TCP still holds it, it keeps it. */
	if (tx->buf && ss_buf_busy(tx->buf)) {
		ss_buf_put(tx->buf);
		tx->buf = NULL;
	}
	if (!tx->buf) {
		if ((tx->keyed || !ss_method_is_2022(m) || !conn->ep->local) &&
		    !(conn->abuf && conn->ep->local) &&
		    ss_sock_empty(conn->plain.sock))
			return SS_IO_AGAIN;
		tx->buf = ss_buf_alloc(conn);
		if (!tx->buf)
			return -ENOMEM;
	}
	DEBUG_NET_WARN_ON_ONCE(ss_buf_busy(tx->buf));
	payload = tx->buf + SS_TX_HEAD_MAX;
	chunk = payload - SS_LEN_SEALED;
	if (!tx->keyed && ss_method_is_2022(m) && conn->ep->local)
		return ss_tx_2022_request(conn, payload);

	if (conn->abuf && conn->ep->local)
		n = ss_tx_pending(conn, payload, &uncounted);
	got = ss_recv(conn->plain.sock, payload + n, SS_TX_PAYLOAD_MAX - n);
	if (got > 0) {
		n += got;
	} else if (!n) {
		/* Nothing is pending: hold no buffer while idle. */
		ss_buf_put(tx->buf);
		tx->buf = NULL;
		if (got == -EAGAIN)
			return SS_IO_AGAIN;
		return got ?: SS_IO_EOF;
	}
	/*
	 * else: the handed-over bytes go now; an end or error of the socket
	 * shows again at the next read.
	 */

	if (!tx->keyed && ss_method_is_2022(m))
		return ss_tx_2022_response(conn, payload, n);

	start = chunk;
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
		err = ss_cipher_init(&conn->enc, m, conn->ep->key, salt);
		if (err)
			return err;
		tx->keyed = true;
		start = salt;
	}
	chunk[0] = n >> 8;
	chunk[1] = n & 0xff;
	err = ss_cipher_seal(&conn->enc, chunk, chunk, 2);
	if (!err)
		err = ss_cipher_seal(&conn->enc, payload, payload, n);
	if (err)
		return err;
	/* only now: [off, end) is never plaintext, even on an error */
	tx->off = start - tx->buf;
	tx->end = SS_TX_HEAD_MAX + n + SS_TAG_LEN;
	ss_conn_count(conn, SS_STATS_A_BYTES_OUT, n - uncounted);
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
			if (!test_bit(SS_CONN_F_TX_SHUT, &conn->flags)) {
				kernel_sock_shutdown(wire, SHUT_WR);
				set_bit(SS_CONN_F_TX_SHUT, &conn->flags);
				ss_conn_queue(conn);	/* both done? */
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
		ss_conn_active(conn);
	}
	return SS_IO_YIELD;
}

/* Both FINs exchanged and ours acknowledged (or reset): nothing in flight. */
static bool ss_sock_closed(struct socket *sock)
{
	return inet_sk_state_load(sock->sk) == TCP_CLOSE;
}

/*
 * A direction cannot go on: record why (the first end wins) and have the
 * control work close the connection.
 */
static void ss_relay_end(struct ss_conn *conn, enum ss_conn_end end)
{
	atomic_cmpxchg(&conn->end, SS_CONN_END_NONE, end);
	ss_conn_queue(conn);
}

/**
 * ss_relay_pump_rx() - relay wire to plain as far as the sockets let us
 * @conn: the connection, in its rx work, relaying
 *
 * A chunk failing authentication (the peer was genuine until then: no
 * draining) or an error of either socket ends the connection.
 */
void ss_relay_pump_rx(struct ss_conn *conn)
{
	int rx = ss_relay_rx(conn);

	if (rx == SS_IO_AUTH) {
		ss_relay_end(conn, SS_CONN_END_AUTH);
	} else if (rx == SS_IO_BADLEN) {
		ss_relay_end(conn, SS_CONN_END_BADLEN);
	} else if (rx < 0) {
		pr_debug("conn %u wire to plain: error %d\n", conn->id, rx);
		ss_relay_end(conn, SS_CONN_END_RX);
	} else if (rx == SS_IO_YIELD) {
		ss_conn_queue_work(conn, &conn->rx_work);
	}
}

/**
 * ss_relay_pump_tx() - relay plain to wire as far as the sockets let us
 * @conn: the connection, in its tx work, relaying
 */
void ss_relay_pump_tx(struct ss_conn *conn)
{
	int tx = ss_relay_tx(conn);

	if (tx < 0) {
		pr_debug("conn %u plain to wire: error %d\n", conn->id, tx);
		ss_relay_end(conn, SS_CONN_END_TX);
	} else if (tx == SS_IO_YIELD) {
		ss_conn_queue_work(conn, &conn->tx_work);
	}
}

/**
 * ss_relay_pump() - the control work's run while relaying
 * @conn: the connection, in its control work, in SS_CONN_RELAY
 *
 * Ends the connection when a direction has recorded an end, or once both
 * directions have passed their FIN on and TCP has closed both sockets;
 * otherwise, after an event either may have to act on (SS_CONN_F_KICK: a
 * reset, a state change, the switch to relaying), has both directions
 * look at their sockets.
 */
void ss_relay_pump(struct ss_conn *conn)
{
	switch (atomic_read(&conn->end)) {
	case SS_CONN_END_AUTH:
		ss_conn_fail(conn, SS_STATS_A_AUTH_FAIL, "bad chunk on the wire");
		return;
	case SS_CONN_END_BADLEN:
		ss_conn_fail(conn, SS_STATS_A_BAD_HEADER, "bad chunk on the wire");
		return;
	case SS_CONN_END_RX:
		ss_conn_close(conn, "wire to plain: error");
		return;
	case SS_CONN_END_TX:
		ss_conn_close(conn, "plain to wire: error");
		return;
	}
	if (test_bit(SS_CONN_F_RX_SHUT, &conn->flags) &&
	    test_bit(SS_CONN_F_TX_SHUT, &conn->flags)) {
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
	if (test_and_clear_bit(SS_CONN_F_KICK, &conn->flags)) {
		ss_conn_queue_work(conn, &conn->rx_work);
		ss_conn_queue_work(conn, &conn->tx_work);
	}
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
	ss_rx_free_buf(&conn->rx);
	ss_buf_put(conn->tx.buf);
	conn->tx.buf = NULL;
	conn->tx.off = 0;
	conn->tx.end = 0;
	kfree(conn->abuf);
	conn->abuf = NULL;
}
