/*
 * querydir.c - SMB2 QUERY_DIRECTORY [MS-SMB2 §2.2.33, §3.3.5.18,
 * MS-FSCC §2.4, MS-FSA §2.1.5.6.3].
 *
 * Model: a cursor, not a snapshot. Each directory open keeps only its
 * enumeration state (struct smbd_dirstate, a talloc child of the open):
 * the search pattern, fixed by the first query and by any query with
 * RESTART_SCANS or REOPEN, and a position: "." first, then "..", then
 * (for a pattern without wildcards) the exact name, then the directory
 * stream from a getdents64 offset cookie. Nothing a client has not
 * received yet is kept between queries, so a file deleted meanwhile is
 * not listed and sizes and times are current.
 *
 * Every query runs on the server's scan pool (srv->scan_workers: two
 * threads, workers.h), owned by its client computer, in
 * slices: one job opens its own file description of the directory,
 * seeks to the cookie, and reads, filters and stats entries until the
 * reply buffer (OutputBufferLength capped by MaxTransactSize) would
 * overflow, computing each record's exact size, or until it has
 * examined QD_SLICE_DIRENTS entries, spent QD_SLICE_NS or filled
 * QD_JOB_MEM bytes of output. The job malloc()s its result (workers never touch talloc); the
 * loop formats it into the reply and, if the buffer has room and the
 * directory is not exhausted, queues the next slice. So a huge
 * directory holds a thread only for a slice at a time and other
 * computers' scans interleave; a query whose request is freed
 * (connection closed) queues nothing more.
 *
 * Queries on one open run one at a time, in arrival order (the others
 * wait on the dirstate). A running query owns a copy of the pattern and
 * cursor and its own fds, so if the open is closed under it (a CLOSE
 * right behind it in a compound) it still answers from its own result;
 * queries still waiting then get FILE_CLOSED.
 *
 * Memory: each dirstate and each query in progress (with its job's
 * output reservation) is counted in conn->dir_memory against
 * max_dir_memory; over that budget a query fails with
 * INSUFFICIENT_RESOURCES (SMBD_BUDGET_DIR_MEMORY). Patterns longer than
 * QD_PATTERN_MAX UTF-16 units get OBJECT_NAME_INVALID
 * (SMBD_BUDGET_PATTERN).
 *
 * Entries left out of listings: names that are not valid UTF-8 or hold a
 * character Windows forbids in names ('\\', ':', '*', '?', '"', '<', '>',
 * '|', controls) since no client could open them; anything but regular
 * files and directories (FIFOs, sockets, devices); symlinks whose target
 * is missing or outside the share (a symlink is listed as what it
 * points to). On a share with `access based share enum`, entries the
 * session may not read (fs/acl.h smbd_acl_list_visible) are left out
 * too: the job lists them, the loop drops them from its result (the
 * descriptor cache lives on the loop) and moves the cursor past them, so
 * resuming works and a slice whose entries were all hidden is followed
 * by the next one, not by NO_MORE_FILES.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "smbd/smbd.h"
#include "smbd/loop.h"
#include "smbd/smb2/cmd/cmd.h"
#include "smbd/base/errmap.h"
#include "smbd/budget.h"
#include "smbd/fs/acl.h"
#include "smbd/fs/ea.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/shortname.h"
#include "smbd/fs/vfs.h"
#include "smbd/fs/workers.h"
#include "proto/fscc.h"
#include "proto/utf16.h"

/* QUERY_DIRECTORY response: StructureSize 9, offset, length, buffer. */
#define QD_RESP_FIXED	8
/* Windows' short names are at most 12 UTF-16 characters. */
#define SHORT_NAME_BYTES 24
/* Longest search pattern accepted, in UTF-16 units (a name's limit). */
#define QD_PATTERN_MAX	255
/* Directory entries one job examines before it hands back ... */
#define QD_SLICE_DIRENTS 4096
/* ... or worker time it spends (checked every QD_CLOCK_EVERY entries), so
 * a slow pattern frees the worker as often as a fast one. */
#define QD_SLICE_NS	(5u * 1000 * 1000)
#define QD_CLOCK_EVERY	32
/* Bytes of output (entries and names) one job may malloc(). */
#define QD_JOB_MEM	(64u * 1024)
/* getdents64 buffer of a job */
#define QD_DENTS_BUF	(16u * 1024)
/* What an access-based enumeration checker holds (a token, a path, the
 * folder's descriptor), counted roughly. */
#define QD_ABE_MEM	(8u * 1024)

/* Byte count of each class's record before its FileName. */
static uint32_t qd_fixed_size(uint8_t cls)
{
	switch (cls) {
	case FileDirectoryInformation:
		return 64;
	case FileFullDirectoryInformation:
		return 68;
	case FileBothDirectoryInformation:
		return 94;
	case FileNamesInformation:
		return 12;
	case FileIdBothDirectoryInformation:
		return 104;
	case FileIdFullDirectoryInformation:
		return 80;
	default:
		return 0;
	}
}


/* ---- the cursor ---- */

