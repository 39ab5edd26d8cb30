/*
 * smb1.c - SMB1 header, parameter/data blocks, AndX chains, dialect
 * lists, TRANS2 framing and MD5 signing [MS-CIFS §2.2, §3.1.5.1].
 */
#include "proto/smb1.h"
#include "proto/ntstatus.h"
#include "proto/utf16.h"

#include <string.h>
#include <talloc.h>
#include <nettle/md5.h>
#include <nettle/memops.h>

int smb1_hdr_parse(const uint8_t *msg, size_t len, struct smb1_hdr *h)
{
	if (len < SMB1_HDR_SIZE) {
		return WIRE_E_SHORT;
	}
	if (memcmp(msg, "\xffSMB", 4) != 0) {
		return WIRE_E_INVALID;
	}
	h->command = msg[4];
	h->status = wire_le32(msg + 5);
	h->flags = msg[9];
	h->flags2 = wire_le16(msg + 10);
	h->pid = ((uint32_t)wire_le16(msg + 12) << 16) | wire_le16(msg + 26);
	memcpy(h->signature, msg + SMB1_SIG_OFF, 8);
	/* 22: Reserved */
	h->tid = wire_le16(msg + 24);
	h->uid = wire_le16(msg + 28);
	h->mid = wire_le16(msg + 30);
	return 0;
}

void smb1_hdr_push(struct wire_wr *w, const struct smb1_hdr *h)
{
	wire_put_bytes(w, "\xffSMB", 4);
	wire_put_u8(w, h->command);
	wire_put_u32le(w, h->status);
	wire_put_u8(w, h->flags);
	wire_put_u16le(w, h->flags2);
	wire_put_u16le(w, (uint16_t)(h->pid >> 16));
	wire_put_bytes(w, h->signature, 8);
	wire_put_u16le(w, 0);
	wire_put_u16le(w, h->tid);
	wire_put_u16le(w, (uint16_t)h->pid);
	wire_put_u16le(w, h->uid);
	wire_put_u16le(w, h->mid);
}

int smb1_block_parse(const uint8_t *msg, size_t len, size_t off,
		     struct smb1_block *b)
{
	size_t words_end = 0;

	if (off >= len) {
		return WIRE_E_SHORT;
	}
	b->off = off;
	b->wct = msg[off];
	/* off < len, so none of these sums can overflow a size_t */
	words_end = off + 1 + 2 * (size_t)b->wct;
	if (words_end > len || len - words_end < 2) {
		return WIRE_E_SHORT;
	}
	b->words = msg + off + 1;
	b->bcc = wire_le16(msg + words_end);
	b->bytes_off = words_end + 2;
	if (b->bcc > len - b->bytes_off) {
		return WIRE_E_BOUNDS;
	}
	b->bytes = msg + b->bytes_off;
	b->end = b->bytes_off + b->bcc;
	return 0;
}

bool smb1_is_andx(uint8_t cmd)
{
	switch (cmd) {
	case SMB1_COM_READ_ANDX:
	case SMB1_COM_WRITE_ANDX:
	case SMB1_COM_SESSION_SETUP_ANDX:
	case SMB1_COM_LOGOFF_ANDX:
	case SMB1_COM_TREE_CONNECT_ANDX:
	case SMB1_COM_NT_CREATE_ANDX:
	case 0x2D:	/* OPEN_ANDX */
	case 0x24:	/* LOCKING_ANDX */
		return true;
	default:
		return false;
	}
}

void smb1_andx_start(struct smb1_andx_iter *it, const uint8_t *msg,
		     size_t len, uint8_t first_cmd, unsigned max)
{
	memset(it, 0, sizeof(*it));
	it->msg = msg;
	it->len = len;
	it->max = max;
	it->next_cmd = first_cmd;
	it->next_off = SMB1_HDR_SIZE;
	it->min_off = SMB1_HDR_SIZE;
}

int smb1_andx_next(struct smb1_andx_iter *it, uint8_t *cmd,
		   struct smb1_block *b)
{
	int rc = 0;

	if (it->next_cmd == SMB1_COM_NO_ANDX_COMMAND) {
		return 0;
	}
	if (it->n >= it->max) {
		it->next_cmd = SMB1_COM_NO_ANDX_COMMAND;
		return WIRE_E_TOOBIG;
	}
	if (it->next_off < it->min_off || it->next_off >= it->len) {
		it->next_cmd = SMB1_COM_NO_ANDX_COMMAND;
		return WIRE_E_BOUNDS;
	}
	rc = smb1_block_parse(it->msg, it->len, it->next_off, b);
	if (rc != 0) {
		it->next_cmd = SMB1_COM_NO_ANDX_COMMAND;
		return rc;
	}
	*cmd = it->next_cmd;
	it->n++;
	it->next_cmd = SMB1_COM_NO_ANDX_COMMAND;
	/*
	 * An empty block (wct 0, an error reply shape) ends the chain. The
	 * next block must start past this one's parameter words and byte
	 * count: offsets only move forward, so the walk ends.
	 */
	if (smb1_is_andx(*cmd) && b->wct >= 2) {
		it->next_cmd = b->words[0];
		it->next_off = wire_le16(b->words + 2);
		it->min_off = b->bytes_off;
	}
	return 1;
}

