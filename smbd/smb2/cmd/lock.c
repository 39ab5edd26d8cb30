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
 *
 * The locks themselves are kept by the engine in fs/brlock.c (conflict
 * checks in O(log n)); this file adds the budgets, each refused with
 * STATUS_INSUFFICIENT_RESOURCES and counted as SMBD_BUDGET_LOCKS:
 *  - 'max locks per open' (cfg->max_locks_per_open, default 1024);
 *  - LOCK_CONN_FACTOR times that per connection, so that one client
 *    cannot multiply the per-open cap by opening the file many times;
 *  - LOCK_MAX_WAITS blocking LOCK requests waiting per connection (each
 *    is a request in flight whose credit the interim response returned).
 */
#include "smbd/smbd.h"
#include "smbd/fs/open.h"
#include "smbd/fs/oplock.h"
#include "smbd/smb2/cmd/cmd.h"

#include <errno.h>
#include <string.h>

#define LOCK_RESP_SIZE		4
#define LOCK_ELEMENT_SIZE	24
#define LOCK_DEFAULT_PER_OPEN	1024
#define LOCK_CONN_FACTOR	16
#define LOCK_MAX_WAITS		256

struct smbd_lock_wait {
	struct smbd_lock_wait *prev, *next;	/* file->waiters, FIFO */
	struct smbd_file *file;
	struct smbd_req *req;
	struct smbd_open *op;
	uint64_t offset;
	uint64_t length;
	bool exclusive;
};

struct lock_elem {
	uint64_t offset;
	uint64_t length;
	uint32_t flags;
};

/* ---- budgets and the engine ---- */

static struct smbd_conn *open_conn(const struct smbd_open *op)
{
	return op->tree->sess->conn;
}

/*
 * May op take one more lock? NT_STATUS_OK, or INSUFFICIENT_RESOURCES
 * (counted and logged) when op or its connection is at its cap.
 */
