/*
 * conn.c - one TCP connection: read frames (direct TCP on 445, NetBIOS
 * session service on 139), write queued responses, tear down at a safe
 * point in the loop.
 */
#include "smbd/net/conn.h"
#include "smbd/loop.h"
#include "smbd/fs/acl.h"
#include "smbd/fs/open.h"
#include "smbd/fs/workers.h"
#include "proto/nbt.h"
#include "sessions/sessmgr.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/uio.h>
#include <netinet/tcp.h>

/* Connections that have not authenticated yet: a flood of them must not
 * exhaust our fds. */
#define MAX_UNAUTH_PER_IP 32
#define MAX_UNAUTH_TOTAL 1024

/*
 * Frames one connection may have dispatched per turn of the event loop;
 * the rest wait, parked, for its next turn, so a client that pipelines
 * thousands of small requests takes its turns like everyone else.
 */
#define FRAMES_PER_TURN 16

/* Connections visited per sweep tick. */
#define SWEEP_SLICE 512

/*
 * A connection with no frame for this long, nothing in flight and
 * nothing queued is idle: the sweep hands it to conn->up->idle (the SMB
 * layer drops its sessions' expanded keys, ~4.4 KiB each).
 */
#define CONN_IDLE_MS 5000

/*
 * A complete frame read while the connection was over its backlog, or
 * after its turn's FRAMES_PER_TURN: dispatched later, in order.
 */
struct smbd_parked {
	struct smbd_parked *next;
	uint8_t type;
	uint8_t *buf;		/* child of this struct */
	size_t len;
	uint64_t lat_rd, lat_lk;	/* its read's stamps (loop.h) */
	struct smbd_payload *payload;	/* child, or NULL (in a pipe) */
};

struct smbd_sendq {
	struct smbd_sendq *next;
	uint8_t *buf;		/* NULL: a place kept for a frame not ready */
	size_t len;
	uint8_t *buf2;		/* the rest of the frame, if not in buf */
	size_t len2;
	size_t done;		/* of nbt_len + len + len2 */
	uint8_t nbt[NBT_FRAME_HDR_LEN];	/* transport header, if used */
	size_t nbt_len;
	struct smbd_lat_sent lat;	/* the requests it answers */
};

static void conn_io(struct tevent_context *ev, struct tevent_fd *fde,
		    uint16_t flags, void *private_data);
static void conn_update_flags(struct smbd_conn *conn);
static void conn_write(struct smbd_conn *conn, bool unlocked);
static void conn_frame(struct smbd_conn *conn, uint8_t type, uint8_t *buf,
		       size_t len, struct smbd_payload *pl);

/*
 * The loop a new computer goes to: the one with the fewest computers,
 * then the fewest connections; on a tie the accepting loop (srv->loop,
 * the listeners'), which then serves it without a second thread waking.
 * Turns by connections accepted so far sent a computer that comes back
 * after all its connections closed (a session cycle) to the other loop
 * every other time, where its first requests met the accepting loop's
 * state-lock hold: ~0.9 futex calls per cycle (strace, two workers of one
 * computer), none with the tie kept here. All of a computer's
 * connections follow it there (docs/threads.md).
 */
static struct smbd_loop *client_loop(struct smbd_server *srv)
{
	struct smbd_loop *best = srv->loop;
	unsigned i = 0;

	for (i = 1; i < srv->nloops; i++) {
		struct smbd_loop *lp = srv->loops[i];

		if (lp->nclients < best->nclients ||
		    (lp->nclients == best->nclients &&
		     lp->nconns < best->nconns)) {
			best = lp;
		}
	}
	return best;
}

/* The client entry for conn's address, made on first use; NULL on ENOMEM. */
static struct smbd_client *client_get(struct smbd_server *srv,
				      const char *addr)
{
	struct smbd_client *cl = NULL;

	for (cl = srv->clients; cl != NULL; cl = cl->next) {
		if (strcmp(cl->addr, addr) == 0) {
			cl->nconns++;
			return cl;
		}
	}
	/*
	 * Not a child of srv: the last connection's destructor frees it,
	 * and at teardown the connections may go after srv's other children.
	 */
	cl = talloc_zero(NULL, struct smbd_client);
	if (cl == NULL) {
		return NULL;
	}
	snprintf(cl->addr, sizeof(cl->addr), "%s", addr);
	cl->nconns = 1;
	cl->loop = client_loop(srv);
	cl->loop->nclients++;
	cl->next = srv->clients;
	if (srv->clients != NULL) {
		srv->clients->prev = cl;
	}
	srv->clients = cl;
	return cl;
}

static void client_put(struct smbd_server *srv, struct smbd_client *cl)
{
	if (cl == NULL || --cl->nconns > 0) {
		return;
	}
	if (cl->prev != NULL) {
		cl->prev->next = cl->next;
	} else {
		srv->clients = cl->next;
	}
	if (cl->next != NULL) {
		cl->next->prev = cl->prev;
	}
	cl->loop->nclients--;
	talloc_free(cl);
}

/* Take conn off its loop's list of connections to write. */
static void flush_remove(struct smbd_conn *conn)
{
	struct smbd_conn **pp = &conn->loop->flush_head;

	if (!conn->flushing) {
		return;
	}
	while (*pp != NULL && *pp != conn) {
		pp = &(*pp)->flush_next;
	}
	if (*pp == conn) {
		*pp = conn->flush_next;
	}
	conn->flush_next = NULL;
	conn->flushing = false;
}

static int conn_destructor(struct smbd_conn *conn)
{
	struct smbd_server *srv = conn->srv;
	struct smbd_session *s = NULL;

	conn->state = SMBD_CONN_CLOSING;
	TALLOC_FREE(conn->fde);
	flush_remove(conn);
	if (srv != NULL && srv->sweep_cursor == conn) {
		srv->sweep_cursor = conn->next;
	}
	/*
	 * Sessions first: their opens flush and close, and complete any
	 * pending request (which, with the connection closing, is freed
	 * without a reply). Then whatever requests remain.
	 */
	/* a lost connection keeps its durable opens [MS-SMB2 §3.3.7.1] */
	smbd_opens_preserve_conn(conn);
	while ((s = conn->sessions) != NULL) {
		talloc_free(s);
	}
	while (conn->requests != NULL) {
		talloc_free(conn->requests);
	}
	if (conn->fd >= 0) {
		close(conn->fd);
		conn->fd = -1;
	}
	if (srv != NULL) {
		if (!conn->authenticated) {
			srv->unauth_conns--;
		}
		if (conn->prev != NULL) {
			conn->prev->next = conn->next;
		} else {
			srv->conns = conn->next;
		}
		if (conn->next != NULL) {
			conn->next->prev = conn->prev;
		}
		srv->nconns--;
		conn->loop->nconns--;
		client_put(srv, conn->client);
		conn->client = NULL;
	}
	DBG_INFO(CONN, "%s:%u closed (%s)", conn->peer_addr, conn->peer_port,
		 conn->close_reason != NULL ? conn->close_reason : "freed");
	return 0;
}

/*
 * Dotted quad of a[0..3] into buf, as inet_ntop(AF_INET) writes it (that
 * went through sprintf: 1.7k instructions, twice per connection).
 */
static void put_ipv4(const uint8_t a[4], char *buf, size_t len)
{
	char tmp[16];
	size_t n = 0;
	int i = 0;

	for (i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (i > 0) {
			tmp[n++] = '.';
		}
		if (v >= 100) {
			tmp[n++] = (char)('0' + v / 100);
		}
		if (v >= 10) {
			tmp[n++] = (char)('0' + v / 10 % 10);
		}
		tmp[n++] = (char)('0' + v % 10);
	}
	if (len == 0) {
		return;
	}
	if (n >= len) {
		n = len - 1;
	}
	memcpy(buf, tmp, n);
	buf[n] = '\0';
}

static void fold_addr(const struct sockaddr_storage *ss, char *buf,
		      size_t len, uint16_t *port)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		put_ipv4((const uint8_t *)&sin->sin_addr, buf, len);
		*port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			put_ipv4(&sin6->sin6_addr.s6_addr[12], buf, len);
		} else {
			inet_ntop(AF_INET6, &sin6->sin6_addr, buf, len);
		}
		*port = ntohs(sin6->sin6_port);
	} else {
		snprintf(buf, len, "unknown");
		*port = 0;
	}
}

static void smbd_conn_count_reap(struct smbd_conn *c, enum sm_reap_cause why)
{
	if (c->srv->sm != NULL) {
		sm_count_reap(c->srv->sm, why);
	}
}

