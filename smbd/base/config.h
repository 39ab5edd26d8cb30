/*
 * config.h - the smb.conf-style configuration file (syntax: proto/smbconf.h).
 */
#ifndef WG_SMBD_CONFIG_H
#define WG_SMBD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sessions/sessmgr.h"

/* Opens one connection may hold; 'max open files' cannot exceed it. */
#define SMBD_MAX_OPENS_PER_CONN	16384

/*
 * `write splice pipes` by default: pipes of spliced WRITEs alive at once
 * in the process (net/conn.c). Each holds two fds and up to twice its
 * data in kernel pages until a worker empties it; past the cap a WRITE's
 * data is read into memory, so many connections' in-flight WRITEs cannot
 * run the process out of fds.
 */
#define SMBD_SPLICE_PIPES_DEFAULT	64

/*
 * Default "run as user": the dedicated account the Debian package creates
 * (debian/wgsmb.postinst). Never nobody: the daemon refuses it.
 */
#define WG_DEFAULT_RUN_AS_USER	"_wgsmb"

enum wg_share_type {
	WG_SHARE_DISK = 0,
	WG_SHARE_PRINT = 1,
	WG_SHARE_IPC = 2,
};

struct wg_share_cfg {
	char *name;		/* as configured (case kept) */
	char *path;		/* absolute */
	char *comment;
	enum wg_share_type type;
	bool read_only;
	bool guest_ok;
	bool oplocks;		/* grant oplocks (default yes) */
	bool durable_handles;	/* grant durable handles (default yes) */
	bool leases;		/* grant leases (default yes) */
	char **valid_users;	/* NULL = everyone; else NULL-terminated */
	/* access based share enum: listings leave out what the session may
	 * not read, NetShareEnum the share from users who may not connect */
	bool access_based_enum;
	char *print_command;	/* printable shares */
};

struct wg_config {
	char *path;		/* the file we loaded */
	char *netbios_name;	/* upper case */
	char *workgroup;	/* upper case */
	char **listen_addresses;/* NULL-terminated; default { "0.0.0.0", "::" } */
	uint16_t ports[8];
	size_t nports;
	char *users_file;
	char *state_dir;
	char *run_as_user;	/* default WG_DEFAULT_RUN_AS_USER */
	int log_level;
	char *log_classes;	/* "auth:4 conn:3" */
	bool signing_mandatory;
	uint16_t min_protocol;	/* dialect */
	uint16_t max_protocol;
	/* server min protocol = NT1: the SMB1 front end (smbd/smb1) answers
	 * SMB1-only clients; min_protocol stays the lowest SMB2 dialect */
	bool smb1_enabled;
	enum wg_map_to_guest {
		WG_GUEST_NEVER = 0,
		WG_GUEST_BAD_USER,	/* unknown user names become guest */
		WG_GUEST_BAD_PASSWORD,	/* ... and wrong passwords too */
	} map_to_guest;
	char *guest_account;	/* Unix user guests are shown as (nobody) */
	bool ntlmv1_permitted;	/* ntlm auth = ntlmv1-permitted (insecure) */
	bool nbns;		/* netbios name service = yes: UDP 137 */
	uint16_t nbns_port;	/* nbns port (137; tests use another) */
	char *admin_users;	/* space-separated (issue 4/5) */
	char *control_socket;	/* absolute; "<state_dir>/wgsmbd.sock" */
	char *admin_group;	/* Unix group allowed on it; "" = none */
	size_t max_opens_per_session;

	/*
	 * Discovery, announced by Avahi (mdns) and wsdd (wsd), never by
	 * wgsmbd itself: `wgnet discovery` turns these into their config.
	 */
	bool mdns;		/* Avahi service file for _smb._tcp */
	bool wsd;		/* wsdd WS-Discovery */

	/* Per-client budgets (budget.h), defaults in config.c. */
	uint32_t max_sessions_per_conn;	/* any state, one connection */
	uint32_t max_sessions_in_progress; /* half-built, one connection */
	uint32_t max_tree_connects;	/* per session */
	uint32_t max_locks_per_open;
	uint32_t max_pending_notifies;	/* per connection */
	uint64_t max_dir_memory;	/* listing state per connection */
	uint64_t max_reply_backlog;	/* reply bytes queued + in flight */

	/*
	 * Keys owned by the session manager, read here, applied there. A
	 * word is stored twice, both set at parse time: sm.* is what code
	 * decides on, the string (static, lower case) is for display.
	 */
	struct {
		enum sm_edition edition;
		enum sm_accounting accounting;
		enum sm_cap_policy cap_policy;
	} sm;
	const char *edition;	/* "workstation", "home" or "server" */
	long max_sessions;	/* -1 = from edition */
	const char *session_accounting;	/* "windows" or "computer" */
	const char *cap_policy;	/* "refuse" or "reclaim" */
	int restrict_anonymous;	/* 0, 1 or 2 */
	/* null sessions' tokens hold Everyone (and Guests) too: Windows'
	 * EveryoneIncludesAnonymous policy; off by default */
	bool everyone_includes_anonymous;
	uint32_t autodisconnect_ms;
	uint32_t null_session_timeout_ms;
	uint32_t spoolss_handle_timeout_ms;
	uint32_t auth_timeout_ms;
	uint32_t linger_timeout_ms;
	uint32_t oplock_break_timeout_ms;	/* unacknowledged break */
	uint32_t durable_timeout_ms;	/* most a durable open is kept */
	/* orphaned streams are looked for this often (0: never) */
	uint32_t streams_sweep_ms;
	/* event loops serving connections (docs/threads.md); 0 = one per
	 * CPU, at most 8; read at start only */
	uint32_t server_threads;
	/* nice value of the event-loop threads only (-20..19); 0 leaves
	 * them as started; read at start only */
	int32_t loop_priority;
	/* spliced WRITEs' pipes alive at once in the process (net/conn.c,
	 * SMBD_SPLICE_PIPES_DEFAULT above); 0: never splice */
	uint32_t write_splice_pipes;

	struct wg_share_cfg *shares;	/* IPC$ is always present */
	size_t nshares;
};

/*
 * Load and validate a config file. Returns a talloc child of mem_ctx, or
 * NULL with a message "FILE:LINE: reason" in *err (talloc child of
 * mem_ctx) for the caller to print.
 */
struct wg_config *wg_config_load(void *mem_ctx, const char *path, char **err);

/* Case-insensitive share lookup; NULL if none. */
const struct wg_share_cfg *wg_config_find_share(const struct wg_config *cfg,
						const char *name);

/*
 * Checks against the running system that a config file alone cannot
 * make: the guest account is a Unix user. 0, or -1 with a message in
 * *err (talloc child of mem_ctx). wgsmbd runs it at start and reload.
 */
int wg_config_check_system(const struct wg_config *cfg, void *mem_ctx,
			   char **err);

/*
 * The keys the parser knows, in table order: the i-th key of [global]
 * (share false) or of a share section (share true), or NULL past the
 * last. Static strings, lower case. For `wgsmbd --list-keys`, which the
 * man page check compares with wgsmb.conf(5).
 */
const char *wg_config_key_name(bool share, size_t i);

/* "15m", "60s", "500ms", "2h", bare number = seconds. -1 on error. */
int wg_parse_duration_ms(const char *s, uint32_t *ms);

/* "8M", "64K", "1G", bare number = bytes (binary units). -1 on error. */
int wg_parse_size(const char *s, uint64_t *bytes);

#endif
