/*
 * conn.c - one TCP connection: read frames (direct TCP on 445, NetBIOS
 * session service on 139), write queued responses, tear down at a safe
 * point in the loop.
 */
#include "conn.h"
#include "../proto/nbt.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/uio.h>
#include <netinet/tcp.h>

/* Stop reading from a client that does not read its responses. */
#define SENDQ_HIGH_WATER (8u * 1024 * 1024)

struct smbd_sendq {
	struct smbd_sendq *next;
	uint8_t *buf;
	size_t len;
	size_t done;
	uint8_t nbt[4];		/* transport header, if used */
	size_t nbt_len;
};

static void conn_io(struct tevent_context *ev, struct tevent_fd *fde,
		    uint16_t flags, void *private_data);
static void conn_update_flags(struct smbd_conn *conn);

static int conn_destructor(struct smbd_conn *conn)
{
	struct smbd_server *srv = conn->srv;
	struct smbd_session *s = NULL;

	conn->state = SMBD_CONN_CLOSING;
	TALLOC_FREE(conn->fde);
	/*
	 * Sessions first: their opens flush and close, and complete any
	 * pending request (which, with the connection closing, is freed
	 * without a reply). Then whatever requests remain.
	 */
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
		if (conn->prev != NULL) {
			conn->prev->next = conn->next;
		} else {
			srv->conns = conn->next;
		}
		if (conn->next != NULL) {
			conn->next->prev = conn->prev;
		}
		srv->nconns--;
	}
	DBG_INFO(CONN, "%s:%u closed (%s)", conn->peer_addr, conn->peer_port,
		 conn->close_reason != NULL ? conn->close_reason : "freed");
	return 0;
}

static void fold_addr(const struct sockaddr_storage *ss, char *buf,
		      size_t len, uint16_t *port)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, buf, len);
		*port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], buf,
				  len);
		} else {
			inet_ntop(AF_INET6, &sin6->sin6_addr, buf, len);
		}
		*port = ntohs(sin6->sin6_port);
	} else {
		snprintf(buf, len, "unknown");
		*port = 0;
	}
}

struct smbd_conn *smbd_conn_new(struct smbd_server *srv, int fd, bool netbios)
{
	struct smbd_conn *conn = NULL;
	socklen_t len = sizeof(conn->peer_ss);
	struct sockaddr_storage local = {};
	int one = 1;

	if (srv->shutting_down) {
		return NULL;
	}
	conn = talloc_zero(srv, struct smbd_conn);
	if (conn == NULL) {
		return NULL;
	}
	conn->srv = srv;
	conn->fd = -1;
	if (getpeername(fd, (struct sockaddr *)&conn->peer_ss, &len) != 0) {
		talloc_free(conn);
		return NULL;
	}
	fold_addr(&conn->peer_ss, conn->peer_addr, sizeof(conn->peer_addr),
		  &conn->peer_port);
	len = sizeof(local);
	if (getsockname(fd, (struct sockaddr *)&local, &len) == 0) {
		fold_addr(&local, conn->local_addr, sizeof(conn->local_addr),
			  &conn->local_port);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));

	conn->netbios = netbios;
	conn->state = netbios ? SMBD_CONN_NBT_WAIT : SMBD_CONN_NEGOTIATE;
	conn->connect_time_nt = smbd_nt_now();
	gettimeofday(&conn->last_activity, NULL);
	conn->max_trans = SMBD_MAX_TRANSACT_202;
	conn->max_read = SMBD_MAX_TRANSACT_202;
	conn->max_write = SMBD_MAX_TRANSACT_202;
	/* MessageId 0 (NEGOTIATE) is allowed before any grant. */
	conn->seq_low = 0;
	conn->seq_high = 1;
	conn->seq_bitmap = talloc_zero_array(conn, uint8_t,
					     SMBD_MAX_CREDITS / 8);
	if (conn->seq_bitmap == NULL) {
		talloc_free(conn);
		return NULL;
	}
	conn->fd = fd;
	conn->fde = tevent_add_fd(srv->ev, conn, fd, TEVENT_FD_READ, conn_io,
				  conn);
	if (conn->fde == NULL) {
		conn->fd = -1;
		talloc_free(conn);
		return NULL;
	}
	conn->next = srv->conns;
	if (srv->conns != NULL) {
		srv->conns->prev = conn;
	}
	srv->conns = conn;
	srv->nconns++;
	talloc_set_destructor(conn, conn_destructor);
	DBG_INFO(CONN, "%s:%u connected to port %u", conn->peer_addr,
		 conn->peer_port, conn->local_port);
	return conn;
}

