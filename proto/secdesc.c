/*
 * secdesc.c - ACEs, ACLs and self-relative security descriptors
 * [MS-DTYP §2.4.4-2.4.6]; the SDDL text form is in sddl.c.
 */
#include "proto/secdesc.h"

#include <string.h>

/* The smallest ACE: header, mask and a SID with no sub-authority. */
#define ACE_MIN_SIZE	16

bool sec_ace_is_object(uint8_t type)
{
	return type == SEC_ACE_ALLOWED_OBJECT ||
	       type == SEC_ACE_DENIED_OBJECT || type == SEC_ACE_AUDIT_OBJECT;
}

/* The types we model: 0 when accepted, else why not. */
static int ace_type_check(uint8_t type)
{
	switch (type) {
	case SEC_ACE_ALLOWED:
	case SEC_ACE_DENIED:
	case SEC_ACE_AUDIT:
	case SEC_ACE_ALLOWED_OBJECT:
	case SEC_ACE_DENIED_OBJECT:
	case SEC_ACE_AUDIT_OBJECT:
	case SEC_ACE_MANDATORY_LABEL:
	case SEC_ACE_SCOPED_POLICY_ID:
		return 0;
	default:
		return WIRE_E_UNSUPPORTED;
	}
}

size_t sec_ace_size(const struct sec_ace *a)
{
	size_t n = 8 + sid_size(&a->sid);

	if (sec_ace_is_object(a->type)) {
		n += 4;
		if (a->obj_flags & SEC_ACE_OBJECT_TYPE_PRESENT) {
			n += 16;
		}
		if (a->obj_flags & SEC_ACE_INHERITED_OBJECT_TYPE_PRESENT) {
			n += 16;
		}
	}
	return n;
}

size_t sec_acl_size(const struct sec_acl *acl)
{
	size_t n = SEC_ACL_HEADER_SIZE;

	for (uint32_t i = 0; i < acl->n; i++) {
		n += sec_ace_size(&acl->aces[i]);
	}
	return n;
}

/* The body of one ACE (its AceSize bytes, header included) in r. */
static int ace_body_pull(struct wire_rd *r, struct sec_ace *a)
{
	uint32_t of = 0;
	int rc = 0;

	if (wire_skip(r, 4) != 0 || wire_get_u32le(r, &a->mask) != 0) {
		return WIRE_E_INVALID;
	}
	if (sec_ace_is_object(a->type)) {
		if (wire_get_u32le(r, &of) != 0) {
			return WIRE_E_INVALID;
		}
		a->obj_flags = of & (SEC_ACE_OBJECT_TYPE_PRESENT |
				     SEC_ACE_INHERITED_OBJECT_TYPE_PRESENT);
		if ((of & SEC_ACE_OBJECT_TYPE_PRESENT) &&
		    wire_get_bytes(r, a->obj_type, 16) != 0) {
			return WIRE_E_INVALID;
		}
		if ((of & SEC_ACE_INHERITED_OBJECT_TYPE_PRESENT) &&
		    wire_get_bytes(r, a->inh_type, 16) != 0) {
			return WIRE_E_INVALID;
		}
	}
	rc = sid_pull(r, &a->sid);
	/* a SID running past AceSize is an AceSize below its content */
	return rc == WIRE_E_SHORT ? WIRE_E_INVALID : rc;
}

/* One ACE at the cursor of r (the rest of its ACL). */
static int ace_pull(struct wire_rd *r, struct sec_ace *a)
{
	struct wire_rd body;
	const uint8_t *p = wire_cur(r);
	uint16_t size = 0;
	int rc = 0;

	if (wire_left(r) < 4) {
		return WIRE_E_BOUNDS;
	}
	*a = (struct sec_ace) { .type = p[0], .flags = p[1] };
	size = wire_le16(p + 2);
	rc = ace_type_check(a->type);
	if (rc != 0) {
		return rc;
	}
	if (size < ACE_MIN_SIZE || size % 4 != 0) {
		return WIRE_E_INVALID;
	}
	if (wire_get_sub(r, size, &body) != 0) {
		return WIRE_E_BOUNDS;
	}
	/* padding a sender put after the SID is allowed and dropped */
	return ace_body_pull(&body, a);
}

/* An ACL at offset off of the descriptor sd (all of the buffer). */
static int acl_pull(TALLOC_CTX *mem, const struct wire_rd *sd, uint32_t off,
		    struct sec_acl **out)
{
	struct wire_rd r;
	struct wire_rd aces;
	struct sec_acl *acl = NULL;
	uint16_t size = 0, count = 0;
	const uint8_t *p = NULL;
	int rc = 0;

