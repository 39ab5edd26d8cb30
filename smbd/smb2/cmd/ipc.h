/*
 * ipc.h - named pipes on IPC$ for the SMB2 handlers.
 */
#ifndef WG_SMBD_SMB2_PIPE_H
#define WG_SMBD_SMB2_PIPE_H

#include "smbd/smbd.h"

/*
 * CREATE of a pipe name on an IPC$ tree: a registered open with
 * op->pipe set. OBJECT_NAME_NOT_FOUND for pipes we do not serve,
 * INSUFFICIENT_RESOURCES past the open limits.
 */
NTSTATUS smbd_pipe_create(struct smbd_req *req, const char *name,
			  uint32_t access, struct smbd_open **out);
/* The CREATE response body for a pipe open. */
NTSTATUS smbd_pipe_create_reply(struct smbd_req *req,
				const struct smbd_open *op);
/* READ: queued response bytes, BUFFER_OVERFLOW if more of the PDU
 * remains, or parked (PENDING, smbd_req_go_async) until a WRITE brings
 * a response. */
NTSTATUS smbd_pipe_read(struct smbd_req *req, struct smbd_open *op,
			uint32_t length);
/* WRITE: feed the RPC stream; writes the WRITE response body. */
NTSTATUS smbd_pipe_write(struct smbd_req *req, struct smbd_open *op,
			 const uint8_t *data, uint32_t len);
/* FSCTL_PIPE_TRANSCEIVE: write in, read up to max_out into *out (child
 * of req). BUFFER_OVERFLOW if more remains for READ. */
NTSTATUS smbd_pipe_transceive(struct smbd_req *req, struct smbd_open *op,
			      const uint8_t *in, uint32_t in_len,
			      uint32_t max_out, uint8_t **out,
			      uint32_t *out_len);

#endif