static struct timeval tv_after(const struct timeval *t, uint32_t ms)
{
	struct timeval r = *t;

	r.tv_sec += ms / 1000;
	r.tv_usec += (ms % 1000) * 1000;
	if (r.tv_usec >= 1000000) {
		r.tv_sec++;
		r.tv_usec -= 1000000;
	}
	return r;
}

static bool tv_passed(const struct timeval *now, const struct timeval *t)
{
	return now->tv_sec > t->tv_sec ||
	       (now->tv_sec == t->tv_sec && now->tv_usec >= t->tv_usec);
}

static uint64_t tv_ms_since(const struct timeval *now, const struct timeval *t)
{
	int64_t ms = (int64_t)(now->tv_sec - t->tv_sec) * 1000 +
		     (now->tv_usec - t->tv_usec) / 1000;

	return ms < 0 ? 0 : (uint64_t)ms;
}

void smbd_conn_tcp_options(int fd)
{
	int one = 1;
	int idle = 60, intvl = 10, cnt = 6;
	unsigned int user_timeout = 120 * 1000;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout,
		   sizeof(user_timeout));
}

static bool unauth_allowed(const struct smbd_server *srv, const char *ip)
{
	const struct smbd_conn *c = NULL;
	size_t n = 0;

	if (srv->unauth_conns >= MAX_UNAUTH_TOTAL) {
		return false;
	}
	if (srv->unauth_conns < MAX_UNAUTH_PER_IP) {
		return true;
	}
	for (c = srv->conns; c != NULL; c = c->next) {
		if (!c->authenticated && strcmp(c->peer_addr, ip) == 0) {
			n++;
		}
	}
	return n < MAX_UNAUTH_PER_IP;
}

void smbd_conn_set_authenticated(struct smbd_conn *conn, bool on)
{
	struct smbd_server *srv = conn->srv;
	struct timeval now;

	if (conn->authenticated == on) {
		return;
	}
	conn->authenticated = on;
	if (on) {
		srv->unauth_conns--;
		return;
	}
	srv->unauth_conns++;
	gettimeofday(&now, NULL);
	conn->deadline = tv_after(&now, srv->cfg->auth_timeout_ms);
}

/*
 * End of a loop turn (smbd/loop.c, several loops only): write what its
 * connections queued, without the state lock around each writev.
 */
static void conn_flush(struct smbd_loop *lp)
{
	struct smbd_conn *conn = NULL;

	while ((conn = lp->flush_head) != NULL) {
		lp->flush_head = conn->flush_next;
		conn->flush_next = NULL;
		conn->flushing = false;
		if (conn->fde != NULL && conn->free_im == NULL &&
		    conn->sendq_head != NULL) {
			conn_write(conn, true);
		}
	}
}

struct smbd_loop *smbd_loop_new(struct smbd_server *srv,
			       struct tevent_context *ev)
{
	struct smbd_loop *lp = talloc_zero(srv, struct smbd_loop);

	if (lp == NULL) {
		return NULL;
	}
	lp->srv = srv;
	lp->ev = ev;
	lp->wake_fd = -1;
	lp->flush = conn_flush;
	lp->acl_cache = smbd_acl_cache_new(lp);
	/* the thread that makes the loops runs loop 0 (loop.c: the rest) */
	lp->tid = (int)gettid();
	lp->lat = talloc_zero(lp, struct smbd_lat);
	if (lp->acl_cache == NULL || lp->lat == NULL) {
		talloc_free(lp);
		return NULL;
	}
	return lp;
}

/*
 * The credit window of a new connection [MS-SMB2 §3.3.1.1]: each credit
 * lets the client ask for 64 KiB of reply, so the window is no larger
 * than the reply backlog allows (16 to SMBD_MAX_CREDITS MessageIds). It
 * is fixed for the connection's life, so that its MessageId bitmap is
 * only as large as it (16 bytes at the default 8 MiB backlog, not 1 KiB);
 * a reload that changes the backlog applies to new connections.
 */
static uint32_t credit_window(const struct wg_config *cfg)
{
	uint64_t w = cfg->max_reply_backlog / 65536;

	return w < 16 ? 16 : w > SMBD_MAX_CREDITS ? SMBD_MAX_CREDITS :
							(uint32_t)w;
}

struct smbd_conn *smbd_conn_new(struct smbd_server *srv, int fd, bool netbios)
{
	return smbd_conn_accepted(srv, fd, netbios, NULL, NULL);
}

struct smbd_conn *smbd_conn_accepted(struct smbd_server *srv, int fd,
				     bool netbios,
				     const struct sockaddr_storage *peer,
				     const struct sockaddr_storage *local_in)
{
	struct smbd_conn *conn = NULL;
	socklen_t len = sizeof(conn->peer_ss);
	struct sockaddr_storage local = {};

	if (srv->shutting_down) {
		return NULL;
	}
	conn = talloc_zero(srv, struct smbd_conn);
	if (conn == NULL) {
		return NULL;
	}
	conn->srv = srv;
	conn->loop = srv->loop;	/* its computer's, once known */
	conn->up = srv->conn_up;
	conn->fd = -1;
	if (peer != NULL) {
		conn->peer_ss = *peer;
	} else if (getpeername(fd, (struct sockaddr *)&conn->peer_ss,
			       &len) != 0) {
		talloc_free(conn);
		return NULL;
	}
	fold_addr(&conn->peer_ss, conn->peer_addr, sizeof(conn->peer_addr),
		  &conn->peer_port);
	len = sizeof(local);
	if (local_in != NULL) {
		fold_addr(local_in, conn->local_addr, sizeof(conn->local_addr),
			  &conn->local_port);
	} else if (getsockname(fd, (struct sockaddr *)&local, &len) == 0) {
		fold_addr(&local, conn->local_addr, sizeof(conn->local_addr),
			  &conn->local_port);
	}
	if (!unauth_allowed(srv, conn->peer_addr)) {
		WG_LOG_RL(WG_LOG_WARN, WG_CLS_CONN,
			  "%s: too many unauthenticated connections "
			  "(%zu in all), refusing", conn->peer_addr,
			  srv->unauth_conns);
		srv->stats.conns_refused++;
		talloc_free(conn);
		return NULL;
	}
	/* TCP options: set on the listening socket, whose accepted
	 * sockets inherit them (smbd_conn_tcp_options) */

	conn->netbios = netbios;
	conn->state = netbios ? SMBD_CONN_NBT_WAIT : SMBD_CONN_NEGOTIATE;
	conn->connect_time_nt = smbd_nt_now();
	gettimeofday(&conn->last_activity, NULL);
	conn->last_write = conn->last_activity;
	conn->deadline = tv_after(&conn->last_activity,
				  srv->cfg->auth_timeout_ms);
	conn->id = ++srv->next_conn_id;
	conn->max_trans = SMBD_MAX_TRANSACT_202;
	conn->max_read = SMBD_MAX_TRANSACT_202;
	conn->max_write = SMBD_MAX_TRANSACT_202;
	/* MessageId 0 (NEGOTIATE) is allowed before any grant. */
	conn->seq_low = 0;
	conn->seq_high = 1;
	conn->seq_bits = credit_window(srv->cfg);
	conn->seq_bitmap = talloc_zero_array(conn, uint8_t,
					     (conn->seq_bits + 7) / 8);
	if (conn->seq_bitmap == NULL) {
		talloc_free(conn);
		return NULL;
	}
	conn->client = client_get(srv, conn->peer_addr);
	if (conn->client == NULL) {
		talloc_free(conn);
		return NULL;
	}
	/*
	 * Its computer's loop: under the state lock, so adding the fd to
	 * another loop's context is safe (epoll_ctl; that loop sees it at
	 * its next wait).
	 */
	conn->loop = conn->client->loop;
	conn->fd = fd;
	conn->fde = tevent_add_fd(conn->loop->ev, conn, fd, TEVENT_FD_READ,
				  conn_io, conn);
	if (conn->fde == NULL) {
		conn->fd = -1;
		client_put(srv, conn->client);
		conn->client = NULL;
		talloc_free(conn);
		return NULL;
	}
	conn->next = srv->conns;
	if (srv->conns != NULL) {
		srv->conns->prev = conn;
	}
	srv->conns = conn;
	srv->nconns++;
	conn->loop->nconns++;
	conn->loop->conns_accepted++;
	srv->stats.conns_accepted++;
	srv->unauth_conns++;
	talloc_set_destructor(conn, conn_destructor);
	DBG_INFO(CONN, "%s:%u connected to port %u on loop %u",
		 conn->peer_addr, conn->peer_port, conn->local_port,
		 conn->loop->idx);
	return conn;
}

