/*
 * test_smb2_crypto.c - known answers for SMB2/3 signing, the KDF and the
 * 3.1.1 preauth integrity hash.
 *
 * Where the vectors come from:
 *  [E30]  Microsoft Open Specifications blog, "Encryption in SMB 3.0: A
 *         protocol perspective" (2012-10-05): SessionKey and the derived
 *         Signing/Application/Encryption/Decryption keys (dialect 3.0).
 *  [E311] Same blog, "SMB 3.1.1 Encryption in Windows 10" (2015-09-09),
 *         appendix A.1: SessionKey, final PreauthIntegrityHashValue, the
 *         derived keys, and a signed final SESSION_SETUP response with its
 *         AES-CMAC signature; also the WRITE request used below.
 *  [PA]   Same blog, "SMB 3.1.1 Pre-authentication integrity in Windows
 *         10" (2015-08-11): NEGOTIATE and SESSION_SETUP messages, the
 *         hash after each, and the resulting SigningKey.
 *  [IND]  No published vector exists for HMAC-SHA256 (2.x) and AES-GMAC
 *         signatures over these messages, so those values were computed
 *         independently with python3 hmac/hashlib and the `cryptography`
 *         package (AESGCM with empty plaintext, nonce built as in
 *         MS-SMB2 §3.1.4.1), and cross-checked with `openssl mac`.
 * In the blogs, "EncryptionKey (client)" is the client-to-server key
 * (our decrypt) and "DecryptionKey (client)" the server-to-client key
 * (our encrypt).
 */
#include "tests/wgtest.h"
#include "proto/smb2.h"
#include "proto/smb2_crypto.h"

/* Decode hex into a fixed-size array; the length must match exactly. */
static void hex_to(const char *hex, uint8_t *out, size_t n)
{
	size_t len = 0;
	uint8_t *b = wgt_hex(wgt_root, hex, &len);

	ck_assert_uint_eq(len, n);
	memcpy(out, b, n);
	talloc_free(b);
}

static void ck_hex(const uint8_t *got, const char *want_hex, size_t n)
{
	uint8_t want[64] = { 0 };

	ck_assert_uint_le(n, sizeof(want));
	hex_to(want_hex, want, n);
	ck_assert_mem_eq(got, want, n);
}

START_TEST(test_kdf_30_published)
{
	static const uint16_t dialects[] = { SMB2_DIALECT_300,
					     SMB2_DIALECT_302 };
	uint8_t sk[16] = { 0 };
	struct smb2_keys k = {};

	hex_to("B4546771B515F766A86735532DD6C4F0", sk, 16);
	for (size_t i = 0; i < 2; i++) {
		/* preauth is ignored below 3.1.1: pass NULL to prove it */
		smb2_derive_keys(dialects[i], sk, NULL, 16, &k);
		ck_hex(k.signing, "F773CD23C18FD1E08EE510CADA7CF852", 16);
		ck_hex(k.application, "77432F808CE99156B5BC6A3676D730D1", 16);
		ck_hex(k.decrypt, "261B72350558F2E9DCF613070383EDBF", 16);
		ck_hex(k.encrypt, "8FE2B57EC34D2DB5B1A9727F526BBDB5", 16);
	}
}
END_TEST

START_TEST(test_kdf_raw)
{
	uint8_t sk[16] = { 0 };
	uint8_t out[16] = { 0 };

	hex_to("B4546771B515F766A86735532DD6C4F0", sk, 16);
	smb2_kdf(sk, "SMB2AESCMAC", 12, "SmbSign", 8, out, 16);
	ck_hex(out, "F773CD23C18FD1E08EE510CADA7CF852", 16);
	/* "ServerIn " carries a trailing space before its NUL */
	smb2_kdf(sk, "SMB2AESCCM", 11, "ServerIn ", 10, out, 16);
	ck_hex(out, "261B72350558F2E9DCF613070383EDBF", 16);
}
END_TEST

