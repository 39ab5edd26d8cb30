/*
 * negprot.c - NEGOTIATE [MS-SMB2 §3.3.5.3, §3.3.5.4] and the SMB1
 * NEGOTIATE that upgrades to SMB2.
 */
#include "smbd/smbd.h"
#include "smbd/base/random.h"
#include "smbd/smb2/cmd/cmd.h"
#include "smbd/net/conn.h"
#include "proto/spnego.h"
#include "proto/smb2_transform.h"

#include <string.h>

#define MAX_DIALECTS 64
#define MAX_NEG_CONTEXTS 32

static bool dialect_allowed(const struct smbd_conn *conn, uint16_t d)
{
	const struct wg_config *cfg = conn->srv->cfg;

	switch (d) {
	case SMB2_DIALECT_202:
	case SMB2_DIALECT_210:
	case SMB2_DIALECT_300:
	case SMB2_DIALECT_302:
	case SMB2_DIALECT_311:
		break;
	default:
		return false;
	}
	return d >= cfg->min_protocol && d <= cfg->max_protocol;
}

/* Sizes and capabilities for dialect (2.0.2 has no LARGE_MTU). */
static void set_limits(struct smbd_conn *conn, uint16_t dialect)
{
	if (dialect == SMB2_DIALECT_202) {
		conn->max_trans = SMBD_MAX_TRANSACT_202;
		conn->server_caps = 0;
	} else {
		conn->max_trans = SMBD_MAX_TRANSACT;
		/* leases: v1 from 2.1, v2 from 3.0 (create.c) */
		conn->server_caps = SMB2_GLOBAL_CAP_LARGE_MTU |
				    SMB2_GLOBAL_CAP_LEASING;
		if (dialect >= SMB2_DIALECT_300 &&
		    (conn->client_caps & SMB2_GLOBAL_CAP_DIRECTORY_LEASING)) {
			/* R and RH leases on directories (fs/dirlease.h),
			 * only to a client that says it knows them: some
			 * (impacket 0.10) fail every CREATE when offered
			 * them unasked; a share's `leases = no` refuses
			 * them there */
			conn->server_caps |=
				SMB2_GLOBAL_CAP_DIRECTORY_LEASING;
		}
	}
	conn->max_read = conn->max_trans;
	conn->max_write = conn->max_trans;
	conn->server_security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
	if (conn->srv->cfg->signing_mandatory) {
		conn->server_security_mode |= SMB2_NEGOTIATE_SIGNING_REQUIRED;
	}
}

/* Common part of every NEGOTIATE response body up to the buffers. */
static void put_negotiate_body(struct wire_wr *w, struct smbd_conn *conn,
			       uint16_t dialect, uint16_t ctx_count,
			       size_t *sec_off_pos, size_t *ctx_off_pos)
{
	wire_put_u16le(w, 65);
	wire_put_u16le(w, conn->server_security_mode);
	wire_put_u16le(w, dialect);
	wire_put_u16le(w, ctx_count);
	wire_put_bytes(w, conn->srv->server_guid, 16);
	wire_put_u32le(w, conn->server_caps);
	wire_put_u32le(w, conn->max_trans);
	wire_put_u32le(w, conn->max_read);
	wire_put_u32le(w, conn->max_write);
	wire_put_u64le(w, smbd_nt_now());
	wire_put_u64le(w, 0);	/* ServerStartTime */
	*sec_off_pos = w->len;
	wire_put_u16le(w, 0);	/* SecurityBufferOffset */
	wire_put_u16le(w, 0);	/* SecurityBufferLength */
	*ctx_off_pos = w->len;
	wire_put_u32le(w, 0);	/* NegotiateContextOffset / Reserved2 */
}

/* Append the SPNEGO token and patch its offset/length. */
/*
 * Append the SPNEGO token and patch its offset/length. Offsets count from
 * the SMB2 header: hdr_before is how much of the header precedes w's
 * start (SMB2_HDR_SIZE for a body writer, 0 for a whole-frame writer).
 */
