/*
 * nbns.h - NetBIOS name service packets [RFC 1002 §4.2]: the header, the
 * question of a NAME QUERY or NODE STATUS request (names in first-level
 * encoding [RFC 1001 §14.1] with labels and bounded compression
 * pointers), and the two replies a name owner sends: the positive name
 * query response and the node status response. Pure: bytes in, structs
 * out, and back.
 */
#ifndef WG_PROTO_NBNS_H
#define WG_PROTO_NBNS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "proto/wire.h"
#include "proto/nbt.h"

#define NBNS_PORT		137
#define NBNS_HDR_LEN		12
/* RFC 1002 §4.2.1: UDP packets are at most 576 bytes. */
#define NBNS_MAX_PACKET		576

#define NBNS_OPCODE_QUERY	0

/* NM_FLAGS, the 7 bits after the opcode [RFC 1002 §4.2.1.1] */
#define NBNS_NM_AA		0x40	/* authoritative answer */
#define NBNS_NM_TC		0x20	/* truncation */
#define NBNS_NM_RD		0x10	/* recursion desired */
#define NBNS_NM_RA		0x08	/* recursion available */
#define NBNS_NM_B		0x01	/* broadcast */

#define NBNS_TYPE_NB		0x0020
#define NBNS_TYPE_NBSTAT	0x0021
#define NBNS_CLASS_IN		0x0001

/* NB_FLAGS of a name query answer [§4.2.13] (B-node, so ONT is 0) */
#define NBNS_NB_GROUP		0x8000
/* NAME_FLAGS of a node status entry [§4.2.18] */
#define NBNS_NAME_GROUP		0x8000
#define NBNS_NAME_ACTIVE	0x0400

/* Most entries a node status response carries (we have three). */
#define NBNS_STATUS_MAX_NAMES	8
/* Compression pointers followed while reading one name. */
#define NBNS_MAX_POINTERS	8

struct nbns_header {
	uint16_t trn_id;
	bool response;		/* R bit */
	uint8_t opcode;		/* 0..15 */
	uint8_t nm_flags;	/* NBNS_NM_* */
	uint8_t rcode;		/* 0..15 */
	uint16_t qdcount;
	uint16_t ancount;
	uint16_t nscount;
	uint16_t arcount;
};

struct nbns_question {
	uint8_t raw[16];	/* the decoded 16 bytes, padding kept */
	struct nbt_name name;	/* the same, trailing spaces/NULs cut */
	bool has_scope;		/* labels after the name (a scope id) */
	uint16_t type;		/* NBNS_TYPE_NB or NBNS_TYPE_NBSTAT */
	uint16_t qclass;
};

/*
 * Read one domain-style name at the cursor of r, a reader over the whole
 * packet (offsets of compression pointers are from r->base). The first
 * label must be the 32-byte first-level encoding; more labels are a
 * scope. A pointer (0xC0) must point back before itself; at most
 * NBNS_MAX_POINTERS are followed and the name is at most 255 bytes. The
 * cursor ends after the name as it was written (after the first
 * pointer). Control characters inside the 15-character name are refused,
 * so names are safe to log. On error the cursor is kept.
 * Errors: WIRE_E_SHORT, WIRE_E_INVALID.
 */
int nbns_name_pull(struct wire_rd *r, struct nbns_question *q) WIRE_WUR;

/*
 * Decode a request the server may answer: the header and exactly one
 * question of type NB or NBSTAT, class IN. Bytes after the question are
 * ignored.
 * Errors: WIRE_E_SHORT, WIRE_E_INVALID (malformed: a bad name, a
 * question count of 0), WIRE_E_UNSUPPORTED (well-formed but nothing to
 * answer: a response, another opcode such as a registration, more than
 * one question, answer records, another type or class).
 */
int nbns_request_pull(const uint8_t *pkt, size_t len, struct nbns_header *h,
		      struct nbns_question *q) WIRE_WUR;

/*
 * Append a request with one question for name (padded with spaces, or
 * with NULs after "*"), no scope: for tests, fuzz seeds and tools.
 * nm_flags is NBNS_NM_RD and/or NBNS_NM_B. Errors stick to w.
 */
void nbns_request_push(struct wire_wr *w, uint16_t trn_id, uint8_t nm_flags,
		       const struct nbt_name *name, uint16_t type);

/*
 * Append a POSITIVE NAME QUERY RESPONSE [RFC 1002 §4.2.13]: one answer
 * for the question's name (q->raw, no scope) with one address. rd is
 * copied from the request. ipv4 is in network byte order, as in struct
 * in_addr. Errors stick to w.
 */
void nbns_name_query_response_push(struct wire_wr *w, uint16_t trn_id,
				   bool rd, const struct nbns_question *q,
				   uint32_t ttl, uint16_t nb_flags,
				   uint32_t ipv4);

struct nbns_status_name {
	struct nbt_name name;	/* at most 15 characters, upper case */
	uint16_t flags;		/* NBNS_NAME_* */
};

/*
 * Append a NODE STATUS RESPONSE [RFC 1002 §4.2.18] to the question q:
 * the names (at most NBNS_STATUS_MAX_NAMES, else WIRE_E_TOOBIG on w),
 * then the 46-byte statistics, all zero but the unit id (mac). The
 * length is bounded: at most nbns_status_response_len(NBNS_STATUS_MAX_
 * NAMES) bytes. Errors stick to w.
 */
void nbns_node_status_response_push(struct wire_wr *w, uint16_t trn_id,
				    const struct nbns_question *q,
				    const struct nbns_status_name *names,
				    size_t n, const uint8_t mac[6]);

/* The length of a node status response with n names. */
size_t nbns_status_response_len(size_t n);

#endif
