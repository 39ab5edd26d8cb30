/*
 * session.c - the SMB2 session object: creation, lookup, the name shown
 * for its computer, and the destructor that ends its trees and requests.
 */
#include "smbd/smb2/session.h"
#include "smbd/smb2/request.h"
#include "smbd/net/conn.h"

#include <string.h>

static void session_unlink(struct smbd_session *s)
{
	struct smbd_conn *conn = s->conn;
	struct smbd_server *srv = conn->srv;

	if (s->prev != NULL) {
		s->prev->next = s->next;
	} else if (conn->sessions == s) {
		conn->sessions = s->next;
	}
	if (s->next != NULL) {
		s->next->prev = s->prev;
	}
	if (s->gprev != NULL) {
		s->gprev->gnext = s->gnext;
	} else if (srv->sessions == s) {
		srv->sessions = s->gnext;
	}
	if (s->gnext != NULL) {
		s->gnext->gprev = s->gprev;
	}
	s->prev = s->next = s->gprev = s->gnext = NULL;
}

static int session_destructor(struct smbd_session *s)
{
	struct smbd_conn *conn = s->conn;

	/*
	 * Unlinked first, so whatever still runs (the rest of a chain whose
	 * parked step is aborted below) finds no session. Then trees (their
	 * opens flushed and closed), then the requests still in flight.
	 */
	session_unlink(s);
	if (s->have_keys && conn->state != SMBD_CONN_CLOSING) {
		struct smbd_tombstone *t =
			&conn->tombs[conn->ntombs++ % ARRAY_SIZE(conn->tombs)];

		t->id = s->id;
		memcpy(t->key, s->keys.signing, sizeof(t->key));
	}
	while (s->trees != NULL) {
		talloc_free(s->trees);
	}
	smbd_abort_requests(conn, s, NULL, NT_STATUS_USER_SESSION_DELETED);
	if (conn->state != SMBD_CONN_CLOSING) {
		struct smbd_session *o = NULL;
		bool any = false;

		for (o = conn->sessions; o != NULL; o = o->next) {
			any |= o->state == SMBD_SESS_VALID;
		}
		smbd_conn_set_authenticated(conn, any);
	}
	if (s->state == SMBD_SESS_VALID) {
		DBG_INFO(SESS, "%s: session 0x%llx (%s) ended",
			 conn->peer_addr, (unsigned long long)s->id,
			 s->anonymous ? "null" : s->user);
	}
	return 0;
}

struct smbd_session *smbd_session_new(struct smbd_conn *conn)
{
	struct smbd_server *srv = conn->srv;
	struct smbd_session *s = talloc_zero(conn, struct smbd_session);

	if (s == NULL) {
		return NULL;
	}
	s->conn = conn;
	s->id = srv->next_session_id++;
	s->state = SMBD_SESS_IN_PROGRESS;
	s->next_tree_id = 1;
	memcpy(s->preauth, conn->preauth, sizeof(s->preauth));
	gettimeofday(&s->last_activity, NULL);
	s->next = conn->sessions;
	if (conn->sessions != NULL) {
		conn->sessions->prev = s;
	}
	conn->sessions = s;
	s->gnext = srv->sessions;
	if (srv->sessions != NULL) {
		srv->sessions->gprev = s;
	}
	srv->sessions = s;
	talloc_set_destructor(s, session_destructor);
	return s;
}

struct smbd_session *smbd_session_find(struct smbd_conn *conn, uint64_t id)
{
	struct smbd_session *s = NULL;

	for (s = conn->sessions; s != NULL; s = s->next) {
		if (s->id == id) {
			return s;
		}
	}
	return NULL;
}

const char *smbd_session_display(const struct smbd_session *s)
{
	if (s->conn->calling_name[0] != '\0') {
		return s->conn->calling_name;
	}
	if (s->workstation != NULL && s->workstation[0] != '\0') {
		return s->workstation;
	}
	return s->conn->peer_addr;
}
