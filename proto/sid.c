/*
 * sid.c - SIDs: binary and string forms, order, well-known names
 * [MS-DTYP §2.4.2].
 */
#include "proto/sid.h"
#include "proto/hex.h"

#include <stdio.h>
#include <string.h>

int sid_pull(struct wire_rd *r, struct dom_sid *s)
{
	const uint8_t *p = NULL;
	uint8_t n = 0;
	int rc = 0;

	if (wire_left(r) < 8) {
		return WIRE_E_SHORT;
	}
	p = wire_cur(r);
	if (p[0] != SID_REVISION || p[1] > SID_MAX_SUB_AUTHS) {
		return WIRE_E_INVALID;
	}
	n = p[1];
	rc = wire_get_ptr(r, &p, 8 + 4 * (size_t)n);
	if (rc != 0) {
		return rc;
	}
	*s = (struct dom_sid) { .num_auths = n };
	for (int i = 2; i < 8; i++) {
		s->authority = s->authority << 8 | p[i];
	}
	for (uint8_t i = 0; i < n; i++) {
		s->sub_auths[i] = wire_le32(p + 8 + 4 * (size_t)i);
	}
	return 0;
}

void sid_push(struct wire_wr *w, const struct dom_sid *s)
{
	wire_put_u8(w, SID_REVISION);
	wire_put_u8(w, s->num_auths);
	for (int i = 5; i >= 0; i--) {
		wire_put_u8(w, (uint8_t)(s->authority >> (8 * i)));
	}
	for (uint8_t i = 0; i < s->num_auths; i++) {
		wire_put_u32le(w, s->sub_auths[i]);
	}
}

/* Decimal digits at *p into a value up to max; advances *p. */
static int parse_dec(const char **p, uint64_t max, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (*s < '0' || *s > '9') {
		return WIRE_E_INVALID;
	}
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max) {
			return WIRE_E_INVALID;
		}
		s++;
	}
	*p = s;
	*out = v;
	return 0;
}

/* "0x" and exactly 12 hex digits (§2.4.2.1); advances *p. */
static int parse_hex_authority(const char **p, uint64_t *out)
{
	const char *s = *p + 2;
	uint64_t v = 0;

	for (int i = 0; i < 12; i++) {
		int d = hex_digit(s[i]);

		if (d < 0) {
			return WIRE_E_INVALID;
		}
		v = v << 4 | (uint64_t)d;
	}
	*p = s + 12;
	*out = v;
	return 0;
}

int sid_parse(const char *str, struct dom_sid *s)
{
	const char *p = str;
	uint64_t v = 0;
	int rc = 0;

	if (str == NULL || (p[0] != 'S' && p[0] != 's') ||
	    strncmp(p + 1, "-1-", 3) != 0) {
		return WIRE_E_INVALID;
	}
	p += 4;
	*s = (struct dom_sid) {};
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		rc = parse_hex_authority(&p, &v);
	} else {
		rc = parse_dec(&p, UINT32_MAX, &v);
	}
	if (rc != 0) {
		return rc;
	}
	s->authority = v;
	while (*p == '-') {
		p++;
		if (s->num_auths == SID_MAX_SUB_AUTHS) {
			return WIRE_E_INVALID;
		}
		rc = parse_dec(&p, UINT32_MAX, &v);
		if (rc != 0) {
			return rc;
		}
		s->sub_auths[s->num_auths++] = (uint32_t)v;
	}
	return *p == '\0' ? 0 : WIRE_E_INVALID;
}

char *sid_format_buf(const struct dom_sid *s, char buf[SID_STR_MAX])
{
	size_t off = 0;
	size_t n = s->num_auths <= SID_MAX_SUB_AUTHS ? s->num_auths
						     : SID_MAX_SUB_AUTHS;

	if (s->authority <= UINT32_MAX) {
		off = (size_t)snprintf(buf, SID_STR_MAX, "S-1-%llu",
				       (unsigned long long)s->authority);
	} else {
		off = (size_t)snprintf(buf, SID_STR_MAX, "S-1-0x%012llX",
				       (unsigned long long)(s->authority &
							    SID_MAX_AUTHORITY));
	}
	for (size_t i = 0; i < n && off < SID_STR_MAX; i++) {
		off += (size_t)snprintf(buf + off, SID_STR_MAX - off, "-%u",
					(unsigned)s->sub_auths[i]);
	}
	return buf;
}

char *sid_format(TALLOC_CTX *mem, const struct dom_sid *s)
{
	char buf[SID_STR_MAX];

	return talloc_strdup(mem, sid_format_buf(s, buf));
}

int sid_compare(const struct dom_sid *a, const struct dom_sid *b)
{
	uint8_t n = a->num_auths < b->num_auths ? a->num_auths : b->num_auths;

	if (a->authority != b->authority) {
		return a->authority < b->authority ? -1 : 1;
	}
	for (uint8_t i = 0; i < n && i < SID_MAX_SUB_AUTHS; i++) {
		if (a->sub_auths[i] != b->sub_auths[i]) {
			return a->sub_auths[i] < b->sub_auths[i] ? -1 : 1;
		}
	}
	if (a->num_auths != b->num_auths) {
		return a->num_auths < b->num_auths ? -1 : 1;
	}
	return 0;
}

int sid_compose(struct dom_sid *out, const struct dom_sid *domain,
		uint32_t rid)
{
	if (domain->num_auths >= SID_MAX_SUB_AUTHS) {
		return WIRE_E_TOOBIG;
	}
	if (out != domain) {
		*out = *domain;
	}
	out->sub_auths[out->num_auths++] = rid;
	return 0;
}

