/*
 * pipe.c - a named pipe open on IPC$ for both front ends: the open,
 * the env pipes/ borrows, feeding requests and taking responses.
 */
#include "smbd/admin/pipe.h"
#include "smbd/admin/admin.h"
#include "smbd/base/errmap.h"
#include "smbd/fs/open.h"
#include "smbd/print/print.h"

#include <string.h>

/* pipes/ hit the per-session RPC handle budget: count and log it. */
static void pipe_handle_budget_hit(void *priv, const char *client_ip,
				   unsigned limit)
{
	struct smbd_server *srv = priv;

	smbd_budget_hit_addr(srv, client_ip, SMBD_BUDGET_RPC_HANDLES, limit);
}

NTSTATUS smbd_pipe_open(struct smbd_conn *conn, struct smbd_session *s,
			struct smbd_tree *tree, const char *name,
			uint32_t access, struct smbd_open **out)
{
	struct smbd_server *srv = conn->srv;
	struct smbd_open *op = NULL;
	struct smbd_pipe *sp = NULL;
	bool unknown = false;
	int rc = 0;

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
		.guest = s->guest,
		.client_ip = conn->peer_addr,
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
	DBG_INFO(PIPE, "%s: opened \\PIPE\\%s (fid %llu)", conn->peer_addr,
		 op->path, (unsigned long long)op->fid_volatile);
	*out = op;
	return NT_STATUS_OK;
}

NTSTATUS smbd_pipe_feed(struct smbd_pipe *sp, const uint8_t *data,
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

NTSTATUS smbd_pipe_take(TALLOC_CTX *mem, struct smbd_pipe *sp, uint32_t max,
			uint8_t **out, uint32_t *n)
{
	uint8_t *buf = talloc_array(mem, uint8_t, max > 0 ? max : 1);
	bool more = false;

	if (buf == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*n = (uint32_t)wg_pipe_read(sp->p, buf, max, &more);
	*out = buf;
	return more ? NT_STATUS_BUFFER_OVERFLOW : NT_STATUS_OK;
}
