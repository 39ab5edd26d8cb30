/*
 * oplock.c - oplocks on SMB1 opens [MS-CIFS §3.3.5.2.7, §3.3.4.2,
 * §3.3.5.31]: the level an NT_CREATE_ANDX or OPEN_ANDX asked for and the
 * one it gets, the break notification (an SMB_COM_LOCKING_ANDX request
 * the server sends, MID 0xFFFF) and the client's acknowledgment (a
 * LOCKING_ANDX with OPLOCK_RELEASE). Who holds what, the break decisions,
 * the timeout and the budgets are fs/oplock.c's, shared with SMB2 opens
 * of the same file, which break SMB1 oplocks and are broken by SMB1
 * opens alike; levels here are the SMB2 ones (SMB2_OPLOCK_LEVEL_*)
 * until they go on the wire.
 *
 * The break notification goes up through srv->oplock_up, which
 * daemon/server.c points at smbd_smb1_oplock_send_break() for SMB1 opens
 * and at the SMB2 front end's for the others.
 */
#include "smbd/smb1/smb1.h"
#include "smbd/fs/acl.h"
#include "smbd/fs/brlock.h"
#include "smbd/fs/lease.h"
#include "smbd/fs/oplock.h"
#include "smbd/net/conn.h"

/* NT_CREATE_ANDX and OPEN_ANDX Flags [MS-CIFS §2.2.4.64.1, §2.2.4.41.1] */
#define SMB1_REQUEST_OPLOCK		0x0002u
#define SMB1_REQUEST_OPBATCH		0x0004u
/* NT_CREATE_ANDX OpLockLevel [MS-CIFS §2.2.4.64.2] */
#define SMB1_OPLOCK_NONE		0
#define SMB1_OPLOCK_EXCLUSIVE		1
#define SMB1_OPLOCK_BATCH		2
#define SMB1_OPLOCK_LEVEL_II		3
/* LOCKING_ANDX NewOpLockLevel [MS-CIFS §2.2.4.32.1] */
#define SMB1_NEW_OPLOCK_NONE		0
#define SMB1_NEW_OPLOCK_LEVEL_II	1
/* SMB header Flags of a core OPEN [MS-CIFS §2.2.3.1] */
#define SMB1_HDR_FLAGS_OPLOCK		0x20u
#define SMB1_HDR_FLAGS_OPBATCH		0x40u
/* The MID (and PID) of a break notification */
#define SMB1_MID_OPLOCK_BREAK		0xFFFF

uint8_t smb1_oplock_requested(uint32_t flags)
{
	if (flags & SMB1_REQUEST_OPBATCH) {
		return SMB2_OPLOCK_LEVEL_BATCH;
	}
	if (flags & SMB1_REQUEST_OPLOCK) {
		return SMB2_OPLOCK_LEVEL_EXCLUSIVE;
	}
	return SMB2_OPLOCK_LEVEL_NONE;
}

uint8_t smb1_oplock_core_requested(uint8_t hdr_flags)
{
	if (!(hdr_flags & SMB1_HDR_FLAGS_OPLOCK)) {
		return SMB2_OPLOCK_LEVEL_NONE;
	}
	return (hdr_flags & SMB1_HDR_FLAGS_OPBATCH) ?
	       SMB2_OPLOCK_LEVEL_BATCH : SMB2_OPLOCK_LEVEL_EXCLUSIVE;
}

void smb1_oplock_core_reply(struct smb1_req *r, uint8_t level)
{
	if (level != SMB2_OPLOCK_LEVEL_NONE && r->out.len > 9) {
		/* the header's Flags byte, after "\xffSMB", the command and
		 * the status */
		wire_patch_u8(&r->out, 9, r->out.buf[9] |
			      SMB1_HDR_FLAGS_OPLOCK);
	}
}

uint8_t smb1_oplock_wire_level(uint8_t level)
{
	switch (level) {
	case SMB2_OPLOCK_LEVEL_EXCLUSIVE:
		return SMB1_OPLOCK_EXCLUSIVE;
	case SMB2_OPLOCK_LEVEL_BATCH:
		return SMB1_OPLOCK_BATCH;
	case SMB2_OPLOCK_LEVEL_II:
		return SMB1_OPLOCK_LEVEL_II;
	default:
		return SMB1_OPLOCK_NONE;
	}
}

uint8_t smb1_oplock_grant(struct smb1_req *r, struct smbd_open *op,
			  uint8_t requested, bool level2)
{
	const struct wg_share_cfg *share = r->tree->share;
	size_t others = 0;
	uint8_t max = 0;
	uint8_t level = 0;

	if (op->file == NULL || op->is_dir || op->fd < 0 || !share->oplocks ||
	    share->type != WG_SHARE_DISK ||
	    requested == SMB2_OPLOCK_LEVEL_NONE) {
		return SMB2_OPLOCK_LEVEL_NONE;
	}
	if (smbd_lease_any_handle(op->file, NULL, NULL)) {
		/* an SMB2 lease caching handles: no oplock beside it */
		return SMB2_OPLOCK_LEVEL_NONE;
	}
	max = smbd_oplock_others_max(op->file, op, &others);
	level = smbd_oplock_grant(requested, true, others, max);
	/* level II only to a command that has it (NT_CREATE_ANDX) and a
	 * client that takes it [MS-CIFS §3.2.4.18] */
	if (level == SMB2_OPLOCK_LEVEL_II &&
	    (!level2 || !(r->c1->client_caps & SMB1_CAP_LEVEL_II_OPLOCKS))) {
		level = SMB2_OPLOCK_LEVEL_NONE;
	}
	/* nor beside byte-range locks (as the file system refuses level
	 * II while a file has any: FSCTL_REQUEST_OPLOCK_LEVEL_2;
	 * smbtorture raw.oplock.brl4) */
	if (level == SMB2_OPLOCK_LEVEL_II && op->file->locks != NULL &&
	    brl_count(op->file->locks) > 0) {
		level = SMB2_OPLOCK_LEVEL_NONE;
	}
	if (smbd_oplock_set(op, level) != 0) {
		return SMB2_OPLOCK_LEVEL_NONE;
	}
	return level;
}

