/*
 * test_winreg.c - \PIPE\winreg: the virtual tree's values (version,
 * shares, printers, HKU), read-only refusals, the handle budget, null
 * sessions under restrict anonymous, the \lsass alias of lsarpc, and
 * every request decoder truncated at every byte and fed garbage.
 */
#include "tests/pipes/rpctest.h"
#include "pipes/winreg.h"
#include "proto/ndr_sec.h"
#include "proto/utf16.h"

#define WINREG_UUID "338cd001-2244-31f1-aaaa-900038001003"

static struct wg_pipe_env env;
/* What a test's stubs and answers are made under (freed at teardown). */
static TALLOC_CTX *tmem;
static unsigned budget_hits;
static int restrict_anon;

static void on_budget(void *priv, const char *ip, unsigned limit)
{
	budget_hits++;
}

static int fake_server_info(void *priv, TALLOC_CTX *mem,
			    struct wg_admin_server **out)
{
	struct wg_admin_server *s = talloc_zero(mem, struct wg_admin_server);

	s->netbios_name = "WGTEST";
	s->workgroup = "LAB";
	s->comment = "";
	s->restrict_anonymous = restrict_anon;
	*out = s;
	return 0;
}

static int fake_list_shares(void *priv, TALLOC_CTX *mem,
			    struct wg_admin_share **out, size_t *n)
{
	struct wg_admin_share *s = talloc_zero_array(mem,
		struct wg_admin_share, 3);

	s[0] = (struct wg_admin_share) { .name = "data", .path = "/srv/data",
		.comment = "the data", .type = WG_ADMIN_SHARE_DISK };
	s[1] = (struct wg_admin_share) { .name = "IPC$", .path = "",
		.comment = "", .type = WG_ADMIN_SHARE_IPC };
	s[2] = (struct wg_admin_share) { .name = "lp", .path = "/var/spool",
		.comment = "office laser", .type = WG_ADMIN_SHARE_PRINT };
	*out = s;
	*n = 3;
	return 0;
}

static int fake_list_printers(void *priv, TALLOC_CTX *mem,
			      struct wg_admin_share **out, size_t *n)
{
	struct wg_admin_share *s = talloc_zero_array(mem,
		struct wg_admin_share, 1);

	s[0] = (struct wg_admin_share) { .name = "lp",
		.comment = "office laser", .type = WG_ADMIN_SHARE_PRINT };
	*out = s;
	*n = 1;
	return 0;
}

static const struct wg_admin_ops admin = {
	.server_info = fake_server_info,
	.list_shares = fake_list_shares,
};

static const struct wg_print_ops print = {
	.list_printers = fake_list_printers,
};

static void setup(void)
{
	wgt_setup();
	tmem = talloc_new(NULL);
	budget_hits = 0;
	restrict_anon = 0;
	env = (struct wg_pipe_env) {
		.admin = &admin, .print = &print, .user = "alice",
		.client_ip = "127.0.0.9", .handle_budget_hit = on_budget,
	};
}

static void teardown(void)
{
	TALLOC_FREE(tmem);
	wgt_teardown();
}

static struct wg_pipe *open_winreg(void)
{
	bool unknown = false;
	struct wg_pipe *p = wg_pipe_open(wgt_root, "\\PIPE\\winreg", &env,
					 &unknown);

	ck_assert_ptr_nonnull(p);
	rt_bind(wgt_root, p, WINREG_UUID, 1);
	return p;
}

/* Call opnum with in; the stub (a child of tmem) and its length. */
static uint8_t *call(struct wg_pipe *p, uint16_t opnum, struct ndr_push *in,
		     size_t *len)
{
	uint8_t *stub = NULL;

	ck_assert_uint_eq(rt_call(tmem, p, opnum, &in->w, &stub, len), 0);
	return stub;
}

