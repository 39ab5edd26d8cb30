/*
 * notify.h - what other modules tell CHANGE_NOTIFY (smb2_notify.c).
 */
#ifndef WG_SMBD_NOTIFY_H
#define WG_SMBD_NOTIFY_H

#include "smbd/smbd.h"

/*
 * A directory became delete-pending: every CHANGE_NOTIFY parked on one
 * of its opens completes with STATUS_DELETE_PENDING [MS-FSA §2.1.5.11]
 * (smbtorture smb2.notify.rmdir*). Call after setting f->delete_pending.
 * May complete requests (smbd_req_done) but frees no open.
 */
void smbd_notify_delete_pending(struct smbd_file *f);

#endif
