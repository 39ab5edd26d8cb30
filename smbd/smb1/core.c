/*
 * core.c - the SMB1 core and LAN Manager commands on files that NT LM
 * 0.12 clients still send [MS-CIFS §2.2.4]: CREATE, CREATE_NEW,
 * CREATE_TEMPORARY, READ, WRITE, LOCK_BYTE_RANGE, UNLOCK_BYTE_RANGE,
 * SEEK, WRITE_AND_UNLOCK, WRITE_AND_CLOSE, SET_INFORMATION2,
 * QUERY_INFORMATION2, QUERY_INFORMATION_DISK, IOCTL and NT_RENAME (its
 * rename, hard link and copy). They are other
 * wire forms of the AndX commands: opens go through file.c's open path
 * (smb1_open_run; the core OPEN is file.c's, beside OPEN_ANDX), data
 * through its read and write path (smb1_read_op, smb1_write_op), locks
 * through LOCKING_ANDX's.
 *
 * The seek pointer: SEEK moves a per-open 32-bit file pointer, which
 * reads and writes leave past what they moved (smb1_seek_note); it is an
 * attachment of the open, made at the first read, write or seek. It is
 * not FilePositionInformation, which SEEK leaves alone.
 */
#include "smbd/smb1/smb1.h"
#include "smbd/base/errmap.h"
#include "smbd/fs/brlock.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/fileops.h"
#include "smbd/fs/open.h"
#include "smbd/fs/openpath.h"
#include "smbd/fs/streams.h"
#include "smbd/fs/vfs.h"
#include "smbd/fs/watch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define UTIME_EPOCH		116444736000000000ULL
#define CORE_RW_ACCESS		(SEC_GENERIC_READ | SEC_GENERIC_WRITE)
#define CORE_SHARE		(FILE_SHARE_READ | FILE_SHARE_WRITE)
#define CTEMP_TRIES		4
#define SMB1_BUFFER_FORMAT_ASCII 0x04

/* ---- the seek pointer ---- */

static void seek_close(struct smbd_open *op, void *priv)
{
	(void)op;
	(void)priv;
}

static const struct smbd_open_att_ops seek_ops = {
	.close = seek_close,
};

/* op's seek pointer (made at 0 if new), or NULL: no memory. */
static uint32_t *seek_ptr(struct smbd_open *op)
{
	const struct smbd_open_att *a = smbd_open_att_find(op, &seek_ops);
	uint32_t *p = NULL;

	if (a != NULL) {
		return smbd_open_att_priv(a);
	}
	p = talloc_zero(op, uint32_t);
	if (p == NULL) {
		return NULL;
	}
	if (smbd_open_attach(op, op, SMBD_OPEN_STAGE_KEPT, &seek_ops,
			     p) == NULL) {
		talloc_free(p);
		return NULL;
	}
	return p;
}

void smb1_seek_note(struct smbd_open *op, uint64_t end)
{
	uint32_t *p = op != NULL ? seek_ptr(op) : NULL;

	if (p != NULL) {
		*p = (uint32_t)end;
	}
}

