/*
 * test_conn.c - a connection's framing (smbd/net/conn.c), over a
 * socketpair with no listener: the 4-byte transport header, frames that
 * arrive byte by byte or split across reads, several frames in one
 * read, keep-alives, the size limit, bad frame types, and the NetBIOS
 * session service of port 139.
 *
 * The "framing" and "netbios" cases go through the SMB layer the server
 * registered (NEGOTIATE and ECHO, which need no session); the "upcall"
 * case gives the connection a recording frame callback instead, to see
 * exactly which messages the transport hands up.
 */
#include "tests/wgtest.h"
#include "tests/smbd/smbdtest.h"
#include "smbd/net/conn.h"
#include "proto/nbt.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

static struct smbdt *T;

static void ct_setup(void)
{
	wgt_setup();
	T = smbdt_new(wgt_root, wgt_ev, NULL);
}

static void ct_teardown(void)
{
	smbdt_free(T);
	T = NULL;
	wgt_teardown();
}

/* A whole ECHO frame (transport header included) with MessageId mid. */
static uint8_t *echo_frame(uint64_t mid, size_t *len)
{
	struct smb2_hdr h = smbdt_hdr(SMB2_ECHO, mid, 0, 0);
	struct wire_wr w;

	wire_wr_init(&w, T, 0);
	nbt_frame_hdr_push(&w, NBT_SESSION_MESSAGE, SMB2_HDR_SIZE + 4);
	smb2_hdr_push(&w, &h);
	smbdt_put_echo(&w);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	*len = w.len;
	return w.buf;
}

/* The NEGOTIATE frame smbdt_negotiate() would send, whole. */
static uint8_t *negotiate_frame(size_t *len)
{
	struct smb2_hdr h = smbdt_hdr(SMB2_NEGOTIATE, 0, 0, 0);
	uint16_t d = SMB2_DIALECT_302;
	struct wire_wr m, w;

	h.credits = 64;
	wire_wr_init(&m, T, 0);
	smb2_hdr_push(&m, &h);
	smbdt_put_negotiate(&m, &d, 1);
	wire_wr_init(&w, T, 0);
	nbt_frame_hdr_push(&w, NBT_SESSION_MESSAGE, (uint32_t)m.len);
	wire_put_bytes(&w, m.buf, m.len);
	talloc_free(m.buf);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	*len = w.len;
	return w.buf;
}

/* Nothing came back and the connection is still there. */
static void quiet(int ms)
{
	smbdt_run(T, ms);
	ck_assert_uint_eq(smbdt_pending(T), 0);
	ck_assert(!T->peer_eof);
	ck_assert_ptr_nonnull(T->conn);
}

static void expect_echo_reply(uint64_t mid)
{
	ck_assert_int_eq(smbdt_recv(T, SMBDT_WAIT_MS), 0);
	ck_assert_uint_eq(T->frame_type, NBT_SESSION_MESSAGE);
	ck_assert_uint_eq(T->nrep, 1);
	ck_assert_uint_eq(T->rep[0].h.command, SMB2_ECHO);
	ck_assert_uint_eq(T->rep[0].h.message_id, mid);
	ck_assert_uint_eq(T->rep[0].h.status, NT_STATUS_OK);
}

static void expect_closed(void)
{
	ck_assert(smbdt_closed(T, SMBDT_WAIT_MS));
	ck_assert_uint_eq(smbdt_pending(T), 0);
}

/* ---- direct TCP (445) ---- */

START_TEST(test_reply_has_transport_header)
{
	smbdt_connect(T, false);
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	ck_assert_uint_eq(T->frame_type, NBT_SESSION_MESSAGE);
	/* the length covers exactly the one message */
	ck_assert_uint_eq(T->nrep, 1);
	ck_assert_uint_eq(T->rep[0].msg_len, T->frame_len);
	ck_assert_uint_gt(T->frame_len, SMB2_HDR_SIZE + 64);
}
END_TEST

START_TEST(test_byte_by_byte)
{
	size_t len = 0, i = 0;
	uint8_t *f = NULL;

	smbdt_connect(T, false);
	f = negotiate_frame(&len);
	for (i = 0; i + 1 < len; i++) {
		smbdt_send_raw(T, f + i, 1);
		smbdt_run(T, 1);
		ck_assert_uint_eq(smbdt_pending(T), 0);
		ck_assert_ptr_nonnull(T->conn);
	}
	ck_assert_int_eq(T->conn->state, SMBD_CONN_NEGOTIATE);
	smbdt_send_raw(T, f + len - 1, 1);
	ck_assert_int_eq(smbdt_recv(T, SMBDT_WAIT_MS), 0);
	ck_assert_uint_eq(T->rep[0].h.command, SMB2_NEGOTIATE);
	ck_assert_uint_eq(T->rep[0].h.status, NT_STATUS_OK);
	ck_assert_int_eq(T->conn->state, SMBD_CONN_ACTIVE);
	talloc_free(f);
}
END_TEST

