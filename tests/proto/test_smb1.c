/*
 * test_smb1.c - SMB1 header, blocks, AndX walker, dialect lists, strings,
 * TRANS2 and NT_TRANSACT framing, transactions rebuilt from pieces, MD5
 * signing and the file command requests (NT_CREATE, READ/WRITE_ANDX,
 * LOCKING_ANDX, FIND_FIRST2/NEXT2 and the OS/2 FIND levels' entries,
 * path info, NT_TRANSACT_CREATE, IOCTL,
 * NOTIFY_CHANGE, QUERY/SET_SECURITY_DESC) (proto/smb1.c).
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

/* A message of header + one block: wct words then bcc bytes. */
static size_t build_block(uint8_t *m, uint8_t cmd, const uint8_t *words,
			  uint8_t wct, const uint8_t *bytes, uint16_t bcc)
{
	size_t o = SMB1_HDR_SIZE;

	memset(m, 0, SMB1_HDR_SIZE);
	memcpy(m, "\xffSMB", 4);
	m[4] = cmd;
	m[o++] = wct;
	memcpy(m + o, words, 2 * (size_t)wct);
	o += 2 * (size_t)wct;
	wire_setle16(m + o, bcc);
	o += 2;
	memcpy(m + o, bytes, bcc);
	return o + bcc;
}

/*
 * Truncating m at every byte makes the block or the codec fail, reading
 * nothing past the cut (an exact-size heap copy: ASan sees an overread).
 */
typedef int (*block_codec)(const uint8_t *msg, size_t len,
			   const struct smb1_block *b);

static void truncate_all(const uint8_t *m, size_t len, block_codec fn)
{
	for (size_t n = SMB1_HDR_SIZE; n < len; n++) {
		uint8_t *c = talloc_memdup(wgt_root, m, n);
		struct smb1_block b = {};

		ck_assert_ptr_nonnull(c);
		ck_assert(smb1_block_parse(c, n, SMB1_HDR_SIZE, &b) != 0 ||
			  fn(c, n, &b) != 0);
		talloc_free(c);
	}
}

/* NT_CREATE_ANDX as smbclient opens "\a.txt" for reading (24 words). */
static const uint8_t ntcreate_words[48] = {
	0xFF, 0, 0, 0,			/* AndX: none */
	0,				/* Reserved */
	12, 0,				/* NameLength */
	0x16, 0, 0, 0,			/* Flags */
	0, 0, 0, 0,			/* RootDirectoryFID */
	0x89, 0, 0x12, 0,		/* DesiredAccess */
	0, 0x10, 0, 0, 0, 0, 0, 0,	/* AllocationSize 4096 */
	0x80, 0, 0, 0,			/* ExtFileAttributes */
	7, 0, 0, 0,			/* ShareAccess */
	1, 0, 0, 0,			/* CreateDisposition: OPEN */
	0x40, 0, 0, 0,			/* CreateOptions */
	2, 0, 0, 0,			/* ImpersonationLevel */
	3,				/* SecurityFlags */
};

static int ntcreate_codec(const uint8_t *msg, size_t len,
			  const struct smb1_block *b)
{
	struct smb1_ntcreate c;

	return smb1_ntcreate_parse(b, &c);
}

START_TEST(test_ntcreate)
{
	uint8_t m[128];
	static const uint8_t name[] = { 0, '\\', 0, 'a', 0, '.', 0, 't', 0,
					'x', 0, 't', 0, 0, 0 };
	size_t len = build_block(m, SMB1_COM_NT_CREATE_ANDX, ntcreate_words,
				 24, name, sizeof(name));
	struct smb1_block b = {};
	struct smb1_ntcreate c = {};

	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_ntcreate_parse(&b, &c), 0);
	ck_assert_uint_eq(c.name_len, 12);
	ck_assert_uint_eq(c.flags, 0x16);
	ck_assert_uint_eq(c.desired, 0x00120089);
	ck_assert_uint_eq(c.alloc_size, 4096);
	ck_assert_uint_eq(c.attrs, 0x80);
	ck_assert_uint_eq(c.share, 7);
	ck_assert_uint_eq(c.disposition, 1);
	ck_assert_uint_eq(c.options, 0x40);
	ck_assert_uint_eq(c.impersonation, 2);
	ck_assert_uint_eq(c.security_flags, 3);
	truncate_all(m, len, ntcreate_codec);
	/* another word count */
	len = build_block(m, SMB1_COM_NT_CREATE_ANDX, ntcreate_words, 23,
			  NULL, 0);
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_ntcreate_parse(&b, &c), WIRE_E_SHORT);
}
END_TEST

static const uint8_t readx_words[24] = {
	0xFF, 0, 0, 0,		/* AndX */
	0x34, 0x12,		/* FID */
	0, 0, 1, 0,		/* Offset 0x10000 */
	0, 0xF0,		/* MaxCountOfBytesToReturn 0xF000 */
	1, 0,			/* MinCount */
	1, 0, 0, 0,		/* MaxCountHigh 1 */
	0, 0,			/* Remaining */
	2, 0, 0, 0,		/* OffsetHigh 2 */
};

static int readx_codec(const uint8_t *msg, size_t len,
		       const struct smb1_block *b)
{
	struct smb1_readx r;

	return smb1_readx_parse(b, true, &r);
}

START_TEST(test_readx)
{
	uint8_t m[128];
	size_t len = build_block(m, SMB1_COM_READ_ANDX, readx_words, 12,
				 NULL, 0);
	struct smb1_block b = {};
	struct smb1_readx r = {};

	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_readx_parse(&b, true, &r), 0);
	ck_assert_uint_eq(r.fid, 0x1234);
	ck_assert_uint_eq(r.offset, 0x200010000ULL);
	ck_assert_uint_eq(r.max_count, 0x1F000);	/* with CountHigh */
	ck_assert_uint_eq(r.min_count, 1);
	ck_assert_int_eq(smb1_readx_parse(&b, false, &r), 0);
	ck_assert_uint_eq(r.max_count, 0xF000);		/* without */
	truncate_all(m, len, readx_codec);
	/* 10 words: a 32-bit offset; Timeout all ones is not a count */
	len = build_block(m, SMB1_COM_READ_ANDX, readx_words, 10, NULL, 0);
	m[32 + 1 + 14] = m[32 + 1 + 15] = m[32 + 1 + 16] = m[32 + 1 + 17] =
		0xFF;
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_readx_parse(&b, true, &r), 0);
	ck_assert_uint_eq(r.offset, 0x10000);
	ck_assert_uint_eq(r.max_count, 0xF000);
}
END_TEST

