/*
 * smb1.h - the SMB1 front end (dialect NT LM 0.12, MS-CIFS / MS-SMB):
 * what the transport's first-frame hook calls, and what the command
 * files of this folder share. Sessions, trees and opens are the same
 * objects the SMB2 front end uses (smbd.h); only the wire differs.
 */
#ifndef WG_SMBD_SMB1_SMB1_H
#define WG_SMBD_SMB1_SMB1_H

#include "smbd/smbd.h"
#include "proto/smb1.h"
#include "smbd/fs/openpath.h"

/*
 * An SMB1 message ("\xffSMB") on conn, registered as srv->smb1_frame.
 * Returns false, taking nothing, when the message is a NEGOTIATE the
 * SMB2 path answers (the client offers SMB2, or SMB1 is off and the
 * refusal is left to it); true when it took buf (stolen): SMB1 is on and
 * the connection speaks SMB1, or SMB1 is off and an SMB1-only client was
 * refused (logged rate-limited, counted, connection closed).
 */
bool smbd_smb1_frame(struct smbd_conn *conn, uint8_t *buf, size_t len);

/* Longest AndX chain taken from one message (a budget, counted). */
#define SMB1_MAX_ANDX		8
/* Largest message read (WRITE_ANDX with CAP_LARGE_WRITEX) */
#define SMB1_MAX_BUFFER		(16u * 1024)

/* Searches (FIND_FIRST2 continuation state) per session (a budget) */
#define SMB1_MAX_SEARCHES	64
/* Bytes of one TRANS, TRANS2 or NT_TRANSACT request sent in pieces, and
 * how many may be in pieces at a time per connection (a budget:
 * reasm.c) */
#define SMB1_MAX_TRANS2		(64u * 1024)
#define SMB1_MAX_TRANS_PENDING	4

/* Longest MAC key: the 16-byte key and a client's NTLMv2 response (a
 * longer response leaves the session unsigned, refused if mandatory) */
#define SMB1_MAC_KEY_MAX	(16 + 1024)

/*
 * An error Windows answers in DOS form (ERRCLASS, code) even to a client
 * that negotiated NT status codes (CAP_STATUS32): a handler or the
 * dispatcher returns it as its status and the reply carries it with
 * FLAGS2_NT_STATUS clear. Values 0xF1cc'xxxx, as no NTSTATUS is.
 */
#define SMB1_DOS_STATUS(eclass, code) \
	((NTSTATUS)(0xF1000000u | ((uint32_t)(eclass) << 16) | (code)))
#define SMB1_IS_DOS_STATUS(s)	(((s) & 0xFF000000u) == 0xF1000000u)
#define SMB1_ERRbadaccess	12	/* ERRDOS: invalid open mode */
#define SMB1_ERRerror		1	/* ERRSRV: non-specific error */
#define SMB1_ERRbadcmd		22	/* ERRSRV: command not recognized */
#define SMB1_ERRinvtid		5	/* ERRSRV: TID not known */
#define SMB1_ERRbaduid		91	/* ERRSRV: UID not known */
#define SMB1_ERRcancelviolation	173	/* ERRDOS: CANCEL_LOCK, none waits */
#define SMB1_ERRnoatomiclocks	174	/* ERRDOS: CHANGE_LOCKTYPE */

struct smb1_trans_pending;
struct smb1_lock_state;
struct smb1_notify;

/* A directory search (trans2.c; FIND_FIRST2 and the core SEARCH), a
 * talloc child of the connection's SMB1 state, in c1->searches. */
struct smb1_search {
	struct smb1_search *prev, *next;	/* c1->searches */
	struct smbd_conn *conn;
	uint16_t sid;
	uint16_t uid;
	uint16_t tid;
	int dfd;		/* the directory, O_RDONLY */
	bool root;		/* the share root ("..": itself) */
	char **names;		/* ".", "..", then the rest sorted */
	size_t n, pos;
	size_t mem;		/* counted in conn->dir_memory */
	bool core;		/* a core SEARCH's or FIND's (search.c) */
	bool find;		/* FIND's: kept until FIND_CLOSE */
	uint16_t attrs;		/* SearchAttributes [MS-CIFS 2.2.1.2.4]
				 * (FIND_FIRST2's; SEARCH gives its own) */
	char *ondisk;		/* the directory, from the share root */
	char *pat;		/* the last part of the pattern */
	struct timespec mtime;	/* the directory's when listed */
};

