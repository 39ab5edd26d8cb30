/*
 * test_ntlmssp.c - NTLMSSP server side and the UTF-16 helpers it uses.
 *
 * A small NTLMSSP client lives here (tcli_*) to drive the server end to
 * end. Its crypto is checked against the MS-NLMP §4.2.4 test vectors
 * first, so a shared misunderstanding cannot hide in both sides.
 */
#include "tests/wgtest.h"
#include "proto/ntlmssp.h"
#include "proto/utf16.h"

#include <nettle/arcfour.h>
#include <nettle/hmac.h>
#include <nettle/md5.h>

/* MS-NLMP §4.2.1 common values */
static const uint8_t srv_challenge[8] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
};
static const uint8_t cli_challenge[8] = {
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
};
static const uint8_t random_key[16] = {
	0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
	0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
};

/* MS-NLMP §4.2.4.1.3: the AV pairs of the spec's CHALLENGE. */
static const char spec_av_hex[] =
	"02000c00 44006f006d00610069006e00"
	"01000c00 53006500720076006500720000000000";

#define NOW_NT 0x01d0a1b2c3d4e5f6ull

#define CLIENT_FLAGS (NTLMSSP_NEGOTIATE_UNICODE | \
		      NTLMSSP_REQUEST_TARGET | \
		      NTLMSSP_NEGOTIATE_SIGN | \
		      NTLMSSP_NEGOTIATE_SEAL | \
		      NTLMSSP_NEGOTIATE_NTLM | \
		      NTLMSSP_NEGOTIATE_ALWAYS_SIGN | \
		      NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | \
		      NTLMSSP_NEGOTIATE_VERSION | \
		      NTLMSSP_NEGOTIATE_128 | \
		      NTLMSSP_NEGOTIATE_KEY_EXCH | \
		      NTLMSSP_NEGOTIATE_56)

/* ---- the user database the server sees ---- */

struct tusers {
	const char *user;
	uint8_t hash[16];
	int calls;
};

static int tlookup(void *priv, const char *user, const char *domain,
		   uint8_t nt_hash[16])
{
	struct tusers *u = priv;

	u->calls++;
	if (utf8_casecmp(user, u->user) != 0) {
		return -1;
	}
	memcpy(nt_hash, u->hash, 16);
	return 0;
}

static const struct ntlmssp_server_info tinfo = {
	.netbios_domain = "WORKGROUP",
	.netbios_computer = "WGSMB",
	.dns_domain = "example.org",
	.dns_computer = "wgsmb.example.org",
};

/* ---- the test client ---- */

struct tcli {
	const char *user;
	const char *domain;
	const char *workstation;
	const char *password;
	const char *key_domain;		/* NTOWFv2 domain; NULL: domain */
	uint32_t flags;			/* NEGOTIATE flags */
	bool mic;			/* claim and send a MIC */
	bool v1;			/* 24-byte NT response */
	bool anonymous;			/* no responses at all */
	bool lm_empty;			/* anonymous: LM empty, not Z(1) */
	const uint8_t *blob_av;		/* blob AV pairs; NULL: from CHAL */
	size_t blob_av_len;
	/* filled in */
	uint8_t *neg;
	size_t neg_len;
	uint32_t chal_flags;
	uint8_t exported[16];
	uint8_t enc_key[16];
	uint8_t proof[16];
	size_t nt_off;			/* where NtChallengeResponse went */
};

static void tcli_init(struct tcli *c)
{
	*c = (struct tcli) {
		.user = "User",
		.domain = "Domain",
		.workstation = "COMPUTER",
		.password = "Password",
		.flags = CLIENT_FLAGS,
		.mic = true,
	};
}

static void tcli_negotiate(void *mem, struct tcli *c)
{
	struct wire_wr w;

	wire_wr_init(&w, mem, 0);
	wire_put_bytes(&w, "NTLMSSP\0", 8);
	wire_put_u32le(&w, 1);
	wire_put_u32le(&w, c->flags);
	wire_put_zero(&w, 16);		/* no domain, no workstation */
	wire_put_u8(&w, 10);
	wire_put_u8(&w, 0);
	wire_put_u16le(&w, 19041);
	wire_put_zero(&w, 3);
	wire_put_u8(&w, 15);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	c->neg = w.buf;
	c->neg_len = w.len;
}

static void thmac(const uint8_t *key, size_t key_len, const uint8_t *a,
		  size_t a_len, const uint8_t *b, size_t b_len,
		  uint8_t out[16])
{
	struct hmac_md5_ctx ctx;

	hmac_md5_set_key(&ctx, key_len, key);
	hmac_md5_update(&ctx, a_len, a);
	if (b_len > 0) {
		hmac_md5_update(&ctx, b_len, b);
	}
	hmac_md5_digest(&ctx, 16, out);
}

/* Append a field's payload and patch its len/maxlen/offset at fld. */
static void tput_field(struct wire_wr *w, size_t fld, const void *p,
		       size_t n)
{
	wire_patch_u16le(w, fld, (uint16_t)n);
	wire_patch_u16le(w, fld + 2, (uint16_t)n);
	wire_patch_u32le(w, fld + 4, (uint32_t)w->len);
	wire_put_bytes(w, p, n);
}

static void tput_field_utf16(struct wire_wr *w, size_t fld, const char *s)
{
	size_t n = utf16_len_of_utf8(s);

	wire_patch_u16le(w, fld, (uint16_t)n);
	wire_patch_u16le(w, fld + 2, (uint16_t)n);
	wire_patch_u32le(w, fld + 4, (uint32_t)w->len);
	wire_put_utf16(w, s);
}

