/*
 * pipe.h - named pipes on IPC$ as smbd sees them: a byte stream in
 * (WRITE, or the input of FSCTL_PIPE_TRANSCEIVE) and a byte stream out
 * (READ, or the output of the transceive). Behind it, DCE/RPC over
 * named pipes [MS-RPCE §2.1.1.2]: bind, request fragments, responses.
 *
 * pipes/ depends on sessions/ and proto/ only; what it needs from the
 * daemon comes in through struct wg_pipe_env.
 */
#ifndef WG_PIPES_PIPE_H
#define WG_PIPES_PIPE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <time.h>
#include "proto/sid.h"
#include "sessions/admin.h"
#include "sessions/sessmgr.h"

struct users_db;

/*
 * A printer as spoolss describes it (PRINTER_INFO_2's settings). Printers
 * made over RPC (AddPrinter) are `runtime`: an admin may change and
 * delete them; smb.conf's printer shares are not runtime and stay as
 * configured. Strings are never NULL ("" when unset).
 */
struct wg_printer_def {
	char *name;		/* printer name */
	char *share_name;	/* its share (runtime: "" = the name) */
	char *comment;
	char *location;
	char *driver;
	char *port;
	char *print_processor;
	char *datatype;
	char *parameters;
	char *sepfile;
	uint32_t attributes;
	uint32_t priority;
	uint32_t default_priority;
	uint32_t start_time;
	uint32_t until_time;
	uint8_t *sd;		/* self-relative descriptor; NULL: default */
	size_t sd_len;
	uint8_t *devmode;	/* the printer's DEVMODE; NULL: default */
	size_t devmode_len;
	uint32_t change_id;	/* moves on every change of the printer */
	bool runtime;
};

/* One value of a printer's data: key ("PrinterDriverData", "a\\b"). */
struct wg_printer_value {
	char *key;
	char *name;
	uint32_t type;		/* REG_SZ, REG_DWORD, REG_BINARY ... */
	uint8_t *data;
	size_t len;
};

/*
 * A job in a printer's queue, as spoolss describes it (JOB_INFO): sent
 * through spoolss or written to the printer's share. Strings are never
 * NULL.
 */
struct wg_print_job {
	uint32_t id;
	char *doc;
	char *user;
	char *datatype;
	uint64_t size;		/* bytes spooled so far */
	uint32_t status;	/* WG_JOB_STATUS_* */
	uint32_t priority;	/* 1..99 */
	uint32_t position;	/* in the queue, from 1 */
	time_t submitted;
};

/* JOB_STATUS bits [MS-RPRN 2.2.3.12] the queue reports. */
#define WG_JOB_STATUS_PAUSED	0x00000001u
#define WG_JOB_STATUS_SPOOLING	0x00000008u
#define WG_JOB_STATUS_PRINTING	0x00000010u

/*
 * A Job Named Property [MS-RPRN 2.2.1.14]: a name and a typed value,
 * kept with its job and gone with it.
 */
enum wg_prop_type {
	WG_PROP_STRING = 1,	/* str */
	WG_PROP_INT32 = 2,	/* num */
	WG_PROP_INT64 = 3,	/* num */
	WG_PROP_BYTE = 4,	/* num */
	WG_PROP_BUFFER = 5,	/* data, len */
};

struct wg_job_prop {
	char *name;
	enum wg_prop_type type;
	int64_t num;
	char *str;
	uint8_t *data;
	size_t len;
};

/* What job_control does (the JOB_CONTROL values of SetJob). */
enum wg_job_cmd {
	WG_JOB_PAUSE = 1,
	WG_JOB_RESUME = 2,
	WG_JOB_CANCEL = 3,
	WG_JOB_RESTART = 4,
	WG_JOB_DELETE = 5,
};

