/*
 * admission.h - smbd's glue to the session manager (sessions/sessmgr.h).
 */
#ifndef WG_SMBD_LIMITS_H
#define WG_SMBD_LIMITS_H

#include "smbd/smbd.h"

/* Create srv->sm from the config; 0 or -1. */
int smbd_limits_start(struct smbd_server *srv);
/* Apply srv->cfg (after SIGHUP) to live state; nobody is dropped. */
void smbd_limits_reload(struct smbd_server *srv);

/*
 * Take a cap slot for a session that has just authenticated (before it
 * is marked valid). NT_STATUS_OK, REQUEST_NOT_ACCEPTED (the cap: Windows
 * shows "System error 71"), ACCESS_DENIED (restrict anonymous = 2).
 * The ticket is a child of s, so freeing s gives the slot back.
 */
NTSTATUS smbd_session_admit(struct smbd_session *s);

/*
 * Opens that keep a session from idling out: open files and directories
 * (a print job being spooled is an open file of a print share), not the
 * opens marked lets_session_idle: pipes, as wg_pipe_keeps_session()
 * decides (none do, KB 328459). Idle printer handles have their own
 * timeout.
 */
unsigned smbd_session_busy_opens(const struct smbd_session *s);

/*
 * End s for the session manager or an administrator (reaped, reclaimed,
 * deleted): flush and close its files, give its slot back, and close
 * its connection if no other session is left on it. why is the close
 * reason ("session reaped", "session deleted").
 */
void smbd_session_end(struct smbd_session *s, const char *why);

#endif
