/*
 * control.c - the control socket behind `wgnet` (see control.h): accept,
 * authorize with SO_PEERCRED, read one request line, answer with one JSON
 * document, close. Everything is non-blocking and bounded, so a slow or
 * hostile admin client costs SMB clients nothing.
 */
#include "smbd/admin/control.h"
#include "smbd/admin/admin.h"
#include "smbd/loop.h"
#include "smbd/net/conn.h"
#include "smbd/fs/open.h"
#include "smbd/fs/acladmin.h"
#include "smbd/smb2/session.h"
#include "sessions/identity.h"
#include "sessions/admin.h"
#include "proto/ctlproto.h"
#include "sessions/sessmgr.h"
#include "sessions/users.h"
#include "proto/smb2.h"
#include "proto/smb2_transform.h"
#include "proto/utf16.h"
#include "proto/secdesc.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define CTL_ACCEPT_BURST	16
#define TOSTR_(x)		#x
#define TOSTR(x)		TOSTR_(x)
#define CTL_MAX_GROUPS		4096

struct ctl_client;

struct smbd_control {
	struct smbd_server *srv;
	char *path;
	int fd;
	struct tevent_fd *fde;
	struct ctl_client *clients;
	unsigned nclients;
	dev_t dev;			/* the socket file we created */
	ino_t ino;
};

struct ctl_client {
	struct ctl_client *prev, *next;
	struct smbd_control *ctl;
	int fd;
	struct tevent_fd *fde;
	struct tevent_timer *te;
	struct tevent_immediate *free_im;
	char who[96];			/* "uid 0 (root) pid 123" */
	char in[CTL_MAX_REQUEST];
	size_t in_len;
	char *out;
	size_t out_len;
	size_t out_done;
};

/* One request being answered. */
struct ctl_call {
	struct smbd_server *srv;
	const struct wg_admin_ops *ops;
	struct ctl_client *cl;
	struct ctl_json *j;		/* the success document */
	TALLOC_CTX *tmp;
	char *err;			/* message when a verb fails */
};

struct ctl_verb {
	const char *name;
	size_t min_args;
	size_t max_args;
	int (*run)(struct ctl_call *c, char **args);
};

static void ctl_accept(struct tevent_context *ev, struct tevent_fd *fde,
		       uint16_t flags, void *private_data);
static void ctl_client_io(struct tevent_context *ev, struct tevent_fd *fde,
			  uint16_t flags, void *private_data);
static void ctl_client_timeout(struct tevent_context *ev,
			       struct tevent_timer *te, struct timeval now,
			       void *private_data);

/* ---- building responses ---------------------------------------------- */

