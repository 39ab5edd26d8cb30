/*
 * spoolss.c - the print system remote protocol [MS-RPRN], 12345678-1234-
 * abcd-ef00-0123456789ab v1.0: enumerate and open printers, RAW jobs
 * through StartDoc/WritePrinter/EndDoc, and clean failures for what
 * Windows spoolers also ask (drivers, printer data, forms, change
 * notifications).
 *
 * Printer handles are 20 random bytes, valid only on the pipe that made
 * them; an unknown handle gets the RPC fault for a bad context handle.
 * Each one is tracked in the session manager (sm_handle_add with the
 * handle itself as cookie, sm_handle_touch on every use), so idle ones
 * can be reaped through wg_pipe_reap_handle(). A handle's destructor
 * finishes an unfinished job (jobs are never lost) and keeps the pipe's
 * count right.
 *
 * The INFO structures travel as custom-marshaled blobs [MS-RPRN §2.2.2]:
 * the fixed portions of every entry, then their strings; each offset is
 * counted from the start of its own entry.
 */
#include "pipes/spoolss_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "proto/osversion.h"
#include "proto/secdesc.h"
#include "proto/utf16.h"


/* --- handles --- */

static int prn_handle_destructor(struct prn_handle *h)
{
	const struct wg_print_ops *print = h->st->env->print;

	if (h->job != NULL && print != NULL && print->job_end != NULL) {
		/* Never lose a job: what was written is printed. */
		(void)print->job_end(print->priv, h->job);
		h->job = NULL;
	}
	if (h->prev != NULL) {
		h->prev->next = h->next;
	} else {
		h->st->handles = h->next;
	}
	if (h->next != NULL) {
		h->next->prev = h->prev;
	}
	h->st->n_handles--;
	return 0;
}

static void spoolss_close_handles(void *state)
{
	struct spoolss_state *st = state;

	while (st->handles != NULL) {
		talloc_free(st->handles);
	}
}

static unsigned spoolss_handle_count(const void *state)
{
	const struct spoolss_state *st = state;

	return st->n_handles;
}

static int state_destructor(struct spoolss_state *st)
{
	spoolss_close_handles(st);
	return 0;
}

static void *spoolss_state_new(TALLOC_CTX *mem, struct wg_pipe *p,
			       const struct wg_pipe_env *env)
{
	struct spoolss_state *st = talloc_zero(mem, struct spoolss_state);

	if (st == NULL) {
		return NULL;
	}
	st->env = env;
	talloc_set_destructor(st, state_destructor);
	return st;
}

void wg_pipe_reap_handle(void *handle_cookie)
{
	talloc_free(handle_cookie);
}

/* Handles the opening session holds (this pipe's if it has no ticket). */
unsigned handles_of_session(const struct spoolss_state *st)
{
	if (st->env->ticket != NULL) {
		return sm_handle_count(st->env->ticket);
	}
	return st->n_handles;
}

/*
 * Whether the session already holds its SPOOLSS_MAX_HANDLES handles; a
 * full budget is reported (counted and logged by the host) each time a
 * new handle is refused for it.
 */
bool handle_budget_full(struct spoolss_state *st)
{
	const struct wg_pipe_env *env = st->env;

	if (handles_of_session(st) < SPOOLSS_MAX_HANDLES) {
		return false;
	}
	if (env->handle_budget_hit != NULL) {
		env->handle_budget_hit(env->hook_priv, env->client_ip,
				       SPOOLSS_MAX_HANDLES);
	}
	return true;
}

/* A new handle on this pipe; NULL when out of memory. */
struct prn_handle *handle_new(struct spoolss_state *st, const char *printer,
			      const char *server)
{
	struct prn_handle *h = NULL;

	h = talloc_zero(st, struct prn_handle);
	if (h == NULL) {
		return NULL;
	}
	h->st = st;
	h->server = server != NULL ? talloc_strdup(h, server) : NULL;
	if (server != NULL && h->server == NULL) {
		talloc_free(h);
		return NULL;
	}
	if (printer != NULL) {
		h->printer = talloc_strdup(h, printer);
		if (h->printer == NULL) {
			talloc_free(h);
			return NULL;
		}
	}
	/* Attributes 0, then a random UUID that is never all zeros. */
	do {
		wg_rpc_random(h->wire + 4, NDR_HANDLE_LEN - 4);
	} while (h->wire[4] == 0 && h->wire[5] == 0);
	h->opened = time(NULL);
	h->last_used = h->opened;
	h->next = st->handles;
	if (st->handles != NULL) {
		st->handles->prev = h;
	}
	st->handles = h;
	st->n_handles++;
	talloc_set_destructor(h, prn_handle_destructor);
	if (st->env->ticket != NULL) {
		h->smh = sm_handle_add(st->env->ticket, h, h);
		if (h->smh == NULL) {
			talloc_free(h);
			return NULL;
		}
	}
	return h;
}

/* Pull a context handle and find it on this pipe (touching it). */
int pull_handle(struct wg_rpc_call *call, struct prn_handle **out)
{
	struct spoolss_state *st = call->state;
	uint8_t wire[NDR_HANDLE_LEN];

	*out = NULL;
	if (ndr_pull_handle(&call->in, wire) != 0) {
		return -EINVAL;
	}
	for (struct prn_handle *h = st->handles; h != NULL; h = h->next) {
		if (!h->ic && memcmp(h->wire, wire, sizeof(wire)) == 0) {
			h->last_used = time(NULL);
			if (h->smh != NULL) {
				sm_handle_touch(h->smh);
			}
			*out = h;
			return 0;
		}
	}
	return -ENOENT;
}

/* The fault for a request whose handle does not decode or is unknown. */
uint32_t handle_fault(int rc)
{
	return rc == -ENOENT ? DCERPC_NCA_CONTEXT_MISMATCH : DCERPC_FAULT_NDR;
}

/* --- printers --- */

const char *server_unc(struct wg_rpc_call *call)
{
	return talloc_asprintf(call->mem, "\\\\%s",
			       wg_rpc_server(call)->netbios_name);
}


int list_printers(struct wg_rpc_call *call, struct wg_admin_share **out,
		  size_t *n)
{
	const struct wg_print_ops *print = call->env->print;

	*out = NULL;
	*n = 0;
	if (print == NULL || print->list_printers == NULL) {
		return 0;
	}
	return print->list_printers(print->priv, call->mem, out, n);
}

static size_t count_jobs(struct wg_rpc_call *call, const char *printer)
{
	const struct wg_print_ops *print = call->env->print;
	uint32_t *ids = NULL;
	char **names = NULL;
	uint64_t *sizes = NULL;
	size_t n = 0;

	if (print == NULL || print->list_jobs == NULL ||
	    print->list_jobs(print->priv, call->mem, printer, &ids, &names,
			     &sizes, &n) != 0) {
		return 0;
	}
	return n;
}

/*
 * Is host (len bytes) a name of this server? Its NetBIOS name (alone or
 * as the first label of a DNS name), "localhost" or an IP literal: the
 * client may have connected by any of them.
 */
static bool our_host(struct wg_rpc_call *call, const char *host, size_t len)
{
	const char *nb = wg_rpc_server(call)->netbios_name;
	struct in6_addr a6;
	struct in_addr a4;
	char buf[256];
	size_t nl = 0;

	if (len == 0 || len >= sizeof(buf)) {
		return false;
	}
	memcpy(buf, host, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &a4) == 1 ||
	    inet_pton(AF_INET6, buf, &a6) == 1 ||
	    strcasecmp(buf, "localhost") == 0) {
		return true;
	}
	if (nb == NULL || nb[0] == '\0') {
		return false;
	}
	nl = strlen(nb);
	return strncasecmp(buf, nb, nl) == 0 &&
	       (buf[nl] == '\0' || buf[nl] == '.');
}

/*
 * A printer name's ",DrvConvert" / ", LocalOnly" option: Windows takes
 * either keyword (case-sensitive, as a prefix of what follows the comma
 * and one optional space); anything else after a comma is a bad name.
 */
static bool printer_option_ok(const char *opt)
{
	if (opt[0] == ' ') {
		opt++;
	}
	return strncmp(opt, "DrvConvert", 10) == 0 ||
	       strncmp(opt, "LocalOnly", 9) == 0;
}

/*
 * The printer name of an OpenPrinter(Ex) [MS-RPRN 2.2.4.14]: NULL or
 * "\\server" -> a server handle (*out NULL); "\\server\printer" or
 * "printer", either with a ",DrvConvert" / ",LocalOnly" option -> the
 * printer's canonical name in *out. *server (a child of call->mem) is
 * "\\server" as the client named us, else our NetBIOS name. Anything
 * else (an empty name, another host, a printer we do not have) ->
 * WERR_INVALID_PRINTER_NAME.
 */
