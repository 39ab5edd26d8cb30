/*
 * notify.c - SMB2 CHANGE_NOTIFY [MS-SMB2 §2.2.35, §2.2.36, §3.3.5.19;
 * MS-FSCC §2.4.42 FILE_NOTIFY_INFORMATION; MS-FSA §2.1.5.11].
 *
 * The first CHANGE_NOTIFY on a directory open starts watching it (the
 * change-watch engine, fs/watch.c, with inotify); from then on changes
 * are collected for that open (also while no request is pending, as
 * Windows does) until it is closed. A request
 * is answered at once if changes are waiting, otherwise it goes async
 * (interim STATUS_PENDING), is parked in op->notify and ends when
 *  - a change arrives: the collected FILE_NOTIFY_INFORMATION records, or
 *    STATUS_NOTIFY_ENUM_DIR if they do not fit in the client's buffer or
 *    the kernel queue overflowed ("re-read the directory");
 *  - the client cancels it: STATUS_CANCELLED (notify_cancel());
 *  - the open is closed: STATUS_NOTIFY_CLEANUP, from the request's
 *    attachment on the open, which the open's destructor runs first of
 *    all (fs/open.h, SMBD_OPEN_STAGE_REQUESTS);
 *  - the directory becomes delete-pending: STATUS_DELETE_PENDING, when
 *    someone calls smbd_file_signal_delete_pending() (fs/open.h), which
 *    runs the same attachment's delete_pending callback.
 * As on Windows, the first request's CompletionFilter and buffer size
 * hold for the life of the open.
 *
 * Requests parked on one open are answered oldest first, each with the
 * changes collected since the one before it (smbtorture
 * smb2.notify.mask-change parks two).
 *
 * Limits, documented rather than hidden: inotify sees a directory's own
 * entries only, so WATCH_TREE (the first request's, like the filter)
 * reports changes deeper down only when the server itself makes them
 * (smbd_watch_report(), fs/watch.h), not those of local programs;
 * renames within a directory pair up as RENAMED_OLD/NEW_NAME, moves in
 * or out show as ADDED/REMOVED; names a client could not open are not
 * reported.
 *
 * Budgets (SMBD_BUDGET_NOTIFIES, STATUS_INSUFFICIENT_RESOURCES): a
 * connection may have 'max pending notifies' (cfg->max_pending_notifies,
 * default 256) requests parked and as many directory opens watched (each
 * holds an inotify watch, a kernel resource shared by the whole server,
 * fs.inotify.max_user_watches). The engine bounds the changes it keeps
 * per watch (watch.h); past that the answer is STATUS_NOTIFY_ENUM_DIR
 * [MS-SMB2 §3.3.4.4], so a client that never re-arms holds at most that
 * much per watch.
 *
 * Lifetimes: the request (child of the connection) and the open (child
 * of its tree) can go away in either order, e.g. during connection
 * teardown. A small link object under the request holds an attachment
 * on the open (fs/open.h); whichever goes first unhooks the other: the
 * request's link takes the attachment with it, the open's destructor
 * runs the attachment, which forgets the open. The watches are children
 * of the opens (watch.c).
 */
#include "smbd/smbd.h"
#include "smbd/fs/open.h"
#include "smbd/fs/watch.h"
#include "smbd/smb2/cmd/cmd.h"

#define NOTIFY_RESP_FIXED	8	/* StructureSize, offset, length */
#define NT_STATUS_NOTIFY_CLEANUP	0x0000010Bu

struct notify_args {
	uint16_t flags;		/* SMB2_WATCH_TREE */
	uint32_t out_len;
	uint64_t fid_p, fid_v;
	uint32_t filter;
};

static const struct smbd_open_att_ops notify_att_ops;

/*
 * A parked request's link to its open: a talloc child of the request,
 * with an attachment on the open (fs/open.h) as its own child.
 */
