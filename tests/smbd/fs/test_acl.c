/*
 * test_acl.c - the stored form of security descriptors (smbd/fs/acl.c):
 * round trip, another version, truncation at every byte; the xattr store
 * and the inherited descriptor of objects without one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "tests/wgtest.h"
#include "smbd/fs/acl.h"
#include "smbd/fs/open.h"
#include "smbd/smbd.h"

#define SDDL_PRIVATE "O:S-1-5-21-1-2-3-1000G:S-1-5-21-1-2-3-513" \
		     "D:P(A;OICI;FA;;;S-1-5-21-1-2-3-1000)" \
		     "(D;;0x1;;;S-1-5-21-1-2-3-1001)"

static struct sec_desc *sddl(TALLOC_CTX *mem, const char *text)
{
	struct sec_desc *sd = NULL;

	ck_assert_int_eq(sd_from_sddl(mem, text, &sd, NULL), 0);
	return sd;
}

/* The descriptor cache a loop would have (made on first use, kept). */
static struct smbd_acl_cache *tcache(void)
{
	static struct smbd_acl_cache *c;

	if (c == NULL) {
		c = smbd_acl_cache_new(NULL);
		ck_assert_ptr_nonnull(c);
	}
	return c;
}

START_TEST(test_blob_roundtrip)
{
	struct sec_desc *sd = sddl(wgt_root, SDDL_PRIVATE);
	struct sec_desc *back = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;

	ck_assert_int_eq(smbd_acl_blob_pack(wgt_root, sd, &buf, &len), 0);
	ck_assert_uint_gt(len, 1);
	ck_assert_uint_eq(buf[0], SMBD_ACL_BLOB_VERSION);
	ck_assert_int_eq(smbd_acl_blob_unpack(wgt_root, buf, len, &back), 0);
	ck_assert(sd_equal(sd, back));
	talloc_free(back);
	talloc_free(buf);
	talloc_free(sd);
}
END_TEST

START_TEST(test_blob_sacl_and_null_dacl)
{
	/* a NULL DACL stays NULL (not empty), a SACL is kept */
	struct sec_desc *sd = sddl(wgt_root, "O:BAG:BUD:NO_ACCESS_CONTROL"
				   "S:(AU;SA;FA;;;WD)");
	struct sec_desc *back = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;

	ck_assert_int_eq(smbd_acl_blob_pack(wgt_root, sd, &buf, &len), 0);
	ck_assert_int_eq(smbd_acl_blob_unpack(wgt_root, buf, len, &back), 0);
	ck_assert(sd_equal(sd, back));
	ck_assert_ptr_null(back->dacl);
	ck_assert(back->control & SEC_DESC_DACL_PRESENT);
	ck_assert_ptr_nonnull(back->sacl);
	talloc_free(back);
	talloc_free(buf);
	talloc_free(sd);
}
END_TEST

START_TEST(test_blob_bad_version)
{
	struct sec_desc *sd = sddl(wgt_root, SDDL_PRIVATE);
	struct sec_desc *back = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;

	ck_assert_int_eq(smbd_acl_blob_pack(wgt_root, sd, &buf, &len), 0);
	buf[0] = 2;
	ck_assert_int_eq(smbd_acl_blob_unpack(wgt_root, buf, len, &back),
			 WIRE_E_UNSUPPORTED);
	buf[0] = 0;
	ck_assert_int_eq(smbd_acl_blob_unpack(wgt_root, buf, len, &back),
			 WIRE_E_UNSUPPORTED);
	ck_assert_ptr_null(back);
	talloc_free(buf);
	talloc_free(sd);
}
END_TEST

START_TEST(test_blob_truncated)
{
	struct sec_desc *sd = sddl(wgt_root, SDDL_PRIVATE);
	struct sec_desc *back = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;

	ck_assert_int_eq(smbd_acl_blob_pack(wgt_root, sd, &buf, &len), 0);
	ck_assert_int_eq(smbd_acl_blob_unpack(wgt_root, buf, 0, &back),
			 WIRE_E_SHORT);
	/* every cut is refused: the SIDs come last in the layout */
	for (size_t n = 1; n < len; n++) {
		ck_assert_int_ne(smbd_acl_blob_unpack(wgt_root, buf, n, &back),
				 0);
		ck_assert_ptr_null(back);
	}
	talloc_free(buf);
	talloc_free(sd);
}
END_TEST