static int writex_codec(const uint8_t *msg, size_t len,
			const struct smb1_block *b)
{
	struct smb1_writex w;

	return smb1_writex_parse(msg, len, b, true, &w);
}

START_TEST(test_writex)
{
	uint8_t words[28] = {
		0xFF, 0, 0, 0,	/* AndX */
		7, 0,		/* FID */
		0x10, 0, 0, 0,	/* Offset */
		0, 0, 0, 0,	/* Timeout */
		1, 0,		/* WriteMode: write through */
		0, 0,		/* Remaining */
		0, 0,		/* DataLengthHigh */
		4, 0,		/* DataLength */
		64, 0,		/* DataOffset: 32 + 1 + 28 + 2 + 1 pad */
		1, 0, 0, 0,	/* OffsetHigh */
	};
	static const uint8_t data[] = { 0, 'd', 'a', 't', 'a' };
	uint8_t m[128];
	size_t len = build_block(m, SMB1_COM_WRITE_ANDX, words, 14, data,
				 sizeof(data));
	struct smb1_block b = {};
	struct smb1_writex w = {};

	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_writex_parse(m, len, &b, true, &w), 0);
	ck_assert_uint_eq(w.fid, 7);
	ck_assert_uint_eq(w.offset, 0x100000010ULL);
	ck_assert_uint_eq(w.write_mode, SMB1_WRITE_THROUGH_MODE);
	ck_assert_uint_eq(w.length, 4);
	ck_assert_uint_eq(w.data_off, 64);
	ck_assert_mem_eq(m + w.data_off, "data", 4);
	truncate_all(m, len, writex_codec);
	/* DataLengthHigh counts only with CAP_LARGE_WRITEX: then the data
	 * runs past the message */
	m[32 + 1 + 18] = 1;
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_writex_parse(m, len, &b, false, &w), 0);
	ck_assert_uint_eq(w.length, 4);
	ck_assert_int_eq(smb1_writex_parse(m, len, &b, true, &w),
			 WIRE_E_BOUNDS);
	/* data offset inside the header */
	m[32 + 1 + 18] = 0;
	m[32 + 1 + 22] = 8;
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_writex_parse(m, len, &b, true, &w),
			 WIRE_E_BOUNDS);
}
END_TEST

static int locking_codec(const uint8_t *msg, size_t len,
			 const struct smb1_block *b)
{
	struct smb1_locking l;

	return smb1_locking_parse(b, &l);
}

START_TEST(test_locking)
{
	uint8_t words[16] = {
		0xFF, 0, 0, 0,	/* AndX */
		9, 0,		/* FID */
		SMB1_LOCKING_LARGE_FILES, 0,
		0, 0, 0, 0,	/* Timeout */
		1, 0,		/* unlocks */
		1, 0,		/* locks */
	};
	uint8_t ranges[40] = {
		/* unlock: PID 5, offset 0x1_00000002, length 3 */
		5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0,
		/* lock: PID 6, offset 10, length 0x2_00000000 */
		6, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
	};
	uint8_t m[128];
	size_t len = build_block(m, SMB1_COM_LOCKING_ANDX, words, 8, ranges,
				 sizeof(ranges));
	struct smb1_block b = {};
	struct smb1_locking l = {};
	uint64_t off = 0, n = 0;
	uint16_t pid = 0;

	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_locking_parse(&b, &l), 0);
	ck_assert_uint_eq(l.fid, 9);
	ck_assert_uint_eq(l.nunlocks, 1);
	ck_assert_uint_eq(l.nlocks, 1);
	smb1_locking_range(&l, 0, &pid, &off, &n);
	ck_assert_uint_eq(pid, 5);
	ck_assert_uint_eq(off, 0x100000002ULL);
	ck_assert_uint_eq(n, 3);
	smb1_locking_range(&l, 1, &pid, &off, &n);
	ck_assert_uint_eq(pid, 6);
	ck_assert_uint_eq(off, 10);
	ck_assert_uint_eq(n, 0x200000000ULL);
	truncate_all(m, len, locking_codec);
	/* the small form: 10 bytes a range, 2 ranges need 20 */
	words[6] = 0;
	len = build_block(m, SMB1_COM_LOCKING_ANDX, words, 8, ranges, 20);
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_locking_parse(&b, &l), 0);
	smb1_locking_range(&l, 1, &pid, &off, &n);
	ck_assert_uint_eq(pid, wire_le16(ranges + 10));
	ck_assert_uint_eq(off, wire_le32(ranges + 12));
	ck_assert_uint_eq(n, wire_le32(ranges + 16));
	len = build_block(m, SMB1_COM_LOCKING_ANDX, words, 8, ranges, 19);
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_locking_parse(&b, &l), WIRE_E_BOUNDS);
}
END_TEST

