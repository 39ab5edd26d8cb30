/*
 * test_open.c - the open registry (smbd/fs/open.c): attachments run in
 * their stages' order when an open goes, whichever order they were made
 * in; one freed by its holder first is not run; delete on close skips the
 * KEPT stage and tells the file's other opens; a create-time delete on
 * close outlives a disposition cleared through its own open and a
 * directory that is not empty stays (MS-FSA); the walks filter by share
 * path, tree and "except", stop when asked, and a rename moves exactly
 * the subtree; an overwrite's attribute check and set read the stored
 * attributes once and use the stat the caller holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/wgtest.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/open.h"
#include "smbd/fs/openpath.h"

/* ---- a server with one session and trees on fake shares ---- */

struct fixture {
	struct smbd_server *srv;
	struct smbd_conn *conn;
	struct smbd_session *sess;
	struct wg_share_cfg share[2];
};

static void fx_init(struct fixture *fx)
{
	fx->srv = talloc_zero(wgt_root, struct smbd_server);
	ck_assert_ptr_nonnull(fx->srv);
	fx->conn = talloc_zero(fx->srv, struct smbd_conn);
	ck_assert_ptr_nonnull(fx->conn);
	fx->conn->srv = fx->srv;
	fx->sess = talloc_zero(fx->conn, struct smbd_session);
	ck_assert_ptr_nonnull(fx->sess);
	fx->sess->conn = fx->conn;
	fx->srv->sessions = fx->sess;
	fx->share[0] = (struct wg_share_cfg) {
		.name = "one", .path = "/srv/one", .type = WG_SHARE_DISK,
	};
	fx->share[1] = (struct wg_share_cfg) {
		.name = "two", .path = "/srv/two", .type = WG_SHARE_DISK,
	};
}

/* Opens first, as a server ends its connections before itself. */
static void fx_free(struct fixture *fx)
{
	talloc_free(fx->conn);
	talloc_free(fx->srv);
}

static struct smbd_tree *fx_tree(struct fixture *fx, int share, int root_fd)
{
	struct smbd_tree *t = talloc_zero(fx->sess, struct smbd_tree);

	ck_assert_ptr_nonnull(t);
	t->sess = fx->sess;
	t->share = &fx->share[share];
	t->root_fd = root_fd;
	t->next = fx->sess->trees;
	fx->sess->trees = t;
	return t;
}

/* A registered open of path; on inode ino of device 1 if ino != 0. */
static struct smbd_open *fx_open(struct fixture *fx, struct smbd_tree *t,
				 const char *path, ino_t ino)
{
	struct smbd_open *op = talloc_zero(t, struct smbd_open);
	struct stat st = {};

	ck_assert_ptr_nonnull(op);
	op->fd = -1;
	op->path = talloc_strdup(op, path);
	ck_assert_int_eq(smbd_open_register(t, op), 0);
	if (ino != 0) {
		st.st_dev = 1;
		st.st_ino = ino;
		ck_assert_int_eq(smbd_file_attach(fx->srv, op, &st), 0);
	}
	return op;
}

/* ---- a log of callbacks ---- */

static char cb_log[256];

static void log_add(const char *what, void *priv)
{
	size_t n = strlen(cb_log);

	snprintf(cb_log + n, sizeof(cb_log) - n, "%s%s:%s",
		 n > 0 ? " " : "", what, (const char *)priv);
}

static void cb_close(struct smbd_open *op, void *priv)
{
	log_add("close", priv);
}

static void cb_delete_pending(struct smbd_open *op, void *priv)
{
	log_add("dp", priv);
}

static const struct smbd_open_att_ops log_ops = {
	.close = cb_close,
	.delete_pending = cb_delete_pending,
};

/* Like CHANGE_NOTIFY's link: the callback frees the attachment's parent. */
static void cb_close_free_parent(struct smbd_open *op, void *priv)
{
	TALLOC_CTX *parent = priv;

	log_add("close", "parent");
	talloc_free(parent);
}