START_TEST(test_kdf_311_published)
{
	uint8_t sk[16] = { 0 };
	uint8_t pa[SMB2_PREAUTH_HASH_SIZE] = { 0 };
	struct smb2_keys k = {};

	hex_to("419FDDF34C1E001909D362AE7FB6AF79", sk, 16);
	hex_to("B23F3CBFD69487D9832B79B1594A367CDD950909B774C3A4C412B4FCEA9E"
	       "DDDBA7DB256BA2EA30E977F11F9B113247578E0E915C6D2A513B8F2FCA57"
	       "07DC8770", pa, sizeof(pa));
	smb2_derive_keys(SMB2_DIALECT_311, sk, pa, 16, &k);
	ck_hex(k.signing, "8765949DFEAEE105CE9118B45BE988F0", 16);
	ck_hex(k.application, "099D610789FBE82055B313601C3E8CC4", 16);
	ck_hex(k.decrypt, "A2F5E80E5D59103034F32E52F698E5EC", 16);
	ck_hex(k.encrypt, "748C50868C90F302962A5C35F5F9A8BF", 16);
}
END_TEST

/*
 * [IND] AES-256: the [E311] session with L = 256 for the cipher keys
 * [MS-SMB2 §3.3.5.5.3]. The signing and application keys stay the
 * published 16-byte ones; the cipher keys are whole HMAC-SHA256 blocks,
 * computed with python3 hmac/hashlib over the same label and context
 * with L = 00000100.
 */
START_TEST(test_kdf_311_aes256)
{
	uint8_t sk[16] = { 0 };
	uint8_t pa[SMB2_PREAUTH_HASH_SIZE] = { 0 };
	uint8_t out[32] = { 0 };
	struct smb2_keys k = {};

	hex_to("419FDDF34C1E001909D362AE7FB6AF79", sk, 16);
	hex_to("B23F3CBFD69487D9832B79B1594A367CDD950909B774C3A4C412B4FCEA9E"
	       "DDDBA7DB256BA2EA30E977F11F9B113247578E0E915C6D2A513B8F2FCA57"
	       "07DC8770", pa, sizeof(pa));
	smb2_derive_keys(SMB2_DIALECT_311, sk, pa, 32, &k);
	ck_assert_uint_eq(k.cipher_key_len, 32);
	ck_hex(k.signing, "8765949DFEAEE105CE9118B45BE988F0", 16);
	ck_hex(k.application, "099D610789FBE82055B313601C3E8CC4", 16);
	ck_hex(k.decrypt, "CB61EB110446FBCAEB6A83BEEDB92779"
			  "130B833A706E5B3495879D52195B90ED", 32);
	ck_hex(k.encrypt, "F8CAE3069FFCDC7662E2941207AF4636"
			  "14D520A1A204AAF6B9EAD136DE931111", 32);
	/* L is part of the PRF input: not a longer cut of the L=128 key */
	ck_assert_int_ne(memcmp(k.decrypt, "\xA2\xF5\xE8\x0E", 4), 0);
	smb2_kdf(sk, "SMBC2SCipherKey", 16, pa, sizeof(pa), out, 32);
	ck_assert_mem_eq(out, k.decrypt, 32);

	/* 16 (and 0: no cipher) keep L = 128 and the published keys */
	smb2_derive_keys(SMB2_DIALECT_311, sk, pa, 0, &k);
	ck_assert_uint_eq(k.cipher_key_len, 16);
	ck_hex(k.decrypt, "A2F5E80E5D59103034F32E52F698E5EC", 16);
	/* 3.0 has no AES-256: its keys stay 16 bytes whatever is asked */
	hex_to("B4546771B515F766A86735532DD6C4F0", sk, 16);
	smb2_derive_keys(SMB2_DIALECT_300, sk, NULL, 32, &k);
	ck_assert_uint_eq(k.cipher_key_len, 16);
	ck_hex(k.encrypt, "8FE2B57EC34D2DB5B1A9727F526BBDB5", 16);
}
END_TEST

/*
 * The signing key at SESSION_SETUP and the cipher keys later give the
 * published keys of [E311] and the 3.0 vector, and touch nothing else.
 */
