/*
 * rw.c - READ, WRITE and FLUSH [MS-SMB2 §3.3.5.11-13].
 *
 * The data moves on the worker pool (smbd_pread/pwrite/fsync_send), so a
 * slow disk never stalls the event loop. The handler checks everything
 * it can up front, waits (smbd_req_wait), and the completion builds the
 * response. The completion looks the open up again by FileId instead of
 * keeping a pointer: the open may have been closed meanwhile. The
 * request, in turn, owns the I/O request, so a connection torn down in
 * the middle just orphans the job (see workers.h).
 */
#include "smbd/smbd.h"
#include "smbd/smb2/cmd/cmd.h"
#include "smbd/base/errmap.h"
#include "smbd/smb2/cmd/ipc.h"
#include "smbd/print/print.h"
#include "smbd/fs/oplock.h"
#include "smbd/fs/vfs.h"
#include "smbd/fs/watch.h"
#include "smbd/fs/workers.h"
#include "smbd/fs/wtime.h"

#include <stdint.h>

#define FLUSH_RESP_SIZE		4

#define SMB2_WRITEFLAG_WRITE_THROUGH	0x00000001u

struct io_state {
	struct smbd_req *req;
	uint64_t fid_p;
	uint64_t fid_v;
	uint64_t offset;
	uint32_t mincount;
	bool append;
	struct smbd_wtime_io wt;	/* WRITE: LastWriteTime to keep */
};

static void read_done(struct tevent_req *subreq);
static void write_done(struct tevent_req *subreq);
static void flush_done(struct tevent_req *subreq);

/* The open behind state, if it is still there. */
static struct smbd_open *io_open(const struct io_state *state)
{
	struct smbd_open *op = NULL;

	op = smbd_open_find(state->req->conn->srv, state->fid_v);
	if (op == NULL || op->fid_persistent != state->fid_p) {
		return NULL;
	}
	return op;
}

static struct io_state *io_state_new(struct smbd_req *req,
				     const struct smbd_open *op)
{
	struct io_state *state = talloc_zero(req, struct io_state);

	if (state == NULL) {
		return NULL;
	}
	state->req = req;
	state->fid_p = op->fid_persistent;
	state->fid_v = op->fid_volatile;
	return state;
}

/* Opens READ and WRITE work on: files with an fd (pipes come later). */
static NTSTATUS io_target(const struct smbd_open *op)
{
	if (op->pipe != NULL || op->fd < 0 || op->is_dir) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	return NT_STATUS_OK;
}

/* ---- READ ---- */