/* The header in two pieces, the body in two more. */
START_TEST(test_frame_split_across_reads)
{
	size_t len = 0;
	uint8_t *f = NULL;

	smbdt_connect(T, false);
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	f = echo_frame(1, &len);
	smbdt_send_raw(T, f, 2);
	quiet(10);
	ck_assert(!T->conn->in_hdr_done);
	/* the header's rest with the body's start */
	smbdt_send_raw(T, f + 2, 30);
	quiet(10);
	ck_assert(T->conn->in_hdr_done);
	ck_assert_uint_eq(T->conn->in_have, 28);
	smbdt_send_raw(T, f + 32, len - 32);
	expect_echo_reply(1);
	talloc_free(f);
}
END_TEST

START_TEST(test_several_frames_one_write)
{
	uint8_t buf[3 * 128];
	size_t off = 0, len = 0;
	uint64_t mid = 0;

	smbdt_connect(T, false);
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	for (mid = 1; mid <= 3; mid++) {
		uint8_t *f = echo_frame(mid, &len);

		memcpy(buf + off, f, len);
		off += len;
		talloc_free(f);
	}
	smbdt_send_raw(T, buf, off);
	for (mid = 1; mid <= 3; mid++) {
		expect_echo_reply(mid);
	}
}
END_TEST

/* The second frame's end comes with a third frame's start. */
START_TEST(test_frames_straddle_reads)
{
	uint8_t buf[3 * 128];
	size_t off = 0, len = 0;
	uint64_t mid = 0;

	smbdt_connect(T, false);
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	for (mid = 1; mid <= 3; mid++) {
		uint8_t *f = echo_frame(mid, &len);

		memcpy(buf + off, f, len);
		off += len;
		talloc_free(f);
	}
	smbdt_send_raw(T, buf, len + 10);
	expect_echo_reply(1);
	quiet(10);
	smbdt_send_raw(T, buf + len + 10, len + 2);
	expect_echo_reply(2);
	quiet(10);
	smbdt_send_raw(T, buf + 2 * len + 12, off - 2 * len - 12);
	expect_echo_reply(3);
}
END_TEST

/* More frames in one read than a turn dispatches: all answered, in order. */
START_TEST(test_many_frames_one_write)
{
	enum { N = 40 };
	uint8_t buf[N * 128];
	size_t off = 0, len = 0;
	uint64_t mid = 0;

	smbdt_connect(T, false);
	smbdt_negotiate(T, SMB2_DIALECT_302, 64);
	for (mid = 1; mid <= N; mid++) {
		uint8_t *f = echo_frame(mid, &len);

		memcpy(buf + off, f, len);
		off += len;
		talloc_free(f);
	}
	smbdt_send_raw(T, buf, off);
	for (mid = 1; mid <= N; mid++) {
		expect_echo_reply(mid);
	}
}
END_TEST

START_TEST(test_keepalive_ignored)
{
	static const uint8_t ka[4] = { NBT_SESSION_KEEPALIVE, 0, 0, 0 };
	size_t len = 0;
	uint8_t *f = NULL;

	smbdt_connect(T, false);
	/* before NEGOTIATE too */
	smbdt_send_raw(T, ka, sizeof(ka));
	quiet(20);
	ck_assert_int_eq(T->conn->state, SMBD_CONN_NEGOTIATE);
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	smbdt_send_raw(T, ka, sizeof(ka));
	quiet(20);
	f = echo_frame(1, &len);
	smbdt_send_raw(T, f, len);
	expect_echo_reply(1);
	talloc_free(f);
}
END_TEST

/* A keep-alive between two frames of one write. */
START_TEST(test_keepalive_between_frames)
{
	uint8_t buf[300];
	size_t off = 0, len = 0;
	uint8_t *f = NULL;

	smbdt_connect(T, false);
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	f = echo_frame(1, &len);
	memcpy(buf, f, len);
	off = len;
	talloc_free(f);
	buf[off++] = NBT_SESSION_KEEPALIVE;
	buf[off++] = 0;
	buf[off++] = 0;
	buf[off++] = 0;
	f = echo_frame(2, &len);
	memcpy(buf + off, f, len);
	off += len;
	talloc_free(f);
	smbdt_send_raw(T, buf, off);
	expect_echo_reply(1);
	expect_echo_reply(2);
}
END_TEST

