/*
 * proc.c - the SMB1 front end's entry: which SMB1 NEGOTIATE it takes
 * (an SMB1-only client, when server min protocol = NT1), the NEGOTIATE
 * response [MS-SMB §2.2.4.5.2], the command table, the AndX walk over a
 * request and the reply it builds, its signature [MS-CIFS §3.1.5.1] and
 * ECHO.
 */
#include "smbd/smb1/smb1.h"
#include "smbd/net/conn.h"
#include "smbd/loop.h"
#include "smbd/smb2/session.h"
#include "proto/spnego.h"
#include "proto/utf16.h"
#include "proto/smb1_core.h"

#include <string.h>

struct smb1_row {
	smb1_cmd_fn fn;
	bool need_session;
	bool need_tree;
	/* names an open by its FID: an unknown TID is INVALID_HANDLE */
	bool fid_cmd;
	/* TREE_DISCONNECT: the TID alone names the tree (any UID) */
	bool tid_only;
};

static NTSTATUS smb1_echo(struct smb1_req *r, const struct smb1_block *b);

static const struct smb1_row smb1_cmds[256] = {
	[SMB1_COM_ECHO] = { .fn = smb1_echo },
	[SMB1_COM_SESSION_SETUP_ANDX] = { .fn = smb1_session_setup },
	[SMB1_COM_LOGOFF_ANDX] = { .fn = smb1_logoff, .need_session = true },
	[SMB1_COM_TREE_CONNECT_ANDX] = { .fn = smb1_tree_connect,
					 .need_session = true },
	[SMB1_COM_TREE_DISCONNECT] = { .fn = smb1_tree_disconnect,
				       .need_session = true,
				       .need_tree = true,
				       .tid_only = true },
#define T .need_session = true, .need_tree = true
#define F T, .fid_cmd = true
	[SMB1_COM_NT_CREATE_ANDX] = { .fn = smb1_nt_create, T },
	[SMB1_COM_OPEN_ANDX] = { .fn = smb1_open_andx, T },
	[SMB1_COM_CLOSE] = { .fn = smb1_close, F },
	[SMB1_COM_OPEN_PRINT_FILE] = { .fn = smb1_open_print_file, T },
	[SMB1_COM_WRITE_PRINT_FILE] = { .fn = smb1_write_print_file, F },
	[SMB1_COM_CLOSE_PRINT_FILE] = { .fn = smb1_close_print_file, F },
	[SMB1_COM_READ_ANDX] = { .fn = smb1_read_andx, F },
	[SMB1_COM_WRITE_ANDX] = { .fn = smb1_write_andx, F },
	[SMB1_COM_FLUSH] = { .fn = smb1_flush, F },
	[SMB1_COM_LOCKING_ANDX] = { .fn = smb1_locking_andx, F },
	[SMB1_COM_NT_CANCEL] = { .fn = smb1_nt_cancel },
	[SMB1_COM_CREATE_DIRECTORY] = { .fn = smb1_mkdir, T },
	[SMB1_COM_DELETE_DIRECTORY] = { .fn = smb1_rmdir, T },
	[SMB1_COM_DELETE] = { .fn = smb1_delete, T },
	[SMB1_COM_RENAME] = { .fn = smb1_rename, T },
	[SMB1_COM_CHECK_DIRECTORY] = { .fn = smb1_check_directory, T },
	[SMB1_COM_PROCESS_EXIT] = { .fn = smb1_process_exit,
				     .need_session = true },
	[SMB1_COM_QUERY_INFORMATION] = { .fn = smb1_query_information, T },
	[SMB1_COM_SET_INFORMATION] = { .fn = smb1_set_information, T },
	[SMB1_COM_TRANSACTION] = { .fn = smb1_trans, T },
	[SMB1_COM_TRANSACTION2] = { .fn = smb1_trans2, T },
	[SMB1_COM_TRANSACTION_SECONDARY] = { .fn = smb1_trans_secondary, T },
	[SMB1_COM_TRANSACTION2_SECONDARY] = { .fn = smb1_trans_secondary, T },
	[SMB1_COM_NT_TRANSACT] = { .fn = smb1_nttrans, T },
	[SMB1_COM_NT_TRANSACT_SECONDARY] = { .fn = smb1_trans_secondary, T },
	[SMB1_COM_FIND_CLOSE2] = { .fn = smb1_find_close2, .need_session = true },
	[SMB1_COM_SEARCH] = { .fn = smb1_search, T },
	[SMB1_COM_FIND] = { .fn = smb1_find, T },
	[SMB1_COM_FIND_UNIQUE] = { .fn = smb1_find_unique, T },
	[SMB1_COM_FIND_CLOSE] = { .fn = smb1_find_close, T },
	[SMB1_COM_OPEN] = { .fn = smb1_open, T },
	[SMB1_COM_CREATE] = { .fn = smb1_create, T },
	[SMB1_COM_CREATE_NEW] = { .fn = smb1_create_new, T },
	[SMB1_COM_CREATE_TEMPORARY] = { .fn = smb1_create_temporary, T },
	[SMB1_COM_READ] = { .fn = smb1_read, F },
	[SMB1_COM_WRITE] = { .fn = smb1_write, F },
	[SMB1_COM_LOCK_AND_READ] = { .fn = smb1_lock_and_read, F },
	[SMB1_COM_WRITE_AND_UNLOCK] = { .fn = smb1_write_and_unlock, F },
	[SMB1_COM_WRITE_AND_CLOSE] = { .fn = smb1_write_and_close, F },
	[SMB1_COM_LOCK_BYTE_RANGE] = { .fn = smb1_lock_byte_range, F },
	[SMB1_COM_UNLOCK_BYTE_RANGE] = { .fn = smb1_lock_byte_range, F },
	[SMB1_COM_SEEK] = { .fn = smb1_seek, F },
	[SMB1_COM_SET_INFORMATION2] = { .fn = smb1_set_information2, F },
	[SMB1_COM_QUERY_INFORMATION2] = { .fn = smb1_query_information2, F },
	[SMB1_COM_QUERY_INFORMATION_DISK] = { .fn = smb1_query_information_disk,
					      T },
	[SMB1_COM_IOCTL] = { .fn = smb1_ioctl, T },
	[SMB1_COM_NT_RENAME] = { .fn = smb1_nt_rename, T },
#undef F
#undef T
};