uint32_t resolve_printer(struct wg_rpc_call *call, const char *name,
			 const char **out, const char **server)
{
	struct wg_admin_share *ps = NULL;
	const char *comma = NULL;
	size_t n = 0, len = 0;

	*out = NULL;
	*server = server_unc(call);
	if (*server == NULL) {
		return WERR_NOT_ENOUGH_MEMORY;
	}
	if (name == NULL) {
		return WERR_OK;
	}
	if (name[0] == '\\' && name[1] == '\\') {
		const char *slash = strchr(name + 2, '\\');
		size_t hl = slash != NULL ? (size_t)(slash - name - 2) :
			    strlen(name + 2);

		if (!our_host(call, name + 2, hl)) {
			return WERR_INVALID_PRINTER_NAME;
		}
		*server = talloc_strndup(call->mem, name, hl + 2);
		if (*server == NULL) {
			return WERR_NOT_ENOUGH_MEMORY;
		}
		if (slash == NULL) {
			return WERR_OK;
		}
		name = slash + 1;
	} else {
		/* a bare name: the printer's entries name no server */
		*server = NULL;
	}
	comma = strchr(name, ',');
	len = comma != NULL ? (size_t)(comma - name) : strlen(name);
	if (len == 0 || memchr(name, '\\', len) != NULL ||
	    (comma != NULL && !printer_option_ok(comma + 1))) {
		return WERR_INVALID_PRINTER_NAME;
	}
	if (list_printers(call, &ps, &n) != 0) {
		return WERR_NOT_ENOUGH_MEMORY;
	}
	for (size_t i = 0; i < n; i++) {
		if (ps[i].name != NULL && strlen(ps[i].name) == len &&
		    strncasecmp(ps[i].name, name, len) == 0) {
			*out = ps[i].name;
			return WERR_OK;
		}
	}
	return WERR_INVALID_PRINTER_NAME;
}

/* --- custom-marshaled INFO blobs --- */

void blob_init(struct info_blob *b, TALLOC_CTX *mem, size_t entries,
	       size_t fixed_size)
{
	wire_wr_init(&b->fixed, mem, SPOOLSS_MAX_OUT);
	wire_wr_init(&b->var, mem, SPOOLSS_MAX_OUT);
	b->fixed_total = entries * fixed_size;
	b->entry_start = 0;
}

void blob_entry(struct info_blob *b)
{
	b->entry_start = b->fixed.len;
}

void blob_u32(struct info_blob *b, uint32_t v)
{
	wire_put_u32le(&b->fixed, v);
}

/* A string's offset now and its UTF-16 (NUL included) in the var part. */
void blob_str(struct info_blob *b, const char *s)
{
	if (s == NULL) {
		wire_put_u32le(&b->fixed, 0);
		return;
	}
	wire_put_u32le(&b->fixed, (uint32_t)(b->fixed_total + b->var.len -
					     b->entry_start));
	/* Room first: wire_put_utf16("") must not meet a NULL buffer. */
	(void)wire_wr_reserve(&b->var, utf16_len_of_utf8(s) + 2);
	wire_put_utf16(&b->var, s);
	wire_put_u16le(&b->var, 0);
}

/* A self-relative security descriptor's offset and bytes, 4-aligned. */
void blob_bytes4(struct info_blob *b, const uint8_t *data, size_t len)
{
	if (data == NULL || len == 0) {
		wire_put_u32le(&b->fixed, 0);
		return;
	}
	wire_put_zero(&b->var, (4 - b->var.len % 4) % 4);
	wire_put_u32le(&b->fixed, (uint32_t)(b->fixed_total + b->var.len -
					     b->entry_start));
	wire_put_bytes(&b->var, data, len);
}

void blob_systemtime(struct info_blob *b, time_t t)
{
	struct tm tm = {};

	gmtime_r(&t, &tm);
	wire_put_u16le(&b->fixed, (uint16_t)(tm.tm_year + 1900));
	wire_put_u16le(&b->fixed, (uint16_t)(tm.tm_mon + 1));
	wire_put_u16le(&b->fixed, (uint16_t)tm.tm_wday);
	wire_put_u16le(&b->fixed, (uint16_t)tm.tm_mday);
	wire_put_u16le(&b->fixed, (uint16_t)tm.tm_hour);
	wire_put_u16le(&b->fixed, (uint16_t)tm.tm_min);
	wire_put_u16le(&b->fixed, (uint16_t)tm.tm_sec);
	wire_put_u16le(&b->fixed, 0);
}

/* Join both parts into one buffer (a child of mem). 0 or WIRE_E_*. */
int blob_finish(struct info_blob *b, TALLOC_CTX *mem, uint8_t **out,
		size_t *len)
{
	uint8_t *buf = NULL;

	if (wire_wr_error(&b->fixed) != 0) {
		return wire_wr_error(&b->fixed);
	}
	if (wire_wr_error(&b->var) != 0) {
		return wire_wr_error(&b->var);
	}
	if (b->fixed.len != b->fixed_total) {
		return WIRE_E_INVALID;
	}
	*len = b->fixed.len + b->var.len;
	buf = talloc_zero_array(mem, uint8_t, *len + 1);
	if (buf == NULL) {
		return WIRE_E_NOMEM;
	}
	if (b->fixed.len > 0) {
		memcpy(buf, b->fixed.buf, b->fixed.len);
	}
	if (b->var.len > 0) {
		memcpy(buf + b->fixed.len, b->var.buf, b->var.len);
	}
	*out = buf;
	return 0;
}

int pull_out_buf(struct ndr_pull *in, struct out_buf *b)
{
	uint32_t ref = 0, count = 0, cb = 0;
	const uint8_t *data = NULL;
	int rc = ndr_pull_ptr(in, &ref);

	if (rc == 0 && ref != 0) {
		rc = ndr_pull_conformant_bytes(in, &data, &count);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(in, &cb);
	}
	if (rc == 0 && ref != 0 && count != cb) {
		rc = WIRE_E_INVALID;
	}
	b->present = ref != 0;
	b->size = cb;
	return rc;
}

/*
 * The [out] buffer by the RPRN convention: as big as the client said,
 * holding data only if it all fits; *werr becomes INSUFFICIENT_BUFFER
 * otherwise. Then pcbNeeded.
 */
void push_out_buf(struct wg_rpc_call *call, const struct out_buf *b,
		  const uint8_t *data, size_t needed, uint32_t *werr)
{
	struct ndr_push *out = &call->out;
	bool fits = b->present && needed <= b->size;

	if (*werr == WERR_OK && needed > 0 && !fits) {
		*werr = WERR_INSUFFICIENT_BUFFER;
	}
	if (!b->present) {
		ndr_push_u32(out, 0);
	} else {
		ndr_push_referent(out);
		ndr_push_u32(out, b->size);
		if (*werr == WERR_OK && needed > 0) {
			ndr_push_bytes(out, data, needed);
			wire_put_zero(&out->w, b->size - needed);
		} else {
			wire_put_zero(&out->w, b->size);
		}
	}
	ndr_push_u32(out, (uint32_t)needed);
}

/* --- PRINTER_INFO --- */


/* The self-relative form of an SDDL text in *out (child of mem). */
static int sddl_bytes(TALLOC_CTX *mem, const char *sddl, uint8_t **out,
		      size_t *len)
{
	struct sec_desc *sd = NULL;
	struct wire_wr w;
	int rc = sd_from_sddl(mem, sddl, &sd, NULL);

	if (rc != 0) {
		return rc;
	}
	wire_wr_init(&w, mem, SPOOLSS_MAX_OUT);
	rc = sd_push(&w, sd, SECINFO_ALL);
	if (rc != 0) {
		return rc;
	}
	*out = w.buf;
	*len = w.len;
	return 0;
}

/* "\\server\printer", or the bare name when the client used that. */
const char *unc_printer(TALLOC_CTX *mem, const struct printer_ctx *c)
{
	if (c->server == NULL) {
		return c->p->name;
	}
	return talloc_asprintf(mem, "%s\\%s", c->server, c->p->name);
}

/* Fixed portion sizes of PRINTER_INFO levels 0 (STRESS) to 8. */
static size_t printer_fixed_size(uint32_t level)
{
	static const size_t size[] = { 124, 16, 84, 4, 12, 20, 4, 8, 4 };

	return level < sizeof(size) / sizeof(size[0]) ? size[level] : 0;
}

