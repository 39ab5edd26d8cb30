/*
 * conn.h - one TCP connection: framing in, send queue out, teardown.
 */
#ifndef WG_SMBD_CONN_H
#define WG_SMBD_CONN_H

#include "smbd/smbd.h"

/*
 * A loop of srv running on ev (struct smbd_loop, smbd.h), a talloc child
 * of srv, with its descriptor cache (fs/acl.h); NULL on ENOMEM. Its read
 * buffer is allocated on first use.
 */
struct smbd_loop *smbd_loop_new(struct smbd_server *srv,
				struct tevent_context *ev);

/*
 * Take ownership of an accepted, non-blocking fd, on srv->loop. NULL on failure (the
 * caller closes fd). Whole session messages go up through srv->conn_up
 * (struct smbd_conn_upcalls in smbd.h), which must be set.
 */
/*
 * The TCP options of every connection: TCP_NODELAY, keepalive probes for
 * dead peers (60 s idle, every 10 s, 6 of them) and a bound on
 * unacknowledged output (TCP_USER_TIMEOUT 120 s). Set on a listening
 * socket: Linux copies them into each socket it accepts, which saves six
 * system calls per connection.
 */
void smbd_conn_tcp_options(int fd);

struct smbd_conn *smbd_conn_new(struct smbd_server *srv, int fd, bool netbios);

/*
 * smbd_conn_new for a socket the caller accepted: peer is the address
 * accept4() filled in and local the one it listens on, when not a
 * wildcard (either NULL: asked of the socket, getpeername/getsockname).
 * Both are copied. Takes fd as smbd_conn_new does; NULL when refused or
 * out of memory (the caller closes fd).
 */
struct smbd_conn *smbd_conn_accepted(struct smbd_server *srv, int fd,
				     bool netbios,
				     const struct sockaddr_storage *peer,
				     const struct sockaddr_storage *local);

/* Why a connection ends; every cause but ERROR is a normal end. */
enum smbd_conn_end {
	SMBD_END_ERROR,		/* protocol, network or resource error:
				 * counted in stats.conns_dropped */
	SMBD_END_PEER,		/* the client closed it */
	SMBD_END_TIMEOUT,	/* auth, partial frame or stalled reader */
	SMBD_END_SESSION,	/* its last session was reaped or deleted */
};

/* End a connection for an error (smbd_conn_end, net/conn.h). */
void smbd_conn_terminate(struct smbd_conn *conn, const char *reason);

/*
 * End conn at a safe point in the loop: output already queued is
 * flushed for the linger time at most. reason is logged when it is
 * freed. smbd_conn_terminate(conn, reason) is the SMBD_END_ERROR case.
 */
void smbd_conn_end(struct smbd_conn *conn, enum smbd_conn_end why,
		   const char *reason);

/*
 * Queue one frame for sending: buf holds the message WITHOUT the 4-byte
 * transport header (added here). buf is stolen. Returns 0 or -ENOMEM.
 */
int smbd_conn_send(struct smbd_conn *conn, uint8_t *buf, size_t len);

/*
 * Keep the next place in the send queue for a frame of len bytes
 * (without the transport header) that is not ready yet: a reply being
 * signed or encrypted on a worker. Frames queued after it wait for it,
 * so replies go out whole and in the order they were queued. Returns
 * the place (owned by conn, freed with it), or NULL if nothing will be
 * sent (a closing connection, no memory, a frame too large: then the
 * connection is ending).
 */
struct smbd_sendq *smbd_conn_send_later(struct smbd_conn *conn, size_t len);
/* The frame for place q is ready: buf (len bytes as kept) is stolen. */
void smbd_conn_send_fill(struct smbd_conn *conn, struct smbd_sendq *q,
			 uint8_t *buf);
/* The frame for place q will not come: give the place up. */
void smbd_conn_send_drop(struct smbd_conn *conn, struct smbd_sendq *q);

/*
 * hold(true): a frame went to a worker (decryption, signature check);
 * until the matching hold(false) no later frame of conn is dispatched
 * and the socket is not read, so requests keep their arrival order.
 * Other connections go on. The timeouts do not count the wait.
 */
void smbd_conn_hold(struct smbd_conn *conn, bool on);

/*
 * The same for a frame in two pieces, buf then buf2 (both stolen): a
 * READ reply whose data stays in the buffer the file was read into.
 */
int smbd_conn_send2(struct smbd_conn *conn, uint8_t *buf, size_t len,
		    uint8_t *buf2, size_t len2);

/* Queue raw bytes (NetBIOS session responses). buf is stolen. */
int smbd_conn_send_raw(struct smbd_conn *conn, uint8_t *buf, size_t len);

/*
 * The connection gained its first valid session (on = true) or lost its
 * last one (false): unauthenticated connections are closed after the
 * auth timeout, and count against the unauthenticated limits.
 */
void smbd_conn_set_authenticated(struct smbd_conn *conn, bool on);

/* Start the periodic sweep over connection timeouts (server.c). */
int smbd_conn_sweep_start(struct smbd_server *srv);

/*
 * Reply backlog (see struct smbd_conn): the bytes counted against
 * max reply backlog, and whether a new request may be dispatched now.
 */
size_t smbd_conn_backlog(const struct smbd_conn *conn);
bool smbd_conn_accepting(const struct smbd_conn *conn);

/*
 * conn went over its reply backlog: count and log it once per episode
 * (the episode ends when nothing is parked or waiting any more).
 */
void smbd_conn_throttle(struct smbd_conn *conn);

/*
 * The backlog may have shrunk (output written, a request or compound
 * ended): at the next turn of the loop, resume the blocked compound and
 * the parked frames while the budget allows, and read again.
 */
void smbd_conn_kick(struct smbd_conn *conn);

/* Largest frame accepted in the current state. */
size_t smbd_conn_max_frame(const struct smbd_conn *conn);
/* Pipes of spliced WRITEs alive now in the process (a gauge). */
unsigned smbd_conn_splice_pipes(void);

#endif
