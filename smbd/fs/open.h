/*
 * open.h - the open object (struct smbd_open), the per-inode state every
 * open of a file shares (struct smbd_file: share modes, delete-pending,
 * byte-range locks), the registry that finds opens by FileId and walks
 * them, and attachments: how a higher layer hangs its own clean-up on an
 * open without the open's destructor naming it.
 */
#ifndef WG_SMBD_OPEN_H
#define WG_SMBD_OPEN_H

#include "smbd/smbd.h"
#include "smbd/fs/brlock.h"

/*
 * An open of a file, directory or named pipe. Ids: fid_persistent ==
 * fid_volatile (no durable handles yet), unique for the life of the
 * server.
 */
struct smbd_open {
	struct smbd_open *prev, *next;	/* tree->opens */
	struct smbd_tree *tree;
	uint64_t fid_persistent;
	uint64_t fid_volatile;
	int fd;			/* O_RDONLY/O_RDWR file, O_DIRECTORY dir,
				 * -1 for pipes */
	bool is_dir;
	char *path;		/* share-relative, '/'-separated, on-disk case;
				 * "" is the share root */
	char *client_name;	/* the name as the client gave it */
	uint32_t access;	/* granted access mask */
	uint32_t maximal_access;	/* the most the opener could have
				 * had on it (SMB1 extended responses);
				 * 0: not known */
	uint32_t share_access;
	uint32_t create_options;
	uint32_t create_disposition;
	bool delete_on_close;	/* FILE_DELETE_ON_CLOSE at its create
				 * (Open.Mode, MS-FSA): see smbd_file */
	uint64_t position;	/* FilePositionInformation */
	uint32_t mode;		/* FileModeInformation */
	uint64_t open_time_nt;
	struct smbd_file *file;		/* shared per-inode state */
	struct smbd_dirstate *dir;	/* QUERY_DIRECTORY state */
	struct smbd_pipe *pipe;		/* IPC$ pipe, else NULL */
	bool lets_session_idle;	/* does not keep its session busy
				 * (pipes: wg_pipe_keeps_session) */
	struct smbd_req *notify;	/* pending CHANGE_NOTIFY (notify.c) */
	struct smbd_oplock *oplock;	/* its oplock (fs/oplock.h), child;
					 * NULL: none */
	struct smbd_lease *lease;	/* the lease it holds (fs/lease.h),
					 * shared; NULL: none */
	struct smbd_open_att *atts;	/* attachments, oldest first (open.h) */
	struct brl_owner locks;		/* its byte-range locks (brlock.h) */
	bool written;		/* any WRITE since the last flush */
	bool ever_written;	/* any WRITE since open (print jobs) */
	bool renamed;		/* renamed through it (fs/watch.h) */
	/* An open of an alternate data stream (fs/streams.h): its on-disk
	 * name in the store and its base file; path is then
	 * "<base path>:<stream>". NULL: the file itself. */
	char *stream;
	dev_t base_dev;
	ino_t base_ino;
	/* An SMB1 open in DOS compatibility or FCB mode that shares nothing
	 * (smb1_core.h): the client process owning it, whose own such opens
	 * pass it (smbd_share_conflict_compat). NULL: none. */
	const void *compat_conn;
	uint32_t compat_pid;

