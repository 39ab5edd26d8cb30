/*
 * path.c - SMB1 commands on path names [MS-CIFS §2.2.4]: CREATE_DIRECTORY,
 * DELETE_DIRECTORY, DELETE, RENAME, CHECK_DIRECTORY, QUERY_INFORMATION
 * and SET_INFORMATION. Each is an open by name (fs/openpath.h) with the
 * access the operation needs, the operation through it and a close, so
 * share modes and delete-pending hold as for SMB2. An open that must
 * wait for oplock breaks runs the command again once they end
 * (smb1_oplock_retry).
 */
#include "smbd/smb1/smb1.h"
#include "smbd/base/errmap.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/streams.h"
#include "smbd/fs/open.h"
#include "smbd/fs/openpath.h"
#include "smbd/fs/vfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define SMB1_BUFFER_FORMAT_ASCII	0x04
#define SHARE_ALL	(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
/* SearchAttributes bits that let hidden and system files match */
#define SMB1_ATTR_HIDDEN		0x0002
#define SMB1_ATTR_SYSTEM		0x0004
/* Most names one wildcard DELETE removes */
#define SMB1_DELETE_MAX			4096

/* A 0x04-prefixed path of the data block at *off; *off moves past it. */
NTSTATUS smb1_pull_path(struct smb1_req *r, TALLOC_CTX *mem,
			const struct smb1_block *b, size_t *off, char **name)
{
	size_t next = 0;

	if (*off >= b->end || r->in[*off] != SMB1_BUFFER_FORMAT_ASCII) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (smb1_pull_string(mem, r->in, *off + 1, b->end, r->unicode, name,
			     &next) != 0) {
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	*off = next;
	return NT_STATUS_OK;
}

/*
 * Does name have a "." component before its last one? Windows walks
 * such a path and does not find it (OBJECT_PATH_NOT_FOUND, smbtorture
 * raw.chkpath ".\rawchkpath", CHECK_DIRECTORY and QUERY_PATH_INFORMATION
 * alike); a "." last is an invalid name (vfs_canonicalize).
 */
static bool dot_before_last(const char *name)
{
	const char *p = name;

	while (*p != '\0') {
		const char *end = strchr(p, '\\');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		const char *next = end != NULL ? end + 1 : p + len;

		while (*next == '\\') {
			next++;
		}
		if (len == 1 && p[0] == '.' && *next != '\0') {
			return true;
		}
		p = next;
	}
	return false;
}

/* smb1.h */
NTSTATUS smb1_path_syntax(const char *name)
{
	if (name == NULL) {
		return NT_STATUS_OK;
	}
	if (strchr(name, '/') != NULL) {
		/* '/' is no separator in an SMB1 path, nor a name's
		 * character [MS-FSCC 2.1.5.2] */
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	return dot_before_last(name) ? NT_STATUS_OBJECT_PATH_NOT_FOUND :
				       NT_STATUS_OK;
}

NTSTATUS smb1_open_path_args(struct smb1_req *r,
			     const struct smbd_open_args *a,
			     struct smbd_open **pop)
{
	struct smbd_open_args as = *a;
	struct smbd_file *wait = NULL;
	uint32_t action = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (r->tree->share->type != WG_SHARE_DISK) {
		return NT_STATUS_ACCESS_DENIED;
	}
	status = smb1_path_syntax(a->name);
	if (status != NT_STATUS_OK) {
		return status;
	}
	/* checked as its sender if it waited (smb1_req_keep_token) */
	as.token = r->token;
	status = smbd_open_by_name(r->tree, &as, pop, &action, &wait);
	return status == NT_STATUS_PENDING ? smb1_oplock_retry(r, wait) :
	       status;
}

NTSTATUS smb1_open_path_share(struct smb1_req *r, const char *name,
			      uint32_t desired, uint32_t share,
			      uint32_t disposition, uint32_t options,
			      struct smbd_open **pop)
{
	struct smbd_open_args a = {
		.name = name,
		.desired = desired,
		.share = share,
		.disposition = disposition,
		.options = options,
	};

	return smb1_open_path_args(r, &a, pop);
}

NTSTATUS smb1_open_path(struct smb1_req *r, const char *name,
			uint32_t desired, uint32_t disposition,
			uint32_t options, struct smbd_open **pop)
{
	return smb1_open_path_share(r, name, desired, SHARE_ALL, disposition,
				    options, pop);
}

static void put_empty(struct smb1_req *r)
{
	wire_put_u8(&r->out, 0);
	smb1_bytes_end(r, smb1_bytes_begin(r));
}

NTSTATUS smb1_mkdir(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_open *op = NULL;
	char *name = NULL;
	size_t off = b->bytes_off;
	NTSTATUS status = smb1_pull_path(r, r, b, &off, &name);

	if (status == NT_STATUS_OK) {
		status = smb1_open_path(r, name, FILE_READ_ATTRIBUTES,
					FILE_CREATE, FILE_DIRECTORY_FILE, &op);
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	talloc_free(op);
	put_empty(r);
	return NT_STATUS_OK;
}

/*
 * Open name for DELETE with delete on close, and close: it goes. A
 * directory is marked through its disposition instead, which refuses
 * one that is not empty (the open alone would succeed and the close
 * keep it, MS-FSA §2.1.5.5).
 */
static NTSTATUS delete_one(struct smb1_req *r, const char *name, bool dir)
{
	struct smbd_open *op = NULL;
	NTSTATUS status = NT_STATUS_OK;

	/* a file open elsewhere is not deleted: share nothing (as
	 * Windows does, smbtorture base.unlink) */
	status = smb1_open_path_share(r, name, SEC_STD_DELETE,
				      dir ? SHARE_ALL : 0, FILE_OPEN,
				      dir ? FILE_DIRECTORY_FILE :
				      FILE_DELETE_ON_CLOSE |
				      FILE_NON_DIRECTORY_FILE, &op);
	if (status == NT_STATUS_OK && dir) {
		status = smbd_open_set_delete_pending(op, true);
	}
	talloc_free(op);
	return status;
}

NTSTATUS smb1_rmdir(struct smb1_req *r, const struct smb1_block *b)
{
	char *name = NULL;
	size_t off = b->bytes_off;
	NTSTATUS status = smb1_pull_path(r, r, b, &off, &name);

	if (status == NT_STATUS_OK) {
		status = delete_one(r, name, true);
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	put_empty(r);
	return NT_STATUS_OK;
}

/*
 * DELETE with wildcards in the last component [MS-CIFS §2.2.4.7]: every
 * file of the directory the pattern matches (directories never; hidden
 * and system files only when SearchAttributes names them).
 */
static NTSTATUS delete_pattern(struct smb1_req *r, const char *name,
			       uint16_t sattrs)
{
	TALLOC_CTX *tmp = talloc_new(r);
	const char *sep = strrchr(name, '\\');
	char *dir = NULL, *rel = NULL, *ondisk = NULL;
	const char *pat = sep != NULL ? sep + 1 : name;
	struct dirent *de = NULL;
	NTSTATUS status = NT_STATUS_OK;
	unsigned matched = 0;
	DIR *d = NULL;
	int fd = -1;

	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	dir = talloc_strndup(tmp, name, sep != NULL ? (size_t)(sep - name) : 0);
	if (dir == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	status = vfs_canonicalize(tmp, dir, false, &rel);
	if (status == NT_STATUS_OK) {
		status = vfs_resolve(tmp, r->tree->root_fd, rel, &ondisk);
	}
	if (status == NT_STATUS_OBJECT_NAME_NOT_FOUND) {
		status = NT_STATUS_OBJECT_PATH_NOT_FOUND;
	}
	if (status != NT_STATUS_OK) {
		goto out;
	}
	fd = vfs_open_beneath(r->tree->root_fd, ondisk, O_RDONLY |
			      O_DIRECTORY, 0);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		status = smbd_map_errno(fd < 0 ? -fd : errno);
		if (fd >= 0) {
			close(fd);
		}
		goto out;
	}
	while ((de = readdir(d)) != NULL && matched < SMB1_DELETE_MAX) {
		struct smbd_stat sx;
		uint32_t attrs = 0;
		char *path = NULL;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    !vfs_wildcard_match(pat, de->d_name) ||
		    smbd_stat_at(dirfd(d), de->d_name, AT_SYMLINK_NOFOLLOW,
				 &sx) != 0 ||
		    !S_ISREG(sx.st.st_mode)) {
			continue;
		}
		attrs = smbd_dos_attrs(&sx.st, de->d_name);
		if (sx.have_attrs) {
			attrs |= sx.stored_attrs;
		}
		if (((attrs & FILE_ATTRIBUTE_HIDDEN) &&
		     !(sattrs & SMB1_ATTR_HIDDEN)) ||
		    ((attrs & FILE_ATTRIBUTE_SYSTEM) &&
		     !(sattrs & SMB1_ATTR_SYSTEM))) {
			continue;
		}
		path = talloc_asprintf(tmp, "%s\\%s", dir, de->d_name);
		if (path == NULL) {
			status = NT_STATUS_NO_MEMORY;
			break;
		}
		matched++;
		status = delete_one(r, path, false);
		if (status != NT_STATUS_OK) {
			break;
		}
	}
	closedir(d);
	if (status == NT_STATUS_OK && matched == 0) {
		status = NT_STATUS_NO_SUCH_FILE;
	}
out:
	talloc_free(tmp);
	return status;
}

/*
 * A DELETE of one name sees a hidden or system file only when
 * SearchAttributes names it [MS-CIFS 2.2.4.7.1]: else NO_SUCH_FILE, as for
 * a pattern (smbtorture raw.unlink). Other errors are left to the open.
 */
static NTSTATUS delete_visible(struct smb1_req *r, const char *name,
			       uint16_t sattrs)
{
	TALLOC_CTX *tmp = talloc_new(r);
	char *rel = NULL, *ondisk = NULL;
	const char *last = NULL;
	struct smbd_stat sx;
	uint32_t attrs = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (vfs_canonicalize(tmp, name, false, &rel) != NT_STATUS_OK ||
	    vfs_resolve(tmp, r->tree->root_fd, rel, &ondisk) !=
	    NT_STATUS_OK ||
	    smbd_stat_at(r->tree->root_fd, ondisk, AT_SYMLINK_NOFOLLOW,
			 &sx) != 0 || !S_ISREG(sx.st.st_mode)) {
		goto out;
	}
	last = strrchr(ondisk, '/');
	attrs = smbd_dos_attrs(&sx.st, last != NULL ? last + 1 : ondisk);
	if (sx.have_attrs) {
		attrs |= sx.stored_attrs;
	}
	if (((attrs & FILE_ATTRIBUTE_HIDDEN) &&
	     !(sattrs & SMB1_ATTR_HIDDEN)) ||
	    ((attrs & FILE_ATTRIBUTE_SYSTEM) &&
	     !(sattrs & SMB1_ATTR_SYSTEM))) {
		status = NT_STATUS_NO_SUCH_FILE;
	}
out:
	talloc_free(tmp);
	return status;
}

NTSTATUS smb1_delete(struct smb1_req *r, const struct smb1_block *b)
{
	char *name = NULL;
	size_t off = b->bytes_off;
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct != 1) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = smb1_pull_path(r, r, b, &off, &name);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (strpbrk(name, "*?<>\"") != NULL) {
		status = delete_pattern(r, name, smb1_word(b, 0));
	} else {
		status = delete_visible(r, name, smb1_word(b, 0));
		if (status == NT_STATUS_OK) {
			status = delete_one(r, name, false);
		}
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	put_empty(r);
	return NT_STATUS_OK;
}

/* smb1.h */
NTSTATUS smb1_rename_path(struct smb1_req *r, const char *name,
			  char *new_name, bool replace)
{
	struct smbd_open *op = NULL;
	char *rel = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (new_name[0] != ':') {
		status = vfs_canonicalize(r, new_name, false, &rel);
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	/* sharing read and write only: a file another open may delete is
	 * not renamed (Windows; a batch oplock breaks first, smbtorture
	 * raw.oplock.batch26, raw.rename.mv) */
	status = smb1_open_path_share(r, name, SEC_STD_DELETE |
				      FILE_READ_ATTRIBUTES,
				      FILE_SHARE_READ | FILE_SHARE_WRITE,
				      FILE_OPEN, 0, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (rel == NULL || op->stream != NULL) {
		/* ":new": a stream renamed within its file (fs/streams.h) */
		status = rel == NULL && op->stream != NULL ?
			 streams_rename(op, new_name, replace) :
			 NT_STATUS_INVALID_PARAMETER;
	} else {
		status = smbd_open_rename(op, new_name, rel, replace, NULL,
					  NULL);
	}
	talloc_free(op);
	return status;
}

NTSTATUS smb1_rename(struct smb1_req *r, const struct smb1_block *b)
{
	char *from = NULL, *to = NULL;
	size_t off = b->bytes_off;
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct != 1) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = smb1_pull_path(r, r, b, &off, &from);
	if (status == NT_STATUS_OK) {
		status = smb1_pull_path(r, r, b, &off, &to);
	}
	if (status == NT_STATUS_OK) {
		status = smb1_rename_path(r, from, to, false);
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	put_empty(r);
	return NT_STATUS_OK;
}

NTSTATUS smb1_check_directory(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_open *op = NULL;
	char *name = NULL;
	size_t off = b->bytes_off;
	NTSTATUS status = smb1_pull_path(r, r, b, &off, &name);

	if (status == NT_STATUS_OK) {
		/* a missing last component is OBJECT_NAME_NOT_FOUND, a
		 * missing parent OBJECT_PATH_NOT_FOUND (as Windows) */
		status = smb1_open_path(r, name, FILE_READ_ATTRIBUTES,
					FILE_OPEN, FILE_DIRECTORY_FILE, &op);
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	talloc_free(op);
	put_empty(r);
	return NT_STATUS_OK;
}

/* NT time as the seconds since 1970 (UTIME) the old commands carry. */
static uint32_t nt_to_utime(uint64_t nt)
{
	const uint64_t epoch = 116444736000000000ULL;

	return nt <= epoch ? 0 : (uint32_t)((nt - epoch) / 10000000ULL);
}

/* QUERY_INFORMATION [MS-CIFS §2.2.4.9] */
NTSTATUS smb1_query_information(struct smb1_req *r,
				const struct smb1_block *b)
{
	struct smbd_open *op = NULL;
	struct smbd_ntinfo ni = {};
	char *name = NULL;
	size_t off = b->bytes_off;
	NTSTATUS status = smb1_pull_path(r, r, b, &off, &name);

	if (status == NT_STATUS_OK) {
		status = smb1_open_path(r, name, FILE_READ_ATTRIBUTES,
					FILE_OPEN, 0, &op);
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (streams_open_ntinfo(op, &ni) != 0) {
		talloc_free(op);
		return NT_STATUS_ACCESS_DENIED;
	}
	talloc_free(op);
	wire_put_u8(&r->out, 10);
	wire_put_u16le(&r->out, (uint16_t)(ni.attrs & 0x37));
	wire_put_u32le(&r->out, nt_to_utime(ni.write_time));
	wire_put_u32le(&r->out, ni.end_of_file > UINT32_MAX ? UINT32_MAX :
			       (uint32_t)ni.end_of_file);
	wire_put_bytes(&r->out, "\0\0\0\0\0\0\0\0\0\0", 10);
	smb1_bytes_end(r, smb1_bytes_begin(r));
	return NT_STATUS_OK;
}

/*
 * SET_INFORMATION [MS-CIFS §2.2.4.10]: the read-only attribute (the
 * owner write bit) and the other DOS attributes we store; a write time.
 */
NTSTATUS smb1_set_information(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_open *op = NULL;
	char *name = NULL;
	size_t off = b->bytes_off;
	uint32_t attrs = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct != 8) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = smb1_pull_path(r, r, b, &off, &name);
	if (status == NT_STATUS_OK) {
		status = smb1_open_path(r, name, FILE_WRITE_ATTRIBUTES,
					FILE_OPEN, 0, &op);
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	/*
	 * SMB_FILE_ATTRIBUTE_NORMAL is 0: clears read-only. A value with
	 * none of the settable bits but others (0x80, NT's NORMAL, is no
	 * SMB_FILE_ATTRIBUTES bit [MS-CIFS 2.2.1.2.4]) leaves the
	 * attributes: a field the server does not implement is ignored
	 * [MS-CIFS 2.2.4.10] (smbtorture raw.sfileinfo.base).
	 */
	attrs = smb1_word(b, 0) & 0x27;
	if (attrs == 0 && smb1_word(b, 0) == 0) {
		attrs = FILE_ATTRIBUTE_NORMAL;
	}
	/* LastWriteTime: 0 and 0xFFFFFFFF leave it [MS-CIFS 2.2.1.4.3] */
	status = smbd_open_set_basic(op, 0, 0,
				     smb1_utime_to_nt(smb1_dword(b, 1)), 0,
				     attrs);
	talloc_free(op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	put_empty(r);
	return NT_STATUS_OK;
}
