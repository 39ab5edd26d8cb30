/*
 * fuzz_dcerpc.c - libFuzzer target: bytes written to the srvsvc, wkssvc
 * and spoolss pipes, with fake admin and print ops, responses drained.
 *
 * data[0]: bits 0-1 the pipe (0 srvsvc, 1 spoolss, 2 wkssvc, 3 spoolss;
 * with bit 6 set, bit 0 picks lsarpc or samr instead; with bit 7 set,
 * winreg),
 * bit 2 null session, bit 3 stub mode, bit 4 no automatic bind, bit 5
 * restrict anonymous; data[1]: write chunk size (0 = all at once).
 *  - stream mode: the rest is written as it is, in chunks;
 *  - stub mode: the rest is a list of [opnum u8][len u16le][stub] calls,
 *    each wrapped in request fragments; on spoolss a printer is opened
 *    first and a stub starting with 20 bytes of 0xAA gets its handle;
 *    on lsarpc, samr and winreg the marker gets the handle of the last
 *    answer that was a handle and a success status (open policy,
 *    connect, open domain, open alias, open a hive or key: a seed chains
 *    them).
 * Properties checked (abort() on violation): reads never return more
 * than asked, every answer PDU carries a valid header and a size within
 * the negotiated fragment, pending bytes add up, no leak once the pipe is
 * freed, writes return only enum wg_pipe_err values.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "pipes/pipe.h"
#include "proto/dcerpc.h"
#include "proto/ndr.h"
#include "sessions/users.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int restrict_anon;

static int f_server_info(void *priv, TALLOC_CTX *mem,
			 struct wg_admin_server **out)
{
	struct wg_admin_server *s = talloc_zero(mem, struct wg_admin_server);

	if (s == NULL) {
		return -1;
	}
	s->netbios_name = "FUZZ";
	s->workgroup = "WG";
	s->comment = "fuzz";
	s->restrict_anonymous = restrict_anon;
	*out = s;
	return 0;
}

static int f_list_shares(void *priv, TALLOC_CTX *mem,
			 struct wg_admin_share **out, size_t *n)
{
	struct wg_admin_share *s = talloc_zero_array(mem,
		struct wg_admin_share, 3);

	s[0] = (struct wg_admin_share) { .name = "demo", .path = "/srv/d",
		.comment = "c", .type = WG_ADMIN_SHARE_DISK };
	s[1] = (struct wg_admin_share) { .name = "IPC$", .path = "",
		.comment = "IPC", .type = WG_ADMIN_SHARE_IPC };
	s[2] = (struct wg_admin_share) { .name = "lp", .path = "/var/spool",
		.comment = "p", .type = WG_ADMIN_SHARE_PRINT };
	*out = s;
	*n = 3;
	return 0;
}

static int f_list_printers(void *priv, TALLOC_CTX *mem,
			   struct wg_admin_share **out, size_t *n)
{
	struct wg_admin_share *s = NULL;

	if (f_list_shares(priv, mem, &s, n) != 0) {
		return -1;
	}
	*out = s + 2;
	*n = 1;
	return 0;
}

static int f_list_sessions(void *priv, TALLOC_CTX *mem,
			   struct wg_admin_session **out, size_t *n)
{
	struct wg_admin_session *s = talloc_zero_array(mem,
		struct wg_admin_session, 1);

	s[0] = (struct wg_admin_session) { .id = 1, .ip = "127.0.0.2",
		.computer = "PC", .user = "bob", .client_type = "SMB3_11" };
	*out = s;
	*n = 1;
	return 0;
}

static int f_list_slots(void *priv, TALLOC_CTX *mem,
			struct wg_admin_slot **out, size_t *n)
{
	struct wg_admin_slot *v = talloc_zero_array(mem, struct wg_admin_slot,
						     1);
	struct wg_admin_session *s = NULL;
	size_t ns = 0;

	f_list_sessions(priv, v, &s, &ns);
	v[0] = (struct wg_admin_slot) { .id = 1, .ip = "127.0.0.2",
		.user = "bob", .client_type = "SMB3_11", .sessions = s,
		.nsessions = 1 };
	*out = v;
	*n = 1;
	return 0;
}

static int f_list_files(void *priv, TALLOC_CTX *mem,
			struct wg_admin_file **out, size_t *n)
{
	struct wg_admin_file *f = talloc_zero_array(mem,
		struct wg_admin_file, 1);

	f[0] = (struct wg_admin_file) { .id = 5, .session_id = 1,
		.share = "demo", .path = "\\x", .local_path = "/srv/d/x",
		.user = "bob", .computer = "PC" };
	*out = f;
	*n = 1;
	return 0;
}

static int f_list_conns(void *priv, TALLOC_CTX *mem,
			struct wg_admin_conn **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return 0;
}

static int f_delete_sessions(void *priv, const char *computer,
			     const char *user, unsigned *files_closed)
{
	*files_closed = 0;
	return computer != NULL && strcmp(computer, "PC") == 0 ? 1 : 0;
}

static int f_close_file(void *priv, uint64_t id)
{
	return id == 5 ? 0 : -2;
}

static bool f_is_admin(void *priv, const char *user)
{
	return strcmp(user, "admin") == 0;
}

struct f_job {
	size_t len;
};

static void *f_job_start(void *priv, TALLOC_CTX *mem, const char *printer,
			 const char *doc, const char *user, uint32_t *job_id)
{
	*job_id = 1;
	return talloc_zero(mem, struct f_job);
}

static int f_job_write(void *priv, void *job, const uint8_t *d, size_t len)
{
	((struct f_job *)job)->len += len;
	return 0;
}

static int f_job_end(void *priv, void *job)
{
	talloc_free(job);
	return 0;
}

static int f_list_jobs(void *priv, TALLOC_CTX *mem, const char *printer,
		       uint32_t **ids, char ***names, uint64_t **sizes,
		       size_t *n)
{
	*ids = talloc_zero_array(mem, uint32_t, 1);
	*names = talloc_zero_array(mem, char *, 1);
	*sizes = talloc_zero_array(mem, uint64_t, 1);
	(*names)[0] = "job";
	*n = 1;
	return 0;
}

/* The queue: one job (1) of admin's, whatever is done to it. */
static int f_jobs(void *priv, TALLOC_CTX *mem, const char *printer,
		  struct wg_print_job **out, size_t *n)
{
	struct wg_print_job *v = talloc_zero_array(mem, struct wg_print_job,
						   1);

