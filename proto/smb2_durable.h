/*
 * smb2_durable.h - the durable handle create contexts [MS-SMB2
 * §2.2.13.2.3-4, §2.2.13.2.11-12, §2.2.14.2.3-4, §2.2.14.2.12]: DHnQ
 * (v1 request), DHnC (v1 reconnect), DH2Q (v2 request with CreateGuid and
 * timeout), DH2C (v2 reconnect), their responses, and the rules on which
 * of them may come together in one CREATE [MS-SMB2 §3.3.5.9.6-7,
 * §3.3.5.9.10-12], and the application instance id that lets a client's
 * new open close its old one from another ClientGuid [MS-SMB2 §2.2.13.2.13,
 * §3.3.5.9.13]. Pure: no state, no I/O.
 */
#ifndef WG_PROTO_SMB2_DURABLE_H
#define WG_PROTO_SMB2_DURABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/wire.h"

#define SMB2_DHNQ_SIZE		16	/* DurableRequest: reserved */
#define SMB2_DHNC_SIZE		16	/* FileId */
#define SMB2_DH2Q_SIZE		32	/* Timeout, Flags, Reserved, CreateGuid */
#define SMB2_DH2C_SIZE		36	/* FileId, CreateGuid, Flags */
#define SMB2_DHNQ_RESP_SIZE	8	/* Reserved */
#define SMB2_DH2Q_RESP_SIZE	8	/* Timeout, Flags */

#define SMB2_DHANDLE_FLAG_PERSISTENT	0x00000002u

/* The kind of durable handle context a CREATE carries. */
enum smb2_durable_kind {
	SMB2_DURABLE_NONE = 0,
	SMB2_DURABLE_V1_REQ,		/* DHnQ */
	SMB2_DURABLE_V1_RECONNECT,	/* DHnC */
	SMB2_DURABLE_V2_REQ,		/* DH2Q */
	SMB2_DURABLE_V2_RECONNECT,	/* DH2C */
};

/* What the durable contexts of one CREATE ask for, collected. */
struct smb2_durable_ctx {
	uint8_t seen;			/* bit (1 << kind) per tag seen */
	bool dup;			/* one tag came twice */
	bool bad;			/* a context's data was malformed */
	uint64_t fid_persistent;	/* DHnC, DH2C */
	uint64_t fid_volatile;
	uint32_t timeout_ms;		/* DH2Q (0: server's choice) */
	uint32_t flags;			/* DH2Q, DH2C */
	uint8_t create_guid[16];	/* DH2Q, DH2C */
};

/* Which kind a 4-byte context tag names; NONE if not a durable one. */
enum smb2_durable_kind smb2_durable_tag(const uint8_t tag[4]);

/*
 * Add the context of `kind` (not NONE) with data to c: its fields are
 * parsed (short data sets c->bad, a repeated tag c->dup). Never fails.
 */
void smb2_durable_add(struct smb2_durable_ctx *c, enum smb2_durable_kind kind,
		      const struct wire_rd *data);

/*
 * The one durable context that takes effect, after the rules of
 * §3.3.5.9.6-12: v2 contexts are ignored below SMB 3.0 (v2_ok false);
 * DHnQ with DHnC, any v1 with any v2, DH2Q with DH2C, a repeated tag or
 * malformed data are an error (-1: INVALID_PARAMETER). *kind is NONE
 * when no durable context counts. Returns 0 or -1.
 */
int smb2_durable_pick(const struct smb2_durable_ctx *c, bool v2_ok,
		      enum smb2_durable_kind *kind);

/* ---- SMB2_CREATE_APP_INSTANCE_ID [MS-SMB2 §2.2.13.2.13] ---- */

#define SMB2_APP_INSTANCE_TAG_SIZE	16	/* its name is a GUID */
#define SMB2_APP_INSTANCE_SIZE		20	/* StructureSize, Reserved,
						 * AppInstanceId */

/* Is the create context name (len bytes) SMB2_CREATE_APP_INSTANCE_ID? */
bool smb2_app_instance_tag(const uint8_t *name, size_t len);

/*
 * The AppInstanceId of the context's data: 0, or -1 when the data is
 * shorter than SMB2_APP_INSTANCE_SIZE or its StructureSize is not 20
 * (the context is then ignored). id is left alone on failure.
 */
int smb2_app_instance_pull(const struct wire_rd *data, uint8_t id[16]);

/* Responses: DHnQ (8 bytes reserved) and DH2Q (Timeout, Flags). */
void smb2_dhnq_resp(uint8_t out[SMB2_DHNQ_RESP_SIZE]);
void smb2_dh2q_resp(uint8_t out[SMB2_DH2Q_RESP_SIZE], uint32_t timeout_ms,
		    uint32_t flags);

#endif
