/*
 * config.c - load and validate the smb.conf-style configuration file.
 *
 * Format (parsed with libinih through ini_parse_stream()):
 *   - "[section]" headers and "key = value" lines; '#' or ';' at the start
 *     of a line is a comment, and ';' after whitespace starts an inline
 *     comment.
 *   - Keys are case-insensitive. Spaces inside a key are significant
 *     word separators ("netbios name"); runs of blanks count as one.
 *     Values are trimmed.
 *   - Lines may be indented, as in most smb.conf files. A line ending in
 *     '\' continues on the next line.
 *   - A logical line may hold at most WG_CONFIG_MAX_LINE - 1 characters
 *     (libinih's line buffer); longer lines are an error, never truncated.
 *   - [global] holds the server settings and may appear anywhere, more
 *     than once. Every other section is a share. IPC$ is always added.
 *   - Strict: an unknown key, a bad value, a key outside any section, a
 *     duplicate share or a user-defined [IPC$] is an error
 *     "FILE:LINE: reason", and nothing is loaded. This catches typos
 *     that would otherwise silently change what is shared.
 *
 * Why ini_parse_stream() with our own line reader rather than ini_parse():
 * libinih (as packaged) treats an indented line as the continuation of
 * the previous value, and cuts section names at 50 bytes. The reader
 * strips leading blanks, joins '\' continuations, tracks the section
 * itself (so empty sections and long share names are seen), and keeps
 * physical line numbers for messages.
 */
#include "config.h"
#include "smbd.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ini.h>
#include <talloc.h>

#include "../proto/smb2.h"

#define WG_CONFIG_MAX_LINE	INI_MAX_LINE
#define CFG_MAX_SHARE_NAME	80	/* characters */
#define CFG_MAX_NB_NAME		15
#define CFG_MAX_LISTEN		32
#define CFG_MAX_SESSIONS	1000000L

#define CFG_DEFAULT_USERS_FILE	"/var/lib/wgsmb/users"
#define CFG_DEFAULT_STATE_DIR	"/var/lib/wgsmb"
#define CFG_DEFAULT_LOG_LEVEL	WG_LOG_NOTICE

/* Parse-time facts about one share, parallel to cfg->shares. */
struct share_meta {
	int line;		/* its [header] */
	bool guest_ok_set;
	int print_command_line;	/* 0 if not set */
};

enum cfg_where {
	CFG_NOWHERE = 0,	/* before the first section */
	CFG_GLOBAL,
	CFG_SHARE,
};

struct cfg_parse {
	TALLOC_CTX *tmp;
	struct wg_config *cfg;
	const char *path;
	FILE *fp;
	char *buf;		/* getline() buffer (malloc) */
	size_t bufsize;
	int phys_line;		/* last physical line read */
	int line;		/* first physical line of the logical line */
	int *logical_lines;	/* inih line number -> physical line */
	size_t nlogical;
	bool read_error;
	enum cfg_where where;
	char *section;
	struct share_meta *meta;
	int min_proto_line;
	int max_proto_line;
	int control_socket_line;
	bool global_guest_ok;
	char *err;		/* first error, "FILE:LINE: reason" */
};

static void cfg_fail_at(struct cfg_parse *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cfg_fail_at(struct cfg_parse *p, int line, const char *fmt, ...)
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

#define cfg_fail(p, ...) cfg_fail_at((p), (p)->line, __VA_ARGS__)

/* ---- small value parsers ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char *trim(char *s)
{
	size_t n = 0;

	while (is_blank(*s)) {
		s++;
	}
	n = strlen(s);
	while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r' ||
			 s[n - 1] == '\n')) {
		s[--n] = '\0';
	}
	return s;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "1", "on" };
	static const char *const no[] = { "no", "false", "0", "off" };
	size_t i = 0;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* A whole decimal number in [min, max]; no sign, blanks or suffix. */
static int parse_long(const char *v, long min, long max, long *out)
{
	char *end = NULL;
	long n = 0;

	if (v[0] == '\0' || !(isdigit((unsigned char)v[0]) ||
			      (v[0] == '-' && isdigit((unsigned char)v[1])))) {
		return -1;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max) {
		return -1;
	}
	*out = n;
	return 0;
}

static bool all_digits(const char *v)
{
	if (*v == '\0') {
		return false;
	}
	for (; *v != '\0'; v++) {
		if (!isdigit((unsigned char)*v)) {
			return false;
		}
	}
	return true;
}

int wg_parse_duration_ms(const char *s, uint32_t *ms)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = {
		{ "", 1000 },
		{ "ms", 1 },
		{ "s", 1000 },
		{ "m", 60 * 1000 },
		{ "h", 60 * 60 * 1000 },
		{ "d", 24 * 60 * 60 * 1000 },
	};
	unsigned long long n = 0;
	char *end = NULL;
	size_t ulen = 0;
	size_t i = 0;

	if (s == NULL || ms == NULL) {
		return -1;
	}
	while (is_blank(*s)) {
		s++;
	}
	if (!isdigit((unsigned char)*s)) {
		return -1;
	}
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0) {
		return -1;
	}
	while (is_blank(*end)) {
		end++;
	}
	ulen = strlen(end);
	while (ulen > 0 && is_blank(end[ulen - 1])) {
		ulen--;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strlen(units[i].unit) != ulen ||
		    strncasecmp(end, units[i].unit, ulen) != 0) {
			continue;
		}
		if (n > UINT32_MAX / units[i].mult) {
			return -1;
		}
		*ms = (uint32_t)(n * units[i].mult);
		return 0;
	}
	return -1;
}

