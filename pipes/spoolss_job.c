/*
 * spoolss_job.c - print jobs over spoolss [MS-RPRN 3.1.4.3, 3.1.4.9]:
 * documents sent with StartDocPrinter, WritePrinter and EndDocPrinter,
 * and the queue EnumJobs lists. The jobs themselves live in smbd's print
 * queue, reached through the wg_print_ops hooks (pipe.h).
 */
#include "pipes/spoolss_int.h"

#include <string.h>
#include <strings.h>
#include <time.h>

/* DOC_INFO_CONTAINER -> DOC_INFO_1 strings (any may be NULL). */
static int pull_doc_info(struct ndr_pull *in, uint32_t *level,
			 char **doc, char **datatype)
{
	uint32_t disc = 0, ref = 0, refs[3] = { 0 };
	char *strs[3] = { NULL };
	int rc = ndr_pull_u32(in, level);

	if (rc == 0) {
		rc = ndr_pull_u32(in, &disc);
	}
	if (rc == 0) {
		rc = ndr_pull_ptr(in, &ref);
	}
	if (rc == 0 && (disc != *level || *level != 1)) {
		/* Only DOC_INFO_1 exists; the caller answers the level. */
		return disc != *level ? WIRE_E_INVALID : 0;
	}
	for (int i = 0; rc == 0 && ref != 0 && i < 3; i++) {
		rc = ndr_pull_ptr(in, &refs[i]);
	}
	for (int i = 0; rc == 0 && ref != 0 && i < 3; i++) {
		if (refs[i] != 0) {
			rc = ndr_pull_string(in, &strs[i]);
		}
	}
	*doc = strs[0];
	*datatype = strs[2];
	return rc;
}

