/*
 * test_utf16.c - the one UTF-8/UTF-16 and case-mapping module
 * (proto/utf16.h): round trips, every class of malformed UTF-8 and
 * UTF-16, case-insensitive comparison and the rule for malformed bytes.
 */
#include "proto/utf16.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../wgtest.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- reference: Unicode 3.9, table 3-7, well-formed UTF-8 ---- */

static bool in(uint8_t b, uint8_t lo, uint8_t hi)
{
	return b >= lo && b <= hi;
}

/* Length of the well-formed sequence at s (n bytes), 0 if there is none. */
static size_t ref_len(const uint8_t *s, size_t n)
{
	uint8_t b0 = n > 0 ? s[0] : 0;
	uint8_t b1 = n > 1 ? s[1] : 0;
	uint8_t b2 = n > 2 ? s[2] : 0;
	uint8_t b3 = n > 3 ? s[3] : 0;

	if (n == 0) {
		return 0;
	}
	if (b0 <= 0x7f) {
		return 1;
	}
	if (n >= 2 && in(b0, 0xc2, 0xdf) && in(b1, 0x80, 0xbf)) {
		return 2;
	}
	if (n >= 3 && in(b2, 0x80, 0xbf) &&
	    ((b0 == 0xe0 && in(b1, 0xa0, 0xbf)) ||
	     (in(b0, 0xe1, 0xec) && in(b1, 0x80, 0xbf)) ||
	     (b0 == 0xed && in(b1, 0x80, 0x9f)) ||
	     (in(b0, 0xee, 0xef) && in(b1, 0x80, 0xbf)))) {
		return 3;
	}
	if (n >= 4 && in(b2, 0x80, 0xbf) && in(b3, 0x80, 0xbf) &&
	    ((b0 == 0xf0 && in(b1, 0x90, 0xbf)) ||
	     (in(b0, 0xf1, 0xf3) && in(b1, 0x80, 0xbf)) ||
	     (b0 == 0xf4 && in(b1, 0x80, 0x8f)))) {
		return 4;
	}
	return 0;
}

/* The code point of a well-formed sequence of len bytes. */
static uint32_t ref_cp(const uint8_t *s, size_t len)
{
	static const uint8_t lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t c = s[0] & lead_mask[len];

	for (size_t i = 1; i < len; i++) {
		c = (c << 6) | (s[i] & 0x3f);
	}
	return c;
}

/*
 * Check.h's asserts record a mark on every pass, too slow for millions of
 * inputs: the exhaustive loops count mismatches and keep the first one.
 */
struct tally {
	unsigned long bad;
	char first[96];
};

static void check_decode(struct tally *t, const uint8_t *in, size_t n)
{
	uint8_t s[4] = { 0x80, 0x80, 0x80, 0x80 };
	uint32_t cp = 0xabcdef;
	size_t want = 0;
	size_t got = 0;

	/* Continuation bytes past n: a decoder that reads them is caught. */
	memcpy(s, in, n);
	want = ref_len(s, n);
	got = utf8_decode(s, n, &cp);
	uint32_t want_cp = want == 0 ? 0xabcdef : ref_cp(s, want);

	if (got == want && cp == want_cp) {
		return;
	}
	if (t->bad++ == 0) {
		snprintf(t->first, sizeof(t->first),
			 "%02x %02x %02x %02x (n %zu): got %zu U+%04X, "
			 "want %zu", s[0], n > 1 ? s[1] : 0, n > 2 ? s[2] : 0,
			 n > 3 ? s[3] : 0, n, got, cp, want);
	}
}

/* Every 1-, 2- and 3-byte input, and every 4-byte lead and second byte. */
START_TEST(test_decode_exhaustive)
{
	static const uint8_t tails[] = { 0x00, 0x7f, 0x80, 0x8f, 0x90,
					 0x9f, 0xa0, 0xbf, 0xc0, 0xff };
	struct tally t = {};
	uint8_t s[4] = { 0 };

	ck_assert_uint_eq(utf8_decode(s, 0, NULL), 0);
	for (unsigned a = 0; a < 256; a++) {
		s[0] = (uint8_t)a;
		check_decode(&t, s, 1);
		for (unsigned b = 0; b < 256; b++) {
			s[1] = (uint8_t)b;
			check_decode(&t, s, 2);
			for (unsigned c = 0; c < 256; c++) {
				s[2] = (uint8_t)c;
				check_decode(&t, s, 3);
			}
			for (size_t i = 0; i < N_ELEMS(tails); i++) {
				for (size_t j = 0; j < N_ELEMS(tails); j++) {
					s[2] = tails[i];
					s[3] = tails[j];
					check_decode(&t, s, 4);
				}
			}
		}
	}
	ck_assert_msg(t.bad == 0, "%lu wrong, first %s", t.bad, t.first);
}
END_TEST

