/*
 * smb2.h - SMB2/3 wire constants and the 64-byte sync/async header
 * [MS-SMB2 §2.2.1]. Pure: no I/O.
 */
#ifndef WG_PROTO_SMB2_H
#define WG_PROTO_SMB2_H

#include <stdint.h>
#include <stdbool.h>
#include "proto/fscc.h"	/* file attributes, info classes */
#include "proto/wire.h"

#define SMB2_HDR_SIZE		64
#define SMB2_MAGIC		"\xfeSMB"
#define SMB2_TRANSFORM_MAGIC	"\xfdSMB"
#define SMB1_MAGIC		"\xffSMB"

enum smb2_cmd {
	SMB2_NEGOTIATE = 0x00,
	SMB2_SESSION_SETUP = 0x01,
	SMB2_LOGOFF = 0x02,
	SMB2_TREE_CONNECT = 0x03,
	SMB2_TREE_DISCONNECT = 0x04,
	SMB2_CREATE = 0x05,
	SMB2_CLOSE = 0x06,
	SMB2_FLUSH = 0x07,
	SMB2_READ = 0x08,
	SMB2_WRITE = 0x09,
	SMB2_LOCK = 0x0A,
	SMB2_IOCTL = 0x0B,
	SMB2_CANCEL = 0x0C,
	SMB2_ECHO = 0x0D,
	SMB2_QUERY_DIRECTORY = 0x0E,
	SMB2_CHANGE_NOTIFY = 0x0F,
	SMB2_QUERY_INFO = 0x10,
	SMB2_SET_INFO = 0x11,
	SMB2_OPLOCK_BREAK = 0x12,
	SMB2_NUM_CMDS = 0x13,
};

/* Header Flags */
#define SMB2_FLAGS_SERVER_TO_REDIR	0x00000001u
#define SMB2_FLAGS_ASYNC_COMMAND	0x00000002u
#define SMB2_FLAGS_RELATED_OPERATIONS	0x00000004u
#define SMB2_FLAGS_SIGNED		0x00000008u
#define SMB2_FLAGS_PRIORITY_MASK	0x00000070u
#define SMB2_FLAGS_DFS_OPERATIONS	0x10000000u
#define SMB2_FLAGS_REPLAY_OPERATION	0x20000000u

/* Dialects */
#define SMB2_DIALECT_202	0x0202
#define SMB2_DIALECT_210	0x0210
#define SMB2_DIALECT_300	0x0300
#define SMB2_DIALECT_302	0x0302
#define SMB2_DIALECT_311	0x0311
#define SMB2_DIALECT_WILDCARD	0x02FF

/* Negotiate SecurityMode */
#define SMB2_NEGOTIATE_SIGNING_ENABLED	0x0001
#define SMB2_NEGOTIATE_SIGNING_REQUIRED	0x0002

/* Capabilities */
#define SMB2_GLOBAL_CAP_DFS		0x00000001u
#define SMB2_GLOBAL_CAP_LEASING		0x00000002u
#define SMB2_GLOBAL_CAP_LARGE_MTU	0x00000004u
#define SMB2_GLOBAL_CAP_MULTI_CHANNEL	0x00000008u
#define SMB2_GLOBAL_CAP_PERSISTENT_HANDLES 0x00000010u
#define SMB2_GLOBAL_CAP_DIRECTORY_LEASING 0x00000020u
#define SMB2_GLOBAL_CAP_ENCRYPTION	0x00000040u

/* Negotiate contexts (3.1.1) */
#define SMB2_PREAUTH_INTEGRITY_CAPABILITIES	0x0001
#define SMB2_ENCRYPTION_CAPABILITIES		0x0002
#define SMB2_COMPRESSION_CAPABILITIES		0x0003
#define SMB2_NETNAME_NEGOTIATE_CONTEXT_ID	0x0005
#define SMB2_TRANSPORT_CAPABILITIES		0x0006
#define SMB2_RDMA_TRANSFORM_CAPABILITIES	0x0007
#define SMB2_SIGNING_CAPABILITIES		0x0008
#define SMB2_PREAUTH_HASH_SHA512		0x0001
#define SMB2_SIGNING_HMAC_SHA256		0x0000
#define SMB2_SIGNING_AES_CMAC			0x0001
#define SMB2_SIGNING_AES_GMAC			0x0002

