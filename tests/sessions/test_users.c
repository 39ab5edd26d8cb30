/*
 * test_users.c - the users file: format, lookups, edits, atomic save.
 */
#include "tests/wgtest.h"
#include "sessions/users.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Most cases are written in the old format, which must keep loading. */
#define HDR USERS_FILE_HEADER_V1 "\n"
#define HDR2 USERS_FILE_HEADER "\n"
#define H1 "8846F7EAEE8FB117AD06BDD830B7586C"
#define H2 "0CB6948805F797BF2A82807973B89537"
#define X16 "xxxxxxxxxxxxxxxx"

static char *dir;	/* a fresh directory per test */
static char *path;	/* dir/users */

static void setup(void)
{
	wgt_setup();
	dir = talloc_strdup(NULL, "/tmp/wgsmb-users-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = talloc_asprintf(NULL, "%s/users", dir);
}

static void teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *e = NULL;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char *p = NULL;

		if (e->d_name[0] == '.') {
			continue;
		}
		p = talloc_asprintf(NULL, "%s/%s", dir, e->d_name);
		unlink(p);
		rmdir(p);
		talloc_free(p);
	}
	if (d != NULL) {
		closedir(d);
	}
	rmdir(dir);
	TALLOC_FREE(path);
	TALLOC_FREE(dir);
	wgt_teardown();
}

static void write_file(const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

/* Same as write_file but for content with NUL bytes. */
static void write_bytes(const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
	close(fd);
}

static char *read_text(TALLOC_CTX *mem)
{
	char buf[4096] = { 0 };
	int fd = open(path, O_RDONLY);
	ssize_t n = 0;

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_ge(n, 0);
	close(fd);
	return talloc_strndup(mem, buf, (size_t)n);
}

static void hash_of(const char *hex, uint8_t out[16])
{
	size_t n = 0;
	uint8_t *b = wgt_hex(wgt_root, hex, &n);

	ck_assert_uint_eq(n, 16);
	memcpy(out, b, 16);
	talloc_free(b);
}

/* Load path expecting failure; the message must equal path + suffix. */
static void ck_load_error(const char *suffix)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	char *err = NULL;
	char *want = talloc_asprintf(mem, "%s%s", path, suffix);
	struct users_db *db = users_load(mem, path, &err);

	ck_assert_ptr_null(db);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err, want);
	talloc_free(mem);
}

START_TEST(test_missing_file)
{
	char *err = NULL;
	struct users_db *db = users_load(wgt_root, path, &err);

	ck_assert_ptr_nonnull(db);
	ck_assert_ptr_null(err);
	ck_assert_uint_eq(users_count(db), 0);
	ck_assert_ptr_null(users_name_at(db, 0));
	ck_assert_int_eq(users_lookup(db, "alice", NULL, NULL), -ENOENT);
	ck_assert(!users_changed(path, db));
	write_file(HDR, 0600);
	ck_assert(users_changed(path, db));
	talloc_free(db);
}
END_TEST

START_TEST(test_empty_and_header_only)
{
	char *err = NULL;
	struct users_db *db = NULL;

	write_file("", 0600);
	db = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db);
	ck_assert_uint_eq(users_count(db), 0);
	talloc_free(db);
	write_file(USERS_FILE_HEADER, 0600);	/* no final newline */
	db = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db);
	ck_assert_uint_eq(users_count(db), 0);
	talloc_free(db);
}
END_TEST

