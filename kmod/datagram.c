// SPDX-License-Identifier: GPL-2.0
/*
 * The UDP datagram layer of both roles (datagram.h): association tables'
 * keys, the packet codec, reading and sending datagrams, ready lists.
 * Nothing here keeps state of its own but the hash seed; locking and
 * lifetime are the callers' (see the top of udp.c and udp_local.c).
 */

#include <crypto/algapi.h>
#include <linux/in.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/ipv6.h>

#include "conn.h"
#include "datagram.h"
#include "endpoint.h"
#include "user.h"

/*
 * The association tables' hash seed: random, so that nobody can choose
 * source addresses (or session IDs) that all fall into one bucket. Drawn
 * at its first use, from this one call site: get_random_once() is once
 * per call site, and a second site would draw the seed again under the
 * entries hashed with the first.
 */
static u32 ss_dgram_hash_seed __read_mostly;

static u32 ss_dgram_seed(void)
{
	net_get_random_once(&ss_dgram_hash_seed, sizeof(ss_dgram_hash_seed));
	return ss_dgram_hash_seed;
}

/* The most buckets a table has: 65,536 (512 KiB). */
#define SS_DGRAM_TABLE_BITS_MAX	16

/**
 * ss_dgram_table_init() - make an association table for @max_conns
 * @t: the table, zeroed
 * @max_conns: the most associations it will hold
 * @bits_min: the fewest hash bits
 *
 * About one bucket per two associations, within 1 << @bits_min and
 * 65,536 buckets: a fixed table would let whoever fills it make every
 * lookup, under the role's lock, walk thousands of them. Charged to the
 * current memory cgroup (the caller's, who makes the server or relay).
 *
 * Return: 0 or -ENOMEM.
 */
int ss_dgram_table_init(struct ss_dgram_table *t, u32 max_conns, u8 bits_min)
{
	t->bits = clamp_t(int, order_base_2(max_conns) - 1, bits_min,
			  SS_DGRAM_TABLE_BITS_MAX);
	t->buckets = kvcalloc(1U << t->bits, sizeof(*t->buckets),
			      GFP_KERNEL_ACCOUNT);
	return t->buckets ? 0 : -ENOMEM;
}

/* Free an empty table's buckets; nothing if it was never made. */
void ss_dgram_table_free(struct ss_dgram_table *t)
{
	kvfree(t->buckets);
	t->buckets = NULL;
}

u32 ss_dgram_hash(const union ss_sockaddr *sa)
{
	u32 seed = ss_dgram_seed();

	if (sa->sa.sa_family == AF_INET)
		return jhash_2words((__force u32)sa->in4.sin_addr.s_addr,
				    (__force u32)sa->in4.sin_port, seed);
	return jhash2((const u32 *)&sa->in6.sin6_addr, 4,
		      seed ^ (__force u32)sa->in6.sin6_port);
}

/* 2022: a session ID, in the server's table (udp.c). */
u32 ss_dgram_hash_sid(const u8 *sid)
{
	return jhash(sid, SS_2022_SESSION_ID_LEN, ss_dgram_seed());
}

bool ss_dgram_addr_eq(const union ss_sockaddr *a, const union ss_sockaddr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in4.sin_addr.s_addr == b->in4.sin_addr.s_addr &&
		       a->in4.sin_port == b->in4.sin_port;
	return ipv6_addr_equal(&a->in6.sin6_addr, &b->in6.sin6_addr) &&
	       a->in6.sin6_port == b->in6.sin6_port;
}

/* How often a role's expiry work looks for idle associations. */
unsigned long ss_dgram_gc_period(const struct ss_endpoint *ep)
{
	return clamp_t(u32, ep->timeout / 4, 1, 60) * HZ;
}

/**
 * ss_dgram_codec_init() - allocate a codec's buffer and ciphers
 * @dc: the codec, all zeros
 * @ep: the server or profile: its method and key
 * @size: the buffer's size
 *
 * Process context. On failure what was allocated is freed and @dc->buf
 * is NULL (ss_dgram_codec_free() may still be called).
 *
 * Return: 0, -ENOMEM, or the error of the ciphers' set-up.
 */
