/*
 * wgnet_discovery.c - `wgnet discovery`: the Avahi service file and the
 * wsdd command line that announce wgsmbd, derived from wgsmb.conf.
 *
 *	wgnet discovery [show] [--json]
 *	wgnet discovery avahi [--file PATH] [--remove]
 *	wgnet discovery wsdd [--wsdd PATH] [--check | --exec] [-- ARGS...]
 *
 * The config is loaded with wg_config_load(), the loader wgsmbd uses
 * (on the shared proto/smbconf reader), so the name, workgroup and
 * ports announced are exactly those the daemon serves with, defaults
 * included. The systemd units in dist/ run `avahi` when wgsmbd starts
 * and reloads, `avahi --remove` when it stops, and `wsdd --check` then
 * `wsdd --exec` for wgsmb-wsdd.service.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha1.h>
#include <talloc.h>

#include "smbd/base/config.h"
#include "tools/wgnet_common.h"
#include "tools/wgnet_discovery.h"

/* ---- generators (pure) ------------------------------------------------ */

uint16_t disc_smb_port(const struct wg_config *cfg)
{
	size_t i = 0;

	for (i = 0; i < cfg->nports; i++) {
		if (cfg->ports[i] != 139) {
			return cfg->ports[i];
		}
	}
	return 0;
}

/* s with & < > " ' as XML entities; a talloc child of mem_ctx. */
static char *xml_escape(TALLOC_CTX *mem_ctx, const char *s)
{
	char *out = talloc_strdup(mem_ctx, "");

	for (; out != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&':
			out = talloc_strdup_append(out, "&amp;");
			break;
		case '<':
			out = talloc_strdup_append(out, "&lt;");
			break;
		case '>':
			out = talloc_strdup_append(out, "&gt;");
			break;
		case '"':
			out = talloc_strdup_append(out, "&quot;");
			break;
		case '\'':
			out = talloc_strdup_append(out, "&apos;");
			break;
		default:
			out = talloc_strndup_append(out, s, 1);
			break;
		}
	}
	return out;
}

char *disc_avahi_service(TALLOC_CTX *mem_ctx, const struct wg_config *cfg)
{
	uint16_t port = disc_smb_port(cfg);
	char *name = NULL;
	char *text = NULL;

	if (port == 0) {
		return NULL;
	}
	name = xml_escape(mem_ctx, cfg->netbios_name);
	if (name == NULL) {
		return NULL;
	}
	text = talloc_asprintf(mem_ctx,
		"<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<!DOCTYPE service-group SYSTEM \"avahi-service.dtd\">\n"
		"<!-- Written by wgnet discovery avahi from %s;\n"
		"     removed when wgsmbd stops. Do not edit. -->\n"
		"<service-group>\n"
		"  <name replace-wildcards=\"no\">%s</name>\n"
		"  <service>\n"
		"    <type>_smb._tcp</type>\n"
		"    <port>%u</port>\n"
		"  </service>\n"
		"  <service>\n"
		"    <type>_device-info._tcp</type>\n"
		"    <port>0</port>\n"
		"    <txt-record>model=" DISC_MODEL "</txt-record>\n"
		"  </service>\n"
		"</service-group>\n",
		cfg->path != NULL ? cfg->path : "wgsmb.conf", name,
		(unsigned)port);
	talloc_free(name);
	return text;
}

void disc_wsd_uuid(const char *netbios_name, char out[37])
{
	/* RFC 4122 appendix C: the DNS name space */
	static const uint8_t ns_dns[16] = {
		0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
		0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
	};
	struct sha1_ctx sha = {};
	uint8_t digest[SHA1_DIGEST_SIZE] = {};
	size_t i = 0;
	size_t o = 0;

	sha1_init(&sha);
	sha1_update(&sha, sizeof(ns_dns), ns_dns);
	for (i = 0; netbios_name[i] != '\0'; i++) {
		uint8_t c = (uint8_t)netbios_name[i];

		if (c >= 'A' && c <= 'Z') {
			c = (uint8_t)(c - 'A' + 'a');
		}
		sha1_update(&sha, 1, &c);
	}
	sha1_digest(&sha, sizeof(digest), digest);
	digest[6] = (uint8_t)((digest[6] & 0x0f) | 0x50);	/* version 5 */
	digest[8] = (uint8_t)((digest[8] & 0x3f) | 0x80);	/* RFC 4122 */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10) {
			out[o++] = '-';
		}
		out[o++] = "0123456789abcdef"[digest[i] >> 4];
		out[o++] = "0123456789abcdef"[digest[i] & 0x0f];
	}
	out[o] = '\0';
}

