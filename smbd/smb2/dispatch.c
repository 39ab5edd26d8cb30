/*
 * dispatch.c - the SMB2 dispatcher: splits compound frames, checks the
 * MessageId window and credit charge, verifies signatures, resolves the
 * session and tree each command needs, runs the handler, and builds,
 * signs and sends the responses [MS-SMB2 §3.3.5.2].
 */
#include "smbd/fs/open.h"
#include "smbd/fs/workers.h"
#include "smbd/smb2/request.h"
#include "smbd/smb2/dispatch.h"
#include "smbd/smb2/session.h"
#include "smbd/net/conn.h"
#include "smbd/loop.h"
#include "proto/smb2_transform.h"
#include "sessions/sessmgr.h"

#include <errno.h>
#include <string.h>

/*
 * Frames and replies of at least this many bytes are decrypted,
 * verified, encrypted and signed on a worker, as a job of the client
 * computer (fairness counts them like its I/O), instead of on the loop:
 * one computer's 1 MiB encrypted READs and WRITEs then hold up nobody
 * else's small requests. Measured on the 2-CPU test machine (loaded):
 * a worker hop (eventfd, loop turn) costs 27-34 us; at 16 KiB GMAC takes
 * 13 us and GCM 36 us, less than or about a hop; at 64 KiB GMAC takes
 * 73 us, GCM 122 us, CCM and CMAC ~300 us; at 1 MiB 0.8-5.3 ms. So
 * messages from 64 KiB go to a worker and smaller ones stay on the loop,
 * as do NEGOTIATE and SESSION_SETUP (the preauth hash), small anyway.
 */
#define CRYPTO_OFFLOAD_MIN (64u * 1024)

/* A WRITE request's fixed part: StructureSize 49 less its data byte. */
#define SMB2_WRITE_REQ_FIXED 48

/* A response waiting in a compound for its signature. */
struct cmp_sign {
	size_t off;		/* start of the response in cmp->out */
	bool sign;
	struct smb2_sign_key *key;	/* held by the compound (or job) */
};

struct smbd_compound {
	struct smbd_conn *conn;
	void *mem;			/* child: holds buf (NULL once taken) */
	uint8_t *buf;
	size_t len;
	size_t next_off;
	bool first;
	struct wire_wr out;
	uint8_t *tail;			/* child: the data of a lone large
					 * reply (READ), sent after out as
					 * it was read, without a copy */
	size_t tail_len;
	struct cmp_sign *signs;		/* sign1, or a child if more */
	size_t nsigns;
	struct cmp_sign sign1;		/* a lone reply's, not allocated */
	uint64_t related_sess_id;
	uint32_t related_tree_id;
	bool have_last_fid;
	uint64_t last_fid_p, last_fid_v;
	bool create_failed;
	NTSTATUS create_status;
	bool related_bad;		/* chain began with a related request */
	struct smbd_req *waiting;	/* handler running off-loop */
	struct smbd_enc enc;		/* frame came encrypted */
	bool pre_checked;		/* signature checked on a worker: */
	bool pre_ok;			/* its result, valid for the one */
	const struct smb2_sign_key *pre_key;	/* message of buf, with
						 * this key (held by mem) */
	size_t counted;			/* of out.len, in conn->cmp_bytes */
	struct smbd_compound *blocked_next;	/* conn->blocked_cmp list */
	uint64_t lat_rd, lat_lk;	/* its frame's stamps (loop.h) */
	struct smbd_lat_reply lat;	/* its requests done so far */
	struct smbd_payload *payload;	/* child: the data of a spliced
					 * WRITE (buf is its head), or NULL */
};

/* Wait for the backlog, behind the compounds already waiting. */
static void cmp_block(struct smbd_compound *cmp)
{
	struct smbd_compound **pp = &cmp->conn->blocked_cmp;

	while (*pp != NULL) {
		pp = &(*pp)->blocked_next;
	}
	cmp->blocked_next = NULL;
	*pp = cmp;
	smbd_conn_throttle(cmp->conn);
	smbd_conn_kick(cmp->conn);
}

static void cmp_unblock(struct smbd_compound *cmp)
{
	struct smbd_compound **pp = &cmp->conn->blocked_cmp;

	while (*pp != NULL && *pp != cmp) {
		pp = &(*pp)->blocked_next;
	}
	if (*pp == cmp) {
		*pp = cmp->blocked_next;
	}
	cmp->blocked_next = NULL;
}

/* Keep conn->cmp_bytes equal to the replies built and not yet queued. */
static void cmp_count(struct smbd_compound *cmp)
{
	struct smbd_conn *conn = cmp->conn;

	conn->cmp_bytes -= cmp->counted;
	cmp->counted = (cmp->out.buf != NULL ? cmp->out.len : 0) +
		       cmp->tail_len;
	conn->cmp_bytes += cmp->counted;
}

/* Its replies leave the compound (queued, or dropped with it). */
static void cmp_uncount(struct smbd_compound *cmp)
{
	cmp->conn->cmp_bytes -= cmp->counted;
	cmp->counted = 0;
}

/*
 * May cmp dispatch its next request? Only while the replies of the
 * connection's other requests leave room in the backlog (its own do not
 * count, or a long compound would wait for itself).
 */
static bool cmp_may_go(const struct smbd_compound *cmp)
{
	const struct smbd_conn *conn = cmp->conn;

	return smbd_conn_backlog(conn) - cmp->counted <
	       conn->srv->cfg->max_reply_backlog;
}

static int cmp_destructor(struct smbd_compound *cmp)
{
	struct smbd_conn *conn = cmp->conn;

	cmp_uncount(cmp);
	cmp_unblock(cmp);
	smbd_conn_kick(conn);
	return 0;
}

static void compound_next(struct smbd_compound *cmp);

static int req_destructor(struct smbd_req *req)
{
	struct smbd_conn *conn = req->conn;

	if (req->prev != NULL) {
		req->prev->next = req->next;
	} else if (conn->requests == req) {
		conn->requests = req->next;
	}
	if (req->next != NULL) {
		req->next->prev = req->prev;
	}
	if (req->cmp != NULL && req->cmp->waiting == req) {
		req->cmp->waiting = NULL;
	}
	conn->reply_reserved -= req->reserved;
	req->reserved = 0;
	return 0;
}

/*
 * What a request and its handler allocate (handler state, names, the
 * reply body) comes from its loop's request pool (smbd_loop.req_pool, a
 * talloc pool): no malloc and free per object (a CREATE made ~15). The
 * request is taken from the pool, then hung under its connection; its
 * children come from the pool too. The pool's room is reused once every
 * object in it is freed (talloc), as happens after each request of a
 * client that waits for its replies; while some are still alive, new
 * ones take the rest of the room, and when none is left they are
 * malloc()ed as before. So nothing that outlives its request may come
 * from it: an open, a lease and the like have other parents, and memory
 * moved out with talloc_steal keeps its place until freed (a worker job
 * orphaned by an aborted request holds it until the job ends). Requests
 * that may wait for a long time (CHANGE_NOTIFY, a blocking LOCK) never
 * come from it. All of it happens under the state lock (docs/threads.md),
 * on the loop's own thread.
 */
#define REQ_POOL_BYTES (32 * 1024)

/*
 * Not under AddressSanitizer: a pool hands freed room out again without
 * ASan knowing, so a use after free of request memory would read the
 * next request's data instead of being reported. The sanitizer builds
 * (tests, fuzzers) allocate each object on its own, as before.
 */
#if defined(__SANITIZE_ADDRESS__)
#define REQ_POOL_USE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REQ_POOL_USE 0
#endif
#endif
#ifndef REQ_POOL_USE
#define REQ_POOL_USE 1
#endif

static struct smbd_req *req_new(struct smbd_conn *conn, uint16_t cmd)
{
	struct smbd_loop *lp = conn->loop;
	struct smbd_req *req = NULL;

	if (!REQ_POOL_USE || cmd == SMB2_CHANGE_NOTIFY || cmd == SMB2_LOCK ||
	    lp == NULL || !smbd_loop_is_self(lp)) {
		return talloc_zero(conn, struct smbd_req);
	}
	if (lp->req_pool == NULL) {
		lp->req_pool = talloc_pool(lp, REQ_POOL_BYTES);
		if (lp->req_pool == NULL) {
			return talloc_zero(conn, struct smbd_req);
		}
	}
	req = talloc_zero(lp->req_pool, struct smbd_req);
	return talloc_steal(conn, req);
}

int smbd_pull_fid(struct wire_rd *r, uint64_t *persistent,
		  uint64_t *volatile_)
{
	struct wire_rd c = *r;
	int rc = 0;

	rc = wire_get_u64le(&c, persistent);
	if (rc != 0) {
		return rc;
	}
	rc = wire_get_u64le(&c, volatile_);
	if (rc != 0) {
		return rc;
	}
	*r = c;
	return 0;
}