/*
 * Split a space/comma separated list into a NULL-terminated array
 * (talloc child of mem_ctx). An empty list gives an array with just NULL.
 */
static char **split_list(TALLOC_CTX *mem_ctx, const char *v, size_t *count)
{
	char **list = talloc_zero_array(mem_ctx, char *, 1);
	size_t n = 0;

	if (list == NULL) {
		return NULL;
	}
	while (*v != '\0') {
		size_t len = 0;
		char **grown = NULL;

		while (*v == ',' || is_blank(*v)) {
			v++;
		}
		len = strcspn(v, ", \t");
		if (len == 0) {
			break;
		}
		grown = talloc_realloc(mem_ctx, list, char *, n + 2);
		if (grown == NULL) {
			talloc_free(list);
			return NULL;
		}
		list = grown;
		list[n] = talloc_strndup(list, v, len);
		if (list[n] == NULL) {
			talloc_free(list);
			return NULL;
		}
		list[++n] = NULL;
		v += len;
	}
	if (count != NULL) {
		*count = n;
	}
	return list;
}

/* ---- [global] keys ---- */

static bool nb_char_ok(char c, bool allow_space)
{
	if ((unsigned char)c < 0x21 || (unsigned char)c > 0x7e) {
		return allow_space && c == ' ';
	}
	return strchr("\\/:*?\"<>|", c) == NULL;
}

/* NetBIOS-style names: 1-15 printable ASCII, stored upper case. */
static int set_nb_name(struct cfg_parse *p, const char *key, const char *v,
		       bool allow_space, char **out)
{
	size_t n = strlen(v);
	size_t i = 0;
	char *s = NULL;

	if (n == 0 || n > CFG_MAX_NB_NAME) {
		cfg_fail(p, "%s '%s' must be 1 to %d characters", key, v,
			 CFG_MAX_NB_NAME);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!nb_char_ok(v[i], allow_space)) {
			cfg_fail(p, "%s '%s' contains an invalid character "
				 "(printable ASCII only; none of "
				 "%s\\/:*?\"<>|)", key, v,
				 allow_space ? "" : "blanks or ");
			return -1;
		}
	}
	s = talloc_strdup(p->cfg, v);
	if (s == NULL) {
		cfg_fail(p, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		s[i] = (char)toupper((unsigned char)s[i]);
	}
	talloc_free(*out);
	*out = s;
	return 0;
}

static int g_netbios_name(struct cfg_parse *p, const char *key, const char *v)
{
	return set_nb_name(p, key, v, false, &p->cfg->netbios_name);
}

static int g_workgroup(struct cfg_parse *p, const char *key, const char *v)
{
	return set_nb_name(p, key, v, true, &p->cfg->workgroup);
}

static int g_listen_addresses(struct cfg_parse *p, const char *key,
			      const char *v)
{
	struct in6_addr a6 = {};
	struct in_addr a4 = {};
	char **list = NULL;
	size_t n = 0;
	size_t i = 0;

	list = split_list(p->cfg, v, &n);
	if (list == NULL) {
		cfg_fail(p, "out of memory");
		return -1;
	}
	if (n == 0 || n > CFG_MAX_LISTEN) {
		cfg_fail(p, "%s needs 1 to %d addresses", key, CFG_MAX_LISTEN);
		talloc_free(list);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (inet_pton(AF_INET, list[i], &a4) != 1 &&
		    inet_pton(AF_INET6, list[i], &a6) != 1) {
			cfg_fail(p, "%s: '%s' is not an IPv4 or IPv6 address",
				 key, list[i]);
			talloc_free(list);
			return -1;
		}
	}
	talloc_free(p->cfg->listen_addresses);
	p->cfg->listen_addresses = list;
	return 0;
}

