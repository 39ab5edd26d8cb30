/*
 * test_streams.c - the stream-name parser (name:stream:type, invalid
 * characters, ::$DATA, case) and the per-file stream store: lookup,
 * listing, the generation marker that drops another file's streams, the
 * per-file budget and removal with the base file.
 */
#include "tests/wgtest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smbd/fs/streams.h"

/* ---- the parser ---- */

struct split_case {
	const char *in;
	NTSTATUS status;
	const char *base;
	const char *stream;	/* NULL: no stream part */
};

static const struct split_case split_cases[] = {
	{ "file.txt", NT_STATUS_OK, "file.txt", NULL },
	{ "dir\\file.txt", NT_STATUS_OK, "dir\\file.txt", NULL },
	{ "", NT_STATUS_OK, "", NULL },
	{ "f:s", NT_STATUS_OK, "f", "s" },
	{ "dir\\f:Stream One", NT_STATUS_OK, "dir\\f", "Stream One" },
	{ "f:Zone.Identifier:$DATA", NT_STATUS_OK, "f", "Zone.Identifier" },
	/* the type in any case */
	{ "f:Second Stream:$DaTa", NT_STATUS_OK, "f", "Second Stream" },
	{ "f:s:$data", NT_STATUS_OK, "f", "s" },
	/* the unnamed data stream: the file itself */
	{ "f::$DATA", NT_STATUS_OK, "f", "" },
	{ "dir::$data", NT_STATUS_OK, "dir", "" },
	/* wildcards and controls are legal in stream names */
	{ "f:?Stream*", NT_STATUS_OK, "f", "?Stream*" },
	{ "f:\x05Stream\n One", NT_STATUS_OK, "f", "\x05Stream\n One" },
	{ "f:AFP_Resource", NT_STATUS_OK, "f", "AFP_Resource" },
	/* refused */
	{ "f:", NT_STATUS_OBJECT_NAME_INVALID, NULL, NULL },
	{ "f:s:", NT_STATUS_OBJECT_NAME_INVALID, NULL, NULL },
	{ "f::", NT_STATUS_OBJECT_NAME_INVALID, NULL, NULL },
	{ "f:s:$FOO", NT_STATUS_OBJECT_NAME_INVALID, NULL, NULL },
	{ "f:s:?D*a", NT_STATUS_OBJECT_NAME_INVALID, NULL, NULL },
	{ "f:s:$DATA:x", NT_STATUS_OBJECT_NAME_INVALID, NULL, NULL },
	{ "f:s:$DATAX", NT_STATUS_OBJECT_NAME_INVALID, NULL, NULL },
	{ ":s", NT_STATUS_OBJECT_NAME_INVALID, NULL, NULL },
	{ "::$DATA", NT_STATUS_OBJECT_NAME_INVALID, NULL, NULL },
	{ "f:s\\x", NT_STATUS_OBJECT_NAME_INVALID, NULL, NULL },
	{ "f:s/x", NT_STATUS_OBJECT_NAME_INVALID, NULL, NULL },
	{ "dir:s\\file", NT_STATUS_OBJECT_NAME_INVALID, NULL, NULL },
	{ "f:.", NT_STATUS_OBJECT_NAME_INVALID, NULL, NULL },
	{ "f:..", NT_STATUS_OBJECT_NAME_INVALID, NULL, NULL },
	{ "f:.:$DATA", NT_STATUS_OBJECT_NAME_INVALID, NULL, NULL },
};

START_TEST(test_split_table)
{
	size_t i = 0;

	for (i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		const struct split_case *c = &split_cases[i];
		char *base = NULL;
		char *stream = NULL;
		NTSTATUS st = streams_split(wgt_root, c->in, &base, &stream);

		ck_assert_msg(st == c->status, "'%s': 0x%08x, expected 0x%08x",
			      c->in, st, c->status);
		if (st != NT_STATUS_OK) {
			ck_assert_ptr_null(base);
			ck_assert_ptr_null(stream);
			continue;
		}
		ck_assert_str_eq(base, c->base);
		if (c->stream == NULL) {
			ck_assert_ptr_null(stream);
		} else {
			ck_assert_ptr_nonnull(stream);
			ck_assert_str_eq(stream, c->stream);
		}
		talloc_free(base);
		talloc_free(stream);
	}
}
END_TEST