/* SESSION_SETUP */
#define SMB2_SESSION_FLAG_BINDING		0x01
#define SMB2_SESSION_FLAG_IS_GUEST		0x0001
#define SMB2_SESSION_FLAG_IS_NULL		0x0002
#define SMB2_SESSION_FLAG_ENCRYPT_DATA		0x0004

/* TREE_CONNECT */
#define SMB2_SHARE_TYPE_DISK	0x01
#define SMB2_SHARE_TYPE_PIPE	0x02
#define SMB2_SHARE_TYPE_PRINT	0x03
#define SMB2_SHAREFLAG_MANUAL_CACHING	0x00000000u
#define SMB2_SHAREFLAG_NO_CACHING	0x00000030u
#define SMB2_SHAREFLAG_ACCESS_BASED_DIRECTORY_ENUM	0x00000800u

/* Access mask [MS-SMB2 §2.2.13.1] */
#define FILE_READ_DATA		0x00000001u
#define FILE_LIST_DIRECTORY	0x00000001u
#define FILE_WRITE_DATA		0x00000002u
#define FILE_ADD_FILE		0x00000002u
#define FILE_APPEND_DATA	0x00000004u
#define FILE_ADD_SUBDIRECTORY	0x00000004u
#define FILE_READ_EA		0x00000008u
#define FILE_WRITE_EA		0x00000010u
#define FILE_EXECUTE		0x00000020u
#define FILE_TRAVERSE		0x00000020u
#define FILE_DELETE_CHILD	0x00000040u
#define FILE_READ_ATTRIBUTES	0x00000080u
#define FILE_WRITE_ATTRIBUTES	0x00000100u
#define SEC_STD_DELETE		0x00010000u
#define SEC_STD_READ_CONTROL	0x00020000u
#define SEC_STD_WRITE_DAC	0x00040000u
#define SEC_STD_WRITE_OWNER	0x00080000u
#define SEC_STD_SYNCHRONIZE	0x00100000u
#define SEC_FLAG_SYSTEM_SECURITY 0x01000000u
#define SEC_FLAG_MAXIMUM_ALLOWED 0x02000000u
#define SEC_GENERIC_ALL		0x10000000u
#define SEC_GENERIC_EXECUTE	0x20000000u
#define SEC_GENERIC_WRITE	0x40000000u
#define SEC_GENERIC_READ	0x80000000u
#define FILE_ALL_ACCESS		0x001F01FFu

/* Share access */
#define FILE_SHARE_READ		0x00000001u
#define FILE_SHARE_WRITE	0x00000002u
#define FILE_SHARE_DELETE	0x00000004u

/* Create disposition */
#define FILE_SUPERSEDE		0
#define FILE_OPEN		1
#define FILE_CREATE		2
#define FILE_OPEN_IF		3
#define FILE_OVERWRITE		4
#define FILE_OVERWRITE_IF	5

/* Create action */
#define FILE_WAS_SUPERSEDED	0
#define FILE_WAS_OPENED		1
#define FILE_WAS_CREATED	2
#define FILE_WAS_OVERWRITTEN	3

/* Create options */
#define FILE_DIRECTORY_FILE		0x00000001u
#define FILE_WRITE_THROUGH		0x00000002u
#define FILE_SEQUENTIAL_ONLY		0x00000004u
#define FILE_NO_INTERMEDIATE_BUFFERING	0x00000008u
#define FILE_NON_DIRECTORY_FILE		0x00000040u
#define FILE_NO_EA_KNOWLEDGE		0x00000200u
#define FILE_RANDOM_ACCESS		0x00000800u
#define FILE_DELETE_ON_CLOSE		0x00001000u
#define FILE_OPEN_BY_FILE_ID		0x00002000u
#define FILE_OPEN_FOR_BACKUP_INTENT	0x00004000u
#define FILE_OPEN_REPARSE_POINT		0x00200000u