static int ctl_fail(struct ctl_call *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record why the verb failed; returns -err for the verb to return. */
static int ctl_fail(struct ctl_call *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	talloc_free(c->err);
	c->err = talloc_vasprintf(c->tmp, fmt, ap);
	va_end(ap);
	return -err;
}

/* {"version":1,"ok":false,"error":msg,"errno":"E..."} or NULL. */
static char *error_doc(TALLOC_CTX *mem, int err, const char *msg,
		       size_t *len)
{
	struct ctl_json *j = ctl_json_new(mem);
	char *out = NULL;

	if (j == NULL) {
		return NULL;
	}
	ctl_json_object_begin(j, NULL);
	ctl_json_u64(j, "version", CTL_PROTO_VERSION);
	ctl_json_bool(j, "ok", false);
	ctl_json_string(j, "error", msg != NULL ? msg : strerror(err));
	ctl_json_string(j, "errno", ctl_errno_name(err));
	ctl_json_object_end(j);
	if (ctl_json_finish(j, &out, len) != 0) {
		return NULL;
	}
	return out;
}

static const char *share_type_name(enum wg_admin_share_type t)
{
	switch (t) {
	case WG_ADMIN_SHARE_DISK:
		return "disk";
	case WG_ADMIN_SHARE_PRINT:
		return "print";
	case WG_ADMIN_SHARE_IPC:
		return "ipc";
	}
	return "unknown";
}

/* An open's granted access [MS-SMB2 §2.2.13.1] as read/write words. */
static const char *access_mode(uint32_t access)
{
	bool r = (access & (FILE_READ_DATA | SEC_GENERIC_READ |
			    SEC_GENERIC_ALL)) != 0;
	bool w = (access & (FILE_WRITE_DATA | FILE_APPEND_DATA |
			    SEC_GENERIC_WRITE | SEC_GENERIC_ALL)) != 0;

	if (r && w) {
		return "read+write";
	}
	return r ? "read" : w ? "write" : "none";
}

static const char *cipher_name(uint16_t cipher)
{
	switch (cipher) {
	case SMB2_CIPHER_AES128_CCM:
		return "AES-128-CCM";
	case SMB2_CIPHER_AES128_GCM:
		return "AES-128-GCM";
	case SMB2_CIPHER_AES256_CCM:
		return "AES-256-CCM";
	case SMB2_CIPHER_AES256_GCM:
		return "AES-256-GCM";
	default:
		return "none";
	}
}

static void put_session(struct ctl_json *j, const struct wg_admin_session *s)
{
	ctl_json_u64(j, "id", s->id);
	ctl_json_string(j, "computer", s->computer);
	ctl_json_string(j, "ip", s->ip);
	ctl_json_string(j, "user", s->user);
	ctl_json_string(j, "domain", s->domain);
	ctl_json_bool(j, "anonymous", s->anonymous);
	ctl_json_bool(j, "guest", s->guest);
	ctl_json_bool(j, "signing", s->signing);
	ctl_json_bool(j, "encryption", s->encryption);
	ctl_json_string(j, "client_type", s->client_type);
	ctl_json_u64(j, "opens", s->opens);
	ctl_json_u64(j, "trees", s->trees);
	ctl_json_u64(j, "printer_handles", s->printer_handles);
	ctl_json_u64(j, "connection_id", s->conn_id);
	ctl_json_u64(j, "logon_secs", s->logon_secs);
	ctl_json_u64(j, "idle_secs", s->idle_secs);
	ctl_json_u64(j, "slot", s->slot_id);
	ctl_json_string(j, "calling_name", s->calling_name);
	ctl_json_string(j, "workstation", s->workstation);
	ctl_json_bool(j, "disconnected", s->disconnected);
	if (s->disconnected) {
		ctl_json_u64(j, "durable_secs_left", s->durable_secs_left);
	}
}

static void put_names(struct ctl_json *j, const char *key,
		      const char *const *v, size_t n)
{
	size_t i = 0;

	ctl_json_array_begin(j, key);
	for (i = 0; i < n; i++) {
		ctl_json_string(j, NULL, v[i]);
	}
	ctl_json_array_end(j);
}

/* A slot's own fields (the caller adds its nested sessions). */
static void put_slot(struct ctl_json *j, const struct wg_admin_slot *s)
{
	ctl_json_u64(j, "slot", s->id);
	ctl_json_string(j, "computer", s->ip);
	ctl_json_string(j, "ip", s->ip);
	put_names(j, "calling_names", s->calling_names, s->ncalling_names);
	put_names(j, "workstations", s->workstations, s->nworkstations);
	ctl_json_string(j, "user", s->user);
	ctl_json_bool(j, "anonymous", s->anonymous);
	ctl_json_bool(j, "guest", s->guest);
	ctl_json_bool(j, "encryption", s->encryption);
	ctl_json_string(j, "client_type", s->client_type);
	ctl_json_u64(j, "opens", s->opens);
	ctl_json_u64(j, "trees", s->trees);
	ctl_json_u64(j, "printer_handles", s->printer_handles);
	ctl_json_u64(j, "logon_secs", s->logon_secs);
	ctl_json_u64(j, "idle_secs", s->idle_secs);
	ctl_json_bool(j, "disconnected", s->disconnected);
	ctl_json_u64(j, "durable_opens", s->durable_opens);
	ctl_json_u64(j, "durable_secs_left", s->durable_secs_left);
}

static void put_file(struct ctl_json *j, const struct wg_admin_file *f)
{
	ctl_json_object_begin(j, NULL);
	ctl_json_u64(j, "id", f->id);
	ctl_json_u64(j, "session_id", f->session_id);
	ctl_json_string(j, "share", f->share);
	ctl_json_string(j, "path", f->path);
	ctl_json_string(j, "local_path", f->local_path);
	ctl_json_string(j, "user", f->user);
	ctl_json_string(j, "computer", f->computer);
	ctl_json_u64(j, "access", f->access);
	ctl_json_string(j, "mode", f->is_pipe ? "read+write" :
			access_mode(f->access));
	ctl_json_u64(j, "locks", f->locks);
	ctl_json_bool(j, "is_pipe", f->is_pipe);
	ctl_json_bool(j, "is_dir", f->is_dir);
	ctl_json_u64(j, "idle_secs", f->idle_secs);
	ctl_json_object_end(j);
}

static void put_conn(struct ctl_json *j, const struct wg_admin_conn *c)
{
	ctl_json_u64(j, "id", c->id);
	ctl_json_string(j, "local", c->local);
	ctl_json_string(j, "remote", c->remote);
	ctl_json_string(j, "ip", c->ip);
	ctl_json_u64(j, "port", c->port);
	ctl_json_bool(j, "netbios", c->netbios);
	ctl_json_string(j, "calling_name", c->calling_name);
	ctl_json_string(j, "computer", c->computer);
	ctl_json_string(j, "state", c->state);
	ctl_json_string(j, "dialect", c->dialect);
	ctl_json_u64(j, "bytes_in", c->bytes_in);
	ctl_json_u64(j, "bytes_out", c->bytes_out);
	ctl_json_u64(j, "idle_secs", c->idle_secs);
	ctl_json_u64(j, "age_secs", c->age_secs);
	ctl_json_u64(j, "sessions", c->sessions);
	ctl_json_u64(j, "trees", c->trees);
	ctl_json_u64(j, "opens", c->opens);
	ctl_json_u64(j, "loop", c->loop);
}

/* "\\\\pc1" and "pc1" name the same computer: its ip or display name. */
static const char *strip_unc(const char *name)
{
	while (name[0] == '\\') {
		name++;
	}
	return name;
}

/* ---- verbs ------------------------------------------------------------ */

/* One row per slot, as `net session` shows; its SMB sessions nested. */
static int v_sessions(struct ctl_call *c, char **args)
{
	struct wg_admin_slot *v = NULL;
	struct wg_admin_server *info = NULL;
	size_t n = 0, i = 0, k = 0;
	int rc = c->ops->list_slots(c->ops->priv, c->tmp, &v, &n);

	if (rc == 0) {
		rc = c->ops->server_info(c->ops->priv, c->tmp, &info);
	}
	if (rc != 0) {
		return ctl_fail(c, -rc, "cannot list sessions: %s",
				strerror(-rc));
	}
	ctl_json_array_begin(c->j, "sessions");
	for (i = 0; i < n; i++) {
		ctl_json_object_begin(c->j, NULL);
		put_slot(c->j, &v[i]);
		ctl_json_array_begin(c->j, "smb_sessions");
		for (k = 0; k < v[i].nsessions; k++) {
			ctl_json_object_begin(c->j, NULL);
			put_session(c->j, &v[i].sessions[k]);
			ctl_json_object_end(c->j);
		}
		ctl_json_array_end(c->j);
		ctl_json_object_end(c->j);
	}
	ctl_json_array_end(c->j);
	ctl_json_u64(c->j, "slots_used", info->slots_used);
	ctl_json_u64(c->j, "cap", info->cap);
	ctl_json_string(c->j, "edition", info->edition);
	ctl_json_string(c->j, "accounting", info->accounting);
	ctl_json_string(c->j, "cap_policy", info->cap_policy);
	return 0;
}

struct session_walk {
	uint64_t id;
	const struct smbd_session *s;
};

/* Stops at the first tree of session w->id (a session without trees
 * has no shares to list). */
static int find_session(struct smbd_tree *t, void *priv)
{
	struct session_walk *w = priv;

	if (t->sess->id != w->id) {
		return 0;
	}
	w->s = t->sess;
	return 1;
}

static int count_open(struct smbd_open *op, void *priv)
{
	unsigned *n = priv;

	(*n)++;
	return 0;
}

/* The tree connects of one session, straight from smbd's objects. */
static void put_session_shares(struct ctl_call *c, uint64_t id)
{
	struct session_walk w = {
		.id = id,
	};
	const struct smbd_tree *t = NULL;
	uint64_t now = smbd_nt_now();

	(void)smbd_trees_foreach(c->srv, find_session, &w);
	ctl_json_array_begin(c->j, "shares");
	for (t = w.s != NULL ? w.s->trees : NULL; t != NULL; t = t->next) {
		struct smbd_opens_filter f = {
			.tree = t,
		};
		unsigned opens = 0;

		(void)smbd_opens_foreach(c->srv, &f, count_open, &opens);
		ctl_json_object_begin(c->j, NULL);
		ctl_json_string(c->j, "name", t->share->name);
		ctl_json_string(c->j, "type",
				t->share->type == WG_SHARE_IPC ? "ipc" :
				t->share->type == WG_SHARE_PRINT ? "print" :
				"disk");
		ctl_json_u64(c->j, "opens", opens);
		ctl_json_u64(c->j, "connected_secs",
			     smbd_nt_secs_since(t->connect_time_nt, now));
		ctl_json_object_end(c->j);
	}
	ctl_json_array_end(c->j);
}

static uint16_t conn_cipher(const struct smbd_server *srv, uint64_t id)
{
	const struct smbd_conn *k = NULL;

	for (k = srv->conns; k != NULL; k = k->next) {
		if (k->id == id) {
			return k->cipher;
		}
	}
	return 0;
}

static bool id_in(uint64_t id, const uint64_t *ids, size_t n)
{
	size_t i = 0;

	for (i = 0; i < n; i++) {
		if (ids[i] == id) {
			return true;
		}
	}
	return false;
}

static bool str_in(const char *s, const char *const *v, size_t n)
{
	size_t i = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i], s) == 0) {
			return true;
		}
	}
	return false;
}

/* The slots a computer name denotes, and their distinct addresses. */
struct computer_match {
	struct wg_admin_slot *slots;	/* in c->tmp */
	size_t n;
	const char **ips;
	size_t nips;
	uint64_t *sids;			/* every SMB session of them */
	size_t nsids;
};

/* want NULL: every slot. 0 or -ENOMEM. */
static int match_computer(struct ctl_call *c, const char *want,
			  struct computer_match *m)
{
	struct wg_admin_slot *v = NULL;
	size_t n = 0, i = 0, k = 0, total = 0;
	int rc = c->ops->list_slots(c->ops->priv, c->tmp, &v, &n);

	if (rc != 0) {
		return rc;
	}
	*m = (struct computer_match) {};
	m->slots = talloc_array(c->tmp, struct wg_admin_slot, n + 1);
	m->ips = talloc_array(c->tmp, const char *, n + 1);
	for (i = 0; i < n; i++) {
		total += v[i].nsessions;
	}
	m->sids = talloc_array(c->tmp, uint64_t, total + 1);
	if (m->slots == NULL || m->ips == NULL || m->sids == NULL) {
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (want != NULL && !wg_admin_slot_named(&v[i], want)) {
			continue;
		}
		m->slots[m->n++] = v[i];
		if (!str_in(v[i].ip, m->ips, m->nips)) {
			m->ips[m->nips++] = v[i].ip;
		}
		for (k = 0; k < v[i].nsessions; k++) {
			m->sids[m->nsids++] = v[i].sessions[k].id;
		}
	}
	return 0;
}

/* The computer's connections (all, from its addresses) and files. */
static int put_session_detail_rest(struct ctl_call *c,
				   const struct computer_match *m)
{
	struct wg_admin_conn *conns = NULL;
	struct wg_admin_file *files = NULL;
	size_t nconns = 0, nfiles = 0, i = 0;
	int rc = c->ops->list_conns(c->ops->priv, c->tmp, &conns, &nconns);

	if (rc == 0) {
		rc = c->ops->list_files(c->ops->priv, c->tmp, &files, &nfiles);
	}
	if (rc != 0) {
		return ctl_fail(c, -rc, "cannot list connections and files: "
				"%s", strerror(-rc));
	}
	ctl_json_array_begin(c->j, "connections");
	for (i = 0; i < nconns; i++) {
		if (!str_in(conns[i].ip, m->ips, m->nips)) {
			continue;
		}
		ctl_json_object_begin(c->j, NULL);
		put_conn(c->j, &conns[i]);
		ctl_json_string(c->j, "cipher",
				cipher_name(conn_cipher(c->srv, conns[i].id)));
		ctl_json_object_end(c->j);
	}
	ctl_json_array_end(c->j);
	ctl_json_array_begin(c->j, "files");
	for (i = 0; i < nfiles; i++) {
		if (id_in(files[i].session_id, m->sids, m->nsids)) {
			put_file(c->j, &files[i]);
		}
	}
	ctl_json_array_end(c->j);
	return 0;
}