static void conn_free_im(struct tevent_context *ev, struct tevent_immediate *im,
			 void *private_data)
{
	struct smbd_conn *conn = private_data;

	talloc_free(conn);
}

static void conn_free_later(struct smbd_conn *conn)
{
	if (conn->free_im != NULL) {
		return;
	}
	if (smbd_loop_is_self(conn->loop)) {
		TALLOC_FREE(conn->fde);
	} else if (conn->fde != NULL) {
		/*
		 * Another loop's: only it may free the fde (it may hold it
		 * in the events of its last wait); stop it here.
		 */
		tevent_fd_set_flags(conn->fde, 0);
	}
	/* Never freed from inside its own callback: at the next turn. */
	conn->free_im = tevent_create_immediate(conn);
	if (conn->free_im == NULL) {
		/* The sweep frees it (deadline is now). */
		conn->lingering = true;
		gettimeofday(&conn->deadline, NULL);
		return;
	}
	smbd_loop_schedule(conn->loop, conn->free_im, conn_free_im, conn);
}

void smbd_conn_terminate(struct smbd_conn *conn, const char *reason)
{
	smbd_conn_end(conn, SMBD_END_ERROR, reason);
}

void smbd_conn_end(struct smbd_conn *conn, enum smbd_conn_end why,
		   const char *reason)
{
	struct timeval now;

	if (conn->state == SMBD_CONN_CLOSING) {
		return;
	}
	conn->state = SMBD_CONN_CLOSING;
	conn->close_reason = talloc_strdup(conn, reason);
	if (why == SMBD_END_ERROR) {
		conn->srv->stats.conns_dropped++;
	}
	if (conn->sendq_head == NULL || conn->fde == NULL) {
		conn_free_later(conn);
		return;
	}
	/*
	 * Output is queued (an error reply, a negative session response):
	 * stop reading and flush it, but for the linger time at most, so a
	 * client that never reads cannot hold the connection.
	 */
	shutdown(conn->fd, SHUT_RD);
	conn->lingering = true;
	gettimeofday(&now, NULL);
	conn->deadline = tv_after(&now, conn->srv->cfg->linger_timeout_ms);
	conn_update_flags(conn);
}

/* The sweep: auth timeouts, lingering closes, peers that stopped reading. */
static void conn_sweep_one(struct smbd_conn *c, const struct timeval *now)
{
	const struct wg_config *cfg = c->srv->cfg;

	if (c->state == SMBD_CONN_CLOSING) {
		if (c->lingering && tv_passed(now, &c->deadline)) {
			DBG_INFO(CONN, "%s: linger time over, dropping",
				 c->peer_addr);
			c->lingering = false;
			conn_free_later(c);
		}
		return;
	}
	if (!c->authenticated && tv_passed(now, &c->deadline)) {
		DBG_INFO(CONN, "%s:%u: no session within %u ms, closing",
			 c->peer_addr, c->peer_port, cfg->auth_timeout_ms);
		smbd_conn_count_reap(c, SM_REAP_AUTH_TIMEOUT);
		smbd_conn_end(c, SMBD_END_TIMEOUT, "auth timeout");
		return;
	}
	if ((c->in_hdr_done || c->in_have > 0 || c->in_splice != NULL) &&
	    c->parked_head == NULL &&
	    c->held == 0 && smbd_conn_accepting(c) &&
	    tv_ms_since(now, &c->frame_start) > cfg->linger_timeout_ms) {
		/* slowloris: a frame must arrive whole in linger timeout */
		DBG_CLIENT(CONN, "%s:%u: a frame begun %llu ms ago is still "
			   "incomplete, closing", c->peer_addr, c->peer_port,
			   (unsigned long long)tv_ms_since(now,
							   &c->frame_start));
		smbd_conn_count_reap(c, SM_REAP_DEAD_PEER);
		smbd_conn_end(c, SMBD_END_TIMEOUT, "partial frame timeout");
		return;
	}
	if (c->held > 0 ||
	    (c->sendq_head != NULL && c->sendq_head->buf == NULL)) {
		return;		/* waiting for a worker, not for the peer */
	}
	if ((c->sendq_head != NULL &&
	     tv_ms_since(now, &c->last_write) > cfg->linger_timeout_ms) ||
	    (c->parked_head != NULL &&
	     tv_ms_since(now, &c->parked_since) > cfg->linger_timeout_ms &&
	     tv_ms_since(now, &c->last_write) > cfg->linger_timeout_ms)) {
		/*
		 * Replies queued, or requests parked (for the backlog, or for
		 * a turn that needs a writable socket), and nothing written for
		 * linger timeout: the peer does not read.
		 */
		DBG_INFO(CONN, "%s:%u: not reading its replies for %u ms, "
			 "closing", c->peer_addr, c->peer_port,
			 cfg->linger_timeout_ms);
		smbd_conn_count_reap(c, SM_REAP_DEAD_PEER);
		c->sendq_head = NULL;	/* freed with the connection */
		c->sendq_tail = NULL;
		smbd_conn_end(c, SMBD_END_TIMEOUT, "peer stopped reading");
		return;
	}
	if (c->up != NULL && c->up->idle != NULL && c->authenticated &&
	    c->requests == NULL && c->sendq_head == NULL &&
	    c->parked_head == NULL &&
	    tv_ms_since(now, &c->last_activity) > CONN_IDLE_MS) {
		c->up->idle(c);
	}
}

static uint32_t sweep_period_ms(const struct wg_config *cfg)
{
	uint32_t p = cfg->auth_timeout_ms;

	if (cfg->linger_timeout_ms < p) {
		p = cfg->linger_timeout_ms;
	}
	p /= 4;
	if (p < 100) {
		p = 100;
	}
	if (p > 1000) {
		p = 1000;
	}
	return p;
}

static void conn_sweep(struct tevent_context *ev, struct tevent_timer *te,
		       struct timeval now, void *private_data)
{
	struct smbd_server *srv = private_data;
	struct smbd_conn *c = NULL;
	struct timeval tv;
	int n = 0;

	srv->sweep_te = NULL;
	gettimeofday(&tv, NULL);
	if (srv->sweep_cursor == NULL) {
		srv->sweep_cursor = srv->conns;
	}
	/* A bounded, rotating slice per tick. */
	for (n = 0; n < SWEEP_SLICE && srv->sweep_cursor != NULL; n++) {
		c = srv->sweep_cursor;
		srv->sweep_cursor = c->next;
		conn_sweep_one(c, &tv);
	}
	smbd_conn_sweep_start(srv);
}

int smbd_conn_sweep_start(struct smbd_server *srv)
{
	if (srv->sweep_te != NULL) {
		return 0;
	}
	srv->sweep_te = tevent_add_timer(srv->ev, srv,
					 tevent_timeval_current_ofs(
						 0, sweep_period_ms(srv->cfg) *
							    1000),
					 conn_sweep, srv);
	return srv->sweep_te != NULL ? 0 : -ENOMEM;
}

size_t smbd_conn_max_frame(const struct smbd_conn *conn)
{
	size_t m = conn->max_trans;

	if (conn->state != SMBD_CONN_ACTIVE) {
		return 64 * 1024;
	}
	if (conn->max_write > m) {
		m = conn->max_write;
	}
	/* a WRITE body plus headers, or a compound of several requests */
	return m + 64 * 1024;
}

/* A reply is queued: put down its requests' reply phase, keep the rest. */
static void lat_queued(struct smbd_conn *conn, const struct smbd_lat_reply *l,
		       struct smbd_lat_sent *to)
{
	uint64_t t_q = smbd_lat_now();
	unsigned i = 0;

	for (i = 0; i < l->n && i < SMBD_LAT_RECS; i++) {
		struct smbd_lat_hist *h = smbd_lat_row(conn->loop, l->cmd[i]);

		if (h == NULL) {
			continue;
		}
		smbd_lat_put(&h[SMBD_LAT_REPLY], l->t_d[i], t_q);
	}
	to->t_rd = l->t_rd;
	to->t_q = t_q;
	memcpy(to->cmd, l->cmd, sizeof(to->cmd));
	to->n = l->n;
}

/*
 * Append an entry for len bytes; buf (stolen) may be NULL for a place
 * kept for a frame not ready yet. NULL if nothing was queued (*rc says
 * why; 0 for a closing connection).
 */
