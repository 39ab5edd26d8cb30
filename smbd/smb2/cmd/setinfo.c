/*
 * setinfo.c - SMB2 SET_INFO [MS-SMB2 §2.2.39, §3.3.5.21; MS-FSCC §2.4;
 * MS-FSA §2.1.5.15].
 *
 * File classes: Basic (times, READONLY), Rename, Disposition, Position,
 * Mode, Allocation, EndOfFile. Security descriptors: secinfo.c. File
 * system and quota information cannot be set.
 *
 * Every class is a row in a table: the smallest input it accepts, the
 * access it needs and whether it modifies the file system (refused on a
 * read-only tree).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smbd/smbd.h"
#include "smbd/smb2/cmd/cmd.h"
#include "smbd/smb2/cmd/eainfo.h"
#include "smbd/base/errmap.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/open.h"
#include "smbd/fs/oplock.h"
#include "smbd/fs/dirlease.h"
#include "smbd/fs/vfs.h"
#include "smbd/fs/openpath.h"
#include "smbd/fs/streams.h"
#include "smbd/fs/watch.h"
#include "smbd/fs/wtime.h"
#include "proto/fscc.h"
#include "proto/utf16.h"

/* FileModeInformation bits a client may set [MS-FSCC §2.4.31] */
#define FILE_SYNCHRONOUS_IO_ALERT	0x00000010u
#define FILE_SYNCHRONOUS_IO_NONALERT	0x00000020u
#define MODE_SETTABLE	(FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY | \
			 FILE_NO_INTERMEDIATE_BUFFERING | \
			 FILE_SYNCHRONOUS_IO_ALERT | \
			 FILE_SYNCHRONOUS_IO_NONALERT)

#define RENAME_FIXED	20	/* ReplaceIfExists .. FileNameLength */
/* Waits for breaks by one SET_INFO: then the change goes on regardless */
#define SI_MAX_BREAK_ROUNDS	8

struct si_args {
	uint8_t info_type;
	uint8_t cls;
	uint32_t buf_len;
	uint16_t buf_off;
	uint32_t addl_info;
	uint64_t fid_p, fid_v;
};

struct si_ctx {
	struct smbd_req *req;
	struct smbd_open *op;
	struct wire_rd buf;	/* the class's input */
	bool may_wait;		/* a break may hold the change up */
	struct smbd_file *wait;	/* set: wait for its breaks, then again */
	/* set: the class left a big cut to a worker (si_cut_start) */
	bool cut;
	uint64_t cut_len;
	struct smbd_wtime_io cut_io;	/* end of file's: put back after */
};

static void si_break(struct si_ctx *c, enum smbd_oplock_op what);
static bool si_break_wait(struct si_ctx *c, enum smbd_oplock_op what);

struct si_class {
	uint8_t cls;
	uint32_t min_len;	/* shorter input: INFO_LENGTH_MISMATCH */
	uint32_t access;	/* granted access needed */
	bool modifies;		/* refused on a read-only tree */
	NTSTATUS (*set)(struct si_ctx *c);
};

/* ---- helpers ---- */

static NTSTATUS si_basic(struct si_ctx *c)
{
	uint64_t create = 0, access = 0, write = 0, change = 0;
	uint32_t attrs = 0;

	if (wire_get_u64le(&c->buf, &create) != 0 ||
	    wire_get_u64le(&c->buf, &access) != 0 ||
	    wire_get_u64le(&c->buf, &write) != 0 ||
	    wire_get_u64le(&c->buf, &change) != 0 ||
	    wire_get_u32le(&c->buf, &attrs) != 0) {
		return NT_STATUS_INFO_LENGTH_MISMATCH;
	}
	/* a stream's times and attributes are its file's (fs/openpath.h) */
	return smbd_open_set_basic(c->op, create, access, write, change,
				   attrs);
}

/* ---- FileRenameInformation ---- */