/* The NTLMv2 blob: header, time, client challenge, AV pairs, padding. */
static void tcli_blob(struct wire_wr *b, const struct tcli *c,
		      const uint8_t *chal, size_t chal_len)
{
	struct wire_rd r;
	struct wire_rd ti;
	uint16_t ti_len = wire_le16(chal + 40);
	uint32_t ti_off = wire_le32(chal + 44);

	wire_put_u8(b, 1);
	wire_put_u8(b, 1);
	wire_put_zero(b, 6);
	wire_put_u64le(b, c->blob_av != NULL ? 0 : NOW_NT);
	wire_put_bytes(b, cli_challenge, 8);
	wire_put_zero(b, 4);
	if (c->blob_av != NULL) {
		wire_put_bytes(b, c->blob_av, c->blob_av_len);
		wire_put_zero(b, 4);
		return;
	}
	wire_rd_init(&r, chal, chal_len);
	ck_assert_int_eq(wire_sub(&r, ti_off, ti_len, &ti), 0);
	for (;;) {
		uint16_t id = 0;
		uint16_t len = 0;
		const uint8_t *v = NULL;

		ck_assert_int_eq(wire_get_u16le(&ti, &id), 0);
		ck_assert_int_eq(wire_get_u16le(&ti, &len), 0);
		if (id == 0) {
			break;
		}
		ck_assert_int_eq(wire_get_ptr(&ti, &v, len), 0);
		wire_put_u16le(b, id);
		wire_put_u16le(b, len);
		wire_put_bytes(b, v, len);
	}
	if (c->mic) {
		wire_put_u16le(b, 6);	/* MsvAvFlags: MIC present */
		wire_put_u16le(b, 4);
		wire_put_u32le(b, 2);
	}
	wire_put_zero(b, 4);		/* MsvAvEOL */
	wire_put_zero(b, 4);
}

/* Build the AUTHENTICATE for the server's CHALLENGE; NTLMv2, MIC. */
static uint8_t *tcli_authenticate(void *mem, struct tcli *c,
				  const uint8_t *chal, size_t chal_len,
				  size_t *out_len)
{
	static const uint8_t lm_zero[24] = {};
	struct wire_wr blob;
	struct wire_wr w;
	uint8_t nt_hash[16] = {};
	uint8_t key_nt[16] = {};
	uint8_t base_key[16] = {};
	uint8_t *nt = NULL;
	size_t nt_len = 0;
	uint8_t mic[16] = {};
	struct arcfour_ctx rc4;
	struct hmac_md5_ctx h;

	ck_assert_uint_ge(chal_len, 56);
	ck_assert_mem_eq(chal, "NTLMSSP\0\2\0\0\0", 12);
	c->chal_flags = wire_le32(chal + 20);

	wire_wr_init(&blob, mem, 0);
	if (c->v1) {
		wire_put_zero(&blob, 24);
		nt = blob.buf;
		nt_len = blob.len;
	} else if (!c->anonymous) {
		wire_put_zero(&blob, 16);	/* NTProofStr, below */
		tcli_blob(&blob, c, chal, chal_len);
		ck_assert_int_eq(wire_wr_error(&blob), 0);
		nt = blob.buf;
		nt_len = blob.len;
		ck_assert_int_eq(ntlm_nt_hash(c->password, nt_hash), 0);
		ck_assert_int_eq(ntlm_ntowf_v2(nt_hash, c->user,
					       c->key_domain != NULL ?
					       c->key_domain : c->domain,
					       key_nt), 0);
		thmac(key_nt, 16, chal + 24, 8, nt + 16, nt_len - 16,
		      c->proof);
		memcpy(nt, c->proof, 16);
		thmac(key_nt, 16, c->proof, 16, NULL, 0, base_key);
		memcpy(c->exported, base_key, 16);
		if ((c->chal_flags & NTLMSSP_NEGOTIATE_KEY_EXCH) != 0) {
			memcpy(c->exported, random_key, 16);
			arcfour_set_key(&rc4, 16, base_key);
			arcfour_crypt(&rc4, 16, c->enc_key, random_key);
		}
	}

	wire_wr_init(&w, mem, 0);
	wire_put_bytes(&w, "NTLMSSP\0", 8);
	wire_put_u32le(&w, 3);
	wire_put_zero(&w, 6 * 8);	/* fields, patched below */
	wire_put_u32le(&w, c->chal_flags);
	wire_put_u8(&w, 10);
	wire_put_u8(&w, 0);
	wire_put_u16le(&w, 19041);
	wire_put_zero(&w, 3);
	wire_put_u8(&w, 15);
	wire_put_zero(&w, 16);		/* MIC */
	tput_field_utf16(&w, 28, c->domain);
	tput_field_utf16(&w, 36, c->user);
	tput_field_utf16(&w, 44, c->workstation);
	if (c->anonymous) {
		tput_field(&w, 12, lm_zero, c->lm_empty ? 0 : 1);
	} else {
		tput_field(&w, 12, lm_zero, sizeof(lm_zero));
	}
	c->nt_off = w.len;
	tput_field(&w, 20, nt, nt_len);
	if ((c->chal_flags & NTLMSSP_NEGOTIATE_KEY_EXCH) != 0 &&
	    !c->anonymous) {
		tput_field(&w, 52, c->enc_key, 16);
	}
	ck_assert_int_eq(wire_wr_error(&w), 0);

	if (c->mic && !c->anonymous && !c->v1) {
		hmac_md5_set_key(&h, 16, c->exported);
		hmac_md5_update(&h, c->neg_len, c->neg);
		hmac_md5_update(&h, chal_len, chal);
		hmac_md5_update(&h, w.len, w.buf);
		hmac_md5_digest(&h, 16, mic);
		memcpy(w.buf + 72, mic, 16);
	}
	talloc_free(blob.buf);
	*out_len = w.len;
	return w.buf;
}

