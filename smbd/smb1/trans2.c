/*
 * trans2.c - SMB1 TRANSACTION2 [MS-CIFS §2.2.4.46, §2.2.6]: FIND_FIRST2,
 * FIND_NEXT2 and FIND_CLOSE2 (directory searches kept per connection,
 * listed in Windows' order, gone on from the last entry sent, a resume
 * key or a name; the NT levels and the OS/2 ones, SMB_INFO_STANDARD,
 * _QUERY_EA_SIZE and _QUERY_EAS_FROM_LIST),
 * QUERY_FS_INFORMATION, QUERY_PATH/FILE_INFORMATION and
 * SET_PATH/FILE_INFORMATION, in the SMB1 information levels and the
 * pass-through ones (level 1000 + an FSCC class [MS-SMB §2.2.2.3.5]).
 *
 * A request sent in pieces is put together by reasm.c. Budgets:
 * SMB1_MAX_SEARCHES searches per session (SMBD_BUDGET_SEARCHES), whose
 * name lists count against the connection's directory memory.
 */
#include "smbd/fs/acl.h"
#include "smbd/smb1/smb1.h"
#include "smbd/smb1/ea.h"
#include "smbd/base/errmap.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/fsinfo.h"
#include "smbd/fs/streams.h"
#include "smbd/fs/open.h"
#include "smbd/fs/openpath.h"
#include "smbd/fs/vfs.h"
#include "smbd/fs/watch.h"
#include "smbd/fs/wtime.h"
#include "proto/fscc.h"
#include "proto/smb1_core.h"
#include "proto/utf16.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Information levels [MS-CIFS §2.2.2.3] */
#define FIND_DIRECTORY_INFO		0x0101
#define FIND_FULL_DIRECTORY_INFO	0x0102
#define FIND_NAMES_INFO			0x0103
#define FIND_BOTH_DIRECTORY_INFO	0x0104
#define FIND_ID_FULL_DIRECTORY_INFO	0x0105
#define FIND_ID_BOTH_DIRECTORY_INFO	0x0106

#define SMB_INFO_STANDARD		0x0001
#define SMB_INFO_QUERY_EA_SIZE		0x0002
#define SMB_INFO_QUERY_EAS_FROM_LIST	0x0003
#define SMB_INFO_QUERY_ALL_EAS		0x0004
#define SMB_INFO_IS_NAME_VALID		0x0006
#define SMB_INFO_SET_EAS		0x0002
#define QUERY_FILE_BASIC_INFO		0x0101
#define QUERY_FILE_STANDARD_INFO	0x0102
#define QUERY_FILE_EA_INFO		0x0103
#define QUERY_FILE_NAME_INFO		0x0104
#define QUERY_FILE_ALL_INFO		0x0107
#define QUERY_FILE_ALT_NAME_INFO	0x0108
#define QUERY_FILE_STREAM_INFO		0x0109
#define QUERY_FILE_COMPRESSION_INFO	0x010B

#define SET_FILE_BASIC_INFO		0x0101
#define SET_FILE_DISPOSITION_INFO	0x0102
#define SET_FILE_ALLOCATION_INFO	0x0103
#define SET_FILE_END_OF_FILE_INFO	0x0104

#define FS_INFO_ALLOCATION		0x0001
#define FS_INFO_VOLUME			0x0002
#define FS_QUERY_VOLUME_INFO		0x0102
#define FS_QUERY_SIZE_INFO		0x0103
#define FS_QUERY_DEVICE_INFO		0x0104
#define FS_QUERY_ATTRIBUTE_INFO		0x0105

#define PASSTHROUGH			1000
/* FSCC classes through the pass-through levels */
#define FSCC_BASIC		4
#define FSCC_STANDARD		5
#define FSCC_INTERNAL		6
#define FSCC_EA			7
#define FSCC_ACCESS		8
#define FSCC_NAME		9
#define FSCC_RENAME		10
#define FSCC_DISPOSITION	13
#define FSCC_POSITION		14
#define FSCC_MODE		16
#define FSCC_ALIGNMENT		17
#define FSCC_ALL		18
#define FSCC_ALLOCATION		19
#define FSCC_EOF		20
#define FSCC_ALT_NAME		21
#define FSCC_STREAM		22
#define FSCC_COMPRESSION	28
#define FSCC_NETWORK_OPEN	34
#define FSCC_ATTRIBUTE_TAG	35
#define FSCC_FS_VOLUME		1
#define FSCC_FS_SIZE		3
#define FSCC_FS_DEVICE		4
#define FSCC_FS_ATTRIBUTE	5
#define FSCC_FS_CONTROL		6
#define FSCC_FS_FULL_SIZE	7
#define FSCC_FS_OBJECTID	8

#define BYTES_PER_SECTOR	512u
/* Largest reply data we build (below the MaxBufferSize clients offer) */
#define SMB1_MAX_TRANS2_REPLY	(60u * 1024)

/* ---- searches ---- */

static int search_destructor(struct smb1_search *s)
{
	struct smbd_smb1_conn *c1 = s->conn->smb1;

	if (s->dfd >= 0) {
		close(s->dfd);
	}
	s->conn->dir_memory -= s->mem < s->conn->dir_memory ? s->mem :
			       s->conn->dir_memory;
	if (c1 != NULL) {
		if (s->prev != NULL) {
			s->prev->next = s->next;
		} else if (c1->searches == s) {
			c1->searches = s->next;
		}
		if (s->next != NULL) {
			s->next->prev = s->prev;
		}
		c1->nsearches--;
	}
	return 0;
}

struct smb1_search *smb1_search_find(struct smb1_req *r, uint16_t sid)
{
	struct smb1_search *s = NULL;

	for (s = r->c1->searches; s != NULL; s = s->next) {
		if (s->sid == sid && s->uid == r->hdr.uid) {
			return s;
		}
	}
	return NULL;
}

/* names[] grows in steps of 64 */
#define NAMES_STEP	64

static bool search_add_name(struct smb1_search *s, char ***names,
			    size_t *n, size_t *mem, const char *name)
{
	struct smbd_conn *conn = s->conn;
	size_t cost = strlen(name) + 1 + sizeof(char *);
	uint64_t max = conn->srv->cfg->max_dir_memory;

	if (conn->dir_memory + cost > max) {
		smbd_budget_hit(conn->srv, conn, SMBD_BUDGET_DIR_MEMORY, max);
		return false;
	}
	if (*n % NAMES_STEP == 0) {
		char **nn = talloc_realloc(s, *names, char *,
					   *n + NAMES_STEP);

		if (nn == NULL) {
			return false;
		}
		*names = nn;
	}
	(*names)[*n] = talloc_strdup(*names, name);
	if ((*names)[*n] == NULL) {
		return false;
	}
	(*n)++;
	conn->dir_memory += cost;
	*mem += cost;
	return true;
}

/* The order of a listing: ".", "..", then names as Windows sorts them
 * (case-insensitively), ties by bytes so that the order is total. */
static int name_rank(const char *a)
{
	if (strcmp(a, ".") == 0) {
		return 0;
	}
	return strcmp(a, "..") == 0 ? 1 : 2;
}

static int name_order(const char *a, const char *b)
{
	int ra = name_rank(a), rb = name_rank(b);
	int c = 0;

	if (ra != rb) {
		return ra - rb;
	}
	c = vfs_name_casecmp(a, b);
	return c != 0 ? c : strcmp(a, b);
}

static int name_order_qsort(const void *a, const void *b)
{
	return name_order(*(char *const *)a, *(char *const *)b);
}

/*
 * List s's directory (s->dfd, s->pat; access-based enumeration by r's
 * session) into a new names[] and put it in place of the old one.
 */
