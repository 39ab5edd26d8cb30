/*
 * spoolss_int.h - inside the spoolss service only: what spoolss.c shares
 * with the files that serve the rest of [MS-RPRN] (spoolss_driver.c:
 * drivers and change notifications; spoolss_printer.c: adding, changing
 * and deleting printers and their data). Not for other pipes.
 */
#ifndef WG_PIPES_SPOOLSS_INT_H
#define WG_PIPES_SPOOLSS_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "pipes/rpc.h"
#include "proto/wire.h"

/* Most bytes we answer for a client-sized [out] buffer (nSize). */
#define SPOOLSS_MAX_OUT		(1024 * 1024)

/* The environment (architecture) this server reports as its own. */
#define SPOOLSS_ARCH		"Windows x64"

/* Printer handles one session may hold, over all its spoolss pipes. */
#define SPOOLSS_MAX_HANDLES	64

#define PRINTER_ENUM_LOCAL	0x00000002u
#define PRINTER_ENUM_NAME	0x00000008u
#define PRINTER_ENUM_ICON8	0x00800000u
#define PRINTER_ATTRIBUTE_SHARED 0x00000008u
#define PRINTER_ATTRIBUTE_LOCAL	0x00000040u
#define DSPRINT_UNPUBLISH	0x00000004u
/* The ports EnumPorts lists; every one prints the same way. */
#define WG_PORT			"wgsmb:"
#define WG_PORT_LPT		"LPT1:"

/*
 * The descriptors we answer with [MS-RPRN 2.2.3.1 access values]:
 * administrators may do anything, everyone may print (a printer) or
 * enumerate (the server). Who may administer is smb.conf's admin users;
 * these describe it. A printer made over RPC keeps the one it is given.
 */
#define PRINTER_SDDL	"O:BAG:SYD:(A;;0xf000c;;;BA)(A;;0x20008;;;WD)"
#define SERVER_SDDL	"O:BAG:SYD:(A;;0xf0003;;;BA)(A;;0x20002;;;WD)"
#define SECINFO_ALL	0x0000000fu

/* The driver every printer uses (spoolss_driver.c says why this one). */
#define SPOOLSS_DRIVER_NAME	"MS Publisher Imagesetter"

struct spoolss_state {
	const struct wg_pipe_env *env;
	struct prn_handle *handles;
	unsigned n_handles;
};

/* A printer or server handle; owned by its pipe's spoolss_state. */
struct prn_handle {
	struct prn_handle *prev, *next;
	struct spoolss_state *st;
	uint8_t wire[NDR_HANDLE_LEN];
	char *printer;			/* NULL: a server handle */
	char *server;			/* "\\name" as the client named us,
					 * NULL: it gave a bare printer name */
	struct sm_handle *smh;		/* NULL when no session tracks it */
	time_t opened;
	time_t last_used;
	void *job;			/* a document in progress */
	uint32_t job_id;
	bool ic;			/* an information context (GDI_HANDLE,
					 * spoolss_ic.c), not a printer handle:
					 * pull_handle() does not find it */
};

/*
 * Pull a context handle from call->in and find it on this pipe (touching
 * it). 0, -ENOENT (not ours) or -EINVAL (does not decode); *out is NULL
 * on failure. handle_fault() turns the error into the call's fault.
 */
int pull_handle(struct wg_rpc_call *call, struct prn_handle **out);
uint32_t handle_fault(int rc);

/*
 * A custom-marshaled INFO blob [MS-RPRN 2.2.2]: every entry's fixed
 * portion, then the strings; each offset counts from its own entry.
 * blob_init() sizes the fixed part (entries * fixed_size), blob_entry()
 * starts an entry, blob_u32()/blob_str() append a field (blob_str(NULL)
 * is offset 0), blob_finish() joins both parts into *out (a child of mem):
 * 0, or a WIRE_E_* error (a wrong fixed size is WIRE_E_INVALID).
 */
struct info_blob {
	struct wire_wr fixed;		/* every entry's fixed portion */
	struct wire_wr var;		/* then the strings */
	size_t fixed_total;		/* entries * fixed size */
	size_t entry_start;		/* where the current entry starts */
};

void blob_init(struct info_blob *b, TALLOC_CTX *mem, size_t entries,
	       size_t fixed_size);
void blob_entry(struct info_blob *b);
void blob_u32(struct info_blob *b, uint32_t v);
void blob_str(struct info_blob *b, const char *s);
/* A self-relative descriptor or DEVMODE: its offset, its bytes 4-aligned. */
void blob_bytes4(struct info_blob *b, const uint8_t *data, size_t len);
void blob_systemtime(struct info_blob *b, time_t t);
int blob_finish(struct info_blob *b, TALLOC_CTX *mem, uint8_t **out,
		size_t *len);

/* The request's [in, unique, size_is(cbBuf)] BYTE* buffer and cbBuf. */
struct out_buf {
	bool present;
	uint32_t size;
};