/* OpenHKLM (2) / OpenHKU (4): the status; the handle in h. */
static uint32_t open_hive(struct wg_pipe *p, uint16_t opnum, uint8_t h[20])
{
	struct ndr_push in;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint32_t st = 0;

	ndr_push_init(&in, tmem, 0);
	ndr_push_referent(&in);
	ndr_push_u16(&in, '\\');
	ndr_push_u32(&in, 0x02000000);
	stub = call(p, opnum, &in, &len);
	ck_assert_uint_eq(len, 24);
	memcpy(h, stub, 20);
	st = wire_le32(stub + 20);
	talloc_free(stub);
	return st;
}

/* An RRP_UNICODE_STRING as Windows sends names: NUL counted. */
static void push_name(struct ndr_push *in, const char *s)
{
	uint16_t bytes = (uint16_t)(utf16_len_of_utf8(s) + 2);

	ndr_push_align(in, 4);
	ndr_push_u16(in, bytes);
	ndr_push_u16(in, bytes);
	ndr_push_referent(in);
	ndr_push_u32(in, bytes / 2u);
	ndr_push_u32(in, 0);
	ndr_push_u32(in, bytes / 2u);
	wire_put_utf16(&in->w, s);
	wire_put_u16le(&in->w, 0);
}

/* An empty buffer of size bytes offered for a name. */
static void push_name_buf(struct ndr_push *in, uint16_t size)
{
	ndr_push_align(in, 4);
	ndr_push_u16(in, 0);
	ndr_push_u16(in, size);
	ndr_push_referent(in);
	ndr_push_u32(in, size / 2u);
	ndr_push_u32(in, 0);
	ndr_push_u32(in, 0);
}

static void open_key_stub(struct ndr_push *in, const uint8_t h[20],
			  const char *path)
{
	ndr_push_init(in, tmem, 0);
	ndr_push_handle(in, h);
	push_name(in, path);
	ndr_push_u32(in, 0);
	ndr_push_u32(in, 0x02000000);
}

static uint32_t open_key(struct wg_pipe *p, const uint8_t h[20],
			 const char *path, uint8_t out[20])
{
	struct ndr_push in;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint32_t st = 0;

	open_key_stub(&in, h, path);
	stub = call(p, 15, &in, &len);
	ck_assert_uint_eq(len, 24);
	memcpy(out, stub, 20);
	st = wire_le32(stub + 20);
	talloc_free(stub);
	return st;
}

static void query_value_stub(struct ndr_push *in, const uint8_t h[20],
			     const char *name, uint32_t size)
{
	ndr_push_init(in, tmem, 0);
	ndr_push_handle(in, h);
	push_name(in, name);
	ndr_push_referent(in);		/* type */
	ndr_push_u32(in, 0);
	ndr_push_referent(in);		/* data */
	ndr_push_u32(in, size);
	ndr_push_u32(in, 0);
	ndr_push_u32(in, 0);
	ndr_push_referent(in);		/* size */
	ndr_push_u32(in, size);
	ndr_push_referent(in);		/* length */
	ndr_push_u32(in, 0);
}

/* QueryValue: the status; a REG_SZ's text in *text (a child of mem). */
static uint32_t query_sz(struct wg_pipe *p, const uint8_t h[20],
			 const char *name, uint32_t size, char **text,
			 uint32_t *type, uint32_t *needed)
{
	struct ndr_push in;
	struct ndr_pull r;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint32_t ref = 0, max = 0, off = 0, actual = 0, st = 0, l = 0;
	const uint8_t *data = NULL;

	query_value_stub(&in, h, name, size);
	stub = call(p, 17, &in, &len);
	ndr_pull_init(&r, tmem, stub, len);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_uint_ne(ref, 0);
	ck_assert_int_eq(ndr_pull_u32(&r, type), 0);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_uint_ne(ref, 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &max), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &off), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &actual), 0);
	ck_assert_int_eq(wire_get_ptr(&r.r, &data, actual), 0);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, needed), 0);
	ck_assert_uint_eq(*needed, max);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &l), 0);
	ck_assert_uint_eq(l, actual);
	ck_assert_int_eq(ndr_pull_u32(&r, &st), 0);
	ck_assert_uint_eq(ndr_pull_left(&r), 0);
	*text = NULL;
	if (st == 0) {
		ck_assert_uint_ge(actual, 2);
		ck_assert_int_eq(utf16le_to_utf8(tmem, data, actual - 2,
						 text), 0);
	}
	return st;
}