/* Every scalar value encodes to what decodes back to it. */
START_TEST(test_encode_all)
{
	unsigned long bad = 0;
	uint32_t first = 0;

	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		char buf[4];
		size_t n = 0;
		size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 :
			      cp < 0x10000 ? 3 : 4;
		uint32_t back = 0;

		if (cp >= 0xd800 && cp <= 0xdfff) {
			continue;
		}
		n = utf8_encode(cp, buf);
		if (n != want || ref_len((const uint8_t *)buf, n) != n ||
		    utf8_decode((const uint8_t *)buf, n, &back) != n ||
		    back != cp) {
			first = bad++ == 0 ? cp : first;
		}
	}
	ck_assert_msg(bad == 0, "%lu wrong, first U+%04X", bad, first);
}
END_TEST

/* ---- round trips through UTF-16LE ---- */

static const struct {
	const char *utf8;
	const char *hex;	/* its UTF-16LE */
} rt_cases[] = {
	{ "", "" },
	{ "A", "4100" },
	{ "\x7f\xc2\x80", "7f00 8000" },		/* U+007F U+0080 */
	{ "\xdf\xbf\xe0\xa0\x80", "ff07 0008" },	/* U+07FF U+0800 */
	/* U+D7FF U+E000, around the surrogates */
	{ "\xed\x9f\xbf\xee\x80\x80", "ffd7 00e0" },
	{ "\xef\xbf\xbf", "ffff" },				/* U+FFFF */
	{ "\xef\xbb\xbf", "fffe" },				/* BOM U+FEFF */
	{ "\xf0\x90\x80\x80", "00d8 00dc" },			/* U+10000 */
	{ "\xf0\x9f\x98\x80", "3dd8 00de" },			/* U+1F600 */
	{ "\xf4\x8f\xbf\xbf", "ffdb ffdf" },			/* U+10FFFF */
	{ "a\xf0\x9f\x98\x80z\xf0\x90\x90\xa8",
	  "6100 3dd8 00de 7a00 01d8 28dc" },
	{ "\xc3\x84\xc3\x96 \xce\xa3 \xd0\x96",
	  "c400 d600 2000 a303 2000 1604" },
};

START_TEST(test_roundtrip)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);

	for (size_t i = 0; i < N_ELEMS(rt_cases); i++) {
		size_t want_n = 0;
		uint8_t *want = wgt_hex(mem, rt_cases[i].hex, &want_n);
		uint8_t *u16 = NULL;
		size_t n = 0;
		char *back = NULL;
		struct wire_wr w;

		ck_assert_int_eq(utf8_to_utf16le(mem, rt_cases[i].utf8, &u16,
						 &n), 0);
		ck_assert_ptr_nonnull(u16);
		ck_assert_uint_eq(n, want_n);
		if (n > 0) {
			ck_assert_mem_eq(u16, want, n);
		}
		ck_assert_uint_eq(utf16_len_of_utf8(rt_cases[i].utf8), n);
		ck_assert_int_eq(utf16le_to_utf8(mem, want, want_n, &back), 0);
		ck_assert_str_eq(back, rt_cases[i].utf8);

		wire_wr_init(&w, mem, 0);
		wire_put_utf16(&w, rt_cases[i].utf8);
		ck_assert_int_eq(wire_wr_error(&w), 0);
		ck_assert_uint_eq(w.len, n);
		if (n > 0) {
			ck_assert_mem_eq(w.buf, want, n);
		}
		talloc_free(w.buf);
	}
	talloc_free(mem);
}
END_TEST

