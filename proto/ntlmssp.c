/*
 * ntlmssp.c - NTLMSSP server side [MS-NLMP]: CHALLENGE, NTLMv2
 * verification, key exchange, MIC and the NTLM2 signature used for the
 * SPNEGO mechListMIC (see ntlmssp.h).
 */
#include "proto/ntlmssp.h"
#include "proto/osversion.h"
#include "proto/ntlmv1.h"
#include "proto/utf16.h"

#include <string.h>
#include <talloc.h>
#include <nettle/arcfour.h>
#include <nettle/hmac.h>
#include <nettle/md4.h>
#include <nettle/md5.h>
#include <nettle/memops.h>

#define MSG_NEGOTIATE		1
#define MSG_CHALLENGE		2
#define MSG_AUTHENTICATE	3

/* AV_PAIR ids [MS-NLMP §2.2.2.1] */
#define AV_EOL			0
#define AV_NB_COMPUTER		1
#define AV_NB_DOMAIN		2
#define AV_DNS_COMPUTER		3
#define AV_DNS_DOMAIN		4
#define AV_FLAGS		6
#define AV_TIMESTAMP		7
#define AV_FLAG_MIC_PRESENT	0x00000002u

/* Fixed part of the messages [MS-NLMP §2.2.1]. */
#define NEGOTIATE_MIN_LEN	16	/* Signature, MessageType, Flags */
#define NEGOTIATE_MAX_LEN	0xffff	/* we keep a copy for the MIC */
#define CHALLENGE_HDR_LEN	56	/* through Version */
#define AUTH_HDR_LEN		64	/* through NegotiateFlags */
#define AUTH_MIC_OFFSET		72	/* after Version */
#define AUTH_MIC_LEN		16

/* NTLMv2: NTProofStr, then the blob whose AV pairs start at 28. */
#define NTLMV1_RESPONSE_LEN	24
#define NTPROOF_LEN		16
#define BLOB_AV_OFFSET		28

/* The VERSION we announce: proto/osversion.h's, NTLMSSP_REVISION_W2K3. */
#define NTLM_REVISION		0x0f

#define SIG_LEN			16

static const uint8_t ntlmssp_magic[8] = {
	'N', 'T', 'L', 'M', 'S', 'S', 'P', 0,
};

static const char magic_sign_c2s[] =
	"session key to client-to-server signing key magic constant";
static const char magic_sign_s2c[] =
	"session key to server-to-client signing key magic constant";
static const char magic_seal_c2s[] =
	"session key to client-to-server sealing key magic constant";
static const char magic_seal_s2c[] =
	"session key to server-to-client sealing key magic constant";

enum ntlmssp_state {
	NTLMSSP_WANT_NEGOTIATE = 0,
	NTLMSSP_WANT_AUTHENTICATE,
	NTLMSSP_DONE,
	NTLMSSP_FAILED,
};

struct ntlmssp_server {
	char *nb_domain;
	char *nb_computer;
	char *dns_domain;
	char *dns_computer;
	ntlmssp_lookup_fn lookup;
	void *priv;

	enum ntlmssp_state state;
	bool permit_v1;			/* ntlm auth = ntlmv1-permitted */
	bool v1;			/* AUTHENTICATE was NTLMv1 */
	bool v1_refused;
	bool v1_no_sig;			/* NTLMv1 without ESS: no sign keys */
	uint32_t chal_flags;		/* what CHALLENGE offered */
	uint32_t flags;			/* negotiated, after AUTHENTICATE */
	uint8_t challenge[8];
	uint8_t *neg_msg;		/* copies kept for the MIC */
	size_t neg_len;
	uint8_t *chal_msg;
	size_t chal_len;

	bool have_key;
	uint8_t session_key[16];	/* ExportedSessionKey */
	uint8_t sign_c2s[16];
	uint8_t sign_s2c[16];
	uint8_t seal_c2s[16];
	uint8_t seal_s2c[16];
};

