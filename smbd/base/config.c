/*
 * config.c - load and validate the smb.conf-style configuration file.
 *
 * Syntax: proto/smbconf.h, the reader wgnet uses too. In short:
 *   - "[section]" headers and "key = value" lines; '#' or ';' at the start
 *     of a line is a comment, and ';' after whitespace starts an inline
 *     comment. A UTF-8 byte order mark at the start is skipped.
 *   - Keys are case-insensitive. Spaces inside a key are significant
 *     word separators ("netbios name"); runs of blanks count as one.
 *     Values are trimmed.
 *   - Lines may be indented, as in most smb.conf files. A line ending in
 *     '\' continues on the next line.
 *   - A logical line may hold at most SMBCONF_MAX_CHARS characters;
 *     longer lines are an error, never truncated.
 * What the sections and keys mean is decided here and in config_keys.c:
 *   - [global] holds the server settings and may appear anywhere, more
 *     than once. Every other section is a share. IPC$ is always added.
 *   - Strict: an unknown key, a bad value, a key outside any section, a
 *     duplicate share or a user-defined [IPC$] is an error
 *     "FILE:LINE: reason" (LINE is where the logical line starts), and
 *     nothing is loaded. This catches typos that would otherwise
 *     silently change what is shared. The first error stops the load.
 */
#include "smbd/base/config_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <pwd.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <talloc.h>

#include "proto/smb2.h"
#include "proto/smbconf.h"

void cfg_fail_at(struct cfg_parse *p, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	if (p->err != NULL) {
		return;
	}
	va_start(ap, fmt);
	msg = talloc_vasprintf(p->tmp, fmt, ap);
	va_end(ap);
	if (msg == NULL) {
		p->err = talloc_strdup(p->tmp, "out of memory");
		return;
	}
	if (line > 0) {
		p->err = talloc_asprintf(p->tmp, "%s:%d: %s", p->path, line,
					 msg);
	} else {
		p->err = talloc_asprintf(p->tmp, "%s: %s", p->path, msg);
	}
	if (p->err == NULL) {
		p->err = talloc_strdup(p->tmp, "out of memory");
	}
	talloc_free(msg);
}

/* ---- sections ---- */

static bool share_name_ok(const char *name, size_t *nchars)
{
	const unsigned char *c = NULL;
	size_t n = 0;

	for (c = (const unsigned char *)name; *c != '\0'; c++) {
		if (*c < 0x20 || *c == 0x7f || strchr("\\/:*?\"<>|", *c)) {
			return false;
		}
		if ((*c & 0xC0) != 0x80) {
			n++;	/* count UTF-8 characters, not bytes */
		}
	}
	*nchars = n;
	return true;
}

static int add_share(struct cfg_parse *p, const char *name,
		     enum wg_share_type type, int line)
{
	struct wg_config *cfg = p->cfg;
	struct wg_share_cfg *shares = NULL;
	struct share_meta *meta = NULL;
	struct wg_share_cfg *sh = NULL;

	shares = talloc_realloc(cfg, cfg->shares, struct wg_share_cfg,
				cfg->nshares + 1);
	if (shares == NULL) {
		cfg_fail_at(p, line, "out of memory");
		return -1;
	}
	cfg->shares = shares;
	meta = talloc_realloc(p->tmp, p->meta, struct share_meta,
			      cfg->nshares + 1);
	if (meta == NULL) {
		cfg_fail_at(p, line, "out of memory");
		return -1;
	}
	p->meta = meta;
	p->meta[cfg->nshares] = (struct share_meta){ .line = line };
	sh = &cfg->shares[cfg->nshares];
	*sh = (struct wg_share_cfg){
		.type = type,
		.read_only = true,
		.oplocks = true,
		.durable_handles = true,
		.leases = true,
	};
	sh->name = talloc_strdup(cfg, name);
	sh->comment = talloc_strdup(cfg, "");
	if (sh->name == NULL || sh->comment == NULL) {
		cfg_fail_at(p, line, "out of memory");
		return -1;
	}
	cfg->nshares++;
	return 0;
}

