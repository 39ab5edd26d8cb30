/*
 * daemon.h - process helpers for wgsmbd's main(): detaching, the pid
 * file, preparing the state directory and dropping root.
 *
 * Every function logs its own failure (naming the file or user and the
 * errno text) and returns 0 or -errno.
 */
#ifndef WG_SMBD_DAEMON_H
#define WG_SMBD_DAEMON_H

#include <stdbool.h>
#include <sys/types.h>
#include <talloc.h>

struct wg_pidfile;

/*
 * Fork into the background: fork, setsid, fork again, chdir("/"). Only
 * the final grandchild returns (0), with *ready_fd set; the original
 * process waits and exits with the status the grandchild reports through
 * wg_daemon_ready() (1 if it exits first). stdin/stdout/stderr stay
 * open until wg_daemon_ready(), so start-up errors reach the terminal.
 * Returns -errno if the first fork or the pipe fails (still in the
 * original process).
 */
int wg_daemon_detach(int *ready_fd);

/*
 * Tell the waiting parent that start-up succeeded and point
 * stdin/stdout/stderr at /dev/null. Closes ready_fd.
 */
int wg_daemon_ready(int ready_fd);

/*
 * Create or take over the pid file at path and write our pid into it.
 * The file is locked (fcntl F_SETLK) for the life of the process, so a
 * second daemon with the same state directory refuses to start (-EEXIST,
 * logged with the running pid). A stale file from a dead daemon is not
 * locked and is reused. Symlinks and hard-linked files are refused. The
 * result is a talloc child of mem_ctx; freeing it removes the file (if
 * it is still ours) and releases the lock.
 */
int wg_pidfile_create(TALLOC_CTX *mem_ctx, const char *path,
		      struct wg_pidfile **pidfile);

/*
 * -EPERM (logged, with how to make a dedicated account) if user is
 * "nobody" or uid is nobody's uid ((uid_t)-1: check the name only);
 * else 0. Other services run as nobody,
 * so as our user they could read the users file and use the control
 * socket.
 */
int wg_daemon_refuse_nobody(const char *user, uid_t uid);

/*
 * Look up the unprivileged account. Refuses (-EPERM) an account with
 * uid 0 or nobody's uid (see wg_daemon_refuse_nobody) and (-ENOENT) a
 * missing one.
 */
int wg_daemon_lookup_user(const char *user, uid_t *uid, gid_t *gid);

/*
 * Create dir (0755) if missing. When running as root, also make it owned
 * by uid:gid so the daemon can keep using it after dropping privileges.
 * Refuses to chown system directories such as "/" or "/var/lib".
 */
int wg_daemon_prepare_state_dir(const char *dir, uid_t uid, gid_t gid);

/*
 * Create the directory the control socket goes in (socket_path up to its
 * last '/') if it is missing, 0755, and when running as root make it
 * owned by uid:gid, so the unprivileged daemon can bind the socket there
 * (e.g. /run/wgsmb, emptied at boot, while the state directory is 0700
 * and closed to "admin group" members). An existing directory is left as
 * it is (0). Not fatal for the caller: without the socket only wgnet's
 * daemon verbs fail, and the bind logs why.
 */
int wg_daemon_prepare_socket_dir(const char *socket_path, uid_t uid,
				 gid_t gid);

/*
 * When running as root and path is a root-owned regular file, give it
 * to uid (the owner only: group and mode are kept) so the unprivileged
 * daemon can reopen it by path at start and on reload. A missing file is
 * not an error (0). Logs a warning if group or others can read it.
 */
int wg_daemon_hand_over_file(const char *path, uid_t uid);

/*
 * Drop root for good: initgroups, setresgid, setresuid to user, then
 * check that root cannot be regained. Returns 0, or -errno; the caller
 * must exit on failure. A no-op (0) when not running as root.
 */
int wg_daemon_drop_privileges(const char *user);

#endif
