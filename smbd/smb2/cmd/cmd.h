/*
 * cmd.h - the SMB2 command handlers, one file per command group, and
 * the table that names them (table.c).
 */
#ifndef WG_SMBD_SMB2_CMD_H
#define WG_SMBD_SMB2_CMD_H

#include "smbd/smbd.h"
#include "smbd/smb2/dispatch.h"

/* ---- command handlers: one file per command group ---- */
NTSTATUS smbd_smb2_negotiate(struct smbd_req *req);	/* smb2_negprot.c */
NTSTATUS smbd_smb2_session_setup(struct smbd_req *req);	/* smb2_sesssetup.c */
NTSTATUS smbd_smb2_logoff(struct smbd_req *req);	/* smb2_sesssetup.c */
NTSTATUS smbd_smb2_tree_connect(struct smbd_req *req);	/* smb2_tcon.c */
NTSTATUS smbd_smb2_tree_disconnect(struct smbd_req *req); /* smb2_tcon.c */
NTSTATUS smbd_smb2_create(struct smbd_req *req);	/* smb2_create.c */
NTSTATUS smbd_smb2_close(struct smbd_req *req);		/* smb2_create.c */
NTSTATUS smbd_smb2_flush(struct smbd_req *req);		/* smb2_read.c */
NTSTATUS smbd_smb2_read(struct smbd_req *req);		/* smb2_read.c */
NTSTATUS smbd_smb2_write(struct smbd_req *req);		/* smb2_read.c */
NTSTATUS smbd_smb2_lock(struct smbd_req *req);		/* smb2_lock.c */
NTSTATUS smbd_smb2_ioctl(struct smbd_req *req);		/* smb2_ioctl.c */
NTSTATUS smbd_smb2_cancel(struct smbd_req *req);	/* smb2_server.c */
NTSTATUS smbd_smb2_echo(struct smbd_req *req);		/* smb2_server.c */
NTSTATUS smbd_smb2_query_directory(struct smbd_req *req); /* smb2_query_directory.c */
NTSTATUS smbd_smb2_change_notify(struct smbd_req *req);	/* smb2_notify.c */
NTSTATUS smbd_smb2_query_info(struct smbd_req *req);	/* smb2_getinfo.c */
NTSTATUS smbd_smb2_set_info(struct smbd_req *req);	/* smb2_setinfo.c */

extern const struct smbd_cmd_row smbd_smb2_commands[SMB2_NUM_CMDS];

#endif
