/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Target addresses: the SOCKS5-format address at the head of a request
 * or of a UDP packet's plaintext, textual addresses (domain names that are
 * IP literals, resolver answers), and the check that refuses targets local
 * to the server.
 */

#ifndef _SS_ADDR_H
#define _SS_ADDR_H

#include <linux/types.h>

#include "socket.h"

struct net;

#define SS_ATYP_IPV4		0x01
#define SS_ATYP_DOMAIN		0x03
#define SS_ATYP_IPV6		0x04

#define SS_DOMAIN_MAX		255
/* The longest address: type, domain length, domain, port. */
#define SS_ADDR_MAX		(1 + 1 + SS_DOMAIN_MAX + 2)
/* RSV(2) FRAG(1) in front of a SOCKS5 UDP datagram's address */
#define SS_SOCKS5_UDP_HDR	3

/**
 * struct ss_target - a parsed target address
 * @addr: IPv4 or IPv6 address and port; sa_family 0 for a domain name
 *	that still has to be resolved. An IPv4-mapped IPv6 address is given
 *	as IPv4, and a domain that is an IP literal as that address.
 * @port: the port (network byte order), for a domain name
 * @name_len: length of @name, 0 unless a domain name is to be resolved
 * @name: the domain name, NUL-terminated
 */
struct ss_target {
	union ss_sockaddr addr;
	__be16 port;
	u8 name_len;
	char name[SS_DOMAIN_MAX + 1];
};

int ss_addr_len(const u8 *p, size_t len);
void ss_addr_parse(const u8 *p, size_t len, struct ss_target *t);
bool ss_addr_name_ok(const char *name, size_t len);
bool ss_addr_is_literal(const char *s, size_t len);
int ss_addr_head(const u8 *p, size_t len);
int ss_addr_target(const u8 *p, size_t len, struct ss_target *t);
int ss_addr_socks5_udp(const u8 *d, size_t len);
size_t ss_addr_put_ip(u8 *end, const union ss_sockaddr *from);
int ss_addr_pick(const char *text, size_t len, __be16 port,
		 union ss_sockaddr *sa);
bool ss_addr_is_local(struct net *net, const union ss_sockaddr *sa);

#endif /* _SS_ADDR_H */