static void printer_info_0(struct info_blob *b, TALLOC_CTX *mem,
			   const struct printer_ctx *c)
{
	blob_str(b, unc_printer(mem, c));
	blob_str(b, c->server);
	blob_u32(b, (uint32_t)c->jobs);		/* cJobs */
	blob_u32(b, 0);				/* cTotalJobs */
	blob_u32(b, 0);				/* cTotalBytes */
	blob_systemtime(b, time(NULL));		/* stUpTime */
	for (int i = 0; i < 18; i++) {
		/* MaxcRef .. cAddNetPrinters: nothing we count. */
		/* dwGetVersion (major, minor, build, as OSVersion
		 * says: proto/osversion.h), cChangeID */
		blob_u32(b, i == 2 ? (uint32_t)WG_OS_NT_BUILD << 16 |
				     (uint32_t)WG_OS_NT_MINOR << 8 |
				     (uint32_t)WG_OS_NT_MAJOR :
			 i == 13 ? c->def->change_id : 0);
	}
	wire_put_u16le(&b->fixed, 9);		/* x64 */
	wire_put_u16le(&b->fixed, 0);
	blob_u32(b, 0);				/* cRefIC */
	blob_u32(b, 0);
	blob_u32(b, 0);
}

static void printer_info_2(struct info_blob *b, TALLOC_CTX *mem,
			   const struct printer_ctx *c)
{
	const struct wg_printer_def *d = c->def;

	blob_str(b, c->server);
	blob_str(b, unc_printer(mem, c));
	blob_str(b, c->p->name);		/* share name */
	blob_str(b, d->port);
	blob_str(b, d->driver);
	blob_str(b, d->comment);
	blob_str(b, d->location);
	blob_bytes4(b, devmode_named(mem, d, unc_printer(mem, c)),
		    d->devmode_len);
	blob_str(b, d->sepfile);
	blob_str(b, d->print_processor);
	blob_str(b, d->datatype);
	blob_str(b, d->parameters);
	blob_bytes4(b, c->sd, c->sd_len);
	blob_u32(b, d->attributes);
	blob_u32(b, d->priority);
	blob_u32(b, d->default_priority);
	blob_u32(b, d->start_time);
	blob_u32(b, d->until_time);
	blob_u32(b, 0);				/* status: ready */
	blob_u32(b, (uint32_t)c->jobs);
	blob_u32(b, 0);				/* average ppm */
}

static void printer_info(struct info_blob *b, TALLOC_CTX *mem,
			 uint32_t level, const struct printer_ctx *c)
{
	const char *comment = c->def->comment;

	blob_entry(b);
	switch (level) {
	case 0:
		printer_info_0(b, mem, c);
		break;
	case 1:
		blob_u32(b, PRINTER_ENUM_ICON8);
		blob_str(b, talloc_asprintf(mem, "%s,,%s",
					    unc_printer(mem, c), comment));
		blob_str(b, unc_printer(mem, c));
		blob_str(b, comment);
		break;
	case 2:
		printer_info_2(b, mem, c);
		break;
	case 3:
		blob_bytes4(b, c->sd, c->sd_len);
		break;
	case 4:
		blob_str(b, unc_printer(mem, c));
		blob_str(b, c->server);
		blob_u32(b, c->def->attributes);
		break;
	case 5:
		blob_str(b, unc_printer(mem, c));
		blob_str(b, c->def->port);
		blob_u32(b, c->def->attributes);
		blob_u32(b, 15000);	/* DeviceNotSelectedTimeout, ms */
		blob_u32(b, 45000);	/* TransmissionRetryTimeout, ms */
		break;
	case 6:
		blob_u32(b, 0);		/* dwStatus: ready */
		break;
	case 7:
		blob_str(b, NULL);	/* pszObjectGUID: not published */
		blob_u32(b, DSPRINT_UNPUBLISH);
		break;
	case 8:
		blob_bytes4(b, devmode_named(mem, c->def, unc_printer(mem, c)),
			    c->def->devmode_len);
		break;
	}
}

