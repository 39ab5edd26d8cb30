/*
 * test_print_queue.c - smbd's print queue through the print ops
 * (smbd/print/print.c): jobs listed in the order they came with their
 * owner, moved, renamed, paused (held while spooling), deleted (also
 * while being written), purged; files written to the share join the
 * queue; a job whose file is gone leaves it; and the jobs-per-printer
 * budget answers and is counted.
 */
#include "tests/wgtest.h"
#include "smbd/print/print.h"
#include "smbd/print/print_int.h"
#include "smbd/budget.h"
#include "smbd/daemon/server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static char conf[128];
static struct tevent_context *ev;
static TALLOC_CTX *tmem;	/* answers, outside wgt_root's count */

static void setup(void)
{
	char *text = NULL;
	FILE *f = NULL;

	wgt_setup();
	snprintf(dir, sizeof(dir), "/tmp/wgqueue.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/smb.conf", dir);
	text = talloc_asprintf(wgt_root, "[global]\nlog level = 0\n"
			       "state directory = %s\n"
			       "[lp]\npath = %s\nprintable = yes\n"
			       "[lp2]\npath = %s\nprintable = yes\n",
			       dir, dir, dir);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	TALLOC_FREE(text);
	ev = tevent_context_init(wgt_root);
	ck_assert_ptr_nonnull(ev);
	tmem = talloc_new(NULL);
}

static void teardown(void)
{
	char cmd[128];

	TALLOC_FREE(tmem);
	TALLOC_FREE(ev);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	wgt_teardown();
}

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

/* A whole spoolss job of `text` on printer; its id. */
static uint32_t send_job(const struct wg_print_ops *ops, const char *printer,
			 const char *doc, const char *text)
{
	uint32_t id = 0;
	void *j = ops->job_start(ops->priv, tmem, printer, doc, "alice",
				 &id);

	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(ops->job_write(ops->priv, j, (const uint8_t *)text,
					strlen(text)), 0);
	ck_assert_int_eq(ops->job_end(ops->priv, j), 0);
	return id;
}

static size_t queue(const struct wg_print_ops *ops, const char *printer,
		    struct wg_print_job **q)
{
	size_t n = 0;

	ck_assert_int_eq(ops->jobs(ops->priv, tmem, printer, q, &n), 0);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq((*q)[i].position, i + 1);
	}
	return n;
}

static unsigned spool_files(void)
{
	char cmd[160];
	FILE *f = NULL;
	unsigned n = 0;

	snprintf(cmd, sizeof(cmd), "ls %s | grep -c -e '^spoolss-' "
		 "-e '^job-'", dir);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%u", &n), 1);
	pclose(f);
	return n;
}

START_TEST(test_order_move_rename)
{
	struct smbd_server *srv = server();
	const struct wg_print_ops *ops = smbd_print_ops(srv);
	struct wg_print_job *q = NULL;
	uint32_t a = send_job(ops, "lp", "a", "one");
	uint32_t b = send_job(ops, "LP", "b", "two!");
	uint32_t c = send_job(ops, "lp", "c", "three");
	uint32_t other = send_job(ops, "lp2", "x", "x");

	ck_assert_uint_eq(queue(ops, "lp", &q), 3);
	ck_assert_uint_eq(q[0].id, a);
	ck_assert_uint_eq(q[1].id, b);
	ck_assert_uint_eq(q[2].id, c);
	ck_assert_str_eq(q[1].doc, "b");
	ck_assert_str_eq(q[1].user, "alice");
	ck_assert_uint_eq(q[1].size, 4);
	ck_assert_uint_eq(q[1].status, 0);
	ck_assert_uint_eq(q[1].priority, 1);
	ck_assert_uint_eq(queue(ops, "lp2", &q), 1);
	ck_assert_uint_eq(q[0].id, other);

	/* c to the front, renamed; a to past the end */
	ck_assert_int_eq(ops->job_set(ops->priv, "lp", c, "new", 7, 1), 0);
	ck_assert_int_eq(ops->job_set(ops->priv, "lp", a, NULL, 0, 99), 0);
	ck_assert_uint_eq(queue(ops, "lp", &q), 3);
	ck_assert_uint_eq(q[0].id, c);
	ck_assert_str_eq(q[0].doc, "new");
	ck_assert_uint_eq(q[0].priority, 7);
	ck_assert_uint_eq(q[1].id, b);
	ck_assert_uint_eq(q[2].id, a);
	ck_assert_str_eq(q[2].doc, "a");
	/* a job of another printer is not this one's */
	ck_assert_int_eq(ops->job_set(ops->priv, "lp", other, "y", 0, 0),
			 -ENOENT);
	ck_assert_int_eq(ops->job_control(ops->priv, "lp", other,
					  WG_JOB_DELETE), -ENOENT);
	talloc_free(srv);
}
END_TEST

