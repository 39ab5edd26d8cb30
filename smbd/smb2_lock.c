/*
 * smb2_lock.c - LOCK [MS-SMB2 §3.3.5.14] and the byte-range lock rules
 * of [MS-FSA §2.1.4.10, §2.1.5.8, §2.1.5.9] that READ and WRITE obey too.
 *
 * Locks live in the per-inode struct smbd_file, so every open of a file
 * (from any connection) sees them; they are in-memory only (no fcntl
 * locks, so nothing the kernel does on close() can drop them behind our
 * back). A single lock without FAIL_IMMEDIATELY that conflicts waits:
 * the request goes async (interim STATUS_PENDING), sits on the file's
 * waiter list and is granted when a lock is released, or ends with
 * CANCELLED on CANCEL and RANGE_NOT_LOCKED when its open is closed.
 */
#include "smbd.h"

#include <errno.h>
#include <string.h>

#ifndef NT_STATUS_INVALID_LOCK_RANGE
#define NT_STATUS_INVALID_LOCK_RANGE	0xC00001A1u
#endif

#define LOCK_RESP_SIZE		4
#define LOCK_ELEMENT_SIZE	24

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

/* ---- range rules ---- */

/*
 * Do two ranges overlap [MS-FSA §2.1.4.10]? The range {0, 0} overlaps
 * nothing; another zero-length range at X overlaps a range holding X
 * beyond its first byte.
 */
static bool ranges_overlap(uint64_t o1, uint64_t l1, uint64_t o2, uint64_t l2)
{
	uint64_t last1 = 0;
	uint64_t last2 = 0;

	if ((o1 == 0 && l1 == 0) || (o2 == 0 && l2 == 0)) {
		return false;
	}
	last1 = o1 + l1 - 1;
	last2 = o2 + l2 - 1;
	return o1 <= last2 && last1 >= o2;
}

/*
 * Would access to [off, off+len) by op conflict with f's locks? excl is
 * a write or an exclusive lock, lock_intent a lock rather than I/O.
 * Exclusive locks of other opens block everything; the owner may read,
 * write and stack shared locks on its own. Shared locks block writes and
 * exclusive locks, the owner's included.
 */
static bool lock_conflicts(const struct smbd_file *f,
			   const struct smbd_open *op, uint64_t off,
			   uint64_t len, bool excl, bool lock_intent)
{
	size_t i = 0;

	for (i = 0; i < f->nlocks; i++) {
		const struct smbd_lock *l = &f->locks[i];

		if (!ranges_overlap(off, len, l->offset, l->length)) {
			continue;
		}
		if (l->exclusive) {
			if (l->op != op || (lock_intent && excl)) {
				return true;
			}
		} else if (excl) {
			return true;
		}
	}
	return false;
}

NTSTATUS smbd_lock_check_io(const struct smbd_open *op, uint64_t offset,
			    uint64_t length, bool write)
{
	/* zero bytes touch no lock (a 0-byte read in a locked range works) */
	if (op->file == NULL || op->file->nlocks == 0 || length == 0) {
		return NT_STATUS_OK;
	}
	if (lock_conflicts(op->file, op, offset, length, write, false)) {
		return NT_STATUS_FILE_LOCK_CONFLICT;
	}
	return NT_STATUS_OK;
}

static int lock_add(struct smbd_file *f, struct smbd_open *op, uint64_t off,
		    uint64_t len, bool excl)
{
	struct smbd_lock *n = NULL;

	n = talloc_realloc(f, f->locks, struct smbd_lock, f->nlocks + 1);
	if (n == NULL) {
		return -ENOMEM;
	}
	f->locks = n;
	f->locks[f->nlocks] = (struct smbd_lock) {
		.offset = off,
		.length = len,
		.op = op,
		.exclusive = excl,
	};
	f->nlocks++;
	return 0;
}

static void lock_remove_at(struct smbd_file *f, size_t i)
{
	memmove(&f->locks[i], &f->locks[i + 1],
		(f->nlocks - i - 1) * sizeof(f->locks[0]));
	f->nlocks--;
}

/* op's lock on exactly [off, len), an exclusive one first; -1 if none. */
static ssize_t lock_find_own(const struct smbd_file *f,
			     const struct smbd_open *op, uint64_t off,
			     uint64_t len)
{
	ssize_t found = -1;
	size_t i = 0;

	for (i = 0; i < f->nlocks; i++) {
		const struct smbd_lock *l = &f->locks[i];

		if (l->op == op && l->offset == off && l->length == len) {
			found = (ssize_t)i;
			if (l->exclusive) {
				break;
			}
		}
	}
	return found;
}