/* RpcStartDocPrinter (17) */
uint32_t op_start_doc(struct wg_rpc_call *call)
{
	const struct wg_print_ops *print = call->env->print;
	struct prn_handle *h = NULL;
	char *doc = NULL, *datatype = NULL;
	uint32_t level = 0, job_id = 0, werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (pull_doc_info(&call->in, &level, &doc, &datatype) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (level != 1) {
		werr = WERR_UNKNOWN_LEVEL;
	} else if (h->printer == NULL) {
		werr = WERR_INVALID_HANDLE;
	} else if (datatype != NULL && strcasecmp(datatype, "RAW") != 0) {
		werr = WERR_INVALID_DATATYPE;
	} else if (h->job != NULL) {
		werr = WERR_INVALID_PRINTER_STATE;
	} else if (print == NULL || print->job_start == NULL) {
		werr = WERR_NOT_SUPPORTED;
	}
	if (werr == WERR_OK) {
		h->job = print->job_start(print->priv, h, h->printer,
					  doc != NULL ? doc : "document",
					  call->env->user != NULL ?
					  call->env->user : "", &job_id);
		if (h->job == NULL) {
			werr = WERR_CAN_NOT_COMPLETE;
		}
		h->job_id = job_id;
	}
	ndr_push_u32(&call->out, werr == WERR_OK ? job_id : 0);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* RpcWritePrinter (19) */
uint32_t op_write_printer(struct wg_rpc_call *call)
{
	const struct wg_print_ops *print = call->env->print;
	struct prn_handle *h = NULL;
	const uint8_t *data = NULL;
	uint32_t count = 0, cb = 0, written = 0, werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_conformant_bytes(&call->in, &data, &count) != 0 ||
	    ndr_pull_u32(&call->in, &cb) != 0 || cb != count) {
		return DCERPC_FAULT_NDR;
	}
	if (h->job == NULL) {
		werr = WERR_SPL_NO_STARTDOC;
	} else if (print->job_write(print->priv, h->job, data, count) != 0) {
		werr = WERR_CAN_NOT_COMPLETE;
	} else {
		written = count;
	}
	ndr_push_u32(&call->out, written);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* RpcEndDocPrinter (23) */
uint32_t op_end_doc(struct wg_rpc_call *call)
{
	const struct wg_print_ops *print = call->env->print;
	struct prn_handle *h = NULL;
	uint32_t werr = WERR_OK;
	void *job = NULL;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (h->job == NULL) {
		werr = WERR_SPL_NO_STARTDOC;
	} else {
		job = h->job;
		h->job = NULL;
		if (print->job_end(print->priv, job) != 0) {
			werr = WERR_CAN_NOT_COMPLETE;
		}
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* RpcStartPagePrinter (18), RpcEndPagePrinter (20): RAW has no pages. */
uint32_t op_page(struct wg_rpc_call *call)
{
	struct prn_handle *h = NULL;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	ndr_push_u32(&call->out, h->job != NULL ? WERR_OK :
		     WERR_SPL_NO_STARTDOC);
	return 0;
}

/* --- jobs --- */

struct job_list {
	uint32_t *ids;
	char **names;
	uint64_t *sizes;
	size_t n;
};

static void job_info(struct info_blob *b, uint32_t level, const char *server,
		     const char *printer, const struct job_list *jl, size_t i)
{
	blob_entry(b);
	blob_u32(b, jl->ids[i]);
	blob_str(b, printer);
	blob_str(b, server);			/* machine */
	blob_str(b, "");			/* user: not recorded */
	blob_str(b, jl->names[i] != NULL ? jl->names[i] : "");
	if (level == 2) {
		blob_str(b, "");		/* notify name */
	}
	blob_str(b, "RAW");
	if (level == 2) {
		blob_str(b, "winprint");
		blob_str(b, "");		/* parameters */
		blob_str(b, "");		/* driver */
		blob_u32(b, 0);			/* DEVMODE */
	}
	blob_str(b, NULL);			/* status string */
	if (level == 2) {
		blob_u32(b, 0);			/* security descriptor */
	}
	blob_u32(b, 0);				/* status */
	blob_u32(b, 1);				/* priority */
	blob_u32(b, (uint32_t)i + 1);		/* position */
	if (level == 2) {
		blob_u32(b, 0);			/* start time */
		blob_u32(b, 0);			/* until time */
		blob_u32(b, 0);			/* total pages */
		blob_u32(b, jl->sizes[i] > UINT32_MAX ? UINT32_MAX :
			 (uint32_t)jl->sizes[i]);
		blob_systemtime(b, time(NULL));
		blob_u32(b, 0);			/* time */
		blob_u32(b, 0);			/* pages printed */
		return;
	}
	blob_u32(b, 0);				/* total pages */
	blob_u32(b, 0);				/* pages printed */
	blob_systemtime(b, time(NULL));
}

/* Jobs first..first+count of the handle's printer, as a blob. */
static uint32_t jobs_blob(struct wg_rpc_call *call, struct prn_handle *h,
			  uint32_t level, uint32_t first, uint32_t count,
			  uint8_t **data, size_t *len, size_t *n_out)
{
	const struct wg_print_ops *print = call->env->print;
	struct job_list jl = {};
	struct info_blob b;
	const char *server = server_unc(call);
	size_t n = 0;

	if (print == NULL || print->list_jobs == NULL ||
	    print->list_jobs(print->priv, call->mem, h->printer, &jl.ids,
			     &jl.names, &jl.sizes, &jl.n) != 0) {
		return WERR_NOT_ENOUGH_MEMORY;
	}
	if (first < jl.n) {
		n = jl.n - first < count ? jl.n - first : count;
	}
	*n_out = n;
	if (n == 0) {
		return WERR_OK;
	}
	blob_init(&b, call->mem, n, level == 1 ? 64 : 104);
	for (size_t i = first; i < first + n; i++) {
		job_info(&b, level, server, h->printer, &jl, i);
	}
	if (server == NULL || blob_finish(&b, call->mem, data, len) != 0) {
		return WERR_NOT_ENOUGH_MEMORY;
	}
	return WERR_OK;
}

/* RpcEnumJobs (4) */
uint32_t op_enum_jobs(struct wg_rpc_call *call)
{
	struct out_buf ob = {};
	struct prn_handle *h = NULL;
	uint8_t *data = NULL;
	uint32_t first = 0, count = 0, level = 0, werr = WERR_OK;
	size_t len = 0, n = 0;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_u32(&call->in, &first) != 0 ||
	    ndr_pull_u32(&call->in, &count) != 0 ||
	    ndr_pull_u32(&call->in, &level) != 0 ||
	    pull_out_buf(&call->in, &ob) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (level != 1 && level != 2) {
		werr = WERR_UNKNOWN_LEVEL;
	} else if (h->printer == NULL) {
		werr = WERR_INVALID_HANDLE;
	} else {
		werr = jobs_blob(call, h, level, first, count, &data, &len,
				 &n);
	}
	push_out_buf(call, &ob, data, len, &werr);
	ndr_push_u32(&call->out, werr == WERR_OK ? (uint32_t)n : 0);
	ndr_push_u32(&call->out, werr);
	return 0;
}