/* RpcEnumPrinters (0) */
static uint32_t op_enum_printers(struct wg_rpc_call *call)
{
	struct out_buf ob = {};
	struct wg_admin_share *ps = NULL;
	struct info_blob b;
	char *name = NULL;
	uint8_t *data = NULL, *sd = NULL;
	uint32_t flags = 0, level = 0, werr = WERR_OK;
	size_t n = 0, len = 0, sd_len = 0;
	int rc = ndr_pull_u32(&call->in, &flags);

	if (rc == 0) {
		rc = ndr_pull_unique_string(&call->in, &name);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(&call->in, &level);
	}
	if (rc == 0) {
		rc = pull_out_buf(&call->in, &ob);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (level > 5 || level == 3) {
		/* level 3 (a descriptor) is GetPrinter's only */
		werr = WERR_UNKNOWN_LEVEL;
	} else if ((flags & (PRINTER_ENUM_LOCAL | PRINTER_ENUM_NAME)) != 0 &&
		   list_printers(call, &ps, &n) != 0) {
		werr = WERR_NOT_ENOUGH_MEMORY;
	}
	if (werr == WERR_OK && n > 0 && level == 2 &&
	    sddl_bytes(call->mem, PRINTER_SDDL, &sd, &sd_len) != 0) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	if (werr == WERR_OK && n > 0) {
		/*
		 * The entries name us as the client did: "" names no
		 * server (bare printer names, as Windows answers); NULL
		 * gets our NetBIOS name.
		 */
		const char *server = name == NULL ? server_unc(call) :
				     name[0] == '\0' ? NULL :
				     name[0] == '\\' && name[1] == '\\' &&
				     strchr(name + 2, '\\') == NULL &&
				     our_host(call, name + 2, strlen(name + 2)) ?
				     name : server_unc(call);

		blob_init(&b, call->mem, n, printer_fixed_size(level));
		for (size_t i = 0; i < n; i++) {
			struct printer_ctx c = {
				.server = server,
				.p = &ps[i],
				.jobs = count_jobs(call, ps[i].name),
				.sd = sd,
				.sd_len = sd_len,
				.def = printer_def(call, &ps[i]),
			};

			if (c.def == NULL) {
				return DCERPC_FAULT_OUT_OF_MEMORY;
			}
			if (c.def->sd != NULL) {
				c.sd = c.def->sd;
				c.sd_len = c.def->sd_len;
			}
			printer_info(&b, call->mem, level, &c);
		}
		if (blob_finish(&b, call->mem, &data, &len) != 0) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
	}
	push_out_buf(call, &ob, data, len, &werr);
	ndr_push_u32(&call->out, werr == WERR_OK ? (uint32_t)n : 0);
	ndr_push_u32(&call->out, werr);
	return 0;
}

void push_handle_and_status(struct wg_rpc_call *call,
			    const struct prn_handle *h, uint32_t werr)
{
	static const uint8_t zero[NDR_HANDLE_LEN];

	ndr_push_handle(&call->out, h != NULL ? h->wire : zero);
	ndr_push_u32(&call->out, werr);
}

/* DEVMODE_CONTAINER: cbBuf and a unique pointer to the bytes. */
int skip_devmode_container(struct ndr_pull *in)
{
	uint32_t cb = 0, ref = 0, count = 0;
	const uint8_t *data = NULL;
	int rc = ndr_pull_u32(in, &cb);

	if (rc == 0) {
		rc = ndr_pull_ptr(in, &ref);
	}
	if (rc == 0 && ref != 0) {
		rc = ndr_pull_conformant_bytes(in, &data, &count);
	}
	return rc;
}

/*
 * RpcOpenPrinter (1) and RpcOpenPrinterEx (69): the same [in] start
 * (pPrinterName, pDatatype, DEVMODE_CONTAINER, AccessRequired); Ex adds a
 * SPLCLIENT_CONTAINER, of which we read the level and whether the
 * client info is there: without it Windows answers INVALID_PARAMETER
 * before looking at the name. Either way a new handle counts against the
 * session's budget (SPOOLSS_MAX_HANDLES) and the session manager's
 * reaper.
 */
static uint32_t open_printer(struct wg_rpc_call *call, bool ex)
{
	struct prn_handle *h = NULL;
	char *name = NULL, *datatype = NULL;
	const char *printer = NULL, *server = NULL;
	uint32_t access = 0, werr = 0, level = 0, disc = 0, info = 0;
	int rc = ndr_pull_unique_string(&call->in, &name);

	if (rc == 0) {
		rc = ndr_pull_unique_string(&call->in, &datatype);
	}
	if (rc == 0) {
		rc = skip_devmode_container(&call->in);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(&call->in, &access);
	}
	if (rc == 0 && ex) {
		rc = ndr_pull_u32(&call->in, &level);
		if (rc == 0) {
			rc = ndr_pull_u32(&call->in, &disc);
		}
		if (rc == 0) {
			rc = ndr_pull_ptr(&call->in, &info);
		}
		if (rc == 0 && disc != level) {
			rc = WIRE_E_INVALID;
		}
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (ex && (info == 0 || level < 1 || level > 3)) {
		werr = WERR_INVALID_PARAMETER;
	} else {
		werr = resolve_printer(call, name, &printer, &server);
	}
	if (werr == WERR_OK && datatype != NULL &&
	    strcasecmp(datatype, "RAW") != 0) {
		werr = WERR_INVALID_DATATYPE;
	}
	if (werr == WERR_OK && handle_budget_full(call->state)) {
		/* the session's limit, not just this pipe's */
		werr = WERR_NO_SYSTEM_RESOURCES;
	}
	if (werr == WERR_OK) {
		h = handle_new(call->state, printer, server);
		if (h == NULL) {
			werr = WERR_NOT_ENOUGH_MEMORY;
		}
	}
	push_handle_and_status(call, h, werr);
	return 0;
}

/* RpcOpenPrinter (1) */
static uint32_t op_open_printer(struct wg_rpc_call *call)
{
	return open_printer(call, false);
}

/* RpcOpenPrinterEx (69) */
static uint32_t op_open_printer_ex(struct wg_rpc_call *call)
{
	return open_printer(call, true);
}

/*
 * RpcGetPrinter (8): PRINTER_INFO levels 0 to 8 of a printer; a server
 * handle has only level 3, the print server's descriptor.
 */
static uint32_t op_get_printer(struct wg_rpc_call *call)
{
	struct out_buf ob = {};
	struct prn_handle *h = NULL;
	struct wg_admin_share *ps = NULL;
	struct info_blob b;
	uint8_t *data = NULL, *sd = NULL;
	uint32_t level = 0, werr = WERR_OK;
	size_t n = 0, len = 0, sd_len = 0;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_u32(&call->in, &level) != 0 ||
	    pull_out_buf(&call->in, &ob) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (level > 8 || (h->printer == NULL && level != 3)) {
		werr = WERR_UNKNOWN_LEVEL;
	} else if ((level == 2 || level == 3) &&
		   sddl_bytes(call->mem, h->printer != NULL ? PRINTER_SDDL :
			      SERVER_SDDL, &sd, &sd_len) != 0) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	} else if (h->printer == NULL) {
		blob_init(&b, call->mem, 1, printer_fixed_size(3));
		blob_entry(&b);
		blob_bytes4(&b, sd, sd_len);
		if (blob_finish(&b, call->mem, &data, &len) != 0) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
	} else if (list_printers(call, &ps, &n) != 0) {
		werr = WERR_NOT_ENOUGH_MEMORY;
	}
	for (size_t i = 0; werr == WERR_OK && h->printer != NULL && i < n;
	     i++) {
		struct printer_ctx c = {
			.server = h->server,
			.p = &ps[i],
			.sd = sd,
			.sd_len = sd_len,
		};

		if (ps[i].name == NULL ||
		    strcasecmp(ps[i].name, h->printer) != 0) {
			continue;
		}
		c.jobs = count_jobs(call, h->printer);
		c.def = printer_def(call, &ps[i]);
		if (c.def == NULL) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
		if (c.def->sd != NULL) {
			c.sd = c.def->sd;
			c.sd_len = c.def->sd_len;
		}
		blob_init(&b, call->mem, 1, printer_fixed_size(level));
		printer_info(&b, call->mem, level, &c);
		if (blob_finish(&b, call->mem, &data, &len) != 0) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
		break;
	}
	if (werr == WERR_OK && data == NULL) {
		/* The printer went away under the handle. */
		werr = WERR_INVALID_PRINTER_NAME;
	}
	push_out_buf(call, &ob, data, len, &werr);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* RpcClosePrinter (29) */
static uint32_t op_close_printer(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	talloc_free(h);
	push_handle_and_status(call, NULL, WERR_OK);
	return 0;
}

/* --- print server data [MS-RPRN 2.2.3.10.1]: server handle values --- */

#define REG_SZ		1u
#define REG_BINARY	3u
#define REG_DWORD	4u

/* OSVERSIONINFO(EX)W sizes; the version is proto/osversion.h's. */
#define OSVERSIONINFO_SIZE	276u
#define OSVERSIONINFOEX_SIZE	284u
#define VER_PLATFORM_WIN32_NT	2u
#define VER_NT_SERVER		3u

/* What this server says about itself; every value a server handle has. */
struct server_value {
	const char *name;
	uint32_t type;
	const char *sz;		/* REG_SZ */
	uint32_t dword;		/* REG_DWORD */
};

static const struct server_value server_values[] = {
	{ "Architecture", REG_SZ, SPOOLSS_ARCH, 0 },
	{ "BeepEnabled", REG_DWORD, NULL, 0 },
	{ "DefaultSpoolDirectory", REG_SZ,
	  "C:\\Windows\\system32\\spool\\PRINTERS", 0 },
	{ "DNSMachineName", REG_SZ, NULL, 0 },	/* our NetBIOS name */
	{ "DsPresent", REG_DWORD, NULL, 0 },	/* no directory service */
	{ "OSVersion", REG_BINARY, NULL, OSVERSIONINFO_SIZE },
	{ "OSVersionEx", REG_BINARY, NULL, OSVERSIONINFOEX_SIZE },
	{ "EventLog", REG_DWORD, NULL, 0 },
	{ "MajorVersion", REG_DWORD, NULL, 3 },
	{ "MinorVersion", REG_DWORD, NULL, 0 },
	{ "NetPopup", REG_DWORD, NULL, 0 },
	{ "NetPopupToComputer", REG_DWORD, NULL, 0 },
	{ "RetryPopup", REG_DWORD, NULL, 0 },
	{ "W3SvcInstalled", REG_DWORD, NULL, 0 },
};

/* An OSVERSIONINFO(EX)W of size bytes: the version, no service pack. */
static void put_os_version(struct wire_wr *w, uint32_t size)
{
	wire_put_u32le(w, size);		/* dwOSVersionInfoSize */
	wire_put_u32le(w, WG_OS_NT_MAJOR);
	wire_put_u32le(w, WG_OS_NT_MINOR);
	wire_put_u32le(w, WG_OS_NT_BUILD);
	wire_put_u32le(w, VER_PLATFORM_WIN32_NT);
	wire_put_zero(w, 256);			/* szCSDVersion: "" */
	if (size == OSVERSIONINFOEX_SIZE) {
		wire_put_u16le(w, 0);		/* wServicePackMajor */
		wire_put_u16le(w, 0);		/* wServicePackMinor */
		wire_put_u16le(w, 0);		/* wSuiteMask */
		wire_put_u8(w, VER_NT_SERVER);	/* wProductType */
		wire_put_u8(w, 0);		/* wReserved */
	}
}

/*
 * The value's bytes (a child of mem) and type; false: no such value.
 * host names the DNSMachineName.
 */
static bool server_value(TALLOC_CTX *mem, const char *host, const char *name,
			 uint32_t *type, uint8_t **data, size_t *len)
{
	const size_t n = sizeof(server_values) / sizeof(server_values[0]);
	struct wire_wr w;

	for (size_t i = 0; name != NULL && i < n; i++) {
		const struct server_value *v = &server_values[i];

		if (strcasecmp(v->name, name) != 0) {
			continue;
		}
		wire_wr_init(&w, mem, SPOOLSS_MAX_OUT);
		if (v->type == REG_SZ) {
			const char *sz = v->sz != NULL ? v->sz : host;

			(void)wire_wr_reserve(&w, utf16_len_of_utf8(sz) + 2);
			wire_put_utf16(&w, sz);
			wire_put_u16le(&w, 0);
		} else if (v->type == REG_BINARY) {
			put_os_version(&w, v->dword);
		} else {
			wire_put_u32le(&w, v->dword);
		}
		if (wire_wr_error(&w) != 0) {
			return false;
		}
		*type = v->type;
		*data = w.buf;
		*len = w.len;
		return true;
	}
	return false;
}

/*
 * The [out] pType, pData[nSize], pcbNeeded and status of
 * GetPrinterData(Ex): the value if nSize holds it, MORE_DATA with the
 * size it needs if not, BADFILE (not found) for a value we do not have.
 */
static uint32_t push_value(struct wg_rpc_call *call, uint32_t size,
			   bool found, uint32_t type, const uint8_t *data,
			   size_t len)
{
	uint32_t werr = found ? WERR_OK : WERR_BADFILE;

	if (size > SPOOLSS_MAX_OUT) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	if (found && len > size) {
		werr = WERR_MORE_DATA;
	}
	ndr_push_u32(&call->out, found ? type : 0);
	ndr_push_u32(&call->out, size);		/* conformance */
	if (werr == WERR_OK) {
		ndr_push_bytes(&call->out, data, len);
		wire_put_zero(&call->out.w, size - len);
	} else {
		wire_put_zero(&call->out.w, size);
	}
	ndr_push_align(&call->out, 4);
	ndr_push_u32(&call->out, found ? (uint32_t)len : 0);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* A printer handle has no data; a server handle has server_values. */
static uint32_t answer_value(struct wg_rpc_call *call,
			     const struct prn_handle *h, const char *key,
			     const char *value, uint32_t size)
{
	uint8_t *data = NULL;
	uint32_t type = 0;
	size_t len = 0;
	bool found = false;

	/* A server handle's values have no key: any key finds them. */
	if (h->printer == NULL) {
		found = server_value(call->mem,
				     wg_rpc_server(call)->netbios_name, value,
				     &type, &data, &len);
	} else {
		found = printer_value(call, h->printer, key, value, &type,
				      &data, &len);
	}
	return push_value(call, size, found, type, data, len);
}

/* RpcGetPrinterData (26) */
static uint32_t op_get_printer_data(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	char *value = NULL;
	uint32_t size = 0;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_string(&call->in, &value) != 0 ||
	    ndr_pull_u32(&call->in, &size) != 0) {
		return DCERPC_FAULT_NDR;
	}
	return answer_value(call, h, "PrinterDriverData", value, size);
}

/* RpcGetPrinterDataEx (78) */
static uint32_t op_get_printer_data_ex(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	char *key = NULL, *value = NULL;
	uint32_t size = 0;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_string(&call->in, &key) != 0 ||
	    ndr_pull_string(&call->in, &value) != 0 ||
	    ndr_pull_u32(&call->in, &size) != 0) {
		return DCERPC_FAULT_NDR;
	}
	return answer_value(call, h, key, value, size);
}

/* --- server-wide listings: ports, monitors, processors, drivers --- */

/* NULL or "" is this server's own; else one Windows knows, or NULL. */
const char *environment_of(const char *env)
{
	static const char *const known[] = {
		SPOOLSS_ARCH, "Windows NT x86", "Windows 4.0",
		"Windows IA64", "Windows ARM64",
	};

	if (env == NULL || env[0] == '\0') {
		return SPOOLSS_ARCH;
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcasecmp(env, known[i]) == 0) {
			return known[i];
		}
	}
	return NULL;
}

