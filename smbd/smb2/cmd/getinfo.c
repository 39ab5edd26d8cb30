/*
 * getinfo.c - SMB2 QUERY_INFO [MS-SMB2 §2.2.37, §2.2.38, §3.3.5.20]:
 * file information classes [MS-FSCC §2.4], file system classes
 * [MS-FSCC §2.5], the security descriptor [MS-DTYP §2.4.6] (fs/acl.h).
 *
 * Every class is a row in a table: its fixed size, the access it needs
 * and a function that writes the whole record. The fixed size is what
 * Windows checks against: sizeof() of the C structure, padded to 8 bytes
 * where it holds 8-byte fields (FileAllInformation: 104, not the 100
 * bytes before its name). qi_emit() then applies the
 * output length rules of §3.3.5.20.1/2 in one place: a buffer smaller
 * than the fixed part fails with STATUS_INFO_LENGTH_MISMATCH; a record
 * whose variable part (a name) does not fit is cut at the buffer size and
 * returned with STATUS_BUFFER_OVERFLOW. Security descriptors never go out
 * cut: STATUS_BUFFER_TOO_SMALL instead (§3.3.5.20.3).
 */
#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>

#include "smbd/smbd.h"
#include "smbd/smb2/cmd/cmd.h"
#include "smbd/base/errmap.h"
#include "smbd/fs/acl.h"
#include "smbd/fs/fileinfo.h"
#include "smbd/fs/fsinfo.h"
#include "smbd/fs/shortname.h"
#include "smbd/fs/vfs.h"
#include "smbd/fs/streams.h"
#include "smbd/smb2/cmd/eainfo.h"
#include "proto/fscc.h"
#include "proto/utf16.h"

#define QI_RESP_FIXED	8	/* StructureSize, offset, length */
#define BYTES_PER_SECTOR 512u

struct qi_args {
	uint8_t info_type;
	uint8_t cls;
	uint32_t out_len;
	uint32_t addl_info;
	uint32_t flags;		/* SL_* (FileFullEaInformation) */
	struct wire_rd in;	/* the input buffer (EA names) */
	uint64_t fid_p, fid_v;
};

/* What a record writer gets. ni is filled for file classes on files. */
struct qi_ctx {
	struct smbd_req *req;
	struct smbd_open *op;
	struct wire_wr *w;
	struct smbd_ntinfo ni;
	const struct stat *st;	/* ni's stat of the open's fd, or NULL */
	const struct qi_args *a;
	uint32_t out_len;	/* the output room, as qi_emit() caps it */
};

typedef NTSTATUS (*qi_put_fn)(struct qi_ctx *c);

struct qi_class {
	uint8_t cls;
	uint32_t fixed;		/* bytes that must fit, else LENGTH_MISMATCH */
	uint32_t access;	/* granted access needed (0: none) */
	qi_put_fn put;
};

/* ---- helpers ---- */

/*
 * A FILE_NAME_INFORMATION: FileNameLength + UTF-16 name, the client's
 * form of path ("\dir\name" with lead, else "dir\name") written
 * straight into w: '/' becomes '\' in the UTF-16 (the code unit 0x002F
 * is never part of another character), so no copy of the path is made.
 */
static NTSTATUS put_name_info(struct wire_wr *w, const char *path, bool lead)
{
	size_t at = 0;

	wire_put_u32le(w, 0);	/* FileNameLength, below */
	at = w->len;
	if (lead) {
		wire_put_u16le(w, '\\');
	}
	wire_put_utf16(w, path);
	if (wire_wr_error(w) != 0) {
		return NT_STATUS_OK;	/* the writer's error tells */
	}
	for (size_t i = at; i + 1 < w->len; i += 2) {
		if (w->buf[i] == '/' && w->buf[i + 1] == 0) {
			w->buf[i] = '\\';
		}
	}
	wire_patch_u32le(w, at - 4, (uint32_t)(w->len - at));
	return NT_STATUS_OK;
}

static void put_basic(struct wire_wr *w, const struct smbd_ntinfo *ni)
{
	wire_put_u64le(w, ni->create_time);
	wire_put_u64le(w, ni->access_time);
	wire_put_u64le(w, ni->write_time);
	wire_put_u64le(w, ni->change_time);
	wire_put_u32le(w, ni->attrs);
	wire_put_u32le(w, 0);		/* Reserved */
}