uint64_t smb1_utime_to_nt(uint32_t t)
{
	return t == 0 || t == UINT32_MAX ? 0 :
	       UTIME_EPOCH + (uint64_t)t * 10000000ULL;
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void put_words_only(struct smb1_req *r, uint8_t wct)
{
	wire_put_u8(&r->out, wct);
}

static void put_no_bytes(struct smb1_req *r)
{
	smb1_bytes_end(r, smb1_bytes_begin(r));
}

/* A disk share's file by FID (core commands take no pipes). */
static NTSTATUS core_fid(struct smb1_req *r, uint16_t fid,
			 struct smbd_open **pop)
{
	*pop = smb1_fid_find(r, fid);
	if (*pop == NULL) {
		return NT_STATUS_INVALID_HANDLE;
	}
	if ((*pop)->pipe != NULL || (*pop)->fd < 0) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	return NT_STATUS_OK;
}

/* ---- CREATE, CREATE_NEW, CREATE_TEMPORARY ---- */

/* CREATE, CREATE_NEW: arg is the CreationTime given, which Windows
 * makes the file's write time (0: now) */
static NTSTATUS fid_reply(struct smb1_req *r, struct smbd_open *op,
			  uint32_t action, uint32_t arg)
{
	NTSTATUS status = smb1_fid_check(r, op);

	if (status == NT_STATUS_OK && smb1_utime_to_nt(arg) != 0) {
		status = smbd_open_set_basic(op, 0, 0, smb1_utime_to_nt(arg), 0,
					     0);
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	put_words_only(r, 1);
	wire_put_u16le(&r->out, (uint16_t)op->fid_volatile);
	put_no_bytes(r);
	return NT_STATUS_OK;
}

static NTSTATUS ctemp_reply(struct smb1_req *r, struct smbd_open *op,
			    uint32_t action, uint32_t arg)
{
	NTSTATUS status = smb1_fid_check(r, op);
	size_t pos = 0;

	if (status != NT_STATUS_OK) {
		return status;
	}
	put_words_only(r, 1);
	wire_put_u16le(&r->out, (uint16_t)op->fid_volatile);
	pos = smb1_bytes_begin(r);
	wire_put_u8(&r->out, SMB1_BUFFER_FORMAT_ASCII);
	smb1_put_string(r, op->client_name, true);
	smb1_bytes_end(r, pos);
	return NT_STATUS_OK;
}

/* A disk share, or the status the open commands answer on others. */
static NTSTATUS core_disk(struct smb1_req *r)
{
	return r->tree->share->type == WG_SHARE_DISK ? NT_STATUS_OK :
	       NT_STATUS_ACCESS_DENIED;
}

/*
 * The checks a path-taking core command starts with: b has wct words,
 * the share is a disk, and the bytes at *off begin with a path (*name,
 * a child of r; *off moves past it).
 */
static NTSTATUS core_path(struct smb1_req *r, const struct smb1_block *b,
			  uint8_t wct, size_t *off, char **name)
{
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct != wct) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = core_disk(r);
	if (status != NT_STATUS_OK) {
		return status;
	}
	return smb1_pull_path(r, r, b, off, name);
}

/* CREATE (0x03, replaces a file) and CREATE_NEW (0x0F) [MS-CIFS
 * §2.2.4.4, §2.2.4.16]: attributes, a creation time, the name. */
static NTSTATUS create_common(struct smb1_req *r, const struct smb1_block *b,
			      uint32_t disposition)
{
	struct smbd_open_args a = {
		.desired = CORE_RW_ACCESS,
		.share = CORE_SHARE,
		.disposition = disposition,
		.options = FILE_NON_DIRECTORY_FILE,
	};
	char *name = NULL;
	size_t off = b->bytes_off;
	NTSTATUS status = NT_STATUS_OK;

	status = core_path(r, b, 3, &off, &name);
	if (status != NT_STATUS_OK) {
		return status;
	}
	a.name = name;
	a.attrs = smb1_word(b, 0) & 0x27;
	return smb1_open_run(r, &a, smb1_dword(b, 1), fid_reply);
}

NTSTATUS smb1_create(struct smb1_req *r, const struct smb1_block *b)
{
	return create_common(r, b, FILE_OVERWRITE_IF);
}

NTSTATUS smb1_create_new(struct smb1_req *r, const struct smb1_block *b)
{
	return create_common(r, b, FILE_CREATE);
}

/* CREATE_TEMPORARY [MS-CIFS §2.2.4.15]: a new file of a unique name in
 * the directory given; the reply names it. */
NTSTATUS smb1_create_temporary(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_open_args a = {
		.desired = CORE_RW_ACCESS,
		.share = CORE_SHARE,
		.disposition = FILE_CREATE,
		.options = FILE_NON_DIRECTORY_FILE,
	};
	char *dir = NULL;
	size_t off = b->bytes_off;
	unsigned i = 0;
	NTSTATUS status = NT_STATUS_OK;

	status = core_path(r, b, 3, &off, &dir);
	if (status != NT_STATUS_OK) {
		return status;
	}
	a.attrs = smb1_word(b, 0) & 0x27;
	for (i = 0; i < CTEMP_TRIES; i++) {
		uint32_t rnd = 0;
		char *name = NULL;

		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd)) {
			rnd = (uint32_t)getpid() ^ i;
		}
		name = talloc_asprintf(r, "%s%sTMP%08X", dir,
				       dir[0] != '\0' ? "\\" : "", rnd);
		if (name == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		a.name = name;
		status = smb1_open_run(r, &a, 0, ctemp_reply);
		if (status != NT_STATUS_OBJECT_NAME_COLLISION) {
			break;
		}
	}
	return status;
}

