/*
 * smbd.h - the daemon's object model: the server, one client computer,
 * its connections, their sessions, tree connects and requests in flight.
 * No function lives here; each layer's header declares what it offers
 * (README "Layout").
 *
 * Ownership (talloc parents):
 *   smbd_server
 *     +- smbd_loop            (an event loop's own state: read buffer,
 *     |                        descriptor cache; one today, srv->loop;
 *     |                        every connection names its loop and is
 *     |                        touched from it only; docs/threads.md)
 *     +- smbd_conn            (one per TCP connection; net/conn.c)
 *          +- smbd_session    (SMB2 sessions established on it;
 *          |    |              smb2/session.c)
 *          |    +- smbd_tree  (tree connects; smb2/tree.c)
 *          |         +- smbd_open (open files, directories, pipes;
 *          |                       fs/open.h, which also defines
 *          |                       smbd_file, the per-inode state)
 *          +- smbd_req        (requests in flight; smb2/dispatch.c,
 *                              services in smb2/request.h)
 * Freeing a connection frees everything below it; destructors close fds
 * and unlink list entries.
 */
#ifndef WG_SMBD_SMBD_H
#define WG_SMBD_SMBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <talloc.h>
#include <tevent.h>

#include "proto/wire.h"
#include "proto/ntstatus.h"
#include "proto/sid.h"
#include "proto/smb2.h"
#include "proto/smb2_crypto.h"
#include "smbd/base/config.h"
#include "smbd/base/log.h"
#include "smbd/base/nttime.h"
#include "smbd/budget.h"

struct smbd_loop;
struct smbd_threads;	/* the state lock, loop threads: smbd/loop.c */
struct smbd_holds;	/* state lock hold times: smbd/loop.h */
struct smbd_conn;
struct smbd_client;
struct smbd_session;
struct smbd_tree;
struct smbd_open;	/* fs/open.h */
struct smbd_open_att;	/* a higher layer's state on an open: fs/open.h */
struct smbd_req;
struct smbd_workers;
struct smbd_file;	/* per (dev, ino) shared state: fs/open.h */
struct smbd_dirstate;	/* enumeration state: smb2/cmd/querydir.c */
struct smbd_pipe;	/* named pipe state: pipes/ */
struct users_db;
struct smbd_listener;
struct smbd_nbns;
struct smbd_sendq;
struct smbd_compound;
struct sess_auth;
struct sm_manager;
struct sm_session;
struct admin_ctx;
struct smbd_control;
struct print_ctx;
struct share_root;
struct smbd_cmd_row;	/* the SMB2 command table: smb2/dispatch.h */
struct smbd_oplock_upcalls;	/* break notifications: fs/oplock.h */
struct smbd_smb1_conn;		/* SMB1 connection state: smb1/smb1.h */
struct se_token;	/* who a session is: proto/seaccess.h */
struct smbd_acl_cache;	/* stored descriptors: fs/acl.h */

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Limits */
#define SMBD_MAX_TRANSACT	(1024u * 1024)	/* 3.x / 2.1 with LARGE_MTU */
#define SMBD_MAX_TRANSACT_202	(64u * 1024)
#define SMBD_MAX_CREDITS	8192
#define SMBD_RBUF_SIZE		(64u * 1024)
#define SMBD_TOMBS		8	/* conn->tombs */

/*
 * The data of a large plain WRITE left in the kernel (net/conn.c): spliced
 * from the socket into a pipe, for a worker to splice into the file, so
 * no copy of it passes through user memory. A talloc object; freeing it
 * closes the pipe. off: where in the SMB2 message the data begins (the
 * head before it is the frame's buffer); len: the data's bytes, all in
 * the pipe once the frame is delivered (have counts them while it fills).
 */
struct smbd_payload {
	int rfd, wfd;
	size_t off, len, have;
	unsigned *live;		/* net/conn.c's count of them, or NULL */
};