static void send_hdr(uint8_t type, uint32_t length)
{
	uint8_t h[4] = {
		type, (uint8_t)(length >> 16), (uint8_t)(length >> 8),
		(uint8_t)length,
	};

	smbdt_send_raw(T, h, sizeof(h));
}

/* Before NEGOTIATE a frame may be 64 KiB at most. */
START_TEST(test_oversize_before_negotiate)
{
	smbdt_connect(T, false);
	send_hdr(NBT_SESSION_MESSAGE, 64 * 1024 + 1);
	expect_closed();
}
END_TEST

START_TEST(test_limit_before_negotiate_waits)
{
	smbdt_connect(T, false);
	send_hdr(NBT_SESSION_MESSAGE, 64 * 1024);
	quiet(20);
	ck_assert(T->conn->in_hdr_done);
	ck_assert_uint_eq(T->conn->in_want, 64 * 1024);
}
END_TEST

/* Negotiated: max(max_trans, max_write) plus 64 KiB. */
START_TEST(test_oversize_after_negotiate)
{
	size_t max = 0;

	smbdt_connect(T, false);
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	max = smbd_conn_max_frame(T->conn);
	ck_assert_uint_eq(max, T->conn->max_write > T->conn->max_trans ?
			  T->conn->max_write + 64 * 1024 :
			  T->conn->max_trans + 64 * 1024);
	ck_assert_uint_gt(max, 64 * 1024);
	send_hdr(NBT_SESSION_MESSAGE, (uint32_t)max);
	quiet(20);
	smbdt_free(T);
	T = smbdt_new(wgt_root, wgt_ev, NULL);
	smbdt_connect(T, false);
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	send_hdr(NBT_SESSION_MESSAGE, (uint32_t)max + 1);
	expect_closed();
}
END_TEST

/* Only session messages on 445: a good NEGOTIATE as type 0x81 ends it. */
START_TEST(test_session_request_on_445_closes)
{
	size_t len = 0;
	uint8_t *f = NULL;

	smbdt_connect(T, false);
	f = negotiate_frame(&len);
	f[0] = NBT_SESSION_REQUEST;
	smbdt_send_raw(T, f, len);
	talloc_free(f);
	expect_closed();
}
END_TEST

START_TEST(test_not_smb_closes)
{
	smbdt_connect(T, false);
	send_hdr(NBT_SESSION_MESSAGE, 8);
	smbdt_send_raw(T, "GET / HT", 8);
	expect_closed();
}
END_TEST

START_TEST(test_peer_close_frees)
{
	smbdt_connect(T, false);
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	ck_assert_uint_eq(T->srv->nconns, 1);
	close(T->peer);
	T->peer = -1;
	smbdt_run(T, 20);
	ck_assert_ptr_null(T->conn);
	ck_assert_uint_eq(T->srv->nconns, 0);
}
END_TEST

/* A peer that closes in the middle of a frame. */
START_TEST(test_peer_close_mid_frame)
{
	smbdt_connect(T, false);
	send_hdr(NBT_SESSION_MESSAGE, 100);
	smbdt_send_raw(T, "\xfeSMB", 4);
	quiet(10);
	close(T->peer);
	T->peer = -1;
	smbdt_run(T, 20);
	ck_assert_ptr_null(T->conn);
}
END_TEST

/* ---- deadlines (the server's sweep) ---- */

/* Short timeouts, and the sweep that enforces them. */
static void deadlines(uint32_t auth_ms, uint32_t linger_ms)
{
	T->srv->cfg->auth_timeout_ms = auth_ms;
	T->srv->cfg->linger_timeout_ms = linger_ms;
	smbdt_connect(T, false);
	ck_assert_int_eq(smbd_conn_sweep_start(T->srv), 0);
}

START_TEST(test_auth_timeout)
{
	deadlines(500, 10000);
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	quiet(20);
	expect_closed();
}
END_TEST

START_TEST(test_authenticated_no_timeout)
{
	deadlines(500, 10000);
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	smbdt_session(T, false, false);
	ck_assert(T->conn->authenticated);
	quiet(1200);
}
END_TEST

/* A frame begun must arrive whole within the linger timeout. */
START_TEST(test_partial_frame_timeout)
{
	size_t len = 0;
	uint8_t *f = NULL;

	deadlines(60000, 500);
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	f = echo_frame(1, &len);
	smbdt_send_raw(T, f, len - 1);
	talloc_free(f);
	quiet(20);
	expect_closed();
}
END_TEST