/*
 * pName: NULL, "" or "\\server" name this server; anything else is a
 * name we are not (INVALID_NAME, as Windows answers).
 */
uint32_t check_server_name(const char *name)
{
	if (name == NULL || name[0] == '\0') {
		return WERR_OK;
	}
	if (name[0] == '\\' && name[1] == '\\' && name[2] != '\0' &&
	    strchr(name + 2, '\\') == NULL) {
		return WERR_OK;
	}
	return WERR_INVALID_NAME;
}

/* A table of strings, one per entry and field (NULL: a DWORD 0/arg). */
struct str_table {
	size_t rows, cols;
	const char *const *cells;	/* rows * cols */
	const uint32_t *dwords;		/* a trailing DWORD per row, or NULL */
};

/* Answer an enumeration of t's rows as INFO entries (strings first). */
static uint32_t answer_table(struct wg_rpc_call *call, const struct out_buf *ob,
			     const struct str_table *t, uint32_t werr)
{
	struct info_blob b;
	uint8_t *data = NULL;
	size_t len = 0, rows = werr == WERR_OK ? t->rows : 0;

	if (rows > 0) {
		blob_init(&b, call->mem, rows,
			  4 * t->cols + (t->dwords != NULL ? 8 : 0));
		for (size_t r = 0; r < rows; r++) {
			blob_entry(&b);
			for (size_t c = 0; c < t->cols; c++) {
				blob_str(&b, t->cells[r * t->cols + c]);
			}
			if (t->dwords != NULL) {
				blob_u32(&b, t->dwords[r]);
				blob_u32(&b, 0);	/* Reserved */
			}
		}
		if (blob_finish(&b, call->mem, &data, &len) != 0) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
	}
	push_out_buf(call, ob, data, len, &werr);
	ndr_push_u32(&call->out, werr == WERR_OK ? (uint32_t)rows : 0);
	ndr_push_u32(&call->out, werr);
	return 0;
}

#define PORT_TYPE_WRITE		0x1u
#define WG_MONITOR		"Local Port"

