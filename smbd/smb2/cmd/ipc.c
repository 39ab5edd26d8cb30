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
#include "smbd/admin/admin.h"
#include "smbd/print/print.h"
#include "smbd/smb2/cmd/ipc.h"
#include "pipes/pipe.h"

#include <string.h>
#include <strings.h>

#define PIPE_CREATE_RESP_SIZE 89

/* What smbd keeps beside the pipe: the env it lends, a parked READ. */
struct smbd_pipe {
	struct wg_pipe *p;
	struct wg_pipe_env env;
	struct smbd_open *op;
	struct smbd_req *parked;	/* a READ waiting for data */
	uint32_t parked_len;
	bool broken;			/* stream unusable: disconnected */
};

/* pipes/ hit the per-session RPC handle budget: count and log it. */
static void pipe_handle_budget_hit(void *priv, const char *client_ip,
				   unsigned limit)
{
	struct smbd_server *srv = priv;

	smbd_budget_hit_addr(srv, client_ip, SMBD_BUDGET_RPC_HANDLES, limit);
}

static int pipe_destructor(struct smbd_pipe *sp)
{
	struct smbd_req *r = sp->parked;

	if (r != NULL) {
		sp->parked = NULL;
		smbd_req_done(r, NT_STATUS_PIPE_BROKEN);
	}
	return 0;
}

