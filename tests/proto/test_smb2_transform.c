/*
 * test_smb2_transform.c - the SMB 3.x transform header and CCM/GCM
 * encryption.
 *
 * Known answers: the four examples Microsoft published on the Open
 * Specifications blog, "Encryption in SMB 3.0: A protocol perspective"
 * (2012-10-05, AES-128-CCM) and "SMB 3.1.1 Encryption in Windows 10"
 * (2015-09-09, AES-128-GCM): a client WRITE request and the server's
 * WRITE response for each cipher. The keys are the ones test_smb2_crypto
 * derives from the same examples (request: smb2_keys.decrypt, response:
 * smb2_keys.encrypt). The hex was taken from the pike test suite's copy
 * of the blog data and checked independently with /usr/bin/python3 and
 * the cryptography package (AESCCM/AESGCM): all four decrypt to the
 * given message and re-encrypt to the given frame.
 *
 * AES-256-CCM/GCM: no published SMB example exists. The four AES-256
 * vectors seal the same two 3.1.1 WRITE messages under the 32-byte keys
 * the 3.1.1 example's session derives with L = 256 (test_smb2_crypto
 * checks those keys), with the nonces of the published frames (the GCM
 * ones for GCM, the 3.0 CCM request's 11 bytes for CCM). Keys and frames
 * were computed independently with /usr/bin/python3: hmac/hashlib for
 * the KDF and the cryptography package (AESGCM, AESCCM with a 16-byte
 * tag) for the frames, the AAD being header bytes 20..51.
 */
#include "tests/wgtest.h"
#include "proto/smb2.h"
#include "proto/smb2_crypto.h"
#include "proto/smb2_transform.h"

struct kat {
	const char *name;
	enum smb2_cipher cipher;
	const char *key;
	const char *frame;
	const char *plain;
};

