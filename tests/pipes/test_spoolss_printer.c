/*
 * test_spoolss_printer.c - printers made over spoolss (spoolss_printer.c):
 * AddPrinterEx and its refusals, SetPrinter levels, DeletePrinter, and
 * printer data (Set/Get/Enum/Delete, keys), against fake print ops that
 * keep one runtime printer in memory; every decoder's truncations.
 */
#include <errno.h>
#include <strings.h>

#include "tests/pipes/rpctest.h"

#define SPOOLSS_UUID "12345678-1234-abcd-ef00-0123456789ab"

/* --- fake print ops: "lp" from smb.conf, at most one runtime printer --- */

struct fake {
	bool have;			/* the runtime printer exists */
	struct wg_printer_def def;
	struct wg_printer_value vals[16];
	size_t nvals;
	int budget_left;		/* data_set calls before -ENOSPC */
	TALLOC_CTX *mem;
};

static struct fake fk;

static int f_list(void *priv, TALLOC_CTX *mem, struct wg_admin_share **out,
		  size_t *n)
{
	struct wg_admin_share *s = talloc_zero_array(mem,
		struct wg_admin_share, 2);

	s[0] = (struct wg_admin_share) { .name = "lp", .comment = "Laser",
					 .type = WG_ADMIN_SHARE_PRINT };
	*n = 1;
	if (fk.have) {
		s[1] = (struct wg_admin_share) {
			.name = fk.def.name, .comment = fk.def.comment,
			.type = WG_ADMIN_SHARE_PRINT };
		*n = 2;
	}
	*out = s;
	return 0;
}

static int f_get(void *priv, TALLOC_CTX *mem, const char *name,
		 struct wg_printer_def **out)
{
	if (fk.have && strcasecmp(name, fk.def.name) == 0) {
		*out = talloc_memdup(mem, &fk.def, sizeof(fk.def));
		return 0;
	}
	return -ENOENT;
}

static int f_add(void *priv, const struct wg_printer_def *def,
		 const char *client_ip)
{
	if (fk.have || strcasecmp(def->name, "lp") == 0) {
		return -EEXIST;
	}
	/* a deep copy: def's strings belong to the request */
	fk.def = *def;
	fk.def.name = talloc_strdup(fk.mem, def->name);
	fk.def.share_name = talloc_strdup(fk.mem, def->share_name);
	fk.def.comment = talloc_strdup(fk.mem, def->comment != NULL ?
				       def->comment : "");
	fk.def.location = talloc_strdup(fk.mem, def->location);
	fk.def.driver = talloc_strdup(fk.mem, def->driver);
	fk.def.port = talloc_strdup(fk.mem, def->port);
	fk.def.print_processor = talloc_strdup(fk.mem, def->print_processor);
	fk.def.datatype = talloc_strdup(fk.mem, def->datatype);
	fk.def.parameters = talloc_strdup(fk.mem, def->parameters);
	fk.def.sepfile = talloc_strdup(fk.mem, def->sepfile);
	fk.def.sd = NULL;
	fk.def.sd_len = 0;
	fk.def.devmode = NULL;
	fk.def.devmode_len = 0;
	fk.def.runtime = true;
	fk.def.change_id = 1;
	fk.have = true;
	return 0;
}

static int f_lookup(const char *name)
{
	if (fk.have && strcasecmp(name, fk.def.name) == 0) {
		return 0;
	}
	return strcasecmp(name, "lp") == 0 ? -EROFS : -ENOENT;
}

static int f_set(void *priv, const char *name, const struct wg_printer_def *d)
{
	int rc = f_lookup(name);

	if (rc == 0) {
		fk.def.comment = talloc_strdup(fk.mem, d->comment);
		fk.def.attributes = d->attributes;
		fk.def.change_id++;
	}
	return rc;
}

static int f_delete(void *priv, const char *name)
{
	int rc = f_lookup(name);

	if (rc == 0) {
		fk.have = false;
	}
	return rc;
}

