/*
 * lock.c - the byte-range part of SMB1 LOCKING_ANDX [MS-CIFS §2.2.4.32,
 * §3.3.5.31], over the lock machinery SMB2 uses too (fs/locks.h): the
 * same per-inode tables, budgets and waiter queue, so SMB1 and SMB2 locks
 * of one file see each other and a release by either wakes both.
 *
 * What SMB1 adds:
 *  - the holder of a lock is the open and the PID of its range (PIDLow;
 *    Windows ignores PIDHigh here, smbtorture raw.lock.pidhigh): a FID
 *    used by two processes holds two sets of locks that conflict with
 *    each other, and READ/WRITE_ANDX check the header's PID;
 *  - Windows' error for a refused lock: FILE_LOCK_CONFLICT when the
 *    request waited (Timeout != 0), when it repeats the offset of the
 *    open's last refused lock, or when the offset is in [0xEF000000,
 *    2^63); LOCK_NOT_GRANTED otherwise. The last refused offset is
 *    remembered per open when the refusal is answered;
 *  - Timeout: a lock that conflicts waits up to Timeout ms (0xFFFFFFFF:
 *    for ever) in the file's queue, holding the ranges of the request it
 *    already took; it ends when granted, at its timeout, by NT_CANCEL or a
 *    LOCKING_ANDX_CANCEL_LOCK naming its range (FILE_LOCK_CONFLICT, the
 *    taken ranges released), or when its open closes (RANGE_NOT_LOCKED;
 *    CLOSE, PROCESS_EXIT, LOGOFF, TREE_DISCONNECT and a dropped
 *    connection all close it);
 *  - CHANGE_LOCKTYPE is refused with ERRDOS/ERRnoatomiclocks, as Windows.
 *
 * Ownership: a waiting request's state is a talloc child of the request
 * (which the connection owns) and sits in c1->lock_waits; its queue entry
 * and timer are its children. The last refused offset lives in an
 * attachment of the open (a child of the open).
 */
#include "smbd/smb1/smb1.h"
#include "smbd/loop.h"
#include "smbd/fs/brlock.h"
#include "smbd/fs/open.h"
#include "smbd/fs/oplock.h"
#include "smbd/fs/locks.h"

#include <tevent.h>

#define LOCK_RANGE_CONFLICT_LO	0xEF000000ull
#define LOCK_FOREVER		0xFFFFFFFFu

struct smb1_lock_state {
	struct smb1_lock_state *prev, *next;	/* c1->lock_waits */
	struct smb1_req *r;
	struct smbd_open *op;
	struct smb1_locking l;
	unsigned next_lock;		/* the range being waited for */
	struct brl_lock **added;	/* this request's, to roll back */
	unsigned nadded;
	struct smbd_lock_wait *w;
	struct tevent_timer *te;
	bool waited;
};

/* ---- the open's last refused lock ---- */

struct lock_failed {
	bool set;
	uint64_t offset;
};

static void failed_close(struct smbd_open *op, void *priv)
{
	(void)op;
	(void)priv;
}

static const struct smbd_open_att_ops failed_ops = {
	.close = failed_close,
};

static struct lock_failed *lock_failed_get(struct smbd_open *op)
{
	struct smbd_open_att *a = smbd_open_att_find(op, &failed_ops);
	struct lock_failed *lf = NULL;

	if (a != NULL) {
		return smbd_open_att_priv(a);
	}
	lf = talloc_zero(op, struct lock_failed);
	if (lf == NULL) {
		return NULL;
	}
	if (smbd_open_attach(lf, op, SMBD_OPEN_STAGE_KEPT, &failed_ops,
			     lf) == NULL) {
		talloc_free(lf);
		return NULL;
	}
	return lf;
}

/* The status of a refused lock at off (and remember it as the last). */
static NTSTATUS lock_refused(struct smbd_open *op, uint64_t off,
			     bool waited)
{
	struct lock_failed *lf = lock_failed_get(op);
	bool repeat = lf != NULL && lf->set && lf->offset == off;

	if (lf != NULL) {
		lf->set = true;
		lf->offset = off;
	}
	if (waited || repeat ||
	    (off >= LOCK_RANGE_CONFLICT_LO && (off >> 63) == 0)) {
		return NT_STATUS_FILE_LOCK_CONFLICT;
	}
	return NT_STATUS_LOCK_NOT_GRANTED;
}

