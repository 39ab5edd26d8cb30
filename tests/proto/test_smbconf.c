/*
 * test_smbconf.c - the smb.conf reader shared by wgsmbd and wgnet
 * (proto/smbconf.h): what it hands its callback, and where it stops.
 *
 * Each case parses a text and compares a transcript of the callbacks,
 * one per item: "LINE [section]" for a header, "LINE section|key=value"
 * for an entry ("-" as the section before the first header).
 */
#include "tests/wgtest.h"
#include "proto/smbconf.h"

struct rec {
	char *out;
	int stop_at;		/* stop (return 7) at this item number */
	int n;
};

static int record(void *priv, const struct smbconf_item *it)
{
	struct rec *r = priv;

	if (it->key == NULL) {
		ck_assert_ptr_null(it->value);
		r->out = talloc_asprintf_append(r->out, "%d [%s]\n", it->line,
						it->section);
	} else {
		r->out = talloc_asprintf_append(r->out, "%d %s|%s=%s\n",
						it->line,
						it->section != NULL ?
						it->section : "-",
						it->key, it->value);
	}
	ck_assert_ptr_nonnull(r->out);
	return ++r->n == r->stop_at ? 7 : 0;
}

/* Parse len bytes of text; the transcript is a child of wgt_root. */
static int parse_n(const char *text, size_t len, char **out, int *line)
{
	struct rec r = { .out = talloc_strdup(wgt_root, "") };
	int rc = 0;

	*line = -1;
	rc = smbconf_parse(text, len, record, &r, line);
	*out = r.out;
	return rc;
}

/* The text parses and gives exactly want. */
static void expect(const char *text, const char *want)
{
	char *out = NULL;
	int line = 0;
	int rc = parse_n(text, strlen(text), &out, &line);

	ck_assert_msg(rc == 0, "rc %d (%s) at line %d for:\n%s", rc,
		      smbconf_strerror(rc), line, text);
	ck_assert_int_eq(line, -1);	/* untouched on success */
	ck_assert_str_eq(out, want);
	talloc_free(out);
}

/* The text fails with err at line, after the callbacks in want. */
static void expect_err(const char *text, size_t len, int err, int at,
		       const char *want)
{
	char *out = NULL;
	int line = 0;
	int rc = parse_n(text, len, &out, &line);

	ck_assert_int_eq(rc, err);
	ck_assert_int_eq(line, at);
	ck_assert_str_eq(out, want);
	talloc_free(out);
}

static void expect_err_s(const char *text, int err, int at,
			 const char *want)
{
	expect_err(text, strlen(text), err, at, want);
}

START_TEST(test_basic)
{
	expect("[global]\nworkgroup = LAB\n[share]\npath = /srv\n",
	       "1 [global]\n2 global|workgroup=LAB\n3 [share]\n"
	       "4 share|path=/srv\n");
	/* no line end on the last line */
	expect("[a]\nk = v", "1 [a]\n2 a|k=v\n");
	/* nothing at all */
	expect("", "");
	ck_assert_int_eq(smbconf_parse(NULL, 0, record, NULL, NULL), 0);
}
END_TEST

START_TEST(test_bom)
{
	expect("\xEF\xBB\xBF[global]\nk = v\n", "1 [global]\n2 global|k=v\n");
	expect("\xEF\xBB\xBF  # comment\n[x]\n", "2 [x]\n");
	/* only at the start of the file: elsewhere it is a line's text */
	expect_err_s("[x]\n\xEF\xBB\xBF[y]\n", SMBCONF_E_SYNTAX, 2,
		   "1 [x]\n");
	/* a BOM alone is an empty file */
	expect("\xEF\xBB\xBF", "");
}
END_TEST