static int f_list_data(void *priv, TALLOC_CTX *mem, const char *printer,
		       struct wg_printer_value **out, size_t *n)
{
	int rc = f_lookup(printer);

	*out = talloc_memdup(mem, fk.vals, sizeof(fk.vals));
	*n = rc == 0 ? fk.nvals : 0;
	return rc == -EROFS ? 0 : rc;
}

static int f_set_data(void *priv, const char *printer,
		      const struct wg_printer_value *v, const char *client_ip)
{
	int rc = f_lookup(printer);

	if (rc != 0) {
		return rc;
	}
	if (fk.budget_left-- <= 0 || fk.nvals == 16) {
		return -ENOSPC;
	}
	fk.vals[fk.nvals] = *v;
	fk.vals[fk.nvals].key = talloc_strdup(fk.mem, v->key);
	fk.vals[fk.nvals].name = v->name != NULL ?
				 talloc_strdup(fk.mem, v->name) : NULL;
	fk.vals[fk.nvals].data = talloc_memdup(fk.mem, v->data, v->len + 1);
	fk.nvals++;
	return 0;
}

static int f_delete_data(void *priv, const char *printer, const char *key,
			 const char *name)
{
	size_t k = 0;
	bool found = false;

	for (size_t i = 0; i < fk.nvals; i++) {
		bool hit = strcasecmp(fk.vals[i].key, key) == 0 &&
			   (name == NULL || (fk.vals[i].name != NULL &&
			    strcasecmp(fk.vals[i].name, name) == 0));

		found = found || hit;
		if (!hit) {
			fk.vals[k++] = fk.vals[i];
		}
	}
	fk.nvals = k;
	return found ? 0 : -ENOENT;
}

static bool f_is_admin(void *priv, const char *user)
{
	return strcmp(user, "alice") == 0;
}

static struct wg_print_ops print_ops = {
	.list_printers = f_list,
	.printer_get = f_get,
	.printer_add = f_add,
	.printer_set = f_set,
	.printer_delete = f_delete,
	.data_list = f_list_data,
	.data_set = f_set_data,
	.data_delete = f_delete_data,
};
static int f_server_info(void *priv, TALLOC_CTX *mem,
			 struct wg_admin_server **out)
{
	*out = talloc_zero(mem, struct wg_admin_server);
	(*out)->netbios_name = "WGSMB";
	return 0;
}

static struct wg_admin_ops admin_ops = {
	.is_admin = f_is_admin,
	.server_info = f_server_info,
};
static struct wg_pipe_env env;
static TALLOC_CTX *tmem;

static void setup(void)
{
	wgt_setup();
	tmem = talloc_new(NULL);
	fk = (struct fake) { .budget_left = 100, .mem = tmem };
	env = (struct wg_pipe_env) {
		.print = &print_ops,
		.admin = &admin_ops,
		.user = "alice",
		.client_ip = "127.0.0.9",
	};
}

static void teardown(void)
{
	TALLOC_FREE(tmem);
	wgt_teardown();
}

static struct wg_pipe *open_spoolss(void)
{
	bool unknown = true;
	struct wg_pipe *p = wg_pipe_open(wgt_root, "spoolss", &env, &unknown);

