/*
 * identity.h - who the users of this server are as Windows sees them:
 * the machine SID (S-1-5-21-x-y-z, random, made once and kept in the
 * state directory) and the SIDs built from it with the users file's RIDs
 * (sessions/users.h). No wire format here: SIDs are proto/sid.h values.
 *
 * The machine SID file, "<state directory>/machine-sid", mode 0644:
 *
 *	# wgsmb machine sid v1
 *	S-1-5-21-3623811015-3361044348-30300820
 *
 * exactly these two lines (LF or CRLF, the final line end optional). It
 * must never change once made: every stored descriptor names users by
 * SIDs under it. Back it up with the users file.
 *
 * Functions returning int give 0 or a negative errno.
 */
#ifndef WG_SESSIONS_IDENTITY_H
#define WG_SESSIONS_IDENTITY_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "proto/sid.h"

#define IDENTITY_SID_FILE	"machine-sid"
#define IDENTITY_SID_HEADER	"# wgsmb machine sid v1"

/* Well-known RIDs of the machine's own domain [MS-SAMR §2.2.1.14]: every
 * user's primary group "None" (a workgroup machine's "Domain Users"), and
 * the account guest sessions run as. */
#define IDENTITY_RID_NONE	513u
#define IDENTITY_RID_GUEST	501u

/*
 * Parse the text of a machine SID file (len bytes, need not be
 * NUL-terminated). The SID must be S-1-5-21 and three more
 * sub-authorities. Returns 0, or -EINVAL with *why a static reason.
 */
int identity_sid_parse(const char *text, size_t len, struct dom_sid *sid,
		       const char **why);

/* The file's text for sid, a talloc string child of mem; NULL on ENOMEM. */
char *identity_sid_render(TALLOC_CTX *mem, const struct dom_sid *sid);

/* A new random machine SID (getrandom(2)). Returns 0 or -errno. */
int identity_sid_generate(struct dom_sid *sid);

/*
 * The machine SID of the server whose state directory is state_dir:
 * read from its file, or, if there is none, generated and written
 * (a temporary file, fsync()ed, then link()ed into place so two first
 * starts racing agree on one SID; the directory is fsync()ed). The file
 * may not be writable by group or others.
 * Returns 0, or -errno with *err a message (talloc child of mem) such as
 * "/var/lib/wgsmb/machine-sid:2: not a machine SID (S-1-5-21-x-y-z)";
 * -ENOMEM may leave *err NULL. On success *err is NULL.
 */
int identity_machine_sid(TALLOC_CTX *mem, const char *state_dir,
			 struct dom_sid *sid, char **err);

/*
 * A user's SID: the machine SID followed by the user's RID. Returns 0 or
 * -EINVAL (machine is not a machine SID).
 */
int identity_user_sid(const struct dom_sid *machine, uint32_t rid,
		      struct dom_sid *out);

/*
 * The RID of a SID under machine, or -ENOENT if it is not one of this
 * machine's accounts.
 */
int identity_sid_rid(const struct dom_sid *machine, const struct dom_sid *sid,
		     uint32_t *rid);

struct users_db;

/* What a SID names on this server (see identity_sid_name()). */
struct identity_name {
	enum sid_name_use use;	/* SID_NAME_UNKNOWN: nothing we know */
	const char *domain;	/* "BUILTIN", "NT AUTHORITY", the machine's
				 * name, "" (Everyone...); NULL if unknown */
	struct dom_sid domain_sid;	/* valid when domain is not NULL */
	const char *name;	/* the account, or the domain's own name for
				 * SID_NAME_DOMAIN; NULL if unknown */
};

/*
 * Translate sid the way this server names things (the rules both
 * \PIPE\lsarpc and wgnet acl follow): the well-known SIDs of
 * proto/sid.h; the machine SID itself (the domain host); machine SID +
 * a RID of the users file (db may be NULL: no users) as host\user, or
 * host\group for a local group (SID_NAME_ALIAS). A
 * RID of ours nobody has keeps domain = host and name = NULL. The
 * strings point into the table, db or host: they live as long as those.
 */
void identity_sid_name(const struct users_db *db,
		       const struct dom_sid *machine, const char *host,
		       const struct dom_sid *sid, struct identity_name *out);

/*
 * "DOMAIN\name", "Everyone" (no domain), or the SID string when the SID
 * is unknown; a talloc string child of mem, NULL on ENOMEM.
 */
char *identity_sid_display(TALLOC_CTX *mem, const struct users_db *db,
			   const struct dom_sid *machine, const char *host,
			   const struct dom_sid *sid);

#endif
