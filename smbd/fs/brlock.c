/*
 * brlock.c - the byte-range lock engine (brlock.h).
 *
 * A table keeps two treaps, one of shared and one of exclusive locks,
 * ordered by (offset, sequence number) and augmented with the largest
 * last byte in each subtree, so that "does any lock overlap this range"
 * walks one path: O(log n) expected. The exclusive treap also answers
 * "does a lock of another owner overlap", which skips the asking owner's
 * own locks in the range (at most its own count, capped by the caller).
 * Priorities come from a hash of the sequence number: they do not depend
 * on the offsets a client chooses, so the expected depth holds for any
 * order of requests.
 *
 * Each owner also links its locks in a list, for unlocking an exact
 * range and for dropping them all when the open closes.
 */
#include "smbd/fs/brlock.h"

struct brl_lock {
	struct brl_lock *left, *right;		/* treap */
	struct brl_lock *oprev, *onext;		/* owner->locks */
	struct brl_table *table;
	struct brl_owner *owner;
	uint64_t offset;
	uint64_t length;
	uint64_t last;		/* last byte; offset - 1 if zero-length */
	uint64_t max_last;	/* largest last in this subtree */
	uint64_t seq;
	uint64_t prio;
	uint32_t tag;
	bool exclusive;
};

struct brl_table {
	struct brl_lock *root[2];	/* [0] shared, [1] exclusive */
	size_t count;
	uint64_t next_seq;
};

/* ---- ranges ---- */

bool brl_range_valid(uint64_t off, uint64_t len)
{
	return len == 0 || off + len - 1 >= off;
}

/*
 * The last byte used for pruning. {0, 0} overlaps nothing, so any value
 * would do for it: 0 keeps it out of every max.
 */
static uint64_t range_last(uint64_t off, uint64_t len)
{
	if (off == 0 && len == 0) {
		return 0;
	}
	return off + len - 1;
}

/* MS-FSA §2.1.4.10, with last1 = o1 + l1 - 1 as the caller computed it. */
static bool lock_overlaps(const struct brl_lock *l, uint64_t o1,
			  uint64_t last1)
{
	if (l->offset == 0 && l->length == 0) {
		return false;
	}
	return o1 <= l->last && last1 >= l->offset;
}

/* ---- treap ---- */

static uint64_t mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static bool key_less(const struct brl_lock *a, const struct brl_lock *b)
{
	if (a->offset != b->offset) {
		return a->offset < b->offset;
	}
	return a->seq < b->seq;
}

static void update(struct brl_lock *n)
{
	n->max_last = n->last;
	if (n->left != NULL && n->left->max_last > n->max_last) {
		n->max_last = n->left->max_last;
	}
	if (n->right != NULL && n->right->max_last > n->max_last) {
		n->max_last = n->right->max_last;
	}
}

/* Split t into keys before k (*l) and from k on (*r). */
static void split(struct brl_lock *t, const struct brl_lock *k,
		  struct brl_lock **l, struct brl_lock **r)
{
	if (t == NULL) {
		*l = NULL;
		*r = NULL;
		return;
	}
	if (key_less(t, k)) {
		split(t->right, k, &t->right, r);
		*l = t;
	} else {
		split(t->left, k, l, &t->left);
		*r = t;
	}
	update(t);
}

/* Join a and b, every key of a before every key of b. */
static struct brl_lock *merge(struct brl_lock *a, struct brl_lock *b)
{
	if (a == NULL) {
		return b;
	}
	if (b == NULL) {
		return a;
	}
	if (a->prio > b->prio) {
		a->right = merge(a->right, b);
		update(a);
		return a;
	}
	b->left = merge(a, b->left);
	update(b);
	return b;
}

static struct brl_lock *insert(struct brl_lock *t, struct brl_lock *n)
{
	if (t == NULL) {
		return n;
	}
	if (n->prio > t->prio) {
		split(t, n, &n->left, &n->right);
		update(n);
		return n;
	}
	if (key_less(n, t)) {
		t->left = insert(t->left, n);
	} else {
		t->right = insert(t->right, n);
	}
	update(t);
	return t;
}

