/*
 * smb2_notify.c - SMB2 CHANGE_NOTIFY [MS-SMB2 §2.2.35, §2.2.36, §3.3.5.19;
 * MS-FSCC §2.4.42 FILE_NOTIFY_INFORMATION; MS-FSA §2.1.5.11].
 *
 * The first CHANGE_NOTIFY on a directory open starts watching it with
 * inotify; from then on changes are collected for that open (also while
 * no request is pending, as Windows does) until it is closed. A request
 * is answered at once if changes are waiting, otherwise it goes async
 * (interim STATUS_PENDING), is parked in op->notify and ends when
 *  - a change arrives: the collected FILE_NOTIFY_INFORMATION records, or
 *    STATUS_NOTIFY_ENUM_DIR if they do not fit in the client's buffer or
 *    the kernel queue overflowed ("re-read the directory");
 *  - the client cancels it: STATUS_CANCELLED (notify_cancel());
 *  - the open is closed: STATUS_NOTIFY_CLEANUP, sent by the open's
 *    destructor (smb2_create.c), which reads op->notify;
 *  - the directory becomes delete-pending: STATUS_DELETE_PENDING, when
 *    someone calls smbd_notify_delete_pending() (notify.h).
 * As on Windows, the first request's CompletionFilter and buffer size
 * hold for the life of the open.
 *
 * Limits, documented rather than hidden: WATCH_TREE is accepted but only
 * the directory itself is watched (inotify is not recursive); renames
 * within the directory pair up as RENAMED_OLD/NEW_NAME, moves in or out
 * show as ADDED/REMOVED; names a client could not open are not reported.
 * One pending request per open: a second one while the first is parked
 * fails with STATUS_INVALID_PARAMETER (no client we target sends two).
 *
 * Budgets (SMBD_BUDGET_NOTIFIES, STATUS_INSUFFICIENT_RESOURCES): a
 * connection may have 'max pending notifies' (cfg->max_pending_notifies,
 * default 256) requests parked and as many directory opens watched (each
 * holds an inotify watch, a kernel resource shared by the whole server,
 * fs.inotify.max_user_watches). Changes collected for an open are kept
 * as the FILE_NOTIFY_INFORMATION records they will be sent as, at most
 * NOTIFY_MAX_CHANGES of them in at most min(its OutputBufferLength,
 * NOTIFY_MAX_BYTES) bytes; past that the queue is dropped and the next
 * answer is STATUS_NOTIFY_ENUM_DIR [MS-SMB2 §3.3.4.4], so a client that
 * never re-arms holds at most that much per watch.
 *
 * Lifetimes: the request (child of the connection) and the open (child
 * of its tree) can go away in either order, e.g. during connection
 * teardown. Two small link objects, one under each, point at each other;
 * whichever is freed first unhooks the other. The inotify state hangs off
 * the server and forgets its watches (children of the opens) the same
 * way.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "smbd/smbd.h"
#include "smbd/fs/notify.h"
#include "proto/utf16.h"

/* CompletionFilter bits [MS-SMB2 §2.2.35] */
#define FILE_NOTIFY_CHANGE_FILE_NAME	0x00000001u
#define FILE_NOTIFY_CHANGE_DIR_NAME	0x00000002u
#define FILE_NOTIFY_CHANGE_ATTRIBUTES	0x00000004u
#define FILE_NOTIFY_CHANGE_SIZE		0x00000008u
#define FILE_NOTIFY_CHANGE_LAST_WRITE	0x00000010u
#define FILE_NOTIFY_CHANGE_LAST_ACCESS	0x00000020u
#define FILE_NOTIFY_CHANGE_CREATION	0x00000040u
#define FILE_NOTIFY_CHANGE_EA		0x00000080u
#define FILE_NOTIFY_CHANGE_SECURITY	0x00000100u