/* 0 or a WIRE_E_* error (the conformance differs from cbBuf: invalid). */
int pull_out_buf(struct ndr_pull *in, struct out_buf *b);

/*
 * Push the [out] buffer the client sized (data only if all needed bytes
 * fit: *werr becomes INSUFFICIENT_BUFFER otherwise), then pcbNeeded.
 */
void push_out_buf(struct wg_rpc_call *call, const struct out_buf *b,
		  const uint8_t *data, size_t needed, uint32_t *werr);

/* The [in] pName, pEnvironment (or other string), Level, buffer. */
int pull_name_env_level(struct wg_rpc_call *call, char **name, char **env,
			uint32_t *level, struct out_buf *ob);

/* NULL or "" -> SPOOLSS_ARCH; a known environment's spelling; or NULL. */
const char *environment_of(const char *env);

/* pName of a server call: WERR_OK for NULL, "" or "\\server". */
uint32_t check_server_name(const char *name);

/* spoolss_driver.c: the operations, as spoolss.c's table lists them. */
uint32_t op_enum_printer_drivers(struct wg_rpc_call *call);
uint32_t op_get_printer_driver(struct wg_rpc_call *call);
uint32_t op_get_printer_driver2(struct wg_rpc_call *call);

/* spoolss_notify.c: change notifications (refused: no call back). */
uint32_t op_find_close_change(struct wg_rpc_call *call);
uint32_t op_find_first_change(struct wg_rpc_call *call);
uint32_t op_find_first_change_ex(struct wg_rpc_call *call);
uint32_t op_refresh_change(struct wg_rpc_call *call);

/*
 * PRINTER_INFO_0's cChangeID for printer p: never 0, the same for as long
 * as what we say about the printer (its share's name, comment, path, the
 * driver) is the same, different when that changes.
 */
uint32_t spoolss_change_id(const struct wg_admin_share *p);

/* --- printers (spoolss.c), for spoolss_printer.c --- */

/* What PRINTER_INFO levels are made of. */
struct printer_ctx {
	const char *server;		/* "\\NAME" or NULL: unc_printer */
	const struct wg_admin_share *p;
	size_t jobs;
	const uint8_t *sd;		/* the printer's descriptor */
	size_t sd_len;
	const struct wg_printer_def *def;	/* its settings, never NULL */
};

/* Handles the opening session holds (this pipe's if it has no ticket). */
unsigned handles_of_session(const struct spoolss_state *st);
/* The session holds SPOOLSS_MAX_HANDLES already (reported to the host). */
bool handle_budget_full(struct spoolss_state *st);
/* A new handle on this pipe (printer NULL: the server); NULL: no memory. */
struct prn_handle *handle_new(struct spoolss_state *st, const char *printer,
			      const char *server);
void push_handle_and_status(struct wg_rpc_call *call,
			    const struct prn_handle *h, uint32_t werr);
/*
 * OpenPrinter's name rules: a server handle (*out NULL) or a printer's
 * canonical name in *out; *server how the client named us. WERR_*.
 */
uint32_t resolve_printer(struct wg_rpc_call *call, const char *name,
			 const char **out, const char **server);
/* The printers (smb.conf's and those made over RPC), under call->mem. */
int list_printers(struct wg_rpc_call *call, struct wg_admin_share **out,
		  size_t *n);
/* A DEVMODE_CONTAINER, read past. 0 or WIRE_E_*. */
int skip_devmode_container(struct ndr_pull *in);
/* "\\server\printer", or the bare name when the client used that. */
const char *unc_printer(TALLOC_CTX *mem, const struct printer_ctx *c);

/*
 * spoolss_printer.c: printer's settings (printer_get, or the defaults of
 * an smb.conf printer share when the hook is missing), a child of
 * call->mem; NULL when out of memory or there is no such printer. Its
 * descriptor is the default (PRINTER_SDDL) when none was stored.
 */
const struct wg_printer_def *printer_def(struct wg_rpc_call *call,
					 const struct wg_admin_share *p);

/*
 * The printer's DEVMODE with dmDeviceName the printer's name as the
 * client gave it ("\\server\printer" or bare), as Windows answers: a
 * copy under mem (d's own when it has none); NULL when out of memory.
 */
uint8_t *devmode_named(TALLOC_CTX *mem, const struct wg_printer_def *d,
		       const char *name);

