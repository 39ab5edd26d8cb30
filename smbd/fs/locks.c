/*
 * locks.c - what the LOCK commands of both front ends share (locks.h):
 * the budgets, the engine glue and the per-file waiter queue.
 */
#include "smbd/smbd.h"
#include "smbd/fs/locks.h"
#include "smbd/fs/open.h"

#define LOCK_DEFAULT_PER_OPEN	1024
#define LOCK_CONN_FACTOR	16
#define LOCK_MAX_WAITS		256

/* ---- budgets and the engine ---- */

static struct smbd_conn *open_conn(const struct smbd_open *op)
{
	return op->tree->sess->conn;
}

NTSTATUS smbd_lock_admit(const struct smbd_open *op)
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

struct brl_lock *smbd_lock_add(struct smbd_open *op, uint32_t tag,
			       uint64_t off, uint64_t len, bool excl)
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
	return brl_add(f->locks, &op->locks, tag, off, len, excl);
}

bool smbd_lock_conflicts(const struct smbd_open *op, uint32_t tag,
			 uint64_t off, uint64_t len, bool excl,
			 bool lock_intent)
{
	return brl_conflicts(op->file->locks, &op->locks, tag, off, len,
			     excl, lock_intent);
}

/* ---- waiting locks ---- */

static void lock_wait_unlink(struct smbd_lock_wait *w)
{
	struct smbd_file *f = w->file;

	if (!w->queued) {
		return;
	}
	if (w->prev != NULL) {
		w->prev->next = w->next;
	} else {
		f->waiters = w->next;
	}
	if (w->next != NULL) {
		w->next->prev = w->prev;
	}
	w->prev = NULL;
	w->next = NULL;
	w->queued = false;
}

static int lock_wait_destructor(struct smbd_lock_wait *w)
{
	lock_wait_unlink(w);
	w->conn->nlock_waits--;
	return 0;
}

NTSTATUS smbd_lock_wait_add(TALLOC_CTX *mem, struct smbd_conn *conn,
			    struct smbd_open *op, uint32_t tag, uint64_t off,
			    uint64_t len, bool excl, smbd_lock_wake_fn fn,
			    void *priv, struct smbd_lock_wait **pw)
{
	struct smbd_file *f = op->file;
	struct smbd_lock_wait *w = NULL;
	struct smbd_lock_wait *last = NULL;

	if (conn->nlock_waits >= LOCK_MAX_WAITS) {
		smbd_budget_hit(conn->srv, conn, SMBD_BUDGET_LOCKS,
				LOCK_MAX_WAITS);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	w = talloc_zero(mem, struct smbd_lock_wait);
	if (w == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	w->file = f;
	w->conn = conn;
	w->op = op;
	w->tag = tag;
	w->offset = off;
	w->length = len;
	w->exclusive = excl;
	w->fn = fn;
	w->priv = priv;
	for (last = f->waiters; last != NULL && last->next != NULL;
	     last = last->next) {
	}
	if (last != NULL) {
		last->next = w;
		w->prev = last;
	} else {
		f->waiters = w;
	}
	w->queued = true;
	conn->nlock_waits++;
	talloc_set_destructor(w, lock_wait_destructor);
	*pw = w;
	return NT_STATUS_OK;
}

/* Wake every waiter that no longer conflicts, oldest first. */
void smbd_lock_released(struct smbd_file *f)
{
	struct smbd_lock_wait *w = NULL;

	for (;;) {
		for (w = f->waiters; w != NULL; w = w->next) {
			if (!smbd_lock_conflicts(w->op, w->tag, w->offset,
						 w->length, w->exclusive,
						 true)) {
				break;
			}
		}
		if (w == NULL) {
			return;
		}
		lock_wait_unlink(w);
		w->fn(w, w->priv, NT_STATUS_OK);
	}
}

/*
 * op is going (its destructor, SMBD_OPEN_STAGE_LOCKS: after its parked
 * CHANGE_NOTIFY ended, before delete on close marks the file and the fd
 * is closed): end its waiting lock requests with RANGE_NOT_LOCKED (an
 * SMB1 one may still hold the locks it took before it waited), drop every
 * lock op holds, then wake the other opens' waiters that no longer
 * conflict.
 */
static void lock_open_closed(struct smbd_open *op, void *priv)
{
	struct smbd_file *f = op->file;
	struct smbd_lock_wait *w = NULL;
	size_t removed = 0;

	if (f == NULL) {
		return;
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
		lock_wait_unlink(w);
		w->fn(w, w->priv, NT_STATUS_RANGE_NOT_LOCKED);
	}
	removed = brl_remove_owner(&op->locks);
	if (removed > 0) {
		smbd_lock_released(f);
	}
}

static const struct smbd_open_att_ops lock_att_ops = {
	.close = lock_open_closed,
};

NTSTATUS smbd_lock_attach(struct smbd_open *op)
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