/* ... while whole frames and silence between them are fine. */
START_TEST(test_idle_between_frames_no_timeout)
{
	size_t len = 0;
	uint8_t *f = NULL;

	deadlines(60000, 500);
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
	quiet(1200);
	f = echo_frame(1, &len);
	smbdt_send_raw(T, f, len);
	talloc_free(f);
	expect_echo_reply(1);
}
END_TEST

/* ---- replies larger than the socket takes at once ---- */

enum { BIG = 1024 * 1024 };

/*
 * A session and tree on a negotiated connection and "big.bin" (BIG
 * bytes of a pattern, returned) open on it: *fid.
 */
static uint8_t *open_big(uint64_t *fid, uint64_t *sess, uint32_t *tid)
{
	uint8_t *data = talloc_array(wgt_root, uint8_t, BIG);
	struct smbd_session *s = NULL;
	struct smbd_tree *tr = NULL;
	struct smb2_hdr h = {};
	struct wire_wr w;
	char path[192];
	FILE *fp = NULL;
	size_t i = 0;

	ck_assert_ptr_nonnull(data);
	for (i = 0; i < BIG; i++) {
		data[i] = (uint8_t)(i * 7 + i / 4096);
	}
	snprintf(path, sizeof(path), "%s/big.bin", T->share);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(data, 1, BIG, fp), BIG);
	fclose(fp);
	smbdt_connect(T, false);
	smbdt_negotiate(T, SMB2_DIALECT_302, 64);
	s = smbdt_session(T, false, false);
	tr = smbdt_tree(T, s);
	h = smbdt_hdr(SMB2_CREATE, smbdt_next_mid(T), s->id, tr->id);
	wire_wr_init(&w, T, 0);
	smb2_hdr_push(&w, &h);
	smbdt_put_create(&w, "big.bin", FILE_OPEN);
	ck_assert_uint_eq(smbdt_call(T, &w), NT_STATUS_OK);
	talloc_free(w.buf);
	*fid = wire_le64(T->rep[0].body + 72);
	*sess = s->id;
	*tid = tr->id;
	return data;
}

/* Send a READ of all of big.bin (charged in full). */
static void send_big_read(uint64_t fid, uint64_t sess, uint32_t tid)
{
	struct smb2_hdr h = smbdt_hdr(SMB2_READ, smbdt_next_mid(T), sess, tid);
	struct wire_wr w;

	h.credit_charge = BIG / 65536;
	T->mid += BIG / 65536 - 1;
	wire_wr_init(&w, T, 0);
	smb2_hdr_push(&w, &h);
	smbdt_put_read(&w, fid, fid, BIG, 0);
	smbdt_send(T, &w);
	talloc_free(w.buf);
}

static void expect_big_reply(const uint8_t *data)
{
	ck_assert_int_eq(smbdt_recv(T, SMBDT_WAIT_MS), 0);
	ck_assert_uint_eq(T->rep[0].h.command, SMB2_READ);
	ck_assert_uint_eq(T->rep[0].h.status, NT_STATUS_OK);
	ck_assert_uint_eq(wire_le32(T->rep[0].body + 4), BIG);
	ck_assert_uint_eq(T->rep[0].msg_len, T->rep[0].body[2] + BIG);
	ck_assert_int_eq(memcmp(T->rep[0].msg + T->rep[0].body[2], data, BIG),
			 0);
}

START_TEST(test_large_reply_partial_writes)
{
	uint64_t fid = 0, sess = 0, out = 0;
	uint32_t tid = 0;
	uint8_t *data = open_big(&fid, &sess, &tid);

	out = T->conn->bytes_out;
	send_big_read(fid, sess, tid);
	/* the reply does not fit the socket: the rest waits for us */
	smbdt_run_deaf(T, 50);
	ck_assert_ptr_nonnull(T->conn->sendq_head);
	ck_assert_uint_gt(T->conn->bytes_out, out);
	ck_assert_uint_lt(T->conn->bytes_out, out + BIG);
	expect_big_reply(data);
	ck_assert_ptr_null(T->conn->sendq_head);
	ck_assert_uint_eq(T->conn->sendq_bytes, 0);
	talloc_free(data);
}
END_TEST

/*
 * A client that sends and does not read: once its replies fill the
 * reply backlog the server takes no more requests (the ECHO behind the
 * READs waits, its MessageId unused), and the output it holds stays
 * near the backlog. Reading again lets everything through, in order.
 */
