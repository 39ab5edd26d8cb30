/*
 * smb2_query_directory.c - SMB2 QUERY_DIRECTORY [MS-SMB2 §2.2.33, §3.3.5.18,
 * MS-FSCC §2.4, MS-FSA §2.1.5.6.3].
 *
 * Model: the first query on a directory open (and any query with
 * RESTART_SCANS or REOPEN) takes a snapshot of the matching entries:
 * names, stat results and UTF-16 sizes, "." and ".." first. The snapshot
 * hangs off op->dir (a talloc child of the open) and later queries
 * format entries from it, re-checking only the entries they return (one
 * fstatat each) so that files deleted meanwhile drop out and sizes stay
 * current. The search pattern is fixed by the query that took the
 * snapshot; files created meanwhile show up after a restart.
 *
 * Taking the snapshot (readdir + one statx per entry) can block, so it
 * runs on the worker pool (workers.h). The job owns duplicates of the
 * fds it needs and malloc()s its results: worker threads never touch
 * talloc. The request goes SMBD_ASYNC meanwhile (no interim response: the
 * job is short) and finishes from the completion callback, which looks
 * the open up again by FileId since it may have been closed meanwhile.
 *
 * Entries left out of listings: names that are not valid UTF-8 or hold a
 * character Windows forbids in names ('\\', ':', '*', '?', '"', '<', '>',
 * '|', controls) since no client could open them; anything but regular
 * files and directories (FIFOs, sockets, devices); symlinks whose target
 * is missing or outside the share (a symlink is listed as what it
 * points to).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smbd.h"
#include "fileinfo.h"
#include "vfs.h"
#include "workers.h"
#include "../proto/utf16.h"

/* File information classes [MS-FSCC §2.4] valid for QUERY_DIRECTORY */
#define FileDirectoryInformation	0x01
#define FileFullDirectoryInformation	0x02
#define FileBothDirectoryInformation	0x03
#define FileNamesInformation		0x0C
#define FileIdBothDirectoryInformation	0x25
#define FileIdFullDirectoryInformation	0x26

/* QUERY_DIRECTORY response: StructureSize 9, offset, length, buffer. */
#define QD_RESP_FIXED	8
/* Windows' short names are at most 12 UTF-16 characters. */
#define SHORT_NAME_BYTES 24

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

/* ---- the snapshot, built on a worker thread ---- */

struct dir_ent {
	size_t name_off;	/* into dir_scan.names */
	uint32_t name16_len;	/* UTF-16LE bytes of the name */
	struct smbd_ntinfo ni;
};

/*
 * The job's argument and, afterwards, the snapshot itself. A talloc
 * object; what the worker adds is malloc()ed and freed by the destructor.
 */
struct dir_scan {
	int dir_fd;		/* own open of the directory, O_RDONLY */
	int root_fd;		/* dup of the share root */
	char *path;		/* the directory, share-relative, on disk */
	char *pattern;		/* UTF-8, "*" for an empty request pattern */
	struct dir_ent *ents;	/* malloc() */
	size_t nents, cap;
	char *names;		/* malloc(): NUL-terminated names */
	size_t names_len, names_cap;
};

struct smbd_dirstate {
	struct dir_scan *scan;	/* entries; fds already closed */
	size_t next;		/* first entry not returned yet */
	bool answered;		/* a query on this snapshot has completed */
};

static void dir_scan_close_fds(struct dir_scan *scan)
{
	if (scan->dir_fd >= 0) {
		close(scan->dir_fd);
		scan->dir_fd = -1;
	}
	if (scan->root_fd >= 0) {
		close(scan->root_fd);
		scan->root_fd = -1;
	}
}

static int dir_scan_destructor(struct dir_scan *scan)
{
	dir_scan_close_fds(scan);
	free(scan->ents);
	free(scan->names);
	return 0;
}