int smb1_parse_dialects(const uint8_t *p, size_t n, struct smb1_dialects *d)
{
	size_t i = 0;

	d->nt1 = -1;
	d->smb2 = false;
	d->count = 0;
	while (i < n) {
		const uint8_t *s = NULL;
		const uint8_t *nul = NULL;
		size_t l = 0;

		if (p[i] != 0x02) {
			return WIRE_E_INVALID;
		}
		s = p + i + 1;
		nul = memchr(s, 0, n - i - 1);
		if (nul == NULL) {
			return WIRE_E_INVALID;
		}
		l = (size_t)(nul - s);
		if (l == 10 && memcmp(s, "NT LM 0.12", 10) == 0 && d->nt1 < 0) {
			d->nt1 = (int)d->count;
		} else if (l == 9 && (memcmp(s, "SMB 2.002", 9) == 0 ||
				      memcmp(s, "SMB 2.???", 9) == 0)) {
			d->smb2 = true;
		}
		d->count++;
		if (d->count > 0xFFFF) {
			return WIRE_E_INVALID;
		}
		i += l + 2;
	}
	return 0;
}

int smb1_pull_string(void *mem, const uint8_t *msg, size_t off, size_t end,
		     bool unicode, char **out, size_t *next)
{
	size_t i = 0;
	size_t stop = 0;
	int rc = 0;

	if (off > end) {
		return WIRE_E_BOUNDS;
	}
	if (!unicode) {
		const uint8_t *nul = memchr(msg + off, 0, end - off);

		stop = nul != NULL ? (size_t)(nul - msg) : end;
		*out = talloc_strndup(mem, (const char *)msg + off,
				      stop - off);
		if (*out == NULL) {
			return WIRE_E_NOMEM;
		}
		/* bytes above 0x7F are taken as Latin-1-ish OEM: only ASCII
		 * survives as is; the rest is refused by the path checks */
		*next = nul != NULL ? stop + 1 : end;
		return 0;
	}
	if (off % 2 != 0) {
		if (off == end) {
			return WIRE_E_BOUNDS;
		}
		off++;
	}
	for (i = off; i + 1 < end; i += 2) {
		if (msg[i] == 0 && msg[i + 1] == 0) {
			break;
		}
	}
	stop = i + 1 < end ? i : end - ((end - off) % 2);
	rc = utf16le_to_utf8(mem, msg + off, stop - off, out);
	if (rc != 0) {
		return rc;
	}
	*next = i + 1 < end ? i + 2 : end;
	return 0;
}

/* TRANS and TRANS2: secondary_wct words in a secondary, min_setup
 * setup words at least in a primary. */
static int trans_parse(const uint8_t *msg, size_t len,
		       const struct smb1_block *b, bool secondary,
		       unsigned secondary_wct, unsigned min_setup,
		       struct smb1_trans2 *t)
{
	memset(t, 0, sizeof(*t));
	t->secondary = secondary;
	if (b->wct < (secondary ? secondary_wct : 14)) {
		return WIRE_E_SHORT;
	}
	t->total_param = smb1_word(b, 0);
	t->total_data = smb1_word(b, 1);
	if (secondary) {
		t->param_count = smb1_word(b, 2);
		t->param_off = smb1_word(b, 3);
		t->param_disp = smb1_word(b, 4);
		t->data_count = smb1_word(b, 5);
		t->data_off = smb1_word(b, 6);
		t->data_disp = smb1_word(b, 7);
	} else {
		t->max_param = smb1_word(b, 2);
		t->max_data = smb1_word(b, 3);
		/* 4: MaxSetupCount, Reserved; 5: Flags; 6-7: Timeout; 8 */
		t->param_count = smb1_word(b, 9);
		t->param_off = smb1_word(b, 10);
		t->data_count = smb1_word(b, 11);
		t->data_off = smb1_word(b, 12);
		/* 13: SetupCount (low byte), Reserved */
		t->setup_count = (uint8_t)(smb1_word(b, 13) & 0xFF);
		if (t->setup_count < min_setup ||
		    b->wct < 14u + t->setup_count) {
			return WIRE_E_INVALID;
		}
		t->subcommand = t->setup_count > 0 ? smb1_word(b, 14) : 0;
		t->setup1 = t->setup_count > 1 ? smb1_word(b, 15) : 0;
	}
	if (t->param_count > t->total_param ||
	    t->data_count > t->total_data ||
	    (uint32_t)t->param_disp + t->param_count > t->total_param ||
	    (uint32_t)t->data_disp + t->data_count > t->total_data) {
		return WIRE_E_INVALID;
	}
	if ((t->param_count > 0 &&
	     ((size_t)t->param_off > len ||
	      t->param_count > len - t->param_off)) ||
	    (t->data_count > 0 &&
	     ((size_t)t->data_off > len || t->data_count > len - t->data_off))) {
		return WIRE_E_BOUNDS;
	}
	return 0;
}

