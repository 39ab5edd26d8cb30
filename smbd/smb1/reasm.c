/*
 * reasm.c - SMB1 transactions whose parameters and data arrive in
 * pieces [MS-CIFS §3.3.5.33, §3.3.5.47, §3.3.5.60]: a TRANS, TRANS2 or
 * NT_TRANSACT primary that does not carry all it announced is kept (an
 * interim response tells the client to send the rest), the
 * TRANSACTION_SECONDARY, TRANSACTION2_SECONDARY and NT_TRANSACT_SECONDARY
 * requests with the same MID, PID, UID and TID fill it in, and the
 * last one runs the whole as one primary message (rebuilt by
 * smb1_trans_rebuild), answered as the primary's command.
 *
 * Budget (SMBD_BUDGET_TRANS_REASSEMBLY, STATUS_INSUFFICIENT_RESOURCES):
 * at most SMB1_MAX_TRANS_PENDING transactions per connection being
 * reassembled, each announcing at most SMB1_MAX_TRANS2 bytes of
 * parameters and data. The pieces are children of the connection's
 * SMB1 state and go with it.
 */
#include "smbd/smb1/smb1.h"

#include <string.h>

struct smb1_trans_pending {
	struct smb1_trans_pending *prev, *next;	/* c1->trans */
	struct smbd_smb1_conn *c1;
	uint8_t cmd;			/* the primary's */
	uint16_t mid, uid, tid;
	uint32_t pid;
	uint8_t hdr[SMB1_HDR_SIZE];
	uint8_t wct;
	uint8_t *words;
	uint8_t *lead;
	size_t nlead;
	uint32_t total_param, total_data;
	uint32_t got_param, got_data;
	uint8_t *param;
	uint8_t *data;
};

static int pending_destructor(struct smb1_trans_pending *p)
{
	struct smbd_smb1_conn *c1 = p->c1;

	if (p->prev != NULL) {
		p->prev->next = p->next;
	} else {
		c1->trans = p->next;
	}
	if (p->next != NULL) {
		p->next->prev = p->prev;
	}
	c1->ntrans--;
	return 0;
}

/* Copy a message's pieces in; false if one overruns or repeats bytes. */
static bool pending_take(struct smb1_trans_pending *p, const uint8_t *msg,
			 const struct smb1_trans_piece *t)
{
	if (t->param_disp > p->total_param ||
	    t->param_count > p->total_param - t->param_disp ||
	    t->data_disp > p->total_data ||
	    t->data_count > p->total_data - t->data_disp ||
	    t->param_count > p->total_param - p->got_param ||
	    t->data_count > p->total_data - p->got_data) {
		return false;
	}
	if (t->param_count > 0) {
		memcpy(p->param + t->param_disp, msg + t->param_off,
		       t->param_count);
	}
	if (t->data_count > 0) {
		memcpy(p->data + t->data_disp, msg + t->data_off,
		       t->data_count);
	}
	p->got_param += t->param_count;
	p->got_data += t->data_count;
	return true;
}

