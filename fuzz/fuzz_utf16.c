/*
 * fuzz_utf16.c - invariants of proto/utf16.h on arbitrary bytes:
 *
 *  - as UTF-16LE: what converts to UTF-8 converts back to the same bytes;
 *    what fails has an unpaired surrogate or a U+0000;
 *  - as UTF-8: it converts iff a reference reading of Unicode's table 3-7
 *    says it is well formed, and then round-trips through UTF-16LE;
 *  - compared (split into three strings): utf8_casecmp() is reflexive,
 *    antisymmetric and transitive, agrees with strcmp() of utf8_upper()
 *    for well-formed strings, and utf8_upper() is idempotent;
 *  - utf8_casekey_next() steps through the string one character or one
 *    malformed byte at a time, as utf16.h says.
 *
 * A broken invariant aborts, which libFuzzer reports as a crash.
 */
#include "proto/utf16.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)		\
	do {			\
		if (!(x)) {	\
			abort();\
		}		\
	} while (0)

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static bool in(uint8_t b, uint8_t lo, uint8_t hi)
{
	return b >= lo && b <= hi;
}

/* Reference: length of the well-formed sequence at s (n bytes), or 0. */
static size_t ref_len(const uint8_t *s, size_t n)
{
	if (s[0] <= 0x7f) {
		return 1;
	}
	if (n >= 2 && in(s[0], 0xc2, 0xdf) && in(s[1], 0x80, 0xbf)) {
		return 2;
	}
	if (n >= 3 && in(s[2], 0x80, 0xbf) &&
	    ((s[0] == 0xe0 && in(s[1], 0xa0, 0xbf)) ||
	     (in(s[0], 0xe1, 0xec) && in(s[1], 0x80, 0xbf)) ||
	     (s[0] == 0xed && in(s[1], 0x80, 0x9f)) ||
	     (in(s[0], 0xee, 0xef) && in(s[1], 0x80, 0xbf)))) {
		return 3;
	}
	if (n >= 4 && in(s[2], 0x80, 0xbf) && in(s[3], 0x80, 0xbf) &&
	    ((s[0] == 0xf0 && in(s[1], 0x90, 0xbf)) ||
	     (in(s[0], 0xf1, 0xf3) && in(s[1], 0x80, 0xbf)) ||
	     (s[0] == 0xf4 && in(s[1], 0x80, 0x8f)))) {
		return 4;
	}
	return 0;
}

static bool ref_valid(const char *str)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t n = strlen(str);

	while (n > 0) {
		size_t len = ref_len(s, n);

		if (len == 0) {
			return false;
		}
		s += len;
		n -= len;
	}
	return true;
}

