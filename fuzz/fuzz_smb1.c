/*
 * fuzz_smb1.c - libFuzzer target: an SMB1 request as the front end reads
 * it: the header, the AndX chain, each command's blocks, the strings of
 * its data block, a NEGOTIATE dialect list and TRANS2 framing.
 *
 * Properties checked (abort() on violation):
 *  - every block the walker returns lies inside the message, after the
 *    header, and starts past the previous block's parameter words;
 *  - the walk ends within its bound of commands;
 *  - TRANS2 parameter and data ranges it accepts lie inside the message;
 *  - signing and checking with the same key agree and leave the message
 *    as it was;
 *  - the file command requests (NT_CREATE_ANDX, READ_ANDX, WRITE_ANDX,
 *    LOCKING_ANDX) decode only from their word counts; the core writes'
 *    data lies in their data block; DOS times round-trip; WRITE_ANDX data
 *    and LOCKING_ANDX ranges it accepts lie inside the message; the
 *    TRANS2 FIND_FIRST2 / FIND_NEXT2 / path-info parameters decode from
 *    a whole request's parameter bytes (names read stay inside them);
 *  - a TRANS, TRANS2 or NT_TRANSACT rebuilt from its pieces (as
 *    smbd/smb1/reasm.c does) parses as one message carrying exactly
 *    them; NT_TRANSACT setup words and CREATE / security descriptor
 *    parameters decode without reading past them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "proto/smb1.h"
#include "proto/rap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CHAIN 8

static void check_block(const uint8_t *m, size_t len,
			const struct smb1_block *b, size_t prev_min)
{
	if (b->off < SMB1_HDR_SIZE || b->off < prev_min || b->end > len ||
	    b->bytes_off + b->bcc != b->end ||
	    b->words != m + b->off + 1 || b->bytes != m + b->bytes_off) {
		abort();
	}
}

/* Descriptors are NUL-terminated within the message; a known call's
 * answers build (within their receive buffer). */
static void check_rap(const struct rap_req *q)
{
	static const struct rap_share sh[] = { { "demo", 0, "x" },
					       { "IPC$", 3, "" } };
	static const struct rap_server self = {
		.name = "WGTEST", .workgroup = "WG", .comment = "c",
		.user = "u", .type = 3,
	};
	struct wire_wr p, d;
	TALLOC_CTX *mem = NULL;

	if (strlen(q->param_desc) > 64 || strlen(q->data_desc) > 64 ||
	    strlen(q->domain) > RAP_MAX_DOMAIN) {
		abort();
	}
	if (!q->known) {
		return;
	}
	mem = talloc_new(NULL);
	wire_wr_init(&p, mem, 0);
	wire_wr_init(&d, mem, 0);
	switch (q->api) {
	case RAP_NetShareEnum:
		rap_share_enum_push(&p, &d, q, sh, 2);
		break;
	case RAP_NetServerGetInfo:
		rap_server_info_push(&p, &d, q, &self);
		break;
	case RAP_NetWkstaGetInfo:
		rap_wksta_info_push(&p, &d, q, &self);
		break;
	default:
		rap_server_enum2_push(&p, &d, q, &self);
	}
	if (d.len > q->rcv_len || p.len < 4) {
		abort();
	}
	talloc_free(mem);
}

/*
 * A transaction's pieces put together (as reasm.c does with the bytes
 * the secondaries brought): the rebuilt message parses as one carrying
 * exactly param and data, and the function's parameters decode.
 */
static void check_rebuild(const uint8_t *m, const struct smb1_block *b,
			  uint8_t cmd, const uint8_t *param, uint32_t np,
			  const uint8_t *data, uint32_t nd, bool unicode)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct smb1_block ob = {};
	struct smb1_nttrans nt = {};
	struct smb1_trans2 t = {};
	struct smb1_nttrans_create c = {};
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint16_t fid = 0;
	uint32_t secinfo = 0;
	size_t lead = b->bcc < 8 ? b->bcc : 8;

	if (smb1_trans_rebuild(mem, cmd, m, b->wct, b->words, b->bytes, lead,
			       param, np, data, nd, &out, &out_len) != 0) {
		talloc_free(mem);
		return;
	}
	if (smb1_block_parse(out, out_len, SMB1_HDR_SIZE, &ob) != 0) {
		abort();
	}
	if (cmd == SMB1_COM_NT_TRANSACT) {
		if (smb1_nttrans_parse(out, out_len, &ob, false, &nt) != 0 ||
		    nt.param_count != np || nt.data_count != nd ||
		    (np > 0 && memcmp(out + nt.param_off, param, np) != 0) ||
		    (nd > 0 && memcmp(out + nt.data_off, data, nd) != 0)) {
			abort();
		}
		if (smb1_nttrans_create_parse(mem, out + nt.param_off, np,
					      unicode, &c) == 0 &&
		    c.name == NULL) {
			abort();
		}
		(void)smb1_nttrans_secdesc_parse(out + nt.param_off, np, &fid,
						 &secinfo);
	} else if ((cmd == SMB1_COM_TRANSACTION ?
		    smb1_trans_parse(out, out_len, &ob, false, &t) :
		    smb1_trans2_parse(out, out_len, &ob, false, &t)) != 0 ||
		   t.param_count != np || t.data_count != nd) {
		abort();
	}
	talloc_free(mem);
}

