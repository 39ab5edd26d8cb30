/*
 * test_srvsvc.c - DCE/RPC over a pipe (bind, fragments, faults, malformed
 * input) and the srvsvc/wkssvc services over a fake admin view.
 */
#include <errno.h>

#include "tests/pipes/rpctest.h"

#define SRVSVC_UUID "4b324fc8-1670-01d3-1278-5a47bf6ee188"
#define WKSSVC_UUID "6bffd098-a112-3610-9833-46c3f87e345a"

/* --- a fake admin view --- */

struct fake_admin {
	size_t n_shares;	/* demo, IPC$, lp, then share3.. */
	int restrict_anonymous;
	unsigned deleted;
	char last_del_computer[64];
	char last_del_user[64];
	uint64_t closed_id;
};

static int fake_server_info(void *priv, TALLOC_CTX *mem,
			    struct wg_admin_server **out)
{
	struct fake_admin *fa = priv;
	struct wg_admin_server *s = talloc_zero(mem, struct wg_admin_server);

	s->netbios_name = talloc_strdup(s, "WGTEST");
	s->workgroup = talloc_strdup(s, "LAB");
	s->comment = talloc_strdup(s, "test server");
	s->restrict_anonymous = fa->restrict_anonymous;
	*out = s;
	return 0;
}

static int fake_list_shares(void *priv, TALLOC_CTX *mem,
			    struct wg_admin_share **out, size_t *n)
{
	struct fake_admin *fa = priv;
	struct wg_admin_share *s = talloc_zero_array(mem,
		struct wg_admin_share, fa->n_shares);

	for (size_t i = 0; i < fa->n_shares; i++) {
		s[i].comment = "";
		s[i].path = "/srv/x";
		s[i].type = WG_ADMIN_SHARE_DISK;
		s[i].name = talloc_asprintf(s, "share%zu", i);
	}
	s[0] = (struct wg_admin_share) {
		.name = "demo", .path = "/srv/demo", .comment = "Demo files",
		.type = WG_ADMIN_SHARE_DISK, .current_users = 2,
	};
	s[1] = (struct wg_admin_share) {
		.name = "IPC$", .path = "", .comment = "IPC Service",
		.type = WG_ADMIN_SHARE_IPC,
	};
	s[2] = (struct wg_admin_share) {
		.name = "lp", .path = "/var/spool", .comment = "Printer",
		.type = WG_ADMIN_SHARE_PRINT,
	};
	*out = s;
	*n = fa->n_shares;
	return 0;
}

static int fake_list_sessions(void *priv, TALLOC_CTX *mem,
			      struct wg_admin_session **out, size_t *n)
{
	struct wg_admin_session *s = talloc_zero_array(mem,
		struct wg_admin_session, 2);

	s[0] = (struct wg_admin_session) {
		.id = 11, .ip = "127.0.0.5", .computer = "PC5",
		.user = "alice", .client_type = "SMB3_11", .opens = 2,
		.logon_secs = 100, .idle_secs = 5,
	};
	s[1] = (struct wg_admin_session) {
		.id = 12, .ip = "127.0.0.6", .computer = "PC6",
		.user = "", .anonymous = true, .client_type = "SMB2_10",
	};
	*out = s;
	*n = 2;
	return 0;
}

/* The same two sessions, each its own slot (pc5 is a calling name). */
static int fake_list_slots(void *priv, TALLOC_CTX *mem,
			   struct wg_admin_slot **out, size_t *n)
{
	static const char *pc5[] = { "PC5" };
	static const char *pc6[] = { "PC6" };
	struct wg_admin_slot *v = talloc_zero_array(mem, struct wg_admin_slot,
						     2);
	struct wg_admin_session *s = NULL;
	size_t ns = 0;

	fake_list_sessions(priv, v, &s, &ns);
	v[0] = (struct wg_admin_slot) {
		.id = 1, .ip = "127.0.0.5", .calling_names = pc5,
		.ncalling_names = 1, .user = "alice", .client_type = "SMB3_11",
		.opens = 2, .logon_secs = 100, .idle_secs = 5,
		.sessions = &s[0], .nsessions = 1,
	};
	v[1] = (struct wg_admin_slot) {
		.id = 2, .ip = "127.0.0.6", .workstations = pc6,
		.nworkstations = 1, .user = "", .anonymous = true,
		.client_type = "SMB2_10", .sessions = &s[1], .nsessions = 1,
	};
	*out = v;
	*n = 2;
	return 0;
}

static int fake_list_files(void *priv, TALLOC_CTX *mem,
			   struct wg_admin_file **out, size_t *n)
{
	struct wg_admin_file *f = talloc_zero_array(mem,
		struct wg_admin_file, 2);

	f[0] = (struct wg_admin_file) {
		.id = 0x100000007ull, .session_id = 11, .share = "demo",
		.path = "\\a.txt", .local_path = "/srv/demo/a.txt",
		.user = "alice", .computer = "PC5", .access = 0x3,
	};
	f[1] = (struct wg_admin_file) {
		.id = 8, .session_id = 11, .share = "IPC$",
		.path = "\\PIPE\\srvsvc", .local_path = "", .user = "alice",
		.computer = "PC5", .is_pipe = true,
	};
	*out = f;
	*n = 2;
	return 0;
}

static int fake_list_conns(void *priv, TALLOC_CTX *mem,
			   struct wg_admin_conn **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return 0;
}

static int fake_delete_sessions(void *priv, const char *computer,
				const char *user, unsigned *files_closed)
{
	struct fake_admin *fa = priv;

	snprintf(fa->last_del_computer, sizeof(fa->last_del_computer), "%s",
		 computer != NULL ? computer : "(null)");
	snprintf(fa->last_del_user, sizeof(fa->last_del_user), "%s",
		 user != NULL ? user : "(null)");
	*files_closed = 0;
	if (computer != NULL && strcmp(computer, "127.0.0.5") == 0) {
		fa->deleted++;
		return 1;
	}
	return 0;
}

