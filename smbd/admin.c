/*
 * admin.c - live listings and admin actions over smbd's objects, for
 * srvsvc and the control socket. Destructive actions (ending sessions,
 * closing files) run from an immediate event at the next turn of the
 * loop, never inside the handler that asked: an admin may end the very
 * session or pipe its request arrived on.
 */
#include "admin.h"
#include "limits.h"
#include "../proto/utf16.h"
#include "../sessions/sessmgr.h"

#include <errno.h>
#include <stdio.h>
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
	uint64_t now = smbd_nt_now();

	return now > nt ? (now - nt) / 10000000ULL : 0;
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
	*e = (struct wg_admin_session) {
		.id = s->id,
		.ip = talloc_strdup(w->v, info->ip),
		.computer = talloc_strdup(w->v, info->display),
		.user = talloc_strdup(w->v, s->user != NULL ? s->user : ""),
		.domain = talloc_strdup(w->v, s->domain != NULL ?
					s->domain : ""),
		.anonymous = s->anonymous,
		.guest = s->guest,
		.signing = s->signing_required,
		.encryption = s->encrypted,
		.client_type = smb2_dialect_name(s->conn->dialect),
		.opens = (unsigned)s->nopens,
		.trees = count_trees(s),
		.printer_handles = info->handles,
		.conn_id = s->conn->id,
		.logon_secs = secs_since_nt(s->logon_time_nt),
		.idle_secs = info->idle_ms / 1000,
		.slot_id = info->slot_id,
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

static unsigned locks_of(const struct smbd_open *op)
{
	const struct smbd_file *f = op->file;
	unsigned n = 0;
	size_t i = 0;

	if (f == NULL) {
		return 0;
	}
	for (i = 0; i < f->nlocks; i++) {
		n += f->locks[i].op == op;
	}
	return n;
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

static int op_list_files(void *priv, TALLOC_CTX *mem,
			 struct wg_admin_file **out, size_t *n)
{
	struct admin_ctx *a = priv;
	struct wg_admin_file *v = talloc_array(mem, struct wg_admin_file, 0);
	struct smbd_session *s = NULL;
	size_t k = 0;

	if (v == NULL) {
		return -ENOMEM;
	}
	for (s = a->srv->sessions; s != NULL; s = s->gnext) {
		struct smbd_tree *t = NULL;

		for (t = s->trees; t != NULL; t = t->next) {
			struct smbd_open *op = NULL;

			for (op = t->opens; op != NULL; op = op->next) {
				struct wg_admin_file *e = NULL;

				v = talloc_realloc(mem, v, struct wg_admin_file,
						   k + 1);
				if (v == NULL) {
					return -ENOMEM;
				}
				e = &v[k++];
				*e = (struct wg_admin_file) {
					.id = op->fid_volatile,
					.session_id = s->id,
					.share = talloc_strdup(v, t->share->name),
					.path = op->pipe != NULL ?
						talloc_asprintf(v, "\\PIPE\\%s",
							op->path) :
						wire_path(v, op->path),
					.local_path = op->pipe != NULL ?
						talloc_strdup(v, "") :
						talloc_asprintf(v, "%s/%s",
							t->share->path,
							op->path),
					.user = talloc_strdup(v, s->user),
					.computer = talloc_strdup(v,
						smbd_session_display(s)),
					.access = op->access,
					.locks = locks_of(op),
					.is_pipe = op->pipe != NULL,
					.is_dir = op->is_dir,
					.idle_secs = secs_since(
						&s->last_activity),
				};
			}
		}
	}
	*out = v;
	*n = k;
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
		struct smbd_session *s = NULL;
		unsigned users = 0;

		for (s = a->srv->sessions; s != NULL; s = s->gnext) {
			struct smbd_tree *t = NULL;

			for (t = s->trees; t != NULL; t = t->next) {
				users += strcasecmp(t->share->name,
						    sh->name) == 0;
			}
		}
		v[i] = (struct wg_admin_share) {
			.name = talloc_strdup(v, sh->name),
			.path = talloc_strdup(v, sh->path),
			.comment = talloc_strdup(v, sh->comment != NULL ?
						 sh->comment : ""),
			.type = sh->type == WG_SHARE_IPC ? WG_ADMIN_SHARE_IPC :
				sh->type == WG_SHARE_PRINT ?
				WG_ADMIN_SHARE_PRINT : WG_ADMIN_SHARE_DISK,
			.read_only = sh->read_only,
			.current_users = users,
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
			.computer = talloc_strdup(v, name != NULL ? name :
						  c->peer_addr),
			.state = conn_state(c),
			.dialect = c->dialect != 0 ?
				   smb2_dialect_name(c->dialect) : "",
			.bytes_in = c->bytes_in,
			.bytes_out = c->bytes_out,
			.idle_secs = secs_since(&c->last_activity),
			.age_secs = secs_since_nt(c->connect_time_nt),
			.sessions = ns,
			.trees = nt,
			.opens = (unsigned)c->nopens,
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

		if (s != NULL) {
			DBG_NOTICE(SESS, "%s: session 0x%llx (%s) ended by "
				   "an administrator", s->conn->peer_addr,
				   (unsigned long long)s->id,
				   s->anonymous ? "null session" : s->user);
			sm_count_reap(d->srv->sm, SM_REAP_ADMIN);
			smbd_session_end(s, "session deleted");
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
	tevent_schedule_immediate(im, d->srv->ev, deferred_fire, d);
	return 0;
}

/* "\\host" or "host": compare with the ip and the display name. */
static bool computer_matches(const struct smbd_session *s, const char *want)
{
	while (want[0] == '\\') {
		want++;
	}
	return strcasecmp(want, s->conn->peer_addr) == 0 ||
	       strcasecmp(want, smbd_session_display(s)) == 0;
}

static int op_delete_sessions(void *priv, const char *computer,
			      const char *user, unsigned *files_closed)
{
	struct admin_ctx *a = priv;
	struct admin_deferred *d = NULL;
	struct smbd_session *s = NULL;
	unsigned files = 0;

	d = talloc_zero(a->srv, struct admin_deferred);
	if (d == NULL) {
		return -ENOMEM;
	}
	d->srv = a->srv;
	for (s = a->srv->sessions; s != NULL; s = s->gnext) {
		if (s->state != SMBD_SESS_VALID) {
			continue;
		}
		if (computer != NULL && computer[0] != '\0' &&
		    !computer_matches(s, computer)) {
			continue;
		}
		if (user != NULL && utf8_casecmp(user, s->user) != 0) {
			continue;
		}
		d->session_ids = talloc_realloc(d, d->session_ids, uint64_t,
						d->nsessions + 1);
		if (d->session_ids == NULL) {
			talloc_free(d);
			return -ENOMEM;
		}
		d->session_ids[d->nsessions++] = s->id;
		files += (unsigned)s->nopens;
	}
	if (files_closed != NULL) {
		*files_closed = files;
	}
	if (d->nsessions == 0) {
		talloc_free(d);
		return 0;
	}
	{
		int n = (int)d->nsessions;
		int rc = defer(d);

		return rc != 0 ? rc : n;
	}
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
		.list_files = op_list_files,
		.list_shares = op_list_shares,
		.list_conns = op_list_conns,
		.delete_sessions = op_delete_sessions,
		.close_file = op_close_file,
		.is_admin = op_is_admin,
	};
	srv->admin = a;
	return &a->ops;
}