static int section_begin(struct cfg_parse *p, const char *name, int line)
{
	size_t nchars = 0;
	size_t i = 0;

	TALLOC_FREE(p->section);
	p->where = CFG_NOWHERE;
	if (strcasecmp(name, "global") == 0) {
		p->where = CFG_GLOBAL;
		p->section = talloc_strdup(p->tmp, name);
		return 0;
	}
	if (name[0] == '\0') {
		cfg_fail_at(p, line, "empty section name");
		return -1;
	}
	if (!share_name_ok(name, &nchars)) {
		cfg_fail_at(p, line, "share name '%s' contains an invalid "
			    "character (\\/:*?\"<>| or a control character)",
			    name);
		return -1;
	}
	if (nchars > CFG_MAX_SHARE_NAME) {
		cfg_fail_at(p, line, "share name '%s' is longer than %d "
			    "characters", name, CFG_MAX_SHARE_NAME);
		return -1;
	}
	if (strcasecmp(name, "IPC$") == 0) {
		cfg_fail_at(p, line, "[%s] is built in and cannot be "
			    "configured", name);
		return -1;
	}
	for (i = 0; i < p->cfg->nshares; i++) {
		if (strcasecmp(p->cfg->shares[i].name, name) == 0) {
			cfg_fail_at(p, line, "duplicate share [%s] (first "
				    "defined at line %d)", name,
				    p->meta[i].line);
			return -1;
		}
	}
	if (add_share(p, name, WG_SHARE_DISK, line) != 0) {
		return -1;
	}
	p->where = CFG_SHARE;
	p->section = talloc_strdup(p->tmp, name);
	return 0;
}

/* ---- the reader's items ---- */

/* One section header or "key = value" from proto/smbconf; 0 or 1 (stop). */
static int cfg_item(void *priv, const struct smbconf_item *it)
{
	struct cfg_parse *p = priv;
	const struct cfg_key *keys = NULL;
	size_t i = 0;

	p->line = it->line;
	if (it->key == NULL) {
		return section_begin(p, it->section, it->line) == 0 ? 0 : 1;
	}
	switch (p->where) {
	case CFG_GLOBAL:
		keys = cfg_global_keys;
		break;
	case CFG_SHARE:
		keys = cfg_share_keys;
		break;
	case CFG_NOWHERE:
	default:
		cfg_fail(p, "key '%s' is outside any [section]", it->key);
		return 1;
	}
	for (i = 0; keys[i].name != NULL; i++) {
		if (strcmp(keys[i].name, it->key) == 0) {
			return keys[i].fn(p, it->key, it->value) == 0 ? 0 : 1;
		}
	}
	cfg_fail(p, "unknown key '%s' in [%s]", it->key, p->section);
	return 1;
}

/* ---- defaults and final checks ---- */

static char *default_netbios_name(TALLOC_CTX *mem_ctx)
{
	char host[256] = "";
	char name[CFG_MAX_NB_NAME + 1] = "";
	size_t i = 0;

	if (gethostname(host, sizeof(host) - 1) != 0) {
		host[0] = '\0';
	}
	for (i = 0; i < CFG_MAX_NB_NAME && host[i] != '\0' && host[i] != '.';
	     i++) {
		name[i] = cfg_nb_char_ok(host[i], false) ?
			(char)toupper((unsigned char)host[i]) : '_';
	}
	name[i] = '\0';
	if (name[0] == '\0') {
		return talloc_strdup(mem_ctx, "WGSMB");
	}
	return talloc_strdup(mem_ctx, name);
}

