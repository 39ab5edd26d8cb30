/*
 * test_smb1_core.c - the older SMB1 requests (proto/smb1_core.c):
 * SESSION_SETUP_ANDX without extended security; the core SEARCH request,
 * its resume keys and entries and its patterns; the DOS and FCB share
 * modes.
 */
#include "tests/wgtest.h"
#include "proto/smb1_core.h"
#include "proto/utf16.h"
#include "proto/smb2.h"

/* A 13-word SESSION_SETUP_ANDX: header, words, then the data block. */
static uint8_t *setup_msg(TALLOC_CTX *mem, bool unicode, size_t lm_len,
			  size_t nt_len, bool names, size_t *len)
{
	struct wire_wr w;
	struct smb1_hdr h = { .command = SMB1_COM_SESSION_SETUP_ANDX };
	size_t bcc_at = 0;

	wire_wr_init(&w, mem, 0);
	smb1_hdr_push(&w, &h);
	wire_put_u8(&w, 13);
	wire_put_u8(&w, 0xFF);
	wire_put_u8(&w, 0);
	wire_put_u16le(&w, 0);
	wire_put_u16le(&w, 4356);	/* MaxBufferSize */
	wire_put_u16le(&w, 2);		/* MaxMpxCount */
	wire_put_u16le(&w, 1);		/* VcNumber */
	wire_put_u32le(&w, 0);		/* SessionKey */
	wire_put_u16le(&w, (uint16_t)lm_len);
	wire_put_u16le(&w, (uint16_t)nt_len);
	wire_put_u32le(&w, 0);
	wire_put_u32le(&w, 0x800000d4u);
	bcc_at = w.len;
	wire_put_u16le(&w, 0);
	for (size_t i = 0; i < lm_len; i++) {
		wire_put_u8(&w, (uint8_t)(0x10 + i));
	}
	for (size_t i = 0; i < nt_len; i++) {
		wire_put_u8(&w, (uint8_t)(0x80 + i));
	}
	if (names) {
		static const char *const s[] = { "alice", "WORKGROUP",
						 "Windows 2000 2195",
						 "Windows 2000 5.0" };

		for (size_t i = 0; i < 4; i++) {
			if (unicode) {
				wire_put_align(&w, 2);
				wire_put_utf16(&w, s[i]);
				wire_put_u16le(&w, 0);
			} else {
				wire_put_bytes(&w, s[i], strlen(s[i]) + 1);
			}
		}
	}
	wire_patch_u16le(&w, bcc_at, (uint16_t)(w.len - bcc_at - 2));
	ck_assert_int_eq(wire_wr_error(&w), 0);
	*len = w.len;
	return w.buf;
}

static void setup_check(bool unicode, size_t lm_len, size_t nt_len)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	size_t len = 0;
	uint8_t *m = setup_msg(mem, unicode, lm_len, nt_len, true, &len);
	struct smb1_block b = {};
	struct smb1_setup_nt s = {};

	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	ck_assert_int_eq(smb1_setup_nt_parse(mem, m, len, &b, unicode, &s), 0);
	ck_assert_uint_eq(s.max_buffer, 4356);
	ck_assert_uint_eq(s.vc_number, 1);
	ck_assert_uint_eq(s.caps, 0x800000d4u);
	ck_assert_uint_eq(s.lm_len, lm_len);
	ck_assert_uint_eq(s.nt_len, nt_len);
	if (lm_len > 0) {
		ck_assert_uint_eq(s.lm[0], 0x10);
	}
	if (nt_len > 0) {
		ck_assert_uint_eq(s.nt[0], 0x80);
		ck_assert_uint_eq(s.nt[nt_len - 1],
				  (uint8_t)(0x80 + nt_len - 1));
	}
	ck_assert_str_eq(s.user, "alice");
	ck_assert_str_eq(s.domain, "WORKGROUP");
	ck_assert_str_eq(s.native_os, "Windows 2000 2195");
	ck_assert_str_eq(s.native_lanman, "Windows 2000 5.0");
	/* every truncation: an error or shorter strings, never past it */
	for (size_t n = SMB1_HDR_SIZE; n < len; n++) {
		int rc = smb1_block_parse(m, n, SMB1_HDR_SIZE, &b);

		if (rc == 0) {
			rc = smb1_setup_nt_parse(mem, m, n, &b, unicode, &s);
			ck_assert(rc == 0 || rc == WIRE_E_BOUNDS ||
				  rc == WIRE_E_INVALID);
		}
	}
	talloc_free(mem);
}

