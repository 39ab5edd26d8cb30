/*
 * fsctl_file.c - server-side copy, sparse files and compression FSCTLs
 * (see fsctl_file.h).
 *
 * Resume keys [MS-SMB2 §2.2.32.3] are stateless: 8 bytes of the source
 * open's volatile FileId, then 16 bytes of HMAC-SHA256 over both halves
 * of its FileId under a random key the process draws once. So a key
 * cannot be guessed, needs no table, and stops naming anything when its
 * open closes (FileIds are not reused). A key is honoured only on the
 * session whose open it names.
 *
 * The data operations run on the worker pool (fs/fileops.h) owned by the
 * request; their completions look the opens up again by FileId, since an
 * open may close meanwhile.
 */
#include "smbd/smb2/cmd/fsctl_file.h"

#include "proto/smb2_fsctl.h"
#include "smbd/base/errmap.h"
#include "smbd/fs/fileops.h"
#include "smbd/fs/fsctl.h"
#include "smbd/fs/oplock.h"
#include "smbd/smb2/cmd/cmd.h"

#include <errno.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>

#define IOCTL_RESP_SIZE		49
#define RESUME_MAC_SIZE		16

void smbd_ioctl_resp_push(struct smbd_req *req, const struct smbd_fsctl *f,
			  const uint8_t *out, uint32_t out_len)
{
	struct wire_wr *w = &req->out;

	wire_put_u16le(w, IOCTL_RESP_SIZE);
	wire_put_u16le(w, 0);
	wire_put_u32le(w, f->ctl_code);
	wire_put_u64le(w, f->fid_p);
	wire_put_u64le(w, f->fid_v);
	wire_put_u32le(w, SMB2_HDR_SIZE + 48);	/* InputOffset */
	wire_put_u32le(w, 0);			/* InputCount */
	wire_put_u32le(w, SMB2_HDR_SIZE + 48);	/* OutputOffset */
	wire_put_u32le(w, out_len);
	wire_put_u32le(w, 0);			/* Flags */
	wire_put_u32le(w, 0);
	wire_put_bytes(w, out, out_len);
}

/* The open f names, if it is a plain file of a disk share. */
static NTSTATUS file_open(struct smbd_req *req, const struct smbd_fsctl *f,
			  bool dir_ok, struct smbd_open **op)
{
	NTSTATUS status = smbd_req_open(req, f->fid_p, f->fid_v, op);

	if (status != NT_STATUS_OK) {
		return status;
	}
	if ((*op)->pipe != NULL || (*op)->fd < 0 ||
	    req->tree->share->type != WG_SHARE_DISK) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	if ((*op)->is_dir && !dir_ok) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	return NT_STATUS_OK;
}

/* The open (fid_p, fid_v) if it is still there. */
static struct smbd_open *open_again(struct smbd_req *req, uint64_t fid_p,
				    uint64_t fid_v)
{
	struct smbd_open *op = smbd_open_find(req->conn->srv, fid_v);

	if (op == NULL || op->fid_persistent != fid_p) {
		return NULL;
	}
	return op;
}

/* ---- resume keys ---- */

static uint8_t resume_secret[32];
static pthread_once_t resume_once = PTHREAD_ONCE_INIT;
static bool resume_ready;

static void resume_init(void)
{
	resume_ready = getrandom(resume_secret, sizeof(resume_secret), 0) ==
		       (ssize_t)sizeof(resume_secret);
}

static bool resume_mac(uint64_t fid_p, uint64_t fid_v,
		       uint8_t mac[RESUME_MAC_SIZE])
{
	struct hmac_sha256_ctx ctx;
	uint8_t msg[16];

	pthread_once(&resume_once, resume_init);
	if (!resume_ready) {
		return false;
	}
	wire_setle64(msg, fid_p);
	wire_setle64(msg + 8, fid_v);
	hmac_sha256_set_key(&ctx, sizeof(resume_secret), resume_secret);
	hmac_sha256_update(&ctx, sizeof(msg), msg);
	hmac_sha256_digest(&ctx, RESUME_MAC_SIZE, mac);
	return true;
}

