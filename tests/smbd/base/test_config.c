/*
 * test_config.c - smbd/base/config.c (and the small log.c API it feeds):
 * defaults, every key, durations, bad values reported as FILE:LINE,
 * shares and IPC$, protocol names.
 */
#include "tests/wgtest.h"

#include <ctype.h>
#include <stdio.h>
#include <unistd.h>

#include "smbd/base/config.h"
#include "smbd/base/log.h"
#include "proto/smb2.h"

/* Write text to a fresh temporary file; the path is a child of mem. */
static char *write_conf(TALLOC_CTX *mem, const char *text)
{
	char *path = talloc_asprintf(mem, "%s/wgtest-conf-XXXXXX",
				     getenv("TMPDIR") != NULL ?
				     getenv("TMPDIR") : "/tmp");
	size_t len = strlen(text);
	int fd = -1;

	ck_assert_ptr_nonnull(path);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Load text as a config file under wgt_root; *err and *path optional. */
static struct wg_config *load(const char *text, char **err, char **pathp)
{
	char *path = write_conf(wgt_root, text);
	char *e = NULL;
	struct wg_config *cfg = wg_config_load(wgt_root, path, &e);

	unlink(path);
	if (cfg != NULL) {
		ck_assert_ptr_null(e);
	} else {
		ck_assert_ptr_nonnull(e);
	}
	if (err != NULL) {
		*err = e;
	} else {
		talloc_free(e);
	}
	if (pathp != NULL) {
		*pathp = path;
	} else {
		talloc_free(path);
	}
	return cfg;
}

static struct wg_config *load_ok(const char *text)
{
	char *err = NULL;
	struct wg_config *cfg = load(text, &err, NULL);

	ck_assert_msg(cfg != NULL, "unexpected error: %s", err);
	return cfg;
}

/* The load must fail with "PATH:LINE: ..." containing what. */
static void expect_error(const char *text, int line, const char *what)
{
	char *err = NULL;
	char *path = NULL;
	char *prefix = NULL;
	struct wg_config *cfg = load(text, &err, &path);

	ck_assert_msg(cfg == NULL, "loaded, expected error '%s'", what);
	prefix = talloc_asprintf(wgt_root, "%s:%d: ", path, line);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0,
		      "error '%s' does not start with '%s'", err, prefix);
	ck_assert_msg(strstr(err, what) != NULL,
		      "error '%s' does not mention '%s'", err, what);
	talloc_free(prefix);
	talloc_free(path);
	talloc_free(err);
}

START_TEST(test_defaults)
{
	struct wg_config *cfg = load_ok("");
	const struct wg_share_cfg *ipc = NULL;
	char host[256] = "";
	char want[16] = "";
	size_t i = 0;

	ck_assert_int_eq(gethostname(host, sizeof(host) - 1), 0);
	for (i = 0; i < 15 && host[i] != '\0' && host[i] != '.'; i++) {
		want[i] = (char)toupper((unsigned char)host[i]);
	}
	if (want[0] == '\0') {
		strcpy(want, "WGSMB");
	}
	ck_assert_str_eq(cfg->netbios_name, want);
	ck_assert_str_eq(cfg->workgroup, "WORKGROUP");
	ck_assert_str_eq(cfg->listen_addresses[0], "0.0.0.0");
	ck_assert_str_eq(cfg->listen_addresses[1], "::");
	ck_assert_ptr_null(cfg->listen_addresses[2]);
	ck_assert_uint_eq(cfg->nports, 2);
	ck_assert_uint_eq(cfg->ports[0], 445);
	ck_assert_uint_eq(cfg->ports[1], 139);
	ck_assert_str_eq(cfg->users_file, "/var/lib/wgsmb/users");
	ck_assert_str_eq(cfg->state_dir, "/var/lib/wgsmb");
	ck_assert_str_eq(cfg->run_as_user, "_wgsmb");
	ck_assert_int_eq(cfg->log_level, WG_LOG_NOTICE);
	ck_assert_str_eq(cfg->log_classes, "");
	ck_assert(!cfg->signing_mandatory);
	ck_assert_uint_eq(cfg->min_protocol, SMB2_DIALECT_202);
	ck_assert_uint_eq(cfg->max_protocol, SMB2_DIALECT_311);
	ck_assert_int_eq(cfg->map_to_guest, WG_GUEST_NEVER);
	ck_assert_str_eq(cfg->guest_account, "nobody");
	ck_assert_str_eq(cfg->admin_users, "");
	ck_assert_uint_eq(cfg->max_opens_per_session, 16384);
	ck_assert(cfg->mdns);
	ck_assert(cfg->wsd);
	ck_assert(!cfg->ntlmv1_permitted);
	ck_assert(!cfg->nbns);
	ck_assert_uint_eq(cfg->nbns_port, 137);
	ck_assert_str_eq(cfg->edition, "workstation");
	ck_assert_int_eq(cfg->max_sessions, -1);
	ck_assert_str_eq(cfg->session_accounting, "windows");
	ck_assert_str_eq(cfg->cap_policy, "refuse");
	ck_assert_int_eq(cfg->restrict_anonymous, 0);
	ck_assert_uint_eq(cfg->autodisconnect_ms, 15 * 60 * 1000);
	ck_assert_uint_eq(cfg->null_session_timeout_ms, 60 * 1000);
	ck_assert_uint_eq(cfg->spoolss_handle_timeout_ms, 5 * 60 * 1000);
	ck_assert_uint_eq(cfg->auth_timeout_ms, 30 * 1000);
	ck_assert_uint_eq(cfg->linger_timeout_ms, 10 * 1000);
	ck_assert_ptr_nonnull(cfg->path);

	ck_assert_uint_eq(cfg->nshares, 1);
	ipc = wg_config_find_share(cfg, "ipc$");
	ck_assert_ptr_eq(ipc, &cfg->shares[0]);
	ck_assert_str_eq(ipc->name, "IPC$");
	ck_assert_int_eq(ipc->type, WG_SHARE_IPC);
	ck_assert_str_eq(ipc->comment, "IPC Service");
	ck_assert_str_eq(ipc->path, "");
	ck_assert_ptr_null(ipc->valid_users);
	ck_assert_ptr_null(wg_config_find_share(cfg, "nope"));
	talloc_free(cfg);
}
END_TEST