struct notify_link {
	struct smbd_open *op;		/* NULL once the open is gone */
	struct smbd_req *req;
	struct smbd_conn *conn;		/* counted in conn->nnotifies */
	/* op's parked requests, oldest first; op->notify is the oldest's */
	struct notify_link *prev, *next;
	bool parked;
};

/* The oldest parked request's link on op, or NULL. */
static struct notify_link *notify_head(struct smbd_open *op)
{
	struct smbd_open_att *a = NULL;
	struct notify_link *l = NULL;

	if (op->notify == NULL) {
		return NULL;
	}
	a = smbd_open_att_find(op, &notify_att_ops);
	l = a != NULL ? smbd_open_att_priv(a) : NULL;
	while (l != NULL && l->prev != NULL) {
		l = l->prev;
	}
	return l;
}

/* Take l off its open's parked list (op->notify follows). */
static void notify_unpark(struct notify_link *l)
{
	if (!l->parked) {
		return;
	}
	l->parked = false;
	if (l->prev != NULL) {
		l->prev->next = l->next;
	}
	if (l->next != NULL) {
		l->next->prev = l->prev;
	}
	if (l->op != NULL && l->op->notify == l->req) {
		l->op->notify = l->next != NULL ? l->next->req : NULL;
	}
	l->prev = l->next = NULL;
}

/* Park l last on its open's list. */
static void notify_park(struct notify_link *l)
{
	struct notify_link *t = notify_head(l->op);

	while (t != NULL && t->next != NULL) {
		t = t->next;
	}
	l->prev = t;
	l->next = NULL;
	if (t != NULL) {
		t->next = l;
	} else {
		l->op->notify = l->req;
	}
	l->parked = true;
}

/* ---- request <-> open link ---- */

/*
 * Request side going away (completed or torn down): forget it. The
 * attachment, a child of the link, goes with it, so that a long-lived
 * handle re-arming its watch does not pile them up.
 */
static int notify_link_destructor(struct notify_link *l)
{
	l->conn->nnotifies--;
	notify_unpark(l);
	return 0;
}

/*
 * The open is going (its destructor, SMBD_OPEN_STAGE_REQUESTS: before
 * its locks go and its fd is closed): the request must not reach it any
 * more, and if it is still parked there it ends with
 * STATUS_NOTIFY_CLEANUP.
 */
static void notify_open_closed(struct smbd_open *op, void *priv)
{
	struct notify_link *l = priv;
	struct smbd_req *req = l->req;

	if (!l->parked) {
		l->op = NULL;
		return;
	}
	notify_unpark(l);
	l->op = NULL;
	smbd_req_done(req, NT_STATUS_NOTIFY_CLEANUP);
}

/*
 * The directory became delete-pending: a parked request ends with
 * STATUS_DELETE_PENDING [MS-FSA §2.1.5.11] (smbtorture
 * smb2.notify.rmdir*).
 */
static void notify_open_delete_pending(struct smbd_open *op, void *priv)
{
	struct notify_link *l = priv;
	struct smbd_req *req = l->req;

	if (!l->parked) {
		return;
	}
	notify_unpark(l);
	smbd_req_done(req, NT_STATUS_DELETE_PENDING);
}

static const struct smbd_open_att_ops notify_att_ops = {
	.close = notify_open_closed,
	.delete_pending = notify_open_delete_pending,
};

static void notify_cancel(struct smbd_req *req, void *priv)
{
	struct notify_link *l = priv;

	notify_unpark(l);
	smbd_req_done(req, NT_STATUS_CANCELLED);
}

/* Link req to op (a child of req holding an attachment on op). */
static NTSTATUS notify_link(struct smbd_req *req, struct smbd_open *op,
			    struct notify_link **out)
{
	struct notify_link *l = talloc_zero(req, struct notify_link);