NTSTATUS smbd_req_open(struct smbd_req *req, uint64_t fid_persistent,
		       uint64_t fid_volatile, struct smbd_open **op)
{
	struct smbd_open *o = NULL;

	if (fid_persistent == SMB2_FID_RELATED &&
	    fid_volatile == SMB2_FID_RELATED) {
		if (req->cmp == NULL || !req->cmp->have_last_fid ||
		    !(req->in_hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS)) {
			return NT_STATUS_FILE_CLOSED;
		}
		fid_persistent = req->cmp->last_fid_p;
		fid_volatile = req->cmp->last_fid_v;
	}
	o = smbd_open_find(req->conn->srv, fid_volatile);
	if (o == NULL || o->fid_persistent != fid_persistent ||
	    o->tree != req->tree) {
		return NT_STATUS_FILE_CLOSED;
	}
	/* Later related requests use this FileId too. */
	if (req->cmp != NULL) {
		req->cmp->have_last_fid = true;
		req->cmp->last_fid_p = o->fid_persistent;
		req->cmp->last_fid_v = o->fid_volatile;
	}
	*op = o;
	return NT_STATUS_OK;
}

void *smbd_req_take_input(struct smbd_req *req)
{
	struct smbd_compound *cmp = req->cmp;
	void *mem = NULL;

	if (cmp == NULL || cmp->mem == NULL || cmp->next_off < cmp->len ||
	    !req->running) {
		return NULL;
	}
	/* The last request of its frame: nothing reads the frame after it. */
	mem = talloc_steal(NULL, cmp->mem);
	cmp->mem = NULL;
	cmp->buf = NULL;
	return mem;
}

const struct smbd_payload *smbd_req_payload(const struct smbd_req *req)
{
	return req->cmp != NULL ? req->cmp->payload : NULL;
}

struct smbd_payload *smbd_req_take_payload(struct smbd_req *req,
					   TALLOC_CTX *mem)
{
	struct smbd_compound *cmp = req->cmp;
	struct smbd_payload *pl = NULL;

	if (cmp == NULL || cmp->payload == NULL || !req->running) {
		return NULL;
	}
	pl = talloc_steal(mem, cmp->payload);
	cmp->payload = NULL;
	return pl;
}

void smbd_req_set_last_fid(struct smbd_req *req, struct smbd_open *op)
{
	if (req->cmp == NULL) {
		return;
	}
	req->cmp->have_last_fid = true;
	req->cmp->last_fid_p = op->fid_persistent;
	req->cmp->last_fid_v = op->fid_volatile;
}

/* ---- MessageId window and credits [MS-SMB2 §3.3.1.1, §3.3.5.2.3] ---- */

static bool seq_used(const struct smbd_conn *c, uint64_t id)
{
	uint64_t bit = id % c->seq_bits;

	return (c->seq_bitmap[bit / 8] >> (bit % 8)) & 1;
}

static void seq_set(struct smbd_conn *c, uint64_t id, bool on)
{
	uint64_t bit = id % c->seq_bits;

	if (on) {
		c->seq_bitmap[bit / 8] |= (uint8_t)(1u << (bit % 8));
	} else {
		c->seq_bitmap[bit / 8] &= (uint8_t)~(1u << (bit % 8));
	}
}

/* Consume [mid, mid+charge); false if any id is outside or reused. */
static bool seq_consume(struct smbd_conn *c, uint64_t mid, uint16_t charge)
{
	uint64_t i = 0;

	if (mid < c->seq_low || mid >= c->seq_high ||
	    charge > c->seq_high - mid) {
		return false;
	}
	for (i = 0; i < charge; i++) {
		if (seq_used(c, mid + i)) {
			return false;
		}
	}
	for (i = 0; i < charge; i++) {
		seq_set(c, mid + i, true);
	}
	while (c->seq_low < c->seq_high && seq_used(c, c->seq_low)) {
		seq_set(c, c->seq_low, false);
		c->seq_low++;
	}
	return true;
}

/* The credit window, fixed when the connection was accepted (conn.c). */
static uint64_t credits_window(const struct smbd_conn *c)
{
	return c->seq_bits;
}

/* Grant what the client asks (at least 1), within the window size. */
static uint16_t credits_grant(struct smbd_conn *c, uint16_t asked)
{
	uint64_t outstanding = c->seq_high - c->seq_low;
	uint64_t window = credits_window(c);
	uint64_t room = 0;
	uint16_t grant = asked == 0 ? 1 : asked;

	room = outstanding >= window ? 0 : window - outstanding;
	if (grant > room) {
		grant = (uint16_t)room;
	}
	c->seq_high += grant;
	return grant;
}

/*
 * The data buffers a request sends (*in) and may get back (*out), not
 * counting the fixed parts: for the LARGE_MTU credit charge check
 * [MS-SMB2 §3.3.5.2.5] and the reply backlog.
 */
static void payload_sizes(const struct smbd_req *req, uint32_t *in,
			  uint32_t *out)
{
	smb2_req_payload(req->in_hdr.command, req->in.base + SMB2_HDR_SIZE,
			 req->in_body_len, in, out);
}

static uint32_t payload_size(const struct smbd_req *req)
{
	uint32_t in = 0, out = 0;

	payload_sizes(req, &in, &out);
	return in > out ? in : out;
}

/* Room for replies other than the data buffers (NEGOTIATE, SESSION_SETUP). */
#define REPLY_FIXED_MAX 1024

/*
 * The largest reply req may produce: its output buffer as asked, within
 * what the connection allows in one message, plus the fixed parts.
 */
static size_t reply_bound(const struct smbd_req *req)
{
	uint32_t in = 0, out = 0;

	payload_sizes(req, &in, &out);
	if (out > req->conn->max_trans && out > req->conn->max_read) {
		out = req->conn->max_trans > req->conn->max_read ?
		      req->conn->max_trans : req->conn->max_read;
	}
	return SMB2_HDR_SIZE + REPLY_FIXED_MAX + out;
}

/* ---- responses ---- */

static void put_error_body(struct wire_wr *w)
{
	wire_put_u16le(w, 9);	/* StructureSize */
	wire_put_u8(w, 0);	/* ErrorContextCount */
	wire_put_u8(w, 0);
	wire_put_u32le(w, 0);	/* ByteCount */
	wire_put_u8(w, 0);	/* ErrorData */
}

static struct smbd_session *reply_sign_session(struct smbd_req *req,
					       NTSTATUS status)
{
	struct smbd_session *s = req->sign_sess != NULL ? req->sign_sess :
				 req->sess;

	if (s == NULL || !s->have_keys || req->no_sign) {
		return NULL;
	}
	if (status == NT_STATUS_USER_SESSION_DELETED) {
		return NULL;
	}
	if (req->sign_final || req->in_signed || s->signing_required) {
		return s;
	}
	return NULL;
}

static enum smb2_sign_alg conn_sign_alg(const struct smbd_conn *conn)
{
	if (conn->dialect < SMB2_DIALECT_300) {
		return SMB2_SIGN_HMAC_SHA256;
	}
	return conn->sign_alg;
}

/* Append req's response header + body to w; returns its start offset. */
static size_t build_response(struct smbd_req *req, struct wire_wr *w,
			     NTSTATUS status, bool interim)
{
	struct smb2_hdr h = {};
	size_t start = w->len;

	/* one allocation for the header, the body and a compound's
	 * padding, rather than growing after the header */
	wire_wr_reserve(w, SMB2_HDR_SIZE + 8 +
			(req->out.len > 9 ? req->out.len : 9) +
			req->out_payload_len);
	h.credit_charge = req->in_hdr.credit_charge;
	h.status = interim ? NT_STATUS_PENDING : status;
	h.command = req->in_hdr.command;
	h.credits = req->credits_granted;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR |
		  (req->in_hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS) |
		  req->out_flags_extra;
	h.message_id = req->in_hdr.message_id;
	h.session_id = req->in_hdr.session_id;
	if (req->disp == SMBD_REQ_PENDING || interim) {
		h.flags |= SMB2_FLAGS_ASYNC_COMMAND;
		h.async_id = req->async_id;
	} else {
		h.reserved = req->in_hdr.reserved;
		h.tree_id = req->in_hdr.tree_id;
	}
	smb2_hdr_push(w, &h);
	if (interim || req->out.len == 0 ||
	    (NT_STATUS_IS_ERROR(status) && !req->out_on_error &&
	     status != NT_STATUS_MORE_PROCESSING_REQUIRED &&
	     status != NT_STATUS_BUFFER_TOO_SMALL)) {
		/*
		 * Error bodies are ours; the one exception is BUFFER_TOO_SMALL,
		 * whose error data (the size needed) the handler writes in the
		 * error response format [MS-SMB2 §2.2.2].
		 */
		put_error_body(w);
	} else {
		wire_put_bytes(w, req->out.buf, req->out.len);
		wire_put_bytes(w, req->out_payload, req->out_payload_len);
	}
	return start;
}

static void hash_preauth(struct smbd_req *req, const uint8_t *msg, size_t len)
{
	if (req->preauth_conn) {
		smb2_preauth_update(req->conn->preauth, msg, len);
	}
	if (req->preauth_sess != NULL) {
		smb2_preauth_update(req->preauth_sess->preauth, msg, len);
	}
}

/*
 * Hold key for cmp's signatures (the session may end before they are
 * made: LOGOFF); once per key and compound. false on no memory.
 */
static bool cmp_hold_sign_key(struct smbd_compound *cmp,
			      struct smb2_sign_key *key)
{
	size_t i = 0;

