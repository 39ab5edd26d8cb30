/*
 * ctlproto.c - control socket request lines and a small JSON writer and
 * reader (see ctlproto.h). Pure: no I/O, no globals. UTF-8 is decoded
 * and encoded by proto/utf16.h, whose rule for malformed bytes this
 * follows: the writer shows each as U+FFFD, the reader rejects it.
 */
#include "proto/ctlproto.h"
#include "proto/utf16.h"
#include "proto/hex.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- requests --------------------------------------------------------- */

static bool arg_byte_plain(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("-._~/:@+,=", c) != NULL);
}

static bool verb_ok(const char *v, size_t len)
{
	size_t i = 0;

	if (len == 0 || len > CTL_MAX_VERB) {
		return false;
	}
	for (i = 0; i < len; i++) {
		if (!((v[i] >= 'a' && v[i] <= 'z') || v[i] == '-')) {
			return false;
		}
	}
	return true;
}

char *ctl_request_format(TALLOC_CTX *mem_ctx, const char *verb,
			 const char *const *args, size_t nargs)
{
	static const char hex[] = "0123456789ABCDEF";
	char *line = NULL;
	size_t i = 0;

	if (verb == NULL || !verb_ok(verb, strlen(verb))) {
		errno = EINVAL;
		return NULL;
	}
	if (nargs > CTL_MAX_ARGS) {
		errno = E2BIG;
		return NULL;
	}
	line = talloc_asprintf(mem_ctx, "WGCTL %d %s", CTL_PROTO_VERSION, verb);
	for (i = 0; line != NULL && i < nargs; i++) {
		const unsigned char *a = (const unsigned char *)args[i];

		if (a == NULL || a[0] == '\0') {
			talloc_free(line);
			errno = EINVAL;
			return NULL;
		}
		line = talloc_strdup_append_buffer(line, " ");
		for (; line != NULL && *a != '\0'; a++) {
			char esc[4] = { '%', hex[*a >> 4], hex[*a & 15], 0 };

			if (arg_byte_plain(*a)) {
				esc[0] = (char)*a;
				esc[1] = '\0';
			}
			line = talloc_strdup_append_buffer(line, esc);
		}
	}
	if (line != NULL) {
		line = talloc_strdup_append_buffer(line, "\n");
	}
	if (line == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if (strlen(line) > CTL_MAX_REQUEST) {
		talloc_free(line);
		errno = E2BIG;
		return NULL;
	}
	return line;
}

/* Decode one percent-encoded argument of len bytes. */
static int arg_decode(TALLOC_CTX *mem, const char *s, size_t len, char **out)
{
	char *d = talloc_array(mem, char, len + 1);
	size_t i = 0, o = 0;

	if (d == NULL) {
		return -ENOMEM;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (len - i < 3) {
				talloc_free(d);
				return -EINVAL;
			}
			if (hex_digit(s[i + 1]) < 0 || hex_digit(s[i + 2]) < 0) {
				talloc_free(d);
				return -EINVAL;
			}
			c = (unsigned char)(hex_digit(s[i + 1]) << 4 |
					    hex_digit(s[i + 2]));
			if (c == 0) {
				talloc_free(d);
				return -EINVAL;
			}
			i += 2;
		} else if (!arg_byte_plain(c)) {
			talloc_free(d);
			return -EINVAL;
		}
		d[o++] = (char)c;
	}
	d[o] = '\0';
	*out = d;
	return 0;
}

/* Split at single spaces; an empty field (two spaces) is an error. */
static int next_field(const char **p, const char *end, const char **f,
		      size_t *flen)
{
	const char *s = *p;
	const char *e = s;

	while (e < end && *e != ' ') {
		e++;
	}
	if (e == s) {
		return -1;
	}
	*f = s;
	*flen = (size_t)(e - s);
	*p = e < end ? e + 1 : e;
	if (e < end && e + 1 == end) {
		return -1;	/* trailing space */
	}
	return 0;
}

static int parse_version(const char *f, size_t n, unsigned *version)
{
	unsigned v = 0;
	size_t i = 0;

	if (n == 0 || n > 6) {
		return -EPROTO;
	}
	for (i = 0; i < n; i++) {
		if (f[i] < '0' || f[i] > '9') {
			return -EPROTO;
		}
		v = v * 10 + (unsigned)(f[i] - '0');
	}
	*version = v;
	return 0;
}

