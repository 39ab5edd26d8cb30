/*
 * utf16.c - UTF-8 <-> UTF-16LE and simple case mapping (see utf16.h).
 */
#include "proto/utf16.h"

#include <string.h>
#include <talloc.h>

/* upcase_index[] and upcase_pages[], from scripts/gen_upcase.py */
#include "proto/upcase_table.inc"

static bool is_cont(uint8_t b)
{
	return (b & 0xc0) == 0x80;
}

size_t utf8_decode(const uint8_t *s, size_t avail, uint32_t *cp)
{
	uint32_t c = 0;
	uint32_t min = 0;
	size_t n = 0;

	if (avail == 0) {
		return 0;
	}
	c = s[0];
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
		return 0;	/* continuation, C0/C1 or F5..FF */
	}
	for (size_t i = 1; i < n; i++) {
		if (i >= avail || !is_cont(s[i])) {
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

size_t utf8_encode(uint32_t cp, char *o)
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
	const uint8_t *end = p + strlen(s);
	size_t n = 0;

	while (p < end) {
		uint32_t cp = 0;
		size_t used = utf8_decode(p, (size_t)(end - p), &cp);

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
	const uint8_t *end = p + strlen(s);

	while (p < end) {
		uint32_t cp = 0;

		p += utf8_decode(p, (size_t)(end - p), &cp);
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

uint32_t unicode_upper(uint32_t cp)
{
	uint8_t page = 0;

	if (cp < 0x80) {
		return cp >= 'a' && cp <= 'z' ? cp - 0x20 : cp;
	}
	if (cp >= 0x10000) {
		return cp;	/* Windows maps UTF-16 units: BMP only */
	}
	page = upcase_index[cp >> 8];
	if (page == 0) {
		return cp;
	}
	return upcase_pages[page - 1][cp & 0xff];
}

char *utf8_upper(void *mem, const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s);
	const uint8_t *end = p + n;
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
	while (p < end) {
		uint32_t cp = 0;
		size_t used = utf8_decode(p, (size_t)(end - p), &cp);

		if (used == 0) {
			talloc_free(buf);
			return NULL;
		}
		o += utf8_encode(unicode_upper(cp), buf + o);
		p += used;
	}
	buf[o] = '\0';
	shrunk = talloc_realloc(mem, buf, char, o + 1);
	if (shrunk != NULL) {
		buf = shrunk;
	}
	return buf;
}

uint32_t utf8_casekey_next(const char **s)
{
	const uint8_t *p = (const uint8_t *)*s;
	uint32_t cp = 0;
	/* 4 is enough: the decoder stops at the NUL, not a continuation */
	size_t used = utf8_decode(p, 4, &cp);

	if (used == 0) {
		*s += 1;
		return UTF8_KEY_BAD + p[0];
	}
	*s += used;
	return unicode_upper(cp);
}

int utf8_casecmp(const char *a, const char *b)
{
	while (*a != '\0' && *b != '\0') {
		uint32_t ka = utf8_casekey_next(&a);
		uint32_t kb = utf8_casekey_next(&b);

		if (ka != kb) {
			return ka < kb ? -1 : 1;
		}
	}
	if (*a == '\0' && *b == '\0') {
		return 0;
	}
	return *a == '\0' ? -1 : 1;
}