	for (i = 0; i + 1 < cmp->nsigns; i++) {
		if (cmp->signs[i].sign && cmp->signs[i].key == key) {
			return true;
		}
	}
	return talloc_reference(cmp, key) != NULL;
}

/* Add req's response to its compound reply. */
static void compound_append(struct smbd_compound *cmp, struct smbd_req *req,
			    NTSTATUS status, bool interim)
{
	struct smbd_session *ss = NULL;
	struct cmp_sign *sg = NULL;
	uint8_t *payload = NULL;
	size_t start = 0;

	if (!interim && cmp->nsigns == 0 && cmp->next_off >= cmp->len &&
	    cmp->tail == NULL && req->out.len > 0 &&
	    req->out_payload_len >= CRYPTO_OFFLOAD_MIN &&
	    !NT_STATUS_IS_ERROR(status) && !req->preauth_conn &&
	    req->preauth_sess == NULL) {
		/*
		 * The compound's only reply, with a large payload (a READ's
		 * data): it stays in its buffer, the tail of the frame.
		 */
		payload = req->out_payload;
		cmp->tail_len = req->out_payload_len;
		req->out_payload = NULL;
		req->out_payload_len = 0;
	}
	if (cmp->nsigns > 0) {
		size_t prev = cmp->signs[cmp->nsigns - 1].off;

		wire_put_align(&cmp->out, 8);
		wire_patch_u32le(&cmp->out, prev + SMB2_HDR_OFF_NEXT,
				 (uint32_t)(cmp->out.len - prev));
	}
	start = build_response(req, &cmp->out, status, interim);
	if (payload != NULL) {
		cmp->tail = talloc_steal(cmp, payload);
	}
	cmp_count(cmp);
	if (wire_wr_error(&cmp->out) != 0) {
		return;
	}
	if (!interim) {
		hash_preauth(req, cmp->out.buf + start, cmp->out.len - start);
	}
	if (cmp->nsigns == 0) {
		cmp->signs = &cmp->sign1;
	} else if (cmp->signs == &cmp->sign1) {
		cmp->signs = talloc_array(cmp, struct cmp_sign, 2);
		if (cmp->signs == NULL) {
			cmp->out.err = WIRE_E_NOMEM;
			return;
		}
		cmp->signs[0] = cmp->sign1;
	} else {
		cmp->signs = talloc_realloc(cmp, cmp->signs, struct cmp_sign,
					    cmp->nsigns + 1);
		if (cmp->signs == NULL) {
			cmp->out.err = WIRE_E_NOMEM;
			return;
		}
	}
	sg = &cmp->signs[cmp->nsigns++];
	*sg = (struct cmp_sign) { .off = start };
	ss = interim ? NULL : reply_sign_session(req, status);
	if (ss != NULL) {
		enum smb2_sign_alg alg = conn_sign_alg(req->conn);

		sg->sign = true;
		sg->key = smbd_session_sign_key(ss, alg);
		if (sg->key == NULL) {
			/* not kept (yet): expanded for this message */
			sg->key = smbd_sign_key_new(cmp, alg, ss->keys.signing);
		} else if (!cmp_hold_sign_key(cmp, sg->key)) {
			sg->key = NULL;
		}
		if (sg->key == NULL) {
			cmp->out.err = WIRE_E_NOMEM;
		}
	} else if (req->tomb_sign && !interim) {
		sg->sign = true;
		sg->key = smbd_sign_key_new(cmp, conn_sign_alg(req->conn),
					    req->tomb_key);
		if (sg->key == NULL) {
			cmp->out.err = WIRE_E_NOMEM;
		}
	} else if (req->sig_echo && !interim) {
		uint8_t *hdr = cmp->out.buf + start;

		wire_setle32(hdr + SMB2_HDR_OFF_FLAGS,
			     wire_le32(hdr + SMB2_HDR_OFF_FLAGS) |
			     SMB2_FLAGS_SIGNED);
		memcpy(hdr + SMB2_HDR_OFF_SIGNATURE, req->sig_in,
		       sizeof(req->sig_in));
	}
}

/* Encrypt a reply with the session's ServerOut key and queue it. */
static void send_encrypted(struct smbd_conn *conn, const struct smbd_enc *e,
			   const uint8_t *msg, size_t len)
{
	uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE];
	uint8_t *out = NULL;
	size_t out_len = 0;
	int rc = 0;

	/* the nonce from the thread's pool: no getrandom() per reply */
	rc = smbd_encrypt_nonce(e->key->cipher, nonce);
	if (rc == 0) {
		rc = smb2_key_encrypt_with_nonce(e->key, e->session_id, nonce,
						 msg, len, conn, &out,
						 &out_len);
	}
	if (rc != 0) {
		DBG_ERR(PROTO, "%s: cannot encrypt reply: %s",
			conn->peer_addr, wire_strerror(rc));
		smbd_conn_terminate(conn, "encryption failed");
		return;
	}
	smbd_conn_send(conn, out, out_len);
}

/*
 * A large reply signed or encrypted on a worker. The job owns the
 * message and the output buffer and holds the keys (talloc references:
 * they stay alive and unchanged while it runs); it never touches
 * the compound, the session or the connection, which may all be gone
 * when it ends (the connection's end frees tx_state and the request
 * with it: the job is orphaned and the pool frees it).
 */
struct tx_job {
	uint8_t *msg;			/* child: the plain reply (chain) */
	size_t len;
	uint8_t *tail;			/* child: copied to msg + len - */
	size_t tail_len;		/* tail_len first, on the worker */
	uint8_t *out;			/* child: len + 52, when encrypting */
	const struct smb2_crypt_key *key;	/* held */
	uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE];	/* taken on the loop */
	uint64_t session_id;
	struct cmp_sign *signs;		/* child: when signing */
	size_t nsigns;
	int rc;				/* WIRE_E_* of the encryption */
};

struct tx_state {
	struct smbd_conn *conn;
	struct smbd_sendq *slot;	/* its place in conn's send queue */
};

static int tx_job_fn(void *p)
{
	struct tx_job *j = p;
	size_t i = 0;

	if (j->tail != NULL) {
		memcpy(j->msg + j->len - j->tail_len, j->tail, j->tail_len);
	}
	if (j->out != NULL) {
		j->rc = smb2_key_encrypt_to_with_nonce(j->key, j->session_id,
						       j->nonce, j->msg,
						       j->len, j->out);
		return 0;
	}
	for (i = 0; i < j->nsigns; i++) {
		size_t off = j->signs[i].off;
		size_t end = i + 1 < j->nsigns ? j->signs[i + 1].off : j->len;

		if (j->signs[i].sign) {
			smb2_key_sign(j->signs[i].key, j->msg + off,
				      end - off);
		}
	}
	return 0;
}

/* Hold the keys of j's signatures (each once); false on no memory. */
static bool tx_hold_signs(struct tx_job *j)
{
	size_t i = 0, k = 0;

	if (j->signs == NULL) {
		return false;
	}
	for (i = 0; i < j->nsigns; i++) {
		bool held = false;

		for (k = 0; k < i && !held; k++) {
			held = j->signs[k].sign &&
			       j->signs[k].key == j->signs[i].key;
		}
		if (j->signs[i].sign && !held &&
		    talloc_reference(j, j->signs[i].key) == NULL) {
			return false;
		}
	}
	return true;
}

static void tx_done(struct tevent_req *req)
{
	struct tx_state *st = tevent_req_callback_data(req, struct tx_state);
	struct smbd_conn *conn = st->conn;
	struct tx_job *j = NULL;
	int rc = 0;

	rc = smbd_job_recv(req, st, (void **)&j);
	TALLOC_FREE(req);
	if (rc < 0 || j == NULL || j->rc != 0) {
		DBG_ERR(PROTO, "%s: cannot encrypt reply: %s", conn->peer_addr,
			j != NULL ? wire_strerror(j->rc) : strerror(-rc));
		smbd_conn_send_drop(conn, st->slot);
		talloc_free(st);
		smbd_conn_terminate(conn, "encryption failed");
		return;
	}
	smbd_conn_send_fill(conn, st->slot, j->out != NULL ? j->out : j->msg);
	talloc_free(st);
}

/* Does cmp's reply need encrypting or signing? */
static bool cmp_crypto(const struct smbd_compound *cmp)
{
	size_t i = 0;

	if (cmp->enc.on) {
		return true;
	}
	for (i = 0; i < cmp->nsigns; i++) {
		if (cmp->signs[i].sign) {
			return true;
		}
	}
	return false;
}

/*
 * Hand cmp's reply to a worker for its signatures or its encryption if
 * it is large and needs either; its place in the send queue is kept, so
 * replies still go out in order. true if the reply was taken (queued,
 * or dropped with a connection that is ending).
 */
