/*
 * watch.h - the change-watch engine (watch.c), moved out of smb2_notify.c.
 */
#ifndef WG_SMBD_WATCH_H
#define WG_SMBD_WATCH_H

#include "smbd/smbd.h"

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

struct notify_args {
	uint16_t flags;		/* WATCH_TREE: only the directory itself */
	uint32_t out_len;
	uint64_t fid_p, fid_v;
	uint32_t filter;
};

size_t notify_limit(const struct smbd_conn *conn);
void watch_clear(struct notify_watch *w);
NTSTATUS notify_watch_get(struct smbd_open *op, struct smbd_req *req,
			  const struct notify_args *a,
			  struct notify_watch **pw);
void watch_fire(struct notify_watch *w, uint32_t out_len);

#endif
