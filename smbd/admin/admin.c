/*
 * admin.c - live listings and admin actions over smbd's objects, for
 * srvsvc and the control socket. Destructive actions (ending sessions,
 * closing files) run from an immediate event at the next turn of the
 * loop, never inside the handler that asked: an admin may end the very
 * session or pipe its request arrived on.
 */
#include "smbd/admin/admin.h"
#include "smbd/loop.h"
#include "smbd/admin/admission.h"
#include "smbd/fs/open.h"
#include "smbd/smb2/session.h"
#include "smbd/smb2/tree.h"
#include "proto/utf16.h"
#include "sessions/sessmgr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

struct admin_ctx {
	struct smbd_server *srv;
	struct wg_admin_ops ops;
};

/* What a deferred action will do when it fires. */
struct admin_deferred {
	struct smbd_server *srv;
	uint64_t *session_ids;
	size_t nsessions;
	uint64_t file_id;		/* 0 = none */
};

static uint64_t secs_since(const struct timeval *t)
{
	struct timeval now;

	gettimeofday(&now, NULL);
	return now.tv_sec > t->tv_sec ? (uint64_t)(now.tv_sec - t->tv_sec) : 0;
}

static uint64_t secs_since_nt(uint64_t nt)
{
	return smbd_nt_secs_since(nt, smbd_nt_now());
}

static struct smbd_session *session_by_id(struct smbd_server *srv,
					  uint64_t id)
{
	struct smbd_session *s = NULL;

	for (s = srv->sessions; s != NULL; s = s->gnext) {
		if (s->id == id) {
			return s;
		}
	}
	return NULL;
}

static int op_server_info(void *priv, TALLOC_CTX *mem,
			  struct wg_admin_server **out)
{
	struct admin_ctx *a = priv;
	struct smbd_server *srv = a->srv;
	const struct wg_config *c = srv->cfg;
	struct wg_admin_server *i = talloc_zero(mem, struct wg_admin_server);

	if (i == NULL) {
		return -ENOMEM;
	}
	i->netbios_name = talloc_strdup(i, c->netbios_name);
	i->workgroup = talloc_strdup(i, c->workgroup);
	i->comment = talloc_strdup(i, "wgsmb workgroup server");
	i->version = talloc_strdup(i, WGSMB_VERSION);
	i->edition = talloc_strdup(i, c->edition);
	i->accounting = talloc_strdup(i, c->session_accounting);
	i->cap_policy = talloc_strdup(i, c->cap_policy);
	i->cap = sm_cap(srv->sm);
	i->slots_used = sm_slots_used(srv->sm);
	i->restrict_anonymous = c->restrict_anonymous;
	i->autodisconnect_ms = c->autodisconnect_ms;
	i->null_session_timeout_ms = c->null_session_timeout_ms;
	i->spoolss_handle_timeout_ms = c->spoolss_handle_timeout_ms;
	i->auth_timeout_ms = c->auth_timeout_ms;
	i->linger_timeout_ms = c->linger_timeout_ms;
	i->uptime_secs = secs_since_nt(srv->start_time_nt);
	*out = i;
	return 0;
}

struct sess_walk {
	TALLOC_CTX *mem;
	struct wg_admin_session *v;
	size_t n;
	int err;
};

static unsigned count_trees(const struct smbd_session *s)
{
	const struct smbd_tree *t = NULL;
	unsigned n = 0;

	for (t = s->trees; t != NULL; t = t->next) {
		n++;
	}
	return n;
}

/* A session that ended leaving durable opens: its slot's reservation. */
static void ghost_entry(struct sess_walk *w, struct wg_admin_session *e,
			const struct sm_session_info *info)
{
	const struct smbd_ghost *g = info->session;

	*e = (struct wg_admin_session) {
		.id = g->session_id,
		.ip = talloc_strdup(w->v, info->ip),
		.computer = talloc_strdup(w->v, info->ip),
		.user = talloc_strdup(w->v, g->user),
		.domain = talloc_strdup(w->v, g->domain),
		.anonymous = g->anonymous,
		.guest = g->guest,
		.client_type = smb2_dialect_name(g->dialect),
		.opens = g->nopens,
		.logon_secs = secs_since_nt(g->logon_time_nt),
		.idle_secs = info->idle_ms / 1000,
		.slot_id = info->slot_id,
		.calling_name = "",
		.workstation = "",
		.disconnected = true,
		.durable_secs_left = smbd_ghost_secs_left(g),
	};
}

