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

/* "\\server\share" -> "share"; NULL if malformed. */
static const char *share_of_path(const char *path)
{
	const char *p = path;
	const char *share = NULL;

	while (*p == '\\') {
		p++;
	}
	share = strchr(p, '\\');
	if (share == NULL || share[1] == '\0' ||
	    strchr(share + 1, '\\') != NULL) {
		return NULL;
	}
	return share + 1;
}

static bool user_allowed(const struct wg_share_cfg *sh, const char *user)
{
	size_t i = 0;

	if (sh->valid_users == NULL) {
		return true;
	}
	for (i = 0; sh->valid_users[i] != NULL; i++) {
		if (utf8_casecmp(sh->valid_users[i], user) == 0) {
			return true;
		}
	}
	return false;
}

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
	const char *name = NULL;
	const struct wg_share_cfg *sh = NULL;
	struct smbd_tree *t = NULL;
	int fd = -1;

	if (wire_skip(&r, 4) != 0 || wire_get_u16le(&r, &off) != 0 ||
	    wire_get_u16le(&r, &len) != 0 ||
	    wire_sub(&req->in, off, len, &pr) != 0 ||
	    utf16le_to_utf8(req, pr.base, pr.len, &path) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	name = share_of_path(path);
	if (name == NULL) {
		return NT_STATUS_BAD_NETWORK_NAME;
	}
	sh = wg_config_find_share(req->conn->srv->cfg, name);
	if (sh == NULL) {
		DBG_INFO(SESS, "%s: no share '%s'", req->conn->peer_addr,
			 name);
		return NT_STATUS_BAD_NETWORK_NAME;
	}
	if ((s->anonymous || s->guest) && sh->type != WG_SHARE_IPC &&
	    !sh->guest_ok) {
		DBG_INFO(SESS, "%s: %s session refused share '%s'",
			 req->conn->peer_addr, s->guest ? "guest" : "null",
			 sh->name);
		return NT_STATUS_ACCESS_DENIED;
	}
	if (!s->anonymous && !s->guest && !user_allowed(sh, s->user)) {
		DBG_INFO(SESS, "%s: '%s' not in valid users of '%s'",
			 req->conn->peer_addr, s->user, sh->name);
		return NT_STATUS_ACCESS_DENIED;
	}
	if (s->ntrees >= req->conn->srv->cfg->max_tree_connects) {
		smbd_budget_hit(NULL, req->conn, SMBD_BUDGET_TREES,
				req->conn->srv->cfg->max_tree_connects);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	if (sh->type != WG_SHARE_IPC) {
		fd = share_root_get(req->conn->srv, sh->path);
		if (fd < 0) {
			DBG_ERR(VFS, "share '%s': cannot open %s: %s",
				sh->name, sh->path, strerror(-fd));
			return NT_STATUS_BAD_NETWORK_NAME;
		}
	}
	t = smbd_tree_new(s, sh, fd);
	if (t == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	req->in_hdr.tree_id = t->id;

	wire_put_u16le(&req->out, 16);
	wire_put_u8(&req->out, share_type(sh));
	wire_put_u8(&req->out, 0);
	wire_put_u32le(&req->out, SMB2_SHAREFLAG_MANUAL_CACHING);
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