/* 255 UTF-16 units is the longest name; 256 is refused, in ASCII and
 * in 2-byte and 4-byte (surrogate pair) UTF-8. */
START_TEST(test_split_lengths)
{
	char name[1200];
	char *base = NULL;
	char *stream = NULL;
	size_t i = 0;

	memcpy(name, "f:", 2);
	for (i = 0; i < 255; i++) {
		name[2 + i] = 'a';
	}
	name[2 + 255] = '\0';
	ck_assert_int_eq(streams_split(wgt_root, name, &base, &stream),
			 NT_STATUS_OK);
	ck_assert_uint_eq(strlen(stream), 255);
	talloc_free(base);
	talloc_free(stream);
	strcat(name, "a");
	ck_assert_int_eq(streams_split(wgt_root, name, &base, &stream),
			 NT_STATUS_OBJECT_NAME_INVALID);
	/* 128 two-byte characters: 128 units but 256 bytes on disk */
	for (i = 0; i < 128; i++) {
		memcpy(name + 2 + 2 * i, "\xc3\xa9", 2);
	}
	name[2 + 256] = '\0';
	ck_assert_int_eq(streams_split(wgt_root, name, &base, &stream),
			 NT_STATUS_OBJECT_NAME_INVALID);
	/* 63 four-byte characters: 126 units, 252 bytes */
	for (i = 0; i < 63; i++) {
		memcpy(name + 2 + 4 * i, "\xf0\x9f\x98\x80", 4);
	}
	name[2 + 252] = '\0';
	ck_assert_int_eq(streams_split(wgt_root, name, &base, &stream),
			 NT_STATUS_OK);
	talloc_free(base);
	talloc_free(stream);
}
END_TEST

/* Every prefix of a valid name parses or fails cleanly, leaking nothing. */
START_TEST(test_split_truncation)
{
	static const char full[] = "dir\\file.txt:Zone.Identifier:$DATA";
	char buf[sizeof(full)];
	size_t n = 0;

	for (n = 0; n <= strlen(full); n++) {
		char *base = NULL;
		char *stream = NULL;
		NTSTATUS st = NT_STATUS_OK;

		memcpy(buf, full, n);
		buf[n] = '\0';
		st = streams_split(wgt_root, buf, &base, &stream);
		if (st == NT_STATUS_OK) {
			ck_assert_ptr_nonnull(base);
		} else {
			ck_assert_int_eq(st, NT_STATUS_OBJECT_NAME_INVALID);
		}
		talloc_free(base);
		talloc_free(stream);
	}
}
END_TEST

/* ---- the store ---- */

static char st_root[64];
static int st_rootfd = -1;

