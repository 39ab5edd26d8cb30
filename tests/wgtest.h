/*
 * wgtest.h - shared Check fixture: a root talloc context and a tevent
 * context per test; teardown fails the test if talloc blocks leaked.
 */
#ifndef WG_TESTS_WGTEST_H
#define WG_TESTS_WGTEST_H

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include <tevent.h>

static TALLOC_CTX *wgt_root;
static struct tevent_context *wgt_ev;
static size_t wgt_baseline;

static inline void wgt_setup(void)
{
	wgt_root = talloc_new(NULL);
	ck_assert_ptr_nonnull(wgt_root);
	wgt_ev = tevent_context_init(wgt_root);
	ck_assert_ptr_nonnull(wgt_ev);
	wgt_baseline = talloc_total_blocks(wgt_root);
}

static inline void wgt_teardown(void)
{
	size_t now = talloc_total_blocks(wgt_root);

	if (now != wgt_baseline) {
		talloc_report_full(wgt_root, stderr);
	}
	ck_assert_uint_eq(now, wgt_baseline);
	talloc_free(wgt_root);
	wgt_root = NULL;
	wgt_ev = NULL;
}

/* Decode a hex string (whitespace ignored) into a talloc buffer. */
static inline uint8_t *wgt_hex(TALLOC_CTX *mem, const char *hex, size_t *len)
{
	size_t n = strlen(hex);
	uint8_t *out = talloc_zero_array(mem, uint8_t, n / 2 + 1);
	size_t o = 0;
	int hi = -1;

	for (size_t i = 0; i < n; i++) {
		char c = hex[i];
		int v = -1;

		if (c >= '0' && c <= '9') {
			v = c - '0';
		} else if (c >= 'a' && c <= 'f') {
			v = c - 'a' + 10;
		} else if (c >= 'A' && c <= 'F') {
			v = c - 'A' + 10;
		} else {
			continue;
		}
		if (hi < 0) {
			hi = v;
		} else {
			out[o++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	*len = o;
	return out;
}

/* Standard main: one suite, CK_NORMAL output, exit status from failures. */
#define WGT_MAIN(suite_fn)						\
	int main(void)							\
	{								\
		SRunner *sr = srunner_create(suite_fn());		\
		int failed = 0;						\
		srunner_run_all(sr, CK_NORMAL);				\
		failed = srunner_ntests_failed(sr);			\
		srunner_free(sr);					\
		return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;	\
	}

#endif