START_TEST(test_pause_delete_purge)
{
	struct smbd_server *srv = server();
	const struct wg_print_ops *ops = smbd_print_ops(srv);
	struct wg_print_job *q = NULL;
	uint32_t a = send_job(ops, "lp", "a", "one"), b = 0, c = 0;
	void *j = NULL;

	/* paused while spooling: held, then resumed */
	j = ops->job_start(ops->priv, tmem, "lp", "b", "alice", &b);
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_eq(queue(ops, "lp", &q), 2);
	ck_assert_uint_eq(q[1].status, WG_JOB_STATUS_SPOOLING);
	ck_assert_int_eq(ops->job_control(ops->priv, "lp", b, WG_JOB_PAUSE),
			 0);
	ck_assert_int_eq(ops->job_end(ops->priv, j), 0);
	ck_assert_uint_eq(queue(ops, "lp", &q), 2);
	ck_assert_uint_eq(q[1].status, WG_JOB_STATUS_PAUSED);
	ck_assert_int_eq(ops->job_control(ops->priv, "lp", b,
					  WG_JOB_RESUME), 0);
	ck_assert_int_eq(ops->job_control(ops->priv, "lp", b,
					  WG_JOB_RESTART), 0);
	ck_assert_uint_eq(queue(ops, "lp", &q), 2);
	ck_assert_uint_eq(q[1].status, 0);
	ck_assert_uint_eq(spool_files(), 2);

	/* deleted: its file goes */
	ck_assert_int_eq(ops->job_control(ops->priv, "lp", a, WG_JOB_DELETE),
			 0);
	ck_assert_uint_eq(queue(ops, "lp", &q), 1);
	ck_assert_uint_eq(q[0].id, b);
	ck_assert_uint_eq(spool_files(), 1);
	ck_assert_int_eq(ops->job_control(ops->priv, "lp", a, WG_JOB_DELETE),
			 -ENOENT);

	/* deleted while written: gone at once, the writer ends there */
	j = ops->job_start(ops->priv, tmem, "lp", "c", "alice", &c);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(ops->job_control(ops->priv, "lp", c,
					  WG_JOB_CANCEL), 0);
	ck_assert_uint_eq(queue(ops, "lp", &q), 1);
	ck_assert_int_eq(ops->job_write(ops->priv, j, (const uint8_t *)"x",
					1), -ECANCELED);
	ck_assert_int_eq(ops->job_end(ops->priv, j), 0);
	ck_assert_uint_eq(spool_files(), 1);

	/* purge: every job of the printer, the other printer's stay */
	send_job(ops, "lp", "d", "four");
	send_job(ops, "lp2", "e", "five");
	ops->purge(ops->priv, "lp");
	ck_assert_uint_eq(queue(ops, "lp", &q), 0);
	ck_assert_uint_eq(queue(ops, "lp2", &q), 1);
	ck_assert_uint_eq(spool_files(), 1);
	talloc_free(srv);
}
END_TEST

START_TEST(test_share_files_and_printed)
{
	struct smbd_server *srv = server();
	const struct wg_print_ops *ops = smbd_print_ops(srv);
	const struct wg_share_cfg *sh = wg_config_find_share(srv->cfg, "lp");
	struct wg_print_job *q = NULL;
	char path[128];
	FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/letter.txt", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("dear", f);
	fclose(f);
	smbd_print_file_closed(srv, sh, "letter.txt", "bob");
	ck_assert_uint_eq(queue(ops, "lp", &q), 1);
	ck_assert_str_eq(q[0].doc, "letter.txt");
	ck_assert_str_eq(q[0].user, "bob");
	ck_assert_uint_eq(q[0].size, 4);

	/* the print command removed its file: it leaves the queue */
	ck_assert_int_eq(system(talloc_asprintf(tmem, "rm %s/job-*",
						dir)), 0);
	ck_assert_uint_eq(queue(ops, "lp", &q), 0);
	talloc_free(srv);
}
END_TEST