int ctl_request_parse(TALLOC_CTX *mem_ctx, const char *line, size_t len,
		      struct ctl_request **out)
{
	struct ctl_request *r = NULL;
	const char *p = line;
	const char *end = NULL;
	const char *f = NULL;
	size_t flen = 0;
	int rc = 0;

	if (len > CTL_MAX_REQUEST) {
		return -E2BIG;
	}
	if (len > 0 && line[len - 1] == '\n') {
		len--;
	}
	end = line + len;
	if (memchr(line, '\n', len) != NULL) {
		return -EPROTO;
	}
	r = talloc_zero(mem_ctx, struct ctl_request);
	if (r == NULL) {
		return -ENOMEM;
	}
	if (next_field(&p, end, &f, &flen) != 0 || flen != 5 ||
	    memcmp(f, "WGCTL", 5) != 0) {
		rc = -EPROTO;
		goto fail;
	}
	if (next_field(&p, end, &f, &flen) != 0 ||
	    parse_version(f, flen, &r->version) != 0) {
		rc = -EPROTO;
		goto fail;
	}
	if (next_field(&p, end, &f, &flen) != 0) {
		rc = -EPROTO;
		goto fail;
	}
	if (!verb_ok(f, flen)) {
		rc = -EINVAL;
		goto fail;
	}
	r->verb = talloc_strndup(r, f, flen);
	r->args = talloc_zero_array(r, char *, CTL_MAX_ARGS + 1);
	if (r->verb == NULL || r->args == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	while (p < end) {
		if (next_field(&p, end, &f, &flen) != 0) {
			rc = -EINVAL;
			goto fail;
		}
		if (r->nargs == CTL_MAX_ARGS) {
			rc = -E2BIG;
			goto fail;
		}
		rc = arg_decode(r->args, f, flen, &r->args[r->nargs]);
		if (rc != 0) {
			goto fail;
		}
		r->nargs++;
	}
	*out = r;
	return 0;
fail:
	talloc_free(r);
	return rc;
}

const char *ctl_errno_name(int err)
{
	const char *n = NULL;

	if (err < 0) {
		err = -err;
	}
	n = strerrorname_np(err);
	return n != NULL ? n : "EUNKNOWN";
}

/* ---- JSON writer ------------------------------------------------------ */

struct ctl_json {
	TALLOC_CTX *mem;		/* where the result goes */
	char *buf;
	size_t len;
	size_t cap;
	int err;
	unsigned depth;			/* 0 = top level */
	bool top_done;
	bool in_object[CTL_JSON_MAX_DEPTH + 1];
	bool first[CTL_JSON_MAX_DEPTH + 1];
};

struct ctl_json *ctl_json_new(TALLOC_CTX *mem_ctx)
{
	struct ctl_json *j = talloc_zero(mem_ctx, struct ctl_json);

