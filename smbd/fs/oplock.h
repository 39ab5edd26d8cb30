/*
 * oplock.h - the caching state of an open file [MS-FSA §2.1.4.12,
 * §2.1.5.18; MS-SMB2 §3.3.4.6, §3.3.5.9, §3.3.5.22]: who holds which
 * oplock on an inode, the breaks in progress, the requests waiting for
 * them, and the break timeout.
 *
 * An oplock (struct smbd_oplock) belongs to one open (op->oplock) and is
 * linked on its file (f->oplocks). Levels are the SMB2 ones
 * (SMB2_OPLOCK_LEVEL_*). A break from exclusive or batch needs the
 * holder's acknowledgment: it is "breaking" until the client acknowledges
 * (smbd_oplock_ack), closes the open, or `oplock break timeout` passes,
 * which counts as acknowledged to none. A break from level II needs no
 * acknowledgment and takes effect at once.
 *
 * A request that must not go on while a break is in progress (CREATE)
 * registers a wait (smbd_oplock_wait) on the file and is called back
 * once no oplock of the file is breaking any more; it then looks again.
 *
 * The notification to the client is the protocol layer's: it registers
 * srv->oplock_up (server.c); this layer never names it.
 *
 * Leases (fs/lease.h) are a second kind of holder (keyed by ClientGuid
 * and lease key, shared by opens) on the file, with the same breaking
 * state, timer and waits: smbd_oplock_break_lease() breaks both.
 */
#ifndef WG_SMBD_OPLOCK_H
#define WG_SMBD_OPLOCK_H

#include "smbd/smbd.h"
#include "smbd/fs/open.h"

/* CREATEs waiting for breaks, per connection (SMBD_BUDGET_OPLOCKS) */
#define SMBD_MAX_OPLOCK_WAITS	256
/* Breaks awaiting acknowledgment by one connection: over it, a further
 * break counts as acknowledged to none at once (SMBD_BUDGET_OPLOCKS) */
#define SMBD_MAX_OPLOCK_BREAKS	1024

struct smb2_lease_break;

/* What the layer above offers: send a break notification for op. */
struct smbd_oplock_upcalls {
	/* op's oplock is being broken to level (SMB2_OPLOCK_LEVEL_*). Must
	 * not free opens. */
	void (*send_break)(struct smbd_open *op, uint8_t level);
	/* A lease held by op is breaking: b to conn, a connection of the
	 * lease's client, maybe not op's (fs/lease.h). Must not free
	 * opens. */
	void (*send_lease_break)(struct smbd_conn *conn, struct smbd_open *op,
				 const struct smb2_lease_break *b);
};

/* What a request does to a file, for the break decision. */
enum smbd_oplock_op {
	SMBD_OPLOCK_OP_OPEN = 0,	/* another open with data access */
	SMBD_OPLOCK_OP_OVERWRITE,	/* another open that truncates */
	SMBD_OPLOCK_OP_WRITE,		/* WRITE */
	SMBD_OPLOCK_OP_LOCK,		/* byte-range LOCK */
	SMBD_OPLOCK_OP_SIZE,		/* SET_INFO end of file, allocation */
	SMBD_OPLOCK_OP_RENAME,		/* rename of the file */
	SMBD_OPLOCK_OP_DELETE,		/* delete-pending set on the file */
	SMBD_OPLOCK_OP_SHARE,		/* an open the share modes refuse
					 * (leases lose H; oplocks no break) */
};

/* ---- decisions (pure: no state, unit-tested as tables) ---- */

/*
 * Does an open with this granted access leave oplocks alone (a "stat
 * open": attributes and synchronize only)?
 */
bool smbd_oplock_stat_open(uint32_t access);

/*
 * The level an oplock of level `held` breaks to when another open does
 * `what` (held itself: no break). Exclusive and batch break to level II
 * on an open, to none on an overwrite, write, lock or size change; batch
 * breaks to level II on a rename or delete. Level II breaks to none on
 * an overwrite, write, lock or size change.
 */
uint8_t smbd_oplock_break_to(uint8_t held, enum smbd_oplock_op what);

/*
 * The level granted to a CREATE that asked for `requested`: none for
 * directories and non-files (is_file false) and for anything but II,
 * exclusive and batch; exclusive or batch as asked when there is no other
 * open (others: opens other than stat opens); else level II, unless
 * another open holds exclusive or batch (others_max), then none.
 */
uint8_t smbd_oplock_grant(uint8_t requested, bool is_file, size_t others,
			  uint8_t others_max);

/*
 * Validate an acknowledgment of `acked` for an oplock of level `held`
 * breaking to `breaking_to` [MS-SMB2 §3.3.5.22.1]. *granted is the level
 * the open keeps either way: never above breaking_to. NT_STATUS_OK;
 * INVALID_PARAMETER for the lease level; INVALID_OPLOCK_PROTOCOL for
 * exclusive, batch or an unknown level, or level II acknowledged for a
 * level II oplock (then *granted is none).
 */
