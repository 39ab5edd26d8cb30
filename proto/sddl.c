/*
 * sddl.c - the SDDL subset of secdesc.h [MS-DTYP §2.5.1]: descriptors as
 * text for logs, wgnet and tests, and back.
 */
#include "proto/secdesc.h"

#include <stdio.h>
#include <string.h>

/* FILE_GENERIC_* and FILE_ALL_ACCESS [MS-DTYP §2.4.3, MS-SMB2 §2.2.13.1] */
#define SDDL_FA		0x001F01FFu
#define SDDL_FR		0x00120089u
#define SDDL_FW		0x00120116u
#define SDDL_FX		0x001200A0u
#define SDDL_GA		0x10000000u
#define SDDL_GX		0x20000000u
#define SDDL_GW		0x40000000u
#define SDDL_GR		0x80000000u

/* At most this many ACEs in one ACL: what 64 KiB of 16-byte ACEs holds. */
#define SDDL_MAX_ACES	4095

struct name_bits {
	const char *name;
	uint32_t bits;
};

static const struct name_bits ace_types[] = {
	{ "A", SEC_ACE_ALLOWED },
	{ "D", SEC_ACE_DENIED },
	{ "AU", SEC_ACE_AUDIT },
	{ "OA", SEC_ACE_ALLOWED_OBJECT },
	{ "OD", SEC_ACE_DENIED_OBJECT },
	{ "OU", SEC_ACE_AUDIT_OBJECT },
	{ "ML", SEC_ACE_MANDATORY_LABEL },
	{ "SP", SEC_ACE_SCOPED_POLICY_ID },
};

static const struct name_bits ace_flags[] = {
	{ "OI", SEC_ACE_FLAG_OBJECT_INHERIT },
	{ "CI", SEC_ACE_FLAG_CONTAINER_INHERIT },
	{ "NP", SEC_ACE_FLAG_NO_PROPAGATE },
	{ "IO", SEC_ACE_FLAG_INHERIT_ONLY },
	{ "ID", SEC_ACE_FLAG_INHERITED },
	{ "SA", SEC_ACE_FLAG_SUCCESSFUL_ACCESS },
	{ "FA", SEC_ACE_FLAG_FAILED_ACCESS },
};

/* whole-mask names first (written when the mask is exactly one) */
static const struct name_bits rights[] = {
	{ "FA", SDDL_FA },
	{ "FR", SDDL_FR },
	{ "FW", SDDL_FW },
	{ "FX", SDDL_FX },
	{ "GA", SDDL_GA },
	{ "GR", SDDL_GR },
	{ "GW", SDDL_GW },
	{ "GX", SDDL_GX },
	{ "SD", 0x00010000u },
	{ "RC", 0x00020000u },
	{ "WD", 0x00040000u },
	{ "WO", 0x00080000u },
};

#define N_OF(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- writing ---- */

static char *put_sid(char *s, const struct dom_sid *sid)
{
	const struct sid_wk *wk = sid_wk_by_sid(sid);
	char buf[SID_STR_MAX];

	if (wk != NULL && wk->alias != NULL) {
		return talloc_asprintf_append_buffer(s, "%s", wk->alias);
	}
	return talloc_asprintf_append_buffer(s, "%s", sid_format_buf(sid, buf));
}

static char *put_rights(char *s, uint32_t mask)
{
	uint32_t generic = SDDL_GA | SDDL_GR | SDDL_GW | SDDL_GX;

	for (size_t i = 0; i < 4; i++) {
		if (mask == rights[i].bits) {
			return talloc_asprintf_append_buffer(s, "%s",
							     rights[i].name);
		}
	}
	if (mask != 0 && (mask & ~generic) == 0) {
		for (size_t i = 4; i < 8 && s != NULL; i++) {
			if (mask & rights[i].bits) {
				s = talloc_asprintf_append_buffer(
					s, "%s", rights[i].name);
			}
		}
		return s;
	}
	return talloc_asprintf_append_buffer(s, "0x%x", (unsigned)mask);
}

