/*
 * test_wtime.c - the delayed LastWriteTime update (smbd/fs/wtime.c) on
 * a real file: a write inside a hold leaves mtime where it was; the
 * first hold ends by its timer (about 2 s), later ones at the writer's
 * close; FLUSH ends a hold now; a time set through an open sticks for
 * its writes and drops another open's hold; a write that completes after
 * its hold ended does not put the old time back; an open freed without
 * CLOSE (logoff, disconnect) still ends its hold.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/wgtest.h"
#include "smbd/fs/open.h"
#include "smbd/fs/wtime.h"

struct fixture {
	struct smbd_server *srv;
	struct smbd_conn *conn;
	struct smbd_session *sess;
	struct smbd_tree *tree;
	struct wg_share_cfg share;
	char dir[64];
	char path[96];
};

static void fx_init(struct fixture *fx)
{
	int fd = -1;

	fx->srv = talloc_zero(wgt_root, struct smbd_server);
	ck_assert_ptr_nonnull(fx->srv);
	fx->srv->ev = wgt_ev;
	fx->conn = talloc_zero(fx->srv, struct smbd_conn);
	ck_assert_ptr_nonnull(fx->conn);
	fx->conn->srv = fx->srv;
	fx->sess = talloc_zero(fx->conn, struct smbd_session);
	ck_assert_ptr_nonnull(fx->sess);
	fx->sess->conn = fx->conn;
	fx->srv->sessions = fx->sess;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/wg_wtime_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/f", fx->dir);
	fd = open(fx->path, O_CREAT | O_RDWR, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	fx->share = (struct wg_share_cfg) {
		.name = "one", .path = fx->dir, .type = WG_SHARE_DISK,
	};
	fx->tree = talloc_zero(fx->sess, struct smbd_tree);
	ck_assert_ptr_nonnull(fx->tree);
	fx->tree->sess = fx->sess;
	fx->tree->share = &fx->share;
	fx->tree->root_fd = -1;
	fx->sess->trees = fx->tree;
}

static void fx_free(struct fixture *fx)
{
	talloc_free(fx->conn);
	talloc_free(fx->srv);
	unlink(fx->path);
	rmdir(fx->dir);
}

/* A registered open of the test file, read-write, attached to its inode. */
static struct smbd_open *fx_open(struct fixture *fx)
{
	struct smbd_open *op = talloc_zero(fx->tree, struct smbd_open);
	struct stat st = {};

	ck_assert_ptr_nonnull(op);
	op->fd = open(fx->path, O_RDWR);
	ck_assert_int_ge(op->fd, 0);
	op->path = talloc_strdup(op, "f");
	ck_assert_int_eq(smbd_open_register(fx->tree, op), 0);
	ck_assert_int_eq(fstat(op->fd, &st), 0);
	ck_assert_int_eq(smbd_file_attach(fx->srv, op, &st), 0);
	return op;
}

static struct timespec mtime_of(const struct fixture *fx)
{
	struct stat st = {};

	ck_assert_int_eq(stat(fx->path, &st), 0);
	return st.st_mtim;
}

