/*
 * test_dispatch.c - the SMB2 dispatcher (smbd/smb2/dispatch.c), driven
 * over a socketpair with raw frames: the table's preconditions
 * (NEGOTIATE first, need_session, need_tree, allow_null, StructureSize),
 * the MessageId window and credits (grant, window, charge), compound
 * chains (NextCommand bounds, related session/tree/FileId, a failed
 * CREATE's status through the chain), signature checks and encrypted
 * (TRANSFORM_HEADER) frames.
 *
 * Sessions are made through the internal API (tests/smbd/smbdtest.c),
 * not NTLMSSP: a signing session has the fixed key SMBDT_KEY and the
 * test signs its requests with proto/smb2_crypto; encrypting sessions
 * get fixed keys too and the test encrypts with proto/smb2_transform.
 */
#include "tests/wgtest.h"
#include "tests/smbd/smbdtest.h"
#include "proto/smb2_transform.h"
#include "smbd/smb2/cmd/cmd.h"
#include "smbd/fs/oplock.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

static struct smbdt *T;
static struct wire_wr W;	/* the request being built */

static void dt_setup(void)
{
	wgt_setup();
	T = smbdt_new(wgt_root, wgt_ev, NULL);
	smbdt_connect(T, false);
}

static void dt_teardown(void)
{
	TALLOC_FREE(W.buf);
	smbdt_free(T);
	T = NULL;
	wgt_teardown();
}

/* Start W with a header; returns the header to adjust before pushing. */
static struct smb2_hdr hdr(uint16_t cmd, uint64_t sess, uint32_t tree)
{
	return smbdt_hdr(cmd, smbdt_next_mid(T), sess, tree);
}

static void begin_with(const struct smb2_hdr *h)
{
	TALLOC_FREE(W.buf);
	wire_wr_init(&W, T, 0);
	smb2_hdr_push(&W, h);
}

static void begin(uint16_t cmd, uint64_t sess, uint32_t tree)
{
	struct smb2_hdr h = hdr(cmd, sess, tree);

	begin_with(&h);
}

static NTSTATUS call(void)
{
	return smbdt_call(T, &W);
}

/* Send W and expect the server to close without replying. */
static void call_drops(void)
{
	smbdt_send(T, &W);
	ck_assert_int_eq(smbdt_recv(T, SMBDT_WAIT_MS), -EPIPE);
	ck_assert_ptr_null(T->conn);
}

/* A negotiated 3.0.2 connection with a valid session and a tree. */
static void session_and_tree(bool signing, struct smbd_session **s,
			     struct smbd_tree **tr)
{
	smbdt_negotiate(T, SMB2_DIALECT_302, 64);
	*s = smbdt_session(T, signing, false);
	*tr = smbdt_tree(T, *s);
}

/* ---- splicing a plain WRITE's data (smbd_smb2_splice_at) ---- */

#define SPLICE_HEAD (SMB2_HDR_SIZE + 48)

/* The head of a WRITE of len bytes whose data starts at data_off. */
static void write_head(uint32_t flags, uint32_t next, uint16_t ssize,
		       uint16_t data_off, uint32_t len)
{
	struct smb2_hdr h = hdr(SMB2_WRITE, 1, 1);

	h.flags |= flags;
	h.next_command = next;
	begin_with(&h);
	wire_put_u16le(&W, ssize);
	wire_put_u16le(&W, data_off);
	wire_put_u32le(&W, len);
	wire_put_zero(&W, 48 - 8);
	ck_assert_uint_eq(W.len, SPLICE_HEAD);
}

static size_t splice_at(size_t frame_len)
{
	return smbd_smb2_upcalls.splice_at(T->conn, W.buf, W.len, frame_len);
}

START_TEST(test_splice_plain_write)
{
	smbdt_negotiate(T, SMB2_DIALECT_302, 64);
	write_head(0, 0, 49, SPLICE_HEAD, 1048576);
	ck_assert_uint_eq(splice_at(SPLICE_HEAD + 1048576), SPLICE_HEAD);
}
END_TEST

START_TEST(test_splice_declined)
{
	smbdt_negotiate(T, SMB2_DIALECT_302, 64);
	/* signed: the signature covers the data */
	write_head(SMB2_FLAGS_SIGNED, 0, 49, SPLICE_HEAD, 65536);
	ck_assert_uint_eq(splice_at(SPLICE_HEAD + 65536), 0);
	/* a compound */
	write_head(0, 128, 49, SPLICE_HEAD, 65536);
	ck_assert_uint_eq(splice_at(SPLICE_HEAD + 65536), 0);
	/* data after padding, or not to the frame's end, or past it */
	write_head(0, 0, 49, SPLICE_HEAD + 8, 65536);
	ck_assert_uint_eq(splice_at(SPLICE_HEAD + 8 + 65536), 0);
	write_head(0, 0, 49, SPLICE_HEAD, 65536);
	ck_assert_uint_eq(splice_at(SPLICE_HEAD + 65536 + 1), 0);
	ck_assert_uint_eq(splice_at(SPLICE_HEAD + 65536 - 1), 0);
	/* a wrong StructureSize */
	write_head(0, 0, 48, SPLICE_HEAD, 65536);
	ck_assert_uint_eq(splice_at(SPLICE_HEAD + 65536), 0);
	/* a response, and another command */
	write_head(SMB2_FLAGS_SERVER_TO_REDIR, 0, 49, SPLICE_HEAD, 65536);
	ck_assert_uint_eq(splice_at(SPLICE_HEAD + 65536), 0);
	write_head(0, 0, 49, SPLICE_HEAD, 65536);
	W.buf[12] = SMB2_READ;
	ck_assert_uint_eq(splice_at(SPLICE_HEAD + 65536), 0);
	/* not SMB2 */
	write_head(0, 0, 49, SPLICE_HEAD, 65536);
	W.buf[0] = 0xFD;
	ck_assert_uint_eq(splice_at(SPLICE_HEAD + 65536), 0);
	/* a head of another size */
	write_head(0, 0, 49, SPLICE_HEAD, 65536);
	ck_assert_uint_eq(smbd_smb2_upcalls.splice_at(T->conn, W.buf,
						      SPLICE_HEAD - 1,
						      SPLICE_HEAD + 65536), 0);
}
END_TEST

START_TEST(test_splice_not_before_negotiate)
{
	write_head(0, 0, 49, SPLICE_HEAD, 65536);
	ck_assert_uint_eq(splice_at(SPLICE_HEAD + 65536), 0);
}
END_TEST

/* ---- preconditions ---- */

START_TEST(test_nothing_before_negotiate)
{
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	call_drops();
	ck_assert_uint_eq(
		T->srv->stats.budget_hits[SMBD_BUDGET_NO_NEGOTIATE], 1);
}
END_TEST

START_TEST(test_negotiate_first_accepted)
{
	ck_assert_int_eq(T->conn->state, SMBD_CONN_NEGOTIATE);
	smbdt_negotiate(T, SMB2_DIALECT_302, 1);
	ck_assert_uint_eq(T->rep[0].h.command, SMB2_NEGOTIATE);
	ck_assert_uint_eq(T->conn->dialect, SMB2_DIALECT_302);
}
END_TEST

START_TEST(test_second_negotiate_drops)
{
	uint16_t d = SMB2_DIALECT_302;

	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	begin(SMB2_NEGOTIATE, 0, 0);
	smbdt_put_negotiate(&W, &d, 1);
	call_drops();
}
END_TEST

