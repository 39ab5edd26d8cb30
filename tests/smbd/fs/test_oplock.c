/*
 * test_oplock.c - oplocks (smbd/fs/oplock.c): the grant, break and
 * acknowledgment decision tables, and the engine on a file with fake
 * opens: breaks notified through srv->oplock_up, level II broken at once,
 * exclusive and batch waiting for the acknowledgment, the close or the
 * timeout, waits called back from the loop, the budgets.
 */
#include <string.h>

#include "tests/wgtest.h"
#include "smbd/fs/oplock.h"

#define NONE	SMB2_OPLOCK_LEVEL_NONE
#define II	SMB2_OPLOCK_LEVEL_II
#define EXCL	SMB2_OPLOCK_LEVEL_EXCLUSIVE
#define BATCH	SMB2_OPLOCK_LEVEL_BATCH
#define LEASE	SMB2_OPLOCK_LEVEL_LEASE

/* ---- decision tables ---- */

START_TEST(test_break_table)
{
	static const struct {
		uint8_t held;
		enum smbd_oplock_op what;
		uint8_t to;
	} t[] = {
		{ BATCH, SMBD_OPLOCK_OP_OPEN, II },
		{ BATCH, SMBD_OPLOCK_OP_OVERWRITE, NONE },
		{ BATCH, SMBD_OPLOCK_OP_WRITE, NONE },
		{ BATCH, SMBD_OPLOCK_OP_LOCK, NONE },
		{ BATCH, SMBD_OPLOCK_OP_SIZE, NONE },
		{ BATCH, SMBD_OPLOCK_OP_RENAME, II },
		{ BATCH, SMBD_OPLOCK_OP_DELETE, II },
		{ EXCL, SMBD_OPLOCK_OP_OPEN, II },
		{ EXCL, SMBD_OPLOCK_OP_OVERWRITE, NONE },
		{ EXCL, SMBD_OPLOCK_OP_WRITE, NONE },
		{ EXCL, SMBD_OPLOCK_OP_LOCK, NONE },
		{ EXCL, SMBD_OPLOCK_OP_SIZE, NONE },
		{ EXCL, SMBD_OPLOCK_OP_RENAME, EXCL },
		{ EXCL, SMBD_OPLOCK_OP_DELETE, EXCL },
		{ II, SMBD_OPLOCK_OP_OPEN, II },
		{ II, SMBD_OPLOCK_OP_OVERWRITE, NONE },
		{ II, SMBD_OPLOCK_OP_WRITE, NONE },
		{ II, SMBD_OPLOCK_OP_LOCK, NONE },
		{ II, SMBD_OPLOCK_OP_SIZE, NONE },
		{ II, SMBD_OPLOCK_OP_RENAME, II },
		{ II, SMBD_OPLOCK_OP_DELETE, II },
		{ NONE, SMBD_OPLOCK_OP_WRITE, NONE },
		{ NONE, SMBD_OPLOCK_OP_OPEN, NONE },
	};
	size_t i = 0;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		ck_assert_msg(smbd_oplock_break_to(t[i].held, t[i].what) ==
			      t[i].to, "row %zu", i);
	}
}
END_TEST

START_TEST(test_grant_table)
{
	static const struct {
		uint8_t req;
		bool is_file;
		size_t others;
		uint8_t others_max;
		uint8_t granted;
	} t[] = {
		/* a sole open gets what it asks */
		{ BATCH, true, 0, NONE, BATCH },
		{ EXCL, true, 0, NONE, EXCL },
		{ II, true, 0, NONE, II },
		{ NONE, true, 0, NONE, NONE },
		/* beside others: level II, unless one holds more */
		{ BATCH, true, 1, NONE, II },
		{ EXCL, true, 3, II, II },
		{ II, true, 1, II, II },
		{ BATCH, true, 1, BATCH, NONE },
		{ II, true, 1, EXCL, NONE },
		/* directories, pipes: never */
		{ BATCH, false, 0, NONE, NONE },
		{ II, false, 0, NONE, NONE },
		/* leases (not yet) and unknown levels: none */
		{ LEASE, true, 0, NONE, NONE },
		{ 0x05, true, 0, NONE, NONE },
		{ 0x02, true, 1, NONE, NONE },
	};
	size_t i = 0;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		ck_assert_msg(smbd_oplock_grant(t[i].req, t[i].is_file,
						t[i].others,
						t[i].others_max) ==
			      t[i].granted, "row %zu", i);
	}
}
END_TEST