/* One AUTHENTICATE message, every field a sub-reader of the message. */
struct auth_msg {
	struct wire_rd lm;
	struct wire_rd nt;
	struct wire_rd domain;
	struct wire_rd user;
	struct wire_rd workstation;
	struct wire_rd enc_key;
	uint32_t flags;
	char *user_s;
	char *domain_s;
	char *workstation_s;
};

static int ntlmssp_server_destructor(struct ntlmssp_server *s)
{
	explicit_bzero(s->session_key, sizeof(s->session_key));
	explicit_bzero(s->sign_c2s, sizeof(s->sign_c2s));
	explicit_bzero(s->sign_s2c, sizeof(s->sign_s2c));
	explicit_bzero(s->seal_c2s, sizeof(s->seal_c2s));
	explicit_bzero(s->seal_s2c, sizeof(s->seal_s2c));
	return 0;
}

static void hmac_md5(const uint8_t *key, size_t key_len, const uint8_t *a,
		     size_t a_len, const uint8_t *b, size_t b_len,
		     uint8_t out[16])
{
	struct hmac_md5_ctx ctx = {};

	hmac_md5_set_key(&ctx, key_len, key);
	hmac_md5_update(&ctx, a_len, a);
	if (b_len > 0) {
		hmac_md5_update(&ctx, b_len, b);
	}
	hmac_md5_digest(&ctx, MD5_DIGEST_SIZE, out);
	explicit_bzero(&ctx, sizeof(ctx));
}

int ntlm_nt_hash(const char *password, uint8_t out[16])
{
	struct md4_ctx ctx = {};
	uint8_t *u16 = NULL;
	size_t n = 0;
	int rc = utf8_to_utf16le(NULL, password, &u16, &n);

	if (rc != 0) {
		return rc;
	}
	md4_init(&ctx);
	md4_update(&ctx, n, u16);
	md4_digest(&ctx, MD4_DIGEST_SIZE, out);
	explicit_bzero(u16, n);
	explicit_bzero(&ctx, sizeof(ctx));
	talloc_free(u16);
	return 0;
}

static const char *or_empty(const char *s)
{
	return s != NULL ? s : "";
}

struct ntlmssp_server *
ntlmssp_server_new(void *mem_ctx, const struct ntlmssp_server_info *info,
		   ntlmssp_lookup_fn lookup, void *priv)
{
	static const struct ntlmssp_server_info none = {};
	struct ntlmssp_server *s = talloc_zero(mem_ctx, struct ntlmssp_server);

	if (s == NULL) {
		return NULL;
	}
	talloc_set_destructor(s, ntlmssp_server_destructor);
	if (info == NULL) {
		info = &none;
	}
	s->nb_domain = talloc_strdup(s, or_empty(info->netbios_domain));
	s->nb_computer = talloc_strdup(s, or_empty(info->netbios_computer));
	s->dns_domain = talloc_strdup(s, or_empty(info->dns_domain));
	s->dns_computer = talloc_strdup(s, or_empty(info->dns_computer));
	if (s->nb_domain == NULL || s->nb_computer == NULL ||
	    s->dns_domain == NULL || s->dns_computer == NULL) {
		talloc_free(s);
		return NULL;
	}
	s->lookup = lookup;
	s->priv = priv;
	return s;
}

void ntlmssp_server_permit_ntlmv1(struct ntlmssp_server *s, bool permit)
{
	s->permit_v1 = permit;
}

/* Append one AV_PAIR holding str as UTF-16LE. */
static void put_av_str(struct wire_wr *w, uint16_t id, const char *str)
{
	size_t n = utf16_len_of_utf8(str);

	if (n == 0 && str[0] != '\0') {
		if (w->err == 0) {
			w->err = WIRE_E_INVALID;
		}
		return;
	}
	if (n > UINT16_MAX) {
		if (w->err == 0) {
			w->err = WIRE_E_TOOBIG;
		}
		return;
	}
	wire_put_u16le(w, id);
	wire_put_u16le(w, (uint16_t)n);
	wire_put_utf16(w, str);
}

