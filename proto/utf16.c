/*
 * utf16.c - UTF-8 <-> UTF-16LE and simple case mapping (see utf16.h).
 */
#include "proto/utf16.h"

#include <locale.h>
#include <string.h>
#include <talloc.h>
#include <wctype.h>

/* Above every code point: how a malformed UTF-8 byte compares. */
#define CP_BAD_BASE 0x110000u

static bool is_cont(uint8_t b)
{
	return (b & 0xc0) == 0x80;
}

/*
 * Decode one code point from the NUL-terminated s. Returns the number of
 * bytes it takes (1..4) and sets *cp, or returns 0 if the sequence at s is
 * malformed. Never reads past a NUL: a NUL is not a continuation byte.
 * The caller handles s[0] == 0 itself.
 */
static size_t utf8_decode(const uint8_t *s, uint32_t *cp)
{
	uint32_t c = s[0];
	uint32_t min = 0;
	size_t n = 0;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		min = 0x80;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		min = 0x800;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		min = 0x10000;
		c &= 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if (!is_cont(s[i])) {
			return 0;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		return 0;
	}
	*cp = c;
	return n;
}

/* Encode cp (valid, not a surrogate) as UTF-8 at o; returns bytes used. */
static size_t utf8_encode(uint32_t cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Count the UTF-16 code units s needs; WIRE_E_INVALID if malformed. */
static int utf8_measure(const char *s, size_t *units)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = 0;

	while (*p != 0) {
		uint32_t cp = 0;
		size_t used = utf8_decode(p, &cp);

		if (used == 0) {
			return WIRE_E_INVALID;
		}
		n += cp >= 0x10000 ? 2 : 1;
		p += used;
	}
	*units = n;
	return 0;
}

int utf16le_to_utf8(void *mem, const uint8_t *p, size_t nbytes, char **out)
{
	char *buf = NULL;
	char *shrunk = NULL;
	size_t units = nbytes / 2;
	size_t o = 0;
	int rc = 0;

	if ((nbytes & 1) != 0) {
		return WIRE_E_INVALID;
	}
	/* Each code unit becomes at most 3 bytes (a pair becomes 4). */
	if (units > (SIZE_MAX - 1) / 3) {
		return WIRE_E_TOOBIG;
	}
	buf = talloc_array(mem, char, units * 3 + 1);
	if (buf == NULL) {
		return WIRE_E_NOMEM;
	}
	for (size_t i = 0; i < units; i++) {
		uint32_t cp = wire_le16(p + 2 * i);

		if (cp == 0) {
			rc = WIRE_E_INVALID;
			goto fail;
		}
		if (cp >= 0xdc00 && cp <= 0xdfff) {
			rc = WIRE_E_INVALID;
			goto fail;
		}
		if (cp >= 0xd800 && cp <= 0xdbff) {
			uint32_t lo = 0;

			if (i + 1 >= units) {
				rc = WIRE_E_INVALID;
				goto fail;
			}
			lo = wire_le16(p + 2 * (i + 1));
			if (lo < 0xdc00 || lo > 0xdfff) {
				rc = WIRE_E_INVALID;
				goto fail;
			}
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			i++;
		}
		o += utf8_encode(cp, buf + o);
	}
	buf[o] = '\0';
	shrunk = talloc_realloc(mem, buf, char, o + 1);
	if (shrunk != NULL) {
		buf = shrunk;
	}
	*out = buf;
	return 0;
fail:
	talloc_free(buf);
	return rc;
}

/* Write s (already validated) as UTF-16LE code units at o. */
static void utf8_to_units(const char *s, uint8_t *o)
{
	const uint8_t *p = (const uint8_t *)s;

	while (*p != 0) {
		uint32_t cp = 0;

		p += utf8_decode(p, &cp);
		if (cp >= 0x10000) {
			cp -= 0x10000;
			wire_setle16(o, (uint16_t)(0xd800 | (cp >> 10)));
			wire_setle16(o + 2, (uint16_t)(0xdc00 | (cp & 0x3ff)));
			o += 4;
		} else {
			wire_setle16(o, (uint16_t)cp);
			o += 2;
		}
	}
}

int utf8_to_utf16le(void *mem, const char *s, uint8_t **out, size_t *nbytes)
{
	uint8_t *buf = NULL;
	size_t units = 0;
	int rc = utf8_measure(s, &units);

	if (rc != 0) {
		return rc;
	}
	if (units > SIZE_MAX / 2) {
		return WIRE_E_TOOBIG;
	}
	buf = talloc_array(mem, uint8_t, units * 2);
	if (buf == NULL) {
		return WIRE_E_NOMEM;
	}
	utf8_to_units(s, buf);
	*out = buf;
	*nbytes = units * 2;
	return 0;
}

