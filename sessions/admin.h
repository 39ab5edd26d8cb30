/*
 * admin.h - live server state for administrators, as plain structs.
 *
 * smbd/ implements these operations over its live objects; pipes/
 * (srvsvc: NetrSessionEnum, NetrFileEnum, NetrShareEnum, ...) and the
 * control socket behind `wgnet` consume them, so both always show the
 * same truth. No wire format here. Every listing is a talloc array
 * allocated under mem_ctx, strings are its children; callers free it.
 */
#ifndef WG_SESSIONS_ADMIN_H
#define WG_SESSIONS_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <strings.h>
#include <talloc.h>

struct wg_admin_session {
	uint64_t id;			/* SMB2 SessionId */
	const char *ip;			/* the client computer */
	const char *computer;		/* display name (NetBIOS/NTLM/ip) */
	const char *user;		/* "" for null sessions */
	const char *domain;
	bool anonymous;
	bool guest;
	bool signing;			/* responses are signed */
	bool encryption;
	const char *client_type;	/* dialect: "SMB3_11" */
	unsigned opens;			/* files + pipes */
	unsigned trees;
	unsigned printer_handles;
	uint64_t conn_id;		/* connection carrying it */
	uint64_t logon_secs;		/* seconds since logon */
	uint64_t idle_secs;
	unsigned slot_id;		/* sessions sharing a cap slot */
	const char *calling_name;	/* NetBIOS calling name of its
					 * connection, "" on a direct one */
	const char *workstation;	/* NTLM Workstation, "" if none */
	/*
	 * The session ended (connection lost, logoff) leaving durable
	 * opens its computer may reclaim: it keeps its slot until they
	 * are reattached or time out. opens counts them; no trees, no
	 * connection (conn_id 0).
	 */
	bool disconnected;
	uint64_t durable_secs_left;	/* until the last one times out */
};

/*
 * One slot of the session cap: what `net session` and NetSessionEnum
 * show as one session. In "windows" accounting a slot is (computer,
 * user) or one null session; in "computer" accounting it is the
 * computer. It nests the SMB sessions sharing it.
 *
 * A computer is its address. The names it used are those of its live
 * connections and sessions (any slot): NetBIOS calling names (port 139)
 * and NTLM workstation names, which the client chooses freely (every
 * smbclient on a host sends the same one), so they are never the
 * identity, only other ways to name it.
 */
struct wg_admin_slot {
	unsigned id;			/* the session manager's slot id */
	const char *ip;			/* the computer */
	const char **calling_names;	/* distinct, case-insensitively */
	size_t ncalling_names;
	const char **workstations;	/* distinct, case-insensitively */
	size_t nworkstations;
	const char *user;		/* "" for a null session; in computer
					 * accounting the named users,
					 * ", "-separated */
	bool anonymous;			/* only null sessions */
	bool guest;			/* any guest session */
	bool encryption;		/* every session encrypts */
	const char *client_type;	/* highest dialect of its sessions */
	unsigned opens;			/* files + pipes, all sessions */
	unsigned trees;
	unsigned printer_handles;
	uint64_t logon_secs;		/* the oldest session's */
	uint64_t idle_secs;		/* the most recently active one's */
	bool disconnected;		/* only disconnected sessions: kept
					 * for their durable opens */
	unsigned durable_opens;		/* of its disconnected sessions */
	uint64_t durable_secs_left;	/* the longest of theirs */
	struct wg_admin_session *sessions;	/* by SessionId */
	size_t nsessions;
};

/* Does computer ("\\name" or "name") name the slot's computer: its
 * address, or a calling or workstation name (case-insensitive)? */
static inline bool wg_admin_slot_named(const struct wg_admin_slot *s,
				       const char *computer)
{
	size_t i = 0;

	while (computer[0] == '\\') {
		computer++;
	}
	if (strcasecmp(computer, s->ip) == 0) {
		return true;
	}
	for (i = 0; i < s->ncalling_names; i++) {
		if (strcasecmp(computer, s->calling_names[i]) == 0) {
			return true;
		}
	}
	for (i = 0; i < s->nworkstations; i++) {
		if (strcasecmp(computer, s->workstations[i]) == 0) {
			return true;
		}
	}
	return false;
}