START_TEST(test_save_load_round_trip)
{
	static const char *const names[] = { "alice", "Bob Smith",
					     "J\xc3\xbcrgen" };
	uint8_t h1[16], h2[16], got[16];
	struct users_db *db = users_new(wgt_root);
	struct users_db *db2 = NULL;
	struct stat st = {};
	char *err = NULL;
	char *text = NULL;

	hash_of(H1, h1);
	hash_of(H2, h2);
	ck_assert_int_eq(users_set(db, names[0], h1), 0);
	ck_assert_int_eq(users_set(db, names[1], h2), 0);
	ck_assert_int_eq(users_set(db, names[2], h1), 0);
	ck_assert_int_eq(users_save(db, path), 0);

	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	text = read_text(wgt_root);
	ck_assert_str_eq(text, HDR2 "next rid 1003\n"
			 "alice:" H1 ":1000\n"
			 "Bob Smith:" H2 ":1001\n"
			 "J\xc3\xbcrgen:" H1 ":1002\n");
	talloc_free(text);

	db2 = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db2);
	ck_assert_uint_eq(users_count(db2), 3);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_str_eq(users_name_at(db2, i), names[i]);
	}
	ck_assert_int_eq(users_lookup(db2, "Bob Smith", got, NULL), 0);
	ck_assert_mem_eq(got, h2, 16);
	ck_assert(!users_changed(path, db2));
	talloc_free(db2);
	talloc_free(db);
}
END_TEST

START_TEST(test_save_replaces_mode_and_leaves_no_tmp)
{
	uint8_t h1[16];
	struct users_db *db = users_new(wgt_root);
	struct stat st = {};
	DIR *d = NULL;
	struct dirent *e = NULL;
	size_t entries = 0;

	hash_of(H1, h1);
	write_file(HDR, 0644);	/* a bad old mode is not inherited */
	ck_assert_int_eq(users_set(db, "alice", h1), 0);
	ck_assert_int_eq(users_save(db, path), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	d = opendir(dir);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.') {
			entries++;
			ck_assert_str_eq(e->d_name, "users");
		}
	}
	closedir(d);
	ck_assert_uint_eq(entries, 1);
	talloc_free(db);
}
END_TEST

START_TEST(test_save_errors)
{
	struct users_db *db = users_new(wgt_root);
	char *bad = talloc_asprintf(wgt_root, "%s/nodir/users", dir);

	ck_assert_int_eq(users_save(db, bad), -ENOENT);
	talloc_free(bad);
	talloc_free(db);
}
END_TEST

START_TEST(test_case_insensitive_lookup)
{
	uint8_t h1[16], h2[16], got[16];
	const char *canon = NULL;
	char *err = NULL;
	struct users_db *db = NULL;

	write_file(HDR "Alice:" H1 "\n"
		   "J\xc3\xbcrgen:" H2 "\n", 0600);
	db = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db);
	hash_of(H1, h1);
	hash_of(H2, h2);
	ck_assert_int_eq(users_lookup(db, "aLICE", got, &canon), 0);
	ck_assert_str_eq(canon, "Alice");
	ck_assert_mem_eq(got, h1, 16);
	ck_assert_int_eq(users_lookup(db, "j\xc3\xbcRGEN", got, &canon), 0);
	ck_assert_str_eq(canon, "J\xc3\xbcrgen");
	/* only ASCII folds: U+00DC is not U+00FC here */
	ck_assert_int_eq(users_lookup(db, "J\xc3\x9crgen", NULL, NULL),
			 -ENOENT);
	ck_assert_int_eq(users_lookup(db, "Alic", NULL, NULL), -ENOENT);
	ck_assert_int_eq(users_lookup(db, "Alicex", NULL, NULL), -ENOENT);
	ck_assert_int_eq(users_lookup(db, "", NULL, NULL), -ENOENT);

	/* set with another case replaces the hash, keeps the spelling */
	ck_assert_int_eq(users_set(db, "ALICE", h2), 0);
	ck_assert_uint_eq(users_count(db), 2);
	ck_assert_int_eq(users_lookup(db, "alice", got, &canon), 0);
	ck_assert_str_eq(canon, "Alice");
	ck_assert_mem_eq(got, h2, 16);
	talloc_free(db);
}
END_TEST

