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
 * ready, and tree (WATCH_TREE: changes beneath subdirectories too, as
 * far as the server makes them, see smbd_watch_report()). The watch is counted in conn->nwatches. *pw is NULL without
 * inotify (NT_STATUS_OK: the caller waits for other ends). Errors:
 * INSUFFICIENT_RESOURCES (conn watches smbd_watch_limit() directories,
 * counted as SMBD_BUDGET_NOTIFIES and logged), NO_MEMORY.
 */
NTSTATUS smbd_watch_get(struct smbd_open *op, struct smbd_conn *conn,
			uint32_t filter, bool tree, uint32_t max_len,
			smbd_watch_fn ready, struct smbd_watch **pw);

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

/*
 * Hooks for the places that change names through an open: op was just
 * created (ADDED), renamed from from to to (op->path is to already; the
 * rename is reported and op marked), removed by its delete on close
 * (REMOVED), or closed without being removed: a file renamed through
 * it reports MODIFIED to FILE_NOTIFY_CHANGE_ATTRIBUTES watchers, as
 * Windows does (its attributes are updated at close; smbtorture
 * smb2.notify.mask-change expects it), one written through it to
 * FILE_NOTIFY_CHANGE_SIZE and _LAST_WRITE watchers.
 */
void smbd_watch_created(const struct smbd_open *op);

/*
 * The server is about to set an extended attribute of ondisk (a share
 * path relative name) that it has just created (its security
 * descriptor, fs/acl.h): the IN_ATTRIB this causes in the next seconds
 * is no change a client made, and is not reported (smb2.notify.mask).
 */
void smbd_watch_own_attrib(const char *share_path, const char *ondisk);

/*
 * The server itself just changed op's file (not its name) through op:
 * report FILE_ACTION_MODIFIED to the watchers of its directory (and the
 * WATCH_TREE ones above) whose filter has a bit of filter, the exact
 * kinds of change made (FILE_NOTIFY_CHANGE_ATTRIBUTES, _CREATION,
 * _LAST_WRITE, _LAST_ACCESS, _EA, _SECURITY, _SIZE; 0: none to report,
 * as for a ChangeTime set), as MS-FSA 2.1.5.14 has the object store
 * report them. The IN_ATTRIB events the change causes in the next
 * seconds, and its IN_MODIFY for a _SIZE or _LAST_WRITE change (Linux
 * reports a write time set alone so), are then not reported
 * again with the broad inotify mapping (which stays for changes other
 * programs make). A stream open reports its file.
 */
void smbd_watch_modified(const struct smbd_open *op, uint32_t filter);
void smbd_watch_renamed(struct smbd_open *op, const char *from,
			const char *to);
void smbd_watch_removed(const struct smbd_open *op);
void smbd_watch_closed(const struct smbd_open *op);

/*
 * op (a file, not a stream: smbd_watch_stream) was just written through.
 * Its size and write time are reported when op closes (SIZE and
 * LAST_WRITE watchers, by smbd_watch_closed), not at each write, as
 * Windows does (smbtorture raw.notify.mask: a write completes no
 * watch); the IN_MODIFY events of its writes are not reported again.
 */
void smbd_watch_wrote(const struct smbd_open *op);

/* FILE_NOTIFY_INFORMATION.Action [MS-FSCC §2.4.42] */
#define FILE_ACTION_ADDED		1
#define FILE_ACTION_REMOVED		2
#define FILE_ACTION_MODIFIED		3
#define FILE_ACTION_RENAMED_OLD_NAME	4
#define FILE_ACTION_RENAMED_NEW_NAME	5
#define FILE_ACTION_ADDED_STREAM	6
#define FILE_ACTION_REMOVED_STREAM	7
#define FILE_ACTION_MODIFIED_STREAM	8

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
#define FILE_NOTIFY_CHANGE_STREAM_NAME	0x00000200u
#define FILE_NOTIFY_CHANGE_STREAM_SIZE	0x00000400u
#define FILE_NOTIFY_CHANGE_STREAM_WRITE	0x00000800u

/*
 * A change the server itself made (MS-FSA's change notifications come
 * from the object store; ours come from inotify, which sees only a
 * directory's own entries, and from here): entry ondisk (share-relative,
 * on-disk case) of the share at share_path changed with action, which
 * a watch reports if its filter has a bit of filter. Reported to
 *  - the watches of its parent directory, unless kernel_sees (inotify
 *    reports the same change there; a watch without inotify gets it);
 *  - the WATCH_TREE watches of the directories above, with the name
 *    relative to the watched one ("sub\name"). Changes other programs
 *    make deeper than a watched directory's own entries are not seen.
 * The watches' requests complete from the event loop, not from inside
 * the caller.
 */
void smbd_watch_report(const char *share_path, const char *ondisk,
		       uint32_t action, uint32_t filter, bool kernel_sees);

/*
 * A change of a named stream through stream open op (op->path
 * "file:stream"; no-op for other opens), one of FILE_ACTION_ADDED_STREAM
 * (created: FILE_NOTIFY_CHANGE_STREAM_NAME watchers), _REMOVED_STREAM
 * (deleted, the same) or _MODIFIED_STREAM (written:
 * FILE_NOTIFY_CHANGE_STREAM_WRITE or _SIZE watchers; consecutive ones
 * of a name are reported once), to the watches of the file's directory
 * and the WATCH_TREE watches above it [MS-FSCC §2.4.42]. Streams live in
 * the store (fs/streams.h), where inotify sees nothing a client watches.
 */
void smbd_watch_stream(const struct smbd_open *op, uint32_t action);

/*
 * A rename the server made, from to to (ondisk paths, as above; the
 * kernel sees it in both parent directories): RENAMED_OLD/NEW_NAME where
 * both names are in the watched directory's reach and in one directory,
 * else REMOVED and ADDED.
 */
void smbd_watch_report_rename(const char *share_path, const char *from,
			      const char *to, bool is_dir);

#endif