/*
 * The client's view of an NTLM2 signature: HMAC-MD5(sign, seq || data)
 * truncated to 8, RC4 through the caller's sealing handle when KEY_EXCH.
 */
static void tcli_sign(const uint8_t sign[16], struct arcfour_ctx *seal,
		      uint32_t seq, const uint8_t *data, size_t len,
		      uint8_t sig[16])
{
	uint8_t s[4];
	uint8_t mac[16];

	wire_setle32(s, seq);
	thmac(sign, 16, s, 4, data, len, mac);
	if (seal != NULL) {
		arcfour_crypt(seal, 8, mac, mac);
	}
	wire_setle32(sig, 1);
	memcpy(sig + 4, mac, 8);
	memcpy(sig + 12, s, 4);
}

static void tkey(const uint8_t *key, size_t key_len, const char *magic,
		 uint8_t out[16])
{
	struct md5_ctx ctx;

	md5_init(&ctx);
	md5_update(&ctx, key_len, key);
	md5_update(&ctx, strlen(magic) + 1, (const uint8_t *)magic);
	md5_digest(&ctx, 16, out);
}

/* ---- a whole exchange ---- */

struct texchange {
	struct ntlmssp_server *srv;
	struct tusers users;
	uint8_t *chal;
	size_t chal_len;
	uint8_t *auth;
	size_t auth_len;
	struct ntlmssp_result res;
};

/* NEGOTIATE and CHALLENGE; the AUTHENTICATE is built but not sent. */
static void tx_start(void *mem, struct texchange *x, struct tcli *c)
{
	struct wire_wr out;

	x->users.user = "user";
	ck_assert_int_eq(ntlm_nt_hash("Password", x->users.hash), 0);
	x->srv = ntlmssp_server_new(mem, &tinfo, tlookup, &x->users);
	ck_assert_ptr_nonnull(x->srv);
	tcli_negotiate(mem, c);
	wire_wr_init(&out, mem, 0);
	ck_assert_int_eq(ntlmssp_server_challenge(x->srv, c->neg, c->neg_len,
						  srv_challenge, NOW_NT,
						  &out), 0);
	x->chal = out.buf;
	x->chal_len = out.len;
	x->auth = tcli_authenticate(mem, c, x->chal, x->chal_len,
				    &x->auth_len);
}

static int tx_finish(struct texchange *x)
{
	return ntlmssp_server_authenticate(x->srv, x->auth, x->auth_len,
					   &x->res);
}

/* ---- MS-NLMP test vectors ---- */

START_TEST(test_nt_hash)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	uint8_t h[16];
	size_t len = 0;
	uint8_t *want = wgt_hex(mem, "a4f49c406510bdcab6824ee7c30fd852",
				&len);

	/* MS-NLMP §4.2.2.1.2 NTOWFv1("Password") */
	ck_assert_int_eq(ntlm_nt_hash("Password", h), 0);
	ck_assert_mem_eq(h, want, 16);
	want = wgt_hex(mem, "31d6cfe0d16ae931b73c59d7e0c089c0", &len);
	ck_assert_int_eq(ntlm_nt_hash("", h), 0);
	ck_assert_mem_eq(h, want, 16);
	ck_assert_int_eq(ntlm_nt_hash("\xc0\x80", h), WIRE_E_INVALID);
	talloc_free(mem);
}
END_TEST

START_TEST(test_ntowfv2_vector)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	uint8_t h[16];
	uint8_t k[16];
	size_t len = 0;
	uint8_t *want = wgt_hex(mem, "0c868a403bfd7a93a3001ef22ef02e3f",
				&len);

	ck_assert_int_eq(ntlm_nt_hash("Password", h), 0);
	ck_assert_int_eq(ntlm_ntowf_v2(h, "User", "Domain", k), 0);
	ck_assert_mem_eq(k, want, 16);
	/* user is upper-cased, the domain is not */
	ck_assert_int_eq(ntlm_ntowf_v2(h, "uSeR", "Domain", k), 0);
	ck_assert_mem_eq(k, want, 16);
	ck_assert_int_eq(ntlm_ntowf_v2(h, "User", "DOMAIN", k), 0);
	ck_assert_mem_ne(k, want, 16);
	ck_assert_int_eq(ntlm_ntowf_v2(h, "\xff", "Domain", k),
			 WIRE_E_INVALID);
	talloc_free(mem);
}
END_TEST

/*
 * MS-NLMP §4.2.4 end to end: the spec's blob, challenge and random
 * session key through the server; the server must recover 0x55 * 16.
 */
START_TEST(test_msnlmp_424)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct texchange x = {};
	struct tcli c;
	uint8_t base_key[16];
	uint8_t key_nt[16];
	uint8_t h[16];
	size_t len = 0;
	uint8_t *av = wgt_hex(mem, spec_av_hex, &len);
	uint8_t *want = NULL;

	tcli_init(&c);
	c.mic = false;
	c.blob_av = av;
	c.blob_av_len = len;
	tx_start(mem, &x, &c);

	want = wgt_hex(mem, "68cd0ab851e51c96aabc927bebef6a1c", &len);
	ck_assert_mem_eq(c.proof, want, 16);
	ck_assert_mem_eq(x.auth + c.nt_off, want, 16);
	want = wgt_hex(mem, "c5dad2544fc9799094ce1ce90bc9d03e", &len);
	ck_assert_mem_eq(c.enc_key, want, 16);

	ck_assert_int_eq(ntlm_nt_hash("Password", h), 0);
	ck_assert_int_eq(ntlm_ntowf_v2(h, "User", "Domain", key_nt), 0);
	thmac(key_nt, 16, c.proof, 16, NULL, 0, base_key);
	want = wgt_hex(mem, "8de40ccadbc14a82f15cb0ad0de95ca3", &len);
	ck_assert_mem_eq(base_key, want, 16);

	ck_assert_int_eq(tx_finish(&x), 0);
	ck_assert(!x.res.anonymous);
	ck_assert(x.res.have_session_key);
	ck_assert_mem_eq(x.res.session_key, random_key, 16);
	ck_assert_str_eq(x.res.user, "User");
	ck_assert_str_eq(x.res.domain, "Domain");
	ck_assert_str_eq(x.res.workstation, "COMPUTER");
	ck_assert_int_eq(x.users.calls, 1);
	talloc_free(mem);
}
END_TEST