START_TEST(test_derive_split)
{
	uint8_t sk[16] = { 0 };
	uint8_t pa[SMB2_PREAUTH_HASH_SIZE] = { 0 };
	struct smb2_keys k = {};
	struct smb2_keys whole = {};
	static const uint8_t zero[32] = { 0 };

	hex_to("419FDDF34C1E001909D362AE7FB6AF79", sk, 16);
	hex_to("B23F3CBFD69487D9832B79B1594A367CDD950909B774C3A4C412B4FCEA9E"
	       "DDDBA7DB256BA2EA30E977F11F9B113247578E0E915C6D2A513B8F2FCA57"
	       "07DC8770", pa, sizeof(pa));
	smb2_derive_some_keys(SMB2_DIALECT_311, sk, pa, 16,
			      SMB2_KEYS_SIGNING, &k);
	ck_hex(k.signing, "8765949DFEAEE105CE9118B45BE988F0", 16);
	ck_assert_mem_eq(k.application, zero, 16);
	ck_assert_mem_eq(k.encrypt, zero, 32);
	ck_assert_mem_eq(k.decrypt, zero, 32);
	ck_assert_uint_eq(k.cipher_key_len, 0);
	smb2_derive_some_keys(SMB2_DIALECT_311, sk, pa, 16,
			      SMB2_KEYS_CIPHER, &k);
	ck_hex(k.signing, "8765949DFEAEE105CE9118B45BE988F0", 16);
	ck_assert_mem_eq(k.application, zero, 16);
	ck_hex(k.decrypt, "A2F5E80E5D59103034F32E52F698E5EC", 16);
	ck_hex(k.encrypt, "748C50868C90F302962A5C35F5F9A8BF", 16);
	ck_assert_uint_eq(k.cipher_key_len, 16);
	smb2_derive_some_keys(SMB2_DIALECT_311, sk, pa, 16,
			      SMB2_KEYS_APPLICATION, &k);
	ck_hex(k.application, "099D610789FBE82055B313601C3E8CC4", 16);

	/* AES-256: the same as the whole derivation */
	k = (struct smb2_keys) {};
	smb2_derive_some_keys(SMB2_DIALECT_311, sk, pa, 32,
			      SMB2_KEYS_SIGNING, &k);
	smb2_derive_some_keys(SMB2_DIALECT_311, sk, pa, 32,
			      SMB2_KEYS_CIPHER | SMB2_KEYS_APPLICATION, &k);
	smb2_derive_keys(SMB2_DIALECT_311, sk, pa, 32, &whole);
	ck_assert_mem_eq(&k, &whole, sizeof(k));

	/* 3.0 */
	hex_to("B4546771B515F766A86735532DD6C4F0", sk, 16);
	k = (struct smb2_keys) {};
	smb2_derive_some_keys(SMB2_DIALECT_300, sk, NULL, 16,
			      SMB2_KEYS_SIGNING, &k);
	ck_hex(k.signing, "F773CD23C18FD1E08EE510CADA7CF852", 16);
	ck_assert_mem_eq(k.encrypt, zero, 16);
	smb2_derive_some_keys(SMB2_DIALECT_300, sk, NULL, 16,
			      SMB2_KEYS_CIPHER, &k);
	ck_hex(k.decrypt, "261B72350558F2E9DCF613070383EDBF", 16);
	ck_hex(k.encrypt, "8FE2B57EC34D2DB5B1A9727F526BBDB5", 16);
	ck_assert_mem_eq(k.application, zero, 16);

	/* 2.x: the signing key is the session key, nothing else */
	k = (struct smb2_keys) {};
	smb2_derive_some_keys(SMB2_DIALECT_210, sk, NULL, 16,
			      SMB2_KEYS_ALL, &k);
	ck_assert_mem_eq(k.signing, sk, 16);
	ck_assert_mem_eq(k.encrypt, zero, 32);
}
END_TEST