	ck_assert_ptr_nonnull(p);
	rt_bind(tmem, p, SPOOLSS_UUID, 1);
	return p;
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

/* A [unique, string] field's referent now (its string comes later). */
static void put_ptr(struct ndr_push *q, const char *s)
{
	ndr_push_u32(q, s != NULL ? 0x00020000u : 0);
}

static void put_deferred(struct ndr_push *q, const char *s)
{
	if (s != NULL) {
		ndr_push_string(q, s);
	}
}

/* A PRINTER_CONTAINER level 2 with its PRINTER_INFO_2. */
static void put_info2(struct ndr_push *q, const char *name, const char *port,
		      const char *driver, const char *comment, uint32_t attrs)
{
	const char *s1[7] = { NULL, name, name, port, driver, comment, "" };
	const char *s2[4] = { "", "winprint", "RAW", "" };

	ndr_push_u32(q, 2);
	ndr_push_u32(q, 2);
	ndr_push_referent(q);
	for (int i = 0; i < 7; i++) {
		put_ptr(q, s1[i]);
	}
	ndr_push_u32(q, 0);			/* pDevMode */
	for (int i = 0; i < 4; i++) {
		put_ptr(q, s2[i]);
	}
	ndr_push_u32(q, 0);			/* pSecurityDescriptor */
	ndr_push_u32(q, attrs);
	for (int i = 0; i < 7; i++) {
		ndr_push_u32(q, i < 2 ? 1 : 0);	/* priorities, times */
	}
	for (int i = 0; i < 7; i++) {
		put_deferred(q, s1[i]);
	}
	for (int i = 0; i < 4; i++) {
		put_deferred(q, s2[i]);
	}
}

/* AddPrinterEx (70): the request in *w, the status; *h the handle. */
static uint32_t add_printer(struct wg_pipe *p, const char *name,
			    const char *port, const char *driver,
			    uint8_t h[NDR_HANDLE_LEN], struct wire_wr *w)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, "\\\\WGSMB");
	put_info2(&q, name, port, driver, "first floor", 0x48);
	ndr_push_u32(&q, 0);			/* DEVMODE_CONTAINER */
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);			/* SECURITY_CONTAINER */
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 1);			/* SPLCLIENT_CONTAINER */
	ndr_push_u32(&q, 1);
	ndr_push_u32(&q, 0);
	if (w != NULL) {
		*w = q.w;
	}
	ck_assert_uint_eq(rt_call(tmem, p, 70, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 24);
	memcpy(h, stub, NDR_HANDLE_LEN);
	return wire_le32(stub + 20);
}

START_TEST(test_add_printer)
{
	struct wg_pipe *p = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN];
	struct wire_wr w;

	/* refusals, in Windows' order: port, then driver */
	ck_assert_uint_eq(add_printer(p, "new", "nowhere:", "Generic", h,
				      NULL), 1796);
	ck_assert_uint_eq(add_printer(p, "new", "LPT1:", NULL, h, NULL),
			  1797);
	ck_assert_uint_eq(add_printer(p, "", "LPT1:", "Generic", h, NULL),
			  1801);
	ck_assert(!fk.have);
	/* not an admin */
	env.user = "bob";
	ck_assert_uint_eq(add_printer(p, "new", "LPT1:", "Generic", h, NULL),
			  5);
	env.user = "alice";
	ck_assert(!fk.have);
	/* the real thing: a handle to the new printer */
	ck_assert_uint_eq(add_printer(p, "new", "LPT1:", "Generic", h, &w),
			  0);
	ck_assert(fk.have);
	ck_assert_str_eq(fk.def.name, "new");
	ck_assert_str_eq(fk.def.driver, "Generic");
	ck_assert_str_eq(fk.def.comment, "first floor");
	ck_assert_uint_ne(wire_le32(h + 4) | wire_le32(h + 8), 0);
	ck_assert_uint_eq(add_printer(p, "new", "LPT1:", "Generic", h, NULL),
			  1802);			/* already exists */
	check_truncations(p, 70, &w, w.len - 12);
	talloc_free(p);
}
END_TEST

/* SetPrinterDataEx (77). */
static uint32_t set_data(struct wg_pipe *p, const uint8_t *h, const char *key,
			 const char *name, const char *value,
			 struct wire_wr *w)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_string(&q, key);
	ndr_push_string(&q, name);
	ndr_push_u32(&q, 3);				/* REG_BINARY */
	ndr_push_conformant_bytes(&q, value, strlen(value));
	ndr_push_align(&q, 4);
	ndr_push_u32(&q, (uint32_t)strlen(value));
	if (w != NULL) {
		*w = q.w;
	}
	ck_assert_uint_eq(rt_call(tmem, p, 77, &q.w, &stub, &len), 0);
	return wire_le32(stub + len - 4);
}

