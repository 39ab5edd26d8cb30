/*
 * test_disposition.c - what the dispatcher does with a request once its
 * handler returns (smbd/smb2/dispatch.c, enum smbd_req_disp): the status
 * is the answer; a wait (smbd_req_wait) holds the compound until
 * smbd_req_done(); a pending request (smbd_req_go_async) gets its
 * interim at once, is found by a CANCEL through its async id, and its
 * cancel function gets the pointer it was given; a handler that claims
 * PENDING without going async is answered INTERNAL_ERROR instead of
 * stalling its compound.
 *
 * A server with a command table of test handlers, one connection over a
 * socketpair (no listener), already past NEGOTIATE; frames go straight
 * to smbd_smb2_process_frame() and the replies are read off the peer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>

#include "tests/wgtest.h"
#include "smbd/smb2/request.h"
#include "smbd/smbd.h"
#include "smbd/net/conn.h"
#include "smbd/smb2/dispatch.h"
#include "smbd/daemon/server.h"
#include "proto/smb2.h"

/* ---- test handlers, each in a command slot of its own ---- */

#define CMD_ANSWER	SMB2_ECHO	/* answers OK with a body */
#define CMD_BOGUS	SMB2_FLUSH	/* PENDING without going async */
#define CMD_WAIT	SMB2_READ	/* waits; a timer ends it */
#define CMD_WAIT_LIAR	SMB2_WRITE	/* waits, then returns OK anyway */
#define CMD_PENDING	SMB2_LOCK	/* goes async with a cancel fn */

static int cancel_calls;
static void *cancel_priv_seen;
static int cancel_token;

static NTSTATUS h_answer(struct smbd_req *req)
{
	wire_put_u16le(&req->out, 4);
	wire_put_u16le(&req->out, 0);
	return NT_STATUS_OK;
}

static NTSTATUS h_bogus(struct smbd_req *req)
{
	return NT_STATUS_PENDING;	/* and nobody will call done */
}

static void wait_fire(struct tevent_context *ev, struct tevent_timer *te,
		      struct timeval now, void *priv)
{
	struct smbd_req *req = priv;

	wire_put_u16le(&req->out, 4);
	wire_put_u16le(&req->out, 0);
	smbd_req_done(req, NT_STATUS_OK);
}

/* End req from the loop after ms (the timer is a child of req). */
static void done_later(struct smbd_req *req, unsigned ms)
{
	struct timeval tv = tevent_timeval_current_ofs(0, ms * 1000);

	ck_assert_ptr_nonnull(tevent_add_timer(req->conn->srv->ev, req, tv,
					       wait_fire, req));
}

/*
 * The waits end 300 ms later: well past the 20 ms in which the tests
 * check that nothing came yet, even on a loaded machine.
 */
#define WAIT_MS	300

static NTSTATUS h_wait(struct smbd_req *req)
{
	done_later(req, WAIT_MS);
	return smbd_req_wait(req);
}

static NTSTATUS h_wait_liar(struct smbd_req *req)
{
	done_later(req, WAIT_MS);
	(void)smbd_req_wait(req);
	return NT_STATUS_OK;
}

static void h_cancel_fn(struct smbd_req *req, void *priv)
{
	cancel_calls++;
	cancel_priv_seen = priv;
	smbd_req_done(req, NT_STATUS_CANCELLED);
}

static NTSTATUS h_pending(struct smbd_req *req)
{
	return smbd_req_go_async(req, h_cancel_fn, &cancel_token);
}

#define ROW(f) { .fn = (f), .struct_size = 4, .allow_null = true }

static const struct smbd_cmd_row test_rows[SMB2_NUM_CMDS] = {
	[CMD_ANSWER] = ROW(h_answer),
	[CMD_BOGUS] = ROW(h_bogus),
	[CMD_WAIT] = ROW(h_wait),
	[CMD_WAIT_LIAR] = ROW(h_wait_liar),
	[CMD_PENDING] = ROW(h_pending),
	[SMB2_CANCEL] = ROW(smbd_smb2_cancel),
};

