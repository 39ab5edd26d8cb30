/*
 * test_lease.c - leases (smbd/fs/lease.c): the state, break and grant
 * decision tables, and the table on fake files and opens: one lease per
 * (ClientGuid, lease key) shared by opens, breaks notified through
 * srv->oplock_up with the epoch, acknowledgments, the timeout, waits,
 * the budget.
 */
#include <string.h>

#include "tests/wgtest.h"
#include "smbd/fs/lease.h"

#define R	SMB2_LEASE_READ
#define H	SMB2_LEASE_HANDLE
#define W	SMB2_LEASE_WRITE
#define ACK	SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED

START_TEST(test_valid_table)
{
	static const struct {
		uint32_t req;
		bool dir;
		uint32_t valid;
	} t[] = {
		{ 0, false, 0 }, { R, false, R }, { H, false, 0 },
		{ W, false, 0 }, { R | H, false, R | H }, { R | W, false, R | W },
		{ H | W, false, 0 }, { R | H | W, false, R | H | W },
		{ R | H | W | 0x10, false, R | H | W },
		{ R | H | W, true, R | H }, { R | W, true, R }, { H, true, 0 },
	};
	size_t i = 0;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		ck_assert_msg(smbd_lease_valid_state(t[i].req, t[i].dir) ==
			      t[i].valid, "row %zu", i);
	}
}
END_TEST

START_TEST(test_break_table)
{
	static const struct {
		uint32_t held;
		enum smbd_oplock_op what;
		uint32_t to;
	} t[] = {
		{ R | H | W, SMBD_OPLOCK_OP_OPEN, R | H },
		{ R | W, SMBD_OPLOCK_OP_OPEN, R },
		{ R | H, SMBD_OPLOCK_OP_OPEN, R | H },
		{ R, SMBD_OPLOCK_OP_OPEN, R },
		{ R | H | W, SMBD_OPLOCK_OP_OVERWRITE, 0 },
		{ R | H, SMBD_OPLOCK_OP_WRITE, 0 },
		{ R, SMBD_OPLOCK_OP_LOCK, 0 },
		{ R, SMBD_OPLOCK_OP_SIZE, 0 },
		{ R | H, SMBD_OPLOCK_OP_RENAME, R },
		{ R | H | W, SMBD_OPLOCK_OP_DELETE, R | W },
		{ R | H, SMBD_OPLOCK_OP_SHARE, R },
		{ R, SMBD_OPLOCK_OP_SHARE, R },
	};
	size_t i = 0;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		ck_assert_msg(smbd_lease_break_to(t[i].held, t[i].what) ==
			      t[i].to, "row %zu", i);
	}
}
END_TEST

START_TEST(test_grant_table)
{
	ck_assert_uint_eq(smbd_lease_grant(R | H | W, 0, false), R | H | W);
	ck_assert_uint_eq(smbd_lease_grant(R | H | W, 1, false), R | H);
	ck_assert_uint_eq(smbd_lease_grant(R | H | W, 1, true), R);
	ck_assert_uint_eq(smbd_lease_grant(R | H, 0, true), R);
	ck_assert_uint_eq(smbd_lease_grant(R, 3, true), R);
}
END_TEST

/* ---- the table ---- */

static struct smb2_lease_break sent[16];
static struct smbd_open *sent_op[16];
static size_t nsent;

static void fake_send_break(struct smbd_open *op, uint8_t level)
{
	(void)op;
	(void)level;
	ck_abort_msg("an oplock break from a lease");
}

static void fake_send_lease_break(struct smbd_conn *conn,
				  struct smbd_open *op,
				  const struct smb2_lease_break *b)
{
	(void)conn;
	ck_assert_uint_lt(nsent, ARRAY_SIZE(sent));
	sent[nsent] = *b;
	sent_op[nsent] = op;
	nsent++;
}

static const struct smbd_oplock_upcalls fake_up = {
	.send_break = fake_send_break,
	.send_lease_break = fake_send_lease_break,
};

static const uint8_t guid_a[16] = { 0xaa, 1 };
static const uint8_t guid_b[16] = { 0xbb, 2 };
static const uint8_t key1[16] = { 1, 1, 1 };
static const uint8_t key2[16] = { 2, 2, 2 };

struct world {
	struct smbd_server *srv;
	struct smbd_conn *conn;
	struct smbd_tree *tree;
	struct smbd_file *file, *file2;
};

static struct smbd_file *file_new(struct world *w)
{
	struct smbd_file *f = talloc_zero(w->srv, struct smbd_file);

	f->srv = w->srv;
	f->opens = talloc_array(f, struct smbd_open *, 8);
	return f;
}