/* EnumKey: the status, the name in *name. */
static uint32_t enum_key(struct wg_pipe *p, const uint8_t h[20],
			 uint32_t index, uint16_t size, char **name)
{
	struct ndr_push in;
	struct ndr_pull r;
	struct ndr_ustr_hdr hd;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint32_t st = 0, ref = 0, max = 0, off = 0, actual = 0;
	const uint8_t *units = NULL;

	ndr_push_init(&in, tmem, 0);
	ndr_push_handle(&in, h);
	ndr_push_u32(&in, index);
	push_name_buf(&in, size);
	ndr_push_u32(&in, 0);		/* no class */
	ndr_push_u32(&in, 0);		/* no time */
	stub = call(p, 9, &in, &len);
	ndr_pull_init(&r, tmem, stub, len);
	ck_assert_int_eq(ndr_pull_u16(&r, &hd.len), 0);
	ck_assert_int_eq(ndr_pull_u16(&r, &hd.max), 0);
	ck_assert_uint_eq(hd.max, size);
	ck_assert_int_eq(ndr_pull_ptr(&r, &hd.ref), 0);
	*name = NULL;
	if (hd.ref != 0) {
		ck_assert_int_eq(ndr_pull_u32(&r, &max), 0);
		ck_assert_int_eq(ndr_pull_u32(&r, &off), 0);
		ck_assert_int_eq(ndr_pull_u32(&r, &actual), 0);
		ck_assert_uint_eq(max, size / 2u);
		ck_assert_uint_eq(actual * 2, hd.len);
		ck_assert_uint_le(hd.len, hd.max);
		ck_assert_int_eq(wire_get_ptr(&r.r, &units, actual * 2), 0);
		ck_assert_int_eq(utf16le_to_utf8(tmem, units,
						 actual * 2 - 2, name), 0);
	}
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &st), 0);
	ck_assert_uint_eq(ndr_pull_left(&r), 0);
	return st;
}

START_TEST(test_version_values)
{
	struct wg_pipe *p = open_winreg();
	uint8_t hklm[20], k[20];
	char *text = NULL;
	uint32_t type = 0, needed = 0;

	ck_assert_uint_eq(open_hive(p, 2, hklm), 0);
	ck_assert_uint_eq(open_key(p, hklm, "SOFTWARE\\Microsoft\\"
				   "Windows NT\\CurrentVersion", k), 0);
	ck_assert_uint_eq(query_sz(p, k, "CurrentVersion", 64, &text, &type,
				   &needed), 0);
	ck_assert_str_eq(text, "6.1");
	ck_assert_uint_eq(type, WR_REG_SZ);
	ck_assert_uint_eq(needed, 8);
	ck_assert_uint_eq(query_sz(p, k, "productname", 64, &text, &type,
				   &needed), 0);
	ck_assert_str_eq(text, "wgsmb");
	ck_assert_uint_eq(query_sz(p, k, "CurrentBuildNumber", 64, &text,
				   &type, &needed), 0);
	ck_assert_str_eq(text, "20348");
	/* too small a buffer: MORE_DATA and the size needed */
	ck_assert_uint_eq(query_sz(p, k, "CurrentBuildNumber", 4, &text,
				   &type, &needed), WERR_MORE_DATA);
	ck_assert_uint_eq(needed, 12);
	ck_assert_uint_eq(query_sz(p, k, "SystemRoot", 64, &text, &type,
				   &needed), WERR_BADFILE);
	/* a path in any case, empty components dropped */
	ck_assert_uint_eq(open_key(p, hklm, "system\\\\CurrentControlSet\\"
				   "control\\ProductOptions\\", k), 0);
	ck_assert_uint_eq(query_sz(p, k, "ProductType", 64, &text, &type,
				   &needed), 0);
	ck_assert_str_eq(text, "ServerNT");
	ck_assert_uint_eq(open_key(p, hklm, "SYSTEM\\CurrentControlSet\\"
				   "Control\\Print\\Environments\\"
				   "Windows x64\\Print Processors\\winprint",
				   k), 0);
	ck_assert_uint_eq(query_sz(p, k, "Driver", 64, &text, &type,
				   &needed), 0);
	ck_assert_str_eq(text, "winprint.dll");
	ck_assert_uint_eq(open_key(p, hklm, "SOFTWARE\\NoSuchKey", k),
			  WERR_BADFILE);
	ck_assert_uint_eq(open_key(p, hklm, "\\SOFTWARE", k),
			  161u /* ERROR_BAD_PATHNAME */);
	talloc_free(p);
}
END_TEST

