/*
 * ndr_sec.h - the NDR forms of the types the LSA and SAM interfaces
 * share [MS-DTYP §2.3.10, §2.4.2.3, MS-LSAT, MS-SAMR]: RPC_UNICODE_STRING
 * (a counted UTF-16 string, no NUL) and RPC_SID (a conformant structure:
 * its max count, the sub-authority count, comes first).
 *
 * Rules as in ndr.h: pullers return 0 or a WIRE_E_* code and leave the
 * cursor where it was when they fail; pushers record their first error
 * in the writer.
 */
#ifndef WG_PROTO_NDR_SEC_H
#define WG_PROTO_NDR_SEC_H

#include <stdint.h>
#include <talloc.h>
#include "proto/ndr.h"
#include "proto/sid.h"

/* Most UTF-16 units of one RPC_UNICODE_STRING (Length is a u16 of bytes). */
#define NDR_USTR_MAX_UNITS	32767u

/*
 * The inline part of an RPC_UNICODE_STRING: Length, MaximumLength (bytes)
 * and the Buffer pointer's referent id (0 = NULL). Errors: WIRE_E_SHORT,
 * WIRE_E_INVALID (odd lengths, Length > MaximumLength).
 */
struct ndr_ustr_hdr {
	uint16_t len, max;
	uint32_t ref;
};
int ndr_pull_ustr_hdr(struct ndr_pull *p, struct ndr_ustr_hdr *h) WIRE_WUR;

/*
 * The deferred Buffer of a string whose inline part was h: a conformant
 * varying array of h->max / 2 (max count) and h->len / 2 (actual count)
 * units. *out is a UTF-8 talloc child of p->mem; NULL when h->ref is 0
 * (nothing is read). Errors: WIRE_E_SHORT, WIRE_E_INVALID (counts that
 * disagree with h, offset not 0, bad UTF-16), WIRE_E_NOMEM.
 */
int ndr_pull_ustr_body(struct ndr_pull *p, const struct ndr_ustr_hdr *h,
		       char **out) WIRE_WUR;

/*
 * As ndr_pull_ustr_body(), the units' trailing NULs dropped: MS-RRP's
 * RRP_UNICODE_STRING names count their terminator [MS-RRP 2.2.4] (as
 * Windows', Samba's and impacket's clients send them) or do not.
 */
int ndr_pull_ustr_body_term(struct ndr_pull *p, const struct ndr_ustr_hdr *h,
			    char **out) WIRE_WUR;

/* A whole top-level RPC_UNICODE_STRING: inline part, then its Buffer. */
int ndr_pull_ustr(struct ndr_pull *p, char **out) WIRE_WUR;

/*
 * An embedded RPC_UNICODE_STRING for s (NULL: lengths 0, NULL Buffer):
 * the inline part now, the Buffer queued for ndr_push_flush(). s must
 * stay valid until then. Malformed UTF-8 fails the writer
 * (WIRE_E_INVALID), a string over NDR_USTR_MAX_UNITS too (WIRE_E_TOOBIG).
 */
void ndr_push_ustr(struct ndr_push *p, const char *s);

/*
 * An RPC_SID as the pointee of a pointer: max count, Revision,
 * SubAuthorityCount (equal to the max count), IdentifierAuthority
 * (6 bytes, big-endian), SubAuthority[]. Errors: WIRE_E_SHORT,
 * WIRE_E_INVALID (revision not 1, counts disagree, more than
 * SID_MAX_SUB_AUTHS).
 */
int ndr_pull_rpc_sid(struct ndr_pull *p, struct dom_sid *sid) WIRE_WUR;
void ndr_push_rpc_sid(struct ndr_push *p, const struct dom_sid *sid);

/* An embedded PRPC_SID: referent id now, the RPC_SID queued (NULL ok). */
void ndr_push_sid_ptr(struct ndr_push *p, const struct dom_sid *sid);

/*
 * The SID list LSA and SAM take as a top-level [in] argument
 * (LSAPR_SID_ENUM_BUFFER, MS-LSAT §2.2.18; SAMPR_PSID_ARRAY, MS-SAMR
 * §2.2.7.6): Count, a unique pointer to a conformant array of Count
 * PRPC_SIDs, then each pointee. *sids is a talloc child of p->mem with
 * *n entries (NULL and 0 when the array pointer is NULL). Errors:
 * WIRE_E_SHORT, WIRE_E_TOOBIG (Count over max_count), WIRE_E_INVALID (a
 * NULL array with a Count, a max count other than Count, a NULL element,
 * a bad SID), WIRE_E_NOMEM. The cursor stays put on failure.
 */
int ndr_pull_sid_array(struct ndr_pull *p, uint32_t max_count,
		       struct dom_sid **sids, uint32_t *n) WIRE_WUR;

#endif