enum qd_phase {
	QD_DOT = 0,	/* "." next */
	QD_DOTDOT,	/* ".." next */
	QD_EXACT,	/* the pattern as a name (no wildcards) */
	QD_READDIR,	/* the directory stream from off */
	QD_DONE,
};

struct qd_cursor {
	enum qd_phase phase;
	int64_t off;		/* getdents64 cookie (QD_READDIR) */
};

struct qd_state;

/*
 * One open's enumeration state: a talloc child of the open, counted in
 * conn->dir_memory (charge) until freed.
 */
struct smbd_dirstate {
	struct smbd_conn *conn;
	char *pattern;		/* NULL until the first query */
	struct qd_cursor cur;
	bool answered;		/* a query since the pattern was set */
	size_t charge;
	struct qd_state *running;	/* the query in progress */
	struct qd_state *wait_head, *wait_tail;	/* queued behind it */
};

/* ---- the job, on a worker thread: plain C, malloc only ---- */

struct qd_ent {
	struct smbd_ntinfo ni;
	uint32_t name_off;	/* into qd_job.names */
	uint32_t name16_len;	/* UTF-16LE bytes */
};

/*
 * The job's argument (a talloc object made on the loop) and its result
 * (what the worker adds is malloc()ed, freed by the destructor).
 */
struct qd_job {
	/* in */
	int dir_fd;		/* dup of the open's fd; closed with us */
	int root_fd;		/* dup of the share root */
	const char *path;	/* the directory, share-relative */
	const char *pattern;
	uint32_t fixed;		/* record size before FileName */
	uint32_t budget;	/* reply buffer bytes */
	size_t used;		/* of it, taken by earlier slices */
	bool have_prev;		/* an entry is in the reply already */
	bool single;		/* RETURN_SINGLE_ENTRY */
	/* in and out */
	struct qd_cursor cur;
	/* out */
	struct qd_ent *ents;	/* malloc() */
	size_t nents, cap;
	char *names;		/* malloc(): NUL-terminated names */
	size_t names_len, names_cap;
	bool full;		/* the next entry does not fit the reply */
	bool overflow;		/* ents[0] alone does not fit: send a part */
	struct qd_cursor ovf_next;	/* the cursor past that entry */
	struct timespec slice_end;	/* CLOCK_MONOTONIC */
};

/* Is this job's time slice over? */
static bool qd_slice_over(const struct qd_job *j)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > j->slice_end.tv_sec ||
	       (now.tv_sec == j->slice_end.tv_sec &&
		now.tv_nsec >= j->slice_end.tv_nsec);
}

static int qd_job_destructor(struct qd_job *j)
{
	if (j->dir_fd >= 0) {
		close(j->dir_fd);
		j->dir_fd = -1;
	}
	if (j->root_fd >= 0) {
		close(j->root_fd);
		j->root_fd = -1;
	}
	free(j->ents);
	free(j->names);
	return 0;
}

static const char *qd_ent_name(const struct qd_job *j, const struct qd_ent *e)
{
	return j->names + e->name_off;
}

/* Names a Windows client can neither show nor open are left out. */
static bool name_is_windows_legal(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || strchr("\\:*?\"<>|", *p) != NULL) {
			return false;
		}
	}
	return true;
}


static bool pattern_has_wildcards(const char *pattern)
{
	return strpbrk(pattern, "*?<>\"") != NULL;
}

/* The reply bytes an entry takes when added after `used` bytes. */
static size_t qd_ent_end(const struct qd_job *j, size_t used,
			 uint32_t name16_len)
{
	size_t pos = (used + 7) & ~(size_t)7;

	return pos + j->fixed + name16_len;
}

enum qd_add {
	QD_ADDED = 0,
	QD_SKIPPED,	/* not listable: go on */
	QD_STOP,	/* reply or output full: leave it for later */
};

/*
 * Add one entry if it fits the reply: otherwise stop, except that an
 * entry that alone does not fit an empty reply is returned flagged
 * overflow (its fixed part and a part of its name go out with
 * BUFFER_OVERFLOW, and the cursor stays on it). Errors: -ENOMEM.
 */
