/*
 * acl.h - security descriptors of the files and directories of a disk
 * share: where they are kept, what an object without one gets, the
 * access check of an open, and the token of a session.
 *
 * Storage: the extended attribute "user.wgsmb.sd" of the object (user.*
 * works for the daemon's own user on ext4, xfs, btrfs and tmpfs; trusted.*
 * would need CAP_SYS_ADMIN). Its value is our own format:
 *
 *	byte 0      SMBD_ACL_BLOB_VERSION (1)
 *	byte 1..    the self-relative descriptor (proto/secdesc.h sd_push,
 *	            owner, group, DACL and SACL)
 *
 * An object without the attribute has the descriptor it would have got
 * from its parent [MS-DTYP §2.5.3.4], up to the share root; a root
 * without one has smbd_acl_root_default(): owner BUILTIN\Administrators,
 * group BUILTIN\Users, Everyone full control inherited by everything
 * below. So trees that predate descriptors behave as before (the share's
 * own checks and Unix permissions decide) until someone sets one.
 *
 * Every object created through us gets its descriptor computed from the
 * parent's, the SD create context's if any, and the creator's token
 * (owner: the creator) and stored at CREATE, as Windows does; a later
 * change of the folder does not reach it (see smbd_acl_create_store()).
 * Filesystems without user xattrs: SET_INFO security and an SD create
 * context fail with NOT_SUPPORTED; plain creates go on and show the
 * inherited descriptor.
 *
 * Functions doing I/O block (getxattr/setxattr on local filesystems).
 */
#ifndef WG_SMBD_FS_ACL_H
#define WG_SMBD_FS_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <talloc.h>

#include "proto/ntstatus.h"
#include "proto/seaccess.h"
#include "proto/secdesc.h"
#include "proto/wire.h"

struct smbd_server;
struct smbd_session;
struct smbd_tree;
struct smbd_open;

#define SMBD_ACL_XATTR		"user.wgsmb.sd"
#define SMBD_ACL_BLOB_VERSION	1
#define SMBD_ACL_BLOB_MAX	(64u * 1024)	/* what we read back */
/* every part of a descriptor, for sd_push() */
#define SMBD_ACL_ALL_PARTS	(SECINFO_OWNER | SECINFO_GROUP | \
				 SECINFO_DACL | SECINFO_SACL)

/*
 * The stored form of sd (version byte, then sd_push of every part), a
 * talloc child of mem in *buf with *len bytes. Returns 0, WIRE_E_NOMEM
 * or WIRE_E_TOOBIG (an ACL over 64 KiB).
 */
int smbd_acl_blob_pack(TALLOC_CTX *mem, const struct sec_desc *sd,
		       uint8_t **buf, size_t *len) WIRE_WUR;

/*
 * Parse a stored value. Returns 0 with *sd a new talloc child of mem,
 * WIRE_E_SHORT (empty), WIRE_E_UNSUPPORTED (another version), or an
 * sd_pull() error (truncated or malformed descriptor). Untrusted: the
 * attribute may have been written by anyone with write access to the
 * file on the server.
 */
int smbd_acl_blob_unpack(TALLOC_CTX *mem, const uint8_t *buf, size_t len,
			 struct sec_desc **sd) WIRE_WUR;

/* The share root's descriptor when none is stored (see above). NULL on
 * ENOMEM. */
struct sec_desc *smbd_acl_root_default(TALLOC_CTX *mem);

/*
 * The token of a session: user SID = machine SID + the user's RID,
 * Everyone, Authenticated Users, BUILTIN\Users, None, the user's local
 * groups (machine SID + each group's RID); BUILTIN\Administrators
 * and the security, take-ownership, backup and restore privileges for
 * `admin users`; Everyone, Guests and Anonymous Logon for guests. A null
 * session's holds Anonymous Logon only, not Everyone [MS-DTYP 2.4.2.4],
 * as Windows since XP/2003, unless `everyone includes anonymous` is set
 * (then Everyone and Guests too). A talloc child of mem (its SID array
 * too), NULL on ENOMEM.
 */
struct se_token *smbd_acl_token(TALLOC_CTX *mem,
				const struct smbd_server *srv,
				const char *user, bool guest, bool anonymous);

/*
 * The token the access checks on tree use for sess: a null session on a
 * guest ok share acts as the guest account there, elsewhere as itself.
 * The session's (it goes at re-authentication and logoff); NULL without
 * a session or token.
 */
const struct se_token *smbd_acl_token_of(const struct smbd_tree *tree,
					 const struct smbd_session *sess);

