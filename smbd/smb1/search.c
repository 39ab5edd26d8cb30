/*
 * search.c - the core protocol's directory searches [MS-CIFS §2.2.4.58-61,
 * §3.3.5.47-49]: SEARCH (0x81), FIND (0x82), FIND_UNIQUE (0x83) and
 * FIND_CLOSE (0x84). 8.3 names in 43-byte entries, each with a resume
 * key the client sends back to go on. The state is an smb1_search
 * (trans2.c) marked core, under the same per-session budget
 * (SMB1_MAX_SEARCHES, SMBD_BUDGET_SEARCHES: INSUFFICIENT_RESOURCES) and
 * directory memory. A SEARCH's ends when the client asks past the end
 * (or its room is needed: the protocol has no close for it), a FIND's
 * with FIND_CLOSE, a FIND_UNIQUE keeps none; all end with their session
 * or tree like the others.
 */
#include "smbd/smb1/smb1.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/shortname.h"
#include "proto/fscc.h"
#include "proto/smb1_core.h"

#include <fcntl.h>
#include <string.h>

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
		if (!smb1_search_attr_ok(attrs, ni.attrs)) {
			continue;
		}
		/* an 8.3 name as it is, case kept (smbtorture raw.search
		 * "many files" wants "t000-0.txt"); else its short name */
		if (smbd_is_8dot3(name)) {
			e.name83 = name;
		} else {
			smbd_short_name(name, short83);
			e.name83 = short83;
		}
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

/* The three commands that share the core search's form. */
enum core_kind {
	CORE_SEARCH,	/* state until sent to its end */
	CORE_FIND,	/* state until FIND_CLOSE */
	CORE_UNIQUE,	/* one answer, no state */
};

static NTSTATUS core_search(struct smb1_req *r, const struct smb1_block *b,
			    enum core_kind kind)
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
	bool first = false;
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
		s->find = kind == CORE_FIND;
		first = true;
	} else if (kind == CORE_UNIQUE) {
		/* FIND_UNIQUE keeps nothing to go on from [MS-CIFS 3.3.5.48] */
		talloc_free(tmp);
		return NT_STATUS_INVALID_PARAMETER;
	} else {
		smb1_resume_decode(q.resume_key, &k);
		s = smb1_search_find(r, k.sid);
		if (s == NULL || !s->core || s->find != (kind == CORE_FIND) ||
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
	if (first && count == 0 && max > 0) {
		talloc_free(s);
		return NT_STATUS_NO_MORE_FILES;
	}
	/* A SEARCH sent to its end stays until the client asks again (and
	 * gets an empty answer, as Windows gives it: smbtorture
	 * raw.search "many files") or the session needs the room for
	 * another (smb1_search_new). */
	if (kind == CORE_UNIQUE ||
	    (kind == CORE_SEARCH && count == 0 && s->pos >= s->n)) {
		talloc_free(s);
	}
	return NT_STATUS_OK;
}

NTSTATUS smb1_search(struct smb1_req *r, const struct smb1_block *b)
{
	return core_search(r, b, CORE_SEARCH);
}

NTSTATUS smb1_find(struct smb1_req *r, const struct smb1_block *b)
{
	return core_search(r, b, CORE_FIND);
}

NTSTATUS smb1_find_unique(struct smb1_req *r, const struct smb1_block *b)
{
	return core_search(r, b, CORE_UNIQUE);
}

/* FIND_CLOSE [MS-CIFS 2.2.4.61, 3.3.5.49]: the request of a FIND with the
 * resume key of the search; the answer a FIND's with no entries. */
NTSTATUS smb1_find_close(struct smb1_req *r, const struct smb1_block *b)
{
	TALLOC_CTX *tmp = talloc_new(r);
	struct smb1_search_req q = {};
	struct smb1_resume k = {};
	struct smb1_search *s = NULL;
	size_t pos = 0;
	int rc = 0;

	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	rc = smb1_search_parse(tmp, r->in, r->in_len, b, r->unicode, &q);
	if (rc != 0 || q.resume_key == NULL) {
		talloc_free(tmp);
		return rc == WIRE_E_NOMEM ? NT_STATUS_NO_MEMORY :
					    NT_STATUS_INVALID_PARAMETER;
	}
	smb1_resume_decode(q.resume_key, &k);
	talloc_free(tmp);
	s = smb1_search_find(r, k.sid);
	if (s == NULL || !s->core || s->tid != (uint16_t)r->tree->id) {
		return NT_STATUS_INVALID_HANDLE;
	}
	talloc_free(s);
	wire_put_u8(&r->out, 1);
	wire_put_u16le(&r->out, 0);		/* Count */
	pos = smb1_bytes_begin(r);
	wire_put_u8(&r->out, 0x05);
	wire_put_u16le(&r->out, 0);
	smb1_bytes_end(r, pos);
	return NT_STATUS_OK;
}