int ss_dgram_codec_init(struct ss_dgram_codec *dc,
			const struct ss_endpoint *ep, size_t size)
{
	const struct ss_method_info *m = ss_method_udp(ep->method);
	u8 salt[SS_SALT_MAX_LEN];
	int err = 0;

	dc->buf = kmalloc(size, GFP_KERNEL_ACCOUNT);
	if (!dc->buf)
		return -ENOMEM;
	if (ep->method->aes_headers)
		err = aes_expandkey(&dc->sep, ep->key, ep->method->key_len);
	if (!err && ep->has_ikey)
		err = aes_expandkey(&dc->isep, ep->ikey, ep->method->key_len);
	/* Keyed for real at each packet; any salt will do until then. */
	get_random_bytes(salt, sizeof(salt));
	err = err ?: ss_cipher_init(&dc->rx, m, ep->key, salt);
	if (!err)
		err = ss_cipher_init(&dc->tx, m, ep->key, salt);
	memzero_explicit(salt, sizeof(salt));
	if (err)
		ss_dgram_codec_free(dc);
	return err;
}

/**
 * ss_dgram_codec_free() - free a codec's buffer and ciphers
 * @dc: the codec; may be all zeros, or freed already
 */
void ss_dgram_codec_free(struct ss_dgram_codec *dc)
{
	ss_cipher_free(&dc->rx);
	ss_cipher_free(&dc->tx);
	dc->rx_keyed = false;
	dc->tx_keyed = false;
	memzero_explicit(&dc->sep, sizeof(dc->sep));
	memzero_explicit(&dc->isep, sizeof(dc->isep));
	memzero_explicit(&dc->usep, sizeof(dc->usep));
	dc->usep_owner = 0;
	kfree(dc->buf);
	dc->buf = NULL;
}

/**
 * ss_dgram_codec_forget() - drop what a codec kept of a SIP023 user's keys
 * @dc: a server's codec, allocated; under the role's lock
 * @ep: the server
 * @owner: the user's id
 *
 * The last user's AES schedule is wiped, and a cipher keyed with a subkey
 * of the user's is keyed again with one of the server's own, so that no
 * key of a removed user stays behind.
 */
void ss_dgram_codec_forget(struct ss_dgram_codec *dc,
			   const struct ss_endpoint *ep, u64 owner)
{
	u8 sid[SS_2022_SESSION_ID_LEN];

	if (dc->usep_owner == owner) {
		memzero_explicit(&dc->usep, sizeof(dc->usep));
		dc->usep_owner = 0;
	}
	get_random_bytes(sid, sizeof(sid));
	if (dc->rx_keyed && dc->rx_owner == owner) {
		dc->rx_keyed = false;
		ss_cipher_rekey_salt(&dc->rx, ep->key, sid, sizeof(sid));
	}
	if (dc->tx_keyed && dc->tx_owner == owner) {
		dc->tx_keyed = false;
		ss_cipher_rekey_salt(&dc->tx, ep->key, sid, sizeof(sid));
	}
}

/**
 * ss_dgram_seal() - seal a packet in place
 * @dc: the codec: its tx cipher is rekeyed with the packet's salt
 * @ep: the server or profile: its method and key
 * @pkt: the salt, made by the caller, then @len bytes of plaintext, then
 *	room for the tag
 * @len: plaintext length
 *
 * The server role's salt is one of its own (ss_replay_own_salt()), so
 * that a packet reflected back at it is refused; the local role's is plain
 * random (see udp_local.c). Process context.
 *
 * Return: 0, or the cipher's error.
 */
int ss_dgram_seal(struct ss_dgram_codec *dc, const struct ss_endpoint *ep,
		  u8 *pkt, size_t len)
{
	u8 *p = pkt + ep->method->salt_len;

	if (ss_cipher_rekey(&dc->tx, ep->key, pkt))
		return -EINVAL;
	return ss_cipher_seal(&dc->tx, p, p, len);
}