START_TEST(test_need_session_unknown)
{
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	begin(SMB2_FLUSH, 0x1234, 1);
	smbdt_put_flush(&W, 1, 1);
	ck_assert_uint_eq(call(), NT_STATUS_USER_SESSION_DELETED);
	/* the error body [MS-SMB2 §2.2.2] */
	ck_assert_uint_eq(T->rep[0].body_len, 9);
	ck_assert_uint_eq(wire_le16(T->rep[0].body), 9);
}
END_TEST

/*
 * A signed request for a session this connection never had: no key to
 * sign the reply with, so USER_SESSION_DELETED echoes SMB2_FLAGS_SIGNED
 * and the request's Signature (as Windows and Samba do); a related
 * request after it inherits the missing session: INVALID_PARAMETER,
 * echoed too. An unsigned request gets an unsigned reply.
 */
START_TEST(test_need_session_unknown_signed_echo)
{
	static const uint8_t sig[16] = { 0x5A, 1, 2, 3, 4, 5, 6, 7,
					 8, 9, 10, 11, 12, 13, 14, 0xA5 };
	struct smb2_hdr h = {};
	size_t second = 0;

	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	h = hdr(SMB2_FLUSH, UINT64_MAX, UINT32_MAX);
	h.flags |= SMB2_FLAGS_SIGNED;
	begin_with(&h);
	smbdt_put_flush(&W, 1, 1);
	wire_put_align(&W, 8);
	second = W.len;
	wire_patch_u32le(&W, SMB2_HDR_OFF_NEXT, (uint32_t)second);
	h = hdr(SMB2_FLUSH, 0, 0);
	h.flags |= SMB2_FLAGS_SIGNED | SMB2_FLAGS_RELATED_OPERATIONS;
	smb2_hdr_push(&W, &h);
	smbdt_put_flush(&W, UINT64_MAX, UINT64_MAX);
	memcpy(W.buf + SMB2_HDR_OFF_SIGNATURE, sig, 16);
	memcpy(W.buf + second + SMB2_HDR_OFF_SIGNATURE, sig, 16);
	smbdt_send(T, &W);
	ck_assert_int_eq(smbdt_recv(T, SMBDT_WAIT_MS), 0);
	ck_assert_uint_eq(T->nrep, 2);
	ck_assert_uint_eq(T->rep[0].h.status, NT_STATUS_USER_SESSION_DELETED);
	ck_assert_uint_eq(T->rep[1].h.status, NT_STATUS_INVALID_PARAMETER);
	for (size_t i = 0; i < 2; i++) {
		ck_assert(T->rep[i].h.flags & SMB2_FLAGS_SIGNED);
		ck_assert_mem_eq(T->rep[i].msg + SMB2_HDR_OFF_SIGNATURE, sig,
				 16);
	}

	begin(SMB2_FLUSH, UINT64_MAX, UINT32_MAX);
	smbdt_put_flush(&W, 1, 1);
	ck_assert_uint_eq(call(), NT_STATUS_USER_SESSION_DELETED);
	ck_assert(!(T->rep[0].h.flags & SMB2_FLAGS_SIGNED));
}
END_TEST

START_TEST(test_need_session_in_progress)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	session_and_tree(false, &s, &tr);
	s->state = SMBD_SESS_IN_PROGRESS;
	begin(SMB2_FLUSH, s->id, tr->id);
	smbdt_put_flush(&W, 1, 1);
	ck_assert_uint_eq(call(), NT_STATUS_USER_SESSION_DELETED);
}
END_TEST

START_TEST(test_need_session_expired)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	session_and_tree(false, &s, &tr);
	s->state = SMBD_SESS_EXPIRED;
	begin(SMB2_FLUSH, s->id, tr->id);
	smbdt_put_flush(&W, 1, 1);
	ck_assert_uint_eq(call(), NT_STATUS_NETWORK_SESSION_EXPIRED);
}
END_TEST

START_TEST(test_need_tree_unknown)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	session_and_tree(false, &s, &tr);
	begin(SMB2_FLUSH, s->id, tr->id + 7);
	smbdt_put_flush(&W, 1, 1);
	ck_assert_uint_eq(call(), NT_STATUS_NETWORK_NAME_DELETED);
}
END_TEST

/* Session and tree resolve: the handler runs (and finds no such file). */
START_TEST(test_need_tree_reaches_handler)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	session_and_tree(false, &s, &tr);
	begin(SMB2_FLUSH, s->id, tr->id);
	smbdt_put_flush(&W, 1, 1);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
	ck_assert_uint_eq(T->rep[0].h.session_id, s->id);
	ck_assert_uint_eq(T->rep[0].h.tree_id, tr->id);
}
END_TEST

/*
 * smbtorture smb2.session-id: a client keeps its SessionId in 32 bits,
 * sends one request with a wrong id (USER_SESSION_DELETED), then goes
 * back to the kept id. Ids fit in 32 bits, so that id is the session's
 * and the next request reaches its handler.
 */
START_TEST(test_session_id_fits_32_bits)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	uint32_t kept = 0;

	session_and_tree(false, &s, &tr);
	ck_assert_uint_ne(s->id, 0);
	ck_assert_uint_le(s->id, 0xFFFFFFFFULL);
	kept = (uint32_t)s->id;
	begin(SMB2_FLUSH, (uint32_t)(kept + 1234), tr->id);
	smbdt_put_flush(&W, 1, 1);
	ck_assert_uint_eq(call(), NT_STATUS_USER_SESSION_DELETED);
	begin(SMB2_FLUSH, kept, tr->id);
	smbdt_put_flush(&W, 1, 1);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
	ck_assert_uint_eq(T->rep[0].h.session_id, s->id);
}
END_TEST

/* The count wraps from 2^32 - 1 to 1 (never 0) and skips ids in use. */
START_TEST(test_session_id_wraps_and_skips_live)
{
	struct smbd_session *a = NULL, *b = NULL, *c = NULL, *d = NULL;

	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	T->srv->next_session_id = 0xFFFFFFFFULL;
	a = smbdt_session(T, false, false);
	b = smbdt_session(T, false, false);
	ck_assert_uint_eq(a->id, 0xFFFFFFFFULL);
	ck_assert_uint_eq(b->id, 1);
	/* 0xFFFFFFFF and 1 are taken: the next ones are 2 and 3 */
	T->srv->next_session_id = 0xFFFFFFFFULL;
	c = smbdt_session(T, false, false);
	ck_assert_uint_eq(c->id, 2);
	/* a gone, its id is free again */
	talloc_free(a);
	T->srv->next_session_id = 0xFFFFFFFFULL;
	d = smbdt_session(T, false, false);
	ck_assert_uint_eq(d->id, 0xFFFFFFFFULL);
}
END_TEST

START_TEST(test_echo_needs_no_session)
{
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	begin(SMB2_ECHO, 0xdead, 0xbeef);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->rep[0].body_len, 4);
	ck_assert_uint_eq(wire_le16(T->rep[0].body), 4);
	/* a lone response is not padded */
	ck_assert_uint_eq(T->frame_len, 68);
}
END_TEST