int smb1_trans2_parse(const uint8_t *msg, size_t len,
		      const struct smb1_block *b, bool secondary,
		      struct smb1_trans2 *t)
{
	return trans_parse(msg, len, b, secondary, 9, 1, t);
}

int smb1_trans_parse(const uint8_t *msg, size_t len,
		     const struct smb1_block *b, bool secondary,
		     struct smb1_trans2 *t)
{
	return trans_parse(msg, len, b, secondary, 8, 0, t);
}

static uint32_t words32(const struct smb1_block *b, size_t byte_off)
{
	return wire_le32(b->words + byte_off);
}

int smb1_nttrans_parse(const uint8_t *msg, size_t len,
		       const struct smb1_block *b, bool secondary,
		       struct smb1_nttrans *t)
{
	memset(t, 0, sizeof(*t));
	t->secondary = secondary;
	/* words start with MaxSetupCount (primary) or Reserved1: 3 bytes */
	if (b->wct < (secondary ? 18 : 19)) {
		return WIRE_E_SHORT;
	}
	t->total_param = words32(b, 3);
	t->total_data = words32(b, 7);
	if (secondary) {
		t->param_count = words32(b, 11);
		t->param_off = words32(b, 15);
		t->param_disp = words32(b, 19);
		t->data_count = words32(b, 23);
		t->data_off = words32(b, 27);
		t->data_disp = words32(b, 31);
	} else {
		t->max_param = words32(b, 11);
		t->max_data = words32(b, 15);
		t->param_count = words32(b, 19);
		t->param_off = words32(b, 23);
		t->data_count = words32(b, 27);
		t->data_off = words32(b, 31);
		t->setup_count = b->words[35];
		t->function = wire_le16(b->words + 36);
		if (b->wct < 19u + t->setup_count) {
			return WIRE_E_INVALID;
		}
		t->setup = b->words + 38;
	}
	if (t->param_count > t->total_param ||
	    t->data_count > t->total_data ||
	    t->param_disp > t->total_param - t->param_count ||
	    t->data_disp > t->total_data - t->data_count) {
		return WIRE_E_INVALID;
	}
	if ((t->param_count > 0 &&
	     ((size_t)t->param_off > len ||
	      t->param_count > len - t->param_off)) ||
	    (t->data_count > 0 &&
	     ((size_t)t->data_off > len || t->data_count > len - t->data_off))) {
		return WIRE_E_BOUNDS;
	}
	return 0;
}

static void smb1_mac(const uint8_t *key, size_t key_len, uint8_t *msg,
		     size_t len, uint32_t seq, uint8_t mac[8])
{
	struct md5_ctx ctx;
	uint8_t digest[MD5_DIGEST_SIZE];

	wire_setle32(msg + SMB1_SIG_OFF, seq);
	wire_setle32(msg + SMB1_SIG_OFF + 4, 0);
	md5_init(&ctx);
	md5_update(&ctx, key_len, key);
	md5_update(&ctx, len, msg);
	md5_digest(&ctx, sizeof(digest), digest);
	memcpy(mac, digest, 8);
}

void smb1_sign(const uint8_t *key, size_t key_len, uint8_t *msg, size_t len,
	       uint32_t seq)
{
	uint8_t mac[8];

	smb1_mac(key, key_len, msg, len, seq, mac);
	memcpy(msg + SMB1_SIG_OFF, mac, 8);
}

bool smb1_check(const uint8_t *key, size_t key_len, uint8_t *msg, size_t len,
		uint32_t seq)
{
	uint8_t got[8], mac[8];

	memcpy(got, msg + SMB1_SIG_OFF, 8);
	smb1_mac(key, key_len, msg, len, seq, mac);
	memcpy(msg + SMB1_SIG_OFF, got, 8);
	return memeql_sec(got, mac, 8) != 0;
}

