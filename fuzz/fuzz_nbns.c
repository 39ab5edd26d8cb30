/*
 * fuzz_nbns.c - libFuzzer target: one UDP datagram to the NetBIOS name
 * service, decoded as the daemon decodes it, answered as it answers.
 *
 * Properties checked (abort() on violation):
 *  - a failed name pull leaves the cursor where it was; a good one moves
 *    it forward, within the packet;
 *  - decoded names are NUL-terminated, at most 15 bytes, free of control
 *    characters;
 *  - both replies build, stay within their bound (never more than the
 *    576-byte UDP limit) and carry the question's name back unchanged.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "proto/nbns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_question(const struct nbns_question *q)
{
	size_t len = strnlen(q->name.name, sizeof(q->name.name));

	if (len >= sizeof(q->name.name)) {
		abort();
	}
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)q->name.name[i];

		if (c < 0x20 || c == 0x7F) {
			abort();
		}
	}
}

/* The reply's answer name (right after the header) is the question's. */
static void check_reply(const struct wire_wr *w, size_t bound,
			const struct nbns_question *q)
{
	struct nbns_question back = {};
	struct wire_rd r;

	if (wire_wr_error(w) != 0 || w->len > bound ||
	    w->len > NBNS_MAX_PACKET) {
		abort();
	}
	wire_rd_init(&r, w->buf, w->len);
	if (wire_seek(&r, NBNS_HDR_LEN) != 0 ||
	    nbns_name_pull(&r, &back) != 0 ||
	    memcmp(back.raw, q->raw, sizeof(q->raw)) != 0 || back.has_scope) {
		abort();
	}
}

static void answer(const struct nbns_header *h, const struct nbns_question *q)
{
	static const uint8_t mac[6];
	const struct nbns_status_name names[] = {
		{ { "WGSMB", 0x00 }, NBNS_NAME_ACTIVE },
		{ { "WGSMB", 0x20 }, NBNS_NAME_ACTIVE },
		{ { "WORKGROUP", 0x00 }, NBNS_NAME_GROUP | NBNS_NAME_ACTIVE },
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	struct wire_wr w;

	wire_wr_init(&w, mem, NBNS_MAX_PACKET);
	nbns_name_query_response_push(&w, h->trn_id,
				      (h->nm_flags & NBNS_NM_RD) != 0, q,
				      300000, 0, 0x0100007f);
	check_reply(&w, 62, q);
	wire_wr_init(&w, mem, NBNS_MAX_PACKET);
	nbns_node_status_response_push(&w, h->trn_id, q, names, 3, mac);
	check_reply(&w, nbns_status_response_len(3), q);
	talloc_free(mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nbns_header h = {};
	struct nbns_question q = {};
	struct wire_rd r;
	int rc = nbns_request_pull(data, size, &h, &q);

	if (rc == 0) {
		check_question(&q);
		answer(&h, &q);
	}
	/* names anywhere: every offset, as a pointer target would be */
	for (size_t off = 0; off < size && off < 64; off++) {
		struct nbns_question n = {};

		wire_rd_init(&r, data, size);
		if (wire_seek(&r, off) != 0) {
			abort();
		}
		rc = nbns_name_pull(&r, &n);
		if (rc != 0 && r.off != off) {
			abort();
		}
		if (rc == 0) {
			if (r.off <= off || r.off > size) {
				abort();
			}
			check_question(&n);
		}
	}
	return 0;
}
