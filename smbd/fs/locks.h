/*
 * locks.h - the byte-range lock machinery both front ends' LOCK commands
 * share (smb2/cmd/lock.c, smb1/lock.c) over the engine (brlock.h): the
 * budgets, refused with STATUS_INSUFFICIENT_RESOURCES and counted as
 * SMBD_BUDGET_LOCKS ('max locks per open', default 1024; 16 times that
 * per connection; 256 waiting lock requests per connection), and the
 * file's FIFO of waiting lock requests, so that SMB1 and SMB2 locks of one
 * file see each other and a release by either wakes both's waiters.
 *
 * Ownership: locks are children of the file's table (f->locks); a waiter
 * is a child of the mem its caller gives (the request); the attachment
 * smbd_lock_attach makes is a child of the open.
 */
#ifndef WG_SMBD_FS_LOCKS_H
#define WG_SMBD_FS_LOCKS_H

#include "smbd/smbd.h"
#include "smbd/fs/brlock.h"
#include "smbd/fs/open.h"

typedef void (*smbd_lock_wake_fn)(struct smbd_lock_wait *w, void *priv,
				  NTSTATUS status);

/* A waiting lock request; callers read its fields, never write them. */
struct smbd_lock_wait {
	struct smbd_lock_wait *prev, *next;	/* file->waiters, FIFO */
	struct smbd_file *file;
	struct smbd_conn *conn;		/* counted in its nlock_waits */
	struct smbd_open *op;
	uint32_t tag;
	uint64_t offset;
	uint64_t length;
	bool exclusive;
	bool queued;			/* in file->waiters */
	smbd_lock_wake_fn fn;
	void *priv;
};

/*
 * A lock's holder is an open and a tag (SMB1: the client's PID; SMB2
 * uses tag 0):
 * smbd_lock_admit: may op take one more lock (the per-open and
 * per-connection budgets)? OK or INSUFFICIENT_RESOURCES (counted).
 * smbd_lock_attach: make op's close release its locks and end its waiters
 * (once per open; NO_MEMORY). smbd_lock_conflicts: brl_conflicts on op's
 * file. smbd_lock_add: add an admitted, non-conflicting lock (a child of
 * the file's table; NULL on no memory). smbd_lock_released: locks of f
 * went: wake the waiters that no longer conflict, oldest first.
 */
NTSTATUS smbd_lock_admit(const struct smbd_open *op);
NTSTATUS smbd_lock_attach(struct smbd_open *op);
bool smbd_lock_conflicts(const struct smbd_open *op, uint32_t tag,
			 uint64_t off, uint64_t len, bool excl,
			 bool lock_intent);
struct brl_lock *smbd_lock_add(struct smbd_open *op, uint32_t tag,
			       uint64_t off, uint64_t len, bool excl);
void smbd_lock_released(struct smbd_file *f);

/*
 * A lock request waiting for [off, off+len) of op's file, queued behind
 * the file's other waiters (SMB2's and SMB1's alike) and counted in conn's
 * nlock_waits (LOCK_MAX_WAITS: INSUFFICIENT_RESOURCES, counted). *pw is a
 * talloc child of mem; freeing it leaves the queue silently. fn is called
 * at most once, with w already off the queue, and must free w: with
 * NT_STATUS_OK when the range no longer conflicts (nothing taken yet:
 * the caller locks it), or RANGE_NOT_LOCKED when op is closing (op's
 * locks are dropped right after fn returns).
 */
NTSTATUS smbd_lock_wait_add(TALLOC_CTX *mem, struct smbd_conn *conn,
			    struct smbd_open *op, uint32_t tag, uint64_t off,
			    uint64_t len, bool excl, smbd_lock_wake_fn fn,
			    void *priv, struct smbd_lock_wait **pw);

#endif
