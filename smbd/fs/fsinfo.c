/*
 * fsinfo.c - file system information classes shared by SMB1 and SMB2
 * (see fsinfo.h).
 */
#include "smbd/fs/fsinfo.h"

/* FNV-1a of the share path: stable across restarts, differs per share. */
uint32_t smbd_fs_volume_serial(const struct smbd_tree *tree)
{
	const unsigned char *p = (const unsigned char *)tree->share->path;
	uint32_t h = 2166136261u;

	for (; *p != '\0'; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return h;
}

/* No quotas: no filtering thresholds, no default limits. */
void smbd_fs_put_control(struct wire_wr *w)
{
	wire_put_u64le(w, 0);		/* FreeSpaceStartFiltering */
	wire_put_u64le(w, 0);		/* FreeSpaceThreshold */
	wire_put_u64le(w, 0);		/* FreeSpaceStopFiltering */
	wire_put_u64le(w, UINT64_MAX);	/* DefaultQuotaThreshold */
	wire_put_u64le(w, UINT64_MAX);	/* DefaultQuotaLimit */
	wire_put_u32le(w, 0);		/* FileSystemControlFlags */
	wire_put_u32le(w, 0);		/* Padding */
}

/* A volume GUID that is stable per share: the serial, spread out. */
void smbd_fs_put_object_id(struct wire_wr *w, const struct smbd_tree *tree)
{
	uint32_t serial = smbd_fs_volume_serial(tree);
	uint32_t i = 0;

	for (i = 0; i < 4; i++) {
		wire_put_u32le(w, serial ^ (0x9E3779B9u * i));
	}
	wire_put_zero(w, 48);		/* ExtendedInfo */
}
