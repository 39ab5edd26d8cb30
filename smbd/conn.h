/*
 * conn.h - one TCP connection: framing in, send queue out, teardown.
 */
#ifndef WG_SMBD_CONN_H
#define WG_SMBD_CONN_H

#include "smbd.h"

/* Take ownership of an accepted, non-blocking fd. NULL on failure (the
 * caller closes fd). */
struct smbd_conn *smbd_conn_new(struct smbd_server *srv, int fd, bool netbios);

/*
 * Queue one frame for sending: buf holds the message WITHOUT the 4-byte
 * transport header (added here). buf is stolen. Returns 0 or -ENOMEM.
 */
int smbd_conn_send(struct smbd_conn *conn, uint8_t *buf, size_t len);

/* Queue raw bytes (NetBIOS session responses). buf is stolen. */
int smbd_conn_send_raw(struct smbd_conn *conn, uint8_t *buf, size_t len);

/* Provided by smb2_server.c: process one complete frame (owned by the
 * callee after the call: it is stolen). */
void smbd_smb2_process_frame(struct smbd_conn *conn, uint8_t *buf, size_t len);

/* Provided by smb2_negprot.c: an SMB1 frame (only NEGOTIATE is legal). */
void smbd_smb1_process_frame(struct smbd_conn *conn, const uint8_t *buf,
			     size_t len);

/* Largest frame accepted in the current state. */
size_t smbd_conn_max_frame(const struct smbd_conn *conn);

#endif
