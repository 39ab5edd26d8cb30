/*
 * dcerpc.h - connection-oriented DCE/RPC PDUs [C706 §12.6, MS-RPCE
 * §2.2.2]: the common header, bind / alter_context and their answers,
 * request, response and fault. A pure codec: bytes in, structs out, and
 * back. No state, no authentication (auth_length must be 0).
 *
 * Only version 5.0/5.1 and data representation 0x10 0x00 0x00 0x00
 * (little-endian integers, ASCII, IEEE floats) are accepted. Parsers take
 * exactly one fragment (len == frag_length) and never read outside it;
 * pointers they return (stub data, secondary address) point into it.
 * Context and transfer syntax counts are capped, so the structs are of
 * fixed size and nothing is allocated.
 *
 * Writers append one whole PDU to a struct wire_wr (alignment inside the
 * PDU is measured from where it starts) and patch frag_length at the end;
 * a PDU over 65535 bytes fails the writer with WIRE_E_TOOBIG.
 */
#ifndef WG_PROTO_DCERPC_H
#define WG_PROTO_DCERPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/wire.h"

#define DCERPC_HDR_LEN		16
#define DCERPC_REQUEST_HDR_LEN	24	/* + 16 with an object UUID */
#define DCERPC_RESPONSE_HDR_LEN	24
#define DCERPC_FAULT_LEN	32

enum dcerpc_ptype {
	DCERPC_PTYPE_REQUEST = 0,
	DCERPC_PTYPE_RESPONSE = 2,
	DCERPC_PTYPE_FAULT = 3,
	DCERPC_PTYPE_BIND = 11,
	DCERPC_PTYPE_BIND_ACK = 12,
	DCERPC_PTYPE_BIND_NAK = 13,
	DCERPC_PTYPE_ALTER = 14,
	DCERPC_PTYPE_ALTER_RESP = 15,
};

/* pfc_flags */
#define DCERPC_PFC_FIRST		0x01
#define DCERPC_PFC_LAST			0x02
#define DCERPC_PFC_PENDING_CANCEL	0x04
#define DCERPC_PFC_CONC_MPX		0x10
#define DCERPC_PFC_DID_NOT_EXECUTE	0x20
#define DCERPC_PFC_MAYBE		0x40
#define DCERPC_PFC_OBJECT_UUID		0x80

/* p_cont_def_result_t and p_provider_reason_t [C706 §12.6.3.1] */
#define DCERPC_RESULT_ACCEPT			0
#define DCERPC_RESULT_USER_REJECTION		1
#define DCERPC_RESULT_PROVIDER_REJECTION	2
#define DCERPC_RESULT_NEGOTIATE_ACK		3	/* MS-RPCE */
#define DCERPC_REASON_NOT_SPECIFIED		0
#define DCERPC_REASON_ABSTRACT_NOT_SUPPORTED	1
#define DCERPC_REASON_TRANSFER_NOT_SUPPORTED	2
#define DCERPC_REASON_LOCAL_LIMIT_EXCEEDED	3

/* bind_nak reject reasons [C706 §12.6.3.1] */
#define DCERPC_NAK_NOT_SPECIFIED		0
#define DCERPC_NAK_LOCAL_LIMIT_EXCEEDED		2
#define DCERPC_NAK_PROTOCOL_VERSION		4
#define DCERPC_NAK_AUTH_TYPE_NOT_RECOGNIZED	8

/* Fault status codes [C706 App. E, MS-RPCE §3.1.1.5.5] */
#define DCERPC_NCA_OP_RNG_ERROR		0x1c010002u
#define DCERPC_NCA_UNKNOWN_IF		0x1c010003u
#define DCERPC_NCA_PROTO_ERROR		0x1c01000bu
#define DCERPC_NCA_CONTEXT_MISMATCH	0x1c00001au
#define DCERPC_FAULT_ACCESS_DENIED	0x00000005u
#define DCERPC_FAULT_OUT_OF_MEMORY	0x0000000eu
#define DCERPC_FAULT_NDR		0x000006f7u	/* bad stub data */

/* Caps on what a bind may carry. */
#define DCERPC_MAX_CTX		16
#define DCERPC_MAX_TRANSFER	8

struct dcerpc_hdr {
	uint8_t vers_minor;
	uint8_t ptype;
	uint8_t pfc_flags;
	uint16_t frag_length;
	uint16_t auth_length;
	uint32_t call_id;
};

/* An interface or transfer syntax: UUID in wire order and version. */
struct dcerpc_syntax {
	uint8_t uuid[16];
	uint16_t major;
	uint16_t minor;
};

struct dcerpc_ctx {
	uint16_t id;
	struct dcerpc_syntax abstract;
	uint8_t n_transfer;
	struct dcerpc_syntax transfer[DCERPC_MAX_TRANSFER];
};

/* bind and alter_context */
struct dcerpc_bind {
	uint16_t max_xmit_frag;
	uint16_t max_recv_frag;
	uint32_t assoc_group;
	uint8_t n_ctx;
	struct dcerpc_ctx ctx[DCERPC_MAX_CTX];
};

