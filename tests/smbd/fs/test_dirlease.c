/*
 * test_dirlease.c - directory leases (smbd/fs/dirlease.c): the parent of
 * a path, the SET_INFO classes that change a listing, and breaks on fake
 * files and opens: a change in the directory breaks its RH lease to none
 * (acknowledged, holding up only an open the share modes refuse) and
 * its R lease at once, never a lease named as the change's parent key,
 * never a directory elsewhere or on another share.
 */
#include <string.h>

#include "tests/wgtest.h"
#include "smbd/fs/dirlease.h"
#include "smbd/fs/lease.h"
#include "proto/fscc.h"

#define R	SMB2_LEASE_READ
#define H	SMB2_LEASE_HANDLE
#define W	SMB2_LEASE_WRITE
#define ACK	SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED

START_TEST(test_parent_len)
{
	static const struct {
		const char *path;
		bool ok;
		size_t len;
	} t[] = {
		{ "", false, 0 }, { "a.txt", true, 0 }, { "d/a.txt", true, 1 },
		{ "dir/sub/x", true, 7 }, { "dir/sub", true, 3 },
	};
	size_t i = 0;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		size_t len = 99;

		ck_assert_msg(smbd_dirlease_parent_len(t[i].path, &len) ==
			      t[i].ok, "row %zu", i);
		if (t[i].ok) {
			ck_assert_msg(len == t[i].len, "row %zu", i);
		}
	}
	ck_assert(!smbd_dirlease_parent_len(NULL, NULL));
}
END_TEST

START_TEST(test_setinfo_classes)
{
	ck_assert(smbd_dirlease_setinfo_changes(FileBasicInformation));
	ck_assert(smbd_dirlease_setinfo_changes(FileEndOfFileInformation));
	ck_assert(smbd_dirlease_setinfo_changes(FileAllocationInformation));
	ck_assert(!smbd_dirlease_setinfo_changes(FilePositionInformation));
	ck_assert(!smbd_dirlease_setinfo_changes(FileModeInformation));
	ck_assert(!smbd_dirlease_setinfo_changes(FileDispositionInformation));
	/* a rename is told apart (both directories) */
	ck_assert(!smbd_dirlease_setinfo_changes(FileRenameInformation));
}
END_TEST

/* ---- breaks ---- */

static struct smb2_lease_break sent[16];
static size_t nsent;

static void fake_send_break(struct smbd_open *op, uint8_t level)
{
	(void)op;
	(void)level;
	ck_abort_msg("an oplock break from a directory lease");
}

static void fake_send_lease_break(struct smbd_conn *conn,
				  struct smbd_open *op,
				  const struct smb2_lease_break *b)
{
	(void)conn;
	(void)op;
	ck_assert_uint_lt(nsent, ARRAY_SIZE(sent));
	sent[nsent++] = *b;
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
	struct smbd_tree *tree;		/* share /srv/s */
	struct smbd_tree *tree2;	/* share /srv/t */
};

static struct smbd_tree *tree_new(struct world *w, const char *share_path)
{
	struct smbd_session *sess = talloc_zero(w->conn, struct smbd_session);
	struct smbd_tree *t = talloc_zero(sess, struct smbd_tree);
	struct wg_share_cfg *share = talloc_zero(t, struct wg_share_cfg);

	sess->conn = w->conn;
	share->path = talloc_strdup(share, share_path);
	t->sess = sess;
	t->share = share;
	return t;
}

static void world_init(struct world *w)
{
	w->srv = talloc_zero(wgt_root, struct smbd_server);
	w->srv->ev = wgt_ev;
	w->srv->cfg = talloc_zero(w->srv, struct wg_config);
	w->srv->cfg->oplock_break_timeout_ms = 60000;
	w->srv->oplock_up = &fake_up;
	w->conn = talloc_zero(w->srv, struct smbd_conn);
	w->conn->srv = w->srv;
	w->conn->state = SMBD_CONN_ACTIVE;
	memcpy(w->conn->client_guid, guid_a, 16);
	strcpy(w->conn->peer_addr, "127.0.0.2");
	w->tree = tree_new(w, "/srv/s");
	w->tree2 = tree_new(w, "/srv/t");
	nsent = 0;
}

/* A file on the server's list, with one open of path on t. */
static struct smbd_open *open_new(struct world *w, struct smbd_tree *t,
				  const char *path, bool is_dir)
{
	struct smbd_file *f = talloc_zero(w->srv, struct smbd_file);
	struct smbd_open *op = talloc_zero(t, struct smbd_open);

	f->srv = w->srv;
	f->opens = talloc_array(f, struct smbd_open *, 4);
	f->next = w->srv->files;
	if (f->next != NULL) {
		f->next->prev = f;
	}
	w->srv->files = f;
	op->tree = t;
	op->file = f;
	op->is_dir = is_dir;
	op->access = FILE_READ_DATA;
	op->path = talloc_strdup(op, path);
	f->opens[f->nopens++] = op;
	return op;
}

static void open_drop(struct world *w, struct smbd_open *op)
{
	struct smbd_file *f = op->file;

	smbd_lease_release(op);
	talloc_free(op);
	if (f->prev != NULL) {
		f->prev->next = f->next;
	} else {
		w->srv->files = f->next;
	}
	if (f->next != NULL) {
		f->next->prev = f->prev;
	}
	talloc_free(f);
}

static uint32_t lease_ask(struct smbd_open *op, const uint8_t *guid,
			  const uint8_t *key, uint32_t state)
{
	struct smb2_lease req = { .version = 2, .state = state };
	struct smb2_lease resp;

	memcpy(req.key, key, 16);
	ck_assert_uint_eq(smbd_lease_open(op, guid, &req, &resp),
			  NT_STATUS_OK);
	return resp.state;
}

