/*
 * printers_file.c - the printers file's text form (printers.h). Pure: no
 * I/O.
 *
 * The first line is RT_FILE_MAGIC (the version). Then one record a line,
 * fields separated by one TAB; in every text field the bytes '%', TAB, CR,
 * LF and the other control bytes are written %XX (two hex digits), every
 * other byte as it is:
 *
 *	P <id> <name> <share name> <comment> <location> <driver> <port>
 *	  <processor> <datatype> <parameters> <sepfile> <attributes>
 *	  <priority> <default priority> <start> <until> <change id>
 *	  <descriptor> <devmode>
 *	K <id> <key>				a key with no values
 *	V <id> <key> <name> <type> <data>	a value
 *
 * Numbers are decimal; <descriptor>, <devmode> and <data> are hex (""
 * for none). A K or V line names a printer an earlier P line gave.
 */
#include "smbd/print/printers.h"
#include "proto/hex.h"
#include "proto/wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RT_P_FIELDS	19
#define RT_K_FIELDS	2
#define RT_V_FIELDS	5
#define RT_MAX_LINE_FIELDS	RT_P_FIELDS

/*
 * The text is built in a wire_wr, which doubles its buffer as it grows:
 * appending to a string a byte at a time reallocated it each time, and
 * made writing a printer with a megabyte of data quadratic.
 */
static void put_str(struct wire_wr *w, const char *s)
{
	wire_put_bytes(w, s, strlen(s));
}

static void put_text(struct wire_wr *w, const char *s)
{
	static const char digits[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	     p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '%') {
			char esc[3] = { '%', digits[*p >> 4], digits[*p & 15] };

			wire_put_bytes(w, esc, sizeof(esc));
		} else {
			wire_put_u8(w, *p);
		}
	}
}

static void put_hex(struct wire_wr *w, const uint8_t *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	if (wire_wr_reserve(w, 2 * len) != 0) {
		return;
	}
	for (size_t i = 0; i < len; i++) {
		wire_put_u8(w, digits[data[i] >> 4]);
		wire_put_u8(w, digits[data[i] & 15]);
	}
}

static void put_fields(struct wire_wr *w, const char *const *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0) {
			put_str(w, "\t");
		}
		put_text(w, f[i] != NULL ? f[i] : "");
	}
}

static void put_uint(struct wire_wr *w, uint32_t v)
{
	char num[16];

	snprintf(num, sizeof(num), "%u", v);
	put_str(w, num);
}

static void format_printer(struct wire_wr *w, const struct rt_file_printer *p)
{
	const struct wg_printer_def *d = &p->def;
	const char *f[] = {
		d->name, d->share_name, d->comment, d->location, d->driver,
		d->port, d->print_processor, d->datatype, d->parameters,
		d->sepfile,
	};
	const uint32_t nums[] = {
		d->attributes, d->priority, d->default_priority,
		d->start_time, d->until_time, d->change_id,
	};

	put_str(w, "P\t");
	put_uint(w, p->id);
	put_str(w, "\t");
	put_fields(w, f, ARRAY_SIZE(f));
	for (size_t i = 0; i < ARRAY_SIZE(nums); i++) {
		put_str(w, "\t");
		put_uint(w, nums[i]);
	}
	put_str(w, "\t");
	put_hex(w, d->sd, d->sd_len);
	put_str(w, "\t");
	put_hex(w, d->devmode, d->devmode_len);
	put_str(w, "\n");
	for (size_t i = 0; i < p->nvals; i++) {
		const struct wg_printer_value *v = &p->vals[i];
		const char *kf[] = { v->key, v->name };

		put_str(w, v->name == NULL ? "K\t" : "V\t");
		put_uint(w, p->id);
		put_str(w, "\t");
		put_fields(w, kf, v->name == NULL ? 1 : 2);
		if (v->name != NULL) {
			put_str(w, "\t");
			put_uint(w, v->type);
			put_str(w, "\t");
			put_hex(w, v->data, v->len);
		}
		put_str(w, "\n");
	}
}

