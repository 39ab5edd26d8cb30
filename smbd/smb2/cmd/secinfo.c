/*
 * secinfo.c - SET_INFO with InfoType SMB2_0_INFO_SECURITY [MS-SMB2
 * §3.3.5.21.3]: the descriptor is stored for real or the request fails
 * (fs/acl.h has the checks and the storage). Never accepted and dropped.
 */
#include "smbd/smbd.h"
#include "smbd/smb2/cmd/cmd.h"
#include "smbd/fs/acl.h"

NTSTATUS smbd_secinfo_set(struct smbd_req *req, struct smbd_open *op,
			  uint32_t addl_info, const struct wire_rd *buf)
{
	NTSTATUS status = NT_STATUS_OK;

	status = smbd_acl_set(op, req->sess, addl_info, buf->base + buf->off,
			      buf->len - buf->off);
	if (status != NT_STATUS_OK) {
		DBG_CLIENT(VFS, "%s: set security 0x%x of '%s': %s",
			   req->conn->peer_addr, addl_info, op->path,
			   nt_errstr(status));
	}
	return status;
}
