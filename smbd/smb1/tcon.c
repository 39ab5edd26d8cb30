/*
 * tcon.c - SMB1 TREE_CONNECT_ANDX [MS-SMB §2.2.4.7, MS-CIFS §2.2.4.55]
 * to disk shares and IPC$ through the same checks as SMB2
 * (smbd_tree_connect), and TREE_DISCONNECT.
 *
 * An SMB1 TID belongs to the connection, not to the UID that connected
 * it [MS-CIFS 3.3.1.3 TreeConnectTable]: it is unique on the connection
 * and a later request may name it with another UID. The tree still
 * hangs under a session (smbd_tree, shared with SMB2, where a TreeId is
 * per session), and it carries that session's user's share access, so
 * here another UID may use it only when it is the same user; at LOGOFF
 * the trees of the session move to another session of the same user on
 * the connection, if there is one, as far as its budget of trees (max
 * tree connects per session) allows; the others close, as before.
 */
#include "smbd/smb1/smb1.h"
#include "smbd/smb2/tree.h"
#include "smbd/fs/open.h"

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

static bool str_eq(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* Do sessions a and b log on the same user (may one use the other's
 * trees)? */
static bool same_user(const struct smbd_session *a,
		      const struct smbd_session *b)
{
	if (a == b) {
		return true;
	}
	if (a->anonymous || b->anonymous) {
		return a->anonymous && b->anonymous;
	}
	return a->guest == b->guest && str_eq(a->user, b->user) &&
	       str_eq(a->domain, b->domain);
}

struct smbd_tree *smb1_tree_find(struct smbd_conn *conn,
				 const struct smbd_session *s, uint16_t tid)
{
	struct smbd_session *o = NULL;
	struct smbd_tree *t = NULL;

	for (o = conn->sessions; o != NULL; o = o->next) {
		if (s != NULL && !same_user(s, o)) {
			continue;
		}
		for (t = o->trees; t != NULL; t = t->next) {
			if ((uint16_t)t->id == tid) {
				return t;
			}
		}
	}
	return NULL;
}

/* A TID no tree of conn has, not 0 or 0xFFFF; 0 if none is left. */
static uint16_t new_tid(struct smbd_conn *conn)
{
	struct smbd_smb1_conn *c1 = conn->smb1;
	uint32_t i = 0;

	for (i = 0; i < 0xFFFEu; i++) {
		uint16_t tid = c1->next_tid++;

		if (tid == 0 || tid == 0xFFFF) {
			continue;
		}
		if (smb1_tree_find(conn, NULL, tid) == NULL) {
			return tid;
		}
	}
	return 0;
}

void smb1_trees_logoff(struct smbd_session *s)
{
	struct smbd_conn *conn = s->conn;
	struct smbd_session *heir = NULL;
	struct smbd_tree *t = NULL;
	struct smbd_open *op = NULL;

	/* the files the UID opened close, on whichever tree */
	smb1_close_uid_opens(conn, (uint16_t)s->id);
	for (heir = conn->sessions; heir != NULL; heir = heir->next) {
		if (heir != s && heir->state == SMBD_SESS_VALID &&
		    same_user(s, heir)) {
			break;
		}
	}
	if (heir == NULL) {
		return;		/* the trees close with the session */
	}
	/* within the heir's budget of trees (max tree connects per
	 * session), so logons and logoffs cannot pile trees up; the rest
	 * close with s */
	while ((t = s->trees) != NULL &&
	       heir->ntrees < conn->srv->cfg->max_tree_connects) {
		size_t n = 0;

		for (op = t->opens; op != NULL; op = op->next) {
			n++;
		}
		s->trees = t->next;
		if (s->trees != NULL) {
			s->trees->prev = NULL;
		}
		s->ntrees--;
		s->nopens -= n;
		t->prev = NULL;
		t->next = heir->trees;
		if (heir->trees != NULL) {
			heir->trees->prev = t;
		}
		heir->trees = t;
		heir->ntrees++;
		heir->nopens += n;
		t->sess = heir;
		talloc_steal(heir, t);
		DBG_INFO(SESS, "%s: SMB1 tree %u outlives the logoff of UID "
			 "%u (kept by UID %u)", conn->peer_addr, t->id,
			 (unsigned)(uint16_t)s->id,
			 (unsigned)(uint16_t)heir->id);
	}
}

NTSTATUS smb1_tree_connect(struct smb1_req *r, const struct smb1_block *b)
{
	uint16_t tid = 0;
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
		talloc_free(smb1_tree_find(r->conn, r->sess, r->hdr.tid));
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
	tid = new_tid(r->conn);
	if (tid == 0) {
		talloc_free(t);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	t->id = tid;
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