/* ---- taking the ranges ---- */

static void lock_reply(struct smb1_req *r)
{
	smb1_put_andx(r, 2);
	smb1_bytes_end(r, smb1_bytes_begin(r));
}

/* Release what st took (not when its open is closing: that drops it). */
static void lock_rollback(struct smb1_lock_state *st, bool wake)
{
	if (st->nadded == 0) {
		return;
	}
	while (st->nadded > 0) {
		brl_remove(st->added[--st->nadded]);
	}
	if (wake) {
		smbd_lock_released(st->op->file);
	}
}

static int lock_state_destructor(struct smb1_lock_state *st)
{
	struct smbd_smb1_conn *c1 = st->r->c1;

	if (st->prev != NULL) {
		st->prev->next = st->next;
	} else if (c1->lock_waits == st) {
		c1->lock_waits = st->next;
	}
	if (st->next != NULL) {
		st->next->prev = st->prev;
	}
	return 0;
}

static void lock_woken(struct smbd_lock_wait *w, void *priv,
		       NTSTATUS status);
static void lock_timeout(struct tevent_context *ev, struct tevent_timer *te,
			 struct timeval now, void *priv);

/*
 * Take st's ranges from st->next_lock on. OK when all are held;
 * PENDING when one conflicts and the request waits (st queued); an
 * error after rolling back what st took.
 */
static NTSTATUS lock_take(struct smb1_lock_state *st)
{
	struct smb1_req *r = st->r;
	struct smbd_open *op = st->op;
	const struct smb1_locking *l = &st->l;
	bool excl = (l->type & SMB1_LOCKING_SHARED) == 0;
	NTSTATUS status = NT_STATUS_OK;

	for (; st->next_lock < l->nlocks; st->next_lock++) {
		struct brl_lock *lk = NULL;
		uint64_t off = 0, len = 0;
		uint16_t pid = 0;

		smb1_locking_range(l, l->nunlocks + st->next_lock, &pid,
				   &off, &len);
		if (!brl_range_valid(off, len)) {
			status = NT_STATUS_INVALID_LOCK_RANGE;
			break;
		}
		status = smbd_lock_admit(op);
		if (status != NT_STATUS_OK) {
			break;
		}
		if (smbd_lock_conflicts(op, pid, off, len, excl, true)) {
			if (l->timeout == 0) {
				status = lock_refused(op, off, false);
				break;
			}
			status = smbd_lock_wait_add(st, r->conn, op, pid, off,
						    len, excl, lock_woken, st,
						    &st->w);
			if (status != NT_STATUS_OK) {
				break;
			}
			return NT_STATUS_PENDING;
		}
		lk = smbd_lock_add(op, pid, off, len, excl);
		if (lk == NULL) {
			status = NT_STATUS_NO_MEMORY;
			break;
		}
		st->added[st->nadded++] = lk;
	}
	if (status != NT_STATUS_OK) {
		/* all or nothing [MS-CIFS §3.3.5.31] */
		lock_rollback(st, true);
	}
	return status;
}

/* st's request ends with status (st freed). */
static void lock_finish(struct smb1_lock_state *st, NTSTATUS status)
{
	struct smb1_req *r = st->r;

	if (status == NT_STATUS_OK) {
		lock_reply(r);
	}
	talloc_free(st);
	smb1_req_done(r, status);
}

/* The range st waited for is free, or its open is closing. */
static void lock_woken(struct smbd_lock_wait *w, void *priv,
		       NTSTATUS status)
{
	struct smb1_lock_state *st = priv;

	TALLOC_FREE(st->w);
	if (status != NT_STATUS_OK) {
		st->nadded = 0;		/* the closing open drops them */
		lock_finish(st, status);
		return;
	}
	status = lock_take(st);
	if (status != NT_STATUS_PENDING) {
		lock_finish(st, status);
	}
}