static void put_security_buffer(struct wire_wr *w, size_t sec_off_pos,
				size_t hdr_before)
{
	size_t start = w->len;

	spnego_push_neg_token_init2(w);
	wire_patch_u16le(w, sec_off_pos, (uint16_t)(hdr_before + start));
	wire_patch_u16le(w, sec_off_pos + 2, (uint16_t)(w->len - start));
}

struct neg_ctx_in {
	bool have_preauth;
	bool preauth_sha512;
	bool have_signing;
	uint16_t signing_alg;
	bool have_encryption;
	uint16_t cipher;	/* chosen; 0 = none in common */
};

/* The ciphers we implement [MS-SMB2 §2.2.3.1.2]. */
static bool cipher_known(uint16_t c)
{
	return c == SMB2_CIPHER_AES128_CCM || c == SMB2_CIPHER_AES128_GCM ||
	       c == SMB2_CIPHER_AES256_CCM || c == SMB2_CIPHER_AES256_GCM;
}

/*
 * The client lists its ciphers most preferred first; the first one we
 * implement wins [MS-SMB2 §3.3.5.4]. Clients put AES-128-GCM first, so
 * that is what they get; one that offers only AES-256 gets it.
 */
static void parse_encryption(struct wire_rd *d, struct neg_ctx_in *in)
{
	uint16_t count = 0, c = 0, i = 0;

	if (wire_get_u16le(d, &count) != 0) {
		return;
	}
	in->have_encryption = true;
	in->cipher = SMB2_CIPHER_NONE;
	for (i = 0; i < count; i++) {
		if (wire_get_u16le(d, &c) != 0) {
			break;
		}
		if (cipher_known(c)) {
			in->cipher = c;
			break;
		}
	}
}