static void world_init(struct world *w, uint32_t timeout_ms)
{
	struct smbd_session *sess = NULL;

	w->srv = talloc_zero(wgt_root, struct smbd_server);
	w->srv->ev = wgt_ev;
	w->srv->cfg = talloc_zero(w->srv, struct wg_config);
	w->srv->cfg->oplock_break_timeout_ms = timeout_ms;
	w->srv->oplock_up = &fake_up;
	w->conn = talloc_zero(w->srv, struct smbd_conn);
	w->conn->srv = w->srv;
	w->conn->state = SMBD_CONN_ACTIVE;
	strcpy(w->conn->peer_addr, "127.0.0.2");
	sess = talloc_zero(w->conn, struct smbd_session);
	sess->conn = w->conn;
	w->tree = talloc_zero(sess, struct smbd_tree);
	w->tree->sess = sess;
	w->file = file_new(w);
	w->file2 = file_new(w);
	nsent = 0;
}

static struct smbd_open *open_add(struct world *w, struct smbd_file *f,
				  uint32_t access)
{
	struct smbd_open *op = talloc_zero(w->tree, struct smbd_open);

	op->tree = w->tree;
	op->file = f;
	op->access = access;
	op->path = talloc_strdup(op, "f.txt");
	f->opens[f->nopens++] = op;
	return op;
}

static void open_drop(struct smbd_open *op)
{
	struct smbd_file *f = op->file;
	size_t i = 0;

	smbd_oplock_release(op);
	smbd_lease_release(op);
	for (i = 0; i < f->nopens; i++) {
		if (f->opens[i] == op) {
			f->opens[i] = f->opens[--f->nopens];
			break;
		}
	}
	talloc_free(op);
}

/* op asks for state with key (v2, epoch 0) as client guid. */
static uint32_t lease_ask(struct smbd_open *op, const uint8_t *guid,
			  const uint8_t *key, uint32_t state,
			  struct smb2_lease *resp)
{
	struct smb2_lease req = { .version = 2, .state = state };

	memcpy(req.key, key, 16);
	ck_assert_uint_eq(smbd_lease_open(op, guid, &req, resp),
			  NT_STATUS_OK);
	return resp->state;
}

static int woken;

static void on_wake(void *priv)
{
	struct smbd_oplock_wait **pw = priv;

	woken++;
	TALLOC_FREE(*pw);
}

