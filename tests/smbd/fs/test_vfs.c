/*
 * test_vfs.c - path canonicalisation, lookups that cannot leave the share
 * root, case-insensitive resolution, wildcards, errno mapping, and the
 * worker pool that runs file I/O off the event loop.
 */
#include "tests/wgtest.h"

#include <errno.h>
#include <fcntl.h>
#include <ctype.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "smbd/fs/vfs.h"
#include "smbd/fs/workers.h"
#include "smbd/fs/shortname.h"

static char vt_top[64];		/* mkdtemp dir: root/ and outside/ */
static char vt_rootpath[128];
static int vt_root = -1;

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/*
 * root/Foo/BAR.txt, root/Foo/sub/, root/file.txt,
 * root/link_in -> Foo/BAR.txt, root/link_out -> ../outside,
 * root/link_abs -> /etc, root/dangling -> nowhere, outside/secret
 */
static void vt_setup(void)
{
	char p[256];

	wgt_setup();
	snprintf(vt_top, sizeof(vt_top), "/tmp/wgvfs.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(vt_top));
	snprintf(vt_rootpath, sizeof(vt_rootpath), "%s/root", vt_top);
	ck_assert_int_eq(mkdir(vt_rootpath, 0755), 0);
	snprintf(p, sizeof(p), "%s/outside", vt_top);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/outside/secret", vt_top);
	put_file(p, "secret");
	snprintf(p, sizeof(p), "%s/Foo", vt_rootpath);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/Foo/sub", vt_rootpath);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/Foo/BAR.txt", vt_rootpath);
	put_file(p, "bar");
	snprintf(p, sizeof(p), "%s/file.txt", vt_rootpath);
	put_file(p, "file");
	snprintf(p, sizeof(p), "%s/link_in", vt_rootpath);
	ck_assert_int_eq(symlink("Foo/BAR.txt", p), 0);
	snprintf(p, sizeof(p), "%s/link_out", vt_rootpath);
	ck_assert_int_eq(symlink("../outside", p), 0);
	snprintf(p, sizeof(p), "%s/link_abs", vt_rootpath);
	ck_assert_int_eq(symlink("/etc", p), 0);
	snprintf(p, sizeof(p), "%s/dangling", vt_rootpath);
	ck_assert_int_eq(symlink("nowhere", p), 0);
	vt_root = open(vt_rootpath, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(vt_root, 0);
}

static int rm_cb(const char *path, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	return remove(path);
}

static void vt_teardown(void)
{
	close(vt_root);
	vt_root = -1;
	nftw(vt_top, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	wgt_teardown();
}

/* ---- canonicalize ---- */

static void canon_ok(const char *in, bool wild, const char *want)
{
	char *rel = NULL;
	NTSTATUS st = vfs_canonicalize(wgt_root, in, wild, &rel);

	ck_assert_msg(st == NT_STATUS_OK, "%s: 0x%08x", in, st);
	ck_assert_str_eq(rel, want);
	talloc_free(rel);
}

static void canon_refused(const char *in, bool wild, NTSTATUS want)
{
	char *rel = NULL;
	NTSTATUS st = vfs_canonicalize(wgt_root, in, wild, &rel);

	ck_assert_msg(st == want, "%s: 0x%08x, want 0x%08x", in, st, want);
	ck_assert_ptr_null(rel);
}

static void canon_bad(const char *in, bool wild)
{
	canon_refused(in, wild, NT_STATUS_OBJECT_NAME_INVALID);
}

/* A ".." that climbs above the share root: refused as malformed. */
static void canon_above(const char *in, bool wild)
{
	canon_refused(in, wild, NT_STATUS_OBJECT_PATH_SYNTAX_BAD);
}

START_TEST(test_canonicalize)
{
	canon_ok("", false, "");
	canon_ok("\\", false, "");
	canon_ok("foo", false, "foo");
	canon_ok("\\foo\\bar.txt", false, "foo/bar.txt");
	canon_ok("foo\\\\bar\\", false, "foo/bar");
	canon_ok("a\\...\\b", false, "a/.../b");
	canon_ok("d\\*.txt", true, "d/*.txt");
	canon_ok("<\"?>", true, "<\"?>");
	canon_ok("caf\xc3\xa9\\\xd0\x94", false, "caf\xc3\xa9/\xd0\x94");

	canon_ok("a\\..\\b", false, "b");
	canon_ok("a\\..", false, "");
	canon_ok("a\\..\\", false, "");
	canon_ok("\\a\\b\\..", false, "a");
	canon_ok("a\\b\\..\\..\\c\\", false, "c");
	canon_ok("a\\\\b\\\\..\\\\c", false, "a/c");
	canon_ok("d\\e\\..\\*.txt", true, "d/*.txt");
	canon_ok("abc\\..x", false, "abc/..x");

	canon_above("..", false);
	canon_above("..\\x", false);
	canon_above("\\..", false);
	canon_above("..\\..\\..", false);	/* smbtorture smb2.mkdir */
	canon_above("..\\..\\..", true);
	canon_above("a\\..\\..", false);
	canon_above("a\\..\\..\\b", false);
	canon_above("a\\b\\..\\..\\..\\etc", false);
	canon_above("sub\\..\\..\\etc\\passwd", false);
	canon_above("a\\\\..\\\\..", false);
	canon_above("../x", false);	/* '/' separates too */
	canon_bad("a\\..\\.", false);
	canon_bad(".", false);
	canon_bad(".\\a", false);
	canon_bad("a\\.\\b", false);
	canon_bad("a\\.\\..\\..", false);	/* the "." comes first */
	canon_bad("\\.\\a", false);
	canon_bad("a\\.", false);
	canon_bad("file:stream", false);
	canon_bad("a*b", false);
	canon_bad("a?b", false);
	canon_bad("a<b", false);
	canon_bad("a>b", false);
	canon_bad("a\"b", false);
	canon_bad("a|b", true);
	canon_bad("a\x01", false);
	canon_above("..", true);
}
END_TEST

START_TEST(test_canonicalize_long_component)
{
	char name[300];

	memset(name, 'x', 256);
	name[256] = '\0';
	canon_bad(name, false);
	name[255] = '\0';
	canon_ok(name, false, name);
}
END_TEST

/* ---- opens beneath the root ---- */

START_TEST(test_open_beneath_escapes)
{
	int fd = -1;

	ck_assert_int_eq(vfs_open_beneath(vt_root, "../outside/secret",
					  O_RDONLY, 0), -EXDEV);
	ck_assert_int_eq(vfs_open_beneath(vt_root, "link_out/secret",
					  O_RDONLY, 0), -EXDEV);
	ck_assert_int_eq(vfs_open_beneath(vt_root, "link_abs/passwd",
					  O_RDONLY, 0), -EXDEV);
	ck_assert_int_eq(vfs_open_beneath(vt_root, "/etc/passwd",
					  O_RDONLY, 0), -EXDEV);
	ck_assert_int_eq(vfs_open_beneath(vt_root, "Foo/../../outside",
					  O_RDONLY, 0), -EXDEV);
	/* creating through an escaping symlink is refused too */
	ck_assert_int_eq(vfs_open_beneath(vt_root, "link_out/new",
					  O_RDWR | O_CREAT, 0644), -EXDEV);

	fd = vfs_open_beneath(vt_root, "link_in", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	close(fd);
	fd = vfs_open_beneath(vt_root, "", O_RDONLY | O_DIRECTORY, 0);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(vfs_open_beneath(vt_root, "missing", O_RDONLY, 0),
			 -ENOENT);
}
END_TEST

START_TEST(test_open_parent)
{
	const char *leaf = NULL;
	struct stat st;
	int fd = -1;

	fd = vfs_open_parent(vt_root, "Foo/BAR.txt", &leaf);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(leaf, "BAR.txt");
	ck_assert_int_eq(fstatat(fd, leaf, &st, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert(S_ISREG(st.st_mode));
	close(fd);

	fd = vfs_open_parent(vt_root, "file.txt", &leaf);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(leaf, "file.txt");
	close(fd);

	ck_assert_int_eq(vfs_open_parent(vt_root, "", &leaf), -EINVAL);
	ck_assert_int_eq(vfs_open_parent(vt_root, "nodir/x", &leaf), -ENOENT);
	ck_assert_int_eq(vfs_open_parent(vt_root, "link_out/x", &leaf),
			 -EXDEV);
}
END_TEST

/* ---- resolve ---- */

/*
 * vfs_resolve(rel) gives want and the on-disk path ondisk; with ondisk
 * NULL it must give no path at all (an escape must not leak where it
 * led, nor memory).
 */
static void resolve_is(const char *rel, NTSTATUS want, const char *ondisk)
{
	char *out = NULL;
	NTSTATUS st = vfs_resolve(wgt_root, vt_root, rel, &out);

	ck_assert_msg(st == want, "%s: 0x%08x want 0x%08x", rel, st, want);
	if (ondisk != NULL) {
		ck_assert_ptr_nonnull(out);
		ck_assert_str_eq(out, ondisk);
	} else {
		ck_assert_msg(out == NULL, "%s: leaked path '%s'", rel, out);
	}
	talloc_free(out);
}

START_TEST(test_resolve_case)
{
	char *rel = NULL;

	/* the client's foo\bar.TXT finds Foo/BAR.txt */
	ck_assert_uint_eq(vfs_canonicalize(wgt_root, "foo\\bar.TXT", false,
					   &rel), NT_STATUS_OK);
	resolve_is(rel, NT_STATUS_OK, "Foo/BAR.txt");
	talloc_free(rel);

	resolve_is("Foo/BAR.txt", NT_STATUS_OK, "Foo/BAR.txt");
	resolve_is("FOO/SUB", NT_STATUS_OK, "Foo/sub");
	resolve_is("FILE.TXT", NT_STATUS_OK, "file.txt");
	resolve_is("", NT_STATUS_OK, "");
	resolve_is("LINK_IN", NT_STATUS_OK, "link_in");
}
END_TEST

START_TEST(test_resolve_missing)
{
	/* missing last component: the on-disk parent + client's leaf */
	resolve_is("foo/New.txt", NT_STATUS_OBJECT_NAME_NOT_FOUND,
		   "Foo/New.txt");
	resolve_is("New.txt", NT_STATUS_OBJECT_NAME_NOT_FOUND, "New.txt");
	resolve_is("foo/SUB/x", NT_STATUS_OBJECT_NAME_NOT_FOUND,
		   "Foo/sub/x");
	/* missing or non-directory parent */
	resolve_is("nodir/x", NT_STATUS_OBJECT_PATH_NOT_FOUND, NULL);
	resolve_is("nodir/deeper/x", NT_STATUS_OBJECT_PATH_NOT_FOUND, NULL);
	resolve_is("file.txt/x", NT_STATUS_OBJECT_PATH_NOT_FOUND, NULL);
	resolve_is("FILE.TXT/x", NT_STATUS_OBJECT_PATH_NOT_FOUND, NULL);
	resolve_is("dangling/x", NT_STATUS_OBJECT_PATH_NOT_FOUND, NULL);
}
END_TEST

/* A generated 8.3 name opens its long-named file (fs/shortname.h). */
START_TEST(test_resolve_short_name)
{
	char sn[SMBD_SHORT_NAME_MAX + 1];
	char lower[SMBD_SHORT_NAME_MAX + 1];
	char p[4096];
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *path = NULL;
	size_t i = 0;

	snprintf(p, sizeof(p), "%s/Foo/Long file name.txt", vt_rootpath);
	put_file(p, "long");
	snprintf(p, sizeof(p), "%s/.odd:name here", vt_rootpath);
	put_file(p, "store-like");
	(void)smbd_short_name("Long file name.txt", sn);
	ck_assert_ptr_nonnull(strchr(sn, '~'));
	path = talloc_asprintf(tmp, "foo/%s", sn);
	resolve_is(path, NT_STATUS_OK, "Foo/Long file name.txt");
	/* in any case, and as a directory component too */
	for (i = 0; sn[i] != '\0'; i++) {
		lower[i] = (char)tolower((unsigned char)sn[i]);
	}
	lower[i] = '\0';
	path = talloc_asprintf(tmp, "foo/%s", lower);
	resolve_is(path, NT_STATUS_OK, "Foo/Long file name.txt");
	resolve_is("FOO~1/BAR.txt", NT_STATUS_OBJECT_PATH_NOT_FOUND, NULL);
	/* a name with ':' (the streams store) has no usable short name */
	(void)smbd_short_name(".odd:name here", sn);
	path = talloc_asprintf(tmp, "%s", sn);
	resolve_is(path, NT_STATUS_OBJECT_NAME_NOT_FOUND, sn);
	/* another short name of the right shape finds nothing */
	resolve_is("foo/LO0000~1.TXT", NT_STATUS_OBJECT_NAME_NOT_FOUND,
		   "Foo/LO0000~1.TXT");
	talloc_free(tmp);
}
END_TEST

START_TEST(test_resolve_escape)
{
	resolve_is("link_out", NT_STATUS_ACCESS_DENIED, NULL);
	resolve_is("link_out/secret", NT_STATUS_ACCESS_DENIED, NULL);
	resolve_is("LINK_OUT/secret", NT_STATUS_ACCESS_DENIED, NULL);
	resolve_is("link_abs", NT_STATUS_ACCESS_DENIED, NULL);
	resolve_is("link_abs/passwd", NT_STATUS_ACCESS_DENIED, NULL);
}
END_TEST

/* ---- errno mapping ---- */

START_TEST(test_map_errno)
{
	static const struct {
		int err;
		NTSTATUS st;
	} t[] = {
		{ 0, NT_STATUS_OK },
		{ ENOENT, NT_STATUS_OBJECT_NAME_NOT_FOUND },
		{ ENOTDIR, NT_STATUS_OBJECT_PATH_NOT_FOUND },
		{ EEXIST, NT_STATUS_OBJECT_NAME_COLLISION },
		{ EACCES, NT_STATUS_ACCESS_DENIED },
		{ EPERM, NT_STATUS_ACCESS_DENIED },
		{ EXDEV, NT_STATUS_ACCESS_DENIED },
		{ ELOOP, NT_STATUS_ACCESS_DENIED },
		{ ENOTEMPTY, NT_STATUS_DIRECTORY_NOT_EMPTY },
		{ EISDIR, NT_STATUS_FILE_IS_A_DIRECTORY },
		{ ENOSPC, NT_STATUS_DISK_FULL },
		{ EMFILE, NT_STATUS_TOO_MANY_OPENED_FILES },
		{ ENFILE, NT_STATUS_TOO_MANY_OPENED_FILES },
		{ EROFS, NT_STATUS_MEDIA_WRITE_PROTECTED },
		{ ENAMETOOLONG, NT_STATUS_OBJECT_NAME_INVALID },
		{ EIO, NT_STATUS_UNSUCCESSFUL },
	};
	size_t i = 0;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_uint_eq(vfs_map_errno(t[i].err), t[i].st);
		ck_assert_uint_eq(vfs_map_errno(-t[i].err), t[i].st);
	}
}
END_TEST

/* ---- names and wildcards ---- */

START_TEST(test_casecmp)
{
	ck_assert_int_eq(vfs_name_casecmp("abc", "ABC"), 0);
	ck_assert_int_eq(vfs_name_casecmp("Foo.TXT", "foo.txt"), 0);
	ck_assert_int_ne(vfs_name_casecmp("abc", "abd"), 0);
	ck_assert_int_ne(vfs_name_casecmp("abc", "ab"), 0);
	ck_assert_int_ne(vfs_name_casecmp("", "a"), 0);
	/* the ASCII prefix orders as the decoder does, and hands over */
	ck_assert_int_lt(vfs_name_casecmp("abc", "ABD"), 0);
	ck_assert_int_gt(vfs_name_casecmp("ab_", "AB^"), 0);
	ck_assert_int_lt(vfs_name_casecmp("ab", "abc"), 0);
	ck_assert_int_gt(vfs_name_casecmp("a\xc3\xa4", "AZ"), 0);
	ck_assert_int_eq(vfs_name_casecmp("x\xc3\xa4Y", "X\xc3\x84y"), 0);
	ck_assert_int_eq(vfs_name_casecmp("a\xff", "A\xff"), 0);
	ck_assert_int_ne(vfs_name_casecmp("a\xff", "A\xfe"), 0);
	/* Latin-1, Cyrillic, Greek */
	ck_assert_int_eq(vfs_name_casecmp("\xc3\x84rger", "\xc3\xa4RGER"), 0);
	ck_assert_int_eq(vfs_name_casecmp("\xd0\x94\xd0\xb0",
					  "\xd0\xb4\xd0\x90"), 0);
	ck_assert_int_eq(vfs_name_casecmp("\xce\xa3", "\xcf\x83"), 0);
	ck_assert_int_ne(vfs_name_casecmp("\xc3\xa4", "a"), 0);
	/* malformed UTF-8 still compares */
	ck_assert_int_eq(vfs_name_casecmp("\xff" "a", "\xff" "A"), 0);
}
END_TEST

START_TEST(test_wildcard)
{
	ck_assert(vfs_wildcard_match("*", "anything.at.all"));
	ck_assert(!vfs_wildcard_match("*", ""));	/* MS-FSA: no empty name */
	ck_assert(vfs_wildcard_match("*.txt", "a.txt"));
	ck_assert(vfs_wildcard_match("*.txt", "A.TXT"));
	ck_assert(vfs_wildcard_match("*.TXT", "b.c.txt"));
	ck_assert(vfs_wildcard_match("*.txt", ".txt"));
	ck_assert(!vfs_wildcard_match("*.txt", "a.txt.bak"));
	ck_assert(!vfs_wildcard_match("*.txt", "atxt"));
	ck_assert(vfs_wildcard_match("a*b*c", "aXXbYYc"));
	ck_assert(!vfs_wildcard_match("a*b*c", "aXXbYY"));
	ck_assert(vfs_wildcard_match("exact", "EXACT"));
	ck_assert(!vfs_wildcard_match("exact", "exact2"));

	/* ? is exactly one character (a code point, not a byte) */
	ck_assert(vfs_wildcard_match("?", "a"));
	ck_assert(vfs_wildcard_match("?", "\xc3\xa9"));
	ck_assert(!vfs_wildcard_match("?", ""));
	ck_assert(!vfs_wildcard_match("?", "ab"));
	ck_assert(vfs_wildcard_match("a?c", "abc"));
	ck_assert(!vfs_wildcard_match("a?c", "ac"));

	/* > : one character, or nothing at a '.' or the end */
	ck_assert(vfs_wildcard_match("ab>", "ab"));
	ck_assert(vfs_wildcard_match("ab>", "abc"));
	ck_assert(!vfs_wildcard_match("ab>", "abcd"));
	ck_assert(vfs_wildcard_match(">>>>>>>>.txt", "ab.txt"));
	ck_assert(vfs_wildcard_match(">>>.>>>", "a.b"));
	ck_assert(!vfs_wildcard_match(">>.txt", "abc.txt"));

	/* < : any run that stops at, but does not take, the last '.' */
	ck_assert(vfs_wildcard_match("<.txt", "a.b.txt"));
	ck_assert(vfs_wildcard_match("<.txt", "a.txt"));
	ck_assert(vfs_wildcard_match("<", "noext"));
	ck_assert(!vfs_wildcard_match("<", "has.ext"));
	ck_assert(!vfs_wildcard_match("<txt", "a.txt"));
	ck_assert(!vfs_wildcard_match("<.txt", "a.txt.bak"));

	/* " : a '.' or nothing at the end */
	ck_assert(vfs_wildcard_match("foo\"", "foo"));
	ck_assert(vfs_wildcard_match("foo\"", "foo."));
	ck_assert(vfs_wildcard_match("foo\"txt", "foo.txt"));
	ck_assert(!vfs_wildcard_match("foo\"txt", "fooxtxt"));
	ck_assert(vfs_wildcard_match("<\"*", "a.b"));
}
END_TEST

/* One row of the wildcard table: pattern, name, expected. */
struct vt_wc {
	const char *pat;
	const char *name;
	bool match;
};

/*
 * MS-FSA 2.1.4.4 edge cases, one block per wildcard. The DOS ones are
 * what a Win32 client sends for "*.", "name.???" and the like.
 */
static const struct vt_wc vt_wc_table[] = {
	/* part 1 special cases */
	{ "*", "a", true }, { "*.*", "noext", true }, { "*.*", ".", true },
	{ "*.*x", "noext", false },
	/* * */
	{ "*a", "bba", true }, { "*a", "bab", false }, { "a*", "A", true },
	{ "**", "x.y", true }, { "*.*.*", "a.b", false },
	{ "*.*.*", "a..b", true },
	/* ? takes any one character, '.' included, never nothing */
	{ "a?b", "a.b", true }, { "??", "a", false }, { "a?", "a", false },
	/* > (DOS_QM) */
	{ ">", "a", true }, { ">", "", false }, { ">", ".", false },
	{ ">>", "a", true }, { ">.>", "a.b", true }, { ">.>", "ab.b", false },
	{ ">>>.txt", "a.txt", true }, { ">>>.txt", "abcd.txt", false },
	{ "a>>", "a.", false }, { ">b", ".b", false },
	{ "a>.c", "a.c", true },
	/* < (DOS_STAR) */
	{ "<", "a", true }, { "<", "a.", false }, { "<", ".", false },
	{ "<.", "a.", true }, { "<.", "a.b.", true }, { "<.b", "a.b.b", true },
	{ "<b", "a.b", false }, { "<.<", "a.b.c", true },
	{ "<\"", "abc", true }, { "<\"", "abc.", true },
	{ "<\"", "a.c", false }, { "<<", "a.b", false },
	{ "<*", "a.b", true }, { "<?", "a.b", false }, { "<??", "a.b", true },
	/* " (DOS_DOT) */
	{ "a\"", "a", true }, { "a\"", "a.", true }, { "a\"", "ab", false },
	{ "\"", "", false }, { "\"", ".", true }, { "a\"b", "a.b", true },
	{ "a\"\"", "a.", true }, { "a\"\"", "a..", true },
	/* case and code points */
	{ "\xc3\x89*", "\xc3\xa9t\xc3\xa9", true },
	{ "?", "\xd0\xb4", true },
};

START_TEST(test_wildcard_table)
{
	size_t i = 0;

	for (i = 0; i < sizeof(vt_wc_table) / sizeof(vt_wc_table[0]); i++) {
		const struct vt_wc *t = &vt_wc_table[i];

		ck_assert_msg(vfs_wildcard_match(t->pat, t->name) == t->match,
			      "\"%s\" vs \"%s\": expected %d", t->pat,
			      t->name, t->match);
	}
}
END_TEST

/*
 * The rules of MS-FSA 2.1.4.4 written as plain backtracking (exponential,
 * fine for short ASCII strings), to check the table-driven matcher on
 * random patterns.
 */
static bool vt_ref_match(const char *p, const char *n, const char *lastdot)
{
	switch (*p) {
	case '\0':
		return *n == '\0';
	case '*':
		return vt_ref_match(p + 1, n, lastdot) ||
		       (*n != '\0' && vt_ref_match(p, n + 1, lastdot));
	case '?':
		return *n != '\0' && vt_ref_match(p + 1, n + 1, lastdot);
	case '>':
		if (*n == '\0' || *n == '.') {
			return vt_ref_match(p + 1, n, lastdot);
		}
		return vt_ref_match(p + 1, n + 1, lastdot);
	case '"':
		if (*n == '\0') {
			return vt_ref_match(p + 1, n, lastdot);
		}
		return *n == '.' && vt_ref_match(p + 1, n + 1, lastdot);
	case '<':
		return vt_ref_match(p + 1, n, lastdot) ||
		       (*n != '\0' && n != lastdot &&
			vt_ref_match(p, n + 1, lastdot));
	default:
		return toupper((unsigned char)*n) ==
			       toupper((unsigned char)*p) &&
		       *n != '\0' && vt_ref_match(p + 1, n + 1, lastdot);
	}
}

START_TEST(test_wildcard_random)
{
	static const char pchars[] = "aAb.*?<>\"";
	static const char nchars[] = "aAb.";
	unsigned seed = 9;
	char pat[8];
	char name[8];
	int t = 0;

	for (t = 0; t < 5000; t++) {
		int pl = rand_r(&seed) % 7;
		int nl = 1 + rand_r(&seed) % 7;
		int i = 0;
		bool want = false;

		for (i = 0; i < pl; i++) {
			pat[i] = pchars[rand_r(&seed) % (sizeof(pchars) - 1)];
		}
		pat[pl] = '\0';
		for (i = 0; i < nl; i++) {
			name[i] = nchars[rand_r(&seed) % (sizeof(nchars) - 1)];
		}
		name[nl] = '\0';
		want = strcmp(pat, "*") == 0 || strcmp(pat, "*.*") == 0 ||
		       vt_ref_match(pat, name, strrchr(name, '.'));
		ck_assert_msg(vfs_wildcard_match(pat, name) == want,
			      "\"%s\" vs \"%s\": expected %d", pat, name,
			      want);
	}
}
END_TEST

/*
 * The worst case a client may send (255 UTF-16 units, the limit
 * QUERY_DIRECTORY enforces) against a 255-character name: with '<'
 * costing O(name) per cell this took about 0.5 s per entry at 32,000
 * units; now it is 255 x 255 steps.
 */
START_TEST(test_wildcard_long)
{
	char pat[256];
	char name[256];
	int i = 0;

	for (i = 0; i < 254; i++) {
		pat[i] = "<*>"[i % 3];
	}
	pat[254] = 'Z';
	pat[255] = '\0';
	memset(name, 'a', 255);
	name[100] = '.';
	name[255] = '\0';
	ck_assert(!vfs_wildcard_match(pat, name));
	name[254] = 'z';
	ck_assert(vfs_wildcard_match(pat, name));
	for (i = 0; i < 254; i++) {
		pat[i] = '<';
	}
	ck_assert(!vfs_wildcard_match(pat, name));
}
END_TEST

/* ---- worker pool ---- */

static bool vt_arg_freed;

struct vt_arg {
	int in;
	int out;
	unsigned sleep_ms;
	/* if set (not 0): the job writes a byte to started_fd, then waits
	 * for one on gate_fd, so a test decides when it ends */
	int started_fd, gate_fd;
};

static int vt_arg_destructor(struct vt_arg *a)
{
	vt_arg_freed = true;
	return 0;
}

static int vt_job(void *p)
{
	struct vt_arg *a = p;

	char c = 0;

	if (a->sleep_ms > 0) {
		usleep(a->sleep_ms * 1000);
	}
	if (a->started_fd > 0 && write(a->started_fd, "s", 1) != 1) {
		return -1;
	}
	if (a->gate_fd > 0 && read(a->gate_fd, &c, 1) != 1) {
		return -1;
	}
	a->out = a->in * 2;
	return a->in + 1;
}

static struct vt_arg *vt_arg_new(int in, unsigned sleep_ms)
{
	struct vt_arg *a = talloc_zero(wgt_root, struct vt_arg);

	ck_assert_ptr_nonnull(a);
	a->in = in;
	a->sleep_ms = sleep_ms;
	vt_arg_freed = false;
	talloc_set_destructor(a, vt_arg_destructor);
	return a;
}

static void vt_generic_job(struct smbd_workers *w)
{
	struct vt_arg *a = vt_arg_new(20, 0);
	struct tevent_req *req = NULL;
	void *back = NULL;

	req = smbd_job_send(wgt_root, wgt_ev, w, NULL, vt_job, a);
	ck_assert_ptr_nonnull(req);
	ck_assert(tevent_req_poll(req, wgt_ev));
	ck_assert_int_eq(smbd_job_recv(req, wgt_root, &back), 21);
	ck_assert_ptr_eq(back, a);
	ck_assert_int_eq(a->out, 40);
	talloc_free(req);
	ck_assert(!vt_arg_freed);
	talloc_free(a);
	ck_assert(vt_arg_freed);
}

START_TEST(test_workers_job)
{
	struct smbd_workers *w = smbd_workers_new(wgt_root, wgt_ev, 2);

	ck_assert_ptr_nonnull(w);
	vt_generic_job(w);
	ck_assert_uint_eq(smbd_workers_busy(w), 0);
	talloc_free(w);
	/* a NULL pool runs the job inline */
	vt_generic_job(NULL);
}
END_TEST

static void vt_io(struct smbd_workers *w)
{
	static const char data[] = "hello, worker pool";
	struct tevent_req *req = NULL;
	uint8_t *buf = NULL;
	char path[160];
	int fd = -1;

	snprintf(path, sizeof(path), "%s/io.bin", vt_rootpath);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);

	req = smbd_pwrite_send(wgt_root, wgt_ev, w, NULL, fd, data, 5, 10, 0);
	ck_assert(tevent_req_poll(req, wgt_ev));
	ck_assert_int_eq(smbd_pwrite_recv(req), 5);
	talloc_free(req);

	req = smbd_pwrite_send(wgt_root, wgt_ev, w, NULL, fd, data + 5,
			       sizeof(data) - 6, SMBD_PWRITE_APPEND,
			       SMBD_PWRITE_SYNC);
	ck_assert(tevent_req_poll(req, wgt_ev));
	ck_assert_int_eq(smbd_pwrite_recv(req), (ssize_t)sizeof(data) - 6);
	talloc_free(req);

	req = smbd_fsync_send(wgt_root, wgt_ev, w, NULL, fd);
	ck_assert(tevent_req_poll(req, wgt_ev));
	ck_assert_int_eq(smbd_fsync_recv(req), 0);
	talloc_free(req);

	/* close our fd while the read is in flight: the job has its own */
	req = smbd_pread_send(wgt_root, wgt_ev, w, NULL, fd, 100, 10);
	close(fd);
	ck_assert(tevent_req_poll(req, wgt_ev));
	ck_assert_int_eq(smbd_pread_recv(req, wgt_root, &buf),
			 (ssize_t)sizeof(data) - 1);
	talloc_free(req);
	ck_assert(memcmp(buf, data, sizeof(data) - 1) == 0);
	ck_assert_ptr_eq(talloc_parent(buf), wgt_root);
	talloc_free(buf);

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	/* at end of file: 0 bytes and no buffer */
	req = smbd_pread_send(wgt_root, wgt_ev, w, NULL, fd, 100, 1000);
	ck_assert(tevent_req_poll(req, wgt_ev));
	ck_assert_int_eq(smbd_pread_recv(req, wgt_root, &buf), 0);
	ck_assert_ptr_null(buf);
	talloc_free(req);
	close(fd);

	/* a bad fd fails cleanly */
	req = smbd_pread_send(wgt_root, wgt_ev, w, NULL, 12345, 10, 0);
	ck_assert(tevent_req_poll(req, wgt_ev));
	ck_assert_int_eq(smbd_pread_recv(req, wgt_root, &buf), -EBADF);
	talloc_free(req);
}

static bool vt_hold_freed;

static int vt_hold_destructor(uint8_t *p)
{
	vt_hold_freed = true;
	return 0;
}

/* pwrite without a copy: the job writes from the memory it was given,
 * and frees it when done, also when it fails */
static void vt_io_owned(struct smbd_workers *w)
{
	struct tevent_req *req = NULL;
	uint8_t *hold = NULL;
	char path[160];
	char got[8] = "";
	int fd = -1;

	snprintf(path, sizeof(path), "%s/owned.bin", vt_rootpath);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	hold = talloc_array(NULL, uint8_t, 16);
	memcpy(hold, "..frame-data....", 16);
	talloc_set_destructor(hold, vt_hold_destructor);
	vt_hold_freed = false;
	req = smbd_pwrite_send_owned(wgt_root, wgt_ev, w, NULL, fd, hold,
				     hold + 2, 10, 3, 0);
	ck_assert(tevent_req_poll(req, wgt_ev));
	ck_assert_int_eq(smbd_pwrite_recv(req), 10);
	talloc_free(req);
	ck_assert(vt_hold_freed);
	ck_assert_int_eq(pread(fd, got, 7, 3), 7);
	ck_assert(memcmp(got, "frame-d", 7) == 0);
	close(fd);

	hold = talloc_array(NULL, uint8_t, 4);
	talloc_set_destructor(hold, vt_hold_destructor);
	vt_hold_freed = false;
	req = smbd_pwrite_send_owned(wgt_root, wgt_ev, w, NULL, 12345, hold,
				     hold, 4, 0, 0);
	ck_assert(tevent_req_poll(req, wgt_ev));
	ck_assert_int_eq(smbd_pwrite_recv(req), -EBADF);
	talloc_free(req);
	ck_assert(vt_hold_freed);
}

START_TEST(test_workers_io)
{
	struct smbd_workers *w = smbd_workers_new(wgt_root, wgt_ev, 3);

	ck_assert_ptr_nonnull(w);
	vt_io(w);
	vt_io_owned(w);
	talloc_free(w);
	vt_io(NULL);
	vt_io_owned(NULL);
}
END_TEST

START_TEST(test_workers_orphan)
{
	struct smbd_workers *w = smbd_workers_new(wgt_root, wgt_ev, 1);
	struct tevent_req *req = NULL;
	struct tevent_req *queued = NULL;
	struct vt_arg *a = NULL;
	int started[2] = { -1, -1 }, gate[2] = { -1, -1 };
	char c = 0;

	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(pipe(started), 0);
	ck_assert_int_eq(pipe(gate), 0);
	/* one running job, held until the test opens its gate (no timing:
	 * a loaded machine must not make it finish early), one queued */
	a = vt_arg_new(1, 0);
	a->started_fd = started[1];
	a->gate_fd = gate[0];
	req = smbd_job_send(wgt_root, wgt_ev, w, NULL, vt_job, a);
	ck_assert_ptr_nonnull(req);
	ck_assert_int_eq(read(started[0], &c, 1), 1);
	queued = smbd_job_send(wgt_root, wgt_ev, w, NULL, vt_job,
			       talloc_zero(wgt_root, struct vt_arg));
	ck_assert_uint_eq(smbd_workers_busy(w), 2);

	/* the caller goes away while the job runs */
	talloc_free(req);
	ck_assert(!vt_arg_freed);
	/* the queued one is dropped at once */
	talloc_free(queued);
	ck_assert_uint_eq(smbd_workers_busy(w), 1);

	/* the orphan finishes and is freed on the loop */
	ck_assert_int_eq(write(gate[1], "g", 1), 1);
	while (!vt_arg_freed) {
		ck_assert_int_eq(tevent_loop_once(wgt_ev), 0);
	}
	ck_assert_uint_eq(smbd_workers_busy(w), 0);
	talloc_free(w);
	close(started[0]);
	close(started[1]);
	close(gate[0]);
	close(gate[1]);
}
END_TEST

START_TEST(test_workers_shutdown_joins)
{
	struct smbd_workers *w = smbd_workers_new(wgt_root, wgt_ev, 2);
	struct tevent_req *req = NULL;
	struct vt_arg *a = vt_arg_new(1, 100);

	ck_assert_ptr_nonnull(w);
	req = smbd_job_send(wgt_root, wgt_ev, w, NULL, vt_job, a);
	ck_assert_ptr_nonnull(req);
	usleep(20 * 1000);
	/* freeing the pool waits for the running job and frees it */
	talloc_free(w);
	ck_assert(vt_arg_freed);
	ck_assert(tevent_req_is_in_progress(req));
	talloc_free(req);
}
END_TEST

START_TEST(test_workers_close_fd)
{
	struct smbd_workers *w = smbd_workers_new(wgt_root, wgt_ev, 1);
	char path[160];
	int fd = -1;

	ck_assert_ptr_nonnull(w);
	snprintf(path, sizeof(path), "%s/c.bin", vt_rootpath);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	smbd_workers_close_fd(w, fd, true);
	while (smbd_workers_busy(w) > 0) {
		usleep(1000);
	}
	/*
	 * the fd is gone once the job ran, the loop not run: the worker
	 * closed it (a file's last close may free its extents)
	 */
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
	talloc_free(w);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	smbd_workers_close_fd(NULL, fd, false);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
}
END_TEST

/*
 * Fairness: owner A queues 50 jobs that block on a gate; owner B's one
 * job must still run while the gate is shut (A holds at most its share
 * of the 4 threads), and A never runs more than its share at once.
 */
static pthread_mutex_t vt_gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t vt_gate_cv = PTHREAD_COND_INITIALIZER;
static bool vt_gate_open;
static atomic_int vt_a_running;
static atomic_int vt_a_max;
static atomic_int vt_a_done;

static int vt_gated_job(void *p)
{
	int now = atomic_fetch_add(&vt_a_running, 1) + 1;
	int max = atomic_load(&vt_a_max);

	while (now > max &&
	       !atomic_compare_exchange_weak(&vt_a_max, &max, now)) {
	}
	pthread_mutex_lock(&vt_gate_mu);
	while (!vt_gate_open) {
		pthread_cond_wait(&vt_gate_cv, &vt_gate_mu);
	}
	pthread_mutex_unlock(&vt_gate_mu);
	atomic_fetch_sub(&vt_a_running, 1);
	atomic_fetch_add(&vt_a_done, 1);
	return 0;
}

static void vt_gate_set(bool open)
{
	pthread_mutex_lock(&vt_gate_mu);
	vt_gate_open = open;
	pthread_cond_broadcast(&vt_gate_cv);
	pthread_mutex_unlock(&vt_gate_mu);
}

static unsigned vt_hook_calls;
static const void *vt_hook_owner;

static void vt_wait_hook(const void *owner, unsigned share, void *data)
{
	vt_hook_calls++;
	vt_hook_owner = owner;
	ck_assert_uint_eq(share, 2);
	ck_assert_ptr_eq(data, wgt_root);
}

static void vt_timeout(struct tevent_context *ev, struct tevent_timer *te,
		       struct timeval now, void *priv)
{
	*(bool *)priv = true;
}

START_TEST(test_workers_fair)
{
	static int key_a;
	static int key_b;
	struct smbd_workers *w = smbd_workers_new(wgt_root, wgt_ev, 4);
	struct tevent_req *a_reqs[50];
	struct tevent_req *b_req = NULL;
	struct tevent_timer *te = NULL;
	bool timed_out = false;
	int a_done = 0;
	int a_max = 0;
	size_t i = 0;

	ck_assert_ptr_nonnull(w);
	ck_assert_uint_eq(smbd_workers_share(w), 2);
	smbd_workers_set_wait_hook(w, vt_wait_hook, wgt_root);
	vt_gate_set(false);
	atomic_store(&vt_a_running, 0);
	atomic_store(&vt_a_max, 0);
	atomic_store(&vt_a_done, 0);
	vt_hook_calls = 0;
	vt_hook_owner = NULL;
	for (i = 0; i < 50; i++) {
		a_reqs[i] = smbd_job_send(wgt_root, wgt_ev, w, &key_a,
					  vt_gated_job, NULL);
		ck_assert_ptr_nonnull(a_reqs[i]);
	}
	b_req = smbd_job_send(wgt_root, wgt_ev, w, &key_b, vt_job,
			      vt_arg_new(5, 0));
	ck_assert_ptr_nonnull(b_req);

	/* B completes although A's 50 jobs are all stuck behind the gate */
	te = tevent_add_timer(wgt_ev, wgt_root,
			      tevent_timeval_current_ofs(10, 0), vt_timeout,
			      &timed_out);
	while (tevent_req_is_in_progress(b_req) && !timed_out) {
		ck_assert_int_eq(tevent_loop_once(wgt_ev), 0);
	}
	ck_assert(!timed_out);
	ck_assert_int_eq(smbd_job_recv(b_req, NULL, NULL), 6);
	talloc_free(b_req);
	a_done = atomic_load(&vt_a_done);
	a_max = atomic_load(&vt_a_max);
	ck_assert_int_eq(a_done, 0);
	ck_assert_int_le(a_max, 2);
	/* an idle worker passed A over: one wait episode, reported once */
	while (vt_hook_calls == 0 && !timed_out) {
		ck_assert_int_eq(tevent_loop_once(wgt_ev), 0);
	}
	ck_assert_uint_eq(vt_hook_calls, 1);
	ck_assert_ptr_eq(vt_hook_owner, &key_a);

	vt_gate_set(true);
	for (i = 0; i < 50; i++) {
		ck_assert(tevent_req_poll(a_reqs[i], wgt_ev));
		ck_assert_int_eq(smbd_job_recv(a_reqs[i], NULL, NULL), 0);
		talloc_free(a_reqs[i]);
	}
	a_done = atomic_load(&vt_a_done);
	a_max = atomic_load(&vt_a_max);
	ck_assert_int_eq(a_done, 50);
	ck_assert_int_eq(a_max, 2);
	ck_assert_uint_eq(vt_hook_calls, 1);
	ck_assert_uint_eq(smbd_workers_busy(w), 0);
	talloc_free(te);
	talloc_free(w);
}
END_TEST

static void *vt_gate_opener(void *p)
{
	usleep(50 * 1000);
	vt_gate_set(true);
	return NULL;
}

/*
 * A pool freed while one owner's jobs are held back for its share: the
 * workers that found nothing they could take went back to sleep, and
 * the two running A's jobs take the held ones themselves, waking no
 * one. When the queue drains the sleepers must still be told to stop,
 * or talloc_free() waits for them forever (the Check timeout fails it).
 */
START_TEST(test_workers_stop_held)
{
	static int key_a;
	struct smbd_workers *w = smbd_workers_new(wgt_root, wgt_ev, 4);
	struct tevent_req *a_reqs[6];
	pthread_t opener;
	size_t i = 0;

	ck_assert_ptr_nonnull(w);
	vt_gate_set(false);
	atomic_store(&vt_a_running, 0);
	atomic_store(&vt_a_max, 0);
	atomic_store(&vt_a_done, 0);
	for (i = 0; i < 6; i++) {
		a_reqs[i] = smbd_job_send(wgt_root, wgt_ev, w, &key_a,
					  vt_gated_job, NULL);
		ck_assert_ptr_nonnull(a_reqs[i]);
	}
	while (atomic_load(&vt_a_running) < 2) {
		usleep(1000);
	}
	usleep(20 * 1000);	/* the idle two pass A over and sleep */
	ck_assert_int_eq(pthread_create(&opener, NULL, vt_gate_opener,
					NULL), 0);
	talloc_free(w);
	ck_assert_int_eq(pthread_join(opener, NULL), 0);
	ck_assert_int_eq(atomic_load(&vt_a_done), 6);
	ck_assert_int_eq(atomic_load(&vt_a_max), 2);
	for (i = 0; i < 6; i++) {
		talloc_free(a_reqs[i]);
	}
}
END_TEST

/* The nice value of the thread that runs the job. */
static int vt_nice_job(void *p)
{
	errno = 0;
	return getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
}

/* A pool made with a nice value runs its jobs at it; the plain one at 0. */
START_TEST(test_workers_nice)
{
	struct smbd_workers *low = smbd_workers_new_nice(wgt_root, wgt_ev, 1,
							 10);
	struct smbd_workers *plain = smbd_workers_new(wgt_root, wgt_ev, 1);
	struct tevent_req *r1 = NULL, *r2 = NULL;
	int base = getpriority(PRIO_PROCESS, 0);

	ck_assert_ptr_nonnull(low);
	ck_assert_ptr_nonnull(plain);
	r1 = smbd_job_send(wgt_root, wgt_ev, low, NULL, vt_nice_job, NULL);
	r2 = smbd_job_send(wgt_root, wgt_ev, plain, NULL, vt_nice_job, NULL);
	ck_assert(tevent_req_poll(r1, wgt_ev));
	ck_assert(tevent_req_poll(r2, wgt_ev));
	ck_assert_int_eq(smbd_job_recv(r1, NULL, NULL), base > 10 ? base : 10);
	ck_assert_int_eq(smbd_job_recv(r2, NULL, NULL), base);
	talloc_free(r1);
	talloc_free(r2);
	talloc_free(low);
	talloc_free(plain);
}
END_TEST

/*
 * Round-robin: with one thread, A's queue of 20 and B's and C's jobs
 * queued after it, B and C run among the first three jobs.
 */
static atomic_int vt_order_next;

struct vt_order {
	int pos;
};

static int vt_order_job(void *p)
{
	struct vt_order *o = p;

	o->pos = atomic_fetch_add(&vt_order_next, 1);
	usleep(1000);
	return 0;
}

START_TEST(test_workers_round_robin)
{
	static int keys[3];
	struct smbd_workers *w = smbd_workers_new(wgt_root, wgt_ev, 1);
	struct tevent_req *reqs[22];
	struct vt_order *args[22];
	size_t i = 0;

	ck_assert_ptr_nonnull(w);
	ck_assert_uint_eq(smbd_workers_share(w), 1);
	atomic_store(&vt_order_next, 0);
	for (i = 0; i < 22; i++) {
		const void *key = i < 20 ? &keys[0] : &keys[i - 19];

		args[i] = talloc_zero(wgt_root, struct vt_order);
		ck_assert_ptr_nonnull(args[i]);
		reqs[i] = smbd_job_send(wgt_root, wgt_ev, w, key,
					vt_order_job, args[i]);
		ck_assert_ptr_nonnull(reqs[i]);
	}
	for (i = 0; i < 22; i++) {
		void *back = NULL;

		ck_assert(tevent_req_poll(reqs[i], wgt_ev));
		ck_assert_int_eq(smbd_job_recv(reqs[i], wgt_root, &back), 0);
		ck_assert_ptr_eq(back, args[i]);
		talloc_free(reqs[i]);
	}
	/* B (20) and C (21) were not kept behind A's queue */
	ck_assert_int_lt(args[20]->pos, 4);
	ck_assert_int_lt(args[21]->pos, 4);
	/* A's own jobs kept their order */
	for (i = 1; i < 20; i++) {
		ck_assert_int_lt(args[i - 1]->pos, args[i]->pos);
	}
	for (i = 0; i < 22; i++) {
		talloc_free(args[i]);
	}
	talloc_free(w);
}
END_TEST

/* vfs_resolve() on worker threads, each in a talloc hierarchy of its own
 * (what CREATE does). */
struct vt_resolve {
	int root_fd;
	const char *rel;
	TALLOC_CTX *res;
	char *ondisk;
	NTSTATUS status;
};

static int vt_resolve_job(void *p)
{
	struct vt_resolve *r = p;

	r->res = talloc_new(NULL);
	if (r->res == NULL) {
		return -ENOMEM;
	}
	r->status = vfs_resolve(r->res, r->root_fd, r->rel, &r->ondisk);
	return 0;
}

START_TEST(test_workers_resolve)
{
	static const char *names[] = { "foo/bar.TXT", "FOO/SUB", "x/y" };
	struct smbd_workers *w = smbd_workers_new(wgt_root, wgt_ev, 3);
	struct tevent_req *reqs[12];
	size_t i = 0;

	ck_assert_ptr_nonnull(w);
	for (i = 0; i < 12; i++) {
		struct vt_resolve *r = talloc_zero(wgt_root, struct vt_resolve);

		r->root_fd = vt_root;
		r->rel = names[i % 3];
		reqs[i] = smbd_job_send(wgt_root, wgt_ev, w, NULL,
					vt_resolve_job, r);
		ck_assert_ptr_nonnull(reqs[i]);
	}
	for (i = 0; i < 12; i++) {
		struct vt_resolve *r = NULL;

		ck_assert(tevent_req_poll(reqs[i], wgt_ev));
		ck_assert_int_eq(smbd_job_recv(reqs[i], wgt_root, (void **)&r),
				 0);
		talloc_free(reqs[i]);
		switch (i % 3) {
		case 0:
			ck_assert_uint_eq(r->status, NT_STATUS_OK);
			ck_assert_str_eq(r->ondisk, "Foo/BAR.txt");
			break;
		case 1:
			ck_assert_uint_eq(r->status, NT_STATUS_OK);
			ck_assert_str_eq(r->ondisk, "Foo/sub");
			break;
		default:
			ck_assert_uint_eq(r->status,
					  NT_STATUS_OBJECT_PATH_NOT_FOUND);
			break;
		}
		talloc_free(r->res);
		talloc_free(r);
	}
	talloc_free(w);
}
END_TEST

static Suite *vfs_suite(void)
{
	Suite *s = suite_create("vfs");
	TCase *tc = tcase_create("vfs");
	TCase *tw = tcase_create("workers");

	tcase_add_checked_fixture(tc, vt_setup, vt_teardown);
	tcase_add_test(tc, test_canonicalize);
	tcase_add_test(tc, test_canonicalize_long_component);
	tcase_add_test(tc, test_open_beneath_escapes);
	tcase_add_test(tc, test_open_parent);
	tcase_add_test(tc, test_resolve_case);
	tcase_add_test(tc, test_resolve_missing);
	tcase_add_test(tc, test_resolve_short_name);
	tcase_add_test(tc, test_resolve_escape);
	tcase_add_test(tc, test_map_errno);
	tcase_add_test(tc, test_casecmp);
	tcase_add_test(tc, test_wildcard);
	tcase_add_test(tc, test_wildcard_table);
	tcase_add_test(tc, test_wildcard_random);
	tcase_add_test(tc, test_wildcard_long);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tw, vt_setup, vt_teardown);
	tcase_add_test(tw, test_workers_job);
	tcase_add_test(tw, test_workers_io);
	tcase_add_test(tw, test_workers_orphan);
	tcase_add_test(tw, test_workers_shutdown_joins);
	tcase_add_test(tw, test_workers_close_fd);
	tcase_add_test(tw, test_workers_resolve);
	tcase_add_test(tw, test_workers_fair);
	tcase_add_test(tw, test_workers_stop_held);
	tcase_add_test(tw, test_workers_nice);
	tcase_add_test(tw, test_workers_round_robin);
	suite_add_tcase(s, tw);
	return s;
}

WGT_MAIN(vfs_suite)