static struct smbd_sendq *queue_entry(struct smbd_conn *conn, uint8_t *buf,
				      size_t len, bool hdr, int *rc)
{
	struct smbd_sendq *q = NULL;
	uint8_t nbt[NBT_FRAME_HDR_LEN];

	*rc = 0;
	if (conn->state == SMBD_CONN_CLOSING &&
	    (conn->fde == NULL || !conn->lingering)) {
		talloc_free(buf);
		return NULL;
	}
	if (hdr && nbt_frame_hdr_put(nbt, NBT_SESSION_MESSAGE, len) != 0) {
		/* never a frame whose length the 24-bit header would wrap */
		DBG_ERR(CONN, "%s: a reply of %zu bytes does not fit a frame",
			conn->peer_addr, len);
		talloc_free(buf);
		smbd_conn_terminate(conn, "reply too large");
		*rc = -EMSGSIZE;
		return NULL;
	}
	q = talloc_zero(conn, struct smbd_sendq);
	if (q == NULL) {
		talloc_free(buf);
		*rc = -ENOMEM;
		return NULL;
	}
	q->buf = talloc_steal(q, buf);
	q->len = len;
	if (conn->lat_next != NULL && conn->lat_next->n > 0) {
		lat_queued(conn, conn->lat_next, &q->lat);
		conn->lat_next = NULL;
	}
	if (hdr) {
		memcpy(q->nbt, nbt, sizeof(nbt));
		q->nbt_len = sizeof(nbt);
	}
	if (conn->sendq_tail != NULL) {
		conn->sendq_tail->next = q;
	} else {
		conn->sendq_head = q;
	}
	conn->sendq_tail = q;
	conn->sendq_bytes += len + q->nbt_len;
	return q;
}

/* Write now if q heads the queue, else when the socket is writable. */
static void queue_go(struct smbd_conn *conn, struct smbd_sendq *q)
{
	if (conn->sendq_head == q && q->buf != NULL && conn->fde != NULL &&
	    conn->free_im == NULL) {
		/*
		 * Nothing ahead of it: write now. Only what the socket cannot
		 * take waits for TEVENT_FD_WRITE (saves an epoll_ctl pair and
		 * a wakeup per reply).
		 */
		if (conn->srv->threads == NULL) {
			conn_write(conn, false);
			return;
		}
		/*
		 * Several loops: its own loop writes it at the end of this
		 * turn, without the state lock (smbd_loop.flush); another
		 * loop's connection is written by its loop when the socket
		 * is writable.
		 */
		if (smbd_loop_is_self(conn->loop)) {
			if (!conn->flushing) {
				conn->flushing = true;
				conn->flush_next = conn->loop->flush_head;
				conn->loop->flush_head = conn;
			}
			return;
		}
	}
	conn_update_flags(conn);
}

static int queue(struct smbd_conn *conn, uint8_t *buf, size_t len, bool hdr)
{
	struct smbd_sendq *q = NULL;
	int rc = 0;

	q = queue_entry(conn, buf, len, hdr, &rc);
	if (q != NULL) {
		queue_go(conn, q);
	}
	return rc;
}

struct smbd_sendq *smbd_conn_send_later(struct smbd_conn *conn, size_t len)
{
	int rc = 0;

	return queue_entry(conn, NULL, len, true, &rc);
}

void smbd_conn_send_fill(struct smbd_conn *conn, struct smbd_sendq *q,
			 uint8_t *buf)
{
	q->buf = talloc_steal(q, buf);
	queue_go(conn, q);
}

void smbd_conn_send_drop(struct smbd_conn *conn, struct smbd_sendq *q)
{
	struct smbd_sendq **pp = &conn->sendq_head;
	struct smbd_sendq *prev = NULL;

	while (*pp != NULL && *pp != q) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (*pp != q) {
		return;
	}
	*pp = q->next;
	if (conn->sendq_tail == q) {
		conn->sendq_tail = prev;
	}
	conn->sendq_bytes -= q->len + q->len2 + q->nbt_len;
	talloc_free(q);
	if (conn->lingering && conn->sendq_head == NULL) {
		conn->lingering = false;
		conn_free_later(conn);
		return;
	}
	if (conn->sendq_head != NULL && conn->sendq_head->buf != NULL &&
	    conn->fde != NULL) {
		queue_go(conn, conn->sendq_head);
		return;
	}
	conn_update_flags(conn);
}

void smbd_conn_hold(struct smbd_conn *conn, bool on)
{
	if (on) {
		conn->held++;
		conn_update_flags(conn);
		return;
	}
	conn->held--;
	if (conn->state == SMBD_CONN_CLOSING) {
		return;
	}
	/* parked frames and reading go on from conn_io */
	conn_update_flags(conn);
}

int smbd_conn_send(struct smbd_conn *conn, uint8_t *buf, size_t len)
{
	return queue(conn, buf, len, true);
}

int smbd_conn_send2(struct smbd_conn *conn, uint8_t *buf, size_t len,
		    uint8_t *buf2, size_t len2)
{
	struct smbd_sendq *q = NULL;
	int rc = 0;

	if (len2 > SIZE_MAX - len) {
		talloc_free(buf);
		talloc_free(buf2);
		return -EMSGSIZE;
	}
	q = queue_entry(conn, buf, len + len2, true, &rc);
	if (q == NULL) {
		talloc_free(buf2);
		return rc;
	}
	q->len = len;
	q->buf2 = talloc_steal(q, buf2);
	q->len2 = len2;
	queue_go(conn, q);
	return 0;
}

int smbd_conn_send_raw(struct smbd_conn *conn, uint8_t *buf, size_t len)
{
	return queue(conn, buf, len, false);
}

size_t smbd_conn_backlog(const struct smbd_conn *conn)
{
	return conn->sendq_bytes + conn->cmp_bytes + conn->reply_reserved;
}

bool smbd_conn_accepting(const struct smbd_conn *conn)
{
	return conn->blocked_cmp == NULL &&
	       smbd_conn_backlog(conn) < conn->srv->cfg->max_reply_backlog;
}

void smbd_conn_throttle(struct smbd_conn *conn)
{
	if (conn->throttled) {
		return;
	}
	conn->throttled = true;
	smbd_budget_hit(NULL, conn, SMBD_BUDGET_REPLY_BACKLOG,
			conn->srv->cfg->max_reply_backlog);
}

/*
 * Keep a complete frame until the backlog allows it or the connection's
 * next turn (frame stolen). backlog: parked because of the reply
 * backlog (counted), not only the turn.
 */
static void conn_park(struct smbd_conn *conn, uint8_t type, uint8_t *buf,
		      size_t len, struct smbd_payload *pl, bool backlog)
{
	struct smbd_parked *p = talloc_zero(conn, struct smbd_parked);

	if (p == NULL) {
		talloc_free(buf);
		talloc_free(pl);
		smbd_conn_terminate(conn, "no memory");
		return;
	}
	if (backlog) {
		smbd_conn_throttle(conn);
	}
	p->type = type;
	p->buf = talloc_steal(p, buf);
	p->len = len;
	p->lat_rd = conn->lat_rd;
	p->lat_lk = conn->lat_lk;
	p->payload = talloc_steal(p, pl);
	if (conn->parked_tail != NULL) {
		conn->parked_tail->next = p;
	} else {
		conn->parked_head = p;
		gettimeofday(&conn->parked_since, NULL);
	}
	conn->parked_tail = p;
}

/* Back under the backlog with nothing parked: the episode is over. */
static void conn_unthrottle(struct smbd_conn *conn)
{
	if (conn->parked_head != NULL || !smbd_conn_accepting(conn)) {
		return;
	}
	if (conn->throttled) {
		/* a partial frame waited for us, not the peer */
		gettimeofday(&conn->frame_start, NULL);
	}
	conn->throttled = false;
}

/* Dispatch parked frames, oldest first, at most a turn's worth. */
static void conn_deliver_parked(struct smbd_conn *conn)
{
	struct smbd_parked *p = NULL;

	while ((p = conn->parked_head) != NULL &&
	       conn->state != SMBD_CONN_CLOSING && conn->held == 0 &&
	       smbd_conn_accepting(conn) &&
	       conn->turn_frames < FRAMES_PER_TURN) {
		uint8_t *buf = talloc_steal(conn, p->buf);
		struct smbd_payload *pl = talloc_steal(conn, p->payload);

		conn->parked_head = p->next;
		if (conn->parked_head == NULL) {
			conn->parked_tail = NULL;
		}
		conn->turn_frames++;
		conn->lat_rd = p->lat_rd;
		conn->lat_lk = p->lat_lk;
		conn_frame(conn, p->type, buf, p->len, pl);
		talloc_free(p);
	}
	if (conn->state != SMBD_CONN_CLOSING) {
		conn_unthrottle(conn);
	}
}

