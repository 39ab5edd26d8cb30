/*
 * open.c - the open registry: FileId and (dev, ino) indexes, the
 * per-inode state shared by every open of a file (share modes,
 * delete-pending, byte-range locks), the attachments higher layers hang
 * on an open, and an open's lifecycle from registration to its destructor
 * (flush, delete on close, counts). CREATE and CLOSE (smb2/cmd/create.c)
 * use it through open.h.
 *
 * Indexes: srv->open_index holds two open-addressing hash tables (linear
 * probing, backward-shift deletion), one keyed by the volatile FileId and
 * one by (dev, ino), so lookups stay O(1) with tens of thousands of opens.
 * srv->files additionally links every smbd_file for enumeration.
 *
 * Lifetime: an open is a talloc child of its tree. Its destructor does
 * all the undoing (the attachments, in stage order: parked requests,
 * locks, print; then fsync, fd, delete on close, index, tree list,
 * counts), so every way an open can go (CLOSE, TREE_DISCONNECT, LOGOFF,
 * connection teardown) leaves the same state.
 */
#include "smbd/fs/open.h"
#include "smbd/loop.h"
#include "smbd/fs/watch.h"
#include "smbd/base/errmap.h"
#include "smbd/fs/oplock.h"
#include "smbd/fs/lease.h"
#include "smbd/fs/dirlease.h"
#include "smbd/fs/vfs.h"
#include "smbd/fs/workers.h"
#include "smbd/fs/streams.h"
#include "smbd/fs/openpath.h"
#include "sessions/sessmgr.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Access that takes part in share-mode checks [MS-FSA §2.1.5.1.2] */
#define DATA_ACCESS	(FILE_READ_DATA | FILE_WRITE_DATA | FILE_APPEND_DATA | \
			 FILE_EXECUTE | SEC_STD_DELETE)

/* ================================================================== */
/* Hash tables                                                         */
/* ================================================================== */

struct ptable {
	void **slots;
	size_t mask;		/* capacity - 1, capacity a power of two */
	size_t n;
	uint64_t (*hash)(const void *entry);
};

struct smbd_open_index {
	struct ptable opens;	/* struct smbd_open, by fid_volatile */
	struct ptable files;	/* struct smbd_file, by (dev, ino) */
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t fid_hash(uint64_t fid)
{
	return mix64(fid);
}

static uint64_t inode_hash(dev_t dev, ino_t ino)
{
	return mix64(mix64((uint64_t)dev) ^ (uint64_t)ino);
}

static uint64_t open_entry_hash(const void *e)
{
	const struct smbd_open *op = e;

	return fid_hash(op->fid_volatile);
}

static uint64_t file_entry_hash(const void *e)
{
	const struct smbd_file *f = e;

	return inode_hash(f->dev, f->ino);
}

static int ptable_init(TALLOC_CTX *mem, struct ptable *t,
		       uint64_t (*hash)(const void *entry))
{
	t->slots = talloc_zero_array(mem, void *, 64);
	if (t->slots == NULL) {
		return -ENOMEM;
	}
	t->mask = 63;
	t->n = 0;
	t->hash = hash;
	return 0;
}

static void ptable_place(void **slots, size_t mask, void *e, uint64_t h)
{
	size_t i = h & mask;

	while (slots[i] != NULL) {
		i = (i + 1) & mask;
	}
	slots[i] = e;
}

static int ptable_insert(TALLOC_CTX *mem, struct ptable *t, void *e)
{
	if ((t->n + 1) * 2 > t->mask + 1) {
		size_t ncap = (t->mask + 1) * 2;
		void **ns = talloc_zero_array(mem, void *, ncap);
		size_t i = 0;

		if (ns == NULL) {
			return -ENOMEM;
		}
		for (i = 0; i <= t->mask; i++) {
			if (t->slots[i] != NULL) {
				ptable_place(ns, ncap - 1, t->slots[i],
					     t->hash(t->slots[i]));
			}
		}
		talloc_free(t->slots);
		t->slots = ns;
		t->mask = ncap - 1;
	}
	ptable_place(t->slots, t->mask, e, t->hash(e));
	t->n++;
	return 0;
}

/* Remove e (by pointer), shifting later entries of its run back. */
static void ptable_remove(struct ptable *t, const void *e)
{
	size_t i = t->hash(e) & t->mask;
	size_t j = 0;

	while (t->slots[i] != e) {
		if (t->slots[i] == NULL) {
			return;		/* not there */
		}
		i = (i + 1) & t->mask;
	}
	t->slots[i] = NULL;
	t->n--;
	j = i;
	for (;;) {
		size_t home = 0;

		j = (j + 1) & t->mask;
		if (t->slots[j] == NULL) {
			break;
		}
		home = t->hash(t->slots[j]) & t->mask;
		/* stays if home lies cyclically in (i, j] */
		if (i <= j ? (home > i && home <= j) :
			     (home > i || home <= j)) {
			continue;
		}
		t->slots[i] = t->slots[j];
		t->slots[j] = NULL;
		i = j;
	}
}

static struct smbd_open_index *index_get(struct smbd_server *srv)
{
	struct smbd_open_index *idx = srv->open_index;