/* FILE_NOTIFY_INFORMATION.Action [MS-FSCC §2.4.42] */
#define FILE_ACTION_ADDED		1
#define FILE_ACTION_REMOVED		2
#define FILE_ACTION_MODIFIED		3
#define FILE_ACTION_RENAMED_OLD_NAME	4
#define FILE_ACTION_RENAMED_NEW_NAME	5

#define NOTIFY_RESP_FIXED	8	/* StructureSize, offset, length */
#define NOTIFY_MAX_CHANGES	1024	/* then report ENUM_DIR instead */
#define NOTIFY_MAX_BYTES	(64u * 1024)	/* ... or past this many bytes */
#define NOTIFY_DEFAULT_PENDING	256
#define INOTIFY_MASK	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
			 IN_MOVED_TO | IN_MODIFY | IN_ATTRIB | IN_ONLYDIR | \
			 IN_EXCL_UNLINK)

struct notify_ctx;

/* An open that asked for changes; a talloc child of the open. */
struct notify_watch {
	struct notify_watch *prev, *next;	/* ctx->watches */
	struct notify_ctx *ctx;			/* NULL once ctx is gone */
	struct smbd_open *op;
	struct smbd_conn *conn;		/* counts it in conn->nwatches */
	int wd;				/* inotify watch, -1 once gone */
	uint32_t filter;		/* CompletionFilter (first request) */
	uint32_t max_len;		/* its OutputBufferLength */
	/*
	 * The changes as FILE_NOTIFY_INFORMATION records, chained by their
	 * NextEntryOffset, ready to be copied into a response.
	 */
	struct wire_wr recs;
	size_t last_rec;		/* offset of the last one */
	size_t nchanges;
	uint32_t last_action;		/* of the last one, for merging */
	char *last_name;
	bool overflow;			/* report ENUM_DIR */
	uint32_t move_cookie;		/* IN_MOVED_FROM waiting for its pair */
	char *move_name;
};

/* The server's inotify instance (one per process, child of the server). */
struct notify_ctx {
	int fd;
	struct tevent_fd *fde;
	struct notify_watch *watches;
};

static struct notify_ctx *notify_ctx_global;

struct notify_args {
	uint16_t flags;		/* WATCH_TREE: only the directory itself */
	uint32_t out_len;
	uint64_t fid_p, fid_v;
	uint32_t filter;
};

/* One half of the req <-> open link. */
struct notify_link {
	struct notify_link *peer;	/* the other half, NULL once gone */
	struct smbd_open *op;
	struct smbd_req *req;
	struct smbd_conn *conn;	/* request half: counts conn->nnotifies */
};

static void notify_fd_handler(struct tevent_context *ev,
			      struct tevent_fd *fde, uint16_t flags,
			      void *private_data);

/* ---- request <-> open link ---- */

/*
 * Request side going away (completed or torn down): forget it, and free
 * the open's half too so that a long-lived handle re-arming its watch
 * does not pile them up.
 */
static int notify_req_link_destructor(struct notify_link *l)
{
	struct notify_link *peer = l->peer;

	l->conn->nnotifies--;
	if (peer == NULL) {
		return 0;	/* the open is already gone */
	}
	if (l->op->notify == l->req) {
		l->op->notify = NULL;
	}
	peer->peer = NULL;
	l->peer = NULL;
	talloc_free(peer);
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
	rl->conn = req->conn;
	rl->peer = ol;
	ol->peer = rl;
	req->conn->nnotifies++;
	talloc_set_destructor(rl, notify_req_link_destructor);
	talloc_set_destructor(ol, notify_open_link_destructor);
	req->cancel_priv = rl;
	return NT_STATUS_OK;
}

/* Undo notify_link() (both halves go). */
static void notify_unlink(struct smbd_req *req)
{
	talloc_free(req->cancel_priv);
	req->cancel_priv = NULL;
}

/* ---- the inotify instance and watches ---- */