/*
 * Every slot of the computer named (address, calling name or NTLM
 * workstation name): its SMB sessions with their trees, its connections
 * and its open files and pipes.
 */
static int v_session(struct ctl_call *c, char **args)
{
	const char *want = strip_unc(args[0]);
	struct computer_match m = {};
	size_t i = 0, k = 0;
	int rc = match_computer(c, want, &m);

	if (rc != 0) {
		return ctl_fail(c, -rc, "cannot list sessions: %s",
				strerror(-rc));
	}
	if (m.n == 0) {
		return ctl_fail(c, ENOENT, "no session from \\\\%s", want);
	}
	ctl_json_string(c->j, "computer", want);
	put_names(c->j, "addresses", m.ips, m.nips);
	ctl_json_array_begin(c->j, "sessions");
	for (i = 0; i < m.n; i++) {
		const struct wg_admin_slot *sl = &m.slots[i];

		ctl_json_object_begin(c->j, NULL);
		put_slot(c->j, sl);
		ctl_json_array_begin(c->j, "smb_sessions");
		for (k = 0; k < sl->nsessions; k++) {
			ctl_json_object_begin(c->j, NULL);
			put_session(c->j, &sl->sessions[k]);
			put_session_shares(c, sl->sessions[k].id);
			ctl_json_object_end(c->j);
		}
		ctl_json_array_end(c->j);
		ctl_json_object_end(c->j);
	}
	ctl_json_array_end(c->j);
	return put_session_detail_rest(c, &m);
}

/* "(null)" names the null sessions (the way the listing shows them). */
static const char *user_arg(const char *u)
{
	return u == NULL ? NULL : strcasecmp(u, "(null)") == 0 ? "" : u;
}

static bool user_is(const struct wg_admin_session *s, const char *user)
{
	if (user == NULL) {
		return true;
	}
	return user[0] == '\0' ? s->anonymous :
	       !s->anonymous && utf8_casecmp(user, s->user) == 0;
}

/* What session-delete ends: the slots, the sessions of each it ends. */
static unsigned put_ended(struct ctl_call *c, const struct computer_match *m,
			  const char *user)
{
	unsigned freed = 0;
	size_t i = 0, k = 0;

	ctl_json_array_begin(c->j, "ended");
	for (i = 0; i < m->n; i++) {
		const struct wg_admin_slot *sl = &m->slots[i];
		size_t hit = 0;

		for (k = 0; k < sl->nsessions; k++) {
			hit += user_is(&sl->sessions[k], user);
		}
		if (hit == 0) {
			continue;
		}
		freed += hit == sl->nsessions;
		ctl_json_object_begin(c->j, NULL);
		put_slot(c->j, sl);
		ctl_json_bool(c->j, "freed", hit == sl->nsessions);
		ctl_json_array_begin(c->j, "smb_sessions");
		for (k = 0; k < sl->nsessions; k++) {
			if (!user_is(&sl->sessions[k], user)) {
				continue;
			}
			ctl_json_object_begin(c->j, NULL);
			put_session(c->j, &sl->sessions[k]);
			ctl_json_object_end(c->j);
		}
		ctl_json_array_end(c->j);
		ctl_json_object_end(c->j);
	}
	ctl_json_array_end(c->j);
	return freed;
}

/*
 * session-delete COMPUTER|--all [USER]: end every slot of the computer
 * (or, with USER, that user's sessions: in windows accounting one slot).
 */
static int v_session_delete(struct ctl_call *c, char **args)
{
	bool all = strcmp(args[0], "--all") == 0;
	const char *want = all ? NULL : strip_unc(args[0]);
	const char *user = user_arg(args[1]);
	const char *what = all ? "every computer" : want;
	struct computer_match m = {};
	unsigned files = 0, freed = 0;
	int rc = 0;

	if (!all && want[0] == '\0') {
		return ctl_fail(c, EINVAL, "no computer named");
	}
	rc = match_computer(c, want, &m);
	if (rc != 0) {
		return ctl_fail(c, -rc, "cannot list sessions: %s",
				strerror(-rc));
	}
	rc = c->ops->delete_sessions(c->ops->priv, want, user, &files);
	if (rc == -ENOTUNIQ) {
		char *ips = talloc_strdup(c->tmp, "");
		size_t i = 0;

		for (i = 0; i < m.nips && ips != NULL; i++) {
			ips = talloc_asprintf_append(ips, "%s%s",
						     i > 0 ? ", " : "",
						     m.ips[i]);
		}
		return ctl_fail(c, ENOTUNIQ, "\\\\%s names %zu computers "
				"(%s): name one by its address", want, m.nips,
				ips != NULL ? ips : "?");
	}
	if (rc < 0) {
		return ctl_fail(c, -rc, "cannot end sessions of %s: %s",
				what, strerror(-rc));
	}
	if (rc == 0 && !all) {
		if (user != NULL && m.n > 0) {
			return ctl_fail(c, ENOENT, "no session of %s from "
					"\\\\%s", user[0] != '\0' ? user :
					"(null)", want);
		}
		return ctl_fail(c, ENOENT, "no session from \\\\%s", want);
	}
	freed = put_ended(c, &m, user);
	ctl_json_u64(c->j, "slots_freed", freed);
	ctl_json_u64(c->j, "sessions_ended", (uint64_t)rc);
	ctl_json_u64(c->j, "files_closed", files);
	DBG_NOTICE(SESS, "control: %s ended %d session(s) of %s%s%s (%u "
		   "slot(s) freed, %u open(s) flushed and closed)",
		   c->cl->who, rc, what, user != NULL ? ", user " : "",
		   user == NULL ? "" : user[0] != '\0' ? user : "(null)",
		   freed, files);
	return 0;
}

static int v_files(struct ctl_call *c, char **args)
{
	struct wg_admin_file *v = NULL;
	size_t n = 0, i = 0;
	int rc = c->ops->list_files(c->ops->priv, c->tmp, &v, &n);

	if (rc != 0) {
		return ctl_fail(c, -rc, "cannot list open files: %s",
				strerror(-rc));
	}
	ctl_json_array_begin(c->j, "files");
	for (i = 0; i < n; i++) {
		put_file(c->j, &v[i]);
	}
	ctl_json_array_end(c->j);
	return 0;
}

static int v_file_close(struct ctl_call *c, char **args)
{
	char *end = NULL;
	unsigned long long id = 0;
	int rc = 0;

	errno = 0;
	id = strtoull(args[0], &end, 10);
	if (errno != 0 || end == args[0] || *end != '\0' ||
	    args[0][0] == '-' || id == 0) {
		return ctl_fail(c, EINVAL, "\"%s\" is not a file id",
				args[0]);
	}
	rc = c->ops->close_file(c->ops->priv, id);
	if (rc == -ENOENT) {
		return ctl_fail(c, ENOENT, "no open file with id %llu", id);
	}
	if (rc != 0) {
		return ctl_fail(c, -rc, "cannot close file %llu: %s", id,
				strerror(-rc));
	}
	ctl_json_u64(c->j, "closed", id);
	DBG_NOTICE(SESS, "control: %s closed open file %llu", c->cl->who,
		   id);
	return 0;
}

static int v_shares(struct ctl_call *c, char **args)
{
	struct wg_admin_share *v = NULL;
	size_t n = 0, i = 0;
	int rc = c->ops->list_shares(c->ops->priv, c->tmp, &v, &n);

	if (rc != 0) {
		return ctl_fail(c, -rc, "cannot list shares: %s",
				strerror(-rc));
	}
	ctl_json_array_begin(c->j, "shares");
	for (i = 0; i < n; i++) {
		ctl_json_object_begin(c->j, NULL);
		ctl_json_string(c->j, "name", v[i].name);
		ctl_json_string(c->j, "path", v[i].path);
		ctl_json_string(c->j, "type", share_type_name(v[i].type));
		ctl_json_string(c->j, "remark", v[i].comment);
		ctl_json_bool(c->j, "read_only", v[i].read_only);
		ctl_json_u64(c->j, "current_users", v[i].current_users);
		ctl_json_object_end(c->j);
	}
	ctl_json_array_end(c->j);
	return 0;
}