/* A call of a handle and one or two strings; the status. */
static uint32_t str_call(struct wg_pipe *p, uint16_t opnum, const uint8_t *h,
			 const char *a, const char *b, uint32_t size,
			 uint8_t **out, size_t *out_len, struct wire_wr *w)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_string(&q, a);
	if (b != NULL) {
		ndr_push_string(&q, b);
	}
	if (size != UINT32_MAX) {
		ndr_push_u32(&q, size);
	}
	if (w != NULL) {
		*w = q.w;
	}
	ck_assert_uint_eq(rt_call(tmem, p, opnum, &q.w, &stub, &len), 0);
	if (out != NULL) {
		*out = stub;
		*out_len = len;
	}
	return wire_le32(stub + len - 4);
}

START_TEST(test_printer_data)
{
	struct wg_pipe *p = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN];
	uint8_t *out = NULL;
	size_t len = 0;
	struct wire_wr w;

	ck_assert_uint_eq(add_printer(p, "new", "wgsmb:", "Generic", h, NULL),
			  0);
	ck_assert_uint_eq(set_data(p, h, "a\\b", "dog", "woof", &w), 0);
	check_truncations(p, 77, &w, w.len - 4);
	ck_assert_uint_eq(set_data(p, h, "a", "cat", "meow", NULL), 0);
	/* GetPrinterDataEx (78): type, size, data */
	ck_assert_uint_eq(str_call(p, 78, h, "a\\b", "dog", 16, &out, &len,
				   &w), 0);
	ck_assert_uint_eq(wire_le32(out), 3);
	ck_assert_mem_eq(out + 8, "woof", 4);
	check_truncations(p, 78, &w, w.len);
	ck_assert_uint_eq(str_call(p, 78, h, "a", "dog", 16, &out, &len,
				   NULL), 2);
	/* EnumPrinterKey (80) of "a": the multi-sz "b\0\0" */
	ck_assert_uint_eq(str_call(p, 80, h, "a", NULL, 64, &out, &len, &w),
			  0);
	ck_assert_uint_eq(wire_le32(out), 32);		/* max count */
	ck_assert_uint_eq(wire_le16(out + 4), 'b');
	ck_assert_uint_eq(wire_le16(out + 6), 0);
	ck_assert_uint_eq(wire_le16(out + 8), 0);
	ck_assert_uint_eq(wire_le32(out + len - 8), 6);	/* pcbSubkey */
	check_truncations(p, 80, &w, w.len);
	ck_assert_uint_eq(str_call(p, 80, h, "a", NULL, 4, &out, &len, NULL),
			  234);				/* MORE_DATA */
	ck_assert_uint_eq(str_call(p, 80, h, "zz", NULL, 64, &out, &len,
				   NULL), 2);
	/* EnumPrinterDataEx (79) of "a": one PRINTER_ENUM_VALUES */
	ck_assert_uint_eq(str_call(p, 79, h, "a", NULL, 256, &out, &len, &w),
			  0);
	ck_assert_uint_eq(wire_le32(out + len - 8), 1);	/* count */
	/* entry: name, cbValueName, dwType, data, cbData (offsets from it) */
	ck_assert_uint_eq(wire_le32(out + 4 + 4), 8);	/* "cat" + NUL */
	ck_assert_uint_eq(wire_le32(out + 4 + 8), 3);	/* dwType */
	ck_assert_uint_eq(wire_le32(out + 4 + 16), 4);	/* cbData */
	ck_assert_mem_eq(out + 4 + wire_le32(out + 4 + 12), "meow", 4);
	ck_assert_uint_eq(wire_le16(out + 4 + wire_le32(out + 4)), 'c');
	check_truncations(p, 79, &w, w.len);
	/* DeletePrinterDataEx (81), then DeletePrinterKey (82) */
	ck_assert_uint_eq(str_call(p, 81, h, "a", "cat", UINT32_MAX, &out,
				   &len, &w), 0);
	check_truncations(p, 81, &w, w.len);
	ck_assert_uint_eq(str_call(p, 81, h, "a", "cat", UINT32_MAX, &out,
				   &len, NULL), 2);
	ck_assert_uint_eq(str_call(p, 82, h, "a\\b", NULL, UINT32_MAX, &out,
				   &len, &w), 0);
	check_truncations(p, 82, &w, w.len);
	ck_assert_uint_eq(fk.nvals, 0);
	/* the budget: the hook's -ENOSPC is NO_SYSTEM_RESOURCES */
	fk.budget_left = 0;
	ck_assert_uint_eq(set_data(p, h, "a", "x", "y", NULL), 1450);
	/* not an admin */
	env.user = "bob";
	ck_assert_uint_eq(set_data(p, h, "a", "x", "y", NULL), 5);
	talloc_free(p);
}
END_TEST

