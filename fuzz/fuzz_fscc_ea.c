/*
 * fuzz_fscc_ea.c - libFuzzer target: the EA list decoders of
 * proto/fscc_ea.h (FILE_FULL_EA_INFORMATION and FILE_GET_EA_INFORMATION
 * chains, SMB1's SMB_FEA_LIST and SMB_GEA_LIST) on the same bytes.
 *
 * Properties checked (abort() on violation):
 *  - every decoded entry lies inside the input, its name NUL-terminated
 *    there, its value after the NUL;
 *  - a decoded full list pushed again decodes to the same entries, and
 *    its size is what fscc_ea_list_size() says;
 *  - a partial push writes whole entries only, within its limit;
 *  - a decoded SMB_FEA_LIST pushed again is the same bytes as its
 *    SizeOfListInBytes covered.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "proto/fscc_ea.h"

#define MAX_ENTRIES	512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_inside(const uint8_t *data, size_t size,
			 const struct fscc_ea *e)
{
	const uint8_t *name = (const uint8_t *)e->name;

	if (name < data || name + e->name_len >= data + size ||
	    name[e->name_len] != '\0') {
		abort();
	}
	if (e->value_len != 0 &&
	    (e->value != name + e->name_len + 1 ||
	     e->value + e->value_len > data + size)) {
		abort();
	}
}

static void check_full(TALLOC_CTX *mem, const uint8_t *data, size_t size)
{
	struct fscc_ea *eas = NULL, *again = NULL;
	size_t n = 0, n2 = 0, i = 0, fit = 0;
	struct wire_wr w;

	if (fscc_ea_full_pull(mem, data, size, MAX_ENTRIES, &eas, &n) != 0) {
		return;
	}
	for (i = 0; i < n; i++) {
		check_inside(data, size, &eas[i]);
	}
	wire_wr_init(&w, mem, 0);
	if (fscc_ea_full_push(&w, eas, n, SIZE_MAX) != n ||
	    wire_wr_error(&w) != 0 || w.len != fscc_ea_list_size(eas, n)) {
		abort();
	}
	if (n > 0 && (fscc_ea_full_pull(mem, w.buf, w.len, MAX_ENTRIES,
					&again, &n2) != 0 || n2 != n)) {
		abort();
	}
	for (i = 0; i < n2; i++) {
		if (again[i].flags != eas[i].flags ||
		    again[i].name_len != eas[i].name_len ||
		    again[i].value_len != eas[i].value_len ||
		    memcmp(again[i].name, eas[i].name, eas[i].name_len) != 0 ||
		    (eas[i].value_len != 0 &&
		     memcmp(again[i].value, eas[i].value,
			    eas[i].value_len) != 0)) {
			abort();
		}
	}
	w.len = 0;
	fit = fscc_ea_full_push(&w, eas, n, size / 2);
	if (w.len > size / 2 || w.len != fscc_ea_list_size(eas, fit)) {
		abort();
	}
}

static void check_get(TALLOC_CTX *mem, const uint8_t *data, size_t size)
{
	struct fscc_ea *eas = NULL;
	size_t n = 0, i = 0;

	if (fscc_ea_get_pull(mem, data, size, MAX_ENTRIES, &eas, &n) != 0) {
		return;
	}
	for (i = 0; i < n; i++) {
		check_inside(data, size, &eas[i]);
		(void)fscc_ea_name_valid(eas[i].name, eas[i].name_len);
	}
}

static void check_smb1(TALLOC_CTX *mem, const uint8_t *data, size_t size)
{
	struct fscc_ea *eas = NULL;
	size_t n = 0, i = 0;
	struct wire_wr w;

	if (smb1_ea_list_pull(mem, data, size, false, MAX_ENTRIES, &eas,
			      &n) == 0) {
		for (i = 0; i < n; i++) {
			check_inside(data, size, &eas[i]);
		}
	}
	if (smb1_ea_list_pull(mem, data, size, true, MAX_ENTRIES, &eas,
			      &n) != 0) {
		return;
	}
	for (i = 0; i < n; i++) {
		check_inside(data, size, &eas[i]);
	}
	wire_wr_init(&w, mem, 0);
	smb1_fea_list_push(&w, eas, n);
	if (wire_wr_error(&w) != 0 || w.len != smb1_fea_list_size(eas, n) ||
	    w.len != wire_le32(data) || memcmp(w.buf, data, w.len) != 0) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);

	if (mem == NULL) {
		return 0;
	}
	check_full(mem, data, size);
	check_get(mem, data, size);
	check_smb1(mem, data, size);
	talloc_free(mem);
	return 0;
}
