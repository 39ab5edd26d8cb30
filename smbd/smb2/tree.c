/*
 * tree.c - the tree connect object and the share root fds it holds.
 */
#include "smbd/smb2/tree.h"
#include "smbd/smb2/request.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define MAXIMAL_READ_ONLY 0x001200A9u

/*
 * One O_PATH fd per share root, shared by all its tree connects: a
 * connection costs one fd, not one more per share it connects to (10,000
 * idle sessions must fit the fd limit). Kept while any tree uses it.
 */
struct share_root {
	struct share_root *next;
	char *path;
	int fd;
	unsigned refs;
};

int share_root_get(struct smbd_server *srv, const char *path)
{
	struct share_root *r = NULL;
	int fd = -1;

	for (r = srv->share_roots; r != NULL; r = r->next) {
		if (strcmp(r->path, path) == 0) {
			r->refs++;
			return r->fd;
		}
	}
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	r = talloc_zero(srv, struct share_root);
	if (r == NULL || (r->path = talloc_strdup(r, path)) == NULL) {
		talloc_free(r);
		close(fd);
		return -ENOMEM;
	}
	r->fd = fd;
	r->refs = 1;
	r->next = srv->share_roots;
	srv->share_roots = r;
	return fd;
}

/* Drop a tree's reference; an fd that is not a shared root is closed. */
static void share_root_put(struct smbd_server *srv, int fd)
{
	struct share_root **pr = NULL;

	for (pr = &srv->share_roots; *pr != NULL; pr = &(*pr)->next) {
		struct share_root *r = *pr;

		if (r->fd != fd) {
			continue;
		}
		if (--r->refs == 0) {
			*pr = r->next;
			close(r->fd);
			talloc_free(r);
		}
		return;
	}
	close(fd);
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
