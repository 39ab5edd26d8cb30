/*
 * spnego.c - SPNEGO negTokenInit(2)/negTokenResp for NTLMSSP
 * [RFC 4178 §4.2, MS-SPNG §2.2], GSS-API framing [RFC 2743 §3.1].
 *
 *   InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {
 *           thisMech MechType, innerContextToken ANY }
 *   NegotiationToken ::= CHOICE {
 *           negTokenInit [0] NegTokenInit, negTokenResp [1] NegTokenResp }
 *   NegTokenInit ::= SEQUENCE { mechTypes [0] MechTypeList,
 *           reqFlags [1] ContextFlags OPTIONAL,
 *           mechToken [2] OCTET STRING OPTIONAL,
 *           mechListMIC [3] OCTET STRING OPTIONAL, ... }
 *   NegTokenInit2 (MS-SPNG) has negHints [3] and mechListMIC [4] instead.
 *   NegTokenResp ::= SEQUENCE { negState [0] ENUMERATED OPTIONAL,
 *           supportedMech [1] MechType OPTIONAL,
 *           responseToken [2] OCTET STRING OPTIONAL,
 *           mechListMIC [3] OCTET STRING OPTIONAL, ... }
 */
#include "proto/spnego.h"
#include "proto/der.h"

#include <string.h>

/* 1.3.6.1.4.1.311.2.2.10 */
const uint8_t spnego_oid_ntlmssp[10] = {
	0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a,
};

/* 1.3.6.1.5.5.2 */
static const uint8_t oid_spnego[6] = {
	0x2b, 0x06, 0x01, 0x05, 0x05, 0x02,
};

static const char neg_hint_name[] = "not_defined_in_RFC4178@please_ignore";

static const uint8_t ntlmssp_magic[8] = {
	'N', 'T', 'L', 'M', 'S', 'S', 'P', 0,
};

static bool is_ntlmssp_oid(const uint8_t *p, size_t len)
{
	return len == sizeof(spnego_oid_ntlmssp) &&
	       memcmp(p, spnego_oid_ntlmssp, len) == 0;
}

/* Fields seen so far in one SEQUENCE, to refuse duplicates. */
static int mark_seen(unsigned int *seen, uint8_t tag)
{
	unsigned int bit = 1u << (tag & 0x1f);

	if ((*seen & bit) != 0) {
		return WIRE_E_INVALID;
	}
	*seen |= bit;
	return 0;
}

/* Only context-specific constructed tags belong in these SEQUENCEs. */
static bool is_context_tag(uint8_t tag)
{
	return (tag & 0xe0) == 0xa0;
}

/*
 * The next field of a negToken SEQUENCE: a context-specific tag, each
 * at most once (seen keeps the tags met so far).
 */
static int next_field(struct der_rd *seq, unsigned int *seen, uint8_t *tag,
		      struct der_rd *field)
{
	int rc = der_get_any(seq, tag, field, NULL, NULL);

	if (rc != 0) {
		return rc;
	}
	if (!is_context_tag(*tag)) {
		return WIRE_E_INVALID;
	}
	return mark_seen(seen, *tag);
}

/* mechTypes [0]: field holds one SEQUENCE OF OBJECT IDENTIFIER. */
static int parse_mech_types(struct der_rd *field, struct spnego_token *tok)
{
	struct der_rd list = {};
	uint8_t tag = 0;
	bool first = true;
	int rc = der_get_any(field, &tag, &list, &tok->mech_types,
			     &tok->mech_types_len);

	if (rc != 0) {
		return rc;
	}
	if (tag != DER_SEQUENCE) {
		return WIRE_E_INVALID;
	}
	while (!der_at_end(&list)) {
		const uint8_t *oid = NULL;
		size_t oid_len = 0;

		rc = der_get_prim(&list, DER_OID, &oid, &oid_len);
		if (rc != 0) {
			return rc;
		}
		if (is_ntlmssp_oid(oid, oid_len)) {
			tok->offers_ntlmssp = true;
			if (first) {
				tok->first_mech_is_ntlmssp = true;
			}
		}
		first = false;
	}
	return 0;
}

/* An [n] field that holds one OCTET STRING. */
static int parse_octets(struct der_rd *field, const uint8_t **p, size_t *len)
{
	return der_get_prim(field, DER_OCTET_STRING, p, len);
}

