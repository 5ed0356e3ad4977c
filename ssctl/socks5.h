/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SOCKS5 handshake (RFC 1928, with RFC 1929 username/password) as a
 * pure state machine: bytes in, a decision and the bytes to answer out. No
 * sockets, no clock, no allocation, so that the host's unit tests
 * (tests/socks5-test.c) can feed it every input. Also the SOCKS5 address
 * format ("ATYP addr port") that SS_A_TARGET uses, built from strings and
 * socket addresses, and printed for logs.
 */
#ifndef SSCTL_SOCKS5_H
#define SSCTL_SOCKS5_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define SOCKS5_VERSION		0x05
#define SOCKS5_AUTH_VERSION	0x01	/* RFC 1929 subnegotiation */

#define SOCKS5_METHOD_NONE	0x00
#define SOCKS5_METHOD_USERPASS	0x02
#define SOCKS5_METHOD_REFUSED	0xff

#define SOCKS5_CMD_CONNECT	0x01
#define SOCKS5_CMD_UDP_ASSOCIATE	0x03

#define SOCKS5_ATYP_IPV4	0x01
#define SOCKS5_ATYP_DOMAIN	0x03
#define SOCKS5_ATYP_IPV6	0x04

/* reply codes (REP) */
#define SOCKS5_REP_SUCCEEDED		0x00
#define SOCKS5_REP_GENERAL_FAILURE	0x01
#define SOCKS5_REP_CMD_UNSUPPORTED	0x07
#define SOCKS5_REP_ATYP_UNSUPPORTED	0x08

/* ATYP + length + 255-byte name + port: the longest address */
#define SOCKS5_ADDR_MAX		(1 + 1 + 255 + 2)
/* ATYP + IPv6 address + port */
#define SOCKS5_IPADDR_MAX	(1 + 16 + 2)
/* VER REP RSV + an IPv6 BND.ADDR and BND.PORT: the longest reply we send */
#define SOCKS5_REPLY_MAX	(3 + 1 + 16 + 2)
/* the longest single message a client sends: the RFC 1929 request */
#define SOCKS5_MSG_MAX		(3 + 255 + 255)

enum socks5_state {
	SOCKS5_GREETING,	/* VER NMETHODS METHODS */
	SOCKS5_AUTH,		/* VER ULEN UNAME PLEN PASSWD */
	SOCKS5_REQUEST,		/* VER CMD RSV ATYP DST.ADDR DST.PORT */
	SOCKS5_DONE,		/* a CONNECT or UDP ASSOCIATE request was read */
	SOCKS5_FAILED,		/* refused; nothing more is read */
};

struct socks5 {
	enum socks5_state state;
	/* SOCKS5_DONE: the request's DST, in the SOCKS5 format (for UDP
	 * ASSOCIATE: where the client will send datagrams from, zeros if it
	 * does not know) */
	uint8_t target[SOCKS5_ADDR_MAX];
	size_t target_len;
	/* SOCKS5_FAILED: why, for logs (a static string) */
	const char *why;
};

/*
 * Username/password authentication. @check NULL: no authentication, the
 * client must offer method 0x00; otherwise it must offer 0x02 and then
 * pass @check (0x00 alone is refused).
 */
struct socks5_auth {
	bool (*check)(void *arg, const uint8_t *user, size_t user_len,
		      const uint8_t *pass, size_t pass_len);
	void *arg;
};

enum socks5_action {
	SOCKS5_NEED_MORE,	/* a message is incomplete: wait for bytes */
	SOCKS5_SEND,		/* send @out, drop *@used bytes, call again */
	SOCKS5_SEND_CLOSE,	/* send @out, then close (s->why says why) */
	SOCKS5_CLOSE,		/* close without a reply (s->why says why) */
	SOCKS5_CONNECT,		/* s->target is set; the bytes of @in past
				 * *@used came after the request */
	SOCKS5_UDP_ASSOCIATE,	/* a UDP ASSOCIATE request: s->target is
				 * the client's DST.ADDR and DST.PORT */
};

void socks5_init(struct socks5 *s);

/*
 * socks5_step() - read one message of the handshake from @in.
 * @in, @len:	the bytes received and not yet used, from the start of the
 *		current message
 * @used:	set to the length of the message read (0 unless SOCKS5_SEND,
 *		SOCKS5_CONNECT or SOCKS5_UDP_ASSOCIATE)
 * @out, @out_len: the bytes to send, for SOCKS5_SEND and SOCKS5_SEND_CLOSE
 *
 * A refusal is decided from the first byte that shows it, without waiting
 * for the rest of the message; nothing after it is ever looked at. On
 * SOCKS5_CONNECT (and SOCKS5_UDP_ASSOCIATE) the caller replies itself
 * (socks5_reply()) once the connection (the association) is on its way.
 */
enum socks5_action socks5_step(struct socks5 *s, const struct socks5_auth *auth,
			       const uint8_t *in, size_t len, size_t *used,
			       uint8_t out[SOCKS5_REPLY_MAX], size_t *out_len);

/*
 * socks5_reply() - a reply to a request: VER REP RSV ATYP BND.ADDR
 * BND.PORT. @bnd NULL (or not IPv4/IPv6): 0.0.0.0 port 0. An IPv4-mapped
 * IPv6 address is sent as IPv4. Returns the length written to @out.
 */
size_t socks5_reply(uint8_t rep, const struct sockaddr *bnd,
		    uint8_t out[SOCKS5_REPLY_MAX]);

/* socket address -> SOCKS5 address (ATYP 1 or 4; mapped IPv4 as 1) in
 * @out, SOCKS5_IPADDR_MAX bytes at least; 0 if the family is neither */
size_t socks5_addr_from_sockaddr(const struct sockaddr *sa, uint8_t *out);

/*
 * socks5_addr_from_string() - "HOST:PORT" -> SOCKS5 address. HOST is an
 * IPv4 address (ATYP 1), a bracketed IPv6 address (ATYP 4) or a domain
 * name of 1..255 bytes (ATYP 3, not resolved). PORT is 1..65535. Returns
 * the length, or 0 and a reason in *@why.
 */
size_t socks5_addr_from_string(const char *hostport,
			       uint8_t out[SOCKS5_ADDR_MAX], const char **why);

/*
 * socks5_addr_valid() - the length of the SOCKS5 address at the start of
 * @a (ATYP 1, 3 with a length of 1..255, or 4), or 0.
 */
size_t socks5_addr_valid(const uint8_t *a, size_t len);

/* "192.0.2.1:80", "[2001:db8::1]:443", "example.com:443" or "?" */
void socks5_addr_string(const uint8_t *a, size_t len, char *buf, size_t size);

#endif
