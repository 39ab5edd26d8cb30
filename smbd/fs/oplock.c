/*
 * oplock.c - oplocks on open files: the grant and break decisions, the
 * breaks in progress with their timeout, and the requests waiting for
 * them (oplock.h).
 *
 * Lifetime: an oplock is a talloc child of its open, linked on the open's
 * file; the open's destructor releases it (smbd_oplock_release) before
 * the open leaves its file. A wait is a talloc child of its caller's
 * state, linked on the file only while some oplock of the file is
 * breaking: the last break to end takes every wait off the file and
 * schedules its callback, so a file never goes with waits on it.
 */
#include "smbd/fs/oplock.h"
#include "smbd/loop.h"
#include "smbd/fs/lease.h"

#include <errno.h>

/* Access a stat open may have [MS-FSA §2.1.4.12: no oplock break] */
#define STAT_OPEN_ACCESS (FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | \
			  SEC_STD_SYNCHRONIZE)
#define DEFAULT_BREAK_TIMEOUT_MS	35000

struct smbd_oplock {
	struct smbd_oplock *prev, *next;	/* file->oplocks */
	struct smbd_open *op;
	struct smbd_file *file;
	struct smbd_conn *conn;		/* the holder's; counts its breaks */
	uint8_t level;
	uint8_t breaking_to;
	bool breaking;
	struct tevent_timer *te;	/* break timeout, while breaking */
};

struct smbd_oplock_wait {
	struct smbd_oplock_wait *prev, *next;	/* file->oplock_waits */
	struct smbd_file *file;		/* NULL once woken */
	struct smbd_conn *conn;
	struct tevent_context *ev;
	struct tevent_immediate *im;
	smbd_oplock_wake_fn fn;
	void *priv;
};

/* ================================================================== */
/* Decisions                                                           */
/* ================================================================== */

bool smbd_oplock_stat_open(uint32_t access)
{
	return (access & ~STAT_OPEN_ACCESS) == 0;
}

static bool level_exclusive(uint8_t level)
{
	return level == SMB2_OPLOCK_LEVEL_EXCLUSIVE ||
	       level == SMB2_OPLOCK_LEVEL_BATCH;
}

uint8_t smbd_oplock_break_to(uint8_t held, enum smbd_oplock_op what)
{
	if (level_exclusive(held)) {
		switch (what) {
		case SMBD_OPLOCK_OP_OPEN:
			return SMB2_OPLOCK_LEVEL_II;
		case SMBD_OPLOCK_OP_RENAME:
		case SMBD_OPLOCK_OP_DELETE:
			return held == SMB2_OPLOCK_LEVEL_BATCH ?
			       SMB2_OPLOCK_LEVEL_II : held;
		default:
			return SMB2_OPLOCK_LEVEL_NONE;
		}
	}
	if (held == SMB2_OPLOCK_LEVEL_II) {
		switch (what) {
		case SMBD_OPLOCK_OP_OVERWRITE:
		case SMBD_OPLOCK_OP_WRITE:
		case SMBD_OPLOCK_OP_LOCK:
		case SMBD_OPLOCK_OP_SIZE:
			return SMB2_OPLOCK_LEVEL_NONE;
		default:
			return held;
		}
	}
	return SMB2_OPLOCK_LEVEL_NONE;
}

uint8_t smbd_oplock_grant(uint8_t requested, bool is_file, size_t others,
			  uint8_t others_max)
{
	if (!is_file) {
		return SMB2_OPLOCK_LEVEL_NONE;
	}
	if (level_exclusive(requested) && others == 0) {
		return requested;
	}
	if (requested != SMB2_OPLOCK_LEVEL_II && !level_exclusive(requested)) {
		return SMB2_OPLOCK_LEVEL_NONE;
	}
	if (level_exclusive(others_max)) {
		return SMB2_OPLOCK_LEVEL_NONE;
	}
	return SMB2_OPLOCK_LEVEL_II;
}

NTSTATUS smbd_oplock_ack_check(uint8_t held, uint8_t breaking_to,
			       uint8_t acked, uint8_t *granted)
{
	*granted = SMB2_OPLOCK_LEVEL_NONE;
	if (acked == SMB2_OPLOCK_LEVEL_LEASE) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (acked == SMB2_OPLOCK_LEVEL_NONE) {
		return NT_STATUS_OK;
	}
	if (acked == SMB2_OPLOCK_LEVEL_II && level_exclusive(held)) {
		/* never above what the break offered */
		*granted = breaking_to == SMB2_OPLOCK_LEVEL_II ?
			   SMB2_OPLOCK_LEVEL_II : SMB2_OPLOCK_LEVEL_NONE;
		return NT_STATUS_OK;
	}
	return NT_STATUS_INVALID_OPLOCK_PROTOCOL;
}

