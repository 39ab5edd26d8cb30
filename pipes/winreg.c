/*
 * winreg.c - the remote registry [MS-RRP], 338cd001-2244-31f1-aaaa-
 * 900038001003 v1.0, read-only, over a small virtual tree made from the
 * server's state at each call (winreg_tree.c): what the version, shares
 * and printers of this server are, as Windows keeps them in HKLM.
 *
 * Key handles are rpc_handle.c's, budgeted per session with lsarpc's and
 * samr's; a handle holds the hive and the path of its key, so a key that
 * goes away (a share removed) answers BADFILE afterwards. Every call
 * that would change the registry (create, delete, set, load, save,
 * restore, shutdown) is refused with ERROR_ACCESS_DENIED. Null sessions
 * are refused at the hive when restrict anonymous >= 1, as Windows keeps
 * winreg out of reach of anonymous callers.
 *
 * The request decoders read untrusted stubs: each checks every count
 * against the bytes left (proto/ndr.h) and answers DCERPC_FAULT_NDR for
 * a stub that does not decode.
 */
#include "pipes/winreg.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "proto/ndr_sec.h"
#include "proto/secdesc.h"
#include "proto/utf16.h"

#define WR_HANDLE_KEY	3u

/* ERROR_ codes of the registry beside rpc.h's. */
#define WERR_BAD_PATHNAME	161u
#define WERR_CALL_NOT_IMPLEMENTED 120u

/* What BaseRegGetVersion answers (Windows 2000 and later: 5). */
#define WR_VERSION		5u

/* The key of a handle: a child of the handle. */
struct wr_open {
	uint32_t hive;
	char *path;		/* "" for the hive, "A\\B" below it */
};

/* The service's pipe state is its handle set. */
static struct wg_rpc_handles *handles_of(struct wg_rpc_call *call)
{
	return call->state;
}

/* The NT time of the server's start: the keys' LastWriteTime. */
static uint64_t boot_time_nt(struct wg_rpc_call *call)
{
	const struct wg_admin_server *si = wg_rpc_server(call);
	uint64_t now = (uint64_t)time(NULL);
	uint64_t boot = now > si->uptime_secs ? now - si->uptime_secs : now;

	return (boot + 11644473600ull) * 10000000ull;
}

static void push_time(struct ndr_push *p, uint64_t t)
{
	ndr_push_u32(p, (uint32_t)t);
	ndr_push_u32(p, (uint32_t)(t >> 32));
}

/* --- request decoding --- */

int winreg_pull_server_name(struct ndr_pull *in)
{
	uint32_t ref = 0;
	uint16_t c = 0;

	if (ndr_pull_ptr(in, &ref) != 0) {
		return -EPROTO;
	}
	if (ref != 0 && ndr_pull_u16(in, &c) != 0) {
		return -EPROTO;
	}
	return 0;
}

int winreg_pull_name(struct ndr_pull *in, char **out)
{
	struct ndr_ustr_hdr h;
	char *s = NULL;

	if (ndr_pull_ustr_hdr(in, &h) != 0 ||
	    ndr_pull_ustr_body_term(in, &h, &s) != 0) {
		return -EPROTO;
	}
	*out = s != NULL ? s : talloc_strdup(in->mem, "");
	return *out != NULL ? 0 : -ENOMEM;
}

/* As winreg_pull_name(), *out NULL for a NULL buffer. */
static int pull_name_or_null(struct ndr_pull *in, char **out)
{
	struct ndr_ustr_hdr h;

	*out = NULL;
	if (ndr_pull_ustr_hdr(in, &h) != 0 ||
	    ndr_pull_ustr_body_term(in, &h, out) != 0) {
		return -EPROTO;
	}
	return 0;
}

int winreg_pull_buf_name(struct ndr_pull *in, uint16_t *size)
{
	struct ndr_ustr_hdr h;
	char *s = NULL;

	if (ndr_pull_ustr_hdr(in, &h) != 0 ||
	    ndr_pull_ustr_body_term(in, &h, &s) != 0) {
		return -EPROTO;
	}
	talloc_free(s);
	*size = h.max;
	return 0;
}

int winreg_pull_opt_u32(struct ndr_pull *in, bool *present, uint32_t *v)
{
	uint32_t ref = 0;

	*v = 0;
	if (ndr_pull_ptr(in, &ref) != 0) {
		return -EPROTO;
	}
	*present = ref != 0;
	if (ref != 0 && ndr_pull_u32(in, v) != 0) {
		return -EPROTO;
	}
	return 0;
}