static int notify_ctx_destructor(struct notify_ctx *ctx)
{
	struct notify_watch *w = NULL;

	for (w = ctx->watches; w != NULL; w = w->next) {
		w->ctx = NULL;
		w->wd = -1;
	}
	TALLOC_FREE(ctx->fde);
	if (ctx->fd >= 0) {
		close(ctx->fd);
	}
	if (notify_ctx_global == ctx) {
		notify_ctx_global = NULL;
	}
	return 0;
}

static struct notify_ctx *notify_ctx_get(struct smbd_server *srv)
{
	struct notify_ctx *ctx = notify_ctx_global;

	if (ctx != NULL) {
		return ctx;
	}
	ctx = talloc_zero(srv, struct notify_ctx);
	if (ctx == NULL) {
		return NULL;
	}
	ctx->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	talloc_set_destructor(ctx, notify_ctx_destructor);
	if (ctx->fd < 0) {
		DBG_WARN(VFS, "inotify_init1: %s", strerror(errno));
		talloc_free(ctx);
		return NULL;
	}
	ctx->fde = tevent_add_fd(srv->ev, ctx, ctx->fd, TEVENT_FD_READ,
				 notify_fd_handler, ctx);
	if (ctx->fde == NULL) {
		talloc_free(ctx);
		return NULL;
	}
	notify_ctx_global = ctx;
	return ctx;
}

/* Is wd still used by another watch than w? (The kernel shares a watch
 * between all callers that watch the same inode.) */
static bool wd_shared(const struct notify_ctx *ctx,
		      const struct notify_watch *w)
{
	const struct notify_watch *o = NULL;

	for (o = ctx->watches; o != NULL; o = o->next) {
		if (o != w && o->wd == w->wd) {
			return true;
		}
	}
	return false;
}

static int notify_watch_destructor(struct notify_watch *w)
{
	struct notify_ctx *ctx = w->ctx;

	w->conn->nwatches--;
	if (ctx == NULL) {
		return 0;
	}
	if (w->wd >= 0 && !wd_shared(ctx, w)) {
		inotify_rm_watch(ctx->fd, w->wd);
	}
	if (w->prev != NULL) {
		w->prev->next = w->next;
	} else {
		ctx->watches = w->next;
	}
	if (w->next != NULL) {
		w->next->prev = w->prev;
	}
	return 0;
}

/* The connection's limit of parked requests and of watches. */
static size_t notify_limit(const struct smbd_conn *conn)
{
	const struct wg_config *cfg = conn->srv->cfg;

	if (cfg != NULL && cfg->max_pending_notifies != 0) {
		return cfg->max_pending_notifies;
	}
	return NOTIFY_DEFAULT_PENDING;
}

static void watch_clear(struct notify_watch *w)
{
	TALLOC_FREE(w->recs.buf);
	wire_wr_init(&w->recs, w, 0);
	w->last_rec = SIZE_MAX;
	w->nchanges = 0;
	TALLOC_FREE(w->last_name);
	w->overflow = false;
}

/*
 * The open's watch, started on its first CHANGE_NOTIFY. Like Windows, the
 * first request's CompletionFilter and buffer size hold until the open
 * is closed (smbtorture smb2.notify.mask-change, valid-req). *pw is NULL
 * without inotify (the request then waits for its end). Errors:
 * INSUFFICIENT_RESOURCES (the connection watches its limit of
 * directories), NO_MEMORY.
 */
static NTSTATUS notify_watch_get(struct smbd_open *op, struct smbd_req *req,
				 const struct notify_args *a,
				 struct notify_watch **pw)
{
	struct smbd_conn *conn = req->conn;
	struct notify_ctx *ctx = NULL;
	struct notify_watch *w = NULL;
	char path[64];