/* ---- the server and one connection ---- */

static struct smbd_server *srv;
static struct smbd_conn *conn;
static int peer = -1;

static void setup(void)
{
	char path[] = "/tmp/wgtest-disp.XXXXXX";
	const char *text = "[global]\nlog level = 0\n";
	struct wg_config *cfg = NULL;
	char *err = NULL;
	int sv[2];
	int fd = -1;

	wgt_setup();
	cancel_calls = 0;
	cancel_priv_seen = NULL;
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)),
			 (ssize_t)strlen(text));
	close(fd);
	cfg = wg_config_load(wgt_root, path, &err);
	unlink(path);
	ck_assert_msg(cfg != NULL, "config: %s", err != NULL ? err : "?");
	srv = smbd_server_new(wgt_root, wgt_ev, cfg);
	ck_assert_ptr_nonnull(srv);
	smbd_smb2_set_commands(srv, test_rows);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
				    SOCK_CLOEXEC, 0, sv), 0);
	conn = smbd_conn_new(srv, sv[0], false);
	ck_assert_ptr_nonnull(conn);
	peer = sv[1];
	conn->state = SMBD_CONN_ACTIVE;
	conn->dialect = SMB2_DIALECT_311;
	conn->max_trans = conn->max_read = conn->max_write = SMBD_MAX_TRANSACT;
	conn->seq_low = 0;
	conn->seq_high = 64;
}

static void teardown(void)
{
	talloc_free(srv);	/* its connections and their requests */
	srv = NULL;
	conn = NULL;
	close(peer);
	peer = -1;
	wgt_teardown();
}

/* ---- frames in, replies out ---- */

struct msg {
	uint16_t command;
	uint64_t mid;
	bool async;		/* CANCEL by async id */
	uint64_t async_id;
};

/* One frame carrying msgs as a compound (related = false). */
static void send_frame(const struct msg *m, size_t n)
{
	struct wire_wr w;
	size_t i = 0;
	size_t prev = 0;

	wire_wr_init(&w, conn, 0);
	for (i = 0; i < n; i++) {
		struct smb2_hdr h = {
			.credit_charge = 1,
			.credits = 1,
			.command = m[i].command,
			.message_id = m[i].mid,
		};

		if (m[i].async) {
			h.flags |= SMB2_FLAGS_ASYNC_COMMAND;
			h.async_id = m[i].async_id;
		}
		if (i > 0) {
			wire_put_align(&w, 8);
			wire_patch_u32le(&w, prev + SMB2_HDR_OFF_NEXT,
					 (uint32_t)(w.len - prev));
		}
		prev = w.len;
		smb2_hdr_push(&w, &h);
		wire_put_u16le(&w, 4);	/* StructureSize */
		wire_put_u16le(&w, 0);
	}
	ck_assert_int_eq(wire_wr_error(&w), 0);
	smbd_smb2_process_frame(conn, w.buf, w.len);
}

struct reply {
	size_t n;
	struct smb2_hdr h[4];
};

static void tick(struct tevent_context *e, struct tevent_timer *te,
		 struct timeval now, void *priv)
{
}

/* Turn the loop for up to ms (of real time); the next whole reply
 * frame, or n = 0. */
static struct reply recv_frame(unsigned ms)
{
	struct reply r = {};
	uint8_t buf[4096];
	size_t have = 0;
	size_t flen = 0;
	struct timeval end = tevent_timeval_current_ofs(ms / 1000,
							(ms % 1000) * 1000);

