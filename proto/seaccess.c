/*
 * seaccess.c - generic mapping, the access check and the inheritance of
 * a new object's descriptor [MS-DTYP §2.5.3.2, §2.5.3.4].
 */
#include "proto/seaccess.h"

#include <string.h>

#define FILE_TRAVERSE_RIGHT		0x00000020u
#define FILE_ADD_FILE_RIGHT		0x00000002u
#define FILE_ADD_SUBDIRECTORY_RIGHT	0x00000004u

/* What SeBackupPrivilege / SeRestorePrivilege give with backup intent. */
#define BACKUP_RIGHTS	(SEC_RIGHT_READ_CONTROL | SEC_RIGHT_SYSTEM_SECURITY | \
			 SEC_FILE_GENERIC_READ | FILE_TRAVERSE_RIGHT)
#define RESTORE_RIGHTS	(SEC_RIGHT_WRITE_DAC | SEC_RIGHT_WRITE_OWNER | \
			 SEC_RIGHT_SYSTEM_SECURITY | SEC_FILE_GENERIC_WRITE | \
			 FILE_ADD_FILE_RIGHT | FILE_ADD_SUBDIRECTORY_RIGHT | \
			 SEC_RIGHT_DELETE)
#define OWNER_RIGHTS	(SEC_RIGHT_READ_CONTROL | SEC_RIGHT_WRITE_DAC)

const struct se_generic_mapping se_file_mapping = {
	.read = SEC_FILE_GENERIC_READ,
	.write = SEC_FILE_GENERIC_WRITE,
	.execute = SEC_FILE_GENERIC_EXECUTE,
	.all = SEC_FILE_ALL_ACCESS,
};

uint32_t se_map_generic(uint32_t mask, const struct se_generic_mapping *m)
{
	uint32_t out = mask & ~SEC_RIGHTS_GENERIC;

	if (mask & SEC_RIGHT_GENERIC_READ) {
		out |= m->read;
	}
	if (mask & SEC_RIGHT_GENERIC_WRITE) {
		out |= m->write;
	}
	if (mask & SEC_RIGHT_GENERIC_EXECUTE) {
		out |= m->execute;
	}
	if (mask & SEC_RIGHT_GENERIC_ALL) {
		out |= m->all;
	}
	return out;
}

bool se_token_has_sid(const struct se_token *t, const struct dom_sid *sid)
{
	for (size_t i = 0; i < t->n_sids; i++) {
		if (sid_equal(&t->sids[i], sid)) {
			return true;
		}
	}
	return false;
}

/* The allow/deny kind an ACE has for a file's check, or -1 if none. */
static int ace_kind(const struct sec_ace *a)
{
	if (a->flags & SEC_ACE_FLAG_INHERIT_ONLY) {
		return -1;
	}
	switch (a->type) {
	case SEC_ACE_ALLOWED:
	case SEC_ACE_DENIED:
		return a->type;
	case SEC_ACE_ALLOWED_OBJECT:
	case SEC_ACE_DENIED_OBJECT:
		/* an object type names a part of an object files lack */
		if (a->obj_flags & SEC_ACE_OBJECT_TYPE_PRESENT) {
			return -1;
		}
		return a->type == SEC_ACE_ALLOWED_OBJECT ? SEC_ACE_ALLOWED
							 : SEC_ACE_DENIED;
	default:
		return -1;
	}
}

static bool dacl_has_owner_rights(const struct sec_acl *dacl)
{
	for (uint32_t i = 0; i < dacl->n; i++) {
		if (ace_kind(&dacl->aces[i]) >= 0 &&
		    sid_equal(&dacl->aces[i].sid, &sid_owner_rights)) {
			return true;
		}
	}
	return false;
}