START_TEST(test_ack_table)
{
	static const struct {
		uint8_t held, to, acked;
		NTSTATUS status;
		uint8_t granted;
	} t[] = {
		{ BATCH, II, II, NT_STATUS_OK, II },
		{ BATCH, II, NONE, NT_STATUS_OK, NONE },
		{ EXCL, II, II, NT_STATUS_OK, II },
		{ EXCL, NONE, NONE, NT_STATUS_OK, NONE },
		/* never above what the break offered */
		{ BATCH, NONE, II, NT_STATUS_OK, NONE },
		{ BATCH, II, BATCH, NT_STATUS_INVALID_OPLOCK_PROTOCOL, NONE },
		{ BATCH, II, EXCL, NT_STATUS_INVALID_OPLOCK_PROTOCOL, NONE },
		{ EXCL, II, 0x07, NT_STATUS_INVALID_OPLOCK_PROTOCOL, NONE },
		{ BATCH, II, LEASE, NT_STATUS_INVALID_PARAMETER, NONE },
		{ II, NONE, II, NT_STATUS_INVALID_OPLOCK_PROTOCOL, NONE },
	};
	size_t i = 0;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		uint8_t g = 0x55;

		ck_assert_msg(smbd_oplock_ack_check(t[i].held, t[i].to,
						    t[i].acked, &g) ==
			      t[i].status, "row %zu", i);
		ck_assert_msg(g == t[i].granted, "row %zu granted", i);
	}
}
END_TEST

START_TEST(test_stat_open)
{
	ck_assert(smbd_oplock_stat_open(FILE_READ_ATTRIBUTES));
	ck_assert(smbd_oplock_stat_open(FILE_READ_ATTRIBUTES |
					FILE_WRITE_ATTRIBUTES |
					SEC_STD_SYNCHRONIZE));
	ck_assert(!smbd_oplock_stat_open(FILE_READ_DATA |
					 FILE_READ_ATTRIBUTES));
	ck_assert(!smbd_oplock_stat_open(SEC_STD_DELETE));
	ck_assert(!smbd_oplock_stat_open(FILE_APPEND_DATA));
}
END_TEST

/* ---- the engine ---- */

struct sent {
	struct smbd_open *op;
	uint8_t level;
};
static struct sent sent[16];
static size_t nsent;

static void fake_send_break(struct smbd_open *op, uint8_t level)
{
	ck_assert_uint_lt(nsent, ARRAY_SIZE(sent));
	sent[nsent].op = op;
	sent[nsent].level = level;
	nsent++;
}

static const struct smbd_oplock_upcalls fake_up = {
	.send_break = fake_send_break,
};

struct world {
	struct smbd_server *srv;
	struct smbd_conn *conn;
	struct smbd_session *sess;
	struct smbd_tree *tree;
	struct smbd_file *file;
};

static void world_init(struct world *w, uint32_t timeout_ms)
{
	w->srv = talloc_zero(wgt_root, struct smbd_server);
	w->srv->ev = wgt_ev;
	w->srv->cfg = talloc_zero(w->srv, struct wg_config);
	w->srv->cfg->oplock_break_timeout_ms = timeout_ms;
	w->srv->oplock_up = &fake_up;
	w->conn = talloc_zero(w->srv, struct smbd_conn);
	w->conn->srv = w->srv;
	w->conn->state = SMBD_CONN_ACTIVE;
	strcpy(w->conn->peer_addr, "127.0.0.2");
	w->sess = talloc_zero(w->conn, struct smbd_session);
	w->sess->conn = w->conn;
	w->tree = talloc_zero(w->sess, struct smbd_tree);
	w->tree->sess = w->sess;
	w->file = talloc_zero(w->srv, struct smbd_file);
	w->file->srv = w->srv;
	w->file->opens = talloc_array(w->file, struct smbd_open *, 8);
	nsent = 0;
}

/* A fake open of the file: in its opens, freed by open_drop. */
static struct smbd_open *open_add(struct world *w, uint32_t access)
{
	struct smbd_open *op = talloc_zero(w->tree, struct smbd_open);

	op->tree = w->tree;
	op->file = w->file;
	op->access = access;
	op->path = talloc_strdup(op, "f.txt");
	w->file->opens[w->file->nopens++] = op;
	return op;
}

static void open_drop(struct world *w, struct smbd_open *op)
{
	size_t i = 0;

	smbd_oplock_release(op);
	for (i = 0; i < w->file->nopens; i++) {
		if (w->file->opens[i] == op) {
			w->file->opens[i] = w->file->opens[--w->file->nopens];
			break;
		}
	}
	talloc_free(op);
}

static int woken;

static void on_wake(void *priv)
{
	struct smbd_oplock_wait **pw = priv;

	woken++;
	TALLOC_FREE(*pw);
}

static void loop_once(void)
{
	ck_assert_int_eq(tevent_loop_once(wgt_ev), 0);
}

