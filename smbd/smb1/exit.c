/*
 * exit.c - SMB1 PROCESS_EXIT [MS-CIFS §2.2.4.18, §3.3.5.18]: a client
 * process ends, and the files it opened close. Every SMB1 open remembers
 * the (UID, PID) of the request that made it, in an attachment of the
 * open (the open owns it); PROCESS_EXIT closes the opens of the
 * connection with the request's UID and PID, on every tree.
 */
#include "smbd/smb1/smb1.h"
#include "smbd/fs/open.h"

#include <stdint.h>

static void owner_close(struct smbd_open *op, void *priv)
{
	(void)op;
	(void)priv;
}

/* The attachment's priv is the owner itself, UID << 16 | PID. */
static const struct smbd_open_att_ops owner_ops = {
	.close = owner_close,
};

static uintptr_t owner_key(uint16_t uid, uint16_t pid)
{
	return (uintptr_t)uid << 16 | pid;
}

NTSTATUS smb1_open_owner(struct smb1_req *r, struct smbd_open *op)
{
	void *key = (void *)owner_key(r->out_uid, r->hdr.pid);

	if (smbd_open_attach(op, op, SMBD_OPEN_STAGE_KEPT, &owner_ops,
			     key) == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	return NT_STATUS_OK;
}

static bool owned_by(const struct smbd_open *op, uintptr_t key)
{
	const struct smbd_open_att *a = smbd_open_att_find(op, &owner_ops);

	return a != NULL && (uintptr_t)smbd_open_att_priv(a) == key;
}

bool smb1_open_usable_by(const struct smbd_open *op, uint16_t uid)
{
	const struct smbd_open_att *a = smbd_open_att_find(op, &owner_ops);

	return a == NULL ||
	       (uint16_t)((uintptr_t)smbd_open_att_priv(a) >> 16) == uid;
}

void smb1_close_uid_opens(struct smbd_conn *conn, uint16_t uid)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *t = NULL;
	struct smbd_open *op = NULL, *next = NULL;

	for (s = conn->sessions; s != NULL; s = s->next) {
		for (t = s->trees; t != NULL; t = t->next) {
			for (op = t->opens; op != NULL; op = next) {
				next = op->next;
				if (smbd_open_att_find(op, &owner_ops) !=
					    NULL &&
				    smb1_open_usable_by(op, uid)) {
					talloc_free(op);
				}
			}
		}
	}
}

NTSTATUS smb1_process_exit(struct smb1_req *r, const struct smb1_block *b)
{
	uintptr_t key = owner_key(r->out_uid, r->hdr.pid);
	struct smbd_session *s = NULL;
	struct smbd_tree *t = NULL;
	struct smbd_open *op = NULL, *next = NULL;

	if (b->wct != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* an SMB1 open hangs under a tree of the session that made it;
	 * freeing one leaves the others in the list */
	for (s = r->conn->sessions; s != NULL; s = s->next) {
		for (t = s->trees; t != NULL; t = t->next) {
			for (op = t->opens; op != NULL; op = next) {
				next = op->next;
				if (owned_by(op, key)) {
					talloc_free(op);
				}
			}
		}
	}
	wire_put_u8(&r->out, 0);
	smb1_bytes_end(r, smb1_bytes_begin(r));
	return NT_STATUS_OK;
}
