/*
 * wgnet_common.c - what every part of wgnet uses: messages and the
 * config lookup (users file, state directory, control socket).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>
#include <talloc.h>

#include "tools/wgnet_common.h"

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("wgnet: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- configuration ---------------------------------------------------- */

/*
 * The config is read with libinih, fed by our own line reader: the
 * packaged libinih takes an indented line as the continuation of the
 * previous value, while smb.conf files are usually indented. The reader
 * strips leading blanks and joins lines ending in '\\', like the daemon's
 * loader, and remembers where each logical line started for messages.
 */
struct config_stream {
	TALLOC_CTX *mem;
	FILE *f;
	char *buf;		/* getline() buffer (malloc) */
	size_t cap;
	int phys;		/* physical lines read */
	int *start;		/* physical line of each logical one */
	int nlogical;
	bool too_long;
	bool oom;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* One physical line without its line end, or NULL at EOF/error. */
static char *read_physical(struct config_stream *cs)
{
	ssize_t n = getline(&cs->buf, &cs->cap, cs->f);

	if (n < 0) {
		return NULL;
	}
	cs->phys++;
	while (n > 0 && (cs->buf[n - 1] == '\n' || cs->buf[n - 1] == '\r')) {
		cs->buf[--n] = '\0';
	}
	return cs->buf;
}

static char *config_reader(char *out, int size, void *stream)
{
	struct config_stream *cs = stream;
	char *line = read_physical(cs);
	char *joined = NULL;
	char *p = NULL;
	int *start = NULL;
	size_t len = 0;

	if (line == NULL || cs->too_long || cs->oom) {
		return NULL;
	}
	start = talloc_realloc(cs->mem, cs->start, int, cs->nlogical + 1);
	if (start == NULL) {
		cs->oom = true;
		return NULL;
	}
	cs->start = start;
	cs->start[cs->nlogical++] = cs->phys;
	joined = talloc_strdup(cs->mem, line);
	if (joined == NULL) {
		cs->oom = true;
		return NULL;
	}
	len = strlen(joined);
	while (joined != NULL && len > 0 && joined[len - 1] == '\\') {
		joined[--len] = '\0';
		line = read_physical(cs);
		if (line == NULL) {
			break;
		}
		joined = talloc_strdup_append(joined, line);
		len = joined != NULL ? strlen(joined) : 0;
	}
	if (joined == NULL) {
		cs->oom = true;
		return NULL;
	}
	p = joined;
	while (is_blank(*p)) {
		p++;
	}
	if (strlen(p) + 1 > (size_t)size) {
		cs->too_long = true;
		talloc_free(joined);
		return NULL;
	}
	strcpy(out, p);
	talloc_free(joined);
	return out;
}

/* Keys ignore case, and runs of blanks count as one ("users  file"). */
static bool key_eq(const char *key, const char *want)
{
	while (*key != '\0' && *want != '\0') {
		if (is_blank(*key) && *want == ' ') {
			while (is_blank(*key)) {
				key++;
			}
			want++;
			continue;
		}
		if ((*key | 0x20) != (*want | 0x20)) {
			return false;
		}
		key++;
		want++;
	}
	return *key == '\0' && *want == '\0';
}

static int config_handler(void *user, const char *section, const char *name,
			  const char *value)
{
	struct wgnet *ctx = user;
	char **slot = NULL;

	if (strcasecmp(section, "global") != 0) {
		return 1;
	}
	if (key_eq(name, "users file")) {
		slot = &ctx->users_file;
	} else if (key_eq(name, "state directory")) {
		slot = &ctx->state_dir;
	} else if (key_eq(name, "control socket") && !ctx->socket_given) {
		slot = &ctx->control_socket;
	} else {
		return 1;
	}
	talloc_free(*slot);
	*slot = talloc_strdup(ctx->mem, value);
	return *slot != NULL;
}

/* Parse an open config file; WGNET_OK or WGNET_ERR (message printed). */
static int config_parse(struct wgnet *ctx, FILE *f)
{
	struct config_stream cs = {
		.mem = talloc_new(ctx->mem),
		.f = f,
	};
	int rc = 0;
	int ret = WGNET_ERR;

	if (cs.mem == NULL) {
		err_msg("out of memory");
		return WGNET_ERR;
	}
	rc = ini_parse_stream(config_reader, &cs, config_handler, ctx);
	if (cs.too_long) {
		err_msg("%s:%d: line too long", ctx->config_path, cs.phys);
	} else if (ferror(f)) {
		err_msg("cannot read config %s: %s", ctx->config_path,
			strerror(errno));
	} else if (rc > 0) {
		err_msg("%s:%d: syntax error", ctx->config_path,
			rc <= cs.nlogical ? cs.start[rc - 1] : rc);
	} else if (rc != 0 || cs.oom) {
		err_msg("cannot parse config %s: %s", ctx->config_path,
			strerror(ENOMEM));
	} else {
		ret = WGNET_OK;
	}
	free(cs.buf);
	talloc_free(cs.mem);
	return ret;
}

int config_load(struct wgnet *ctx)
{
	FILE *f = NULL;
	int rc = 0;

	if (ctx->users_file != NULL) {
		return WGNET_OK;	/* already read */
	}
	f = fopen(ctx->config_path, "re");
	if (f == NULL) {
		if (errno == ENOENT && !ctx->config_given) {
			goto defaults;
		}
		err_msg("cannot read config %s: %s", ctx->config_path,
			strerror(errno));
		return WGNET_ERR;
	}
	rc = config_parse(ctx, f);
	fclose(f);
	if (rc != WGNET_OK) {
		return rc;
	}
	if (ctx->users_file != NULL && ctx->users_file[0] != '/') {
		err_msg("%s: \"users file\" must be an absolute path",
			ctx->config_path);
		return WGNET_ERR;
	}

defaults:
	if (ctx->users_file == NULL) {
		ctx->users_file = talloc_strdup(ctx->mem, WGNET_DEFAULT_USERS);
	}
	if (ctx->state_dir == NULL) {
		ctx->state_dir = talloc_strdup(ctx->mem,
					       WGNET_DEFAULT_STATE_DIR);
	}
	if (ctx->control_socket == NULL && ctx->state_dir != NULL) {
		ctx->control_socket = talloc_asprintf(ctx->mem, "%s/%s",
						      ctx->state_dir,
						      WGNET_SOCKET_NAME);
	}
	if (ctx->users_file == NULL || ctx->control_socket == NULL) {
		err_msg("out of memory");
		return WGNET_ERR;
	}
	return WGNET_OK;
}
