/*
 * request.h - what the SMB2 dispatcher (dispatch.c) offers the command
 * handlers: finishing and parking requests, FileId resolution, ending
 * the requests of a session or tree. struct smbd_req is in smbd.h.
 */
#ifndef WG_SMBD_SMB2_REQUEST_H
#define WG_SMBD_SMB2_REQUEST_H

#include "smbd/smbd.h"

/*
 * Finish a request that went async (smbd_req_wait, smbd_req_go_async)
 * with status. The dispatcher sends the response (building the error
 * body for error statuses when the handler wrote nothing) and, for a
 * WAIT, continues the compound. req is freed; its cancel function is
 * not called any more.
 */
void smbd_req_done(struct smbd_req *req, NTSTATUS status);

/*
 * The handler has started work that will end in smbd_req_done() (a
 * worker job whose callback calls it, a queue behind another request)
 * and its compound waits for it (CREATE, READ, WRITE, FLUSH, CLOSE,
 * QUERY_DIRECTORY). Returns NT_STATUS_PENDING, which the handler
 * returns. Calling it again (a retry from the job's callback) is
 * harmless.
 */
NTSTATUS smbd_req_wait(struct smbd_req *req);

/*
 * Send an interim STATUS_PENDING response now; the request leaves its
 * compound, which goes on (CHANGE_NOTIFY, a blocking pipe READ or
 * LOCK). cancel (may be NULL) is called with priv if a CANCEL names the
 * request. Returns NT_STATUS_PENDING, which the handler returns, or
 * INTERNAL_ERROR with nothing sent and nothing recorded: a request
 * outside any compound, or one that is not the last of its compound
 * (those fail rather than go async, as on Windows [MS-SMB2 §3.3.5.2.7]);
 * the handler then undoes what it prepared and fails the request.
 *
 * It may also be called later, from a callback of a request that went
 * through smbd_req_wait() (a CREATE that found it must wait for an
 * oplock break): when the request is the last of its compound, the
 * interim goes out with the compound's replies so far and the request
 * leaves it; when more of the compound follows, the request stays in it
 * (no interim; cancel still applies, by MessageId).
 */
NTSTATUS smbd_req_go_async(struct smbd_req *req, smbd_req_cancel_fn cancel,
			   void *priv);

/*
 * Resolve a FileId from a request body. Handles the all-ones FileId of
 * related compound requests (the last CREATE's id). Checks the open
 * belongs to req->tree. Returns NT_STATUS_FILE_CLOSED if there is no
 * such open.
 */
NTSTATUS smbd_req_open(struct smbd_req *req, uint64_t fid_persistent,
		       uint64_t fid_volatile, struct smbd_open **op);
/*
 * Take over the memory the request's input lies in (a talloc object,
 * now without a parent; the caller steals or frees it), so that a WRITE
 * hands its data to the disk without a copy. Only for the last request
 * of its frame, from inside its handler; NULL otherwise (copy instead).
 * From then on req->in must not be read once that memory is freed.
 */
void *smbd_req_take_input(struct smbd_req *req);
/*
 * A plain WRITE whose data the connection spliced into a pipe instead of
 * reading it (smbd_payload, smbd.h): its head alone is req->in. peek: the
 * payload, still the compound's, or NULL. take: the same, moved under
 * mem (the caller's from then on), from inside the request's handler.
 */
const struct smbd_payload *smbd_req_payload(const struct smbd_req *req);
struct smbd_payload *smbd_req_take_payload(struct smbd_req *req,
					   TALLOC_CTX *mem);

/* Record the FileId a CREATE produced, for related requests after it. */
void smbd_req_set_last_fid(struct smbd_req *req, struct smbd_open *op);

/*
 * End every request in flight on session s or tree t (worker I/O,
 * parked compound steps) with status, freeing the handlers' state (their
 * worker jobs are orphaned safely). For sessions and trees that end
 * under their requests; a request inside its handler is never touched.
 */
void smbd_abort_requests(struct smbd_conn *conn, struct smbd_session *s,
			 struct smbd_tree *t, NTSTATUS status);

/* Decode the FileId pair at the reader's cursor (16 bytes). */
int smbd_pull_fid(struct wire_rd *r, uint64_t *persistent,
		  uint64_t *volatile_) WIRE_WUR;

#endif
