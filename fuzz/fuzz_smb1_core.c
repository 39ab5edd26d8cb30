/*
 * fuzz_smb1_core.c - libFuzzer target: the older SMB1 requests
 * (proto/smb1_core.c) and the challenge/response they carry
 * (proto/ntlm_cr.c). The input is an SMB1 message whose first command
 * block is decoded as each of them.
 *
 * Properties checked (abort() on violation):
 *  - a SESSION_SETUP_ANDX it accepts has its passwords inside the data
 *    block, and its strings are NUL-free C strings;
 *  - verifying those passwords never succeeds against a random hash for
 *    anonymous or invalid lengths, never succeeds for NTLMv1 when it is
 *    not permitted, and a MAC response lies inside what was given;
 *  - a SEARCH request it accepts has its resume key inside the data
 *    block, and an entry built from its decoded key and pattern is 43
 *    bytes and decodes back to the same key; the pattern conversion
 *    never grows a pattern; the pattern as a name in an entry of each
 *    OS/2 FIND level (SMB_INFO_STANDARD, _QUERY_EA_SIZE,
 *    _QUERY_EAS_FROM_LIST) is taken exactly when it fits the 8-bit
 *    FileNameLength, which then says its length, and the entry has the
 *    size its level gives;
 *  - the DOS share mode of the message's first two bytes (and its
 *    strings as the name) is a known access class and share access,
 *    and an exclusive open shares nothing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "proto/smb1_core.h"
#include "proto/ntlm_cr.h"
#include "proto/utf16.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_setup(const uint8_t *m, size_t len,
			const struct smb1_block *b, bool unicode)
{
	static const uint8_t chal[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t hash[16] = { 9 };
	TALLOC_CTX *mem = talloc_new(NULL);
	struct smb1_setup_nt s = {};
	struct ntlm_cr_in in = {};
	struct ntlm_cr_out out = {};
	enum ntlm_cr_kind kind;
	int rc = 0;

	if (smb1_setup_nt_parse(mem, m, len, b, unicode, &s) != 0) {
		talloc_free(mem);
		return;
	}
	if (s.lm < b->bytes || s.nt + s.nt_len > b->bytes + b->bcc ||
	    s.lm + s.lm_len != s.nt) {
		abort();
	}
	(void)strlen(s.user);
	(void)strlen(s.native_lanman);
	in = (struct ntlm_cr_in) {
		.challenge = chal, .user = s.user, .domain = s.domain,
		.lm = s.lm, .lm_len = s.lm_len, .nt = s.nt,
		.nt_len = s.nt_len, .permit_v1 = (s.caps & 1) != 0,
	};
	kind = ntlm_cr_classify(s.lm, s.lm_len, s.nt_len);
	rc = ntlm_cr_verify(&in, hash, &out);
	if ((kind == NTLM_CR_ANONYMOUS || kind == NTLM_CR_INVALID) &&
	    rc != WIRE_E_INVALID) {
		abort();
	}
	if (rc == 0 && out.ntlmv1 && !in.permit_v1) {
		abort();
	}
	if (rc == 0 && !((out.mac_resp == s.nt &&
			  out.mac_resp_len <= s.nt_len) ||
			 (out.mac_resp == s.lm &&
			  out.mac_resp_len <= s.lm_len))) {
		abort();
	}
	talloc_free(mem);
}

/* name (a decoded SEARCH pattern) in an entry of each OS/2 FIND level */
static void check_find_std(TALLOC_CTX *mem, const char *name, bool unicode,
			   bool resume)
{
	static const uint8_t fea[] = { 4, 0, 0, 0 };
	static const uint16_t levels[] = {
		SMB1_INFO_STANDARD, SMB1_INFO_QUERY_EA_SIZE,
		SMB1_INFO_QUERY_EAS_FROM_LIST,
	};
	struct smb1_find_std e = {
		.name = name, .ea_list = fea, .ea_list_len = sizeof(fea),
	};
	size_t nl = unicode ? utf16_len_of_utf8(name) : strlen(name);

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		uint16_t lv = levels[i];
		size_t fixed = (resume ? 4 : 0) + 22 +
			       (lv == SMB1_INFO_STANDARD ? 0 : 4);
		size_t want = fixed + 1 + nl +
			      (lv == SMB1_INFO_STANDARD && unicode ? 3 : 1);
		struct wire_wr w;
		bool ok = false;

		wire_wr_init(&w, mem, 0);
		ok = smb1_find_std_put(&w, lv, unicode, resume, 7, &e);
		if (ok != (nl <= 255)) {
			abort();
		}
		if (!ok || wire_wr_error(&w) != 0) {
			continue;
		}
		if (w.buf[fixed] != nl || w.len != want) {
			abort();
		}
	}
}

static void check_search(const uint8_t *m, size_t len,
			 const struct smb1_block *b, bool unicode)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct smb1_search_req q = {};
	struct smb1_resume k = {};
	struct smb1_resume back = {};
	struct smb1_dir_entry e = {};
	struct wire_wr w;
	char *pat = NULL;

	if (smb1_search_parse(mem, m, len, b, unicode, &q) != 0) {
		talloc_free(mem);
		return;
	}
	if (q.resume_key != NULL &&
	    (q.resume_key < b->bytes ||
	     q.resume_key + SMB1_RESUME_KEY_LEN > b->bytes + b->bcc)) {
		abort();
	}
	if (q.resume_key != NULL) {
		smb1_resume_decode(q.resume_key, &k);
	}
	pat = smb1_core_pattern(mem, q.pattern);
	if (pat == NULL || (strlen(pat) > strlen(q.pattern) &&
			    strcmp(pat, "*") != 0)) {
		abort();
	}
	e.name83 = q.pattern;
	wire_wr_init(&w, mem, 0);
	smb1_dir_entry_put(&w, &e, &k);
	if (wire_wr_error(&w) == 0) {
		if (w.len != SMB1_DIR_INFO_LEN) {
			abort();
		}
		smb1_resume_decode(w.buf, &back);
		if (back.sid != k.sid || back.next != k.next ||
		    memcmp(back.client_state, k.client_state, 4) != 0) {
			abort();
		}
	}
	check_find_std(mem, q.pattern, unicode, k.next & 1);
	talloc_free(mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smb1_block b = {};

	if (size < SMB1_HDR_SIZE + 1 ||
	    smb1_block_parse(data, size, SMB1_HDR_SIZE, &b) != 0) {
		return 0;
	}
	check_setup(data, size, &b, (data[11] & 0x80) != 0);
	check_search(data, size, &b, (data[11] & 0x80) != 0);
	{
		struct smb1_dos_open o = {};
		char name[16] = {};

		memcpy(name, data + 16, 15);
		if (smb1_dos_open_map(wire_le16(data), name, &o) == 0 &&
		    (o.access_class > 3 || (o.share & ~3u) != 0 ||
		     (o.exclusive && (o.share != 0 || !o.dos_or_fcb)))) {
			abort();
		}
	}
	return 0;
}