/* One entry per admitted session, in the session manager's order. */
static bool sess_walk_one(const struct sm_session_info *info, void *priv)
{
	struct sess_walk *w = priv;
	const struct smbd_session *s = info->session;
	struct wg_admin_session *e = NULL;

	w->v = talloc_realloc(w->mem, w->v, struct wg_admin_session, w->n + 1);
	if (w->v == NULL) {
		w->err = -ENOMEM;
		return false;
	}
	e = &w->v[w->n++];
	if (info->reserved) {
		ghost_entry(w, e, info);
		return true;
	}
	*e = (struct wg_admin_session) {
		.id = s->id,
		.ip = talloc_strdup(w->v, info->ip),
		.computer = talloc_strdup(w->v, info->ip),
		.user = talloc_strdup(w->v, s->user != NULL ? s->user : ""),
		.domain = talloc_strdup(w->v, s->domain != NULL ?
					s->domain : ""),
		.anonymous = s->anonymous,
		.guest = s->guest,
		.signing = s->signing_required,
		.encryption = s->encrypted,
		/* SMB1: the NativeOS it sent ("Windows 5.1"), else "SMB1" */
		.client_type = s->client_os != NULL ? s->client_os :
			       s->conn->smb1 != NULL ? "SMB1" :
			       smb2_dialect_name(s->conn->dialect),
		.opens = (unsigned)s->nopens,
		.trees = count_trees(s),
		.printer_handles = info->handles,
		.conn_id = s->conn->id,
		.logon_secs = secs_since_nt(s->logon_time_nt),
		.idle_secs = info->idle_ms / 1000,
		.slot_id = info->slot_id,
		.calling_name = talloc_strdup(w->v, s->conn->calling_name),
		.workstation = talloc_strdup(w->v, s->workstation != NULL ?
					     s->workstation : ""),
	};
	return true;
}

static int op_list_sessions(void *priv, TALLOC_CTX *mem,
			    struct wg_admin_session **out, size_t *n)
{
	struct admin_ctx *a = priv;
	struct sess_walk w = { .mem = mem };

	w.v = talloc_array(mem, struct wg_admin_session, 0);
	if (w.v == NULL) {
		return -ENOMEM;
	}
	sm_foreach(a->srv->sm, sess_walk_one, &w);
	if (w.err != 0) {
		return w.err;
	}
	*out = w.v;
	*n = w.n;
	return 0;
}

/* ---- slots ------------------------------------------------------------ */

/* The names one computer (address) used, over its live connections. */
struct comp_names {
	const char *ip;
	const char **calling;
	size_t ncalling;
	const char **ws;
	size_t nws;
};

/* Append name to *v unless empty or there already (case-insensitive). */
static int add_name(TALLOC_CTX *mem, const char ***v, size_t *n,
		    const char *name)
{
	size_t i = 0;

	if (name == NULL || name[0] == '\0') {
		return 0;
	}
	for (i = 0; i < *n; i++) {
		if (strcasecmp((*v)[i], name) == 0) {
			return 0;
		}
	}
	*v = talloc_realloc(mem, *v, const char *, *n + 1);
	if (*v == NULL) {
		return -ENOMEM;
	}
	(*v)[*n] = talloc_strdup(*v, name);
	if ((*v)[*n] == NULL) {
		return -ENOMEM;
	}
	(*n)++;
	return 0;
}

static struct comp_names *comp_find(struct comp_names *v, size_t n,
				    const char *ip)
{
	size_t i = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i].ip, ip) == 0) {
			return &v[i];
		}
	}
	return NULL;
}

