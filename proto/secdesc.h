/*
 * secdesc.h - ACEs [MS-DTYP §2.4.4], ACLs [§2.4.5] and self-relative
 * security descriptors [§2.4.6]: parse from untrusted bytes, build with a
 * chosen SECURITY_INFORMATION subset (what QUERY_INFO returns), and a
 * readable SDDL subset [MS-DTYP §2.5.1] both ways for logs, wgnet and
 * tests. A pure codec; what a descriptor allows is proto/seaccess.h's,
 * where it is kept is the file layer's.
 *
 * Ownership: a struct sec_desc and everything it points to are one talloc
 * tree (the ACE arrays and SIDs are children of the descriptor), so
 * talloc_free(sd) frees it all. Errors are WIRE_E_* codes (proto/wire.h).
 */
#ifndef WG_PROTO_SECDESC_H
#define WG_PROTO_SECDESC_H

#include "proto/sid.h"
#include "proto/wire.h"

/* AceType [§2.4.4.1] */
#define SEC_ACE_ALLOWED			0x00
#define SEC_ACE_DENIED			0x01
#define SEC_ACE_AUDIT			0x02
#define SEC_ACE_ALARM			0x03	/* reserved, refused */
#define SEC_ACE_ALLOWED_COMPOUND	0x04	/* reserved, refused */
#define SEC_ACE_ALLOWED_OBJECT		0x05
#define SEC_ACE_DENIED_OBJECT		0x06
#define SEC_ACE_AUDIT_OBJECT		0x07
#define SEC_ACE_ALARM_OBJECT		0x08	/* reserved, refused */
/* 0x09-0x10 callback (conditional) ACEs: refused */
#define SEC_ACE_MANDATORY_LABEL		0x11
#define SEC_ACE_RESOURCE_ATTRIBUTE	0x12	/* refused */
#define SEC_ACE_SCOPED_POLICY_ID	0x13

/* AceFlags [§2.4.4.1] */
#define SEC_ACE_FLAG_OBJECT_INHERIT	0x01	/* OI */
#define SEC_ACE_FLAG_CONTAINER_INHERIT	0x02	/* CI */
#define SEC_ACE_FLAG_NO_PROPAGATE	0x04	/* NP */
#define SEC_ACE_FLAG_INHERIT_ONLY	0x08	/* IO */
#define SEC_ACE_FLAG_INHERITED		0x10	/* ID */
#define SEC_ACE_FLAG_SUCCESSFUL_ACCESS	0x40	/* SA */
#define SEC_ACE_FLAG_FAILED_ACCESS	0x80	/* FA */
#define SEC_ACE_FLAGS_INHERIT		0x0F	/* OI|CI|NP|IO */

/* Object ACE Flags [§2.4.4.3] */
#define SEC_ACE_OBJECT_TYPE_PRESENT		0x1
#define SEC_ACE_INHERITED_OBJECT_TYPE_PRESENT	0x2

/* AclRevision [§2.4.5] */
#define SEC_ACL_REVISION	2
#define SEC_ACL_REVISION_DS	4	/* needed for object ACEs */

/* Control [§2.4.6] */
#define SEC_DESC_OWNER_DEFAULTED	0x0001
#define SEC_DESC_GROUP_DEFAULTED	0x0002
#define SEC_DESC_DACL_PRESENT		0x0004
#define SEC_DESC_DACL_DEFAULTED		0x0008
#define SEC_DESC_SACL_PRESENT		0x0010
#define SEC_DESC_SACL_DEFAULTED		0x0020
#define SEC_DESC_DACL_TRUSTED		0x0040
#define SEC_DESC_SERVER_SECURITY	0x0080
#define SEC_DESC_DACL_AUTO_INHERIT_REQ	0x0100
#define SEC_DESC_SACL_AUTO_INHERIT_REQ	0x0200
#define SEC_DESC_DACL_AUTO_INHERITED	0x0400
#define SEC_DESC_SACL_AUTO_INHERITED	0x0800
#define SEC_DESC_DACL_PROTECTED		0x1000
#define SEC_DESC_SACL_PROTECTED		0x2000
#define SEC_DESC_RM_CONTROL_VALID	0x4000
#define SEC_DESC_SELF_RELATIVE		0x8000
/* the control bits that describe the DACL / the SACL */
#define SEC_DESC_DACL_BITS	(SEC_DESC_DACL_PRESENT | \
				 SEC_DESC_DACL_DEFAULTED | \
				 SEC_DESC_DACL_AUTO_INHERIT_REQ | \
				 SEC_DESC_DACL_AUTO_INHERITED | \
				 SEC_DESC_DACL_PROTECTED)
