/*
 * smbdtest.h - drive the smbd core in process, without a listener.
 *
 * A test server gets a temp directory with a share ("demo") and its
 * config; a connection is made on one end of a socketpair(AF_UNIX,
 * SOCK_STREAM) and the test writes raw frames to the other end, then
 * turns the tevent loop until a whole reply frame has been read, the
 * server closed the connection, or a timeout passed.
 *
 * Sessions and trees are made through the internal API (the way
 * fuzz/fuzz_smbd.c does it), not by NTLMSSP: there is no client-side
 * NTLMSSP in proto/. A signing session gets the fixed key SMBDT_KEY.
 *
 * Ownership: struct smbdt is a talloc child of the mem given to
 * smbdt_new(); the server is its child, the connection the server's.
 * smbdt_free() frees the connection, checks that the server is back to
 * the talloc blocks and counts it had before any connection (a leak in
 * the core fails the test; the caches the server keeps for its life,
 * read buffer, open index and sweep timer, are not counted), removes
 * the temp directory and frees all.
 * Replies read are children of the smbdt and live until the next read.
 *
 * Server and connection creation live in smbdtest.c only
 * (smbdt_new, smbdt_connect): adapt there when their wiring changes.
 */
#ifndef WG_TESTS_SMBD_SMBDTEST_H
#define WG_TESTS_SMBD_SMBDTEST_H

#include "smbd/smbd.h"

/* Default time to wait for a reply or a close, in milliseconds. */
#define SMBDT_WAIT_MS 3000

/* The signing key of sessions made by smbdt_session(..., true). */
extern const uint8_t SMBDT_KEY[16];

/* One message of a reply frame (a compound has several). */
struct smbdt_reply {
	struct smb2_hdr h;
	const uint8_t *msg;	/* its header, in the frame */
	size_t msg_len;		/* to NextCommand or the frame end */
	const uint8_t *body;	/* after the header */
	size_t body_len;
};

#define SMBDT_MAX_REPLIES 16

struct smbdt {
	struct tevent_context *ev;
	struct smbd_server *srv;
	struct smbd_conn *conn;	/* NULL once the server freed it */
	int peer;		/* the client's end; -1 when closed */
	bool peer_eof;		/* the server closed its end */
	char dir[64];		/* temp dir: share/, the conf, users */
	char share[96];
	size_t srv_blocks;	/* talloc blocks of srv, no connection */
	size_t srv_unauth;	/* srv->unauth_conns, no connection */
	uint8_t *rx;		/* bytes read from peer, not returned yet */
	size_t rx_len;
	uint8_t *frame;		/* the last frame read (child of this) */
	size_t frame_len;
	uint8_t frame_type;	/* its NetBIOS type */
	struct smbdt_reply rep[SMBDT_MAX_REPLIES];
	size_t nrep;		/* messages in frame */
	uint64_t mid;		/* next MessageId (smbdt_next_mid) */
};

/*
 * A server over a fresh temp share. global_extra: more "[global]" lines
 * ("max reply backlog = 1M\n") or NULL. Fails the test on any error.
 */
struct smbdt *smbdt_new(TALLOC_CTX *mem, struct tevent_context *ev,
			const char *global_extra);

/* Tear down (see above); fails the test on a leak in the server. */
void smbdt_free(struct smbdt *t);

/*
 * A connection on a new socketpair, as the listener would make it
 * (netbios: the port 139 framing). t->conn and t->peer are set.
 */
struct smbd_conn *smbdt_connect(struct smbdt *t, bool netbios);

/*
 * Hand t->conn's whole messages to up instead of the SMB layer (the
 * callbacks the server registered), to test the transport alone.
 */
void smbdt_set_upcalls(struct smbdt *t, const struct smbd_conn_upcalls *up);

/*
 * NEGOTIATE over the wire (MessageId 0, asking for 'credits'), offering
 * only 'dialect' (3.1.1 with a SHA-512 preauth context). Asserts
 * success; afterwards t->mid is 1.
 */