static void check_trans2(const uint8_t *m, size_t len,
			 const struct smb1_block *b, uint8_t cmd)
{
	struct smb1_trans2 t;

	struct smb1_nttrans nt;
	struct rap_req q;

	if (cmd == SMB1_COM_NT_TRANSACT || cmd == SMB1_COM_NT_TRANSACT_SECONDARY) {
		if (smb1_nttrans_parse(m, len, b,
				       cmd == SMB1_COM_NT_TRANSACT_SECONDARY,
				       &nt) != 0) {
			return;
		}
		if ((nt.param_count > 0 &&
		     (size_t)nt.param_off + nt.param_count > len) ||
		    (nt.data_count > 0 &&
		     (size_t)nt.data_off + nt.data_count > len) ||
		    nt.param_count > nt.total_param ||
		    nt.data_count > nt.total_data) {
			abort();
		}
		if (cmd == SMB1_COM_NT_TRANSACT) {
			struct smb1_nttrans_ioctl io;
			struct smb1_nttrans_notify no;

			(void)smb1_nttrans_ioctl_parse(&nt, &io);
			(void)smb1_nttrans_notify_parse(&nt, &no);
			check_rebuild(m, b, cmd, m + nt.param_off,
				      nt.param_count, m + nt.data_off,
				      nt.data_count, (m[11] & 0x80) != 0);
		}
		return;
	}
	if (cmd == SMB1_COM_TRANSACTION || cmd == 0x26) {
		if (smb1_trans_parse(m, len, b, cmd == 0x26, &t) != 0) {
			return;
		}
	} else if (cmd != SMB1_COM_TRANSACTION2 && cmd != 0x33) {
		return;
	} else if (smb1_trans2_parse(m, len, b, cmd == 0x33, &t) != 0) {
		return;
	}
	if ((t.param_count > 0 && (size_t)t.param_off + t.param_count > len) ||
	    (t.data_count > 0 && (size_t)t.data_off + t.data_count > len) ||
	    t.param_count > t.total_param || t.data_count > t.total_data) {
		abort();
	}
	if (cmd == SMB1_COM_TRANSACTION || cmd == SMB1_COM_TRANSACTION2) {
		check_rebuild(m, b, cmd, m + t.param_off, t.param_count,
			      m + t.data_off, t.data_count, false);
	}
	/* a TRANS's parameters: RAP on \\PIPE\\LANMAN */
	if (cmd == SMB1_COM_TRANSACTION && t.param_count > 0 &&
	    rap_req_parse(m + t.param_off, t.param_count, &q) == 0) {
		check_rap(&q);
	}
}