START_TEST(test_jobs_budget)
{
	struct smbd_server *srv = server();
	const struct wg_print_ops *ops = smbd_print_ops(srv);
	struct wg_print_job *q = NULL;
	uint32_t id = 0;

	for (unsigned i = 0; i < PRINT_MAX_JOBS; i++) {
		send_job(ops, "lp", "d", "x");
	}
	ck_assert_uint_eq(srv->stats.budget_hits[SMBD_BUDGET_PRINT_JOBS], 0);
	ck_assert_ptr_null(ops->job_start(ops->priv, tmem, "lp", "d",
					  "alice", &id));
	ck_assert_uint_eq(srv->stats.budget_hits[SMBD_BUDGET_PRINT_JOBS], 1);
	/* another printer has a budget of its own; a deleted job frees one */
	send_job(ops, "lp2", "d", "x");
	ck_assert_uint_eq(queue(ops, "lp", &q), PRINT_MAX_JOBS);
	ck_assert_int_eq(ops->job_control(ops->priv, "lp", q[0].id,
					  WG_JOB_DELETE), 0);
	send_job(ops, "lp", "d", "x");
	ck_assert_uint_eq(srv->stats.budget_hits[SMBD_BUDGET_PRINT_JOBS], 1);
	talloc_free(srv);
}
END_TEST

START_TEST(test_job_properties)
{
	struct smbd_server *srv = server();
	const struct wg_print_ops *ops = smbd_print_ops(srv);
	struct wg_print_job *q = NULL;
	struct wg_job_prop p = { .name = "a", .type = WG_PROP_INT32,
				 .num = -7 }, *v = NULL;
	uint8_t big[PRINT_MAX_JOB_PROP_BYTES];
	char name[16];
	size_t n = 0;

	send_job(ops, "lp", "d", "x");
	ck_assert_uint_eq(queue(ops, "lp", &q), 1);
	ck_assert_int_eq(ops->job_prop_set(ops->priv, "lp", q[0].id, &p,
					   "10.0.0.1"), 0);
	p.type = WG_PROP_STRING;
	p.str = "now a string";
	ck_assert_int_eq(ops->job_prop_set(ops->priv, "lp", q[0].id, &p,
					   "10.0.0.1"), 0);
	/* a server handle: any printer */
	ck_assert_int_eq(ops->job_props(ops->priv, tmem, NULL, q[0].id, &v,
					&n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].str, "now a string");
	ck_assert_int_eq(ops->job_prop_delete(ops->priv, "lp", q[0].id,
					      "b"), -ENODATA);
	ck_assert_int_eq(ops->job_props(ops->priv, tmem, "lp", 9999, &v,
					&n), -ENOENT);
	/* the count budget */
	p.type = WG_PROP_BYTE;
	p.name = name;
	for (unsigned i = 1; i < PRINT_MAX_JOB_PROPS; i++) {
		snprintf(name, sizeof(name), "p%u", i);
		ck_assert_int_eq(ops->job_prop_set(ops->priv, "lp", q[0].id,
						   &p, "10.0.0.1"), 0);
	}
	ck_assert_uint_eq(
		srv->stats.budget_hits[SMBD_BUDGET_JOB_PROPERTIES], 0);
	snprintf(name, sizeof(name), "one more");
	ck_assert_int_eq(ops->job_prop_set(ops->priv, "lp", q[0].id, &p,
					   "10.0.0.1"), -ENOSPC);
	ck_assert_uint_eq(
		srv->stats.budget_hits[SMBD_BUDGET_JOB_PROPERTIES], 1);
	/* the byte budget, replacing one */
	memset(big, 'x', sizeof(big));
	p.name = "a";
	p.type = WG_PROP_BUFFER;
	p.data = big;
	p.len = sizeof(big);
	ck_assert_int_eq(ops->job_prop_set(ops->priv, "lp", q[0].id, &p,
					   "10.0.0.1"), -ENOSPC);
	ck_assert_uint_eq(
		srv->stats.budget_hits[SMBD_BUDGET_JOB_PROPERTIES], 2);
	p.len = sizeof(big) / 2;
	ck_assert_int_eq(ops->job_prop_set(ops->priv, "lp", q[0].id, &p,
					   "10.0.0.1"), 0);
	ck_assert_int_eq(ops->job_prop_delete(ops->priv, "lp", q[0].id,
					      "a"), 0);
	ck_assert_int_eq(ops->job_props(ops->priv, tmem, "lp", q[0].id, &v,
					&n), 0);
	ck_assert_uint_eq(n, PRINT_MAX_JOB_PROPS - 1);
	/* gone with the job */
	ck_assert_int_eq(ops->job_control(ops->priv, "lp", q[0].id,
					  WG_JOB_DELETE), 0);
	ck_assert_int_eq(ops->job_props(ops->priv, tmem, "lp", q[0].id, &v,
					&n), -ENOENT);
	talloc_free(srv);
}
END_TEST

static Suite *print_queue_suite(void)
{
	Suite *s = suite_create("print_queue");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_order_move_rename);
	tcase_add_test(tc, test_job_properties);
	tcase_add_test(tc, test_pause_delete_purge);
	tcase_add_test(tc, test_share_files_and_printed);
	tcase_add_test(tc, test_jobs_budget);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(print_queue_suite)