char *rt_file_format(TALLOC_CTX *mem, const struct rt_file_printer *p,
		     size_t n)
{
	struct wire_wr w;

	wire_wr_init(&w, mem, 0);
	put_str(&w, RT_FILE_MAGIC "\n");
	for (size_t i = 0; i < n; i++) {
		format_printer(&w, &p[i]);
	}
	wire_put_u8(&w, '\0');
	if (wire_wr_error(&w) != 0) {
		talloc_free(w.buf);
		return NULL;
	}
	return (char *)w.buf;
}

/* Field s..s+len unescaped into a new string; NULL with *rc set. */
static char *get_text(TALLOC_CTX *mem, const char *s, size_t len, int *rc)
{
	char *out = talloc_array(mem, char, len + 1);
	size_t k = 0;

	if (out == NULL) {
		*rc = -ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		int hi = 0, lo = 0;

		if (s[i] != '%') {
			out[k++] = s[i];
			continue;
		}
		if (len - i < 3 || (hi = hex_digit(s[i + 1])) < 0 ||
		    (lo = hex_digit(s[i + 2])) < 0 || (hi == 0 && lo == 0)) {
			talloc_free(out);
			*rc = -EINVAL;
			return NULL;
		}
		out[k++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[k] = '\0';
	return out;
}

static int get_hex(TALLOC_CTX *mem, const char *s, size_t len,
		   uint8_t **out, size_t *n)
{
	uint8_t *b = NULL;

	*out = NULL;
	*n = 0;
	if (len % 2 != 0) {
		return -EINVAL;
	}
	if (len == 0) {
		return 0;
	}
	b = talloc_array(mem, uint8_t, len / 2);
	if (b == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);

		if (hi < 0 || lo < 0) {
			talloc_free(b);
			return -EINVAL;
		}
		b[i / 2] = (uint8_t)(hi * 16 + lo);
	}
	*out = b;
	*n = len / 2;
	return 0;
}

static int get_u32(const char *s, size_t len, uint32_t *v)
{
	uint64_t x = 0;

	if (len == 0 || len > 10) {
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return -EINVAL;
		}
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (x > UINT32_MAX) {
		return -EINVAL;
	}
	*v = (uint32_t)x;
	return 0;
}

struct fields {
	const char *s[RT_MAX_LINE_FIELDS];
	size_t len[RT_MAX_LINE_FIELDS];
	size_t n;
};

/* Split line (len bytes) at TABs; -EINVAL for more than the maximum. */
static int split(const char *line, size_t len, struct fields *f)
{
	size_t start = 0;

	f->n = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != '\t') {
			continue;
		}
		if (f->n == RT_MAX_LINE_FIELDS) {
			return -EINVAL;
		}
		f->s[f->n] = line + start;
		f->len[f->n] = i - start;
		f->n++;
		start = i + 1;
	}
	return 0;
}

static int parse_p(TALLOC_CTX *mem, const struct fields *f,
		   struct rt_file_printer *p)
{
	struct wg_printer_def *d = &p->def;
	char **strs[] = { &d->name, &d->share_name, &d->comment,
			  &d->location, &d->driver,
			  &d->port, &d->print_processor, &d->datatype,
			  &d->parameters, &d->sepfile };
	uint32_t *nums[] = { &d->attributes, &d->priority,
			     &d->default_priority, &d->start_time,
			     &d->until_time, &d->change_id };
	size_t k = 1;
	int rc = 0;

	if (f->n != RT_P_FIELDS || get_u32(f->s[0], f->len[0], &p->id) != 0) {
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++, k++) {
		*strs[i] = get_text(mem, f->s[k], f->len[k], &rc);
		if (*strs[i] == NULL) {
			return rc;
		}
	}
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++, k++) {
		if (get_u32(f->s[k], f->len[k], nums[i]) != 0) {
			return -EINVAL;
		}
	}
	if (d->name[0] == '\0') {
		return -EINVAL;
	}
	d->runtime = true;
	rc = get_hex(mem, f->s[k], f->len[k], &d->sd, &d->sd_len);
	if (rc == 0) {
		k++;
		rc = get_hex(mem, f->s[k], f->len[k], &d->devmode,
			     &d->devmode_len);
	}
	return rc;
}