static int g_smb_ports(struct cfg_parse *p, const char *key, const char *v)
{
	const size_t max = sizeof(p->cfg->ports) / sizeof(p->cfg->ports[0]);
	uint16_t ports[sizeof(p->cfg->ports) / sizeof(p->cfg->ports[0])];
	char **list = NULL;
	size_t n = 0;
	size_t i = 0, j = 0;
	int rc = -1;

	list = split_list(p->tmp, v, &n);
	if (list == NULL) {
		cfg_fail(p, "out of memory");
		return -1;
	}
	if (n == 0 || n > max) {
		cfg_fail(p, "%s needs 1 to %zu ports", key, max);
		goto out;
	}
	for (i = 0; i < n; i++) {
		long port = 0;

		if (parse_long(list[i], 1, 65535, &port) != 0) {
			cfg_fail(p, "%s: '%s' is not a port (1-65535)", key,
				 list[i]);
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (ports[j] == port) {
				cfg_fail(p, "%s: port %ld is listed twice",
					 key, port);
				goto out;
			}
		}
		ports[i] = (uint16_t)port;
	}
	memcpy(p->cfg->ports, ports, n * sizeof(ports[0]));
	p->cfg->nports = n;
	rc = 0;
out:
	talloc_free(list);
	return rc;
}

static int set_abs_path(struct cfg_parse *p, const char *key, const char *v,
			TALLOC_CTX *mem_ctx, char **out)
{
	char *s = NULL;
	size_t n = 0;

	if (v[0] != '/') {
		cfg_fail(p, "%s '%s' must be an absolute path", key, v);
		return -1;
	}
	s = talloc_strdup(mem_ctx, v);
	if (s == NULL) {
		cfg_fail(p, "out of memory");
		return -1;
	}
	/* "/srv/share/" and "/srv/share" are the same directory. */
	n = strlen(s);
	while (n > 1 && s[n - 1] == '/') {
		s[--n] = '\0';
	}
	talloc_free(*out);
	*out = s;
	return 0;
}

static int g_users_file(struct cfg_parse *p, const char *key, const char *v)
{
	return set_abs_path(p, key, v, p->cfg, &p->cfg->users_file);
}

static int g_state_directory(struct cfg_parse *p, const char *key,
			     const char *v)
{
	return set_abs_path(p, key, v, p->cfg, &p->cfg->state_dir);
}

static int set_user_name(struct cfg_parse *p, const char *key, const char *v,
			 char **out)
{
	const char *c = NULL;
	char *s = NULL;

	if (v[0] == '\0') {
		cfg_fail(p, "%s must not be empty", key);
		return -1;
	}
	for (c = v; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x21 || *c == ':' || *c == '/') {
			cfg_fail(p, "%s '%s' is not a valid user name", key,
				 v);
			return -1;
		}
	}
	s = talloc_strdup(p->cfg, v);
	if (s == NULL) {
		cfg_fail(p, "out of memory");
		return -1;
	}
	talloc_free(*out);
	*out = s;
	return 0;
}

static int g_run_as_user(struct cfg_parse *p, const char *key, const char *v)
{
	return set_user_name(p, key, v, &p->cfg->run_as_user);
}

static int g_guest_account(struct cfg_parse *p, const char *key,
			   const char *v)
{
	return set_user_name(p, key, v, &p->cfg->guest_account);
}

static const char *const log_class_names[] = {
	"gen", "conn", "auth", "sess", "pipe", "proto", "vfs", "all",
};

static bool log_class_known(const char *name, size_t len)
{
	size_t i = 0;

	for (i = 0; i < sizeof(log_class_names) / sizeof(log_class_names[0]);
	     i++) {
		if (strlen(log_class_names[i]) == len &&
		    strncasecmp(log_class_names[i], name, len) == 0) {
			return true;
		}
	}
	return false;
}

/* Samba levels are 0-10; ours stop at WG_LOG_DEBUG. */
static int clamp_level(long level)
{
	return level > WG_LOG_DEBUG ? WG_LOG_DEBUG : (int)level;
}

/* "2" or "2 auth:4 conn:3" (the first plain number is the base level). */
static int g_log_level(struct cfg_parse *p, const char *key, const char *v)
{
	char **list = NULL;
	char *classes = NULL;
	int base = CFG_DEFAULT_LOG_LEVEL;
	bool have_base = false;
	size_t n = 0;
	size_t i = 0;
	int rc = -1;

	list = split_list(p->tmp, v, &n);
	classes = talloc_strdup(p->tmp, "");
	if (list == NULL || classes == NULL) {
		cfg_fail(p, "out of memory");
		goto out;
	}
	if (n == 0) {
		cfg_fail(p, "%s must not be empty", key);
		goto out;
	}
	for (i = 0; i < n; i++) {
		char *colon = strchr(list[i], ':');
		long level = 0;

		if (colon == NULL) {
			if (have_base || i != 0 ||
			    parse_long(list[i], 0, 10, &level) != 0) {
				cfg_fail(p, "%s: '%s' is not a level 0-10 "
					 "(or class:level)", key, list[i]);
				goto out;
			}
			base = clamp_level(level);
			have_base = true;
			continue;
		}
		if (!log_class_known(list[i], (size_t)(colon - list[i]))) {
			cfg_fail(p, "%s: unknown debug class '%.*s' (known: "
				 "gen conn auth sess pipe proto vfs all)",
				 key, (int)(colon - list[i]), list[i]);
			goto out;
		}
		if (parse_long(colon + 1, 0, 10, &level) != 0) {
			cfg_fail(p, "%s: '%s' needs a level 0-10 after ':'",
				 key, list[i]);
			goto out;
		}
		classes = talloc_asprintf_append(classes, "%s%.*s:%d",
						 classes[0] != '\0' ? " " : "",
						 (int)(colon - list[i]),
						 list[i], clamp_level(level));
		if (classes == NULL) {
			cfg_fail(p, "out of memory");
			goto out;
		}
	}
	for (i = 0; classes[i] != '\0'; i++) {
		classes[i] = (char)tolower((unsigned char)classes[i]);
	}
	p->cfg->log_level = base;
	talloc_free(p->cfg->log_classes);
	p->cfg->log_classes = talloc_steal(p->cfg, classes);
	classes = NULL;
	rc = 0;
out:
	talloc_free(list);
	talloc_free(classes);
	return rc;
}

