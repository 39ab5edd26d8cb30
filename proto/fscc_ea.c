/*
 * fscc_ea.c - FILE_FULL_EA_INFORMATION and FILE_GET_EA_INFORMATION chains
 * (see fscc_ea.h).
 */
#include "proto/fscc_ea.h"

#include <string.h>
#include <talloc.h>

/* The first entries to allocate for; the array grows by doubling. */
#define EA_FIRST_ALLOC	8

static size_t align4(size_t n)
{
	return (n + 3u) & ~(size_t)3u;
}

/*
 * One entry at buf[off, off+left): its fields, the size it takes and the
 * offset of the next (0: last). full: FILE_FULL_EA_INFORMATION, else
 * FILE_GET_EA_INFORMATION.
 */
static int ea_entry_pull(const uint8_t *p, size_t left, bool full,
			 struct fscc_ea *e, uint32_t *next)
{
	size_t fixed = full ? FSCC_EA_FULL_FIXED : FSCC_EA_GET_FIXED;
	size_t need = 0, room = left;

	if (left < fixed) {
		return WIRE_E_INVALID;
	}
	*next = wire_le32(p);
	memset(e, 0, sizeof(*e));
	if (full) {
		e->flags = p[4];
		e->name_len = p[5];
		e->value_len = wire_le16(p + 6);
	} else {
		e->name_len = p[4];
	}
	if (*next != 0) {
		/* a next entry must follow, inside the buffer */
		if ((*next & 3u) != 0 || *next >= left) {
			return WIRE_E_INVALID;
		}
		room = *next;
	}
	/* fixed + name + NUL + value: at most 8 + 255 + 1 + 65535 */
	need = fixed + (size_t)e->name_len + 1 + e->value_len;
	if (need > room) {
		return WIRE_E_INVALID;
	}
	e->name = (const char *)p + fixed;
	if (e->name[e->name_len] != '\0') {
		return WIRE_E_INVALID;
	}
	if (e->value_len != 0) {
		e->value = p + fixed + e->name_len + 1;
	}
	return 0;
}

/*
 * Append e to the list *arr of *cnt entries (room for *cap), growing it
 * by doubling up to max entries. 0, WIRE_E_TOOBIG (already max entries)
 * or WIRE_E_NOMEM; *arr stays valid either way.
 */
static int ea_append(void *mem, struct fscc_ea **arr, size_t *cap,
		     size_t *cnt, size_t max, const struct fscc_ea *e)
{
	if (*cnt == max) {
		return WIRE_E_TOOBIG;
	}
	if (*cnt == *cap) {
		size_t want = *cap == 0 ? EA_FIRST_ALLOC : *cap * 2;
		struct fscc_ea *t = NULL;

		if (want > max) {
			want = max;
		}
		t = talloc_realloc(mem, *arr, struct fscc_ea, want);
		if (t == NULL) {
			return WIRE_E_NOMEM;
		}
		*arr = t;
		*cap = want;
	}
	(*arr)[(*cnt)++] = *e;
	return 0;
}

static int ea_chain_pull(void *mem, const uint8_t *buf, size_t len,
			 size_t max, bool full, struct fscc_ea **eas,
			 size_t *n)
{
	struct fscc_ea *arr = NULL;
	size_t cap = 0, cnt = 0, off = 0;
	int ret = 0;

	*eas = NULL;
	*n = 0;
	while (off < len) {
		struct fscc_ea e;
		uint32_t next = 0;

		ret = ea_entry_pull(buf + off, len - off, full, &e, &next);
		if (ret != 0) {
			goto fail;
		}
		ret = ea_append(mem, &arr, &cap, &cnt, max, &e);
		if (ret != 0) {
			goto fail;
		}
		if (next == 0) {
			break;
		}
		off += next;
	}
	*eas = arr;
	*n = cnt;
	return 0;
fail:
	talloc_free(arr);
	return ret;
}

int fscc_ea_full_pull(void *mem, const uint8_t *buf, size_t len, size_t max,
		      struct fscc_ea **eas, size_t *n)
{
	return ea_chain_pull(mem, buf, len, max, true, eas, n);
}

int fscc_ea_get_pull(void *mem, const uint8_t *buf, size_t len, size_t max,
		     struct fscc_ea **eas, size_t *n)
{
	return ea_chain_pull(mem, buf, len, max, false, eas, n);
}

bool fscc_ea_name_valid(const char *name, size_t len)
{
	static const char bad[] = "\"*+,/:;<=>?[\\]|";
	size_t i = 0;

	if (len == 0 || len > 255) {
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || strchr(bad, c) != NULL) {
			return false;
		}
	}
	return true;
}

size_t fscc_ea_entry_size(size_t name_len, size_t value_len)
{
	return FSCC_EA_FULL_FIXED + name_len + 1 + value_len;
}