START_TEST(test_deaf_client_backs_up)
{
	uint64_t fid = 0, sess = 0, echo_mid = 0;
	uint32_t tid = 0;
	uint8_t *data = open_big(&fid, &sess, &tid);
	size_t len = 0;
	uint8_t *f = NULL;
	int i = 0;

	/* as after a reload to the smallest backlog the config takes */
	T->srv->cfg->max_reply_backlog = 2 * BIG;
	for (i = 0; i < 3; i++) {
		send_big_read(fid, sess, tid);
	}
	echo_mid = smbdt_next_mid(T);
	f = echo_frame(echo_mid, &len);
	smbdt_send_raw(T, f, len);
	talloc_free(f);
	smbdt_run_deaf(T, 200);
	ck_assert_ptr_nonnull(T->conn);
	ck_assert_uint_le(T->conn->seq_low, echo_mid);
	ck_assert(!smbd_conn_accepting(T->conn));
	ck_assert_uint_le(T->conn->sendq_bytes, 2 * BIG + BIG + 4096);
	for (i = 0; i < 3; i++) {
		expect_big_reply(data);
	}
	expect_echo_reply(echo_mid);
	ck_assert_uint_eq(smbd_conn_backlog(T->conn), 0);
	talloc_free(data);
}
END_TEST

/* ---- NetBIOS session service (139) ---- */

/* First-level encoding of name (space padded to 15) + suffix 0x20. */
static void put_nb_name(struct wire_wr *w, const char *name)
{
	char n[16];
	size_t i = 0;

	snprintf(n, sizeof(n), "%-15s", name);
	wire_put_u8(w, 32);
	for (i = 0; i < 16; i++) {
		uint8_t c = i < 15 ? (uint8_t)n[i] : 0x20;

		wire_put_u8(w, (uint8_t)('A' + (c >> 4)));
		wire_put_u8(w, (uint8_t)('A' + (c & 15)));
	}
	wire_put_u8(w, 0);
}

static void send_session_request(const char *called, const char *calling)
{
	struct wire_wr b, w;

	wire_wr_init(&b, T, 0);
	put_nb_name(&b, called);
	put_nb_name(&b, calling);
	wire_wr_init(&w, T, 0);
	nbt_frame_hdr_push(&w, NBT_SESSION_REQUEST, (uint32_t)b.len);
	wire_put_bytes(&w, b.buf, b.len);
	ck_assert_int_eq(wire_wr_error(&w), 0);
	smbdt_send_raw(T, w.buf, w.len);
	talloc_free(b.buf);
	talloc_free(w.buf);
}

START_TEST(test_netbios_session_request)
{
	smbdt_connect(T, true);
	ck_assert_int_eq(T->conn->state, SMBD_CONN_NBT_WAIT);
	send_session_request("WGSMB", "CLIENT1");
	ck_assert_int_eq(smbdt_recv(T, SMBDT_WAIT_MS), 0);
	ck_assert_uint_eq(T->frame_type, NBT_POSITIVE_RESPONSE);
	ck_assert_uint_eq(T->frame_len, 0);
	ck_assert_int_eq(T->conn->state, SMBD_CONN_NEGOTIATE);
	ck_assert_str_eq(T->conn->calling_name, "CLIENT1");
	smbdt_negotiate(T, SMB2_DIALECT_302, 8);
}
END_TEST

START_TEST(test_netbios_message_first_closes)
{
	size_t len = 0;
	uint8_t *f = NULL;

	smbdt_connect(T, true);
	f = negotiate_frame(&len);
	smbdt_send_raw(T, f, len);
	talloc_free(f);
	expect_closed();
}
END_TEST

START_TEST(test_netbios_bad_request_negative)
{
	smbdt_connect(T, true);
	send_hdr(NBT_SESSION_REQUEST, 6);
	smbdt_send_raw(T, "\x20zzzzz", 6);
	ck_assert_int_eq(smbdt_recv(T, SMBDT_WAIT_MS), 0);
	ck_assert_uint_eq(T->frame_type, NBT_NEGATIVE_RESPONSE);
	ck_assert_uint_eq(T->frame_len, 1);
	ck_assert_uint_eq(T->frame[0], NBT_ERR_CALLED_NOT_PRESENT);
	expect_closed();
}
END_TEST

/* A keep-alive before the session request is not one. */
START_TEST(test_netbios_keepalive_before_request)
{
	static const uint8_t ka[4] = { NBT_SESSION_KEEPALIVE, 0, 0, 0 };

	smbdt_connect(T, true);
	smbdt_send_raw(T, ka, sizeof(ka));
	quiet(20);
	ck_assert_int_eq(T->conn->state, SMBD_CONN_NBT_WAIT);
	send_session_request("WGSMB", "CLIENT2");
	ck_assert_int_eq(smbdt_recv(T, SMBDT_WAIT_MS), 0);
	ck_assert_uint_eq(T->frame_type, NBT_POSITIVE_RESPONSE);
}
END_TEST

