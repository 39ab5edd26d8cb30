/*
 * spoolss_notify.c - change notifications [MS-RPRN 3.1.4.10] and the
 * printers' change ids.
 *
 * A notification in MS-RPRN is a call back: the server opens the
 * client's own spooler with RpcReplyOpenPrinter and sends it
 * RpcRouterReplyPrinterEx when something changes. wgsmbd makes no
 * outgoing connections, so RpcRemoteFindFirstPrinterChangeNotification(Ex)
 * validates the request and then answers as a Windows server does when
 * it cannot reach the client: ERROR_NOT_SUPPORTED, and no notification
 * object. Windows' client spooler then polls the printer (GetPrinter,
 * EnumJobs) instead, which is what it does for any server behind a
 * firewall; the Add Printer wizard completes either way. Consequently no
 * handle ever has a notification object: RpcRouterRefreshPrinterChange-
 * Notification and RpcFindClosePrinterChangeNotification answer
 * ERROR_INVALID_HANDLE for a valid printer handle, as MS-RPRN asks for a
 * handle that was not used with a successful FindFirst.
 *
 * What a polling client compares is PRINTER_INFO_0's cChangeID: it
 * changes whenever what we say about the printer changes.
 */
#include "pipes/spoolss_int.h"

#include <string.h>

#define NOTIFY_OPTIONS_VERSION	2u
#define PRINTER_NOTIFY_TYPE	0u
#define JOB_NOTIFY_TYPE		1u
/* Most types and fields per type we read (Windows has 2 and 28). */
#define NOTIFY_MAX_TYPES	8u
#define NOTIFY_MAX_FIELDS	64u
/* cbBuffer of RpcRemoteFindFirstPrinterChangeNotification: range(0,512) */
#define NOTIFY_MAX_BUFFER	512u

/*
 * The [in, unique] RPC_V2_NOTIFY_OPTIONS* of FindFirstEx and Refresh
 * [MS-RPRN 2.2.1.13.1]: Version, Flags, Count, a unique pointer to Count
 * RPC_V2_NOTIFY_OPTIONS_TYPE (Type, Reserved0-2, Count, a unique pointer
 * to Count unsigned shorts), the deferred arrays after the types.
 * 0 and *werr WERR_OK or INVALID_PARAMETER (a version other than 2, an
 * unknown type); a WIRE_E_* error when the bytes do not decode (counts
 * differing from their arrays' or over the caps are WIRE_E_INVALID).
 */
static int pull_notify_options(struct ndr_pull *in, uint32_t *werr)
{
	uint32_t ref = 0, version = 0, flags = 0, count = 0, types = 0;
	uint32_t n_fields[NOTIFY_MAX_TYPES] = {};
	uint32_t fields_ref[NOTIFY_MAX_TYPES] = {};
	int rc = ndr_pull_ptr(in, &ref);

	*werr = WERR_OK;
	if (rc != 0 || ref == 0) {
		return rc;
	}
	rc = ndr_pull_u32(in, &version);
	if (rc == 0) {
		rc = ndr_pull_u32(in, &flags);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(in, &count);
	}
	if (rc == 0) {
		rc = ndr_pull_ptr(in, &types);
	}
	if (rc == 0 && (count > NOTIFY_MAX_TYPES || (types == 0) !=
						     (count == 0))) {
		rc = WIRE_E_INVALID;
	}
	if (rc != 0 || types == 0) {
		goto out;
	}
	rc = ndr_pull_array_size(in, 20, &types);
	if (rc == 0 && types != count) {
		rc = WIRE_E_INVALID;
	}
	for (uint32_t i = 0; rc == 0 && i < count; i++) {
		uint16_t type = 0, r0 = 0;
		uint32_t r1 = 0, r2 = 0;

		rc = ndr_pull_u16(in, &type);
		if (rc == 0) {
			rc = ndr_pull_u16(in, &r0);
		}
		if (rc == 0) {
			rc = ndr_pull_u32(in, &r1);
		}
		if (rc == 0) {
			rc = ndr_pull_u32(in, &r2);
		}
		if (rc == 0) {
			rc = ndr_pull_u32(in, &n_fields[i]);
		}
		if (rc == 0) {
			rc = ndr_pull_ptr(in, &fields_ref[i]);
		}
		if (rc == 0 && (n_fields[i] > NOTIFY_MAX_FIELDS ||
				(fields_ref[i] == 0) != (n_fields[i] == 0))) {
			rc = WIRE_E_INVALID;
		}
		if (rc == 0 && type != PRINTER_NOTIFY_TYPE &&
		    type != JOB_NOTIFY_TYPE) {
			*werr = WERR_INVALID_PARAMETER;
		}
	}
	for (uint32_t i = 0; rc == 0 && i < count; i++) {
		uint32_t n = 0;

		if (fields_ref[i] == 0) {
			continue;
		}
		rc = ndr_pull_array_size(in, 2, &n);
		if (rc == 0 && n != n_fields[i]) {
			rc = WIRE_E_INVALID;
		}
		for (uint32_t f = 0; rc == 0 && f < n; f++) {
			uint16_t field = 0;

			rc = ndr_pull_u16(in, &field);
		}
	}
out:
	if (rc == 0 && version != NOTIFY_OPTIONS_VERSION) {
		*werr = WERR_INVALID_PARAMETER;
	}
	(void)flags;
	return rc;
}

