/*
 * ipc.c - named pipes on IPC$ over SMB1: NT_CREATE_ANDX / OPEN_ANDX of
 * a pipe name, READ_ANDX / WRITE_ANDX on its FID, TRANS TransactNmPipe
 * [MS-CIFS §2.2.5.6] and RAP on \PIPE\LANMAN [MS-RAP]. The open and the
 * RPC stream are smbd/admin/pipe.c's, as for SMB2.
 */
#include "smbd/smb1/smb1.h"
#include "smbd/admin/admin.h"
#include "smbd/admin/pipe.h"
#include "smbd/fs/open.h"
#include "proto/rap.h"

#include <string.h>
#include <strings.h>

#ifndef NT_STATUS_PIPE_EMPTY
#define NT_STATUS_PIPE_EMPTY	((NTSTATUS)0xC00000D9u)
#endif

#define TRANS_SET_NMPIPE_STATE	0x0001
#define TRANS_TRANSACT_NMPIPE	0x0026
#define TRANS_WAIT_NMPIPE	0x0053

/* ResourceType and NMPipeStatus of a message-mode pipe [MS-CIFS
 * §2.2.4.64.2]: ICount 255, ReadMode and NamedPipeType message */
#define PIPE_RESOURCE_TYPE	2
#define PIPE_STATE		0x05FF

/* The most response bytes one TRANS or READ_ANDX carries: the rest is
 * read with READ_ANDX (BUFFER_OVERFLOW tells the client). */
#define PIPE_MAX_REPLY		(SMB1_MAX_BUFFER - 256)

