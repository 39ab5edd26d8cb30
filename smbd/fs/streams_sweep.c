/*
 * streams_sweep.c - reclaim the streams of files removed outside the
 * server (see streams_sweep.h).
 */
#include "smbd/fs/streams_sweep.h"
#include "smbd/fs/streams.h"
#include "smbd/fs/workers.h"
#include "smbd/smbd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SWEEP_FIRST_MS		2000	/* after start */
#define SWEEP_CONFIRM_MS	60000	/* at most, after suspects */
#define SWEEP_MAX_ENTRIES	4000000
#define SWEEP_MAX_DEPTH		64

/* A per-file directory of a store, and what the walk found of it. */
struct sweep_dir {
	uint64_t share;		/* hash of the share's path */
	dev_t dev;
	ino_t ino;
	struct timespec ctime;	/* of the directory when listed */
	char marker[STREAMS_GEN_MAX];	/* "" when it has none */
	bool alive;		/* its file was found */
};

/* The job: worker-owned while it runs (malloc'ed arrays, no talloc). */
struct sweep_job {
	char **paths;		/* disk share paths, children of the job */
	size_t npaths;
	struct sweep_dir *prev;	/* last sweep's suspects (malloc) */
	size_t nprev;
	struct sweep_dir *sus;	/* this sweep's (malloc), handed back */
	size_t nsus;
	uint64_t reclaimed;	/* streams removed */
	size_t dirs;		/* per-file directories removed */
};

struct streams_sweep {
	struct smbd_server *srv;
	struct tevent_timer *te;
	struct tevent_req *job;
	struct sweep_dir *sus;	/* malloc */
	size_t nsus;
};

static uint64_t path_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

/* ---- on the worker ---- */

/* Parse a store entry "<dev>-<ino>" (hex). */
static bool parse_key(const char *name, dev_t *dev, ino_t *ino)
{
	unsigned long long d = 0, i = 0;
	char *end = NULL;

	errno = 0;
	d = strtoull(name, &end, 16);
	if (end == name || *end != '-' || errno != 0) {
		return false;
	}
	name = end + 1;
	i = strtoull(name, &end, 16);
	if (end == name || *end != '\0' || errno != 0) {
		return false;
	}
	*dev = (dev_t)d;
	*ino = (ino_t)i;
	return true;
}

/* The marker of per-file directory name in the store sfd ("" if none). */
static void dir_marker(int sfd, const char *name, char *out, size_t len)
{
	struct dirent *de = NULL;
	DIR *d = NULL;
	int fd = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);

	out[0] = '\0';
	if (fd < 0) {
		return;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (strncmp(de->d_name, ":gen-", 5) == 0 && n < len) {
			memcpy(out, de->d_name, n + 1);
			break;
		}
	}
	closedir(d);
}

static int dir_cmp(const void *a, const void *b)
{
	const struct sweep_dir *x = a, *y = b;

	if (x->ino != y->ino) {
		return x->ino < y->ino ? -1 : 1;
	}
	if (x->dev != y->dev) {
		return x->dev < y->dev ? -1 : 1;
	}
	return 0;
}

/* The per-file directories of store sfd, sorted by inode (malloc). */
static struct sweep_dir *list_store(int sfd, uint64_t share, size_t *n)
{
	struct sweep_dir *v = NULL;
	struct dirent *de = NULL;
	DIR *d = NULL;
	int fd = dup(sfd);

	*n = 0;
	if (fd < 0) {
		return NULL;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		struct sweep_dir e = { .share = share };
		struct sweep_dir *nv = NULL;
		struct stat st;

		if (!parse_key(de->d_name, &e.dev, &e.ino) ||
		    fstatat(sfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode)) {
			continue;
		}
		e.ctime = st.st_ctim;
		dir_marker(sfd, de->d_name, e.marker, sizeof(e.marker));
		nv = realloc(v, (*n + 1) * sizeof(*v));
		if (nv == NULL) {
			break;
		}
		v = nv;
		v[(*n)++] = e;
	}
	closedir(d);
	if (v != NULL) {
		qsort(v, *n, sizeof(*v), dir_cmp);
	}
	return v;
}

struct walk {
	struct sweep_dir *v;
	size_t n;
	size_t entries;
	bool cut;		/* a bound was reached */
};

static int ino_cmp(const void *a, const void *b)
{
	const struct sweep_dir *x = a, *y = b;

	return x->ino == y->ino ? 0 : x->ino < y->ino ? -1 : 1;
}

/*
 * Entry name of directory dfd ("" and AT_EMPTY_PATH: dfd itself), inode
 * ino: is it the file of a per-file directory, the same generation?
 * Only an inode some directory is keyed by costs a stat.
 */