static int v_connections(struct ctl_call *c, char **args)
{
	struct wg_admin_conn *v = NULL;
	size_t n = 0, i = 0;
	int rc = c->ops->list_conns(c->ops->priv, c->tmp, &v, &n);

	if (rc != 0) {
		return ctl_fail(c, -rc, "cannot list connections: %s",
				strerror(-rc));
	}
	ctl_json_array_begin(c->j, "connections");
	for (i = 0; i < n; i++) {
		ctl_json_object_begin(c->j, NULL);
		put_conn(c->j, &v[i]);
		ctl_json_object_end(c->j);
	}
	ctl_json_array_end(c->j);
	return 0;
}

static int v_config(struct ctl_call *c, char **args)
{
	const struct wg_config *cfg = c->srv->cfg;
	struct wg_admin_server *i = NULL;
	int rc = c->ops->server_info(c->ops->priv, c->tmp, &i);

	if (rc != 0) {
		return ctl_fail(c, -rc, "cannot read the server settings: %s",
				strerror(-rc));
	}
	ctl_json_object_begin(c->j, "server");
	ctl_json_string(c->j, "netbios_name", i->netbios_name);
	ctl_json_string(c->j, "workgroup", i->workgroup);
	ctl_json_string(c->j, "comment", i->comment);
	ctl_json_string(c->j, "version", i->version);
	ctl_json_string(c->j, "edition", i->edition);
	ctl_json_u64(c->j, "cap", i->cap);
	ctl_json_u64(c->j, "slots_used", i->slots_used);
	ctl_json_string(c->j, "accounting", i->accounting);
	ctl_json_string(c->j, "cap_policy", i->cap_policy);
	ctl_json_i64(c->j, "restrict_anonymous", i->restrict_anonymous);
	ctl_json_u64(c->j, "uptime_secs", i->uptime_secs);
	ctl_json_string(c->j, "control_socket", cfg->control_socket);
	ctl_json_string(c->j, "admin_group", cfg->admin_group);
	ctl_json_string(c->j, "admin_users", cfg->admin_users);
	ctl_json_bool(c->j, "smb1", cfg->smb1_enabled);
	ctl_json_bool(c->j, "ntlmv1_permitted", cfg->ntlmv1_permitted);
	ctl_json_bool(c->j, "netbios_name_service", cfg->nbns);
	ctl_json_object_begin(c->j, "timeouts_ms");
	ctl_json_u64(c->j, "autodisconnect", i->autodisconnect_ms);
	ctl_json_u64(c->j, "null_session", i->null_session_timeout_ms);
	ctl_json_u64(c->j, "spoolss_handle", i->spoolss_handle_timeout_ms);
	ctl_json_u64(c->j, "auth", i->auth_timeout_ms);
	ctl_json_u64(c->j, "linger", i->linger_timeout_ms);
	ctl_json_object_end(c->j);
	ctl_json_object_end(c->j);
	return 0;
}

/*
 * How long a loop held the state lock, and doing what (loop.h): holds
 * ended, their time in all and the longest, the hold-time histogram
 * (its counts add up to count), and per site that held it at least
 * once, longest in all first: holds, time in all and the longest.
 */
static void ctl_lock_holds(struct ctl_call *c, const struct smbd_loop *lp)
{
	const struct smbd_server *srv = lp->srv;
	const struct smbd_holds *h = lp->holds;
	unsigned order[SMBD_SITE_NUM];
	unsigned n = 0;
	unsigned i = 0;
	char name[32];

	if (h == NULL) {
		return;		/* one loop: no lock */
	}
	/* sites that held the lock, by time in all (insertion sort) */
	for (i = 0; i < SMBD_SITE_NUM; i++) {
		unsigned k = n;

		if (h->site[i].count == 0) {
			continue;
		}
		while (k > 0 &&
		       h->site[order[k - 1]].ticks < h->site[i].ticks) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
		n++;
	}
	ctl_json_object_begin(c->j, "lock_holds");
	ctl_json_u64(c->j, "count", h->count);
	ctl_json_u64(c->j, "total_us", smbd_hold_us(srv, h->ticks));
	ctl_json_u64(c->j, "max_us", smbd_hold_us(srv, h->max_ticks));
	ctl_json_string(c->j, "max_site",
			smbd_site_name(h->max_site, name, sizeof(name)));
	ctl_json_object_begin(c->j, "histogram");
	for (i = 0; i < SMBD_HOLD_BUCKETS; i++) {
		ctl_json_u64(c->j, smbd_hold_bucket_name(i), h->hist[i]);
	}
	ctl_json_object_end(c->j);
	ctl_json_array_begin(c->j, "sites");
	for (i = 0; i < n; i++) {
		const struct smbd_hold_site *s = &h->site[order[i]];

		ctl_json_object_begin(c->j, NULL);
		ctl_json_string(c->j, "site",
				smbd_site_name(order[i], name, sizeof(name)));
		ctl_json_u64(c->j, "count", s->count);
		ctl_json_u64(c->j, "total_us", smbd_hold_us(srv, s->ticks));
		ctl_json_u64(c->j, "max_us", smbd_hold_us(srv, s->max_ticks));
		ctl_json_object_end(c->j);
	}
	ctl_json_array_end(c->j);
	ctl_json_object_end(c->j);
}

/*
 * Where SMB2 requests' time went on the server (loop.h, request
 * latency), all loops together: per command that ran, per phase put
 * down at least once: the requests it was sent, and of those timed (one
 * in SMBD_LAT_SAMPLE) per phase put down at least once its count, the
 * time in all, the median and 99th percentile (from quarter-octave
 * buckets) and the buckets, in ns.
 */
static void ctl_latency(struct ctl_call *c)
{
	const struct smbd_server *srv = c->srv;
	struct smbd_lat *all = talloc_zero(c->tmp, struct smbd_lat);
	unsigned k = 0, cmd = 0, p = 0;

	if (all == NULL) {
		return;
	}
	for (k = 0; k < srv->nloops; k++) {
		if (srv->loops[k]->lat != NULL) {
			smbd_lat_merge(all, srv->loops[k]->lat);
		}
	}
	ctl_json_object_begin(c->j, "latency");
	ctl_json_array_begin(c->j, "commands");
	for (cmd = 0; cmd < SMB2_NUM_CMDS; cmd++) {
		if (all->requests[cmd] == 0) {
			continue;
		}
		ctl_json_object_begin(c->j, NULL);
		ctl_json_string(c->j, "command", smb2_cmd_name(cmd));
		ctl_json_u64(c->j, "requests", all->requests[cmd]);
		ctl_json_u64(c->j, "sample", SMBD_LAT_SAMPLE);
		ctl_json_object_begin(c->j, "phases");
		for (p = 0; p < SMBD_LAT_PHASES; p++) {
			const struct smbd_lat_hist *h = &all->h[cmd][p];
			uint64_t hsum = 0;
			unsigned b = 0;

			if (h->count == 0) {
				continue;
			}
			for (b = 0; b < SMBD_LAT_BUCKETS; b++) {
				hsum += h->hist[b];
			}
			ctl_json_object_begin(c->j, smbd_lat_phase_name(p));
			ctl_json_u64(c->j, "count", h->count);
			ctl_json_u64(c->j, "histogram_count", hsum);
			ctl_json_u64(c->j, "sum_ns", smbd_lat_ns(h->ticks));
			ctl_json_u64(c->j, "p50_ns",
				     smbd_lat_quantile_ns(h, 0.5));
			ctl_json_u64(c->j, "p99_ns",
				     smbd_lat_quantile_ns(h, 0.99));
			/* [from_ns, to_ns, count] of each bucket used, so
			 * that a reader can subtract two readings */
			ctl_json_array_begin(c->j, "buckets");
			for (b = 0; b < SMBD_LAT_BUCKETS; b++) {
				uint64_t lo = 0, hi = 0;

				if (h->hist[b] == 0) {
					continue;
				}
				smbd_lat_bucket_ns(b, &lo, &hi);
				ctl_json_array_begin(c->j, NULL);
				ctl_json_u64(c->j, NULL, lo);
				ctl_json_u64(c->j, NULL, hi);
				ctl_json_u64(c->j, NULL, h->hist[b]);
				ctl_json_array_end(c->j);
			}
			ctl_json_array_end(c->j);
			ctl_json_object_end(c->j);
		}
		ctl_json_object_end(c->j);
		ctl_json_object_end(c->j);
	}
	ctl_json_array_end(c->j);
	ctl_json_object_end(c->j);
	talloc_free(all);
}