static const struct kat kats[] = {
	{
		.name = "3.0 CCM WRITE request",
		.cipher = SMB2_CIPHER_AES128_CCM,
		.key = "261B72350558F2E9DCF613070383EDBF",
		.frame = "FD534D4281A286535415445DAE393921E44FA42E66E69A11"
			 "1892584FB5ED524A744DA3EE870000000000010011000014"
			 "00E4080025C8FEE16605A437832D1CD52DA9F4645333482A"
			 "175FE5384563F45FCDAFAEF38BC62BA4D5C62897996625A4"
			 "4C29BE5658DE2E6117585779E7B59FFD971278D08580D7FA"
			 "899E410E910EABF5AA1DB43050B33B49182637759AC15D84"
			 "BFCDF5B6B238993C0F4CF4D6012023F6C627297075D84B78"
			 "03912D0A9639634453595EF3E33FFE4E7AC2AB",
		.plain = "FE534D424000010000000000090040000800000000000000"
			 "0400000000000000FFFE0000010000001100001400E40800"
			 "000000000000000000000000000000003100700017000000"
			 "000000000000000015010000390000020100000039020000"
			 "00000000000000007000000000000000536D623320656E63"
			 "72797074696F6E2074657374696E67",
	},
	{
		.name = "3.0 CCM WRITE response",
		.cipher = SMB2_CIPHER_AES128_CCM,
		.key = "8FE2B57EC34D2DB5B1A9727F526BBDB5",
		.frame = "FD534D42A6015530A18F6D9AFFE22AFAE8E6648486000000"
			 "000000001100001400E40800500000000000010011000014"
			 "00E40800DBF46435C5F14169293CE079E344479BF670227E"
			 "49873F458672C3098DAC467DD5809F369D67409166515787"
			 "1483E01F7BECD02064EAC3E235F913668BBC2F097980D4B3"
			 "78F1993EFF6E60D177309E5B",
		.plain = "FE534D424000010000000000090021000900000000000000"
			 "0400000000000000FFFE0000010000001100001400E40800"
			 "000000000000000000000000000000001100000017000000"
			 "0000000000000000",
	},
	{
		.name = "3.1.1 GCM WRITE request",
		.cipher = SMB2_CIPHER_AES128_GCM,
		.key = "A2F5E80E5D59103034F32E52F698E5EC",
		.frame = "FD534D42BD73D97D2BC9001BCAFAC0FDFF5FEEBCC7D6822D"
			 "269CAF48904C664C00000000870000000000010025000000"
			 "001000006ECDD2A7AFC7B47763057A041B8FD4DAFFE990B7"
			 "0C9E09D36C084E02D14EF247F8BDE38ACF6256F8B1D3B56F"
			 "77FBDEB312FEA5E92CBCC1ED8FB2EBBFAA75E49A4A394BB4"
			 "4576545567C24D4C014D47C9FBDFDAFD2C4F9B72F8D25645"
			 "2620A299F48E29E53D6B61D1C13A19E91AF013F00D17E3AB"
			 "C2FC3D36C8C1B6B93973253852DBD442E46EE8",
		.plain = "FE534D424000010000000000090001000800000000000000"
			 "0500000000000000FFFE0000010000002500000000100000"
			 "000000000000000000000000000000003100700017000000"
			 "000000000000000006000000040000000100000004000000"
			 "00000000000000007000000000000000536D623320656E63"
			 "72797074696F6E2074657374696E67",
	},
	{
		.name = "3.1.1 GCM WRITE response",
		.cipher = SMB2_CIPHER_AES128_GCM,
		.key = "748C50868C90F302962A5C35F5F9A8BF",
		.frame = "FD534D42ACBE1CB7ED343ADF1725EF144D90D4B0E06831DD"
			 "2E8EB7B40000000000000000500000000000010025000000"
			 "0010000026BBBF949983A6C1C796559D0F2C510CB651D1F7"
			 "B6AC8DED32A2A0B8F2D793A815C6F6B848D69767A215841A"
			 "42D400AE6DDB5F0B44173A014973321FDD7950DA6179159B"
			 "82E03C9E18A050FF0EA1C967",
		.plain = "FE534D424000010000000000090001000100000000000000"
			 "0500000000000000FFFE0000010000002500000000100000"
			 "000000000000000000000000000000001100000017000000"
			 "0000000000000000",
	},
	{
		.name = "3.1.1 AES-256-GCM WRITE request",
		.cipher = SMB2_CIPHER_AES256_GCM,
		.key = "CB61EB110446FBCAEB6A83BEEDB92779"
		       "130B833A706E5B3495879D52195B90ED",
		.frame = "FD534D429F6FE4EDA2E577F44A64D52E45F005B7C7D6822D"
			 "269CAF48904C664C00000000870000000000010025000000"
			 "0010000055FC21AF1162C23D4B696225659919122337750E"
			 "70F8DAB6BFEC387CFA9BFA5872996BF1E2CA784CE1202238"
			 "30BC9D8067F0D168C4B211B34DA554321D2D623F8E8AE478"
			 "5A002FD73353C44A6DE3217295B6CCF92530AF1B290EB4D7"
			 "096A95D74B9F2157FF1ADC40ABA0AFC27F1E348DE4743064"
			 "CB7586FD408D0D6F3C3258AC60F35020D7E0FA",
		.plain = "FE534D424000010000000000090001000800000000000000"
			 "0500000000000000FFFE0000010000002500000000100000"
			 "000000000000000000000000000000003100700017000000"
			 "000000000000000006000000040000000100000004000000"
			 "00000000000000007000000000000000536D623320656E63"
			 "72797074696F6E2074657374696E67",
	},
	{
		.name = "3.1.1 AES-256-GCM WRITE response",
		.cipher = SMB2_CIPHER_AES256_GCM,
		.key = "F8CAE3069FFCDC7662E2941207AF4636"
		       "14D520A1A204AAF6B9EAD136DE931111",
		.frame = "FD534D4218380274A99FB2F805809019DD1D1309E06831DD"
			 "2E8EB7B40000000000000000500000000000010025000000"
			 "00100000ECA9C7004A58567537957E6437B972C9CEC06ED8"
			 "90CCCFA9E245E33CE5DDC57B59768121E433F5DFD567BF48"
			 "FE84A472BB763F84C948FD465662AE4427C77CE2F7A8447D"
			 "9F6142D578CF1B3628891306",
		.plain = "FE534D424000010000000000090001000100000000000000"
			 "0500000000000000FFFE0000010000002500000000100000"
			 "000000000000000000000000000000001100000017000000"
			 "0000000000000000",
	},
	{
		.name = "3.1.1 AES-256-CCM WRITE request",
		.cipher = SMB2_CIPHER_AES256_CCM,
		.key = "CB61EB110446FBCAEB6A83BEEDB92779"
		       "130B833A706E5B3495879D52195B90ED",
		.frame = "FD534D42379D4DA022394A4CA825ABFCBA28638B66E69A11"
			 "1892584FB5ED520000000000870000000000010025000000"
			 "0010000039B863EB00978696DEDF9042DB7D227DC9261885"
			 "9617030240D010C44B05B100FF1C114D5067BB62E102E61A"
			 "C97C0BE82965641BAB38B69605773E92341294218274D251"
			 "FEE27BB1F5FF148FE741A9F2568A3222825BDEFCB269C1AF"
			 "F0D4EA1A9E9C345EFAB56499AA6B5516A51D1B6FED47A9FA"
			 "33CCF4F8ABF144319654BBFA7738053FDC9832",
		.plain = "FE534D424000010000000000090001000800000000000000"
			 "0500000000000000FFFE0000010000002500000000100000"
			 "000000000000000000000000000000003100700017000000"
			 "000000000000000006000000040000000100000004000000"
			 "00000000000000007000000000000000536D623320656E63"
			 "72797074696F6E2074657374696E67",
	},
	{
		.name = "3.1.1 AES-256-CCM WRITE response",
		.cipher = SMB2_CIPHER_AES256_CCM,
		.key = "F8CAE3069FFCDC7662E2941207AF4636"
		       "14D520A1A204AAF6B9EAD136DE931111",
		.frame = "FD534D425C73FA208B101AA748D36C902EC863FC66E69A11"
			 "1892584FB5ED520000000000500000000000010025000000"
			 "00100000D285A23295D46BAFECD965B8674800AE7E8CE0BB"
			 "2173681F37DB10C32E47923178C0177E1B3822C2DC886994"
			 "7478676C72A54702FDF143C3C190735EC9CE87D7B8AF0264"
			 "D952014F6F413E041481FD49",
		.plain = "FE534D424000010000000000090001000100000000000000"
			 "0500000000000000FFFE0000010000002500000000100000"
			 "000000000000000000000000000000001100000017000000"
			 "0000000000000000",
	},
};

