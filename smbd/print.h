/*
 * print.h - print queues: a printable share's path is its spool
 * directory. Jobs arrive as files written through the share (smbclient
 * print: CREATE, WRITE, CLOSE) or through spoolss (StartDoc, WritePrinter,
 * EndDoc); each finished job is handed to the share's `print command`
 * (default: kept in the spool directory). A job whose command fails stays
 * spooled and is logged: jobs are never lost.
 */
#ifndef WG_SMBD_PRINT_H
#define WG_SMBD_PRINT_H

#include "smbd.h"
#include "../pipes/pipe.h"

/* The print ops for spoolss (valid as long as srv). */
const struct wg_print_ops *smbd_print_ops(struct smbd_server *srv);

/*
 * A file written through a print share was closed: it is a job. name is
 * the spool-relative file name. Runs the print command (off the loop).
 */
void smbd_print_file_closed(struct smbd_server *srv,
			    const struct wg_share_cfg *share, const char *name,
			    const char *user);

#endif