/* Delete-pending is per inode (any open may have set it). */
static bool delete_pending(const struct smbd_open *op)
{
	if (op->file != NULL) {
		return op->file->delete_pending;
	}
	return op->delete_on_close;
}

/* A delete-pending name no longer counts as a link (as NTFS reports). */
static void put_standard(struct wire_wr *w, const struct smbd_ntinfo *ni,
			 const struct smbd_open *op)
{
	bool pending = delete_pending(op);

	wire_put_u64le(w, ni->alloc_size);
	wire_put_u64le(w, ni->end_of_file);
	wire_put_u32le(w, pending && ni->nlink > 0 ? ni->nlink - 1 :
						     ni->nlink);
	wire_put_u8(w, pending ? 1 : 0);
	wire_put_u8(w, ni->is_dir ? 1 : 0);
	wire_put_u16le(w, 0);		/* Reserved */
}

/* ---- file classes ---- */

static NTSTATUS qi_basic(struct qi_ctx *c)
{
	put_basic(c->w, &c->ni);
	return NT_STATUS_OK;
}

static NTSTATUS qi_standard(struct qi_ctx *c)
{
	put_standard(c->w, &c->ni, c->op);
	return NT_STATUS_OK;
}

static NTSTATUS qi_internal(struct qi_ctx *c)
{
	wire_put_u64le(c->w, c->ni.file_index);
	return NT_STATUS_OK;
}

static NTSTATUS qi_ea(struct qi_ctx *c)
{
	wire_put_u32le(c->w, smbd_ea_size_fd_st(c->op->fd, c->st));
	return NT_STATUS_OK;
}

static NTSTATUS qi_access(struct qi_ctx *c)
{
	wire_put_u32le(c->w, c->op->access);
	return NT_STATUS_OK;
}

static NTSTATUS qi_position(struct qi_ctx *c)
{
	wire_put_u64le(c->w, c->op->position);
	return NT_STATUS_OK;
}

static NTSTATUS qi_mode(struct qi_ctx *c)
{
	wire_put_u32le(c->w, c->op->mode);
	return NT_STATUS_OK;
}

static NTSTATUS qi_alignment(struct qi_ctx *c)
{
	wire_put_u32le(c->w, 0);	/* FILE_BYTE_ALIGNMENT */
	return NT_STATUS_OK;
}

static NTSTATUS qi_all(struct qi_ctx *c)
{
	put_basic(c->w, &c->ni);
	put_standard(c->w, &c->ni, c->op);
	wire_put_u64le(c->w, c->ni.file_index);
	wire_put_u32le(c->w, smbd_ea_size_fd_st(c->op->fd, c->st));
	wire_put_u32le(c->w, c->op->access);
	wire_put_u64le(c->w, c->op->position);
	wire_put_u32le(c->w, c->op->mode);
	wire_put_u32le(c->w, 0);	/* AlignmentRequirement */
	return put_name_info(c->w, c->op->path, true);
}

/*
 * The 8.3 name (fs/shortname.h). A name that is 8.3 already answers
 * itself, as FAT does, rather than NTFS's OBJECT_NAME_NOT_FOUND:
 * smbclient's allinfo gives up on any error but NOT_SUPPORTED /
 * NOT_IMPLEMENTED. The share root has an empty name.
 */
static NTSTATUS qi_alt_name(struct qi_ctx *c)
{
	const char *leaf = strrchr(c->op->path, '/');
	char sn[SMBD_SHORT_NAME_MAX + 1];

	leaf = leaf != NULL ? leaf + 1 : c->op->path;
	if (leaf[0] == '\0') {
		wire_put_u32le(c->w, 0);
		return NT_STATUS_OK;
	}
	smbd_short_name(leaf, sn);
	wire_put_u32le(c->w, (uint32_t)utf16_len_of_utf8(sn));
	wire_put_utf16(c->w, sn);
	return NT_STATUS_OK;
}

static NTSTATUS qi_full_ea(struct qi_ctx *c)
{
	return smbd_ea_query(c->op, &c->a->in, c->a->flags, c->a->addl_info,
			     c->out_len, c->w);
}

/* ::$DATA first (files only), then the named streams (fs/streams.h) */
static NTSTATUS qi_stream(struct qi_ctx *c)
{
	return streams_put_info(c->w, c->op, &c->ni);
}