/* Patch a len/maxlen/offset field at fld for bytes [start, w->len). */
static void patch_field(struct wire_wr *w, size_t fld, size_t start)
{
	size_t n = w->len - start;

	if (w->err != 0) {
		return;
	}
	if (n > UINT16_MAX || start > UINT32_MAX) {
		w->err = WIRE_E_TOOBIG;
		return;
	}
	wire_patch_u16le(w, fld, (uint16_t)n);
	wire_patch_u16le(w, fld + 2, (uint16_t)n);
	wire_patch_u32le(w, fld + 4, (uint32_t)start);
}

/* Build the CHALLENGE message [MS-NLMP §2.2.1.2] into w (empty). */
static void build_challenge(const struct ntlmssp_server *s, uint64_t now_nt,
			    struct wire_wr *w)
{
	size_t name_fld = 0;
	size_t info_fld = 0;
	size_t start = 0;

	wire_put_bytes(w, ntlmssp_magic, sizeof(ntlmssp_magic));
	wire_put_u32le(w, MSG_CHALLENGE);
	name_fld = w->len;
	wire_put_zero(w, 8);
	wire_put_u32le(w, s->chal_flags);
	wire_put_bytes(w, s->challenge, sizeof(s->challenge));
	wire_put_zero(w, 8);
	info_fld = w->len;
	wire_put_zero(w, 8);
	wire_put_u8(w, WG_OS_NT_MAJOR);
	wire_put_u8(w, WG_OS_NT_MINOR);
	wire_put_u16le(w, WG_OS_NT_BUILD);
	wire_put_zero(w, 3);
	wire_put_u8(w, NTLM_REVISION);

	start = w->len;
	wire_put_utf16(w, s->nb_domain);
	patch_field(w, name_fld, start);

	start = w->len;
	put_av_str(w, AV_NB_DOMAIN, s->nb_domain);
	put_av_str(w, AV_NB_COMPUTER, s->nb_computer);
	put_av_str(w, AV_DNS_DOMAIN, s->dns_domain);
	put_av_str(w, AV_DNS_COMPUTER, s->dns_computer);
	wire_put_u16le(w, AV_TIMESTAMP);
	wire_put_u16le(w, 8);
	wire_put_u64le(w, now_nt);
	wire_put_u16le(w, AV_EOL);
	wire_put_u16le(w, 0);
	patch_field(w, info_fld, start);
}

int ntlmssp_server_challenge(struct ntlmssp_server *s, const uint8_t *neg,
			     size_t neg_len, const uint8_t challenge[8],
			     uint64_t now_nt, struct wire_wr *out)
{
	struct wire_rd r = {};
	struct wire_wr cw = {};
	uint8_t magic[8] = {};
	uint32_t type = 0;
	uint32_t client_flags = 0;
	uint8_t *neg_copy = NULL;
	int rc = 0;

	if (s->state != NTLMSSP_WANT_NEGOTIATE) {
		return WIRE_E_INVALID;
	}
	if (neg_len > NEGOTIATE_MAX_LEN) {
		return WIRE_E_TOOBIG;
	}
	wire_rd_init(&r, neg, neg_len);
	if (wire_left(&r) < NEGOTIATE_MIN_LEN) {
		return WIRE_E_SHORT;
	}
	if (wire_get_bytes(&r, magic, sizeof(magic)) != 0 ||
	    wire_get_u32le(&r, &type) != 0 ||
	    wire_get_u32le(&r, &client_flags) != 0) {
		return WIRE_E_SHORT;
	}
	if (memcmp(magic, ntlmssp_magic, sizeof(magic)) != 0 ||
	    type != MSG_NEGOTIATE) {
		return WIRE_E_INVALID;
	}

	/* Unicode only, even for a client that offers just OEM; extended
	 * session security always (smbclient needs it). */
	s->chal_flags = NTLMSSP_NEGOTIATE_UNICODE |
			NTLMSSP_REQUEST_TARGET |
			NTLMSSP_NEGOTIATE_NTLM |
			NTLMSSP_TARGET_TYPE_SERVER |
			NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
			NTLMSSP_NEGOTIATE_TARGET_INFO |
			NTLMSSP_NEGOTIATE_VERSION |
			NTLMSSP_NEGOTIATE_128 |
			NTLMSSP_NEGOTIATE_56;
	s->chal_flags |= client_flags & (NTLMSSP_NEGOTIATE_KEY_EXCH |
					 NTLMSSP_NEGOTIATE_SIGN |
					 NTLMSSP_NEGOTIATE_SEAL |
					 NTLMSSP_NEGOTIATE_ALWAYS_SIGN);
	memcpy(s->challenge, challenge, sizeof(s->challenge));

	wire_wr_init(&cw, s, 0);
	build_challenge(s, now_nt, &cw);
	rc = wire_wr_error(&cw);
	if (rc != 0) {
		goto fail;
	}
	neg_copy = talloc_memdup(s, neg, neg_len);
	if (neg_copy == NULL) {
		rc = WIRE_E_NOMEM;
		goto fail;
	}
	wire_put_bytes(out, cw.buf, cw.len);
	rc = wire_wr_error(out);
	if (rc != 0) {
		goto fail;
	}
	s->neg_msg = neg_copy;
	s->neg_len = neg_len;
	s->chal_msg = cw.buf;
	s->chal_len = cw.len;
	s->state = NTLMSSP_WANT_AUTHENTICATE;
	return 0;
fail:
	talloc_free(neg_copy);
	talloc_free(cw.buf);
	return rc;
}