static int fake_close_file(void *priv, uint64_t id)
{
	struct fake_admin *fa = priv;

	fa->closed_id = id;
	return 0;
}

static bool fake_is_admin(void *priv, const char *user)
{
	return strcmp(user, "admin") == 0;
}

static struct fake_admin fa;
static struct wg_admin_ops admin_ops;
static struct wg_pipe_env env;

static TALLOC_CTX *tmem;	/* the test's own buffers */

static void setup(void)
{
	wgt_setup();
	tmem = talloc_new(NULL);
	fa = (struct fake_admin) { .n_shares = 3 };
	admin_ops = (struct wg_admin_ops) {
		.priv = &fa,
		.server_info = fake_server_info,
		.list_sessions = fake_list_sessions,
		.list_slots = fake_list_slots,
		.list_files = fake_list_files,
		.list_shares = fake_list_shares,
		.list_conns = fake_list_conns,
		.delete_sessions = fake_delete_sessions,
		.close_file = fake_close_file,
		.is_admin = fake_is_admin,
	};
	env = (struct wg_pipe_env) {
		.admin = &admin_ops,
		.user = "alice",
		.client_ip = "127.0.0.5",
	};
}

static void teardown(void)
{
	TALLOC_FREE(tmem);
	wgt_teardown();
}

static struct wg_pipe *open_bound(const char *name, const char *uuid,
				  uint16_t major)
{
	bool unknown = true;
	struct wg_pipe *p = wg_pipe_open(wgt_root, name, &env, &unknown);

	ck_assert_ptr_nonnull(p);
	ck_assert(!unknown);
	rt_bind(tmem, p, uuid, major);
	return p;
}

/* NetrShareEnum request stub for level. */
static void share_enum_req(struct ndr_push *q, uint32_t level, bool resume,
			   uint32_t resume_val)
{
	rt_put_unique_string(q, "\\\\127.0.0.1");
	ndr_push_u32(q, level);
	ndr_push_u32(q, level);
	ndr_push_referent(q);		/* container */
	ndr_push_u32(q, 0);		/* EntriesRead */
	ndr_push_u32(q, 0);		/* Buffer NULL */
	ndr_push_u32(q, 0xffffffffu);	/* PreferedMaximumLength */
	if (resume) {
		ndr_push_referent(q);
		ndr_push_u32(q, resume_val);
	} else {
		ndr_push_u32(q, 0);
	}
}

struct share1 {
	char *name;
	uint32_t type;
	char *comment;
};

/* Decode a NetrShareEnum level 1 answer. Returns the status. */
static uint32_t decode_share_enum1(TALLOC_CTX *mem, const uint8_t *stub,
				   size_t len, struct share1 **out, size_t *n,
				   uint32_t *total)
{
	struct ndr_pull r;
	uint32_t level = 0, disc = 0, ref = 0, count = 0, aref = 0, max = 0;
	uint32_t werr = 0, rref = 0, rval = 0;
	struct share1 *s = NULL;

	ndr_pull_init(&r, mem, stub, len);
	ck_assert_int_eq(ndr_pull_u32(&r, &level), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &disc), 0);
	ck_assert_uint_eq(level, 1);
	ck_assert_uint_eq(disc, 1);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	*n = 0;
	if (ref != 0) {
		ck_assert_int_eq(ndr_pull_u32(&r, &count), 0);
		ck_assert_int_eq(ndr_pull_ptr(&r, &aref), 0);
	}
	if (aref != 0) {
		uint32_t *nref = NULL, *cref = NULL;

		ck_assert_int_eq(ndr_pull_array_size(&r, 12, &max), 0);
		ck_assert_uint_eq(max, count);
		s = talloc_zero_array(mem, struct share1, max + 1);
		nref = talloc_zero_array(mem, uint32_t, max + 1);
		cref = talloc_zero_array(mem, uint32_t, max + 1);
		for (uint32_t i = 0; i < max; i++) {
			ck_assert_int_eq(ndr_pull_ptr(&r, &nref[i]), 0);
			ck_assert_int_eq(ndr_pull_u32(&r, &s[i].type), 0);
			ck_assert_int_eq(ndr_pull_ptr(&r, &cref[i]), 0);
		}
		for (uint32_t i = 0; i < max; i++) {
			ck_assert_uint_ne(nref[i], 0);
			ck_assert_int_eq(ndr_pull_string(&r, &s[i].name), 0);
			ck_assert_uint_ne(cref[i], 0);
			ck_assert_int_eq(ndr_pull_string(&r, &s[i].comment),
					 0);
		}
		*n = max;
	}
	ck_assert_int_eq(ndr_pull_u32(&r, total), 0);
	ck_assert_int_eq(ndr_pull_ptr(&r, &rref), 0);
	if (rref != 0) {
		ck_assert_int_eq(ndr_pull_u32(&r, &rval), 0);
	}
	ck_assert_int_eq(ndr_pull_u32(&r, &werr), 0);
	ck_assert_uint_eq(ndr_pull_left(&r), 0);
	*out = s;
	return werr;
}

START_TEST(test_open_names)
{
	bool unknown = false;
	struct wg_pipe *p = NULL;

	p = wg_pipe_open(wgt_root, "\\PIPE\\SrvSvc", &env, &unknown);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(wg_pipe_name(p), "srvsvc");
	ck_assert_uint_eq(wg_pipe_handle_count(p), 0);
	talloc_free(p);
	p = wg_pipe_open(wgt_root, "spoolss", &env, &unknown);
	ck_assert_ptr_nonnull(p);
	talloc_free(p);
	p = wg_pipe_open(wgt_root, "netlogon", &env, &unknown);
	ck_assert_ptr_null(p);
	ck_assert(unknown);
	p = wg_pipe_open(wgt_root, "\\pipe\\", &env, &unknown);
	ck_assert_ptr_null(p);
	ck_assert(unknown);
}
END_TEST