	for (;;) {
		struct timeval now = {};
		ssize_t got = 0;

		/* the frame header first, then exactly the frame */
		size_t want = have < 4 ? 4 - have : 4 + flen - have;

		got = read(peer, buf + have, want);
		if (got > 0) {
			have += (size_t)got;
			if (have == 4) {
				flen = (size_t)buf[1] << 16 | (size_t)buf[2] << 8 | buf[3];
				ck_assert_uint_le(flen, sizeof(buf) - 4);
			}
			if (have >= 4 && have == 4 + flen) {
				break;
			}
			continue;
		}
		ck_assert(got < 0 && errno == EAGAIN);
		now = tevent_timeval_current();
		if (tevent_timeval_compare(&now, &end) >= 0) {
			ck_assert_uint_eq(have, 0);	/* no torn frames */
			return r;
		}
		tevent_add_timer(wgt_ev, conn,
				 tevent_timeval_current_ofs(0, 5000), tick,
				 NULL);
		tevent_loop_once(wgt_ev);
	}
	{
		struct wire_rd rd;
		size_t off = 4;

		for (;;) {
			ck_assert_uint_lt(r.n, 4);
			wire_rd_init(&rd, buf + off, 4 + flen - off);
			ck_assert_int_eq(smb2_hdr_pull(&rd, &r.h[r.n]), 0);
			if (r.h[r.n].next_command == 0) {
				r.n++;
				break;
			}
			off += r.h[r.n].next_command;
			r.n++;
		}
	}
	return r;
}

/* ---- tests ---- */

START_TEST(test_answer)
{
	struct msg m[] = { { .command = CMD_ANSWER, .mid = 0 } };
	struct reply r = {};

	send_frame(m, 1);
	r = recv_frame(500);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.h[0].status, NT_STATUS_OK);
	ck_assert_uint_eq(r.h[0].message_id, 0);
	ck_assert(!(r.h[0].flags & SMB2_FLAGS_ASYNC_COMMAND));
}
END_TEST

/*
 * The bug the disposition exists for: PENDING with no completion
 * arranged used to leave the compound waiting for ever.
 */
START_TEST(test_pending_without_async_is_internal_error)
{
	struct msg m[] = {
		{ .command = CMD_BOGUS, .mid = 0 },
		{ .command = CMD_ANSWER, .mid = 1 },
	};
	struct reply r = {};

	send_frame(m, 2);
	r = recv_frame(500);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_uint_eq(r.h[0].status, NT_STATUS_INTERNAL_ERROR);
	ck_assert_uint_eq(r.h[0].message_id, 0);
	ck_assert_uint_eq(r.h[1].status, NT_STATUS_OK);
	ck_assert_uint_eq(r.h[1].message_id, 1);
	ck_assert_ptr_null(conn->requests);
}
END_TEST

/* A wait holds its compound; smbd_req_done() lets it go on. */
START_TEST(test_wait_holds_compound)
{
	struct msg m[] = {
		{ .command = CMD_WAIT, .mid = 0 },
		{ .command = CMD_ANSWER, .mid = 1 },
	};
	struct reply r = {};

	send_frame(m, 2);
	ck_assert_ptr_nonnull(conn->requests);
	ck_assert_int_eq(conn->requests->disp, SMBD_REQ_WAIT);
	r = recv_frame(20);
	ck_assert_uint_eq(r.n, 0);		/* not before the timer */
	r = recv_frame(1000);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_uint_eq(r.h[0].status, NT_STATUS_OK);
	ck_assert_uint_eq(r.h[0].message_id, 0);
	ck_assert(!(r.h[0].flags & SMB2_FLAGS_ASYNC_COMMAND));
	ck_assert_uint_eq(r.h[1].message_id, 1);
	ck_assert_ptr_null(conn->requests);
}
END_TEST

/* Went async, then returned a status too: the completion still rules. */
START_TEST(test_wait_then_status_keeps_wait)
{
	struct msg m[] = { { .command = CMD_WAIT_LIAR, .mid = 0 } };
	struct reply r = {};

	send_frame(m, 1);
	ck_assert_ptr_nonnull(conn->requests);
	r = recv_frame(1000);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.h[0].status, NT_STATUS_OK);
	ck_assert_ptr_null(conn->requests);
}
END_TEST

/*
 * Pending as the last of its compound: the interim goes with the replies
 * before it; CANCEL by async id reaches the cancel function with its
 * pointer, and gets no reply of its own.
 */
