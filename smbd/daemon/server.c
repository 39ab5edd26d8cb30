/*
 * server.c - listening sockets, accepting connections, start/stop.
 */
#include "smbd/daemon/server.h"
#include "smbd/loop.h"
#include "smbd/net/conn.h"
#include "smbd/net/nbns.h"
#include "smbd/smb2/dispatch.h"
#include "smbd/smb2/tree.h"
#include "smbd/admin/control.h"
#include "smbd/fs/open.h"
#include "smbd/fs/workers.h"
#include "smbd/fs/streams_sweep.h"
#include "smbd/admin/admission.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/oplock.h"
#include "smbd/smb2/cmd/cmd.h"
#include "smbd/smb1/smb1.h"
#include "sessions/users.h"
#include "sessions/identity.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/random.h>

struct smbd_listener {
	struct smbd_server *srv;
	int fd;
	uint16_t port;
	struct tevent_fd *fde;
	/* the address bound, when not a wildcard: each connection's local
	 * address without a getsockname() */
	bool have_local;
	struct sockaddr_storage local;
};

static void listener_accept(struct tevent_context *ev, struct tevent_fd *fde,
			    uint16_t flags, void *private_data);

static int listener_destructor(struct smbd_listener *l)
{
	TALLOC_FREE(l->fde);
	if (l->fd >= 0) {
		close(l->fd);
		l->fd = -1;
	}
	return 0;
}

/* An oplock break goes to the SMB1 front end for its opens, else to
 * SMB2's; leases are SMB2's only. */
static void oplock_send_break(struct smbd_open *op, uint8_t level)
{
	if (!smbd_smb1_oplock_send_break(op, level)) {
		smbd_smb2_oplock_upcalls.send_break(op, level);
	}
}

static void oplock_send_lease_break(struct smbd_conn *conn,
				    struct smbd_open *op,
				    const struct smb2_lease_break *b)
{
	smbd_smb2_oplock_upcalls.send_lease_break(conn, op, b);
}

static const struct smbd_oplock_upcalls oplock_upcalls = {
	.send_break = oplock_send_break,
	.send_lease_break = oplock_send_lease_break,
};

struct smbd_server *smbd_server_new(TALLOC_CTX *mem_ctx,
				    struct tevent_context *ev,
				    struct wg_config *cfg)
{
	struct smbd_server *srv = talloc_zero(mem_ctx, struct smbd_server);
	uint64_t r = 0;

	if (srv == NULL) {
		return NULL;
	}
	srv->ev = ev;
	srv->loop = smbd_loop_new(srv, ev);
	srv->loops = talloc_array(srv, struct smbd_loop *, 1);
	if (srv->loop == NULL || srv->loops == NULL) {
		talloc_free(srv);
		return NULL;
	}
	srv->loops[0] = srv->loop;
	srv->nloops = 1;
	srv->cfg = talloc_steal(srv, cfg);
	/* Connections hand their frames up to the SMB layer. */
	srv->conn_up = &smbd_smb2_upcalls;
	srv->smb1_negotiate = smbd_smb1_process_frame;
	/* SMB1-only clients: served with server min protocol = NT1 */
	srv->smb1_frame = smbd_smb1_frame;
	/* ... which runs each request through the commands' handlers. */
	smbd_smb2_set_commands(srv, smbd_smb2_commands);
	/* Oplock breaks (fs/) are notified by the front end of the open. */
	srv->oplock_up = &oplock_upcalls;
	if (getrandom(srv->server_guid, sizeof(srv->server_guid), 0) !=
	    (ssize_t)sizeof(srv->server_guid)) {
		talloc_free(srv);
		return NULL;
	}
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		talloc_free(srv);
		return NULL;
	}
	/* Session ids start somewhere random in their 32 bits (see
	 * smbd_session_new) */
	srv->next_session_id = ((r & 0xFFFFULL) << 16) | 1;
	srv->next_file_id = 1;
	srv->next_async_id = 1;
	srv->start_time_nt = smbd_nt_now();
	return srv;
}

static bool addr_is_any(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	}
	if (sa->sa_family == AF_INET6) {
		return IN6_IS_ADDR_UNSPECIFIED(
			&((const struct sockaddr_in6 *)sa)->sin6_addr);
	}
	return true;
}