NTSTATUS smbd_oplock_ack_check(uint8_t held, uint8_t breaking_to,
			       uint8_t acked, uint8_t *granted);

/* ---- state ---- */

/* The level op holds now (none if it holds no oplock). */
uint8_t smbd_oplock_level(const struct smbd_open *op);

/*
 * Record that op (a file open attached to its smbd_file) was granted
 * level. Returns 0, or -ENOMEM (then op holds none). Level none: no-op.
 */
int smbd_oplock_set(struct smbd_open *op, uint8_t level);

/*
 * The most an open of f other than except holds (breaking ones count at
 * their current level), and how many opens of f other than except there
 * are (stat opens too: a stat open holding batch leaves a later one none,
 * smbtorture smb2.oplock.batch9a).
 */
uint8_t smbd_oplock_others_max(const struct smbd_file *f,
			       const struct smbd_open *except,
			       size_t *others);

/*
 * Break every oplock on f that `what` conflicts with, except except's
 * (the open doing it; may be NULL), whose own level II a write, lock or
 * size change breaks too (smbtorture smb2.oplock.batch1, brl1). batch_only: only batch oplocks (a
 * CREATE breaks those before its share-mode check, the others after).
 * Level II breaks take effect at once; exclusive and batch ones start a
 * break that waits for the holder (timer: oplock break timeout).
 * Returns true if any oplock of f is breaking afterwards (the caller
 * may wait with smbd_oplock_wait).
 */
bool smbd_oplock_break(struct smbd_file *f, const struct smbd_open *except,
		       enum smbd_oplock_op what, bool batch_only);

/* Is op's oplock breaking (awaiting acknowledgment)? */
bool smbd_oplock_breaking_open(const struct smbd_open *op);

/*
 * smbd_oplock_break() with the leases of f too (fs/lease.h) but the one
 * of (own_guid, own_key) (NULL: except's lease, if any), flags
 * SMBD_BREAK_*:
 * BATCH_ONLY as batch_only above (no leases then), NO_LEASES (an open
 * leases see as a stat open), DELETE (an open that deletes the file on
 * close: leases lose handle caching too and it waits for that, as for
 * SMBD_OPLOCK_OP_DELETE). Returns true if an oplock or a lease but the
 * own one is breaking afterwards so that the caller must wait
 * (smbd_lease_break_file()).
 */
#define SMBD_BREAK_BATCH_ONLY	0x1u
#define SMBD_BREAK_NO_LEASES	0x2u
#define SMBD_BREAK_DELETE	0x4u
bool smbd_oplock_break_lease(struct smbd_file *f,
			     const struct smbd_open *except,
			     const uint8_t *own_guid, const uint8_t *own_key,
			     enum smbd_oplock_op what, unsigned flags);

/* For fs/lease.c: the waits of f go on if nothing of f is breaking now;
 * the break timeout in milliseconds. */
void smbd_oplock_wake(struct smbd_file *f);
uint32_t smbd_oplock_timeout_ms(const struct smbd_server *srv);

/* Is any oplock or lease of f breaking (awaiting an acknowledgment that
 * requests wait for, smbd_lease_break_file())? */
bool smbd_oplock_breaking(const struct smbd_file *f);

/*
 * op's client acknowledges its break with level acked: validated by
 * smbd_oplock_ack_check(); the break ends (at *granted) either way and
 * the waits on the file go on if it was the last. Returns
 * INVALID_OPLOCK_PROTOCOL when op holds no oplock or level II (whose
 * breaks are never acknowledged), INVALID_DEVICE_STATE when it holds
 * exclusive or batch with no break in progress, else what the check
 * says.
 */
NTSTATUS smbd_oplock_ack(struct smbd_open *op, uint8_t acked,
			 uint8_t *granted);

/*
 * The open is going: its oplock goes, ending its break (the waits on the
 * file go on if it was the last). Called by the open's destructor.
 */
void smbd_oplock_release(struct smbd_open *op);

/*
 * op's connection changes (NULL: lost and op preserved; else the one
 * it reconnected on): its oplock counts its breaks there. op's oplock
 * must not be breaking.
 */
void smbd_oplock_set_conn(struct smbd_open *op, struct smbd_conn *conn);

/* ---- waits ---- */

struct smbd_oplock_wait;
typedef void (*smbd_oplock_wake_fn)(void *priv);

/*
 * Wait until no oplock of f is breaking: fn(priv) is called once, from
 * the event loop (never from inside this call or a destructor), after
 * which the wait is inert; free it (a talloc child of mem) to give up
 * before. Counted against conn (SMBD_MAX_OPLOCK_WAITS per connection:
 * over it INSUFFICIENT_RESOURCES, counted and logged). NT_STATUS_OK
 * with *pw set, NO_MEMORY or INSUFFICIENT_RESOURCES.
 */
NTSTATUS smbd_oplock_wait(TALLOC_CTX *mem, struct smbd_file *f,
			  struct smbd_conn *conn, smbd_oplock_wake_fn fn,
			  void *priv, struct smbd_oplock_wait **pw);

#endif