/* Decode the FILE_RENAME_INFORMATION (SMB2 form) into a rel path. */
static NTSTATUS rename_parse(struct si_ctx *c, TALLOC_CTX *mem,
			     bool *replace, char **name, char **rel)
{
	uint8_t repl = 0;
	uint64_t root_dir = 0;
	uint32_t name_len = 0;
	const uint8_t *p = NULL;

	if (wire_get_u8(&c->buf, &repl) != 0 ||
	    wire_skip(&c->buf, 7) != 0 ||
	    wire_get_u64le(&c->buf, &root_dir) != 0 ||
	    wire_get_u32le(&c->buf, &name_len) != 0) {
		return NT_STATUS_INFO_LENGTH_MISMATCH;
	}
	if (root_dir != 0 || name_len == 0 || (name_len & 1) != 0 ||
	    wire_get_ptr(&c->buf, &p, name_len) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (utf16le_to_utf8(mem, p, name_len, name) != 0) {
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	*replace = repl != 0;
	if ((*name)[0] == ':' ||
	    (c->op->stream != NULL && strchr(*name, ':') != NULL)) {
		*rel = NULL;	/* a stream's new name (fs/streams.h) */
		return NT_STATUS_OK;
	}
	return vfs_canonicalize(mem, *name, false, rel);
}

static bool si_rename_break(void *priv)
{
	return si_break_wait(priv, SMBD_OPLOCK_OP_RENAME);
}

static NTSTATUS si_rename(struct si_ctx *c)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *name = NULL, *rel = NULL;
	bool replace = false;
	NTSTATUS status = NT_STATUS_OK;

	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = rename_parse(c, tmp, &replace, &name, &rel);
	if (status == NT_STATUS_OK && (rel == NULL || c->op->stream != NULL)) {
		/* streams are renamed within their file only */
		status = rel == NULL ? streams_rename(c->op, name, replace) :
			 NT_STATUS_INVALID_PARAMETER;
		talloc_free(tmp);
		return status;
	}
	if (status == NT_STATUS_OK) {
		status = smbd_open_rename(c->op, name, rel, replace,
					  si_rename_break, c);
	}
	talloc_free(tmp);
	return status;
}

/* ---- FileDispositionInformation ---- */

/*
 * A change through c->op breaks the other opens' oplocks it conflicts
 * with (level II at once; exclusive and batch are broken, and the change
 * goes on without waiting: an open able to make it already broke them on
 * CREATE).
 */
static void si_break(struct si_ctx *c, enum smbd_oplock_op what)
{
	if (c->op->file != NULL) {
		(void)smbd_oplock_break(c->op->file, c->op, what, false);
	}
}

/*
 * A rename or delete through c->op breaks what it conflicts with, and
 * waits for the breaks it must (a lease caching handles: the client
 * closes the ones it kept, smbtorture smb2.lease.rename_wait) as a
 * CREATE does: true with c->wait set when the request must wait and look
 * again; `oplock break timeout` bounds each wait.
 */
static bool si_break_wait(struct si_ctx *c, enum smbd_oplock_op what)
{
	struct smbd_file *f = c->op->file;

	if (f == NULL || !smbd_oplock_break(f, c->op, what, false) ||
	    !c->may_wait) {
		return false;
	}
	c->wait = f;
	return true;
}

static NTSTATUS si_disposition(struct si_ctx *c)
{
	NTSTATUS status = NT_STATUS_OK;
	uint8_t pending = 0;

	if (wire_get_u8(&c->buf, &pending) != 0) {
		return NT_STATUS_INFO_LENGTH_MISMATCH;
	}
	if (pending != 0 && si_break_wait(c, SMBD_OPLOCK_OP_DELETE)) {
		return NT_STATUS_PENDING;	/* then all of it again */
	}
	/* The per-inode state and the MS-FSA checks live with the opens. */
	status = smbd_open_set_delete_pending(c->op, pending != 0);
	if (status == NT_STATUS_OK && pending != 0 && c->op->is_dir &&
	    c->op->file != NULL) {
		smbd_file_signal_delete_pending(c->op->file);
	}
	return status;
}

/* ---- per-handle state ---- */

static NTSTATUS si_position(struct si_ctx *c)
{
	uint64_t pos = 0;

	if (wire_get_u64le(&c->buf, &pos) != 0) {
		return NT_STATUS_INFO_LENGTH_MISMATCH;
	}
	if (pos > INT64_MAX) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	c->op->position = pos;
	return NT_STATUS_OK;
}

static NTSTATUS si_mode(struct si_ctx *c)
{
	uint32_t mode = 0;
	uint32_t sync = FILE_SYNCHRONOUS_IO_ALERT |
			FILE_SYNCHRONOUS_IO_NONALERT;

	if (wire_get_u32le(&c->buf, &mode) != 0) {
		return NT_STATUS_INFO_LENGTH_MISMATCH;
	}
	if ((mode & ~MODE_SETTABLE) != 0 || (mode & sync) == sync) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	c->op->mode = mode;
	return NT_STATUS_OK;
}

/* ---- sizes ---- */

static NTSTATUS get_size_arg(struct si_ctx *c, uint64_t *v)
{
	if (wire_get_u64le(&c->buf, v) != 0) {
		return NT_STATUS_INFO_LENGTH_MISMATCH;
	}
	if (c->op->is_dir || *v > INT64_MAX) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	return NT_STATUS_OK;
}

static NTSTATUS si_allocation(struct si_ctx *c)
{
	struct smbd_stat sx = {};
	struct stat st = {};
	uint64_t alloc = 0;
	NTSTATUS status = get_size_arg(c, &alloc);
	int rc = 0;

	if (status != NT_STATUS_OK) {
		return status;
	}
	/* blocks of data only, as AllocationSize shows them (fileinfo.h) */
	rc = smbd_stat_fd(c->op->fd, &sx);
	if (rc != 0) {
		return smbd_map_errno(-rc);
	}
	st = sx.st;
	si_break(c, SMBD_OPLOCK_OP_SIZE);
	smbd_wtime_flush(c->op);	/* a held write time update now */
	if (alloc < (uint64_t)st.st_size) {
		/* Allocation below EOF cuts the file [MS-FSA §2.1.5.15.1]. */
		if (smbd_cut_is_big((uint64_t)st.st_size, alloc)) {
			c->cut = true;	/* on a worker: si_cut_start */
			c->cut_len = alloc;
			return NT_STATUS_PENDING;
		}
		if (ftruncate(c->op->fd, (off_t)alloc) != 0) {
			return smbd_map_errno(errno);
		}
		return NT_STATUS_OK;
	}
	if (alloc > smbd_alloc_size(&st) &&
	    fallocate(c->op->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)alloc) != 0 &&
	    errno != EOPNOTSUPP && errno != ENOSYS) {
		return smbd_map_errno(errno);
	}
	return NT_STATUS_OK;
}

