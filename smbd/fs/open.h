/*
 * open.h - the open registry shared by CREATE and CLOSE (open.c).
 * smbd.h declares the public part (smbd_open_register, smbd_open_find,
 * smbd_open_close, delete-pending and lock hooks); this is what CREATE
 * needs besides.
 */
#ifndef WG_SMBD_OPEN_H
#define WG_SMBD_OPEN_H

#include "smbd/smbd.h"

/* The per-inode state of (dev, ino), or NULL if nothing has it open. */
struct smbd_file *smbd_file_find(struct smbd_server *srv, dev_t dev,
				 ino_t ino);

/*
 * Hang op on the smbd_file of st, creating it if needed. Returns 0 or
 * -ENOMEM. op->file is set; the open's destructor detaches it.
 */
int smbd_file_attach(struct smbd_server *srv, struct smbd_open *op,
		     const struct stat *st);

/*
 * Would an open asking access with share_access conflict with the opens
 * already on f [MS-FSA §2.1.5.1.2]? Only data access bits count.
 */
bool smbd_share_conflict(const struct smbd_file *f, uint32_t access,
			 uint32_t share_access);

/*
 * May session s hold one more open? NT_STATUS_OK, or
 * NT_STATUS_INSUFFICIENT_RESOURCES when its connection has
 * SMBD_MAX_OPENS_PER_CONN opens or the session 'max open files' (both
 * counted as SMBD_BUDGET_OPENS and logged). smbd_open_register() asks
 * too; CREATE asks first so that a refused open costs no file system work.
 */
NTSTATUS smbd_open_admit(struct smbd_session *s);

/* Will closing op unlink its file (delete on close, last open)? */
bool smbd_open_will_unlink(const struct smbd_open *op);

/*
 * The open's talloc destructor: completes a pending CHANGE_NOTIFY, drops
 * locks, flushes written data (on a worker) and closes the fd, deletes on
 * close, hands print jobs on, unindexes and keeps the counts.
 */
int smbd_open_destructor(struct smbd_open *op);

#endif