/* A print job submitted through spoolss (or a print share). */
struct wg_print_ops {
	void *priv;
	/* The printer shares: names and comments (talloc array under mem). */
	int (*list_printers)(void *priv, TALLOC_CTX *mem,
			     struct wg_admin_share **out, size_t *n);
	/* Start a job on printer; returns a job handle or NULL. */
	void *(*job_start)(void *priv, TALLOC_CTX *mem, const char *printer,
			   const char *doc_name, const char *user,
			   uint32_t *job_id);
	/* Append data; 0 or -errno. */
	int (*job_write)(void *priv, void *job, const uint8_t *data,
			 size_t len);
	/* Finish: hand the job to the print command (it stays spooled if
	 * that fails). 0 or -errno. Frees the job either way. */
	int (*job_end)(void *priv, void *job);
	/* Jobs queued on a printer (for EnumJobs). */
	int (*list_jobs)(void *priv, TALLOC_CTX *mem, const char *printer,
			 uint32_t **ids, char ***names, uint64_t **sizes,
			 size_t *n);
	/*
	 * The printer's queue, in order (an array under mem). 0 or -ENOMEM;
	 * an unknown printer has none.
	 */
	int (*jobs)(void *priv, TALLOC_CTX *mem, const char *printer,
		    struct wg_print_job **out, size_t *n);
	/*
	 * Job id of printer: pause (a paused job is not handed to the
	 * print command until it is resumed), resume, restart (hand it to
	 * the print command again), cancel or delete (its spool file goes;
	 * one still being written ends there). 0, -ENOENT (no such job on
	 * that printer), -EINVAL (cmd).
	 */
	int (*job_control)(void *priv, const char *printer, uint32_t id,
			   enum wg_job_cmd cmd);
	/*
	 * SetJob's changes: the document name (NULL: kept), priority (0:
	 * kept), position in the queue (0: kept; past the end: last).
	 * 0, -ENOENT, -ENOMEM.
	 */
	int (*job_set)(void *priv, const char *printer, uint32_t id,
		       const char *doc, uint32_t priority, uint32_t position);
	/*
	 * A job's named properties. printer NULL: the job of that id on
	 * any printer (a server handle). job_props: every one, in the
	 * order they were first set (an array under mem). job_prop_set:
	 * create or replace p->name; -ENOSPC when the job's budget
	 * (properties, bytes) would be passed (counted and logged for
	 * client_ip). job_prop_delete: -ENODATA when the job has no such
	 * property. All: 0, -ENOENT (no such job), -ENOMEM.
	 */
	int (*job_props)(void *priv, TALLOC_CTX *mem, const char *printer,
			 uint32_t id, struct wg_job_prop **out, size_t *n);
	int (*job_prop_set)(void *priv, const char *printer, uint32_t id,
			    const struct wg_job_prop *p,
			    const char *client_ip);
	int (*job_prop_delete)(void *priv, const char *printer, uint32_t id,
			       const char *name);
	/* Delete every job of the printer (PRINTER_CONTROL_PURGE). */
	void (*purge)(void *priv, const char *printer);
	/*
	 * Printers made over RPC (optional: without these hooks spoolss
	 * refuses AddPrinter). Names compare without case.
	 *
	 * printer_get: the printer's settings (a child of mem); 0 or
	 * -ENOENT, -ENOMEM.
	 * printer_add: a new runtime printer and its share; 0, -EEXIST (a
	 * printer or share of that name), -EINVAL (a name that cannot be a
	 * share), -ENOSPC (the printer budget, counted and logged for
	 * client_ip), -EIO (not saved), -ENOMEM.
	 * printer_set: replace a runtime printer's settings; a different
	 * def->name ("\\server\name" or "name") renames it, and its share
	 * with it when the share has no name of its own (-EINVAL: a name
	 * that cannot be a share's, -EEXIST: another printer's or share's).
	 * printer_delete: remove it. 0, -ENOENT, -EROFS (an smb.conf
	 * printer), -EIO, -ENOMEM.
	 */
	int (*printer_get)(void *priv, TALLOC_CTX *mem, const char *name,
			   struct wg_printer_def **out);
	int (*printer_add)(void *priv, const struct wg_printer_def *def,
			   const char *client_ip);
	int (*printer_set)(void *priv, const char *name,
			   const struct wg_printer_def *def);
	int (*printer_delete)(void *priv, const char *name);
	/*
	 * A runtime printer's data. data_list: every value, keys with no
	 * values included as a value with name NULL (children of mem).
	 * data_set: create or replace key\name (a key alone when name is
	 * NULL); -ENOSPC when the printer's data budget (values, bytes)
	 * would be passed (counted and logged for client_ip). data_delete:
	 * the value, or with name NULL the key and every key below it;
	 * -ENOENT when there is none. All: 0, -ENOENT (no such printer),
	 * -EROFS (an smb.conf printer), -EIO (not saved), -ENOMEM.
	 */
	int (*data_list)(void *priv, TALLOC_CTX *mem, const char *printer,
			 struct wg_printer_value **out, size_t *n);
	int (*data_set)(void *priv, const char *printer,
			const struct wg_printer_value *v,
			const char *client_ip);
	int (*data_delete)(void *priv, const char *printer, const char *key,
			   const char *name);
};