/**
 * ss_dgram_open() - open a packet in place
 * @dc: the codec: its rx cipher is rekeyed with the packet's salt
 * @ep: the server or profile: its method and key, and the counters a bad
 *	packet is counted in
 * @pkt: the packet: salt, ciphertext, tag
 * @len: its length
 *
 * The plaintext is left at @pkt + salt length. A packet too short is
 * counted as UDP_DROP_BAD; one that does not authenticate as UDP_DROP_AUTH
 * (ss_endpoint_bad(): a server's also go to the monitors). The caller
 * reads the address in front of the payload, and checks the salt against
 * the replay filter, if it uses one, once it has parsed what it needs.
 *
 * Return: the plaintext's length, or a negative error (counted, but for
 * -EIO: no memory to rekey or open with, not the sender's doing).
 */
int ss_dgram_open(struct ss_dgram_codec *dc, struct ss_endpoint *ep,
		  u8 *pkt, size_t len)
{
	size_t salt_len = ep->method->salt_len;
	u8 *p = pkt + salt_len;
	int err;

	if (len < salt_len + SS_TAG_LEN) {
		ss_stats_inc(&ep->stats, SS_STATS_A_UDP_DROP_BAD);
		return -EINVAL;
	}
	if (ss_cipher_rekey(&dc->rx, ep->key, pkt))
		return -EIO;
	err = ss_cipher_open(&dc->rx, p, p, len - salt_len);
	if (err == -EBADMSG) {
		ss_endpoint_bad(ep, SS_STATS_A_UDP_DROP_AUTH);
		return -EBADMSG;
	}
	if (err)	/* no memory for the request: not the sender's doing */
		return -EIO;
	return len - salt_len - SS_TAG_LEN;
}

/*
 * Key @c for the session @sid of the PSK @psk, unless it is already
 * (*@keyed, @cur, *@cur_owner): the subkey costs a BLAKE3 derivation and a
 * setkey, and a session's packets mostly come in runs. @owner tells PSKs
 * apart: 0 for the object's own, a SIP023 user's id for the user's.
 */
static int ss_dgram_2022_key(struct ss_cipher *c, const u8 *psk, u64 owner,
			     const u8 *sid, u8 *cur, u64 *cur_owner,
			     bool *keyed)
{
	if (*keyed && *cur_owner == owner &&
	    !memcmp(cur, sid, SS_2022_SESSION_ID_LEN))
		return 0;
	*keyed = false;
	if (ss_cipher_rekey_salt(c, psk, sid, SS_2022_SESSION_ID_LEN))
		return -EIO;
	memcpy(cur, sid, SS_2022_SESSION_ID_LEN);
	*cur_owner = owner;
	*keyed = true;
	return 0;
}

/*
 * A server with users (SIP023): the identity header after the separate
 * header @sep is the user PSK's hash XOR @sep, under the identity PSK (the
 * server's own, @dc->sep). Return: the user, a reference taken, or NULL.
 */
static struct ss_user *ss_dgram_2022_user(struct ss_dgram_codec *dc,
					  struct ss_users *users,
					  const u8 *sep, const u8 *eih)
{
	u8 hash[SS_USER_HASH_LEN];
	struct ss_user *user;

	aes_decrypt(&dc->sep, hash, eih);
	crypto_xor(hash, sep, sizeof(hash));
	user = ss_user_find(users, hash);
	memzero_explicit(hash, sizeof(hash));
	return user;
}