START_TEST(test_derive_2x)
{
	static const uint8_t zero[16] = { 0 };
	uint8_t sk[16] = { 0 };
	struct smb2_keys k = {};

	for (size_t i = 0; i < 16; i++) {
		sk[i] = (uint8_t)(0xA0 + i);
	}
	smb2_derive_keys(SMB2_DIALECT_202, sk, NULL, 16, &k);
	ck_assert_mem_eq(k.signing, sk, 16);
	ck_assert_mem_eq(k.application, zero, 16);
	ck_assert_mem_eq(k.encrypt, zero, 16);
	ck_assert_mem_eq(k.decrypt, zero, 16);
	smb2_derive_keys(SMB2_DIALECT_210, sk, NULL, 16, &k);
	ck_assert_mem_eq(k.signing, sk, 16);
}
END_TEST

/* [PA]: each message and the hash after it. */
static const struct {
	const char *msg;
	const char *hash;
} pa_chain[] = {
	{ /* NEGOTIATE request */
	  "FE534D4240000100000000000000800000000000000000000100000000000000"
	  "FFFE000000000000000000000000000000000000000000000000000000000000"
	  "24000500000000003F000000ECD86F326276024F9F7752B89BB33F3A70000000"
	  "020000000202100200030203110300000100260000000000010020000100FA49"
	  "E6578F1F3A9F4CD3E9CC14A67AA884B3D05844E0E5A118225C15887F32FF0000"
	  "0200060000000000020002000100",
	  "DD94EFC5321BB618A2E208BA8920D2F422992526947A409B5037DE1E0FE8C736"
	  "2B8C47122594CDE0CE26AA9DFC8BCDBDE0621957672623351A7540F1E54A0426" },
	{ /* NEGOTIATE response */
	  "FE534D4240000100000000000000010001000000000000000100000000000000"
	  "FFFE000000000000000000000000000000000000000000000000000000000000"
	  "410001001103020039CBCAF329714942BDCE5D60F09AB3FB2F00000000008000"
	  "0000800000008000D8DAE5ADCBAED00109094AB095AED00180004001C0010000"
	  "6082013C06062B0601050502A08201303082012CA01A3018060A2B0601040182"
	  "3702021E060A2B06010401823702020AA282010C048201084E45474F45585453"
	  "010000000000000060000000700000007C7CC0FD06D6362D02DDE1CF343BFE29"
	  "2900F49750B4AA97934D9C4296B26E51FD370471B235E15A50DAE15BD5489C87"
	  "0000000000000000600000000100000000000000000000005C33530DEAF90D4D"
	  "B2EC4AE3786EC3084E45474F4558545303000000010000004000000098000000"
	  "7C7CC0FD06D6362D02DDE1CF343BFE295C33530DEAF90D4DB2EC4AE3786EC308"
	  "40000000580000003056A05430523027802530233121301F0603550403131854"
	  "6F6B656E205369676E696E67205075626C6963204B6579302780253023312130"
	  "1F06035504031318546F6B656E205369676E696E67205075626C6963204B6579"
	  "010026000000000001002000010060A3C3B95C3C7CCD51EC536648D9B3AC74C4"
	  "83CA5B65385A251117BEB30712E50000020004000000000001000200",
	  "324BFA92A4F3A190E466EBEA08D9C110DC88BFED758D9846ECC6F541CC1D02AE"
	  "3C94A79F36011E997E13F841B91B50957AD07B19C8E2539C0B23FDAE09D2C513" },
	{ /* SESSION_SETUP request 1 (NTLM NEGOTIATE) */
	  "FE534D4240000100000000000100800000000000000000000200000000000000"
	  "FFFE000000000000000000000000000000000000000000000000000000000000"
	  "19000001010000000000000058004A000000000000000000604806062B060105"
	  "0502A03E303CA00E300C060A2B06010401823702020AA22A04284E544C4D5353"
	  "500001000000978208E200000000000000000000000000000000060380250000"
	  "000F",
	  "AC0B0F2B9986257700365E416D142A6EDC96DF03594A19E52A15F6BD0D041CD5"
	  "D432F8ED42C55E33197A50C9EC00F1462B50C592211B1471A04B56088FDFD5F9" },
	{ /* SESSION_SETUP response 1 (MORE_PROCESSING_REQUIRED) */
	  "FE534D4240000100160000C00100010001000000000000000200000000000000"
	  "FFFE000000000000190000000010000000000000000000000000000000000000"
	  "090000004800B300A181B03081ADA0030A0101A10C060A2B0601040182370202"
	  "0AA281970481944E544C4D53535000020000000C000C003800000015828AE20D"
	  "1D8BA31179D008000000000000000050005000440000000A0092270000000F53"
	  "005500540033003100310002000C0053005500540033003100310001000C0053"
	  "005500540033003100310004000C0053005500540033003100310003000C0053"
	  "005500540033003100310007000800A1A1F5ADCBAED00100000000",
	  "2729E3440DFDDD839E37193F6E8F20C20CEFB3469E453A70CD980EEC06B88357"
	  "40A73760085633364C8989895ECE81BF102DEEB14D4B7D48AFA76901A7A38387" },
	{ /* SESSION_SETUP request 2 (NTLM AUTHENTICATE) */
	  "FE534D4240000100000000000100800000000000000000000300000000000000"
	  "FFFE000000000000190000000010000000000000000000000000000000000000"
	  "1900000101000000000000005800CF010000000000000000A18201CB308201C7"
	  "A0030A0101A28201AA048201A64E544C4D535350000300000018001800900000"
	  "00EE00EE00A80000000C000C00580000001A001A0064000000120012007E0000"
	  "001000100096010000158288E2060380250000000FECAC77A5F385A8BF9C38C7"
	  "06EEEDDCD3530055005400330031003100610064006D0069006E006900730074"
	  "007200610074006F007200440052004900560045005200330031003100000000"
	  "00000000000000000000000000000000000000000063078EB639FE03E20A231C"
	  "3AE3BF23080101000000000000A1A1F5ADCBAED001BC4AD05F223CC90F000000"
	  "0002000C0053005500540033003100310001000C005300550054003300310031"
	  "0004000C0053005500540033003100310003000C005300550054003300310031"
	  "0007000800A1A1F5ADCBAED00106000400020000000800300030000000000000"
	  "000000000000300000B61FEFCAA857EA57BF1EDCEBF8974B8E0EBA5A6DFD9D07"
	  "A31D11B548F8C9D0CC0A00100000000000000000000000000000000000090016"
	  "0063006900660073002F00530055005400330031003100000000000000000000"
	  "0000003B9BDFF38F5EE8F9663F11A0F4C03A78A31204100100000063775A9A5F"
	  "D97F0600000000",
	  "0DD13628CC3ED218EF9DF9772D436D0887AB9814BFAE63A80AA845F36909DB79"
	  "28622DDDAD522D9751640A459762C5A9D6BB084CBB3CE6BDADEF5D5BCE3C6C01" },
};