	/*
	 * Durability [MS-SMB2 §3.3.5.9.6-12, §3.3.7.1]: set by CREATE when
	 * it grants a durable handle; kept by this layer. While preserved
	 * the open has no tree (op->tree NULL), hangs in srv->preserved as
	 * a talloc child of the server, and is closed by durable_te.
	 */
	bool durable;		/* granted: survives its connection's loss */
	bool durable_v2;	/* DH2Q (create_guid counts) */
	uint32_t durable_timeout_ms;
	uint8_t create_guid[16];
	uint8_t client_guid[16];	/* its connection's ClientGuid */
	char *owner;		/* user that opened it, for the reconnect */
	char *share_name;	/* its share, for the reconnect */
	char owner_addr[48];	/* its computer */
	bool preserved;		/* connection lost: waits for a reconnect */
	struct timeval preserved_until;	/* while preserved */
	int preserved_root;	/* while preserved: its share root (dup),
				 * for delete on close; -1: none */
	struct smbd_ghost *ghost;	/* while preserved: the cap slot it
					 * keeps for its computer, or NULL */
	struct tevent_timer *durable_te;	/* while preserved */
	struct tevent_immediate *durable_im;	/* closing soon */
	/* SMB2_CREATE_APP_INSTANCE_ID [MS-SMB2 §3.3.5.9.13]: a later open
	 * of the file with the same id from another ClientGuid closes it */
	bool has_app_instance;
	uint8_t app_instance_id[16];
	/* Open.LockSequenceArray [MS-SMB2 §3.3.5.14], kept by smb2/cmd/lock.c
	 * for a durable open: entry i (LockSequenceIndex i + 1) holds
	 * lock_seq[i] when bit i of lock_seq_valid is set */
	uint64_t lock_seq_valid;
	uint8_t lock_seq[64];
};

/* ---- per-inode state of open files ---- */

struct smbd_lock_wait;	/* LOCK request waiting for a range (smb2/cmd/lock.c) */
struct smbd_oplock;	/* an open's oplock (fs/oplock.c) */
struct smbd_oplock_wait; /* a request waiting for breaks (fs/oplock.c) */
struct smbd_lease;	/* a client's lease on the file (fs/lease.c) */
struct smbd_wtime;	/* its held write time update (fs/wtime.c) */

/*
 * One per (dev, ino) with at least one open, in srv->files; freed when its
 * last open goes. op->file points here for file and directory opens.
 *
 * Delete on close, as MS-FSA models it, once for every front end (SMB2
 * CREATE/SET_INFO, SMB1 NT_CREATE_ANDX/TRANS2/DELETE/RMDIR):
 *
 *  - op->delete_on_close is the open's own create-time
 *    FILE_DELETE_ON_CLOSE (Open.Mode). Set only at the create (which
 *    needs DELETE granted, refuses the share root and read-only files
 *    with CANNOT_DELETE, and accepts a directory empty or not,
 *    §2.1.5.1.2.1); nothing clears it. A query through the open does not
 *    report it (base.delete.deltest16/17).
 *  - f->delete_pending is the file's mark (Link.IsDeleted), what
 *    FileStandardInformation.DeletePending reports through any open and
 *    what makes a new open fail with DELETE_PENDING. Disposition TRUE
 *    sets it (DELETE access; CANNOT_DELETE on a read-only file,
 *    DIRECTORY_NOT_EMPTY on a directory with entries), FALSE clears it,
 *    through any open with DELETE; FALSE leaves every open's
 *    delete_on_close alone (§2.1.5.15.3).
 *  - Phase 1 of a close (§2.1.5.5): an open with delete_on_close marks
 *    the file, a directory only if it is empty (entries that are
 *    delete-pending themselves not counted); a directory that is not
 *    empty stays and the close succeeds. So a disposition cleared
 *    through an open with delete_on_close comes back at its close
 *    (deltest17f, 24).
 *  - The close of the last open of a marked file removes its name.
 *
 * Windows differs from MS-FSA in one case smbtorture records
 * (base.delete.deltest16a, 17a): a later open of a file that an open
 * made with delete on close but did not create seems to cancel that
 * open's delete on close. wgsmbd follows MS-FSA there.
 */
