/*
 * srvsvc.c - the server service [MS-SRVS], 4b324fc8-1670-01d3-1278-
 * 5a47bf6ee188 v3.0: shares, server info and time of day for everyone,
 * and the session/file/connection administration calls for `admin users`.
 *
 * Everything comes live from env->admin (sessions/admin.h), the same view
 * `wgnet` shows. PreferedMaximumLength is ignored: an enumeration answers
 * every entry from the resume handle on, and hands back resume handle 0.
 */
#include "pipes/rpc.h"
#include "proto/osversion.h"
#include "proto/smb2.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define STYPE_DISKTREE		0x00000000u
#define STYPE_PRINTQ		0x00000001u
#define STYPE_IPC		0x00000003u
#define STYPE_SPECIAL		0x80000000u

#define SV_TYPE_WORKSTATION	0x00000001u
#define SV_TYPE_SERVER		0x00000002u
#define SV_TYPE_PRINTQ_SERVER	0x00000200u
#define SV_TYPE_NT		0x00001000u

#define PLATFORM_ID_NT		500u

#define SESS_GUEST		0x00000001u
#define SESS_NOENCRYPTION	0x00000002u

#define PERM_FILE_READ		0x1u
#define PERM_FILE_WRITE		0x2u
#define PERM_FILE_CREATE	0x4u

/* One enumeration answer: `n` entries of `items`, written by `entry`. */
struct enum_out {
	uint32_t level;
	size_t n;
	const void *items;
	bool admin;
	void (*entry)(struct ndr_push *p, const struct enum_out *e, size_t i);
};

/* What an enumeration request carries besides its own filters. */
struct enum_req {
	uint32_t level;
	bool has_resume;
	uint32_t resume;
};

/* --- request decoding shared by the enumerations --- */

/*
 * The [in] *_ENUM_STRUCT: Level, the union's discriminant and a pointer
 * to a container {EntriesRead, Buffer}. Clients send it empty; a Buffer
 * with entries in a request makes no sense and is refused.
 * levels: the union's arms (others do not decode: bad stub).
 */
static int pull_enum_struct(struct ndr_pull *in, const uint32_t *levels,
			    size_t n_levels, uint32_t *level)
{
	uint32_t lvl = 0, disc = 0, ref = 0, count = 0, buf = 0;
	bool known = false;
	int rc = ndr_pull_u32(in, &lvl);

	if (rc == 0) {
		rc = ndr_pull_u32(in, &disc);
	}
	if (rc == 0) {
		rc = ndr_pull_ptr(in, &ref);
	}
	if (rc != 0) {
		return rc;
	}
	for (size_t i = 0; i < n_levels; i++) {
		known = known || levels[i] == lvl;
	}
	if (disc != lvl || !known) {
		return WIRE_E_INVALID;
	}
	if (ref != 0) {
		rc = ndr_pull_u32(in, &count);
		if (rc == 0) {
			rc = ndr_pull_ptr(in, &buf);
		}
		if (rc == 0 && buf != 0) {
			rc = ndr_pull_array_size(in, 0, &count);
			if (rc == 0 && count != 0) {
				rc = WIRE_E_UNSUPPORTED;
			}
		}
	}
	*level = lvl;
	return rc;
}

/* PreferedMaximumLength and the [in, out, unique] ResumeHandle. */
static int pull_enum_tail(struct ndr_pull *in, struct enum_req *req)
{
	uint32_t prefmax = 0, ref = 0;
	int rc = ndr_pull_u32(in, &prefmax);

	if (rc == 0) {
		rc = ndr_pull_ptr(in, &ref);
	}
	if (rc == 0 && ref != 0) {
		req->has_resume = true;
		rc = ndr_pull_u32(in, &req->resume);
	}
	return rc;
}

/* --- response encoding shared by the enumerations --- */

static void array_cb(struct ndr_push *p, const void *arg)
{
	const struct enum_out *e = arg;

	ndr_push_u32(p, (uint32_t)e->n);
	for (size_t i = 0; i < e->n; i++) {
		e->entry(p, e, i);
	}
}

static void container_cb(struct ndr_push *p, const void *arg)
{
	const struct enum_out *e = arg;

	ndr_push_u32(p, (uint32_t)e->n);
	ndr_push_ptr(p, e->n > 0 ? e : NULL, array_cb);
}

/*
 * The [out] InfoStruct, TotalEntries, ResumeHandle and status of an
 * enumeration. e NULL: an empty answer (errors).
 */
static void push_enum(struct wg_rpc_call *call, const struct enum_req *req,
		      const struct enum_out *e, size_t total, uint32_t werr)
{
	struct ndr_push *out = &call->out;

	ndr_push_u32(out, req->level);
	ndr_push_u32(out, req->level);
	ndr_push_ptr(out, e, container_cb);
	ndr_push_flush(out);
	ndr_push_u32(out, (uint32_t)total);
	if (req->has_resume) {
		ndr_push_referent(out);
		ndr_push_u32(out, 0);
	} else {
		ndr_push_u32(out, 0);
	}
	ndr_push_u32(out, werr);
}

/* Skip the first `resume` entries of a listing of total. */
static void apply_resume(const struct enum_req *req, size_t total,
			 size_t *first, size_t *n)
{
	*first = req->resume < total ? req->resume : total;
	*n = total - *first;
}

