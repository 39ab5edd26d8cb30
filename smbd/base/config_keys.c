/*
 * config_keys.c - the value parsers and one handler per configuration key
 * ([global] and share keys), with the tables config.c looks keys up in.
 */
#include "smbd/base/config_int.h"

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

#include <talloc.h>

#include "proto/smb2.h"

/* ---- small value parsers ---- */

bool cfg_is_blank(char c)
{
	return c == ' ' || c == '\t';
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
	while (cfg_is_blank(*s)) {
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
	while (cfg_is_blank(*end)) {
		end++;
	}
	ulen = strlen(end);
	while (ulen > 0 && cfg_is_blank(end[ulen - 1])) {
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

		while (*v == ',' || cfg_is_blank(*v)) {
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

bool cfg_nb_char_ok(char c, bool allow_space)
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
		if (!cfg_nb_char_ok(v[i], allow_space)) {
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
	} else if (!max && (strcasecmp(v, "NT1") == 0 ||
			    strcasecmp(v, "SMB1") == 0)) {
		/* SMB1 (NT LM 0.12) on; SMB2 clients still get SMB2_02 up */
		p->cfg->smb1_enabled = true;
		d = SMB2_DIALECT_202;
	} else if (is_smb1_name(v)) {
		cfg_fail(p, "%s '%s': %s; the lowest protocol is NT1 "
			 "(NT LM 0.12)", key, v,
			 max ? "the server always offers SMB2" :
			 "dialects before NT LM 0.12 are not supported");
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
	p->cfg->smb1_enabled = false;	/* the last setting counts */
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
		p->cfg->map_to_guest = WG_GUEST_BAD_USER;
		rc = 0;
	} else if (strcasecmp(norm, "bad password") == 0) {
		p->cfg->map_to_guest = WG_GUEST_BAD_PASSWORD;
		rc = 0;
	} else if (strcasecmp(norm, "never") == 0) {
		p->cfg->map_to_guest = WG_GUEST_NEVER;
		rc = 0;
	} else if (strcasecmp(norm, "bad uid") == 0) {
		cfg_fail(p, "%s '%s' is for domain members; use 'never', "
			 "'bad user' or 'bad password'", key, v);
	} else {
		cfg_fail(p, "%s '%s' is not 'never', 'bad user' or "
			 "'bad password'", key, v);
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

/* Samba's value names, so an smb.conf line carries over. */
static int g_ntlm_auth(struct cfg_parse *p, const char *key, const char *v)
{
	if (strcasecmp(v, "ntlmv1-permitted") == 0 ||
	    strcasecmp(v, "yes") == 0) {
		p->cfg->ntlmv1_permitted = true;
		return 0;
	}
	if (strcasecmp(v, "ntlmv2-only") == 0 || strcasecmp(v, "no") == 0) {
		p->cfg->ntlmv1_permitted = false;
		return 0;
	}
	cfg_fail(p, "%s '%s' is not 'ntlmv2-only' or 'ntlmv1-permitted'",
		 key, v);
	return -1;
}

static int g_nbns(struct cfg_parse *p, const char *key, const char *v)
{
	if (parse_bool(v, &p->cfg->nbns) != 0) {
		cfg_fail(p, "%s '%s' is not a boolean (yes/no)", key, v);
		return -1;
	}
	return 0;
}

static int g_nbns_port(struct cfg_parse *p, const char *key, const char *v)
{
	long port = 0;

	if (parse_long(v, 1, 65535, &port) != 0) {
		cfg_fail(p, "%s: '%s' is not a port (1-65535)", key, v);
		return -1;
	}
	p->cfg->nbns_port = (uint16_t)port;
	return 0;
}

static int g_mdns(struct cfg_parse *p, const char *key, const char *v)
{
	if (parse_bool(v, &p->cfg->mdns) != 0) {
		cfg_fail(p, "%s '%s' is not a boolean (yes/no)", key, v);
		return -1;
	}
	return 0;
}

static int g_wsd(struct cfg_parse *p, const char *key, const char *v)
{
	if (parse_bool(v, &p->cfg->wsd) != 0) {
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

int wg_parse_size(const char *s, uint64_t *bytes)
{
	static const struct {
		const char *suffix;
		uint64_t mult;
	} units[] = {
		{ "", 1 }, { "k", 1024 }, { "m", 1024 * 1024 },
		{ "g", 1024 * 1024 * 1024 },
	};
	char *end = NULL;
	unsigned long long n = 0;
	size_t i = 0;

	if (!isdigit((unsigned char)s[0])) {
		return -1;
	}
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0) {
		return -1;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].suffix) == 0) {
			if (n > UINT64_MAX / units[i].mult) {
				return -1;
			}
			*bytes = (uint64_t)n * units[i].mult;
			return 0;
		}
	}
	return -1;
}

/* A whole number in [min, max] for a per-client budget. */
static int set_count(struct cfg_parse *p, const char *key, const char *v,
		     long min, long max, uint32_t *out)
{
	long n = 0;

	if (parse_long(v, min, max, &n) != 0) {
		cfg_fail(p, "%s '%s' is not a number from %ld to %ld", key, v,
			 min, max);
		return -1;
	}
	*out = (uint32_t)n;
	return 0;
}

/* A byte size ("8M") in [min, max]. */
static int set_size(struct cfg_parse *p, const char *key, const char *v,
		    uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;

	if (wg_parse_size(v, &n) != 0 || n < min || n > max) {
		cfg_fail(p, "%s '%s' is not a size from %llu to %llu bytes "
			 "(suffixes K, M, G)", key, v,
			 (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = n;
	return 0;
}

static int g_max_sessions_per_conn(struct cfg_parse *p, const char *key,
				   const char *v)
{
	return set_count(p, key, v, 1, 65535, &p->cfg->max_sessions_per_conn);
}

static int g_max_sessions_in_progress(struct cfg_parse *p, const char *key,
				      const char *v)
{
	return set_count(p, key, v, 1, 1024,
			 &p->cfg->max_sessions_in_progress);
}

static int g_max_tree_connects(struct cfg_parse *p, const char *key,
			       const char *v)
{
	return set_count(p, key, v, 1, 65534, &p->cfg->max_tree_connects);
}

static int g_max_locks_per_open(struct cfg_parse *p, const char *key,
				const char *v)
{
	return set_count(p, key, v, 1, 1000000, &p->cfg->max_locks_per_open);
}

static int g_max_pending_notifies(struct cfg_parse *p, const char *key,
				  const char *v)
{
	return set_count(p, key, v, 1, 65535,
			 &p->cfg->max_pending_notifies);
}

static int g_max_dir_memory(struct cfg_parse *p, const char *key,
			    const char *v)
{
	return set_size(p, key, v, 64 * 1024, 1024ull * 1024 * 1024,
			&p->cfg->max_dir_memory);
}

static int g_max_reply_backlog(struct cfg_parse *p, const char *key,
			       const char *v)
{
	/* at least two 1 MiB READ replies; at most 1 GiB */
	return set_size(p, key, v, 2 * 1024 * 1024, 1024ull * 1024 * 1024,
			&p->cfg->max_reply_backlog);
}

/*
 * One of a fixed set of words (NULL-terminated), any case: its index, or
 * -1 with the error recorded.
 */
static int find_word(struct cfg_parse *p, const char *key, const char *v,
		     const char *const *words, const char *hint)
{
	int i = 0;

	for (i = 0; words[i] != NULL; i++) {
		if (strcasecmp(v, words[i]) == 0) {
			return i;
		}
	}
	cfg_fail(p, "%s '%s' is not %s", key, v, hint);
	return -1;
}

static int g_edition(struct cfg_parse *p, const char *key, const char *v)
{
	static const char *const w[] = { "workstation", "home", "server",
					 NULL };
	static const enum sm_edition e[] = {
		SM_EDITION_WORKSTATION, SM_EDITION_HOME, SM_EDITION_SERVER,
	};
	int i = find_word(p, key, v, w, "workstation, home or server");

	if (i < 0) {
		return -1;
	}
	p->cfg->sm.edition = e[i];
	p->cfg->edition = w[i];
	return 0;
}

static int g_session_accounting(struct cfg_parse *p, const char *key,
				const char *v)
{
	static const char *const w[] = { "windows", "computer", NULL };
	static const enum sm_accounting e[] = {
		SM_ACCT_WINDOWS, SM_ACCT_COMPUTER,
	};
	int i = find_word(p, key, v, w, "windows or computer");

	if (i < 0) {
		return -1;
	}
	p->cfg->sm.accounting = e[i];
	p->cfg->session_accounting = w[i];
	return 0;
}

static int g_cap_policy(struct cfg_parse *p, const char *key, const char *v)
{
	static const char *const w[] = { "refuse", "reclaim", NULL };
	static const enum sm_cap_policy e[] = {
		SM_CAP_REFUSE, SM_CAP_RECLAIM,
	};
	int i = find_word(p, key, v, w, "refuse or reclaim");

	if (i < 0) {
		return -1;
	}
	p->cfg->sm.cap_policy = e[i];
	p->cfg->cap_policy = w[i];
	return 0;
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

static int g_everyone_anon(struct cfg_parse *p, const char *key,
			   const char *v)
{
	if (parse_bool(v, &p->cfg->everyone_includes_anonymous) != 0) {
		cfg_fail(p, "%s '%s' is not a boolean (yes/no)", key, v);
		return -1;
	}
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

static int g_streams_sweep(struct cfg_parse *p, const char *key,
			   const char *v)
{
	return set_duration(p, key, v, &p->cfg->streams_sweep_ms);
}

static int g_linger_timeout(struct cfg_parse *p, const char *key,
			    const char *v)
{
	return set_duration(p, key, v, &p->cfg->linger_timeout_ms);
}

static int g_oplock_break_timeout(struct cfg_parse *p, const char *key,
				  const char *v)
{
	if (set_duration(p, key, v, &p->cfg->oplock_break_timeout_ms) != 0) {
		return -1;
	}
	if (p->cfg->oplock_break_timeout_ms == 0) {
		cfg_fail(p, "%s must be more than 0", key);
		return -1;
	}
	return 0;
}

static int g_durable_timeout(struct cfg_parse *p, const char *key,
			     const char *v)
{
	if (set_duration(p, key, v, &p->cfg->durable_timeout_ms) != 0) {
		return -1;
	}
	if (p->cfg->durable_timeout_ms == 0) {
		cfg_fail(p, "%s must be more than 0", key);
		return -1;
	}
	return 0;
}

static int g_server_threads(struct cfg_parse *p, const char *key,
			    const char *v)
{
	if (strcasecmp(v, "auto") == 0) {
		p->cfg->server_threads = 0;
		return 0;
	}
	return set_count(p, key, v, 1, 64, &p->cfg->server_threads);
}

static int g_loop_priority(struct cfg_parse *p, const char *key,
			   const char *v)
{
	long n = 0;

	if (parse_long(v, -20, 19, &n) != 0) {
		cfg_fail(p, "%s '%s' is not a nice value from -20 to 19", key,
			 v);
		return -1;
	}
	p->cfg->loop_priority = (int32_t)n;
	return 0;
}

static int g_write_splice_pipes(struct cfg_parse *p, const char *key,
				const char *v)
{
	return set_count(p, key, v, 0, 4096, &p->cfg->write_splice_pipes);
}

const struct cfg_key cfg_global_keys[] = {
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
	{ "ntlm auth", g_ntlm_auth },
	{ "netbios name service", g_nbns },
	{ "nbns port", g_nbns_port },
	{ "mdns", g_mdns },
	{ "wsd", g_wsd },
	{ "max sessions per connection", g_max_sessions_per_conn },
	{ "max sessions in progress", g_max_sessions_in_progress },
	{ "max tree connects", g_max_tree_connects },
	{ "max locks per open", g_max_locks_per_open },
	{ "max pending notifies", g_max_pending_notifies },
	{ "max directory memory", g_max_dir_memory },
	{ "max reply backlog", g_max_reply_backlog },
	{ "edition", g_edition },
	{ "max sessions", g_max_sessions },
	{ "session accounting", g_session_accounting },
	{ "cap policy", g_cap_policy },
	{ "restrict anonymous", g_restrict_anonymous },
	{ "everyone includes anonymous", g_everyone_anon },
	{ "autodisconnect", g_autodisconnect },
	{ "null session timeout", g_null_session_timeout },
	{ "spoolss handle timeout", g_spoolss_handle_timeout },
	{ "auth timeout", g_auth_timeout },
	{ "linger timeout", g_linger_timeout },
	{ "streams sweep interval", g_streams_sweep },
	{ "oplock break timeout", g_oplock_break_timeout },
	{ "durable handle timeout", g_durable_timeout },
	{ "server threads", g_server_threads },
	{ "loop priority", g_loop_priority },
	{ "write splice pipes", g_write_splice_pipes },
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

static int s_oplocks(struct cfg_parse *p, const char *key, const char *v)
{
	return share_bool(p, key, v, false, &cur_share(p)->oplocks);
}

static int s_durable_handles(struct cfg_parse *p, const char *key,
			     const char *v)
{
	return share_bool(p, key, v, false, &cur_share(p)->durable_handles);
}

static int s_leases(struct cfg_parse *p, const char *key, const char *v)
{
	return share_bool(p, key, v, false, &cur_share(p)->leases);
}

static int s_access_based_enum(struct cfg_parse *p, const char *key,
			       const char *v)
{
	return share_bool(p, key, v, false, &cur_share(p)->access_based_enum);
}

const struct cfg_key cfg_share_keys[] = {
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
	{ "oplocks", s_oplocks },
	{ "durable handles", s_durable_handles },
	{ "leases", s_leases },
	{ "access based share enum", s_access_based_enum },
	{ NULL, NULL },
};

const char *wg_config_key_name(bool share, size_t i)
{
	const struct cfg_key *keys = share ? cfg_share_keys : cfg_global_keys;
	size_t n = 0;

	for (n = 0; keys[n].name != NULL; n++) {
		if (n == i) {
			return keys[n].name;
		}
	}
	return NULL;
}