START_TEST(test_find_params)
{
	/* FIND_FIRST2: attrs 0x16, count 1366, flags 6, level 0x104,
	 * storage 0, "\*" in UTF-16 with its NUL */
	static const uint8_t ff[] = {
		0x16, 0, 0x56, 0x05, 6, 0, 0x04, 0x01, 0, 0, 0, 0,
		'\\', 0, '*', 0, 0, 0,
	};
	/* FIND_NEXT2: sid 3, count 10, level 0x104, resume 0, flags 8, "" */
	static const uint8_t fn[] = {
		3, 0, 10, 0, 0x04, 0x01, 0, 0, 0, 0, 8, 0, 0, 0,
	};
	static const uint8_t qp[] = {
		0x07, 0x01, 0, 0, 0, 0, 'a', 0, 0, 0,
	};
	struct smb1_find_first2 f = {};
	struct smb1_find_next2 x = {};
	uint16_t level = 0;
	char *name = NULL;
	void *mem = talloc_new(wgt_root);

	ck_assert_int_eq(smb1_find_first2_parse(mem, ff, sizeof(ff),
						true, &f), 0);
	ck_assert_uint_eq(f.search_attrs, 0x16);
	ck_assert_uint_eq(f.search_count, 1366);
	ck_assert_uint_eq(f.flags, 6);
	ck_assert_uint_eq(f.level, 0x104);
	ck_assert_str_eq(f.pattern, "\\*");
	ck_assert_int_eq(smb1_find_next2_parse(mem, fn, sizeof(fn),
					       true, &x), 0);
	ck_assert_uint_eq(x.sid, 3);
	ck_assert_uint_eq(x.search_count, 10);
	ck_assert_uint_eq(x.level, 0x104);
	ck_assert_uint_eq(x.flags, SMB1_FIND_CONTINUE_FROM_LAST);
	ck_assert_str_eq(x.name, "");
	ck_assert_int_eq(smb1_path_info_parse(mem, qp, sizeof(qp), true,
					      &level, &name), 0);
	ck_assert_uint_eq(level, 0x107);
	ck_assert_str_eq(name, "a");
	/* ASCII names */
	ck_assert_int_eq(smb1_path_info_parse(mem,
					      (const uint8_t *)"\x01\x01\0\0\0\0b.txt",
					      11, false, &level, &name), 0);
	ck_assert_str_eq(name, "b.txt");
	/* truncation at every byte: short before the name, then at most
	 * a prefix of it, never a read past the cut */
	for (size_t n = 0; n < sizeof(ff); n++) {
		uint8_t *c = talloc_memdup(mem, ff, n ? n : 1);
		int rc = smb1_find_first2_parse(mem, c, n, true, &f);

		if (n < 12) {
			ck_assert_int_eq(rc, WIRE_E_SHORT);
		} else if (rc == 0) {
			ck_assert_uint_le(strlen(f.pattern), 2);
		}
		rc = smb1_find_next2_parse(mem, c, n, true, &x);
		if (n < 12) {
			ck_assert_int_eq(rc, WIRE_E_SHORT);
		}
		rc = smb1_path_info_parse(mem, c, n, true, &level, &name);
		if (n < 6) {
			ck_assert_int_eq(rc, WIRE_E_SHORT);
		}
		talloc_free(c);
	}
	/* TRANS2_OPEN2 (MS-CIFS 2.2.6.1.1) and TRANS2_CREATE_DIRECTORY
	 * (2.2.6.14.1): fixed fields at their offsets, then the name */
	{
		static const uint8_t o2[] = {
			0x01, 0x00, 0x42, 0x00, 0x00, 0x00, 0x04, 0x00,
			0x78, 0x56, 0x34, 0x12, 0x11, 0x00, 0x00, 0x10,
			0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			'x', 0, 0, 0,
		};
		static const uint8_t md[] = { 0, 0, 0, 0, 'd', 0, 0, 0 };
		struct smb1_open2 o;
		char *dname = NULL;

		ck_assert_int_eq(smb1_open2_parse(mem, o2, sizeof(o2), true,
						  &o), 0);
		ck_assert_uint_eq(o.flags, 1);
		ck_assert_uint_eq(o.access_mode, 0x42);
		ck_assert_uint_eq(o.attrs, 4);
		ck_assert_uint_eq(o.create_time, 0x12345678);
		ck_assert_uint_eq(o.open_mode, 0x11);
		ck_assert_uint_eq(o.alloc_size, 0x1000);
		ck_assert_str_eq(o.name, "x");
		ck_assert_int_eq(smb1_open2_parse(mem, o2, 27, true, &o),
				 WIRE_E_SHORT);
		ck_assert_ptr_null(o.name);
		ck_assert_int_eq(smb1_mkdir2_parse(mem, md, sizeof(md), true,
						   &dname), 0);
		ck_assert_str_eq(dname, "d");
		ck_assert_int_eq(smb1_mkdir2_parse(mem, md, 3, true, &dname),
				 WIRE_E_SHORT);
	}
	/* a lone surrogate is no name */
	{
		static const uint8_t bad[] = { 7, 1, 0, 0, 0, 0, 0x00, 0xD8,
					       0, 0 };

		ck_assert_int_ne(smb1_path_info_parse(mem, bad,
						      sizeof(bad), true,
						      &level, &name), 0);
	}
	talloc_free(mem);
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

static int core_write_codec(const uint8_t *msg, size_t len,
			    const struct smb1_block *b)
{
	struct smb1_write w;

	return smb1_write_parse(b, msg[4], &w);
}

/* WRITE [MS-CIFS 2.2.4.12.1]: 5 words, then 0x01, DataLength, data */
START_TEST(test_core_write)
{
	static const uint8_t words[10] = {
		7, 0,		/* FID */
		4, 0,		/* CountOfBytesToWrite */
		0x10, 0, 1, 0,	/* WriteOffsetInBytes 0x10010 */
		0, 0,		/* EstimateOfRemainingBytesToBeWritten */
	};
	uint8_t data[] = { 0x01, 4, 0, 'd', 'a', 't', 'a' };
	uint8_t words9[10];
	uint8_t m[128];
	size_t len = build_block(m, SMB1_COM_WRITE, words, 5, data,
				 sizeof(data));
	struct smb1_block b = {};
	struct smb1_write w = {};

	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE, &w), 0);
	ck_assert_uint_eq(w.fid, 7);
	ck_assert_uint_eq(w.count, 4);
	ck_assert_uint_eq(w.offset, 0x10010);
	ck_assert_uint_eq(w.data_off, 32 + 1 + 10 + 2 + 3);
	ck_assert_mem_eq(m + w.data_off, "data", 4);
	truncate_all(m, len, core_write_codec);
	/* WRITE_AND_UNLOCK reads the same */
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE_AND_UNLOCK, &w),
			 0);
	/* not a core write */
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE_ANDX, &w),
			 WIRE_E_SHORT);
	/* a BufferFormat other than a data block */
	data[0] = 0x04;
	len = build_block(m, SMB1_COM_WRITE, words, 5, data, sizeof(data));
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE, &w),
			 WIRE_E_BOUNDS);
	/* DataLength shorter than the count */
	data[0] = 0x01;
	data[1] = 3;
	len = build_block(m, SMB1_COM_WRITE, words, 5, data, sizeof(data));
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE, &w),
			 WIRE_E_BOUNDS);
	/* a count past the data block, DataLength agreeing */
	memcpy(words9, words, sizeof(words9));
	words9[2] = 9;
	data[1] = 9;
	len = build_block(m, SMB1_COM_WRITE, words9, 5, data, sizeof(data));
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE, &w),
			 WIRE_E_BOUNDS);
	/* four words: short */
	len = build_block(m, SMB1_COM_WRITE, words, 4, data, sizeof(data));
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE, &w),
			 WIRE_E_SHORT);
}
END_TEST