void smb1_put_andx(struct smb1_req *r, uint8_t wct)
{
	wire_put_u8(&r->out, wct);
	wire_put_u8(&r->out, SMB1_COM_NO_ANDX_COMMAND);
	wire_put_u8(&r->out, 0);
	wire_put_u16le(&r->out, 0);	/* AndXOffset: patched if chained */
}

size_t smb1_bytes_begin(struct smb1_req *r)
{
	size_t pos = r->out.len;

	wire_put_u16le(&r->out, 0);
	return pos;
}

void smb1_bytes_end(struct smb1_req *r, size_t pos)
{
	wire_patch_u16le(&r->out, pos, (uint16_t)(r->out.len - pos - 2));
}

void smb1_put_string(struct smb1_req *r, const char *s, bool nul)
{
	/* the reply's FLAGS2_UNICODE is the request's (put_reply_hdr) */
	if (!(wire_le16(r->out.buf + 10) & SMB1_FLAGS2_UNICODE)) {
		wire_put_bytes(&r->out, s, strlen(s));
		if (nul) {
			wire_put_u8(&r->out, 0);
		}
		return;
	}
	wire_put_align(&r->out, 2);
	wire_put_utf16(&r->out, s);
	if (nul) {
		wire_put_u16le(&r->out, 0);
	}
}

static NTSTATUS smb1_echo(struct smb1_req *r, const struct smb1_block *b)
{
	size_t pos = 0;

	if (b->wct < 1) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* one reply whatever EchoCount says: more is an amplifier */
	wire_put_u8(&r->out, 1);
	wire_put_u16le(&r->out, 1);	/* SequenceNumber */
	pos = smb1_bytes_begin(r);
	wire_put_bytes(&r->out, b->bytes, b->bcc);
	smb1_bytes_end(r, pos);
	return NT_STATUS_OK;
}

