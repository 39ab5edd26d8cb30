/*
 * nttrans.c - SMB1 NT_TRANSACT [MS-CIFS §2.2.4.62, §2.2.7, §3.3.5.59]:
 * CREATE (NT_CREATE_ANDX with a security descriptor and an EA list),
 * IOCTL (SET_SPARSE, QUERY_ALLOCATED_RANGES and SET_ZERO_DATA, the last
 * two on the workers, and GET/SET/DELETE_OBJECT_ID: fs/fsctl.h, the code
 * SMB2's FSCTLs use),
 * QUERY_SECURITY_DESC and SET_SECURITY_DESC (fs/acl.c, the checks of
 * SMB2's QUERY_INFO and SET_INFO), and NOTIFY_CHANGE (the change-watch
 * engine, fs/watch.h, as SMB2's CHANGE_NOTIFY: the first request's
 * filter holds for the open; a request waits until a change comes, the
 * open closes (STATUS_OK, no changes), its directory becomes
 * delete-pending or NT_CANCEL ends it (CANCELLED)). RENAME is not served (Windows never
 * did either). A transaction sent in pieces is put together by reasm.c
 * first.
 *
 * Budget: waiting NOTIFY_CHANGE requests count in conn->nnotifies with
 * SMB2's CHANGE_NOTIFY, against 'max pending notifies'
 * (SMBD_BUDGET_NOTIFIES, INSUFFICIENT_RESOURCES).
 */
#include "smbd/smb1/smb1.h"
#include "smbd/base/errmap.h"
#include "smbd/fs/acl.h"
#include "smbd/fs/ea.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/fsctl.h"
#include "smbd/fs/objid.h"
#include "smbd/fs/open.h"
#include "smbd/fs/openpath.h"
#include "smbd/fs/oplock.h"
#include "smbd/fs/watch.h"
#include "proto/smb2.h"
#include "proto/smb2_fsctl.h"

#include <errno.h>
#include <string.h>

#ifndef NT_STATUS_INVALID_SMB
#define NT_STATUS_INVALID_SMB		((NTSTATUS)0x00010002u)
#endif
#define NTTRANS_CREATE_RESP		69
#define NTTRANS_OPEN_BREAK_ROUNDS	8

/* The NT_TRANSACT response [MS-CIFS §2.2.4.62.2], everything in one. */
static void nt_put_reply(struct smb1_req *r, const uint16_t *setup,
			 uint8_t nsetup, const uint8_t *param, size_t nparam,
			 const uint8_t *data, size_t ndata)
{
	size_t at = 0, pos = 0, poff = 0, doff = 0;
	uint8_t i = 0;

	wire_put_u8(&r->out, (uint8_t)(18 + nsetup));
	wire_put_zero(&r->out, 3);		/* Reserved1 */
	wire_put_u32le(&r->out, (uint32_t)nparam);
	wire_put_u32le(&r->out, (uint32_t)ndata);
	wire_put_u32le(&r->out, (uint32_t)nparam);
	at = r->out.len;
	wire_put_u32le(&r->out, 0);		/* ParameterOffset */
	wire_put_u32le(&r->out, 0);		/* ParameterDisplacement */
	wire_put_u32le(&r->out, (uint32_t)ndata);
	wire_put_u32le(&r->out, 0);		/* DataOffset */
	wire_put_u32le(&r->out, 0);		/* DataDisplacement */
	wire_put_u8(&r->out, nsetup);
	for (i = 0; i < nsetup; i++) {
		wire_put_u16le(&r->out, setup[i]);
	}
	pos = smb1_bytes_begin(r);
	wire_put_align(&r->out, 4);
	poff = r->out.len;
	wire_put_bytes(&r->out, param, nparam);
	wire_put_align(&r->out, 4);
	doff = r->out.len;
	wire_put_bytes(&r->out, data, ndata);
	wire_patch_u32le(&r->out, at, nparam > 0 ? (uint32_t)poff : 0);
	wire_patch_u32le(&r->out, at + 12, ndata > 0 ? (uint32_t)doff : 0);
	smb1_bytes_end(r, pos);
}