/*
 * Calling names and workstation names per address, from every live
 * connection and its valid sessions. Linear per connection in the number
 * of computers: an admin listing, run on demand.
 */
static int comp_names_build(TALLOC_CTX *mem, const struct smbd_server *srv,
			    struct comp_names **out, size_t *nout)
{
	struct comp_names *v = talloc_array(mem, struct comp_names, 0);
	const struct smbd_conn *c = NULL;
	size_t n = 0;
	int rc = 0;

	if (v == NULL) {
		return -ENOMEM;
	}
	for (c = srv->conns; c != NULL && rc == 0; c = c->next) {
		struct comp_names *e = comp_find(v, n, c->peer_addr);
		const struct smbd_session *s = NULL;

		if (e == NULL) {
			v = talloc_realloc(mem, v, struct comp_names, n + 1);
			if (v == NULL) {
				return -ENOMEM;
			}
			e = &v[n++];
			*e = (struct comp_names) {
				.ip = talloc_strdup(v, c->peer_addr),
			};
		}
		rc = add_name(v, &e->calling, &e->ncalling, c->calling_name);
		for (s = c->sessions; s != NULL && rc == 0; s = s->next) {
			if (s->state == SMBD_SESS_VALID) {
				rc = add_name(v, &e->ws, &e->nws,
					      s->workstation);
			}
		}
	}
	*out = v;
	*nout = n;
	return rc;
}

static int by_slot_then_id(const void *a, const void *b)
{
	const struct wg_admin_session *x = a, *y = b;

	if (x->slot_id != y->slot_id) {
		return x->slot_id < y->slot_id ? -1 : 1;
	}
	return x->id < y->id ? -1 : x->id > y->id ? 1 : 0;
}

/* The slot's user column: its named users, ", "-separated ("" if none). */
static const char *slot_users(TALLOC_CTX *mem, const struct wg_admin_slot *sl)
{
	char *users = talloc_strdup(mem, "");
	size_t i = 0, j = 0;

	for (i = 0; i < sl->nsessions && users != NULL; i++) {
		const struct wg_admin_session *s = &sl->sessions[i];
		bool seen = s->anonymous || s->user[0] == '\0';

		for (j = 0; j < i && !seen; j++) {
			seen = !sl->sessions[j].anonymous &&
			       utf8_casecmp(sl->sessions[j].user, s->user) == 0;
		}
		if (!seen) {
			users = talloc_asprintf_append(users, "%s%s",
						       users[0] != '\0' ?
						       ", " : "", s->user);
		}
	}
	return users;
}

/* Fill sl from its sessions (already set) and its computer's names. */
static int slot_fill(struct wg_admin_slot *sl, TALLOC_CTX *mem,
		     const struct smbd_server *srv, const struct comp_names *cn)
{
	uint16_t dialect = 0;
	size_t i = 0;

	sl->id = sl->sessions[0].slot_id;
	sl->ip = sl->sessions[0].ip;
	sl->anonymous = true;
	sl->encryption = true;
	sl->idle_secs = UINT64_MAX;
	sl->disconnected = true;
	for (i = 0; i < sl->nsessions; i++) {
		const struct wg_admin_session *s = &sl->sessions[i];
		const struct smbd_session *live = s->disconnected ? NULL :
			session_by_id((struct smbd_server *)srv, s->id);

		sl->disconnected = sl->disconnected && s->disconnected;
		if (s->disconnected) {
			sl->durable_opens += s->opens;
			if (s->durable_secs_left > sl->durable_secs_left) {
				sl->durable_secs_left = s->durable_secs_left;
			}
		}

		sl->anonymous = sl->anonymous && s->anonymous;
		sl->guest = sl->guest || s->guest;
		sl->encryption = sl->encryption && s->encryption;
		sl->opens += s->opens;
		sl->trees += s->trees;
		sl->printer_handles += s->printer_handles;
		if (s->logon_secs > sl->logon_secs) {
			sl->logon_secs = s->logon_secs;
		}
		if (s->idle_secs < sl->idle_secs) {
			sl->idle_secs = s->idle_secs;
		}
		if (live != NULL && live->conn->dialect > dialect) {
			dialect = live->conn->dialect;
		}
	}
	sl->client_type = dialect != 0 ? smb2_dialect_name(dialect) :
			  sl->sessions[0].client_type;
	sl->user = slot_users(mem, sl);
	if (cn != NULL) {
		sl->calling_names = cn->calling;
		sl->ncalling_names = cn->ncalling;
		sl->workstations = cn->ws;
		sl->nworkstations = cn->nws;
	}
	return sl->user != NULL ? 0 : -ENOMEM;
}

