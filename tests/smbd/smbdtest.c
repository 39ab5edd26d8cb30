/*
 * smbdtest.c - the in-process smbd test harness (see smbdtest.h).
 */
#include "tests/smbd/smbdtest.h"
#include "smbd/net/conn.h"
#include "smbd/smb2/session.h"
#include "smbd/smb2/tree.h"
#include "smbd/daemon/server.h"
#include "proto/nbt.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

const uint8_t SMBDT_KEY[16] = {
	0x5e, 0x1f, 0x0a, 0x77, 0x21, 0x93, 0x4c, 0xd0,
	0x18, 0x6b, 0xe2, 0x3a, 0x90, 0x07, 0xcc, 0x41,
};

/* ---- server and connection: the one place that knows their wiring ---- */

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

struct smbdt *smbdt_new(TALLOC_CTX *mem, struct tevent_context *ev,
			const char *global_extra)
{
	struct smbdt *t = talloc_zero(mem, struct smbdt);
	struct wg_config *cfg = NULL;
	char conf[128], users[128];
	char *text = NULL;
	char *err = NULL;

	ck_assert_ptr_nonnull(t);
	t->ev = ev;
	t->peer = -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/wgsmbdt.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	snprintf(t->share, sizeof(t->share), "%s/share", t->dir);
	ck_assert_int_eq(mkdir(t->share, 0700), 0);
	snprintf(conf, sizeof(conf), "%s/smb.conf", t->dir);
	snprintf(users, sizeof(users), "%s/users", t->dir);
	put_file(users, "");
	text = talloc_asprintf(t, "[global]\nlog level = 0\n"
			       "users file = %s\n%s"
			       "[demo]\npath = %s\nread only = no\n", users,
			       global_extra != NULL ? global_extra : "",
			       t->share);
	ck_assert_ptr_nonnull(text);
	put_file(conf, text);
	TALLOC_FREE(text);

	/* WGSMBDT_LOG=1 shows the server's log on stderr. */
	wg_log_init("smbdtest", true);
	wg_log_set_level(getenv("WGSMBDT_LOG") != NULL ? 10 : -1);
	cfg = wg_config_load(t, conf, &err);
	if (cfg == NULL) {
		ck_abort_msg("config: %s", err != NULL ? err : "?");
	}
	talloc_free(err);
	t->srv = smbd_server_new(t, ev, cfg);
	ck_assert_ptr_nonnull(t->srv);
	t->srv_blocks = talloc_total_blocks(t->srv);
	t->srv_unauth = t->srv->unauth_conns;
	return t;
}

/* A child of the connection: tells us when the server freed it. */
struct conn_watch {
	struct smbdt *t;
};

static int conn_watch_destructor(struct conn_watch *w)
{
	w->t->conn = NULL;
	return 0;
}

struct smbd_conn *smbdt_connect(struct smbdt *t, bool netbios)
{
	struct conn_watch *w = NULL;
	int sv[2] = { -1, -1 };

	ck_assert_ptr_null(t->conn);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
				    SOCK_CLOEXEC, 0, sv), 0);
	t->conn = smbd_conn_new(t->srv, sv[0], netbios);
	ck_assert_ptr_nonnull(t->conn);
	w = talloc_zero(t->conn, struct conn_watch);
	ck_assert_ptr_nonnull(w);
	w->t = t;
	talloc_set_destructor(w, conn_watch_destructor);
	t->peer = sv[1];
	t->peer_eof = false;
	t->rx_len = 0;
	t->mid = 0;
	return t->conn;
}

void smbdt_set_upcalls(struct smbdt *t, const struct smbd_conn_upcalls *up)
{
	ck_assert_ptr_nonnull(t->conn);
	t->conn->up = up;
}

/* The lazily made caches the server keeps for its life. */
static size_t srv_cache_blocks(const struct smbdt *t)
{
	size_t n = 0;

	if (t->srv->loop->rbuf != NULL) {
		n += talloc_total_blocks(t->srv->loop->rbuf);
	}
	if (t->srv->loop->req_pool != NULL) {
		n += talloc_total_blocks(t->srv->loop->req_pool);
	}
	if (t->srv->open_index != NULL) {
		n += talloc_total_blocks(t->srv->open_index);
	}
	if (t->srv->sweep_te != NULL) {
		n += talloc_total_blocks(t->srv->sweep_te);
	}
	return n;
}