START_TEST(test_pending_cancel)
{
	struct msg m[] = {
		{ .command = CMD_ANSWER, .mid = 0 },
		{ .command = CMD_PENDING, .mid = 1 },
	};
	struct msg c = { .command = SMB2_CANCEL, .mid = 1, .async = true };
	struct reply r = {};

	send_frame(m, 2);
	r = recv_frame(500);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_uint_eq(r.h[0].status, NT_STATUS_OK);
	ck_assert_uint_eq(r.h[1].status, NT_STATUS_PENDING);
	ck_assert(r.h[1].flags & SMB2_FLAGS_ASYNC_COMMAND);
	ck_assert_uint_ne(r.h[1].async_id, 0);
	r.h[0] = r.h[1];
	ck_assert_ptr_nonnull(conn->requests);
	ck_assert_int_eq(conn->requests->disp, SMBD_REQ_PENDING);
	ck_assert_int_eq(cancel_calls, 0);

	c.async_id = r.h[0].async_id + 1;	/* names nothing */
	send_frame(&c, 1);
	r = recv_frame(20);
	ck_assert_uint_eq(r.n, 0);
	ck_assert_int_eq(cancel_calls, 0);

	c.async_id--;
	send_frame(&c, 1);
	ck_assert_int_eq(cancel_calls, 1);
	ck_assert_ptr_eq(cancel_priv_seen, &cancel_token);
	r = recv_frame(500);
	ck_assert_uint_eq(r.n, 1);		/* the LOCK's, not CANCEL's */
	ck_assert_uint_eq(r.h[0].command, CMD_PENDING);
	ck_assert_uint_eq(r.h[0].status, NT_STATUS_CANCELLED);
	ck_assert(r.h[0].flags & SMB2_FLAGS_ASYNC_COMMAND);
	ck_assert_uint_eq(r.h[0].async_id, c.async_id);
	ck_assert_ptr_null(conn->requests);
	r = recv_frame(20);
	ck_assert_uint_eq(r.n, 0);
}
END_TEST

/*
 * A request that would go async inside its compound, not as the last,
 * fails with INTERNAL_ERROR instead, as on Windows [MS-SMB2 §3.3.5.2.7],
 * and the requests after it still run: no interim is left in the middle
 * of the chain's replies, and nothing stays pending.
 */
START_TEST(test_pending_mid_compound_fails)
{
	struct msg m[] = {
		{ .command = CMD_ANSWER, .mid = 0 },
		{ .command = CMD_PENDING, .mid = 1 },
		{ .command = CMD_ANSWER, .mid = 2 },
	};
	struct reply r = {};

	send_frame(m, 3);
	r = recv_frame(500);
	ck_assert_uint_eq(r.n, 3);
	ck_assert_uint_eq(r.h[0].status, NT_STATUS_OK);
	ck_assert_uint_eq(r.h[1].status, NT_STATUS_INTERNAL_ERROR);
	ck_assert(!(r.h[1].flags & SMB2_FLAGS_ASYNC_COMMAND));
	ck_assert_uint_eq(r.h[1].message_id, 1);
	ck_assert_uint_eq(r.h[2].status, NT_STATUS_OK);
	ck_assert_uint_eq(r.h[2].message_id, 2);
	ck_assert_ptr_null(conn->requests);
	ck_assert_int_eq(cancel_calls, 0);
}
END_TEST

/* With no table installed every command is refused, none is run. */
START_TEST(test_no_table)
{
	struct msg m[] = { { .command = CMD_ANSWER, .mid = 0 } };
	struct reply r = {};

	smbd_smb2_set_commands(srv, NULL);
	send_frame(m, 1);
	r = recv_frame(500);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.h[0].status, NT_STATUS_INVALID_PARAMETER);
}
END_TEST

static Suite *disposition_suite(void)
{
	Suite *s = suite_create("disposition");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_answer);
	tcase_add_test(tc, test_pending_without_async_is_internal_error);
	tcase_add_test(tc, test_wait_holds_compound);
	tcase_add_test(tc, test_wait_then_status_keeps_wait);
	tcase_add_test(tc, test_pending_cancel);
	tcase_add_test(tc, test_pending_mid_compound_fails);
	tcase_add_test(tc, test_no_table);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(disposition_suite)
