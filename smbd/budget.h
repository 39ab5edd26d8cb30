/*
 * budget.h - the per-client resource budgets: one table of every kind of
 * state a client can make the server hold, with the config key that sets
 * its limit, and one function every refusal goes through so that each
 * is counted (wgnet statistics) and logged (rate-limited, naming the
 * computer and the limit).
 *
 * Where each budget is enforced (the status a client sees):
 *   SMBD_BUDGET_SESS_IN_PROGRESS  smb2/cmd/sesssetup.c  INSUFFICIENT_RESOURCES
 *   SMBD_BUDGET_SESS_PER_CONN     smb2/cmd/sesssetup.c  INSUFFICIENT_RESOURCES
 *   SMBD_BUDGET_TREES             smb2/cmd/tcon.c       INSUFFICIENT_RESOURCES
 *   SMBD_BUDGET_OPENS             fs/open.c             INSUFFICIENT_RESOURCES
 *   SMBD_BUDGET_LOCKS             smb2/cmd/lock.c       INSUFFICIENT_RESOURCES
 *   SMBD_BUDGET_NOTIFIES          smb2/cmd/notify.c     INSUFFICIENT_RESOURCES
 *                                 and smb1/nttrans.c
 *   SMBD_BUDGET_DIR_MEMORY        smb2/cmd/querydir.c   INSUFFICIENT_RESOURCES
 *   SMBD_BUDGET_PATTERN           smb2/cmd/querydir.c   OBJECT_NAME_INVALID
 *   SMBD_BUDGET_REPLY_BACKLOG     net/conn.c, smb2/dispatch.c: no status;
 *                                 the connection is not read (back-pressure)
 *                                 and dropped after linger timeout
 *   SMBD_BUDGET_WORKERS           fs/workers.c: no status; the connection's
 *                                 further jobs wait for its share (logged
 *                                 at info: every bulk copy reaches it)
 *   SMBD_BUDGET_NO_NEGOTIATE      smb2/dispatch.c: connection dropped
 *   SMBD_BUDGET_COMPOUND          smb2/dispatch.c       INSUFFICIENT_RESOURCES
 *   SMBD_BUDGET_OPLOCKS           fs/oplock.c           INSUFFICIENT_RESOURCES
 *                                 (a CREATE waiting for breaks); a break
 *                                 over it counts as acknowledged at once
 *   SMBD_BUDGET_DURABLE           fs/open.c: no status; an open over it is
 *                                 closed, not preserved, when its
 *                                 connection is lost
 *   SMBD_BUDGET_LEASES            fs/lease.c: no status; the open is
 *                                 granted no lease
 *   SMBD_BUDGET_RPC_HANDLES       pipes/rpc_handle.c (lsarpc, samr)
 *                                 INSUFFICIENT_RESOURCES; spoolss.c
 *                                 (printer handles and information
 *                                 contexts) ERROR_NO_SYSTEM_RESOURCES
 *   SMBD_BUDGET_ANDX_CHAIN        smb1/proc.c           INSUFFICIENT_RESOURCES
 *   SMBD_BUDGET_TRANS_REASSEMBLY  smb1/reasm.c          INSUFFICIENT_RESOURCES
 *   SMBD_BUDGET_SEARCHES          smb1/trans2.c (FIND_FIRST2 and the
 *                                 core SEARCH and FIND, search.c)
 *                                 INSUFFICIENT_RESOURCES
 *   SMBD_BUDGET_PRINTERS          print/printers.c      spoolss AddPrinter:
 *                                 ERROR_NO_SYSTEM_RESOURCES (per server)
 *   SMBD_BUDGET_PRINTER_DATA      print/printers.c      spoolss SetPrinterData:
 *                                 ERROR_NO_SYSTEM_RESOURCES (per printer)
 *   SMBD_BUDGET_PRINT_JOBS        print/print.c         jobs per printer:
 *                                 StartDocPrinter CAN_NOT_COMPLETE; a file
 *                                 written to the share stays spooled
 *                                 without a job (logged)
 *   SMBD_BUDGET_JOB_PROPERTIES    print/print.c         named properties
 *                                 per job (count, bytes): spoolss
 *                                 SetJobNamedProperty
 *                                 ERROR_NO_SYSTEM_RESOURCES
 */
#ifndef WG_SMBD_BUDGET_H
#define WG_SMBD_BUDGET_H

#include <stdint.h>

struct smbd_conn;
struct smbd_server;

enum smbd_budget {
	SMBD_BUDGET_SESS_IN_PROGRESS = 0,
	SMBD_BUDGET_SESS_PER_CONN,
	SMBD_BUDGET_TREES,
	SMBD_BUDGET_OPENS,
	SMBD_BUDGET_LOCKS,
	SMBD_BUDGET_NOTIFIES,
	SMBD_BUDGET_DIR_MEMORY,
	SMBD_BUDGET_PATTERN,
	SMBD_BUDGET_REPLY_BACKLOG,
	SMBD_BUDGET_WORKERS,
	SMBD_BUDGET_NO_NEGOTIATE,
	SMBD_BUDGET_COMPOUND,
	SMBD_BUDGET_OPLOCKS,
	SMBD_BUDGET_DURABLE,
	SMBD_BUDGET_LEASES,
	SMBD_BUDGET_RPC_HANDLES,
	SMBD_BUDGET_ANDX_CHAIN,	/* SMB1 commands in one message */
	SMBD_BUDGET_TRANS_REASSEMBLY,	/* SMB1 transactions in pieces */
	SMBD_BUDGET_SEARCHES,	/* SMB1 FIND continuation states */
	SMBD_BUDGET_PRINTERS,	/* printers added over RPC */
	SMBD_BUDGET_PRINTER_DATA,	/* printer data values and bytes */
	SMBD_BUDGET_PRINT_JOBS,	/* jobs queued on one printer */
	SMBD_BUDGET_JOB_PROPERTIES,	/* named properties of one job */
	SMBD_BUDGET_NUM
};

/* The budget's name in statistics (JSON key, snake case). */
const char *smbd_budget_name(enum smbd_budget b);

/*
 * conn hit budget b whose limit is `limit`: count it in
 * srv->stats.budget_hits[b] and log (rate-limited per budget) which
 * computer hit which limit. conn may be NULL (then srv must not be).
 */
void smbd_budget_hit(struct smbd_server *srv, const struct smbd_conn *conn,
		     enum smbd_budget b, uint64_t limit);

/* The same for a budget of a client computer (addr), not a connection. */
void smbd_budget_hit_addr(struct smbd_server *srv, const char *addr,
			  enum smbd_budget b, uint64_t limit);

#endif