/* Read one len/maxlen/offset field and turn it into a sub-reader. */
static int get_field(struct wire_rd *r, const struct wire_rd *pdu,
		     struct wire_rd *sub)
{
	uint16_t len = 0;
	uint16_t maxlen = 0;
	uint32_t off = 0;
	int rc = 0;

	if (wire_left(r) < 8) {
		return WIRE_E_SHORT;
	}
	if (wire_get_u16le(r, &len) != 0 ||
	    wire_get_u16le(r, &maxlen) != 0 ||
	    wire_get_u32le(r, &off) != 0) {
		return WIRE_E_SHORT;
	}
	rc = wire_sub(pdu, off, len, sub);
	return rc;
}

/* A UTF-16LE field as a UTF-8 talloc string under mem. */
static int field_str(void *mem, const struct wire_rd *f, char **out)
{
	return utf16le_to_utf8(mem, f->base, f->len, out);
}

/* Parse AUTHENTICATE [MS-NLMP §2.2.1.3]; strings go under mem. */
static int parse_auth(void *mem, const uint8_t *auth, size_t auth_len,
		      struct auth_msg *m)
{
	struct wire_rd pdu = {};
	struct wire_rd r = {};
	uint8_t magic[8] = {};
	uint32_t type = 0;
	int rc = 0;

	wire_rd_init(&pdu, auth, auth_len);
	r = pdu;
	if (wire_left(&r) < AUTH_HDR_LEN) {
		return WIRE_E_SHORT;
	}
	if (wire_get_bytes(&r, magic, sizeof(magic)) != 0 ||
	    wire_get_u32le(&r, &type) != 0) {
		return WIRE_E_SHORT;
	}
	if (memcmp(magic, ntlmssp_magic, sizeof(magic)) != 0 ||
	    type != MSG_AUTHENTICATE) {
		return WIRE_E_INVALID;
	}
	rc = get_field(&r, &pdu, &m->lm);
	if (rc == 0) {
		rc = get_field(&r, &pdu, &m->nt);
	}
	if (rc == 0) {
		rc = get_field(&r, &pdu, &m->domain);
	}
	if (rc == 0) {
		rc = get_field(&r, &pdu, &m->user);
	}
	if (rc == 0) {
		rc = get_field(&r, &pdu, &m->workstation);
	}
	if (rc == 0) {
		rc = get_field(&r, &pdu, &m->enc_key);
	}
	if (rc == 0) {
		rc = wire_get_u32le(&r, &m->flags);
	}
	if (rc != 0) {
		return rc;
	}
	rc = field_str(mem, &m->user, &m->user_s);
	if (rc == 0) {
		rc = field_str(mem, &m->domain, &m->domain_s);
	}
	if (rc == 0) {
		rc = field_str(mem, &m->workstation, &m->workstation_s);
	}
	return rc;
}