/* Rights granted by privileges; clears them from *want. */
static NTSTATUS privileged(const struct se_token *t, uint32_t flags,
			   bool max, uint32_t *want, uint32_t *got)
{
	if (flags & SE_CHECK_BACKUP_INTENT) {
		uint32_t b = 0;

		if (t->privileges & SE_PRIV_BACKUP) {
			b |= BACKUP_RIGHTS;
		}
		if (t->privileges & SE_PRIV_RESTORE) {
			b |= RESTORE_RIGHTS;
		}
		/* under MAXIMUM_ALLOWED they give all they can, bar the SACL
		 * (never part of a maximum) */
		*got |= (*want | (max ? b & ~SEC_RIGHT_SYSTEM_SECURITY : 0)) &
			b;
		*want &= ~b;
	}
	if (*want & SEC_RIGHT_SYSTEM_SECURITY) {
		if (!(t->privileges & SE_PRIV_SECURITY)) {
			return NT_STATUS_PRIVILEGE_NOT_HELD;
		}
		*got |= SEC_RIGHT_SYSTEM_SECURITY;
		*want &= ~SEC_RIGHT_SYSTEM_SECURITY;
	}
	if ((*want & SEC_RIGHT_WRITE_OWNER) &&
	    (t->privileges & SE_PRIV_TAKE_OWNERSHIP)) {
		*got |= SEC_RIGHT_WRITE_OWNER;
		*want &= ~SEC_RIGHT_WRITE_OWNER;
	}
	return NT_STATUS_OK;
}

