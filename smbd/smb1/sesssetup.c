/*
 * sesssetup.c - SMB1 SESSION_SETUP_ANDX with extended security
 * [MS-SMB §2.2.4.6, §3.3.5.3]: SPNEGO-wrapped (or raw) NTLMSSP through
 * proto/ntlmssp.c, the same NTLMv2 verification, admission and cap as
 * SMB2 sessions; anonymous logons; SMB1 signing turned on with the
 * session key. Without extended security [MS-CIFS §3.3.5.3]: the
 * NEGOTIATE challenge and the passwords' challenge/response
 * (proto/ntlm_cr.c), under the same `ntlm auth` policy, signing with the
 * session key and the response. LOGOFF_ANDX.
 */
#include "smbd/smb1/smb1.h"
#include "smbd/base/random.h"
#include "smbd/smb2/session.h"
#include "smbd/net/conn.h"
#include "smbd/fs/open.h"
#include "smbd/admin/admission.h"
#include "proto/ntlmssp.h"
#include "proto/spnego.h"
#include "proto/ntlm_cr.h"
#include "proto/smb1_core.h"
#include "proto/utf16.h"

#include <string.h>

/* What the SESSION_SETUP replies say the server runs. */
#define SMB1_NATIVE_OS		"Unix"
#define SMB1_NATIVE_LANMAN	"wgsmb"

/* The reply: Action, the SPNEGO blob, NativeOS and NativeLanMan. */
static void put_setup_reply(struct smb1_req *r, uint16_t action,
			    const uint8_t *blob, size_t blob_len)
{
	size_t pos = 0;

	smb1_put_andx(r, 4);
	wire_put_u16le(&r->out, action);
	wire_put_u16le(&r->out, (uint16_t)blob_len);
	pos = smb1_bytes_begin(r);
	wire_put_bytes(&r->out, blob, blob_len);
	smb1_put_string(r, SMB1_NATIVE_OS, true);
	smb1_put_string(r, SMB1_NATIVE_LANMAN, true);
	smb1_bytes_end(r, pos);
}