START_TEST(test_global_keys)
{
	struct wg_config *cfg = load_ok(
		"[global]\n"
		"netbios name = fileserver\n"
		"workgroup = office\n"
		"listen addresses = 192.168.1.10, ::1  10.0.0.1\n"
		"smb ports = 4450\n"
		"users file = /etc/wgsmb/users\n"
		"state directory = /var/lib/wgsmb2/\n"
		"run as user = wgsmb\n"
		"log level = 3\n"
		"server signing = mandatory\n"
		"server min protocol = SMB2_10\n"
		"server max protocol = SMB3_02\n"
		"map to guest = Bad  User\n"
		"guest account = smbguest\n"
		"admin users = alice, bob\n"
		"max open files = 100\n"
		"mdns = no\n"
		"wsd = off\n"
		"ntlm auth = NTLMv1-permitted\n"
		"netbios name service = yes\n"
		"nbns port = 1137\n"
		"edition = Server\n"
		"max sessions = 0\n"
		"session accounting = computer\n"
		"cap policy = reclaim\n"
		"restrict anonymous = 2\n"
		"autodisconnect = 30\n"
		"null session timeout = 2m\n"
		"spoolss handle timeout = 1h\n"
		"auth timeout = 500ms\n"
		"linger timeout = 0\n");

	ck_assert_str_eq(cfg->netbios_name, "FILESERVER");
	ck_assert_str_eq(cfg->workgroup, "OFFICE");
	ck_assert_str_eq(cfg->listen_addresses[0], "192.168.1.10");
	ck_assert_str_eq(cfg->listen_addresses[1], "::1");
	ck_assert_str_eq(cfg->listen_addresses[2], "10.0.0.1");
	ck_assert_ptr_null(cfg->listen_addresses[3]);
	ck_assert_uint_eq(cfg->nports, 1);
	ck_assert_uint_eq(cfg->ports[0], 4450);
	ck_assert_str_eq(cfg->users_file, "/etc/wgsmb/users");
	ck_assert_str_eq(cfg->state_dir, "/var/lib/wgsmb2");
	ck_assert_str_eq(cfg->run_as_user, "wgsmb");
	ck_assert_int_eq(cfg->log_level, 3);
	ck_assert(cfg->signing_mandatory);
	ck_assert_uint_eq(cfg->min_protocol, SMB2_DIALECT_210);
	ck_assert_uint_eq(cfg->max_protocol, SMB2_DIALECT_302);
	ck_assert_int_eq(cfg->map_to_guest, WG_GUEST_BAD_USER);
	ck_assert_str_eq(cfg->guest_account, "smbguest");
	ck_assert_str_eq(cfg->admin_users, "alice bob");
	ck_assert_uint_eq(cfg->max_opens_per_session, 100);
	ck_assert(!cfg->mdns);
	ck_assert(!cfg->wsd);
	ck_assert(cfg->ntlmv1_permitted);
	ck_assert(cfg->nbns);
	ck_assert_uint_eq(cfg->nbns_port, 1137);
	ck_assert_str_eq(cfg->edition, "server");
	ck_assert_int_eq(cfg->max_sessions, 0);
	ck_assert_str_eq(cfg->session_accounting, "computer");
	ck_assert_str_eq(cfg->cap_policy, "reclaim");
	ck_assert_int_eq(cfg->restrict_anonymous, 2);
	ck_assert_uint_eq(cfg->autodisconnect_ms, 30 * 60 * 1000);
	ck_assert_uint_eq(cfg->null_session_timeout_ms, 2 * 60 * 1000);
	ck_assert_uint_eq(cfg->spoolss_handle_timeout_ms, 3600 * 1000);
	ck_assert_uint_eq(cfg->auth_timeout_ms, 500);
	ck_assert_uint_eq(cfg->linger_timeout_ms, 0);
	talloc_free(cfg);
}
END_TEST