NTSTATUS smbd_pipe_create(struct smbd_req *req, const char *name,
			  uint32_t access, struct smbd_open **out)
{
	struct smbd_tree *tree = req->tree;
	struct smbd_session *s = req->sess;
	struct smbd_server *srv = req->conn->srv;
	struct smbd_open *op = NULL;
	struct smbd_pipe *sp = NULL;
	bool unknown = false;
	int rc = 0;

	while (name[0] == '\\') {
		name++;
	}
	op = talloc_zero(tree, struct smbd_open);
	if (op == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	op->fd = -1;
	sp = talloc_zero(op, struct smbd_pipe);
	if (sp == NULL) {
		talloc_free(op);
		return NT_STATUS_NO_MEMORY;
	}
	sp->op = op;
	sp->env = (struct wg_pipe_env) {
		.admin = smbd_admin_ops(srv),
		.print = smbd_print_ops(srv),
		.sm = srv->sm,
		.ticket = s->ticket,
		.user = s->user != NULL ? s->user : "",
		.anonymous = s->anonymous,
		.client_ip = req->conn->peer_addr,
		.machine_sid = srv->machine_sid_ok ? &srv->machine_sid : NULL,
		.users = &srv->users,
		.handle_budget_hit = pipe_handle_budget_hit,
		.hook_priv = srv,
	};
	sp->p = wg_pipe_open(sp, name, &sp->env, &unknown);
	if (sp->p == NULL) {
		talloc_free(op);
		return unknown ? NT_STATUS_OBJECT_NAME_NOT_FOUND :
				 NT_STATUS_NO_MEMORY;
	}
	talloc_set_destructor(sp, pipe_destructor);
	op->pipe = sp;
	op->lets_session_idle = !wg_pipe_keeps_session(sp->p);
	op->path = talloc_strdup(op, wg_pipe_name(sp->p));
	op->client_name = talloc_strdup(op, name);
	op->access = access & (FILE_READ_DATA | FILE_WRITE_DATA |
			       FILE_APPEND_DATA | FILE_READ_ATTRIBUTES |
			       FILE_WRITE_ATTRIBUTES | FILE_READ_EA |
			       SEC_STD_READ_CONTROL | SEC_STD_SYNCHRONIZE);
	if (op->access == 0) {
		op->access = FILE_READ_DATA | FILE_WRITE_DATA;
	}
	op->open_time_nt = smbd_nt_now();
	rc = smbd_open_register(tree, op);
	if (rc != 0) {
		talloc_free(op);
		return smbd_map_errno_in(SMBD_ERRMAP_OPEN_TABLE, -rc);
	}
	DBG_INFO(PIPE, "%s: opened \\PIPE\\%s (fid %llu)",
		 req->conn->peer_addr, op->path,
		 (unsigned long long)op->fid_volatile);
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
	size_t n = 0;
	bool more = false;

	buf = talloc_array(req, uint8_t, max > 0 ? max : 1);
	if (buf == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	n = wg_pipe_read(sp->p, buf, max, &more);
	smb2_read_resp_push(&req->out, buf, (uint32_t)n);
	talloc_free(buf);
	return more ? NT_STATUS_BUFFER_OVERFLOW : NT_STATUS_OK;
}

static void pipe_read_cancel(struct smbd_req *req, void *priv)
{
	struct smbd_pipe *sp = priv;

	if (sp != NULL && sp->parked == req) {
		sp->parked = NULL;
	}
	smbd_req_done(req, NT_STATUS_CANCELLED);
}

NTSTATUS smbd_pipe_read(struct smbd_req *req, struct smbd_open *op,
			uint32_t length)
{
	struct smbd_pipe *sp = op->pipe;
	NTSTATUS status = NT_STATUS_OK;

	if (sp->broken) {
		return NT_STATUS_PIPE_DISCONNECTED;
	}
	if (wg_pipe_pending(sp->p) > 0) {
		return pipe_take(req, sp, length);
	}
	if (sp->parked != NULL) {
		/* One blocking read at a time, as on Windows. */
		return NT_STATUS_INVALID_PIPE_STATE;
	}
	/* Empty pipe: a blocking read waits for the next response. */
	status = smbd_req_go_async(req, pipe_read_cancel, sp);
	if (status != NT_STATUS_PENDING) {
		return status;
	}
	sp->parked = req;
	sp->parked_len = length;
	return status;
}

/* A WRITE brought a response: finish a parked READ with it. */
static void pipe_wake(struct smbd_pipe *sp)
{
	struct smbd_req *r = sp->parked;
	NTSTATUS status = NT_STATUS_OK;

	if (r == NULL || wg_pipe_pending(sp->p) == 0) {
		return;
	}
	sp->parked = NULL;
	status = pipe_take(r, sp, sp->parked_len);
	smbd_req_done(r, status);
}

static NTSTATUS pipe_feed(struct smbd_pipe *sp, const uint8_t *data,
			  size_t len)
{
	enum wg_pipe_err rc = WG_PIPE_OK;

	if (sp->broken) {
		return NT_STATUS_PIPE_DISCONNECTED;
	}
	/* pipes/ errors become a status here and nowhere else */
	rc = wg_pipe_write(sp->p, data, len);
	if (rc != WG_PIPE_OK) {
		DBG_CLIENT(PIPE, "\\PIPE\\%s: broken RPC stream (%s), "
			   "disconnecting the pipe", wg_pipe_name(sp->p),
			   wg_pipe_strerror(rc));
		sp->broken = true;
		wg_pipe_close_handles(sp->p);
		return NT_STATUS_PIPE_DISCONNECTED;
	}
	return NT_STATUS_OK;
}

NTSTATUS smbd_pipe_write(struct smbd_req *req, struct smbd_open *op,
			 const uint8_t *data, uint32_t len)
{
	struct smbd_pipe *sp = op->pipe;
	NTSTATUS status = pipe_feed(sp, data, len);

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
	uint8_t *buf = NULL;
	size_t n = 0;
	bool more = false;

	if (sp == NULL) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	status = pipe_feed(sp, in, in_len);
	if (status != NT_STATUS_OK) {
		return status;
	}
	buf = talloc_array(req, uint8_t, max_out > 0 ? max_out : 1);
	if (buf == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	n = wg_pipe_read(sp->p, buf, max_out, &more);
	*out = buf;
	*out_len = (uint32_t)n;
	/* The rest of a long reply is fetched with READ. */
	return more ? NT_STATUS_BUFFER_OVERFLOW : NT_STATUS_OK;
}
