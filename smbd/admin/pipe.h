/*
 * pipe.h - a named pipe open on IPC$, as both front ends (SMB1 TRANS /
 * READ_ANDX / WRITE_ANDX, SMB2 CREATE / READ / WRITE / IOCTL) make and
 * use it: the open is registered in the tree's table (the opens budget,
 * wgnet), the RPC lives in pipes/ with the session manager's accounting
 * (spoolss handles, null-session rules) lent through its env.
 */
#ifndef WG_SMBD_ADMIN_PIPE_H
#define WG_SMBD_ADMIN_PIPE_H

#include "smbd/smbd.h"
#include "pipes/pipe.h"

/* What smbd keeps beside the pipe, op->pipe (a talloc child of op). */
struct smbd_pipe {
	struct wg_pipe *p;
	struct wg_pipe_env env;
	struct smbd_open *op;
	bool broken;			/* stream unusable: disconnected */
	void *front;			/* the front end's own state (a
					 * talloc child: a parked read) */
};

/*
 * Open pipe name (leading backslashes and "PIPE\" are the caller's) on
 * IPC$ tree of session s over conn: a registered open (child of tree)
 * with op->pipe set. OBJECT_NAME_NOT_FOUND for pipes we do not serve,
 * INSUFFICIENT_RESOURCES past the open limits, NO_MEMORY.
 */
NTSTATUS smbd_pipe_open(struct smbd_conn *conn, struct smbd_session *s,
			struct smbd_tree *tree, const char *name,
			uint32_t access, struct smbd_open **out);

/*
 * Feed request bytes to the RPC stream. A broken stream disconnects
 * the pipe (its RPC handles closed): PIPE_DISCONNECTED, now and after.
 */
NTSTATUS smbd_pipe_feed(struct smbd_pipe *sp, const uint8_t *data,
			size_t len);

/*
 * Take up to max response bytes into *out (a child of mem; never NULL
 * on OK), their count in *n. BUFFER_OVERFLOW (with data) if more of
 * the PDU remains; NO_MEMORY.
 */
NTSTATUS smbd_pipe_take(TALLOC_CTX *mem, struct smbd_pipe *sp, uint32_t max,
			uint8_t **out, uint32_t *n);

#endif
