/*
 * test_random.c - the per-thread random pool (smbd/base/random.c): bytes
 * are never handed out twice, the pool saves system calls, a child of
 * fork() does not repeat its parent's bytes.
 */
#include "tests/wgtest.h"
#include "smbd/base/random.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

START_TEST(test_draws_differ)
{
	uint8_t a[32], b[32], zero[32] = {};

	ck_assert_int_eq(smbd_random(a, sizeof(a)), 0);
	ck_assert_int_eq(smbd_random(b, sizeof(b)), 0);
	ck_assert_mem_ne(a, b, sizeof(a));
	ck_assert_mem_ne(a, zero, sizeof(a));
	ck_assert_mem_ne(b, zero, sizeof(b));
}
END_TEST

START_TEST(test_pool_saves_calls)
{
	uint8_t v[8];
	uint64_t r0 = 0;
	int i = 0;

	/* draw single bytes until one draw refills the pool */
	ck_assert_int_eq(smbd_random(v, 1), 0);
	r0 = smbd_random_refills();
	while (smbd_random_refills() == r0) {
		ck_assert_int_eq(smbd_random(v, 1), 0);
	}
	/* the pool was just filled and one byte taken */
	r0 = smbd_random_refills();
	for (i = 0; i < (SMBD_RANDOM_POOL - 1) / 8; i++) {
		ck_assert_int_eq(smbd_random(v, sizeof(v)), 0);
	}
	ck_assert_uint_eq(smbd_random_refills(), r0);
	/* more than is left: one refill */
	ck_assert_int_eq(smbd_random(v, sizeof(v)), 0);
	ck_assert_uint_eq(smbd_random_refills(), r0 + 1);
}
END_TEST

START_TEST(test_big_request)
{
	uint8_t big[SMBD_RANDOM_POOL * 2] = {};
	uint8_t zero[64] = {};
	uint64_t r0 = smbd_random_refills();

	ck_assert_int_eq(smbd_random(big, sizeof(big)), 0);
	/* straight from the kernel, the pool untouched */
	ck_assert_uint_eq(smbd_random_refills(), r0);
	ck_assert_mem_ne(big + sizeof(big) - 64, zero, 64);
}
END_TEST

START_TEST(test_fork_child_differs)
{
	uint8_t mine[16], theirs[16];
	int p[2];
	pid_t pid = 0;
	int st = 0;

	/* the pool holds bytes now */
	ck_assert_int_eq(smbd_random(mine, 1), 0);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		uint8_t v[16];

		_exit(smbd_random(v, sizeof(v)) != 0 ||
		      write(p[1], v, sizeof(v)) != sizeof(v));
	}
	ck_assert_int_eq(smbd_random(mine, sizeof(mine)), 0);
	ck_assert_int_eq(read(p[0], theirs, sizeof(theirs)), sizeof(theirs));
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_mem_ne(mine, theirs, sizeof(mine));
	close(p[0]);
	close(p[1]);
}
END_TEST

static Suite *random_suite(void)
{
	Suite *s = suite_create("random");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_draws_differ);
	tcase_add_test(tc, test_pool_saves_calls);
	tcase_add_test(tc, test_big_request);
	tcase_add_test(tc, test_fork_child_differs);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(random_suite)