/*
 * What a connection hands up to the protocol above it: net/ names no
 * higher layer, daemon/server.c registers the SMB layer's functions in
 * srv->conn_up and every new connection takes them from there.
 */
struct smbd_conn_upcalls {
	/*
	 * One whole session message (NBT header removed); buf is stolen.
	 * With conn->in_payload set, buf is only the message's head and the
	 * rest is in that pipe (see splice_at); frame may take it (steal
	 * it and set conn->in_payload NULL), else it is freed after.
	 */
	void (*frame)(struct smbd_conn *conn, uint8_t *buf, size_t len);
	/*
	 * Optional. The first head_len bytes of a message of frame_len
	 * bytes: return head_len to have the rest (its data) spliced into
	 * a pipe instead of read into memory, 0 to read it as usual.
	 */
	size_t (*splice_at)(struct smbd_conn *conn, const uint8_t *head,
			    size_t head_len, size_t frame_len);
	/* The reply backlog shrank: go on with work blocked on it. */
	void (*resume)(struct smbd_conn *conn);
	/* Nothing in flight or queued, no frame for a while (the sweep,
	 * net/conn.c): let go of what the next request can rebuild. May
	 * be NULL. */
	void (*idle)(struct smbd_conn *conn);
};

/*
 * One event loop and what only it uses (docs/threads.md, stage 2): its
 * tevent_context, the buffer its connections read into, the cache of
 * stored descriptors its access checks read through. Each connection
 * names the loop it runs on (conn->loop); its socket is read and written
 * from that loop only, and it is freed there (net/conn.c). The server
 * has srv->nloops of them in srv->loops (`server threads`), each a talloc
 * child of the server; loop 0 is srv->loop, whose ev is srv->ev, run by
 * the main thread; the others run on threads of their own (smbd/loop.h),
 * and every loop holds the state lock while it touches any smbd object.
 */
/*
 * Server-side latency of SMB2 requests (loop.h, "Request latency"): what
 * a request's worker jobs waited and ran, in time-stamp ticks, carried
 * from a job to the job its completion queues and so to the request the
 * last one completes (fs/workers.c, smb2/dispatch.c).
 */
struct smbd_lat_jobs {
	uint64_t queue;		/* queued -> a worker took it */
	uint64_t run;		/* on the worker */
	uint64_t back;		/* finished -> its completion on the loop */
	unsigned n;
};

/*
 * The timed requests a reply answers (at most SMBD_LAT_RECS; more in
 * one compound go untimed), all from one frame: the dispatcher points
 * conn->lat_next at them while it queues the reply; the reply phase is
 * put down then, and the rest (struct smbd_lat_sent) goes into the queue
 * entry and is put down once it is written (net/conn.c).
 */
#define SMBD_LAT_RECS 4
struct smbd_lat_reply {
	uint64_t t_rd;			/* their frame's last read() returned */
	uint64_t t_d[SMBD_LAT_RECS];	/* each one's handler (or work) done */
	uint8_t cmd[SMBD_LAT_RECS];
	uint8_t n;
};

/* What a queue entry keeps of it (net/conn.c). */
struct smbd_lat_sent {
	uint64_t t_rd;
	uint64_t t_q;			/* queued */
	uint8_t cmd[SMBD_LAT_RECS];
	uint8_t n;
};

struct smbd_lat;			/* per loop: loop.h */