struct vec {
	uint8_t *key;
	uint8_t *frame;
	uint8_t *plain;
	size_t frame_len;
	size_t plain_len;
};

static void load(TALLOC_CTX *mem, const struct kat *k, struct vec *v)
{
	size_t key_len = 0;

	v->key = wgt_hex(mem, k->key, &key_len);
	ck_assert_uint_eq(key_len, smb2_cipher_key_len(k->cipher));
	v->frame = wgt_hex(mem, k->frame, &v->frame_len);
	v->plain = wgt_hex(mem, k->plain, &v->plain_len);
	ck_assert_uint_eq(v->frame_len, v->plain_len + 52);
}

START_TEST(test_kat_decrypt)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	const struct kat *k = &kats[_i];
	struct vec v = {};
	uint8_t *plain = NULL;
	size_t plain_len = 0;

	load(mem, k, &v);
	ck_assert_msg(smb2_decrypt(k->cipher, v.key, v.frame, v.frame_len,
				   mem, &plain, &plain_len) == 0,
		      "%s", k->name);
	ck_assert_uint_eq(plain_len, v.plain_len);
	ck_assert_mem_eq(plain, v.plain, plain_len);
	ck_assert_ptr_eq(talloc_parent(plain), mem);
	talloc_free(mem);
}
END_TEST

START_TEST(test_kat_encrypt)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	const struct kat *k = &kats[_i];
	struct vec v = {};
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint64_t sid = 0;

	load(mem, k, &v);
	sid = wire_le64(v.frame + 44);
	ck_assert_msg(smb2_encrypt_with_nonce(k->cipher, v.key, sid,
					      v.frame + 20, v.plain,
					      v.plain_len, mem, &out,
					      &out_len) == 0,
		      "%s", k->name);
	ck_assert_uint_eq(out_len, v.frame_len);
	ck_assert_mem_eq(out, v.frame, out_len);
	talloc_free(mem);
}
END_TEST

/* The 3.0 example end to end, as the server sees it: keys derived from
 * the session key, the request opened with keys.decrypt and the response
 * sealed with keys.encrypt. */