static void st_setup(void)
{
	wgt_setup();
	snprintf(st_root, sizeof(st_root), "/tmp/wgstreams.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(st_root));
	st_rootfd = open(st_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(st_rootfd, 0);
}

static void st_teardown(void)
{
	char cmd[128];

	close(st_rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", st_root);
	ck_assert_int_eq(system(cmd), 0);
	wgt_teardown();
}

/* Create root/name and return an O_PATH fd on it, with its stat. */
static int base_file(const char *name, struct stat *st)
{
	int fd = openat(st_rootfd, name, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, st), 0);
	return fd;
}

/* Create stream name of base in the store, holding text. */
static void put_stream(int bfd, const struct stat *bst, const char *name,
		       const char *text)
{
	char *ondisk = NULL;
	int fd = -1;

	ck_assert_int_eq(streams_prepare(st_rootfd, bfd, bst), 0);
	ck_assert_int_eq(streams_resolve(wgt_root, st_rootfd, bfd, bst, name,
					 &ondisk),
			 NT_STATUS_OBJECT_NAME_NOT_FOUND);
	fd = openat(st_rootfd, ondisk, O_RDWR | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	talloc_free(ondisk);
}

START_TEST(test_store_roundtrip)
{
	struct streams_entry *v = NULL;
	struct stat bst;
	char *ondisk = NULL;
	char *dir = NULL;
	size_t n = 0;
	int bfd = base_file("f", &bst);

	/* nothing yet */
	ck_assert_int_eq(streams_list(wgt_root, st_rootfd, bfd, &bst, &v, &n),
			 0);
	ck_assert_uint_eq(n, 0);
	put_stream(bfd, &bst, "Zone.Identifier",
		   "[ZoneTransfer]\r\nZoneId=3\r\n");
	/* found case-insensitively, in the case it was created with */
	ck_assert_int_eq(streams_resolve(wgt_root, st_rootfd, bfd, &bst,
					 "ZONE.IDENTIFIER", &ondisk),
			 NT_STATUS_OK);
	dir = streams_dir_rel(wgt_root, bst.st_dev, bst.st_ino);
	ck_assert_ptr_nonnull(strstr(ondisk, "/Zone.Identifier"));
	ck_assert_int_eq(strncmp(ondisk, dir, strlen(dir)), 0);
	ck_assert_int_eq(strncmp(dir, STREAMS_STORE "/", 15), 0);
	talloc_free(ondisk);
	talloc_free(dir);
	ck_assert_int_eq(streams_list(wgt_root, st_rootfd, bfd, &bst, &v, &n),
			 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].name, "Zone.Identifier");
	ck_assert_uint_eq(v[0].size, 26);
	talloc_free(v);
	/* the base goes: so do its streams and their directory */
	ck_assert_int_eq(streams_remove_all(st_rootfd, bst.st_dev,
					    bst.st_ino), 0);
	ck_assert_int_eq(streams_list(wgt_root, st_rootfd, bfd, &bst, &v, &n),
			 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(streams_remove_all(st_rootfd, bst.st_dev,
					    bst.st_ino), 0);
	close(bfd);
}
END_TEST

/*
 * A per-file directory whose generation marker is not the base's (the
 * inode was another file's, deleted by a local program) is emptied:
 * none of its streams shows.
 */
START_TEST(test_store_stale)
{
	struct streams_entry *v = NULL;
	struct stat bst;
	char *dir = NULL;
	char *path = NULL;
	char *ondisk = NULL;
	size_t n = 0;
	int bfd = base_file("g", &bst);
	int fd = -1;

	put_stream(bfd, &bst, "old", "left over");
	dir = streams_dir_rel(wgt_root, bst.st_dev, bst.st_ino);
	/* make the marker another file's */
	path = talloc_asprintf(wgt_root, "%s/%s", st_root, dir);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	{
		char cmd[512];

		snprintf(cmd, sizeof(cmd),
			 "cd '%s' && for m in :gen-*; do mv \"$m\" ':gen-1.1'; "
			 "done", path);
		ck_assert_int_eq(system(cmd), 0);
	}
	close(fd);
	ck_assert_int_eq(streams_resolve(wgt_root, st_rootfd, bfd, &bst, "old",
					 &ondisk),
			 NT_STATUS_OBJECT_NAME_NOT_FOUND);
	talloc_free(ondisk);
	ck_assert_int_eq(streams_list(wgt_root, st_rootfd, bfd, &bst, &v, &n),
			 0);
	ck_assert_uint_eq(n, 0);
	talloc_free(path);
	talloc_free(dir);
	close(bfd);
}
END_TEST

/* STREAMS_MAX_PER_FILE streams fit, the next is refused with EDQUOT. */
START_TEST(test_store_budget)
{
	struct stat bst;
	int bfd = base_file("h", &bst);
	int i = 0;

	for (i = 0; i < STREAMS_MAX_PER_FILE; i++) {
		char name[16];

		snprintf(name, sizeof(name), "s%d", i);
		put_stream(bfd, &bst, name, "x");
	}
	ck_assert_int_eq(streams_prepare(st_rootfd, bfd, &bst), -EDQUOT);
	close(bfd);
}
END_TEST

static Suite *streams_suite(void)
{
	Suite *s = suite_create("streams");
	TCase *tp = tcase_create("split");
	TCase *ts = tcase_create("store");

	tcase_add_checked_fixture(tp, wgt_setup, wgt_teardown);
	tcase_add_test(tp, test_split_table);
	tcase_add_test(tp, test_split_lengths);
	tcase_add_test(tp, test_split_truncation);
	suite_add_tcase(s, tp);

	tcase_add_checked_fixture(ts, st_setup, st_teardown);
	tcase_add_test(ts, test_store_roundtrip);
	tcase_add_test(ts, test_store_stale);
	tcase_add_test(ts, test_store_budget);
	suite_add_tcase(s, ts);
	return s;
}

WGT_MAIN(streams_suite)