static void walk_check(struct walk *w, int dfd, const char *name, ino_t ino)
{
	struct sweep_dir key = { .ino = ino };
	struct sweep_dir *hit = NULL;
	char marker[STREAMS_GEN_MAX];
	struct stat st;
	size_t i = 0;

	if (w->n == 0 ||
	    bsearch(&key, w->v, w->n, sizeof(*w->v), ino_cmp) == NULL) {
		return;
	}
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW |
		    (name[0] == '\0' ? AT_EMPTY_PATH : 0)) != 0) {
		return;
	}
	key.dev = st.st_dev;
	key.ino = st.st_ino;
	hit = bsearch(&key, w->v, w->n, sizeof(*w->v), dir_cmp);
	if (hit == NULL) {
		return;
	}
	streams_gen_marker(dfd, name, marker, sizeof(marker));
	i = (size_t)(hit - w->v);
	if (strcmp(w->v[i].marker, marker) == 0) {
		w->v[i].alive = true;
	}
}

/* Walk directory dfd (taken over, closed here) depth first. */
static void walk_dir(struct walk *w, int dfd, unsigned depth)
{
	struct dirent *de = NULL;
	DIR *d = fdopendir(dfd);

	if (d == NULL) {
		close(dfd);
		w->cut = true;
		return;
	}
	while (!w->cut && (de = readdir(d)) != NULL) {
		bool isdir = de->d_type == DT_DIR;
		struct stat st;
		int sub = -1;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, STREAMS_STORE) == 0) {
			continue;
		}
		if (++w->entries > SWEEP_MAX_ENTRIES) {
			w->cut = true;
			break;
		}
		if (!isdir && de->d_type != DT_UNKNOWN) {
			walk_check(w, dirfd(d), de->d_name, de->d_ino);
			continue;
		}
		if (de->d_type == DT_UNKNOWN &&
		    fstatat(dirfd(d), de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) == 0) {
			isdir = S_ISDIR(st.st_mode);
		}
		if (!isdir) {
			walk_check(w, dirfd(d), de->d_name, de->d_ino);
			continue;
		}
		if (depth >= SWEEP_MAX_DEPTH) {
			w->cut = true;
			break;
		}
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
			     O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			if (errno != ENOENT) {
				w->cut = true;	/* unreadable: cannot tell */
			}
			continue;
		}
		/* its own inode (d_ino of a mount point is not) */
		if (fstat(sub, &st) == 0) {
			walk_check(w, sub, "", st.st_ino);
		}
		walk_dir(w, sub, depth + 1);
	}
	closedir(d);
}

/* Was e a suspect of the last sweep, its directory unchanged since? */
static bool confirmed(const struct sweep_job *j, const struct sweep_dir *e)
{
	size_t i = 0;

	for (i = 0; i < j->nprev; i++) {
		const struct sweep_dir *p = &j->prev[i];

		if (p->share == e->share && p->dev == e->dev &&
		    p->ino == e->ino && p->ctime.tv_sec == e->ctime.tv_sec &&
		    p->ctime.tv_nsec == e->ctime.tv_nsec &&
		    strcmp(p->marker, e->marker) == 0) {
			return true;
		}
	}
	return false;
}

/* How many streams the per-file directory name of sfd holds. */
static size_t count_streams(int sfd, const char *name)
{
	struct dirent *de = NULL;
	size_t n = 0;
	DIR *d = NULL;
	int fd = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);

	if (fd < 0) {
		return 0;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != ':' && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			n++;
		}
	}
	closedir(d);
	return n;
}

/* Remove e's directory if it is still as listed. */
static void reclaim(struct sweep_job *j, int root, int sfd,
		    const struct sweep_dir *e)
{
	char key[64];
	struct stat st;
	size_t n = 0;

	snprintf(key, sizeof(key), "%llx-%llx", (unsigned long long)e->dev,
		 (unsigned long long)e->ino);
	if (fstatat(sfd, key, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    st.st_ctim.tv_sec != e->ctime.tv_sec ||
	    st.st_ctim.tv_nsec != e->ctime.tv_nsec) {
		return;	/* changed meanwhile: a stream of a live file */
	}
	n = count_streams(sfd, key);
	if (streams_remove_all(root, e->dev, e->ino) == 0) {
		j->reclaimed += n;
		j->dirs++;
	}
}

/* Keep e as a suspect for the next sweep. */
static void suspect(struct sweep_job *j, const struct sweep_dir *e)
{
	struct sweep_dir *nv = realloc(j->sus, (j->nsus + 1) * sizeof(*nv));

	if (nv != NULL) {
		j->sus = nv;
		j->sus[j->nsus++] = *e;
	}
}

static void sweep_share(struct sweep_job *j, const char *path)
{
	uint64_t share = path_hash(path);
	struct walk w = {};
	struct stat st;
	size_t i = 0;
	int root = -1, sfd = -1, top = -1;

	root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		return;
	}
	sfd = openat(root, STREAMS_STORE, O_RDONLY | O_DIRECTORY |
		     O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0) {
		goto out;
	}
	w.v = list_store(sfd, share, &w.n);
	if (w.n == 0) {
		goto out;
	}
	if (fstat(root, &st) == 0) {
		walk_check(&w, root, "", st.st_ino);	/* the root itself */
	}
	top = dup(root);
	if (top < 0) {
		goto out;
	}
	walk_dir(&w, top, 0);
	if (w.cut) {
		goto out;	/* an orphan could be a file not seen */
	}
	for (i = 0; i < w.n; i++) {
		if (w.v[i].alive) {
			continue;
		}
		if (confirmed(j, &w.v[i])) {
			reclaim(j, root, sfd, &w.v[i]);
		} else {
			suspect(j, &w.v[i]);
		}
	}
out:
	free(w.v);
	if (sfd >= 0) {
		close(sfd);
	}
	close(root);
}