START_TEST(test_setup_nt)
{
	setup_check(true, 24, 24);
	setup_check(true, 24, 0);
	setup_check(true, 0, 0);
	setup_check(true, 1, 0);	/* odd: the pad before the names */
	setup_check(false, 24, 24);
	setup_check(true, 24, 190);	/* NTLMv2 */
}
END_TEST

START_TEST(test_setup_nt_bad)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	size_t len = 0;
	uint8_t *m = setup_msg(mem, true, 24, 24, false, &len);
	struct smb1_block b = {};
	struct smb1_setup_nt s = {};

	/* no names at all: empty strings */
	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	ck_assert_int_eq(smb1_setup_nt_parse(mem, m, len, &b, true, &s), 0);
	ck_assert_str_eq(s.user, "");
	ck_assert_str_eq(s.native_lanman, "");
	/* passwords longer than the data block (NT slot 25 bytes) */
	m[SMB1_HDR_SIZE + 1 + 16] = 25;
	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	ck_assert_int_eq(smb1_setup_nt_parse(mem, m, len, &b, true, &s),
			 WIRE_E_BOUNDS);
	/* 12 words (the extended form) is not this one */
	b.wct = 12;
	ck_assert_int_eq(smb1_setup_nt_parse(mem, m, len, &b, true, &s),
			 WIRE_E_SHORT);
	talloc_free(mem);
}
END_TEST


/* A SEARCH request: MaxCount 5, attributes 0x1010, "\DIR\*.*" (OEM),
 * and a resume key of klen bytes. */
static uint8_t *search_msg(TALLOC_CTX *mem, uint16_t klen, size_t *len)
{
	struct wire_wr w;
	struct smb1_hdr h = { .command = SMB1_COM_SEARCH };
	size_t bcc_at = 0;

	wire_wr_init(&w, mem, 0);
	smb1_hdr_push(&w, &h);
	wire_put_u8(&w, 2);
	wire_put_u16le(&w, 5);
	wire_put_u16le(&w, 0x1010);
	bcc_at = w.len;
	wire_put_u16le(&w, 0);
	wire_put_u8(&w, 0x04);
	wire_put_bytes(&w, "\\DIR\\*.*", 9);
	wire_put_u8(&w, 0x05);
	wire_put_u16le(&w, klen);
	for (uint16_t i = 0; i < klen; i++) {
		wire_put_u8(&w, (uint8_t)i);
	}
	wire_patch_u16le(&w, bcc_at, (uint16_t)(w.len - bcc_at - 2));
	ck_assert_int_eq(wire_wr_error(&w), 0);
	*len = w.len;
	return w.buf;
}