START_TEST(test_preauth_chain_published)
{
	uint8_t h[SMB2_PREAUTH_HASH_SIZE] = { 0 };
	uint8_t sk[16] = { 0 };
	struct smb2_keys k = {};

	for (size_t i = 0; i < sizeof(pa_chain) / sizeof(pa_chain[0]); i++) {
		size_t len = 0;
		uint8_t *m = wgt_hex(wgt_root, pa_chain[i].msg, &len);

		smb2_preauth_update(h, m, len);
		talloc_free(m);
		ck_hex(h, pa_chain[i].hash, sizeof(h));
	}
	hex_to("270E1BA896585EEB7AF3472D3B4C75A7", sk, 16);
	smb2_derive_keys(SMB2_DIALECT_311, sk, h, 16, &k);
	ck_hex(k.signing, "73FE7A9A77BEF0BDE49C650D8CCB5F76", 16);
}
END_TEST

/* [E311] final SESSION_SETUP response, signed by the server with CMAC. */
static const char ssr_hex[] =
	"FE534D4240000100000000000100800009000000000000000200000000000000"
	"FFFE00000000000025000000001000006B85A4519A0F3EEA35BA946DD3AFE6B8"
	"0900000048001D00A11B3019A0030A0100A3120410010000003932A87523AB66"
	"0100000000";