/* ---- what the transport hands up ---- */

struct up_msg {
	uint8_t *buf;
	size_t len;
};

static struct up_msg up_got[64];
static size_t up_n;
static bool up_hog;	/* each message takes the whole reply backlog */

static void up_frame(struct smbd_conn *conn, uint8_t *buf, size_t len)
{
	ck_assert_uint_lt(up_n, 64);
	/* the callee owns buf: keep it (under the test's root) */
	up_got[up_n].buf = talloc_steal(wgt_root, buf);
	up_got[up_n].len = len;
	up_n++;
	if (up_hog) {
		conn->reply_reserved = conn->srv->cfg->max_reply_backlog;
	}
}

static void up_resume(struct smbd_conn *conn)
{
}

static const struct smbd_conn_upcalls recorder = {
	.frame = up_frame,
	.resume = up_resume,
};

static void up_setup(void)
{
	ct_setup();
	up_n = 0;
	up_hog = false;
	memset(up_got, 0, sizeof(up_got));
}

static void up_teardown(void)
{
	size_t i = 0;

	for (i = 0; i < up_n; i++) {
		TALLOC_FREE(up_got[i].buf);
	}
	ct_teardown();
}

static void up_connect(bool netbios)
{
	smbdt_connect(T, netbios);
	smbdt_set_upcalls(T, &recorder);
}

/* Frames of len bytes, filled with a pattern that starts at seed. */
static size_t put_msg(uint8_t *out, uint8_t type, size_t len, uint8_t seed)
{
	size_t i = 0;

	out[0] = type;
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	for (i = 0; i < len; i++) {
		out[4 + i] = (uint8_t)(seed + i);
	}
	return 4 + len;
}

static void expect_msg(size_t k, size_t len, uint8_t seed)
{
	size_t i = 0;

	ck_assert_uint_gt(up_n, k);
	ck_assert_uint_eq(up_got[k].len, len);
	for (i = 0; i < len; i++) {
		ck_assert_uint_eq(up_got[k].buf[i], (uint8_t)(seed + i));
	}
}

/* One call per message, its exact bytes, in order. */
START_TEST(test_up_one_call_per_message)
{
	uint8_t buf[1024];
	size_t off = 0;

	up_connect(false);
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, 100, 1);
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, 7, 50);
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, 300, 9);
	smbdt_send_raw(T, buf, off);
	smbdt_run(T, 20);
	ck_assert_uint_eq(up_n, 3);
	expect_msg(0, 100, 1);
	expect_msg(1, 7, 50);
	expect_msg(2, 300, 9);
	ck_assert_ptr_nonnull(T->conn);
}
END_TEST

START_TEST(test_up_byte_by_byte)
{
	uint8_t buf[256];
	size_t len = 0, i = 0;

	up_connect(false);
	len = put_msg(buf, NBT_SESSION_MESSAGE, 200, 3);
	for (i = 0; i < len; i++) {
		ck_assert_uint_eq(up_n, 0);
		smbdt_send_raw(T, buf + i, 1);
		smbdt_run(T, 1);
	}
	ck_assert_uint_eq(up_n, 1);
	expect_msg(0, 200, 3);
}
END_TEST

/* A body of over half the read buffer is read straight into its own. */
START_TEST(test_up_large_message)
{
	size_t len = 60 * 1024;
	uint8_t *buf = talloc_array(wgt_root, uint8_t, len + 4);

	ck_assert_ptr_nonnull(buf);
	up_connect(false);
	put_msg(buf, NBT_SESSION_MESSAGE, len, 77);
	smbdt_send_raw(T, buf, 4 + 1000);
	smbdt_run(T, 10);
	ck_assert_uint_eq(up_n, 0);
	smbdt_send_raw(T, buf + 4 + 1000, len - 1000);
	smbdt_run(T, 20);
	ck_assert_uint_eq(up_n, 1);
	expect_msg(0, len, 77);
	talloc_free(buf);
}
END_TEST

/*
 * After a large message the next is read into a buffer of its size
 * (conn.c read_guessed). Sent piece by piece so that each read starts
 * where the test means: one of the same size, a larger one (the buffer
 * grows), one whose start comes alone (it shrinks), smaller ones read
 * past a large one's end, a header split after a large one: each
 * message arrives whole, in order.
 */