struct smbd_loop {
	struct smbd_server *srv;
	struct tevent_context *ev;
	unsigned idx;			/* in srv->loops */
	uint8_t *rbuf;			/* shared read buffer (conn.c), child */
	struct smbd_acl_cache *acl_cache; /* stored descriptors (fs/acl.c) */
	/* the talloc pool requests and their handlers allocate from
	 * (smb2/dispatch.c req_new), child; NULL until the first */
	void *req_pool;
	/* Several loops only (smbd/loop.c); -1 and NULL with one: */
	int wake_fd;			/* eventfd: another thread woke it */
	struct tevent_fd *wake_fde;
	/* connections with replies to write at the end of this turn,
	 * without the state lock (conn.c; conn->flush_next) */
	struct smbd_conn *flush_head;
	void (*flush)(struct smbd_loop *lp);	/* set by conn.c */
	/* Under the state lock: what lives here, for wgnet statistics */
	unsigned nclients;		/* computers assigned to it */
	size_t nconns;
	uint64_t conns_accepted;
	/* The state lock as this loop's thread took it (loop.c), written
	 * by that thread under the lock: acquisitions, those that found
	 * it held, the ns they waited (in all, and the longest once),
	 * and wakes from other threads */
	uint64_t lock_acquired;
	uint64_t lock_contended;
	uint64_t lock_wait_ns;
	uint64_t lock_wait_max_ns;
	uint64_t wakes;
	/* how long it held the lock, and doing what (loop.h) */
	struct smbd_holds *holds;	/* child; NULL with one loop */
	uint64_t hold_t0;		/* when the current hold began */
	unsigned hold_site;		/* enum smbd_site of that hold */
	/* calls to make once it lets go of the lock (loop.h) */
	struct {
		void (*fn)(void *arg, unsigned n);
		void *arg;
		unsigned n;
	} after[4];			/* SMBD_LOOP_AFTER */
	unsigned nafter;
	/* request latency (loop.h), written by this loop's thread under
	 * the state lock; child */
	struct smbd_lat *lat;
	int tid;			/* its thread, for schedstat */
};

struct smbd_server {
	/* the main loop's: with several loops, code that runs for a
	 * request puts its timers and immediates on smbd_loop_ev(srv) or
	 * its connection's loop instead (smbd/loop.h), or the main loop
	 * may sleep through them */
	struct tevent_context *ev;
	struct smbd_loop *loop;		/* loop 0, the main thread's */
	struct smbd_loop **loops;	/* every loop; loops[0] == loop */
	unsigned nloops;
	/* the state lock and the loop threads (smbd/loop.c); NULL with
	 * one loop, when nothing is locked */
	struct smbd_threads *threads;
	struct wg_config *cfg;
	const struct smbd_conn_upcalls *conn_up; /* set by server.c */
	/* SMB1 NEGOTIATE (cmd/negprot.c), set by server.c for dispatch */
	void (*smb1_negotiate)(struct smbd_conn *conn, const uint8_t *buf,
			       size_t len);
	/* The SMB1 front end (smbd/smb1), set by server.c: true if it took
	 * the message (buf stolen), false to leave it to smb1_negotiate */
	bool (*smb1_frame)(struct smbd_conn *conn, uint8_t *buf, size_t len);
	struct smbd_workers *workers;
	struct smbd_workers *scan_workers; /* directory listings */
	struct smbd_workers *sweep_workers; /* stream sweep, low priority */
	struct users_db *users;
	/*
	 * This server's machine SID (sessions/identity.h): the domain of
	 * every user SID (session tokens, fs/acl.c; lsarpc, samr). Loaded
	 * once by smbd_server_start() (daemon/server.c) before any
	 * connection; machine_sid_ok false if that failed (all zero until
	 * then, e.g. in unit tests).
	 */
	struct dom_sid machine_sid;
	bool machine_sid_ok;
	struct smbd_listener **listeners;
	size_t nlisteners;
	struct smbd_nbns *nbns;		/* name service (net/nbns.c) or NULL */
	struct smbd_conn *conns;
	struct smbd_client *clients;	/* one per peer address (conn.c) */
	size_t nconns;
	struct smbd_session *sessions;	/* every session, all conns */
	uint8_t server_guid[16];
	uint64_t start_time_nt;
	uint64_t next_session_id;
	uint64_t next_file_id;		/* volatile ids; never reused */
	uint64_t next_async_id;
	struct smbd_file *files;	/* open (dev, ino) table (vfs) */
	struct tevent_timer *sweep_te;	/* connection timeouts */
	struct smbd_conn *sweep_cursor;
	size_t unauth_conns;
	uint64_t next_conn_id;
	struct sm_manager *sm;		/* session manager (sessions/) */
	struct admin_ctx *admin;	/* admin view (admin.c) */
	struct print_ctx *print;	/* print queues (print.c) */
	void *open_index;		/* fid -> open map (fs/open.c) */
	/* durable opens whose connection was lost (fs/open.c) */
	struct smbd_open *preserved;
	size_t npreserved;
	/* cap slots those opens keep for their computers (fs/open.c) */
	struct smbd_ghost *ghosts;
	bool shutting_down;
	struct smbd_control *control;	/* wgnet's socket (control.c) */
	struct share_root *share_roots;	/* one fd per share root (tcon) */
	const struct smbd_cmd_row *cmds; /* command table (dispatcher) */
	/* oplock break notifications (fs/oplock.h), set by server.c */
	const struct smbd_oplock_upcalls *oplock_up;
	struct smbd_lease *leases;	/* every lease (fs/lease.c) */
	struct smbd_stats {		/* since start, counted in conn.c */
		uint64_t bytes_in, bytes_out;
		uint64_t conns_accepted;
		uint64_t conns_refused;	/* unauthenticated limits */
		uint64_t conns_dropped;	/* protocol or network errors */
		uint64_t logon_failures;
		uint64_t smb1_refused;	/* SMB1-only clients turned away */
		/* named streams of files removed outside the server
		 * (fs/streams_sweep.h) */
		uint64_t streams_reclaimed;
		/* plain WRITEs whose data went through a pipe, those
		 * read into memory as `write splice pipes` were alive or
		 * the kernel gave no pipe that large, and those whose pipe
		 * filled early (read back: unsplice) */
		uint64_t writes_spliced, splice_pipes_busy;
		uint64_t splice_pipes_failed, writes_unspliced;
		uint64_t budget_hits[SMBD_BUDGET_NUM];	/* budget.h */
	} stats;
};