START_TEST(test_null_session_refused_lock)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	s = smbdt_session(T, false, true);
	tr = smbdt_tree(T, s);
	begin(SMB2_LOCK, s->id, tr->id);
	smbdt_put_lock(&W, 1, 1);
	ck_assert_uint_eq(call(), NT_STATUS_ACCESS_DENIED);
	/* allow_null: FLUSH gets as far as its handler */
	begin(SMB2_FLUSH, s->id, tr->id);
	smbdt_put_flush(&W, 1, 1);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
	/*
	 * allow_null: SET_INFO too, whose handle's granted access decides
	 * (a session re-authenticated as anonymous keeps its user's opens)
	 */
	begin(SMB2_SET_INFO, s->id, tr->id);
	wire_put_u16le(&W, 33);
	wire_put_u8(&W, SMB2_0_INFO_FILE);
	wire_put_u8(&W, 4);		/* FileBasicInformation */
	wire_put_u32le(&W, 40);		/* BufferLength */
	wire_put_u16le(&W, SMB2_HDR_SIZE + 32);
	wire_put_u16le(&W, 0);
	wire_put_u32le(&W, 0);
	wire_put_u64le(&W, 1);
	wire_put_u64le(&W, 1);
	wire_put_zero(&W, 40);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
}
END_TEST

/* The same LOCK from a named session reaches the handler. */
START_TEST(test_named_session_lock)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	session_and_tree(false, &s, &tr);
	begin(SMB2_LOCK, s->id, tr->id);
	smbdt_put_lock(&W, 1, 1);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
}
END_TEST

START_TEST(test_structure_size_wrong)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	session_and_tree(false, &s, &tr);
	begin(SMB2_ECHO, 0, 0);
	wire_put_u16le(&W, 5);
	wire_put_u16le(&W, 0);
	ck_assert_uint_eq(call(), NT_STATUS_INVALID_PARAMETER);
	begin(SMB2_FLUSH, s->id, tr->id);
	wire_put_u16le(&W, 25);
	wire_put_zero(&W, 22);
	ck_assert_uint_eq(call(), NT_STATUS_INVALID_PARAMETER);
	/* nothing at all after the header */
	begin(SMB2_ECHO, 0, 0);
	ck_assert_uint_eq(call(), NT_STATUS_INVALID_PARAMETER);
}
END_TEST

START_TEST(test_structure_size_short_body)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	session_and_tree(false, &s, &tr);
	/* StructureSize 24, but 20 bytes of body */
	begin(SMB2_FLUSH, s->id, tr->id);
	wire_put_u16le(&W, 24);
	wire_put_zero(&W, 18);
	ck_assert_uint_eq(call(), NT_STATUS_INVALID_PARAMETER);
	/* an odd size counts its variable byte as optional: 48 of 49 do */
	begin(SMB2_READ, s->id, tr->id);
	smbdt_put_read(&W, 1, 1, 16, 0);
	W.len--;
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
	begin(SMB2_READ, s->id, tr->id);
	smbdt_put_read(&W, 1, 1, 16, 0);
	W.len -= 2;
	ck_assert_uint_eq(call(), NT_STATUS_INVALID_PARAMETER);
	/* an ECHO of StructureSize 4 with 2 bytes */
	begin(SMB2_ECHO, 0, 0);
	wire_put_u16le(&W, 4);
	ck_assert_uint_eq(call(), NT_STATUS_INVALID_PARAMETER);
}
END_TEST

START_TEST(test_unknown_command)
{
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	/* OPLOCK_BREAK is known now: it needs a session */
	begin(SMB2_OPLOCK_BREAK, 0, 0);
	wire_put_u16le(&W, 24);
	wire_put_zero(&W, 22);
	ck_assert_uint_eq(call(), NT_STATUS_USER_SESSION_DELETED);
	ck_assert_uint_eq(T->rep[0].h.command, SMB2_OPLOCK_BREAK);
	begin(0x55, 0, 0);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_INVALID_PARAMETER);
	ck_assert_uint_eq(T->rep[0].h.command, 0x55);
}
END_TEST

START_TEST(test_response_flag_in_request_drops)
{
	struct smb2_hdr h = {};

	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	h = hdr(SMB2_ECHO, 0, 0);
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR;
	begin_with(&h);
	smbdt_put_echo(&W);
	call_drops();
}
END_TEST

/* ---- MessageIds and credits ---- */

START_TEST(test_credits_granted_as_asked)
{
	struct smb2_hdr h = {};

	smbdt_negotiate(T, SMB2_DIALECT_302, 10);
	ck_assert_uint_eq(T->rep[0].h.credits, 10);
	h = hdr(SMB2_ECHO, 0, 0);
	h.credits = 5;
	begin_with(&h);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->rep[0].h.credits, 5);
	/* asking for none still gets one, or the client would be stuck */
	h = hdr(SMB2_ECHO, 0, 0);
	h.credits = 0;
	begin_with(&h);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->rep[0].h.credits, 1);
}
END_TEST

/* Ask for everything: the window (max reply backlog / 64 KiB) caps it. */
static void window_check(uint16_t window)
{
	struct smb2_hdr h = {};

	smbdt_negotiate(T, SMB2_DIALECT_302, 1);
	h = hdr(SMB2_ECHO, 0, 0);
	h.credits = 65535;
	begin_with(&h);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->rep[0].h.credits, window);
	ck_assert_uint_eq(T->conn->seq_high - T->conn->seq_low, window);
	/* the MessageId bitmap is as large as the window, no larger */
	ck_assert_uint_eq(talloc_get_size(T->conn->seq_bitmap),
			  (window + 7u) / 8u);
	/* one used, so one more fits */
	h = hdr(SMB2_ECHO, 0, 0);
	h.credits = 65535;
	begin_with(&h);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->rep[0].h.credits, 1);
}

START_TEST(test_credit_window_default)
{
	/* 8 MiB of backlog: 128 credits */
	window_check(128);
}
END_TEST

START_TEST(test_credit_window_small_backlog)
{
	smbdt_free(T);
	T = smbdt_new(wgt_root, wgt_ev, "max reply backlog = 2M\n");
	smbdt_connect(T, false);
	window_check(32);
}
END_TEST

/* Below the smallest backlog the config takes: the floor of 16. */
START_TEST(test_credit_window_floor)
{
	/* the window is fixed when a connection is accepted */
	smbdt_free(T);
	T = smbdt_new(wgt_root, wgt_ev, "");
	T->srv->cfg->max_reply_backlog = 256 * 1024;
	smbdt_connect(T, false);
	window_check(16);
}
END_TEST

START_TEST(test_credit_window_ceiling)
{
	smbdt_free(T);
	T = smbdt_new(wgt_root, wgt_ev, "max reply backlog = 1G\n");
	smbdt_connect(T, false);
	window_check(SMBD_MAX_CREDITS);
}
END_TEST

/* A MessageId used once, still inside the window (1 is unused). */
START_TEST(test_mid_reused_drops)
{
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	T->mid = 3;
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->conn->seq_low, 1);
	T->mid = 3;
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	call_drops();
}
END_TEST

START_TEST(test_mid_beyond_window_drops)
{
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	/* granted 1..8 */
	T->mid = 9;
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	call_drops();
}
END_TEST

START_TEST(test_mid_last_in_window_ok)
{
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	T->mid = 8;
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->rep[0].h.message_id, 8);
}
END_TEST

START_TEST(test_mid_out_of_order)
{
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	T->mid = 5;
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->rep[0].h.message_id, 5);
	/* the window did not slide past the gap */
	ck_assert_uint_eq(T->conn->seq_low, 1);
	T->mid = 1;
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->rep[0].h.message_id, 1);
	ck_assert_uint_eq(T->conn->seq_low, 2);
	/* 5 is still used */
	T->mid = 5;
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	call_drops();
}
END_TEST

START_TEST(test_mid_below_window_drops)
{
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->conn->seq_low, 2);
	T->mid = 0;		/* NEGOTIATE's */
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	call_drops();
}
END_TEST