/* MS-NLMP §4.2.4.4: "Plaintext" sealed and signed, seq 0, KEY_EXCH. */
START_TEST(test_sign_vector)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct arcfour_ctx seal;
	uint8_t sign_key[16];
	uint8_t seal_key[16];
	uint8_t *pt = NULL;
	size_t pt_len = 0;
	uint8_t ct[18];
	uint8_t sig[16];
	size_t len = 0;
	uint8_t *want = NULL;

	tkey(random_key, 16,
	     "session key to client-to-server signing key magic constant",
	     sign_key);
	tkey(random_key, 16,
	     "session key to client-to-server sealing key magic constant",
	     seal_key);
	ck_assert_int_eq(utf8_to_utf16le(mem, "Plaintext", &pt, &pt_len), 0);
	ck_assert_uint_eq(pt_len, 18);
	arcfour_set_key(&seal, 16, seal_key);
	arcfour_crypt(&seal, 18, ct, pt);
	want = wgt_hex(mem, "54e50165bf1936dc996020c1811b0f06fb5f", &len);
	ck_assert_mem_eq(ct, want, 18);
	tcli_sign(sign_key, &seal, 0, pt, pt_len, sig);
	want = wgt_hex(mem, "010000007fb38ec5c55d497600000000", &len);
	ck_assert_mem_eq(sig, want, 16);
	talloc_free(mem);
}
END_TEST

/* ---- the CHALLENGE message ---- */

static void check_av_str(struct wire_rd *ti, uint16_t want_id,
			 const char *want)
{
	char *s = NULL;
	uint16_t id = 0;
	uint16_t len = 0;
	const uint8_t *v = NULL;

	ck_assert_int_eq(wire_get_u16le(ti, &id), 0);
	ck_assert_int_eq(wire_get_u16le(ti, &len), 0);
	ck_assert_uint_eq(id, want_id);
	ck_assert_int_eq(wire_get_ptr(ti, &v, len), 0);
	ck_assert_int_eq(utf16le_to_utf8(wgt_root, v, len, &s), 0);
	ck_assert_str_eq(s, want);
	talloc_free(s);
}

START_TEST(test_challenge_message)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct texchange x = {};
	struct tcli c;
	struct wire_rd r;
	struct wire_rd sub;
	uint32_t flags = 0;
	uint64_t ts = 0;
	uint16_t id = 0;
	uint16_t len = 0;
	char *name = NULL;

	tcli_init(&c);
	tx_start(mem, &x, &c);
	ck_assert_mem_eq(x.chal, "NTLMSSP\0\2\0\0\0", 12);
	flags = wire_le32(x.chal + 20);
	ck_assert_uint_eq(flags & NTLMSSP_NEGOTIATE_UNICODE,
			  NTLMSSP_NEGOTIATE_UNICODE);
	ck_assert(flags & NTLMSSP_NEGOTIATE_NTLM);
	ck_assert(flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY);
	ck_assert(flags & NTLMSSP_NEGOTIATE_TARGET_INFO);
	ck_assert(flags & NTLMSSP_TARGET_TYPE_SERVER);
	ck_assert(flags & NTLMSSP_REQUEST_TARGET);
	ck_assert(flags & NTLMSSP_NEGOTIATE_128);
	ck_assert(flags & NTLMSSP_NEGOTIATE_56);
	ck_assert(flags & NTLMSSP_NEGOTIATE_VERSION);
	ck_assert(flags & NTLMSSP_NEGOTIATE_KEY_EXCH);
	ck_assert(flags & NTLMSSP_NEGOTIATE_SIGN);
	ck_assert(flags & NTLMSSP_NEGOTIATE_SEAL);
	ck_assert(flags & NTLMSSP_NEGOTIATE_ALWAYS_SIGN);
	ck_assert(!(flags & NTLMSSP_NEGOTIATE_LM_KEY));
	ck_assert(!(flags & NTLMSSP_TARGET_TYPE_DOMAIN));
	ck_assert_mem_eq(x.chal + 24, srv_challenge, 8);
	ck_assert_uint_eq(x.chal[55], 15);	/* NTLMSSP_REVISION_W2K3 */

	wire_rd_init(&r, x.chal, x.chal_len);
	ck_assert_int_eq(wire_sub(&r, wire_le32(x.chal + 16),
				  wire_le16(x.chal + 12), &sub), 0);
	ck_assert_int_eq(utf16le_to_utf8(mem, sub.base, sub.len, &name), 0);
	ck_assert_str_eq(name, "WORKGROUP");

	ck_assert_int_eq(wire_sub(&r, wire_le32(x.chal + 44),
				  wire_le16(x.chal + 40), &sub), 0);
	check_av_str(&sub, 2, "WORKGROUP");
	check_av_str(&sub, 1, "WGSMB");
	check_av_str(&sub, 4, "example.org");
	check_av_str(&sub, 3, "wgsmb.example.org");
	ck_assert_int_eq(wire_get_u16le(&sub, &id), 0);
	ck_assert_int_eq(wire_get_u16le(&sub, &len), 0);
	ck_assert_uint_eq(id, 7);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(wire_get_u64le(&sub, &ts), 0);
	ck_assert_uint_eq(ts, NOW_NT);
	ck_assert_int_eq(wire_get_u16le(&sub, &id), 0);
	ck_assert_int_eq(wire_get_u16le(&sub, &len), 0);
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(wire_left(&sub), 0);
	ck_assert_uint_eq(wire_le32(x.chal + 44) + wire_le16(x.chal + 40),
			  x.chal_len);
	talloc_free(mem);
}
END_TEST