static NTSTATUS request_resume_key(struct smbd_req *req,
				   const struct smbd_fsctl *f)
{
	struct smbd_open *op = NULL;
	uint8_t key[SMB2_RESUME_KEY_SIZE];
	struct wire_wr w;
	NTSTATUS status = file_open(req, f, false, &op);

	if (status != NT_STATUS_OK) {
		return status;
	}
	if (f->max_out < SMB2_RESUME_KEY_RESP_SIZE) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	wire_setle64(key, op->fid_volatile);
	if (!resume_mac(op->fid_persistent, op->fid_volatile, key + 8)) {
		return NT_STATUS_INTERNAL_ERROR;
	}
	wire_wr_init(&w, req, 0);
	smb2_resume_key_resp_push(&w, key);
	if (wire_wr_error(&w) != 0) {
		return NT_STATUS_NO_MEMORY;
	}
	smbd_ioctl_resp_push(req, f, w.buf, (uint32_t)w.len);
	talloc_free(w.buf);
	return NT_STATUS_OK;
}

/* The open a resume key names, on req's session; NULL if none. */
static struct smbd_open *resume_key_open(struct smbd_req *req,
					 const uint8_t key[SMB2_RESUME_KEY_SIZE])
{
	struct smbd_open *op = smbd_open_find(req->conn->srv, wire_le64(key));
	uint8_t mac[RESUME_MAC_SIZE];

	if (op == NULL || op->tree == NULL || op->tree->sess != req->sess ||
	    !resume_mac(op->fid_persistent, op->fid_volatile, mac) ||
	    !memeql_sec(mac, key + 8, RESUME_MAC_SIZE)) {
		return NULL;
	}
	return op;
}

/* ---- server-side copy ---- */

struct copy_state {
	struct smbd_req *req;
	struct smbd_fsctl f;
	NTSTATUS stop;		/* a lock conflict cut the chunk list short */
};

static void copy_done(struct tevent_req *subreq);

/* Answer with a SRV_COPYCHUNK_RESPONSE and status (errors included). */
static NTSTATUS copy_reply(struct smbd_req *req, const struct smbd_fsctl *f,
			   const struct smb2_copychunk_resp *r,
			   NTSTATUS status)
{
	uint8_t out[SMB2_COPYCHUNK_RESP_SIZE];

	wire_setle32(out, r->chunks_written);
	wire_setle32(out + 4, r->chunk_bytes_written);
	wire_setle32(out + 8, r->total_bytes_written);
	req->out.len = 0;
	smbd_ioctl_resp_push(req, f, out, sizeof(out));
	req->out_on_error = true;
	return status;
}