/*
 * One client computer, as far as the transport knows it: a peer address
 * with at least one connection. Its connections share one owner key in
 * the worker pool, so a computer that opens six connections gets no
 * more of the workers than one that opens one.
 */
struct smbd_client {
	struct smbd_client *prev, *next;	/* srv->clients */
	char addr[48];
	unsigned nconns;
	struct smbd_loop *loop;		/* every connection of it runs here */
};

enum smbd_conn_state {
	SMBD_CONN_NBT_WAIT = 0,	/* port 139, before SESSION REQUEST */
	SMBD_CONN_NEGOTIATE,	/* waiting for NEGOTIATE */
	SMBD_CONN_ACTIVE,	/* negotiated */
	SMBD_CONN_CLOSING,	/* draining output, then freed */
};

struct smbd_conn {
	struct smbd_conn *prev, *next;
	struct smbd_server *srv;
	struct smbd_loop *loop;		/* the loop it runs on */
	const struct smbd_conn_upcalls *up;	/* from srv->conn_up */
	int fd;
	struct tevent_fd *fde;
	enum smbd_conn_state state;
	bool netbios;			/* port 139 framing */
	struct sockaddr_storage peer_ss;
	char peer_addr[48];		/* IPv4-mapped folded to IPv4 */
	struct smbd_client *client;	/* its computer; worker pool owner */
	uint16_t peer_port;
	char local_addr[48];
	uint16_t local_port;
	char calling_name[16];		/* NetBIOS calling name, "" if none */
	uint64_t connect_time_nt;
	struct timeval last_activity;
	uint64_t bytes_in, bytes_out;

