/*
 * rap.h - the Remote Administration Protocol on \PIPE\LANMAN [MS-RAP]:
 * the calls old clients use to browse (NetShareEnum, NetServerGetInfo,
 * NetWkstaGetInfo, NetServerEnum2). Requests are parsed from a TRANS
 * parameter block; responses are built as the TRANS reply's parameter
 * and data blocks. Strings are OEM: we write ASCII, '?' for the rest.
 */
#ifndef WG_PROTO_RAP_H
#define WG_PROTO_RAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/wire.h"

#define RAP_NetShareEnum	0
#define RAP_NetServerGetInfo	13
#define RAP_NetWkstaGetInfo	63
#define RAP_NetServerEnum2	104

/* Status words [MS-RAP §2.5.1] */
#define RAP_NERR_Success	0
#define RAP_ERROR_NOT_SUPPORTED	50
#define RAP_ERROR_MORE_DATA	234
#define RAP_NERR_BufTooSmall	2123
#define RAP_ERROR_INVALID_LEVEL	124

/* The longest domain name NetServerEnum2 carries (OEM, NUL excluded) */
#define RAP_MAX_DOMAIN		15

struct rap_req {
	uint16_t api;
	const char *param_desc;		/* into the parsed buffer */
	const char *data_desc;
	bool known;			/* one of the four calls, parameters
					 * read: the fields below are set */
	uint16_t level;
	uint16_t rcv_len;		/* ReceiveBufferSize */
	uint32_t server_type;		/* NetServerEnum2 */
	char domain[RAP_MAX_DOMAIN + 1];	/* NetServerEnum2, "" if none */
};

/*
 * Parse a RAP request (a TRANS parameter block p, n bytes). 0 on
 * success: r->known tells whether the call is one we serve with the
 * descriptors [MS-RAP §3.2.5] give for it (r->api is set either way);
 * WIRE_E_SHORT / WIRE_E_INVALID when the block is malformed (no NUL
 * in a descriptor, parameters missing, a domain too long).
 */
int rap_req_parse(const uint8_t *p, size_t n, struct rap_req *r) WIRE_WUR;

/* What the responses describe */
struct rap_share {
	const char *name;
	uint16_t type;			/* 0 disk, 1 print queue, 3 IPC */
	const char *comment;
};

struct rap_server {
	const char *name;		/* NetBIOS name */
	const char *workgroup;
	const char *comment;
	const char *user;		/* NetWkstaGetInfo's UserName */
	uint8_t major, minor;
	uint32_t type;			/* SV_TYPE_* */
};

/*
 * Responses: each appends the reply parameters (Status, Converter and
 * the call's counts) to param and the entries with their strings to
 * data, within rcv_len bytes of data (fewer entries and
 * ERROR_MORE_DATA, or NERR_BufTooSmall, when they do not fit).
 */
void rap_share_enum_push(struct wire_wr *param, struct wire_wr *data,
			 const struct rap_req *r,
			 const struct rap_share *shares, size_t n);
void rap_server_info_push(struct wire_wr *param, struct wire_wr *data,
			  const struct rap_req *r,
			  const struct rap_server *s);
void rap_wksta_info_push(struct wire_wr *param, struct wire_wr *data,
			 const struct rap_req *r, const struct rap_server *s);
/* NetServerEnum2: ourselves when r asks for a type we are of and our
 * workgroup (or none), else an empty list. */
void rap_server_enum2_push(struct wire_wr *param, struct wire_wr *data,
			   const struct rap_req *r,
			   const struct rap_server *s);
/* Any other call: just the status word and a zero converter. */
void rap_status_push(struct wire_wr *param, uint16_t status);

#endif
