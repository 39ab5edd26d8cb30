/*
 * test_spoolss.c - printer handles (tracked by a real session manager),
 * GetPrinter and the RPRN buffer convention, a RAW job end to end, and
 * the clean failures Windows spoolers get.
 */
#include <errno.h>

#include "tests/pipes/rpctest.h"
#include "sessions/sessmgr.h"
#include "proto/secdesc.h"

#define SPOOLSS_UUID "12345678-1234-abcd-ef00-0123456789ab"

/* --- fake print ops: one printer "lp", a job buffer --- */

struct fake_print {
	char data[256];
	size_t len;
	int started, ended;
	char doc[64];
	/* the queue's one job (7), and what SetJob did to it */
	int controlled, set;
	enum wg_job_cmd cmd;
	char set_doc[64];
	uint32_t set_priority, set_position;
	int purged;
};

struct fake_job {
	struct fake_print *fp;
};

static int fake_list_printers(void *priv, TALLOC_CTX *mem,
			      struct wg_admin_share **out, size_t *n)
{
	struct wg_admin_share *s = talloc_zero_array(mem,
		struct wg_admin_share, 1);

	s[0] = (struct wg_admin_share) {
		.name = "lp", .comment = "Laser", .type = WG_ADMIN_SHARE_PRINT,
	};
	*out = s;
	*n = 1;
	return 0;
}

static void *fake_job_start(void *priv, TALLOC_CTX *mem, const char *printer,
			    const char *doc, const char *user,
			    uint32_t *job_id)
{
	struct fake_print *fp = priv;
	struct fake_job *j = talloc_zero(mem, struct fake_job);

	j->fp = fp;
	fp->started++;
	snprintf(fp->doc, sizeof(fp->doc), "%s", doc);
	*job_id = 42;
	return j;
}

static int fake_job_write(void *priv, void *job, const uint8_t *data,
			  size_t len)
{
	struct fake_print *fp = priv;

	if (len > sizeof(fp->data) - fp->len) {
		return -ENOSPC;
	}
	memcpy(fp->data + fp->len, data, len);
	fp->len += len;
	return 0;
}

static int fake_job_end(void *priv, void *job)
{
	struct fake_print *fp = priv;

	fp->ended++;
	talloc_free(job);
	return 0;
}

static int fake_list_jobs(void *priv, TALLOC_CTX *mem, const char *printer,
			  uint32_t **ids, char ***names, uint64_t **sizes,
			  size_t *n)
{
	*ids = talloc_zero_array(mem, uint32_t, 1);
	*names = talloc_zero_array(mem, char *, 1);
	*sizes = talloc_zero_array(mem, uint64_t, 1);
	(*ids)[0] = 7;
	(*names)[0] = talloc_strdup(*names, "report.txt");
	(*sizes)[0] = 1234;
	*n = 1;
	return 0;
}

static int fake_jobs(void *priv, TALLOC_CTX *mem, const char *printer,
		     struct wg_print_job **out, size_t *n)
{
	struct wg_print_job *v = talloc_zero_array(mem, struct wg_print_job,
						   1);

	v[0] = (struct wg_print_job) {
		.id = 7, .doc = talloc_strdup(v, "report.txt"),
		.user = talloc_strdup(v, "bob"),
		.datatype = talloc_strdup(v, "RAW"), .size = 1234,
		.status = WG_JOB_STATUS_PAUSED, .priority = 1, .position = 1,
		.submitted = 1700000000,
	};
	*out = v;
	*n = 1;
	return 0;
}

static int fake_job_control(void *priv, const char *printer, uint32_t id,
			    enum wg_job_cmd cmd)
{
	struct fake_print *fp = priv;

	if (id != 7) {
		return -ENOENT;
	}
	fp->controlled++;
	fp->cmd = cmd;
	return 0;
}

static int fake_job_set(void *priv, const char *printer, uint32_t id,
			const char *doc, uint32_t priority, uint32_t position)
{
	struct fake_print *fp = priv;

	fp->set++;
	snprintf(fp->set_doc, sizeof(fp->set_doc), "%s",
		 doc != NULL ? doc : "(null)");
	fp->set_priority = priority;
	fp->set_position = position;
	return 0;
}

static void fake_purge(void *priv, const char *printer)
{
	((struct fake_print *)priv)->purged++;
}

/* --- a session manager with a fake clock --- */

static uint64_t clock_ms;
static unsigned reaped;

static uint64_t fake_now(void *priv)
{
	return clock_ms;
}

static void hook_close_handle(void *priv, void *cookie)
{
	reaped++;
	wg_pipe_reap_handle(cookie);
}

static struct fake_print fp;
static struct wg_print_ops print_ops;
static struct wg_pipe_env env;
static struct sm_manager *sm;
static struct sm_session *ticket;
static TALLOC_CTX *tmem;

static void setup(void)
{
	struct sm_settings set = {
		.edition = SM_EDITION_SERVER,
		.max_sessions = 0,
		.spoolss_handle_timeout_ms = 60000,
	};
	struct sm_hooks hooks = {
		.close_handle = hook_close_handle,
	};

	wgt_setup();
	tmem = talloc_new(NULL);
	fp = (struct fake_print) { .len = 0 };
	print_ops = (struct wg_print_ops) {
		.priv = &fp,
		.list_printers = fake_list_printers,
		.job_start = fake_job_start,
		.job_write = fake_job_write,
		.job_end = fake_job_end,
		.list_jobs = fake_list_jobs,
		.jobs = fake_jobs,
		.job_control = fake_job_control,
		.job_set = fake_job_set,
		.purge = fake_purge,
	};
	clock_ms = 1000;
	reaped = 0;
	sm = sm_new(wgt_root, NULL, &set, &hooks);
	ck_assert_ptr_nonnull(sm);
	sm_set_clock(sm, fake_now, NULL);
	ck_assert_int_eq(sm_admit(sm, wgt_root, &env, "127.0.0.9", "PC9", "",
				  true, &ticket), SM_ADMITTED);
	env = (struct wg_pipe_env) {
		.print = &print_ops,
		.sm = sm,
		.ticket = ticket,
		.user = "",
		.anonymous = true,
		.client_ip = "127.0.0.9",
	};
}

static void teardown(void)
{
	TALLOC_FREE(tmem);
	talloc_free(ticket);
	talloc_free(sm);
	wgt_teardown();
}

static bool count_handles(const struct sm_session_info *info, void *priv)
{
	*(unsigned *)priv += info->handles;
	return true;
}

static unsigned tracked(void)
{
	unsigned n = 0;

	sm_foreach(sm, count_handles, &n);
	return n;
}

static struct wg_pipe *open_spoolss(void)
{
	bool unknown = true;
	struct wg_pipe *p = wg_pipe_open(wgt_root, "spoolss", &env, &unknown);

	ck_assert_ptr_nonnull(p);
	rt_bind(tmem, p, SPOOLSS_UUID, 1);
	return p;
}

/* RpcOpenPrinterEx: returns the status, *h the handle. */
static uint32_t open_printer(struct wg_pipe *p, const char *name,
			     uint8_t h[NDR_HANDLE_LEN])
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, name);
	rt_put_unique_string(&q, NULL);		/* datatype */
	ndr_push_u32(&q, 0);			/* devmode cbBuf */
	ndr_push_u32(&q, 0);			/* pDevMode NULL */
	ndr_push_u32(&q, 0x00000008);		/* PRINTER_ACCESS_USE */
	ndr_push_u32(&q, 1);			/* client info level */
	ndr_push_u32(&q, 1);
	ndr_push_u32(&q, 0x00020000);		/* SPLCLIENT_INFO_1 */
	ndr_push_u32(&q, 28);			/* dwSize */
	ndr_push_u32(&q, 0);			/* pMachineName */
	ndr_push_u32(&q, 0);			/* pUserName */
	ndr_push_u32(&q, 17763);		/* dwBuildNum */
	ndr_push_u32(&q, 10);
	ndr_push_u32(&q, 0);
	ndr_push_u16(&q, 9);			/* x64 */
	ck_assert_uint_eq(rt_call(tmem, p, 69, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 24);
	memcpy(h, stub, NDR_HANDLE_LEN);
	return wire_le32(stub + 20);
}

/* A call taking just the handle and answering a status (or a fault). */
static uint32_t handle_call(struct wg_pipe *p, uint16_t opnum,
			    const uint8_t h[NDR_HANDLE_LEN], uint32_t *werr)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint32_t fault = 0;

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	fault = rt_call(tmem, p, opnum, &q.w, &stub, &len);
	if (fault == 0) {
		*werr = wire_le32(stub + len - 4);
	}
	return fault;
}

/* RpcGetPrinter(level, cbBuf): returns the status. */
static uint32_t get_printer(struct wg_pipe *p, const uint8_t *h,
			    uint32_t level, uint32_t cb, uint8_t **blob,
			    uint32_t *needed)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint8_t *zero = talloc_zero_array(tmem, uint8_t, cb + 1);

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_u32(&q, level);
	if (cb > 0) {
		ndr_push_referent(&q);
		ndr_push_conformant_bytes(&q, zero, cb);
	} else {
		ndr_push_u32(&q, 0);
	}
	ndr_push_u32(&q, cb);
	ck_assert_uint_eq(rt_call(tmem, p, 8, &q.w, &stub, &len), 0);
	if (cb > 0) {
		ck_assert_uint_ne(wire_le32(stub), 0);
		ck_assert_uint_eq(wire_le32(stub + 4), cb);
		*blob = stub + 8;
		ck_assert_uint_eq(len, 8 + ((cb + 3) & ~3u) + 8);
	} else {
		ck_assert_uint_eq(wire_le32(stub), 0);
		ck_assert_uint_eq(len, 12);
	}
	*needed = wire_le32(stub + len - 8);
	return wire_le32(stub + len - 4);
}