START_TEST(test_continuation)
{
	/* joined as is: the next line's indentation stays in the value */
	expect("[x]\nvalid users = a \\\n   b \\\n c\nnext = 1\n",
	       "1 [x]\n2 x|valid users=a    b  c\n5 x|next=1\n");
	/* a continued key, and CRLF line ends */
	expect("[x]\r\nmystery \\\r\n  key = 1\r\n",
	       "1 [x]\n2 x|mystery key=1\n");
	/* a '\' on the last line is dropped */
	expect("[x]\nk = v\\", "1 [x]\n2 x|k=v\n");
	/* an indented section header after a continued blank line */
	expect("   \\\n  [x]\n", "1 [x]\n");
	/* a continued comment swallows the next line */
	expect("# comment \\\nk = v\n[x]\n", "3 [x]\n");
}
END_TEST

START_TEST(test_comments_and_blanks)
{
	expect("# hash\n; semicolon\n\n   \n\t\n  ; indented\n[x]\n"
	       "a = 1 ; inline\n"
	       "b = 2;kept\n"
	       "c = 3 # kept\n"
	       "d =;kept\n"
	       "e = \t;gone\n"
	       "f =\n",
	       "7 [x]\n8 x|a=1\n9 x|b=2;kept\n10 x|c=3 # kept\n"
	       "11 x|d=;kept\n12 x|e=\n13 x|f=\n");
	/* a comment after a section header */
	expect("[x] ; the share\n[y]junk\n", "1 [x]\n2 [y]\n");
}
END_TEST

START_TEST(test_sections)
{
	/* repeated sections are reported each time, case and inner
	 * blanks kept, ends trimmed */
	expect("[global]\n[ Share One ]\n[GLOBAL]\n[global]\n[]\n",
	       "1 [global]\n2 [Share One]\n3 [GLOBAL]\n4 [global]\n5 []\n");
	/* keys before any section */
	expect("k = v\n[x]\n", "1 -|k=v\n2 [x]\n");
	expect_err_s("[x]\n[global\nk = v\n", SMBCONF_E_BRACKET, 2,
		   "1 [x]\n");
	expect_err_s("[a ;b]\n", SMBCONF_E_BRACKET, 1, "");
	/* a ';' that follows no blank is part of the name */
	expect("[a;b]\n", "1 [a;b]\n");
}
END_TEST

START_TEST(test_keys)
{
	expect("[x]\n"
	       "  Read \t  Only   = No\n"
	       "NetBIOS Name=box\n"
	       "\tUSERS  FILE\t=\t/u \n"
	       "log_level = 1\n"
	       "path: /srv\n"
	       "a = b = c\n"
	       "t = x:y\n"
	       "trail\v = 1\n",
	       "1 [x]\n2 x|read only=No\n3 x|netbios name=box\n"
	       "4 x|users file=/u\n5 x|log_level=1\n6 x|path=/srv\n"
	       "7 x|a=b = c\n8 x|t=x:y\n9 x|trail=1\n");
	/* an empty key is the caller's to refuse */
	expect("[x]\n = v\n", "1 [x]\n2 x|=v\n");
	/* non-ASCII bytes are kept as they are */
	expect("[x]\n\xC3\x89T\xC3\x89 = \xC3\xA9t\xC3\xA9\n",
	       "1 [x]\n2 x|\xC3\x89t\xC3\x89=\xC3\xA9t\xC3\xA9\n");
}
END_TEST

START_TEST(test_syntax_errors)
{
	const char *t = "[global]\nworkgroup = A\njunk\nlater = 1\n";

	/* the callbacks stop before the bad line */
	expect_err(t, strlen(t), SMBCONF_E_SYNTAX, 3,
		   "1 [global]\n2 global|workgroup=A\n");
	/* a ';' after a blank ends the key before any '=' */
	t = "[x]\na ;b = c\n";
	expect_err(t, strlen(t), SMBCONF_E_SYNTAX, 2, "1 [x]\n");
	/* a bad line reports where its logical line starts */
	t = "[x]\nk = a \\\n b\nno equals \\\n here\n";
	expect_err(t, strlen(t), SMBCONF_E_SYNTAX, 4, "1 [x]\n2 x|k=a  b\n");
	ck_assert_str_eq(smbconf_strerror(SMBCONF_E_SYNTAX),
			 "syntax error: expected '[section]' or "
			 "'key = value'");
}
END_TEST