static bool is_anonymous(const struct auth_msg *m)
{
	if (m->user.len != 0 || m->nt.len != 0) {
		return false;
	}
	return m->lm.len == 0 || (m->lm.len == 1 && m->lm.base[0] == 0);
}

/* The domain keeps its case; only the user name is upper-cased. */
int ntlm_ntowf_v2(const uint8_t nt_hash[16], const char *user,
		  const char *domain, uint8_t out[16])
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct wire_wr w = {};
	char *upper = NULL;
	int rc = 0;

	if (tmp == NULL) {
		return WIRE_E_NOMEM;
	}
	upper = utf8_upper(tmp, user);
	if (upper == NULL) {
		rc = WIRE_E_INVALID;
		goto done;
	}
	wire_wr_init(&w, tmp, 0);
	wire_put_utf16(&w, upper);
	wire_put_utf16(&w, domain);
	rc = wire_wr_error(&w);
	if (rc != 0) {
		goto done;
	}
	/* w.buf is NULL if both strings are empty: hash nothing then. */
	hmac_md5(nt_hash, 16, w.buf != NULL ? w.buf : nt_hash, w.len,
		 NULL, 0, out);
done:
	talloc_free(tmp);
	return rc;
}

/*
 * Check NTProofStr for one domain spelling. On success base_key gets
 * SessionBaseKey = HMAC-MD5(KeyNT, NTProofStr).
 */
static int check_v2(const struct ntlmssp_server *s, const uint8_t nt_hash[16],
		    const struct auth_msg *m, const char *domain,
		    uint8_t base_key[16])
{
	const uint8_t *proof = m->nt.base;
	const uint8_t *blob = m->nt.base + NTPROOF_LEN;
	size_t blob_len = m->nt.len - NTPROOF_LEN;
	uint8_t key_nt[16] = {};
	uint8_t expect[16] = {};
	int rc = ntlm_ntowf_v2(nt_hash, m->user_s, domain, key_nt);

	if (rc != 0) {
		return rc;
	}
	hmac_md5(key_nt, 16, s->challenge, sizeof(s->challenge), blob,
		 blob_len, expect);
	if (!memeql_sec(expect, proof, NTPROOF_LEN)) {
		rc = WIRE_E_AUTH;
		goto done;
	}
	hmac_md5(key_nt, 16, proof, NTPROOF_LEN, NULL, 0, base_key);
done:
	explicit_bzero(key_nt, sizeof(key_nt));
	explicit_bzero(expect, sizeof(expect));
	return rc;
}

/* MsvAvFlags from the blob's AV pairs (0 if absent). */
static int blob_av_flags(const struct auth_msg *m, uint32_t *flags)
{
	struct wire_rd av = {};
	int rc = wire_sub(&m->nt, NTPROOF_LEN + BLOB_AV_OFFSET,
			  m->nt.len - NTPROOF_LEN - BLOB_AV_OFFSET, &av);

	*flags = 0;
	if (rc != 0) {
		return rc;
	}
	while (wire_left(&av) >= 4) {
		struct wire_rd val = {};
		uint16_t id = 0;
		uint16_t len = 0;

		if (wire_get_u16le(&av, &id) != 0 ||
		    wire_get_u16le(&av, &len) != 0) {
			return WIRE_E_SHORT;
		}
		if (id == AV_EOL) {
			break;
		}
		rc = wire_get_sub(&av, len, &val);
		if (rc != 0) {
			return WIRE_E_INVALID;
		}
		if (id == AV_FLAGS && len >= 4) {
			*flags = wire_le32(val.base);
		}
	}
	return 0;
}

