/*
 * fsctl_objid.c - the object id FSCTLs [MS-FSA §2.1.5.10.1, .10.13,
 * .10.29, .10.30, .10.6]: FSCTL_CREATE_OR_GET_OBJECT_ID, _GET_, _SET_,
 * _SET_OBJECT_ID_EXTENDED and _DELETE_OBJECT_ID on a file or directory of
 * a disk share, over the FILE_OBJECTID_BUFFER that fs/objid.h keeps.
 * fsctl_file.c hands them over (smbd_fsctl_objid).
 */
#include "smbd/smb2/cmd/fsctl_file.h"

#include <errno.h>
#include <string.h>

#include "proto/smb2_fsctl.h"
#include "smbd/base/errmap.h"
#include "smbd/fs/fsctl.h"
#include "smbd/fs/objid.h"
#include "smbd/smb2/cmd/cmd.h"

/* The open f names, if it is a file or directory of a disk share. */
static NTSTATUS objid_open(struct smbd_req *req, const struct smbd_fsctl *f,
			   struct smbd_open **op)
{
	NTSTATUS status = smbd_req_open(req, f->fid_p, f->fid_v, op);

	if (status != NT_STATUS_OK) {
		return status;
	}
	if ((*op)->pipe != NULL || (*op)->fd < 0 ||
	    req->tree->share->type != WG_SHARE_DISK) {
		return NT_STATUS_INVALID_DEVICE_REQUEST;
	}
	return NT_STATUS_OK;
}

/* The share's volume id, as FileFsObjectIdInformation reports it
 * (getinfo.c): FNV-1a of the share path, spread over 16 bytes. */
static void volume_id(const struct smbd_tree *tree, uint8_t id[16])
{
	const unsigned char *p = (const unsigned char *)tree->share->path;
	uint32_t h = 2166136261u;
	uint32_t i = 0;

	for (; *p != '\0'; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	for (i = 0; i < 4; i++) {
		wire_setle32(id + 4 * i, h ^ (0x9E3779B9u * i));
	}
}

static NTSTATUS objid_reply(struct smbd_req *req, const struct smbd_fsctl *f,
			    const uint8_t buf[SMBD_OBJID_SIZE])
{
	smbd_ioctl_resp_push(req, f, buf, SMBD_OBJID_SIZE);
	return NT_STATUS_OK;
}

static NTSTATUS create_or_get(struct smbd_req *req,
			      const struct smbd_fsctl *f, struct smbd_open *op)
{
	uint8_t buf[SMBD_OBJID_SIZE] = {};
	int ret = smbd_objid_get(op->fd, buf);

	if (ret == 0) {
		return objid_reply(req, f, buf);
	}
	if (ret != -ENODATA) {
		return smbd_map_errno(-ret);
	}
	if (req->tree->read_only) {
		return NT_STATUS_MEDIA_WRITE_PROTECTED;
	}
	ret = smbd_objid_new(buf);
	if (ret != 0) {
		return smbd_map_errno(-ret);
	}
	volume_id(req->tree, buf + 16);		/* BirthVolumeId */
	memcpy(buf + 32, buf, 16);		/* BirthObjectId */
	ret = smbd_objid_set(op->fd, buf, true);	/* DomainId: zero */
	if (ret == -EEXIST) {
		ret = smbd_objid_get(op->fd, buf);	/* made meanwhile */
	}
	if (ret != 0) {
		return smbd_map_errno(-ret);
	}
	return objid_reply(req, f, buf);
}

static NTSTATUS get(struct smbd_req *req, const struct smbd_fsctl *f,
		    struct smbd_open *op)
{
	uint8_t buf[SMBD_OBJID_SIZE] = {};
	NTSTATUS status = smbd_open_objid_get(op, buf);

	if (status != NT_STATUS_OK) {
		return status;
	}
	return objid_reply(req, f, buf);
}

/* SET (whole buffer, only if none yet) or SET_EXTENDED (bytes 16..63). */
static NTSTATUS set(struct smbd_req *req, const struct smbd_fsctl *f,
		    struct smbd_open *op, bool extended)
{
	NTSTATUS status = smbd_open_objid_set(op, req->tree, f->input.base,
					      f->input.len, extended);

	if (status == NT_STATUS_OK) {
		smbd_ioctl_resp_push(req, f, NULL, 0);
	}
	return status;
}

static NTSTATUS delete(struct smbd_req *req, const struct smbd_fsctl *f,
		       struct smbd_open *op)
{
	NTSTATUS status = smbd_open_objid_delete(op, req->tree);

	if (status == NT_STATUS_OK) {
		smbd_ioctl_resp_push(req, f, NULL, 0);
	}
	return status;
}

NTSTATUS smbd_fsctl_objid(struct smbd_req *req, const struct smbd_fsctl *f,
			  bool *handled)
{
	struct smbd_open *op = NULL;
	NTSTATUS status = NT_STATUS_OK;

	switch (f->ctl_code) {
	case FSCTL_CREATE_OR_GET_OBJECT_ID:
	case FSCTL_GET_OBJECT_ID:
	case FSCTL_SET_OBJECT_ID:
	case FSCTL_SET_OBJECT_ID_EXTENDED:
	case FSCTL_DELETE_OBJECT_ID:
		break;
	default:
		*handled = false;
		return NT_STATUS_OK;
	}
	*handled = true;
	status = objid_open(req, f, &op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	switch (f->ctl_code) {
	case FSCTL_CREATE_OR_GET_OBJECT_ID:
	case FSCTL_GET_OBJECT_ID:
		if (f->max_out < SMBD_OBJID_SIZE) {
			return NT_STATUS_INVALID_PARAMETER;
		}
		return f->ctl_code == FSCTL_GET_OBJECT_ID ?
			       get(req, f, op) : create_or_get(req, f, op);
	case FSCTL_SET_OBJECT_ID:
		return set(req, f, op, false);
	case FSCTL_SET_OBJECT_ID_EXTENDED:
		return set(req, f, op, true);
	default:
		return delete(req, f, op);
	}
}
