/*
 * lock.c - LOCK [MS-SMB2 §3.3.5.14] and the byte-range lock rules
 * of [MS-FSA §2.1.4.10, §2.1.5.8, §2.1.5.9] that READ and WRITE obey too.
 *
 * Locks live in the per-inode struct smbd_file, so every open of a file
 * (from any connection) sees them; they are in-memory only (no fcntl
 * locks, so nothing the kernel does on close() can drop them behind our
 * back). A single lock without FAIL_IMMEDIATELY that conflicts waits:
 * the request goes async (interim STATUS_PENDING), sits on the file's
 * waiter list and is granted when a lock is released, or ends with
 * CANCELLED on CANCEL and RANGE_NOT_LOCKED when its open is closed.
 * An open's first LOCK attaches lock_open_closed() to it (fs/open.h),
 * which its destructor runs to release its locks and waiters.
 * The waiter queue, the budgets and the engine calls are shared with the
 * SMB1 front end (smb1/lock.c), in fs/locks.c: a waiter carries a wake
 * callback, and a lock a tag (SMB1's PID; 0 for SMB2), so a release by
 * either front end wakes both's waiters in order.
 *
 * The locks themselves are kept by the engine in fs/brlock.c (conflict
 * checks in O(log n)); this file adds the budgets, each refused with
 * STATUS_INSUFFICIENT_RESOURCES and counted as SMBD_BUDGET_LOCKS:
 *  - 'max locks per open' (cfg->max_locks_per_open, default 1024);
 *  - LOCK_CONN_FACTOR times that per connection, so that one client
 *    cannot multiply the per-open cap by opening the file many times;
 *  - LOCK_MAX_WAITS blocking LOCK requests waiting per connection (each
 *    is a request in flight whose credit the interim response returned).
 *
 * Lock sequence replay [MS-SMB2 §3.3.5.14]: over SMB 2.1 and later, on a
 * durable open (we grant neither resilient nor persistent handles and
 * offer no multichannel, the other cases the spec names), a LOCK whose
 * LockSequenceIndex (1..64) names an entry of the open's
 * LockSequenceArray (op->lock_seq) holding its LockSequenceNumber is a
 * replay of one that succeeded: it succeeds again without being done.
 * Otherwise the entry is invalidated, the request is processed, and its
 * success (a waiting lock's too, once granted) records the number.
 */
#include "smbd/smbd.h"
#include "smbd/fs/locks.h"
#include "smbd/fs/open.h"
#include "smbd/fs/oplock.h"
#include "smbd/smb2/cmd/cmd.h"

#include <errno.h>
#include <string.h>

#define LOCK_RESP_SIZE		4
#define LOCK_ELEMENT_SIZE	24
#define LOCK_SEQ_ENTRIES	64	/* Open.LockSequenceArray */

struct lock_elem {
	uint64_t offset;
	uint64_t length;
	uint32_t flags;
};

/* A LOCK request's sequence: index 1..LOCK_SEQ_ENTRIES, or 0: none kept */
struct lock_seq {
	uint32_t index;
	uint8_t number;
};

/* A waiting SMB2 lock's context (the waiter's priv), a child of req */
struct lock_pending {
	struct smbd_req *req;
	struct lock_seq seq;
};

NTSTATUS smbd_lock_check_io(const struct smbd_open *op, uint64_t offset,
			    uint64_t length, bool write)
{
	/* zero bytes touch no lock (a 0-byte read in a locked range works) */
	if (op->file == NULL || brl_count(op->file->locks) == 0 ||
	    length == 0) {
		return NT_STATUS_OK;
	}
	if (smbd_lock_conflicts(op, 0, offset, length, write, false)) {
		return NT_STATUS_FILE_LOCK_CONFLICT;
	}
	return NT_STATUS_OK;
}

static void lock_put_reply(struct smbd_req *req)
{
	wire_put_u16le(&req->out, LOCK_RESP_SIZE);
	wire_put_u16le(&req->out, 0);
}

/* ---- lock sequence replay [MS-SMB2 §3.3.5.14] ---- */

/*
 * The sequence of a LOCK with LockSequenceNumber/Index raw on op: its
 * index is 0 (nothing checked or kept) over 2.0.2, on an open that is not
 * durable, or when out of 1..LOCK_SEQ_ENTRIES.
 */
static struct lock_seq lock_seq_of(const struct smbd_req *req,
				   const struct smbd_open *op, uint32_t raw)
{
	struct lock_seq sq = { .index = raw >> 4, .number = raw & 0x0f };

	if (req->conn->dialect == SMB2_DIALECT_202 || !op->durable ||
	    sq.index > LOCK_SEQ_ENTRIES) {
		sq.index = 0;
	}
	return sq;
}

/*
 * Is the request a replay of one that succeeded on op? If not, its entry
 * is invalidated until the request succeeds.
 */