/* --- shares --- */

static uint32_t share_type(const struct wg_admin_share *s)
{
	switch (s->type) {
	case WG_ADMIN_SHARE_PRINT:
		return STYPE_PRINTQ;
	case WG_ADMIN_SHARE_IPC:
		return STYPE_IPC | STYPE_SPECIAL;
	case WG_ADMIN_SHARE_DISK:
	default:
		return STYPE_DISKTREE;
	}
}

static const char *nz(const char *s)
{
	return s != NULL ? s : "";
}

/* SHARE_INFO_0/1/2/501/502 scalars (strings deferred). */
static void share_entry(struct ndr_push *p, const struct enum_out *e,
			size_t i)
{
	const struct wg_admin_share *s =
		&((const struct wg_admin_share *)e->items)[i];
	const char *path = NULL;

	ndr_push_unique_string(p, nz(s->name));
	if (e->level == 0) {
		return;
	}
	ndr_push_u32(p, share_type(s));
	ndr_push_unique_string(p, nz(s->comment));
	if (e->level == 1) {
		return;
	}
	if (e->level == 501) {
		ndr_push_u32(p, 0);		/* shi501_flags: manual CSC */
		return;
	}
	/* 2 and 502 */
	path = wg_rpc_share_path(p->mem, s, e->admin);
	ndr_push_u32(p, 0);			/* permissions (share level) */
	ndr_push_u32(p, 0xffffffffu);		/* max_uses: unlimited */
	ndr_push_u32(p, s->current_users);
	ndr_push_unique_string(p, path);
	ndr_push_ptr(p, NULL, NULL);		/* passwd */
	if (e->level == 502) {
		ndr_push_u32(p, 0);		/* reserved: SD length */
		ndr_push_ptr(p, NULL, NULL);	/* security descriptor */
	}
}

static int list_shares(struct wg_rpc_call *call,
		       struct wg_admin_share **shares, size_t *n)
{
	const struct wg_admin_ops *admin = call->env->admin;

	*shares = NULL;
	*n = 0;
	if (admin == NULL || admin->list_shares == NULL) {
		return -ENOSYS;
	}
	return admin->list_shares(admin->priv, call->mem, shares, n);
}

/*
 * Leave out of shares[0..*n) those the admin ops say this caller is not
 * to see (a share with access based share enum it may not connect to).
 */
static void hide_shares(struct wg_rpc_call *call,
			struct wg_admin_share *shares, size_t *n)
{
	const struct wg_admin_ops *admin = call->env->admin;
	size_t i = 0, k = 0;

	if (admin->share_visible == NULL) {
		return;
	}
	for (i = 0; i < *n; i++) {
		if (admin->share_visible(admin->priv, shares[i].name,
					 call->env->user, call->env->guest,
					 call->env->anonymous)) {
			shares[k++] = shares[i];
		}
	}
	*n = k;
}

static const uint32_t share_enum_levels[] = { 0, 1, 2, 501, 502, 503 };

/*
 * Levels that carry paths and limits (2, 502, and for an enumeration
 * 501) are for signed-in users only: a null session gets ACCESS_DENIED,
 * as from Windows. Signed-in users who are not admins get them with the
 * path left empty (wg_rpc_share_path()).
 */
static bool share_level_denied(struct wg_rpc_call *call, uint32_t level,
			       bool enumeration)
{
	if (!call->env->anonymous) {
		return false;
	}
	return level == 2 || level == 502 || (enumeration && level == 501);
}

/*
 * NetrShareEnum (15) and NetrShareEnumSticky (36). The sticky call is
 * the old one: like Windows it knows no level 501.
 */