/* A UTF-16 string at blob[off] compared with an ASCII one. */
static void check_str(const uint8_t *blob, uint32_t off, const char *want)
{
	size_t n = strlen(want);

	for (size_t i = 0; i <= n; i++) {
		ck_assert_uint_eq(wire_le16(blob + off + 2 * i),
				  (uint16_t)(unsigned char)want[i]);
	}
}

START_TEST(test_open_get_close_tracked)
{
	struct wg_pipe *p = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN], srv[NDR_HANDLE_LEN], h2[NDR_HANDLE_LEN];
	static const uint8_t zero[NDR_HANDLE_LEN];
	uint8_t *blob = NULL;
	uint32_t needed = 0, werr = 0;

	ck_assert_uint_eq(open_printer(p, "\\\\WGSMB\\LP", h), 0);
	ck_assert_int_ne(memcmp(h, zero, sizeof(h)), 0);
	ck_assert_uint_eq(open_printer(p, "\\\\127.0.0.1", srv), 0);
	ck_assert_uint_eq(wg_pipe_handle_count(p), 2);
	ck_assert_uint_eq(tracked(), 2);
	ck_assert_uint_eq(open_printer(p, "\\\\WGSMB\\nope", srv), 1801);
	ck_assert_uint_eq(open_printer(p, "\\\\WGSMB\\lp,Job 3", srv),
			  1801);

	/* the buffer convention: too small -> 122 and the size needed */
	ck_assert_uint_eq(get_printer(p, h, 2, 0, &blob, &needed), 122);
	ck_assert_uint_gt(needed, 84);
	ck_assert_uint_eq(get_printer(p, h, 2, 16, &blob, &needed), 122);
	ck_assert_uint_eq(get_printer(p, h, 2, needed, &blob, &needed), 0);
	/* PRINTER_INFO_2: pPrinterName at +4, pShareName at +8 */
	check_str(blob, wire_le32(blob + 4), "\\\\WGSMB\\lp");
	check_str(blob, wire_le32(blob + 8), "lp");
	check_str(blob, wire_le32(blob + 20), "Laser");
	/* the printer's default DEVMODE: dmSize at +68 */
	ck_assert_uint_ne(wire_le32(blob + 28), 0);
	ck_assert_uint_eq(wire_le16(blob + wire_le32(blob + 28) + 68), 220);
	ck_assert_uint_eq(wire_le32(blob + 76), 1);	/* cJobs */
	ck_assert_uint_eq(get_printer(p, h, 0, 0, &blob, &needed), 122);
	ck_assert_uint_eq(get_printer(p, h, 0, needed, &blob, &needed), 0);
	ck_assert_uint_eq(get_printer(p, h, 1, 0, &blob, &needed), 122);
	ck_assert_uint_eq(get_printer(p, h, 1, needed, &blob, &needed), 0);
	ck_assert_uint_eq(get_printer(p, h, 9, 0, &blob, &needed), 124);
	/* opened by a bare name: PRINTER_INFO_2 names no server */
	ck_assert_uint_eq(open_printer(p, "lp, LocalOnly", h2), 0);
	ck_assert_uint_eq(get_printer(p, h2, 2, 4000, &blob, &needed), 0);
	ck_assert_uint_eq(wire_le32(blob + 0), 0);
	check_str(blob, wire_le32(blob + 4), "lp");
	ck_assert_uint_eq(handle_call(p, 29, h2, &werr), 0);

	/* close: a zeroed handle; the handle is gone (fault after) */
	ck_assert_uint_eq(handle_call(p, 29, h, &werr), 0);
	ck_assert_uint_eq(werr, 0);
	ck_assert_uint_eq(wg_pipe_handle_count(p), 1);
	ck_assert_uint_eq(tracked(), 1);
	ck_assert_uint_eq(handle_call(p, 29, h, &werr), 0x1c00001au);
	talloc_free(p);
	ck_assert_uint_eq(tracked(), 0);
}
END_TEST

START_TEST(test_raw_job)
{
	struct wg_pipe *p = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN];
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint32_t werr = 0;

	ck_assert_uint_eq(open_printer(p, "lp", h), 0);
	/* WritePrinter before StartDoc */
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_conformant_bytes(&q, "hello ", 6);
	ndr_push_u32(&q, 6);
	ck_assert_uint_eq(rt_call(tmem, p, 19, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + 4), 3004);

	/* StartDocPrinter(DOC_INFO_1 { "doc", NULL, "RAW" }) */
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_u32(&q, 1);
	ndr_push_u32(&q, 1);
	ndr_push_referent(&q);
	ndr_push_referent(&q);
	ndr_push_u32(&q, 0);
	ndr_push_referent(&q);
	ndr_push_string(&q, "doc");
	ndr_push_string(&q, "RAW");
	ck_assert_uint_eq(rt_call(tmem, p, 17, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub), 42);
	ck_assert_uint_eq(wire_le32(stub + 4), 0);
	ck_assert_str_eq(fp.doc, "doc");

	for (int i = 0; i < 2; i++) {
		ndr_push_init(&q, tmem, 0);
		ndr_push_handle(&q, h);
		ndr_push_conformant_bytes(&q, i == 0 ? "hello " : "world",
					  i == 0 ? 6 : 5);
		ndr_push_u32(&q, i == 0 ? 6 : 5);
		ck_assert_uint_eq(rt_call(tmem, p, 19, &q.w, &stub, &len), 0);
		ck_assert_uint_eq(wire_le32(stub), i == 0 ? 6 : 5);
		ck_assert_uint_eq(wire_le32(stub + 4), 0);
	}
	/* cbBuf disagreeing with the array: bad stub */
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_conformant_bytes(&q, "x", 1);
	ndr_push_u32(&q, 2);
	ck_assert_uint_eq(rt_call(tmem, p, 19, &q.w, &stub, &len), 0x6f7u);

	ck_assert_uint_eq(handle_call(p, 23, h, &werr), 0);
	ck_assert_uint_eq(werr, 0);
	ck_assert_uint_eq(fp.ended, 1);
	ck_assert_uint_eq(fp.len, 11);
	ck_assert_int_eq(memcmp(fp.data, "hello world", 11), 0);
	ck_assert_uint_eq(handle_call(p, 23, h, &werr), 0);
	ck_assert_uint_eq(werr, 3004);

	/* a job left open is finished when the handle goes */
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_u32(&q, 1);
	ndr_push_u32(&q, 1);
	ndr_push_referent(&q);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 17, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(fp.started, 2);
	talloc_free(p);
	ck_assert_uint_eq(fp.ended, 2);
}
END_TEST

START_TEST(test_reaped_by_session_manager)
{
	struct wg_pipe *p = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN], h2[NDR_HANDLE_LEN];
	uint32_t werr = 0;
	uint8_t *blob = NULL;
	uint32_t needed = 0;

	ck_assert_uint_eq(open_printer(p, "\\\\WGSMB\\lp", h), 0);
	ck_assert_uint_eq(open_printer(p, "\\\\WGSMB\\lp", h2), 0);
	clock_ms += 50000;
	/* using h2 keeps it alive */
	ck_assert_uint_eq(get_printer(p, h2, 2, 0, &blob, &needed), 122);
	clock_ms += 20000;
	sm_tick_for_test(sm);
	ck_assert_uint_eq(reaped, 1);
	ck_assert_uint_eq(wg_pipe_handle_count(p), 1);
	ck_assert_uint_eq(tracked(), 1);
	ck_assert_uint_eq(handle_call(p, 29, h, &werr), 0x1c00001au);
	ck_assert_uint_eq(handle_call(p, 29, h2, &werr), 0);
	ck_assert_uint_eq(tracked(), 0);
	talloc_free(p);
}
END_TEST

START_TEST(test_handles_per_session)
{
	struct wg_pipe *p = open_spoolss();
	struct wg_pipe *p2 = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN];
	uint32_t werr = 0;
	unsigned i = 0;

	for (i = 0; i < 64; i++) {
		ck_assert_uint_eq(open_printer(p, NULL, h), 0);
	}
	/* the limit is the session's: a second pipe gets no more room */
	ck_assert_uint_eq(open_printer(p, NULL, h), 1450);
	ck_assert_uint_eq(open_printer(p2, "lp", h), 1450);
	ck_assert_uint_eq(wg_pipe_handle_count(p), 64);
	ck_assert_uint_eq(wg_pipe_handle_count(p2), 0);
	wg_pipe_close_handles(p);
	ck_assert_uint_eq(wg_pipe_handle_count(p), 0);
	ck_assert_uint_eq(open_printer(p2, "lp", h), 0);
	/* a handle from one pipe means nothing on another */
	ck_assert_uint_eq(handle_call(p, 29, h, &werr), 0x1c00001au);
	ck_assert_uint_eq(tracked(), 1);
	talloc_free(p);
	talloc_free(p2);
}
END_TEST

