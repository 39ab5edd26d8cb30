/*
 * fuzz_nbt.c - libFuzzer target: a stream of NetBIOS session frames, with
 * SESSION REQUEST bodies decoded.
 *
 * Properties checked (abort() on violation):
 *  - failed pulls leave the cursor where it was;
 *  - decoded names are NUL-terminated, at most 15 bytes, free of control
 *    characters and of trailing spaces;
 *  - pushing decoded names and pulling them again gives the same names.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "proto/nbt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const struct nbt_name *n)
{
	size_t len = strnlen(n->name, sizeof(n->name));

	if (len >= sizeof(n->name)) {
		abort();
	}
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)n->name[i];

		if (c < 0x20 || c == 0x7F) {
			abort();
		}
	}
	if (len > 0 && n->name[len - 1] == ' ') {
		abort();
	}
}

static void check_round_trip(const struct nbt_name *a,
			     const struct nbt_name *b)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct nbt_name x = {};
	struct nbt_name y = {};
	struct wire_wr w;
	struct wire_rd r;

	if (mem == NULL) {
		abort();
	}
	wire_wr_init(&w, mem, 0);
	nbt_session_request_push(&w, a, b);
	if (wire_wr_error(&w) != 0) {
		abort();
	}
	wire_rd_init(&r, w.buf, w.len);
	if (nbt_session_request_pull(&r, &x, &y) != 0 || r.off != w.len) {
		abort();
	}
	if (strcmp(x.name, a->name) != 0 || x.suffix != a->suffix ||
	    strcmp(y.name, b->name) != 0 || y.suffix != b->suffix) {
		abort();
	}
	talloc_free(mem);
}

static void session_request(struct wire_rd *body)
{
	struct nbt_name called = {};
	struct nbt_name calling = {};
	size_t before = body->off;

	if (nbt_session_request_pull(body, &called, &calling) != 0) {
		if (body->off != before) {
			abort();
		}
		return;
	}
	check_name(&called);
	check_name(&calling);
	check_round_trip(&called, &calling);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_rd r;

	wire_rd_init(&r, data, size);
	while (wire_left(&r) > 0) {
		struct nbt_frame_hdr h = {};
		struct wire_rd body;
		size_t before = r.off;
		size_t n = 0;

		if (nbt_frame_hdr_pull(&r, &h) != 0) {
			if (r.off != before) {
				abort();
			}
			break;
		}
		if (h.length > NBT_MAX_FRAME) {
			abort();
		}
		/* A short final frame is what a partial read looks like;
		 * decode what is there. */
		n = h.length < wire_left(&r) ? h.length : wire_left(&r);
		if (wire_get_sub(&r, n, &body) != 0) {
			abort();
		}
		if (h.type == NBT_SESSION_REQUEST) {
			session_request(&body);
		}
	}
	return 0;
}
