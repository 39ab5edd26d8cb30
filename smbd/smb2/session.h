/*
 * session.h - the SMB2 session object (struct smbd_session, smbd.h).
 */
#ifndef WG_SMBD_SMB2_SESSION_H
#define WG_SMBD_SMB2_SESSION_H

#include "smbd/smbd.h"

/*
 * A new SMB2 session on conn (state IN_PROGRESS, linked into the
 * connection's and the server's lists, a talloc child of conn whose
 * destructor unlinks it and ends its trees and requests). NULL on no
 * memory.
 */
struct smbd_session *smbd_session_new(struct smbd_conn *conn);

/* The session with this id on conn, or NULL. */
struct smbd_session *smbd_session_find(struct smbd_conn *conn, uint64_t id);

/* The name shown for the session's computer: NetBIOS calling name, then
 * NTLM workstation, then the address. */
const char *smbd_session_display(const struct smbd_session *s);

#endif
