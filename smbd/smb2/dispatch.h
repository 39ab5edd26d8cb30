/*
 * dispatch.h - the SMB2 layer's entry points: what a connection hands up
 * (through struct smbd_conn_upcalls, registered by daemon/server.c), the
 * command table the server installs (smb2/cmd/table.c), and the frame
 * entry the in-process fuzzer and unit tests drive.
 */
#ifndef WG_SMBD_SMB2_DISPATCH_H
#define WG_SMBD_SMB2_DISPATCH_H

#include "smbd/smbd.h"

/*
 * frame: SMB2 (plain or TRANSFORM) and SMB1 NEGOTIATE go on to the
 * dispatcher or srv->smb1_negotiate; anything else closes the
 * connection. resume: the blocked compound goes on.
 */
extern const struct smbd_conn_upcalls smbd_smb2_upcalls;

/*
 * One command of the table the dispatcher runs requests through: the
 * handler and the preconditions checked before it is called (the body
 * is at least StructureSize long; a session, a tree as required).
 */
struct smbd_cmd_row {
	NTSTATUS (*fn)(struct smbd_req *req);
	uint16_t struct_size;	/* request StructureSize */
	uint16_t struct_size2;	/* another it takes (0: none): the lease
				 * break acknowledgment's 36 */
	bool need_session;
	bool need_tree;
	bool allow_null;	/* may a null (anonymous) session use it */
};

/*
 * Install the command table, SMB2_NUM_CMDS rows indexed by command
 * (smb2/cmd/table.c has the server's). The rows are not copied: they
 * must outlive srv. Until a table is set every command is refused
 * with INVALID_PARAMETER.
 */
void smbd_smb2_set_commands(struct smbd_server *srv,
			    const struct smbd_cmd_row *rows);

/* The dispatcher's own commands, for the table (smb2/dispatch.c). */
NTSTATUS smbd_smb2_cancel(struct smbd_req *req);
NTSTATUS smbd_smb2_echo(struct smbd_req *req);

/* One plain SMB2 frame (possibly a compound chain); buf is stolen. */
void smbd_smb2_process_frame(struct smbd_conn *conn, uint8_t *buf, size_t len);

#endif