START_TEST(test_kat_server_keys_300)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct smb2_keys keys = {};
	struct vec req = {};
	struct vec resp = {};
	uint8_t *sk = NULL;
	uint8_t *out = NULL;
	size_t sk_len = 0;
	size_t out_len = 0;

	sk = wgt_hex(mem, "B4546771B515F766A86735532DD6C4F0", &sk_len);
	smb2_derive_keys(SMB2_DIALECT_300, sk, NULL, 16, &keys);
	load(mem, &kats[0], &req);
	load(mem, &kats[1], &resp);

	ck_assert_int_eq(smb2_decrypt(SMB2_CIPHER_AES128_CCM, keys.decrypt,
				      req.frame, req.frame_len, mem, &out,
				      &out_len),
			 0);
	ck_assert_uint_eq(out_len, req.plain_len);
	ck_assert_mem_eq(out, req.plain, out_len);

	ck_assert_int_eq(smb2_encrypt_with_nonce(SMB2_CIPHER_AES128_CCM,
						 keys.encrypt,
						 0x8E40014000011ULL,
						 resp.frame + 20, resp.plain,
						 resp.plain_len, mem, &out,
						 &out_len),
			 0);
	ck_assert_uint_eq(out_len, resp.frame_len);
	ck_assert_mem_eq(out, resp.frame, out_len);
	talloc_free(mem);
}
END_TEST

START_TEST(test_pull)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct smb2_transform_hdr h = {};
	struct smb2_transform_hdr h2 = {};
	struct wire_wr w;
	struct wire_rd r;
	struct vec v = {};

	load(mem, &kats[2], &v);
	wire_rd_init(&r, v.frame, v.frame_len);
	ck_assert_int_eq(smb2_transform_pull(&r, &h), 0);
	ck_assert_uint_eq(r.off, 52);
	ck_assert_mem_eq(h.signature, v.frame + 4, 16);
	ck_assert_mem_eq(h.nonce, v.frame + 20, 16);
	ck_assert_uint_eq(h.original_size, 0x87);
	ck_assert_uint_eq(h.reserved, 0);
	ck_assert_uint_eq(h.flags, 1);
	ck_assert_uint_eq(h.session_id, 0x100000000025ULL);

	wire_wr_init(&w, mem, 0);
	smb2_transform_push(&w, &h);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_uint_eq(w.len, 52);
	ck_assert_mem_eq(w.buf, v.frame, 52);

	/* Truncated at every byte: short, cursor and output untouched. */
	for (size_t n = 0; n < 52; n++) {
		wire_rd_init(&r, v.frame, n);
		memset(&h2, 0xAA, sizeof(h2));
		ck_assert_int_eq(smb2_transform_pull(&r, &h2), WIRE_E_SHORT);
		ck_assert_uint_eq(r.off, 0);
		ck_assert_uint_eq(h2.flags, 0xAAAA);
	}

	/* Bad magic: an SMB2 header, or any magic byte changed. */
	for (size_t i = 0; i < 4; i++) {
		v.frame[i] ^= 0x01;
		wire_rd_init(&r, v.frame, v.frame_len);
		ck_assert_int_eq(smb2_transform_pull(&r, &h2),
				 WIRE_E_INVALID);
		ck_assert_uint_eq(r.off, 0);
		v.frame[i] ^= 0x01;
	}
	v.frame[0] = 0xFE;
	wire_rd_init(&r, v.frame, v.frame_len);
	ck_assert_int_eq(smb2_transform_pull(&r, &h2), WIRE_E_INVALID);
	v.frame[0] = 0xFD;

	/* Flags other than 1. */
	for (unsigned f = 0; f < 4; f++) {
		if (f == 1) {
			continue;
		}
		wire_setle16(v.frame + 42, (uint16_t)f);
		wire_rd_init(&r, v.frame, v.frame_len);
		ck_assert_int_eq(smb2_transform_pull(&r, &h2),
				 WIRE_E_INVALID);
		ck_assert_uint_eq(r.off, 0);
	}
	talloc_free(mem);
}
END_TEST

/* A 100-byte "message" whose first four bytes look like SMB2. */
static void make_msg(uint8_t *msg, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		msg[i] = (uint8_t)(i * 7 + 3);
	}
	memcpy(msg, "\xfeSMB", 4);
}