/* EnumPrinters(flags, name, level, cbBuf): status, needed, returned. */
static uint32_t enum_printers(struct wg_pipe *p, uint32_t level, uint32_t cb,
			      uint8_t **blob, uint32_t *needed,
			      uint32_t *returned)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint8_t *zero = talloc_zero_array(tmem, uint8_t, cb + 1);

	ndr_push_init(&q, tmem, 0);
	ndr_push_u32(&q, 0x2);
	rt_put_unique_string(&q, "\\\\WGSMB");
	ndr_push_u32(&q, level);
	if (cb > 0) {
		ndr_push_referent(&q);
		ndr_push_conformant_bytes(&q, zero, cb);
	} else {
		ndr_push_u32(&q, 0);
	}
	ndr_push_u32(&q, cb);
	ck_assert_uint_eq(rt_call(tmem, p, 0, &q.w, &stub, &len), 0);
	*blob = stub + 8;
	*needed = wire_le32(stub + len - 12);
	*returned = wire_le32(stub + len - 8);
	return wire_le32(stub + len - 4);
}

START_TEST(test_enum_printers_and_jobs)
{
	struct wg_pipe *p = open_spoolss();
	uint8_t *blob = NULL;
	uint32_t needed = 0, n = 0;
	uint8_t h[NDR_HANDLE_LEN];
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ck_assert_uint_eq(enum_printers(p, 1, 0, &blob, &needed, &n), 122);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(enum_printers(p, 1, needed, &blob, &needed, &n), 0);
	ck_assert_uint_eq(n, 1);
	check_str(blob, wire_le32(blob + 8), "\\\\WGSMB\\lp");
	check_str(blob, wire_le32(blob + 12), "Laser");
	ck_assert_uint_eq(enum_printers(p, 4, 0, &blob, &needed, &n), 122);
	ck_assert_uint_eq(enum_printers(p, 4, needed, &blob, &needed, &n), 0);
	check_str(blob, wire_le32(blob + 4), "\\\\WGSMB");
	ck_assert_uint_eq(enum_printers(p, 2, 4000, &blob, &needed, &n), 0);
	ck_assert_uint_eq(enum_printers(p, 3, 0, &blob, &needed, &n), 124);

	ck_assert_uint_eq(open_printer(p, "lp", h), 0);
	for (uint32_t level = 1; level <= 5; level++) {
		ndr_push_init(&q, tmem, 0);
		ndr_push_handle(&q, h);
		ndr_push_u32(&q, 0);
		ndr_push_u32(&q, 100);
		ndr_push_u32(&q, level);
		ndr_push_u32(&q, 0);
		ndr_push_u32(&q, 0);
		ck_assert_uint_eq(rt_call(tmem, p, 4, &q.w, &stub, &len), 0);
		if (level == 5) {
			ck_assert_uint_eq(wire_le32(stub + len - 4), 124);
			continue;
		}
		ck_assert_uint_eq(wire_le32(stub + len - 4), 122);
		/* printer, \\WGSMB, bob, report.txt, RAW; at 2 and 4
		 * also bob (notify), winprint, "" and the driver */
		ck_assert_uint_eq(wire_le32(stub + len - 12),
				  level == 1 ? 64 + 2 * (3 + 8 + 4 + 11 + 4) :
				  level == 3 ? 12 :
				  (level == 2 ? 104 : 108) +
				  2 * (3 + 8 + 4 + 11 + 4 + 4 + 9 + 1 + 25));
	}
	talloc_free(p);
}
END_TEST

/* RpcGetJob (3); returns the status, *blob the buffer when it fit. */
static uint32_t get_job(struct wg_pipe *p, const uint8_t *h, uint32_t id,
			uint32_t level, uint32_t offered, uint8_t **blob,
			uint32_t *needed)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_u32(&q, id);
	ndr_push_u32(&q, level);
	if (offered > 0) {
		ndr_push_referent(&q);
		ndr_push_u32(&q, offered);
		for (uint32_t i = 0; i < offered; i++) {
			wire_put_u8(&q.w, 0);
		}
	} else {
		ndr_push_u32(&q, 0);
	}
	ndr_push_u32(&q, offered);
	ck_assert_uint_eq(rt_call(tmem, p, 3, &q.w, &stub, &len), 0);
	*blob = wire_le32(stub) != 0 ? stub + 8 : NULL;
	*needed = wire_le32(stub + len - 8);
	return wire_le32(stub + len - 4);
}

/*
 * A JOB_CONTAINER of JOB_INFO_<level> (1, 2 or 4) naming document doc
 * (NULL: no pointer) with priority and position, then Command. disc is
 * the union's discriminant (normally the level).
 */
static void put_set_job(struct ndr_push *q, const uint8_t *h, uint32_t id,
			uint32_t level, uint32_t disc, const char *doc,
			uint32_t priority, uint32_t position, uint32_t cmd)
{
	uint32_t nptrs = level == 1 ? 6 : 10;

	ndr_push_handle(q, h);
	ndr_push_u32(q, id);
	ndr_push_referent(q);			/* pJobContainer */
	ndr_push_u32(q, level);
	ndr_push_u32(q, disc);
	ndr_push_referent(q);			/* JobInfo.LevelN */
	ndr_push_u32(q, id);
	for (uint32_t k = 0; k < nptrs; k++) {
		if (k == 0 || (k == 3 && doc != NULL)) {
			ndr_push_referent(q);	/* printer, document */
		} else {
			ndr_push_u32(q, 0);
		}
		if (level != 1 && (k == 8 || k == 9)) {
			ndr_push_u32(q, 0);	/* DEVMODE, descriptor */
		}
	}
	ndr_push_u32(q, 0);			/* Status */
	ndr_push_u32(q, priority);
	ndr_push_u32(q, position);
	for (uint32_t k = 0; k < (level == 1 ? 6u : level == 2 ? 10u : 11u);
	     k++) {
		ndr_push_u32(q, 0x00010002);	/* times, sizes, pages */
	}
	ndr_push_string(q, "lp");
	if (doc != NULL) {
		ndr_push_string(q, doc);
	}
	ndr_push_u32(q, cmd);
}

/* RpcSetJob (2) with only a command (no container). */
static uint32_t set_job_cmd(struct wg_pipe *p, const uint8_t *h,
			    uint32_t id, uint32_t cmd)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_u32(&q, id);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, cmd);
	ck_assert_uint_eq(rt_call(tmem, p, 2, &q.w, &stub, &len), 0);
	return wire_le32(stub);
}

static uint32_t set_job(struct wg_pipe *p, const uint8_t *h, uint32_t id,
			uint32_t level, const char *doc, uint32_t priority,
			uint32_t cmd)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	put_set_job(&q, h, id, level, level, doc, priority, 2, cmd);
	ck_assert_uint_eq(rt_call(tmem, p, 2, &q.w, &stub, &len), 0);
	return wire_le32(stub);
}