/* [in,out,unique,size_is(*size),length_is(*length)] BYTE *data */
int winreg_pull_opt_data(struct ndr_pull *in, bool *present)
{
	uint32_t ref = 0, max = 0, off = 0, actual = 0;
	const uint8_t *skip = NULL;

	if (ndr_pull_ptr(in, &ref) != 0) {
		return -EPROTO;
	}
	*present = ref != 0;
	if (ref == 0) {
		return 0;
	}
	if (ndr_pull_u32(in, &max) != 0 || ndr_pull_u32(in, &off) != 0 ||
	    ndr_pull_u32(in, &actual) != 0 || off != 0 || actual > max ||
	    wire_get_ptr(&in->r, &skip, actual) != 0) {
		return -EPROTO;
	}
	return 0;
}

/* A [in,unique] FILETIME / NTTIME pointer (two DWORDs). */
static int pull_opt_time(struct ndr_pull *in, bool *present)
{
	uint32_t ref = 0, lo = 0, hi = 0;

	if (ndr_pull_ptr(in, &ref) != 0) {
		return -EPROTO;
	}
	*present = ref != 0;
	if (ref != 0 && (ndr_pull_u32(in, &lo) != 0 ||
			 ndr_pull_u32(in, &hi) != 0)) {
		return -EPROTO;
	}
	return 0;
}

/* A [in,unique] PRRP_UNICODE_STRING: present, and its MaximumLength. */
static int pull_opt_buf_name(struct ndr_pull *in, bool *present,
			     uint16_t *size)
{
	uint32_t ref = 0;

	*size = 0;
	if (ndr_pull_ptr(in, &ref) != 0) {
		return -EPROTO;
	}
	*present = ref != 0;
	if (ref != 0) {
		return winreg_pull_buf_name(in, size);
	}
	return 0;
}

/* --- response encoding --- */

/*
 * An RRP_UNICODE_STRING answer into a buffer of size bytes: Length
 * counts the terminating NUL, MaximumLength echoes the caller's size.
 * s NULL: an empty string with no buffer.
 */
static void push_buf_name(struct ndr_push *p, const char *s, uint16_t size)
{
	uint32_t units = s != NULL ?
		(uint32_t)(utf16_len_of_utf8(s) / 2) + 1 : 0;

	ndr_push_align(p, 4);
	ndr_push_u16(p, (uint16_t)(units * 2));
	ndr_push_u16(p, size);
	if (s == NULL) {
		ndr_push_u32(p, 0);
		return;
	}
	ndr_push_referent(p);
	ndr_push_u32(p, size / 2u);
	ndr_push_u32(p, 0);
	ndr_push_u32(p, units);
	wire_put_utf16(&p->w, s);
	wire_put_u16le(&p->w, 0);
}

/* Does s (with its NUL) fit a buffer of size bytes? */
static bool name_fits(const char *s, uint16_t size)
{
	return utf16_len_of_utf8(s) + 2 <= (size_t)size;
}

static void push_opt_u32(struct ndr_push *p, bool present, uint32_t v)
{
	if (!present) {
		ndr_push_u32(p, 0);
		return;
	}
	ndr_push_referent(p);
	ndr_push_u32(p, v);
}

/* The value's data, type and sizes as QueryValue and EnumValue answer. */
struct val_answer {
	bool has_type, has_data, has_size, has_len;
	uint32_t in_size;
};

/*
 * The [in,out,unique] type, data, size and length of QueryValue and
 * EnumValue: every pointer that came in goes out (clients read them
 * whatever the status), data with max count = *size and actual count =
 * *length as its size_is/length_is say. v NULL (an error, werr): type 0
 * and sizes 0. Returns the status: werr, ERROR_MORE_DATA when the data
 * does not fit the caller's buffer (*size then says what would), or OK.
 */
static uint32_t push_value(struct ndr_push *p, const struct val_answer *a,
			   const struct wr_value *v, uint32_t werr)
{
	uint32_t size = v != NULL ? v->len : 0, len = 0;

	if (werr == WERR_OK && a->has_data && v->len > a->in_size) {
		werr = WERR_MORE_DATA;
	}
	if (werr == WERR_OK && a->has_data) {
		len = v->len;
	}
	push_opt_u32(p, a->has_type, v != NULL ? v->type : 0);
	if (a->has_data) {
		ndr_push_referent(p);
		ndr_push_u32(p, size);
		ndr_push_u32(p, 0);
		ndr_push_u32(p, len);
		if (len > 0) {
			ndr_push_bytes(p, v->data, len);
		}
	} else {
		ndr_push_u32(p, 0);
	}
	ndr_push_align(p, 4);
	push_opt_u32(p, a->has_size, size);
	push_opt_u32(p, a->has_len, len);
	return werr;
}

/* --- keys --- */

/* The key a handle names, in a tree built now; NULL: it went away. */
static const struct wr_key *open_key(struct wg_rpc_call *call,
				     const struct wr_open *o)
{
	const struct wr_key *root = winreg_tree_hive(call, o->hive);

	if (root == NULL) {
		return NULL;
	}
	return winreg_tree_find(root, o->path);
}