START_TEST(test_round_trip)
{
	static const enum smb2_cipher ciphers[] = {
		SMB2_CIPHER_AES128_CCM, SMB2_CIPHER_AES128_GCM,
		SMB2_CIPHER_AES256_CCM, SMB2_CIPHER_AES256_GCM,
	};
	static const uint8_t zero[16] = { 0 };
	static const size_t sizes[] = { 64, 65, 100, 4096, 65537 };
	TALLOC_CTX *mem = talloc_new(wgt_root);
	uint8_t key[32] = { 0x11, 0x22, 0x33 };
	uint8_t *msg = talloc_array(mem, uint8_t, 65537);

	key[31] = 0x44;
	make_msg(msg, 65537);
	for (size_t c = 0; c < 4; c++) {
		size_t nlen = smb2_cipher_nonce_len(ciphers[c]);

		ck_assert_uint_eq(nlen, c % 2 == 0 ? 11 : 12);
		ck_assert_uint_eq(smb2_cipher_key_len(ciphers[c]),
				  c < 2 ? 16 : 32);
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			uint8_t *a = NULL;
			uint8_t *b = NULL;
			uint8_t *p = NULL;
			size_t a_len = 0;
			size_t b_len = 0;
			size_t p_len = 0;

			ck_assert_int_eq(smb2_encrypt(ciphers[c], key, 0x42,
						      msg, sizes[s], mem, &a,
						      &a_len),
					 0);
			ck_assert_uint_eq(a_len, sizes[s] + 52);
			ck_assert_uint_eq(wire_le32(a + 36), sizes[s]);
			ck_assert_uint_eq(wire_le16(a + 40), 0);
			ck_assert_uint_eq(wire_le16(a + 42), 1);
			ck_assert_uint_eq(wire_le64(a + 44), 0x42);
			/* Only the cipher's nonce bytes are random. */
			ck_assert_mem_eq(a + 20 + nlen, zero, 16 - nlen);

			ck_assert_int_eq(smb2_encrypt(ciphers[c], key, 0x42,
						      msg, sizes[s], mem, &b,
						      &b_len),
					 0);
			ck_assert_int_ne(memcmp(a + 20, b + 20, nlen), 0);

			ck_assert_int_eq(smb2_decrypt(ciphers[c], key, a,
						      a_len, mem, &p,
						      &p_len),
					 0);
			ck_assert_uint_eq(p_len, sizes[s]);
			ck_assert_mem_eq(p, msg, p_len);
			talloc_free(a);
			talloc_free(b);
			talloc_free(p);
		}
	}
	talloc_free(mem);
}
END_TEST

/* Every single-byte change is refused and leaves no output. Past the
 * magic, everything but OriginalMessageSize and Flags is covered by the
 * tag, so those changes must fail authentication. */
START_TEST(test_tamper)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	const struct kat *k = &kats[_i];
	struct vec v = {};

	load(mem, k, &v);
	for (size_t i = 0; i < v.frame_len; i++) {
		uint8_t *p = (uint8_t *)mem;
		size_t p_len = 99;
		int want = WIRE_E_AUTH;
		int rc = 0;

		if (i < 4 || (i >= 36 && i < 40) || (i >= 42 && i < 44)) {
			want = WIRE_E_INVALID;
		}
		v.frame[i] ^= 0x80;
		rc = smb2_decrypt(k->cipher, v.key, v.frame, v.frame_len, mem,
				  &p, &p_len);
		ck_assert_msg(rc == want, "%s: byte %zu: %d", k->name, i, rc);
		ck_assert_ptr_null(p);
		ck_assert_uint_eq(p_len, 0);
		v.frame[i] ^= 0x80;
	}
	talloc_free(mem);
}
END_TEST

START_TEST(test_truncated)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	const struct kat *k = &kats[_i];
	size_t blocks = 0;
	struct vec v = {};

	load(mem, k, &v);
	blocks = talloc_total_blocks(mem);
	for (size_t n = 0; n < v.frame_len; n++) {
		uint8_t *p = NULL;
		size_t p_len = 0;
		int rc = smb2_decrypt(k->cipher, v.key, v.frame, n, mem, &p,
				      &p_len);

		ck_assert_int_eq(rc, n <= 52 ? WIRE_E_SHORT : WIRE_E_INVALID);
		ck_assert_ptr_null(p);
	}
	ck_assert_uint_eq(talloc_total_blocks(mem), blocks);
	talloc_free(mem);
}
END_TEST