/* The reply header: the request's ids, flags and the status. */
static void put_reply_hdr(struct smb1_req *r)
{
	struct smb1_hdr h = {
		.command = r->hdr.command,
		.flags = SMB1_FLAGS_REPLY | SMB1_FLAGS_CASE_INSENSITIVE |
			 SMB1_FLAGS_CANONICALIZED_PATHS,
		.flags2 = SMB1_FLAGS2_LONG_NAMES | SMB1_FLAGS2_IS_LONG_NAME |
			  (r->hdr.flags2 & (SMB1_FLAGS2_EXTENDED_SECURITY |
					    SMB1_FLAGS2_UNICODE |
					    SMB1_FLAGS2_NT_STATUS)),
		.pid = r->hdr.pid,
		.tid = r->hdr.tid,
		.uid = r->hdr.uid,
		.mid = r->hdr.mid,
	};

	if (r->c1 != NULL && r->c1->status32) {
		h.flags2 |= SMB1_FLAGS2_NT_STATUS;
	}
	smb1_hdr_push(&r->out, &h);
}

static void set_status(struct smb1_req *r, NTSTATUS status)
{
	uint16_t flags2 = wire_le16(r->out.buf + 10);
	uint8_t eclass = 0;
	uint16_t code = 0;

	if (SMB1_IS_DOS_STATUS(status)) {
		wire_patch_u16le(&r->out, 10, flags2 & ~SMB1_FLAGS2_NT_STATUS);
		wire_patch_u32le(&r->out, 5, ((status >> 16) & 0xFF) |
					     ((status & 0xFFFF) << 16));
		return;
	}
	if (flags2 & SMB1_FLAGS2_NT_STATUS) {
		wire_patch_u32le(&r->out, 5, status);
		return;
	}
	if (status == NT_STATUS_OK) {
		wire_patch_u32le(&r->out, 5, 0);
		return;
	}
	smb1_dos_error(status, &eclass, &code);
	wire_patch_u32le(&r->out, 5, (uint32_t)eclass | ((uint32_t)code << 16));
}

/* Sign (when active) and queue the reply. */
static void send_reply(struct smb1_req *r, uint32_t seq)
{
	struct smbd_smb1_conn *c1 = r->c1;

	wire_patch_u16le(&r->out, 28, r->out_uid);
	wire_patch_u16le(&r->out, 24, r->out_tid);
	if (wire_wr_error(&r->out) != 0) {
		talloc_free(r->out.buf);
		smbd_conn_terminate(r->conn, "SMB1 reply: no memory");
		return;
	}
	if (c1 != NULL && c1->signing) {
		wire_patch_u16le(&r->out, 10, wire_le16(r->out.buf + 10) |
				 SMB1_FLAGS2_SMB_SECURITY_SIGNATURE);
		smb1_sign(c1->mac_key, c1->mac_key_len, r->out.buf,
			  r->out.len, seq);
	}
	smbd_conn_send(r->conn, talloc_steal(r->conn, r->out.buf), r->out.len);
	r->out.buf = NULL;
}

static struct smbd_session *find_session(struct smbd_conn *conn,
					 uint16_t uid)
{
	struct smbd_session *s = NULL;

	for (s = conn->sessions; s != NULL; s = s->next) {
		if ((uint16_t)s->id == uid) {
			return s;
		}
	}
	return NULL;
}

/* What the row needs, resolved from the header's UID and TID. */
static NTSTATUS resolve(struct smb1_req *r, const struct smb1_row *row)
{
	if (!row->need_session) {
		return NT_STATUS_OK;
	}
	r->sess = find_session(r->conn, r->out_uid);
	if (r->sess != NULL && r->sess->state != SMBD_SESS_VALID) {
		r->sess = NULL;
	}
	if (row->tid_only) {
		/* a TID is the connection's: TREE_DISCONNECT needs no valid
		 * UID (Windows; smbtorture raw.context.tree_ulogoff) and
		 * answers an unknown one ERRSRV/ERRinvtid [MS-CIFS
		 * 2.2.4.51.2] */
		r->tree = smb1_tree_find(r->conn, r->sess, r->out_tid);
		if (r->tree == NULL && r->sess == NULL) {
			r->tree = smb1_tree_find(r->conn, NULL, r->out_tid);
		}
		return r->tree != NULL ? NT_STATUS_OK :
		       SMB1_DOS_STATUS(SMB1_ERRSRV, SMB1_ERRinvtid);
	}
	if (r->sess == NULL && row->fid_cmd) {
		/* a FID serves only the UID that opened it, and a LOGOFF
		 * closed those: the FID is what is invalid (Windows) */
		return NT_STATUS_INVALID_HANDLE;
	}
	if (r->sess == NULL) {
		/* in DOS form, as Windows (smbtorture raw.context) */
		return SMB1_DOS_STATUS(SMB1_ERRSRV, SMB1_ERRbaduid);
	}
	r->sess->last_activity = r->conn->last_activity;
	if (!row->need_tree) {
		return NT_STATUS_OK;
	}
	r->tree = smb1_tree_find(r->conn, r->sess, r->out_tid);
	if (r->tree == NULL && row->fid_cmd) {
		/*
		 * FIDs belong to the connection [MS-CIFS 3.3.1.3
		 * FileOpenTable] and a TREE_DISCONNECT closed the opens
		 * of its tree, so the FID is what is invalid (Windows,
		 * smbtorture raw.context.tree)
		 */
		return NT_STATUS_INVALID_HANDLE;
	}
	if (r->tree == NULL) {
		return NT_STATUS_NETWORK_NAME_DELETED;
	}
	return NT_STATUS_OK;
}