START_TEST(test_challenge_no_key_exch)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct texchange x = {};
	struct tcli c;
	uint32_t flags = 0;

	tcli_init(&c);
	c.flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_NTLM;
	tx_start(mem, &x, &c);
	flags = wire_le32(x.chal + 20);
	ck_assert(!(flags & NTLMSSP_NEGOTIATE_KEY_EXCH));
	ck_assert(!(flags & NTLMSSP_NEGOTIATE_SIGN));
	ck_assert(!(flags & NTLMSSP_NEGOTIATE_SEAL));
	/* extended session security even though the client did not ask */
	ck_assert(flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY);
	talloc_free(mem);
}
END_TEST

START_TEST(test_state_errors)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct texchange x = {};
	struct tcli c;
	struct ntlmssp_server *s = NULL;
	struct ntlmssp_result res;
	struct wire_wr out;
	uint8_t bad[40] = "NTLMSSP";

	tcli_init(&c);
	tx_start(mem, &x, &c);
	wire_wr_init(&out, mem, 0);
	/* a second NEGOTIATE */
	ck_assert_int_eq(ntlmssp_server_challenge(x.srv, c.neg, c.neg_len,
						  srv_challenge, NOW_NT,
						  &out), WIRE_E_INVALID);
	ck_assert_int_eq(tx_finish(&x), 0);
	/* a second AUTHENTICATE */
	ck_assert_int_eq(tx_finish(&x), WIRE_E_INVALID);

	s = ntlmssp_server_new(mem, &tinfo, tlookup, &x.users);
	ck_assert_int_eq(ntlmssp_server_authenticate(s, x.auth, x.auth_len,
						     &res), WIRE_E_INVALID);
	ck_assert_int_eq(ntlmssp_server_challenge(s, c.neg, 15, srv_challenge,
						  NOW_NT, &out),
			 WIRE_E_SHORT);
	ck_assert_int_eq(ntlmssp_server_challenge(s, NULL, 0, srv_challenge,
						  NOW_NT, &out),
			 WIRE_E_SHORT);
	bad[8] = 3;	/* an AUTHENTICATE where NEGOTIATE belongs */
	ck_assert_int_eq(ntlmssp_server_challenge(s, bad, sizeof(bad),
						  srv_challenge, NOW_NT,
						  &out), WIRE_E_INVALID);
	bad[8] = 1;
	bad[0] = 'X';
	ck_assert_int_eq(ntlmssp_server_challenge(s, bad, sizeof(bad),
						  srv_challenge, NOW_NT,
						  &out), WIRE_E_INVALID);
	ck_assert_uint_eq(out.len, 0);
	/* a failed NEGOTIATE leaves the server usable */
	ck_assert_int_eq(ntlmssp_server_challenge(s, c.neg, c.neg_len,
						  srv_challenge, NOW_NT,
						  &out), 0);
	talloc_free(mem);
}
END_TEST

/* ---- AUTHENTICATE ---- */

START_TEST(test_e2e_mic_key_exch)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	static const uint8_t mech_types[] = {
		0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01,
		0x82, 0x37, 0x02, 0x02, 0x0a,
	};
	struct texchange x = {};
	struct tcli c;
	struct arcfour_ctx seal;
	uint8_t sign_key[16];
	uint8_t seal_key[16];
	uint8_t sig[16];
	uint8_t srv_sig[16];

	tcli_init(&c);
	c.user = "uSER";	/* case-insensitive user, as Windows */
	tx_start(mem, &x, &c);
	ck_assert_int_eq(tx_finish(&x), 0);
	ck_assert(!x.res.anonymous);
	ck_assert(x.res.have_session_key);
	ck_assert_mem_eq(x.res.session_key, random_key, 16);
	ck_assert_str_eq(x.res.user, "uSER");
	ck_assert_str_eq(x.res.domain, "Domain");
	ck_assert_str_eq(x.res.workstation, "COMPUTER");

	/* mechListMIC, client to server */
	tkey(c.exported, 16,
	     "session key to client-to-server signing key magic constant",
	     sign_key);
	tkey(c.exported, 16,
	     "session key to client-to-server sealing key magic constant",
	     seal_key);
	arcfour_set_key(&seal, 16, seal_key);
	tcli_sign(sign_key, &seal, 0, mech_types, sizeof(mech_types), sig);
	ck_assert_int_eq(ntlmssp_server_check_mic(x.srv, mech_types,
						  sizeof(mech_types), sig,
						  16), 0);
	ck_assert_int_eq(ntlmssp_server_check_mic(x.srv, mech_types,
						  sizeof(mech_types), sig,
						  15), WIRE_E_AUTH);
	sig[5] ^= 1;
	ck_assert_int_eq(ntlmssp_server_check_mic(x.srv, mech_types,
						  sizeof(mech_types), sig,
						  16), WIRE_E_AUTH);
	sig[5] ^= 1;
	ck_assert_int_eq(ntlmssp_server_check_mic(x.srv, mech_types,
						  sizeof(mech_types) - 1, sig,
						  16), WIRE_E_AUTH);

	/* mechListMIC, server to client */
	tkey(c.exported, 16,
	     "session key to server-to-client signing key magic constant",
	     sign_key);
	tkey(c.exported, 16,
	     "session key to server-to-client sealing key magic constant",
	     seal_key);
	arcfour_set_key(&seal, 16, seal_key);
	tcli_sign(sign_key, &seal, 0, mech_types, sizeof(mech_types), sig);
	ntlmssp_server_make_mic(x.srv, mech_types, sizeof(mech_types),
				srv_sig);
	ck_assert_mem_eq(srv_sig, sig, 16);
	talloc_free(mem);
}
END_TEST

