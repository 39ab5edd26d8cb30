/*
 * session.h - the SMB2 session object (struct smbd_session, smbd.h).
 */
#ifndef WG_SMBD_SMB2_SESSION_H
#define WG_SMBD_SMB2_SESSION_H

#include "smbd/smbd.h"
#include "proto/smb2_transform.h"

/*
 * A new SMB2 session on conn (state IN_PROGRESS, linked into the
 * connection's and the server's lists, a talloc child of conn whose
 * destructor unlinks it and ends its trees and requests). NULL on no
 * memory.
 */
struct smbd_session *smbd_session_new(struct smbd_conn *conn);

/*
 * The session's expanded signing, encryption (ServerOut) and decryption
 * (ServerIn) keys, made from s->keys once the session has used its keys
 * a few times (session.c, KEYS_KEPT_AFTER), so that an idle session
 * keeps none (a GCM or GMAC key is 4.4 KiB). Each is a talloc child of
 * s, wiped when freed, and only read once made, so worker threads may
 * use it while the loop goes on. Whatever may outlive s (a reply of
 * LOGOFF, an offloaded job) holds it with talloc_reference() and lets
 * go with talloc_unlink() or by being freed; nobody calls talloc_free()
 * on it. NULL when the session does not keep it yet (the caller expands
 * one for the message: smbd_sign_key_new, smbd_crypt_key_new, or the
 * raw-key functions), on no memory, or for encryption and decryption
 * when the connection has no cipher.
 */
struct smb2_sign_key *smbd_session_sign_key(struct smbd_session *s,
					    enum smb2_sign_alg alg);
struct smb2_crypt_key *smbd_session_encrypt_key(struct smbd_session *s);
struct smb2_crypt_key *smbd_session_decrypt_key(struct smbd_session *s);

/*
 * s->keys with its encryption and decryption keys derived (SESSION_SETUP
 * derives only the signing key; the cipher keys cost as much again and
 * most sessions never encrypt): derived from s->session_key and s->preauth
 * on the first call after the keys were set. Call it before reading
 * s->keys.encrypt or s->keys.decrypt, and before anything changes
 * s->preauth after the setup (a re-authentication hashes into it).
 * Only for a session with have_keys. Never fails.
 */
const struct smb2_keys *smbd_session_keys_cipher(struct smbd_session *s);

/*
 * A fresh nonce for one message encrypted under cipher c: its first
 * smb2_cipher_nonce_len(c) bytes from this thread's random pool
 * (base/random.h), the rest zero. 0, or WIRE_E_NOMEM when the random
 * source failed.
 */
int smbd_encrypt_nonce(enum smb2_cipher c,
		       uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE]);

/*
 * Drop the session's expanded keys: s->keys changed (a re-authentication),
 * or its connection went idle (4.4 KiB each). The next message that needs
 * one expands it again, from s->keys as they are then. Holders keep
 * theirs.
 */
void smbd_session_keys_drop(struct smbd_session *s);

/* Sessions of srv that keep expanded keys now (wgnet statistics). */
size_t smbd_sessions_with_keys(const struct smbd_server *srv);

/*
 * A signing key (or cipher key, of smb2_cipher_key_len(c) bytes)
 * expanded from raw bytes for one message, a child of mem wiped when
 * freed; NULL on no memory.
 */
struct smb2_sign_key *smbd_sign_key_new(TALLOC_CTX *mem,
					enum smb2_sign_alg alg,
					const uint8_t key[16]);
struct smb2_crypt_key *smbd_crypt_key_new(TALLOC_CTX *mem,
					  enum smb2_cipher c,
					  const uint8_t *key);

/* The session with this id on conn, or NULL. */
struct smbd_session *smbd_session_find(struct smbd_conn *conn, uint64_t id);

/*
 * May conn start one more session (SMB2 or SMB1)? OK, or
 * INSUFFICIENT_RESOURCES with the budget hit counted and logged: the
 * half-built sessions' budget or the connection's.
 */
NTSTATUS smbd_session_budget(struct smbd_conn *conn);

/* The name shown for the session's computer: NetBIOS calling name, then
 * NTLM workstation, then the address. */
const char *smbd_session_display(const struct smbd_session *s);

/*
 * Logon helpers both front ends' SESSION_SETUP use (the NTLM exchange
 * itself is proto/ntlmssp.h).
 */
struct ntlmssp_result;

/* ntlmssp_server_new()'s lookup: srv (priv) users file NT hash; 0/-1. */
int smbd_auth_lookup_user(void *priv, const char *user, const char *domain,
			  uint8_t nt_hash[16]);

/* Reload srv->users if the users file changed (bad file: kept, logged). */
void smbd_users_reload_if_changed(struct smbd_server *srv);

/*
 * Does "map to guest" turn this failed NTLM logon into a guest session?
 * Never for a re-authentication or a null logon.
 */
bool smbd_map_to_guest(struct smbd_conn *conn, bool reauth,
		       const struct ntlmssp_result *res);

/*
 * The NTLMv1 policy (`ntlm auth`), after ntlmssp_server_authenticate
 * gave rc and res: an accepted NTLMv1 logon is logged as insecure, a
 * refused one as refused and why, both naming computer and user
 * (rate-limited). True when `ntlm auth` refused it: the caller answers
 * LOGON_FAILURE and never maps it to guest.
 */
bool smbd_auth_ntlmv1_refused(struct smbd_conn *conn,
			      const struct ntlmssp_result *res, int rc);

/*
 * Set s->anonymous, guest, user (canonical name; "" for null, the guest
 * account for guests), domain and workstation from the NTLM result.
 */
void smbd_session_set_identity(struct smbd_session *s,
			       const struct ntlmssp_result *res, bool guest);

/*
 * (Re)make s->token (fs/acl.h) from who the session is now: at logon,
 * after smbd_session_set_identity(), and at every re-authentication,
 * which may turn a session into a null one and back, so the access
 * checks of SMB2 and SMB1 alike see who it is. OK or NO_MEMORY.
 */
NTSTATUS smbd_session_set_token(struct smbd_session *s);

/*
 * A re-authentication of the valid session s verified as res (SMB2
 * SESSION_SETUP [MS-SMB2 3.3.5.5.2] and SMB1 SESSION_SETUP_ANDX on a
 * logged-on UID [MS-SMB 3.3.5.3] alike). s keeps its id, keys, slot in
 * the session manager (no new admission: one computer is one session),
 * trees and opens. It may become the user it was admitted as again, or
 * anonymous (a null session until that user re-authenticates; what it
 * opened stays open, as on Windows); another named user, or a named user
 * on a session admitted as null, is LOGON_FAILURE (the slot and the cap
 * count are the first one's). On OK s->anonymous and s->token are the
 * new ones; s->user stays the admitted user. OK, LOGON_FAILURE or
 * NO_MEMORY.
 */
NTSTATUS smbd_session_reauth(struct smbd_session *s,
			     const struct ntlmssp_result *res);

#endif
