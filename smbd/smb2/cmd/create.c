/*
 * create.c - CREATE and CLOSE [MS-SMB2 §3.3.5.9, §3.3.5.10]. The open
 * object, its registry and the per-inode state are fs/open.c's.
 *
 * CREATE runs on the loop: the path walk and open are short metadata
 * operations. Data I/O goes to the worker pool (rw.c).
 */
#include "smbd/smbd.h"
#include "smbd/smb2/cmd/cmd.h"
#include "smbd/loop.h"
#include "smbd/base/errmap.h"
#include "smbd/fs/open.h"
#include "smbd/fs/oplock.h"
#include "smbd/fs/lease.h"
#include "smbd/fs/dirlease.h"
#include "proto/smb2_lease.h"
#include "smbd/print/print.h"
#include "smbd/smb2/cmd/ipc.h"
#include "smbd/fs/acl.h"
#include "smbd/smb2/cmd/eainfo.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/vfs.h"
#include "smbd/fs/openpath.h"
#include "smbd/fs/streams.h"
#include "smbd/fs/workers.h"
#include "smbd/fs/watch.h"
#include "smbd/fs/wtime.h"
#include "proto/utf16.h"
#include "proto/smb2_durable.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CREATE_RESP_SIZE	89
#define CLOSE_RESP_SIZE		60
#define CREATE_MAX_NAME		32767	/* bytes of UTF-16 */

/* DesiredAccess bits the server MUST refuse [MS-SMB2 §3.3.5.9] */
#define ACCESS_RESERVED_MASK	0x0CE0FE00u

#define CREATE_OPTIONS_VALID		0x00FFFFFFu
#define FILE_CREATE_TREE_CONNECTION	0x00000080u
#define FILE_RESERVE_OPFILTER		0x00100000u
/* FileAttributes a CREATE may not carry (VOLUME, DEVICE, bit 15, high) */
#define CREATE_ATTRS_INVALID		0xFFFF8048u
/* CreateOptions bits FileModeInformation reports [MS-FSCC §2.4.26] */
#define FILE_MODE_MASK			0x0000103Eu
/* Rounds of waiting for oplock breaks one CREATE may go through */
#define CREATE_MAX_BREAK_ROUNDS		8

/* ================================================================== */
/* Access                                                              */
/* ================================================================== */

/* ================================================================== */
/* CREATE                                                              */
/* ================================================================== */

struct create_args {
	uint8_t oplock;
	uint32_t impersonation;
	uint32_t desired;
	uint32_t attrs;
	uint32_t share;
	uint32_t disposition;
	uint32_t options;
	char *name;		/* UTF-8, as the client sent it */
	bool want_mxac;
	bool want_qfid;
	bool timewarp;		/* TWrp: open a snapshot */
	uint64_t alloc_size;	/* AlSi, 0 if none */
	struct smb2_durable_ctx dur;	/* DHnQ, DHnC, DH2Q, DH2C */
	enum smb2_durable_kind durable;	/* the one that counts */
	bool want_lease;	/* RqLs (v1 or v2) */
	struct smb2_lease lease;
	bool has_app_instance;	/* SMB2_CREATE_APP_INSTANCE_ID */
	uint8_t app_instance_id[16];
	bool have_secd;		/* SecD: the new object's descriptor */
	struct wire_rd secd;
	struct wire_rd exta;	/* ExtA: EAs for a new file (eainfo.h) */
	bool has_exta;
	struct fscc_ea *eas;	/* ExtA decoded, checked */
	size_t neas;
	/* the sender's token as the CREATE arrived, held by the state
	 * (smbd_acl_token_hold): the checks use it even if the session
	 * re-authenticates while the open waits [MS-SMB2 3.3.5.9]; NULL:
	 * none */
	const struct se_token *token;
};

struct create_result {
	struct smbd_open *op;
	uint32_t action;
	uint32_t max_access;	/* for MxAc */
	uint8_t oplock;		/* granted level */
	bool lease;		/* answer with lease_resp */
	struct smb2_lease lease_resp;
	/* NT_STATUS_PENDING from the open: wait for this file's breaks */
	struct smbd_file *wait;
	enum smb2_durable_kind durable;	/* granted: DHnQ or DH2Q answered */
	uint32_t durable_timeout_ms;
	/* in: the caller can truncate on a worker (create_trunc_send);
	 * out: open_existing left the overwrite's truncate to it */
	bool may_defer_trunc;
	bool trunc_later;
	/* a file this request created: its stat, taken after everything
	 * create_new stored, for the reply (have_sx) */
	bool have_sx;
	struct smbd_stat sx;
};

/* The create contexts we act on; AAPL and unknown tags are
 * ignored, and a lease context too short for one. The durable ones are
 * proto/smb2_durable's, the lease one proto/smb2_lease's. */
static void create_context_tag(struct create_args *a, const uint8_t *tag,
			       const struct wire_rd *data)
{
	struct wire_rd d = *data;

	if (smb2_durable_tag(tag) != SMB2_DURABLE_NONE) {
		smb2_durable_add(&a->dur, smb2_durable_tag(tag), &d);
	} else if (memcmp(tag, "MxAc", 4) == 0) {
		a->want_mxac = true;
	} else if (memcmp(tag, "QFid", 4) == 0) {
		a->want_qfid = true;
	} else if (memcmp(tag, "ExtA", 4) == 0) {
		a->exta = d;
		a->has_exta = true;
	} else if (memcmp(tag, "TWrp", 4) == 0) {
		a->timewarp = true;
	} else if (memcmp(tag, "RqLs", 4) == 0) {
		a->want_lease = smb2_lease_ctx_pull(&d, true, &a->lease) == 0;
	} else if (memcmp(tag, "SecD", 4) == 0) {
		a->secd = d;
		a->have_secd = true;
	} else if (memcmp(tag, "AlSi", 4) == 0) {
		if (wire_get_u64le(&d, &a->alloc_size) != 0) {
			a->alloc_size = 0;
		}
	}
}

/*
 * Walk the create context chain [MS-SMB2 §2.2.13.2]. Every Next,
 * NameOffset and DataOffset is checked against the context and the
 * chain; anything out of bounds is INVALID_PARAMETER.
 */
static NTSTATUS create_contexts(const struct wire_rd *all,
				struct create_args *a)
{
	size_t off = 0;

	for (;;) {
		struct wire_rd c, name, data;
		size_t left = all->len - off;
		size_t clen = left;
		uint32_t next = 0, dlen = 0;
		uint16_t noff = 0, nlen = 0, resv = 0, doff = 0;

		if (wire_sub(all, off, left, &c) != 0 ||
		    wire_get_u32le(&c, &next) != 0 ||
		    wire_get_u16le(&c, &noff) != 0 ||
		    wire_get_u16le(&c, &nlen) != 0 ||
		    wire_get_u16le(&c, &resv) != 0 ||
		    wire_get_u16le(&c, &doff) != 0 ||
		    wire_get_u32le(&c, &dlen) != 0) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (next != 0) {
			if (next < 16 || (next & 7) != 0 || next > left) {
				return NT_STATUS_INVALID_PARAMETER;
			}
			clen = next;
		}
		c.len = clen;
		/* tags are at least 4 bytes (Windows refuses shorter) */
		if (nlen < 4 || wire_sub(&c, noff, nlen, &name) != 0 ||
		    wire_sub(&c, doff, dlen, &data) != 0) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (nlen == 4) {
			create_context_tag(a, name.base, &data);
		} else if (smb2_app_instance_tag(name.base, nlen)) {
			/* a malformed one is ignored [MS-SMB2 §3.3.5.9.13] */
			a->has_app_instance = smb2_app_instance_pull(
				&data, a->app_instance_id) == 0;
		}
		if (next == 0) {
			return NT_STATUS_OK;
		}
		off += next;
	}
}

static NTSTATUS create_parse(struct smbd_req *req, TALLOC_CTX *mem,
			     struct create_args *a)
{
	struct wire_rd r = req->in;
	struct wire_rd nr, cr;
	uint16_t ssize = 0, noff = 0, nlen = 0;
	uint32_t coff = 0, clen = 0;
	uint8_t secflags = 0;