START_TEST(test_cancel_uses_no_mid)
{
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	begin(SMB2_CANCEL, 0, 0);
	smbdt_put_echo(&W);	/* same body: StructureSize 4 */
	smbdt_send(T, &W);
	smbdt_run(T, 50);
	ck_assert_uint_eq(smbdt_pending(T), 0);	/* no reply to CANCEL */
	ck_assert_uint_eq(T->conn->seq_low, 1);
	T->mid--;
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
}
END_TEST

/* A READ of 128 KiB needs a charge of 2 [MS-SMB2 §3.3.5.2.5]. */
START_TEST(test_charge_large_read)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	struct smb2_hdr h = {};

	session_and_tree(false, &s, &tr);
	begin(SMB2_READ, s->id, tr->id);
	smbdt_put_read(&W, 1, 1, 128 * 1024, 0);
	ck_assert_uint_eq(call(), NT_STATUS_INVALID_PARAMETER);
	h = hdr(SMB2_READ, s->id, tr->id);
	h.credit_charge = 2;
	T->mid++;
	begin_with(&h);
	smbdt_put_read(&W, 1, 1, 128 * 1024, 0);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
	ck_assert_uint_eq(T->rep[0].h.credit_charge, 2);
	/* exactly 64 KiB fits one credit */
	begin(SMB2_READ, s->id, tr->id);
	smbdt_put_read(&W, 1, 1, 64 * 1024, 0);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
}
END_TEST

START_TEST(test_charge_large_write)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	struct smb2_hdr h = {};

	session_and_tree(false, &s, &tr);
	begin(SMB2_WRITE, s->id, tr->id);
	smbdt_put_write(&W, 1, 1, NULL, 64 * 1024 + 1, 0);
	ck_assert_uint_eq(call(), NT_STATUS_INVALID_PARAMETER);
	h = hdr(SMB2_WRITE, s->id, tr->id);
	h.credit_charge = 2;
	T->mid++;
	begin_with(&h);
	smbdt_put_write(&W, 1, 1, NULL, 64 * 1024 + 1, 0);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
}
END_TEST

/* A charge of 3 consumes three MessageIds. */
START_TEST(test_charge_consumes_mids)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	struct smb2_hdr h = {};
	uint64_t mid = 0;

	session_and_tree(false, &s, &tr);
	h = hdr(SMB2_READ, s->id, tr->id);
	mid = h.message_id;
	h.credit_charge = 3;
	begin_with(&h);
	smbdt_put_read(&W, 1, 1, 1, 0);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
	ck_assert_uint_eq(T->conn->seq_low, mid + 3);
	T->mid = mid + 3;
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	T->mid = mid + 2;
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	call_drops();
}
END_TEST

START_TEST(test_charge_beyond_window_drops)
{
	struct smb2_hdr h = {};

	smbdt_negotiate(T, SMB2_DIALECT_302, 4);
	/* ids 1..4 granted; a charge of 5 from 1 runs past them */
	h = hdr(SMB2_ECHO, 0, 0);
	h.credit_charge = 5;
	begin_with(&h);
	smbdt_put_echo(&W);
	call_drops();
}
END_TEST

/* Before 2.1 CreditCharge is reserved: one id, no size check. */
START_TEST(test_charge_ignored_202)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	struct smb2_hdr h = {};

	smbdt_negotiate(T, SMB2_DIALECT_202, 8);
	s = smbdt_session(T, false, false);
	tr = smbdt_tree(T, s);
	h = hdr(SMB2_READ, s->id, tr->id);
	h.credit_charge = 0;
	begin_with(&h);
	smbdt_put_read(&W, 1, 1, 128 * 1024, 0);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
	ck_assert_uint_eq(T->conn->seq_low, 2);
	h = hdr(SMB2_ECHO, 0, 0);
	h.credit_charge = 5;
	begin_with(&h);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->conn->seq_low, 3);
}
END_TEST

/* ---- compound chains ---- */

START_TEST(test_compound_unrelated)
{
	struct smb2_hdr h = {};
	size_t m = 0;

	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	m = smbdt_chain(&W, 0);
	ck_assert_uint_eq(m, 72);
	h = hdr(SMB2_ECHO, 0, 0);
	smb2_hdr_push(&W, &h);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->nrep, 2);
	ck_assert_uint_eq(T->rep[0].h.next_command, 72);
	ck_assert_uint_eq(T->rep[0].h.message_id, 1);
	ck_assert_uint_eq(T->rep[1].h.next_command, 0);
	ck_assert_uint_eq(T->rep[1].h.message_id, 2);
	ck_assert_uint_eq(T->rep[1].h.status, NT_STATUS_OK);
	ck_assert(!(T->rep[1].h.flags & SMB2_FLAGS_RELATED_OPERATIONS));
	/* the last response of a compound is padded to 8 bytes too
	 * [MS-SMB2 §3.3.4.1.3]: 64 + 4 -> 72 */
	ck_assert_uint_eq(T->rep[1].msg_len, 72);
	ck_assert_uint_eq(T->frame_len, 144);
}
END_TEST

/* Push a related header: session and tree all ones (the server's). */
static size_t push_related(size_t prev, uint16_t cmd)
{
	struct smb2_hdr h = hdr(cmd, UINT64_MAX, UINT32_MAX);
	size_t m = smbdt_chain(&W, prev);

	h.flags = SMB2_FLAGS_RELATED_OPERATIONS;
	smb2_hdr_push(&W, &h);
	return m;
}

static void read_file(const char *name, char *buf, size_t len)
{
	char path[192];
	FILE *f = NULL;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", T->share, name);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/*
 * CREATE + WRITE + READ + CLOSE, the last three on the CREATE's FileId
 * (all ones), session and tree: every step succeeds on the new file.
 */
START_TEST(test_compound_related_fid)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	char got[32];
	size_t m = 0;

	session_and_tree(false, &s, &tr);
	begin(SMB2_CREATE, s->id, tr->id);
	smbdt_put_create(&W, "chain.txt", FILE_CREATE);
	m = push_related(0, SMB2_WRITE);
	smbdt_put_write(&W, UINT64_MAX, UINT64_MAX, "hello", 5, 0);
	m = push_related(m, SMB2_READ);
	smbdt_put_read(&W, UINT64_MAX, UINT64_MAX, 5, 0);
	push_related(m, SMB2_CLOSE);
	smbdt_put_close(&W, UINT64_MAX, UINT64_MAX);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->nrep, 4);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_uint_eq(T->rep[i].h.status, NT_STATUS_OK);
		/* the reply names the session the server used */
		ck_assert_uint_eq(T->rep[i].h.session_id, s->id);
		ck_assert_uint_eq(T->rep[i].h.tree_id, tr->id);
	}
	ck_assert(T->rep[1].h.flags & SMB2_FLAGS_RELATED_OPERATIONS);
	ck_assert_uint_eq(T->rep[2].h.command, SMB2_READ);
	ck_assert_uint_eq(wire_le32(T->rep[2].body + 4), 5);	/* DataLength */
	ck_assert_int_eq(memcmp(T->rep[2].msg + T->rep[2].body[2], "hello", 5),
			 0);
	ck_assert_uint_eq(T->conn->nopens, 0);
	read_file("chain.txt", got, sizeof(got));
	ck_assert_str_eq(got, "hello");
}
END_TEST