static int g_server_signing(struct cfg_parse *p, const char *key,
			    const char *v)
{
	if (strcasecmp(v, "enabled") == 0 || strcasecmp(v, "auto") == 0 ||
	    strcasecmp(v, "default") == 0) {
		p->cfg->signing_mandatory = false;
		return 0;
	}
	if (strcasecmp(v, "mandatory") == 0 ||
	    strcasecmp(v, "required") == 0) {
		p->cfg->signing_mandatory = true;
		return 0;
	}
	if (strcasecmp(v, "disabled") == 0 || strcasecmp(v, "no") == 0 ||
	    strcasecmp(v, "off") == 0) {
		cfg_fail(p, "%s cannot be disabled: SMB2/3 signing is always "
			 "offered (use enabled or mandatory)", key);
		return -1;
	}
	cfg_fail(p, "%s '%s' is not enabled or mandatory", key, v);
	return -1;
}

static bool is_smb1_name(const char *v)
{
	static const char *const smb1[] = {
		"NT1", "LANMAN1", "LANMAN2", "CORE", "COREPLUS", "SMB1",
	};
	size_t i = 0;

	for (i = 0; i < sizeof(smb1) / sizeof(smb1[0]); i++) {
		if (strcasecmp(v, smb1[i]) == 0) {
			return true;
		}
	}
	return false;
}

static int set_protocol(struct cfg_parse *p, const char *key, const char *v,
			bool max, uint16_t *out)
{
	uint16_t d = 0;

	if (strcasecmp(v, "default") == 0) {
		d = max ? SMB2_DIALECT_311 : SMB2_DIALECT_202;
	} else if (is_smb1_name(v)) {
		cfg_fail(p, "%s '%s': SMB1 is not supported; the lowest "
			 "protocol is SMB2_02", key, v);
		return -1;
	} else {
		d = smb2_dialect_parse(v, max);
	}
	if (d == 0) {
		cfg_fail(p, "%s '%s' is unknown (SMB2_02, SMB2_10, SMB3_00, "
			 "SMB3_02, SMB3_11, SMB2 or SMB3)", key, v);
		return -1;
	}
	*out = d;
	return 0;
}

static int g_min_protocol(struct cfg_parse *p, const char *key, const char *v)
{
	p->min_proto_line = p->line;
	return set_protocol(p, key, v, false, &p->cfg->min_protocol);
}

static int g_max_protocol(struct cfg_parse *p, const char *key, const char *v)
{
	p->max_proto_line = p->line;
	return set_protocol(p, key, v, true, &p->cfg->max_protocol);
}

static int g_map_to_guest(struct cfg_parse *p, const char *key,
			  const char *v)
{
	char **words = split_list(p->tmp, v, NULL);
	char *norm = NULL;
	size_t i = 0;
	int rc = -1;

	/* "bad   user" and "Bad User" are the same setting. */
	if (words == NULL) {
		cfg_fail(p, "out of memory");
		return -1;
	}
	norm = talloc_strdup(p->tmp, "");
	for (i = 0; norm != NULL && words[i] != NULL; i++) {
		norm = talloc_asprintf_append(norm, "%s%s", i > 0 ? " " : "",
					      words[i]);
	}
	if (norm == NULL) {
		cfg_fail(p, "out of memory");
		goto out;
	}
	if (strcasecmp(norm, "bad user") == 0) {
		p->cfg->map_to_guest = true;
		rc = 0;
	} else if (strcasecmp(norm, "never") == 0) {
		p->cfg->map_to_guest = false;
		rc = 0;
	} else if (strcasecmp(norm, "bad password") == 0 ||
		   strcasecmp(norm, "bad uid") == 0) {
		cfg_fail(p, "%s '%s' is not supported (use 'bad user' or "
			 "'never')", key, v);
	} else {
		cfg_fail(p, "%s '%s' is not 'bad user' or 'never'", key, v);
	}
out:
	talloc_free(words);
	talloc_free(norm);
	return rc;
}

