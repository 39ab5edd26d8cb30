/*
 * dirlease.c - directory leases (dirlease.h): which changes reach a
 * directory's listing, finding the directory a change happened in among
 * the open ones, and breaking its leases without waiting.
 *
 * The leases themselves, their breaks, acknowledgments and timeout are
 * fs/lease.c's: a directory lease is a lease on the directory's
 * smbd_file, broken here with smbd_lease_break_file() as a size change
 * (every state to none). The directory is found by name: an open of it
 * on a tree of the same share path whose path is the parent's (the
 * directory lease holder keeps one open), as smbd_opens_rename_subtree()
 * matches opens.
 */
#include "smbd/fs/dirlease.h"

#include <string.h>

#include "smbd/fs/lease.h"
#include "proto/fscc.h"

/* ================================================================== */
/* Decisions                                                           */
/* ================================================================== */

bool smbd_dirlease_parent_len(const char *path, size_t *len)
{
	const char *slash = NULL;

	if (path == NULL || path[0] == '\0') {
		return false;
	}
	slash = strrchr(path, '/');
	*len = slash != NULL ? (size_t)(slash - path) : 0;
	return true;
}

bool smbd_dirlease_setinfo_changes(uint8_t cls)
{
	switch (cls) {
	case FileBasicInformation:
	case FileEndOfFileInformation:
	case FileAllocationInformation:
		return true;
	default:
		return false;
	}
}

/* ================================================================== */
/* Breaks                                                              */
/* ================================================================== */

/* Is f the directory path[0..len) of the share at share_path? */
static bool dir_is(const struct smbd_file *f, const char *share_path,
		   const char *path, size_t len)
{
	size_t i = 0;

	for (i = 0; i < f->nopens; i++) {
		const struct smbd_open *o = f->opens[i];

		if (!o->is_dir || o->path == NULL || o->tree == NULL ||
		    o->tree->share == NULL || o->tree->share->path == NULL) {
			continue;
		}
		if (strlen(o->path) == len && memcmp(o->path, path, len) == 0 &&
		    strcmp(o->tree->share->path, share_path) == 0) {
			return true;
		}
	}
	return false;
}

void smbd_dirlease_break_parent(struct smbd_server *srv,
				const char *share_path, const char *path,
				const uint8_t *guid, const uint8_t *parent_key)
{
	struct smbd_file *f = NULL, *next = NULL;
	size_t len = 0;

	if (srv == NULL || srv->leases == NULL || share_path == NULL ||
	    !smbd_dirlease_parent_len(path, &len)) {
		return;		/* no lease anywhere: the common case */
	}
	if (parent_key == NULL) {
		guid = NULL;
	}
	for (f = srv->files; f != NULL; f = next) {
		next = f->next;
		if (f->leases == NULL || !dir_is(f, share_path, path, len)) {
			continue;
		}
		/* the change goes on whatever the holder answers; the
		 * break holds up no open of the directory either, but one
		 * the share modes refuse (its H) */
		(void)smbd_lease_break_file(f, guid, parent_key,
					    SMBD_OPLOCK_OP_SIZE, false);
	}
}

void smbd_dirlease_changed(struct smbd_open *op, const char *path,
			   const uint8_t *parent_key)
{
	const struct smbd_tree *t = op->tree;
	const struct smbd_conn *conn = NULL;

	if (op->file == NULL || t == NULL || t->share == NULL ||
	    t->sess == NULL) {
		return;
	}
	conn = t->sess->conn;
	smbd_dirlease_break_parent(op->file->srv, t->share->path,
				   path != NULL ? path : op->path,
				   conn != NULL ? conn->client_guid : NULL,
				   parent_key);
}

void smbd_dirlease_set_info(struct smbd_open *op, uint8_t cls,
			    const char *old_path)
{
	const uint8_t *pk = NULL;

	if (op->file == NULL || op->file->srv->leases == NULL) {
		return;
	}
	pk = smbd_lease_parent_key(op);
	if (cls == FileRenameInformation) {
		if (old_path == NULL || strcmp(old_path, op->path) == 0) {
			return;
		}
		smbd_dirlease_changed(op, old_path, pk);
		smbd_dirlease_changed(op, NULL, pk);
		return;
	}
	if (smbd_dirlease_setinfo_changes(cls)) {
		smbd_dirlease_changed(op, NULL, pk);
	}
}

void smbd_dirlease_closing(struct smbd_open *op)
{
	if (op->file == NULL || op->tree == NULL ||
	    op->file->srv->leases == NULL) {
		return;
	}
	if (!op->ever_written && !smbd_open_will_unlink(op)) {
		return;
	}
	smbd_dirlease_changed(op, NULL, smbd_lease_parent_key(op));
}
