/*
 * test_discovery.c - tools/wgnet_discovery.c: the Avahi service file,
 * the wsdd UUID and argument vector derived from a config, and the
 * `wgnet discovery` verb writing, keeping and removing the file.
 */
#include "tests/wgtest.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smbd/base/config.h"
#include "tools/wgnet_common.h"
#include "tools/wgnet_discovery.h"

static char *tmp_dir(TALLOC_CTX *mem)
{
	char *dir = talloc_asprintf(mem, "%s/wgtest-disc-XXXXXX",
				    getenv("TMPDIR") != NULL ?
				    getenv("TMPDIR") : "/tmp");

	ck_assert_ptr_nonnull(dir);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

/* Write text to DIR/wgsmb.conf; the path is a child of mem. */
static char *write_conf_in(TALLOC_CTX *mem, const char *dir,
			   const char *text)
{
	char *path = talloc_asprintf(mem, "%s/wgsmb.conf", dir);
	FILE *f = NULL;

	ck_assert_ptr_nonnull(path);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static struct wg_config *load_text(const char *text)
{
	char *dir = tmp_dir(wgt_root);
	char *path = write_conf_in(wgt_root, dir, text);
	char *err = NULL;
	struct wg_config *cfg = wg_config_load(wgt_root, path, &err);

	ck_assert_msg(cfg != NULL, "config: %s", err);
	unlink(path);
	rmdir(dir);
	talloc_free(path);
	talloc_free(dir);
	return cfg;
}

static int argv_len(char **argv)
{
	int n = 0;

	while (argv[n] != NULL) {
		n++;
	}
	return n;
}

START_TEST(test_smb_port)
{
	static const struct {
		const char *ports;
		uint16_t want;
	} cases[] = {
		{ "445 139", 445 },
		{ "139 4450", 4450 },
		{ "4445", 4445 },
		{ "139", 0 },
	};
	size_t i = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = talloc_asprintf(wgt_root,
					     "[global]\nsmb ports = %s\n",
					     cases[i].ports);
		struct wg_config *cfg = load_text(text);

		ck_assert_uint_eq(disc_smb_port(cfg), cases[i].want);
		talloc_free(cfg);
		talloc_free(text);
	}
}
END_TEST

START_TEST(test_avahi_file)
{
	struct wg_config *cfg = load_text("[global]\n"
					  "netbios name = filesrv\n"
					  "smb ports = 139 4445\n");
	char *text = disc_avahi_service(wgt_root, cfg);
	char *want = NULL;

	ck_assert_ptr_nonnull(text);
	want = talloc_asprintf(wgt_root,
		"<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<!DOCTYPE service-group SYSTEM \"avahi-service.dtd\">\n"
		"<!-- Written by wgnet discovery avahi from %s;\n"
		"     removed when wgsmbd stops. Do not edit. -->\n"
		"<service-group>\n"
		"  <name replace-wildcards=\"no\">FILESRV</name>\n"
		"  <service>\n"
		"    <type>_smb._tcp</type>\n"
		"    <port>4445</port>\n"
		"  </service>\n"
		"  <service>\n"
		"    <type>_device-info._tcp</type>\n"
		"    <port>0</port>\n"
		"    <txt-record>model=Xserve</txt-record>\n"
		"  </service>\n"
		"</service-group>\n", cfg->path);
	ck_assert_str_eq(text, want);
	talloc_free(want);
	talloc_free(text);
	talloc_free(cfg);

	/* Names are XML-escaped; nothing to announce without a TCP port. */
	cfg = load_text("[global]\nnetbios name = a&b'd\n"
			"smb ports = 139\n");
	ck_assert_ptr_null(disc_avahi_service(wgt_root, cfg));
	cfg->ports[0] = 445;
	text = disc_avahi_service(wgt_root, cfg);
	ck_assert_ptr_nonnull(strstr(text, ">A&amp;B&apos;D</name>"));
	ck_assert_ptr_nonnull(strstr(text, "<port>445</port>"));
	talloc_free(text);
	talloc_free(cfg);
}
END_TEST

START_TEST(test_uuid)
{
	char u[37] = "";

	/* python3: uuid.uuid5(uuid.NAMESPACE_DNS, 'filesrv') */
	disc_wsd_uuid("FILESRV", u);
	ck_assert_str_eq(u, "8dc02b51-dbea-5691-be7e-3ec67ef6f19d");
	disc_wsd_uuid("filesrv", u);
	ck_assert_str_eq(u, "8dc02b51-dbea-5691-be7e-3ec67ef6f19d");
	disc_wsd_uuid("A&B", u);
	ck_assert_str_eq(u, "239672ac-6f3a-534c-9cda-8641402ff226");
}
END_TEST

START_TEST(test_wsdd_argv)
{
	static const char *const want_default[] = {
		"/usr/sbin/wsdd", "--hostname", "FILESRV", "--workgroup",
		"OFFICE", "--uuid", "8dc02b51-dbea-5691-be7e-3ec67ef6f19d",
	};
	char *extra[] = { "--shortlog", "--chroot=/run/x" };
	struct wg_config *cfg = load_text("[global]\n"
					  "netbios name = filesrv\n"
					  "workgroup = office\n");
	char **argv = disc_wsdd_argv(wgt_root, cfg, DISC_WSDD, NULL, 0);
	int i = 0;

	/* default listen addresses: every interface, both families */
	ck_assert_ptr_nonnull(argv);
	ck_assert_int_eq(argv_len(argv), 7);
	for (i = 0; i < 7; i++) {
		ck_assert_str_eq(argv[i], want_default[i]);
	}
	talloc_free(argv);
	talloc_free(cfg);

	cfg = load_text("[global]\nnetbios name = x\n"
			"listen addresses = 192.0.2.1 198.51.100.7\n");
	argv = disc_wsdd_argv(wgt_root, cfg, "/opt/wsdd", extra, 2);
	ck_assert_int_eq(argv_len(argv), 14);
	ck_assert_str_eq(argv[0], "/opt/wsdd");
	ck_assert_str_eq(argv[4], "WORKGROUP");
	ck_assert_str_eq(argv[7], "--ipv4only");
	ck_assert_str_eq(argv[8], "--interface");
	ck_assert_str_eq(argv[9], "192.0.2.1");
	ck_assert_str_eq(argv[10], "--interface");
	ck_assert_str_eq(argv[11], "198.51.100.7");
	ck_assert_str_eq(argv[12], "--shortlog");
	ck_assert_str_eq(argv[13], "--chroot=/run/x");
	talloc_free(argv);
	talloc_free(cfg);

	cfg = load_text("[global]\nlisten addresses = fe80::1\n");
	argv = disc_wsdd_argv(wgt_root, cfg, DISC_WSDD, NULL, 0);
	ck_assert_int_eq(argv_len(argv), 10);
	ck_assert_str_eq(argv[7], "--ipv6only");
	ck_assert_str_eq(argv[9], "fe80::1");
	talloc_free(argv);
	talloc_free(cfg);

	/* a wildcard means every interface of its family: no --interface */
	cfg = load_text("[global]\nlisten addresses = 0.0.0.0 192.0.2.1\n");
	argv = disc_wsdd_argv(wgt_root, cfg, DISC_WSDD, NULL, 0);
	ck_assert_int_eq(argv_len(argv), 8);
	ck_assert_str_eq(argv[7], "--ipv4only");
	talloc_free(argv);
	talloc_free(cfg);
}
END_TEST

static int run_verb(const char *conf, const char *const *args)
{
	struct wgnet ctx = { .mem = talloc_new(NULL), .config_path = conf,
			     .config_given = true };
	char *argv[16] = {};
	int argc = 0;
	int rc = 0;

	for (argc = 0; args[argc] != NULL; argc++) {
		argv[argc] = talloc_strdup(ctx.mem, args[argc]);
	}
	rc = verb_discovery(&ctx, argc, argv);
	fflush(stdout);
	talloc_free(ctx.mem);
	return rc;
}

static char *slurp(TALLOC_CTX *mem, const char *path)
{
	char buf[4096] = "";
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f == NULL) {
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return talloc_strdup(mem, buf);
}

START_TEST(test_verb_avahi)
{
	char *dir = tmp_dir(wgt_root);
	char *svc = talloc_asprintf(wgt_root, "%s/services/wgsmb.service",
				    dir);
	char *svcdir = talloc_asprintf(wgt_root, "%s/services", dir);
	char *conf = write_conf_in(wgt_root, dir, "[global]\n"
				   "netbios name = wgdisc\n"
				   "smb ports = 4445\n");
	const char *write_args[] = { "discovery", "avahi", "--file", svc,
				     NULL };
	const char *remove_args[] = { "discovery", "avahi", "--file", svc,
				      "--remove", NULL };
	struct stat st = {};
	char *text = NULL;

	/* no services directory (no Avahi): nothing written, no error */
	ck_assert_int_eq(run_verb(conf, write_args), WGNET_OK);
	ck_assert_int_ne(access(svc, F_OK), 0);

	ck_assert_int_eq(mkdir(svcdir, 0755), 0);
	ck_assert_int_eq(run_verb(conf, write_args), WGNET_OK);
	ck_assert_int_eq(stat(svc, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	text = slurp(wgt_root, svc);
	ck_assert_ptr_nonnull(strstr(text, ">WGDISC</name>"));
	ck_assert_ptr_nonnull(strstr(text, "<port>4445</port>"));
	talloc_free(text);

	/* a changed port is written again */
	talloc_free(write_conf_in(wgt_root, dir, "[global]\n"
				  "netbios name = wgdisc\n"
				  "smb ports = 4446\n"));
	ck_assert_int_eq(run_verb(conf, write_args), WGNET_OK);
	text = slurp(wgt_root, svc);
	ck_assert_ptr_nonnull(strstr(text, "<port>4446</port>"));
	talloc_free(text);

	ck_assert_int_eq(run_verb(conf, remove_args), WGNET_OK);
	ck_assert_int_ne(access(svc, F_OK), 0);
	ck_assert_int_eq(run_verb(conf, remove_args), WGNET_OK);

	/* mdns = no removes it */
	ck_assert_int_eq(run_verb(conf, write_args), WGNET_OK);
	ck_assert_int_eq(access(svc, F_OK), 0);
	talloc_free(write_conf_in(wgt_root, dir, "[global]\nmdns = no\n"));
	ck_assert_int_eq(run_verb(conf, write_args), WGNET_OK);
	ck_assert_int_ne(access(svc, F_OK), 0);

	/* a bad config is an error and leaves the file alone */
	talloc_free(write_conf_in(wgt_root, dir, "[global]\nmdns = sure\n"));
	ck_assert_int_eq(run_verb(conf, write_args), WGNET_ERR);
	talloc_free(write_conf_in(wgt_root, dir, "[global]\nsmb ports = 139\n"));
	ck_assert_int_eq(run_verb(conf, write_args), WGNET_ERR);
	ck_assert_int_ne(access(svc, F_OK), 0);

	unlink(conf);
	rmdir(svcdir);
	rmdir(dir);
	talloc_free(conf);
	talloc_free(svcdir);
	talloc_free(svc);
	talloc_free(dir);
}
END_TEST

START_TEST(test_verb_wsdd)
{
	char *dir = tmp_dir(wgt_root);
	char *conf = write_conf_in(wgt_root, dir, "[global]\nwsd = yes\n");
	const char *check[] = { "discovery", "wsdd", "--wsdd", "/bin/true",
				"--check", NULL };
	const char *check_missing[] = { "discovery", "wsdd", "--wsdd",
					"/nonexistent/wsdd", "--check", NULL };
	const char *stray[] = { "discovery", "wsdd", "extra", NULL };
	const char *both[] = { "discovery", "wsdd", "--check", "--exec",
			       NULL };
	const char *unknown[] = { "discovery", "mdns", NULL };

	ck_assert_int_eq(run_verb(conf, check), WGNET_OK);
	ck_assert_int_eq(run_verb(conf, check_missing), WGNET_ERR);
	talloc_free(write_conf_in(wgt_root, dir, "[global]\nwsd = no\n"));
	ck_assert_int_eq(run_verb(conf, check), WGNET_ERR);
	ck_assert_int_eq(run_verb(conf, stray), WGNET_USAGE);
	ck_assert_int_eq(run_verb(conf, both), WGNET_USAGE);
	ck_assert_int_eq(run_verb(conf, unknown), WGNET_USAGE);

	unlink(conf);
	rmdir(dir);
	talloc_free(conf);
	talloc_free(dir);
}
END_TEST

static Suite *discovery_suite(void)
{
	Suite *s = suite_create("discovery");
	TCase *tc = tcase_create("discovery");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_smb_port);
	tcase_add_test(tc, test_avahi_file);
	tcase_add_test(tc, test_uuid);
	tcase_add_test(tc, test_wsdd_argv);
	tcase_add_test(tc, test_verb_avahi);
	tcase_add_test(tc, test_verb_wsdd);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(discovery_suite)