static int g_guest_ok(struct cfg_parse *p, const char *key, const char *v)
{
	if (parse_bool(v, &p->global_guest_ok) != 0) {
		cfg_fail(p, "%s '%s' is not a boolean (yes/no)", key, v);
		return -1;
	}
	return 0;
}

static int g_admin_users(struct cfg_parse *p, const char *key, const char *v)
{
	char **list = split_list(p->tmp, v, NULL);
	char *s = talloc_strdup(p->cfg, "");
	size_t i = 0;

	for (i = 0; list != NULL && s != NULL && list[i] != NULL; i++) {
		s = talloc_asprintf_append(s, "%s%s", i > 0 ? " " : "",
					   list[i]);
	}
	talloc_free(list);
	if (list == NULL || s == NULL) {
		talloc_free(s);
		cfg_fail(p, "out of memory");
		return -1;
	}
	talloc_free(p->cfg->admin_users);
	p->cfg->admin_users = s;
	return 0;
}

static int g_control_socket(struct cfg_parse *p, const char *key,
			    const char *v)
{
	p->control_socket_line = p->line;
	return set_abs_path(p, key, v, p->cfg, &p->cfg->control_socket);
}

static int g_admin_group(struct cfg_parse *p, const char *key, const char *v)
{
	const char *c = NULL;
	char *s = NULL;

	for (c = v; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x21 || *c == ':' || *c == ',') {
			cfg_fail(p, "%s '%s' is not a valid group name", key,
				 v);
			return -1;
		}
	}
	s = talloc_strdup(p->cfg, v);
	if (s == NULL) {
		cfg_fail(p, "out of memory");
		return -1;
	}
	talloc_free(p->cfg->admin_group);
	p->cfg->admin_group = s;
	return 0;
}

static int g_max_open_files(struct cfg_parse *p, const char *key,
			    const char *v)
{
	long n = 0;

	if (parse_long(v, 1, SMBD_MAX_OPENS_PER_CONN, &n) != 0) {
		cfg_fail(p, "%s '%s' is not a number from 1 to %d", key, v,
			 SMBD_MAX_OPENS_PER_CONN);
		return -1;
	}
	p->cfg->max_opens_per_session = (size_t)n;
	return 0;
}

/* One of a fixed set of words, stored lower case. */
static int set_word(struct cfg_parse *p, const char *key, const char *v,
		    const char *const *words, const char *hint, char **out)
{
	size_t i = 0;

	for (i = 0; words[i] != NULL; i++) {
		if (strcasecmp(v, words[i]) == 0) {
			char *s = talloc_strdup(p->cfg, words[i]);

			if (s == NULL) {
				cfg_fail(p, "out of memory");
				return -1;
			}
			talloc_free(*out);
			*out = s;
			return 0;
		}
	}
	cfg_fail(p, "%s '%s' is not %s", key, v, hint);
	return -1;
}

static int g_edition(struct cfg_parse *p, const char *key, const char *v)
{
	static const char *const w[] = { "workstation", "home", "server",
					 NULL };

	return set_word(p, key, v, w, "workstation, home or server",
			&p->cfg->edition);
}

static int g_session_accounting(struct cfg_parse *p, const char *key,
				const char *v)
{
	static const char *const w[] = { "windows", "computer", NULL };

	return set_word(p, key, v, w, "windows or computer",
			&p->cfg->session_accounting);
}

static int g_cap_policy(struct cfg_parse *p, const char *key, const char *v)
{
	static const char *const w[] = { "refuse", "reclaim", NULL };

	return set_word(p, key, v, w, "refuse or reclaim",
			&p->cfg->cap_policy);
}

static int g_max_sessions(struct cfg_parse *p, const char *key,
			  const char *v)
{
	long n = 0;

	/* -1 (the default) spelled out: take the cap from "edition". */
	if (parse_long(v, -1, CFG_MAX_SESSIONS, &n) != 0) {
		cfg_fail(p, "%s '%s' is not a number from 0 to %ld (or -1: "
			 "from edition)", key, v, CFG_MAX_SESSIONS);
		return -1;
	}
	p->cfg->max_sessions = n;
	return 0;
}

static int g_restrict_anonymous(struct cfg_parse *p, const char *key,
				const char *v)
{
	long n = 0;

	if (parse_long(v, 0, 2, &n) != 0) {
		cfg_fail(p, "%s '%s' is not 0, 1 or 2", key, v);
		return -1;
	}
	p->cfg->restrict_anonymous = (int)n;
	return 0;
}

static int set_duration(struct cfg_parse *p, const char *key, const char *v,
			uint32_t *out)
{
	if (wg_parse_duration_ms(v, out) != 0) {
		cfg_fail(p, "%s '%s' is not a duration (e.g. 500ms, 60s, 15m, "
			 "2h; a bare number is seconds)", key, v);
		return -1;
	}
	return 0;
}