START_TEST(test_shared_and_broken)
{
	struct world w;
	struct smbd_open *a1 = NULL, *a2 = NULL, *b = NULL;
	struct smbd_oplock_wait *wt = NULL;
	struct smb2_lease resp;

	world_init(&w, 60000);
	a1 = open_add(&w, w.file, FILE_READ_DATA | FILE_WRITE_DATA);
	ck_assert_uint_eq(lease_ask(a1, guid_a, key1, R | H | W, &resp),
			  R | H | W);
	ck_assert_uint_eq(resp.epoch, 1);
	ck_assert_uint_eq(w.conn->nleases, 1);
	/* a second open with the same key joins: no break, same state */
	ck_assert(!smbd_oplock_break_lease(w.file, NULL, guid_a, key1,
					   SMBD_OPLOCK_OP_OPEN, false));
	a2 = open_add(&w, w.file, FILE_READ_DATA);
	ck_assert_uint_eq(lease_ask(a2, guid_a, key1, R | H | W, &resp),
			  R | H | W);
	ck_assert_uint_eq(resp.epoch, 1);
	ck_assert_uint_eq(nsent, 0);
	/* the same key from another client is another lease */
	ck_assert(smbd_oplock_break_lease(w.file, NULL, guid_b, key1,
					  SMBD_OPLOCK_OP_OPEN, false));
	ck_assert_uint_eq(nsent, 1);
	ck_assert_mem_eq(sent[0].key, key1, 16);
	ck_assert_uint_eq(sent[0].current, R | H | W);
	ck_assert_uint_eq(sent[0].new_state, R | H);
	ck_assert_uint_eq(sent[0].flags, ACK);
	ck_assert_uint_eq(sent[0].epoch, 2);
	ck_assert_uint_eq(w.conn->noplock_breaks, 1);
	woken = 0;
	ck_assert_uint_eq(smbd_oplock_wait(wgt_root, w.file, w.conn, on_wake,
					   &wt, &wt), NT_STATUS_OK);
	/* acknowledgments: unknown key, more than offered */
	ck_assert_uint_eq(smbd_lease_ack(w.srv, guid_b, key1, R),
			  NT_STATUS_OBJECT_NAME_NOT_FOUND);
	ck_assert_uint_eq(smbd_lease_ack(w.srv, guid_a, key1, R | H | W),
			  NT_STATUS_REQUEST_NOT_ACCEPTED);
	ck_assert(smbd_oplock_breaking(w.file));
	ck_assert_uint_eq(smbd_lease_ack(w.srv, guid_a, key1, R | H),
			  NT_STATUS_OK);
	ck_assert_uint_eq(smbd_lease_state(a1), R | H);
	ck_assert_uint_eq(smbd_lease_state(a2), R | H);
	ck_assert_uint_eq(w.conn->noplock_breaks, 0);
	ck_assert_uint_eq(smbd_lease_ack(w.srv, guid_a, key1, R),
			  NT_STATUS_UNSUCCESSFUL);
	ck_assert_int_eq(tevent_loop_once(wgt_ev), 0);
	ck_assert_int_eq(woken, 1);
	/* b joins with RWH: others hold the file, no W */
	b = open_add(&w, w.file, FILE_READ_DATA);
	ck_assert_uint_eq(lease_ask(b, guid_b, key1, R | H | W, &resp),
			  R | H);
	/* the key of a lease on one file is refused on another */
	{
		struct smbd_open *x = open_add(&w, w.file2, FILE_READ_DATA);
		struct smb2_lease req = { .version = 1, .state = R };

		memcpy(req.key, key1, 16);
		ck_assert_uint_eq(smbd_lease_open(x, guid_a, &req, &resp),
				  NT_STATUS_INVALID_PARAMETER);
		ck_assert_ptr_null(x->lease);
		open_drop(x);
	}
	/* b writes: a's RH goes to none (H: acknowledged), b's stays; the
	 * write waits for nothing (smbtorture smb2.lease.breaking4) */
	nsent = 0;
	ck_assert(!smbd_oplock_break(w.file, b, SMBD_OPLOCK_OP_WRITE, false));
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent[0].new_state, 0);
	ck_assert_uint_eq(sent[0].flags, ACK);
	ck_assert_uint_eq(smbd_lease_state(b), R | H);
	ck_assert_uint_eq(w.conn->noplock_breaks, 1);
	/* ... until an open the share modes refuse needs H gone: it waits */
	ck_assert(smbd_oplock_break_lease(w.file, b, NULL, NULL,
					  SMBD_OPLOCK_OP_SHARE, 0));
	ck_assert_uint_eq(nsent, 1);
	/* a's opens close: the break ends with them, the lease goes */
	open_drop(a1);
	ck_assert(smbd_oplock_breaking(w.file));
	ck_assert_uint_eq(w.conn->noplock_breaks, 1);
	open_drop(a2);
	ck_assert(!smbd_oplock_breaking(w.file));
	ck_assert_uint_eq(w.conn->noplock_breaks, 0);
	open_drop(b);
	ck_assert_ptr_null(w.srv->leases);
	ck_assert_ptr_null(w.file->leases);
	ck_assert_uint_eq(w.conn->nleases, 0);
	talloc_free(w.srv);
}
END_TEST

START_TEST(test_read_breaks_without_ack)
{
	struct world w;
	struct smbd_open *a = NULL;
	struct smb2_lease resp;

	world_init(&w, 60000);
	a = open_add(&w, w.file, FILE_READ_DATA);
	ck_assert_uint_eq(lease_ask(a, guid_a, key2, R, &resp), R);
	ck_assert(!smbd_oplock_break(w.file, NULL, SMBD_OPLOCK_OP_SIZE,
				     false));
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent[0].flags, 0);
	ck_assert_uint_eq(sent[0].new_state, 0);
	ck_assert_uint_eq(smbd_lease_state(a), 0);
	ck_assert_uint_eq(w.conn->noplock_breaks, 0);
	/* no lease state left to break */
	ck_assert(!smbd_oplock_break(w.file, NULL, SMBD_OPLOCK_OP_SIZE,
				     false));
	ck_assert_uint_eq(nsent, 1);
	open_drop(a);
	talloc_free(w.srv);
}
END_TEST

/*
 * The further breaks an acknowledgment starts keep the epoch and hold up
 * what the first did (smbtorture smb2.lease.v2_breaking3); an open that
 * deletes on close takes handle caching and waits (smb2.lease.unlink).
 */