/* A handle and nothing else (DeletePrinter): the status. */
static uint32_t handle_call(struct wg_pipe *p, uint16_t opnum,
			    const uint8_t *h)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ck_assert_uint_eq(rt_call(tmem, p, opnum, &q.w, &stub, &len), 0);
	return wire_le32(stub + len - 4);
}

/* OpenPrinter (1) of name: the handle. */
static void open_printer(struct wg_pipe *p, const char *name, uint8_t *h)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	rt_put_unique_string(&q, name);
	rt_put_unique_string(&q, NULL);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0x0c);
	ck_assert_uint_eq(rt_call(tmem, p, 1, &q.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + 20), 0);
	memcpy(h, stub, NDR_HANDLE_LEN);
}

/* SetPrinter (7) level 4 (attributes) or 0 (a command). */
static uint32_t set_printer(struct wg_pipe *p, const uint8_t *h,
			    uint32_t level, uint32_t value,
			    struct wire_wr *w)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_u32(&q, level);
	ndr_push_u32(&q, level);
	ndr_push_referent(&q);
	if (level == 4) {
		ndr_push_referent(&q);		/* pPrinterName */
		ndr_push_u32(&q, 0);		/* pServerName */
		ndr_push_u32(&q, value);	/* Attributes */
		ndr_push_string(&q, "new");
	} else {
		for (int i = 0; i < 31; i++) {
			ndr_push_u32(&q, 0);	/* names and counters */
		}
	}
	ndr_push_u32(&q, 0);			/* DEVMODE_CONTAINER */
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, 0);			/* SECURITY_CONTAINER */
	ndr_push_u32(&q, 0);
	ndr_push_u32(&q, level == 0 ? value : 0);	/* Command */
	if (w != NULL) {
		*w = q.w;
	}
	ck_assert_uint_eq(rt_call(tmem, p, 7, &q.w, &stub, &len), 0);
	return wire_le32(stub + len - 4);
}

/* SetPrinter at level with `words` DWORDs of info (all 0 but the last,
 * `last`), no DEVMODE or descriptor, and command. */
static uint32_t set_printer_words(struct wg_pipe *p, const uint8_t *h,
				  uint32_t level, unsigned words,
				  uint32_t last, uint32_t command)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	ndr_push_u32(&q, level);
	ndr_push_u32(&q, level);
	ndr_push_referent(&q);
	for (unsigned i = 0; i < words; i++) {
		ndr_push_u32(&q, i + 1 == words ? last : 0);
	}
	for (int i = 0; i < 4; i++) {
		ndr_push_u32(&q, 0);	/* DEVMODE_, SECURITY_CONTAINER */
	}
	ndr_push_u32(&q, command);
	ck_assert_uint_eq(rt_call(tmem, p, 7, &q.w, &stub, &len), 0);
	return wire_le32(stub + len - 4);
}

