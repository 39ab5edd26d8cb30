/*
 * brlock.h - the byte-range lock engine [MS-FSA §2.1.4.10, §2.1.5.8,
 * §2.1.5.9]: one table of locks per file, owned by opaque owners (the
 * opens), with conflict checks that cost O(log n + k) for n locks on the
 * file and k locks of the asking owner in the range, not O(n).
 *
 * Nothing here knows SMB requests, connections or waiting: smb2/cmd/lock.c
 * glues it to LOCK, READ and WRITE (and keeps the budgets).
 *
 * Ownership: a table is a talloc child of whatever the caller hangs it
 * on (the per-inode struct smbd_file); its locks are talloc children of
 * the table. A lock's destructor unlinks it from the table and from its
 * owner and keeps the counts, so talloc_free() of a lock (brl_remove)
 * and of the table are both safe. An owner must outlive its locks
 * (brl_remove_owner before the owner goes).
 */
#ifndef WG_SMBD_BRLOCK_H
#define WG_SMBD_BRLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

struct brl_table;
struct brl_lock;

/*
 * A lock holder, embedded in the caller's object and zero-initialised.
 * count is how many locks it holds; if total is set, *total is kept
 * with it (a counter shared by several owners, e.g. per connection).
 *
 * A lock belongs to an owner and a tag: two locks are the same holder's
 * only if both match. SMB2 keys locks by the open alone (tag 0); SMB1 by
 * the open and the client's PID [MS-CIFS §3.3.5.31] (tag = PID), so one
 * FID used by two processes holds two sets of locks that conflict.
 */
struct brl_owner {
	struct brl_lock *locks;		/* newest first (brlock.c) */
	size_t count;
	size_t *total;
};

/* A new, empty table under mem_ctx; NULL on no memory. */
struct brl_table *brl_table_new(TALLOC_CTX *mem_ctx);

/* Locks in the table. t may be NULL (0). */
size_t brl_count(const struct brl_table *t);

/*
 * Is [off, off+len) a lockable range [MS-FSA §2.1.5.8]: zero length, or
 * its last byte does not wrap past 2^64 - 1? (Else INVALID_LOCK_RANGE.)
 */
bool brl_range_valid(uint64_t off, uint64_t len);

/*
 * Would an access to [off, off+len) by owner o (with tag) conflict with t's locks?
 * excl: a write or an exclusive lock; lock_intent: a lock rather than
 * I/O. Exclusive locks of other owners block everything; the owner may
 * read, write and stack shared locks on its own. Shared locks block
 * writes and exclusive locks, the owner's included. Ranges overlap as in
 * MS-FSA §2.1.4.10: {0, 0} overlaps nothing; another zero-length range at
 * X overlaps a range that holds X beyond its first byte. t may be NULL.
 */
bool brl_conflicts(const struct brl_table *t, const struct brl_owner *o,
		   uint32_t tag, uint64_t off, uint64_t len, bool excl,
		   bool lock_intent);

/*
 * Add o's lock with tag on [off, off+len) (the caller checked brl_range_valid and
 * brl_conflicts). Returns the lock, a talloc child of t, or NULL on no
 * memory.
 */
struct brl_lock *brl_add(struct brl_table *t, struct brl_owner *o,
			 uint32_t tag, uint64_t off, uint64_t len, bool excl);

/*
 * o's lock with tag on exactly [off, off+len), an exclusive one first;
 * NULL if none. O(o->count).
 */
struct brl_lock *brl_find(const struct brl_owner *o, uint32_t tag,
			  uint64_t off, uint64_t len);

/* Release one lock (talloc_free: its destructor keeps the counts). */
void brl_remove(struct brl_lock *l);

/* Release every lock of o, whatever its tag. Returns how many there were. */
size_t brl_remove_owner(struct brl_owner *o);

#endif