START_TEST(test_alternate_values)
{
	struct wg_config *cfg = load_ok(
		"[global]\n"
		"server signing = required\n"
		"map to guest = never\n"
		"autodisconnect = 90s\n"
		"edition = home\n"
		"max sessions = -1\n"
		"log level = 10\n");

	ck_assert(cfg->signing_mandatory);
	ck_assert_int_eq(cfg->map_to_guest, WG_GUEST_NEVER);
	ck_assert_uint_eq(cfg->autodisconnect_ms, 90 * 1000);
	ck_assert_str_eq(cfg->edition, "home");
	ck_assert_int_eq(cfg->max_sessions, -1);
	ck_assert_int_eq(cfg->log_level, WG_LOG_DEBUG);
	talloc_free(cfg);

	cfg = load_ok("[global]\nmap to guest = Bad Password\n");
	ck_assert_int_eq(cfg->map_to_guest, WG_GUEST_BAD_PASSWORD);
	talloc_free(cfg);

	cfg = load_ok("[global]\nserver signing = auto\n"
		      "server min protocol = default\n"
		      "server max protocol = default\n");
	ck_assert(!cfg->signing_mandatory);
	ck_assert_uint_eq(cfg->min_protocol, SMB2_DIALECT_202);
	ck_assert_uint_eq(cfg->max_protocol, SMB2_DIALECT_311);
	talloc_free(cfg);

	cfg = load_ok("[global]\nserver signing = default\n");
	ck_assert(!cfg->signing_mandatory);
	ck_assert(!cfg->smb1_enabled);	/* SMB1 is off by default */
	talloc_free(cfg);

	/* NT1 turns the SMB1 front end on; SMB2 clients still get SMB2 */
	cfg = load_ok("[global]\nserver min protocol = NT1\n");
	ck_assert(cfg->smb1_enabled);
	ck_assert_uint_eq(cfg->min_protocol, SMB2_DIALECT_202);
	talloc_free(cfg);

	/* the last setting counts */
	cfg = load_ok("[global]\nserver min protocol = NT1\n"
		      "server min protocol = SMB2_10\n");
	ck_assert(!cfg->smb1_enabled);
	ck_assert_uint_eq(cfg->min_protocol, SMB2_DIALECT_210);
	talloc_free(cfg);
}
END_TEST

/* The per-client budgets: defaults, every key, size suffixes. */
START_TEST(test_budget_keys)
{
	struct wg_config *cfg = load_ok("[global]\n");
	uint64_t n = 0;

	ck_assert_uint_eq(cfg->max_sessions_per_conn, 64);
	ck_assert_uint_eq(cfg->max_sessions_in_progress, 8);
	ck_assert_uint_eq(cfg->max_tree_connects, 1024);
	ck_assert_uint_eq(cfg->max_reply_backlog, 8 * 1024 * 1024);
	talloc_free(cfg);

	cfg = load_ok("[global]\n"
		      "max sessions per connection = 3\n"
		      "max sessions in progress = 2\n"
		      "max tree connects = 5\n"
		      "max locks per open = 7\n"
		      "max pending notifies = 9\n"
		      "max directory memory = 512k\n"
		      "max reply backlog = 16M\n");
	ck_assert_uint_eq(cfg->max_sessions_per_conn, 3);
	ck_assert_uint_eq(cfg->max_sessions_in_progress, 2);
	ck_assert_uint_eq(cfg->max_tree_connects, 5);
	ck_assert_uint_eq(cfg->max_locks_per_open, 7);
	ck_assert_uint_eq(cfg->max_pending_notifies, 9);
	ck_assert_uint_eq(cfg->max_dir_memory, 512 * 1024);
	ck_assert_uint_eq(cfg->max_reply_backlog, 16 * 1024 * 1024);
	talloc_free(cfg);

	ck_assert_int_eq(wg_parse_size("4096", &n), 0);
	ck_assert_uint_eq(n, 4096);
	ck_assert_int_eq(wg_parse_size("2g", &n), 0);
	ck_assert_uint_eq(n, 2ull * 1024 * 1024 * 1024);
	ck_assert_int_eq(wg_parse_size("", &n), -1);
	ck_assert_int_eq(wg_parse_size("-1", &n), -1);
	ck_assert_int_eq(wg_parse_size("1T", &n), -1);
	ck_assert_int_eq(wg_parse_size("18446744073709551615k", &n), -1);
}
END_TEST

START_TEST(test_log_level_classes)
{
	struct wg_config *cfg = load_ok("[global]\n"
					"log level = 1 AUTH:4 conn:10 all:2\n");

	ck_assert_int_eq(cfg->log_level, 1);
	ck_assert_str_eq(cfg->log_classes, "auth:4 conn:4 all:2");
	talloc_free(cfg);

	cfg = load_ok("[global]\nlog level = auth:3\n");
	ck_assert_int_eq(cfg->log_level, WG_LOG_NOTICE);
	ck_assert_str_eq(cfg->log_classes, "auth:3");
	talloc_free(cfg);

	expect_error("[global]\nlog level = 2 passdb:5\n", 2,
		     "unknown debug class 'passdb'");
	expect_error("[global]\nlog level = 11\n", 2, "not a level 0-10");
	expect_error("[global]\nlog level = auth:4 2\n", 2, "'2'");
	expect_error("[global]\nlog level = auth:x\n", 2, "needs a level");
	expect_error("[global]\nlog level =\n", 2, "must not be empty");
}
END_TEST