/* The all-ones FileId means nothing without RELATED_OPERATIONS. */
START_TEST(test_compound_related_fid_needs_flag)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	struct smb2_hdr h = {};

	session_and_tree(false, &s, &tr);
	begin(SMB2_CREATE, s->id, tr->id);
	smbdt_put_create(&W, "x.txt", FILE_CREATE);
	h = hdr(SMB2_FLUSH, s->id, tr->id);
	smbdt_chain(&W, 0);
	smb2_hdr_push(&W, &h);
	smbdt_put_flush(&W, UINT64_MAX, UINT64_MAX);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->nrep, 2);
	ck_assert_uint_eq(T->rep[1].h.status, NT_STATUS_FILE_CLOSED);
	/* alone, too */
	begin(SMB2_FLUSH, s->id, tr->id);
	smbdt_put_flush(&W, UINT64_MAX, UINT64_MAX);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
}
END_TEST

/* A FileId named by any request is the one the related ones use. */
START_TEST(test_compound_related_fid_from_flush)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	uint64_t fid = 0;

	session_and_tree(false, &s, &tr);
	begin(SMB2_CREATE, s->id, tr->id);
	smbdt_put_create(&W, "y.txt", FILE_CREATE);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	fid = wire_le64(T->rep[0].body + 72);	/* FileId.Volatile */
	begin(SMB2_FLUSH, s->id, tr->id);
	smbdt_put_flush(&W, fid, fid);
	push_related(0, SMB2_CLOSE);
	smbdt_put_close(&W, UINT64_MAX, UINT64_MAX);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->nrep, 2);
	ck_assert_uint_eq(T->rep[1].h.status, NT_STATUS_OK);
	ck_assert_uint_eq(T->conn->nopens, 0);
}
END_TEST

/* A failed CREATE fails the related requests after it with its status. */
START_TEST(test_compound_create_error_propagates)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	size_t m = 0;

	session_and_tree(false, &s, &tr);
	begin(SMB2_CREATE, s->id, tr->id);
	smbdt_put_create(&W, "missing.txt", FILE_OPEN);
	m = push_related(0, SMB2_READ);
	smbdt_put_read(&W, UINT64_MAX, UINT64_MAX, 5, 0);
	push_related(m, SMB2_CLOSE);
	smbdt_put_close(&W, UINT64_MAX, UINT64_MAX);
	ck_assert_uint_eq(call(), NT_STATUS_OBJECT_NAME_NOT_FOUND);
	ck_assert_uint_eq(T->nrep, 3);
	ck_assert_uint_eq(T->rep[1].h.status, NT_STATUS_OBJECT_NAME_NOT_FOUND);
	ck_assert_uint_eq(T->rep[2].h.status, NT_STATUS_OBJECT_NAME_NOT_FOUND);
}
END_TEST

/* An unrelated request after a failed CREATE runs on its own. */
START_TEST(test_compound_create_error_unrelated)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	struct smb2_hdr h = {};

	session_and_tree(false, &s, &tr);
	begin(SMB2_CREATE, s->id, tr->id);
	smbdt_put_create(&W, "missing.txt", FILE_OPEN);
	h = hdr(SMB2_ECHO, 0, 0);
	smbdt_chain(&W, 0);
	smb2_hdr_push(&W, &h);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_OBJECT_NAME_NOT_FOUND);
	ck_assert_uint_eq(T->nrep, 2);
	ck_assert_uint_eq(T->rep[1].h.status, NT_STATUS_OK);
}
END_TEST

/*
 * RELATED_OPERATIONS on the first request: it is related to nothing, so it
 * fails with INVALID_PARAMETER, and so do the related requests after it;
 * an unrelated one runs [MS-SMB2 §3.3.5.2.7.2, as Windows].
 */
START_TEST(test_compound_first_related_fails)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	struct smb2_hdr h = {};
	size_t m = 0;

	session_and_tree(false, &s, &tr);
	h = hdr(SMB2_FLUSH, s->id, tr->id);
	h.flags = SMB2_FLAGS_RELATED_OPERATIONS;
	begin_with(&h);
	smbdt_put_flush(&W, 1, 1);
	h = hdr(SMB2_ECHO, 0, 0);
	h.flags = SMB2_FLAGS_RELATED_OPERATIONS;
	m = smbdt_chain(&W, 0);
	smb2_hdr_push(&W, &h);
	smbdt_put_echo(&W);
	h = hdr(SMB2_ECHO, 0, 0);
	smbdt_chain(&W, m);
	smb2_hdr_push(&W, &h);
	smbdt_put_echo(&W);
	ck_assert_uint_eq(call(), NT_STATUS_INVALID_PARAMETER);
	ck_assert_uint_eq(T->nrep, 3);
	ck_assert_uint_eq(T->rep[1].h.status, NT_STATUS_INVALID_PARAMETER);
	ck_assert_uint_eq(T->rep[2].h.status, NT_STATUS_OK);
}
END_TEST

/*
 * One compound's replies may fill the reply backlog and no more: with a
 * backlog of 2 MiB, the third 1 MiB READ of a chain is refused.
 */
START_TEST(test_compound_reply_limit)
{
	enum { MB = 1024 * 1024 };
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	struct smb2_hdr h = {};
	char path[192];
	uint64_t fid = 0;
	FILE *fp = NULL;
	size_t m = 0;
	int i = 0;

	snprintf(path, sizeof(path), "%s/mb.bin", T->share);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(ftruncate(fileno(fp), MB), 0);
	fclose(fp);
	session_and_tree(false, &s, &tr);
	begin(SMB2_CREATE, s->id, tr->id);
	smbdt_put_create(&W, "mb.bin", FILE_OPEN);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	fid = wire_le64(T->rep[0].body + 72);
	T->srv->cfg->max_reply_backlog = 2 * MB;
	for (i = 0; i < 3; i++) {
		h = hdr(SMB2_READ, s->id, tr->id);
		h.credit_charge = MB / 65536;
		T->mid += MB / 65536 - 1;
		if (i == 0) {
			begin_with(&h);
		} else {
			m = smbdt_chain(&W, m);
			h.flags = SMB2_FLAGS_RELATED_OPERATIONS;
			smb2_hdr_push(&W, &h);
		}
		smbdt_put_read(&W, i == 0 ? fid : UINT64_MAX,
			       i == 0 ? fid : UINT64_MAX, MB, 0);
	}
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->nrep, 3);
	ck_assert_uint_eq(T->rep[1].h.status, NT_STATUS_OK);
	ck_assert_uint_eq(T->rep[2].h.status,
			  NT_STATUS_INSUFFICIENT_RESOURCES);
	ck_assert_uint_eq(T->srv->stats.budget_hits[SMBD_BUDGET_COMPOUND], 1);
}
END_TEST

/* Two ECHOs whose first NextCommand is set to next. */
static void chain_with_next(uint32_t next)
{
	struct smb2_hdr h = {};

	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	smbdt_chain(&W, 0);
	h = hdr(SMB2_ECHO, 0, 0);
	smb2_hdr_push(&W, &h);
	smbdt_put_echo(&W);
	wire_patch_u32le(&W, SMB2_HDR_OFF_NEXT, next);
}

/* The second ECHO right after the first, at 68: not 8-aligned. */
START_TEST(test_next_command_unaligned_drops)
{
	struct smb2_hdr h = {};

	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	begin(SMB2_ECHO, 0, 0);
	smbdt_put_echo(&W);
	wire_patch_u32le(&W, SMB2_HDR_OFF_NEXT, (uint32_t)W.len);
	h = hdr(SMB2_ECHO, 0, 0);
	smb2_hdr_push(&W, &h);
	smbdt_put_echo(&W);
	call_drops();
}
END_TEST

/*
 * NextCommand 56, inside the first header, where a well-formed second
 * ECHO begins (over the first's signature and body): refused, not run.
 */