/*
 * Slots from the session manager's tickets: sorted by slot id (the order
 * slots were taken), each slot's sessions are one run of the array.
 */
static int op_list_slots(void *priv, TALLOC_CTX *mem,
			 struct wg_admin_slot **out, size_t *n)
{
	struct admin_ctx *a = priv;
	struct wg_admin_session *ss = NULL;
	struct wg_admin_slot *v = NULL;
	struct comp_names *cn = NULL;
	size_t nss = 0, ncn = 0, k = 0, i = 0;
	TALLOC_CTX *tmp = talloc_new(NULL);
	int rc = tmp != NULL ? 0 : -ENOMEM;

	if (rc == 0) {
		rc = op_list_sessions(priv, tmp, &ss, &nss);
	}
	if (rc == 0) {
		rc = comp_names_build(tmp, a->srv, &cn, &ncn);
	}
	if (rc == 0) {
		v = talloc_zero_array(tmp, struct wg_admin_slot, nss + 1);
		rc = v != NULL ? 0 : -ENOMEM;
	}
	if (rc != 0) {
		goto done;
	}
	qsort(ss, nss, sizeof(ss[0]), by_slot_then_id);
	for (i = 0; i < nss && rc == 0; i++) {
		if (i == 0 || ss[i].slot_id != ss[i - 1].slot_id) {
			v[k++].sessions = &ss[i];
		}
		v[k - 1].nsessions++;
	}
	for (i = 0; i < k && rc == 0; i++) {
		rc = slot_fill(&v[i], v, a->srv,
			       comp_find(cn, ncn, v[i].sessions[0].ip));
	}
	if (rc == 0) {
		talloc_steal(v, ss);
		talloc_steal(v, cn);
		*out = talloc_steal(mem, v);
		*n = k;
	}
done:
	talloc_free(tmp);
	return rc;
}

static unsigned locks_of(const struct smbd_open *op)
{
	return (unsigned)op->locks.count;
}

/* "dir/name" -> "\dir\name" */
static char *wire_path(TALLOC_CTX *mem, const char *rel)
{
	char *p = talloc_asprintf(mem, "\\%s", rel);
	char *c = NULL;

	for (c = p; c != NULL && *c != '\0'; c++) {
		if (*c == '/') {
			*c = '\\';
		}
	}
	return p;
}

struct files_walk {
	TALLOC_CTX *mem;
	struct wg_admin_file *v;
	size_t k;
};

static int list_one_file(struct smbd_open *op, void *priv)
{
	struct files_walk *w = priv;
	const struct smbd_tree *t = op->tree;
	const struct smbd_session *s = t->sess;
	struct wg_admin_file *v = NULL;
	struct wg_admin_file *e = NULL;

	v = talloc_realloc(w->mem, w->v, struct wg_admin_file, w->k + 1);
	if (v == NULL) {
		return -ENOMEM;
	}
	w->v = v;
	e = &v[w->k++];
	*e = (struct wg_admin_file) {
		.id = op->fid_volatile,
		.session_id = s->id,
		.share = talloc_strdup(v, t->share->name),
		.path = op->pipe != NULL ?
			talloc_asprintf(v, "\\PIPE\\%s", op->path) :
			wire_path(v, op->path),
		.local_path = op->pipe != NULL ?
			talloc_strdup(v, "") :
			talloc_asprintf(v, "%s/%s", t->share->path, op->path),
		.user = talloc_strdup(v, s->user),
		.computer = talloc_strdup(v, s->conn->peer_addr),
		.access = op->access,
		.locks = locks_of(op),
		.is_pipe = op->pipe != NULL,
		.is_dir = op->is_dir,
		.idle_secs = secs_since(&s->last_activity),
	};
	return 0;
}