static NTSTATUS si_end_of_file(struct si_ctx *c)
{
	uint64_t eof = 0;
	NTSTATUS status = get_size_arg(c, &eof);
	int rc = 0;

	if (status != NT_STATUS_OK) {
		return status;
	}
	si_break(c, SMBD_OPLOCK_OP_SIZE);
	if (smbd_cut_offload(c->op->fd, eof)) {
		/* a big cut: on a worker (si_cut_start), the bookkeeping
		 * around it here */
		smbd_open_set_size_begin(c->op, &c->cut_io);
		c->cut = true;
		c->cut_len = eof;
		return NT_STATUS_PENDING;
	}
	rc = smbd_open_set_size(c->op, eof);	/* fs/openpath.h */
	return rc != 0 ? smbd_map_errno(-rc) : NT_STATUS_OK;
}

/* FileFullEaInformation: set and delete EAs (smb2/cmd/eainfo.h) */
static NTSTATUS si_full_ea(struct si_ctx *c)
{
	return smbd_ea_set_info(c->op, &c->buf);
}

static const struct si_class file_classes[] = {
	{ FileBasicInformation, 40, FILE_WRITE_ATTRIBUTES, true, si_basic },
	{ FileRenameInformation, RENAME_FIXED, SEC_STD_DELETE, true,
	  si_rename },
	{ FileDispositionInformation, 1, SEC_STD_DELETE, true,
	  si_disposition },
	{ FilePositionInformation, 8, 0, false, si_position },
	{ FileModeInformation, 4, 0, false, si_mode },
	{ FileAllocationInformation, 8, FILE_WRITE_DATA, true,
	  si_allocation },
	{ FileEndOfFileInformation, 8, FILE_WRITE_DATA, true,
	  si_end_of_file },
	{ FileFullEaInformation, 0, FILE_WRITE_EA, true, si_full_ea },
};