NTSTATUS smb1_trans_start(struct smb1_req *r, const struct smb1_block *b,
			  const struct smb1_trans_piece *t)
{
	struct smbd_smb1_conn *c1 = r->c1;
	struct smb1_trans_pending *p = NULL;
	size_t first = b->end;

	if (c1->ntrans >= SMB1_MAX_TRANS_PENDING) {
		smbd_budget_hit(r->conn->srv, r->conn,
				SMBD_BUDGET_TRANS_REASSEMBLY,
				SMB1_MAX_TRANS_PENDING);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	if ((uint64_t)t->total_param + t->total_data > SMB1_MAX_TRANS2) {
		smbd_budget_hit(r->conn->srv, r->conn,
				SMBD_BUDGET_TRANS_REASSEMBLY, SMB1_MAX_TRANS2);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	for (p = c1->trans; p != NULL; p = p->next) {
		if (p->mid == r->hdr.mid && p->pid == r->hdr.pid &&
		    p->uid == r->hdr.uid && p->tid == r->hdr.tid) {
			/* a MID in use */
			return NT_STATUS_INVALID_PARAMETER;
		}
	}
	/* what the data block holds before the first piece: a Name */
	if (t->param_count > 0 && t->param_off < first) {
		first = t->param_off;
	}
	if (t->data_count > 0 && t->data_off < first) {
		first = t->data_off;
	}
	if (first < b->bytes_off) {
		first = b->bytes_off;
	}
	p = talloc_zero(c1, struct smb1_trans_pending);
	if (p == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	p->c1 = c1;
	p->cmd = r->cmd;
	p->mid = r->hdr.mid;
	p->uid = r->hdr.uid;
	p->tid = r->hdr.tid;
	p->pid = r->hdr.pid;
	memcpy(p->hdr, r->in, SMB1_HDR_SIZE);
	p->wct = b->wct;
	p->nlead = first - b->bytes_off;
	/* one byte more than needed, so that none is an empty allocation */
	p->words = talloc_zero_size(p, 2 * (size_t)b->wct + 1);
	p->lead = talloc_zero_size(p, p->nlead + 1);
	p->total_param = t->total_param;
	p->total_data = t->total_data;
	p->param = talloc_zero_size(p, (size_t)t->total_param + 1);
	p->data = talloc_zero_size(p, (size_t)t->total_data + 1);
	if (p->words == NULL || p->lead == NULL || p->param == NULL ||
	    p->data == NULL) {
		talloc_free(p);
		return NT_STATUS_NO_MEMORY;
	}
	memcpy(p->words, b->words, 2 * (size_t)b->wct);
	memcpy(p->lead, r->in + b->bytes_off, p->nlead);
	if (!pending_take(p, r->in, t)) {
		talloc_free(p);
		return NT_STATUS_INVALID_PARAMETER;
	}
	p->next = c1->trans;
	if (c1->trans != NULL) {
		c1->trans->prev = p;
	}
	c1->trans = p;
	c1->ntrans++;
	talloc_set_destructor(p, pending_destructor);
	/* the interim response: no words, no bytes */
	wire_put_u8(&r->out, 0);
	smb1_bytes_end(r, smb1_bytes_begin(r));
	return NT_STATUS_OK;
}

/* This secondary's pieces, as its command lays them out. */
static int secondary_parse(struct smb1_req *r, const struct smb1_block *b,
			   struct smb1_trans_piece *t)
{
	struct smb1_trans2 t2 = {};
	struct smb1_nttrans nt = {};
	int rc = 0;

	switch (r->cmd) {
	case SMB1_COM_TRANSACTION_SECONDARY:
		rc = smb1_trans_parse(r->in, r->in_len, b, true, &t2);
		smb1_trans2_piece(&t2, t);
		return rc;
	case SMB1_COM_TRANSACTION2_SECONDARY:
		rc = smb1_trans2_parse(r->in, r->in_len, b, true, &t2);
		smb1_trans2_piece(&t2, t);
		return rc;
	default:
		rc = smb1_nttrans_parse(r->in, r->in_len, b, true, &nt);
		smb1_nttrans_piece(&nt, t);
		return rc;
	}
}

/* Run the whole transaction p as its primary command. */
static NTSTATUS run_whole(struct smb1_req *r, struct smb1_trans_pending *p)
{
	struct smb1_block b = {};
	uint8_t *msg = NULL;
	size_t len = 0;
	int rc = smb1_trans_rebuild(r, p->cmd, p->hdr, p->wct, p->words,
				    p->lead, p->nlead, p->param,
				    p->total_param, p->data, p->total_data,
				    &msg, &len);

	if (rc == WIRE_E_TOOBIG) {
		smbd_budget_hit(r->conn->srv, r->conn,
				SMBD_BUDGET_TRANS_REASSEMBLY, SMB1_MAX_TRANS2);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	if (rc != 0 || smb1_block_parse(msg, len, SMB1_HDR_SIZE, &b) != 0) {
		return rc == WIRE_E_NOMEM ? NT_STATUS_NO_MEMORY :
					    NT_STATUS_INVALID_PARAMETER;
	}
	r->in = msg;
	r->in_len = len;
	r->cmd = p->cmd;
	r->hdr.command = p->cmd;
	switch (p->cmd) {
	case SMB1_COM_TRANSACTION:
		return smb1_trans(r, &b);
	case SMB1_COM_TRANSACTION2:
		return smb1_trans2(r, &b);
	default:
		return smb1_nttrans(r, &b);
	}
}

NTSTATUS smb1_trans_secondary(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_smb1_conn *c1 = r->c1;
	struct smb1_trans_pending *p = NULL;
	struct smb1_trans_piece t = {};
	NTSTATUS status = NT_STATUS_OK;

	for (p = c1->trans; p != NULL; p = p->next) {
		if (p->mid == r->hdr.mid && p->pid == r->hdr.pid &&
		    p->uid == r->hdr.uid && p->tid == r->hdr.tid &&
		    p->cmd + 1 == r->cmd) {
			break;
		}
	}
	/* a secondary is never answered on its own [MS-CIFS §3.3.5.47] */
	r->no_reply = true;
	if (p == NULL) {
		return NT_STATUS_OK;
	}
	/* its answer is the transaction's */
	wire_patch_u8(&r->out, 4, p->cmd);
	if (secondary_parse(r, b, &t) != 0 ||
	    t.total_param > p->total_param || t.total_data > p->total_data ||
	    !pending_take(p, r->in, &t)) {
		talloc_free(p);
		r->no_reply = false;
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (p->got_param < p->total_param || p->got_data < p->total_data) {
		return NT_STATUS_OK;
	}
	r->no_reply = false;
	/* the request owns the pieces while it runs (it may wait) */
	talloc_set_destructor(p, NULL);
	(void)pending_destructor(p);
	talloc_steal(r, p);
	status = run_whole(r, p);
	return status;
}