	if (off < SEC_DESC_HEADER_SIZE || off > sd->len ||
	    sd->len - off < SEC_ACL_HEADER_SIZE) {
		return WIRE_E_BOUNDS;
	}
	p = sd->base + off;
	size = wire_le16(p + 2);
	count = wire_le16(p + 4);
	/* 2..4, as Windows' RtlValidAcl (smbcacls -S sends 3); kept as 2
	 * or 4 on output */
	if (p[0] < SEC_ACL_REVISION || p[0] > SEC_ACL_REVISION_DS) {
		return WIRE_E_INVALID;
	}
	if (size < SEC_ACL_HEADER_SIZE) {
		return WIRE_E_INVALID;
	}
	if (wire_sub(sd, off, size, &r) != 0) {
		return WIRE_E_BOUNDS;
	}
	/* cap the count by what AclSize can hold before allocating */
	if (count > (size - SEC_ACL_HEADER_SIZE) / ACE_MIN_SIZE) {
		return WIRE_E_BOUNDS;
	}
	acl = talloc_zero(mem, struct sec_acl);
	if (acl == NULL) {
		return WIRE_E_NOMEM;
	}
	acl->revision = p[0];
	acl->n = count;
	if (count > 0) {
		acl->aces = talloc_zero_array(acl, struct sec_ace, count);
		if (acl->aces == NULL) {
			talloc_free(acl);
			return WIRE_E_NOMEM;
		}
	}
	if (wire_sub(&r, SEC_ACL_HEADER_SIZE, size - SEC_ACL_HEADER_SIZE,
		     &aces) != 0) {
		talloc_free(acl);
		return WIRE_E_BOUNDS;
	}
	for (uint16_t i = 0; i < count; i++) {
		rc = ace_pull(&aces, &acl->aces[i]);
		if (rc != 0) {
			talloc_free(acl);
			return rc;
		}
	}
	*out = acl;
	return 0;
}

/* A SID at offset off of the descriptor. */
static int sid_at(TALLOC_CTX *mem, const struct wire_rd *sd, uint32_t off,
		  struct dom_sid **out)
{
	struct wire_rd r;
	struct dom_sid s;
	int rc = 0;

	if (off < SEC_DESC_HEADER_SIZE || off >= sd->len) {
		return WIRE_E_BOUNDS;
	}
	if (wire_sub(sd, off, sd->len - off, &r) != 0) {
		return WIRE_E_BOUNDS;
	}
	rc = sid_pull(&r, &s);
	if (rc != 0) {
		return rc == WIRE_E_SHORT ? WIRE_E_BOUNDS : rc;
	}
	*out = talloc(mem, struct dom_sid);
	if (*out == NULL) {
		return WIRE_E_NOMEM;
	}
	**out = s;
	return 0;
}

int sd_pull(TALLOC_CTX *mem, const uint8_t *buf, size_t len,
	    struct sec_desc **out)
{
	struct wire_rd r;
	struct sec_desc *sd = NULL;
	uint32_t off_owner = 0, off_group = 0, off_sacl = 0, off_dacl = 0;
	int rc = 0;

	if (len < SEC_DESC_HEADER_SIZE) {
		return WIRE_E_SHORT;
	}
	if (buf[0] != 1) {
		return WIRE_E_INVALID;
	}
	wire_rd_init(&r, buf, len);
	off_owner = wire_le32(buf + 4);
	off_group = wire_le32(buf + 8);
	off_sacl = wire_le32(buf + 12);
	off_dacl = wire_le32(buf + 16);
	sd = talloc_zero(mem, struct sec_desc);
	if (sd == NULL) {
		return WIRE_E_NOMEM;
	}
	sd->control = wire_le16(buf + 2);
	if (off_owner != 0) {
		rc = sid_at(sd, &r, off_owner, &sd->owner);
	}
	if (rc == 0 && off_group != 0) {
		rc = sid_at(sd, &r, off_group, &sd->group);
	}
	if (rc == 0 && off_sacl != 0 &&
	    (sd->control & SEC_DESC_SACL_PRESENT)) {
		rc = acl_pull(sd, &r, off_sacl, &sd->sacl);
	}
	if (rc == 0 && off_dacl != 0 &&
	    (sd->control & SEC_DESC_DACL_PRESENT)) {
		rc = acl_pull(sd, &r, off_dacl, &sd->dacl);
	}
	if (rc != 0) {
		talloc_free(sd);
		return rc;
	}
	*out = sd;
	return 0;
}