static bool is_wildcard(const char *addr)
{
	return strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0;
}

char **disc_wsdd_argv(TALLOC_CTX *mem_ctx, const struct wg_config *cfg,
		      const char *wsdd, char **extra, int nextra)
{
	char uuid[37] = "";
	char **argv = NULL;
	bool any_wild = false;
	bool v4 = false;
	bool v6 = false;
	size_t naddr = 0;
	size_t n = 0;
	size_t i = 0;

	for (i = 0; cfg->listen_addresses[i] != NULL; i++) {
		const char *a = cfg->listen_addresses[i];

		any_wild = any_wild || is_wildcard(a);
		if (strchr(a, ':') != NULL) {
			v6 = true;
		} else {
			v4 = true;
		}
		naddr++;
	}
	disc_wsd_uuid(cfg->netbios_name, uuid);
	/* program, 3 pairs, a family flag, 2 per address, extra, NULL */
	argv = talloc_zero_array(mem_ctx, char *,
				 1 + 6 + 1 + 2 * naddr + (size_t)nextra + 1);
	if (argv == NULL) {
		return NULL;
	}
	argv[n++] = talloc_strdup(argv, wsdd);
	argv[n++] = talloc_strdup(argv, "--hostname");
	argv[n++] = talloc_strdup(argv, cfg->netbios_name);
	argv[n++] = talloc_strdup(argv, "--workgroup");
	argv[n++] = talloc_strdup(argv, cfg->workgroup);
	argv[n++] = talloc_strdup(argv, "--uuid");
	argv[n++] = talloc_strdup(argv, uuid);
	if (v4 != v6) {
		argv[n++] = talloc_strdup(argv, v4 ? "--ipv4only"
						   : "--ipv6only");
	}
	for (i = 0; !any_wild && i < naddr; i++) {
		argv[n++] = talloc_strdup(argv, "--interface");
		argv[n++] = talloc_strdup(argv, cfg->listen_addresses[i]);
	}
	for (i = 0; i < (size_t)nextra; i++) {
		argv[n++] = talloc_strdup(argv, extra[i]);
	}
	for (i = 0; i < n; i++) {
		if (argv[i] == NULL) {
			talloc_free(argv);
			return NULL;
		}
	}
	return argv;
}

/* ---- the verb --------------------------------------------------------- */

static void usage_discovery(FILE *out)
{
	fprintf(out,
"Usage: wgnet discovery [show] [--json]\n"
"       wgnet discovery avahi [--file PATH] [--remove]\n"
"       wgnet discovery wsdd [--wsdd PATH] [--check | --exec] "
"[-- ARGS...]\n"
"\n"
"How the system's discovery daemons announce wgsmbd, from the config's\n"
"\"netbios name\", \"workgroup\", \"smb ports\", \"listen addresses\",\n"
"\"mdns\" and \"wsd\". wgsmbd itself announces nothing.\n"
"\n"
"  show     what is announced, and how (--json: as one object)\n"
"  avahi    mdns = yes: write the Avahi service file (_smb._tcp and\n"
"           _device-info._tcp, model=" DISC_MODEL "), default\n"
"           " DISC_AVAHI_FILE "; avahi-daemon picks it up.\n"
"           mdns = no, or --remove: delete it.\n"
"  wsdd     print wsdd's command line (ARGS after -- are appended);\n"
"           --check: exit 0 if wsd = yes and wsdd is installed, else 1;\n"
"           --exec: run it (refused when wsd = no).\n"
"           --wsdd PATH: the wsdd program (default " DISC_WSDD ").\n");
}

/* Print a word for a POSIX shell: bare if it is safe, else '...'. */
static void print_shell_word(const char *w)
{
	const char *c = NULL;

	if (w[0] != '\0' &&
	    strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		   "0123456789_./:=@%+,-") == strlen(w)) {
		fputs(w, stdout);
		return;
	}
	putchar('\'');
	for (c = w; *c != '\0'; c++) {
		if (*c == '\'') {
			fputs("'\\''", stdout);
		} else {
			putchar(*c);
		}
	}
	putchar('\'');
}

static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\') {
			printf("\\%c", *s);
		} else if ((unsigned char)*s < 0x20) {
			printf("\\u%04x", (unsigned char)*s);
		} else {
			putchar(*s);
		}
	}
	putchar('"');
}

static struct wg_config *load_config(struct wgnet *ctx)
{
	char *err = NULL;
	struct wg_config *cfg = wg_config_load(ctx->mem, ctx->config_path,
					       &err);

