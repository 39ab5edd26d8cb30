/*
 * test_smb1.c - SMB1 header, blocks, AndX walker, dialect lists, strings,
 * TRANS2 framing and MD5 signing (proto/smb1.c).
 */
#include "tests/wgtest.h"
#include "proto/smb1.h"
#include "proto/ntstatus.h"

/*
 * An ECHO request as smbclient sends one: flags 0x18, flags2 0xC807,
 * TID 1, PIDLow 0xFEFF, UID 100, MID 7; WordCount 1 (EchoCount 1), four
 * data bytes "ping". 41 bytes.
 */
static const uint8_t echo_req[] = {
	0xFF, 'S', 'M', 'B', 0x2B, 0, 0, 0, 0, 0x18, 0x07, 0xC8,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0x01, 0x00, 0xFF, 0xFE, 0x64, 0x00, 0x07, 0x00,
	0x01, 0x01, 0x00, 0x04, 0x00, 'p', 'i', 'n', 'g',
};

START_TEST(test_hdr_parse)
{
	struct smb1_hdr h = {};
	struct wire_wr w;

	ck_assert_int_eq(smb1_hdr_parse(echo_req, sizeof(echo_req), &h), 0);
	ck_assert_uint_eq(h.command, SMB1_COM_ECHO);
	ck_assert_uint_eq(h.flags, 0x18);
	ck_assert_uint_eq(h.flags2, 0xC807);
	ck_assert_uint_eq(h.tid, 1);
	ck_assert_uint_eq(h.pid, 0xFEFF);
	ck_assert_uint_eq(h.uid, 100);
	ck_assert_uint_eq(h.mid, 7);
	for (size_t n = 0; n < SMB1_HDR_SIZE; n++) {
		ck_assert_int_eq(smb1_hdr_parse(echo_req, n, &h), WIRE_E_SHORT);
	}
	/* and back: the same 32 bytes */
	ck_assert_int_eq(smb1_hdr_parse(echo_req, sizeof(echo_req), &h), 0);
	wire_wr_init(&w, wgt_root, 0);
	smb1_hdr_push(&w, &h);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, SMB1_HDR_SIZE);
	ck_assert_mem_eq(w.buf, echo_req, SMB1_HDR_SIZE);
	talloc_free(w.buf);
}
END_TEST

START_TEST(test_hdr_bad_magic)
{
	uint8_t b[sizeof(echo_req)];
	struct smb1_hdr h = {};

	memcpy(b, echo_req, sizeof(b));
	b[0] = 0xFE;
	ck_assert_int_eq(smb1_hdr_parse(b, sizeof(b), &h), WIRE_E_INVALID);
}
END_TEST

START_TEST(test_block)
{
	struct smb1_block b = {};

	ck_assert_int_eq(smb1_block_parse(echo_req, sizeof(echo_req), 32, &b),
			 0);
	ck_assert_uint_eq(b.wct, 1);
	ck_assert_uint_eq(smb1_word(&b, 0), 1);
	ck_assert_uint_eq(smb1_word(&b, 5), 0);	/* past wct */
	ck_assert_uint_eq(b.bcc, 4);
	ck_assert_mem_eq(b.bytes, "ping", 4);
	ck_assert_uint_eq(b.bytes_off, 37);
	ck_assert_uint_eq(b.end, 41);
	/* truncation at every byte fails, and never reads past the end */
	for (size_t n = 32; n < sizeof(echo_req); n++) {
		ck_assert_int_ne(smb1_block_parse(echo_req, n, 32, &b), 0);
	}
}
END_TEST

/*
 * SESSION_SETUP_ANDX chained to TREE_CONNECT_ANDX chained to nothing, as
 * a client builds it: each AndX block names the next and its offset.
 */