START_TEST(test_level2_breaks_at_once)
{
	struct world w;
	struct smbd_open *a = NULL, *b = NULL;
	size_t others = 0;

	world_init(&w, 1000);
	a = open_add(&w, FILE_READ_DATA);
	b = open_add(&w, FILE_READ_DATA | FILE_WRITE_DATA);
	ck_assert_int_eq(smbd_oplock_set(a, II), 0);
	ck_assert_int_eq(smbd_oplock_set(b, II), 0);
	ck_assert_uint_eq(smbd_oplock_others_max(w.file, a, &others), II);
	ck_assert_uint_eq(others, 1);
	/* another open: level II stays */
	ck_assert(!smbd_oplock_break(w.file, NULL, SMBD_OPLOCK_OP_OPEN,
				     false));
	ck_assert_uint_eq(nsent, 0);
	/* b writes: both go to none, b's own too, without waiting */
	ck_assert(!smbd_oplock_break(w.file, b, SMBD_OPLOCK_OP_WRITE,
				     false));
	ck_assert_uint_eq(nsent, 2);
	ck_assert_uint_eq(sent[0].level, NONE);
	ck_assert_uint_eq(sent[1].level, NONE);
	ck_assert_uint_eq(smbd_oplock_level(a), NONE);
	ck_assert_uint_eq(smbd_oplock_level(b), NONE);
	ck_assert_ptr_null(w.file->oplocks);
	/* an acknowledgment of a level II break is refused */
	{
		uint8_t g = 0;

		ck_assert_uint_eq(smbd_oplock_ack(a, NONE, &g),
				  NT_STATUS_INVALID_OPLOCK_PROTOCOL);
	}
	open_drop(&w, a);
	open_drop(&w, b);
	talloc_free(w.srv);
}
END_TEST

START_TEST(test_batch_ack_wakes)
{
	struct world w;
	struct smbd_open *a = NULL;
	struct smbd_oplock_wait *wt = NULL;
	uint8_t g = 0;

	world_init(&w, 60000);
	a = open_add(&w, FILE_READ_DATA | FILE_WRITE_DATA);
	ck_assert_int_eq(smbd_oplock_set(a, BATCH), 0);
	/* an exclusive holder is not broken by a batch-only pass */
	ck_assert(smbd_oplock_break(w.file, NULL, SMBD_OPLOCK_OP_OPEN, true));
	ck_assert_uint_eq(nsent, 1);
	ck_assert_ptr_eq(sent[0].op, a);
	ck_assert_uint_eq(sent[0].level, II);
	ck_assert_uint_eq(w.conn->noplock_breaks, 1);
	ck_assert(smbd_oplock_breaking(w.file));
	/* a second conflict during the break sends nothing more */
	ck_assert(smbd_oplock_break(w.file, NULL, SMBD_OPLOCK_OP_OPEN,
				    false));
	ck_assert_uint_eq(nsent, 1);
	woken = 0;
	ck_assert_uint_eq(smbd_oplock_wait(wgt_root, w.file, w.conn, on_wake,
					   &wt, &wt), NT_STATUS_OK);
	ck_assert_uint_eq(w.conn->noplock_waits, 1);
	/* not acknowledged: nothing happens on an idle loop turn */
	ck_assert_int_eq(woken, 0);
	/* the acknowledgment ends the break at the level offered */
	ck_assert_uint_eq(smbd_oplock_ack(a, II, &g), NT_STATUS_OK);
	ck_assert_uint_eq(g, II);
	ck_assert_uint_eq(smbd_oplock_level(a), II);
	ck_assert_uint_eq(w.conn->noplock_breaks, 0);
	ck_assert_int_eq(woken, 0);	/* called back from the loop only */
	loop_once();
	ck_assert_int_eq(woken, 1);
	ck_assert_ptr_null(wt);
	ck_assert_uint_eq(w.conn->noplock_waits, 0);
	/* no break in progress now */
	ck_assert_uint_eq(smbd_oplock_ack(a, NONE, &g),
			  NT_STATUS_INVALID_OPLOCK_PROTOCOL);
	open_drop(&w, a);
	talloc_free(w.srv);
}
END_TEST