START_TEST(test_bind_ack_contexts)
{
	bool unknown = false;
	struct wg_pipe *p = wg_pipe_open(wgt_root, "srvsvc", &env, &unknown);
	struct dcerpc_bind b = {
		.max_xmit_frag = 5840,
		.max_recv_frag = 5840,
		.n_ctx = 4,
	};
	struct dcerpc_bind_ack a;
	struct dcerpc_hdr h;
	struct wire_wr w;
	uint8_t *out = NULL;
	size_t len = 0;

	for (int i = 0; i < 4; i++) {
		b.ctx[i].id = (uint16_t)i;
		b.ctx[i].n_transfer = 1;
		rt_syntax(&b.ctx[i].abstract, SRVSVC_UUID, 3, 0);
	}
	rt_syntax(&b.ctx[0].transfer[0], RT_NDR64, 1, 0);
	rt_syntax(&b.ctx[1].transfer[0], RT_NDR32, 2, 0);
	rt_syntax(&b.ctx[2].transfer[0], RT_BTFN, 1, 0);
	rt_syntax(&b.ctx[3].abstract, WKSSVC_UUID, 1, 0);
	rt_syntax(&b.ctx[3].transfer[0], RT_NDR32, 2, 0);
	wire_wr_init(&w, tmem, 0);
	dcerpc_push_bind(&w, DCERPC_PTYPE_BIND, 1, &b);
	ck_assert_int_eq(wg_pipe_write(p, w.buf, w.len), 0);
	out = rt_drain(tmem, p, &len);
	ck_assert_int_eq(dcerpc_pull_bind_ack(out, len, &h, &a), 0);
	ck_assert_uint_eq(h.call_id, 1);
	ck_assert_uint_eq(a.max_xmit_frag, 4280);
	ck_assert_uint_eq(a.max_recv_frag, 4280);
	ck_assert_uint_ne(a.assoc_group, 0);
	ck_assert_str_eq(a.sec_addr, "\\PIPE\\srvsvc");
	ck_assert_uint_eq(a.n_results, 4);
	ck_assert_uint_eq(a.results[0].result, 2);
	ck_assert_uint_eq(a.results[0].reason, 2);
	ck_assert_uint_eq(a.results[1].result, 0);
	ck_assert_int_eq(memcmp(a.results[1].transfer.uuid, NDR_SYNTAX_NDR32,
				16), 0);
	ck_assert_uint_eq(a.results[2].result, 3);
	ck_assert_uint_eq(a.results[2].reason, 0);
	ck_assert_uint_eq(a.results[3].result, 2);
	ck_assert_uint_eq(a.results[3].reason, 1);

	/* A second bind is refused; alter_context adds a context. */
	talloc_free(w.buf);
	wire_wr_init(&w, tmem, 0);
	dcerpc_push_bind(&w, DCERPC_PTYPE_BIND, 2, &b);
	ck_assert_int_eq(wg_pipe_write(p, w.buf, w.len), 0);
	talloc_free(out);
	out = rt_drain(tmem, p, &len);
	ck_assert_uint_eq(out[2], DCERPC_PTYPE_BIND_NAK);
	talloc_free(w.buf);
	wire_wr_init(&w, tmem, 0);
	b.n_ctx = 1;
	b.ctx[0].id = 5;
	rt_syntax(&b.ctx[0].transfer[0], RT_NDR32, 2, 0);
	dcerpc_push_bind(&w, DCERPC_PTYPE_ALTER, 3, &b);
	ck_assert_int_eq(wg_pipe_write(p, w.buf, w.len), 0);
	talloc_free(out);
	out = rt_drain(tmem, p, &len);
	ck_assert_int_eq(dcerpc_pull_bind_ack(out, len, &h, &a), 0);
	ck_assert_uint_eq(h.ptype, DCERPC_PTYPE_ALTER_RESP);
	ck_assert_uint_eq(a.results[0].result, 0);
	talloc_free(out);
	talloc_free(w.buf);
	talloc_free(p);
}
END_TEST