/* Whether an entry with attributes attrs shows in a search asking for
 * search_attrs (hidden, system and directory only when asked for; the
 * high byte's "must have" bits [MS-CIFS 2.2.1.2.4]). */
bool smb1_search_attr_ok(uint16_t search_attrs, uint32_t attrs);


/* The connection's SMB1 state, conn->smb1, a talloc child of conn. */
struct smbd_smb1_conn {
	bool unicode;		/* CAP_UNICODE negotiated */
	bool status32;		/* CAP_STATUS32: NTSTATUS in replies */
	uint32_t client_caps;
	bool signing;		/* MD5 signing active */
	/* the session key, then (without extended security) the response */
	uint8_t mac_key[SMB1_MAC_KEY_MAX];
	size_t mac_key_len;
	/* NEGOTIATE without extended security: its challenge */
	bool have_challenge;
	uint8_t challenge[8];
	uint32_t seq;		/* the next request's sequence number */
	struct smb1_search *searches;	/* trans2.c */
	unsigned nsearches;
	uint16_t next_sid;
	/* transactions being reassembled (reasm.c) */
	struct smb1_trans_pending *trans;
	unsigned ntrans;
	struct smb1_lock_state *lock_waits;	/* lock.c: waiting */
	/* NT_TRANSACT_NOTIFY_CHANGEs waiting (nttrans.c) */
	struct smb1_notify *notifies;
	uint16_t next_tid;	/* tcon.c: TIDs are per connection */
};

/* One SMB1 message being answered. */
struct smb1_req {
	struct smbd_conn *conn;
	struct smbd_smb1_conn *c1;
	uint8_t *in;		/* the whole message, header first */
	size_t in_len;
	struct smb1_hdr hdr;
	bool unicode;		/* strings in this request are UTF-16 */
	struct smbd_session *sess;	/* by UID, when the row needs it */
	struct smbd_tree *tree;		/* by TID, when the row needs it */
	struct wire_wr out;	/* the reply, header first */
	uint16_t out_uid;	/* the UID the reply carries */
	uint16_t out_tid;
	struct smbd_session *sign_new;	/* SESSION_SETUP turned signing on */
	bool no_reply;
	/* the chain's walk (proc.c) */
	struct smb1_andx_iter it;
	uint8_t cmd;		/* the command running */
	size_t start;		/* its reply block in out */
	size_t andx_at;		/* the previous AndX reply block, or 0 */
	uint32_t seq;		/* the request's signing sequence number */
	bool pending;		/* a handler went async */
	bool keep_block;	/* an error reply keeps the block written */
	struct smb1_block blk;	/* the running command's request block */
	unsigned break_rounds;	/* its waits for oplock breaks so far */
	struct smbd_oplock_wait *wait;	/* while waiting for one */
	/* an open of the chain succeeded: the later commands act on its
	 * FID [MS-CIFS §2.2.3.4: a chain references one FID] */
	bool chain_fid_set;
	uint16_t chain_fid;
	/* the sender's token, held (fs/acl.h smbd_acl_token_hold) once an
	 * open of r waits for oplock breaks (smb1_req_keep_token); NULL
	 * before */
	const struct se_token *token;
};

/*
 * A handler that waits (worker I/O, oplock breaks) returns
 * NT_STATUS_PENDING with r kept (a talloc child of its connection,
 * the owner of what the wait needs) and later calls smb1_req_done()
 * with the command's status, its reply block written on success: the
 * chain goes on from there, and r is answered and freed at its end.
 */
void smb1_req_done(struct smb1_req *r, NTSTATUS status);

/*
 * After a wait: find r's session and tree again by the request's UID and
 * TID (either may have gone meanwhile: r->sess and r->tree are stale).
 */
NTSTATUS smb1_req_reresolve(struct smb1_req *r);

/*
 * Run the current command (r->cmd, r->blk) again from its start: its
 * reply block so far is dropped, its session and tree found again. For
 * a command that waited for oplock breaks before doing anything
 * (smb1_oplock_retry); it ends as smb1_req_done() does.
 */
void smb1_req_rerun(struct smb1_req *r);

/*
 * Handlers: each answers one command of the chain by appending its
 * parameter and data blocks to r->out (an AndX reply starts with the
 * four AndX bytes, which the dispatcher patches), or returns an error
 * status (the dispatcher then appends an empty block). MORE_PROCESSING
 * _REQUIRED with blocks written is sent as is.
 */