	*pw = NULL;
	ctx = notify_ctx_get(conn->srv);
	if (ctx == NULL) {
		return NT_STATUS_OK;
	}
	for (w = ctx->watches; w != NULL; w = w->next) {
		if (w->op == op) {
			*pw = w;
			return NT_STATUS_OK;
		}
	}
	if (conn->nwatches >= notify_limit(conn)) {
		smbd_budget_hit(conn->srv, conn, SMBD_BUDGET_NOTIFIES,
				notify_limit(conn));
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	w = talloc_zero(op, struct notify_watch);
	if (w == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	watch_clear(w);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", op->fd);
	w->wd = inotify_add_watch(ctx->fd, path, INOTIFY_MASK);
	if (w->wd < 0) {
		DBG_NOTICE(VFS, "inotify_add_watch %s: %s", op->path,
			   strerror(errno));
		w->overflow = true;	/* the client re-reads, once */
	}
	w->ctx = ctx;
	w->op = op;
	w->conn = conn;
	w->filter = a->filter;
	w->max_len = a->out_len;
	w->next = ctx->watches;
	if (w->next != NULL) {
		w->next->prev = w;
	}
	ctx->watches = w;
	conn->nwatches++;
	talloc_set_destructor(w, notify_watch_destructor);
	*pw = w;
	return NT_STATUS_OK;
}

/* ---- collecting changes ---- */

/* FILE_NOTIFY_INFORMATION size of one change, 4-byte aligned. */
static size_t change_size(const char *name)
{
	return (12 + utf16_len_of_utf8(name) + 3) & ~(size_t)3;
}

/* Names a Windows client can neither show nor open are not reported. */
static bool name_reportable(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	if (name[0] == '\0' || utf16_len_of_utf8(name) == 0) {
		return false;
	}
	for (; *p != '\0'; p++) {
		if (*p < 0x20 || strchr("\\:*?\"<>|", *p) != NULL) {
			return false;
		}
	}
	return true;
}

/* Forget w's changes and report ENUM_DIR next: the client re-reads. */
static void watch_overflow(struct notify_watch *w)
{
	watch_clear(w);
	w->overflow = true;
}

static void watch_add_change(struct notify_watch *w, uint32_t action,
			     const char *name)
{
	size_t limit = w->max_len < NOTIFY_MAX_BYTES ? w->max_len :
						       NOTIFY_MAX_BYTES;
	size_t pos = 0;

	if (w->overflow || !name_reportable(name)) {
		return;
	}
	/* A write usually comes as many IN_MODIFY: report it once. */
	if (action == FILE_ACTION_MODIFIED && w->nchanges > 0 &&
	    w->last_action == action && w->last_name != NULL &&
	    strcmp(w->last_name, name) == 0) {
		return;
	}
	pos = (w->recs.len + 3) & ~(size_t)3;
	if (w->nchanges >= NOTIFY_MAX_CHANGES ||
	    pos + change_size(name) > limit) {
		watch_overflow(w);
		return;
	}
	TALLOC_FREE(w->last_name);
	w->last_name = talloc_strdup(w, name);
	wire_put_align(&w->recs, 4);
	if (w->last_rec != SIZE_MAX) {
		wire_patch_u32le(&w->recs, w->last_rec,
				 (uint32_t)(pos - w->last_rec));
	}
	wire_put_u32le(&w->recs, 0);	/* NextEntryOffset */
	wire_put_u32le(&w->recs, action);
	wire_put_u32le(&w->recs, (uint32_t)utf16_len_of_utf8(name));
	wire_put_utf16(&w->recs, name);
	if (wire_wr_error(&w->recs) != 0 || w->last_name == NULL) {
		watch_overflow(w);
		return;
	}
	w->last_rec = pos;
	w->last_action = action;
	w->nchanges++;
}

/* An IN_MOVED_FROM not followed by its IN_MOVED_TO left the directory. */
static void watch_flush_move(struct notify_watch *w)
{
	if (w->move_name == NULL) {
		return;
	}
	if ((w->filter & (FILE_NOTIFY_CHANGE_FILE_NAME |
			  FILE_NOTIFY_CHANGE_DIR_NAME)) != 0) {
		watch_add_change(w, FILE_ACTION_REMOVED, w->move_name);
	}
	TALLOC_FREE(w->move_name);
}

/* The filter bits that make an inotify event reportable. */
static uint32_t event_filter(uint32_t mask)
{
	bool dir = (mask & IN_ISDIR) != 0;

	if ((mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM |
		     IN_MOVED_TO)) != 0) {
		return dir ? FILE_NOTIFY_CHANGE_DIR_NAME :
			     FILE_NOTIFY_CHANGE_FILE_NAME;
	}
	if ((mask & IN_MODIFY) != 0) {
		return FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE;
	}
	if ((mask & IN_ATTRIB) != 0) {
		return FILE_NOTIFY_CHANGE_ATTRIBUTES |
		       FILE_NOTIFY_CHANGE_LAST_WRITE |
		       FILE_NOTIFY_CHANGE_LAST_ACCESS |
		       FILE_NOTIFY_CHANGE_CREATION | FILE_NOTIFY_CHANGE_EA |
		       FILE_NOTIFY_CHANGE_SECURITY;
	}
	return 0;
}

static void watch_event(struct notify_watch *w,
			const struct inotify_event *ev)
{
	const char *name = ev->len > 0 ? ev->name : "";

	if ((ev->mask & IN_MOVED_TO) != 0 && w->move_name != NULL &&
	    ev->cookie == w->move_cookie) {
		if ((w->filter & event_filter(ev->mask)) != 0) {
			watch_add_change(w, FILE_ACTION_RENAMED_OLD_NAME,
					 w->move_name);
			watch_add_change(w, FILE_ACTION_RENAMED_NEW_NAME,
					 name);
		}
		TALLOC_FREE(w->move_name);
		return;
	}
	watch_flush_move(w);
	if ((ev->mask & IN_MOVED_FROM) != 0) {
		w->move_cookie = ev->cookie;
		w->move_name = talloc_strdup(w, name);
		return;
	}
	if ((w->filter & event_filter(ev->mask)) == 0) {
		return;
	}
	if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) != 0) {
		watch_add_change(w, FILE_ACTION_ADDED, name);
	} else if ((ev->mask & IN_DELETE) != 0) {
		watch_add_change(w, FILE_ACTION_REMOVED, name);
	} else if (name[0] != '\0') {
		watch_add_change(w, FILE_ACTION_MODIFIED, name);
	}
}