/*
 * The backlog shrank: go on with waiting compounds now; parked frames
 * get their turns from conn_io (conn_update_flags asks for one).
 */
static void conn_resume(struct tevent_context *ev, struct tevent_immediate *im,
			void *private_data)
{
	struct smbd_conn *conn = private_data;

	if (conn->state == SMBD_CONN_CLOSING) {
		return;
	}
	if (conn->blocked_cmp != NULL) {
		conn->up->resume(conn);
	}
	if (conn->state == SMBD_CONN_CLOSING) {
		return;
	}
	conn_unthrottle(conn);
	conn_update_flags(conn);
}

void smbd_conn_kick(struct smbd_conn *conn)
{
	if (conn->state == SMBD_CONN_CLOSING ||
	    (conn->blocked_cmp == NULL && conn->parked_head == NULL &&
	     !conn->throttled)) {
		return;
	}
	if (conn->resume_im == NULL) {
		conn->resume_im = tevent_create_immediate(conn);
		if (conn->resume_im == NULL) {
			return;	/* the next write tries again */
		}
	}
	smbd_loop_schedule(conn->loop, conn->resume_im, conn_resume, conn);
}

static void conn_update_flags(struct smbd_conn *conn)
{
	uint16_t flags = 0;

	if (conn->fde == NULL || conn->free_im != NULL) {
		return;
	}
	/*
	 * A connection on its loop's flush list is written at the end of
	 * this turn (conn_flush); only what that writev leaves waits for
	 * TEVENT_FD_WRITE. Asking now cost an epoll_ctl pair per reply.
	 */
	if (conn->sendq_head != NULL && conn->sendq_head->buf != NULL &&
	    !conn->flushing) {
		flags |= TEVENT_FD_WRITE;
	}
	if (conn->state != SMBD_CONN_CLOSING && smbd_conn_accepting(conn) &&
	    conn->held == 0) {
		/*
		 * Parked frames first: a socket with room to write is ready
		 * at once, which gives the connection its next turn after the
		 * others' (tevent serves one ready fd per loop turn).
		 */
		flags |= conn->parked_head != NULL ? TEVENT_FD_WRITE :
			 TEVENT_FD_READ;
	}
	tevent_fd_set_flags(conn->fde, flags);
}

/* A reply is written: put down the last phases of its requests. */
static void lat_written(struct smbd_conn *conn,
			const struct smbd_lat_sent *l, uint64_t t_w0,
			uint64_t t_w1)
{
	unsigned i = 0;

	for (i = 0; i < l->n && i < SMBD_LAT_RECS; i++) {
		struct smbd_lat_hist *h = smbd_lat_row(conn->loop, l->cmd[i]);

		if (h == NULL) {
			continue;
		}
		smbd_lat_put(&h[SMBD_LAT_FLUSH], l->t_q, t_w0);
		smbd_lat_put(&h[SMBD_LAT_WRITE], t_w0, t_w1);
		smbd_lat_put(&h[SMBD_LAT_TOTAL], l->t_rd, t_w1);
	}
}

/*
 * Write what is queued. unlocked: the caller is the connection's loop at
 * the top of its turn (no handler under it), so the state lock may be let
 * go around writev; meanwhile other loops only append to the queue
 * (conn->writing keeps them from writing the socket too).
 */
static void conn_write(struct smbd_conn *conn, bool unlocked)
{
	struct iovec iov[32];
	struct smbd_sendq *q = NULL;
	size_t off = 0;
	int n = 0;
	int err = 0;
	ssize_t w = 0;
	uint64_t t_w0 = 0, t_w1 = 0;

	if (conn->writing) {
		return;		/* its loop writes it now, and looks again */
	}
	if (conn->sendq_head == NULL || conn->sendq_head->buf == NULL) {
		conn_update_flags(conn);
		return;		/* its head is not ready yet */
	}
	for (q = conn->sendq_head; q != NULL && q->buf != NULL && n < 30;
	     q = q->next) {
		off = q->done;
		if (off < q->nbt_len) {
			iov[n].iov_base = q->nbt + off;
			iov[n].iov_len = q->nbt_len - off;
			n++;
			off = 0;
		} else {
			off -= q->nbt_len;
		}
		if (off < q->len) {
			iov[n].iov_base = q->buf + off;
			iov[n].iov_len = q->len - off;
			n++;
			off = 0;
		} else {
			off -= q->len;
		}
		if (q->len2 > 0) {
			iov[n].iov_base = q->buf2 + off;
			iov[n].iov_len = q->len2 - off;
			n++;
		}
	}
	t_w0 = smbd_lat_now();
	if (unlocked && conn->srv->threads != NULL) {
		conn->writing = true;
		smbd_state_unlock(conn->srv);
		w = writev(conn->fd, iov, n);
		err = errno;
		smbd_state_lock(conn->srv);
		conn->writing = false;
	} else {
		w = writev(conn->fd, iov, n);
		err = errno;
	}
	if (w < 0) {
		if (err == EAGAIN || err == EINTR) {
			conn_update_flags(conn);
			return;
		}
		conn->lingering = false;
		smbd_conn_terminate(conn, strerror(err));
		conn_free_later(conn);
		return;
	}
	t_w1 = smbd_lat_now();
	conn->bytes_out += (uint64_t)w;
	conn->srv->stats.bytes_out += (uint64_t)w;
	if (w > 0) {
		gettimeofday(&conn->last_write, NULL);
	}
	while (w > 0 && (q = conn->sendq_head) != NULL) {
		size_t total = q->nbt_len + q->len + q->len2;
		size_t left = total - q->done;

		if ((size_t)w < left) {
			q->done += (size_t)w;
			break;
		}
		w -= (ssize_t)left;
		if (q->lat.n > 0) {
			lat_written(conn, &q->lat, t_w0, t_w1);
		}
		conn->sendq_bytes -= total;
		conn->sendq_head = q->next;
		if (conn->sendq_head == NULL) {
			conn->sendq_tail = NULL;
		}
		talloc_free(q);
	}
	if (conn->lingering && conn->sendq_head == NULL) {
		conn->lingering = false;
		conn_free_later(conn);
		return;
	}
	smbd_conn_kick(conn);
	conn_update_flags(conn);
}

static void conn_nbt_session_request(struct smbd_conn *conn,
				     const uint8_t *body, size_t len)
{
	struct wire_rd r;
	struct wire_wr w;
	struct nbt_name called = {}, calling = {};
	int rc = 0;

	/* room for either answer, so neither can fail to encode below */
	wire_wr_init(&w, conn, 0);
	if (wire_wr_reserve(&w, NBT_FRAME_HDR_LEN + 1) != 0) {
		smbd_conn_terminate(conn, "no memory");
		return;
	}
	wire_rd_init(&r, body, len);
	rc = nbt_session_request_pull(&r, &called, &calling);
	if (rc != 0) {
		DBG_CLIENT(CONN, "%s: bad NetBIOS session request: %s",
			   conn->peer_addr, wire_strerror(rc));
		nbt_negative_response_push(&w, NBT_ERR_CALLED_NOT_PRESENT);
		smbd_conn_send_raw(conn, w.buf, w.len);
		smbd_conn_terminate(conn, "bad session request");
		return;
	}
	/* Any called name is ours, *SMBSERVER included. */
	snprintf(conn->calling_name, sizeof(conn->calling_name), "%s",
		 calling.name);
	DBG_INFO(CONN, "%s: NetBIOS session from '%s' to '%s'",
		 conn->peer_addr, calling.name, called.name);
	nbt_frame_hdr_push(&w, NBT_POSITIVE_RESPONSE, 0);
	smbd_conn_send_raw(conn, w.buf, w.len);
	conn->state = SMBD_CONN_NEGOTIATE;
}