/* Windows counts autodisconnect in minutes: a bare number is minutes. */
static int g_autodisconnect(struct cfg_parse *p, const char *key,
			    const char *v)
{
	unsigned long long n = 0;

	if (!all_digits(v)) {
		return set_duration(p, key, v, &p->cfg->autodisconnect_ms);
	}
	errno = 0;
	n = strtoull(v, NULL, 10);
	if (errno != 0 || n > UINT32_MAX / 60000) {
		cfg_fail(p, "%s '%s' minutes is too long", key, v);
		return -1;
	}
	p->cfg->autodisconnect_ms = (uint32_t)(n * 60000);
	return 0;
}

static int g_null_session_timeout(struct cfg_parse *p, const char *key,
				  const char *v)
{
	return set_duration(p, key, v, &p->cfg->null_session_timeout_ms);
}

static int g_spoolss_handle_timeout(struct cfg_parse *p, const char *key,
				    const char *v)
{
	return set_duration(p, key, v, &p->cfg->spoolss_handle_timeout_ms);
}

static int g_auth_timeout(struct cfg_parse *p, const char *key, const char *v)
{
	return set_duration(p, key, v, &p->cfg->auth_timeout_ms);
}

static int g_linger_timeout(struct cfg_parse *p, const char *key,
			    const char *v)
{
	return set_duration(p, key, v, &p->cfg->linger_timeout_ms);
}

struct cfg_key {
	const char *name;
	int (*fn)(struct cfg_parse *p, const char *key, const char *v);
};

static const struct cfg_key global_keys[] = {
	{ "netbios name", g_netbios_name },
	{ "workgroup", g_workgroup },
	{ "listen addresses", g_listen_addresses },
	{ "smb ports", g_smb_ports },
	{ "users file", g_users_file },
	{ "state directory", g_state_directory },
	{ "run as user", g_run_as_user },
	{ "log level", g_log_level },
	{ "server signing", g_server_signing },
	{ "server min protocol", g_min_protocol },
	{ "server max protocol", g_max_protocol },
	{ "map to guest", g_map_to_guest },
	{ "guest account", g_guest_account },
	{ "guest ok", g_guest_ok },
	{ "admin users", g_admin_users },
	{ "control socket", g_control_socket },
	{ "admin group", g_admin_group },
	{ "max open files", g_max_open_files },
	{ "edition", g_edition },
	{ "max sessions", g_max_sessions },
	{ "session accounting", g_session_accounting },
	{ "cap policy", g_cap_policy },
	{ "restrict anonymous", g_restrict_anonymous },
	{ "autodisconnect", g_autodisconnect },
	{ "null session timeout", g_null_session_timeout },
	{ "spoolss handle timeout", g_spoolss_handle_timeout },
	{ "auth timeout", g_auth_timeout },
	{ "linger timeout", g_linger_timeout },
	{ NULL, NULL },
};

/* ---- share keys ---- */

static struct wg_share_cfg *cur_share(struct cfg_parse *p)
{
	return &p->cfg->shares[p->cfg->nshares - 1];
}

static struct share_meta *cur_meta(struct cfg_parse *p)
{
	return &p->meta[p->cfg->nshares - 1];
}

static int s_path(struct cfg_parse *p, const char *key, const char *v)
{
	return set_abs_path(p, key, v, p->cfg, &cur_share(p)->path);
}

static int s_comment(struct cfg_parse *p, const char *key, const char *v)
{
	char *s = talloc_strdup(p->cfg, v);

	if (s == NULL) {
		cfg_fail(p, "out of memory");
		return -1;
	}
	talloc_free(cur_share(p)->comment);
	cur_share(p)->comment = s;
	return 0;
}

static int share_bool(struct cfg_parse *p, const char *key, const char *v,
		      bool invert, bool *out)
{
	bool b = false;

	if (parse_bool(v, &b) != 0) {
		cfg_fail(p, "%s '%s' is not a boolean (yes/no)", key, v);
		return -1;
	}
	*out = invert ? !b : b;
	return 0;
}

static int s_read_only(struct cfg_parse *p, const char *key, const char *v)
{
	return share_bool(p, key, v, false, &cur_share(p)->read_only);
}

static int s_writable(struct cfg_parse *p, const char *key, const char *v)
{
	return share_bool(p, key, v, true, &cur_share(p)->read_only);
}

static int s_guest_ok(struct cfg_parse *p, const char *key, const char *v)
{
	cur_meta(p)->guest_ok_set = true;
	return share_bool(p, key, v, false, &cur_share(p)->guest_ok);
}

static int s_valid_users(struct cfg_parse *p, const char *key, const char *v)
{
	char **list = NULL;
	size_t n = 0;

	list = split_list(p->cfg, v, &n);
	if (list == NULL) {
		cfg_fail(p, "out of memory");
		return -1;
	}
	talloc_free(cur_share(p)->valid_users);
	cur_share(p)->valid_users = NULL;
	if (n == 0) {
		/* "valid users =" means everyone, like not setting it. */
		talloc_free(list);
		return 0;
	}
	cur_share(p)->valid_users = list;
	return 0;
}