/* Hand one inotify event to every watch of its directory. */
static void notify_dispatch(struct notify_ctx *ctx,
			    const struct inotify_event *ev)
{
	struct notify_watch *w = NULL;

	for (w = ctx->watches; w != NULL; w = w->next) {
		if ((ev->mask & IN_Q_OVERFLOW) != 0) {
			w->overflow = true;
		} else if (w->wd == ev->wd) {
			if ((ev->mask & IN_IGNORED) != 0) {
				w->wd = -1;	/* directory gone */
			} else {
				watch_event(w, ev);
			}
		}
	}
}

/* ---- answering ---- */

/*
 * Write the CHANGE_NOTIFY response for w's collected changes and forget
 * them. Returns the status to answer with.
 */
static NTSTATUS notify_answer(struct smbd_req *req, struct notify_watch *w,
			      uint32_t out_len)
{
	struct wire_wr *o = &req->out;
	size_t base = o->len;
	NTSTATUS status = NT_STATUS_OK;

	wire_put_u16le(o, 9);		/* StructureSize */
	wire_put_u16le(o, (uint16_t)(SMBD_OUT_OFF(req) + 6));
	wire_put_u32le(o, 0);		/* OutputBufferLength */
	if (w->overflow || w->recs.len > out_len) {
		status = NT_STATUS_NOTIFY_ENUM_DIR;	/* no records */
	}
	if (status == NT_STATUS_OK && w->recs.len > 0) {
		/* the records' offsets are relative to a 4-aligned start */
		wire_put_align(o, 4);
		wire_put_bytes(o, w->recs.buf, w->recs.len);
	}
	if (o->len == base + NOTIFY_RESP_FIXED) {
		wire_put_u8(o, 0);	/* StructureSize 9 counts one byte */
	} else {
		wire_patch_u32le(o, base + 4, (uint32_t)(o->len - base -
							  NOTIFY_RESP_FIXED));
	}
	watch_clear(w);
	if (wire_wr_error(o) != 0) {
		o->len = base;
		return NT_STATUS_NO_MEMORY;
	}
	return status;
}