static size_t build_chain(uint8_t *m, uint8_t second, uint16_t off2,
			  uint8_t third, uint16_t off3)
{
	size_t o = SMB1_HDR_SIZE;

	memset(m, 0, 128);
	memcpy(m, "\xffSMB", 4);
	m[4] = SMB1_COM_SESSION_SETUP_ANDX;
	/* block 1 at 32: wct 2 (AndX only), bcc 0 */
	m[o++] = 2;
	m[o++] = second;
	m[o++] = 0;
	wire_setle16(m + o, off2);
	o += 2;
	wire_setle16(m + o, 0);
	o += 2;
	/* block 2 at 39: wct 2, bcc 3 */
	m[o++] = 2;
	m[o++] = third;
	m[o++] = 0;
	wire_setle16(m + o, off3);
	o += 2;
	wire_setle16(m + o, 3);
	o += 2;
	memcpy(m + o, "abc", 3);
	o += 3;
	return o;
}

START_TEST(test_andx_chain)
{
	uint8_t m[128];
	size_t len = build_chain(m, SMB1_COM_TREE_CONNECT_ANDX, 39,
				 SMB1_COM_NO_ANDX_COMMAND, 0);
	struct smb1_andx_iter it;
	struct smb1_block b = {};
	uint8_t cmd = 0;

	smb1_andx_start(&it, m, len, m[4], 4);
	ck_assert_int_eq(smb1_andx_next(&it, &cmd, &b), 1);
	ck_assert_uint_eq(cmd, SMB1_COM_SESSION_SETUP_ANDX);
	ck_assert_uint_eq(b.off, 32);
	ck_assert_int_eq(smb1_andx_next(&it, &cmd, &b), 1);
	ck_assert_uint_eq(cmd, SMB1_COM_TREE_CONNECT_ANDX);
	ck_assert_uint_eq(b.off, 39);
	ck_assert_uint_eq(b.bcc, 3);
	ck_assert_int_eq(smb1_andx_next(&it, &cmd, &b), 0);
	ck_assert_int_eq(smb1_andx_next(&it, &cmd, &b), 0);
}
END_TEST

START_TEST(test_andx_backwards)
{
	uint8_t m[128];
	size_t len = 0;
	struct smb1_andx_iter it;
	struct smb1_block b = {};
	uint8_t cmd = 0;

	/* the second block points back at the first: a loop, refused */
	len = build_chain(m, SMB1_COM_TREE_CONNECT_ANDX, 39,
			  SMB1_COM_TREE_CONNECT_ANDX, 39);
	smb1_andx_start(&it, m, len, m[4], 100);
	ck_assert_int_eq(smb1_andx_next(&it, &cmd, &b), 1);
	ck_assert_int_eq(smb1_andx_next(&it, &cmd, &b), 1);
	ck_assert_int_eq(smb1_andx_next(&it, &cmd, &b), WIRE_E_BOUNDS);
	ck_assert_int_eq(smb1_andx_next(&it, &cmd, &b), 0);
	/* into its own parameter words: refused too */
	len = build_chain(m, SMB1_COM_TREE_CONNECT_ANDX, 34,
			  SMB1_COM_NO_ANDX_COMMAND, 0);
	smb1_andx_start(&it, m, len, m[4], 100);
	ck_assert_int_eq(smb1_andx_next(&it, &cmd, &b), 1);
	ck_assert_int_eq(smb1_andx_next(&it, &cmd, &b), WIRE_E_BOUNDS);
	/* past the end of the message */
	len = build_chain(m, SMB1_COM_TREE_CONNECT_ANDX, 200,
			  SMB1_COM_NO_ANDX_COMMAND, 0);
	smb1_andx_start(&it, m, len, m[4], 100);
	ck_assert_int_eq(smb1_andx_next(&it, &cmd, &b), 1);
	ck_assert_int_eq(smb1_andx_next(&it, &cmd, &b), WIRE_E_BOUNDS);
}
END_TEST

START_TEST(test_andx_max)
{
	uint8_t m[128];
	size_t len = build_chain(m, SMB1_COM_TREE_CONNECT_ANDX, 39,
				 SMB1_COM_NO_ANDX_COMMAND, 0);
	struct smb1_andx_iter it;
	struct smb1_block b = {};
	uint8_t cmd = 0;

	smb1_andx_start(&it, m, len, m[4], 1);
	ck_assert_int_eq(smb1_andx_next(&it, &cmd, &b), 1);
	ck_assert_int_eq(smb1_andx_next(&it, &cmd, &b), WIRE_E_TOOBIG);
}
END_TEST