START_TEST(test_next_command_inside_header_drops)
{
	struct smb2_hdr h = {};
	struct wire_wr second;

	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	h = hdr(SMB2_ECHO, 0, 0);
	h.next_command = 56;
	begin_with(&h);
	W.len = 56;
	h = hdr(SMB2_ECHO, 0, 0);
	wire_wr_init(&second, T, 0);
	smb2_hdr_push(&second, &h);
	smbdt_put_echo(&second);
	wire_put_bytes(&W, second.buf, second.len);
	talloc_free(second.buf);
	call_drops();
}
END_TEST

START_TEST(test_next_command_past_end_drops)
{
	chain_with_next(72 + 72);
	call_drops();
}
END_TEST

/* The same chain with a good NextCommand is answered (control). */
START_TEST(test_next_command_exact_ok)
{
	chain_with_next(72);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->nrep, 2);
}
END_TEST

/* ---- signing ---- */

/* A FLUSH of no file on s/tr: FILE_CLOSED once it passed the checks. */
static void begin_flush(struct smbd_session *s, struct smbd_tree *tr)
{
	begin(SMB2_FLUSH, s->id, tr->id);
	smbdt_put_flush(&W, 1, 1);
}

static void sign_all(enum smb2_sign_alg alg, const uint8_t *key)
{
	smbdt_sign(&W, 0, W.len, alg, key);
}

static bool reply_signed_by(size_t i, enum smb2_sign_alg alg,
			    const uint8_t *key)
{
	return (T->rep[i].h.flags & SMB2_FLAGS_SIGNED) &&
	       smb2_verify(alg, key, T->rep[i].msg, T->rep[i].msg_len) == 0;
}

START_TEST(test_signed_request_passes)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	session_and_tree(true, &s, &tr);
	begin_flush(s, tr);
	sign_all(SMB2_SIGN_AES_CMAC, SMBDT_KEY);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
	ck_assert(reply_signed_by(0, SMB2_SIGN_AES_CMAC, SMBDT_KEY));
}
END_TEST

START_TEST(test_unsigned_request_refused)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	session_and_tree(true, &s, &tr);
	begin_flush(s, tr);
	ck_assert_uint_eq(call(), NT_STATUS_ACCESS_DENIED);
	ck_assert(!(T->rep[0].h.flags & SMB2_FLAGS_SIGNED));
	/* the connection stays */
	ck_assert_ptr_nonnull(T->conn);
}
END_TEST

START_TEST(test_bad_signature_refused)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	session_and_tree(true, &s, &tr);
	begin_flush(s, tr);
	sign_all(SMB2_SIGN_AES_CMAC, SMBDT_KEY);
	W.buf[SMB2_HDR_OFF_SIGNATURE + 3] ^= 0x40;
	ck_assert_uint_eq(call(), NT_STATUS_ACCESS_DENIED);
	ck_assert(!(T->rep[0].h.flags & SMB2_FLAGS_SIGNED));
}
END_TEST

START_TEST(test_tampered_body_refused)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	session_and_tree(true, &s, &tr);
	begin_flush(s, tr);
	sign_all(SMB2_SIGN_AES_CMAC, SMBDT_KEY);
	W.buf[W.len - 1] ^= 0x01;	/* FileId */
	ck_assert_uint_eq(call(), NT_STATUS_ACCESS_DENIED);
}
END_TEST

START_TEST(test_wrong_key_refused)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	uint8_t key[16];

	session_and_tree(true, &s, &tr);
	memcpy(key, SMBDT_KEY, 16);
	key[15] ^= 1;
	begin_flush(s, tr);
	sign_all(SMB2_SIGN_AES_CMAC, key);
	ck_assert_uint_eq(call(), NT_STATUS_ACCESS_DENIED);
}
END_TEST

/* 3.x signs with AES-CMAC: an HMAC-SHA256 signature is wrong there. */
START_TEST(test_wrong_alg_refused)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	session_and_tree(true, &s, &tr);
	begin_flush(s, tr);
	sign_all(SMB2_SIGN_HMAC_SHA256, SMBDT_KEY);
	ck_assert_uint_eq(call(), NT_STATUS_ACCESS_DENIED);
}
END_TEST

/* ... and 2.1 with HMAC-SHA256. */
START_TEST(test_signed_hmac_21)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	smbdt_negotiate(T, SMB2_DIALECT_210, 8);
	s = smbdt_session(T, true, false);
	tr = smbdt_tree(T, s);
	begin_flush(s, tr);
	sign_all(SMB2_SIGN_HMAC_SHA256, SMBDT_KEY);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
	ck_assert(reply_signed_by(0, SMB2_SIGN_HMAC_SHA256, SMBDT_KEY));
	begin_flush(s, tr);
	sign_all(SMB2_SIGN_AES_CMAC, SMBDT_KEY);
	ck_assert_uint_eq(call(), NT_STATUS_ACCESS_DENIED);
}
END_TEST

/* 3.1.1 with AES-GMAC negotiated: GMAC signatures, CMAC refused. */
START_TEST(test_signed_gmac_311)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	uint16_t d = SMB2_DIALECT_311;

	begin(SMB2_NEGOTIATE, 0, 0);
	smbdt_put_negotiate_signing(&W, &d, 1, SMB2_SIGNING_AES_GMAC);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->conn->dialect, SMB2_DIALECT_311);
	ck_assert_int_eq(T->conn->sign_alg, SMB2_SIGN_AES_GMAC);
	s = smbdt_session(T, true, false);
	tr = smbdt_tree(T, s);
	begin_flush(s, tr);
	sign_all(SMB2_SIGN_AES_GMAC, SMBDT_KEY);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
	ck_assert(reply_signed_by(0, SMB2_SIGN_AES_GMAC, SMBDT_KEY));
	begin_flush(s, tr);
	sign_all(SMB2_SIGN_AES_CMAC, SMBDT_KEY);
	ck_assert_uint_eq(call(), NT_STATUS_ACCESS_DENIED);
}
END_TEST

/* Signing offered but not required: both kinds pass; replies match. */
START_TEST(test_signing_optional)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	session_and_tree(true, &s, &tr);
	s->signing_required = false;
	begin_flush(s, tr);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
	ck_assert(!(T->rep[0].h.flags & SMB2_FLAGS_SIGNED));
	begin_flush(s, tr);
	sign_all(SMB2_SIGN_AES_CMAC, SMBDT_KEY);
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
	ck_assert(reply_signed_by(0, SMB2_SIGN_AES_CMAC, SMBDT_KEY));
}
END_TEST

/* Each message of a chain is signed on its own, padding included. */
START_TEST(test_signed_compound)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	size_t m = 0;

	session_and_tree(true, &s, &tr);
	begin(SMB2_CREATE, s->id, tr->id);
	smbdt_put_create(&W, "signed.txt", FILE_CREATE);
	m = push_related(0, SMB2_CLOSE);
	smbdt_put_close(&W, UINT64_MAX, UINT64_MAX);
	smbdt_sign(&W, 0, m, SMB2_SIGN_AES_CMAC, SMBDT_KEY);
	smbdt_sign(&W, m, W.len, SMB2_SIGN_AES_CMAC, SMBDT_KEY);
	ck_assert_uint_eq(call(), NT_STATUS_OK);
	ck_assert_uint_eq(T->nrep, 2);
	ck_assert_uint_eq(T->rep[1].h.status, NT_STATUS_OK);
	ck_assert(reply_signed_by(0, SMB2_SIGN_AES_CMAC, SMBDT_KEY));
	ck_assert(reply_signed_by(1, SMB2_SIGN_AES_CMAC, SMBDT_KEY));
	ck_assert_uint_eq(T->conn->nopens, 0);
}
END_TEST