START_TEST(test_shares_printers_hku)
{
	struct wg_pipe *p = open_winreg();
	uint8_t hklm[20], hku[20], k[20];
	char *name = NULL;

	ck_assert_uint_eq(open_hive(p, 2, hklm), 0);
	ck_assert_uint_eq(open_key(p, hklm, "SYSTEM\\CurrentControlSet\\"
				   "Control\\Print\\Printers", k), 0);
	ck_assert_uint_eq(enum_key(p, k, 0, 64, &name), 0);
	ck_assert_str_eq(name, "lp");
	ck_assert_uint_eq(enum_key(p, k, 1, 64, &name), WERR_NO_MORE_ITEMS);
	ck_assert_uint_eq(open_key(p, hklm, "SYSTEM\\CurrentControlSet\\"
				   "Services\\LanmanServer", k), 0);
	ck_assert_uint_eq(enum_key(p, k, 0, 64, &name), 0);
	ck_assert_str_eq(name, "Shares");
	/* a name that does not fit the buffer: MORE_DATA, no name */
	ck_assert_uint_eq(enum_key(p, k, 0, 8, &name), WERR_MORE_DATA);
	ck_assert_ptr_null(name);

	ck_assert_uint_eq(open_hive(p, 4, hku), 0);
	ck_assert_uint_eq(enum_key(p, hku, 0, 64, &name), 0);
	ck_assert_str_eq(name, ".DEFAULT");
	ck_assert_uint_eq(enum_key(p, hku, 1, 64, &name), 0);
	ck_assert_str_eq(name, "S-1-5-18");
	ck_assert_uint_eq(enum_key(p, hku, 2, 64, &name), WERR_NO_MORE_ITEMS);
	talloc_free(p);
}
END_TEST

/* The Shares key: one REG_MULTI_SZ per share, IPC$ left out. */
START_TEST(test_share_values)
{
	struct wg_pipe *p = open_winreg();
	uint8_t hklm[20], k[20];
	struct ndr_push in;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint32_t st = 0;
	const char want[] = "Remark=the data";
	uint8_t *w16 = NULL;
	size_t w16len = 0;

	ck_assert_uint_eq(open_hive(p, 2, hklm), 0);
	ck_assert_uint_eq(open_key(p, hklm, "SYSTEM\\CurrentControlSet\\"
				   "Services\\LanmanServer\\Shares", k), 0);
	for (uint32_t i = 0; i < 3; i++) {
		ndr_push_init(&in, tmem, 0);
		ndr_push_handle(&in, k);
		ndr_push_u32(&in, i);
		push_name_buf(&in, 128);
		ndr_push_referent(&in);
		ndr_push_u32(&in, 0);
		ndr_push_referent(&in);
		ndr_push_u32(&in, 512);
		ndr_push_u32(&in, 0);
		ndr_push_u32(&in, 0);
		ndr_push_referent(&in);
		ndr_push_u32(&in, 512);
		ndr_push_referent(&in);
		ndr_push_u32(&in, 0);
		stub = call(p, 10, &in, &len);
		st = wire_le32(stub + len - 4);
		if (i == 0) {
			ck_assert_uint_eq(st, 0);
			ck_assert_int_eq(utf8_to_utf16le(tmem, want, &w16,
							 &w16len), 0);
			ck_assert_ptr_nonnull(memmem(stub, len, w16, w16len));
		} else if (i == 1) {
			ck_assert_uint_eq(st, 0);	/* lp */
		} else {
			ck_assert_uint_eq(st, WERR_NO_MORE_ITEMS);
		}
		talloc_free(stub);
	}
	talloc_free(p);
}
END_TEST