/* Who opened the pipe, and what the services may use. */
struct wg_pipe_env {
	const struct wg_admin_ops *admin;
	const struct wg_print_ops *print;
	struct sm_manager *sm;		/* restrict anonymous, stats */
	struct sm_session *ticket;	/* printer handles are tracked here */
	const char *user;		/* "" for null sessions */
	bool anonymous;
	bool guest;			/* a guest session */
	const char *client_ip;
	/* The machine SID (lsarpc, samr); NULL when the daemon could not
	 * load it: those pipes then refuse to open policies. */
	const struct dom_sid *machine_sid;
	/* Where the server keeps its users (the pointer changes when the
	 * file is reloaded); NULL or *users NULL: no users. */
	struct users_db *const *users;
	/* A session hit the RPC context handle budget (lsarpc, samr, spoolss):
	 * count and log it. Optional. */
	void (*handle_budget_hit)(void *priv, const char *client_ip,
				  unsigned limit);
	void *hook_priv;
};

struct wg_pipe;

/*
 * Open pipe `name` ("srvsvc", "\\PIPE\\srvsvc" and any case are the
 * same). Returns a talloc child of mem, or NULL with *unknown = true for
 * a pipe we do not serve (OBJECT_NAME_NOT_FOUND) and false for no
 * memory. env must outlive the pipe.
 */
struct wg_pipe *wg_pipe_open(TALLOC_CTX *mem, const char *name,
			     const struct wg_pipe_env *env, bool *unknown);

/* The canonical pipe name ("srvsvc"). */
const char *wg_pipe_name(const struct wg_pipe *p);

/*
 * Whether an open of this pipe keeps its session from idling out. None
 * does: a null session holding an idle srvsvc pipe would otherwise hold
 * its slot for good (KB 328459), and spoolss printer handles have an
 * idle timeout of their own (sm_handle_add).
 */
bool wg_pipe_keeps_session(const struct wg_pipe *p);

/*
 * The one error space of pipes/: what wg_pipe_write() returns, and what
 * every function inside pipe.c that can fail returns. Wire-codec errors
 * (WIRE_E_*) from proto/ are turned into these (or into an RPC fault
 * for the client) where they arise and never returned as they are. The
 * values are the negated errno of the same meaning, as wg_pipe_write()
 * has always returned.
 */
enum wg_pipe_err {
	WG_PIPE_OK = 0,
	/* The byte stream is broken beyond repair (bad framing, a PDU
	 * that does not decode, an answer we could not encode). */
	WG_PIPE_E_BROKEN = -EPROTO,
	/* A request or the queued answers passed their limit; the call
	 * got a fault and the stream goes on. */
	WG_PIPE_E_TOOBIG = -E2BIG,
	WG_PIPE_E_NOMEM = -ENOMEM,
};

/* A static name for e ("broken stream"), never NULL. */
const char *wg_pipe_strerror(enum wg_pipe_err e);

/*
 * Feed bytes the client wrote. Complete PDUs are processed at once and
 * their responses queued. Returns WG_PIPE_OK; WG_PIPE_E_BROKEN or
 * WG_PIPE_E_NOMEM when the stream cannot go on (the caller then closes
 * the pipe: further I/O gets PIPE_DISCONNECTED); WG_PIPE_E_TOOBIG when a
 * reassembly limit was hit (after everything written was processed).
 */
enum wg_pipe_err wg_pipe_write(struct wg_pipe *p, const uint8_t *data,
			       size_t len);

/* Bytes of response waiting to be read. */
size_t wg_pipe_pending(const struct wg_pipe *p);

/*
 * Take up to max bytes of queued response into buf; returns how many.
 * If more of the same PDU remains afterwards, *more is true (smbd then
 * answers STATUS_BUFFER_OVERFLOW so the client reads the rest).
 */
size_t wg_pipe_read(struct wg_pipe *p, uint8_t *buf, size_t max, bool *more);

/* Close every printer handle the pipe holds (also done on free). */
void wg_pipe_close_handles(struct wg_pipe *p);

/* For listings: printer handles open on this pipe. */
unsigned wg_pipe_handle_count(const struct wg_pipe *p);

/*
 * The session manager's close_handle hook lands here (through smbd):
 * handle_cookie is the cookie a spoolss printer handle gave to
 * sm_handle_add(), i.e. the handle itself. Closes it at once: an
 * unfinished job is handed on (job_end), the handle and its sm_handle are
 * freed and the pipe's count drops. The client's next use of it gets the
 * RPC fault for an unknown context handle.
 */
void wg_pipe_reap_handle(void *handle_cookie);

#endif