/* A bad signature on the second message fails that one only. */
START_TEST(test_signed_compound_second_bad)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	struct smb2_hdr h = {};
	size_t m = 0;

	session_and_tree(true, &s, &tr);
	begin_flush(s, tr);
	m = smbdt_chain(&W, 0);
	h = hdr(SMB2_FLUSH, s->id, tr->id);
	smb2_hdr_push(&W, &h);
	smbdt_put_flush(&W, 1, 1);
	smbdt_sign(&W, 0, m, SMB2_SIGN_AES_CMAC, SMBDT_KEY);
	smbdt_sign(&W, m, W.len, SMB2_SIGN_AES_CMAC, SMBDT_KEY);
	W.buf[W.len - 2] ^= 0x10;
	ck_assert_uint_eq(call(), NT_STATUS_FILE_CLOSED);
	ck_assert_uint_eq(T->nrep, 2);
	ck_assert_uint_eq(T->rep[1].h.status, NT_STATUS_ACCESS_DENIED);
	ck_assert(reply_signed_by(0, SMB2_SIGN_AES_CMAC, SMBDT_KEY));
	ck_assert(!(T->rep[1].h.flags & SMB2_FLAGS_SIGNED));
}
END_TEST

/*
 * A session that ended on this connection: a request signed with its
 * key gets USER_SESSION_DELETED signed with that key.
 */
START_TEST(test_ended_session_reply_signed)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	uint64_t id = 0;
	uint32_t tid = 0;

	session_and_tree(true, &s, &tr);
	id = s->id;
	tid = tr->id;
	talloc_free(s);
	begin(SMB2_FLUSH, id, tid);
	smbdt_put_flush(&W, 1, 1);
	sign_all(SMB2_SIGN_AES_CMAC, SMBDT_KEY);
	ck_assert_uint_eq(call(), NT_STATUS_USER_SESSION_DELETED);
	ck_assert(reply_signed_by(0, SMB2_SIGN_AES_CMAC, SMBDT_KEY));
	/* unsigned: the reply is not signed */
	begin(SMB2_FLUSH, id, tid);
	smbdt_put_flush(&W, 1, 1);
	ck_assert_uint_eq(call(), NT_STATUS_USER_SESSION_DELETED);
	ck_assert(!(T->rep[0].h.flags & SMB2_FLAGS_SIGNED));
}
END_TEST

/* ---- encryption ---- */

static const uint8_t KEY_C2S[16] = "client-to-serve";	/* server decrypts */
static const uint8_t KEY_S2C[16] = "server-to-clien";	/* server encrypts */

/* A signing session with encryption keys, on a GCM connection. */
static void enc_session(struct smbd_session **s, struct smbd_tree **tr)
{
	session_and_tree(true, s, tr);
	memcpy((*s)->keys.decrypt, KEY_C2S, 16);
	memcpy((*s)->keys.encrypt, KEY_S2C, 16);
	(*s)->have_cipher_keys = true;	/* set, not derived */
	/* as NEGOTIATE of 3.1.1 with an encryption context would */
	T->conn->cipher = SMB2_CIPHER_AES128_GCM;
}

/* Send W encrypted under key for session id. */
static void send_encrypted(const uint8_t *key, uint64_t id)
{
	struct wire_wr f = {};
	uint8_t *out = NULL;
	size_t out_len = 0;

	ck_assert_int_eq(smb2_encrypt(SMB2_CIPHER_AES128_GCM, key, id, W.buf,
				      W.len, T, &out, &out_len), 0);
	f.buf = out;
	f.len = out_len;
	smbdt_send(T, &f);
	talloc_free(out);
}

/*
 * Read an encrypted reply frame and decrypt it; *h is its first
 * header. Returns the plaintext (child of T).
 */
static uint8_t *recv_encrypted(struct smb2_hdr *h, size_t *len)
{
	uint8_t *plain = NULL;
	struct wire_rd r;

	ck_assert_int_eq(smbdt_recv(T, SMBDT_WAIT_MS), 0);
	ck_assert_uint_ge(T->frame_len, 4);
	ck_assert_int_eq(memcmp(T->frame, SMB2_TRANSFORM_MAGIC, 4), 0);
	ck_assert_int_eq(smb2_decrypt(SMB2_CIPHER_AES128_GCM, KEY_S2C,
				      T->frame, T->frame_len, T, &plain, len),
			 0);
	wire_rd_init(&r, plain, *len);
	ck_assert_int_eq(smb2_hdr_pull(&r, h), 0);
	return plain;
}

/* The AEAD stands for the signature: an unsigned request passes. */
START_TEST(test_encrypted_request_encrypted_reply)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	struct smb2_hdr h = {};
	uint8_t *plain = NULL;
	size_t len = 0;

	enc_session(&s, &tr);
	begin_flush(s, tr);
	send_encrypted(KEY_C2S, s->id);
	plain = recv_encrypted(&h, &len);
	ck_assert_uint_eq(h.status, NT_STATUS_FILE_CLOSED);
	ck_assert_uint_eq(h.command, SMB2_FLUSH);
	ck_assert(s->encrypted);
	talloc_free(plain);
}
END_TEST

START_TEST(test_encrypted_compound)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	struct smb2_hdr h = {}, h2 = {};
	struct wire_rd r;
	uint8_t *plain = NULL;
	size_t len = 0;

	enc_session(&s, &tr);
	begin(SMB2_CREATE, s->id, tr->id);
	smbdt_put_create(&W, "secret.txt", FILE_CREATE);
	push_related(0, SMB2_CLOSE);
	smbdt_put_close(&W, UINT64_MAX, UINT64_MAX);
	send_encrypted(KEY_C2S, s->id);
	plain = recv_encrypted(&h, &len);
	ck_assert_uint_eq(h.status, NT_STATUS_OK);
	ck_assert_uint_ne(h.next_command, 0);
	ck_assert_uint_lt(h.next_command, len);
	wire_rd_init(&r, plain + h.next_command, len - h.next_command);
	ck_assert_int_eq(smb2_hdr_pull(&r, &h2), 0);
	ck_assert_uint_eq(h2.command, SMB2_CLOSE);
	ck_assert_uint_eq(h2.status, NT_STATUS_OK);
	ck_assert_uint_eq(T->conn->nopens, 0);
	talloc_free(plain);
}
END_TEST

/*
 * A break notification to a session the client encrypts goes out
 * encrypted under its ServerOut key, while the session still expands its
 * key per message and once it keeps it (after a few uses), each time
 * with a nonce of its own.
 */
START_TEST(test_encrypted_break_notification)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	struct smb2_hdr h = {};
	uint8_t *plain = NULL;
	uint8_t nonce[SMB2_TRANSFORM_NONCE_SIZE] = { 0 };
	size_t len = 0;
	int i = 0;

	enc_session(&s, &tr);
	begin(SMB2_CREATE, s->id, tr->id);
	smbdt_put_create(&W, "brk.txt", FILE_CREATE);
	send_encrypted(KEY_C2S, s->id);
	plain = recv_encrypted(&h, &len);
	ck_assert_uint_eq(h.status, NT_STATUS_OK);
	talloc_free(plain);
	ck_assert(s->encrypted);
	ck_assert_ptr_nonnull(tr->opens);
	for (i = 0; i < 12; i++) {
		smbd_smb2_oplock_upcalls.send_break(tr->opens,
						    SMB2_OPLOCK_LEVEL_II);
		plain = recv_encrypted(&h, &len);
		ck_assert_uint_eq(h.command, SMB2_OPLOCK_BREAK);
		ck_assert(h.message_id == SMB2_MID_NOTIFICATION);
		/* Nonce: after ProtocolId (4) and Signature (16) */
		ck_assert_int_ne(memcmp(T->frame + 20, nonce, sizeof(nonce)),
				 0);
		memcpy(nonce, T->frame + 20, sizeof(nonce));
		talloc_free(plain);
	}
	ck_assert_ptr_nonnull(s->enc_key);	/* kept by now */
}
END_TEST