START_TEST(test_further_breaks)
{
	struct world w;
	struct smbd_open *a = NULL, *a2 = NULL;
	struct smb2_lease resp;

	world_init(&w, 60000);
	a = open_add(&w, w.file, FILE_READ_DATA | FILE_WRITE_DATA);
	ck_assert_uint_eq(lease_ask(a, guid_a, key1, R | H | W, &resp),
			  R | H | W);
	ck_assert(smbd_oplock_break(w.file, NULL, SMBD_OPLOCK_OP_OPEN,
				    false));
	ck_assert(smbd_oplock_break(w.file, NULL, SMBD_OPLOCK_OP_OVERWRITE,
				    false));
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent[0].new_state, R | H);
	ck_assert_uint_eq(sent[0].epoch, 2);
	ck_assert_uint_eq(smbd_lease_ack(w.srv, guid_a, key1, R | H),
			  NT_STATUS_OK);
	ck_assert_uint_eq(nsent, 2);
	ck_assert_uint_eq(sent[1].current, R | H);
	ck_assert_uint_eq(sent[1].new_state, R);
	ck_assert_uint_eq(sent[1].flags, ACK);
	ck_assert_uint_eq(sent[1].epoch, 2);
	ck_assert(smbd_oplock_breaking(w.file));
	ck_assert_uint_eq(smbd_lease_ack(w.srv, guid_a, key1, R),
			  NT_STATUS_OK);
	ck_assert_uint_eq(nsent, 3);
	ck_assert_uint_eq(sent[2].new_state, 0);
	ck_assert_uint_eq(sent[2].flags, 0);
	ck_assert_uint_eq(sent[2].epoch, 2);
	ck_assert(!smbd_oplock_breaking(w.file));
	ck_assert_uint_eq(smbd_lease_state(a), 0);
	/* RH again; an open deleting on close breaks it to R and waits */
	a2 = open_add(&w, w.file, FILE_READ_DATA);
	ck_assert_uint_eq(lease_ask(a2, guid_a, key1, R | H, &resp), R | H);
	nsent = 0;
	ck_assert(smbd_oplock_break_lease(w.file, NULL, NULL, NULL,
					  SMBD_OPLOCK_OP_OPEN,
					  SMBD_BREAK_DELETE));
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent[0].new_state, R);
	ck_assert_uint_eq(sent[0].flags, ACK);
	ck_assert_uint_eq(smbd_lease_ack(w.srv, guid_a, key1, R),
			  NT_STATUS_OK);
	ck_assert(!smbd_oplock_breaking(w.file));
	open_drop(a);
	open_drop(a2);
	talloc_free(w.srv);
}
END_TEST

START_TEST(test_timeout_counts_as_none)
{
	struct world w;
	struct smbd_open *a = NULL;
	struct smb2_lease resp;
	struct timeval t0 = tevent_timeval_current();

	world_init(&w, 100);
	a = open_add(&w, w.file, FILE_READ_DATA | FILE_WRITE_DATA);
	ck_assert_uint_eq(lease_ask(a, guid_a, key1, R | H | W, &resp),
			  R | H | W);
	ck_assert(smbd_oplock_break(w.file, NULL, SMBD_OPLOCK_OP_SHARE,
				    false));
	ck_assert_uint_eq(sent[0].new_state, R | W);
	while (smbd_oplock_breaking(w.file)) {
		ck_assert_int_eq(tevent_loop_once(wgt_ev), 0);
	}
	{
		struct timeval t1 = tevent_timeval_current();

		ck_assert_int_ge((t1.tv_sec - t0.tv_sec) * 1000000 +
				 (t1.tv_usec - t0.tv_usec), 90000);
	}
	ck_assert_uint_eq(smbd_lease_state(a), 0);
	ck_assert_uint_eq(w.conn->noplock_breaks, 0);
	open_drop(a);
	talloc_free(w.srv);
}
END_TEST

START_TEST(test_budget)
{
	struct world w;
	struct smbd_open *a = NULL;
	struct smb2_lease resp;

	world_init(&w, 1000);
	a = open_add(&w, w.file, FILE_READ_DATA);
	w.conn->nleases = SMBD_MAX_LEASES_PER_CONN;
	ck_assert_uint_eq(lease_ask(a, guid_a, key1, R | H, &resp), 0);
	ck_assert_ptr_null(a->lease);
	ck_assert_ptr_null(w.srv->leases);
	ck_assert_uint_eq(w.srv->stats.budget_hits[SMBD_BUDGET_LEASES], 1);
	w.conn->nleases = 0;
	open_drop(a);
	talloc_free(w.srv);
}
END_TEST

static Suite *lease_suite(void)
{
	Suite *s = suite_create("lease");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_valid_table);
	tcase_add_test(tc, test_break_table);
	tcase_add_test(tc, test_grant_table);
	tcase_add_test(tc, test_shared_and_broken);
	tcase_add_test(tc, test_read_breaks_without_ack);
	tcase_add_test(tc, test_further_breaks);
	tcase_add_test(tc, test_timeout_counts_as_none);
	tcase_add_test(tc, test_budget);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(lease_suite)
