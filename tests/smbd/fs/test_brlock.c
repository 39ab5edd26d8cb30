/*
 * test_brlock.c - the byte-range lock engine (smbd/fs/brlock.c): the MS-FSA
 * range rules on known cases, the engine against a plain linear model on
 * random workloads (conflict answers must match exactly), counts kept by
 * destructors, and a scale check that a conflict test does not walk
 * every lock.
 */
#include <stdint.h>
#include <time.h>

#include "tests/wgtest.h"
#include "smbd/fs/brlock.h"

/* ---- the reference: the linear scan smb2/cmd/lock.c used before ---- */

struct ref_lock {
	uint64_t off, len;
	int owner;
	bool excl;
	bool live;
};

static bool ref_overlap(uint64_t o1, uint64_t l1, uint64_t o2, uint64_t l2)
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

static bool ref_conflicts(const struct ref_lock *v, size_t n, int owner,
			  uint64_t off, uint64_t len, bool excl, bool intent)
{
	size_t i = 0;

	for (i = 0; i < n; i++) {
		if (!v[i].live || !ref_overlap(off, len, v[i].off, v[i].len)) {
			continue;
		}
		if (v[i].excl) {
			if (v[i].owner != owner || (intent && excl)) {
				return true;
			}
		} else if (excl) {
			return true;
		}
	}
	return false;
}

/* ---- known cases ---- */

START_TEST(test_range_rules)
{
	struct brl_table *t = brl_table_new(wgt_root);
	struct brl_owner a = {};
	struct brl_owner b = {};

	ck_assert(brl_range_valid(0, 0));
	ck_assert(brl_range_valid(UINT64_MAX, 1));
	ck_assert(brl_range_valid(UINT64_MAX, 0));
	ck_assert(!brl_range_valid(UINT64_MAX, 2));
	ck_assert(!brl_range_valid(2, UINT64_MAX));
	ck_assert(brl_range_valid(1, UINT64_MAX));

	ck_assert(!brl_conflicts(NULL, &a, 0, 0, 10, true, true));
	ck_assert_ptr_nonnull(brl_add(t, &a, 0, 10, 10, true));	/* [10,19] */
	/* a's own exclusive lock: a may read, write, share-lock over it */
	ck_assert(!brl_conflicts(t, &a, 0, 10, 10, false, false));
	ck_assert(!brl_conflicts(t, &a, 0, 10, 10, true, false));
	ck_assert(!brl_conflicts(t, &a, 0, 12, 1, false, true));
	ck_assert(brl_conflicts(t, &a, 0, 12, 1, true, true));
	/* b: blocked inside, free at the edges */
	ck_assert(brl_conflicts(t, &b, 0, 19, 1, false, false));
	ck_assert(brl_conflicts(t, &b, 0, 0, 11, false, false));
	ck_assert(!brl_conflicts(t, &b, 0, 0, 10, true, true));
	ck_assert(!brl_conflicts(t, &b, 0, 20, 5, true, true));
	/* zero-length at X overlaps a range holding X beyond its start */
	ck_assert(brl_conflicts(t, &b, 0, 15, 0, true, true));
	ck_assert(!brl_conflicts(t, &b, 0, 10, 0, true, true));
	ck_assert(brl_conflicts(t, &b, 0, 19, 0, true, true));
	ck_assert(!brl_conflicts(t, &b, 0, 20, 0, true, true));
	/* {0, 0} overlaps nothing, in either role */
	ck_assert(!brl_conflicts(t, &b, 0, 0, 0, true, true));
	ck_assert_ptr_nonnull(brl_add(t, &b, 0, 0, 0, true));
	ck_assert(!brl_conflicts(t, &a, 0, 0, 1, true, true));
	/* shared locks of both stack; then nobody writes there */
	ck_assert_ptr_nonnull(brl_add(t, &a, 0, 100, 10, false));
	ck_assert(!brl_conflicts(t, &b, 0, 105, 1, false, true));
	ck_assert_ptr_nonnull(brl_add(t, &b, 0, 105, 1, false));
	ck_assert(brl_conflicts(t, &a, 0, 105, 1, true, false));
	ck_assert(brl_conflicts(t, &b, 0, 100, 1, true, false));
	ck_assert(!brl_conflicts(t, &b, 0, 100, 10, false, false));
	/* the last byte of the space */
	ck_assert_ptr_nonnull(brl_add(t, &a, 0, UINT64_MAX, 1, true));
	ck_assert(brl_conflicts(t, &b, 0, UINT64_MAX - 4, 5, false, false));
	ck_assert(!brl_conflicts(t, &b, 0, UINT64_MAX - 4, 4, false, false));

	ck_assert_uint_eq(brl_count(t), 5);
	ck_assert_uint_eq(a.count, 3);
	ck_assert_uint_eq(b.count, 2);
	talloc_free(t);
}
END_TEST