static const char *dir_ent_name(const struct dir_scan *scan,
				const struct dir_ent *e)
{
	return scan->names + e->name_off;
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

/* Append one entry (worker thread: malloc only). */
static int dir_scan_add(struct dir_scan *scan, const char *name,
			const struct smbd_ntinfo *ni)
{
	size_t nlen = strlen(name) + 1;
	size_t u16 = utf16_len_of_utf8(name);
	struct dir_ent *e = NULL;

	if (u16 == 0 || u16 > UINT16_MAX) {
		return 0;	/* malformed UTF-8: skip */
	}
	if (scan->nents == scan->cap) {
		size_t ncap = scan->cap == 0 ? 64 : scan->cap * 2;
		struct dir_ent *n = realloc(scan->ents, ncap * sizeof(*n));

		if (n == NULL) {
			return -ENOMEM;
		}
		scan->ents = n;
		scan->cap = ncap;
	}
	if (scan->names_cap - scan->names_len < nlen) {
		size_t ncap = scan->names_cap == 0 ? 4096 : scan->names_cap;
		char *n = NULL;

		while (ncap - scan->names_len < nlen) {
			ncap *= 2;
		}
		n = realloc(scan->names, ncap);
		if (n == NULL) {
			return -ENOMEM;
		}
		scan->names = n;
		scan->names_cap = ncap;
	}
	e = &scan->ents[scan->nents++];
	e->name_off = scan->names_len;
	e->name16_len = (uint32_t)u16;
	e->ni = *ni;
	memcpy(scan->names + scan->names_len, name, nlen);
	scan->names_len += nlen;
	return 0;
}

/*
 * stat one directory entry the way a client will see it. Symlinks are
 * followed, but only beneath the share root. Returns 0 if the entry is
 * to be listed, -1 if not.
 */
static int dir_scan_stat(struct dir_scan *scan, const char *name,
			 struct smbd_ntinfo *ni)
{
	struct smbd_stat sx = {};
	char rel[PATH_MAX];
	int fd = -1;
	int n = 0;

	if (smbd_stat_at(scan->dir_fd, name, AT_SYMLINK_NOFOLLOW, &sx) != 0) {
		return -1;
	}
	if (S_ISLNK(sx.st.st_mode)) {
		n = snprintf(rel, sizeof(rel), "%s%s%s", scan->path,
			     scan->path[0] != '\0' ? "/" : "", name);
		if (n < 0 || (size_t)n >= sizeof(rel)) {
			return -1;
		}
		fd = vfs_open_beneath(scan->root_fd, rel, O_PATH | O_CLOEXEC,
				      0);
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
	return 0;
}

/* "." is the directory itself, ".." its parent (the root's is itself). */
static int dir_scan_dots(struct dir_scan *scan)
{
	struct smbd_ntinfo ni = {};
	const char *leaf = NULL;
	int pfd = -1;
	int ret = 0;

	if (vfs_wildcard_match(scan->pattern, ".")) {
		ret = smbd_ntinfo_fd(scan->dir_fd, ".", &ni);
		if (ret != 0) {
			return ret;
		}
		ret = dir_scan_add(scan, ".", &ni);
		if (ret != 0) {
			return ret;
		}
	}
	if (!vfs_wildcard_match(scan->pattern, "..")) {
		return 0;
	}
	if (scan->path[0] == '\0') {
		ret = smbd_ntinfo_fd(scan->dir_fd, "..", &ni);
	} else {
		pfd = vfs_open_parent(scan->root_fd, scan->path, &leaf);
		if (pfd < 0) {
			return 0;	/* parent gone: list no ".." */
		}
		ret = smbd_ntinfo_fd(pfd, "..", &ni);
		close(pfd);
	}
	if (ret != 0) {
		return 0;
	}
	return dir_scan_add(scan, "..", &ni);
}

static int dir_scan_readdir(struct dir_scan *scan)
{
	struct smbd_ntinfo ni = {};
	struct dirent *de = NULL;
	DIR *d = NULL;
	int fd = -1;
	int ret = 0;

	/* fdopendir() takes the fd over; keep dir_fd for fstatat. */
	fd = openat(scan->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		ret = -errno;
		close(fd);
		return ret;
	}
	while (ret == 0) {
		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			ret = -errno;
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    !name_is_windows_legal(de->d_name) ||
		    !vfs_wildcard_match(scan->pattern, de->d_name)) {
			continue;
		}
		if (dir_scan_stat(scan, de->d_name, &ni) != 0) {
			continue;
		}
		ret = dir_scan_add(scan, de->d_name, &ni);
	}
	closedir(d);
	return ret;
}

/* The job: runs on a worker thread. Returns 0 or -errno. */
static int dir_scan_run(void *arg)
{
	struct dir_scan *scan = arg;
	struct smbd_ntinfo ni = {};
	int ret = 0;

	ret = dir_scan_dots(scan);
	if (ret != 0) {
		return ret;
	}
	if (strcmp(scan->pattern, ".") == 0 ||
	    strcmp(scan->pattern, "..") == 0) {
		return 0;
	}
	/* A plain name: try the exact name before reading everything. */
	if (!pattern_has_wildcards(scan->pattern) &&
	    name_is_windows_legal(scan->pattern) &&
	    dir_scan_stat(scan, scan->pattern, &ni) == 0) {
		return dir_scan_add(scan, scan->pattern, &ni);
	}
	return dir_scan_readdir(scan);
}

/*
 * Start a snapshot of op's directory for pattern. The returned request is
 * a child of mem; finish it with dir_scan_recv().
 */
static struct tevent_req *dir_scan_send(TALLOC_CTX *mem,
					struct smbd_server *srv,
					struct smbd_open *op,
					const char *pattern)
{
	struct dir_scan *scan = talloc_zero(mem, struct dir_scan);

	if (scan == NULL) {
		return NULL;
	}
	scan->dir_fd = -1;
	scan->root_fd = -1;
	talloc_set_destructor(scan, dir_scan_destructor);
	scan->path = talloc_strdup(scan, op->path);
	scan->pattern = talloc_strdup(scan, pattern);
	if (scan->path == NULL || scan->pattern == NULL) {
		talloc_free(scan);
		return NULL;
	}
	scan->dir_fd = openat(op->fd, ".", O_RDONLY | O_DIRECTORY |
			      O_CLOEXEC);
	scan->root_fd = fcntl(op->tree->root_fd, F_DUPFD_CLOEXEC, 0);
	if (scan->dir_fd < 0 || scan->root_fd < 0) {
		talloc_free(scan);
		return NULL;
	}
	return smbd_job_send(mem, srv->ev, srv->workers, op->tree->sess->conn,
			     dir_scan_run, scan);
}

/* On success *pds is a new enumeration state, a child of mem. */
static NTSTATUS dir_scan_recv(struct tevent_req *subreq, TALLOC_CTX *mem,
			      struct smbd_dirstate **pds)
{
	struct smbd_dirstate *ds = NULL;
	void *arg = NULL;
	struct dir_scan *scan = NULL;
	int ret = 0;

	ret = smbd_job_recv(subreq, mem, &arg);
	scan = arg;
	if (scan != NULL) {
		dir_scan_close_fds(scan);
	}
	if (ret < 0) {
		talloc_free(scan);
		return vfs_map_errno(-ret);
	}
	ds = talloc_zero(mem, struct smbd_dirstate);
	if (ds == NULL || scan == NULL) {
		talloc_free(ds);
		talloc_free(scan);
		return NT_STATUS_NO_MEMORY;
	}
	ds->scan = talloc_steal(ds, scan);
	*pds = ds;
	return NT_STATUS_OK;
}

/* ---- formatting ---- */

struct qd_args {
	uint8_t cls;
	uint8_t flags;
	uint64_t fid_p, fid_v;
	uint16_t name_off, name_len;
	uint32_t out_len;
};

/* The record's fields before FileName, NextEntryOffset 0. */
static void put_entry_fixed(struct wire_wr *w, uint8_t cls,
			    const struct smbd_ntinfo *ni, uint32_t name16_len)
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
	wire_put_u32le(w, 0);		/* EaSize */
	switch (cls) {
	case FileIdFullDirectoryInformation:
		wire_put_u32le(w, 0);	/* Reserved */
		wire_put_u64le(w, ni->file_index);
		break;
	case FileBothDirectoryInformation:
	case FileIdBothDirectoryInformation:
		wire_put_u8(w, 0);	/* ShortNameLength: no 8.3 names */
		wire_put_u8(w, 0);	/* Reserved1 */
		wire_put_zero(w, SHORT_NAME_BYTES);
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

/*
 * Pages after the first come from the snapshot, but a file deleted since
 * must not be listed (smbtorture smb2.dir.fixed) and sizes and times
 * should be current: stat the entry again relative to the open
 * directory. A symlink keeps what the snapshot found for its target.
 * This runs on the loop: one fstatat per entry returned, whose dentry
 * the snapshot has just brought into the cache. Returns false for an
 * entry that is gone.
 */
static bool dir_ent_refresh(const struct smbd_open *op, struct dir_ent *e,
			    const char *name)
{
	struct smbd_stat sx = {};

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		return true;
	}
	if (smbd_stat_at(op->fd, name, AT_SYMLINK_NOFOLLOW, &sx) != 0) {
		return false;
	}
	if (S_ISLNK(sx.st.st_mode)) {
		return true;
	}
	if (!S_ISREG(sx.st.st_mode) && !S_ISDIR(sx.st.st_mode)) {
		return false;
	}
	smbd_ntinfo_fill(&sx, name, &e->ni);
	return true;
}

/*
 * Write as many entries from ds as fit in budget bytes; *count says how
 * many. The first entry that does not fit stays for the next query,
 * except when it is the first of this response: then its fixed part and
 * as much of its name as fits go out with STATUS_BUFFER_OVERFLOW
 * [MS-FSA §2.1.5.6.3], and it is still returned whole by the next query.
 * refresh: the open to re-check entries against (NULL: fresh snapshot).
 */
static NTSTATUS qd_put_entries(struct wire_wr *w, struct smbd_dirstate *ds,
			       const struct qd_args *a, uint32_t budget,
			       const struct smbd_open *refresh, size_t *count)
{
	struct dir_scan *scan = ds->scan;
	uint32_t fixed = qd_fixed_size(a->cls);
	size_t start = w->len;
	size_t used = 0;
	size_t prev = SIZE_MAX;

	*count = 0;
	while (ds->next < scan->nents) {
		struct dir_ent *e = &scan->ents[ds->next];
		const char *name = dir_ent_name(scan, e);
		size_t pos = (used + 7) & ~(size_t)7;

		if (refresh != NULL && !dir_ent_refresh(refresh, e, name)) {
			ds->next++;
			continue;
		}
		if (pos > budget || fixed + e->name16_len > budget - pos) {
			if (prev != SIZE_MAX) {
				break;
			}
			put_entry_fixed(w, a->cls, &e->ni, e->name16_len);
			put_name_prefix(w, name, (budget - fixed) & ~1u);
			*count = 1;
			return NT_STATUS_BUFFER_OVERFLOW;
		}
		wire_put_zero(w, pos - used);
		if (prev != SIZE_MAX) {
			wire_patch_u32le(w, start + prev,
					 (uint32_t)(pos - prev));
		}
		put_entry_fixed(w, a->cls, &e->ni, e->name16_len);
		wire_put_utf16(w, name);
		prev = pos;
		used = pos + fixed + e->name16_len;
		ds->next++;
		(*count)++;
		if ((a->flags & SMB2_RETURN_SINGLE_ENTRY) != 0) {
			break;
		}
	}
	return NT_STATUS_OK;
}

/* Answer a query from the snapshot in ds (refresh: see above). */
static NTSTATUS qd_answer(struct smbd_req *req, struct smbd_dirstate *ds,
			  const struct qd_args *a,
			  const struct smbd_open *refresh)
{
	struct wire_wr *w = &req->out;
	uint32_t budget = a->out_len;
	size_t base = w->len;
	size_t count = 0;
	NTSTATUS status = NT_STATUS_OK;
	bool first = !ds->answered;

	ds->answered = true;
	if (first && ds->scan->nents == 0) {
		return NT_STATUS_NO_SUCH_FILE;
	}
	if (budget > req->conn->max_trans) {
		budget = req->conn->max_trans;
	}
	wire_put_u16le(w, 9);		/* StructureSize */
	wire_put_u16le(w, 0);		/* OutputBufferOffset */
	wire_put_u32le(w, 0);		/* OutputBufferLength */
	wire_patch_u16le(w, base + 2, (uint16_t)SMBD_OUT_OFF(req));
	status = qd_put_entries(w, ds, a, budget, refresh, &count);
	wire_patch_u32le(w, base + 4, (uint32_t)(w->len - base -
						  QD_RESP_FIXED));
	if (wire_wr_error(w) != 0) {
		w->len = base;
		return NT_STATUS_NO_MEMORY;
	}
	if (count == 0) {
		w->len = base;
		return NT_STATUS_NO_MORE_FILES;
	}
	return status;
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

struct qd_state {
	struct smbd_req *req;
	struct qd_args args;
};

static void qd_scan_done(struct tevent_req *subreq);

NTSTATUS smbd_smb2_query_directory(struct smbd_req *req)
{
	struct smbd_open *op = NULL;
	struct qd_state *state = NULL;
	struct tevent_req *subreq = NULL;
	char *pattern = NULL;
	struct qd_args a = {};
	NTSTATUS status = NT_STATUS_OK;

	status = qd_parse(req, &a);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (qd_fixed_size(a.cls) == 0) {
		return NT_STATUS_INVALID_INFO_CLASS;
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
	if (op->dir != NULL &&
	    (a.flags & (SMB2_RESTART_SCANS | SMB2_REOPEN)) == 0) {
		return qd_answer(req, op->dir, &a, op);
	}

	state = talloc_zero(req, struct qd_state);
	if (state == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	state->req = req;
	state->args = a;
	status = qd_pattern(req, &a, state, &pattern);
	if (status != NT_STATUS_OK) {
		talloc_free(state);
		return status;
	}
	subreq = dir_scan_send(state, req->conn->srv, op, pattern);
	if (subreq == NULL) {
		talloc_free(state);
		return NT_STATUS_NO_MEMORY;
	}
	tevent_req_set_callback(subreq, qd_scan_done, state);
	return SMBD_ASYNC;
}

static void qd_scan_done(struct tevent_req *subreq)
{
	struct qd_state *state = tevent_req_callback_data(subreq,
							  struct qd_state);
	struct smbd_req *req = state->req;
	struct smbd_dirstate *ds = NULL;
	struct smbd_open *op = NULL;
	NTSTATUS status = NT_STATUS_OK;

	status = dir_scan_recv(subreq, state, &ds);
	TALLOC_FREE(subreq);
	if (status != NT_STATUS_OK) {
		smbd_req_done(req, status);
		return;
	}
	/*
	 * The open may have been closed while the snapshot was taken (a
	 * CLOSE right behind the query): the query was accepted, so answer
	 * it from its own snapshot (smbtorture compound_find_close).
	 */
	op = smbd_open_find(req->conn->srv, state->args.fid_v);
	if (op == NULL || op->fid_persistent != state->args.fid_p) {
		status = qd_answer(req, ds, &state->args, NULL);
		smbd_req_done(req, status);
		return;
	}
	/*
	 * Without a restart flag this query only wanted a snapshot because
	 * there was none; if a query that raced with it installed one, keep
	 * that one and its position.
	 */
	if (op->dir == NULL ||
	    (state->args.flags & (SMB2_RESTART_SCANS | SMB2_REOPEN)) != 0) {
		talloc_free(op->dir);
		op->dir = talloc_steal(op, ds);
	}
	status = qd_answer(req, op->dir, &state->args,
			   op->dir == ds ? NULL : op);
	smbd_req_done(req, status);
}