static uint32_t share_enum(struct wg_rpc_call *call, bool sticky)
{
	struct enum_req req = {};
	struct wg_admin_share *shares = NULL;
	size_t n = 0, first = 0, count = 0;
	char *server = NULL;
	struct enum_out *e = NULL;
	int rc = ndr_pull_unique_string(&call->in, &server);

	if (rc == 0) {
		rc = pull_enum_struct(&call->in, share_enum_levels,
				      sizeof(share_enum_levels) /
				      sizeof(share_enum_levels[0]),
				      &req.level);
	}
	if (rc == 0) {
		rc = pull_enum_tail(&call->in, &req);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (wg_rpc_anonymous_restricted(call)) {
		push_enum(call, &req, NULL, 0, WERR_ACCESS_DENIED);
		return 0;
	}
	if (req.level == 503 || (sticky && req.level == 501)) {
		push_enum(call, &req, NULL, 0, WERR_UNKNOWN_LEVEL);
		return 0;
	}
	if (share_level_denied(call, req.level, true)) {
		push_enum(call, &req, NULL, 0, WERR_ACCESS_DENIED);
		return 0;
	}
	if (list_shares(call, &shares, &n) != 0) {
		push_enum(call, &req, NULL, 0, WERR_NOT_ENOUGH_MEMORY);
		return 0;
	}
	hide_shares(call, shares, &n);
	apply_resume(&req, n, &first, &count);
	e = talloc_zero(call->mem, struct enum_out);
	if (e == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	*e = (struct enum_out) {
		.level = req.level,
		.n = count,
		.items = shares + first,
		.admin = wg_rpc_is_admin(call),
		.entry = share_entry,
	};
	push_enum(call, &req, e, n, WERR_OK);
	return 0;
}

static uint32_t op_share_enum(struct wg_rpc_call *call)
{
	return share_enum(call, false);
}

static uint32_t op_share_enum_sticky(struct wg_rpc_call *call)
{
	return share_enum(call, true);
}

static void share_single_cb(struct ndr_push *p, const void *arg)
{
	const struct enum_out *e = arg;

	if (e->level == 1005) {
		ndr_push_u32(p, 0);	/* shi1005_flags: no DFS, manual CSC */
		return;
	}
	share_entry(p, e, 0);
}

/* SHARE_INFO arms that are pointers; the rest is the empty default. */
static bool share_info_has_arm(uint32_t level)
{
	static const uint32_t arms[] = {
		0, 1, 2, 501, 502, 503, 1004, 1005, 1006, 1501,
	};

	for (size_t i = 0; i < sizeof(arms) / sizeof(arms[0]); i++) {
		if (arms[i] == level) {
			return true;
		}
	}
	return false;
}

/* [out, switch_is(Level)] LPSHARE_INFO and the status. */
static void push_share_info(struct wg_rpc_call *call, uint32_t level,
			    const struct enum_out *e, uint32_t werr)
{
	ndr_push_u32(&call->out, level);
	if (share_info_has_arm(level)) {
		ndr_push_ptr(&call->out, e, share_single_cb);
		ndr_push_flush(&call->out);
	}
	ndr_push_u32(&call->out, werr);
}

static bool share_getinfo_level(uint32_t level)
{
	return level == 0 || level == 1 || level == 2 || level == 501 ||
	       level == 502 || level == 1005;
}

/* NetrShareGetInfo (16) */
static uint32_t op_share_getinfo(struct wg_rpc_call *call)
{
	struct wg_admin_share *shares = NULL;
	size_t n = 0;
	char *server = NULL, *name = NULL;
	uint32_t level = 0;
	struct enum_out *e = NULL;
	int rc = ndr_pull_unique_string(&call->in, &server);

	if (rc == 0) {
		rc = ndr_pull_string(&call->in, &name);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(&call->in, &level);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (wg_rpc_anonymous_restricted(call)) {
		push_share_info(call, level, NULL, WERR_ACCESS_DENIED);
		return 0;
	}
	if (!share_getinfo_level(level)) {
		push_share_info(call, level, NULL, WERR_UNKNOWN_LEVEL);
		return 0;
	}
	if (share_level_denied(call, level, false)) {
		push_share_info(call, level, NULL, WERR_ACCESS_DENIED);
		return 0;
	}
	if (list_shares(call, &shares, &n) != 0) {
		push_share_info(call, level, NULL, WERR_NOT_ENOUGH_MEMORY);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (shares[i].name != NULL &&
		    strcasecmp(shares[i].name, name) == 0) {
			e = talloc_zero(call->mem, struct enum_out);
			if (e == NULL) {
				return DCERPC_FAULT_OUT_OF_MEMORY;
			}
			*e = (struct enum_out) {
				.level = level,
				.n = 1,
				.items = &shares[i],
				.admin = wg_rpc_is_admin(call),
				.entry = share_entry,
			};
			break;
		}
	}
	push_share_info(call, level, e,
			e != NULL ? WERR_OK : WERR_NERR_NETNAMENOTFOUND);
	return 0;
}

/* --- server info and time --- */

struct server_view {
	uint32_t level;
	const struct wg_admin_server *si;
};

static void server_info_cb(struct ndr_push *p, const void *arg)
{
	const struct server_view *v = arg;
	uint32_t type = SV_TYPE_WORKSTATION | SV_TYPE_SERVER |
			SV_TYPE_PRINTQ_SERVER | SV_TYPE_NT;
	uint32_t disc = 0xffffffffu;	/* -1: never autodisconnect */

	ndr_push_u32(p, PLATFORM_ID_NT);
	ndr_push_unique_string(p, v->si->netbios_name);
	if (v->level == 100) {
		return;
	}
	ndr_push_u32(p, WG_OS_LM_MAJOR);
	ndr_push_u32(p, WG_OS_LM_MINOR);
	ndr_push_u32(p, type);
	ndr_push_unique_string(p, nz(v->si->comment));
	if (v->level == 101) {
		return;
	}
	if (v->si->autodisconnect_ms != 0) {
		disc = v->si->autodisconnect_ms / 60000;
	}
	ndr_push_u32(p, v->si->cap != 0 ? v->si->cap : 0xffffffffu);
	ndr_push_u32(p, disc);
	ndr_push_u32(p, 0);		/* hidden: no */
	ndr_push_u32(p, 240);		/* announce, seconds */
	ndr_push_u32(p, 3000);		/* anndelta, ms */
	ndr_push_u32(p, 0);		/* licenses */
	ndr_push_unique_string(p, "C:\\");
}

/* NetrServerGetInfo (21) */
static uint32_t op_server_getinfo(struct wg_rpc_call *call)
{
	char *server = NULL;
	struct server_view *v = NULL;
	uint32_t level = 0;
	uint32_t werr = WERR_OK;
	int rc = ndr_pull_unique_string(&call->in, &server);

	if (rc == 0) {
		rc = ndr_pull_u32(&call->in, &level);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (level != 100 && level != 101 && level != 102) {
		werr = WERR_UNKNOWN_LEVEL;
	} else {
		v = talloc_zero(call->mem, struct server_view);
		if (v == NULL) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
		v->level = level;
		v->si = wg_rpc_server(call);
	}
	ndr_push_u32(&call->out, level);
	ndr_push_ptr(&call->out, v, server_info_cb);
	ndr_push_flush(&call->out);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* NetrRemoteTOD (28) */
static uint32_t op_remote_tod(struct wg_rpc_call *call)
{
	char *server = NULL;
	struct timespec now = {}, up = {};
	struct tm utc = {}, local = {};
	time_t t = 0;
	uint64_t ms = 0;

	if (ndr_pull_unique_string(&call->in, &server) != 0) {
		return DCERPC_FAULT_NDR;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	clock_gettime(CLOCK_MONOTONIC, &up);
	t = now.tv_sec;
	gmtime_r(&t, &utc);
	localtime_r(&t, &local);
	ms = (uint64_t)up.tv_sec * 1000 + (uint64_t)up.tv_nsec / 1000000;
	ndr_push_referent(&call->out);
	ndr_push_u32(&call->out, (uint32_t)t);		/* elapsedt */
	ndr_push_u32(&call->out, (uint32_t)ms);		/* msecs */
	ndr_push_u32(&call->out, (uint32_t)utc.tm_hour);
	ndr_push_u32(&call->out, (uint32_t)utc.tm_min);
	ndr_push_u32(&call->out, (uint32_t)utc.tm_sec);
	ndr_push_u32(&call->out, (uint32_t)(now.tv_nsec / 10000000));
	/* minutes west of UTC */
	ndr_push_u32(&call->out, (uint32_t)(int32_t)(-local.tm_gmtoff / 60));
	ndr_push_u32(&call->out, 310);			/* tinterval */
	ndr_push_u32(&call->out, (uint32_t)utc.tm_mday);
	ndr_push_u32(&call->out, (uint32_t)utc.tm_mon + 1);
	ndr_push_u32(&call->out, (uint32_t)utc.tm_year + 1900);
	ndr_push_u32(&call->out, (uint32_t)utc.tm_wday);
	ndr_push_u32(&call->out, WERR_OK);
	return 0;
}

/* --- administration: sessions, files, connections --- */

/* Admin calls: who may use them, else the status to answer. */
static uint32_t admin_check(struct wg_rpc_call *call)
{
	if (wg_rpc_anonymous_restricted(call) || !wg_rpc_is_admin(call)) {
		return WERR_ACCESS_DENIED;
	}
	return WERR_OK;
}

/* "\\host" and "host" name the same client. */
static const char *strip_unc(const char *s)
{
	while (s != NULL && *s == '\\') {
		s++;
	}
	return s;
}

static bool client_matches(const char *want, const char *ip,
			   const char *computer)
{
	want = strip_unc(want);
	if (want == NULL || want[0] == '\0') {
		return true;
	}
	return (ip != NULL && strcasecmp(want, ip) == 0) ||
	       (computer != NULL && strcasecmp(want, computer) == 0);
}

static bool user_matches(const char *want, const char *user)
{
	if (want == NULL || want[0] == '\0') {
		return true;
	}
	return user != NULL && strcasecmp(want, user) == 0;
}

struct sess_view {
	const struct wg_admin_slot *s;
	const char *cname;
};

/* One row per cap slot, as Windows lists (computer, user) sessions. */
static void session_entry(struct ndr_push *p, const struct enum_out *e,
			  size_t i)
{
	const struct sess_view *v = &((const struct sess_view *)e->items)[i];
	const struct wg_admin_slot *s = v->s;
	uint32_t flags = (s->guest || s->anonymous ? SESS_GUEST : 0) |
			 (s->encryption ? 0 : SESS_NOENCRYPTION);

	ndr_push_unique_string(p, v->cname);
	if (e->level == 0) {
		return;
	}
	ndr_push_unique_string(p, nz(s->user));
	if (e->level != 10) {
		ndr_push_u32(p, s->opens);
	}
	ndr_push_u32(p, (uint32_t)s->logon_secs);
	ndr_push_u32(p, (uint32_t)s->idle_secs);
	if (e->level == 10) {
		return;
	}
	ndr_push_u32(p, flags);
	if (e->level == 1) {
		return;
	}
	ndr_push_unique_string(p, nz(s->client_type));
	if (e->level == 502) {
		ndr_push_unique_string(p, "TCP");
	}
}

static const uint32_t session_levels[] = { 0, 1, 2, 10, 502 };

/* NetrSessionEnum (12) */
static uint32_t op_session_enum(struct wg_rpc_call *call)
{
	const struct wg_admin_ops *admin = call->env->admin;
	struct enum_req req = {};
	char *server = NULL, *client = NULL, *user = NULL;
	struct wg_admin_slot *ss = NULL;
	struct sess_view *views = NULL;
	struct enum_out *e = NULL;
	size_t n = 0, m = 0, first = 0, count = 0;
	uint32_t werr = 0;
	int rc = ndr_pull_unique_string(&call->in, &server);

	if (rc == 0) {
		rc = ndr_pull_unique_string(&call->in, &client);
	}
	if (rc == 0) {
		rc = ndr_pull_unique_string(&call->in, &user);
	}
	if (rc == 0) {
		rc = pull_enum_struct(&call->in, session_levels,
				      sizeof(session_levels) /
				      sizeof(session_levels[0]), &req.level);
	}
	if (rc == 0) {
		rc = pull_enum_tail(&call->in, &req);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = admin_check(call);
	if (werr == WERR_OK && (admin->list_slots == NULL ||
		admin->list_slots(admin->priv, call->mem, &ss, &n) != 0)) {
		werr = WERR_NOT_ENOUGH_MEMORY;
	}
	if (werr != WERR_OK) {
		push_enum(call, &req, NULL, 0, werr);
		return 0;
	}
	views = talloc_zero_array(call->mem, struct sess_view, n + 1);
	e = talloc_zero(call->mem, struct enum_out);
	if (views == NULL || e == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	client = (char *)strip_unc(client);
	for (size_t i = 0; i < n; i++) {
		if ((client != NULL && client[0] != '\0' &&
		     !wg_admin_slot_named(&ss[i], client)) ||
		    !user_matches(user, ss[i].user)) {
			continue;
		}
		views[m].s = &ss[i];
		views[m].cname = talloc_asprintf(call->mem, "\\\\%s",
						 nz(ss[i].ip));
		if (views[m].cname == NULL) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
		m++;
	}
	apply_resume(&req, m, &first, &count);
	*e = (struct enum_out) {
		.level = req.level,
		.n = count,
		.items = views + first,
		.entry = session_entry,
	};
	push_enum(call, &req, e, m, WERR_OK);
	return 0;
}

/* NetrSessionDel (13) */
static uint32_t op_session_del(struct wg_rpc_call *call)
{
	const struct wg_admin_ops *admin = call->env->admin;
	char *server = NULL, *client = NULL, *user = NULL;
	unsigned closed = 0;
	uint32_t werr = 0;
	int rc = ndr_pull_unique_string(&call->in, &server);

	if (rc == 0) {
		rc = ndr_pull_unique_string(&call->in, &client);
	}
	if (rc == 0) {
		rc = ndr_pull_unique_string(&call->in, &user);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = admin_check(call);
	if (werr == WERR_OK &&
	    (client == NULL || client[0] == '\0') &&
	    (user == NULL || user[0] == '\0')) {
		werr = WERR_INVALID_PARAMETER;
	}
	if (werr == WERR_OK && admin->delete_sessions == NULL) {
		werr = WERR_NOT_SUPPORTED;
	}
	if (werr == WERR_OK) {
		if (client != NULL && client[0] == '\0') {
			client = NULL;
		}
		if (user != NULL && user[0] == '\0') {
			user = NULL;
		}
		rc = admin->delete_sessions(admin->priv, strip_unc(client),
					    user, &closed);
		if (rc == 0) {
			werr = WERR_NERR_CLIENTNAMENOTFOUND;
		} else if (rc == -ENOTUNIQ) {
			werr = WERR_INVALID_PARAMETER;	/* several computers */
		} else if (rc < 0) {
			werr = WERR_CAN_NOT_COMPLETE;
		}
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

static uint32_t file_perms(uint32_t access)
{
	uint32_t perms = 0;

	if ((access & FILE_READ_DATA) != 0) {
		perms |= PERM_FILE_READ;
	}
	if ((access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0) {
		perms |= PERM_FILE_WRITE;
	}
	if ((access & SEC_STD_DELETE) != 0) {
		perms |= PERM_FILE_CREATE;
	}
	return perms;
}

static void file_entry(struct ndr_push *p, const struct enum_out *e,
		       size_t i)
{
	const struct wg_admin_file *f =
		((const struct wg_admin_file *const *)e->items)[i];
	const char *path = f->is_pipe || f->local_path == NULL ||
			   f->local_path[0] == '\0' ?
			   nz(f->path) : f->local_path;

	ndr_push_u32(p, (uint32_t)f->id);
	if (e->level == 2) {
		return;
	}
	ndr_push_u32(p, file_perms(f->access));
	ndr_push_u32(p, f->locks);
	ndr_push_unique_string(p, path);
	ndr_push_unique_string(p, nz(f->user));
}

static bool path_matches(const char *base, const struct wg_admin_file *f)
{
	size_t n = 0;

	if (base == NULL || base[0] == '\0') {
		return true;
	}
	n = strlen(base);
	return (f->local_path != NULL &&
		strncasecmp(f->local_path, base, n) == 0) ||
	       (f->path != NULL && strncasecmp(f->path, base, n) == 0);
}

static int list_files(struct wg_rpc_call *call, struct wg_admin_file **fs,
		      size_t *n)
{
	const struct wg_admin_ops *admin = call->env->admin;

	*fs = NULL;
	*n = 0;
	if (admin->list_files == NULL) {
		return -ENOSYS;
	}
	return admin->list_files(admin->priv, call->mem, fs, n);
}

static const uint32_t file_levels[] = { 2, 3 };

/* NetrFileEnum (9) */
static uint32_t op_file_enum(struct wg_rpc_call *call)
{
	struct enum_req req = {};
	char *server = NULL, *base = NULL, *user = NULL;
	struct wg_admin_file *fs = NULL;
	const struct wg_admin_file **sel = NULL;
	struct enum_out *e = NULL;
	size_t n = 0, m = 0, first = 0, count = 0;
	uint32_t werr = 0;
	int rc = ndr_pull_unique_string(&call->in, &server);

	if (rc == 0) {
		rc = ndr_pull_unique_string(&call->in, &base);
	}
	if (rc == 0) {
		rc = ndr_pull_unique_string(&call->in, &user);
	}
	if (rc == 0) {
		rc = pull_enum_struct(&call->in, file_levels, 2, &req.level);
	}
	if (rc == 0) {
		rc = pull_enum_tail(&call->in, &req);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = admin_check(call);
	if (werr == WERR_OK && list_files(call, &fs, &n) != 0) {
		werr = WERR_NOT_ENOUGH_MEMORY;
	}
	if (werr != WERR_OK) {
		push_enum(call, &req, NULL, 0, werr);
		return 0;
	}
	sel = talloc_zero_array(call->mem, const struct wg_admin_file *,
				n + 1);
	e = talloc_zero(call->mem, struct enum_out);
	if (sel == NULL || e == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	for (size_t i = 0; i < n; i++) {
		if (path_matches(base, &fs[i]) &&
		    user_matches(user, fs[i].user)) {
			sel[m++] = &fs[i];
		}
	}
	apply_resume(&req, m, &first, &count);
	*e = (struct enum_out) {
		.level = req.level,
		.n = count,
		.items = sel + first,
		.entry = file_entry,
	};
	push_enum(call, &req, e, m, WERR_OK);
	return 0;
}

/* NetrFileClose (11): FileId is the low 32 bits of what FileEnum shows. */
static uint32_t op_file_close(struct wg_rpc_call *call)
{
	const struct wg_admin_ops *admin = call->env->admin;
	struct wg_admin_file *fs = NULL;
	char *server = NULL;
	uint32_t id = 0;
	uint32_t werr = 0;
	size_t n = 0;
	int rc = ndr_pull_unique_string(&call->in, &server);

	if (rc == 0) {
		rc = ndr_pull_u32(&call->in, &id);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = admin_check(call);
	if (werr == WERR_OK && (admin->close_file == NULL ||
				list_files(call, &fs, &n) != 0)) {
		werr = WERR_NOT_ENOUGH_MEMORY;
	}
	if (werr == WERR_OK) {
		werr = WERR_NERR_FILEIDNOTFOUND;
		for (size_t i = 0; i < n; i++) {
			if ((uint32_t)fs[i].id != id) {
				continue;
			}
			rc = admin->close_file(admin->priv, fs[i].id);
			werr = rc == 0 ? WERR_OK :
			       rc == -ENOENT ? WERR_NERR_FILEIDNOTFOUND :
			       WERR_CAN_NOT_COMPLETE;
			break;
		}
	}
	ndr_push_u32(&call->out, werr);
	return 0;
}

/* One tree connection as far as the admin view shows it. */
struct conn_view {
	uint32_t id;
	uint32_t type;
	uint32_t opens;
	uint32_t secs;
	const char *user;
	const char *netname;
};

static void conn_entry(struct ndr_push *p, const struct enum_out *e,
		       size_t i)
{
	const struct conn_view *c = &((const struct conn_view *)e->items)[i];

	ndr_push_u32(p, c->id);
	if (e->level == 0) {
		return;
	}
	ndr_push_u32(p, c->type);
	ndr_push_u32(p, c->opens);
	ndr_push_u32(p, 1);		/* num_users */
	ndr_push_u32(p, c->secs);
	ndr_push_unique_string(p, c->user);
	ndr_push_unique_string(p, c->netname);
}

/* Listings the connection view is built from. */
struct conn_src {
	struct wg_admin_session *ss;
	size_t n_ss;
	struct wg_admin_file *fs;
	size_t n_fs;
	struct wg_admin_share *shares;
	size_t n_shares;
};

static uint32_t share_type_of(const struct conn_src *src, const char *name)
{
	for (size_t i = 0; i < src->n_shares; i++) {
		if (src->shares[i].name != NULL &&
		    strcasecmp(src->shares[i].name, name) == 0) {
			return share_type(&src->shares[i]);
		}
	}
	return STYPE_DISKTREE;
}

/* Add the (session, share) connections seen through open files. */
static size_t conns_of_session(const struct conn_src *src,
			       const struct wg_admin_session *s,
			       const char *share, bool by_share,
			       struct conn_view *out, size_t m)
{
	size_t start = m;

	for (size_t f = 0; f < src->n_fs; f++) {
		const struct wg_admin_file *fi = &src->fs[f];
		bool seen = false;

		if (fi->session_id != s->id || fi->share == NULL ||
		    (share != NULL && strcasecmp(fi->share, share) != 0)) {
			continue;
		}
		for (size_t k = start; k < m && !seen; k++) {
			if (strcasecmp(out[k].netname, by_share ?
				       nz(s->computer) : fi->share) == 0) {
				out[k].opens++;
				seen = true;
			}
		}
		if (seen) {
			continue;
		}
		out[m] = (struct conn_view) {
			.id = (uint32_t)(m + 1),
			.type = share_type_of(src, fi->share),
			.opens = 1,
			.secs = (uint32_t)s->logon_secs,
			.user = nz(s->user),
			.netname = by_share ? nz(s->computer) : fi->share,
		};
		m++;
	}
	return m;
}

static int conn_sources(struct wg_rpc_call *call, struct conn_src *src)
{
	const struct wg_admin_ops *admin = call->env->admin;

	if (admin->list_sessions == NULL || admin->list_files == NULL ||
	    admin->list_shares == NULL) {
		return -ENOSYS;
	}
	if (admin->list_sessions(admin->priv, call->mem, &src->ss,
				 &src->n_ss) != 0 ||
	    admin->list_files(admin->priv, call->mem, &src->fs,
			      &src->n_fs) != 0 ||
	    admin->list_shares(admin->priv, call->mem, &src->shares,
			       &src->n_shares) != 0) {
		return -ENOMEM;
	}
	return 0;
}

static const uint32_t conn_levels[] = { 0, 1 };

/*
 * NetrConnectionEnum (8). Qualifier "\\computer": its connections, by
 * share; a share name: who is connected to it, by computer. The admin
 * view has no list of tree connects, so connections are those with open
 * files.
 */
static uint32_t op_conn_enum(struct wg_rpc_call *call)
{
	struct enum_req req = {};
	struct conn_src src = {};
	char *server = NULL, *qual = NULL;
	struct conn_view *views = NULL;
	struct enum_out *e = NULL;
	size_t m = 0, first = 0, count = 0;
	bool by_computer = false;
	uint32_t werr = 0;
	int rc = ndr_pull_unique_string(&call->in, &server);

	if (rc == 0) {
		rc = ndr_pull_unique_string(&call->in, &qual);
	}
	if (rc == 0) {
		rc = pull_enum_struct(&call->in, conn_levels, 2, &req.level);
	}
	if (rc == 0) {
		rc = pull_enum_tail(&call->in, &req);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = admin_check(call);
	if (werr == WERR_OK && (qual == NULL || qual[0] == '\0')) {
		werr = WERR_INVALID_PARAMETER;
	}
	if (werr == WERR_OK && conn_sources(call, &src) != 0) {
		werr = WERR_NOT_ENOUGH_MEMORY;
	}
	if (werr != WERR_OK) {
		push_enum(call, &req, NULL, 0, werr);
		return 0;
	}
	by_computer = qual[0] == '\\';
	views = talloc_zero_array(call->mem, struct conn_view,
				  src.n_fs + 1);
	e = talloc_zero(call->mem, struct enum_out);
	if (views == NULL || e == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	for (size_t i = 0; i < src.n_ss; i++) {
		const struct wg_admin_session *s = &src.ss[i];

		if (by_computer &&
		    !client_matches(qual, s->ip, s->computer)) {
			continue;
		}
		m = conns_of_session(&src, s, by_computer ? NULL : qual,
				     !by_computer, views, m);
	}
	apply_resume(&req, m, &first, &count);
	*e = (struct enum_out) {
		.level = req.level,
		.n = count,
		.items = views + first,
		.entry = conn_entry,
	};
	push_enum(call, &req, e, m, WERR_OK);
	return 0;
}

/* --- share check, disks, and what this server does not have --- */

/* NetrShareCheck (20): is the device (a path as wg_rpc_share_path() writes it,
 * e.g. "C:\srv\data") shared, and as what type. */
static uint32_t op_share_check(struct wg_rpc_call *call)
{
	struct wg_admin_share *shares = NULL;
	char *server = NULL, *device = NULL;
	uint32_t type = 0, werr = WERR_NERR_DEVICENOTSHARED;
	size_t n = 0;
	int rc = ndr_pull_unique_string(&call->in, &server);

	if (rc == 0) {
		rc = ndr_pull_string(&call->in, &device);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (wg_rpc_anonymous_restricted(call)) {
		werr = WERR_ACCESS_DENIED;
	} else if (list_shares(call, &shares, &n) != 0) {
		werr = WERR_NOT_ENOUGH_MEMORY;
	}
	for (size_t i = 0; werr == WERR_NERR_DEVICENOTSHARED && i < n; i++) {
		if (strcasecmp(wg_rpc_share_path(call->mem, &shares[i], true),
			       device) == 0) {
			type = share_type(&shares[i]);
			werr = WERR_OK;
		}
	}
	ndr_push_u32(&call->out, type);
	ndr_push_u32(&call->out, werr);
	return 0;
}

/*
 * The [in] DISK_ENUM_CONTAINER of NetrServerDiskEnum: EntriesRead and a
 * unique pointer to a conformant varying array of DISK_INFO. The server
 * ignores it [MS-SRVS 3.1.4.15], but it must decode; an array that holds
 * entries is refused like the other enumerations' [in] containers.
 */
static int pull_disk_container(struct ndr_pull *in)
{
	uint32_t entries = 0, ref = 0, max = 0, offset = 0, actual = 0;
	int rc = ndr_pull_u32(in, &entries);

	if (rc == 0) {
		rc = ndr_pull_ptr(in, &ref);
	}
	if (rc != 0 || ref == 0) {
		return rc;
	}
	rc = ndr_pull_u32(in, &max);
	if (rc == 0) {
		rc = ndr_pull_u32(in, &offset);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(in, &actual);
	}
	if (rc == 0 && (actual != 0 || offset != 0)) {
		rc = WIRE_E_UNSUPPORTED;
	}
	return rc;
}

/* One DISK_INFO: [string] WCHAR Disk[3], a varying array in line. */
static void push_disk_info(struct ndr_push *p, const char *disk)
{
	size_t n = strlen(disk);

	ndr_push_u32(p, 0);			/* offset */
	ndr_push_u32(p, (uint32_t)n + 1);	/* actual count, NUL too */
	for (size_t i = 0; i < n; i++) {
		ndr_push_u16(p, (uint8_t)disk[i]);
	}
	ndr_push_u16(p, 0);
	ndr_push_align(p, 4);
}

/*
 * NetrServerDiskEnum (23), admins only: the one disk every share path is
 * shown on ("C:", see wg_rpc_share_path()).
 */
static uint32_t op_disk_enum(struct wg_rpc_call *call)
{
	static const char *const disks[] = { "C:" };
	const size_t n_disks = sizeof(disks) / sizeof(disks[0]);
	struct ndr_push *out = &call->out;
	char *server = NULL;
	uint32_t level = 0, prefmax = 0, ref = 0, resume = 0;
	uint32_t werr = WERR_OK;
	size_t n = 0;
	int rc = ndr_pull_unique_string(&call->in, &server);

	if (rc == 0) {
		rc = ndr_pull_u32(&call->in, &level);
	}
	if (rc == 0) {
		rc = pull_disk_container(&call->in);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(&call->in, &prefmax);
	}
	if (rc == 0) {
		rc = ndr_pull_ptr(&call->in, &ref);
	}
	if (rc == 0 && ref != 0) {
		rc = ndr_pull_u32(&call->in, &resume);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	werr = admin_check(call);
	if (werr == WERR_OK && level != 0) {
		werr = WERR_UNKNOWN_LEVEL;
	}
	if (werr == WERR_OK) {
		n = n_disks;
	}
	ndr_push_u32(out, (uint32_t)n);		/* EntriesRead */
	if (n == 0) {
		ndr_push_u32(out, 0);
	} else {
		ndr_push_referent(out);
		ndr_push_u32(out, (uint32_t)n);	/* max count */
		ndr_push_u32(out, 0);		/* offset */
		ndr_push_u32(out, (uint32_t)n);	/* actual count */
		for (size_t i = 0; i < n; i++) {
			push_disk_info(out, disks[i]);
		}
	}
	ndr_push_u32(out, (uint32_t)n);		/* TotalEntries */
	if (ref != 0) {
		ndr_push_referent(out);
		ndr_push_u32(out, 0);
	} else {
		ndr_push_u32(out, 0);
	}
	ndr_push_u32(out, werr);
	return 0;
}

/*
 * An enumeration of something this server does not have (character
 * devices and their queues, transports): decoded like the others, then
 * ERROR_NOT_SUPPORTED with an empty answer, as Windows answers for
 * character devices. user_filter: the request has the UserName of
 * NetrCharDevQEnum before its InfoStruct.
 */
static uint32_t not_supported_enum(struct wg_rpc_call *call,
				   const uint32_t *levels, size_t n_levels,
				   bool user_filter)
{
	struct enum_req req = {};
	char *server = NULL, *user = NULL;
	int rc = ndr_pull_unique_string(&call->in, &server);

	if (rc == 0 && user_filter) {
		rc = ndr_pull_unique_string(&call->in, &user);
	}
	if (rc == 0) {
		rc = pull_enum_struct(&call->in, levels, n_levels,
				      &req.level);
	}
	if (rc == 0) {
		rc = pull_enum_tail(&call->in, &req);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	push_enum(call, &req, NULL, 0, WERR_NOT_SUPPORTED);
	return 0;
}

static const uint32_t chardev_levels[] = { 0, 1 };
static const uint32_t transport_levels[] = { 0, 1, 2, 3 };

/* NetrCharDevEnum (0) */
static uint32_t op_chardev_enum(struct wg_rpc_call *call)
{
	return not_supported_enum(call, chardev_levels, 2, false);
}

/* NetrCharDevQEnum (3) */
static uint32_t op_chardevq_enum(struct wg_rpc_call *call)
{
	return not_supported_enum(call, chardev_levels, 2, true);
}

/* NetrServerTransportEnum (26) */
static uint32_t op_transport_enum(struct wg_rpc_call *call)
{
	return not_supported_enum(call, transport_levels, 4, false);
}

static const wg_rpc_op srvsvc_ops[] = {
	[0] = op_chardev_enum,
	[3] = op_chardevq_enum,
	[8] = op_conn_enum,
	[9] = op_file_enum,
	[11] = op_file_close,
	[12] = op_session_enum,
	[13] = op_session_del,
	[15] = op_share_enum,
	[16] = op_share_getinfo,
	[20] = op_share_check,
	[21] = op_server_getinfo,
	[23] = op_disk_enum,
	[26] = op_transport_enum,
	[28] = op_remote_tod,
	[36] = op_share_enum_sticky,
};

const struct wg_rpc_iface wg_srvsvc_iface = {
	.name = "srvsvc",
	.uuid = "4b324fc8-1670-01d3-1278-5a47bf6ee188",
	.major = 3,
	.minor = 0,
	.ops = srvsvc_ops,
	.n_ops = sizeof(srvsvc_ops) / sizeof(srvsvc_ops[0]),
};
