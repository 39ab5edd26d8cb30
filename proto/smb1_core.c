/*
 * smb1_core.c - older SMB1 requests (see smb1_core.h).
 */
#include "proto/smb1_core.h"
#include "proto/smb2.h"

#include <string.h>
#include <strings.h>
#include <talloc.h>

/* The next string of the data block, or "" once it has ended. */
static int next_string(void *mem, const uint8_t *msg, size_t *off,
		       size_t end, bool unicode, char **out)
{
	size_t next = 0;
	int rc = 0;

	if (*off >= end || (unicode && *off + 1 >= end)) {
		*out = talloc_strdup(mem, "");
		*off = end;
		return *out == NULL ? WIRE_E_NOMEM : 0;
	}
	rc = smb1_pull_string(mem, msg, *off, end, unicode, out, &next);
	if (rc != 0) {
		return rc;
	}
	*off = next;
	return 0;
}

int smb1_setup_nt_parse(void *mem, const uint8_t *msg, size_t len,
			const struct smb1_block *b, bool unicode,
			struct smb1_setup_nt *s)
{
	size_t off = 0;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (b->wct != 13) {
		return WIRE_E_SHORT;
	}
	if (b->end > len) {
		return WIRE_E_BOUNDS;
	}
	s->max_buffer = smb1_word(b, 2);
	s->max_mpx = smb1_word(b, 3);
	s->vc_number = smb1_word(b, 4);
	s->lm_len = smb1_word(b, 7);
	s->nt_len = smb1_word(b, 8);
	s->caps = smb1_dword(b, 11);
	if ((size_t)s->lm_len + s->nt_len > b->bcc) {
		return WIRE_E_BOUNDS;
	}
	s->lm = b->bytes;
	s->nt = b->bytes + s->lm_len;
	off = b->bytes_off + s->lm_len + s->nt_len;
	rc = next_string(mem, msg, &off, b->end, unicode, &s->user);
	if (rc == 0) {
		rc = next_string(mem, msg, &off, b->end, unicode, &s->domain);
	}
	if (rc == 0) {
		rc = next_string(mem, msg, &off, b->end, unicode,
				 &s->native_os);
	}
	if (rc == 0) {
		rc = next_string(mem, msg, &off, b->end, unicode,
				 &s->native_lanman);
	}
	return rc;
}

int smb1_search_parse(void *mem, const uint8_t *msg, size_t len,
		      const struct smb1_block *b, bool unicode,
		      struct smb1_search_req *q)
{
	size_t off = 0;
	size_t next = 0;
	uint16_t klen = 0;
	int rc = 0;

	memset(q, 0, sizeof(*q));
	if (b->wct < 2) {
		return WIRE_E_SHORT;
	}
	if (b->end > len) {
		return WIRE_E_BOUNDS;
	}
	q->max_count = smb1_word(b, 0);
	q->attrs = smb1_word(b, 1);
	off = b->bytes_off;
	if (off >= b->end || msg[off] != 0x04) {
		return WIRE_E_INVALID;
	}
	off++;
	if (off >= b->end) {
		return WIRE_E_INVALID;
	}
	rc = smb1_pull_string(mem, msg, off, b->end, unicode, &q->pattern,
			      &next);
	if (rc != 0) {
		return rc;
	}
	off = next;
	if (off + 3 > b->end || msg[off] != 0x05) {
		return WIRE_E_INVALID;
	}
	klen = wire_le16(msg + off + 1);
	off += 3;
	if (klen == 0) {
		return 0;
	}
	if (klen != SMB1_RESUME_KEY_LEN) {
		return WIRE_E_INVALID;
	}
	if (off + SMB1_RESUME_KEY_LEN > b->end) {
		return WIRE_E_BOUNDS;
	}
	q->resume_key = msg + off;
	return 0;
}

/* ResumeKey: Reserved(1), ServerState(16) = FileName(11) || sid(2) ||
 * next(3), ClientState(4). */
void smb1_resume_decode(const uint8_t key[SMB1_RESUME_KEY_LEN],
			struct smb1_resume *k)
{
	k->sid = wire_le16(key + 12);
	k->next = (uint32_t)key[14] | (uint32_t)key[15] << 8 |
		  (uint32_t)key[16] << 16;
	memcpy(k->client_state, key + 17, 4);
}