static char *put_guid(char *s, const uint8_t g[16])
{
	return talloc_asprintf_append_buffer(
		s, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		(unsigned)wire_le32(g), (unsigned)wire_le16(g + 4),
		(unsigned)wire_le16(g + 6), g[8], g[9], g[10], g[11], g[12],
		g[13], g[14], g[15]);
}

static char *put_ace(char *s, const struct sec_ace *a)
{
	const char *type = NULL;

	for (size_t i = 0; i < N_OF(ace_types); i++) {
		if (ace_types[i].bits == a->type) {
			type = ace_types[i].name;
		}
	}
	s = talloc_asprintf_append_buffer(s, "(%s;", type);
	for (size_t i = 0; i < N_OF(ace_flags) && s != NULL; i++) {
		if (a->flags & ace_flags[i].bits) {
			s = talloc_asprintf_append_buffer(s, "%s",
							  ace_flags[i].name);
		}
	}
	s = talloc_asprintf_append_buffer(s, ";");
	s = put_rights(s, a->mask);
	s = talloc_asprintf_append_buffer(s, ";");
	if (a->obj_flags & SEC_ACE_OBJECT_TYPE_PRESENT) {
		s = put_guid(s, a->obj_type);
	}
	s = talloc_asprintf_append_buffer(s, ";");
	if (a->obj_flags & SEC_ACE_INHERITED_OBJECT_TYPE_PRESENT) {
		s = put_guid(s, a->inh_type);
	}
	s = talloc_asprintf_append_buffer(s, ";");
	s = put_sid(s, &a->sid);
	return talloc_asprintf_append_buffer(s, ")");
}

static char *put_acl(char *s, const char *tag, uint16_t control,
		     const struct sec_acl *acl, bool sacl)
{
	uint16_t prot = sacl ? SEC_DESC_SACL_PROTECTED
			     : SEC_DESC_DACL_PROTECTED;
	uint16_t ar = sacl ? SEC_DESC_SACL_AUTO_INHERIT_REQ
			   : SEC_DESC_DACL_AUTO_INHERIT_REQ;
	uint16_t ai = sacl ? SEC_DESC_SACL_AUTO_INHERITED
			   : SEC_DESC_DACL_AUTO_INHERITED;

	s = talloc_asprintf_append_buffer(s, "%s:%s%s%s", tag,
					  (control & prot) ? "P" : "",
					  (control & ar) ? "AR" : "",
					  (control & ai) ? "AI" : "");
	if (acl == NULL) {
		return talloc_asprintf_append_buffer(s, "NO_ACCESS_CONTROL");
	}
	for (uint32_t i = 0; i < acl->n && s != NULL; i++) {
		s = put_ace(s, &acl->aces[i]);
	}
	return s;
}

char *sd_to_sddl(TALLOC_CTX *mem, const struct sec_desc *sd)
{
	char *s = talloc_strdup(mem, "");

	if (s != NULL && sd->owner != NULL) {
		s = talloc_asprintf_append_buffer(s, "O:");
		s = s != NULL ? put_sid(s, sd->owner) : NULL;
	}
	if (s != NULL && sd->group != NULL) {
		s = talloc_asprintf_append_buffer(s, "G:");
		s = s != NULL ? put_sid(s, sd->group) : NULL;
	}
	if (s != NULL && ((sd->control & SEC_DESC_DACL_PRESENT) ||
			  sd->dacl != NULL)) {
		s = put_acl(s, "D", sd->control, sd->dacl, false);
	}
	if (s != NULL && ((sd->control & SEC_DESC_SACL_PRESENT) ||
			  sd->sacl != NULL)) {
		s = put_acl(s, "S", sd->control, sd->sacl, true);
	}
	return s;
}

/* ---- reading ---- */

struct rd {
	const char *s;
	size_t pos;
};

