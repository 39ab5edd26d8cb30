/*
 * dirlease.h - directory leases [MS-SMB2 §3.3.1.4, §3.3.4.7,
 * §3.3.5.9.8, §3.3.5.9.11]: the R and RH leases a client holds on a
 * directory (granted by fs/lease.h on a v2 lease context from SMB 3.0,
 * never with W), broken to none when what a listing of the directory
 * shows changes through this server:
 *
 *   - a name in it is created, or an existing file overwritten (CREATE);
 *   - a name in it is deleted (the unlink when the last open closes);
 *   - a name is renamed out of it or into it (SET_INFO);
 *   - a file in it has its size, attributes or times set (SET_INFO), or
 *     is closed after being written.
 *
 * A change made through an open whose v2 lease context carried the
 * directory lease's key as its ParentLeaseKey (same ClientGuid) leaves
 * that lease alone: the client knows of its own change. Every other
 * change breaks, the holder's own included.
 *
 * The request making the change never waits for these breaks: an RH
 * lease is told to go to none (acknowledgment required, bounded by
 * `oplock break timeout` like any lease break), an R lease goes at once.
 * Nor does an open of the directory itself, unless the share modes
 * refuse it: then it waits for H to go, as for a file. When the
 * directory itself conflicts (a share-mode conflict, its own rename or
 * delete) fs/lease.h drops H as for a file.
 *
 * Changes by programs on the server itself are not seen: a share they
 * change should say `leases = no`.
 */
#ifndef WG_SMBD_DIRLEASE_H
#define WG_SMBD_DIRLEASE_H

#include "smbd/smbd.h"
#include "smbd/fs/open.h"

/* ---- decisions (pure) ---- */

/*
 * The length of the share-relative parent of path ('/'-separated, as
 * op->path): 0 for a name at the share root. False for the share root
 * itself ("": no parent on the share).
 */
bool smbd_dirlease_parent_len(const char *path, size_t *len);

/*
 * Does a SET_INFO of file information class cls change what a listing
 * of the file's directory shows (basic information, end of file,
 * allocation; a rename is told apart, with both its directories)?
 */
bool smbd_dirlease_setinfo_changes(uint8_t cls);

/* ---- breaks ---- */

/*
 * Something changed in the directory holding path (share-relative) on
 * the disk share at share_path: break its directory leases to none,
 * except the lease (guid, parent_key) when parent_key is not NULL.
 * Never waits.
 */
void smbd_dirlease_break_parent(struct smbd_server *srv,
				const char *share_path, const char *path,
				const uint8_t *guid, const uint8_t *parent_key);

/*
 * op changed (created, overwrote, set information of, renamed away or
 * into) its name in its directory: smbd_dirlease_break_parent() of
 * path (NULL: op->path) on op's share, with op's connection's ClientGuid
 * and parent_key (NULL: none exempt).
 */
void smbd_dirlease_changed(struct smbd_open *op, const char *path,
			   const uint8_t *parent_key);

/*
 * A SET_INFO of class cls through op succeeded: basic information, end
 * of file and allocation change op's directory; a rename (old_path: op's
 * path before it) both the directory left and the one entered.
 * Exempt: the parent key op's lease was opened with.
 */
void smbd_dirlease_set_info(struct smbd_open *op, uint8_t cls,
			    const char *old_path);

/*
 * op is closing (its destructor, before its lease goes): a written file
 * or a name the close deletes changes its directory; exempt is the
 * parent key op's lease was opened with.
 */
void smbd_dirlease_closing(struct smbd_open *op);

#endif