	/* NEGOTIATE results */
	bool smb1_upgraded;		/* SMB1 "SMB 2.???" seen: expect MID 1 */
	struct smbd_smb1_conn *smb1;	/* speaks SMB1 (smbd/smb1), child */
	uint16_t dialect;
	uint16_t client_security_mode;
	uint32_t client_caps;
	uint8_t client_guid[16];
	uint16_t client_dialects[16];
	size_t nclient_dialects;
	uint32_t server_caps;
	uint16_t server_security_mode;
	uint32_t max_trans, max_read, max_write;
	enum smb2_sign_alg sign_alg;
	uint16_t cipher;		/* enum smb2_cipher; 0 = none */
	uint8_t preauth[SMB2_PREAUTH_HASH_SIZE];	/* connection hash */

	/*
	 * Credits and the MessageId window [MS-SMB2 §3.3.1.1]: ids in
	 * [seq_low, seq_high) may be used once; seq_bitmap (circular,
	 * seq_bits bits) marks the used ones above seq_low. seq_bits is the
	 * connection's credit window (conn.c), which seq_high - seq_low
	 * never exceeds.
	 */
	uint64_t seq_low;
	uint64_t seq_high;
	uint8_t *seq_bitmap;
	uint32_t seq_bits;

	/* I/O */
	uint8_t in_hdr[4];
	uint8_t in_type;
	uint8_t *in_buf;		/* current frame being received */
	size_t in_want, in_have;
	size_t in_guess;	/* last frame's size if large, else 0 */
	/* a frame whose data is being spliced: its head and its payload
	 * (children), and the payload being handed up (conn.c) */
	uint8_t *in_splice_head;
	struct smbd_payload *in_splice;
	struct smbd_payload *in_payload;
	bool in_splice_no;	/* a pipe filled early: splice no more */
	bool in_hdr_done;
	struct timeval frame_start;	/* first byte of the partial frame */
	/* latency stamps (loop.h): the last read() returned, the state
	 * lock taken after it; of the frame handed up now */
	uint64_t lat_rd, lat_lk;
	/* for the reply queued next: the dispatcher's, while it queues */
	const struct smbd_lat_reply *lat_next;
	struct smbd_sendq *sendq_head, *sendq_tail;
	size_t sendq_bytes;

	/*
	 * Reply backlog [budget.h, max reply backlog]: bytes queued
	 * (sendq_bytes), built but not yet queued (replies of compounds
	 * still running, cmp_bytes) and reserved for requests in flight
	 * (the largest reply each may produce, reply_reserved). While it is
	 * over the budget no further request is dispatched: complete frames
	 * already read wait in the parked queue, a compound waits in
	 * blocked_cmp, and the socket is not read (conn.c).
	 */
	size_t cmp_bytes;
	size_t reply_reserved;
	struct smbd_parked *parked_head, *parked_tail;
	struct smbd_compound *blocked_cmp;	/* waiting, oldest first */
	struct tevent_immediate *resume_im;
	bool throttled;			/* counted once per episode */
	unsigned turn_frames;		/* dispatched in this loop turn */
	struct timeval parked_since;	/* parked_head became non-NULL */
	unsigned held;			/* frames off to a worker (conn.c) */
	/* Several loops (conn.c): its loop writes it without the state
	 * lock; no other thread writes its socket meanwhile */
	bool writing;
	bool flushing;			/* on conn->loop->flush_head */
	struct smbd_conn *flush_next;

	struct smbd_session *sessions;
	struct smbd_req *requests;	/* in flight (async and compound) */
	size_t nopens;
	size_t nlocks;			/* byte-range locks of its opens */
	size_t nlock_waits;		/* blocking LOCKs waiting */
	size_t nnotifies;		/* CHANGE_NOTIFYs pending */
	size_t nwatches;		/* directories watched (inotify) */
	size_t noplock_breaks;		/* its oplocks breaking (fs/oplock.c) */
	size_t noplock_waits;		/* its requests waiting for breaks */
	size_t nleases;			/* its opens holding a lease */
	struct tevent_immediate *free_im;	/* deferred teardown */
	char *close_reason;