static int v_statistics(struct ctl_call *c, char **args)
{
	const struct smbd_server *srv = c->srv;
	struct sm_stats st = {};
	uint64_t reaped = 0;
	uint64_t now = smbd_nt_now();
	uint64_t cpu = 0, delay = 0, slices = 0;
	int k = 0;

	sm_get_stats(srv->sm, &st);
	for (k = 0; k < SM_REAP_NUM; k++) {
		reaped += st.reaped[k];
	}
	ctl_json_object_begin(c->j, "statistics");
	ctl_json_i64(c->j, "start_time",
		     smbd_nt_unix_secs(srv->start_time_nt));
	ctl_json_u64(c->j, "uptime_secs",
		     smbd_nt_secs_since(srv->start_time_nt, now));
	ctl_json_u64(c->j, "sessions_admitted", st.admitted);
	ctl_json_u64(c->j, "sessions_refused_cap", st.refused_cap);
	ctl_json_u64(c->j, "sessions_refused_anonymous",
		     st.refused_anonymous);
	ctl_json_u64(c->j, "sessions_reaped", reaped);
	ctl_json_object_begin(c->j, "reaped");
	for (k = 0; k < SM_REAP_NUM; k++) {
		char key[32];
		char *p = NULL;

		snprintf(key, sizeof(key), "%s", sm_reap_cause_name(k));
		for (p = key; *p != '\0'; p++) {
			if (*p == ' ' || *p == '-') {
				*p = '_';
			}
		}
		ctl_json_u64(c->j, key, st.reaped[k]);
	}
	ctl_json_object_end(c->j);
	ctl_json_u64(c->j, "printer_handles_reaped", st.handles_reaped);
	ctl_json_u64(c->j, "bytes_in", srv->stats.bytes_in);
	ctl_json_u64(c->j, "bytes_out", srv->stats.bytes_out);
	ctl_json_u64(c->j, "connections_accepted", srv->stats.conns_accepted);
	ctl_json_u64(c->j, "streams_reclaimed", srv->stats.streams_reclaimed);
	ctl_json_u64(c->j, "writes_spliced", srv->stats.writes_spliced);
	ctl_json_u64(c->j, "splice_pipes_busy", srv->stats.splice_pipes_busy);
	ctl_json_u64(c->j, "splice_pipes_failed",
		     srv->stats.splice_pipes_failed);
	ctl_json_u64(c->j, "writes_unspliced", srv->stats.writes_unspliced);
	ctl_json_u64(c->j, "splice_pipes_alive", smbd_conn_splice_pipes());
	/* idle connections' sessions drop theirs (smb2/session.h) */
	ctl_json_u64(c->j, "sessions_with_expanded_keys",
		     smbd_sessions_with_keys(srv));
	/* the event loops (docs/threads.md): what each one serves now */
	ctl_json_array_begin(c->j, "loops");
	for (k = 0; k < (int)srv->nloops; k++) {
		const struct smbd_loop *lp = srv->loops[k];

		ctl_json_object_begin(c->j, NULL);
		ctl_json_u64(c->j, "computers", lp->nclients);
		ctl_json_u64(c->j, "connections", lp->nconns);
		ctl_json_u64(c->j, "connections_accepted",
			     lp->conns_accepted);
		/* the state lock as this loop took it (loop.c) */
		ctl_json_u64(c->j, "lock_acquired", lp->lock_acquired);
		ctl_json_u64(c->j, "lock_contended", lp->lock_contended);
		ctl_json_u64(c->j, "lock_wait_us", lp->lock_wait_ns / 1000);
		ctl_json_u64(c->j, "lock_wait_max_us",
			     lp->lock_wait_max_ns / 1000);
		ctl_json_u64(c->j, "wakes", lp->wakes);
		/* its thread id (/proc/PID/task/TID), once it has started */
		ctl_json_u64(c->j, "tid", lp->tid > 0 ? (uint64_t)lp->tid : 0);
		/* the scheduler's account of its thread (loop.h) */
		if (smbd_loop_schedstat(lp, &cpu, &delay, &slices) == 0) {
			ctl_json_u64(c->j, "cpu_us", cpu / 1000);
			ctl_json_u64(c->j, "run_delay_us", delay / 1000);
			ctl_json_u64(c->j, "timeslices", slices);
		}
		ctl_lock_holds(c, lp);
		ctl_json_object_end(c->j);
	}
	ctl_json_array_end(c->j);
	ctl_latency(c);
	ctl_json_object_begin(c->j, "errors");
	ctl_json_u64(c->j, "connections_refused", srv->stats.conns_refused);
	ctl_json_u64(c->j, "connections_dropped", srv->stats.conns_dropped);
	ctl_json_u64(c->j, "logon_failures", srv->stats.logon_failures);
	ctl_json_u64(c->j, "smb1_refused", srv->stats.smb1_refused);
	ctl_json_object_end(c->j);
	/* refusals and back-pressure per budget (budget.h) */
	ctl_json_object_begin(c->j, "limits_hit");
	for (k = 0; k < SMBD_BUDGET_NUM; k++) {
		ctl_json_u64(c->j, smbd_budget_name(k),
			     srv->stats.budget_hits[k]);
	}
	ctl_json_object_end(c->j);
	ctl_json_object_end(c->j);
	return 0;
}

/* wgnet user del: the user is gone from the users file; end its sessions. */
static int v_user_deleted(struct ctl_call *c, char **args)
{
	const char *user = args[0];
	struct users_db *db = NULL;
	char *err = NULL;
	unsigned files = 0;
	int rc = 0;

	db = users_load(c->tmp, c->srv->cfg->users_file, &err);
	if (db == NULL) {
		return ctl_fail(c, EIO, "cannot check the users file: %s",
				err != NULL ? err : "out of memory");
	}
	if (users_lookup(db, user, NULL, NULL) == 0) {
		return ctl_fail(c, EEXIST, "user \"%s\" is still in %s",
				user, c->srv->cfg->users_file);
	}
	rc = c->ops->delete_sessions(c->ops->priv, NULL, user, &files);
	if (rc < 0) {
		return ctl_fail(c, -rc, "cannot end the sessions of \"%s\": "
				"%s", user, strerror(-rc));
	}
	ctl_json_string(c->j, "user", user);
	ctl_json_u64(c->j, "sessions_ended", (uint64_t)rc);
	ctl_json_u64(c->j, "files_closed", files);
	DBG_NOTICE(SESS, "control: %s: user \"%s\" was deleted, %d session(s) "
		   "ended", c->cl->who, user, rc);
	return 0;
}

/* ---- acl, acl-reset: wgnet acl (fs/acladmin.h) ---- */

/* The disk share named name, or NULL (the call failed with ENOENT). */
static const struct wg_share_cfg *acl_share(struct ctl_call *c,
					    const char *name)
{
	const struct wg_share_cfg *sh = wg_config_find_share(c->srv->cfg,
							     name);

	if (sh == NULL || sh->type != WG_SHARE_DISK) {
		ctl_fail(c, ENOENT, "no disk share \"%s\"", name);
		return NULL;
	}
	return sh;
}

/* "/" names the root: an argument cannot be empty. */
static const char *acl_path_arg(const char *p)
{
	return strcmp(p, "/") == 0 || strcmp(p, "\\") == 0 ? "" : p;
}

static void put_sid(struct ctl_call *c, const char *key,
		    const struct dom_sid *sid)
{
	const struct smbd_server *srv = c->srv;

	if (sid == NULL) {
		ctl_json_null(c->j, key);
		return;
	}
	if (key != NULL) {
		ctl_json_object_begin(c->j, key);
	}
	ctl_json_string(c->j, "sid", sid_format(c->tmp, sid));
	ctl_json_string(c->j, "name", identity_sid_display(c->tmp,
			srv->users, srv->machine_sid_ok ? &srv->machine_sid :
			NULL, srv->cfg->netbios_name, sid));
	if (key != NULL) {
		ctl_json_object_end(c->j);
	}
}