/* [E311] the WRITE request (client, not CANCEL), unsigned as published. */
static const char write_hex[] =
	"FE534D4240000100000000000900010008000000000000000500000000000000"
	"FFFE000001000000250000000010000000000000000000000000000000000000"
	"3100700017000000000000000000000006000000040000000100000004000000"
	"00000000000000007000000000000000536D623320656E6372797074696F6E20"
	"74657374696E67";

/* A client CANCEL, MessageId 0x1122334455667788, made up for [IND]. */
static const char cancel_hex[] =
	"FE534D4240000000000000000C00000008000000000000008877665544332211"
	"0000000000000000250000000010000000000000000000000000000000000000"
	"04000000";

static const char key311_hex[] = "8765949DFEAEE105CE9118B45BE988F0";

START_TEST(test_cmac_published)
{
	uint8_t key[16] = { 0 };
	uint8_t sig[16] = { 0 };
	size_t len = 0;
	uint8_t *m = wgt_hex(wgt_root, ssr_hex, &len);

	ck_assert_uint_eq(len, 101);
	hex_to(key311_hex, key, 16);
	ck_assert_int_eq(smb2_verify(SMB2_SIGN_AES_CMAC, key, m, len), 0);
	smb2_signature(SMB2_SIGN_AES_CMAC, key, m, len, sig);
	ck_hex(sig, "6B85A4519A0F3EEA35BA946DD3AFE6B8", 16);
	/* signing in place reproduces the same bytes */
	memset(m + SMB2_HDR_OFF_SIGNATURE, 0, 16);
	smb2_sign(SMB2_SIGN_AES_CMAC, key, m, len);
	ck_hex(m + SMB2_HDR_OFF_SIGNATURE, "6B85A4519A0F3EEA35BA946DD3AFE6B8",
	       16);
	talloc_free(m);
}
END_TEST

static const struct {
	const char *msg;
	const char *gmac_nonce;	/* for the record: what the nonce is */
	const char *hmac;
	const char *cmac;
	const char *gmac;
} ind[] = {
	{ ssr_hex, "020000000000000001000000",
	  "6A88DEEE0368BE83EEB593B2A68345E6",
	  "6B85A4519A0F3EEA35BA946DD3AFE6B8",
	  "42FE89B1890DE0AADF2117AC042B355B" },
	{ write_hex, "050000000000000000000000",
	  "CCAA5AC924B3B10E23E515A55D99EFA0",
	  "18C21921ACA28A77787C6670F20C9817",
	  "32E8C1C0D814298BB009899649850D92" },
	{ cancel_hex, "887766554433221102000000",
	  "E28D28B9B696A5ADC1D0A5534D5B5299",
	  "B03589E825B7FE34699262941E6087E1",
	  "444770EDDB76CA93D78CD7D35397C4D2" },
};

START_TEST(test_signatures_independent)
{
	uint8_t key[16] = { 0 };
	uint8_t sig[16] = { 0 };
	size_t len = 0;
	uint8_t *m = wgt_hex(wgt_root, ind[_i].msg, &len);

	hex_to(key311_hex, key, 16);
	smb2_signature(SMB2_SIGN_HMAC_SHA256, key, m, len, sig);
	ck_hex(sig, ind[_i].hmac, 16);
	smb2_signature(SMB2_SIGN_AES_CMAC, key, m, len, sig);
	ck_hex(sig, ind[_i].cmac, 16);
	smb2_signature(SMB2_SIGN_AES_GMAC, key, m, len, sig);
	ck_hex(sig, ind[_i].gmac, 16);
	talloc_free(m);
}
END_TEST