START_TEST(test_jobs)
{
	struct wg_pipe *p = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN];
	uint8_t *blob = NULL, *stub = NULL;
	uint32_t needed = 0;
	struct ndr_push q;
	size_t len = 0;

	ck_assert_uint_eq(open_printer(p, "lp", h), 0);

	/* GetJob: the buffer convention, the fields, unknown jobs/levels */
	ck_assert_uint_eq(get_job(p, h, 7, 1, 0, &blob, &needed), 122);
	ck_assert_uint_eq(needed, 64 + 2 * (3 + 8 + 4 + 11 + 4));
	ck_assert_uint_eq(get_job(p, h, 7, 1, needed, &blob, &needed), 0);
	ck_assert_ptr_nonnull(blob);
	ck_assert_uint_eq(wire_le32(blob), 7);
	check_str(blob, wire_le32(blob + 12), "bob");
	check_str(blob, wire_le32(blob + 16), "report.txt");
	ck_assert_uint_eq(wire_le32(blob + 28), WG_JOB_STATUS_PAUSED);
	ck_assert_uint_eq(wire_le32(blob + 36), 1);	/* position */
	ck_assert_uint_eq(wire_le16(blob + 48), 2023);	/* submitted */
	ck_assert_uint_eq(get_job(p, h, 7, 3, 100, &blob, &needed), 0);
	ck_assert_uint_eq(needed, 12);
	ck_assert_uint_eq(wire_le32(blob + 4), 0);	/* no next job */
	ck_assert_uint_eq(get_job(p, h, 7, 4, 1000, &blob, &needed), 0);
	ck_assert_uint_eq(wire_le32(blob + 76), 1234);	/* Size */
	ck_assert_uint_eq(wire_le32(blob + 104), 0);	/* SizeHigh */
	ck_assert_uint_eq(get_job(p, h, 7, 0, 100, &blob, &needed), 124);
	ck_assert_uint_eq(get_job(p, h, 8, 1, 1000, &blob, &needed), 87);

	/* SetJob: only the job's owner (or an admin) */
	ck_assert_uint_eq(set_job_cmd(p, h, 7, 1), 5);
	ck_assert_int_eq(fp.controlled, 0);
	env.user = "bob";
	env.anonymous = false;
	ck_assert_uint_eq(set_job_cmd(p, h, 7, 1), 0);
	ck_assert_int_eq(fp.controlled, 1);
	ck_assert_int_eq(fp.cmd, WG_JOB_PAUSE);
	ck_assert_uint_eq(set_job_cmd(p, h, 7, 5), 0);
	ck_assert_int_eq(fp.cmd, WG_JOB_DELETE);
	ck_assert_uint_eq(set_job_cmd(p, h, 7, 8), 0);	/* RETAIN */
	ck_assert_int_eq(fp.controlled, 2);
	ck_assert_uint_eq(set_job_cmd(p, h, 7, 10), 87);
	ck_assert_uint_eq(set_job_cmd(p, h, 7, 0), 87);
	ck_assert_uint_eq(set_job_cmd(p, h, 9, 1), 87);

	/* JOB_INFO 1, 2 and 4 reach the document name and priority */
	ck_assert_uint_eq(set_job(p, h, 7, 1, "new name", 5, 0), 0);
	ck_assert_int_eq(fp.set, 1);
	ck_assert_str_eq(fp.set_doc, "new name");
	ck_assert_uint_eq(fp.set_priority, 5);
	ck_assert_uint_eq(fp.set_position, 2);
	ck_assert_uint_eq(set_job(p, h, 7, 2, "two", 3, 2), 0);
	ck_assert_str_eq(fp.set_doc, "two");
	ck_assert_uint_eq(fp.set_priority, 3);
	ck_assert_int_eq(fp.cmd, WG_JOB_RESUME);
	ck_assert_uint_eq(set_job(p, h, 7, 4, NULL, 9, 0), 0);
	ck_assert_str_eq(fp.set_doc, "(null)");
	ck_assert_uint_eq(set_job(p, h, 7, 1, "x", 100, 0), 87);
	ck_assert_int_eq(fp.set, 3);

	/* a discriminant that is not the level, or no such arm: a fault */
	ndr_push_init(&q, tmem, 0);
	put_set_job(&q, h, 7, 1, 2, "doc", 1, 0, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 2, &q.w, &stub, &len),
			  DCERPC_FAULT_NDR);
	ndr_push_init(&q, tmem, 0);
	put_set_job(&q, h, 7, 5, 5, "doc", 1, 0, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 2, &q.w, &stub, &len),
			  DCERPC_FAULT_NDR);
	/* cut short anywhere: a fault, never a read past the end */
	ndr_push_init(&q, tmem, 0);
	put_set_job(&q, h, 7, 2, 2, "document", 1, 0, 0);
	for (size_t cut = NDR_HANDLE_LEN + 4; cut < q.w.len - 4; cut += 3) {
		struct wire_wr w = q.w;

		w.len = cut;
		ck_assert_uint_ne(rt_call(tmem, p, 2, &w, &stub, &len), 0);
	}
	ck_assert_int_eq(fp.set, 3);

	/* another user: refused */
	env.user = "eve";
	ck_assert_uint_eq(set_job(p, h, 7, 1, "x", 1, 0), 5);

	/* AddJob: level 1 is for local clients only */
	for (uint32_t level = 0; level <= 1; level++) {
		ndr_push_init(&q, tmem, 0);
		ndr_push_handle(&q, h);
		ndr_push_u32(&q, level);
		ndr_push_u32(&q, 0);
		ndr_push_u32(&q, 0);
		ck_assert_uint_eq(rt_call(tmem, p, 24, &q.w, &stub, &len), 0);
		ck_assert_uint_eq(wire_le32(stub + len - 4),
				  level == 0 ? 124 : 87);
	}
	talloc_free(p);
}
END_TEST

START_TEST(test_clean_failures)
{
	struct wg_pipe *p = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN];
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ck_assert_uint_eq(open_printer(p, "lp", h), 0);
	/* GetPrinterDataEx(h, "PrinterDriverData", "ChangeId", 4) */
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_string(&q, "PrinterDriverData");
	ndr_push_string(&q, "ChangeId");
	ndr_push_u32(&q, 4);
	ck_assert_uint_eq(rt_call(tmem, p, 78, &q.w, &stub, &len), 0);
	/* every printer has a ChangeID (REG_DWORD) */
	ck_assert_uint_eq(len, 4 + 4 + 4 + 4 + 4);
	ck_assert_uint_eq(wire_le32(stub), 4);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 0);
	/* GetPrinterData(h, "OSVersion", 0) */
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_string(&q, "OSVersion");
	ndr_push_u32(&q, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 26, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 2);
	/* EnumForms(h, 1, NULL, 0) */
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_u32(&q, 1);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 34, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 122);
	/* GetPrinterDriver2(h, "Windows x64", 3, NULL, 0, 3, 0): too small */
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	rt_put_unique_string(&q, "Windows x64");
	ndr_push_u32(&q, 3);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 3);
	ndr_push_u32(&q, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 53, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 20);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 122);
	/* RemoteFindFirstPrinterChangeNotificationEx: refused */
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_u32(&q, 0x100);
	ndr_push_u32(&q, 0);
	rt_put_unique_string(&q, "\\\\client");
	ndr_push_u32(&q, 1);
	ndr_push_u32(&q, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 65, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_uint_ne(wire_le32(stub), 0);
	/* an opnum we do not serve (RpcAddPrinterDriver) */
	ck_assert_uint_eq(rt_call(tmem, p, 9, &q.w, &stub, &len),
			  0x1c010002u);
	talloc_free(p);
}
END_TEST

/* RpcOpenPrinter (1), the older call: same handles, same budget. */
START_TEST(test_open_printer_old_call)
{
	struct wg_pipe *p = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN];
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint32_t werr = 0;

	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, "\\\\WGSMB\\lp");
	rt_put_unique_string(&q, "RAW");
	ndr_push_u32(&q, 0);			/* devmode cbBuf */
	ndr_push_u32(&q, 0);			/* pDevMode NULL */
	ndr_push_u32(&q, 0x00000008);		/* PRINTER_ACCESS_USE */
	ck_assert_uint_eq(rt_call(tmem, p, 1, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 24);
	ck_assert_uint_eq(wire_le32(stub + 20), 0);
	memcpy(h, stub, NDR_HANDLE_LEN);
	ck_assert_uint_eq(tracked(), 1);
	ck_assert_uint_eq(wg_pipe_handle_count(p), 1);
	ck_assert_uint_eq(handle_call(p, 29, h, &werr), 0);
	ck_assert_uint_eq(werr, 0);
	ck_assert_uint_eq(tracked(), 0);
	/* every prefix of the request faults, none opens a handle */
	for (size_t cut = 0; cut < q.w.len; cut++) {
		struct wire_wr w = q.w;

		w.len = cut;
		ck_assert_uint_eq(rt_call(tmem, p, 1, &w, &stub, &len),
				  DCERPC_FAULT_NDR);
	}
	ck_assert_uint_eq(tracked(), 0);
	ck_assert_uint_eq(wg_pipe_handle_count(p), 0);
	talloc_free(p);
}
END_TEST

/* GetPrinterData(h, value, size): status; *type, *needed, *data. */
static uint32_t get_data(struct wg_pipe *p, const uint8_t *h,
			 const char *value, uint32_t size, uint32_t *type,
			 uint32_t *needed, uint8_t **data)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_string(&q, value);
	ndr_push_u32(&q, size);
	ck_assert_uint_eq(rt_call(tmem, p, 26, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 8 + ((size + 3) & ~3u) + 8);
	ck_assert_uint_eq(wire_le32(stub + 4), size);
	*type = wire_le32(stub);
	*data = stub + 8;
	*needed = wire_le32(stub + len - 8);
	return wire_le32(stub + len - 4);
}

/* A server-wide listing (pName, Level, buffer): status, *n entries. */
static uint32_t server_enum(struct wg_pipe *p, uint16_t opnum,
			    const char *env_name, bool has_env,
			    uint32_t level, uint32_t cb, uint8_t **blob,
			    uint32_t *needed, uint32_t *n)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint8_t *zero = talloc_zero_array(tmem, uint8_t, cb + 1);

	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, "\\\\WGSMB");
	if (has_env) {
		rt_put_unique_string(&q, env_name);
	}
	ndr_push_u32(&q, level);
	if (cb > 0) {
		ndr_push_referent(&q);
		ndr_push_conformant_bytes(&q, zero, cb);
	} else {
		ndr_push_u32(&q, 0);
	}
	ndr_push_u32(&q, cb);
	ck_assert_uint_eq(rt_call(tmem, p, opnum, &q.w, &stub, &len), 0);
	*blob = cb > 0 ? stub + 8 : NULL;
	*needed = wire_le32(stub + len - 12);
	*n = wire_le32(stub + len - 8);
	/* every prefix of the request faults */
	for (size_t cut = 0; cut < q.w.len; cut++) {
		struct wire_wr w = q.w;
		uint8_t *s2 = NULL;
		size_t l2 = 0;

		w.len = cut;
		ck_assert_uint_eq(rt_call(tmem, p, opnum, &w, &s2, &l2),
				  DCERPC_FAULT_NDR);
	}
	return wire_le32(stub + len - 4);
}

