/*
 * session.c - the SMB2 session object: creation, lookup, the name shown
 * for its computer, and the destructor that ends its trees and requests.
 */
#include "smbd/smb2/session.h"
#include "smbd/smb2/request.h"
#include "smbd/net/conn.h"
#include "smbd/fs/acl.h"
#include "proto/ntlmssp.h"
#include "proto/smb2_transform.h"
#include "proto/utf16.h"
#include "sessions/users.h"
#include "smbd/base/random.h"

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
		struct smbd_tombstone *t = NULL;

		if (conn->tombs == NULL) {
			/* made by the connection's first signed session end */
			conn->tombs = talloc_zero_array(conn,
							struct smbd_tombstone,
							SMBD_TOMBS);
		}
		if (conn->tombs != NULL) {
			t = &conn->tombs[conn->ntombs++ % SMBD_TOMBS];
			t->id = s->id;
			memcpy(t->key, s->keys.signing, sizeof(t->key));
		}
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
	/* The expanded keys wipe themselves when their last holder goes. */
	explicit_bzero(s->session_key, sizeof(s->session_key));
	explicit_bzero(&s->keys, sizeof(s->keys));
	return 0;
}

/*
 * Session ids fit in 32 bits (the upper half is 0), as Samba's do:
 * clients keep them in 32-bit variables (smbtorture smb2.session-id saves
 * its id in one, sends a request with a wrong id and then goes back to
 * the saved one: a wider id came back truncated, and the real session's
 * CLOSE got USER_SESSION_DELETED). The count starts at a random point
 * (server.c), wraps from 2^32 - 1 to 1 and skips ids still in use.
 */
static bool session_id_in_use(const struct smbd_server *srv, uint64_t id)
{
	const struct smbd_session *s = NULL;

	for (s = srv->sessions; s != NULL; s = s->gnext) {
		if (s->id == id) {
			return true;
		}
	}
	return false;
}

static uint64_t session_id_next(struct smbd_server *srv)
{
	uint64_t id = 0;

	do {
		id = srv->next_session_id & 0xFFFFFFFFULL;
		if (id == 0) {
			id = 1;
		}
		srv->next_session_id = id + 1;
	} while (session_id_in_use(srv, id));
	return id;
}

struct smbd_session *smbd_session_new(struct smbd_conn *conn)
{
	struct smbd_server *srv = conn->srv;
	struct smbd_session *s = talloc_zero(conn, struct smbd_session);

	if (s == NULL) {
		return NULL;
	}
	s->conn = conn;
	s->id = session_id_next(srv);
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

static int sign_key_destructor(struct smb2_sign_key *k)
{
	smb2_sign_key_wipe(k);
	return 0;
}

static int crypt_key_destructor(struct smb2_crypt_key *k)
{
	smb2_crypt_key_wipe(k);
	return 0;
}

struct smb2_sign_key *smbd_sign_key_new(TALLOC_CTX *mem,
					enum smb2_sign_alg alg,
					const uint8_t key[16])
{
	struct smb2_sign_key *k = talloc(mem, struct smb2_sign_key);

	if (k == NULL) {
		return NULL;
	}
	smb2_sign_key_init(k, alg, key);
	talloc_set_destructor(k, sign_key_destructor);
	return k;
}

struct smb2_crypt_key *smbd_crypt_key_new(TALLOC_CTX *mem,
					  enum smb2_cipher c,
					  const uint8_t *key)
{
	struct smb2_crypt_key *k = talloc(mem, struct smb2_crypt_key);

	if (k == NULL) {
		return NULL;
	}
	smb2_crypt_key_init(k, c, key);
	talloc_set_destructor(k, crypt_key_destructor);
	return k;
}

/*
 * Messages a session signs, verifies, seals or opens with keys expanded
 * for the one message before it keeps its own: an idle session (a
 * SESSION_SETUP and a TREE_CONNECT, then nothing) keeps none, as a GCM
 * or GMAC key is 4.4 KiB, more than the rest of an idle session.
 */
#define KEYS_KEPT_AFTER 8

/* Not kept yet: count this use and say whether to keep them now. */
static bool keys_keep(struct smbd_session *s)
{
	if (s->key_uses < KEYS_KEPT_AFTER) {
		s->key_uses++;
		return false;
	}
	return true;
}

struct smb2_sign_key *smbd_session_sign_key(struct smbd_session *s,
					    enum smb2_sign_alg alg)
{
	if (s->sign_key != NULL && s->sign_key->alg != alg) {
		(void)talloc_unlink(s, s->sign_key);
		s->sign_key = NULL;
	}
	if (s->sign_key == NULL && keys_keep(s)) {
		s->sign_key = smbd_sign_key_new(s, alg, s->keys.signing);
	}
	return s->sign_key;
}

struct smb2_crypt_key *smbd_session_encrypt_key(struct smbd_session *s)
{
	enum smb2_cipher c = (enum smb2_cipher)s->conn->cipher;

