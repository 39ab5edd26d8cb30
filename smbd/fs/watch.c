/*
 * watch.c - the change-watch engine: one inotify instance for the server,
 * one watch per directory open that asked for changes, the changes kept
 * as FILE_NOTIFY_INFORMATION records [MS-FSCC §2.4.42] (watch.h).
 *
 * Lifetimes: the instance hangs off the server and forgets its watches
 * (children of the opens) when it goes; a watch unhooks itself from the
 * instance when its open goes. Neither order leaves a dangling pointer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "smbd/fs/open.h"
#include "smbd/loop.h"
#include "smbd/fs/watch.h"
#include "proto/utf16.h"

/* Own attribute writes remembered at once, and for how long (seconds) */
#define WATCH_QUIET_MAX		16
#define WATCH_QUIET_SECONDS	2

/* The server's inotify instance (one per process, child of the server). */
struct watch_ctx {
	int fd;
	struct tevent_fd *fde;
	struct smbd_loop *loop;		/* loop 0's, which runs them */
	struct tevent_immediate *im;	/* runs the ready callbacks */
	bool im_armed;
	struct smbd_watch *watches;
	/* IN_ATTRIB events of the server's own (smbd_watch_own_attrib) */
	struct watch_quiet {
		char *path;		/* share path '/' ondisk */
		struct timespec until;
		uint32_t mask;		/* the inotify events it hides */
		bool once;		/* only the first one */
	} quiet[WATCH_QUIET_MAX];
	unsigned int quiet_next;
	unsigned int quiet_last;	/* the lasting record renewed last */
};

/* An open that asked for changes; a talloc child of the open. */
struct smbd_watch {
	struct smbd_watch *prev, *next;		/* ctx->watches */
	struct watch_ctx *ctx;		/* NULL once ctx is gone */
	struct smbd_open *op;
	struct smbd_conn *conn;		/* counts it in conn->nwatches */
	int wd;				/* inotify watch, -1 once gone */
	uint32_t filter;		/* CompletionFilter (first request) */
	bool tree;			/* WATCH_TREE (first request) */
	uint32_t max_len;		/* its OutputBufferLength */
	smbd_watch_fn ready;		/* the holder's "changes waiting" */
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
	uint32_t move_cookie;		/* IN_MOVED_FROM awaiting its pair */
	char *move_name;
};

#define WATCH_MAX_CHANGES	1024	/* then report ENUM_DIR instead */
#define WATCH_MAX_BYTES	(64u * 1024)	/* ... or past these bytes */
#define WATCH_DEFAULT_LIMIT	256
#define INOTIFY_MASK	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
			 IN_MOVED_TO | IN_MODIFY | IN_ATTRIB | IN_ONLYDIR | \
			 IN_EXCL_UNLINK)

static struct watch_ctx *watch_ctx_global;

static void watch_fd_handler(struct tevent_context *ev,
			      struct tevent_fd *fde, uint16_t flags,
			      void *private_data);

/* ---- the inotify instance and watches ---- */

static int watch_ctx_destructor(struct watch_ctx *ctx)
{
	struct smbd_watch *w = NULL;

	for (w = ctx->watches; w != NULL; w = w->next) {
		w->ctx = NULL;
		w->wd = -1;
	}
	TALLOC_FREE(ctx->fde);
	if (ctx->fd >= 0) {
		close(ctx->fd);
	}
	if (watch_ctx_global == ctx) {
		watch_ctx_global = NULL;
	}
	return 0;
}

static struct watch_ctx *watch_ctx_get(struct smbd_server *srv)
{
	struct watch_ctx *ctx = watch_ctx_global;

	if (ctx != NULL) {
		return ctx;
	}
	ctx = talloc_zero(srv, struct watch_ctx);
	if (ctx == NULL) {
		return NULL;
	}
	ctx->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ctx->loop = srv->loop;
	ctx->im = tevent_create_immediate(ctx);
	talloc_set_destructor(ctx, watch_ctx_destructor);
	if (ctx->fd < 0 || ctx->im == NULL) {
		DBG_WARN(VFS, "inotify_init1: %s", strerror(errno));
		talloc_free(ctx);
		return NULL;
	}
	ctx->fde = tevent_add_fd(srv->ev, ctx, ctx->fd, TEVENT_FD_READ,
				 watch_fd_handler, ctx);
	if (ctx->fde == NULL) {
		talloc_free(ctx);
		return NULL;
	}
	watch_ctx_global = ctx;
	return ctx;
}