	if (j == NULL) {
		return NULL;
	}
	j->mem = mem_ctx;
	j->cap = 256;
	j->buf = talloc_array(j, char, j->cap);
	if (j->buf == NULL) {
		talloc_free(j);
		return NULL;
	}
	return j;
}

static void put(struct ctl_json *j, const char *s, size_t n)
{
	if (j->err != 0) {
		return;
	}
	if (j->cap - j->len < n + 2) {
		size_t cap = j->cap;
		char *b = NULL;

		while (cap - j->len < n + 2) {
			if (cap > SIZE_MAX / 2) {
				j->err = -ENOMEM;
				return;
			}
			cap *= 2;
		}
		b = talloc_realloc(j, j->buf, char, cap);
		if (b == NULL) {
			j->err = -ENOMEM;
			return;
		}
		j->buf = b;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void puts_(struct ctl_json *j, const char *s)
{
	put(j, s, strlen(s));
}

static void put_string(struct ctl_json *j, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);

	put(j, "\"", 1);
	while (left > 0 && j->err == 0) {
		uint32_t cp = 0;
		size_t n = utf8_decode(p, left, &cp);
		char esc[8];

		if (n == 0) {
			puts_(j, "\\ufffd");
			p++;
			left--;
			continue;
		}
		switch (cp) {
		case '"':
			puts_(j, "\\\"");
			break;
		case '\\':
			puts_(j, "\\\\");
			break;
		case '\n':
			puts_(j, "\\n");
			break;
		case '\r':
			puts_(j, "\\r");
			break;
		case '\t':
			puts_(j, "\\t");
			break;
		default:
			if (cp < 0x20 || cp == 0x7F) {
				snprintf(esc, sizeof(esc), "\\u%04x",
					 (unsigned)cp);
				puts_(j, esc);
			} else {
				put(j, (const char *)p, n);
			}
			break;
		}
		p += n;
		left -= n;
	}
	put(j, "\"", 1);
}

/* Separator and key before a value; false if the call is misplaced. */
static bool begin_value(struct ctl_json *j, const char *key)
{
	if (j->err != 0) {
		return false;
	}
	if (j->depth == 0) {
		if (key != NULL || j->top_done) {
			j->err = -EINVAL;
			return false;
		}
		j->top_done = true;
		return true;
	}
	if (j->in_object[j->depth] != (key != NULL)) {
		j->err = -EINVAL;
		return false;
	}
	if (!j->first[j->depth]) {
		put(j, ",", 1);
	}
	j->first[j->depth] = false;
	if (key != NULL) {
		put_string(j, key);
		put(j, ":", 1);
	}
	return j->err == 0;
}

static void open_container(struct ctl_json *j, const char *key, bool object)
{
	if (!begin_value(j, key)) {
		return;
	}
	if (j->depth >= CTL_JSON_MAX_DEPTH) {
		j->err = -EINVAL;
		return;
	}
	j->depth++;
	j->in_object[j->depth] = object;
	j->first[j->depth] = true;
	put(j, object ? "{" : "[", 1);
}

static void close_container(struct ctl_json *j, bool object)
{
	if (j->err != 0) {
		return;
	}
	if (j->depth == 0 || j->in_object[j->depth] != object) {
		j->err = -EINVAL;
		return;
	}
	j->depth--;
	put(j, object ? "}" : "]", 1);
}

void ctl_json_object_begin(struct ctl_json *j, const char *key)
{
	open_container(j, key, true);
}

void ctl_json_object_end(struct ctl_json *j)
{
	close_container(j, true);
}

void ctl_json_array_begin(struct ctl_json *j, const char *key)
{
	open_container(j, key, false);
}

void ctl_json_array_end(struct ctl_json *j)
{
	close_container(j, false);
}

void ctl_json_string(struct ctl_json *j, const char *key, const char *v)
{
	if (!begin_value(j, key)) {
		return;
	}
	if (v == NULL) {
		puts_(j, "null");
		return;
	}
	put_string(j, v);
}

void ctl_json_u64(struct ctl_json *j, const char *key, uint64_t v)
{
	char num[24];

	if (!begin_value(j, key)) {
		return;
	}
	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	puts_(j, num);
}

void ctl_json_i64(struct ctl_json *j, const char *key, int64_t v)
{
	char num[24];

	if (!begin_value(j, key)) {
		return;
	}
	snprintf(num, sizeof(num), "%lld", (long long)v);
	puts_(j, num);
}

void ctl_json_bool(struct ctl_json *j, const char *key, bool v)
{
	if (!begin_value(j, key)) {
		return;
	}
	puts_(j, v ? "true" : "false");
}

void ctl_json_null(struct ctl_json *j, const char *key)
{
	if (!begin_value(j, key)) {
		return;
	}
	puts_(j, "null");
}

int ctl_json_finish(struct ctl_json *j, char **out, size_t *len)
{
	int rc = 0;

	*out = NULL;
	if (j->err == 0 && (j->depth != 0 || !j->top_done)) {
		j->err = -EINVAL;
	}
	put(j, "\n", 1);
	rc = j->err;
	if (rc == 0) {
		j->buf[j->len] = '\0';
		*out = talloc_steal(j->mem, j->buf);
		if (len != NULL) {
			*len = j->len;
		}
	}
	talloc_free(j);
	return rc;
}

/* ---- JSON reader ------------------------------------------------------ */

struct jparse {
	const char *start;
	const char *p;
	const char *end;
	int err;
};

static struct ctl_jv *parse_value(struct jparse *jp, TALLOC_CTX *mem,
				  unsigned depth);

static void skip_ws(struct jparse *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' ||
				   *jp->p == '\n' || *jp->p == '\r')) {
		jp->p++;
	}
}