/*
 * Pull a key handle: 0 with *h and *key (NULL when the key went away),
 * -EINVAL (a stub that does not decode) or -ENOENT (no such handle).
 */
static int pull_key(struct wg_rpc_call *call, struct wg_rpc_handle **h,
		    const struct wr_key **key)
{
	int rc = wg_rpc_handle_pull(call, handles_of(call), WR_HANDLE_KEY,
				    h);

	*key = NULL;
	if (rc == 0) {
		*key = open_key(call, (*h)->data);
	}
	return rc;
}

/* A new handle on hive\path; the status of the answer. */
static uint32_t new_key_handle(struct wg_rpc_call *call, uint32_t hive,
			       const char *path, uint32_t access,
			       struct wg_rpc_handle **out)
{
	struct wg_rpc_handle *h = NULL;
	struct wr_open *o = NULL;
	uint32_t status = 0;

	*out = NULL;
	h = wg_rpc_handle_new(handles_of(call), WR_HANDLE_KEY, &status);
	if (h == NULL) {
		return status == WG_STATUS_INSUFFICIENT_RESOURCES ?
		       WERR_NO_SYSTEM_RESOURCES : WERR_NOT_ENOUGH_MEMORY;
	}
	o = talloc_zero(h, struct wr_open);
	if (o != NULL) {
		o->path = talloc_strdup(o, path);
	}
	if (o == NULL || o->path == NULL) {
		talloc_free(h);
		return WERR_NOT_ENOUGH_MEMORY;
	}
	o->hive = hive;
	h->data = o;
	h->access = access;
	*out = h;
	return WERR_OK;
}

