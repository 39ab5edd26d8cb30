/*
 * smbconf.h - the smb.conf reader that wgsmbd (smbd/base/config.c) and
 * wgnet (tools/wgnet_common.c) share, so both accept exactly the same
 * file. Pure: it parses a buffer the caller has read, knows no key, and
 * allocates nothing.
 *
 * Syntax:
 *  - A file may start with a UTF-8 byte order mark (EF BB BF); it is
 *    skipped.
 *  - Physical lines end at '\n'; trailing '\r's are dropped (CRLF files).
 *    A physical line ending in '\' continues on the next one: the '\' is
 *    removed and the next line appended as it is. A '\' on the last line
 *    is removed.
 *  - Leading white space of a logical line is skipped, so indented lines
 *    are ordinary lines (never the continuation of a value).
 *  - A logical line holds at most SMBCONF_MAX_CHARS bytes after its
 *    leading white space; a longer one is an error, never truncated.
 *    A NUL byte anywhere is an error.
 *  - Empty lines and lines starting with '#' or ';' are ignored.
 *  - "[name]" starts a section. The name is trimmed, its case kept;
 *    "[global]" is not special here. Text after ']' is ignored. A ';'
 *    after white space starts a comment, so "[a ;b]" lacks its ']'.
 *  - "key = value" (or "key: value"): the key ends at the first '=' or
 *    ':'. A ';' after white space starts a comment in the key or the
 *    value; '#' does not ("path = /srv/#1" keeps its '#'). The value is
 *    trimmed and may be empty. Any other line is a syntax error.
 *  - Keys are normalised: ASCII letters folded to lower case, each run of
 *    spaces and tabs inside the key made one space ("Read   Only" is
 *    "read only"). Underscores are kept as they are.
 *  - Sections may repeat and keys may appear outside any section; what
 *    that means is the caller's business.
 * White space is ' ', '\t', '\v', '\f' and '\r', whatever the locale.
 */
#ifndef WG_PROTO_SMBCONF_H
#define WG_PROTO_SMBCONF_H

#include <stddef.h>

#define SMBCONF_MAX_CHARS	199	/* bytes in one logical line */

enum smbconf_err {
	SMBCONF_OK = 0,
	SMBCONF_E_NUL = -1,	/* a NUL byte in a line */
	SMBCONF_E_TOOLONG = -2,	/* a logical line over SMBCONF_MAX_CHARS */
	SMBCONF_E_BRACKET = -3,	/* "[" without its "]" */
	SMBCONF_E_SYNTAX = -4,	/* not a comment, [section] or key = value */
};

/*
 * A static message for a SMBCONF_E_* code ("missing ']' in section
 * header"), never NULL.
 */
const char *smbconf_strerror(int err);

/* One section header or one entry, valid only during the callback. */
struct smbconf_item {
	int line;		/* physical line (from 1) the item starts on */
	const char *section;	/* current section; NULL before the first */
	const char *key;	/* normalised key; NULL for a section header */
	const char *value;	/* trimmed value; NULL for a section header */
};

/* Returns 0 to go on, or a value > 0 to stop the parse. */
typedef int (*smbconf_fn)(void *priv, const struct smbconf_item *item);

/*
 * Parse buf[0, len) (NUL bytes are an error, no terminator is needed;
 * buf may be NULL when len is 0). fn is called for every section header
 * (key == NULL, section is the new one) and every entry, in file order.
 *
 * Returns 0 after the whole buffer; the first value > 0 that fn returned
 * (the parse stops there); or a SMBCONF_E_* code (< 0) for the first
 * line that does not parse, before fn sees anything of that line. In
 * the last two cases *err_line (if not NULL) is the physical line: the
 * item's, the NUL byte's, or where the bad logical line starts.
 */
int smbconf_parse(const char *buf, size_t len, smbconf_fn fn, void *priv,
		  int *err_line);

#endif
