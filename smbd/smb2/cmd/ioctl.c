/*
 * ioctl.c - IOCTL/FSCTL [MS-SMB2 §3.3.5.15]: VALIDATE_NEGOTIATE_INFO,
 * the DFS and snapshot queries clients make on every connect, and named
 * pipe transceive (pipes/ answers it once pipes exist).
 */
#include "smbd/smbd.h"
#include "smbd/net/conn.h"
#include "smbd/smb2/cmd/cmd.h"
#include "smbd/smb2/cmd/ipc.h"
#include "smbd/smb2/cmd/fsctl_file.h"

#include <string.h>

struct ioctl_in {
	uint32_t ctl_code;
	uint64_t fid_p, fid_v;
	struct wire_rd input;
	uint32_t max_in_resp;
	uint32_t max_out_resp;
	uint32_t flags;
};

/* Write the fixed response and the output buffer. */
static void put_ioctl_resp(struct smbd_req *req, const struct ioctl_in *in,
			   const uint8_t *out, uint32_t out_len)
{
	struct wire_wr *w = &req->out;

	wire_put_u16le(w, 49);
	wire_put_u16le(w, 0);
	wire_put_u32le(w, in->ctl_code);
	wire_put_u64le(w, in->fid_p);
	wire_put_u64le(w, in->fid_v);
	wire_put_u32le(w, SMB2_HDR_SIZE + 48);	/* InputOffset */
	wire_put_u32le(w, 0);			/* InputCount */
	wire_put_u32le(w, SMB2_HDR_SIZE + 48);	/* OutputOffset */
	wire_put_u32le(w, out_len);
	wire_put_u32le(w, 0);			/* Flags */
	wire_put_u32le(w, 0);
	wire_put_bytes(w, out, out_len);
}

static NTSTATUS validate_negotiate(struct smbd_req *req,
				   const struct ioctl_in *in)
{
	struct smbd_conn *conn = req->conn;
	struct wire_rd r = in->input;
	uint32_t caps = 0;
	uint8_t guid[16];
	uint16_t secmode = 0, count = 0, d = 0, i = 0;
	uint8_t out[24];
	bool mismatch = false;

	if (conn->dialect == SMB2_DIALECT_311) {
		/* 3.1.1 relies on preauth integrity instead. */
		smbd_conn_terminate(conn, "VALIDATE_NEGOTIATE on 3.1.1");
		return NT_STATUS_ACCESS_DENIED;
	}
	if (conn->dialect < SMB2_DIALECT_300) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	if (wire_get_u32le(&r, &caps) != 0 ||
	    wire_get_bytes(&r, guid, 16) != 0 ||
	    wire_get_u16le(&r, &secmode) != 0 ||
	    wire_get_u16le(&r, &count) != 0 || count > 64 ||
	    in->max_out_resp < sizeof(out)) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	mismatch = caps != conn->client_caps ||
		   memcmp(guid, conn->client_guid, 16) != 0 ||
		   secmode != conn->client_security_mode ||
		   count != conn->nclient_dialects;
	for (i = 0; i < count && !mismatch; i++) {
		if (wire_get_u16le(&r, &d) != 0) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (i < 16 && d != conn->client_dialects[i]) {
			mismatch = true;
		}
	}
	if (mismatch) {
		/* A man in the middle changed the NEGOTIATE: hang up. */
		WG_LOG_RL(WG_LOG_ERR, WG_CLS_PROTO,
			  "%s: VALIDATE_NEGOTIATE mismatch, closing",
			  conn->peer_addr);
		smbd_conn_terminate(conn, "validate negotiate mismatch");
		return NT_STATUS_ACCESS_DENIED;
	}
	wire_setle32(out, conn->server_caps);
	memcpy(out + 4, conn->srv->server_guid, 16);
	wire_setle16(out + 20, conn->server_security_mode);
	wire_setle16(out + 22, conn->dialect);
	put_ioctl_resp(req, in, out, sizeof(out));
	return NT_STATUS_OK;
}

static NTSTATUS enumerate_snapshots(struct smbd_req *req,
				    const struct ioctl_in *in)
{
	struct smbd_open *op = NULL;
	uint8_t out[16] = { 0 };
	NTSTATUS status = smbd_req_open(req, in->fid_p, in->fid_v, &op);

	if (status != NT_STATUS_OK) {
		return status;
	}
	if (in->max_out_resp < 16) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* NumberOfSnapShots 0, Returned 0, ArraySize 2 (the empty list) */
	wire_setle32(out + 8, 2);
	put_ioctl_resp(req, in, out, 16);
	return NT_STATUS_OK;
}

