/*
 * file.c - SMB1 commands on open files [MS-CIFS §2.2.4, MS-SMB §2.2.4]:
 * NT_CREATE_ANDX, CLOSE, READ_ANDX, WRITE_ANDX, FLUSH, LOCKING_ANDX and
 * NT_CANCEL. Opens are the SMB2 front end's (fs/open.h, opened through
 * fs/openpath.h), data moves on the worker pool (fs/workers.h), byte-range
 * locks are lock.c's, oplocks oplock.c's. The 16-bit FID is the low
 * half of the open's volatile id, unique among the opens of the tree.
 */
#include "smbd/smb1/smb1.h"
#include "proto/smb1_core.h"
#include "smbd/base/errmap.h"
#include "smbd/base/nttime.h"
#include "smbd/fs/brlock.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/streams.h"
#include "smbd/fs/open.h"
#include "smbd/fs/openpath.h"
#include "smbd/fs/oplock.h"
#include "smbd/fs/vfs.h"
#include "smbd/fs/watch.h"
#include "smbd/fs/workers.h"
#include "smbd/fs/wtime.h"
#include "smbd/print/print.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NT_CREATE_OPEN_TARGET_DIR	0x00000008u
#define SMB1_OPEN_EXTENDED_RESPONSE	0x0010u	/* OPEN_ANDX Flags */
#define SMB1_MAX_READ			(1024u * 1024)

struct smbd_open *smb1_fid_find(struct smb1_req *r, uint16_t fid)
{
	struct smbd_open *op = NULL;

	if (r->tree == NULL) {
		return NULL;
	}
	if (r->chain_fid_set && r->andx_at != 0) {
		fid = r->chain_fid;
	}
	for (op = r->tree->opens; op != NULL; op = op->next) {
		if ((uint16_t)op->fid_volatile == fid) {
			/* the tree may be another UID's (tcon.c), the FID
			 * is its opener's only */
			return smb1_open_usable_by(op, r->out_uid) ? op : NULL;
		}
	}
	return NULL;
}

