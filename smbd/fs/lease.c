/*
 * lease.c - leases on files and directories (lease.h): the grant and
 * break decisions, the table keyed by ClientGuid and lease key, breaks
 * with their acknowledgment and timeout.
 *
 * Lifetime: a lease is a talloc child of the server's file table owner
 * (the smbd_file it is on); it counts the opens holding it and goes with
 * the last (smbd_lease_release from the open's destructor), ending its
 * break, which lets the file's waits go on if it was the last.
 */
#include "smbd/fs/lease.h"
#include "smbd/loop.h"

#include <errno.h>
#include <string.h>

struct smbd_lease {
	struct smbd_lease *prev, *next;		/* file->leases */
	struct smbd_lease *tprev, *tnext;	/* srv->leases */
	struct smbd_server *srv;
	struct smbd_file *file;
	uint8_t guid[16];
	uint8_t key[16];
	uint8_t parent_key[16];
	uint32_t lflags;		/* PARENT_LEASE_KEY_SET */
	int version;
	uint32_t state;
	uint16_t epoch;
	size_t nopens;
	bool is_dir;
	/* while breaking (awaiting acknowledgment) */
	bool breaking;
	bool blocks;			/* the file's waits wait for it */
	uint32_t notified_to;		/* the state the notification offered */
	uint32_t breaking_to;		/* at most this once acknowledged */
	struct smbd_conn *conn;		/* counts the break (noplock_breaks) */
	struct tevent_timer *te;
};

/* ================================================================== */
/* Decisions                                                           */
/* ================================================================== */

uint32_t smbd_lease_valid_state(uint32_t requested, bool is_dir)
{
	uint32_t s = requested & SMBD_LEASE_RWH;

	if ((s & SMB2_LEASE_READ) == 0) {
		return SMB2_LEASE_NONE;
	}
	if (is_dir) {
		s &= ~SMB2_LEASE_WRITE;
	}
	return s;
}

uint32_t smbd_lease_break_to(uint32_t held, enum smbd_oplock_op what)
{
	switch (what) {
	case SMBD_OPLOCK_OP_OPEN:
		return held & ~SMB2_LEASE_WRITE;
	case SMBD_OPLOCK_OP_RENAME:
	case SMBD_OPLOCK_OP_DELETE:
	case SMBD_OPLOCK_OP_SHARE:
		return held & ~SMB2_LEASE_HANDLE;
	default:
		return SMB2_LEASE_NONE;
	}
}

bool smbd_lease_stat_open(uint32_t access)
{
	return (access & ~(FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES |
			   SEC_STD_SYNCHRONIZE | SEC_STD_READ_CONTROL)) == 0;
}

uint32_t smbd_lease_grant(uint32_t wanted, size_t others, bool others_oplock)
{
	if (others > 0) {
		wanted &= ~SMB2_LEASE_WRITE;
	}
	if (others_oplock) {
		wanted &= ~SMB2_LEASE_HANDLE;
	}
	return wanted;
}

/* ================================================================== */
/* The table                                                           */
/* ================================================================== */

static struct smbd_conn *open_conn(const struct smbd_open *op)
{
	if (op->tree == NULL || op->tree->sess == NULL) {
		return NULL;
	}
	return op->tree->sess->conn;
}

static struct smbd_lease *lease_find(struct smbd_server *srv,
				     const uint8_t *guid, const uint8_t *key)
{
	struct smbd_lease *l = NULL;

	for (l = srv->leases; l != NULL; l = l->tnext) {
		if (memcmp(l->key, key, 16) == 0 &&
		    memcmp(l->guid, guid, 16) == 0) {
			return l;
		}
	}
	return NULL;
}

static bool lease_own(const struct smbd_lease *l, const uint8_t *guid,
		      const uint8_t *key)
{
	return guid != NULL && key != NULL &&
	       memcmp(l->guid, guid, 16) == 0 && memcmp(l->key, key, 16) == 0;
}

