/*
 * test_ctlproto.c - proto/ctlproto.c: control request lines, the JSON
 * writer and reader (good vectors, bad vectors, truncation at every byte,
 * round trips, random mutations).
 */
#include "tests/wgtest.h"

#include <errno.h>
#include <stdio.h>

#include "proto/ctlproto.h"

/* ---- requests ---- */

START_TEST(test_request_roundtrip)
{
	const char *args[] = { "\\\\PC-1", "a b%c", "Ünïcødé", "x\ty",
			       "--all" };
	char *line = ctl_request_format(wgt_root, "session-delete", args, 5);
	struct ctl_request *r = NULL;
	size_t i = 0;

	ck_assert_ptr_nonnull(line);
	ck_assert_str_eq(line, "WGCTL 1 session-delete %5C%5CPC-1 a%20b%25c "
			 "%C3%9Cn%C3%AFc%C3%B8d%C3%A9 x%09y --all\n");
	ck_assert_int_eq(ctl_request_parse(wgt_root, line, strlen(line), &r),
			 0);
	ck_assert_uint_eq(r->version, 1);
	ck_assert_str_eq(r->verb, "session-delete");
	ck_assert_uint_eq(r->nargs, 5);
	for (i = 0; i < 5; i++) {
		ck_assert_str_eq(r->args[i], args[i]);
	}
	talloc_free(r);
	talloc_free(line);

	/* no args, no newline, lower-case hex */
	ck_assert_int_eq(ctl_request_parse(wgt_root, "WGCTL 1 sessions", 16,
					   &r), 0);
	ck_assert_uint_eq(r->nargs, 0);
	talloc_free(r);
	ck_assert_int_eq(ctl_request_parse(wgt_root, "WGCTL 7 x %c3%9c\n", 17,
					   &r), 0);
	ck_assert_uint_eq(r->version, 7);
	ck_assert_str_eq(r->args[0], "Ü");
	talloc_free(r);
}
END_TEST

static void expect_parse_error(const char *line, int err)
{
	struct ctl_request *r = NULL;
	int rc = ctl_request_parse(wgt_root, line, strlen(line), &r);

	ck_assert_msg(rc == err, "'%s': got %d, want %d", line, rc, err);
}

START_TEST(test_request_bad)
{
	struct ctl_request *r = NULL;
	char big[CTL_MAX_REQUEST + 2];

	expect_parse_error("", -EPROTO);
	expect_parse_error("\n", -EPROTO);
	expect_parse_error("HELLO 1 sessions\n", -EPROTO);
	expect_parse_error("wgctl 1 sessions\n", -EPROTO);
	expect_parse_error("WGCTL\n", -EPROTO);
	expect_parse_error("WGCTL 1\n", -EPROTO);
	expect_parse_error("WGCTL x sessions\n", -EPROTO);
	expect_parse_error("WGCTL 1234567 sessions\n", -EPROTO);
	expect_parse_error("WGCTL  1 sessions\n", -EPROTO);
	expect_parse_error("WGCTL 1 Sessions\n", -EINVAL);
	expect_parse_error("WGCTL 1 sess_ions\n", -EINVAL);
	expect_parse_error("WGCTL 1 sessions \n", -EPROTO);
	expect_parse_error("WGCTL 1 session  pc\n", -EINVAL);
	expect_parse_error("WGCTL 1 session pc \n", -EINVAL);
	expect_parse_error("WGCTL 1 session a%2\n", -EINVAL);
	expect_parse_error("WGCTL 1 session a%zz\n", -EINVAL);
	expect_parse_error("WGCTL 1 session a%00b\n", -EINVAL);
	expect_parse_error("WGCTL 1 session a\"b\n", -EINVAL);
	expect_parse_error("WGCTL 1 session \xc3\x9c\n", -EINVAL);
	expect_parse_error("WGCTL 1 session a\rb\n", -EINVAL);
	expect_parse_error("WGCTL 1 sessions\nWGCTL 1 files\n", -EPROTO);
	expect_parse_error("WGCTL 1 x 1 2 3 4 5 6 7 8 9\n", -E2BIG);
	memset(big, 'a', sizeof(big));
	memcpy(big, "WGCTL 1 x ", 10);
	ck_assert_int_eq(ctl_request_parse(wgt_root, big, sizeof(big), &r),
			 -E2BIG);
	/* an embedded NUL is not a separator */
	ck_assert_int_eq(ctl_request_parse(wgt_root, "WGCTL 1 s a\0b", 13,
					   &r), -EINVAL);
}
END_TEST

