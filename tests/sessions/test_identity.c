/*
 * test_identity.c - the machine SID file (made once, read back the same,
 * bad files refused with a reason) and users' SIDs from RIDs.
 */
#include "tests/wgtest.h"
#include "sessions/identity.h"
#include "sessions/users.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define HDR IDENTITY_SID_HEADER "\n"

static char *dir;
static char *path;

static void setup(void)
{
	wgt_setup();
	dir = talloc_strdup(NULL, "/tmp/wgsmb-identity-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = talloc_asprintf(NULL, "%s/%s", dir, IDENTITY_SID_FILE);
}

static void teardown(void)
{
	unlink(path);
	ck_assert_int_eq(rmdir(dir), 0);	/* no temporary file left */
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

START_TEST(test_parse)
{
	static const char *const good[] = {
		HDR "S-1-5-21-1-2-3\n",
		IDENTITY_SID_HEADER "\r\nS-1-5-21-1-2-3\r\n",
		HDR "S-1-5-21-1-2-3",
	};
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "", "missing header" },
		{ "S-1-5-21-1-2-3\n", "missing header" },
		{ "# wgsmb machine sid v2\nS-1-5-21-1-2-3\n",
		  "missing header" },
		{ HDR, "not a machine SID" },
		{ HDR "S-1-5-21-1-2\n", "not a machine SID" },
		{ HDR "S-1-5-21-1-2-3-4\n", "not a machine SID" },
		{ HDR "S-1-5-32-1-2-3\n", "not a machine SID" },
		{ HDR "S-1-1-21-1-2-3\n", "not a machine SID" },
		{ HDR "S-1-5-21-1-2-3 \n", "not a machine SID" },
		{ HDR "S-1-5-21-1-2-3\n\n", "text after the SID" },
		{ HDR "S-1-5-21-1-2-3\nS-1-5-21-1-2-4\n",
		  "text after the SID" },
	};
	struct dom_sid sid, want;
	const char *why = NULL;

	ck_assert_int_eq(sid_parse("S-1-5-21-1-2-3", &want), 0);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_int_eq(identity_sid_parse(good[i], strlen(good[i]),
						    &sid, &why), 0);
		ck_assert(sid_equal(&sid, &want));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		ck_assert_int_eq(identity_sid_parse(bad[i].text,
						    strlen(bad[i].text), &sid,
						    &why), -EINVAL);
		ck_assert_msg(why != NULL && strstr(why, bad[i].why) != NULL,
			      "%zu: %s", i, why);
	}
	/* a NUL inside the SID line */
	ck_assert_int_eq(identity_sid_parse(HDR "S-1-5-21-1\0-2-3\n",
					    sizeof(HDR "S-1-5-21-1\0-2-3\n") - 1,
					    &sid, &why), -EINVAL);
}
END_TEST

START_TEST(test_generate_and_render)
{
	struct dom_sid a, b, back;
	const char *why = NULL;
	char *text = NULL;

	ck_assert_int_eq(identity_sid_generate(&a), 0);
	ck_assert_int_eq(identity_sid_generate(&b), 0);
	ck_assert(!sid_equal(&a, &b));
	ck_assert_uint_eq(a.authority, 5);
	ck_assert_uint_eq(a.num_auths, 4);
	ck_assert_uint_eq(a.sub_auths[0], 21);
	ck_assert_uint_ne(a.sub_auths[3], 0);
	text = identity_sid_render(wgt_root, &a);
	ck_assert_int_eq(identity_sid_parse(text, strlen(text), &back, &why),
			 0);
	ck_assert(sid_equal(&a, &back));
	talloc_free(text);
}
END_TEST

START_TEST(test_made_once)
{
	struct dom_sid first, again;
	struct stat st = {};
	char *err = NULL;

	ck_assert_int_eq(identity_machine_sid(wgt_root, dir, &first, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(identity_machine_sid(wgt_root, dir, &again, &err), 0);
	ck_assert(sid_equal(&first, &again));
}
END_TEST

START_TEST(test_existing_file_kept)
{
	struct dom_sid sid, want;
	char *err = NULL;

	write_file(HDR "S-1-5-21-3623811015-3361044348-30300820\n", 0644);
	ck_assert_int_eq(identity_machine_sid(wgt_root, dir, &sid, &err), 0);
	ck_assert_int_eq(sid_parse("S-1-5-21-3623811015-3361044348-30300820",
				   &want), 0);
	ck_assert(sid_equal(&sid, &want));
}
END_TEST

START_TEST(test_bad_file_refused)
{
	struct dom_sid sid;
	char *err = NULL;
	char *want = NULL;

	/* a damaged file is an error, never silently replaced */
	write_file(HDR "S-1-5-21-1-2\n", 0644);
	ck_assert_int_eq(identity_machine_sid(wgt_root, dir, &sid, &err),
			 -EINVAL);
	want = talloc_asprintf(wgt_root, "%s: not a machine SID "
			       "(S-1-5-21-x-y-z)", path);
	ck_assert_str_eq(err, want);
	TALLOC_FREE(err);
	TALLOC_FREE(want);
	/* one anybody in the group could change */
	write_file(HDR "S-1-5-21-1-2-3\n", 0664);
	ck_assert_int_eq(identity_machine_sid(wgt_root, dir, &sid, &err),
			 -EPERM);
	ck_assert_ptr_nonnull(err);
	talloc_free(err);
}
END_TEST

START_TEST(test_no_directory)
{
	struct dom_sid sid;
	char *err = NULL;
	char *missing = talloc_asprintf(wgt_root, "%s/nope", dir);

	ck_assert_int_eq(identity_machine_sid(wgt_root, missing, &sid, &err),
			 -ENOENT);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err, "cannot create"));
	talloc_free(err);
	talloc_free(missing);
}
END_TEST