void wire_put_utf16(struct wire_wr *w, const char *utf8)
{
	size_t units = 0;

	if (utf8_measure(utf8, &units) != 0) {
		if (w->err == 0) {
			w->err = WIRE_E_INVALID;
		}
		return;
	}
	if (units > SIZE_MAX / 2) {
		if (w->err == 0) {
			w->err = WIRE_E_TOOBIG;
		}
		return;
	}
	if (units == 0) {
		return;		/* nothing to write; buf may not exist yet */
	}
	if (wire_wr_reserve(w, units * 2) != 0) {
		return;
	}
	utf8_to_units(utf8, w->buf + w->len);
	w->len += units * 2;
}

size_t utf16_len_of_utf8(const char *s)
{
	size_t units = 0;

	if (utf8_measure(s, &units) != 0 || units > SIZE_MAX / 2) {
		return 0;
	}
	return units * 2;
}

/*
 * A C.UTF-8 locale object for towupper_l(), created once. Two threads
 * racing here both create one; the loser frees its own. (locale_t)0 when
 * the system has no C.UTF-8: then only ASCII and Latin-1 are mapped.
 */
static locale_t utf8_locale(void)
{
	static locale_t cached = (locale_t)0;
	static int unavailable = 0;
	locale_t loc = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);
	locale_t expected = (locale_t)0;

	if (loc != (locale_t)0) {
		return loc;
	}
	if (__atomic_load_n(&unavailable, __ATOMIC_RELAXED) != 0) {
		return (locale_t)0;
	}
	loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (loc == (locale_t)0) {
		__atomic_store_n(&unavailable, 1, __ATOMIC_RELAXED);
		return (locale_t)0;
	}
	if (!__atomic_compare_exchange_n(&cached, &expected, loc, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		freelocale(loc);
		return expected;
	}
	return loc;
}

/* Simple upper-case mapping of one code point, BMP only (see utf16.h). */
static uint32_t cp_upper(uint32_t cp)
{
	locale_t loc = (locale_t)0;
	wint_t up = 0;

	if (cp < 0x80) {
		if (cp >= 'a' && cp <= 'z') {
			return cp - 0x20;
		}
		return cp;
	}
	if (cp < 0x100) {
		if (cp >= 0xe0 && cp <= 0xfe && cp != 0xf7) {
			return cp - 0x20;
		}
		if (cp == 0xff) {
			return 0x178;	/* y with diaeresis */
		}
		if (cp == 0xb5) {
			return 0x39c;	/* micro sign -> capital mu */
		}
		return cp;
	}
	if (cp >= 0x10000) {
		return cp;
	}
	loc = utf8_locale();
	if (loc == (locale_t)0) {
		return cp;
	}
	up = towupper_l((wint_t)cp, loc);
	if (up == 0 || up >= 0x10000 || (up >= 0xd800 && up <= 0xdfff)) {
		return cp;
	}
	return (uint32_t)up;
}

char *utf8_upper(void *mem, const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s);
	char *buf = NULL;
	char *shrunk = NULL;
	size_t o = 0;

	/* A BMP code point maps to a BMP one: at most 3 bytes each, and
	 * every code point takes at least one input byte. */
	if (n > (SIZE_MAX - 1) / 3) {
		return NULL;
	}
	buf = talloc_array(mem, char, n * 3 + 1);
	if (buf == NULL) {
		return NULL;
	}
	while (*p != 0) {
		uint32_t cp = 0;
		size_t used = utf8_decode(p, &cp);

		if (used == 0) {
			talloc_free(buf);
			return NULL;
		}
		o += utf8_encode(cp_upper(cp), buf + o);
		p += used;
	}
	buf[o] = '\0';
	shrunk = talloc_realloc(mem, buf, char, o + 1);
	if (shrunk != NULL) {
		buf = shrunk;
	}
	return buf;
}

/* Next comparison key from *p: upper-cased code point, or a value above
 * U+10FFFF for a malformed byte (which is consumed alone). */
static uint32_t next_key(const uint8_t **p)
{
	uint32_t cp = 0;
	size_t used = utf8_decode(*p, &cp);

	if (used == 0) {
		cp = CP_BAD_BASE + **p;
		*p += 1;
		return cp;
	}
	*p += used;
	return cp_upper(cp);
}

int utf8_casecmp(const char *a, const char *b)
{
	const uint8_t *pa = (const uint8_t *)a;
	const uint8_t *pb = (const uint8_t *)b;

	while (*pa != 0 && *pb != 0) {
		uint32_t ka = next_key(&pa);
		uint32_t kb = next_key(&pb);

		if (ka != kb) {
			return ka < kb ? -1 : 1;
		}
	}
	if (*pa == 0 && *pb == 0) {
		return 0;
	}
	return *pa == 0 ? -1 : 1;
}