static void send_run(const uint8_t *p, size_t n, size_t want_up)
{
	smbdt_send_raw(T, p, n);
	smbdt_run(T, 20);
	ck_assert_uint_eq(up_n, want_up);
}

START_TEST(test_up_large_stream)
{
	size_t big = 34 * 1024, bigger = 40 * 1024;
	size_t total = 5 * (4 + big) + (4 + bigger) + 3 * (4 + 100);
	uint8_t *buf = talloc_array(wgt_root, uint8_t, total);
	size_t at[10] = {};
	size_t off = 0;

	ck_assert_ptr_nonnull(buf);
	up_connect(false);
	at[0] = off;
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, big, 1);
	at[1] = off;
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, big, 2);
	at[2] = off;
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, bigger, 3);
	at[3] = off;
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, big, 4);
	at[4] = off;
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, 100, 5);
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, 7, 6);
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, 0, 0);
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, big, 8);
	at[5] = off;
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, big, 9);
	ck_assert_uint_le(off, total);

	/* the first body is read straight into its buffer, to its end */
	send_run(buf, 4 + 1000, 0);
	send_run(buf + 4 + 1000, at[2] - 4 - 1000, 2);
	send_run(buf + at[2], at[3] - at[2], 3);
	send_run(buf + at[3], 4 + 1000, 3);
	send_run(buf + at[3] + 4 + 1000, at[5] - at[3] - 4 - 1000, 8);
	send_run(buf + at[5], 2, 8);
	send_run(buf + at[5] + 2, off - at[5] - 2, 9);
	expect_msg(0, big, 1);
	expect_msg(1, big, 2);
	expect_msg(2, bigger, 3);
	expect_msg(3, big, 4);
	expect_msg(4, 100, 5);
	expect_msg(5, 7, 6);
	expect_msg(6, 0, 0);
	expect_msg(7, big, 8);
	expect_msg(8, big, 9);
	ck_assert_ptr_nonnull(T->conn);
	talloc_free(buf);
}
END_TEST

/* An empty session message is handed up too; the SMB layer judges. */
START_TEST(test_up_empty_message)
{
	uint8_t buf[64];
	size_t off = 0;

	up_connect(false);
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, 0, 0);
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, 5, 20);
	smbdt_send_raw(T, buf, off);
	smbdt_run(T, 20);
	ck_assert_uint_eq(up_n, 2);
	expect_msg(0, 0, 0);
	expect_msg(1, 5, 20);
}
END_TEST

/* Keep-alives, even with a body, stay in the transport. */
START_TEST(test_up_keepalive_not_handed_up)
{
	uint8_t buf[128];
	size_t off = 0;

	up_connect(false);
	off += put_msg(buf + off, NBT_SESSION_KEEPALIVE, 0, 0);
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, 10, 1);
	off += put_msg(buf + off, NBT_SESSION_KEEPALIVE, 3, 0);
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, 11, 2);
	smbdt_send_raw(T, buf, off);
	smbdt_run(T, 20);
	ck_assert_uint_eq(up_n, 2);
	expect_msg(0, 10, 1);
	expect_msg(1, 11, 2);
	ck_assert_ptr_nonnull(T->conn);
}
END_TEST

/* On 139 the session request is answered below; messages after it go up. */
START_TEST(test_up_netbios_request_not_handed_up)
{
	uint8_t buf[64];
	size_t len = 0;

	up_connect(true);
	send_session_request("WGSMB", "CLIENT3");
	ck_assert_int_eq(smbdt_recv(T, SMBDT_WAIT_MS), 0);
	ck_assert_uint_eq(T->frame_type, NBT_POSITIVE_RESPONSE);
	ck_assert_uint_eq(up_n, 0);
	len = put_msg(buf, NBT_SESSION_MESSAGE, 12, 4);
	smbdt_send_raw(T, buf, len);
	smbdt_run(T, 20);
	ck_assert_uint_eq(up_n, 1);
	expect_msg(0, 12, 4);
}
END_TEST

/* More messages in one read than one turn takes: the rest next turn. */
START_TEST(test_up_turns)
{
	enum { N = 40 };
	uint8_t buf[N * 16];
	size_t off = 0, i = 0, first = 0;

	up_connect(false);
	for (i = 0; i < N; i++) {
		off += put_msg(buf + off, NBT_SESSION_MESSAGE, 8, (uint8_t)i);
	}
	smbdt_send_raw(T, buf, off);
	ck_assert_int_eq(tevent_loop_once(T->ev), 0);
	first = up_n;
	ck_assert_uint_gt(first, 0);
	ck_assert_uint_lt(first, N);
	ck_assert_ptr_nonnull(T->conn->parked_head);
	smbdt_run(T, 20);
	ck_assert_uint_eq(up_n, N);
	for (i = 0; i < N; i++) {
		expect_msg(i, 8, (uint8_t)i);
	}
	ck_assert_ptr_null(T->conn->parked_head);
}
END_TEST

