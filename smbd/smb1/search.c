/*
 * search.c - the core protocol's directory search, SMB_COM_SEARCH (0x81)
 * [MS-CIFS §2.2.4.58, §3.3.5.24]: 8.3 names in 43-byte entries, each
 * with a resume key the client sends back to go on. The state is an
 * smb1_search (trans2.c) marked core, under the same per-session budget
 * (SMB1_MAX_SEARCHES, SMBD_BUDGET_SEARCHES) and directory memory; it
 * ends when the listing has been sent to its end (the protocol has no
 * close for it), or with its session or tree like the others.
 */
#include "smbd/smb1/smb1.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/shortname.h"
#include "proto/fscc.h"
#include "proto/smb1_core.h"

#include <fcntl.h>
#include <string.h>

/* Attributes a search must ask for (SearchAttributes' low byte) to see
 * such entries [MS-CIFS §2.2.1.2.4]; the rest (normal, read-only,
 * archive) always show. Its high byte names attributes an entry must
 * have (the "must have" bits). */
#define SEARCH_GATED	(FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM | \
			 FILE_ATTRIBUTE_DIRECTORY)

/* The client's "dir\pattern" with the last part in MS-FSA form. */
static char *core_pattern(TALLOC_CTX *mem, const char *pattern)
{
	const char *sep = strrchr(pattern, '\\');
	const char *last = sep != NULL ? sep + 1 : pattern;
	char *pat = smb1_core_pattern(mem, last);

	if (pat == NULL) {
		return NULL;
	}
	return talloc_asprintf(mem, "%.*s%s", (int)(last - pattern), pattern,
			       pat);
}

/* Entries from s->pos into w, at most max; *count of them. */
static void fill(struct smb1_req *r, struct smb1_search *s, uint16_t attrs,
		 uint16_t max, const uint8_t client_state[4],
		 struct wire_wr *w, uint16_t *count)
{
	while (s->pos < s->n && *count < max) {
		const char *name = s->names[s->pos];
		const char *at = name;
		char short83[SMBD_SHORT_NAME_MAX + 1];
		struct smbd_stat sx;
		struct smbd_ntinfo ni = {};
		struct smb1_dir_entry e = {};
		struct smb1_resume k = { .sid = s->sid };

		s->pos++;
		if (strcmp(name, "..") == 0 && s->root) {
			at = ".";
		}
		if (smbd_stat_at(s->dfd, at, AT_SYMLINK_NOFOLLOW, &sx) != 0) {
			continue;	/* gone since */
		}
		smbd_ntinfo_fill(&sx, name, &ni);
		if ((ni.attrs & SEARCH_GATED) & ~(uint32_t)(attrs & 0xFF)) {
			continue;
		}
		/* the high byte: attributes an entry must have */
		if ((ni.attrs & (attrs >> 8)) != (uint32_t)(attrs >> 8)) {
			continue;
		}
		smbd_short_name(name, short83);
		e.name83 = short83;
		e.attrs = (uint8_t)(ni.attrs & 0x3F);
		smb1_nt_to_dos(ni.write_time, &e.write_date, &e.write_time);
		e.size = ni.end_of_file > UINT32_MAX ? UINT32_MAX :
			 (uint32_t)ni.end_of_file;
		k.next = (uint32_t)s->pos;
		memcpy(k.client_state, client_state, 4);
		smb1_dir_entry_put(w, &e, &k);
		(*count)++;
	}
}

NTSTATUS smb1_search(struct smb1_req *r, const struct smb1_block *b)
{
	TALLOC_CTX *tmp = talloc_new(r);
	struct smb1_search_req q = {};
	struct smb1_resume k = {};
	struct smb1_search *s = NULL;
	NTSTATUS status = NT_STATUS_OK;
	uint16_t max = (SMB1_MAX_BUFFER - 64) / SMB1_DIR_INFO_LEN;
	uint16_t count = 0;
	size_t pos = 0;
	size_t at = 0;
	char *pattern = NULL;
	int rc = 0;

	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	rc = smb1_search_parse(tmp, r->in, r->in_len, b, r->unicode, &q);
	if (rc != 0) {
		talloc_free(tmp);
		return rc == WIRE_E_NOMEM ? NT_STATUS_NO_MEMORY :
					    NT_STATUS_INVALID_PARAMETER;
	}
	if (q.max_count < max) {
		max = q.max_count;
	}
	if (q.resume_key == NULL) {
		pattern = core_pattern(tmp, q.pattern);
		if (pattern == NULL) {
			talloc_free(tmp);
			return NT_STATUS_NO_MEMORY;
		}
		status = smb1_search_new(r, pattern, &s);
		if (status == NT_STATUS_NO_SUCH_FILE) {
			status = NT_STATUS_NO_MORE_FILES;
		}
		if (status != NT_STATUS_OK) {
			talloc_free(tmp);
			return status;
		}
		s->core = true;
	} else {
		smb1_resume_decode(q.resume_key, &k);
		s = smb1_search_find(r, k.sid);
		if (s == NULL || !s->core ||
		    s->tid != (uint16_t)r->tree->id || k.next > s->n) {
			talloc_free(tmp);
			return NT_STATUS_NO_MORE_FILES;
		}
		s->pos = k.next;
	}
	talloc_free(tmp);
	wire_put_u8(&r->out, 1);
	at = r->out.len;
	wire_put_u16le(&r->out, 0);		/* Count */
	pos = smb1_bytes_begin(r);
	wire_put_u8(&r->out, 0x05);		/* BufferFormat: variable */
	wire_put_u16le(&r->out, 0);		/* DataLength */
	if (max > 0) {
		fill(r, s, q.attrs, max, k.client_state, &r->out, &count);
	}
	wire_patch_u16le(&r->out, at, count);
	wire_patch_u16le(&r->out, pos + 3,
			 (uint16_t)(count * SMB1_DIR_INFO_LEN));
	smb1_bytes_end(r, pos);
	if (s->pos >= s->n) {
		talloc_free(s);		/* sent to its end */
	}
	if (count == 0 && max > 0) {
		return NT_STATUS_NO_MORE_FILES;
	}
	return NT_STATUS_OK;
}