/* WRITE_PRINT_FILE [MS-CIFS 2.2.4.68.1]: the FID, then 0x01,
 * DataLength, data */
START_TEST(test_write_print_file)
{
	static const uint8_t words[2] = { 9, 0 };	/* FID */
	uint8_t data[] = { 0x01, 4, 0, 'd', 'a', 't', 'a' };
	uint8_t m[128];
	size_t len = build_block(m, SMB1_COM_WRITE_PRINT_FILE, words, 1,
				 data, sizeof(data));
	struct smb1_block b = {};
	struct smb1_write w = {};

	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE_PRINT_FILE, &w),
			 0);
	ck_assert_uint_eq(w.fid, 9);
	ck_assert_uint_eq(w.count, 4);
	ck_assert_uint_eq(w.offset, 0);
	ck_assert_uint_eq(w.data_off, 32 + 1 + 2 + 2 + 3);
	ck_assert_mem_eq(m + w.data_off, "data", 4);
	truncate_all(m, len, core_write_codec);
	/* DataLength past the data block */
	data[1] = 5;
	len = build_block(m, SMB1_COM_WRITE_PRINT_FILE, words, 1, data,
			  sizeof(data));
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE_PRINT_FILE, &w),
			 WIRE_E_BOUNDS);
	/* not a data block */
	data[0] = 0x04;
	data[1] = 4;
	len = build_block(m, SMB1_COM_WRITE_PRINT_FILE, words, 1, data,
			  sizeof(data));
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE_PRINT_FILE, &w),
			 WIRE_E_BOUNDS);
	/* a short block header, and a word count other than 1 */
	data[0] = 0x01;
	len = build_block(m, SMB1_COM_WRITE_PRINT_FILE, words, 1, data, 2);
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE_PRINT_FILE, &w),
			 WIRE_E_BOUNDS);
	len = build_block(m, SMB1_COM_WRITE_PRINT_FILE, words, 0, data,
			  sizeof(data));
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE_PRINT_FILE, &w),
			 WIRE_E_SHORT);
}
END_TEST

/* WRITE_AND_CLOSE [MS-CIFS 2.2.4.40.1]: 6 or 12 words, a pad, data */
START_TEST(test_write_and_close)
{
	static const uint8_t words[24] = {
		7, 0,			/* FID */
		3, 0,			/* CountOfBytesToWrite */
		8, 0, 0, 0,		/* WriteOffsetInBytes */
		0x78, 0x56, 0x34, 0x12,	/* LastWriteTime (UTIME) */
	};
	static const uint8_t data[] = { 0, 'a', 'b', 'c' };
	uint8_t m[128];
	size_t len = build_block(m, SMB1_COM_WRITE_AND_CLOSE, words, 6, data,
				 sizeof(data));
	struct smb1_block b = {};
	struct smb1_write w = {};

	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE_AND_CLOSE, &w),
			 0);
	ck_assert_uint_eq(w.count, 3);
	ck_assert_uint_eq(w.offset, 8);
	ck_assert_uint_eq(w.last_write, 0x12345678);
	ck_assert_mem_eq(m + w.data_off, "abc", 3);
	truncate_all(m, len, core_write_codec);
	/* the 12-word form (three reserved dwords) */
	len = build_block(m, SMB1_COM_WRITE_AND_CLOSE, words, 12, data,
			  sizeof(data));
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE_AND_CLOSE, &w),
			 0);
	ck_assert_mem_eq(m + w.data_off, "abc", 3);
	/* the pad and two bytes: one short */
	len = build_block(m, SMB1_COM_WRITE_AND_CLOSE, words, 6, data, 3);
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE_AND_CLOSE, &w),
			 WIRE_E_BOUNDS);
	/* seven words */
	len = build_block(m, SMB1_COM_WRITE_AND_CLOSE, words, 7, data,
			  sizeof(data));
	ck_assert_int_eq(smb1_block_parse(m, len, 32, &b), 0);
	ck_assert_int_eq(smb1_write_parse(&b, SMB1_COM_WRITE_AND_CLOSE, &w),
			 WIRE_E_SHORT);
}
END_TEST

/* SMB_DATE/SMB_TIME to NT time: the hand-worked dates of test_nt_to_dos */
START_TEST(test_dos_to_nt)
{
	const uint64_t ep = 116444736000000000ULL;

	/* 2000-03-01 12:34:56 (seconds kept to two) */
	ck_assert_uint_eq(smb1_dos_to_nt(0x2861, 0x645C),
			  ep + 951914096ULL * 10000000ULL);
	/* 1980-01-01 00:00:00 */
	ck_assert_uint_eq(smb1_dos_to_nt(0x0021, 0),
			  ep + 315532800ULL * 10000000ULL);
	/* 2024-02-29 23:59:58, a leap day */
	ck_assert_uint_eq(smb1_dos_to_nt(0x585D, 0xBF7D),
			  ep + 1709251198ULL * 10000000ULL);
	/* nothing given */
	ck_assert_uint_eq(smb1_dos_to_nt(0, 0), 0);
	/* month 0 as January, day 0 as the 1st: 1980-01-01 */
	ck_assert_uint_eq(smb1_dos_to_nt(0x0000, 1),
			  ep + (315532800ULL + 2) * 10000000ULL);
	/* 1980-02-31 carries into March 2nd */
	ck_assert_uint_eq(smb1_dos_to_nt(0x005F, 0),
			  ep + (315532800ULL + 61 * 86400ULL) * 10000000ULL);
}
END_TEST