START_TEST(test_shares)
{
	struct wg_config *cfg = load_ok(
		"[global]\n"
		"guest ok = yes\n"
		"[Public]\n"
		"path = /srv/public/\n"
		"comment = Public files\n"
		"writable = yes\n"
		"[docs]\n"
		"path = /srv/docs\n"
		"guest ok = no\n"
		"valid users = alice, bob carol\n"
		"[w1]\n"
		"path = /a\n"
		"writeable = true\n"
		"[w2]\n"
		"path = /b\n"
		"write ok = 1\n"
		"read only = on\n"
		"[laser]\n"
		"path = /var/spool/wgsmb\n"
		"printable = yes\n"
		"print command = lpr -P laser %s\n"
		"[p2]\n"
		"path = /var/spool/wgsmb\n"
		"print ok = yes\n"
		"[all]\n"
		"path = /\n"
		"valid users =\n");
	const struct wg_share_cfg *sh = NULL;

	ck_assert_uint_eq(cfg->nshares, 8);
	ck_assert_str_eq(cfg->shares[7].name, "IPC$");

	sh = wg_config_find_share(cfg, "PUBLIC");
	ck_assert_ptr_nonnull(sh);
	ck_assert_str_eq(sh->name, "Public");
	ck_assert_str_eq(sh->path, "/srv/public");
	ck_assert_str_eq(sh->comment, "Public files");
	ck_assert_int_eq(sh->type, WG_SHARE_DISK);
	ck_assert(!sh->read_only);
	ck_assert(sh->guest_ok);	/* from [global] */
	ck_assert_ptr_null(sh->valid_users);
	ck_assert_ptr_null(sh->print_command);

	sh = wg_config_find_share(cfg, "docs");
	ck_assert(sh->read_only);	/* the default */
	ck_assert(!sh->guest_ok);
	ck_assert_str_eq(sh->comment, "");
	ck_assert_str_eq(sh->valid_users[0], "alice");
	ck_assert_str_eq(sh->valid_users[1], "bob");
	ck_assert_str_eq(sh->valid_users[2], "carol");
	ck_assert_ptr_null(sh->valid_users[3]);

	ck_assert(!wg_config_find_share(cfg, "w1")->read_only);
	ck_assert(wg_config_find_share(cfg, "w2")->read_only);

	sh = wg_config_find_share(cfg, "laser");
	ck_assert_int_eq(sh->type, WG_SHARE_PRINT);
	ck_assert_str_eq(sh->print_command, "lpr -P laser %s");
	ck_assert_int_eq(wg_config_find_share(cfg, "p2")->type,
			 WG_SHARE_PRINT);

	sh = wg_config_find_share(cfg, "all");
	ck_assert_str_eq(sh->path, "/");
	ck_assert_ptr_null(sh->valid_users);
	talloc_free(cfg);
}
END_TEST

START_TEST(test_share_errors)
{
	char name[100];

	expect_error("[a]\npath = /a\n[b]\npath = /b\n[A]\npath = /c\n", 5,
		     "duplicate share [A] (first defined at line 1)");
	expect_error("[IPC$]\npath = /x\n", 1, "built in");
	expect_error("[global]\n[ipc$]\n", 2, "built in");
	expect_error("[x]\ncomment = no path\n[y]\npath=/y\n", 1,
		     "share [x] has no 'path'");
	expect_error("[empty]\n", 1, "share [empty] has no 'path'");
	expect_error("[x]\npath = relative/dir\n", 2,
		     "must be an absolute path");
	expect_error("[a:b]\npath = /a\n", 1, "invalid character");
	expect_error("[a*]\npath = /a\n", 1, "invalid character");
	expect_error("[ ]\n", 1, "empty section name");
	expect_error("[x]\npath = /x\nprint command = lpr\n", 3,
		     "not printable");
	expect_error("[x]\npath = /x\nread only = maybe\n", 3,
		     "not a boolean");
	expect_error("[x]\npath = /x\nbrowseable = yes\n", 3,
		     "unknown key 'browseable' in [x]");
	expect_error("[x]\npath = /x\nnetbios name = foo\n", 3,
		     "unknown key 'netbios name' in [x]");

	/* 80 characters is fine, 81 is not. */
	memset(name, 'n', 80);
	strcpy(name + 80, "]\npath = /n\n");
	{
		char *text = talloc_asprintf(wgt_root, "[%s", name);
		struct wg_config *cfg = load_ok(text);

		ck_assert_uint_eq(strlen(cfg->shares[0].name), 80);
		talloc_free(cfg);
		talloc_free(text);
	}
	memset(name, 'n', 81);
	strcpy(name + 81, "]\n");
	{
		char *text = talloc_asprintf(wgt_root, "[%s", name);

		expect_error(text, 1, "longer than 80 characters");
		talloc_free(text);
	}
}
END_TEST