static int set_defaults(struct wg_config *cfg)
{
	cfg->netbios_name = default_netbios_name(cfg);
	cfg->workgroup = talloc_strdup(cfg, "WORKGROUP");
	cfg->listen_addresses = talloc_zero_array(cfg, char *, 3);
	if (cfg->listen_addresses != NULL) {
		cfg->listen_addresses[0] = talloc_strdup(cfg->listen_addresses,
							 "0.0.0.0");
		cfg->listen_addresses[1] = talloc_strdup(cfg->listen_addresses,
							 "::");
	}
	cfg->ports[0] = 445;
	cfg->ports[1] = 139;
	cfg->nports = 2;
	cfg->users_file = talloc_strdup(cfg, CFG_DEFAULT_USERS_FILE);
	cfg->state_dir = talloc_strdup(cfg, CFG_DEFAULT_STATE_DIR);
	cfg->run_as_user = talloc_strdup(cfg, WG_DEFAULT_RUN_AS_USER);
	cfg->log_level = CFG_DEFAULT_LOG_LEVEL;
	cfg->log_classes = talloc_strdup(cfg, "");
	cfg->signing_mandatory = false;
	cfg->min_protocol = SMB2_DIALECT_202;
	cfg->max_protocol = SMB2_DIALECT_311;
	cfg->map_to_guest = WG_GUEST_NEVER;
	cfg->ntlmv1_permitted = false;
	cfg->nbns = false;
	cfg->nbns_port = 137;
	cfg->guest_account = talloc_strdup(cfg, "nobody");
	cfg->admin_users = talloc_strdup(cfg, "");
	cfg->admin_group = talloc_strdup(cfg, "");
	cfg->max_opens_per_session = SMBD_MAX_OPENS_PER_CONN;
	cfg->mdns = true;
	cfg->wsd = true;
	cfg->max_sessions_per_conn = 64;
	cfg->max_sessions_in_progress = 8;
	cfg->max_tree_connects = 1024;
	cfg->max_locks_per_open = 1024;
	cfg->max_pending_notifies = 256;
	cfg->max_dir_memory = 16u * 1024 * 1024;
	cfg->max_reply_backlog = 8u * 1024 * 1024;
	cfg->write_splice_pipes = SMBD_SPLICE_PIPES_DEFAULT;
	cfg->sm.edition = SM_EDITION_WORKSTATION;
	cfg->edition = "workstation";
	cfg->max_sessions = -1;
	cfg->sm.accounting = SM_ACCT_WINDOWS;
	cfg->session_accounting = "windows";
	cfg->sm.cap_policy = SM_CAP_REFUSE;
	cfg->cap_policy = "refuse";
	cfg->restrict_anonymous = 0;
	cfg->everyone_includes_anonymous = false;
	cfg->autodisconnect_ms = 15 * 60 * 1000;
	cfg->null_session_timeout_ms = 60 * 1000;
	cfg->spoolss_handle_timeout_ms = 5 * 60 * 1000;
	cfg->auth_timeout_ms = 30 * 1000;
	cfg->linger_timeout_ms = 10 * 1000;
	cfg->oplock_break_timeout_ms = 35 * 1000;	/* as Windows */
	cfg->durable_timeout_ms = 300 * 1000;	/* as Samba; smbtorture expects it */
	cfg->streams_sweep_ms = 3600 * 1000;
	cfg->server_threads = 0;	/* one loop per CPU, at most 8 */

	if (cfg->netbios_name == NULL || cfg->workgroup == NULL ||
	    cfg->listen_addresses == NULL ||
	    cfg->listen_addresses[0] == NULL ||
	    cfg->listen_addresses[1] == NULL || cfg->users_file == NULL ||
	    cfg->state_dir == NULL || cfg->run_as_user == NULL ||
	    cfg->log_classes == NULL || cfg->guest_account == NULL ||
	    cfg->admin_users == NULL || cfg->admin_group == NULL) {
		return -1;
	}
	return 0;
}

/* Default "<state directory>/wgsmbd.sock"; must fit a sockaddr_un. */
static int final_control_socket(struct cfg_parse *p)
{
	struct wg_config *cfg = p->cfg;
	const size_t max = sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1;

	if (cfg->control_socket == NULL) {
		cfg->control_socket = talloc_asprintf(cfg, "%s/wgsmbd.sock",
						      cfg->state_dir);
		if (cfg->control_socket == NULL) {
			cfg_fail_at(p, 0, "out of memory");
			return -1;
		}
	}
	if (strlen(cfg->control_socket) > max) {
		cfg_fail_at(p, p->control_socket_line, "control socket '%s' "
			    "is longer than %zu bytes (a Unix socket path "
			    "limit)%s", cfg->control_socket, max,
			    p->control_socket_line == 0 ? "; set 'control "
			    "socket' to a shorter path" : "");
		return -1;
	}
	return 0;
}

static int final_checks(struct cfg_parse *p)
{
	struct wg_config *cfg = p->cfg;
	struct wg_share_cfg *ipc = NULL;
	size_t i = 0;

	if (cfg->min_protocol > cfg->max_protocol) {
		int line = p->min_proto_line > p->max_proto_line ?
			p->min_proto_line : p->max_proto_line;

		cfg_fail_at(p, line, "server min protocol %s is above server "
			    "max protocol %s",
			    smb2_dialect_name(cfg->min_protocol),
			    smb2_dialect_name(cfg->max_protocol));
		return -1;
	}
	for (i = 0; i < cfg->nshares; i++) {
		struct wg_share_cfg *sh = &cfg->shares[i];
		struct share_meta *m = &p->meta[i];

		if (sh->path == NULL) {
			cfg_fail_at(p, m->line, "share [%s] has no 'path'",
				    sh->name);
			return -1;
		}
		if (sh->print_command != NULL && sh->type != WG_SHARE_PRINT) {
			cfg_fail_at(p, m->print_command_line, "'print command' "
				    "in [%s], which is not printable",
				    sh->name);
			return -1;
		}
		if (!m->guest_ok_set) {
			sh->guest_ok = p->global_guest_ok;
		}
	}
	if (final_control_socket(p) != 0) {
		return -1;
	}
	if (add_share(p, "IPC$", WG_SHARE_IPC, 0) != 0) {
		return -1;
	}
	ipc = &cfg->shares[cfg->nshares - 1];
	ipc->path = talloc_strdup(cfg, "");
	talloc_free(ipc->comment);
	ipc->comment = talloc_strdup(cfg, "IPC Service");
	/* Null sessions reach IPC$; restrict anonymous decides the rest. */
	ipc->guest_ok = true;
	if (ipc->path == NULL || ipc->comment == NULL) {
		cfg_fail_at(p, 0, "out of memory");
		return -1;
	}
	return 0;
}