/* What Windows answers for PRINTER_INFOs with nothing in them. */
START_TEST(test_set_errors)
{
	struct wg_pipe *p = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN];

	ck_assert_uint_eq(add_printer(p, "new", "wgsmb:", "Generic", h, NULL),
			  0);
	ck_assert_uint_eq(set_printer_words(p, h, 4, 3, 0, 0), 87);
	ck_assert_uint_eq(set_printer_words(p, h, 5, 5, 0, 0), 87);
	ck_assert_uint_eq(set_printer_words(p, h, 7, 2, 0, 0), 87);
	ck_assert_uint_eq(set_printer_words(p, h, 7, 2, 3, 0), 87);
	ck_assert_uint_eq(set_printer_words(p, h, 7, 2, 4, 0), 0);
	ck_assert_uint_eq(set_printer_words(p, h, 8, 1, 0, 0), 0);
	ck_assert_uint_eq(set_printer_words(p, h, 9, 1, 0, 0), 50);
	ck_assert_uint_eq(fk.def.change_id, 1);	/* none changed it */
	/* commands: pause, resume, purge; not SET_STATUS */
	ck_assert_uint_eq(set_printer_words(p, h, 0, 31, 0, 3), 0);
	ck_assert_uint_eq(set_printer_words(p, h, 0, 31, 0, 4), 1803);
	ck_assert_uint_eq(set_printer_words(p, h, 2, 21, 0, 3), 1803);
	talloc_free(p);
}
END_TEST

START_TEST(test_set_and_delete)
{
	struct wg_pipe *p = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN], lp[NDR_HANDLE_LEN];
	struct wire_wr w;

	ck_assert_uint_eq(add_printer(p, "new", "wgsmb:", "Generic", h, NULL),
			  0);
	ck_assert_uint_eq(set_printer(p, h, 4, 0x248, &w), 0);
	ck_assert_uint_eq(fk.def.attributes, 0x248);
	ck_assert_uint_eq(fk.def.change_id, 2);
	check_truncations(p, 7, &w, w.len);
	ck_assert_uint_eq(set_printer(p, h, 0, 1, NULL), 0);	/* pause */
	ck_assert_uint_eq(set_printer(p, h, 0, 99, NULL), 1803);
	/* smb.conf's printer: read-only */
	open_printer(p, "lp", lp);
	ck_assert_uint_eq(set_printer(p, lp, 4, 0x248, NULL), 5);
	ck_assert_uint_eq(handle_call(p, 6, lp), 5);
	/* a non-admin cannot delete */
	env.user = "bob";
	ck_assert_uint_eq(handle_call(p, 6, h), 5);
	env.user = "alice";
	ck_assert(fk.have);
	ck_assert_uint_eq(handle_call(p, 6, h), 0);
	ck_assert(!fk.have);
	ck_assert_uint_eq(handle_call(p, 6, h), 1801);
	talloc_free(p);
}
END_TEST

/* SetPrinter (7) level 2 of "new" with another comment. */
static uint32_t set_info2(struct wg_pipe *p, const uint8_t *h,
			  const char *comment)
{
	struct ndr_push q;
	uint8_t *stub = NULL;
	size_t len = 0;

	ndr_push_init(&q, tmem, 0);
	ndr_push_handle(&q, h);
	put_info2(&q, "new", "wgsmb:", "Generic", comment, 0x48);
	for (int i = 0; i < 5; i++) {
		ndr_push_u32(&q, 0);	/* containers, Command */
	}
	ck_assert_uint_eq(rt_call(tmem, p, 7, &q.w, &stub, &len), 0);
	return wire_le32(stub + len - 4);
}

/* GetPrinterDataEx(DsSpooler, name) is the REG_SZ want. */
static void check_ds_sz(struct wg_pipe *p, const uint8_t *h,
			const char *name, const char *want)
{
	uint8_t *out = NULL;
	size_t len = 0, n = strlen(want);

	ck_assert_uint_eq(str_call(p, 78, h, "DsSpooler", name, 256, &out,
				   &len, NULL), 0);
	ck_assert_uint_eq(wire_le32(out), 1);	/* REG_SZ */
	/* pcbNeeded: the string and its NUL */
	ck_assert_uint_eq(wire_le32(out + len - 8), 2 * n + 2);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(wire_le16(out + 8 + 2 * i),
				  (uint8_t)want[i]);
	}
	ck_assert_uint_eq(wire_le16(out + 8 + 2 * n), 0);
}

