/*
 * sesssetup.c - SESSION_SETUP and LOGOFF [MS-SMB2 §3.3.5.5-6]:
 * SPNEGO-wrapped (or raw) NTLMSSP, NTLMv2 only, anonymous logons flagged
 * IS_NULL, key derivation and the signed final response.
 */
#include "smbd/smbd.h"
#include "smbd/base/random.h"
#include "smbd/smb2/cmd/cmd.h"
#include "smbd/smb2/session.h"
#include "smbd/net/conn.h"
#include "smbd/fs/open.h"
#include "smbd/admin/admission.h"
#include "proto/ntlmssp.h"
#include "proto/smb2_transform.h"
#include "proto/spnego.h"
#include "proto/utf16.h"
#include "sessions/users.h"

#include <string.h>

struct sess_auth {
	bool raw;			/* client speaks bare NTLMSSP */
	bool reauth;			/* on a session that is already valid */
	uint8_t *mech_types;		/* DER MechTypeList, for the MIC */
	size_t mech_types_len;
};

static void put_setup_body(struct smbd_req *req, uint16_t flags,
			   const uint8_t *buf, size_t len)
{
	wire_put_u16le(&req->out, 9);
	wire_put_u16le(&req->out, flags);
	wire_put_u16le(&req->out, len > 0 ? (uint16_t)(SMB2_HDR_SIZE + 8) : 0);
	wire_put_u16le(&req->out, (uint16_t)len);
	wire_put_bytes(&req->out, buf, len);
}

static NTSTATUS setup_leg1(struct smbd_req *req, struct smbd_session *s,
			   struct sess_auth *a, const struct spnego_token *tok)
{
	struct smbd_server *srv = req->conn->srv;
	const struct wg_config *cfg = srv->cfg;
	struct ntlmssp_server_info info = {
		.netbios_domain = cfg->workgroup,
		.netbios_computer = cfg->netbios_name,
		.dns_domain = "",
		.dns_computer = "",
	};
	uint8_t challenge[8];
	struct wire_wr chal, resp;
	int rc = 0;