	if (s->enc_key == NULL && smb2_cipher_key_len(c) != 0 &&
	    keys_keep(s)) {
		s->enc_key = smbd_crypt_key_new(s, c,
				smbd_session_keys_cipher(s)->encrypt);
	}
	return s->enc_key;
}

struct smb2_crypt_key *smbd_session_decrypt_key(struct smbd_session *s)
{
	enum smb2_cipher c = (enum smb2_cipher)s->conn->cipher;

	if (s->dec_key == NULL && smb2_cipher_key_len(c) != 0 &&
	    keys_keep(s)) {
		s->dec_key = smbd_crypt_key_new(s, c,
				smbd_session_keys_cipher(s)->decrypt);
	}
	return s->dec_key;
}

const struct smb2_keys *smbd_session_keys_cipher(struct smbd_session *s)
{
	if (!s->have_cipher_keys) {
		smb2_derive_some_keys(s->conn->dialect, s->session_key,
				      s->preauth,
				      smb2_cipher_key_len(s->conn->cipher),
				      SMB2_KEYS_CIPHER, &s->keys);
		s->have_cipher_keys = true;
	}
	return &s->keys;
}

int smbd_encrypt_nonce(enum smb2_cipher c,
		       uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE])
{
	size_t n = smb2_cipher_nonce_len(c);

	memset(nonce, 0, SMB2_TRANSFORM_NONCE_SIZE);
	if (n == 0 || n > SMB2_TRANSFORM_NONCE_SIZE) {
		return WIRE_E_UNSUPPORTED;
	}
	return smbd_random(nonce, n) == 0 ? 0 : WIRE_E_NOMEM;
}

void smbd_session_keys_drop(struct smbd_session *s)
{
	/* with holders, each moves under one of them */
	if (s->sign_key != NULL) {
		(void)talloc_unlink(s, s->sign_key);
	}
	if (s->enc_key != NULL) {
		(void)talloc_unlink(s, s->enc_key);
	}
	if (s->dec_key != NULL) {
		(void)talloc_unlink(s, s->dec_key);
	}
	s->sign_key = NULL;
	s->enc_key = NULL;
	s->dec_key = NULL;
}