/*
 * The DsSpooler key follows the printer's settings (smbtorture's
 * printerdata_dsspooler): made from them, not stored, not writable.
 */
START_TEST(test_dsspooler)
{
	struct wg_pipe *p = open_spoolss();
	uint8_t h[NDR_HANDLE_LEN];
	uint8_t *out = NULL;
	size_t len = 0;

	ck_assert_uint_eq(add_printer(p, "new", "wgsmb:", "Generic", h, NULL),
			  0);
	check_ds_sz(p, h, "description", "first floor");
	check_ds_sz(p, h, "driverName", "Generic");
	check_ds_sz(p, h, "printerName", "new");
	check_ds_sz(p, h, "printShareName", "new");
	check_ds_sz(p, h, "uNCName", "\\\\WGSMB\\new");
	check_ds_sz(p, h, "shortServerName", "WGSMB");
	/* SetPrinter level 2 shows at once */
	ck_assert_uint_eq(set_info2(p, h, "newval"), 0);
	check_ds_sz(p, h, "description", "newval");
	/* a DWORD: versionNumber */
	ck_assert_uint_eq(str_call(p, 78, h, "dsspooler", "versionNumber",
				   4, &out, &len, NULL), 0);
	ck_assert_uint_eq(wire_le32(out), 4);	/* REG_DWORD */
	ck_assert_uint_eq(wire_le32(out + 8), 4);
	ck_assert_uint_eq(str_call(p, 78, h, "DsSpooler", "nothing", 256,
				   &out, &len, NULL), 2);
	/* the key is listed, its values enumerate, none is stored */
	ck_assert_uint_eq(str_call(p, 80, h, "", NULL, 256, &out, &len,
				   NULL), 0);
	ck_assert_uint_eq(wire_le16(out + 4), 'D');
	ck_assert_uint_eq(wire_le16(out + 4 + 18), 0);	/* 9 chars */
	ck_assert_uint_eq(str_call(p, 79, h, "DsSpooler", NULL, 4096, &out,
				   &len, NULL), 0);
	ck_assert_uint_eq(wire_le32(out + len - 8), 16);	/* count */
	ck_assert_uint_eq(fk.nvals, 0);
	/* writes: the spooler's own */
	ck_assert_uint_eq(set_data(p, h, "DsSpooler", "description", "x",
				   NULL), 5);
	ck_assert_uint_eq(str_call(p, 81, h, "DsSpooler", "description",
				   UINT32_MAX, &out, &len, NULL), 5);
	ck_assert_uint_eq(str_call(p, 82, h, "DsSpooler", NULL, UINT32_MAX,
				   &out, &len, NULL), 5);
	ck_assert_uint_eq(fk.nvals, 0);
	/* one stored there anyway (an older state) does not show twice */
	fk.vals[0] = (struct wg_printer_value) {
		.key = "DsSpooler", .name = "description", .type = 3,
		.data = (uint8_t *)"old", .len = 3 };
	fk.nvals = 1;
	check_ds_sz(p, h, "description", "newval");
	ck_assert_uint_eq(str_call(p, 79, h, "DsSpooler", NULL, 4096, &out,
				   &len, NULL), 0);
	ck_assert_uint_eq(wire_le32(out + len - 8), 16);
	talloc_free(p);
}
END_TEST

static Suite *spoolss_printer_suite(void)
{
	Suite *s = suite_create("spoolss_printer");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_add_printer);
	tcase_add_test(tc, test_printer_data);
	tcase_add_test(tc, test_set_and_delete);
	tcase_add_test(tc, test_set_errors);
	tcase_add_test(tc, test_dsspooler);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(spoolss_printer_suite)