	if (cfg == NULL) {
		if (err != NULL && strncmp(err, ctx->config_path,
					   strlen(ctx->config_path)) == 0) {
			err_msg("%s", err);
		} else {
			err_msg("%s: %s", ctx->config_path,
				err != NULL ? err : "out of memory");
		}
	}
	return cfg;
}

static int discovery_show(struct wgnet *ctx, bool json)
{
	struct wg_config *cfg = load_config(ctx);
	char **argv = NULL;
	uint16_t port = 0;
	size_t i = 0;

	if (cfg == NULL) {
		return WGNET_ERR;
	}
	argv = disc_wsdd_argv(ctx->mem, cfg, DISC_WSDD, NULL, 0);
	if (argv == NULL) {
		err_msg("out of memory");
		return WGNET_ERR;
	}
	port = disc_smb_port(cfg);
	if (json) {
		printf("{\"name\":");
		print_json_string(cfg->netbios_name);
		printf(",\"workgroup\":");
		print_json_string(cfg->workgroup);
		printf(",\"mdns\":%s,\"smb_port\":%u,\"model\":\"%s\"",
		       cfg->mdns ? "true" : "false", (unsigned)port,
		       DISC_MODEL);
		printf(",\"avahi_file\":\"%s\",\"wsd\":%s,\"wsdd\":[",
		       DISC_AVAHI_FILE, cfg->wsd ? "true" : "false");
		for (i = 0; argv[i] != NULL; i++) {
			printf("%s", i > 0 ? "," : "");
			print_json_string(argv[i]);
		}
		printf("]}\n");
		return WGNET_OK;
	}
	printf("Name:       %s\n", cfg->netbios_name);
	printf("Workgroup:  %s\n", cfg->workgroup);
	if (!cfg->mdns) {
		printf("mDNS:       off (mdns = no)\n");
	} else if (port == 0) {
		printf("mDNS:       nothing to announce: \"smb ports\" has "
		       "only 139\n");
	} else {
		printf("mDNS:       _smb._tcp port %u and _device-info._tcp "
		       "model=%s, by avahi-daemon\n", (unsigned)port,
		       DISC_MODEL);
		printf("            from %s\n", DISC_AVAHI_FILE);
	}
	if (!cfg->wsd) {
		printf("WS-Discovery: off (wsd = no)\n");
		return WGNET_OK;
	}
	printf("WS-Discovery: ");
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0) {
			putchar(' ');
		}
		print_shell_word(argv[i]);
	}
	putchar('\n');
	return WGNET_OK;
}

/* Replace path with text (mode 0644) unless it already holds it. */
static int write_service_file(struct wgnet *ctx, const char *path,
			      const char *text)
{
	size_t len = strlen(text);
	char *tmp = NULL;
	char *old = NULL;
	FILE *f = NULL;
	int fd = -1;
	int rc = WGNET_ERR;

	f = fopen(path, "re");
	if (f != NULL) {
		old = talloc_zero_array(ctx->mem, char, len + 2);
		if (old != NULL && fread(old, 1, len + 1, f) == len &&
		    memcmp(old, text, len) == 0) {
			rc = WGNET_OK;	/* unchanged: no reload for avahi */
		}
		fclose(f);
		talloc_free(old);
		if (rc == WGNET_OK) {
			return rc;
		}
	}
	tmp = talloc_asprintf(ctx->mem, "%s.XXXXXX", path);
	if (tmp == NULL) {
		err_msg("out of memory");
		return WGNET_ERR;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err_msg("cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0644) != 0 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) != 0) {
		err_msg("cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		err_msg("cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		err_msg("cannot rename %s to %s: %s", tmp, path,
			strerror(errno));
		goto out;
	}
	rc = WGNET_OK;
out:
	if (fd >= 0) {
		close(fd);
	}
	if (rc != WGNET_OK) {
		unlink(tmp);
	}
	talloc_free(tmp);
	return rc;
}

static int remove_service_file(const char *path)
{
	if (unlink(path) != 0 && errno != ENOENT) {
		err_msg("cannot remove %s: %s", path, strerror(errno));
		return WGNET_ERR;
	}
	return WGNET_OK;
}

static int discovery_avahi(struct wgnet *ctx, const char *path, bool remove)
{
	struct wg_config *cfg = NULL;
	struct stat st = {};
	char *dir = NULL;
	char *text = NULL;

	if (remove) {
		return remove_service_file(path);
	}
	cfg = load_config(ctx);
	if (cfg == NULL) {
		return WGNET_ERR;
	}
	if (!cfg->mdns) {
		return remove_service_file(path);
	}
	dir = talloc_strdup(ctx->mem, path);
	if (dir == NULL) {
		err_msg("out of memory");
		return WGNET_ERR;
	}
	if (stat(dirname(dir), &st) != 0 || !S_ISDIR(st.st_mode)) {
		/* no Avahi here: nothing to tell it, and not an error */
		fprintf(stderr, "wgnet: %s: no such directory (is "
			"avahi-daemon installed?); mDNS not set up\n",
			dirname(dir));
		return WGNET_OK;
	}
	text = disc_avahi_service(ctx->mem, cfg);
	if (text == NULL) {
		if (disc_smb_port(cfg) == 0) {
			err_msg("%s: \"smb ports\" has no port but 139 "
				"(NetBIOS); nothing to announce over mDNS",
				ctx->config_path);
		} else {
			err_msg("out of memory");
		}
		return WGNET_ERR;
	}
	return write_service_file(ctx, path, text);
}

static int discovery_wsdd(struct wgnet *ctx, const char *wsdd, bool check,
			  bool exec, char **extra, int nextra)
{
	struct wg_config *cfg = load_config(ctx);
	char **argv = NULL;
	size_t i = 0;

	if (cfg == NULL) {
		return WGNET_ERR;
	}
	if (check || exec) {
		if (!cfg->wsd) {
			fprintf(stderr, "wgnet: %s: wsd = no; WS-Discovery "
				"is off\n", ctx->config_path);
			return WGNET_ERR;
		}
		if (access(wsdd, X_OK) != 0) {
			fprintf(stderr, "wgnet: %s: %s (install the wsdd "
				"package); WS-Discovery is off\n", wsdd,
				strerror(errno));
			return WGNET_ERR;
		}
		if (check) {
			return WGNET_OK;
		}
	}
	argv = disc_wsdd_argv(ctx->mem, cfg, wsdd, extra, nextra);
	if (argv == NULL) {
		err_msg("out of memory");
		return WGNET_ERR;
	}
	if (exec) {
		fflush(stdout);
		execv(argv[0], argv);
		err_msg("cannot run %s: %s", argv[0], strerror(errno));
		return WGNET_ERR;
	}
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0) {
			putchar(' ');
		}
		print_shell_word(argv[i]);
	}
	putchar('\n');
	return WGNET_OK;
}