START_TEST(test_global_errors)
{
	static const struct {
		const char *text;
		int line;
		const char *what;
	} cases[] = {
		{ "[global]\nnetbios name = ABCDEFGHIJKLMNOP\n", 2,
		  "must be 1 to 15" },
		{ "[global]\nnetbios name = has space\n", 2,
		  "invalid character" },
		{ "[global]\nworkgroup = a/b\n", 2, "invalid character" },
		{ "[global]\nlisten addresses = eth0\n", 2,
		  "'eth0' is not an IPv4 or IPv6 address" },
		{ "[global]\nlisten addresses = ,\n", 2, "1 to 32" },
		{ "[global]\nsmb ports = 445 0\n", 2, "'0' is not a port" },
		{ "[global]\nsmb ports = 70000\n", 2, "not a port" },
		{ "[global]\nsmb ports = 445 445\n", 2, "listed twice" },
		{ "[global]\nsmb ports = 1 2 3 4 5 6 7 8 9\n", 2,
		  "1 to 8 ports" },
		{ "[global]\nusers file = users\n", 2, "absolute path" },
		{ "[global]\nstate directory = \n", 2, "absolute path" },
		{ "[global]\nrun as user =\n", 2, "must not be empty" },
		{ "[global]\nrun as user = a b\n", 2, "not a valid user" },
		{ "[global]\nserver signing = disabled\n", 2,
		  "cannot be disabled" },
		{ "[global]\nserver signing = sometimes\n", 2,
		  "not enabled or mandatory" },
		{ "[global]\nserver min protocol = LANMAN1\n", 2,
		  "before NT LM 0.12 are not supported" },
		{ "[global]\nserver max protocol = LANMAN2\n", 2,
		  "always offers SMB2" },
		{ "[global]\nserver max protocol = NT1\n", 2,
		  "always offers SMB2" },
		{ "[global]\nserver max protocol = SMB4\n", 2,
		  "'SMB4' is unknown" },
		{ "[global]\nserver min protocol = SMB3\n"
		  "server max protocol = SMB2\n", 3,
		  "min protocol SMB3_00 is above server max protocol "
		  "SMB2_10" },
		{ "[global]\nserver max protocol = SMB2_02\n\n"
		  "server min protocol = SMB3_11\n", 4, "is above" },
		{ "[global]\nmap to guest = bad uid\n", 2,
		  "for domain members" },
		{ "[global]\nmap to guest = always\n", 2,
		  "not 'never', 'bad user' or 'bad password'" },
		{ "[global]\nguest ok = perhaps\n", 2, "not a boolean" },
		{ "[global]\nmdns = maybe\n", 2,
		  "mdns 'maybe' is not a boolean" },
		{ "[global]\nwsd = 2\n", 2, "wsd '2' is not a boolean" },
		{ "[global]\nntlm auth = disabled\n", 2,
		  "ntlm auth 'disabled' is not 'ntlmv2-only' or "
		  "'ntlmv1-permitted'" },
		{ "[global]\nnetbios name service = 2\n", 2,
		  "netbios name service '2' is not a boolean" },
		{ "[global]\nnbns port = 0\n", 2,
		  "nbns port: '0' is not a port" },
		{ "[global]\nmax reply backlog = 1M\n", 2,
		  "not a size from 2097152 to" },
		{ "[global]\nmax reply backlog = 8X\n", 2, "suffixes K, M, G" },
		{ "[global]\nmax directory memory = 99999999999G\n", 2,
		  "not a size" },
		{ "[global]\nmax tree connects = 0\n", 2, "from 1 to 65534" },
		{ "[global]\nmax sessions in progress = 2000\n", 2,
		  "from 1 to 1024" },
		{ "[global]\nmax sessions per connection = x\n", 2,
		  "from 1 to 65535" },
		{ "[global]\nmax locks per open = -1\n", 2, "from 1 to" },
		{ "[global]\nmax pending notifies = 0\n", 2, "from 1 to" },
		{ "[global]\nmax open files = 0\n", 2, "from 1 to 16384" },
		{ "[global]\nmax open files = 16385\n", 2, "from 1 to" },
		{ "[global]\nedition = enterprise\n", 2,
		  "workstation, home or server" },
		{ "[global]\nmax sessions = -2\n", 2, "from 0 to" },
		{ "[global]\nmax sessions = ten\n", 2, "from 0 to" },
		{ "[global]\nsession accounting = user\n", 2,
		  "windows or computer" },
		{ "[global]\ncap policy = kick\n", 2, "refuse or reclaim" },
		{ "[global]\nrestrict anonymous = 3\n", 2, "0, 1 or 2" },
		{ "[global]\nautodisconnect = soon\n", 2, "not a duration" },
		{ "[global]\nautodisconnect = 99999999\n", 2, "too long" },
		{ "[global]\nnull session timeout = -5s\n", 2,
		  "not a duration" },
		{ "[global]\nspoolss handle timeout = 5 minutes\n", 2,
		  "not a duration" },
		{ "[global]\nauth timeout = 1y\n", 2, "not a duration" },
		{ "[global]\nlinger timeout = 50d\n", 2, "not a duration" },
		{ "[global]\nnetbiosname = X\n", 2,
		  "unknown key 'netbiosname' in [global]" },
		{ "[global]\nserver string = hello\n", 2,
		  "unknown key 'server string' in [global]" },
		{ "[global]\npath = /x\n", 2, "unknown key 'path'" },
		{ "netbios name = X\n", 1, "outside any [section]" },
	};
	size_t i = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		expect_error(cases[i].text, cases[i].line, cases[i].what);
	}
}
END_TEST

/* `loop priority`: 0 by default, -20..19 taken, anything else refused */
START_TEST(test_loop_priority)
{
	static const struct {
		const char *text;
		int want;
	} ok[] = {
		{ "[global]\n", 0 },
		{ "[global]\nloop priority = -5\n", -5 },
		{ "[global]\nloop priority = 19\n", 19 },
		{ "[global]\nloop priority = -20\n", -20 },
	};
	size_t i = 0;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct wg_config *cfg = load_ok(ok[i].text);

		ck_assert_int_eq(cfg->loop_priority, ok[i].want);
		talloc_free(cfg);
	}
	expect_error("[global]\nloop priority = -21\n", 2,
		     "not a nice value from -20 to 19");
	{
		/* `write splice pipes`: 64 by default, 0 switches off */
		struct wg_config *cfg = load_ok("[global]\n");

		ck_assert_uint_eq(cfg->write_splice_pipes, 64);
		talloc_free(cfg);
		cfg = load_ok("[global]\nwrite splice pipes = 0\n");
		ck_assert_uint_eq(cfg->write_splice_pipes, 0);
		talloc_free(cfg);
		cfg = load_ok("[global]\nwrite splice pipes = 2\n");
		ck_assert_uint_eq(cfg->write_splice_pipes, 2);
		talloc_free(cfg);
		expect_error("[global]\nwrite splice pipes = 4097\n", 2,
			     "not a number from 0 to 4096");
	}
	expect_error("[global]\nloop priority = 20\n", 2, "nice value");
	expect_error("[global]\nloop priority = high\n", 2, "nice value");
}
END_TEST

