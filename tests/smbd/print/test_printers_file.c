/*
 * test_printers_file.c - the printers file's text (smbd/print/printers.h):
 * a printer with every field, keys and values round-trips; bytes that
 * need escaping do; and every malformed file is refused: the version
 * line, field counts, numbers, escapes, hex, a value of no printer, a
 * cut-off last line, NUL bytes, too many printers.
 */
#include "tests/wgtest.h"
#include "smbd/print/printers.h"

#include <errno.h>

static struct rt_file_printer sample(TALLOC_CTX *mem)
{
	static uint8_t sd[] = { 1, 0, 4, 0x80, 0, 0, 0, 0 };
	static uint8_t dm[] = { 0xdc, 0, 0, 0 };
	struct rt_file_printer p = {
		.id = 7,
		.def = {
			.name = "laser %1", .share_name = "laser",
			.comment = "tab\there\nnewline", .location = "",
			.driver = "Generic", .port = "LPT1:",
			.print_processor = "winprint", .datatype = "RAW",
			.parameters = "", .sepfile = "", .attributes = 0x48,
			.priority = 1, .default_priority = 99,
			.start_time = 0, .until_time = 4294967295u,
			.sd = sd, .sd_len = sizeof(sd),
			.devmode = dm, .devmode_len = sizeof(dm),
			.change_id = 3,
		},
	};

	p.vals = talloc_zero_array(mem, struct wg_printer_value, 2);
	p.vals[0] = (struct wg_printer_value) { .key = "a\\b",
		.name = "dog", .type = 3, .data = (uint8_t *)"wo\0of",
		.len = 5 };
	p.vals[1] = (struct wg_printer_value) { .key = "empty key" };
	p.nvals = 2;
	return p;
}

static TALLOC_CTX *tmp;

static void setup(void)
{
	wgt_setup();
	tmp = talloc_new(NULL);
}

static void teardown(void)
{
	TALLOC_FREE(tmp);
	wgt_teardown();
}

