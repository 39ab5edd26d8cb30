/*
 * fsctl_file.h - the FSCTLs on files of a disk share that ioctl.c hands
 * over: server-side copy (FSCTL_SRV_REQUEST_RESUME_KEY, FSCTL_SRV_COPYCHUNK,
 * FSCTL_SRV_COPYCHUNK_WRITE [MS-SMB2 §3.3.5.15.6]), sparse files
 * (FSCTL_SET_SPARSE, FSCTL_QUERY_ALLOCATED_RANGES, FSCTL_SET_ZERO_DATA
 * [MS-FSA §2.1.5.10]) and compression (FSCTL_GET/SET_COMPRESSION,
 * answered as a filesystem without compression). Owned by this file;
 * ioctl.c only calls smbd_fsctl_file().
 */
#ifndef WG_SMBD_SMB2_CMD_FSCTL_FILE_H
#define WG_SMBD_SMB2_CMD_FSCTL_FILE_H

#include <stdbool.h>

#include "smbd/smbd.h"

/* One decoded IOCTL request, as ioctl.c parsed it. */
struct smbd_fsctl {
	uint32_t ctl_code;
	uint64_t fid_p, fid_v;
	struct wire_rd input;	/* the Input buffer */
	uint32_t max_out;	/* MaxOutputResponse */
};

/*
 * Serve f if its ctl_code is one of the above (*handled set true), else
 * leave *handled false and return NT_STATUS_OK untouched. The copy and
 * sparse data operations go async (worker pool) and end in
 * smbd_req_done(). Statuses: FILE_CLOSED (no such open),
 * INVALID_PARAMETER (malformed input, limits: for COPYCHUNK with the
 * limits in the reply body), ACCESS_DENIED, FILE_LOCK_CONFLICT,
 * OBJECT_NAME_NOT_FOUND (no open behind a resume key),
 * INVALID_VIEW_SIZE (a chunk past the source's end), BUFFER_TOO_SMALL /
 * BUFFER_OVERFLOW (allocated ranges), NOT_SUPPORTED (compression),
 * INVALID_DEVICE_REQUEST (not a file of a disk share), and the mapped
 * errno of the I/O.
 */
NTSTATUS smbd_fsctl_file(struct smbd_req *req, const struct smbd_fsctl *f,
			 bool *handled);

/*
 * The object id FSCTLs (fsctl_objid.c), as smbd_fsctl_file(): CREATE_OR_
 * GET, GET, SET, SET_EXTENDED and DELETE_OBJECT_ID. Statuses:
 * FILE_CLOSED, INVALID_DEVICE_REQUEST (not on a disk share),
 * INVALID_PARAMETER (output under 64 bytes, input not 64 / 48 bytes),
 * OBJECTID_NOT_FOUND (none yet), OBJECT_NAME_COLLISION (SET when one is
 * there), ACCESS_DENIED (SET / DELETE without write access),
 * MEDIA_WRITE_PROTECTED (read-only share) and the mapped errno.
 */
NTSTATUS smbd_fsctl_objid(struct smbd_req *req, const struct smbd_fsctl *f,
			  bool *handled);

/* Append an IOCTL response body (StructureSize 49) with out as Output. */
void smbd_ioctl_resp_push(struct smbd_req *req, const struct smbd_fsctl *f,
			  const uint8_t *out, uint32_t out_len);

#endif
