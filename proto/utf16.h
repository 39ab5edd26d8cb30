/*
 * utf16.h - UTF-8 <-> UTF-16LE conversion and locale-independent simple
 * case mapping, for the strings SMB2 and NTLMSSP carry on the wire.
 *
 * Decoding is strict in both directions: overlong UTF-8, UTF-8-encoded
 * surrogates, code points above U+10FFFF, truncated sequences and
 * unpaired UTF-16 surrogates are all rejected with WIRE_E_INVALID.
 *
 * Case mapping follows what Windows does for names (NTLMv2 user names,
 * NTFS-style case-insensitive file names): one code unit at a time, so
 * only code points of the Basic Multilingual Plane are mapped; characters
 * outside it compare exactly. The mapping is the Unicode simple upper-case
 * mapping, never one that changes the number of characters (no "SS" for
 * U+00DF), and does not depend on setlocale().
 */
#ifndef WG_PROTO_UTF16_H
#define WG_PROTO_UTF16_H

#include <stddef.h>
#include <stdint.h>
#include "proto/wire.h"

/*
 * Convert nbytes of UTF-16LE at p into a NUL-terminated UTF-8 string.
 * *out is a talloc child of mem, owned by the caller; it is set only on
 * success. nbytes 0 gives "".
 * Errors: WIRE_E_INVALID (odd length, unpaired surrogate, embedded
 * U+0000), WIRE_E_NOMEM.
 */
int utf16le_to_utf8(void *mem, const uint8_t *p, size_t nbytes, char **out)
	WIRE_WUR;

/*
 * Convert the UTF-8 string s to UTF-16LE without a terminating NUL.
 * *out is a talloc child of mem (never NULL on success, even for ""),
 * *nbytes its length in bytes. Both are set only on success.
 * Errors: WIRE_E_INVALID (malformed UTF-8), WIRE_E_TOOBIG, WIRE_E_NOMEM.
 */
int utf8_to_utf16le(void *mem, const char *s, uint8_t **out, size_t *nbytes)
	WIRE_WUR;

/*
 * Append s as UTF-16LE (no NUL) to w. Malformed UTF-8 appends nothing and
 * sets the writer's sticky error to WIRE_E_INVALID.
 */
void wire_put_utf16(struct wire_wr *w, const char *utf8);

/*
 * Bytes of UTF-16LE that s converts to. Returns 0 both for "" and for
 * malformed UTF-8; callers that must tell them apart check s[0].
 */
size_t utf16_len_of_utf8(const char *s);

/*
 * Upper-case copy of s (see the header comment for the mapping). The
 * result is a talloc child of mem owned by the caller; NULL on malformed
 * UTF-8 or out of memory.
 */
char *utf8_upper(void *mem, const char *s);

/*
 * Case-insensitive comparison of two UTF-8 strings by upper-cased code
 * point. Returns <0, 0 or >0 like strcmp. Malformed bytes never match a
 * character: each compares as a value above U+10FFFF, so the order stays
 * total and consistent.
 */
int utf8_casecmp(const char *a, const char *b);

#endif