/* Writes are refused; a closed handle is gone. */
START_TEST(test_read_only_and_close)
{
	struct wg_pipe *p = open_winreg();
	uint8_t hklm[20];
	struct ndr_push in;
	uint8_t *stub = NULL;
	size_t len = 0;

	ck_assert_uint_eq(open_hive(p, 2, hklm), 0);
	/* CreateKey: handle, a null handle, a null disposition, the status */
	ndr_push_init(&in, tmem, 0);
	ndr_push_handle(&in, hklm);
	push_name(&in, "SOFTWARE\\x");
	stub = call(p, 6, &in, &len);
	ck_assert_uint_eq(len, 28);
	ck_assert_uint_eq(wire_le32(stub + 24), WERR_ACCESS_DENIED);
	for (uint16_t op = 7; op <= 35; op++) {
		if (op != 7 && op != 8 && op != 21 && op != 22 && op != 35) {
			continue;
		}
		ndr_push_init(&in, tmem, 0);
		ndr_push_handle(&in, hklm);
		stub = call(p, op, &in, &len);
		ck_assert_uint_eq(len, 4);
		ck_assert_uint_eq(wire_le32(stub), WERR_ACCESS_DENIED);
	}
	/* CloseKey answers a zero handle; then the handle is unknown */
	ndr_push_init(&in, tmem, 0);
	ndr_push_handle(&in, hklm);
	stub = call(p, 5, &in, &len);
	ck_assert_uint_eq(len, 24);
	ck_assert_uint_eq(wire_le32(stub + 20), 0);
	stub = call(p, 26, &in, &len);		/* GetVersion */
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(wire_le32(stub + 4), WERR_INVALID_HANDLE);
	talloc_free(p);
}
END_TEST

START_TEST(test_handle_budget)
{
	struct wg_pipe *p = open_winreg();
	uint8_t hklm[20], k[20];

	ck_assert_uint_eq(open_hive(p, 2, hklm), 0);
	for (unsigned i = 1; i < WG_RPC_MAX_HANDLES; i++) {
		ck_assert_uint_eq(open_key(p, hklm, "SOFTWARE", k), 0);
	}
	ck_assert_uint_eq(wg_pipe_handle_count(p), WG_RPC_MAX_HANDLES);
	ck_assert_uint_eq(open_key(p, hklm, "SOFTWARE", k),
			  WERR_NO_SYSTEM_RESOURCES);
	ck_assert_uint_eq(budget_hits, 1);
	talloc_free(p);
}
END_TEST

START_TEST(test_anonymous)
{
	struct wg_pipe *p = NULL;
	uint8_t h[20];

	env.anonymous = true;
	env.user = "";
	p = open_winreg();
	ck_assert_uint_eq(open_hive(p, 4, h), 0);
	talloc_free(p);
	restrict_anon = 1;
	p = open_winreg();
	ck_assert_uint_eq(open_hive(p, 4, h), WERR_ACCESS_DENIED);
	ck_assert_uint_eq(open_hive(p, 2, h), WERR_ACCESS_DENIED);
	ck_assert_uint_eq(wg_pipe_handle_count(p), 0);
	talloc_free(p);
}
END_TEST

/* \lsass is lsarpc under Windows' other name. */
START_TEST(test_lsass_alias)
{
	bool unknown = true;
	struct wg_pipe *p = wg_pipe_open(wgt_root, "\\PIPE\\lsass", &env,
					 &unknown);

	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(wg_pipe_name(p), "lsarpc");
	rt_bind(wgt_root, p, "12345778-1234-abcd-ef00-0123456789ab", 0);
	talloc_free(p);
	p = wg_pipe_open(wgt_root, "LSASS", &env, &unknown);
	ck_assert_ptr_nonnull(p);
	talloc_free(p);
	p = wg_pipe_open(wgt_root, "lsassx", &env, &unknown);
	ck_assert_ptr_null(p);
	ck_assert(unknown);
}
END_TEST