static struct brl_lock *erase(struct brl_lock *t, struct brl_lock *n)
{
	if (t == NULL) {
		return NULL;	/* not in this tree: cannot happen */
	}
	if (t == n) {
		return merge(n->left, n->right);
	}
	if (key_less(n, t)) {
		t->left = erase(t->left, n);
	} else {
		t->right = erase(t->right, n);
	}
	update(t);
	return t;
}

/*
 * Is there a lock in t overlapping [o1, last1] that is not skip's with
 * tag (skip NULL: any lock)?
 * Subtrees whose largest last byte is before o1 are skipped, and so is
 * everything right of a lock that starts after last1.
 */
static bool tree_any(const struct brl_lock *t, uint64_t o1, uint64_t last1,
		     const struct brl_owner *skip, uint32_t tag)
{
	while (t != NULL && t->max_last >= o1) {
		if (tree_any(t->left, o1, last1, skip, tag)) {
			return true;
		}
		if (t->offset > last1) {
			return false;
		}
		if ((t->owner != skip || t->tag != tag) &&
		    lock_overlaps(t, o1, last1)) {
			return true;
		}
		t = t->right;
	}
	return false;
}

/* ---- table ---- */

struct brl_table *brl_table_new(TALLOC_CTX *mem_ctx)
{
	return talloc_zero(mem_ctx, struct brl_table);
}

size_t brl_count(const struct brl_table *t)
{
	return t != NULL ? t->count : 0;
}

bool brl_conflicts(const struct brl_table *t, const struct brl_owner *o,
		   uint32_t tag, uint64_t off, uint64_t len, bool excl,
		   bool lock_intent)
{
	uint64_t last1 = off + len - 1;

	if (t == NULL || t->count == 0 || (off == 0 && len == 0)) {
		return false;
	}
	if (excl && tree_any(t->root[0], off, last1, NULL, 0)) {
		return true;
	}
	return tree_any(t->root[1], off, last1,
			lock_intent && excl ? NULL : o, tag);
}

static int brl_lock_destructor(struct brl_lock *l)
{
	struct brl_table *t = l->table;
	struct brl_owner *o = l->owner;

	t->root[l->exclusive] = erase(t->root[l->exclusive], l);
	t->count--;
	if (l->oprev != NULL) {
		l->oprev->onext = l->onext;
	} else {
		o->locks = l->onext;
	}
	if (l->onext != NULL) {
		l->onext->oprev = l->oprev;
	}
	o->count--;
	if (o->total != NULL) {
		(*o->total)--;
	}
	return 0;
}

struct brl_lock *brl_add(struct brl_table *t, struct brl_owner *o,
			 uint32_t tag, uint64_t off, uint64_t len, bool excl)
{
	struct brl_lock *l = NULL;

	l = talloc_zero(t, struct brl_lock);
	if (l == NULL) {
		return NULL;
	}
	l->table = t;
	l->owner = o;
	l->tag = tag;
	l->offset = off;
	l->length = len;
	l->last = range_last(off, len);
	l->max_last = l->last;
	l->seq = t->next_seq++;
	l->prio = mix64(l->seq ^ (uint64_t)(uintptr_t)t);
	l->exclusive = excl;
	t->root[excl] = insert(t->root[excl], l);
	t->count++;
	l->onext = o->locks;
	if (l->onext != NULL) {
		l->onext->oprev = l;
	}
	o->locks = l;
	o->count++;
	if (o->total != NULL) {
		(*o->total)++;
	}
	talloc_set_destructor(l, brl_lock_destructor);
	return l;
}

struct brl_lock *brl_find(const struct brl_owner *o, uint32_t tag,
			  uint64_t off, uint64_t len)
{
	struct brl_lock *found = NULL;
	struct brl_lock *l = NULL;

	for (l = o->locks; l != NULL; l = l->onext) {
		if (l->tag != tag || l->offset != off || l->length != len) {
			continue;
		}
		found = l;
		if (l->exclusive) {
			break;
		}
	}
	return found;
}

void brl_remove(struct brl_lock *l)
{
	talloc_free(l);
}

size_t brl_remove_owner(struct brl_owner *o)
{
	size_t n = 0;

	while (o->locks != NULL) {
		talloc_free(o->locks);
		n++;
	}
	return n;
}