/* SMB_DATE/SMB_TIME [MS-CIFS 2.2.1.4]: worked by hand from the bit layout */
START_TEST(test_nt_to_dos)
{
	const uint64_t ep = 116444736000000000ULL;
	uint16_t d = 1, t = 1;

	/* 2000-03-01 12:34:56 UTC: (20<<9|3<<5|1), (12<<11|34<<5|56/2) */
	smb1_nt_to_dos(ep + 951914096ULL * 10000000ULL + 9999999, &d, &t);
	ck_assert_uint_eq(d, 0x2861);
	ck_assert_uint_eq(t, 0x645C);
	/* 1980-01-01 00:00:00, the first DOS date */
	smb1_nt_to_dos(ep + 315532800ULL * 10000000ULL, &d, &t);
	ck_assert_uint_eq(d, 0x0021);
	ck_assert_uint_eq(t, 0);
	/* 2024-02-29 23:59:59, a leap day */
	smb1_nt_to_dos(ep + 1709251199ULL * 10000000ULL, &d, &t);
	ck_assert_uint_eq(d, 0x585D);
	ck_assert_uint_eq(t, 0xBF7D);
	/* a second before 1980, before 1970 and 0: no DOS date */
	smb1_nt_to_dos(ep + 315532799ULL * 10000000ULL, &d, &t);
	ck_assert_uint_eq(d, 0);
	ck_assert_uint_eq(t, 0);
	d = t = 1;
	smb1_nt_to_dos(5, &d, &t);
	ck_assert_uint_eq(d, 0);
	ck_assert_uint_eq(t, 0);
	/* 2108-01-01: past the 7-bit year */
	smb1_nt_to_dos(ep + 4354819200ULL * 10000000ULL, &d, &t);
	ck_assert_uint_eq(d, 0);
}
END_TEST

/*
 * An NT_TRANSACT primary (NOTIFY_CHANGE: 4 setup words) whose data block
 * is 3 pad bytes, then nparam parameter bytes (0x11...) and ndata data
 * bytes (0x22...), announcing tparam and tdata in all.
 */
static size_t build_nttrans(uint8_t *m, uint32_t nparam, uint32_t ndata,
			    uint32_t tparam, uint32_t tdata)
{
	uint8_t w[46] = {};
	size_t bytes_off = SMB1_HDR_SIZE + 1 + sizeof(w) + 2;
	size_t poff = bytes_off + 3, doff = poff + nparam;
	uint8_t bytes[256] = {};

	w[0] = 4;			/* MaxSetupCount */
	wire_setle32(w + 3, tparam);
	wire_setle32(w + 7, tdata);
	wire_setle32(w + 11, 64);	/* MaxParameterCount */
	wire_setle32(w + 15, 1024);	/* MaxDataCount */
	wire_setle32(w + 19, nparam);
	wire_setle32(w + 23, (uint32_t)poff);
	wire_setle32(w + 27, ndata);
	wire_setle32(w + 31, (uint32_t)doff);
	w[35] = 4;			/* SetupCount */
	wire_setle16(w + 36, SMB1_NT_TRANSACT_NOTIFY_CHANGE);
	wire_setle32(w + 38, 0x17);	/* CompletionFilter */
	wire_setle16(w + 42, 0x4001);	/* FID */
	w[44] = 1;			/* WatchTree */
	memset(bytes + 3, 0x11, nparam);
	memset(bytes + 3 + nparam, 0x22, ndata);
	return build_block(m, SMB1_COM_NT_TRANSACT, w, 23, bytes,
			   (uint16_t)(3 + nparam + ndata));
}

static int nttrans_codec(const uint8_t *msg, size_t len,
			 const struct smb1_block *b)
{
	struct smb1_nttrans t;

	return smb1_nttrans_parse(msg, len, b, false, &t);
}

START_TEST(test_nttrans)
{
	uint8_t m[512];
	size_t len = build_nttrans(m, 8, 16, 8, 16);
	struct smb1_block b = {};
	struct smb1_nttrans t = {};
	struct smb1_nttrans_notify nt = {};
	struct smb1_nttrans_ioctl io = {};
	struct smb1_trans_piece pc = {};

	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	ck_assert_int_eq(smb1_nttrans_parse(m, len, &b, false, &t), 0);
	ck_assert_uint_eq(t.function, SMB1_NT_TRANSACT_NOTIFY_CHANGE);
	ck_assert_uint_eq(t.setup_count, 4);
	ck_assert_uint_eq(t.param_count, 8);
	ck_assert_uint_eq(t.data_count, 16);
	ck_assert_uint_eq(t.max_param, 64);
	ck_assert_uint_eq(m[t.param_off], 0x11);
	ck_assert_uint_eq(m[t.data_off + 15], 0x22);
	ck_assert_int_eq(smb1_nttrans_notify_parse(&t, &nt), 0);
	ck_assert_uint_eq(nt.filter, 0x17);
	ck_assert_uint_eq(nt.fid, 0x4001);
	ck_assert(nt.watch_tree);
	/* the same setup as an IOCTL's: FunctionCode, FID, IsFsctl */
	ck_assert_int_eq(smb1_nttrans_ioctl_parse(&t, &io), 0);
	ck_assert_uint_eq(io.function, 0x17);
	ck_assert_uint_eq(io.fid, 0x4001);
	ck_assert(io.is_fsctl);
	smb1_nttrans_piece(&t, &pc);
	ck_assert_uint_eq(pc.total_data, 16);
	ck_assert_uint_eq(pc.data_off, t.data_off);
	truncate_all(m, len, nttrans_codec);

	/* in pieces: fewer bytes here than announced */
	len = build_nttrans(m, 8, 16, 100, 200);
	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	ck_assert_int_eq(smb1_nttrans_parse(m, len, &b, false, &t), 0);
	ck_assert_uint_eq(t.total_param, 100);
	/* more bytes than announced */
	len = build_nttrans(m, 8, 16, 4, 16);
	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	ck_assert_int_eq(smb1_nttrans_parse(m, len, &b, false, &t),
			 WIRE_E_INVALID);
	/* data past the message */
	len = build_nttrans(m, 8, 16, 8, 16);
	wire_setle32(m + SMB1_HDR_SIZE + 1 + 31, (uint32_t)len - 8);
	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	ck_assert_int_eq(smb1_nttrans_parse(m, len, &b, false, &t),
			 WIRE_E_BOUNDS);
	/* an offset near 2^32 does not wrap */
	wire_setle32(m + SMB1_HDR_SIZE + 1 + 31, 0xFFFFFFF8u);
	ck_assert_int_eq(smb1_nttrans_parse(m, len, &b, false, &t),
			 WIRE_E_BOUNDS);
	/* more setup words announced than there are */
	len = build_nttrans(m, 8, 16, 8, 16);
	m[SMB1_HDR_SIZE + 1 + 35] = 5;
	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	ck_assert_int_eq(smb1_nttrans_parse(m, len, &b, false, &t),
			 WIRE_E_INVALID);
	/* no setup words: no IOCTL or NOTIFY setup */
	t.setup_count = 0;
	ck_assert_int_eq(smb1_nttrans_notify_parse(&t, &nt), WIRE_E_SHORT);
	ck_assert_int_eq(smb1_nttrans_ioctl_parse(&t, &io), WIRE_E_SHORT);
}
END_TEST