START_TEST(test_control_socket)
{
	struct wg_config *cfg = load_ok("[global]\n");
	char long_dir[160];
	char *text = NULL;
	char *err = NULL;

	ck_assert_str_eq(cfg->control_socket, "/var/lib/wgsmb/wgsmbd.sock");
	ck_assert_str_eq(cfg->admin_group, "");
	talloc_free(cfg);

	/* the default follows the state directory, wherever it is set */
	cfg = load_ok("[global]\nstate directory = /srv/wg/\n");
	ck_assert_str_eq(cfg->control_socket, "/srv/wg/wgsmbd.sock");
	talloc_free(cfg);

	cfg = load_ok("[global]\ncontrol socket = /run/wgsmb/ctl.sock\n"
		      "state directory = /srv/wg\n"
		      "admin group = wgadmin\n");
	ck_assert_str_eq(cfg->control_socket, "/run/wgsmb/ctl.sock");
	ck_assert_str_eq(cfg->admin_group, "wgadmin");
	talloc_free(cfg);

	expect_error("[global]\ncontrol socket = wgsmbd.sock\n", 2,
		     "absolute path");
	expect_error("[global]\nadmin group = wg admins\n", 2,
		     "not a valid group name");
	expect_error("[global]\nadmin group = a,b\n", 2,
		     "not a valid group name");

	/* sockaddr_un holds 107 bytes of path */
	memset(long_dir, 'd', sizeof(long_dir));
	long_dir[0] = '/';
	long_dir[101] = '\0';
	text = talloc_asprintf(wgt_root, "[global]\n\ncontrol socket = "
			       "%s/x.sock\n", long_dir);
	expect_error(text, 3, "longer than 107 bytes");
	talloc_free(text);
	text = talloc_asprintf(wgt_root, "[global]\nstate directory = %s\n",
			       long_dir);
	ck_assert_ptr_null(load(text, &err, NULL));
	ck_assert_msg(strstr(err, "set 'control socket' to a shorter path") !=
		      NULL, "unexpected error: %s", err);
	talloc_free(err);
	talloc_free(text);
	text = talloc_asprintf(wgt_root, "[global]\nstate directory = %s\n"
			       "control socket = /run/wgsmbd.sock\n",
			       long_dir);
	cfg = load_ok(text);
	ck_assert_str_eq(cfg->control_socket, "/run/wgsmbd.sock");
	talloc_free(cfg);
	talloc_free(text);
}
END_TEST

START_TEST(test_protocol_names)
{
	static const struct {
		const char *name;
		uint16_t as_min;
		uint16_t as_max;
	} cases[] = {
		{ "SMB2_02", SMB2_DIALECT_202, SMB2_DIALECT_202 },
		{ "smb2_10", SMB2_DIALECT_210, SMB2_DIALECT_210 },
		{ "SMB3_00", SMB2_DIALECT_300, SMB2_DIALECT_300 },
		{ "SMB3_02", SMB2_DIALECT_302, SMB2_DIALECT_302 },
		{ "SMB3_11", SMB2_DIALECT_311, SMB2_DIALECT_311 },
		{ "SMB2", SMB2_DIALECT_202, SMB2_DIALECT_210 },
		{ "SMB3", SMB2_DIALECT_300, SMB2_DIALECT_311 },
	};
	size_t i = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = talloc_asprintf(wgt_root,
					     "[global]\n"
					     "server min protocol = %s\n",
					     cases[i].name);
		struct wg_config *cfg = load_ok(text);

		ck_assert_uint_eq(cfg->min_protocol, cases[i].as_min);
		talloc_free(cfg);
		talloc_free(text);

		text = talloc_asprintf(wgt_root,
				       "[global]\nserver max protocol = %s\n",
				       cases[i].name);
		cfg = load_ok(text);
		ck_assert_uint_eq(cfg->max_protocol, cases[i].as_max);
		talloc_free(cfg);
		talloc_free(text);
	}
}
END_TEST

START_TEST(test_durations)
{
	static const struct {
		const char *s;
		int rc;
		uint32_t ms;
	} cases[] = {
		{ "15m", 0, 900000 },
		{ "60s", 0, 60000 },
		{ "500ms", 0, 500 },
		{ "2h", 0, 7200000 },
		{ "1d", 0, 86400000 },
		{ "45", 0, 45000 },
		{ "0", 0, 0 },
		{ " 10 s ", 0, 10000 },
		{ "3M", 0, 180000 },
		{ "4294967295ms", 0, 4294967295u },
		{ "4294967s", 0, 4294967000u },
		{ "4294968s", -1, 0 },
		{ "49d", 0, 49u * 86400000u },
		{ "50d", -1, 0 },
		{ "99999999999999999999999", -1, 0 },
		{ "", -1, 0 },
		{ "s", -1, 0 },
		{ "-1s", -1, 0 },
		{ "+5s", -1, 0 },
		{ "1.5s", -1, 0 },
		{ "10x", -1, 0 },
		{ "10 ms x", -1, 0 },
		{ "1h30m", -1, 0 },
	};
	uint32_t ms = 0;
	size_t i = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ms = 12345;
		ck_assert_msg(wg_parse_duration_ms(cases[i].s, &ms) ==
			      cases[i].rc, "'%s'", cases[i].s);
		if (cases[i].rc == 0) {
			ck_assert_msg(ms == cases[i].ms, "'%s' gave %u",
				      cases[i].s, ms);
		} else {
			ck_assert_uint_eq(ms, 12345);
		}
	}
	ck_assert_int_eq(wg_parse_duration_ms(NULL, &ms), -1);
}
END_TEST

