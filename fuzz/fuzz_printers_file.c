/*
 * fuzz_printers_file.c - libFuzzer target: the printers file
 * (smbd/print/printers_file.c). Whatever parses must format and parse
 * again to the same printers and values (abort() otherwise).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "smbd/print/printers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int same_bytes(const uint8_t *a, size_t al, const uint8_t *b,
		      size_t bl)
{
	return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

static int same(const struct rt_file_printer *a,
		const struct rt_file_printer *b)
{
	const struct wg_printer_def *x = &a->def, *y = &b->def;

	if (a->id != b->id || a->nvals != b->nvals ||
	    !same_str(x->name, y->name) ||
	    !same_str(x->share_name, y->share_name) ||
	    !same_str(x->comment, y->comment) ||
	    !same_str(x->parameters, y->parameters) ||
	    x->attributes != y->attributes || x->change_id != y->change_id ||
	    !same_bytes(x->sd, x->sd_len, y->sd, y->sd_len) ||
	    !same_bytes(x->devmode, x->devmode_len, y->devmode,
			y->devmode_len)) {
		return 0;
	}
	for (size_t i = 0; i < a->nvals; i++) {
		const struct wg_printer_value *v = &a->vals[i];
		const struct wg_printer_value *w = &b->vals[i];

		if (!same_str(v->key, w->key) || !same_str(v->name, w->name) ||
		    v->type != w->type ||
		    !same_bytes(v->data, v->len, w->data, w->len)) {
			return 0;
		}
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct rt_file_printer *p = NULL, *q = NULL;
	size_t n = 0, m = 0;
	char *text = NULL;

	if (mem == NULL) {
		return 0;
	}
	if (rt_file_parse(mem, (const char *)data, size, &p, &n) == 0) {
		text = rt_file_format(mem, p, n);
		if (text == NULL ||
		    rt_file_parse(mem, text, strlen(text), &q, &m) != 0 ||
		    m != n) {
			abort();
		}
		for (size_t i = 0; i < n; i++) {
			if (!same(&p[i], &q[i])) {
				abort();
			}
		}
	}
	talloc_free(mem);
	return 0;
}