static NTSTATUS qi_compression(struct qi_ctx *c)
{
	wire_put_u64le(c->w, c->ni.end_of_file);	/* CompressedFileSize */
	wire_put_u16le(c->w, 0);	/* COMPRESSION_FORMAT_NONE */
	wire_put_u8(c->w, 0);		/* CompressionUnitShift */
	wire_put_u8(c->w, 0);		/* ChunkShift */
	wire_put_u8(c->w, 0);		/* ClusterShift */
	wire_put_zero(c->w, 3);		/* Reserved */
	return NT_STATUS_OK;
}

static NTSTATUS qi_network_open(struct qi_ctx *c)
{
	wire_put_u64le(c->w, c->ni.create_time);
	wire_put_u64le(c->w, c->ni.access_time);
	wire_put_u64le(c->w, c->ni.write_time);
	wire_put_u64le(c->w, c->ni.change_time);
	wire_put_u64le(c->w, c->ni.alloc_size);
	wire_put_u64le(c->w, c->ni.end_of_file);
	wire_put_u32le(c->w, c->ni.attrs);
	wire_put_u32le(c->w, 0);	/* Reserved */
	return NT_STATUS_OK;
}

static NTSTATUS qi_attribute_tag(struct qi_ctx *c)
{
	wire_put_u32le(c->w, c->ni.attrs);
	wire_put_u32le(c->w, 0);	/* ReparseTag */
	return NT_STATUS_OK;
}

static NTSTATUS qi_normalized_name(struct qi_ctx *c)
{
	if (c->req->conn->dialect < SMB2_DIALECT_311) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	return put_name_info(c->w, c->op->path, false);
}

static NTSTATUS qi_file_id(struct qi_ctx *c)
{
	wire_put_u64le(c->w, smbd_fs_volume_serial(c->op->tree));
	wire_put_u64le(c->w, c->ni.file_index);	/* FileId: 128 bits */
	wire_put_u64le(c->w, 0);
	return NT_STATUS_OK;
}

static const struct qi_class file_classes[] = {
	{ FileBasicInformation, 40, FILE_READ_ATTRIBUTES, qi_basic },
	{ FileStandardInformation, 24, 0, qi_standard },
	{ FileInternalInformation, 8, 0, qi_internal },
	{ FileEaInformation, 4, 0, qi_ea },
	{ FileAccessInformation, 4, 0, qi_access },
	{ FilePositionInformation, 8, 0, qi_position },
	{ FileFullEaInformation, 4, FILE_READ_EA, qi_full_ea },
	{ FileModeInformation, 4, 0, qi_mode },
	{ FileAlignmentInformation, 4, 0, qi_alignment },
	{ FileAllInformation, 104, FILE_READ_ATTRIBUTES, qi_all },
	{ FileAlternateNameInformation, 8, 0, qi_alt_name },
	{ FileStreamInformation, 32, 0, qi_stream },
	{ FileCompressionInformation, 16, 0, qi_compression },
	{ FileNetworkOpenInformation, 56, FILE_READ_ATTRIBUTES,
	  qi_network_open },
	{ FileAttributeTagInformation, 8, FILE_READ_ATTRIBUTES,
	  qi_attribute_tag },
	{ FileNormalizedNameInformation, 8, 0, qi_normalized_name },
	{ FileIdInformation, 24, 0, qi_file_id },
};

/* ---- file system classes ---- */

static NTSTATUS fs_statvfs(struct qi_ctx *c, struct statvfs *vfs,
			   uint32_t *sectors_per_unit,
			   uint32_t *bytes_per_sector)
{
	uint64_t unit = 0;

	if (fstatvfs(c->op->fd, vfs) != 0) {
		return smbd_map_errno(errno);
	}
	unit = vfs->f_frsize != 0 ? vfs->f_frsize : vfs->f_bsize;
	if (unit >= BYTES_PER_SECTOR && unit % BYTES_PER_SECTOR == 0 &&
	    unit / BYTES_PER_SECTOR <= UINT32_MAX) {
		*bytes_per_sector = BYTES_PER_SECTOR;
		*sectors_per_unit = (uint32_t)(unit / BYTES_PER_SECTOR);
	} else {
		*bytes_per_sector = unit != 0 && unit <= UINT32_MAX ?
				    (uint32_t)unit : BYTES_PER_SECTOR;
		*sectors_per_unit = 1;
	}
	return NT_STATUS_OK;
}