START_TEST(test_syntax)
{
	/* smb.conf habits: indentation, case, blanks, comments, global
	 * anywhere and more than once, '\' continuation, a BOM. */
	struct wg_config *cfg = load_ok(
		"\xEF\xBB\xBF# comment\n"
		"; another comment\n"
		"[ Share One ]\n"
		"    PATH    =   /srv/one   \n"
		"    Read   Only = No\n"
		"\tcomment = first ; inline comment\n"
		"[GLOBAL]\n"
		"  NetBIOS Name = box\n"
		"[global]\n"
		"  workgroup = lab\n"
		"\n"
		"[two]\n"
		"  path = /srv/two\n"
		"  valid users = alice \\\n"
		"     bob \\\n"
		"     carol\n"
		"  comment = after continuation\n");
	const struct wg_share_cfg *sh = NULL;

	ck_assert_str_eq(cfg->netbios_name, "BOX");
	ck_assert_str_eq(cfg->workgroup, "LAB");
	sh = wg_config_find_share(cfg, "share one");
	ck_assert_ptr_nonnull(sh);
	ck_assert_str_eq(sh->name, "Share One");
	ck_assert_str_eq(sh->path, "/srv/one");
	ck_assert(!sh->read_only);
	ck_assert_str_eq(sh->comment, "first");
	sh = wg_config_find_share(cfg, "TWO");
	ck_assert_str_eq(sh->valid_users[0], "alice");
	ck_assert_str_eq(sh->valid_users[1], "bob");
	ck_assert_str_eq(sh->valid_users[2], "carol");
	ck_assert_ptr_null(sh->valid_users[3]);
	ck_assert_str_eq(sh->comment, "after continuation");
	talloc_free(cfg);
}
END_TEST

START_TEST(test_syntax_errors)
{
	char *long_line = NULL;
	char *text = NULL;

	expect_error("[global]\nworkgroup = A\njunk\n", 3, "syntax error");
	expect_error("[global\nworkgroup = A\n", 1, "missing ']'");
	/* Line numbers are physical lines, continuations included. */
	expect_error("[x]\npath = /x\nvalid users = a \\\n b \\\n c\n"
		     "bogus = 1\n", 6, "unknown key 'bogus'");
	expect_error("[x]\npath = /x\nvalid users = a \\\n b\njunk\n", 5,
		     "syntax error");
	expect_error("[x]\npath = /x\nmystery \\\n  key = 1\n", 3,
		     "unknown key 'mystery key'");

	long_line = talloc_zero_array(wgt_root, char, 301);
	memset(long_line, 'a', 300);
	text = talloc_asprintf(wgt_root, "[global]\n\ncomment = %s\n",
			       long_line);
	expect_error(text, 3, "line too long");
	talloc_free(text);
	talloc_free(long_line);
}
END_TEST

START_TEST(test_missing_file)
{
	char *err = NULL;
	struct wg_config *cfg = wg_config_load(wgt_root,
					       "/nonexistent/wgsmb.conf",
					       &err);

	ck_assert_ptr_null(cfg);
	ck_assert_str_eq(err, "/nonexistent/wgsmb.conf: cannot open: "
			 "No such file or directory");
	talloc_free(err);

	cfg = wg_config_load(wgt_root, "/", &err);
	ck_assert_ptr_null(cfg);
	ck_assert_str_eq(err, "/: not a regular file");
	talloc_free(err);

	/* err may be NULL */
	ck_assert_ptr_null(wg_config_load(wgt_root, "/nonexistent", NULL));
}
END_TEST

START_TEST(test_session_words)
{
	/* the words the session manager acts on are stored as its enums,
	 * at parse time, next to their canonical spelling */
	struct wg_config *cfg = load_ok("");

	ck_assert_int_eq(cfg->sm.edition, SM_EDITION_WORKSTATION);
	ck_assert_int_eq(cfg->sm.accounting, SM_ACCT_WINDOWS);
	ck_assert_int_eq(cfg->sm.cap_policy, SM_CAP_REFUSE);
	talloc_free(cfg);

	cfg = load_ok("[global]\nedition = HOME\n"
		      "session accounting = Computer\n"
		      "cap policy = RECLAIM\n");
	ck_assert_int_eq(cfg->sm.edition, SM_EDITION_HOME);
	ck_assert_str_eq(cfg->edition, "home");
	ck_assert_int_eq(cfg->sm.accounting, SM_ACCT_COMPUTER);
	ck_assert_str_eq(cfg->session_accounting, "computer");
	ck_assert_int_eq(cfg->sm.cap_policy, SM_CAP_RECLAIM);
	ck_assert_str_eq(cfg->cap_policy, "reclaim");
	talloc_free(cfg);

	/* the last setting wins, in both forms */
	cfg = load_ok("[global]\nedition = home\n[global]\n"
		      "edition = server\ncap policy = reclaim\n"
		      "cap policy = refuse\n");
	ck_assert_int_eq(cfg->sm.edition, SM_EDITION_SERVER);
	ck_assert_str_eq(cfg->edition, "server");
	ck_assert_int_eq(cfg->sm.cap_policy, SM_CAP_REFUSE);
	ck_assert_str_eq(cfg->cap_policy, "refuse");
	talloc_free(cfg);

	expect_error("[global]\n\nsession accounting = user\n", 3,
		     "not windows or computer");
	expect_error("[global]\ncap policy = evict\n", 2,
		     "not refuse or reclaim");
}
END_TEST