	if (v == NULL) {
		return -ENOMEM;
	}
	v[0] = (struct wg_print_job) {
		.id = 1, .doc = "job", .user = "admin", .datatype = "RAW",
		.size = 5000000000ull, .priority = 1, .position = 1,
	};
	*out = v;
	*n = 1;
	return 0;
}

static int f_job_control(void *priv, const char *printer, uint32_t id,
			 enum wg_job_cmd cmd)
{
	return cmd >= WG_JOB_PAUSE && cmd <= WG_JOB_DELETE ? 0 : -EINVAL;
}

static int f_job_set(void *priv, const char *printer, uint32_t id,
		     const char *doc, uint32_t priority, uint32_t position)
{
	return 0;
}

static void f_purge(void *priv, const char *printer)
{
}

static const struct wg_admin_ops admin = {
	.server_info = f_server_info,
	.list_sessions = f_list_sessions,
	.list_slots = f_list_slots,
	.list_files = f_list_files,
	.list_shares = f_list_shares,
	.list_conns = f_list_conns,
	.delete_sessions = f_delete_sessions,
	.close_file = f_close_file,
	.is_admin = f_is_admin,
};

/* Printers made over RPC: a stateless stand-in that accepts them. */
static int f_printer_get(void *priv, TALLOC_CTX *mem, const char *name,
			 struct wg_printer_def **out)
{
	struct wg_printer_def *d = talloc_zero(mem, struct wg_printer_def);

	if (d == NULL) {
		return -ENOMEM;
	}
	d->name = talloc_strdup(d, name);
	d->runtime = strcmp(name, "lp") != 0;
	*out = d;
	return d->name != NULL ? 0 : -ENOMEM;
}

