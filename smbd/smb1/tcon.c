/*
 * tcon.c - SMB1 TREE_CONNECT_ANDX [MS-SMB §2.2.4.7, MS-CIFS §2.2.4.55]
 * to disk shares and IPC$ through the same checks as SMB2
 * (smbd_tree_connect), and TREE_DISCONNECT.
 */
#include "smbd/smb1/smb1.h"
#include "smbd/smb2/tree.h"

#include <string.h>

#define TCON_EXTENDED_RESPONSE	0x0008
#define TCON_DISCONNECT_TID	0x0001
#define SMB_SUPPORT_SEARCH_BITS	0x0001
#define SMB_UNIQUE_FILE_NAME	0x0010

/* The Service strings of MS-CIFS §2.2.4.55.1: disk, printer, named
 * pipe, serial device, or any. */
static bool known_service(const char *service)
{
	static const char *const known[] = {
		"A:", "LPT1:", "IPC", "COMM", "?????",
	};
	size_t i = 0;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(service, known[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* The Service a share answers [MS-CIFS §2.2.4.55.2]: a printer's is
 * LPT1: */
static const char *share_service(const struct wg_share_cfg *share)
{
	switch (share->type) {
	case WG_SHARE_IPC:
		return "IPC";
	case WG_SHARE_PRINT:
		return "LPT1:";
	default:
		return "A:";
	}
}

NTSTATUS smb1_tree_connect(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_tree *t = NULL;
	char *path = NULL;
	char *service = NULL;
	uint16_t flags = 0, pwlen = 0;
	size_t next = 0;
	size_t pos = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct != 4) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	flags = smb1_word(b, 2);
	pwlen = smb1_word(b, 3);
	if (pwlen > b->bcc ||
	    smb1_pull_string(r->conn, r->in, b->bytes_off + pwlen, b->end,
			     r->unicode, &path, &next) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* Service is always OEM: "?????", "A:", "IPC" */
	if (smb1_pull_string(r->conn, r->in, next, b->end, false, &service,
			     &next) != 0) {
		talloc_free(path);
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* a Service no share could have is BAD_DEVICE_TYPE, before the
	 * share is looked at [MS-CIFS §2.2.4.55.2] (smbtorture
	 * raw.context.tree sends "FOO") */
	if (!known_service(service)) {
		talloc_free(path);
		talloc_free(service);
		return NT_STATUS_BAD_DEVICE_TYPE;
	}
	if ((flags & TCON_DISCONNECT_TID) && r->hdr.tid != 0) {
		struct smbd_tree *old = NULL;

		for (old = r->sess->trees; old != NULL; old = old->next) {
			if ((uint16_t)old->id == r->hdr.tid) {
				talloc_free(old);
				break;
			}
		}
	}
	/* Path may be the bare share name ("DEMO"), as Windows accepts and
	 * smbtorture's base.tcon sends: give it a server part */
	if (strchr(path, '\\') == NULL) {
		char *unc = talloc_asprintf(r->conn, "\\\\-\\%s", path);

		talloc_free(path);
		path = unc;
		if (path == NULL) {
			talloc_free(service);
			return NT_STATUS_NO_MEMORY;
		}
	}
	status = smbd_tree_connect(r->sess, path, &t);
	talloc_free(path);
	if (status == NT_STATUS_OK && strcmp(service, "?????") != 0 &&
	    strcmp(service, share_service(t->share)) != 0) {
		talloc_free(t);
		status = NT_STATUS_BAD_NETWORK_NAME;
	}
	talloc_free(service);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if ((t->id & 0xFFFF) == 0 || (t->id & 0xFFFF) == 0xFFFF) {
		talloc_free(t);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	r->out_tid = (uint16_t)t->id;
	if (flags & TCON_EXTENDED_RESPONSE) {
		smb1_put_andx(r, 7);
		wire_put_u16le(&r->out, SMB_SUPPORT_SEARCH_BITS |
				       SMB_UNIQUE_FILE_NAME);
		wire_put_u32le(&r->out, t->maximal_access);
		wire_put_u32le(&r->out, 0);	/* guest maximal access */
	} else {
		smb1_put_andx(r, 3);
		wire_put_u16le(&r->out, SMB_SUPPORT_SEARCH_BITS);
	}
	pos = smb1_bytes_begin(r);
	wire_put_bytes(&r->out, share_service(t->share),
		       strlen(share_service(t->share)) + 1);
	smb1_put_string(r, t->share->type == WG_SHARE_DISK ? "NTFS" : "",
			true);
	smb1_bytes_end(r, pos);
	DBG_INFO(SESS, "%s: '%s' connected to '%s' over SMB1 (tree %u)",
		 r->conn->peer_addr, r->sess->anonymous ? "(null)" :
		 r->sess->user, t->share->name, t->id);
	return NT_STATUS_OK;
}

NTSTATUS smb1_tree_disconnect(struct smb1_req *r, const struct smb1_block *b)
{
	talloc_free(r->tree);
	r->tree = NULL;
	wire_put_u8(&r->out, 0);
	smb1_bytes_end(r, smb1_bytes_begin(r));
	return NT_STATUS_OK;
}