/* Sign, verify, then flip every byte in turn: each flip must fail. */
START_TEST(test_sign_verify_flip)
{
	static const enum smb2_sign_alg algs[] = {
		SMB2_SIGN_HMAC_SHA256, SMB2_SIGN_AES_CMAC, SMB2_SIGN_AES_GMAC,
	};
	enum smb2_sign_alg alg = algs[_i];
	uint8_t key[16] = { 0 };
	size_t len = 0;
	uint8_t *m = wgt_hex(wgt_root, write_hex, &len);

	hex_to(key311_hex, key, 16);
	wire_setle32(m + SMB2_HDR_OFF_FLAGS, 0);
	smb2_sign(alg, key, m, len);
	ck_assert_uint_eq(wire_le32(m + SMB2_HDR_OFF_FLAGS) &
			  SMB2_FLAGS_SIGNED, SMB2_FLAGS_SIGNED);
	ck_assert_int_eq(smb2_verify(alg, key, m, len), 0);
	for (size_t i = 0; i < len; i++) {
		for (unsigned bit = 0; bit < 8; bit += 7) {
			m[i] ^= (uint8_t)(1u << bit);
			ck_assert_int_eq(smb2_verify(alg, key, m, len),
					 WIRE_E_AUTH);
			m[i] ^= (uint8_t)(1u << bit);
		}
	}
	ck_assert_int_eq(smb2_verify(alg, key, m, len), 0);
	/* a truncated or extended message does not verify either */
	ck_assert_int_eq(smb2_verify(alg, key, m, len - 1), WIRE_E_AUTH);
	/* wrong key */
	key[15] ^= 1;
	ck_assert_int_eq(smb2_verify(alg, key, m, len), WIRE_E_AUTH);
	talloc_free(m);
}
END_TEST

START_TEST(test_verify_rejects)
{
	uint8_t key[16] = { 0 };
	uint8_t msg[SMB2_HDR_SIZE] = { 0 };
	uint8_t sig[16] = { 0xff };

	ck_assert_int_eq(smb2_verify(SMB2_SIGN_AES_CMAC, key, msg, 63),
			 WIRE_E_AUTH);
	ck_assert_int_eq(smb2_verify(SMB2_SIGN_AES_CMAC, key, msg, 0),
			 WIRE_E_AUTH);
	ck_assert_int_eq(smb2_verify((enum smb2_sign_alg)7, key, msg,
				     sizeof(msg)), WIRE_E_AUTH);
	/* an all-zero signature is not a free pass */
	ck_assert_int_eq(smb2_verify(SMB2_SIGN_AES_CMAC, key, msg,
				     sizeof(msg)), WIRE_E_AUTH);
	/* too short to sign: output is defined, input untouched */
	smb2_signature(SMB2_SIGN_AES_CMAC, key, msg, 10, sig);
	ck_assert_uint_eq(sig[0], 0);
	smb2_sign(SMB2_SIGN_AES_CMAC, key, msg, 10);
	ck_assert_uint_eq(msg[SMB2_HDR_OFF_FLAGS], 0);
}
END_TEST

/*
 * One expanded key signs several different messages, in turn and again:
 * each signature is the independent value and the raw-key path's, and
 * the key's bytes do not change (it is read-only in use, which is what
 * lets worker threads share one).
 */
