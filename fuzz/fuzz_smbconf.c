/*
 * fuzz_smbconf.c - libFuzzer target: the smb.conf reader shared by wgsmbd
 * and wgnet (proto/smbconf.h) on arbitrary bytes.
 *
 * Properties checked (abort() on violation):
 *  - items come in file order, on lines that exist;
 *  - a header has no key and no value, an entry both; the section is
 *    NULL only before the first header;
 *  - keys are normalised: no upper-case ASCII, no tab, no run of spaces,
 *    no white space at either end; values and section names are trimmed;
 *  - nothing is longer than a logical line may be;
 *  - the result is 0 or a SMBCONF_E_* code with a line that exists, and
 *    it has a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/smbconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct state {
	int lines;		/* physical lines in the input */
	int last;		/* line of the previous item */
	int headers;
};

static int is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static void check_trimmed(const char *s)
{
	size_t n = strlen(s);

	if (n > SMBCONF_MAX_CHARS) {
		abort();
	}
	if (n > 0 && (is_space(s[0]) || is_space(s[n - 1]))) {
		abort();
	}
}

static int check_item(void *priv, const struct smbconf_item *it)
{
	struct state *st = priv;
	const char *k = NULL;

	if (it->line < 1 || it->line > st->lines || it->line < st->last) {
		abort();
	}
	st->last = it->line;
	if (it->key == NULL) {
		if (it->value != NULL || it->section == NULL) {
			abort();
		}
		st->headers++;
		check_trimmed(it->section);
		return 0;
	}
	if (it->value == NULL || (it->section == NULL) != (st->headers == 0)) {
		abort();
	}
	check_trimmed(it->key);
	check_trimmed(it->value);
	for (k = it->key; *k != '\0'; k++) {
		if ((*k >= 'A' && *k <= 'Z') || *k == '\t' ||
		    (k[0] == ' ' && k[1] == ' ')) {
			abort();
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state st = { .lines = 1 };
	int line = 0;
	int rc = 0;

	for (size_t i = 0; i + 1 < size; i++) {
		st.lines += data[i] == '\n';
	}
	rc = smbconf_parse((const char *)data, size, check_item, &st, &line);
	if (rc > 0 || rc < SMBCONF_E_SYNTAX) {
		abort();
	}
	if (rc < 0 && (line < 1 || line > st.lines)) {
		abort();
	}
	if (strcmp(smbconf_strerror(rc), "unknown error") == 0) {
		abort();
	}
	return 0;
}