/* Oplock levels [MS-SMB2 §2.2.13] */
#define SMB2_OPLOCK_LEVEL_NONE		0x00
#define SMB2_OPLOCK_LEVEL_II		0x01
#define SMB2_OPLOCK_LEVEL_EXCLUSIVE	0x08
#define SMB2_OPLOCK_LEVEL_BATCH		0x09
#define SMB2_OPLOCK_LEVEL_LEASE		0xFF

/* CLOSE flags */
#define SMB2_CLOSE_FLAGS_FULL_INFORMATION 0x0001

/* READ/WRITE */
#define SMB2_READFLAG_READ_UNBUFFERED	0x01

/* QUERY_DIRECTORY flags */
#define SMB2_RESTART_SCANS	0x01
#define SMB2_RETURN_SINGLE_ENTRY 0x02
#define SMB2_INDEX_SPECIFIED	0x04
#define SMB2_REOPEN		0x10

/* QUERY_INFO / SET_INFO InfoType */
#define SMB2_0_INFO_FILE	0x01
#define SMB2_0_INFO_FILESYSTEM	0x02
#define SMB2_0_INFO_SECURITY	0x03
#define SMB2_0_INFO_QUOTA	0x04

/* LOCK flags */
#define SMB2_LOCKFLAG_SHARED_LOCK	0x01
#define SMB2_LOCKFLAG_EXCLUSIVE_LOCK	0x02
#define SMB2_LOCKFLAG_UNLOCK		0x04
#define SMB2_LOCKFLAG_FAIL_IMMEDIATELY	0x10

/* IOCTL */
#define SMB2_0_IOCTL_IS_FSCTL			0x00000001u
#define FSCTL_DFS_GET_REFERRALS			0x00060194u
#define FSCTL_DFS_GET_REFERRALS_EX		0x000601B0u
#define FSCTL_PIPE_PEEK				0x0011400Cu
#define FSCTL_PIPE_TRANSCEIVE			0x0011C017u
#define FSCTL_PIPE_WAIT				0x00110018u
#define FSCTL_VALIDATE_NEGOTIATE_INFO		0x00140204u
#define FSCTL_QUERY_NETWORK_INTERFACE_INFO	0x001401FCu
#define FSCTL_LMR_REQUEST_RESILIENCY		0x001401D4u
#define FSCTL_SRV_ENUMERATE_SNAPSHOTS		0x00144064u
#define FSCTL_SRV_REQUEST_RESUME_KEY		0x00140078u
#define FSCTL_GET_REPARSE_POINT			0x000900A8u
#define FSCTL_CREATE_OR_GET_OBJECT_ID		0x000900C0u
#define FSCTL_SET_SPARSE			0x000900C4u

/* CHANGE_NOTIFY */
#define SMB2_WATCH_TREE		0x0001

/* The all-ones FileId used by related compound requests */
#define SMB2_FID_RELATED	UINT64_MAX

/*
 * The 64-byte header, decoded. For async messages (FLAGS_ASYNC_COMMAND)
 * async_id is set and tree_id/reserved are not; otherwise the reverse.
 */
struct smb2_hdr {
	uint16_t credit_charge;
	uint32_t status;	/* ChannelSequence/Reserved in requests */
	uint16_t command;
	uint16_t credits;	/* CreditRequest / CreditResponse */
	uint32_t flags;
	uint32_t next_command;
	uint64_t message_id;
	uint32_t reserved;	/* sync: Reserved (process id) */
	uint32_t tree_id;	/* sync only */
	uint64_t async_id;	/* async only */
	uint64_t session_id;
	uint8_t signature[16];
};

/*
 * Decode the header at the reader's cursor. Checks ProtocolId and
 * StructureSize (64). On success the cursor is past the header.
 * Errors: WIRE_E_SHORT, WIRE_E_INVALID.
 */
int smb2_hdr_pull(struct wire_rd *r, struct smb2_hdr *h) WIRE_WUR;

/* Append the 64-byte header (signature as given). */
void smb2_hdr_push(struct wire_wr *w, const struct smb2_hdr *h);

/* Offset of fields inside the header, for in-place patching/signing */
#define SMB2_HDR_OFF_STATUS	8
#define SMB2_HDR_OFF_COMMAND	12
#define SMB2_HDR_OFF_CREDIT	14
#define SMB2_HDR_OFF_FLAGS	16
#define SMB2_HDR_OFF_NEXT	20
#define SMB2_HDR_OFF_MID	24
#define SMB2_HDR_OFF_SESSION	40
#define SMB2_HDR_OFF_SIGNATURE	48