static NTSTATUS lock_admit(const struct smbd_open *op)
{
	struct smbd_conn *conn = open_conn(op);
	struct smbd_server *srv = conn->srv;
	size_t per_open = LOCK_DEFAULT_PER_OPEN;

	if (srv->cfg != NULL && srv->cfg->max_locks_per_open != 0) {
		per_open = srv->cfg->max_locks_per_open;
	}
	if (op->locks.count >= per_open) {
		smbd_budget_hit(srv, conn, SMBD_BUDGET_LOCKS, per_open);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	if (conn->nlocks >= per_open * LOCK_CONN_FACTOR) {
		smbd_budget_hit(srv, conn, SMBD_BUDGET_LOCKS,
				per_open * LOCK_CONN_FACTOR);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	return NT_STATUS_OK;
}

/* Add op's lock (admitted, no conflict); counted in its connection. */
static struct brl_lock *lock_add(struct smbd_open *op, uint64_t off,
				 uint64_t len, bool excl)
{
	struct smbd_file *f = op->file;

	if (f->locks == NULL) {
		f->locks = brl_table_new(f);
		if (f->locks == NULL) {
			return NULL;
		}
	}
	if (op->locks.total == NULL) {
		op->locks.total = &open_conn(op)->nlocks;
	}
	return brl_add(f->locks, &op->locks, off, len, excl);
}

static bool lock_conflicts(const struct smbd_open *op, uint64_t off,
			   uint64_t len, bool excl, bool lock_intent)
{
	return brl_conflicts(op->file->locks, &op->locks, off, len, excl,
			     lock_intent);
}

NTSTATUS smbd_lock_check_io(const struct smbd_open *op, uint64_t offset,
			    uint64_t length, bool write)
{
	/* zero bytes touch no lock (a 0-byte read in a locked range works) */
	if (op->file == NULL || brl_count(op->file->locks) == 0 ||
	    length == 0) {
		return NT_STATUS_OK;
	}
	if (lock_conflicts(op, offset, length, write, false)) {
		return NT_STATUS_FILE_LOCK_CONFLICT;
	}
	return NT_STATUS_OK;
}

/* ---- waiting locks ---- */

static int lock_wait_destructor(struct smbd_lock_wait *w)
{
	struct smbd_file *f = w->file;

	if (w->prev != NULL) {
		w->prev->next = w->next;
	} else if (f->waiters == w) {
		f->waiters = w->next;
	}
	if (w->next != NULL) {
		w->next->prev = w->prev;
	}
	w->req->conn->nlock_waits--;
	return 0;
}

static void lock_put_reply(struct smbd_req *req)
{
	wire_put_u16le(&req->out, LOCK_RESP_SIZE);
	wire_put_u16le(&req->out, 0);
}

/* Finish a waiter's request with status (its wait struct goes first). */
static void lock_wait_finish(struct smbd_lock_wait *w, NTSTATUS status)
{
	struct smbd_req *req = w->req;

	talloc_free(w);
	if (status == NT_STATUS_OK) {
		lock_put_reply(req);
	}
	smbd_req_done(req, status);
}

/* Grant every waiter that no longer conflicts, oldest first. */
static void lock_retry_waiters(struct smbd_file *f)
{
	struct smbd_lock_wait *w = NULL;
	NTSTATUS status = NT_STATUS_OK;

	for (;;) {
		for (w = f->waiters; w != NULL; w = w->next) {
			if (!lock_conflicts(w->op, w->offset, w->length,
					    w->exclusive, true)) {
				break;
			}
		}
		if (w == NULL) {
			return;
		}
		status = lock_admit(w->op);
		if (status == NT_STATUS_OK &&
		    lock_add(w->op, w->offset, w->length,
			     w->exclusive) == NULL) {
			status = NT_STATUS_NO_MEMORY;
		}
		lock_wait_finish(w, status);
	}
}

static void lock_cancel(struct smbd_req *req, void *priv)
{
	struct smbd_lock_wait *w = priv;

	lock_wait_finish(w, NT_STATUS_CANCELLED);
}

/*
 * op is going (its destructor, SMBD_OPEN_STAGE_LOCKS: after its parked
 * CHANGE_NOTIFY ended, before delete on close marks the file and the fd
 * is closed): drop every lock op holds, fail its waiting LOCK requests
 * with RANGE_NOT_LOCKED, then grant the other opens' waiters that no
 * longer conflict.
 */
static void lock_open_closed(struct smbd_open *op, void *priv)
{
	struct smbd_file *f = op->file;
	struct smbd_lock_wait *w = NULL;
	size_t removed = 0;

	if (f == NULL) {
		return;
	}
	removed = brl_remove_owner(&op->locks);
	for (;;) {
		for (w = f->waiters; w != NULL; w = w->next) {
			if (w->op == op) {
				break;
			}
		}
		if (w == NULL) {
			break;
		}
		lock_wait_finish(w, NT_STATUS_RANGE_NOT_LOCKED);
	}
	if (removed > 0) {
		lock_retry_waiters(f);
	}
}

static const struct smbd_open_att_ops lock_att_ops = {
	.close = lock_open_closed,
};

/*
 * Make sure op's locks and waiters are released when op goes: one
 * attachment per open, made by its first LOCK request (an open that never
 * locked has nothing to release).
 */
static NTSTATUS lock_attach(struct smbd_open *op)
{
	if (smbd_open_att_find(op, &lock_att_ops) != NULL) {
		return NT_STATUS_OK;
	}
	if (smbd_open_attach(op, op, SMBD_OPEN_STAGE_LOCKS, &lock_att_ops,
			     NULL) == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	return NT_STATUS_OK;
}

/* Queue req until [e] can be locked; the request goes async. */
static NTSTATUS lock_wait(struct smbd_req *req, struct smbd_open *op,
			  const struct lock_elem *e)
{
	struct smbd_file *f = op->file;
	struct smbd_lock_wait *w = NULL;
	struct smbd_lock_wait *last = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (req->conn->nlock_waits >= LOCK_MAX_WAITS) {
		smbd_budget_hit(req->conn->srv, req->conn, SMBD_BUDGET_LOCKS,
				LOCK_MAX_WAITS);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	w = talloc_zero(req, struct smbd_lock_wait);
	if (w == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = smbd_req_go_async(req, lock_cancel, w);
	if (status != NT_STATUS_PENDING) {
		talloc_free(w);
		return NT_STATUS_LOCK_NOT_GRANTED;
	}
	w->file = f;
	w->req = req;
	w->op = op;
	w->offset = e->offset;
	w->length = e->length;
	w->exclusive = (e->flags & SMB2_LOCKFLAG_EXCLUSIVE_LOCK) != 0;
	for (last = f->waiters; last != NULL && last->next != NULL;
	     last = last->next) {
	}
	if (last != NULL) {
		last->next = w;
		w->prev = last;
	} else {
		f->waiters = w;
	}
	req->conn->nlock_waits++;
	talloc_set_destructor(w, lock_wait_destructor);
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
		l = brl_find(&op->locks, e[i].offset, e[i].length);
		if (l == NULL) {
			status = NT_STATUS_RANGE_NOT_LOCKED;
			break;
		}
		brl_remove(l);
		released = true;
	}
	if (released) {
		lock_retry_waiters(f);
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
			 const struct lock_elem *e, size_t n)
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
		status = lock_admit(op);
		if (status != NT_STATUS_OK) {
			goto rollback;
		}
		if (lock_conflicts(op, e[i].offset, e[i].length, excl, true)) {
			if (e[i].flags & SMB2_LOCKFLAG_FAIL_IMMEDIATELY) {
				status = NT_STATUS_LOCK_NOT_GRANTED;
				goto rollback;
			}
			status = lock_wait(req, op, &e[i]);	/* n == 1 */
			goto done;
		}
		added[acquired] = lock_add(op, e[i].offset, e[i].length,
					   excl);
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
		lock_retry_waiters(f);
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
	status = lock_attach(op);
	if (status != NT_STATUS_OK) {
		talloc_free(e);
		return status;
	}
	if (e[0].flags & SMB2_LOCKFLAG_UNLOCK) {
		status = do_unlocks(req, op, e, count);
	} else {
		status = do_locks(req, op, e, count);
	}
	talloc_free(e);
	return status;
}