static NTSTATUS search_list(struct smb1_req *r, struct smb1_search *s)
{
	struct smbd_conn *conn = s->conn;
	struct smbd_acl_list *abe = NULL;
	TALLOC_CTX *tmp = talloc_new(r);
	struct dirent *de = NULL;
	struct stat st = {};
	char **names = NULL;
	size_t n = 0, mem = 0;
	NTSTATUS status = NT_STATUS_OK;
	DIR *d = NULL;
	int fd = -1;

	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	/* access-based enumeration: NULL unless the share hides */
	status = smbd_acl_list_new(tmp, r->tree, r->sess, s->ondisk, &abe);
	if (status == NT_STATUS_OK && fstat(s->dfd, &st) != 0) {
		status = smbd_map_errno(errno);
	}
	if (status == NT_STATUS_OK && vfs_wildcard_match(s->pat, ".") &&
	    !search_add_name(s, &names, &n, &mem, ".")) {
		status = NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	if (status == NT_STATUS_OK && vfs_wildcard_match(s->pat, "..") &&
	    !search_add_name(s, &names, &n, &mem, "..")) {
		status = NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	if (status == NT_STATUS_OK) {
		fd = openat(s->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		d = fd >= 0 ? fdopendir(fd) : NULL;
		if (d == NULL) {
			if (fd >= 0) {
				close(fd);
			}
			status = NT_STATUS_ACCESS_DENIED;
		}
	}
	while (status == NT_STATUS_OK && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    !vfs_wildcard_match(s->pat, de->d_name) ||
		    (abe != NULL && !smbd_acl_list_visible(abe, de->d_name))) {
			continue;
		}
		if (!search_add_name(s, &names, &n, &mem, de->d_name)) {
			status = NT_STATUS_INSUFFICIENT_RESOURCES;
		}
	}
	if (d != NULL) {
		closedir(d);
	}
	talloc_free(tmp);
	if (status != NT_STATUS_OK) {
		talloc_free(names);
		conn->dir_memory -= mem < conn->dir_memory ? mem :
				    conn->dir_memory;
		return status;
	}
	if (n > 0) {
		qsort(names, n, sizeof(*names), name_order_qsort);
	}
	talloc_free(s->names);
	conn->dir_memory -= s->mem < conn->dir_memory ? s->mem :
			    conn->dir_memory;
	s->names = names;
	s->n = n;
	s->mem = mem;
	s->mtime = st.st_mtim;
	return NT_STATUS_OK;
}

NTSTATUS smb1_search_seek(struct smb1_req *r, struct smb1_search *s,
			  const char *name)
{
	struct stat st = {};
	size_t lo = 0, hi = 0;

	if (fstat(s->dfd, &st) == 0 &&
	    (st.st_mtim.tv_sec != s->mtime.tv_sec ||
	     st.st_mtim.tv_nsec != s->mtime.tv_nsec)) {
		NTSTATUS status = search_list(r, s);

		if (status != NT_STATUS_OK) {
			return status;
		}
	}
	/* the first entry that sorts after name */
	hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (name_order(s->names[mid], name) <= 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	s->pos = lo;
	return NT_STATUS_OK;
}

/* A session at its budget: a core search sent to its end (SEARCH has no
 * close, a client may never come back for the empty answer) makes room. */
static bool search_reclaim(struct smb1_req *r)
{
	struct smb1_search *s = NULL;

	for (s = r->c1->searches; s != NULL; s = s->next) {
		if (s->uid == (uint16_t)r->sess->id && s->core && !s->find &&
		    s->pos >= s->n) {
			talloc_free(s);
			return true;
		}
	}
	return false;
}

NTSTATUS smb1_search_new(struct smb1_req *r, const char *pattern,
			 struct smb1_search **ps)
{
	struct smbd_smb1_conn *c1 = r->c1;
	struct smbd_session *sess = r->sess;
	TALLOC_CTX *tmp = NULL;
	const char *sep = strrchr(pattern, '\\');
	const char *pat = sep != NULL ? sep + 1 : pattern;
	char *dir = NULL, *rel = NULL, *ondisk = NULL;
	struct smb1_search *s = NULL;
	NTSTATUS status = NT_STATUS_OK;
	unsigned per_sess = 0;
	int fd = -1;

	do {
		per_sess = 0;
		for (s = c1->searches; s != NULL; s = s->next) {
			per_sess += s->uid == (uint16_t)sess->id;
		}
	} while (per_sess >= SMB1_MAX_SEARCHES && search_reclaim(r));
	if (per_sess >= SMB1_MAX_SEARCHES) {
		smbd_budget_hit(r->conn->srv, r->conn, SMBD_BUDGET_SEARCHES,
				SMB1_MAX_SEARCHES);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	tmp = talloc_new(r);
	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (*pat == '\0') {
		pat = "*";
	}
	dir = talloc_strndup(tmp, pattern, sep != NULL ?
			     (size_t)(sep - pattern) : 0);
	status = dir == NULL ? NT_STATUS_NO_MEMORY : smb1_path_syntax(dir);
	if (status == NT_STATUS_OK) {
		status = vfs_canonicalize(tmp, dir, false, &rel);
	}
	if (status == NT_STATUS_OK) {
		status = vfs_resolve(tmp, r->tree->root_fd, rel, &ondisk);
	}
	if (status == NT_STATUS_OBJECT_NAME_NOT_FOUND) {
		status = NT_STATUS_OBJECT_PATH_NOT_FOUND;
	}
	if (status == NT_STATUS_OK) {
		/* listing needs FILE_LIST_DIRECTORY, as SMB2's QUERY_DIRECTORY
		 * on a handle opened for it: the share's and the folder's
		 * descriptor's say */
		uint32_t max = r->tree->maximal_access != 0 ?
			       r->tree->maximal_access : FILE_ALL_ACCESS;

		max &= FILE_LIST_DIRECTORY;
		status = smbd_acl_open_check(r->tree,
					     smbd_acl_token_of(r->tree, sess),
					     ondisk, true,
					     FILE_LIST_DIRECTORY, 0, &max);
		if (status == NT_STATUS_OK &&
		    (max & FILE_LIST_DIRECTORY) == 0) {
			status = NT_STATUS_ACCESS_DENIED;
		}
	}
	if (status != NT_STATUS_OK) {
		talloc_free(tmp);
		return status;
	}
	fd = vfs_open_beneath(r->tree->root_fd, ondisk,
			      O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0) {
		talloc_free(tmp);
		return fd == -ENOTDIR ? NT_STATUS_OBJECT_PATH_NOT_FOUND :
					smbd_map_errno(-fd);
	}
	s = talloc_zero(c1, struct smb1_search);
	if (s == NULL) {
		close(fd);
		talloc_free(tmp);
		return NT_STATUS_NO_MEMORY;
	}
	s->conn = r->conn;
	s->uid = (uint16_t)sess->id;
	s->tid = (uint16_t)r->tree->id;
	s->dfd = fd;
	s->root = ondisk[0] == '\0';
	s->ondisk = talloc_strdup(s, ondisk);
	s->pat = talloc_strdup(s, pat);
	do {
		s->sid = ++c1->next_sid;
	} while (s->sid == 0 || s->sid == 0xFFFF ||
		 smb1_search_find(r, s->sid) != NULL);
	s->next = c1->searches;
	if (s->next != NULL) {
		s->next->prev = s;
	}
	c1->searches = s;
	c1->nsearches++;
	talloc_set_destructor(s, search_destructor);
	talloc_free(tmp);
	status = s->ondisk == NULL || s->pat == NULL ? NT_STATUS_NO_MEMORY :
						       search_list(r, s);
	if (status != NT_STATUS_OK) {
		talloc_free(s);
		return status;
	}
	if (s->n == 0) {
		talloc_free(s);
		return NT_STATUS_NO_SUCH_FILE;
	}
	*ps = s;
	return NT_STATUS_OK;
}

bool smb1_search_attr_ok(uint16_t search_attrs, uint32_t attrs)
{
	uint32_t gated = FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM |
			 FILE_ATTRIBUTE_DIRECTORY;
	uint32_t must = (uint32_t)(search_attrs >> 8);

	if ((attrs & gated) & ~(uint32_t)(search_attrs & 0xFF)) {
		return false;
	}
	return (attrs & must) == must;
}

/* A name in the request's encoding; *len its bytes (no NUL). */
static void put_name(struct wire_wr *w, bool unicode, const char *name)
{
	if (unicode) {
		wire_put_utf16(w, name);
	} else {
		wire_put_bytes(w, name, strlen(name));
	}
}

static uint32_t name_len(bool unicode, const char *name)
{
	return unicode ? (uint32_t)utf16_len_of_utf8(name) :
			 (uint32_t)strlen(name);
}

/* One entry at level; false if it does not fit in max bytes of w. */
static bool put_find_entry(struct wire_wr *w, uint16_t level, bool unicode,
			   const char *name, const struct smbd_ntinfo *ni,
			   uint32_t ea_size, size_t max, size_t *last)
{
	size_t start = w->len;
	uint32_t nl = name_len(unicode, name);

	wire_put_u32le(w, 0);		/* NextEntryOffset */
	wire_put_u32le(w, 0);		/* FileIndex */
	if (level == FIND_NAMES_INFO) {
		wire_put_u32le(w, nl);
	} else {
		wire_put_u64le(w, ni->create_time);
		wire_put_u64le(w, ni->access_time);
		wire_put_u64le(w, ni->write_time);
		wire_put_u64le(w, ni->change_time);
		wire_put_u64le(w, ni->end_of_file);
		wire_put_u64le(w, ni->alloc_size);
		wire_put_u32le(w, ni->attrs);
		wire_put_u32le(w, nl);
	}
	if (level != FIND_NAMES_INFO && level != FIND_DIRECTORY_INFO) {
		wire_put_u32le(w, ea_size);
	}
	if (level == FIND_BOTH_DIRECTORY_INFO ||
	    level == FIND_ID_BOTH_DIRECTORY_INFO) {
		wire_put_u8(w, 0);	/* ShortNameLength: no 8.3 names */
		wire_put_u8(w, 0);
		wire_put_zero(w, 24);	/* ShortName */
	}
	if (level == FIND_ID_FULL_DIRECTORY_INFO) {
		wire_put_u32le(w, 0);
		wire_put_u64le(w, ni->file_index);
	} else if (level == FIND_ID_BOTH_DIRECTORY_INFO) {
		wire_put_u16le(w, 0);
		wire_put_u64le(w, ni->file_index);
	}
	put_name(w, unicode, name);
	wire_put_align(w, 8);
	if (wire_wr_error(w) != 0 || w->len > max) {
		w->len = start;
		return false;
	}
	if (*last != SIZE_MAX) {
		wire_patch_u32le(w, *last, (uint32_t)(start - *last));
	}
	*last = start;
	return true;
}

static bool find_level_ok(uint16_t level)
{
	return (level >= FIND_DIRECTORY_INFO &&
		level <= FIND_ID_BOTH_DIRECTORY_INFO) ||
	       level == SMB_INFO_STANDARD || level == SMB_INFO_QUERY_EA_SIZE ||
	       level == SMB_INFO_QUERY_EAS_FROM_LIST;
}

/* How a FIND_FIRST2 or FIND_NEXT2 wants its entries. */
struct find_how {
	uint16_t level;
	uint16_t flags;		/* SMB1_FIND_RETURN_RESUME_KEYS */
	const uint8_t *gea;	/* SMB_INFO_QUERY_EAS_FROM_LIST's names */
	size_t ngea;
};

/* One OS/2-level entry (SMB_INFO_STANDARD, _QUERY_EA_SIZE,
 * _QUERY_EAS_FROM_LIST) of name: 1, 0 if it does not fit in max bytes
 * of w, -1 if its name is too long for the level. Its resume key is the
 * index of the entry after it, plus 1. */
static int put_std_entry(struct smb1_req *r, struct smb1_search *s,
			  const struct find_how *how, const char *at,
			  const struct stat *st, const char *name,
			  const struct smbd_ntinfo *ni, size_t max,
			  struct wire_wr *w)
{
	struct smb1_find_std e = {
		.create_time = ni->create_time,
		.access_time = ni->access_time,
		.write_time = ni->write_time,
		.size = ni->end_of_file > UINT32_MAX ? UINT32_MAX :
			(uint32_t)ni->end_of_file,
		.alloc_size = ni->alloc_size > UINT32_MAX ? UINT32_MAX :
			      (uint32_t)ni->alloc_size,
		.attrs = (uint16_t)(ni->attrs & 0xFFF),
		.name = name,
	};
	struct wire_wr eas = {};
	size_t start = w->len;
	bool ok = false;

	if (how->level == SMB_INFO_QUERY_EA_SIZE) {
		e.ea_size = smbd_ea_size_at_st(s->dfd, at, st);
	} else if (how->level == SMB_INFO_QUERY_EAS_FROM_LIST) {
		/* the EAs only of an entry the session may read them of
		 * (FILE_READ_EA, as an open for them would need) */
		uint32_t allow = (r->tree->maximal_access != 0 ?
				  r->tree->maximal_access : FILE_ALL_ACCESS) &
				 FILE_READ_EA;
		char *path = talloc_asprintf(r, "%s%s%s", s->ondisk,
					     s->ondisk[0] != '\0' ? "/" : "",
					     at);
		bool dir = (ni->attrs & FILE_ATTRIBUTE_DIRECTORY) != 0;
		int fd = -1;

		if (path == NULL ||
		    smbd_acl_open_check(r->tree,
					smbd_acl_token_of(r->tree, r->sess),
					path, dir,
					FILE_READ_EA, 0,
					&allow) != NT_STATUS_OK) {
			allow = 0;
		}
		talloc_free(path);
		if (allow & FILE_READ_EA) {
			fd = openat(s->dfd, at, O_RDONLY | O_NOFOLLOW |
				    O_CLOEXEC | O_NONBLOCK);
		}
		wire_wr_init(&eas, r, SMB1_MAX_TRANS2_REPLY);
		if (fd >= 0) {
			(void)smb1_ea_query_fd(fd, how->gea, how->ngea, &eas);
			close(fd);
		}
		if (eas.len == 0 || wire_wr_error(&eas) != 0) {
			/* an empty SMB_FEA_LIST: its size only */
			eas.len = 0;
			eas.err = 0;
			wire_put_u32le(&eas, 4);
		}
		e.ea_list = eas.buf;
		e.ea_list_len = eas.len;
	}
	ok = smb1_find_std_put(w, how->level, r->unicode,
			       (how->flags & SMB1_FIND_RETURN_RESUME_KEYS) != 0,
			       (uint32_t)s->pos + 2, &e);
	talloc_free(eas.buf);
	if (!ok) {
		return -1;
	}
	if (wire_wr_error(w) != 0 || w->len > max) {
		w->len = start;
		w->err = 0;
		return 0;
	}
	return 1;
}

/*
 * Entries of s from s->pos into data (at most count and max bytes):
 * *got of them, *last_off the last one's offset (its name's, at the
 * OS/2 levels, which have no NextEntryOffset).
 */
static NTSTATUS search_fill(struct smb1_req *r, struct smb1_search *s,
			    const struct find_how *how, uint16_t count,
			    size_t max, struct wire_wr *data, uint16_t *got,
			    uint16_t *last_off)
{
	size_t last = SIZE_MAX;
	bool os2 = how->level < FIND_DIRECTORY_INFO;

	*got = 0;
	while (s->pos < s->n && *got < count) {
		const char *name = s->names[s->pos];
		struct smbd_stat sx;
		struct smbd_ntinfo ni = {};
		const char *at = name;
		size_t start = data->len;

		if (strcmp(name, "..") == 0 && s->root) {
			at = ".";
		}
		if (smbd_stat_at(s->dfd, at, AT_SYMLINK_NOFOLLOW, &sx) != 0) {
			s->pos++;	/* gone since: skip it */
			continue;
		}
		smbd_ntinfo_fill(&sx, name, &ni);
		if (!smb1_search_attr_ok(s->attrs, ni.attrs)) {
			s->pos++;
			continue;
		}
		if (os2) {
			int put = put_std_entry(r, s, how, at, &sx.st, name,
						&ni, max, data);

			if (put < 0) {
				s->pos++;	/* longer than 255 bytes */
				continue;
			}
			if (put == 0) {
				if (*got == 0) {
					return NT_STATUS_BUFFER_OVERFLOW;
				}
				break;
			}
			last = start;
		} else if (!put_find_entry(data, how->level, r->unicode,
					   name, &ni,
					   how->level == FIND_DIRECTORY_INFO ||
					   how->level == FIND_NAMES_INFO ? 0 :
					   smbd_ea_size_at_st(s->dfd, at,
							      &sx.st),
					   max, &last)) {
			if (*got == 0) {
				return NT_STATUS_BUFFER_OVERFLOW;
			}
			break;
		}
		(*got)++;
		s->pos++;
	}
	*last_off = last == SIZE_MAX ? 0 : (uint16_t)last;
	return NT_STATUS_OK;
}

/* ---- the reply ---- */

struct t2 {
	struct smb1_req *r;
	const uint8_t *param;
	size_t nparam;
	const uint8_t *data;
	size_t ndata;
	uint16_t subcommand;
	uint16_t max_param;
	uint16_t max_data;
	struct wire_wr op;	/* reply parameters */
	struct wire_wr od;	/* reply data */
	/* SET_PATH_INFORMATION's: the open set_path made, closed when
	 * done (after a cut on a worker: t2_cut_answer) */
	bool path_open;
	uint16_t level;		/* a set's information level */
	bool cut;		/* t is a cut's on a worker (set_size) */
};

static void t2_put_reply(struct t2 *t)
{
	struct smb1_req *r = t->r;
	size_t pos = 0, poff = 0, doff = 0, at = 0;

	wire_put_u8(&r->out, 10);
	wire_put_u16le(&r->out, (uint16_t)t->op.len);
	wire_put_u16le(&r->out, (uint16_t)t->od.len);
	wire_put_u16le(&r->out, 0);
	wire_put_u16le(&r->out, (uint16_t)t->op.len);
	at = r->out.len;
	wire_put_u16le(&r->out, 0);		/* ParameterOffset */
	wire_put_u16le(&r->out, 0);		/* ParameterDisplacement */
	wire_put_u16le(&r->out, (uint16_t)t->od.len);
	wire_put_u16le(&r->out, 0);		/* DataOffset */
	wire_put_u16le(&r->out, 0);		/* DataDisplacement */
	wire_put_u8(&r->out, 0);		/* SetupCount */
	wire_put_u8(&r->out, 0);
	pos = smb1_bytes_begin(r);
	wire_put_align(&r->out, 4);
	poff = r->out.len;
	wire_put_bytes(&r->out, t->op.buf, t->op.len);
	wire_put_align(&r->out, 4);
	doff = r->out.len;
	wire_put_bytes(&r->out, t->od.buf, t->od.len);
	wire_patch_u16le(&r->out, at, (uint16_t)poff);
	wire_patch_u16le(&r->out, at + 6, (uint16_t)doff);
	smb1_bytes_end(r, pos);
}

/* ---- FIND_FIRST2, FIND_NEXT2, FIND_CLOSE2 ---- */

static size_t t2_max_data(const struct t2 *t)
{
	return t->max_data < SMB1_MAX_TRANS2_REPLY ? t->max_data :
						     SMB1_MAX_TRANS2_REPLY;
}

/* The SMB_GEA_LIST of an SMB_INFO_QUERY_EAS_FROM_LIST request: the
 * TRANS2 data, its first 4 bytes the list's size (checked when it is
 * pulled, entry by entry). */
static void find_how_eas(const struct t2 *t, struct find_how *how)
{
	if (how->level == SMB_INFO_QUERY_EAS_FROM_LIST) {
		how->gea = t->data;
		how->ngea = t->ndata;
	}
}

static NTSTATUS find_first2(struct t2 *t)
{
	struct smb1_req *r = t->r;
	struct smb1_find_first2 f = {};
	struct smb1_search *s = NULL;
	struct find_how how = {};
	uint16_t got = 0, last = 0;
	bool eos = false;
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_find_first2_parse(r, t->param, t->nparam, r->unicode,
				   &f) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* the name is checked before the level (Windows, smbtorture
	 * raw.chkpath: OBJECT_NAME_INVALID for "\\.\\\\." at level 1) */
	status = smb1_search_new(r, f.pattern, &s);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (!find_level_ok(f.level)) {
		talloc_free(s);
		return NT_STATUS_INVALID_LEVEL;
	}
	s->attrs = f.search_attrs;
	how.level = f.level;
	how.flags = f.flags;
	find_how_eas(t, &how);
	status = search_fill(r, s, &how, f.search_count == 0 ? 1 :
			     f.search_count, t2_max_data(t), &t->od, &got,
			     &last);
	if (status == NT_STATUS_OK && got == 0) {
		/* all it matched was left out by SearchAttributes */
		status = NT_STATUS_NO_SUCH_FILE;
	}
	if (status != NT_STATUS_OK) {
		talloc_free(s);
		return status;
	}
	eos = s->pos >= s->n;
	wire_put_u16le(&t->op, s->sid);
	wire_put_u16le(&t->op, got);
	wire_put_u16le(&t->op, eos ? 1 : 0);
	wire_put_u16le(&t->op, 0);		/* EaErrorOffset */
	wire_put_u16le(&t->op, last);
	if ((f.flags & SMB1_FIND_CLOSE_AFTER_REQUEST) ||
	    (eos && (f.flags & SMB1_FIND_CLOSE_AT_EOS))) {
		talloc_free(s);
	}
	return NT_STATUS_OK;
}

/*
 * Where a FIND_NEXT2 goes on from [MS-CIFS 3.3.5.58.4]: after the last
 * entry sent with SMB_FIND_CONTINUE_FROM_LAST; else after the FileName
 * it names (where that name sorts, in the listing as it is now: the
 * entry may be gone, others new); else after the entry whose resume key
 * it gives; else (neither given) after the last one sent.
 */
static NTSTATUS find_next2_seek(struct smb1_req *r, struct smb1_search *s,
				const struct smb1_find_next2 *f)
{
	if (f->flags & SMB1_FIND_CONTINUE_FROM_LAST) {
		return NT_STATUS_OK;
	}
	if (f->name != NULL && f->name[0] != '\0') {
		return smb1_search_seek(r, s, f->name);
	}
	if (f->resume_key != 0 && f->resume_key - 1 <= s->n) {
		s->pos = f->resume_key - 1;
	}
	return NT_STATUS_OK;
}

static NTSTATUS find_next2(struct t2 *t)
{
	struct smb1_req *r = t->r;
	struct smb1_find_next2 f = {};
	struct smb1_search *s = NULL;
	struct find_how how = {};
	uint16_t got = 0, last = 0;
	bool eos = false;
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_find_next2_parse(r, t->param, t->nparam, r->unicode,
				  &f) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (!find_level_ok(f.level)) {
		return NT_STATUS_INVALID_LEVEL;
	}
	s = smb1_search_find(r, f.sid);
	if (s == NULL || s->core) {
		return NT_STATUS_INVALID_HANDLE;
	}
	status = find_next2_seek(r, s, &f);
	if (status != NT_STATUS_OK) {
		return status;
	}
	how.level = f.level;
	how.flags = f.flags;
	find_how_eas(t, &how);
	status = search_fill(r, s, &how, f.search_count == 0 ? 1 :
			     f.search_count, t2_max_data(t), &t->od, &got,
			     &last);
	if (status != NT_STATUS_OK) {
		return status;
	}
	eos = s->pos >= s->n;
	wire_put_u16le(&t->op, got);
	wire_put_u16le(&t->op, eos ? 1 : 0);
	wire_put_u16le(&t->op, 0);
	wire_put_u16le(&t->op, last);
	if ((f.flags & SMB1_FIND_CLOSE_AFTER_REQUEST) ||
	    (eos && (f.flags & SMB1_FIND_CLOSE_AT_EOS))) {
		talloc_free(s);
	}
	return NT_STATUS_OK;
}

NTSTATUS smb1_find_close2(struct smb1_req *r, const struct smb1_block *b)
{
	struct smb1_search *s = NULL;

	if (b->wct != 1) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	s = smb1_search_find(r, smb1_word(b, 0));
	if (s == NULL || s->core) {
		return NT_STATUS_INVALID_HANDLE;
	}
	talloc_free(s);
	wire_put_u8(&r->out, 0);
	smb1_bytes_end(r, smb1_bytes_begin(r));
	return NT_STATUS_OK;
}

/* ---- QUERY_FS_INFORMATION ---- */

static NTSTATUS query_fs(struct t2 *t)
{
	struct smb1_req *r = t->r;
	struct wire_wr *w = &t->od;
	const char *label = r->tree->share->name;
	struct smbd_ntinfo root = {};
	struct statvfs vfs = {};
	uint64_t unit = 0;
	uint16_t level = 0;

	if (t->nparam < 2) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	level = wire_le16(t->param);
	if (r->tree->root_fd < 0) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	if (fstatvfs(r->tree->root_fd, &vfs) != 0) {
		return smbd_map_errno(errno);
	}
	unit = vfs.f_frsize != 0 ? vfs.f_frsize : vfs.f_bsize;
	if (unit < BYTES_PER_SECTOR || unit % BYTES_PER_SECTOR != 0) {
		unit = 4096;
	}
	if (smbd_ntinfo_fd(r->tree->root_fd, "", &root) != 0) {
		root.create_time = r->conn->srv->start_time_nt;
	}
	switch (level) {
	case FS_INFO_ALLOCATION:
		wire_put_u32le(w, 0);		/* idFileSystem */
		wire_put_u32le(w, (uint32_t)(unit / BYTES_PER_SECTOR));
		wire_put_u32le(w, vfs.f_blocks > UINT32_MAX ? UINT32_MAX :
				  (uint32_t)vfs.f_blocks);
		wire_put_u32le(w, vfs.f_bavail > UINT32_MAX ? UINT32_MAX :
				  (uint32_t)vfs.f_bavail);
		wire_put_u16le(w, BYTES_PER_SECTOR);
		break;
	case FS_INFO_VOLUME:
		wire_put_u32le(w, smbd_fs_volume_serial(r->tree));
		wire_put_u8(w, (uint8_t)name_len(r->unicode, label));
		put_name(w, r->unicode, label);
		break;
	case FS_QUERY_VOLUME_INFO:
	case PASSTHROUGH + FSCC_FS_VOLUME:
		wire_put_u64le(w, root.create_time);
		wire_put_u32le(w, smbd_fs_volume_serial(r->tree));
		wire_put_u32le(w, name_len(true, label));
		wire_put_u16le(w, 0);		/* Reserved */
		wire_put_utf16(w, label);
		break;
	case FS_QUERY_SIZE_INFO:
	case PASSTHROUGH + FSCC_FS_SIZE:
		wire_put_u64le(w, vfs.f_blocks);
		wire_put_u64le(w, vfs.f_bavail);
		wire_put_u32le(w, (uint32_t)(unit / BYTES_PER_SECTOR));
		wire_put_u32le(w, BYTES_PER_SECTOR);
		break;
	case PASSTHROUGH + FSCC_FS_FULL_SIZE:
		wire_put_u64le(w, vfs.f_blocks);
		wire_put_u64le(w, vfs.f_bavail);
		wire_put_u64le(w, vfs.f_bfree);
		wire_put_u32le(w, (uint32_t)(unit / BYTES_PER_SECTOR));
		wire_put_u32le(w, BYTES_PER_SECTOR);
		break;
	case FS_QUERY_DEVICE_INFO:
	case PASSTHROUGH + FSCC_FS_DEVICE:
		wire_put_u32le(w, SMBD_FILE_DEVICE_DISK);
		wire_put_u32le(w, FILE_DEVICE_IS_MOUNTED);
		break;
	case FS_QUERY_ATTRIBUTE_INFO:
	case PASSTHROUGH + FSCC_FS_ATTRIBUTE:
		wire_put_u32le(w, FILE_CASE_PRESERVED_NAMES |
				  FILE_UNICODE_ON_DISK |
				  FILE_SUPPORTS_SPARSE_FILES);
		wire_put_u32le(w, 255);
		wire_put_u32le(w, name_len(true, "NTFS"));
		wire_put_utf16(w, "NTFS");
		break;
	case PASSTHROUGH + FSCC_FS_CONTROL:
		smbd_fs_put_control(w);
		break;
	case PASSTHROUGH + FSCC_FS_OBJECTID:
		smbd_fs_put_object_id(w, r->tree);
		break;
	default:
		return NT_STATUS_INVALID_LEVEL;
	}
	return NT_STATUS_OK;
}

/* ---- QUERY_PATH_INFORMATION and QUERY_FILE_INFORMATION ---- */

static void put_times(struct wire_wr *w, const struct smbd_ntinfo *ni)
{
	wire_put_u64le(w, ni->create_time);
	wire_put_u64le(w, ni->access_time);
	wire_put_u64le(w, ni->write_time);
	wire_put_u64le(w, ni->change_time);
}

/* SMB_DATE then SMB_TIME of an NT time (UTC, as negotiated) */
static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* The client's view of op's name: "\dir\name". */
static char *op_client_path(TALLOC_CTX *mem, const struct smbd_open *op)
{
	char *s = talloc_asprintf(mem, "\\%s", op->path);
	char *p = s;

	for (; p != NULL && *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\\';
		}
	}
	return s;
}

/* The EaSize of a stream open's file (0 when its base cannot be had). */
static uint32_t stream_ea_size(const struct smbd_open *op)
{
	struct stat st;
	int fd = streams_base_fd(op, &st);
	uint32_t size = 0;

	if (fd >= 0) {
		size = smbd_ea_size_fd(fd);
		close(fd);
	}
	return size;
}

static NTSTATUS query_file(struct t2 *t, struct smbd_open *op,
			   uint16_t level)
{
	struct wire_wr *w = &t->od;
	struct smbd_ntinfo ni = {};
	struct smb1_find_std std = {};
	/* a stream whose file is being deleted is too (as Windows 2008) */
	bool pending = (op->file != NULL && op->file->delete_pending) ||
		       (op->stream != NULL &&
			streams_base_doomed(op->base_dev, op->base_ino));
	NTSTATUS status = NT_STATUS_OK;
	uint32_t links, ea_size = 0;
	char *name = NULL;

	if (level == SMB_INFO_QUERY_EAS_FROM_LIST ||
	    level == SMB_INFO_QUERY_ALL_EAS) {
		/* [MS-CIFS 2.2.8.3.3-4]: an SMB_FEA_LIST; none of a
		 * stream's (Windows: INVALID_PARAMETER) */
		if (op->stream != NULL) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		status = smb1_ea_query(op, level == SMB_INFO_QUERY_ALL_EAS ?
				       NULL : t->data, t->ndata, w);
		if (status == NT_STATUS_OK) {
			wire_put_u16le(&t->op, 0);	/* EaErrorOffset */
		}
		return status;
	}
	if (streams_open_ntinfo(op, &ni) != 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	/* NumberOfLinks leaves out the link being deleted [MS-FSA
	 * 2.1.5.11.27] */
	links = pending && ni.nlink > 0 ? ni.nlink - 1 : ni.nlink;
	/* one EaSize at every level, as SMB2's (FILE_FULL_EA_INFORMATION);
	 * a stream's is its file's: EAs belong to the file [MS-FSA 2.1.1.3] */
	ea_size = op->stream != NULL ? stream_ea_size(op) :
				       smbd_ea_size_fd(op->fd);
	switch (level) {
	case SMB_INFO_STANDARD:
	case SMB_INFO_QUERY_EA_SIZE:
		/* [MS-CIFS 2.2.8.3.1-2]: DOS dates, 32-bit sizes */
		std.create_time = ni.create_time;
		std.access_time = ni.access_time;
		std.write_time = ni.write_time;
		std.size = clamp32(ni.end_of_file);
		std.alloc_size = clamp32(ni.alloc_size);
		std.attrs = (uint16_t)ni.attrs;
		smb1_info_standard_put(w, &std);
		if (level == SMB_INFO_QUERY_EA_SIZE) {
			wire_put_u32le(w, ea_size);
		}
		break;
	case QUERY_FILE_BASIC_INFO:
	case PASSTHROUGH + FSCC_BASIC:
		put_times(w, &ni);
		wire_put_u32le(w, ni.attrs);
		wire_put_u32le(w, 0);
		break;
	case QUERY_FILE_STANDARD_INFO:
	case PASSTHROUGH + FSCC_STANDARD:
		wire_put_u64le(w, ni.alloc_size);
		wire_put_u64le(w, ni.end_of_file);
		wire_put_u32le(w, links);
		wire_put_u8(w, pending ? 1 : 0);
		wire_put_u8(w, ni.is_dir ? 1 : 0);
		wire_put_u16le(w, 0);	/* clients read 24 bytes either way */
		break;
	case PASSTHROUGH + FSCC_INTERNAL:
		wire_put_u64le(w, ni.file_index);
		break;
	case QUERY_FILE_EA_INFO:
	case PASSTHROUGH + FSCC_EA:
		wire_put_u32le(w, ea_size);
		break;
	case PASSTHROUGH + FSCC_ACCESS:
		wire_put_u32le(w, op->access);
		break;
	case PASSTHROUGH + FSCC_POSITION:
		wire_put_u64le(w, op->position);
		break;
	case PASSTHROUGH + FSCC_MODE:
		wire_put_u32le(w, op->mode);
		break;
	case PASSTHROUGH + FSCC_ALIGNMENT:
		wire_put_u32le(w, 0);
		break;
	case QUERY_FILE_NAME_INFO:
	case PASSTHROUGH + FSCC_NAME:
		/* [MS-CIFS 2.2.8.3.9]: FileNameLength, FileName in UTF-16
		 * whatever the request's encoding */
		name = op_client_path(t->r, op);
		if (name == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		wire_put_u32le(w, name_len(true, name));
		wire_put_utf16(w, name);
		break;
	case QUERY_FILE_ALL_INFO:
	case PASSTHROUGH + FSCC_ALL:
		/*
		 * [MS-CIFS 2.2.8.3.10], UTF-16 FileName. Over SMB1 the
		 * pass-through FileAllInformation has this same layout, not
		 * [MS-FSCC 2.4.2]'s (no index, access, position, mode or
		 * alignment; what Windows answers and clients parse).
		 */
		name = op_client_path(t->r, op);
		if (name == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		put_times(w, &ni);
		wire_put_u32le(w, ni.attrs);
		wire_put_u32le(w, 0);
		wire_put_u64le(w, ni.alloc_size);
		wire_put_u64le(w, ni.end_of_file);
		wire_put_u32le(w, links);
		wire_put_u8(w, pending ? 1 : 0);
		wire_put_u8(w, ni.is_dir ? 1 : 0);
		wire_put_u16le(w, 0);
		wire_put_u32le(w, ea_size);
		wire_put_u32le(w, name_len(true, name));
		wire_put_utf16(w, name);
		break;
	case QUERY_FILE_ALT_NAME_INFO:
	case PASSTHROUGH + FSCC_ALT_NAME:
		/* no 8.3 names (as SMB2 QUERY_INFO answers) */
		return NT_STATUS_NOT_IMPLEMENTED;
	case QUERY_FILE_STREAM_INFO:
	case PASSTHROUGH + FSCC_STREAM:
		status = streams_put_info(w, op, &ni);
		if (status != NT_STATUS_OK) {
			return status;
		}
		break;
	case QUERY_FILE_COMPRESSION_INFO:
	case PASSTHROUGH + FSCC_COMPRESSION:
		wire_put_u64le(w, ni.end_of_file);
		wire_put_u16le(w, 0);		/* COMPRESSION_FORMAT_NONE */
		wire_put_zero(w, 6);
		break;
	case PASSTHROUGH + FSCC_NETWORK_OPEN:
		put_times(w, &ni);
		wire_put_u64le(w, ni.alloc_size);
		wire_put_u64le(w, ni.end_of_file);
		wire_put_u32le(w, ni.attrs);
		wire_put_u32le(w, 0);
		break;
	case PASSTHROUGH + FSCC_ATTRIBUTE_TAG:
		wire_put_u32le(w, ni.attrs);
		wire_put_u32le(w, 0);
		break;
	default:
		return NT_STATUS_INVALID_LEVEL;
	}
	wire_put_u16le(&t->op, 0);		/* EaErrorOffset */
	return NT_STATUS_OK;
}

static NTSTATUS query_path(struct t2 *t)
{
	struct smbd_open *op = NULL;
	uint16_t level = 0;
	char *name = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_path_info_parse(t->r, t->param, t->nparam, t->r->unicode,
				 &level, &name) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (level == SMB_INFO_IS_NAME_VALID) {
		/* [MS-CIFS 2.2.8.3.5]: the name's syntax only, no data */
		char *rel = NULL;

		status = vfs_canonicalize(t->r, name, false, &rel);
		if (status == NT_STATUS_OK) {
			wire_put_u16le(&t->op, 0);	/* EaErrorOffset */
		}
		return status;
	}
	status = smb1_open_path(t->r, name,
				level == SMB_INFO_QUERY_EAS_FROM_LIST ||
				level == SMB_INFO_QUERY_ALL_EAS ?
				FILE_READ_EA : FILE_READ_ATTRIBUTES, FILE_OPEN,
				0, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = query_file(t, op, level);
	talloc_free(op);
	return status;
}

/*
 * A named pipe answers what Windows' pipes do (smbtorture
 * raw.qfileinfo.ipc): basic (no times, FILE_ATTRIBUTE_NORMAL) and
 * standard (one 4096-byte unit, one link, delete pending as a pipe
 * goes with its last handle); the rest are not supported.
 */
static NTSTATUS query_pipe(struct t2 *t, uint16_t level)
{
	struct wire_wr *w = &t->od;

	switch (level) {
	case QUERY_FILE_BASIC_INFO:
	case PASSTHROUGH + FSCC_BASIC:
		for (int i = 0; i < 4; i++) {
			wire_put_u64le(w, 0);
		}
		wire_put_u32le(w, 0x80);	/* FILE_ATTRIBUTE_NORMAL */
		wire_put_u32le(w, 0);
		return NT_STATUS_OK;
	case QUERY_FILE_STANDARD_INFO:
	case PASSTHROUGH + FSCC_STANDARD:
		wire_put_u64le(w, 4096);
		wire_put_u64le(w, 0);
		wire_put_u32le(w, 1);
		wire_put_u8(w, 1);
		wire_put_u8(w, 0);
		wire_put_u16le(w, 0);
		return NT_STATUS_OK;
	}
	return NT_STATUS_NOT_SUPPORTED;
}

static NTSTATUS query_fid(struct t2 *t)
{
	struct smbd_open *op = NULL;

	if (t->nparam < 4) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	op = smb1_fid_find(t->r, wire_le16(t->param));
	if (op == NULL) {
		return NT_STATUS_INVALID_HANDLE;
	}
	if (op->pipe != NULL) {
		return query_pipe(t, wire_le16(t->param + 2));
	}
	if (op->fd < 0) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	return query_file(t, op, wire_le16(t->param + 2));
}

/* ---- SET_PATH_INFORMATION and SET_FILE_INFORMATION ---- */

/* The access a set level needs through a path. */
static uint32_t set_access(uint16_t level)
{
	switch (level) {
	case SET_FILE_DISPOSITION_INFO:
	case PASSTHROUGH + FSCC_DISPOSITION:
	case PASSTHROUGH + FSCC_RENAME:
		return SEC_STD_DELETE;
	case SET_FILE_END_OF_FILE_INFO:
	case PASSTHROUGH + FSCC_EOF:
	case SET_FILE_ALLOCATION_INFO:
	case PASSTHROUGH + FSCC_ALLOCATION:
		return FILE_WRITE_DATA;
	case SMB_INFO_SET_EAS:
		return FILE_WRITE_EA;
	default:
		return FILE_WRITE_ATTRIBUTES;
	}
}

static NTSTATUS t2_cut_answer(void *st, struct smb1_req *r,
			      struct smbd_open *op, int ret);

/*
 * The size of op's file becomes len (fs/openpath.h: a write time set
 * through op stays). A cut that frees SMBD_TRUNC_OFFLOAD_MIN or more
 * runs on a worker (smb1_cut_send): PENDING, t is the cut's then and
 * t2_cut_answer answers.
 */
static NTSTATUS set_size(struct t2 *t, struct smbd_open *op, uint64_t len)
{
	NTSTATUS status = smb1_cut_send(t, t->r, op, len, t2_cut_answer);
	int rc = 0;

	if (status == NT_STATUS_PENDING) {
		t->cut = true;
		return status;
	}
	/* a small cut, growth, or no job to be had: here */
	rc = smbd_open_set_size(op, len);
	return rc != 0 ? smbd_map_errno(-rc) : NT_STATUS_OK;
}

static NTSTATUS set_file(struct t2 *t, struct smbd_open *op, uint16_t level)
{
	const uint8_t *d = t->data;
	size_t n = t->ndata;
	uint64_t eof = 0;

	if (t->r->tree->read_only) {
		return NT_STATUS_ACCESS_DENIED;
	}
	switch (level) {
	case SMB_INFO_STANDARD: {
		/* [MS-CIFS 2.2.8.4.1]: SMB_DATE, SMB_TIME of creation, last
		 * access and last write; a zero pair leaves that time */
		uint64_t c = 0, a = 0, w = 0;

		if (n < 12) {
			return NT_STATUS_INFO_LENGTH_MISMATCH;
		}
		if ((op->access & FILE_WRITE_ATTRIBUTES) == 0) {
			return NT_STATUS_ACCESS_DENIED;
		}
		c = smb1_dos_to_nt(wire_le16(d), wire_le16(d + 2));
		a = smb1_dos_to_nt(wire_le16(d + 4), wire_le16(d + 6));
		w = smb1_dos_to_nt(wire_le16(d + 8), wire_le16(d + 10));
		return smbd_open_set_basic(op, c, a, w, 0, 0);
	}
	case SMB_INFO_SET_EAS:
		/* [MS-CIFS 2.2.8.4.2]: an SMB_FEA_LIST; a stream has no
		 * EAs of its own (Windows: INVALID_PARAMETER) */
		if (op->stream != NULL) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		return smb1_ea_set(op, d, n);
	case SET_FILE_BASIC_INFO:
	case PASSTHROUGH + FSCC_BASIC:
		if (n < 36) {
			return NT_STATUS_INFO_LENGTH_MISMATCH;
		}
		if ((op->access & FILE_WRITE_ATTRIBUTES) == 0) {
			return NT_STATUS_ACCESS_DENIED;
		}
		return smbd_open_set_basic(op, wire_le64(d), wire_le64(d + 8),
					   wire_le64(d + 16),
					   wire_le64(d + 24),
					   wire_le32(d + 32));
	case SET_FILE_DISPOSITION_INFO:
	case PASSTHROUGH + FSCC_DISPOSITION:
		if (n < 1) {
			return NT_STATUS_INFO_LENGTH_MISMATCH;
		}
		return smbd_open_set_delete_pending(op, d[0] != 0);
	case SET_FILE_ALLOCATION_INFO:
	case PASSTHROUGH + FSCC_ALLOCATION: {
		struct smbd_stat sx = {};
		const struct stat *st = &sx.st;
		int rc = 0;

		if (n < 8) {
			return NT_STATUS_INFO_LENGTH_MISMATCH;
		}
		if ((op->access & FILE_WRITE_DATA) == 0) {
			return NT_STATUS_ACCESS_DENIED;
		}
		eof = wire_le64(d);
		if (op->is_dir || eof > (uint64_t)INT64_MAX) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		/* below EOF it cuts the file [MS-FSA 2.1.5.15.1]; data
		 * blocks only, as AllocationSize shows them (fileinfo.h) */
		rc = smbd_stat_fd(op->fd, &sx);
		if (rc != 0) {
			return smbd_map_errno(-rc);
		}
		if (eof < (uint64_t)st->st_size) {
			return set_size(t, op, eof);
		}
		/* above EOF: reserve the blocks, the size stays */
		if (eof > smbd_alloc_size(st) &&
		    fallocate(op->fd, FALLOC_FL_KEEP_SIZE, 0,
			      (off_t)eof) != 0 &&
		    errno != EOPNOTSUPP && errno != ENOSYS) {
			return smbd_map_errno(errno);
		}
		return NT_STATUS_OK;
	}
	case PASSTHROUGH + FSCC_MODE: {
		/* [MS-FSCC 2.4.31]: the bits a client may set, not both
		 * synchronous ones */
		const uint32_t sync = 0x10 | 0x20;
		const uint32_t settable = FILE_WRITE_THROUGH |
					  FILE_SEQUENTIAL_ONLY |
					  FILE_NO_INTERMEDIATE_BUFFERING | sync;

		if (n < 4) {
			return NT_STATUS_INFO_LENGTH_MISMATCH;
		}
		if ((wire_le32(d) & ~settable) != 0 ||
		    (wire_le32(d) & sync) == sync) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		op->mode = wire_le32(d);
		return NT_STATUS_OK;
	}
	case SET_FILE_END_OF_FILE_INFO:
	case PASSTHROUGH + FSCC_EOF:
		if (n < 8) {
			return NT_STATUS_INFO_LENGTH_MISMATCH;
		}
		if ((op->access & FILE_WRITE_DATA) == 0 || op->is_dir) {
			return NT_STATUS_ACCESS_DENIED;
		}
		eof = wire_le64(d);
		if (eof > (uint64_t)INT64_MAX) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		return set_size(t, op, eof);
	case PASSTHROUGH + FSCC_POSITION:
		if (n < 8) {
			return NT_STATUS_INFO_LENGTH_MISMATCH;
		}
		if (wire_le64(d) > (uint64_t)INT64_MAX) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		op->position = wire_le64(d);
		return NT_STATUS_OK;
	case PASSTHROUGH + FSCC_RENAME: {
		/* SMB1 form: ReplaceIfExists, 3 reserved, RootDirectory (4),
		 * FileNameLength (4), FileName */
		char *name = NULL, *rel = NULL;
		const char *slash = NULL;
		uint32_t len = 0;
		NTSTATUS status = NT_STATUS_OK;

		if (n < 12) {
			return NT_STATUS_INFO_LENGTH_MISMATCH;
		}
		len = wire_le32(d + 8);
		if (wire_le32(d + 4) != 0 || len > n - 12 || len == 0) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		if ((t->r->unicode ? utf16le_to_utf8(t->r, d + 12, len &
						      ~1u, &name) :
		     ((name = talloc_strndup(t->r, (const char *)d + 12,
					     len)) == NULL)) != 0) {
			return NT_STATUS_OBJECT_NAME_INVALID;
		}
		if (strchr(name, '\\') != NULL) {
			/* FileName is a Filename [MS-FSCC 2.4.42.1, 2.1.5.2],
			 * not a path: one with a separator is refused as
			 * SMB2 refuses it [MS-SMB2 3.3.5.21.1], for a
			 * stream's "<file>:<stream>" too (raw.streams) */
			return NT_STATUS_NOT_SUPPORTED;
		}
		if (name[0] == ':' ||
		    (op->stream != NULL && strchr(name, ':') != NULL)) {
			/* a stream's new name (fs/streams.h) */
			return streams_rename(op, name, d[0] != 0);
		}
		if (op->stream != NULL) {
			/* streams are renamed within their file only */
			return NT_STATUS_INVALID_PARAMETER;
		}
		/* a bare name renames within the directory */
		slash = strrchr(op->path, '/');
		name = talloc_asprintf(t->r, "%.*s\\%s", slash != NULL ?
				       (int)(slash - op->path) : 0, op->path,
				       name);
		if (name == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		status = vfs_canonicalize(t->r, name, false, &rel);
		if (status != NT_STATUS_OK) {
			return status;
		}
		return smbd_open_rename(op, name, rel, d[0] != 0, NULL, NULL);
	}
	default:
		return NT_STATUS_INVALID_LEVEL;
	}
}

/*
 * The open a set by path makes closes at once, and unused allocation
 * beyond EOF is freed on close [MS-FSCC 2.4.4, MS-CIFS 2.2.8.4.5]: a
 * truncate to the same size gives back blocks reserved past it (ext4,
 * xfs). Best effort: the set itself succeeded.
 */
static void release_beyond_eof(int fd)
{
	struct stat st = {};

	if (fstat(fd, &st) == 0) {
		(void)ftruncate(fd, st.st_size);
	}
}

static bool level_is_allocation(uint16_t level)
{
	return level == SET_FILE_ALLOCATION_INFO ||
	       level == PASSTHROUGH + FSCC_ALLOCATION;
}

/* After set_path's set through op (status): close op, first giving
 * back what an allocation left beyond EOF. */
static void set_path_close(struct t2 *t, struct smbd_open *op,
			   NTSTATUS status)
{
	if (status == NT_STATUS_OK && op->fd >= 0 &&
	    level_is_allocation(t->level)) {
		release_beyond_eof(op->fd);
	}
	talloc_free(op);
}

static NTSTATUS set_path(struct t2 *t)
{
	struct smbd_open_args a = {
		.share = FILE_SHARE_READ | FILE_SHARE_WRITE |
			 FILE_SHARE_DELETE,
		.disposition = FILE_OPEN,
		.changes = true,
	};
	struct smbd_open *op = NULL;
	uint16_t level = 0;
	char *name = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_path_info_parse(t->r, t->param, t->nparam, t->r->unicode,
				 &level, &name) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	a.name = name;
	a.desired = set_access(level);
	/* a set info by name breaks oplocks to none, not level II as an
	 * open would (smbtorture raw.oplock.exclusive3, batch11); a
	 * rename breaks batch oplocks only (smbtorture raw.rename
	 * .trans2rename, raw.oplock.batch20) */
	a.renames = level == PASSTHROUGH + FSCC_RENAME;
	status = smb1_open_path_args(t->r, &a, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	/* Windows takes SMB_SET_FILE_END_OF_FILE_INFO by FID only, after
	 * the open (a conflicting one is SHARING_VIOLATION first; smbtorture
	 * raw.sfileinfo.end-of-file); the pass-through level 1020 works */
	t->path_open = true;
	t->level = level;
	status = level == SET_FILE_END_OF_FILE_INFO ?
		 NT_STATUS_INVALID_LEVEL : set_file(t, op, level);
	if (t->cut) {
		/* a cut on a worker: op stays open (its share modes hold)
		 * until t2_cut_answer */
		return status;
	}
	set_path_close(t, op, status);
	if (status == NT_STATUS_OK) {
		wire_put_u16le(&t->op, 0);
	}
	return status;
}

static NTSTATUS set_fid(struct t2 *t)
{
	struct smbd_open *op = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (t->nparam < 4) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	op = smb1_fid_find(t->r, wire_le16(t->param));
	if (op == NULL) {
		return NT_STATUS_INVALID_HANDLE;
	}
	if (op->fd < 0) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	t->level = wire_le16(t->param + 2);
	status = set_file(t, op, t->level);
	if (status == NT_STATUS_OK) {
		wire_put_u16le(&t->op, 0);
	}
	return status;
}

/* ---- TRANS2_OPEN2 and TRANS2_CREATE_DIRECTORY ---- */

/* What the reply of an OPEN2 needs after the open (a talloc state). */
struct open2_state {
	uint16_t access_mode;	/* as asked, with the access class granted */
	bool fail_if_exists;	/* OpenMode 0: neither open nor create */
	struct fscc_ea *eas;
	size_t neas;
};

/* [MS-CIFS 2.2.6.1.2]: the open's FID and what it found, as params */
static NTSTATUS open2_reply(struct smb1_req *r, struct smbd_open *op,
			    uint32_t action, void *priv)
{
	const uint64_t epoch = 116444736000000000ULL;
	struct open2_state *o = priv;
	struct smbd_ntinfo ni = {};
	struct t2 t = { .r = r };
	NTSTATUS status = NT_STATUS_OK;

	if (o->fail_if_exists) {
		return NT_STATUS_OBJECT_NAME_COLLISION;
	}
	status = smb1_fid_check(r, op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	/* the EAs go on a file this open made or replaced */
	if (o->neas != 0 && action != FILE_WAS_OPENED) {
		status = smbd_ea_apply(op->fd, o->eas, o->neas);
		if (status != NT_STATUS_OK) {
			return status;
		}
	}
	(void)streams_open_ntinfo(op, &ni);
	wire_wr_init(&t.op, r, 0);
	wire_wr_init(&t.od, r, 0);
	wire_put_u16le(&t.op, (uint16_t)op->fid_volatile);
	wire_put_u16le(&t.op, (uint16_t)(ni.attrs & 0x37));
	wire_put_u32le(&t.op, ni.create_time <= epoch ? 0 :
			      (uint32_t)((ni.create_time - epoch) / 10000000));
	wire_put_u32le(&t.op, clamp32(ni.end_of_file));
	wire_put_u16le(&t.op, o->access_mode & 0x7F);
	wire_put_u16le(&t.op, 0);		/* ResourceType: disk */
	wire_put_u16le(&t.op, 0);		/* NMPipeStatus */
	/* ActionTaken: 1 opened, 2 created, 3 truncated */
	wire_put_u16le(&t.op, action == FILE_WAS_CREATED ? 2 :
			      action == FILE_WAS_OPENED ? 1 : 3);
	wire_put_u32le(&t.op, 0);		/* Reserved */
	wire_put_u16le(&t.op, 0);		/* ExtendedAttributeErrorOffset */
	wire_put_u32le(&t.op, smbd_ea_size_fd(op->fd));
	if (wire_wr_error(&t.op) != 0) {
		return NT_STATUS_NO_MEMORY;
	}
	t2_put_reply(&t);
	return NT_STATUS_OK;
}

static NTSTATUS open2(struct t2 *t)
{
	static const uint32_t access[4] = {
		GENERIC_READ_ACCESS, GENERIC_WRITE_ACCESS,
		GENERIC_READ_ACCESS | GENERIC_WRITE_ACCESS,
		GENERIC_READ_ACCESS | GENERIC_EXECUTE_ACCESS,
	};
	struct smb1_req *r = t->r;
	struct smb1_open2 p = {};
	struct smb1_dos_open dos = {};
	struct open2_state *o = NULL;
	struct smbd_open_args a = {};
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_open2_parse(r, t->param, t->nparam, r->unicode, &p) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	o = talloc_zero(r, struct open2_state);
	if (o == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	/* OpenMode as OPEN_ANDX's; 0 (fail either way) opens to tell
	 * which failure it is */
	switch (p.open_mode & 0x13) {
	case 0x00:
		o->fail_if_exists = true;
		a.disposition = FILE_OPEN;
		break;
	case 0x10:
		a.disposition = FILE_CREATE;
		break;
	case 0x11:
		a.disposition = FILE_OPEN_IF;
		break;
	case 0x12:
		a.disposition = FILE_OVERWRITE_IF;
		break;
	case 0x01:
		a.disposition = FILE_OPEN;
		break;
	default:
		a.disposition = FILE_OVERWRITE;
		break;
	}
	status = smb1_ea_take(o, t->data, t->ndata, &o->eas, &o->neas);
	if (status == NT_STATUS_OK &&
	    smb1_dos_open_map(p.access_mode, p.name, &dos) != 0) {
		status = NT_STATUS_INVALID_PARAMETER;
	}
	if (status != NT_STATUS_OK) {
		talloc_free(o);
		return status;
	}
	o->access_mode = (uint16_t)((p.access_mode & ~0x7) |
				    dos.access_class);
	a.name = p.name;
	a.desired = access[dos.access_class] |
		    (o->neas != 0 ? FILE_WRITE_EA : 0);
	a.attrs = p.attrs & 0x27;
	a.share = dos.share;
	a.options = FILE_NON_DIRECTORY_FILE |
		    ((p.access_mode & 0x4000) ? FILE_WRITE_THROUGH : 0);
	a.alloc_size = p.alloc_size;
	a.compat_conn = dos.dos_or_fcb ? r->conn : NULL;
	a.compat_pid = r->hdr.pid;
	a.compat_exclusive = dos.exclusive;
	return smb1_open_run_priv(r, &a, o, open2_reply);
}

static NTSTATUS mkdir2(struct t2 *t)
{
	struct smb1_req *r = t->r;
	struct smbd_open *op = NULL;
	struct fscc_ea *eas = NULL;
	size_t neas = 0;
	char *name = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_mkdir2_parse(r, t->param, t->nparam, r->unicode,
			      &name) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = smb1_ea_take(r, t->data, t->ndata, &eas, &neas);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smb1_open_path(r, name, FILE_READ_ATTRIBUTES |
				(neas != 0 ? FILE_WRITE_EA : 0), FILE_CREATE,
				FILE_DIRECTORY_FILE, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (neas != 0) {
		status = smbd_ea_apply(op->fd, eas, neas);
	}
	talloc_free(op);
	if (status == NT_STATUS_OK) {
		wire_put_u16le(&t->op, 0);	/* EaErrorOffset */
	}
	return status;
}

/* ---- dispatch and reassembly ---- */

/* The reply of t's subcommand, which ended with status. */
static NTSTATUS t2_answer(struct t2 *t, NTSTATUS status)
{
	struct smb1_req *r = t->r;

	if (status == NT_STATUS_INVALID_EA_NAME) {
		/* a warning: clients read the reply's EaErrorOffset */
		t->op.len = 0;
		t->od.len = 0;
		wire_put_u16le(&t->op, 0);
		t2_put_reply(t);
		r->keep_block = true;
		return status;
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (wire_wr_error(&t->op) != 0 || wire_wr_error(&t->od) != 0) {
		return NT_STATUS_NO_MEMORY;
	}
	if (t->od.len > t->max_data || t->op.len > t->max_param) {
		return NT_STATUS_BUFFER_OVERFLOW;
	}
	t2_put_reply(t);
	return NT_STATUS_OK;
}

static NTSTATUS t2_run(struct t2 *t)
{
	struct smb1_req *r = t->r;
	NTSTATUS status = NT_STATUS_OK;

	/* on IPC$: the file system's, and a pipe's own information */
	if (r->tree->share->type == WG_SHARE_IPC &&
	    t->subcommand != SMB1_TRANS2_QUERY_FS_INFORMATION &&
	    t->subcommand != SMB1_TRANS2_QUERY_FILE_INFORMATION) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	wire_wr_init(&t->op, r, 0);
	wire_wr_init(&t->od, r, 0);
	switch (t->subcommand) {
	case SMB1_TRANS2_OPEN2:
		/* its reply is written once the open is made */
		return open2(t);
	case SMB1_TRANS2_CREATE_DIRECTORY:
		status = mkdir2(t);
		break;
	case SMB1_TRANS2_FIND_FIRST2:
		status = find_first2(t);
		break;
	case SMB1_TRANS2_FIND_NEXT2:
		status = find_next2(t);
		break;
	case SMB1_TRANS2_QUERY_FS_INFORMATION:
		status = query_fs(t);
		break;
	case SMB1_TRANS2_QUERY_PATH_INFORMATION:
		status = query_path(t);
		break;
	case SMB1_TRANS2_QUERY_FILE_INFORMATION:
		status = query_fid(t);
		break;
	case SMB1_TRANS2_SET_PATH_INFORMATION:
		status = set_path(t);
		break;
	case SMB1_TRANS2_SET_FILE_INFORMATION:
		status = set_fid(t);
		break;
	default:
		DBG_CLIENT(PROTO, "%s: TRANS2 subcommand 0x%04x not served",
			   r->conn->peer_addr, t->subcommand);
		return NT_STATUS_NOT_SUPPORTED;
	}
	if (status == NT_STATUS_PENDING) {
		/* a cut on a worker (t->cut: t2_cut_answer answers), or a
		 * wait for oplock breaks (the command runs again) */
		return status;
	}
	return t2_answer(t, status);
}

/* A set's cut on a worker is done (smb1_cut_send): t's reply. */
static NTSTATUS t2_cut_answer(void *st, struct smb1_req *r,
			      struct smbd_open *op, int ret)
{
	struct t2 *t = st;
	NTSTATUS status = ret != 0 ? smbd_map_errno(-ret) : NT_STATUS_OK;

	if (t->path_open && op != NULL) {
		set_path_close(t, op, status);
	}
	if (status == NT_STATUS_OK) {
		wire_put_u16le(&t->op, 0);
	}
	return t2_answer(t, status);
}

NTSTATUS smb1_trans2(struct smb1_req *r, const struct smb1_block *b)
{
	struct smb1_trans2 tp = {};
	struct smb1_trans_piece piece = {};
	struct t2 *t = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_trans2_parse(r->in, r->in_len, b, false, &tp) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (tp.param_count == tp.total_param &&
	    tp.data_count == tp.total_data) {
		/* on the heap: a set's cut on a worker answers from it
		 * later (t2_cut_answer); the rest is r's (r->in too) */
		t = talloc_zero(r, struct t2);
		if (t == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		t->r = r;
		t->subcommand = tp.subcommand;
		t->max_param = tp.max_param;
		t->max_data = tp.max_data;
		t->param = r->in + tp.param_off;
		t->nparam = tp.param_count;
		t->data = r->in + tp.data_off;
		t->ndata = tp.data_count;
		status = t2_run(t);
		if (status != NT_STATUS_PENDING || !t->cut) {
			talloc_free(t);	/* else the cut's (smb1_cut_send) */
		}
		return status;
	}
	/* in pieces: the rest comes in TRANSACTION2_SECONDARY requests */
	smb1_trans2_piece(&tp, &piece);
	return smb1_trans_start(r, b, &piece);
}