static NTSTATUS qfs_volume(struct qi_ctx *c)
{
	const char *label = c->op->tree->share->name;
	struct smbd_ntinfo root = {};

	if (smbd_ntinfo_fd(c->op->tree->root_fd, "", &root) != 0) {
		root.create_time = c->req->conn->srv->start_time_nt;
	}
	wire_put_u64le(c->w, root.create_time);
	wire_put_u32le(c->w, smbd_fs_volume_serial(c->op->tree));
	wire_put_u32le(c->w, (uint32_t)utf16_len_of_utf8(label));
	wire_put_u8(c->w, 0);		/* SupportsObjects */
	wire_put_u8(c->w, 0);		/* Reserved */
	wire_put_utf16(c->w, label);
	return NT_STATUS_OK;
}

static NTSTATUS qfs_size(struct qi_ctx *c)
{
	struct statvfs vfs = {};
	uint32_t spu = 0, bps = 0;
	NTSTATUS status = fs_statvfs(c, &vfs, &spu, &bps);

	if (status != NT_STATUS_OK) {
		return status;
	}
	wire_put_u64le(c->w, vfs.f_blocks);
	wire_put_u64le(c->w, vfs.f_bavail);
	wire_put_u32le(c->w, spu);
	wire_put_u32le(c->w, bps);
	return NT_STATUS_OK;
}

static NTSTATUS qfs_full_size(struct qi_ctx *c)
{
	struct statvfs vfs = {};
	uint32_t spu = 0, bps = 0;
	NTSTATUS status = fs_statvfs(c, &vfs, &spu, &bps);

	if (status != NT_STATUS_OK) {
		return status;
	}
	wire_put_u64le(c->w, vfs.f_blocks);
	wire_put_u64le(c->w, vfs.f_bavail);	/* CallerAvailable */
	wire_put_u64le(c->w, vfs.f_bfree);	/* ActualAvailable */
	wire_put_u32le(c->w, spu);
	wire_put_u32le(c->w, bps);
	return NT_STATUS_OK;
}

static NTSTATUS qfs_device(struct qi_ctx *c)
{
	wire_put_u32le(c->w, SMBD_FILE_DEVICE_DISK);
	wire_put_u32le(c->w, FILE_DEVICE_IS_MOUNTED);
	return NT_STATUS_OK;
}

static NTSTATUS qfs_attribute(struct qi_ctx *c)
{
	/* Not FILE_CASE_SENSITIVE_SEARCH: lookups are case-insensitive. */
	static const char fs_name[] = "NTFS";

	/* sparse files: FSCTL_SET_SPARSE and friends, smb2/cmd/fsctl_file.c */
	wire_put_u32le(c->w, FILE_CASE_PRESERVED_NAMES |
			     FILE_UNICODE_ON_DISK |
			     FILE_SUPPORTS_SPARSE_FILES);
	wire_put_u32le(c->w, 255);	/* MaximumComponentNameLength */
	wire_put_u32le(c->w, (uint32_t)utf16_len_of_utf8(fs_name));
	wire_put_utf16(c->w, fs_name);
	return NT_STATUS_OK;
}

static NTSTATUS qfs_sector_size(struct qi_ctx *c)
{
	wire_put_u32le(c->w, BYTES_PER_SECTOR);	/* Logical */
	wire_put_u32le(c->w, 4096);	/* PhysicalForAtomicity */
	wire_put_u32le(c->w, 4096);	/* PhysicalForPerformance */
	wire_put_u32le(c->w, 4096);	/* FS effective, atomicity */
	wire_put_u32le(c->w, SSINFO_FLAGS_ALIGNED_DEVICE |
			     SSINFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE);
	wire_put_u32le(c->w, 0);	/* ByteOffsetForSectorAlignment */
	wire_put_u32le(c->w, 0);	/* ByteOffsetForPartitionAlignment */
	return NT_STATUS_OK;
}

static NTSTATUS qfs_control(struct qi_ctx *c)
{
	smbd_fs_put_control(c->w);
	return NT_STATUS_OK;
}

static NTSTATUS qfs_object_id(struct qi_ctx *c)
{
	smbd_fs_put_object_id(c->w, c->op->tree);
	return NT_STATUS_OK;
}