	if (idx != NULL) {
		return idx;
	}
	idx = talloc_zero(srv, struct smbd_open_index);
	if (idx == NULL) {
		return NULL;
	}
	if (ptable_init(idx, &idx->opens, open_entry_hash) != 0 ||
	    ptable_init(idx, &idx->files, file_entry_hash) != 0) {
		talloc_free(idx);
		return NULL;
	}
	srv->open_index = idx;
	return idx;
}

struct smbd_open *smbd_open_find(struct smbd_server *srv,
				 uint64_t fid_volatile)
{
	struct smbd_open_index *idx = srv->open_index;
	size_t i = 0;

	if (idx == NULL || fid_volatile == 0) {
		return NULL;
	}
	i = fid_hash(fid_volatile) & idx->opens.mask;
	while (idx->opens.slots[i] != NULL) {
		struct smbd_open *op = idx->opens.slots[i];

		if (op->fid_volatile == fid_volatile) {
			return op;
		}
		i = (i + 1) & idx->opens.mask;
	}
	return NULL;
}

struct smbd_file *smbd_file_find(struct smbd_server *srv, dev_t dev,
				 ino_t ino)
{
	struct smbd_open_index *idx = srv->open_index;
	size_t i = 0;

	if (idx == NULL) {
		return NULL;
	}
	i = inode_hash(dev, ino) & idx->files.mask;
	while (idx->files.slots[i] != NULL) {
		struct smbd_file *f = idx->files.slots[i];

		if (f->dev == dev && f->ino == ino) {
			return f;
		}
		i = (i + 1) & idx->files.mask;
	}
	return NULL;
}

/* ================================================================== */
/* Per-inode state                                                     */
/* ================================================================== */

/* Hang op on the smbd_file of st, creating it if needed. */
int smbd_file_attach(struct smbd_server *srv, struct smbd_open *op,
		     const struct stat *st)
{
	struct smbd_open_index *idx = index_get(srv);
	struct smbd_file *f = NULL;
	struct smbd_open **n = NULL;
	bool fresh = false;

	if (idx == NULL) {
		return -ENOMEM;
	}
	f = smbd_file_find(srv, st->st_dev, st->st_ino);
	if (f == NULL) {
		f = talloc_zero(srv, struct smbd_file);
		if (f == NULL) {
			return -ENOMEM;
		}
		f->srv = srv;
		f->dev = st->st_dev;
		f->ino = st->st_ino;
		if (ptable_insert(idx, &idx->files, f) != 0) {
			talloc_free(f);
			return -ENOMEM;
		}
		f->next = srv->files;
		if (srv->files != NULL) {
			srv->files->prev = f;
		}
		srv->files = f;
		fresh = true;
	}
	if (f->opens == NULL) {
		f->opens = f->opens1;
		f->opens_cap = sizeof(f->opens1) / sizeof(f->opens1[0]);
	}
	if (f->nopens < f->opens_cap) {
		f->opens[f->nopens++] = op;
		op->file = f;
		return 0;
	}
	n = f->opens == f->opens1 ?
	    talloc_array(f, struct smbd_open *, f->opens_cap * 2) :
	    talloc_realloc(f, f->opens, struct smbd_open *, f->opens_cap * 2);
	if (n == NULL) {
		if (fresh) {
			ptable_remove(&idx->files, f);
			srv->files = f->next;
			if (f->next != NULL) {
				f->next->prev = NULL;
			}
			talloc_free(f);
		}
		return -ENOMEM;
	}
	if (f->opens == f->opens1) {
		memcpy(n, f->opens1, sizeof(f->opens1));
	}
	f->opens = n;
	f->opens_cap *= 2;
	f->opens[f->nopens++] = op;
	op->file = f;
	return 0;
}

static void file_detach(struct smbd_open *op)
{
	struct smbd_file *f = op->file;
	struct smbd_server *srv = f->srv;
	size_t i = 0;

	for (i = 0; i < f->nopens; i++) {
		if (f->opens[i] == op) {
			f->opens[i] = f->opens[f->nopens - 1];
			f->nopens--;
			break;
		}
	}
	op->file = NULL;
	if (f->nopens > 0) {
		return;
	}
	if (srv->open_index != NULL) {
		struct smbd_open_index *idx = srv->open_index;

		ptable_remove(&idx->files, f);
	}
	if (f->prev != NULL) {
		f->prev->next = f->next;
	} else {
		srv->files = f->next;
	}
	if (f->next != NULL) {
		f->next->prev = f->prev;
	}
	talloc_free(f);
}

/*
 * Share access [MS-FSA §2.1.5.1.2]: would an open with access/share
 * clash with an existing open of f? Opens without data access do not
 * take part.
 */
bool smbd_share_conflict(const struct smbd_file *f, uint32_t access,
			 uint32_t share)
{
	return smbd_share_conflict_compat(f, access, share, NULL, 0);
}

bool smbd_share_conflict_compat(const struct smbd_file *f, uint32_t access,
				uint32_t share, const void *conn, uint32_t pid)
{
	size_t i = 0;

	if ((access & DATA_ACCESS) == 0) {
		return false;
	}
	for (i = 0; i < f->nopens; i++) {
		const struct smbd_open *o = f->opens[i];
		uint32_t oa = o->access;
		uint32_t os = o->share_access;

		if ((oa & DATA_ACCESS) == 0) {
			continue;
		}
		if (conn != NULL && o->compat_conn == conn &&
		    o->compat_pid == pid) {
			continue;	/* MS-CIFS §3.2.4.5.1: same process */
		}
		if (((oa & (FILE_WRITE_DATA | FILE_APPEND_DATA)) &&
		     !(share & FILE_SHARE_WRITE)) ||
		    ((oa & (FILE_READ_DATA | FILE_EXECUTE)) &&
		     !(share & FILE_SHARE_READ)) ||
		    ((oa & SEC_STD_DELETE) && !(share & FILE_SHARE_DELETE))) {
			return true;
		}
		if (((access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) &&
		     !(os & FILE_SHARE_WRITE)) ||
		    ((access & (FILE_READ_DATA | FILE_EXECUTE)) &&
		     !(os & FILE_SHARE_READ)) ||
		    ((access & SEC_STD_DELETE) && !(os & FILE_SHARE_DELETE))) {
			return true;
		}
	}
	return false;
}

/* ================================================================== */
/* Open lifecycle                                                      */
/* ================================================================== */

static struct smbd_server *open_srv(const struct smbd_open *op)
{
	if (op->file != NULL) {
		return op->file->srv;
	}
	if (op->tree != NULL) {
		return op->tree->sess->conn->srv;
	}
	return NULL;
}

/*
 * Phase 1 of a close [MS-FSA §2.1.5.5]: does op's create-time delete on
 * close mark its file delete-pending? A file (or stream) always; a
 * directory only if it is empty, entries that are delete-pending
 * themselves not counted (they go when their last open does). A
 * directory that is not empty simply stays, and the close succeeds.
 */
static bool open_doc_applies(const struct smbd_open *op)
{
	struct smbd_dir_left left = { .more = true };

	if (!op->delete_on_close || op->file == NULL) {
		return false;
	}
	if (!op->is_dir || op->stream != NULL) {
		return true;
	}
	if (op->fd < 0) {
		return false;
	}
	smbd_dir_list_left(op->fd, &left);
	return smbd_dir_left_empty(op->file->srv, &left);
}

/* Will closing op unlink its file? */
bool smbd_open_will_unlink(const struct smbd_open *op)
{
	const struct smbd_file *f = op->file;

	return f != NULL && f->nopens == 1 &&
	       (f->delete_pending || open_doc_applies(op));
}

/* Delete on close: unlink op's name if it still names op's inode. */
static void open_unlink(struct smbd_open *op)
{
	const struct smbd_file *f = op->file;
	const char *leaf = NULL;
	struct stat st;
	bool same = false;
	bool link = false;
	int pfd = -1;

	int root = op->tree != NULL ? op->tree->root_fd :
		   op->preserved ? op->preserved_root : -1;

	if (root < 0 || op->path[0] == '\0') {
		return;
	}
	if (op->stream != NULL) {
		/* a stream: its file in the store (fs/streams.h) */
		int ret = streams_unlink(root, op, f->dev, f->ino);

		if (ret != 0) {
			DBG_NOTICE(VFS, "delete on close of %s: %s", op->path,
				   strerror(-ret));
		} else {
			smbd_watch_stream(op, FILE_ACTION_REMOVED_STREAM);
		}
		return;
	}
	if (streams_defer_unlink(op, root)) {
		return;	/* its streams' opens close first */
	}
	pfd = vfs_open_parent(root, op->path, &leaf);
	if (pfd < 0) {
		DBG_NOTICE(VFS, "delete on close of %s: %s", op->path,
			   strerror(-pfd));
		return;
	}
	if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		same = st.st_dev == f->dev && st.st_ino == f->ino;
		link = S_ISLNK(st.st_mode);
		/* opened through a symlink: the name to remove is the link */
		if (!same && link && fstatat(pfd, leaf, &st, 0) == 0) {
			same = st.st_dev == f->dev && st.st_ino == f->ino;
		}
	}
	if (!same) {
		DBG_NOTICE(VFS, "delete on close of %s: name changed, kept",
			   op->path);
	} else if (unlinkat(pfd, leaf, op->is_dir && !link ?
			    AT_REMOVEDIR : 0) != 0) {
		DBG_NOTICE(VFS, "delete on close of %s: %s", op->path,
			   strerror(errno));
	} else {
		smbd_watch_removed(op);
		if (op->is_dir || st.st_nlink <= 1) {
			/* its last name: its streams go with it */
			(void)streams_remove_all(root, f->dev, f->ino);
		}
	}
	close(pfd);
}