struct smbd_file {
	struct smbd_file *prev, *next;	/* srv->files */
	struct smbd_server *srv;
	dev_t dev;
	ino_t ino;
	struct smbd_open **opens;	/* every open of the inode (share
					 * modes): opens1, or a child */
	size_t nopens;
	size_t opens_cap;
	struct smbd_open *opens1[2];	/* the usual one or two opens: no
					 * array allocated for them */
	bool delete_pending;	/* Link.IsDeleted: unlink when the last
				 * open closes (see above) */
	struct brl_table *locks;	/* byte-range locks, child; NULL
					 * until the first LOCK */
	struct smbd_lock_wait *waiters;
	struct smbd_oplock *oplocks;	/* oplocks of its opens (oplock.h) */
	struct smbd_oplock_wait *oplock_waits;	/* waiting for breaks */
	struct smbd_lease *leases;	/* leases on it, children (lease.h) */
	struct smbd_wtime *wtime;	/* held LastWriteTime update
					 * (wtime.h), child; NULL: none yet */
};

/* ---- the registry (open.c) ---- */

/* Assign ids and index an open, hang it under its tree. */
int smbd_open_register(struct smbd_tree *tree, struct smbd_open *op);
/* Find by volatile id; NULL if none. */
struct smbd_open *smbd_open_find(struct smbd_server *srv, uint64_t fid_volatile);
/* Close an open, flushing written data first (used by CLOSE, logoff,
 * tree disconnect, admin deletes and teardown): talloc_free(op) does it
 * through its destructor, this also reports the fsync result. */
NTSTATUS smbd_open_close(struct smbd_open *op);

/* The per-inode state of (dev, ino), or NULL if nothing has it open. */
struct smbd_file *smbd_file_find(struct smbd_server *srv, dev_t dev,
				 ino_t ino);

/*
 * Hang op on the smbd_file of st, creating it if needed. Returns 0 or
 * -ENOMEM. op->file is set; the open's destructor detaches it.
 */
int smbd_file_attach(struct smbd_server *srv, struct smbd_open *op,
		     const struct stat *st);

/*
 * Would an open asking access with share_access conflict with the opens
 * already on f [MS-FSA §2.1.5.1.2]? Only data access bits count.
 */
bool smbd_share_conflict(const struct smbd_file *f, uint32_t access,
			 uint32_t share_access);
/* The same for an SMB1 DOS/FCB-mode open of client process (conn, pid):
 * the exclusive compatibility opens of that process do not conflict. */
bool smbd_share_conflict_compat(const struct smbd_file *f, uint32_t access,
				uint32_t share_access, const void *conn,
				uint32_t pid);

/*
 * May session s hold one more open? NT_STATUS_OK, or
 * NT_STATUS_INSUFFICIENT_RESOURCES when its connection has
 * SMBD_MAX_OPENS_PER_CONN opens or the session 'max open files' (both
 * counted as SMBD_BUDGET_OPENS and logged). smbd_open_register() asks
 * too; CREATE asks first so that a refused open costs no file system work.
 */
NTSTATUS smbd_open_admit(struct smbd_session *s);

/* Will closing op unlink its file (delete on close, last open)? */
bool smbd_open_will_unlink(const struct smbd_open *op);

/*
 * Walks of the open registry: the one place that knows opens hang off
 * trees, trees off sessions and sessions off the server.
 *
 * A filter narrows a walk; every field is optional (zero: any). tree:
 * only its opens. sess: only its trees' opens. share_path: only trees on
 * a disk share (root_fd >= 0) whose path is this one (two shares of one
 * path see the same files). except: skip this open.
 */
struct smbd_opens_filter {
	const struct smbd_session *sess;
	const struct smbd_tree *tree;
	const char *share_path;
	const struct smbd_open *except;
};

/*
 * Call fn(op, priv) for every open (file, directory or pipe) filter lets
 * through (NULL: all), sessions in srv->sessions order, trees and opens
 * in their lists' order. fn returns 0 to go on; anything else stops the
 * walk and is returned (0 if the walk ends). fn must not free opens,
 * trees or sessions.
 */
int smbd_opens_foreach(struct smbd_server *srv,
		       const struct smbd_opens_filter *filter,
		       int (*fn)(struct smbd_open *op, void *priv), void *priv);

/* The same over every tree connect of the server (same rules). */
int smbd_trees_foreach(struct smbd_server *srv,
		       int (*fn)(struct smbd_tree *t, void *priv), void *priv);