START_TEST(test_share_enum_level1)
{
	struct wg_pipe *p = open_bound("srvsvc", SRVSVC_UUID, 3);
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0, n = 0;
	struct share1 *s = NULL;
	uint32_t total = 0;

	ndr_push_init(&q, tmem, 0);
	share_enum_req(&q, 1, true, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 15, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(decode_share_enum1(tmem, stub, len, &s, &n,
					     &total), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(total, 3);
	ck_assert_str_eq(s[0].name, "demo");
	ck_assert_str_eq(s[0].comment, "Demo files");
	ck_assert_uint_eq(s[0].type, 0);
	ck_assert_str_eq(s[1].name, "IPC$");
	ck_assert_uint_eq(s[1].type, 0x80000003u);
	ck_assert_uint_eq(s[2].type, 1);
	/* NetrShareEnumSticky answers the same way; resume skips. */
	ndr_push_init(&q, tmem, 0);
	share_enum_req(&q, 1, true, 2);
	ck_assert_uint_eq(rt_call(tmem, p, 36, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(decode_share_enum1(tmem, stub, len, &s, &n,
					     &total), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(total, 3);
	ck_assert_str_eq(s[0].name, "lp");
	talloc_free(p);
}
END_TEST

START_TEST(test_other_levels_decode_lengths)
{
	static const uint32_t levels[] = { 0, 2, 501, 502, 503 };
	struct wg_pipe *p = open_bound("srvsvc", SRVSVC_UUID, 3);

	for (size_t i = 0; i < 5; i++) {
		struct ndr_push q;
		uint8_t *stub = NULL;
		size_t len = 0;

		ndr_push_init(&q, tmem, 0);
		share_enum_req(&q, levels[i], false, 0);
		ck_assert_uint_eq(rt_call(tmem, p, 15, &q.w, &stub, &len),
				  0);
		ck_assert_uint_eq(wire_le32(stub + len - 4),
				  levels[i] == 503 ? 124 : 0);
	}
	talloc_free(p);
}
END_TEST

START_TEST(test_fragmented_request_and_response)
{
	struct wg_pipe *p = NULL;
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0, n = 0, third = 0;
	struct share1 *s = NULL;
	uint32_t total = 0, id = 900;

	fa.n_shares = 400;	/* answer spans several fragments */
	p = open_bound("srvsvc", SRVSVC_UUID, 3);
	ndr_push_init(&q, tmem, 0);
	share_enum_req(&q, 1, true, 0);
	third = q.w.len / 3;
	/* huge alloc_hint: only a hint, nothing is reserved from it */
	ck_assert_int_eq(rt_write_frag(tmem, p, id, DCERPC_PFC_FIRST, 15,
				       0xffffffffu, q.w.buf, third), 0);
	ck_assert_uint_eq(wg_pipe_pending(p), 0);
	ck_assert_int_eq(rt_write_frag(tmem, p, id, 0, 15, 0,
				       q.w.buf + third, third), 0);
	ck_assert_int_eq(rt_write_frag(tmem, p, id, DCERPC_PFC_LAST, 15,
				       0, q.w.buf + 2 * third,
				       q.w.len - 2 * third), 0);
	ck_assert_uint_gt(wg_pipe_pending(p), 4280);
	ck_assert_uint_eq(rt_collect(tmem, p, id, &stub, &len), 0);
	ck_assert_uint_eq(decode_share_enum1(tmem, stub, len, &s, &n,
					     &total), 0);
	ck_assert_uint_eq(n, 400);
	ck_assert_str_eq(s[399].name, "share399");
	talloc_free(p);
}
END_TEST

START_TEST(test_read_in_pieces)
{
	struct wg_pipe *p = open_bound("srvsvc", SRVSVC_UUID, 3);
	struct ndr_push q;
	uint8_t buf[16];
	bool more = false;
	size_t pending = 0, got = 0, first_frag = 0;

	ndr_push_init(&q, tmem, 0);
	share_enum_req(&q, 1, false, 0);
	ck_assert_int_eq(rt_write_frag(tmem, p, 5, 3, 15, 0, q.w.buf,
				       q.w.len), 0);
	pending = wg_pipe_pending(p);
	ck_assert_uint_eq(wg_pipe_read(p, buf, 10, &more), 10);
	ck_assert(more);
	first_frag = wire_le16(buf + 8);
	ck_assert_uint_eq(first_frag, pending);
	got = 10;
	while (wg_pipe_pending(p) > 0) {
		got += wg_pipe_read(p, buf, sizeof(buf), &more);
	}
	ck_assert(!more);
	ck_assert_uint_eq(got, pending);
	ck_assert_uint_eq(wg_pipe_read(p, buf, sizeof(buf), &more), 0);
	talloc_free(p);
}
END_TEST

START_TEST(test_byte_at_a_time)
{
	struct wg_pipe *p = open_bound("srvsvc", SRVSVC_UUID, 3);
	struct ndr_push q;
	struct dcerpc_request r = { .opnum = 15 };
	struct wire_wr w;
	uint8_t *stub = NULL;
	size_t len = 0, n = 0;
	struct share1 *s = NULL;
	uint32_t total = 0;

	ndr_push_init(&q, tmem, 0);
	share_enum_req(&q, 1, false, 0);
	r.stub = q.w.buf;
	r.stub_len = q.w.len;
	wire_wr_init(&w, tmem, 0);
	dcerpc_push_request(&w, 77, 3, &r);
	/* two copies back to back, fed one byte per write */
	dcerpc_push_request(&w, 77, 3, &r);
	for (size_t i = 0; i < w.len; i++) {
		ck_assert_int_eq(wg_pipe_write(p, w.buf + i, 1), 0);
		if (i + 1 < w.len / 2) {
			ck_assert_uint_eq(wg_pipe_pending(p), 0);
		}
	}
	stub = rt_drain(tmem, p, &len);
	for (int k = 0; k < 2; k++) {
		struct dcerpc_hdr h;
		struct dcerpc_response resp;
		uint16_t fl = 0;

		ck_assert_int_eq(dcerpc_frag_length(stub, len, &fl), 0);
		ck_assert_int_eq(dcerpc_pull_response(stub, fl, &h, &resp), 0);
		ck_assert_uint_eq(h.call_id, 77);
		ck_assert_uint_eq(h.pfc_flags & 3, 3);
		ck_assert_uint_eq(decode_share_enum1(tmem, resp.stub,
						     resp.stub_len, &s, &n,
						     &total), 0);
		ck_assert_uint_eq(n, 3);
		stub += fl;
		len -= fl;
	}
	ck_assert_uint_eq(len, 0);
	talloc_free(p);
}
END_TEST

START_TEST(test_faults)
{
	struct wg_pipe *p = NULL;
	bool unknown = false;
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;
	static const uint8_t junk[] = { 1, 2, 3 };

	/* request before bind */
	p = wg_pipe_open(wgt_root, "srvsvc", &env, &unknown);
	ck_assert_int_eq(rt_write_frag(tmem, p, 3, 3, 15, 0, junk, 3), 0);
	ck_assert_uint_eq(rt_collect(tmem, p, 3, &stub, &len),
			  DCERPC_NCA_PROTO_ERROR);
	rt_bind(tmem, p, SRVSVC_UUID, 3);
	/* unknown opnum */
	ck_assert_int_eq(rt_write_frag(tmem, p, 4, 3, 99, 0, junk, 3), 0);
	ck_assert_uint_eq(rt_collect(tmem, p, 4, &stub, &len),
			  0x1c010002u);
	ck_assert_int_eq(rt_write_frag(tmem, p, 4, 3, 14, 0, junk, 3), 0);
	ck_assert_uint_eq(rt_collect(tmem, p, 4, &stub, &len),
			  0x1c010002u);
	/* bad stub */
	ck_assert_int_eq(rt_write_frag(tmem, p, 5, 3, 15, 0, junk, 3), 0);
	ck_assert_uint_eq(rt_collect(tmem, p, 5, &stub, &len), 0x6f7u);
	/* a middle fragment with no call started, then a LAST */
	ck_assert_int_eq(rt_write_frag(tmem, p, 6, 0, 15, 0, junk, 3), 0);
	ck_assert_uint_eq(rt_collect(tmem, p, 6, &stub, &len),
			  DCERPC_NCA_PROTO_ERROR);
	ck_assert_int_eq(rt_write_frag(tmem, p, 6, DCERPC_PFC_LAST, 15, 0,
				       junk, 3), 0);
	ck_assert_uint_eq(wg_pipe_pending(p), 0);	/* skipped */
	/* still answering */
	ndr_push_init(&q, tmem, 0);
	share_enum_req(&q, 1, false, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 15, &q.w, &stub, &len), 0);
	talloc_free(p);
}
END_TEST

START_TEST(test_reassembly_limit)
{
	struct wg_pipe *p = open_bound("srvsvc", SRVSVC_UUID, 3);
	uint8_t *chunk = talloc_zero_array(tmem, uint8_t, 4000);
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0, sent = 0;
	int rc = 0;

	ck_assert_int_eq(rt_write_frag(tmem, p, 8, DCERPC_PFC_FIRST, 15,
				       64 << 20, chunk, 4000), 0);
	for (sent = 4000; rc == 0 && sent < 2 * 1024 * 1024; sent += 4000) {
		rc = rt_write_frag(tmem, p, 8, 0, 15, 0, chunk, 4000);
	}
	ck_assert_int_eq(rc, -E2BIG);
	ck_assert_uint_le(sent, 1024 * 1024 + 8000);
	ck_assert_uint_eq(rt_collect(tmem, p, 8, &stub, &len),
			  DCERPC_NCA_PROTO_ERROR);
	/* the rest of that call is skipped silently */
	ck_assert_int_eq(rt_write_frag(tmem, p, 8, 0, 15, 0, chunk, 4000),
			 0);
	ck_assert_int_eq(rt_write_frag(tmem, p, 8, DCERPC_PFC_LAST, 15, 0,
				       chunk, 10), 0);
	ck_assert_uint_eq(wg_pipe_pending(p), 0);
	ndr_push_init(&q, tmem, 0);
	share_enum_req(&q, 1, false, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 15, &q.w, &stub, &len), 0);
	talloc_free(chunk);
	talloc_free(p);
}
END_TEST

START_TEST(test_broken_streams)
{
	struct wg_pipe *p = open_bound("srvsvc", SRVSVC_UUID, 3);
	uint8_t big[20] = { 5, 0, 0, 3, 0x10, 0, 0, 0 };
	static const uint8_t garbage[16] = { 'G', 'E', 'T', ' ', '/' };
	uint8_t be[16] = { 5, 0, 0, 3, 0x00, 0, 0, 0, 16, 0 };

	/* frag_length above what we agreed to receive */
	wire_setle16(big + 8, 5000);
	ck_assert_int_eq(wg_pipe_write(p, big, sizeof(big)), -EPROTO);
	talloc_free(p);
	p = open_bound("srvsvc", SRVSVC_UUID, 3);
	ck_assert_int_eq(wg_pipe_write(p, garbage, sizeof(garbage)),
			 -EPROTO);
	talloc_free(p);
	p = open_bound("srvsvc", SRVSVC_UUID, 3);
	ck_assert_int_eq(wg_pipe_write(p, be, sizeof(be)), -EPROTO);
	talloc_free(p);
	/* a truncated request body (frag_length 20) gets a fault */
	p = open_bound("srvsvc", SRVSVC_UUID, 3);
	memset(big, 0, sizeof(big));
	big[0] = 5;
	big[3] = 3;
	big[4] = 0x10;
	wire_setle16(big + 8, 20);
	wire_setle32(big + 12, 44);
	ck_assert_int_eq(wg_pipe_write(p, big, 20), 0);
	ck_assert_uint_eq(wg_pipe_pending(p), DCERPC_FAULT_LEN);
	talloc_free(p);
}
END_TEST

START_TEST(test_bind_refusals)
{
	bool unknown = false;
	struct wg_pipe *p = wg_pipe_open(wgt_root, "srvsvc", &env, &unknown);
	struct dcerpc_bind b = {
		.max_xmit_frag = 100,
		.max_recv_frag = 100,
		.n_ctx = 1,
	};
	struct dcerpc_hdr h;
	struct wire_wr w;
	uint8_t *out = NULL;
	size_t len = 0;
	uint16_t reason = 0;

	b.ctx[0].n_transfer = 1;
	rt_syntax(&b.ctx[0].abstract, SRVSVC_UUID, 3, 0);
	rt_syntax(&b.ctx[0].transfer[0], RT_NDR32, 2, 0);
	wire_wr_init(&w, tmem, 0);
	dcerpc_push_bind(&w, DCERPC_PTYPE_BIND, 1, &b);
	ck_assert_int_eq(wg_pipe_write(p, w.buf, w.len), 0);
	out = rt_drain(tmem, p, &len);
	ck_assert_int_eq(dcerpc_pull_bind_nak(out, len, &h, &reason), 0);
	/* with auth: refused, the SMB session is the authentication */
	b.max_xmit_frag = b.max_recv_frag = 4280;
	talloc_free(w.buf);
	wire_wr_init(&w, tmem, 0);
	dcerpc_push_bind(&w, DCERPC_PTYPE_BIND, 2, &b);
	wire_put_zero(&w, 8);
	wire_setle16(w.buf + 8, (uint16_t)w.len);
	wire_setle16(w.buf + 10, 8);
	ck_assert_int_eq(wg_pipe_write(p, w.buf, w.len), 0);
	talloc_free(out);
	out = rt_drain(tmem, p, &len);
	ck_assert_int_eq(dcerpc_pull_bind_nak(out, len, &h, &reason), 0);
	ck_assert_uint_eq(reason, DCERPC_NAK_AUTH_TYPE_NOT_RECOGNIZED);
	talloc_free(out);
	talloc_free(w.buf);
	talloc_free(p);
}
END_TEST

/* NetrSessionDel(ServerName, ClientName, UserName) */
static uint32_t session_del(struct wg_pipe *p, const char *client,
			    const char *user)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, NULL);
	rt_put_unique_string(&q, client);
	rt_put_unique_string(&q, user);
	ck_assert_uint_eq(rt_call(tmem, p, 13, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 4);
	return wire_le32(stub);
}

START_TEST(test_session_del_needs_admin)
{
	struct wg_pipe *p = open_bound("srvsvc", SRVSVC_UUID, 3);

	ck_assert_uint_eq(session_del(p, "\\\\127.0.0.5", NULL), 5);
	ck_assert_uint_eq(fa.deleted, 0);
	talloc_free(p);
	env.user = "admin";
	p = open_bound("srvsvc", SRVSVC_UUID, 3);
	ck_assert_uint_eq(session_del(p, "\\\\127.0.0.5", NULL), 0);
	ck_assert_uint_eq(fa.deleted, 1);
	ck_assert_str_eq(fa.last_del_computer, "127.0.0.5");
	ck_assert_str_eq(fa.last_del_user, "(null)");
	ck_assert_uint_eq(session_del(p, "\\\\10.9.9.9", "bob"), 2312);
	ck_assert_str_eq(fa.last_del_user, "bob");
	ck_assert_uint_eq(session_del(p, NULL, NULL), 87);
	talloc_free(p);
	/* null sessions: never admins */
	env.user = "";
	env.anonymous = true;
	p = open_bound("srvsvc", SRVSVC_UUID, 3);
	ck_assert_uint_eq(session_del(p, "\\\\127.0.0.5", NULL), 5);
	talloc_free(p);
}
END_TEST

START_TEST(test_restrict_anonymous)
{
	struct wg_pipe *p = NULL;
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0, n = 0;
	struct share1 *s = NULL;
	uint32_t total = 0;

	env.user = "";
	env.anonymous = true;
	p = open_bound("srvsvc", SRVSVC_UUID, 3);
	ndr_push_init(&q, tmem, 0);
	share_enum_req(&q, 1, false, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 15, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(decode_share_enum1(tmem, stub, len, &s, &n,
					     &total), 0);
	ck_assert_uint_eq(n, 3);
	fa.restrict_anonymous = 1;
	ck_assert_uint_eq(rt_call(tmem, p, 15, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(decode_share_enum1(tmem, stub, len, &s, &n,
					     &total), 5);
	ck_assert_uint_eq(n, 0);
	talloc_free(p);
}
END_TEST

START_TEST(test_session_enum_filter)
{
	struct wg_pipe *p = NULL;
	struct ndr_push q;
	struct ndr_pull r;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint32_t v = 0, ref = 0, count = 0;
	char *s = NULL;

	env.user = "admin";
	p = open_bound("srvsvc", SRVSVC_UUID, 3);
	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, NULL);
	rt_put_unique_string(&q, "\\\\pc5");
	rt_put_unique_string(&q, NULL);
	ndr_push_u32(&q, 10);
	ndr_push_u32(&q, 10);
	ndr_push_u32(&q, 0);		/* no container */
	ndr_push_u32(&q, 0xffffffffu);
	ndr_push_u32(&q, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 12, &q.w, &stub, &len), 0);
	ndr_pull_init(&r, tmem, stub, len);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &count), 0);
	ck_assert_uint_eq(count, 1);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &count), 0);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);	/* cname */
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);	/* username */
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);	/* time */
	ck_assert_uint_eq(v, 100);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);	/* idle */
	ck_assert_uint_eq(v, 5);
	ck_assert_int_eq(ndr_pull_string(&r, &s), 0);
	ck_assert_str_eq(s, "\\\\127.0.0.5");
	ck_assert_int_eq(ndr_pull_string(&r, &s), 0);
	ck_assert_str_eq(s, "alice");
	talloc_free(p);
}
END_TEST