static const struct smbd_open_att_ops free_parent_ops = {
	.close = cb_close_free_parent,
};

/* ---- tests ---- */

START_TEST(test_stage_order)
{
	struct fixture fx = {};
	struct smbd_tree *t = NULL;
	struct smbd_open *op = NULL;
	TALLOC_CTX *holder = NULL;

	fx_init(&fx);
	t = fx_tree(&fx, 0, 0);
	op = fx_open(&fx, t, "f", 7);
	cb_log[0] = '\0';
	/* made in the reverse of the order they must run in */
	ck_assert_ptr_nonnull(smbd_open_attach(op, op, SMBD_OPEN_STAGE_KEPT,
					       &log_ops, "print"));
	ck_assert_ptr_nonnull(smbd_open_attach(op, op, SMBD_OPEN_STAGE_LOCKS,
					       &log_ops, "locks"));
	ck_assert_ptr_nonnull(smbd_open_attach(op, op,
					       SMBD_OPEN_STAGE_REQUESTS,
					       &log_ops, "notify1"));
	holder = talloc_new(wgt_root);
	ck_assert_ptr_nonnull(smbd_open_attach(holder, op,
					       SMBD_OPEN_STAGE_REQUESTS,
					       &free_parent_ops, holder));
	ck_assert_ptr_nonnull(smbd_open_attach(op, op,
					       SMBD_OPEN_STAGE_REQUESTS,
					       &log_ops, "notify2"));
	ck_assert_ptr_eq(smbd_open_att_priv(smbd_open_att_find(op,
							       &log_ops)),
			 "print");
	talloc_free(op);
	ck_assert_str_eq(cb_log, "close:notify1 close:parent close:notify2 "
				 "close:locks close:print");
	ck_assert_ptr_null(fx.srv->files);
	ck_assert_uint_eq(fx.sess->nopens, 0);
	fx_free(&fx);
}
END_TEST

START_TEST(test_holder_frees_first)
{
	struct fixture fx = {};
	struct smbd_tree *t = NULL;
	struct smbd_open *op = NULL;
	TALLOC_CTX *holder = talloc_new(wgt_root);
	struct smbd_open_att *a = NULL;

	fx_init(&fx);
	t = fx_tree(&fx, 0, 0);
	op = fx_open(&fx, t, "f", 7);
	cb_log[0] = '\0';
	a = smbd_open_attach(holder, op, SMBD_OPEN_STAGE_REQUESTS, &log_ops,
			     "gone");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(smbd_open_attach(op, op, SMBD_OPEN_STAGE_LOCKS,
					       &log_ops, "kept"));
	talloc_free(holder);	/* the request ended before the open */
	ck_assert_ptr_eq(smbd_open_att_priv(smbd_open_att_find(op,
							       &log_ops)),
			 "kept");
	talloc_free(op);
	ck_assert_str_eq(cb_log, "close:kept");
	fx_free(&fx);
}
END_TEST