/* Every BMP code unit that is not a surrogate, and pairs across planes. */
START_TEST(test_roundtrip_all_units)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	uint8_t pair[4];

	for (uint32_t u = 1; u <= 0xffff; u++) {
		uint8_t le[2] = { (uint8_t)u, (uint8_t)(u >> 8) };
		char *s = NULL;
		uint8_t *back = NULL;
		size_t n = 0;
		int rc = utf16le_to_utf8(mem, le, 2, &s);

		if (u >= 0xd800 && u <= 0xdfff) {
			ck_assert_int_eq(rc, WIRE_E_INVALID);	/* unpaired */
			continue;
		}
		ck_assert_int_eq(rc, 0);
		ck_assert_int_eq(utf8_to_utf16le(mem, s, &back, &n), 0);
		ck_assert_uint_eq(n, 2);
		ck_assert_mem_eq(back, le, 2);
		talloc_free(s);
		talloc_free(back);
	}
	for (uint32_t hi = 0xd800; hi <= 0xdbff; hi += 0x3f) {
		for (uint32_t lo = 0xdc00; lo <= 0xdfff; lo += 0x3f) {
			uint32_t cp = 0x10000 + ((hi - 0xd800) << 10) +
				      (lo - 0xdc00);
			char want[4];
			size_t wn = utf8_encode(cp, want);
			char *s = NULL;
			uint8_t *back = NULL;
			size_t n = 0;

			pair[0] = (uint8_t)hi;
			pair[1] = (uint8_t)(hi >> 8);
			pair[2] = (uint8_t)lo;
			pair[3] = (uint8_t)(lo >> 8);
			ck_assert_int_eq(utf16le_to_utf8(mem, pair, 4, &s), 0);
			ck_assert_uint_eq(strlen(s), 4);
			ck_assert_uint_eq(wn, 4);
			ck_assert_mem_eq(s, want, 4);
			ck_assert_int_eq(utf8_to_utf16le(mem, s, &back, &n), 0);
			ck_assert_uint_eq(n, 4);
			ck_assert_mem_eq(back, pair, 4);
			talloc_free(s);
			talloc_free(back);
		}
	}
	talloc_free(mem);
}
END_TEST

/* ---- malformed UTF-8 ---- */

static const struct {
	const char *s;
	const char *why;
} bad_utf8[] = {
	/* overlong forms */
	{ "\xc0\x80", "overlong U+0000" },
	{ "\xc0\xaf", "overlong '/'" },
	{ "\xc1\x81", "overlong 'A'" },
	{ "\xc1\xbf", "overlong U+007F" },
	{ "\xe0\x80\xaf", "3-byte overlong '/'" },
	{ "\xe0\x9f\xbf", "3-byte overlong U+07FF" },
	{ "\xf0\x80\x80\xaf", "4-byte overlong '/'" },
	{ "\xf0\x8f\xbf\xbf", "4-byte overlong U+FFFF" },
	/* surrogates encoded in UTF-8 (and CESU-8) */
	{ "\xed\xa0\x80", "U+D800" },
	{ "\xed\xaf\xbf", "U+DBFF" },
	{ "\xed\xb0\x80", "U+DC00" },
	{ "\xed\xbf\xbf", "U+DFFF" },
	{ "\xed\xa0\xbd\xed\xb8\x80", "CESU-8 pair for U+1F600" },
	/* above U+10FFFF */
	{ "\xf4\x90\x80\x80", "U+110000" },
	{ "\xf4\xbf\xbf\xbf", "U+13FFFF" },
	{ "\xf5\x80\x80\x80", "lead F5" },
	{ "\xf7\xbf\xbf\xbf", "U+1FFFFF" },
	{ "\xf8\x88\x80\x80\x80", "5-byte form" },
	{ "\xfc\x84\x80\x80\x80\x80", "6-byte form" },
	{ "\xfe", "FE" },
	{ "\xff", "FF" },
	/* truncated sequences */
	{ "\xc3", "2-byte cut after 1" },
	{ "\xe2\x82", "3-byte cut after 2" },
	{ "\xe2", "3-byte cut after 1" },
	{ "\xf0\x9f\x98", "4-byte cut after 3" },
	{ "\xf0\x9f", "4-byte cut after 2" },
	{ "\xc3" "a", "2-byte cut by 'a'" },
	{ "x\xe2\x82y", "3-byte cut inside a name" },
	{ "\xf0\x9f\x98" "\xc3\xa4", "4-byte cut by a character" },
	/* stray continuation bytes */
	{ "\x80", "lone 80" },
	{ "\xbf", "lone BF" },
	{ "a\x80", "continuation after ASCII" },
	{ "\xc3\xa4\xa4", "one continuation too many" },
	{ "\xf0\x9f\x98\x80\x80", "continuation after a pair" },
};