static void ace_push(struct wire_wr *w, const struct sec_ace *a)
{
	wire_put_u8(w, a->type);
	wire_put_u8(w, a->flags);
	wire_put_u16le(w, (uint16_t)sec_ace_size(a));
	wire_put_u32le(w, a->mask);
	if (sec_ace_is_object(a->type)) {
		wire_put_u32le(w, a->obj_flags);
		if (a->obj_flags & SEC_ACE_OBJECT_TYPE_PRESENT) {
			wire_put_bytes(w, a->obj_type, 16);
		}
		if (a->obj_flags & SEC_ACE_INHERITED_OBJECT_TYPE_PRESENT) {
			wire_put_bytes(w, a->inh_type, 16);
		}
	}
	sid_push(w, &a->sid);
}

static void acl_push(struct wire_wr *w, const struct sec_acl *acl)
{
	uint8_t rev = acl->revision == SEC_ACL_REVISION_DS ?
		      SEC_ACL_REVISION_DS : SEC_ACL_REVISION;

	for (uint32_t i = 0; i < acl->n; i++) {
		if (sec_ace_is_object(acl->aces[i].type)) {
			rev = SEC_ACL_REVISION_DS;
		}
	}
	wire_put_u8(w, rev);
	wire_put_u8(w, 0);
	wire_put_u16le(w, (uint16_t)sec_acl_size(acl));
	wire_put_u16le(w, (uint16_t)acl->n);
	wire_put_u16le(w, 0);
	for (uint32_t i = 0; i < acl->n; i++) {
		ace_push(w, &acl->aces[i]);
	}
}

static bool acl_fits(const struct sec_acl *acl)
{
	return acl == NULL ||
	       (acl->n <= UINT16_MAX && sec_acl_size(acl) <= SEC_ACL_MAX_SIZE);
}

int sd_push(struct wire_wr *w, const struct sec_desc *sd, uint32_t secinfo)
{
	const struct dom_sid *owner =
		(secinfo & SECINFO_OWNER) ? sd->owner : NULL;
	const struct dom_sid *group =
		(secinfo & SECINFO_GROUP) ? sd->group : NULL;
	bool want_sacl = (secinfo & (SECINFO_SACL | SECINFO_LABEL)) != 0;
	bool want_dacl = (secinfo & SECINFO_DACL) != 0;
	bool sacl = want_sacl && ((sd->control & SEC_DESC_SACL_PRESENT) ||
				  sd->sacl != NULL);
	bool dacl = want_dacl && ((sd->control & SEC_DESC_DACL_PRESENT) ||
				  sd->dacl != NULL);
	uint16_t control = sd->control | SEC_DESC_SELF_RELATIVE;
	uint32_t off = SEC_DESC_HEADER_SIZE;

	if (!acl_fits(sd->sacl) || !acl_fits(sd->dacl)) {
		return WIRE_E_TOOBIG;
	}
	if (owner == NULL) {
		control &= ~SEC_DESC_OWNER_DEFAULTED;
	}
	if (group == NULL) {
		control &= ~SEC_DESC_GROUP_DEFAULTED;
	}
	control &= ~(SEC_DESC_SACL_BITS | SEC_DESC_DACL_BITS);
	if (sacl) {
		control |= (sd->control & SEC_DESC_SACL_BITS) |
			   SEC_DESC_SACL_PRESENT;
	}
	if (dacl) {
		control |= (sd->control & SEC_DESC_DACL_BITS) |
			   SEC_DESC_DACL_PRESENT;
	}
	sacl = sacl && sd->sacl != NULL;	/* from here: an ACL to write */
	dacl = dacl && sd->dacl != NULL;
	wire_put_u8(w, 1);
	wire_put_u8(w, 0);
	wire_put_u16le(w, control);
	/* the layout of MS-DTYP's example (§2.5.1.4): SACL, DACL, owner,
	 * group after the header */
	{
		uint32_t o_sacl = off;
		uint32_t o_dacl = o_sacl + (sacl ? (uint32_t)sec_acl_size(
							   sd->sacl) : 0);
		uint32_t o_owner = o_dacl + (dacl ? (uint32_t)sec_acl_size(
							    sd->dacl) : 0);
		uint32_t o_group = o_owner + (owner != NULL ?
					      (uint32_t)sid_size(owner) : 0);

		wire_put_u32le(w, owner != NULL ? o_owner : 0);
		wire_put_u32le(w, group != NULL ? o_group : 0);
		wire_put_u32le(w, sacl ? o_sacl : 0);
		wire_put_u32le(w, dacl ? o_dacl : 0);
	}
	if (sacl) {
		acl_push(w, sd->sacl);
	}
	if (dacl) {
		acl_push(w, sd->dacl);
	}
	if (owner != NULL) {
		sid_push(w, owner);
	}
	if (group != NULL) {
		sid_push(w, group);
	}
	return wire_wr_error(w);
}

