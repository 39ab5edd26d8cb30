/*
 * winreg_tree.c - the virtual registry winreg.c serves (winreg.h), made
 * afresh from the server's state on each call: nothing is stored, so it
 * is never stale and costs no memory between calls.
 */
#include "pipes/winreg.h"

#include <string.h>
#include "proto/osversion.h"
#include "proto/utf16.h"
#include "proto/secdesc.h"
#include "proto/wire.h"
#include "pipes/spoolss_int.h"

/* What the server says of itself elsewhere: srvsvc's SERVER_INFO_101
 * version and NTLMSSP's VERSION build (proto/osversion.h), SMB1's
 * NativeLanMan. */
#define WR_PRODUCT_NAME		"wgsmb"
#define WR_CURRENT_VERSION	WG_OS_STR(WG_OS_LM_MAJOR) "." \
				WG_OS_STR(WG_OS_LM_MINOR)
#define WR_BUILD_NUMBER		WG_OS_STR(WG_OS_NT_BUILD)
/* A server that is not a domain controller [KB 152078]. */
#define WR_PRODUCT_TYPE		"ServerNT"

static struct wr_key *key_new(TALLOC_CTX *mem, const char *name)
{
	struct wr_key *k = talloc_zero(mem, struct wr_key);

	if (k != NULL) {
		k->name = talloc_strdup(k, name);
		if (k->name == NULL) {
			TALLOC_FREE(k);
		}
	}
	return k;
}

/* The subkey name of k, made (in name order) if it is not there. */
static struct wr_key *key_child(struct wr_key *k, const char *name)
{
	struct wr_key **subs = NULL;
	struct wr_key *c = NULL;
	uint32_t at = 0;

	if (k == NULL) {
		return NULL;
	}
	for (at = 0; at < k->n_subs; at++) {
		int cmp = utf8_casecmp(k->subs[at]->name, name);

		if (cmp == 0) {
			return k->subs[at];
		}
		if (cmp > 0) {
			break;
		}
	}
	subs = talloc_realloc(k, k->subs, struct wr_key *, k->n_subs + 1);
	if (subs == NULL) {
		return NULL;
	}
	k->subs = subs;
	c = key_new(k, name);
	if (c == NULL) {
		return NULL;
	}
	memmove(&subs[at + 1], &subs[at],
		(k->n_subs - at) * sizeof(subs[0]));
	subs[at] = c;
	k->n_subs++;
	return c;
}

/* The key at "a\\b\\c" below k, made as needed. */
static struct wr_key *key_path(struct wr_key *k, const char *path)
{
	char *copy = talloc_strdup(k, path);
	char *save = NULL;

	if (copy == NULL) {
		return NULL;
	}
	for (char *c = strtok_r(copy, "\\", &save); c != NULL && k != NULL;
	     c = strtok_r(NULL, "\\", &save)) {
		k = key_child(k, c);
	}
	talloc_free(copy);
	return k;
}

static struct wr_value *value_add(struct wr_key *k, const char *name,
				  uint32_t type)
{
	struct wr_value *v = NULL;

	if (k == NULL) {
		return NULL;
	}
	v = talloc_realloc(k, k->values, struct wr_value, k->n_values + 1);
	if (v == NULL) {
		return NULL;
	}
	k->values = v;
	v = &v[k->n_values++];
	*v = (struct wr_value) { .type = type };
	v->name = talloc_strdup(k, name);
	return v->name != NULL ? v : NULL;
}

/* strs[0..n): REG_SZ for n == 1 and !multi, else REG_MULTI_SZ. */
static void set_strings(struct wr_key *k, const char *name,
			const char *const *strs, size_t n, bool multi)
{
	struct wr_value *v = value_add(k, name, multi ? WR_REG_MULTI_SZ :
				       WR_REG_SZ);
	struct wire_wr w;

	if (v == NULL) {
		return;
	}
	wire_wr_init(&w, k, 0);
	for (size_t i = 0; i < n; i++) {
		wire_put_utf16(&w, strs[i] != NULL ? strs[i] : "");
		wire_put_u16le(&w, 0);
	}
	if (multi) {
		wire_put_u16le(&w, 0);
	}
	if (wire_wr_error(&w) != 0) {
		v->len = 0;
		return;
	}
	v->data = w.buf;
	v->len = (uint32_t)w.len;
}

