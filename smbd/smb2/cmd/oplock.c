/*
 * oplock.c - OPLOCK_BREAK: the notification the server sends when an
 * oplock is broken [MS-SMB2 §3.3.4.6], and the client's acknowledgment
 * [MS-SMB2 §3.3.5.22.1]; the lease break notification [MS-SMB2 §3.3.4.7]
 * and acknowledgment [MS-SMB2 §3.3.5.22.2]. Who holds what, the decisions
 * and the timeout are fs/oplock.c's and fs/lease.c's; they call the
 * notifications through srv->oplock_up.
 */
#include "smbd/smbd.h"
#include "smbd/smb2/cmd/cmd.h"
#include "smbd/smb2/session.h"
#include "smbd/fs/oplock.h"
#include "smbd/fs/lease.h"
#include "proto/smb2_lease.h"
#include "smbd/net/conn.h"
#include "proto/smb2_transform.h"

/*
 * The session whose key encrypts a notification to conn about op: op's
 * own when it is on conn, else the first one on conn the client
 * encrypts (a lease break may go to another connection of the client);
 * NULL: sent in the clear.
 */
static struct smbd_session *notification_session(struct smbd_conn *conn,
						 const struct smbd_open *op)
{
	struct smbd_session *s = op->tree != NULL ? op->tree->sess : NULL;

	if (s != NULL && s->conn == conn) {
		return s;
	}
	for (s = conn->sessions; s != NULL; s = s->next) {
		if (s->encrypted && s->have_keys) {
			return s;
		}
	}
	return NULL;
}

/*
 * Send conn a break notification about op whose body is b (oplock) or
 * lb (lease): an unsolicited message (MessageId all ones, no session,
 * unsigned), encrypted with the session's key when the client encrypts
 * that session.
 */
static void send_notification(struct smbd_conn *conn, struct smbd_open *op,
			      const struct smb2_oplock_break *b,
			      const struct smb2_lease_break *lb)
{
	struct smbd_session *s = NULL;
	struct smb2_hdr h = {
		.command = SMB2_OPLOCK_BREAK,
		.flags = SMB2_FLAGS_SERVER_TO_REDIR,
		.message_id = SMB2_MID_NOTIFICATION,
	};
	struct wire_wr w;
	const struct smb2_crypt_key *k = NULL;
	uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE];
	uint8_t *enc = NULL;
	size_t enc_len = 0;
	int rc = 0;

	if (conn == NULL || conn->state != SMBD_CONN_ACTIVE) {
		return;
	}
	s = notification_session(conn, op);
	wire_wr_init(&w, conn, 0);
	smb2_hdr_push(&w, &h);
	if (b != NULL) {
		smb2_oplock_break_push(&w, b);
	} else {
		smb2_lease_break_push(&w, lb);
	}
	if (wire_wr_error(&w) != 0) {
		talloc_free(w.buf);
		return;
	}
	DBG_DEBUG(VFS, "%s: %s break of %s to %u", conn->peer_addr,
		  b != NULL ? "oplock" : "lease", op->path,
		  b != NULL ? b->level : lb->new_state);
	if (s == NULL || !s->encrypted || conn->cipher == 0 ||
	    !s->have_keys) {
		smbd_conn_send(conn, w.buf, w.len);
		return;
	}
	/*
	 * The session's kept key when it has one (a break storm to one
	 * session expanded the key per break); the nonce from the
	 * thread's pool.
	 */
	k = smbd_session_encrypt_key(s);
	rc = smbd_encrypt_nonce(conn->cipher, nonce);
	if (rc == 0 && k != NULL) {
		rc = smb2_key_encrypt_with_nonce(k, s->id, nonce, w.buf, w.len,
						 conn, &enc, &enc_len);
	} else if (rc == 0) {
		rc = smb2_encrypt_with_nonce(conn->cipher,
				smbd_session_keys_cipher(s)->encrypt, s->id,
				nonce, w.buf, w.len, conn, &enc, &enc_len);
	}
	if (rc != 0) {
		talloc_free(w.buf);
		smbd_conn_terminate(conn, "encryption failed");
		return;
	}
	talloc_free(w.buf);
	smbd_conn_send(conn, enc, enc_len);
}

static void oplock_send_break(struct smbd_open *op, uint8_t level)
{
	struct smbd_session *s = op->tree != NULL ? op->tree->sess : NULL;
	struct smb2_oplock_break b = {
		.level = level,
		.fid_persistent = op->fid_persistent,
		.fid_volatile = op->fid_volatile,
	};

	send_notification(s != NULL ? s->conn : NULL, op, &b, NULL);
}

static void lease_send_break(struct smbd_conn *conn, struct smbd_open *op,
			     const struct smb2_lease_break *lb)
{
	send_notification(conn, op, NULL, lb);
}

const struct smbd_oplock_upcalls smbd_smb2_oplock_upcalls = {
	.send_break = oplock_send_break,
	.send_lease_break = lease_send_break,
};

/* A lease break acknowledgment [MS-SMB2 §3.3.5.22.2]. */
static NTSTATUS lease_break_ack(struct smbd_req *req)
{
	struct wire_rd r = req->in;
	struct smb2_lease_ack a = {};
	NTSTATUS status = NT_STATUS_OK;

	if (smb2_lease_ack_pull(&r, &a) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (req->conn->dialect < SMB2_DIALECT_210) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = smbd_lease_ack(req->conn->srv, req->conn->client_guid, a.key,
				a.state);
	if (status != NT_STATUS_OK) {
		return status;
	}
	a.flags = 0;
	a.duration = 0;
	smb2_lease_ack_push(&req->out, &a);
	return wire_wr_error(&req->out) != 0 ? NT_STATUS_NO_MEMORY :
					       NT_STATUS_OK;
}

NTSTATUS smbd_smb2_oplock_break(struct smbd_req *req)
{
	struct wire_rd r = req->in;
	struct smb2_oplock_break b = {};
	struct smbd_open *op = NULL;
	uint8_t granted = 0;
	NTSTATUS status = NT_STATUS_OK;
	int rc = 0;

	rc = smb2_oplock_break_pull(&r, &b);
	if (rc == WIRE_E_UNSUPPORTED) {
		return lease_break_ack(req);
	}
	if (rc != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = smbd_req_open(req, b.fid_persistent, b.fid_volatile, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smbd_oplock_ack(op, b.level, &granted);
	if (status != NT_STATUS_OK) {
		return status;
	}
	b.level = granted;
	smb2_oplock_break_push(&req->out, &b);
	return wire_wr_error(&req->out) != 0 ? NT_STATUS_NO_MEMORY :
					       NT_STATUS_OK;
}