bool sid_in_domain(const struct dom_sid *s, const struct dom_sid *domain,
		   uint32_t *rid)
{
	if (s->authority != domain->authority ||
	    domain->num_auths >= SID_MAX_SUB_AUTHS ||
	    s->num_auths != domain->num_auths + 1) {
		return false;
	}
	for (uint8_t i = 0; i < domain->num_auths; i++) {
		if (s->sub_auths[i] != domain->sub_auths[i]) {
			return false;
		}
	}
	if (rid != NULL) {
		*rid = s->sub_auths[domain->num_auths];
	}
	return true;
}

/* ---- well-known SIDs [MS-DTYP §2.4.2.4] ---- */

#define WK1(a, r0)	{ .num_auths = 1, .authority = (a), \
			  .sub_auths = { (r0) } }
#define WK2(a, r0, r1)	{ .num_auths = 2, .authority = (a), \
			  .sub_auths = { (r0), (r1) } }

const struct dom_sid sid_everyone = WK1(1, 0);
const struct dom_sid sid_creator_owner = WK1(3, 0);
const struct dom_sid sid_creator_group = WK1(3, 1);
const struct dom_sid sid_owner_rights = WK1(3, 4);
const struct dom_sid sid_nt_authority = { .num_auths = 0, .authority = 5 };
const struct dom_sid sid_network = WK1(5, 2);
const struct dom_sid sid_anonymous = WK1(5, 7);
const struct dom_sid sid_authenticated_users = WK1(5, 11);
const struct dom_sid sid_system = WK1(5, 18);
const struct dom_sid sid_builtin = WK1(5, 32);
const struct dom_sid sid_builtin_admins = WK2(5, 32, 544);
const struct dom_sid sid_builtin_users = WK2(5, 32, 545);
const struct dom_sid sid_builtin_guests = WK2(5, 32, 546);

static const struct sid_wk wk_table[] = {
	{ WK1(1, 0), "", "Everyone", "WD", SID_NAME_WKN_GRP },
	{ WK1(3, 0), "", "CREATOR OWNER", "CO", SID_NAME_WKN_GRP },
	{ WK1(3, 1), "", "CREATOR GROUP", "CG", SID_NAME_WKN_GRP },
	{ WK1(3, 4), "", "OWNER RIGHTS", "OW", SID_NAME_WKN_GRP },
	{ { .authority = 5 }, "NT AUTHORITY", "", NULL, SID_NAME_DOMAIN },
	{ WK1(5, 2), "NT AUTHORITY", "NETWORK", "NU", SID_NAME_WKN_GRP },
	{ WK1(5, 7), "NT AUTHORITY", "ANONYMOUS LOGON", "AN",
	  SID_NAME_WKN_GRP },
	{ WK1(5, 11), "NT AUTHORITY", "Authenticated Users", "AU",
	  SID_NAME_WKN_GRP },
	{ WK1(5, 18), "NT AUTHORITY", "SYSTEM", "SY", SID_NAME_WKN_GRP },
	{ WK1(5, 32), "BUILTIN", "", NULL, SID_NAME_DOMAIN },
	{ WK2(5, 32, 544), "BUILTIN", "Administrators", "BA", SID_NAME_ALIAS },
	{ WK2(5, 32, 545), "BUILTIN", "Users", "BU", SID_NAME_ALIAS },
	{ WK2(5, 32, 546), "BUILTIN", "Guests", "BG", SID_NAME_ALIAS },
};

const struct sid_wk *sid_wk_table(size_t *n)
{
	*n = sizeof(wk_table) / sizeof(wk_table[0]);
	return wk_table;
}

const struct sid_wk *sid_wk_by_sid(const struct dom_sid *s)
{
	for (size_t i = 0; i < sizeof(wk_table) / sizeof(wk_table[0]); i++) {
		if (sid_equal(&wk_table[i].sid, s)) {
			return &wk_table[i];
		}
	}
	return NULL;
}

static bool ascii_case_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z') {
			x = (char)(x + 32);
		}
		if (y >= 'A' && y <= 'Z') {
			y = (char)(y + 32);
		}
		if (x != y) {
			return false;
		}
		if (x == '\0') {
			return true;
		}
	}
	return true;
}

const struct sid_wk *sid_wk_by_name(const char *name)
{
	const char *bs = NULL;

	if (name == NULL || name[0] == '\0') {
		return NULL;
	}
	bs = strchr(name, '\\');
	for (size_t i = 0; i < sizeof(wk_table) / sizeof(wk_table[0]); i++) {
		const struct sid_wk *e = &wk_table[i];
		size_t dlen = strlen(e->domain);

		if (bs == NULL) {
			if (e->name[0] != '\0' &&
			    ascii_case_eq(e->name, name, strlen(name) + 1)) {
				return e;
			}
			continue;
		}
		/* DOMAIN\NAME, or DOMAIN\ alone for a domain entry */
		if ((size_t)(bs - name) == dlen && dlen > 0 &&
		    ascii_case_eq(e->domain, name, dlen) &&
		    ascii_case_eq(e->name, bs + 1, strlen(bs + 1) + 1)) {
			return e;
		}
	}
	return NULL;
}

const struct sid_wk *sid_wk_by_alias(const char *alias)
{
	if (alias == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < sizeof(wk_table) / sizeof(wk_table[0]); i++) {
		const struct sid_wk *e = &wk_table[i];

		if (e->alias != NULL && strlen(alias) == 2 &&
		    ascii_case_eq(e->alias, alias, 3)) {
			return e;
		}
	}
	return NULL;
}