static bool tx_offload(struct smbd_compound *cmp)
{
	struct smbd_conn *conn = cmp->conn;
	struct tx_state *st = NULL;
	struct tx_job *j = NULL;
	struct tevent_req *req = NULL;
	size_t len = cmp->out.len + cmp->tail_len;
	size_t out_len = len;

	if (len < CRYPTO_OFFLOAD_MIN || conn->srv->workers == NULL ||
	    !cmp_crypto(cmp)) {
		return false;
	}
	st = talloc_zero(conn, struct tx_state);
	if (st == NULL) {
		return false;
	}
	st->conn = conn;
	j = talloc_zero(st, struct tx_job);
	if (j == NULL) {
		talloc_free(st);
		return false;
	}
	j->len = len;
	if (cmp->enc.on) {
		out_len += SMB2_TRANSFORM_HDR_SIZE;
		j->out = talloc_array(j, uint8_t, out_len);
		j->key = talloc_reference(j, cmp->enc.key);
		j->session_id = cmp->enc.session_id;
		if (smbd_encrypt_nonce(cmp->enc.key->cipher, j->nonce) != 0) {
			talloc_free(st);
			return false;
		}
	} else {
		j->signs = talloc_memdup(j, cmp->signs,
					 cmp->nsigns * sizeof(*cmp->signs));
		j->nsigns = cmp->nsigns;
	}
	if (cmp->enc.on ? j->out == NULL || j->key == NULL :
	    !tx_hold_signs(j)) {
		talloc_free(st);
		return false;
	}
	cmp_uncount(cmp);
	st->slot = smbd_conn_send_later(conn, out_len);
	if (st->slot == NULL) {
		talloc_free(st);
		if (conn->state != SMBD_CONN_CLOSING) {
			smbd_conn_terminate(conn, "no memory");
		}
		return true;
	}
	j->msg = talloc_steal(j, cmp->out.buf);
	cmp->out.buf = NULL;
	if (cmp->tail != NULL) {
		j->msg = talloc_realloc(j, j->msg, uint8_t, len);
		j->tail = talloc_steal(j, cmp->tail);
		j->tail_len = cmp->tail_len;
		cmp->tail = NULL;
		cmp->tail_len = 0;
	}
	if (j->msg == NULL) {
		smbd_conn_send_drop(conn, st->slot);
		talloc_free(st);
		smbd_conn_terminate(conn, "no memory");
		return true;
	}
	req = smbd_job_send(st, conn->srv->ev, conn->srv->workers,
			    conn->client, tx_job_fn, j);
	if (req == NULL) {
		smbd_conn_send_drop(conn, st->slot);
		talloc_free(st);
		smbd_conn_terminate(conn, "no memory");
		return true;
	}
	tevent_req_set_callback(req, tx_done, st);
	return true;
}

static void compound_send_now(struct smbd_compound *cmp)
{
	struct smbd_conn *conn = cmp->conn;
	size_t i = 0;

	if (cmp->out.len == 0 || conn->state == SMBD_CONN_CLOSING) {
		talloc_free(cmp);
		return;
	}
	if (cmp->nsigns > 1) {
		/*
		 * A compounded reply pads its last response to 8 bytes too,
		 * as Windows does [MS-SMB2 §3.3.4.1.3]; the padding is part of
		 * that response, so it is signed (and encrypted) with it. A
		 * lone response is not padded.
		 */
		wire_put_align(&cmp->out, 8);
	}
	if (wire_wr_error(&cmp->out) != 0) {
		DBG_ERR(PROTO, "%s: cannot build reply: %s", conn->peer_addr,
			wire_strerror(wire_wr_error(&cmp->out)));
		smbd_conn_terminate(conn, "reply build failed");
		talloc_free(cmp);
		return;
	}
	if (tx_offload(cmp)) {
		talloc_free(cmp);
		return;
	}
	if (cmp->tail != NULL && !cmp_crypto(cmp)) {
		/* header and body, then the data where it was read to */
		cmp_uncount(cmp);
		smbd_conn_send2(conn, talloc_steal(conn, cmp->out.buf),
				cmp->out.len, talloc_steal(conn, cmp->tail),
				cmp->tail_len);
		cmp->out.buf = NULL;
		cmp->tail = NULL;
		talloc_free(cmp);
		return;
	}
	if (cmp->tail != NULL) {
		/* signed or encrypted here on the loop: one piece */
		wire_put_bytes(&cmp->out, cmp->tail, cmp->tail_len);
		TALLOC_FREE(cmp->tail);
		cmp->tail_len = 0;
		if (wire_wr_error(&cmp->out) != 0) {
			smbd_conn_terminate(conn, "reply build failed");
			talloc_free(cmp);
			return;
		}
	}
	if (cmp->enc.on) {
		cmp_uncount(cmp);
		send_encrypted(conn, &cmp->enc, cmp->out.buf, cmp->out.len);
		talloc_free(cmp);
		return;
	}
	for (i = 0; i < cmp->nsigns; i++) {
		size_t off = cmp->signs[i].off;
		size_t end = i + 1 < cmp->nsigns ? cmp->signs[i + 1].off :
			     cmp->out.len;

		if (cmp->signs[i].sign) {
			smb2_key_sign(cmp->signs[i].key, cmp->out.buf + off,
				      end - off);
		}
	}
	cmp_uncount(cmp);
	smbd_conn_send(conn, talloc_steal(conn, cmp->out.buf), cmp->out.len);
	cmp->out.buf = NULL;
	talloc_free(cmp);
}

/*
 * req is done: if it is timed, put down its phases up to now (loop.h) and
 * add its record to the reply's, to (NULL: it has no reply).
 */
static void lat_req_done(struct smbd_req *req, struct smbd_lat_reply *to)
{
	unsigned cmd = req->in_hdr.command;
	struct smbd_lat_hist *h = NULL;
	/* ended by a worker job's completion: that job's chain */
	const struct smbd_lat_jobs *j = smbd_lat_delivering();
	uint64_t t_d = 0;

	if (req->lat_rd == 0) {
		return;		/* not timed */
	}
	h = smbd_lat_row(req->conn->loop, cmd);
	if (h == NULL) {
		return;
	}
	t_d = smbd_lat_now();
	if (req->lat_h0 == 0) {
		/* failed before its handler */
		req->lat_h0 = t_d;
	}
	smbd_lat_put(&h[SMBD_LAT_LOCK], req->lat_rd, req->lat_lk);
	smbd_lat_put(&h[SMBD_LAT_PRE], req->lat_lk, req->lat_h0);
	if (req->disp == SMBD_REQ_WAIT || req->disp == SMBD_REQ_PENDING) {
		smbd_lat_put(&h[SMBD_LAT_HANDLER], req->lat_h0, req->lat_h1);
		smbd_lat_put(&h[SMBD_LAT_ASYNC], req->lat_h1, t_d);
		if (j != NULL && j->n > 0) {
			smbd_lat_put(&h[SMBD_LAT_WQUEUE], 0, j->queue);
			smbd_lat_put(&h[SMBD_LAT_WRUN], 0, j->run);
			smbd_lat_put(&h[SMBD_LAT_WBACK], 0, j->back);
		}
	} else {
		smbd_lat_put(&h[SMBD_LAT_HANDLER], req->lat_h0, t_d);
	}
	if (to != NULL && to->n < SMBD_LAT_RECS) {
		/* one frame's requests: one read time */
		to->t_rd = req->lat_rd;
		to->t_d[to->n] = t_d;
		to->cmd[to->n] = (uint8_t)cmd;
		to->n++;
	}
}

/* Queue the compound's reply; its requests' records go with it. */
static void compound_send(struct smbd_compound *cmp)
{
	struct smbd_conn *conn = cmp->conn;

	conn->lat_next = &cmp->lat;
	compound_send_now(cmp);
	conn->lat_next = NULL;
}

/* After a handler: record what related requests inherit, append reply. */
static void req_finish(struct smbd_req *req, NTSTATUS status)
{
	struct smbd_compound *cmp = req->cmp;
	struct smbd_session *free_sess = NULL;

	if (cmp != NULL) {
		cmp->related_sess_id = req->in_hdr.session_id;
		cmp->related_tree_id = req->in_hdr.tree_id;
		if (req->in_hdr.command == SMB2_CREATE &&
		    NT_STATUS_IS_ERROR(status)) {
			cmp->create_failed = true;
			cmp->create_status = status;
		}
	}
	if (NT_STATUS_IS_ERROR(status) &&
	    status != NT_STATUS_MORE_PROCESSING_REQUIRED) {
		DBG_DEBUG(PROTO, "%s: %s mid %llu -> %s",
			  req->conn->peer_addr,
			  smb2_cmd_name(req->in_hdr.command),
			  (unsigned long long)req->in_hdr.message_id,
			  nt_errstr(status));
	}
	lat_req_done(req, req->disp != SMBD_REQ_NO_REPLY && cmp != NULL ?
			  &cmp->lat : NULL);
	if (req->disp != SMBD_REQ_NO_REPLY && cmp != NULL) {
		compound_append(cmp, req, status, false);
	}
	free_sess = req->free_sess;
	req->free_sess = NULL;
	/*
	 * The request goes first: ending the session aborts every request
	 * still bound to it, and this one must not be among them.
	 */
	talloc_free(req);
	talloc_free(free_sess);
}