void smbdt_free(struct smbdt *t)
{
	if (t->conn != NULL) {
		talloc_free(t->conn);
		ck_assert_ptr_null(t->conn);
	}
	if (t->peer >= 0) {
		close(t->peer);
		t->peer = -1;
	}
	/* Everything a connection made went with it. */
	ck_assert_uint_eq(t->srv->nconns, 0);
	ck_assert_ptr_null(t->srv->conns);
	ck_assert_ptr_null(t->srv->clients);
	ck_assert_ptr_null(t->srv->sessions);
	ck_assert_ptr_null(t->srv->files);
	ck_assert_uint_eq(t->srv->unauth_conns, t->srv_unauth);
	/*
	 * Share roots stay open between tree connects (smb2/tree.c); the
	 * idle ones go now, one a tree still held would stay and count.
	 */
	smbd_share_roots_trim(t->srv);
	if (talloc_total_blocks(t->srv) - srv_cache_blocks(t) !=
	    t->srv_blocks) {
		talloc_report_full(t->srv, stderr);
	}
	ck_assert_uint_eq(talloc_total_blocks(t->srv) - srv_cache_blocks(t),
			  t->srv_blocks);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
		ck_assert_int_eq(system(cmd), 0);
	}
	talloc_free(t);
}

void smbdt_negotiate(struct smbdt *t, uint16_t dialect, uint16_t credits)
{
	struct wire_wr w;
	struct smb2_hdr h = smbdt_hdr(SMB2_NEGOTIATE, 0, 0, 0);

	h.credits = credits;
	wire_wr_init(&w, t, 0);
	smb2_hdr_push(&w, &h);
	smbdt_put_negotiate(&w, &dialect, 1);
	ck_assert_uint_eq(smbdt_call(t, &w), NT_STATUS_OK);
	talloc_free(w.buf);
	ck_assert_uint_ge(t->rep[0].body_len, 6);
	ck_assert_uint_eq(wire_le16(t->rep[0].body + 4), dialect);
	ck_assert_int_eq(t->conn->state, SMBD_CONN_ACTIVE);
	t->mid = 1;
}

struct smbd_session *smbdt_session(struct smbdt *t, bool signing,
				   bool anonymous)
{
	struct smbd_session *s = smbd_session_new(t->conn);

	ck_assert_ptr_nonnull(s);
	s->state = SMBD_SESS_VALID;
	s->anonymous = anonymous;
	s->user = talloc_strdup(s, anonymous ? "" : "tester");
	s->domain = talloc_strdup(s, "");
	s->workstation = talloc_strdup(s, "");
	ck_assert_ptr_nonnull(s->user);
	if (signing) {
		memcpy(s->session_key, SMBDT_KEY, 16);
		memcpy(s->keys.signing, SMBDT_KEY, 16);
		s->have_keys = true;
		s->signing_required = true;
	}
	smbd_conn_set_authenticated(t->conn, true);
	return s;
}

struct smbd_tree *smbdt_tree(struct smbdt *t, struct smbd_session *s)
{
	const struct wg_share_cfg *sh = wg_config_find_share(t->srv->cfg,
							     "demo");
	struct smbd_tree *tr = NULL;
	int fd = -1;