static int op_list_files(void *priv, TALLOC_CTX *mem,
			 struct wg_admin_file **out, size_t *n)
{
	struct admin_ctx *a = priv;
	struct files_walk w = {
		.mem = mem,
		.v = talloc_array(mem, struct wg_admin_file, 0),
	};
	int rc = 0;

	if (w.v == NULL) {
		return -ENOMEM;
	}
	rc = smbd_opens_foreach(a->srv, NULL, list_one_file, &w);
	if (rc != 0) {
		return rc;
	}
	*out = w.v;
	*n = w.k;
	return 0;
}

struct users_walk {
	const char *name;
	unsigned users;
};

/* Tree connects of the share named u->name. */
static int count_share_user(struct smbd_tree *t, void *priv)
{
	struct users_walk *u = priv;

	u->users += strcasecmp(t->share->name, u->name) == 0;
	return 0;
}

static int op_list_shares(void *priv, TALLOC_CTX *mem,
			  struct wg_admin_share **out, size_t *n)
{
	struct admin_ctx *a = priv;
	const struct wg_config *c = a->srv->cfg;
	struct wg_admin_share *v = talloc_zero_array(mem, struct wg_admin_share,
						     c->nshares);
	size_t i = 0;

	if (v == NULL) {
		return -ENOMEM;
	}
	for (i = 0; i < c->nshares; i++) {
		const struct wg_share_cfg *sh = &c->shares[i];
		struct users_walk u = {
			.name = sh->name,
		};

		(void)smbd_trees_foreach(a->srv, count_share_user, &u);
		v[i] = (struct wg_admin_share) {
			.name = talloc_strdup(v, sh->name),
			.path = talloc_strdup(v, sh->path),
			.comment = talloc_strdup(v, sh->comment != NULL ?
						 sh->comment : ""),
			.type = sh->type == WG_SHARE_IPC ? WG_ADMIN_SHARE_IPC :
				sh->type == WG_SHARE_PRINT ?
				WG_ADMIN_SHARE_PRINT : WG_ADMIN_SHARE_DISK,
			.read_only = sh->read_only,
			.current_users = u.users,
		};
	}
	*out = v;
	*n = c->nshares;
	return 0;
}

static const char *conn_state(const struct smbd_conn *c)
{
	switch (c->state) {
	case SMBD_CONN_NBT_WAIT:
		return "netbios";
	case SMBD_CONN_NEGOTIATE:
		return "negotiating";
	case SMBD_CONN_ACTIVE:
		return c->authenticated ? "authenticated" : "negotiated";
	case SMBD_CONN_CLOSING:
		return "closing";
	}
	return "unknown";
}

static int op_list_conns(void *priv, TALLOC_CTX *mem,
			 struct wg_admin_conn **out, size_t *n)
{
	struct admin_ctx *a = priv;
	struct wg_admin_conn *v = talloc_zero_array(mem, struct wg_admin_conn,
						    a->srv->nconns);
	struct smbd_conn *c = NULL;
	size_t k = 0;

