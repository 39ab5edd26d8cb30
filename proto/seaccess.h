/*
 * seaccess.h - what a security descriptor allows, as pure functions over
 * the structs of proto/secdesc.h: the generic mapping for files, the
 * access check [MS-DTYP §2.5.3.2] and the descriptor a new file or
 * directory gets from its parent [MS-DTYP §2.5.3.4]. No I/O: the token
 * (who the caller is) is built by the session layer from the users file,
 * the descriptors are read and stored by the file layer.
 */
#ifndef WG_PROTO_SEACCESS_H
#define WG_PROTO_SEACCESS_H

#include "proto/ntstatus.h"
#include "proto/secdesc.h"

/* ACCESS_MASK bits [MS-DTYP §2.4.3] (the same values as proto/smb2.h) */
#define SEC_RIGHT_DELETE		0x00010000u
#define SEC_RIGHT_READ_CONTROL		0x00020000u
#define SEC_RIGHT_WRITE_DAC		0x00040000u
#define SEC_RIGHT_WRITE_OWNER		0x00080000u
#define SEC_RIGHT_SYNCHRONIZE		0x00100000u
#define SEC_RIGHT_SYSTEM_SECURITY	0x01000000u	/* the SACL */
#define SEC_RIGHT_MAXIMUM_ALLOWED	0x02000000u
#define SEC_RIGHT_GENERIC_ALL		0x10000000u
#define SEC_RIGHT_GENERIC_EXECUTE	0x20000000u
#define SEC_RIGHT_GENERIC_WRITE		0x40000000u
#define SEC_RIGHT_GENERIC_READ		0x80000000u
#define SEC_RIGHTS_GENERIC		0xF0000000u

/* The file rights [MS-SMB2 §2.2.13.1.1] the generic ones map to */
#define SEC_FILE_GENERIC_READ		0x00120089u
#define SEC_FILE_GENERIC_WRITE		0x00120116u
#define SEC_FILE_GENERIC_EXECUTE	0x001200A0u
#define SEC_FILE_ALL_ACCESS		0x001F01FFu

struct se_generic_mapping {
	uint32_t read;
	uint32_t write;
	uint32_t execute;
	uint32_t all;
};

/* GENERIC_* for files and directories (the same mapping for both). */
extern const struct se_generic_mapping se_file_mapping;

/*
 * Replace the GENERIC_* bits of mask by the rights they stand for;
 * every other bit (MAXIMUM_ALLOWED included) is kept.
 */
uint32_t se_map_generic(uint32_t mask, const struct se_generic_mapping *m);

/* Privileges a token may hold (a bit set; names as Windows shows them). */
#define SE_PRIV_SECURITY	0x01u	/* SeSecurityPrivilege: the SACL */
#define SE_PRIV_TAKE_OWNERSHIP	0x02u	/* SeTakeOwnershipPrivilege */
#define SE_PRIV_BACKUP		0x04u	/* SeBackupPrivilege */
#define SE_PRIV_RESTORE		0x08u	/* SeRestorePrivilege */

/*
 * Who is asking [MS-DTYP §2.5.2], reduced to what the algorithms use:
 * the user's SID, the groups it belongs to (Everyone, Authenticated
 * Users, BUILTIN\Users, ...), the default owner and primary group of what
 * it creates, and its privileges. The arrays are the caller's.
 */
struct se_token {
	const struct dom_sid *sids;	/* sids[0] is the user */
	size_t n_sids;
	const struct dom_sid *owner;	/* default owner; NULL: sids[0] */
	const struct dom_sid *group;	/* primary group; may be NULL */
	uint32_t privileges;		/* SE_PRIV_* */
};

/* Is sid one of the token's SIDs? */
bool se_token_has_sid(const struct se_token *t, const struct dom_sid *sid);

/* Flags of se_access_check() */
#define SE_CHECK_BACKUP_INTENT	0x1u	/* FILE_OPEN_FOR_BACKUP_INTENT:
					 * backup/restore privileges apply */

