/*
 * spoolss_jobprop.c - Job Named Properties [MS-RPRN 3.1.4.12]: the
 * typed name=value pairs a client keeps with a print job
 * (RpcGetJobNamedPropertyValue 110, RpcSetJobNamedProperty 111,
 * RpcDeleteJobNamedProperty 112, RpcEnumJobNamedProperties 113). They
 * live with the job in smbd's print queue (the wg_print_ops job_prop*
 * hooks, pipe.h), which bounds them.
 *
 * RPC_PrintPropertyValue [2.2.1.14.1] on the wire (NDR32): the
 * structure is aligned to 8 (its union has a 64-bit arm), the type is
 * an enum (16 bits), then the union, aligned to 8 as its largest arm:
 * a [string] pointer, a LONG, a LONGLONG, a BYTE, or cbBuf and a
 * [size_is(cbBuf)] pointer. Pointees follow the scalars, in order.
 * Samba's IDL gives the union its own 16-bit copy of the type in the
 * padding between the two (smbtorture sends and expects it); MIDL's
 * non-encapsulated union leaves padding there. We read either (the
 * two bytes are 0 or the type) and write the copy, which a Windows
 * client skips as padding.
 */
#include "pipes/spoolss_int.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

/* A property value's scalars; *ref is its deferred pointer (string or
 * buffer), 0 when none. 0 or WIRE_E_* (an unknown type: INVALID). */
static int pull_value(struct ndr_pull *in, struct wg_job_prop *p,
		      uint32_t *ref)
{
	uint16_t type = 0, again = 0;
	uint32_t u32 = 0;
	uint64_t u64 = 0;
	uint8_t u8 = 0;
	int rc = ndr_pull_align(in, 8);

	*ref = 0;
	if (rc == 0) {
		rc = ndr_pull_u16(in, &type);
	}
	if (rc == 0) {
		rc = ndr_pull_u16(in, &again);
	}
	if (rc == 0 && again != 0 && again != type) {
		rc = WIRE_E_INVALID;
	}
	if (rc == 0) {
		rc = ndr_pull_align(in, 8);
	}
	if (rc != 0) {
		return rc;
	}
	p->type = (enum wg_prop_type)type;
	switch (type) {
	case WG_PROP_STRING:
		return ndr_pull_ptr(in, ref);
	case WG_PROP_INT32:
		rc = ndr_pull_u32(in, &u32);
		p->num = (int32_t)u32;
		return rc;
	case WG_PROP_INT64:
		rc = ndr_pull_u64(in, &u64);
		p->num = (int64_t)u64;
		return rc;
	case WG_PROP_BYTE:
		rc = ndr_pull_u8(in, &u8);
		p->num = u8;
		return rc;
	case WG_PROP_BUFFER:
		rc = ndr_pull_u32(in, &u32);
		if (rc == 0) {
			rc = ndr_pull_ptr(in, ref);
		}
		p->len = u32;
		return rc;
	}
	return WIRE_E_INVALID;
}

/* The value's pointee, if it has one (ref from pull_value). */
static int pull_value_deferred(struct ndr_pull *in, struct wg_job_prop *p,
			       uint32_t ref)
{
	const uint8_t *data = NULL;
	uint32_t count = 0;
	int rc = 0;

	if (ref == 0) {
		if (p->type == WG_PROP_BUFFER && p->len != 0) {
			return WIRE_E_INVALID;	/* cbBuf bytes, no buffer */
		}
		return 0;
	}
	if (p->type == WG_PROP_STRING) {
		return ndr_pull_string(in, &p->str);
	}
	rc = ndr_pull_conformant_bytes(in, &data, &count);
	if (rc == 0 && count != p->len) {
		rc = WIRE_E_INVALID;
	}
	if (rc == 0) {
		p->data = (uint8_t *)data;	/* into the stub */
	}
	return rc;
}