static bool range_valid(uint64_t off, uint64_t len)
{
	return len == 0 || off + len - 1 >= off;
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
	w->req->cancel_fn = NULL;
	w->req->cancel_priv = NULL;
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

	for (;;) {
		for (w = f->waiters; w != NULL; w = w->next) {
			if (!lock_conflicts(f, w->op, w->offset, w->length,
					    w->exclusive, true)) {
				break;
			}
		}
		if (w == NULL) {
			return;
		}
		if (lock_add(f, w->op, w->offset, w->length,
			     w->exclusive) != 0) {
			lock_wait_finish(w, NT_STATUS_NO_MEMORY);
		} else {
			lock_wait_finish(w, NT_STATUS_OK);
		}
	}
}

static void lock_cancel(struct smbd_req *req)
{
	struct smbd_lock_wait *w = req->cancel_priv;

	if (w != NULL) {
		lock_wait_finish(w, NT_STATUS_CANCELLED);
	}
}

void smbd_lock_release_open(struct smbd_open *op)
{
	struct smbd_file *f = op->file;
	struct smbd_lock_wait *w = NULL;
	bool removed = false;
	size_t i = 0;

	if (f == NULL) {
		return;
	}
	for (i = f->nlocks; i-- > 0;) {
		if (f->locks[i].op == op) {
			lock_remove_at(f, i);
			removed = true;
		}
	}
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
	if (removed) {
		lock_retry_waiters(f);
	}
}

/* Queue req until [e] can be locked; the request goes async. */
static NTSTATUS lock_wait(struct smbd_req *req, struct smbd_open *op,
			  const struct lock_elem *e)
{
	struct smbd_file *f = op->file;
	struct smbd_lock_wait *w = NULL;
	struct smbd_lock_wait *last = NULL;

	w = talloc_zero(req, struct smbd_lock_wait);
	if (w == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (smbd_req_go_async(req) != NT_STATUS_OK) {
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
	talloc_set_destructor(w, lock_wait_destructor);
	req->cancel_fn = lock_cancel;
	req->cancel_priv = w;
	return SMBD_ASYNC;
}

/* ---- LOCK ---- */

static NTSTATUS do_unlocks(struct smbd_req *req, struct smbd_open *op,
			   const struct lock_elem *e, size_t n)
{
	struct smbd_file *f = op->file;
	NTSTATUS status = NT_STATUS_OK;
	bool released = false;
	ssize_t at = 0;
	size_t i = 0;

	for (i = 0; i < n; i++) {
		/* FAIL_IMMEDIATELY "MAY be ignored" [§3.3.5.14.1]; Windows
		 * refuses it, and so do we: nothing but UNLOCK */
		if (e[i].flags != SMB2_LOCKFLAG_UNLOCK) {
			status = NT_STATUS_INVALID_PARAMETER;
			break;
		}
		if (!range_valid(e[i].offset, e[i].length)) {
			status = NT_STATUS_INVALID_LOCK_RANGE;
			break;
		}
		at = lock_find_own(f, op, e[i].offset, e[i].length);
		if (at < 0) {
			status = NT_STATUS_RANGE_NOT_LOCKED;
			break;
		}
		lock_remove_at(f, (size_t)at);
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

static NTSTATUS do_locks(struct smbd_req *req, struct smbd_open *op,
			 const struct lock_elem *e, size_t n)
{
	struct smbd_file *f = op->file;
	NTSTATUS status = NT_STATUS_OK;
	size_t acquired = 0;
	size_t i = 0;

	for (i = 0; n > 1 && i < n; i++) {
		if (!(e[i].flags & SMB2_LOCKFLAG_FAIL_IMMEDIATELY)) {
			return NT_STATUS_INVALID_PARAMETER;
		}
	}
	for (i = 0; i < n; i++) {
		bool excl = (e[i].flags & SMB2_LOCKFLAG_EXCLUSIVE_LOCK) != 0;

		if (!lock_flags_valid(e[i].flags)) {
			/* earlier locks of this request stay [§3.3.5.14.2] */
			status = NT_STATUS_INVALID_PARAMETER;
			break;
		}
		if (!range_valid(e[i].offset, e[i].length)) {
			status = NT_STATUS_INVALID_LOCK_RANGE;
			goto rollback;
		}
		if (lock_conflicts(f, op, e[i].offset, e[i].length, excl,
				   true)) {
			if (e[i].flags & SMB2_LOCKFLAG_FAIL_IMMEDIATELY) {
				status = NT_STATUS_LOCK_NOT_GRANTED;
				goto rollback;
			}
			return lock_wait(req, op, &e[i]);	/* n == 1 */
		}
		if (lock_add(f, op, e[i].offset, e[i].length, excl) != 0) {
			status = NT_STATUS_NO_MEMORY;
			goto rollback;
		}
		acquired++;
	}
	if (status == NT_STATUS_OK) {
		lock_put_reply(req);
	}
	return status;
rollback:
	/* this request's locks are the last ones added */
	f->nlocks -= acquired;
	if (acquired > 0) {
		lock_retry_waiters(f);
	}
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
	if (e[0].flags & SMB2_LOCKFLAG_UNLOCK) {
		status = do_unlocks(req, op, e, count);
	} else {
		status = do_locks(req, op, e, count);
	}
	talloc_free(e);
	return status;
}