	if (wire_get_u16le(&r, &ssize) != 0 ||
	    wire_get_u8(&r, &secflags) != 0 ||
	    wire_get_u8(&r, &a->oplock) != 0 ||
	    wire_get_u32le(&r, &a->impersonation) != 0 ||
	    wire_skip(&r, 16) != 0 ||	/* SmbCreateFlags, Reserved */
	    wire_get_u32le(&r, &a->desired) != 0 ||
	    wire_get_u32le(&r, &a->attrs) != 0 ||
	    wire_get_u32le(&r, &a->share) != 0 ||
	    wire_get_u32le(&r, &a->disposition) != 0 ||
	    wire_get_u32le(&r, &a->options) != 0 ||
	    wire_get_u16le(&r, &noff) != 0 ||
	    wire_get_u16le(&r, &nlen) != 0 ||
	    wire_get_u32le(&r, &coff) != 0 ||
	    wire_get_u32le(&r, &clen) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if ((nlen & 1) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (nlen > CREATE_MAX_NAME) {
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	if (wire_sub(&req->in, noff, nlen, &nr) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	switch (utf16le_to_utf8(mem, nr.base, nlen, &a->name)) {
	case 0:
		break;
	case WIRE_E_NOMEM:
		return NT_STATUS_NO_MEMORY;
	default:
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	if (clen == 0) {
		return NT_STATUS_OK;
	}
	if (wire_sub(&req->in, coff, clen, &cr) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	return create_contexts(&cr, a);
}

/* Field checks of [MS-SMB2 §3.3.5.9] and [MS-FSA §2.1.5.1]. */
static NTSTATUS create_validate(const struct create_args *a)
{
	uint32_t o = a->options;

	if (a->impersonation > 3) {
		return NT_STATUS_BAD_IMPERSONATION_LEVEL;
	}
	/* no access at all: Windows refuses (smbtorture smb2.create.gentest) */
	if (a->desired == 0 || (a->desired & ACCESS_RESERVED_MASK)) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if ((a->share & ~(FILE_SHARE_READ | FILE_SHARE_WRITE |
			  FILE_SHARE_DELETE)) != 0 ||
	    a->disposition > FILE_OVERWRITE_IF ||
	    (o & ~CREATE_OPTIONS_VALID) != 0 ||
	    (a->attrs & CREATE_ATTRS_INVALID) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if ((o & FILE_DIRECTORY_FILE) && (o & FILE_NON_DIRECTORY_FILE)) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* no temporary directories [MS-FSA §2.1.5.1] */
	if ((o & FILE_DIRECTORY_FILE) &&
	    (a->attrs & FILE_ATTRIBUTE_TEMPORARY)) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if ((o & FILE_DIRECTORY_FILE) && a->disposition != FILE_CREATE &&
	    a->disposition != FILE_OPEN && a->disposition != FILE_OPEN_IF) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (o & (FILE_OPEN_BY_FILE_ID | FILE_RESERVE_OPFILTER |
		 FILE_CREATE_TREE_CONNECTION)) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	if (a->timewarp) {
		/* no snapshots (FSCTL_SRV_ENUMERATE_SNAPSHOTS lists none) */
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	}
	return NT_STATUS_OK;
}

/* Allocate and register an open of fd; the open owns fd from here on. */
static NTSTATUS create_new_open(struct smbd_req *req,
				const struct create_args *a, int fd,
				const struct stat *st, const char *ondisk,
				uint32_t granted, struct smbd_open **pop)
{
	struct smbd_tree *tree = req->tree;
	size_t plen = strlen(ondisk) + 1, nlen = strlen(a->name) + 1;
	/* its two names in its own block: one malloc for the three */
	struct smbd_open *op = talloc_pooled_object(tree, struct smbd_open, 2,
						    plen + nlen);
	int rc = 0;

	if (op == NULL) {
		close(fd);
		return NT_STATUS_NO_MEMORY;
	}
	memset(op, 0, sizeof(*op));
	op->fd = -1;		/* owned by the open once it has its file */
	talloc_set_destructor(op, smbd_open_destructor);
	op->is_dir = S_ISDIR(st->st_mode);
	op->path = talloc_memdup(op, ondisk, plen);
	op->client_name = talloc_memdup(op, a->name, nlen);
	op->access = granted;
	op->share_access = a->share;
	op->create_options = a->options;
	op->create_disposition = a->disposition;
	op->delete_on_close = (a->options & FILE_DELETE_ON_CLOSE) != 0;
	op->mode = a->options & FILE_MODE_MASK;
	op->open_time_nt = smbd_nt_now();
	rc = -ENOMEM;
	if (op->path != NULL && op->client_name != NULL) {
		rc = smbd_file_attach(req->conn->srv, op, st);
	}
	if (rc != 0) {
		close(fd);
		talloc_free(op);
		return NT_STATUS_NO_MEMORY;
	}
	op->fd = fd;
	rc = smbd_open_register(tree, op);
	if (rc != 0) {
		talloc_free(op);
		return smbd_map_errno_in(SMBD_ERRMAP_OPEN_TABLE, -rc);
	}
	*pop = op;
	return NT_STATUS_OK;
}

/* ---- the lookup, on a worker thread ---- */

/*
 * What a worker finds out about the client's name: the slow part of a
 * CREATE (the case-insensitive walk reads whole directories) runs off the
 * loop. The worker uses only this struct, its own root fd duplicate and a
 * talloc hierarchy of its own (res, for vfs_resolve), never the loop's.
 * Everything that depends on other opens (share modes, delete-pending)
 * is decided afterwards, on the loop, in one go with the open itself.
 */
struct create_probe {
	/* in: set on the loop before the job runs */
	int root_fd;		/* our own dup of the tree's root fd */
	char *rel;
	bool want_unlink;	/* may the name be deleted (DELETE access) */
	int missing;		/* -errno of the loop's open of rel as
				 * written (create_probe_inline), 0 if none */
	/* out: set by the worker */
	NTSTATUS status;	/* of vfs_resolve */
	TALLOC_CTX *res;	/* the worker's hierarchy, holds ondisk */
	char *ondisk;		/* in res, or rel (create_probe_inline) */
	int pfd;		/* O_PATH fd of the existing object, or -1 */
	bool pfd_root;		/* pfd is the tree's root fd, not ours: the
				 * share root, probed on the loop */
	bool have_sx;		/* sx is pfd's statx (only with pfd_root) */
	struct smbd_stat sx;
	int err;		/* errno opening or stat'ing it, else 0 */
	struct stat st;
	struct smbd_fs_access acc;
	/* a named stream (fs/streams.h): in, its name; out, its base
	 * (found, its stat, on-disk name and an O_PATH fd) while ondisk,
	 * st and pfd are the stream's */
	char *stream;
	bool base_found;
	struct stat base_st;
	char *base_ondisk;
	int base_fd;
};

static int create_probe_destructor(struct create_probe *pr)
{
	if (pr->root_fd >= 0) {
		close(pr->root_fd);
	}
	if (pr->pfd >= 0 && !pr->pfd_root) {
		close(pr->pfd);
	}
	if (pr->base_fd >= 0) {
		close(pr->base_fd);
	}
	TALLOC_FREE(pr->res);
	return 0;
}

/*
 * Worker thread, a named stream: the base was found (pr->st, pfd,
 * ondisk; its access in acc stands for the stream's); now look for the
 * stream in the store and make ondisk, st and pfd the stream's.
 */
static void create_probe_stream(struct create_probe *pr)
{
	char *sondisk = NULL;

	pr->base_found = true;
	pr->base_st = pr->st;
	pr->base_ondisk = pr->ondisk;
	pr->base_fd = pr->pfd;
	pr->pfd = -1;
	pr->status = streams_resolve(pr->res, pr->root_fd, pr->base_fd,
				     &pr->base_st, pr->stream, &sondisk);
	pr->ondisk = sondisk;
	if (pr->status != NT_STATUS_OK) {
		return;
	}
	pr->pfd = vfs_open_beneath(pr->root_fd, sondisk, O_PATH | O_NOFOLLOW,
				   0);
	if (pr->pfd < 0) {
		pr->err = -pr->pfd;
	} else if (fstat(pr->pfd, &pr->st) != 0) {
		pr->err = errno;
	}
}

/*
 * pr->pfd is open on pr->ondisk beneath root_fd, or, ondisk NULL, on
 * pr->rel exactly as the client wrote it, which is then the on-disk
 * name; look at the object. On the loop (ondisk set, no stream) or on a
 * worker (pr->res exists).
 */
static void create_probe_found(struct create_probe *pr, int root_fd)
{
	if (pr->ondisk == NULL) {
		pr->ondisk = talloc_strdup(pr->res, pr->rel);
		if (pr->ondisk == NULL) {
			pr->status = NT_STATUS_NO_MEMORY;
			return;
		}
	}
	if (pr->pfd_root) {
		/* a directory, so the reply takes this statx (open_existing) */
		int rc = smbd_stat_fd(pr->pfd, &pr->sx);

		if (rc != 0) {
			pr->err = -rc;
			return;
		}
		pr->st = pr->sx.st;
		pr->have_sx = true;
	} else if (fstat(pr->pfd, &pr->st) != 0) {
		pr->err = errno;
		return;
	}
	smbd_fs_probe_st(root_fd, pr->pfd, &pr->st, pr->ondisk,
			 pr->want_unlink, &pr->acc);
	if (pr->stream != NULL) {
		create_probe_stream(pr);
	}
}

/* Worker thread: resolve the name and look at what it names. */
static int create_probe_run(void *p)
{
	struct create_probe *pr = p;

	pr->res = talloc_new(NULL);
	if (pr->res == NULL) {
		pr->status = NT_STATUS_NO_MEMORY;
		return 0;
	}
	if (pr->missing == 0) {
		/* not tried on the loop (a stream's base): the name as given
		 * first, the common case */
		pr->pfd = vfs_open_beneath(pr->root_fd, pr->rel, O_PATH, 0);
		if (pr->pfd >= 0) {
			create_probe_found(pr, pr->root_fd);
			return 0;
		}
		pr->missing = pr->pfd;
		pr->pfd = -1;
	}
	/* not there as written: no second open of the same name */
	pr->status = vfs_resolve_missing(pr->res, pr->root_fd, pr->rel,
					 pr->missing, &pr->ondisk);
	if (pr->status != NT_STATUS_OK) {
		return 0;
	}
	pr->pfd = vfs_open_beneath(pr->root_fd, pr->ondisk, O_PATH, 0);
	if (pr->pfd < 0) {
		pr->err = -pr->pfd;
		return 0;
	}
	create_probe_found(pr, pr->root_fd);
	return 0;
}

/* ---- the open, back on the loop ---- */

/*
 * Break the oplocks of f an open with access (overwriting if truncate)
 * conflicts with: NT_STATUS_PENDING with res->wait set when the open
 * must wait for a break to end, else OK. Stat opens break nothing.
 */
static NTSTATUS create_break(struct smbd_req *req, const struct create_args *a,
			     struct smbd_file *f, uint32_t access,
			     bool truncate, bool batch_only,
			     struct create_result *res)
{
	enum smbd_oplock_op what = truncate ? SMBD_OPLOCK_OP_OVERWRITE :
				   SMBD_OPLOCK_OP_OPEN;
	const uint8_t *guid = a->want_lease ? req->conn->client_guid : NULL;
	const uint8_t *key = a->want_lease ? a->lease.key : NULL;

	unsigned flags = batch_only ? SMBD_BREAK_BATCH_ONLY : 0;

	if (a->options & FILE_DELETE_ON_CLOSE) {
		/* leases lose handle caching (smbtorture smb2.lease.unlink) */
		flags |= SMBD_BREAK_DELETE;
	}
	if (smbd_oplock_stat_open(access) && !truncate) {
		return NT_STATUS_OK;
	}
	if (smbd_lease_stat_open(access) && !truncate) {
		flags |= SMBD_BREAK_NO_LEASES;
	}
	if (smbd_oplock_break_lease(f, NULL, guid, key, what, flags)) {
		res->wait = f;
		return NT_STATUS_PENDING;
	}
	return NT_STATUS_OK;
}

/*
 * The share modes refuse the open: leases holding H lose it (the client
 * may close the handles it keeps open for caching) and the open waits
 * for that and looks again [MS-FSA §2.1.5.1.2]; else SHARING_VIOLATION.
 */
static NTSTATUS create_share_break(struct smbd_req *req,
				   const struct create_args *a,
				   struct smbd_file *f, struct create_result *res)
{
	const uint8_t *guid = a->want_lease ? req->conn->client_guid : NULL;
	const uint8_t *key = a->want_lease ? a->lease.key : NULL;

	if (smbd_lease_any_handle(f, guid, key) &&
	    smbd_oplock_break_lease(f, NULL, guid, key, SMBD_OPLOCK_OP_SHARE,
				    0)) {
		res->wait = f;
		return NT_STATUS_PENDING;
	}
	return NT_STATUS_SHARING_VIOLATION;
}

/* The ClientGuid of op's client (its connection's, or kept if lost). */
static const uint8_t *open_client_guid(const struct smbd_open *op)
{
	if (op->tree != NULL && op->tree->sess != NULL) {
		return op->tree->sess->conn->client_guid;
	}
	return op->client_guid;
}

/* The share op is on (its tree's, or kept if its connection was lost). */
static const char *open_share_name(const struct smbd_open *op)
{
	if (op->tree != NULL) {
		return op->tree->share->name;
	}
	return op->share_name != NULL ? op->share_name : "";
}

/*
 * Is o an open the app instance id of a closes [MS-SMB2 §3.3.5.9.13]:
 * the same id, the same share, another ClientGuid (the same client
 * restarted elsewhere, a cluster node taking over), and, beyond the
 * spec, the same user: another user's open is never closed by a GUID.
 */
static bool app_instance_match(const struct smbd_req *req,
			       const struct create_args *a,
			       const struct smbd_open *o)
{
	const char *owner = o->owner;

	if (!o->has_app_instance ||
	    memcmp(o->app_instance_id, a->app_instance_id, 16) != 0 ||
	    strcasecmp(open_share_name(o), req->tree->share->name) != 0 ||
	    memcmp(open_client_guid(o), req->conn->client_guid, 16) == 0) {
		return false;
	}
	if (owner == NULL && o->tree != NULL) {
		owner = o->tree->sess->user;
	}
	return owner != NULL && req->sess->user != NULL &&
	       strcasecmp(owner, req->sess->user) == 0;
}

/*
 * An open with an app instance id closes the opens of the file st names
 * with the same id from another client instead of breaking their oplocks
 * or leases or failing on their share modes (smbtorture
 * smb2.durable-v2-open.app-instance). The file's state may go with them:
 * the caller looks it up again.
 */
static void app_instance_close(struct smbd_req *req,
			       const struct create_args *a,
			       const struct stat *st)
{
	struct smbd_server *srv = req->conn->srv;

	if (!a->has_app_instance || req->conn->dialect < SMB2_DIALECT_300) {
		return;
	}
	for (;;) {
		struct smbd_file *f = smbd_file_find(srv, st->st_dev,
						     st->st_ino);
		struct smbd_open *victim = NULL;
		size_t i = 0;

		for (i = 0; f != NULL && i < f->nopens; i++) {
			if (app_instance_match(req, a, f->opens[i])) {
				victim = f->opens[i];
				break;
			}
		}
		if (victim == NULL) {
			return;
		}
		DBG_INFO(VFS, "%s: open of %s closed: the same application "
			 "instance opens it again", req->conn->peer_addr,
			 victim->path);
		(void)smbd_open_close(victim);
	}
}

/* The token the open is checked as: the sender's (create_args) */
static const struct se_token *create_token(const struct smbd_req *req,
					   const struct create_args *a)
{
	return a->token != NULL ? a->token :
	       smbd_acl_token_of(req->tree, req->sess);
}

/*
 * Checks on an existing file, in the order MS-FSA gives them.
 * *truncate says whether the disposition overwrites, *stored whether
 * the file overwritten has DOS attributes a client stored.
 */
static NTSTATUS existing_checks(struct smbd_req *req,
				const struct create_args *a,
				const struct create_probe *pr,
				uint32_t *granted, uint32_t *max,
				bool *truncate, bool *stored,
				struct create_result *res)
{
	const struct stat *st = &pr->st;
	struct smbd_file *f = NULL;
	bool is_dir = S_ISDIR(st->st_mode);
	uint32_t d = a->disposition;
	NTSTATUS status = NT_STATUS_OK;

	if (!is_dir && !S_ISREG(st->st_mode)) {
		return NT_STATUS_ACCESS_DENIED;	/* fifos, devices, sockets */
	}
	if (!is_dir && req->tree->share->type == WG_SHARE_PRINT) {
		/* a print queue takes new jobs; spooled ones are nobody's
		 * to open (they may be another user's) */
		return NT_STATUS_ACCESS_DENIED;
	}
	if (is_dir && (a->options & FILE_NON_DIRECTORY_FILE)) {
		return NT_STATUS_FILE_IS_A_DIRECTORY;
	}
	if (!is_dir && (a->options & FILE_DIRECTORY_FILE)) {
		return NT_STATUS_NOT_A_DIRECTORY;
	}
	*truncate = d == FILE_SUPERSEDE || d == FILE_OVERWRITE ||
		    d == FILE_OVERWRITE_IF;
	if (is_dir && *truncate) {
		return NT_STATUS_FILE_IS_A_DIRECTORY;
	}
	app_instance_close(req, a, st);
	f = smbd_file_find(req->conn->srv, st->st_dev, st->st_ino);
	if ((f != NULL && f->delete_pending) ||
	    streams_base_doomed(st->st_dev, st->st_ino)) {
		return NT_STATUS_DELETE_PENDING;
	}
	if (*truncate && pr->stream == NULL) {
		status = smbd_overwrite_check_attrs(pr->pfd, a->attrs,
						    stored);
		if (status != NT_STATUS_OK) {
			return status;
		}
	}
	*max = smbd_maximal_access(req->tree, &pr->acc, is_dir);
	if (is_dir && req->tree->share->type == WG_SHARE_PRINT) {
		*max &= ~FILE_LIST_DIRECTORY;	/* nor listed */
	}
	/* a named stream has its base file's descriptor [MS-FSA 2.1.5.1.2] */
	status = smbd_acl_open_check_fd(req->tree, create_token(req, a),
					pr->base_found ? pr->base_fd : pr->pfd,
					pr->base_found ? &pr->base_st : st,
					pr->base_found ? pr->base_ondisk :
					pr->ondisk, is_dir, a->desired,
					a->options, max);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smbd_grant_access(a->desired, *max, granted);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (*truncate && (*max & FILE_WRITE_DATA) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (a->options & FILE_DELETE_ON_CLOSE) {
		status = smbd_create_check_doc(*granted, st, pr->ondisk);
		if (status != NT_STATUS_OK) {
			return status;
		}
	}
	if (streams_base_conflict(req->conn->srv, st->st_dev, st->st_ino,
				  *granted)) {
		return NT_STATUS_SHARING_VIOLATION;
	}
	if (f == NULL) {
		return NT_STATUS_OK;
	}
	/* batch oplocks break before the share-mode check: the holder may
	 * close [MS-FSA §2.1.5.1.2] */
	status = create_break(req, a, f, *granted, *truncate, true, res);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (smbd_share_conflict(f, *granted | (*truncate ? FILE_WRITE_DATA : 0),
				a->share)) {
		return create_share_break(req, a, f, res);
	}
	return create_break(req, a, f, *granted, *truncate, false, res);
}

/*
 * The stat of the fd open_existing just opened, which says whether it is
 * still the object the lookup found. An open that does not overwrite
 * changes nothing of the file, so the same statx answers the CREATE
 * (res->sx, have_sx) and the reply need not take another; an overwrite
 * changes size and times, so its reply stats again.
 */
static int open_existing_stat(int fd, bool truncate,
			      struct create_result *res, struct stat *st)
{
	res->have_sx = false;
	if (truncate) {
		return fstat(fd, st);
	}
	if (smbd_stat_fd(fd, &res->sx) != 0) {
		return -1;
	}
	*st = res->sx.st;
	res->have_sx = true;
	return 0;
}

static NTSTATUS open_existing(struct smbd_req *req,
			      const struct create_args *a,
			      const struct create_probe *pr,
			      struct create_result *res)
{
	uint32_t granted = 0, max = 0;
	bool truncate = false, stored = false;
	NTSTATUS status = NT_STATUS_OK;
	struct stat st2;
	int fd = -1;

	if (a->disposition == FILE_CREATE) {
		return NT_STATUS_OBJECT_NAME_COLLISION;
	}
	if (pr->err != 0) {
		return smbd_map_errno(pr->err);
	}
	status = existing_checks(req, a, pr, &granted, &max, &truncate,
				 &stored, res);
	if (status != NT_STATUS_OK) {
		return status;
	}
	res->have_sx = false;	/* the reply stats the fd unless set below */
	if (S_ISDIR(pr->st.st_mode) && pr->stream == NULL && pr->pfd >= 0) {
		/*
		 * A directory reopened through the probe's O_PATH fd is the
		 * very object the probe stat'ed: no walk, no fstat to check.
		 */
		fd = openat(pr->pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			st2 = pr->st;
		}
		if (fd >= 0 && pr->have_sx && !truncate) {
			/* the probe's statx, as open_existing_stat's */
			res->sx = pr->sx;
			res->have_sx = true;
		}
	}
	if (fd < 0) {
		fd = smbd_open_data_fd(req->tree->root_fd, pr->ondisk,
				       S_ISDIR(pr->st.st_mode), granted, max,
				       truncate);
		if (fd < 0) {
			return smbd_map_errno(-fd);
		}
		if (open_existing_stat(fd, truncate, res, &st2) != 0 ||
		    st2.st_dev != pr->st.st_dev ||
		    st2.st_ino != pr->st.st_ino) {
			/* replaced since the lookup: look again */
			res->have_sx = false;
			close(fd);
			return NT_STATUS_OBJECT_NAME_NOT_FOUND;
		}
	}
	res->trunc_later = truncate && res->may_defer_trunc &&
			   pr->stream == NULL && S_ISREG(st2.st_mode) &&
			   st2.st_size >= SMBD_TRUNC_OFFLOAD_MIN;
	if (truncate && !res->trunc_later && ftruncate(fd, 0) != 0) {
		status = smbd_map_errno(errno);
		close(fd);
		return status;
	}
	if (truncate) {
		if (!res->trunc_later) {
			smbd_create_prealloc(fd, a->alloc_size);
		}
		if (pr->stream == NULL) {
			/* overwritten: its named streams go, it takes the
			 * request's attributes [MS-FSA 2.1.5.1.2] */
			(void)streams_remove_all(req->tree->root_fd,
						 pr->st.st_dev, pr->st.st_ino);
			smbd_overwrite_set_attrs(fd, &st2, stored, a->attrs);
		}
	}
	status = create_new_open(req, a, fd, &pr->st, pr->ondisk, granted,
				 &res->op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	res->max_access = max;
	res->action = !truncate ? FILE_WAS_OPENED :
		      a->disposition == FILE_SUPERSEDE ? FILE_WAS_SUPERSEDED :
		      FILE_WAS_OVERWRITTEN;
	return NT_STATUS_OK;
}

static NTSTATUS create_new(struct smbd_req *req, const struct create_args *a,
			   const char *ondisk, struct create_result *res)
{
	struct smbd_tree *tree = req->tree;
	bool is_dir = (a->options & FILE_DIRECTORY_FILE) != 0;
	uint32_t max = tree->maximal_access != 0 ? tree->maximal_access :
		       FILE_ALL_ACCESS;
	uint32_t granted = 0;
	struct smbd_fs_access acc;
	const char *leaf = NULL;
	NTSTATUS status = NT_STATUS_OK;
	struct sec_desc *sd = NULL;
	uint32_t keep = 0;
	bool stored = false;
	int pfd = -1;
	int rc = 0;
	int fd = -1;

	if (tree->read_only) {
		return NT_STATUS_ACCESS_DENIED;
	}
	status = smbd_acl_create_prepare(req, tree, create_token(req, a),
					 ondisk, is_dir,
					 a->have_secd ? &a->secd : NULL,
					 a->desired, &max, &sd);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smbd_grant_access(a->desired, max, &granted);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if ((a->options & FILE_DELETE_ON_CLOSE) &&
	    (granted & SEC_STD_DELETE) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if ((a->options & FILE_DELETE_ON_CLOSE) && !is_dir &&
	    (a->attrs & FILE_ATTRIBUTE_READONLY)) {
		return NT_STATUS_CANNOT_DELETE;	/* MS-FSA 2.1.5.1.2.1 */
	}
	pfd = vfs_open_parent(tree->root_fd, ondisk, &leaf);
	if (pfd < 0) {
		return smbd_map_errno_in(SMBD_ERRMAP_PARENT, -pfd);
	}
	fd = smbd_create_leaf(pfd, leaf, is_dir,
			      (a->attrs & FILE_ATTRIBUTE_READONLY) != 0);
	if (fd < 0) {
		status = smbd_map_errno(-fd);
		goto out;
	}
	if (!is_dir) {
		smbd_create_prealloc(fd, a->alloc_size);
	}
	if (sd != NULL) {
		smbd_watch_own_attrib(tree->share->path, ondisk);
	}
	status = smbd_acl_create_store(fd, sd, a->have_secd);
	if (status != NT_STATUS_OK) {
		close(fd);
		goto undo;
	}
	if ((a->attrs & SMBD_STORED_ATTRS & ~FILE_ATTRIBUTE_ARCHIVE) != 0) {
		/* HIDDEN, SYSTEM...: kept as given, a new file's ARCHIVE
		 * too [MS-FSA §2.1.5.1.2.1]; a directory's as given
		 * (smb2.create.acldir) */
		keep = a->attrs | (is_dir ? 0 : FILE_ATTRIBUTE_ARCHIVE);
		stored = smbd_store_dos_info(fd, NULL, &keep) == 0;
	}
	/* the one stat of the new file, after what was stored: the
	 * reply's too (the attributes as written, not read back) */
	rc = smbd_stat_new_fd(fd, stored ? &keep : NULL, sd != NULL,
			      &res->sx);
	if (rc != 0) {
		status = smbd_map_errno(-rc);
		close(fd);
		goto undo;
	}
	res->have_sx = true;
	smbd_fs_probe_new(pfd, fd, &res->sx.st, &acc);
	res->max_access = smbd_maximal_access(tree, &acc, is_dir) | granted;
	status = create_new_open(req, a, fd, &res->sx.st, ondisk, granted,
				 &res->op);
	if (status != NT_STATUS_OK) {
		goto undo;
	}
	res->action = FILE_WAS_CREATED;
	smbd_watch_created(res->op);
	goto out;
undo:
	unlinkat(pfd, leaf, is_dir ? AT_REMOVEDIR : 0);
out:
	close(pfd);
	return status;
}

/*
 * Open or create a named stream from what the probe found [MS-FSA
 * §2.1.5.1]: the base file is created if missing and the disposition
 * creates; a base being deleted refuses (DELETE_PENDING). The open
 * itself is an ordinary one of the stream's file in the store.
 */
static NTSTATUS create_stream_from_probe(struct smbd_req *req,
					 const struct create_args *a,
					 const struct create_probe *pr,
					 struct create_result *res,
					 bool *retry)
{
	uint32_t d = a->disposition;
	bool may_create = d != FILE_OPEN && d != FILE_OVERWRITE;
	struct smbd_file *bf = NULL;
	const char *leaf = NULL;
	NTSTATUS status = pr->status;
	int rc = 0;

	if (!pr->base_found) {
		if (status != NT_STATUS_OBJECT_NAME_NOT_FOUND || !may_create) {
			return status;
		}
		status = streams_create_base(req->tree, pr->ondisk,
				(a->attrs & FILE_ATTRIBUTE_READONLY) != 0);
		*retry = status == NT_STATUS_OK ||
			 status == NT_STATUS_OBJECT_NAME_COLLISION;
		return status;
	}
	if (pr->err != 0) {
		return smbd_map_errno(pr->err);
	}
	bf = smbd_file_find(req->conn->srv, pr->base_st.st_dev,
			    pr->base_st.st_ino);
	if ((bf != NULL && bf->delete_pending) ||
	    streams_base_doomed(pr->base_st.st_dev, pr->base_st.st_ino)) {
		return NT_STATUS_DELETE_PENDING;
	}
	if (status == NT_STATUS_OK) {
		status = open_existing(req, a, pr, res);
		*retry = status == NT_STATUS_OBJECT_NAME_NOT_FOUND &&
			 may_create;
	} else if (status == NT_STATUS_OBJECT_NAME_NOT_FOUND && may_create) {
		rc = req->tree->read_only ? -EACCES :
		     streams_prepare(req->tree->root_fd, pr->base_fd,
				     &pr->base_st);
		if (rc != 0) {
			return rc == -EDQUOT ? NT_STATUS_INSUFFICIENT_RESOURCES :
			       smbd_map_errno(-rc);
		}
		status = create_new(req, a, pr->ondisk, res);
		*retry = status == NT_STATUS_OBJECT_NAME_COLLISION &&
			 d != FILE_CREATE;
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	leaf = strrchr(pr->ondisk, '/');
	if (streams_open_mark(res->op, pr->base_ondisk, &pr->base_st,
			      leaf != NULL ? leaf + 1 : pr->ondisk) != 0) {
		TALLOC_FREE(res->op);
		return NT_STATUS_NO_MEMORY;
	}
	if (res->action == FILE_WAS_CREATED) {
		smbd_watch_stream(res->op, FILE_ACTION_ADDED_STREAM);
	}
	return NT_STATUS_OK;
}

/*
 * Open or create from what the probe found. *retry: the name came or
 * went since the lookup and the disposition allows the other branch.
 */
static NTSTATUS create_from_probe(struct smbd_req *req,
				  const struct create_args *a,
				  const struct create_probe *pr,
				  struct create_result *res, bool *retry)
{
	uint32_t d = a->disposition;
	NTSTATUS status = pr->status;

	*retry = false;
	if (pr->stream != NULL) {
		return create_stream_from_probe(req, a, pr, res, retry);
	}
	if (req->tree->share->type == WG_SHARE_PRINT &&
	    (status == NT_STATUS_OK ||
	     status == NT_STATUS_OBJECT_NAME_NOT_FOUND)) {
		status = smbd_print_create_guard(req->conn->srv,
			req->tree->share, req->sess->user,
			pr->status == NT_STATUS_OK,
			pr->status == NT_STATUS_OK && pr->ondisk != NULL ?
			pr->ondisk : pr->rel,
			pr->err == 0 ? &pr->st : NULL);
		if (status != NT_STATUS_OK) {
			return status;
		}
		status = pr->status;
	}
	if (status == NT_STATUS_OK) {
		status = open_existing(req, a, pr, res);
		*retry = status == NT_STATUS_OBJECT_NAME_NOT_FOUND &&
			 d != FILE_OPEN && d != FILE_OVERWRITE;
		return status;
	}
	if (status != NT_STATUS_OBJECT_NAME_NOT_FOUND ||
	    d == FILE_OPEN || d == FILE_OVERWRITE) {
		return status;
	}
	status = create_new(req, a, pr->ondisk, res);
	*retry = status == NT_STATUS_OBJECT_NAME_COLLISION && d != FILE_CREATE;
	return status;
}

/* One create context in the response chain; *prev is the offset in w of
 * the previous context (SIZE_MAX if none), for its Next field. */
static void put_context(struct wire_wr *w, size_t *prev, const char *tag,
			const void *data, uint32_t dlen)
{
	size_t start = 0;

	if (*prev != SIZE_MAX) {
		wire_put_align(w, 8);
		wire_patch_u32le(w, *prev, (uint32_t)(w->len - *prev));
	}
	start = w->len;
	wire_put_u32le(w, 0);		/* Next */
	wire_put_u16le(w, 16);		/* NameOffset */
	wire_put_u16le(w, 4);		/* NameLength */
	wire_put_u16le(w, 0);		/* Reserved */
	wire_put_u16le(w, 24);		/* DataOffset */
	wire_put_u32le(w, dlen);
	wire_put_bytes(w, tag, 4);
	wire_put_zero(w, 4);
	wire_put_bytes(w, data, dlen);
	*prev = start;
}

static NTSTATUS create_reply(struct smbd_req *req, const struct smbd_open *op,
			     const struct create_args *a,
			     const struct create_result *res)
{
	struct wire_wr *w = &req->out;
	struct smbd_ntinfo ni;
	size_t ctx_field = 0;
	size_t start = 0;
	size_t prev = SIZE_MAX;
	int rc = 0;

	if (res->have_sx) {
		smbd_ntinfo_fill(&res->sx, op->path, &ni);
	} else {
		rc = smbd_ntinfo_fd(op->fd, op->path, &ni);
		if (rc != 0) {
			return smbd_map_errno(-rc);
		}
	}
	wire_put_u16le(w, CREATE_RESP_SIZE);
	wire_put_u8(w, res->oplock);
	wire_put_u8(w, 0);			/* Flags */
	wire_put_u32le(w, res->action);
	wire_put_u64le(w, ni.create_time);
	wire_put_u64le(w, ni.access_time);
	wire_put_u64le(w, ni.write_time);
	wire_put_u64le(w, ni.change_time);
	wire_put_u64le(w, ni.alloc_size);
	wire_put_u64le(w, ni.end_of_file);
	wire_put_u32le(w, ni.attrs);
	wire_put_u32le(w, 0);			/* Reserved2 */
	wire_put_u64le(w, op->fid_persistent);
	wire_put_u64le(w, op->fid_volatile);
	ctx_field = w->len;
	wire_put_u32le(w, 0);			/* CreateContextsOffset */
	wire_put_u32le(w, 0);			/* CreateContextsLength */
	start = w->len;
	if (a->want_mxac) {
		uint8_t d[8];

		wire_setle32(d, NT_STATUS_OK);		/* QueryStatus */
		wire_setle32(d + 4, res->max_access);
		put_context(w, &prev, "MxAc", d, sizeof(d));
	}
	if (res->durable == SMB2_DURABLE_V1_REQ) {
		uint8_t d[SMB2_DHNQ_RESP_SIZE];

		smb2_dhnq_resp(d);
		put_context(w, &prev, "DHnQ", d, sizeof(d));
	} else if (res->durable == SMB2_DURABLE_V2_REQ) {
		uint8_t d[SMB2_DH2Q_RESP_SIZE];

		/* never persistent: no continuously available shares */
		smb2_dh2q_resp(d, res->durable_timeout_ms, 0);
		put_context(w, &prev, "DH2Q", d, sizeof(d));
	}
	if (a->want_qfid && op->file != NULL) {
		uint8_t d[32] = {};

		wire_setle64(d, (uint64_t)op->file->ino);
		wire_setle64(d + 8, (uint64_t)op->file->dev);
		put_context(w, &prev, "QFid", d, sizeof(d));
	}
	if (res->lease) {
		struct wire_wr lw;

		wire_wr_init(&lw, w->buf, 0);
		smb2_lease_ctx_push(&lw, &res->lease_resp);
		if (wire_wr_error(&lw) != 0) {
			return NT_STATUS_NO_MEMORY;
		}
		put_context(w, &prev, "RqLs", lw.buf, (uint32_t)lw.len);
		talloc_free(lw.buf);
	}
	if (prev != SIZE_MAX) {
		wire_patch_u32le(w, ctx_field,
				 (uint32_t)(SMB2_HDR_SIZE + start));
		wire_patch_u32le(w, ctx_field + 4, (uint32_t)(w->len - start));
	} else {
		wire_put_u8(w, 0);	/* the odd byte of StructureSize 89 */
	}
	return wire_wr_error(w) != 0 ? NT_STATUS_NO_MEMORY : NT_STATUS_OK;
}

/* ---- the request ---- */

struct create_state {
	struct smbd_req *req;
	struct create_args a;	/* a.name is a child of the state */
	char *rel;
	char *stream;		/* a named stream (fs/streams.h), or NULL */
	int tries;
	int break_rounds;		/* waits for oplock breaks so far */
	struct smbd_oplock_wait *wait;	/* while waiting for one */
	/* a probe done on the loop, handed on by im */
	struct tevent_immediate *im;
	struct create_probe *done_pr;
	/* while a worker truncates the overwritten file: the result so
	 * far, its open found again by id (create_trunc_done) */
	struct create_result trunc_res;
	uint64_t trunc_fid;
};

static void create_probe_done(struct tevent_req *subreq);
static void create_probe_now(struct tevent_context *ev,
			     struct tevent_immediate *im, void *priv);
static NTSTATUS create_probe_send(struct create_state *state);
static void create_answer(struct create_state *state,
			  struct create_result *res);
static NTSTATUS create_trunc_send(struct create_state *state,
				  struct create_result *res);
static void create_trunc_done(struct tevent_req *subreq);

/*
 * Grant the oplock the client asked for, as far as the other opens of
 * the file and the share allow [MS-SMB2 §3.3.5.9]. Out of memory: none.
 */
static uint8_t create_grant_oplock(struct smbd_req *req,
				   const struct create_args *a,
				   struct smbd_open *op)
{
	const struct wg_share_cfg *share = req->tree->share;
	size_t others = 0;
	uint8_t max = 0;
	uint8_t level = 0;

	if (op->file == NULL || op->is_dir || !share->oplocks ||
	    share->type != WG_SHARE_DISK ||
	    a->oplock == SMB2_OPLOCK_LEVEL_NONE) {
		return SMB2_OPLOCK_LEVEL_NONE;
	}
	if (smbd_lease_any_handle(op->file, NULL, NULL)) {
		/* a lease caching handles: no oplock beside it
		 * (smbtorture smb2.lease.oplock) */
		return SMB2_OPLOCK_LEVEL_NONE;
	}
	max = smbd_oplock_others_max(op->file, op, &others);
	level = smbd_oplock_grant(a->oplock, true, others, max);
	if (smbd_oplock_set(op, level) != 0) {
		return SMB2_OPLOCK_LEVEL_NONE;
	}
	return level;
}

/*
 * Make op durable if the client asked (DHnQ, DH2Q) and the share, the
 * oplock and the open allow it [MS-SMB2 §3.3.5.9.6, §3.3.5.9.10]. The
 * timeout is the client's (v2), capped by `durable handle timeout`,
 * which is also what v1 and a v2 asking 0 get. A persistent handle is
 * never granted: the handle is durable only.
 */
static void create_grant_durable(struct smbd_req *req,
				 const struct create_args *a,
				 struct smbd_open *op,
				 struct create_result *res)
{
	const struct wg_share_cfg *share = req->tree->share;
	const struct wg_config *cfg = req->conn->srv->cfg;
	uint32_t cap = cfg != NULL ? cfg->durable_timeout_ms : 60000;
	bool v2 = a->durable == SMB2_DURABLE_V2_REQ;
	uint32_t t = v2 ? a->dur.timeout_ms : 0;

	if ((a->durable != SMB2_DURABLE_V1_REQ && !v2) ||
	    !share->durable_handles || share->type != WG_SHARE_DISK ||
	    !smbd_open_durable_ok(op) || req->sess->user == NULL) {
		return;
	}
	if (t == 0 || t > cap) {
		t = cap;
	}
	op->owner = talloc_strdup(op, req->sess->user);
	op->share_name = talloc_strdup(op, share->name);
	if (op->owner == NULL || op->share_name == NULL) {
		return;
	}
	op->durable = true;
	op->durable_v2 = v2;
	op->durable_timeout_ms = t;
	memcpy(op->create_guid, a->dur.create_guid, 16);
	memcpy(op->client_guid, req->conn->client_guid, 16);
	snprintf(op->owner_addr, sizeof(op->owner_addr), "%s",
		 req->conn->peer_addr);
	res->durable = a->durable;
	res->durable_timeout_ms = t;
}

static bool create_is_reconnect(const struct create_args *a)
{
	return a->durable == SMB2_DURABLE_V1_RECONNECT ||
	       a->durable == SMB2_DURABLE_V2_RECONNECT;
}

/*
 * A reconnect of an open holding a lease [MS-SMB2 §3.3.5.9.7,
 * §3.3.5.9.12]: the request must name the lease (its ClientGuid and lease
 * key), else OBJECT_NAME_NOT_FOUND, and then the file's name too, else
 * INVALID_PARAMETER (smbtorture smb2.durable-v2-open.reopen2-lease). An
 * open without a lease is found by its FileId alone, whatever the name.
 */
static NTSTATUS reconnect_lease_check(struct smbd_req *req,
				      const struct create_args *a,
				      const struct smbd_open *op)
{
	char *rel = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (op->lease == NULL) {
		return NT_STATUS_OK;
	}
	if (!a->want_lease ||
	    !smbd_lease_is(op, req->conn->client_guid, a->lease.key)) {
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	}
	status = vfs_canonicalize(req, a->name, false, &rel);
	if (status == NT_STATUS_OK && strcasecmp(rel, op->path) != 0) {
		status = NT_STATUS_INVALID_PARAMETER;
	}
	talloc_free(rel);
	return status == NT_STATUS_OK ? NT_STATUS_OK :
	       NT_STATUS_INVALID_PARAMETER;
}

/*
 * DHnC / DH2C: reattach the preserved open the client names to this
 * tree [MS-SMB2 §3.3.5.9.7, §3.3.5.9.12]. NOT_FOUND unless the FileId
 * (and for v2 the CreateGuid, for a lease its key and the name) match an
 * open of this share whose connection was lost and that may still be
 * durable; ACCESS_DENIED for another user. A v2 open may come back by
 * DHnC. The answer has no DHnQ/DH2Q context. Answers the request.
 */
static NTSTATUS create_reconnect(struct smbd_req *req,
				 const struct create_args *a)
{
	struct smbd_open *op = NULL;
	struct create_result res = {};
	bool v2 = a->durable == SMB2_DURABLE_V2_RECONNECT;
	NTSTATUS status = NT_STATUS_OK;

	op = smbd_open_preserved_find(req->conn->srv, a->dur.fid_persistent);
	/* a v2 open may come back with DHnC, a v1 open with DH2C and no
	 * CreateGuid (its own is zero; smbtorture
	 * smb2.durable-open.reopen2-lease) */
	if (op == NULL || !smbd_open_durable_ok(op) ||
	    strcasecmp(op->share_name, req->tree->share->name) != 0) {
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	}
	if (v2 && memcmp(op->create_guid, a->dur.create_guid, 16) != 0) {
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	}
	status = reconnect_lease_check(req, a, op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (req->sess->user == NULL ||
	    strcasecmp(op->owner, req->sess->user) != 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	status = smbd_open_reattach(op, req->tree);
	if (status != NT_STATUS_OK) {
		return status;
	}
	snprintf(op->owner_addr, sizeof(op->owner_addr), "%s",
		 req->conn->peer_addr);
	res.op = op;
	res.action = FILE_WAS_OPENED;
	res.max_access = op->access;
	res.oplock = smbd_oplock_level(op);
	if (op->lease != NULL) {
		/* the lease comes back with the open, on this connection */
		res.oplock = SMB2_OPLOCK_LEVEL_LEASE;
		res.lease = true;
		smbd_lease_resp(op, &res.lease_resp);
	}
	status = create_reply(req, op, a, &res);
	if (status != NT_STATUS_OK) {
		req->out.len = 0;
		talloc_free(op);
		return status;
	}
	DBG_INFO(VFS, "%s: durable open of %s reconnected",
		 req->conn->peer_addr, op->path);
	smbd_req_set_last_fid(req, op);
	return NT_STATUS_OK;
}

/* One of this connection's opens made with CreateGuid guid (DH2Q). */
struct replay_find {
	const struct smbd_conn *conn;
	const uint8_t *guid;
	struct smbd_open *found;
};

static int replay_match(struct smbd_open *op, void *priv)
{
	struct replay_find *r = priv;

	if (op->durable_v2 && op->tree->sess->conn == r->conn &&
	    memcmp(op->create_guid, r->guid, 16) == 0) {
		r->found = op;
		return 1;
	}
	return 0;
}

/*
 * A replayed DH2Q [MS-SMB2 §3.3.5.9.10]: the header says replay and an
 * open of this client with the CreateGuid exists: answer with that open
 * instead of opening again. *answered says whether it did.
 */
static NTSTATUS create_replay(struct smbd_req *req,
			      const struct create_args *a, bool *answered)
{
	struct replay_find r = {
		.conn = req->conn,
		.guid = a->dur.create_guid,
	};
	struct smbd_opens_filter f = {
		.sess = req->sess,
	};
	struct create_result res = {};
	NTSTATUS status = NT_STATUS_OK;

	*answered = false;
	if (a->durable != SMB2_DURABLE_V2_REQ ||
	    (req->in_hdr.flags & SMB2_FLAGS_REPLAY_OPERATION) == 0) {
		return NT_STATUS_OK;
	}
	(void)smbd_opens_foreach(req->conn->srv, &f, replay_match, &r);
	if (r.found == NULL) {
		return NT_STATUS_OK;
	}
	*answered = true;
	res.op = r.found;
	res.action = FILE_WAS_OPENED;
	res.max_access = r.found->access;
	res.oplock = smbd_oplock_level(r.found);
	res.durable = SMB2_DURABLE_V2_REQ;
	res.durable_timeout_ms = r.found->durable_timeout_ms;
	status = create_reply(req, r.found, a, &res);
	if (status != NT_STATUS_OK) {
		req->out.len = 0;
		return status;
	}
	smbd_req_set_last_fid(req, r.found);
	return NT_STATUS_OK;
}

/*
 * Grant the lease the client asked for (RqLs with OplockLevel LEASE), as
 * far as the other opens of the file and the share allow [MS-SMB2
 * §3.3.5.9.8]: res->lease says whether the reply carries a lease
 * context. Not for pipes or print queues, nor before SMB 2.1; v2 only
 * from SMB 3.0 (a v2 context before reads as v1); on directories v2
 * only where directory leasing was negotiated, R or RH
 * (fs/dirlease.h). NT_STATUS_OK, or the error the CREATE fails with.
 */
static NTSTATUS create_grant_lease(struct smbd_req *req,
				   struct create_args *a,
				   struct create_result *res)
{
	const struct wg_share_cfg *share = req->tree->share;
	struct smbd_open *op = res->op;
	NTSTATUS status = NT_STATUS_OK;

	if (!a->want_lease || a->oplock != SMB2_OPLOCK_LEVEL_LEASE ||
	    req->conn->dialect < SMB2_DIALECT_210 || op->file == NULL ||
	    !share->leases || share->type != WG_SHARE_DISK) {
		return NT_STATUS_OK;
	}
	if (op->is_dir && (a->lease.version != 2 ||
			   !(req->conn->server_caps &
			     SMB2_GLOBAL_CAP_DIRECTORY_LEASING))) {
		/* directory leases are v2 only, for a connection that
		 * negotiated them: no lease, but the key of a file's lease
		 * is refused (smbtorture smb2.lease.request) */
		return smbd_lease_exists(req->conn->srv,
					 req->conn->client_guid,
					 a->lease.key) ?
		       NT_STATUS_INVALID_PARAMETER : NT_STATUS_OK;
	}
	if (a->lease.version == 2 && req->conn->dialect < SMB2_DIALECT_300) {
		a->lease.version = 1;
	}
	status = smbd_lease_open(op, req->conn->client_guid, &a->lease,
				 &res->lease_resp);
	if (status != NT_STATUS_OK) {
		return status;
	}
	res->lease = true;
	res->oplock = SMB2_OPLOCK_LEVEL_LEASE;
	return NT_STATUS_OK;
}

/* The ParentLeaseKey of the CREATE's v2 lease context, or NULL. */
static const uint8_t *create_parent_key(const struct create_args *a)
{
	if (!a->want_lease || a->lease.version != 2 ||
	    !(a->lease.flags & SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET)) {
		return NULL;
	}
	return a->lease.parent_key;
}

/* A CANCEL names a CREATE waiting for an oplock break. */
static void create_cancel(struct smbd_req *req, void *priv)
{
	struct create_state *state = priv;

	talloc_free(state);
	smbd_req_done(req, NT_STATUS_CANCELLED);
}

/* The breaks the CREATE waited for ended: look at the name again. */
static void create_break_done(void *priv)
{
	struct create_state *state = priv;
	struct smbd_req *req = state->req;
	NTSTATUS status = NT_STATUS_OK;

	TALLOC_FREE(state->wait);
	state->tries = 0;
	status = create_probe_send(state);
	if (status == NT_STATUS_PENDING) {
		return;
	}
	talloc_free(state);
	smbd_req_done(req, status);
}

/*
 * The open must wait for the oplock breaks of f: register the wait and go
 * async (interim STATUS_PENDING, cancellable). NT_STATUS_PENDING or an
 * error to answer with.
 */
static NTSTATUS create_wait_break(struct create_state *state,
				  struct smbd_file *f)
{
	struct smbd_req *req = state->req;
	NTSTATUS status = NT_STATUS_OK;

	if (++state->break_rounds > CREATE_MAX_BREAK_ROUNDS) {
		/* others keep taking oplocks: give up like a conflict */
		return NT_STATUS_SHARING_VIOLATION;
	}
	status = smbd_oplock_wait(state, f, req->conn, create_break_done,
				  state, &state->wait);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smbd_req_go_async(req, create_cancel, state);
	if (status != NT_STATUS_PENDING) {
		TALLOC_FREE(state->wait);
	}
	return status;
}

/*
 * The name exactly as the client wrote it exists (one openat2): the
 * probe is a few calls on fds at hand, so it runs here, on the loop,
 * without the worker hop (a dup of the root fd, a wakeup of a worker, an
 * eventfd write and read, two thread switches). The rest goes on from an
 * immediate, as it would from the worker's callback, so that the request
 * ends the same way. The loop's own open of the object (open_existing)
 * walks the same name anyway. A name in another case, a missing one or a
 * stream still goes to a worker (the walk may read whole directories).
 * false: not found as written, ask a worker; true: *status is
 * NT_STATUS_PENDING (the request waits for the immediate) or an error
 * (pr is gone).
 */
static bool create_probe_inline(struct create_state *state,
				struct create_probe *pr, NTSTATUS *status)
{
	struct smbd_req *req = state->req;
	struct smbd_tree *tree = req->tree;
	/*
	 * The share root is the tree's own root fd (an O_PATH fd of that
	 * very directory, held while the tree is): no openat2 and close.
	 */
	bool root = pr->rel[0] == '\0' && tree->root_fd >= 0;
	int fd = root ? tree->root_fd :
		 vfs_open_beneath(tree->root_fd, pr->rel, O_PATH, 0);

	*status = NT_STATUS_NO_MEMORY;
	if (fd < 0) {
		pr->missing = fd;
		return false;
	}
	pr->pfd = fd;
	pr->pfd_root = root;
	/* found as written: that is the on-disk name (no stream here, so
	 * nothing needs a hierarchy of the probe's own) */
	pr->ondisk = pr->rel;
	if (state->im == NULL) {
		state->im = tevent_create_immediate(state);
		if (state->im == NULL) {
			talloc_free(pr);
			return true;
		}
	}
	create_probe_found(pr, tree->root_fd);
	state->done_pr = pr;
	/* on the connection's loop, which may be asleep (smbd/loop.h) */
	smbd_loop_schedule_conn(req->conn, state->im, create_probe_now, state);
	*status = smbd_req_wait(req);
	return true;
}

/*
 * Does the answer to a depend on whether the name may be deleted? Only
 * through DELETE in the maximal access: granted when asked for (by
 * name, GENERIC_ALL, MAXIMUM_ALLOWED; delete on close needs it granted)
 * or reported in an MxAc context. Else the probe skips the parent's
 * access check and stat (two system calls of every plain open).
 */
static bool create_wants_delete(const struct create_args *a)
{
	return a->want_mxac ||
	       (a->desired & SEC_FLAG_MAXIMUM_ALLOWED) != 0 ||
	       (smbd_map_generic(a->desired) & SEC_STD_DELETE) != 0 ||
	       (a->options & FILE_DELETE_ON_CLOSE) != 0;
}

/*
 * Hand the lookup to a worker: NT_STATUS_PENDING (the request waits for
 * it) or an error status.
 */
static NTSTATUS create_probe_send(struct create_state *state)
{
	struct smbd_req *req = state->req;
	struct smbd_server *srv = req->conn->srv;
	struct smbd_tree *tree = req->tree;
	struct create_probe *pr = NULL;
	struct tevent_req *subreq = NULL;
	NTSTATUS status = NT_STATUS_OK;

	pr = talloc_zero(state, struct create_probe);
	if (pr == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	pr->pfd = -1;
	pr->base_fd = -1;
	pr->root_fd = -1;
	talloc_set_destructor(pr, create_probe_destructor);
	pr->rel = talloc_strdup(pr, state->rel);
	pr->want_unlink = !tree->read_only && create_wants_delete(&state->a);
	if (pr->rel == NULL) {
		talloc_free(pr);
		return NT_STATUS_NO_MEMORY;
	}
	if (state->stream == NULL &&
	    create_probe_inline(state, pr, &status)) {
		return status;
	}
	/* a tree disconnect may close the tree's fd meanwhile */
	pr->root_fd = fcntl(tree->root_fd, F_DUPFD_CLOEXEC, 0);
	if (pr->root_fd < 0) {
		status = smbd_map_errno(errno);
		talloc_free(pr);
		return status;
	}
	if (state->stream != NULL) {
		pr->stream = talloc_strdup(pr, state->stream);
		if (pr->stream == NULL) {
			talloc_free(pr);
			return NT_STATUS_NO_MEMORY;
		}
	}
	subreq = smbd_job_send(state, srv->ev, srv->workers, req->conn->client,
			       create_probe_run, pr);
	if (subreq == NULL) {
		talloc_free(pr);
		return NT_STATUS_NO_MEMORY;
	}
	tevent_req_set_callback(subreq, create_probe_done, state);
	return smbd_req_wait(req);
}

/*
 * The tree and session of req, looked up again by id: either may have
 * been torn down (TREE_DISCONNECT, LOGOFF) while the worker ran.
 */
static NTSTATUS create_find_tree(struct smbd_req *req)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *t = NULL;

	for (s = req->conn->sessions; s != NULL; s = s->next) {
		if (s->id == req->in_hdr.session_id) {
			break;
		}
	}
	for (t = s != NULL ? s->trees : NULL; t != NULL; t = t->next) {
		if (t->id == req->in_hdr.tree_id) {
			break;
		}
	}
	req->sess = s;
	req->tree = t;
	if (s == NULL) {
		return NT_STATUS_USER_SESSION_DELETED;
	}
	if (t == NULL || t->root_fd < 0) {
		return NT_STATUS_NETWORK_NAME_DELETED;
	}
	return NT_STATUS_OK;
}

/*
 * ExtA: the EAs go on a file this CREATE made, overwrote or superseded
 * (an open of an existing file ignores them, as NTFS does). If they do
 * not fit, the CREATE fails and a file it made is gone again.
 */
static NTSTATUS create_apply_eas(struct smbd_req *req,
				 const struct create_args *a,
				 struct create_result *res)
{
	NTSTATUS status = NT_STATUS_OK;

	if (a->neas == 0 || res->action == FILE_WAS_OPENED ||
	    req->tree->share->type != WG_SHARE_DISK) {
		return NT_STATUS_OK;
	}
	res->have_sx = false;	/* the EAs move its ctime */
	status = smbd_ea_apply(res->op->fd, a->eas, a->neas);
	if (status == NT_STATUS_OK) {
		return NT_STATUS_OK;
	}
	if (res->action == FILE_WAS_CREATED) {
		(void)smbd_open_set_delete_pending(res->op, true);
	}
	TALLOC_FREE(res->op);
	return status;
}

static void create_probe_finish(struct create_state *state, int ret,
				struct create_probe *pr);

static void create_probe_done(struct tevent_req *subreq)
{
	struct create_state *state =
		tevent_req_callback_data(subreq, struct create_state);
	struct create_probe *pr = NULL;
	int ret = 0;

	ret = smbd_job_recv(subreq, state, (void **)&pr);
	TALLOC_FREE(subreq);
	create_probe_finish(state, ret, pr);
}

/* The probe create_probe_inline did. */
static void create_probe_now(struct tevent_context *ev,
			     struct tevent_immediate *im, void *priv)
{
	struct create_state *state = priv;
	struct create_probe *pr = state->done_pr;

	state->done_pr = NULL;
	create_probe_finish(state, 0, pr);
}

/* The probe is done (ret < 0: the job failed): open, answer. */
static void create_probe_finish(struct create_state *state, int ret,
				struct create_probe *pr)
{
	struct smbd_req *req = state->req;
	struct create_result res = {};
	NTSTATUS status = NT_STATUS_OK;
	bool retry = false;

	if (ret < 0 || pr == NULL) {
		status = ret < 0 ? smbd_map_errno(-ret) : NT_STATUS_NO_MEMORY;
		goto done;
	}
	res.may_defer_trunc = true;
	status = create_find_tree(req);
	if (status == NT_STATUS_OK) {
		status = create_from_probe(req, &state->a, pr, &res, &retry);
	}
	TALLOC_FREE(pr);
	if (status == NT_STATUS_PENDING && res.wait != NULL) {
		status = create_wait_break(state, res.wait);
		if (status == NT_STATUS_PENDING) {
			return;
		}
		goto done;
	}
	if (retry && ++state->tries < 2) {
		status = create_probe_send(state);
		if (status == NT_STATUS_PENDING) {
			return;
		}
		goto done;
	}
	if (status != NT_STATUS_OK) {
		DBG_DEBUG(VFS, "%s: CREATE '%s' disp %u opts 0x%x: %s",
			  req->conn->peer_addr, state->a.name,
			  state->a.disposition, state->a.options,
			  nt_errstr(status));
		goto done;
	}
	if (res.trunc_later) {
		status = create_trunc_send(state, &res);
		if (status == NT_STATUS_PENDING) {
			return;
		}
		goto done;
	}
	create_answer(state, &res);
	return;
done:
	talloc_free(state);
	smbd_req_done(req, status);
}

/* The file is open (and overwritten): EAs, oplock, lease, answer. */
static void create_answer(struct create_state *state,
			  struct create_result *res)
{
	struct smbd_req *req = state->req;
	NTSTATUS status = NT_STATUS_OK;

	status = create_apply_eas(req, &state->a, res);
	if (status != NT_STATUS_OK) {
		goto done;
	}
	if (state->a.has_app_instance &&
	    req->conn->dialect >= SMB2_DIALECT_300) {
		res->op->has_app_instance = true;
		memcpy(res->op->app_instance_id, state->a.app_instance_id, 16);
	}
	res->oplock = create_grant_oplock(req, &state->a, res->op);
	status = create_grant_lease(req, &state->a, res);
	if (status == NT_STATUS_OK) {
		/* after the lease: one caching handles makes it durable */
		create_grant_durable(req, &state->a, res->op, res);
		status = create_reply(req, res->op, &state->a, res);
	}
	if (status != NT_STATUS_OK) {
		req->out.len = 0;
		talloc_free(res->op);
		goto done;
	}
	if (res->action != FILE_WAS_OPENED) {
		/* a new name or new contents: the directory's leases
		 * break, but the one named as parent */
		smbd_dirlease_changed(res->op, NULL,
				      create_parent_key(&state->a));
	}
	smbd_req_set_last_fid(req, res->op);
done:
	talloc_free(state);
	smbd_req_done(req, status);
}

/*
 * Truncate res->op's file on a worker, then answer (create_trunc_done).
 * The open is registered already, so share modes hold against other
 * opens meanwhile; it has no oplock or lease yet (they are granted after
 * the truncate), so no break is sent to it before its CREATE is
 * answered. Another open that shares writes may read the old data until
 * then, and may be granted a level II oplock or a lease caching reads:
 * the truncate breaks those when it is done. NT_STATUS_PENDING, or an
 * error with the open closed.
 */
static NTSTATUS create_trunc_send(struct create_state *state,
				  struct create_result *res)
{
	struct smbd_req *req = state->req;
	struct smbd_server *srv = req->conn->srv;
	struct tevent_req *subreq = NULL;

	subreq = smbd_trunc_send(state, srv->ev, srv->workers,
				 req->conn->client, res->op->fd,
				 state->a.alloc_size);
	if (subreq == NULL) {
		NTSTATUS status = smbd_map_errno(errno);

		talloc_free(res->op);
		return status;
	}
	state->trunc_res = *res;
	state->trunc_res.op = NULL;
	state->trunc_fid = res->op->fid_volatile;
	tevent_req_set_callback(subreq, create_trunc_done, state);
	return smbd_req_wait(req);
}

static void create_trunc_done(struct tevent_req *subreq)
{
	struct create_state *state =
		tevent_req_callback_data(subreq, struct create_state);
	struct smbd_req *req = state->req;
	struct create_result res = state->trunc_res;
	const struct create_args *a = &state->a;
	NTSTATUS status = NT_STATUS_OK;
	int ret = 0;

	ret = smbd_trunc_recv(subreq);
	TALLOC_FREE(subreq);
	/* a TREE_DISCONNECT or LOGOFF meanwhile closed the open */
	status = create_find_tree(req);
	if (status == NT_STATUS_OK) {
		/* other opens' caching breaks; the request's own lease
		 * stays */
		status = smbd_trunc_open_find(
			req->conn->srv, req->tree, state->trunc_fid, ret,
			a->want_lease ? req->conn->client_guid : NULL,
			a->want_lease ? a->lease.key : NULL, &res.op);
	}
	if (status != NT_STATUS_OK) {
		talloc_free(state);
		smbd_req_done(req, status);
		return;
	}
	create_answer(state, &res);
}

/*
 * The client's name into state->rel and, for "file:stream[:$DATA]",
 * state->stream (fs/streams.h). "file::$DATA" is the file itself and
 * cannot be a directory; a named stream is never one either.
 */
static NTSTATUS create_split_stream(struct smbd_req *req,
				    struct create_state *state)
{
	struct create_args *a = &state->a;
	char *base = NULL;
	NTSTATUS status = NT_STATUS_OK;

	status = streams_split(state, a->name, &base, &state->stream);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (state->stream != NULL &&
	    req->tree->share->type != WG_SHARE_DISK) {
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	if (state->stream != NULL && (a->options & FILE_DIRECTORY_FILE)) {
		return NT_STATUS_NOT_A_DIRECTORY;
	}
	if (state->stream != NULL && state->stream[0] == '\0') {
		a->options |= FILE_NON_DIRECTORY_FILE;
		TALLOC_FREE(state->stream);
	}
	status = vfs_canonicalize(state, base, false, &state->rel);
	talloc_free(base);
	return status;
}

NTSTATUS smbd_smb2_create(struct smbd_req *req)
{
	struct smbd_tree *tree = req->tree;
	struct create_state *state = NULL;
	NTSTATUS status = NT_STATUS_OK;

	state = talloc_zero(req, struct create_state);
	if (state == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	state->req = req;
	status = create_parse(req, state, &state->a);
	if (status == NT_STATUS_OK &&
	    smb2_durable_pick(&state->a.dur, req->conn->dialect >= 0x0300,
			      &state->a.durable) != 0) {
		status = NT_STATUS_INVALID_PARAMETER;
	}
	/* a reconnect ignores the other fields [MS-SMB2 §3.3.5.9.7] */
	if (status == NT_STATUS_OK && !create_is_reconnect(&state->a)) {
		status = create_validate(&state->a);
	}
	if (status == NT_STATUS_OK && state->a.has_exta &&
	    !create_is_reconnect(&state->a)) {
		status = smbd_ea_list_take(state, &state->a.exta,
					   &state->a.eas, &state->a.neas);
	}
	if (status != NT_STATUS_OK) {
		goto fail;
	}
	if (tree->share->type == WG_SHARE_IPC || tree->root_fd < 0) {
		struct smbd_open *pop = NULL;

		/* a named pipe (pipes/ serves the RPC behind it) */
		status = smbd_pipe_create(req, state->a.name,
					  state->a.desired, &pop);
		if (status == NT_STATUS_OK) {
			status = smbd_pipe_create_reply(req, pop);
			if (status != NT_STATUS_OK) {
				req->out.len = 0;
				talloc_free(pop);
			} else {
				smbd_req_set_last_fid(req, pop);
			}
		}
		goto fail;
	}
	if (create_is_reconnect(&state->a)) {
		status = create_reconnect(req, &state->a);
		goto fail;
	}
	{
		bool answered = false;

		status = create_replay(req, &state->a, &answered);
		if (status != NT_STATUS_OK || answered) {
			goto fail;
		}
	}
	status = smbd_open_admit(req->sess);
	if (status != NT_STATUS_OK) {
		goto fail;
	}
	status = create_split_stream(req, state);
	if (status != NT_STATUS_OK) {
		goto fail;
	}
	if (smbd_acl_token_of(tree, req->sess) != NULL) {
		state->a.token = smbd_acl_token_hold(state,
				smbd_acl_token_of(tree, req->sess));
		if (state->a.token == NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto fail;
		}
	}
	status = create_probe_send(state);
	if (status == NT_STATUS_PENDING) {
		return status;
	}
fail:
	talloc_free(state);
	return status;
}

/* ================================================================== */
/* CLOSE                                                               */
/* ================================================================== */

struct close_state {
	struct smbd_req *req;
	uint64_t fid_p;
	uint64_t fid_v;
	uint16_t flags;
};

static void close_fsync_done(struct tevent_req *subreq);

/* Close op and write the response (attributes first if asked). */
static NTSTATUS close_finish(struct smbd_req *req, struct smbd_open *op,
			     uint16_t flags)
{
	struct wire_wr *w = &req->out;
	struct smbd_ntinfo ni = {};
	bool have = false;

	/* a held write time update first: the answer carries it */
	smbd_wtime_close(op);
	if ((flags & SMB2_CLOSE_FLAGS_FULL_INFORMATION) && op->fd >= 0) {
		have = smbd_ntinfo_fd(op->fd, op->path, &ni) == 0;
	}
	talloc_free(op);

	wire_put_u16le(w, CLOSE_RESP_SIZE);
	wire_put_u16le(w, have ? SMB2_CLOSE_FLAGS_FULL_INFORMATION : 0);
	wire_put_u32le(w, 0);			/* Reserved */
	wire_put_u64le(w, have ? ni.create_time : 0);
	wire_put_u64le(w, have ? ni.access_time : 0);
	wire_put_u64le(w, have ? ni.write_time : 0);
	wire_put_u64le(w, have ? ni.change_time : 0);
	wire_put_u64le(w, have ? ni.alloc_size : 0);
	wire_put_u64le(w, have ? ni.end_of_file : 0);
	wire_put_u32le(w, have ? ni.attrs : 0);
	return wire_wr_error(w) != 0 ? NT_STATUS_NO_MEMORY : NT_STATUS_OK;
}

NTSTATUS smbd_smb2_close(struct smbd_req *req)
{
	struct smbd_server *srv = req->conn->srv;
	struct wire_rd r = req->in;
	struct close_state *state = NULL;
	struct tevent_req *subreq = NULL;
	struct smbd_open *op = NULL;
	uint64_t fid_p = 0, fid_v = 0;
	uint16_t ssize = 0, flags = 0;
	uint32_t resv = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (wire_get_u16le(&r, &ssize) != 0 ||
	    wire_get_u16le(&r, &flags) != 0 ||
	    wire_get_u32le(&r, &resv) != 0 ||
	    smbd_pull_fid(&r, &fid_p, &fid_v) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = smbd_req_open(req, fid_p, fid_v, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (!op->written || op->fd < 0 || smbd_open_will_unlink(op)) {
		return close_finish(req, op, flags);
	}
	/* Written data goes to disk first, off the loop. */
	state = talloc_zero(req, struct close_state);
	if (state == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	state->req = req;
	state->fid_p = op->fid_persistent;
	state->fid_v = op->fid_volatile;
	state->flags = flags;
	subreq = smbd_fsync_send(state, srv->ev, srv->workers, req->conn->client,
				 op->fd);
	if (subreq == NULL) {
		talloc_free(state);
		return NT_STATUS_NO_MEMORY;
	}
	op->written = false;
	tevent_req_set_callback(subreq, close_fsync_done, state);
	return smbd_req_wait(req);
}

static void close_fsync_done(struct tevent_req *subreq)
{
	struct close_state *state =
		tevent_req_callback_data(subreq, struct close_state);
	struct smbd_req *req = state->req;
	struct smbd_open *op = NULL;
	int ret = smbd_fsync_recv(subreq);

	TALLOC_FREE(subreq);
	/* The open may have gone meanwhile (tree disconnect, logoff). */
	op = smbd_open_find(req->conn->srv, state->fid_v);
	if (op == NULL || op->fid_persistent != state->fid_p) {
		smbd_req_done(req, NT_STATUS_FILE_CLOSED);
		return;
	}
	if (ret < 0) {
		DBG_NOTICE(VFS, "%s: flush of %s on close: %s",
			   req->conn->peer_addr, op->path, strerror(-ret));
		talloc_free(op);
		smbd_req_done(req, smbd_map_errno(-ret));
		return;
	}
	smbd_req_done(req, close_finish(req, op, state->flags));
}