static void skip_ws(struct rd *r)
{
	while (r->s[r->pos] == ' ' || r->s[r->pos] == '\t' ||
	       r->s[r->pos] == '\n' || r->s[r->pos] == '\r') {
		r->pos++;
	}
}

static char up(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
}

/* Does the text at the cursor start with word (ASCII case ignored)? */
static bool at_word(const struct rd *r, const char *word)
{
	size_t n = strlen(word);

	for (size_t i = 0; i < n; i++) {
		if (up(r->s[r->pos + i]) != word[i]) {
			return false;
		}
	}
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (up(c) >= 'A' && up(c) <= 'F');
}

/* Length of the S-1-... SID at p (not checked beyond its shape). */
static size_t sid_text_len(const char *p)
{
	size_t n = 4;

	if (up(p[0]) != 'S' || p[1] != '-' || p[2] != '1' || p[3] != '-') {
		return 0;
	}
	if (p[n] == '0' && up(p[n + 1]) == 'X') {
		/* exactly 12 digits: a hex "D" of "D:" may follow */
		n += 2;
		for (int i = 0; i < 12 && is_hex(p[n]); i++) {
			n++;
		}
	} else {
		while (is_digit(p[n])) {
			n++;
		}
	}
	while (p[n] == '-' && is_digit(p[n + 1])) {
		n++;
		while (is_digit(p[n])) {
			n++;
		}
	}
	return n;
}

static int get_sid(struct rd *r, struct dom_sid *sid)
{
	const char *p = r->s + r->pos;
	size_t n = sid_text_len(p);
	char buf[SID_STR_MAX];
	const struct sid_wk *wk = NULL;

	if (n > 0) {
		if (n >= sizeof(buf)) {
			return WIRE_E_INVALID;
		}
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (sid_parse(buf, sid) != 0) {
			return WIRE_E_INVALID;
		}
		r->pos += n;
		return 0;
	}
	if (p[0] == '\0' || p[1] == '\0') {
		return WIRE_E_INVALID;
	}
	buf[0] = p[0];
	buf[1] = p[1];
	buf[2] = '\0';
	wk = sid_wk_by_alias(buf);
	if (wk == NULL) {
		return WIRE_E_INVALID;
	}
	*sid = wk->sid;
	r->pos += 2;
	return 0;
}

/* One two-letter name from tab at the cursor; -1 if none. */
static int get_name(struct rd *r, const struct name_bits *tab, size_t n,
		    uint32_t *bits)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(tab[i].name);

		if (at_word(r, tab[i].name)) {
			/* "A" must not swallow the A of "AU" */
			if (len == 1 && up(r->s[r->pos + 1]) >= 'A' &&
			    up(r->s[r->pos + 1]) <= 'Z') {
				continue;
			}
			*bits = tab[i].bits;
			r->pos += len;
			return 0;
		}
	}
	return -1;
}

static int get_number(struct rd *r, uint32_t *v)
{
	const char *p = r->s + r->pos;
	uint64_t x = 0;
	size_t n = 0;

	if (p[0] == '0' && up(p[1]) == 'X') {
		n = 2;
		if (!is_hex(p[n])) {
			return WIRE_E_INVALID;
		}
		while (is_hex(p[n])) {
			char c = up(p[n]);

			x = x * 16 + (uint64_t)(is_digit(c) ? c - '0'
							    : c - 'A' + 10);
			if (x > UINT32_MAX) {
				return WIRE_E_INVALID;
			}
			n++;
		}
	} else {
		if (!is_digit(p[0])) {
			return WIRE_E_INVALID;
		}
		while (is_digit(p[n])) {
			x = x * 10 + (uint64_t)(p[n] - '0');
			if (x > UINT32_MAX) {
				return WIRE_E_INVALID;
			}
			n++;
		}
	}
	*v = (uint32_t)x;
	r->pos += n;
	return 0;
}