static void conn_frame(struct smbd_conn *conn, uint8_t type, uint8_t *buf,
		       size_t len, struct smbd_payload *pl)
{
	if (pl != NULL) {
		/* only ever a session message (read_head) */
		conn->in_payload = pl;
		conn->up->frame(conn, buf, len);
		/* not taken: its data goes with the pipe */
		TALLOC_FREE(conn->in_payload);
		return;
	}
	if (type == NBT_SESSION_KEEPALIVE) {
		/*
		 * Some clients send NetBIOS keep-alives on 445 too; like
		 * Samba, accept them on any port. They are not requests, so
		 * no session counts them as activity.
		 */
		talloc_free(buf);
		return;
	}
	if (conn->netbios) {
		if (conn->state == SMBD_CONN_NBT_WAIT) {
			if (type != NBT_SESSION_REQUEST) {
				talloc_free(buf);
				smbd_conn_terminate(conn, "no session request");
				return;
			}
			conn_nbt_session_request(conn, buf, len);
			talloc_free(buf);
			return;
		}
	}
	if (type != NBT_SESSION_MESSAGE) {
		talloc_free(buf);
		smbd_conn_terminate(conn, "bad frame type");
		return;
	}
	conn->up->frame(conn, buf, len);
}

/*
 * Begin a frame from its 4-byte header; false if the connection ends.
 * pre (NULL, or pre_size bytes already holding the frame's first bytes)
 * becomes the frame's buffer: as it is if the frame fits (the caller
 * shrinks it), else grown to the frame. It is freed on false.
 */
static bool frame_begin(struct smbd_conn *conn, uint8_t *pre,
			size_t pre_size)
{
	struct wire_rd r;
	struct nbt_frame_hdr h = {};

	wire_rd_init(&r, conn->in_hdr, 4);
	if (nbt_frame_hdr_pull(&r, &h) != 0) {
		talloc_free(pre);
		smbd_conn_terminate(conn, "bad frame");
		return false;
	}
	if (h.length > smbd_conn_max_frame(conn)) {
		DBG_CLIENT(CONN, "%s: frame of %u bytes over limit %zu, closing",
			   conn->peer_addr, h.length,
			   smbd_conn_max_frame(conn));
		talloc_free(pre);
		smbd_conn_terminate(conn, "frame too large");
		return false;
	}
	conn->in_type = h.type;
	conn->in_want = h.length;
	conn->in_have = 0;
	conn->in_hdr_done = true;
	conn->in_guess = h.length >= SMBD_RBUF_SIZE / 2 ? h.length : 0;
	if (pre != NULL && h.length <= pre_size) {
		conn->in_buf = pre;
	} else if (pre != NULL) {
		conn->in_buf = talloc_realloc(conn, pre, uint8_t, h.length);
		if (conn->in_buf == NULL) {
			talloc_free(pre);
		}
	} else {
		conn->in_buf = talloc_array(conn, uint8_t,
					    h.length > 0 ? h.length : 1);
	}
	if (conn->in_buf == NULL) {
		smbd_conn_terminate(conn, "no memory");
		return false;
	}
	return true;
}

/* A complete frame (buf and pl stolen): to the protocol, now or later. */
static void frame_deliver(struct smbd_conn *conn, uint8_t type, uint8_t *buf,
			  size_t len, struct smbd_payload *pl)
{
	bool accepting = smbd_conn_accepting(conn);

	if (conn->parked_head != NULL || !accepting || conn->held > 0 ||
	    conn->turn_frames >= FRAMES_PER_TURN) {
		/*
		 * over the reply backlog, its turn is used, or an earlier
		 * frame is still being decrypted or verified: later, in order
		 */
		conn_park(conn, type, buf, len, pl, !accepting);
		return;
	}
	conn->turn_frames++;
	conn_frame(conn, type, buf, len, pl);
}

/* The frame is complete: hand it to the protocol. */
static void frame_done(struct smbd_conn *conn)
{
	uint8_t *buf = conn->in_buf;
	size_t len = conn->in_want;

	conn->in_buf = NULL;
	conn->in_hdr_done = false;
	conn->in_have = 0;
	conn->in_want = 0;
	frame_deliver(conn, conn->in_type, buf, len, NULL);
}

static size_t consume_splice(struct smbd_conn *conn, const uint8_t *p,
			     size_t n);

/* Cut frames out of n bytes just read. */
static void consume(struct smbd_conn *conn, const uint8_t *p, size_t n)
{
	size_t off = 0;

	while (off < n && conn->state != SMBD_CONN_CLOSING) {
		size_t take = 0;

		if (!conn->in_hdr_done) {
			if (conn->in_have == 0) {
				gettimeofday(&conn->frame_start, NULL);
			}
			take = 4 - conn->in_have;
			take = take < n - off ? take : n - off;
			memcpy(conn->in_hdr + conn->in_have, p + off, take);
			conn->in_have += take;
			off += take;
			if (conn->in_have == 4 &&
			    consume_splice(conn, p + off, n - off) > 0) {
				return;	/* all the rest is the frame's */
			}
			if (conn->in_have == 4 && !frame_begin(conn, NULL, 0)) {
				return;
			}
		} else {
			take = conn->in_want - conn->in_have;
			take = take < n - off ? take : n - off;
			memcpy(conn->in_buf + conn->in_have, p + off, take);
			conn->in_have += take;
			off += take;
		}
		if (conn->in_hdr_done && conn->in_have == conn->in_want) {
			frame_done(conn);
		}
	}
}

/* Account n > 0 bytes read; false when there is nothing (more) to do. */
static bool read_result(struct smbd_conn *conn, ssize_t n)
{
	if (n == 0) {
		if (conn->sendq_head != NULL) {
			/* gone with replies unread: a half-close */
			smbd_conn_count_reap(conn, SM_REAP_HALF_CLOSE);
		}
		smbd_conn_end(conn, SMBD_END_PEER, "peer closed");
		return false;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			smbd_conn_terminate(conn, strerror(errno));
		}
		return false;
	}
	conn->bytes_in += (uint64_t)n;
	conn->srv->stats.bytes_in += (uint64_t)n;
	gettimeofday(&conn->last_activity, NULL);
	/* another loop may have ended it while it read */
	return conn->state != SMBD_CONN_CLOSING;
}

/*
 * read() on the connection's loop, without the state lock when there are
 * several loops: only this loop reads conn or frees it or its input
 * buffers, so nothing read into can go away meanwhile. errno is read's.
 */
static ssize_t conn_recv(struct smbd_conn *conn, uint8_t *buf, size_t len)
{
	ssize_t n = 0;
	int err = 0;

	if (conn->srv->threads == NULL) {
		n = read(conn->fd, buf, len);
		conn->lat_rd = smbd_lat_now();
		conn->lat_lk = conn->lat_rd;
		return n;
	}
	smbd_state_unlock(conn->srv);
	n = read(conn->fd, buf, len);
	err = errno;
	conn->lat_rd = smbd_lat_now();
	smbd_state_lock(conn->srv);
	conn->lat_lk = smbd_lat_now();
	smbd_loop_site(SMBD_SITE_READ);
	errno = err;
	return n;
}

/* readv() as conn_recv() reads. */
static ssize_t conn_recvv(struct smbd_conn *conn, struct iovec *iov, int cnt)
{
	ssize_t n = 0;
	int err = 0;

	if (conn->srv->threads == NULL) {
		n = readv(conn->fd, iov, cnt);
		conn->lat_rd = smbd_lat_now();
		conn->lat_lk = conn->lat_rd;
		return n;
	}
	smbd_state_unlock(conn->srv);
	n = readv(conn->fd, iov, cnt);
	err = errno;
	conn->lat_rd = smbd_lat_now();
	smbd_state_lock(conn->srv);
	conn->lat_lk = smbd_lat_now();
	smbd_loop_site(SMBD_SITE_READ);
	errno = err;
	return n;
}

/*
 * The last frame was large (a stream of WRITEs): read the next frame's
 * header into in_hdr and the frame itself straight into a buffer of the
 * last one's size, which becomes the frame's buffer: no byte of it is
 * copied. Bytes read past a smaller frame's end go through consume().
 * Sets *want to what was asked for; returns the bytes read, or -1 when
 * there is nothing (more) to do.
 */