/* Load len bytes (NUL bytes allowed); the error must start "PATH:LINE: ". */
static void expect_error_bytes(const char *text, size_t len, int line,
			       const char *what)
{
	char *path = write_conf(wgt_root, "");
	char *err = NULL;
	char *prefix = talloc_asprintf(wgt_root, "%s:%d: %s", path, line,
				       what);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
	ck_assert_ptr_null(wg_config_load(wgt_root, path, &err));
	unlink(path);
	ck_assert_str_eq(err, prefix);
	talloc_free(err);
	talloc_free(prefix);
	talloc_free(path);
}

START_TEST(test_shared_reader)
{
	/* the syntax of proto/smbconf.h, the reader wgnet uses too */
	static const char nul[] = "[global]\nworkgroup = a\0b\nx = 1\n";
	struct wg_config *cfg = load_ok(
		"\xEF\xBB\xBF   [global]\r\n"
		"workgroup: lab\r\n"
		"  NetBIOS\t  Name  = box ; comment\r\n"
		"[s]\npath = /srv/s \\\n/more\n");

	ck_assert_str_eq(cfg->workgroup, "LAB");
	ck_assert_str_eq(cfg->netbios_name, "BOX");
	ck_assert_str_eq(wg_config_find_share(cfg, "s")->path,
			 "/srv/s /more");
	talloc_free(cfg);

	/* the first error stops the load, whatever follows */
	expect_error("[global]\njunk\nbogus = 1\n", 2, "syntax error");
	expect_error("[global]\n[a ;b]\n", 2, "missing ']'");
	expect_error("[global]\nworkgroup = a \\\n b\n[x\n", 4,
		     "missing ']'");
	expect_error_bytes(nul, sizeof(nul) - 1, 2, "NUL byte in line");
}
END_TEST

START_TEST(test_log_classes)
{
	int saved[WG_CLS_NUM];

	memcpy(saved, wg_log_levels, sizeof(saved));
	wg_log_set_level(2);
	ck_assert_int_eq(wg_log_levels[WG_CLS_AUTH], 2);
	ck_assert_int_eq(wg_log_set_class("auth:4"), 0);
	ck_assert_int_eq(wg_log_levels[WG_CLS_AUTH], 4);
	ck_assert_int_eq(wg_log_levels[WG_CLS_CONN], 2);
	ck_assert_int_eq(wg_log_set_class("CONN:10"), 0);
	ck_assert_int_eq(wg_log_levels[WG_CLS_CONN], WG_LOG_DEBUG);
	ck_assert_int_eq(wg_log_set_class("all:1"), 0);
	ck_assert_int_eq(wg_log_levels[WG_CLS_VFS], 1);
	ck_assert_int_eq(wg_log_set_class("passdb:3"), -1);
	ck_assert_int_eq(wg_log_set_class("auth"), -1);
	ck_assert_int_eq(wg_log_set_class("auth:"), -1);
	ck_assert_int_eq(wg_log_set_class("auth:11"), -1);
	ck_assert_int_eq(wg_log_set_class("auth:-1"), -1);
	ck_assert_int_eq(wg_log_set_class(":3"), -1);
	ck_assert_int_eq(wg_log_set_class(NULL), -1);
	wg_log_set_level(99);
	ck_assert_int_eq(wg_log_levels[WG_CLS_GEN], WG_LOG_DEBUG);
	memcpy(wg_log_levels, saved, sizeof(saved));
}
END_TEST

START_TEST(test_log_rate_limit)
{
	struct wg_log_rl rl = {};
	unsigned sup = 99;
	int i = 0;

	for (i = 0; i < 10; i++) {
		ck_assert(wg_log_rl_allow(&rl, &sup));
		ck_assert_uint_eq(sup, 0);
	}
	for (i = 0; i < 5; i++) {
		ck_assert(!wg_log_rl_allow(&rl, &sup));
	}
	/* Ten seconds later the next message reports what was dropped. */
	rl.window -= 10;
	ck_assert(wg_log_rl_allow(&rl, &sup));
	ck_assert_uint_eq(sup, 5);
	ck_assert(wg_log_rl_allow(&rl, &sup));
	ck_assert_uint_eq(sup, 0);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");
	TCase *tl = tcase_create("log");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_global_keys);
	tcase_add_test(tc, test_alternate_values);
	tcase_add_test(tc, test_budget_keys);
	tcase_add_test(tc, test_log_level_classes);
	tcase_add_test(tc, test_shares);
	tcase_add_test(tc, test_share_errors);
	tcase_add_test(tc, test_global_errors);
	tcase_add_test(tc, test_loop_priority);
	tcase_add_test(tc, test_control_socket);
	tcase_add_test(tc, test_protocol_names);
	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_syntax);
	tcase_add_test(tc, test_syntax_errors);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_session_words);
	tcase_add_test(tc, test_shared_reader);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tl, wgt_setup, wgt_teardown);
	tcase_add_test(tl, test_log_classes);
	tcase_add_test(tl, test_log_rate_limit);
	suite_add_tcase(s, tl);
	return s;
}

WGT_MAIN(config_suite)