void smb1_dos_error(uint32_t st, uint8_t *eclass, uint16_t *code)
{
	static const struct {
		uint32_t nt;
		uint8_t eclass;
		uint16_t code;
	} map[] = {
		{ NT_STATUS_NO_SUCH_FILE, SMB1_ERRDOS, 2 },
		{ NT_STATUS_OBJECT_NAME_NOT_FOUND, SMB1_ERRDOS, 2 },
		{ NT_STATUS_OBJECT_PATH_NOT_FOUND, SMB1_ERRDOS, 3 },
		{ NT_STATUS_TOO_MANY_OPENED_FILES, SMB1_ERRDOS, 4 },
		{ NT_STATUS_ACCESS_DENIED, SMB1_ERRDOS, 5 },
		{ NT_STATUS_INVALID_HANDLE, SMB1_ERRDOS, 6 },
		{ NT_STATUS_FILE_CLOSED, SMB1_ERRDOS, 6 },
		{ NT_STATUS_NO_MEMORY, SMB1_ERRDOS, 8 },
		{ NT_STATUS_NO_MORE_FILES, SMB1_ERRDOS, 18 },
		{ NT_STATUS_SHARING_VIOLATION, SMB1_ERRDOS, 32 },
		{ NT_STATUS_NOT_SUPPORTED, SMB1_ERRDOS, 50 },
		{ NT_STATUS_REQUEST_NOT_ACCEPTED, SMB1_ERRDOS, 71 },
		{ NT_STATUS_OBJECT_NAME_COLLISION, SMB1_ERRDOS, 80 },
		{ NT_STATUS_INVALID_PARAMETER, SMB1_ERRDOS, 87 },
		{ NT_STATUS_DIRECTORY_NOT_EMPTY, SMB1_ERRDOS, 145 },
		{ NT_STATUS_OBJECT_NAME_INVALID, SMB1_ERRDOS, 123 },
		{ NT_STATUS_NOT_A_DIRECTORY, SMB1_ERRDOS, 267 },
		{ NT_STATUS_LOGON_FAILURE, SMB1_ERRSRV, 2 },
		{ NT_STATUS_BAD_NETWORK_NAME, SMB1_ERRSRV, 6 },
		{ NT_STATUS_BAD_DEVICE_TYPE, SMB1_ERRSRV, 7 },
		{ NT_STATUS_INSUFFICIENT_RESOURCES, SMB1_ERRSRV, 89 },
		{ NT_STATUS_USER_SESSION_DELETED, SMB1_ERRSRV, 91 },
		{ NT_STATUS_NETWORK_NAME_DELETED, SMB1_ERRSRV, 5 },
		{ NT_STATUS_DISK_FULL, SMB1_ERRHRD, 39 },
	};
	size_t i = 0;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].nt == st) {
			*eclass = map[i].eclass;
			*code = map[i].code;
			return;
		}
	}
	*eclass = SMB1_ERRHRD;
	*code = 31;	/* ERRgeneral */
}

int smb1_ntcreate_parse(const struct smb1_block *b, struct smb1_ntcreate *c)
{
	const uint8_t *w = b->words;

	memset(c, 0, sizeof(*c));
	if (b->wct != 24) {
		return WIRE_E_SHORT;
	}
	/* 0-3 AndX, 4 Reserved */
	c->name_len = wire_le16(w + 5);
	c->flags = wire_le32(w + 7);
	c->root_fid = wire_le32(w + 11);
	c->desired = wire_le32(w + 15);
	c->alloc_size = wire_le64(w + 19);
	c->attrs = wire_le32(w + 27);
	c->share = wire_le32(w + 31);
	c->disposition = wire_le32(w + 35);
	c->options = wire_le32(w + 39);
	c->impersonation = wire_le32(w + 43);
	c->security_flags = w[47];
	return 0;
}

int smb1_readx_parse(const struct smb1_block *b, bool large_readx,
		     struct smb1_readx *r)
{
	const uint8_t *w = b->words;
	uint32_t high = 0;

	memset(r, 0, sizeof(*r));
	if (b->wct != 10 && b->wct != 12) {
		return WIRE_E_SHORT;
	}
	r->fid = wire_le16(w + 4);
	r->offset = wire_le32(w + 6);
	r->max_count = wire_le16(w + 10);
	r->min_count = wire_le16(w + 12);
	high = wire_le32(w + 14);
	if (large_readx && high != 0xFFFFFFFFu) {
		r->max_count |= (high & 0xFFFF) << 16;
	}
	/* 18: Remaining */
	if (b->wct == 12) {
		r->offset |= (uint64_t)wire_le32(w + 20) << 32;
	}
	return 0;
}