/* Is wd still used by another watch than w? (The kernel shares a watch
 * between all callers that watch the same inode.) */
static bool wd_shared(const struct watch_ctx *ctx,
		      const struct smbd_watch *w)
{
	const struct smbd_watch *o = NULL;

	for (o = ctx->watches; o != NULL; o = o->next) {
		if (o != w && o->wd == w->wd) {
			return true;
		}
	}
	return false;
}

static int watch_destructor(struct smbd_watch *w)
{
	struct watch_ctx *ctx = w->ctx;

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

size_t smbd_watch_limit(const struct smbd_conn *conn)
{
	const struct wg_config *cfg = conn->srv->cfg;

	if (cfg != NULL && cfg->max_pending_notifies != 0) {
		return cfg->max_pending_notifies;
	}
	return WATCH_DEFAULT_LIMIT;
}

static void watch_clear(struct smbd_watch *w)
{
	TALLOC_FREE(w->recs.buf);
	wire_wr_init(&w->recs, w, 0);
	w->last_rec = SIZE_MAX;
	w->nchanges = 0;
	TALLOC_FREE(w->last_name);
	w->overflow = false;
}

NTSTATUS smbd_watch_get(struct smbd_open *op, struct smbd_conn *conn,
			uint32_t filter, bool tree, uint32_t max_len,
			smbd_watch_fn ready, struct smbd_watch **pw)
{
	struct watch_ctx *ctx = NULL;
	struct smbd_watch *w = NULL;
	char path[64];

	*pw = NULL;
	ctx = watch_ctx_get(conn->srv);
	if (ctx == NULL) {
		return NT_STATUS_OK;
	}
	for (w = ctx->watches; w != NULL; w = w->next) {
		if (w->op == op) {
			*pw = w;
			return NT_STATUS_OK;
		}
	}
	if (conn->nwatches >= smbd_watch_limit(conn)) {
		smbd_budget_hit(conn->srv, conn, SMBD_BUDGET_NOTIFIES,
				smbd_watch_limit(conn));
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	w = talloc_zero(op, struct smbd_watch);
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
	w->filter = filter;
	w->tree = tree;
	w->max_len = max_len;
	w->ready = ready;
	w->next = ctx->watches;
	if (w->next != NULL) {
		w->next->prev = w;
	}
	ctx->watches = w;
	conn->nwatches++;
	talloc_set_destructor(w, watch_destructor);
	*pw = w;
	return NT_STATUS_OK;
}

/* ---- collecting changes ---- */

/* FILE_NOTIFY_INFORMATION size of one change, 4-byte aligned. */
static size_t change_size(const char *name)
{
	return (12 + utf16_len_of_utf8(name) + 3) & ~(size_t)3;
}

/*
 * Names a Windows client can neither show nor open are not reported.
 * A name from smbd_watch_report() may be a path, "sub\\name".
 */
static bool name_reportable(const char *name, bool path, bool stream)
{
	const unsigned char *p = (const unsigned char *)name;
	const char *colon = stream ? strrchr(name, ':') : NULL;

	if (name[0] == '\0' || utf16_len_of_utf8(name) == 0) {
		return false;
	}
	for (; *p != '\0'; p++) {
		if (path && *p == '\\' && p[1] != '\0' && p[1] != '\\') {
			continue;
		}
		if ((const char *)p == colon) {
			continue;	/* "file:stream" (stream_report) */
		}
		if (*p < 0x20 || strchr("\\:*?\"<>|", *p) != NULL) {
			return false;
		}
	}
	return true;
}

/* Forget w's changes and report ENUM_DIR next: the client re-reads. */
static void watch_overflow(struct smbd_watch *w)
{
	watch_clear(w);
	w->overflow = true;
}

static void watch_add_change_as(struct smbd_watch *w, uint32_t action,
				const char *name, bool path)
{
	size_t limit = w->max_len < WATCH_MAX_BYTES ? w->max_len :
						       WATCH_MAX_BYTES;
	size_t pos = 0;

	if (w->overflow ||
	    !name_reportable(name, path,
			     action >= FILE_ACTION_ADDED_STREAM)) {
		return;
	}
	/* A write usually comes as many IN_MODIFY: report it once. */
	if ((action == FILE_ACTION_MODIFIED ||
	     action == FILE_ACTION_MODIFIED_STREAM) && w->nchanges > 0 &&
	    w->last_action == action && w->last_name != NULL &&
	    strcmp(w->last_name, name) == 0) {
		return;
	}
	pos = (w->recs.len + 3) & ~(size_t)3;
	if (w->nchanges >= WATCH_MAX_CHANGES ||
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

static void watch_add_change(struct smbd_watch *w, uint32_t action,
			     const char *name)
{
	watch_add_change_as(w, action, name, false);
}

/* An IN_MOVED_FROM not followed by its IN_MOVED_TO left the directory. */
static void watch_flush_move(struct smbd_watch *w)
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

static void watch_event(struct smbd_watch *w,
			const struct inotify_event *ev)
{
	const char *name = ev->len > 0 ? ev->name : "";

	if (strchr(name, ':') != NULL) {
		return;	/* never a client's name (the streams store) */
	}

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

static bool ts_passed(const struct timespec *now, const struct timespec *t)
{
	return now->tv_sec != t->tv_sec ? now->tv_sec > t->tv_sec :
					  now->tv_nsec > t->tv_nsec;
}

/*
 * Is ev the IN_ATTRIB of an attribute the server set itself on a file
 * it had just created, or an IN_ATTRIB or IN_MODIFY of a change it made
 * and reported itself with its exact bits (smbd_watch_modified)? Then
 * it is not reported again: say so (a one-shot record is forgotten).
 */
static bool watch_own_attrib(struct watch_ctx *ctx,
			     const struct inotify_event *ev)
{
	const struct smbd_open *op = NULL;
	struct smbd_watch *w = NULL;
	struct timespec now;
	char *path = NULL;
	bool own = false;

	if (((ev->mask & ~IN_ISDIR) != IN_ATTRIB &&
	     (ev->mask & ~IN_ISDIR) != IN_MODIFY) || ev->len == 0) {
		return false;
	}
	for (w = ctx->watches; w != NULL && op == NULL; w = w->next) {
		if (w->wd == ev->wd && w->op != NULL && w->op->tree != NULL &&
		    w->op->tree->share != NULL && w->op->path != NULL) {
			op = w->op;
		}
	}
	if (op == NULL) {
		return false;
	}
	path = talloc_asprintf(ctx, "%s/%s%s%s", op->tree->share->path,
			       op->path, op->path[0] != '\0' ? "/" : "",
			       ev->name);
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (unsigned int i = 0; path != NULL && i < WATCH_QUIET_MAX; i++) {
		struct watch_quiet *q = &ctx->quiet[i];

		if (q->path == NULL) {
			continue;
		}
		if (ts_passed(&now, &q->until)) {
			TALLOC_FREE(q->path);
		} else if (!own && (ev->mask & q->mask) != 0 &&
			   strcmp(q->path, path) == 0) {
			if (q->once) {
				TALLOC_FREE(q->path);
			}
			own = true;
		}
	}
	talloc_free(path);
	return own;
}

/*
 * q's path is share_path '/' the len bytes of ondisk (no NUL among
 * them); strncmp, not memcmp: q's path may be shorter
 */
static bool quiet_is(const struct watch_quiet *q, const char *share_path,
		     size_t slen, const char *ondisk, int len)
{
	return q->path != NULL && !q->once &&
	       strncmp(q->path, share_path, slen) == 0 &&
	       q->path[slen] == '/' &&
	       strncmp(q->path + slen + 1, ondisk, (size_t)len) == 0 &&
	       q->path[slen + 1 + len] == '\0';
}

/* Hide the inotify events in mask of ondisk for a while (see above). */
static void watch_quiet_add(struct watch_ctx *ctx, const char *share_path,
			    const char *ondisk, int len, uint32_t mask,
			    bool once)
{
	struct watch_quiet *q = NULL;
	size_t slen = strlen(share_path);
	char *path = NULL;

	/*
	 * A lasting record of the path is renewed (a run of writes),
	 * compared in place: a WRITE while any watch exists formats
	 * nothing and allocates nothing, and the record it renewed last
	 * is tried first.
	 */
	if (!once && ctx->quiet_last < WATCH_QUIET_MAX &&
	    quiet_is(&ctx->quiet[ctx->quiet_last], share_path, slen, ondisk,
		     len)) {
		q = &ctx->quiet[ctx->quiet_last];
	}
	for (unsigned int i = 0; q == NULL && !once && i < WATCH_QUIET_MAX;
	     i++) {
		if (quiet_is(&ctx->quiet[i], share_path, slen, ondisk, len)) {
			q = &ctx->quiet[i];
		}
	}
	if (q != NULL) {
		q->mask |= mask;
	} else {
		path = talloc_asprintf(ctx, "%s/%.*s", share_path, len,
				       ondisk);
		if (path == NULL) {
			return;
		}
		q = &ctx->quiet[ctx->quiet_next];
		ctx->quiet_next = (ctx->quiet_next + 1) % WATCH_QUIET_MAX;
		talloc_free(q->path);
		q->path = path;
		q->mask = mask;
		q->once = once;
	}
	if (!once) {
		ctx->quiet_last = (unsigned int)(q - ctx->quiet);
	}
	clock_gettime(CLOCK_MONOTONIC, &q->until);
	q->until.tv_sec += WATCH_QUIET_SECONDS;
}

void smbd_watch_own_attrib(const char *share_path, const char *ondisk)
{
	struct watch_ctx *ctx = watch_ctx_global;

	if (ctx == NULL || ctx->watches == NULL || share_path == NULL ||
	    ondisk == NULL) {
		return;		/* no watch: no event to hide */
	}
	watch_quiet_add(ctx, share_path, ondisk, (int)strlen(ondisk),
			IN_ATTRIB, true);
}

/* Hand one inotify event to every watch of its directory. */
static void watch_dispatch(struct watch_ctx *ctx,
			    const struct inotify_event *ev)
{
	struct smbd_watch *w = NULL;

	if (watch_own_attrib(ctx, ev)) {
		return;
	}

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

/* Hand every watch that has something to its holder. */
static void watch_run_ready(struct watch_ctx *ctx)
{
	struct smbd_watch *w = NULL, *next = NULL;

	/* Completing a request may free other opens' watches: take next
	 * before each step. */
	for (w = ctx->watches; w != NULL; w = next) {
		next = w->next;
		if (smbd_watch_ready(w)) {
			w->ready(w, w->op);
		}
	}
}

static void watch_im_handler(struct tevent_context *ev,
			     struct tevent_immediate *im, void *private_data)
{
	struct watch_ctx *ctx = private_data;

	ctx->im_armed = false;
	watch_run_ready(ctx);
}

static void watch_fd_handler(struct tevent_context *ev,
			      struct tevent_fd *fde, uint16_t flags,
			      void *private_data)
{
	struct watch_ctx *ctx = private_data;
	struct smbd_watch *w = NULL;
	char buf[16384] __attribute__((aligned(8)));
	ssize_t n = 0;
	size_t off = 0;

	n = read(ctx->fd, buf, sizeof(buf));
	if (n <= 0) {
		return;		/* EAGAIN, or nothing we can act on */
	}
	while (off + sizeof(struct inotify_event) <= (size_t)n) {
		const struct inotify_event *e = (const void *)(buf + off);

		watch_dispatch(ctx, e);
		off += sizeof(struct inotify_event) + e->len;
	}
	for (w = ctx->watches; w != NULL; w = w->next) {
		watch_flush_move(w);
	}
	watch_run_ready(ctx);
}

bool smbd_watch_ready(const struct smbd_watch *w)
{
	return w->overflow || w->nchanges > 0;
}

uint32_t smbd_watch_max_len(const struct smbd_watch *w)
{
	return w->max_len;
}

NTSTATUS smbd_watch_take(struct smbd_watch *w, uint32_t out_len,
			 struct wire_wr *o)
{
	NTSTATUS status = NT_STATUS_OK;

	if (w->overflow || w->recs.len > out_len) {
		status = NT_STATUS_NOTIFY_ENUM_DIR;	/* no records */
	}
	if (status == NT_STATUS_OK && w->recs.len > 0) {
		/* the records' offsets are relative to a 4-aligned start */
		wire_put_align(o, 4);
		wire_put_bytes(o, w->recs.buf, w->recs.len);
	}
	watch_clear(w);
	return status;
}

/* ---- changes the server made ---- */

/*
 * Where is ondisk for w? Sets *name to its path relative to w's
 * directory and returns 1 for an entry of the directory itself, 2 for
 * one deeper down, 0 if it is elsewhere.
 */
static int watch_reach(const struct smbd_watch *w, const char *share_path,
		       const char *ondisk, const char **name)
{
	const struct smbd_open *op = w->op;
	size_t n = 0;

	if (op == NULL || op->tree == NULL || op->tree->share == NULL ||
	    op->path == NULL ||
	    strcmp(op->tree->share->path, share_path) != 0) {
		return 0;
	}
	n = strlen(op->path);
	if (n > 0) {
		if (strncmp(ondisk, op->path, n) != 0 || ondisk[n] != '/') {
			return 0;
		}
		n++;
	}
	if (ondisk[n] == '\0') {
		return 0;
	}
	*name = ondisk + n;
	return strchr(ondisk + n, '/') != NULL ? 2 : 1;
}

/* Queue one change for w, with '/' shown as '\'. */
static void watch_add_path(struct smbd_watch *w, uint32_t action,
			   const char *rel)
{
	char *name = talloc_strdup(w, rel);
	char *p = NULL;

	if (name == NULL) {
		watch_overflow(w);
		return;
	}
	for (p = name; *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\\';
		}
	}
	watch_add_change_as(w, action, name, true);
	talloc_free(name);
}

/* Run the ready callbacks soon, from the event loop. */
static void watch_schedule(struct watch_ctx *ctx)
{
	if (!ctx->im_armed) {
		ctx->im_armed = true;
		/* a change made on another loop: the main loop runs it */
		smbd_loop_schedule(ctx->loop, ctx->im, watch_im_handler, ctx);
	}
}

/* Does w take this change: in reach, and not reported by inotify? */
static const char *watch_takes(const struct smbd_watch *w,
			       const char *share_path, const char *ondisk,
			       uint32_t filter, bool kernel_sees)
{
	const char *name = NULL;
	int reach = 0;

	if ((w->filter & filter) == 0) {
		return NULL;
	}
	reach = watch_reach(w, share_path, ondisk, &name);
	if (reach == 1 && kernel_sees && w->wd >= 0) {
		return NULL;
	}
	if (reach == 2 && !w->tree) {
		return NULL;
	}
	return reach != 0 ? name : NULL;
}

/*
 * Is ondisk "dir/file:stream", one ':' in its last component, reported
 * with a stream action (smbd_watch_stream), rather than a path in the
 * store ".wgsmb:streams/..."?
 */
static bool stream_name(const char *ondisk, uint32_t action)
{
	const char *colon = strchr(ondisk, ':');
	const char *slash = strrchr(ondisk, '/');

	return action >= FILE_ACTION_ADDED_STREAM &&
	       action <= FILE_ACTION_MODIFIED_STREAM && colon != NULL &&
	       colon != ondisk && (slash == NULL || colon > slash) &&
	       colon[-1] != '/' && strchr(colon + 1, ':') == NULL;
}

void smbd_watch_report(const char *share_path, const char *ondisk,
		       uint32_t action, uint32_t filter, bool kernel_sees)
{
	struct watch_ctx *ctx = watch_ctx_global;
	struct smbd_watch *w = NULL;
	bool any = false;

	if (ctx == NULL || share_path == NULL || ondisk == NULL ||
	    (strchr(ondisk, ':') != NULL && !stream_name(ondisk, action))) {
		return;	/* the streams store (fs/streams.h) */
	}
	for (w = ctx->watches; w != NULL; w = w->next) {
		const char *name = watch_takes(w, share_path, ondisk, filter,
					       kernel_sees);

		if (name != NULL) {
			watch_flush_move(w);
			watch_add_path(w, action, name);
			any = true;
		}
	}
	if (any) {
		watch_schedule(ctx);
	}
}

/* The directory part of a path relative to a watch ("" for none). */
static size_t dir_len(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash != NULL ? (size_t)(slash - name) : 0;
}

void smbd_watch_report_rename(const char *share_path, const char *from,
			      const char *to, bool is_dir)
{
	uint32_t filter = is_dir ? FILE_NOTIFY_CHANGE_DIR_NAME :
				   FILE_NOTIFY_CHANGE_FILE_NAME;
	struct watch_ctx *ctx = watch_ctx_global;
	struct smbd_watch *w = NULL;
	bool any = false;

	if (ctx == NULL || share_path == NULL || from == NULL || to == NULL) {
		return;
	}
	for (w = ctx->watches; w != NULL; w = w->next) {
		const char *a = watch_takes(w, share_path, from, filter, true);
		const char *b = watch_takes(w, share_path, to, filter, true);

		if (a == NULL && b == NULL) {
			continue;
		}
		watch_flush_move(w);
		if (a != NULL && b != NULL && dir_len(a) == dir_len(b) &&
		    strncmp(a, b, dir_len(a)) == 0) {
			watch_add_path(w, FILE_ACTION_RENAMED_OLD_NAME, a);
			watch_add_path(w, FILE_ACTION_RENAMED_NEW_NAME, b);
		} else {
			if (a != NULL) {
				watch_add_path(w, FILE_ACTION_REMOVED, a);
			}
			if (b != NULL) {
				watch_add_path(w, FILE_ACTION_ADDED, b);
			}
		}
		any = true;
	}
	if (any) {
		watch_schedule(ctx);
	}
}

/* ---- the hooks ---- */

static const char *open_share_path(const struct smbd_open *op)
{
	if (op == NULL || op->tree == NULL || op->tree->share == NULL ||
	    op->path == NULL || op->path[0] == '\0' || op->stream != NULL) {
		return NULL;	/* streams: no name changes to report */
	}
	return op->tree->share->path;
}

static uint32_t name_filter(const struct smbd_open *op)
{
	return op->is_dir ? FILE_NOTIFY_CHANGE_DIR_NAME :
			    FILE_NOTIFY_CHANGE_FILE_NAME;
}

void smbd_watch_created(const struct smbd_open *op)
{
	smbd_watch_report(open_share_path(op), op != NULL ? op->path : NULL,
			  FILE_ACTION_ADDED, op != NULL ? name_filter(op) : 0,
			  true);
}

void smbd_watch_renamed(struct smbd_open *op, const char *from,
			const char *to)
{
	op->renamed = true;
	smbd_watch_report_rename(open_share_path(op), from, to, op->is_dir);
}

void smbd_watch_removed(const struct smbd_open *op)
{
	smbd_watch_report(open_share_path(op), op->path, FILE_ACTION_REMOVED,
			  name_filter(op), true);
}

void smbd_watch_closed(const struct smbd_open *op)
{
	uint32_t filter = 0;

	if (op->renamed && !op->is_dir) {
		filter |= FILE_NOTIFY_CHANGE_ATTRIBUTES;
	}
	if (op->ever_written && !op->is_dir) {
		filter |= FILE_NOTIFY_CHANGE_SIZE |
			  FILE_NOTIFY_CHANGE_LAST_WRITE;
	}
	if (filter != 0) {
		smbd_watch_report(open_share_path(op), op->path,
				  FILE_ACTION_MODIFIED, filter, false);
	}
}

void smbd_watch_wrote(const struct smbd_open *op)
{
	struct watch_ctx *ctx = watch_ctx_global;

	if (ctx == NULL || ctx->watches == NULL || op->stream != NULL ||
	    open_share_path(op) == NULL) {
		return;		/* no watch; a stream: smbd_watch_stream */
	}
	watch_quiet_add(ctx, op->tree->share->path, op->path,
			(int)strlen(op->path), IN_MODIFY, false);
}

void smbd_watch_stream(const struct smbd_open *op, uint32_t action)
{
	uint32_t filter = action == FILE_ACTION_MODIFIED_STREAM ?
			  FILE_NOTIFY_CHANGE_STREAM_WRITE |
			  FILE_NOTIFY_CHANGE_STREAM_SIZE :
			  FILE_NOTIFY_CHANGE_STREAM_NAME;

	if (op == NULL || op->stream == NULL || op->tree == NULL ||
	    op->tree->share == NULL || op->path == NULL) {
		return;
	}
	/* the store is no directory inotify maps to a client's: only
	 * the server's own stream operations are seen */
	smbd_watch_report(op->tree->share->path, op->path, action, filter,
			  false);
}

void smbd_watch_modified(const struct smbd_open *op, uint32_t filter)
{
	struct watch_ctx *ctx = watch_ctx_global;
	const char *colon = NULL;
	char *base = NULL;
	int len = 0;

	if (ctx == NULL || ctx->watches == NULL || op == NULL ||
	    op->tree == NULL || op->tree->share == NULL || op->path == NULL ||
	    op->path[0] == '\0') {
		return;		/* no watch, or the share root */
	}
	/* a stream's attributes and times are its file's */
	colon = op->stream != NULL ? strchr(op->path, ':') : NULL;
	len = colon != NULL ? (int)(colon - op->path) : (int)strlen(op->path);
	/* Linux reports a size change, and a write time set without an
	 * access time, as IN_MODIFY (fsnotify_change) */
	watch_quiet_add(ctx, op->tree->share->path, op->path, len,
			IN_ATTRIB | ((filter & (FILE_NOTIFY_CHANGE_SIZE |
						FILE_NOTIFY_CHANGE_LAST_WRITE)) !=
				     0 ? IN_MODIFY : 0), false);
	if (filter == 0) {
		return;
	}
	base = talloc_strndup(ctx, op->path, (size_t)len);
	if (base != NULL) {
		smbd_watch_report(op->tree->share->path, base,
				  FILE_ACTION_MODIFIED, filter, false);
	}
	talloc_free(base);
}