/* Complete the open's parked request if its watch has something. */
static void watch_fire(struct notify_watch *w, uint32_t out_len)
{
	struct smbd_req *req = w->op->notify;
	NTSTATUS status = NT_STATUS_OK;

	if (req == NULL || (!w->overflow && w->nchanges == 0)) {
		return;
	}
	w->op->notify = NULL;
	req->cancel_fn = NULL;
	status = notify_answer(req, w, out_len);
	smbd_req_done(req, status);
}

static void notify_fd_handler(struct tevent_context *ev,
			      struct tevent_fd *fde, uint16_t flags,
			      void *private_data)
{
	struct notify_ctx *ctx = private_data;
	struct notify_watch *w = NULL, *next = NULL;
	char buf[16384] __attribute__((aligned(8)));
	ssize_t n = 0;
	size_t off = 0;

	n = read(ctx->fd, buf, sizeof(buf));
	if (n <= 0) {
		return;		/* EAGAIN, or nothing we can act on */
	}
	while (off + sizeof(struct inotify_event) <= (size_t)n) {
		const struct inotify_event *e = (const void *)(buf + off);

		notify_dispatch(ctx, e);
		off += sizeof(struct inotify_event) + e->len;
	}
	/* Completing a request may free other opens' watches: take next
	 * before each step. */
	for (w = ctx->watches; w != NULL; w = next) {
		next = w->next;
		watch_flush_move(w);
		watch_fire(w, w->max_len);
	}
}

void smbd_notify_delete_pending(struct smbd_file *f)
{
	size_t i = 0;

	for (i = 0; i < f->nopens; i++) {
		struct smbd_open *op = f->opens[i];
		struct smbd_req *req = op->notify;

		if (req == NULL) {
			continue;
		}
		op->notify = NULL;
		req->cancel_fn = NULL;
		smbd_req_done(req, NT_STATUS_DELETE_PENDING);
	}
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
	struct smbd_open *op = NULL;
	struct notify_watch *w = NULL;
	struct notify_args a = {};
	NTSTATUS status = NT_STATUS_OK;

	status = notify_parse(req, &a);
	if (status == NT_STATUS_OK) {
		status = smbd_req_open(req, a.fid_p, a.fid_v, &op);
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (!op->is_dir || op->fd < 0 || a.out_len > req->conn->max_trans ||
	    op->notify != NULL) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if ((op->access & FILE_LIST_DIRECTORY) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (op->file != NULL && op->file->delete_pending) {
		return NT_STATUS_DELETE_PENDING;
	}
	status = notify_watch_get(op, req, &a, &w);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (w != NULL && (w->overflow || w->nchanges > 0)) {
		return notify_answer(req, w, a.out_len);
	}
	if (req->conn->nnotifies >= notify_limit(req->conn)) {
		smbd_budget_hit(req->conn->srv, req->conn,
				SMBD_BUDGET_NOTIFIES,
				notify_limit(req->conn));
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	status = notify_link(req, op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smbd_req_go_async(req);
	if (status != NT_STATUS_OK) {
		notify_unlink(req);
		return status;
	}
	op->notify = req;
	req->cancel_fn = notify_cancel;
	return SMBD_ASYNC;
}