START_TEST(test_search_parse)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	size_t len = 0;
	uint8_t *m = search_msg(mem, 0, &len);
	struct smb1_block b = {};
	struct smb1_search_req q = {};
	struct smb1_resume k = {};

	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	ck_assert_int_eq(smb1_search_parse(mem, m, len, &b, false, &q), 0);
	ck_assert_uint_eq(q.max_count, 5);
	ck_assert_uint_eq(q.attrs, 0x1010);
	ck_assert_str_eq(q.pattern, "\\DIR\\*.*");
	ck_assert_ptr_null(q.resume_key);
	m = search_msg(mem, 21, &len);
	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	ck_assert_int_eq(smb1_search_parse(mem, m, len, &b, false, &q), 0);
	ck_assert_ptr_nonnull(q.resume_key);
	smb1_resume_decode(q.resume_key, &k);
	ck_assert_uint_eq(k.sid, 12 | 13 << 8);
	ck_assert_uint_eq(k.next, 14 | 15 << 8 | 16 << 16);
	ck_assert_uint_eq(k.client_state[0], 17);
	ck_assert_uint_eq(k.client_state[3], 20);
	/* every truncation fails, never reading past */
	for (size_t n = SMB1_HDR_SIZE; n < len; n++) {
		if (smb1_block_parse(m, n, SMB1_HDR_SIZE, &b) == 0) {
			ck_assert_int_ne(smb1_search_parse(mem, m, n, &b,
							   false, &q), 0);
		}
	}
	/* a resume key of another length */
	m = search_msg(mem, 20, &len);
	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	ck_assert_int_eq(smb1_search_parse(mem, m, len, &b, false, &q),
			 WIRE_E_INVALID);
	/* a wrong buffer format */
	m = search_msg(mem, 0, &len);
	m[SMB1_HDR_SIZE + 7] = 0x03;
	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	ck_assert_int_eq(smb1_search_parse(mem, m, len, &b, false, &q),
			 WIRE_E_INVALID);
	talloc_free(mem);
}
END_TEST

START_TEST(test_dir_entry)
{
	struct wire_wr w;
	struct smb1_dir_entry e = {
		.name83 = "README.TXT", .attrs = 0x20,
		.write_date = 0x1234, .write_time = 0x5678, .size = 99,
	};
	struct smb1_resume k = { .sid = 7, .next = 0x030201,
				 .client_state = { 9, 8, 7, 6 } };
	struct smb1_resume back = {};
	uint8_t pad[11];

	wire_wr_init(&w, wgt_root, 0);
	smb1_dir_entry_put(&w, &e, &k);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, SMB1_DIR_INFO_LEN);
	ck_assert_mem_eq(w.buf + 1, "README  TXT", 11);
	smb1_resume_decode(w.buf, &back);
	ck_assert_uint_eq(back.sid, 7);
	ck_assert_uint_eq(back.next, 0x030201);
	ck_assert_mem_eq(back.client_state, k.client_state, 4);
	ck_assert_uint_eq(w.buf[21], 0x20);
	ck_assert_uint_eq(wire_le16(w.buf + 22), 0x5678);	/* time */
	ck_assert_uint_eq(wire_le16(w.buf + 24), 0x1234);	/* date */
	ck_assert_uint_eq(wire_le32(w.buf + 26), 99);
	ck_assert_str_eq((const char *)w.buf + 30, "README.TXT");
	talloc_free(w.buf);
	smb1_name_83_pad("..", pad);
	ck_assert_mem_eq(pad, "..         ", 11);
	smb1_name_83_pad("NOEXT", pad);
	ck_assert_mem_eq(pad, "NOEXT      ", 11);
	smb1_name_83_pad("A.B", pad);
	ck_assert_mem_eq(pad, "A       B  ", 11);
}
END_TEST

START_TEST(test_core_pattern)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);

	ck_assert_str_eq(smb1_core_pattern(mem, "*.*"), "*");
	ck_assert_str_eq(smb1_core_pattern(mem, ""), "*");
	ck_assert_str_eq(smb1_core_pattern(mem, "????????.???"), "*");
	ck_assert_str_eq(smb1_core_pattern(mem, "*"), "*");
	ck_assert_str_eq(smb1_core_pattern(mem, "A?.TXT"), "A>.TXT");
	ck_assert_str_eq(smb1_core_pattern(mem, "*.TXT"), "<.TXT");
	ck_assert_str_eq(smb1_core_pattern(mem, "F.*"), "F\"*");
	ck_assert_str_eq(smb1_core_pattern(mem, "F."), "F\"");
	talloc_free(mem);
}
END_TEST