/*
 * A rename moved old to new_path (share-relative, on-disk names) on the
 * disk share at share_path: every open of old, or of a name beneath it,
 * follows (its path is rewritten; one that cannot get the memory keeps
 * its old path). Neither old nor new_path may be an open's path.
 */
void smbd_opens_rename_subtree(struct smbd_server *srv, const char *share_path,
			       const char *old, const char *new_path);

/*
 * Attachments: how a higher layer hangs state on an open and has it undone
 * when the open goes, without this layer naming that one. The holder
 * (CHANGE_NOTIFY, LOCK, print) attaches a small object with its callbacks;
 * the open's destructor calls them in a fixed order of stages, so that
 * what happens on close stays in the order it always had:
 *
 *   SMBD_OPEN_STAGE_REQUESTS  first: requests parked on the open end
 *                             (CHANGE_NOTIFY with STATUS_NOTIFY_CLEANUP)
 *   SMBD_OPEN_STAGE_LOCKS     then: byte-range locks go and LOCK requests
 *                             waiting on the open fail; waiters of other
 *                             opens that no longer conflict are granted.
 *                             All before the file is marked delete-pending
 *                             (delete on close) and the fd is closed.
 *   SMBD_OPEN_STAGE_KEPT      after the fd is closed (or handed to a worker
 *                             to fsync and close) when delete on close did
 *                             not remove the file: print jobs are spooled.
 *                             When it did, these attachments are freed
 *                             without their close callback.
 *
 * Within a stage, attachments run oldest first. The order does not come
 * from talloc: talloc runs the open's destructor first and frees its
 * children only after it returns, in no promised order, so the
 * destructor walks op->atts itself, stage by stage.
 *
 * Lifetime: an attachment is a talloc child of mem, which may be the open
 * or anything else (e.g. a request): freeing mem (or the attachment)
 * first detaches it without a callback; the open going first runs its
 * close callback once and frees it, even if the callback frees mem.
 * Either order is safe, as with the notify links.
 */
enum smbd_open_stage {
	SMBD_OPEN_STAGE_REQUESTS = 0,
	SMBD_OPEN_STAGE_LOCKS,
	SMBD_OPEN_STAGE_KEPT,
	SMBD_OPEN_NSTAGES,
};

struct smbd_open_att_ops {
	/*
	 * The open is going (its stage has come): undo. May complete
	 * requests and free mem; must not free op or other attachments.
	 */
	void (*close)(struct smbd_open *op, void *priv);
	/*
	 * op's file has just become delete-pending (through any of its
	 * opens: SET_INFO or delete on close). NULL if not wanted. May free
	 * its own attachment (through mem), nothing else.
	 */
	void (*delete_pending)(struct smbd_open *op, void *priv);
};

/*
 * Attach ops/priv to op at stage, as a talloc child of mem. Returns the
 * attachment (talloc_free it to detach) or NULL on no memory. ops must
 * outlive it (a static table).
 */
struct smbd_open_att *smbd_open_attach(TALLOC_CTX *mem, struct smbd_open *op,
				       enum smbd_open_stage stage,
				       const struct smbd_open_att_ops *ops,
				       void *priv);

/* op's attachment with these ops (the first), or NULL. */
struct smbd_open_att *smbd_open_att_find(const struct smbd_open *op,
					 const struct smbd_open_att_ops *ops);

/* The priv an attachment was made with. */
void *smbd_open_att_priv(const struct smbd_open_att *a);

/*
 * f has just become delete-pending: call the delete_pending callback of
 * every attachment of every open of f (CHANGE_NOTIFY completes its parked
 * requests with STATUS_DELETE_PENDING [MS-FSA §2.1.5.11], smbtorture
 * smb2.notify.rmdir*). Call after setting f->delete_pending. May complete
 * requests but frees no open.
 */
void smbd_file_signal_delete_pending(struct smbd_file *f);