START_TEST(test_print_server_calls)
{
	struct wg_pipe *p = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN], lp[NDR_HANDLE_LEN];
	uint8_t *data = NULL, *blob = NULL;
	uint32_t type = 0, needed = 0, n = 0;

	ck_assert_uint_eq(open_printer(p, "\\\\WGSMB", h), 0);
	ck_assert_uint_eq(open_printer(p, "lp", lp), 0);
	/* server data: too small, then the value */
	ck_assert_uint_eq(get_data(p, h, "Architecture", 0, &type, &needed,
				   &data), 234);
	ck_assert_uint_eq(needed, 24);
	ck_assert_uint_eq(get_data(p, h, "Architecture", 24, &type, &needed,
				   &data), 0);
	ck_assert_uint_eq(type, 1);
	check_str(data, 0, "Windows x64");
	ck_assert_uint_eq(get_data(p, h, "MajorVersion", 4, &type, &needed,
				   &data), 0);
	ck_assert_uint_eq(type, 4);
	ck_assert_uint_eq(wire_le32(data), 3);
	/* OSVersion: the NT version NTLMSSP announces too, 10.0.20348 */
	ck_assert_uint_eq(get_data(p, h, "OSVersion", 276, &type, &needed,
				   &data), 0);
	ck_assert_uint_eq(type, 3);
	ck_assert_uint_eq(wire_le32(data), 276);
	ck_assert_uint_eq(wire_le32(data + 4), 10);
	ck_assert_uint_eq(wire_le32(data + 8), 0);
	ck_assert_uint_eq(wire_le32(data + 12), 20348);
	ck_assert_uint_eq(wire_le32(data + 16), 2);
	ck_assert_uint_eq(get_data(p, h, "NoSuchValue", 4, &type, &needed,
				   &data), 2);
	/* a printer handle has no server data */
	ck_assert_uint_eq(get_data(p, lp, "Architecture", 64, &type,
				   &needed, &data), 2);
	/* EnumPorts level 1: INSUFFICIENT_BUFFER, then one PORT_INFO_1 */
	ck_assert_uint_eq(server_enum(p, 35, NULL, false, 1, 0, &blob,
				      &needed, &n), 122);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(needed, 2 * 4 + 14 + 12);
	ck_assert_uint_eq(server_enum(p, 35, NULL, false, 1, needed, &blob,
				      &needed, &n), 0);
	ck_assert_uint_eq(n, 2);
	check_str(blob, wire_le32(blob), "wgsmb:");
	check_str(blob + 4, wire_le32(blob + 4), "LPT1:");
	ck_assert_uint_eq(server_enum(p, 35, NULL, false, 3, 0, &blob,
				      &needed, &n), 124);
	/* EnumMonitors level 2 */
	ck_assert_uint_eq(server_enum(p, 36, NULL, false, 2, 256, &blob,
				      &needed, &n), 0);
	ck_assert_uint_eq(n, 1);
	check_str(blob, wire_le32(blob), "Local Port");
	check_str(blob, wire_le32(blob + 4), "Windows x64");
	/* print processors, their datatypes, drivers, directories */
	ck_assert_uint_eq(server_enum(p, 15, "Windows x64", true, 1, 256,
				      &blob, &needed, &n), 0);
	check_str(blob, wire_le32(blob), "winprint");
	ck_assert_uint_eq(server_enum(p, 15, "phantasy", true, 1, 256,
				      &blob, &needed, &n), 1805);
	ck_assert_uint_eq(server_enum(p, 51, "winprint", true, 1, 256,
				      &blob, &needed, &n), 0);
	check_str(blob, wire_le32(blob), "RAW");
	ck_assert_uint_eq(server_enum(p, 51, NULL, true, 1, 256,
				      &blob, &needed, &n), 1798);
	ck_assert_uint_eq(server_enum(p, 10, "Windows NT x86", true, 3, 0,
				      &blob, &needed, &n), 122);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_gt(needed, 40);
	ck_assert_uint_eq(wg_pipe_handle_count(p), 2);
	talloc_free(p);
}
END_TEST

/* GetPrintProcessorDirectory (16) and GetPrinterDriverDirectory (12). */
static bool fake_is_admin(void *priv, const char *user)
{
	return strcmp(user, "alice") == 0;
}

/* Every prefix of a request shorter than `parsed` is a fault (NDR). */
static void check_truncations(struct wg_pipe *p, uint16_t opnum,
			      const struct wire_wr *w, size_t parsed)
{
	uint8_t *stub = NULL;
	size_t len = 0;

	for (size_t cut = 0; cut < parsed; cut++) {
		struct wire_wr t = *w;

		t.len = cut;
		ck_assert_uint_eq(rt_call(tmem, p, opnum, &t, &stub, &len),
				  DCERPC_FAULT_NDR);
	}
}

/* A FORM_CONTAINER level 1: flags, name, size, whole-page area. */
static void put_form(struct ndr_push *q, uint32_t flags, const char *name,
		     uint32_t cx, uint32_t cy)
{
	ndr_push_u32(q, 1);
	ndr_push_u32(q, 1);
	ndr_push_referent(q);
	ndr_push_u32(q, flags);
	ndr_push_referent(q);
	ndr_push_u32(q, cx);
	ndr_push_u32(q, cy);
	ndr_push_u32(q, 0);
	ndr_push_u32(q, 0);
	ndr_push_u32(q, cx);
	ndr_push_u32(q, cy);
	ndr_push_string(q, name);
}

/* AddForm (30) or, with set_name, SetForm (33): the status. */
static uint32_t add_form(struct wg_pipe *p, const uint8_t h[NDR_HANDLE_LEN],
			 const char *set_name, uint32_t flags,
			 const char *name, uint32_t cx)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	if (set_name != NULL) {
		ndr_push_string(&q, set_name);
	}
	put_form(&q, flags, name, cx, 1000);
	ck_assert_uint_eq(rt_call(tmem, p, set_name != NULL ? 33 : 30, &q.w,
				  &stub, &len), 0);
	ck_assert_uint_eq(len, 4);
	return wire_le32(stub);
}

/* DeleteForm (31): the status. */
static uint32_t delete_form(struct wg_pipe *p,
			    const uint8_t h[NDR_HANDLE_LEN], const char *name)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_string(&q, name);
	ck_assert_uint_eq(rt_call(tmem, p, 31, &q.w, &stub, &len), 0);
	return wire_le32(stub);
}

/* EnumForms (34) with GetForm (32) when name is set: status, blob, n. */
static uint32_t get_forms(struct wg_pipe *p, const uint8_t h[NDR_HANDLE_LEN],
			  const char *name, uint32_t level, uint32_t cb,
			  uint8_t **blob, uint32_t *needed, uint32_t *n)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	if (name != NULL) {
		ndr_push_string(&q, name);
	}
	ndr_push_u32(&q, level);
	if (cb > 0) {
		uint8_t *zero = talloc_zero_array(tmem, uint8_t, cb);

		ndr_push_referent(&q);
		ndr_push_conformant_bytes(&q, zero, cb);
	} else {
		ndr_push_u32(&q, 0);
	}
	ndr_push_u32(&q, cb);
	ck_assert_uint_eq(rt_call(tmem, p, name != NULL ? 32 : 34, &q.w,
				  &stub, &len), 0);
	*blob = cb > 0 ? stub + 8 : NULL;
	*needed = wire_le32(stub + (cb > 0 ? 8 + cb : 4));
	*n = name != NULL ? 1 : wire_le32(stub + len - 8);
	return wire_le32(stub + len - 4);
}