	/*
	 * Signing keys of sessions that ended on this connection (logoff,
	 * reaping, admin delete): a client still holding such a session
	 * gets a SIGNED USER_SESSION_DELETED, which a signing client needs
	 * to see the real status (and reconnect) instead of a bad
	 * signature. SMBD_TOMBS of them, a child made when the first such
	 * session ends (NULL until then: most connections never need it).
	 */
	struct smbd_tombstone {
		uint64_t id;
		uint8_t key[16];
	} *tombs;
	unsigned ntombs;

	/* Timeouts, checked by the server's sweep (conn.c) */
	bool authenticated;		/* holds a valid session */
	bool lingering;			/* closing, flushing output */
	struct timeval deadline;	/* auth or linger deadline */
	struct timeval last_write;	/* last output progress */
	uint64_t id;			/* for listings */
	uint64_t dir_memory;		/* QUERY_DIRECTORY state, bytes */
};

enum smbd_session_state {
	SMBD_SESS_IN_PROGRESS = 0,
	SMBD_SESS_VALID,
	SMBD_SESS_EXPIRED,
};

struct smbd_session {
	struct smbd_session *prev, *next;	/* conn->sessions */
	struct smbd_session *gprev, *gnext;	/* srv->sessions */
	struct smbd_conn *conn;
	uint64_t id;
	enum smbd_session_state state;
	struct ntlmssp_server *ntlm;		/* during auth */
	uint8_t preauth[SMB2_PREAUTH_HASH_SIZE];
	char *user;		/* canonical user name ("" for null) */
	char *domain;
	char *workstation;	/* NTLM Workstation field */
	bool anonymous;
	bool guest;
	bool signing_required;
	bool have_keys;
	/* keys.encrypt and keys.decrypt derived (smbd_session_keys_cipher,
	 * smb2/session.h); keys.application is never derived (unused) */
	bool have_cipher_keys;
	uint8_t session_key[16];
	struct smb2_keys keys;
	/* expanded from keys once used a few times, children
	 * (smb2/session.h) */
	struct smb2_sign_key *sign_key;
	struct smb2_crypt_key *enc_key, *dec_key;
	uint8_t key_uses;	/* uses before they were kept */
	uint64_t logon_time_nt;
	struct timeval last_activity;
	struct smbd_tree *trees;
	uint32_t ntrees;	/* kept by smbd_tree_new and its destructor */
	uint32_t next_tree_id;
	size_t nopens;
	struct sess_auth *auth;	/* SPNEGO state during SESSION_SETUP */
	bool encrypted;		/* the client encrypts its requests */
	struct sm_session *ticket;	/* cap slot (sessions/), child */
	char *client_os;	/* SMB1 NativeOS, shown as its client type */
	/* SIDs and privileges for access checks (fs/acl.h), child; made
	 * at SESSION_SETUP, remade at re-authentication; NULL before */
	struct se_token *token;
	/* a null session's token on guest ok shares, where it acts as
	 * the guest account (fs/acl.c), child; NULL for other sessions */
	struct se_token *guest_token;
};

struct smbd_tree {
	struct smbd_tree *prev, *next;
	struct smbd_session *sess;
	uint32_t id;
	const struct wg_share_cfg *share;
	int root_fd;		/* O_PATH|O_DIRECTORY of share root; -1 IPC$ */
	bool read_only;
	uint32_t maximal_access;
	struct smbd_open *opens;
	uint64_t connect_time_nt;
};


/* Encryption of a reply: held so it outlives the session. */
struct smbd_enc {
	bool on;
	uint64_t session_id;
	/* the session's ServerOut key, held with a talloc_reference
	 * by a compound or job (smb2/session.h); a request borrows its
	 * compound's and holds its own once it leaves it (async) */
	struct smb2_crypt_key *key;
};

/*
 * What the dispatcher does with a request once its handler returns.
 * A handler answers by returning its status (ANSWER), or goes async
 * through exactly one of smbd_req_wait() and smbd_req_go_async() and
 * returns the NT_STATUS_PENDING they give; then smbd_req_done() ends
 * it later. Nothing else means "later": a handler that returns PENDING
 * without either is answered INTERNAL_ERROR by the dispatcher.
 */