START_TEST(test_del)
{
	uint8_t h1[16];
	struct users_db *db = users_new(wgt_root);

	hash_of(H1, h1);
	ck_assert_int_eq(users_set(db, "a", h1), 0);
	ck_assert_int_eq(users_set(db, "b", h1), 0);
	ck_assert_int_eq(users_set(db, "c", h1), 0);
	ck_assert_int_eq(users_del(db, "B"), 0);
	ck_assert_int_eq(users_del(db, "b"), -ENOENT);
	ck_assert_uint_eq(users_count(db), 2);
	ck_assert_str_eq(users_name_at(db, 0), "a");
	ck_assert_str_eq(users_name_at(db, 1), "c");
	ck_assert_int_eq(users_del(db, "c"), 0);
	ck_assert_int_eq(users_del(db, "a"), 0);
	ck_assert_uint_eq(users_count(db), 0);
	ck_assert_int_eq(users_del(db, "a"), -ENOENT);
	talloc_free(db);
}
END_TEST

START_TEST(test_set_rejects_bad_names)
{
	uint8_t h1[16];
	struct users_db *db = users_new(wgt_root);

	hash_of(H1, h1);
	ck_assert_int_eq(users_set(db, "a:b", h1), -EINVAL);
	ck_assert_int_eq(users_set(db, "", h1), -EINVAL);
	ck_assert_int_eq(users_set(db, "tab\there", h1), -EINVAL);
	ck_assert_uint_eq(users_count(db), 0);
	talloc_free(db);
}
END_TEST

START_TEST(test_name_check)
{
	char long_ok[USERS_NAME_MAX + 1];
	char too_long[USERS_NAME_MAX + 2];

	memset(long_ok, 'x', USERS_NAME_MAX);
	long_ok[USERS_NAME_MAX] = '\0';
	memset(too_long, 'x', USERS_NAME_MAX + 1);
	too_long[USERS_NAME_MAX + 1] = '\0';

	ck_assert_ptr_null(users_name_check("alice"));
	ck_assert_ptr_null(users_name_check("Bob Smith"));
	ck_assert_ptr_null(users_name_check("a#b"));
	ck_assert_ptr_null(users_name_check("\xe6\x97\xa5\xe6\x9c\xac"));
	ck_assert_ptr_null(users_name_check(long_ok));
	ck_assert_ptr_nonnull(users_name_check(too_long));
	ck_assert_ptr_nonnull(users_name_check(NULL));
	ck_assert_ptr_nonnull(users_name_check(""));
	ck_assert_ptr_nonnull(users_name_check("a:b"));
	ck_assert_ptr_nonnull(users_name_check("#root"));
	ck_assert_ptr_nonnull(users_name_check(" lead"));
	ck_assert_ptr_nonnull(users_name_check("trail "));
	ck_assert_ptr_nonnull(users_name_check("a\x7f"));
	ck_assert_ptr_nonnull(users_name_check("a\nb"));
	ck_assert_ptr_nonnull(users_name_check("\xff"));
	ck_assert_ptr_nonnull(users_name_check("\xc0\xaf"));	/* overlong */
	ck_assert_ptr_nonnull(users_name_check("\xed\xa0\x80")); /* D800 */
	ck_assert_ptr_nonnull(users_name_check("\xc3"));	/* cut */
}
END_TEST

static const struct {
	const char *text;
	const char *err;	/* after "PATH" */
} bad_files[] = {
	{ "wgsmb users\n", ":1: missing header \"" USERS_FILE_HEADER "\"" },
	{ "\n" HDR, ":1: missing header \"" USERS_FILE_HEADER "\"" },
	{ HDR "alice\n", ":2: expected NAME:NTHASH" },
	{ HDR "alice:" H1 "\nbob:1234\n", ":3: NT hash must be 32 hex digits" },
	{ HDR "alice:" H1 "0\n", ":2: NT hash must be 32 hex digits" },
	{ HDR "alice:8846F7EAEE8FB117AD06BDD830B7586G\n",
	  ":2: NT hash must be 32 hex digits" },
	{ HDR "alice: " H1 "\n", ":2: NT hash must be 32 hex digits" },
	{ HDR ":" H1 "\n", ":2: name is empty" },
	{ HDR "a:b:" H1 "\n", ":2: NT hash must be 32 hex digits" },
	{ HDR X16 X16 X16 X16 "x:" H1 "\n",
	  ":2: name is longer than 64 bytes" },
	{ HDR "a\x01z:" H1 "\n", ":2: name contains a control character" },
	{ HDR "\xff:" H1 "\n", ":2: name is not valid UTF-8" },
	{ HDR " bob:" H1 "\n", ":2: name starts or ends with a space" },
	{ HDR "alice:" H1 "\n\n# note\nALICE:" H2 "\n",
	  ":5: duplicate user \"ALICE\" (see line 2)" },
};

