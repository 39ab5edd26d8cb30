/*
 * admin.h - smbd's implementation of the admin view (sessions/admin.h),
 * consumed by srvsvc (pipes/) and the control socket (wgnet).
 */
#ifndef WG_SMBD_ADMIN_H
#define WG_SMBD_ADMIN_H

#include "smbd/smbd.h"
#include "sessions/admin.h"

/* The ops table over srv's live state (valid as long as srv). */
const struct wg_admin_ops *smbd_admin_ops(struct smbd_server *srv);

#endif