static const struct qi_class fs_classes[] = {
	{ FileFsVolumeInformation, 24, 0, qfs_volume },
	{ FileFsSizeInformation, 24, 0, qfs_size },
	{ FileFsDeviceInformation, 8, 0, qfs_device },
	{ FileFsAttributeInformation, 16, 0, qfs_attribute },
	{ FileFsControlInformation, 48, 0, qfs_control },
	{ FileFsFullSizeInformation, 32, 0, qfs_full_size },
	{ FileFsObjectIdInformation, 64, 0, qfs_object_id },
	{ FileFsSectorSizeInformation, 28, 0, qfs_sector_size },
};

static const struct qi_class *find_class(const struct qi_class *tab,
					 size_t n, uint8_t cls)
{
	size_t i = 0;

	for (i = 0; i < n; i++) {
		if (tab[i].cls == cls) {
			return &tab[i];
		}
	}
	return NULL;
}

/*
 * Write the response for one class, applying the output length rules
 * [MS-SMB2 §3.3.5.20.1]. c->ni must be ready if the class uses it.
 */
static NTSTATUS qi_emit(struct qi_ctx *c, const struct qi_class *k,
			uint32_t out_len)
{
	struct wire_wr *w = c->w;
	size_t base = w->len;
	size_t len = 0;
	NTSTATUS status = NT_STATUS_OK;

	if ((c->op->access & k->access) != k->access) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (out_len > c->req->conn->max_trans) {
		out_len = c->req->conn->max_trans;
	}
	if (out_len == 0 || out_len < k->fixed) {
		return NT_STATUS_INFO_LENGTH_MISMATCH;
	}
	wire_put_u16le(w, 9);		/* StructureSize */
	wire_put_u16le(w, (uint16_t)(SMBD_OUT_OFF(c->req) + 6));
	wire_put_u32le(w, 0);		/* OutputBufferLength */
	c->out_len = out_len;
	status = k->put(c);
	/* BUFFER_OVERFLOW from a writer: what fit goes out (EA lists) */
	if ((status != NT_STATUS_OK && status != NT_STATUS_BUFFER_OVERFLOW) ||
	    wire_wr_error(w) != 0) {
		w->len = base;
		return status != NT_STATUS_OK ? status : NT_STATUS_NO_MEMORY;
	}
	len = w->len - base - QI_RESP_FIXED;
	if (len > out_len) {
		w->len = base + QI_RESP_FIXED + out_len;	/* cut */
		len = out_len;
		status = NT_STATUS_BUFFER_OVERFLOW;
	}
	wire_patch_u32le(w, base + 4, (uint32_t)len);
	if (len == 0) {
		wire_put_u8(w, 0);	/* StructureSize 9 counts one byte */
	}
	return status;
}

static NTSTATUS qi_file(struct qi_ctx *c, const struct qi_args *a)
{
	const struct qi_class *k = NULL;
	struct smbd_stat sx = {};
	NTSTATUS status = NT_STATUS_OK;
	int ret = 0;

	k = find_class(file_classes, sizeof(file_classes) /
		       sizeof(file_classes[0]), a->cls);
	if (k == NULL) {
		if (a->cls == FilePipeInformation ||
		    a->cls == FilePipeLocalInformation ||
		    a->cls == FilePipeRemoteInformation) {
			return NT_STATUS_NOT_SUPPORTED;
		}
		return NT_STATUS_INVALID_INFO_CLASS;
	}
	if (c->op->fd < 0) {
		/* A named pipe: only what Windows asks of any handle. */
		if (a->cls != FileStandardInformation) {
			return NT_STATUS_NOT_SUPPORTED;
		}
		c->ni.alloc_size = 4096;
		c->ni.nlink = 1;
		return qi_emit(c, k, a->out_len);
	}
	/* a stream's times and attributes are its file's (fs/streams.h) */
	if (c->op->stream != NULL) {
		ret = streams_ntinfo(c->op, &c->ni);
	} else {
		ret = smbd_stat_fd(c->op->fd, &sx);
		if (ret == 0) {
			smbd_ntinfo_fill(&sx, c->op->path, &c->ni);
			c->st = &sx.st;	/* EaSize is remembered against it */
		}
	}
	if (ret != 0) {
		return smbd_map_errno(-ret);
	}
	status = qi_emit(c, k, a->out_len);
	c->st = NULL;
	return status;
}