/*
 * The first message takes the whole reply backlog (as a request that
 * reserves room for a large reply): the ones read with it are parked,
 * counted once, and handed up in order when the backlog is kicked.
 */
START_TEST(test_up_backlog_parks)
{
	uint8_t buf[128];
	size_t off = 0;

	up_connect(false);
	up_hog = true;
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, 10, 1);
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, 20, 2);
	off += put_msg(buf + off, NBT_SESSION_MESSAGE, 30, 3);
	smbdt_send_raw(T, buf, off);
	smbdt_run(T, 20);
	ck_assert_uint_eq(up_n, 1);
	ck_assert_ptr_nonnull(T->conn->parked_head);
	ck_assert(T->conn->throttled);
	ck_assert_uint_eq(
		T->srv->stats.budget_hits[SMBD_BUDGET_REPLY_BACKLOG], 1);
	up_hog = false;
	T->conn->reply_reserved = 0;
	smbd_conn_kick(T->conn);
	smbdt_run(T, 20);
	ck_assert_uint_eq(up_n, 3);
	expect_msg(0, 10, 1);
	expect_msg(1, 20, 2);
	expect_msg(2, 30, 3);
	ck_assert_ptr_null(T->conn->parked_head);
	ck_assert(!T->conn->throttled);
}
END_TEST

static Suite *conn_suite(void)
{
	Suite *su = suite_create("conn");
	TCase *tf = tcase_create("framing");
	TCase *tn = tcase_create("netbios");
	TCase *tu = tcase_create("upcall");
	TCase *td = tcase_create("deadlines");

	tcase_add_checked_fixture(tf, ct_setup, ct_teardown);
	tcase_add_test(tf, test_reply_has_transport_header);
	tcase_add_test(tf, test_byte_by_byte);
	tcase_add_test(tf, test_frame_split_across_reads);
	tcase_add_test(tf, test_several_frames_one_write);
	tcase_add_test(tf, test_frames_straddle_reads);
	tcase_add_test(tf, test_many_frames_one_write);
	tcase_add_test(tf, test_keepalive_ignored);
	tcase_add_test(tf, test_keepalive_between_frames);
	tcase_add_test(tf, test_oversize_before_negotiate);
	tcase_add_test(tf, test_limit_before_negotiate_waits);
	tcase_add_test(tf, test_oversize_after_negotiate);
	tcase_add_test(tf, test_session_request_on_445_closes);
	tcase_add_test(tf, test_not_smb_closes);
	tcase_add_test(tf, test_peer_close_frees);
	tcase_add_test(tf, test_peer_close_mid_frame);
	suite_add_tcase(su, tf);

	tcase_add_checked_fixture(tn, ct_setup, ct_teardown);
	tcase_add_test(tn, test_netbios_session_request);
	tcase_add_test(tn, test_netbios_message_first_closes);
	tcase_add_test(tn, test_netbios_bad_request_negative);
	tcase_add_test(tn, test_netbios_keepalive_before_request);
	suite_add_tcase(su, tn);

	tcase_add_checked_fixture(td, ct_setup, ct_teardown);
	tcase_add_test(td, test_auth_timeout);
	tcase_add_test(td, test_authenticated_no_timeout);
	tcase_add_test(td, test_partial_frame_timeout);
	tcase_add_test(td, test_idle_between_frames_no_timeout);
	tcase_add_test(td, test_large_reply_partial_writes);
	tcase_add_test(td, test_deaf_client_backs_up);
	suite_add_tcase(su, td);

	tcase_add_checked_fixture(tu, up_setup, up_teardown);
	tcase_add_test(tu, test_up_one_call_per_message);
	tcase_add_test(tu, test_up_byte_by_byte);
	tcase_add_test(tu, test_up_large_message);
	tcase_add_test(tu, test_up_large_stream);
	tcase_add_test(tu, test_up_empty_message);
	tcase_add_test(tu, test_up_keepalive_not_handed_up);
	tcase_add_test(tu, test_up_netbios_request_not_handed_up);
	tcase_add_test(tu, test_up_turns);
	tcase_add_test(tu, test_up_backlog_parks);
	suite_add_tcase(su, tu);
	return su;
}

WGT_MAIN(conn_suite)