static int get_rights(struct rd *r, uint32_t *mask)
{
	uint32_t bits = 0;

	*mask = 0;
	if (is_digit(r->s[r->pos])) {
		return get_number(r, mask);
	}
	while (r->s[r->pos] != ';') {
		if (get_name(r, rights, N_OF(rights), &bits) != 0) {
			return WIRE_E_INVALID;
		}
		*mask |= bits;
	}
	return 0;
}

static int get_guid(struct rd *r, uint8_t g[16])
{
	static const int groups[] = { 8, 4, 4, 4, 12 };
	uint8_t hexs[16];
	size_t k = 0;
	const char *p = r->s + r->pos;
	size_t n = 0;

	for (size_t gi = 0; gi < 5; gi++) {
		for (int i = 0; i < groups[gi]; i += 2) {
			char a = up(p[n]), b = 0;

			if (!is_hex(a) || !is_hex(p[n + 1])) {
				return WIRE_E_INVALID;
			}
			b = up(p[n + 1]);
			hexs[k++] = (uint8_t)((is_digit(a) ? a - '0'
							   : a - 'A' + 10) << 4 |
					      (is_digit(b) ? b - '0'
							   : b - 'A' + 10));
			n += 2;
		}
		if (gi < 4) {
			if (p[n] != '-') {
				return WIRE_E_INVALID;
			}
			n++;
		}
	}
	/* text is big-endian per group; the wire has the first three
	 * groups little-endian */
	g[0] = hexs[3];
	g[1] = hexs[2];
	g[2] = hexs[1];
	g[3] = hexs[0];
	g[4] = hexs[5];
	g[5] = hexs[4];
	g[6] = hexs[7];
	g[7] = hexs[6];
	memcpy(g + 8, hexs + 8, 8);
	r->pos += n;
	return 0;
}

static int expect(struct rd *r, char c)
{
	if (r->s[r->pos] != c) {
		return WIRE_E_INVALID;
	}
	r->pos++;
	return 0;
}

static int get_ace(struct rd *r, struct sec_ace *a)
{
	uint32_t bits = 0;

	*a = (struct sec_ace) {};
	if (expect(r, '(') != 0 ||
	    get_name(r, ace_types, N_OF(ace_types), &bits) != 0) {
		return WIRE_E_INVALID;
	}
	a->type = (uint8_t)bits;
	if (expect(r, ';') != 0) {
		return WIRE_E_INVALID;
	}
	while (r->s[r->pos] != ';') {
		if (get_name(r, ace_flags, N_OF(ace_flags), &bits) != 0) {
			return WIRE_E_INVALID;
		}
		a->flags |= (uint8_t)bits;
	}
	r->pos++;
	if (get_rights(r, &a->mask) != 0 || expect(r, ';') != 0) {
		return WIRE_E_INVALID;
	}
	if (r->s[r->pos] != ';') {
		if (!sec_ace_is_object(a->type) ||
		    get_guid(r, a->obj_type) != 0) {
			return WIRE_E_INVALID;
		}
		a->obj_flags |= SEC_ACE_OBJECT_TYPE_PRESENT;
	}
	if (expect(r, ';') != 0) {
		return WIRE_E_INVALID;
	}
	if (r->s[r->pos] != ';') {
		if (!sec_ace_is_object(a->type) ||
		    get_guid(r, a->inh_type) != 0) {
			return WIRE_E_INVALID;
		}
		a->obj_flags |= SEC_ACE_INHERITED_OBJECT_TYPE_PRESENT;
	}
	if (expect(r, ';') != 0 || get_sid(r, &a->sid) != 0 ||
	    expect(r, ')') != 0) {
		return WIRE_E_INVALID;
	}
	return 0;
}

