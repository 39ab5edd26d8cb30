/*
 * budget.c - counting and logging the per-client budgets (budget.h).
 */
#include "smbd/budget.h"
#include "smbd/smbd.h"

static const struct {
	const char *name;
	const char *key;
	const char *what;	/* "... per connection" for the log */
} budgets[SMBD_BUDGET_NUM] = {
	[SMBD_BUDGET_SESS_IN_PROGRESS] = { "sessions_in_progress",
		"max sessions in progress",
		"sessions being set up per connection" },
	[SMBD_BUDGET_SESS_PER_CONN] = { "sessions_per_connection",
		"max sessions per connection", "sessions per connection" },
	[SMBD_BUDGET_TREES] = { "tree_connects", "max tree connects",
		"tree connects per session" },
	[SMBD_BUDGET_OPENS] = { "opens", "max open files",
		"open files per session" },
	[SMBD_BUDGET_LOCKS] = { "locks", "max locks per open",
		"byte-range locks per open (16 times that per connection), "
		"or LOCK requests waiting per connection" },
	[SMBD_BUDGET_NOTIFIES] = { "pending_notifies", "max pending notifies",
		"pending change notifications or watched directories per "
		"connection" },
	[SMBD_BUDGET_DIR_MEMORY] = { "directory_memory",
		"max directory memory",
		"bytes of directory listing state per connection" },
	[SMBD_BUDGET_PATTERN] = { "search_pattern", "",
		"UTF-16 units in a search pattern" },
	[SMBD_BUDGET_REPLY_BACKLOG] = { "reply_backlog", "max reply backlog",
		"bytes of replies queued and in flight per connection" },
	[SMBD_BUDGET_WORKERS] = { "worker_share", "",
		"worker threads busy for one client computer" },
	[SMBD_BUDGET_NO_NEGOTIATE] = { "no_negotiate", "",
		"requests before NEGOTIATE" },
	[SMBD_BUDGET_COMPOUND] = { "compound_reply", "max reply backlog",
		"bytes of one compound's replies" },
	[SMBD_BUDGET_OPLOCKS] = { "oplock_breaks", "",
		"requests waiting for oplock breaks, or oplock breaks "
		"awaiting acknowledgment, per connection" },
	[SMBD_BUDGET_DURABLE] = { "durable_opens", "",
		"durable opens preserved for one disconnected client "
		"computer" },
	[SMBD_BUDGET_LEASES] = { "leases", "",
		"opens holding a lease per connection" },
	[SMBD_BUDGET_RPC_HANDLES] = { "rpc_handles", "",
		"LSA and SAM context handles (with printer handles) per "
		"session" },
	[SMBD_BUDGET_ANDX_CHAIN] = { "andx_chain", "",
		"SMB1 commands chained in one message (AndX)" },
	[SMBD_BUDGET_TRANS_REASSEMBLY] = { "trans_reassembly", "",
		"bytes of an SMB1 transaction sent in pieces, or such "
		"transactions at a time per connection" },
	[SMBD_BUDGET_SEARCHES] = { "smb1_searches", "",
		"SMB1 directory searches (FIND_FIRST2, FIND, SEARCH) kept "
		"open per session" },
	[SMBD_BUDGET_PRINTERS] = { "printers", "",
		"printers added over RPC (AddPrinter) per server" },
	[SMBD_BUDGET_PRINTER_DATA] = { "printer_data", "",
		"printer data values, or their bytes, per printer" },
	[SMBD_BUDGET_PRINT_JOBS] = { "print_jobs", "",
		"print jobs queued per printer" },
	[SMBD_BUDGET_JOB_PROPERTIES] = { "job_properties", "",
		"named properties of a print job, or their bytes, per "
		"job" },
};

const char *smbd_budget_name(enum smbd_budget b)
{
	return b < SMBD_BUDGET_NUM ? budgets[b].name : "?";
}

static void budget_hit(struct smbd_server *srv, const char *addr,
		       unsigned port, enum smbd_budget b, uint64_t limit)
{
	static struct wg_log_rl rl[SMBD_BUDGET_NUM];
	char where[64];
	unsigned sup = 0;
	int level = WG_LOG_WARN;

	if (b >= SMBD_BUDGET_NUM) {
		return;
	}
	if (srv != NULL) {
		srv->stats.budget_hits[b]++;
	}
	/*
	 * A computer that fills its share of the worker pool is not over a
	 * limit on what it may hold: any bulk copy does it, and its further
	 * jobs just wait their turn. Counted as the others; logged at info.
	 */
	if (b == SMBD_BUDGET_WORKERS) {
		level = WG_LOG_INFO;
	}
	if (level > wg_log_levels[WG_CLS_CONN] ||
	    !wg_log_rl_allow(&rl[b], &sup)) {
		return;
	}
	if (sup > 0) {
		wg_log_msg(level, WG_CLS_CONN, __func__,
			   "(%u similar messages suppressed)", sup);
	}
	if (port != 0) {
		snprintf(where, sizeof(where), "%s:%u", addr, port);
	} else {
		snprintf(where, sizeof(where), "%s", addr);
	}
	wg_log_msg(level, WG_CLS_CONN, "smbd_budget_hit",
		   "%s reached the limit of %llu %s%s%s%s", where,
		   (unsigned long long)limit, budgets[b].what,
		   budgets[b].key[0] != '\0' ? " ('" : "",
		   budgets[b].key,
		   budgets[b].key[0] != '\0' ? "')" : "");
}

void smbd_budget_hit(struct smbd_server *srv, const struct smbd_conn *conn,
		     enum smbd_budget b, uint64_t limit)
{
	if (srv == NULL && conn != NULL) {
		srv = conn->srv;
	}
	budget_hit(srv, conn != NULL ? conn->peer_addr : "?",
		   conn != NULL ? conn->peer_port : 0, b, limit);
}

void smbd_budget_hit_addr(struct smbd_server *srv, const char *addr,
			  enum smbd_budget b, uint64_t limit)
{
	budget_hit(srv, addr, 0, b, limit);
}