START_TEST(test_file_enum_and_close)
{
	struct wg_pipe *p = NULL;
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	env.user = "admin";
	p = open_bound("srvsvc", SRVSVC_UUID, 3);
	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, NULL);
	rt_put_unique_string(&q, NULL);
	rt_put_unique_string(&q, NULL);
	ndr_push_u32(&q, 3);
	ndr_push_u32(&q, 3);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0xffffffffu);
	ndr_push_u32(&q, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 9, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 0);
	ck_assert_uint_eq(wire_le32(stub + len - 12), 2);	/* total */

	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, NULL);
	ndr_push_u32(&q, 7);		/* low 32 bits of 0x100000007 */
	ck_assert_uint_eq(rt_call(tmem, p, 11, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub), 0);
	ck_assert(fa.closed_id == 0x100000007ull);
	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, NULL);
	ndr_push_u32(&q, 99);
	ck_assert_uint_eq(rt_call(tmem, p, 11, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub), 2314);
	talloc_free(p);
}
END_TEST

START_TEST(test_conn_enum)
{
	struct wg_pipe *p = NULL;
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	env.user = "admin";
	p = open_bound("srvsvc", SRVSVC_UUID, 3);
	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, NULL);
	rt_put_unique_string(&q, "\\\\127.0.0.5");
	ndr_push_u32(&q, 1);
	ndr_push_u32(&q, 1);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0xffffffffu);
	ndr_push_u32(&q, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 8, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 0);
	ck_assert_uint_eq(wire_le32(stub + len - 12), 2);	/* demo, IPC$ */
	talloc_free(p);
}
END_TEST