/* End l's break, if any (no callbacks). */
static void break_stop(struct smbd_lease *l)
{
	if (!l->breaking) {
		return;
	}
	l->breaking = false;
	l->blocks = false;
	TALLOC_FREE(l->te);
	if (l->conn != NULL) {
		l->conn->noplock_breaks--;
		l->conn = NULL;
	}
}

static int lease_destructor(struct smbd_lease *l)
{
	struct smbd_file *f = l->file;
	struct smbd_server *srv = l->srv;

	break_stop(l);
	if (l->prev != NULL) {
		l->prev->next = l->next;
	} else if (f != NULL) {
		f->leases = l->next;
	}
	if (l->next != NULL) {
		l->next->prev = l->prev;
	}
	if (l->tprev != NULL) {
		l->tprev->tnext = l->tnext;
	} else if (srv != NULL) {
		srv->leases = l->tnext;
	}
	if (l->tnext != NULL) {
		l->tnext->tprev = l->tprev;
	}
	if (f != NULL) {
		smbd_oplock_wake(f);
	}
	return 0;
}

static struct smbd_lease *lease_new(struct smbd_file *f, const uint8_t *guid,
				    const struct smb2_lease *req, bool is_dir)
{
	struct smbd_lease *l = talloc_zero(f, struct smbd_lease);

	if (l == NULL) {
		return NULL;
	}
	l->srv = f->srv;
	l->file = f;
	memcpy(l->guid, guid, 16);
	memcpy(l->key, req->key, 16);
	l->version = req->version;
	l->is_dir = is_dir;
	if (req->version == 2) {
		l->epoch = req->epoch;
		if (req->flags & SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET) {
			memcpy(l->parent_key, req->parent_key, 16);
			l->lflags = SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET;
		}
	}
	l->next = f->leases;
	if (l->next != NULL) {
		l->next->prev = l;
	}
	f->leases = l;
	l->tnext = f->srv->leases;
	if (l->tnext != NULL) {
		l->tnext->tprev = l;
	}
	f->srv->leases = l;
	talloc_set_destructor(l, lease_destructor);
	return l;
}

/* Opens of f outside l (stat opens aside); does one hold an oplock? */
static size_t others_of(const struct smbd_file *f, const struct smbd_lease *l,
			const struct smbd_open *except, bool *oplock)
{
	size_t i = 0, n = 0;

	*oplock = false;
	for (i = 0; i < f->nopens; i++) {
		const struct smbd_open *o = f->opens[i];

		if (o == except || (l != NULL && o->lease == l)) {
			continue;
		}
		if (o->oplock != NULL) {
			*oplock = true;
		}
		/* a stat open counts only when it holds a lease of its own
		 * (smbtorture smb2.lease.statopen, statopen3) */
		if (!smbd_lease_stat_open(o->access) || o->lease != NULL) {
			n++;
		}
	}
	return n;
}

static void resp_fill(const struct smbd_lease *l, struct smb2_lease *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->version = l->version;
	memcpy(resp->key, l->key, 16);
	resp->state = l->state;
	if (l->breaking) {
		resp->flags |= SMB2_LEASE_FLAG_BREAK_IN_PROGRESS;
	}
	if (l->version == 2) {
		resp->flags |= l->lflags;
		memcpy(resp->parent_key, l->parent_key, 16);
		resp->epoch = l->epoch;
	}
}