START_TEST(test_dos_open_map)
{
	struct smb1_dos_open o = {};
	const uint32_t rw = FILE_SHARE_READ | FILE_SHARE_WRITE;

	/* deny all / write / read / none, read-write access */
	ck_assert_int_eq(smb1_dos_open_map(0x12, "a.dat", &o), 0);
	ck_assert_uint_eq(o.share, 0);
	ck_assert(!o.dos_or_fcb && !o.exclusive);
	ck_assert_uint_eq(o.access_class, 2);
	ck_assert_int_eq(smb1_dos_open_map(0x22, "a.dat", &o), 0);
	ck_assert_uint_eq(o.share, FILE_SHARE_READ);
	ck_assert_int_eq(smb1_dos_open_map(0x32, "a.dat", &o), 0);
	ck_assert_uint_eq(o.share, FILE_SHARE_WRITE);
	ck_assert_int_eq(smb1_dos_open_map(0x42, "a.dat", &o), 0);
	ck_assert_uint_eq(o.share, rw);
	/* compatibility mode: executables share all */
	ck_assert_int_eq(smb1_dos_open_map(0x02, "\\dir\\A.Exe", &o), 0);
	ck_assert_uint_eq(o.share, rw);
	ck_assert(o.dos_or_fcb && !o.exclusive);
	/* others: reading shares read, writing is exclusive */
	ck_assert_int_eq(smb1_dos_open_map(0x00, "a.dat", &o), 0);
	ck_assert_uint_eq(o.share, FILE_SHARE_READ);
	ck_assert(o.dos_or_fcb && !o.exclusive);
	ck_assert_int_eq(smb1_dos_open_map(0x01, "a.dat", &o), 0);
	ck_assert_uint_eq(o.share, 0);
	ck_assert(o.dos_or_fcb && o.exclusive);
	ck_assert_int_eq(smb1_dos_open_map(0x02, "a.exe.dat", &o), 0);
	ck_assert(o.exclusive);
	/* FCB: 0xFF or 0x70 | class: read-write, exclusive */
	ck_assert_int_eq(smb1_dos_open_map(0xFF, "a.dat", &o), 0);
	ck_assert_uint_eq(o.access_class, 2);
	ck_assert_uint_eq(o.share, 0);
	ck_assert(o.dos_or_fcb && o.exclusive);
	ck_assert_int_eq(smb1_dos_open_map(0x70, "a.exe", &o), 0);
	ck_assert_uint_eq(o.access_class, 2);
	ck_assert(o.exclusive);
	/* no meaning: sharing 5 and 6, access class 4-7 outside FCB */
	ck_assert_int_eq(smb1_dos_open_map(0x52, "a", &o), WIRE_E_INVALID);
	ck_assert_int_eq(smb1_dos_open_map(0x62, "a", &o), WIRE_E_INVALID);
	ck_assert_int_eq(smb1_dos_open_map(0x44, "a", &o), WIRE_E_INVALID);
	ck_assert_int_eq(smb1_dos_open_map(0x07, "a", &o), WIRE_E_INVALID);
	/* executables */
	ck_assert(smb1_name_is_executable("X.DLL"));
	ck_assert(smb1_name_is_executable("x.sym"));
	ck_assert(smb1_name_is_executable("x.com"));
	ck_assert(!smb1_name_is_executable("x.comx"));
	ck_assert(!smb1_name_is_executable("exe"));
	ck_assert(!smb1_name_is_executable("a.exe\\b"));
}
END_TEST

static Suite *smb1_core_suite(void)
{
	Suite *s = suite_create("smb1_core");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_setup_nt);
	tcase_add_test(tc, test_setup_nt_bad);
	tcase_add_test(tc, test_search_parse);
	tcase_add_test(tc, test_dir_entry);
	tcase_add_test(tc, test_core_pattern);
	tcase_add_test(tc, test_dos_open_map);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(smb1_core_suite)
