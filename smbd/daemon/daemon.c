/*
 * daemon.c - process helpers for wgsmbd: detach, pid file, state
 * directory, handing files to the run-as user, dropping root.
 */
#include "smbd/daemon/daemon.h"
#include "smbd/base/config.h"
#include "smbd/base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

struct wg_pidfile {
	char *path;
	int fd;
	dev_t dev;
	ino_t ino;
};

int wg_daemon_detach(int *ready_fd)
{
	int fds[2] = { -1, -1 };
	uint8_t status = 1;
	pid_t pid = 0;
	ssize_t n = 0;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		int rc = -errno;

		DBG_ERR(GEN, "cannot create the start-up pipe: %s",
			strerror(errno));
		return rc;
	}
	pid = fork();
	if (pid < 0) {
		int rc = -errno;

		DBG_ERR(GEN, "cannot fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return rc;
	}
	if (pid > 0) {
		/* The original process: exit with the daemon's verdict. */
		close(fds[1]);
		do {
			n = read(fds[0], &status, 1);
		} while (n < 0 && errno == EINTR);
		if (n != 1) {
			status = 1;
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
		}
		_exit(status);
	}
	close(fds[0]);
	if (setsid() < 0) {
		DBG_ERR(GEN, "setsid: %s", strerror(errno));
		_exit(1);
	}
	/* Fork again so the daemon is not a session leader. */
	pid = fork();
	if (pid < 0) {
		DBG_ERR(GEN, "cannot fork: %s", strerror(errno));
		_exit(1);
	}
	if (pid > 0) {
		_exit(0);
	}
	if (chdir("/") != 0) {
		DBG_ERR(GEN, "chdir /: %s", strerror(errno));
		_exit(1);
	}
	*ready_fd = fds[1];
	return 0;
}

int wg_daemon_ready(int ready_fd)
{
	uint8_t ok = 0;
	ssize_t n = 0;
	int fd = -1;
	int rc = 0;

	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		DBG_ERR(GEN, "open /dev/null: %s", strerror(errno));
	} else {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO) {
			close(fd);
		}
	}
	do {
		n = write(ready_fd, &ok, 1);
	} while (n < 0 && errno == EINTR);
	close(ready_fd);
	return rc;
}

static int pidfile_destructor(struct wg_pidfile *pf)
{
	struct stat st = {};

	if (pf->fd < 0) {
		return 0;
	}
	/* Remove it only if the path still names the file we locked. */
	if (lstat(pf->path, &st) == 0 && st.st_dev == pf->dev &&
	    st.st_ino == pf->ino) {
		if (unlink(pf->path) != 0) {
			DBG_WARN(GEN, "cannot remove pid file %s: %s",
				 pf->path, strerror(errno));
		}
	}
	close(pf->fd);
	pf->fd = -1;
	return 0;
}

static long pidfile_read_pid(int fd)
{
	char buf[32] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0) {
		return 0;
	}
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