NTSTATUS smb1_fid_check(struct smb1_req *r, struct smbd_open *op)
{
	struct smbd_open *o = NULL;
	uint16_t fid = (uint16_t)op->fid_volatile;

	if (fid == 0 || fid == 0xFFFF) {
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	for (o = r->tree->opens; o != NULL; o = o->next) {
		if (o != op && (uint16_t)o->fid_volatile == fid) {
			return NT_STATUS_INSUFFICIENT_RESOURCES;
		}
	}
	return smb1_open_owner(r, op);
}

/* ---- NT_CREATE_ANDX [MS-SMB §2.2.4.9] ---- */

struct ntcreate_state {
	struct smb1_req *r;
	bool openx;		/* OPEN_ANDX: its reply */
	bool openx_ext;		/* its extended form [MS-SMB §2.2.4.1.2] */
	bool core;		/* OPEN (0x02): its reply */
	uint16_t access_mode;	/* OPEN_ANDX: the AccessMode asked */
	smb1_open_reply_fn reply;	/* another command's reply (core.c) */
	uint32_t arg;			/* and its argument */
	smb1_open_reply_priv_fn reply_priv;	/* or this one (trans2.c) */
	void *priv;				/* and its state (ours) */
	uint8_t oplock;		/* the level asked (smb1_oplock_requested) */
	struct smbd_open_args a;
	struct smbd_oplock_wait *wait;
	unsigned rounds;
	/* the open left its overwrite's truncate to us (smb1_trunc_send) */
	bool trunc_later;
	/* a file the open created: its stat, for the reply */
	struct smbd_stat sx;
};

static NTSTATUS ntcreate_try(struct ntcreate_state *st);
static NTSTATUS ntcreate_answer(struct ntcreate_state *st,
				struct smbd_open *op, uint32_t action);

static void ntcreate_woken(void *priv)
{
	struct ntcreate_state *st = priv;
	struct smb1_req *r = st->r;
	NTSTATUS status = NT_STATUS_OK;

	TALLOC_FREE(st->wait);
	status = smb1_req_reresolve(r);
	if (status == NT_STATUS_OK) {
		status = ntcreate_try(st);
	}
	if (status == NT_STATUS_PENDING) {
		return;
	}
	talloc_free(st);
	smb1_req_done(r, status);
}

/* The reply's times and sizes: sx, the create's stat of a file the open
 * created, else a stat of op's file or stream now. */
static void open_ntinfo(struct smbd_open *op, const struct smbd_stat *sx,
			struct smbd_ntinfo *ni)
{
	if (sx != NULL) {
		smbd_ntinfo_fill(sx, op->path, ni);
	} else {
		(void)streams_open_ntinfo(op, ni);
	}
}

static void put_ntcreate_reply(struct smb1_req *r, struct smbd_open *op,
			       const struct smbd_stat *sx, uint32_t action,
			       uint8_t oplock)
{
	struct smbd_ntinfo ni = {};

	open_ntinfo(op, sx, &ni);
	smb1_put_andx(r, 34);
	wire_put_u8(&r->out, smb1_oplock_wire_level(oplock));
	wire_put_u16le(&r->out, (uint16_t)op->fid_volatile);
	wire_put_u32le(&r->out, action);
	wire_put_u64le(&r->out, ni.create_time);
	wire_put_u64le(&r->out, ni.access_time);
	wire_put_u64le(&r->out, ni.write_time);
	wire_put_u64le(&r->out, ni.change_time);
	wire_put_u32le(&r->out, ni.attrs);
	wire_put_u64le(&r->out, ni.alloc_size);
	wire_put_u64le(&r->out, ni.end_of_file);
	wire_put_u16le(&r->out, 0);		/* ResourceType: disk */
	wire_put_u16le(&r->out, 0);		/* NMPHandleState */
	wire_put_u8(&r->out, op->is_dir ? 1 : 0);
	smb1_bytes_end(r, smb1_bytes_begin(r));
}

/*
 * OPEN_ANDX's response [MS-CIFS §2.2.4.41.2]; ext: the extended one the
 * request's SMB_OPEN_EXTENDED_RESPONSE asks for [MS-SMB §2.2.4.1.2,
 * §3.3.5.6], whose MaximalAccessRights is the most the user could have
 * had on the file (what the open's access check computed, as SMB2's
 * MxAc context answers). GuestMaximalAccessRights is 0, not computed
 * (it would be the guest account's on a 'guest ok' share), as the
 * extended TREE_CONNECT_ANDX response's (tcon.c); the spec leaves both
 * implementation-specific.
 */
static void put_openx_reply(struct smb1_req *r, struct smbd_open *op,
			    const struct smbd_stat *sx, uint32_t action,
			    uint16_t access_mode, uint8_t oplock, bool ext)
{
	const uint64_t epoch = 116444736000000000ULL;
	struct smbd_ntinfo ni = {};

	open_ntinfo(op, sx, &ni);
	smb1_put_andx(r, ext ? 19 : 15);
	wire_put_u16le(&r->out, (uint16_t)op->fid_volatile);
	wire_put_u16le(&r->out, (uint16_t)(ni.attrs & 0x37));
	wire_put_u32le(&r->out, ni.write_time <= epoch ? 0 :
			       (uint32_t)((ni.write_time - epoch) / 10000000));
	wire_put_u32le(&r->out, ni.end_of_file > UINT32_MAX ? UINT32_MAX :
			       (uint32_t)ni.end_of_file);
	wire_put_u16le(&r->out, access_mode & 0x7);	/* AccessRights */
	wire_put_u16le(&r->out, 0);		/* ResourceType: disk */
	wire_put_u16le(&r->out, 0);		/* NMPipeStatus */
	/* OpenResults: 1 opened, 2 created, 3 truncated; 0x8000 an
	 * oplock granted */
	wire_put_u16le(&r->out, (action == FILE_WAS_CREATED ? 2 :
				 action == FILE_WAS_OPENED ? 1 : 3) |
			       (oplock != SMB2_OPLOCK_LEVEL_NONE ? 0x8000 : 0));
	if (ext) {
		wire_put_u32le(&r->out, 0);	/* ServerFID: unused */
		wire_put_u16le(&r->out, 0);	/* Reserved */
		wire_put_u32le(&r->out, op->maximal_access);
		wire_put_u32le(&r->out, 0);	/* GuestMaximalAccess */
	} else {
		wire_put_zero(&r->out, 6);
	}
	smb1_bytes_end(r, smb1_bytes_begin(r));
}

/* OPEN [MS-CIFS §2.2.4.3.2]: FID, attributes, UTIME, size, access. */
static void put_core_open_reply(struct smb1_req *r, struct smbd_open *op,
				const struct smbd_stat *sx,
				uint16_t access_mode)
{
	const uint64_t epoch = 116444736000000000ULL;
	struct smbd_ntinfo ni = {};

	open_ntinfo(op, sx, &ni);
	wire_put_u8(&r->out, 7);
	wire_put_u16le(&r->out, (uint16_t)op->fid_volatile);
	wire_put_u16le(&r->out, (uint16_t)(ni.attrs & 0x37));
	wire_put_u32le(&r->out, ni.write_time <= epoch ? 0 :
			       (uint32_t)((ni.write_time - epoch) / 10000000));
	wire_put_u32le(&r->out, ni.end_of_file > UINT32_MAX ? UINT32_MAX :
			       (uint32_t)ni.end_of_file);
	wire_put_u16le(&r->out, access_mode & 0x7F);
	smb1_bytes_end(r, smb1_bytes_begin(r));
}

/*
 * An open by name on a print share takes a new spool file and nothing
 * else, as SMB2's CREATE (smbd_print_create_guard): a name that exists
 * or is the spooler's answers as the guard says, an open of a missing
 * name OBJECT_NAME_NOT_FOUND, and any creating disposition creates the
 * file new (FILE_CREATE: a file that appears meanwhile is never opened).
 * Written, it is a job when closed (the write path's hook, smbd/print).
 * The spool directory itself, a directory or a stream is left to
 * smbd_open_by_name, which refuses it.
 */
static NTSTATUS print_share_open(struct ntcreate_state *st)
{
	struct smbd_tree *tree = st->r->tree;
	struct smbd_open_args *a = &st->a;
	TALLOC_CTX *tmp = NULL;
	char *rel = NULL, *ondisk = NULL;
	struct stat sb;
	bool have_st = false;
	NTSTATUS status = NT_STATUS_OK;
	int fd = -1;

	if (a->spool || tree->share->type != WG_SHARE_PRINT ||
	    tree->root_fd < 0 || strchr(a->name, ':') != NULL ||
	    (a->options & FILE_DIRECTORY_FILE)) {
		return NT_STATUS_OK;
	}
	tmp = talloc_new(st);
	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = vfs_canonicalize(tmp, a->name, false, &rel);
	if (status == NT_STATUS_OK) {
		status = vfs_resolve(tmp, tree->root_fd, rel, &ondisk);
	}
	if (status == NT_STATUS_OK) {
		fd = vfs_open_beneath(tree->root_fd, ondisk, O_PATH, 0);
		have_st = fd >= 0 && fstat(fd, &sb) == 0;
		if (fd >= 0) {
			close(fd);
		}
	}
	if (status == NT_STATUS_OK ||
	    status == NT_STATUS_OBJECT_NAME_NOT_FOUND) {
		bool exists = status == NT_STATUS_OK;

		status = smbd_print_create_guard(tree->sess->conn->srv,
						 tree->share, tree->sess->user,
						 exists, exists ? ondisk : rel,
						 have_st ? &sb : NULL);
		if (status == NT_STATUS_OK && !exists) {
			if (a->disposition == FILE_OPEN ||
			    a->disposition == FILE_OVERWRITE) {
				status = NT_STATUS_OBJECT_NAME_NOT_FOUND;
			} else {
				a->disposition = FILE_CREATE;
				a->spool = true;
			}
		}
	}
	talloc_free(tmp);
	return status;
}

/* One SMB1 overwrite's truncate on a worker (smb1_trunc_send). */
struct smb1_trunc {
	void *st;		/* the caller's request state, our parent */
	struct smb1_req *r;
	uint64_t fid;		/* the open's volatile id */
	uint32_t action;
	smb1_trunc_answer_fn answer;
};

static void smb1_trunc_done(struct tevent_req *subreq)
{
	struct smb1_trunc *t =
		tevent_req_callback_data(subreq, struct smb1_trunc);
	struct smb1_req *r = t->r;
	struct smbd_open *op = NULL;
	NTSTATUS status = NT_STATUS_OK;
	int ret = smbd_trunc_recv(subreq);

	TALLOC_FREE(subreq);
	/* a TREE_DISCONNECT, LOGOFF or CLOSE meanwhile closed the open */
	status = smb1_req_reresolve(r);
	if (status == NT_STATUS_OK) {
		status = smbd_trunc_open_find(r->conn->srv, r->tree, t->fid,
					      ret, NULL, NULL, &op);
	}
	if (status == NT_STATUS_OK) {
		status = t->answer(t->st, op, t->action);
	}
	talloc_free(t->st);
	smb1_req_done(r, status);
}

NTSTATUS smb1_trunc_send(void *st, struct smb1_req *r, struct smbd_open *op,
			 uint64_t alloc_size, uint32_t action,
			 smb1_trunc_answer_fn answer)
{
	struct smbd_server *srv = r->conn->srv;
	struct smb1_trunc *t = talloc_zero(st, struct smb1_trunc);
	struct tevent_req *subreq = NULL;

	if (t == NULL) {
		talloc_free(op);
		return NT_STATUS_NO_MEMORY;
	}
	t->st = st;
	t->r = r;
	t->fid = op->fid_volatile;
	t->action = action;
	t->answer = answer;
	subreq = smbd_trunc_send(t, srv->ev, srv->workers, r->conn->client,
				 op->fd, alloc_size);
	if (subreq == NULL) {
		NTSTATUS status = smbd_map_errno(errno);

		talloc_free(t);
		talloc_free(op);
		return status;
	}
	tevent_req_set_callback(subreq, smb1_trunc_done, t);
	return NT_STATUS_PENDING;
}

/* One SMB1 cut of a file on a worker (smb1_cut_send). */
struct smb1_cut {
	void *st;		/* the caller's request state, our parent */
	struct smb1_req *r;
	uint64_t fid;		/* the open's volatile id */
	struct smbd_wtime_io io;	/* smbd_open_set_size_begin's */
	smb1_cut_answer_fn answer;
};

static void smb1_cut_done(struct tevent_req *subreq)
{
	struct smb1_cut *c = tevent_req_callback_data(subreq, struct smb1_cut);
	struct smb1_req *r = c->r;
	struct smbd_open *op = NULL;
	NTSTATUS status = NT_STATUS_OK;
	NTSTATUS found = NT_STATUS_OK;
	int ret = smbd_trunc_recv(subreq);

	TALLOC_FREE(subreq);
	/* a CLOSE, TREE_DISCONNECT or LOGOFF meanwhile closed the open:
	 * the file is cut all the same (volatile ids are never reused) */
	op = smbd_open_find(r->conn->srv, c->fid);
	ret = smbd_open_set_size_end(op, &c->io, ret);
	found = smb1_req_reresolve(r);
	status = c->answer(c->st, r, op, ret);
	talloc_free(c->st);
	/* a session or tree gone meanwhile is the answer, as for an
	 * overwrite (smb1_trunc_done) */
	smb1_req_done(r, found != NT_STATUS_OK ? found : status);
}

NTSTATUS smb1_cut_send(void *st, struct smb1_req *r, struct smbd_open *op,
		       uint64_t len, smb1_cut_answer_fn answer)
{
	struct smbd_server *srv = r->conn->srv;
	struct smb1_cut *c = NULL;
	struct tevent_req *subreq = NULL;

	if (!smbd_cut_offload(op->fd, len)) {
		return NT_STATUS_NOT_SUPPORTED;	/* small: on the loop */
	}
	c = talloc_zero(st, struct smb1_cut);
	if (c == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	c->st = st;
	c->r = r;
	c->fid = op->fid_volatile;
	c->answer = answer;
	/* the held write time update and the time to keep, on the loop
	 * before the job starts (again by the caller's cut if none can:
	 * it has nothing to undo) */
	smbd_open_set_size_begin(op, &c->io);
	subreq = smbd_cut_send(c, srv->ev, srv->workers, r->conn->client,
			       op->fd, len);
	if (subreq == NULL) {
		talloc_free(c);
		return NT_STATUS_NO_MEMORY;
	}
	tevent_req_set_callback(subreq, smb1_cut_done, c);
	return NT_STATUS_PENDING;
}

/* smb1_trunc_send's answer for NT_CREATE_ANDX */
static NTSTATUS ntcreate_trunc_answer(void *st, struct smbd_open *op,
				      uint32_t action)
{
	return ntcreate_answer(st, op, action);
}

/* One round of the open; PENDING: waiting for breaks or the truncate
 * (st kept). */
static NTSTATUS ntcreate_try(struct ntcreate_state *st)
{
	struct smb1_req *r = st->r;
	struct smbd_open *op = NULL;
	struct smbd_file *wait = NULL;
	uint32_t action = 0;
	NTSTATUS status = smb1_path_syntax(st->a.name);

	if (status == NT_STATUS_OK) {
		status = print_share_open(st);
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	/* checked as its sender if it waited (smb1_req_keep_token) */
	st->a.token = r->token;
	st->a.trunc_later = &st->trunc_later;
	st->a.created = &st->sx;
	status = smbd_open_by_name(r->tree, &st->a, &op, &action, &wait);
	if (status == NT_STATUS_PENDING) {
		if (++st->rounds > SMB1_OPEN_BREAK_ROUNDS) {
			return NT_STATUS_SHARING_VIOLATION;
		}
		status = smb1_req_keep_token(r);
		if (status != NT_STATUS_OK) {
			return status;
		}
		status = smbd_oplock_wait(st, wait, r->conn, ntcreate_woken,
					  st, &st->wait);
		return status == NT_STATUS_OK ? NT_STATUS_PENDING : status;
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (st->trunc_later) {
		/* its oplock is granted after the truncate, so no break
		 * is sent to it before its open is answered */
		return smb1_trunc_send(st, r, op, st->a.alloc_size, action,
				       ntcreate_trunc_answer);
	}
	return ntcreate_answer(st, op, action);
}

/* The file is open (and overwritten): oplock and reply. */
static NTSTATUS ntcreate_answer(struct ntcreate_state *st,
				struct smbd_open *op, uint32_t action)
{
	struct smb1_req *r = st->r;
	const struct smbd_stat *sx = NULL;
	uint8_t oplock = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (st->reply != NULL || st->reply_priv != NULL) {
		status = st->reply != NULL ?
			 st->reply(r, op, action, st->arg) :
			 st->reply_priv(r, op, action, st->priv);
		if (status != NT_STATUS_OK) {
			talloc_free(op);
		}
		return status;
	}
	if (st->openx && st->a.alloc_size > 0 && op->fd >= 0 &&
	    (action == FILE_WAS_CREATED || action == FILE_WAS_OVERWRITTEN) &&
	    ftruncate(op->fd, (off_t)st->a.alloc_size) != 0) {
		/* OPEN_ANDX's AllocationSize is the size of the file it
		 * creates or truncates [MS-CIFS §2.2.4.41.1] */
		status = smbd_map_errno(errno);
		talloc_free(op);
		return status;
	}
	/* the create's stat, unless the size changed since (above) */
	if (action == FILE_WAS_CREATED &&
	    !(st->openx && st->a.alloc_size > 0)) {
		sx = &st->sx;
	}
	status = smb1_fid_check(r, op);
	if (status != NT_STATUS_OK) {
		talloc_free(op);
		return status;
	}
	/* level II over NT_CREATE_ANDX only [MS-CIFS §3.2.4.18] */
	oplock = smb1_oplock_grant(r, op, st->oplock, !st->openx && !st->core);
	r->chain_fid_set = true;
	r->chain_fid = (uint16_t)op->fid_volatile;
	if (st->core) {
		smb1_oplock_core_reply(r, oplock);
		put_core_open_reply(r, op, sx, st->access_mode);
	} else if (st->openx) {
		put_openx_reply(r, op, sx, action, st->access_mode, oplock,
				st->openx_ext);
	} else {
		put_ntcreate_reply(r, op, sx, action, oplock);
	}
	return NT_STATUS_OK;
}

/* NT_CREATE_ANDX on IPC$: a named pipe */
static NTSTATUS ntcreate_pipe(struct smb1_req *r, const struct smb1_block *b,
			      const struct smb1_ntcreate *c)
{
	struct smbd_open *op = NULL;
	char *name = NULL;
	size_t next = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_pull_string(r, r->in, b->bytes_off, b->end, r->unicode,
			     &name, &next) != 0) {
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	status = smb1_pipe_open(r, name, c->desired, &op);
	if (status == NT_STATUS_OK) {
		smb1_pipe_ntcreate_reply(r, op);
	}
	return status;
}

NTSTATUS smb1_nt_create(struct smb1_req *r, const struct smb1_block *b)
{
	struct smb1_ntcreate c = {};
	struct ntcreate_state *st = NULL;
	char *name = NULL;
	const char *path = NULL;
	size_t next = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_ntcreate_parse(b, &c) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (r->tree->share->type == WG_SHARE_IPC) {
		return ntcreate_pipe(r, b, &c);
	}
	/* on a print share: a new spool file (print_share_open) */
	if (r->tree->share->type != WG_SHARE_DISK &&
	    r->tree->share->type != WG_SHARE_PRINT) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	if (c.options & SMB1_CREATE_OPTIONS_REFUSED) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (c.flags & NT_CREATE_OPEN_TARGET_DIR) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	/* delete-on-close asks for DELETE: over SMB1 its absence is a bad
	 * request (INVALID_PARAMETER, as Windows NT answers), not a denial */
	if ((c.options & FILE_DELETE_ON_CLOSE) &&
	    !(c.desired & (SEC_STD_DELETE | SEC_GENERIC_ALL |
			   SEC_FLAG_MAXIMUM_ALLOWED))) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	st = talloc_zero(r, struct ntcreate_state);
	if (st == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (smb1_pull_string(st, r->in, b->bytes_off, b->end, r->unicode,
			     &name, &next) != 0) {
		talloc_free(st);
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	status = smb1_root_fid_path(r, st, c.root_fid, name, &path);
	if (status != NT_STATUS_OK) {
		talloc_free(st);
		return status;
	}
	st->r = r;
	st->oplock = smb1_oplock_requested(c.flags);
	st->a = (struct smbd_open_args){
		.name = path,
		.desired = c.desired,
		.attrs = c.attrs,
		.share = c.share,
		.disposition = c.disposition,
		.options = c.options,
		.alloc_size = c.alloc_size,
	};
	status = ntcreate_try(st);
	if (status != NT_STATUS_PENDING) {
		talloc_free(st);
	}
	return status;
}

/* ---- OPEN_ANDX [MS-CIFS §2.2.4.41] ---- */

/* OPEN_ANDX on IPC$: a named pipe ("\\PIPE\\name") */
static NTSTATUS openx_pipe(struct smb1_req *r, const struct smb1_block *b,
			   uint16_t mode)
{
	struct smbd_open *op = NULL;
	char *name = NULL;
	size_t next = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_pull_string(r, r->in, b->bytes_off, b->end, r->unicode,
			     &name, &next) != 0) {
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	status = smb1_pipe_open(r, name, FILE_READ_DATA | FILE_WRITE_DATA,
				&op);
	if (status == NT_STATUS_OK) {
		smb1_pipe_openx_reply(r, op, mode);
	}
	return status;
}

NTSTATUS smb1_open_andx(struct smb1_req *r, const struct smb1_block *b)
{
	static const uint32_t access[4] = {
		GENERIC_READ_ACCESS, GENERIC_WRITE_ACCESS,
		GENERIC_READ_ACCESS | GENERIC_WRITE_ACCESS,
		GENERIC_READ_ACCESS | GENERIC_EXECUTE_ACCESS,
	};
	struct smb1_dos_open dos = {};
	struct ntcreate_state *st = NULL;
	uint16_t mode = 0, open_mode = 0, attrs = 0;
	uint32_t disposition = 0;
	char *name = NULL;
	size_t next = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct != 15) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	mode = smb1_word(b, 3);
	if (r->tree->share->type == WG_SHARE_IPC) {
		return openx_pipe(r, b, mode);
	}
	if (r->tree->share->type != WG_SHARE_DISK &&
	    r->tree->share->type != WG_SHARE_PRINT) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	attrs = smb1_word(b, 5);
	open_mode = smb1_word(b, 8);
	switch (open_mode & 0x13) {
	case 0x10:
		disposition = FILE_CREATE;
		break;
	case 0x11:
		disposition = FILE_OPEN_IF;
		break;
	case 0x12:
		disposition = FILE_OVERWRITE_IF;
		break;
	case 0x01:
		disposition = FILE_OPEN;
		break;
	case 0x02:
		disposition = FILE_OVERWRITE;
		break;
	case 0x00:
		/* neither open nor create: decided below, by the access */
		break;
	default:
		return NT_STATUS_INVALID_PARAMETER;
	}
	st = talloc_zero(r, struct ntcreate_state);
	if (st == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (smb1_pull_string(st, r->in, b->bytes_off, b->end, r->unicode,
			     &name, &next) != 0) {
		talloc_free(st);
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	/* DOS and FCB share modes, and the same-process compatibility
	 * rules (proto/smb1_core.h) */
	if (smb1_dos_open_map(mode, name, &dos) != 0) {
		talloc_free(st);
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (disposition == 0 && dos.access_class != 3) {
		/* an OpenMode that neither opens nor creates: an invalid
		 * open mode [MS-CIFS §2.2.4.41.2], in DOS form as Windows */
		talloc_free(st);
		return SMB1_DOS_STATUS(SMB1_ERRDOS, SMB1_ERRbadaccess);
	}
	if (disposition == 0) {
		/* Windows opens for execute whatever OpenMode says, creating
		 * the file if need be (smbtorture raw.open.openx) */
		disposition = FILE_OPEN_IF;
	}
	st->r = r;
	st->openx = true;
	st->openx_ext = (smb1_word(b, 2) & SMB1_OPEN_EXTENDED_RESPONSE) != 0;
	st->access_mode = (uint16_t)((mode & ~0x7) | dos.access_class);
	st->oplock = smb1_oplock_requested(smb1_word(b, 2));
	st->a = (struct smbd_open_args){
		.name = name,
		.desired = access[dos.access_class],
		.attrs = attrs & 0x27,
		.share = dos.share,
		.disposition = disposition,
		.options = FILE_NON_DIRECTORY_FILE |
			   ((mode & 0x4000) ? FILE_WRITE_THROUGH : 0),
		.alloc_size = smb1_dword(b, 9),
		.compat_conn = dos.dos_or_fcb ? r->conn : NULL,
		.compat_pid = r->hdr.pid,
		.compat_exclusive = dos.exclusive,
	};
	status = ntcreate_try(st);
	if (status != NT_STATUS_PENDING) {
		talloc_free(st);
	}
	return status;
}

/*
 * OPEN (0x02, core protocol) [MS-CIFS §2.2.4.3]: an existing file, with
 * the same DOS and FCB share modes as OPEN_ANDX.
 */
NTSTATUS smb1_open(struct smb1_req *r, const struct smb1_block *b)
{
	static const uint32_t access[4] = {
		GENERIC_READ_ACCESS, GENERIC_WRITE_ACCESS,
		GENERIC_READ_ACCESS | GENERIC_WRITE_ACCESS,
		GENERIC_READ_ACCESS | GENERIC_EXECUTE_ACCESS,
	};
	struct smb1_dos_open dos = {};
	struct ntcreate_state *st = NULL;
	uint16_t mode = 0;
	size_t off = b->bytes_off;
	char *name = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct != 2) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (r->tree->share->type != WG_SHARE_DISK) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	mode = smb1_word(b, 0);
	st = talloc_zero(r, struct ntcreate_state);
	if (st == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = smb1_pull_path(r, st, b, &off, &name);
	if (status == NT_STATUS_OK &&
	    smb1_dos_open_map(mode, name, &dos) != 0) {
		status = NT_STATUS_INVALID_PARAMETER;
	}
	if (status != NT_STATUS_OK) {
		talloc_free(st);
		return status;
	}
	st->r = r;
	st->core = true;
	st->access_mode = (uint16_t)((mode & ~0x7) | dos.access_class);
	st->oplock = smb1_oplock_core_requested(r->hdr.flags);
	st->a = (struct smbd_open_args){
		.name = name,
		.desired = access[dos.access_class],
		.share = dos.share,
		.disposition = FILE_OPEN,
		.options = FILE_NON_DIRECTORY_FILE,
		.compat_conn = dos.dos_or_fcb ? r->conn : NULL,
		.compat_pid = r->hdr.pid,
		.compat_exclusive = dos.exclusive,
	};
	status = ntcreate_try(st);
	if (status != NT_STATUS_PENDING) {
		talloc_free(st);
	}
	return status;
}

NTSTATUS smb1_open_run(struct smb1_req *r, const struct smbd_open_args *a,
		       uint32_t arg, smb1_open_reply_fn reply)
{
	struct ntcreate_state *st = talloc_zero(r, struct ntcreate_state);
	NTSTATUS status = NT_STATUS_OK;

	if (st == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	st->r = r;
	st->a = *a;
	st->a.name = talloc_strdup(st, a->name);
	st->arg = arg;
	st->reply = reply;
	if (st->a.name == NULL) {
		talloc_free(st);
		return NT_STATUS_NO_MEMORY;
	}
	status = ntcreate_try(st);
	if (status != NT_STATUS_PENDING) {
		talloc_free(st);
	}
	return status;
}

NTSTATUS smb1_open_run_priv(struct smb1_req *r,
			    const struct smbd_open_args *a, void *priv,
			    smb1_open_reply_priv_fn reply)
{
	struct ntcreate_state *st = talloc_zero(r, struct ntcreate_state);
	NTSTATUS status = NT_STATUS_OK;

	if (st == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	st->r = r;
	st->a = *a;
	st->a.name = talloc_strdup(st, a->name);
	st->priv = talloc_steal(st, priv);
	st->reply_priv = reply;
	if (st->a.name == NULL) {
		talloc_free(st);
		return NT_STATUS_NO_MEMORY;
	}
	status = ntcreate_try(st);
	if (status != NT_STATUS_PENDING) {
		talloc_free(st);
	}
	return status;
}

/* ---- CLOSE [MS-CIFS §2.2.4.5] ---- */

NTSTATUS smb1_close(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_open *op = NULL;
	uint64_t when = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct != 3) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	op = smb1_fid_find(r, smb1_word(b, 0));
	if (op == NULL) {
		return NT_STATUS_INVALID_HANDLE;
	}
	/* LastTimeModified: the file's write time from now on
	 * [MS-CIFS §2.2.4.5.1] */
	when = smb1_utime_to_nt(smb1_dword(b, 1));
	if (when != 0 && op->pipe == NULL && op->fd >= 0) {
		status = smbd_open_set_basic(op, 0, 0, when, 0, 0);
	}
	/* the destructor flushes written data on a worker and closes */
	talloc_free(op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	wire_put_u8(&r->out, 0);
	smb1_bytes_end(r, smb1_bytes_begin(r));
	return NT_STATUS_OK;
}

/* ---- OPEN_PRINT_FILE, WRITE_PRINT_FILE, CLOSE_PRINT_FILE ---- */

static NTSTATUS print_open_reply(struct smb1_req *r, struct smbd_open *op,
				 uint32_t action, uint32_t arg)
{
	NTSTATUS status = smb1_fid_check(r, op);

	(void)action;
	(void)arg;
	if (status != NT_STATUS_OK) {
		return status;
	}
	wire_put_u8(&r->out, 1);
	wire_put_u16le(&r->out, (uint16_t)op->fid_volatile);
	smb1_bytes_end(r, smb1_bytes_begin(r));
	return NT_STATUS_OK;
}

/*
 * OPEN_PRINT_FILE [MS-CIFS §2.2.4.67, §3.3.5.54]: a new spool file in
 * the print share's spool directory, under a name the server gives
 * (the client's Identifier is not a file name); written at its end
 * (append-only access), a job when closed (smbd/print). The setup data
 * SetupLength announces is the first data written, spooled as it is.
 */
NTSTATUS smb1_open_print_file(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_open_args a = {
		.desired = FILE_APPEND_DATA | FILE_READ_ATTRIBUTES |
			   SEC_STD_SYNCHRONIZE,
		.attrs = FILE_ATTRIBUTE_NORMAL,
		.disposition = FILE_CREATE,
		.options = FILE_NON_DIRECTORY_FILE,
		.spool = true,
	};
	char name[64];

	if (b->wct != 2) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (r->tree->share->type != WG_SHARE_PRINT) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	/* unique among the spool's files: tree, PID and the time in
	 * 100 ns; a clash is OBJECT_NAME_COLLISION, never another's file */
	snprintf(name, sizeof(name), "smb1-%08x-%04x-%016llx.prn",
		 (unsigned)r->tree->id, (unsigned)r->hdr.pid,
		 (unsigned long long)smbd_nt_now());
	a.name = name;
	return smb1_open_run(r, &a, 0, print_open_reply);
}

/* A spool file: an open of a print share (OPEN_PRINT_FILE's only). */
static NTSTATUS print_fid(struct smb1_req *r, uint16_t fid,
			  struct smbd_open **pop)
{
	*pop = smb1_fid_find(r, fid);
	if (*pop == NULL) {
		return NT_STATUS_INVALID_HANDLE;
	}
	if ((*pop)->pipe != NULL || (*pop)->fd < 0 ||
	    r->tree->share->type != WG_SHARE_PRINT) {
		/* not a print file [MS-CIFS §2.2.4.68, §2.2.4.69] */
		return SMB1_DOS_STATUS(SMB1_ERRSRV, SMB1_ERRerror);
	}
	return NT_STATUS_OK;
}

static NTSTATUS write_print_put(struct smb1_req *r, struct smbd_open *op,
				const uint8_t *data, uint32_t n,
				uint64_t offset, void *priv)
{
	(void)op;
	(void)data;
	(void)n;
	(void)offset;
	(void)priv;
	wire_put_u8(&r->out, 0);
	smb1_bytes_end(r, smb1_bytes_begin(r));
	return NT_STATUS_OK;
}

/* WRITE_PRINT_FILE [MS-CIFS §2.2.4.68]: data at the spool file's end */
NTSTATUS smb1_write_print_file(struct smb1_req *r,
			       const struct smb1_block *b)
{
	struct smb1_write w = {};
	struct smbd_open *op = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_write_parse(b, SMB1_COM_WRITE_PRINT_FILE, &w) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = print_fid(r, w.fid, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	return smb1_write_op(r, op, 0, r->in + w.data_off, w.count, false,
			     write_print_put, NULL);
}

/*
 * CLOSE_PRINT_FILE [MS-CIFS §2.2.4.69]: close a spool file,
 * which queues it (the job is made as the open goes, smbd/print); a FID
 * that is no print file is ERRSRV:ERRerror.
 */
NTSTATUS smb1_close_print_file(struct smb1_req *r,
			       const struct smb1_block *b)
{
	struct smbd_open *op = NULL;
	NTSTATUS status = NT_STATUS_OK;

	/* WordCount 1; smbtorture sends CLOSE's 3 words */
	if (b->wct < 1) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = print_fid(r, smb1_word(b, 0), &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	talloc_free(op);
	wire_put_u8(&r->out, 0);
	smb1_bytes_end(r, smb1_bytes_begin(r));
	return NT_STATUS_OK;
}

/* ---- reads and writes: READ_ANDX, WRITE_ANDX and core.c's ---- */

struct io1_state {
	struct smb1_req *r;
	uint64_t fid_v;
	uint64_t offset;
	smb1_io_reply_fn put;
	void *priv;
};

static struct smbd_open *io1_open(struct io1_state *st)
{
	struct smbd_open *op = smbd_open_find(st->r->conn->srv, st->fid_v);

	return op != NULL && op->tree == st->r->tree ? op : NULL;
}

static NTSTATUS io1_target(const struct smbd_open *op)
{
	if (op->pipe != NULL || op->fd < 0 || op->is_dir) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	return NT_STATUS_OK;
}

/* May r touch [off, off+len) of op given the byte-range locks of other
 * opens and of other PIDs (lock.c)? */
static NTSTATUS io1_locks(const struct smb1_req *r,
			  const struct smbd_open *op, uint64_t off,
			  uint64_t len, bool write)
{
	return smb1_lock_io_conflicts(r, op, off, len, write) ?
	       NT_STATUS_FILE_LOCK_CONFLICT : NT_STATUS_OK;
}

static struct io1_state *io1_new(struct smb1_req *r, struct smbd_open *op,
				 uint64_t offset, smb1_io_reply_fn put,
				 void *priv)
{
	struct io1_state *st = talloc_zero(r, struct io1_state);

	if (st != NULL) {
		st->r = r;
		st->fid_v = op->fid_volatile;
		st->offset = offset;
		st->put = put;
		st->priv = priv;
	}
	return st;
}

static void io1_done(struct io1_state *st, struct smbd_open *op,
		     const uint8_t *data, uint32_t n)
{
	struct smb1_req *r = st->r;
	NTSTATUS status = NT_STATUS_OK;

	if (st->offset != SMBD_PWRITE_APPEND) {
		smb1_seek_note(op, st->offset + n);
	}
	status = st->put(r, op, data, n, st->offset, st->priv);
	talloc_free(st);
	if (status == NT_STATUS_OK && wire_wr_error(&r->out) != 0) {
		status = NT_STATUS_NO_MEMORY;
	}
	smb1_req_done(r, status);
}

static void read_done(struct tevent_req *subreq)
{
	struct io1_state *st = tevent_req_callback_data(subreq,
							struct io1_state);
	struct smb1_req *r = st->r;
	struct smbd_open *op = NULL;
	uint8_t *buf = NULL;
	ssize_t n = smbd_pread_recv(subreq, st, &buf);

	TALLOC_FREE(subreq);
	if (n < 0) {
		talloc_free(st);
		smb1_req_done(r, smbd_map_errno((int)-n));
		return;
	}
	op = io1_open(st);
	if (op != NULL) {
		op->position = st->offset + (uint64_t)n;
	}
	io1_done(st, op, buf, (uint32_t)n);
}

NTSTATUS smb1_read_op(struct smb1_req *r, struct smbd_open *op,
		      uint64_t offset, uint32_t count, smb1_io_reply_fn put,
		      void *priv)
{
	struct smbd_server *srv = r->conn->srv;
	struct io1_state *st = NULL;
	struct tevent_req *subreq = NULL;
	NTSTATUS status = io1_target(op);

	if (status != NT_STATUS_OK) {
		return status;
	}
	/* execute access reads only for a client that says it executes
	 * (SMB_FLAGS2_READ_IF_EXECUTE [MS-SMB §2.2.3.1]) */
	if ((op->access & FILE_READ_DATA) == 0 &&
	    ((op->access & FILE_EXECUTE) == 0 ||
	     (r->hdr.flags2 & SMB1_FLAGS2_READ_IF_EXECUTE) == 0)) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (count > SMB1_MAX_READ) {
		count = SMB1_MAX_READ;	/* a short read, not an error */
	}
	if (offset > (uint64_t)INT64_MAX - count) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = io1_locks(r, op, offset, count, false);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (count == 0) {
		return put(r, op, NULL, 0, offset, priv);
	}
	st = io1_new(r, op, offset, put, priv);
	if (st == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	subreq = smbd_pread_send(st, srv->ev, srv->workers, r->conn->client,
				 op->fd, count, offset);
	if (subreq == NULL) {
		talloc_free(st);
		return NT_STATUS_NO_MEMORY;
	}
	tevent_req_set_callback(subreq, read_done, st);
	return NT_STATUS_PENDING;
}

static NTSTATUS readx_put(struct smb1_req *r, struct smbd_open *op,
			  const uint8_t *data, uint32_t n, uint64_t offset,
			  void *priv)
{
	size_t off_at = 0, pos = 0;

	smb1_put_andx(r, 12);
	wire_put_u16le(&r->out, 0xFFFF);	/* Available */
	wire_put_u16le(&r->out, 0);		/* DataCompactionMode */
	wire_put_u16le(&r->out, 0);		/* Reserved */
	wire_put_u16le(&r->out, (uint16_t)n);
	off_at = r->out.len;
	wire_put_u16le(&r->out, 0);		/* DataOffset */
	wire_put_u16le(&r->out, (uint16_t)(n >> 16));
	wire_put_u64le(&r->out, 0);		/* Reserved2 */
	pos = smb1_bytes_begin(r);
	wire_put_u8(&r->out, 0);		/* Pad */
	wire_patch_u16le(&r->out, off_at, (uint16_t)r->out.len);
	wire_put_bytes(&r->out, data, n);
	/* ByteCount holds the low 16 bits of a large read's length */
	wire_patch_u16le(&r->out, pos, (uint16_t)(r->out.len - pos - 2));
	return NT_STATUS_OK;
}

NTSTATUS smb1_read_andx(struct smb1_req *r, const struct smb1_block *b)
{
	struct smb1_readx rx = {};
	struct smbd_open *op = NULL;

	if (smb1_readx_parse(b, (r->c1->client_caps &
				 SMB1_CAP_LARGE_READX) != 0, &rx) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	op = smb1_fid_find(r, rx.fid);
	if (op == NULL) {
		return NT_STATUS_INVALID_HANDLE;
	}
	if (op->pipe != NULL) {
		return smb1_pipe_read(r, op, rx.max_count);
	}
	return smb1_read_op(r, op, rx.offset, rx.max_count, readx_put, NULL);
}

static void write_done(struct tevent_req *subreq)
{
	struct io1_state *st = tevent_req_callback_data(subreq,
							struct io1_state);
	struct smb1_req *r = st->r;
	struct smbd_open *op = NULL;
	ssize_t n = smbd_pwrite_recv(subreq);

	TALLOC_FREE(subreq);
	if (n < 0) {
		talloc_free(st);
		smb1_req_done(r, smbd_map_errno_in(SMBD_ERRMAP_WRITE,
						   (int)-n));
		return;
	}
	/* FilePositionInformation moves with reads only (smbtorture
	 * raw.seek, as Windows); the seek pointer with both */
	op = io1_open(st);
	if (op != NULL) {
		op->written = true;
		op->ever_written = true;
		if (n > 0) {
			smbd_watch_stream(op, FILE_ACTION_MODIFIED_STREAM);
		}
	}
	io1_done(st, op, NULL, (uint32_t)n);
}

NTSTATUS smb1_write_op(struct smb1_req *r, struct smbd_open *op,
		       uint64_t offset, const uint8_t *data, uint32_t len,
		       bool sync, smb1_io_reply_fn put, void *priv)
{
	struct smbd_server *srv = r->conn->srv;
	struct io1_state *st = NULL;
	struct tevent_req *subreq = NULL;
	unsigned pflags = 0;
	NTSTATUS status = io1_target(op);

	if (status != NT_STATUS_OK) {
		return status;
	}
	if ((op->access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if ((op->access & FILE_WRITE_DATA) == 0) {
		offset = SMBD_PWRITE_APPEND;
	} else if (offset > (uint64_t)INT64_MAX - len) {
		return NT_STATUS_INVALID_PARAMETER;
	} else {
		status = io1_locks(r, op, offset, len, true);
		if (status != NT_STATUS_OK) {
			return status;
		}
	}
	if (len == 0) {
		return put(r, op, NULL, 0, offset, priv);
	}
	if (sync || (op->create_options & FILE_WRITE_THROUGH)) {
		pflags |= SMBD_PWRITE_SYNC;
	}
	/* a file written through a print share is a job when closed */
	if (!op->ever_written && smbd_print_open_written(op) != 0) {
		return NT_STATUS_NO_MEMORY;
	}
	if (op->file != NULL) {
		(void)smbd_oplock_break(op->file, op, SMBD_OPLOCK_OP_WRITE,
					false);
	}
	st = io1_new(r, op, offset, put, priv);
	if (st == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (len > 0) {
		smbd_watch_wrote(op);	/* before its IN_MODIFY comes */
	}
	subreq = smbd_pwrite_send(st, srv->ev, srv->workers, r->conn->client,
				  op->fd, data, len, offset, pflags);
	if (subreq == NULL) {
		talloc_free(st);
		return NT_STATUS_NO_MEMORY;
	}
	op->written = true;
	op->ever_written = true;
	tevent_req_set_callback(subreq, write_done, st);
	return NT_STATUS_PENDING;
}

static NTSTATUS writex_put(struct smb1_req *r, struct smbd_open *op,
			   const uint8_t *data, uint32_t n, uint64_t offset,
			  void *priv)
{
	smb1_put_andx(r, 6);
	wire_put_u16le(&r->out, (uint16_t)n);
	wire_put_u16le(&r->out, 0xFFFF);	/* Available */
	wire_put_u16le(&r->out, (uint16_t)(n >> 16));
	wire_put_u16le(&r->out, 0);
	smb1_bytes_end(r, smb1_bytes_begin(r));
	return NT_STATUS_OK;
}

NTSTATUS smb1_write_andx(struct smb1_req *r, const struct smb1_block *b)
{
	struct smb1_writex wx = {};
	struct smbd_open *op = NULL;

	if (smb1_writex_parse(r->in, r->in_len, b,
			      (r->c1->client_caps & SMB1_CAP_LARGE_WRITEX) !=
				      0, &wx) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	op = smb1_fid_find(r, wx.fid);
	if (op == NULL) {
		return NT_STATUS_INVALID_HANDLE;
	}
	if (op->pipe != NULL) {
		return smb1_pipe_write(r, op, r->in + wx.data_off, wx.length);
	}
	/* a zero-length write sets the file size in MS-CIFS' older
	 * commands; WRITE_ANDX writes nothing */
	return smb1_write_op(r, op, wx.offset, r->in + wx.data_off, wx.length,
			     (wx.write_mode & SMB1_WRITE_THROUGH_MODE) != 0,
			     writex_put, NULL);
}

/* ---- FLUSH [MS-CIFS §2.2.4.6] ---- */

static void flush_done(struct tevent_req *subreq)
{
	struct smb1_req *r = tevent_req_callback_data(subreq,
						      struct smb1_req);
	int rc = smbd_fsync_recv(subreq);

	TALLOC_FREE(subreq);
	if (rc != 0) {
		smb1_req_done(r, smbd_map_errno(-rc));
		return;
	}
	wire_put_u8(&r->out, 0);
	smb1_bytes_end(r, smb1_bytes_begin(r));
	smb1_req_done(r, NT_STATUS_OK);
}

NTSTATUS smb1_flush(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_server *srv = r->conn->srv;
	struct smbd_open *op = NULL;
	struct tevent_req *subreq = NULL;

	if (b->wct != 1) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (smb1_word(b, 0) == 0xFFFF) {
		/* every file of the process: written data reaches the disk
		 * when each closes */
		wire_put_u8(&r->out, 0);
		smb1_bytes_end(r, smb1_bytes_begin(r));
		return NT_STATUS_OK;
	}
	op = smb1_fid_find(r, smb1_word(b, 0));
	if (op == NULL) {
		return NT_STATUS_INVALID_HANDLE;
	}
	if (op->fd < 0 || op->is_dir || !op->written) {
		wire_put_u8(&r->out, 0);
		smb1_bytes_end(r, smb1_bytes_begin(r));
		return NT_STATUS_OK;
	}
	op->written = false;
	subreq = smbd_fsync_send(r, srv->ev, srv->workers, r->conn->client,
				 op->fd);
	if (subreq == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	tevent_req_set_callback(subreq, flush_done, r);
	return NT_STATUS_PENDING;
}

/* ---- LOCKING_ANDX [MS-CIFS §2.2.4.32] ---- */

NTSTATUS smb1_locking_andx(struct smb1_req *r, const struct smb1_block *b)
{
	struct smb1_locking l = {};
	struct smbd_open *op = NULL;

	if (smb1_locking_parse(b, &l) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	op = smb1_fid_find(r, l.fid);
	if (op == NULL) {
		return NT_STATUS_INVALID_HANDLE;
	}
	if (l.type & SMB1_LOCKING_OPLOCK_RELEASE) {
		smb1_oplock_ack(op, l.oplock_level);
		if (l.nunlocks == 0 && l.nlocks == 0) {
			/* an acknowledgment alone is never answered */
			r->no_reply = true;
			return NT_STATUS_OK;
		}
	}
	if (l.nlocks > 0 && op->file != NULL && !op->is_dir) {
		/* a byte-range lock breaks oplocks, as SMB2 LOCK does */
		(void)smbd_oplock_break(op->file, op, SMBD_OPLOCK_OP_LOCK,
					false);
	}
	return smb1_lock_ranges(r, op, &l);
}

/* ---- NT_CANCEL [MS-CIFS §2.2.4.65]: ends a waiting lock; no reply ---- */

NTSTATUS smb1_nt_cancel(struct smb1_req *r, const struct smb1_block *b)
{
	r->no_reply = true;
	if (!smb1_lock_nt_cancel(r)) {
		smb1_nttrans_cancel(r);
	}
	return NT_STATUS_OK;
}