/* Every prefix of a request: a fault or an answer, no crash, no leak. */
static void truncations(struct wg_pipe *p, uint16_t opnum,
			const struct wire_wr *in)
{
	for (size_t n = 0; n < in->len; n++) {
		struct wire_wr cut = *in;
		uint8_t *stub = NULL;
		size_t len = 0;

		cut.len = n;
		(void)rt_call(tmem, p, opnum, &cut, &stub, &len);
		talloc_free(stub);
	}
}

START_TEST(test_truncations)
{
	struct wg_pipe *p = open_winreg();
	uint8_t hklm[20];
	struct ndr_push in;

	ck_assert_uint_eq(open_hive(p, 2, hklm), 0);
	open_key_stub(&in, hklm, "SOFTWARE\\Microsoft");
	truncations(p, 15, &in.w);
	query_value_stub(&in, hklm, "x", 16);
	truncations(p, 17, &in.w);
	truncations(p, 10, &in.w);
	truncations(p, 9, &in.w);
	truncations(p, 12, &in.w);
	truncations(p, 16, &in.w);
	truncations(p, 29, &in.w);
	truncations(p, 34, &in.w);
	/* only the hive opens left: every handle above was refused */
	ck_assert_uint_eq(wg_pipe_handle_count(p), 1);
	talloc_free(p);
}
END_TEST

/* BaseRegQueryMultipleValues(2) for CurrentVersion ("6.1", 8 bytes). */
static uint32_t query_multiple(struct wg_pipe *p, uint16_t opnum,
			       const uint8_t h[20], bool buf, uint32_t offered,
			       uint8_t **stub, size_t *len)
{
	struct ndr_push in;

	ndr_push_init(&in, tmem, 0);
	ndr_push_handle(&in, h);
	ndr_push_u32(&in, 1);		/* val_listIn: max, offset, actual */
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 1);
	ndr_push_referent(&in);		/* ve_valuename */
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 0);
	push_name(&in, "CurrentVersion");
	ndr_push_u32(&in, 1);		/* num_vals */
	if (buf) {
		ndr_push_referent(&in);
		ndr_push_u32(&in, offered);
		ndr_push_u32(&in, 0);
		ndr_push_u32(&in, 0);
	} else {
		ndr_push_u32(&in, 0);
	}
	ndr_push_u32(&in, offered);
	return rt_call(tmem, p, opnum, &in.w, stub, len);
}

/*
 * The end of a QueryMultipleValues(2) reply: lpvalueBuf (NULL when size
 * is -1, else size bytes: data's ndata, then zeros), the total, werr.
 */
static void check_multiple_tail(const uint8_t *b, size_t len, int64_t size,
				const uint8_t *data, size_t ndata,
				uint32_t total, uint32_t werr)
{
	static const uint8_t zeros[64];
	size_t n = size < 0 ? 4 : 16 + (size_t)size;
	const uint8_t *t = NULL;

	ck_assert_uint_ge(len, n + 8);
	t = b + len - (n + 8);
	if (size < 0) {
		ck_assert_uint_eq(wire_le32(t), 0);
	} else {
		ck_assert_uint_ne(wire_le32(t), 0);
		ck_assert_uint_eq(wire_le32(t + 4), size);
		ck_assert_uint_eq(wire_le32(t + 8), 0);
		ck_assert_uint_eq(wire_le32(t + 12), size);
		ck_assert_mem_eq(t + 16, data, ndata);
		ck_assert_mem_eq(t + 16 + ndata, zeros, (size_t)size - ndata);
	}
	ck_assert_uint_eq(wire_le32(t + n), total);
	ck_assert_uint_eq(wire_le32(t + n + 4), werr);
}