/* The whole of an open file as a talloc child of p->tmp; 0 or -1. */
static int read_all(struct cfg_parse *p, FILE *fp, off_t hint, char **out,
		    size_t *len)
{
	size_t cap = hint > 0 ? (size_t)hint + 1 : 4096;
	char *buf = talloc_array(p->tmp, char, cap);
	size_t n = 0;

	while (buf != NULL) {
		n += fread(buf + n, 1, cap - n, fp);
		if (n < cap) {
			break;
		}
		cap *= 2;
		buf = talloc_realloc(p->tmp, buf, char, cap);
	}
	if (buf == NULL) {
		cfg_fail_at(p, 0, "out of memory");
		return -1;
	}
	if (ferror(fp)) {
		cfg_fail_at(p, 0, "read error: %s", strerror(errno));
		talloc_free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int cfg_parse_file(struct cfg_parse *p)
{
	struct stat st = {};
	FILE *fp = NULL;
	char *text = NULL;
	size_t len = 0;
	int line = 0;
	int rc = -1;

	fp = fopen(p->path, "re");
	if (fp == NULL) {
		cfg_fail_at(p, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &st) != 0) {
		cfg_fail_at(p, 0, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		cfg_fail_at(p, 0, "not a regular file");
		goto out;
	}
	if (read_all(p, fp, st.st_size, &text, &len) != 0) {
		goto out;
	}
	rc = smbconf_parse(text, len, cfg_item, p, &line);
	if (rc < 0) {
		cfg_fail_at(p, line, "%s", smbconf_strerror(rc));
	} else if (rc > 0) {
		/* a handler stopped the parse; it has said why */
		cfg_fail_at(p, line, "invalid setting");
	}
	if (rc != 0 || p->err != NULL) {
		rc = -1;
		goto out;
	}
	rc = final_checks(p);
out:
	talloc_free(text);
	fclose(fp);
	return rc;
}

struct wg_config *wg_config_load(void *mem_ctx, const char *path, char **err)
{
	struct cfg_parse p = {};
	struct wg_config *ret = NULL;

	if (err != NULL) {
		*err = NULL;
	}
	p.tmp = talloc_new(NULL);
	if (p.tmp == NULL) {
		return NULL;
	}
	p.path = path;
	p.cfg = talloc_zero(p.tmp, struct wg_config);
	if (p.cfg == NULL || set_defaults(p.cfg) != 0) {
		cfg_fail_at(&p, 0, "out of memory");
		goto out;
	}
	p.cfg->path = talloc_strdup(p.cfg, path);
	if (p.cfg->path == NULL) {
		cfg_fail_at(&p, 0, "out of memory");
		goto out;
	}
	if (cfg_parse_file(&p) != 0) {
		goto out;
	}
	ret = talloc_steal(mem_ctx, p.cfg);
out:
	if (ret == NULL && err != NULL && p.err != NULL) {
		*err = talloc_steal(mem_ctx, p.err);
	}
	talloc_free(p.tmp);
	return ret;
}

int wg_config_check_system(const struct wg_config *cfg, void *mem_ctx,
			   char **err)
{
	if (getpwnam(cfg->guest_account) == NULL) {
		*err = talloc_asprintf(mem_ctx, "%s: guest account '%s' is "
				       "not a user on this system",
				       cfg->path, cfg->guest_account);
		return -1;
	}
	return 0;
}

const struct wg_share_cfg *wg_config_find_share(const struct wg_config *cfg,
						const char *name)
{
	size_t i = 0;

	if (cfg == NULL || name == NULL) {
		return NULL;
	}
	for (i = 0; i < cfg->nshares; i++) {
		if (strcasecmp(cfg->shares[i].name, name) == 0) {
			return &cfg->shares[i];
		}
	}
	return NULL;
}