static NTSTATUS si_file(struct si_ctx *c, const struct si_args *a)
{
	const struct si_class *k = NULL;
	size_t i = 0;

	for (i = 0; i < sizeof(file_classes) / sizeof(file_classes[0]); i++) {
		if (file_classes[i].cls == a->cls) {
			k = &file_classes[i];
			break;
		}
	}
	if (c->op->fd < 0) {
		/* Named pipes: message mode switches are all we hear. */
		return a->cls == FilePipeInformation ? NT_STATUS_OK :
						       NT_STATUS_NOT_SUPPORTED;
	}
	if (c->op->tree->share->type == WG_SHARE_PRINT &&
	    (a->cls == FileRenameInformation ||
	     a->cls == FileRenameInformationEx ||
	     a->cls == FileLinkInformation)) {
		/* spool files keep their names: no job replaces another */
		return NT_STATUS_ACCESS_DENIED;
	}
	if (k == NULL) {
		switch (a->cls) {
		case FileLinkInformation:
		case FileValidDataLengthInformation:
		case FileShortNameInformation:
		case FileDispositionInformationEx:
		case FileRenameInformationEx:
			return NT_STATUS_NOT_SUPPORTED;
		default:
			return NT_STATUS_INVALID_INFO_CLASS;
		}
	}
	if (a->buf_len < k->min_len) {
		return NT_STATUS_INFO_LENGTH_MISMATCH;
	}
	if ((c->op->access & k->access) != k->access) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (k->modifies && c->op->tree->read_only) {
		return NT_STATUS_ACCESS_DENIED;
	}
	return k->set(c);
}

/* ---- the command ---- */