static int s_printable(struct cfg_parse *p, const char *key, const char *v)
{
	bool b = false;

	if (share_bool(p, key, v, false, &b) != 0) {
		return -1;
	}
	cur_share(p)->type = b ? WG_SHARE_PRINT : WG_SHARE_DISK;
	return 0;
}

static int s_print_command(struct cfg_parse *p, const char *key,
			   const char *v)
{
	char *s = NULL;

	if (v[0] == '\0') {
		cfg_fail(p, "%s must not be empty", key);
		return -1;
	}
	s = talloc_strdup(p->cfg, v);
	if (s == NULL) {
		cfg_fail(p, "out of memory");
		return -1;
	}
	talloc_free(cur_share(p)->print_command);
	cur_share(p)->print_command = s;
	cur_meta(p)->print_command_line = p->line;
	return 0;
}

static const struct cfg_key share_keys[] = {
	{ "path", s_path },
	{ "comment", s_comment },
	{ "read only", s_read_only },
	{ "writable", s_writable },
	{ "writeable", s_writable },
	{ "write ok", s_writable },
	{ "guest ok", s_guest_ok },
	{ "valid users", s_valid_users },
	{ "printable", s_printable },
	{ "print ok", s_printable },
	{ "print command", s_print_command },
	{ NULL, NULL },
};

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

/* ---- libinih glue ---- */

/* Lower-case a key and fold runs of blanks into one space. */
static char *normalize_key(TALLOC_CTX *mem_ctx, const char *name)
{
	char *k = talloc_array(mem_ctx, char, strlen(name) + 1);
	size_t o = 0;

	if (k == NULL) {
		return NULL;
	}
	for (; *name != '\0'; name++) {
		if (is_blank(*name)) {
			if (o > 0 && k[o - 1] != ' ') {
				k[o++] = ' ';
			}
			continue;
		}
		k[o++] = (char)tolower((unsigned char)*name);
	}
	while (o > 0 && k[o - 1] == ' ') {
		o--;
	}
	k[o] = '\0';
	return k;
}

static int cfg_handler(void *user, const char *section, const char *name,
		       const char *value)
{
	struct cfg_parse *p = user;
	const struct cfg_key *keys = NULL;
	char *key = NULL;
	char *v = NULL;
	size_t i = 0;
	int rc = -1;

	if (p->err != NULL) {
		return 0;
	}
	key = normalize_key(p->tmp, name);
	v = talloc_strdup(p->tmp, value);
	if (key == NULL || v == NULL) {
		cfg_fail(p, "out of memory");
		goto out;
	}
	v = trim(v);
	switch (p->where) {
	case CFG_GLOBAL:
		keys = global_keys;
		break;
	case CFG_SHARE:
		keys = share_keys;
		break;
	case CFG_NOWHERE:
	default:
		cfg_fail(p, "key '%s' is outside any [section]", key);
		goto out;
	}
	for (i = 0; keys[i].name != NULL; i++) {
		if (strcmp(keys[i].name, key) == 0) {
			rc = keys[i].fn(p, key, v);
			goto out;
		}
	}
	cfg_fail(p, "unknown key '%s' in [%s]", key, p->section);
out:
	talloc_free(key);
	return rc == 0 ? 1 : 0;
}

/* Read one physical line into p->buf; false at EOF or on error. */
static bool read_physical(struct cfg_parse *p, size_t *len)
{
	ssize_t n = getline(&p->buf, &p->bufsize, p->fp);

	if (n < 0) {
		if (ferror(p->fp)) {
			p->read_error = true;
		}
		return false;
	}
	p->phys_line++;
	while (n > 0 && (p->buf[n - 1] == '\n' || p->buf[n - 1] == '\r')) {
		p->buf[--n] = '\0';
	}
	if (memchr(p->buf, '\0', (size_t)n) != NULL) {
		cfg_fail_at(p, p->phys_line, "NUL byte in line");
		return false;
	}
	*len = (size_t)n;
	return true;
}

/*
 * Our line reader: joins '\' continuations, strips leading blanks (so
 * indentation is not taken as a continuation) and notes section headers.
 */
