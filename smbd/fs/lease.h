/*
 * lease.h - leases [MS-SMB2 §3.3.1.4, §3.3.4.7, §3.3.5.9.8, §3.3.5.22.2]:
 * the caching state a client holds on a file or directory, keyed by its
 * ClientGuid and a lease key the client chose, shared by every open the
 * client makes with that key, across its connections.
 *
 * A lease (struct smbd_lease) is a second kind of holder on a file next
 * to the oplocks of fs/oplock.h: it is linked on its file (f->leases) and
 * in the server's table (srv->leases), lives while an open holds it
 * (op->lease), breaks through smbd_oplock_break() with the same breaking
 * state, `oplock break timeout` and waits (smbd_oplock_wait) as oplocks.
 * States are combinations of SMB2_LEASE_READ, _HANDLE and _WRITE
 * (proto/smb2_lease.h): R, RH, RW, RWH, on directories R and RH.
 *
 * A break that takes away W or H needs the client's acknowledgment
 * (smbd_lease_ack); one that takes away R alone does not. The
 * notification goes through srv->oplock_up->send_lease_break to the
 * client's oldest connection (from the address of an open holding the
 * lease). A further break that an acknowledgment starts (a conflict
 * came meanwhile) keeps the epoch.
 */
#ifndef WG_SMBD_LEASE_H
#define WG_SMBD_LEASE_H

#include "smbd/smbd.h"
#include "smbd/fs/open.h"
#include "smbd/fs/oplock.h"
#include "proto/smb2_lease.h"

/* Opens holding a lease per connection (SMBD_BUDGET_LEASES): over it an
 * open is granted no lease */
#define SMBD_MAX_LEASES_PER_CONN	4096

#define SMBD_LEASE_RWH (SMB2_LEASE_READ | SMB2_LEASE_WRITE | \
			SMB2_LEASE_HANDLE)

/* ---- decisions (pure) ---- */

/*
 * The state a request for `requested` may have at most: R, RH, RW or
 * RWH as asked (H or W without R: none; unknown bits dropped); on a
 * directory without W.
 */
uint32_t smbd_lease_valid_state(uint32_t requested, bool is_dir);

/*
 * The state a lease holding `held` breaks to when an open of another
 * lease or none does `what`: an open loses W, an overwrite, write, lock
 * or size change everything, a rename or delete H; SMBD_OPLOCK_OP_SHARE
 * (the open would be refused by the share modes) loses H.
 */
uint32_t smbd_lease_break_to(uint32_t held, enum smbd_oplock_op what);

/*
 * What a new open may be granted of `wanted` (already valid): no W when
 * there are other opens (not stat opens) outside the lease, no H when
 * one of them holds an oplock.
 */
uint32_t smbd_lease_grant(uint32_t wanted, size_t others, bool others_oplock);

/*
 * Does an open with this access leave leases alone? Attributes,
 * synchronize and read control (smbtorture smb2.lease.statopen4): a
 * little wider than smbd_oplock_stat_open().
 */
bool smbd_lease_stat_open(uint32_t access);

/* ---- state ---- */

/*
 * Give op (just opened, on its file) the lease req asks for, for the
 * client client_guid: join the lease of (client_guid, req->key) or make
 * it, upgrading it to what is asked if the other opens allow and no
 * break is in progress. *resp is the response context (key, granted
 * state, flags, epoch, version of the request). NT_STATUS_OK;
 * INVALID_PARAMETER when the key is the client's lease on another file;
 * NO_MEMORY. Over the connection's budget: OK with no lease (state none).
 */
NTSTATUS smbd_lease_open(struct smbd_open *op, const uint8_t client_guid[16],
			 const struct smb2_lease *req, struct smb2_lease *resp);

/* The (ClientGuid, lease key) of op's lease: op must hold one. */
void smbd_lease_own_id(const struct smbd_open *op, const uint8_t **guid,
		       const uint8_t **key);

/* The parent lease key op's v2 lease was opened with, or NULL (no
 * lease, v1, or none given) [MS-SMB2 §3.3.5.9.11]. */
const uint8_t *smbd_lease_parent_key(const struct smbd_open *op);

/* The lease state op holds (none if it holds no lease). */
uint32_t smbd_lease_state(const struct smbd_open *op);

/* Does op hold the lease (client_guid, key)? (NULL key: never) */
bool smbd_lease_is(const struct smbd_open *op, const uint8_t client_guid[16],
		   const uint8_t key[16]);

/*
 * Break the leases of f that `what` conflicts with (deleting: the open
 * doing it deletes the file on close, which takes handle caching too),
 * except the lease of (own_guid, own_key) (may be NULL). Returns true if
 * one but that is breaking afterwards in a way the request must wait
 * for: one taking write caching, or handle caching for a rename, a
 * delete or an open the share modes refuse. Other breaks still await
 * an acknowledgment but hold nobody up (smbtorture smb2.lease.breaking4).
 * An open with the key of a breaking lease does not wait for it
 * (smbtorture smb2.lease.breaking1).
 */
bool smbd_lease_break_file(struct smbd_file *f, const uint8_t *own_guid,
			   const uint8_t *own_key, enum smbd_oplock_op what,
			   bool deleting);

/* Is a lease of f breaking so that requests wait for it (any; any but
 * own)? Does one hold H (any, but own)? Is (guid, key) a lease
 * anywhere? */
bool smbd_lease_breaking_other(const struct smbd_file *f,
				const uint8_t *own_guid, const uint8_t *own_key);
bool smbd_lease_exists(struct smbd_server *srv, const uint8_t *guid,
		       const uint8_t *key);
bool smbd_lease_breaking(const struct smbd_file *f);
bool smbd_lease_any_handle(const struct smbd_file *f, const uint8_t *own_guid,
			   const uint8_t *own_key);

/*
 * The client acknowledges the break of its lease key with state
 * [MS-SMB2 §3.3.5.22.2]: OBJECT_NAME_NOT_FOUND (no such lease),
 * UNSUCCESSFUL (no break in progress), REQUEST_NOT_ACCEPTED (state is
 * more than the break offered), else OK and the lease holds state (a
 * further break starts if the lease had to go lower meanwhile).
 */
NTSTATUS smbd_lease_ack(struct smbd_server *srv, const uint8_t client_guid[16],
			const uint8_t key[16], uint32_t state);

/* ---- durable opens holding a lease [MS-SMB2 §3.3.5.9.6-12] ---- */

/*
 * May op's lease keep it durable: the lease caches handles and is not
 * breaking away from that?
 */
bool smbd_lease_durable_ok(const struct smbd_open *op);

/*
 * op (holding a lease or not) leaves its connection (conn NULL: it is
 * preserved, its connection lost) or joins conn (a reconnect). The
 * per-connection counts move with it; a break counted on the old
 * connection moves to another connection holding the lease, or, when
 * none is left, ends at the state it was breaking to (nobody is there to
 * acknowledge it). Call with op->tree still the old tree when leaving
 * and already the new one when joining.
 */
void smbd_lease_set_conn(struct smbd_open *op, struct smbd_conn *conn);

/* The lease context answering a reconnect of op (it holds a lease). */
void smbd_lease_resp(const struct smbd_open *op, struct smb2_lease *resp);

/* op goes: it leaves its lease, which goes with its last open. */
void smbd_lease_release(struct smbd_open *op);

#endif