static NTSTATUS si_parse(struct smbd_req *req, struct si_args *a)
{
	struct wire_rd r = req->in;

	if (wire_skip(&r, 2) != 0 ||		/* StructureSize */
	    wire_get_u8(&r, &a->info_type) != 0 ||
	    wire_get_u8(&r, &a->cls) != 0 ||
	    wire_get_u32le(&r, &a->buf_len) != 0 ||
	    wire_get_u16le(&r, &a->buf_off) != 0 ||
	    wire_skip(&r, 2) != 0 ||		/* Reserved */
	    wire_get_u32le(&r, &a->addl_info) != 0 ||
	    smbd_pull_fid(&r, &a->fid_p, &a->fid_v) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	return NT_STATUS_OK;
}

/*
 * A SET_INFO waiting for breaks (a rename, a delete): its input and the
 * open it names, kept for the look again; a talloc child of the request.
 */
struct si_state {
	struct smbd_req *req;
	struct si_args a;
	uint8_t *buf;		/* the class's input, copied */
	int rounds;		/* waits so far */
	struct smbd_oplock_wait *wait;
};

static NTSTATUS si_wait(struct si_state *state, struct smbd_file *f);

/*
 * Set what a names through the open of (fid_p, fid_v) with input buf.
 * NT_STATUS_PENDING with c->wait (wait for its breaks, then again) or
 * c->cut (si_cut_start) set.
 */
static NTSTATUS si_run(struct smbd_req *req, const struct si_args *a,
		       struct wire_rd buf, bool may_wait, struct si_ctx *out)
{
	struct si_ctx c = {
		.req = req,
		.buf = buf,
		.may_wait = may_wait,
	};
	char *old_path = NULL;	/* a rename's: its directory changes */
	NTSTATUS status = smbd_req_open(req, a->fid_p, a->fid_v, &c.op);

	*out = c;
	if (status != NT_STATUS_OK) {
		return status;
	}
	switch (a->info_type) {
	case SMB2_0_INFO_FILE:
		if (a->cls == FileRenameInformation && c.op->path != NULL) {
			old_path = talloc_strdup(req, c.op->path);
			if (old_path == NULL) {
				return NT_STATUS_NO_MEMORY;
			}
		}
		status = si_file(&c, a);
		if (status == NT_STATUS_OK) {
			smbd_dirlease_set_info(c.op, a->cls, old_path);
		}
		TALLOC_FREE(old_path);
		break;
	case SMB2_0_INFO_SECURITY:
		status = smbd_secinfo_set(req, c.op, a->addl_info, &c.buf);
		break;
	case SMB2_0_INFO_FILESYSTEM:
	case SMB2_0_INFO_QUOTA:
		status = NT_STATUS_NOT_SUPPORTED;
		break;
	default:
		status = NT_STATUS_INVALID_PARAMETER;
		break;
	}
	*out = c;
	if (status == NT_STATUS_PENDING && c.wait == NULL && !c.cut) {
		status = NT_STATUS_INTERNAL_ERROR;	/* never: a class bug */
	}
	return status;
}

static NTSTATUS si_reply(struct smbd_req *req, NTSTATUS status)
{
	if (status == NT_STATUS_OK) {
		wire_put_u16le(&req->out, 2);	/* StructureSize */
		if (wire_wr_error(&req->out) != 0) {
			return NT_STATUS_NO_MEMORY;
		}
	}
	return status;
}

/* ---- a big cut on a worker ---- */

/*
 * A SET_INFO's cut of end of file or allocation that frees
 * SMBD_TRUNC_OFFLOAD_MIN or more, while its truncate runs on a worker:
 * a talloc child of the request.
 */
struct si_cut {
	struct smbd_req *req;
	uint8_t cls;
	uint64_t fid_p, fid_v;
	struct smbd_wtime_io io;	/* end of file's (smbd_open_set_size) */
};

static void si_cut_done(struct tevent_req *subreq);

/*
 * After the truncate (ret: 0 or -errno) through op, looked up again
 * (NULL: it closed meanwhile), what comes after it on the loop.
 */
static NTSTATUS si_cut_end(struct smbd_open *op, uint8_t cls,
			   const struct smbd_wtime_io *io, int ret)
{
	if (cls == FileEndOfFileInformation) {
		ret = smbd_open_set_size_end(op, io, ret);
	}
	if (ret != 0) {
		return smbd_map_errno(-ret);
	}
	if (op != NULL) {
		smbd_dirlease_set_info(op, cls, NULL);
	}
	return NT_STATUS_OK;
}

/*
 * Run c's cut (c->cut_len, class cls) on a worker, the request going
 * async as for a break (interim STATUS_PENDING; inside a compound with
 * more behind it, the compound waits). ext4 frees a big file's extents
 * one by one (a quarter second for 64 MiB in 3,900 extents): on the
 * loop, every other connection it serves would wait that long.
 *
 * No CANCEL: a truncate cannot be stopped once it runs, so a CANCEL of
 * the request changes nothing and the request is answered with the
 * truncate's result when it is done. A TREE_DISCONNECT, LOGOFF or the
 * connection's end frees the request, and with it this state and the
 * job's tevent_req: the job runs on alone on its own dup of the fd
 * (fs/workers.h) and nothing is answered. NT_STATUS_PENDING, or the
 * status to answer with when no job could be started (then the cut
 * was made here).
 */
static NTSTATUS si_cut_start(struct si_ctx *c, uint8_t cls)
{
	struct smbd_req *req = c->req;
	struct smbd_server *srv = req->conn->srv;
	struct tevent_req *subreq = NULL;
	struct si_cut *cut = talloc_zero(req, struct si_cut);
	int ret = 0;

	if (cut != NULL) {
		subreq = smbd_cut_send(cut, srv->ev, srv->workers,
				       req->conn->client, c->op->fd,
				       c->cut_len);
	}
	if (subreq == NULL) {
		/* no worker to be had: on the loop, as a small cut */
		TALLOC_FREE(cut);
		if (ftruncate(c->op->fd, (off_t)c->cut_len) != 0) {
			ret = -errno;
		}
		return si_cut_end(c->op, cls, &c->cut_io, ret);
	}
	cut->req = req;
	cut->cls = cls;
	cut->fid_p = c->op->fid_persistent;
	cut->fid_v = c->op->fid_volatile;
	cut->io = c->cut_io;
	tevent_req_set_callback(subreq, si_cut_done, cut);
	(void)smbd_req_wait(req);
	/* outside any compound's end it just waits, as a WRITE does */
	(void)smbd_req_go_async(req, NULL, NULL);
	return NT_STATUS_PENDING;
}

static void si_cut_done(struct tevent_req *subreq)
{
	struct si_cut *cut = tevent_req_callback_data(subreq, struct si_cut);
	struct smbd_req *req = cut->req;
	struct smbd_open *op = NULL;
	NTSTATUS status = NT_STATUS_OK;
	int ret = smbd_trunc_recv(subreq);

	TALLOC_FREE(subreq);
	/* a CLOSE meanwhile closed the open: the file is cut all the same */
	op = smbd_open_find(req->conn->srv, cut->fid_v);
	if (op != NULL && op->fid_persistent != cut->fid_p) {
		op = NULL;
	}
	status = si_cut_end(op, cut->cls, &cut->io, ret);
	talloc_free(cut);
	smbd_req_done(req, si_reply(req, status));
}

/* A CANCEL names a SET_INFO waiting for a break. */
static void si_cancel(struct smbd_req *req, void *priv)
{
	talloc_free(priv);
	smbd_req_done(req, NT_STATUS_CANCELLED);
}

/* The breaks ended: do it all again (the open may be gone meanwhile). */
static void si_break_done(void *priv)
{
	struct si_state *state = priv;
	struct smbd_req *req = state->req;
	struct si_ctx c = {};
	struct wire_rd buf;
	NTSTATUS status = NT_STATUS_OK;

	TALLOC_FREE(state->wait);
	wire_rd_init(&buf, state->buf, state->a.buf_len);
	status = si_run(req, &state->a, buf,
			state->rounds < SI_MAX_BREAK_ROUNDS, &c);
	if (status == NT_STATUS_PENDING && c.cut) {
		uint8_t cls = state->a.cls;

		talloc_free(state);
		status = si_cut_start(&c, cls);
		if (status != NT_STATUS_PENDING) {
			smbd_req_done(req, si_reply(req, status));
		}
		return;
	}
	if (status == NT_STATUS_PENDING) {
		status = si_wait(state, c.wait);
		if (status == NT_STATUS_PENDING) {
			return;
		}
	}
	talloc_free(state);
	smbd_req_done(req, si_reply(req, status));
}

/*
 * Wait for the breaks of f, the request going async (interim
 * STATUS_PENDING; inside a compound with more behind it, the compound
 * waits), cancellable. NT_STATUS_PENDING or an error to answer with.
 */
static NTSTATUS si_wait(struct si_state *state, struct smbd_file *f)
{
	struct smbd_req *req = state->req;
	NTSTATUS status = NT_STATUS_OK;

	state->rounds++;
	status = smbd_oplock_wait(state, f, req->conn, si_break_done, state,
				  &state->wait);
	if (status != NT_STATUS_OK) {
		return status;
	}
	(void)smbd_req_wait(req);
	status = smbd_req_go_async(req, si_cancel, state);
	if (status != NT_STATUS_PENDING) {
		TALLOC_FREE(state->wait);
	}
	return status;
}

NTSTATUS smbd_smb2_set_info(struct smbd_req *req)
{
	struct si_state *state = NULL;
	struct smbd_open *op = NULL;
	struct si_ctx c = {};
	struct si_args a = {};
	struct wire_rd buf;
	NTSTATUS status = NT_STATUS_OK;

	status = si_parse(req, &a);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (wire_sub(&req->in, a.buf_off, a.buf_len, &buf) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = si_run(req, &a, buf, true, &c);
	if (status == NT_STATUS_PENDING && c.cut) {
		status = si_cut_start(&c, a.cls);
		return status == NT_STATUS_PENDING ? status :
						     si_reply(req, status);
	}
	if (status != NT_STATUS_PENDING) {
		return si_reply(req, status);
	}
	/*
	 * Wait, then look again: the input may live in the compound's
	 * buffer and the FileId be the related one, so both are kept.
	 */
	if (smbd_req_open(req, a.fid_p, a.fid_v, &op) != NT_STATUS_OK) {
		return NT_STATUS_INTERNAL_ERROR;
	}
	state = talloc_zero(req, struct si_state);
	if (state == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	state->req = req;
	state->a = a;
	state->a.fid_p = op->fid_persistent;
	state->a.fid_v = op->fid_volatile;
	state->buf = talloc_memdup(state, buf.base + buf.off, a.buf_len);
	if (state->buf == NULL && a.buf_len != 0) {
		talloc_free(state);
		return NT_STATUS_NO_MEMORY;
	}
	status = si_wait(state, c.wait);
	if (status != NT_STATUS_PENDING) {
		talloc_free(state);
	}
	return status;
}