START_TEST(test_e2e_no_key_exch)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	static const uint8_t data[] = "mechTypes";
	struct texchange x = {};
	struct tcli c;
	uint8_t sign_key[16];
	uint8_t sig[16];

	tcli_init(&c);
	c.flags &= ~NTLMSSP_NEGOTIATE_KEY_EXCH;
	tx_start(mem, &x, &c);
	ck_assert_int_eq(tx_finish(&x), 0);
	ck_assert(x.res.have_session_key);
	/* no key exchange: the key is SessionBaseKey */
	ck_assert_mem_eq(x.res.session_key, c.exported, 16);
	ck_assert_mem_ne(x.res.session_key, random_key, 16);
	tkey(c.exported, 16,
	     "session key to client-to-server signing key magic constant",
	     sign_key);
	tcli_sign(sign_key, NULL, 0, data, sizeof(data), sig);
	ck_assert_int_eq(ntlmssp_server_check_mic(x.srv, data, sizeof(data),
						  sig, 16), 0);
	talloc_free(mem);
}
END_TEST

START_TEST(test_wrong_password)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct texchange x = {};
	struct tcli c;
	uint8_t sig[16] = {};

	tcli_init(&c);
	c.password = "password";
	tx_start(mem, &x, &c);
	ck_assert_int_eq(tx_finish(&x), WIRE_E_AUTH);
	ck_assert(!x.res.have_session_key);
	ck_assert(!x.res.anonymous);
	ck_assert_str_eq(x.res.user, "User");	/* kept for the logs */
	ck_assert_int_eq(ntlmssp_server_check_mic(x.srv, sig, 1, sig, 16),
			 WIRE_E_AUTH);
	ntlmssp_server_make_mic(x.srv, sig, 1, sig);
	ck_assert_mem_eq(sig, (uint8_t[16]) {}, 16);
	talloc_free(mem);
}
END_TEST

START_TEST(test_unknown_user)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct texchange x = {};
	struct tcli c;

	tcli_init(&c);
	c.user = "nobody";
	tx_start(mem, &x, &c);
	ck_assert_int_eq(tx_finish(&x), WIRE_E_AUTH);
	ck_assert_int_eq(x.users.calls, 1);
	talloc_free(mem);
}
END_TEST

START_TEST(test_ntlmv1_refused)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct texchange x = {};
	struct tcli c;

	tcli_init(&c);
	c.v1 = true;
	c.mic = false;
	tx_start(mem, &x, &c);
	ck_assert_int_eq(tx_finish(&x), WIRE_E_AUTH);
	ck_assert(!x.res.have_session_key);
	/* refused by policy (the default), before any user lookup */
	ck_assert(x.res.ntlmv1);
	ck_assert(x.res.ntlmv1_refused);
	ck_assert_int_eq(x.users.calls, 0);
	talloc_free(mem);
}
END_TEST

START_TEST(test_domain_retry)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct texchange x = {};
	struct tcli c;

	/* The client keyed NTOWFv2 with an empty domain but sent one. */
	tcli_init(&c);
	c.key_domain = "";
	tx_start(mem, &x, &c);
	ck_assert_int_eq(tx_finish(&x), 0);
	ck_assert(x.res.have_session_key);
	ck_assert_str_eq(x.res.domain, "Domain");
	talloc_free(mem);
}
END_TEST

START_TEST(test_anonymous)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);

	/* LM one zero byte (impacket), then LM empty (Samba) */
	for (int i = 0; i < 2; i++) {
		struct texchange x = {};
		struct tcli c;
		uint8_t sig[16] = { 1 };

		tcli_init(&c);
		c.anonymous = true;
		c.lm_empty = i == 1;
		c.user = "";
		c.domain = "";
		c.workstation = "";
		tx_start(mem, &x, &c);
		ck_assert_int_eq(tx_finish(&x), 0);
		ck_assert(x.res.anonymous);
		ck_assert(!x.res.have_session_key);
		ck_assert_str_eq(x.res.user, "");
		ck_assert_int_eq(x.users.calls, 0);
		ck_assert_int_eq(ntlmssp_server_check_mic(x.srv, sig, 1, sig,
							  16), WIRE_E_AUTH);
		ntlmssp_server_make_mic(x.srv, sig, 1, sig);
		ck_assert_mem_eq(sig, (uint8_t[16]) {}, 16);
	}
	talloc_free(mem);
}
END_TEST

START_TEST(test_user_with_empty_response)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct texchange x = {};
	struct tcli c;

	/* smbclient -N sends $USER with no responses: not anonymous */
	tcli_init(&c);
	c.anonymous = true;
	tx_start(mem, &x, &c);
	ck_assert_int_eq(tx_finish(&x), WIRE_E_AUTH);
	ck_assert(!x.res.anonymous);
	talloc_free(mem);
}
END_TEST

START_TEST(test_bad_mic)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct texchange x = {};
	struct tcli c;

	tcli_init(&c);
	tx_start(mem, &x, &c);
	x.auth[72] ^= 0x80;
	ck_assert_int_eq(tx_finish(&x), WIRE_E_AUTH);
	ck_assert(!x.res.have_session_key);

	/* "Drop the MIC": the blob still says a MIC is there. */
	tcli_init(&c);
	tx_start(mem, &x, &c);
	memset(x.auth + 72, 0, 16);
	ck_assert_int_eq(tx_finish(&x), WIRE_E_AUTH);

	/* The MIC covers the NEGOTIATE the server saw. */
	tcli_init(&c);
	tx_start(mem, &x, &c);
	c.neg[30] ^= 1;		/* the client's copy, after the fact */
	x.auth = tcli_authenticate(mem, &c, x.chal, x.chal_len, &x.auth_len);
	ck_assert_int_eq(tx_finish(&x), WIRE_E_AUTH);
	talloc_free(mem);
}
END_TEST