/* ================================================================== */
/* Waits                                                               */
/* ================================================================== */

static void wait_unlink(struct smbd_oplock_wait *w)
{
	struct smbd_file *f = w->file;

	if (f == NULL) {
		return;
	}
	if (w->prev != NULL) {
		w->prev->next = w->next;
	} else {
		f->oplock_waits = w->next;
	}
	if (w->next != NULL) {
		w->next->prev = w->prev;
	}
	w->prev = w->next = NULL;
	w->file = NULL;
}

static int wait_destructor(struct smbd_oplock_wait *w)
{
	wait_unlink(w);
	w->conn->noplock_waits--;
	return 0;
}

static void wait_fire(struct tevent_context *ev, struct tevent_immediate *im,
		      void *priv)
{
	struct smbd_oplock_wait *w = priv;
	smbd_oplock_wake_fn fn = w->fn;

	(void)ev;
	(void)im;
	w->fn = NULL;
	if (fn != NULL) {
		fn(w->priv);	/* may free w */
	}
}

static void wait_wake(struct smbd_oplock_wait *w)
{
	wait_unlink(w);
	smbd_loop_schedule_conn(w->conn, w->im, wait_fire, w);
}

/* The last break of f ended: every wait goes on. */
void smbd_oplock_wake(struct smbd_file *f)
{
	if (f == NULL || smbd_oplock_breaking(f)) {
		return;
	}
	while (f->oplock_waits != NULL) {
		wait_wake(f->oplock_waits);
	}
}