/* MIC = HMAC-MD5(ExportedSessionKey, NEG || CHAL || AUTH with MIC = 0). */
static int check_auth_mic(const struct ntlmssp_server *s, const uint8_t *auth,
			  size_t auth_len)
{
	struct hmac_md5_ctx ctx = {};
	uint8_t zero[AUTH_MIC_LEN] = {};
	uint8_t mic[16] = {};
	int rc = 0;

	if (auth_len < AUTH_MIC_OFFSET + AUTH_MIC_LEN) {
		return WIRE_E_AUTH;
	}
	hmac_md5_set_key(&ctx, sizeof(s->session_key), s->session_key);
	hmac_md5_update(&ctx, s->neg_len, s->neg_msg);
	hmac_md5_update(&ctx, s->chal_len, s->chal_msg);
	hmac_md5_update(&ctx, AUTH_MIC_OFFSET, auth);
	hmac_md5_update(&ctx, AUTH_MIC_LEN, zero);
	hmac_md5_update(&ctx, auth_len - AUTH_MIC_OFFSET - AUTH_MIC_LEN,
			auth + AUTH_MIC_OFFSET + AUTH_MIC_LEN);
	hmac_md5_digest(&ctx, sizeof(mic), mic);
	if (!memeql_sec(mic, auth + AUTH_MIC_OFFSET, AUTH_MIC_LEN)) {
		rc = WIRE_E_AUTH;
	}
	explicit_bzero(&ctx, sizeof(ctx));
	return rc;
}

/* MD5(key || magic constant including its NUL) [MS-NLMP §3.4.5.2-3]. */
static void derive_key(const uint8_t *key, size_t key_len, const char *magic,
		       size_t magic_size, uint8_t out[16])
{
	struct md5_ctx ctx = {};

	md5_init(&ctx);
	md5_update(&ctx, key_len, key);
	md5_update(&ctx, magic_size, (const uint8_t *)magic);
	md5_digest(&ctx, MD5_DIGEST_SIZE, out);
	explicit_bzero(&ctx, sizeof(ctx));
}

/* SIGNKEY and SEALKEY for both directions, with extended security. */
static void derive_session_keys(struct ntlmssp_server *s)
{
	size_t seal_len = 5;

	if ((s->flags & NTLMSSP_NEGOTIATE_128) != 0) {
		seal_len = 16;
	} else if ((s->flags & NTLMSSP_NEGOTIATE_56) != 0) {
		seal_len = 7;
	}
	derive_key(s->session_key, 16, magic_sign_c2s, sizeof(magic_sign_c2s),
		   s->sign_c2s);
	derive_key(s->session_key, 16, magic_sign_s2c, sizeof(magic_sign_s2c),
		   s->sign_s2c);
	derive_key(s->session_key, seal_len, magic_seal_c2s,
		   sizeof(magic_seal_c2s), s->seal_c2s);
	derive_key(s->session_key, seal_len, magic_seal_s2c,
		   sizeof(magic_seal_s2c), s->seal_s2c);
}

/*
 * ExportedSessionKey from the KeyExchangeKey: the key itself, or with
 * KEY_EXCH the client's EncryptedRandomSessionKey RC4-decrypted with it.
 */
static int exchange_key(struct ntlmssp_server *s, const struct auth_msg *m,
			const uint8_t kx_key[16])
{
	struct arcfour_ctx rc4 = {};

	memcpy(s->session_key, kx_key, sizeof(s->session_key));
	if ((s->flags & NTLMSSP_NEGOTIATE_KEY_EXCH) == 0) {
		return 0;
	}
	if (m->enc_key.len != sizeof(s->session_key)) {
		return WIRE_E_INVALID;
	}
	arcfour_set_key(&rc4, 16, kx_key);
	arcfour_crypt(&rc4, sizeof(s->session_key), s->session_key,
		      m->enc_key.base);
	explicit_bzero(&rc4, sizeof(rc4));
	return 0;
}