static bool lock_seq_replayed(struct smbd_open *op, struct lock_seq sq)
{
	uint64_t bit = 0;

	if (sq.index == 0) {
		return false;
	}
	bit = UINT64_C(1) << (sq.index - 1);
	if ((op->lock_seq_valid & bit) == 0) {
		return false;
	}
	if (op->lock_seq[sq.index - 1] == sq.number) {
		return true;
	}
	op->lock_seq_valid &= ~bit;
	return false;
}

/* The request of sequence sq succeeded on op: record it. */
static void lock_seq_done(struct smbd_open *op, struct lock_seq sq)
{
	if (sq.index == 0) {
		return;
	}
	op->lock_seq[sq.index - 1] = sq.number;
	op->lock_seq_valid |= UINT64_C(1) << (sq.index - 1);
}

/* Finish an SMB2 waiter's request with status (its wait struct first). */
static void lock_wait_finish(struct smbd_lock_wait *w, NTSTATUS status)
{
	struct lock_pending *p = w->priv;
	struct smbd_req *req = p->req;

	if (status == NT_STATUS_OK) {
		lock_seq_done(w->op, p->seq);
	}
	talloc_free(w);
	talloc_free(p);
	if (status == NT_STATUS_OK) {
		lock_put_reply(req);
	}
	smbd_req_done(req, status);
}

/* ---- waiting locks ---- */

/* An SMB2 waiter's range is free: take it (or the wait ends with status) */
static void lock_woken(struct smbd_lock_wait *w, void *priv,
		       NTSTATUS status)
{
	if (status == NT_STATUS_OK) {
		status = smbd_lock_admit(w->op);
	}
	if (status == NT_STATUS_OK &&
	    smbd_lock_add(w->op, w->tag, w->offset, w->length,
			  w->exclusive) == NULL) {
		status = NT_STATUS_NO_MEMORY;
	}
	lock_wait_finish(w, status);
}

static void lock_cancel(struct smbd_req *req, void *priv)
{
	struct smbd_lock_wait *w = priv;

	lock_wait_finish(w, NT_STATUS_CANCELLED);
}