int smb1_writex_parse(const uint8_t *msg, size_t len,
		      const struct smb1_block *b, bool large_writex,
		      struct smb1_writex *wx)
{
	const uint8_t *w = b->words;

	(void)msg;
	memset(wx, 0, sizeof(*wx));
	if (b->wct != 12 && b->wct != 14) {
		return WIRE_E_SHORT;
	}
	wx->fid = wire_le16(w + 4);
	wx->offset = wire_le32(w + 6);
	/* 10: Timeout */
	wx->write_mode = wire_le16(w + 14);
	/* 16: Remaining */
	wx->length = wire_le16(w + 20);
	if (large_writex) {
		wx->length |= (uint32_t)wire_le16(w + 18) << 16;
	}
	wx->data_off = wire_le16(w + 22);
	if (b->wct == 14) {
		wx->offset |= (uint64_t)wire_le32(w + 24) << 32;
	}
	if (wx->data_off < SMB1_HDR_SIZE || wx->data_off > len ||
	    wx->length > len - wx->data_off) {
		return WIRE_E_BOUNDS;
	}
	return 0;
}

int smb1_write_parse(const struct smb1_block *b, uint8_t cmd,
		     struct smb1_write *wr)
{
	const uint8_t *w = b->words;
	size_t at = 0;

	memset(wr, 0, sizeof(*wr));
	if (cmd == SMB1_COM_WRITE_AND_CLOSE) {
		if (b->wct != 6 && b->wct != 12) {
			return WIRE_E_SHORT;
		}
		wr->last_write = wire_le32(w + 8);
		at = 1;			/* Pad */
	} else if (cmd == SMB1_COM_WRITE || cmd == SMB1_COM_WRITE_AND_UNLOCK) {
		if (b->wct != 5) {
			return WIRE_E_SHORT;
		}
		if (b->bcc < 3 || b->bytes[0] != 0x01) {
			return WIRE_E_BOUNDS;
		}
		at = 3;			/* BufferFormat, DataLength */
		if (wire_le16(w + 2) > wire_le16(b->bytes + 1)) {
			return WIRE_E_BOUNDS;
		}
	} else if (cmd == SMB1_COM_WRITE_PRINT_FILE) {
		if (b->wct != 1) {
			return WIRE_E_SHORT;
		}
		if (b->bcc < 3 || b->bytes[0] != 0x01) {
			return WIRE_E_BOUNDS;
		}
		wr->fid = wire_le16(w);
		wr->count = wire_le16(b->bytes + 1);
		if (wr->count > b->bcc - 3) {
			return WIRE_E_BOUNDS;
		}
		wr->data_off = b->bytes_off + 3;
		return 0;
	} else {
		return WIRE_E_SHORT;
	}
	wr->fid = wire_le16(w);
	wr->count = wire_le16(w + 2);
	wr->offset = wire_le32(w + 4);
	if (b->bcc < at || wr->count > b->bcc - at) {
		return WIRE_E_BOUNDS;
	}
	wr->data_off = b->bytes_off + at;
	return 0;
}

int smb1_locking_parse(const struct smb1_block *b, struct smb1_locking *l)
{
	const uint8_t *w = b->words;
	size_t each = 0;

	memset(l, 0, sizeof(*l));
	if (b->wct != 8) {
		return WIRE_E_SHORT;
	}
	l->fid = wire_le16(w + 4);
	l->type = w[6];
	l->oplock_level = w[7];
	l->timeout = wire_le32(w + 8);
	l->nunlocks = wire_le16(w + 12);
	l->nlocks = wire_le16(w + 14);
	each = (l->type & SMB1_LOCKING_LARGE_FILES) ? 20 : 10;
	if (((size_t)l->nunlocks + l->nlocks) * each > b->bcc) {
		return WIRE_E_BOUNDS;
	}
	l->ranges = b->bytes;
	return 0;
}

void smb1_locking_range(const struct smb1_locking *l, unsigned i,
			uint16_t *pid, uint64_t *off, uint64_t *len)
{
	const uint8_t *p = NULL;

	if (l->type & SMB1_LOCKING_LARGE_FILES) {
		p = l->ranges + 20 * (size_t)i;
		*pid = wire_le16(p);
		*off = ((uint64_t)wire_le32(p + 4) << 32) | wire_le32(p + 8);
		*len = ((uint64_t)wire_le32(p + 12) << 32) | wire_le32(p + 16);
		return;
	}
	p = l->ranges + 10 * (size_t)i;
	*pid = wire_le16(p);
	*off = wire_le32(p + 2);
	*len = wire_le32(p + 6);
}