#define SEC_DESC_SACL_BITS	(SEC_DESC_SACL_PRESENT | \
				 SEC_DESC_SACL_DEFAULTED | \
				 SEC_DESC_SACL_AUTO_INHERIT_REQ | \
				 SEC_DESC_SACL_AUTO_INHERITED | \
				 SEC_DESC_SACL_PROTECTED)

/* SECURITY_INFORMATION [MS-DTYP §2.4.7], AdditionalInformation in
 * QUERY_INFO / SET_INFO [MS-SMB2 §2.2.37] */
#define SECINFO_OWNER		0x00000001u
#define SECINFO_GROUP		0x00000002u
#define SECINFO_DACL		0x00000004u
#define SECINFO_SACL		0x00000008u
#define SECINFO_LABEL		0x00000010u
#define SECINFO_ATTRIBUTE	0x00000020u
#define SECINFO_SCOPE		0x00000040u
#define SECINFO_BACKUP		0x00010000u

#define SEC_DESC_HEADER_SIZE	20
#define SEC_ACL_HEADER_SIZE	8
#define SEC_ACL_MAX_SIZE	0xFFFFu	/* AclSize is 16 bits */

struct sec_ace {
	uint8_t type;		/* SEC_ACE_* (only the accepted ones) */
	uint8_t flags;		/* SEC_ACE_FLAG_* */
	uint32_t mask;		/* ACCESS_MASK */
	/* object ACEs only: which GUIDs are present, and the GUIDs as
	 * their 16 wire bytes */
	uint32_t obj_flags;
	uint8_t obj_type[16];
	uint8_t inh_type[16];
	struct dom_sid sid;
};

struct sec_acl {
	uint8_t revision;	/* SEC_ACL_REVISION or _DS */
	uint32_t n;		/* number of ACEs */
	struct sec_ace *aces;	/* talloc array, NULL if n == 0 */
};

struct sec_desc {
	uint16_t control;	/* SEC_DESC_*; SELF_RELATIVE is implied */
	struct dom_sid *owner;	/* NULL: absent */
	struct dom_sid *group;	/* NULL: absent */
	/*
	 * NULL with SEC_DESC_SACL_PRESENT clear: no SACL. NULL with
	 * SEC_DESC_DACL_PRESENT set: a NULL DACL (everyone has every right);
	 * without it, no DACL (the same to an access check). An ACL with
	 * n == 0 is an empty ACL (nobody but the owner's implicit rights).
	 */
	struct sec_acl *sacl;
	struct sec_acl *dacl;
};

/* True for the object ACE types (0x05-0x07): Flags and GUIDs follow the
 * mask. */
bool sec_ace_is_object(uint8_t type);

/* Bytes of one ACE on the wire (without any padding a sender added). */
size_t sec_ace_size(const struct sec_ace *a);

/* Bytes of an ACL on the wire (header + ACEs). */
size_t sec_acl_size(const struct sec_acl *acl);