	if (v == NULL) {
		return -ENOMEM;
	}
	for (c = a->srv->conns; c != NULL && k < a->srv->nconns; c = c->next) {
		struct smbd_session *s = NULL;
		unsigned ns = 0, nt = 0;
		const char *name = c->calling_name[0] != '\0' ?
				   c->calling_name : NULL;

		for (s = c->sessions; s != NULL; s = s->next) {
			ns++;
			nt += count_trees(s);
			if (name == NULL && s->state == SMBD_SESS_VALID) {
				name = smbd_session_display(s);
			}
		}
		v[k++] = (struct wg_admin_conn) {
			.id = c->id,
			.local = talloc_asprintf(v, "%s:%u", c->local_addr,
						 c->local_port),
			.remote = talloc_asprintf(v, "%s:%u", c->peer_addr,
						  c->peer_port),
			.ip = talloc_strdup(v, c->peer_addr),
			.port = c->local_port,
			.netbios = c->netbios,
			.calling_name = talloc_strdup(v, c->calling_name),
			.computer = talloc_strdup(v, name != NULL ? name :
						  c->peer_addr),
			.state = conn_state(c),
			.dialect = c->smb1 != NULL ? "NT1" :
				   c->dialect != 0 ?
				   smb2_dialect_name(c->dialect) : "",
			.bytes_in = c->bytes_in,
			.bytes_out = c->bytes_out,
			.idle_secs = secs_since(&c->last_activity),
			.age_secs = secs_since_nt(c->connect_time_nt),
			.sessions = ns,
			.trees = nt,
			.opens = (unsigned)c->nopens,
			.loop = c->loop != NULL ? c->loop->idx : 0,
		};
	}
	*out = v;
	*n = k;
	return 0;
}

static void deferred_fire(struct tevent_context *ev, struct tevent_immediate *im,
			  void *private_data)
{
	struct admin_deferred *d = private_data;
	size_t i = 0;

	for (i = 0; i < d->nsessions; i++) {
		struct smbd_session *s = session_by_id(d->srv,
						       d->session_ids[i]);

		struct smbd_ghost *g = NULL;

		if (s != NULL) {
			DBG_NOTICE(SESS, "%s: session 0x%llx (%s) ended by "
				   "an administrator", s->conn->peer_addr,
				   (unsigned long long)s->id,
				   s->anonymous ? "null session" : s->user);
			sm_count_reap(d->srv->sm, SM_REAP_ADMIN);
			smbd_session_end(s, "session deleted");
			continue;
		}
		g = smbd_ghost_find(d->srv, d->session_ids[i]);
		if (g != NULL) {
			uint64_t id = g->session_id;
			unsigned n = 0;

			sm_count_reap(d->srv->sm, SM_REAP_ADMIN);
			n = smbd_ghost_end(g);	/* frees g */
			DBG_NOTICE(SESS, "disconnected session 0x%llx ended "
				   "by an administrator: %u durable open(s) "
				   "flushed and closed",
				   (unsigned long long)id, n);
		}
	}
	if (d->file_id != 0) {
		struct smbd_open *op = smbd_open_find(d->srv, d->file_id);

		if (op != NULL) {
			smbd_open_close(op);
		}
	}
	talloc_free(d);
}

static int defer(struct admin_deferred *d)
{
	struct tevent_immediate *im = tevent_create_immediate(d);

	if (im == NULL) {
		talloc_free(d);
		return -ENOMEM;
	}
	tevent_schedule_immediate(im, smbd_loop_ev(d->srv), deferred_fire,
				  d);
	return 0;
}

/* user: NULL any, "" null sessions, else that user (as logged on). */
static bool user_matches(const struct wg_admin_session *s, const char *user)
{
	if (user == NULL) {
		return true;
	}
	if (user[0] == '\0') {
		return s->anonymous;
	}
	return !s->anonymous && utf8_casecmp(user, s->user) == 0;
}

/* Does computer name more than one address among the slots? */
static bool name_ambiguous(const struct wg_admin_slot *v, size_t n,
			   const char *computer)
{
	const char *ip = NULL;
	size_t i = 0;

	for (i = 0; i < n; i++) {
		if (!wg_admin_slot_named(&v[i], computer)) {
			continue;
		}
		if (ip != NULL && strcmp(ip, v[i].ip) != 0) {
			return true;
		}
		ip = v[i].ip;
	}
	return false;
}

/*
 * The sessions of the computer's slots (the same listing and match as
 * wgnet and NetSessionEnum show), ended at the next turn of the loop.
 */