enum smbd_req_disp {
	SMBD_REQ_ANSWER = 0,	/* the handler's status is the reply */
	SMBD_REQ_WAIT,		/* work off the loop; its compound waits */
	SMBD_REQ_PENDING,	/* interim STATUS_PENDING sent; the compound
				 * went on without it */
	SMBD_REQ_NO_REPLY,	/* no response at all (CANCEL; a message
				 * the connection ends over) */
};

/*
 * Called when a CANCEL names a PENDING request, with the priv given to
 * smbd_req_go_async(), at most once. It must end the request, normally
 * with smbd_req_done(req, NT_STATUS_CANCELLED).
 */
typedef void (*smbd_req_cancel_fn)(struct smbd_req *req, void *priv);

/* One SMB2 message being processed. */
struct smbd_req {
	struct smbd_req *prev, *next;	/* conn->requests */
	struct smbd_conn *conn;
	struct smbd_compound *cmp;	/* the chain this belongs to */
	struct smb2_hdr in_hdr;
	/*
	 * Reader over this message: base = start of its SMB2 header (the
	 * offsets in SMB2 bodies are from there), len = to the end of this
	 * message (NextCommand or the frame end), cursor at the body.
	 */
	struct wire_rd in;
	size_t in_body_len;
	struct smbd_session *sess;	/* resolved by the dispatcher */
	struct smbd_tree *tree;		/* resolved by the dispatcher */
	/*
	 * The response body, written by the handler starting with its
	 * StructureSize. The body begins at header offset 64, so a buffer
	 * offset field is SMBD_OUT_OFF(req) at the moment the buffer starts.
	 */
	struct wire_wr out;
	/*
	 * Bulk data appended to the body as it is (READ: the worker's
	 * buffer), so it is copied once, into the frame, not twice.
	 */
	uint8_t *out_payload;
	size_t out_payload_len;
	uint32_t out_flags_extra;
	/*
	 * The body goes out even with an error status: the IOCTL replies
	 * of FSCTL_SRV_COPYCHUNK carry one [MS-SMB2 §3.3.5.15.6].
	 */
	bool out_on_error;
	/*
	 * What becomes of the request when its handler returns; set only
	 * by smbd_req_wait() and smbd_req_go_async() (and NO_REPLY by the
	 * dispatcher itself).
	 */
	enum smbd_req_disp disp;
	uint64_t async_id;		/* disp PENDING: the interim's */
	bool cancelled;
	bool no_sign;			/* e.g. USER_SESSION_DELETED */
	struct smbd_session *sign_sess;	/* session whose key signs reply */
	/* smbd_req_go_async()'s: called when CANCEL names the request */
	smbd_req_cancel_fn cancel_fn;
	void *cancel_priv;
	/* Dispatcher bookkeeping (smb2/dispatch.c only) */
	uint16_t credits_granted;
	bool preauth_conn;		/* hash the response into conn->preauth */
	struct smbd_session *preauth_sess; /* ... or into this session's */
	bool sign_final;		/* final SESSION_SETUP: sign if keys */
	struct smbd_session *free_sess;	/* LOGOFF: free after the reply */
	bool in_signed;			/* request carried a valid signature */
	struct smbd_enc enc;		/* request came encrypted */
	bool running;			/* inside its handler right now */
	size_t reserved;		/* in conn->reply_reserved */
	bool tomb_sign;			/* sign the reply with tomb_key */
	uint8_t tomb_key[16];
	bool sig_echo;			/* reply echoes SIGNED + sig_in */
	uint8_t sig_in[16];
	/* latency stamps (loop.h): frame read (0: not timed), lock taken,
	 * handler ran */
	uint64_t lat_rd, lat_lk, lat_h0, lat_h1;
};

#define SMBD_OUT_OFF(req) ((uint32_t)(SMB2_HDR_SIZE + (req)->out.len))









#endif
