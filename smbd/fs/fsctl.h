/*
 * fsctl.h - the file FSCTLs on an open that both front ends serve (SMB2
 * IOCTL, smb2/cmd/fsctl_file.c and fsctl_objid.c; SMB1 NT_TRANSACT
 * IOCTL, smb1/nttrans.c): FSCTL_SET_SPARSE, FSCTL_SET_ZERO_DATA,
 * FSCTL_QUERY_ALLOCATED_RANGES [MS-FSA §2.1.5.10.22, .10.36, .10.39] and
 * GET/SET/SET_EXTENDED/DELETE_OBJECT_ID [MS-FSA §2.1.5.10.13, .10.29,
 * .10.30, .10.6]. Each takes the FSCTL's input buffer as MS-FSCC lays it
 * out (the same bytes over SMB1 and SMB2), does the checks (input,
 * access, byte-range locks), breaks the oplocks and runs the job on the
 * workers (fs/fileops.h); the front ends keep finding the open (the
 * caller makes sure it is a file of a disk share, op->fd >= 0) and the
 * wire of the response.
 *
 * Byte-range locks are held by an open and a tag (fs/locks.h): SMB1's
 * PID, SMB2's 0.
 */
#ifndef WG_SMBD_FS_FSCTL_H
#define WG_SMBD_FS_FSCTL_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>

#include "proto/wire.h"
#include "smbd/smbd.h"
#include "smbd/fs/objid.h"

/*
 * FSCTL_SET_SPARSE: in is FILE_SET_SPARSE_BUFFER (none means TRUE).
 * Returns OK, ACCESS_DENIED (op may not write data, attributes or
 * append) or the mapped errno.
 */
NTSTATUS smbd_open_set_sparse(struct smbd_open *op, const struct wire_rd *in);

/*
 * FSCTL_SET_ZERO_DATA: zero [FileOffset, BeyondFinalZero) of op as a
 * write by the lock owner (op, tag). in is FILE_ZERO_DATA_INFORMATION.
 * Returns INVALID_PARAMETER, ACCESS_DENIED or FILE_LOCK_CONFLICT with
 * nothing done; OK with *job NULL for an empty range (nothing to do);
 * OK with *job, a child of mem running on conn's share of the workers
 * (the other opens' oplocks broken as for a WRITE, op marked written):
 * the caller sets its callback and takes smbd_open_zero_recv; NO_MEMORY.
 */
NTSTATUS smbd_open_zero_send(TALLOC_CTX *mem, struct smbd_conn *conn,
			     struct smbd_open *op, uint32_t tag,
			     const struct wire_rd *in, struct tevent_req **job);
/* OK or the write's mapped errno. */
NTSTATUS smbd_open_zero_recv(struct tevent_req *job);

/*
 * FSCTL_QUERY_ALLOCATED_RANGES: in is FILE_ALLOCATED_RANGE_BUFFER, the
 * query range; max_out the bytes the client takes back. Returns
 * INVALID_PARAMETER, ACCESS_DENIED (no READ_DATA) or NO_MEMORY with
 * nothing started, else OK with *job a child of mem on conn's share of
 * the workers: the caller sets its callback and takes
 * smbd_open_ranges_recv.
 */
NTSTATUS smbd_open_ranges_send(TALLOC_CTX *mem, struct smbd_conn *conn,
			       struct smbd_open *op, const struct wire_rd *in,
			       uint32_t max_out, struct tevent_req **job);
/*
 * The answer: OK (all of them) or BUFFER_OVERFLOW (as many as fit; the
 * client asks again for the rest) with *out, *len the
 * FILE_ALLOCATED_RANGE_BUFFERs (a child of mem; NULL when *len is 0);
 * BUFFER_TOO_SMALL (no room for even one range), NO_MEMORY or the
 * mapped errno with nothing in *out [MS-FSA §2.1.5.10.22].
 */
NTSTATUS smbd_open_ranges_recv(struct tevent_req *job, TALLOC_CTX *mem,
			       uint8_t **out, size_t *len);

/*
 * Object ids (fs/objid.h). get: OK (buf filled), OBJECTID_NOT_FOUND or
 * the mapped errno. set: the whole FILE_OBJECTID_BUFFER, only if op has
 * none yet (extended false, len SMBD_OBJID_SIZE), or its 48 bytes of
 * ExtendedInfo under the ObjectId op has (extended true, len 48); OK,
 * INVALID_PARAMETER (len), ACCESS_DENIED, MEDIA_WRITE_PROTECTED (tree
 * read-only), OBJECTID_NOT_FOUND, OBJECT_NAME_COLLISION or the mapped
 * errno. delete: OK (also when there was none), ACCESS_DENIED,
 * MEDIA_WRITE_PROTECTED or the mapped errno.
 */
NTSTATUS smbd_open_objid_get(const struct smbd_open *op,
			     uint8_t buf[SMBD_OBJID_SIZE]);
NTSTATUS smbd_open_objid_set(const struct smbd_open *op,
			     const struct smbd_tree *tree, const uint8_t *in,
			     size_t len, bool extended);
NTSTATUS smbd_open_objid_delete(const struct smbd_open *op,
				const struct smbd_tree *tree);

#endif