static NTSTATUS parse_preauth(struct wire_rd *d, struct neg_ctx_in *in)
{
	uint16_t count = 0, salt_len = 0, alg = 0;
	uint16_t i = 0;

	if (wire_get_u16le(d, &count) != 0 ||
	    wire_get_u16le(d, &salt_len) != 0 || count == 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	in->have_preauth = true;
	for (i = 0; i < count; i++) {
		if (wire_get_u16le(d, &alg) != 0) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (alg == SMB2_PREAUTH_HASH_SHA512) {
			in->preauth_sha512 = true;
		}
	}
	/*
	 * Some clients (nmap) put other data before the algorithm list; if
	 * SHA-512 was not seen in place, look for it anywhere in the data.
	 */
	if (!in->preauth_sha512) {
		for (size_t k = 0; k + 1 < d->len; k += 2) {
			if (wire_le16(d->base + k) == SMB2_PREAUTH_HASH_SHA512) {
				in->preauth_sha512 = true;
			}
		}
	}
	return NT_STATUS_OK;
}

/*
 * As for ciphers, the client's order decides: the first algorithm of
 * its list we implement (all three are). None in common leaves AES-CMAC,
 * the 3.x default [MS-SMB2 §3.3.5.4].
 */
static void parse_signing(struct wire_rd *d, struct neg_ctx_in *in)
{
	uint16_t count = 0, alg = 0, i = 0;

	if (wire_get_u16le(d, &count) != 0) {
		return;
	}
	in->have_signing = true;
	in->signing_alg = SMB2_SIGNING_AES_CMAC;
	for (i = 0; i < count; i++) {
		if (wire_get_u16le(d, &alg) != 0) {
			break;
		}
		if (alg == SMB2_SIGNING_HMAC_SHA256 ||
		    alg == SMB2_SIGNING_AES_CMAC ||
		    alg == SMB2_SIGNING_AES_GMAC) {
			in->signing_alg = alg;
			break;
		}
	}
}

static NTSTATUS parse_contexts(struct smbd_req *req, uint32_t off,
			       uint16_t count, struct neg_ctx_in *in)
{
	struct wire_rd r;
	uint16_t i = 0;

	if (count > MAX_NEG_CONTEXTS) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* Contexts are 8-byte aligned from the header: keep its base. */
	r = req->in;
	if ((off & 7) != 0 || wire_seek(&r, off) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	for (i = 0; i < count; i++) {
		uint16_t type = 0, dlen = 0;
		struct wire_rd d;
		NTSTATUS st = NT_STATUS_OK;

		if (wire_align(&r, 8) != 0) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (wire_get_u16le(&r, &type) != 0 ||
		    wire_get_u16le(&r, &dlen) != 0 || wire_skip(&r, 4) != 0 ||
		    wire_get_sub(&r, dlen, &d) != 0) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		switch (type) {
		case SMB2_PREAUTH_INTEGRITY_CAPABILITIES:
			if (in->have_preauth) {
				return NT_STATUS_INVALID_PARAMETER;
			}
			st = parse_preauth(&d, in);
			if (st != NT_STATUS_OK) {
				return st;
			}
			break;
		case SMB2_SIGNING_CAPABILITIES:
			parse_signing(&d, in);
			break;
		case SMB2_ENCRYPTION_CAPABILITIES:
			parse_encryption(&d, in);
			break;
		default:
			/* encryption, compression, netname, ...: ignored */
			break;
		}
	}
	if (!in->have_preauth) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (!in->preauth_sha512) {
		return NT_STATUS_NO_PREAUTH_INTEGRITY_HASH_OVERLAP;
	}
	return NT_STATUS_OK;
}

static void put_context(struct wire_wr *w, uint16_t type,
			const uint8_t *data, uint16_t len)
{
	wire_put_align(w, 8);
	wire_put_u16le(w, type);
	wire_put_u16le(w, len);
	wire_put_u32le(w, 0);
	wire_put_bytes(w, data, len);
}

static void put_contexts_311(struct smbd_req *req, size_t ctx_off_pos,
			     const struct neg_ctx_in *in)
{
	struct wire_wr *w = &req->out;
	uint8_t pre[4 + 2 + 32];
	uint8_t sig[4];
	uint8_t enc[4];

	/* PREAUTH: one algorithm (SHA-512), 32-byte salt */
	wire_setle16(pre, 1);
	wire_setle16(pre + 2, 32);
	wire_setle16(pre + 4, SMB2_PREAUTH_HASH_SHA512);
	if (smbd_random(pre + 6, 32) != 0) {
		memset(pre + 6, 0x5a, 32);
	}
	/* Offsets are from the header: align relative to it (64 is 8k). */
	wire_put_align(w, 8);
	wire_patch_u32le(w, ctx_off_pos, SMBD_OUT_OFF(req));
	put_context(w, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, pre, sizeof(pre));
	if (in->have_encryption) {
		wire_setle16(enc, 1);
		wire_setle16(enc + 2, in->cipher);
		put_context(w, SMB2_ENCRYPTION_CAPABILITIES, enc, sizeof(enc));
	}
	if (in->have_signing) {
		wire_setle16(sig, 1);
		wire_setle16(sig + 2, in->signing_alg);
		put_context(w, SMB2_SIGNING_CAPABILITIES, sig, sizeof(sig));
	}
}

static enum smb2_sign_alg sign_alg_of(uint16_t wire_id)
{
	switch (wire_id) {
	case SMB2_SIGNING_HMAC_SHA256:
		return SMB2_SIGN_HMAC_SHA256;
	case SMB2_SIGNING_AES_GMAC:
		return SMB2_SIGN_AES_GMAC;
	default:
		return SMB2_SIGN_AES_CMAC;
	}
}

/* Which cipher, if any, this connection may encrypt with. */
static void choose_cipher(struct smbd_conn *conn, const struct neg_ctx_in *in)
{
	conn->cipher = SMB2_CIPHER_NONE;
	if (conn->dialect == SMB2_DIALECT_311) {
		conn->cipher = in->cipher;
	} else if (conn->dialect >= SMB2_DIALECT_300 &&
		   (conn->client_caps & SMB2_GLOBAL_CAP_ENCRYPTION)) {
		conn->cipher = SMB2_CIPHER_AES128_CCM;
		conn->server_caps |= SMB2_GLOBAL_CAP_ENCRYPTION;
	}
}

NTSTATUS smbd_smb2_negotiate(struct smbd_req *req)
{
	struct smbd_conn *conn = req->conn;
	struct wire_rd r = req->in;
	struct neg_ctx_in ctx = {};
	uint16_t ssize = 0, count = 0, secmode = 0, ctx_count = 0;
	uint32_t caps = 0, ctx_off = 0;
	uint16_t best = 0;
	size_t sec_pos = 0, ctx_pos = 0;
	uint16_t i = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (conn->state == SMBD_CONN_ACTIVE) {
		/* A second NEGOTIATE: disconnect [§3.3.5.3.1] */
		smbd_conn_terminate(conn, "second NEGOTIATE");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (wire_get_u16le(&r, &ssize) != 0 ||
	    wire_get_u16le(&r, &count) != 0 ||
	    wire_get_u16le(&r, &secmode) != 0 || wire_skip(&r, 2) != 0 ||
	    wire_get_u32le(&r, &caps) != 0 ||
	    wire_get_bytes(&r, conn->client_guid, 16) != 0 ||
	    wire_get_u32le(&r, &ctx_off) != 0 ||
	    wire_get_u16le(&r, &ctx_count) != 0 || wire_skip(&r, 2) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (count == 0 || count > MAX_DIALECTS) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	conn->nclient_dialects = 0;
	for (i = 0; i < count; i++) {
		uint16_t d = 0;

		if (wire_get_u16le(&r, &d) != 0) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (conn->nclient_dialects < 16) {
			conn->client_dialects[conn->nclient_dialects++] = d;
		}
		if (dialect_allowed(conn, d) && d > best) {
			best = d;
		}
	}
	if (best == 0) {
		DBG_CLIENT(PROTO, "%s: no common dialect", conn->peer_addr);
		return NT_STATUS_NOT_SUPPORTED;
	}
	conn->client_security_mode = secmode;
	conn->client_caps = caps;
	conn->dialect = best;
	conn->sign_alg = SMB2_SIGN_AES_CMAC;
	if (best == SMB2_DIALECT_311) {
		status = parse_contexts(req, ctx_off, ctx_count, &ctx);
		if (status != NT_STATUS_OK) {
			conn->dialect = 0;
			return status;
		}
		if (ctx.have_signing) {
			conn->sign_alg = sign_alg_of(ctx.signing_alg);
		}
		memset(conn->preauth, 0, sizeof(conn->preauth));
		smb2_preauth_update(conn->preauth, req->in.base, req->in.len);
		req->preauth_conn = true;
	}
	set_limits(conn, best);
	choose_cipher(conn, &ctx);
	put_negotiate_body(&req->out, conn, best,
			   best == SMB2_DIALECT_311 ?
			   (uint16_t)(1 + ctx.have_signing +
				      ctx.have_encryption) : 0,
			   &sec_pos, &ctx_pos);
	put_security_buffer(&req->out, sec_pos, SMB2_HDR_SIZE);
	if (best == SMB2_DIALECT_311) {
		put_contexts_311(req, ctx_pos, &ctx);
	}
	conn->state = SMBD_CONN_ACTIVE;
	DBG_INFO(PROTO, "%s: negotiated %s%s%s%s", conn->peer_addr,
		 smb2_dialect_name(best),
		 conn->sign_alg == SMB2_SIGN_AES_GMAC ? " GMAC" :
		 conn->sign_alg == SMB2_SIGN_HMAC_SHA256 &&
		 best >= SMB2_DIALECT_300 ? " HMAC-SHA256" : "",
		 conn->cipher != SMB2_CIPHER_NONE ? " " : "",
		 conn->cipher != SMB2_CIPHER_NONE ?
		 smb2_cipher_name(conn->cipher) : "");
	return NT_STATUS_OK;
}

/* Scan SMB1 dialect strings (0x02 "name" NUL ...) for the SMB2 ones. */
static void smb1_dialects(const uint8_t *p, size_t bc, bool *wild, bool *d202)
{
	size_t i = 0;

	for (i = 0; i < bc;) {
		const uint8_t *s = p + i + 1;
		size_t n = 0;

		if (p[i] != 0x02) {
			break;
		}
		while (i + 1 + n < bc && s[n] != 0) {
			n++;
		}
		if (n == 9 && memcmp(s, "SMB 2.???", 9) == 0) {
			*wild = true;
		} else if (n == 9 && memcmp(s, "SMB 2.002", 9) == 0) {
			*d202 = true;
		}
		i += n + 2;
	}
}

/*
 * SMB1 NEGOTIATE [MS-SMB2 §3.3.5.3.1-2]: "SMB 2.???" gets an SMB2
 * NEGOTIATE response with dialect 0x02FF (the client then sends an SMB2
 * NEGOTIATE with MessageId 1); "SMB 2.002" alone gets 2.0.2. Anything
 * else is dropped.
 */
void smbd_smb1_process_frame(struct smbd_conn *conn, const uint8_t *buf,
			     size_t len)
{
	struct wire_rd r;
	struct smb2_hdr h = {};
	struct wire_wr w;
	uint8_t cmd = 0, wc = 0;
	uint16_t bc = 0;
	const uint8_t *p = NULL;
	bool wild = false, d202 = false;
	size_t sec_pos = 0, ctx_pos = 0;
	uint16_t dialect = 0;

	if (conn->state != SMBD_CONN_NEGOTIATE || conn->smb1_upgraded) {
		smbd_conn_terminate(conn, "SMB1 after negotiate");
		return;
	}
	wire_rd_init(&r, buf, len);
	if (wire_skip(&r, 4) != 0 || wire_get_u8(&r, &cmd) != 0 ||
	    cmd != 0x72 || wire_skip(&r, 27) != 0 ||
	    wire_get_u8(&r, &wc) != 0 || wire_skip(&r, (size_t)wc * 2) != 0 ||
	    wire_get_u16le(&r, &bc) != 0 || wire_get_ptr(&r, &p, bc) != 0) {
		smbd_conn_terminate(conn, "bad SMB1 frame");
		return;
	}
	smb1_dialects(p, bc, &wild, &d202);
	if (wild && conn->srv->cfg->max_protocol >= SMB2_DIALECT_210) {
		dialect = SMB2_DIALECT_WILDCARD;
	} else if ((d202 || wild) && dialect_allowed(conn, SMB2_DIALECT_202)) {
		dialect = SMB2_DIALECT_202;
	} else {
		DBG_CLIENT(PROTO, "%s: SMB1-only client, dropping",
			   conn->peer_addr);
		smbd_conn_terminate(conn, "SMB1 only");
		return;
	}
	/* 0x02FF: the real dialect comes with the SMB2 NEGOTIATE that follows */
	conn->dialect = dialect == SMB2_DIALECT_WILDCARD ? 0 :
			SMB2_DIALECT_202;
	set_limits(conn, dialect == SMB2_DIALECT_WILDCARD ? SMB2_DIALECT_210 :
						      SMB2_DIALECT_202);
	wire_wr_init(&w, conn, 0);
	h.command = SMB2_NEGOTIATE;
	h.credits = 1;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR;
	smb2_hdr_push(&w, &h);
	put_negotiate_body(&w, conn, dialect, 0, &sec_pos, &ctx_pos);
	put_security_buffer(&w, sec_pos, 0);
	if (wire_wr_error(&w) != 0) {
		talloc_free(w.buf);
		smbd_conn_terminate(conn, "no memory");
		return;
	}
	/* MessageId 0 was the SMB1 request; the client goes on with 1. */
	conn->seq_low = 1;
	conn->seq_high = 2;
	conn->smb1_upgraded = true;
	if (dialect == SMB2_DIALECT_202) {
		conn->state = SMBD_CONN_ACTIVE;
	}
	smbd_conn_send(conn, w.buf, w.len);
	DBG_INFO(PROTO, "%s: SMB1 negotiate answered with 0x%04x",
		 conn->peer_addr, dialect);
}