START_TEST(test_forms)
{
	struct wg_pipe *p = open_spoolss();
	struct wg_admin_ops admin = { .is_admin = fake_is_admin };
	uint8_t h[NDR_HANDLE_LEN];
	uint8_t *blob = NULL;
	uint32_t needed = 0, n = 0, n0 = 0;
	struct ndr_push q;

	ck_assert_uint_eq(open_printer(p, "\\\\WGSMB", h), 0);
	/* a null session may list forms but not change them */
	ck_assert_uint_eq(add_form(p, h, NULL, 0, "wgform", 5000), 5);
	ck_assert_uint_eq(delete_form(p, h, "Letter"), 5);
	env.admin = &admin;
	env.anonymous = false;
	env.user = "alice";

	/* EnumForms 1: Letter first, 32-byte entries, sizes in um */
	ck_assert_uint_eq(get_forms(p, h, NULL, 1, 0, &blob, &needed, &n0),
			  122);
	ck_assert_uint_eq(get_forms(p, h, NULL, 1, needed, &blob, &needed,
				    &n0), 0);
	ck_assert_uint_ge(n0, 9);
	ck_assert_uint_eq(wire_le32(blob), 1);			/* BUILTIN */
	check_str(blob, wire_le32(blob + 4), "Letter");
	ck_assert_uint_eq(wire_le32(blob + 8), 215900);
	ck_assert_uint_eq(wire_le32(blob + 12), 279400);
	check_str(blob + 32, wire_le32(blob + 32 + 4), "Legal");
	ck_assert_uint_eq(get_forms(p, h, NULL, 3, 0, &blob, &needed, &n),
			  124);
	/* GetForm 2: keyword in ANSI, display name */
	ck_assert_uint_eq(get_forms(p, h, "a4", 2, 0, &blob, &needed, &n),
			  122);
	ck_assert_uint_eq(get_forms(p, h, "a4", 2, needed, &blob, &needed,
				    &n), 0);
	check_str(blob, wire_le32(blob + 4), "A4");
	ck_assert_uint_eq(wire_le32(blob + 8), 210000);
	ck_assert_str_eq((const char *)blob + wire_le32(blob + 32), "A4");
	ck_assert_uint_eq(wire_le32(blob + 48) % 2, 0);	/* after the ANSI */
	check_str(blob, wire_le32(blob + 48), "A4");
	ck_assert_uint_eq(get_forms(p, h, "nope", 1, 100, &blob, &needed,
				    &n), 1902);

	/* add, add again, list, get, set, delete, delete again */
	ck_assert_uint_eq(add_form(p, h, NULL, 0, "wgform", 5000), 0);
	ck_assert_uint_eq(add_form(p, h, NULL, 2, "WGFORM", 5000), 80);
	ck_assert_uint_eq(add_form(p, h, NULL, 0, "Letter", 5000), 80);
	ck_assert_uint_eq(add_form(p, h, NULL, 1, "builtin2", 5000), 87);
	ck_assert_uint_eq(add_form(p, h, NULL, 12345, "flags", 5000), 87);
	ck_assert_uint_eq(add_form(p, h, NULL, 0, "", 5000), 87);
	ck_assert_uint_eq(add_form(p, h, NULL, 0, "zero", 0), 1903);
	ck_assert_uint_eq(get_forms(p, h, NULL, 1, 4000, &blob, &needed, &n),
			  0);
	ck_assert_uint_eq(n, n0 + 1);
	check_str(blob + 32 * n0, wire_le32(blob + 32 * n0 + 4), "wgform");
	ck_assert_uint_eq(add_form(p, h, "wgform", 0, "wgform", 7000), 0);
	ck_assert_uint_eq(get_forms(p, h, "wgform", 1, 100, &blob, &needed,
				    &n), 0);
	ck_assert_uint_eq(wire_le32(blob), 0);
	ck_assert_uint_eq(wire_le32(blob + 8), 7000);
	ck_assert_uint_eq(add_form(p, h, "Letter", 0, "Letter", 7000), 87);
	ck_assert_uint_eq(add_form(p, h, "nope", 0, "nope", 7000), 1902);
	ck_assert_uint_eq(delete_form(p, h, "Letter"), 87);
	ck_assert_uint_eq(delete_form(p, h, "wgform"), 0);
	ck_assert_uint_eq(delete_form(p, h, "wgform"), 1902);
	ck_assert_uint_eq(get_forms(p, h, NULL, 1, 4000, &blob, &needed, &n),
			  0);
	ck_assert_uint_eq(n, n0);

	/* the decoders: every shorter request is a fault */
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	put_form(&q, 0, "cut", 5000, 5000);
	check_truncations(p, 30, &q.w, q.w.len);
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_string(&q, "cut");
	put_form(&q, 0, "cut", 5000, 5000);
	check_truncations(p, 33, &q.w, q.w.len);
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_string(&q, "Letter");
	check_truncations(p, 31, &q.w, q.w.len);
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_string(&q, "Letter");
	ndr_push_u32(&q, 1);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	check_truncations(p, 32, &q.w, q.w.len);
	ck_assert_uint_eq(get_forms(p, h, NULL, 1, 4000, &blob, &needed, &n),
			  0);
	ck_assert_uint_eq(n, n0);
	talloc_free(p);
}
END_TEST

/* SetPrinter (7) level 3 with a descriptor: the status. */
static uint32_t set_printer_sd(struct wg_pipe *p,
			       const uint8_t h[NDR_HANDLE_LEN],
			       const uint8_t *sd, uint32_t sd_len,
			       struct wire_wr *req)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_u32(&q, 3);
	ndr_push_u32(&q, 3);
	ndr_push_referent(&q);
	ndr_push_u32(&q, 0x00020004);		/* pSecurityDescriptor */
	ndr_push_u32(&q, 0);			/* DEVMODE_CONTAINER */
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, sd_len);		/* SECURITY_CONTAINER */
	ndr_push_referent(&q);
	ndr_push_conformant_bytes(&q, sd, sd_len);
	ndr_push_u32(&q, 0);			/* Command */
	if (req != NULL) {
		*req = q.w;
	}
	ck_assert_uint_eq(rt_call(tmem, p, 7, &q.w, &stub, &len), 0);
	return wire_le32(stub);
}

START_TEST(test_descriptors_and_package_calls)
{
	struct wg_pipe *p = open_spoolss();
	struct wg_admin_ops admin = { .is_admin = fake_is_admin };
	uint8_t h[NDR_HANDLE_LEN], lp[NDR_HANDLE_LEN];
	uint8_t *blob = NULL, *stub = NULL, *sd = NULL;
	uint32_t needed = 0, sd_len = 0;
	struct sec_desc *d = NULL;
	struct wire_wr req;
	struct ndr_push q;
	size_t len = 0;

	ck_assert_uint_eq(open_printer(p, "\\\\WGSMB", h), 0);
	ck_assert_uint_eq(open_printer(p, "\\\\wgsmb.example.com\\lp", lp), 0);
	/* other hosts, empty names, unknown options are not ours */
	ck_assert_uint_eq(open_printer(p, "\\\\OTHER", lp + 0), 1801);
	ck_assert_uint_eq(open_printer(p, "", lp + 0), 1801);
	ck_assert_uint_eq(open_printer(p, "\\\\\\", lp + 0), 1801);
	ck_assert_uint_eq(open_printer(p, "lp,drvconvert", lp + 0), 1801);
	ck_assert_uint_eq(open_printer(p, "\\\\WGSMB\\lp", lp), 0);
	/* the server's descriptor: admins full, everyone enumerates */
	ck_assert_uint_eq(get_printer(p, h, 3, 0, &blob, &needed), 122);
	ck_assert_uint_eq(get_printer(p, h, 3, needed, &blob, &needed), 0);
	ck_assert_uint_eq(wire_le32(blob), 4);
	sd = blob + 4;
	sd_len = needed - 4;
	ck_assert_int_eq(sd_pull(tmem, sd, sd_len, &d), 0);
	ck_assert_str_eq(sd_to_sddl(tmem, d),
			 "O:BAG:SYD:(A;;0xf0003;;;BA)(A;;0x20002;;;WD)");
	ck_assert_uint_eq(get_printer(p, h, 2, 4000, &blob, &needed), 124);
	/* a printer's, at level 3 and inside level 2 */
	ck_assert_uint_eq(get_printer(p, lp, 3, 4000, &blob, &needed), 0);
	ck_assert_int_eq(sd_pull(tmem, blob + wire_le32(blob),
				 needed - wire_le32(blob), &d), 0);
	ck_assert_str_eq(sd_to_sddl(tmem, d),
			 "O:BAG:SYD:(A;;0xf000c;;;BA)(A;;0x20008;;;WD)");
	ck_assert_uint_eq(get_printer(p, lp, 2, 4000, &blob, &needed), 0);
	ck_assert_uint_ne(wire_le32(blob + 48), 0);
	ck_assert_uint_eq(wire_le32(blob + 48) % 4, 0);
	for (uint32_t level = 4; level <= 8; level++) {
		ck_assert_uint_eq(get_printer(p, lp, level, 4000, &blob,
					      &needed), 0);
	}
	ck_assert_uint_eq(get_printer(p, lp, 5, 4000, &blob, &needed), 0);
	check_str(blob, wire_le32(blob + 4), "wgsmb:");

	/* SetPrinter 3: only an administrator, only the same descriptor */
	ck_assert_uint_eq(get_printer(p, h, 3, 4000, &blob, &needed), 0);
	ck_assert_uint_eq(set_printer_sd(p, h, blob + 4, needed - 4, &req),
			  5);
	env.admin = &admin;
	env.anonymous = false;
	env.user = "alice";
	ck_assert_uint_eq(set_printer_sd(p, h, blob + 4, needed - 4, NULL),
			  0);
	blob[4 + 32] ^= 1;	/* the first ACE's mask (header 20, ACL 8) */
	ck_assert_uint_eq(set_printer_sd(p, h, blob + 4, needed - 4, NULL),
			  50);
	ck_assert_uint_eq(set_printer_sd(p, h, blob + 4, 3, NULL), 87);
	check_truncations(p, 7, &req, req.len);

	/* GetCorePrinterDrivers: none; no room or no GUID: E_INVALIDARG */
	ndr_push_init(&q, tmem, 0);
	ndr_push_u32(&q, 0);				/* pszServer */
	ndr_push_string(&q, "Windows x64");
	ndr_push_u32(&q, 4);
	ndr_push_u32(&q, 4);
	ndr_push_bytes(&q, "{\0}\0\0\0\0\0", 8);
	ndr_push_u32(&q, 2);
	ck_assert_uint_eq(rt_call(tmem, p, 102, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 4 + 4 + 2 * 552 + 4);
	ck_assert_uint_eq(wire_le32(stub), 2);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 0x80070490u);
	check_truncations(p, 102, &q.w, q.w.len);
	ndr_push_init(&q, tmem, 0);
	ndr_push_u32(&q, 0);
	ndr_push_string(&q, "Windows x64");
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 102, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(wire_le32(stub + 4), 0x80070057u);
	ndr_push_init(&q, tmem, 0);
	ndr_push_u32(&q, 0);
	ndr_push_string(&q, "Windows x64");
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 100000);		/* too many to answer */
	ck_assert_uint_ne(rt_call(tmem, p, 102, &q.w, &stub, &len), 0);

	/* GetPrinterDriverPackagePath: not found, the buffer echoed */
	ndr_push_init(&q, tmem, 0);
	ndr_push_u32(&q, 0);				/* pszServer */
	ndr_push_string(&q, "Windows x64");
	ndr_push_u32(&q, 0);				/* pszLanguage */
	ndr_push_string(&q, "{pkg}");
	ndr_push_referent(&q);
	ndr_push_u32(&q, 2);
	ndr_push_bytes(&q, "\0\0\0\0", 4);
	ndr_push_u32(&q, 2);
	ck_assert_uint_eq(rt_call(tmem, p, 104, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 4 + 4 + 4 + 4 + 4);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 0x80070002u);
	check_truncations(p, 104, &q.w, q.w.len);

	/* per-machine connections: nothing recorded */
	ndr_push_init(&q, tmem, 0);
	ndr_push_u32(&q, 0);
	ndr_push_string(&q, "\\\\pc\\laser");
	ndr_push_string(&q, "pc");
	ndr_push_string(&q, "");
	ck_assert_uint_eq(rt_call(tmem, p, 85, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub), 0);
	check_truncations(p, 85, &q.w, q.w.len);
	ndr_push_init(&q, tmem, 0);
	ndr_push_u32(&q, 0);
	ndr_push_string(&q, "foo");
	ndr_push_string(&q, "");
	ndr_push_string(&q, "");
	ck_assert_uint_eq(rt_call(tmem, p, 85, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub), 1801);
	ndr_push_init(&q, tmem, 0);
	ndr_push_u32(&q, 0);
	ndr_push_string(&q, "\\\\pc\\laser");
	ck_assert_uint_eq(rt_call(tmem, p, 86, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub), 1801);
	check_truncations(p, 86, &q.w, q.w.len);
	ndr_push_init(&q, tmem, 0);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 87, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 16);
	ck_assert_uint_eq(wire_le32(stub + 8), 0);	/* pcReturned */
	ck_assert_uint_eq(wire_le32(stub + 12), 0);
	check_truncations(p, 87, &q.w, q.w.len);
	talloc_free(p);
}
END_TEST

