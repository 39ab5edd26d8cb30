/*
 * fsctl.c - the file FSCTLs on an open both front ends serve (see
 * fsctl.h).
 */
#include "smbd/fs/fsctl.h"

#include <errno.h>
#include <string.h>

#include "proto/smb2_fsctl.h"
#include "smbd/base/errmap.h"
#include "smbd/fs/brlock.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/fileops.h"
#include "smbd/fs/locks.h"
#include "smbd/fs/oplock.h"

#define WRITE_ACCESS	(FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES | \
			 FILE_APPEND_DATA)
/* BirthVolumeId, BirthObjectId, DomainId */
#define OBJID_EXT_SIZE	48

/* Is the file open on op marked sparse? */
static bool open_is_sparse(const struct smbd_open *op)
{
	struct smbd_stat sx = {};

	return smbd_stat_fd(op->fd, &sx) == 0 && sx.sparse;
}

NTSTATUS smbd_open_set_sparse(struct smbd_open *op, const struct wire_rd *in)
{
	int ret = 0;

	if ((op->access & WRITE_ACCESS) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	ret = smbd_store_sparse(op->fd, smb2_set_sparse_pull(in));
	if (ret < 0) {
		return smbd_map_errno(-ret);
	}
	return NT_STATUS_OK;
}

NTSTATUS smbd_open_zero_send(TALLOC_CTX *mem, struct smbd_conn *conn,
			     struct smbd_open *op, uint32_t tag,
			     const struct wire_rd *in, struct tevent_req **job)
{
	struct smbd_server *srv = conn->srv;
	struct smb2_file_range fr = {};
	struct tevent_req *subreq = NULL;

	*job = NULL;
	/* (FileOffset, BeyondFinalZero) */
	if (smb2_file_range_pull(in, &fr) != 0 ||
	    fr.off > (uint64_t)INT64_MAX ||
	    fr.len_or_end > (uint64_t)INT64_MAX || fr.off > fr.len_or_end) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if ((op->access & FILE_WRITE_DATA) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (fr.off == fr.len_or_end) {
		return NT_STATUS_OK;
	}
	if (op->file != NULL && brl_count(op->file->locks) != 0 &&
	    smbd_lock_conflicts(op, tag, fr.off, fr.len_or_end - fr.off,
				true, false)) {
		return NT_STATUS_FILE_LOCK_CONFLICT;
	}
	if (op->file != NULL) {
		(void)smbd_oplock_break(op->file, op, SMBD_OPLOCK_OP_WRITE,
					false);
	}
	subreq = smbd_zero_range_send(mem, srv->ev, srv->workers,
				      conn->client, op->fd, fr.off,
				      fr.len_or_end, open_is_sparse(op));
	if (subreq == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	op->written = true;
	op->ever_written = true;
	*job = subreq;
	return NT_STATUS_OK;
}

NTSTATUS smbd_open_zero_recv(struct tevent_req *job)
{
	int ret = smbd_zero_range_recv(job);

	if (ret < 0) {
		return smbd_map_errno_in(SMBD_ERRMAP_WRITE, -ret);
	}
	return NT_STATUS_OK;
}

NTSTATUS smbd_open_ranges_send(TALLOC_CTX *mem, struct smbd_conn *conn,
			       struct smbd_open *op, const struct wire_rd *in,
			       uint32_t max_out, struct tevent_req **job)
{
	struct smbd_server *srv = conn->srv;
	struct smb2_file_range fr = {};

	*job = NULL;
	if (smb2_file_range_pull(in, &fr) != 0 ||
	    fr.off > (uint64_t)INT64_MAX ||
	    fr.len_or_end > (uint64_t)INT64_MAX - fr.off) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if ((op->access & FILE_READ_DATA) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	*job = smbd_alloc_ranges_send(mem, srv->ev, srv->workers,
				      conn->client, op->fd, fr.off,
				      fr.len_or_end, open_is_sparse(op),
				      max_out / SMB2_FILE_RANGE_SIZE);
	return *job != NULL ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
}

NTSTATUS smbd_open_ranges_recv(struct tevent_req *job, TALLOC_CTX *mem,
			       uint8_t **out, size_t *len)
{
	struct smbd_alloc_range *ranges = NULL;
	struct wire_wr w;
	uint32_t n = 0, i = 0;
	bool more = false;
	int ret = smbd_alloc_ranges_recv(job, mem, &ranges, &n, &more);

	*out = NULL;
	*len = 0;
	if (ret < 0) {
		return smbd_map_errno(-ret);
	}
	/*
	 * No room for even one range: BUFFER_TOO_SMALL, but only if there is
	 * one (an empty answer fits any buffer). Else as many as fit, and
	 * the rest is the client's to ask for again.
	 */
	if (more && n == 0) {
		return NT_STATUS_BUFFER_TOO_SMALL;
	}
	wire_wr_init(&w, mem, 0);
	for (i = 0; i < n; i++) {
		smb2_file_range_push(&w, ranges[i].off, ranges[i].len);
	}
	talloc_free(ranges);
	if (wire_wr_error(&w) != 0) {
		talloc_free(w.buf);
		return NT_STATUS_NO_MEMORY;
	}
	*out = w.buf;
	*len = w.len;
	return more ? NT_STATUS_BUFFER_OVERFLOW : NT_STATUS_OK;
}

/* ---- object ids ---- */

NTSTATUS smbd_open_objid_get(const struct smbd_open *op,
			     uint8_t buf[SMBD_OBJID_SIZE])
{
	int ret = smbd_objid_get(op->fd, buf);

	if (ret == -ENODATA) {
		return NT_STATUS_OBJECTID_NOT_FOUND;
	}
	if (ret != 0) {
		return smbd_map_errno(-ret);
	}
	return NT_STATUS_OK;
}

/* May op change its object id on tree? */
static NTSTATUS objid_writable(const struct smbd_open *op,
			       const struct smbd_tree *tree)
{
	if ((op->access & WRITE_ACCESS) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (tree->read_only) {
		return NT_STATUS_MEDIA_WRITE_PROTECTED;
	}
	return NT_STATUS_OK;
}

NTSTATUS smbd_open_objid_set(const struct smbd_open *op,
			     const struct smbd_tree *tree, const uint8_t *in,
			     size_t len, bool extended)
{
	uint8_t buf[SMBD_OBJID_SIZE] = {};
	NTSTATUS status = NT_STATUS_OK;
	int ret = 0;

	if (len != (extended ? OBJID_EXT_SIZE : SMBD_OBJID_SIZE)) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = objid_writable(op, tree);
	if (status != NT_STATUS_OK) {
		return status;
	}
	if (extended) {
		status = smbd_open_objid_get(op, buf);
		if (status != NT_STATUS_OK) {
			return status;
		}
		memcpy(buf + 16, in, OBJID_EXT_SIZE);
	} else {
		memcpy(buf, in, SMBD_OBJID_SIZE);
	}
	ret = smbd_objid_set(op->fd, buf, !extended);
	if (ret == -EEXIST) {
		return NT_STATUS_OBJECT_NAME_COLLISION;
	}
	if (ret != 0) {
		return smbd_map_errno(-ret);
	}
	return NT_STATUS_OK;
}

NTSTATUS smbd_open_objid_delete(const struct smbd_open *op,
				const struct smbd_tree *tree)
{
	NTSTATUS status = objid_writable(op, tree);
	int ret = 0;

	if (status != NT_STATUS_OK) {
		return status;
	}
	ret = smbd_objid_delete(op->fd);
	if (ret != 0) {
		return smbd_map_errno(-ret);
	}
	return NT_STATUS_OK;
}