static char *cfg_reader(char *out, int size, void *stream)
{
	struct cfg_parse *p = stream;
	char *line = NULL;
	char *start = NULL;
	size_t len = 0;
	int *lines = NULL;

	if (p->err != NULL || !read_physical(p, &len)) {
		return NULL;
	}
	p->line = p->phys_line;
	line = talloc_strndup(p->tmp, p->buf, len);
	while (line != NULL && len > 0 && line[len - 1] == '\\') {
		size_t more = 0;

		line[--len] = '\0';
		if (!read_physical(p, &more)) {
			break;
		}
		line = talloc_strdup_append(line, p->buf);
		len = line != NULL ? strlen(line) : 0;
	}
	if (line == NULL) {
		cfg_fail(p, "out of memory");
		return NULL;
	}
	start = line;
	if (p->line == 1 && strncmp(start, "\xEF\xBB\xBF", 3) == 0) {
		start += 3;
	}
	while (is_blank(*start)) {
		start++;
	}
	if (strlen(start) + 1 > (size_t)size) {
		cfg_fail(p, "line too long (at most %d characters)", size - 1);
		goto fail;
	}
	if (start[0] == '[') {
		char *end = strchr(start, ']');
		char *name = NULL;

		if (end == NULL) {
			cfg_fail(p, "missing ']' in section header");
			goto fail;
		}
		name = talloc_strndup(p->tmp, start + 1,
				      (size_t)(end - start - 1));
		if (name == NULL) {
			cfg_fail(p, "out of memory");
			goto fail;
		}
		if (section_begin(p, trim(name), p->line) != 0) {
			talloc_free(name);
			goto fail;
		}
		talloc_free(name);
	}
	lines = talloc_realloc(p->tmp, p->logical_lines, int,
			       p->nlogical + 1);
	if (lines == NULL) {
		cfg_fail(p, "out of memory");
		goto fail;
	}
	p->logical_lines = lines;
	p->logical_lines[p->nlogical++] = p->line;
	memcpy(out, start, strlen(start) + 1);
	talloc_free(line);
	return out;
fail:
	talloc_free(line);
	return NULL;
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
		name[i] = nb_char_ok(host[i], false) ?
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
	cfg->run_as_user = talloc_strdup(cfg, "nobody");
	cfg->log_level = CFG_DEFAULT_LOG_LEVEL;
	cfg->log_classes = talloc_strdup(cfg, "");
	cfg->signing_mandatory = false;
	cfg->min_protocol = SMB2_DIALECT_202;
	cfg->max_protocol = SMB2_DIALECT_311;
	cfg->map_to_guest = false;
	cfg->guest_account = talloc_strdup(cfg, "nobody");
	cfg->admin_users = talloc_strdup(cfg, "");
	cfg->admin_group = talloc_strdup(cfg, "");
	cfg->max_opens_per_session = SMBD_MAX_OPENS_PER_CONN;
	cfg->edition = talloc_strdup(cfg, "workstation");
	cfg->max_sessions = -1;
	cfg->session_accounting = talloc_strdup(cfg, "windows");
	cfg->cap_policy = talloc_strdup(cfg, "refuse");
	cfg->restrict_anonymous = 0;
	cfg->autodisconnect_ms = 15 * 60 * 1000;
	cfg->null_session_timeout_ms = 60 * 1000;
	cfg->spoolss_handle_timeout_ms = 5 * 60 * 1000;
	cfg->auth_timeout_ms = 30 * 1000;
	cfg->linger_timeout_ms = 10 * 1000;

	if (cfg->netbios_name == NULL || cfg->workgroup == NULL ||
	    cfg->listen_addresses == NULL ||
	    cfg->listen_addresses[0] == NULL ||
	    cfg->listen_addresses[1] == NULL || cfg->users_file == NULL ||
	    cfg->state_dir == NULL || cfg->run_as_user == NULL ||
	    cfg->log_classes == NULL || cfg->guest_account == NULL ||
	    cfg->admin_users == NULL || cfg->admin_group == NULL ||
	    cfg->edition == NULL ||
	    cfg->session_accounting == NULL || cfg->cap_policy == NULL) {
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

static int cfg_parse_file(struct cfg_parse *p)
{
	struct stat st = {};
	int line = 0;
	int rc = 0;

	p->fp = fopen(p->path, "re");
	if (p->fp == NULL) {
		cfg_fail_at(p, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fileno(p->fp), &st) != 0) {
		cfg_fail_at(p, 0, "cannot stat: %s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		cfg_fail_at(p, 0, "not a regular file");
		return -1;
	}
	rc = ini_parse_stream(cfg_reader, p, cfg_handler, p);
	if (p->err != NULL) {
		return -1;
	}
	if (p->read_error) {
		cfg_fail_at(p, p->phys_line + 1, "read error");
		return -1;
	}
	if (rc > 0) {
		/* A line inih could not parse ("key" without "="). */
		line = (size_t)rc <= p->nlogical ?
			p->logical_lines[rc - 1] : p->phys_line;
		cfg_fail_at(p, line, "syntax error: expected '[section]' or "
			    "'key = value'");
		return -1;
	}
	if (rc < 0) {
		cfg_fail_at(p, 0, "cannot parse: out of memory");
		return -1;
	}
	return final_checks(p);
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
	if (p.fp != NULL) {
		fclose(p.fp);
	}
	free(p.buf);
	talloc_free(p.tmp);
	return ret;
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