START_TEST(test_server_info_and_tod)
{
	struct wg_pipe *p = open_bound("srvsvc", SRVSVC_UUID, 3);
	struct ndr_push q;
	struct ndr_pull r;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint32_t v = 0, ref = 0;
	char *s = NULL;

	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, "\\\\WGTEST");
	ndr_push_u32(&q, 101);
	ck_assert_uint_eq(rt_call(tmem, p, 21, &q.w, &stub, &len), 0);
	ndr_pull_init(&r, tmem, stub, len);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 101);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_uint_ne(ref, 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 500);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 6);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v & 0x1003, 0x1003);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_string(&r, &s), 0);
	ck_assert_str_eq(s, "WGTEST");
	ck_assert_int_eq(ndr_pull_string(&r, &s), 0);
	ck_assert_str_eq(s, "test server");
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 0);

	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, NULL);
	ndr_push_u32(&q, 7);
	ck_assert_uint_eq(rt_call(tmem, p, 21, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 12);
	ck_assert_uint_eq(wire_le32(stub + 8), 124);

	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, NULL);
	ck_assert_uint_eq(rt_call(tmem, p, 28, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 4 + 48 + 4);
	ck_assert_uint_gt(wire_le32(stub + 4), 1600000000u);
	talloc_free(p);
}
END_TEST