START_TEST(test_find_remove_counts)
{
	struct brl_table *t = brl_table_new(wgt_root);
	struct brl_owner a = {};
	struct brl_owner b = {};
	size_t total = 0;
	struct brl_lock *s = NULL;
	struct brl_lock *x = NULL;

	a.total = &total;
	b.total = &total;
	s = brl_add(t, &a, 0, 0, 10, false);
	x = brl_add(t, &a, 0, 0, 10, true);
	ck_assert_ptr_nonnull(brl_add(t, &b, 0, 50, 10, false));
	ck_assert_uint_eq(total, 3);
	/* the exclusive one of two on the same range first */
	ck_assert_ptr_eq(brl_find(&a, 0, 0, 10), x);
	ck_assert_ptr_null(brl_find(&a, 0, 0, 9));
	ck_assert_ptr_null(brl_find(&b, 0, 0, 10));
	brl_remove(x);
	ck_assert_ptr_eq(brl_find(&a, 0, 0, 10), s);
	ck_assert(!brl_conflicts(t, &b, 0, 0, 10, false, false));
	ck_assert(brl_conflicts(t, &b, 0, 0, 10, true, false));
	ck_assert_uint_eq(total, 2);
	ck_assert_uint_eq(brl_remove_owner(&a), 1);
	ck_assert_uint_eq(a.count, 0);
	ck_assert_ptr_null(a.locks);
	ck_assert(!brl_conflicts(t, &b, 0, 0, 10, true, true));
	ck_assert_uint_eq(total, 1);
	/* freeing the table releases the rest and keeps the counts */
	talloc_free(t);
	ck_assert_uint_eq(b.count, 0);
	ck_assert_ptr_null(b.locks);
	ck_assert_uint_eq(total, 0);
}
END_TEST

/*
 * One owner, two tags (an SMB1 FID used by two PIDs): the tags are two
 * holders. Each reads and writes its own exclusive range; the other tag
 * conflicts there as another owner would; unlocking finds a lock only
 * under its own tag; brl_remove_owner drops both tags' locks.
 */
START_TEST(test_tags)
{
	struct brl_table *t = brl_table_new(NULL);
	struct brl_owner a = {};
	struct brl_lock *l1 = NULL;

	l1 = brl_add(t, &a, 1, 0, 10, true);
	ck_assert_ptr_nonnull(l1);
	ck_assert(!brl_conflicts(t, &a, 1, 0, 10, true, false));
	ck_assert(!brl_conflicts(t, &a, 1, 5, 1, false, false));
	ck_assert(brl_conflicts(t, &a, 2, 5, 1, false, false));
	ck_assert(brl_conflicts(t, &a, 2, 5, 1, true, false));
	ck_assert(brl_conflicts(t, &a, 2, 5, 1, false, true));
	/* an exclusive lock conflicts with the same tag's too */
	ck_assert(brl_conflicts(t, &a, 1, 5, 1, true, true));
	ck_assert_ptr_null(brl_find(&a, 2, 0, 10));
	ck_assert_ptr_eq(brl_find(&a, 1, 0, 10), l1);
	/* tag 2's shared lock outside: both are the owner's */
	ck_assert_ptr_nonnull(brl_add(t, &a, 2, 20, 10, false));
	ck_assert(brl_conflicts(t, &a, 1, 25, 1, true, false));
	ck_assert(!brl_conflicts(t, &a, 1, 25, 1, false, false));
	ck_assert_uint_eq(a.count, 2);
	ck_assert_uint_eq(brl_remove_owner(&a), 2);
	ck_assert_uint_eq(brl_count(t), 0);
	talloc_free(t);
}
END_TEST

/* ---- the engine against the model ---- */

