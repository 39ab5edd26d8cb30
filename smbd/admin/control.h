/*
 * control.h - the control socket: how `wgnet` reaches the running
 * daemon's live state (sessions/admin.h) without blocking SMB clients.
 *
 * The socket is a Unix stream socket at "control socket" ([global];
 * default "<state directory>/wgsmbd.sock"), mode 0666: who may use it is
 * decided per connection from SO_PEERCRED, not by file permissions.
 * Allowed: uid 0, the daemon's own uid, and members of "admin group"
 * (the peer's primary gid, its supplementary groups as the kernel
 * reports them (SO_PEERGROUPS), or the groups of its user in the group
 * database (getgrouplist)). Anyone else gets {"ok":false,"error":
 * "permission denied: ..."} and the refusal is logged (rate-limited).
 *
 * Served from the tevent loop: non-blocking sockets, a request of at
 * most CTL_MAX_REQUEST bytes, CTL_CLIENT_TIMEOUT_SECS for the whole
 * exchange, at most CTL_MAX_CLIENTS clients at once (others get a
 * "busy" error at once). Listings are built from live state in one
 * step; destructive verbs are carried out by the admin view at the next
 * turn of the loop (see wg_admin_ops.delete_sessions).
 *
 * Wire format: proto/ctlproto.h. Verbs and the members of a
 * successful response (besides "version", "ok" and "verb"):
 *
 *   sessions                  "sessions": [SESSION...], "slots_used",
 *                             "cap" (0 = none), "edition", "accounting",
 *                             "cap_policy"
 *   session COMPUTER          "computer", "sessions": [SESSION + "shares":
 *                             [{"name","type","opens","connected_secs"}]],
 *                             "connections": [CONN + "cipher"],
 *                             "files": [FILE]; ENOENT if none matches
 *   session-delete COMPUTER   "ended": [{"id","computer","user"}],
 *   session-delete --all      "sessions_ended", "files_closed"; ENOENT if
 *                             none matches (not for --all)
 *   files                     "files": [FILE]
 *   file-close ID             "closed": ID; ENOENT if no such open
 *   shares                    "shares": [{"name","path","type" ("disk",
 *                             "print", "ipc"),"remark","read_only",
 *                             "current_users"}]
 *   connections               "connections": [CONN]
 *   config                    "server": {"netbios_name","workgroup",
 *                             "comment","version","edition","cap",
 *                             "slots_used","accounting","cap_policy",
 *                             "restrict_anonymous","uptime_secs",
 *                             "control_socket","admin_group",
 *                             "admin_users","timeouts_ms": {
 *                             "autodisconnect","null_session",
 *                             "spoolss_handle","auth","linger"}}
 *   statistics                "statistics": {"start_time" (Unix),
 *                             "uptime_secs","sessions_admitted",
 *                             "sessions_refused_cap" (error 71),
 *                             "sessions_refused_anonymous",
 *                             "sessions_reaped","reaped": {CAUSE: n},
 *                             "printer_handles_reaped","bytes_in",
 *                             "bytes_out","connections_accepted",
 *                             "errors": {"connections_refused",
 *                             "connections_dropped"}}
 *   user-deleted NAME         "user", "sessions_ended", "files_closed";
 *                             EEXIST if NAME is still in the users file
 *   acl SHARE PATH            "share", "path" (on-disk, "" the root),
 *                             "type" ("file", "folder"), "stored" (false:
 *                             inherited), "owner"/"group": {"sid",
 *                             "name"}, "control", "protected", "sddl",
 *                             "dacl": [{"type" ("allowed", "denied",...),
 *                             "sid","name","mask","flags": ["OI",...],
 *                             "inherited"}] or null (no DACL); PATH "/"
 *                             is the root; ENOENT: no such disk share or
 *                             path. Names follow sessions/identity.h.
 *   acl-reset SHARE PATH      "share", "path", "removed", "failed": every
 *                             stored descriptor of PATH and below is
 *                             removed (fs/acladmin.h)
 *
 * SESSION: {"id","computer","ip","user" ("" for null sessions),"domain",
 *   "anonymous","guest","signing","encryption","client_type","opens",
 *   "trees","printer_handles","connection_id","logon_secs","idle_secs",
 *   "slot"}
 * FILE: {"id","session_id","share","path","local_path","user",
 *   "computer","access","mode" ("read", "write", "read+write" or
 *   "none"),"locks","is_pipe","is_dir","idle_secs"}
 * CONN: {"id","local","remote","computer","state","dialect","bytes_in",
 *   "bytes_out","idle_secs","age_secs","sessions","trees","opens"}
 * CAUSE: sm_reap_cause_name() with blanks as '_' ("null_idle", ...).
 */
#ifndef WG_SMBD_CONTROL_H
#define WG_SMBD_CONTROL_H

#include "smbd/smbd.h"

#define CTL_MAX_CLIENTS		16
#define CTL_CLIENT_TIMEOUT_SECS	10

/*
 * Create the control socket (srv->control) and serve it from srv->ev.
 * Call once from smbd_server_start(), after privileges are dropped, so
 * the socket belongs to the run-as user. A stale socket left by a dead
 * daemon is replaced; a path that is not a socket, or a socket another
 * daemon answers on, is left alone. Returns 0 or -errno, logged with the
 * path: the caller may go on serving SMB without it.
 */
int smbd_control_start(struct smbd_server *srv);

/*
 * Close the socket and every control client, and remove the socket file
 * (if it is still the one we created). Safe to call twice.
 */
void smbd_control_stop(struct smbd_server *srv);

#endif
