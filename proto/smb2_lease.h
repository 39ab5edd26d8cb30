/*
 * smb2_lease.h - the lease wire formats [MS-SMB2]: the SMB2_CREATE_REQUEST_LEASE
 * create context, v1 (32 bytes, §2.2.13.2.8) and v2 (52 bytes, §2.2.13.2.10),
 * and its response (§2.2.14.2.10, §2.2.14.2.11); the Lease Break
 * Notification (§2.2.23.2) and the Lease Break Acknowledgment and its
 * response (§2.2.24.2, §2.2.25.2). A pure codec: what a state means is
 * smbd/fs/lease.c's.
 */
#ifndef WG_PROTO_SMB2_LEASE_H
#define WG_PROTO_SMB2_LEASE_H

#include "proto/wire.h"

/* LeaseState bits */
#define SMB2_LEASE_NONE			0x00u
#define SMB2_LEASE_READ			0x01u
#define SMB2_LEASE_HANDLE		0x02u
#define SMB2_LEASE_WRITE		0x04u

/* Flags of the create context */
#define SMB2_LEASE_FLAG_BREAK_IN_PROGRESS	0x02u
#define SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET	0x04u
/* Flags of the break notification */
#define SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED 0x01u

#define SMB2_LEASE_V1_SIZE		32
#define SMB2_LEASE_V2_SIZE		52
#define SMB2_LEASE_BREAK_SIZE		44	/* notification */
#define SMB2_LEASE_ACK_SIZE		36	/* acknowledgment, response */

struct smb2_lease {
	int version;		/* 1 or 2 */
	uint8_t key[16];
	uint32_t state;
	uint32_t flags;
	uint64_t duration;
	uint8_t parent_key[16];	/* v2 */
	uint16_t epoch;		/* v2 */
};

/*
 * Decode a lease create context's data (all of d): 52 bytes or more with
 * v2 allowed is v2, else 32 or more is v1. WIRE_E_SHORT if shorter than
 * 32. Unknown state bits and flags are returned as sent.
 */
int smb2_lease_ctx_pull(const struct wire_rd *d, bool v2_ok,
			struct smb2_lease *l) WIRE_WUR;

/* Encode a response context's data (32 or 52 bytes by l->version). */
void smb2_lease_ctx_push(struct wire_wr *w, const struct smb2_lease *l);

struct smb2_lease_break {
	uint16_t epoch;		/* NewEpoch (v2; 0 for v1) */
	uint32_t flags;		/* ACK_REQUIRED */
	uint8_t key[16];
	uint32_t current;	/* CurrentLeaseState */
	uint32_t new_state;	/* NewLeaseState */
};

/* Encode the 44-byte break notification body. */
void smb2_lease_break_push(struct wire_wr *w, const struct smb2_lease_break *b);

struct smb2_lease_ack {
	uint32_t flags;
	uint8_t key[16];
	uint32_t state;
	uint64_t duration;
};

/*
 * Decode a lease break acknowledgment body at the reader's cursor:
 * WIRE_E_SHORT if shorter than 36 bytes, WIRE_E_INVALID if StructureSize
 * is not 36. The cursor is left where it was on failure.
 */
int smb2_lease_ack_pull(struct wire_rd *r, struct smb2_lease_ack *a) WIRE_WUR;

/* Encode the 36-byte acknowledgment response body. */
void smb2_lease_ack_push(struct wire_wr *w, const struct smb2_lease_ack *a);

#endif