static void chain_run(struct smb1_req *r, NTSTATUS status, bool resumed);

NTSTATUS smb1_req_reresolve(struct smb1_req *r)
{
	static const struct smb1_row tree_row = {
		.need_session = true,
		.need_tree = true,
	};

	r->sess = NULL;
	r->tree = NULL;
	return resolve(r, &tree_row);
}

/* Answer the request once its chain is over, and free it. */
static void chain_finish(struct smb1_req *r, int rc, NTSTATUS status)
{
	struct smbd_conn *conn = r->conn;

	if (rc == WIRE_E_TOOBIG) {
		smbd_budget_hit(NULL, conn, SMBD_BUDGET_ANDX_CHAIN,
				SMB1_MAX_ANDX);
		status = NT_STATUS_INSUFFICIENT_RESOURCES;
	} else if (rc < 0 && r->it.n == 0) {
		DBG_CLIENT(PROTO, "%s: malformed SMB1 request: %s",
			   conn->peer_addr, wire_strerror(rc));
		wire_put_u8(&r->out, 0);
		wire_put_u16le(&r->out, 0);
		status = NT_STATUS_INVALID_PARAMETER;
	} else if (rc < 0) {
		status = NT_STATUS_INVALID_PARAMETER;
	}
	if (!r->no_reply) {
		set_status(r, status);
		/* the final SESSION_SETUP reply is the first signed message */
		send_reply(r, r->sign_new != NULL ? 1 : r->seq + 1);
	}
	talloc_free(r);
}

void smb1_req_done(struct smb1_req *r, NTSTATUS status)
{
	r->pending = false;
	chain_run(r, status, true);
}

void smb1_req_rerun(struct smb1_req *r)
{
	const struct smb1_row *row = &smb1_cmds[r->cmd];
	NTSTATUS status = NT_STATUS_OK;

	smbd_loop_site(SMBD_SITE_SMB1 + r->cmd);
	r->out.len = r->start;
	r->keep_block = false;
	status = resolve(r, row);
	if (status == NT_STATUS_OK) {
		status = row->fn(r, &r->blk);
	}
	if (status != NT_STATUS_PENDING) {
		smb1_req_done(r, status);
	}
}

/*
 * Run the AndX chain from where it stands; resumed: the current command
 * (r->cmd, its reply block at r->start) just ended with status.
 */
static void chain_run(struct smb1_req *r, NTSTATUS status, bool resumed)
{
	struct smb1_block b = {};
	uint8_t cmd = 0;
	int rc = 0;

	for (;;) {
		if (!resumed) {
			const struct smb1_row *row = NULL;

			rc = smb1_andx_next(&r->it, &cmd, &b);
			if (rc != 1) {
				break;
			}
			rc = 0;
			row = &smb1_cmds[cmd];
			r->cmd = cmd;
			r->start = r->out.len;
			if (r->andx_at != 0) {
				/* link the previous reply block to this one */
				wire_patch_u8(&r->out, r->andx_at + 1, cmd);
				wire_patch_u16le(&r->out, r->andx_at + 3,
						 (uint16_t)r->start);
			}
			if (row->fn == NULL) {
				DBG_CLIENT(PROTO, "%s: SMB1 command 0x%02x not "
					   "served", r->conn->peer_addr, cmd);
				status = NT_STATUS_NOT_IMPLEMENTED;
			} else {
				status = resolve(r, row);
				if (status == NT_STATUS_OK) {
					r->blk = b;
					status = row->fn(r, &r->blk);
				}
			}
			if (status == NT_STATUS_PENDING) {
				/* smb1_req_done() goes on from here */
				r->pending = true;
				return;
			}
		}
		resumed = false;
		if (status != NT_STATUS_OK &&
		    status != NT_STATUS_MORE_PROCESSING_REQUIRED &&
		    !r->keep_block) {
			r->out.len = r->start;
			wire_put_u8(&r->out, 0);
			wire_put_u16le(&r->out, 0);
			break;
		}
		if (!smb1_is_andx(r->cmd) || status != NT_STATUS_OK) {
			break;
		}
		r->andx_at = r->start;
		/* later commands of the chain act on what this one made */
		r->hdr.uid = r->out_uid;
		r->hdr.tid = r->out_tid;
	}
	chain_finish(r, rc, status);
}