/* "D:" or "S:" already consumed: flags, then ACEs or NO_ACCESS_CONTROL. */
static int get_acl(struct rd *r, struct sec_desc *sd, bool sacl)
{
	struct sec_acl *acl = NULL;
	uint16_t prot = sacl ? SEC_DESC_SACL_PROTECTED
			     : SEC_DESC_DACL_PROTECTED;
	uint16_t ar = sacl ? SEC_DESC_SACL_AUTO_INHERIT_REQ
			   : SEC_DESC_DACL_AUTO_INHERIT_REQ;
	uint16_t ai = sacl ? SEC_DESC_SACL_AUTO_INHERITED
			   : SEC_DESC_DACL_AUTO_INHERITED;

	if ((sacl && (sd->control & SEC_DESC_SACL_PRESENT)) ||
	    (!sacl && (sd->control & SEC_DESC_DACL_PRESENT))) {
		return WIRE_E_INVALID;	/* given twice */
	}
	sd->control |= sacl ? SEC_DESC_SACL_PRESENT : SEC_DESC_DACL_PRESENT;
	for (;;) {
		if (at_word(r, "NO_ACCESS_CONTROL")) {
			r->pos += strlen("NO_ACCESS_CONTROL");
			return 0;	/* a NULL ACL */
		}
		if (at_word(r, "AR")) {
			sd->control |= ar;
			r->pos += 2;
		} else if (at_word(r, "AI")) {
			sd->control |= ai;
			r->pos += 2;
		} else if (at_word(r, "P")) {
			sd->control |= prot;
			r->pos += 1;
		} else {
			break;
		}
	}
	acl = talloc_zero(sd, struct sec_acl);
	if (acl == NULL) {
		return WIRE_E_NOMEM;
	}
	acl->revision = SEC_ACL_REVISION;
	if (sacl) {
		sd->sacl = acl;
	} else {
		sd->dacl = acl;
	}
	skip_ws(r);
	while (r->s[r->pos] == '(') {
		struct sec_ace a;
		int rc = 0;

		if (acl->n >= SDDL_MAX_ACES || get_ace(r, &a) != 0) {
			return WIRE_E_INVALID;
		}
		if (sec_ace_is_object(a.type)) {
			acl->revision = SEC_ACL_REVISION_DS;
		}
		rc = sec_acl_add(acl, &a);
		if (rc != 0) {
			return rc;
		}
		skip_ws(r);
	}
	return 0;
}

static int get_part(struct rd *r, struct sec_desc *sd)
{
	char tag = up(r->s[r->pos]);

	if (r->s[r->pos + 1] != ':') {
		return WIRE_E_INVALID;
	}
	r->pos += 2;
	switch (tag) {
	case 'O':
		if (sd->owner != NULL) {
			return WIRE_E_INVALID;
		}
		sd->owner = talloc(sd, struct dom_sid);
		if (sd->owner == NULL) {
			return WIRE_E_NOMEM;
		}
		return get_sid(r, sd->owner);
	case 'G':
		if (sd->group != NULL) {
			return WIRE_E_INVALID;
		}
		sd->group = talloc(sd, struct dom_sid);
		if (sd->group == NULL) {
			return WIRE_E_NOMEM;
		}
		return get_sid(r, sd->group);
	case 'D':
		return get_acl(r, sd, false);
	case 'S':
		return get_acl(r, sd, true);
	default:
		r->pos -= 2;
		return WIRE_E_INVALID;
	}
}

int sd_from_sddl(TALLOC_CTX *mem, const char *text, struct sec_desc **out,
		 size_t *errpos)
{
	struct rd r = { .s = text };
	struct sec_desc *sd = talloc_zero(mem, struct sec_desc);
	int rc = 0;

	if (sd == NULL) {
		return WIRE_E_NOMEM;
	}
	sd->control = SEC_DESC_SELF_RELATIVE;
	skip_ws(&r);
	while (rc == 0 && r.s[r.pos] != '\0') {
		rc = get_part(&r, sd);
		skip_ws(&r);
	}
	if (rc != 0) {
		if (errpos != NULL) {
			*errpos = r.pos;
		}
		talloc_free(sd);
		return rc;
	}
	*out = sd;
	return 0;
}
