/*
 * acladmin.h - the administrator's view of a share's security
 * descriptors (wgnet acl, through the control socket): what an object's
 * descriptor is and where it comes from, and the way back for an
 * administrator locked out of a folder: drop every stored descriptor of
 * a tree, so it shows the one its parent passes down again.
 *
 * These run in the daemon (it is the share's owner and may read and
 * remove user.wgsmb.sd whatever the descriptors say), on the event loop:
 * a reset of a large tree blocks it for as long as the walk takes.
 */
#ifndef WG_SMBD_FS_ACLADMIN_H
#define WG_SMBD_FS_ACLADMIN_H

#include <stdbool.h>
#include <talloc.h>

#include "proto/secdesc.h"

struct smbd_acl_cache;	/* acl.h */

struct smbd_acl_view {
	char *ondisk;		/* share-relative, on-disk case; "" the root */
	bool is_dir;
	bool stored;		/* false: inherited (or the root default) */
	struct sec_desc *sd;	/* the effective descriptor */
};

/*
 * The descriptor of client_path ('\' or '/' separated, "" or "\" the
 * root, matched case-insensitively as CREATE does) in the share rooted
 * at share_path, read through cache (acl.h; NULL: without one). Returns
 * 0 with *v's members talloc children of mem,
 * -ENOENT, -EINVAL (a path clients could not name) or -errno; *why
 * (static) says which part failed.
 */
int smbd_acl_view(TALLOC_CTX *mem, struct smbd_acl_cache *cache,
		  const char *share_path, const char *client_path,
		  struct smbd_acl_view *v, const char **why);

/*
 * Remove the stored descriptor of every object below client_path and
 * of client_path itself: it and its tree show the descriptor inherited
 * from its parent again (the share root: the root default, acl.h).
 * Symbolic links are not followed; other mounts are not entered.
 * Returns 0 with *removed the descriptors removed and *failed the
 * objects that could not be read or changed (logged), or -errno if the
 * path itself cannot be found. cache (acl.h) is flushed.
 */
int smbd_acl_reset(struct smbd_acl_cache *cache, const char *share_path,
		   const char *client_path, unsigned *removed, unsigned *failed,
		   const char **why);

#endif