void smb1_name_83_pad(const char *name83, uint8_t out[11])
{
	const char *dot = strrchr(name83, '.');
	size_t base = 0;
	size_t ext = 0;

	memset(out, ' ', 11);
	if (strcmp(name83, ".") == 0 || strcmp(name83, "..") == 0 ||
	    dot == NULL) {
		dot = NULL;
	}
	base = dot != NULL ? (size_t)(dot - name83) : strlen(name83);
	memcpy(out, name83, base < 8 ? base : 8);
	if (dot != NULL) {
		ext = strlen(dot + 1);
		memcpy(out + 8, dot + 1, ext < 3 ? ext : 3);
	}
}

void smb1_dir_entry_put(struct wire_wr *w, const struct smb1_dir_entry *e,
			const struct smb1_resume *k)
{
	uint8_t name11[11];
	uint8_t name13[13];
	size_t n = strlen(e->name83);

	smb1_name_83_pad(e->name83, name11);
	wire_put_u8(w, 0);			/* Reserved */
	wire_put_bytes(w, name11, 11);
	wire_put_u16le(w, k->sid);
	wire_put_u8(w, (uint8_t)k->next);
	wire_put_u8(w, (uint8_t)(k->next >> 8));
	wire_put_u8(w, (uint8_t)(k->next >> 16));
	wire_put_bytes(w, k->client_state, 4);
	wire_put_u8(w, e->attrs);
	wire_put_u16le(w, e->write_time);
	wire_put_u16le(w, e->write_date);
	wire_put_u32le(w, e->size);
	memset(name13, 0, sizeof(name13));
	memcpy(name13, e->name83, n < 12 ? n : 12);
	wire_put_bytes(w, name13, sizeof(name13));
}

char *smb1_core_pattern(void *mem, const char *pattern)
{
	size_t n = strlen(pattern);
	char *out = NULL;
	size_t j = 0;

	if (n == 0 || strcmp(pattern, "*.*") == 0 ||
	    strcmp(pattern, "????????.???") == 0) {
		return talloc_strdup(mem, "*");
	}
	out = talloc_array(mem, char, n + 1);
	if (out == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char c = pattern[i];
		char nx = pattern[i + 1];

		if (c == '?') {
			c = '>';
		} else if (c == '.' && (nx == '?' || nx == '*' ||
					nx == '\0')) {
			c = '"';
		} else if (c == '*' && nx == '.') {
			c = '<';
		}
		out[j++] = c;
	}
	out[j] = '\0';
	return out;
}

bool smb1_name_is_executable(const char *name)
{
	static const char *const ext[] = { "EXE", "DLL", "SYM", "COM" };
	const char *dot = strrchr(name, '.');
	const char *sep = strrchr(name, '\\');

	if (dot == NULL || (sep != NULL && sep > dot) || strlen(dot) != 4) {
		return false;
	}
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		if (strncasecmp(dot + 1, ext[i], 3) == 0) {
			return true;
		}
	}
	return false;
}

int smb1_dos_open_map(uint16_t access_mode, const char *name,
		      struct smb1_dos_open *o)
{
	unsigned sharing = (access_mode >> 4) & 0x7;

	memset(o, 0, sizeof(*o));
	o->access_class = access_mode & 0x7;
	/* FCB mode is sent as AccessMode 0xFF (access class 7 too) */
	if (o->access_class > 3 && sharing != SMB1_DENY_FCB) {
		return WIRE_E_INVALID;
	}
	switch (sharing) {
	case 1:
		o->share = 0;
		return 0;
	case 2:
		o->share = FILE_SHARE_READ;
		return 0;
	case 3:
		o->share = FILE_SHARE_WRITE;
		return 0;
	case 4:
		o->share = FILE_SHARE_READ | FILE_SHARE_WRITE;
		return 0;
	case SMB1_DENY_DOS:
		o->dos_or_fcb = true;
		if (smb1_name_is_executable(name)) {
			o->share = FILE_SHARE_READ | FILE_SHARE_WRITE;
		} else if (o->access_class == 0 || o->access_class == 3) {
			o->share = FILE_SHARE_READ;
		} else {
			o->share = 0;
			o->exclusive = true;
		}
		return 0;
	case SMB1_DENY_FCB:
		o->dos_or_fcb = true;
		o->access_class = 2;
		o->share = 0;
		o->exclusive = true;
		return 0;
	default:
		return WIRE_E_INVALID;
	}
}