/* 29 sizes the buffer it returns by the need, 34 by the offer. */
START_TEST(test_query_multiple)
{
	static const uint8_t v61[8] = { '6', 0, '.', 0, '1', 0, 0, 0 };
	/* per op: room (the data), too small (MORE_DATA, zeros), no
	 * buffer (NULL back, MORE_DATA); 29's buffer as long as the need
	 * (8), 34's as the offer, padded with zeros */
	static const struct {
		uint16_t opnum;
		bool buf;
		uint32_t offered;
		int64_t size;
		bool data;
		uint32_t werr;
	} c[] = {
		{ 29, true, 64, 8, true, 0 },
		{ 29, true, 4, 8, false, 234 },
		{ 29, false, 0, -1, false, 234 },
		{ 34, true, 64, 64, true, 0 },
		{ 34, true, 4, 4, false, 234 },
		{ 34, false, 0, -1, false, 234 },
	};
	struct wg_pipe *p = open_winreg();
	uint8_t hklm[20], k[20];
	uint8_t *b = NULL;
	size_t len = 0;

	ck_assert_uint_eq(open_hive(p, 2, hklm), 0);
	ck_assert_uint_eq(open_key(p, hklm, "SOFTWARE\\Microsoft\\"
				   "Windows NT\\CurrentVersion", k), 0);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ck_assert_uint_eq(query_multiple(p, c[i].opnum, k, c[i].buf,
						 c[i].offered, &b, &len), 0);
		check_multiple_tail(b, len, c[i].size,
				    c[i].data ? v61 : NULL,
				    c[i].data ? sizeof(v61) : 0, 8,
				    c[i].werr);
	}
	/* 34 refuses an offer past 512 * 4096 bytes; 29 answers it */
	ck_assert_uint_ne(query_multiple(p, 34, k, true, 512u * 4096u + 1,
					 &b, &len), 0);
	ck_assert_uint_eq(query_multiple(p, 29, k, true, 512u * 4096u + 1,
					 &b, &len), 0);
	ck_assert_uint_eq(wire_le32(b + len - 4), 0);
	talloc_free(p);
}
END_TEST

/* The decoders refuse what does not add up. */
START_TEST(test_decoders)
{
	struct ndr_pull r;
	char *s = NULL;
	uint16_t size = 0;
	bool present = false;
	/* Length 4, Max 4, ptr, max 2, offset 0, actual 3: actual > max */
	static const uint8_t bad_actual[] = {
		4, 0, 4, 0, 1, 0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0,
		'a', 0, 'b', 0, 'c', 0,
	};
	/* Length 2, Max 2, ptr, max 1, offset 0, actual 1, "\0" */
	static const uint8_t empty[] = {
		2, 0, 2, 0, 1, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
		0, 0,
	};
	/* a data array whose offset is not 0 */
	static const uint8_t bad_data[] = {
		1, 0, 2, 0, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0xaa,
	};
	/* 1000 value entries claimed in a short stub */
	static const uint8_t many[] = {
		0xe8, 3, 0, 0, 0, 0, 0, 0, 0xe8, 3, 0, 0,
	};
	struct wr_valent *e = NULL;
	uint32_t n = 0;

	ndr_pull_init(&r, tmem, bad_actual, sizeof(bad_actual));
	ck_assert_int_ne(winreg_pull_name(&r, &s), 0);
	ndr_pull_init(&r, tmem, empty, sizeof(empty));
	ck_assert_int_eq(winreg_pull_name(&r, &s), 0);
	ck_assert_str_eq(s, "");
	ndr_pull_init(&r, tmem, empty, sizeof(empty));
	ck_assert_int_eq(winreg_pull_buf_name(&r, &size), 0);
	ck_assert_uint_eq(size, 2);
	ndr_pull_init(&r, tmem, bad_data, sizeof(bad_data));
	ck_assert_int_ne(winreg_pull_opt_data(&r, &present), 0);
	ndr_pull_init(&r, tmem, many, sizeof(many));
	ck_assert_int_ne(winreg_pull_valents(&r, &e, &n), 0);
}
END_TEST

static Suite *winreg_suite(void)
{
	Suite *s = suite_create("winreg");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_version_values);
	tcase_add_test(tc, test_shares_printers_hku);
	tcase_add_test(tc, test_share_values);
	tcase_add_test(tc, test_read_only_and_close);
	tcase_add_test(tc, test_handle_budget);
	tcase_add_test(tc, test_anonymous);
	tcase_add_test(tc, test_lsass_alias);
	tcase_add_test(tc, test_truncations);
	tcase_add_test(tc, test_query_multiple);
	tcase_add_test(tc, test_decoders);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(winreg_suite)