START_TEST(test_size_mismatch)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	const struct kat *k = &kats[2];
	struct vec v = {};
	uint8_t *longer = NULL;
	uint8_t *p = NULL;
	size_t p_len = 0;
	uint32_t orig = 0;

	load(mem, k, &v);
	orig = wire_le32(v.frame + 36);
	wire_setle32(v.frame + 36, orig - 1);
	ck_assert_int_eq(smb2_decrypt(k->cipher, v.key, v.frame, v.frame_len,
				      mem, &p, &p_len),
			 WIRE_E_INVALID);
	wire_setle32(v.frame + 36, orig + 1);
	ck_assert_int_eq(smb2_decrypt(k->cipher, v.key, v.frame, v.frame_len,
				      mem, &p, &p_len),
			 WIRE_E_INVALID);
	wire_setle32(v.frame + 36, UINT32_MAX);
	ck_assert_int_eq(smb2_decrypt(k->cipher, v.key, v.frame, v.frame_len,
				      mem, &p, &p_len),
			 WIRE_E_INVALID);
	wire_setle32(v.frame + 36, orig);

	/* A trailing byte the header does not account for. */
	longer = talloc_array(mem, uint8_t, v.frame_len + 1);
	memcpy(longer, v.frame, v.frame_len);
	longer[v.frame_len] = 0;
	ck_assert_int_eq(smb2_decrypt(k->cipher, v.key, longer,
				      v.frame_len + 1, mem, &p, &p_len),
			 WIRE_E_INVALID);
	ck_assert_ptr_null(p);
	talloc_free(mem);
}
END_TEST

START_TEST(test_wrong_key_or_cipher)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	const struct kat *k = &kats[_i];
	/* the other mode of the same key size, and the same mode of the
	 * other key size (a 16-byte key is the first half of the 32) */
	static const enum smb2_cipher other_mode[] = {
		[SMB2_CIPHER_AES128_CCM] = SMB2_CIPHER_AES128_GCM,
		[SMB2_CIPHER_AES128_GCM] = SMB2_CIPHER_AES128_CCM,
		[SMB2_CIPHER_AES256_CCM] = SMB2_CIPHER_AES256_GCM,
		[SMB2_CIPHER_AES256_GCM] = SMB2_CIPHER_AES256_CCM,
	};
	static const enum smb2_cipher other_size[] = {
		[SMB2_CIPHER_AES128_CCM] = SMB2_CIPHER_AES256_CCM,
		[SMB2_CIPHER_AES128_GCM] = SMB2_CIPHER_AES256_GCM,
		[SMB2_CIPHER_AES256_CCM] = SMB2_CIPHER_AES128_CCM,
		[SMB2_CIPHER_AES256_GCM] = SMB2_CIPHER_AES128_GCM,
	};
	uint8_t key32[32] = { 0 };
	struct vec v = {};
	uint8_t *p = NULL;
	size_t p_len = 0;

	load(mem, k, &v);
	memcpy(key32, v.key, smb2_cipher_key_len(k->cipher));
	ck_assert_int_eq(smb2_decrypt(other_mode[k->cipher], key32, v.frame,
				      v.frame_len, mem, &p, &p_len),
			 WIRE_E_AUTH);
	ck_assert_int_eq(smb2_decrypt(other_size[k->cipher], key32, v.frame,
				      v.frame_len, mem, &p, &p_len),
			 WIRE_E_AUTH);
	v.key[smb2_cipher_key_len(k->cipher) - 1] ^= 1;
	ck_assert_int_eq(smb2_decrypt(k->cipher, v.key, v.frame, v.frame_len,
				      mem, &p, &p_len),
			 WIRE_E_AUTH);
	ck_assert_ptr_null(p);
	talloc_free(mem);
}
END_TEST