/* The file name at off of a TRANS2 parameter block (no alignment pad). */
static int param_name(void *mem, const uint8_t *p, size_t n, size_t off,
		      bool unicode, char **name)
{
	size_t next = 0;

	if (n < off) {
		return WIRE_E_SHORT;
	}
	if (unicode && off % 2 != 0) {
		return WIRE_E_INVALID;
	}
	return smb1_pull_string(mem, p, off, n, unicode, name, &next);
}

int smb1_find_first2_parse(void *mem, const uint8_t *p, size_t n,
			   bool unicode, struct smb1_find_first2 *f)
{
	memset(f, 0, sizeof(*f));
	if (n < 12) {
		return WIRE_E_SHORT;
	}
	f->search_attrs = wire_le16(p);
	f->search_count = wire_le16(p + 2);
	f->flags = wire_le16(p + 4);
	f->level = wire_le16(p + 6);
	f->storage_type = wire_le32(p + 8);
	return param_name(mem, p, n, 12, unicode, &f->pattern);
}

int smb1_find_next2_parse(void *mem, const uint8_t *p, size_t n,
			  bool unicode, struct smb1_find_next2 *f)
{
	memset(f, 0, sizeof(*f));
	if (n < 12) {
		return WIRE_E_SHORT;
	}
	f->sid = wire_le16(p);
	f->search_count = wire_le16(p + 2);
	f->level = wire_le16(p + 4);
	f->resume_key = wire_le32(p + 6);
	f->flags = wire_le16(p + 10);
	return param_name(mem, p, n, 12, unicode, &f->name);
}

int smb1_path_info_parse(void *mem, const uint8_t *p, size_t n,
			 bool unicode, uint16_t *level, char **name)
{
	*name = NULL;
	if (n < 6) {
		return WIRE_E_SHORT;
	}
	*level = wire_le16(p);
	return param_name(mem, p, n, 6, unicode, name);
}

int smb1_open2_parse(void *mem, const uint8_t *p, size_t n, bool unicode,
		     struct smb1_open2 *o)
{
	memset(o, 0, sizeof(*o));
	if (n < 28) {
		return WIRE_E_SHORT;
	}
	o->flags = wire_le16(p);
	o->access_mode = wire_le16(p + 2);
	o->attrs = wire_le16(p + 6);
	o->create_time = wire_le32(p + 8);
	o->open_mode = wire_le16(p + 12);
	o->alloc_size = wire_le32(p + 14);
	return param_name(mem, p, n, 28, unicode, &o->name);
}

int smb1_mkdir2_parse(void *mem, const uint8_t *p, size_t n, bool unicode,
		      char **name)
{
	*name = NULL;
	return param_name(mem, p, n, 4, unicode, name);
}

/* days since 1970-01-01 -> civil y/m/d (proleptic Gregorian) */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = (z - era * 146097) - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2 ? 1 : 0));
}

