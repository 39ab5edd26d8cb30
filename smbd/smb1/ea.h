/*
 * ea.h - extended attributes over SMB1 [MS-CIFS §2.2.1.2, §2.2.8.1.3-5,
 * §2.2.8.2.2]: the SMB_FEA_LIST and SMB_GEA_LIST of TRANS2's EA levels,
 * TRANS2_OPEN2 and TRANS2_CREATE_DIRECTORY, kept by smbd/fs/ea.c (its
 * store, name rules and budgets: FSCC_EA_MAX_TOTAL per file,
 * SMBD_EA_MAX_NAMES per request). The access checks (FILE_READ_EA,
 * FILE_WRITE_EA on the open) are made here too.
 */
#ifndef WG_SMBD_SMB1_EA_H
#define WG_SMBD_SMB1_EA_H

#include "smbd/smbd.h"
#include "smbd/fs/ea.h"

/*
 * Take the SMB_FEA_LIST in data[0, n) a client wants set: *eas is a
 * talloc array under mem (with a copy of the bytes it points into),
 * NULL and *neas 0 for an empty list or no data at all. Every name is
 * checked before anything changes. Returns OK, EA_LIST_INCONSISTENT,
 * EA_TOO_LARGE (more than SMBD_EA_MAX_NAMES), INVALID_EA_NAME,
 * ACCESS_DENIED (a kernel EA) or NO_MEMORY.
 */
NTSTATUS smb1_ea_take(TALLOC_CTX *mem, const uint8_t *data, size_t n,
		      struct fscc_ea **eas, size_t *neas);

/*
 * SMB_INFO_SET_EAS: set the SMB_FEA_LIST in data[0, n) on op (which must
 * hold FILE_WRITE_EA), all or nothing. smb1_ea_take()'s errors, and
 * smbd_ea_apply()'s (EA_TOO_LARGE, EAS_NOT_SUPPORTED, ...).
 */
NTSTATUS smb1_ea_set(struct smbd_open *op, const uint8_t *data, size_t n);

/*
 * SMB_INFO_QUERY_ALL_EAS (gea NULL) or SMB_INFO_QUERY_EAS_FROM_LIST
 * (the SMB_GEA_LIST in gea[0, ngea)): append to w the SMB_FEA_LIST of
 * op's EAs (names upper-cased), or of the names asked for in their
 * order, one the file lacks with an empty value. op must hold
 * FILE_READ_EA. Returns OK, ACCESS_DENIED, EA_LIST_INCONSISTENT (a bad
 * SMB_GEA_LIST), INVALID_EA_NAME, NO_MEMORY or a mapped errno.
 */
NTSTATUS smb1_ea_query(struct smbd_open *op, const uint8_t *gea,
		       size_t ngea, struct wire_wr *w);

/* The same of the file open as fd, with no access check: the caller
 * makes it (FIND_FIRST2 at SMB_INFO_QUERY_EAS_FROM_LIST asks the file's
 * descriptor for FILE_READ_EA, having no open of it). */
NTSTATUS smb1_ea_query_fd(int fd, const uint8_t *gea, size_t ngea,
			  struct wire_wr *w);

#endif