START_TEST(test_timeout_counts_as_none)
{
	struct world w;
	struct smbd_open *a = NULL;
	struct smbd_oplock_wait *wt = NULL;
	struct timeval t0 = tevent_timeval_current();
	struct timeval t1;
	uint8_t g = 0;

	world_init(&w, 100);
	a = open_add(&w, FILE_READ_DATA | FILE_WRITE_DATA);
	ck_assert_int_eq(smbd_oplock_set(a, EXCL), 0);
	ck_assert(smbd_oplock_break(w.file, NULL, SMBD_OPLOCK_OP_OPEN,
				    false));
	woken = 0;
	ck_assert_uint_eq(smbd_oplock_wait(wgt_root, w.file, w.conn, on_wake,
					   &wt, &wt), NT_STATUS_OK);
	while (woken == 0) {
		loop_once();
	}
	t1 = tevent_timeval_current();
	ck_assert_uint_ge(tevent_timeval_until(&t0, &t1).tv_sec * 1000000 +
			  tevent_timeval_until(&t0, &t1).tv_usec, 95000);
	ck_assert_uint_eq(smbd_oplock_level(a), NONE);
	ck_assert_ptr_null(w.file->oplocks);
	ck_assert_uint_eq(w.conn->noplock_breaks, 0);
	/* the late acknowledgment */
	ck_assert_uint_eq(smbd_oplock_ack(a, II, &g),
			  NT_STATUS_INVALID_OPLOCK_PROTOCOL);
	open_drop(&w, a);
	talloc_free(w.srv);
}
END_TEST

START_TEST(test_close_wakes_and_cancel)
{
	struct world w;
	struct smbd_open *a = NULL;
	struct smbd_oplock_wait *w1 = NULL, *w2 = NULL;

	world_init(&w, 60000);
	a = open_add(&w, FILE_READ_DATA);
	ck_assert_int_eq(smbd_oplock_set(a, BATCH), 0);
	ck_assert(smbd_oplock_break(w.file, NULL, SMBD_OPLOCK_OP_OVERWRITE,
				    false));
	ck_assert_uint_eq(sent[0].level, NONE);
	woken = 0;
	ck_assert_uint_eq(smbd_oplock_wait(wgt_root, w.file, w.conn, on_wake,
					   &w1, &w1), NT_STATUS_OK);
	ck_assert_uint_eq(smbd_oplock_wait(wgt_root, w.file, w.conn, on_wake,
					   &w2, &w2), NT_STATUS_OK);
	/* one waiter gives up (CANCEL): never called */
	TALLOC_FREE(w2);
	ck_assert_uint_eq(w.conn->noplock_waits, 1);
	/* the holder closes instead of acknowledging */
	open_drop(&w, a);
	ck_assert_uint_eq(w.conn->noplock_breaks, 0);
	ck_assert_ptr_null(w.file->oplock_waits);
	loop_once();
	ck_assert_int_eq(woken, 1);
	ck_assert_ptr_null(w1);
	/* a wait on a file with no break goes on at the next turn */
	ck_assert_uint_eq(smbd_oplock_wait(wgt_root, w.file, w.conn, on_wake,
					   &w1, &w1), NT_STATUS_OK);
	loop_once();
	ck_assert_int_eq(woken, 2);
	talloc_free(w.srv);
}
END_TEST

START_TEST(test_budgets)
{
	struct world w;
	struct smbd_open *a = NULL;
	struct smbd_oplock_wait *wt = NULL;

	world_init(&w, 60000);
	a = open_add(&w, FILE_READ_DATA);
	/* waits: refused over the per-connection budget, and counted */
	w.conn->noplock_waits = SMBD_MAX_OPLOCK_WAITS;
	ck_assert_uint_eq(smbd_oplock_wait(wgt_root, w.file, w.conn, on_wake,
					   &wt, &wt),
			  NT_STATUS_INSUFFICIENT_RESOURCES);
	ck_assert_uint_eq(w.srv->stats.budget_hits[SMBD_BUDGET_OPLOCKS], 1);
	w.conn->noplock_waits = 0;
	/* breaks: over the budget, acknowledged to none right away */
	w.conn->noplock_breaks = SMBD_MAX_OPLOCK_BREAKS;
	ck_assert_int_eq(smbd_oplock_set(a, BATCH), 0);
	ck_assert(!smbd_oplock_break(w.file, NULL, SMBD_OPLOCK_OP_OPEN,
				     false));
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent[0].level, NONE);
	ck_assert_uint_eq(smbd_oplock_level(a), NONE);
	ck_assert_uint_eq(w.srv->stats.budget_hits[SMBD_BUDGET_OPLOCKS], 2);
	w.conn->noplock_breaks = 0;
	open_drop(&w, a);
	talloc_free(w.srv);
}
END_TEST

static Suite *oplock_suite(void)
{
	Suite *s = suite_create("oplock");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_break_table);
	tcase_add_test(tc, test_grant_table);
	tcase_add_test(tc, test_ack_table);
	tcase_add_test(tc, test_stat_open);
	tcase_add_test(tc, test_level2_breaks_at_once);
	tcase_add_test(tc, test_batch_ack_wakes);
	tcase_add_test(tc, test_timeout_counts_as_none);
	tcase_add_test(tc, test_close_wakes_and_cancel);
	tcase_add_test(tc, test_budgets);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(oplock_suite)