/* ================================================================== */
/* Walks                                                               */
/* ================================================================== */

static bool tree_passes(const struct smbd_tree *t,
			const struct smbd_opens_filter *f)
{
	if (f == NULL) {
		return true;
	}
	if (f->tree != NULL && t != f->tree) {
		return false;
	}
	if (f->share_path != NULL &&
	    (t->root_fd < 0 || strcmp(t->share->path, f->share_path) != 0)) {
		return false;
	}
	return true;
}

static int tree_opens_foreach(struct smbd_tree *t,
			      const struct smbd_opens_filter *f,
			      int (*fn)(struct smbd_open *op, void *priv),
			      void *priv)
{
	struct smbd_open *op = NULL;
	int rc = 0;

	if (!tree_passes(t, f)) {
		return 0;
	}
	for (op = t->opens; op != NULL; op = op->next) {
		if (f != NULL && op == f->except) {
			continue;
		}
		rc = fn(op, priv);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

int smbd_opens_foreach(struct smbd_server *srv,
		       const struct smbd_opens_filter *filter,
		       int (*fn)(struct smbd_open *op, void *priv), void *priv)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *t = NULL;
	int rc = 0;

	if (filter != NULL && filter->tree != NULL) {
		/* one tree: no need to look at the others */
		return tree_opens_foreach((struct smbd_tree *)filter->tree,
					  filter, fn, priv);
	}
	for (s = srv->sessions; s != NULL; s = s->gnext) {
		if (filter != NULL && filter->sess != NULL &&
		    s != filter->sess) {
			continue;
		}
		for (t = s->trees; t != NULL; t = t->next) {
			rc = tree_opens_foreach(t, filter, fn, priv);
			if (rc != 0) {
				return rc;
			}
		}
	}
	return 0;
}

int smbd_trees_foreach(struct smbd_server *srv,
		       int (*fn)(struct smbd_tree *t, void *priv), void *priv)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *t = NULL;
	int rc = 0;

	for (s = srv->sessions; s != NULL; s = s->gnext) {
		for (t = s->trees; t != NULL; t = t->next) {
			rc = fn(t, priv);
			if (rc != 0) {
				return rc;
			}
		}
	}
	return 0;
}

