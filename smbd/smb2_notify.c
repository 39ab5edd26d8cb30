/*
 * smb2_notify.c - SMB2 CHANGE_NOTIFY [MS-SMB2 §2.2.35, §2.2.36, §3.3.5.19].
 *
 * For now a watch never fires: the request goes async (interim
 * STATUS_PENDING), is parked in op->notify and ends when
 *  - the client cancels it: STATUS_CANCELLED (notify_cancel() below);
 *  - the open is closed: STATUS_NOTIFY_CLEANUP, sent by the open's
 *    destructor (smb2_create.c), which reads op->notify.
 * That is enough for Explorer, smbclient "notify" and cifs.ko, which
 * keep one watch per directory handle and re-read the directory when
 * they choose to.
 *
 * One pending request per open: a second one while the first is parked
 * fails with STATUS_INVALID_PARAMETER (op->notify holds one request, and
 * no client we target sends two).
 *
 * Lifetimes: the request (child of the connection) and the open (child
 * of its tree) can go away in either order, e.g. during connection
 * teardown. Two small link objects, one under each, point at each other;
 * whichever is freed first unhooks the other, so neither side ever
 * follows a pointer to freed memory.
 */
#include "smbd.h"

#define NOTIFY_FILTER_ALL	0x00000FFFu	/* FILE_NOTIFY_CHANGE_* */

/* One half of the req <-> open link. */
struct notify_link {
	struct notify_link *peer;	/* the other half, NULL once gone */
	struct smbd_open *op;
	struct smbd_req *req;
};

/* Request side going away (completed or torn down): forget it. */
static int notify_req_link_destructor(struct notify_link *l)
{
	if (l->peer == NULL) {
		return 0;	/* the open is already gone */
	}
	if (l->op->notify == l->req) {
		l->op->notify = NULL;
	}
	l->peer->peer = NULL;
	return 0;
}

/* Open side going away: the request must not reach the open any more. */
static int notify_open_link_destructor(struct notify_link *l)
{
	if (l->peer != NULL) {
		l->peer->peer = NULL;
	}
	return 0;
}

static void notify_cancel(struct smbd_req *req)
{
	struct notify_link *l = req->cancel_priv;

	req->cancel_fn = NULL;
	req->cancel_priv = NULL;
	if (l != NULL && l->peer != NULL && l->op->notify == req) {
		l->op->notify = NULL;
	}
	smbd_req_done(req, NT_STATUS_CANCELLED);
}

static NTSTATUS notify_link(struct smbd_req *req, struct smbd_open *op)
{
	struct notify_link *rl = talloc_zero(req, struct notify_link);
	struct notify_link *ol = talloc_zero(op, struct notify_link);

	if (rl == NULL || ol == NULL) {
		talloc_free(rl);
		talloc_free(ol);
		return NT_STATUS_NO_MEMORY;
	}
	rl->op = ol->op = op;
	rl->req = ol->req = req;
	rl->peer = ol;
	ol->peer = rl;
	talloc_set_destructor(rl, notify_req_link_destructor);
	talloc_set_destructor(ol, notify_open_link_destructor);
	req->cancel_priv = rl;
	return NT_STATUS_OK;
}

NTSTATUS smbd_smb2_change_notify(struct smbd_req *req)
{
	struct wire_rd r = req->in;
	struct smbd_open *op = NULL;
	uint16_t flags = 0;
	uint32_t out_len = 0, filter = 0;
	uint64_t fid_p = 0, fid_v = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (wire_skip(&r, 2) != 0 ||		/* StructureSize */
	    wire_get_u16le(&r, &flags) != 0 ||	/* WATCH_TREE: unused */
	    wire_get_u32le(&r, &out_len) != 0 ||
	    smbd_pull_fid(&r, &fid_p, &fid_v) != 0 ||
	    wire_get_u32le(&r, &filter) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = smbd_req_open(req, fid_p, fid_v, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (!op->is_dir || (filter & NOTIFY_FILTER_ALL) == 0 ||
	    out_len > req->conn->max_trans || op->notify != NULL) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if ((op->access & FILE_LIST_DIRECTORY) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	status = notify_link(req, op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smbd_req_go_async(req);
	if (status != NT_STATUS_OK) {
		struct notify_link *rl = req->cancel_priv;

		talloc_free(rl->peer);	/* the open's half */
		talloc_free(rl);
		req->cancel_priv = NULL;
		return status;
	}
	op->notify = req;
	req->cancel_fn = notify_cancel;
	return SMBD_ASYNC;
}