/* The wait ends unanswered: a timeout, or a cancel. */
static void lock_give_up(struct smb1_lock_state *st)
{
	uint64_t off = 0, len = 0;
	uint16_t pid = 0;
	NTSTATUS status = NT_STATUS_OK;

	TALLOC_FREE(st->w);
	TALLOC_FREE(st->te);
	smb1_locking_range(&st->l, st->l.nunlocks + st->next_lock, &pid,
			   &off, &len);
	status = lock_refused(st->op, off, true);
	lock_rollback(st, true);
	lock_finish(st, status);
}

static void lock_timeout(struct tevent_context *ev, struct tevent_timer *te,
			 struct timeval now, void *priv)
{
	struct smb1_lock_state *st = priv;

	(void)ev;
	(void)now;
	st->te = NULL;		/* tevent frees a timer that fired */
	lock_give_up(st);
}

/* ---- LOCKING_ANDX_CANCEL_LOCK and NT_CANCEL ---- */

/*
 * Cancel the waiting request of op whose range being waited for is one
 * of l's lock ranges, in the same format (LARGE_FILES as it was sent:
 * Windows refuses a cancel that names it in the other one). OK, or
 * ERRDOS/ERRcancelviolation when none matches.
 */
static NTSTATUS lock_cancel_ranges(struct smb1_req *r, struct smbd_open *op,
				   const struct smb1_locking *l)
{
	struct smb1_lock_state *st = NULL;
	unsigned i = 0;

	for (i = 0; i < l->nlocks; i++) {
		uint64_t off = 0, len = 0;
		uint16_t pid = 0;

		smb1_locking_range(l, l->nunlocks + i, &pid, &off, &len);
		for (st = r->c1->lock_waits; st != NULL; st = st->next) {
			uint64_t woff = 0, wlen = 0;
			uint16_t wpid = 0;

			/* the ranges must be read in the same format */
			if (st->op != op || st->w == NULL ||
			    ((st->l.type ^ l->type) &
			     SMB1_LOCKING_LARGE_FILES) != 0) {
				continue;
			}
			smb1_locking_range(&st->l,
					   st->l.nunlocks + st->next_lock,
					   &wpid, &woff, &wlen);
			if (wpid == pid && woff == off && wlen == len) {
				break;
			}
		}
		if (st != NULL) {
			lock_give_up(st);
			lock_reply(r);
			return NT_STATUS_OK;
		}
	}
	return SMB1_DOS_STATUS(SMB1_ERRDOS, SMB1_ERRcancelviolation);
}

bool smb1_lock_nt_cancel(struct smb1_req *r)
{
	struct smb1_lock_state *st = NULL;

	for (st = r->c1->lock_waits; st != NULL; st = st->next) {
		const struct smb1_hdr *h = &st->r->hdr;

		if (h->mid == r->hdr.mid && h->pid == r->hdr.pid &&
		    st->r->out_uid == r->hdr.uid && st->w != NULL) {
			lock_give_up(st);
			return true;
		}
	}
	return false;
}

/* ---- the core LOCK_BYTE_RANGE / UNLOCK_BYTE_RANGE (core.c) ---- */