struct rename_walk {
	const char *old;
	size_t len;
	const char *new_path;
};

/* If o is old or beneath it, point it at the same place under new. */
static int open_follow(struct smbd_open *o, void *priv)
{
	const struct rename_walk *r = priv;
	char *p = NULL;

	if (o->path == NULL || strncmp(o->path, r->old, r->len) != 0 ||
	    (o->path[r->len] != '\0' && o->path[r->len] != '/' &&
	     o->path[r->len] != ':')) {
		return 0;
	}
	p = talloc_asprintf(o, "%s%s", r->new_path, o->path + r->len);
	if (p == NULL) {
		return 0;	/* keeps the old name */
	}
	talloc_free(o->path);
	o->path = p;
	return 0;
}

void smbd_opens_rename_subtree(struct smbd_server *srv, const char *share_path,
			       const char *old, const char *new_path)
{
	struct rename_walk r = {
		.old = old,
		.len = strlen(old),
		.new_path = new_path,
	};
	struct smbd_opens_filter f = {
		.share_path = share_path,
	};

	(void)smbd_opens_foreach(srv, &f, open_follow, &r);
}

/* ================================================================== */
/* Attachments                                                         */
/* ================================================================== */

struct smbd_open_att {
	struct smbd_open_att *prev, *next;	/* op->atts, oldest first */
	struct smbd_open *op;
	enum smbd_open_stage stage;
	const struct smbd_open_att_ops *ops;
	void *priv;
};

static void att_unlink(struct smbd_open_att *a)
{
	struct smbd_open *op = a->op;

	if (op == NULL) {
		return;
	}
	if (a->prev != NULL) {
		a->prev->next = a->next;
	} else {
		op->atts = a->next;
	}
	if (a->next != NULL) {
		a->next->prev = a->prev;
	}
	a->prev = a->next = NULL;
	a->op = NULL;
}

static int att_destructor(struct smbd_open_att *a)
{
	att_unlink(a);
	return 0;
}

struct smbd_open_att *smbd_open_attach(TALLOC_CTX *mem, struct smbd_open *op,
				       enum smbd_open_stage stage,
				       const struct smbd_open_att_ops *ops,
				       void *priv)
{
	struct smbd_open_att *a = talloc_zero(mem, struct smbd_open_att);
	struct smbd_open_att *last = NULL;

	if (a == NULL) {
		return NULL;
	}
	a->op = op;
	a->stage = stage;
	a->ops = ops;
	a->priv = priv;
	for (last = op->atts; last != NULL && last->next != NULL;
	     last = last->next) {
	}
	if (last != NULL) {
		last->next = a;
		a->prev = last;
	} else {
		op->atts = a;
	}
	talloc_set_destructor(a, att_destructor);
	return a;
}

struct smbd_open_att *smbd_open_att_find(const struct smbd_open *op,
					 const struct smbd_open_att_ops *ops)
{
	struct smbd_open_att *a = NULL;

	for (a = op->atts; a != NULL; a = a->next) {
		if (a->ops == ops) {
			return a;
		}
	}
	return NULL;
}

