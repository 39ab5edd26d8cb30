/*
 * printers.h - printers made over RPC (spoolss AddPrinter): each is a
 * printer share of its own, spooling under "<state directory>/spool/<id>"
 * and printing the way smb.conf printer shares do (print.c: the job is
 * kept in the spool directory; these shares have no print command). They
 * and their printer data are kept in "<state directory>/printers" (format
 * in printers.c) and come back after a restart. smb.conf's printers are
 * not among them and cannot be changed or deleted over RPC.
 *
 * Budgets: RT_MAX_PRINTERS runtime printers per server
 * (SMBD_BUDGET_PRINTERS), RT_MAX_VALUES values and RT_MAX_DATA_BYTES bytes
 * of printer data per printer (SMBD_BUDGET_PRINTER_DATA); over them the
 * hooks answer -ENOSPC, counted and logged for the client.
 */
#ifndef WG_SMBD_PRINT_PRINTERS_H
#define WG_SMBD_PRINT_PRINTERS_H

#include "smbd/print/print_int.h"

#define RT_MAX_PRINTERS		64
#define RT_MAX_VALUES		512
#define RT_MAX_DATA_BYTES	(1024 * 1024)

/* The version line of the printers file. */
#define RT_FILE_MAGIC		"wgsmb-printers 1"

/*
 * Load the runtime printers of pc's server from its state directory
 * (none without one; a file that does not parse is logged and left
 * alone, and no printer is added over it until it is fixed). Sets
 * pc->rt. 0 or -ENOMEM.
 */
int rt_printers_init(struct print_ctx *pc);

/* The share of runtime printer name (any case), or NULL. */
const struct wg_share_cfg *rt_printers_share(struct print_ctx *pc,
					     const char *name);

/*
 * Append the runtime printers to *v (a talloc array under mem of *n
 * entries, grown here). 0 or -ENOMEM.
 */
int rt_printers_list(struct print_ctx *pc, TALLOC_CTX *mem,
		     struct wg_admin_share **v, size_t *n);

/* Set the printer_* and data_* hooks of ops (priv is the print_ctx). */
void rt_printers_set_ops(struct wg_print_ops *ops);

/*
 * The printers file as text (a child of mem), and back: pure functions,
 * unit-tested and fuzzed. A parsed file gives printers (each a child of
 * the array, with its id) and their values. rt_file_parse returns 0,
 * -EINVAL (not our format: version line, fields, numbers, escapes) or
 * -ENOMEM.
 */
struct rt_file_printer {
	uint32_t id;
	struct wg_printer_def def;
	struct wg_printer_value *vals;	/* child of the array */
	size_t nvals;
};

char *rt_file_format(TALLOC_CTX *mem, const struct rt_file_printer *p,
		     size_t n);
int rt_file_parse(TALLOC_CTX *mem, const char *text, size_t len,
		  struct rt_file_printer **out, size_t *n);

#endif