START_TEST(test_key_reuse)
{
	static const enum smb2_sign_alg algs[] = {
		SMB2_SIGN_HMAC_SHA256, SMB2_SIGN_AES_CMAC, SMB2_SIGN_AES_GMAC,
	};
	static const size_t order[] = { 0, 1, 2, 0, 2, 1 };
	enum smb2_sign_alg alg = algs[_i];
	struct smb2_sign_key *k = talloc(wgt_root, struct smb2_sign_key);
	struct smb2_sign_key *snap = talloc(wgt_root, struct smb2_sign_key);
	uint8_t key[16] = { 0 };

	hex_to(key311_hex, key, 16);
	smb2_sign_key_init(k, alg, key);
	*snap = *k;
	for (size_t n = 0; n < sizeof(order) / sizeof(order[0]); n++) {
		size_t i = order[n];
		const char *want = alg == SMB2_SIGN_HMAC_SHA256 ? ind[i].hmac :
				   alg == SMB2_SIGN_AES_CMAC ? ind[i].cmac :
				   ind[i].gmac;
		uint8_t sig[16] = { 0 };
		uint8_t raw[16] = { 0 };
		size_t len = 0;
		uint8_t *m = wgt_hex(wgt_root, ind[i].msg, &len);

		smb2_key_signature(k, m, len, sig);
		ck_hex(sig, want, 16);
		smb2_signature(alg, key, m, len, raw);
		ck_assert_mem_eq(sig, raw, 16);
		smb2_key_sign(k, m, len);
		ck_assert_int_eq(smb2_key_verify(k, m, len), 0);
		ck_assert_int_eq(smb2_verify(alg, key, m, len), 0);
		m[len - 1] ^= 1;
		ck_assert_int_eq(smb2_key_verify(k, m, len), WIRE_E_AUTH);
		talloc_free(m);
	}
	ck_assert_mem_eq(k, snap, sizeof(*k));
	smb2_sign_key_wipe(k);
	ck_assert_int_eq(k->alg, 0);
	talloc_free(snap);
	talloc_free(k);
}
END_TEST

/*
 * A key made over stale bytes (a recycled allocation; init zeroes only
 * what its alg uses) signs as one made over zeros, and its wipe zeroes
 * every byte its alg used: the HMAC and CMAC members, or all of a GMAC
 * key's 4 KiB table.
 */
START_TEST(test_key_init_over_stale)
{
	static const enum smb2_sign_alg algs[] = {
		SMB2_SIGN_HMAC_SHA256, SMB2_SIGN_AES_CMAC, SMB2_SIGN_AES_GMAC,
	};
	enum smb2_sign_alg alg = algs[_i];
	struct smb2_sign_key *k = talloc(wgt_root, struct smb2_sign_key);
	struct smb2_sign_key *z = talloc_zero(wgt_root, struct smb2_sign_key);
	size_t used = offsetof(struct smb2_sign_key, u);
	uint8_t key[16] = { 0 };
	uint8_t a[16] = { 0 };
	uint8_t b[16] = { 0 };
	size_t len = 0;
	uint8_t *m = wgt_hex(wgt_root, ind[0].msg, &len);

	used += alg == SMB2_SIGN_HMAC_SHA256 ? sizeof(k->u.hmac) :
		alg == SMB2_SIGN_AES_CMAC ? sizeof(k->u.cmac) :
		sizeof(k->u);
	hex_to(key311_hex, key, 16);
	memset(k, 0xa5, sizeof(*k));
	smb2_sign_key_init(k, alg, key);
	smb2_sign_key_init(z, alg, key);
	smb2_key_signature(k, m, len, a);
	smb2_key_signature(z, m, len, b);
	ck_assert_mem_eq(a, b, 16);
	smb2_sign_key_wipe(k);
	for (size_t i = 0; i < used; i++) {
		ck_assert_msg(((const uint8_t *)k)[i] == 0,
			      "byte %zu of %zu not wiped", i, used);
	}
	talloc_free(m);
	talloc_free(z);
	talloc_free(k);
}
END_TEST

static Suite *smb2_crypto_suite(void)
{
	Suite *s = suite_create("smb2_crypto");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_add_test(tc, test_kdf_30_published);
	tcase_add_test(tc, test_kdf_raw);
	tcase_add_test(tc, test_kdf_311_published);
	tcase_add_test(tc, test_kdf_311_aes256);
	tcase_add_test(tc, test_derive_2x);
	tcase_add_test(tc, test_derive_split);
	tcase_add_test(tc, test_preauth_chain_published);
	tcase_add_test(tc, test_cmac_published);
	tcase_add_loop_test(tc, test_signatures_independent, 0,
			    sizeof(ind) / sizeof(ind[0]));
	tcase_add_loop_test(tc, test_sign_verify_flip, 0, 3);
	tcase_add_test(tc, test_verify_rejects);
	tcase_add_loop_test(tc, test_key_reuse, 0, 3);
	tcase_add_loop_test(tc, test_key_init_over_stale, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(smb2_crypto_suite)