NTSTATUS smb1_root_fid_path(struct smb1_req *r, TALLOC_CTX *mem,
			    uint32_t root_fid, const char *name,
			    const char **out)
{
	struct smbd_open *dir = NULL;
	const char *base = NULL;
	char *p = NULL;

	if (root_fid == 0) {
		*out = name;
		return NT_STATUS_OK;
	}
	dir = root_fid <= 0xFFFF ? smb1_fid_find(r, (uint16_t)root_fid) :
				   NULL;
	if (dir == NULL) {
		return NT_STATUS_INVALID_HANDLE;
	}
	if (!dir->is_dir || dir->client_name == NULL) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	base = dir->client_name;
	while (base[0] == '\\') {
		base++;
	}
	while (name[0] == '\\') {
		name++;
	}
	if (base[0] == '\0') {
		p = talloc_strdup(mem, name);
	} else if (name[0] == '\0') {
		p = talloc_strdup(mem, base);
	} else {
		p = talloc_asprintf(mem, "%s\\%s", base, name);
	}
	if (p == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = p;
	return NT_STATUS_OK;
}

/* ---- NT_TRANSACT_CREATE [MS-CIFS §2.2.7.1, §3.3.5.59.1] ---- */

struct create_state {
	struct smb1_req *r;
	struct smbd_open_args a;
	struct wire_rd secd;
	struct fscc_ea *eas;
	size_t neas;
	struct smbd_oplock_wait *wait;
	unsigned rounds;
	/* the open left its overwrite's truncate to us (smb1_trunc_send) */
	bool trunc_later;
};

static NTSTATUS create_try(struct create_state *st);
static NTSTATUS create_answer(struct create_state *st, struct smbd_open *op,
			      uint32_t action);

static void create_woken(void *priv)
{
	struct create_state *st = priv;
	struct smb1_req *r = st->r;
	NTSTATUS status = NT_STATUS_OK;

	TALLOC_FREE(st->wait);
	status = smb1_req_reresolve(r);
	if (status == NT_STATUS_OK) {
		status = create_try(st);
	}
	if (status == NT_STATUS_PENDING) {
		return;
	}
	talloc_free(st);
	smb1_req_done(r, status);
}

static void create_reply(struct smb1_req *r, struct smbd_open *op,
			 uint32_t action)
{
	struct smbd_ntinfo ni = {};
	uint8_t p[NTTRANS_CREATE_RESP] = {};

	(void)smbd_ntinfo_fd(op->fd, op->path, &ni);
	/* 0 OpLockLevel: none, 1 Reserved */
	wire_setle16(p + 2, (uint16_t)op->fid_volatile);
	wire_setle32(p + 4, action);
	/* 8 EAErrorOffset */
	wire_setle64(p + 12, ni.create_time);
	wire_setle64(p + 20, ni.access_time);
	wire_setle64(p + 28, ni.write_time);
	wire_setle64(p + 36, ni.change_time);
	wire_setle32(p + 44, ni.attrs);
	wire_setle64(p + 48, ni.alloc_size);
	wire_setle64(p + 56, ni.end_of_file);
	/* 64 ResourceType: disk, 66 NMPipeStatus */
	p[68] = op->is_dir ? 1 : 0;
	nt_put_reply(r, NULL, 0, p, sizeof(p), NULL, 0);
}

/* smb1_trunc_send's answer for NT_TRANSACT_CREATE: the EAs go on the file
 * after the truncate */
static NTSTATUS create_trunc_answer(void *st, struct smbd_open *op,
				    uint32_t action)
{
	return create_answer(st, op, action);
}

/* One round of the open; PENDING: waiting for breaks or the truncate
 * (st kept). */
static NTSTATUS create_try(struct create_state *st)
{
	struct smb1_req *r = st->r;
	struct smbd_open *op = NULL;
	struct smbd_file *wait = NULL;
	uint32_t action = 0;
	NTSTATUS status = smb1_path_syntax(st->a.name);

	if (status != NT_STATUS_OK) {
		return status;
	}
	/* checked as its sender if it waited (smb1_req_keep_token) */
	st->a.token = r->token;
	st->a.trunc_later = &st->trunc_later;
	status = smbd_open_by_name(r->tree, &st->a, &op, &action, &wait);
	if (status == NT_STATUS_PENDING) {
		if (++st->rounds > NTTRANS_OPEN_BREAK_ROUNDS) {
			return NT_STATUS_SHARING_VIOLATION;
		}
		status = smb1_req_keep_token(r);
		if (status != NT_STATUS_OK) {
			return status;
		}
		status = smbd_oplock_wait(st, wait, r->conn, create_woken,
					  st, &st->wait);
		return status == NT_STATUS_OK ? NT_STATUS_PENDING : status;
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (st->trunc_later) {
		return smb1_trunc_send(st, st->r, op, st->a.alloc_size, action,
				       create_trunc_answer);
	}
	return create_answer(st, op, action);
}

/* The file is open (and overwritten): its EAs, the reply. */
static NTSTATUS create_answer(struct create_state *st, struct smbd_open *op,
			      uint32_t action)
{
	struct smb1_req *r = st->r;
	NTSTATUS status = smb1_fid_check(r, op);

	if (status == NT_STATUS_OK && st->neas > 0 &&
	    action != FILE_WAS_OPENED) {
		/* the EAs of a file made or overwritten [MS-FSA §2.1.5.1] */
		status = op->fd >= 0 ?
			 smbd_ea_apply(op->fd, st->eas, st->neas) :
			 NT_STATUS_EAS_NOT_SUPPORTED;
	}
	if (status != NT_STATUS_OK) {
		talloc_free(op);
		return status;
	}
	create_reply(r, op, action);
	return NT_STATUS_OK;
}

/*
 * STATUS_INVALID_EA_NAME is a warning: its reply is the create response
 * with no open, EAErrorOffset naming the offset in the EA list of the
 * first entry refused [MS-CIFS §2.2.7.1.2].
 */
static void ea_error_reply(struct smb1_req *r, const uint8_t *list,
			   const struct fscc_ea *eas, size_t n)
{
	uint8_t p[NTTRANS_CREATE_RESP] = {};
	size_t i = 0;

	for (i = 0; i < n; i++) {
		const uint8_t *name = (const uint8_t *)eas[i].name;

		if (smbd_ea_check(&eas[i], 1) == NT_STATUS_INVALID_EA_NAME) {
			/* the entry's 8 fixed bytes precede its name */
			wire_setle32(p + 8, (uint32_t)(name - 8 - list));
			break;
		}
	}
	nt_put_reply(r, NULL, 0, p, sizeof(p), NULL, 0);
	r->keep_block = true;
}

static NTSTATUS nt_create(struct smb1_req *r, const struct smb1_nttrans *t)
{
	struct smb1_nttrans_create c = {};
	struct create_state *st = NULL;
	const uint8_t *data = r->in + t->data_off;
	const char *path = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (r->tree->share->type != WG_SHARE_DISK) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	if (t->max_param < NTTRANS_CREATE_RESP) {
		return NT_STATUS_INVALID_SMB;
	}
	st = talloc_zero(r, struct create_state);
	if (st == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	st->r = r;
	if (smb1_nttrans_create_parse(st, r->in + t->param_off,
				      t->param_count, r->unicode, &c) != 0) {
		talloc_free(st);
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (c.sd_len > t->data_count ||
	    c.ea_len > t->data_count - c.sd_len) {
		talloc_free(st);
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (c.c.options & SMB1_CREATE_OPTIONS_REFUSED) {
		talloc_free(st);
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (c.c.flags & 0x00000008u) {	/* NT_CREATE_OPEN_TARGET_DIR */
		talloc_free(st);
		return NT_STATUS_NOT_SUPPORTED;
	}
	status = smb1_root_fid_path(r, st, c.c.root_fid, c.name, &path);
	if (status != NT_STATUS_OK) {
		talloc_free(st);
		return status;
	}
	if (c.ea_len > 0) {
		int rc = fscc_ea_full_pull(st, data + c.sd_len, c.ea_len,
					   SMBD_EA_MAX_NAMES, &st->eas,
					   &st->neas);

		status = rc == 0 ? smbd_ea_check(st->eas, st->neas) :
			 rc == WIRE_E_NOMEM ? NT_STATUS_NO_MEMORY :
			 NT_STATUS_EA_LIST_INCONSISTENT;
		if (status == NT_STATUS_INVALID_EA_NAME) {
			ea_error_reply(r, data + c.sd_len, st->eas, st->neas);
		}
		if (status != NT_STATUS_OK) {
			talloc_free(st);
			return status;
		}
	}
	st->a = (struct smbd_open_args){
		.name = path,
		.desired = c.c.desired,
		.attrs = c.c.attrs,
		.share = c.c.share,
		.disposition = c.c.disposition,
		.options = c.c.options,
		.alloc_size = c.c.alloc_size,
	};
	if (c.sd_len > 0) {
		wire_rd_init(&st->secd, data, c.sd_len);
		st->a.secd = &st->secd;
	}
	status = create_try(st);
	if (status != NT_STATUS_PENDING) {
		talloc_free(st);
	}
	return status;
}

/* ---- QUERY_SECURITY_DESC and SET_SECURITY_DESC ---- */

/* The open of a file or directory of a disk share the request names. */
static NTSTATUS file_fid(struct smb1_req *r, uint16_t fid,
			 struct smbd_open **pop)
{
	struct smbd_open *op = smb1_fid_find(r, fid);

	if (op == NULL) {
		return NT_STATUS_INVALID_HANDLE;
	}
	if (op->pipe != NULL || op->fd < 0 ||
	    r->tree->share->type != WG_SHARE_DISK) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	*pop = op;
	return NT_STATUS_OK;
}

static NTSTATUS query_sd(struct smb1_req *r, const struct smb1_nttrans *t)
{
	struct smbd_open *op = NULL;
	struct wire_wr w;
	uint8_t need[4] = {};
	uint32_t secinfo = 0;
	uint16_t fid = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_nttrans_secdesc_parse(r->in + t->param_off, t->param_count,
				       &fid, &secinfo) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = file_fid(r, fid, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	wire_wr_init(&w, r, 0);
	status = smbd_acl_query(op, secinfo, &w);
	if (status == NT_STATUS_OK && wire_wr_error(&w) != 0) {
		status = NT_STATUS_NO_MEMORY;
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	wire_setle32(need, (uint32_t)w.len);	/* LengthNeeded */
	if (w.len > t->max_data) {
		/* the size it takes, for the client to ask again */
		nt_put_reply(r, NULL, 0, need, sizeof(need), NULL, 0);
		r->keep_block = true;
		return NT_STATUS_BUFFER_TOO_SMALL;
	}
	nt_put_reply(r, NULL, 0, need, sizeof(need), w.buf, w.len);
	return NT_STATUS_OK;
}

static NTSTATUS set_sd(struct smb1_req *r, const struct smb1_nttrans *t)
{
	struct smbd_open *op = NULL;
	uint32_t secinfo = 0;
	uint16_t fid = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_nttrans_secdesc_parse(r->in + t->param_off, t->param_count,
				       &fid, &secinfo) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = file_fid(r, fid, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smbd_acl_set(op, r->sess, secinfo, r->in + t->data_off,
			      t->data_count);
	if (status == NT_STATUS_OK) {
		nt_put_reply(r, NULL, 0, NULL, 0, NULL, 0);
	}
	return status;
}

/* ---- IOCTL [MS-CIFS §2.2.7.2, §3.3.5.59.2] ---- */

static NTSTATUS ioctl_reply(struct smb1_req *r, const uint8_t *data,
			    size_t n)
{
	uint16_t setup = (uint16_t)n;

	nt_put_reply(r, &setup, 1, NULL, 0, data, n);
	return NT_STATUS_OK;
}

static NTSTATUS ioctl_objid(struct smb1_req *r, const struct smb1_nttrans *t,
			    const struct smb1_nttrans_ioctl *io,
			    struct smbd_open *op)
{
	uint8_t buf[SMBD_OBJID_SIZE] = {};
	NTSTATUS status = NT_STATUS_OK;

	switch (io->function) {
	case FSCTL_GET_OBJECT_ID:
		if (t->max_data < SMBD_OBJID_SIZE) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		status = smbd_open_objid_get(op, buf);
		if (status != NT_STATUS_OK) {
			return status;
		}
		return ioctl_reply(r, buf, sizeof(buf));
	case FSCTL_SET_OBJECT_ID:
		status = smbd_open_objid_set(op, r->tree, r->in + t->data_off,
					     t->data_count, false);
		break;
	default:	/* FSCTL_DELETE_OBJECT_ID */
		status = smbd_open_objid_delete(op, r->tree);
		break;
	}
	if (status != NT_STATUS_OK) {
		return status;
	}
	return ioctl_reply(r, NULL, 0);
}

static void qar_done(struct tevent_req *subreq);
static void zero_done(struct tevent_req *subreq);

/* FSCTL_QUERY_ALLOCATED_RANGES (fs/fsctl.h), on the workers */
static NTSTATUS ioctl_qar(struct smb1_req *r, const struct smb1_nttrans *t,
			  struct smbd_open *op)
{
	struct tevent_req *subreq = NULL;
	struct wire_rd in;
	NTSTATUS status = NT_STATUS_OK;

	wire_rd_init(&in, r->in + t->data_off, t->data_count);
	status = smbd_open_ranges_send(r, r->conn, op, &in, t->max_data,
				       &subreq);
	if (status != NT_STATUS_OK) {
		return status;
	}
	tevent_req_set_callback(subreq, qar_done, r);
	return NT_STATUS_PENDING;
}

static void qar_done(struct tevent_req *subreq)
{
	struct smb1_req *r = tevent_req_callback_data(subreq, struct smb1_req);
	uint8_t *out = NULL;
	size_t len = 0;
	NTSTATUS status = smbd_open_ranges_recv(subreq, r, &out, &len);

	TALLOC_FREE(subreq);
	if (status == NT_STATUS_OK || status == NT_STATUS_BUFFER_OVERFLOW) {
		(void)ioctl_reply(r, out, len);
		if (status == NT_STATUS_BUFFER_OVERFLOW) {
			/* as many as fit; the client asks again */
			r->keep_block = true;
		}
	}
	talloc_free(out);
	smb1_req_done(r, status);
}

/*
 * FSCTL_SET_ZERO_DATA (fs/fsctl.h), on the workers; SMB1 lock owners are
 * the open and PidLow, as smb1/lock.c keys them.
 */
static NTSTATUS ioctl_zero(struct smb1_req *r, const struct smb1_nttrans *t,
			   struct smbd_open *op)
{
	struct tevent_req *subreq = NULL;
	struct wire_rd in;
	NTSTATUS status = NT_STATUS_OK;

	wire_rd_init(&in, r->in + t->data_off, t->data_count);
	status = smbd_open_zero_send(r, r->conn, op, (uint16_t)r->hdr.pid,
				     &in, &subreq);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (subreq == NULL) {
		return ioctl_reply(r, NULL, 0);		/* an empty range */
	}
	tevent_req_set_callback(subreq, zero_done, r);
	return NT_STATUS_PENDING;
}

static void zero_done(struct tevent_req *subreq)
{
	struct smb1_req *r = tevent_req_callback_data(subreq, struct smb1_req);
	NTSTATUS status = smbd_open_zero_recv(subreq);

	TALLOC_FREE(subreq);
	if (status != NT_STATUS_OK) {
		smb1_req_done(r, status);
		return;
	}
	smb1_req_done(r, ioctl_reply(r, NULL, 0));
}

static NTSTATUS nt_ioctl(struct smb1_req *r, const struct smb1_nttrans *t)
{
	struct smb1_nttrans_ioctl io = {};
	struct smbd_open *op = NULL;
	struct wire_rd in;
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_nttrans_ioctl_parse(t, &io) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (!io.is_fsctl) {
		return NT_STATUS_NOT_SUPPORTED;	/* device IOCTLs: none */
	}
	/* the handle first, whatever the FSCTL (smbtorture raw.ioctl) */
	if (smb1_fid_find(r, io.fid) == NULL) {
		return NT_STATUS_INVALID_HANDLE;
	}
	switch (io.function) {
	case FSCTL_SET_SPARSE:
		status = file_fid(r, io.fid, &op);
		if (status != NT_STATUS_OK) {
			return status;
		}
		/* SetSparse, a BOOLEAN; none means TRUE [MS-FSCC §2.3.64] */
		wire_rd_init(&in, r->in + t->data_off, t->data_count);
		status = smbd_open_set_sparse(op, &in);
		if (status != NT_STATUS_OK) {
			return status;
		}
		return ioctl_reply(r, NULL, 0);
	case FSCTL_QUERY_ALLOCATED_RANGES:
	case FSCTL_SET_ZERO_DATA:
		status = file_fid(r, io.fid, &op);
		if (status != NT_STATUS_OK) {
			return status;
		}
		if (op->is_dir) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		return io.function == FSCTL_SET_ZERO_DATA ?
		       ioctl_zero(r, t, op) : ioctl_qar(r, t, op);
	case FSCTL_GET_OBJECT_ID:
	case FSCTL_SET_OBJECT_ID:
	case FSCTL_DELETE_OBJECT_ID:
		status = file_fid(r, io.fid, &op);
		if (status != NT_STATUS_OK) {
			return status;
		}
		return ioctl_objid(r, t, &io, op);
	default:
		DBG_CLIENT(PROTO, "%s: NT_TRANSACT_IOCTL 0x%08x not served",
			   r->conn->peer_addr, io.function);
		return NT_STATUS_NOT_SUPPORTED;
	}
}

/* ---- NOTIFY_CHANGE [MS-CIFS §2.2.7.4, §3.3.5.59.4] ---- */

static const struct smbd_open_att_ops notify_att_ops;

/* A waiting request: a talloc child of it, with an attachment on op. */
struct smb1_notify {
	struct smb1_notify *prev, *next;	/* c1->notifies, oldest first */
	struct smbd_smb1_conn *c1;
	struct smbd_conn *conn;		/* counted in conn->nnotifies */
	struct smb1_req *r;
	struct smbd_open *op;		/* NULL once the open is gone */
	uint32_t max_param;
	bool linked;
};

static void notify_unlink(struct smb1_notify *n)
{
	if (!n->linked) {
		return;
	}
	n->linked = false;
	if (n->prev != NULL) {
		n->prev->next = n->next;
	} else {
		n->c1->notifies = n->next;
	}
	if (n->next != NULL) {
		n->next->prev = n->prev;
	}
	n->prev = n->next = NULL;
}

static int notify_destructor(struct smb1_notify *n)
{
	n->conn->nnotifies--;
	notify_unlink(n);
	return 0;
}

/* End n's request with status (its reply block written if OK). */
static void notify_end(struct smb1_notify *n, NTSTATUS status)
{
	struct smb1_req *r = n->r;

	notify_unlink(n);
	smb1_req_done(r, status);
}

static NTSTATUS notify_answer(struct smb1_req *r, struct smbd_watch *w,
			      uint32_t max_param)
{
	struct wire_wr o;
	NTSTATUS status = NT_STATUS_OK;

	wire_wr_init(&o, r, 0);
	status = smbd_watch_take(w, max_param, &o);
	if (wire_wr_error(&o) != 0) {
		return NT_STATUS_NO_MEMORY;
	}
	/*
	 * The changes are the response's parameters. Ones that overflowed
	 * (NOTIFY_ENUM_DIR over SMB2) are an empty list with STATUS_OK over
	 * SMB1: "re-read the directory" (smbtorture raw.notify.overflow).
	 */
	if (status != NT_STATUS_OK) {
		o.len = 0;
	}
	nt_put_reply(r, NULL, 0, o.buf, o.len, NULL, 0);
	return NT_STATUS_OK;
}

/*
 * The open is going (closed, its tree or session gone, its PID exited):
 * a waiting request ends with STATUS_OK and no changes, as Windows
 * answers over SMB1 (smbtorture raw.notify.dir, tdis, exit, ulogoff).
 */
static void notify_open_closed(struct smbd_open *op, void *priv)
{
	struct smb1_notify *n = priv;

	n->op = NULL;
	if (n->linked) {
		nt_put_reply(n->r, NULL, 0, NULL, 0, NULL, 0);
		notify_end(n, NT_STATUS_OK);
	}
}

static void notify_open_delete_pending(struct smbd_open *op, void *priv)
{
	struct smb1_notify *n = priv;

	if (n->linked) {
		notify_end(n, NT_STATUS_DELETE_PENDING);
	}
}

static const struct smbd_open_att_ops notify_att_ops = {
	.close = notify_open_closed,
	.delete_pending = notify_open_delete_pending,
};

/* The engine's callback: op's watch has something for its oldest. */
static void notify_ready(struct smbd_watch *w, struct smbd_open *op)
{
	struct smbd_smb1_conn *c1 = NULL;
	struct smb1_notify *n = NULL;
	struct smb1_req *r = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (op->tree == NULL || op->tree->sess == NULL ||
	    op->tree->sess->conn == NULL) {
		return;
	}
	c1 = op->tree->sess->conn->smb1;
	for (n = c1 != NULL ? c1->notifies : NULL; n != NULL; n = n->next) {
		if (n->op == op) {
			break;
		}
	}
	if (n == NULL) {
		return;
	}
	r = n->r;
	notify_unlink(n);
	status = notify_answer(r, w, n->max_param);
	smb1_req_done(r, status);
}

static NTSTATUS nt_notify(struct smb1_req *r, const struct smb1_nttrans *t)
{
	struct smb1_nttrans_notify nt = {};
	struct smbd_smb1_conn *c1 = r->c1;
	struct smb1_notify *n = NULL, *last = NULL;
	struct smbd_open *op = NULL;
	struct smbd_watch *w = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_nttrans_notify_parse(t, &nt) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = file_fid(r, nt.fid, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (!op->is_dir) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if ((op->access & FILE_LIST_DIRECTORY) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (op->file != NULL && op->file->delete_pending) {
		return NT_STATUS_DELETE_PENDING;
	}
	status = smbd_watch_get(op, r->conn, nt.filter, nt.watch_tree,
				t->max_param, notify_ready, &w);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (w != NULL && smbd_watch_ready(w)) {
		return notify_answer(r, w, t->max_param);
	}
	if (r->conn->nnotifies >= smbd_watch_limit(r->conn)) {
		smbd_budget_hit(r->conn->srv, r->conn, SMBD_BUDGET_NOTIFIES,
				smbd_watch_limit(r->conn));
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	n = talloc_zero(r, struct smb1_notify);
	if (n == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	n->c1 = c1;
	n->conn = r->conn;
	n->r = r;
	n->op = op;
	n->max_param = t->max_param;
	if (smbd_open_attach(n, op, SMBD_OPEN_STAGE_REQUESTS, &notify_att_ops,
			     n) == NULL) {
		talloc_free(n);
		return NT_STATUS_NO_MEMORY;
	}
	r->conn->nnotifies++;
	talloc_set_destructor(n, notify_destructor);
	for (last = c1->notifies; last != NULL && last->next != NULL;
	     last = last->next) {
	}
	n->prev = last;
	if (last != NULL) {
		last->next = n;
	} else {
		c1->notifies = n;
	}
	n->linked = true;
	return NT_STATUS_PENDING;
}

void smb1_nttrans_cancel(struct smb1_req *r)
{
	struct smb1_notify *n = NULL;

	for (n = r->c1->notifies; n != NULL; n = n->next) {
		const struct smb1_hdr *h = &n->r->hdr;

		if (h->mid == r->hdr.mid && h->pid == r->hdr.pid &&
		    h->uid == r->hdr.uid && h->tid == r->hdr.tid) {
			notify_end(n, NT_STATUS_CANCELLED);
			return;
		}
	}
}

/* ---- dispatch ---- */

NTSTATUS smb1_nttrans(struct smb1_req *r, const struct smb1_block *b)
{
	struct smb1_nttrans t = {};

	if (smb1_nttrans_parse(r->in, r->in_len, b, false, &t) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (t.param_count != t.total_param || t.data_count != t.total_data) {
		struct smb1_trans_piece piece = {};

		/* the rest comes in NT_TRANSACT_SECONDARY requests */
		smb1_nttrans_piece(&t, &piece);
		return smb1_trans_start(r, b, &piece);
	}
	if (r->tree->share->type != WG_SHARE_DISK) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	switch (t.function) {
	case SMB1_NT_TRANSACT_CREATE:
		return nt_create(r, &t);
	case SMB1_NT_TRANSACT_IOCTL:
		return nt_ioctl(r, &t);
	case SMB1_NT_TRANSACT_SET_SECURITY_DESC:
		return set_sd(r, &t);
	case SMB1_NT_TRANSACT_NOTIFY_CHANGE:
		return nt_notify(r, &t);
	case SMB1_NT_TRANSACT_QUERY_SECURITY_DESC:
		return query_sd(r, &t);
	case SMB1_NT_TRANSACT_RENAME:
		/* reserved, never implemented: STATUS_SMB_BAD_COMMAND
		 * [MS-CIFS 2.2.7.5] */
		return SMB1_DOS_STATUS(SMB1_ERRSRV, SMB1_ERRbadcmd);
	default:
		DBG_CLIENT(PROTO, "%s: NT_TRANSACT function 0x%04x not served",
			   r->conn->peer_addr, t.function);
		return NT_STATUS_NOT_SUPPORTED;
	}
}