static NTSTATUS qi_fs(struct qi_ctx *c, const struct qi_args *a)
{
	const struct qi_class *k = NULL;

	k = find_class(fs_classes, sizeof(fs_classes) / sizeof(fs_classes[0]),
		       a->cls);
	if (k == NULL) {
		return NT_STATUS_INVALID_INFO_CLASS;
	}
	if (c->op->fd < 0 || c->op->tree->root_fd < 0) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	return qi_emit(c, k, a->out_len);
}

/* ---- security ---- */

static NTSTATUS qi_security(struct qi_ctx *c, const struct qi_args *a)
{
	struct wire_wr *w = c->w;
	size_t base = w->len;
	size_t len = 0;
	NTSTATUS status = NT_STATUS_OK;

	wire_put_u16le(w, 9);
	wire_put_u16le(w, (uint16_t)(SMBD_OUT_OFF(c->req) + 6));
	wire_put_u32le(w, 0);
	status = smbd_acl_query(c->op, a->addl_info, w);
	if (status == NT_STATUS_OK && wire_wr_error(w) != 0) {
		status = NT_STATUS_NO_MEMORY;
	}
	if (status != NT_STATUS_OK) {
		w->len = base;
		return status;
	}
	len = w->len - base - QI_RESP_FIXED;
	if (len > a->out_len) {
		/*
		 * §3.3.5.20.3: error data carries the size needed (for 3.1.1
		 * inside one error context).
		 */
		w->len = base;
		wire_put_u16le(w, 9);
		wire_put_u8(w, c->req->conn->dialect >= SMB2_DIALECT_311);
		wire_put_u8(w, 0);
		if (c->req->conn->dialect >= SMB2_DIALECT_311) {
			wire_put_u32le(w, 12);	/* ByteCount */
			wire_put_u32le(w, 4);	/* ErrorDataLength */
			wire_put_u32le(w, 0);	/* ErrorId */
		} else {
			wire_put_u32le(w, 4);	/* ByteCount */
		}
		wire_put_u32le(w, (uint32_t)len);
		return NT_STATUS_BUFFER_TOO_SMALL;
	}
	wire_patch_u32le(w, base + 4, (uint32_t)len);
	return NT_STATUS_OK;
}

/* ---- the command ---- */

static NTSTATUS qi_parse(struct smbd_req *req, struct qi_args *a)
{
	struct wire_rd r = req->in;
	uint16_t in_off = 0;
	uint32_t in_len = 0;

	if (wire_skip(&r, 2) != 0 ||		/* StructureSize */
	    wire_get_u8(&r, &a->info_type) != 0 ||
	    wire_get_u8(&r, &a->cls) != 0 ||
	    wire_get_u32le(&r, &a->out_len) != 0 ||
	    wire_get_u16le(&r, &in_off) != 0 ||
	    wire_skip(&r, 2) != 0 ||		/* Reserved */
	    wire_get_u32le(&r, &in_len) != 0 ||
	    wire_get_u32le(&r, &a->addl_info) != 0 ||
	    wire_get_u32le(&r, &a->flags) != 0 ||
	    smbd_pull_fid(&r, &a->fid_p, &a->fid_v) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (in_len == 0) {
		return NT_STATUS_OK;
	}
	if (wire_sub(&req->in, in_off, in_len, &a->in) != 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	return NT_STATUS_OK;
}

NTSTATUS smbd_smb2_query_info(struct smbd_req *req)
{
	struct qi_ctx c = {};
	struct qi_args a = {};
	NTSTATUS status = NT_STATUS_OK;

	status = qi_parse(req, &a);
	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smbd_req_open(req, a.fid_p, a.fid_v, &c.op);
	if (status != NT_STATUS_OK) {
		return status;
	}
	c.req = req;
	c.w = &req->out;
	c.a = &a;

	switch (a.info_type) {
	case SMB2_0_INFO_FILE:
		return qi_file(&c, &a);
	case SMB2_0_INFO_FILESYSTEM:
		return qi_fs(&c, &a);
	case SMB2_0_INFO_SECURITY:
		return qi_security(&c, &a);
	case SMB2_0_INFO_QUOTA:
		return NT_STATUS_NOT_SUPPORTED;
	default:
		return NT_STATUS_INVALID_PARAMETER;
	}
}