struct wg_admin_file {
	uint64_t id;			/* FileId (volatile) */
	uint64_t session_id;
	const char *share;
	const char *path;		/* "\\dir\\name" within the share;
					 * "\\PIPE\\name" for pipes */
	const char *local_path;		/* absolute server path, "" pipes */
	const char *user;
	const char *computer;
	uint32_t access;		/* granted access mask */
	unsigned locks;
	bool is_pipe;
	bool is_dir;
	uint64_t idle_secs;
};

enum wg_admin_share_type {
	WG_ADMIN_SHARE_DISK = 0,
	WG_ADMIN_SHARE_PRINT = 1,
	WG_ADMIN_SHARE_IPC = 3,
};

struct wg_admin_share {
	const char *name;
	const char *path;
	const char *comment;
	enum wg_admin_share_type type;
	bool read_only;
	unsigned current_users;		/* tree connects now */
};

struct wg_admin_conn {
	uint64_t id;
	const char *local;		/* "127.0.0.1:445" */
	const char *remote;		/* "127.0.0.5:51234" */
	const char *ip;			/* the computer: "127.0.0.5" */
	uint16_t port;			/* local port: 445, 139, ... */
	bool netbios;			/* NetBIOS session service framing */
	const char *calling_name;	/* "" if none (direct TCP) */
	const char *computer;
	const char *state;		/* "negotiating", "authenticated", ... */
	const char *dialect;		/* "" before NEGOTIATE */
	uint64_t bytes_in, bytes_out;
	uint64_t idle_secs;
	uint64_t age_secs;
	unsigned sessions;
	unsigned trees;
	unsigned opens;
	unsigned loop;			/* event loop serving it (threads.md) */
};

struct wg_admin_server {
	const char *netbios_name;
	const char *workgroup;
	const char *comment;
	const char *version;
	const char *edition;
	const char *accounting;
	const char *cap_policy;
	unsigned cap;			/* 0 = none */
	unsigned slots_used;
	int restrict_anonymous;
	uint32_t autodisconnect_ms, null_session_timeout_ms;
	uint32_t spoolss_handle_timeout_ms, auth_timeout_ms;
	uint32_t linger_timeout_ms;
	uint64_t uptime_secs;
};

struct wg_admin_ops {
	void *priv;
	int (*server_info)(void *priv, TALLOC_CTX *mem,
			   struct wg_admin_server **out);
	/* SMB sessions, one entry each (admitted ones only). */
	int (*list_sessions)(void *priv, TALLOC_CTX *mem,
			     struct wg_admin_session **out, size_t *n);
	/* Cap slots in the order they were taken, sessions nested. */
	int (*list_slots)(void *priv, TALLOC_CTX *mem,
			  struct wg_admin_slot **out, size_t *n);
	int (*list_files)(void *priv, TALLOC_CTX *mem,
			  struct wg_admin_file **out, size_t *n);
	int (*list_shares)(void *priv, TALLOC_CTX *mem,
			   struct wg_admin_share **out, size_t *n);
	int (*list_conns)(void *priv, TALLOC_CTX *mem,
			  struct wg_admin_conn **out, size_t *n);
	/*
	 * End the sessions of every slot of computer (as matched by
	 * wg_admin_slot_named(); NULL = any), or with user only those of
	 * that user (NULL = any; "" = null sessions): in windows
	 * accounting, that user's slot. What clients wrote is flushed
	 * before their files close. Returns the number of sessions ended
	 * (0 = none matched), -ENOTUNIQ when the name is used by more than
	 * one address (nothing is ended), or -errno.
	 */
	int (*delete_sessions)(void *priv, const char *computer,
			       const char *user, unsigned *files_closed);
	/* Close one open by id, flushing first. 0, -ENOENT or -errno. */
	int (*close_file)(void *priv, uint64_t id);
	/* Is this user listed in `admin users`? */
	bool (*is_admin)(void *priv, const char *user);
	/*
	 * Is share (a name from list_shares) listed to this user? false only
	 * for a share with access based share enum that the user (or a
	 * guest / null session) may not connect to. NULL: every share is.
	 */
	bool (*share_visible)(void *priv, const char *share, const char *user,
			      bool guest, bool anonymous);
};

#endif
