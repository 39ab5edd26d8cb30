/*
 * tcon.c - TREE_CONNECT and TREE_DISCONNECT [MS-SMB2 §3.3.5.7-8].
 */
#include "smbd/smbd.h"
#include "smbd/smb2/cmd/cmd.h"
#include "smbd/smb2/tree.h"
#include "proto/utf16.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static uint8_t share_type(const struct wg_share_cfg *sh)
{
	switch (sh->type) {
	case WG_SHARE_IPC:
		return SMB2_SHARE_TYPE_PIPE;
	case WG_SHARE_PRINT:
		return SMB2_SHARE_TYPE_PRINT;
	case WG_SHARE_DISK:
		break;
	}
	return SMB2_SHARE_TYPE_DISK;
}

NTSTATUS smbd_smb2_tree_connect(struct smbd_req *req)
{
	struct smbd_session *s = req->sess;
	struct wire_rd r = req->in;
	struct wire_rd pr;
	uint16_t off = 0, len = 0;
	char *path = NULL;
	const struct wg_share_cfg *sh = NULL;
	struct smbd_tree *t = NULL;
	NTSTATUS status = NT_STATUS_OK;

	if (wire_skip(&r, 4) != 0 || wire_get_u16le(&r, &off) != 0 ||
	    wire_get_u16le(&r, &len) != 0 ||
	    wire_sub(&req->in, off, len, &pr) != 0 ||
	    utf16le_to_utf8(req, pr.base, pr.len, &path) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = smbd_tree_connect(s, path, &t);
	if (status != NT_STATUS_OK) {
		return status;
	}
	sh = t->share;
	req->in_hdr.tree_id = t->id;

	wire_put_u16le(&req->out, 16);
	wire_put_u8(&req->out, share_type(sh));
	wire_put_u8(&req->out, 0);
	wire_put_u32le(&req->out, SMB2_SHAREFLAG_MANUAL_CACHING |
		       (sh->access_based_enum ?
			SMB2_SHAREFLAG_ACCESS_BASED_DIRECTORY_ENUM : 0));
	wire_put_u32le(&req->out, 0);	/* Capabilities */
	wire_put_u32le(&req->out, t->maximal_access);
	DBG_INFO(SESS, "%s: '%s' connected to '%s' (tree %u)",
		 req->conn->peer_addr, s->anonymous ? "(null)" : s->user,
		 sh->name, t->id);
	return NT_STATUS_OK;
}

NTSTATUS smbd_smb2_tree_disconnect(struct smbd_req *req)
{
	struct smbd_tree *t = req->tree;

	req->tree = NULL;
	talloc_free(t);
	wire_put_u16le(&req->out, 4);
	wire_put_u16le(&req->out, 0);
	return NT_STATUS_OK;
}