/* spoolss_printer.c: the operations it serves (dispatch in spoolss.c). */
uint32_t op_add_printer(struct wg_rpc_call *call);
uint32_t op_add_printer_ex(struct wg_rpc_call *call);
uint32_t op_delete_printer(struct wg_rpc_call *call);
uint32_t op_set_printer(struct wg_rpc_call *call);
uint32_t op_set_printer_data(struct wg_rpc_call *call);
uint32_t op_set_printer_data_ex(struct wg_rpc_call *call);
uint32_t op_enum_printer_data(struct wg_rpc_call *call);
uint32_t op_enum_printer_data_ex(struct wg_rpc_call *call);
uint32_t op_enum_printer_key(struct wg_rpc_call *call);
uint32_t op_delete_printer_data(struct wg_rpc_call *call);
uint32_t op_delete_printer_data_ex(struct wg_rpc_call *call);
uint32_t op_delete_printer_key(struct wg_rpc_call *call);
/*
 * The i-th slot of the forms AddForm made (spoolss.c), as Windows keeps
 * them in its registry (Print\Forms): cx, cy, left, top, right, bottom,
 * index, flags, 32 bytes into out; *name its name. 0, or -ENOENT for an
 * empty slot or i past the last (SPOOLSS_FORM_SLOTS).
 */
#define SPOOLSS_FORM_SLOTS	32
int spoolss_user_form(size_t i, const char **name, uint8_t out[32]);

/*
 * A printer's data (none for NULL): the stored values, then the
 * DsSpooler key made from its settings; an array under call->mem (a
 * value with name NULL is a key with no values). 0 or -errno.
 */
int printer_values(struct wg_rpc_call *call, const char *printer,
		   struct wg_printer_value **v, size_t *n);
/* A printer handle's value (false: none), for GetPrinterData(Ex). */
bool printer_value(struct wg_rpc_call *call, const char *printer,
		   const char *key, const char *name, uint32_t *type,
		   uint8_t **data, size_t *len);

/* "\\NAME", this server as clients name it (under call->mem). */
const char *server_unc(struct wg_rpc_call *call);

/* spoolss_job.c: documents and the job queue (dispatch in spoolss.c). */
uint32_t op_start_doc(struct wg_rpc_call *call);
uint32_t op_write_printer(struct wg_rpc_call *call);
uint32_t op_end_doc(struct wg_rpc_call *call);
uint32_t op_page(struct wg_rpc_call *call);
uint32_t op_enum_jobs(struct wg_rpc_call *call);
uint32_t op_get_job(struct wg_rpc_call *call);
uint32_t op_set_job(struct wg_rpc_call *call);
uint32_t op_add_job(struct wg_rpc_call *call);

/* spoolss_jobprop.c: Job Named Properties (dispatch in spoolss.c). */
uint32_t op_get_job_named_property(struct wg_rpc_call *call);
uint32_t op_set_job_named_property(struct wg_rpc_call *call);
uint32_t op_delete_job_named_property(struct wg_rpc_call *call);
uint32_t op_enum_job_named_properties(struct wg_rpc_call *call);
/*
 * SetJobNamedProperty's [in, ref] RPC_PrintNamedProperty*: p's strings
 * are children of in->mem, its buffer points into the stub. 0, or a
 * WIRE_E_* error (an unknown value type is WIRE_E_INVALID); p->name is
 * NULL when the client sent none.
 */
int spoolss_pull_named_property(struct ndr_pull *in, struct wg_job_prop *p);

/*
 * spoolss_ic.c: printer information contexts (opnums 40-42), bidi data
 * (97) and branch office job logs (116); dispatch in spoolss.c.
 */
uint32_t op_create_printer_ic(struct wg_rpc_call *call);
uint32_t op_play_gdi_script_on_printer_ic(struct wg_rpc_call *call);
uint32_t op_delete_printer_ic(struct wg_rpc_call *call);
uint32_t op_send_recv_bidi_data(struct wg_rpc_call *call);
uint32_t op_log_job_info_for_branch_office(struct wg_rpc_call *call);

/* PlayGDIScriptOnPrinterIC's [in] parameters after the handle. */
struct gdi_script_req {
	const uint8_t *in;		/* pIn, into the stub */
	uint32_t c_in;
	uint32_t c_out;			/* at most SPOOLSS_MAX_OUT */
	uint32_t ul;
};

/*
 * Pull pIn (a conformant array whose count must be cIn), cIn, cOut and
 * ul. 0, or WIRE_E_SHORT, WIRE_E_TOOBIG (cOut over SPOOLSS_MAX_OUT),
 * WIRE_E_INVALID (the array's count is not cIn).
 */
int spoolss_pull_gdi_script(struct ndr_pull *in, struct gdi_script_req *r);

/* Most entries one LogJobInfoForBranchOffice may carry. */
#define SPOOLSS_MAX_BRANCH_LOG	1024

/*
 * LogJobInfoForBranchOffice's RPC_BranchOfficeJobDataContainer, its
 * fixed part: the conformance, then cJobDataEntries, which must agree
 * and be at most SPOOLSS_MAX_BRANCH_LOG, and room left in the stub for
 * that many entries' fixed parts (eEventType, JobId, the union's tag).
 * The entries themselves are not read (nothing is logged). *count the
 * entries. 0, or WIRE_E_SHORT, WIRE_E_TOOBIG, WIRE_E_INVALID.
 */
int spoolss_pull_branch_log(struct ndr_pull *in, uint32_t *count);

#endif