struct dcerpc_ack_result {
	uint16_t result;
	uint16_t reason;
	struct dcerpc_syntax transfer;
};

/* bind_ack and alter_context_resp */
struct dcerpc_bind_ack {
	uint16_t max_xmit_frag;
	uint16_t max_recv_frag;
	uint32_t assoc_group;
	const char *sec_addr;	/* "" for alter_context_resp; NUL-terminated */
	uint8_t n_results;
	struct dcerpc_ack_result results[DCERPC_MAX_CTX];
};

struct dcerpc_request {
	uint32_t alloc_hint;
	uint16_t context_id;
	uint16_t opnum;
	bool has_object;
	uint8_t object[16];
	const uint8_t *stub;
	size_t stub_len;
};

struct dcerpc_response {
	uint32_t alloc_hint;
	uint16_t context_id;
	uint8_t cancel_count;
	const uint8_t *stub;
	size_t stub_len;
};

/*
 * From the first bytes of a stream, the length of the fragment that
 * starts there, with the header's fixed fields checked (version 5,
 * little-endian drep, frag_length >= 16). Needs 10 bytes.
 * Errors: WIRE_E_SHORT (fewer than 10), WIRE_E_INVALID (version or
 * frag_length), WIRE_E_UNSUPPORTED (another data representation).
 */
int dcerpc_frag_length(const uint8_t *p, size_t len, uint16_t *frag_length)
	WIRE_WUR;

/*
 * Parse the common header of the fragment [pdu, pdu+len).
 * Errors as dcerpc_frag_length(), WIRE_E_INVALID when frag_length != len,
 * and WIRE_E_AUTH when auth_length is not 0: *h is filled in then, so
 * the caller can still answer with the right call_id.
 */
int dcerpc_pull_hdr(const uint8_t *pdu, size_t len, struct dcerpc_hdr *h)
	WIRE_WUR;

/*
 * Parse a bind or alter_context fragment (header included).
 * Errors: those of dcerpc_pull_hdr(), WIRE_E_INVALID (wrong ptype, not a
 * single fragment), WIRE_E_SHORT (truncated body), WIRE_E_TOOBIG (more
 * than DCERPC_MAX_CTX contexts or DCERPC_MAX_TRANSFER syntaxes in one).
 */
int dcerpc_pull_bind(const uint8_t *pdu, size_t len, struct dcerpc_hdr *h,
		     struct dcerpc_bind *b) WIRE_WUR;

/* Parse a bind_ack or alter_context_resp (for clients and tests). */
int dcerpc_pull_bind_ack(const uint8_t *pdu, size_t len,
			 struct dcerpc_hdr *h, struct dcerpc_bind_ack *a)
	WIRE_WUR;

/* Parse a request fragment. Errors as dcerpc_pull_bind(). */
int dcerpc_pull_request(const uint8_t *pdu, size_t len, struct dcerpc_hdr *h,
			struct dcerpc_request *r) WIRE_WUR;

/* Parse a response fragment (for clients and tests). */
int dcerpc_pull_response(const uint8_t *pdu, size_t len,
			 struct dcerpc_hdr *h, struct dcerpc_response *r)
	WIRE_WUR;

/* Parse a fault (for clients and tests). */
int dcerpc_pull_fault(const uint8_t *pdu, size_t len, struct dcerpc_hdr *h,
		      uint32_t *status) WIRE_WUR;

/* Parse a bind_nak (for clients and tests). */
int dcerpc_pull_bind_nak(const uint8_t *pdu, size_t len,
			 struct dcerpc_hdr *h, uint16_t *reason) WIRE_WUR;

/* ptype is DCERPC_PTYPE_BIND or DCERPC_PTYPE_ALTER. */
void dcerpc_push_bind(struct wire_wr *w, uint8_t ptype, uint32_t call_id,
		      const struct dcerpc_bind *b);
/* ptype is DCERPC_PTYPE_BIND_ACK or DCERPC_PTYPE_ALTER_RESP. */
void dcerpc_push_bind_ack(struct wire_wr *w, uint8_t ptype, uint32_t call_id,
			  const struct dcerpc_bind_ack *a);
void dcerpc_push_bind_nak(struct wire_wr *w, uint32_t call_id,
			  uint16_t reason);
/* flags: FIRST/LAST (OBJECT_UUID is set from r->has_object). */
void dcerpc_push_request(struct wire_wr *w, uint32_t call_id, uint8_t flags,
			 const struct dcerpc_request *r);
void dcerpc_push_response(struct wire_wr *w, uint32_t call_id, uint8_t flags,
			  const struct dcerpc_response *r);
/* A whole fault PDU (FIRST|LAST plus extra_flags, e.g. DID_NOT_EXECUTE). */
void dcerpc_push_fault(struct wire_wr *w, uint32_t call_id,
		       uint8_t extra_flags, uint16_t context_id,
		       uint32_t status);

#endif