void smb1_oplock_ack(struct smbd_open *op, uint8_t new_level)
{
	uint8_t granted = 0;

	if (!smbd_oplock_breaking_open(op)) {
		/* nothing in progress: a late or unsolicited release is
		 * ignored (no reply either way) */
		return;
	}
	/* any level but II is none; the break ends whatever the client
	 * answered, at no more than it offered */
	(void)smbd_oplock_ack(op, new_level == SMB1_NEW_OPLOCK_LEVEL_II ?
			      SMB2_OPLOCK_LEVEL_II : SMB2_OPLOCK_LEVEL_NONE,
			      &granted);
}

/*
 * The break notification [MS-CIFS §3.3.4.2]: a LOCKING_ANDX request on
 * op's TID and FID, OPLOCK_RELEASE with the level now in effect, MID and
 * PID 0xFFFF, unsigned (notifications are exempt from signing).
 */
static void smb1_send_break(struct smbd_conn *conn, struct smbd_open *op,
			    uint8_t level)
{
	struct smbd_session *s = op->tree->sess;
	struct smb1_hdr h = {
		.command = SMB1_COM_LOCKING_ANDX,
		.flags = SMB1_FLAGS_CASE_INSENSITIVE |
			 SMB1_FLAGS_CANONICALIZED_PATHS,
		.flags2 = SMB1_FLAGS2_LONG_NAMES | SMB1_FLAGS2_IS_LONG_NAME |
			  SMB1_FLAGS2_EXTENDED_SECURITY,
		.pid = 0xFFFF,
		.tid = (uint16_t)op->tree->id,
		.uid = (uint16_t)s->id,
		.mid = SMB1_MID_OPLOCK_BREAK,
	};
	struct wire_wr w;

	if (conn->smb1->status32) {
		h.flags2 |= SMB1_FLAGS2_NT_STATUS;
	}
	if (conn->smb1->unicode) {
		h.flags2 |= SMB1_FLAGS2_UNICODE;
	}
	wire_wr_init(&w, conn, 0);
	smb1_hdr_push(&w, &h);
	wire_put_u8(&w, 8);			/* WordCount */
	wire_put_u8(&w, SMB1_COM_NO_ANDX_COMMAND);
	wire_put_u8(&w, 0);			/* AndXReserved */
	wire_put_u16le(&w, 0);			/* AndXOffset */
	wire_put_u16le(&w, (uint16_t)op->fid_volatile);
	wire_put_u8(&w, SMB1_LOCKING_OPLOCK_RELEASE);
	wire_put_u8(&w, level == SMB2_OPLOCK_LEVEL_II ?
			SMB1_NEW_OPLOCK_LEVEL_II : SMB1_NEW_OPLOCK_NONE);
	wire_put_u32le(&w, 0);			/* Timeout */
	wire_put_u16le(&w, 0);			/* NumberOfRequestedUnlocks */
	wire_put_u16le(&w, 0);			/* NumberOfRequestedLocks */
	wire_put_u16le(&w, 0);			/* ByteCount */
	if (wire_wr_error(&w) != 0) {
		talloc_free(w.buf);
		return;
	}
	DBG_DEBUG(VFS, "%s: SMB1 oplock break of %s to %u", conn->peer_addr,
		  op->path, level);
	smbd_conn_send(conn, w.buf, w.len);
}

bool smbd_smb1_oplock_send_break(struct smbd_open *op, uint8_t level)
{
	struct smbd_session *s = op->tree != NULL ? op->tree->sess : NULL;
	struct smbd_conn *conn = s != NULL ? s->conn : NULL;

	if (conn == NULL || conn->smb1 == NULL) {
		return false;
	}
	if (conn->state != SMBD_CONN_ACTIVE) {
		return true;
	}
	if (level == SMB2_OPLOCK_LEVEL_II &&
	    !(conn->smb1->client_caps & SMB1_CAP_LEVEL_II_OPLOCKS)) {
		/* a client without level II oplocks breaks to none: its
		 * acknowledgment (none) ends the break there */
		level = SMB2_OPLOCK_LEVEL_NONE;
	}
	smb1_send_break(conn, op, level);
	return true;
}

static void retry_woken(void *priv)
{
	struct smb1_req *r = priv;

	TALLOC_FREE(r->wait);
	smb1_req_rerun(r);
}

NTSTATUS smb1_req_keep_token(struct smb1_req *r)
{
	const struct se_token *t = NULL;

	if (r->token != NULL) {
		return NT_STATUS_OK;
	}
	t = smbd_acl_token_of(r->tree, r->sess);
	if (t == NULL) {
		return NT_STATUS_OK;
	}
	r->token = smbd_acl_token_hold(r, t);
	return r->token != NULL ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
}

NTSTATUS smb1_oplock_retry(struct smb1_req *r, struct smbd_file *f)
{
	NTSTATUS status = NT_STATUS_OK;

	if (r->cmd == SMB1_COM_TRANSACTION2_SECONDARY ||
	    ++r->break_rounds > SMB1_OPEN_BREAK_ROUNDS) {
		return NT_STATUS_SHARING_VIOLATION;
	}
	status = smb1_req_keep_token(r);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smbd_oplock_wait(r, f, r->conn, retry_woken, r, &r->wait);
	return status == NT_STATUS_OK ? NT_STATUS_PENDING : status;
}