size_t smbd_sessions_with_keys(const struct smbd_server *srv)
{
	const struct smbd_session *s = NULL;
	size_t n = 0;

	for (s = srv->sessions; s != NULL; s = s->gnext) {
		if (s->sign_key != NULL || s->enc_key != NULL ||
		    s->dec_key != NULL) {
			n++;
		}
	}
	return n;
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

/* Shared by the SMB2 and SMB1 SESSION_SETUP handlers. */

int smbd_auth_lookup_user(void *priv, const char *user, const char *domain,
		       uint8_t nt_hash[16])
{
	struct smbd_server *srv = priv;

	return users_lookup(srv->users, user, nt_hash, NULL) == 0 ? 0 : -1;
}

void smbd_users_reload_if_changed(struct smbd_server *srv)
{
	struct users_db *db = NULL;
	char *err = NULL;

	if (!users_changed(srv->cfg->users_file, srv->users)) {
		return;
	}
	db = users_load(srv, srv->cfg->users_file, &err);
	if (db == NULL) {
		/* tried at every logon while the file is bad: rate-limited */
		WG_LOG_RL(WG_LOG_ERR, WG_CLS_AUTH, "keeping old users: %s",
			  err != NULL ? err : "load failed");
		talloc_free(err);
		return;
	}
	talloc_free(srv->users);
	srv->users = db;
	DBG_NOTICE(AUTH, "users file reloaded");
}

/*
 * A failed NTLM logon that "map to guest" turns into a guest session:
 * with bad user, a user name the users file does not know; with bad
 * password, any named user. Never a re-authentication, never a null
 * logon (those have their own rules).
 */
bool smbd_map_to_guest(struct smbd_conn *conn, bool reauth,
		       const struct ntlmssp_result *res)
{
	const struct wg_config *cfg = conn->srv->cfg;

	if (cfg->map_to_guest == WG_GUEST_NEVER || reauth ||
	    res->user == NULL || res->user[0] == '\0' ||
	    res->ntlmv1_refused) {
		return false;
	}
	if (cfg->map_to_guest == WG_GUEST_BAD_PASSWORD) {
		return true;
	}
	return users_lookup(conn->srv->users, res->user, NULL, NULL) != 0;
}

bool smbd_auth_ntlmv1_refused(struct smbd_conn *conn,
			      const struct ntlmssp_result *res, int rc)
{
	const char *dom = res->domain != NULL ? res->domain : "";
	const char *user = res->user != NULL ? res->user : "";
	const char *ws = res->workstation != NULL ? res->workstation : "";

	if (res->ntlmv1_refused) {
		WG_LOG_RL(WG_LOG_NOTICE, WG_CLS_AUTH,
			  "%s: NTLMv1 refused: ntlm auth = ntlmv2-only "
			  "(computer '%s', user '%s\\%s')",
			  conn->peer_addr, ws, dom, user);
		return true;
	}
	if (res->ntlmv1 && rc == 0) {
		WG_LOG_RL(WG_LOG_WARN, WG_CLS_AUTH,
			  "%s: insecure NTLMv1 logon by computer '%s', user "
			  "'%s\\%s' (ntlm auth = ntlmv1-permitted)",
			  conn->peer_addr, ws, dom, user);
	}
	return false;
}

/* Who the session is, from the NTLM result (canonical user name). */
void smbd_session_set_identity(struct smbd_session *s,
			       const struct ntlmssp_result *res, bool guest)
{
	struct smbd_server *srv = s->conn->srv;
	const char *user = "";
	const char *dom = res->domain != NULL ? res->domain : "";
	const char *ws = res->workstation != NULL ? res->workstation : "";
	size_t lu = 0, ld = 0, lw = 0;
	uint8_t hash[16];
	char *b = NULL;

	s->anonymous = res->anonymous;
	s->guest = guest;
	if (res->anonymous) {
		user = "";
	} else if (guest) {
		/* counted per computer like any user, as the guest account */
		user = srv->cfg->guest_account;
	} else if (users_lookup(srv->users, res->user, hash, &user) != 0 ||
		   user == NULL) {
		user = res->user != NULL ? res->user : "";
	}
	/*
	 * The three names in one block (a talloc chunk costs ~100 bytes
	 * of header, more than the names). A re-authentication's names
	 * take a new block; the old one stays with s, as whatever read
	 * the old pointers may still hold them.
	 */
	lu = strlen(user) + 1;
	ld = strlen(dom) + 1;
	lw = strlen(ws) + 1;
	b = talloc_size(s, lu + ld + lw);
	if (b == NULL) {
		s->user = s->domain = s->workstation = NULL;
		return;
	}
	talloc_set_name_const(b, "session names");
	s->user = memcpy(b, user, lu);
	s->domain = memcpy(b + lu, dom, ld);
	s->workstation = memcpy(b + lu + ld, ws, lw);
}

NTSTATUS smbd_session_set_token(struct smbd_session *s)
{
	struct smbd_server *srv = s->conn->srv;
	struct se_token *t = NULL;
	struct se_token *g = NULL;

	t = smbd_acl_token(s, srv, s->user, s->guest, s->anonymous);
	if (t != NULL && s->anonymous) {
		g = smbd_acl_token(s, srv, srv->cfg->guest_account, true,
				   false);
	}
	if (t == NULL || (s->anonymous && g == NULL)) {
		talloc_free(t);
		return NT_STATUS_NO_MEMORY;
	}
	/* requests in flight may hold the old ones (smbd_acl_token_hold) */
	smbd_acl_token_drop(s, s->token);
	smbd_acl_token_drop(s, s->guest_token);
	s->token = t;
	s->guest_token = g;
	return NT_STATUS_OK;
}

NTSTATUS smbd_session_reauth(struct smbd_session *s,
			     const struct ntlmssp_result *res)
{
	bool was_anonymous = s->anonymous;
	NTSTATUS status = NT_STATUS_OK;

	if (!res->anonymous &&
	    (s->user[0] == '\0' || utf8_casecmp(res->user, s->user) != 0)) {
		DBG_CLIENT(AUTH, "%s: re-authentication of session 0x%llx "
			   "as another user refused", s->conn->peer_addr,
			   (unsigned long long)s->id);
		return NT_STATUS_LOGON_FAILURE;
	}
	s->anonymous = res->anonymous;
	status = smbd_session_set_token(s);
	if (status != NT_STATUS_OK) {
		s->anonymous = was_anonymous;
		return status;
	}
	DBG_INFO(AUTH, "%s: session 0x%llx re-authenticated%s",
		 s->conn->peer_addr, (unsigned long long)s->id,
		 s->anonymous ? " as anonymous" : "");
	return NT_STATUS_OK;
}

/*
 * May conn start one more session? Half-built sessions hold NTLM state
 * and need no login, so they have a small budget of their own; all
 * sessions of a connection a larger one. Both walks are bounded by
 * max sessions per connection.
 */
NTSTATUS smbd_session_budget(struct smbd_conn *conn)
{
	const struct wg_config *cfg = conn->srv->cfg;
	const struct smbd_session *o = NULL;
	uint32_t all = 0, building = 0;

	for (o = conn->sessions; o != NULL; o = o->next) {
		all++;
		building += o->state == SMBD_SESS_IN_PROGRESS;
	}
	if (building >= cfg->max_sessions_in_progress) {
		smbd_budget_hit(NULL, conn, SMBD_BUDGET_SESS_IN_PROGRESS,
				cfg->max_sessions_in_progress);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	if (all >= cfg->max_sessions_per_conn) {
		smbd_budget_hit(NULL, conn, SMBD_BUDGET_SESS_PER_CONN,
				cfg->max_sessions_per_conn);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	return NT_STATUS_OK;
}
