/*
 * nbt.h - NetBIOS session service framing [RFC 1002 §4.3] and the
 * direct-TCP 4-byte length prefix [MS-SMB2 §2.1].
 */
#ifndef WG_PROTO_NBT_H
#define WG_PROTO_NBT_H

#include <stddef.h>
#include <stdint.h>
#include "proto/wire.h"

#define NBT_SESSION_MESSAGE		0x00
#define NBT_SESSION_REQUEST		0x81
#define NBT_POSITIVE_RESPONSE		0x82
#define NBT_NEGATIVE_RESPONSE		0x83
#define NBT_RETARGET_RESPONSE		0x84
#define NBT_SESSION_KEEPALIVE		0x85

#define NBT_ERR_NOT_LISTENING_CALLED	0x80
#define NBT_ERR_NOT_LISTENING_CALLING	0x81
#define NBT_ERR_CALLED_NOT_PRESENT	0x82
#define NBT_ERR_INSUFFICIENT_RESOURCES	0x83

/* Largest message we accept in one frame (2^24 - 1 is the wire max). */
#define NBT_MAX_FRAME			(16u * 1024 * 1024)
/* The largest length the 4-byte header can carry. */
#define NBT_MAX_LENGTH			0xFFFFFFu
/* The frame header: type, then a 24-bit big-endian length. */
#define NBT_FRAME_HDR_LEN		4

struct nbt_frame_hdr {
	uint8_t type;
	uint32_t length;	/* 24-bit (17-bit + extension on 139 is
				 * treated as 24-bit, as every client does) */
};

/* Decode the 4-byte frame header. Errors: WIRE_E_SHORT (cursor kept). */
int nbt_frame_hdr_pull(struct wire_rd *r, struct nbt_frame_hdr *h) WIRE_WUR;

/* Append a 4-byte frame header. A length over 2^24 - 1 sets the writer's
 * sticky error to WIRE_E_TOOBIG and writes nothing. */
void nbt_frame_hdr_push(struct wire_wr *w, uint8_t type, uint32_t length);

/*
 * The same header into a fixed buffer, for a transport that keeps it
 * beside the message it frames. Returns 0, or WIRE_E_TOOBIG for a
 * length over 2^24 - 1 (out is left alone).
 */
int nbt_frame_hdr_put(uint8_t out[NBT_FRAME_HDR_LEN], uint8_t type,
		      size_t length) WIRE_WUR;

/*
 * Append a whole NEGATIVE SESSION RESPONSE [RFC 1002 §4.3.4]: the frame
 * header (NBT_NEGATIVE_RESPONSE, length 1) and the error code
 * (NBT_ERR_*). Errors go to the writer's sticky error.
 */
void nbt_negative_response_push(struct wire_wr *w, uint8_t error);

/*
 * A NetBIOS name, decoded from first-level encoding [RFC 1001 §14.1]:
 * 15 characters (trailing spaces stripped, NUL-terminated) + suffix.
 */
struct nbt_name {
	char name[16];
	uint8_t suffix;
};

/*
 * Decode a SESSION REQUEST body (called name, calling name; each a
 * length-prefixed 32-byte first-level-encoded label, optionally followed
 * by scope labels ending in a zero byte). The scope is checked (labels of
 * 1..63 bytes, 255 bytes per name in all) and dropped. Trailing spaces and
 * NULs of the 15-character name are stripped; a control character left
 * inside the name (0x00-0x1F, 0x7F) is refused, so names are safe to log.
 * Bytes after the calling name are left unread. On error the cursor is
 * kept and the outputs are unspecified.
 * Errors: WIRE_E_SHORT, WIRE_E_INVALID (bad length byte, non-'A'..'P'
 * characters, bad scope label, control character in the name).
 */
int nbt_session_request_pull(struct wire_rd *r, struct nbt_name *called,
			     struct nbt_name *calling) WIRE_WUR;

/*
 * Append a SESSION REQUEST body, without the frame header (mirror of
 * nbt_session_request_pull; for tests and fuzz seeds). Names are encoded
 * as given (callers upper-case them), cut at 15 bytes, padded with
 * spaces, with no scope. Errors go to the writer's sticky error.
 */
void nbt_session_request_push(struct wire_wr *w, const struct nbt_name *called,
			      const struct nbt_name *calling);

#endif