START_TEST(test_malformed_utf8_rejected)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);

	for (size_t i = 0; i < N_ELEMS(bad_utf8); i++) {
		const char *s = bad_utf8[i].s;
		uint8_t *u16 = NULL;
		size_t n = 99;
		struct wire_wr w;

		ck_assert_msg(utf8_to_utf16le(mem, s, &u16, &n) ==
			      WIRE_E_INVALID, "%s", bad_utf8[i].why);
		ck_assert_ptr_null(u16);
		ck_assert_uint_eq(n, 99);
		ck_assert_msg(utf16_len_of_utf8(s) == 0, "%s", bad_utf8[i].why);
		ck_assert_msg(utf8_upper(mem, s) == NULL, "%s",
			      bad_utf8[i].why);
		wire_wr_init(&w, mem, 0);
		wire_put_u8(&w, 1);
		wire_put_utf16(&w, s);
		ck_assert_int_eq(wire_wr_error(&w), WIRE_E_INVALID);
		ck_assert_uint_eq(w.len, 1);
		talloc_free(w.buf);
	}
	talloc_free(mem);
}
END_TEST

/* ---- malformed UTF-16 ---- */

START_TEST(test_malformed_utf16_rejected)
{
	static const struct {
		const char *hex;
		const char *why;
	} bad[] = {
		{ "00d8", "lone high surrogate at the end" },
		{ "4100 00d8", "high surrogate last" },
		{ "00d8 4100", "high surrogate, then a letter" },
		{ "00d8 00d8 00dc", "two highs, one low" },
		{ "00dc", "lone low surrogate" },
		{ "00dc 00d8", "low before high" },
		{ "4100 ffdf 4200", "low surrogate inside" },
		{ "4100 0000", "embedded U+0000" },
		{ "0000", "U+0000 alone" },
	};
	TALLOC_CTX *mem = talloc_new(wgt_root);
	static const uint8_t odd[3] = { 0x41, 0x00, 0x42 };
	char *out = NULL;

	for (size_t i = 0; i < N_ELEMS(bad); i++) {
		size_t n = 0;
		uint8_t *p = wgt_hex(mem, bad[i].hex, &n);

		out = NULL;
		ck_assert_msg(utf16le_to_utf8(mem, p, n, &out) ==
			      WIRE_E_INVALID, "%s", bad[i].why);
		ck_assert_ptr_null(out);
	}
	ck_assert_int_eq(utf16le_to_utf8(mem, odd, 3, &out), WIRE_E_INVALID);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(utf16le_to_utf8(mem, odd, 0, &out), 0);
	ck_assert_str_eq(out, "");
	talloc_free(mem);
}
END_TEST

/* ---- case mapping ---- */

START_TEST(test_upper_table)
{
	static const struct {
		uint32_t cp;
		uint32_t up;
	} cases[] = {
		{ 'a', 'A' }, { 'z', 'Z' }, { 'A', 'A' }, { '@', '@' },
		{ 0xe4, 0xc4 }, { 0xf6, 0xd6 }, { 0xff, 0x178 },
		{ 0xb5, 0x39c },	/* micro sign -> capital mu */
		{ 0xdf, 0xdf },		/* sharp s: never "SS" */
		{ 0xf7, 0xf7 },		/* division sign */
		{ 0x131, 0x131 },	/* dotless i: not into ASCII */
		{ 0x17f, 0x17f },	/* long s: not into ASCII */
		{ 0x101, 0x100 }, { 0x17e, 0x17d },
		{ 0x3b1, 0x391 }, { 0x3c3, 0x3a3 }, { 0x3c2, 0x3a3 },
		{ 0x3ac, 0x386 }, { 0x3ce, 0x38f },
		{ 0x430, 0x410 }, { 0x44f, 0x42f }, { 0x451, 0x401 },
		{ 0x561, 0x531 },	/* Armenian */
		{ 0x1e01, 0x1e00 }, { 0x1f80, 0x1f88 }, { 0x1f88, 0x1f88 },
		{ 0x24d0, 0x24b6 },	/* circled a */
		{ 0xff41, 0xff21 },	/* fullwidth a */
		{ 0x10428, 0x10428 },	/* Deseret: outside the BMP */
		{ 0x1f600, 0x1f600 },
	};

	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		ck_assert_msg(unicode_upper(cases[i].cp) == cases[i].up,
			      "U+%04X -> U+%04X, want U+%04X", cases[i].cp,
			      unicode_upper(cases[i].cp), cases[i].up);
	}
	/* The table's shape: 1:1 within the BMP, idempotent, surrogates
	 * neither mapped nor produced, and only a-z land in ASCII. */
	for (uint32_t cp = 0; cp <= 0xffff; cp++) {
		uint32_t up = unicode_upper(cp);
		bool ok = up <= 0xffff && unicode_upper(up) == up;

		if (up >= 0xd800 && up <= 0xdfff) {
			ok = ok && up == cp;
		}
		if (cp >= 0xd800 && cp <= 0xdfff) {
			ok = ok && up == cp;
		}
		if (up < 0x80) {
			ok = ok && (cp == up || (cp >= 'a' && cp <= 'z'));
		}
		if (!ok) {
			ck_abort_msg("U+%04X -> U+%04X", cp, up);
		}
	}
}
END_TEST