START_TEST(test_nul)
{
	static const char t[] = "[x]\nk = a\\\nb\0c\nm = 1\n";

	expect_err(t, sizeof(t) - 1, SMBCONF_E_NUL, 3, "1 [x]\n");
	expect_err("\0", 1, SMBCONF_E_NUL, 1, "");
	ck_assert_str_eq(smbconf_strerror(SMBCONF_E_NUL), "NUL byte in line");
}
END_TEST

START_TEST(test_long_lines)
{
	char *t = NULL;
	char *want = NULL;
	char *v = talloc_zero_array(wgt_root, char, 1001);

	/* "k = " + 195 = 199 bytes: the longest line there is */
	memset(v, 'a', 195);
	t = talloc_asprintf(wgt_root, "[x]\nk = %s\n", v);
	want = talloc_asprintf(wgt_root, "1 [x]\n2 x|k=%s\n", v);
	expect(t, want);
	talloc_free(t);
	/* indentation does not count */
	t = talloc_asprintf(wgt_root, "[x]\n%*sk = %s\n", 500, "", v);
	expect(t, want);
	talloc_free(t);
	talloc_free(want);

	/* one byte more, even a trailing blank, is an error */
	t = talloc_asprintf(wgt_root, "[x]\n\nk = %s \nm = 1\n", v);
	expect_err(t, strlen(t), SMBCONF_E_TOOLONG, 3, "1 [x]\n");
	talloc_free(t);
	/* so is a long line made of continuations: its first line */
	t = talloc_asprintf(wgt_root, "[x]\nk = %.100s\\\n%.100s\n", v, v);
	expect_err(t, strlen(t), SMBCONF_E_TOOLONG, 2, "1 [x]\n");
	talloc_free(t);
	/* and a very long one */
	memset(v, 'b', 1000);
	t = talloc_asprintf(wgt_root, "[%s]\n", v);
	expect_err(t, strlen(t), SMBCONF_E_TOOLONG, 1, "");
	talloc_free(t);
	talloc_free(v);
	ck_assert_str_eq(smbconf_strerror(SMBCONF_E_TOOLONG),
			 "line too long (at most 199 characters)");
}
END_TEST

START_TEST(test_callback_stops)
{
	const char *t = "[a]\nk = 1\n[b]\njunk\n";
	struct rec r = { .out = talloc_strdup(wgt_root, ""), .stop_at = 2 };
	int line = 0;

	/* the callback's value comes back, with the item's line, and the
	 * syntax error after it is never reached */
	ck_assert_int_eq(smbconf_parse(t, strlen(t), record, &r, &line), 7);
	ck_assert_int_eq(line, 2);
	ck_assert_str_eq(r.out, "1 [a]\n2 a|k=1\n");
	talloc_free(r.out);
	/* the length is honoured: nothing past it is read */
	r = (struct rec){ .out = talloc_strdup(wgt_root, "") };
	ck_assert_int_eq(smbconf_parse(t, 9, record, &r, NULL), 0);
	ck_assert_str_eq(r.out, "1 [a]\n2 a|k=1\n");
	talloc_free(r.out);
}
END_TEST

static Suite *smbconf_suite(void)
{
	Suite *s = suite_create("smbconf");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_basic);
	tcase_add_test(tc, test_bom);
	tcase_add_test(tc, test_continuation);
	tcase_add_test(tc, test_comments_and_blanks);
	tcase_add_test(tc, test_sections);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_syntax_errors);
	tcase_add_test(tc, test_nul);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_callback_stops);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(smbconf_suite)