/* RpcEnumPorts (35): the one port every printer prints to. */
static uint32_t op_enum_ports(struct wg_rpc_call *call)
{
	/* LPT1: is there for clients that add printers on it, as on any
	 * Windows server; it prints the same way. */
	static const char *const p1[] = { WG_PORT, WG_PORT_LPT };
	static const char *const p2[] = {
		WG_PORT, WG_MONITOR, "wgsmb print command",
		WG_PORT_LPT, WG_MONITOR, "wgsmb print command",
	};
	static const uint32_t p2_type[] = { PORT_TYPE_WRITE,
					    PORT_TYPE_WRITE };
	struct str_table t = { .rows = 2 };
	struct out_buf ob = {};
	char *name = NULL;
	uint32_t level = 0, werr = WERR_OK;

	if (ndr_pull_unique_string(&call->in, &name) != 0 ||
	    ndr_pull_u32(&call->in, &level) != 0 ||
	    pull_out_buf(&call->in, &ob) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = check_server_name(name);
	if (werr == WERR_OK && level == 1) {
		t.cols = 1;
		t.cells = p1;
	} else if (werr == WERR_OK && level == 2) {
		t.cols = 3;
		t.cells = p2;
		t.dwords = p2_type;
	} else if (werr == WERR_OK) {
		werr = WERR_UNKNOWN_LEVEL;
	}
	return answer_table(call, &ob, &t, werr);
}

/* RpcEnumMonitors (36) */
static uint32_t op_enum_monitors(struct wg_rpc_call *call)
{
	static const char *const m1[] = { WG_MONITOR };
	static const char *const m2[] = {
		WG_MONITOR, SPOOLSS_ARCH, "localspl.dll",
	};
	struct str_table t = { .rows = 1 };
	struct out_buf ob = {};
	char *name = NULL;
	uint32_t level = 0, werr = WERR_OK;

	if (ndr_pull_unique_string(&call->in, &name) != 0 ||
	    ndr_pull_u32(&call->in, &level) != 0 ||
	    pull_out_buf(&call->in, &ob) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = check_server_name(name);
	if (werr == WERR_OK && level == 1) {
		t.cols = 1;
		t.cells = m1;
	} else if (werr == WERR_OK && level == 2) {
		t.cols = 3;
		t.cells = m2;
	} else if (werr == WERR_OK) {
		werr = WERR_UNKNOWN_LEVEL;
	}
	return answer_table(call, &ob, &t, werr);
}

/* The [in] pName, pEnvironment (or other string), Level, buffer. */
int pull_name_env_level(struct wg_rpc_call *call, char **name,
			char **env, uint32_t *level,
			struct out_buf *ob)
{
	int rc = ndr_pull_unique_string(&call->in, name);

	if (rc == 0) {
		rc = ndr_pull_unique_string(&call->in, env);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(&call->in, level);
	}
	if (rc == 0) {
		rc = pull_out_buf(&call->in, ob);
	}
	return rc;
}

/* RpcEnumPrintProcessors (15): winprint, which prints RAW. */
static uint32_t op_enum_print_processors(struct wg_rpc_call *call)
{
	static const char *const pp[] = { "winprint" };
	struct str_table t = { .rows = 1, .cols = 1, .cells = pp };
	struct out_buf ob = {};
	char *name = NULL, *env = NULL;
	uint32_t level = 0, werr = WERR_OK;

	if (pull_name_env_level(call, &name, &env, &level, &ob) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = check_server_name(name);
	if (werr == WERR_OK && environment_of(env) == NULL) {
		werr = WERR_INVALID_ENVIRONMENT;
	} else if (werr == WERR_OK && level != 1) {
		werr = WERR_UNKNOWN_LEVEL;
	}
	return answer_table(call, &ob, &t, werr);
}

/* RpcEnumPrintProcessorDatatypes (51): RAW, of winprint. */
static uint32_t op_enum_print_proc_datatypes(struct wg_rpc_call *call)
{
	static const char *const dt[] = { "RAW" };
	struct str_table t = { .rows = 1, .cols = 1, .cells = dt };
	struct out_buf ob = {};
	char *name = NULL, *proc = NULL;
	uint32_t level = 0, werr = WERR_OK;

	if (pull_name_env_level(call, &name, &proc, &level, &ob) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = check_server_name(name);
	if (werr == WERR_OK && (proc == NULL ||
				strcasecmp(proc, "winprint") != 0)) {
		werr = WERR_UNKNOWN_PRINTPROCESSOR;
	} else if (werr == WERR_OK && level != 1) {
		werr = WERR_UNKNOWN_LEVEL;
	}
	return answer_table(call, &ob, &t, werr);
}

/*
 * RpcGetPrinterDriverDirectory (12) and RpcGetPrintProcessorDirectory
 * (16): level 1 is the bare NUL-terminated path, no offsets; like Windows
 * we answer it for any level. The paths are where Windows keeps them:
 * nothing is stored there through us.
 */
static uint32_t get_directory(struct wg_rpc_call *call, const char *fmt)
{
	struct out_buf ob = {};
	struct wire_wr w;
	char *name = NULL, *env = NULL, *path = NULL;
	const char *arch = NULL;
	uint32_t level = 0, werr = WERR_OK;

	if (pull_name_env_level(call, &name, &env, &level, &ob) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = check_server_name(name);
	arch = environment_of(env);
	if (werr == WERR_OK && arch == NULL) {
		werr = WERR_INVALID_ENVIRONMENT;
	}
	(void)level;
	wire_wr_init(&w, call->mem, SPOOLSS_MAX_OUT);
	if (werr == WERR_OK) {
		const char *sub = strcasecmp(arch, SPOOLSS_ARCH) == 0 ? "x64" :
				  strcasecmp(arch, "Windows NT x86") == 0 ?
				  "W32X86" : strcasecmp(arch, "Windows 4.0") ==
				  0 ? "WIN40" : strcasecmp(arch,
				  "Windows IA64") == 0 ? "IA64" : "ARM64";

		path = talloc_asprintf(call->mem, fmt,
				       wg_rpc_server(call)->netbios_name, sub);
		if (path == NULL) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
		(void)wire_wr_reserve(&w, utf16_len_of_utf8(path) + 2);
		wire_put_utf16(&w, path);
		wire_put_u16le(&w, 0);
		if (wire_wr_error(&w) != 0) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
	}
	push_out_buf(call, &ob, w.buf, w.len, &werr);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* RpcGetPrinterDriverDirectory (12) */
static uint32_t op_get_printer_driver_directory(struct wg_rpc_call *call)
{
	return get_directory(call, "\\\\%s\\print$\\%s");
}

/* RpcGetPrintProcessorDirectory (16) */
static uint32_t op_get_print_processor_directory(struct wg_rpc_call *call)
{
	return get_directory(call,
			     "C:\\Windows\\system32\\spool\\PRTPROCS\\%.0s%s");
}

/* --- forms [MS-RPRN 2.2.1.5.x, 2.2.2.4.x] --- */

#define FORM_USER		0u
#define FORM_BUILTIN		1u
#define FORM_PRINTER		2u
#define STRING_NONE		1u
/* User and printer forms the whole server keeps (in memory only). */
#define SPOOLSS_MAX_FORMS	SPOOLSS_FORM_SLOTS
/* Longest form name we keep, in UTF-8 bytes (Windows: 31 characters). */
#define SPOOLSS_FORM_NAME_MAX	63

/* Sizes in thousandths of a millimetre; the whole page is printable. */
struct form {
	const char *name;
	uint32_t flags;
	uint32_t cx, cy;
	int32_t left, top, right, bottom;
};

/* The standard forms every Windows print server has (a subset). */
static const struct form builtin_forms[] = {
	{ "Letter", FORM_BUILTIN, 215900, 279400, 0, 0, 215900, 279400 },
	{ "Legal", FORM_BUILTIN, 215900, 355600, 0, 0, 215900, 355600 },
	{ "Executive", FORM_BUILTIN, 184150, 266700, 0, 0, 184150, 266700 },
	{ "Tabloid", FORM_BUILTIN, 279400, 431800, 0, 0, 279400, 431800 },
	{ "Statement", FORM_BUILTIN, 139700, 215900, 0, 0, 139700, 215900 },
	{ "A3", FORM_BUILTIN, 297000, 420000, 0, 0, 297000, 420000 },
	{ "A4", FORM_BUILTIN, 210000, 297000, 0, 0, 210000, 297000 },
	{ "A5", FORM_BUILTIN, 148000, 210000, 0, 0, 148000, 210000 },
	{ "B4 (JIS)", FORM_BUILTIN, 257000, 364000, 0, 0, 257000, 364000 },
	{ "B5 (JIS)", FORM_BUILTIN, 182000, 257000, 0, 0, 182000, 257000 },
	{ "Envelope #10", FORM_BUILTIN, 104775, 241300, 0, 0, 104775,
	  241300 },
	{ "Envelope DL", FORM_BUILTIN, 110000, 220000, 0, 0, 110000, 220000 },
	{ "Envelope C5", FORM_BUILTIN, 162000, 229000, 0, 0, 162000, 229000 },
	{ "Envelope Monarch", FORM_BUILTIN, 98425, 190500, 0, 0, 98425,
	  190500 },
};
#define N_BUILTIN_FORMS	(sizeof(builtin_forms) / sizeof(builtin_forms[0]))

/*
 * Forms added with AddForm: the server's, not a pipe's (Windows keeps
 * them in its registry; we keep them until the daemon restarts), at most
 * SPOOLSS_MAX_FORMS of them.
 */
static struct user_form {
	bool used;
	char name[SPOOLSS_FORM_NAME_MAX + 1];
	struct form f;
} user_forms[SPOOLSS_MAX_FORMS];

static unsigned n_user_forms(void)
{
	unsigned n = 0;

	for (size_t i = 0; i < SPOOLSS_MAX_FORMS; i++) {
		n += user_forms[i].used;
	}
	return n;
}

int spoolss_user_form(size_t i, const char **name, uint8_t out[32])
{
	const struct form *f = NULL;
	uint32_t w[8];

	if (i >= SPOOLSS_MAX_FORMS || !user_forms[i].used) {
		return -ENOENT;
	}
	f = &user_forms[i].f;
	w[0] = f->cx;
	w[1] = f->cy;
	w[2] = (uint32_t)f->left;
	w[3] = (uint32_t)f->top;
	w[4] = (uint32_t)f->right;
	w[5] = (uint32_t)f->bottom;
	w[6] = (uint32_t)(N_BUILTIN_FORMS + i + 1);	/* its index */
	w[7] = f->flags;
	for (size_t k = 0; k < 8; k++) {
		wire_setle32(out + 4 * k, w[k]);
	}
	*name = user_forms[i].name;
	return 0;
}

/* The builtin or user form of that name (case-insensitive), or NULL. */
static const struct form *form_find(const char *name, struct user_form **uf)
{
	if (uf != NULL) {
		*uf = NULL;
	}
	for (size_t i = 0; name != NULL && i < N_BUILTIN_FORMS; i++) {
		if (strcasecmp(builtin_forms[i].name, name) == 0) {
			return &builtin_forms[i];
		}
	}
	for (size_t i = 0; name != NULL && i < SPOOLSS_MAX_FORMS; i++) {
		if (user_forms[i].used &&
		    strcasecmp(user_forms[i].name, name) == 0) {
			if (uf != NULL) {
				*uf = &user_forms[i];
			}
			return &user_forms[i].f;
		}
	}
	return NULL;
}

/* The n-th form of the list (builtins first), or NULL past the end. */
static const struct form *form_at(size_t n)
{
	if (n < N_BUILTIN_FORMS) {
		return &builtin_forms[n];
	}
	n -= N_BUILTIN_FORMS;
	for (size_t i = 0; i < SPOOLSS_MAX_FORMS; i++) {
		if (user_forms[i].used && n-- == 0) {
			return &user_forms[i].f;
		}
	}
	return NULL;
}

/*
 * An ANSI string's offset and bytes (pKeyword): non-ASCII become '?';
 * padded to an even length so the UTF-16 strings after it stay aligned.
 */
static void blob_ascii(struct info_blob *b, const char *s)
{
	size_t n = strlen(s) + 1;

	wire_put_u32le(&b->fixed, (uint32_t)(b->fixed_total + b->var.len -
					     b->entry_start));
	for (; *s != '\0'; s++) {
		wire_put_u8(&b->var, (unsigned char)*s < 0x80 ? (uint8_t)*s :
			    '?');
	}
	wire_put_zero(&b->var, 1 + n % 2);
}

/* FORM_INFO_1 (32 bytes) or FORM_INFO_2 (56). */
static void form_info(struct info_blob *b, uint32_t level,
		      const struct form *f)
{
	blob_entry(b);
	blob_u32(b, f->flags);
	blob_str(b, f->name);
	blob_u32(b, f->cx);
	blob_u32(b, f->cy);
	blob_u32(b, (uint32_t)f->left);
	blob_u32(b, (uint32_t)f->top);
	blob_u32(b, (uint32_t)f->right);
	blob_u32(b, (uint32_t)f->bottom);
	if (level == 2) {
		blob_ascii(b, f->name);		/* pKeyword */
		blob_u32(b, STRING_NONE);	/* StringType */
		blob_str(b, NULL);		/* pMuiDll */
		blob_u32(b, 0);			/* dwResourceId */
		blob_str(b, f->name);		/* pDisplayName */
		wire_put_u16le(&b->fixed, 0);	/* wLangId */
		wire_put_u16le(&b->fixed, 0);	/* unused */
	}
}

/* Forms first..first+n as one blob. */
static int forms_blob(TALLOC_CTX *mem, uint32_t level, size_t first,
		      size_t n, uint8_t **data, size_t *len)
{
	struct info_blob b;

	blob_init(&b, mem, n, level == 1 ? 32 : 56);
	for (size_t i = first; i < first + n; i++) {
		form_info(&b, level, form_at(i));
	}
	return blob_finish(&b, mem, data, len);
}

/* RpcEnumForms (34): the builtin forms, then the added ones. */
static uint32_t op_enum_forms(struct wg_rpc_call *call)
{
	struct out_buf ob = {};
	struct prn_handle *h = NULL;
	uint8_t *data = NULL;
	uint32_t level = 0, werr = WERR_OK;
	size_t n = N_BUILTIN_FORMS + n_user_forms(), len = 0;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_u32(&call->in, &level) != 0 ||
	    pull_out_buf(&call->in, &ob) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (level != 1 && level != 2) {
		werr = WERR_UNKNOWN_LEVEL;
	} else if (forms_blob(call->mem, level, 0, n, &data, &len) != 0) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	push_out_buf(call, &ob, data, len, &werr);
	ndr_push_u32(&call->out, werr == WERR_OK ? (uint32_t)n : 0);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* RpcGetForm (32) */
static uint32_t op_get_form(struct wg_rpc_call *call)
{
	struct out_buf ob = {};
	struct prn_handle *h = NULL;
	struct info_blob b;
	const struct form *f = NULL;
	char *name = NULL;
	uint8_t *data = NULL;
	uint32_t level = 0, werr = WERR_OK;
	size_t len = 0;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_string(&call->in, &name) != 0 ||
	    ndr_pull_u32(&call->in, &level) != 0 ||
	    pull_out_buf(&call->in, &ob) != 0) {
		return DCERPC_FAULT_NDR;
	}
	f = form_find(name, NULL);
	if (level != 1 && level != 2) {
		werr = WERR_UNKNOWN_LEVEL;
	} else if (f == NULL) {
		werr = WERR_INVALID_FORM_NAME;
	} else {
		blob_init(&b, call->mem, 1, level == 1 ? 32 : 56);
		form_info(&b, level, f);
		if (blob_finish(&b, call->mem, &data, &len) != 0) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
	}
	push_out_buf(call, &ob, data, len, &werr);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/*
 * A FORM_CONTAINER [MS-RPRN 2.2.1.2.4] of level 1 into *f (the name a
 * child of the call). *level is what the client sent; a level other than
 * 1 leaves *f alone (the caller answers UNKNOWN_LEVEL).
 */
static int pull_form_container(struct ndr_pull *in, uint32_t *level,
			       struct form *f, char **name)
{
	uint32_t disc = 0, ref = 0, name_ref = 0, v[6] = { 0 };
	int rc = ndr_pull_u32(in, level);

	*name = NULL;
	if (rc == 0) {
		rc = ndr_pull_u32(in, &disc);
	}
	if (rc == 0 && disc != *level) {
		return WIRE_E_INVALID;
	}
	if (rc == 0) {
		rc = ndr_pull_ptr(in, &ref);
	}
	if (rc != 0 || *level != 1 || ref == 0) {
		return rc;
	}
	rc = ndr_pull_u32(in, &f->flags);
	if (rc == 0) {
		rc = ndr_pull_ptr(in, &name_ref);
	}
	for (int i = 0; rc == 0 && i < 6; i++) {
		rc = ndr_pull_u32(in, &v[i]);
	}
	if (rc == 0 && name_ref != 0) {
		rc = ndr_pull_string(in, name);
	}
	f->cx = v[0];
	f->cy = v[1];
	f->left = (int32_t)v[2];
	f->top = (int32_t)v[3];
	f->right = (int32_t)v[4];
	f->bottom = (int32_t)v[5];
	return rc;
}

/* What AddForm/SetForm say of a form's flags, name and size. */
static uint32_t check_form(const struct form *f, const char *name)
{
	if (f->flags > FORM_PRINTER || name == NULL || name[0] == '\0' ||
	    strlen(name) > SPOOLSS_FORM_NAME_MAX) {
		return WERR_INVALID_PARAMETER;
	}
	if (f->cx == 0 || f->cy == 0) {
		return WERR_INVALID_FORM_SIZE;
	}
	return WERR_OK;
}

/*
 * RpcAddForm (30): an administrator adds a user or printer form to the
 * server's list; a name already there (builtin or not) is FILE_EXISTS,
 * a new builtin form INVALID_PARAMETER.
 */
static uint32_t op_add_form(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	struct form f = {};
	struct user_form *slot = NULL;
	char *name = NULL;
	uint32_t level = 0, werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (pull_form_container(&call->in, &level, &f, &name) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (level != 1) {
		werr = WERR_UNKNOWN_LEVEL;
	} else if (!wg_rpc_is_admin(call)) {
		werr = WERR_ACCESS_DENIED;
	} else if ((werr = check_form(&f, name)) != WERR_OK) {
		/* answered */
	} else if (form_find(name, NULL) != NULL) {
		werr = WERR_FILE_EXISTS;
	} else if (f.flags == FORM_BUILTIN) {
		werr = WERR_INVALID_PARAMETER;
	}
	for (size_t i = 0; werr == WERR_OK && i < SPOOLSS_MAX_FORMS; i++) {
		if (!user_forms[i].used) {
			slot = &user_forms[i];
			break;
		}
	}
	if (werr == WERR_OK && slot == NULL) {
		werr = WERR_NO_SYSTEM_RESOURCES;
	}
	if (werr == WERR_OK) {
		memset(slot, 0, sizeof(*slot));
		memcpy(slot->name, name, strlen(name));
		slot->f = f;
		slot->f.name = slot->name;
		slot->used = true;
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* RpcSetForm (33): a user or printer form's new flags and sizes. */
static uint32_t op_set_form(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	struct form f = {};
	struct user_form *uf = NULL;
	const struct form *old = NULL;
	char *name = NULL, *info_name = NULL;
	uint32_t level = 0, werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_string(&call->in, &name) != 0 ||
	    pull_form_container(&call->in, &level, &f, &info_name) != 0) {
		return DCERPC_FAULT_NDR;
	}
	old = form_find(name, &uf);
	if (level != 1) {
		werr = WERR_UNKNOWN_LEVEL;
	} else if (!wg_rpc_is_admin(call)) {
		werr = WERR_ACCESS_DENIED;
	} else if (old == NULL) {
		werr = WERR_INVALID_FORM_NAME;
	} else if (uf == NULL || f.flags == FORM_BUILTIN) {
		/* builtin forms are not changed */
		werr = WERR_INVALID_PARAMETER;
	} else if ((werr = check_form(&f, name)) == WERR_OK) {
		f.name = uf->name;
		uf->f = f;
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* RpcDeleteForm (31): user and printer forms only. */
static uint32_t op_delete_form(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	struct user_form *uf = NULL;
	char *name = NULL;
	uint32_t werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_string(&call->in, &name) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (!wg_rpc_is_admin(call)) {
		werr = WERR_ACCESS_DENIED;
	} else if (form_find(name, &uf) == NULL) {
		werr = WERR_INVALID_FORM_NAME;
	} else if (uf == NULL) {
		werr = WERR_INVALID_PARAMETER;
	} else {
		memset(uf, 0, sizeof(*uf));
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* --- package-aware drivers and per-machine connections --- */

/* Most CORE_PRINTER_DRIVER entries a client may ask for at once. */
#define SPOOLSS_MAX_CORE_DRIVERS	64
#define CORE_PRINTER_DRIVER_SIZE	552u

/* A [size_is(n)] wchar_t array (the MULTI_SZ of GetCorePrinterDrivers). */
static int skip_wchar_array(struct ndr_pull *in, uint32_t n)
{
	const uint8_t *data = NULL;
	uint32_t count = 0;
	int rc = ndr_pull_u32(in, &count);

	if (rc == 0 && count != n) {
		rc = WIRE_E_INVALID;
	}
	if (rc == 0 && count > in->max_count) {
		rc = WIRE_E_TOOBIG;
	}
	if (rc == 0) {
		rc = wire_get_ptr(&in->r, &data, (size_t)count * 2);
	}
	if (rc == 0) {
		rc = ndr_pull_align(in, 4);
	}
	return rc;
}

/*
 * RpcGetCorePrinterDrivers (102): this server has no package-aware
 * drivers, so no core driver is found: every entry comes back zeroed
 * with HRESULT_FROM_WIN32(ERROR_NOT_FOUND), as Windows answers for a
 * GUID it does not have.
 */
static uint32_t op_get_core_printer_drivers(struct wg_rpc_call *call)
{
	char *server = NULL, *env = NULL;
	uint32_t cch = 0, n = 0, hres = WG_HRES_ERROR_NOT_FOUND;

	if (ndr_pull_unique_string(&call->in, &server) != 0 ||
	    ndr_pull_string(&call->in, &env) != 0 ||
	    ndr_pull_u32(&call->in, &cch) != 0 ||
	    skip_wchar_array(&call->in, cch) != 0 ||
	    ndr_pull_u32(&call->in, &n) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (n > SPOOLSS_MAX_CORE_DRIVERS) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	if (cch == 0 || n == 0) {
		/* no dependency named, or no room for an answer */
		hres = WG_HRES_E_INVALIDARG;
	} else if (check_server_name(server) != WERR_OK) {
		hres = 0x80070000u | WERR_INVALID_NAME;
	} else if (environment_of(env) == NULL) {
		hres = 0x80070000u | WERR_INVALID_ENVIRONMENT;
	}
	ndr_push_u32(&call->out, n);			/* conformance */
	if (n > 0) {
		ndr_push_align(&call->out, 8);
		wire_put_zero(&call->out.w,
			      (size_t)n * CORE_PRINTER_DRIVER_SIZE);
	}
	ndr_push_u32(&call->out, hres);
	return 0;
}

/*
 * RpcGetPrinterDriverPackagePath (104): no driver packages here, so the
 * package's cab file is not found (as Windows answers for a package it
 * does not have); the buffer comes back as sent, no size needed.
 */
static uint32_t op_get_printer_driver_package_path(struct wg_rpc_call *call)
{
	char *server = NULL, *env = NULL, *lang = NULL, *package = NULL;
	const uint8_t *cab = NULL;
	uint32_t ref = 0, count = 0, cch = 0;
	uint32_t hres = WG_HRES_ERROR_FILE_NOT_FOUND;
	int rc = ndr_pull_unique_string(&call->in, &server);

	if (rc == 0) {
		rc = ndr_pull_string(&call->in, &env);
	}
	if (rc == 0) {
		rc = ndr_pull_unique_string(&call->in, &lang);
	}
	if (rc == 0) {
		rc = ndr_pull_string(&call->in, &package);
	}
	if (rc == 0) {
		rc = ndr_pull_ptr(&call->in, &ref);
	}
	if (rc == 0 && ref != 0) {
		rc = ndr_pull_u32(&call->in, &count);
		if (rc == 0 && count > call->in.max_count) {
			rc = WIRE_E_TOOBIG;
		}
		if (rc == 0) {
			rc = wire_get_ptr(&call->in.r, &cab,
					  (size_t)count * 2);
		}
		if (rc == 0) {
			rc = ndr_pull_align(&call->in, 4);
		}
	}
	if (rc == 0) {
		rc = ndr_pull_u32(&call->in, &cch);
	}
	if (rc != 0 || (ref != 0 && count != cch)) {
		return DCERPC_FAULT_NDR;
	}
	if (check_server_name(server) != WERR_OK) {
		hres = 0x80070000u | WERR_INVALID_NAME;
	} else if (environment_of(env) == NULL) {
		hres = 0x80070000u | WERR_INVALID_ENVIRONMENT;
	}
	if (ref == 0) {
		ndr_push_u32(&call->out, 0);
	} else {
		ndr_push_referent(&call->out);
		ndr_push_u32(&call->out, count);
		ndr_push_bytes(&call->out, cab, (size_t)count * 2);
		ndr_push_align(&call->out, 4);
	}
	ndr_push_u32(&call->out, 0);		/* pcchRequiredSize */
	ndr_push_u32(&call->out, hres);
	return 0;
}

/*
 * RpcAddPerMachineConnection (85): a printer connection for every user
 * who logs on to the server machine. Its users do not print through
 * us, so there is nothing to record: a well-formed "\\server\printer"
 * from an administrator is accepted and changes nothing; a malformed
 * name is INVALID_PRINTER_NAME and anyone else ACCESS_DENIED, as on
 * Windows.
 */
/* What a per-machine connection's server and printer names get. */
static uint32_t check_connection(struct wg_rpc_call *call, const char *server,
				 const char *printer)
{
	const char *slash = NULL;

	if (printer[0] == '\\' && printer[1] == '\\') {
		slash = strchr(printer + 2, '\\');
	}
	if (check_server_name(server) != WERR_OK) {
		return WERR_INVALID_NAME;
	}
	if (slash == NULL || slash == printer + 2 || slash[1] == '\0' ||
	    strchr(slash + 1, '\\') != NULL) {
		return WERR_INVALID_PRINTER_NAME;
	}
	return wg_rpc_is_admin(call) ? WERR_OK : WERR_ACCESS_DENIED;
}

static uint32_t op_add_per_machine_connection(struct wg_rpc_call *call)
{
	char *server = NULL, *printer = NULL, *ps = NULL, *provider = NULL;

	if (ndr_pull_unique_string(&call->in, &server) != 0 ||
	    ndr_pull_string(&call->in, &printer) != 0 ||
	    ndr_pull_string(&call->in, &ps) != 0 ||
	    ndr_pull_string(&call->in, &provider) != 0) {
		return DCERPC_FAULT_NDR;
	}
	ndr_push_u32(&call->out, check_connection(call, server, printer));
	return 0;
}

/*
 * RpcDeletePerMachineConnection (86): none is ever recorded, so a
 * well-formed name is not found.
 */
static uint32_t op_delete_per_machine_connection(struct wg_rpc_call *call)
{
	char *server = NULL, *printer = NULL;
	uint32_t werr = WERR_OK;

	if (ndr_pull_unique_string(&call->in, &server) != 0 ||
	    ndr_pull_string(&call->in, &printer) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = check_connection(call, server, printer);
	ndr_push_u32(&call->out, werr == WERR_OK ? WERR_INVALID_PRINTER_NAME :
		     werr);
	return 0;
}

/* RpcEnumPerMachineConnections (87): none (see AddPerMachineConnection). */
static uint32_t op_enum_per_machine_connections(struct wg_rpc_call *call)
{
	struct str_table t = {};
	struct out_buf ob = {};
	char *server = NULL;

	if (ndr_pull_unique_string(&call->in, &server) != 0 ||
	    pull_out_buf(&call->in, &ob) != 0) {
		return DCERPC_FAULT_NDR;
	}
	return answer_table(call, &ob, &t, check_server_name(server));
}

static const wg_rpc_op spoolss_ops[] = {
	[0] = op_enum_printers,
	[1] = op_open_printer,
	[2] = op_set_job,
	[3] = op_get_job,
	[4] = op_enum_jobs,
	[5] = op_add_printer,
	[6] = op_delete_printer,
	[7] = op_set_printer,
	[8] = op_get_printer,
	[10] = op_enum_printer_drivers,
	[11] = op_get_printer_driver,
	[12] = op_get_printer_driver_directory,
	[15] = op_enum_print_processors,
	[16] = op_get_print_processor_directory,
	[17] = op_start_doc,
	[18] = op_page,
	[19] = op_write_printer,
	[20] = op_page,
	[23] = op_end_doc,
	[24] = op_add_job,
	[26] = op_get_printer_data,
	[27] = op_set_printer_data,
	[29] = op_close_printer,
	[30] = op_add_form,
	[31] = op_delete_form,
	[32] = op_get_form,
	[33] = op_set_form,
	[34] = op_enum_forms,
	[35] = op_enum_ports,
	[36] = op_enum_monitors,
	[40] = op_create_printer_ic,
	[41] = op_play_gdi_script_on_printer_ic,
	[42] = op_delete_printer_ic,
	[51] = op_enum_print_proc_datatypes,
	[53] = op_get_printer_driver2,
	[56] = op_find_close_change,
	[62] = op_find_first_change,
	[65] = op_find_first_change_ex,
	[67] = op_refresh_change,
	[69] = op_open_printer_ex,
	[70] = op_add_printer_ex,
	[72] = op_enum_printer_data,
	[73] = op_delete_printer_data,
	[77] = op_set_printer_data_ex,
	[78] = op_get_printer_data_ex,
	[79] = op_enum_printer_data_ex,
	[80] = op_enum_printer_key,
	[81] = op_delete_printer_data_ex,
	[82] = op_delete_printer_key,
	[85] = op_add_per_machine_connection,
	[86] = op_delete_per_machine_connection,
	[87] = op_enum_per_machine_connections,
	[97] = op_send_recv_bidi_data,
	[102] = op_get_core_printer_drivers,
	[104] = op_get_printer_driver_package_path,
	[110] = op_get_job_named_property,
	[111] = op_set_job_named_property,
	[112] = op_delete_job_named_property,
	[113] = op_enum_job_named_properties,
	[116] = op_log_job_info_for_branch_office,
};

const struct wg_rpc_iface wg_spoolss_iface = {
	.name = "spoolss",
	.uuid = "12345678-1234-abcd-ef00-0123456789ab",
	.major = 1,
	.minor = 0,
	.ops = spoolss_ops,
	.n_ops = sizeof(spoolss_ops) / sizeof(spoolss_ops[0]),
	.state_new = spoolss_state_new,
	.close_handles = spoolss_close_handles,
	.handle_count = spoolss_handle_count,
};