/* ---- READ, WRITE, WRITE_AND_UNLOCK, WRITE_AND_CLOSE ---- */

static NTSTATUS read_put(struct smb1_req *r, struct smbd_open *op,
			 const uint8_t *data, uint32_t n, uint64_t offset,
			  void *priv)
{
	size_t pos = 0;

	put_words_only(r, 5);
	wire_put_u16le(&r->out, (uint16_t)n);
	wire_put_zero(&r->out, 8);		/* Reserved */
	pos = smb1_bytes_begin(r);
	wire_put_u8(&r->out, 0x01);		/* BufferFormat: data */
	wire_put_u16le(&r->out, (uint16_t)n);
	wire_put_bytes(&r->out, data, n);
	smb1_bytes_end(r, pos);
	return NT_STATUS_OK;
}

/*
 * READ's request (FID, count, offset) and reply; with lock, the range is
 * first locked exclusively for the PID as LOCKING_ANDX would (lock.c: its
 * budgets, no waiting), and a refused lock is the error.
 */
static NTSTATUS core_read(struct smb1_req *r, const struct smb1_block *b,
			  bool lock)
{
	struct smbd_open *op = NULL;
	uint32_t count = 0;
	uint32_t offset = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct != 5) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = core_fid(r, smb1_word(b, 0), &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	count = smb1_word(b, 1);
	offset = smb1_dword(b, 2);
	if (lock) {
		status = smb1_lock_range(r, op, offset, count, true);
		if (status != NT_STATUS_OK) {
			return status;
		}
	}
	/* the reply must fit the negotiated buffer */
	if (count > SMB1_MAX_BUFFER - 64) {
		count = SMB1_MAX_BUFFER - 64;
	}
	return smb1_read_op(r, op, offset, count, read_put, NULL);
}

/* READ [MS-CIFS §2.2.4.11] */
NTSTATUS smb1_read(struct smb1_req *r, const struct smb1_block *b)
{
	return core_read(r, b, false);
}

/* LOCK_AND_READ [MS-CIFS §2.2.4.20, §3.3.5.16] */
NTSTATUS smb1_lock_and_read(struct smb1_req *r, const struct smb1_block *b)
{
	return core_read(r, b, true);
}

static NTSTATUS write_put(struct smb1_req *r, struct smbd_open *op,
			  const uint8_t *data, uint32_t n, uint64_t offset,
			  void *priv)
{
	put_words_only(r, 1);
	wire_put_u16le(&r->out, (uint16_t)n);
	put_no_bytes(r);
	return NT_STATUS_OK;
}

static NTSTATUS write_unlock_put(struct smb1_req *r, struct smbd_open *op,
				 const uint8_t *data, uint32_t n,
				 uint64_t offset, void *priv)
{
	NTSTATUS status = NT_STATUS_OK;

	if (op == NULL) {
		return NT_STATUS_INVALID_HANDLE;
	}
	if (n == 0) {
		return write_put(r, op, data, n, offset, NULL);
	}
	/* written, but the range was not locked: the data stays */
	status = smb1_unlock_range(r, op, offset, n);
	if (status != NT_STATUS_OK) {
		return status;
	}
	return write_put(r, op, data, n, offset, NULL);
}