/* An NT_TRANSACT_SECONDARY carrying param bytes at displacement pdisp. */
START_TEST(test_nttrans_secondary)
{
	uint8_t w[36] = {}, bytes[16] = {}, m[256];
	size_t bytes_off = SMB1_HDR_SIZE + 1 + sizeof(w) + 2;
	struct smb1_block b = {};
	struct smb1_nttrans t = {};
	size_t len = 0;

	wire_setle32(w + 3, 100);	/* TotalParameterCount */
	wire_setle32(w + 7, 0);
	wire_setle32(w + 11, 8);	/* ParameterCount */
	wire_setle32(w + 15, (uint32_t)bytes_off);
	wire_setle32(w + 19, 92);	/* ParameterDisplacement */
	len = build_block(m, SMB1_COM_NT_TRANSACT_SECONDARY, w, 18, bytes, 8);
	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	ck_assert_int_eq(smb1_nttrans_parse(m, len, &b, true, &t), 0);
	ck_assert_uint_eq(t.param_disp, 92);
	/* the piece would end past the total */
	wire_setle32(m + SMB1_HDR_SIZE + 1 + 19, 93);
	ck_assert_int_eq(smb1_nttrans_parse(m, len, &b, true, &t),
			 WIRE_E_INVALID);
	wire_setle32(m + SMB1_HDR_SIZE + 1 + 19, 0xFFFFFFFCu);
	ck_assert_int_eq(smb1_nttrans_parse(m, len, &b, true, &t),
			 WIRE_E_INVALID);
	/* a primary's 19 words are too many to miss: 17 is short */
	m[SMB1_HDR_SIZE] = 17;
	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	ck_assert_int_eq(smb1_nttrans_parse(m, len, &b, true, &t),
			 WIRE_E_SHORT);
}
END_TEST

START_TEST(test_trans_rebuild)
{
	uint8_t m[512], param[300], data[700];
	uint8_t *out = NULL;
	size_t len = build_nttrans(m, 8, 16, sizeof(param), sizeof(data));
	size_t out_len = 0;
	struct smb1_block b = {}, ob = {};
	struct smb1_nttrans t = {};
	struct smb1_trans2 t2 = {};

	for (size_t i = 0; i < sizeof(param); i++) {
		param[i] = (uint8_t)i;
	}
	for (size_t i = 0; i < sizeof(data); i++) {
		data[i] = (uint8_t)(i * 7);
	}
	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	/* NT_TRANSACT: all of it in one message, the setup kept */
	ck_assert_int_eq(smb1_trans_rebuild(wgt_root, SMB1_COM_NT_TRANSACT,
					    m, b.wct, b.words, b.bytes, 3,
					    param, sizeof(param), data,
					    sizeof(data), &out, &out_len), 0);
	ck_assert_uint_eq(out[4], SMB1_COM_NT_TRANSACT);
	ck_assert_int_eq(smb1_block_parse(out, out_len, SMB1_HDR_SIZE, &ob),
			 0);
	ck_assert_int_eq(smb1_nttrans_parse(out, out_len, &ob, false, &t), 0);
	ck_assert_uint_eq(t.total_param, sizeof(param));
	ck_assert_uint_eq(t.param_count, sizeof(param));
	ck_assert_uint_eq(t.data_count, sizeof(data));
	ck_assert_uint_eq(t.param_off % 4, 0);
	ck_assert_uint_eq(t.data_off % 4, 0);
	ck_assert_uint_eq(t.function, SMB1_NT_TRANSACT_NOTIFY_CHANGE);
	ck_assert_mem_eq(out + t.param_off, param, sizeof(param));
	ck_assert_mem_eq(out + t.data_off, data, sizeof(data));
	talloc_free(out);

	/* TRANS2 (16-bit fields): the lead bytes (a Name) come first */
	len = build_trans2(m, 12, 68, 12);
	ck_assert_int_eq(smb1_block_parse(m, len, SMB1_HDR_SIZE, &b), 0);
	ck_assert_int_eq(smb1_trans_rebuild(wgt_root, SMB1_COM_TRANSACTION2,
					    m, b.wct, b.words,
					    (const uint8_t *)"NAME", 4, param,
					    sizeof(param), NULL, 0, &out,
					    &out_len), 0);
	ck_assert_int_eq(smb1_block_parse(out, out_len, SMB1_HDR_SIZE, &ob),
			 0);
	ck_assert_int_eq(smb1_trans2_parse(out, out_len, &ob, false, &t2), 0);
	ck_assert_uint_eq(t2.total_param, sizeof(param));
	ck_assert_uint_eq(t2.param_count, sizeof(param));
	ck_assert_uint_eq(t2.data_count, 0);
	ck_assert_uint_eq(t2.subcommand, SMB1_TRANS2_FIND_FIRST2);
	ck_assert_mem_eq(ob.bytes, "NAME", 4);
	ck_assert_mem_eq(out + t2.param_off, param, sizeof(param));
	talloc_free(out);

	/* past what 16-bit counts and offsets can say */
	{
		uint8_t *big = talloc_zero_size(wgt_root, 0x10000);

		ck_assert_ptr_nonnull(big);
		ck_assert_int_eq(smb1_trans_rebuild(wgt_root,
						    SMB1_COM_TRANSACTION2, m,
						    b.wct, b.words, NULL, 0,
						    big, 0xFFF0, big, 0x100,
						    &out, &out_len),
				 WIRE_E_TOOBIG);
		static const uint8_t ntw[38];

		ck_assert_int_eq(smb1_trans_rebuild(wgt_root,
						    SMB1_COM_NT_TRANSACT, m,
						    19, ntw, NULL, 0,
						    big, 0x10000, NULL, 0,
						    &out, &out_len),
				 WIRE_E_TOOBIG);
		talloc_free(big);
	}
	/* not a transaction, or too few words for one */
	ck_assert_int_eq(smb1_trans_rebuild(wgt_root, SMB1_COM_ECHO, m,
					    b.wct, b.words, NULL, 0, NULL, 0,
					    NULL, 0, &out, &out_len),
			 WIRE_E_INVALID);
	ck_assert_int_eq(smb1_trans_rebuild(wgt_root, SMB1_COM_NT_TRANSACT, m,
					    14, b.words, NULL, 0, NULL, 0,
					    NULL, 0, &out, &out_len),
			 WIRE_E_INVALID);
}
END_TEST