/* ctx holds the contents of negTokenInit [0]. */
static int parse_init(struct der_rd *ctx, struct spnego_token *tok)
{
	struct der_rd seq = {};
	unsigned int seen = 0;
	int rc = der_get(ctx, DER_SEQUENCE, &seq);

	if (rc != 0) {
		return rc;
	}
	tok->is_init = true;
	while (!der_at_end(&seq)) {
		struct der_rd field = {};
		uint8_t tag = 0;
		uint8_t inner = 0;

		rc = next_field(&seq, &seen, &tag, &field);
		if (rc != 0) {
			return rc;
		}
		switch (tag) {
		case DER_CONTEXT(0):
			rc = parse_mech_types(&field, tok);
			break;
		case DER_CONTEXT(2):
			rc = parse_octets(&field, &tok->mech_token,
					  &tok->mech_token_len);
			break;
		case DER_CONTEXT(3):
			/* mechListMIC, or negHints in a negTokenInit2 */
			rc = der_peek_tag(&field, &inner);
			if (rc == 0 && inner == DER_OCTET_STRING) {
				rc = parse_octets(&field, &tok->mech_list_mic,
						  &tok->mech_list_mic_len);
			}
			break;
		case DER_CONTEXT(4):
			/* mechListMIC of a negTokenInit2 */
			rc = parse_octets(&field, &tok->mech_list_mic,
					  &tok->mech_list_mic_len);
			break;
		default:
			/* reqFlags [1] and extensions: ignored */
			break;
		}
		if (rc != 0) {
			return rc;
		}
	}
	if (tok->mech_types == NULL) {
		return WIRE_E_INVALID;
	}
	return 0;
}