/* OpenClassesRoot (0) ... OpenCurrentConfig (27): ServerName, samDesired */
static uint32_t open_hive(struct wg_rpc_call *call, uint32_t hive)
{
	struct wg_rpc_handle *h = NULL;
	uint32_t access = 0, werr = WERR_OK;

	if (winreg_pull_server_name(&call->in) != 0 ||
	    ndr_pull_u32(&call->in, &access) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (wg_rpc_anonymous_restricted(call)) {
		werr = WERR_ACCESS_DENIED;
	} else {
		werr = new_key_handle(call, hive, "", access, &h);
	}
	if (h != NULL) {
		ndr_push_handle(&call->out, h->wire);
	} else {
		wg_rpc_push_null_handle(&call->out);
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

static uint32_t op_open_hkcr(struct wg_rpc_call *call)
{
	return open_hive(call, WR_HKCR);
}

static uint32_t op_open_hkcu(struct wg_rpc_call *call)
{
	return open_hive(call, WR_HKCU);
}

static uint32_t op_open_hklm(struct wg_rpc_call *call)
{
	return open_hive(call, WR_HKLM);
}

static uint32_t op_open_hkpd(struct wg_rpc_call *call)
{
	return open_hive(call, WR_HKPD);
}

static uint32_t op_open_hku(struct wg_rpc_call *call)
{
	return open_hive(call, WR_HKU);
}

static uint32_t op_open_hkcc(struct wg_rpc_call *call)
{
	return open_hive(call, WR_HKCC);
}

static uint32_t op_open_hkpt(struct wg_rpc_call *call)
{
	return open_hive(call, WR_HKPT);
}

static uint32_t op_open_hkpn(struct wg_rpc_call *call)
{
	return open_hive(call, WR_HKPN);
}

/* BaseRegCloseKey (5): [in,out] hKey */
static uint32_t op_close_key(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	int rc = wg_rpc_handle_pull(call, handles_of(call), WR_HANDLE_KEY,
				    &h);

	if (rc == -EINVAL) {
		return DCERPC_FAULT_NDR;
	}
	wg_rpc_push_null_handle(&call->out);
	if (rc != 0) {
		ndr_push_u32(&call->out, WERR_INVALID_HANDLE);
		return 0;
	}
	talloc_free(h);
	ndr_push_u32(&call->out, WERR_OK);
	return 0;
}

/*
 * The status of a call on a handle that would change the registry:
 * INVALID_HANDLE, or ACCESS_DENIED (the registry is read-only).
 */
static int refuse_write(struct wg_rpc_call *call, uint32_t *werr)
{
	struct wg_rpc_handle *h = NULL;
	const struct wr_key *key = NULL;
	int rc = pull_key(call, &h, &key);

	if (rc == -EINVAL) {
		return -EINVAL;
	}
	*werr = rc != 0 ? WERR_INVALID_HANDLE : WERR_ACCESS_DENIED;
	return 0;
}

/* BaseRegCreateKey (6): out phkResult, lpdwDisposition, status. */
static uint32_t op_create_key(struct wg_rpc_call *call)
{
	uint32_t werr = 0;

	if (refuse_write(call, &werr) != 0) {
		return DCERPC_FAULT_NDR;
	}
	wg_rpc_push_null_handle(&call->out);
	ndr_push_u32(&call->out, 0);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* DeleteKey, DeleteValue, Load, Replace, Restore, Save, SetKeySecurity,
 * SetValue, UnLoad, SaveKeyEx, DeleteKeyEx: status only. */
static uint32_t op_write(struct wg_rpc_call *call)
{
	uint32_t werr = 0;

	if (refuse_write(call, &werr) != 0) {
		return DCERPC_FAULT_NDR;
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* BaseInitiateSystemShutdown(Ex), BaseAbortSystemShutdown: never here. */
static uint32_t op_shutdown(struct wg_rpc_call *call)
{
	if (winreg_pull_server_name(&call->in) != 0) {
		return DCERPC_FAULT_NDR;
	}
	ndr_push_u32(&call->out, WERR_ACCESS_DENIED);
	return 0;
}

/* BaseRegFlushKey (11): nothing to write, OK on a good handle. */
static uint32_t op_flush_key(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	const struct wr_key *key = NULL;
	int rc = pull_key(call, &h, &key);

	if (rc == -EINVAL) {
		return DCERPC_FAULT_NDR;
	}
	ndr_push_u32(&call->out, rc != 0 ? WERR_INVALID_HANDLE :
		     key == NULL ? WERR_BADFILE : WERR_OK);
	return 0;
}

/*
 * BaseRegNotifyChangeKeyValue (14): hKey, bWatchSubtree, dwNotifyFilter,
 * fAsynchronous, lpName, lpClass, dwUnknown. Nothing here ever changes
 * and no event can be signalled over RPC: ERROR_NOT_SUPPORTED.
 */
static uint32_t op_notify_change(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	const struct wr_key *key = NULL;
	int rc = pull_key(call, &h, &key);

	if (rc == -EINVAL) {
		return DCERPC_FAULT_NDR;
	}
	ndr_push_u32(&call->out, rc != 0 ? WERR_INVALID_HANDLE :
		     WERR_NOT_SUPPORTED);
	return 0;
}

/* The status of a call on a key handle that reads: 0 when it may go on. */
static uint32_t key_status(int rc, const struct wr_key *key)
{
	if (rc != 0) {
		return WERR_INVALID_HANDLE;
	}
	return key == NULL ? WERR_BADFILE : WERR_OK;
}

/*
 * BaseRegEnumKey (9): hKey, dwIndex, lpNameIn, [unique] lpClassIn,
 * [in,out,unique] lpftLastWriteTime; out lpNameOut, lplpClassOut,
 * lpftLastWriteTime, status.
 */
static uint32_t op_enum_key(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	const struct wr_key *key = NULL, *sub = NULL;
	uint32_t index = 0, werr = 0;
	uint16_t name_size = 0, class_size = 0;
	bool has_class = false, has_time = false;
	int rc = pull_key(call, &h, &key);

	if (rc == -EINVAL || ndr_pull_u32(&call->in, &index) != 0 ||
	    winreg_pull_buf_name(&call->in, &name_size) != 0 ||
	    pull_opt_buf_name(&call->in, &has_class, &class_size) != 0 ||
	    pull_opt_time(&call->in, &has_time) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = key_status(rc, key);
	if (werr == WERR_OK) {
		sub = winreg_tree_sub(key, index);
		if (sub == NULL) {
			werr = WERR_NO_MORE_ITEMS;
		} else if (!name_fits(sub->name, name_size)) {
			werr = WERR_MORE_DATA;
		}
	}
	push_buf_name(&call->out, werr == WERR_OK ? sub->name : NULL,
		      name_size);
	if (has_class) {
		ndr_push_referent(&call->out);
		push_buf_name(&call->out, NULL, class_size);
	} else {
		ndr_push_u32(&call->out, 0);
	}
	if (has_time) {
		ndr_push_referent(&call->out);
		push_time(&call->out, werr == WERR_OK ?
			  boot_time_nt(call) : 0);
	} else {
		ndr_push_u32(&call->out, 0);
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/*
 * BaseRegEnumValue (10): hKey, dwIndex, lpValueNameIn, [in,out,unique]
 * lpType, lpData, lpcbData, lpcbLen; out lpValueNameOut, lpType, lpData,
 * lpcbData, lpcbLen, status.
 */
static uint32_t op_enum_value(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	const struct wr_key *key = NULL;
	const struct wr_value *v = NULL;
	struct val_answer a = { 0 };
	uint32_t index = 0, werr = 0, len_in = 0;
	uint16_t name_size = 0;
	int rc = pull_key(call, &h, &key);

	if (rc == -EINVAL || ndr_pull_u32(&call->in, &index) != 0 ||
	    winreg_pull_buf_name(&call->in, &name_size) != 0 ||
	    winreg_pull_opt_u32(&call->in, &a.has_type, &len_in) != 0 ||
	    winreg_pull_opt_data(&call->in, &a.has_data) != 0 ||
	    winreg_pull_opt_u32(&call->in, &a.has_size, &a.in_size) != 0 ||
	    winreg_pull_opt_u32(&call->in, &a.has_len, &len_in) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = key_status(rc, key);
	if (werr == WERR_OK) {
		v = index < key->n_values ? &key->values[index] : NULL;
		if (v == NULL) {
			werr = WERR_NO_MORE_ITEMS;
		} else if (!name_fits(v->name, name_size)) {
			werr = WERR_MORE_DATA;
		}
	}
	if (werr == WERR_OK && a.has_data && !a.has_size) {
		werr = WERR_INVALID_PARAMETER;
	}
	push_buf_name(&call->out, werr == WERR_OK ? v->name : NULL,
		      name_size);
	werr = push_value(&call->out, &a, werr == WERR_OK ? v : NULL, werr);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* BaseRegOpenKey (15): hKey, lpSubKey, dwOptions, samDesired. */
static uint32_t op_open_key(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL, *nh = NULL;
	const struct wr_key *key = NULL;
	const struct wr_open *o = NULL;
	char *sub = NULL, *path = NULL;
	uint32_t options = 0, access = 0, werr = 0;
	int rc = pull_key(call, &h, &key);

	if (rc == -EINVAL || winreg_pull_name(&call->in, &sub) != 0 ||
	    ndr_pull_u32(&call->in, &options) != 0 ||
	    ndr_pull_u32(&call->in, &access) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = key_status(rc, key);
	if (werr == WERR_OK) {
		o = h->data;
		path = winreg_path_join(call->mem, o->path, sub);
		if (path == NULL) {
			werr = WERR_BAD_PATHNAME;
		} else if (winreg_tree_find(key, sub) == NULL) {
			werr = WERR_BADFILE;
		} else {
			werr = new_key_handle(call, o->hive, path, access,
					      &nh);
		}
	}
	if (nh != NULL) {
		ndr_push_handle(&call->out, nh->wire);
	} else {
		wg_rpc_push_null_handle(&call->out);
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* The self-relative descriptor of every key: SYSTEM and Administrators
 * have full control, everyone may read. */
static int key_sd(TALLOC_CTX *mem, uint32_t secinfo, struct wire_wr *w)
{
	struct sec_desc *sd = NULL;

	if (sd_from_sddl(mem, "O:BAG:SYD:(A;CI;KA;;;SY)(A;CI;KA;;;BA)"
			 "(A;CI;KR;;;WD)", &sd, NULL) != 0) {
		return -ENOMEM;
	}
	wire_wr_init(w, mem, 0);
	return sd_push(w, sd, secinfo) != 0 ? -ENOMEM : 0;
}

/*
 * BaseRegGetKeySecurity (12): hKey, SecurityInformation,
 * pRpcSecurityDescriptorIn; out pRpcSecurityDescriptorOut, status.
 * RPC_SECURITY_DESCRIPTOR: [size_is(cbIn), length_is(cbOut)] unique
 * BYTE *, cbIn, cbOut.
 */
static uint32_t op_get_key_security(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	const struct wr_key *key = NULL;
	uint32_t secinfo = 0, ref = 0, cb_in = 0, cb_out = 0, werr = 0;
	bool has_buf = false;
	struct wire_wr w = { 0 };
	int rc = pull_key(call, &h, &key);

	if (rc == -EINVAL || ndr_pull_u32(&call->in, &secinfo) != 0 ||
	    ndr_pull_ptr(&call->in, &ref) != 0 ||
	    ndr_pull_u32(&call->in, &cb_in) != 0 ||
	    ndr_pull_u32(&call->in, &cb_out) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (ref != 0) {
		uint32_t max = 0, off = 0, actual = 0;
		const uint8_t *skip = NULL;

		if (ndr_pull_u32(&call->in, &max) != 0 ||
		    ndr_pull_u32(&call->in, &off) != 0 ||
		    ndr_pull_u32(&call->in, &actual) != 0 || off != 0 ||
		    actual > max ||
		    wire_get_ptr(&call->in.r, &skip, actual) != 0) {
			return DCERPC_FAULT_NDR;
		}
		has_buf = true;
	}
	werr = key_status(rc, key);
	if (werr == WERR_OK && key_sd(call->mem, secinfo, &w) != 0) {
		werr = WERR_NOT_ENOUGH_MEMORY;
	}
	if (werr == WERR_OK && (!has_buf || w.len > cb_in)) {
		werr = WERR_INSUFFICIENT_BUFFER;
	}
	if (werr == WERR_OK) {
		ndr_push_referent(&call->out);
		ndr_push_u32(&call->out, cb_in);
		ndr_push_u32(&call->out, (uint32_t)w.len);
		ndr_push_flush(&call->out);
		ndr_push_u32(&call->out, cb_in);
		ndr_push_u32(&call->out, 0);
		ndr_push_u32(&call->out, (uint32_t)w.len);
		ndr_push_bytes(&call->out, w.buf, w.len);
	} else {
		ndr_push_u32(&call->out, 0);
		ndr_push_u32(&call->out, cb_in);
		ndr_push_u32(&call->out, werr == WERR_INSUFFICIENT_BUFFER ?
			     (uint32_t)w.len : 0);
	}
	ndr_push_align(&call->out, 4);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/*
 * BaseRegQueryInfoKey (16): hKey, lpClassIn; out lpClassOut, lpcSubKeys,
 * lpcbMaxSubKeyLen, lpcbMaxClassLen, lpcValues, lpcbMaxValueNameLen,
 * lpcbMaxValueLen, lpcbSecurityDescriptor, lpftLastWriteTime, status.
 */
static uint32_t op_query_info_key(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	const struct wr_key *key = NULL;
	char *cls = NULL;
	struct wr_key_info ki = { 0 };
	struct wire_wr w = { 0 };
	uint32_t werr = 0;
	int rc = pull_key(call, &h, &key);

	if (rc == -EINVAL || winreg_pull_name(&call->in, &cls) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = key_status(rc, key);
	if (werr == WERR_OK) {
		winreg_tree_info(key, &ki);
		if (key_sd(call->mem, 0x7, &w) == 0) {
			ki.sd_len = (uint32_t)w.len;
		}
	}
	/* an empty class, no buffer */
	ndr_push_u16(&call->out, 0);
	ndr_push_u16(&call->out, 0);
	ndr_push_u32(&call->out, 0);
	ndr_push_u32(&call->out, ki.n_subkeys);
	ndr_push_u32(&call->out, ki.max_subkey_len);
	ndr_push_u32(&call->out, 0);
	ndr_push_u32(&call->out, ki.n_values);
	ndr_push_u32(&call->out, ki.max_value_name_len);
	ndr_push_u32(&call->out, ki.max_value_len);
	ndr_push_u32(&call->out, ki.sd_len);
	push_time(&call->out, werr == WERR_OK ? boot_time_nt(call) : 0);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/*
 * BaseRegQueryValue (17): hKey, lpValueName, [in,out,unique] lpType,
 * lpData, lpcbData, lpcbLen; out lpType, lpData, lpcbData, lpcbLen,
 * status.
 */
static uint32_t op_query_value(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	const struct wr_key *key = NULL;
	const struct wr_value *v = NULL;
	struct val_answer a = { 0 };
	char *name = NULL;
	uint32_t werr = 0, ignored = 0;
	int rc = pull_key(call, &h, &key);

	if (rc == -EINVAL || pull_name_or_null(&call->in, &name) != 0 ||
	    winreg_pull_opt_u32(&call->in, &a.has_type, &ignored) != 0 ||
	    winreg_pull_opt_data(&call->in, &a.has_data) != 0 ||
	    winreg_pull_opt_u32(&call->in, &a.has_size, &a.in_size) != 0 ||
	    winreg_pull_opt_u32(&call->in, &a.has_len, &ignored) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = key_status(rc, key);
	/* a NULL name, or no size to answer */
	if (werr == WERR_OK && (name == NULL ||
	    !a.has_size)) {
		werr = WERR_INVALID_PARAMETER;
	} else if (werr == WERR_OK) {
		v = winreg_tree_value(key, name);
		if (v == NULL) {
			werr = WERR_BADFILE;
		}
	}
	werr = push_value(&call->out, &a, werr == WERR_OK ? v : NULL, werr);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* Most values one QueryMultipleValues may ask for. */
#define WR_MAX_MULTI		512u

/* One RVALENT of a QueryMultipleValues request. */
struct wr_valent {
	char *name;		/* NULL: no name came */
	uint16_t size;		/* its buffer's MaximumLength */
	bool no_buf;		/* the name's Buffer was NULL */
	const struct wr_value *v;
	uint32_t off;		/* where its data starts in the buffer */
};

/*
 * [size_is(n), length_is(n)] RVALENT *val_listIn, then DWORD num_vals:
 * each RVALENT is { [unique] PRRP_UNICODE_STRING ve_valuename;
 * ve_valuelen; ve_valueptr; ve_type }, names deferred after the array.
 */
int winreg_pull_valents(struct ndr_pull *in, struct wr_valent **out,
			uint32_t *n)
{
	uint32_t max = 0, off = 0, actual = 0, num = 0, skip = 0;
	uint32_t *refs = NULL;
	struct wr_valent *e = NULL;

	if (ndr_pull_array_size(in, 16, &max) != 0 ||
	    ndr_pull_u32(in, &off) != 0 || ndr_pull_u32(in, &actual) != 0 ||
	    off != 0 || actual != max || max > WR_MAX_MULTI) {
		return -EPROTO;
	}
	e = talloc_zero_array(in->mem, struct wr_valent, max + 1);
	refs = talloc_zero_array(e, uint32_t, max + 1);
	if (e == NULL || refs == NULL) {
		talloc_free(e);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < max; i++) {
		if (ndr_pull_ptr(in, &refs[i]) != 0 ||
		    ndr_pull_u32(in, &skip) != 0 ||
		    ndr_pull_u32(in, &skip) != 0 ||
		    ndr_pull_u32(in, &skip) != 0) {
			goto fail;
		}
	}
	for (uint32_t i = 0; i < max; i++) {
		struct ndr_ustr_hdr h;

		if (refs[i] == 0) {
			continue;
		}
		if (ndr_pull_ustr_hdr(in, &h) != 0 ||
		    ndr_pull_ustr_body_term(in, &h, &e[i].name) != 0) {
			goto fail;
		}
		e[i].size = h.max;
		e[i].no_buf = h.ref == 0;
		if (e[i].name == NULL) {
			e[i].name = talloc_strdup(e, "");
		}
	}
	if (ndr_pull_u32(in, &num) != 0 || num != max) {
		goto fail;
	}
	talloc_free(refs);
	*out = e;
	*n = max;
	return 0;
fail:
	talloc_free(e);
	return -EPROTO;
}

static void push_valents(struct ndr_push *p, const struct wr_valent *e,
			 uint32_t n)
{
	ndr_push_u32(p, n);
	ndr_push_u32(p, 0);
	ndr_push_u32(p, n);
	for (uint32_t i = 0; i < n; i++) {
		if (e[i].name != NULL) {
			ndr_push_referent(p);
		} else {
			ndr_push_u32(p, 0);
		}
		ndr_push_u32(p, e[i].v != NULL ? e[i].v->len : 0);
		ndr_push_u32(p, e[i].off);
		ndr_push_u32(p, e[i].v != NULL ? e[i].v->type : 0);
	}
	for (uint32_t i = 0; i < n; i++) {
		if (e[i].name != NULL) {
			push_buf_name(p, e[i].no_buf ||
				      !name_fits(e[i].name, e[i].size) ?
				      NULL : e[i].name, e[i].size);
		}
	}
}

/*
 * Find every value asked for (ERROR_FILE_NOT_FOUND if one is missing)
 * and lay their data out one after the other: *total bytes.
 */
static uint32_t find_valents(const struct wr_key *key, struct wr_valent *e,
			     uint32_t n, uint32_t *total)
{
	uint64_t t = 0;

	*total = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (e[i].name == NULL) {
			return WERR_INVALID_PARAMETER;
		}
		e[i].v = winreg_tree_value(key, e[i].name);
		if (e[i].v == NULL) {
			return WERR_BADFILE;
		}
		e[i].off = (uint32_t)t;
		t += e[i].v->len;
	}
	if (t > UINT32_MAX / 2) {
		return WERR_NOT_ENOUGH_MEMORY;
	}
	*total = (uint32_t)t;
	return WERR_OK;
}

/* The data of every value, back to back. */
static void push_valent_data(struct ndr_push *p, const struct wr_valent *e,
			     uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (e[i].v->len > 0) {
			ndr_push_bytes(p, e[i].v->data, e[i].v->len);
		}
	}
}

/*
 * BaseRegQueryMultipleValues (29) and BaseRegQueryMultipleValues2 (34):
 * hKey, val_listIn, num_vals, [in,out,unique] lpvalueBuf, then 29's
 * [in,out] ldwTotsize or 34's [in] offered; out val_listOut, lpvalueBuf,
 * ldwTotsize (29) or needed (34), status. They differ in lpvalueBuf's
 * size_is/length_is: 29's are *ldwTotsize, the size needed, so a buffer
 * comes back only with the values or MORE_DATA (that long, zeroed), and
 * a need past the cap is NOT_ENOUGH_MEMORY; 34's are offered, so a
 * buffer comes back whenever one came in, padded with zeros, and an
 * offer past the cap is refused.
 */
static uint32_t query_multiple(struct wg_rpc_call *call, bool v2)
{
	struct wg_rpc_handle *h = NULL;
	const struct wr_key *key = NULL;
	struct wr_valent *e = NULL;
	uint32_t n = 0, offered = 0, total = 0, werr = 0, size = 0, used = 0;
	bool has_buf = false, send = false;
	int rc = pull_key(call, &h, &key);

	if (rc == -EINVAL || winreg_pull_valents(&call->in, &e, &n) != 0 ||
	    winreg_pull_opt_data(&call->in, &has_buf) != 0 ||
	    ndr_pull_u32(&call->in, &offered) != 0 ||
	    (v2 && offered > WR_MAX_MULTI * 4096u)) {
		return DCERPC_FAULT_NDR;
	}
	werr = key_status(rc, key);
	if (werr == WERR_OK) {
		werr = find_valents(key, e, n, &total);
	}
	if (werr == WERR_OK && (total > offered || (!has_buf && total > 0))) {
		werr = WERR_MORE_DATA;
	}
	push_valents(&call->out, e, n);
	if (!v2 && werr == WERR_MORE_DATA && has_buf &&
	    total > WR_MAX_MULTI * 4096u) {
		werr = WERR_NOT_ENOUGH_MEMORY;
	}
	if (v2) {
		size = offered;
		send = has_buf;
	} else {
		size = total;
		send = has_buf && (werr == WERR_OK || werr == WERR_MORE_DATA);
	}
	if (send) {
		ndr_push_referent(&call->out);
		ndr_push_u32(&call->out, size);
		ndr_push_u32(&call->out, 0);
		ndr_push_u32(&call->out, size);
		if (werr == WERR_OK) {
			push_valent_data(&call->out, e, n);
			used = total;
		}
		for (uint32_t i = used; i < size; i++) {
			ndr_push_u8(&call->out, 0);
		}
	} else {
		ndr_push_u32(&call->out, 0);
	}
	ndr_push_align(&call->out, 4);
	ndr_push_u32(&call->out, werr == WERR_OK || werr == WERR_MORE_DATA ?
		     total : 0);
	ndr_push_u32(&call->out, werr);
	return 0;
}

static uint32_t op_query_multiple(struct wg_rpc_call *call)
{
	return query_multiple(call, false);
}

static uint32_t op_query_multiple2(struct wg_rpc_call *call)
{
	return query_multiple(call, true);
}

/* BaseRegGetVersion (26): hKey; out lpdwVersion, status. */
static uint32_t op_get_version(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	const struct wr_key *key = NULL;
	int rc = pull_key(call, &h, &key);
	uint32_t werr = 0;

	if (rc == -EINVAL) {
		return DCERPC_FAULT_NDR;
	}
	werr = key_status(rc, key);
	ndr_push_u32(&call->out, werr == WERR_OK ? WR_VERSION : 0);
	ndr_push_u32(&call->out, werr);
	return 0;
}

static const wg_rpc_op winreg_ops[] = {
	[0] = op_open_hkcr,
	[1] = op_open_hkcu,
	[2] = op_open_hklm,
	[3] = op_open_hkpd,
	[4] = op_open_hku,
	[5] = op_close_key,
	[6] = op_create_key,
	[7] = op_write,		/* DeleteKey */
	[8] = op_write,		/* DeleteValue */
	[9] = op_enum_key,
	[10] = op_enum_value,
	[11] = op_flush_key,
	[12] = op_get_key_security,
	[13] = op_write,	/* LoadKey */
	[14] = op_notify_change,
	[15] = op_open_key,
	[16] = op_query_info_key,
	[17] = op_query_value,
	[18] = op_write,	/* ReplaceKey */
	[19] = op_write,	/* RestoreKey */
	[20] = op_write,	/* SaveKey */
	[21] = op_write,	/* SetKeySecurity */
	[22] = op_write,	/* SetValue */
	[23] = op_write,	/* UnLoadKey */
	[24] = op_shutdown,
	[25] = op_shutdown,
	[26] = op_get_version,
	[27] = op_open_hkcc,
	[29] = op_query_multiple,
	[30] = op_shutdown,
	[31] = op_write,	/* SaveKeyEx */
	[32] = op_open_hkpt,
	[33] = op_open_hkpn,
	[34] = op_query_multiple2,
	[35] = op_write,	/* DeleteKeyEx */
};

const struct wg_rpc_iface wg_winreg_iface = {
	.name = "winreg",
	.uuid = "338cd001-2244-31f1-aaaa-900038001003",
	.major = 1,
	.minor = 0,
	.ops = winreg_ops,
	.n_ops = sizeof(winreg_ops) / sizeof(winreg_ops[0]),
	.state_new = wg_rpc_handles_state_new,
	.close_handles = wg_rpc_handles_state_close,
	.handle_count = wg_rpc_handles_state_count,
};