START_TEST(test_encrypted_bad_tag_drops)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	struct wire_wr f = {};
	uint8_t *out = NULL;
	size_t out_len = 0;

	enc_session(&s, &tr);
	begin_flush(s, tr);
	ck_assert_int_eq(smb2_encrypt(SMB2_CIPHER_AES128_GCM, KEY_C2S, s->id,
				      W.buf, W.len, T, &out, &out_len), 0);
	out[out_len - 1] ^= 0x80;	/* ciphertext */
	f.buf = out;
	f.len = out_len;
	smbdt_send(T, &f);
	talloc_free(out);
	ck_assert_int_eq(smbdt_recv(T, SMBDT_WAIT_MS), -EPIPE);
}
END_TEST

START_TEST(test_encrypted_wrong_key_drops)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	enc_session(&s, &tr);
	begin_flush(s, tr);
	send_encrypted(KEY_S2C, s->id);
	ck_assert_int_eq(smbdt_recv(T, SMBDT_WAIT_MS), -EPIPE);
}
END_TEST

START_TEST(test_encrypted_unknown_session_drops)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	enc_session(&s, &tr);
	begin_flush(s, tr);
	send_encrypted(KEY_C2S, s->id + 1);
	ck_assert_int_eq(smbdt_recv(T, SMBDT_WAIT_MS), -EPIPE);
}
END_TEST

/* No cipher negotiated: a TRANSFORM_HEADER frame ends the connection. */
START_TEST(test_encrypted_without_cipher_drops)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;

	enc_session(&s, &tr);
	T->conn->cipher = SMB2_CIPHER_NONE;
	begin_flush(s, tr);
	send_encrypted(KEY_C2S, s->id);
	ck_assert_int_eq(smbdt_recv(T, SMBDT_WAIT_MS), -EPIPE);
}
END_TEST

static Suite *dispatch_suite(void)
{
	Suite *su = suite_create("dispatch");
	TCase *tp = tcase_create("preconditions");
	TCase *tc = tcase_create("credits");
	TCase *tx = tcase_create("compound");
	TCase *ts = tcase_create("signing");
	TCase *te = tcase_create("encryption");

	tcase_add_checked_fixture(tp, dt_setup, dt_teardown);
	tcase_add_test(tp, test_nothing_before_negotiate);
	tcase_add_test(tp, test_negotiate_first_accepted);
	tcase_add_test(tp, test_second_negotiate_drops);
	tcase_add_test(tp, test_need_session_unknown);
	tcase_add_test(tp, test_need_session_unknown_signed_echo);
	tcase_add_test(tp, test_need_session_in_progress);
	tcase_add_test(tp, test_need_session_expired);
	tcase_add_test(tp, test_need_tree_unknown);
	tcase_add_test(tp, test_need_tree_reaches_handler);
	tcase_add_test(tp, test_echo_needs_no_session);
	tcase_add_test(tp, test_session_id_fits_32_bits);
	tcase_add_test(tp, test_session_id_wraps_and_skips_live);
	tcase_add_test(tp, test_null_session_refused_lock);
	tcase_add_test(tp, test_named_session_lock);
	tcase_add_test(tp, test_structure_size_wrong);
	tcase_add_test(tp, test_structure_size_short_body);
	tcase_add_test(tp, test_unknown_command);
	tcase_add_test(tp, test_response_flag_in_request_drops);
	suite_add_tcase(su, tp);

	tcase_add_checked_fixture(tc, dt_setup, dt_teardown);
	tcase_add_test(tc, test_credits_granted_as_asked);
	tcase_add_test(tc, test_credit_window_default);
	tcase_add_test(tc, test_credit_window_small_backlog);
	tcase_add_test(tc, test_credit_window_floor);
	tcase_add_test(tc, test_credit_window_ceiling);
	tcase_add_test(tc, test_mid_reused_drops);
	tcase_add_test(tc, test_mid_beyond_window_drops);
	tcase_add_test(tc, test_mid_last_in_window_ok);
	tcase_add_test(tc, test_mid_out_of_order);
	tcase_add_test(tc, test_mid_below_window_drops);
	tcase_add_test(tc, test_cancel_uses_no_mid);
	tcase_add_test(tc, test_charge_large_read);
	tcase_add_test(tc, test_charge_large_write);
	tcase_add_test(tc, test_charge_consumes_mids);
	tcase_add_test(tc, test_charge_beyond_window_drops);
	tcase_add_test(tc, test_charge_ignored_202);
	suite_add_tcase(su, tc);

	tcase_add_checked_fixture(tx, dt_setup, dt_teardown);
	tcase_add_test(tx, test_compound_unrelated);
	tcase_add_test(tx, test_compound_related_fid);
	tcase_add_test(tx, test_compound_related_fid_needs_flag);
	tcase_add_test(tx, test_compound_related_fid_from_flush);
	tcase_add_test(tx, test_compound_create_error_propagates);
	tcase_add_test(tx, test_compound_create_error_unrelated);
	tcase_add_test(tx, test_compound_first_related_fails);
	tcase_add_test(tx, test_compound_reply_limit);
	tcase_add_test(tx, test_next_command_unaligned_drops);
	tcase_add_test(tx, test_next_command_inside_header_drops);
	tcase_add_test(tx, test_next_command_past_end_drops);
	tcase_add_test(tx, test_next_command_exact_ok);
	suite_add_tcase(su, tx);

	tcase_add_checked_fixture(ts, dt_setup, dt_teardown);
	tcase_add_test(ts, test_signed_request_passes);
	tcase_add_test(ts, test_unsigned_request_refused);
	tcase_add_test(ts, test_bad_signature_refused);
	tcase_add_test(ts, test_tampered_body_refused);
	tcase_add_test(ts, test_wrong_key_refused);
	tcase_add_test(ts, test_wrong_alg_refused);
	tcase_add_test(ts, test_signed_hmac_21);
	tcase_add_test(ts, test_signed_gmac_311);
	tcase_add_test(ts, test_signing_optional);
	tcase_add_test(ts, test_signed_compound);
	tcase_add_test(ts, test_signed_compound_second_bad);
	tcase_add_test(ts, test_ended_session_reply_signed);
	suite_add_tcase(su, ts);

	tcase_add_checked_fixture(te, dt_setup, dt_teardown);
	tcase_add_test(te, test_encrypted_request_encrypted_reply);
	tcase_add_test(te, test_encrypted_compound);
	tcase_add_test(te, test_encrypted_bad_tag_drops);
	tcase_add_test(te, test_encrypted_wrong_key_drops);
	tcase_add_test(te, test_encrypted_break_notification);
	tcase_add_test(te, test_encrypted_unknown_session_drops);
	tcase_add_test(te, test_encrypted_without_cipher_drops);
	tcase_add_test(te, test_splice_plain_write);
	tcase_add_test(te, test_splice_declined);
	tcase_add_test(te, test_splice_not_before_negotiate);
	suite_add_tcase(su, te);
	return su;
}

WGT_MAIN(dispatch_suite)