static int parse_value(TALLOC_CTX *mem, const struct fields *f, bool key_only,
		       struct rt_file_printer *p)
{
	struct wg_printer_value *v = NULL;
	int rc = 0;

	if (f->n != (key_only ? RT_K_FIELDS : RT_V_FIELDS)) {
		return -EINVAL;
	}
	p->vals = talloc_realloc(mem, p->vals, struct wg_printer_value,
				 p->nvals + 1);
	if (p->vals == NULL) {
		return -ENOMEM;
	}
	v = &p->vals[p->nvals];
	*v = (struct wg_printer_value) {};
	v->key = get_text(p->vals, f->s[1], f->len[1], &rc);
	if (v->key == NULL) {
		return rc;
	}
	p->nvals++;
	if (key_only) {
		return 0;
	}
	v->name = get_text(p->vals, f->s[2], f->len[2], &rc);
	if (v->name == NULL) {
		return rc;
	}
	if (get_u32(f->s[3], f->len[3], &v->type) != 0) {
		return -EINVAL;
	}
	return get_hex(p->vals, f->s[4], f->len[4], &v->data, &v->len);
}

static int parse_line(TALLOC_CTX *arr_mem, struct rt_file_printer **arr,
		      size_t *n, const char *line, size_t len)
{
	struct fields f;
	uint32_t id = 0;

	if (len < 2 || line[1] != '\t' ||
	    split(line + 2, len - 2, &f) != 0) {
		return -EINVAL;
	}
	if (line[0] == 'P') {
		struct rt_file_printer *p = NULL;

		if (*n >= RT_MAX_PRINTERS) {
			return -EINVAL;
		}
		*arr = talloc_realloc(arr_mem, *arr, struct rt_file_printer,
				      *n + 1);
		if (*arr == NULL) {
			return -ENOMEM;
		}
		p = &(*arr)[*n];
		*p = (struct rt_file_printer) {};
		(*n)++;
		return parse_p(*arr, &f, p);
	}
	if ((line[0] != 'K' && line[0] != 'V') ||
	    get_u32(f.s[0], f.len[0], &id) != 0) {
		return -EINVAL;
	}
	for (size_t i = 0; i < *n; i++) {
		if ((*arr)[i].id == id) {
			if ((*arr)[i].nvals >= RT_MAX_VALUES) {
				return -EINVAL;
			}
			return parse_value(*arr, &f, line[0] == 'K',
					   &(*arr)[i]);
		}
	}
	return -EINVAL;
}

int rt_file_parse(TALLOC_CTX *mem, const char *text, size_t len,
		  struct rt_file_printer **out, size_t *n)
{
	const size_t ml = strlen(RT_FILE_MAGIC);
	struct rt_file_printer *arr = talloc_array(mem,
						   struct rt_file_printer, 0);
	size_t pos = 0, count = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (arr == NULL) {
		return -ENOMEM;
	}
	if (len < ml + 1 || memcmp(text, RT_FILE_MAGIC, ml) != 0 ||
	    text[ml] != '\n') {
		talloc_free(arr);
		return -EINVAL;
	}
	pos = ml + 1;
	while (rc == 0 && pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = 0;

		if (nl == NULL) {
			rc = -EINVAL;	/* a cut-off last line */
			break;
		}
		ll = (size_t)(nl - (text + pos));
		if (memchr(text + pos, '\0', ll) != NULL) {
			rc = -EINVAL;
			break;
		}
		rc = parse_line(mem, &arr, &count, text + pos, ll);
		pos += ll + 1;
	}
	if (rc != 0) {
		talloc_free(arr);
		return rc;
	}
	*out = arr;
	*n = count;
	return 0;
}