/*
 * READ and WRITE response bodies [MS-SMB2 §2.2.20, §2.2.22], for files
 * and named pipes alike. StructureSize is 17 for both: 16 fixed bytes
 * and one more that is the first byte of the data (or a pad byte).
 */
#define SMB2_READ_RESP_SIZE	17
#define SMB2_WRITE_RESP_SIZE	17
/* DataOffset of a READ response, from the start of its SMB2 header. */
#define SMB2_READ_DATA_OFFSET	(SMB2_HDR_SIZE + 16)

/*
 * The 16 fixed bytes of a READ response for data_len bytes of data, which
 * must follow at SMB2_READ_DATA_OFFSET (appended by the caller, or sent
 * beside the body without a copy). DataRemaining is 0.
 */
void smb2_read_resp_push_fixed(struct wire_wr *w, uint32_t data_len);

/* A whole READ response body: the fixed bytes, then len bytes of data,
 * or the pad byte StructureSize counts when len is 0. */
void smb2_read_resp_push(struct wire_wr *w, const uint8_t *data,
			 uint32_t len);

/*
 * OPLOCK_BREAK [MS-SMB2 §2.2.23.1, §2.2.24.1, §2.2.25.1]: the server's
 * notification, the client's acknowledgment and the server's response
 * share one 24-byte body: StructureSize, OplockLevel, Reserved,
 * Reserved2, FileId. (A lease break acknowledgment is 36 bytes.)
 */
#define SMB2_OPLOCK_BREAK_SIZE		24
#define SMB2_LEASE_BREAK_ACK_SIZE	36
/* MessageId of an unsolicited notification [MS-SMB2 §3.3.4.6] */
#define SMB2_MID_NOTIFICATION		0xFFFFFFFFFFFFFFFFull

struct smb2_oplock_break {
	uint8_t level;
	uint64_t fid_persistent;
	uint64_t fid_volatile;
};

/*
 * Decode an oplock break acknowledgment body at the reader's cursor.
 * WIRE_E_SHORT if it is shorter than 24 bytes, WIRE_E_INVALID if
 * StructureSize is not 24, WIRE_E_UNSUPPORTED if it is 36 (a lease break
 * acknowledgment). The level is returned as sent: whether it is one the
 * open may acknowledge is for the caller. Reserved fields are ignored.
 * The cursor is left where it was on failure.
 */
int smb2_oplock_break_pull(struct wire_rd *r, struct smb2_oplock_break *b)
	WIRE_WUR;

/* Encode the 24-byte body (notification or response). */
void smb2_oplock_break_push(struct wire_wr *w,
			    const struct smb2_oplock_break *b);

/* A whole WRITE response body for count bytes written (17 bytes;
 * Remaining and the channel info are 0). */
void smb2_write_resp_push(struct wire_wr *w, uint32_t count);

/*
 * The data buffers a request sends (*in) and may get back (*out), read
 * from its body (the bytes after the SMB2 header): READ Length, WRITE
 * Length, QUERY_DIRECTORY/QUERY_INFO/CHANGE_NOTIFY OutputBufferLength,
 * SET_INFO BufferLength, IOCTL InputCount and MaxOutputResponse. For the
 * LARGE_MTU credit charge [MS-SMB2 §3.3.5.2.5] and reply bounds. Other
 * commands, and bodies too short to hold the field, give 0.
 */
void smb2_req_payload(uint16_t command, const uint8_t *body, size_t len,
		      uint32_t *in, uint32_t *out);

/* Name of a command for logs ("CREATE"), or "UNKNOWN". */
const char *smb2_cmd_name(uint16_t cmd);

/* "SMB2_02", "SMB3_11" ... for a dialect, or NULL. */
const char *smb2_dialect_name(uint16_t dialect);
/* Parse "SMB2_02", "SMB2_10", "SMB3_00", "SMB3_02", "SMB3_11" (also
 * "SMB2", "SMB3" as the lowest/highest of that family). 0 if unknown. */
uint16_t smb2_dialect_parse(const char *s, bool max);

#endif