/* Run the AndX chain of one request (buf stolen) and answer it. */
static void process(struct smbd_conn *conn, uint8_t *buf, size_t len)
{
	struct smbd_smb1_conn *c1 = conn->smb1;
	struct smb1_req *r = talloc_zero(conn, struct smb1_req);

	if (r == NULL) {
		talloc_free(buf);
		smbd_conn_terminate(conn, "no memory");
		return;
	}
	r->conn = conn;
	r->c1 = c1;
	r->in = talloc_steal(r, buf);
	r->in_len = len;
	if (smb1_hdr_parse(buf, len, &r->hdr) != 0 ||
	    (r->hdr.flags & SMB1_FLAGS_REPLY)) {
		talloc_free(r);
		smbd_conn_terminate(conn, "bad SMB1 header");
		return;
	}
	if (r->hdr.command == SMB1_COM_NEGOTIATE) {
		talloc_free(r);
		smbd_conn_terminate(conn, "SMB1 NEGOTIATE again");
		return;
	}
	smbd_loop_site(SMBD_SITE_SMB1 + r->hdr.command);
	if (c1->signing) {
		r->seq = c1->seq;
		/* NT_CANCEL takes a number but is not answered */
		c1->seq += r->hdr.command == SMB1_COM_NT_CANCEL ? 1 : 2;
		if (!smb1_check(c1->mac_key, c1->mac_key_len, buf, len,
				r->seq)) {
			DBG_CLIENT(AUTH, "%s: bad SMB1 signature (mid %u)",
				   conn->peer_addr, r->hdr.mid);
			talloc_free(r);
			smbd_conn_terminate(conn, "bad SMB1 signature");
			return;
		}
	}
	r->unicode = (r->hdr.flags2 & SMB1_FLAGS2_UNICODE) != 0;
	r->out_uid = r->hdr.uid;
	r->out_tid = r->hdr.tid;
	wire_wr_init(&r->out, r, 0);
	put_reply_hdr(r);
	smb1_andx_start(&r->it, buf, len, r->hdr.command, SMB1_MAX_ANDX);
	chain_run(r, NT_STATUS_OK, false);
}

/*
 * NEGOTIATE [MS-CIFS §3.3.5.2, MS-SMB §3.3.5.2]: NT LM 0.12 with
 * extended security (the SPNEGO hint names NTLMSSP), or, for a client
 * that does not ask for it, an 8-byte challenge.
 */
