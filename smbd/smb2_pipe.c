/*
 * smb2_pipe.c - named pipes on IPC$ as SMB2 sees them (CREATE, READ,
 * WRITE, FSCTL_PIPE_TRANSCEIVE, CLOSE), over pipes/pipe.h.
 */
#include "smbd.h"
#include "limits.h"

unsigned smbd_session_busy_opens(const struct smbd_session *s)
{
	return (unsigned)s->nopens;
}

void smbd_printer_handle_reap(void *cookie)
{
	(void)cookie;
}