int wg_pidfile_create(TALLOC_CTX *mem_ctx, const char *path,
		      struct wg_pidfile **pidfile)
{
	struct flock lk = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
	};
	struct wg_pidfile *pf = NULL;
	struct stat st = {};
	char buf[32] = "";
	int len = 0;
	int fd = -1;
	int rc = 0;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
		  0644);
	if (fd < 0) {
		rc = -errno;
		DBG_ERR(GEN, "cannot open pid file %s: %s", path,
			strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		DBG_ERR(GEN, "cannot stat pid file %s: %s", path,
			strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		rc = -EPERM;
		DBG_ERR(GEN, "pid file %s is not a plain file with one link; "
			"refusing to use it", path);
		goto fail;
	}
	if (fcntl(fd, F_SETLK, &lk) != 0) {
		rc = -errno;
		if (errno == EAGAIN || errno == EACCES) {
			DBG_ERR(GEN, "pid file %s is locked: wgsmbd is already "
				"running (pid %ld)", path,
				pidfile_read_pid(fd));
			rc = -EEXIST;
		} else {
			DBG_ERR(GEN, "cannot lock pid file %s: %s", path,
				strerror(errno));
		}
		goto fail;
	}
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 ||
	    pwrite(fd, buf, (size_t)len, 0) != (ssize_t)len) {
		rc = errno != 0 ? -errno : -EIO;
		DBG_ERR(GEN, "cannot write pid file %s: %s", path,
			strerror(-rc));
		goto fail;
	}
	pf = talloc_zero(mem_ctx, struct wg_pidfile);
	if (pf == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	pf->path = talloc_strdup(pf, path);
	if (pf->path == NULL) {
		talloc_free(pf);
		rc = -ENOMEM;
		goto fail;
	}
	pf->fd = fd;
	pf->dev = st.st_dev;
	pf->ino = st.st_ino;
	talloc_set_destructor(pf, pidfile_destructor);
	*pidfile = pf;
	return 0;
fail:
	close(fd);
	return rc;
}

int wg_daemon_refuse_nobody(const char *user, uid_t uid)
{
	struct passwd *nb = NULL;

	errno = 0;
	nb = getpwnam("nobody");
	if (strcmp(user, "nobody") != 0 && (nb == NULL || nb->pw_uid != uid)) {
		return 0;
	}
	if (uid == (uid_t)-1 && nb != NULL) {
		uid = nb->pw_uid;	/* refused by name: show its uid */
	}
	DBG_ERR(GEN, "refusing to run as nobody ('run as user = %s', uid "
		"%ld): other services run as nobody too and could read the "
		"users file's password hashes and use the control socket. "
		"Create a dedicated account (adduser --system --group "
		"--no-create-home --home /nonexistent %s) and set 'run as "
		"user' to it", user, (long)uid, WG_DEFAULT_RUN_AS_USER);
	return -EPERM;
}

int wg_daemon_lookup_user(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = NULL;

	if (strcmp(user, "nobody") == 0) {
		return wg_daemon_refuse_nobody(user, (uid_t)-1);
	}

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		if (errno != 0 && errno != ENOENT && errno != ESRCH) {
			int rc = -errno;

			DBG_ERR(GEN, "cannot look up user '%s': %s", user,
				strerror(errno));
			return rc;
		}
		DBG_ERR(GEN, "run as user '%s' does not exist; refusing to "
			"run as root", user);
		return -ENOENT;
	}
	if (pw->pw_uid == 0) {
		DBG_ERR(GEN, "run as user '%s' has uid 0; refusing to run as "
			"root", user);
		return -EPERM;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	/* Both values are copied: the next getpwnam reuses pw. */
	return wg_daemon_refuse_nobody(user, *uid);
}

/* Directories whose owner must never be handed to the daemon's user. */
static bool is_system_dir(const char *path)
{
	static const char *const sys[] = {
		"/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib",
		"/lib64", "/media", "/mnt", "/opt", "/proc", "/root", "/run",
		"/sbin", "/srv", "/sys", "/tmp", "/usr", "/usr/local",
		"/var", "/var/cache", "/var/lib", "/var/log", "/var/run",
		"/var/spool", "/var/tmp",
	};
	char real[PATH_MAX];
	size_t i = 0;

	if (realpath(path, real) == NULL) {
		return true;	/* cannot tell: be safe */
	}
	for (i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
		if (strcmp(real, sys[i]) == 0) {
			return true;
		}
	}
	return false;
}

int wg_daemon_prepare_state_dir(const char *dir, uid_t uid, gid_t gid)
{
	struct stat st = {};
	int fd = -1;
	int rc = 0;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		rc = -errno;
		DBG_ERR(GEN, "cannot create state directory %s: %s", dir,
			strerror(errno));
		return rc;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		DBG_ERR(GEN, "cannot open state directory %s: %s", dir,
			strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		DBG_ERR(GEN, "cannot stat state directory %s: %s", dir,
			strerror(errno));
		goto out;
	}
	if (geteuid() != 0 || (st.st_uid == uid && st.st_gid == gid)) {
		goto out;
	}
	if (is_system_dir(dir)) {
		rc = -EPERM;
		DBG_ERR(GEN, "state directory %s is a system directory; "
			"refusing to give it to uid %ld", dir, (long)uid);
		goto out;
	}
	if (fchown(fd, uid, gid) != 0) {
		rc = -errno;
		DBG_ERR(GEN, "cannot chown state directory %s to %ld:%ld: %s",
			dir, (long)uid, (long)gid, strerror(errno));
		goto out;
	}
	DBG_NOTICE(GEN, "state directory %s now owned by %ld:%ld", dir,
		   (long)uid, (long)gid);
out:
	close(fd);
	return rc;
}

int wg_daemon_prepare_socket_dir(const char *socket_path, uid_t uid,
				 gid_t gid)
{
	const char *slash = strrchr(socket_path, '/');
	char dir[PATH_MAX];
	int fd = -1;
	int rc = 0;

	if (slash == NULL || slash == socket_path ||
	    (size_t)(slash - socket_path) >= sizeof(dir)) {
		return 0;
	}
	memcpy(dir, socket_path, (size_t)(slash - socket_path));
	dir[slash - socket_path] = '\0';
	if (mkdir(dir, 0755) != 0) {
		if (errno == EEXIST) {
			return 0;	/* the admin's, or ours from a last run */
		}
		rc = -errno;
		DBG_WARN(GEN, "cannot create the control socket's directory "
			 "%s: %s", dir, strerror(errno));
		return rc;
	}
	if (geteuid() != 0) {
		return 0;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchown(fd, uid, gid) != 0) {
		rc = -errno;
		DBG_WARN(GEN, "cannot give %s to %ld:%ld: %s", dir, (long)uid,
			 (long)gid, strerror(errno));
	} else {
		DBG_NOTICE(GEN, "created %s for the control socket, owned by "
			   "%ld:%ld", dir, (long)uid, (long)gid);
	}
	if (fd >= 0) {
		close(fd);
	}
	return rc;
}

int wg_daemon_hand_over_file(const char *path, uid_t uid)
{
	struct stat st = {};
	int fd = -1;
	int rc = 0;

	if (geteuid() != 0) {
		return 0;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
		  O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (errno == ENOENT) {
			DBG_NOTICE(GEN, "%s does not exist yet", path);
			return 0;
		}
		DBG_WARN(GEN, "cannot open %s to hand it to uid %ld: %s", path,
			 (long)uid, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		DBG_WARN(GEN, "cannot stat %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		rc = -EPERM;
		DBG_WARN(GEN, "%s is not a plain file with one link; not "
			 "changing its owner", path);
		goto out;
	}
	if ((st.st_mode & 0077) != 0) {
		DBG_WARN(GEN, "%s holds password hashes but its mode is %04o; "
			 "0600 is recommended", path,
			 (unsigned)(st.st_mode & 07777));
	}
	if (st.st_uid != 0) {
		goto out;	/* already handed over, or the admin's choice */
	}
	/* Owner only: the group may be shared with other services. */
	if (fchown(fd, uid, (gid_t)-1) != 0) {
		rc = -errno;
		DBG_WARN(GEN, "cannot chown %s to uid %ld: %s", path,
			 (long)uid, strerror(errno));
		goto out;
	}
	DBG_NOTICE(GEN, "%s now owned by uid %ld so it can be reloaded "
		   "without root", path, (long)uid);
out:
	close(fd);
	return rc;
}

int wg_daemon_drop_privileges(const char *user)
{
	char *name = NULL;
	uid_t uid = 0;
	gid_t gid = 0;
	int rc = 0;

	if (getuid() != 0 && geteuid() != 0) {
		return 0;
	}
	rc = wg_daemon_lookup_user(user, &uid, &gid);
	if (rc != 0) {
		return rc;
	}
	name = strdup(user);
	if (name == NULL) {
		return -ENOMEM;
	}
	if (initgroups(name, gid) != 0) {
		rc = -errno;
		DBG_ERR(GEN, "initgroups for '%s': %s", name, strerror(errno));
		goto out;
	}
	if (setresgid(gid, gid, gid) != 0) {
		rc = -errno;
		DBG_ERR(GEN, "setresgid %ld for '%s': %s", (long)gid, name,
			strerror(errno));
		goto out;
	}
	if (setresuid(uid, uid, uid) != 0) {
		rc = -errno;
		DBG_ERR(GEN, "setresuid %ld for '%s': %s", (long)uid, name,
			strerror(errno));
		goto out;
	}
	if (setuid(0) == 0 || getuid() == 0 || geteuid() == 0 ||
	    getegid() != gid) {
		rc = -EPERM;
		DBG_ERR(GEN, "privileges were not dropped to '%s': root can "
			"still be regained", name);
		goto out;
	}
	DBG_NOTICE(GEN, "running as %s (uid %ld, gid %ld)", name, (long)uid,
		   (long)gid);
out:
	free(name);
	return rc;
}
