/*
 * ipc.c - named pipes on IPC$ as SMB2 sees them: CREATE of a pipe
 * name, WRITE (requests in), READ (responses out; parked while empty),
 * FSCTL_PIPE_TRANSCEIVE (both at once), CLOSE (the open's destructor
 * frees the pipe and its printer handles). The RPC lives in pipes/.
 */
#include "smbd/fs/open.h"
#include "smbd/smb2/request.h"
#include "smbd/smbd.h"
#include "smbd/base/errmap.h"
#include "smbd/admin/pipe.h"
#include "smbd/smb2/cmd/ipc.h"

#include <string.h>
#include <strings.h>

#define PIPE_CREATE_RESP_SIZE 89

/* A READ parked while the pipe is empty (sp->front, a child of sp). */
struct smb2_pipe_wait {
	struct smbd_req *parked;
	uint32_t parked_len;
};

static int pipe_wait_destructor(struct smb2_pipe_wait *w)
{
	struct smbd_req *r = w->parked;

	if (r != NULL) {
		w->parked = NULL;
		smbd_req_done(r, NT_STATUS_PIPE_BROKEN);
	}
	return 0;
}

NTSTATUS smbd_pipe_create(struct smbd_req *req, const char *name,
			  uint32_t access, struct smbd_open **out)
{
	struct smb2_pipe_wait *w = NULL;
	struct smbd_open *op = NULL;
	NTSTATUS status = NT_STATUS_OK;

	while (name[0] == '\\') {
		name++;
	}
	status = smbd_pipe_open(req->conn, req->sess, req->tree, name, access,
				&op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	w = talloc_zero(op->pipe, struct smb2_pipe_wait);
	if (w == NULL) {
		talloc_free(op);
		return NT_STATUS_NO_MEMORY;
	}
	talloc_set_destructor(w, pipe_wait_destructor);
	op->pipe->front = w;
	*out = op;
	return NT_STATUS_OK;
}

NTSTATUS smbd_pipe_create_reply(struct smbd_req *req,
				const struct smbd_open *op)
{
	struct wire_wr *w = &req->out;
	uint64_t now = op->open_time_nt;

	wire_put_u16le(w, PIPE_CREATE_RESP_SIZE);
	wire_put_u8(w, SMB2_OPLOCK_LEVEL_NONE);
	wire_put_u8(w, 0);
	wire_put_u32le(w, FILE_WAS_OPENED);
	wire_put_u64le(w, now);			/* CreationTime */
	wire_put_u64le(w, now);			/* LastAccessTime */
	wire_put_u64le(w, now);			/* LastWriteTime */
	wire_put_u64le(w, now);			/* ChangeTime */
	wire_put_u64le(w, 4096);		/* AllocationSize */
	wire_put_u64le(w, 0);			/* EndofFile */
	wire_put_u32le(w, FILE_ATTRIBUTE_NORMAL);
	wire_put_u32le(w, 0);
	wire_put_u64le(w, op->fid_persistent);
	wire_put_u64le(w, op->fid_volatile);
	wire_put_u32le(w, 0);			/* CreateContextsOffset */
	wire_put_u32le(w, 0);			/* CreateContextsLength */
	wire_put_u8(w, 0);
	return wire_wr_error(w) != 0 ? NT_STATUS_NO_MEMORY : NT_STATUS_OK;
}

/* Take up to max bytes of response into req's READ reply. */
static NTSTATUS pipe_take(struct smbd_req *req, struct smbd_pipe *sp,
			  uint32_t max)
{
	uint8_t *buf = NULL;
	uint32_t n = 0;
	NTSTATUS status = smbd_pipe_take(req, sp, max, &buf, &n);

	if (status != NT_STATUS_OK && status != NT_STATUS_BUFFER_OVERFLOW) {
		return status;
	}
	smb2_read_resp_push(&req->out, buf, n);
	talloc_free(buf);
	return status;
}

static void pipe_read_cancel(struct smbd_req *req, void *priv)
{
	struct smb2_pipe_wait *w = priv;

	if (w != NULL && w->parked == req) {
		w->parked = NULL;
	}
	smbd_req_done(req, NT_STATUS_CANCELLED);
}

NTSTATUS smbd_pipe_read(struct smbd_req *req, struct smbd_open *op,
			uint32_t length)
{
	struct smbd_pipe *sp = op->pipe;
	struct smb2_pipe_wait *w = sp->front;
	NTSTATUS status = NT_STATUS_OK;

	if (sp->broken) {
		return NT_STATUS_PIPE_DISCONNECTED;
	}
	if (wg_pipe_pending(sp->p) > 0) {
		return pipe_take(req, sp, length);
	}
	if (w->parked != NULL) {
		/* One blocking read at a time, as on Windows. */
		return NT_STATUS_INVALID_PIPE_STATE;
	}
	/* Empty pipe: a blocking read waits for the next response. */
	status = smbd_req_go_async(req, pipe_read_cancel, w);
	if (status != NT_STATUS_PENDING) {
		return status;
	}
	w->parked = req;
	w->parked_len = length;
	return status;
}

/* A WRITE brought a response: finish a parked READ with it. */
static void pipe_wake(struct smbd_pipe *sp)
{
	struct smb2_pipe_wait *w = sp->front;
	struct smbd_req *r = w->parked;
	NTSTATUS status = NT_STATUS_OK;

	if (r == NULL || wg_pipe_pending(sp->p) == 0) {
		return;
	}
	w->parked = NULL;
	status = pipe_take(r, sp, w->parked_len);
	smbd_req_done(r, status);
}

NTSTATUS smbd_pipe_write(struct smbd_req *req, struct smbd_open *op,
			 const uint8_t *data, uint32_t len)
{
	struct smbd_pipe *sp = op->pipe;
	NTSTATUS status = smbd_pipe_feed(sp, data, len);

	if (status != NT_STATUS_OK) {
		return status;
	}
	smb2_write_resp_push(&req->out, len);
	pipe_wake(sp);
	return NT_STATUS_OK;
}

NTSTATUS smbd_pipe_transceive(struct smbd_req *req, struct smbd_open *op,
			      const uint8_t *in, uint32_t in_len,
			      uint32_t max_out, uint8_t **out,
			      uint32_t *out_len)
{
	struct smbd_pipe *sp = op->pipe;
	NTSTATUS status = NT_STATUS_OK;

	if (sp == NULL) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	status = smbd_pipe_feed(sp, in, in_len);
	if (status != NT_STATUS_OK) {
		return status;
	}
	/* The rest of a long reply is fetched with READ. */
	return smbd_pipe_take(req, sp, max_out, out, out_len);
}
