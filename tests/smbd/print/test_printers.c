/*
 * test_printers.c - printers made over RPC, smbd's side
 * (smbd/print/printers.c through the print ops): a printer becomes a
 * printer share with a spool directory under the state directory, it and
 * its data come back with a new server on the same state directory, the
 * budgets (printers per server, values and bytes per printer) answer
 * -ENOSPC and are counted, smb.conf's printers are read-only, and a
 * printers file that does not load is left alone.
 */
#include "tests/wgtest.h"
#include "smbd/print/print.h"
#include "smbd/print/printers.h"
#include "smbd/budget.h"
#include "smbd/daemon/server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static char state[96];
static char conf[128];
static struct tevent_context *ev;

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	char *text = NULL;

	wgt_setup();
	snprintf(dir, sizeof(dir), "/tmp/wgprinters.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(state, sizeof(state), "%s/state", dir);
	ck_assert_int_eq(mkdir(state, 0700), 0);
	snprintf(conf, sizeof(conf), "%s/smb.conf", dir);
	text = talloc_asprintf(wgt_root, "[global]\nlog level = 0\n"
			       "state directory = %s\n"
			       "[demo]\npath = %s\n"
			       "[lp]\npath = %s\nprintable = yes\n",
			       state, dir, dir);
	put_file(conf, text);
	TALLOC_FREE(text);
	ev = tevent_context_init(wgt_root);
	ck_assert_ptr_nonnull(ev);
}

static void teardown(void)
{
	char cmd[128];

	TALLOC_FREE(ev);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	wgt_teardown();
}

/* A server on the config (it takes the config: one load each). */
static struct smbd_server *server(void)
{
	char *err = NULL;
	struct wg_config *cfg = wg_config_load(wgt_root, conf, &err);
	struct smbd_server *srv = NULL;

	ck_assert_msg(cfg != NULL, "config: %s", err != NULL ? err : "?");
	talloc_free(err);
	srv = smbd_server_new(wgt_root, ev, cfg);
	ck_assert_ptr_nonnull(srv);
	return srv;
}

static int add(const struct wg_print_ops *ops, const char *name)
{
	struct wg_printer_def d = {
		.name = (char *)name, .port = "LPT1:", .driver = "Generic",
		.comment = "c",
	};

	return ops->printer_add(ops->priv, &d, "127.0.0.9");
}

static int set_value(const struct wg_print_ops *ops, const char *printer,
		     const char *name, size_t len)
{
	static uint8_t buf[RT_MAX_DATA_BYTES + 1];
	struct wg_printer_value v = {
		.key = "PrinterDriverData", .name = (char *)name, .type = 3,
		.data = buf, .len = len,
	};

	return ops->data_set(ops->priv, printer, &v, "127.0.0.9");
}

