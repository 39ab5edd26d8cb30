/*
 * watch.h - the change-watch engine (watch.c): directory opens watched
 * with inotify, their changes collected as the FILE_NOTIFY_INFORMATION
 * records [MS-FSCC §2.4.42] a CHANGE_NOTIFY answer carries.
 *
 * Nothing here knows SMB2 requests. The holder of a watch (CHANGE_NOTIFY,
 * smb2/cmd/notify.c) passes a callback when it starts one; the engine
 * calls it after each batch of kernel events for every watch that has
 * something to report, and the holder takes the records (or the "re-read
 * the directory" verdict) with smbd_watch_take().
 *
 * Collected changes are bounded: at most 1024 records in at
 * most min(max_len, 64 KiB) bytes; past that the queue is dropped and the
 * next answer is STATUS_NOTIFY_ENUM_DIR [MS-SMB2 §3.3.4.4]. Also ENUM_DIR:
 * a kernel queue overflow, or a watch the kernel refused.
 *
 * Ownership: a watch is a talloc child of its open and goes with it (its
 * destructor drops the inotify watch and conn->nwatches); the inotify
 * instance is a child of the server.
 */
#ifndef WG_SMBD_WATCH_H
#define WG_SMBD_WATCH_H

#include "smbd/smbd.h"

struct smbd_watch;

/*
 * Called when w (the watch of op) has changes or an overflow to report.
 * It may free op's pending request, its own or other opens' watches'
 * requests, but no open.
 */
typedef void (*smbd_watch_fn)(struct smbd_watch *w, struct smbd_open *op);

/*
 * How many directories conn may watch (and, for CHANGE_NOTIFY, how many
 * requests it may park): 'max pending notifies', default 256.
 */
size_t smbd_watch_limit(const struct smbd_conn *conn);

/*
 * The watch of directory open op (op->fd open), started on first use:
 * filter (a CompletionFilter [MS-SMB2 §2.2.35]) and max_len (the first
 * request's OutputBufferLength) then hold for the life of the open, as
 * on Windows (smbtorture smb2.notify.mask-change, valid-req); so does
 * ready. The watch is counted in conn->nwatches. *pw is NULL without
 * inotify (NT_STATUS_OK: the caller waits for other ends). Errors:
 * INSUFFICIENT_RESOURCES (conn watches smbd_watch_limit() directories,
 * counted as SMBD_BUDGET_NOTIFIES and logged), NO_MEMORY.
 */
NTSTATUS smbd_watch_get(struct smbd_open *op, struct smbd_conn *conn,
			uint32_t filter, uint32_t max_len, smbd_watch_fn ready,
			struct smbd_watch **pw);

/* Has w changes or an overflow to report? */
bool smbd_watch_ready(const struct smbd_watch *w);

/* The OutputBufferLength w was started with. */
uint32_t smbd_watch_max_len(const struct smbd_watch *w);

/*
 * Append w's records to o (4-byte aligned, chained by NextEntryOffset)
 * and forget them. NT_STATUS_OK (possibly with no records), or
 * NT_STATUS_NOTIFY_ENUM_DIR with nothing appended when they overflowed
 * or are more than out_len bytes. o's sticky error reports no memory.
 */
NTSTATUS smbd_watch_take(struct smbd_watch *w, uint32_t out_len,
			 struct wire_wr *o);

#endif