static NTSTATUS leg1(struct smb1_req *r, struct smbd_session *s,
		     const struct spnego_token *tok, bool raw)
{
	struct smbd_server *srv = r->conn->srv;
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

	if (tok->mech_token == NULL || tok->mech_token_len < 8 ||
	    memcmp(tok->mech_token, "NTLMSSP\0", 8) != 0) {
		return NT_STATUS_LOGON_FAILURE;	/* no Kerberos here */
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
	wire_wr_init(&chal, r->conn, 0);
	rc = ntlmssp_server_challenge(s->ntlm, tok->mech_token,
				      tok->mech_token_len, challenge,
				      smbd_nt_now(), &chal);
	if (rc != 0 || wire_wr_error(&chal) != 0) {
		talloc_free(chal.buf);
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (raw) {
		put_setup_reply(r, 0, chal.buf, chal.len);
	} else {
		wire_wr_init(&resp, r->conn, 0);
		spnego_push_neg_token_resp(&resp, SPNEGO_ACCEPT_INCOMPLETE,
					   true, chal.buf, chal.len, NULL, 0);
		put_setup_reply(r, 0, resp.buf, resp.len);
		talloc_free(resp.buf);
	}
	talloc_free(chal.buf);
	return NT_STATUS_MORE_PROCESSING_REQUIRED;
}

static void start_signing(struct smb1_req *r, const uint8_t key[16],
			  const uint8_t *resp, size_t resp_len)
{
	struct smbd_smb1_conn *c1 = r->c1;

	if (c1->signing || 16 + resp_len > sizeof(c1->mac_key)) {
		return;		/* the first session's key signs them all */
	}
	memcpy(c1->mac_key, key, 16);
	if (resp_len > 0) {
		memcpy(c1->mac_key + 16, resp, resp_len);
	}
	c1->mac_key_len = 16 + resp_len;
	c1->signing = true;
	c1->seq = 2;	/* this request was 0, its reply 1 */
	r->sign_new = r->sess;
}

/*
 * A verified logon (res, or a guest): s takes who it is, its token and
 * its admission (the cap); *sign says whether it signs (a key, not null
 * or guest, and the client or the config asks). resp_len: the response
 * that would follow the key in the MAC key (too long: no signing).
 */
static NTSTATUS logon_admit(struct smb1_req *r, struct smbd_session *s,
			    const struct ntlmssp_result *res, bool guest,
			    size_t resp_len, bool *sign)
{
	struct smbd_conn *conn = r->conn;
	const struct wg_config *cfg = conn->srv->cfg;
	NTSTATUS status = NT_STATUS_OK;
	bool asked = (r->hdr.flags2 & SMB1_FLAGS2_SMB_SECURITY_SIGNATURE) != 0;
	static const uint8_t unsigned_sig[8] = { 0 };

	if (r->c1->have_challenge && asked &&
	    memcmp(r->in + SMB1_SIG_OFF, unsigned_sig, 8) == 0) {
		/*
		 * Without extended security a client that will sign says so
		 * in the signature field too (Samba's "BSRSPYL "); one that
		 * leaves it zero, as nmap's NTLMv2 logon (which has no MAC
		 * key), does not sign: signing it would end the connection
		 * at its next request. `server signing = mandatory` still
		 * refuses it below.
		 */
		asked = false;
	}

	smbd_session_set_identity(s, res, guest);
	status = smbd_session_set_token(s);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smbd_session_admit(s);
	if (status != NT_STATUS_OK) {
		DBG_CLIENT(SESS, "%s: SMB1 %s session for '%s' refused: %s",
			   conn->peer_addr, s->anonymous ? "null" : "user",
			   s->user, nt_errstr(status));
		return status;
	}
	*sign = res->have_session_key && !res->anonymous && !guest &&
		16 + resp_len <= sizeof(r->c1->mac_key) &&
		(asked || cfg->signing_mandatory);
	if (cfg->signing_mandatory && !*sign && !s->anonymous && !s->guest) {
		return NT_STATUS_ACCESS_DENIED;
	}
	return NT_STATUS_OK;
}

/* The reply is written: s is valid, and signs from here when key (how:
 * the kind of logon, for the log). */
static void logon_done(struct smb1_req *r, struct smbd_session *s,
		       const uint8_t *key, const uint8_t *resp,
		       size_t resp_len, const char *how)
{
	struct smbd_conn *conn = r->conn;

	s->state = SMBD_SESS_VALID;
	s->logon_time_nt = smbd_nt_now();
	smbd_conn_set_authenticated(conn, true);
	TALLOC_FREE(s->ntlm);
	if (key != NULL) {
		r->sess = s;
		start_signing(r, key, resp, resp_len);
	}
	DBG_NOTICE(SESS, "%s: SMB1 session 0x%llx: %s%s%s%s (%s, %s%s)",
		   conn->peer_addr, (unsigned long long)s->id,
		   s->anonymous ? "null session" : s->domain,
		   s->anonymous ? "" : "\\", s->user,
		   s->guest ? " (guest)" : "",
		   s->client_os != NULL ? s->client_os : "SMB1", how,
		   key != NULL ? ", signed" : "");
}

static NTSTATUS leg2(struct smb1_req *r, struct smbd_session *s,
		     const struct spnego_token *tok, bool raw)
{
	struct smbd_conn *conn = r->conn;
	struct ntlmssp_result res = {};
	struct wire_wr resp;
	NTSTATUS status = NT_STATUS_OK;
	bool guest = false;
	bool sign = false;
	int rc = 0;

	rc = ntlmssp_server_authenticate(s->ntlm, tok->mech_token,
					 tok->mech_token_len, &res);
	if (smbd_auth_ntlmv1_refused(conn, &res, rc)) {
		conn->srv->stats.logon_failures++;
		return NT_STATUS_LOGON_FAILURE;
	}
	if (rc == WIRE_E_AUTH && smbd_map_to_guest(conn, false, &res)) {
		guest = true;
		rc = 0;
	}
	if (rc != 0) {
		conn->srv->stats.logon_failures++;
		DBG_CLIENT(AUTH, "%s: SMB1 logon failure for '%s\\%s': %s",
			   conn->peer_addr, res.domain ? res.domain : "",
			   res.user ? res.user : "", wire_strerror(rc));
		return rc == WIRE_E_NOMEM ? NT_STATUS_NO_MEMORY :
					    NT_STATUS_LOGON_FAILURE;
	}
	if (s->state == SMBD_SESS_VALID) {
		/* re-authentication: no new admission, signing goes on */
		status = smbd_session_reauth(s, &res);
		if (status != NT_STATUS_OK) {
			return status;
		}
		sign = false;
	} else {
		status = logon_admit(r, s, &res, guest, 0, &sign);
		if (status != NT_STATUS_OK) {
			return status;
		}
	}
	if (raw) {
		put_setup_reply(r, s->guest ? 1 : 0, NULL, 0);
	} else {
		wire_wr_init(&resp, r->conn, 0);
		spnego_push_neg_token_resp(&resp, SPNEGO_ACCEPT_COMPLETED,
					   false, NULL, 0, NULL, 0);
		put_setup_reply(r, s->guest ? 1 : 0, resp.buf, resp.len);
		talloc_free(resp.buf);
	}
	if (s->state == SMBD_SESS_VALID) {
		TALLOC_FREE(s->ntlm);
		return NT_STATUS_OK;
	}
	logon_done(r, s, sign ? res.session_key : NULL, NULL, 0, "NTLMSSP");
	return NT_STATUS_OK;
}

/* A new session for this UID-less request, within the budgets. */
static NTSTATUS new_session(struct smb1_req *r, struct smbd_session **out)
{
	struct smbd_conn *conn = r->conn;
	struct smbd_session *s = NULL;
	NTSTATUS status = smbd_session_budget(conn);

	if (status != NT_STATUS_OK) {
		return status;
	}
	s = smbd_session_new(conn);
	if (s == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if ((uint16_t)s->id == 0 || (uint16_t)s->id == 0xFFFF) {
		/* UIDs 0 and 0xFFFF mean "none" on the wire */
		talloc_free(s);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	*out = s;
	return NT_STATUS_OK;
}

/* NativeOS after the blob: what `wgnet session` shows as client type. */
static void take_native_os(struct smb1_req *r, struct smbd_session *s,
			   const struct smb1_block *b, uint16_t blob_len)
{
	char *os = NULL;
	size_t next = 0;

	if (s->client_os != NULL || blob_len > b->bcc) {
		return;
	}
	if (smb1_pull_string(s, r->in, b->bytes_off + blob_len, b->end,
			     r->unicode, &os, &next) != 0) {
		return;
	}
	if (os[0] == '\0' || strlen(os) > 64) {
		talloc_free(os);
		return;
	}
	s->client_os = os;
}

/*
 * NEGOTIATE without extended security [MS-CIFS §2.2.4.52.2]: the
 * challenge, then DomainName and ServerName, UTF-16 without a pad (the
 * response is always unicode here).
 */
NTSTATUS smb1_negotiate_challenge(struct smb1_req *r)
{
	const struct wg_config *cfg = r->conn->srv->cfg;
	struct smbd_smb1_conn *c1 = r->c1;
	size_t pos = 0;

	if (smbd_random(c1->challenge, sizeof(c1->challenge)) != 0) {
		return NT_STATUS_INTERNAL_ERROR;
	}
	c1->have_challenge = true;
	/* ChallengeLength */
	wire_put_u8(&r->out, sizeof(c1->challenge));
	pos = smb1_bytes_begin(r);
	wire_put_bytes(&r->out, c1->challenge, sizeof(c1->challenge));
	wire_put_utf16(&r->out, cfg->workgroup);
	wire_put_u16le(&r->out, 0);
	wire_put_utf16(&r->out, cfg->netbios_name);
	wire_put_u16le(&r->out, 0);
	smb1_bytes_end(r, pos);
	return NT_STATUS_OK;
}

/*
 * Verify a non-extended logon into res (names pointing into q); WIRE_E_AUTH
 * with res->ntlmv1_refused when `ntlm auth` refuses NTLMv1 (no user is
 * looked up then), res->anonymous for a null logon.
 */
static int verify_nt(struct smb1_req *r, const struct smb1_setup_nt *q,
		     struct ntlmssp_result *res, struct ntlm_cr_out *out)
{
	struct smbd_server *srv = r->conn->srv;
	struct ntlm_cr_in in = {
		.challenge = r->c1->challenge,
		.user = q->user,
		.domain = q->domain,
		.lm = q->lm,
		.lm_len = q->lm_len,
		.nt = q->nt,
		.nt_len = q->nt_len,
		.permit_v1 = srv->cfg->ntlmv1_permitted,
	};
	enum ntlm_cr_kind kind = ntlm_cr_classify(q->lm, q->lm_len, q->nt_len);
	uint8_t hash[16] = {};
	int rc = 0;

	res->user = q->user;
	res->domain = q->domain;
	res->workstation = (char *)"";
	if (kind == NTLM_CR_ANONYMOUS && q->user[0] == '\0') {
		res->anonymous = true;
		return 0;
	}
	if (kind == NTLM_CR_V1 && !in.permit_v1) {
		res->ntlmv1 = true;
		res->ntlmv1_refused = true;
		return WIRE_E_AUTH;
	}
	if (kind == NTLM_CR_ANONYMOUS || kind == NTLM_CR_INVALID) {
		return WIRE_E_AUTH;	/* no password, or a plaintext one */
	}
	smbd_users_reload_if_changed(srv);
	if (smbd_auth_lookup_user(srv, q->user, q->domain, hash) != 0) {
		return WIRE_E_AUTH;
	}
	rc = ntlm_cr_verify(&in, hash, out);
	explicit_bzero(hash, sizeof(hash));
	res->ntlmv1 = out->ntlmv1;
	res->ntlmv1_refused = out->ntlmv1_refused;
	if (rc == 0) {
		memcpy(res->session_key, out->session_key, 16);
		res->have_session_key = true;
	}
	return rc == WIRE_E_INVALID ? WIRE_E_AUTH : rc;
}

/*
 * SESSION_SETUP_ANDX without extended security [MS-CIFS §3.3.5.3]: one
 * round; the reply has Action and NativeOS, NativeLanMan, PrimaryDomain.
 */
static NTSTATUS setup_nt(struct smb1_req *r, struct smbd_session *s,
			 const struct smb1_block *b)
{
	struct smbd_conn *conn = r->conn;
	struct smb1_setup_nt q = {};
	struct ntlmssp_result res = {};
	struct ntlm_cr_out out = {};
	NTSTATUS status = NT_STATUS_OK;
	bool guest = false;
	bool sign = false;
	size_t pos = 0;
	int rc = 0;

	rc = smb1_setup_nt_parse(s, r->in, r->in_len, b, r->unicode, &q);
	if (rc != 0) {
		return rc == WIRE_E_NOMEM ? NT_STATUS_NO_MEMORY :
					    NT_STATUS_INVALID_PARAMETER;
	}
	if (!r->c1->have_challenge &&
	    (q.user[0] != '\0' || ntlm_cr_classify(q.lm, q.lm_len, q.nt_len) !=
				  NTLM_CR_ANONYMOUS)) {
		/* extended security was agreed: no challenge to answer, only
		 * an anonymous logon (Windows 2008 R2: INVALID_PARAMETER) */
		return NT_STATUS_INVALID_PARAMETER;
	}
	r->c1->client_caps = q.caps;
	if (s->client_os == NULL && q.native_os[0] != '\0' &&
	    strlen(q.native_os) <= 64) {
		s->client_os = q.native_os;
	}
	rc = verify_nt(r, &q, &res, &out);
	if (smbd_auth_ntlmv1_refused(conn, &res, rc)) {
		conn->srv->stats.logon_failures++;
		return NT_STATUS_LOGON_FAILURE;
	}
	if (rc == WIRE_E_AUTH && smbd_map_to_guest(conn, false, &res)) {
		guest = true;
		rc = 0;
	}
	if (rc != 0) {
		conn->srv->stats.logon_failures++;
		DBG_CLIENT(AUTH, "%s: SMB1 logon failure for '%s\\%s' "
			   "(challenge/response): %s", conn->peer_addr,
			   q.domain, q.user, wire_strerror(rc));
		return rc == WIRE_E_NOMEM ? NT_STATUS_NO_MEMORY :
					    NT_STATUS_LOGON_FAILURE;
	}
	if (s->state == SMBD_SESS_VALID) {
		/* re-authentication: no new admission, signing goes on */
		status = smbd_session_reauth(s, &res);
	} else {
		status = logon_admit(r, s, &res, guest, out.mac_resp_len,
				     &sign);
	}
	if (status != NT_STATUS_OK) {
		explicit_bzero(&out, sizeof(out));
		return status;
	}
	smb1_put_andx(r, 3);
	wire_put_u16le(&r->out, s->guest ? 1 : 0);	/* Action */
	pos = smb1_bytes_begin(r);
	smb1_put_string(r, SMB1_NATIVE_OS, true);
	smb1_put_string(r, SMB1_NATIVE_LANMAN, true);
	smb1_put_string(r, conn->srv->cfg->workgroup, true);
	smb1_bytes_end(r, pos);
	if (s->state != SMBD_SESS_VALID) {
		logon_done(r, s, sign ? res.session_key : NULL, out.mac_resp,
			   out.mac_resp_len, "challenge/response");
	}
	explicit_bzero(&out, sizeof(out));
	explicit_bzero(res.session_key, sizeof(res.session_key));
	return NT_STATUS_OK;
}

/*
 * The session a request with a UID continues: a later round of its logon,
 * or a re-authentication of a logged-on one [MS-SMB 3.3.5.3] (smbd/smb2/
 * session.h smbd_session_reauth: same user or anonymous, same UID and
 * slot). NULL: ERRSRV/ERRbaduid.
 */
static struct smbd_session *uid_session(struct smb1_req *r)
{
	struct smbd_session *s = NULL;

	for (s = r->conn->sessions; s != NULL; s = s->next) {
		if ((uint16_t)s->id == r->hdr.uid) {
			break;
		}
	}
	return s;
}

NTSTATUS smb1_session_setup(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_session *s = NULL;
	struct spnego_token tok = {};
	uint16_t blob_len = 0;
	bool raw = false;
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct != 12 && b->wct != 13) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (r->hdr.uid != 0) {
		s = uid_session(r);
		if (s == NULL && b->wct == 13) {
			/* without extended security the UID of a logon means
			 * nothing yet: a new one (as Windows, smbtorture
			 * raw.context.session1) */
		} else if (s == NULL || s->state == SMBD_SESS_EXPIRED) {
			return SMB1_DOS_STATUS(SMB1_ERRSRV, SMB1_ERRbaduid);
		}
		if (s != NULL && s->state == SMBD_SESS_IN_PROGRESS &&
		    (b->wct == 13 || s->ntlm == NULL)) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (s != NULL && s->state == SMBD_SESS_VALID && b->wct == 13) {
			/* a re-authentication starts afresh */
			TALLOC_FREE(s->ntlm);
		}
	}
	if (b->wct == 13) {
		if (s == NULL) {
			status = new_session(r, &s);
			if (status != NT_STATUS_OK) {
				return status;
			}
			r->out_uid = (uint16_t)s->id;
		}
		status = setup_nt(r, s, b);
		if (status == NT_STATUS_OK) {
			return status;
		}
		goto fail;
	}
	blob_len = smb1_word(b, 7);
	if (blob_len > b->bcc) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	r->c1->client_caps = smb1_dword(b, 10);
	if (s == NULL) {
		status = new_session(r, &s);
		if (status != NT_STATUS_OK) {
			return status;
		}
		r->out_uid = (uint16_t)s->id;
	}
	take_native_os(r, s, b, blob_len);
	if (spnego_parse(b->bytes, blob_len, &tok) != 0) {
		status = NT_STATUS_INVALID_PARAMETER;
		goto fail;
	}
	raw = tok.is_raw_ntlmssp;
	if (s->ntlm == NULL) {
		status = leg1(r, s, &tok, raw);
	} else {
		status = leg2(r, s, &tok, raw);
	}
	if (status == NT_STATUS_OK ||
	    status == NT_STATUS_MORE_PROCESSING_REQUIRED) {
		return status;
	}
fail:
	/* A failed logon ends the session, half-built or re-authenticating
	 * (as SMB2's [MS-SMB2 3.3.5.5.3]; MS-SMB 3.3.5.3 lets it) */
	if (s->state == SMBD_SESS_VALID) {
		DBG_INFO(SESS, "%s: re-authentication of SMB1 session 0x%llx "
			 "failed (%s): session ended", r->conn->peer_addr,
			 (unsigned long long)s->id, nt_errstr(status));
		smbd_opens_preserve_session(s);
	}
	if (r->sess == s) {
		r->sess = NULL;
	}
	talloc_free(s);
	r->out_uid = 0;
	return status;
}

NTSTATUS smb1_logoff(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_session *s = r->sess;

	smb1_trees_logoff(s);
	smbd_opens_preserve_session(s);
	talloc_free(s);
	r->sess = NULL;
	smb1_put_andx(r, 2);
	smb1_bytes_end(r, smb1_bytes_begin(r));
	return NT_STATUS_OK;
}