/* NT_TRANSACT_CREATE parameters for "dir\\f.txt", UTF-16 after a pad. */
static size_t build_nt_create(uint8_t *p, bool unicode, uint32_t name_len)
{
	static const char name[] = "dir\\f.txt";
	size_t o = 53, i = 0;

	memset(p, 0, 128);
	wire_setle32(p + 4, 0);			/* RootDirectoryFID */
	wire_setle32(p + 8, 0x0012019F);	/* DesiredAccess */
	wire_setle64(p + 12, 8192);		/* AllocationSize */
	wire_setle32(p + 20, 0x20);		/* ExtFileAttributes */
	wire_setle32(p + 24, 7);		/* ShareAccess */
	wire_setle32(p + 28, 2);		/* CreateDisposition */
	wire_setle32(p + 32, 0x40);		/* CreateOptions */
	wire_setle32(p + 36, 20);		/* SecurityDescriptorLength */
	wire_setle32(p + 40, 12);		/* EALength */
	wire_setle32(p + 44, name_len);
	wire_setle32(p + 48, 2);		/* ImpersonationLevel */
	p[52] = 3;				/* SecurityFlags */
	if (unicode) {
		o++;				/* pad */
		for (i = 0; name[i] != '\0'; i++) {
			p[o++] = (uint8_t)name[i];
			p[o++] = 0;
		}
		p[o++] = 0;
		p[o++] = 0;
		return o;
	}
	memcpy(p + o, name, sizeof(name));
	return o + sizeof(name);
}

START_TEST(test_nttrans_create)
{
	uint8_t p[128];
	struct smb1_nttrans_create c = {};
	size_t n = build_nt_create(p, true, 20);
	void *mem = talloc_new(wgt_root);

	ck_assert_int_eq(smb1_nttrans_create_parse(mem, p, n, true, &c),
			 0);
	ck_assert_str_eq(c.name, "dir\\f.txt");
	ck_assert_uint_eq(c.c.desired, 0x0012019F);
	ck_assert_uint_eq(c.c.alloc_size, 8192);
	ck_assert_uint_eq(c.c.disposition, 2);
	ck_assert_uint_eq(c.c.options, 0x40);
	ck_assert_uint_eq(c.sd_len, 20);
	ck_assert_uint_eq(c.ea_len, 12);
	ck_assert_uint_eq(c.c.security_flags, 3);
	/* NameLength counting the pad byte as well */
	n = build_nt_create(p, true, 21);
	ck_assert_int_eq(smb1_nttrans_create_parse(mem, p, n, true, &c),
			 0);
	ck_assert_str_eq(c.name, "dir\\f.txt");
	/* ASCII */
	n = build_nt_create(p, false, 10);
	ck_assert_int_eq(smb1_nttrans_create_parse(mem, p, n, false,
						   &c), 0);
	ck_assert_str_eq(c.name, "dir\\f.txt");
	/* a NameLength past the parameters */
	n = build_nt_create(p, false, 11);
	ck_assert_int_eq(smb1_nttrans_create_parse(mem, p, n, false,
						   &c), WIRE_E_BOUNDS);
	n = build_nt_create(p, true, 0xFFFFFFFFu);
	ck_assert_int_eq(smb1_nttrans_create_parse(mem, p, n, true, &c),
			 WIRE_E_BOUNDS);
	/* shorter than the fixed part */
	ck_assert_int_eq(smb1_nttrans_create_parse(mem, p, 52, true, &c),
			 WIRE_E_SHORT);
	/* every truncation: an error or a name within what is left */
	n = build_nt_create(p, true, 20);
	for (size_t k = 0; k < n; k++) {
		uint8_t *cut = talloc_memdup(wgt_root, p, k);
		int rc = smb1_nttrans_create_parse(mem, cut, k, true, &c);

		ck_assert(rc != 0 || strlen(c.name) <= (k - 53) / 2);
		talloc_free(cut);
	}
	talloc_free(mem);
}
END_TEST

START_TEST(test_nttrans_secdesc)
{
	static const uint8_t p[8] = { 0x05, 0x40, 0, 0, 0x07, 0, 0, 0 };
	uint16_t fid = 0;
	uint32_t secinfo = 0;

	ck_assert_int_eq(smb1_nttrans_secdesc_parse(p, sizeof(p), &fid,
						    &secinfo), 0);
	ck_assert_uint_eq(fid, 0x4005);
	ck_assert_uint_eq(secinfo, 7);
	ck_assert_int_eq(smb1_nttrans_secdesc_parse(p, 7, &fid, &secinfo),
			 WIRE_E_SHORT);
}
END_TEST

/* Unix time t as an NT time */
#define NT_OF_UNIX(t)	(116444736000000000ULL + (t) * 10000000ULL)

/* A FIND entry: "a.txt", all three times 2000-03-01 12:34:56 UTC (date
 * 0x2861, time 0x645C) */
static const struct smb1_find_std find_std_sample = {
	.create_time = NT_OF_UNIX(951914096ULL),
	.access_time = NT_OF_UNIX(951914096ULL),
	.write_time = NT_OF_UNIX(951914096ULL),
	.size = 0x11223344,
	.alloc_size = 0x1000,
	.attrs = 0x20,
	.ea_size = 0x2D,
	.name = "a.txt",
};