static int qd_job_add(struct qd_job *j, const char *name,
		      const struct smbd_ntinfo *ni, enum qd_add *res)
{
	size_t nlen = strlen(name) + 1;
	size_t u16 = utf16_len_of_utf8(name);
	size_t mem = (j->nents + 1) * sizeof(struct qd_ent) + j->names_len +
		     nlen;
	struct qd_ent *e = NULL;

	*res = QD_SKIPPED;
	if (u16 == 0 || u16 > UINT16_MAX) {
		return 0;	/* malformed UTF-8: skip */
	}
	*res = QD_STOP;
	if (j->single && (j->have_prev || j->nents > 0)) {
		return 0;
	}
	if (j->nents > 0 && mem > QD_JOB_MEM) {
		return 0;
	}
	if (qd_ent_end(j, j->used, (uint32_t)u16) > j->budget) {
		if (j->have_prev || j->nents > 0) {
			j->full = true;
			return 0;
		}
		j->overflow = true;
	}
	if (j->nents == j->cap) {
		size_t ncap = j->cap == 0 ? 32 : j->cap * 2;
		struct qd_ent *n = realloc(j->ents, ncap * sizeof(*n));

		if (n == NULL) {
			return -ENOMEM;
		}
		j->ents = n;
		j->cap = ncap;
	}
	if (j->names_cap - j->names_len < nlen) {
		size_t ncap = j->names_cap == 0 ? 1024 : j->names_cap;
		char *n = NULL;

		while (ncap - j->names_len < nlen) {
			ncap *= 2;
		}
		n = realloc(j->names, ncap);
		if (n == NULL) {
			return -ENOMEM;
		}
		j->names = n;
		j->names_cap = ncap;
	}
	e = &j->ents[j->nents++];
	e->name_off = (uint32_t)j->names_len;
	e->name16_len = (uint32_t)u16;
	e->ni = *ni;
	memcpy(j->names + j->names_len, name, nlen);
	j->names_len += nlen;
	if (!j->overflow) {
		j->used = qd_ent_end(j, j->used, (uint32_t)u16);
		*res = QD_ADDED;
	}
	return 0;
}

/*
 * stat one directory entry the way a client will see it. Symlinks are
 * followed, but only beneath the share root. Returns 0 if the entry is
 * to be listed, -1 if not.
 */
static int qd_job_stat(struct qd_job *j, int dfd, const char *name,
		       struct smbd_ntinfo *ni)
{
	struct smbd_stat sx = {};
	char rel[PATH_MAX];
	int fd = -1;
	int n = 0;

	if (smbd_stat_at(dfd, name, AT_SYMLINK_NOFOLLOW, &sx) != 0) {
		return -1;
	}
	if (S_ISLNK(sx.st.st_mode)) {
		n = snprintf(rel, sizeof(rel), "%s%s%s", j->path,
			     j->path[0] != '\0' ? "/" : "", name);
		if (n < 0 || (size_t)n >= sizeof(rel)) {
			return -1;
		}
		fd = vfs_open_beneath(j->root_fd, rel, O_PATH | O_CLOEXEC, 0);
		if (fd < 0) {
			return -1;
		}
		n = smbd_stat_fd(fd, &sx);
		close(fd);
		if (n != 0) {
			return -1;
		}
	}
	if (!S_ISREG(sx.st.st_mode) && !S_ISDIR(sx.st.st_mode)) {
		return -1;
	}
	smbd_ntinfo_fill(&sx, name, ni);
	if (j->fixed > 64) {	/* the classes with an EaSize */
		/* remembered against the entry's own stat, not a target's */
		ni->ea_size = smbd_ea_size_at_st(dfd, name,
						 fd < 0 ? &sx.st : NULL);
	}
	return 0;
}

/* "." is the directory itself, ".." its parent (the root's is itself). */
static int qd_job_dot(struct qd_job *j, int dfd, bool dotdot,
		      enum qd_add *res)
{
	struct smbd_ntinfo ni = {};
	const char *leaf = NULL;
	int pfd = -1;
	int ret = 0;

	*res = QD_SKIPPED;
	if (!vfs_wildcard_match(j->pattern, dotdot ? ".." : ".")) {
		return 0;
	}
	if (!dotdot) {
		ret = smbd_ntinfo_fd(dfd, ".", &ni);
		if (ret != 0) {
			return ret;
		}
		return qd_job_add(j, ".", &ni, res);
	}
	if (j->path[0] == '\0') {
		ret = smbd_ntinfo_fd(dfd, "..", &ni);
	} else {
		pfd = vfs_open_parent(j->root_fd, j->path, &leaf);
		if (pfd < 0) {
			return 0;	/* parent gone: list no ".." */
		}
		ret = smbd_ntinfo_fd(pfd, "..", &ni);
		close(pfd);
	}
	if (ret != 0) {
		return 0;
	}
	return qd_job_add(j, "..", &ni, res);
}

/* The phase after ".." for this pattern. */
static void qd_after_dots(struct qd_job *j)
{
	if (strcmp(j->pattern, ".") == 0 || strcmp(j->pattern, "..") == 0) {
		j->cur.phase = QD_DONE;
	} else if (!pattern_has_wildcards(j->pattern) &&
		   name_is_windows_legal(j->pattern)) {
		j->cur.phase = QD_EXACT;
	} else {
		j->cur.phase = QD_READDIR;
		j->cur.off = 0;
	}
}

/*
 * Read the directory stream from the cursor until the reply is full,
 * the stream ends or *budget entries have been examined. The cursor
 * moves past every entry consumed, never past one left for later.
 */
