/*
 * smb2_fsctl.h - the input and output buffers of the file FSCTLs wgsmbd
 * serves beyond the connection-level ones in smb2.h: server-side copy
 * [MS-SMB2 §2.2.31.1, §2.2.32.1, §2.2.32.3] and the sparse-file and
 * compression controls [MS-FSCC §2.3.7, §2.3.33, §2.3.34, §2.3.65,
 * §2.3.67, §2.3.69]. A pure codec: what a request means and which
 * NTSTATUS it earns is smbd/smb2/cmd/fsctl_file.c's.
 *
 * Every pull reads the whole input buffer d (the IOCTL's Input), never
 * past it, and leaves d alone; every push appends to w.
 */
#ifndef WG_PROTO_SMB2_FSCTL_H
#define WG_PROTO_SMB2_FSCTL_H

#include "proto/wire.h"

/* FSCTL codes [MS-FSCC §2.3] (the others are in smb2.h) */
#define FSCTL_GET_COMPRESSION		0x0009003Cu
#define FSCTL_SET_COMPRESSION		0x0009C040u
#define FSCTL_SET_ZERO_DATA		0x000980C8u
#define FSCTL_QUERY_ALLOCATED_RANGES	0x000940CFu
#define FSCTL_SRV_COPYCHUNK		0x001440F2u
#define FSCTL_SRV_COPYCHUNK_WRITE	0x001480F2u
/* object ids [MS-FSCC §2.3.6, §2.3.13, §2.3.25, §2.3.71, §2.3.73]
 * (FSCTL_CREATE_OR_GET_OBJECT_ID is in smb2.h) */
#define FSCTL_SET_OBJECT_ID		0x00090098u
#define FSCTL_GET_OBJECT_ID		0x0009009Cu
#define FSCTL_DELETE_OBJECT_ID		0x000900A0u
#define FSCTL_SET_OBJECT_ID_EXTENDED	0x000900BCu

/* ---- server-side copy [MS-SMB2 §2.2.31.1, §2.2.32.1, §2.2.32.3] ---- */

#define SMB2_RESUME_KEY_SIZE		24
/* SRV_REQUEST_RESUME_KEY response: key, ContextLength, 4 bytes Context */
#define SMB2_RESUME_KEY_RESP_SIZE	32
#define SMB2_COPYCHUNK_HDR_SIZE		32	/* key, count, reserved */
#define SMB2_COPYCHUNK_ENTRY_SIZE	24
#define SMB2_COPYCHUNK_RESP_SIZE	12

/*
 * The server's limits [MS-SMB2 §3.3.3]: ServerSideCopyMaxNumberofChunks,
 * ServerSideCopyMaxChunkSize, ServerSideCopyMaxDataSize (Windows' values).
 */
#define SMB2_COPYCHUNK_MAX_CHUNKS	256u
#define SMB2_COPYCHUNK_MAX_CHUNK_SIZE	(1024u * 1024u)
#define SMB2_COPYCHUNK_MAX_DATA		(16u * 1024u * 1024u)

struct smb2_copychunk {
	uint64_t src_off;
	uint64_t dst_off;
	uint32_t len;
};

struct smb2_copychunk_req {
	uint8_t key[SMB2_RESUME_KEY_SIZE];
	uint32_t count;
	struct smb2_copychunk chunks[SMB2_COPYCHUNK_MAX_CHUNKS];
};

/*
 * Decode an SRV_COPYCHUNK_COPY. WIRE_E_SHORT if d holds less than the
 * 32-byte header or fewer than ChunkCount entries; WIRE_E_TOOBIG if
 * ChunkCount is over SMB2_COPYCHUNK_MAX_CHUNKS (then only key and count
 * are set: the caller answers with the limits). Bytes after the last
 * entry are ignored.
 */
int smb2_copychunk_req_pull(const struct wire_rd *d,
			    struct smb2_copychunk_req *req) WIRE_WUR;

/* Encode one (for tests and the fuzzer's round trip). */
void smb2_copychunk_req_push(struct wire_wr *w,
			     const struct smb2_copychunk_req *req);

/*
 * Are the chunks within the limits above, each 1 byte or more
 * [MS-SMB2 §3.3.5.15.6]? Assumes count <= SMB2_COPYCHUNK_MAX_CHUNKS.
 */
bool smb2_copychunk_within_limits(const struct smb2_copychunk_req *req);

/*
 * SRV_COPYCHUNK_RESPONSE. After a copy: chunks written, bytes of the
 * failed chunk written (always 0 here), total bytes. When the limits
 * were exceeded the same three fields carry the limits instead.
 */
struct smb2_copychunk_resp {
	uint32_t chunks_written;
	uint32_t chunk_bytes_written;
	uint32_t total_bytes_written;
};

void smb2_copychunk_resp_push(struct wire_wr *w,
			      const struct smb2_copychunk_resp *r);
int smb2_copychunk_resp_pull(const struct wire_rd *d,
			     struct smb2_copychunk_resp *r) WIRE_WUR;

/* The SRV_REQUEST_RESUME_KEY response (32 bytes, no context). */
void smb2_resume_key_resp_push(struct wire_wr *w,
			       const uint8_t key[SMB2_RESUME_KEY_SIZE]);

/* ---- sparse files [MS-FSCC §2.3.33, §2.3.65, §2.3.67] ---- */

/* FILE_ALLOCATED_RANGE_BUFFER and FILE_ZERO_DATA_INFORMATION: two
 * signed 64-bit fields, 16 bytes */
#define SMB2_FILE_RANGE_SIZE		16

/*
 * An (offset, length) pair of QUERY_ALLOCATED_RANGES or an (offset,
 * beyond final zero) pair of SET_ZERO_DATA, as sent: signed on the wire,
 * so a value over INT64_MAX is one the caller must refuse.
 */
struct smb2_file_range {
	uint64_t off;
	uint64_t len_or_end;
};

/* WIRE_E_SHORT if d holds fewer than 16 bytes; more are ignored. */
int smb2_file_range_pull(const struct wire_rd *d,
			 struct smb2_file_range *fr) WIRE_WUR;
void smb2_file_range_push(struct wire_wr *w, uint64_t off, uint64_t len);

/*
 * FILE_SET_SPARSE_BUFFER: an empty buffer means "set" [MS-FSCC §2.3.65];
 * otherwise the first byte, nonzero meaning set. Never fails.
 */
bool smb2_set_sparse_pull(const struct wire_rd *d);

/* ---- compression [MS-FSCC §2.3.7, §2.3.69] ---- */

#define COMPRESSION_FORMAT_NONE		0x0000u
#define COMPRESSION_FORMAT_DEFAULT	0x0001u
#define COMPRESSION_FORMAT_LZNT1	0x0002u

/* The 2-byte CompressionState. WIRE_E_SHORT if d holds fewer. */
int smb2_compression_pull(const struct wire_rd *d, uint16_t *state) WIRE_WUR;
void smb2_compression_push(struct wire_wr *w, uint16_t state);

#endif