START_TEST(test_round_trip)
{
	struct rt_file_printer in = sample(tmp), *out = NULL;
	char *text = rt_file_format(tmp, &in, 1);
	size_t n = 0;

	ck_assert_ptr_nonnull(text);
	ck_assert(strncmp(text, RT_FILE_MAGIC "\n", 17) == 0);
	/* control bytes and '%' never appear raw: one record a line */
	ck_assert_ptr_null(strstr(text, "tab\there"));
	ck_assert_ptr_nonnull(strstr(text, "tab%09here%0Anewline"));
	ck_assert_ptr_nonnull(strstr(text, "laser %251"));
	ck_assert_int_eq(rt_file_parse(tmp, text, strlen(text), &out,
				       &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out->id, 7);
	ck_assert_str_eq(out->def.name, "laser %1");
	ck_assert_str_eq(out->def.share_name, "laser");
	ck_assert_str_eq(out->def.comment, "tab\there\nnewline");
	ck_assert_str_eq(out->def.port, "LPT1:");
	ck_assert_uint_eq(out->def.default_priority, 99);
	ck_assert_uint_eq(out->def.until_time, 4294967295u);
	ck_assert_uint_eq(out->def.change_id, 3);
	ck_assert(out->def.runtime);
	ck_assert_uint_eq(out->def.sd_len, 8);
	ck_assert_mem_eq(out->def.sd, in.def.sd, 8);
	ck_assert_uint_eq(out->def.devmode_len, 4);
	ck_assert_uint_eq(out->def.devmode[0], 0xdc);
	ck_assert_uint_eq(out->nvals, 2);
	ck_assert_str_eq(out->vals[0].key, "a\\b");
	ck_assert_str_eq(out->vals[0].name, "dog");
	ck_assert_uint_eq(out->vals[0].type, 3);
	ck_assert_uint_eq(out->vals[0].len, 5);
	ck_assert_mem_eq(out->vals[0].data, "wo\0of", 5);
	ck_assert_str_eq(out->vals[1].key, "empty key");
	ck_assert_ptr_null(out->vals[1].name);
	/* an empty file (the version line alone) is no printers */
	ck_assert_int_eq(rt_file_parse(tmp, RT_FILE_MAGIC "\n", 17,
				       &out, &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* text with "%s" of line replaced: must be refused. */
static void refused(const char *text)
{
	struct rt_file_printer *out = NULL;
	size_t n = 99;

	ck_assert_msg(rt_file_parse(tmp, text, strlen(text), &out,
				    &n) == -EINVAL, "accepted: %s", text);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(n, 0);
}

#define P_OK "P\t1\tp\t\t\t\t\tLPT1:\t\t\t\t\t72\t1\t1\t0\t0\t1\t\t\n"

START_TEST(test_refused)
{
	struct rt_file_printer *out = NULL;
	size_t n = 0;
	char many[64 * 1024] = RT_FILE_MAGIC "\n";

	/* the well-formed base these variations break */
	ck_assert_int_eq(rt_file_parse(tmp, RT_FILE_MAGIC "\n" P_OK,
				       strlen(RT_FILE_MAGIC "\n" P_OK), &out,
				       &n), 0);
	ck_assert_uint_eq(n, 1);
	refused("");
	refused("wgsmb-printers 2\n");
	refused("wgsmb-printers 1");			/* no newline */
	refused(RT_FILE_MAGIC "\n" "P\t1\tp\n");	/* too few fields */
	refused(RT_FILE_MAGIC "\n" "P\t1\t\t\t\t\t\tLPT1:\t\t\t\t\t72\t1"
		"\t1\t0\t0\t1\t\t\n");			/* no name */
	refused(RT_FILE_MAGIC "\n" "P\tx\tp\t\t\t\t\tLPT1:\t\t\t\t\t72\t1"
		"\t1\t0\t0\t1\t\t\n");		/* id not a number */
	refused(RT_FILE_MAGIC "\n" "P\t1\tp\t\t\t\t\tLPT1:\t\t\t\t\t"
		"4294967296\t1\t1\t0\t0\t1\t\t\n");	/* 2^32 */
	refused(RT_FILE_MAGIC "\n" "P\t1\tp%2\t\t\t\t\tLPT1:\t\t\t\t\t72\t1"
		"\t1\t0\t0\t1\t\t\n");		/* cut escape */
	refused(RT_FILE_MAGIC "\n" "P\t1\tp%00\t\t\t\t\tLPT1:\t\t\t\t\t72"
		"\t1\t1\t0\t0\t1\t\t\n");		/* %00 */
	refused(RT_FILE_MAGIC "\n" "P\t1\tp\t\t\t\t\tLPT1:\t\t\t\t\t72\t1"
		"\t1\t0\t0\t1\tabc\t\n");		/* odd hex */
	refused(RT_FILE_MAGIC "\n" "P\t1\tp\t\t\t\t\tLPT1:\t\t\t\t\t72\t1"
		"\t1\t0\t0\t1\tzz\t\n");	/* not hex */
	/* a value of a printer no P line gave */
	refused(RT_FILE_MAGIC "\n" P_OK "V\t2\tk\tv\t3\t00\n");
	refused(RT_FILE_MAGIC "\n" P_OK "V\t1\tk\tv\t3\n");	/* short V */
	refused(RT_FILE_MAGIC "\n" P_OK "K\t1\tk\textra\n");
	refused(RT_FILE_MAGIC "\n" P_OK "X\t1\n");		/* unknown */
	refused(RT_FILE_MAGIC "\n" P_OK "K\t1\tk");		/* cut off */
	{
		/* a NUL inside a line */
		static const char nul[] = RT_FILE_MAGIC "\nK\t1\0\n";
		ck_assert_int_eq(rt_file_parse(tmp, nul, sizeof(nul) - 1,
					       &out, &n), -EINVAL);
	}
	/* more printers than RT_MAX_PRINTERS */
	for (int i = 0; i <= RT_MAX_PRINTERS; i++) {
		char line[128];

		snprintf(line, sizeof(line), "P\t%d\tp%d\t\t\t\t\tLPT1:\t\t\t\t"
			 "\t72\t1\t1\t0\t0\t1\t\t\n", i + 1, i);
		strcat(many, line);
	}
	refused(many);
}
END_TEST

static Suite *printers_file_suite(void)
{
	Suite *s = suite_create("printers_file");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(printers_file_suite)
