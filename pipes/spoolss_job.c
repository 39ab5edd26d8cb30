/*
 * spoolss_job.c - print jobs over spoolss [MS-RPRN 3.1.4.3, 3.1.4.9]:
 * documents sent with StartDocPrinter, WritePrinter and EndDocPrinter,
 * and the queue EnumJobs lists. The jobs themselves live in smbd's print
 * queue, reached through the wg_print_ops hooks (pipe.h).
 */
#include "pipes/spoolss_int.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
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

/*
 * RpcStartDocPrinter (17): DOC_INFO_1 with datatype RAW or XPS_PASS
 * (XPS bytes that bypass the print filters: as RAW, passed on unchanged).
 */
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
	} else if (datatype != NULL && strcasecmp(datatype, "RAW") != 0 &&
		   strcasecmp(datatype, "XPS_PASS") != 0) {
		/* XPS_PASS: bytes for the printer as they are, as RAW */
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

#define JOB_INFO_1_SIZE		64u
#define JOB_INFO_2_SIZE		104u
#define JOB_INFO_3_SIZE		12u
#define JOB_INFO_4_SIZE		108u
#define JOB_PRIORITY_MAX	99u

/* The handle's printer's queue (children of call->mem); 0 or -errno. */
static int queue_of(struct wg_rpc_call *call, const struct prn_handle *h,
		    struct wg_print_job **q, size_t *n)
{
	const struct wg_print_ops *print = call->env->print;

	*q = NULL;
	*n = 0;
	if (print == NULL || print->jobs == NULL) {
		return 0;
	}
	return print->jobs(print->priv, call->mem, h->printer, q, n);
}

/* JOB_INFO_<level> of q[i] [MS-RPRN 2.2.1.7]; level 3 links to q[i+1]. */
static void job_info(struct info_blob *b, uint32_t level, const char *server,
		     const char *printer, const struct wg_print_job *q,
		     size_t n, size_t i)
{
	const struct wg_print_job *j = &q[i];
	bool two = level == 2 || level == 4;

	blob_entry(b);
	blob_u32(b, j->id);
	if (level == 3) {
		blob_u32(b, i + 1 < n ? q[i + 1].id : 0); /* NextJobId */
		blob_u32(b, 0);				/* Reserved */
		return;
	}
	blob_str(b, printer);
	blob_str(b, server);			/* machine */
	blob_str(b, j->user);
	blob_str(b, j->doc);
	if (two) {
		blob_str(b, j->user);		/* notify name */
	}
	blob_str(b, j->datatype);
	if (two) {
		blob_str(b, "winprint");
		blob_str(b, "");		/* parameters */
		blob_str(b, SPOOLSS_DRIVER_NAME);
		blob_u32(b, 0);			/* DEVMODE */
	}
	blob_str(b, NULL);			/* status string */
	if (two) {
		blob_u32(b, 0);			/* security descriptor */
	}
	blob_u32(b, j->status);
	blob_u32(b, j->priority);
	blob_u32(b, j->position);
	if (two) {
		blob_u32(b, 0);			/* start time */
		blob_u32(b, 0);			/* until time */
		blob_u32(b, 0);			/* total pages */
		blob_u32(b, (uint32_t)j->size);
		blob_systemtime(b, j->submitted);
		blob_u32(b, 0);			/* time */
		blob_u32(b, 0);			/* pages printed */
		if (level == 4) {
			blob_u32(b, (uint32_t)(j->size >> 32));
		}
		return;
	}
	blob_u32(b, 0);				/* total pages */
	blob_u32(b, 0);				/* pages printed */
	blob_systemtime(b, j->submitted);
}

static size_t job_info_size(uint32_t level)
{
	switch (level) {
	case 1:
		return JOB_INFO_1_SIZE;
	case 2:
		return JOB_INFO_2_SIZE;
	case 3:
		return JOB_INFO_3_SIZE;
	case 4:
		return JOB_INFO_4_SIZE;
	}
	return 0;
}

/* Entries first..first+count-1 of q as one blob (under call->mem). */
static uint32_t jobs_blob(struct wg_rpc_call *call, const char *printer,
			  uint32_t level, const struct wg_print_job *q,
			  size_t qn, size_t first, size_t count,
			  uint8_t **data, size_t *len)
{
	const char *server = server_unc(call);
	struct info_blob b;

	blob_init(&b, call->mem, count, job_info_size(level));
	for (size_t i = first; i < first + count; i++) {
		job_info(&b, level, server, printer, q, qn, i);
	}
	if (server == NULL || blob_finish(&b, call->mem, data, len) != 0) {
		return WERR_NOT_ENOUGH_MEMORY;
	}
	return WERR_OK;
}

/* RpcEnumJobs (4): levels 1 to 4. */
uint32_t op_enum_jobs(struct wg_rpc_call *call)
{
	struct out_buf ob = {};
	struct prn_handle *h = NULL;
	struct wg_print_job *q = NULL;
	uint8_t *data = NULL;
	uint32_t first = 0, count = 0, level = 0, werr = WERR_OK;
	size_t len = 0, n = 0, qn = 0;
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
	if (job_info_size(level) == 0) {
		werr = WERR_UNKNOWN_LEVEL;
	} else if (h->printer == NULL) {
		werr = WERR_INVALID_HANDLE;
	} else if (queue_of(call, h, &q, &qn) != 0) {
		werr = WERR_NOT_ENOUGH_MEMORY;
	} else if (first < qn) {
		n = qn - first < count ? qn - first : count;
		werr = jobs_blob(call, h->printer, level, q, qn, first, n,
				 &data, &len);
	}
	push_out_buf(call, &ob, data, len, &werr);
	ndr_push_u32(&call->out, werr == WERR_OK ? (uint32_t)n : 0);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* q's entry for job id, or -1. */
static ssize_t job_index(const struct wg_print_job *q, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++) {
		if (q[i].id == id) {
			return (ssize_t)i;
		}
	}
	return -1;
}

/*
 * RpcGetJob (3): JOB_INFO levels 1 to 4 of a job of the handle's
 * printer; an id not in its queue is INVALID_PARAMETER.
 */
uint32_t op_get_job(struct wg_rpc_call *call)
{
	struct out_buf ob = {};
	struct prn_handle *h = NULL;
	struct wg_print_job *q = NULL;
	uint8_t *data = NULL;
	uint32_t id = 0, level = 0, werr = WERR_OK;
	size_t len = 0, qn = 0;
	ssize_t i = -1;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_u32(&call->in, &id) != 0 ||
	    ndr_pull_u32(&call->in, &level) != 0 ||
	    pull_out_buf(&call->in, &ob) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (job_info_size(level) == 0) {
		werr = WERR_UNKNOWN_LEVEL;
	} else if (h->printer == NULL) {
		werr = WERR_INVALID_HANDLE;
	} else if (queue_of(call, h, &q, &qn) != 0) {
		werr = WERR_NOT_ENOUGH_MEMORY;
	} else if ((i = job_index(q, qn, id)) < 0) {
		werr = WERR_INVALID_PARAMETER;
	} else {
		werr = jobs_blob(call, h->printer, level, q, qn, (size_t)i,
				 1, &data, &len);
	}
	push_out_buf(call, &ob, data, len, &werr);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/*
 * What SetJob's JOB_CONTAINER carries that we use: the document name
 * (NULL: none given), priority, position.
 */
struct job_change {
	uint32_t level;
	char *doc;
	uint32_t priority;
	uint32_t position;
};

/*
 * A JOB_INFO_1, _2 or _4 as SetJob sends it [MS-RPRN 2.2.1.7]: the
 * scalars (string pointers, numbers, the SYSTEMTIME), then the strings
 * in order. Level 3 (JobId, NextJobId, Reserved) is read past.
 */
static int pull_job_info(struct ndr_pull *in, struct job_change *c)
{
	/* string pointers before Status: 6 at level 1, 10 at 2 and 4 */
	uint32_t refs[10] = { 0 }, nrefs = c->level == 1 ? 6 : 10;
	uint32_t id = 0, v = 0, skip = 0;
	char *strs[10] = { NULL };
	int rc = ndr_pull_u32(in, &id);

	if (c->level == 3) {
		for (int k = 0; rc == 0 && k < 2; k++) {
			rc = ndr_pull_u32(in, &v);
		}
		return rc;
	}
	for (uint32_t k = 0; rc == 0 && k < nrefs; k++) {
		/* at 2 and 4, pDevMode follows pDriverName and
		 * pSecurityDescriptor pStatus: ULONG_PTRs, not pointers */
		rc = ndr_pull_ptr(in, &refs[k]);
		if (rc == 0 && c->level != 1 && (k == 8 || k == 9)) {
			rc = ndr_pull_u32(in, &v);
		}
	}
	if (rc == 0) {
		rc = ndr_pull_u32(in, &v);		/* Status */
	}
	if (rc == 0) {
		rc = ndr_pull_u32(in, &c->priority);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(in, &c->position);
	}
	/* level 1: TotalPages, PagesPrinted, Submitted (4 u32);
	 * 2: StartTime, UntilTime, TotalPages, Size, Submitted, Time,
	 * PagesPrinted (10 u32); 4: and SizeHigh (11) */
	skip = c->level == 1 ? 6 : c->level == 2 ? 10 : 11;
	for (uint32_t k = 0; rc == 0 && k < skip; k++) {
		rc = ndr_pull_u32(in, &v);
	}
	for (uint32_t k = 0; rc == 0 && k < nrefs; k++) {
		if (refs[k] != 0) {
			rc = ndr_pull_string(in, &strs[k]);
		}
	}
	c->doc = strs[3];		/* pDocument */
	return rc;
}

/* [in, unique] JOB_CONTAINER*: *present false when the pointer is NULL. */
static int pull_job_container(struct ndr_pull *in, bool *present,
			      struct job_change *c)
{
	uint32_t ref = 0, disc = 0, info = 0;
	int rc = ndr_pull_ptr(in, &ref);

	*present = ref != 0;
	if (rc != 0 || ref == 0) {
		return rc;
	}
	rc = ndr_pull_u32(in, &c->level);
	if (rc == 0) {
		rc = ndr_pull_u32(in, &disc);
	}
	if (rc == 0 && disc != c->level) {
		rc = WIRE_E_INVALID;
	}
	if (rc == 0) {
		rc = ndr_pull_ptr(in, &info);
	}
	if (rc != 0 || info == 0) {
		return rc;
	}
	if (c->level < 1 || c->level > 4) {
		return WIRE_E_INVALID;	/* no arm to read */
	}
	return pull_job_info(in, c);
}

#define JOB_CONTROL_MAX		9u	/* JOB_CONTROL_RELEASE */

static uint32_t job_werr(int rc)
{
	switch (rc) {
	case 0:
		return WERR_OK;
	case -ENOENT:
		return WERR_INVALID_PARAMETER;
	case -ENOMEM:
		return WERR_NOT_ENOUGH_MEMORY;
	}
	return WERR_INVALID_PARAMETER;
}

/*
 * RpcSetJob (2) [MS-RPRN 3.1.4.3.1]: JOB_INFO 1, 2 or 4 change the
 * document name, priority and position; a command pauses, resumes,
 * restarts, cancels or deletes the job. Its owner or an administrator
 * may. Commands 6-9 (for port monitors, and retaining jobs) are accepted
 * and change nothing: jobs are not retained after printing.
 */
uint32_t op_set_job(struct wg_rpc_call *call)
{
	const struct wg_print_ops *print = call->env->print;
	struct job_change c = {};
	struct prn_handle *h = NULL;
	struct wg_print_job *q = NULL;
	uint32_t id = 0, cmd = 0, werr = WERR_OK;
	size_t qn = 0;
	ssize_t i = -1;
	bool present = false;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_u32(&call->in, &id) != 0 ||
	    pull_job_container(&call->in, &present, &c) != 0 ||
	    ndr_pull_u32(&call->in, &cmd) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (h->printer == NULL) {
		werr = WERR_INVALID_HANDLE;
	} else if (print == NULL || print->job_control == NULL ||
		   print->job_set == NULL) {
		werr = WERR_NOT_SUPPORTED;
	} else if (queue_of(call, h, &q, &qn) != 0) {
		werr = WERR_NOT_ENOUGH_MEMORY;
	} else if ((i = job_index(q, qn, id)) < 0) {
		werr = WERR_INVALID_PARAMETER;
	} else if (strcasecmp(q[i].user, call->env->user != NULL ?
			      call->env->user : "") != 0 &&
		   !wg_rpc_is_admin(call)) {
		werr = WERR_ACCESS_DENIED;
	} else if (cmd > JOB_CONTROL_MAX || (!present && cmd == 0)) {
		werr = WERR_INVALID_PARAMETER;
	} else if (present && c.level == 3) {
		werr = WERR_NOT_SUPPORTED;	/* linking jobs */
	} else if (present && (c.level < 1 || c.level > 4)) {
		werr = WERR_UNKNOWN_LEVEL;
	} else if (present && c.priority > JOB_PRIORITY_MAX) {
		werr = WERR_INVALID_PARAMETER;
	}
	if (werr == WERR_OK && present) {
		werr = job_werr(print->job_set(print->priv, h->printer, id,
					       c.doc, c.priority,
					       c.position));
	}
	if (werr == WERR_OK && cmd >= WG_JOB_PAUSE && cmd <= WG_JOB_DELETE) {
		werr = job_werr(print->job_control(print->priv, h->printer,
						   id, (enum wg_job_cmd)cmd));
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/*
 * RpcAddJob (24): ADDJOB_INFO_1 names a spool file for the client to
 * write itself, which only a local client can; a remote call is
 * INVALID_PARAMETER, as Windows answers [MS-RPRN 3.1.4.9.2]; another
 * level is UNKNOWN_LEVEL.
 */
uint32_t op_add_job(struct wg_rpc_call *call)
{
	struct out_buf ob = {};
	struct prn_handle *h = NULL;
	uint32_t level = 0, werr = WERR_OK;
	int rc = pull_handle(call, &h);

	if (rc != 0) {
		return handle_fault(rc);
	}
	if (ndr_pull_u32(&call->in, &level) != 0 ||
	    pull_out_buf(&call->in, &ob) != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = level != 1 ? WERR_UNKNOWN_LEVEL : h->printer == NULL ?
	       WERR_INVALID_HANDLE : WERR_INVALID_PARAMETER;
	push_out_buf(call, &ob, NULL, 0, &werr);
	ndr_push_u32(&call->out, werr);
	return 0;
}