void *smbd_open_att_priv(const struct smbd_open_att *a)
{
	return a->priv;
}

/*
 * Run (call is true) or drop op's attachments of stage, oldest first.
 * Each is taken off the list and reparented under op before its callback,
 * so the callback may free its own parent (a request) without freeing
 * the attachment under our feet; then it is freed here.
 */
static void open_run_stage(struct smbd_open *op, enum smbd_open_stage stage,
			   bool call)
{
	struct smbd_open_att *a = NULL;

	for (;;) {
		for (a = op->atts; a != NULL && a->stage != stage;
		     a = a->next) {
		}
		if (a == NULL) {
			return;
		}
		att_unlink(a);
		(void)talloc_steal(op, a);
		if (call && a->ops->close != NULL) {
			a->ops->close(op, a->priv);
		}
		talloc_free(a);
	}
}

void smbd_file_signal_delete_pending(struct smbd_file *f)
{
	size_t i = 0;

	for (i = 0; i < f->nopens; i++) {
		struct smbd_open *op = f->opens[i];
		struct smbd_open_att *a = NULL, *next = NULL;

		/* a callback may free its own attachment: take next first */
		for (a = op->atts; a != NULL; a = next) {
			next = a->next;
			if (a->ops->delete_pending != NULL) {
				a->ops->delete_pending(op, a->priv);
			}
		}
	}
}

/* ================================================================== */
/* Open lifecycle, continued                                           */
/* ================================================================== */

static void ghost_drop_open(struct smbd_open *op);

static void preserved_unlink(struct smbd_server *srv, struct smbd_open *op)
{
	if (op->prev != NULL) {
		op->prev->next = op->next;
	} else if (srv != NULL && srv->preserved == op) {
		srv->preserved = op->next;
	}
	if (op->next != NULL) {
		op->next->prev = op->prev;
	}
	op->prev = op->next = NULL;
	if (srv != NULL) {
		srv->npreserved--;
	}
	if (op->preserved && op->preserved_root >= 0) {
		close(op->preserved_root);
	}
	op->preserved_root = -1;
	op->preserved = false;
	TALLOC_FREE(op->durable_te);
	TALLOC_FREE(op->durable_im);
	ghost_drop_open(op);
}

/*
 * The order of a close, kept as it was before the attachments: parked
 * requests end, locks go (and waiters are told), delete-pending is
 * signalled, the fd is closed, the name is deleted or a print job
 * spooled, then the open leaves its file and the indexes. The stages
 * are run explicitly below; talloc frees op's children (its watch, its
 * QUERY_DIRECTORY state) only after this returns.
 */
int smbd_open_destructor(struct smbd_open *op)
{
	struct smbd_server *srv = open_srv(op);
	bool unlink_now = false;
	int held = -1;

	/* a written file or a name deleted now changes its directory:
	 * its leases break, but the one op's lease names as parent */
	smbd_dirlease_closing(op);
	/* its oplock goes first: requests waiting for its break go on
	 * (from the event loop, after this close) */
	smbd_oplock_release(op);
	smbd_lease_release(op);
	open_run_stage(op, SMBD_OPEN_STAGE_REQUESTS, true);
	if (op->file != NULL) {
		open_run_stage(op, SMBD_OPEN_STAGE_LOCKS, true);
		/* phase 1: its delete on close marks the file */
		if (!op->file->delete_pending && open_doc_applies(op)) {
			op->file->delete_pending = true;
			smbd_file_signal_delete_pending(op->file);
		}
		unlink_now = smbd_open_will_unlink(op);
	} else {
		/* no file, no locks: nothing to release */
		open_run_stage(op, SMBD_OPEN_STAGE_LOCKS, false);
	}
	/* Only file and directory opens own their fd: a pipe open made
	 * elsewhere may leave fd at 0 from talloc_zero. */
	if (op->fd >= 0 && op->file != NULL) {
		if (op->written && !unlink_now && srv != NULL) {
			/* fsync and close on a worker, not on the loop */
			smbd_workers_close_fd(srv->workers, op->fd, true);
		} else if (unlink_now && srv != NULL &&
			   smbd_fd_is_big(op->fd)) {
			/* its extents are freed on a worker, after the
			 * unlink: smbd_fd_is_big */
			held = op->fd;
		} else {
			close(op->fd);
		}
		op->fd = -1;
	}
	if (unlink_now) {
		open_unlink(op);
		if (held >= 0) {
			smbd_workers_close_fd(srv->workers, held, false);
		}
	} else {
		smbd_watch_closed(op);
	}
	open_run_stage(op, SMBD_OPEN_STAGE_KEPT, !unlink_now);
	while (op->atts != NULL) {
		/* attached during the stages above: dropped unrun */
		open_run_stage(op, op->atts->stage, false);
	}
	if (op->file != NULL) {
		file_detach(op);
	}
	if (op->fid_volatile != 0 && op->preserved) {
		if (srv != NULL && srv->open_index != NULL) {
			struct smbd_open_index *idx = srv->open_index;

			ptable_remove(&idx->opens, op);
		}
		preserved_unlink(srv, op);
		op->fid_volatile = 0;
	}
	if (op->fid_volatile != 0 && op->tree != NULL) {
		struct smbd_tree *t = op->tree;
		struct smbd_session *s = t->sess;

		if (srv != NULL && srv->open_index != NULL) {
			struct smbd_open_index *idx = srv->open_index;

			ptable_remove(&idx->opens, op);
		}
		if (op->prev != NULL) {
			op->prev->next = op->next;
		} else if (t->opens == op) {
			t->opens = op->next;
		}
		if (op->next != NULL) {
			op->next->prev = op->prev;
		}
		s->nopens--;
		s->conn->nopens--;
		op->fid_volatile = 0;
	}
	return 0;
}

