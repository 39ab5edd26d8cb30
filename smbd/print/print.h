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

#include "smbd/smbd.h"
#include "pipes/pipe.h"

#include <sys/stat.h>

/* The print ops for spoolss (valid as long as srv). */
const struct wg_print_ops *smbd_print_ops(struct smbd_server *srv);

/*
 * The share of a printer added over RPC (printers.h), name in any case,
 * or NULL. Valid until the printer is deleted, or as long as a tree
 * connect to it (which keeps a reference) lives.
 */
const struct wg_share_cfg *smbd_print_find_share(struct smbd_server *srv,
						 const char *name);

/*
 * A file written through a print share was closed: it is a job. name is
 * the spool-relative file name. Runs the print command (off the loop).
 */
void smbd_print_file_closed(struct smbd_server *srv,
			    const struct wg_share_cfg *share, const char *name,
			    const char *user);

/*
 * op is about to be written (WRITE): when it is closed, if its share is
 * then a print share and delete on close did not remove the file, the
 * file is a job (smbd_print_file_closed). Made through an attachment on
 * op (fs/open.h), once per open. Returns 0 or -ENOMEM.
 */
int smbd_print_open_written(struct smbd_open *op);

/*
 * Is leaf a name the spooler gives jobs ("job-<n>-...", "spoolss-<n>.prn",
 * any case)? No client may create or open such a name.
 */
bool smbd_print_spool_name(const char *leaf);

/*
 * Is the spooled job at rel (share-relative, on-disk name) on print
 * share `share` one that `user` sent? Jobs are recorded in memory with
 * their owner when they are spooled; a file no job claims (left by an
 * earlier run) is nobody's.
 */
bool smbd_print_job_owned(struct smbd_server *srv,
			  const struct wg_share_cfg *share, const char *rel,
			  const char *user);

/*
 * A print share takes new jobs and nothing else; this is the check both
 * front ends make before an open by name on one (SMB2 CREATE, the SMB1
 * opens). The spooler's own names (job-<n>-..., spoolss-<n>.prn) and any
 * file that exists are never opened, overwritten or superseded. A file
 * `user` sent (a spooled job of theirs, or one they are still writing)
 * answers ACCESS_DENIED; any other such name answers
 * OBJECT_NAME_NOT_FOUND whether or not it exists, so that other users'
 * document names cannot be probed. name: the on-disk share-relative name
 * when it exists (exists), else the canonical one asked; st: its stat,
 * NULL if it could not be read. NT_STATUS_OK: a new name, go on (create
 * it, or NOT_FOUND for an open), or the spool directory itself.
 */
NTSTATUS smbd_print_create_guard(struct smbd_server *srv,
				 const struct wg_share_cfg *share,
				 const char *user, bool exists,
				 const char *name, const struct stat *st);

#endif