/*
 * An NTLMv1 response [MS-NLMP §3.3.1]: refused unless permitted; else
 * checked against the user's NT hash, with extended session security
 * when both sides set it, and the keys derived [§3.4.5.1]. There are no
 * AV pairs, so no MIC.
 */
static int verify_v1(struct ntlmssp_server *s, const struct auth_msg *m)
{
	uint8_t nt_hash[16] = {};
	uint8_t base_key[16] = {};
	uint8_t kx_key[16] = {};
	uint32_t flags = s->chal_flags & m->flags;
	bool ess = (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) != 0;
	int rc = 0;

	s->v1 = true;
	if (!s->permit_v1) {
		s->v1_refused = true;
		return WIRE_E_AUTH;
	}
	if (s->lookup == NULL ||
	    s->lookup(s->priv, m->user_s, m->domain_s, nt_hash) != 0) {
		return WIRE_E_AUTH;
	}
	rc = ntlmv1_verify(nt_hash, s->challenge, ess, m->lm.base, m->lm.len,
			   m->nt.base, m->nt.len, base_key);
	if (rc != 0) {
		goto done;
	}
	s->flags = flags;
	/* ntlmv1_verify made sure lm has its 8 bytes with ESS */
	ntlmv1_key_exchange_key(base_key, ess, s->challenge,
				ess ? m->lm.base : base_key, kx_key);
	rc = exchange_key(s, m, kx_key);
	if (rc != 0) {
		goto done;
	}
	if (ess) {
		derive_session_keys(s);
	} else {
		s->v1_no_sig = true;
	}
	s->have_key = true;
done:
	if (rc != 0) {
		explicit_bzero(s->session_key, sizeof(s->session_key));
	}
	explicit_bzero(nt_hash, sizeof(nt_hash));
	explicit_bzero(base_key, sizeof(base_key));
	explicit_bzero(kx_key, sizeof(kx_key));
	return rc;
}

/* Verify the NTLMv2 response and derive the keys; m is parsed. */
static int verify_user(struct ntlmssp_server *s, const struct auth_msg *m,
		       const uint8_t *auth, size_t auth_len)
{
	uint8_t nt_hash[16] = {};
	uint8_t base_key[16] = {};
	uint32_t av_flags = 0;
	int rc = 0;

	if (m->nt.len == NTLMV1_RESPONSE_LEN ||
	    (m->nt.len == 0 && m->lm.len == NTLMV1_RESPONSE_LEN)) {
		return verify_v1(s, m);
	}
	if (m->nt.len <= NTLMV1_RESPONSE_LEN) {
		return WIRE_E_AUTH;	/* no response, or a short one */
	}
	if (m->nt.len < NTPROOF_LEN + BLOB_AV_OFFSET) {
		return WIRE_E_INVALID;
	}
	rc = blob_av_flags(m, &av_flags);
	if (rc != 0) {
		return rc;
	}
	if (s->lookup == NULL ||
	    s->lookup(s->priv, m->user_s, m->domain_s, nt_hash) != 0) {
		return WIRE_E_AUTH;
	}
	rc = check_v2(s, nt_hash, m, m->domain_s, base_key);
	if (rc == WIRE_E_AUTH && m->domain_s[0] != '\0') {
		rc = check_v2(s, nt_hash, m, "", base_key);
	}
	if (rc != 0) {
		goto done;
	}

	/* Keys follow what both sides agreed on. */
	s->flags = s->chal_flags & m->flags;
	/* NTLMv2: KeyExchangeKey = SessionBaseKey [MS-NLMP §3.4.5.1] */
	rc = exchange_key(s, m, base_key);
	if (rc != 0) {
		goto done;
	}
	if ((av_flags & AV_FLAG_MIC_PRESENT) != 0) {
		rc = check_auth_mic(s, auth, auth_len);
		if (rc != 0) {
			goto done;
		}
	}
	derive_session_keys(s);
	s->have_key = true;
done:
	if (rc != 0) {
		explicit_bzero(s->session_key, sizeof(s->session_key));
	}
	explicit_bzero(nt_hash, sizeof(nt_hash));
	explicit_bzero(base_key, sizeof(base_key));
	return rc;
}