START_TEST(test_share_and_restart)
{
	struct smbd_server *srv = server();
	const struct wg_print_ops *ops = smbd_print_ops(srv);
	const struct wg_share_cfg *sh = NULL;
	struct wg_printer_value *v = NULL;
	struct wg_printer_def *d = NULL;
	char spool[128];
	struct stat st;
	size_t n = 0;

	ck_assert_ptr_nonnull(ops);
	ck_assert_ptr_null(smbd_print_find_share(srv, "office"));
	ck_assert_int_eq(add(ops, "office"), 0);
	sh = smbd_print_find_share(srv, "OFFICE");
	ck_assert_ptr_nonnull(sh);
	ck_assert_int_eq(sh->type, WG_SHARE_PRINT);
	snprintf(spool, sizeof(spool), "%s/spool/1", state);
	ck_assert_str_eq(sh->path, spool);
	ck_assert_int_eq(stat(spool, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(set_value(ops, "office", "v", 3), 0);
	ck_assert_int_eq(add(ops, "office"), -EEXIST);
	talloc_free(srv);

	/* a new server on the same state directory has them back */
	srv = server();
	ops = smbd_print_ops(srv);
	ck_assert_ptr_nonnull(smbd_print_find_share(srv, "office"));
	ck_assert_int_eq(ops->printer_get(ops->priv, wgt_root, "office", &d),
			 0);
	ck_assert(d->runtime);
	ck_assert_str_eq(d->driver, "Generic");
	ck_assert_int_eq(ops->data_list(ops->priv, wgt_root, "office", &v,
					&n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].name, "v");
	ck_assert_uint_eq(v[0].len, 3);
	talloc_free(v);
	talloc_free(d);
	/* deleted: the share is gone, also for the next server */
	ck_assert_int_eq(ops->printer_delete(ops->priv, "office"), 0);
	ck_assert_ptr_null(smbd_print_find_share(srv, "office"));
	talloc_free(srv);
	srv = server();
	ck_assert_ptr_null(smbd_print_find_share(srv, "office"));
	talloc_free(srv);
}
END_TEST

START_TEST(test_budgets)
{
	struct smbd_server *srv = server();
	const struct wg_print_ops *ops = smbd_print_ops(srv);
	char name[32];

	for (int i = 0; i < RT_MAX_PRINTERS; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		ck_assert_int_eq(add(ops, name), 0);
	}
	ck_assert_uint_eq(srv->stats.budget_hits[SMBD_BUDGET_PRINTERS], 0);
	ck_assert_int_eq(add(ops, "one-more"), -ENOSPC);
	ck_assert_uint_eq(srv->stats.budget_hits[SMBD_BUDGET_PRINTERS], 1);
	ck_assert_ptr_null(smbd_print_find_share(srv, "one-more"));

	/* values per printer */
	for (int i = 0; i < RT_MAX_VALUES; i++) {
		snprintf(name, sizeof(name), "v%d", i);
		ck_assert_int_eq(set_value(ops, "p0", name, 1), 0);
	}
	ck_assert_int_eq(set_value(ops, "p0", "again", 1), -ENOSPC);
	ck_assert_uint_eq(srv->stats.budget_hits[SMBD_BUDGET_PRINTER_DATA],
			  1);
	/* replacing one is no new value */
	ck_assert_int_eq(set_value(ops, "p0", "v0", 2), 0);
	/* bytes per printer */
	ck_assert_int_eq(set_value(ops, "p1", "big", RT_MAX_DATA_BYTES),
			 -ENOSPC);
	ck_assert_uint_eq(srv->stats.budget_hits[SMBD_BUDGET_PRINTER_DATA],
			  2);
	ck_assert_int_eq(set_value(ops, "p1", "big",
				   RT_MAX_DATA_BYTES / 2), 0);
	ck_assert_str_eq(smbd_budget_name(SMBD_BUDGET_PRINTER_DATA),
			 "printer_data");
	talloc_free(srv);
}
END_TEST

START_TEST(test_conf_printers_and_names)
{
	struct smbd_server *srv = server();
	const struct wg_print_ops *ops = smbd_print_ops(srv);
	struct wg_printer_def d = { .name = "lp" };
	struct wg_printer_def *got = NULL;

	ck_assert_int_eq(ops->printer_delete(ops->priv, "lp"), -EROFS);
	ck_assert_int_eq(ops->printer_set(ops->priv, "lp", &d), -EROFS);
	ck_assert_int_eq(set_value(ops, "lp", "v", 1), -EROFS);
	ck_assert_int_eq(ops->printer_get(ops->priv, wgt_root, "lp", &got),
			 0);
	ck_assert(!got->runtime);
	talloc_free(got);
	ck_assert_int_eq(ops->printer_delete(ops->priv, "nope"), -ENOENT);
	/* names of shares smb.conf has, or that cannot be shares */
	ck_assert_int_eq(add(ops, "demo"), -EEXIST);
	ck_assert_int_eq(add(ops, "LP"), -EEXIST);
	ck_assert_int_eq(add(ops, "a/b"), -EINVAL);
	ck_assert_int_eq(add(ops, "a\\b"), -EINVAL);
	ck_assert_int_eq(add(ops, ""), -EINVAL);
	talloc_free(srv);
}
END_TEST

START_TEST(test_rename)
{
	struct smbd_server *srv = server();
	const struct wg_print_ops *ops = smbd_print_ops(srv);
	struct wg_printer_def *got = NULL;
	struct wg_printer_def d = {
		.name = "\\\\WGSMB\\Front Desk (2)", .port = "LPT1:",
		.driver = "Generic", .comment = "moved",
	};
	struct wg_print_job *q = NULL;
	const struct wg_share_cfg *sh = NULL;
	uint32_t id = 0;
	size_t n = 0;
	void *j = NULL;

	ck_assert_int_eq(add(ops, "office"), 0);
	ck_assert_int_eq(add(ops, "other"), 0);
	j = ops->job_start(ops->priv, wgt_root, "office", "doc", "alice", &id);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(ops->job_end(ops->priv, j), 0);

	/* names taken, or that cannot be shares: refused, nothing moves */
	d.name = "other";
	ck_assert_int_eq(ops->printer_set(ops->priv, "office", &d), -EEXIST);
	d.name = "demo";
	ck_assert_int_eq(ops->printer_set(ops->priv, "office", &d), -EEXIST);
	d.name = "a/b";
	ck_assert_int_eq(ops->printer_set(ops->priv, "office", &d), -EINVAL);
	d.name = "lp2";
	ck_assert_int_eq(ops->printer_set(ops->priv, "lp", &d), -EROFS);
	ck_assert_ptr_nonnull(smbd_print_find_share(srv, "office"));

	d.name = "\\\\WGSMB\\Front Desk (2)";
	ck_assert_int_eq(ops->printer_set(ops->priv, "office", &d), 0);
	ck_assert_ptr_null(smbd_print_find_share(srv, "office"));
	sh = smbd_print_find_share(srv, "front desk (2)");
	ck_assert_ptr_nonnull(sh);
	ck_assert_str_eq(sh->name, "Front Desk (2)");
	ck_assert_str_eq(sh->comment, "moved");
	ck_assert_int_eq(ops->printer_get(ops->priv, wgt_root, "office",
					  &got), -ENOENT);
	/* its queue went with it */
	ck_assert_int_eq(ops->jobs(ops->priv, wgt_root, "Front Desk (2)", &q,
				   &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(q[0].id, id);
	talloc_free(q);
	ck_assert_int_eq(ops->jobs(ops->priv, wgt_root, "office", &q, &n), 0);
	ck_assert_uint_eq(n, 0);
	talloc_free(q);
	ck_assert_int_eq(ops->job_control(ops->priv, "Front Desk (2)", id,
					  WG_JOB_DELETE), 0);
	talloc_free(srv);

	/* kept: a new server knows it by its new name only */
	srv = server();
	ops = smbd_print_ops(srv);
	ck_assert_ptr_null(smbd_print_find_share(srv, "office"));
	ck_assert_ptr_nonnull(smbd_print_find_share(srv, "Front Desk (2)"));
	ck_assert_int_eq(ops->printer_get(ops->priv, wgt_root,
					  "Front Desk (2)", &got), 0);
	ck_assert_str_eq(got->name, "Front Desk (2)");
	talloc_free(got);
	/* the same name back is no rename */
	d.name = "front desk (2)";
	ck_assert_int_eq(ops->printer_set(ops->priv, "Front Desk (2)", &d), 0);
	ck_assert_ptr_nonnull(smbd_print_find_share(srv, "front desk (2)"));

	/* a deleted printer's queue goes with it */
	j = ops->job_start(ops->priv, wgt_root, "front desk (2)", "doc",
			   "alice", &id);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(ops->job_end(ops->priv, j), 0);
	ck_assert_int_eq(ops->printer_delete(ops->priv, "front desk (2)"), 0);
	ck_assert_int_eq(add(ops, "front desk (2)"), 0);
	ck_assert_int_eq(ops->jobs(ops->priv, wgt_root, "front desk (2)", &q,
				   &n), 0);
	ck_assert_uint_eq(n, 0);
	talloc_free(q);
	talloc_free(srv);
}
END_TEST

START_TEST(test_broken_file_left_alone)
{
	struct smbd_server *srv = NULL;
	const struct wg_print_ops *ops = NULL;
	char path[128], buf[64] = "";
	FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/printers", state);
	put_file(path, "not our format\n");
	srv = server();
	ops = smbd_print_ops(srv);
	ck_assert_ptr_nonnull(ops);
	ck_assert_int_eq(add(ops, "office"), -EIO);
	talloc_free(srv);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "not our format\n");
}
END_TEST

static Suite *printers_suite(void)
{
	Suite *s = suite_create("printers");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_share_and_restart);
	tcase_add_test(tc, test_budgets);
	tcase_add_test(tc, test_conf_printers_and_names);
	tcase_add_test(tc, test_rename);
	tcase_add_test(tc, test_broken_file_left_alone);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(printers_suite)