static const char *ace_type_name(uint8_t t)
{
	switch (t) {
	case SEC_ACE_ALLOWED:		return "allowed";
	case SEC_ACE_DENIED:		return "denied";
	case SEC_ACE_AUDIT:		return "audit";
	case SEC_ACE_ALLOWED_OBJECT:	return "allowed-object";
	case SEC_ACE_DENIED_OBJECT:	return "denied-object";
	case SEC_ACE_AUDIT_OBJECT:	return "audit-object";
	case SEC_ACE_MANDATORY_LABEL:	return "label";
	default:			return "other";
	}
}

static void put_ace(struct ctl_call *c, const struct sec_ace *a)
{
	static const struct { uint8_t bit; const char *name; } fl[] = {
		{ SEC_ACE_FLAG_OBJECT_INHERIT, "OI" },
		{ SEC_ACE_FLAG_CONTAINER_INHERIT, "CI" },
		{ SEC_ACE_FLAG_NO_PROPAGATE, "NP" },
		{ SEC_ACE_FLAG_INHERIT_ONLY, "IO" },
		{ SEC_ACE_FLAG_INHERITED, "ID" },
		{ SEC_ACE_FLAG_SUCCESSFUL_ACCESS, "SA" },
		{ SEC_ACE_FLAG_FAILED_ACCESS, "FA" },
	};

	ctl_json_object_begin(c->j, NULL);
	ctl_json_string(c->j, "type", ace_type_name(a->type));
	put_sid(c, NULL, &a->sid);
	ctl_json_u64(c->j, "mask", a->mask);
	ctl_json_array_begin(c->j, "flags");
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
		if (a->flags & fl[i].bit) {
			ctl_json_string(c->j, NULL, fl[i].name);
		}
	}
	ctl_json_array_end(c->j);
	ctl_json_bool(c->j, "inherited",
		      (a->flags & SEC_ACE_FLAG_INHERITED) != 0);
	ctl_json_object_end(c->j);
}

static int v_acl(struct ctl_call *c, char **args)
{
	const struct wg_share_cfg *sh = acl_share(c, args[0]);
	struct smbd_acl_view v;
	const char *why = NULL;
	const struct sec_desc *sd = NULL;
	int rc = 0;

	if (sh == NULL) {
		return -ENOENT;
	}
	rc = smbd_acl_view(c->tmp, c->srv->loop->acl_cache, sh->path,
			   acl_path_arg(args[1]), &v, &why);
	if (rc != 0) {
		return ctl_fail(c, -rc, "%s\\%s: %s (%s)", sh->name, args[1],
				why, strerror(-rc));
	}
	sd = v.sd;
	ctl_json_string(c->j, "share", sh->name);
	ctl_json_string(c->j, "path", v.ondisk);
	ctl_json_string(c->j, "type", v.is_dir ? "folder" : "file");
	ctl_json_bool(c->j, "stored", v.stored);
	put_sid(c, "owner", sd->owner);
	put_sid(c, "group", sd->group);
	ctl_json_u64(c->j, "control", sd->control);
	ctl_json_bool(c->j, "protected",
		      (sd->control & SEC_DESC_DACL_PROTECTED) != 0);
	ctl_json_string(c->j, "sddl", sd_to_sddl(c->tmp, sd));
	if ((sd->control & SEC_DESC_DACL_PRESENT) == 0 || sd->dacl == NULL) {
		ctl_json_null(c->j, "dacl");	/* everyone may do anything */
		return 0;
	}
	ctl_json_array_begin(c->j, "dacl");
	for (uint32_t i = 0; i < sd->dacl->n; i++) {
		put_ace(c, &sd->dacl->aces[i]);
	}
	ctl_json_array_end(c->j);
	return 0;
}

static int v_acl_reset(struct ctl_call *c, char **args)
{
	const struct wg_share_cfg *sh = acl_share(c, args[0]);
	const char *path = NULL;
	const char *why = NULL;
	unsigned removed = 0, failed = 0;
	int rc = 0;

	if (sh == NULL) {
		return -ENOENT;
	}
	path = acl_path_arg(args[1]);
	/* (with several loops: every loop's cache) */
	rc = smbd_acl_reset(c->srv->loop->acl_cache, sh->path, path, &removed,
			    &failed, &why);
	if (rc != 0) {
		return ctl_fail(c, -rc, "%s\\%s: %s (%s)", sh->name, args[1],
				why, strerror(-rc));
	}
	ctl_json_string(c->j, "share", sh->name);
	ctl_json_string(c->j, "path", path);
	ctl_json_u64(c->j, "removed", removed);
	ctl_json_u64(c->j, "failed", failed);
	DBG_NOTICE(VFS, "control: %s reset the permissions of %s\\%s: %u "
		   "descriptor(s) removed, %u object(s) failed", c->cl->who,
		   sh->name, path, removed, failed);
	return 0;
}

static const struct ctl_verb ctl_verbs[] = {
	{ .name = "sessions", .run = v_sessions },
	{ .name = "session", .min_args = 1, .max_args = 1,
	  .run = v_session },
	{ .name = "session-delete", .min_args = 1, .max_args = 2,
	  .run = v_session_delete },
	{ .name = "files", .run = v_files },
	{ .name = "file-close", .min_args = 1, .max_args = 1,
	  .run = v_file_close },
	{ .name = "shares", .run = v_shares },
	{ .name = "connections", .run = v_connections },
	{ .name = "config", .run = v_config },
	{ .name = "statistics", .run = v_statistics },
	{ .name = "user-deleted", .min_args = 1, .max_args = 1,
	  .run = v_user_deleted },
	{ .name = "acl", .min_args = 2, .max_args = 2, .run = v_acl },
	{ .name = "acl-reset", .min_args = 2, .max_args = 2,
	  .run = v_acl_reset },
};

static const struct ctl_verb *find_verb(const char *name)
{
	size_t i = 0;

	for (i = 0; i < sizeof(ctl_verbs) / sizeof(ctl_verbs[0]); i++) {
		if (strcmp(ctl_verbs[i].name, name) == 0) {
			return &ctl_verbs[i];
		}
	}
	return NULL;
}

/* Check the request and run its verb into c->j; 0 or -errno (c->err). */
static int ctl_run(struct ctl_call *c, const char *line, size_t len)
{
	struct ctl_request *req = NULL;
	const struct ctl_verb *v = NULL;
	int rc = ctl_request_parse(c->tmp, line, len, &req);

	if (rc != 0) {
		return ctl_fail(c, -rc, "malformed request (%s); expected "
				"\"WGCTL %d <verb> [args...]\"",
				strerror(-rc), CTL_PROTO_VERSION);
	}
	if (req->version != CTL_PROTO_VERSION) {
		return ctl_fail(c, EPROTONOSUPPORT, "protocol version %u is "
				"not supported (wgsmbd speaks %d)",
				req->version, CTL_PROTO_VERSION);
	}
	v = find_verb(req->verb);
	if (v == NULL) {
		return ctl_fail(c, EINVAL, "unknown verb \"%s\"", req->verb);
	}
	if (req->nargs < v->min_args || req->nargs > v->max_args) {
		return ctl_fail(c, EINVAL, "%s takes %zu argument(s), not %zu",
				v->name, v->max_args, req->nargs);
	}
	DBG_INFO(GEN, "control: %s: %s", c->cl->who, v->name);
	ctl_json_object_begin(c->j, NULL);
	ctl_json_u64(c->j, "version", CTL_PROTO_VERSION);
	ctl_json_bool(c->j, "ok", true);
	ctl_json_string(c->j, "verb", v->name);
	rc = v->run(c, req->args);
	if (rc != 0) {
		return rc;
	}
	ctl_json_object_end(c->j);
	return 0;
}

/* Answer one request line; sets cl->out. */
static void ctl_answer(struct ctl_client *cl, const char *line, size_t len)
{
	struct ctl_call c = {
		.srv = cl->ctl->srv,
		.cl = cl,
		.tmp = talloc_new(NULL),
	};
	int rc = -ENOMEM;

	if (c.tmp != NULL) {
		c.ops = smbd_admin_ops(c.srv);
		c.j = ctl_json_new(c.tmp);
	}
	if (c.ops != NULL && c.j != NULL) {
		rc = ctl_run(&c, line, len);
	}
	if (rc == 0) {
		rc = ctl_json_finish(c.j, &cl->out, &cl->out_len);
		c.j = NULL;
		if (rc == 0) {
			talloc_steal(cl, cl->out);
		}
	}
	if (rc != 0) {
		cl->out = error_doc(cl, -rc, c.err, &cl->out_len);
		if (rc != -ENOENT) {
			DBG_INFO(GEN, "control: %s: %s", cl->who,
				 c.err != NULL ? c.err : strerror(-rc));
		}
	}
	talloc_free(c.tmp);
}