static NTSTATUS write_close_put(struct smb1_req *r, struct smbd_open *op,
				const uint8_t *data, uint32_t n,
				uint64_t offset, void *priv)
{
	uint64_t when = smb1_utime_to_nt((uint32_t)(uintptr_t)priv);
	NTSTATUS status = NT_STATUS_OK;

	if (op == NULL) {
		return NT_STATUS_INVALID_HANDLE;
	}
	if (n == 0) {
		/* nothing written: the file stays open (smbtorture
		 * raw.write, as Windows) */
		return write_put(r, op, data, n, offset, NULL);
	}
	if (when != 0) {
		status = smbd_open_set_basic(op, 0, 0, when, 0, 0);
	}
	talloc_free(op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	return write_put(r, NULL, data, n, offset, NULL);
}

/* What a WRITE of count 0 that set the size to offset (the
 * truncate's rc) answers; op NULL: it closed meanwhile. */
static NTSTATUS write_size_put(struct smb1_req *r, struct smbd_open *op,
			       uint32_t offset, int rc)
{
	if (rc != 0) {
		return smbd_map_errno_in(SMBD_ERRMAP_WRITE, -rc);
	}
	if (op != NULL) {
		op->written = true;
		op->ever_written = true;
	}
	return write_put(r, op, NULL, 0, offset, NULL);
}

/* Such a WRITE whose cut ran on a worker (smb1_cut_send). */
struct write_cut {
	uint32_t offset;
};

static NTSTATUS write_cut_answer(void *st, struct smb1_req *r,
				 struct smbd_open *op, int ret)
{
	const struct write_cut *w = st;

	return write_size_put(r, op, w->offset, ret);
}

/* A zero count of WRITE sets the file's size to the offset [MS-CIFS
 * §3.3.5.13]; a big cut on a worker (smb1_cut_send: PENDING). */
static NTSTATUS write_set_size(struct smb1_req *r, struct smbd_open *op,
			       uint32_t offset)
{
	struct write_cut *w = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if ((op->access & FILE_WRITE_DATA) == 0 || op->is_dir) {
		return NT_STATUS_ACCESS_DENIED;
	}
	w = talloc_zero(r, struct write_cut);
	if (w != NULL) {
		w->offset = offset;
		status = smb1_cut_send(w, r, op, offset, write_cut_answer);
		if (status == NT_STATUS_PENDING) {
			return status;	/* w is the cut's */
		}
		TALLOC_FREE(w);
	}
	/* a small cut, growth, or no job to be had: here; as an end of
	 * file set, a write time set through op stays */
	return write_size_put(r, op, offset, smbd_open_set_size(op, offset));
}

static NTSTATUS write_common(struct smb1_req *r, const struct smb1_block *b,
			     smb1_io_reply_fn put)
{
	struct smb1_write w = {};
	struct smbd_open *op = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct >= 1) {
		/* a bad handle is that before a bad length */
		status = core_fid(r, smb1_word(b, 0), &op);
		if (status != NT_STATUS_OK) {
			return status;
		}
	}
	if (smb1_write_parse(b, r->cmd, &w) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (w.count == 0 && r->cmd == SMB1_COM_WRITE) {
		return write_set_size(r, op, w.offset);
	}
	return smb1_write_op(r, op, w.offset, r->in + w.data_off, w.count,
			     false, put, (void *)(uintptr_t)w.last_write);
}

/* WRITE [MS-CIFS §2.2.4.12] */
NTSTATUS smb1_write(struct smb1_req *r, const struct smb1_block *b)
{
	return write_common(r, b, write_put);
}

/* WRITE_AND_UNLOCK [MS-CIFS §2.2.4.19]: then unlock what was written */
NTSTATUS smb1_write_and_unlock(struct smb1_req *r, const struct smb1_block *b)
{
	return write_common(r, b, write_unlock_put);
}

/* WRITE_AND_CLOSE [MS-CIFS §2.2.4.40]: then set the write time, close */
NTSTATUS smb1_write_and_close(struct smb1_req *r, const struct smb1_block *b)
{
	return write_common(r, b, write_close_put);
}

/* ---- LOCK_BYTE_RANGE, UNLOCK_BYTE_RANGE [MS-CIFS §2.2.4.13-14] ---- */

NTSTATUS smb1_lock_byte_range(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_open *op = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct != 5) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = core_fid(r, smb1_word(b, 0), &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (r->cmd == SMB1_COM_LOCK_BYTE_RANGE) {
		status = smb1_lock_range(r, op, smb1_dword(b, 3),
					 smb1_dword(b, 1), true);
	} else {
		status = smb1_unlock_range(r, op, smb1_dword(b, 3),
					   smb1_dword(b, 1));
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	put_words_only(r, 0);
	put_no_bytes(r);
	return NT_STATUS_OK;
}

/* ---- SEEK [MS-CIFS §2.2.4.19]: 32-bit arithmetic, as Windows ---- */

NTSTATUS smb1_seek(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_open *op = NULL;
	struct smbd_ntinfo ni = {};
	uint32_t *p = NULL;
	uint32_t base = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct != 4) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = core_fid(r, smb1_word(b, 0), &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	p = seek_ptr(op);
	if (p == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	switch (smb1_word(b, 1)) {
	case 0:
		base = 0;
		break;
	case 1:
		base = *p;
		break;
	case 2:
		if (streams_open_ntinfo(op, &ni) != 0) {
			return NT_STATUS_ACCESS_DENIED;
		}
		base = (uint32_t)ni.end_of_file;
		break;
	default:
		return NT_STATUS_INVALID_PARAMETER;
	}
	*p = base + smb1_dword(b, 2);
	put_words_only(r, 2);
	wire_put_u32le(&r->out, *p);
	put_no_bytes(r);
	return NT_STATUS_OK;
}

/* ---- SET_INFORMATION2, QUERY_INFORMATION2 [MS-CIFS §2.2.4.22-23] ---- */

NTSTATUS smb1_set_information2(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_open *op = NULL;
	uint64_t create = 0, access = 0, write = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct != 7) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = core_fid(r, smb1_word(b, 0), &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if ((op->access & FILE_WRITE_ATTRIBUTES) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	create = smb1_dos_to_nt(smb1_word(b, 1), smb1_word(b, 2));
	access = smb1_dos_to_nt(smb1_word(b, 3), smb1_word(b, 4));
	write = smb1_dos_to_nt(smb1_word(b, 5), smb1_word(b, 6));
	status = smbd_open_set_basic(op, create, access, write, 0, 0);
	if (status != NT_STATUS_OK) {
		return status;
	}
	put_words_only(r, 0);
	put_no_bytes(r);
	return NT_STATUS_OK;
}

NTSTATUS smb1_query_information2(struct smb1_req *r,
				 const struct smb1_block *b)
{
	struct smbd_open *op = NULL;
	struct smbd_ntinfo ni = {};
	const uint64_t *t[3] = { &ni.create_time, &ni.access_time,
				 &ni.write_time };
	unsigned i = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct != 1) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* a pipe answers too: no times, no size, one 4096-byte unit, as
	 * TRANS2_QUERY_FILE_INFORMATION's standard level says (Windows;
	 * smbtorture raw.qfileinfo.ipc) */
	op = smb1_fid_find(r, smb1_word(b, 0));
	if (op == NULL || op->pipe == NULL) {
		status = core_fid(r, smb1_word(b, 0), &op);
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (op->pipe != NULL) {
		ni.alloc_size = 4096;
	} else if (streams_open_ntinfo(op, &ni) != 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	put_words_only(r, 11);
	for (i = 0; i < 3; i++) {
		uint16_t d = 0, tm = 0;

		smb1_nt_to_dos(*t[i], &d, &tm);
		wire_put_u16le(&r->out, d);
		wire_put_u16le(&r->out, tm);
	}
	wire_put_u32le(&r->out, clamp32(ni.end_of_file));
	wire_put_u32le(&r->out, clamp32(ni.alloc_size));
	wire_put_u16le(&r->out, (uint16_t)(ni.attrs & 0x37));
	put_no_bytes(r);
	return NT_STATUS_OK;
}

/* ---- QUERY_INFORMATION_DISK [MS-CIFS §2.2.4.57] ---- */

NTSTATUS smb1_query_information_disk(struct smb1_req *r,
				     const struct smb1_block *b)
{
	struct statvfs vfs;
	uint64_t total = 0, avail = 0;
	uint32_t per_unit = 1;
	const uint32_t block = 512;

	if (b->wct != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (r->tree->root_fd < 0) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	if (fstatvfs(r->tree->root_fd, &vfs) != 0) {
		return smbd_map_errno(errno);
	}
	total = (uint64_t)vfs.f_blocks * vfs.f_frsize / block;
	avail = (uint64_t)vfs.f_bavail * vfs.f_frsize / block;
	/* units of up to 32768 blocks; a larger disk reports 65535 units
	 * (what old clients can hold), as Windows does */
	while (total / per_unit > 0xFFFF && per_unit < 0x8000) {
		per_unit <<= 1;
	}
	total /= per_unit;
	avail /= per_unit;
	put_words_only(r, 5);
	wire_put_u16le(&r->out, (uint16_t)(total > 0xFFFF ? 0xFFFF : total));
	wire_put_u16le(&r->out, (uint16_t)per_unit);
	wire_put_u16le(&r->out, (uint16_t)block);
	wire_put_u16le(&r->out, (uint16_t)(avail > 0xFFFF ? 0xFFFF : avail));
	wire_put_u16le(&r->out, 0);		/* Reserved */
	put_no_bytes(r);
	return NT_STATUS_OK;
}

/* ---- IOCTL [MS-CIFS §2.2.4.35]: no device functions are served ---- */

NTSTATUS smb1_ioctl(struct smb1_req *r, const struct smb1_block *b)
{
	/* FID, Category, Function, then parameters MS-CIFS puts in 14
	 * words and clients send in fewer */
	if (b->wct < 3) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* ERRSRV/ERRerror, as Windows answers a function it lacks (on
	 * any FID: smbtorture raw.ioctl) */
	return SMB1_DOS_STATUS(SMB1_ERRSRV, SMB1_ERRerror);
}

/* ---- NT_RENAME [MS-CIFS §2.2.4.66]: rename, hard link, copy ---- */

#define NT_RENAME_MOVE_CLUSTER	0x0102
#define NT_RENAME_HARD_LINK	0x0103
#define NT_RENAME_RENAME	0x0104
#define NT_RENAME_COPY		0x0105
#define NT_RENAME_ATTR_HIDDEN	0x0002
#define NT_RENAME_ATTR_SYSTEM	0x0004
/* the most a copy moves: its ranges of 1 MiB (fs/fileops.h) */
#define NT_COPY_RANGES		256u
#define NT_COPY_RANGE		(1024u * 1024)

/*
 * Open the source of an NT_RENAME: hidden and system files match only
 * when SearchAttributes names them (NO_SUCH_FILE), as for DELETE.
 */
static NTSTATUS ntrename_source(struct smb1_req *r, const char *name,
				uint16_t sattrs, uint32_t desired,
				uint32_t share, struct smbd_open **pop)
{
	struct smbd_ntinfo ni = {};
	uint32_t hide = 0;
	NTSTATUS status = smb1_open_path_share(r, name, desired, share,
					       FILE_OPEN, 0, pop);

	if (status != NT_STATUS_OK) {
		return status;
	}
	if (streams_open_ntinfo(*pop, &ni) == 0) {
		hide = ni.attrs & ~(uint32_t)sattrs &
		       (FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM);
	}
	if (hide != 0) {
		TALLOC_FREE(*pop);
		return NT_STATUS_NO_SUCH_FILE;
	}
	return NT_STATUS_OK;
}

struct ntcopy_state {
	struct smb1_req *r;
	struct smbd_open *src;
	struct smbd_open *dst;
	struct smbd_copy_range *ranges;
};

static void ntcopy_done(struct tevent_req *subreq)
{
	struct ntcopy_state *st = tevent_req_callback_data(subreq,
						struct ntcopy_state);
	struct smb1_req *r = st->r;
	uint32_t done = 0;
	uint64_t bytes = 0;
	int rc = smbd_copy_ranges_recv(subreq, &done, &bytes);

	TALLOC_FREE(subreq);
	talloc_free(st);	/* closes both */
	if (rc != 0) {
		smb1_req_done(r, smbd_map_errno(-rc));
		return;
	}
	put_words_only(r, 0);
	put_no_bytes(r);
	smb1_req_done(r, NT_STATUS_OK);
}

/* A copy of the file from to the new file to, on a worker. */
static NTSTATUS ntrename_copy(struct smb1_req *r, const char *from,
			      const char *to, uint16_t sattrs)
{
	struct smbd_server *srv = r->conn->srv;
	struct ntcopy_state *st = talloc_zero(r, struct ntcopy_state);
	struct tevent_req *subreq = NULL;
	struct smbd_ntinfo ni = {};
	uint64_t size = 0, off = 0;
	uint32_t n = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (st == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	st->r = r;
	status = ntrename_source(r, from, sattrs,
				 FILE_READ_DATA | FILE_READ_ATTRIBUTES,
				 FILE_SHARE_READ, &st->src);
	if (status == NT_STATUS_OK && (st->src->is_dir ||
				       streams_open_ntinfo(st->src,
							   &ni) != 0)) {
		status = NT_STATUS_FILE_IS_A_DIRECTORY;
	}
	size = ni.end_of_file;
	if (status == NT_STATUS_OK &&
	    size > (uint64_t)NT_COPY_RANGES * NT_COPY_RANGE) {
		status = NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	if (status == NT_STATUS_OK) {
		status = smb1_open_path_share(r, to, FILE_WRITE_DATA |
					      FILE_READ_ATTRIBUTES, 0,
					      FILE_CREATE,
					      FILE_NON_DIRECTORY_FILE,
					      &st->dst);
	}
	if (status == NT_STATUS_OK) {
		/* a copy carries the source's attributes, not the ARCHIVE
		 * of a new file (Windows; smbtorture raw.rename.ntrename) */
		uint32_t attrs = ni.attrs & SMBD_STORED_ATTRS;
		int rc = smbd_store_dos_info(st->dst->fd, NULL, &attrs);

		if (rc != 0 && rc != -ENOTSUP && rc != -EOPNOTSUPP) {
			status = smbd_map_errno(-rc);
		}
	}
	if (status == NT_STATUS_OK) {
		st->ranges = talloc_zero_array(st, struct smbd_copy_range,
					       NT_COPY_RANGES);
		status = st->ranges != NULL ? NT_STATUS_OK :
			 NT_STATUS_NO_MEMORY;
	}
	if (status != NT_STATUS_OK) {
		talloc_free(st);
		return status;
	}
	talloc_steal(st, st->src);
	talloc_steal(st, st->dst);
	for (off = 0; off < size; off += NT_COPY_RANGE, n++) {
		st->ranges[n].src_off = off;
		st->ranges[n].dst_off = off;
		st->ranges[n].len = (uint32_t)(size - off < NT_COPY_RANGE ?
					       size - off : NT_COPY_RANGE);
	}
	if (n == 0) {
		talloc_free(st);
		put_words_only(r, 0);
		put_no_bytes(r);
		return NT_STATUS_OK;
	}
	subreq = smbd_copy_ranges_send(st, srv->ev, srv->workers,
				       r->conn->client, st->src->fd,
				       st->dst->fd, st->ranges, n, false);
	if (subreq == NULL) {
		talloc_free(st);
		return NT_STATUS_NO_MEMORY;
	}
	tevent_req_set_callback(subreq, ntcopy_done, st);
	return NT_STATUS_PENDING;
}

/* A hard link to to of the file from. */
static NTSTATUS ntrename_link(struct smb1_req *r, const char *from,
			      const char *to, uint16_t sattrs)
{
	struct smbd_open *op = NULL;
	char *rel = NULL;
	NTSTATUS status = vfs_canonicalize(r, to, false, &rel);

	if (status == NT_STATUS_OK) {
		status = ntrename_source(r, from, sattrs, FILE_READ_ATTRIBUTES,
					 FILE_SHARE_READ | FILE_SHARE_WRITE |
					 FILE_SHARE_DELETE, &op);
	}
	if (status == NT_STATUS_OK) {
		status = smbd_open_link(op, rel);
		talloc_free(op);
	}
	return status;
}

NTSTATUS smb1_nt_rename(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_open *op = NULL;
	char *from = NULL, *to = NULL;
	size_t off = b->bytes_off;
	uint16_t sattrs = 0, level = 0;
	NTSTATUS status = NT_STATUS_OK;

	status = core_path(r, b, 4, &off, &from);
	if (status == NT_STATUS_OK) {
		status = smb1_pull_path(r, r, b, &off, &to);
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	sattrs = smb1_word(b, 0) & (NT_RENAME_ATTR_HIDDEN |
				    NT_RENAME_ATTR_SYSTEM);
	level = smb1_word(b, 1);
	if (level == NT_RENAME_MOVE_CLUSTER) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (level != NT_RENAME_HARD_LINK && level != NT_RENAME_RENAME &&
	    level != NT_RENAME_COPY) {
		return NT_STATUS_ACCESS_DENIED;	/* as Windows before 7 */
	}
	if (strpbrk(from, "*?<>\"") != NULL) {
		return NT_STATUS_OBJECT_PATH_SYNTAX_BAD;
	}
	if (strchr(from, ':') != NULL && to[0] != ':') {
		/* a stream is renamed within its file (":new") only */
		return NT_STATUS_INVALID_PARAMETER;
	}
	switch (level) {
	case NT_RENAME_HARD_LINK:
		status = ntrename_link(r, from, to, sattrs);
		break;
	case NT_RENAME_COPY:
		return ntrename_copy(r, from, to, sattrs);
	default:
		/* the attribute check first, then the rename */
		status = ntrename_source(r, from, sattrs, FILE_READ_ATTRIBUTES,
					 FILE_SHARE_READ | FILE_SHARE_WRITE |
					 FILE_SHARE_DELETE, &op);
		TALLOC_FREE(op);
		if (status == NT_STATUS_OK) {
			status = smb1_rename_path(r, from, to, false);
		}
		break;
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	put_words_only(r, 0);
	put_no_bytes(r);
	return NT_STATUS_OK;
}