static ssize_t read_guessed(struct smbd_conn *conn, size_t *want)
{
	size_t guess = conn->in_guess;
	uint8_t *buf = talloc_array(conn, uint8_t, guess);
	uint8_t *extra = NULL;
	struct iovec iov[2];
	size_t body = 0, take = 0;
	ssize_t n = 0;

	if (buf == NULL) {
		smbd_conn_terminate(conn, "no memory");
		return -1;
	}
	iov[0].iov_base = conn->in_hdr;
	iov[0].iov_len = 4;
	iov[1].iov_base = buf;
	iov[1].iov_len = guess;
	*want = 4 + guess;
	n = conn_recvv(conn, iov, 2);
	if (!read_result(conn, n)) {
		talloc_free(buf);
		return -1;
	}
	gettimeofday(&conn->frame_start, NULL);
	if ((size_t)n < 4) {
		/* the rest of the header comes through consume() */
		conn->in_have = (size_t)n;
		talloc_free(buf);
		return n;
	}
	conn->in_have = 4;
	body = (size_t)n - 4;
	if (!frame_begin(conn, buf, guess)) {
		return -1;
	}
	/* buf is in_buf now (moved if it grew); it starts the frame */
	take = body < conn->in_want ? body : conn->in_want;
	if (body > take) {
		/* a smaller frame: what follows it is the next frames' */
		extra = talloc_memdup(conn, conn->in_buf + take, body - take);
		if (extra == NULL) {
			smbd_conn_terminate(conn, "no memory");
			return -1;
		}
	}
	if (conn->in_want < guess) {
		/* shrinking leaves the bytes where they are */
		uint8_t *fit = talloc_realloc(conn, conn->in_buf, uint8_t,
					      conn->in_want > 0 ?
					      conn->in_want : 1);

		if (fit != NULL) {
			conn->in_buf = fit;
		}
	}
	conn->in_have = take;
	if (conn->in_have == conn->in_want) {
		frame_done(conn);
	}
	if (extra != NULL) {
		consume(conn, extra, body - take);
		talloc_free(extra);
	}
	return conn->state != SMBD_CONN_CLOSING ? n : -1;
}

/*
 * Splicing a plain WRITE's data (smbd_payload in smbd.h): the loop reads
 * the transport header and SPLICE_HEAD bytes (SMB2 header and the WRITE
 * request's fixed part; every client puts the data right after them),
 * the layer above says whether to splice, and the loop splices the rest
 * of the frame from the socket into a pipe of its own as it arrives (after
 * small frames the loop reads its buffer's worth instead, and a large
 * WRITE beginning in it is spliced from there on: consume_splice). The
 * frame goes up as its head with the pipe; a worker splices the pipe into
 * the file. The stream stays in sync whatever becomes of the request:
 * the frame's bytes have all left the socket when it goes up. Measured
 * (1 GiB in 1 MiB frames over loopback into tmpfs, receiver CPU): read
 * and pwrite 0.62-0.69 s, splice and splice 0.52-0.55 s.
 */
#define SPLICE_HEAD	112
#define SPLICE_MIN	(SMBD_RBUF_SIZE / 2)

static int payload_destructor(struct smbd_payload *pl)
{
	if (pl->live != NULL) {
		__atomic_sub_fetch(pl->live, 1, __ATOMIC_RELAXED);
	}
	if (pl->rfd >= 0) {
		close(pl->rfd);
	}
	if (pl->wfd >= 0) {
		close(pl->wfd);
	}
	return 0;
}

/*
 * A pipe for len bytes of data, or NULL (no pipe that large for us, or
 * `write splice pipes` are alive). Process-wide, so that a pipe freed
 * after its server (a job finishing at shutdown) counts down safely.
 */
static unsigned splice_pipes;	/* alive; atomic (a worker frees them) */

unsigned smbd_conn_splice_pipes(void)
{
	return __atomic_load_n(&splice_pipes, __ATOMIC_RELAXED);
}

static struct smbd_payload *payload_new(struct smbd_conn *conn, size_t len)
{
	unsigned *live = &splice_pipes;
	unsigned cap = conn->srv->cfg->write_splice_pipes;
	struct smbd_payload *pl = NULL;
	int fds[2] = { -1, -1 };
	int got = 0, err = 0;