/* Send the final reply of a request that already had its interim. */
static void req_finish_async_now(struct smbd_req *req, NTSTATUS status)
{
	struct smbd_conn *conn = req->conn;
	struct smbd_session *ss = NULL;
	struct wire_wr w;

	req->credits_granted = 0;
	wire_wr_init(&w, conn, 0);
	build_response(req, &w, status, false);
	if (wire_wr_error(&w) != 0) {
		talloc_free(w.buf);
		talloc_free(req);
		smbd_conn_terminate(conn, "reply build failed");
		return;
	}
	if (req->enc.on) {
		send_encrypted(conn, &req->enc, w.buf, w.len);
		talloc_free(w.buf);
		talloc_free(req);
		return;
	}
	ss = reply_sign_session(req, status);
	if (ss != NULL) {
		const struct smb2_sign_key *k =
			smbd_session_sign_key(ss, conn_sign_alg(conn));

		if (k != NULL) {
			smb2_key_sign(k, w.buf, w.len);
		} else {
			smb2_sign(conn_sign_alg(conn), ss->keys.signing, w.buf,
				  w.len);
		}
	}
	smbd_conn_send(conn, w.buf, w.len);
	talloc_free(req);
}

/* The same, its phases put down and its record handed to the reply. */
static void req_finish_async(struct smbd_req *req, NTSTATUS status)
{
	struct smbd_conn *conn = req->conn;

	struct smbd_lat_reply lat;

	lat.n = 0;
	lat_req_done(req, &lat);
	conn->lat_next = &lat;
	req_finish_async_now(req, status);
	conn->lat_next = NULL;
}

void smbd_req_done(struct smbd_req *req, NTSTATUS status)
{
	struct smbd_compound *cmp = req->cmp;

	/* Ended: a CANCEL must not reach the handler's state any more. */
	req->cancel_fn = NULL;
	req->cancel_priv = NULL;
	if (req->conn->state == SMBD_CONN_CLOSING) {
		talloc_free(req);
		return;
	}
	if (req->disp == SMBD_REQ_PENDING) {
		req_finish_async(req, status);
		return;
	}
	req_finish(req, status);
	if (cmp != NULL) {
		cmp->waiting = NULL;
		compound_next(cmp);
	}
}

static void req_abort(struct smbd_req *req, NTSTATUS status)
{
	/* Handler state and its worker jobs are children of req. */
	talloc_free_children(req);
	wire_wr_init(&req->out, req, 0);
	req->out_payload = NULL;
	req->out_payload_len = 0;
	req->sess = NULL;
	req->tree = NULL;
	req->sign_sess = NULL;
	req->preauth_sess = NULL;
	req->free_sess = NULL;
	smbd_req_done(req, status);
}

void smbd_abort_requests(struct smbd_conn *conn, struct smbd_session *s,
			 struct smbd_tree *t, NTSTATUS status)
{
	struct smbd_req *r = NULL;
	bool again = true;

	if (conn->state == SMBD_CONN_CLOSING) {
		return;		/* the connection frees them itself */
	}
	/* Finishing one may run more of its chain: rescan until clean. */
	while (again) {
		again = false;
		for (r = conn->requests; r != NULL; r = r->next) {
			if (r->running) {
				continue;
			}
			if ((s == NULL || r->sess != s) &&
			    (t == NULL || r->tree != t)) {
				continue;
			}
			req_abort(r, status);
			again = true;
			break;
		}
	}
}

NTSTATUS smbd_req_wait(struct smbd_req *req)
{
	if (req->disp == SMBD_REQ_ANSWER) {
		req->disp = SMBD_REQ_WAIT;
	}
	return NT_STATUS_PENDING;
}

