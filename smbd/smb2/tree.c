/*
 * tree.c - the tree connect object and the share root fds it holds.
 */
#include "smbd/smb2/tree.h"
#include "proto/utf16.h"
#include "smbd/smb2/request.h"
#include "smbd/print/print.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAXIMAL_READ_ONLY 0x001200A9u

/*
 * One O_PATH fd per share root, shared by all its tree connects: a
 * connection costs one fd, not one more per share it connects to (10,000
 * idle sessions must fit the fd limit). Kept while any tree uses it, and
 * after the last one goes (refs 0, "idle") so that a session cycle does
 * not open and close the root at every TREE_CONNECT: an idle root is
 * reused only while a stat of its path still finds the same directory
 * (one system call where open and close were two), and the idle ones are
 * closed at a reload (smbd_share_roots_trim), so a share the new config
 * drops does not hold its directory open.
 */
struct share_root {
	struct share_root *next;
	char *path;
	int fd;
	unsigned refs;
	dev_t dev;
	ino_t ino;
};

static int share_root_destructor(struct share_root *r)
{
	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
	return 0;
}

/* Whether path still names the directory the idle root r holds. */
static bool share_root_still(const struct share_root *r)
{
	struct stat st = {};

	return stat(r->path, &st) == 0 && S_ISDIR(st.st_mode) &&
	       st.st_dev == r->dev && st.st_ino == r->ino;
}