START_TEST(test_bad_lines)
{
	write_file(bad_files[_i].text, 0600);
	ck_load_error(bad_files[_i].err);
}
END_TEST

START_TEST(test_nul_byte)
{
	static const char text[] = HDR "al\0ice:" H1 "\n";

	write_bytes(text, sizeof(text) - 1);
	ck_load_error(":2: NUL byte in line");
}
END_TEST

START_TEST(test_tolerated_syntax)
{
	uint8_t h1[16], got[16];
	char *err = NULL;
	struct users_db *db = NULL;

	/* CRLF, comments, blank lines, lower-case hex, no final newline */
	write_file(USERS_FILE_HEADER_V1 "\r\n# comment\r\n\r\n"
		   "alice:8846f7eaee8fb117ad06bdd830b7586c\r\n"
		   "bob:" H1, 0600);
	db = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db);
	ck_assert_uint_eq(users_count(db), 2);
	hash_of(H1, h1);
	ck_assert_int_eq(users_lookup(db, "alice", got, NULL), 0);
	ck_assert_mem_eq(got, h1, 16);
	ck_assert_int_eq(users_lookup(db, "bob", NULL, NULL), 0);
	talloc_free(db);
}
END_TEST

START_TEST(test_refuses_open_modes)
{
	static const mode_t modes[] = { 0640, 0604, 0660, 0606, 0620, 0610 };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		TALLOC_CTX *mem = talloc_new(wgt_root);
		char *want = talloc_asprintf(
			mem,
			"%s: mode %04o gives group/other access; "
			"run chmod 600 %s",
			path, (unsigned)modes[i], path);
		char *err = NULL;

		write_file(HDR, modes[i]);
		ck_assert_ptr_null(users_load(mem, path, &err));
		ck_assert_str_eq(err, want);
		talloc_free(mem);
	}
	write_file(HDR, 0400);
	{
		char *err = NULL;
		struct users_db *db = users_load(wgt_root, path, &err);

		ck_assert_ptr_nonnull(db);
		talloc_free(db);
	}
}
END_TEST

START_TEST(test_not_regular)
{
	char *err = NULL;

	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_ptr_null(users_load(wgt_root, path, &err));
	ck_assert_ptr_nonnull(strstr(err, ": not a regular file"));
	talloc_free(err);
}
END_TEST

START_TEST(test_changed)
{
	uint8_t h1[16];
	char *err = NULL;
	struct users_db *db = NULL;

	hash_of(H1, h1);
	write_file(HDR "alice:" H1 "\n", 0600);
	db = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db);
	ck_assert(!users_changed(path, db));
	ck_assert(!users_changed(path, db));

	/* a save (new inode via rename) is a change */
	ck_assert_int_eq(users_set(db, "bob", h1), 0);
	ck_assert_int_eq(users_save(db, path), 0);
	ck_assert(users_changed(path, db));
	talloc_free(db);

	db = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db);
	ck_assert(!users_changed(path, db));
	/* removal is a change too */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert(users_changed(path, db));
	talloc_free(db);
}
END_TEST

/* An old (v1) file loses no user, gets RIDs in file order, and is saved
 * as v2 with the same RIDs. */