/* Queue req until [e] can be locked; the request goes async. */
static NTSTATUS lock_wait(struct smbd_req *req, struct smbd_open *op,
			  const struct lock_elem *e, struct lock_seq sq)
{
	struct smbd_lock_wait *w = NULL;
	struct lock_pending *p = NULL;
	NTSTATUS status = NT_STATUS_OK;

	p = talloc_zero(req, struct lock_pending);
	if (p == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	p->req = req;
	p->seq = sq;
	status = smbd_lock_wait_add(req, req->conn, op, 0, e->offset,
				    e->length,
				    (e->flags & SMB2_LOCKFLAG_EXCLUSIVE_LOCK)
				    != 0, lock_woken, p, &w);
	if (status != NT_STATUS_OK) {
		talloc_free(p);
		return status;
	}
	status = smbd_req_go_async(req, lock_cancel, w);
	if (status != NT_STATUS_PENDING) {
		talloc_free(w);
		talloc_free(p);
		return NT_STATUS_LOCK_NOT_GRANTED;
	}
	return status;
}

/* ---- LOCK ---- */

static NTSTATUS do_unlocks(struct smbd_req *req, struct smbd_open *op,
			   const struct lock_elem *e, size_t n)
{
	struct smbd_file *f = op->file;
	NTSTATUS status = NT_STATUS_OK;
	bool released = false;
	struct brl_lock *l = NULL;
	size_t i = 0;

	for (i = 0; i < n; i++) {
		/* FAIL_IMMEDIATELY "MAY be ignored" [§3.3.5.14.1]; Windows
		 * refuses it, and so do we: nothing but UNLOCK */
		if (e[i].flags != SMB2_LOCKFLAG_UNLOCK) {
			status = NT_STATUS_INVALID_PARAMETER;
			break;
		}
		if (!brl_range_valid(e[i].offset, e[i].length)) {
			status = NT_STATUS_INVALID_LOCK_RANGE;
			break;
		}
		l = brl_find(&op->locks, 0, e[i].offset, e[i].length);
		if (l == NULL) {
			status = NT_STATUS_RANGE_NOT_LOCKED;
			break;
		}
		brl_remove(l);
		released = true;
	}
	if (released) {
		smbd_lock_released(f);
	}
	if (status == NT_STATUS_OK) {
		lock_put_reply(req);
	}
	return status;
}

static bool lock_flags_valid(uint32_t fl)
{
	fl &= ~SMB2_LOCKFLAG_FAIL_IMMEDIATELY;
	return fl == SMB2_LOCKFLAG_SHARED_LOCK ||
	       fl == SMB2_LOCKFLAG_EXCLUSIVE_LOCK;
}

/*
 * Take e[0..n) for op, in order. A failure after some were granted
 * releases those again [MS-SMB2 §3.3.5.14.2], except for invalid flags,
 * which leave the earlier ones held (as Windows does). A single lock
 * without FAIL_IMMEDIATELY that conflicts waits (lock_wait).
 */
static NTSTATUS do_locks(struct smbd_req *req, struct smbd_open *op,
			 const struct lock_elem *e, size_t n,
			 struct lock_seq sq)
{
	struct smbd_file *f = op->file;
	struct brl_lock **added = NULL;
	NTSTATUS status = NT_STATUS_OK;
	size_t acquired = 0;
	size_t i = 0;

	for (i = 0; n > 1 && i < n; i++) {
		if (!(e[i].flags & SMB2_LOCKFLAG_FAIL_IMMEDIATELY)) {
			return NT_STATUS_INVALID_PARAMETER;
		}
	}
	added = talloc_array(req, struct brl_lock *, n);
	if (added == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	/* other opens' level II oplocks break to none [MS-FSA §2.1.5.7] */
	(void)smbd_oplock_break(f, op, SMBD_OPLOCK_OP_LOCK, false);
	for (i = 0; i < n; i++) {
		bool excl = (e[i].flags & SMB2_LOCKFLAG_EXCLUSIVE_LOCK) != 0;

		if (!lock_flags_valid(e[i].flags)) {
			/* earlier locks of this request stay [§3.3.5.14.2] */
			status = NT_STATUS_INVALID_PARAMETER;
			goto done;
		}
		if (!brl_range_valid(e[i].offset, e[i].length)) {
			status = NT_STATUS_INVALID_LOCK_RANGE;
			goto rollback;
		}
		status = smbd_lock_admit(op);
		if (status != NT_STATUS_OK) {
			goto rollback;
		}
		if (smbd_lock_conflicts(op, 0, e[i].offset, e[i].length, excl,
					true)) {
			if (e[i].flags & SMB2_LOCKFLAG_FAIL_IMMEDIATELY) {
				status = NT_STATUS_LOCK_NOT_GRANTED;
				goto rollback;
			}
			status = lock_wait(req, op, &e[i], sq);	/* n == 1 */
			goto done;
		}
		added[acquired] = smbd_lock_add(op, 0, e[i].offset,
						e[i].length, excl);
		if (added[acquired] == NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto rollback;
		}
		acquired++;
	}
	lock_put_reply(req);
	goto done;
rollback:
	for (i = 0; i < acquired; i++) {
		brl_remove(added[i]);
	}
	if (acquired > 0) {
		smbd_lock_released(f);
	}
done:
	talloc_free(added);
	return status;
}

NTSTATUS smbd_smb2_lock(struct smbd_req *req)
{
	struct wire_rd r = req->in;
	struct smbd_open *op = NULL;
	struct lock_elem *e = NULL;
	uint64_t fid_p = 0, fid_v = 0;
	uint16_t ssize = 0, count = 0;
	uint32_t seq = 0, resv = 0;
	struct lock_seq sq = { 0 };
	NTSTATUS status = NT_STATUS_OK;
	size_t i = 0;

	if (wire_get_u16le(&r, &ssize) != 0 ||
	    wire_get_u16le(&r, &count) != 0 ||
	    wire_get_u32le(&r, &seq) != 0 ||
	    smbd_pull_fid(&r, &fid_p, &fid_v) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (count == 0 || count > wire_left(&r) / LOCK_ELEMENT_SIZE) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = smbd_req_open(req, fid_p, fid_v, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (op->file == NULL) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;	/* pipes */
	}
	if (op->is_dir) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	e = talloc_array(req, struct lock_elem, count);
	if (e == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	for (i = 0; i < count; i++) {
		if (wire_get_u64le(&r, &e[i].offset) != 0 ||
		    wire_get_u64le(&r, &e[i].length) != 0 ||
		    wire_get_u32le(&r, &e[i].flags) != 0 ||
		    wire_get_u32le(&r, &resv) != 0) {
			talloc_free(e);
			return NT_STATUS_INVALID_PARAMETER;
		}
	}
	status = smbd_lock_attach(op);
	if (status != NT_STATUS_OK) {
		talloc_free(e);
		return status;
	}
	sq = lock_seq_of(req, op, seq);
	if (lock_seq_replayed(op, sq)) {
		talloc_free(e);
		lock_put_reply(req);
		return NT_STATUS_OK;
	}
	if (e[0].flags & SMB2_LOCKFLAG_UNLOCK) {
		status = do_unlocks(req, op, e, count);
	} else {
		status = do_locks(req, op, e, count, sq);
	}
	if (status == NT_STATUS_OK) {
		lock_seq_done(op, sq);
	}
	talloc_free(e);
	return status;
}