/* The opens' access for the copy [MS-SMB2 §3.3.5.15.6]. */
static NTSTATUS copy_access(const struct smbd_fsctl *f,
			    const struct smbd_open *src,
			    const struct smbd_open *dst)
{
	if ((dst->access & FILE_WRITE_DATA) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	/* plain COPYCHUNK also wants to read the target; _WRITE does not */
	if (f->ctl_code == FSCTL_SRV_COPYCHUNK &&
	    (dst->access & FILE_READ_DATA) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	/* the source is read as READ would: EXECUTE will do */
	if ((src->access & (FILE_READ_DATA | FILE_EXECUTE)) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	return NT_STATUS_OK;
}

/*
 * How many leading chunks no byte-range lock stands in the way of, as
 * READ of the source and WRITE of the target would see them.
 */
static uint32_t copy_unlocked(const struct smb2_copychunk_req *cc,
			      const struct smbd_open *src,
			      const struct smbd_open *dst)
{
	uint32_t i = 0;

	for (i = 0; i < cc->count; i++) {
		const struct smb2_copychunk *c = &cc->chunks[i];

		if (smbd_lock_check_io(src, c->src_off, c->len, false) !=
			    NT_STATUS_OK ||
		    smbd_lock_check_io(dst, c->dst_off, c->len, true) !=
			    NT_STATUS_OK) {
			break;
		}
	}
	return i;
}

static NTSTATUS copychunk_start(struct smbd_req *req,
				const struct smbd_fsctl *f,
				struct smbd_open *src, struct smbd_open *dst,
				const struct smb2_copychunk_req *cc)
{
	struct smbd_server *srv = req->conn->srv;
	struct smbd_copy_range ranges[SMB2_COPYCHUNK_MAX_CHUNKS];
	struct smb2_copychunk_resp none = {};
	struct copy_state *state = NULL;
	struct tevent_req *subreq = NULL;
	uint32_t i = 0, n = copy_unlocked(cc, src, dst);

	if (n == 0 && cc->count > 0) {
		return copy_reply(req, f, &none, NT_STATUS_FILE_LOCK_CONFLICT);
	}
	if (n == 0) {
		return copy_reply(req, f, &none, NT_STATUS_OK);
	}
	for (i = 0; i < n; i++) {
		ranges[i].src_off = cc->chunks[i].src_off;
		ranges[i].dst_off = cc->chunks[i].dst_off;
		ranges[i].len = cc->chunks[i].len;
	}
	state = talloc_zero(req, struct copy_state);
	if (state == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	state->req = req;
	state->f = *f;
	state->stop = n < cc->count ? NT_STATUS_FILE_LOCK_CONFLICT :
				      NT_STATUS_OK;
	/* other opens' oplocks and leases break as for a WRITE */
	if (dst->file != NULL) {
		(void)smbd_oplock_break(dst->file, dst, SMBD_OPLOCK_OP_WRITE,
					false);
	}
	subreq = smbd_copy_ranges_send(state, srv->ev, srv->workers,
				       req->conn->client, src->fd, dst->fd,
				       ranges, n,
				       (dst->create_options &
					FILE_WRITE_THROUGH) != 0);
	if (subreq == NULL) {
		talloc_free(state);
		return NT_STATUS_NO_MEMORY;
	}
	dst->written = true;
	dst->ever_written = true;
	tevent_req_set_callback(subreq, copy_done, state);
	return smbd_req_wait(req);
}

static NTSTATUS copychunk(struct smbd_req *req, const struct smbd_fsctl *f)
{
	static const struct smb2_copychunk_resp limits = {
		.chunks_written = SMB2_COPYCHUNK_MAX_CHUNKS,
		.chunk_bytes_written = SMB2_COPYCHUNK_MAX_CHUNK_SIZE,
		.total_bytes_written = SMB2_COPYCHUNK_MAX_DATA,
	};
	struct smb2_copychunk_req *cc = NULL;
	struct smbd_open *dst = NULL, *src = NULL;
	NTSTATUS status = file_open(req, f, false, &dst);
	int rc = 0;

	if (status != NT_STATUS_OK) {
		return status;
	}
	if (f->max_out < SMB2_COPYCHUNK_RESP_SIZE) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	cc = talloc(req, struct smb2_copychunk_req);
	if (cc == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	rc = smb2_copychunk_req_pull(&f->input, cc);
	if (rc == WIRE_E_TOOBIG ||
	    (rc == WIRE_OK && !smb2_copychunk_within_limits(cc))) {
		status = copy_reply(req, f, &limits,
				    NT_STATUS_INVALID_PARAMETER);
		goto out;
	}
	if (rc != WIRE_OK) {
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	src = resume_key_open(req, cc->key);
	if (src == NULL) {
		status = NT_STATUS_OBJECT_NAME_NOT_FOUND;
		goto out;
	}
	if (src->pipe != NULL || src->fd < 0 || src->is_dir) {
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	status = copy_access(f, src, dst);
	if (status != NT_STATUS_OK) {
		goto out;
	}
	status = copychunk_start(req, f, src, dst, cc);
out:
	talloc_free(cc);
	return status;
}

static void copy_done(struct tevent_req *subreq)
{
	struct copy_state *state =
		tevent_req_callback_data(subreq, struct copy_state);
	struct smbd_req *req = state->req;
	struct smb2_copychunk_resp r = {};
	struct smbd_open *dst = NULL;
	uint64_t bytes = 0;
	NTSTATUS status = state->stop;
	int ret = smbd_copy_ranges_recv(subreq, &r.chunks_written, &bytes);

	TALLOC_FREE(subreq);
	r.total_bytes_written = (uint32_t)bytes;	/* <= 16 MiB */
	if (ret == -ERANGE) {
		/* a chunk reaches past the source's end [MS-SMB2 3.3.5.15.6] */
		status = NT_STATUS_INVALID_VIEW_SIZE;
	} else if (ret < 0) {
		status = smbd_map_errno_in(SMBD_ERRMAP_WRITE, -ret);
	}
	dst = open_again(req, state->f.fid_p, state->f.fid_v);
	if (dst != NULL) {
		dst->written = true;
	}
	status = copy_reply(req, &state->f, &r, status);
	smbd_req_done(req, wire_wr_error(&req->out) != 0 ?
		      NT_STATUS_NO_MEMORY : status);
}

/* ---- sparse files (fs/fsctl.h) ---- */

static NTSTATUS set_sparse(struct smbd_req *req, const struct smbd_fsctl *f)
{
	struct smbd_open *op = NULL;
	NTSTATUS status = file_open(req, f, false, &op);

	if (status == NT_STATUS_OK) {
		status = smbd_open_set_sparse(op, &f->input);
	}
	if (status == NT_STATUS_OK) {
		smbd_ioctl_resp_push(req, f, NULL, 0);
	}
	return status;
}

struct range_state {
	struct smbd_req *req;
	struct smbd_fsctl f;
};

static void qar_done(struct tevent_req *subreq);
static void zero_done(struct tevent_req *subreq);

/* A range_state for req and f; NULL on no memory. */
static struct range_state *range_state_new(struct smbd_req *req,
					   const struct smbd_fsctl *f)
{
	struct range_state *state = talloc_zero(req, struct range_state);

	if (state != NULL) {
		state->req = req;
		state->f = *f;
	}
	return state;
}

static NTSTATUS query_allocated_ranges(struct smbd_req *req,
				       const struct smbd_fsctl *f)
{
	struct smbd_open *op = NULL;
	struct range_state *state = NULL;
	struct tevent_req *subreq = NULL;
	NTSTATUS status = file_open(req, f, false, &op);

	if (status != NT_STATUS_OK) {
		return status;
	}
	state = range_state_new(req, f);
	if (state == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = smbd_open_ranges_send(state, req->conn, op, &f->input,
				       f->max_out, &subreq);
	if (status != NT_STATUS_OK) {
		talloc_free(state);
		return status;
	}
	tevent_req_set_callback(subreq, qar_done, state);
	return smbd_req_wait(req);
}

static void qar_done(struct tevent_req *subreq)
{
	struct range_state *state =
		tevent_req_callback_data(subreq, struct range_state);
	struct smbd_req *req = state->req;
	uint8_t *out = NULL;
	size_t len = 0;
	NTSTATUS status = smbd_open_ranges_recv(subreq, state, &out, &len);

	TALLOC_FREE(subreq);
	if (status == NT_STATUS_OK || status == NT_STATUS_BUFFER_OVERFLOW) {
		smbd_ioctl_resp_push(req, &state->f, out, (uint32_t)len);
		if (wire_wr_error(&req->out) != 0) {
			status = NT_STATUS_NO_MEMORY;
		}
	}
	smbd_req_done(req, status);
}

static NTSTATUS set_zero_data(struct smbd_req *req,
			      const struct smbd_fsctl *f)
{
	struct smbd_open *op = NULL;
	struct range_state *state = NULL;
	struct tevent_req *subreq = NULL;
	NTSTATUS status = file_open(req, f, false, &op);

	if (status != NT_STATUS_OK) {
		return status;
	}
	state = range_state_new(req, f);
	if (state == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = smbd_open_zero_send(state, req->conn, op, 0, &f->input,
				     &subreq);
	if (status != NT_STATUS_OK || subreq == NULL) {
		talloc_free(state);
		if (status == NT_STATUS_OK) {	/* an empty range */
			smbd_ioctl_resp_push(req, f, NULL, 0);
		}
		return status;
	}
	tevent_req_set_callback(subreq, zero_done, state);
	return smbd_req_wait(req);
}

static void zero_done(struct tevent_req *subreq)
{
	struct range_state *state =
		tevent_req_callback_data(subreq, struct range_state);
	struct smbd_req *req = state->req;
	NTSTATUS status = smbd_open_zero_recv(subreq);

	TALLOC_FREE(subreq);
	if (status != NT_STATUS_OK) {
		smbd_req_done(req, status);
		return;
	}
	smbd_ioctl_resp_push(req, &state->f, NULL, 0);
	smbd_req_done(req, wire_wr_error(&req->out) != 0 ?
		      NT_STATUS_NO_MEMORY : NT_STATUS_OK);
}

/* ---- compression: a filesystem without it [MS-FSA §2.1.5.10.7] ---- */

static NTSTATUS get_compression(struct smbd_req *req,
				const struct smbd_fsctl *f)
{
	struct smbd_open *op = NULL;
	uint8_t out[2];
	NTSTATUS status = file_open(req, f, true, &op);

	if (status != NT_STATUS_OK) {
		return status;
	}
	if (f->max_out < sizeof(out)) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	wire_setle16(out, COMPRESSION_FORMAT_NONE);
	smbd_ioctl_resp_push(req, f, out, sizeof(out));
	return NT_STATUS_OK;
}

static NTSTATUS set_compression(struct smbd_req *req,
				const struct smbd_fsctl *f)
{
	struct smbd_open *op = NULL;
	uint16_t state = 0;
	NTSTATUS status = file_open(req, f, true, &op);

	if (status != NT_STATUS_OK) {
		return status;
	}
	if (smb2_compression_pull(&f->input, &state) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if ((op->access & (FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES)) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	switch (state) {
	case COMPRESSION_FORMAT_NONE:
		break;		/* it is not compressed: nothing to do */
	case COMPRESSION_FORMAT_DEFAULT:
	case COMPRESSION_FORMAT_LZNT1:
		return NT_STATUS_NOT_SUPPORTED;
	default:
		return NT_STATUS_INVALID_PARAMETER;
	}
	smbd_ioctl_resp_push(req, f, NULL, 0);
	return NT_STATUS_OK;
}

NTSTATUS smbd_fsctl_file(struct smbd_req *req, const struct smbd_fsctl *f,
			 bool *handled)
{
	*handled = true;
	switch (f->ctl_code) {
	case FSCTL_SRV_REQUEST_RESUME_KEY:
		return request_resume_key(req, f);
	case FSCTL_SRV_COPYCHUNK:
	case FSCTL_SRV_COPYCHUNK_WRITE:
		return copychunk(req, f);
	case FSCTL_SET_SPARSE:
		return set_sparse(req, f);
	case FSCTL_QUERY_ALLOCATED_RANGES:
		return query_allocated_ranges(req, f);
	case FSCTL_SET_ZERO_DATA:
		return set_zero_data(req, f);
	case FSCTL_GET_COMPRESSION:
		return get_compression(req, f);
	case FSCTL_SET_COMPRESSION:
		return set_compression(req, f);
	default:
		return smbd_fsctl_objid(req, f, handled);
	}
}