/**
 * ss_dgram_open_2022() - open a Shadowsocks 2022 packet in place
 * @dc: the codec
 * @ep: the server or profile: its method and PSK, and the counters a bad
 *	packet is counted in (as ss_dgram_open())
 * @pkt: the packet
 * @len: its length
 * @sid: the packet's session ID, %SS_2022_SESSION_ID_LEN bytes
 * @pid: its packet ID
 * @users: a server's users, if it has any (SIP023), else NULL
 * @user: with @users: the user whose PSK opened the packet, a reference
 *	the caller takes over
 *
 * An AES method's separate header is decrypted with the PSK's block
 * cipher; the body is opened with the subkey of the session ID, the nonce
 * the separate header's last 12 bytes (SIP022 section 3.2.1). With
 * @users, an identity header follows the separate header and names the
 * user whose PSK the body is under (SIP023). The chacha method's packet is
 * opened under the PSK with the nonce in front, and the IDs read from the
 * front of the body (section 4.1). Neither ID is checked here: the caller
 * checks the packet ID against its session's window, once the main header
 * has validated.
 *
 * Return: the length of the body from its main header on, which starts at
 * @pkt + ss_dgram_2022_head() (and %SS_2022_IDENTITY_LEN more with
 * @users); or a negative error (counted: an unknown user as a packet that
 * fails authentication, which the user's counters count too once known;
 * but -EIO, no memory to key or open with, is not).
 */
int ss_dgram_open_2022(struct ss_dgram_codec *dc, struct ss_endpoint *ep,
		       u8 *pkt, size_t len, u8 *sid, u64 *pid,
		       struct ss_users *users, struct ss_user **user)
{
	const struct ss_method_info *m = ep->method;
	size_t head = ss_dgram_2022_head(m) + (users ? SS_2022_IDENTITY_LEN : 0);
	/* The separate header is not sealed; the chacha IDs are. */
	size_t sealed = m->aes_headers ? head : SS_2022_UDP_NONCE_LEN;
	struct ss_user *u = NULL;
	u8 sep[SS_2022_UDP_SEP_LEN];
	const u8 *psk = ep->key;
	u8 *ids;
	int err;

	if (len < head + SS_TAG_LEN) {
		ss_stats_inc(&ep->stats, SS_STATS_A_UDP_DROP_BAD);
		return -EINVAL;
	}
	if (m->aes_headers) {
		aes_decrypt(&dc->sep, sep, pkt);
		if (users) {
			u = ss_dgram_2022_user(dc, users, sep,
					       pkt + SS_2022_UDP_SEP_LEN);
			if (!u) {
				ss_endpoint_bad(ep, SS_STATS_A_UDP_DROP_AUTH);
				return -EBADMSG;
			}
			psk = u->key;
		}
		if (ss_dgram_2022_key(&dc->rx, psk, u ? u->id : 0, sep,
				      dc->rx_sid, &dc->rx_owner,
				      &dc->rx_keyed))
			goto err_io;
		ss_cipher_set_nonce(&dc->rx, sep + 4);
		ids = sep;
	} else {
		ss_cipher_set_nonce(&dc->rx, pkt);
		ids = pkt + SS_2022_UDP_NONCE_LEN;
	}
	err = ss_cipher_open(&dc->rx, pkt + sealed, pkt + sealed, len - sealed);
	if (err && err != -EBADMSG)	/* not the sender's doing: uncounted */
		goto err_io;
	if (err) {
		ss_endpoint_bad(ep, SS_STATS_A_UDP_DROP_AUTH);
		if (u) {
			ss_user_count(u, SS_STATS_A_AUTH_FAIL, 1);
			ss_user_put(u);
		}
		return -EBADMSG;
	}
	memcpy(sid, ids, SS_2022_SESSION_ID_LEN);
	*pid = ss_2022_get_be64(ids + SS_2022_SESSION_ID_LEN);
	if (users)
		*user = u;
	return len - head - SS_TAG_LEN;

err_io:
	if (u)
		ss_user_put(u);
	return -EIO;
}

/**
 * ss_dgram_seal_2022() - seal a Shadowsocks 2022 packet in place
 * @dc: the codec
 * @ep: the server or profile: its method and PSK
 * @user: a server's session of a SIP023 user: the packet goes under the
 *	user's PSK instead, separate header included; else NULL
 * @sid: our session ID, %SS_2022_SESSION_ID_LEN bytes
 * @pid: the packet's ID
 * @pkt: room for ss_dgram_2022_tx_head() bytes, written here, then @len
 *	bytes of body from its main header on, then room for the tag
 * @len: the body's length
 *
 * The reverse of ss_dgram_open_2022(); the chacha method's nonce is
 * random. A profile with an identity key (SIP023) seals the separate
 * header under the identity PSK, and puts after it the identity header:
 * the user PSK's hash XOR the separate header, under the identity PSK; the
 * body is sealed under the user PSK's subkey as always. Process context.
 *
 * Return: 0, or the cipher's error.
 */