NTSTATUS smbd_req_go_async(struct smbd_req *req, smbd_req_cancel_fn cancel,
			   void *priv)
{
	struct smbd_compound *cmp = req->cmp;

	if (req->disp == SMBD_REQ_PENDING) {
		req->cancel_fn = cancel;
		req->cancel_priv = priv;
		return NT_STATUS_PENDING;
	}
	if (cmp == NULL) {
		return NT_STATUS_INTERNAL_ERROR;
	}
	if (req->disp == SMBD_REQ_WAIT && cmp->next_off < cmp->len) {
		/*
		 * Called back outside the handler with its compound waiting
		 * and more of the compound behind it (which may need what it
		 * produces): it stays in the compound, cancellable by
		 * MessageId, without an interim response.
		 */
		req->cancel_fn = cancel;
		req->cancel_priv = priv;
		return NT_STATUS_PENDING;
	}
	if (cmp->next_off < cmp->len) {
		/*
		 * Not the last request of its compound: fail it rather than
		 * hold the rest of the chain's replies behind an interim
		 * [MS-SMB2 §3.3.5.2.7: the server MAY fail requests in a
		 * compound chain which require asynchronous processing; as
		 * Windows, with STATUS_INTERNAL_ERROR]. The requests after
		 * it go on. CREATE and the other waiting commands use
		 * smbd_req_wait(), which the chain waits for instead.
		 */
		DBG_CLIENT(PROTO, "%s: %s would go async inside a compound",
			   req->conn->peer_addr,
			   smb2_cmd_name(req->in_hdr.command));
		return NT_STATUS_INTERNAL_ERROR;
	}
	/* Leaving the chain: hold the key the final reply is sealed with. */
	if (req->enc.on && talloc_reference(req, req->enc.key) == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	req->async_id = req->conn->srv->next_async_id++;
	compound_append(cmp, req, NT_STATUS_PENDING, true);
	req->disp = SMBD_REQ_PENDING;
	req->cancel_fn = cancel;
	req->cancel_priv = priv;
	/*
	 * A pending request (NOTIFY, a blocking pipe READ or LOCK) holds no
	 * reply memory until it completes, and has budgets of its own.
	 */
	req->conn->reply_reserved -= req->reserved;
	req->reserved = 0;
	/* The request no longer belongs to the chain. */
	req->cmp = NULL;
	if (cmp->waiting == req) {
		/* called back outside the handler: the chain (with the
		 * interim) goes now */
		cmp->waiting = NULL;
		compound_next(cmp);
	}
	return NT_STATUS_PENDING;
}

void smbd_smb2_set_commands(struct smbd_server *srv,
			    const struct smbd_cmd_row *rows)
{
	srv->cmds = rows;
}

/* ---- per-message checks ---- */

static struct smbd_tree *find_tree(struct smbd_session *s, uint32_t id)
{
	struct smbd_tree *t = NULL;

	for (t = s->trees; t != NULL; t = t->next) {
		if (t->id == id) {
			return t;
		}
	}
	return NULL;
}

/*
 * A request for a session that is gone: if it is signed with the key of
 * a session that ended on this connection, the reply is signed with it.
 *
 * A signed request for a SessionId this connection never had leaves no
 * key to sign with. Its USER_SESSION_DELETED then echoes the request's
 * SMB2_FLAGS_SIGNED and Signature, as Windows and Samba answer errors
 * found before the signature is checked: a client that requires
 * signing refuses an unsigned reply outright, and one that knows the
 * session is gone does not check the echo (MS-SMB2 gives the server no
 * key here; smbtorture smb2.compound.invalid2 sends exactly this).
 */
static void check_tombstone(struct smbd_req *req)
{
	struct smbd_conn *conn = req->conn;
	size_t i = 0;

	if (!(req->in_hdr.flags & SMB2_FLAGS_SIGNED) || req->enc.on) {
		return;
	}
	for (i = 0; conn->tombs != NULL && i < SMBD_TOMBS; i++) {
		const struct smbd_tombstone *t = &conn->tombs[i];

		if (t->id == 0 || t->id != req->in_hdr.session_id) {
			continue;
		}
		if (smb2_verify(conn_sign_alg(conn), t->key, req->in.base,
				req->in.len) == 0) {
			req->tomb_sign = true;
			memcpy(req->tomb_key, t->key, sizeof(req->tomb_key));
		}
		return;
	}
	req->sig_echo = true;
	memcpy(req->sig_in, req->in.base + SMB2_HDR_OFF_SIGNATURE,
	       sizeof(req->sig_in));
}

/* Verify req's signature, or take the worker's verdict on the same. */
static bool signature_ok(const struct smbd_req *req,
			 struct smbd_session *s)
{
	const struct smbd_compound *cmp = req->cmp;
	enum smb2_sign_alg alg = conn_sign_alg(req->conn);
	const struct smb2_sign_key *k = smbd_session_sign_key(s, alg);

	if (cmp != NULL && cmp->pre_checked && req->in.base == cmp->buf &&
	    req->in.len == cmp->len && cmp->pre_key == k && k != NULL) {
		return cmp->pre_ok;
	}
	if (k == NULL) {
		return smb2_verify(alg, s->keys.signing, req->in.base,
				   req->in.len) == 0;
	}
	return smb2_key_verify(k, req->in.base, req->in.len) == 0;
}

static NTSTATUS check_signature(struct smbd_req *req, struct smbd_session *s)
{
	struct smbd_conn *conn = req->conn;

	if (req->enc.on) {
		/* Encrypted messages are not signed: the AEAD covers them. */
		return NT_STATUS_OK;
	}

	if (req->in_hdr.flags & SMB2_FLAGS_SIGNED) {
		if (!s->have_keys) {
			/* Nothing to check against (null session). */
			return NT_STATUS_OK;
		}
		if (!signature_ok(req, s)) {
			DBG_CLIENT(AUTH, "%s: bad signature on %s mid %llu",
				   conn->peer_addr,
				   smb2_cmd_name(req->in_hdr.command),
				   (unsigned long long)req->in_hdr.message_id);
			req->no_sign = true;
			return NT_STATUS_ACCESS_DENIED;
		}
		req->in_signed = true;
		return NT_STATUS_OK;
	}
	if (s->signing_required && s->have_keys &&
	    s->state == SMBD_SESS_VALID) {
		DBG_CLIENT(AUTH, "%s: unsigned %s on a signed session",
			   conn->peer_addr,
			   smb2_cmd_name(req->in_hdr.command));
		req->no_sign = true;
		return NT_STATUS_ACCESS_DENIED;
	}
	return NT_STATUS_OK;
}

static uint16_t effective_charge(const struct smbd_req *req)
{
	uint16_t charge = req->in_hdr.credit_charge;

	if (req->conn->dialect == SMB2_DIALECT_202 ||
	    req->conn->dialect == 0) {
		return 1;	/* the field is reserved before 2.1 */
	}
	return charge == 0 ? 1 : charge;
}

/* Consume the request's MessageIds and grant credits for the reply. */
static bool check_sequence(struct smbd_req *req)
{
	struct smbd_conn *conn = req->conn;

	if (req->in_hdr.command == SMB2_CANCEL) {
		return true;
	}
	if (!seq_consume(conn, req->in_hdr.message_id,
			 effective_charge(req))) {
		return false;
	}
	req->credits_granted = credits_grant(conn, req->in_hdr.credits);
	return true;
}

/* LARGE_MTU: the charge must cover the payload in 64 KiB units. */
static NTSTATUS check_charge(struct smbd_req *req)
{
	uint32_t need = 0;

	if (req->conn->dialect < SMB2_DIALECT_210 ||
	    req->in_hdr.command == SMB2_CANCEL) {
		return NT_STATUS_OK;
	}
	need = (uint32_t)(((uint64_t)payload_size(req) + 65535) / 65536);
	if (need > effective_charge(req)) {
		DBG_CLIENT(PROTO, "%s: %s charges %u credits for %u units",
			   req->conn->peer_addr,
			   smb2_cmd_name(req->in_hdr.command),
			   effective_charge(req), need);
		return NT_STATUS_INVALID_PARAMETER;
	}
	return NT_STATUS_OK;
}

static NTSTATUS check_body(struct smbd_req *req, const struct smbd_cmd_row *row)
{
	struct wire_rd r = req->in;
	uint16_t ssize = 0;

	if (wire_get_u16le(&r, &ssize) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (ssize != row->struct_size &&
	    (row->struct_size2 == 0 || ssize != row->struct_size2)) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (req->in_body_len < (size_t)(ssize & ~1u)) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	return NT_STATUS_OK;
}

/*
 * What one compound's replies may add up to before its further requests
 * are refused: the reply backlog, and never so much that the frame (one
 * more reply of at most max_trans plus its header on top) would pass the
 * 24-bit length of the transport header.
 */
#define COMPOUND_REPLY_MAX (8u * 1024 * 1024)

static size_t compound_limit(const struct smbd_conn *conn)
{
	uint64_t b = conn->srv->cfg->max_reply_backlog;

	return b < COMPOUND_REPLY_MAX ? (size_t)b : COMPOUND_REPLY_MAX;
}

/*
 * A handler returns NT_STATUS_PENDING exactly when it went async
 * through smbd_req_wait() or smbd_req_go_async(). PENDING without
 * either would leave the request (and a compound behind it) waiting
 * for a completion nobody arranged: it is a bug in the handler, and
 * the client gets INTERNAL_ERROR instead of a silent stall. Another
 * status after going async is one too, but the completion is arranged
 * and may still hold the request: it stands, and the status goes.
 */
static NTSTATUS check_disposition(struct smbd_req *req, NTSTATUS status)
{
	bool later = req->disp == SMBD_REQ_WAIT ||
		     req->disp == SMBD_REQ_PENDING;

	if (status == NT_STATUS_PENDING && !later) {
		DBG_ERR(PROTO, "%s: %s handler returned PENDING without "
			"going async", req->conn->peer_addr,
			smb2_cmd_name(req->in_hdr.command));
		return NT_STATUS_INTERNAL_ERROR;
	}
	if (status != NT_STATUS_PENDING && later) {
		DBG_ERR(PROTO, "%s: %s handler went async and returned %s",
			req->conn->peer_addr,
			smb2_cmd_name(req->in_hdr.command), nt_errstr(status));
	}
	return status;
}

static NTSTATUS dispatch(struct smbd_req *req, bool related)
{
	struct smbd_conn *conn = req->conn;
	struct smbd_compound *cmp = req->cmp;
	const struct smbd_cmd_row *row = NULL;
	uint16_t cmd = req->in_hdr.command;
	struct smbd_session *s = NULL;
	const struct smbd_lat_jobs *jobs = NULL;
	NTSTATUS status = NT_STATUS_OK;

	smbd_loop_site(cmd < SMB2_NUM_CMDS ? SMBD_SITE_SMB2 + cmd :
		       SMBD_SITE_READ);
	if (conn->state != SMBD_CONN_ACTIVE && cmd != SMB2_NEGOTIATE) {
		/* Nothing before NEGOTIATE: disconnect [MS-SMB2 §3.3.5.2] */
		DBG_CLIENT(PROTO, "%s: %s before NEGOTIATE, disconnecting",
			   conn->peer_addr, smb2_cmd_name(cmd));
		smbd_budget_hit(NULL, conn, SMBD_BUDGET_NO_NEGOTIATE, 0);
		smbd_conn_terminate(conn, "no NEGOTIATE");
		req->disp = SMBD_REQ_NO_REPLY;
		return NT_STATUS_OK;
	}
	if (cmd < SMB2_NUM_CMDS && conn->srv->cmds != NULL &&
	    conn->srv->cmds[cmd].fn != NULL) {
		row = &conn->srv->cmds[cmd];
	}
	if (!check_sequence(req)) {
		DBG_CLIENT(PROTO, "%s: MessageId %llu outside the window",
			   conn->peer_addr,
			   (unsigned long long)req->in_hdr.message_id);
		smbd_conn_terminate(conn, "bad MessageId");
		req->disp = SMBD_REQ_NO_REPLY;
		return NT_STATUS_OK;
	}
	if (related) {
		req->in_hdr.session_id = cmp->related_sess_id;
		req->in_hdr.tree_id = cmp->related_tree_id;
	}
	if (row == NULL) {
		/*
		 * No such command. Its MessageId counts like any other, and
		 * the error is signed like any reply on the session it names
		 * (a client that signs rejects an unsigned one).
		 */
		s = smbd_session_find(conn, req->in_hdr.session_id);
		if (s != NULL && s->state == SMBD_SESS_VALID &&
		    check_signature(req, s) == NT_STATUS_OK) {
			req->sess = s;
		}
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (row->need_session) {
		s = smbd_session_find(conn, req->in_hdr.session_id);
		if (s == NULL) {
			check_tombstone(req);
			/* A related request inherits a session that does not
			 * exist: the chain is broken, as Windows answers it
			 * (smbtorture smb2.compound.invalid2). */
			return related ? NT_STATUS_INVALID_PARAMETER :
					 NT_STATUS_USER_SESSION_DELETED;
		}
		if (s->state == SMBD_SESS_IN_PROGRESS) {
			return NT_STATUS_USER_SESSION_DELETED;
		}
		status = check_signature(req, s);
		if (status != NT_STATUS_OK) {
			return status;
		}
		if (s->state == SMBD_SESS_EXPIRED) {
			return NT_STATUS_NETWORK_SESSION_EXPIRED;
		}
		if (s->anonymous && !row->allow_null) {
			return NT_STATUS_ACCESS_DENIED;
		}
		req->sess = s;
		gettimeofday(&s->last_activity, NULL);
		if (s->ticket != NULL) {
			sm_touch(s->ticket);
		}
	}
	if (row->need_tree) {
		req->tree = find_tree(s, req->in_hdr.tree_id);
		if (req->tree == NULL) {
			return NT_STATUS_NETWORK_NAME_DELETED;
		}
	}
	if (cmp != NULL && cmp->out.len >= compound_limit(conn)) {
		/* one compound's replies alone fill the backlog */
		smbd_budget_hit(NULL, conn, SMBD_BUDGET_COMPOUND,
				compound_limit(conn));
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	/* After the session is known, so that the error reply is signed. */
	status = check_charge(req);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = check_body(req, row);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (related && cmp->create_failed) {
		return cmp->create_status;
	}
	if ((req->in_hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS) && cmp != NULL &&
	    cmp->related_bad) {
		/* related to nothing [MS-SMB2 §3.3.5.2.7.2] */
		return NT_STATUS_INVALID_PARAMETER;
	}
	req->running = true;
	/*
	 * A handler run from a job's completion (the next request of a
	 * compound) starts its own chain of jobs, not that job's.
	 */
	jobs = smbd_lat_deliver_begin(NULL);
	if (req->lat_rd != 0) {
		req->lat_h0 = smbd_lat_now();
	}
	status = row->fn(req);
	if (req->lat_rd != 0) {
		req->lat_h1 = smbd_lat_now();
	}
	smbd_lat_deliver_end(jobs);
	req->running = false;
	return check_disposition(req, status);
}

static void compound_next(struct smbd_compound *cmp)
{
	struct smbd_conn *conn = cmp->conn;

	while (cmp->waiting == NULL && cmp->next_off < cmp->len) {
		struct smbd_req *req = NULL;
		struct wire_rd r;
		struct smb2_hdr h = {};
		size_t start = cmp->next_off;
		size_t mlen = 0;
		bool related = false;
		NTSTATUS status = NT_STATUS_OK;

		if (conn->state == SMBD_CONN_CLOSING) {
			break;
		}
		if (!cmp_may_go(cmp)) {
			cmp_block(cmp);	/* resumed by smbd_smb2_resume() */
			return;
		}
		wire_rd_init(&r, cmp->buf + start, cmp->len - start);
		if (smb2_hdr_pull(&r, &h) != 0 ||
		    (h.flags & SMB2_FLAGS_SERVER_TO_REDIR)) {
			DBG_CLIENT(PROTO, "%s: malformed SMB2 header",
				   conn->peer_addr);
			smbd_conn_terminate(conn, "malformed header");
			break;
		}
		mlen = cmp->len - start;
		if (h.next_command != 0) {
			if (h.next_command < SMB2_HDR_SIZE ||
			    (h.next_command & 7) != 0 ||
			    h.next_command > mlen) {
				DBG_CLIENT(PROTO, "%s: bad NextCommand %u",
					   conn->peer_addr, h.next_command);
				smbd_conn_terminate(conn, "bad NextCommand");
				break;
			}
			mlen = h.next_command;
		}
		cmp->next_off = start + mlen;
		related = !cmp->first &&
			  (h.flags & SMB2_FLAGS_RELATED_OPERATIONS);
		if (!(h.flags & SMB2_FLAGS_RELATED_OPERATIONS)) {
			/*
			 * A related request takes the FileId the one before it
			 * used [§3.3.5.2.7.2]: an unrelated one starts afresh
			 * (it records its own when it names an open).
			 */
			cmp->have_last_fid = false;
			cmp->related_bad = false;
		} else if (cmp->first) {
			/*
			 * The first request has nothing to be related to: it
			 * fails, and so do the related ones after it, as on
			 * Windows.
			 */
			cmp->related_bad = true;
		}
		cmp->first = false;

		req = req_new(conn, h.command);
		if (req == NULL) {
			smbd_conn_terminate(conn, "no memory");
			break;
		}
		req->conn = conn;
		req->cmp = cmp;
		if (smbd_lat_take(conn->loop, h.command)) {
			req->lat_rd = cmp->lat_rd;
			req->lat_lk = cmp->lat_lk;
		}
		req->enc = cmp->enc;	/* its key borrowed from cmp */
		req->in_hdr = h;
		wire_rd_init(&req->in, cmp->buf + start, mlen);
		req->in.off = SMB2_HDR_SIZE;
		req->in_body_len = mlen - SMB2_HDR_SIZE;
		/* the body comes from the request pool (req_new) */
		wire_wr_init(&req->out, req, 0);
		req->reserved = reply_bound(req);
		conn->reply_reserved += req->reserved;
		req->next = conn->requests;
		if (conn->requests != NULL) {
			conn->requests->prev = req;
		}
		conn->requests = req;
		talloc_set_destructor(req, req_destructor);

		status = dispatch(req, related);
		if (req->disp == SMBD_REQ_PENDING) {
			continue;	/* interim sent; go on */
		}
		if (req->disp == SMBD_REQ_WAIT) {
			cmp->waiting = req;
			return;		/* resumed by smbd_req_done() */
		}
		req_finish(req, status);
	}
	if (cmp->waiting == NULL) {
		compound_send(cmp);
	}
}

static void smbd_smb2_resume(struct smbd_conn *conn)
{
	struct smbd_compound *cmp = NULL;

	/* In arrival order, while the backlog allows; one may block again. */
	while ((cmp = conn->blocked_cmp) != NULL &&
	       conn->state != SMBD_CONN_CLOSING && cmp_may_go(cmp)) {
		cmp_unblock(cmp);
		compound_next(cmp);
		if (conn->blocked_cmp == cmp) {
			break;
		}
	}
}

/*
 * Start the compound of one plain frame: msg (len bytes) lies in mem,
 * which the compound takes over. pre: a worker's signature verdict on
 * the frame (a single message), or NULL. enc: the frame came encrypted,
 * or NULL.
 */
static void compound_start(struct smbd_conn *conn, void *mem, uint8_t *msg,
			   size_t len, const struct smbd_enc *enc,
			   const struct smbd_compound *pre)
{
	struct smbd_compound *cmp = talloc_zero(conn, struct smbd_compound);

	if (cmp == NULL) {
		talloc_free(mem);
		smbd_conn_terminate(conn, "no memory");
		return;
	}
	cmp->conn = conn;
	cmp->lat_rd = conn->lat_rd;
	cmp->lat_lk = conn->lat_lk;
	talloc_set_destructor(cmp, cmp_destructor);
	cmp->mem = talloc_steal(cmp, mem);
	cmp->buf = msg;
	cmp->len = len;
	cmp->first = true;
	/* a spliced frame (smbd_smb2_splice_at): msg is its head */
	cmp->payload = talloc_steal(cmp, conn->in_payload);
	conn->in_payload = NULL;
	if (enc != NULL) {
		cmp->enc = *enc;
		if (talloc_reference(cmp, enc->key) == NULL) {
			talloc_free(cmp);
			smbd_conn_terminate(conn, "no memory");
			return;
		}
	}
	if (pre != NULL) {
		cmp->pre_checked = true;
		cmp->pre_ok = pre->pre_ok;
		cmp->pre_key = pre->pre_key;
	}
	wire_wr_init(&cmp->out, cmp, 0);
	compound_next(cmp);
}

/*
 * A large frame decrypted or verified on a worker. The job owns the
 * frame and holds the keys (talloc references; only read while it
 * runs); it never touches smbd objects. While it
 * runs the connection is held (smbd_conn_hold): its later frames wait,
 * so requests keep their order; other connections go on.
 */
struct rx_job {
	uint8_t *frame;			/* child */
	size_t len;
	bool verify;			/* check a signature, else decrypt */
	const struct smb2_sign_key *skey;	/* held, when verifying */
	const struct smb2_crypt_key *dkey;	/* held, when decrypting */
	struct smbd_enc enc;		/* for the replies (key held) */
	int rc;				/* WIRE_E_* */
};

static int rx_job_fn(void *p)
{
	struct rx_job *j = p;

	if (j->verify) {
		j->rc = smb2_key_verify(j->skey, j->frame, j->len);
	} else {
		j->rc = smb2_key_decrypt_inplace(j->dkey, j->frame, j->len);
	}
	return 0;
}

static void rx_done(struct tevent_req *req)
{
	struct smbd_conn *conn = tevent_req_callback_data(req,
							  struct smbd_conn);
	struct smbd_compound pre = {};
	struct rx_job *j = NULL;
	struct smbd_session *s = NULL;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	int rc = 0;

	rc = smbd_job_recv(req, conn, (void **)&j);
	TALLOC_FREE(req);
	smbd_conn_hold(conn, false);
	if (rc < 0 || j == NULL) {
		talloc_free(j);
		smbd_conn_terminate(conn, "no memory");
		return;
	}
	if (conn->state == SMBD_CONN_CLOSING) {
		talloc_free(j);
		return;
	}
	if (j->verify) {
		/* dispatch() takes the verdict if the key is still the one */
		pre.pre_ok = j->rc == 0;
		pre.pre_key = j->skey;
		compound_start(conn, j, j->frame, j->len, NULL, &pre);
		return;
	}
	plain = j->frame + SMB2_TRANSFORM_HDR_SIZE;
	plain_len = j->len - SMB2_TRANSFORM_HDR_SIZE;
	if (j->rc != 0 || memcmp(plain, SMB2_MAGIC, 4) != 0) {
		DBG_CLIENT(PROTO, "%s: decryption failed: %s",
			   conn->peer_addr, wire_strerror(j->rc));
		talloc_free(j);
		smbd_conn_terminate(conn, "decryption failed");
		return;
	}
	s = smbd_session_find(conn, j->enc.session_id);
	if (s != NULL) {
		s->encrypted = true;
	}
	compound_start(conn, j, plain, plain_len, &j->enc, NULL);
}

/* Run j on a worker (j is stolen); false if it could not be queued. */
static bool rx_offload(struct smbd_conn *conn, struct rx_job *j)
{
	struct tevent_req *req = NULL;

	req = smbd_job_send(conn, conn->srv->ev, conn->srv->workers,
			    conn->client, rx_job_fn, j);
	if (req == NULL) {
		return false;
	}
	tevent_req_set_callback(req, rx_done, conn);
	smbd_conn_hold(conn, true);
	return true;
}

/*
 * A large signed single request on an established session (a WRITE):
 * verify its signature on a worker. false: do it on the loop as usual.
 */
static bool verify_offload(struct smbd_conn *conn, uint8_t *buf, size_t len)
{
	struct smbd_session *s = NULL;
	struct rx_job *j = NULL;
	struct smb2_hdr h = {};
	struct wire_rd r;

	if (len < CRYPTO_OFFLOAD_MIN || conn->srv->workers == NULL ||
	    conn->state != SMBD_CONN_ACTIVE) {
		return false;
	}
	wire_rd_init(&r, buf, len);
	if (smb2_hdr_pull(&r, &h) != 0 || h.next_command != 0 ||
	    !(h.flags & SMB2_FLAGS_SIGNED) ||
	    (h.flags & SMB2_FLAGS_SERVER_TO_REDIR) ||
	    h.command == SMB2_NEGOTIATE || h.command == SMB2_SESSION_SETUP) {
		return false;
	}
	s = smbd_session_find(conn, h.session_id);
	if (s == NULL || s->state != SMBD_SESS_VALID || !s->have_keys) {
		return false;
	}
	j = talloc_zero(conn, struct rx_job);
	if (j == NULL) {
		return false;
	}
	j->verify = true;
	j->skey = smbd_session_sign_key(s, conn_sign_alg(conn));
	/* a key not kept (yet) is expanded on the loop, raw */
	if (j->skey == NULL || talloc_reference(j, j->skey) == NULL) {
		talloc_free(j);
		return false;
	}
	j->frame = talloc_steal(j, buf);
	j->len = len;
	if (!rx_offload(conn, j)) {
		talloc_steal(conn, buf);
		talloc_free(j);
		return false;
	}
	return true;
}

void smbd_smb2_process_frame(struct smbd_conn *conn, uint8_t *buf, size_t len)
{
	if (verify_offload(conn, buf, len)) {
		return;
	}
	compound_start(conn, buf, buf, len, NULL, NULL);
}

/*
 * An encrypted frame [MS-SMB2 §3.3.5.2.1.1]: decrypt with the session's
 * ServerIn key, then process the plaintext chain as usual; its replies
 * go back encrypted. A large one (a WRITE) is decrypted on a worker.
 */
static void smbd_smb2_process_transform(struct smbd_conn *conn,
					uint8_t *buf, size_t len)
{
	struct smb2_transform_hdr th = {};
	struct smbd_session *s = NULL;
	struct smbd_enc enc = {};
	struct smb2_crypt_key *dkey = NULL;
	struct smb2_crypt_key *tmp_e = NULL, *tmp_d = NULL;
	struct rx_job *j = NULL;
	struct wire_rd r;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	int rc = 0;

	wire_rd_init(&r, buf, len);
	rc = smb2_transform_pull(&r, &th);
	if (rc == 0) {
		s = smbd_session_find(conn, th.session_id);
	}
	if (rc != 0 || s == NULL || !s->have_keys || conn->cipher == 0) {
		DBG_CLIENT(PROTO, "%s: encrypted frame for no usable session",
			   conn->peer_addr);
		talloc_free(buf);
		smbd_conn_terminate(conn, "bad transform");
		return;
	}
	/*
	 * Held: the session may end (LOGOFF) before the reply goes. Keys
	 * the session does not keep (yet) are expanded for this frame,
	 * under conn until the compound or job holds them.
	 */
	enc.on = true;
	enc.session_id = s->id;
	enc.key = smbd_session_encrypt_key(s);
	if (enc.key == NULL) {
		enc.key = tmp_e = smbd_crypt_key_new(conn, conn->cipher,
				smbd_session_keys_cipher(s)->encrypt);
	}
	dkey = smbd_session_decrypt_key(s);
	if (dkey == NULL) {
		dkey = tmp_d = smbd_crypt_key_new(conn, conn->cipher,
				smbd_session_keys_cipher(s)->decrypt);
	}
	if (enc.key == NULL || dkey == NULL) {
		talloc_free(buf);
		smbd_conn_terminate(conn, "no memory");
		goto done;
	}
	if (len >= CRYPTO_OFFLOAD_MIN && conn->srv->workers != NULL &&
	    s->state == SMBD_SESS_VALID) {
		j = talloc_zero(conn, struct rx_job);
	}
	if (j != NULL && (talloc_reference(j, dkey) == NULL ||
			  talloc_reference(j, enc.key) == NULL)) {
		TALLOC_FREE(j);
	}
	if (j != NULL) {
		j->dkey = dkey;
		j->enc = enc;
		j->frame = talloc_steal(j, buf);
		j->len = len;
		if (rx_offload(conn, j)) {
			goto done;
		}
		talloc_steal(conn, buf);
		talloc_free(j);
	}
	rc = smb2_key_decrypt(dkey, buf, len, conn, &plain, &plain_len);
	talloc_free(buf);
	if (rc != 0 || plain_len < 4 || memcmp(plain, SMB2_MAGIC, 4) != 0) {
		DBG_CLIENT(PROTO, "%s: decryption failed: %s",
			   conn->peer_addr, wire_strerror(rc));
		talloc_free(plain);
		smbd_conn_terminate(conn, "decryption failed");
		goto done;
	}
	s->encrypted = true;
	compound_start(conn, plain, plain, plain_len, &enc, NULL);
done:
	/* with holders, each moves under one of them; else it is freed */
	if (tmp_e != NULL) {
		(void)talloc_unlink(conn, tmp_e);
	}
	if (tmp_d != NULL) {
		(void)talloc_unlink(conn, tmp_d);
	}
}

/* ---- tiny commands ---- */

NTSTATUS smbd_smb2_echo(struct smbd_req *req)
{
	wire_put_u16le(&req->out, 4);
	wire_put_u16le(&req->out, 0);
	return NT_STATUS_OK;
}

NTSTATUS smbd_smb2_cancel(struct smbd_req *req)
{
	struct smbd_conn *conn = req->conn;
	struct smbd_req *r = NULL;
	bool by_async = req->in_hdr.flags & SMB2_FLAGS_ASYNC_COMMAND;

	for (r = conn->requests; r != NULL; r = r->next) {
		bool match = false;

		if (r == req) {
			continue;
		}
		if (by_async) {
			match = r->disp == SMBD_REQ_PENDING &&
				r->async_id == req->in_hdr.async_id;
		} else {
			match = r->in_hdr.message_id == req->in_hdr.message_id;
		}
		if (match) {
			break;
		}
	}
	if (r != NULL && r->cancel_fn != NULL && !r->cancelled) {
		r->cancelled = true;
		r->cancel_fn(r, r->cancel_priv);
	}
	req->disp = SMBD_REQ_NO_REPLY;
	return NT_STATUS_OK;
}

/*
 * A whole session message from the connection: tell SMB1, SMB2 and
 * encrypted SMB2 apart by the protocol id [MS-SMB2 §2.2.1, §2.2.41].
 */
static void smbd_smb2_input(struct smbd_conn *conn, uint8_t *buf, size_t len)
{
	if (len >= 4 && memcmp(buf, SMB1_MAGIC, 4) == 0) {
		if (conn->srv->smb1_frame != NULL &&
		    conn->srv->smb1_frame(conn, buf, len)) {
			return;
		}
		conn->srv->smb1_negotiate(conn, buf, len);
		talloc_free(buf);
		return;
	}
	if (len >= 4 && memcmp(buf, SMB2_TRANSFORM_MAGIC, 4) == 0) {
		smbd_smb2_process_transform(conn, buf, len);
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

/* The sweep found conn idle: its sessions let go of their expanded keys. */
static void smbd_smb2_idle(struct smbd_conn *conn)
{
	struct smbd_session *s = NULL;

	for (s = conn->sessions; s != NULL; s = s->next) {
		smbd_session_keys_drop(s);
	}
}

/*
 * net/ asks, for the head of a large frame: is it a lone plain WRITE whose
 * data follows the request's fixed part to the end of the frame? Then it
 * splices the data into a pipe for the write (rw.c) instead of reading
 * it. Signed frames are read (the signature covers the data), as are
 * encrypted ones (another protocol id) and compounds. Whatever becomes of
 * the request, all of its frame has left the socket.
 */
static size_t smbd_smb2_splice_at(struct smbd_conn *conn, const uint8_t *head,
				  size_t head_len, size_t frame_len)
{
	struct smb2_hdr h = {};
	struct wire_rd r;
	uint16_t ssize = 0, data_off = 0;
	uint32_t length = 0;

	if (head_len != SMB2_HDR_SIZE + SMB2_WRITE_REQ_FIXED ||
	    conn->state != SMBD_CONN_ACTIVE ||
	    memcmp(head, SMB2_MAGIC, 4) != 0) {
		return 0;
	}
	wire_rd_init(&r, head, head_len);
	if (smb2_hdr_pull(&r, &h) != 0 || h.command != SMB2_WRITE ||
	    h.next_command != 0 ||
	    (h.flags & (SMB2_FLAGS_SIGNED | SMB2_FLAGS_SERVER_TO_REDIR))) {
		return 0;
	}
	r.off = SMB2_HDR_SIZE;
	if (wire_get_u16le(&r, &ssize) != 0 ||
	    wire_get_u16le(&r, &data_off) != 0 ||
	    wire_get_u32le(&r, &length) != 0) {
		return 0;
	}
	if (ssize != SMB2_WRITE_REQ_FIXED + 1 || data_off != head_len ||
	    (size_t)data_off + length != frame_len) {
		return 0;
	}
	return head_len;
}

const struct smbd_conn_upcalls smbd_smb2_upcalls = {
	.frame = smbd_smb2_input,
	.resume = smbd_smb2_resume,
	.idle = smbd_smb2_idle,
	.splice_at = smbd_smb2_splice_at,
};