/* [in, ref] RPC_PrintNamedProperty*: name and value. 0 or WIRE_E_*. */
int spoolss_pull_named_property(struct ndr_pull *in, struct wg_job_prop *p)
{
	uint32_t name_ref = 0, value_ref = 0;
	int rc = ndr_pull_align(in, 8);

	*p = (struct wg_job_prop) {};
	if (rc == 0) {
		rc = ndr_pull_ptr(in, &name_ref);
	}
	if (rc == 0) {
		rc = pull_value(in, p, &value_ref);
	}
	if (rc == 0 && name_ref != 0) {
		rc = ndr_pull_string(in, &p->name);
	}
	if (rc == 0) {
		rc = pull_value_deferred(in, p, value_ref);
	}
	return rc;
}

static void push_blob(struct ndr_push *out, const void *arg)
{
	const struct wg_job_prop *p = arg;

	ndr_push_conformant_bytes(out, p->data, (uint32_t)p->len);
}

/* A value's scalars; its pointee is queued for the next flush. */
static void push_value(struct ndr_push *out, const struct wg_job_prop *p)
{
	ndr_push_align(out, 8);
	ndr_push_u16(out, (uint16_t)p->type);
	ndr_push_u16(out, (uint16_t)p->type);	/* the union's, see above */
	ndr_push_align(out, 8);
	switch (p->type) {
	case WG_PROP_STRING:
		ndr_push_unique_string(out, p->str != NULL ? p->str : "");
		break;
	case WG_PROP_INT32:
		ndr_push_u32(out, (uint32_t)(int32_t)p->num);
		break;
	case WG_PROP_INT64:
		ndr_push_u64(out, (uint64_t)p->num);
		break;
	case WG_PROP_BYTE:
		ndr_push_u8(out, (uint8_t)p->num);
		break;
	case WG_PROP_BUFFER:
		ndr_push_u32(out, (uint32_t)p->len);
		ndr_push_ptr(out, p->len > 0 ? p : NULL, push_blob);
		break;
	}
}

static uint32_t prop_werr(int rc)
{
	switch (rc) {
	case 0:
		return WERR_OK;
	case -ENOENT:
		return WERR_INVALID_PARAMETER;	/* no such job */
	case -ENODATA:
		return WERR_NOT_FOUND;		/* no such property */
	case -ENOSPC:
		return WERR_NO_SYSTEM_RESOURCES;
	case -ENOMEM:
		return WERR_NOT_ENOUGH_MEMORY;
	}
	return WERR_INVALID_PARAMETER;
}

/*
 * What every call checks: the handle, JobId not 0, the hooks. A server
 * handle looks for the job on every printer (printer NULL).
 */
static uint32_t prop_check(struct wg_rpc_call *call, uint32_t id)
{
	const struct wg_print_ops *print = call->env->print;

	if (id == 0) {
		return WERR_INVALID_PARAMETER;
	}
	if (print == NULL || print->job_props == NULL ||
	    print->job_prop_set == NULL || print->job_prop_delete == NULL) {
		return WERR_NOT_SUPPORTED;
	}
	return WERR_OK;
}

/*
 * Only the job's owner or an administrator changes its properties, as
 * with SetJob: WERR_OK, or ACCESS_DENIED, or the job's lookup error.
 */
static uint32_t may_change(struct wg_rpc_call *call, const char *printer,
			   uint32_t id)
{
	const struct wg_print_ops *print = call->env->print;
	struct wg_print_job *q = NULL;
	const char *user = call->env->user != NULL ? call->env->user : "";
	size_t n = 0;

	if (wg_rpc_is_admin(call)) {
		return WERR_OK;
	}
	if (printer == NULL || print->jobs == NULL ||
	    print->jobs(print->priv, call->mem, printer, &q, &n) != 0) {
		return WERR_ACCESS_DENIED;
	}
	for (size_t i = 0; i < n; i++) {
		if (q[i].id == id) {
			return strcasecmp(q[i].user, user) == 0 ? WERR_OK :
			       WERR_ACCESS_DENIED;
		}
	}
	return WERR_INVALID_PARAMETER;
}