static void conn_free_im(struct tevent_context *ev, struct tevent_immediate *im,
			 void *private_data)
{
	struct smbd_conn *conn = private_data;

	talloc_free(conn);
}

void smbd_conn_terminate(struct smbd_conn *conn, const char *reason)
{
	if (conn->free_im != NULL) {
		return;
	}
	conn->state = SMBD_CONN_CLOSING;
	conn->close_reason = talloc_strdup(conn, reason);
	TALLOC_FREE(conn->fde);
	/* Never freed from inside its own callback: at the next turn. */
	conn->free_im = tevent_create_immediate(conn);
	if (conn->free_im == NULL) {
		/* Last resort; the fd is already unhooked from the loop. */
		return;
	}
	tevent_schedule_immediate(conn->free_im, conn->srv->ev, conn_free_im,
				  conn);
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

static int queue(struct smbd_conn *conn, uint8_t *buf, size_t len, bool hdr)
{
	struct smbd_sendq *q = NULL;

	if (conn->state == SMBD_CONN_CLOSING && conn->fde == NULL) {
		talloc_free(buf);
		return 0;
	}
	q = talloc_zero(conn, struct smbd_sendq);
	if (q == NULL) {
		talloc_free(buf);
		return -ENOMEM;
	}
	q->buf = talloc_steal(q, buf);
	q->len = len;
	if (hdr) {
		q->nbt[0] = NBT_SESSION_MESSAGE;
		q->nbt[1] = (uint8_t)(len >> 16);
		q->nbt[2] = (uint8_t)(len >> 8);
		q->nbt[3] = (uint8_t)len;
		q->nbt_len = 4;
	}
	if (conn->sendq_tail != NULL) {
		conn->sendq_tail->next = q;
	} else {
		conn->sendq_head = q;
	}
	conn->sendq_tail = q;
	conn->sendq_bytes += len + q->nbt_len;
	conn_update_flags(conn);
	return 0;
}

int smbd_conn_send(struct smbd_conn *conn, uint8_t *buf, size_t len)
{
	return queue(conn, buf, len, true);
}

int smbd_conn_send_raw(struct smbd_conn *conn, uint8_t *buf, size_t len)
{
	return queue(conn, buf, len, false);
}

static void conn_update_flags(struct smbd_conn *conn)
{
	uint16_t flags = 0;

	if (conn->fde == NULL) {
		return;
	}
	if (conn->sendq_head != NULL) {
		flags |= TEVENT_FD_WRITE;
	}
	if (conn->state != SMBD_CONN_CLOSING &&
	    conn->sendq_bytes < SENDQ_HIGH_WATER) {
		flags |= TEVENT_FD_READ;
	}
	tevent_fd_set_flags(conn->fde, flags);
}

static void conn_write(struct smbd_conn *conn)
{
	struct iovec iov[32];
	struct smbd_sendq *q = NULL;
	size_t off = 0;
	int n = 0;
	ssize_t w = 0;

	for (q = conn->sendq_head; q != NULL && n < 31; q = q->next) {
		off = q->done;
		if (off < q->nbt_len) {
			iov[n].iov_base = q->nbt + off;
			iov[n].iov_len = q->nbt_len - off;
			n++;
			off = 0;
		} else {
			off -= q->nbt_len;
		}
		iov[n].iov_base = q->buf + off;
		iov[n].iov_len = q->len - off;
		n++;
	}
	w = writev(conn->fd, iov, n);
	if (w < 0) {
		if (errno == EAGAIN || errno == EINTR) {
			return;
		}
		smbd_conn_terminate(conn, strerror(errno));
		return;
	}
	conn->bytes_out += (uint64_t)w;
	while (w > 0 && (q = conn->sendq_head) != NULL) {
		size_t total = q->nbt_len + q->len;
		size_t left = total - q->done;

		if ((size_t)w < left) {
			q->done += (size_t)w;
			break;
		}
		w -= (ssize_t)left;
		conn->sendq_bytes -= total;
		conn->sendq_head = q->next;
		if (conn->sendq_head == NULL) {
			conn->sendq_tail = NULL;
		}
		talloc_free(q);
	}
	conn_update_flags(conn);
}

static void conn_nbt_session_request(struct smbd_conn *conn,
				     const uint8_t *body, size_t len)
{
	struct wire_rd r;
	struct nbt_name called = {}, calling = {};
	uint8_t *resp = talloc_array(conn, uint8_t, 5);
	int rc = 0;

	if (resp == NULL) {
		smbd_conn_terminate(conn, "no memory");
		return;
	}
	wire_rd_init(&r, body, len);
	rc = nbt_session_request_pull(&r, &called, &calling);
	if (rc != 0) {
		DBG_CLIENT(CONN, "%s: bad NetBIOS session request: %s",
			   conn->peer_addr, wire_strerror(rc));
		resp[0] = NBT_NEGATIVE_RESPONSE;
		resp[1] = resp[2] = 0;
		resp[3] = 1;
		resp[4] = NBT_ERR_CALLED_NOT_PRESENT;
		smbd_conn_send_raw(conn, resp, 5);
		smbd_conn_terminate(conn, "bad session request");
		return;
	}
	/* Any called name is ours, *SMBSERVER included. */
	snprintf(conn->calling_name, sizeof(conn->calling_name), "%s",
		 calling.name);
	DBG_INFO(CONN, "%s: NetBIOS session from '%s' to '%s'",
		 conn->peer_addr, calling.name, called.name);
	resp[0] = NBT_POSITIVE_RESPONSE;
	resp[1] = resp[2] = resp[3] = 0;
	smbd_conn_send_raw(conn, resp, 4);
	conn->state = SMBD_CONN_NEGOTIATE;
}

static void conn_frame(struct smbd_conn *conn, uint8_t type, uint8_t *buf,
		       size_t len)
{
	if (conn->netbios) {
		if (type == NBT_SESSION_KEEPALIVE) {
			talloc_free(buf);
			return;
		}
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
	if (len >= 4 && memcmp(buf, SMB1_MAGIC, 4) == 0) {
		smbd_smb1_process_frame(conn, buf, len);
		talloc_free(buf);
		return;
	}
	if (len < 4 || memcmp(buf, SMB2_MAGIC, 4) != 0) {
		talloc_free(buf);
		DBG_CLIENT(CONN, "%s: not an SMB2 frame, closing",
			   conn->peer_addr);
		smbd_conn_terminate(conn, "garbage framing");
		return;
	}
	smbd_smb2_process_frame(conn, buf, len);
}

static void conn_read(struct smbd_conn *conn)
{
	ssize_t n = 0;
	int loops = 0;

	/* Bounded work per wakeup: one client cannot starve the others. */
	for (loops = 0; loops < 8; loops++) {
		if (conn->state == SMBD_CONN_CLOSING) {
			return;
		}
		if (!conn->in_hdr_done) {
			n = read(conn->fd, conn->in_hdr + conn->in_have,
				 4 - conn->in_have);
		} else {
			n = read(conn->fd, conn->in_buf + conn->in_have,
				 conn->in_want - conn->in_have);
		}
		if (n == 0) {
			smbd_conn_terminate(conn, "peer closed");
			return;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				return;
			}
			smbd_conn_terminate(conn, strerror(errno));
			return;
		}
		conn->bytes_in += (uint64_t)n;
		conn->in_have += (size_t)n;
		gettimeofday(&conn->last_activity, NULL);
		if (!conn->in_hdr_done) {
			struct wire_rd r;
			struct nbt_frame_hdr h = {};

			if (conn->in_have < 4) {
				continue;
			}
			wire_rd_init(&r, conn->in_hdr, 4);
			if (nbt_frame_hdr_pull(&r, &h) != 0) {
				smbd_conn_terminate(conn, "bad frame");
				return;
			}
			if (h.length > smbd_conn_max_frame(conn)) {
				DBG_CLIENT(CONN, "%s: frame of %u bytes over "
					   "limit %zu, closing",
					   conn->peer_addr, h.length,
					   smbd_conn_max_frame(conn));
				smbd_conn_terminate(conn, "frame too large");
				return;
			}
			conn->in_type = h.type;
			conn->in_want = h.length;
			conn->in_have = 0;
			conn->in_hdr_done = true;
			conn->in_buf = talloc_array(conn, uint8_t,
						    h.length > 0 ? h.length : 1);
			if (conn->in_buf == NULL) {
				smbd_conn_terminate(conn, "no memory");
				return;
			}
		}
		if (conn->in_have == conn->in_want) {
			uint8_t *buf = conn->in_buf;
			size_t len = conn->in_want;

			conn->in_buf = NULL;
			conn->in_hdr_done = false;
			conn->in_have = 0;
			conn->in_want = 0;
			conn_frame(conn, conn->in_type, buf, len);
		}
	}
}

static void conn_io(struct tevent_context *ev, struct tevent_fd *fde,
		    uint16_t flags, void *private_data)
{
	struct smbd_conn *conn = private_data;

	if (flags & TEVENT_FD_WRITE) {
		conn_write(conn);
	}
	if (conn->state == SMBD_CONN_CLOSING && conn->fde == NULL) {
		return;
	}
	if (flags & TEVENT_FD_READ) {
		conn_read(conn);
	}
}