START_TEST(test_open_printer_ex_client_info)
{
	struct wg_pipe *p = open_spoolss();
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	/* without SPLCLIENT_INFO: INVALID_PARAMETER, whatever the name */
	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, "\\\\nothere\\x");
	rt_put_unique_string(&q, NULL);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 8);
	ndr_push_u32(&q, 1);
	ndr_push_u32(&q, 1);
	ndr_push_u32(&q, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 69, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + 20), 87);
	check_truncations(p, 69, &q.w, q.w.len);
	/* OpenPrinter (1) has none: a bad name is INVALID_PRINTER_NAME */
	q.w.len -= 12;
	ck_assert_uint_eq(rt_call(tmem, p, 1, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + 20), 1801);
	talloc_free(p);
}
END_TEST

START_TEST(test_directories)
{
	struct wg_pipe *p = open_spoolss();
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;
	static const uint16_t opnums[] = { 16, 12 };
	static const char *const want[] = {
		"C:\\Windows\\system32\\spool\\PRTPROCS\\W32X86",
		"\\\\WGSMB\\print$\\W32X86",
	};

	for (size_t i = 0; i < 2; i++) {
		ndr_push_init(&q, tmem, 0);
		rt_put_unique_string(&q, NULL);
		rt_put_unique_string(&q, "Windows NT x86");
		ndr_push_u32(&q, 1);
		ndr_push_referent(&q);
		ndr_push_conformant_bytes(&q, (const uint8_t *)
					  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
					  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
					  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
					  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
					  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
					  "\0\0\0\0\0\0\0\0\0", 89);
		ndr_push_u32(&q, 89);
		ck_assert_uint_eq(rt_call(tmem, p, opnums[i], &q.w, &stub,
					  &len), 0);
		ck_assert_uint_eq(wire_le32(stub + len - 4), 0);
		ck_assert_uint_eq(wire_le32(stub + len - 8),
				  2 * strlen(want[i]) + 2);
		check_str(stub + 8, 0, want[i]);
	}
	talloc_free(p);
}
END_TEST

/* --- drivers (spoolss_driver.c) --- */

#define DRIVER_NAME "MS Publisher Imagesetter"

/* RpcGetPrinterDriver2 (53): the status; *blob and *needed as answered. */
static uint32_t get_driver2(struct wg_pipe *p, const uint8_t *h,
			    const char *env_name, uint32_t level, uint32_t cb,
			    uint32_t major, uint8_t **blob, uint32_t *needed)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint8_t *zero = talloc_zero_array(tmem, uint8_t, cb + 1);

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	rt_put_unique_string(&q, env_name);
	ndr_push_u32(&q, level);
	if (cb > 0) {
		ndr_push_referent(&q);
		ndr_push_conformant_bytes(&q, zero, cb);
	} else {
		ndr_push_u32(&q, 0);
	}
	ndr_push_u32(&q, cb);
	ndr_push_u32(&q, major);
	ndr_push_u32(&q, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 53, &q.w, &stub, &len), 0);
	*blob = cb > 0 ? stub + 8 : NULL;
	*needed = wire_le32(stub + len - 16);
	ck_assert_uint_eq(wire_le32(stub + len - 12), 3);	/* max */
	ck_assert_uint_eq(wire_le32(stub + len - 8), 3);	/* min */
	if (env_name != NULL && strcmp(env_name, "phantasy") == 0) {
		/* once: every prefix of the request faults */
		check_truncations(p, 53, &q.w, q.w.len);
	}
	return wire_le32(stub + len - 4);
}

/* Fixed sizes of DRIVER_INFO levels 1-6 and 8 [MS-RPRN 2.2.2.4]. */
static const uint32_t driver_levels[] = { 1, 2, 3, 4, 5, 6, 8 };
static const uint32_t driver_sizes[] = { 4, 24, 40, 44, 36, 80, 120 };

START_TEST(test_get_printer_driver2)
{
	static const char *const envs[] = { "Windows x64", "Windows NT x86" };
	struct wg_pipe *p = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN], srv[NDR_HANDLE_LEN];
	uint8_t *blob = NULL;
	uint32_t needed = 0;

	ck_assert_uint_eq(open_printer(p, "lp", h), 0);
	for (size_t e = 0; e < 2; e++) {
		for (size_t i = 0; i < 7; i++) {
			uint32_t lv = driver_levels[i];
			uint32_t name_at = lv == 1 ? 0 : 4;

			ck_assert_uint_eq(get_driver2(p, h, envs[e], lv, 0, 3,
						      &blob, &needed), 122);
			ck_assert_uint_gt(needed, driver_sizes[i]);
			ck_assert_uint_eq(get_driver2(p, h, envs[e], lv,
						      needed, 3, &blob,
						      &needed), 0);
			check_str(blob, wire_le32(blob + name_at),
				  DRIVER_NAME);
			if (lv == 1) {
				ck_assert_uint_eq(wire_le32(blob), 4);
				continue;
			}
			/* cVersion */
			ck_assert_uint_eq(wire_le32(blob), 3);
			check_str(blob, wire_le32(blob + 8), envs[e]);
			/* the first string follows the fixed part */
			ck_assert_uint_eq(wire_le32(blob + 4),
					  driver_sizes[i]);
		}
		/* level 6: the date, padding, then the version at 56 */
		ck_assert_uint_eq(get_driver2(p, h, envs[e], 6, 1024, 3,
					      &blob, &needed), 0);
		ck_assert_uint_eq(wire_le32(blob + 48), 0x01c694c5u);
		ck_assert_uint_eq(wire_le32(blob + 52), 0);
		ck_assert_uint_eq(wire_le32(blob + 60), 0x00060000u);
		check_str(blob, wire_le32(blob + 64), "Microsoft");
		/* level 8: winprint, not package-aware */
		ck_assert_uint_eq(get_driver2(p, h, envs[e], 8, 2048, 4,
					      &blob, &needed), 0);
		check_str(blob, wire_le32(blob + 80), "winprint");
		ck_assert_uint_eq(wire_le32(blob + 96), 0);
		/* level 3: RAW by default, PSCRIPT.NTF then an empty string */
		ck_assert_uint_eq(get_driver2(p, h, envs[e], 3, 2048, 3,
					      &blob, &needed), 0);
		check_str(blob, wire_le32(blob + 28), "PSCRIPT.NTF");
		ck_assert_uint_eq(wire_le16(blob + wire_le32(blob + 28) + 24),
				  0);
		ck_assert_uint_eq(wire_le32(blob + 32), 0);	/* monitor */
		check_str(blob, wire_le32(blob + 36), "RAW");
	}
	/* a client of version 2, an environment we have no driver for */
	ck_assert_uint_eq(get_driver2(p, h, "Windows x64", 3, 2048, 2, &blob,
				      &needed), 1797);
	ck_assert_uint_eq(get_driver2(p, h, "Windows IA64", 3, 2048, 3,
				      &blob, &needed), 1797);
	ck_assert_uint_eq(get_driver2(p, h, "phantasy", 3, 2048, 3, &blob,
				      &needed), 1805);
	ck_assert_uint_eq(get_driver2(p, h, "Windows x64", 7, 2048, 3, &blob,
				      &needed), 124);
	ck_assert_uint_eq(get_driver2(p, h, "Windows x64", 101, 2048, 3,
				      &blob, &needed), 124);
	/* NULL is our own environment; a server handle has no driver */
	ck_assert_uint_eq(get_driver2(p, h, NULL, 2, 2048, 3, &blob, &needed),
			  0);
	check_str(blob, wire_le32(blob + 8), "Windows x64");
	ck_assert_uint_eq(open_printer(p, NULL, srv), 0);
	ck_assert_uint_eq(get_driver2(p, srv, "Windows x64", 3, 2048, 3,
				      &blob, &needed), 6);
	talloc_free(p);
}
END_TEST