	if (tok->is_init && tok->mech_types != NULL) {
		a->mech_types = talloc_memdup(a, tok->mech_types,
					      tok->mech_types_len);
		a->mech_types_len = tok->mech_types_len;
	}
	if (!tok->is_raw_ntlmssp && tok->is_init && !tok->offers_ntlmssp) {
		DBG_CLIENT(AUTH, "%s: client offers no NTLMSSP",
			   req->conn->peer_addr);
		return NT_STATUS_LOGON_FAILURE;
	}
	if (tok->mech_token == NULL || tok->mech_token_len < 8 ||
	    memcmp(tok->mech_token, "NTLMSSP\0", 8) != 0) {
		/* Kerberos first: say NTLMSSP is what we take, no token. */
		wire_wr_init(&resp, req, 0);
		spnego_push_neg_token_resp(&resp, SPNEGO_ACCEPT_INCOMPLETE,
					   true, NULL, 0, NULL, 0);
		if (wire_wr_error(&resp) != 0) {
			return NT_STATUS_NO_MEMORY;
		}
		put_setup_body(req, 0, resp.buf, resp.len);
		talloc_free(resp.buf);
		return NT_STATUS_MORE_PROCESSING_REQUIRED;
	}
	s->ntlm = ntlmssp_server_new(s, &info, smbd_auth_lookup_user, srv);
	if (s->ntlm == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	ntlmssp_server_permit_ntlmv1(s->ntlm, cfg->ntlmv1_permitted);
	if (smbd_random(challenge, sizeof(challenge)) != 0) {
		return NT_STATUS_INTERNAL_ERROR;
	}
	smbd_users_reload_if_changed(srv);
	wire_wr_init(&chal, req, 0);
	rc = ntlmssp_server_challenge(s->ntlm, tok->mech_token,
				      tok->mech_token_len, challenge,
				      smbd_nt_now(), &chal);
	if (rc != 0 || wire_wr_error(&chal) != 0) {
		DBG_CLIENT(AUTH, "%s: bad NTLMSSP NEGOTIATE: %s",
			   req->conn->peer_addr, wire_strerror(rc));
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (a->raw) {
		put_setup_body(req, 0, chal.buf, chal.len);
	} else {
		wire_wr_init(&resp, req, 0);
		spnego_push_neg_token_resp(&resp, SPNEGO_ACCEPT_INCOMPLETE,
					   true, chal.buf, chal.len, NULL, 0);
		if (wire_wr_error(&resp) != 0) {
			return NT_STATUS_NO_MEMORY;
		}
		put_setup_body(req, 0, resp.buf, resp.len);
		talloc_free(resp.buf);
	}
	talloc_free(chal.buf);
	return NT_STATUS_MORE_PROCESSING_REQUIRED;
}

/* The final leg's SPNEGO reply: accept-completed, with our MIC if the
 * client sent one. */
static NTSTATUS put_final_reply(struct smbd_req *req, struct smbd_session *s,
				const struct sess_auth *a,
				const struct spnego_token *tok, bool anonymous,
				uint16_t flags)
{
	struct wire_wr resp;
	uint8_t mic[16];

	if (a->raw) {
		put_setup_body(req, flags, NULL, 0);
		return NT_STATUS_OK;
	}
	wire_wr_init(&resp, req, 0);
	if (tok->mech_list_mic != NULL && !anonymous) {
		ntlmssp_server_make_mic(s->ntlm, a->mech_types,
					a->mech_types_len, mic);
		spnego_push_neg_token_resp(&resp, SPNEGO_ACCEPT_COMPLETED,
					   false, NULL, 0, mic, 16);
	} else {
		spnego_push_neg_token_resp(&resp, SPNEGO_ACCEPT_COMPLETED,
					   false, NULL, 0, NULL, 0);
	}
	if (wire_wr_error(&resp) != 0) {
		return NT_STATUS_NO_MEMORY;
	}
	put_setup_body(req, flags, resp.buf, resp.len);
	talloc_free(resp.buf);
	return NT_STATUS_OK;
}

/*
 * Re-authentication succeeded at the NTLM level [MS-SMB2 §3.3.5.5.2]:
 * who the session may become is smbd_session_reauth()'s (session.h).
 */
static NTSTATUS setup_reauth_done(struct smbd_req *req, struct smbd_session *s,
				  struct sess_auth *a,
				  const struct spnego_token *tok,
				  const struct ntlmssp_result *res)
{
	NTSTATUS status = smbd_session_reauth(s, res);

	if (status != NT_STATUS_OK) {
		return status;
	}
	status = put_final_reply(req, s, a, tok, res->anonymous,
				 s->anonymous ? SMB2_SESSION_FLAG_IS_NULL : 0);
	if (status != NT_STATUS_OK) {
		return status;
	}
	TALLOC_FREE(s->ntlm);
	req->preauth_sess = NULL;
	req->sign_final = s->have_keys;
	req->sign_sess = s;
	return NT_STATUS_OK;
}

/* Close the session a reconnecting client left behind [§3.3.5.5.3]. */
static void drop_previous(struct smbd_req *req, struct smbd_session *s,
			  uint64_t prev_id)
{
	struct smbd_session *p = NULL;

	if (prev_id == 0 || prev_id == s->id) {
		return;
	}
	for (p = req->conn->srv->sessions; p != NULL; p = p->gnext) {
		if (p->id == prev_id && p->state == SMBD_SESS_VALID &&
		    !p->anonymous && utf8_casecmp(p->user, s->user) == 0) {
			DBG_INFO(SESS, "%s: reconnect replaces session 0x%llx",
				 req->conn->peer_addr,
				 (unsigned long long)prev_id);
			smbd_opens_preserve_session(p);
			talloc_free(p);
			return;
		}
	}
}

/*
 * What a failed AUTHENTICATE answers: a wrong password, an unknown user
 * or NTLMv1 is LOGON_FAILURE; a message that does not parse (an NTLMv2
 * response whose AV pairs run past its end, say) is INVALID_PARAMETER,
 * as Windows answers it (smbtorture smb2.session.ntlmssp_bug14932).
 */
static NTSTATUS auth_failure_status(int rc)
{
	switch (rc) {
	case WIRE_E_SHORT:
	case WIRE_E_BOUNDS:
	case WIRE_E_INVALID:
	case WIRE_E_TOOBIG:
		return NT_STATUS_INVALID_PARAMETER;
	case WIRE_E_NOMEM:
		return NT_STATUS_NO_MEMORY;
	default:
		return NT_STATUS_LOGON_FAILURE;
	}
}

static NTSTATUS setup_leg2(struct smbd_req *req, struct smbd_session *s,
			   struct sess_auth *a, const struct spnego_token *tok,
			   uint64_t prev_id)
{
	struct smbd_conn *conn = req->conn;
	const struct wg_config *cfg = conn->srv->cfg;
	struct ntlmssp_result res = {};
	uint16_t flags = 0;
	NTSTATUS status = NT_STATUS_OK;
	bool guest = false;
	int rc = 0;

	rc = ntlmssp_server_authenticate(s->ntlm, tok->mech_token,
					 tok->mech_token_len, &res);
	if (smbd_auth_ntlmv1_refused(conn, &res, rc)) {
		conn->srv->stats.logon_failures++;
		return NT_STATUS_LOGON_FAILURE;	/* a policy, never a guest */
	}
	if (rc == WIRE_E_AUTH && smbd_map_to_guest(conn, a->reauth, &res)) {
		DBG_INFO(AUTH, "%s: '%s\\%s' mapped to guest (map to guest)",
			 conn->peer_addr, res.domain ? res.domain : "",
			 res.user);
		guest = true;
		rc = 0;
	}
	if (rc != 0) {
		conn->srv->stats.logon_failures++;
		DBG_CLIENT(AUTH, "%s: logon failure for '%s\\%s': %s",
			   conn->peer_addr, res.domain ? res.domain : "",
			   res.user ? res.user : "", wire_strerror(rc));
		return auth_failure_status(rc);
	}
	if (!res.anonymous && !guest && tok->mech_list_mic != NULL &&
	    a->mech_types != NULL &&
	    ntlmssp_server_check_mic(s->ntlm, a->mech_types,
				     a->mech_types_len, tok->mech_list_mic,
				     tok->mech_list_mic_len) != 0) {
		DBG_CLIENT(AUTH, "%s: bad SPNEGO mechListMIC",
			   conn->peer_addr);
		return NT_STATUS_LOGON_FAILURE;
	}
	if (a->reauth) {
		return setup_reauth_done(req, s, a, tok, &res);
	}
	smbd_session_set_identity(s, &res, guest);
	if (s->anonymous) {
		flags |= SMB2_SESSION_FLAG_IS_NULL;
	} else if (s->guest) {
		flags |= SMB2_SESSION_FLAG_IS_GUEST;
	}
	status = smbd_session_set_token(s);
	if (status != NT_STATUS_OK) {
		return status;
	}
	/*
	 * A reconnect replaces its old session before taking a slot, and
	 * the slot is taken before anything else of the session exists.
	 */
	drop_previous(req, s, prev_id);
	status = smbd_session_admit(s);
	if (status != NT_STATUS_OK) {
		DBG_CLIENT(SESS, "%s: %s session for '%s' refused: %s",
			   conn->peer_addr, s->anonymous ? "null" : "user",
			   s->user, nt_errstr(status));
		return status;
	}
	if (res.have_session_key && !res.anonymous && !guest) {
		memcpy(s->session_key, res.session_key, 16);
		/* the cipher keys when the session first encrypts */
		s->keys = (struct smb2_keys) {};
		smb2_derive_some_keys(conn->dialect, s->session_key,
				      s->preauth,
				      smb2_cipher_key_len(conn->cipher),
				      SMB2_KEYS_SIGNING, &s->keys);
		s->have_cipher_keys = false;
		smbd_session_keys_drop(s);
		s->have_keys = true;
		s->signing_required =
			cfg->signing_mandatory ||
			(conn->client_security_mode &
			 SMB2_NEGOTIATE_SIGNING_REQUIRED);
	}
	status = put_final_reply(req, s, a, tok, res.anonymous || guest,
				 flags);
	if (status != NT_STATUS_OK) {
		return status;
	}
	s->state = SMBD_SESS_VALID;
	s->logon_time_nt = smbd_nt_now();
	smbd_conn_set_authenticated(conn, true);
	TALLOC_FREE(s->ntlm);
	/* The final response is signed, and not part of the preauth hash. */
	req->preauth_sess = NULL;
	req->sign_final = s->have_keys &&
			  (conn->dialect >= SMB2_DIALECT_300 ||
			   s->signing_required);
	req->sign_sess = s;
	DBG_NOTICE(SESS, "%s: session 0x%llx: %s%s%s%s from '%s' (%s)",
		   conn->peer_addr, (unsigned long long)s->id,
		   s->anonymous ? "null session" : s->domain,
		   s->anonymous ? "" : "\\", s->user,
		   s->guest ? " (guest)" : "",
		   s->workstation[0] != '\0' ? s->workstation :
		   conn->calling_name, smb2_dialect_name(conn->dialect));
	return NT_STATUS_OK;
}

NTSTATUS smbd_smb2_session_setup(struct smbd_req *req)
{
	struct smbd_conn *conn = req->conn;
	struct wire_rd r = req->in;
	struct wire_rd sec;
	struct spnego_token tok = {};
	struct smbd_session *s = NULL;
	struct sess_auth *a = NULL;
	uint8_t flags = 0, secmode = 0;
	uint16_t sec_off = 0, sec_len = 0;
	uint64_t prev_id = 0;
	bool fresh = false;
	NTSTATUS status = NT_STATUS_OK;
	int rc = 0;

	if (wire_skip(&r, 2) != 0 || wire_get_u8(&r, &flags) != 0 ||
	    wire_get_u8(&r, &secmode) != 0 || wire_skip(&r, 8) != 0 ||
	    wire_get_u16le(&r, &sec_off) != 0 ||
	    wire_get_u16le(&r, &sec_len) != 0 ||
	    wire_get_u64le(&r, &prev_id) != 0 ||
	    wire_sub(&req->in, sec_off, sec_len, &sec) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (flags & SMB2_SESSION_FLAG_BINDING) {
		return NT_STATUS_NOT_SUPPORTED;	/* no multichannel */
	}
	if (req->in_hdr.session_id == 0) {
		status = smbd_session_budget(conn);
		if (status != NT_STATUS_OK) {
			return status;
		}
		s = smbd_session_new(conn);
		if (s == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		fresh = true;
		req->in_hdr.session_id = s->id;
	} else {
		s = smbd_session_find(conn, req->in_hdr.session_id);
		if (s == NULL) {
			return NT_STATUS_USER_SESSION_DELETED;
		}
		if (s->state == SMBD_SESS_EXPIRED) {
			return NT_STATUS_USER_SESSION_DELETED;	/* logging off */
		}
		if (s->state == SMBD_SESS_VALID && s->auth == NULL) {
			/* Re-authentication of a live session [§3.3.5.5.2] */
			TALLOC_FREE(s->ntlm);
			s->auth = talloc_zero(s, struct sess_auth);
			if (s->auth == NULL) {
				return NT_STATUS_NO_MEMORY;
			}
			s->auth->reauth = true;
			fresh = true;
		}
	}
	if (conn->dialect == SMB2_DIALECT_311) {
		if (s->have_keys) {
			/* a re-auth: the cipher keys come from the old hash */
			(void)smbd_session_keys_cipher(s);
		}
		smb2_preauth_update(s->preauth, req->in.base, req->in.len);
		req->preauth_sess = s;
	}
	a = s->auth;
	if (a == NULL) {
		a = talloc_zero(s, struct sess_auth);
		if (a == NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto fail;
		}
		s->auth = a;
	}
	if (a->reauth) {
		/*
		 * The client keeps the session's key through a re-auth:
		 * every response of the exchange, failures included, is
		 * signed with it.
		 */
		req->sign_sess = s;
		req->sign_final = s->have_keys;
	}
	rc = spnego_parse(sec.base, sec.len, &tok);
	if (rc != 0) {
		DBG_CLIENT(AUTH, "%s: bad SPNEGO token: %s", conn->peer_addr,
			   wire_strerror(rc));
		status = NT_STATUS_INVALID_PARAMETER;
		goto fail;
	}
	if (fresh) {
		a->raw = tok.is_raw_ntlmssp;
	}
	if (s->ntlm == NULL) {
		status = setup_leg1(req, s, a, &tok);
	} else {
		status = setup_leg2(req, s, a, &tok, prev_id);
	}
	if (status == NT_STATUS_OK) {
		s->auth = NULL;
		talloc_free(a);
		return status;
	}
	if (status == NT_STATUS_MORE_PROCESSING_REQUIRED) {
		return status;
	}
fail:
	req->preauth_sess = NULL;
	if (a != NULL && a->reauth) {
		/*
		 * A failed re-authentication ends the session, its trees,
		 * opens and pending requests (a NOTIFY ends with
		 * NOTIFY_CLEANUP as its open closes) [MS-SMB2 §3.3.5.5.3].
		 * The failure is still signed with the session's key.
		 */
		DBG_INFO(SESS, "%s: re-authentication of session 0x%llx "
			 "failed (%s): session ended", conn->peer_addr,
			 (unsigned long long)s->id, nt_errstr(status));
	}
	/* A failed logon ends the session, half-built or live. */
	req->free_sess = s;
	return status;
}

NTSTATUS smbd_smb2_logoff(struct smbd_req *req)
{
	struct smbd_session *s = req->sess;

	/* its durable opens wait for a reconnect [MS-SMB2 §3.3.5.6] */
	smbd_opens_preserve_session(s);
	while (s->trees != NULL) {
		talloc_free(s->trees);
	}
	s->state = SMBD_SESS_EXPIRED;
	req->free_sess = s;
	wire_put_u16le(&req->out, 4);
	wire_put_u16le(&req->out, 0);
	return NT_STATUS_OK;
}