START_TEST(test_bad_args)
{
	static const enum smb2_cipher bad[] = {
		SMB2_CIPHER_NONE, (enum smb2_cipher)5,
		(enum smb2_cipher)0xFFFF,
	};
	TALLOC_CTX *mem = talloc_new(wgt_root);
	uint8_t key[16] = { 0 };
	uint8_t nonce[16] = { 0 };
	uint8_t msg[64] = { 0 };
	struct vec v = {};
	uint8_t *out = NULL;
	size_t out_len = 0;
	size_t blocks = 0;

	load(mem, &kats[0], &v);
	blocks = talloc_total_blocks(mem);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_uint_eq(smb2_cipher_nonce_len(bad[i]), 0);
		ck_assert_uint_eq(smb2_cipher_key_len(bad[i]), 0);
		ck_assert_str_eq(smb2_cipher_name(bad[i]), "none");
		ck_assert_int_eq(smb2_encrypt(bad[i], key, 1, msg, sizeof(msg),
					      mem, &out, &out_len),
				 WIRE_E_UNSUPPORTED);
		ck_assert_int_eq(smb2_decrypt(bad[i], v.key, v.frame,
					      v.frame_len, mem, &out,
					      &out_len),
				 WIRE_E_UNSUPPORTED);
	}
	/* Shorter than an SMB2 header: refused both ways. */
	ck_assert_int_eq(smb2_encrypt(SMB2_CIPHER_AES128_GCM, key, 1, msg, 63,
				      mem, &out, &out_len),
			 WIRE_E_INVALID);
	ck_assert_int_eq(smb2_encrypt_with_nonce(SMB2_CIPHER_AES128_CCM, key,
						 1, nonce, msg, 0, mem, &out,
						 &out_len),
			 WIRE_E_INVALID);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(out_len, 0);
	ck_assert_uint_eq(talloc_total_blocks(mem), blocks);
	talloc_free(mem);
}
END_TEST

/* A frame whose OriginalMessageSize is consistent but below an SMB2
 * header is refused before any decryption [MS-SMB2 §3.3.5.2.1.1]. */
START_TEST(test_tiny_message)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct smb2_transform_hdr h = {};
	struct wire_wr w;
	uint8_t key[16] = { 0 };
	uint8_t *p = NULL;
	size_t p_len = 0;

	h.flags = 1;
	h.original_size = 63;
	wire_wr_init(&w, mem, 0);
	smb2_transform_push(&w, &h);
	wire_put_zero(&w, 63);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	ck_assert_int_eq(smb2_decrypt(SMB2_CIPHER_AES128_GCM, key, w.buf,
				      w.len, mem, &p, &p_len),
			 WIRE_E_INVALID);
	ck_assert_ptr_null(p);
	talloc_free(mem);
}
END_TEST

/*
 * The worker-thread variants: smb2_decrypt_inplace gives the known
 * plaintext at frame + 52 and wipes it on a bad tag; smb2_encrypt_to
 * writes a frame smb2_decrypt opens, and refuses what smb2_encrypt does.
 */
START_TEST(test_inplace)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	const struct kat *k = &kats[_i];
	struct vec v = {};
	uint8_t *f = NULL;
	uint8_t *out = NULL;
	uint8_t *p = NULL;
	size_t p_len = 0;

	load(mem, k, &v);
	f = talloc_memdup(mem, v.frame, v.frame_len);
	ck_assert_int_eq(smb2_decrypt_inplace(k->cipher, v.key, f,
					      v.frame_len), 0);
	ck_assert_uint_eq(v.frame_len - 52, v.plain_len);
	ck_assert_mem_eq(f + 52, v.plain, v.plain_len);

	memcpy(f, v.frame, v.frame_len);
	f[v.frame_len - 1] ^= 1;
	ck_assert_int_eq(smb2_decrypt_inplace(k->cipher, v.key, f,
					      v.frame_len), WIRE_E_AUTH);
	for (size_t i = 52; i < v.frame_len; i++) {
		ck_assert_uint_eq(f[i], 0);
	}
	ck_assert_int_eq(smb2_decrypt_inplace(k->cipher, v.key, f, 52),
			 WIRE_E_SHORT);

	out = talloc_array(mem, uint8_t, v.plain_len + 52);
	ck_assert_int_eq(smb2_encrypt_to(k->cipher, v.key, 7, v.plain,
					 v.plain_len, out), 0);
	ck_assert_uint_eq(wire_le64(out + 44), 7);
	ck_assert_int_eq(smb2_decrypt(k->cipher, v.key, out,
				      v.plain_len + 52, mem, &p, &p_len), 0);
	ck_assert_uint_eq(p_len, v.plain_len);
	ck_assert_mem_eq(p, v.plain, p_len);
	ck_assert_int_eq(smb2_encrypt_to(k->cipher, v.key, 7, v.plain, 63,
					 out), WIRE_E_INVALID);
	ck_assert_int_eq(smb2_encrypt_to(SMB2_CIPHER_NONE, v.key, 7, v.plain,
					 v.plain_len, out),
			 WIRE_E_UNSUPPORTED);
	talloc_free(mem);
}
END_TEST