START_TEST(test_migrate_v1)
{
	static const char *const names[] = { "alice", "Bob Smith", "carol" };
	struct users_db *db = NULL;
	char *err = NULL;
	char *text = NULL;
	uint8_t h2[16], got[16];
	uint32_t rid = 0;

	hash_of(H2, h2);
	write_file(HDR "alice:" H1 "\n# a comment\nBob Smith:" H2
		   "\ncarol:" H1 "\n", 0600);
	db = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(users_file_version(db), 1);
	ck_assert_uint_eq(users_count(db), 3);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_str_eq(users_name_at(db, i), names[i]);
		ck_assert_uint_eq(users_rid_at(db, i), 1000 + i);
	}
	ck_assert_int_eq(users_lookup(db, "bob smith", got, NULL), 0);
	ck_assert_mem_eq(got, h2, 16);
	ck_assert_uint_eq(users_next_rid(db), 1003);
	ck_assert_int_eq(users_save(db, path), 0);
	talloc_free(db);

	text = read_text(wgt_root);
	ck_assert_str_eq(text, HDR2 "next rid 1003\n"
			 "alice:" H1 ":1000\n"
			 "Bob Smith:" H2 ":1001\n"
			 "carol:" H1 ":1002\n");
	talloc_free(text);
	db = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(users_file_version(db), USERS_FILE_VERSION);
	ck_assert_int_eq(users_rid(db, "CAROL", &rid), 0);
	ck_assert_uint_eq(rid, 1002);
	ck_assert_str_eq(users_name_by_rid(db, 1001), "Bob Smith");
	ck_assert_ptr_null(users_name_by_rid(db, 1003));
	ck_assert_ptr_null(users_name_by_rid(db, 0));
	ck_assert_int_eq(users_rid(db, "dave", &rid), -ENOENT);
	ck_assert_uint_eq(users_rid_at(db, 3), 0);
	talloc_free(db);
}
END_TEST

/* RIDs are stable across edits and never given again after a delete. */
START_TEST(test_rid_never_reused)
{
	struct users_db *db = users_new(wgt_root);
	char *err = NULL;
	uint8_t h1[16];
	uint32_t rid = 0;

	hash_of(H1, h1);
	ck_assert_int_eq(users_file_version(db), USERS_FILE_VERSION);
	ck_assert_int_eq(users_set(db, "a", h1), 0);
	ck_assert_int_eq(users_set(db, "b", h1), 0);
	ck_assert_int_eq(users_set(db, "c", h1), 0);
	/* a password change keeps the RID */
	ck_assert_int_eq(users_set(db, "B", h1), 0);
	ck_assert_int_eq(users_rid(db, "b", &rid), 0);
	ck_assert_uint_eq(rid, 1001);
	/* the highest one deleted: its RID stays used up, across a save */
	ck_assert_int_eq(users_del(db, "c"), 0);
	ck_assert_int_eq(users_save(db, path), 0);
	talloc_free(db);
	db = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(users_set(db, "d", h1), 0);
	ck_assert_int_eq(users_rid(db, "d", &rid), 0);
	ck_assert_uint_eq(rid, 1003);
	ck_assert_int_eq(users_rid(db, "a", &rid), 0);
	ck_assert_uint_eq(rid, 1000);
	talloc_free(db);
}
END_TEST

/* A v2 file without "next rid", or with one too low, still never gives a
 * listed RID; an exhausted RID space is refused. */
START_TEST(test_next_rid_repair)
{
	struct users_db *db = NULL;
	char *err = NULL;
	uint8_t h1[16];
	uint32_t rid = 0;

	hash_of(H1, h1);
	write_file(HDR2 "next rid 1000\nalice:" H1 ":1500\nbob:" H1
		   ":1200\n", 0600);
	db = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db);
	ck_assert_uint_eq(users_next_rid(db), 1501);
	talloc_free(db);
	write_file(HDR2 "next rid 2000\nalice:" H1 ":1500\n", 0600);
	db = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db);
	ck_assert_uint_eq(users_next_rid(db), 2000);
	talloc_free(db);
	write_file(HDR2 "alice:" H1 ":4294967294\n", 0600);
	db = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(users_set(db, "bob", h1), -ENOSPC);
	ck_assert_int_eq(users_rid(db, "bob", &rid), -ENOENT);
	ck_assert_uint_eq(users_count(db), 1);
	talloc_free(db);
}
END_TEST