static struct ctl_jv *bad(struct jparse *jp, struct ctl_jv *v, int err)
{
	if (jp->err == 0) {
		jp->err = err;
	}
	talloc_free(v);
	return NULL;
}

static bool literal(struct jparse *jp, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, word, n) != 0) {
		return false;
	}
	jp->p += n;
	return true;
}

/* Four hex digits after "\u". */
static int hex4(struct jparse *jp, uint32_t *v)
{
	uint32_t r = 0;
	int i = 0;

	if (jp->end - jp->p < 4) {
		return -1;
	}
	for (i = 0; i < 4; i++) {
		int h = hex_digit(jp->p[i]);

		if (h < 0) {
			return -1;
		}
		r = r << 4 | (uint32_t)h;
	}
	jp->p += 4;
	*v = r;
	return 0;
}

/* "\uXXXX" (and its low surrogate, if it is a high one). */
static int unicode_escape(struct jparse *jp, uint32_t *cp)
{
	uint32_t hi = 0, lo = 0;

	if (hex4(jp, &hi) != 0) {
		return -1;
	}
	if (hi >= 0xDC00 && hi <= 0xDFFF) {
		return -1;
	}
	if (hi >= 0xD800 && hi <= 0xDBFF) {
		if (jp->end - jp->p < 2 || jp->p[0] != '\\' ||
		    jp->p[1] != 'u') {
			return -1;
		}
		jp->p += 2;
		if (hex4(jp, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF) {
			return -1;
		}
		hi = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (hi == 0) {
		return -1;
	}
	*cp = hi;
	return 0;
}

/* The cursor is on the opening quote. Escapes never grow the text. */
static char *parse_string(struct jparse *jp, TALLOC_CTX *mem)
{
	const char *s = jp->p + 1;
	char *out = NULL;
	size_t o = 0;
	const char *q = s;

	while (q < jp->end && *q != '"') {
		q += *q == '\\' && q + 1 < jp->end ? 2 : 1;
	}
	if (q >= jp->end) {
		jp->err = -EINVAL;
		return NULL;
	}
	out = talloc_array(mem, char, (size_t)(q - s) + 1);
	if (out == NULL) {
		jp->err = -ENOMEM;
		return NULL;
	}
	jp->p = s;
	while (jp->p < jp->end && *jp->p != '"') {
		unsigned char c = (unsigned char)*jp->p;
		uint32_t cp = 0;
		size_t n = 0;

		if (c < 0x20) {
			goto invalid;
		}
		if (c != '\\') {
			n = utf8_decode((const unsigned char *)jp->p,
					(size_t)(jp->end - jp->p), &cp);
			if (n == 0) {
				goto invalid;
			}
			memcpy(out + o, jp->p, n);
			o += n;
			jp->p += n;
			continue;
		}
		if (jp->p + 1 >= jp->end) {
			goto invalid;
		}
		c = (unsigned char)jp->p[1];
		jp->p += 2;
		switch (c) {
		case '"': out[o++] = '"'; break;
		case '\\': out[o++] = '\\'; break;
		case '/': out[o++] = '/'; break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u':
			if (unicode_escape(jp, &cp) != 0) {
				goto invalid;
			}
			o += utf8_encode(cp, out + o);
			break;
		default:
			goto invalid;
		}
	}
	if (jp->p >= jp->end) {
		goto invalid;
	}
	jp->p++;	/* closing quote */
	out[o] = '\0';
	return out;
invalid:
	jp->err = -EINVAL;
	talloc_free(out);
	return NULL;
}

static struct ctl_jv *parse_number(struct jparse *jp, struct ctl_jv *v)
{
	const char *s = jp->p;
	const char *q = s;
	bool integral = true;
	bool overflow = false;
	uint64_t mag = 0;
	char *copy = NULL;

	if (q < jp->end && *q == '-') {
		q++;
	}
	if (q >= jp->end || *q < '0' || *q > '9') {
		return bad(jp, v, -EINVAL);
	}
	if (*q == '0') {
		q++;
	} else {
		while (q < jp->end && *q >= '0' && *q <= '9') {
			unsigned d = (unsigned)(*q - '0');

			if (mag > (UINT64_MAX - d) / 10) {
				overflow = true;
			} else {
				mag = mag * 10 + d;
			}
			q++;
		}
	}
	if (q < jp->end && *q == '.') {
		integral = false;
		q++;
		if (q >= jp->end || *q < '0' || *q > '9') {
			return bad(jp, v, -EINVAL);
		}
		while (q < jp->end && *q >= '0' && *q <= '9') {
			q++;
		}
	}
	if (q < jp->end && (*q == 'e' || *q == 'E')) {
		integral = false;
		q++;
		if (q < jp->end && (*q == '+' || *q == '-')) {
			q++;
		}
		if (q >= jp->end || *q < '0' || *q > '9') {
			return bad(jp, v, -EINVAL);
		}
		while (q < jp->end && *q >= '0' && *q <= '9') {
			q++;
		}
	}
	v->type = CTL_J_NUMBER;
	v->neg = *s == '-';
	v->is_int = integral && !overflow;
	v->mag = v->is_int ? mag : 0;
	if (v->is_int) {
		v->num = v->neg ? -(double)mag : (double)mag;
	} else {
		copy = talloc_strndup(v, s, (size_t)(q - s));
		if (copy == NULL) {
			return bad(jp, v, -ENOMEM);
		}
		v->num = strtod(copy, NULL);
		talloc_free(copy);
	}
	jp->p = q;
	return v;
}

/* Append (key, item) to an array or object value (capacity doubles). */
static int add_item(struct ctl_jv *v, char *key, struct ctl_jv *item)
{
	size_t cap = v->items != NULL ? talloc_array_length(v->items) : 0;

	if (v->n == cap) {
		struct ctl_jv **items = NULL;

		cap = cap < 4 ? 4 : cap * 2;
		/* keys first: the capacity is read from items */
		if (v->type == CTL_J_OBJECT) {
			char **keys = talloc_realloc(v, v->keys, char *, cap);

			if (keys == NULL) {
				return -ENOMEM;
			}
			v->keys = keys;
		}
		items = talloc_realloc(v, v->items, struct ctl_jv *, cap);
		if (items == NULL) {
			return -ENOMEM;
		}
		v->items = items;
	}
	if (v->type == CTL_J_OBJECT) {
		v->keys[v->n] = talloc_steal(v->keys, key);
	}
	v->items[v->n++] = talloc_steal(v->items, item);
	return 0;
}

static struct ctl_jv *parse_container(struct jparse *jp, struct ctl_jv *v,
				      unsigned depth)
{
	bool object = *jp->p == '{';
	char close = object ? '}' : ']';

	if (depth >= CTL_JSON_MAX_DEPTH) {
		return bad(jp, v, -EINVAL);
	}
	v->type = object ? CTL_J_OBJECT : CTL_J_ARRAY;
	jp->p++;
	skip_ws(jp);
	if (jp->p < jp->end && *jp->p == close) {
		jp->p++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct ctl_jv *item = NULL;

		skip_ws(jp);
		if (object) {
			if (jp->p >= jp->end || *jp->p != '"') {
				return bad(jp, v, -EINVAL);
			}
			key = parse_string(jp, v);
			if (key == NULL) {
				return bad(jp, v, jp->err);
			}
			skip_ws(jp);
			if (jp->p >= jp->end || *jp->p != ':') {
				return bad(jp, v, -EINVAL);
			}
			jp->p++;
		}
		item = parse_value(jp, v, depth + 1);
		if (item == NULL) {
			return bad(jp, v, jp->err);
		}
		if (add_item(v, key, item) != 0) {
			return bad(jp, v, -ENOMEM);
		}
		skip_ws(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			continue;
		}
		if (jp->p < jp->end && *jp->p == close) {
			jp->p++;
			return v;
		}
		return bad(jp, v, -EINVAL);
	}
}

static struct ctl_jv *parse_value(struct jparse *jp, TALLOC_CTX *mem,
				  unsigned depth)
{
	struct ctl_jv *v = NULL;

	skip_ws(jp);
	if (jp->p >= jp->end) {
		return bad(jp, NULL, -EINVAL);
	}
	v = talloc_zero(mem, struct ctl_jv);
	if (v == NULL) {
		return bad(jp, NULL, -ENOMEM);
	}
	switch (*jp->p) {
	case '{':
	case '[':
		return parse_container(jp, v, depth);
	case '"':
		v->type = CTL_J_STRING;
		v->str = parse_string(jp, v);
		return v->str != NULL ? v : bad(jp, v, jp->err);
	case 't':
		v->type = CTL_J_BOOL;
		v->b = true;
		return literal(jp, "true") ? v : bad(jp, v, -EINVAL);
	case 'f':
		v->type = CTL_J_BOOL;
		return literal(jp, "false") ? v : bad(jp, v, -EINVAL);
	case 'n':
		v->type = CTL_J_NULL;
		return literal(jp, "null") ? v : bad(jp, v, -EINVAL);
	default:
		return parse_number(jp, v);
	}
}

int ctl_json_parse(TALLOC_CTX *mem_ctx, const char *buf, size_t len,
		   struct ctl_jv **out, size_t *at)
{
	struct jparse jp = {
		.start = buf,
		.p = buf,
		.end = buf + len,
	};
	struct ctl_jv *v = parse_value(&jp, mem_ctx, 0);

	if (v != NULL) {
		skip_ws(&jp);
		if (jp.p != jp.end) {
			talloc_free(v);
			v = NULL;
			jp.err = -EINVAL;
		}
	}
	if (v == NULL) {
		if (at != NULL) {
			*at = (size_t)(jp.p - jp.start);
		}
		return jp.err != 0 ? jp.err : -EINVAL;
	}
	*out = v;
	return 0;
}

const struct ctl_jv *ctl_jv_get(const struct ctl_jv *v, const char *key)
{
	size_t i = 0;

	if (v == NULL || v->type != CTL_J_OBJECT) {
		return NULL;
	}
	for (i = 0; i < v->n; i++) {
		if (strcmp(v->keys[i], key) == 0) {
			return v->items[i];
		}
	}
	return NULL;
}

const struct ctl_jv *ctl_jv_at(const struct ctl_jv *v, size_t i)
{
	if (v == NULL || v->type != CTL_J_ARRAY || i >= v->n) {
		return NULL;
	}
	return v->items[i];
}

size_t ctl_jv_len(const struct ctl_jv *v)
{
	return v != NULL && v->type == CTL_J_ARRAY ? v->n : 0;
}

const char *ctl_jv_str(const struct ctl_jv *obj, const char *key,
		       const char *dflt)
{
	const struct ctl_jv *v = ctl_jv_get(obj, key);

	return v != NULL && v->type == CTL_J_STRING ? v->str : dflt;
}

uint64_t ctl_jv_u64(const struct ctl_jv *obj, const char *key, uint64_t dflt)
{
	const struct ctl_jv *v = ctl_jv_get(obj, key);

	if (v == NULL || v->type != CTL_J_NUMBER || !v->is_int ||
	    (v->neg && v->mag != 0)) {
		return dflt;
	}
	return v->mag;
}

int64_t ctl_jv_i64(const struct ctl_jv *obj, const char *key, int64_t dflt)
{
	const struct ctl_jv *v = ctl_jv_get(obj, key);

	if (v == NULL || v->type != CTL_J_NUMBER || !v->is_int) {
		return dflt;
	}
	if (v->neg) {
		if (v->mag > (uint64_t)INT64_MAX + 1) {
			return dflt;
		}
		return v->mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN :
		       -(int64_t)v->mag;
	}
	return v->mag > (uint64_t)INT64_MAX ? dflt : (int64_t)v->mag;
}

bool ctl_jv_bool(const struct ctl_jv *obj, const char *key, bool dflt)
{
	const struct ctl_jv *v = ctl_jv_get(obj, key);

	return v != NULL && v->type == CTL_J_BOOL ? v->b : dflt;
}
