/*
 * shortname.c - stable hashed 8.3 names (see shortname.h).
 */
#include "smbd/fs/shortname.h"

#include <stdint.h>
#include <string.h>

#define BASE_MAX	8
#define EXT_MAX		3
#define PREFIX_CHARS	2

/* A character an 8.3 name may hold as it is (ASCII, any case). */
static bool legal_83(unsigned char c)
{
	static const char extra[] = "$%'-_@~`!(){}^#&";

	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9')) {
		return true;
	}
	return c != '\0' && strchr(extra, c) != NULL;
}

static char upper(unsigned char c)
{
	return (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
}

bool smbd_is_8dot3(const char *name)
{
	const char *dot = strchr(name, '.');
	size_t base = 0, ext = 0, i = 0;

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		return true;
	}
	base = dot != NULL ? (size_t)(dot - name) : strlen(name);
	if (base == 0 || base > BASE_MAX) {
		return false;
	}
	if (dot != NULL) {
		ext = strlen(dot + 1);
		if (ext == 0 || ext > EXT_MAX || strchr(dot + 1, '.') != NULL) {
			return false;
		}
	}
	for (i = 0; name[i] != '\0'; i++) {
		if (name + i != dot && !legal_83((unsigned char)name[i])) {
			return false;
		}
	}
	return true;
}

/* FNV-1a over the name's bytes. */
static uint32_t name_hash(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	uint32_t h = 2166136261u;

	for (; *p != '\0'; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return h;
}

/*
 * Up to max characters of s[0, len) as they go into a short name: spaces
 * and dots dropped, one '_' for each character not legal in 8.3 (a UTF-8
 * sequence counts once), letters upper-cased. Returns how many.
 */
static size_t take(const char *s, size_t len, char *out, size_t max)
{
	size_t i = 0, n = 0;

	for (i = 0; i < len && n < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '.' || (c & 0xC0) == 0x80) {
			continue;	/* dropped, or a UTF-8 continuation */
		}
		out[n++] = legal_83(c) ? upper(c) : '_';
	}
	return n;
}

size_t smbd_short_name(const char *name, char out[SMBD_SHORT_NAME_MAX + 1])
{
	static const char hex[] = "0123456789ABCDEF";
	const char *dot = strrchr(name, '.');
	const char *start = name;
	uint32_t h = 0;
	size_t n = 0, blen = 0, i = 0;
	char ext[EXT_MAX];
	size_t elen = 0;

	if (smbd_is_8dot3(name)) {
		for (n = 0; name[n] != '\0' && n < SMBD_SHORT_NAME_MAX; n++) {
			out[n] = upper((unsigned char)name[n]);
		}
		out[n] = '\0';
		return n;
	}
	h = name_hash(name);
	while (*start == '.') {
		start++;	/* leading dots are not an extension */
	}
	if (dot != NULL && dot < start) {
		dot = NULL;
	}
	blen = dot != NULL ? (size_t)(dot - start) : strlen(start);
	n = take(start, blen, out, PREFIX_CHARS);
	for (i = 0; i < 4; i++) {
		out[n++] = hex[(h >> (12 - 4 * i)) & 0xFu];
	}
	out[n++] = '~';
	out[n++] = (char)('1' + (h >> 16) % 9);
	if (dot != NULL) {
		elen = take(dot + 1, strlen(dot + 1), ext, EXT_MAX);
	}
	if (elen > 0) {
		out[n++] = '.';
		memcpy(out + n, ext, elen);
		n += elen;
	}
	out[n] = '\0';
	return n;
}
