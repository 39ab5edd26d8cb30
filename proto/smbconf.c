/*
 * smbconf.c - the shared smb.conf reader; the syntax is in smbconf.h.
 *
 * Physical lines are joined into a logical line in a fixed buffer of
 * SMBCONF_MAX_CHARS + 1 bytes (leading white space never stored, so an
 * indented line costs nothing), which is then split in place.
 */
#include "proto/smbconf.h"

#include <stdbool.h>
#include <string.h>

#define SMBCONF_STR_(x)	#x
#define SMBCONF_STR(x)	SMBCONF_STR_(x)

struct smbconf_scan {
	const char *p;		/* next unread byte */
	const char *end;
	int phys;		/* physical lines read so far */
	int err_line;
};

const char *smbconf_strerror(int err)
{
	switch (err) {
	case SMBCONF_OK:
		return "no error";
	case SMBCONF_E_NUL:
		return "NUL byte in line";
	case SMBCONF_E_TOOLONG:
		return "line too long (at most "
			SMBCONF_STR(SMBCONF_MAX_CHARS) " characters)";
	case SMBCONF_E_BRACKET:
		return "missing ']' in section header";
	case SMBCONF_E_SYNTAX:
		return "syntax error: expected '[section]' or 'key = value'";
	default:
		return "unknown error";
	}
}

/* Locale-independent: ' ', '\t', '\n', '\v', '\f', '\r'. */
static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next physical line without its line end; false at the end. */
static bool next_physical(struct smbconf_scan *sc, const char **s,
			  size_t *n)
{
	const char *nl = NULL;

	if (sc->p >= sc->end) {
		return false;
	}
	nl = memchr(sc->p, '\n', (size_t)(sc->end - sc->p));
	*s = sc->p;
	*n = (size_t)((nl != NULL ? nl : sc->end) - sc->p);
	sc->p = nl != NULL ? nl + 1 : sc->end;
	sc->phys++;
	while (*n > 0 && (*s)[*n - 1] == '\r') {
		(*n)--;
	}
	return true;
}

/*
 * Join the next logical line into out (SMBCONF_MAX_CHARS + 1 bytes),
 * leading white space skipped. Returns 1 with *first set to its first
 * physical line, 0 at the end, or SMBCONF_E_NUL / SMBCONF_E_TOOLONG.
 */
static int next_logical(struct smbconf_scan *sc, char *out, int *first)
{
	const char *s = NULL;
	size_t n = 0;
	size_t o = 0;
	size_t i = 0;

	if (!next_physical(sc, &s, &n)) {
		return 0;
	}
	*first = sc->phys;
	if (sc->phys == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		n -= 3;
	}
	for (;;) {
		bool more = n > 0 && s[n - 1] == '\\';

		if (memchr(s, '\0', n) != NULL) {
			sc->err_line = sc->phys;
			return SMBCONF_E_NUL;
		}
		if (more) {
			n--;
		}
		for (i = 0; i < n; i++) {
			if (o == 0 && is_space(s[i])) {
				continue;
			}
			if (o == SMBCONF_MAX_CHARS) {
				sc->err_line = *first;
				return SMBCONF_E_TOOLONG;
			}
			out[o++] = s[i];
		}
		if (!more || !next_physical(sc, &s, &n)) {
			break;
		}
	}
	out[o] = '\0';
	return 1;
}

/*
 * The first of chars, or a ';' right after white space (an inline
 * comment), or the terminating NUL.
 */
static char *find_or_comment(char *s, const char *chars)
{
	bool after_space = false;

	for (; *s != '\0'; s++) {
		if (chars != NULL && strchr(chars, *s) != NULL) {
			break;
		}
		if (after_space && *s == ';') {
			break;
		}
		after_space = is_space(*s);
	}
	return s;
}

/* Trim white space at both ends of s, in place; returns the new start. */
static char *trim(char *s)
{
	size_t n = 0;

	while (is_space(*s)) {
		s++;
	}
	n = strlen(s);
	while (n > 0 && is_space(s[n - 1])) {
		s[--n] = '\0';
	}
	return s;
}

/* ASCII lower case, runs of blanks made one space, no blank at the ends. */
static void normalise_key(char *k)
{
	char *o = k;
	const char *i = k;

	for (; *i != '\0'; i++) {
		if (is_blank(*i)) {
			if (o > k && o[-1] != ' ') {
				*o++ = ' ';
			}
			continue;
		}
		*o++ = (*i >= 'A' && *i <= 'Z') ? (char)(*i - 'A' + 'a') : *i;
	}
	while (o > k && o[-1] == ' ') {
		o--;
	}
	*o = '\0';
}

/* One logical line (no leading white space). 0, fn's stop value or < 0. */
static int parse_line(char *line, struct smbconf_item *it, char *section,
		      smbconf_fn fn, void *priv)
{
	char *end = NULL;
	char *value = NULL;

	if (line[0] == '\0' || line[0] == '#' || line[0] == ';') {
		return 0;
	}
	if (line[0] == '[') {
		end = find_or_comment(line + 1, "]");
		if (*end != ']') {
			return SMBCONF_E_BRACKET;
		}
		*end = '\0';
		/* fits: both buffers hold a whole logical line */
		strcpy(section, trim(line + 1));
		it->section = section;
		it->key = NULL;
		it->value = NULL;
		return fn(priv, it);
	}
	end = find_or_comment(line, "=:");
	if (*end != '=' && *end != ':') {
		return SMBCONF_E_SYNTAX;
	}
	*end = '\0';
	value = end + 1;
	*find_or_comment(value, NULL) = '\0';
	line = trim(line);
	normalise_key(line);
	it->key = line;
	it->value = trim(value);
	return fn(priv, it);
}

int smbconf_parse(const char *buf, size_t len, smbconf_fn fn, void *priv,
		  int *err_line)
{
	struct smbconf_scan sc = {
		.p = buf,
		.end = buf != NULL ? buf + len : buf,
	};
	char line[SMBCONF_MAX_CHARS + 1] = "";
	char section[SMBCONF_MAX_CHARS + 1] = "";
	struct smbconf_item it = {};
	int first = 0;
	int rc = 0;

	while ((rc = next_logical(&sc, line, &first)) == 1) {
		it.line = first;
		rc = parse_line(line, &it, section, fn, priv);
		if (rc != 0) {
			sc.err_line = first;
			break;
		}
	}
	if (rc != 0 && err_line != NULL) {
		*err_line = sc.err_line;
	}
	return rc;
}