static void check_file_cmds(const uint8_t *m, size_t len,
			    const struct smb1_block *b, uint8_t cmd,
			    bool unicode)
{
	struct smb1_ntcreate c;
	struct smb1_readx rx;
	struct smb1_writex wx;
	struct smb1_write cw;
	struct smb1_locking l;
	struct smb1_trans2 t;
	TALLOC_CTX *mem = NULL;
	uint64_t off = 0, n = 0;
	uint16_t pid = 0, level = 0;
	char *name = NULL;
	unsigned i = 0;

	switch (cmd) {
	case SMB1_COM_NT_CREATE_ANDX:
		if (smb1_ntcreate_parse(b, &c) == 0 && b->wct != 24) {
			abort();
		}
		break;
	case SMB1_COM_READ_ANDX:
		if (smb1_readx_parse(b, true, &rx) == 0 &&
		    b->wct != 10 && b->wct != 12) {
			abort();
		}
		break;
	case SMB1_COM_WRITE_ANDX:
		if (smb1_writex_parse(m, len, b, true, &wx) == 0 &&
		    ((size_t)wx.data_off + wx.length > len ||
		     wx.data_off < SMB1_HDR_SIZE)) {
			abort();
		}
		break;
	case SMB1_COM_WRITE:
	case SMB1_COM_WRITE_AND_UNLOCK:
	case SMB1_COM_WRITE_AND_CLOSE:
	case SMB1_COM_WRITE_PRINT_FILE:
		/* the core writes: the data inside the data block */
		if (smb1_write_parse(b, cmd, &cw) == 0 &&
		    (cw.data_off < b->bytes_off ||
		     cw.data_off + cw.count > b->end)) {
			abort();
		}
		break;
	case SMB1_COM_SET_INFORMATION2:
		/* DOS date and time pairs: any value converts, and one that
		 * converts back gives the same pair */
		if (b->wct >= 2) {
			uint64_t nt = smb1_dos_to_nt(smb1_word(b, 0),
						     smb1_word(b, 1));
			uint16_t d = 0, tm = 0;

			smb1_nt_to_dos(nt, &d, &tm);
			if (nt != 0 && d != 0 && smb1_dos_to_nt(d, tm) != nt) {
				abort();
			}
		}
		break;
	case SMB1_COM_LOCKING_ANDX:
		if (smb1_locking_parse(b, &l) != 0) {
			break;
		}
		if (l.ranges != b->bytes ||
		    ((size_t)l.nunlocks + l.nlocks) *
		    ((l.type & SMB1_LOCKING_LARGE_FILES) ? 20 : 10) > b->bcc) {
			abort();
		}
		for (i = 0; i < (unsigned)l.nunlocks + l.nlocks; i++) {
			smb1_locking_range(&l, i, &pid, &off, &n);
		}
		break;
	case SMB1_COM_TRANSACTION2:
		if (smb1_trans2_parse(m, len, b, false, &t) != 0 ||
		    t.param_count == 0) {
			break;
		}
		mem = talloc_new(NULL);
		switch (t.subcommand) {
		case SMB1_TRANS2_FIND_FIRST2: {
			struct smb1_find_first2 f;

			(void)smb1_find_first2_parse(mem, m + t.param_off,
						     t.param_count, unicode,
						     &f);
			break;
		}
		case SMB1_TRANS2_FIND_NEXT2: {
			struct smb1_find_next2 f;

			(void)smb1_find_next2_parse(mem, m + t.param_off,
						    t.param_count, unicode,
						    &f);
			break;
		}
		default:
			(void)smb1_path_info_parse(mem, m + t.param_off,
						   t.param_count, unicode,
						   &level, &name);
			break;
		}
		talloc_free(mem);
		break;
	default:
		break;
	}
}

static void pull_strings(const uint8_t *m, const struct smb1_block *b,
			 bool unicode)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	size_t off = b->bytes_off;
	size_t next = 0;
	char *s = NULL;
	int n = 0;

	while (off < b->end && n++ < 8) {
		if (smb1_pull_string(mem, m, off, b->end, unicode, &s,
				     &next) != 0) {
			break;
		}
		if (next <= off || next > b->end) {
			abort();
		}
		off = next;
	}
	talloc_free(mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smb1_hdr h;
	struct smb1_andx_iter it;
	struct smb1_block b;
	struct smb1_dialects d;
	uint8_t cmd = 0;
	size_t prev_min = SMB1_HDR_SIZE;
	unsigned n = 0;
	uint8_t *copy = NULL;
	int rc = 0;

	if (smb1_hdr_parse(data, size, &h) != 0) {
		return 0;
	}
	smb1_andx_start(&it, data, size, h.command, MAX_CHAIN);
	while ((rc = smb1_andx_next(&it, &cmd, &b)) == 1) {
		if (++n > MAX_CHAIN) {
			abort();
		}
		check_block(data, size, &b, prev_min);
		prev_min = b.bytes_off;
		pull_strings(data, &b, (h.flags2 & SMB1_FLAGS2_UNICODE) != 0);
		check_trans2(data, size, &b, cmd);
		check_file_cmds(data, size, &b, cmd,
				(h.flags2 & SMB1_FLAGS2_UNICODE) != 0);
		if (cmd == SMB1_COM_NEGOTIATE &&
		    smb1_parse_dialects(b.bytes, b.bcc, &d) == 0 &&
		    d.nt1 >= (int)d.count) {
			abort();
		}
	}
	copy = malloc(size);
	if (copy == NULL) {
		return 0;
	}
	memcpy(copy, data, size);
	smb1_sign(data, 16, copy, size, h.mid);
	if (!smb1_check(data, 16, copy, size, h.mid) ||
	    memcmp(copy, data, SMB1_SIG_OFF) != 0 ||
	    memcmp(copy + SMB1_SIG_OFF + 8, data + SMB1_SIG_OFF + 8,
		   size - SMB1_SIG_OFF - 8) != 0) {
		abort();
	}
	free(copy);
	return 0;
}