	if (__atomic_add_fetch(live, 1, __ATOMIC_RELAXED) > cap) {
		__atomic_sub_fetch(live, 1, __ATOMIC_RELAXED);
		conn->srv->stats.splice_pipes_busy++;
		/* works as before, a copy more: worth a word, not a warning */
		WG_LOG_RL(WG_LOG_NOTICE, WG_CLS_CONN,
			  "%s:%u: WRITE of %zu bytes read, not spliced: %u "
			  "pipes alive ('write splice pipes')",
			  conn->peer_addr, conn->peer_port, len, cap);
		return NULL;
	}
	pl = talloc_zero(conn, struct smbd_payload);
	if (pl == NULL) {
		__atomic_sub_fetch(live, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	pl->rfd = -1;
	pl->wfd = -1;
	pl->live = live;
	talloc_set_destructor(pl, payload_destructor);
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
		goto no_pipe;
	}
	pl->rfd = fds[0];
	pl->wfd = fds[1];
	/*
	 * Twice the room where allowed: a pipe counts pages, and a page
	 * spliced from the socket may hold less than a page of data. Past
	 * the unprivileged pipe-max-size (1 MiB) the size itself.
	 */
	got = fcntl(pl->wfd, F_SETPIPE_SZ, (int)(2 * len));
	if (got < 0) {
		got = fcntl(pl->wfd, F_SETPIPE_SZ, (int)len);
	}
	if (got < 0 || (size_t)got < len) {
		goto no_pipe;
	}
	pl->len = len;
	return pl;
no_pipe:
	/* out of descriptors, or over the user's pipe pages: read it */
	err = errno;
	talloc_free(pl);
	conn->srv->stats.splice_pipes_failed++;
	WG_LOG_RL(WG_LOG_NOTICE, WG_CLS_CONN,
		  "%s:%u: WRITE of %zu bytes read, not spliced: no pipe that "
		  "large: %s", conn->peer_addr, conn->peer_port, len,
		  strerror(err));
	return NULL;
}

/* Start splicing the frame of len bytes whose head was read; false: not. */
static bool splice_begin(struct smbd_conn *conn, const uint8_t *head,
			 size_t len)
{
	struct smbd_payload *pl = payload_new(conn, len - SPLICE_HEAD);

	if (pl == NULL) {
		return false;
	}
	conn->in_splice_head = talloc_memdup(conn, head, SPLICE_HEAD);
	if (conn->in_splice_head == NULL) {
		talloc_free(pl);
		return false;
	}
	pl->off = SPLICE_HEAD;
	conn->in_splice = pl;
	conn->in_guess = len;
	gettimeofday(&conn->frame_start, NULL);
	return true;
}

/*
 * The pipe filled before the frame did (pages not full): read what it
 * holds back and go on with the frame as an ordinary one. false if the
 * connection ends.
 */
static bool unsplice(struct smbd_conn *conn)
{
	struct smbd_payload *pl = conn->in_splice;
	size_t len = SPLICE_HEAD + pl->len;
	uint8_t *buf = talloc_array(conn, uint8_t, len);

	if (buf == NULL) {
		smbd_conn_terminate(conn, "no memory");
		return false;
	}
	memcpy(buf, conn->in_splice_head, SPLICE_HEAD);
	if (smbd_pipe_read_all(pl->rfd, buf + SPLICE_HEAD, pl->have) != 0) {
		talloc_free(buf);
		smbd_conn_terminate(conn, "pipe lost data");
		return false;
	}
	conn->in_buf = buf;
	conn->in_type = NBT_SESSION_MESSAGE;
	conn->in_want = len;
	conn->in_have = SPLICE_HEAD + pl->have;
	conn->in_hdr_done = true;
	TALLOC_FREE(conn->in_splice_head);
	TALLOC_FREE(conn->in_splice);
	conn->in_splice_no = true;	/* pipes too small here: stop */
	conn->srv->stats.writes_unspliced++;
	DBG_INFO(CONN, "%s:%u: a WRITE's pipe filled at %zu of %zu bytes: "
		 "read, and no more spliced on this connection",
		 conn->peer_addr, conn->peer_port, conn->in_have - SPLICE_HEAD,
		 len - SPLICE_HEAD);
	return true;
}

/*
 * Has the pipe no free page slot (while splice said EAGAIN)? Then it can
 * take no more of the frame, whatever the socket holds. Asking the pipe,
 * not the socket: EAGAIN with room in the pipe means the socket was empty
 * when splice looked, and data may have come since (the state lock is
 * taken between), which is no reason to give the pipe up.
 */
static bool pipe_full(const struct smbd_payload *pl)
{
	struct pollfd p = { .fd = pl->wfd, .events = POLLOUT };

	/* a full pipe is no event: poll returns 0, revents stays 0 */
	return poll(&p, 1, 0) >= 0 && !(p.revents & POLLOUT);
}

/*
 * Splice more of the frame's data into its pipe, as conn_recv() reads;
 * hands the frame up when it is all there. Sets *want; returns the bytes
 * spliced, or -1 when there is nothing (more) to do.
 */
static ssize_t splice_more(struct smbd_conn *conn, size_t *want)
{
	struct smbd_payload *pl = conn->in_splice;
	ssize_t n = 0;
	int err = 0;

	*want = pl->len - pl->have;
	if (conn->srv->threads != NULL) {
		smbd_state_unlock(conn->srv);
	}
	n = splice(conn->fd, NULL, pl->wfd, NULL, *want,
		   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	err = errno;
	conn->lat_rd = smbd_lat_now();
	conn->lat_lk = conn->lat_rd;
	if (conn->srv->threads != NULL) {
		smbd_state_lock(conn->srv);
		conn->lat_lk = smbd_lat_now();
		smbd_loop_site(SMBD_SITE_READ);
	}
	if (n < 0 && err == EAGAIN && pipe_full(pl)) {
		if (!unsplice(conn)) {
			return -1;
		}
		*want = 0;	/* go on reading into the frame's buffer */
		return 0;
	}
	errno = err;
	if (!read_result(conn, n)) {
		return -1;
	}
	pl->have += (size_t)n;
	if (pl->have == pl->len) {
		uint8_t *head = conn->in_splice_head;

		conn->in_splice_head = NULL;
		conn->in_splice = NULL;
		conn->srv->stats.writes_spliced++;
		frame_deliver(conn, NBT_SESSION_MESSAGE, head, SPLICE_HEAD,
			      pl);
	}
	return conn->state != SMBD_CONN_CLOSING ? n : -1;
}

/*
 * May this connection's large WRITEs be spliced at all: the layer above
 * takes spliced frames, `write splice pipes` is not 0, and no pipe of
 * this connection filled early (unsplice).
 */
static bool splice_enabled(const struct smbd_conn *conn)
{
	return conn->up->splice_at != NULL && !conn->in_splice_no &&
	       conn->srv->cfg->write_splice_pipes > 0;
}

/*
 * The length of the frame whose 4-byte transport header is hdr and whose
 * first SPLICE_HEAD bytes are head, if the layer above wants its data
 * spliced; else 0.
 */
static size_t splice_wanted(struct smbd_conn *conn, const uint8_t *hdr,
			    const uint8_t *head)
{
	struct nbt_frame_hdr h = {};
	struct wire_rd r;

	wire_rd_init(&r, hdr, 4);
	if (nbt_frame_hdr_pull(&r, &h) != 0 ||
	    h.type != NBT_SESSION_MESSAGE ||
	    (conn->netbios && conn->state == SMBD_CONN_NBT_WAIT) ||
	    h.length < SPLICE_HEAD + SPLICE_MIN ||
	    h.length > smbd_conn_max_frame(conn)) {
		return 0;
	}
	if (conn->up->splice_at(conn, head, SPLICE_HEAD, h.length) !=
	    SPLICE_HEAD) {
		return 0;
	}
	return h.length;
}

/*
 * A large frame begins in bytes read into the loop's buffer (its header
 * is in in_hdr, n bytes of it at p, fewer than all): the first large
 * WRITE after small frames, which the loop reads SMBD_RBUF_SIZE at a time
 * (read_head() is for streams of large frames only: for small ones it
 * would cost a read() more each). Splice the rest of it all the same:
 * the data already read is written into the pipe (the one copy it would
 * have had anyway), the rest goes through splice_more(). Returns n when
 * it took the bytes, 0 to have the frame read as usual.
 */
static size_t consume_splice(struct smbd_conn *conn, const uint8_t *p,
			     size_t n)
{
	struct smbd_payload *pl = NULL;
	size_t len = 0, done = 0;

	if (n <= SPLICE_HEAD || !splice_enabled(conn)) {
		return 0;
	}
	len = splice_wanted(conn, conn->in_hdr, p);
	if (len == 0 || n >= len || !splice_begin(conn, p, len)) {
		return 0;
	}
	pl = conn->in_splice;
	/* the pipe holds len bytes or more: this fits, in fewer pages */
	while (done < n - SPLICE_HEAD) {
		ssize_t w = write(pl->wfd, p + SPLICE_HEAD + done,
				  n - SPLICE_HEAD - done);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			/* the bytes are still at p: read it as usual */
			TALLOC_FREE(conn->in_splice_head);
			TALLOC_FREE(conn->in_splice);
			return 0;
		}
		done += (size_t)w;
	}
	pl->have = done;
	conn->in_have = 0;	/* as read_head() leaves it */
	return n;
}

/*
 * As read_guessed(), when the layer above may want the data spliced:
 * read the transport header and SPLICE_HEAD bytes only, and splice the
 * rest if it says so; else they go through consume() and the rest of
 * the frame is read straight into its buffer. Sets *want; returns the
 * bytes read, or -1 when there is nothing (more) to do.
 */
static ssize_t read_head(struct smbd_conn *conn, size_t *want)
{
	uint8_t head[4 + SPLICE_HEAD];
	size_t len = 0;
	ssize_t n = 0;

	*want = sizeof(head);
	n = conn_recv(conn, head, sizeof(head));
	if (!read_result(conn, n)) {
		return -1;
	}
	if ((size_t)n == sizeof(head)) {
		len = splice_wanted(conn, head, head + 4);
	}
	if (len > 0 && splice_begin(conn, head + 4, len)) {
		return n;
	}
	consume(conn, head, (size_t)n);
	return conn->state != SMBD_CONN_CLOSING ? n : -1;
}

/*
 * Read what the peer sent. Small frames arrive in one read() into the
 * loop's shared buffer (then copied out frame by frame: the loop is
 * single-threaded and the buffer is consumed before we return); the body
 * of a large frame is read straight into its own buffer. A short read
 * means the socket is drained: no extra read() just to see EAGAIN.
 */
static void conn_read(struct smbd_conn *conn)
{
	struct smbd_loop *lp = conn->loop;
	int loops = 0;

	if (lp->rbuf == NULL) {
		lp->rbuf = talloc_array(lp, uint8_t, SMBD_RBUF_SIZE);
		if (lp->rbuf == NULL) {
			smbd_conn_terminate(conn, "no memory");
			return;
		}
	}
	/* Bounded work per wakeup: one client cannot starve the others. */
	for (loops = 0; loops < 8; loops++) {
		size_t want = 0;
		ssize_t n = 0;

		if (conn->state == SMBD_CONN_CLOSING) {
			return;
		}
		if (conn->parked_head != NULL || conn->held > 0 ||
		    !smbd_conn_accepting(conn)) {
			conn_update_flags(conn);
			return;	/* back-pressure: read again when kicked */
		}
		if (conn->in_splice != NULL) {
			n = splice_more(conn, &want);
			if (n < 0) {
				return;
			}
		} else if (conn->in_hdr_done &&
		    conn->in_want - conn->in_have >= SMBD_RBUF_SIZE / 2) {
			want = conn->in_want - conn->in_have;
			n = conn_recv(conn, conn->in_buf + conn->in_have, want);
			if (!read_result(conn, n)) {
				return;
			}
			conn->in_have += (size_t)n;
			if (conn->in_have == conn->in_want) {
				frame_done(conn);
			}
		} else if (!conn->in_hdr_done && conn->in_have == 0 &&
			   conn->in_guess > 0) {
			if (splice_enabled(conn)) {
				n = read_head(conn, &want);
			} else {
				n = read_guessed(conn, &want);
			}
			if (n < 0) {
				return;
			}
		} else {
			want = SMBD_RBUF_SIZE;
			n = conn_recv(conn, lp->rbuf, want);
			if (!read_result(conn, n)) {
				return;
			}
			consume(conn, lp->rbuf, (size_t)n);
		}
		if ((size_t)n < want) {
			return;		/* drained for now */
		}
	}
}

static void conn_io(struct tevent_context *ev, struct tevent_fd *fde,
		    uint16_t flags, void *private_data)
{
	struct smbd_conn *conn = private_data;

	conn->turn_frames = 0;
	if ((flags & TEVENT_FD_WRITE) && conn->sendq_head != NULL) {
		conn_write(conn, true);
	}
	if (conn->state == SMBD_CONN_CLOSING) {
		return;
	}
	if (conn->parked_head != NULL) {
		conn_deliver_parked(conn);
	} else if (flags & TEVENT_FD_READ) {
		conn_read(conn);
	}
	if (conn->state != SMBD_CONN_CLOSING) {
		conn_update_flags(conn);
	}
}