START_TEST(test_tampered_fields)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct texchange x = {};
	struct tcli c;

	/* NtChallengeResponse offset past the end */
	tcli_init(&c);
	tx_start(mem, &x, &c);
	wire_setle32(x.auth + 24, 0xfffffff0u);
	ck_assert_int_eq(tx_finish(&x), WIRE_E_BOUNDS);

	/* a bit flipped inside the blob breaks NTProofStr */
	tcli_init(&c);
	tx_start(mem, &x, &c);
	x.auth[c.nt_off + 20] ^= 1;
	ck_assert_int_eq(tx_finish(&x), WIRE_E_AUTH);

	/* user name with an odd byte count */
	tcli_init(&c);
	tx_start(mem, &x, &c);
	wire_setle16(x.auth + 36, wire_le16(x.auth + 36) - 1);
	ck_assert_int_eq(tx_finish(&x), WIRE_E_INVALID);

	/* KEY_EXCH without a 16-byte EncryptedRandomSessionKey */
	tcli_init(&c);
	tx_start(mem, &x, &c);
	wire_setle16(x.auth + 52, 8);
	ck_assert_int_eq(tx_finish(&x), WIRE_E_INVALID);
	ck_assert(!x.res.have_session_key);

	/* not an AUTHENTICATE */
	tcli_init(&c);
	tx_start(mem, &x, &c);
	x.auth[8] = 2;
	ck_assert_int_eq(tx_finish(&x), WIRE_E_INVALID);
	talloc_free(mem);
}
END_TEST

START_TEST(test_truncated_authenticate)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct texchange x = {};
	struct tcli c;

	tcli_init(&c);
	tx_start(mem, &x, &c);
	for (size_t n = 0; n < x.auth_len; n++) {
		TALLOC_CTX *iter = talloc_new(mem);
		struct ntlmssp_server *s = NULL;
		struct ntlmssp_result res;
		struct wire_wr out;
		/* exact-size copy, so ASan sees any over-read */
		uint8_t *cut = talloc_memdup(iter, x.auth, n == 0 ? 1 : n);
		int rc = 0;

		s = ntlmssp_server_new(iter, &tinfo, tlookup, &x.users);
		wire_wr_init(&out, iter, 0);
		ck_assert_int_eq(ntlmssp_server_challenge(s, c.neg, c.neg_len,
							  srv_challenge,
							  NOW_NT, &out), 0);
		ck_assert_mem_eq(out.buf, x.chal, x.chal_len);
		rc = ntlmssp_server_authenticate(s, n == 0 ? NULL : cut, n,
						 &res);
		ck_assert_msg(rc < 0, "%zu of %zu bytes authenticated", n,
			      x.auth_len);
		ck_assert(!res.have_session_key);
		talloc_free(iter);
	}
	ck_assert_int_eq(tx_finish(&x), 0);
	talloc_free(mem);
}
END_TEST

/* ---- UTF-16 ---- */

START_TEST(test_utf16_roundtrip)
{
	static const char *const samples[] = {
		"", "User", "Gr\303\274\303\237e", "\xe6\x97\xa5\xe6\x9c\xac",
		"\xf0\x9f\x98\x80 smile", "\xef\xbf\xbd",
	};
	TALLOC_CTX *mem = talloc_new(wgt_root);

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		uint8_t *u16 = NULL;
		size_t n = 0;
		char *back = NULL;
		struct wire_wr w;

		ck_assert_int_eq(utf8_to_utf16le(mem, samples[i], &u16, &n),
				 0);
		ck_assert_ptr_nonnull(u16);
		ck_assert_uint_eq(n, utf16_len_of_utf8(samples[i]));
		ck_assert_int_eq(utf16le_to_utf8(mem, u16, n, &back), 0);
		ck_assert_str_eq(back, samples[i]);
		wire_wr_init(&w, mem, 0);
		wire_put_utf16(&w, samples[i]);
		ck_assert_int_eq(wire_wr_error(&w), 0);
		ck_assert_uint_eq(w.len, n);
		if (n > 0) {
			ck_assert_mem_eq(w.buf, u16, n);
		}
	}
	ck_assert_uint_eq(utf16_len_of_utf8("\xf0\x9f\x98\x80"), 4);
	ck_assert_uint_eq(utf16_len_of_utf8("\xe6\x97\xa5"), 2);
	talloc_free(mem);
}
END_TEST