static int qd_job_readdir(struct qd_job *j, int dfd, unsigned *budget)
{
	char buf[QD_DENTS_BUF] __attribute__((aligned(8)));
	struct smbd_ntinfo ni = {};
	enum qd_add res = QD_SKIPPED;
	ssize_t n = 0;
	size_t pos = 0;
	int ret = 0;

	if (lseek(dfd, (off_t)j->cur.off, SEEK_SET) < 0) {
		return -errno;
	}
	while (*budget > 0) {
		n = getdents64(dfd, buf, sizeof(buf));
		if (n < 0) {
			return -errno;
		}
		if (n == 0) {
			j->cur.phase = QD_DONE;
			return 0;
		}
		for (pos = 0; pos < (size_t)n && *budget > 0;) {
			struct dirent64 *de = (struct dirent64 *)(buf + pos);

			pos += de->d_reclen;
			(*budget)--;
			if (*budget % QD_CLOCK_EVERY == 0 && qd_slice_over(j)) {
				*budget = 0;	/* this entry is the last */
			}
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0 &&
			    name_is_windows_legal(de->d_name) &&
			    vfs_wildcard_match(j->pattern, de->d_name) &&
			    qd_job_stat(j, dfd, de->d_name, &ni) == 0) {
				ret = qd_job_add(j, de->d_name, &ni, &res);
				j->ovf_next = (struct qd_cursor){
					.phase = QD_READDIR, .off = de->d_off,
				};
				if (ret != 0 || res == QD_STOP ||
				    j->overflow) {
					return ret;
				}
			}
			j->cur.off = de->d_off;
		}
		if (pos < (size_t)n) {
			/* slice over mid-buffer: seek back next time */
			return 0;
		}
	}
	return 0;
}

/* The job: runs on a worker thread. Returns 0 or -errno. */
static int qd_job_run(void *arg)
{
	struct qd_job *j = arg;
	struct smbd_ntinfo ni = {};
	enum qd_add res = QD_SKIPPED;
	unsigned budget = QD_SLICE_DIRENTS;
	int dfd = -1;
	int ret = 0;

	clock_gettime(CLOCK_MONOTONIC, &j->slice_end);
	j->slice_end.tv_nsec += QD_SLICE_NS;
	if (j->slice_end.tv_nsec >= 1000000000L) {
		j->slice_end.tv_sec++;
		j->slice_end.tv_nsec -= 1000000000L;
	}
	/* our own file description: its offset is ours to move */
	dfd = openat(j->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		return -errno;
	}
	while (ret == 0 && res != QD_STOP && !j->overflow && budget > 0 &&
	       j->cur.phase != QD_DONE) {
		res = QD_SKIPPED;
		switch (j->cur.phase) {
		case QD_DOT:
		case QD_DOTDOT:
			ret = qd_job_dot(j, dfd, j->cur.phase == QD_DOTDOT,
					 &res);
			if (ret != 0 || res == QD_STOP || j->overflow) {
				break;
			}
			if (j->cur.phase == QD_DOT) {
				j->cur.phase = QD_DOTDOT;
			} else {
				qd_after_dots(j);
			}
			break;
		case QD_EXACT:
			/* found as given: that is the one entry */
			if (qd_job_stat(j, dfd, j->pattern, &ni) != 0) {
				j->cur.phase = QD_READDIR;
				j->cur.off = 0;
				break;
			}
			ret = qd_job_add(j, j->pattern, &ni, &res);
			j->ovf_next.phase = QD_DONE;
			if (ret == 0 && res != QD_STOP && !j->overflow) {
				j->cur.phase = QD_DONE;
			}
			break;
		case QD_READDIR:
			ret = qd_job_readdir(j, dfd, &budget);
			res = j->full ? QD_STOP : res;
			budget = j->cur.phase == QD_DONE ? budget : 0;
			break;
		default:
			break;
		}
		if (j->single && j->nents > 0) {
			break;
		}
	}
	close(dfd);
	return ret;
}

/* ---- formatting ---- */

struct qd_args {
	uint8_t cls;
	uint8_t flags;
	uint64_t fid_p, fid_v;
	uint16_t name_off, name_len;
	uint32_t out_len;
};

/* ShortName [MS-FSCC §2.4.8]: empty for a name that is 8.3 already. */
static void put_short_name(struct wire_wr *w, const char *name)
{
	char sn[SMBD_SHORT_NAME_MAX + 1];
	size_t len = 0;

	if (!smbd_is_8dot3(name)) {
		len = smbd_short_name(name, sn);
	}
	wire_put_u8(w, (uint8_t)(2 * len));	/* ShortNameLength */
	wire_put_u8(w, 0);			/* Reserved1 */
	if (len > 0) {
		wire_put_utf16(w, sn);
	}
	wire_put_zero(w, SHORT_NAME_BYTES - 2 * len);
}