/* ---- clients ---------------------------------------------------------- */

static int ctl_client_destructor(struct ctl_client *cl)
{
	struct smbd_control *ctl = cl->ctl;

	TALLOC_FREE(cl->fde);
	if (cl->fd >= 0) {
		close(cl->fd);
		cl->fd = -1;
	}
	if (cl->prev != NULL) {
		cl->prev->next = cl->next;
	} else {
		ctl->clients = cl->next;
	}
	if (cl->next != NULL) {
		cl->next->prev = cl->prev;
	}
	ctl->nclients--;
	return 0;
}

static void ctl_client_free_im(struct tevent_context *ev,
			       struct tevent_immediate *im, void *private_data)
{
	talloc_free(private_data);
}

/* Never freed inside its own handler: at the next turn of the loop. */
static void ctl_client_free_later(struct ctl_client *cl)
{
	if (cl->free_im != NULL) {
		return;
	}
	TALLOC_FREE(cl->fde);
	TALLOC_FREE(cl->te);
	cl->free_im = tevent_create_immediate(cl);
	if (cl->free_im == NULL) {
		talloc_free(cl);	/* fde is gone: nothing calls back */
		return;
	}
	tevent_schedule_immediate(cl->free_im, cl->ctl->srv->ev,
				  ctl_client_free_im, cl);
}

static void ctl_client_write(struct ctl_client *cl)
{
	ssize_t n = send(cl->fd, cl->out + cl->out_done,
			 cl->out_len - cl->out_done, MSG_NOSIGNAL);

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR) {
			return;
		}
		DBG_INFO(GEN, "control: %s: %s", cl->who, strerror(errno));
		ctl_client_free_later(cl);
		return;
	}
	cl->out_done += (size_t)n;
	if (cl->out_done == cl->out_len) {
		shutdown(cl->fd, SHUT_WR);
		ctl_client_free_later(cl);
	}
}

/* Stop reading and send cl->out (NULL: out of memory, just close). */
static void ctl_client_send(struct ctl_client *cl)
{
	if (cl->out == NULL) {
		ctl_client_free_later(cl);
		return;
	}
	tevent_fd_set_flags(cl->fde, TEVENT_FD_WRITE);
	ctl_client_write(cl);
}

static void ctl_client_read(struct ctl_client *cl)
{
	ssize_t n = read(cl->fd, cl->in + cl->in_len,
			 sizeof(cl->in) - cl->in_len);
	const char *nl = NULL;

	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return;
	}
	if (n <= 0) {
		DBG_DEBUG(GEN, "control: %s left before its request",
			  cl->who);
		ctl_client_free_later(cl);
		return;
	}
	cl->in_len += (size_t)n;
	nl = memchr(cl->in, '\n', cl->in_len);
	if (nl == NULL && cl->in_len < sizeof(cl->in)) {
		return;
	}
	if (nl == NULL) {
		WG_LOG_RL(WG_LOG_WARN, WG_CLS_GEN, "control: %s: request "
			  "longer than %d bytes", cl->who, CTL_MAX_REQUEST);
		cl->out = error_doc(cl, E2BIG, "request longer than the "
				    "limit of " TOSTR(CTL_MAX_REQUEST)
				    " bytes", &cl->out_len);
		ctl_client_send(cl);
		return;
	}
	/* One request per connection: bytes after it make it malformed. */
	ctl_answer(cl, cl->in, cl->in_len);
	ctl_client_send(cl);
}

static void ctl_client_io(struct tevent_context *ev, struct tevent_fd *fde,
			  uint16_t flags, void *private_data)
{
	struct ctl_client *cl = private_data;

	smbd_loop_site(SMBD_SITE_CONTROL);
	if (cl->out != NULL) {
		if (flags & TEVENT_FD_WRITE) {
			ctl_client_write(cl);
		}
		return;
	}
	if (flags & TEVENT_FD_READ) {
		ctl_client_read(cl);
	}
}

static void ctl_client_timeout(struct tevent_context *ev,
			       struct tevent_timer *te, struct timeval now,
			       void *private_data)
{
	struct ctl_client *cl = private_data;

	cl->te = NULL;
	DBG_INFO(GEN, "control: %s: no complete exchange within %d s, "
		 "closing", cl->who, CTL_CLIENT_TIMEOUT_SECS);
	ctl_client_free_later(cl);
}

static void describe_peer(char *buf, size_t len, const struct ucred *cr)
{
	struct passwd pw = {}, *res = NULL;
	char tmp[1024];

	if (getpwuid_r(cr->uid, &pw, tmp, sizeof(tmp), &res) == 0 &&
	    res != NULL) {
		snprintf(buf, len, "uid %u (%s) pid %d", (unsigned)cr->uid,
			 res->pw_name, (int)cr->pid);
	} else {
		snprintf(buf, len, "uid %u pid %d", (unsigned)cr->uid,
			 (int)cr->pid);
	}
}

static int ctl_client_new(struct smbd_control *ctl, int fd,
			  const struct ucred *cr)
{
	struct ctl_client *cl = talloc_zero(ctl, struct ctl_client);

	if (cl == NULL) {
		return -ENOMEM;
	}
	cl->ctl = ctl;
	cl->fd = fd;
	describe_peer(cl->who, sizeof(cl->who), cr);
	cl->next = ctl->clients;
	if (ctl->clients != NULL) {
		ctl->clients->prev = cl;
	}
	ctl->clients = cl;
	ctl->nclients++;
	talloc_set_destructor(cl, ctl_client_destructor);
	cl->fde = tevent_add_fd(ctl->srv->ev, cl, fd, TEVENT_FD_READ,
				ctl_client_io, cl);
	cl->te = tevent_add_timer(ctl->srv->ev, cl,
				  tevent_timeval_current_ofs(
					  CTL_CLIENT_TIMEOUT_SECS, 0),
				  ctl_client_timeout, cl);
	if (cl->fde == NULL || cl->te == NULL) {
		cl->fd = -1;	/* the caller closes it */
		talloc_free(cl);
		return -ENOMEM;
	}
	return 0;
}

/* ---- authorization ---------------------------------------------------- */

static bool gid_in(gid_t g, const gid_t *v, size_t n)
{
	size_t i = 0;

	for (i = 0; i < n; i++) {
		if (v[i] == g) {
			return true;
		}
	}
	return false;
}

/* The admin group's gid; false if unset or unknown (logged). */
static bool admin_gid(const struct wg_config *cfg, gid_t *gid)
{
	struct group gr = {}, *res = NULL;
	char *buf = NULL;
	size_t size = 4096;
	int rc = 0;

	if (cfg->admin_group == NULL || cfg->admin_group[0] == '\0') {
		return false;
	}
	for (;;) {
		buf = talloc_array(NULL, char, size);
		if (buf == NULL) {
			return false;
		}
		rc = getgrnam_r(cfg->admin_group, &gr, buf, size, &res);
		if (rc != ERANGE || size >= 1024 * 1024) {
			break;
		}
		talloc_free(buf);
		size *= 4;
	}
	talloc_free(buf);	/* only gr_gid is used */
	if (rc != 0 || res == NULL) {
		WG_LOG_RL(WG_LOG_WARN, WG_CLS_GEN, "control: admin group "
			  "'%s' %s", cfg->admin_group,
			  rc != 0 ? strerror(rc) : "does not exist");
		return false;
	}
	*gid = gr.gr_gid;
	return true;
}