static void set_sz(struct wr_key *k, const char *name, const char *s)
{
	set_strings(k, name, &s, 1, false);
}

static void set_dword(struct wr_key *k, const char *name, uint32_t d)
{
	struct wr_value *v = value_add(k, name, WR_REG_DWORD);
	uint8_t *b = NULL;

	if (v == NULL) {
		return;
	}
	b = talloc_array(k, uint8_t, 4);
	if (b == NULL) {
		return;
	}
	b[0] = (uint8_t)d;
	b[1] = (uint8_t)(d >> 8);
	b[2] = (uint8_t)(d >> 16);
	b[3] = (uint8_t)(d >> 24);
	v->data = b;
	v->len = 4;
}

static void add_shares(struct wg_rpc_call *call, struct wr_key *root)
{
	const struct wg_admin_ops *admin = call->env->admin;
	struct wr_key *k = key_path(root, "SYSTEM\\CurrentControlSet\\"
				    "Services\\LanmanServer\\Shares");
	struct wg_admin_share *s = NULL;
	bool is_admin = wg_rpc_is_admin(call);
	size_t n = 0;

	if (k == NULL || admin == NULL || admin->list_shares == NULL ||
	    admin->list_shares(admin->priv, call->mem, &s, &n) != 0) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *lines[6];

		/* IPC$ and the admin shares are built in, not kept here */
		if (s[i].type == WG_ADMIN_SHARE_IPC) {
			continue;
		}
		lines[0] = "CSCFlags=0";
		lines[1] = "MaxUses=4294967295";
		lines[2] = talloc_asprintf(k, "Path=%s",
			   wg_rpc_share_path(k, &s[i], is_admin));
		lines[3] = "Permissions=0";
		lines[4] = talloc_asprintf(k, "Remark=%s",
			   s[i].comment != NULL ? s[i].comment : "");
		lines[5] = talloc_asprintf(k, "Type=%u", (unsigned)s[i].type);
		set_strings(k, s[i].name, lines, 6, true);
	}
}

static void set_binary(struct wr_key *k, const char *name,
		       const uint8_t *data, size_t len)
{
	struct wr_value *v = NULL;

	if (data == NULL || len > UINT32_MAX) {
		return;
	}
	v = value_add(k, name, WR_REG_BINARY);
	if (v != NULL) {
		v->data = data;
		v->len = (uint32_t)len;
	}
}

/* A printer's descriptor when it has none of its own: spoolss's. */
static void set_default_sd(struct wr_key *k)
{
	struct sec_desc *sd = NULL;
	struct wire_wr w;

	if (sd_from_sddl(k, PRINTER_SDDL, &sd, NULL) != 0) {
		return;
	}
	wire_wr_init(&w, k, 0);
	if (sd_push(&w, sd, SECINFO_ALL) == 0) {
		set_binary(k, "Security", w.buf, w.len);
	}
}

/*
 * HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Print\Printers\
 * <printer>: its data keys and values (PrinterDriverData, DsSpooler ...)
 * as GetPrinterDataEx answers them.
 */
static void add_printer_data(struct wg_rpc_call *call, struct wr_key *root,
			     const char *printer)
{
	struct wr_key *k = key_path(root, "SOFTWARE\\Microsoft\\"
				    "Windows NT\\CurrentVersion\\Print\\"
				    "Printers");
	struct wg_printer_value *v = NULL;
	size_t n = 0;

	k = key_child(k, printer);
	if (k == NULL || printer_values(call, printer, &v, &n) != 0) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct wr_key *vk = key_path(k, v[i].key != NULL ?
					     v[i].key : "");
		struct wr_value *val = NULL;

		if (vk == NULL || v[i].name == NULL) {
			continue;
		}
		val = value_add(vk, v[i].name, v[i].type);
		if (val != NULL && v[i].len <= UINT32_MAX) {
			val->data = v[i].data;
			val->len = (uint32_t)v[i].len;
		}
	}
}

