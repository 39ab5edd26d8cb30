/*
 * users.h - the users file: local accounts, their NT hashes and RIDs.
 *
 * File format (UTF-8 text, LF or CRLF line ends), version 2:
 *
 *	# wgsmb users v2
 *	next rid 1003
 *	alice:8846F7EAEE8FB117AD06BDD830B7586C:1000
 *	Bob Smith:0CB6948805F797BF2A82807973B89537:1002
 *
 *  - The first line is exactly "# wgsmb users v2" (or "# wgsmb users
 *    v1", below). A zero-byte file is an empty database too.
 *  - Then one user per line: NAME ':' NTHASH ':' RID, where NTHASH is 32
 *    hex digits (either case on input, upper case on output) of
 *    MD4(UTF-16LE(password)), see ntlm_nt_hash() in proto/ntlmssp.h, and
 *    RID is the user's relative ID in decimal, 1000 to 4294967294, unique
 *    in the file: the user's SID is the machine SID (sessions/identity.h)
 *    followed by it. A user keeps the RID for life.
 *  - "next rid N" (a line with no ':', at most once) is the RID the next
 *    new user gets; it only grows, so a deleted user's RID (and with it
 *    any permission granted to that SID) is never given to someone else.
 *    If missing or too low it is taken as one above the highest RID.
 *  - Blank lines and lines starting with '#' after the header are
 *    ignored; users_save() does not keep them.
 *  - A name is 1..64 bytes of valid UTF-8 with no ':', no control
 *    character (0x00-0x1F, 0x7F), no leading or trailing space and no
 *    leading '#'. Its case is kept for display; lookups fold ASCII letters
 *    only, and two names equal under that folding may not both exist.
 *  - The file must be a regular file with no group or other permission
 *    bits (it holds password equivalents); users_save() writes mode 0600.
 *
 * Local groups (an office's "Accounting") live in the same file, so they
 * share the RID allocator with users and one atomic save changes both.
 * A file with at least one group is version 3: header "# wgsmb users v3"
 * (a daemon that predates groups then refuses the file instead of
 * dropping its groups on a save) and, among the user lines,
 *
 *	group Accounting:1003:alice:Bob Smith
 *
 *  - "group " GROUPNAME ':' RID, then ':' MEMBER for each member: a user
 *    of the file by name (ASCII case ignored; saved as the user's
 *    spelling). The line may come before or after the users it names.
 *  - A line starting "group " is a group line unless its second field
 *    is 32 hex digits: a user who is called "group x" keeps loading.
 *  - GROUPNAME follows the user name rules and no user or other group
 *    may have it (ignoring ASCII case): a name means one account.
 *  - The RID comes from "next rid" like a user's and is unique among
 *    users and groups. A group's SID (machine SID + RID) is an alias
 *    (SID_NAME_ALIAS) of the machine's domain, as Windows' local groups.
 *  - Members are users only, each at most once; deleting a user takes it
 *    out of every group.
 * A file without groups is still written as version 2, byte for byte as
 * before groups existed.
 *
 * Version 1 ("# wgsmb users v1", lines NAME ':' NTHASH) is still read:
 * its users get RIDs 1000, 1001, ... in file order, the same every time
 * the unchanged file is read, and users_save() writes them as version 2.
 * users_file_version() tells a caller that it read an old file, so the
 * daemon can save the migration before any SID of it is stored.
 *
 * This module knows nothing of the wire. Functions returning int give 0
 * or a negative errno.
 */
#ifndef WG_SESSIONS_USERS_H
#define WG_SESSIONS_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#define USERS_NAME_MAX		64	/* bytes, without the NUL */
#define USERS_FILE_VERSION	2
#define USERS_FILE_HEADER	"# wgsmb users v2"
#define USERS_FILE_HEADER_V1	"# wgsmb users v1"
#define USERS_FILE_VERSION_GROUPS 3	/* written when there are groups */
#define USERS_FILE_HEADER_V3	"# wgsmb users v3"
#define USERS_RID_FIRST		1000u	/* the first user's RID */
#define USERS_RID_MAX		0xFFFFFFFEu

struct users_db;

/*
 * Load a users file. Returns a database that is a talloc child of mem (the
 * caller frees it), or NULL with *err set to a talloc child of mem such as
 * "/var/lib/wgsmb/users:7: NT hash must be 32 hex digits" or
 * "/var/lib/wgsmb/users: mode 0644 gives group/other access; run
 * chmod 600 /var/lib/wgsmb/users". On success *err is NULL. A missing file
 * (ENOENT) gives an empty database, not an error. Files over 16 MiB are
 * refused. If even the message cannot be allocated, *err stays NULL.
 */
struct users_db *users_load(TALLOC_CTX *mem, const char *path, char **err);

/* An empty database (for a new file); talloc child of mem, NULL on ENOMEM. */
struct users_db *users_new(TALLOC_CTX *mem);

