/*
 * smb1_core.c - older SMB1 requests (see smb1_core.h).
 */
#include "proto/smb1_core.h"

#include <string.h>
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