void smbdt_negotiate(struct smbdt *t, uint16_t dialect, uint16_t credits);

/*
 * A VALID session on t->conn made through the internal API. signing:
 * it has keys (SMBDT_KEY signs) and requires signing. anonymous: a null
 * session. The connection counts as authenticated.
 */
struct smbd_session *smbdt_session(struct smbdt *t, bool signing,
				   bool anonymous);

/* A tree connect of s to the "demo" share. */
struct smbd_tree *smbdt_tree(struct smbdt *t, struct smbd_session *s);

/* The next MessageId to use (t->mid++). */
uint64_t smbdt_next_mid(struct smbdt *t);

/* ---- building requests (append to a wire_wr) ---- */

/* A request header: charge 1, asks for 1 credit, nothing else set. */
struct smb2_hdr smbdt_hdr(uint16_t cmd, uint64_t mid, uint64_t sess,
			  uint32_t tree);

/* Push h then 'body' for the bodies below, as one call each. */
void smbdt_put_echo(struct wire_wr *w);
void smbdt_put_flush(struct wire_wr *w, uint64_t fid_p, uint64_t fid_v);
void smbdt_put_close(struct wire_wr *w, uint64_t fid_p, uint64_t fid_v);
/* CREATE of an ASCII name with GENERIC_ALL, sharing all. */
void smbdt_put_create(struct wire_wr *w, const char *name,
		      uint32_t disposition);
void smbdt_put_read(struct wire_wr *w, uint64_t fid_p, uint64_t fid_v,
		    uint32_t length, uint64_t offset);
void smbdt_put_write(struct wire_wr *w, uint64_t fid_p, uint64_t fid_v,
		     const void *data, uint32_t length, uint64_t offset);
/* LOCK of one exclusive range [0, 1), fail immediately. */
void smbdt_put_lock(struct wire_wr *w, uint64_t fid_p, uint64_t fid_v);
void smbdt_put_negotiate(struct wire_wr *w, const uint16_t *dialects,
			 uint16_t n);
/* ... with a SIGNING_CAPABILITIES context offering sign_alg (3.1.1). */
void smbdt_put_negotiate_signing(struct wire_wr *w, const uint16_t *dialects,
				 uint16_t n, uint16_t sign_alg);

/*
 * Start the next message of a compound: pad w to 8 and set the
 * NextCommand of the message at prev (its offset in w). Returns the
 * offset of the new message.
 */
size_t smbdt_chain(struct wire_wr *w, size_t prev);

/* Sign the message w->buf[start, end) in place. */
void smbdt_sign(struct wire_wr *w, size_t start, size_t end,
		enum smb2_sign_alg alg, const uint8_t key[16]);

/* ---- the wire ---- */

/* Write raw bytes to the server (all of them). */
void smbdt_send_raw(struct smbdt *t, const void *p, size_t n);

/* Write w as one direct-TCP frame (4-byte header + message). */
void smbdt_send(struct smbdt *t, const struct wire_wr *w);

/*
 * Turn the loop until a whole frame arrived (0), the server closed the
 * connection (-EPIPE) or timeout_ms passed (-ETIMEDOUT). The frame is in
 * t->frame/t->frame_type; SMB2 ones are split into t->rep[0..nrep).
 */
int smbdt_recv(struct smbdt *t, int timeout_ms);

/*
 * Send w and read the reply frame; asserts one came. Returns the status
 * of its first message.
 */
NTSTATUS smbdt_call(struct smbdt *t, const struct wire_wr *w);

/* Turn the loop for ms, reading whatever arrives (into t->rx). */
void smbdt_run(struct smbdt *t, int ms);

/* Turn the loop for ms without reading: the server's output backs up. */
void smbdt_run_deaf(struct smbdt *t, int ms);

/*
 * Did the server close the connection within timeout_ms? True once the
 * peer saw EOF and the connection object is gone.
 */
bool smbdt_closed(struct smbdt *t, int timeout_ms);

/* Bytes that arrived and were not returned as a frame yet. */
size_t smbdt_pending(const struct smbdt *t);

#endif