struct sec_acl *sec_acl_copy(TALLOC_CTX *mem, const struct sec_acl *acl)
{
	struct sec_acl *c = NULL;

	if (acl == NULL) {
		return NULL;
	}
	c = talloc_zero(mem, struct sec_acl);
	if (c == NULL) {
		return NULL;
	}
	c->revision = acl->revision;
	c->n = acl->n;
	if (acl->n > 0) {
		c->aces = talloc_memdup(c, acl->aces,
					acl->n * sizeof(acl->aces[0]));
		if (c->aces == NULL) {
			talloc_free(c);
			return NULL;
		}
	}
	return c;
}

int sec_acl_add(struct sec_acl *acl, const struct sec_ace *ace)
{
	struct sec_ace *v = NULL;

	if (acl->n >= UINT16_MAX) {
		return WIRE_E_TOOBIG;
	}
	v = talloc_realloc(acl, acl->aces, struct sec_ace, acl->n + 1);
	if (v == NULL) {
		return WIRE_E_NOMEM;
	}
	acl->aces = v;
	acl->aces[acl->n++] = *ace;
	return 0;
}

static struct dom_sid *sid_dup(TALLOC_CTX *mem, const struct dom_sid *s,
			       bool *fail)
{
	struct dom_sid *c = NULL;

	if (s == NULL) {
		return NULL;
	}
	c = talloc(mem, struct dom_sid);
	if (c == NULL) {
		*fail = true;
		return NULL;
	}
	*c = *s;
	return c;
}

struct sec_desc *sd_copy(TALLOC_CTX *mem, const struct sec_desc *sd)
{
	struct sec_desc *c = talloc_zero(mem, struct sec_desc);
	bool fail = false;

	if (c == NULL) {
		return NULL;
	}
	c->control = sd->control;
	c->owner = sid_dup(c, sd->owner, &fail);
	c->group = sid_dup(c, sd->group, &fail);
	c->sacl = sec_acl_copy(c, sd->sacl);
	c->dacl = sec_acl_copy(c, sd->dacl);
	if (fail || (sd->sacl != NULL && c->sacl == NULL) ||
	    (sd->dacl != NULL && c->dacl == NULL)) {
		talloc_free(c);
		return NULL;
	}
	return c;
}

static bool opt_sid_eq(const struct dom_sid *a, const struct dom_sid *b)
{
	if (a == NULL || b == NULL) {
		return a == b;
	}
	return sid_equal(a, b);
}

static bool ace_eq(const struct sec_ace *a, const struct sec_ace *b)
{
	if (a->type != b->type || a->flags != b->flags ||
	    a->mask != b->mask || !sid_equal(&a->sid, &b->sid)) {
		return false;
	}
	if (!sec_ace_is_object(a->type)) {
		return true;
	}
	if (a->obj_flags != b->obj_flags) {
		return false;
	}
	if ((a->obj_flags & SEC_ACE_OBJECT_TYPE_PRESENT) &&
	    memcmp(a->obj_type, b->obj_type, 16) != 0) {
		return false;
	}
	if ((a->obj_flags & SEC_ACE_INHERITED_OBJECT_TYPE_PRESENT) &&
	    memcmp(a->inh_type, b->inh_type, 16) != 0) {
		return false;
	}
	return true;
}

static bool acl_eq(const struct sec_acl *a, const struct sec_acl *b)
{
	if (a == NULL || b == NULL) {
		return a == b;
	}
	if (a->n != b->n) {
		return false;
	}
	for (uint32_t i = 0; i < a->n; i++) {
		if (!ace_eq(&a->aces[i], &b->aces[i])) {
			return false;
		}
	}
	return true;
}

bool sd_equal(const struct sec_desc *a, const struct sec_desc *b)
{
	uint16_t ca = a->control | SEC_DESC_SELF_RELATIVE;
	uint16_t cb = b->control | SEC_DESC_SELF_RELATIVE;

	return ca == cb && opt_sid_eq(a->owner, b->owner) &&
	       opt_sid_eq(a->group, b->group) && acl_eq(a->sacl, b->sacl) &&
	       acl_eq(a->dacl, b->dacl);
}