START_TEST(test_utf16_invalid)
{
	static const char *const bad_utf8[] = {
		"\xc0\x80",		/* overlong NUL */
		"\xe0\x80\xaf",		/* overlong '/' */
		"\xed\xa0\x80",		/* surrogate */
		"\xf4\x90\x80\x80",	/* above U+10FFFF */
		"\xe2\x82",		/* truncated */
		"a\x80",		/* lone continuation */
		"\xf8\x88\x80\x80\x80",	/* 5-byte form */
		"\xff",
	};
	static const struct {
		const char *hex;
	} bad_utf16[] = {
		{ "41" },		/* odd length */
		{ "00d8" },		/* lone high surrogate at the end */
		{ "00d84100" },		/* high surrogate, no low one */
		{ "00dc" },		/* lone low surrogate */
		{ "41000000" },		/* embedded U+0000 */
	};
	TALLOC_CTX *mem = talloc_new(wgt_root);

	for (size_t i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
		uint8_t *u16 = NULL;
		size_t n = 99;
		struct wire_wr w;

		ck_assert_int_eq(utf8_to_utf16le(mem, bad_utf8[i], &u16, &n),
				 WIRE_E_INVALID);
		ck_assert_ptr_null(u16);
		ck_assert_uint_eq(n, 99);
		ck_assert_uint_eq(utf16_len_of_utf8(bad_utf8[i]), 0);
		ck_assert_ptr_null(utf8_upper(mem, bad_utf8[i]));
		wire_wr_init(&w, mem, 0);
		wire_put_u8(&w, 1);
		wire_put_utf16(&w, bad_utf8[i]);
		ck_assert_int_eq(wire_wr_error(&w), WIRE_E_INVALID);
		ck_assert_uint_eq(w.len, 1);
		talloc_free(w.buf);
	}
	for (size_t i = 0; i < sizeof(bad_utf16) / sizeof(bad_utf16[0]);
	     i++) {
		size_t n = 0;
		uint8_t *p = wgt_hex(mem, bad_utf16[i].hex, &n);
		char *out = NULL;

		if (i == 0) {
			n = 1;
		}
		ck_assert_int_eq(utf16le_to_utf8(mem, p, n, &out),
				 WIRE_E_INVALID);
		ck_assert_ptr_null(out);
	}
	talloc_free(mem);
}
END_TEST

START_TEST(test_utf8_upper)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "user", "USER" },
		{ "stra\xc3\x9f" "e", "STRA\xc3\x9f" "E" },	/* no SS */
		{ "\xc3\xa9mile", "\xc3\x89MILE" },		/* e acute */
		{ "\xc3\xbf", "\xc5\xb8" },			/* y uml */
		{ "\xc2\xb5", "\xce\x9c" },			/* micro */
		{ "\xcf\x89\xd0\xb6", "\xce\xa9\xd0\x96" },	/* omega zhe */
		{ "\xc3\xb7", "\xc3\xb7" },			/* division */
		{ "\xf0\x90\x90\xa8", "\xf0\x90\x90\xa8" },	/* non-BMP */
		{ "", "" },
	};
	TALLOC_CTX *mem = talloc_new(wgt_root);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *up = utf8_upper(mem, cases[i].in);

		ck_assert_ptr_nonnull(up);
		ck_assert_str_eq(up, cases[i].out);
	}
	talloc_free(mem);
}
END_TEST

START_TEST(test_utf8_casecmp)
{
	ck_assert_int_eq(utf8_casecmp("Administrator", "ADMINISTRATOR"), 0);
	ck_assert_int_eq(utf8_casecmp("\xc3\xa9mile", "\xc3\x89MILE"), 0);
	ck_assert_int_eq(utf8_casecmp("\xd0\xb6", "\xd0\x96"), 0);
	ck_assert_int_ne(utf8_casecmp("stra\xc3\x9f" "e", "STRASSE"), 0);
	ck_assert_int_lt(utf8_casecmp("a", "B"), 0);
	ck_assert_int_gt(utf8_casecmp("b", "A"), 0);
	ck_assert_int_gt(utf8_casecmp("ab", "A"), 0);
	ck_assert_int_lt(utf8_casecmp("", "a"), 0);
	ck_assert_int_eq(utf8_casecmp("", ""), 0);
	/* malformed bytes sort after every character, consistently */
	ck_assert_int_gt(utf8_casecmp("\xff", "\xf4\x8f\xbf\xbf"), 0);
	ck_assert_int_lt(utf8_casecmp("\xf4\x8f\xbf\xbf", "\xff"), 0);
	ck_assert_int_eq(utf8_casecmp("a\xff", "A\xff"), 0);
	ck_assert_int_ne(utf8_casecmp("\xc0\x80", ""), 0);
}
END_TEST

static Suite *ntlmssp_suite(void)
{
	Suite *s = suite_create("ntlmssp");
	TCase *vec = tcase_create("vectors");
	TCase *srv = tcase_create("server");
	TCase *u16 = tcase_create("utf16");

	tcase_add_checked_fixture(vec, wgt_setup, wgt_teardown);
	tcase_add_test(vec, test_nt_hash);
	tcase_add_test(vec, test_ntowfv2_vector);
	tcase_add_test(vec, test_msnlmp_424);
	tcase_add_test(vec, test_sign_vector);
	suite_add_tcase(s, vec);

	tcase_add_checked_fixture(srv, wgt_setup, wgt_teardown);
	tcase_add_test(srv, test_challenge_message);
	tcase_add_test(srv, test_challenge_no_key_exch);
	tcase_add_test(srv, test_state_errors);
	tcase_add_test(srv, test_e2e_mic_key_exch);
	tcase_add_test(srv, test_e2e_no_key_exch);
	tcase_add_test(srv, test_wrong_password);
	tcase_add_test(srv, test_unknown_user);
	tcase_add_test(srv, test_ntlmv1_refused);
	tcase_add_test(srv, test_domain_retry);
	tcase_add_test(srv, test_anonymous);
	tcase_add_test(srv, test_user_with_empty_response);
	tcase_add_test(srv, test_bad_mic);
	tcase_add_test(srv, test_tampered_fields);
	tcase_add_test(srv, test_truncated_authenticate);
	suite_add_tcase(s, srv);

	tcase_add_checked_fixture(u16, wgt_setup, wgt_teardown);
	tcase_add_test(u16, test_utf16_roundtrip);
	tcase_add_test(u16, test_utf16_invalid);
	tcase_add_test(u16, test_utf8_upper);
	tcase_add_test(u16, test_utf8_casecmp);
	suite_add_tcase(s, u16);
	return s;
}

WGT_MAIN(ntlmssp_suite)
