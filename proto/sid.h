/*
 * sid.h - security identifiers [MS-DTYP §2.4.2]: the binary form
 * (§2.4.2.2), the string form "S-1-5-21-a-b-c-1000" (§2.4.2.1), ordering,
 * domain + RID composition, and the well-known SIDs wgsmb names
 * (§2.4.2.4). A pure codec: who a SID stands for in this server (users
 * file RIDs, the machine SID) is sessions/identity.h's.
 *
 * A struct dom_sid is a plain value (no pointers): copy it with '=',
 * compare it with sid_equal()/sid_compare(), never with memcmp() (the
 * sub-authorities past num_auths are not kept zero).
 */
#ifndef WG_PROTO_SID_H
#define WG_PROTO_SID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "proto/wire.h"

#define SID_REVISION		1
#define SID_MAX_SUB_AUTHS	15
#define SID_MAX_AUTHORITY	0xFFFFFFFFFFFFull	/* 48 bits */
/* "S-1-0x" + 12 hex digits + 15 * ("-" + 10 digits) + NUL, rounded up */
#define SID_STR_MAX		192

struct dom_sid {
	uint8_t num_auths;		/* 0..SID_MAX_SUB_AUTHS */
	uint64_t authority;		/* IdentifierAuthority, 48 bits */
	uint32_t sub_auths[SID_MAX_SUB_AUTHS];
};

/* Bytes of the binary form: 8 + 4 * num_auths. */
static inline size_t sid_size(const struct dom_sid *s)
{
	return 8 + 4 * (size_t)s->num_auths;
}

/*
 * Read a binary SID at the reader's cursor. WIRE_E_SHORT if the bytes
 * end first, WIRE_E_INVALID if Revision is not 1 or SubAuthorityCount is
 * over 15. The cursor is left where it was on failure.
 */
int sid_pull(struct wire_rd *r, struct dom_sid *s) WIRE_WUR;

/* Write the binary form (sid_size(s) bytes). */
void sid_push(struct wire_wr *w, const struct dom_sid *s);

/*
 * Parse the string form (§2.4.2.1): "S-1-" (either case of 'S'), then the
 * authority in decimal (below 2^32) or as 0x + 12 hex digits, then 0 to
 * 15 "-" decimal sub-authorities, each below 2^32; nothing after. The
 * grammar asks for at least one sub-authority, but S-1-5 (NT AUTHORITY)
 * is common in tools, so none is accepted. Returns 0 or WIRE_E_INVALID
 * (*s is then unspecified).
 */
int sid_parse(const char *str, struct dom_sid *s) WIRE_WUR;

/*
 * Format as S-1-... into buf (SID_STR_MAX bytes): the authority in
 * decimal below 2^32, else as 0x%012llX, as §2.4.2.1 asks. Returns buf.
 */
char *sid_format_buf(const struct dom_sid *s, char buf[SID_STR_MAX]);

/* The same as a talloc string child of mem; NULL on ENOMEM. */
char *sid_format(TALLOC_CTX *mem, const struct dom_sid *s);

/*
 * Total order: authority, then sub-authorities in turn, then the shorter
 * first. Returns <0, 0 or >0.
 */
int sid_compare(const struct dom_sid *a, const struct dom_sid *b);

static inline bool sid_equal(const struct dom_sid *a, const struct dom_sid *b)
{
	return sid_compare(a, b) == 0;
}

/*
 * out = domain with rid appended (a user or group in that domain).
 * Returns 0 or WIRE_E_TOOBIG if domain has 15 sub-authorities already.
 * out may be domain.
 */
int sid_compose(struct dom_sid *out, const struct dom_sid *domain,
		uint32_t rid) WIRE_WUR;

/*
 * Is s domain + one more sub-authority? If so and rid is not NULL, *rid
 * is that last sub-authority.
 */
bool sid_in_domain(const struct dom_sid *s, const struct dom_sid *domain,
		   uint32_t *rid);

/* SID_NAME_USE [MS-LSAT §2.2.13] of a name, for lookups. */
enum sid_name_use {
	SID_NAME_USER = 1,
	SID_NAME_DOM_GRP = 2,
	SID_NAME_DOMAIN = 3,
	SID_NAME_ALIAS = 4,
	SID_NAME_WKN_GRP = 5,
	SID_NAME_DELETED = 6,
	SID_NAME_INVALID = 7,
	SID_NAME_UNKNOWN = 8,
	SID_NAME_COMPUTER = 9,
	SID_NAME_LABEL = 10,
};

/* One well-known SID with the names Windows shows for it. */
struct sid_wk {
	struct dom_sid sid;
	const char *domain;		/* "NT AUTHORITY", "BUILTIN" or "" */
	const char *name;		/* "Authenticated Users" */
	const char *alias;		/* SDDL alias ("AU") or NULL */
	enum sid_name_use use;
};

/* The well-known SIDs, by name (each a static const, never changed). */
extern const struct dom_sid sid_everyone;		/* S-1-1-0 */
extern const struct dom_sid sid_creator_owner;		/* S-1-3-0 */
extern const struct dom_sid sid_creator_group;		/* S-1-3-1 */
extern const struct dom_sid sid_owner_rights;		/* S-1-3-4 */
extern const struct dom_sid sid_nt_authority;		/* S-1-5 */
extern const struct dom_sid sid_network;		/* S-1-5-2 */
extern const struct dom_sid sid_anonymous;		/* S-1-5-7 */
extern const struct dom_sid sid_authenticated_users;	/* S-1-5-11 */
extern const struct dom_sid sid_system;			/* S-1-5-18 */
extern const struct dom_sid sid_builtin;		/* S-1-5-32 */
extern const struct dom_sid sid_builtin_admins;		/* S-1-5-32-544 */
extern const struct dom_sid sid_builtin_users;		/* S-1-5-32-545 */
extern const struct dom_sid sid_builtin_guests;		/* S-1-5-32-546 */

/* The table, for listing (n entries); static, never NULL. */
const struct sid_wk *sid_wk_table(size_t *n);

/* The entry for s, or NULL if s is not well known. */
const struct sid_wk *sid_wk_by_sid(const struct dom_sid *s);

/*
 * The entry for a name, ignoring ASCII case: "Everyone",
 * "NT AUTHORITY\SYSTEM", "BUILTIN\Users" or just "Users"; NULL if none.
 */
const struct sid_wk *sid_wk_by_name(const char *name);

/* The entry for an SDDL alias ("WD", "BA"; ASCII case ignored), or NULL. */
const struct sid_wk *sid_wk_by_alias(const char *alias);

#endif