NTSTATUS smbd_open_admit(struct smbd_session *s)
{
	struct smbd_conn *conn = s->conn;
	struct smbd_server *srv = conn->srv;
	size_t per_sess = 0;

	if (srv->cfg != NULL) {
		per_sess = srv->cfg->max_opens_per_session;
	}
	if (conn->nopens >= SMBD_MAX_OPENS_PER_CONN) {
		smbd_budget_hit(srv, conn, SMBD_BUDGET_OPENS,
				SMBD_MAX_OPENS_PER_CONN);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	if (per_sess != 0 && s->nopens >= per_sess) {
		smbd_budget_hit(srv, conn, SMBD_BUDGET_OPENS, per_sess);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	return NT_STATUS_OK;
}

/*
 * Assign ids, index op, hang it under tree (talloc parent and
 * tree->opens) and count it in the session and connection. From here on
 * talloc_free(op) undoes everything. Returns 0, -ENOMEM, or -EMFILE when
 * smbd_open_admit() refuses (counted and logged there): answer
 * NT_STATUS_INSUFFICIENT_RESOURCES.
 */
int smbd_open_register(struct smbd_tree *tree, struct smbd_open *op)
{
	struct smbd_session *s = tree->sess;
	struct smbd_conn *conn = s->conn;
	struct smbd_server *srv = conn->srv;
	struct smbd_open_index *idx = NULL;

	if (smbd_open_admit(s) != NT_STATUS_OK) {
		return -EMFILE;
	}
	idx = index_get(srv);
	if (idx == NULL) {
		return -ENOMEM;
	}
	if (srv->next_file_id == 0) {
		srv->next_file_id = 1;
	}
	op->fid_volatile = srv->next_file_id++;
	op->fid_persistent = op->fid_volatile;
	if (ptable_insert(idx, &idx->opens, op) != 0) {
		op->fid_volatile = 0;
		op->fid_persistent = 0;
		return -ENOMEM;
	}
	op->tree = tree;
	talloc_steal(tree, op);
	op->prev = NULL;
	op->next = tree->opens;
	if (tree->opens != NULL) {
		tree->opens->prev = op;
	}
	tree->opens = op;
	s->nopens++;
	conn->nopens++;
	talloc_set_destructor(op, smbd_open_destructor);
	return 0;
}

NTSTATUS smbd_open_close(struct smbd_open *op)
{
	NTSTATUS status = NT_STATUS_OK;

	if (op->written && op->fd >= 0 && !smbd_open_will_unlink(op)) {
		if (fsync(op->fd) != 0) {
			status = smbd_map_errno(errno);
		}
		op->written = false;
	}
	talloc_free(op);
	return status;
}

/* ================================================================== */
/* Durable opens                                                       */
/* ================================================================== */

bool smbd_open_durable_ok(const struct smbd_open *op)
{
	if (op->file == NULL || op->is_dir || op->pipe != NULL) {
		return false;
	}
	if (op->lease != NULL) {
		/* a lease caching handles, not breaking away from that */
		return smbd_lease_durable_ok(op);
	}
	return smbd_oplock_level(op) == SMB2_OPLOCK_LEVEL_BATCH &&
	       !smbd_oplock_breaking_open(op);
}

size_t smbd_open_preserved_count(struct smbd_server *srv, const char *addr)
{
	const struct smbd_open *op = NULL;
	size_t n = 0;

	for (op = srv->preserved; op != NULL; op = op->next) {
		if (addr == NULL || strcmp(op->owner_addr, addr) == 0) {
			n++;
		}
	}
	return n;
}

static void preserved_expire(struct tevent_context *ev,
			     struct tevent_timer *te, struct timeval now,
			     void *priv)
{
	struct smbd_open *op = priv;

	(void)ev;
	(void)te;
	(void)now;
	op->durable_te = NULL;	/* freed by tevent after this returns */
	DBG_NOTICE(VFS, "%s: durable open of %s not reclaimed in %u ms: "
		   "closed", op->owner_addr, op->path,
		   op->durable_timeout_ms);
	talloc_free(op);	/* flushes written data on a worker */
}

static void preserved_close_im(struct tevent_context *ev,
			       struct tevent_immediate *im, void *priv)
{
	struct smbd_open *op = priv;

	(void)ev;
	(void)im;
	op->durable_im = NULL;
	DBG_NOTICE(VFS, "%s: durable open of %s closed: another open "
		   "needs its oplock broken", op->owner_addr, op->path);
	talloc_free(op);
}

void smbd_open_preserved_close_soon(struct smbd_open *op)
{
	struct smbd_server *srv = open_srv(op);

	if (!op->preserved || op->durable_im != NULL || srv == NULL) {
		return;
	}
	op->durable_im = tevent_create_immediate(op);
	if (op->durable_im == NULL) {
		/* no memory: the timeout closes it */
		return;
	}
	tevent_schedule_immediate(op->durable_im, smbd_loop_ev(srv),
				  preserved_close_im, op);
}

/* ---- ghosts: the cap slots preserved opens keep ---- */

/* op is no longer preserved: the last one of its ghost frees it. */
static void ghost_drop_open(struct smbd_open *op)
{
	struct smbd_ghost *g = op->ghost;

	if (g == NULL) {
		return;
	}
	op->ghost = NULL;
	if (--g->nopens == 0) {
		DBG_INFO(SESS, "%s: the slot of ended session 0x%llx (%s) is "
			 "free: no durable open of it is left",
			 op->owner_addr, (unsigned long long)g->session_id,
			 g->anonymous ? "null session" : g->user);
		talloc_free(g);	/* frees the reservation: the slot */
	}
}

static int ghost_destructor(struct smbd_ghost *g)
{
	struct smbd_server *srv = g->srv;
	struct smbd_open *op = NULL;

	/* freed with the server: its opens may outlive it by a little */
	for (op = srv->preserved; g->nopens > 0 && op != NULL;
	     op = op->next) {
		if (op->ghost == g) {
			op->ghost = NULL;
			g->nopens--;
		}
	}
	if (g->prev != NULL) {
		g->prev->next = g->next;
	} else if (srv->ghosts == g) {
		srv->ghosts = g->next;
	}
	if (g->next != NULL) {
		g->next->prev = g->prev;
	}
	return 0;
}

/* s is ending with durable opens: its slot moves to a ghost. NULL: none. */
static struct smbd_ghost *ghost_new(struct smbd_server *srv,
				    struct smbd_session *s)
{
	struct smbd_ghost *g = NULL;

	if (s->ticket == NULL) {
		return NULL;	/* not admitted: no slot to keep */
	}
	g = talloc_zero(srv, struct smbd_ghost);
	if (g == NULL) {
		return NULL;	/* the slot goes with the session */
	}
	g->user = talloc_strdup(g, s->user != NULL ? s->user : "");
	g->domain = talloc_strdup(g, s->domain != NULL ? s->domain : "");
	if (g->user == NULL || g->domain == NULL) {
		talloc_free(g);
		return NULL;
	}
	g->srv = srv;
	g->session_id = s->id;
	g->anonymous = s->anonymous;
	g->guest = s->guest;
	g->dialect = s->conn->dialect;
	g->logon_time_nt = s->logon_time_nt;
	g->ticket = s->ticket;
	s->ticket = NULL;
	sm_reserve(g->ticket, g, g);
	g->next = srv->ghosts;
	if (srv->ghosts != NULL) {
		srv->ghosts->prev = g;
	}
	srv->ghosts = g;
	talloc_set_destructor(g, ghost_destructor);
	return g;
}

struct smbd_ghost *smbd_ghost_find(struct smbd_server *srv,
				   uint64_t session_id)
{
	struct smbd_ghost *g = NULL;

	for (g = srv->ghosts; g != NULL; g = g->next) {
		if (g->session_id == session_id) {
			return g;
		}
	}
	return NULL;
}

uint64_t smbd_ghost_secs_left(const struct smbd_ghost *g)
{
	const struct smbd_open *op = NULL;
	struct timeval now = tevent_timeval_current();
	int64_t best = 0;

	for (op = g->srv->preserved; op != NULL; op = op->next) {
		int64_t us = 0;

		if (op->ghost != g) {
			continue;
		}
		us = ((int64_t)op->preserved_until.tv_sec - now.tv_sec) *
		     1000000 + (op->preserved_until.tv_usec - now.tv_usec);
		if (us > best) {
			best = us;
		}
	}
	return (uint64_t)((best + 999999) / 1000000);
}

unsigned smbd_ghost_end(struct smbd_ghost *g)
{
	struct smbd_server *srv = g->srv;
	unsigned n = g->nopens, closed = 0;

	/* the last close frees g: count down, never look at g after it */
	while (closed < n) {
		struct smbd_open *op = srv->preserved;

		while (op != NULL && op->ghost != g) {
			op = op->next;
		}
		if (op == NULL) {
			break;
		}
		closed++;
		talloc_free(op);	/* flushes written data on a worker */
	}
	return closed;
}

/* Detach op from its tree, session and connection; keep it in srv. */
static void preserve_one(struct smbd_server *srv, struct smbd_open *op)
{
	struct smbd_tree *t = op->tree;
	struct smbd_session *s = t->sess;
	struct smbd_conn *conn = s->conn;
	uint32_t ms = op->durable_timeout_ms;

	op->durable_te = tevent_add_timer(smbd_loop_ev(srv), op,
					  tevent_timeval_current_ofs(
						  ms / 1000, (ms % 1000) * 1000),
					  preserved_expire, op);
	if (op->durable_te == NULL) {
		return;		/* closes with its session */
	}
	op->preserved_until = tevent_timeval_current_ofs(ms / 1000,
							 (ms % 1000) * 1000);
	/* requests parked on it are its connection's: they end now */
	open_run_stage(op, SMBD_OPEN_STAGE_REQUESTS, true);
	if (op->locks.total != NULL) {
		*op->locks.total -= op->locks.count;
		op->locks.total = NULL;
	}
	smbd_oplock_set_conn(op, NULL);
	smbd_lease_set_conn(op, NULL);	/* while op->tree is the old one */
	if (op->prev != NULL) {
		op->prev->next = op->next;
	} else if (t->opens == op) {
		t->opens = op->next;
	}
	if (op->next != NULL) {
		op->next->prev = op->prev;
	}
	s->nopens--;
	conn->nopens--;
	/* delete on close needs the share root after the tree is gone */
	op->preserved_root = t->root_fd >= 0 ?
			     fcntl(t->root_fd, F_DUPFD_CLOEXEC, 3) : -1;
	op->tree = NULL;
	op->preserved = true;
	op->prev = NULL;
	op->next = srv->preserved;
	if (srv->preserved != NULL) {
		srv->preserved->prev = op;
	}
	srv->preserved = op;
	srv->npreserved++;
	(void)talloc_steal(srv, op);
	DBG_INFO(VFS, "%s: durable open of %s preserved for %u ms",
		 op->owner_addr, op->path, ms);
}

/* Preserve the durable opens of s; have counts its client's so far. */
static void preserve_session(struct smbd_server *srv, struct smbd_session *s,
			     size_t *have)
{
	struct smbd_tree *t = NULL;
	struct smbd_ghost *g = NULL;

	for (t = s->trees; t != NULL; t = t->next) {
		struct smbd_open *op = t->opens, *next = NULL;

		for (; op != NULL; op = next) {
			next = op->next;
			if (!op->durable || !smbd_open_durable_ok(op)) {
				continue;
			}
			if (*have >= SMBD_MAX_DURABLE_PER_CLIENT) {
				smbd_budget_hit(srv, s->conn,
						SMBD_BUDGET_DURABLE,
						SMBD_MAX_DURABLE_PER_CLIENT);
				continue;
			}
			preserve_one(srv, op);
			if (!op->preserved) {
				continue;
			}
			(*have)++;
			/* the session's slot stays while its opens wait */
			if (g == NULL) {
				g = ghost_new(srv, s);
			}
			if (g != NULL) {
				op->ghost = g;
				g->nopens++;
			}
		}
	}
}

void smbd_opens_preserve_conn(struct smbd_conn *conn)
{
	struct smbd_server *srv = conn->srv;
	struct smbd_session *s = NULL;
	size_t have = 0;

	if (srv == NULL || srv->shutting_down) {
		return;
	}
	have = smbd_open_preserved_count(srv, conn->peer_addr);
	for (s = conn->sessions; s != NULL; s = s->next) {
		preserve_session(srv, s, &have);
	}
}

void smbd_opens_preserve_session(struct smbd_session *s)
{
	struct smbd_server *srv = s->conn->srv;
	size_t have = 0;

	if (srv == NULL || srv->shutting_down) {
		return;
	}
	have = smbd_open_preserved_count(srv, s->conn->peer_addr);
	preserve_session(srv, s, &have);
}

struct smbd_open *smbd_open_preserved_find(struct smbd_server *srv,
					   uint64_t fid_p)
{
	struct smbd_open *op = NULL;

	for (op = srv->preserved; op != NULL; op = op->next) {
		if (op->fid_persistent == fid_p && op->durable_im == NULL) {
			return op;
		}
	}
	return NULL;
}

NTSTATUS smbd_open_reattach(struct smbd_open *op, struct smbd_tree *tree)
{
	struct smbd_session *s = tree->sess;
	struct smbd_conn *conn = s->conn;
	struct smbd_server *srv = conn->srv;
	NTSTATUS status = smbd_open_admit(s);

	if (status != NT_STATUS_OK) {
		return status;
	}
	preserved_unlink(srv, op);
	op->tree = tree;
	(void)talloc_steal(tree, op);
	op->prev = NULL;
	op->next = tree->opens;
	if (tree->opens != NULL) {
		tree->opens->prev = op;
	}
	tree->opens = op;
	s->nopens++;
	conn->nopens++;
	if (op->locks.count > 0) {
		op->locks.total = &conn->nlocks;
		conn->nlocks += op->locks.count;
	}
	smbd_oplock_set_conn(op, conn);
	smbd_lease_set_conn(op, conn);
	memcpy(op->client_guid, conn->client_guid, 16);
	return NT_STATUS_OK;
}

void smbd_opens_preserved_close_all(struct smbd_server *srv)
{
	while (srv->preserved != NULL) {
		talloc_free(srv->preserved);
	}
}
