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

#include <talloc.h>

#include "proto/smbconf.h"
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
 * The config is read with proto/smbconf, the reader wgsmbd uses, so any
 * file the daemon accepts reads the same here. Only three keys of
 * [global] matter to wgnet; every other section and key is left to the
 * daemon to judge.
 */
static int config_item(void *priv, const struct smbconf_item *it)
{
	struct wgnet *ctx = priv;
	char **slot = NULL;

	if (it->key == NULL || it->section == NULL ||
	    strcasecmp(it->section, "global") != 0) {
		return 0;
	}
	if (strcmp(it->key, "users file") == 0) {
		slot = &ctx->users_file;
	} else if (strcmp(it->key, "state directory") == 0) {
		slot = &ctx->state_dir;
	} else if (strcmp(it->key, "control socket") == 0 &&
		   !ctx->socket_given) {
		slot = &ctx->control_socket;
	} else {
		return 0;
	}
	talloc_free(*slot);
	*slot = talloc_strdup(ctx->mem, it->value);
	return *slot != NULL ? 0 : 1;
}

/* The whole of an open file (talloc child of mem) in *out; 0 or -errno. */
static int read_all(TALLOC_CTX *mem, FILE *f, char **out, size_t *len)
{
	size_t cap = 4096;
	char *buf = talloc_array(mem, char, cap);
	size_t n = 0;

	while (buf != NULL) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap) {
			break;
		}
		cap *= 2;
		buf = talloc_realloc(mem, buf, char, cap);
	}
	if (buf == NULL) {
		return -ENOMEM;
	}
	if (ferror(f)) {
		talloc_free(buf);
		return -(errno != 0 ? errno : EIO);
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Parse an open config file; WGNET_OK or WGNET_ERR (message printed). */
static int config_parse(struct wgnet *ctx, FILE *f)
{
	char *text = NULL;
	size_t len = 0;
	int line = 0;
	int rc = read_all(ctx->mem, f, &text, &len);

	if (rc != 0) {
		err_msg("cannot read config %s: %s", ctx->config_path,
			strerror(-rc));
		return WGNET_ERR;
	}
	rc = smbconf_parse(text, len, config_item, ctx, &line);
	talloc_free(text);
	if (rc < 0) {
		err_msg("%s:%d: %s", ctx->config_path, line,
			smbconf_strerror(rc));
		return WGNET_ERR;
	}
	if (rc > 0) {
		err_msg("out of memory");
		return WGNET_ERR;
	}
	return WGNET_OK;
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