static int op_delete_sessions(void *priv, const char *computer,
			      const char *user, unsigned *files_closed)
{
	struct admin_ctx *a = priv;
	struct admin_deferred *d = NULL;
	struct wg_admin_slot *v = NULL;
	unsigned files = 0;
	size_t n = 0, i = 0, j = 0;
	int rc = 0;

	if (computer != NULL && computer[0] == '\0') {
		computer = NULL;
	}
	d = talloc_zero(a->srv, struct admin_deferred);
	if (d == NULL) {
		return -ENOMEM;
	}
	d->srv = a->srv;
	rc = op_list_slots(priv, d, &v, &n);
	if (rc != 0) {
		talloc_free(d);
		return rc;
	}
	if (computer != NULL && name_ambiguous(v, n, computer)) {
		talloc_free(d);
		return -ENOTUNIQ;
	}
	d->session_ids = talloc_array(d, uint64_t, 0);
	for (i = 0; i < n && d->session_ids != NULL; i++) {
		if (computer != NULL && !wg_admin_slot_named(&v[i], computer)) {
			continue;
		}
		for (j = 0; j < v[i].nsessions; j++) {
			const struct wg_admin_session *s = &v[i].sessions[j];

			if (!user_matches(s, user)) {
				continue;
			}
			d->session_ids = talloc_realloc(d, d->session_ids,
							uint64_t,
							d->nsessions + 1);
			if (d->session_ids == NULL) {
				break;
			}
			d->session_ids[d->nsessions++] = s->id;
			files += s->opens;
		}
	}
	if (d->session_ids == NULL) {
		talloc_free(d);
		return -ENOMEM;
	}
	TALLOC_FREE(v);
	if (files_closed != NULL) {
		*files_closed = files;
	}
	if (d->nsessions == 0) {
		talloc_free(d);
		return 0;
	}
	rc = (int)d->nsessions;
	return defer(d) != 0 ? -ENOMEM : rc;
}

static int op_close_file(void *priv, uint64_t id)
{
	struct admin_ctx *a = priv;
	struct admin_deferred *d = NULL;

	if (id == 0 || smbd_open_find(a->srv, id) == NULL) {
		return -ENOENT;
	}
	d = talloc_zero(a->srv, struct admin_deferred);
	if (d == NULL) {
		return -ENOMEM;
	}
	d->srv = a->srv;
	d->file_id = id;
	return defer(d);
}

static bool op_is_admin(void *priv, const char *user)
{
	struct admin_ctx *a = priv;
	const char *list = a->srv->cfg->admin_users;
	const char *p = list;
	size_t ulen = user != NULL ? strlen(user) : 0;

	if (list == NULL || ulen == 0) {
		return false;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, " ,");

		if (n == ulen && strncasecmp(p, user, n) == 0) {
			return true;
		}
		p += n;
		p += strspn(p, " ,");
	}
	return false;
}

static bool op_share_visible(void *priv, const char *share, const char *user,
			     bool guest, bool anonymous)
{
	struct admin_ctx *a = priv;
	const struct wg_share_cfg *sh = wg_config_find_share(a->srv->cfg,
							     share);

	if (sh == NULL || !sh->access_based_enum) {
		return true;
	}
	return smbd_share_may_connect(sh, user, guest, anonymous);
}

const struct wg_admin_ops *smbd_admin_ops(struct smbd_server *srv)
{
	struct admin_ctx *a = srv->admin;

	if (a != NULL) {
		return &a->ops;
	}
	a = talloc_zero(srv, struct admin_ctx);
	if (a == NULL) {
		return NULL;
	}
	a->srv = srv;
	a->ops = (struct wg_admin_ops) {
		.priv = a,
		.server_info = op_server_info,
		.list_sessions = op_list_sessions,
		.list_slots = op_list_slots,
		.list_files = op_list_files,
		.list_shares = op_list_shares,
		.list_conns = op_list_conns,
		.delete_sessions = op_delete_sessions,
		.close_file = op_close_file,
		.is_admin = op_is_admin,
		.share_visible = op_share_visible,
	};
	srv->admin = a;
	return &a->ops;
}