	if (l == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	l->op = op;
	l->req = req;
	l->conn = req->conn;
	if (smbd_open_attach(l, op, SMBD_OPEN_STAGE_REQUESTS, &notify_att_ops,
			     l) == NULL) {
		talloc_free(l);
		return NT_STATUS_NO_MEMORY;
	}
	req->conn->nnotifies++;
	talloc_set_destructor(l, notify_link_destructor);
	*out = l;
	return NT_STATUS_OK;
}


/* ---- answering ---- */

/*
 * Write the CHANGE_NOTIFY response for w's collected changes and forget
 * them. Returns the status to answer with.
 */
static NTSTATUS notify_answer(struct smbd_req *req, struct smbd_watch *w,
			      uint32_t out_len)
{
	struct wire_wr *o = &req->out;
	size_t base = o->len;
	NTSTATUS status = NT_STATUS_OK;

	wire_put_u16le(o, 9);		/* StructureSize */
	wire_put_u16le(o, (uint16_t)(SMBD_OUT_OFF(req) + 6));
	wire_put_u32le(o, 0);		/* OutputBufferLength */
	status = smbd_watch_take(w, out_len, o);
	if (o->len == base + NOTIFY_RESP_FIXED) {
		wire_put_u8(o, 0);	/* StructureSize 9 counts one byte */
	} else {
		wire_patch_u32le(o, base + 4, (uint32_t)(o->len - base -
							  NOTIFY_RESP_FIXED));
	}
	if (wire_wr_error(o) != 0) {
		o->len = base;
		return NT_STATUS_NO_MEMORY;
	}
	return status;
}

/*
 * The watch engine's callback (watch.h): op's watch has something, so
 * complete op's parked request, if any, with it.
 */
static void notify_watch_ready(struct smbd_watch *w, struct smbd_open *op)
{
	struct notify_link *l = notify_head(op);
	struct smbd_req *req = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (l == NULL) {
		return;
	}
	req = l->req;
	notify_unpark(l);
	status = notify_answer(req, w, smbd_watch_max_len(w));
	smbd_req_done(req, status);
}

/* ---- the command ---- */

static NTSTATUS notify_parse(struct smbd_req *req, struct notify_args *a)
{
	struct wire_rd r = req->in;

	if (wire_skip(&r, 2) != 0 ||		/* StructureSize */
	    wire_get_u16le(&r, &a->flags) != 0 ||
	    wire_get_u32le(&r, &a->out_len) != 0 ||
	    smbd_pull_fid(&r, &a->fid_p, &a->fid_v) != 0 ||
	    wire_get_u32le(&r, &a->filter) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	return NT_STATUS_OK;
}

NTSTATUS smbd_smb2_change_notify(struct smbd_req *req)
{
	struct notify_link *l = NULL;
	struct smbd_open *op = NULL;
	struct smbd_watch *w = NULL;
	struct notify_args a = {};
	NTSTATUS status = NT_STATUS_OK;

	status = notify_parse(req, &a);
	if (status == NT_STATUS_OK) {
		status = smbd_req_open(req, a.fid_p, a.fid_v, &op);
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (!op->is_dir || op->fd < 0 || a.out_len > req->conn->max_trans) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if ((op->access & FILE_LIST_DIRECTORY) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (op->file != NULL && op->file->delete_pending) {
		return NT_STATUS_DELETE_PENDING;
	}
	status = smbd_watch_get(op, req->conn, a.filter,
				(a.flags & SMB2_WATCH_TREE) != 0, a.out_len,
				notify_watch_ready, &w);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (w != NULL && smbd_watch_ready(w)) {
		return notify_answer(req, w, a.out_len);
	}
	if (req->conn->nnotifies >= smbd_watch_limit(req->conn)) {
		smbd_budget_hit(req->conn->srv, req->conn,
				SMBD_BUDGET_NOTIFIES,
				smbd_watch_limit(req->conn));
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	status = notify_link(req, op, &l);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smbd_req_go_async(req, notify_cancel, l);
	if (status != NT_STATUS_PENDING) {
		talloc_free(l);	/* the link and its attachment */
		return status;
	}
	notify_park(l);
	return status;
}