NTSTATUS smb1_pipe_open(struct smb1_req *r, const char *name,
			uint32_t access, struct smbd_open **pop)
{
	struct smbd_open *op = NULL;
	NTSTATUS status = NT_STATUS_OK;

	while (name[0] == '\\') {
		name++;
	}
	if (strncasecmp(name, "PIPE\\", 5) == 0) {
		name += 5;
	}
	status = smbd_pipe_open(r->conn, r->sess, r->tree, name, access, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smb1_fid_check(r, op);
	if (status != NT_STATUS_OK) {
		talloc_free(op);
		return status;
	}
	*pop = op;
	return NT_STATUS_OK;
}

void smb1_pipe_ntcreate_reply(struct smb1_req *r, const struct smbd_open *op)
{
	uint64_t now = op->open_time_nt;

	smb1_put_andx(r, 34);
	wire_put_u8(&r->out, 0);		/* OpLockLevel */
	wire_put_u16le(&r->out, (uint16_t)op->fid_volatile);
	wire_put_u32le(&r->out, FILE_WAS_OPENED);
	wire_put_u64le(&r->out, now);
	wire_put_u64le(&r->out, now);
	wire_put_u64le(&r->out, now);
	wire_put_u64le(&r->out, now);
	wire_put_u32le(&r->out, FILE_ATTRIBUTE_NORMAL);
	wire_put_u64le(&r->out, 4096);		/* AllocationSize */
	wire_put_u64le(&r->out, 0);		/* EndOfFile */
	wire_put_u16le(&r->out, PIPE_RESOURCE_TYPE);
	wire_put_u16le(&r->out, PIPE_STATE);
	wire_put_u8(&r->out, 0);		/* Directory */
	smb1_bytes_end(r, smb1_bytes_begin(r));
}

void smb1_pipe_openx_reply(struct smb1_req *r, const struct smbd_open *op,
			   uint16_t access_mode)
{
	smb1_put_andx(r, 15);
	wire_put_u16le(&r->out, (uint16_t)op->fid_volatile);
	wire_put_u16le(&r->out, 0);		/* FileAttrs */
	wire_put_u32le(&r->out, 0);		/* LastWriteTime */
	wire_put_u32le(&r->out, 0);		/* FileDataSize */
	wire_put_u16le(&r->out, access_mode & 0x7);
	wire_put_u16le(&r->out, PIPE_RESOURCE_TYPE);
	wire_put_u16le(&r->out, PIPE_STATE);
	wire_put_u16le(&r->out, 1);		/* OpenResults: opened */
	wire_put_zero(&r->out, 6);
	smb1_bytes_end(r, smb1_bytes_begin(r));
}

/* The READ_ANDX reply block (file.c's layout) with n bytes of data. */
static void readx_put(struct smb1_req *r, const uint8_t *data, uint32_t n)
{
	size_t off_at = 0, pos = 0;

	smb1_put_andx(r, 12);
	wire_put_u16le(&r->out, 0);		/* Available */
	wire_put_u16le(&r->out, 0);		/* DataCompactionMode */
	wire_put_u16le(&r->out, 0);		/* Reserved */
	wire_put_u16le(&r->out, (uint16_t)n);
	off_at = r->out.len;
	wire_put_u16le(&r->out, 0);		/* DataOffset */
	wire_put_u16le(&r->out, 0);		/* DataLengthHigh */
	wire_put_u64le(&r->out, 0);
	pos = smb1_bytes_begin(r);
	wire_put_u8(&r->out, 0);		/* Pad */
	wire_patch_u16le(&r->out, off_at, (uint16_t)r->out.len);
	wire_put_bytes(&r->out, data, n);
	smb1_bytes_end(r, pos);
}

NTSTATUS smb1_pipe_read(struct smb1_req *r, struct smbd_open *op,
			uint32_t max)
{
	uint8_t *buf = NULL;
	uint32_t n = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (op->pipe->broken) {
		return NT_STATUS_PIPE_DISCONNECTED;
	}
	if (wg_pipe_pending(op->pipe->p) == 0) {
		/* requests are answered as they arrive: nothing will come
		 * without another write */
		return NT_STATUS_PIPE_EMPTY;
	}
	status = smbd_pipe_take(r, op->pipe,
				max < PIPE_MAX_REPLY ? max : PIPE_MAX_REPLY,
				&buf, &n);
	if (status != NT_STATUS_OK && status != NT_STATUS_BUFFER_OVERFLOW) {
		return status;
	}
	readx_put(r, buf, n);
	talloc_free(buf);
	if (status == NT_STATUS_BUFFER_OVERFLOW) {
		r->keep_block = true;
	}
	return status;
}

NTSTATUS smb1_pipe_write(struct smb1_req *r, struct smbd_open *op,
			 const uint8_t *data, uint32_t len)
{
	NTSTATUS status = smbd_pipe_feed(op->pipe, data, len);

	if (status != NT_STATUS_OK) {
		return status;
	}
	smb1_put_andx(r, 6);
	wire_put_u16le(&r->out, (uint16_t)len);
	wire_put_u16le(&r->out, 0xFFFF);	/* Available */
	wire_put_u16le(&r->out, (uint16_t)(len >> 16));
	wire_put_u16le(&r->out, 0);
	smb1_bytes_end(r, smb1_bytes_begin(r));
	return NT_STATUS_OK;
}

/* ---- TRANS ---- */

/* The TRANS reply [MS-CIFS §2.2.4.33.2]: parameters and data whole. */
static void trans_put_reply(struct smb1_req *r, const uint8_t *param,
			    size_t nparam, const uint8_t *data, size_t ndata)
{
	size_t pos = 0, at = 0, poff = 0, doff = 0;

	wire_put_u8(&r->out, 10);
	wire_put_u16le(&r->out, (uint16_t)nparam);
	wire_put_u16le(&r->out, (uint16_t)ndata);
	wire_put_u16le(&r->out, 0);
	wire_put_u16le(&r->out, (uint16_t)nparam);
	at = r->out.len;
	wire_put_u16le(&r->out, 0);		/* ParameterOffset */
	wire_put_u16le(&r->out, 0);		/* ParameterDisplacement */
	wire_put_u16le(&r->out, (uint16_t)ndata);
	wire_put_u16le(&r->out, 0);		/* DataOffset */
	wire_put_u16le(&r->out, 0);		/* DataDisplacement */
	wire_put_u8(&r->out, 0);		/* SetupCount */
	wire_put_u8(&r->out, 0);
	pos = smb1_bytes_begin(r);
	wire_put_align(&r->out, 4);
	poff = r->out.len;
	wire_put_bytes(&r->out, param, nparam);
	wire_put_align(&r->out, 4);
	doff = r->out.len;
	wire_put_bytes(&r->out, data, ndata);
	wire_patch_u16le(&r->out, at, (uint16_t)poff);
	wire_patch_u16le(&r->out, at + 6, (uint16_t)doff);
	smb1_bytes_end(r, pos);
}

static NTSTATUS transact_nmpipe(struct smb1_req *r,
				const struct smb1_trans2 *t)
{
	struct smbd_open *op = smb1_fid_find(r, t->setup1);
	uint32_t max = t->max_data < PIPE_MAX_REPLY ? t->max_data :
						      PIPE_MAX_REPLY;
	uint8_t *buf = NULL;
	uint32_t n = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (op == NULL) {
		return NT_STATUS_INVALID_HANDLE;
	}
	if (op->pipe == NULL) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	status = smbd_pipe_feed(op->pipe, r->in + t->data_off, t->data_count);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smbd_pipe_take(r, op->pipe, max, &buf, &n);
	if (status != NT_STATUS_OK && status != NT_STATUS_BUFFER_OVERFLOW) {
		return status;
	}
	trans_put_reply(r, NULL, 0, buf, n);
	talloc_free(buf);
	if (status == NT_STATUS_BUFFER_OVERFLOW) {
		r->keep_block = true;	/* the rest by READ_ANDX */
	}
	return status;
}

/* What RAP says of this server (strings owned by mem). */
static int rap_self(struct smb1_req *r, TALLOC_CTX *mem,
		    struct rap_server *s)
{
	const struct wg_admin_ops *admin = smbd_admin_ops(r->conn->srv);
	struct wg_admin_server *info = NULL;
	int rc = admin->server_info(admin->priv, mem, &info);

	if (rc != 0) {
		return rc;
	}
	*s = (struct rap_server){
		.name = info->netbios_name,
		.workgroup = info->workgroup,
		.comment = info->comment != NULL ? info->comment : "",
		.user = r->sess->user != NULL ? r->sess->user : "",
		.major = 6,
		.minor = 1,
		/* workstation, server, print queue server, NT */
		.type = 0x00000001u | 0x00000002u | 0x00000200u | 0x00001000u,
	};
	return 0;
}

static int rap_shares(struct smb1_req *r, TALLOC_CTX *mem,
		      struct rap_share **out, size_t *n)
{
	const struct wg_admin_ops *admin = smbd_admin_ops(r->conn->srv);
	struct wg_admin_share *sh = NULL;
	struct rap_share *rs = NULL;
	size_t i = 0, k = 0;
	int rc = admin->list_shares(admin->priv, mem, &sh, n);

	if (rc != 0) {
		return rc;
	}
	rs = talloc_zero_array(mem, struct rap_share, *n + 1);
	if (rs == NULL) {
		return -1;
	}
	for (i = 0; i < *n; i++) {
		/* access based share enum: not the shares it may not use */
		if (admin->share_visible != NULL &&
		    !admin->share_visible(admin->priv, sh[i].name,
					  r->sess->user, r->sess->guest,
					  r->sess->anonymous)) {
			continue;
		}
		rs[k].name = sh[i].name;
		rs[k].type = (uint16_t)sh[i].type;
		rs[k].comment = sh[i].comment != NULL ? sh[i].comment : "";
		k++;
	}
	*n = k;
	*out = rs;
	return 0;
}

/* RAP on \PIPE\LANMAN: one of the browse calls, or "not supported". */
static NTSTATUS lanman(struct smb1_req *r, const struct smb1_trans2 *t)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct wire_wr param, data;
	struct rap_req q = {};
	struct rap_server self = {};
	struct rap_share *shares = NULL;
	size_t n = 0;
	bool restricted = r->sess->anonymous &&
			  sm_restrict_anonymous(r->conn->srv->sm) >= 1;
	NTSTATUS status = NT_STATUS_OK;

	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (rap_req_parse(r->in + t->param_off, t->param_count, &q) != 0) {
		talloc_free(tmp);
		return NT_STATUS_INVALID_PARAMETER;
	}
	wire_wr_init(&param, tmp, 0);
	wire_wr_init(&data, tmp, 0);
	if (!q.known) {
		DBG_CLIENT(PROTO, "%s: RAP call %u (%s/%s) not served",
			   r->conn->peer_addr, q.api, q.param_desc,
			   q.data_desc);
		rap_status_push(&param, RAP_ERROR_NOT_SUPPORTED);
	} else if (rap_self(r, tmp, &self) != 0) {
		status = NT_STATUS_NO_MEMORY;
	} else if (q.api == RAP_NetShareEnum) {
		if (restricted) {
			rap_status_push(&param, 5);	/* ACCESS_DENIED */
		} else if (rap_shares(r, tmp, &shares, &n) != 0) {
			status = NT_STATUS_NO_MEMORY;
		} else {
			rap_share_enum_push(&param, &data, &q, shares, n);
		}
	} else if (q.api == RAP_NetServerGetInfo) {
		rap_server_info_push(&param, &data, &q, &self);
	} else if (q.api == RAP_NetWkstaGetInfo) {
		rap_wksta_info_push(&param, &data, &q, &self);
	} else {
		rap_server_enum2_push(&param, &data, &q, &self);
	}
	if (status == NT_STATUS_OK &&
	    (wire_wr_error(&param) != 0 || wire_wr_error(&data) != 0)) {
		status = NT_STATUS_NO_MEMORY;
	}
	if (status == NT_STATUS_OK) {
		trans_put_reply(r, param.buf, param.len, data.buf, data.len);
	}
	talloc_free(tmp);
	return status;
}

