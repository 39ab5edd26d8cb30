/*
 * admission.c - smbd's side of the session manager (sessions/sessmgr.h):
 * settings from the config, the hooks it calls back (does a session hold
 * opens, end a session, close an idle printer handle), and admission of
 * a freshly authenticated session.
 */
#include "smbd/fs/open.h"
#include "smbd/admin/admission.h"
#include "smbd/smb2/session.h"
#include "smbd/net/conn.h"
#include "pipes/pipe.h"
#include "sessions/sessmgr.h"

#include <string.h>
#include <strings.h>

static void settings_from_config(const struct wg_config *cfg,
				 struct sm_settings *set)
{
	*set = (struct sm_settings) {
		.edition = cfg->sm.edition,
		.max_sessions = cfg->max_sessions,
		.accounting = cfg->sm.accounting,
		.cap_policy = cfg->sm.cap_policy,
		.restrict_anonymous = cfg->restrict_anonymous,
		.autodisconnect_ms = cfg->autodisconnect_ms,
		.null_session_timeout_ms = cfg->null_session_timeout_ms,
		.spoolss_handle_timeout_ms = cfg->spoolss_handle_timeout_ms,
	};
}

unsigned smbd_session_busy_opens(const struct smbd_session *s)
{
	const struct smbd_tree *t = NULL;
	unsigned n = 0;

	for (t = s->trees; t != NULL; t = t->next) {
		const struct smbd_open *op = NULL;

		for (op = t->opens; op != NULL; op = op->next) {
			n += !op->lets_session_idle;
		}
	}
	return n;
}

/*
 * What keeps a session alive: its open files and directories; pipes/
 * says which pipes count (none do), see smbd_session_busy_opens.
 */
static bool hook_has_opens(void *priv, void *session)
{
	struct smbd_session *s = session;

	return smbd_session_busy_opens(s) > 0;
}

static void hook_end_session(void *priv, void *session, enum sm_reap_cause c)
{
	struct smbd_session *s = session;

	DBG_NOTICE(SESS, "%s: ending session 0x%llx (%s): %s",
		   s->conn->peer_addr, (unsigned long long)s->id,
		   s->anonymous ? "null session" : s->user,
		   sm_reap_cause_name(c));
	smbd_session_end(s, "session reaped");
}

static void hook_close_handle(void *priv, void *handle_cookie)
{
	DBG_NOTICE(PIPE, "closing an idle spoolss printer handle");
	wg_pipe_reap_handle(handle_cookie);
}

static void hook_log(void *priv, int level, const char *msg)
{
	WG_LOG(level, WG_CLS_SESS, "%s", msg);
}

void smbd_session_end(struct smbd_session *s, const char *why)
{
	struct smbd_conn *conn = s->conn;

	/* Flushes and closes its files; frees its ticket (the slot). */
	talloc_free(s);
	if (conn->sessions == NULL) {
		/*
		 * Nothing left on the connection: close it now rather than
		 * leave it open, counted as unauthenticated, for another auth
		 * timeout (the client reconnects if it wants more).
		 */
		smbd_conn_end(conn, SMBD_END_SESSION, why);
	}
}

int smbd_limits_start(struct smbd_server *srv)
{
	static const struct sm_hooks hooks = {
		.has_opens = hook_has_opens,
		.end_session = hook_end_session,
		.close_handle = hook_close_handle,
	};
	struct sm_settings set;

	settings_from_config(srv->cfg, &set);
	srv->sm = sm_new(srv, srv->ev, &set, &hooks);
	if (srv->sm == NULL) {
		return -1;
	}
	sm_set_logger(srv->sm, hook_log, srv);
	DBG_NOTICE(SESS, "edition %s: %u sessions%s, accounting %s, "
		   "cap policy %s", srv->cfg->edition, sm_cap(srv->sm),
		   sm_cap(srv->sm) == 0 ? " (no cap)" : "",
		   srv->cfg->session_accounting, srv->cfg->cap_policy);
	return 0;
}

void smbd_limits_reload(struct smbd_server *srv)
{
	struct sm_settings set;

	settings_from_config(srv->cfg, &set);
	sm_apply_settings(srv->sm, &set);
}

NTSTATUS smbd_session_admit(struct smbd_session *s)
{
	struct smbd_conn *conn = s->conn;
	enum sm_admit_result r;

	r = sm_admit(conn->srv->sm, s, s, conn->peer_addr,
		     smbd_session_display(s), s->anonymous ? "" : s->user,
		     s->anonymous, &s->ticket);
	switch (r) {
	case SM_ADMITTED:
		return NT_STATUS_OK;
	case SM_REFUSED_CAP:
		return NT_STATUS_REQUEST_NOT_ACCEPTED;
	case SM_REFUSED_ANONYMOUS:
		return NT_STATUS_ACCESS_DENIED;
	case SM_NO_MEMORY:
		break;
	}
	return NT_STATUS_NO_MEMORY;
}