int ss_dgram_seal_2022(struct ss_dgram_codec *dc, const struct ss_endpoint *ep,
		       const struct ss_user *user, const u8 *sid, u64 pid,
		       u8 *pkt, size_t len)
{
	const struct crypto_aes_ctx *sep_key = &dc->sep;
	u8 sep[SS_2022_UDP_SEP_LEN];
	const u8 *psk = ep->key;
	u8 *body;
	int err;

	memcpy(sep, sid, SS_2022_SESSION_ID_LEN);
	ss_2022_put_be64(sep + SS_2022_SESSION_ID_LEN, pid);
	if (!ep->method->aes_headers) {
		get_random_bytes(pkt, SS_2022_UDP_NONCE_LEN);
		memcpy(pkt + SS_2022_UDP_NONCE_LEN, sep, sizeof(sep));
		ss_cipher_set_nonce(&dc->tx, pkt);
		return ss_cipher_seal(&dc->tx, pkt + SS_2022_UDP_NONCE_LEN,
				      pkt + SS_2022_UDP_NONCE_LEN,
				      SS_2022_UDP_SEP_LEN + len);
	}
	if (user) {
		/* The last user's schedule is kept, as the subkeys are. */
		if (dc->usep_owner != user->id) {	/* ids are never 0 */
			dc->usep_owner = 0;
			if (aes_expandkey(&dc->usep, user->key,
					  ep->method->key_len))
				return -EIO;
			dc->usep_owner = user->id;
		}
		sep_key = &dc->usep;
		psk = user->key;
	}
	if (ss_dgram_2022_key(&dc->tx, psk, user ? user->id : 0, sid,
			      dc->tx_sid, &dc->tx_owner, &dc->tx_keyed))
		return -EIO;
	ss_cipher_set_nonce(&dc->tx, sep + 4);
	if (ep->has_ikey) {
		u8 id[SS_2022_IDENTITY_LEN];

		crypto_xor_cpy(id, ep->ikey_hash, sep, sizeof(id));
		aes_encrypt(&dc->isep, pkt + SS_2022_UDP_SEP_LEN, id);
		memzero_explicit(id, sizeof(id));
		sep_key = &dc->isep;
	}
	body = pkt + ss_dgram_2022_tx_head(ep->method, ep->has_ikey);
	err = ss_cipher_seal(&dc->tx, body, body, len);
	if (!err)
		aes_encrypt(sep_key, pkt, sep);
	return err;
}

/*
 * The original destination among a datagram's control messages, @len
 * bytes at @buf (kernel memory, as put_cmsg() wrote it). Return: true if
 * @dst was set.
 */
static bool ss_dgram_orig_dst(const u8 *buf, size_t len,
			      union ss_sockaddr *dst)
{
	const struct cmsghdr *cm;
	size_t off = 0, data;

	while (off + sizeof(*cm) <= len) {
		cm = (const struct cmsghdr *)(buf + off);
		if (cm->cmsg_len < sizeof(*cm) || cm->cmsg_len > len - off)
			break;
		data = cm->cmsg_len - CMSG_LEN(0);
		if (cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_ORIGDSTADDR &&
		    data >= sizeof(dst->in4)) {
			memset(dst, 0, sizeof(*dst));
			memcpy(&dst->in4, CMSG_DATA(cm), sizeof(dst->in4));
			return dst->sa.sa_family == AF_INET;
		}
		if (cm->cmsg_level == SOL_IPV6 &&
		    cm->cmsg_type == IPV6_ORIGDSTADDR &&
		    data >= sizeof(dst->in6)) {
			memset(dst, 0, sizeof(*dst));
			memcpy(&dst->in6, CMSG_DATA(cm), sizeof(dst->in6));
			return dst->sa.sa_family == AF_INET6;
		}
		off += CMSG_ALIGN(cm->cmsg_len);
	}
	return false;
}