NTSTATUS smb1_trans(struct smb1_req *r, const struct smb1_block *b)
{
	struct smb1_trans2 t = {};
	char *name = NULL;
	size_t next = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (smb1_trans_parse(r->in, r->in_len, b, false, &t) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (t.param_count != t.total_param || t.data_count != t.total_data) {
		struct smb1_trans_piece piece = {};

		/* the rest comes in TRANSACTION_SECONDARY requests */
		smb1_trans2_piece(&t, &piece);
		return smb1_trans_start(r, b, &piece);
	}
	if (r->tree->share->type != WG_SHARE_IPC) {
		return NT_STATUS_NOT_SUPPORTED;	/* mailslots: none */
	}
	if (smb1_pull_string(r, r->in, b->bytes_off, b->end, r->unicode,
			     &name, &next) != 0) {
		return NT_STATUS_OBJECT_NAME_INVALID;
	}
	if (strcasecmp(name, "\\PIPE\\LANMAN") == 0) {
		return lanman(r, &t);
	}
	if (strcasecmp(name, "\\PIPE\\") != 0) {
		return NT_STATUS_OBJECT_NAME_NOT_FOUND;
	}
	switch (t.subcommand) {
	case TRANS_TRANSACT_NMPIPE:
		return transact_nmpipe(r, &t);
	case TRANS_SET_NMPIPE_STATE:
	case TRANS_WAIT_NMPIPE:
		if (t.subcommand == TRANS_SET_NMPIPE_STATE &&
		    smb1_fid_find(r, t.setup1) == NULL) {
			return NT_STATUS_INVALID_HANDLE;
		}
		trans_put_reply(r, NULL, 0, NULL, 0);
		return status;
	default:
		DBG_CLIENT(PROTO, "%s: TRANS pipe function 0x%04x not served",
			   r->conn->peer_addr, t.subcommand);
		return NT_STATUS_NOT_SUPPORTED;
	}
}
