/*
 * fsinfo.h - the file system information classes [MS-FSCC §2.5] whose
 * content does not depend on the front end, written the same way for
 * SMB2 QUERY_INFO (smb2/cmd/getinfo.c) and SMB1 TRANS2
 * QUERY_FS_INFORMATION at the pass-through levels (smb1/trans2.c).
 * Each writer appends the fixed structure to w (the caller owns w and
 * checks the room the client allowed); none fails.
 */
#ifndef WG_SMBD_FS_FSINFO_H
#define WG_SMBD_FS_FSINFO_H

#include <stdint.h>

#include "smbd/smbd.h"
#include "proto/wire.h"

#define SMBD_FS_CONTROL_SIZE	48	/* FILE_FS_CONTROL_INFORMATION */
#define SMBD_FS_OBJECTID_SIZE	64	/* FILE_FS_OBJECTID_INFORMATION */

/* The volume serial number of tree's share: stable across restarts. */
uint32_t smbd_fs_volume_serial(const struct smbd_tree *tree);

/* FileFsControlInformation [MS-FSCC §2.5.2]: no quotas here. */
void smbd_fs_put_control(struct wire_wr *w);

/* FileFsObjectIdInformation [MS-FSCC §2.5.6]: a per-share volume GUID. */
void smbd_fs_put_object_id(struct wire_wr *w, const struct smbd_tree *tree);

#endif