static int sweep_job_run(void *arg)
{
	struct sweep_job *j = arg;
	size_t i = 0;

	for (i = 0; i < j->npaths; i++) {
		sweep_share(j, j->paths[i]);
	}
	return 0;
}

/* ---- on the loop ---- */

static void sweep_arm(struct streams_sweep *s, uint32_t ms);
static void sweep_done(struct tevent_req *subreq);

static int job_destructor(struct sweep_job *j)
{
	free(j->prev);
	free(j->sus);
	return 0;
}

static void sweep_run(struct tevent_context *ev, struct tevent_timer *te,
		      struct timeval now, void *priv)
{
	struct streams_sweep *s = priv;
	const struct wg_config *cfg = s->srv->cfg;
	struct sweep_job *j = talloc_zero(s, struct sweep_job);
	size_t i = 0;

	s->te = NULL;
	if (j == NULL) {
		goto again;
	}
	talloc_set_destructor(j, job_destructor);
	j->paths = talloc_zero_array(j, char *, cfg->nshares);
	for (i = 0; j->paths != NULL && i < cfg->nshares; i++) {
		if (cfg->shares[i].type != WG_SHARE_DISK) {
			continue;
		}
		j->paths[j->npaths] = talloc_strdup(j->paths,
						    cfg->shares[i].path);
		if (j->paths[j->npaths] != NULL) {
			j->npaths++;
		}
	}
	/* the suspects go to the job; it hands back the new ones */
	j->prev = s->sus;
	j->nprev = s->nsus;
	s->sus = NULL;
	s->nsus = 0;
	s->job = smbd_job_send(s, s->srv->ev, s->srv->sweep_workers, NULL,
			       sweep_job_run, j);
	if (s->job == NULL) {
		talloc_free(j);
		goto again;
	}
	tevent_req_set_callback(s->job, sweep_done, s);
	return;
again:
	sweep_arm(s, s->srv->cfg->streams_sweep_ms);
}

static void sweep_done(struct tevent_req *subreq)
{
	struct streams_sweep *s = tevent_req_callback_data(
		subreq, struct streams_sweep);
	struct sweep_job *j = NULL;
	uint32_t next = s->srv->cfg->streams_sweep_ms;

	(void)smbd_job_recv(subreq, s, (void **)&j);
	TALLOC_FREE(subreq);
	s->job = NULL;
	if (j != NULL) {
		s->sus = j->sus;
		s->nsus = j->nsus;
		j->sus = NULL;
		if (j->reclaimed > 0 || j->dirs > 0) {
			s->srv->stats.streams_reclaimed += j->reclaimed;
			WG_LOG_RL(WG_LOG_NOTICE, WG_CLS_VFS,
				  "reclaimed %llu streams of %zu files "
				  "removed outside the server",
				  (unsigned long long)j->reclaimed, j->dirs);
		}
		talloc_free(j);
	}
	if (s->nsus > 0 && next > SWEEP_CONFIRM_MS) {
		next = SWEEP_CONFIRM_MS;	/* confirm them soon */
	}
	sweep_arm(s, next);
}

static void sweep_arm(struct streams_sweep *s, uint32_t ms)
{
	if (ms == 0 || s->srv->shutting_down) {
		return;	/* switched off */
	}
	s->te = tevent_add_timer(s->srv->ev, s,
				 tevent_timeval_current_ofs(ms / 1000,
							    (ms % 1000) *
							    1000),
				 sweep_run, s);
}

static int sweep_destructor(struct streams_sweep *s)
{
	free(s->sus);
	return 0;
}

int streams_sweep_start(struct smbd_server *srv)
{
	struct streams_sweep *s = NULL;

	if (srv->cfg->streams_sweep_ms == 0) {
		return 0;
	}
	s = talloc_zero(srv, struct streams_sweep);
	if (s == NULL) {
		return -ENOMEM;
	}
	s->srv = srv;
	talloc_set_destructor(s, sweep_destructor);
	sweep_arm(s, srv->cfg->streams_sweep_ms < SWEEP_FIRST_MS ?
		     srv->cfg->streams_sweep_ms : SWEEP_FIRST_MS);
	return s->te != NULL ? 0 : -ENOMEM;
}