static const struct {
	const char *text;
	const char *err;	/* after "PATH" */
} bad_v2_files[] = {
	{ HDR2 "alice:" H1 "\n", ":2: expected NAME:NTHASH:RID" },
	{ HDR2 "alice\n", ":2: expected NAME:NTHASH:RID" },
	{ HDR2 "alice:" H1 ":\n", ":2: RID must be a number from 1000 to "
	  "4294967294" },
	{ HDR2 "alice:" H1 ":999\n", ":2: RID must be a number from 1000 to "
	  "4294967294" },
	{ HDR2 "alice:" H1 ":4294967295\n", ":2: RID must be a number from "
	  "1000 to 4294967294" },
	{ HDR2 "alice:" H1 ":10x0\n", ":2: RID must be a number from 1000 "
	  "to 4294967294" },
	{ HDR2 "alice:" H1 ":01000000000000\n", ":2: RID must be a number "
	  "from 1000 to 4294967294" },
	{ HDR2 "alice:" H1 "0:1000\n", ":2: NT hash must be 32 hex digits" },
	{ HDR2 "alice:" H1 ":1000\nbob:" H2 ":1000\n",
	  ":3: duplicate RID 1000 (see line 2)" },
	{ HDR2 "next rid 1001\nnext rid 1002\n",
	  ":3: \"next rid\" given twice" },
	{ HDR2 "next rid 12\n", ":2: next RID must be a number from 1000 "
	  "to 4294967294" },
	{ HDR2 "next rid\n", ":2: expected NAME:NTHASH:RID" },
	{ "# wgsmb users v4\n", ":1: missing header \"" USERS_FILE_HEADER
	  "\"" },
};

START_TEST(test_bad_v2_lines)
{
	write_file(bad_v2_files[_i].text, 0600);
	ck_load_error(bad_v2_files[_i].err);
}
END_TEST

#define HDR3 USERS_FILE_HEADER_V3 "\n"

/* Groups: RIDs from the users' allocator, members, deletes, the v3 file
 * and its round trip; no groups means the v2 file of before. */
