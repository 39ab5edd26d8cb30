/*
 * sesssetup.c - SMB1 SESSION_SETUP_ANDX with extended security
 * [MS-SMB §2.2.4.6, §3.3.5.3]: SPNEGO-wrapped (or raw) NTLMSSP through
 * proto/ntlmssp.c, the same NTLMv2 verification, admission and cap as
 * SMB2 sessions; anonymous logons; SMB1 signing turned on with the
 * session key. LOGOFF_ANDX.
 */
#include "smbd/smb1/smb1.h"
#include "smbd/smb2/session.h"
#include "smbd/net/conn.h"
#include "smbd/fs/open.h"
#include "smbd/admin/admission.h"
#include "proto/ntlmssp.h"
#include "proto/spnego.h"

#include <string.h>
#include <sys/random.h>

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
	smb1_put_string(r, "Unix", true);
	smb1_put_string(r, "wgsmb", true);
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
	if (getrandom(challenge, sizeof(challenge), 0) != sizeof(challenge)) {
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

static void start_signing(struct smb1_req *r, const uint8_t key[16])
{
	struct smbd_smb1_conn *c1 = r->c1;

	if (c1->signing) {
		return;		/* the first session's key signs them all */
	}
	memcpy(c1->mac_key, key, 16);
	c1->signing = true;
	c1->seq = 2;	/* this request was 0, its reply 1 */
	r->sign_new = r->sess;
}

static NTSTATUS leg2(struct smb1_req *r, struct smbd_session *s,
		     const struct spnego_token *tok, bool raw)
{
	struct smbd_conn *conn = r->conn;
	const struct wg_config *cfg = conn->srv->cfg;
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
	smbd_session_set_identity(s, &res, guest);
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
	sign = res.have_session_key && !res.anonymous && !guest &&
	       ((r->hdr.flags2 & SMB1_FLAGS2_SMB_SECURITY_SIGNATURE) ||
		cfg->signing_mandatory);
	if (cfg->signing_mandatory && !sign && !s->anonymous && !s->guest) {
		return NT_STATUS_ACCESS_DENIED;
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
	s->state = SMBD_SESS_VALID;
	s->logon_time_nt = smbd_nt_now();
	smbd_conn_set_authenticated(conn, true);
	TALLOC_FREE(s->ntlm);
	if (sign) {
		r->sess = s;
		start_signing(r, res.session_key);
	}
	DBG_NOTICE(SESS, "%s: SMB1 session 0x%llx: %s%s%s%s (%s)",
		   conn->peer_addr, (unsigned long long)s->id,
		   s->anonymous ? "null session" : s->domain,
		   s->anonymous ? "" : "\\", s->user,
		   s->guest ? " (guest)" : "",
		   s->client_os != NULL ? s->client_os : "SMB1");
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

NTSTATUS smb1_session_setup(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_session *s = NULL;
	struct spnego_token tok = {};
	uint16_t blob_len = 0;
	bool raw = false;
	NTSTATUS status = NT_STATUS_OK;

	if (b->wct != 12) {
		/* 13 words: the non-extended form, a later round */
		return NT_STATUS_NOT_SUPPORTED;
	}
	blob_len = smb1_word(b, 7);
	if (blob_len > b->bcc) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	r->c1->client_caps = smb1_dword(b, 10);
	if (r->hdr.uid == 0) {
		status = new_session(r, &s);
		if (status != NT_STATUS_OK) {
			return status;
		}
		r->out_uid = (uint16_t)s->id;
	} else {
		s = NULL;
		for (s = r->conn->sessions; s != NULL; s = s->next) {
			if ((uint16_t)s->id == r->hdr.uid) {
				break;
			}
		}
		if (s == NULL || s->state != SMBD_SESS_IN_PROGRESS ||
		    s->ntlm == NULL) {
			/* re-authentication: a later round */
			return s == NULL ? NT_STATUS_USER_SESSION_DELETED :
					   NT_STATUS_NOT_SUPPORTED;
		}
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
	talloc_free(s);		/* a failed logon ends the session */
	r->out_uid = 0;
	return status;
}

NTSTATUS smb1_logoff(struct smb1_req *r, const struct smb1_block *b)
{
	struct smbd_session *s = r->sess;

	smbd_opens_preserve_session(s);
	talloc_free(s);
	r->sess = NULL;
	smb1_put_andx(r, 2);
	smb1_bytes_end(r, smb1_bytes_begin(r));
	return NT_STATUS_OK;
}
