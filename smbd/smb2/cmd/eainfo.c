/*
 * eainfo.c - extended attributes for CREATE, QUERY_INFO and SET_INFO
 * (see eainfo.h).
 */
#include "smbd/smb2/cmd/eainfo.h"

#include <string.h>

#include "smbd/fs/open.h"
#include "smbd/fs/watch.h"

/* Open.NextEaEntry [MS-FSA §2.1.1.6]: where an unindexed scan goes on. */
struct ea_scan {
	size_t next;
};

static void ea_scan_close(struct smbd_open *op, void *priv)
{
	(void)op;
	(void)priv;	/* a child of the attachment: freed with it */
}

static const struct smbd_open_att_ops ea_scan_ops = {
	.close = ea_scan_close,
};

/* op's scan position, made at 0 on first use; NULL on no memory. */
static struct ea_scan *ea_scan_of(struct smbd_open *op)
{
	struct smbd_open_att *a = smbd_open_att_find(op, &ea_scan_ops);
	struct ea_scan *s = NULL;

	if (a != NULL) {
		return smbd_open_att_priv(a);
	}
	s = talloc_zero(op, struct ea_scan);
	if (s == NULL) {
		return NULL;
	}
	if (smbd_open_attach(s, op, SMBD_OPEN_STAGE_REQUESTS, &ea_scan_ops,
			     s) == NULL) {
		talloc_free(s);
		return NULL;
	}
	return s;
}

NTSTATUS smbd_ea_list_take(TALLOC_CTX *mem, const struct wire_rd *d,
			   struct fscc_ea **eas, size_t *n)
{
	size_t len = wire_left(d);
	uint8_t *copy = NULL;
	NTSTATUS status = NT_STATUS_OK;

	*eas = NULL;
	*n = 0;
	if (len == 0) {
		return NT_STATUS_EA_LIST_INCONSISTENT;
	}
	copy = talloc_memdup(mem, wire_cur(d), len);
	if (copy == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = smbd_ea_pull_status(fscc_ea_full_pull(copy, copy, len,
					       SMBD_EA_MAX_NAMES, eas, n));
	if (status == NT_STATUS_OK) {
		status = smbd_ea_check(*eas, *n);
	}
	if (status != NT_STATUS_OK) {
		talloc_free(copy);
		*eas = NULL;
		*n = 0;
	}
	return status;
}

/* The answer for a list of names: each EA, or the name without value. */
static NTSTATUS query_names(TALLOC_CTX *tmp, const struct wire_rd *in,
			    const struct fscc_ea *all, size_t nall,
			    struct fscc_ea **out, size_t *nout)
{
	struct fscc_ea *want = NULL;
	size_t nwant = 0;
	NTSTATUS status = NT_STATUS_OK;
	int ret = fscc_ea_get_pull(tmp, wire_cur(in), wire_left(in),
				   SMBD_EA_MAX_NAMES, &want, &nwant);

	if (ret == WIRE_E_TOOBIG) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (ret != 0) {
		return smbd_ea_pull_status(ret);
	}
	status = smbd_ea_pick(want, want, nwant, all, nall);
	if (status != NT_STATUS_OK) {
		return status;
	}
	*out = want;
	*nout = nwant;
	return NT_STATUS_OK;
}

NTSTATUS smbd_ea_query(struct smbd_open *op, const struct wire_rd *in,
		       uint32_t flags, uint32_t index, uint32_t out_len,
		       struct wire_wr *w)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct fscc_ea *all = NULL, *list = NULL;
	size_t nall = 0, nlist = 0, start = 0, fit = 0;
	struct ea_scan *scan = NULL;
	bool by_name = wire_left(in) != 0;
	NTSTATUS status = NT_STATUS_OK;

	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = smbd_ea_read(tmp, op->fd, &all, &nall);
	if (status != NT_STATUS_OK) {
		goto out;
	}
	if (nall == 0) {
		status = NT_STATUS_NO_EAS_ON_FILE;
		goto out;
	}
	if (by_name) {
		status = query_names(tmp, in, all, nall, &list, &nlist);
		if (status != NT_STATUS_OK) {
			goto out;
		}
	} else {
		scan = ea_scan_of(op);
		if (scan == NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto out;
		}
		if ((flags & SL_INDEX_SPECIFIED) != 0) {
			if (index > nall) {
				status = NT_STATUS_NONEXISTENT_EA_ENTRY;
				goto out;
			}
			start = index > 0 ? index - 1 : 0;
		} else if ((flags & SL_RESTART_SCAN) == 0) {
			start = scan->next;
		}
		if (start >= nall) {
			status = NT_STATUS_NO_MORE_EAS;
			goto out;
		}
		list = all + start;
		nlist = nall - start;
	}
	if ((flags & SL_RETURN_SINGLE_ENTRY) != 0 && nlist > 1) {
		nlist = 1;
	}
	fit = fscc_ea_full_push(w, list, nlist, out_len);
	if (fit == 0) {
		status = NT_STATUS_BUFFER_TOO_SMALL;
		goto out;
	}
	if (scan != NULL) {
		scan->next = start + fit;
	}
	if (fit < nlist) {
		status = NT_STATUS_BUFFER_OVERFLOW;
	}
out:
	talloc_free(tmp);
	return status;
}

NTSTATUS smbd_ea_set_info(struct smbd_open *op, const struct wire_rd *in)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct fscc_ea *eas = NULL;
	size_t n = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = smbd_ea_list_take(tmp, in, &eas, &n);
	if (status == NT_STATUS_OK) {
		status = smbd_ea_apply(op->fd, eas, n);
	}
	if (status == NT_STATUS_OK) {
		smbd_watch_modified(op, FILE_NOTIFY_CHANGE_EA);
	}
	talloc_free(tmp);
	return status;
}