START_TEST(test_groups_edit_and_save)
{
	struct users_db *db = users_new(wgt_root);
	const uint32_t *m = NULL;
	const char *canon = NULL;
	uint32_t rids[4] = { 0 };
	uint32_t rid = 0;
	char *err = NULL;
	char *text = NULL;
	uint8_t h1[16];

	hash_of(H1, h1);
	ck_assert_int_eq(users_set(db, "alice", h1), 0);	/* 1000 */
	ck_assert_int_eq(users_set(db, "Bob", h1), 0);		/* 1001 */
	ck_assert_int_eq(users_group_add(db, "Accounting"), 0);	/* 1002 */
	ck_assert_int_eq(users_set(db, "carol", h1), 0);	/* 1003 */
	ck_assert_int_eq(users_group_add(db, "accounting"), -EEXIST);
	ck_assert_int_eq(users_group_add(db, "ALICE"), -EEXIST);
	ck_assert_int_eq(users_group_add(db, "#x"), -EINVAL);
	ck_assert_int_eq(users_set(db, "ACCOUNTING", h1), -EEXIST);
	ck_assert_int_eq(users_group_lookup(db, "ACCOUNTING", &rid, &canon),
			 0);
	ck_assert_uint_eq(rid, 1002);
	ck_assert_str_eq(canon, "Accounting");
	ck_assert_int_eq(users_group_index(db, 1002), 0);
	ck_assert_int_eq(users_group_index(db, 1001), -ENOENT);
	ck_assert_int_eq(users_group_addmember(db, "accounting", "bob"), 0);
	ck_assert_int_eq(users_group_addmember(db, "accounting", "BOB"),
			 -EEXIST);
	ck_assert_int_eq(users_group_addmember(db, "accounting", "alice"), 0);
	ck_assert_int_eq(users_group_addmember(db, "sales", "alice"),
			 -ENOENT);
	ck_assert_int_eq(users_group_addmember(db, "accounting", "dave"),
			 -ESRCH);
	ck_assert_int_eq(users_group_delmember(db, "accounting", "carol"),
			 -ENODATA);
	ck_assert_uint_eq(users_groups_of(db, 1001, rids, 4), 1);
	ck_assert_uint_eq(rids[0], 1002);
	ck_assert_uint_eq(users_groups_of(db, 1003, rids, 4), 0);
	ck_assert_int_eq(users_save(db, path), 0);
	text = read_text(wgt_root);
	ck_assert_str_eq(text, HDR3 "next rid 1004\n"
			 "alice:" H1 ":1000\n"
			 "Bob:" H1 ":1001\n"
			 "carol:" H1 ":1003\n"
			 "group Accounting:1002:Bob:alice\n");
	talloc_free(text);
	talloc_free(db);

	db = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(users_file_version(db), USERS_FILE_VERSION_GROUPS);
	ck_assert_uint_eq(users_group_count(db), 1);
	ck_assert_str_eq(users_group_name_at(db, 0), "Accounting");
	ck_assert_uint_eq(users_group_rid_at(db, 0), 1002);
	ck_assert_uint_eq(users_group_members_at(db, 0, &m), 2);
	ck_assert_uint_eq(m[0], 1001);
	ck_assert_uint_eq(m[1], 1000);
	/* a deleted user leaves its groups */
	ck_assert_int_eq(users_del(db, "bob"), 0);
	ck_assert_uint_eq(users_group_members_at(db, 0, &m), 1);
	ck_assert_uint_eq(m[0], 1000);
	ck_assert_int_eq(users_group_delmember(db, "Accounting", "alice"), 0);
	ck_assert_uint_eq(users_group_members_at(db, 0, &m), 0);
	/* a new account never gets the group's RID */
	ck_assert_int_eq(users_set(db, "dave", h1), 0);
	ck_assert_int_eq(users_rid(db, "dave", &rid), 0);
	ck_assert_uint_eq(rid, 1004);
	ck_assert_int_eq(users_save(db, path), 0);
	text = read_text(wgt_root);
	ck_assert_str_eq(text, HDR3 "next rid 1005\n"
			 "alice:" H1 ":1000\n"
			 "carol:" H1 ":1003\n"
			 "dave:" H1 ":1004\n"
			 "group Accounting:1002\n");
	talloc_free(text);
	/* the last group gone: the file is v2 again, the RID stays used */
	ck_assert_int_eq(users_group_del(db, "ACCOUNTING"), 0);
	ck_assert_int_eq(users_group_del(db, "accounting"), -ENOENT);
	ck_assert_int_eq(users_save(db, path), 0);
	text = read_text(wgt_root);
	ck_assert_str_eq(text, HDR2 "next rid 1005\n"
			 "alice:" H1 ":1000\n"
			 "carol:" H1 ":1003\n"
			 "dave:" H1 ":1004\n");
	talloc_free(text);
	talloc_free(db);
}
END_TEST

/* Hand-written v3 files: groups before their users, CRLF, a user named
 * "group x" (its second field is a hash), next rid above group RIDs. */
START_TEST(test_groups_parse)
{
	struct users_db *db = NULL;
	const uint32_t *m = NULL;
	uint32_t rid = 0;
	char *err = NULL;

	write_file(HDR3 "group Sales:1500:BOB:group x\r\n"
		   "bob:" H1 ":1000\n"
		   "group x:" H2 ":1001\n"
		   "group Empty:1002\n", 0600);
	db = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db);
	ck_assert_uint_eq(users_count(db), 2);
	ck_assert_int_eq(users_rid(db, "group x", &rid), 0);
	ck_assert_uint_eq(rid, 1001);
	ck_assert_uint_eq(users_group_count(db), 2);
	ck_assert_uint_eq(users_group_members_at(db, 0, &m), 2);
	ck_assert_uint_eq(m[0], 1000);
	ck_assert_uint_eq(m[1], 1001);
	ck_assert_uint_eq(users_group_members_at(db, 1, &m), 0);
	ck_assert_uint_eq(users_next_rid(db), 1501);
	talloc_free(db);

	/* in a v2 file a "group" line is a user, as it always was */
	write_file(HDR2 "group Sales:" H1 ":1000\n", 0600);
	db = users_load(wgt_root, path, &err);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(users_lookup(db, "group sales", NULL, NULL), 0);
	ck_assert_uint_eq(users_group_count(db), 0);
	talloc_free(db);
}
END_TEST