/* Groups of the peer's user in the group database. */
static bool user_in_group(uid_t uid, gid_t want)
{
	struct passwd pw = {}, *res = NULL;
	char buf[2048];
	gid_t groups[64];
	gid_t *v = groups;
	int n = 64;
	bool found = false;

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 ||
	    res == NULL) {
		return false;
	}
	if (pw.pw_gid == want) {
		return true;
	}
	if (getgrouplist(pw.pw_name, pw.pw_gid, v, &n) < 0) {
		if (n <= 0 || n > CTL_MAX_GROUPS) {
			return false;
		}
		v = talloc_array(NULL, gid_t, n);
		if (v == NULL ||
		    getgrouplist(pw.pw_name, pw.pw_gid, v, &n) < 0) {
			talloc_free(v == groups ? NULL : v);
			return false;
		}
	}
	found = gid_in(want, v, (size_t)n);
	if (v != groups) {
		talloc_free(v);
	}
	return found;
}

/* The peer process's own supplementary groups (Linux 4.13+). */
static bool peer_in_group(int fd, gid_t want)
{
#ifdef SO_PEERGROUPS
	gid_t v[CTL_MAX_GROUPS];
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, v, &len) == 0) {
		return gid_in(want, v, len / sizeof(gid_t));
	}
#endif
	return false;
}

static bool ctl_authorized(const struct smbd_control *ctl, int fd,
			   const struct ucred *cr)
{
	gid_t gid = 0;

	if (cr->uid == 0 || cr->uid == geteuid()) {
		return true;
	}
	if (!admin_gid(ctl->srv->cfg, &gid)) {
		return false;
	}
	return cr->gid == gid || peer_in_group(fd, gid) ||
	       user_in_group(cr->uid, gid);
}

/* ---- the listening socket --------------------------------------------- */

/*
 * Refuse a client at once (permission, busy): one non-blocking send of a
 * short error, which a fresh socket always has room for, then close. The
 * request, if any, is read first so the client sees the answer rather
 * than a reset.
 */
static void ctl_refuse(int fd, int err, const char *msg)
{
	char drain[512];
	size_t len = 0;
	char *doc = error_doc(NULL, err, msg, &len);

	while (recv(fd, drain, sizeof(drain), MSG_DONTWAIT) > 0) {
	}
	if (doc != NULL) {
		(void)!send(fd, doc, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	}
	talloc_free(doc);
	close(fd);
}

static void ctl_accept_one(struct smbd_control *ctl, int fd)
{
	struct ucred cr = {};
	socklen_t len = sizeof(cr);
	char who[96];
	char *msg = NULL;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0) {
		DBG_WARN(GEN, "control: SO_PEERCRED: %s", strerror(errno));
		close(fd);
		return;
	}
	if (!ctl_authorized(ctl, fd, &cr)) {
		describe_peer(who, sizeof(who), &cr);
		WG_LOG_RL(WG_LOG_WARN, WG_CLS_GEN, "control: %s refused: not "
			  "root, not uid %u and not in the admin group",
			  who, (unsigned)geteuid());
		if (ctl->srv->cfg->admin_group[0] != '\0') {
			msg = talloc_asprintf(NULL, "permission denied: uid %u "
					      "is not root, the daemon's user "
					      "(uid %u) or a member of admin "
					      "group \"%s\"",
					      (unsigned)cr.uid,
					      (unsigned)geteuid(),
					      ctl->srv->cfg->admin_group);
		} else {
			msg = talloc_asprintf(NULL, "permission denied: uid %u "
					      "is not root or the daemon's "
					      "user (uid %u), and no \"admin "
					      "group\" is configured",
					      (unsigned)cr.uid,
					      (unsigned)geteuid());
		}
		ctl_refuse(fd, EACCES, msg);
		talloc_free(msg);
		return;
	}
	if (ctl->nclients >= CTL_MAX_CLIENTS) {
		WG_LOG_RL(WG_LOG_WARN, WG_CLS_GEN, "control: %u clients "
			  "already, refusing uid %u", ctl->nclients,
			  (unsigned)cr.uid);
		ctl_refuse(fd, EBUSY, "busy: too many control clients at "
			   "once, try again");
		return;
	}
	if (ctl_client_new(ctl, fd, &cr) != 0) {
		close(fd);
	}
}

static void ctl_accept(struct tevent_context *ev, struct tevent_fd *fde,
		       uint16_t flags, void *private_data)
{
	struct smbd_control *ctl = private_data;
	int i = 0;

	for (i = 0; i < CTL_ACCEPT_BURST; i++) {
		int fd = accept4(ctl->fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED) {
				WG_LOG_RL(WG_LOG_ERR, WG_CLS_GEN,
					  "control: accept on %s: %s",
					  ctl->path, strerror(errno));
			}
			return;
		}
		ctl_accept_one(ctl, fd);
	}
}

static int ctl_destructor(struct smbd_control *ctl)
{
	struct stat st = {};

	while (ctl->clients != NULL) {
		talloc_free(ctl->clients);
	}
	TALLOC_FREE(ctl->fde);
	if (ctl->fd >= 0) {
		close(ctl->fd);
		ctl->fd = -1;
		/* Remove the file only if it is still ours. */
		if (lstat(ctl->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
		    st.st_dev == ctl->dev && st.st_ino == ctl->ino) {
			unlink(ctl->path);
		}
	}
	return 0;
}

/*
 * Make room for the socket at path: nothing there, or a socket nobody
 * answers on (a daemon that died), which is removed.
 */
static int ctl_clear_path(const char *path, const struct sockaddr_un *sun)
{
	struct stat st = {};
	int fd = -1;
	int rc = 0;

	if (lstat(path, &st) != 0) {
		return errno == ENOENT ? 0 : -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		DBG_ERR(GEN, "control socket %s: exists and is not a socket",
			path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		return -errno;
	}
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (rc == 0 || errno == EAGAIN) {
		DBG_ERR(GEN, "control socket %s: another wgsmbd answers on it",
			path);
		return -EADDRINUSE;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		rc = -errno;
		DBG_ERR(GEN, "control socket %s: cannot remove the stale "
			"socket: %s", path, strerror(errno));
		return rc;
	}
	return 0;
}

static int ctl_listen(struct smbd_control *ctl)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st = {};
	int rc = 0;

	if (strlen(ctl->path) >= sizeof(sun.sun_path)) {
		DBG_ERR(GEN, "control socket %s: path longer than %zu bytes",
			ctl->path, sizeof(sun.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, ctl->path, strlen(ctl->path) + 1);
	rc = ctl_clear_path(ctl->path, &sun);
	if (rc != 0) {
		return rc;
	}
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			 0);
	if (ctl->fd < 0) {
		rc = -errno;
		DBG_ERR(GEN, "control socket: %s", strerror(errno));
		return rc;
	}
	if (bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		rc = -errno;
		DBG_ERR(GEN, "control socket %s: bind: %s", ctl->path,
			strerror(errno));
		return rc;
	}
	if (lstat(ctl->path, &st) == 0) {
		ctl->dev = st.st_dev;
		ctl->ino = st.st_ino;
	}
	/* Who may talk is decided by SO_PEERCRED, per connection. */
	if (chmod(ctl->path, 0666) != 0 ||
	    listen(ctl->fd, CTL_MAX_CLIENTS) != 0) {
		rc = -errno;
		DBG_ERR(GEN, "control socket %s: %s", ctl->path,
			strerror(errno));
		return rc;
	}
	return 0;
}

int smbd_control_start(struct smbd_server *srv)
{
	struct smbd_control *ctl = NULL;
	int rc = 0;

	if (srv->control != NULL) {
		return 0;
	}
	ctl = talloc_zero(srv, struct smbd_control);
	if (ctl == NULL) {
		return -ENOMEM;
	}
	ctl->srv = srv;
	ctl->fd = -1;
	ctl->path = talloc_strdup(ctl, srv->cfg->control_socket);
	if (ctl->path == NULL) {
		talloc_free(ctl);
		return -ENOMEM;
	}
	talloc_set_destructor(ctl, ctl_destructor);
	rc = ctl_listen(ctl);
	if (rc == 0) {
		ctl->fde = tevent_add_fd(srv->ev, ctl, ctl->fd, TEVENT_FD_READ,
					 ctl_accept, ctl);
		if (ctl->fde == NULL) {
			rc = -ENOMEM;
		}
	}
	if (rc != 0) {
		DBG_ERR(GEN, "no control socket: wgnet cannot reach this "
			"daemon (%s)", strerror(-rc));
		talloc_free(ctl);
		return rc;
	}
	srv->control = ctl;
	DBG_NOTICE(GEN, "control socket %s", ctl->path);
	return 0;
}

void smbd_control_stop(struct smbd_server *srv)
{
	TALLOC_FREE(srv->control);
}