START_TEST(test_dialects)
{
	static const char smbclient[] =
		"\x02" "NT LANMAN 1.0\0" "\x02" "NT LM 0.12\0";
	static const char win7[] =
		"\x02" "PC NETWORK PROGRAM 1.0\0" "\x02" "NT LM 0.12\0"
		"\x02" "SMB 2.002\0" "\x02" "SMB 2.???\0";
	struct smb1_dialects d = {};

	ck_assert_int_eq(smb1_parse_dialects((const uint8_t *)smbclient,
					     sizeof(smbclient) - 1, &d), 0);
	ck_assert_int_eq(d.nt1, 1);
	ck_assert(!d.smb2);
	ck_assert_uint_eq(d.count, 2);
	ck_assert_int_eq(smb1_parse_dialects((const uint8_t *)win7,
					     sizeof(win7) - 1, &d), 0);
	ck_assert_int_eq(d.nt1, 1);
	ck_assert(d.smb2);
	ck_assert_uint_eq(d.count, 4);
	/* cut anywhere but at a dialect boundary: malformed */
	for (size_t n = 1; n < sizeof(smbclient) - 1; n++) {
		int rc = smb1_parse_dialects((const uint8_t *)smbclient, n,
					     &d);

		if (n == 15) {
			ck_assert_int_eq(rc, 0);
			ck_assert_int_eq(d.nt1, -1);
		} else {
			ck_assert_int_eq(rc, WIRE_E_INVALID);
		}
	}
	ck_assert_int_eq(smb1_parse_dialects((const uint8_t *)"\x01x\0", 3,
					     &d), WIRE_E_INVALID);
}
END_TEST

START_TEST(test_strings)
{
	/* header-relative offsets: a pad byte at 33 before UTF-16 "a\b" */
	TALLOC_CTX *mem = talloc_new(wgt_root);
	uint8_t m[48] = {};
	char *s = NULL;
	size_t next = 0;

	m[33] = 0xEE;
	m[34] = 'a';
	m[36] = '\\';
	m[38] = 0;
	m[39] = 0;
	m[40] = 'Z';
	ck_assert_int_eq(smb1_pull_string(mem, m, 33, 42, true, &s,
					  &next), 0);
	ck_assert_str_eq(s, "a\\");
	ck_assert_uint_eq(next, 40);
	/* no terminator: the string ends with the block */
	ck_assert_int_eq(smb1_pull_string(mem, m, 34, 38, true, &s,
					  &next), 0);
	ck_assert_str_eq(s, "a\\");
	ck_assert_uint_eq(next, 38);
	/* ASCII */
	ck_assert_int_eq(smb1_pull_string(mem,
					  (const uint8_t *)"xxIPC\0yy", 2, 8,
					  false, &s, &next), 0);
	ck_assert_str_eq(s, "IPC");
	ck_assert_uint_eq(next, 6);
	ck_assert_int_eq(smb1_pull_string(mem, m, 40, 39, true, &s,
					  &next), WIRE_E_BOUNDS);
	ck_assert_int_eq(smb1_pull_string(mem, m, 33, 33, true, &s,
					  &next), WIRE_E_BOUNDS);
	talloc_free(mem);
}
END_TEST

/* A TRANS2 FIND_FIRST2 primary: 15 words, 12 parameter bytes at 68. */
static size_t build_trans2(uint8_t *m, uint16_t pcount, uint16_t poff,
			   uint16_t ptotal)
{
	size_t o = SMB1_HDR_SIZE;
	const uint16_t w[15] = { ptotal, 0, 10, 4096, 0, 0, 0, 0, 0,
				 pcount, poff, 0, 0, 1,
				 SMB1_TRANS2_FIND_FIRST2 };

	memset(m, 0, 128);
	memcpy(m, "\xffSMB", 4);
	m[4] = SMB1_COM_TRANSACTION2;
	m[o++] = 15;
	for (size_t i = 0; i < 15; i++) {
		wire_setle16(m + o, w[i]);
		o += 2;
	}
	wire_setle16(m + o, 15);
	o += 2;
	return o + 15;
}

