/*
 * print_int.h - inside smbd/print: the print context print.c keeps on the
 * server (srv->print) and printers.c's part of it. Not for other folders.
 */
#ifndef WG_SMBD_PRINT_INT_H
#define WG_SMBD_PRINT_INT_H

#include "smbd/smbd.h"
#include "pipes/pipe.h"

#include <time.h>

struct print_job {
	struct print_job *prev, *next;
	uint32_t id;
	char *printer;
	char *doc;
	char *user;
	char *file;		/* absolute path */
	uint64_t size;
	int fd;			/* while spoolss writes it */
	bool done;		/* spooled: no more writes */
	bool paused;		/* not to be handed on until resumed */
	bool held;		/* spooled while paused: not handed on yet */
	bool cancelled;		/* deleted while being written */
	unsigned running;	/* print commands running for it */
	uint32_t priority;
	time_t submitted;
	struct wg_job_prop *props;	/* named properties (children of
					 * the job), nprops of them */
	size_t nprops;
	size_t prop_bytes;		/* their names and values */
};

/* Jobs one printer may hold queued (SMBD_BUDGET_PRINT_JOBS). */
#define PRINT_MAX_JOBS	512
/* Named properties one job may hold, and their bytes
 * (SMBD_BUDGET_JOB_PROPERTIES). */
#define PRINT_MAX_JOB_PROPS	64
#define PRINT_MAX_JOB_PROP_BYTES (64 * 1024)

struct print_ctx {
	struct smbd_server *srv;
	struct wg_print_ops ops;
	struct print_job *jobs;
	uint32_t next_id;
	struct rt_printers *rt;	/* printers made over RPC (printers.c) */
};

/*
 * print.c: the live job of printer (share name, any case; NULL: any
 * printer) with that id, or NULL.
 */
struct print_job *print_job_of(struct print_ctx *pc, const char *printer,
			       uint32_t id);
/* job_props.c: fill in ops' job_props, job_prop_set, job_prop_delete. */
void job_props_set_ops(struct wg_print_ops *ops);
/*
 * print.c: a printer's share was renamed from `from` to `to` (any case):
 * its jobs follow it.
 */
void print_jobs_renamed(struct print_ctx *pc, const char *from,
			const char *to);

/*
 * print.c: delete every job of the printer whose share is `share` (any
 * case), as PRINTER_CONTROL_PURGE does; also when the printer goes.
 */
void print_jobs_purge(struct print_ctx *pc, const char *share);

#endif