/*
 * The access check [MS-DTYP §2.5.3.2] of desired (generic bits are
 * mapped with m first) against sd for token t:
 *  - SYSTEM_SECURITY needs SE_PRIV_SECURITY (else PRIVILEGE_NOT_HELD,
 *    even under MAXIMUM_ALLOWED, as Windows answers);
 *  - WRITE_OWNER is granted by SE_PRIV_TAKE_OWNERSHIP;
 *  - with SE_CHECK_BACKUP_INTENT, SE_PRIV_BACKUP grants the read rights
 *    (READ_CONTROL, SYSTEM_SECURITY, FILE_GENERIC_READ, traverse) and
 *    SE_PRIV_RESTORE the write ones (WRITE_DAC, WRITE_OWNER,
 *    SYSTEM_SECURITY, FILE_GENERIC_WRITE, add file/subdirectory, DELETE);
 *  - the owner has READ_CONTROL and WRITE_DAC unless the DACL has an
 *    OWNER RIGHTS (S-1-3-4) ACE, which then says what the owner has;
 *  - a NULL or absent DACL grants everything, an empty one nothing else;
 *  - ACEs are taken in order, inherit-only ones skipped: a deny of a
 *    right still wanted fails the request, an allow grants rights; with
 *    MAXIMUM_ALLOWED each right is decided by the first ACE naming it.
 *    Object ACEs without an object type count as the plain kind; with
 *    one they are skipped (files have no object types). Audit and other
 *    ACE types have no say.
 * Returns NT_STATUS_OK with *granted the rights given (for MAXIMUM_ALLOWED
 * all the token may have, never 0, plus the other rights asked for; else
 * exactly the mapped request), NT_STATUS_ACCESS_DENIED or
 * NT_STATUS_PRIVILEGE_NOT_HELD (then *granted is 0).
 */
NTSTATUS se_access_check(const struct sec_desc *sd, const struct se_token *t,
			 uint32_t desired, const struct se_generic_mapping *m,
			 uint32_t flags, uint32_t *granted);

/* Flags of se_create_sd() */
#define SE_INHERIT_DACL_AUTO	0x1u	/* DACL_AUTO_INHERIT: merge the
					 * parent's ACEs into the creator's */
#define SE_INHERIT_SACL_AUTO	0x2u	/* the same for the SACL */
#define SE_INHERIT_DEFAULT_ALL	(SE_INHERIT_DACL_AUTO | SE_INHERIT_SACL_AUTO)

/*
 * The descriptor of a new object [MS-DTYP §2.5.3.4 CreateSecurityDescriptor]
 * (the file case: no object types):
 *  - owner: creator's, else t->owner, else t->sids[0]; group: creator's,
 *    else t->group, else the owner;
 *  - each ACL: the parent's ACEs that apply (OI for a file, CI for a
 *    directory; a directory keeps OI-only ones inherit-only for its files
 *    unless NP), marked INHERITED, CREATOR OWNER / CREATOR GROUP replaced
 *    by the new owner / group and generic rights mapped with m; an ACE
 *    that needed either and still propagates is split in an effective
 *    copy and an inherit-only original, as Windows does; the INHERITED
 *    flag and the ACL's AUTO_INHERITED control bit are set only under
 *    auto-inherit (SE_INHERIT_DACL_AUTO / SACL_AUTO);
 *  - a creator ACL (present, not DEFAULTED) is kept as given (its ACEs
 *    already marked inherited dropped), followed by the parent's when
 *    auto-inherit is asked and the creator's ACL is not PROTECTED;
 *  - a DACL from neither: default_dacl if not NULL (copied as is), else
 *    none (a NULL DACL: everyone has every right);
 *  - no SACL unless the parent or creator gives one.
 * parent and creator may be NULL. Returns 0 with *out a new talloc child
 * of mem, or WIRE_E_NOMEM, or WIRE_E_TOOBIG if an ACL grows past 64 KiB.
 */
int se_create_sd(TALLOC_CTX *mem, const struct sec_desc *parent,
		 const struct sec_desc *creator, bool is_dir,
		 const struct se_token *t, const struct sec_acl *default_dacl,
		 const struct se_generic_mapping *m, uint32_t flags,
		 struct sec_desc **out) WIRE_WUR;

/*
 * The flags se_create_sd() takes for a child of parent, as Windows'
 * file systems choose them: auto-inherit for the ACLs of parent that
 * are AUTO_INHERITED (a DACL set by hand, without it, passes its ACEs
 * down unmarked). parent may be NULL (0).
 */
uint32_t se_inherit_flags(const struct sec_desc *parent);

/*
 * The control bits an ACL set by SET_INFO keeps [MS-DTYP §2.4.6]: the
 * AUTO_INHERIT_REQ bits are requests, never stored; AUTO_INHERITED stays
 * only when asked for with its AUTO_INHERIT_REQ; PROTECTED and the rest
 * as given. control is the sent descriptor's.
 */
uint16_t se_set_control(uint16_t control);

#endif