NTSTATUS smbd_oplock_wait(TALLOC_CTX *mem, struct smbd_file *f,
			  struct smbd_conn *conn, smbd_oplock_wake_fn fn,
			  void *priv, struct smbd_oplock_wait **pw)
{
	struct smbd_oplock_wait *w = NULL;

	if (conn->noplock_waits >= SMBD_MAX_OPLOCK_WAITS) {
		smbd_budget_hit(f->srv, conn, SMBD_BUDGET_OPLOCKS,
				SMBD_MAX_OPLOCK_WAITS);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	w = talloc_zero(mem, struct smbd_oplock_wait);
	if (w == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	w->im = tevent_create_immediate(w);
	if (w->im == NULL) {
		talloc_free(w);
		return NT_STATUS_NO_MEMORY;
	}
	w->conn = conn;
	w->ev = f->srv->ev;
	w->fn = fn;
	w->priv = priv;
	conn->noplock_waits++;
	talloc_set_destructor(w, wait_destructor);
	if (!smbd_oplock_breaking(f)) {
		smbd_loop_schedule_conn(w->conn, w->im, wait_fire, w);
	} else {
		w->file = f;
		w->next = f->oplock_waits;
		if (w->next != NULL) {
			w->next->prev = w;
		}
		f->oplock_waits = w;
	}
	*pw = w;
	return NT_STATUS_OK;
}

/* ================================================================== */
/* Oplocks                                                             */
/* ================================================================== */

static struct smbd_conn *open_conn(const struct smbd_open *op)
{
	if (op->tree == NULL || op->tree->sess == NULL) {
		return NULL;
	}
	return op->tree->sess->conn;
}

/* End o's break, if any (no callbacks). */
static void break_stop(struct smbd_oplock *o)
{
	if (!o->breaking) {
		return;
	}
	o->breaking = false;
	TALLOC_FREE(o->te);
	if (o->conn != NULL) {
		o->conn->noplock_breaks--;
	}
}

static int oplock_destructor(struct smbd_oplock *o)
{
	struct smbd_file *f = o->file;

	break_stop(o);
	if (o->prev != NULL) {
		o->prev->next = o->next;
	} else if (f != NULL) {
		f->oplocks = o->next;
	}
	if (o->next != NULL) {
		o->next->prev = o->prev;
	}
	if (o->op != NULL && o->op->oplock == o) {
		o->op->oplock = NULL;
	}
	smbd_oplock_wake(f);
	return 0;
}

uint8_t smbd_oplock_level(const struct smbd_open *op)
{
	return op->oplock != NULL ? op->oplock->level : SMB2_OPLOCK_LEVEL_NONE;
}

int smbd_oplock_set(struct smbd_open *op, uint8_t level)
{
	struct smbd_oplock *o = NULL;
	struct smbd_file *f = op->file;

	TALLOC_FREE(op->oplock);
	if (level == SMB2_OPLOCK_LEVEL_NONE || f == NULL) {
		return 0;
	}
	o = talloc_zero(op, struct smbd_oplock);
	if (o == NULL) {
		return -ENOMEM;
	}
	o->op = op;
	o->file = f;
	o->conn = open_conn(op);
	o->level = level;
	o->next = f->oplocks;
	if (o->next != NULL) {
		o->next->prev = o;
	}
	f->oplocks = o;
	op->oplock = o;
	talloc_set_destructor(o, oplock_destructor);
	return 0;
}

uint8_t smbd_oplock_others_max(const struct smbd_file *f,
			       const struct smbd_open *except,
			       size_t *others)
{
	const struct smbd_oplock *o = NULL;
	uint8_t max = SMB2_OPLOCK_LEVEL_NONE;
	size_t i = 0, n = 0;

	for (i = 0; i < f->nopens; i++) {
		const struct smbd_open *op = f->opens[i];

		if (op != except) {
			n++;
		}
	}
	for (o = f->oplocks; o != NULL; o = o->next) {
		if (o->op != except && o->level > max) {
			max = o->level;
		}
	}
	*others = n;
	return max;
}

bool smbd_oplock_breaking(const struct smbd_file *f)
{
	const struct smbd_oplock *o = NULL;

	for (o = f->oplocks; o != NULL; o = o->next) {
		if (o->breaking) {
			return true;
		}
	}
	return smbd_lease_breaking(f);
}

static void send_break(struct smbd_oplock *o, uint8_t level)
{
	struct smbd_server *srv = o->file->srv;

	if (srv != NULL && srv->oplock_up != NULL) {
		srv->oplock_up->send_break(o->op, level);
	}
}

/* The break of o ends at level (acknowledged, timed out). May free o. */
static void break_done(struct smbd_oplock *o, uint8_t level)
{
	struct smbd_file *f = o->file;

	break_stop(o);
	o->level = level;
	if (level == SMB2_OPLOCK_LEVEL_NONE) {
		talloc_free(o);		/* wakes the file's waits */
		return;
	}
	smbd_oplock_wake(f);
}

static void break_timeout(struct tevent_context *ev, struct tevent_timer *te,
			  struct timeval now, void *priv)
{
	struct smbd_oplock *o = priv;
	struct smbd_conn *conn = o->conn;

	(void)ev;
	(void)now;
	o->te = NULL;		/* freed by tevent after this returns */
	DBG_CLIENT(VFS, "%s: no acknowledgment of the oplock break of %s: "
		   "treated as none", conn != NULL ? conn->peer_addr : "?",
		   o->op->path);
	break_done(o, SMB2_OPLOCK_LEVEL_NONE);
}

uint32_t smbd_oplock_timeout_ms(const struct smbd_server *srv)
{
	if (srv == NULL || srv->cfg == NULL ||
	    srv->cfg->oplock_break_timeout_ms == 0) {
		return DEFAULT_BREAK_TIMEOUT_MS;
	}
	return srv->cfg->oplock_break_timeout_ms;
}

/* Start breaking o (exclusive or batch) to level; may free o. */
static void break_start(struct smbd_oplock *o, uint8_t to)
{
	struct smbd_server *srv = o->file->srv;
	struct smbd_conn *conn = o->conn;
	uint32_t ms = smbd_oplock_timeout_ms(srv);

	if (o->op->preserved) {
		/* a durable open whose client is gone: it is closed (from
		 * the loop), which ends the break [MS-SMB2 §3.3.5.9] */
		o->breaking = true;
		o->breaking_to = to;
		smbd_open_preserved_close_soon(o->op);
		return;
	}
	if (conn == NULL || conn->state == SMBD_CONN_CLOSING ||
	    conn->noplock_breaks >= SMBD_MAX_OPLOCK_BREAKS) {
		if (conn != NULL && conn->state != SMBD_CONN_CLOSING) {
			smbd_budget_hit(srv, conn, SMBD_BUDGET_OPLOCKS,
					SMBD_MAX_OPLOCK_BREAKS);
		}
		/* nobody to wait for: acknowledged to none right away */
		send_break(o, SMB2_OPLOCK_LEVEL_NONE);
		talloc_free(o);
		return;
	}
	o->te = tevent_add_timer(smbd_loop_ev(srv), o,
				 tevent_timeval_current_ofs(ms / 1000,
							    (ms % 1000) *
							    1000),
				 break_timeout, o);
	if (o->te == NULL) {
		send_break(o, SMB2_OPLOCK_LEVEL_NONE);
		talloc_free(o);
		return;
	}
	o->breaking = true;
	o->breaking_to = to;
	conn->noplock_breaks++;
	send_break(o, to);
}

/* A write, lock or size change breaks its own open's level II too. */
static bool breaks_own(uint8_t level, enum smbd_oplock_op what)
{
	return level == SMB2_OPLOCK_LEVEL_II &&
	       (what == SMBD_OPLOCK_OP_WRITE || what == SMBD_OPLOCK_OP_LOCK ||
		what == SMBD_OPLOCK_OP_SIZE);
}

bool smbd_oplock_break(struct smbd_file *f, const struct smbd_open *except,
		       enum smbd_oplock_op what, bool batch_only)
{
	return smbd_oplock_break_lease(f, except, NULL, NULL, what,
				       batch_only ? SMBD_BREAK_BATCH_ONLY : 0);
}

bool smbd_oplock_break_lease(struct smbd_file *f,
			     const struct smbd_open *except,
			     const uint8_t *own_guid, const uint8_t *own_key,
			     enum smbd_oplock_op what, unsigned flags)
{
	bool batch_only = (flags & SMBD_BREAK_BATCH_ONLY) != 0;
	struct smbd_oplock *o = NULL, *next = NULL;

	for (o = f->oplocks; o != NULL; o = next) {
		uint8_t to = 0;

		next = o->next;
		if (what == SMBD_OPLOCK_OP_SHARE) {
			break;
		}
		if (o->op == except && !breaks_own(o->level, what)) {
			continue;
		}
		if (batch_only && o->level != SMB2_OPLOCK_LEVEL_BATCH) {
			continue;
		}
		to = smbd_oplock_break_to(o->level, what);
		if (o->breaking) {
			/* a second conflict during the break: the
			 * acknowledgment may lower it no further than this */
			if (to < o->breaking_to) {
				o->breaking_to = to;
			}
			continue;
		}
		if (to == o->level) {
			continue;
		}
		if (!level_exclusive(o->level)) {
			/* level II: to none, no acknowledgment */
			send_break(o, to);
			talloc_free(o);
			continue;
		}
		break_start(o, to);
	}
	if (!(flags & SMBD_BREAK_BATCH_ONLY) && !(flags & SMBD_BREAK_NO_LEASES)) {
		if (own_key == NULL && except != NULL &&
		    except->lease != NULL) {
			smbd_lease_own_id(except, &own_guid, &own_key);
		}
		if (smbd_lease_break_file(f, own_guid, own_key, what,
					  (flags & SMBD_BREAK_DELETE) != 0)) {
			return true;
		}
	}
	for (o = f->oplocks; o != NULL; o = o->next) {
		if (o->breaking) {
			return true;
		}
	}
	return false;
}

NTSTATUS smbd_oplock_ack(struct smbd_open *op, uint8_t acked,
			 uint8_t *granted)
{
	struct smbd_oplock *o = op->oplock;
	NTSTATUS status = NT_STATUS_OK;

	*granted = SMB2_OPLOCK_LEVEL_NONE;
	if (o == NULL || o->level == SMB2_OPLOCK_LEVEL_II) {
		/* nothing to acknowledge: a level II break needs none
		 * (smbtorture smb2.oplock.levelii500, as Windows) */
		return NT_STATUS_INVALID_OPLOCK_PROTOCOL;
	}
	if (!o->breaking) {
		return NT_STATUS_INVALID_DEVICE_STATE;
	}
	status = smbd_oplock_ack_check(o->level, o->breaking_to, acked,
				       granted);
	break_done(o, *granted);
	return status;
}

void smbd_oplock_release(struct smbd_open *op)
{
	TALLOC_FREE(op->oplock);
}

void smbd_oplock_set_conn(struct smbd_open *op, struct smbd_conn *conn)
{
	if (op->oplock != NULL && !op->oplock->breaking) {
		op->oplock->conn = conn;
	}
}

bool smbd_oplock_breaking_open(const struct smbd_open *op)
{
	return op->oplock != NULL && op->oplock->breaking;
}