/*
 * Parse a self-relative security descriptor occupying buf[0..len).
 * Every offset and size is checked against len, ACE counts against the
 * ACL's size before anything is allocated, ACLs against their AclSize.
 * Returns 0 with *out a new talloc child of mem, or:
 *  WIRE_E_SHORT    buf shorter than the 20-byte header;
 *  WIRE_E_BOUNDS   an offset or AclSize points outside buf, or an ACE
 *                  outside its ACL;
 *  WIRE_E_INVALID  Revision not 1, ACL revision not 2 or 4, a SID with a
 *                  bad revision or count, an AceSize below its content or
 *                  not a multiple of 4, an owner offset with no room for
 *                  a SID;
 *  WIRE_E_UNSUPPORTED an ACE type we do not model (alarm, compound,
 *                  callback, resource attribute) or an unknown type;
 *  WIRE_E_NOMEM.
 * *out is untouched on failure. Parts whose PRESENT bit is clear are
 * ignored whatever their offset; the SELF_RELATIVE bit is not required.
 */
int sd_pull(TALLOC_CTX *mem, const uint8_t *buf, size_t len,
	    struct sec_desc **out) WIRE_WUR;

/*
 * Append the self-relative form of the parts of sd that secinfo asks for
 * (SECINFO_OWNER, _GROUP, _DACL, _SACL; SECINFO_LABEL also returns the
 * SACL, which holds labels): header, SACL, DACL, owner, group, the
 * layout of MS-DTYP's example (§2.5.1.4) and of Windows.
 * Control keeps sd's bits for the parts written and clears the PRESENT,
 * DEFAULTED, AUTO_INHERIT* and PROTECTED bits of the parts left out;
 * SELF_RELATIVE is always set. Returns 0, WIRE_E_TOOBIG if an ACL would
 * be over 64 KiB, or the writer's sticky error.
 */
int sd_push(struct wire_wr *w, const struct sec_desc *sd,
	    uint32_t secinfo) WIRE_WUR;

/* A deep copy, talloc child of mem; NULL on ENOMEM. */
struct sec_desc *sd_copy(TALLOC_CTX *mem, const struct sec_desc *sd);

/* A deep copy of an ACL; NULL on ENOMEM (or if acl is NULL). */
struct sec_acl *sec_acl_copy(TALLOC_CTX *mem, const struct sec_acl *acl);

/*
 * Append one ACE to acl (the array grows as a child of acl). Returns 0 or
 * WIRE_E_NOMEM.
 */
int sec_acl_add(struct sec_acl *acl, const struct sec_ace *ace) WIRE_WUR;

/* Same owner, group, control, ACLs and ACEs (in order)? */
bool sd_equal(const struct sec_desc *a, const struct sec_desc *b);

/*
 * SDDL text of sd [MS-DTYP §2.5.1], a talloc string child of mem (NULL on
 * ENOMEM): "O:BAG:BUD:PAI(A;OICI;FA;;;WD)(D;;0x1;;;S-1-5-21-1-2-3-1000)".
 * Well-known SIDs are written as their alias, others as S-1-...; rights
 * as FA/FR/FW/FX (the file rights), GA/GR/GW/GX, or 0x hex; "D:NO_ACCESS_
 * CONTROL" for a NULL DACL. Object GUIDs are written in the usual
 * 8-4-4-4-12 form.
 */
char *sd_to_sddl(TALLOC_CTX *mem, const struct sec_desc *sd);

/*
 * Parse the SDDL subset sd_to_sddl() writes (whitespace between parts
 * allowed, aliases and flags in either case, rights as the two-letter
 * names above or a number in 0x hex or decimal, SIDs as aliases or
 * S-1-...). Returns 0 with *out a new talloc child of mem, WIRE_E_INVALID
 * (with *errpos, if not NULL, the offset of the first byte not
 * understood), or WIRE_E_NOMEM.
 */
int sd_from_sddl(TALLOC_CTX *mem, const char *text, struct sec_desc **out,
		 size_t *errpos) WIRE_WUR;

#endif