START_TEST(test_wkssvc)
{
	struct wg_pipe *p = open_bound("wkssvc", WKSSVC_UUID, 1);
	struct ndr_push q;
	struct ndr_pull r;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint32_t v = 0, ref = 0;
	char *s = NULL;

	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, NULL);
	ndr_push_u32(&q, 100);
	ck_assert_uint_eq(rt_call(tmem, p, 0, &q.w, &stub, &len), 0);
	ndr_pull_init(&r, tmem, stub, len);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 500);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_int_eq(ndr_pull_string(&r, &s), 0);
	ck_assert_str_eq(s, "WGTEST");
	ck_assert_int_eq(ndr_pull_string(&r, &s), 0);
	ck_assert_str_eq(s, "LAB");
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_uint_eq(ndr_pull_left(&r), 0);
	/* 102 decodes too; 5 is an unknown level */
	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, NULL);
	ndr_push_u32(&q, 102);
	ck_assert_uint_eq(rt_call(tmem, p, 0, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 0);
	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, NULL);
	ndr_push_u32(&q, 5);
	ck_assert_uint_eq(rt_call(tmem, p, 0, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 124);
	talloc_free(p);
}
END_TEST

/*
 * pipes/ answers in its own error space: a PDU the decoder refuses with a
 * WIRE_E_* code becomes a bind_nak (stream goes on) or WG_PIPE_E_BROKEN,
 * never the raw code (WIRE_E_SHORT is -1, which reads as -EPERM).
 */
START_TEST(test_pipe_error_space)
{
	bool unknown = true;
	struct wg_pipe *p = wg_pipe_open(wgt_root, "srvsvc", &env, &unknown);
	/* a bind whose body is missing: dcerpc_pull_bind says SHORT */
	uint8_t bind[16] = { 5, 0, DCERPC_PTYPE_BIND, 3, 0x10, 0, 0, 0,
			     16, 0, 0, 0, 1, 0, 0, 0 };
	/* a PDU type nobody speaks */
	uint8_t odd[16] = { 5, 0, 99, 3, 0x10, 0, 0, 0, 16, 0 };

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(wg_pipe_write(p, bind, sizeof(bind)), WG_PIPE_OK);
	ck_assert_uint_gt(wg_pipe_pending(p), 0);
	ck_assert_int_eq(wg_pipe_write(p, odd, sizeof(odd)), WG_PIPE_E_BROKEN);
	talloc_free(p);

	ck_assert_str_eq(wg_pipe_strerror(WG_PIPE_OK), "ok");
	ck_assert_str_eq(wg_pipe_strerror(WG_PIPE_E_BROKEN), "broken stream");
	ck_assert_str_eq(wg_pipe_strerror(WG_PIPE_E_TOOBIG), "over a limit");
	ck_assert_str_eq(wg_pipe_strerror(WG_PIPE_E_NOMEM), "no memory");
	ck_assert_str_eq(wg_pipe_strerror((enum wg_pipe_err)WIRE_E_SHORT),
			 "unknown");
}
END_TEST

/* NetrServerDiskEnum(NULL, level, {0, NULL}, max, resume 0) request. */
static void disk_enum_req(struct ndr_push *q, uint32_t level)
{
	ndr_push_init(q, tmem, 0);
	rt_put_unique_string(q, NULL);
	ndr_push_u32(q, level);
	ndr_push_u32(q, 0);		/* EntriesRead */
	ndr_push_u32(q, 0);		/* Buffer NULL */
	ndr_push_u32(q, 0xffffffffu);
	ndr_push_referent(q);
	ndr_push_u32(q, 0);
}

START_TEST(test_disk_enum)
{
	struct wg_pipe *p = NULL;
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	/* admins only */
	p = open_bound("srvsvc", SRVSVC_UUID, 3);
	disk_enum_req(&q, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 23, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 4 + 4 + 4 + 8 + 4);
	ck_assert_uint_eq(wire_le32(stub), 0);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 5);
	talloc_free(p);
	env.user = "admin";
	p = open_bound("srvsvc", SRVSVC_UUID, 3);
	ck_assert_uint_eq(rt_call(tmem, p, 23, &q.w, &stub, &len), 0);
	/* EntriesRead 1, referent, max 1, offset 0, actual 1, then one
	 * DISK_INFO: offset 0, count 3, "C:\0" + 2 pad; total, resume. */
	ck_assert_uint_eq(len, 4 + 4 + 12 + 8 + 8 + 4 + 8 + 4);
	ck_assert_uint_eq(wire_le32(stub), 1);
	ck_assert_uint_ne(wire_le32(stub + 4), 0);
	ck_assert_uint_eq(wire_le32(stub + 8), 1);
	ck_assert_uint_eq(wire_le32(stub + 16), 1);
	ck_assert_uint_eq(wire_le32(stub + 20), 0);
	ck_assert_uint_eq(wire_le32(stub + 24), 3);
	ck_assert_uint_eq(wire_le16(stub + 28), 'C');
	ck_assert_uint_eq(wire_le16(stub + 30), ':');
	ck_assert_uint_eq(wire_le16(stub + 32), 0);
	ck_assert_uint_eq(wire_le32(stub + 36), 1);	/* TotalEntries */
	ck_assert_uint_eq(wire_le32(stub + len - 4), 0);
	/* only level 0 exists */
	disk_enum_req(&q, 1);
	ck_assert_uint_eq(rt_call(tmem, p, 23, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 124);
	/* an [in] container with entries is refused; truncation faults */
	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, NULL);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 1);
	ndr_push_referent(&q);
	ndr_push_u32(&q, 1);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 1);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 23, &q.w, &stub, &len),
			  DCERPC_FAULT_NDR);
	disk_enum_req(&q, 0);
	for (size_t cut = 0; cut < q.w.len; cut++) {
		struct wire_wr w = q.w;

		w.len = cut;
		ck_assert_uint_eq(rt_call(tmem, p, 23, &w, &stub, &len),
				  DCERPC_FAULT_NDR);
	}
	talloc_free(p);
}
END_TEST