/* The record's fields before FileName, NextEntryOffset 0. */
static void put_entry_fixed(struct wire_wr *w, uint8_t cls,
			    const struct smbd_ntinfo *ni, uint32_t name16_len,
			    const char *name)
{
	wire_put_u32le(w, 0);		/* NextEntryOffset, patched later */
	wire_put_u32le(w, 0);		/* FileIndex */
	if (cls == FileNamesInformation) {
		wire_put_u32le(w, name16_len);
		return;
	}
	wire_put_u64le(w, ni->create_time);
	wire_put_u64le(w, ni->access_time);
	wire_put_u64le(w, ni->write_time);
	wire_put_u64le(w, ni->change_time);
	wire_put_u64le(w, ni->end_of_file);
	wire_put_u64le(w, ni->alloc_size);
	wire_put_u32le(w, ni->attrs);
	wire_put_u32le(w, name16_len);
	if (cls == FileDirectoryInformation) {
		return;
	}
	wire_put_u32le(w, ni->ea_size);
	switch (cls) {
	case FileIdFullDirectoryInformation:
		wire_put_u32le(w, 0);	/* Reserved */
		wire_put_u64le(w, ni->file_index);
		break;
	case FileBothDirectoryInformation:
	case FileIdBothDirectoryInformation:
		put_short_name(w, name);
		if (cls == FileIdBothDirectoryInformation) {
			wire_put_u16le(w, 0);	/* Reserved2 */
			wire_put_u64le(w, ni->file_index);
		}
		break;
	default:
		break;
	}
}

/* The first n bytes of name in UTF-16LE (n < its full length). */
static void put_name_prefix(struct wire_wr *w, const char *name, size_t n)
{
	uint8_t *u16 = NULL;
	size_t len = 0;

	if (utf8_to_utf16le(NULL, name, &u16, &len) != 0) {
		w->err = WIRE_E_NOMEM;
		return;
	}
	wire_put_bytes(w, u16, n < len ? n : len);
	talloc_free(u16);
}

/* ---- the command ---- */

