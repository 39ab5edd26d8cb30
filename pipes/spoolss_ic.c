/*
 * spoolss_ic.c - the [MS-RPRN] calls of a print server without a
 * graphics engine, bidirectional port monitors or an event log:
 * printer information contexts (RpcCreatePrinterIC 40,
 * RpcPlayGDIScriptOnPrinterIC 41, RpcDeletePrinterIC 42), answered as a
 * printer with no device fonts; RpcSendRecvBidiData (97), refused as
 * Windows refuses a printer whose port monitor has no bidi support; and
 * RpcLogJobInfoForBranchOffice (116), checked and accepted without
 * effect, as a server with branch office logging off does.
 *
 * An information context is a struct prn_handle with ic set: it is
 * owned by the pipe's spoolss_state like a printer handle, counts
 * against the same per-session budget (SPOOLSS_MAX_HANDLES) and goes
 * with the pipe; pull_handle() never finds it, so no printer call takes
 * one, and these calls take nothing else.
 */
#include "pipes/spoolss_int.h"

#include <errno.h>
#include <string.h>

/* The size of a UNIVERSAL_FONT_ID; the answer's count comes before. */
#define GDI_FONT_COUNT_LEN	4u

int spoolss_pull_gdi_script(struct ndr_pull *in, struct gdi_script_req *r)
{
	uint32_t count = 0;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	rc = ndr_pull_conformant_bytes(in, &r->in, &count);
	if (rc == 0) {
		rc = ndr_pull_align(in, 4);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(in, &r->c_in);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(in, &r->c_out);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(in, &r->ul);
	}
	if (rc != 0) {
		return rc;
	}
	if (count != r->c_in) {
		return WIRE_E_INVALID;
	}
	if (r->c_out > SPOOLSS_MAX_OUT) {
		return WIRE_E_TOOBIG;
	}
	return 0;
}

int spoolss_pull_branch_log(struct ndr_pull *in, uint32_t *count)
{
	uint32_t max = 0, n = 0;
	int rc = ndr_pull_u32(in, &max);

	*count = 0;
	if (rc == 0) {
		rc = ndr_pull_u32(in, &n);
	}
	if (rc != 0) {
		return rc;
	}
	if (max != n) {
		return WIRE_E_INVALID;
	}
	if (n > SPOOLSS_MAX_BRANCH_LOG) {
		return WIRE_E_TOOBIG;
	}
	/* eEventType (2, padded), JobId (4), the union's tag (2) */
	if (wire_left(&in->r) < (size_t)n * 10) {
		return WIRE_E_SHORT;
	}
	*count = n;
	return 0;
}

/* Pull a GDI_HANDLE and find the information context it names. */
static int pull_ic(struct wg_rpc_call *call, struct prn_handle **out)
{
	struct spoolss_state *st = call->state;
	uint8_t wire[NDR_HANDLE_LEN];

	*out = NULL;
	if (ndr_pull_handle(&call->in, wire) != 0) {
		return -EINVAL;
	}
	for (struct prn_handle *h = st->handles; h != NULL; h = h->next) {
		if (h->ic && memcmp(h->wire, wire, sizeof(wire)) == 0) {
			h->last_used = time(NULL);
			*out = h;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * RpcCreatePrinterIC (40): an information context on a printer (not the
 * server), with the printer's DEVMODE (the one given is read past: no
 * rendering happens here).
 */
uint32_t op_create_printer_ic(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL, *ic = NULL;
	uint32_t werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (skip_devmode_container(&call->in) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (h->printer == NULL) {
		werr = WERR_INVALID_HANDLE;
	} else if (handle_budget_full(call->state)) {
		werr = WERR_NO_SYSTEM_RESOURCES;
	} else {
		ic = handle_new(call->state, h->printer, h->server);
		if (ic == NULL) {
			werr = WERR_NOT_ENOUGH_MEMORY;
		} else {
			ic->ic = true;
		}
	}
	push_handle_and_status(call, ic, werr);
	return 0;
}

/*
 * RpcPlayGDIScriptOnPrinterIC (41): the one query Windows' clients make,
 * the printer's device fonts: a DWORD count and that many
 * UNIVERSAL_FONT_IDs in pOut. We have none: the count is 0. pOut too
 * small for the count is ERROR_NOT_ENOUGH_MEMORY. pOut (cOut bytes, as
 * the IDL sizes it) is always sent.
 */
uint32_t op_play_gdi_script_on_printer_ic(struct wg_rpc_call *call)
{
	struct gdi_script_req r;
	struct prn_handle *ic = NULL;
	uint8_t *out = NULL;
	uint32_t werr = WERR_OK;
	int rc = pull_ic(call, &ic);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (spoolss_pull_gdi_script(&call->in, &r) != 0) {
		return DCERPC_FAULT_NDR;
	}
	out = talloc_zero_array(call->mem, uint8_t, r.c_out + 1);
	if (out == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	if (r.c_out < GDI_FONT_COUNT_LEN) {
		werr = WERR_NOT_ENOUGH_MEMORY;
	}
	/* the count, 0, is already there */
	ndr_push_conformant_bytes(&call->out, out, r.c_out);
	ndr_push_align(&call->out, 4);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* RpcDeletePrinterIC (42): the context goes; a zeroed handle back. */
uint32_t op_delete_printer_ic(struct wg_rpc_call *call)
{
	struct prn_handle *ic = NULL;
	int rc = pull_ic(call, &ic);

	if (rc != 0) {
		return handle_fault(rc);
	}
	talloc_free(ic);
	push_handle_and_status(call, NULL, WERR_OK);
	return 0;
}

/*
 * RpcSendRecvBidiData (97): our printers' port (WG_PORT) has no
 * bidirectional monitor, so every action is ERROR_NOT_SUPPORTED with no
 * response container. Only the handle and the action are read: the
 * request container is for the monitor we do not have.
 */
uint32_t op_send_recv_bidi_data(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	char *action = NULL;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_unique_string(&call->in, &action) != 0) {
		return DCERPC_FAULT_NDR;
	}
	ndr_push_u32(&call->out, 0);		/* *ppRespData: NULL */
	ndr_push_u32(&call->out, action == NULL ? WERR_INVALID_PARAMETER :
			       WERR_NOT_SUPPORTED);
	return 0;
}

/*
 * RpcLogJobInfoForBranchOffice (116): the container is checked
 * (spoolss_pull_branch_log) on a printer handle and holds one or more
 * entries (none is ERROR_INVALID_PARAMETER); there is no event log to
 * write them to, so they are accepted without effect.
 */
uint32_t op_log_job_info_for_branch_office(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	uint32_t count = 0, werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (spoolss_pull_branch_log(&call->in, &count) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (h->printer == NULL) {
		werr = WERR_INVALID_HANDLE;
	} else if (count == 0) {
		werr = WERR_INVALID_PARAMETER;
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}
