/*
 * fuzz_spnego.c - libFuzzer target for spnego_parse(): whatever the input,
 * no crash, and every pointer it hands back lies inside the input. A token
 * we wrap ourselves must parse back to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "proto/spnego.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* [p, p+n) must be inside [data, data+size). */
static void check_inside(const uint8_t *data, size_t size, const uint8_t *p,
			 size_t n)
{
	if (p == NULL) {
		if (n != 0) {
			abort();
		}
		return;
	}
	if (p < data || (size_t)(p - data) > size ||
	    n > size - (size_t)(p - data)) {
		abort();
	}
}

static void roundtrip(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct spnego_token tok = {};
	struct wire_wr w;

	wire_wr_init(&w, mem, 0);
	spnego_push_neg_token_resp(&w, SPNEGO_ACCEPT_INCOMPLETE, true, data,
				   size, data, size > 16 ? 16 : size);
	if (wire_wr_error(&w) != 0) {
		abort();
	}
	if (spnego_parse(w.buf, w.len, &tok) != 0 ||
	    tok.mech_token_len != size ||
	    (size > 0 && memcmp(tok.mech_token, data, size) != 0) ||
	    tok.neg_state != SPNEGO_ACCEPT_INCOMPLETE ||
	    !tok.offers_ntlmssp) {
		abort();
	}
	talloc_free(mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spnego_token tok = {};

	if (spnego_parse(data, size, &tok) == 0) {
		check_inside(data, size, tok.mech_types, tok.mech_types_len);
		check_inside(data, size, tok.mech_token, tok.mech_token_len);
		check_inside(data, size, tok.mech_list_mic,
			     tok.mech_list_mic_len);
		if (tok.is_init && tok.mech_types == NULL) {
			abort();
		}
	}
	roundtrip(data, size);
	return 0;
}