static NTSTATUS qd_parse(struct smbd_req *req, struct qd_args *a)
{
	struct wire_rd r = req->in;
	uint32_t file_index = 0;

	if (wire_skip(&r, 2) != 0 ||		/* StructureSize */
	    wire_get_u8(&r, &a->cls) != 0 ||
	    wire_get_u8(&r, &a->flags) != 0 ||
	    wire_get_u32le(&r, &file_index) != 0 ||	/* ignored */
	    smbd_pull_fid(&r, &a->fid_p, &a->fid_v) != 0 ||
	    wire_get_u16le(&r, &a->name_off) != 0 ||
	    wire_get_u16le(&r, &a->name_len) != 0 ||
	    wire_get_u32le(&r, &a->out_len) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	return NT_STATUS_OK;
}

/* The search pattern as UTF-8; an empty one means "*". */
static NTSTATUS qd_pattern(struct smbd_req *req, const struct qd_args *a,
			   TALLOC_CTX *mem, char **pattern)
{
	struct wire_rd sub = {};

	if (a->name_len == 0) {
		*pattern = talloc_strdup(mem, "*");
		return *pattern != NULL ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
	}
	if (wire_sub(&req->in, a->name_off, a->name_len, &sub) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (utf16le_to_utf8(mem, sub.base, sub.len, pattern) != 0) {
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	if (strpbrk(*pattern, "\\/") != NULL) {
		talloc_free(*pattern);
		*pattern = NULL;
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	return NT_STATUS_OK;
}

/*
 * One query in progress: a talloc child of its request. It holds its own
 * copies of what it needs, so it can finish after its open is closed.
 */
struct qd_state {
	struct qd_state *next;		/* ds->wait_* */
	struct smbd_req *req;
	struct smbd_conn *conn;
	struct smbd_dirstate *ds;	/* NULL once the open is gone */
	struct tevent_immediate *im;	/* to start after waiting */
	struct qd_args args;
	char *pattern;			/* this query's, if it sets one */
	char *path;
	int dir_fd, root_fd;		/* dups, for each slice's job */
	struct qd_cursor cur;
	bool first;			/* NO_SUCH_FILE if nothing found */
	uint32_t budget;
	size_t base;			/* response start in req->out */
	size_t used;			/* entry bytes in the reply */
	size_t prev;			/* last entry's offset, or SIZE_MAX */
	size_t count;
	size_t charge;			/* in conn->dir_memory */
	struct smbd_acl_list *abe;	/* access-based enum; NULL: off */
};

/* Count bytes against conn's directory budget; false when over it. */
static bool dir_mem_take(struct smbd_conn *conn, size_t bytes)
{
	uint64_t max = conn->srv->cfg->max_dir_memory;

	if (conn->dir_memory + bytes > max) {
		smbd_budget_hit(conn->srv, conn, SMBD_BUDGET_DIR_MEMORY, max);
		return false;
	}
	conn->dir_memory += bytes;
	return true;
}

static void dir_mem_give(struct smbd_conn *conn, size_t *bytes)
{
	conn->dir_memory -= *bytes < conn->dir_memory ? *bytes :
							conn->dir_memory;
	*bytes = 0;
}

static void qd_kick(struct smbd_dirstate *ds);
static void qd_start_im(struct tevent_context *ev,
			struct tevent_immediate *im, void *private_data);

static int dirstate_destructor(struct smbd_dirstate *ds)
{
	struct qd_state *st = NULL;

	if (ds->running != NULL) {
		ds->running->ds = NULL;	/* it answers from its own copy */
		ds->running = NULL;
	}
	/* waiting queries are answered FILE_CLOSED from the loop */
	while ((st = ds->wait_head) != NULL) {
		ds->wait_head = st->next;
		st->next = NULL;
		st->ds = NULL;
		smbd_loop_schedule_conn(st->conn, st->im, qd_start_im,
					st);
	}
	ds->wait_tail = NULL;
	dir_mem_give(ds->conn, &ds->charge);
	return 0;
}

static int qd_state_destructor(struct qd_state *st)
{
	struct smbd_dirstate *ds = st->ds;
	struct qd_state **pp = NULL;

	if (st->dir_fd >= 0) {
		close(st->dir_fd);
	}
	if (st->root_fd >= 0) {
		close(st->root_fd);
	}
	dir_mem_give(st->conn, &st->charge);
	if (ds == NULL) {
		return 0;
	}
	st->ds = NULL;
	if (ds->running == st) {
		ds->running = NULL;
		qd_kick(ds);
		return 0;
	}
	for (pp = &ds->wait_head; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == st) {
			*pp = st->next;
			break;
		}
	}
	ds->wait_tail = NULL;
	for (st = ds->wait_head; st != NULL; st = st->next) {
		ds->wait_tail = st;
	}
	return 0;
}

/* The open's query ended: start the next one waiting, from the loop. */
static void qd_kick(struct smbd_dirstate *ds)
{
	struct qd_state *st = ds->wait_head;

	if (ds->running != NULL || st == NULL) {
		return;
	}
	ds->wait_head = st->next;
	if (ds->wait_head == NULL) {
		ds->wait_tail = NULL;
	}
	st->next = NULL;
	ds->running = st;
	smbd_loop_schedule_conn(st->conn, st->im, qd_start_im,
					st);
}

static void qd_slice_done(struct tevent_req *subreq);

/* Queue the next slice of st's query. */
static NTSTATUS qd_send_slice(struct qd_state *st)
{
	struct qd_job *j = talloc_zero(st, struct qd_job);
	struct tevent_req *subreq = NULL;

	if (j == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	j->dir_fd = -1;
	j->root_fd = -1;
	talloc_set_destructor(j, qd_job_destructor);
	j->path = talloc_strdup(j, st->path);
	j->pattern = talloc_strdup(j, st->pattern);
	j->dir_fd = fcntl(st->dir_fd, F_DUPFD_CLOEXEC, 0);
	j->root_fd = fcntl(st->root_fd, F_DUPFD_CLOEXEC, 0);
	if (j->path == NULL || j->pattern == NULL || j->dir_fd < 0 ||
	    j->root_fd < 0) {
		talloc_free(j);
		return NT_STATUS_NO_MEMORY;
	}
	j->fixed = qd_fixed_size(st->args.cls);
	j->budget = st->budget;
	j->used = st->used;
	j->have_prev = st->count > 0;
	j->single = (st->args.flags & SMB2_RETURN_SINGLE_ENTRY) != 0;
	j->cur = st->cur;
	subreq = smbd_job_send(st, st->conn->srv->ev,
			       st->conn->srv->scan_workers, st->conn->client,
			       qd_job_run, j);
	if (subreq == NULL) {
		talloc_free(j);
		return NT_STATUS_NO_MEMORY;
	}
	tevent_req_set_callback(subreq, qd_slice_done, st);
	return NT_STATUS_OK;
}

/*
 * Begin st's query, now at the head of its open's queue: take the
 * pattern and cursor (a new pattern resets them), dup the fds, write
 * the response's fixed part and queue the first slice.
 */
static NTSTATUS qd_start(struct qd_state *st)
{
	struct smbd_dirstate *ds = st->ds;
	struct smbd_req *req = st->req;
	struct smbd_open *op = NULL;
	struct wire_wr *w = &req->out;
	size_t charge = 0;

	if (ds == NULL) {
		return NT_STATUS_FILE_CLOSED;
	}
	op = smbd_open_find(st->conn->srv, st->args.fid_v);
	if (op == NULL || op->dir != ds || op->fd < 0) {
		return NT_STATUS_FILE_CLOSED;
	}
	if (ds->pattern == NULL ||
	    (st->args.flags & (SMB2_RESTART_SCANS | SMB2_REOPEN)) != 0) {
		/* this query sets the pattern: charge the new for the old */
		size_t oldc = ds->pattern != NULL ?
			strlen(ds->pattern) + 1 : 0;

		charge = strlen(st->pattern) + 1;
		if (!dir_mem_take(st->conn, charge)) {
			return NT_STATUS_INSUFFICIENT_RESOURCES;
		}
		st->conn->dir_memory -= oldc;
		ds->charge = ds->charge - oldc + charge;
		talloc_free(ds->pattern);
		ds->pattern = talloc_strdup(ds, st->pattern);
		if (ds->pattern == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		ds->cur.phase = QD_DOT;
		ds->cur.off = 0;
		ds->answered = false;
	} else {
		talloc_free(st->pattern);
		st->pattern = talloc_strdup(st, ds->pattern);
	}
	st->path = talloc_strdup(st, op->path);
	st->dir_fd = fcntl(op->fd, F_DUPFD_CLOEXEC, 0);
	st->root_fd = fcntl(op->tree->root_fd, F_DUPFD_CLOEXEC, 0);
	if (st->pattern == NULL || st->path == NULL || st->dir_fd < 0 ||
	    st->root_fd < 0) {
		return NT_STATUS_NO_MEMORY;
	}
	if (smbd_acl_list_new(st, op->tree, st->req->sess, op->path,
			      &st->abe) != NT_STATUS_OK) {
		return NT_STATUS_NO_MEMORY;
	}
	st->cur = ds->cur;
	st->first = !ds->answered;
	st->base = w->len;
	wire_put_u16le(w, 9);		/* StructureSize */
	wire_put_u16le(w, 0);		/* OutputBufferOffset */
	wire_put_u32le(w, 0);		/* OutputBufferLength */
	wire_patch_u16le(w, st->base + 2, (uint16_t)SMBD_OUT_OFF(req));
	return qd_send_slice(st);
}

/*
 * The query is over: store the cursor back (if the open still has this
 * dirstate), let the next query of the open start, and answer.
 */
static void qd_finish(struct qd_state *st, NTSTATUS status)
{
	struct smbd_dirstate *ds = st->ds;
	struct smbd_req *req = st->req;
	struct wire_wr *w = &req->out;

	if (status == NT_STATUS_OK || status == NT_STATUS_BUFFER_OVERFLOW) {
		if (st->count == 0) {
			w->len = st->base;
			status = st->first ? NT_STATUS_NO_SUCH_FILE :
					     NT_STATUS_NO_MORE_FILES;
		} else {
			wire_patch_u32le(w, st->base + 4,
					 (uint32_t)(w->len - st->base -
						    QD_RESP_FIXED));
			if (wire_wr_error(w) != 0) {
				w->len = st->base;
				status = NT_STATUS_NO_MEMORY;
			}
		}
	} else {
		w->len = st->base < w->len ? st->base : w->len;
	}
	if (ds != NULL) {
		if (status != NT_STATUS_FILE_CLOSED) {
			ds->cur = st->cur;
			ds->answered = true;
		}
		if (ds->running == st) {
			ds->running = NULL;
			qd_kick(ds);
		}
		st->ds = NULL;
	}
	dir_mem_give(st->conn, &st->charge);
	smbd_req_done(req, status);
}

/* Append the job's entries to the reply (they fit: the job measured). */
static void qd_put_job(struct qd_state *st, struct qd_job *j)
{
	struct wire_wr *w = &st->req->out;
	size_t start = st->base + QD_RESP_FIXED;
	size_t i = 0;

	if (j->overflow) {
		const struct qd_ent *e = &j->ents[0];

		put_entry_fixed(w, st->args.cls, &e->ni, e->name16_len,
				qd_ent_name(j, e));
		put_name_prefix(w, qd_ent_name(j, e),
				(st->budget - j->fixed) & ~1u);
		st->count = 1;
		return;
	}
	for (i = 0; i < j->nents; i++) {
		const struct qd_ent *e = &j->ents[i];
		size_t pos = (st->used + 7) & ~(size_t)7;

		wire_put_zero(w, pos - st->used);
		if (st->prev != SIZE_MAX) {
			wire_patch_u32le(w, start + st->prev,
					 (uint32_t)(pos - st->prev));
		}
		put_entry_fixed(w, st->args.cls, &e->ni, e->name16_len,
				qd_ent_name(j, e));
		wire_put_utf16(w, qd_ent_name(j, e));
		st->prev = pos;
		st->used = pos + j->fixed + e->name16_len;
		st->count++;
	}
}

/*
 * Access-based enumeration: drop the job's entries the session may not
 * read. A hidden entry that alone overflowed the reply is passed over.
 * Returns whether any was dropped (the reply may have room left then).
 */
static bool qd_hide(struct qd_state *st, struct qd_job *j)
{
	size_t i = 0, k = 0;

	if (st->abe == NULL) {
		return false;
	}
	for (i = 0; i < j->nents; i++) {
		if (smbd_acl_list_visible(st->abe,
					  qd_ent_name(j, &j->ents[i]))) {
			j->ents[k++] = j->ents[i];
		}
	}
	if (j->overflow && k == 0) {
		j->overflow = false;
		j->cur = j->ovf_next;
	}
	j->nents = k;
	return k < i;
}

static void qd_slice_done(struct tevent_req *subreq)
{
	struct qd_state *st = tevent_req_callback_data(subreq,
						       struct qd_state);
	struct qd_job *j = NULL;
	void *arg = NULL;
	bool more = false;
	bool hid = false;
	NTSTATUS status = NT_STATUS_OK;
	int ret = 0;

	ret = smbd_job_recv(subreq, st, &arg);
	TALLOC_FREE(subreq);
	j = arg;
	if (ret < 0 || j == NULL) {
		talloc_free(j);
		qd_finish(st, ret < 0 ? smbd_map_errno(-ret) :
					NT_STATUS_NO_MEMORY);
		return;
	}
	hid = qd_hide(st, j);
	qd_put_job(st, j);
	if (j->overflow) {
		/* the cursor stays on the entry: whole next time */
		talloc_free(j);
		qd_finish(st, NT_STATUS_BUFFER_OVERFLOW);
		return;
	}
	st->cur = j->cur;
	more = (!j->full || hid) && st->cur.phase != QD_DONE &&
	       !((st->args.flags & SMB2_RETURN_SINGLE_ENTRY) != 0 &&
		 st->count > 0);
	talloc_free(j);
	if (!more) {
		qd_finish(st, NT_STATUS_OK);
		return;
	}
	/* a slice ended with room left: the next one, if still wanted */
	status = qd_send_slice(st);
	if (status != NT_STATUS_OK) {
		qd_finish(st, status);
	}
}

/* A waiting query's turn came, or its open was closed. */
static void qd_start_im(struct tevent_context *ev,
			struct tevent_immediate *im, void *private_data)
{
	struct qd_state *st = private_data;
	NTSTATUS status = NT_STATUS_OK;

	status = qd_start(st);
	if (status != NT_STATUS_OK) {
		qd_finish(st, status);
	}
}

/* The open's dirstate, made on its first query. NULL: see *status. */
static struct smbd_dirstate *qd_dirstate(struct smbd_req *req,
					 struct smbd_open *op,
					 NTSTATUS *status)
{
	struct smbd_dirstate *ds = op->dir;

	if (ds != NULL) {
		return ds;
	}
	if (!dir_mem_take(req->conn, sizeof(*ds))) {
		*status = NT_STATUS_INSUFFICIENT_RESOURCES;
		return NULL;
	}
	ds = talloc_zero(op, struct smbd_dirstate);
	if (ds == NULL) {
		req->conn->dir_memory -= sizeof(*ds);
		*status = NT_STATUS_NO_MEMORY;
		return NULL;
	}
	ds->conn = req->conn;
	ds->charge = sizeof(*ds);
	talloc_set_destructor(ds, dirstate_destructor);
	op->dir = ds;
	return ds;
}

/* What one query in progress holds, reserved for its whole life. */
static size_t qd_state_charge(const struct smbd_open *op, const char *pat)
{
	return sizeof(struct qd_state) + strlen(op->path) + 1 +
	       2 * (strlen(pat) + 1) + sizeof(struct qd_job) + QD_JOB_MEM +
	       (op->tree->share != NULL &&
		op->tree->share->access_based_enum ? QD_ABE_MEM : 0);
}

NTSTATUS smbd_smb2_query_directory(struct smbd_req *req)
{
	struct smbd_dirstate *ds = NULL;
	struct smbd_open *op = NULL;
	struct qd_state *st = NULL;
	struct qd_args a = {};
	NTSTATUS status = NT_STATUS_OK;

	status = qd_parse(req, &a);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (qd_fixed_size(a.cls) == 0) {
		return NT_STATUS_INVALID_INFO_CLASS;
	}
	if (a.name_len / 2 > QD_PATTERN_MAX) {
		smbd_budget_hit(req->conn->srv, req->conn,
				SMBD_BUDGET_PATTERN, QD_PATTERN_MAX);
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	status = smbd_req_open(req, a.fid_p, a.fid_v, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (!op->is_dir || op->fd < 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if ((op->access & FILE_LIST_DIRECTORY) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (a.out_len < qd_fixed_size(a.cls) ||
	    req->conn->max_trans < qd_fixed_size(a.cls)) {
		return NT_STATUS_INFO_LENGTH_MISMATCH;
	}

	st = talloc_zero(req, struct qd_state);
	if (st == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	st->req = req;
	st->conn = req->conn;
	st->args = a;
	/* a related compound's all-ones FileId, resolved */
	st->args.fid_p = op->fid_persistent;
	st->args.fid_v = op->fid_volatile;
	st->dir_fd = -1;
	st->root_fd = -1;
	st->prev = SIZE_MAX;
	st->budget = a.out_len < req->conn->max_trans ? a.out_len :
							 req->conn->max_trans;
	talloc_set_destructor(st, qd_state_destructor);
	st->im = tevent_create_immediate(st);
	st->base = req->out.len;
	if (st->im == NULL) {
		talloc_free(st);
		return NT_STATUS_NO_MEMORY;
	}
	status = qd_pattern(req, &a, st, &st->pattern);
	if (status != NT_STATUS_OK) {
		talloc_free(st);
		return status;
	}
	if (!dir_mem_take(req->conn, qd_state_charge(op, st->pattern))) {
		talloc_free(st);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	st->charge = qd_state_charge(op, st->pattern);
	ds = qd_dirstate(req, op, &status);
	if (ds == NULL) {
		talloc_free(st);
		return status;
	}
	st->ds = ds;
	if (ds->running != NULL) {
		/* another query of this open runs: wait for it */
		if (ds->wait_tail != NULL) {
			ds->wait_tail->next = st;
		} else {
			ds->wait_head = st;
		}
		ds->wait_tail = st;
		return smbd_req_wait(req);
	}
	ds->running = st;
	status = qd_start(st);
	if (status != NT_STATUS_OK) {
		req->out.len = st->base;
		talloc_free(st);
		return status;
	}
	return smbd_req_wait(req);
}