int share_root_get(struct smbd_server *srv, const char *path)
{
	struct share_root *r = NULL, **pr = NULL;
	struct stat st = {};
	int fd = -1;

	for (pr = &srv->share_roots; *pr != NULL; pr = &(*pr)->next) {
		r = *pr;
		if (strcmp(r->path, path) != 0) {
			continue;
		}
		if (r->refs > 0 || share_root_still(r)) {
			r->refs++;
			return r->fd;
		}
		/* moved or replaced while idle: open it afresh */
		*pr = r->next;
		talloc_free(r);
		break;
	}
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	if (fstat(fd, &st) != 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	r = talloc_zero(srv, struct share_root);
	if (r == NULL || (r->path = talloc_strdup(r, path)) == NULL) {
		talloc_free(r);
		close(fd);
		return -ENOMEM;
	}
	r->fd = fd;
	r->refs = 1;
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	talloc_set_destructor(r, share_root_destructor);
	r->next = srv->share_roots;
	srv->share_roots = r;
	return fd;
}

/* Drop a tree's reference; an fd that is not a shared root is closed. */
static void share_root_put(struct smbd_server *srv, int fd)
{
	struct share_root *r = NULL;

	for (r = srv->share_roots; r != NULL; r = r->next) {
		if (r->fd == fd) {
			if (r->refs > 0) {
				r->refs--;	/* kept idle: see above */
			}
			return;
		}
	}
	close(fd);
}

void smbd_share_roots_trim(struct smbd_server *srv)
{
	struct share_root **pr = &srv->share_roots;

	while (*pr != NULL) {
		struct share_root *r = *pr;

		if (r->refs == 0) {
			*pr = r->next;
			talloc_free(r);
		} else {
			pr = &r->next;
		}
	}
}

static int tree_destructor(struct smbd_tree *t)
{
	struct smbd_session *s = t->sess;

	/* Opens first, while the tree is still whole. */
	while (t->opens != NULL) {
		talloc_free(t->opens);
	}
	smbd_abort_requests(s->conn, NULL, t, NT_STATUS_NETWORK_NAME_DELETED);
	if (t->prev != NULL) {
		t->prev->next = t->next;
	} else if (s->trees == t) {
		s->trees = t->next;
	}
	if (t->next != NULL) {
		t->next->prev = t->prev;
	}
	s->ntrees--;
	if (t->root_fd >= 0) {
		share_root_put(s->conn->srv, t->root_fd);
		t->root_fd = -1;
	}
	return 0;
}

struct smbd_tree *smbd_tree_new(struct smbd_session *s,
			       const struct wg_share_cfg *sh, int root_fd)
{
	struct smbd_tree *t = talloc_zero(s, struct smbd_tree);

	if (t == NULL) {
		if (root_fd >= 0) {
			share_root_put(s->conn->srv, root_fd);
		}
		return NULL;
	}
	t->sess = s;
	t->id = s->next_tree_id++;
	t->share = sh;
	t->root_fd = root_fd;
	/* a print queue takes job files whatever "read only" says */
	t->read_only = (sh->read_only && sh->type != WG_SHARE_PRINT) ||
		       s->anonymous;
	t->maximal_access = t->read_only ? MAXIMAL_READ_ONLY : FILE_ALL_ACCESS;
	t->connect_time_nt = smbd_nt_now();
	t->next = s->trees;
	if (s->trees != NULL) {
		s->trees->prev = t;
	}
	s->trees = t;
	s->ntrees++;
	talloc_set_destructor(t, tree_destructor);
	return t;
}

/* "\\server\share" -> "share"; NULL if malformed. */
static const char *share_of_path(const char *path)
{
	const char *p = path;
	const char *share = NULL;

	while (*p == '\\') {
		p++;
	}
	share = strchr(p, '\\');
	if (share == NULL || share[1] == '\0' ||
	    strchr(share + 1, '\\') != NULL) {
		return NULL;
	}
	return share + 1;
}

static bool user_allowed(const struct wg_share_cfg *sh, const char *user)
{
	size_t i = 0;

	if (sh->valid_users == NULL) {
		return true;
	}
	for (i = 0; sh->valid_users[i] != NULL; i++) {
		if (utf8_casecmp(sh->valid_users[i], user) == 0) {
			return true;
		}
	}
	return false;
}

bool smbd_share_may_connect(const struct wg_share_cfg *sh, const char *user,
			    bool guest, bool anonymous)
{
	if (anonymous || guest) {
		return sh->type == WG_SHARE_IPC || sh->guest_ok;
	}
	return user_allowed(sh, user != NULL ? user : "");
}

/*
 * Connect session s to the share "\\server\share" names: the share
 * exists, the session may use it (null and guest sessions only IPC$ and
 * guest ok shares; valid users), the tree budget holds, and its root
 * opens. Shared by the SMB2 and SMB1 TREE_CONNECT handlers.
 */
NTSTATUS smbd_tree_connect(struct smbd_session *s, const char *path,
			   struct smbd_tree **out)
{
	struct smbd_conn *conn = s->conn;
	const char *name = share_of_path(path);
	const struct wg_share_cfg *sh = NULL;
	struct smbd_tree *t = NULL;
	int fd = -1;

	if (name == NULL) {
		return NT_STATUS_BAD_NETWORK_NAME;
	}
	sh = wg_config_find_share(conn->srv->cfg, name);
	if (sh == NULL) {
		sh = smbd_print_find_share(conn->srv, name);
	}
	if (sh == NULL) {
		DBG_INFO(SESS, "%s: no share '%s'", conn->peer_addr, name);
		return NT_STATUS_BAD_NETWORK_NAME;
	}
	if ((s->anonymous || s->guest) && sh->type != WG_SHARE_IPC &&
	    !sh->guest_ok) {
		DBG_INFO(SESS, "%s: %s session refused share '%s'",
			 conn->peer_addr, s->guest ? "guest" : "null",
			 sh->name);
		return NT_STATUS_ACCESS_DENIED;
	}
	if (!s->anonymous && !s->guest && !user_allowed(sh, s->user)) {
		DBG_INFO(SESS, "%s: '%s' not in valid users of '%s'",
			 conn->peer_addr, s->user, sh->name);
		return NT_STATUS_ACCESS_DENIED;
	}
	if (s->ntrees >= conn->srv->cfg->max_tree_connects) {
		smbd_budget_hit(NULL, conn, SMBD_BUDGET_TREES,
				conn->srv->cfg->max_tree_connects);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	if (sh->type != WG_SHARE_IPC) {
		fd = share_root_get(conn->srv, sh->path);
		if (fd < 0) {
			DBG_ERR(VFS, "share '%s': cannot open %s: %s",
				sh->name, sh->path, strerror(-fd));
			return NT_STATUS_BAD_NETWORK_NAME;
		}
	}
	t = smbd_tree_new(s, sh, fd);
	if (t == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = t;
	return NT_STATUS_OK;
}