START_TEST(test_delete_on_close)
{
	struct fixture fx = {};
	char dir[] = "/tmp/wgtest-open-XXXXXX";
	struct smbd_tree *t = NULL;
	struct smbd_open *a = NULL, *b = NULL;
	struct stat st = {};
	char file[64];
	int root = -1, fd = -1;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	root = open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(root, 0);
	snprintf(file, sizeof(file), "%s/f", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	close(fd);
	fx_init(&fx);
	t = fx_tree(&fx, 0, root);
	a = fx_open(&fx, t, "f", 0);
	b = fx_open(&fx, t, "f", 0);
	ck_assert_int_eq(smbd_file_attach(fx.srv, a, &st), 0);
	ck_assert_int_eq(smbd_file_attach(fx.srv, b, &st), 0);
	ck_assert_ptr_eq(a->file, b->file);
	ck_assert_ptr_nonnull(smbd_open_attach(a, a, SMBD_OPEN_STAGE_KEPT,
					       &log_ops, "a"));
	ck_assert_ptr_nonnull(smbd_open_attach(b, b, SMBD_OPEN_STAGE_KEPT,
					       &log_ops, "b"));
	cb_log[0] = '\0';
	/*
	 * a closes with delete on close: every open of the file hears of it
	 * (a too: it is still one of the file's opens), and a's file stays
	 */
	a->delete_on_close = true;
	talloc_free(a);
	ck_assert_str_eq(cb_log, "dp:a dp:b close:a");
	ck_assert(b->file->delete_pending);
	ck_assert_int_eq(fstatat(root, "f", &st, 0), 0);
	/* b is the last: the file goes and the KEPT stage does not run */
	cb_log[0] = '\0';
	talloc_free(b);
	ck_assert_str_eq(cb_log, "");
	ck_assert_int_ne(fstatat(root, "f", &st, 0), 0);
	close(root);
	rmdir(dir);
	fx_free(&fx);
}
END_TEST

/* An open of root/path on its own fd, with DELETE access. */
static struct smbd_open *fx_open_fd(struct fixture *fx, struct smbd_tree *t,
				    int root, const char *path, bool dir)
{
	struct smbd_open *op = fx_open(fx, t, path, 0);
	struct stat st;

	op->fd = openat(root, path, dir ? O_RDONLY | O_DIRECTORY : O_RDWR);
	ck_assert_int_ge(op->fd, 0);
	ck_assert_int_eq(fstat(op->fd, &st), 0);
	op->is_dir = dir;
	op->access = SEC_STD_DELETE;
	ck_assert_int_eq(smbd_file_attach(fx->srv, op, &st), 0);
	return op;
}

/*
 * Disposition FALSE clears the file's mark, not the open's create-time
 * delete on close [MS-FSA §2.1.5.15.3, §2.1.5.5]: that open's close
 * marks the file again (smbtorture base.delete.deltest17f), and alone
 * it deletes it (deltest24).
 */
START_TEST(test_doc_outlives_disposition_false)
{
	struct fixture fx = {};
	char dir[] = "/tmp/wgtest-open-XXXXXX";
	struct smbd_tree *t = NULL;
	struct smbd_open *a = NULL, *b = NULL;
	struct stat st;
	int root = -1;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	root = open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(root, 0);
	close(openat(root, "f", O_CREAT | O_WRONLY, 0644));
	fx_init(&fx);
	t = fx_tree(&fx, 0, root);
	a = fx_open_fd(&fx, t, root, "f", false);
	b = fx_open_fd(&fx, t, root, "f", false);
	a->delete_on_close = true;
	ck_assert_int_eq(smbd_open_set_delete_pending(b, true), 0);
	ck_assert(a->file->delete_pending);
	ck_assert_int_eq(smbd_open_set_delete_pending(a, false), 0);
	ck_assert(!a->file->delete_pending);
	ck_assert(a->delete_on_close);
	/* a goes first: its own delete on close marks the file again */
	talloc_free(a);
	ck_assert(b->file->delete_pending);
	ck_assert_int_eq(fstatat(root, "f", &st, 0), 0);
	talloc_free(b);
	ck_assert_int_ne(fstatat(root, "f", &st, 0), 0);

	/* alone: cleared, and still deleted at its close */
	close(openat(root, "f", O_CREAT | O_WRONLY, 0644));
	a = fx_open_fd(&fx, t, root, "f", false);
	a->delete_on_close = true;
	ck_assert_int_eq(smbd_open_set_delete_pending(a, false), 0);
	ck_assert(smbd_open_will_unlink(a));
	talloc_free(a);
	ck_assert_int_ne(fstatat(root, "f", &st, 0), 0);
	close(root);
	rmdir(dir);
	fx_free(&fx);
}
END_TEST

/*
 * A directory that is not empty: delete on close is accepted at the
 * open [MS-FSA §2.1.5.1.2.1] and the close keeps the directory without
 * marking it (§2.1.5.5 phase 1, raw.unlink.delete_on_close,
 * base.delete.deltest20c); the disposition is refused (§2.1.5.15.3).
 * Empty, it goes.
 */
START_TEST(test_doc_dir_not_empty)
{
	struct fixture fx = {};
	char dir[] = "/tmp/wgtest-open-XXXXXX";
	struct smbd_tree *t = NULL;
	struct smbd_open *a = NULL, *b = NULL;
	struct stat st;
	int root = -1;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	root = open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(root, 0);
	ck_assert_int_eq(mkdirat(root, "d", 0755), 0);
	close(openat(root, "d/f", O_CREAT | O_WRONLY, 0644));
	ck_assert_int_eq(fstatat(root, "d", &st, 0), 0);
	ck_assert_int_eq(smbd_create_check_doc(SEC_STD_DELETE, &st,
					       "d"), 0);
	fx_init(&fx);
	t = fx_tree(&fx, 0, root);
	a = fx_open_fd(&fx, t, root, "d", true);
	b = fx_open_fd(&fx, t, root, "d", true);
	a->delete_on_close = true;
	ck_assert_int_eq(smbd_open_set_delete_pending(b, true),
			 NT_STATUS_DIRECTORY_NOT_EMPTY);
	ck_assert(!smbd_open_will_unlink(b));
	talloc_free(a);
	ck_assert(!b->file->delete_pending);
	talloc_free(b);
	ck_assert_int_eq(fstatat(root, "d", &st, 0), 0);

	/* emptied, the same close removes it */
	ck_assert_int_eq(unlinkat(root, "d/f", 0), 0);
	a = fx_open_fd(&fx, t, root, "d", true);
	a->delete_on_close = true;
	ck_assert(smbd_open_will_unlink(a));
	talloc_free(a);
	ck_assert_int_ne(fstatat(root, "d", &st, 0), 0);
	close(root);
	rmdir(dir);
	fx_free(&fx);
}
END_TEST

static int collect(struct smbd_open *op, void *priv)
{
	log_add(op->tree->share->name, op->path);
	return 0;
}

static int stop_at_b(struct smbd_open *op, void *priv)
{
	log_add("saw", op->path);
	return strcmp(op->path, "b") == 0 ? 42 : 0;
}

START_TEST(test_walks_and_rename)
{
	struct fixture fx = {};
	struct smbd_tree *t1 = NULL, *t2 = NULL, *ipc = NULL;
	struct smbd_open *self = NULL;
	struct smbd_opens_filter f = {};

	fx_init(&fx);
	ipc = fx_tree(&fx, 0, -1);	/* no root: never a disk share */
	t2 = fx_tree(&fx, 1, 0);
	t1 = fx_tree(&fx, 0, 0);
	/* opens list newest first */
	fx_open(&fx, ipc, "d", 0);
	fx_open(&fx, t2, "d/x", 0);
	fx_open(&fx, t1, "e", 0);
	fx_open(&fx, t1, "dx", 0);
	fx_open(&fx, t1, "d/x/y", 0);
	self = fx_open(&fx, t1, "d", 0);

	cb_log[0] = '\0';
	f.share_path = "/srv/one";
	f.except = self;
	ck_assert_int_eq(smbd_opens_foreach(fx.srv, &f, collect, NULL), 0);
	ck_assert_str_eq(cb_log, "one:d/x/y one:dx one:e");

	cb_log[0] = '\0';
	ck_assert_int_eq(smbd_opens_foreach(fx.srv, NULL, collect, NULL), 0);
	ck_assert_str_eq(cb_log, "one:d one:d/x/y one:dx one:e two:d/x one:d");

	cb_log[0] = '\0';
	f = (struct smbd_opens_filter) { .tree = t2 };
	ck_assert_int_eq(smbd_opens_foreach(fx.srv, &f, collect, NULL), 0);
	ck_assert_str_eq(cb_log, "two:d/x");

	smbd_opens_rename_subtree(fx.srv, "/srv/one", "d", "n/m");
	cb_log[0] = '\0';
	ck_assert_int_eq(smbd_opens_foreach(fx.srv, NULL, collect, NULL), 0);
	ck_assert_str_eq(cb_log,
			 "one:n/m one:n/m/x/y one:dx one:e two:d/x one:d");

	cb_log[0] = '\0';
	fx_open(&fx, t1, "b", 0);
	fx_open(&fx, t1, "a", 0);
	ck_assert_int_eq(smbd_opens_foreach(fx.srv, NULL, stop_at_b, NULL),
			 42);
	ck_assert_str_eq(cb_log, "saw:a saw:b");
	fx_free(&fx);
}
END_TEST

/*
 * Overwrite of a file with attributes stored: HIDDEN not asked again is
 * refused; what the check read says "stored", and the set then replaces
 * them and takes READONLY's mode from the stat the caller passes (not a
 * stat of its own: the one given differs from the file's). A file with
 * nothing stored and only ARCHIVE asked keeps nothing stored.
 */
START_TEST(test_overwrite_attrs)
{
	char path[] = "/tmp/test_open.XXXXXX";
	uint32_t hidden = FILE_ATTRIBUTE_HIDDEN;
	struct smbd_stat sx = {};
	struct stat st = {};
	bool stored = true;
	int fd = mkstemp(path);
	int ret = 0;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fchmod(fd, 0644), 0);
	/* nothing stored */
	ck_assert_uint_eq(smbd_overwrite_check_attrs(fd, FILE_ATTRIBUTE_NORMAL,
						     &stored), NT_STATUS_OK);
	ck_assert(!stored);
	ck_assert_int_eq(fstat(fd, &st), 0);
	smbd_overwrite_set_attrs(fd, &st, stored, FILE_ATTRIBUTE_NORMAL);
	ck_assert_int_eq(smbd_stat_fd(fd, &sx), 0);
	ck_assert(!sx.have_attrs);
	ck_assert_uint_eq(sx.st.st_mode & 07777, 0644);

	ret = smbd_store_dos_info(fd, NULL, &hidden);
	if (ret == -ENOTSUP || ret == -EOPNOTSUPP) {
		close(fd);
		unlink(path);
		return;		/* no user xattrs on this /tmp */
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(smbd_overwrite_check_attrs(fd, FILE_ATTRIBUTE_NORMAL,
						     &stored),
			  NT_STATUS_ACCESS_DENIED);
	ck_assert(stored);
	stored = false;
	ck_assert_uint_eq(smbd_overwrite_check_attrs(fd, FILE_ATTRIBUTE_HIDDEN,
						     &stored), NT_STATUS_OK);
	ck_assert(stored);

	ck_assert_int_eq(fstat(fd, &st), 0);
	st.st_mode = (st.st_mode & ~(mode_t)07777) | 0640;
	smbd_overwrite_set_attrs(fd, &st, stored, FILE_ATTRIBUTE_READONLY);
	ck_assert_int_eq(smbd_stat_fd(fd, &sx), 0);
	ck_assert(sx.have_attrs);
	ck_assert_uint_eq(sx.stored_attrs, FILE_ATTRIBUTE_ARCHIVE);
	ck_assert_uint_eq(sx.st.st_mode & 07777, 0440);
	close(fd);
	unlink(path);
}
END_TEST

static Suite *open_suite(void)
{
	Suite *s = suite_create("open");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_stage_order);
	tcase_add_test(tc, test_holder_frees_first);
	tcase_add_test(tc, test_delete_on_close);
	tcase_add_test(tc, test_doc_outlives_disposition_false);
	tcase_add_test(tc, test_doc_dir_not_empty);
	tcase_add_test(tc, test_walks_and_rename);
	tcase_add_test(tc, test_overwrite_attrs);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(open_suite)