/*
 * Keep a session's token t (smbd_acl_token_of) alive while mem lives, for
 * a request that may outlive the session's holding it: an open waiting
 * for oplock breaks is checked as the user who sent it, whatever the
 * session re-authenticated as meanwhile [MS-SMB2 3.3.5.9, MS-CIFS
 * 3.3.5.51: the session's security context when the request arrived].
 * No copy: a talloc reference from mem, so the token's owner lets go of
 * it with smbd_acl_token_drop, never talloc_free. Returns t, NULL on
 * ENOMEM.
 */
const struct se_token *smbd_acl_token_hold(TALLOC_CTX *mem,
					   const struct se_token *t);

/*
 * The owner (a session) lets go of its token t (NULL: nothing): freed
 * now unless requests hold it (smbd_acl_token_hold), else when the last
 * of them ends.
 */
void smbd_acl_token_drop(TALLOC_CTX *owner, const struct se_token *t);

/*
 * The stored descriptor of the object fd refers to (any fd, O_PATH too).
 * Returns 0 with *sd a talloc child of mem, -ENODATA if it has none,
 * -EINVAL if the stored value does not parse (logged), or -errno.
 */
int smbd_acl_read_fd(TALLOC_CTX *mem, int fd, struct sec_desc **sd);

/*
 * A cache of stored descriptors the access checks read through (see
 * acl.c for how changes are seen): one per event loop (loop->acl_cache,
 * smbd.h), used from that loop only. new: a talloc child of mem, NULL on
 * ENOMEM. flush empties it (after changes made behind its back in bulk,
 * such as wgnet acl /reset).
 */
struct smbd_acl_cache_stats {
	uint64_t hits, misses, stale, evictions, flushes;
	uint64_t parses;	/* stored descriptors parsed (on misses) */
	uint64_t verified;	/* hits whose ctime did not vouch: read,
				 * found unchanged, not parsed again */
	uint32_t entries;
	size_t bytes;		/* of the parsed descriptors kept */
};
struct smbd_acl_cache *smbd_acl_cache_new(TALLOC_CTX *mem);
void smbd_acl_cache_flush(struct smbd_acl_cache *c);
void smbd_acl_cache_stats(const struct smbd_acl_cache *c,
			  struct smbd_acl_cache_stats *out);

/* Store sd on fd's object (caches see the change by its new ctime;
 * smbd_acl_set also drops its loop's entry). Returns 0 or -errno (-ENOTSUP: no
 * user xattrs on this filesystem). */
int smbd_acl_write_fd(int fd, const struct sec_desc *sd);

/*
 * The descriptor of ondisk beneath root_fd ("" is the root): stored, or
 * inherited down from the nearest ancestor that has one (or the root
 * default), read through cache (NULL: without one). Returns 0 with *sd a
 * talloc child of mem, or -errno.
 */
int smbd_acl_effective(TALLOC_CTX *mem, struct smbd_acl_cache *cache,
		       int root_fd, const char *ondisk, bool is_dir,
		       struct sec_desc **sd);

/*
 * CREATE of an existing object: narrow *max (the share's and the
 * filesystem's rights) to what the descriptor gives t, the requester's
 * token (smbd_acl_token_of, or the copy a waiting open keeps)
 * (MAXIMUM_ALLOWED; FILE_OPEN_FOR_BACKUP_INTENT in options lets the
 * backup/restore privileges count), plus DELETE when the parent grants
 * FILE_DELETE_CHILD. ACCESS_SYSTEM_SECURITY in desired is added to *max
 * with SeSecurityPrivilege, else PRIVILEGE_NOT_HELD. Trees without
 * descriptors (IPC$, print queues) and a NULL token are left alone.
 * Returns OK, PRIVILEGE_NOT_HELD or NO_MEMORY.
 */
NTSTATUS smbd_acl_open_check(const struct smbd_tree *tree,
			     const struct se_token *t,
			     const char *ondisk, bool is_dir, uint32_t desired,
			     uint32_t options, uint32_t *max);

/*
 * The same, for a caller that holds an O_PATH fd on ondisk's object
 * (fd, not taken over) and its stat st (both as of its lookup): the
 * object's descriptor is read through fd and the descriptor cache is
 * asked with st, which saves an openat2, an fstat and a close. fd -1 or
 * st NULL: as smbd_acl_open_check.
 */
NTSTATUS smbd_acl_open_check_fd(const struct smbd_tree *tree,
				const struct se_token *t, int fd,
				const struct stat *st, const char *ondisk,
				bool is_dir, uint32_t desired,
				uint32_t options, uint32_t *max);