/* Reference: is this UTF-16LE free of unpaired surrogates and U+0000? */
static bool ref_utf16_ok(const uint8_t *p, size_t units)
{
	for (size_t i = 0; i < units; i++) {
		uint16_t u = (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
		uint16_t lo = 0;

		if (u == 0 || (u >= 0xdc00 && u <= 0xdfff)) {
			return false;
		}
		if (u < 0xd800 || u > 0xdbff) {
			continue;
		}
		if (i + 1 == units) {
			return false;
		}
		i++;
		lo = (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
		if (lo < 0xdc00 || lo > 0xdfff) {
			return false;
		}
	}
	return true;
}

static void as_utf16(TALLOC_CTX *mem, const uint8_t *data, size_t size)
{
	size_t n = size & ~(size_t)1;
	char *s = NULL;
	uint8_t *back = NULL;
	size_t bn = 0;
	int rc = utf16le_to_utf8(mem, data, n, &s);

	CHECK((rc == 0) == ref_utf16_ok(data, n / 2));
	if (rc != 0) {
		CHECK(s == NULL);
		return;
	}
	CHECK(ref_valid(s));
	CHECK(utf16_len_of_utf8(s) == n);
	CHECK(utf8_to_utf16le(mem, s, &back, &bn) == 0);
	CHECK(bn == n && (n == 0 || memcmp(back, data, n) == 0));
}

/* str is NUL-terminated; checks conversion and the key stream. */
static void as_utf8(TALLOC_CTX *mem, const char *str)
{
	bool valid = ref_valid(str);
	uint8_t *u16 = NULL;
	size_t n = 0;
	char *back = NULL;
	char *up = NULL;
	const char *p = str;
	struct wire_wr w;
	int rc = utf8_to_utf16le(mem, str, &u16, &n);

	CHECK((rc == 0) == valid);
	up = utf8_upper(mem, str);
	CHECK((up != NULL) == valid);
	CHECK(utf16_len_of_utf8(str) == (valid ? n : 0));
	wire_wr_init(&w, mem, 0);
	wire_put_utf16(&w, str);
	CHECK((wire_wr_error(&w) == 0) == valid);
	CHECK(w.len == (valid ? n : 0));
	if (valid) {
		CHECK(n == 0 || memcmp(w.buf, u16, n) == 0);
		CHECK(utf16le_to_utf8(mem, u16, n, &back) == 0);
		CHECK(strcmp(back, str) == 0);
		CHECK(strcmp(utf8_upper(mem, up), up) == 0);
		CHECK(utf8_casecmp(up, str) == 0);
	}
	while (*p != '\0') {
		const uint8_t *at = (const uint8_t *)p;
		size_t len = ref_len(at, strlen(p));
		uint32_t key = utf8_casekey_next(&p);

		if (len == 0) {
			CHECK(key == UTF8_KEY_BAD + at[0]);
			CHECK(p == (const char *)at + 1);
		} else {
			CHECK(key <= 0x10ffff);
			CHECK(p == (const char *)at + len);
		}
	}
}

static void compare(TALLOC_CTX *mem, const char *a, const char *b,
		    const char *c)
{
	int ab = utf8_casecmp(a, b);
	int bc = utf8_casecmp(b, c);
	int ac = utf8_casecmp(a, c);

	CHECK(utf8_casecmp(a, a) == 0);
	CHECK(sign(ab) == -sign(utf8_casecmp(b, a)));
	if (ab <= 0 && bc <= 0) {
		CHECK(ac <= 0);
	}
	if (ab >= 0 && bc >= 0) {
		CHECK(ac >= 0);
	}
	if (ref_valid(a) && ref_valid(b)) {
		char *ua = utf8_upper(mem, a);
		char *ub = utf8_upper(mem, b);

		CHECK(ua != NULL && ub != NULL);
		/* UTF-8 keeps code point order, so strcmp() of the upper
		 * cases orders as the comparison does. */
		CHECK(sign(ab) == sign(strcmp(ua, ub)));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *str = NULL;
	char *parts[3] = { NULL, NULL, NULL };
	size_t cut1 = 0;
	size_t cut2 = 0;

	CHECK(mem != NULL);
	as_utf16(mem, data, size);

	/* The whole input as one string, up to its first NUL. */
	str = talloc_strndup(mem, (const char *)data, size);
	CHECK(str != NULL);
	as_utf8(mem, str);

	/* Three strings for the comparison invariants. */
	if (size >= 2) {
		cut1 = data[0] % (size - 1);
		cut2 = cut1 + data[1] % (size - 1 - cut1);
		data += 2;
		size -= 2;
		parts[0] = talloc_strndup(mem, (const char *)data, cut1);
		parts[1] = talloc_strndup(mem, (const char *)data + cut1,
					  cut2 - cut1);
		parts[2] = talloc_strndup(mem, (const char *)data + cut2,
					  size - cut2);
		CHECK(parts[0] != NULL && parts[1] != NULL &&
		      parts[2] != NULL);
		compare(mem, parts[0], parts[1], parts[2]);
		compare(mem, parts[1], parts[2], parts[0]);
		compare(mem, parts[2], parts[0], parts[1]);
	}
	talloc_free(mem);
	return 0;
}