START_TEST(test_trans2)
{
	uint8_t m[128];
	size_t len = build_trans2(m, 12, 68, 12);
	struct smb1_block b = {};
	struct smb1_trans2 t = {};

	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_trans2_parse(m, len, &b, false, &t), 0);
	ck_assert_uint_eq(t.subcommand, SMB1_TRANS2_FIND_FIRST2);
	ck_assert_uint_eq(t.param_count, 12);
	ck_assert_uint_eq(t.param_off, 68);
	ck_assert_uint_eq(t.max_data, 4096);
	/* parameters past the message */
	len = build_trans2(m, 12, 76, 12);
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_trans2_parse(m, len, &b, false, &t),
			 WIRE_E_BOUNDS);
	/* more in this message than the total */
	len = build_trans2(m, 12, 68, 8);
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_trans2_parse(m, len, &b, false, &t),
			 WIRE_E_INVALID);
	/* too few words */
	m[32] = 9;
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_trans2_parse(m, len, &b, false, &t),
			 WIRE_E_SHORT);
}
END_TEST

/*
 * MS-CIFS §3.1.5.1 signing over echo_req with key 00..0f and sequence
 * number 5; the expected MAC was computed independently (Python hashlib:
 * md5(key + msg with 05 00 00 00 00 00 00 00 at offset 14)[:8]).
 */
START_TEST(test_sign)
{
	static const uint8_t mac[8] = {
		0x95, 0x04, 0x2e, 0x64, 0x0b, 0x21, 0x54, 0xe5,
	};
	uint8_t key[16];
	uint8_t m[sizeof(echo_req)];

	for (size_t i = 0; i < 16; i++) {
		key[i] = (uint8_t)i;
	}
	memcpy(m, echo_req, sizeof(m));
	smb1_sign(key, 16, m, sizeof(m), 5);
	ck_assert_mem_eq(m + SMB1_SIG_OFF, mac, 8);
	ck_assert(smb1_check(key, 16, m, sizeof(m), 5));
	ck_assert_mem_eq(m + SMB1_SIG_OFF, mac, 8);	/* left as it was */
	ck_assert(!smb1_check(key, 16, m, sizeof(m), 6));
	m[40] ^= 1;
	ck_assert(!smb1_check(key, 16, m, sizeof(m), 5));
}
END_TEST

START_TEST(test_dos_error)
{
	uint8_t c = 0;
	uint16_t e = 0;

	smb1_dos_error(NT_STATUS_REQUEST_NOT_ACCEPTED, &c, &e);
	ck_assert_uint_eq(c, SMB1_ERRDOS);
	ck_assert_uint_eq(e, 71);
	smb1_dos_error(NT_STATUS_OBJECT_NAME_NOT_FOUND, &c, &e);
	ck_assert_uint_eq(c, SMB1_ERRDOS);
	ck_assert_uint_eq(e, 2);
	smb1_dos_error(0xC0001234u, &c, &e);
	ck_assert_uint_eq(c, SMB1_ERRHRD);
	ck_assert_uint_eq(e, 31);
}
END_TEST

static Suite *smb1_suite(void)
{
	Suite *s = suite_create("smb1");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_hdr_parse);
	tcase_add_test(tc, test_hdr_bad_magic);
	tcase_add_test(tc, test_block);
	tcase_add_test(tc, test_andx_chain);
	tcase_add_test(tc, test_andx_backwards);
	tcase_add_test(tc, test_andx_max);
	tcase_add_test(tc, test_dialects);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_trans2);
	tcase_add_test(tc, test_sign);
	tcase_add_test(tc, test_dos_error);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(smb1_suite)