START_TEST(test_upper_string)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "", "" },
		{ "Administrator", "ADMINISTRATOR" },
		{ "\xc3\xa4\xc3\xb6", "\xc3\x84\xc3\x96" },	/* äö */
		{ "stra\xc3\x9f" "e", "STRA\xc3\x9f" "E" },	/* no SS */
		/* αβγδ ς -> ΑΒΓΔ Σ */
		{ "\xce\xb1\xce\xb2\xce\xb3\xce\xb4\xcf\x82",
		  "\xce\x91\xce\x92\xce\x93\xce\x94\xce\xa3" },
		/* привет -> ПРИВЕТ */
		{ "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
		  "\xd0\x9f\xd0\xa0\xd0\x98\xd0\x92\xd0\x95\xd0\xa2" },
		/* ɐ (2 bytes) -> Ɐ (3 bytes): the result may grow */
		{ "\xc9\x90", "\xe2\xb1\xaf" },
		/* outside the BMP: unchanged */
		{ "\xf0\x90\x90\xa8", "\xf0\x90\x90\xa8" },
	};
	TALLOC_CTX *mem = talloc_new(wgt_root);

	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		char *up = utf8_upper(mem, cases[i].in);

		ck_assert_ptr_nonnull(up);
		ck_assert_str_eq(up, cases[i].out);
		ck_assert_int_eq(utf8_casecmp(up, cases[i].in), 0);
	}
	talloc_free(mem);
}
END_TEST

START_TEST(test_casecmp)
{
	static const struct {
		const char *a;
		const char *b;
		bool eq;
	} cases[] = {
		{ "", "", true },
		{ "Foo.TXT", "foo.txt", true },
		/* ÄÖ äö */
		{ "\xc3\x84\xc3\x96", "\xc3\xa4\xc3\xb6", true },
		{ "\xc3\x84rger", "\xc3\xa4RGER", true },
		/* ΑΒΓ vs αβγ; Σ, σ and ς */
		{ "\xce\x91\xce\x92\xce\x93", "\xce\xb1\xce\xb2\xce\xb3",
		  true },
		{ "\xce\xa3", "\xcf\x83", true },
		{ "\xcf\x82", "\xcf\x83", true },
		{ "\xce\x86", "\xce\xac", true },		/* Ά ά */
		/* МОСКВА vs москва, Ё vs ё */
		{ "\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90",
		  "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0", true },
		{ "\xd0\x81", "\xd1\x91", true },
		{ "\xd4\xb1", "\xd5\xa1", true },		/* Armenian */
		{ "\xef\xbc\xa1", "\xef\xbd\x81", true },	/* fullwidth */
		{ "\xc3\xa4", "a", false },
		{ "\xc3\x9f", "SS", false },
		{ "\xc4\xb1", "I", false },				/* ı */
		{ "\xc5\xbf", "S", false },				/* ſ */
		{ "\xd0\x95", "E", false },	/* Cyrillic Е, Latin E */
		/* Deseret 𐐀 vs 𐐨: outside the BMP, exact */
		{ "\xf0\x90\x90\x80", "\xf0\x90\x90\xa8", false },
		{ "abc", "ab", false },
	};

	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		int ab = utf8_casecmp(cases[i].a, cases[i].b);
		int ba = utf8_casecmp(cases[i].b, cases[i].a);

		ck_assert_msg((ab == 0) == cases[i].eq, "case %zu: %d", i, ab);
		ck_assert_int_eq(ab < 0, ba > 0);
		ck_assert_int_eq(ab > 0, ba < 0);
	}
	/* Order is by upper-cased code point, like strcmp. */
	ck_assert_int_lt(utf8_casecmp("a", "B"), 0);
	ck_assert_int_gt(utf8_casecmp("b", "A"), 0);
	ck_assert_int_lt(utf8_casecmp("", "a"), 0);
	ck_assert_int_lt(utf8_casecmp("z", "\xc3\xa4"), 0);
	ck_assert_int_lt(utf8_casecmp("\xef\xbf\xbf", "\xf0\x90\x80\x80"), 0);
}
END_TEST