void smb1_nt_to_dos(uint64_t nt, uint16_t *date, uint16_t *time)
{
	const uint64_t epoch = 116444736000000000ULL;	/* 1970 in NT time */
	uint64_t secs;
	unsigned m, d, sod;
	int y;

	*date = 0;
	*time = 0;
	if (nt < epoch) {
		return;
	}
	secs = (nt - epoch) / 10000000ULL;
	civil_from_days((int64_t)(secs / 86400), &y, &m, &d);
	if (y < 1980 || y > 1980 + 127) {
		return;
	}
	sod = (unsigned)(secs % 86400);
	*date = (uint16_t)((unsigned)(y - 1980) << 9 | m << 5 | d);
	*time = (uint16_t)((sod / 3600) << 11 | (sod / 60 % 60) << 5 |
			   (sod % 60) / 2);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (m 1..12). */
static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
	int64_t era = 0;
	unsigned yoe = 0, doy = 0, doe = 0;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

uint64_t smb1_dos_to_nt(uint16_t date, uint16_t time)
{
	const uint64_t epoch = 116444736000000000ULL;
	unsigned m = (date >> 5) & 0xF;
	unsigned d = date & 0x1F;
	int64_t days = 0, secs = 0;

	if (date == 0 && time == 0) {
		return 0;
	}
	if (m < 1 || m > 12) {
		m = 1;
	}
	if (d < 1) {
		d = 1;
	}
	days = days_from_civil(1980 + (date >> 9), m, d);
	secs = days * 86400 + (time >> 11) * 3600 + ((time >> 5) & 0x3F) * 60 +
	       (time & 0x1F) * 2;
	return epoch + (uint64_t)secs * 10000000ULL;
}

void smb1_trans2_piece(const struct smb1_trans2 *t,
		       struct smb1_trans_piece *p)
{
	*p = (struct smb1_trans_piece){
		.total_param = t->total_param,
		.total_data = t->total_data,
		.param_count = t->param_count,
		.param_off = t->param_off,
		.param_disp = t->param_disp,
		.data_count = t->data_count,
		.data_off = t->data_off,
		.data_disp = t->data_disp,
	};
}

void smb1_nttrans_piece(const struct smb1_nttrans *t,
			struct smb1_trans_piece *p)
{
	*p = (struct smb1_trans_piece){
		.total_param = t->total_param,
		.total_data = t->total_data,
		.param_count = t->param_count,
		.param_off = t->param_off,
		.param_disp = t->param_disp,
		.data_count = t->data_count,
		.data_off = t->data_off,
		.data_disp = t->data_disp,
	};
}

static size_t align4(size_t v)
{
	return (v + 3) & ~(size_t)3;
}

int smb1_trans_rebuild(void *mem, uint8_t cmd, const uint8_t *hdr,
		       uint8_t wct, const uint8_t *words, const uint8_t *lead,
		       size_t nlead, const uint8_t *param, uint32_t nparam,
		       const uint8_t *data, uint32_t ndata, uint8_t **out,
		       size_t *out_len)
{
	bool nt = cmd == SMB1_COM_NT_TRANSACT;
	size_t bytes_off = SMB1_HDR_SIZE + 1 + 2 * (size_t)wct + 2;
	size_t poff = 0, doff = 0, end = 0;
	uint8_t *m = NULL;

	if ((!nt && cmd != SMB1_COM_TRANSACTION &&
	     cmd != SMB1_COM_TRANSACTION2) || wct < (nt ? 19 : 14)) {
		return WIRE_E_INVALID;
	}
	if (nlead > 0xFFFF || nparam > 0xFFFF || ndata > 0xFFFF) {
		return WIRE_E_TOOBIG;
	}
	poff = align4(bytes_off + nlead);
	doff = align4(poff + nparam);
	end = doff + ndata;
	if (end - bytes_off > 0xFFFF || (!nt && doff > 0xFFFF)) {
		return WIRE_E_TOOBIG;
	}
	m = talloc_zero_size(mem, end);
	if (m == NULL) {
		return WIRE_E_NOMEM;
	}
	memcpy(m, hdr, SMB1_HDR_SIZE);
	m[4] = cmd;
	m[SMB1_HDR_SIZE] = wct;
	memcpy(m + SMB1_HDR_SIZE + 1, words, 2 * (size_t)wct);
	if (nt) {
		uint8_t *w = m + SMB1_HDR_SIZE + 1;

		wire_setle32(w + 3, nparam);
		wire_setle32(w + 7, ndata);
		wire_setle32(w + 19, nparam);
		wire_setle32(w + 23, (uint32_t)poff);
		wire_setle32(w + 27, ndata);
		wire_setle32(w + 31, (uint32_t)doff);
	} else {
		uint8_t *w = m + SMB1_HDR_SIZE + 1;

		wire_setle16(w + 0, (uint16_t)nparam);
		wire_setle16(w + 2, (uint16_t)ndata);
		wire_setle16(w + 18, (uint16_t)nparam);
		wire_setle16(w + 20, (uint16_t)poff);
		wire_setle16(w + 22, (uint16_t)ndata);
		wire_setle16(w + 24, (uint16_t)doff);
	}
	wire_setle16(m + bytes_off - 2, (uint16_t)(end - bytes_off));
	if (nlead > 0) {
		memcpy(m + bytes_off, lead, nlead);
	}
	if (nparam > 0) {
		memcpy(m + poff, param, nparam);
	}
	if (ndata > 0) {
		memcpy(m + doff, data, ndata);
	}
	*out = m;
	*out_len = end;
	return 0;
}

#define NTTRANS_CREATE_FIXED	53

int smb1_nttrans_create_parse(void *mem, const uint8_t *p, size_t n,
			      bool unicode, struct smb1_nttrans_create *c)
{
	uint32_t name_len = 0;
	size_t off = NTTRANS_CREATE_FIXED, end = 0;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	if (n < NTTRANS_CREATE_FIXED) {
		return WIRE_E_SHORT;
	}
	c->c.flags = wire_le32(p);
	c->c.root_fid = wire_le32(p + 4);
	c->c.desired = wire_le32(p + 8);
	c->c.alloc_size = wire_le64(p + 12);
	c->c.attrs = wire_le32(p + 20);
	c->c.share = wire_le32(p + 24);
	c->c.disposition = wire_le32(p + 28);
	c->c.options = wire_le32(p + 32);
	c->sd_len = wire_le32(p + 36);
	c->ea_len = wire_le32(p + 40);
	name_len = wire_le32(p + 44);
	c->c.impersonation = wire_le32(p + 48);
	c->c.security_flags = p[52];
	if (unicode && off < n) {
		off++;		/* the pad to an even offset */
	}
	if (name_len > n - off) {
		/* some clients count the pad byte in: take what is there */
		if (!unicode || name_len > n - NTTRANS_CREATE_FIXED) {
			return WIRE_E_BOUNDS;
		}
		name_len = (uint32_t)(n - off);
	}
	end = off + name_len;
	if (unicode) {
		end -= name_len % 2;
		while (end >= off + 2 && p[end - 1] == 0 && p[end - 2] == 0) {
			end -= 2;
		}
		rc = utf16le_to_utf8(mem, p + off, end - off, &c->name);
		return rc;
	}
	while (end > off && p[end - 1] == 0) {
		end--;
	}
	c->name = talloc_strndup(mem, (const char *)p + off, end - off);
	return c->name != NULL ? 0 : WIRE_E_NOMEM;
}

int smb1_nttrans_ioctl_parse(const struct smb1_nttrans *t,
			     struct smb1_nttrans_ioctl *io)
{
	memset(io, 0, sizeof(*io));
	if (t->setup_count < 4 || t->setup == NULL) {
		return WIRE_E_SHORT;
	}
	io->function = wire_le32(t->setup);
	io->fid = wire_le16(t->setup + 4);
	io->is_fsctl = t->setup[6] != 0;
	io->is_flags = t->setup[7];
	return 0;
}

int smb1_nttrans_notify_parse(const struct smb1_nttrans *t,
			      struct smb1_nttrans_notify *nt)
{
	memset(nt, 0, sizeof(*nt));
	if (t->setup_count < 4 || t->setup == NULL) {
		return WIRE_E_SHORT;
	}
	nt->filter = wire_le32(t->setup);
	nt->fid = wire_le16(t->setup + 4);
	nt->watch_tree = t->setup[6] != 0;
	return 0;
}

int smb1_nttrans_secdesc_parse(const uint8_t *p, size_t n, uint16_t *fid,
			       uint32_t *secinfo)
{
	if (n < 8) {
		return WIRE_E_SHORT;
	}
	*fid = wire_le16(p);
	*secinfo = wire_le32(p + 4);
	return 0;
}

void smb1_info_standard_put(struct wire_wr *w, const struct smb1_find_std *e)
{
	uint16_t d = 0, t = 0;

	smb1_nt_to_dos(e->create_time, &d, &t);
	wire_put_u16le(w, d);
	wire_put_u16le(w, t);
	smb1_nt_to_dos(e->access_time, &d, &t);
	wire_put_u16le(w, d);
	wire_put_u16le(w, t);
	smb1_nt_to_dos(e->write_time, &d, &t);
	wire_put_u16le(w, d);
	wire_put_u16le(w, t);
	wire_put_u32le(w, e->size);
	wire_put_u32le(w, e->alloc_size);
	wire_put_u16le(w, e->attrs);
}

bool smb1_find_std_put(struct wire_wr *w, uint16_t level, bool unicode,
		       bool resume, uint32_t key,
		       const struct smb1_find_std *e)
{
	size_t start = w->len;
	size_t nl = unicode ? utf16_len_of_utf8(e->name) : strlen(e->name);

	if (nl > 255 || (level != SMB1_INFO_STANDARD &&
			 level != SMB1_INFO_QUERY_EA_SIZE &&
			 level != SMB1_INFO_QUERY_EAS_FROM_LIST)) {
		return false;
	}
	if (resume) {
		wire_put_u32le(w, key);
	}
	smb1_info_standard_put(w, e);
	if (level == SMB1_INFO_QUERY_EA_SIZE) {
		wire_put_u32le(w, e->ea_size);
	} else if (level == SMB1_INFO_QUERY_EAS_FROM_LIST) {
		wire_put_bytes(w, e->ea_list, e->ea_list_len);
	}
	wire_put_u8(w, (uint8_t)nl);
	if (level == SMB1_INFO_STANDARD && unicode &&
	    (w->len - start - (resume ? 4 : 0)) % 2 != 0) {
		wire_put_u8(w, 0);
	}
	if (unicode) {
		wire_put_utf16(w, e->name);
	} else {
		wire_put_bytes(w, e->name, nl);
	}
	if (level == SMB1_INFO_STANDARD && unicode) {
		wire_put_u16le(w, 0);
	} else {
		wire_put_u8(w, 0);
	}
	if (wire_wr_error(w) != 0) {
		w->len = start;
	}
	return true;
}