START_TEST(test_user_sids)
{
	struct dom_sid m, u, want;
	uint32_t rid = 0;

	ck_assert_int_eq(sid_parse("S-1-5-21-1-2-3", &m), 0);
	ck_assert_int_eq(identity_user_sid(&m, 1000, &u), 0);
	ck_assert_int_eq(sid_parse("S-1-5-21-1-2-3-1000", &want), 0);
	ck_assert(sid_equal(&u, &want));
	ck_assert_int_eq(identity_sid_rid(&m, &u, &rid), 0);
	ck_assert_uint_eq(rid, 1000);
	ck_assert_int_eq(identity_sid_rid(&m, &sid_builtin_users, &rid),
			 -ENOENT);
	ck_assert_int_eq(identity_sid_rid(&m, &m, &rid), -ENOENT);
	ck_assert_int_eq(identity_user_sid(&sid_builtin, 1000, &u), -EINVAL);
}
END_TEST

START_TEST(test_sid_names)
{
	static const uint8_t h[16] = { 1 };
	TALLOC_CTX *tmp = talloc_new(wgt_root);
	struct users_db *db = users_new(tmp);
	struct dom_sid m, s;
	struct identity_name n;
	uint32_t rid = 0;
	char *d = NULL;

	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(users_set(db, "Alice", h), 0);
	ck_assert_int_eq(users_rid(db, "alice", &rid), 0);
	ck_assert_int_eq(sid_parse("S-1-5-21-1-2-3", &m), 0);
	ck_assert_int_eq(identity_user_sid(&m, rid, &s), 0);

	identity_sid_name(db, &m, "HOST", &s, &n);
	ck_assert_int_eq(n.use, SID_NAME_USER);
	ck_assert_str_eq(n.domain, "HOST");
	ck_assert_str_eq(n.name, "Alice");
	ck_assert(sid_equal(&n.domain_sid, &m));
	d = identity_sid_display(tmp, db, &m, "HOST", &s);
	ck_assert_str_eq(d, "HOST\\Alice");

	/* a RID of ours nobody has: our domain, no name, shown as a SID */
	ck_assert_int_eq(identity_user_sid(&m, rid + 7, &s), 0);
	identity_sid_name(db, &m, "HOST", &s, &n);
	ck_assert_int_eq(n.use, SID_NAME_UNKNOWN);
	ck_assert_str_eq(n.domain, "HOST");
	ck_assert_ptr_null(n.name);
	d = identity_sid_display(tmp, db, &m, "HOST", &s);
	ck_assert_str_eq(d, sid_format(tmp, &s));

	identity_sid_name(db, &m, "HOST", &m, &n);
	ck_assert_int_eq(n.use, SID_NAME_DOMAIN);
	ck_assert_str_eq(n.name, "HOST");

	identity_sid_name(db, &m, "HOST", &sid_builtin_admins, &n);
	ck_assert_int_eq(n.use, SID_NAME_ALIAS);
	ck_assert_str_eq(n.domain, "BUILTIN");
	ck_assert(sid_equal(&n.domain_sid, &sid_builtin));
	d = identity_sid_display(tmp, NULL, &m, "HOST",
				 &sid_builtin_admins);
	ck_assert_str_eq(d, "BUILTIN\\Administrators");
	d = identity_sid_display(tmp, NULL, &m, "HOST", &sid_everyone);
	ck_assert_str_eq(d, "Everyone");
	d = identity_sid_display(tmp, NULL, &m, "HOST", &sid_system);
	ck_assert_str_eq(d, "NT AUTHORITY\\SYSTEM");

	/* another machine's account */
	ck_assert_int_eq(sid_parse("S-1-5-21-9-9-9-1000", &s), 0);
	identity_sid_name(db, &m, "HOST", &s, &n);
	ck_assert_int_eq(n.use, SID_NAME_UNKNOWN);
	ck_assert_ptr_null(n.domain);
	talloc_free(tmp);
}
END_TEST

static Suite *identity_suite(void)
{
	Suite *s = suite_create("identity");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_generate_and_render);
	tcase_add_test(tc, test_made_once);
	tcase_add_test(tc, test_existing_file_kept);
	tcase_add_test(tc, test_bad_file_refused);
	tcase_add_test(tc, test_no_directory);
	tcase_add_test(tc, test_user_sids);
	tcase_add_test(tc, test_sid_names);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(identity_suite)