/* ---- the rule for malformed bytes in comparisons ---- */

START_TEST(test_casecmp_malformed_rule)
{
	const char *s = NULL;

	/* Each malformed byte is one key, UTF8_KEY_BAD + byte. */
	s = "\xe2\x82" "a";
	ck_assert_uint_eq(utf8_casekey_next(&s), UTF8_KEY_BAD + 0xe2);
	ck_assert_uint_eq(utf8_casekey_next(&s), UTF8_KEY_BAD + 0x82);
	ck_assert_uint_eq(utf8_casekey_next(&s), 'A');
	ck_assert_int_eq(*s, '\0');
	s = "\xc1\x81";
	ck_assert_uint_eq(utf8_casekey_next(&s), UTF8_KEY_BAD + 0xc1);
	ck_assert_uint_eq(utf8_casekey_next(&s), UTF8_KEY_BAD + 0x81);
	s = "\xf0\x9f\x98\x80";
	ck_assert_uint_eq(utf8_casekey_next(&s), 0x1f600);
	ck_assert_int_eq(*s, '\0');

	/* Never equal to a character: not to what a lax decoder reads. */
	ck_assert_int_ne(utf8_casecmp("\xc1\x81", "A"), 0);	/* overlong */
	ck_assert_int_ne(utf8_casecmp("\xc1\x81", "a"), 0);
	ck_assert_int_ne(utf8_casecmp("\xc0\xaf", "/"), 0);
	ck_assert_int_ne(utf8_casecmp("\xc0\x80", ""), 0);
	ck_assert_int_ne(utf8_casecmp("\xed\xa0\xbd\xed\xb8\x80",
				      "\xf0\x9f\x98\x80"), 0);	/* CESU-8 */
	ck_assert_int_ne(utf8_casecmp("\xf4\x90\x80\x80", "\xef\xbf\xbd"),
			 0);
	/* ... nor to a different malformed byte (a bad 0xFF once equalled
	 * the surrogate U+DCFF) ... */
	ck_assert_int_ne(utf8_casecmp("\xff", "\xed\xb3\xbf"), 0);
	ck_assert_int_ne(utf8_casecmp("\xfe", "\xff"), 0);
	/* ... and equal to the same bytes, whatever the case around them. */
	ck_assert_int_eq(utf8_casecmp("a\xff", "A\xff"), 0);
	ck_assert_int_eq(utf8_casecmp("\xe2\x82x", "\xe2\x82X"), 0);
	/* Malformed sorts after every character, by byte among itself. */
	ck_assert_int_gt(utf8_casecmp("\xff", "\xf4\x8f\xbf\xbf"), 0);
	ck_assert_int_lt(utf8_casecmp("\xf4\x8f\xbf\xbf", "\xff"), 0);
	ck_assert_int_gt(utf8_casecmp("\x80", "\xef\xbf\xbf"), 0);
	ck_assert_int_lt(utf8_casecmp("\xfe", "\xff"), 0);
	/* A truncated sequence before the NUL: nothing read past it. */
	ck_assert_int_ne(utf8_casecmp("\xf0\x9f\x98", "\xf0\x9f\x98\x80"), 0);
	ck_assert_uint_eq(UTF8_KEY_BAD, 0x110000);
}
END_TEST

static Suite *utf16_suite(void)
{
	Suite *s = suite_create("utf16");
	TCase *dec = tcase_create("decode");
	TCase *rt = tcase_create("utf16");
	TCase *cs = tcase_create("case");

	tcase_set_timeout(dec, 60);
	tcase_add_test(dec, test_decode_exhaustive);
	tcase_add_test(dec, test_encode_all);
	suite_add_tcase(s, dec);

	tcase_add_checked_fixture(rt, wgt_setup, wgt_teardown);
	tcase_add_test(rt, test_roundtrip);
	tcase_add_test(rt, test_roundtrip_all_units);
	tcase_add_test(rt, test_malformed_utf8_rejected);
	tcase_add_test(rt, test_malformed_utf16_rejected);
	suite_add_tcase(s, rt);

	tcase_add_checked_fixture(cs, wgt_setup, wgt_teardown);
	tcase_add_test(cs, test_upper_table);
	tcase_add_test(cs, test_upper_string);
	tcase_add_test(cs, test_casecmp);
	tcase_add_test(cs, test_casecmp_malformed_rule);
	suite_add_tcase(s, cs);
	return s;
}

WGT_MAIN(utf16_suite)
