/*
 * errmap.h - the one place where an errno becomes the NTSTATUS a client
 * sees.
 */
#ifndef WG_SMBD_BASE_ERRMAP_H
#define WG_SMBD_BASE_ERRMAP_H

#include "proto/ntstatus.h"

/* Map an errno (either sign) to the NTSTATUS a Windows client expects. */
NTSTATUS smbd_map_errno(int err);

#endif