/*
 * Check a user name against the rules above. Returns NULL if it is valid,
 * else a static English reason ("name is longer than 64 bytes").
 */
const char *users_name_check(const char *name);

/*
 * Find a user, ignoring ASCII case. On success copies the hash to nt_hash
 * and points *canonical_name at the name as stored (owned by db, valid
 * until that user is changed or deleted or db is freed); either output may
 * be NULL. Returns 0 or -ENOENT.
 */
int users_lookup(const struct users_db *db, const char *name,
		 uint8_t nt_hash[16], const char **canonical_name);

/*
 * Add a user, or replace the hash of an existing one (matched ignoring
 * ASCII case; the stored spelling and the RID are kept). A new user gets
 * users_next_rid(), which then grows by one. Returns 0, -EINVAL (name
 * fails users_name_check()), -EEXIST (a group has the name), -ENOSPC (no
 * RID left) or -ENOMEM.
 */
int users_set(struct users_db *db, const char *name, const uint8_t nt_hash[16]);

/* Delete a user (ASCII case ignored) and its group memberships; the RID
 * is not given again. Returns 0 or -ENOENT. */
int users_del(struct users_db *db, const char *name);

/* Number of users. */
size_t users_count(const struct users_db *db);

/* The i-th user's name in file order (owned by db), or NULL if i is out of
 * range. */
const char *users_name_at(const struct users_db *db, size_t i);

/* The i-th user's RID in file order, or 0 if i is out of range. */
uint32_t users_rid_at(const struct users_db *db, size_t i);

/* A user's RID (name matched ignoring ASCII case). Returns 0 or -ENOENT. */
int users_rid(const struct users_db *db, const char *name, uint32_t *rid);

/* The name of the user with this RID (owned by db), or NULL if none. */
const char *users_name_by_rid(const struct users_db *db, uint32_t rid);

/* ---- local groups (see the format above) ---- */

/*
 * Add an empty group; it gets users_next_rid(), which then grows by one.
 * Returns 0, -EINVAL (bad name), -EEXIST (a user or group has the name),
 * -ENOSPC (no RID left) or -ENOMEM.
 */
int users_group_add(struct users_db *db, const char *name);

/* Delete a group (ASCII case ignored); its RID is not given again.
 * Returns 0 or -ENOENT. */
int users_group_del(struct users_db *db, const char *name);

/*
 * Put a user in a group, or take it out. Returns 0, -ENOENT (no such
 * group), -ESRCH (no such user), -EEXIST (add: already a member),
 * -ENODATA (del: not a member) or -ENOMEM.
 */
int users_group_addmember(struct users_db *db, const char *group,
			  const char *user);
int users_group_delmember(struct users_db *db, const char *group,
			  const char *user);

/* Number of groups. */
size_t users_group_count(const struct users_db *db);

/* The i-th group's name (owned by db) and RID in file order; NULL and 0
 * if i is out of range. */
const char *users_group_name_at(const struct users_db *db, size_t i);
uint32_t users_group_rid_at(const struct users_db *db, size_t i);

/*
 * The members of the i-th group as user RIDs: *rids points into db
 * (valid until the next change). Returns their number (0 out of range).
 */
size_t users_group_members_at(const struct users_db *db, size_t i,
			      const uint32_t **rids);

/* A group's RID and stored spelling (name matched ignoring ASCII case);
 * either output may be NULL. Returns 0 or -ENOENT. */
int users_group_lookup(const struct users_db *db, const char *name,
		       uint32_t *rid, const char **canonical_name);

/* The index of the group with this RID, or -ENOENT. */
int users_group_index(const struct users_db *db, uint32_t rid);

/*
 * The groups user_rid is a member of, in file order: fills out[0..max)
 * with their RIDs and returns how many there are (may exceed max).
 */
size_t users_groups_of(const struct users_db *db, uint32_t user_rid,
		       uint32_t *out, size_t max);

/* The RID the next new user or group will get. */
uint32_t users_next_rid(const struct users_db *db);

/*
 * The version of the file db was read from: 1 for an old file whose RIDs
 * were assigned on load (save it to make them permanent), 3 for one with
 * groups, else USERS_FILE_VERSION (also for a new or missing file).
 */
int users_file_version(const struct users_db *db);

/*
 * Write db to path atomically: a temporary file in the same directory
 * (mode 0600, owner and group of the old file when permitted) is written,
 * fsync()ed and renamed over path, then the directory is fsync()ed. On
 * failure the old file is untouched and the temporary file removed.
 * Returns 0 or -errno of the failing step.
 */
int users_save(const struct users_db *db, const char *path);

/*
 * Has the file at path changed since db was loaded from it? Compares
 * device, inode, size, mtime and ctime recorded by users_load() (a file
 * that was missing then and exists now counts as changed, and the other
 * way round). A stat() failure other than ENOENT answers true so the
 * caller reloads and reports the error. Cheap enough for every logon.
 */
bool users_changed(const char *path, struct users_db *db);

#endif