/*
 * The open's talloc destructor: runs its attachments' stages (see above),
 * marks the file delete-pending for delete on close, flushes written data
 * (on a worker) and closes the fd, deletes on close, unindexes and keeps
 * the counts.
 */
int smbd_open_destructor(struct smbd_open *op);

/* ---- durable opens (open.c) ---- */

/* Durable opens preserved per client computer (SMBD_BUDGET_DURABLE) */
#define SMBD_MAX_DURABLE_PER_CLIENT	1024

/*
 * May op stay durable: a file open holding a batch oplock, not breaking,
 * or a lease with handle caching [MS-SMB2 §3.3.5.9.6, §3.3.7.1]?
 */
bool smbd_open_durable_ok(const struct smbd_open *op);

/*
 * conn is going away with its sessions (a lost connection, not LOGOFF,
 * CLOSE or an admin delete): every durable open of it that may stay
 * durable is detached from its tree and session and preserved for its
 * timeout (flushing and closing then); the others close with the
 * sessions as before. Over SMBD_MAX_DURABLE_PER_CLIENT per computer the
 * rest close (counted and logged).
 */
void smbd_opens_preserve_conn(struct smbd_conn *conn);

/*
 * The same for one session a reconnecting client replaces (a
 * SESSION_SETUP naming it as PreviousSessionId, MS-SMB2 §3.3.5.5.3) or
 * logs off (§3.3.5.6):
 * its durable opens wait for the client's DHnC/DH2C on the new one.
 */
void smbd_opens_preserve_session(struct smbd_session *s);

/* The preserved open of persistent FileId fid_p, or NULL. */
struct smbd_open *smbd_open_preserved_find(struct smbd_server *srv,
					   uint64_t fid_p);

/*
 * Reattach preserved op to tree (a reconnect): it keeps its FileId, fd,
 * locks, oplock and written data. NT_STATUS_OK, or what
 * smbd_open_admit() says.
 */
NTSTATUS smbd_open_reattach(struct smbd_open *op, struct smbd_tree *tree);

/*
 * Close preserved op from the event loop, soon (an oplock break that
 * would need its client: [MS-SMB2 §3.3.4.6] the disconnected open goes).
 */
void smbd_open_preserved_close_soon(struct smbd_open *op);

/* How many opens of computer addr are preserved (wgnet, admission). */
size_t smbd_open_preserved_count(struct smbd_server *srv, const char *addr);

/*
 * The cap slot of a session that left durable opens behind (issue 11:
 * the session cap and durability together). The session's ticket moves
 * here as a reservation (sessions/sessmgr.h: sm_reserve): the slot stays
 * taken while any open it preserved waits, so another computer at a full
 * cap is refused, reclaim never takes it, and the same computer and user
 * coming back join it. Each preserved open points to its ghost; the
 * count is kept where a preserved open stops being one (reattached or
 * closed), and the last one frees the ghost, which frees the ticket.
 */
struct smbd_ghost {
	struct smbd_ghost *prev, *next;	/* srv->ghosts */
	struct smbd_server *srv;
	struct sm_session *ticket;	/* the reservation, child */
	uint64_t session_id;		/* the session it was */
	char *user;
	char *domain;
	bool anonymous;
	bool guest;
	uint16_t dialect;
	uint64_t logon_time_nt;
	unsigned nopens;		/* preserved opens pointing here */
};

/* The ghost of the ended session session_id, or NULL. */
struct smbd_ghost *smbd_ghost_find(struct smbd_server *srv,
				   uint64_t session_id);

/* Seconds until its last preserved open times out (rounded up). */
uint64_t smbd_ghost_secs_left(const struct smbd_ghost *g);

/*
 * An administrator ends it: flush and close every open it keeps (which
 * frees g and its slot). Returns how many opens were closed.
 */
unsigned smbd_ghost_end(struct smbd_ghost *g);

/* Server shutdown: close (flushing) every preserved open. */
void smbd_opens_preserved_close_all(struct smbd_server *srv);

#endif
