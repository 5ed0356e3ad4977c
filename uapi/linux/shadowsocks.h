/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Shadowsocks in the kernel: the generic netlink interface.
 *
 * Family name: SS_GENL_NAME ("shadowsocks"), version SS_GENL_VERSION.
 * Objects live in the network namespace of the netlink socket that asks.
 * Every command that changes state needs CAP_NET_ADMIN in the user namespace
 * owning that network namespace; reading (GET, dump) needs nothing, because
 * it never returns a key. SS_CMD_CLIENT_EXPORT, which does, needs
 * CAP_NET_ADMIN as changes do.
 *
 * Two kinds of object exist:
 *
 *   server          a listener (server role): it accepts Shadowsocks
 *                   connections on its port and relays them to their targets.
 *   client profile  where relays of the local role go: a remote Shadowsocks
 *                   server, its method and key.
 *
 * SS_CMD_SERVER_NEW
 * -----------------
 *   SS_A_NAME          NLA_NUL_STRING, required, 1..SS_NAME_MAX-1 bytes of
 *                      [A-Za-z0-9_.-]; unique among the netns' servers
 *   SS_A_LISTEN_IPV4   struct in_addr (4 bytes), optional
 *   SS_A_LISTEN_IPV6   struct in6_addr (16 bytes), optional
 *                      neither given: listen on 0.0.0.0 and :: (IPV6_V6ONLY)
 *   SS_A_PORT          NLA_U16, host byte order, required, 1..65535
 *   SS_A_METHOD        NLA_U32, enum ss_method, required
 *   SS_A_KEY           binary, required, exactly the method's key length;
 *                      the raw master key (userspace derives it from a
 *                      password with EVP_BytesToKey)
 *   SS_A_MODE          NLA_U32, enum ss_mode, optional (SS_MODE_TCP_ONLY)
 *   SS_A_TIMEOUT       NLA_U32, idle timeout in seconds, optional
 *                      (SS_DEFAULT_TIMEOUT), 1..SS_MAX_TIMEOUT
 *   SS_A_HANDSHAKE_TIMEOUT
 *                      NLA_U32, seconds, optional, 1..SS_MAX_TIMEOUT;
 *                      default min(SS_DEFAULT_HANDSHAKE_TIMEOUT, timeout).
 *                      Counted from accept: a connection that has not
 *                      sent its target address and reached its target by
 *                      then is closed; a connection refused for bad data
 *                      (authentication failure, bad header, replay) is
 *                      read and discarded until then, then closed
 *   SS_A_MAX_CONNS     NLA_U32, optional (SS_DEFAULT_MAX_CONNS),
 *                      1..SS_MAX_MAX_CONNS: connections the server holds
 *                      at once. At the limit, a new connection takes the
 *                      place of the oldest one that has not authenticated
 *                      (sent a salt and a first sealed length that
 *                      authenticate, with a salt not seen before): one
 *                      idle, still sending its first bytes, or draining
 *                      after bad data; that one is closed (counted in
 *                      SS_STATS_A_EVICTED). If every connection has
 *                      authenticated, the new one is accepted and closed
 *                      at once (counted in SS_STATS_A_REFUSED)
 *   SS_A_ALLOW_LOCAL   NLA_U8, 0 or 1, optional (0): 1 lets clients reach
 *                      the server's own addresses (any address local to
 *                      its namespace), loopback (127/8, ::1), link-local
 *                      (169.254/16, fe80::/10) and unspecified (0.0.0.0/8,
 *                      ::) targets; 0 refuses them (counted as connect
 *                      failures)
 *   SS_A_ACL           nested, optional: the targets the server refuses
 *                      (an egress ACL, shadowsocks-libev's
 *                      [outbound_block_list]), fixed for its life, at most
 *                      SS_ACL_MAX_RULES networks and names, each attribute
 *                      repeated as needed:
 *       SS_ACL_A_IPV4    binary, records of 8 bytes: the address (network
 *                        byte order), the prefix length 0..32, 3 zero bytes
 *       SS_ACL_A_IPV6    binary, records of 20 bytes: the address, the
 *                        prefix length 0..128, 3 zero bytes
 *       SS_ACL_A_HOST    string: a domain name refused as itself
 *       SS_ACL_A_DOMAIN  string: a domain name refused with every name
 *                        under it
 *                      A request whose target name matches (any case, a
 *                      trailing dot ignored) is refused before any lookup;
 *                      one whose address, given or resolved, is in a
 *                      network before any connection or datagram (an
 *                      IPv4 address and its IPv4-mapped IPv6 form are one
 *                      host: both kinds of network apply).
 *                      TCP and UDP alike: counted in SS_STATS_A_ACL_BLOCK.
 *                      Replies carry SS_A_ACL with SS_ACL_A_RULES (NLA_U32,
 *                      the number of networks and names).
 *
 * SS_CMD_SERVER_DEL
 * -----------------
 *   SS_A_NAME          required
 *
 * SS_CMD_SERVER_GET (doit with SS_A_NAME, or NLM_F_DUMP without it)
 * -----------------
 *   Each reply message (one per server) carries:
 *   SS_A_NAME, SS_A_LISTEN_IPV4 and/or SS_A_LISTEN_IPV6 (the addresses the
 *   server listens on), SS_A_PORT, SS_A_METHOD, SS_A_MODE, SS_A_TIMEOUT,
 *   SS_A_HANDSHAKE_TIMEOUT, SS_A_MAX_CONNS, SS_A_ALLOW_LOCAL (the values in
 *   effect, defaults included), SS_A_STATS:
 *     SS_STATS_A_CONN_ACTIVE, SS_STATS_A_CONN_TOTAL, SS_STATS_A_BYTES_IN,
 *     SS_STATS_A_BYTES_OUT, SS_STATS_A_AUTH_FAIL, SS_STATS_A_REPLAY,
 *     SS_STATS_A_BAD_HEADER, SS_STATS_A_CONNECT_FAIL, SS_STATS_A_DNS_FAIL,
 *     SS_STATS_A_DRAINING, SS_STATS_A_REFUSED, SS_STATS_A_EVICTED (all
 *     NLA_U64). BYTES_IN
 *     counts plaintext payload bytes received from the encrypted side (the
 *     target address excluded), BYTES_OUT plaintext payload bytes sent to
 *     it. CONN_ACTIVE and DRAINING are gauges: connections open now, and
 *     those of them being read and discarded until the handshake timeout
 *     after bad data. CONN_TOTAL counts connections accepted and handled,
 *     REFUSED those closed at once because the server had SS_A_MAX_CONNS
 *     connections that had all authenticated, EVICTED those that had not
 *     authenticated yet and were closed to make room for a new one (see
 *     SS_A_MAX_CONNS; always 0 for client profiles).
 *     UDP (servers whose mode has UDP; 0 otherwise; for client
 *     profiles see SS_CMD_UDP_RELAY_NEW), all NLA_U64:
 *     SS_STATS_A_UDP_PKTS_IN     client packets that authenticated, had a
 *                                good address and a new salt
 *     SS_STATS_A_UDP_PKTS_OUT    replies sent to clients
 *     SS_STATS_A_UDP_BYTES_IN    payload bytes of UDP_PKTS_IN (the target
 *                                address excluded)
 *     SS_STATS_A_UDP_BYTES_OUT   payload bytes of UDP_PKTS_OUT (the
 *                                replying host's address excluded)
 *     SS_STATS_A_UDP_ASSOC_ACTIVE  gauge: associations now (one per client
 *                                address and port, with its own sockets to
 *                                targets). One ends after SS_A_TIMEOUT
 *                                seconds without a packet either way.
 *                                SS_A_MAX_CONNS also caps them, apart from
 *                                TCP connections: a packet from a new
 *                                client beyond it is dropped (UDP_DROP_LIMIT)
 *     SS_STATS_A_UDP_DROP_AUTH   client packets that failed authentication
 *     SS_STATS_A_UDP_DROP_BAD    client packets too short for a salt and a
 *                                tag, or with a bad address (unknown type,
 *                                truncated, a malformed domain name)
 *     SS_STATS_A_UDP_DROP_REPLAY client packets whose salt was seen before
 *     SS_STATS_A_UDP_DROP_LIMIT  client packets dropped for a limit: a new
 *                                client beyond SS_A_MAX_CONNS associations,
 *                                or a packet for a domain name while its
 *                                association is resolving one (each
 *                                association resolves one name at a time
 *                                and holds the one packet that asked)
 *     SS_STATS_A_UDP_DROP_TARGET packets that could not be sent on: a
 *                                target refused as local (SS_A_ALLOW_LOCAL),
 *                                a name that did not resolve, a send error,
 *                                an unusable reply
 *     Nothing is ever answered to a dropped packet.
 *   SS_A_KEY is never returned.
 *
 * SS_CMD_CLIENT_NEW
 * -----------------
 *   SS_A_NAME          required, as for servers; unique among the netns'
 *                      client profiles (a server and a profile may share a
 *                      name)
 *   SS_A_REMOTE_IPV4   struct in_addr  \  exactly one of the two: the
 *   SS_A_REMOTE_IPV6   struct in6_addr /  Shadowsocks server to relay to
 *   SS_A_PORT          NLA_U16, required, the remote server's port
 *   SS_A_METHOD        required
 *   SS_A_KEY           required
 *   SS_A_TIMEOUT       optional, as for servers: idle timeout of its relays
 *   SS_A_HANDSHAKE_TIMEOUT
 *                      optional, as for servers: seconds a relay may take
 *                      to connect to the remote server before it is closed
 *                      (counted in SS_STATS_A_CONNECT_FAIL)
 *   SS_A_MAX_CONNS     optional, as for servers: relays the profile holds
 *                      at once; SS_CMD_RELAY_NEW beyond it is -EMFILE
 *                      (counted in SS_STATS_A_REFUSED)
 *   SS_A_IDENTITY_KEY  optional, 2022 AES methods only: the identity PSK
 *                      of a SIP023 server (multi-user); SS_A_KEY is then
 *                      the user's PSK, and every request carries an
 *                      identity header. Exactly the method's key length;
 *                      returned only by SS_CMD_CLIENT_EXPORT
 *   SS_A_PASSWORD      binary, optional, AEAD-2017 methods only: the
 *                      password SS_A_KEY was derived from (EVP_BytesToKey,
 *                      in userspace), 1..SS_PASSWORD_MAX_LEN bytes. Not
 *                      used nor checked against the key: kept only for
 *                      SS_CMD_CLIENT_EXPORT, since a share link (SIP002)
 *                      carries a 2017 method's password, not its key.
 *                      Wiped from the request and when the profile is freed
 *
 * SS_CMD_CLIENT_DEL
 * -----------------
 *   SS_A_NAME          required
 *
 * SS_CMD_CLIENT_GET (doit with SS_A_NAME, or NLM_F_DUMP without it)
 * -----------------
 *   SS_A_NAME, SS_A_REMOTE_IPV4 or SS_A_REMOTE_IPV6, SS_A_PORT, SS_A_METHOD,
 *   SS_A_TIMEOUT, SS_A_HANDSHAKE_TIMEOUT, SS_A_MAX_CONNS, SS_A_STATS (as
 *   for servers; BYTES_IN counts plaintext received from the remote server,
 *   BYTES_OUT plaintext sent to it, the target address excluded; AUTH_FAIL
 *   counts replies from the server that failed authentication).
 *   SS_A_KEY and SS_A_IDENTITY_KEY are not returned (see CLIENT_EXPORT).
 *
 * SS_CMD_CLIENT_EXPORT (CAP_NET_ADMIN; doit only)
 * --------------------
 *   SS_A_NAME          required: the client profile
 *   The reply is CLIENT_GET's, with the profile's secrets: SS_A_KEY,
 *   SS_A_IDENTITY_KEY when it has one, and SS_A_PASSWORD when it was made
 *   with one. It is how `ssctl client show NAME --url` writes a share link;
 *   only a caller that could have created the profile may read it back
 *   (as WireGuard's GET_DEVICE returns private keys to admins only).
 *
 * SS_CMD_RELAY_NEW (local role: hand an application's connection over)
 * ----------------
 *   SS_A_NAME          required: the client profile whose server, method
 *                      and key the relay uses
 *   SS_A_FD            NLA_U32, required: a file descriptor of the caller,
 *                      a connected TCP socket (IPv4 or IPv6, established)
 *                      from the application. The kernel takes its own
 *                      reference on the socket: the caller closes its
 *                      descriptor once the request has succeeded, and
 *                      relays outlive the process that handed them over.
 *                      A socket already relayed is -EBUSY; one with a ULP
 *                      (kTLS, ...) or another protocol than plain TCP's
 *                      (a sockmap) is -EOPNOTSUPP. While the relay holds
 *                      it, the caller's descriptor cannot take it out of
 *                      the connected state: connect() with AF_UNSPEC and
 *                      the socket options TCP_ULP, TCP_REPAIR and
 *                      IPV6_ADDRFORM fail with EBUSY (so listen() and
 *                      bind() fail too); once the relay ends, it is a plain
 *                      TCP socket again.
 *   SS_A_TARGET        binary, required: where the application wants to
 *                      go, in the SOCKS5 address format the protocol uses
 *                      (ATYP 1 + 4 bytes, 3 + length + name, or 4 + 16
 *                      bytes; then the port, network byte order)
 *   SS_A_DATA          binary, optional, up to SS_RELAY_DATA_MAX bytes:
 *                      what the caller has already read from the socket
 *                      past the handshake; it is sent first, in the chunk
 *                      that carries the target address
 *   SS_A_REPLY         binary, optional, up to SS_RELAY_REPLY_MAX bytes:
 *                      written to the socket before the relay starts (a
 *                      SOCKS5 success reply), so that it cannot race the
 *                      relay's first bytes. When the request fails, nothing
 *                      of it was written and the socket is untouched.
 *   The relay connects to the profile's server, sends the salt, the target
 *   address and the first payload in one write, and relays both ways until
 *   both sides have closed, the idle timeout, or the profile's deletion.
 *   No reply attributes. -ENOENT for an unknown profile, -EMFILE at the
 *   profile's SS_A_MAX_CONNS, -EBADF for a descriptor the caller does not
 *   have, -ENOTSOCK for one that is not a socket, -EPROTOTYPE for a socket
 *   that is not TCP, -ENOTCONN for one that is not connected, -EINVAL for
 *   a malformed SS_A_TARGET. Deleting the profile closes its relays.
 *
 * SS_CMD_UDP_RELAY_NEW (local role: hand a UDP front end over)
 * --------------------
 *   SS_A_NAME          required: the client profile whose server, method
 *                      and key the relay uses
 *   SS_A_FD            NLA_U32, required: a descriptor of the caller, a
 *                      bound UDP socket (IPv4 or IPv6, not connected) the
 *                      applications write to. The kernel takes its own
 *                      reference, as for SS_CMD_RELAY_NEW: the caller
 *                      closes its descriptor once the request succeeded.
 *                      A socket already relayed is -EBUSY.
 *   exactly one of:
 *   SS_A_TARGET        tunnel mode (as ss-tunnel -u): every datagram, from
 *                      any source, goes to this fixed target (SOCKS5 format,
 *                      as for SS_CMD_RELAY_NEW); the replies' address is
 *                      stripped and their payload goes back to the source
 *   SS_A_SOCKS5_UDP    NLA_FLAG: SOCKS5 mode (RFC 1928 section 7): each
 *                      datagram is RSV(2) FRAG(1) ATYP DST.ADDR DST.PORT
 *                      DATA; RSV != 0 and FRAG != 0 are dropped
 *                      (UDP_DROP_BAD); replies
 *                      go back as 00 00 00 ATYP ADDR PORT DATA, with the
 *                      replying host's address
 *   SS_A_TPROXY        NLA_FLAG: transparent mode (netfilter's tproxy):
 *                      the socket must have IP_TRANSPARENT (or
 *                      IPV6_TRANSPARENT) and IP_RECVORIGDSTADDR
 *                      (IPV6_RECVORIGDSTADDR), and the caller
 *                      CAP_NET_ADMIN over the socket's namespace (else
 *                      -EPERM); each datagram is data only and goes to
 *                      its original destination (a datagram without one,
 *                      or whose destination is local to the socket's
 *                      namespace or the profile's server, is dropped:
 *                      UDP_DROP_BAD). A reply's data is sent to the source
 *                      from the replying host's address and port, through
 *                      a kernel socket with IP_TRANSPARENT bound to it in
 *                      the socket's namespace for that one datagram (a
 *                      reply from a name, port 0, an address local to that
 *                      namespace or of the other family is dropped:
 *                      UDP_DROP_BAD)
 *   SS_A_UDP_SOURCE    binary, optional, SOCKS5 mode only: the address
 *                      the application said it sends from (DST.ADDR and
 *                      DST.PORT of its UDP ASSOCIATE; ATYP 1 or 4 and the
 *                      port). Datagrams from elsewhere are dropped
 *                      (UDP_DROP_BAD); an address of zeros matches any
 *                      address, a port 0 any port
 *   SS_A_CTRL_FD       NLA_U32, optional: a descriptor of the caller whose
 *                      socket's end ends the relay: the TCP control
 *                      connection of the UDP ASSOCIATE (established), or
 *                      one end of an AF_UNIX stream socket pair whose other
 *                      end the caller keeps (so that the relay ends with
 *                      the caller). The kernel holds a reference on it,
 *                      so that the caller's restart does not end the relay;
 *                      the relay ends when the peer closes it (FIN or
 *                      reset) and then closes it. A TCP one gets keepalive
 *                      probes after SS_A_TIMEOUT idle seconds, so that a
 *                      client that vanished ends it too. Whatever arrives
 *                      on it is read and dropped (descriptors in flight on
 *                      an AF_UNIX one are closed). -EBUSY if it, or the
 *                      peer of an AF_UNIX one, is in kernel use (the two
 *                      ends of one pair would keep each other open);
 *                      a TCP one is held as SS_CMD_RELAY_NEW holds its
 *                      socket (-EOPNOTSUPP, EBUSY for the caller)
 *   SS_A_REPLY         binary, optional, up to SS_RELAY_REPLY_MAX bytes,
 *                      only with SS_A_CTRL_FD: written to the control
 *                      socket once the relay is in place (the SOCKS5
 *                      reply with BND.ADDR and BND.PORT), so that the
 *                      application cannot send before the kernel reads.
 *                      When the request fails nothing was written.
 *   The relay reads the UDP socket; each source address (and port) gets
 *   an association with its own UDP socket connected to the profile's
 *   server: datagrams are sealed as protocol.md's UDP packets (a fresh
 *   salt each), replies from the server are opened (authentication,
 *   address; the local role keeps out of the salt replay filter, as the
 *   TCP relay's does) and sent to the source from the relay's socket. An
 *   association ends after the profile's SS_A_TIMEOUT seconds without a
 *   datagram either way; the profile's SS_A_MAX_CONNS caps its
 *   associations over all its UDP relays (a datagram from a new source
 *   beyond it is dropped, UDP_DROP_LIMIT), and its UDP relays apart from
 *   them (one more is -EMFILE, counted in SS_STATS_A_REFUSED). Without
 *   SS_A_CTRL_FD a relay lasts until it has had no association for
 *   SS_A_TIMEOUT seconds (its socket keeps its namespace alive: it must
 *   end by itself).
 *   Deleting the profile, the namespace's exit and the module's removal
 *   end every relay. No reply attributes. -ENOENT for an unknown profile,
 *   -EBADF, -ENOTSOCK, -EPROTOTYPE (SS_A_FD not UDP, SS_A_CTRL_FD neither
 *   TCP nor AF_UNIX stream), -EDESTADDRREQ for an unbound UDP socket,
 *   -EISCONN for a connected one, -ENOTCONN for a control socket that is
 *   not connected, -EINVAL for a malformed or missing mode attribute,
 *   -EPERM for SS_A_TPROXY without IP_TRANSPARENT or CAP_NET_ADMIN.
 *   Counted on the profile (SS_A_STATS): UDP_PKTS_OUT and UDP_BYTES_OUT
 *   datagrams sent to the server and their payload (the target address
 *   excluded), UDP_PKTS_IN and UDP_BYTES_IN replies from the server that
 *   authenticated and had a good address, and their payload;
 *   UDP_ASSOC_ACTIVE; UDP_DROP_AUTH for replies;
 *   UDP_DROP_BAD for applications' datagrams (a bad SOCKS5 header, RSV
 *   or FRAG != 0, a source not allowed, truncated) and replies (too short, a bad
 *   address); UDP_DROP_LIMIT; UDP_DROP_TARGET for datagrams that could not
 *   be sent (to the server or back to the application).
 *
 * Resolving target names (server role)
 * ------------------------------------
 * A server resolves a domain target through an agent in its own network
 * namespace (ssctl resolver), so that it sees that namespace's resolver
 * configuration, not the host's:
 *
 *   1. The kernel multicasts SS_CMD_RESOLVE_REQUEST on the family's
 *      multicast group SS_GENL_MCGRP_RESOLVER ("resolver") in the server's
 *      namespace. Subscribing needs CAP_NET_ADMIN in the user namespace
 *      owning that network namespace (the names clients visit are private).
 *   2. The agent resolves the name and answers with SS_CMD_RESOLVE_REPLY
 *      from that same namespace.
 *
 * In the initial namespace, while nobody subscribes to the group, the
 * kernel's dns_resolver upcall (request-key, keyutils' key.dns_resolver)
 * is used instead. In any other namespace without a subscriber the lookup
 * fails at once. A server has at most SS_LOOKUP_MAX_INFLIGHT lookups under
 * way; one more fails at once. A lookup the agent has not answered within
 * SS_LOOKUP_TIMEOUT seconds (the module parameter lookup_timeout changes
 * it) fails. A lookup ends with the connection or UDP
 * association that asked for it (closed, the server deleted, the namespace
 * gone): a reply for it afterwards is -ENOENT. An upcall cannot be
 * interrupted: it keeps counting against the server's limit until it
 * returns. Every failed lookup is counted in the server's
 * SS_STATS_A_DNS_FAIL (a UDP packet whose name did not resolve is also
 * counted in SS_STATS_A_UDP_DROP_TARGET).
 *
 * SS_CMD_RESOLVE_REQUEST (kernel to agent, multicast only; as a request
 * ---------------------- it is -EOPNOTSUPP)
 *   SS_A_LOOKUP_ID     NLA_U32: the lookup, unique among the namespace's
 *                      lookups under way
 *   SS_A_LOOKUP_NAME   NLA_NUL_STRING: the name, 1..255 bytes of letters,
 *                      digits, '-', '_' and '.', no empty label
 *   SS_A_NAME          NLA_NUL_STRING: the server that asks (for logs)
 *   The agent looks up IPv4 and IPv6 addresses (getaddrinfo with
 *   AF_UNSPEC).
 *
 * SS_CMD_RESOLVE_REPLY (agent to kernel; CAP_NET_ADMIN)
 * --------------------
 *   SS_A_LOOKUP_ID     NLA_U32, required: from the request; matched among
 *                      the lookups of the caller's network namespace only
 *   then either
 *   SS_A_LOOKUP_ERROR  NLA_U32, 1..4095: the lookup failed, with this
 *                      positive errno (ENOENT: no such name, EAGAIN: try
 *                      again later, EIO: any other failure); it is only
 *                      logged (debug) and counted
 *   or one or more of (repeated, at most SS_LOOKUP_ADDRS_MAX in all)
 *   SS_A_LOOKUP_IPV4   struct in_addr (4 bytes)
 *   SS_A_LOOKUP_IPV6   struct in6_addr (16 bytes); IPv4-mapped ones are
 *                      taken as IPv4
 *   The first IPv4 address is used, else the first IPv6 one (a server
 *   may have no IPv6 route). The server's SS_A_ALLOW_LOCAL applies to it
 *   as to an address the client sent. No reply attributes. -ENOENT (with
 *   an extack message) for an id that is not a lookup under way in the
 *   caller's namespace: never one, answered already, timed out, or
 *   ended with its connection. -EINVAL for a reply without the id, with
 *   both an error and addresses or neither, or with an attribute the
 *   command does not take; -E2BIG for more than SS_LOOKUP_ADDRS_MAX
 *   addresses; -ERANGE for an error outside 1..4095.
 *
 * SIP023 users (Shadowsocks 2022 servers of an AES method)
 * ---------------------------------------------------------
 * A server with users accepts only requests and UDP packets that carry a
 * user's identity header; its key is then the identity PSK, and each
 * user's connections and UDP sessions are under that user's PSK. Until
 * its first user it takes plain requests under its key; the first user
 * ends the connections and UDP sessions made so, and the server takes
 * users' requests only from then on, even once every user is removed
 * (every user's client holds the identity PSK). At most SS_MAX_USERS per
 * server; a user is found in one hash lookup whatever their number.
 *
 * SS_CMD_USER_NEW (CAP_NET_ADMIN)
 *   SS_A_NAME          required: the server
 *   SS_A_USER          NLA_NUL_STRING, required: the user's name, as
 *                      object names, unique among the server's users
 *   SS_A_KEY           required: the user's PSK, exactly the method's
 *                      key length, unique among the server's users;
 *                      wiped from the request, never returned
 *   -EOPNOTSUPP for a server of another method, -EEXIST for a name or key
 *   another user has, -ENOSPC at SS_MAX_USERS. Other users' requests
 *   under way go on.
 *
 * SS_CMD_USER_DEL (CAP_NET_ADMIN)
 *   SS_A_NAME, SS_A_USER  required. The user's connections and UDP
 *   sessions end (at once; the call does not wait for their sockets).
 *
 * SS_CMD_USER_GET (doit with SS_A_NAME and SS_A_USER; NLM_F_DUMP with
 * ---------------  SS_A_NAME for one server's users, or without for all)
 *   SS_A_NAME, SS_A_USER, SS_A_STATS holding the user's CONN_ACTIVE,
 *   CONN_TOTAL, BYTES_IN, BYTES_OUT, AUTH_FAIL (the request named the user
 *   but did not authenticate under its PSK), UDP_PKTS_IN, UDP_PKTS_OUT,
 *   UDP_BYTES_IN, UDP_BYTES_OUT and UDP_ASSOC_ACTIVE. The server's own
 *   counters count its users' too. SS_CMD_SERVER_GET gives SS_A_USERS
 *   (NLA_U32, the number of users) for servers that can have users.
 *
 * Events (multicast only, on the family's "monitor" group,
 * SS_GENL_MCGRP_MONITOR, in the object's network namespace; joining needs
 * CAP_NET_ADMIN there; as requests they are -EOPNOTSUPP). Each carries
 *   SS_A_OBJECT        NLA_U32, enum ss_object_kind: SS_OBJECT_SERVER or
 *                      SS_OBJECT_CLIENT
 *   SS_A_NAME          NLA_NUL_STRING: the object's name
 * and never a key or an address:
 *   SS_CMD_OBJECT_NEW_NTF   the object was created
 *   SS_CMD_OBJECT_DEL_NTF   it was deleted; SS_A_REASON (NLA_U32, enum
 *                           ss_reason) says why: SS_REASON_USERSPACE (a DEL
 *                           request), SS_REASON_NETNS_EXIT (its namespace
 *                           ended: no monitor can be left there, so this one
 *                           goes to the initial namespace's monitors), or
 *                           SS_REASON_MODULE_UNLOAD (sent before the family
 *                           goes)
 *   SS_CMD_REFUSED_NTF      a connection (server) or a TCP or UDP relay
 *                           (client profile) refused at max-conns
 *   SS_CMD_AUTH_FAIL_NTF    a server's connection or UDP packet failed
 *                           authentication
 *   SS_CMD_REPLAY_NTF       a server's connection or UDP packet reused a salt
 * REFUSED_NTF is sent at most once a second per object, AUTH_FAIL_NTF and
 * REPLAY_NTF together at most once a second per server: the first of a
 * burst; the counters count them all.
 *
 * Errors: every rejection carries an extended ACK message, and points at the
 * offending attribute where there is one. -EEXIST for a duplicate name,
 * -ENOENT for an unknown one, -ENOPKG when the kernel cannot instantiate the
 * method's transform, -EPERM without CAP_NET_ADMIN. SS_CMD_SERVER_NEW binds
 * the server's sockets and listens at once: -EADDRINUSE for a port in use
 * (by anyone, or by another server of the namespace), -EADDRNOTAVAIL for an
 * address the namespace does not have. SS_CMD_SERVER_DEL closes the
 * server's listening sockets and every connection it accepted before it
 * returns. An attribute a command does not take, or any attribute in a
 * dump request but USER_GET's SS_A_NAME, is -EINVAL; a value outside the policy's
 * range is -ERANGE (the core's own message).
 *
 * Documentation/netlink/specs/shadowsocks.yaml is the machine-readable
 * form of this interface: each attribute with its type and checks, and
 * which attributes each command takes. It generates the enums in
 * <linux/shadowsocks_genl.h> and the module's per-command policies; the
 * kernel's ynl tools drive the module from it.
 */

#ifndef _UAPI_LINUX_SHADOWSOCKS_H
#define _UAPI_LINUX_SHADOWSOCKS_H

#include <linux/types.h>
#include <linux/shadowsocks_genl.h>	/* the enums, from the YAML spec */

#define SS_NAME_MAX		32	/* including the terminating NUL */
#define SS_NAME_LEN		(SS_NAME_MAX - 1)
#define SS_KEY_MAX_LEN		32
#define SS_PASSWORD_MAX_LEN	256	/* a 2017 profile's password (export) */
#define SS_DEFAULT_TIMEOUT	60	/* seconds, as shadowsocks-libev */
#define SS_MAX_TIMEOUT		86400
#define SS_DEFAULT_HANDSHAKE_TIMEOUT	30	/* capped by the idle timeout */
#define SS_DEFAULT_MAX_CONNS	1024
#define SS_MAX_MAX_CONNS	1000000
#define SS_MAX_USERS		100000	/* SIP023 users of one server */
#define SS_ACL_MAX_RULES	65536	/* networks and names of a server's ACL */
#define SS_RELAY_DATA_MAX	8192
#define SS_RELAY_REPLY_MAX	64

#define SS_LOOKUP_MAX_INFLIGHT	16	/* lookups under way per server */
#define SS_LOOKUP_TIMEOUT	10	/* seconds an agent has to answer (default) */
#define SS_LOOKUP_ADDRS_MAX	32	/* addresses in one reply */

#endif /* _UAPI_LINUX_SHADOWSOCKS_H */