static NTSTATUS pipe_transceive(struct smbd_req *req,
				const struct ioctl_in *in)
{
	struct smbd_open *op = NULL;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	NTSTATUS status = smbd_req_open(req, in->fid_p, in->fid_v, &op);

	if (status != NT_STATUS_OK) {
		return status;
	}
	if (op->pipe == NULL) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	status = smbd_pipe_transceive(req, op, in->input.base,
				      (uint32_t)in->input.len,
				      in->max_out_resp, &out, &out_len);
	if (status != NT_STATUS_OK && status != NT_STATUS_BUFFER_OVERFLOW) {
		return status;
	}
	put_ioctl_resp(req, in, out, out_len);
	talloc_free(out);
	return status;
}

/*
 * An FSCTL we do not implement. Every FSCTL but the few handled above
 * without one names an open, and the open is looked up first
 * [MS-SMB2 §3.3.5.15]: a closed FileId answers FILE_CLOSED, not the
 * refusal (smbtorture smb2.compound.related5).
 */
static NTSTATUS unsupported_fsctl(struct smbd_req *req,
				  const struct ioctl_in *in)
{
	struct smbd_open *op = NULL;
	NTSTATUS status = smbd_req_open(req, in->fid_p, in->fid_v, &op);

	if (status != NT_STATUS_OK) {
		return status;
	}
	if (req->tree->share->type == WG_SHARE_IPC) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	return NT_STATUS_INVALID_DEVICE_REQUEST;
}

/*
 * FSCTL_LMR_REQUEST_RESILIENCY: we grant no resilient handles, which the
 * spec answers NOT_SUPPORTED, but over 2.0.2, which knows no resiliency
 * (INVALID_DEVICE_REQUEST) [MS-SMB2 §3.3.5.15.9]; the open comes first.
 */
static NTSTATUS request_resiliency(struct smbd_req *req,
				   const struct ioctl_in *in)
{
	NTSTATUS status = unsupported_fsctl(req, in);

	if (status == NT_STATUS_INVALID_DEVICE_REQUEST &&
	    req->conn->dialect != SMB2_DIALECT_202) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	return status;
}

static NTSTATUS file_fsctl(struct smbd_req *req, const struct ioctl_in *in);

NTSTATUS smbd_smb2_ioctl(struct smbd_req *req)
{
	struct wire_rd r = req->in;
	struct ioctl_in in = {};
	uint32_t in_off = 0, in_count = 0, out_off = 0, out_count = 0;

	if (wire_skip(&r, 4) != 0 || wire_get_u32le(&r, &in.ctl_code) != 0 ||
	    smbd_pull_fid(&r, &in.fid_p, &in.fid_v) != 0 ||
	    wire_get_u32le(&r, &in_off) != 0 ||
	    wire_get_u32le(&r, &in_count) != 0 ||
	    wire_get_u32le(&r, &in.max_in_resp) != 0 ||
	    wire_get_u32le(&r, &out_off) != 0 ||
	    wire_get_u32le(&r, &out_count) != 0 ||
	    wire_get_u32le(&r, &in.max_out_resp) != 0 ||
	    wire_get_u32le(&r, &in.flags) != 0 ||
	    wire_sub(&req->in, in_off, in_count, &in.input) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (in.max_out_resp > req->conn->max_trans) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (!(in.flags & SMB2_0_IOCTL_IS_FSCTL)) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	switch (in.ctl_code) {
	case FSCTL_VALIDATE_NEGOTIATE_INFO:
		return validate_negotiate(req, &in);
	case FSCTL_DFS_GET_REFERRALS:
	case FSCTL_DFS_GET_REFERRALS_EX:
		return NT_STATUS_FS_DRIVER_REQUIRED;
	case FSCTL_QUERY_NETWORK_INTERFACE_INFO:
		return NT_STATUS_NOT_SUPPORTED;
	case FSCTL_SRV_ENUMERATE_SNAPSHOTS:
		return enumerate_snapshots(req, &in);
	case FSCTL_PIPE_TRANSCEIVE:
		return pipe_transceive(req, &in);
	case FSCTL_PIPE_WAIT:
		/* Our pipes are always there: nothing to wait for. */
		if (req->tree->share->type != WG_SHARE_IPC) {
			return NT_STATUS_INVALID_DEVICE_REQUEST;
		}
		put_ioctl_resp(req, &in, NULL, 0);
		return NT_STATUS_OK;
	case FSCTL_PIPE_PEEK:
		return NT_STATUS_NOT_SUPPORTED;
	case FSCTL_LMR_REQUEST_RESILIENCY:
		return request_resiliency(req, &in);
	default:
		break;
	}
	return file_fsctl(req, &in);
}

/* The file FSCTLs of fsctl_file.c, else unsupported_fsctl(). */
static NTSTATUS file_fsctl(struct smbd_req *req, const struct ioctl_in *in)
{
	struct smbd_fsctl f = {
		.ctl_code = in->ctl_code,
		.fid_p = in->fid_p,
		.fid_v = in->fid_v,
		.input = in->input,
		.max_out = in->max_out_resp,
	};
	bool handled = false;
	NTSTATUS status = smbd_fsctl_file(req, &f, &handled);

	if (handled) {
		return status;
	}
	return unsupported_fsctl(req, in);
}