static bool ts_eq(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static bool ts_gt(struct timespec a, struct timespec b)
{
	return a.tv_sec > b.tv_sec ||
	       (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

/* A time well in the past, so that any update is visibly later. */
static void set_old_mtime(const struct fixture *fx, struct timespec *out)
{
	struct timespec ts[2] = {
		{ .tv_nsec = UTIME_OMIT },
		{ .tv_sec = 1000000000, .tv_nsec = 123456700 },
	};

	ck_assert_int_eq(utimensat(AT_FDCWD, fx->path, ts, 0), 0);
	*out = ts[1];
}

/* What rw.c does around a WRITE: begin, the kernel write, end. */
static void do_write(struct smbd_open *op)
{
	struct smbd_wtime_io io = {};

	smbd_wtime_write_begin(op, &io);
	ck_assert_int_eq(pwrite(op->fd, "x", 1, 0), 1);
	smbd_wtime_write_end(op, &io);
}

static struct timespec now_rt(void)
{
	struct timespec t = {};

	clock_gettime(CLOCK_REALTIME, &t);
	return t;
}

/* Turn the loop until the file's hold ends, at most ms. */
static void loop_until_released(struct smbd_open *op, int ms)
{
	struct timespec start = now_rt(), t = {};

	while (smbd_wtime_holding(op)) {
		tevent_loop_once(wgt_ev);
		t = now_rt();
		ck_assert_int_lt((t.tv_sec - start.tv_sec) * 1000 +
				 (t.tv_nsec - start.tv_nsec) / 1000000, ms);
	}
}

START_TEST(test_write_held_then_timer)
{
	struct fixture fx = {};
	struct smbd_open *op = NULL;
	struct timespec old = {}, before = {};

	fx_init(&fx);
	op = fx_open(&fx);
	set_old_mtime(&fx, &old);
	do_write(op);
	ck_assert(smbd_wtime_holding(op));
	ck_assert(ts_eq(mtime_of(&fx), old));
	do_write(op);
	ck_assert(ts_eq(mtime_of(&fx), old));
	/* the delayed update: about SMBD_WTIME_DELAY_MS later */
	before = now_rt();
	loop_until_released(op, SMBD_WTIME_DELAY_MS + 2000);
	ck_assert(ts_gt(mtime_of(&fx), before));
	fx_free(&fx);
}
END_TEST

/* After the delayed update, writes hold until the writer closes. */
START_TEST(test_later_writes_held_until_close)
{
	struct fixture fx = {};
	struct smbd_open *op = NULL, *other = NULL;
	struct timespec old = {}, before = {}, after_timer = {};

	fx_init(&fx);
	op = fx_open(&fx);
	other = fx_open(&fx);
	do_write(op);
	loop_until_released(op, SMBD_WTIME_DELAY_MS + 2000);
	set_old_mtime(&fx, &old);
	do_write(op);
	ck_assert(smbd_wtime_holding(op));
	ck_assert(ts_eq(mtime_of(&fx), old));
	/* an open that did not write in this hold does not end it */
	smbd_wtime_close(other);
	ck_assert(smbd_wtime_holding(op));
	ck_assert(ts_eq(mtime_of(&fx), old));
	before = now_rt();
	smbd_wtime_close(op);
	ck_assert(!smbd_wtime_holding(op));
	after_timer = mtime_of(&fx);
	ck_assert(ts_gt(after_timer, before));
	/* a second close (the destructor) changes nothing */
	smbd_wtime_close(op);
	ck_assert(ts_eq(mtime_of(&fx), after_timer));
	fx_free(&fx);
}
END_TEST

START_TEST(test_flush_ends_hold)
{
	struct fixture fx = {};
	struct smbd_open *op = NULL;
	struct timespec old = {}, before = {};

	fx_init(&fx);
	op = fx_open(&fx);
	set_old_mtime(&fx, &old);
	do_write(op);
	ck_assert(ts_eq(mtime_of(&fx), old));
	before = now_rt();
	smbd_wtime_flush(op);
	ck_assert(!smbd_wtime_holding(op));
	ck_assert(ts_gt(mtime_of(&fx), before));
	fx_free(&fx);
}
END_TEST

/* A time set through an open sticks for its writes and its close. */
START_TEST(test_explicit_time_sticks)
{
	struct fixture fx = {};
	struct smbd_open *op = NULL;
	struct timespec set = {};

	fx_init(&fx);
	op = fx_open(&fx);
	set_old_mtime(&fx, &set);
	smbd_wtime_set_explicit(op);
	do_write(op);
	ck_assert(!smbd_wtime_holding(op));
	ck_assert(ts_eq(mtime_of(&fx), set));
	smbd_wtime_flush(op);
	smbd_wtime_close(op);
	ck_assert(ts_eq(mtime_of(&fx), set));
	fx_free(&fx);
}
END_TEST

/* Another open's explicit time drops the held update: it stands. */
START_TEST(test_explicit_time_drops_other_hold)
{
	struct fixture fx = {};
	struct smbd_open *w = NULL, *s = NULL;
	struct timespec set = {};

	fx_init(&fx);
	w = fx_open(&fx);
	s = fx_open(&fx);
	do_write(w);
	ck_assert(smbd_wtime_holding(w));
	set_old_mtime(&fx, &set);
	smbd_wtime_set_explicit(s);
	ck_assert(!smbd_wtime_holding(w));
	smbd_wtime_close(w);
	ck_assert(ts_eq(mtime_of(&fx), set));
	fx_free(&fx);
}
END_TEST

/* A write that completes after its hold ended leaves the new time. */
START_TEST(test_late_write_end)
{
	struct fixture fx = {};
	struct smbd_open *op = NULL;
	struct smbd_wtime_io io = {};
	struct timespec old = {}, flushed = {};

	fx_init(&fx);
	op = fx_open(&fx);
	set_old_mtime(&fx, &old);
	smbd_wtime_write_begin(op, &io);
	ck_assert(io.restore);
	smbd_wtime_flush(op);		/* the hold ends meanwhile */
	flushed = mtime_of(&fx);
	ck_assert(ts_gt(flushed, old));
	smbd_wtime_write_end(op, &io);
	ck_assert(ts_eq(mtime_of(&fx), flushed));
	/* and one whose open went is ignored */
	smbd_wtime_write_end(NULL, &io);
	fx_free(&fx);
}
END_TEST

/*
 * Writes in flight together: only the last to complete puts the time
 * back (one futimens per write contended for the inode lock with the
 * others' copies); until then the time reads as the kernel moved it.
 */
START_TEST(test_last_write_in_flight_restores)
{
	struct fixture fx = {};
	struct smbd_open *op = NULL;
	struct smbd_wtime_io a = {}, b = {};
	struct timespec old = {};

	fx_init(&fx);
	op = fx_open(&fx);
	set_old_mtime(&fx, &old);
	smbd_wtime_write_begin(op, &a);
	smbd_wtime_write_begin(op, &b);
	ck_assert(a.restore && b.restore);
	ck_assert_int_eq(pwrite(op->fd, "x", 1, 0), 1);
	ck_assert_int_eq(pwrite(op->fd, "y", 1, 1), 1);
	smbd_wtime_write_end(op, &a);
	ck_assert(ts_gt(mtime_of(&fx), old));	/* b still in flight */
	smbd_wtime_write_end(op, &b);
	ck_assert(ts_eq(mtime_of(&fx), old));
	/* and the next write alone puts it back at once, as before */
	do_write(op);
	ck_assert(ts_eq(mtime_of(&fx), old));
	ck_assert(smbd_wtime_holding(op));
	fx_free(&fx);
}
END_TEST

/* An open freed without CLOSE (logoff, disconnect) ends its hold. */
START_TEST(test_destructor_ends_hold)
{
	struct fixture fx = {};
	struct smbd_open *op = NULL, *other = NULL;
	struct timespec old = {}, before = {};

	fx_init(&fx);
	op = fx_open(&fx);
	other = fx_open(&fx);
	set_old_mtime(&fx, &old);
	do_write(op);
	ck_assert(ts_eq(mtime_of(&fx), old));
	before = now_rt();
	talloc_free(op);
	ck_assert(!smbd_wtime_holding(other));
	ck_assert(ts_gt(mtime_of(&fx), before));
	fx_free(&fx);
}
END_TEST

static Suite *wtime_suite(void)
{
	Suite *s = suite_create("wtime");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_write_held_then_timer);
	tcase_add_test(tc, test_later_writes_held_until_close);
	tcase_add_test(tc, test_flush_ends_hold);
	tcase_add_test(tc, test_explicit_time_sticks);
	tcase_add_test(tc, test_explicit_time_drops_other_hold);
	tcase_add_test(tc, test_late_write_end);
	tcase_add_test(tc, test_last_write_in_flight_restores);
	tcase_add_test(tc, test_destructor_ends_hold);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(wtime_suite)