START_TEST(test_root_default)
{
	struct sec_desc *sd = smbd_acl_root_default(wgt_root);
	char *text = NULL;

	ck_assert_ptr_nonnull(sd);
	text = sd_to_sddl(wgt_root, sd);
	ck_assert_str_eq(text, "O:BAG:BUD:AI(A;OICI;FA;;;WD)");
	talloc_free(text);
	talloc_free(sd);
}
END_TEST

/* Made once and unpacked from then on: each call still gives its own
 * copy, the same on the wire as the SDDL parsed afresh. */
START_TEST(test_root_default_copies)
{
	struct sec_desc *a = smbd_acl_root_default(wgt_root);
	struct sec_desc *b = smbd_acl_root_default(wgt_root);
	struct sec_desc *ref = sddl(wgt_root, "O:BAG:BUD:AI(A;OICI;FA;;;WD)");
	uint8_t *ba = NULL, *bref = NULL;
	size_t la = 0, lref = 0;
	char *text = NULL;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(a, b);
	ck_assert_int_eq(smbd_acl_blob_pack(wgt_root, a, &ba, &la), 0);
	ck_assert_int_eq(smbd_acl_blob_pack(wgt_root, ref, &bref, &lref), 0);
	ck_assert_uint_eq(la, lref);
	ck_assert_mem_eq(ba, bref, la);
	ck_assert_uint_eq(a->control, ref->control);
	talloc_free(a);
	talloc_free(ba);
	talloc_free(bref);
	talloc_free(ref);
	text = sd_to_sddl(wgt_root, b);
	ck_assert_str_eq(text, "O:BAG:BUD:AI(A;OICI;FA;;;WD)");
	talloc_free(text);
	talloc_free(b);
}
END_TEST

/*
 * A tree root/a/b where only a has a descriptor: b inherits from a
 * (with a's owner), a's sibling c from the root default; the store
 * reads back what was written.
 */