static int f_printer_add(void *priv, const struct wg_printer_def *def,
			 const char *client_ip)
{
	return def->name[0] == 'x' ? -EEXIST : 0;
}

static int f_printer_set(void *priv, const char *name,
			 const struct wg_printer_def *def)
{
	return strcmp(name, "lp") == 0 ? -EROFS : 0;
}

static int f_printer_delete(void *priv, const char *name)
{
	return strcmp(name, "lp") == 0 ? -EROFS : 0;
}

static int f_data_list(void *priv, TALLOC_CTX *mem, const char *printer,
		       struct wg_printer_value **out, size_t *n)
{
	struct wg_printer_value *v = talloc_zero_array(mem,
		struct wg_printer_value, 2);

	if (v == NULL) {
		return -ENOMEM;
	}
	v[0] = (struct wg_printer_value) { .key = "PrinterDriverData",
		.name = "v", .type = 3, .data = (uint8_t *)"abc", .len = 3 };
	v[1] = (struct wg_printer_value) { .key = "a\\b" };
	*out = v;
	*n = 2;
	return 0;
}

static int f_data_set(void *priv, const char *printer,
		      const struct wg_printer_value *v, const char *client_ip)
{
	return v->len > 100 ? -ENOSPC : 0;
}

static int f_data_delete(void *priv, const char *printer, const char *key,
			 const char *name)
{
	return name != NULL ? -ENOENT : 0;
}

static const struct wg_print_ops print = {
	.printer_get = f_printer_get,
	.printer_add = f_printer_add,
	.printer_set = f_printer_set,
	.printer_delete = f_printer_delete,
	.data_list = f_data_list,
	.data_set = f_data_set,
	.data_delete = f_data_delete,
	.list_printers = f_list_printers,
	.job_start = f_job_start,
	.job_write = f_job_write,
	.job_end = f_job_end,
	.list_jobs = f_list_jobs,
	.jobs = f_jobs,
	.job_control = f_job_control,
	.job_set = f_job_set,
	.purge = f_purge,
};

static const char *const pipe_names[7] = {
	"srvsvc", "spoolss", "wkssvc", "\\PIPE\\spoolss", "lsarpc", "samr",
	"winreg",
};
static const char *const uuids[7] = {
	"4b324fc8-1670-01d3-1278-5a47bf6ee188",
	"12345678-1234-abcd-ef00-0123456789ab",
	"6bffd098-a112-3610-9833-46c3f87e345a",
	"12345678-1234-abcd-ef00-0123456789ab",
	"12345778-1234-abcd-ef00-0123456789ab",
	"12345778-1234-abcd-ef00-0123456789ac",
	"338cd001-2244-31f1-aaaa-900038001003",
};
static const uint16_t majors[7] = { 3, 1, 1, 1, 0, 1, 1 };

/* lsarpc and samr: a machine SID, two users and a local group with bob
 * in it (made once). */
static struct dom_sid fuzz_machine = {
	.num_auths = 4, .authority = 5, .sub_auths = { 21, 1, 2, 3 },
};
static struct users_db *fuzz_users;

static void fuzz_users_init(void)
{
	static const uint8_t h[16];

	if (fuzz_users != NULL) {
		return;
	}
	fuzz_users = users_new(NULL);
	if (fuzz_users == NULL || users_set(fuzz_users, "alice", h) != 0 ||
	    users_set(fuzz_users, "bob", h) != 0 ||
	    users_group_add(fuzz_users, "Accounting") != 0 ||
	    users_group_addmember(fuzz_users, "Accounting", "bob") != 0) {
		abort();
	}
}

/* Read everything queued, checking the PDUs; the last response stub
 * (if any) is copied to last/last_len (for the printer handle). */