START_TEST(test_enum_printer_drivers)
{
	struct wg_pipe *p = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN];
	struct ndr_push q;
	uint8_t *blob = NULL, *stub = NULL;
	uint32_t needed = 0, n = 0;
	size_t len = 0;

	for (size_t i = 0; i < 7; i++) {
		uint32_t lv = driver_levels[i];

		ck_assert_uint_eq(server_enum(p, 10, "all", true, lv, 4096,
					      &blob, &needed, &n), 0);
		ck_assert_uint_eq(n, 2);
		/* entries are consecutive, each string after both */
		check_str(blob, wire_le32(blob + (lv == 1 ? 0 : 4)),
			  DRIVER_NAME);
		check_str(blob + driver_sizes[i],
			  wire_le32(blob + driver_sizes[i] + (lv == 1 ? 0 : 4)),
			  DRIVER_NAME);
	}
	ck_assert_uint_eq(server_enum(p, 10, "Windows NT x86", true, 2, 4096,
				      &blob, &needed, &n), 0);
	ck_assert_uint_eq(n, 1);
	check_str(blob, wire_le32(blob + 8), "Windows NT x86");
	ck_assert_uint_eq(server_enum(p, 10, NULL, true, 2, 4096, &blob,
				      &needed, &n), 0);
	ck_assert_uint_eq(n, 1);
	check_str(blob, wire_le32(blob + 8), "Windows x64");
	ck_assert_uint_eq(server_enum(p, 10, "Windows IA64", true, 1, 4096,
				      &blob, &needed, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(server_enum(p, 10, "phantasy", true, 1, 4096,
				      &blob, &needed, &n), 1805);
	ck_assert_uint_eq(server_enum(p, 10, "all", true, 7, 4096,
				      &blob, &needed, &n), 124);
	/* RpcGetPrinterDriver (11): as GetPrinterDriver2 for version 3 */
	ck_assert_uint_eq(open_printer(p, "lp", h), 0);
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	rt_put_unique_string(&q, "Windows x64");
	ndr_push_u32(&q, 1);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 11, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 12);
	ck_assert_uint_eq(wire_le32(stub + 4), 4 + 2 * sizeof(DRIVER_NAME));
	ck_assert_uint_eq(wire_le32(stub + 8), 122);
	check_truncations(p, 11, &q.w, q.w.len);
	/* PRINTER_INFO_2 names the driver */
	ck_assert_uint_eq(get_printer(p, h, 2, 1024, &blob, &needed), 0);
	check_str(blob, wire_le32(blob + 16), DRIVER_NAME);
	talloc_free(p);
}
END_TEST

/* --- change notifications (spoolss_notify.c) --- */

/* An RPC_V2_NOTIFY_OPTIONS: version, then types[0..n) of 2 fields each. */
static void put_notify_options(struct ndr_push *q, uint32_t version,
			       const uint16_t *types, uint32_t n)
{
	ndr_push_referent(q);
	ndr_push_u32(q, version);
	ndr_push_u32(q, 0);			/* Flags */
	ndr_push_u32(q, n);
	if (n == 0) {
		ndr_push_u32(q, 0);		/* pTypes: NULL */
		return;
	}
	ndr_push_referent(q);			/* pTypes */
	ndr_push_u32(q, n);			/* conformance */
	for (uint32_t i = 0; i < n; i++) {
		ndr_push_u16(q, types[i]);
		ndr_push_u16(q, 0);
		ndr_push_u32(q, 0);
		ndr_push_u32(q, 0);
		ndr_push_u32(q, 2);		/* Count */
		ndr_push_referent(q);		/* pFields */
	}
	for (uint32_t i = 0; i < n; i++) {
		ndr_push_u32(q, 2);
		ndr_push_u16(q, 0x0000);	/* SERVER_NAME / JOB PRINTER */
		ndr_push_u16(q, 0x000e);	/* ATTRIBUTES / NOTIFY_NAME */
	}
}

/* FindFirstPrinterChangeNotificationEx (65): the status answered. */
static uint32_t find_first_ex(struct wg_pipe *p, const uint8_t *h,
			      uint32_t version, const uint16_t *types,
			      uint32_t n)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_u32(&q, 0);			/* fdwFlags */
	ndr_push_u32(&q, 0);			/* fdwOptions */
	rt_put_unique_string(&q, "\\\\CLIENT");
	ndr_push_u32(&q, 0x1234);		/* dwPrinterLocal */
	put_notify_options(&q, version, types, n);
	ck_assert_uint_eq(rt_call(tmem, p, 65, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 4);
	check_truncations(p, 65, &q.w, q.w.len);
	return wire_le32(stub);
}

START_TEST(test_change_notifications)
{
	static const uint16_t both[] = { 0, 1 }, bad[] = { 1, 5 };
	struct wg_pipe *p = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN], other[NDR_HANDLE_LEN] = { 0, 1, 2 };
	struct ndr_push q;
	uint8_t *stub = NULL, *blob = NULL;
	uint32_t werr = 0, needed = 0, id = 0;
	size_t len = 0;

	ck_assert_uint_eq(open_printer(p, "lp", h), 0);
	/* no call back: refused, whatever the options */
	ck_assert_uint_eq(find_first_ex(p, h, 2, both, 2), 50);
	ck_assert_uint_eq(find_first_ex(p, h, 2, NULL, 0), 50);
	ck_assert_uint_eq(find_first_ex(p, h, 1, both, 2), 87);
	ck_assert_uint_eq(find_first_ex(p, h, 2, bad, 2), 87);
	/* a types count that differs from its array does not decode */
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	rt_put_unique_string(&q, NULL);
	ndr_push_u32(&q, 0);
	put_notify_options(&q, 2, both, 2);
	q.w.buf[20 + 16 + 12] = 1;		/* Count 1, conformance 2 */
	ck_assert_uint_eq(rt_call(tmem, p, 65, &q.w, &stub, &len),
			  DCERPC_FAULT_NDR);
	/* Refresh (67) and FindClose (56): no notification object */
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_u32(&q, 7);			/* dwColor */
	put_notify_options(&q, 2, both, 2);
	ck_assert_uint_eq(rt_call(tmem, p, 67, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(wire_le32(stub), 0);	/* ppInfo: NULL */
	ck_assert_uint_eq(wire_le32(stub + 4), 6);
	check_truncations(p, 67, &q.w, q.w.len);
	ck_assert_uint_eq(handle_call(p, 56, h, &werr), 0);
	ck_assert_uint_eq(werr, 6);
	ck_assert_uint_eq(handle_call(p, 56, other, &werr),
			  DCERPC_NCA_CONTEXT_MISMATCH);
	/* FindFirst (62): refused, the [in, out] buffer back as it came */
	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_u32(&q, 0x100);
	ndr_push_u32(&q, 0);
	rt_put_unique_string(&q, "\\\\CLIENT");
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 3);
	ndr_push_referent(&q);
	ndr_push_conformant_bytes(&q, (const uint8_t *)"abc", 3);
	ck_assert_uint_eq(rt_call(tmem, p, 62, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 16);
	ck_assert_uint_eq(wire_le32(stub + 4), 3);
	ck_assert_mem_eq(stub + 8, "abc", 3);
	ck_assert_uint_eq(wire_le32(stub + 12), 50);
	check_truncations(p, 62, &q.w, q.w.len);
	/* cChangeID: not 0, the same while the printer is */
	ck_assert_uint_eq(get_printer(p, h, 0, 1024, &blob, &needed), 0);
	id = wire_le32(blob + 88);
	ck_assert_uint_ne(id, 0);
	ck_assert_uint_eq(get_printer(p, h, 0, 1024, &blob, &needed), 0);
	ck_assert_uint_eq(wire_le32(blob + 88), id);
	talloc_free(p);
}
END_TEST

static Suite *spoolss_suite(void)
{
	Suite *s = suite_create("spoolss");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	/* every prefix of each request is replayed: seconds under ASan */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_open_get_close_tracked);
	tcase_add_test(tc, test_raw_job);
	tcase_add_test(tc, test_reaped_by_session_manager);
	tcase_add_test(tc, test_handles_per_session);
	tcase_add_test(tc, test_enum_printers_and_jobs);
	tcase_add_test(tc, test_jobs);
	tcase_add_test(tc, test_clean_failures);
	tcase_add_test(tc, test_open_printer_old_call);
	tcase_add_test(tc, test_print_server_calls);
	tcase_add_test(tc, test_directories);
	tcase_add_test(tc, test_forms);
	tcase_add_test(tc, test_descriptors_and_package_calls);
	tcase_add_test(tc, test_open_printer_ex_client_info);
	tcase_add_test(tc, test_get_printer_driver2);
	tcase_add_test(tc, test_enum_printer_drivers);
	tcase_add_test(tc, test_change_notifications);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(spoolss_suite)