START_TEST(test_store_and_inherit)
{
	char dir[] = "/tmp/test_acl.XXXXXX";
	char path[128];
	struct sec_desc *priv = sddl(wgt_root, SDDL_PRIVATE);
	struct sec_desc *got = NULL;
	char *text = NULL;
	int root = -1, fd = -1, rc = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/a/b", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/c", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	root = open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(root, 0);

	snprintf(path, sizeof(path), "%s/a", dir);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(smbd_acl_read_fd(wgt_root, fd, &got), -ENODATA);
	rc = smbd_acl_write_fd(fd, priv);
	if (rc == -ENOTSUP) {
		goto out;	/* no user xattrs on this /tmp */
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(smbd_acl_read_fd(wgt_root, fd, &got), 0);
	ck_assert(sd_equal(got, priv));
	TALLOC_FREE(got);

	ck_assert_int_eq(smbd_acl_effective(wgt_root, tcache(), root, "a/b", false,
					    &got), 0);
	text = sd_to_sddl(wgt_root, got);
	/* the stored DACL has no AI: inherited unmarked, as on Windows */
	ck_assert_str_eq(text, "O:S-1-5-21-1-2-3-1000G:S-1-5-21-1-2-3-513"
			 "D:(A;;FA;;;S-1-5-21-1-2-3-1000)");
	TALLOC_FREE(text);
	TALLOC_FREE(got);

	ck_assert_int_eq(smbd_acl_effective(wgt_root, tcache(), root, "c", false,
					    &got), 0);
	text = sd_to_sddl(wgt_root, got);
	ck_assert_str_eq(text, "O:BAG:BUD:AI(A;ID;FA;;;WD)");
	TALLOC_FREE(text);
	TALLOC_FREE(got);

	/* the root itself (read through root_fd): the default, then what
	 * is stored on it */
	ck_assert_int_eq(smbd_acl_effective(wgt_root, tcache(), root, "", true, &got),
			 0);
	text = sd_to_sddl(wgt_root, got);
	ck_assert_str_eq(text, "O:BAG:BUD:AI(A;OICI;FA;;;WD)");
	TALLOC_FREE(text);
	TALLOC_FREE(got);
	close(fd);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(smbd_acl_write_fd(fd, priv), 0);
	ck_assert_int_eq(smbd_acl_effective(wgt_root, tcache(), root, "", true, &got),
			 0);
	ck_assert(sd_equal(got, priv));
	TALLOC_FREE(got);
out:
	close(fd);
	close(root);
	talloc_free(priv);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

/*
 * The descriptor cache: a second walk is served from it once the tree's
 * ctimes are settled, and a change made behind its back (setxattr and
 * removexattr by another program) is seen at once through ctime.
 */
START_TEST(test_cache_sees_outside_changes)
{
	char dir[] = "/tmp/test_acl.XXXXXX";
	char path[128];
	struct sec_desc *priv = sddl(wgt_root, SDDL_PRIVATE);
	struct sec_desc *got = NULL;
	struct smbd_acl_cache_stats st0, st1;
	uint8_t *blob = NULL;
	size_t len = 0;
	char *text = NULL;
	int root = -1, fd = -1;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/a/b", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	root = open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(root, 0);
	sleep(3);	/* ctimes under 2 s old are not cached */

	smbd_acl_cache_flush(tcache());
	ck_assert_int_eq(smbd_acl_effective(wgt_root, tcache(), root, "a/b", false,
					    &got), 0);
	TALLOC_FREE(got);
	smbd_acl_cache_stats(tcache(), &st0);
	ck_assert_uint_eq(st0.entries, 3);	/* root, a, a/b: none */
	ck_assert_int_eq(smbd_acl_effective(wgt_root, tcache(), root, "a/b", false,
					    &got), 0);
	TALLOC_FREE(got);
	smbd_acl_cache_stats(tcache(), &st1);
	ck_assert_uint_eq(st1.hits - st0.hits, 3);

	/* another program sets a's descriptor */
	ck_assert_int_eq(smbd_acl_blob_pack(wgt_root, priv, &blob, &len), 0);
	snprintf(path, sizeof(path), "%s/a", dir);
	if (setxattr(path, SMBD_ACL_XATTR, blob, len, 0) != 0) {
		goto out;	/* no user xattrs on this /tmp */
	}
	ck_assert_int_eq(smbd_acl_effective(wgt_root, tcache(), root, "a/b", false,
					    &got), 0);
	text = sd_to_sddl(wgt_root, got);
	ck_assert_str_eq(text, "O:S-1-5-21-1-2-3-1000G:S-1-5-21-1-2-3-513"
			 "D:(A;;FA;;;S-1-5-21-1-2-3-1000)");
	TALLOC_FREE(text);
	TALLOC_FREE(got);
	smbd_acl_cache_stats(tcache(), &st0);
	ck_assert_uint_eq(st0.stale - st1.stale, 1);

	/* ... and removes it again */
	ck_assert_int_eq(removexattr(path, SMBD_ACL_XATTR), 0);
	ck_assert_int_eq(smbd_acl_effective(wgt_root, tcache(), root, "a/b", false,
					    &got), 0);
	text = sd_to_sddl(wgt_root, got);
	ck_assert_str_eq(text, "O:BAG:BUD:AI(A;ID;FA;;;WD)");
	TALLOC_FREE(text);
	TALLOC_FREE(got);
out:
	smbd_acl_cache_flush(tcache());
	TALLOC_FREE(blob);
	close(root);
	talloc_free(priv);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

/* Make dir/rel (a directory if is_dir) with descriptor text; false if
 * this filesystem keeps no user xattrs. */
static bool mk_with_sd(const char *dir, const char *rel, bool is_dir,
		       const char *text)
{
	struct sec_desc *sd = sddl(wgt_root, text);
	char path[160];
	int fd = -1, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (is_dir) {
		ck_assert_int_eq(mkdir(path, 0700), 0);
		fd = open(path, O_RDONLY | O_DIRECTORY);
	} else {
		fd = open(path, O_CREAT | O_WRONLY, 0600);
	}
	ck_assert_int_ge(fd, 0);
	rc = smbd_acl_write_fd(fd, sd);
	close(fd);
	talloc_free(sd);
	if (rc == -ENOTSUP) {
		return false;
	}
	ck_assert_int_eq(rc, 0);
	return true;
}

/*
 * A hit hands out the parsed descriptor the cache keeps: two opens of an
 * unchanged file parse its descriptor once and get the same rights, a
 * copy asked for (smbd_acl_effective) equals it, and changing that copy
 * (SET_INFO through the server) changes neither the cache's nor the
 * shared root default; what SET_INFO stores is seen by the next open.
 */
START_TEST(test_cache_parsed_shared)
{
	char dir[] = "/tmp/test_acl.XXXXXX";
	char path[128];
	struct dom_sid sids[1] = { sid_everyone };
	struct se_token tok = { .sids = sids, .n_sids = 1 };
	struct wg_share_cfg share = { .type = WG_SHARE_DISK };
	struct smbd_loop lp = { .acl_cache = tcache() };
	struct smbd_conn conn = { .loop = &lp };
	struct smbd_session sess = { .token = &tok, .conn = &conn };
	struct smbd_tree tree = { .share = &share, .sess = &sess };
	struct smbd_open op = {
		.tree = &tree, .path = (char *)"f",
		.access = SEC_RIGHT_READ_CONTROL | SEC_RIGHT_WRITE_DAC,
	};
	struct sec_desc *ro = sddl(wgt_root, "D:P(A;;0x1200a9;;;WD)");
	struct sec_desc *a = NULL, *b = NULL;
	struct smbd_acl_cache_stats st0, st1;
	struct wire_wr w;
	uint8_t *buf = NULL;
	size_t len = 0;
	char *text = NULL;
	uint32_t max = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	tree.root_fd = open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(tree.root_fd, 0);
	if (!mk_with_sd(dir, "f", false, "O:BAG:BUD:P(A;;FA;;;WD)")) {
		goto out;	/* no user xattrs on this /tmp */
	}
	snprintf(path, sizeof(path), "%s/g", dir);
	op.fd = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(op.fd, 0);
	close(op.fd);
	sleep(3);	/* ctimes under 2 s old are not cached */
	smbd_acl_cache_flush(tcache());

	smbd_acl_cache_stats(tcache(), &st0);
	max = UINT32_MAX;
	ck_assert_uint_eq(smbd_acl_open_check(&tree, &tok, "f", false,
					      FILE_READ_DATA, 0, &max),
			  NT_STATUS_OK);
	ck_assert_uint_eq(max, SEC_FILE_ALL_ACCESS);
	max = UINT32_MAX;
	ck_assert_uint_eq(smbd_acl_open_check(&tree, &tok, "f", false,
					      FILE_READ_DATA, 0, &max),
			  NT_STATUS_OK);
	ck_assert_uint_eq(max, SEC_FILE_ALL_ACCESS);
	smbd_acl_cache_stats(tcache(), &st1);
	/* parsed once, not twice */
	ck_assert_uint_eq(st1.parses - st0.parses, 1);
	ck_assert_uint_eq(st1.hits - st0.hits, 1);
	ck_assert_uint_gt(st1.bytes, 0);
	ck_assert_int_eq(smbd_acl_effective(wgt_root, tcache(), tree.root_fd,
					    "f", false, &a), 0);
	ck_assert_int_eq(smbd_acl_effective(wgt_root, tcache(), tree.root_fd,
					    "f", false, &b), 0);
	ck_assert_ptr_ne(a, b);		/* the callers' own copies */
	ck_assert(sd_equal(a, b));
	text = sd_to_sddl(wgt_root, a);
	ck_assert_str_eq(text, "O:BAG:BUD:P(A;;FA;;;WD)");
	TALLOC_FREE(text);
	smbd_acl_cache_stats(tcache(), &st0);
	ck_assert_uint_eq(st0.parses, st1.parses);
	/* a caller changing its copy changes nothing cached */
	a->dacl->aces[0].mask = 0;
	TALLOC_FREE(a);
	TALLOC_FREE(b);
	ck_assert_int_eq(smbd_acl_effective(wgt_root, tcache(), tree.root_fd,
					    "f", false, &a), 0);
	ck_assert_uint_eq(a->dacl->aces[0].mask, SEC_FILE_ALL_ACCESS);
	TALLOC_FREE(a);

	/* g has no descriptor: it inherits the root default, which SET_INFO
	 * merges into and stores; the default stays as it was */
	op.path = (char *)"g";
	op.fd = open(path, O_RDWR);
	ck_assert_int_ge(op.fd, 0);
	wire_wr_init(&w, wgt_root, SMBD_ACL_BLOB_MAX);
	ck_assert_int_eq(sd_push(&w, ro, SECINFO_DACL), 0);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	buf = w.buf;
	len = w.len;
	ck_assert_uint_eq(smbd_acl_set(&op, &sess, SECINFO_DACL, buf, len),
			  NT_STATUS_OK);
	ck_assert_int_eq(smbd_acl_effective(wgt_root, tcache(), tree.root_fd,
					    "", true, &a), 0);
	text = sd_to_sddl(wgt_root, a);
	ck_assert_str_eq(text, "O:BAG:BUD:AI(A;OICI;FA;;;WD)");
	TALLOC_FREE(text);
	TALLOC_FREE(a);
	max = UINT32_MAX;
	ck_assert_uint_eq(smbd_acl_open_check(&tree, &tok, "g", false,
					      FILE_READ_DATA, 0, &max),
			  NT_STATUS_OK);
	/* what the new DACL gives, plus READ_ATTRIBUTES and DELETE from the
	 * root's listing and DELETE_CHILD */
	ck_assert_uint_eq(max, 0x1200a9 | SEC_RIGHT_DELETE);

	/* and f's: SET_INFO forgets the cached entry */
	close(op.fd);
	snprintf(path, sizeof(path), "%s/f", dir);
	op.path = (char *)"f";
	op.fd = open(path, O_RDWR);
	ck_assert_int_ge(op.fd, 0);
	smbd_acl_cache_stats(tcache(), &st0);
	ck_assert_uint_eq(smbd_acl_set(&op, &sess, SECINFO_DACL, buf, len),
			  NT_STATUS_OK);
	smbd_acl_cache_stats(tcache(), &st1);
	ck_assert_uint_eq(st1.entries, st0.entries - 1);
	max = UINT32_MAX;
	ck_assert_uint_eq(smbd_acl_open_check(&tree, &tok, "f", false,
					      FILE_READ_DATA, 0, &max),
			  NT_STATUS_OK);
	ck_assert_uint_eq(max, 0x1200a9 | SEC_RIGHT_DELETE);
	close(op.fd);
out:
	smbd_acl_cache_flush(tcache());
	TALLOC_FREE(buf);
	talloc_free(ro);
	close(tree.root_fd);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

/*
 * An object changed in the last two seconds is read every time (its
 * ctime does not vouch yet), but parsed again only when what it holds
 * changed: a file being written keeps its parsed descriptor.
 */
START_TEST(test_cache_verifies_unsettled)
{
	char dir[] = "/tmp/test_acl.XXXXXX";
	char path[128];
	struct sec_desc *priv = sddl(wgt_root, SDDL_PRIVATE);
	struct sec_desc *got = NULL;
	struct smbd_acl_cache_stats st0, st1;
	int root = -1, fd = -1;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	root = open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(root, 0);
	if (!mk_with_sd(dir, "f", false, "O:BAG:BUD:P(A;;FA;;;WD)")) {
		goto out;	/* no user xattrs on this /tmp */
	}
	smbd_acl_cache_flush(tcache());
	smbd_acl_cache_stats(tcache(), &st0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(smbd_acl_effective(wgt_root, tcache(), root,
						    "f", false, &got), 0);
		TALLOC_FREE(got);
	}
	smbd_acl_cache_stats(tcache(), &st1);
	ck_assert_uint_eq(st1.parses - st0.parses, 1);
	ck_assert_uint_eq(st1.verified - st0.verified, 2);

	/* written: a new ctime, the same descriptor, not parsed again */
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	usleep(20000);		/* a ctime tick later */
	ck_assert_int_eq(write(fd, "x", 1), 1);
	ck_assert_int_eq(smbd_acl_effective(wgt_root, tcache(), root, "f",
					    false, &got), 0);
	TALLOC_FREE(got);
	smbd_acl_cache_stats(tcache(), &st0);
	ck_assert_uint_eq(st0.parses, st1.parses);
	ck_assert_uint_eq(st0.verified - st1.verified, 1);

	/* another descriptor stored: seen at once, parsed */
	ck_assert_int_eq(smbd_acl_write_fd(fd, priv), 0);
	ck_assert_int_eq(smbd_acl_effective(wgt_root, tcache(), root, "f",
					    false, &got), 0);
	ck_assert(sd_equal(got, priv));
	TALLOC_FREE(got);
	smbd_acl_cache_stats(tcache(), &st1);
	ck_assert_uint_eq(st1.parses - st0.parses, 1);
	ck_assert_uint_eq(st1.verified, st0.verified);
	close(fd);
out:
	smbd_acl_cache_flush(tcache());
	close(root);
	talloc_free(priv);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

/*
 * The destination check of a rename [MS-FSA §2.1.5.15.2]: ADD_FILE or
 * ADD_SUBDIRECTORY on the target folder for the session's token, and
 * DELETE on a replaced file or DELETE_CHILD on its folder.
 */
/*
 * A null session's token holds Anonymous Logon but not Everyone (nor
 * Guests, nor Authenticated Users) unless everyone includes anonymous;
 * a guest's holds Everyone. On a guest ok share a null session is
 * checked with its guest token, elsewhere with its own.
 */
START_TEST(test_token_anonymous)
{
	static const struct dom_sid machine = {
		.num_auths = 4, .authority = 5,
		.sub_auths = { 21, 1, 2, 3 },
	};
	char gname[] = "nobody";
	struct wg_config cfg = { .guest_account = gname };
	struct smbd_server srv = { .cfg = &cfg, .machine_sid = machine };
	struct se_token *anon = smbd_acl_token(NULL, &srv, "", false, true);
	struct se_token *guest = smbd_acl_token(NULL, &srv, "nobody", true,
						false);
	struct se_token *old = NULL;
	char dir[] = "/tmp/test_acl.XXXXXX";
	struct wg_share_cfg share = { .type = WG_SHARE_DISK };
	struct smbd_session sess = { .token = anon, .anonymous = true };
	struct smbd_tree tree = { .share = &share, .sess = &sess };

	ck_assert_ptr_nonnull(anon);
	ck_assert_ptr_nonnull(guest);
	ck_assert(se_token_has_sid(anon, &sid_anonymous));
	ck_assert(!se_token_has_sid(anon, &sid_everyone));
	ck_assert(!se_token_has_sid(anon, &sid_builtin_guests));
	ck_assert(!se_token_has_sid(anon, &sid_authenticated_users));
	ck_assert(se_token_has_sid(guest, &sid_everyone));
	ck_assert(se_token_has_sid(guest, &sid_builtin_guests));
	cfg.everyone_includes_anonymous = true;
	old = smbd_acl_token(NULL, &srv, "", false, true);
	ck_assert_ptr_nonnull(old);
	ck_assert(se_token_has_sid(old, &sid_anonymous));
	ck_assert(se_token_has_sid(old, &sid_everyone));
	ck_assert(!se_token_has_sid(old, &sid_authenticated_users));

	/* the root default grants Everyone only */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	tree.root_fd = open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(tree.root_fd, 0);
	ck_assert_uint_eq(smbd_acl_rename_check(&tree, &sess, "new", false,
						false, false),
			  NT_STATUS_ACCESS_DENIED);
	sess.guest_token = guest;
	ck_assert_uint_eq(smbd_acl_rename_check(&tree, &sess, "new", false,
						false, false),
			  NT_STATUS_ACCESS_DENIED);
	share.guest_ok = true;
	ck_assert_uint_eq(smbd_acl_rename_check(&tree, &sess, "new", false,
						false, false), NT_STATUS_OK);
	close(tree.root_fd);
	rmdir(dir);
	talloc_free(old);
	talloc_free(guest);
	talloc_free(anon);
}
END_TEST

/*
 * A waiting open holds its sender's token: it outlives the session's
 * letting go of it (re-authentication) and the session itself (logoff),
 * and goes with the last request holding it.
 */
static int token_freed;

static int count_free(int *p)
{
	(void)p;
	token_freed++;
	return 0;
}

START_TEST(test_token_hold)
{
	static const struct dom_sid machine = {
		.num_auths = 4, .authority = 5,
		.sub_auths = { 21, 1, 2, 3 },
	};
	char gname[] = "nobody";
	struct wg_config cfg = { .guest_account = gname };
	struct smbd_server srv = { .cfg = &cfg, .machine_sid = machine };
	TALLOC_CTX *sess = talloc_new(NULL);
	TALLOC_CTX *req1 = talloc_new(NULL);
	TALLOC_CTX *req2 = talloc_new(NULL);
	struct se_token *t = smbd_acl_token(sess, &srv, "nobody", true,
					    false);
	const struct se_token *h = NULL;
	int *mark = NULL;

	ck_assert_ptr_nonnull(t);
	mark = talloc(t, int);
	ck_assert_ptr_nonnull(mark);
	talloc_set_destructor(mark, count_free);
	token_freed = 0;

	/* held twice, then the session re-authenticates: still there */
	h = smbd_acl_token_hold(req1, t);
	ck_assert_ptr_eq(h, t);
	ck_assert_ptr_eq(smbd_acl_token_hold(req2, t), t);
	smbd_acl_token_drop(sess, t);
	ck_assert_int_eq(token_freed, 0);
	ck_assert(se_token_has_sid(h, &sid_everyone));
	ck_assert(se_token_has_sid(h, &sid_builtin_guests));
	/* one holder ends: the other still has it */
	talloc_free(req1);
	ck_assert_int_eq(token_freed, 0);
	ck_assert(se_token_has_sid(h, &sid_everyone));
	talloc_free(req2);
	ck_assert_int_eq(token_freed, 1);

	/* held, then the whole session goes (logoff) */
	t = smbd_acl_token(sess, &srv, "nobody", true, false);
	ck_assert_ptr_nonnull(t);
	mark = talloc(t, int);
	ck_assert_ptr_nonnull(mark);
	talloc_set_destructor(mark, count_free);
	req1 = talloc_new(NULL);
	h = smbd_acl_token_hold(req1, t);
	ck_assert_ptr_eq(h, t);
	talloc_free(sess);
	ck_assert_int_eq(token_freed, 1);
	ck_assert(se_token_has_sid(h, &sid_builtin_guests));
	talloc_free(req1);
	ck_assert_int_eq(token_freed, 2);

	/* not held: dropping frees it at once */
	sess = talloc_new(NULL);
	t = smbd_acl_token(sess, &srv, "nobody", true, false);
	ck_assert_ptr_nonnull(t);
	mark = talloc(t, int);
	ck_assert_ptr_nonnull(mark);
	talloc_set_destructor(mark, count_free);
	smbd_acl_token_drop(sess, t);
	ck_assert_int_eq(token_freed, 3);
	ck_assert_uint_eq(talloc_total_blocks(sess), 1);
	talloc_free(sess);
}
END_TEST

START_TEST(test_rename_check)
{
	static const struct dom_sid user = {
		.num_auths = 5, .authority = 5,
		.sub_auths = { 21, 1, 2, 3, 1000 },
	};
	char dir[] = "/tmp/test_acl.XXXXXX";
	char path[128];
	struct dom_sid sids[2] = { user, sid_everyone };
	struct dom_sid asids[3] = { user, sid_everyone, sid_builtin_admins };
	struct se_token tok = { .sids = sids, .n_sids = 2 };
	struct se_token admin = { .sids = asids, .n_sids = 3 };
	struct wg_share_cfg share = { .type = WG_SHARE_DISK };
	struct smbd_session sess = { .token = &tok };
	struct smbd_tree tree = { .share = &share, .sess = &sess };

	ck_assert_ptr_nonnull(mkdtemp(dir));
	tree.root_fd = open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(tree.root_fd, 0);
	/* ro: Everyone may read and list only, Administrators anything */
	if (!mk_with_sd(dir, "ro", true, "O:BAG:BUD:P(A;;0x1200a9;;;WD)"
			"(A;OICI;FA;;;BA)")) {
		goto out;	/* no user xattrs on this /tmp */
	}
	/* nd: files may be added (0x2), no subdirectories, no DELETE_CHILD */
	ck_assert(mk_with_sd(dir, "nd", true, "O:BAG:BUD:P(A;;0x1200ab;;;WD)"));
	ck_assert(mk_with_sd(dir, "nd/keep", false,
			     "O:BAG:BUD:P(A;;0x1200a9;;;WD)"));
	ck_assert(mk_with_sd(dir, "nd/gone", false,
			     "O:BAG:BUD:P(A;;0x1310a9;;;WD)"));
	/* dc: DELETE_CHILD (0x40) too */
	ck_assert(mk_with_sd(dir, "dc", true, "O:BAG:BUD:P(A;;0x1200eb;;;WD)"));
	ck_assert(mk_with_sd(dir, "dc/keep", false,
			     "O:BAG:BUD:P(A;;0x1200a9;;;WD)"));

	/* the root default: Everyone full control */
	ck_assert_uint_eq(smbd_acl_rename_check(&tree, &sess, "new", false,
						false, false), NT_STATUS_OK);
	ck_assert_uint_eq(smbd_acl_rename_check(&tree, &sess, "ro/x", false,
						false, false),
			  NT_STATUS_ACCESS_DENIED);
	ck_assert_uint_eq(smbd_acl_rename_check(&tree, &sess, "ro/x", true,
						false, false),
			  NT_STATUS_ACCESS_DENIED);
	ck_assert_uint_eq(smbd_acl_rename_check(&tree, &sess, "nd/x", false,
						false, false), NT_STATUS_OK);
	ck_assert_uint_eq(smbd_acl_rename_check(&tree, &sess, "nd/x", true,
						false, false),
			  NT_STATUS_ACCESS_DENIED);
	/* replacing: DELETE on the target, or DELETE_CHILD on the folder */
	ck_assert_uint_eq(smbd_acl_rename_check(&tree, &sess, "nd/keep", false,
						true, false),
			  NT_STATUS_ACCESS_DENIED);
	ck_assert_uint_eq(smbd_acl_rename_check(&tree, &sess, "nd/gone", false,
						true, false), NT_STATUS_OK);
	ck_assert_uint_eq(smbd_acl_rename_check(&tree, &sess, "dc/keep", false,
						true, false), NT_STATUS_OK);
	/* the token counts, not the tree: an admin may add to ro */
	sess.token = &admin;
	ck_assert_uint_eq(smbd_acl_rename_check(&tree, &sess, "ro/x", true,
						false, false), NT_STATUS_OK);
	/* no token (IPC$-like callers): left alone */
	sess.token = NULL;
	ck_assert_uint_eq(smbd_acl_rename_check(&tree, &sess, "ro/x", false,
						false, false), NT_STATUS_OK);
out:
	close(tree.root_fd);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

static Suite *acl_suite(void)
{
	Suite *s = suite_create("acl");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_blob_roundtrip);
	tcase_add_test(tc, test_blob_sacl_and_null_dacl);
	tcase_add_test(tc, test_blob_bad_version);
	tcase_add_test(tc, test_blob_truncated);
	tcase_add_test(tc, test_root_default);
	tcase_add_test(tc, test_root_default_copies);
	tcase_add_test(tc, test_store_and_inherit);
	tcase_add_test(tc, test_cache_sees_outside_changes);
	tcase_add_test(tc, test_cache_parsed_shared);
	tcase_add_test(tc, test_cache_verifies_unsettled);
	tcase_add_test(tc, test_rename_check);
	tcase_add_test(tc, test_token_anonymous);
	tcase_add_test(tc, test_token_hold);
	tcase_set_timeout(tc, 15);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(acl_suite)