/*
 * Access-based enumeration (the share's `access based share enum`): a
 * listing of the folder dir (on-disk path beneath the tree's root, ""
 * for the root) shows an entry only if its descriptor grants the
 * session's token FILE_READ_DATA (FILE_LIST_DIRECTORY), READ_ATTRIBUTES
 * and READ_EA. smbd_acl_list_new() makes the checker, a talloc child of
 * mem holding a copy of the token and the folder's descriptor (so it
 * outlives the session), or sets *out NULL when the share does not hide
 * (option off, no descriptors, no token): callers test for NULL and
 * keep listing at full speed. Returns OK or NO_MEMORY. It keeps its own
 * dup of the tree's root fd, so it may outlive the tree.
 *
 * smbd_acl_list_visible(): whether name (an entry of dir; "." and ".."
 * always, a NULL checker always) is listed. Reads the entry's stored
 * descriptor through the descriptor cache; entries without one share the
 * folder's inherited verdict, computed once. An entry that vanished, or
 * whose descriptor cannot be read, is hidden. Event loop only.
 */
struct smbd_acl_list;
NTSTATUS smbd_acl_list_new(TALLOC_CTX *mem, const struct smbd_tree *tree,
			   const struct smbd_session *sess, const char *dir,
			   struct smbd_acl_list **out);
bool smbd_acl_list_visible(struct smbd_acl_list *l, const char *name);

/*
 * CREATE of a new object, before it is made: the parent must grant
 * FILE_ADD_FILE (FILE_ADD_SUBDIRECTORY for a directory) to t, the
 * requester's token as for smbd_acl_open_check (NULL: no checks);
 * the new descriptor is computed from the parent's, the SD create
 * context (secd, its bytes from the cursor on; NULL if none) and the
 * token. ACCESS_SYSTEM_SECURITY in desired is added to *max with
 * SeSecurityPrivilege, else PRIVILEGE_NOT_HELD. *sd is a talloc child
 * of mem, or NULL where the tree keeps none. Returns OK,
 * ACCESS_DENIED, INVALID_SECURITY_DESCR (a SecD that does not parse),
 * INVALID_OWNER (an owner the token may not set), PRIVILEGE_NOT_HELD (a
 * SACL without SeSecurityPrivilege) or NO_MEMORY.
 */
NTSTATUS smbd_acl_create_prepare(TALLOC_CTX *mem, const struct smbd_tree *tree,
				 const struct se_token *t,
				 const char *ondisk, bool is_dir,
				 const struct wire_rd *secd, uint32_t desired,
				 uint32_t *max, struct sec_desc **sd);

/*
 * CREATE of a new object, once made: store sd (from
 * smbd_acl_create_prepare(); NULL does nothing) on fd. explicit: the
 * client gave an SD create context; a filesystem without user xattrs
 * then fails with NOT_SUPPORTED, while a plain new object goes on
 * showing the descriptor its folder passes down. The caller tells
 * change notify first (smbd_watch_own_attrib); AllocationSize does not
 * count the xattr block (fs/fileinfo.c).
 */
NTSTATUS smbd_acl_create_store(int fd, const struct sec_desc *sd,
			       bool explicit);

/*
 * A rename of an object (a directory if is_dir) to dst (on-disk path
 * beneath the tree's root) [MS-FSA §2.1.5.15.2]: the destination folder
 * must grant the session's current token FILE_ADD_FILE
 * (FILE_ADD_SUBDIRECTORY for a directory); replaces (dst exists, a
 * directory if dst_is_dir, and ReplaceIfExists) also needs DELETE on it
 * or FILE_DELETE_CHILD on the folder. DELETE on the source is the
 * handle's, checked by the caller. Trees without descriptors and
 * sessions without a token pass. Returns OK, ACCESS_DENIED or NO_MEMORY.
 */
NTSTATUS smbd_acl_rename_check(const struct smbd_tree *tree,
			       const struct smbd_session *sess,
			       const char *dst, bool is_dir, bool replaces,
			       bool dst_is_dir);

/*
 * QUERY_INFO SMB2_0_INFO_SECURITY: append op's descriptor with the
 * parts secinfo asks for to w. OWNER/GROUP/DACL need READ_CONTROL on
 * the handle, SACL ACCESS_SYSTEM_SECURITY (else ACCESS_DENIED).
 */
NTSTATUS smbd_acl_query(const struct smbd_open *op, uint32_t secinfo,
			struct wire_wr *w);

/*
 * SET_INFO SMB2_0_INFO_SECURITY: replace the parts secinfo names with
 * those of the descriptor in buf and store it. OWNER/GROUP need
 * WRITE_OWNER on the handle, DACL WRITE_DAC, SACL ACCESS_SYSTEM_SECURITY;
 * the owner may only become a SID of the token unless it holds
 * SeRestorePrivilege. Returns OK, ACCESS_DENIED, INVALID_OWNER,
 * INVALID_SECURITY_DESCR, NOT_SUPPORTED (no xattrs), MEDIA_WRITE_PROTECTED
 * style errors of the store, NO_MEMORY.
 */
NTSTATUS smbd_acl_set(const struct smbd_open *op,
		      const struct smbd_session *sess, uint32_t secinfo,
		      const uint8_t *buf, size_t len);

#endif