/**
 * ss_dgram_next() - read the next datagram of a run
 * @rd: the run (ss_dgram_reader_init())
 *
 * Datagrams longer than the buffer are dropped and counted, as are those
 * from an address family other than IPv4 and IPv6. An error the socket
 * reports (an ICMP error on a connected socket) is reported once, ahead of
 * the datagrams still queued: it is skipped. Process context, under the
 * role's lock.
 *
 * Return: the datagram's length, at @rd->buf, its sender in @rd->from (and
 * with @rd->want_dst its original destination in @rd->dst); -EAGAIN
 * when the socket has no more; -ENOSPC when the run's budget is spent: the
 * caller queues itself again for the rest.
 */
int ss_dgram_next(struct ss_dgram_reader *rd)
{
	/*
	 * Room for IP_ORIGDSTADDR or IPV6_ORIGDSTADDR after whatever else the
	 * socket's owner turned on (IPV6_RECVHOPOPTS' length is the sender's:
	 * cut short, the datagram is dropped, counted).
	 */
	u8 cbuf[256] __aligned(8);
	struct msghdr msg;
	struct kvec iov;
	int ret;

	while (rd->budget) {
		rd->budget--;
		memset(&msg, 0, sizeof(msg));
		memset(&rd->from, 0, sizeof(rd->from));
		msg.msg_name = &rd->from;
		msg.msg_namelen = sizeof(rd->from);
		if (rd->want_dst) {
			/* a kernel buffer: msg_control_is_user stays false */
			msg.msg_control = cbuf;
			msg.msg_controllen = sizeof(cbuf);
		}
		iov.iov_base = rd->buf;
		iov.iov_len = rd->size;
		ret = kernel_recvmsg(rd->sock, &msg, &iov, 1, rd->size,
				     MSG_DONTWAIT);
		if (ret == -EAGAIN)
			return ret;
		if (ret < 0)
			continue;
		if ((msg.msg_flags & MSG_TRUNC) ||
		    (rd->from.sa.sa_family != AF_INET &&
		     rd->from.sa.sa_family != AF_INET6)) {
			ss_stats_inc(rd->stats, rd->drop);
			continue;
		}
		if (rd->want_dst &&
		    ((msg.msg_flags & MSG_CTRUNC) ||
		     !ss_dgram_orig_dst(cbuf, sizeof(cbuf) - msg.msg_controllen,
					&rd->dst))) {
			ss_stats_inc(rd->stats, rd->drop);
			continue;
		}
		return ret;
	}
	return -ENOSPC;
}

/**
 * ss_dgram_send() - send one datagram, without waiting
 * @sock: the socket
 * @to: the destination, or NULL on a connected socket
 * @data: the datagram
 * @len: its length
 *
 * Return: the bytes sent, or the socket's error.
 */
int ss_dgram_send(struct socket *sock, const union ss_sockaddr *to,
		  void *data, size_t len)
{
	struct kvec iov = { .iov_base = data, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };

	if (to) {
		msg.msg_name = (void *)&to->sa;
		msg.msg_namelen = to->sa.sa_family == AF_INET ?
				  sizeof(to->in4) : sizeof(to->in6);
	}
	return kernel_sendmsg(sock, &msg, &iov, 1, len);
}

/**
 * ss_ready_queue() - put an object on a ready list and queue the work
 * @r: the object's place
 * @ref: the object's reference count: the list takes a reference
 * @list: the ready list
 * @work: the work that empties it
 *
 * Nothing is done if the object is on the list already. Any context; the
 * caller keeps the object alive (a socket callback under
 * sk_callback_lock, or a reference).
 */
void ss_ready_queue(struct ss_ready *r, struct kref *ref,
		    struct llist_head *list, struct work_struct *work)
{
	if (test_and_set_bit(0, &r->queued))
		return;
	kref_get(ref);
	llist_add(&r->node, list);
	queue_work(ss_wq, work);
}

#include "selftest/datagram.c"