/* RpcGetJobNamedPropertyValue (110) */
uint32_t op_get_job_named_property(struct wg_rpc_call *call)
{
	const struct wg_print_ops *print = call->env->print;
	struct prn_handle *h = NULL;
	struct wg_job_prop *v = NULL;
	const struct wg_job_prop *found = NULL;
	struct wg_job_prop none = { .type = WG_PROP_INT32 };
	char *name = NULL;
	uint32_t id = 0, werr = WERR_OK;
	size_t n = 0;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_u32(&call->in, &id) != 0 ||
	    ndr_pull_string(&call->in, &name) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = prop_check(call, id);
	if (werr == WERR_OK) {
		werr = prop_werr(print->job_props(print->priv, call->mem,
						  h->printer, id, &v, &n));
	}
	for (size_t i = 0; werr == WERR_OK && i < n; i++) {
		if (strcmp(v[i].name, name) == 0) {
			found = &v[i];
		}
	}
	if (werr == WERR_OK && found == NULL) {
		werr = WERR_NOT_FOUND;
	}
	/* on failure an INT32 0: a value the client can still decode */
	push_value(&call->out, found != NULL ? found : &none);
	ndr_push_flush(&call->out);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* RpcSetJobNamedProperty (111): create or replace; owner or admin. */
uint32_t op_set_job_named_property(struct wg_rpc_call *call)
{
	const struct wg_print_ops *print = call->env->print;
	struct prn_handle *h = NULL;
	struct wg_job_prop p = {};
	uint32_t id = 0, werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_u32(&call->in, &id) != 0 ||
	    spoolss_pull_named_property(&call->in, &p) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = prop_check(call, id);
	if (werr == WERR_OK && (p.name == NULL || p.name[0] == '\0' ||
				(p.type == WG_PROP_STRING && p.str == NULL))) {
		werr = WERR_INVALID_PARAMETER;
	}
	if (werr == WERR_OK) {
		werr = may_change(call, h->printer, id);
	}
	if (werr == WERR_OK) {
		werr = prop_werr(print->job_prop_set(print->priv, h->printer,
						     id, &p,
						     call->env->client_ip));
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* RpcDeleteJobNamedProperty (112): owner or admin. */
uint32_t op_delete_job_named_property(struct wg_rpc_call *call)
{
	const struct wg_print_ops *print = call->env->print;
	struct prn_handle *h = NULL;
	char *name = NULL;
	uint32_t id = 0, werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_u32(&call->in, &id) != 0 ||
	    ndr_pull_string(&call->in, &name) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = prop_check(call, id);
	if (werr == WERR_OK) {
		werr = may_change(call, h->printer, id);
	}
	if (werr == WERR_OK) {
		werr = prop_werr(print->job_prop_delete(print->priv,
							h->printer, id,
							name));
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* RpcEnumJobNamedProperties (113): every property, in order set. */
uint32_t op_enum_job_named_properties(struct wg_rpc_call *call)
{
	const struct wg_print_ops *print = call->env->print;
	struct prn_handle *h = NULL;
	struct wg_job_prop *v = NULL;
	uint32_t id = 0, werr = WERR_OK;
	size_t n = 0;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_u32(&call->in, &id) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = prop_check(call, id);
	if (werr == WERR_OK) {
		werr = prop_werr(print->job_props(print->priv, call->mem,
						  h->printer, id, &v, &n));
	}
	if (werr != WERR_OK) {
		n = 0;
	}
	ndr_push_u32(&call->out, (uint32_t)n);
	if (n == 0) {
		ndr_push_u32(&call->out, 0);	/* *ppProperties NULL */
	} else {
		ndr_push_referent(&call->out);
		ndr_push_u32(&call->out, (uint32_t)n);	/* conformance */
		for (size_t i = 0; i < n; i++) {
			ndr_push_align(&call->out, 8);
			ndr_push_unique_string(&call->out, v[i].name);
			push_value(&call->out, &v[i]);
		}
		ndr_push_flush(&call->out);
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}