/* ctx holds the contents of negTokenResp [1]. */
static int parse_resp(struct der_rd *ctx, struct spnego_token *tok)
{
	struct der_rd seq = {};
	unsigned int seen = 0;
	int rc = der_get(ctx, DER_SEQUENCE, &seq);

	if (rc != 0) {
		return rc;
	}
	while (!der_at_end(&seq)) {
		struct der_rd field = {};
		const uint8_t *oid = NULL;
		size_t oid_len = 0;
		uint32_t state = 0;
		uint8_t tag = 0;

		rc = next_field(&seq, &seen, &tag, &field);
		if (rc != 0) {
			return rc;
		}
		switch (tag) {
		case DER_CONTEXT(0):
			rc = der_get_enum(&field, &state);
			if (rc == 0 && state > SPNEGO_REQUEST_MIC) {
				rc = WIRE_E_INVALID;
			}
			if (rc == 0) {
				tok->neg_state = (int)state;
			}
			break;
		case DER_CONTEXT(1):
			rc = der_get_prim(&field, DER_OID, &oid, &oid_len);
			if (rc == 0 && is_ntlmssp_oid(oid, oid_len)) {
				tok->offers_ntlmssp = true;
				tok->first_mech_is_ntlmssp = true;
			}
			break;
		case DER_CONTEXT(2):
			rc = parse_octets(&field, &tok->mech_token,
					  &tok->mech_token_len);
			break;
		case DER_CONTEXT(3):
			rc = parse_octets(&field, &tok->mech_list_mic,
					  &tok->mech_list_mic_len);
			break;
		default:
			break;
		}
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

/* GSS InitialContextToken: [APPLICATION 0] { OID, negTokenInit [0] }. */
static int parse_gss(struct der_rd *d, struct spnego_token *tok)
{
	struct der_rd app = {};
	struct der_rd ctx = {};
	const uint8_t *oid = NULL;
	size_t oid_len = 0;
	int rc = der_get(d, DER_APPLICATION(0), &app);

	if (rc != 0) {
		return rc;
	}
	rc = der_get_prim(&app, DER_OID, &oid, &oid_len);
	if (rc != 0) {
		return rc;
	}
	if (oid_len != sizeof(oid_spnego) ||
	    memcmp(oid, oid_spnego, oid_len) != 0) {
		return WIRE_E_UNSUPPORTED;
	}
	rc = der_get(&app, DER_CONTEXT(0), &ctx);
	if (rc != 0) {
		return rc;
	}
	return parse_init(&ctx, tok);
}

int spnego_parse(const uint8_t *buf, size_t len, struct spnego_token *tok)
{
	struct spnego_token t = {
		.neg_state = SPNEGO_NO_STATE,
	};
	struct der_rd d = {};
	struct der_rd ctx = {};
	uint8_t tag = 0;
	int rc = 0;

	*tok = t;
	if (buf == NULL || len == 0) {
		return WIRE_E_SHORT;
	}
	if (len >= sizeof(ntlmssp_magic) &&
	    memcmp(buf, ntlmssp_magic, sizeof(ntlmssp_magic)) == 0) {
		t.is_raw_ntlmssp = true;
		t.mech_token = buf;
		t.mech_token_len = len;
		*tok = t;
		return 0;
	}
	der_rd_init(&d, buf, len);
	rc = der_peek_tag(&d, &tag);
	if (rc != 0) {
		return rc;
	}
	switch (tag) {
	case DER_APPLICATION(0):
		rc = parse_gss(&d, &t);
		break;
	case DER_CONTEXT(0):
		/* Not wrapped: some clients send negTokenInit bare. */
		rc = der_get(&d, tag, &ctx);
		if (rc == 0) {
			rc = parse_init(&ctx, &t);
		}
		break;
	case DER_CONTEXT(1):
		rc = der_get(&d, tag, &ctx);
		if (rc == 0) {
			rc = parse_resp(&ctx, &t);
		}
		break;
	default:
		rc = WIRE_E_INVALID;
		break;
	}
	if (rc != 0) {
		return rc;
	}
	*tok = t;
	return 0;
}

void spnego_push_neg_token_init2(struct wire_wr *w)
{
	size_t app = der_begin(w, DER_APPLICATION(0));
	size_t init = 0;
	size_t seq = 0;
	size_t types = 0;
	size_t list = 0;
	size_t hints = 0;
	size_t hints_seq = 0;
	size_t hint_name = 0;

	der_put_tlv(w, DER_OID, oid_spnego, sizeof(oid_spnego));
	init = der_begin(w, DER_CONTEXT(0));
	seq = der_begin(w, DER_SEQUENCE);

	types = der_begin(w, DER_CONTEXT(0));
	list = der_begin(w, DER_SEQUENCE);
	der_put_tlv(w, DER_OID, spnego_oid_ntlmssp,
		    sizeof(spnego_oid_ntlmssp));
	der_end(w, list);
	der_end(w, types);

	hints = der_begin(w, DER_CONTEXT(3));
	hints_seq = der_begin(w, DER_SEQUENCE);
	hint_name = der_begin(w, DER_CONTEXT(0));
	der_put_tlv(w, DER_GENERAL_STRING, neg_hint_name,
		    sizeof(neg_hint_name) - 1);
	der_end(w, hint_name);
	der_end(w, hints_seq);
	der_end(w, hints);

	der_end(w, seq);
	der_end(w, init);
	der_end(w, app);
}

void spnego_push_neg_token_resp(struct wire_wr *w, int neg_state,
				bool supported_mech, const uint8_t *token,
				size_t token_len, const uint8_t *mic,
				size_t mic_len)
{
	size_t resp = der_begin(w, DER_CONTEXT(1));
	size_t seq = der_begin(w, DER_SEQUENCE);
	size_t field = 0;

	if (neg_state >= 0) {
		uint8_t state = (uint8_t)neg_state;

		field = der_begin(w, DER_CONTEXT(0));
		der_put_tlv(w, DER_ENUMERATED, &state, 1);
		der_end(w, field);
	}
	if (supported_mech) {
		field = der_begin(w, DER_CONTEXT(1));
		der_put_tlv(w, DER_OID, spnego_oid_ntlmssp,
			    sizeof(spnego_oid_ntlmssp));
		der_end(w, field);
	}
	if (token != NULL) {
		field = der_begin(w, DER_CONTEXT(2));
		der_put_tlv(w, DER_OCTET_STRING, token, token_len);
		der_end(w, field);
	}
	if (mic != NULL) {
		field = der_begin(w, DER_CONTEXT(3));
		der_put_tlv(w, DER_OCTET_STRING, mic, mic_len);
		der_end(w, field);
	}
	der_end(w, seq);
	der_end(w, resp);
}