static void drain(struct wg_pipe *p, size_t chunk, uint8_t *last,
		  size_t *last_len)
{
	uint8_t buf[8192];

	while (wg_pipe_pending(p) > 0) {
		size_t got = 0, before = wg_pipe_pending(p);
		bool more = true;

		/* one PDU, maybe in pieces */
		while (more) {
			size_t want = chunk > 0 ? chunk : sizeof(buf);
			size_t r = 0;

			if (want > sizeof(buf) - got) {
				want = sizeof(buf) - got;
			}
			r = wg_pipe_read(p, buf + got, want, &more);
			if (r > want || (r == 0 && more)) {
				abort();
			}
			got += r;
			if (got > 4280) {
				abort();
			}
		}
		if (wg_pipe_pending(p) != before - got) {
			abort();
		}
		{
			struct dcerpc_hdr h;
			struct dcerpc_response rs;
			int rc = dcerpc_pull_hdr(buf, got, &h);

			if (rc != 0) {
				abort();
			}
			if (h.ptype == DCERPC_PTYPE_RESPONSE &&
			    dcerpc_pull_response(buf, got, &h, &rs) == 0 &&
			    last != NULL && rs.stub_len <= 64) {
				memcpy(last, rs.stub, rs.stub_len);
				*last_len = rs.stub_len;
			}
		}
	}
}

static int write_chunked(struct wg_pipe *p, const uint8_t *d, size_t n,
			 size_t chunk, size_t read_chunk)
{
	int rc = 0;

	while (n > 0) {
		size_t c = chunk == 0 || chunk > n ? n : chunk;

		rc = wg_pipe_write(p, d, c);
		drain(p, read_chunk, NULL, NULL);
		/* only pipes/' own codes come out, never a WIRE_E_* */
		if (rc != WG_PIPE_OK && rc != WG_PIPE_E_BROKEN &&
		    rc != WG_PIPE_E_TOOBIG && rc != WG_PIPE_E_NOMEM) {
			abort();
		}
		if (rc == -EPROTO) {
			return rc;
		}
		d += c;
		n -= c;
	}
	return 0;
}

static void do_bind(TALLOC_CTX *mem, struct wg_pipe *p, unsigned which)
{
	struct dcerpc_bind b = {
		.max_xmit_frag = 4280,
		.max_recv_frag = 4280,
		.n_ctx = 1,
	};
	struct wire_wr w;

	b.ctx[0].n_transfer = 1;
	if (ndr_uuid_parse(uuids[which], b.ctx[0].abstract.uuid) != 0) {
		abort();
	}
	b.ctx[0].abstract.major = majors[which];
	memcpy(b.ctx[0].transfer[0].uuid, NDR_SYNTAX_NDR32, 16);
	b.ctx[0].transfer[0].major = 2;
	wire_wr_init(&w, mem, 0);
	dcerpc_push_bind(&w, DCERPC_PTYPE_BIND, 1, &b);
	if (wg_pipe_write(p, w.buf, w.len) != 0) {
		abort();
	}
	drain(p, 0, NULL, NULL);
}

/* Send stub as request fragments of at most 1000 stub bytes. */
static void call(TALLOC_CTX *mem, struct wg_pipe *p, uint16_t opnum,
		 const uint8_t *stub, size_t len, uint8_t *last,
		 size_t *last_len)
{
	size_t off = 0;
	static uint32_t call_id = 2;

	call_id++;
	do {
		size_t n = len - off > 1000 ? 1000 : len - off;
		struct dcerpc_request q = {
			.alloc_hint = (uint32_t)(len - off),
			.opnum = opnum,
			.stub = stub + off,
			.stub_len = n,
		};
		uint8_t flags = (off == 0 ? DCERPC_PFC_FIRST : 0) |
				(off + n == len ? DCERPC_PFC_LAST : 0);
		struct wire_wr w;

		wire_wr_init(&w, mem, 0);
		dcerpc_push_request(&w, call_id, flags, &q);
		(void)wg_pipe_write(p, w.buf, w.len);
		talloc_free(w.buf);
		off += n;
	} while (off < len);
	drain(p, 0, last, last_len);
}