int ntlmssp_server_authenticate(struct ntlmssp_server *s, const uint8_t *auth,
				size_t auth_len, struct ntlmssp_result *res)
{
	TALLOC_CTX *tmp = NULL;
	struct auth_msg m = {};
	int rc = 0;

	*res = (struct ntlmssp_result) {};
	if (s->state != NTLMSSP_WANT_AUTHENTICATE) {
		return WIRE_E_INVALID;
	}
	s->state = NTLMSSP_FAILED;	/* until proven otherwise */
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return WIRE_E_NOMEM;
	}
	rc = parse_auth(tmp, auth, auth_len, &m);
	if (rc != 0) {
		goto done;
	}
	if (is_anonymous(&m)) {
		res->anonymous = true;
	} else {
		rc = verify_user(s, &m, auth, auth_len);
		if (rc != 0 && rc != WIRE_E_AUTH) {
			goto done;
		}
	}
	/* Names are reported on WIRE_E_AUTH too, for the logs. */
	res->user = talloc_steal(s, m.user_s);
	res->domain = talloc_steal(s, m.domain_s);
	res->workstation = talloc_steal(s, m.workstation_s);
	res->ntlmv1 = s->v1;
	res->ntlmv1_refused = s->v1_refused;
	if (rc != 0) {
		goto done;
	}
	if (s->have_key) {
		memcpy(res->session_key, s->session_key,
		       sizeof(res->session_key));
		res->have_session_key = true;
	}
	s->state = NTLMSSP_DONE;
done:
	talloc_free(tmp);
	return rc;
}

/*
 * NTLMSSP_MESSAGE_SIGNATURE with extended session security, seq 0 and a
 * fresh RC4 handle [MS-NLMP §3.4.4.2]: Version 1, the first 8 bytes of
 * HMAC-MD5(SigningKey, SeqNum || data), RC4-sealed when KEY_EXCH was
 * negotiated, then SeqNum.
 */
static void make_sig(const struct ntlmssp_server *s, const uint8_t sign[16],
		     const uint8_t seal[16], const uint8_t *data, size_t len,
		     uint8_t sig[SIG_LEN])
{
	struct arcfour_ctx rc4 = {};
	uint8_t seq[4] = {};
	uint8_t mac[16] = {};

	hmac_md5(sign, 16, seq, sizeof(seq), data, len, mac);
	if ((s->flags & NTLMSSP_NEGOTIATE_KEY_EXCH) != 0) {
		arcfour_set_key(&rc4, 16, seal);
		arcfour_crypt(&rc4, 8, mac, mac);
	}
	wire_setle32(sig, 1);
	memcpy(sig + 4, mac, 8);
	memcpy(sig + 12, seq, sizeof(seq));
	explicit_bzero(&rc4, sizeof(rc4));
	explicit_bzero(mac, sizeof(mac));
}

int ntlmssp_server_check_mic(struct ntlmssp_server *s, const uint8_t *data,
			     size_t len, const uint8_t *sig, size_t sig_len)
{
	uint8_t expect[SIG_LEN] = {};
	int rc = 0;

	if (s->state != NTLMSSP_DONE || !s->have_key || s->v1_no_sig ||
	    sig_len != SIG_LEN) {
		return WIRE_E_AUTH;
	}
	make_sig(s, s->sign_c2s, s->seal_c2s, data, len, expect);
	if (!memeql_sec(expect, sig, SIG_LEN)) {
		rc = WIRE_E_AUTH;
	}
	return rc;
}

void ntlmssp_server_make_mic(struct ntlmssp_server *s, const uint8_t *data,
			     size_t len, uint8_t sig[16])
{
	if (s->state != NTLMSSP_DONE || !s->have_key || s->v1_no_sig) {
		memset(sig, 0, SIG_LEN);
		return;
	}
	make_sig(s, s->sign_s2c, s->seal_s2c, data, len, sig);
}
