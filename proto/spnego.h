/*
 * spnego.h - the subset of SPNEGO [RFC 4178, MS-SPNG] that NTLMSSP needs:
 * negTokenInit(2) and negTokenResp, in DER, wrapped in the GSS-API
 * InitialContextToken [RFC 2743 §3.1] where the spec says so.
 */
#ifndef WG_PROTO_SPNEGO_H
#define WG_PROTO_SPNEGO_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "proto/wire.h"

/* DER encoding of OID 1.3.6.1.4.1.311.2.2.10 (NTLMSSP), without tag/len */
extern const uint8_t spnego_oid_ntlmssp[10];

enum spnego_neg_state {
	SPNEGO_ACCEPT_COMPLETED = 0,
	SPNEGO_ACCEPT_INCOMPLETE = 1,
	SPNEGO_REJECT = 2,
	SPNEGO_REQUEST_MIC = 3,
	SPNEGO_NO_STATE = -1,	/* field absent */
};

/*
 * A decoded client token. Pointers point into the input buffer.
 * For negTokenInit: mech_types/mech_types_len is the whole DER
 * MechTypeList (SEQUENCE tag included), as the mechListMIC covers it;
 * first_mech_is_ntlmssp says whether the first OID is NTLMSSP, and
 * offers_ntlmssp whether any is.
 */
struct spnego_token {
	bool is_init;			/* negTokenInit vs negTokenResp */
	bool is_raw_ntlmssp;		/* the buffer was a bare "NTLMSSP\0" */
	const uint8_t *mech_types;
	size_t mech_types_len;
	bool offers_ntlmssp;
	bool first_mech_is_ntlmssp;
	int neg_state;			/* negTokenResp only */
	const uint8_t *mech_token;	/* negTokenInit mechToken or
					 * negTokenResp responseToken */
	size_t mech_token_len;
	const uint8_t *mech_list_mic;
	size_t mech_list_mic_len;
};

/*
 * Decode what a client put in SESSION_SETUP's security buffer: a GSS
 * InitialContextToken with negTokenInit, a bare negTokenResp ([1]), or a
 * raw NTLMSSP message (is_raw_ntlmssp, mech_token = whole buffer).
 * Errors: WIRE_E_SHORT, WIRE_E_INVALID, WIRE_E_TOOBIG (nesting/length),
 * WIRE_E_UNSUPPORTED (a GSS token for a mechanism other than SPNEGO).
 * For a negTokenResp, offers_ntlmssp/first_mech_is_ntlmssp report
 * whether supportedMech is NTLMSSP. Bytes after the outermost token are
 * ignored. tok is reset even on failure.
 */
int spnego_parse(const uint8_t *buf, size_t len, struct spnego_token *tok)
	WIRE_WUR;

/*
 * Append the server's negTokenInit2 for the NEGOTIATE response: GSS
 * wrapper, mechTypes = { NTLMSSP }, negHints hintName
 * "not_defined_in_RFC4178@please_ignore".
 */
void spnego_push_neg_token_init2(struct wire_wr *w);

/*
 * Append a negTokenResp. neg_state < 0 omits the field; supported_mech
 * adds the NTLMSSP OID when true; token/mic are omitted when NULL.
 */
void spnego_push_neg_token_resp(struct wire_wr *w, int neg_state,
				bool supported_mech, const uint8_t *token,
				size_t token_len, const uint8_t *mic,
				size_t mic_len);

#endif