/* The OS/2 FIND levels' entries [MS-CIFS 2.2.8.1.1-3] */
START_TEST(test_find_std)
{
	struct smb1_find_std e = find_std_sample;
	static const uint8_t fea[] = { 4, 0, 0, 0 };
	char long_name[257];
	void *mem = talloc_new(wgt_root);
	struct wire_wr w;

	/* STANDARD, 8-bit names, no resume key: 22 + length + name + NUL */
	wire_wr_init(&w, mem, 0);
	ck_assert(smb1_find_std_put(&w, SMB1_INFO_STANDARD, false, false, 0,
				    &e));
	ck_assert_uint_eq(w.len, 29);
	ck_assert_uint_eq(wire_le16(w.buf), 0x2861);
	ck_assert_uint_eq(wire_le16(w.buf + 2), 0x645C);
	ck_assert_uint_eq(wire_le16(w.buf + 8), 0x2861);
	ck_assert_uint_eq(wire_le32(w.buf + 12), 0x11223344);
	ck_assert_uint_eq(wire_le32(w.buf + 16), 0x1000);
	ck_assert_uint_eq(wire_le16(w.buf + 20), 0x20);
	ck_assert_uint_eq(w.buf[22], 5);
	ck_assert_mem_eq(w.buf + 23, "a.txt", 6);

	/* STANDARD in UTF-16 with a resume key: the name aligned to 2 and
	 * ended by a 2-byte NUL; the length counts neither */
	wire_wr_init(&w, mem, 0);
	ck_assert(smb1_find_std_put(&w, SMB1_INFO_STANDARD, true, true,
				    0xA1B2C3D4, &e));
	ck_assert_uint_eq(w.len, 4 + 22 + 1 + 1 + 10 + 2);
	ck_assert_uint_eq(wire_le32(w.buf), 0xA1B2C3D4);
	ck_assert_uint_eq(wire_le16(w.buf + 4), 0x2861);
	ck_assert_uint_eq(w.buf[26], 10);
	ck_assert_uint_eq(w.buf[27], 0);
	ck_assert_mem_eq(w.buf + 28, "a\0.\0t\0x\0t\0\0\0", 12);

	/* EA_SIZE in UTF-16: EaSize, then the name unaligned and one 0 */
	wire_wr_init(&w, mem, 0);
	ck_assert(smb1_find_std_put(&w, SMB1_INFO_QUERY_EA_SIZE, true, false,
				    0, &e));
	ck_assert_uint_eq(w.len, 22 + 4 + 1 + 10 + 1);
	ck_assert_uint_eq(wire_le32(w.buf + 22), 0x2D);
	ck_assert_uint_eq(w.buf[26], 10);
	ck_assert_mem_eq(w.buf + 27, "a\0.\0t\0x\0t\0\0", 11);

	/* EAS_FROM_LIST: the SMB_FEA_LIST as given where EaSize was */
	e.ea_list = fea;
	e.ea_list_len = sizeof(fea);
	wire_wr_init(&w, mem, 0);
	ck_assert(smb1_find_std_put(&w, SMB1_INFO_QUERY_EAS_FROM_LIST, false,
				    true, 7, &e));
	ck_assert_uint_eq(w.len, 4 + 22 + 4 + 1 + 5 + 1);
	ck_assert_uint_eq(wire_le32(w.buf), 7);
	ck_assert_mem_eq(w.buf + 26, fea, 4);
	ck_assert_uint_eq(w.buf[30], 5);
	ck_assert_mem_eq(w.buf + 31, "a.txt", 6);

	/* a name past 255 bytes (256 8-bit, or 128 characters in UTF-16)
	 * and a level that is not one of these: nothing written */
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[256] = '\0';
	e.name = long_name;
	wire_wr_init(&w, mem, 0);
	ck_assert(!smb1_find_std_put(&w, SMB1_INFO_STANDARD, false, false, 0,
				     &e));
	long_name[128] = '\0';
	ck_assert(!smb1_find_std_put(&w, SMB1_INFO_STANDARD, true, false, 0,
				     &e));
	long_name[127] = '\0';
	ck_assert(smb1_find_std_put(&w, SMB1_INFO_STANDARD, true, false, 0,
				    &e));
	ck_assert_uint_eq(w.buf[22], 254);
	w.len = 0;
	e.name = "a.txt";
	ck_assert(!smb1_find_std_put(&w, 0x0104, false, false, 0, &e));
	ck_assert_uint_eq(w.len, 0);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	talloc_free(mem);
}
END_TEST

/* SMB_INFO_STANDARD's 22-byte fixed part [MS-CIFS 2.2.8.3.1], as
 * QUERY_FILE/PATH_INFORMATION send it whole and FIND entries start */
START_TEST(test_info_standard)
{
	struct smb1_find_std e = find_std_sample;
	static const uint8_t want[22] = {
		0x61, 0x28, 0x5C, 0x64,
		0x9F, 0x27, 0x7D, 0xBF,
		0x21, 0x00, 0x00, 0x00,
		0x44, 0x33, 0x22, 0x11,
		0x88, 0x77, 0x66, 0x55,
		0x21, 0x08,
	};
	void *mem = talloc_new(wgt_root);
	struct wire_wr w;

	/* 1999-12-31 23:59:58 UTC: date 0x279F, time 0xBF7D */
	e.access_time = NT_OF_UNIX(946684798ULL);
	/* 1980-01-01 00:00:00 UTC: date 0x0021, time 0 */
	e.write_time = NT_OF_UNIX(315532800ULL);
	e.alloc_size = 0x55667788;
	e.attrs = 0x0821;
	e.name = "never.written";
	wire_wr_init(&w, mem, 0);
	wire_put_u8(&w, 0xAA);	/* appends after what w holds */
	smb1_info_standard_put(&w, &e);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, 1 + 22);
	ck_assert_uint_eq(w.buf[0], 0xAA);
	ck_assert_mem_eq(w.buf + 1, want, sizeof(want));
	talloc_free(mem);
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
	tcase_add_test(tc, test_ntcreate);
	tcase_add_test(tc, test_readx);
	tcase_add_test(tc, test_writex);
	tcase_add_test(tc, test_locking);
	tcase_add_test(tc, test_find_params);
	tcase_add_test(tc, test_nt_to_dos);
	tcase_add_test(tc, test_find_std);
	tcase_add_test(tc, test_info_standard);
	tcase_add_test(tc, test_core_write);
	tcase_add_test(tc, test_write_print_file);
	tcase_add_test(tc, test_write_and_close);
	tcase_add_test(tc, test_dos_to_nt);
	tcase_add_test(tc, test_nttrans);
	tcase_add_test(tc, test_nttrans_secondary);
	tcase_add_test(tc, test_trans_rebuild);
	tcase_add_test(tc, test_nttrans_create);
	tcase_add_test(tc, test_nttrans_secdesc);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(smb1_suite)