START_TEST(test_request_format_limits)
{
	const char *empty[] = { "" };
	const char *nine[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9" };
	char *huge = talloc_array(wgt_root, char, CTL_MAX_REQUEST);
	const char *one[1];

	errno = 0;
	ck_assert_ptr_null(ctl_request_format(wgt_root, "x", empty, 1));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(ctl_request_format(wgt_root, "x", nine, 9));
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_ptr_null(ctl_request_format(wgt_root, "Bad", NULL, 0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(ctl_request_format(wgt_root, "", NULL, 0));
	ck_assert_ptr_null(ctl_request_format(wgt_root,
		"abcdefghijklmnopqrstuvwxyzabcdefg", NULL, 0));
	memset(huge, ' ', CTL_MAX_REQUEST - 1);
	huge[CTL_MAX_REQUEST - 1] = '\0';
	one[0] = huge;
	ck_assert_ptr_null(ctl_request_format(wgt_root, "x", one, 1));
	ck_assert_int_eq(errno, E2BIG);
	talloc_free(huge);
	ck_assert_str_eq(ctl_errno_name(ENOENT), "ENOENT");
	ck_assert_str_eq(ctl_errno_name(-EACCES), "EACCES");
	ck_assert_str_eq(ctl_errno_name(100000), "EUNKNOWN");
}
END_TEST

/* ---- JSON writer ---- */

static char *finish_ok(struct ctl_json *j)
{
	char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(ctl_json_finish(j, &out, &len), 0);
	ck_assert_uint_eq(len, strlen(out));
	return out;
}

START_TEST(test_writer)
{
	struct ctl_json *j = ctl_json_new(wgt_root);
	char *out = NULL;

	ctl_json_object_begin(j, NULL);
	ctl_json_u64(j, "version", 1);
	ctl_json_bool(j, "ok", true);
	ctl_json_array_begin(j, "list");
	ctl_json_string(j, NULL, "a\"b\\c\n\x01\x7f");
	ctl_json_i64(j, NULL, -5);
	ctl_json_null(j, NULL);
	ctl_json_object_begin(j, NULL);
	ctl_json_object_end(j);
	ctl_json_array_begin(j, NULL);
	ctl_json_array_end(j);
	ctl_json_string(j, NULL, NULL);
	ctl_json_array_end(j);
	ctl_json_u64(j, "big", UINT64_MAX);
	ctl_json_string(j, "bad utf8", "x\xff\xc3y\xed\xa0\x80z\xe2\x82\xac");
	ctl_json_bool(j, "no", false);
	ctl_json_object_end(j);
	out = finish_ok(j);
	ck_assert_str_eq(out,
		"{\"version\":1,\"ok\":true,\"list\":[\"a\\\"b\\\\c\\n"
		"\\u0001\\u007f\",-5,null,{},[],null],"
		"\"big\":18446744073709551615,"
		"\"bad utf8\":\"x\\ufffd\\ufffdy\\ufffd\\ufffd\\ufffdz"
		"\xe2\x82\xac\","
		"\"no\":false}\n");
	talloc_free(out);
}
END_TEST

START_TEST(test_writer_errors)
{
	struct ctl_json *j = NULL;
	char *out = NULL;
	int i = 0;

	/* key inside an array */
	j = ctl_json_new(wgt_root);
	ctl_json_array_begin(j, NULL);
	ctl_json_u64(j, "k", 1);
	ctl_json_array_end(j);
	ck_assert_int_eq(ctl_json_finish(j, &out, NULL), -EINVAL);
	ck_assert_ptr_null(out);
	/* no key inside an object */
	j = ctl_json_new(wgt_root);
	ctl_json_object_begin(j, NULL);
	ctl_json_u64(j, NULL, 1);
	ctl_json_object_end(j);
	ck_assert_int_eq(ctl_json_finish(j, &out, NULL), -EINVAL);
	/* unbalanced, mismatched, two top values, nothing */
	j = ctl_json_new(wgt_root);
	ctl_json_object_begin(j, NULL);
	ck_assert_int_eq(ctl_json_finish(j, &out, NULL), -EINVAL);
	j = ctl_json_new(wgt_root);
	ctl_json_object_begin(j, NULL);
	ctl_json_array_end(j);
	ck_assert_int_eq(ctl_json_finish(j, &out, NULL), -EINVAL);
	j = ctl_json_new(wgt_root);
	ctl_json_u64(j, NULL, 1);
	ctl_json_u64(j, NULL, 2);
	ck_assert_int_eq(ctl_json_finish(j, &out, NULL), -EINVAL);
	j = ctl_json_new(wgt_root);
	ck_assert_int_eq(ctl_json_finish(j, &out, NULL), -EINVAL);
	j = ctl_json_new(wgt_root);
	ctl_json_object_end(j);
	ck_assert_int_eq(ctl_json_finish(j, &out, NULL), -EINVAL);
	/* too deep */
	j = ctl_json_new(wgt_root);
	for (i = 0; i <= CTL_JSON_MAX_DEPTH; i++) {
		ctl_json_array_begin(j, NULL);
	}
	ck_assert_int_eq(ctl_json_finish(j, &out, NULL), -EINVAL);
	/* exactly at the limit is fine */
	j = ctl_json_new(wgt_root);
	for (i = 0; i < CTL_JSON_MAX_DEPTH; i++) {
		ctl_json_array_begin(j, NULL);
	}
	for (i = 0; i < CTL_JSON_MAX_DEPTH; i++) {
		ctl_json_array_end(j);
	}
	out = finish_ok(j);
	talloc_free(out);
}
END_TEST

/* ---- JSON reader ---- */

static struct ctl_jv *parse_ok(const char *s)
{
	struct ctl_jv *v = NULL;
	int rc = ctl_json_parse(wgt_root, s, strlen(s), &v, NULL);

	ck_assert_msg(rc == 0, "'%s' did not parse: %d", s, rc);
	return v;
}

START_TEST(test_parse_good)
{
	struct ctl_jv *v = parse_ok(
		" {\"a\": [1, -2, 3.5, 1e3, 0, -0, true, false, null],"
		" \"s\": \"x\\u00e9\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\\\"\","
		" \"u\": 18446744073709551615, \"o\": 18446744073709551616,"
		" \"n\": -9223372036854775808, \"e\": {}, \"a2\": [] ,"
		" \"dup\": 1, \"dup\": 2, \"raw\": \"\xe2\x82\xac\"}\r\n");
	const struct ctl_jv *a = ctl_jv_get(v, "a");

	ck_assert_int_eq(v->type, CTL_J_OBJECT);
	ck_assert_uint_eq(ctl_jv_len(a), 9);
	ck_assert(ctl_jv_at(a, 0)->is_int);
	ck_assert_uint_eq(ctl_jv_at(a, 0)->mag, 1);
	ck_assert(ctl_jv_at(a, 1)->neg);
	ck_assert(!ctl_jv_at(a, 2)->is_int);
	ck_assert(ctl_jv_at(a, 2)->num == 3.5);
	ck_assert(ctl_jv_at(a, 3)->num == 1000.0);
	ck_assert(!ctl_jv_at(a, 3)->is_int);
	ck_assert_int_eq(ctl_jv_at(a, 6)->type, CTL_J_BOOL);
	ck_assert(ctl_jv_at(a, 6)->b);
	ck_assert_int_eq(ctl_jv_at(a, 8)->type, CTL_J_NULL);
	ck_assert_ptr_null(ctl_jv_at(a, 9));
	ck_assert_str_eq(ctl_jv_str(v, "s", NULL),
			 "x\xc3\xa9\xf0\x9f\x98\x80/\b\f\n\r\t\"");
	ck_assert_str_eq(ctl_jv_str(v, "raw", NULL), "\xe2\x82\xac");
	ck_assert_uint_eq(ctl_jv_u64(v, "u", 0), UINT64_MAX);
	ck_assert_uint_eq(ctl_jv_u64(v, "o", 7), 7);	/* overflows */
	ck_assert_int_eq(ctl_jv_i64(v, "n", 0), INT64_MIN);
	ck_assert_int_eq(ctl_jv_i64(v, "u", 5), 5);
	ck_assert_uint_eq(ctl_jv_u64(v, "dup", 0), 1);
	ck_assert_uint_eq(ctl_jv_u64(v, "missing", 42), 42);
	ck_assert_str_eq(ctl_jv_str(v, "u", "dflt"), "dflt");
	ck_assert(ctl_jv_bool(v, "s", true));
	ck_assert_uint_eq(ctl_jv_len(ctl_jv_get(v, "e")), 0);
	ck_assert_ptr_null(ctl_jv_get(a, "x"));
	talloc_free(v);

	v = parse_ok("-1");
	ck_assert_uint_eq(ctl_jv_u64(NULL, "x", 3), 3);
	ck_assert(v->neg && v->mag == 1);
	talloc_free(v);
	v = parse_ok("\"\"");
	ck_assert_str_eq(v->str, "");
	talloc_free(v);
}
END_TEST

START_TEST(test_parse_bad)
{
	static const char *const bad[] = {
		"", " ", "{", "}", "[", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}",
		"{\"a\":1,}", "{a:1}", "{'a':1}", "[1 2]", "01", "-", "1.",
		".5", "1e", "1e+", "+1", "tru", "nul", "True", "\"abc",
		"\"\\x\"", "\"\\u12\"", "\"\\u0000\"", "\"\\ud800\"",
		"\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\nb\"", "\"\xff\"",
		"\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "[1] [2]", "1 2", "nan",
		"[\"a\",]", "{\"a\":1 \"b\":2}", "\"\\",
	};
	size_t i = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ctl_jv *v = NULL;
		size_t at = 999;
		int rc = ctl_json_parse(wgt_root, bad[i], strlen(bad[i]), &v,
					&at);

		ck_assert_msg(rc == -EINVAL, "'%s' parsed (%d)", bad[i], rc);
		ck_assert_uint_le(at, strlen(bad[i]));
	}
}
END_TEST

START_TEST(test_parse_depth)
{
	char deep[2 * (CTL_JSON_MAX_DEPTH + 1) + 1];
	struct ctl_jv *v = NULL;
	int n = CTL_JSON_MAX_DEPTH;

	memset(deep, '[', (size_t)n);
	memset(deep + n, ']', (size_t)n);
	ck_assert_int_eq(ctl_json_parse(wgt_root, deep, 2 * (size_t)n, &v,
					NULL), 0);
	talloc_free(v);
	n++;
	memset(deep, '[', (size_t)n);
	memset(deep + n, ']', (size_t)n);
	ck_assert_int_eq(ctl_json_parse(wgt_root, deep, 2 * (size_t)n, &v,
					NULL), -EINVAL);
}
END_TEST

/* A response shaped like the daemon's. */
static char *sample_doc(void)
{
	struct ctl_json *j = ctl_json_new(wgt_root);
	int i = 0;

	ctl_json_object_begin(j, NULL);
	ctl_json_u64(j, "version", 1);
	ctl_json_bool(j, "ok", true);
	ctl_json_string(j, "verb", "sessions");
	ctl_json_array_begin(j, "sessions");
	for (i = 0; i < 3; i++) {
		ctl_json_object_begin(j, NULL);
		ctl_json_u64(j, "id", 0x1234500000000ULL + (unsigned)i);
		ctl_json_string(j, "computer", i == 1 ? "\\\\PC \"1\"" :
				"10.0.0.1");
		ctl_json_string(j, "user", i == 2 ? "" : "J\xc3\xbcrgen");
		ctl_json_bool(j, "anonymous", i == 2);
		ctl_json_i64(j, "neg", -i);
		ctl_json_object_end(j);
	}
	ctl_json_array_end(j);
	ctl_json_u64(j, "cap", 10);
	ctl_json_object_end(j);
	return finish_ok(j);
}

START_TEST(test_roundtrip_and_truncation)
{
	char *doc = sample_doc();
	size_t len = strlen(doc);
	struct ctl_jv *v = NULL;
	const struct ctl_jv *s = NULL;
	size_t i = 0;

	ck_assert_int_eq(ctl_json_parse(wgt_root, doc, len, &v, NULL), 0);
	s = ctl_jv_get(v, "sessions");
	ck_assert_uint_eq(ctl_jv_len(s), 3);
	ck_assert_str_eq(ctl_jv_str(ctl_jv_at(s, 1), "computer", ""),
			 "\\\\PC \"1\"");
	ck_assert_str_eq(ctl_jv_str(ctl_jv_at(s, 0), "user", ""),
			 "J\xc3\xbcrgen");
	ck_assert_uint_eq(ctl_jv_u64(ctl_jv_at(s, 2), "id", 0),
			  0x1234500000002ULL);
	ck_assert_int_eq(ctl_jv_i64(ctl_jv_at(s, 2), "neg", 0), -2);
	ck_assert(ctl_jv_bool(ctl_jv_at(s, 2), "anonymous", false));
	talloc_free(v);
	/* every strict prefix (before the final newline) is refused */
	for (i = 0; i + 1 < len; i++) {
		ck_assert_msg(ctl_json_parse(wgt_root, doc, i, &v, NULL) ==
			      -EINVAL, "prefix of %zu bytes parsed", i);
	}
	talloc_free(doc);
}
END_TEST

START_TEST(test_all_bytes_roundtrip)
{
	char raw[256];
	struct ctl_json *j = ctl_json_new(wgt_root);
	struct ctl_jv *v = NULL;
	char *doc = NULL;
	int i = 0;

	for (i = 1; i < 256; i++) {
		raw[i - 1] = (char)i;
	}
	raw[255] = '\0';
	ctl_json_string(j, NULL, raw);
	doc = finish_ok(j);
	ck_assert_int_eq(ctl_json_parse(wgt_root, doc, strlen(doc), &v, NULL),
			 0);
	/* ASCII survives exactly; the 128 lone high bytes become U+FFFD */
	ck_assert_int_eq(memcmp(v->str, raw, 127), 0);
	ck_assert_uint_eq(strlen(v->str), 127 + 128 * 3);
	talloc_free(v);
	talloc_free(doc);
}
END_TEST

/*
 * Deterministic mutations of a valid document: never a crash or leak,
 * and both outcomes happen (the unmutated document parses; some
 * mutations are still valid JSON, others are refused).
 */
START_TEST(test_parse_mutations)
{
	char *doc = sample_doc();
	size_t len = strlen(doc);
	char *buf = talloc_array(wgt_root, char, len);
	struct ctl_jv *whole = NULL;
	uint32_t seed = 12345;
	int round = 0;
	int parsed = 0, refused = 0;
	static const char pool[] = "{}[]\",:\\u0123456789-+.eEtrfalsn \x80\xff";

	ck_assert_int_eq(ctl_json_parse(wgt_root, doc, len, &whole, NULL), 0);
	ck_assert_ptr_nonnull(whole);
	talloc_free(whole);
	for (round = 0; round < 20000; round++) {
		struct ctl_jv *v = NULL;
		int k = 0;

		memcpy(buf, doc, len);
		for (k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[(seed >> 8) % len] =
				pool[(seed >> 20) % (sizeof(pool) - 1)];
		}
		if (ctl_json_parse(wgt_root, buf, len, &v, NULL) == 0) {
			ck_assert_ptr_nonnull(v);
			talloc_free(v);
			parsed++;
		} else {
			refused++;
		}
	}
	ck_assert_int_gt(parsed, 0);
	ck_assert_int_gt(refused, 0);
	talloc_free(buf);
	talloc_free(doc);
}
END_TEST

static Suite *ctlproto_suite(void)
{
	Suite *s = suite_create("ctlproto");
	TCase *tr = tcase_create("request");
	TCase *tj = tcase_create("json");

	tcase_add_checked_fixture(tr, wgt_setup, wgt_teardown);
	tcase_add_test(tr, test_request_roundtrip);
	tcase_add_test(tr, test_request_bad);
	tcase_add_test(tr, test_request_format_limits);
	suite_add_tcase(s, tr);
	tcase_add_checked_fixture(tj, wgt_setup, wgt_teardown);
	tcase_add_test(tj, test_writer);
	tcase_add_test(tj, test_writer_errors);
	tcase_add_test(tj, test_parse_good);
	tcase_add_test(tj, test_parse_bad);
	tcase_add_test(tj, test_parse_depth);
	tcase_add_test(tj, test_roundtrip_and_truncation);
	tcase_add_test(tj, test_all_bytes_roundtrip);
	tcase_add_test(tj, test_parse_mutations);
	suite_add_tcase(s, tj);
	return s;
}

WGT_MAIN(ctlproto_suite)