size_t fscc_ea_list_size(const struct fscc_ea *eas, size_t n)
{
	size_t total = 0, i = 0;

	for (i = 0; i < n; i++) {
		size_t sz = fscc_ea_entry_size(eas[i].name_len,
					       eas[i].value_len);

		total += i + 1 < n ? align4(sz) : sz;
	}
	return total;
}

size_t fscc_ea_full_push(struct wire_wr *w, const struct fscc_ea *eas,
			 size_t n, size_t max)
{
	size_t used = 0, prev = 0, i = 0;
	size_t start = w->len;

	for (i = 0; i < n; i++) {
		size_t sz = fscc_ea_entry_size(eas[i].name_len,
					       eas[i].value_len);
		size_t at = i == 0 ? 0 : align4(used);

		if (at + sz > max) {
			break;
		}
		if (i > 0) {
			wire_put_zero(w, at - used);
			wire_patch_u32le(w, start + prev,
					 (uint32_t)(at - prev));
		}
		wire_put_u32le(w, 0);		/* NextEntryOffset */
		wire_put_u8(w, eas[i].flags);
		wire_put_u8(w, eas[i].name_len);
		wire_put_u16le(w, eas[i].value_len);
		wire_put_bytes(w, eas[i].name, eas[i].name_len);
		wire_put_u8(w, 0);
		if (eas[i].value_len != 0) {
			wire_put_bytes(w, eas[i].value, eas[i].value_len);
		}
		prev = at;
		used = at + sz;
	}
	return i;
}

/* ---- SMB_FEA_LIST and SMB_GEA_LIST [MS-CIFS §2.2.1.2] ---- */

/* One SMB_FEA or SMB_GEA at p[0, left): its fields and its size. */
static int smb1_entry_pull(const uint8_t *p, size_t left, bool fea,
			   struct fscc_ea *e, size_t *size)
{
	size_t fixed = fea ? SMB1_FEA_FIXED : SMB1_GEA_FIXED;
	size_t need = 0;

	if (left < fixed) {
		return WIRE_E_INVALID;
	}
	memset(e, 0, sizeof(*e));
	if (fea) {
		e->flags = p[0];
		e->name_len = p[1];
		e->value_len = wire_le16(p + 2);
	} else {
		e->name_len = p[0];
	}
	/* fixed + name + NUL + value: at most 4 + 255 + 1 + 65535 */
	need = fixed + (size_t)e->name_len + 1 + e->value_len;
	if (need > left) {
		return WIRE_E_INVALID;
	}
	e->name = (const char *)p + fixed;
	if (e->name[e->name_len] != '\0') {
		return WIRE_E_INVALID;
	}
	if (e->value_len != 0) {
		e->value = p + fixed + e->name_len + 1;
	}
	*size = need;
	return 0;
}

int smb1_ea_list_pull(void *mem, const uint8_t *buf, size_t len, bool fea,
		      size_t max, struct fscc_ea **eas, size_t *n)
{
	struct fscc_ea *arr = NULL;
	size_t cap = 0, cnt = 0, off = SMB1_EA_LIST_FIXED, total = 0;
	int ret = 0;

	*eas = NULL;
	*n = 0;
	if (len < SMB1_EA_LIST_FIXED) {
		return WIRE_E_SHORT;
	}
	total = wire_le32(buf);
	if (total < SMB1_EA_LIST_FIXED || total > len) {
		return WIRE_E_INVALID;
	}
	while (off < total) {
		struct fscc_ea e;
		size_t size = 0;

		ret = smb1_entry_pull(buf + off, total - off, fea, &e, &size);
		if (ret != 0) {
			goto fail;
		}
		ret = ea_append(mem, &arr, &cap, &cnt, max, &e);
		if (ret != 0) {
			goto fail;
		}
		off += size;
	}
	*eas = arr;
	*n = cnt;
	return 0;
fail:
	talloc_free(arr);
	return ret;
}

size_t smb1_fea_list_size(const struct fscc_ea *eas, size_t n)
{
	size_t total = SMB1_EA_LIST_FIXED, i = 0;

	for (i = 0; i < n; i++) {
		total += SMB1_FEA_FIXED + (size_t)eas[i].name_len + 1 +
			 eas[i].value_len;
	}
	return total;
}

void smb1_fea_list_push(struct wire_wr *w, const struct fscc_ea *eas,
			size_t n)
{
	size_t i = 0;

	wire_put_u32le(w, (uint32_t)smb1_fea_list_size(eas, n));
	for (i = 0; i < n; i++) {
		wire_put_u8(w, eas[i].flags);
		wire_put_u8(w, eas[i].name_len);
		wire_put_u16le(w, eas[i].value_len);
		wire_put_bytes(w, eas[i].name, eas[i].name_len);
		wire_put_u8(w, 0);
		if (eas[i].value_len != 0) {
			wire_put_bytes(w, eas[i].value, eas[i].value_len);
		}
	}
}