/*
 * One expanded key for several different messages, as a session keeps
 * it: the published frame opens (copying and in place), a second
 * message seals exactly as the raw-key path seals it, the published
 * plaintext seals to the published frame after that, and the key's
 * bytes never change (read-only in use, so workers may share it).
 */
START_TEST(test_key_reuse)
{
	TALLOC_CTX *mem = talloc_new(wgt_root);
	const struct kat *k = &kats[_i];
	struct smb2_crypt_key *ck = talloc(mem, struct smb2_crypt_key);
	struct smb2_crypt_key *snap = talloc(mem, struct smb2_crypt_key);
	uint8_t nonce2[SMB2_TRANSFORM_NONCE_SIZE] = { 0 };
	uint8_t msg2[100] = { 0 };
	struct vec v = {};
	uint8_t *a = NULL, *b = NULL, *f = NULL;
	size_t alen = 0, blen = 0;
	uint64_t sid = 0;

	load(mem, k, &v);
	sid = wire_le64(v.frame + 44);
	make_msg(msg2, sizeof(msg2));
	memset(nonce2, 0x5A, smb2_cipher_nonce_len(k->cipher));
	smb2_crypt_key_init(ck, k->cipher, v.key);
	*snap = *ck;
	for (int round = 0; round < 2; round++) {
		ck_assert_int_eq(smb2_key_decrypt(ck, v.frame, v.frame_len, mem,
						  &a, &alen), 0);
		ck_assert_uint_eq(alen, v.plain_len);
		ck_assert_mem_eq(a, v.plain, alen);
		ck_assert_int_eq(smb2_key_encrypt_with_nonce(ck, 9, nonce2,
							     msg2,
							     sizeof(msg2),
							     mem, &a, &alen),
				 0);
		ck_assert_int_eq(smb2_encrypt_with_nonce(k->cipher, v.key, 9,
							 nonce2, msg2,
							 sizeof(msg2), mem,
							 &b, &blen), 0);
		ck_assert_uint_eq(alen, blen);
		ck_assert_mem_eq(a, b, alen);
		ck_assert_mem_ne(a + 4, v.frame + 4, 16);
		ck_assert_int_eq(smb2_key_encrypt_with_nonce(ck, sid,
							     v.frame + 20,
							     v.plain,
							     v.plain_len, mem,
							     &a, &alen), 0);
		ck_assert_uint_eq(alen, v.frame_len);
		ck_assert_mem_eq(a, v.frame, alen);
		f = talloc_memdup(mem, v.frame, v.frame_len);
		ck_assert_int_eq(smb2_key_decrypt_inplace(ck, f, v.frame_len),
				 0);
		ck_assert_mem_eq(f + 52, v.plain, v.plain_len);
		/* a random-nonce frame of this key opens with the raw key */
		ck_assert_int_eq(smb2_key_encrypt(ck, 9, msg2, sizeof(msg2),
						  mem, &a, &alen), 0);
		ck_assert_int_eq(smb2_decrypt(k->cipher, v.key, a, alen, mem,
					      &b, &blen), 0);
		ck_assert_mem_eq(b, msg2, sizeof(msg2));
	}
	ck_assert_mem_eq(ck, snap, sizeof(*ck));
	talloc_free(mem);
}
END_TEST

static Suite *transform_suite(void)
{
	Suite *s = suite_create("smb2_transform");
	TCase *tc = tcase_create("core");
	int nk = (int)(sizeof(kats) / sizeof(kats[0]));

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_loop_test(tc, test_kat_decrypt, 0, nk);
	tcase_add_loop_test(tc, test_kat_encrypt, 0, nk);
	tcase_add_test(tc, test_kat_server_keys_300);
	tcase_add_test(tc, test_pull);
	tcase_add_test(tc, test_round_trip);
	tcase_add_loop_test(tc, test_tamper, 0, nk);
	tcase_add_loop_test(tc, test_truncated, 0, nk);
	tcase_add_test(tc, test_size_mismatch);
	tcase_add_loop_test(tc, test_wrong_key_or_cipher, 0, nk);
	tcase_add_test(tc, test_bad_args);
	tcase_add_test(tc, test_tiny_message);
	tcase_add_loop_test(tc, test_inplace, 0, nk);
	tcase_add_loop_test(tc, test_key_reuse, 0, nk);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(transform_suite)