NTSTATUS smbd_smb2_read(struct smbd_req *req)
{
	struct smbd_server *srv = req->conn->srv;
	struct wire_rd r = req->in;
	struct smbd_open *op = NULL;
	struct io_state *state = NULL;
	struct tevent_req *subreq = NULL;
	uint64_t offset = 0, fid_p = 0, fid_v = 0;
	uint32_t length = 0, mincount = 0, channel = 0, remaining = 0;
	uint16_t ssize = 0, rci_off = 0, rci_len = 0;
	uint8_t pad = 0, flags = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (wire_get_u16le(&r, &ssize) != 0 ||
	    wire_get_u8(&r, &pad) != 0 ||
	    wire_get_u8(&r, &flags) != 0 ||
	    wire_get_u32le(&r, &length) != 0 ||
	    wire_get_u64le(&r, &offset) != 0 ||
	    smbd_pull_fid(&r, &fid_p, &fid_v) != 0 ||
	    wire_get_u32le(&r, &mincount) != 0 ||
	    wire_get_u32le(&r, &channel) != 0 ||
	    wire_get_u32le(&r, &remaining) != 0 ||
	    wire_get_u16le(&r, &rci_off) != 0 ||
	    wire_get_u16le(&r, &rci_len) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = smbd_req_open(req, fid_p, fid_v, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (op->pipe != NULL) {
		if (length > req->conn->max_read) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		return smbd_pipe_read(req, op, length);
	}
	status = io_target(op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	/* EXECUTE reads too (loading a program needs no READ_DATA) */
	if ((op->access & (FILE_READ_DATA | FILE_EXECUTE)) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (length > req->conn->max_read || channel != 0 ||
	    offset > (uint64_t)INT64_MAX - length) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = smbd_lock_check_io(op, offset, length, false);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (length == 0) {
		/* nothing to read: only MinimumCount can fail it */
		if (mincount > 0) {
			return NT_STATUS_END_OF_FILE;
		}
		smb2_read_resp_push(&req->out, NULL, 0);
		return NT_STATUS_OK;
	}
	state = io_state_new(req, op);
	if (state == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	state->offset = offset;
	state->mincount = mincount;
	subreq = smbd_pread_send(state, srv->ev, srv->workers, req->conn->client,
				 op->fd, length, offset);
	if (subreq == NULL) {
		talloc_free(state);
		return NT_STATUS_NO_MEMORY;
	}
	tevent_req_set_callback(subreq, read_done, state);
	return smbd_req_wait(req);
}

static void read_done(struct tevent_req *subreq)
{
	struct io_state *state =
		tevent_req_callback_data(subreq, struct io_state);
	struct smbd_req *req = state->req;
	struct smbd_open *op = NULL;
	uint8_t *buf = NULL;
	ssize_t n = 0;

	n = smbd_pread_recv(subreq, state, &buf);
	TALLOC_FREE(subreq);
	if (n < 0) {
		smbd_req_done(req, smbd_map_errno((int)-n));
		return;
	}
	if (n == 0 || (uint64_t)n < state->mincount) {
		smbd_req_done(req, NT_STATUS_END_OF_FILE);
		return;
	}
	op = io_open(state);
	if (op != NULL) {
		op->position = state->offset + (uint64_t)n;
	}
	/* The fixed part here; the data rides along without a copy. */
	smb2_read_resp_push_fixed(&req->out, (uint32_t)n);
	req->out_payload = talloc_steal(req, buf);
	req->out_payload_len = (size_t)n;
	smbd_req_done(req, wire_wr_error(&req->out) != 0 ?
		      NT_STATUS_NO_MEMORY : NT_STATUS_OK);
}

/* ---- WRITE ---- */

struct write_args {
	uint64_t offset;
	uint64_t fid_p, fid_v;
	uint32_t length;
	uint32_t flags;
	struct wire_rd data;
};

static NTSTATUS write_parse(struct smbd_req *req, struct write_args *a)
{
	struct wire_rd r = req->in;
	uint16_t ssize = 0, data_off = 0, wci_off = 0, wci_len = 0;
	uint32_t channel = 0, remaining = 0;
	const struct smbd_payload *pl = NULL;

	if (wire_get_u16le(&r, &ssize) != 0 ||
	    wire_get_u16le(&r, &data_off) != 0 ||
	    wire_get_u32le(&r, &a->length) != 0 ||
	    wire_get_u64le(&r, &a->offset) != 0 ||
	    smbd_pull_fid(&r, &a->fid_p, &a->fid_v) != 0 ||
	    wire_get_u32le(&r, &channel) != 0 ||
	    wire_get_u32le(&r, &remaining) != 0 ||
	    wire_get_u16le(&r, &wci_off) != 0 ||
	    wire_get_u16le(&r, &wci_len) != 0 ||
	    wire_get_u32le(&r, &a->flags) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (channel != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (smbd_req_payload(req) != NULL) {
		/* spliced: the data is all in the pipe, not in req->in */
		pl = smbd_req_payload(req);
		if (data_off != pl->off || a->length != pl->len) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		wire_rd_init(&a->data, NULL, 0);
		return NT_STATUS_OK;
	}
	if (wire_sub(&req->in, data_off, a->length, &a->data) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	return NT_STATUS_OK;
}

/*
 * A spliced WRITE to something that is not a file (a named pipe): its
 * data read out of the pipe into memory under mem, or NULL.
 */
static uint8_t *payload_bytes(struct smbd_req *req, TALLOC_CTX *mem)
{
	struct smbd_payload *pl = smbd_req_take_payload(req, mem);
	uint8_t *buf = NULL;

	if (pl == NULL) {
		return NULL;
	}
	buf = talloc_size(pl, pl->len);
	if (buf == NULL || smbd_pipe_read_all(pl->rfd, buf, pl->len) != 0) {
		return NULL;
	}
	return buf;
}

NTSTATUS smbd_smb2_write(struct smbd_req *req)
{
	struct smbd_server *srv = req->conn->srv;
	struct write_args a = {};
	struct smbd_open *op = NULL;
	struct io_state *state = NULL;
	struct tevent_req *subreq = NULL;
	unsigned pflags = 0;
	void *hold = NULL;
	struct smbd_payload *pl = NULL;
	NTSTATUS status = NT_STATUS_OK;

	status = write_parse(req, &a);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smbd_req_open(req, a.fid_p, a.fid_v, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (op->pipe != NULL) {
		if (a.length > req->conn->max_write) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (smbd_req_payload(req) != NULL) {
			const uint8_t *data = payload_bytes(req, req);

			if (data == NULL) {
				return NT_STATUS_NO_MEMORY;
			}
			return smbd_pipe_write(req, op, data, a.length);
		}
		return smbd_pipe_write(req, op, a.data.base, a.length);
	}
	status = io_target(op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if ((op->access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (a.length > req->conn->max_write) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* all-ones offset, or an append-only handle: to end of file */
	if (a.offset == UINT64_MAX || (op->access & FILE_WRITE_DATA) == 0) {
		a.offset = SMBD_PWRITE_APPEND;
	} else if (a.offset > (uint64_t)INT64_MAX - a.length) {
		return NT_STATUS_INVALID_PARAMETER;
	} else {
		status = smbd_lock_check_io(op, a.offset, a.length, true);
		if (status != NT_STATUS_OK) {
			return status;
		}
	}
	if (a.length == 0) {
		smb2_write_resp_push(&req->out, 0);
		return NT_STATUS_OK;
	}
	if ((a.flags & SMB2_WRITEFLAG_WRITE_THROUGH) ||
	    (op->create_options & FILE_WRITE_THROUGH)) {
		pflags |= SMBD_PWRITE_SYNC;
	}
	/* a file written through a print share is a job when closed */
	if (!op->ever_written && smbd_print_open_written(op) != 0) {
		return NT_STATUS_NO_MEMORY;
	}
	/* other opens' level II oplocks break to none [MS-FSA §2.1.5.3] */
	if (op->file != NULL) {
		(void)smbd_oplock_break(op->file, op, SMBD_OPLOCK_OP_WRITE,
					false);
	}
	state = io_state_new(req, op);
	if (state == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	state->offset = a.offset;
	state->append = a.offset == SMBD_PWRITE_APPEND;
	/* the write time moves later, not with this write (wtime.h) */
	smbd_wtime_write_begin(op, &state->wt);
	if (a.length > 0) {
		smbd_watch_wrote(op);	/* before its IN_MODIFY comes */
	}
	pl = smbd_req_take_payload(req, NULL);
	hold = pl == NULL ? smbd_req_take_input(req) : NULL;
	if (pl != NULL) {
		/* the data stays in the kernel: pipe to file */
		subreq = smbd_pwrite_send_pipe(state, srv->ev, srv->workers,
					       req->conn->client, op->fd,
					       pl, pl->rfd, a.length,
					       a.offset, pflags);
	} else if (hold != NULL) {
		/* the frame goes to the job: no copy of the data */
		subreq = smbd_pwrite_send_owned(state, srv->ev, srv->workers,
						req->conn->client, op->fd,
						hold, a.data.base, a.length,
						a.offset, pflags);
	} else {
		subreq = smbd_pwrite_send(state, srv->ev, srv->workers,
					  req->conn->client, op->fd,
					  a.data.base, a.length, a.offset,
					  pflags);
	}
	if (subreq == NULL) {
		talloc_free(state);
		return NT_STATUS_NO_MEMORY;
	}
	/* from now on a close must flush */
	op->written = true;
	op->ever_written = true;
	tevent_req_set_callback(subreq, write_done, state);
	return smbd_req_wait(req);
}

static void write_done(struct tevent_req *subreq)
{
	struct io_state *state =
		tevent_req_callback_data(subreq, struct io_state);
	struct smbd_req *req = state->req;
	struct smbd_open *op = NULL;
	ssize_t n = 0;

	n = smbd_pwrite_recv(subreq);
	TALLOC_FREE(subreq);
	op = io_open(state);
	smbd_wtime_write_end(op, &state->wt);
	if (n < 0) {
		smbd_req_done(req, smbd_map_errno_in(SMBD_ERRMAP_WRITE,
						     (int)-n));
		return;
	}
	if (op != NULL) {
		op->written = true;
		op->ever_written = true;
		if (!state->append) {
			op->position = state->offset + (uint64_t)n;
		}
		if (n > 0) {
			/* a named stream's: the server reports it */
			smbd_watch_stream(op, FILE_ACTION_MODIFIED_STREAM);
		}
	}
	smb2_write_resp_push(&req->out, (uint32_t)n);
	smbd_req_done(req, wire_wr_error(&req->out) != 0 ?
		      NT_STATUS_NO_MEMORY : NT_STATUS_OK);
}

/* ---- FLUSH ---- */

static void flush_put_reply(struct smbd_req *req)
{
	wire_put_u16le(&req->out, FLUSH_RESP_SIZE);
	wire_put_u16le(&req->out, 0);
}

NTSTATUS smbd_smb2_flush(struct smbd_req *req)
{
	struct smbd_server *srv = req->conn->srv;
	struct wire_rd r = req->in;
	struct smbd_open *op = NULL;
	struct io_state *state = NULL;
	struct tevent_req *subreq = NULL;
	uint64_t fid_p = 0, fid_v = 0;
	uint16_t ssize = 0, resv1 = 0;
	uint32_t resv2 = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (wire_get_u16le(&r, &ssize) != 0 ||
	    wire_get_u16le(&r, &resv1) != 0 ||
	    wire_get_u32le(&r, &resv2) != 0 ||
	    smbd_pull_fid(&r, &fid_p, &fid_v) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = smbd_req_open(req, fid_p, fid_v, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if ((op->access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (op->pipe != NULL || op->fd < 0) {
		flush_put_reply(req);	/* nothing buffered here */
		return NT_STATUS_OK;
	}
	smbd_wtime_flush(op);	/* a held write time update happens now */
	state = io_state_new(req, op);
	if (state == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	subreq = smbd_fsync_send(state, srv->ev, srv->workers, req->conn->client,
				 op->fd);
	if (subreq == NULL) {
		talloc_free(state);
		return NT_STATUS_NO_MEMORY;
	}
	tevent_req_set_callback(subreq, flush_done, state);
	return smbd_req_wait(req);
}

static void flush_done(struct tevent_req *subreq)
{
	struct io_state *state =
		tevent_req_callback_data(subreq, struct io_state);
	struct smbd_req *req = state->req;
	int ret = smbd_fsync_recv(subreq);

	TALLOC_FREE(subreq);
	if (ret < 0) {
		smbd_req_done(req, smbd_map_errno(-ret));
		return;
	}
	flush_put_reply(req);
	smbd_req_done(req, NT_STATUS_OK);
}
