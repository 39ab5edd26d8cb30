/*
 * fuzz_secdesc.c - libFuzzer target for the security descriptor, ACL, ACE
 * and SID parsers (proto/secdesc.h, proto/sid.h), the SDDL reader, and
 * the algorithms that run on what a client sends (proto/seaccess.h).
 *
 * Input: the bytes are a self-relative descriptor, and the same bytes as
 * a NUL-terminated string are SDDL and a SID string.
 * Properties checked (abort() on violation):
 *  - a descriptor that parses, built again with every part, parses to an
 *    equal one, and building that gives the same bytes;
 *  - its SDDL text reads back, and that writes the same text again;
 *  - the access check and inheritance from it do not fail but for
 *    WIRE_E_TOOBIG, and what inheritance yields builds and parses;
 *  - a SID string that parses formats to a string that parses equal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "proto/seaccess.h"
#include "proto/secdesc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ALL_INFO (SECINFO_OWNER | SECINFO_GROUP | SECINFO_DACL | SECINFO_SACL)

static void build_and_reparse(TALLOC_CTX *mem, const struct sec_desc *sd)
{
	struct sec_desc *back = NULL;
	struct wire_wr w1, w2;

	wire_wr_init(&w1, mem, 0);
	if (sd_push(&w1, sd, ALL_INFO) != 0) {
		abort();
	}
	if (sd_pull(mem, w1.buf, w1.len, &back) != 0) {
		abort();
	}
	wire_wr_init(&w2, mem, 0);
	if (sd_push(&w2, back, ALL_INFO) != 0 || w2.len != w1.len ||
	    memcmp(w1.buf, w2.buf, w1.len) != 0) {
		abort();
	}
}

static void sddl_round_trip(TALLOC_CTX *mem, const struct sec_desc *sd)
{
	char *t1 = sd_to_sddl(mem, sd);
	struct sec_desc *back = NULL;
	char *t2 = NULL;

	if (t1 == NULL || sd_from_sddl(mem, t1, &back, NULL) != 0) {
		abort();
	}
	t2 = sd_to_sddl(mem, back);
	if (t2 == NULL || strcmp(t1, t2) != 0) {
		abort();
	}
}

static void algorithms(TALLOC_CTX *mem, const struct sec_desc *sd)
{
	static const struct dom_sid sids[2] = {
		{ .num_auths = 5, .authority = 5,
		  .sub_auths = { 21, 1, 2, 3, 1000 } },
		{ .num_auths = 1, .authority = 1 },
	};
	struct se_token t = { .sids = sids, .n_sids = 2,
			      .privileges = SE_PRIV_BACKUP };
	struct sec_desc *child = NULL;
	uint32_t granted = 0;
	NTSTATUS st = 0;

	st = se_access_check(sd, &t, SEC_RIGHT_MAXIMUM_ALLOWED,
			     &se_file_mapping, SE_CHECK_BACKUP_INTENT,
			     &granted);
	if (st == NT_STATUS_OK && granted == 0) {
		abort();
	}
	(void)se_access_check(sd, &t, SEC_RIGHT_GENERIC_WRITE,
			      &se_file_mapping, 0, &granted);
	for (int dir = 0; dir < 2; dir++) {
		int rc = se_create_sd(mem, sd, NULL, dir, &t, NULL,
				      &se_file_mapping, SE_INHERIT_DEFAULT_ALL,
				      &child);

		if (rc == WIRE_E_TOOBIG) {
			continue;
		}
		if (rc != 0) {
			abort();
		}
		build_and_reparse(mem, child);
	}
}

static void text_inputs(TALLOC_CTX *mem, const uint8_t *data, size_t size)
{
	char *s = talloc_strndup(mem, (const char *)data, size);
	struct sec_desc *sd = NULL;
	struct dom_sid sid, back;
	char buf[SID_STR_MAX];

	if (s == NULL) {
		return;
	}
	if (sid_parse(s, &sid) == 0) {
		if (sid_parse(sid_format_buf(&sid, buf), &back) != 0 ||
		    !sid_equal(&sid, &back)) {
			abort();
		}
	}
	if (sd_from_sddl(mem, s, &sd, NULL) == 0) {
		struct wire_wr w;

		sddl_round_trip(mem, sd);
		wire_wr_init(&w, mem, 0);
		if (sd_push(&w, sd, ALL_INFO) == 0) {
			build_and_reparse(mem, sd);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct sec_desc *sd = NULL;

	if (sd_pull(mem, data, size, &sd) == 0) {
		build_and_reparse(mem, sd);
		sddl_round_trip(mem, sd);
		algorithms(mem, sd);
	}
	text_inputs(mem, data, size);
	talloc_free(mem);
	return 0;
}