static int listen_one(struct smbd_server *srv, const char *addr, uint16_t port)
{
	struct addrinfo hints = {
		.ai_flags = AI_NUMERICHOST | AI_PASSIVE,
		.ai_socktype = SOCK_STREAM,
	};
	struct addrinfo *ai = NULL;
	struct smbd_listener *l = NULL;
	char portstr[8];
	int one = 1;
	int fd = -1;
	int rc = 0;

	snprintf(portstr, sizeof(portstr), "%u", port);
	rc = getaddrinfo(addr, portstr, &hints, &ai);
	if (rc != 0) {
		DBG_ERR(GEN, "listen address '%s': %s", addr, gai_strerror(rc));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		rc = -errno;
		DBG_ERR(GEN, "socket for %s port %u: %s", addr, port,
			strerror(errno));
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	smbd_conn_tcp_options(fd);	/* accepted sockets inherit them */
	if (ai->ai_family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		rc = -errno;
		DBG_ERR(GEN, "bind %s port %u: %s", addr, port, strerror(errno));
		goto out;
	}
	if (listen(fd, 256) != 0) {
		rc = -errno;
		DBG_ERR(GEN, "listen %s port %u: %s", addr, port,
			strerror(errno));
		goto out;
	}
	l = talloc_zero(srv, struct smbd_listener);
	if (l == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	l->srv = srv;
	l->fd = fd;
	l->port = port;
	if (ai->ai_addrlen <= sizeof(l->local) && !addr_is_any(ai->ai_addr)) {
		memcpy(&l->local, ai->ai_addr, ai->ai_addrlen);
		l->have_local = true;
	}
	fd = -1;
	talloc_set_destructor(l, listener_destructor);
	DBG_NOTICE(GEN, "listening on %s port %u", addr, port);
	srv->listeners = talloc_realloc(srv, srv->listeners,
					struct smbd_listener *,
					srv->nlisteners + 1);
	if (srv->listeners == NULL) {
		talloc_free(l);
		rc = -ENOMEM;
		goto out;
	}
	srv->listeners[srv->nlisteners++] = l;
	rc = 0;
out:
	if (fd >= 0) {
		close(fd);
	}
	freeaddrinfo(ai);
	return rc;
}

int smbd_server_listen(struct smbd_server *srv)
{
	const struct wg_config *cfg = srv->cfg;
	static const char *const all[] = { "0.0.0.0", "::", NULL };
	const char *const *addrs = all;
	size_t i = 0, j = 0;
	int ok = 0;
	int rc = 0;

	if (cfg->listen_addresses != NULL &&
	    cfg->listen_addresses[0] != NULL) {
		addrs = (const char *const *)cfg->listen_addresses;
	}
	for (i = 0; addrs[i] != NULL; i++) {
		for (j = 0; j < cfg->nports; j++) {
			rc = listen_one(srv, addrs[i], cfg->ports[j]);
			if (rc == 0) {
				ok++;
			} else if (strcmp(addrs[i], "::") == 0 &&
				   (rc == -EAFNOSUPPORT ||
				    rc == -EADDRNOTAVAIL)) {
				/* no IPv6 on this host: not fatal */
				continue;
			} else {
				return rc;
			}
		}
	}
	if (ok == 0) {
		return -EADDRNOTAVAIL;
	}
	/* UDP 137 is privileged too: bound here, answered from start */
	return smbd_nbns_open(srv);
}

static void listeners_enable(struct smbd_server *srv, bool on)
{
	size_t i = 0;

	for (i = 0; i < srv->nlisteners; i++) {
		struct smbd_listener *l = srv->listeners[i];

		if (on && l->fde == NULL) {
			l->fde = tevent_add_fd(srv->ev, l, l->fd,
					       TEVENT_FD_READ, listener_accept,
					       l);
		} else if (!on) {
			TALLOC_FREE(l->fde);
		}
	}
}

/*
 * A client computer's jobs waited for its share of the worker pool. The
 * pool only names owners it still has live requests of, so the client
 * (struct smbd_client, kept by its connections) is alive; NULL is the
 * server's own jobs.
 */
static void server_worker_wait(const void *owner, unsigned share, void *data)
{
	struct smbd_server *srv = data;
	const struct smbd_client *cl = owner;

	smbd_budget_hit_addr(srv, cl != NULL ? cl->addr : "the server",
			     SMBD_BUDGET_WORKERS, share);
}

/*
 * The machine SID, made at first start: every SID lsarpc, samr and the
 * security descriptors give users is under it. Not fatal (logged): files
 * are served without it, the lsarpc and samr pipes then refuse.
 */
static void server_load_machine_sid(struct smbd_server *srv)
{
	char *err = NULL;
	int rc = identity_machine_sid(srv, srv->cfg->state_dir,
				      &srv->machine_sid, &err);

	srv->machine_sid_ok = rc == 0;
	if (rc != 0) {
		DBG_ERR(GEN, "machine SID: %s",
			err != NULL ? err : strerror(-rc));
	}
	talloc_free(err);
}

/*
 * An old users file is saved in the current format at start, so that the
 * RIDs its users were given on load are kept before any SID made from
 * them is stored in a file's descriptor (fs/acl.c).
 */
static int server_migrate_users(struct smbd_server *srv)
{
	int rc = 0;

	if (users_file_version(srv->users) != 1) {
		return 0;
	}
	rc = users_save(srv->users, srv->cfg->users_file);
	if (rc != 0) {
		DBG_ERR(AUTH, "%s: cannot save the migrated users file: %s",
			srv->cfg->users_file, strerror(-rc));
		return rc;
	}
	DBG_NOTICE(AUTH, "%s: migrated to users file v%d",
		   srv->cfg->users_file, USERS_FILE_VERSION);
	return 0;
}

/* Say plainly, at start and on reload, what weakens authentication. */
static void server_log_insecure(const struct smbd_server *srv)
{
	if (srv->cfg->ntlmv1_permitted) {
		DBG_WARN(AUTH, "ntlm auth = ntlmv1-permitted: insecure NTLMv1 "
			 "logons are accepted (each one is logged)");
	}
}

/* `server threads`: 0 is one per CPU, at most 8. */
static unsigned server_nloops(const struct wg_config *cfg)
{
	long n = cfg->server_threads;

	if (n == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		n = n < 1 ? 1 : n > 8 ? 8 : n;
	}
	return (unsigned)n;
}

/*
 * The loops past the first (docs/threads.md): each with its own
 * tevent_context; worker jobs they send complete on them.
 */
static int server_make_loops(struct smbd_server *srv)
{
	unsigned n = server_nloops(srv->cfg);
	struct smbd_loop **loops = NULL;
	unsigned i = 0;

	if (n <= 1) {
		return 0;
	}
	loops = talloc_realloc(srv, srv->loops, struct smbd_loop *, n);
	if (loops == NULL) {
		return -ENOMEM;
	}
	srv->loops = loops;
	for (i = 1; i < n; i++) {
		struct tevent_context *ev = tevent_context_init(srv);
		struct smbd_loop *lp = NULL;

		if (ev == NULL) {
			return -ENOMEM;
		}
		lp = smbd_loop_new(srv, ev);
		if (lp == NULL) {
			talloc_free(ev);
			return -ENOMEM;
		}
		talloc_steal(lp, ev);
		lp->idx = i;
		srv->loops[i] = lp;
		srv->nloops = i + 1;
		if (smbd_workers_add_loop(srv->workers, lp) != 0 ||
		    smbd_workers_add_loop(srv->scan_workers, lp) != 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

int smbd_server_start(struct smbd_server *srv)
{
	char *err = NULL;
	int rc = 0;

	srv->workers = smbd_workers_new(srv, srv->ev, 4);
	if (srv->workers == NULL) {
		DBG_ERR(GEN, "cannot start worker threads");
		return -ENOMEM;
	}
	smbd_workers_set_wait_hook(srv->workers, server_worker_wait, srv);
	/*
	 * Directory listings are work a client can make as slow as it
	 * likes (patterns): two threads of their own, shared round-robin
	 * by the clients with one each, so scans never hold the threads
	 * file I/O needs. At the loop's priority: a listing is a client
	 * waiting, and at nice 10 it starved on a busy machine (a
	 * ten-computer run's p99, docs/threads.md).
	 */
	srv->scan_workers = smbd_workers_new(srv, srv->ev, 2);
	if (srv->scan_workers == NULL) {
		DBG_ERR(GEN, "cannot start the directory scan threads");
		return -ENOMEM;
	}
	smbd_workers_set_wait_hook(srv->scan_workers, server_worker_wait,
				   srv);
	/* The stream-store sweep: nobody waits for it, one thread at nice
	 * 10 takes only the CPU nothing else wants. */
	srv->sweep_workers = smbd_workers_new_nice(srv, srv->ev, 1, 10);
	if (srv->sweep_workers == NULL) {
		DBG_ERR(GEN, "cannot start the stream sweep thread");
		return -ENOMEM;
	}
	smbd_workers_set_wait_hook(srv->sweep_workers, server_worker_wait,
				   srv);
	srv->users = users_load(srv, srv->cfg->users_file, &err);
	if (srv->users == NULL) {
		DBG_ERR(AUTH, "%s", err != NULL ? err : "cannot load users");
		return -EINVAL;
	}
	if (srv->cfg->smb1_enabled) {
		DBG_WARN(GEN, "SMB1 is enabled (server min protocol = NT1): "
			 "clients that speak only SMB1 are served");
	}
	server_load_machine_sid(srv);
	if (server_migrate_users(srv) != 0) {
		return -EINVAL;
	}
	if (smbd_limits_start(srv) != 0) {
		DBG_ERR(SESS, "cannot start the session manager");
		return -ENOMEM;
	}
	if (smbd_conn_sweep_start(srv) != 0) {
		return -ENOMEM;
	}
	if (streams_sweep_start(srv) != 0) {
		return -ENOMEM;
	}
	rc = server_make_loops(srv);
	if (rc == 0) {
		rc = smbd_loops_start(srv);
	}
	if (rc != 0) {
		DBG_ERR(GEN, "cannot start %u event loops: %s",
			server_nloops(srv->cfg), strerror(-rc));
		return rc;
	}
	if (srv->nloops > 1) {
		DBG_NOTICE(GEN, "serving on %u event loops", srv->nloops);
	}
	/* Not fatal (logged): SMB clients are served without wgnet. */
	smbd_control_start(srv);
	server_log_insecure(srv);
	listeners_enable(srv, true);
	smbd_nbns_start(srv);
	return 0;
}

static void listener_accept(struct tevent_context *ev, struct tevent_fd *fde,
			    uint16_t flags, void *private_data)
{
	struct smbd_listener *l = private_data;
	struct sockaddr_storage peer = {};
	socklen_t plen = sizeof(peer);
	int fd = -1;
	int i = 0;

	/* Bounded work per wakeup so one busy port cannot starve others. */
	for (i = 0; i < 32; i++) {
		plen = sizeof(peer);
		fd = accept4(l->fd, (struct sockaddr *)&peer, &plen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				WG_LOG_RL(WG_LOG_ERR, WG_CLS_CONN,
					  "accept on port %u: %s", l->port,
					  strerror(errno));
			}
			return;
		}
		/* the peer as accept4() gave it: no getpeername() */
		if (smbd_conn_accepted(l->srv, fd, l->port == 139, &peer,
				       l->have_local ? &l->local : NULL) ==
		    NULL) {
			close(fd);
		}
	}
}

void smbd_server_shutdown(struct smbd_server *srv, bool *done)
{
	struct smbd_conn *c = NULL, *next = NULL;
	size_t i = 0;

	srv->shutting_down = true;
	/* one thread from here on: the others leave their loops */
	smbd_loops_stop(srv);
	smbd_control_stop(srv);
	for (i = 0; i < srv->nlisteners; i++) {
		talloc_free(srv->listeners[i]);
	}
	TALLOC_FREE(srv->listeners);
	srv->nlisteners = 0;
	smbd_nbns_stop(srv);
	/* Freeing a connection flushes and closes everything it holds. */
	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		talloc_free(c);
	}
	smbd_opens_preserved_close_all(srv);
	DBG_NOTICE(GEN, "shut down cleanly");
	*done = true;
}

struct reload_walk {
	struct wg_config *old;
	const struct wg_config *cfg;
};

/* Point t at the new config's share of its name, or keep the old alive. */
static int reload_tree(struct smbd_tree *t, void *priv)
{
	struct reload_walk *r = priv;
	const struct wg_share_cfg *n = wg_config_find_share(r->cfg,
							     t->share->name);

	if (n != NULL) {
		t->share = n;
	} else {
		/* share removed: keep old cfg alive */
		talloc_reference(t, r->old);
	}
	return 0;
}

void smbd_server_reload(struct smbd_server *srv, struct wg_config *cfg)
{
	struct wg_config *old = srv->cfg;
	struct reload_walk r = {
		.old = old,
		.cfg = cfg,
	};

	/*
	 * Trees point at share configs; keep the old config alive while
	 * any tree uses it. The simplest correct rule: re-point trees at the
	 * new share of the same name, or keep the old config referenced.
	 */
	(void)smbd_trees_foreach(srv, reload_tree, &r);
	srv->cfg = talloc_steal(srv, cfg);
	talloc_unlink(srv, old);
	/* a share the new config drops or moves: its idle root fd goes */
	smbd_share_roots_trim(srv);
	if (srv->sm != NULL) {
		smbd_limits_reload(srv);
	}
	DBG_NOTICE(GEN, "configuration reloaded");
	server_log_insecure(srv);
}