typedef NTSTATUS (*smb1_cmd_fn)(struct smb1_req *r,
				const struct smb1_block *b);

NTSTATUS smb1_session_setup(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_logoff(struct smb1_req *r, const struct smb1_block *b);
/*
 * NEGOTIATE without extended security: draw the connection's challenge
 * and append the response's ChallengeLength byte and its data block
 * (the challenge, DomainName, ServerName). OK or INTERNAL_ERROR (no
 * random bytes).
 */
NTSTATUS smb1_negotiate_challenge(struct smb1_req *r);
NTSTATUS smb1_tree_connect(struct smb1_req *r, const struct smb1_block *b);
/*
 * The tree of conn with this TID that session s may use: one of a
 * session of the same user (TIDs are per connection, tcon.c); s NULL:
 * of any session. NULL if none.
 */
struct smbd_tree *smb1_tree_find(struct smbd_conn *conn,
				 const struct smbd_session *s, uint16_t tid);
/*
 * Session s logs off: the files its UID opened close, and its trees
 * move to another valid session of the same user on the connection
 * (their open counts with them), if there is one, while that session
 * stays within max tree connects; the others stay to close with s.
 * Call before freeing s.
 */
void smb1_trees_logoff(struct smbd_session *s);
NTSTATUS smb1_tree_disconnect(struct smb1_req *r, const struct smb1_block *b);

/* file.c */
NTSTATUS smb1_nt_create(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_open_andx(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_open(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_close(struct smb1_req *r, const struct smb1_block *b);
/* print spool files over SMB1 (print shares, smbd/print) */
NTSTATUS smb1_open_print_file(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_write_print_file(struct smb1_req *r,
			       const struct smb1_block *b);
NTSTATUS smb1_close_print_file(struct smb1_req *r,
			       const struct smb1_block *b);
NTSTATUS smb1_read_andx(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_write_andx(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_flush(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_locking_andx(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_nt_cancel(struct smb1_req *r, const struct smb1_block *b);

/*
 * The reply block of an open by name (op just opened, action FILE_WAS_*,
 * arg as given to smb1_open_run: the command's own, an AccessMode or a
 * time); an error closes op and is the command's.
 */
typedef NTSTATUS (*smb1_open_reply_fn)(struct smb1_req *r,
				       struct smbd_open *op, uint32_t action,
				       uint32_t arg);
/*
 * Open a disk-share name as NT_CREATE_ANDX does (waiting for oplock
 * breaks: PENDING, the reply follows), then reply(). a is copied.
 */
NTSTATUS smb1_open_run(struct smb1_req *r, const struct smbd_open_args *a,
		       uint32_t arg, smb1_open_reply_fn reply);
/* The access a DOS AccessMode's class grants (OPEN_ANDX, OPEN,
 * TRANS2_OPEN2): the generic rights mapped for a file */
#define GENERIC_READ_ACCESS	0x00120089u
#define GENERIC_WRITE_ACCESS	0x00120116u
#define GENERIC_EXECUTE_ACCESS	0x001200A0u
/* The same with a talloc state for the reply (stolen: freed with the
 * open's request, whatever the outcome). */
typedef NTSTATUS (*smb1_open_reply_priv_fn)(struct smb1_req *r,
					    struct smbd_open *op,
					    uint32_t action, void *priv);
NTSTATUS smb1_open_run_priv(struct smb1_req *r,
			    const struct smbd_open_args *a, void *priv,
			    smb1_open_reply_priv_fn reply);

/*
 * An open whose overwrite left its truncate to the caller (its args'
 * trunc_later): truncate op's file to alloc_size on a worker, then, with
 * the request and the open found again (smbd_trunc_open_find, which also
 * breaks caching other opens got meanwhile), answer(st, op, action) and
 * end r with its status. The open is registered already,
 * so share modes hold meanwhile. st is the caller's request state (a
 * talloc object), freed at the end whatever the outcome. PENDING, or an
 * error with the open closed (st is the caller's then).
 */
typedef NTSTATUS (*smb1_trunc_answer_fn)(void *st, struct smbd_open *op,
					 uint32_t action);
NTSTATUS smb1_trunc_send(void *st, struct smb1_req *r, struct smbd_open *op,
			 uint64_t alloc_size, uint32_t action,
			 smb1_trunc_answer_fn answer);

/*
 * A cut of op's file to len (an end of file or an allocation below it
 * set by TRANS2, a core WRITE of count 0) that frees
 * SMBD_TRUNC_OFFLOAD_MIN or more (smbd_cut_offload): ext4 frees a big
 * file's extents one by one, a quarter second for 64 MiB in 3,900
 * extents, and on the loop every other connection it serves would wait
 * that long. The ftruncate runs on a worker (smbd_cut_send, its own dup
 * of the fd), smbd_open_set_size's write-time bookkeeping before and
 * after it on the loop. Then, with r's session and tree found again and
 * op looked up again by its volatile id (NULL: a CLOSE, TREE_DISCONNECT
 * or LOGOFF closed it meanwhile; the file is cut all the same),
 * answer(st, r, op, ret) with the truncate's 0 or -errno writes r's
 * reply block and gives the command's status; st (a talloc object, the
 * caller's request state, which must live until then) is freed and r
 * ended with that status, or with the session's or tree's error if
 * either went. The connection's end frees r, st and the job's
 * tevent_req with it: the job runs on alone on its dup, or is dropped.
 *
 * PENDING: st is the cut's now. Else nothing was done and st stays the
 * caller's, which cuts on the loop (smbd_open_set_size): NOT_SUPPORTED
 * for a cut that frees less (the hop to a worker costs ~30 us) or none,
 * NO_MEMORY when no job could be started.
 */
typedef NTSTATUS (*smb1_cut_answer_fn)(void *st, struct smb1_req *r,
				       struct smbd_open *op, int ret);
NTSTATUS smb1_cut_send(void *st, struct smb1_req *r, struct smbd_open *op,
		       uint64_t len, smb1_cut_answer_fn answer);

/*
 * The reply block of a read (data, n bytes) or a write (n bytes written)
 * at offset through op (NULL: closed meanwhile). Its status is the
 * command's.
 */
typedef NTSTATUS (*smb1_io_reply_fn)(struct smb1_req *r, struct smbd_open *op,
				     const uint8_t *data, uint32_t n,
				     uint64_t offset, void *priv);
/*
 * Read up to count bytes of op's file at offset on a worker, as READ_ANDX
 * does (access, byte-range locks), then put(). PENDING: the reply comes.
 * INVALID_DEVICE_REQUEST (no file), ACCESS_DENIED, FILE_LOCK_CONFLICT.
 */
NTSTATUS smb1_read_op(struct smb1_req *r, struct smbd_open *op,
		      uint64_t offset, uint32_t count, smb1_io_reply_fn put,
		      void *priv);
/* Write len bytes of data (in r->in) at offset, as WRITE_ANDX does. */
NTSTATUS smb1_write_op(struct smb1_req *r, struct smbd_open *op,
		       uint64_t offset, const uint8_t *data, uint32_t len,
		       bool sync, smb1_io_reply_fn put, void *priv);
/* lock.c: a byte-range lock of op for r's PID, as one of LOCKING_ANDX
 * (its budgets and its refusal statuses); no waiting. */
NTSTATUS smb1_lock_range(struct smb1_req *r, struct smbd_open *op,
			 uint64_t off, uint64_t len, bool excl);
/* Release r's PID's lock on exactly [off, off+len) of op (waking the
 * waiters); RANGE_NOT_LOCKED if it holds none. */
NTSTATUS smb1_unlock_range(struct smb1_req *r, struct smbd_open *op,
			   uint64_t off, uint64_t len);

/* core.c: the core commands on files, and the SEEK pointer that reads
 * and writes leave at end (op NULL: nothing) */
void smb1_seek_note(struct smbd_open *op, uint64_t end);
NTSTATUS smb1_create(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_create_new(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_create_temporary(struct smb1_req *r,
			       const struct smb1_block *b);
NTSTATUS smb1_read(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_lock_and_read(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_write(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_write_and_unlock(struct smb1_req *r,
			       const struct smb1_block *b);
NTSTATUS smb1_write_and_close(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_lock_byte_range(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_seek(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_set_information2(struct smb1_req *r,
			       const struct smb1_block *b);
NTSTATUS smb1_query_information2(struct smb1_req *r,
				 const struct smb1_block *b);
NTSTATUS smb1_query_information_disk(struct smb1_req *r,
				     const struct smb1_block *b);
NTSTATUS smb1_ioctl(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_nt_rename(struct smb1_req *r, const struct smb1_block *b);
/* path.c: rename the object name names to new_name (client paths; a
 * new name ":stream" renames a stream within its file) */
NTSTATUS smb1_rename_path(struct smb1_req *r, const char *name,
			  char *new_name, bool replace);
/* path.c */
NTSTATUS smb1_mkdir(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_rmdir(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_delete(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_rename(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_check_directory(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_query_information(struct smb1_req *r,
				const struct smb1_block *b);
NTSTATUS smb1_set_information(struct smb1_req *r, const struct smb1_block *b);
/* trans2.c */
NTSTATUS smb1_trans2(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_find_close2(struct smb1_req *r, const struct smb1_block *b);
/*
 * List the directory of pattern ("dir\pattern", client form) into a new
 * search of r's session and tree, within SMB1_MAX_SEARCHES per session
 * (SMBD_BUDGET_SEARCHES: INSUFFICIENT_RESOURCES) and the directory
 * memory. NO_SUCH_FILE when nothing matches; path and access errors.
 */
NTSTATUS smb1_search_new(struct smb1_req *r, const char *pattern,
			 struct smb1_search **ps);
/* r's session's search with this id, or NULL. */
struct smb1_search *smb1_search_find(struct smb1_req *r, uint16_t sid);
/*
 * Before going on from a name: list s's directory again when it changed
 * since (so entries made since show, gone ones do not), and put s->pos
 * just after where name sorts. The list's errors (NO_MEMORY,
 * INSUFFICIENT_RESOURCES); on error s is as it was.
 */
NTSTATUS smb1_search_seek(struct smb1_req *r, struct smb1_search *s,
			  const char *name);
/* search.c: the core SEARCH (0x81), FIND (0x82), FIND_UNIQUE (0x83) and
 * FIND_CLOSE (0x84) [MS-CIFS 2.2.4.58-61] */
NTSTATUS smb1_search(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_find(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_find_unique(struct smb1_req *r, const struct smb1_block *b);
NTSTATUS smb1_find_close(struct smb1_req *r, const struct smb1_block *b);

/*
 * lock.c: the byte-range part of LOCKING_ANDX on op (l parsed, not an
 * oplock release): unlocks, then locks, waiting up to l->timeout ms;
 * CANCEL_LOCK and CHANGE_LOCKTYPE. Writes the reply block when OK;
 * PENDING: r waits (smb1_req_done later). Errors: RANGE_NOT_LOCKED,
 * LOCK_NOT_GRANTED, FILE_LOCK_CONFLICT, INVALID_LOCK_RANGE,
 * INSUFFICIENT_RESOURCES (budgets), INVALID_DEVICE_REQUEST (not a file),
 * ERRDOS/ERRcancelviolation and ERRnoatomiclocks (SMB1_DOS_STATUS).
 */
NTSTATUS smb1_lock_ranges(struct smb1_req *r, struct smbd_open *op,
			  const struct smb1_locking *l);
/* NT_CANCEL r: end the waiting LOCKING_ANDX with r's MID, PID and UID
 * (FILE_LOCK_CONFLICT). Whether there was one. */
bool smb1_lock_nt_cancel(struct smb1_req *r);
/* Would r (its header's PID) reading or writing [off, off+len) of op
 * conflict with a byte-range lock? */
bool smb1_lock_io_conflicts(const struct smb1_req *r,
			    const struct smbd_open *op, uint64_t off,
			    uint64_t len, bool write);

/* exit.c: PROCESS_EXIT closes the opens of the request's UID and PID */
NTSTATUS smb1_process_exit(struct smb1_req *r, const struct smb1_block *b);
/* Remember that r's UID and PID made op (every new SMB1 open);
 * NO_MEMORY if not (close it then). */
NTSTATUS smb1_open_owner(struct smb1_req *r, struct smbd_open *op);
/* May a request with this UID use op? Only the UID that opened it may
 * (smbtorture raw.context); an open without an owner (none kept) may be
 * used by any. */
bool smb1_open_usable_by(const struct smbd_open *op, uint16_t uid);
/* Close every open the UID made on the trees of conn (its LOGOFF). */
void smb1_close_uid_opens(struct smbd_conn *conn, uint16_t uid);

/*
 * reasm.c: a TRANS, TRANS2 or NT_TRANSACT primary b of r (command
 * r->cmd) whose pieces t do not carry all it announces is kept, and the
 * interim response written (OK); INSUFFICIENT_RESOURCES over the
 * budget, INVALID_PARAMETER, NO_MEMORY. The three secondaries' handler
 * runs the whole once the last piece is in, answered as the primary.
 */
NTSTATUS smb1_trans_start(struct smb1_req *r, const struct smb1_block *b,
			  const struct smb1_trans_piece *t);
NTSTATUS smb1_trans_secondary(struct smb1_req *r, const struct smb1_block *b);

/*
 * CreateOptions bits NT_CREATE_ANDX and NT_TRANSACT_CREATE refuse with
 * INVALID_PARAMETER [MS-SMB §2.2.4.9.1, §2.2.7.1.1]: the reserved bits
 * 0xFF000000, FILE_RESERVE_OPFILTER (0x00100000) and the two
 * synchronous-I/O modes (0x10, 0x20), which describe the caller's own
 * handle and mean nothing to a server's open (Windows answers so too:
 * smbtorture raw.open.nttrans-create).
 */
#define SMB1_CREATE_OPTIONS_REFUSED	0xFF100030u

/* nttrans.c: NT_TRANSACT */
NTSTATUS smb1_nttrans(struct smb1_req *r, const struct smb1_block *b);
/* NT_CANCEL: end r's (same MID, PID, UID, TID) waiting NOTIFY_CHANGE,
 * if any, with STATUS_CANCELLED. */
void smb1_nttrans_cancel(struct smb1_req *r);
/*
 * The share-relative path of name opened relative to the directory
 * open root_fid of r's tree (NT_CREATE_ANDX, NT_TRANSACT_CREATE
 * RootDirectoryFID), talloc'd on mem; name itself when root_fid is 0.
 * INVALID_HANDLE (no such FID), INVALID_PARAMETER (not a directory),
 * NO_MEMORY.
 */
NTSTATUS smb1_root_fid_path(struct smb1_req *r, TALLOC_CTX *mem,
			    uint32_t root_fid, const char *name,
			    const char **out);
/*
 * oplock.c: oplocks on SMB1 opens, held in fs/oplock.c beside SMB2's.
 * Levels are SMB2_OPLOCK_LEVEL_*.
 *
 * The level NT_CREATE_ANDX or OPEN_ANDX Flags ask for (REQUEST_OPLOCK:
 * exclusive, REQUEST_OPBATCH: batch).
 */
uint8_t smb1_oplock_requested(uint32_t flags);
/* The level the header Flags of a core OPEN ask for (SMB_FLAGS_OPLOCK:
 * exclusive, with SMB_FLAGS_OPBATCH: batch) [MS-CIFS §2.2.3.1]. */
uint8_t smb1_oplock_core_requested(uint8_t hdr_flags);
/* A core OPEN's reply says in its header Flags that level was granted. */
void smb1_oplock_core_reply(struct smb1_req *r, uint8_t level);
/* NT_CREATE_ANDX's OpLockLevel for a level (0 none, 1 exclusive, 2 batch,
 * 3 level II). */
uint8_t smb1_oplock_wire_level(uint8_t level);
/*
 * Grant op (just opened by r) what it asked for, as far as the other
 * opens of its file and the share allow; level II only when level2 (the
 * command has it: NT_CREATE_ANDX) and the client's capabilities have
 * CAP_LEVEL_II_OPLOCKS. Returns the level granted (none when out of
 * memory).
 */
uint8_t smb1_oplock_grant(struct smb1_req *r, struct smbd_open *op,
			  uint8_t requested, bool level2);
/* A LOCKING_ANDX with OPLOCK_RELEASE acknowledges op's break with
 * NewOpLockLevel new_level (1 level II, else none): the break ends. */
void smb1_oplock_ack(struct smbd_open *op, uint8_t new_level);
/*
 * A path-based command's open must wait for the oplock breaks of f
 * (smbd_open_by_name said PENDING): once they end, the command runs
 * again from its start (smb1_req_rerun), so it must have changed
 * nothing before its open. NT_STATUS_PENDING (return it as the
 * command's status), or SHARING_VIOLATION after SMB1_OPEN_BREAK_ROUNDS
 * waits or for a TRANS2 secondary (its pieces are gone), or what
 * smbd_oplock_wait() answers.
 */
#define SMB1_OPEN_BREAK_ROUNDS		8
NTSTATUS smb1_oplock_retry(struct smb1_req *r, struct smbd_file *f);

/*
 * An open of r goes waiting for oplock breaks: hold the token
 * it is checked as (r->token), so that when it runs again it is checked
 * as the user who sent it, whatever the session re-authenticated as
 * meanwhile [MS-CIFS 3.3.5.51, MS-SMB2 3.3.5.9: the security context is
 * the session's when the request arrives]. Callers pass r->token in
 * smbd_open_args.token. OK or NO_MEMORY.
 */
NTSTATUS smb1_req_keep_token(struct smb1_req *r);
/* The break notification (smbd_oplock_upcalls.send_break, called by
 * server.c's) of op to level, if op is an SMB1 open: false if it is
 * not (the SMB2 front end's then). */
bool smbd_smb1_oplock_send_break(struct smbd_open *op, uint8_t level);

/* ipc.c: named pipes on IPC$ */
NTSTATUS smb1_trans(struct smb1_req *r, const struct smb1_block *b);
/* Open pipe name ("\srvsvc", "\PIPE\srvsvc") on r's IPC$ tree. */
NTSTATUS smb1_pipe_open(struct smb1_req *r, const char *name,
			uint32_t access, struct smbd_open **pop);
void smb1_pipe_ntcreate_reply(struct smb1_req *r, const struct smbd_open *op);
void smb1_pipe_openx_reply(struct smb1_req *r, const struct smbd_open *op,
			   uint16_t access_mode);
/* READ_ANDX / WRITE_ANDX on a pipe FID: their reply blocks. */
NTSTATUS smb1_pipe_read(struct smb1_req *r, struct smbd_open *op,
			uint32_t max);
NTSTATUS smb1_pipe_write(struct smb1_req *r, struct smbd_open *op,
			 const uint8_t *data, uint32_t len);

/* A UTIME (seconds since 1970) as a FILETIME; 0 for 0 and 0xFFFFFFFF,
 * which leave a time alone [MS-CIFS §2.2.1.4.3]. core.c */
uint64_t smb1_utime_to_nt(uint32_t t);

/*
 * The open of the request's tree with this FID, or NULL; in a follow-on
 * command of a chain whose open succeeded, that open's FID instead.
 */
struct smbd_open *smb1_fid_find(struct smb1_req *r, uint16_t fid);
/* May a new open of r's tree be known by its FID (unique, not 0 or
 * 0xFFFF)? INSUFFICIENT_RESOURCES if not, NO_MEMORY if its owner
 * (smb1_open_owner) could not be kept (close it then). */
NTSTATUS smb1_fid_check(struct smb1_req *r, struct smbd_open *op);
/* A 0x04-prefixed path at *off of b's data block (moved past it). */
NTSTATUS smb1_pull_path(struct smb1_req *r, TALLOC_CTX *mem,
			const struct smb1_block *b, size_t *off, char **name);
/* What an SMB1 path's syntax alone answers before any open: '/' in it
 * OBJECT_NAME_INVALID, a "." component before the last one
 * OBJECT_PATH_NOT_FOUND (as Windows), else OK (NULL too). */
NTSTATUS smb1_path_syntax(const char *name);
/* Open a client path of r's disk tree sharing everything (path-based
 * commands: the open lives as long as the command). */
NTSTATUS smb1_open_path(struct smb1_req *r, const char *name,
			uint32_t desired, uint32_t disposition,
			uint32_t options, struct smbd_open **pop);
/* The same with the share access given. */
NTSTATUS smb1_open_path_share(struct smb1_req *r, const char *name,
			      uint32_t desired, uint32_t share,
			      uint32_t disposition, uint32_t options,
			      struct smbd_open **pop);
/* The same with every argument given (a->changes: a set info). */
struct smbd_open_args;
NTSTATUS smb1_open_path_args(struct smb1_req *r,
			     const struct smbd_open_args *a,
			     struct smbd_open **pop);

/* Reply block helpers: wct then words; bytes_begin/end around the data. */
void smb1_put_andx(struct smb1_req *r, uint8_t wct);
size_t smb1_bytes_begin(struct smb1_req *r);
void smb1_bytes_end(struct smb1_req *r, size_t pos);
/* Append a string in the reply's encoding: UTF-16 aligned when the
 * reply (as its request) has FLAGS2_UNICODE, else ASCII. */
void smb1_put_string(struct smb1_req *r, const char *s, bool nul);

#endif