NTSTATUS smbd_lease_open(struct smbd_open *op, const uint8_t client_guid[16],
			 const struct smb2_lease *req, struct smb2_lease *resp)
{
	struct smbd_file *f = op->file;
	struct smbd_conn *conn = open_conn(op);
	struct smbd_lease *l = NULL;
	uint32_t want = 0, can = 0;
	size_t others = 0;
	bool oplock = false;

	memset(resp, 0, sizeof(*resp));
	resp->version = req->version;
	memcpy(resp->key, req->key, 16);
	if (f == NULL) {
		return NT_STATUS_OK;
	}
	l = lease_find(f->srv, client_guid, req->key);
	if (l != NULL && l->file != f) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (conn != NULL && conn->nleases >= SMBD_MAX_LEASES_PER_CONN) {
		smbd_budget_hit(f->srv, conn, SMBD_BUDGET_LEASES,
				SMBD_MAX_LEASES_PER_CONN);
		return NT_STATUS_OK;
	}
	want = smbd_lease_valid_state(req->state, op->is_dir);
	others = others_of(f, l, op, &oplock);
	can = smbd_lease_grant(want, others, oplock);
	if (l == NULL) {
		l = lease_new(f, client_guid, req, op->is_dir);
		if (l == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		l->state = can;
		l->epoch++;
	} else if (!l->breaking && can == want &&
		   (can | l->state) != l->state &&
		   (can & l->state) == l->state) {
		/* an upgrade, only to all that is asked (smbtorture
		 * smb2.lease.upgrade3, break); never a downgrade */
		l->state = can;
		l->epoch++;
	}
	op->lease = l;
	l->nopens++;
	if (conn != NULL) {
		conn->nleases++;
	}
	resp_fill(l, resp);
	return NT_STATUS_OK;
}

void smbd_lease_own_id(const struct smbd_open *op, const uint8_t **guid,
		       const uint8_t **key)
{
	*guid = op->lease->guid;
	*key = op->lease->key;
}

const uint8_t *smbd_lease_parent_key(const struct smbd_open *op)
{
	if (op->lease == NULL || op->lease->version != 2 ||
	    !(op->lease->lflags & SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET)) {
		return NULL;
	}
	return op->lease->parent_key;
}

uint32_t smbd_lease_state(const struct smbd_open *op)
{
	return op->lease != NULL ? op->lease->state : SMB2_LEASE_NONE;
}

bool smbd_lease_is(const struct smbd_open *op, const uint8_t client_guid[16],
		   const uint8_t key[16])
{
	return op->lease != NULL && lease_own(op->lease, client_guid, key);
}

bool smbd_lease_breaking(const struct smbd_file *f)
{
	const struct smbd_lease *l = NULL;

	for (l = f->leases; l != NULL; l = l->next) {
		if (l->breaking && l->blocks) {
			return true;
		}
	}
	return false;
}

bool smbd_lease_breaking_other(const struct smbd_file *f,
				const uint8_t *own_guid, const uint8_t *own_key)
{
	const struct smbd_lease *l = NULL;

	for (l = f->leases; l != NULL; l = l->next) {
		if (l->breaking && l->blocks &&
		    !lease_own(l, own_guid, own_key)) {
			return true;
		}
	}
	return false;
}

bool smbd_lease_exists(struct smbd_server *srv, const uint8_t *guid,
		       const uint8_t *key)
{
	return lease_find(srv, guid, key) != NULL;
}

bool smbd_lease_any_handle(const struct smbd_file *f, const uint8_t *own_guid,
			   const uint8_t *own_key)
{
	const struct smbd_lease *l = NULL;

	for (l = f->leases; l != NULL; l = l->next) {
		if ((l->state & SMB2_LEASE_HANDLE) &&
		    !lease_own(l, own_guid, own_key)) {
			return true;
		}
	}
	return false;
}

/* ================================================================== */
/* Breaks                                                              */
/* ================================================================== */

/* An open holding l on an active connection, to send its break to. */
static struct smbd_open *lease_open(const struct smbd_lease *l,
				    const struct smbd_open *except)
{
	size_t i = 0;
	struct smbd_open *any = NULL;

	for (i = 0; i < l->file->nopens; i++) {
		struct smbd_open *o = l->file->opens[i];
		struct smbd_conn *c = NULL;

		if (o->lease != l || o == except) {
			continue;
		}
		c = open_conn(o);
		if (c != NULL && c->state == SMBD_CONN_ACTIVE) {
			return o;
		}
		any = any != NULL ? any : o;
	}
	return any;
}

/*
 * The connection a break of l held through op goes to [MS-SMB2 §3.3.4.7:
 * a connection of the lease's client]: the oldest active one of that
 * ClientGuid from the same address as op's, as Windows, which sends there
 * even when the lease's opens are all on a later connection (smbtorture
 * smb2.lease.v2_complex1); else op's own.
 */
static struct smbd_conn *break_conn(const struct smbd_lease *l,
				    const struct smbd_open *op)
{
	struct smbd_conn *holder = op != NULL ? open_conn(op) : NULL;
	struct smbd_conn *c = NULL, *oldest = NULL;

	if (holder == NULL) {
		return NULL;
	}
	/* new connections go first: the last match is the oldest */
	for (c = l->srv->conns; c != NULL; c = c->next) {
		if (c->state == SMBD_CONN_ACTIVE &&
		    c->dialect >= SMB2_DIALECT_210 &&
		    memcmp(c->client_guid, l->guid, 16) == 0 &&
		    strcmp(c->peer_addr, holder->peer_addr) == 0) {
			oldest = c;
		}
	}
	return oldest != NULL ? oldest : holder;
}

static void send_break(struct smbd_lease *l, struct smbd_open *op,
		       uint32_t to, bool ack)
{
	struct smbd_server *srv = l->srv;
	struct smbd_conn *conn = break_conn(l, op);
	struct smb2_lease_break b = {
		.epoch = l->version == 2 ? l->epoch : 0,
		.flags = ack ? SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED : 0,
		.current = l->state,
		.new_state = to,
	};

	memcpy(b.key, l->key, 16);
	if (conn != NULL && srv->oplock_up != NULL &&
	    srv->oplock_up->send_lease_break != NULL) {
		srv->oplock_up->send_lease_break(conn, op, &b);
	}
}

/* l's break ends at state (acknowledged, timed out). */
static void break_done(struct smbd_lease *l, uint32_t state)
{
	break_stop(l);
	l->state = state;
	smbd_oplock_wake(l->file);
}

static void break_timeout(struct tevent_context *ev, struct tevent_timer *te,
			  struct timeval now, void *priv)
{
	struct smbd_lease *l = priv;

	(void)ev;
	(void)te;
	(void)now;
	l->te = NULL;		/* freed by tevent after this returns */
	DBG_CLIENT(VFS, "%s: no acknowledgment of a lease break: treated "
		   "as none", l->conn != NULL ? l->conn->peer_addr : "?");
	break_done(l, SMB2_LEASE_NONE);
}

/*
 * Is every open holding l a durable open whose connection was lost? Then
 * they are closed soon: a disconnected durable open is not waited for
 * (smbtorture smb2.durable-open.lease: another client's open gets the
 * whole lease at once), as fs/oplock.c does for a batch oplock.
 */
static bool break_preserved(struct smbd_lease *l)
{
	size_t i = 0;
	bool any = false;

	for (i = 0; i < l->file->nopens; i++) {
		const struct smbd_open *o = l->file->opens[i];

		if (o->lease != l) {
			continue;
		}
		if (!o->preserved) {
			return false;
		}
		any = true;
	}
	if (!any) {
		return false;
	}
	for (i = 0; i < l->file->nopens; i++) {
		struct smbd_open *o = l->file->opens[i];

		if (o->lease == l) {
			smbd_open_preserved_close_soon(o);
		}
	}
	return true;
}

/*
 * Does a break of a lease from `from` to `to` for `what` (deleting: the
 * open will delete the file on close) hold up the request causing it
 * until the acknowledgment? When it takes write caching (the client
 * flushes first), or handle caching from a rename, a delete or an open
 * the share modes refuse (the client closes the handles it kept). Other
 * breaks needing an acknowledgment are awaited by nobody (an overwrite
 * of an RH lease: smbtorture smb2.lease.breaking4).
 */
static bool break_blocks(uint32_t from, uint32_t to, enum smbd_oplock_op what,
			 bool deleting)
{
	uint32_t lost = from & ~to;

	if (lost & SMB2_LEASE_WRITE) {
		return true;
	}
	if (lost & SMB2_LEASE_HANDLE) {
		return deleting || what == SMBD_OPLOCK_OP_RENAME ||
		       what == SMBD_OPLOCK_OP_DELETE ||
		       what == SMBD_OPLOCK_OP_SHARE;
	}
	return false;
}

/*
 * Break l (not breaking) from its state to `to`; blocks: the file's
 * waits wait for it. A new break bumps a v2 lease's epoch; the further
 * break an acknowledgment starts (bump false) keeps it, as Windows
 * (smbtorture smb2.lease.v2_breaking3).
 */
static void break_start(struct smbd_lease *l, uint32_t to, bool blocks,
			bool bump)
{
	struct smbd_server *srv = l->srv;
	struct smbd_open *op = lease_open(l, NULL);
	struct smbd_conn *conn = op != NULL ? open_conn(op) : NULL;
	uint32_t ms = smbd_oplock_timeout_ms(srv);
	bool ack = (l->state & (SMB2_LEASE_WRITE | SMB2_LEASE_HANDLE)) != 0;

	if (bump) {
		l->epoch++;
	}
	if (!ack) {
		/* R to none: no acknowledgment [MS-SMB2 §3.3.4.7] */
		send_break(l, op, to, false);
		l->state = to;
		return;
	}
	if (break_preserved(l)) {
		/* its durable opens whose client is gone close (from the
		 * loop) instead: the break ends when the lease goes with
		 * them, or at the timeout */
		conn = NULL;
		goto wait;
	}
	if (conn == NULL || conn->state != SMBD_CONN_ACTIVE ||
	    conn->noplock_breaks >= SMBD_MAX_OPLOCK_BREAKS) {
		if (conn != NULL && conn->state == SMBD_CONN_ACTIVE) {
			smbd_budget_hit(srv, conn, SMBD_BUDGET_OPLOCKS,
					SMBD_MAX_OPLOCK_BREAKS);
		}
		send_break(l, op, SMB2_LEASE_NONE, false);
		l->state = SMB2_LEASE_NONE;
		return;
	}
wait:
	l->te = tevent_add_timer(smbd_loop_ev(srv), l,
				 tevent_timeval_current_ofs(ms / 1000,
							    (ms % 1000) *
							    1000),
				 break_timeout, l);
	if (l->te == NULL) {
		send_break(l, op, SMB2_LEASE_NONE, false);
		l->state = SMB2_LEASE_NONE;
		return;
	}
	l->breaking = true;
	l->blocks = blocks;
	l->notified_to = to;
	l->breaking_to = to;
	l->conn = conn;
	if (conn != NULL) {
		conn->noplock_breaks++;
		send_break(l, op, to, true);
	}
}

bool smbd_lease_break_file(struct smbd_file *f, const uint8_t *own_guid,
			   const uint8_t *own_key, enum smbd_oplock_op what,
			   bool deleting)
{
	struct smbd_lease *l = NULL;

	for (l = f->leases; l != NULL; l = l->next) {
		uint32_t to = 0;

		if (lease_own(l, own_guid, own_key)) {
			continue;
		}
		if (l->breaking) {
			/* a second conflict: no higher than this once
			 * acknowledged, and maybe awaited now */
			l->breaking_to &= smbd_lease_break_to(l->breaking_to,
							      what);
			if (deleting) {
				l->breaking_to &= ~SMB2_LEASE_HANDLE;
			}
			if (break_blocks(l->state, l->breaking_to, what,
					 deleting)) {
				l->blocks = true;
			}
			continue;
		}
		to = smbd_lease_break_to(l->state, what);
		if (deleting) {
			to &= ~SMB2_LEASE_HANDLE;
		}
		if (to == l->state) {
			continue;
		}
		break_start(l, to, break_blocks(l->state, to, what, deleting),
			    true);
	}
	return smbd_lease_breaking_other(f, own_guid, own_key);
}

NTSTATUS smbd_lease_ack(struct smbd_server *srv, const uint8_t client_guid[16],
			const uint8_t key[16], uint32_t state)
{
	struct smbd_lease *l = lease_find(srv, client_guid, key);
	uint32_t lower = 0;
	bool blocks = false;

	if (l == NULL) {
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	}
	if (!l->breaking) {
		return NT_STATUS_UNSUCCESSFUL;
	}
	if ((state & ~l->notified_to) != 0) {
		return NT_STATUS_REQUEST_NOT_ACCEPTED;
	}
	lower = l->breaking_to;
	blocks = l->blocks;
	break_stop(l);
	l->state = state;
	if ((state & ~lower) != 0) {
		/* a further conflict came during the break: down again,
		 * handle caching first (smbtorture smb2.lease.breaking3),
		 * awaited as the first was */
		uint32_t to = state & lower;

		if ((state & SMB2_LEASE_HANDLE) && !(lower & SMB2_LEASE_HANDLE)) {
			to = state & ~(SMB2_LEASE_HANDLE | SMB2_LEASE_WRITE);
		}
		break_start(l, to, blocks, false);
		if (l->breaking) {
			l->breaking_to &= lower;	/* and further on */
		}
	}
	smbd_oplock_wake(l->file);
	return NT_STATUS_OK;
}

void smbd_lease_release(struct smbd_open *op)
{
	struct smbd_lease *l = op->lease;
	struct smbd_conn *conn = open_conn(op);

	if (l == NULL) {
		return;
	}
	op->lease = NULL;
	if (conn != NULL && conn->nleases > 0) {
		conn->nleases--;
	}
	if (--l->nopens == 0) {
		talloc_free(l);
		return;
	}
	if (l->breaking && conn != NULL && l->conn == conn) {
		/* the break is counted on a connection of another open */
		struct smbd_open *o = lease_open(l, op);
		struct smbd_conn *c = o != NULL ? open_conn(o) : NULL;

		conn->noplock_breaks--;
		l->conn = c;
		if (c != NULL) {
			c->noplock_breaks++;
		}
	}
}

/* ================================================================== */
/* Durable opens                                                       */
/* ================================================================== */

bool smbd_lease_durable_ok(const struct smbd_open *op)
{
	const struct smbd_lease *l = op->lease;

	if (l == NULL || (l->state & SMB2_LEASE_HANDLE) == 0) {
		return false;
	}
	return !l->breaking || (l->breaking_to & SMB2_LEASE_HANDLE) != 0;
}

/* An open holding l, but except, on an active connection; NULL: none. */
static struct smbd_conn *lease_active_conn(const struct smbd_lease *l,
					   const struct smbd_open *except)
{
	size_t i = 0;

	for (i = 0; i < l->file->nopens; i++) {
		const struct smbd_open *o = l->file->opens[i];
		struct smbd_conn *c = NULL;

		if (o->lease != l || o == except) {
			continue;
		}
		c = open_conn(o);
		if (c != NULL && c->state == SMBD_CONN_ACTIVE) {
			return c;
		}
	}
	return NULL;
}

void smbd_lease_set_conn(struct smbd_open *op, struct smbd_conn *conn)
{
	struct smbd_lease *l = op->lease;
	struct smbd_conn *old = NULL;
	struct smbd_conn *c = NULL;

	if (l == NULL) {
		return;
	}
	if (conn != NULL) {
		conn->nleases++;
		return;
	}
	old = open_conn(op);
	if (old != NULL && old->nleases > 0) {
		old->nleases--;
	}
	if (!l->breaking || l->conn != old || old == NULL) {
		return;
	}
	old->noplock_breaks--;
	l->conn = NULL;
	c = lease_active_conn(l, op);
	if (c != NULL) {
		l->conn = c;
		c->noplock_breaks++;
		return;
	}
	/* nobody left to acknowledge: as if to what was asked */
	break_done(l, l->breaking_to);
}

void smbd_lease_resp(const struct smbd_open *op, struct smb2_lease *resp)
{
	resp_fill(op->lease, resp);
}