START_TEST(test_breaks)
{
	struct world w;
	struct smbd_open *d = NULL, *d2 = NULL, *other = NULL;

	world_init(&w);
	/* no lease anywhere: nothing to look at */
	smbd_dirlease_break_parent(w.srv, "/srv/s", "sub/x", guid_b, NULL);
	d = open_new(&w, w.tree, "sub", true);
	ck_assert_uint_eq(lease_ask(d, guid_a, key1, R | H | W), R | H);
	other = open_new(&w, w.tree, "sub2", true);
	ck_assert_uint_eq(lease_ask(other, guid_a, key2, R), R);
	/* the same name on another share; the directory itself; a name
	 * deeper down; the share root: no break */
	smbd_dirlease_break_parent(w.srv, "/srv/t", "sub/x", guid_b, NULL);
	smbd_dirlease_break_parent(w.srv, "/srv/s", "sub", guid_b, NULL);
	smbd_dirlease_break_parent(w.srv, "/srv/s", "sub/deep/x", guid_b,
				   NULL);
	smbd_dirlease_break_parent(w.srv, "/srv/s", "", guid_b, NULL);
	ck_assert_uint_eq(nsent, 0);
	/* a change with the lease's key as parent key leaves it; the same
	 * key from another client does not */
	smbd_dirlease_break_parent(w.srv, "/srv/s", "sub/x", guid_a, key1);
	ck_assert_uint_eq(nsent, 0);
	smbd_dirlease_break_parent(w.srv, "/srv/s", "sub/x", guid_b, key1);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_mem_eq(sent[0].key, key1, 16);
	ck_assert_uint_eq(sent[0].current, R | H);
	ck_assert_uint_eq(sent[0].new_state, 0);
	ck_assert_uint_eq(sent[0].flags, ACK);
	ck_assert_uint_eq(sent[0].epoch, 2);
	/* the break holds up nobody, not even opens of the directory ... */
	ck_assert(!smbd_lease_breaking(d->file));
	/* ... but one the share modes refuse, which waits for H to go */
	ck_assert(smbd_lease_break_file(d->file, NULL, NULL,
					SMBD_OPLOCK_OP_SHARE, false));
	ck_assert(smbd_lease_breaking(d->file));
	/* a second change during the break: no second notification */
	smbd_dirlease_break_parent(w.srv, "/srv/s", "sub/y", guid_b, NULL);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(smbd_lease_ack(w.srv, guid_a, key1, 0),
			  NT_STATUS_OK);
	ck_assert_uint_eq(smbd_lease_state(d), 0);
	/* an R lease goes at once, no acknowledgment */
	smbd_dirlease_break_parent(w.srv, "/srv/s", "sub2/z", guid_a, NULL);
	ck_assert_uint_eq(nsent, 2);
	ck_assert_uint_eq(sent[1].flags, 0);
	ck_assert_uint_eq(smbd_lease_state(other), 0);
	ck_assert(!smbd_lease_breaking(other->file));
	/* the root directory of a share: names at its top */
	d2 = open_new(&w, w.tree2, "", true);
	ck_assert_uint_eq(lease_ask(d2, guid_b, key1, R | H), R | H);
	smbd_dirlease_break_parent(w.srv, "/srv/t", "top.txt", guid_a, NULL);
	ck_assert_uint_eq(nsent, 3);
	ck_assert_uint_eq(sent[2].current, R | H);
	open_drop(&w, d2);
	open_drop(&w, other);
	open_drop(&w, d);
	ck_assert_ptr_null(w.srv->leases);
	ck_assert_uint_eq(w.conn->noplock_breaks, 0);
	talloc_free(w.srv);
}
END_TEST

START_TEST(test_changed_by_open)
{
	struct world w;
	struct smbd_open *d = NULL, *f = NULL;

	world_init(&w);
	d = open_new(&w, w.tree, "sub", true);
	ck_assert_uint_eq(lease_ask(d, guid_a, key1, R | H), R | H);
	/* a file opened with key1 as its parent lease key */
	f = open_new(&w, w.tree, "sub/f.txt", false);
	{
		struct smb2_lease req = { .version = 2, .state = R | H | W };
		struct smb2_lease resp;

		memcpy(req.key, key2, 16);
		memcpy(req.parent_key, key1, 16);
		req.flags = SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET;
		ck_assert_uint_eq(smbd_lease_open(f, guid_a, &req, &resp),
				  NT_STATUS_OK);
		ck_assert_mem_eq(smbd_lease_parent_key(f), key1, 16);
	}
	ck_assert_ptr_null(smbd_lease_parent_key(d));
	/* its size, a rename within: exempt */
	smbd_dirlease_set_info(f, FileEndOfFileInformation, NULL);
	smbd_dirlease_set_info(f, FileRenameInformation, "sub/old.txt");
	ck_assert_uint_eq(nsent, 0);
	/* position: no change; written and closed, without the key: break */
	smbd_dirlease_set_info(f, FilePositionInformation, NULL);
	ck_assert_uint_eq(nsent, 0);
	smbd_dirlease_changed(f, NULL, NULL);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(sent[0].new_state, 0);
	open_drop(&w, f);
	open_drop(&w, d);
	talloc_free(w.srv);
}
END_TEST

static Suite *dirlease_suite(void)
{
	Suite *s = suite_create("dirlease");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_parent_len);
	tcase_add_test(tc, test_setinfo_classes);
	tcase_add_test(tc, test_breaks);
	tcase_add_test(tc, test_changed_by_open);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(dirlease_suite)