/* NetrShareCheck(device): the status, *type the type. */
static uint32_t share_check(struct wg_pipe *p, const char *device,
			    uint32_t *type)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, "\\\\WGTEST");
	ndr_push_string(&q, device);
	ck_assert_uint_eq(rt_call(tmem, p, 20, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 8);
	*type = wire_le32(stub);
	return wire_le32(stub + 4);
}

START_TEST(test_share_check_and_levels)
{
	struct wg_pipe *p = open_bound("srvsvc", SRVSVC_UUID, 3);
	uint32_t type = 99;
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ck_assert_uint_eq(share_check(p, "c:\\SRV\\demo", &type), 0);
	ck_assert_uint_eq(type, 0);
	ck_assert_uint_eq(share_check(p, "C:\\var\\spool", &type), 0);
	ck_assert_uint_eq(type, 1);
	ck_assert_uint_eq(share_check(p, "D:\\nothing", &type), 2311);
	ck_assert_uint_eq(type, 0);
	/* NetrShareEnumSticky knows no level 501; NetrShareEnum does */
	ndr_push_init(&q, tmem, 0);
	share_enum_req(&q, 501, false, 0);
	ck_assert_uint_eq(rt_call(tmem, p, 36, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 124);
	ck_assert_uint_eq(rt_call(tmem, p, 15, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 0);
	talloc_free(p);
	/* null sessions: no paths (levels 2, 501 and 502 listed) */
	env.user = "";
	env.anonymous = true;
	p = open_bound("srvsvc", SRVSVC_UUID, 3);
	for (uint32_t level = 0; level < 503; level++) {
		bool denied = level == 2 || level == 501 || level == 502;

		if (level > 2 && level < 501) {
			continue;
		}
		ndr_push_init(&q, tmem, 0);
		share_enum_req(&q, level, false, 0);
		ck_assert_uint_eq(rt_call(tmem, p, 15, &q.w, &stub, &len),
				  0);
		ck_assert_uint_eq(wire_le32(stub + len - 4),
				  denied ? 5 : 0);
	}
	talloc_free(p);
}
END_TEST

/* Character devices and transports: decoded, then NOT_SUPPORTED. */
START_TEST(test_not_supported_enums)
{
	static const uint16_t opnums[] = { 0, 3, 26 };
	struct wg_pipe *p = open_bound("srvsvc", SRVSVC_UUID, 3);

	for (size_t i = 0; i < 3; i++) {
		struct ndr_push q;
		uint8_t *stub = NULL;
		size_t len = 0;

		ndr_push_init(&q, tmem, 0);
		rt_put_unique_string(&q, NULL);
		if (opnums[i] == 3) {
			rt_put_unique_string(&q, "Administrator");
		}
		ndr_push_u32(&q, 1);		/* level */
		ndr_push_u32(&q, 1);
		ndr_push_u32(&q, 0);		/* no container */
		ndr_push_u32(&q, 0xffffffffu);
		ndr_push_u32(&q, 0);		/* no resume handle */
		ck_assert_uint_eq(rt_call(tmem, p, opnums[i], &q.w, &stub,
					  &len), 0);
		ck_assert_uint_eq(wire_le32(stub + len - 4), 50);
		q.w.len -= 1;
		ck_assert_uint_eq(rt_call(tmem, p, opnums[i], &q.w, &stub,
					  &len), DCERPC_FAULT_NDR);
	}
	talloc_free(p);
}
END_TEST

static Suite *srvsvc_suite(void)
{
	Suite *s = suite_create("srvsvc");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_names);
	tcase_add_test(tc, test_bind_ack_contexts);
	tcase_add_test(tc, test_share_enum_level1);
	tcase_add_test(tc, test_other_levels_decode_lengths);
	tcase_add_test(tc, test_fragmented_request_and_response);
	tcase_add_test(tc, test_read_in_pieces);
	tcase_add_test(tc, test_byte_at_a_time);
	tcase_add_test(tc, test_faults);
	tcase_add_test(tc, test_reassembly_limit);
	tcase_add_test(tc, test_broken_streams);
	tcase_add_test(tc, test_pipe_error_space);
	tcase_add_test(tc, test_bind_refusals);
	tcase_add_test(tc, test_session_del_needs_admin);
	tcase_add_test(tc, test_restrict_anonymous);
	tcase_add_test(tc, test_session_enum_filter);
	tcase_add_test(tc, test_file_enum_and_close);
	tcase_add_test(tc, test_conn_enum);
	tcase_add_test(tc, test_server_info_and_tod);
	tcase_add_test(tc, test_wkssvc);
	tcase_add_test(tc, test_disk_enum);
	tcase_add_test(tc, test_share_check_and_levels);
	tcase_add_test(tc, test_not_supported_enums);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(srvsvc_suite)