NTSTATUS smb1_lock_range(struct smb1_req *r, struct smbd_open *op,
			 uint64_t off, uint64_t len, bool excl)
{
	uint16_t pid = (uint16_t)r->hdr.pid;
	NTSTATUS status = NT_STATUS_OK;

	if (op->file == NULL || op->is_dir || op->fd < 0) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	if (!brl_range_valid(off, len)) {
		return NT_STATUS_INVALID_LOCK_RANGE;
	}
	status = smbd_lock_attach(op);
	if (status == NT_STATUS_OK) {
		status = smbd_lock_admit(op);
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (smbd_lock_conflicts(op, pid, off, len, excl, true)) {
		return lock_refused(op, off, false);
	}
	(void)smbd_oplock_break(op->file, op, SMBD_OPLOCK_OP_LOCK, false);
	return smbd_lock_add(op, pid, off, len, excl) != NULL ?
	       NT_STATUS_OK : NT_STATUS_NO_MEMORY;
}

NTSTATUS smb1_unlock_range(struct smb1_req *r, struct smbd_open *op,
			   uint64_t off, uint64_t len)
{
	struct brl_lock *lk = NULL;

	lk = brl_find(&op->locks, (uint16_t)r->hdr.pid, off, len);
	if (lk == NULL) {
		return NT_STATUS_RANGE_NOT_LOCKED;
	}
	brl_remove(lk);
	smbd_lock_released(op->file);
	return NT_STATUS_OK;
}

/* ---- LOCKING_ANDX ---- */

bool smb1_lock_io_conflicts(const struct smb1_req *r,
			    const struct smbd_open *op, uint64_t off,
			    uint64_t len, bool write)
{
	if (op->file == NULL || brl_count(op->file->locks) == 0 || len == 0) {
		return false;
	}
	return smbd_lock_conflicts(op, (uint16_t)r->hdr.pid, off, len, write,
				   false);
}

/* Unlock l's unlock ranges in order; the first missing one stops. */
static NTSTATUS lock_unlock(struct smbd_open *op, const struct smb1_locking *l)
{
	NTSTATUS status = NT_STATUS_OK;
	bool released = false;
	unsigned i = 0;

	for (i = 0; i < l->nunlocks; i++) {
		struct brl_lock *lk = NULL;
		uint64_t off = 0, len = 0;
		uint16_t pid = 0;

		smb1_locking_range(l, i, &pid, &off, &len);
		lk = brl_find(&op->locks, pid, off, len);
		if (lk == NULL) {
			status = NT_STATUS_RANGE_NOT_LOCKED;
			break;
		}
		brl_remove(lk);
		released = true;
	}
	if (released) {
		smbd_lock_released(op->file);
	}
	return status;
}

NTSTATUS smb1_lock_ranges(struct smb1_req *r, struct smbd_open *op,
			  const struct smb1_locking *l)
{
	struct smb1_lock_state *st = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (l->type & SMB1_LOCKING_CHANGE_LOCKTYPE) {
		/* Windows does not change a lock's type atomically */
		return SMB1_DOS_STATUS(SMB1_ERRDOS, SMB1_ERRnoatomiclocks);
	}
	if (op->file == NULL || op->is_dir || op->fd < 0) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	if (l->type & SMB1_LOCKING_CANCEL) {
		return lock_cancel_ranges(r, op, l);
	}
	status = smbd_lock_attach(op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = lock_unlock(op, l);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (l->nlocks == 0) {
		lock_reply(r);
		return NT_STATUS_OK;
	}
	st = talloc_zero(r, struct smb1_lock_state);
	if (st == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	st->added = talloc_zero_array(st, struct brl_lock *, l->nlocks);
	if (st->added == NULL) {
		talloc_free(st);
		return NT_STATUS_NO_MEMORY;
	}
	st->r = r;
	st->op = op;
	st->l = *l;
	/* other opens' level II oplocks break to none [MS-FSA §2.1.5.7] */
	(void)smbd_oplock_break(op->file, op, SMBD_OPLOCK_OP_LOCK, false);
	status = lock_take(st);
	if (status != NT_STATUS_PENDING) {
		if (status == NT_STATUS_OK) {
			lock_reply(r);
		}
		talloc_free(st);
		return status;
	}
	if (l->timeout != LOCK_FOREVER) {
		st->te = tevent_add_timer(smbd_loop_ev(r->conn->srv), st,
					  tevent_timeval_current_ofs(
						  l->timeout / 1000,
						  (l->timeout % 1000) * 1000),
					  lock_timeout, st);
		if (st->te == NULL) {
			TALLOC_FREE(st->w);
			lock_rollback(st, true);
			talloc_free(st);
			return NT_STATUS_NO_MEMORY;
		}
	}
	st->next = r->c1->lock_waits;
	if (st->next != NULL) {
		st->next->prev = st;
	}
	r->c1->lock_waits = st;
	talloc_set_destructor(st, lock_state_destructor);
	return NT_STATUS_PENDING;
}
