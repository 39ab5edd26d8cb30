/*
 * cmd.h - the SMB2 command handlers, one file per command group, and
 * the table that names them (table.c), which the server installs with
 * smbd_smb2_set_commands(). A handler answers through the request (see
 * struct smbd_req in smbd.h and the dispatcher services in
 * smb2/request.h); CANCEL and ECHO are the dispatcher's own.
 */
#ifndef WG_SMBD_SMB2_CMD_H
#define WG_SMBD_SMB2_CMD_H

#include "smbd/smbd.h"
#include "smbd/smb2/dispatch.h"
#include "smbd/smb2/request.h"
#include "smbd/fs/open.h"

NTSTATUS smbd_smb2_negotiate(struct smbd_req *req);	/* negprot.c */
NTSTATUS smbd_smb2_session_setup(struct smbd_req *req);	/* sesssetup.c */
NTSTATUS smbd_smb2_logoff(struct smbd_req *req);	/* sesssetup.c */
NTSTATUS smbd_smb2_tree_connect(struct smbd_req *req);	/* tcon.c */
NTSTATUS smbd_smb2_tree_disconnect(struct smbd_req *req); /* tcon.c */
NTSTATUS smbd_smb2_create(struct smbd_req *req);	/* create.c */
NTSTATUS smbd_smb2_close(struct smbd_req *req);		/* create.c */
NTSTATUS smbd_smb2_flush(struct smbd_req *req);		/* rw.c */
NTSTATUS smbd_smb2_read(struct smbd_req *req);		/* rw.c */
NTSTATUS smbd_smb2_write(struct smbd_req *req);		/* rw.c */
NTSTATUS smbd_smb2_lock(struct smbd_req *req);		/* lock.c */
NTSTATUS smbd_smb2_ioctl(struct smbd_req *req);		/* ioctl.c */
NTSTATUS smbd_smb2_query_directory(struct smbd_req *req); /* querydir.c */
NTSTATUS smbd_smb2_change_notify(struct smbd_req *req);	/* notify.c */
NTSTATUS smbd_smb2_query_info(struct smbd_req *req);	/* getinfo.c */
NTSTATUS smbd_smb2_set_info(struct smbd_req *req);	/* setinfo.c */
/* SET_INFO SMB2_0_INFO_SECURITY on op: the descriptor in buf, the parts
 * named by addl_info (SECURITY_INFORMATION); secinfo.c */
NTSTATUS smbd_secinfo_set(struct smbd_req *req, struct smbd_open *op,
			  uint32_t addl_info, const struct wire_rd *buf);
NTSTATUS smbd_smb2_oplock_break(struct smbd_req *req);	/* oplock.c */

/* Break notifications, registered as srv->oplock_up (oplock.c). */
extern const struct smbd_oplock_upcalls smbd_smb2_oplock_upcalls;

/* Every command, indexed by command code (table.c). */
extern const struct smbd_cmd_row smbd_smb2_commands[SMB2_NUM_CMDS];

/* An SMB1 frame: only NEGOTIATE is legal (smb2/cmd/negprot.c). */
void smbd_smb1_process_frame(struct smbd_conn *conn, const uint8_t *buf,
			     size_t len);


/*
 * Byte-range locks (smb2/cmd/lock.c): may op read (write false) or write
 * [offset, offset+length) given the other opens' locks? NT_STATUS_OK or
 * NT_STATUS_FILE_LOCK_CONFLICT. (An open's locks and waiters are released
 * by the attachment its first LOCK makes, fs/open.h.)
 */
NTSTATUS smbd_lock_check_io(const struct smbd_open *op, uint64_t offset,
			    uint64_t length, bool write);

#endif