static const struct {
	const char *text;
	const char *err;	/* after "PATH" */
} bad_v3_files[] = {
	{ HDR3 "group Sales\n", ":2: expected group NAME:RID[:MEMBER]..." },
	{ HDR3 "group Sales:999\n", ":2: group RID must be a number from "
	  "1000 to 4294967294" },
	{ HDR3 "group Sales:\n", ":2: group RID must be a number from "
	  "1000 to 4294967294" },
	{ HDR3 "group :1000\n", ":2: group name is empty" },
	{ HDR3 "group Sales:1000\ngroup sales:1001\n",
	  ":3: duplicate group \"sales\" (see line 2)" },
	{ HDR3 "bob:" H1 ":1000\ngroup Bob:1001\n",
	  ":3: group \"Bob\" has a user's name (see line 2)" },
	{ HDR3 "group Bob:1001\nbob:" H1 ":1000\n",
	  ":3: user \"bob\" has a group's name (see line 2)" },
	{ HDR3 "bob:" H1 ":1000\ngroup Sales:1000\n",
	  ":3: duplicate RID 1000 (see line 2)" },
	{ HDR3 "group Sales:1000\nbob:" H1 ":1000\n",
	  ":3: duplicate RID 1000 (see line 2)" },
	{ HDR3 "bob:" H1 ":1000\ngroup Sales:1001:carol\n",
	  ":3: group \"Sales\": no user \"carol\"" },
	{ HDR3 "bob:" H1 ":1000\ngroup Sales:1001:bob:BOB\n",
	  ":3: group \"Sales\": \"bob\" listed twice" },
	{ HDR3 "bob:" H1 ":1000\ngroup Sales:1001:\n",
	  ":3: group \"Sales\": no user \"\"" },
};

START_TEST(test_bad_v3_lines)
{
	write_file(bad_v3_files[_i].text, 0600);
	ck_load_error(bad_v3_files[_i].err);
}
END_TEST

static Suite *users_suite(void)
{
	Suite *s = suite_create("users");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_migrate_v1);
	tcase_add_test(tc, test_rid_never_reused);
	tcase_add_test(tc, test_next_rid_repair);
	tcase_add_loop_test(tc, test_bad_v2_lines, 0,
			    sizeof(bad_v2_files) / sizeof(bad_v2_files[0]));
	tcase_add_test(tc, test_empty_and_header_only);
	tcase_add_test(tc, test_groups_edit_and_save);
	tcase_add_test(tc, test_groups_parse);
	tcase_add_loop_test(tc, test_bad_v3_lines, 0,
			    sizeof(bad_v3_files) / sizeof(bad_v3_files[0]));
	tcase_add_test(tc, test_save_load_round_trip);
	tcase_add_test(tc, test_save_replaces_mode_and_leaves_no_tmp);
	tcase_add_test(tc, test_save_errors);
	tcase_add_test(tc, test_case_insensitive_lookup);
	tcase_add_test(tc, test_del);
	tcase_add_test(tc, test_set_rejects_bad_names);
	tcase_add_test(tc, test_name_check);
	tcase_add_loop_test(tc, test_bad_lines, 0,
			    sizeof(bad_files) / sizeof(bad_files[0]));
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_tolerated_syntax);
	tcase_add_test(tc, test_refuses_open_modes);
	tcase_add_test(tc, test_not_regular);
	tcase_add_test(tc, test_changed);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(users_suite)