/* A printer's settings, as Windows keeps them in its key pk. */
static void add_printer_info(struct wr_key *pk,
			     const struct wg_printer_def *d, const char *share)
{
	if (pk == NULL) {
		return;
	}
	set_sz(pk, "Name", d->name);
	set_sz(pk, "Share Name", d->share_name != NULL &&
	       d->share_name[0] != '\0' ? d->share_name : share);
	set_sz(pk, "Port", d->port);
	set_sz(pk, "Printer Driver", d->driver);
	set_sz(pk, "Description", d->comment);
	set_sz(pk, "Location", d->location);
	set_sz(pk, "Separator File", d->sepfile);
	set_sz(pk, "Print Processor", d->print_processor);
	set_sz(pk, "Datatype", d->datatype);
	set_sz(pk, "Parameters", d->parameters);
	set_dword(pk, "Attributes", d->attributes);
	set_dword(pk, "Priority", d->priority);
	set_dword(pk, "Default Priority", d->default_priority);
	set_dword(pk, "StartTime", d->start_time);
	set_dword(pk, "UntilTime", d->until_time);
	set_dword(pk, "ChangeID", d->change_id);
	set_binary(pk, "Default DevMode",
		   devmode_named(pk, d, d->name), d->devmode_len);
	if (d->sd != NULL) {
		set_binary(pk, "Security", d->sd, d->sd_len);
	} else {
		set_default_sd(pk);
	}
}

/* The printers, as spoolss describes them (spoolss_printer.c). */
static void add_printers(struct wg_rpc_call *call, struct wr_key *root)
{
	const struct wg_print_ops *print = call->env->print;
	struct wr_key *k = key_path(root, "SYSTEM\\CurrentControlSet\\"
				    "Control\\Print\\Printers");
	struct wr_key *soft = key_path(root, "SOFTWARE\\Microsoft\\"
				       "Windows NT\\CurrentVersion\\Print\\"
				       "Printers");
	struct wg_admin_share *s = NULL;
	size_t n = 0;

	if (k != NULL) {
		/* on Windows the key is a link to SOFTWARE's (REG_LINK,
		 * its target's native path in UTF-16, no NUL) */
		struct wr_value *v = value_add(k, "SymbolicLinkValue",
					       WR_REG_LINK);
		struct wire_wr w;

		wire_wr_init(&w, k, 0);
		wire_put_utf16(&w, "\\Registry\\Machine\\Software\\"
			       "Microsoft\\Windows NT\\CurrentVersion\\Print"
			       "\\Printers");
		if (v != NULL && wire_wr_error(&w) == 0) {
			v->data = w.buf;
			v->len = (uint32_t)w.len;
		}
	}
	if (k == NULL || soft == NULL || print == NULL ||
	    print->list_printers == NULL ||
	    print->list_printers(print->priv, call->mem, &s, &n) != 0) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct wr_key *pk = key_child(k, s[i].name);
		const struct wg_printer_def *d = printer_def(call, &s[i]);

		if (pk == NULL || d == NULL) {
			continue;
		}
		/* SYSTEM's key is a link to SOFTWARE's on Windows: the
		 * same values in both */
		add_printer_info(pk, d, s[i].name);
		add_printer_info(key_child(soft, s[i].name), d, s[i].name);
		add_printer_data(call, root, d->name);
	}
}

static void add_hklm(struct wg_rpc_call *call, struct wr_key *root)
{
	struct wr_key *k = key_path(root, "SOFTWARE\\Microsoft\\Windows NT\\"
				    "CurrentVersion");

	set_sz(k, "ProductName", WR_PRODUCT_NAME);
	set_sz(k, "CurrentVersion", WR_CURRENT_VERSION);
	set_sz(k, "CurrentBuildNumber", WR_BUILD_NUMBER);
	k = key_path(root, "SYSTEM\\CurrentControlSet\\Control\\"
		     "ProductOptions");
	set_sz(k, "ProductType", WR_PRODUCT_TYPE);
	add_shares(call, root);
	add_printers(call, root);
	/* the forms AddForm made (the built-in ones are not kept there) */
	k = key_path(root, "SYSTEM\\CurrentControlSet\\Control\\Print\\"
		     "Forms");
	for (size_t i = 0; k != NULL && i < SPOOLSS_FORM_SLOTS; i++) {
		const char *name = NULL;
		uint8_t *b = talloc_array(k, uint8_t, 32);

		if (b != NULL && spoolss_user_form(i, &name, b) == 0) {
			set_binary(k, name, b, 32);
		}
	}
	/* the one print processor EnumPrintProcessors lists (spoolss.c) */
	k = key_path(root, "SYSTEM\\CurrentControlSet\\Control\\Print\\"
		     "Environments\\" SPOOLSS_ARCH "\\Print Processors\\"
		     "winprint");
	set_sz(k, "Driver", "winprint.dll");
}