static void open_lp(TALLOC_CTX *mem, struct wg_pipe *p, uint8_t *handle)
{
	struct ndr_push q;
	uint8_t last[64];
	size_t last_len = 0;

	ndr_push_init(&q, mem, 0);
	ndr_push_referent(&q);
	ndr_push_string(&q, "\\\\FUZZ\\lp");
	for (int i = 0; i < 4; i++) {
		ndr_push_u32(&q, 0);
	}
	ndr_push_u32(&q, 1);
	ndr_push_u32(&q, 1);
	/* a SPLCLIENT_INFO_1 (Windows refuses an OpenPrinterEx without) */
	ndr_push_referent(&q);
	ndr_push_u32(&q, 28);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 17763);
	ndr_push_u32(&q, 10);
	ndr_push_u32(&q, 0);
	ndr_push_u16(&q, 9);
	call(mem, p, 69, q.w.buf, q.w.len, last, &last_len);
	if (last_len != 24 || wire_le32(last + 20) != 0) {
		abort();
	}
	memcpy(handle, last, NDR_HANDLE_LEN);
}

static void stub_mode(TALLOC_CTX *mem, struct wg_pipe *p, unsigned which,
		      const uint8_t *d, size_t n)
{
	uint8_t handle[NDR_HANDLE_LEN] = { 0 };

	if (which == 1 || which == 3) {
		open_lp(mem, p, handle);
	}
	while (n >= 3) {
		uint8_t op = d[0];
		size_t len = wire_le16(d + 1);
		uint8_t *stub = NULL;

		d += 3;
		n -= 3;
		if (len > n) {
			len = n;
		}
		stub = talloc_zero_size(mem, len + 1);
		if (stub == NULL) {
			abort();
		}
		memcpy(stub, d, len);
		if (len >= NDR_HANDLE_LEN) {
			static const uint8_t marker[NDR_HANDLE_LEN] = {
				0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
				0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
				0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
			};

			if (memcmp(stub, marker, NDR_HANDLE_LEN) == 0) {
				memcpy(stub, handle, NDR_HANDLE_LEN);
			}
		}
		if (which >= 4) {
			uint8_t last[64];
			size_t last_len = 0;

			call(mem, p, op, stub, len, last, &last_len);
			if (last_len == NDR_HANDLE_LEN + 4 &&
			    wire_le32(last + NDR_HANDLE_LEN) == 0) {
				memcpy(handle, last, NDR_HANDLE_LEN);
			}
		} else {
			call(mem, p, op, stub, len, NULL, NULL);
		}
		talloc_free(stub);
		d += len;
		n -= len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL, *pmem = NULL;
	struct wg_pipe_env env = {
		.admin = &admin,
		.print = &print,
		.user = "admin",
		.client_ip = "127.0.0.2",
		.machine_sid = &fuzz_machine,
		.users = &fuzz_users,
	};
	struct wg_pipe *p = NULL;
	unsigned which = 0;
	size_t chunk = 0;
	bool unknown = false;

	if (size < 2) {
		return 0;
	}
	fuzz_users_init();
	which = data[0] & 3;
	if ((data[0] & 0x40) != 0) {
		which = 4 + (data[0] & 1);
	}
	if ((data[0] & 0x80) != 0) {
		which = 6;
	}
	if ((data[0] & 4) != 0) {
		env.anonymous = true;
		env.user = "";
	}
	restrict_anon = (data[0] & 0x20) != 0;
	chunk = data[1];
	mem = talloc_new(NULL);
	pmem = talloc_new(NULL);
	p = wg_pipe_open(pmem, pipe_names[which], &env, &unknown);
	if (p == NULL) {
		abort();
	}
	if ((data[0] & 0x10) == 0 || (data[0] & 8) != 0) {
		do_bind(mem, p, which);
	}
	if ((data[0] & 8) != 0) {
		stub_mode(mem, p, which, data + 2, size - 2);
	} else {
		(void)write_chunked(p, data + 2, size - 2, chunk, chunk);
	}
	talloc_free(p);
	if (talloc_total_blocks(pmem) != 1) {
		abort();
	}
	talloc_free(pmem);
	talloc_free(mem);
	return 0;
}