NTSTATUS se_access_check(const struct sec_desc *sd, const struct se_token *t,
			 uint32_t desired, const struct se_generic_mapping *m,
			 uint32_t flags, uint32_t *granted)
{
	uint32_t want = se_map_generic(desired, m);
	uint32_t asked = want & ~SEC_RIGHT_MAXIMUM_ALLOWED;
	bool max = (want & SEC_RIGHT_MAXIMUM_ALLOWED) != 0;
	bool is_owner = false;
	uint32_t got = 0, allowed = 0, denied = 0;
	NTSTATUS status = NT_STATUS_OK;

	*granted = 0;
	want = asked;
	status = privileged(t, flags, max, &want, &got);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (sd->dacl == NULL) {
		/* NULL or absent DACL: no policy, every right */
		*granted = got | asked | (max ? m->all : 0);
		return NT_STATUS_OK;
	}
	is_owner = sd->owner != NULL && se_token_has_sid(t, sd->owner);
	if (is_owner && !dacl_has_owner_rights(sd->dacl)) {
		got |= OWNER_RIGHTS & (max ? OWNER_RIGHTS : want);
		want &= ~OWNER_RIGHTS;
	}
	for (uint32_t i = 0; i < sd->dacl->n && (max || want != 0); i++) {
		const struct sec_ace *a = &sd->dacl->aces[i];
		int kind = ace_kind(a);
		uint32_t mask = 0;

		if (kind < 0) {
			continue;
		}
		if (!se_token_has_sid(t, &a->sid) &&
		    !(is_owner && sid_equal(&a->sid, &sid_owner_rights))) {
			continue;
		}
		mask = se_map_generic(a->mask, m);
		if (kind == SEC_ACE_ALLOWED) {
			allowed |= mask & ~denied;
			want &= ~mask;
		} else if (max) {
			denied |= mask & ~allowed;
		} else if (mask & want) {
			return NT_STATUS_ACCESS_DENIED;
		}
	}
	if (!max) {
		if (want != 0) {
			return NT_STATUS_ACCESS_DENIED;
		}
		*granted = asked;
		return NT_STATUS_OK;
	}
	got |= allowed & ~denied;
	if ((asked & ~got) != 0 || got == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	*granted = got;
	return NT_STATUS_OK;
}

/* ---- inheritance ---- */

struct inherit_ctx {
	const struct dom_sid *owner;
	const struct dom_sid *group;
	const struct se_generic_mapping *m;
	bool is_dir;
	uint8_t id;		/* INHERITED under auto-inherit, else 0 */
};

static bool needs_subst(const struct sec_ace *a)
{
	return sid_equal(&a->sid, &sid_creator_owner) ||
	       sid_equal(&a->sid, &sid_creator_group) ||
	       (a->mask & SEC_RIGHTS_GENERIC) != 0;
}

/* The ACE as it acts on this object: creator SIDs replaced, rights
 * mapped, flags as given. */
static struct sec_ace effective(const struct inherit_ctx *c,
				const struct sec_ace *a, uint8_t flags)
{
	struct sec_ace e = *a;

	e.flags = flags;
	if (c->owner != NULL && sid_equal(&a->sid, &sid_creator_owner)) {
		e.sid = *c->owner;
	}
	if (c->group != NULL && sid_equal(&a->sid, &sid_creator_group)) {
		e.sid = *c->group;
	}
	e.mask = se_map_generic(a->mask, c->m);
	return e;
}

static int add(struct sec_acl *acl, const struct sec_ace *a)
{
	int rc = sec_acl_add(acl, a);

	if (rc == 0 && sec_acl_size(acl) > SEC_ACL_MAX_SIZE) {
		return WIRE_E_TOOBIG;
	}
	return rc;
}

/* One ACE of the parent's ACL, as the new object inherits it. */
static int inherit_ace(const struct inherit_ctx *c, struct sec_acl *out,
		       const struct sec_ace *p)
{
	uint8_t audit = p->flags & (SEC_ACE_FLAG_SUCCESSFUL_ACCESS |
				    SEC_ACE_FLAG_FAILED_ACCESS);
	uint8_t inh = p->flags & (SEC_ACE_FLAG_OBJECT_INHERIT |
				  SEC_ACE_FLAG_CONTAINER_INHERIT);
	bool np = (p->flags & SEC_ACE_FLAG_NO_PROPAGATE) != 0;
	uint8_t id = c->id | audit;
	struct sec_ace a;
	int rc = 0;

	if (!c->is_dir) {
		if (!(p->flags & SEC_ACE_FLAG_OBJECT_INHERIT)) {
			return 0;
		}
		a = effective(c, p, id);
		return add(out, &a);
	}
	if (!(p->flags & SEC_ACE_FLAG_CONTAINER_INHERIT)) {
		/* OI only: not for the directory, kept for its files */
		if (!(p->flags & SEC_ACE_FLAG_OBJECT_INHERIT) || np) {
			return 0;
		}
		a = *p;
		a.flags = SEC_ACE_FLAG_OBJECT_INHERIT |
			  SEC_ACE_FLAG_INHERIT_ONLY | id;
		return add(out, &a);
	}
	if (np) {
		a = effective(c, p, id);
		return add(out, &a);
	}
	if (!needs_subst(p)) {
		a = *p;
		a.flags = inh | id;
		return add(out, &a);
	}
	a = effective(c, p, id);
	rc = add(out, &a);
	if (rc != 0) {
		return rc;
	}
	a = *p;
	a.flags = inh | SEC_ACE_FLAG_INHERIT_ONLY | id;
	return add(out, &a);
}

/* One explicit ACE of the creator's ACL [§2.5.3.4.7 PostProcessACL]. */
static int creator_ace(const struct inherit_ctx *c, struct sec_acl *out,
		       const struct sec_ace *a)
{
	uint8_t inh = a->flags & (SEC_ACE_FLAG_OBJECT_INHERIT |
				  SEC_ACE_FLAG_CONTAINER_INHERIT);
	struct sec_ace e;
	int rc = 0;

	if ((a->flags & SEC_ACE_FLAG_INHERIT_ONLY) || !needs_subst(a)) {
		return add(out, a);
	}
	if (!c->is_dir || inh == 0 ||
	    (a->flags & SEC_ACE_FLAG_NO_PROPAGATE)) {
		e = effective(c, a, a->flags);
		return add(out, &e);
	}
	/* still propagates: effective copy + inherit-only original */
	e = effective(c, a, a->flags & ~SEC_ACE_FLAGS_INHERIT);
	rc = add(out, &e);
	if (rc != 0) {
		return rc;
	}
	e = *a;
	e.flags |= SEC_ACE_FLAG_INHERIT_ONLY;
	return add(out, &e);
}

static bool has_inheritable(const struct sec_acl *acl)
{
	for (uint32_t i = 0; acl != NULL && i < acl->n; i++) {
		if (acl->aces[i].flags & (SEC_ACE_FLAG_OBJECT_INHERIT |
					  SEC_ACE_FLAG_CONTAINER_INHERIT)) {
			return true;
		}
	}
	return false;
}

struct acl_bits {
	uint16_t present, defaulted, protect, auto_inherited;
	uint32_t auto_flag;
};

static const struct acl_bits dacl_bits = {
	SEC_DESC_DACL_PRESENT, SEC_DESC_DACL_DEFAULTED,
	SEC_DESC_DACL_PROTECTED, SEC_DESC_DACL_AUTO_INHERITED,
	SE_INHERIT_DACL_AUTO,
};
static const struct acl_bits sacl_bits = {
	SEC_DESC_SACL_PRESENT, SEC_DESC_SACL_DEFAULTED,
	SEC_DESC_SACL_PROTECTED, SEC_DESC_SACL_AUTO_INHERITED,
	SE_INHERIT_SACL_AUTO,
};

/*
 * ComputeACL [§2.5.3.4.2] for one of the ACLs: *acl_out (NULL for none)
 * and the control bits to set.
 */
static int compute_acl(const struct inherit_ctx *c, struct sec_desc *sd,
		       const struct sec_acl *parent_acl,
		       const struct sec_acl *creator_acl, bool creator_given,
		       uint16_t creator_control, const struct acl_bits *b,
		       uint32_t flags, struct sec_acl **acl_out)
{
	bool from_parent = has_inheritable(parent_acl);
	struct inherit_ctx inh;
	bool merge = false;
	struct sec_acl *acl = NULL;
	int rc = 0;

	if (!creator_given && !from_parent) {
		return 0;
	}
	sd->control |= b->present;
	if (creator_given && creator_acl == NULL) {
		return 0;		/* the creator's NULL ACL */
	}
	acl = talloc_zero(sd, struct sec_acl);
	if (acl == NULL) {
		return WIRE_E_NOMEM;
	}
	acl->revision = SEC_ACL_REVISION;
	*acl_out = acl;
	if (creator_given) {
		merge = from_parent && (flags & b->auto_flag) &&
			!(creator_control & b->protect);
		sd->control |= creator_control & b->protect;
		if (creator_acl->revision == SEC_ACL_REVISION_DS) {
			acl->revision = SEC_ACL_REVISION_DS;
		}
		for (uint32_t i = 0; rc == 0 && i < creator_acl->n; i++) {
			const struct sec_ace *a = &creator_acl->aces[i];

			if (merge && (a->flags & SEC_ACE_FLAG_INHERITED)) {
				continue;
			}
			rc = creator_ace(c, acl, a);
		}
		if (rc != 0 || !merge) {
			return rc;
		}
	}
	inh = *c;
	inh.id = 0;
	if (flags & b->auto_flag) {
		sd->control |= b->auto_inherited;
		inh.id = SEC_ACE_FLAG_INHERITED;
	}
	for (uint32_t i = 0; rc == 0 && i < parent_acl->n; i++) {
		rc = inherit_ace(&inh, acl, &parent_acl->aces[i]);
	}
	return rc;
}

uint32_t se_inherit_flags(const struct sec_desc *parent)
{
	uint32_t flags = 0;

	if (parent != NULL &&
	    (parent->control & SEC_DESC_DACL_AUTO_INHERITED)) {
		flags |= SE_INHERIT_DACL_AUTO;
	}
	if (parent != NULL &&
	    (parent->control & SEC_DESC_SACL_AUTO_INHERITED)) {
		flags |= SE_INHERIT_SACL_AUTO;
	}
	return flags;
}

uint16_t se_set_control(uint16_t control)
{
	if (!(control & SEC_DESC_DACL_AUTO_INHERIT_REQ)) {
		control &= (uint16_t)~SEC_DESC_DACL_AUTO_INHERITED;
	}
	if (!(control & SEC_DESC_SACL_AUTO_INHERIT_REQ)) {
		control &= (uint16_t)~SEC_DESC_SACL_AUTO_INHERITED;
	}
	return (uint16_t)(control & ~(SEC_DESC_DACL_AUTO_INHERIT_REQ |
				      SEC_DESC_SACL_AUTO_INHERIT_REQ));
}

static struct dom_sid *dup_sid(TALLOC_CTX *mem, const struct dom_sid *s)
{
	struct dom_sid *d = talloc(mem, struct dom_sid);

	if (d != NULL) {
		*d = *s;
	}
	return d;
}

static bool given(const struct sec_desc *creator, uint16_t present,
		  uint16_t defaulted)
{
	return creator != NULL && (creator->control & present) &&
	       !(creator->control & defaulted);
}

int se_create_sd(TALLOC_CTX *mem, const struct sec_desc *parent,
		 const struct sec_desc *creator, bool is_dir,
		 const struct se_token *t, const struct sec_acl *default_dacl,
		 const struct se_generic_mapping *m, uint32_t flags,
		 struct sec_desc **out)
{
	const struct dom_sid *owner = NULL, *group = NULL;
	struct inherit_ctx c = { .m = m, .is_dir = is_dir };
	struct sec_desc *sd = NULL;
	bool dacl_given = given(creator, SEC_DESC_DACL_PRESENT,
				SEC_DESC_DACL_DEFAULTED);
	bool sacl_given = given(creator, SEC_DESC_SACL_PRESENT,
				SEC_DESC_SACL_DEFAULTED);
	int rc = 0;

	owner = creator != NULL && creator->owner != NULL ? creator->owner
			: t->owner != NULL ? t->owner
			: t->n_sids > 0 ? &t->sids[0] : NULL;
	group = creator != NULL && creator->group != NULL ? creator->group
			: t->group != NULL ? t->group : owner;
	sd = talloc_zero(mem, struct sec_desc);
	if (sd == NULL) {
		return WIRE_E_NOMEM;
	}
	sd->control = SEC_DESC_SELF_RELATIVE;
	if ((owner != NULL && (sd->owner = dup_sid(sd, owner)) == NULL) ||
	    (group != NULL && (sd->group = dup_sid(sd, group)) == NULL)) {
		talloc_free(sd);
		return WIRE_E_NOMEM;
	}
	c.owner = sd->owner;
	c.group = sd->group;
	rc = compute_acl(&c, sd, parent != NULL ? parent->dacl : NULL,
			 creator != NULL ? creator->dacl : NULL, dacl_given,
			 creator != NULL ? creator->control : 0, &dacl_bits,
			 flags, &sd->dacl);
	if (rc == 0 && !(sd->control & SEC_DESC_DACL_PRESENT) &&
	    default_dacl != NULL) {
		sd->dacl = sec_acl_copy(sd, default_dacl);
		sd->control |= SEC_DESC_DACL_PRESENT;
		rc = sd->dacl != NULL ? 0 : WIRE_E_NOMEM;
	}
	if (rc == 0) {
		rc = compute_acl(&c, sd, parent != NULL ? parent->sacl : NULL,
				 creator != NULL ? creator->sacl : NULL,
				 sacl_given,
				 creator != NULL ? creator->control : 0,
				 &sacl_bits, flags, &sd->sacl);
	}
	if (rc != 0) {
		talloc_free(sd);
		return rc;
	}
	*out = sd;
	return 0;
}