static void negotiate(struct smbd_conn *conn, uint8_t *buf, size_t len,
		      const struct smb1_hdr *h, int nt1)
{
	const struct wg_config *cfg = conn->srv->cfg;
	struct smbd_smb1_conn *c1 = talloc_zero(conn, struct smbd_smb1_conn);
	struct smb1_req r = {
		.conn = conn,
		.c1 = c1,
		.in = buf,
		.in_len = len,
		.hdr = *h,
	};
	uint32_t caps = SMB1_CAP_UNICODE | SMB1_CAP_LARGE_FILES |
			SMB1_CAP_NT_SMBS | SMB1_CAP_STATUS32 |
			SMB1_CAP_NT_FIND | SMB1_CAP_LARGE_READX |
			SMB1_CAP_LEVEL_II_OPLOCKS | SMB1_CAP_LOCK_AND_READ |
			SMB1_CAP_LARGE_WRITEX | SMB1_CAP_EXTENDED_SECURITY;
	uint8_t secmode = SMB1_NEGOTIATE_USER_SECURITY |
			  SMB1_NEGOTIATE_ENCRYPT_PASSWORDS |
			  SMB1_NEGOTIATE_SIGNATURES_ENABLED;
	uint64_t now = smbd_nt_now();
	size_t pos = 0;

	if (c1 == NULL) {
		smbd_conn_terminate(conn, "no memory");
		return;
	}
	if (!(h->flags2 & SMB1_FLAGS2_EXTENDED_SECURITY)) {
		/* challenge/response in SESSION_SETUP (sesssetup.c) */
		caps &= ~SMB1_CAP_EXTENDED_SECURITY;
	}
	if (cfg->signing_mandatory) {
		secmode |= SMB1_NEGOTIATE_SIGNATURES_REQUIRED;
	}
	c1->unicode = true;
	c1->status32 = true;
	conn->smb1 = c1;
	conn->dialect = 0;
	conn->state = SMBD_CONN_ACTIVE;
	conn->max_trans = 64 * 1024;
	conn->max_read = 64 * 1024;
	conn->max_write = 128 * 1024;
	wire_wr_init(&r.out, conn, 0);
	r.hdr.flags2 |= SMB1_FLAGS2_NT_STATUS | SMB1_FLAGS2_UNICODE;
	put_reply_hdr(&r);
	wire_put_u8(&r.out, 17);
	wire_put_u16le(&r.out, (uint16_t)nt1);
	wire_put_u8(&r.out, secmode);
	wire_put_u16le(&r.out, 50);		/* MaxMpxCount */
	wire_put_u16le(&r.out, 1);		/* MaxNumberVcs */
	wire_put_u32le(&r.out, SMB1_MAX_BUFFER);
	wire_put_u32le(&r.out, 64 * 1024);	/* MaxRawSize */
	wire_put_u32le(&r.out, 0);		/* SessionKey */
	wire_put_u32le(&r.out, caps);
	wire_put_u64le(&r.out, now);
	wire_put_u16le(&r.out, 0);		/* ServerTimeZone: UTC */
	if (!(caps & SMB1_CAP_EXTENDED_SECURITY)) {
		if (smb1_negotiate_challenge(&r) != NT_STATUS_OK) {
			talloc_free(r.out.buf);
			smbd_conn_terminate(conn, "no random challenge");
			return;
		}
	} else {
		wire_put_u8(&r.out, 0);		/* ChallengeLength */
		pos = smb1_bytes_begin(&r);
		wire_put_bytes(&r.out, conn->srv->server_guid, 16);
		spnego_push_neg_token_init2(&r.out);
		smb1_bytes_end(&r, pos);
	}
	r.out_uid = h->uid;
	r.out_tid = h->tid;
	set_status(&r, NT_STATUS_OK);
	send_reply(&r, 0);
	DBG_INFO(PROTO, "%s: SMB1 NT LM 0.12 negotiated", conn->peer_addr);
}

bool smbd_smb1_frame(struct smbd_conn *conn, uint8_t *buf, size_t len)
{
	const struct wg_config *cfg = conn->srv->cfg;
	struct smb1_hdr h = {};
	struct smb1_block b = {};
	struct smb1_dialects d = {};

	if (conn->smb1 != NULL) {
		process(conn, buf, len);
		return true;
	}
	if (conn->state != SMBD_CONN_NEGOTIATE || conn->smb1_upgraded ||
	    smb1_hdr_parse(buf, len, &h) != 0 ||
	    h.command != SMB1_COM_NEGOTIATE ||
	    smb1_block_parse(buf, len, SMB1_HDR_SIZE, &b) != 0 ||
	    smb1_parse_dialects(b.bytes, b.bcc, &d) != 0 || d.smb2) {
		return false;	/* the SMB2 path answers or refuses it */
	}
	if (!cfg->smb1_enabled || d.nt1 < 0) {
		conn->srv->stats.smb1_refused++;
		WG_LOG_RL(WG_LOG_NOTICE, WG_CLS_PROTO,
			  "%s: SMB1-only client refused: %s",
			  conn->peer_addr, !cfg->smb1_enabled ?
			  "SMB1 is off (server min protocol = NT1 enables "
			  "it)" : "no NT LM 0.12 dialect");
		smbd_conn_end(conn, SMBD_END_ERROR, "SMB1 only");
		talloc_free(buf);
		return true;
	}
	negotiate(conn, buf, len, &h, d.nt1);
	talloc_free(buf);
	return true;
}