	ck_assert_ptr_nonnull(sh);
	fd = open(t->share, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	tr = smbd_tree_new(s, sh, fd);
	ck_assert_ptr_nonnull(tr);
	return tr;
}

uint64_t smbdt_next_mid(struct smbdt *t)
{
	return t->mid++;
}

/* ---- requests ---- */

struct smb2_hdr smbdt_hdr(uint16_t cmd, uint64_t mid, uint64_t sess,
			  uint32_t tree)
{
	struct smb2_hdr h = {
		.credit_charge = 1,
		.command = cmd,
		.credits = 1,
		.message_id = mid,
		.session_id = sess,
		.tree_id = tree,
	};

	return h;
}

void smbdt_put_echo(struct wire_wr *w)
{
	wire_put_u16le(w, 4);
	wire_put_u16le(w, 0);
}

static void put_fid(struct wire_wr *w, uint64_t p, uint64_t v)
{
	wire_put_u64le(w, p);
	wire_put_u64le(w, v);
}

void smbdt_put_flush(struct wire_wr *w, uint64_t fid_p, uint64_t fid_v)
{
	wire_put_u16le(w, 24);
	wire_put_u16le(w, 0);
	wire_put_u32le(w, 0);
	put_fid(w, fid_p, fid_v);
}

void smbdt_put_close(struct wire_wr *w, uint64_t fid_p, uint64_t fid_v)
{
	wire_put_u16le(w, 24);
	wire_put_u16le(w, 0);	/* Flags */
	wire_put_u32le(w, 0);
	put_fid(w, fid_p, fid_v);
}

void smbdt_put_create(struct wire_wr *w, const char *name,
		      uint32_t disposition)
{
	size_t n = strlen(name);
	size_t i = 0;

	wire_put_u16le(w, 57);
	wire_put_u8(w, 0);			/* SecurityFlags */
	wire_put_u8(w, SMB2_OPLOCK_LEVEL_NONE);
	wire_put_u32le(w, 2);			/* Impersonation */
	wire_put_u64le(w, 0);			/* SmbCreateFlags */
	wire_put_u64le(w, 0);			/* Reserved */
	wire_put_u32le(w, SEC_GENERIC_ALL);
	wire_put_u32le(w, FILE_ATTRIBUTE_NORMAL);
	wire_put_u32le(w, FILE_SHARE_READ | FILE_SHARE_WRITE |
			  FILE_SHARE_DELETE);
	wire_put_u32le(w, disposition);
	wire_put_u32le(w, FILE_NON_DIRECTORY_FILE);
	wire_put_u16le(w, (uint16_t)(SMB2_HDR_SIZE + 56));	/* NameOffset */
	wire_put_u16le(w, (uint16_t)(2 * n));
	wire_put_u32le(w, 0);			/* CreateContextsOffset */
	wire_put_u32le(w, 0);
	for (i = 0; i < n; i++) {
		wire_put_u16le(w, (uint8_t)name[i]);
	}
	if (n == 0) {
		wire_put_u8(w, 0);		/* Buffer: at least a byte */
	}
}

void smbdt_put_read(struct wire_wr *w, uint64_t fid_p, uint64_t fid_v,
		    uint32_t length, uint64_t offset)
{
	wire_put_u16le(w, 49);
	wire_put_u8(w, 0);		/* Padding */
	wire_put_u8(w, 0);		/* Flags */
	wire_put_u32le(w, length);
	wire_put_u64le(w, offset);
	put_fid(w, fid_p, fid_v);
	wire_put_u32le(w, 0);		/* MinimumCount */
	wire_put_u32le(w, 0);		/* Channel */
	wire_put_u32le(w, 0);		/* RemainingBytes */
	wire_put_u16le(w, 0);
	wire_put_u16le(w, 0);
	wire_put_u8(w, 0);		/* Buffer */
}

void smbdt_put_write(struct wire_wr *w, uint64_t fid_p, uint64_t fid_v,
		     const void *data, uint32_t length, uint64_t offset)
{
	wire_put_u16le(w, 49);
	wire_put_u16le(w, SMB2_HDR_SIZE + 48);	/* DataOffset */
	wire_put_u32le(w, length);
	wire_put_u64le(w, offset);
	put_fid(w, fid_p, fid_v);
	wire_put_u32le(w, 0);		/* Channel */
	wire_put_u32le(w, 0);		/* RemainingBytes */
	wire_put_u16le(w, 0);
	wire_put_u16le(w, 0);
	wire_put_u32le(w, 0);		/* Flags */
	if (data != NULL) {
		wire_put_bytes(w, data, length);
	} else {
		wire_put_zero(w, length);
	}
}

void smbdt_put_lock(struct wire_wr *w, uint64_t fid_p, uint64_t fid_v)
{
	wire_put_u16le(w, 48);
	wire_put_u16le(w, 1);		/* LockCount */
	wire_put_u32le(w, 0);		/* LockSequence */
	put_fid(w, fid_p, fid_v);
	wire_put_u64le(w, 0);		/* Offset */
	wire_put_u64le(w, 1);		/* Length */
	wire_put_u32le(w, SMB2_LOCKFLAG_EXCLUSIVE_LOCK |
			  SMB2_LOCKFLAG_FAIL_IMMEDIATELY);
	wire_put_u32le(w, 0);
}

static void put_negotiate(struct wire_wr *w, const uint16_t *dialects,
			  uint16_t n, int sign_alg)
{
	size_t hdr = w->len - SMB2_HDR_SIZE;
	bool ctx = false;
	size_t ctx_pos = 0;
	uint16_t i = 0;

	for (i = 0; i < n; i++) {
		ctx |= dialects[i] == SMB2_DIALECT_311;
	}
	wire_put_u16le(w, 36);
	wire_put_u16le(w, n);
	wire_put_u16le(w, SMB2_NEGOTIATE_SIGNING_ENABLED);
	wire_put_u16le(w, 0);
	wire_put_u32le(w, SMB2_GLOBAL_CAP_LARGE_MTU);
	wire_put_bytes(w, "smbdtest-client!", 16);	/* ClientGuid */
	ctx_pos = w->len;
	wire_put_u32le(w, 0);		/* NegotiateContextOffset */
	wire_put_u16le(w, !ctx ? 0 : sign_alg >= 0 ? 2 : 1);
	wire_put_u16le(w, 0);
	for (i = 0; i < n; i++) {
		wire_put_u16le(w, dialects[i]);
	}
	if (!ctx) {
		return;
	}
	/* one PREAUTH_INTEGRITY context: SHA-512, 32-byte salt */
	while ((w->len - hdr) % 8 != 0) {
		wire_put_u8(w, 0);
	}
	wire_patch_u32le(w, ctx_pos, (uint32_t)(w->len - hdr));
	wire_put_u16le(w, SMB2_PREAUTH_INTEGRITY_CAPABILITIES);
	wire_put_u16le(w, 38);
	wire_put_u32le(w, 0);
	wire_put_u16le(w, 1);
	wire_put_u16le(w, 32);
	wire_put_u16le(w, SMB2_PREAUTH_HASH_SHA512);
	wire_put_zero(w, 32);
	if (sign_alg < 0) {
		return;
	}
	while ((w->len - hdr) % 8 != 0) {
		wire_put_u8(w, 0);
	}
	wire_put_u16le(w, SMB2_SIGNING_CAPABILITIES);
	wire_put_u16le(w, 4);
	wire_put_u32le(w, 0);
	wire_put_u16le(w, 1);
	wire_put_u16le(w, (uint16_t)sign_alg);
}

void smbdt_put_negotiate(struct wire_wr *w, const uint16_t *dialects,
			 uint16_t n)
{
	put_negotiate(w, dialects, n, -1);
}

void smbdt_put_negotiate_signing(struct wire_wr *w, const uint16_t *dialects,
				 uint16_t n, uint16_t sign_alg)
{
	put_negotiate(w, dialects, n, sign_alg);
}

size_t smbdt_chain(struct wire_wr *w, size_t prev)
{
	wire_put_align(w, 8);
	wire_patch_u32le(w, prev + SMB2_HDR_OFF_NEXT,
			 (uint32_t)(w->len - prev));
	return w->len;
}

void smbdt_sign(struct wire_wr *w, size_t start, size_t end,
		enum smb2_sign_alg alg, const uint8_t key[16])
{
	ck_assert_int_eq(wire_wr_error(w), 0);
	ck_assert_uint_le(end, w->len);
	smb2_sign(alg, key, w->buf + start, end - start);
}

/* ---- the wire ---- */

void smbdt_send_raw(struct smbdt *t, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t off = 0;

	ck_assert_int_ge(t->peer, 0);
	while (off < n) {
		ssize_t w = write(t->peer, b + off, n - off);

		if (w < 0 && errno == EAGAIN) {
			/* the server reads it at its next turn */
			tevent_loop_once(t->ev);
			continue;
		}
		ck_assert_int_gt(w, 0);
		off += (size_t)w;
	}
}

void smbdt_send(struct smbdt *t, const struct wire_wr *w)
{
	struct wire_wr f;

	ck_assert_int_eq(wire_wr_error(w), 0);
	wire_wr_init(&f, t, 0);
	nbt_frame_hdr_push(&f, NBT_SESSION_MESSAGE, (uint32_t)w->len);
	wire_put_bytes(&f, w->buf, w->len);
	ck_assert_int_eq(wire_wr_error(&f), 0);
	smbdt_send_raw(t, f.buf, f.len);
	talloc_free(f.buf);
}

/* Read what the peer has; notes EOF. */
static void peer_read(struct smbdt *t)
{
	uint8_t buf[65536];

	while (!t->peer_eof) {
		ssize_t n = read(t->peer, buf, sizeof(buf));

		if (n == 0 || (n < 0 && errno == ECONNRESET)) {
			t->peer_eof = true;
			break;
		}
		if (n < 0) {
			ck_assert_int_eq(errno, EAGAIN);
			break;
		}
		t->rx = talloc_realloc(t, t->rx, uint8_t, t->rx_len + n);
		ck_assert_ptr_nonnull(t->rx);
		memcpy(t->rx + t->rx_len, buf, (size_t)n);
		t->rx_len += (size_t)n;
	}
}

static void peer_io(struct tevent_context *ev, struct tevent_fd *fde,
		    uint16_t flags, void *private_data)
{
	peer_read(private_data);
}

static void wait_over(struct tevent_context *ev, struct tevent_timer *te,
		      struct timeval now, void *private_data)
{
	*(bool *)private_data = true;
}

/* Length of the whole first frame in rx, or 0 if incomplete. */
static size_t rx_frame_len(const struct smbdt *t)
{
	size_t len = 0;

	if (t->rx_len < 4) {
		return 0;
	}
	len = 4 + ((size_t)t->rx[1] << 16 | (size_t)t->rx[2] << 8 | t->rx[3]);
	return t->rx_len >= len ? len : 0;
}

/* Split an SMB2 frame into its messages (t->rep). */
static void split_replies(struct smbdt *t)
{
	size_t off = 0;

	t->nrep = 0;
	if (t->frame_len < 4 || memcmp(t->frame, SMB2_MAGIC, 4) != 0) {
		return;
	}
	while (off < t->frame_len) {
		struct smbdt_reply *r = NULL;
		struct wire_rd rd;

		ck_assert_uint_lt(t->nrep, SMBDT_MAX_REPLIES);
		r = &t->rep[t->nrep++];
		*r = (struct smbdt_reply) {};
		wire_rd_init(&rd, t->frame + off, t->frame_len - off);
		ck_assert_int_eq(smb2_hdr_pull(&rd, &r->h), 0);
		ck_assert(r->h.flags & SMB2_FLAGS_SERVER_TO_REDIR);
		r->msg = t->frame + off;
		r->msg_len = t->frame_len - off;
		if (r->h.next_command != 0) {
			ck_assert_uint_eq(r->h.next_command % 8, 0);
			ck_assert_uint_le(r->h.next_command, r->msg_len);
			r->msg_len = r->h.next_command;
		}
		r->body = r->msg + SMB2_HDR_SIZE;
		r->body_len = r->msg_len - SMB2_HDR_SIZE;
		off += r->msg_len;
	}
}

/* Turn the loop until done(t) or ms passed; read the peer if 'read'. */
static void run_until(struct smbdt *t, int ms, bool (*done)(struct smbdt *),
		      bool read)
{
	TALLOC_CTX *tmp = talloc_new(t);
	struct tevent_fd *fde = NULL;
	bool over = false;

	ck_assert_ptr_nonnull(tmp);
	if (t->peer >= 0 && read) {
		fde = tevent_add_fd(t->ev, tmp, t->peer, TEVENT_FD_READ,
				    peer_io, t);
		ck_assert_ptr_nonnull(fde);
	}
	ck_assert_ptr_nonnull(tevent_add_timer(t->ev, tmp,
					       tevent_timeval_current_ofs(
						       ms / 1000,
						       (ms % 1000) * 1000),
					       wait_over, &over));
	while (!over && (done == NULL || !done(t))) {
		if (t->peer_eof && fde != NULL) {
			TALLOC_FREE(fde);	/* EOF stays readable */
		}
		ck_assert_int_eq(tevent_loop_once(t->ev), 0);
	}
	talloc_free(tmp);
}

static bool have_frame(struct smbdt *t)
{
	return rx_frame_len(t) > 0 || (t->peer_eof && t->conn == NULL);
}

int smbdt_recv(struct smbdt *t, int timeout_ms)
{
	size_t len = 0;

	TALLOC_FREE(t->frame);
	t->frame_len = 0;
	t->nrep = 0;
	run_until(t, timeout_ms, have_frame, true);
	len = rx_frame_len(t);
	if (len == 0) {
		return t->peer_eof ? -EPIPE : -ETIMEDOUT;
	}
	t->frame_type = t->rx[0];
	t->frame_len = len - 4;
	/* a frame may be empty (NetBIOS responses): one byte at least */
	t->frame = talloc_zero_array(t, uint8_t, t->frame_len + 1);
	ck_assert_ptr_nonnull(t->frame);
	memcpy(t->frame, t->rx + 4, t->frame_len);
	memmove(t->rx, t->rx + len, t->rx_len - len);
	t->rx_len -= len;
	split_replies(t);
	return 0;
}

NTSTATUS smbdt_call(struct smbdt *t, const struct wire_wr *w)
{
	int rc = 0;

	smbdt_send(t, w);
	rc = smbdt_recv(t, SMBDT_WAIT_MS);
	ck_assert_msg(rc == 0, "no reply: %s", strerror(-rc));
	ck_assert_uint_ge(t->nrep, 1);
	return t->rep[0].h.status;
}

void smbdt_run(struct smbdt *t, int ms)
{
	run_until(t, ms, NULL, true);
}

void smbdt_run_deaf(struct smbdt *t, int ms)
{
	run_until(t, ms, NULL, false);
}

static bool is_closed(struct smbdt *t)
{
	return t->peer_eof && t->conn == NULL;
}

bool smbdt_closed(struct smbdt *t, int timeout_ms)
{
	run_until(t, timeout_ms, is_closed, true);
	return is_closed(t);
}

size_t smbdt_pending(const struct smbdt *t)
{
	return t->rx_len;
}