#define NOWN 5
#define NOPS 20000

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Offsets and lengths around small numbers and the top of the space. */
static void rnd_range(uint64_t *off, uint64_t *len)
{
	switch (rnd() % 8) {
	case 0:
		*off = 0;
		*len = rnd() % 3;
		break;
	case 1:
		*off = UINT64_MAX - rnd() % 40;
		*len = rnd() % 50;	/* may wrap: conflicts only */
		break;
	case 2:
		*off = rnd() % 200;
		*len = 0;
		break;
	default:
		*off = rnd() % 200;
		*len = 1 + rnd() % 30;
		break;
	}
}

START_TEST(test_against_model)
{
	struct brl_table *t = brl_table_new(wgt_root);
	struct brl_owner own[NOWN] = {};
	struct ref_lock *ref = talloc_zero_array(wgt_root, struct ref_lock,
						 NOPS);
	struct brl_lock **lk = talloc_zero_array(wgt_root, struct brl_lock *,
						 NOPS);
	size_t nref = 0;
	size_t live = 0;
	size_t i = 0;
	size_t k = 0;

	for (i = 0; i < NOPS; i++) {
		int o = (int)(rnd() % NOWN);
		uint64_t off = 0, len = 0;
		bool excl = rnd() % 2;
		bool intent = rnd() % 2;
		bool want = false;
		bool got = false;

		rnd_range(&off, &len);
		want = ref_conflicts(ref, nref, o, off, len, excl, intent);
		got = brl_conflicts(t, &own[o], 0, off, len, excl, intent);
		ck_assert_msg(want == got,
			      "op %zu: owner %d [%llu,+%llu) excl %d intent "
			      "%d: model %d engine %d", i, o,
			      (unsigned long long)off,
			      (unsigned long long)len, excl, intent, want,
			      got);
		if (rnd() % 3 == 0 && live > 0) {
			/* release a random live lock */
			k = rnd() % nref;
			while (!ref[k].live) {
				k = (k + 1) % nref;
			}
			brl_remove(lk[k]);
			ref[k].live = false;
			live--;
		} else if (intent && !want && brl_range_valid(off, len)) {
			lk[nref] = brl_add(t, &own[o], 0, off, len, excl);
			ck_assert_ptr_nonnull(lk[nref]);
			ref[nref] = (struct ref_lock) {
				.off = off, .len = len, .owner = o,
				.excl = excl, .live = true,
			};
			nref++;
			live++;
		}
		ck_assert_uint_eq(brl_count(t), live);
	}
	ck_assert_uint_gt(nref, 1000);
	for (k = 0; k < NOWN; k++) {
		brl_remove_owner(&own[k]);
	}
	ck_assert_uint_eq(brl_count(t), 0);
	talloc_free(lk);
	talloc_free(ref);
	talloc_free(t);
}
END_TEST

/* ---- scale ---- */

static double now_s(void)
{
	struct timespec ts = {};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * 200,000 locks of 200 owners on one file, then 200,000 conflict checks:
 * the old linear scan needed ~2 * 10^10 comparisons for this (about half
 * a minute); a tree needs well under a second even under ASan.
 */
START_TEST(test_scale)
{
	struct brl_table *t = brl_table_new(wgt_root);
	struct brl_owner own[200] = {};
	size_t n = 200000;
	size_t i = 0;
	double t0 = now_s();

	for (i = 0; i < n; i++) {
		struct brl_owner *o = &own[i % 200];

		ck_assert(!brl_conflicts(t, o, 0, i * 2, 1, true, true));
		ck_assert_ptr_nonnull(brl_add(t, o, 0, i * 2, 1, true));
	}
	for (i = 0; i < n; i++) {
		ck_assert(!brl_conflicts(t, &own[0], 0, i * 2 + 1, 1, true,
					 false));
		ck_assert(brl_conflicts(t, &own[0], 0, i * 2 + 1, 2, false,
					false) ==
			  (i + 1 < n && (i + 1) % 200 != 0));
	}
	ck_assert_msg(now_s() - t0 < 10.0, "%.1f s", now_s() - t0);
	ck_assert_uint_eq(brl_count(t), n);
	talloc_free(t);
}
END_TEST

static Suite *brlock_suite(void)
{
	Suite *s = suite_create("brlock");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_range_rules);
	tcase_add_test(tc, test_find_remove_counts);
	tcase_add_test(tc, test_tags);
	tcase_add_test(tc, test_against_model);
	tcase_add_test(tc, test_scale);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(brlock_suite)
