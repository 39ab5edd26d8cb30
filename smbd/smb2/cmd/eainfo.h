/*
 * eainfo.h - what the SMB2 commands do with extended attributes (fs/ea.h
 * keeps them): CREATE's ExtA context, QUERY_INFO and SET_INFO
 * FileFullEaInformation [MS-SMB2 §2.2.13.2, §3.3.5.20.1; MS-FSA
 * §2.1.5.12, §2.1.5.15.5]. create.c, getinfo.c and setinfo.c call in
 * here; access checks on the open stay with them.
 */
#ifndef WG_SMBD_SMB2_CMD_EAINFO_H
#define WG_SMBD_SMB2_CMD_EAINFO_H

#include "smbd/smbd.h"
#include "smbd/fs/ea.h"

/* QUERY_INFO Flags for FileFullEaInformation [MS-SMB2 §2.2.37] */
#define SL_RESTART_SCAN		0x00000001u
#define SL_RETURN_SINGLE_ENTRY	0x00000002u
#define SL_INDEX_SPECIFIED	0x00000004u

/*
 * Decode and check the FILE_FULL_EA_INFORMATION list left in d (an ExtA
 * context's data) into *eas (talloc under mem, pointing into a copy of
 * the bytes under the same parent), before anything is created. An
 * empty list is inconsistent. Returns OK, EA_LIST_INCONSISTENT,
 * INVALID_EA_NAME, ACCESS_DENIED (a kernel EA), EA_TOO_LARGE (more than
 * SMBD_EA_MAX_NAMES entries) or NO_MEMORY.
 */
NTSTATUS smbd_ea_list_take(TALLOC_CTX *mem, const struct wire_rd *d,
			   struct fscc_ea **eas, size_t *n);

/*
 * QUERY_INFO FileFullEaInformation on op: the entries into w, never more
 * than out_len bytes. in is the FILE_GET_EA_INFORMATION list (may be
 * empty), flags the request's SL_* flags, index its AdditionalInformation
 * (the 1-based EA to start at, with SL_INDEX_SPECIFIED). The scan
 * position lives on the open. Returns OK, BUFFER_OVERFLOW (entries left
 * out; what fit is in w), BUFFER_TOO_SMALL (not one fits), NO_EAS_ON_FILE,
 * NO_MORE_EAS, NONEXISTENT_EA_ENTRY, EA_LIST_INCONSISTENT,
 * INVALID_EA_NAME, INVALID_PARAMETER (too many names), NO_MEMORY or the
 * mapped errno.
 */
NTSTATUS smbd_ea_query(struct smbd_open *op, const struct wire_rd *in,
		       uint32_t flags, uint32_t index, uint32_t out_len,
		       struct wire_wr *w);

/*
 * SET_INFO FileFullEaInformation: apply the list in to op's file.
 * Returns as smbd_ea_list_take() and smbd_ea_apply().
 */
NTSTATUS smbd_ea_set_info(struct smbd_open *op, const struct wire_rd *in);

#endif