const struct wr_key *winreg_tree_hive(struct wg_rpc_call *call,
				      uint32_t hive)
{
	struct wr_key *root = key_new(call->mem, "");

	if (root == NULL) {
		return NULL;
	}
	switch (hive) {
	case WR_HKLM:
		add_hklm(call, root);
		break;
	case WR_HKU:
		/*
		 * No one is logged on here: no user's hive is loaded, only
		 * the default profile and LocalSystem's, which the server
		 * itself runs as (no LocalService/NetworkService here).
		 */
		(void)key_child(root, ".DEFAULT");
		(void)key_child(root, "S-1-5-18");
		break;
	case WR_HKCR:
	case WR_HKCU:
	case WR_HKPD:
	case WR_HKCC:
	case WR_HKPT:
	case WR_HKPN:
		break;
	default:
		talloc_free(root);
		return NULL;
	}
	return root;
}

const struct wr_key *winreg_tree_find(const struct wr_key *root,
				      const char *path)
{
	const char *p = path;

	while (root != NULL && *p != '\0') {
		const char *end = strchr(p, '\\');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		const struct wr_key *next = NULL;

		for (uint32_t i = 0; len > 0 && i < root->n_subs; i++) {
			char *c = talloc_strndup(NULL, p, len);

			if (c != NULL && utf8_casecmp(root->subs[i]->name,
						      c) == 0) {
				next = root->subs[i];
			}
			talloc_free(c);
			if (next != NULL) {
				break;
			}
		}
		if (len > 0) {
			root = next;
		}
		p += len;
		if (*p == '\\') {
			p++;
		}
	}
	return root;
}

const struct wr_key *winreg_tree_sub(const struct wr_key *k, uint32_t i)
{
	return i < k->n_subs ? k->subs[i] : NULL;
}

const struct wr_value *winreg_tree_value(const struct wr_key *k,
					 const char *name)
{
	for (uint32_t i = 0; i < k->n_values; i++) {
		if (utf8_casecmp(k->values[i].name, name) == 0) {
			return &k->values[i];
		}
	}
	return NULL;
}

void winreg_tree_info(const struct wr_key *k, struct wr_key_info *out)
{
	*out = (struct wr_key_info) {
		.n_subkeys = k->n_subs,
		.n_values = k->n_values,
	};
	for (uint32_t i = 0; i < k->n_subs; i++) {
		uint32_t l = (uint32_t)utf16_len_of_utf8(k->subs[i]->name);

		if (l > out->max_subkey_len) {
			out->max_subkey_len = l;
		}
	}
	for (uint32_t i = 0; i < k->n_values; i++) {
		uint32_t l = (uint32_t)utf16_len_of_utf8(k->values[i].name);

		if (l > out->max_value_name_len) {
			out->max_value_name_len = l;
		}
		if (k->values[i].len > out->max_value_len) {
			out->max_value_len = k->values[i].len;
		}
	}
}

char *winreg_path_join(TALLOC_CTX *mem, const char *base, const char *sub)
{
	char *out = talloc_strdup(mem, base);
	const char *p = sub;

	if (sub[0] == '\\') {
		talloc_free(out);
		return NULL;
	}
	while (out != NULL && *p != '\0') {
		const char *end = strchr(p, '\\');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len > 0) {
			out = talloc_asprintf_append(out, "%s%.*s",
				out[0] != '\0' ? "\\" : "", (int)len, p);
		}
		p += len;
		if (*p == '\\') {
			p++;
		}
	}
	return out;
}