/*
 * The arguments both FindFirst forms start with, after the printer
 * handle: fdwFlags, fdwOptions, pszLocalMachine, dwPrinterLocal. Returns
 * 0 or a WIRE_E_* code; nothing of them is used (see the top).
 */
static int pull_find_first_head(struct ndr_pull *in)
{
	char *machine = NULL;
	uint32_t flags = 0, options = 0, local = 0;
	int rc = ndr_pull_u32(in, &flags);

	if (rc == 0) {
		rc = ndr_pull_u32(in, &options);
	}
	if (rc == 0) {
		rc = ndr_pull_unique_string(in, &machine);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(in, &local);
	}
	return rc;
}

/* RpcRemoteFindFirstPrinterChangeNotificationEx (65): see the top. */
uint32_t op_find_first_change_ex(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	uint32_t werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	rc = pull_find_first_head(&call->in);
	if (rc == 0) {
		rc = pull_notify_options(&call->in, &werr);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	ndr_push_u32(&call->out, werr != WERR_OK ? werr : WERR_NOT_SUPPORTED);
	return 0;
}

/* RpcRemoteFindFirstPrinterChangeNotification (62): as the Ex form. */
uint32_t op_find_first_change(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	const uint8_t *data = NULL;
	uint32_t cb = 0, ref = 0, n = 0;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	rc = pull_find_first_head(&call->in);
	if (rc == 0) {
		rc = ndr_pull_u32(&call->in, &cb);
	}
	if (rc == 0) {
		rc = ndr_pull_ptr(&call->in, &ref);
	}
	if (rc == 0 && ref != 0) {
		rc = ndr_pull_conformant_bytes(&call->in, &data, &n);
	}
	if (rc != 0 || cb > NOTIFY_MAX_BUFFER || (ref != 0 && n != cb)) {
		return DCERPC_FAULT_NDR;
	}
	/* [in, out] pBuffer: back as it came */
	if (ref == 0) {
		ndr_push_u32(&call->out, 0);
	} else {
		ndr_push_referent(&call->out);
		ndr_push_u32(&call->out, n);
		ndr_push_bytes(&call->out, data, n);
		wire_put_align(&call->out.w, 4);
	}
	ndr_push_u32(&call->out, WERR_NOT_SUPPORTED);
	return 0;
}

/* RpcRouterRefreshPrinterChangeNotification (67): no object to refresh. */
uint32_t op_refresh_change(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	uint32_t color = 0, werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	rc = ndr_pull_u32(&call->in, &color);
	if (rc == 0) {
		rc = pull_notify_options(&call->in, &werr);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	ndr_push_u32(&call->out, 0);		/* *ppInfo: NULL */
	ndr_push_u32(&call->out, werr != WERR_OK ? werr :
				 WERR_INVALID_HANDLE);
	return 0;
}

/* RpcFindClosePrinterChangeNotification (56): no object to close. */
uint32_t op_find_close_change(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	ndr_push_u32(&call->out, WERR_INVALID_HANDLE);
	return 0;
}

static uint32_t fnv1a(uint32_t hash, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		hash = (hash ^ (uint8_t)*s) * 16777619u;
	}
	return (hash ^ 0xffu) * 16777619u;	/* NULL and "" differ */
}

uint32_t spoolss_change_id(const struct wg_admin_share *p)
{
	uint32_t hash = 2166136261u;

	hash = fnv1a(hash, p->name);
	hash = fnv1a(hash, p->comment);
	hash = fnv1a(hash, p->path);
	hash = fnv1a(hash, SPOOLSS_DRIVER_NAME);
	return hash != 0 ? hash : 1;
}