int verb_discovery(struct wgnet *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "file", required_argument, NULL, 'f' },
		{ "remove", no_argument, NULL, 'r' },
		{ "wsdd", required_argument, NULL, 'w' },
		{ "check", no_argument, NULL, 'k' },
		{ "exec", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sub = "show";
	const char *file = DISC_AVAHI_FILE;
	const char *wsdd = DISC_WSDD;
	bool json = false;
	bool remove = false;
	bool check = false;
	bool exec = false;
	bool file_given = false;
	bool wsdd_given = false;
	int c = 0;

	if (argc > 1 && argv[1][0] != '-') {
		sub = argv[1];
		argc--;
		argv++;
	}
	optind = 0;	/* glibc: full re-initialisation for a new argv */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'f':
			file = optarg;
			file_given = true;
			break;
		case 'r':
			remove = true;
			break;
		case 'w':
			wsdd = optarg;
			wsdd_given = true;
			break;
		case 'k':
			check = true;
			break;
		case 'x':
			exec = true;
			break;
		case 'h':
			usage_discovery(stdout);
			return WGNET_OK;
		default:
			return WGNET_USAGE;
		}
	}
	if (strcmp(sub, "show") == 0) {
		if (optind != argc || file_given || remove || wsdd_given ||
		    check || exec) {
			err_msg("usage: wgnet discovery show [--json]");
			return WGNET_USAGE;
		}
		return discovery_show(ctx, json);
	}
	if (strcmp(sub, "avahi") == 0) {
		if (optind != argc || json || wsdd_given || check || exec) {
			err_msg("usage: wgnet discovery avahi [--file PATH] "
				"[--remove]");
			return WGNET_USAGE;
		}
		if (file[0] != '/') {
			err_msg("--file %s: must be an absolute path", file);
			return WGNET_USAGE;
		}
		return discovery_avahi(ctx, file, remove);
	}
	if (strcmp(sub, "wsdd") == 0) {
		if (json || file_given || remove || (check && exec) ||
		    (check && optind != argc) ||
		    (optind < argc && strcmp(argv[optind - 1], "--") != 0)) {
			err_msg("usage: wgnet discovery wsdd [--wsdd PATH] "
				"[--check | --exec] [-- ARGS...]");
			return WGNET_USAGE;
		}
		return discovery_wsdd(ctx, wsdd, check, exec, argv + optind,
				      argc - optind);
	}
	err_msg("discovery: unknown action \"%s\" (show, avahi, wsdd)", sub);
	return WGNET_USAGE;
}
