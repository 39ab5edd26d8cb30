/*
 * ea.c - extended attributes over SMB1 (see ea.h).
 */
#include "smbd/smb1/ea.h"

#include <string.h>

#include "proto/smb2.h"
#include "smbd/fs/open.h"
#include "smbd/fs/watch.h"

NTSTATUS smb1_ea_take(TALLOC_CTX *mem, const uint8_t *data, size_t n,
		      struct fscc_ea **eas, size_t *neas)
{
	uint8_t *copy = NULL;
	NTSTATUS status = NT_STATUS_OK;

	*eas = NULL;
	*neas = 0;
	if (n == 0) {
		return NT_STATUS_OK;	/* no list at all */
	}
	copy = talloc_memdup(mem, data, n);
	if (copy == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = smbd_ea_pull_status(smb1_ea_list_pull(copy, copy, n, true,
					       SMBD_EA_MAX_NAMES, eas, neas));
	if (status == NT_STATUS_OK) {
		status = smbd_ea_check(*eas, *neas);
	}
	if (status != NT_STATUS_OK || *neas == 0) {
		talloc_free(copy);
		*eas = NULL;
		*neas = 0;
	}
	return status;
}

NTSTATUS smb1_ea_set(struct smbd_open *op, const uint8_t *data, size_t n)
{
	TALLOC_CTX *tmp = NULL;
	struct fscc_ea *eas = NULL;
	size_t neas = 0;
	NTSTATUS status = NT_STATUS_OK;

	if ((op->access & FILE_WRITE_EA) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	if (n == 0) {
		return NT_STATUS_EA_LIST_INCONSISTENT;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = smb1_ea_take(tmp, data, n, &eas, &neas);
	if (status == NT_STATUS_OK && neas != 0) {
		status = smbd_ea_apply(op->fd, eas, neas);
		if (status == NT_STATUS_OK) {
			smbd_watch_modified(op, FILE_NOTIFY_CHANGE_EA);
		}
	}
	talloc_free(tmp);
	return status;
}

/* The EAs named by the SMB_GEA_LIST gea[0, ngea), from all[0, nall). */
static NTSTATUS pick(TALLOC_CTX *mem, const uint8_t *gea, size_t ngea,
		     const struct fscc_ea *all, size_t nall,
		     struct fscc_ea **out, size_t *nout)
{
	struct fscc_ea *want = NULL;
	size_t nwant = 0;
	NTSTATUS status = smbd_ea_pull_status(smb1_ea_list_pull(mem, gea, ngea,
							false,
							SMBD_EA_MAX_NAMES,
							&want, &nwant));

	if (status != NT_STATUS_OK) {
		return status;
	}
	status = smbd_ea_pick(mem, want, nwant, all, nall);
	if (status != NT_STATUS_OK) {
		return status;
	}
	*out = want;
	*nout = nwant;
	return NT_STATUS_OK;
}

NTSTATUS smb1_ea_query_fd(int fd, const uint8_t *gea, size_t ngea,
			  struct wire_wr *w)
{
	TALLOC_CTX *tmp = NULL;
	struct fscc_ea *all = NULL, *list = NULL;
	size_t nall = 0, nlist = 0;
	NTSTATUS status = NT_STATUS_OK;

	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = smbd_ea_read(tmp, fd, &all, &nall);
	if (status != NT_STATUS_OK) {
		goto out;
	}
	list = all;
	nlist = nall;
	if (gea != NULL) {
		status = pick(tmp, gea, ngea, all, nall, &list, &nlist);
		if (status != NT_STATUS_OK) {
			goto out;
		}
	}
	smb1_fea_list_push(w, list, nlist);
out:
	talloc_free(tmp);
	return status;
}

NTSTATUS smb1_ea_query(struct smbd_open *op, const uint8_t *gea,
		       size_t ngea, struct wire_wr *w)
{
	if ((op->access & FILE_READ_EA) == 0) {
		return NT_STATUS_ACCESS_DENIED;
	}
	return smb1_ea_query_fd(op->fd, gea, ngea, w);
}
