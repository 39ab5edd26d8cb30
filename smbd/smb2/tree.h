/*
 * tree.h - the tree connect object (struct smbd_tree, smbd.h).
 */
#ifndef WG_SMBD_SMB2_TREE_H
#define WG_SMBD_SMB2_TREE_H

#include "smbd/smbd.h"

/*
 * A tree connect of s to share sh over root_fd (O_PATH directory of the
 * share root, -1 for IPC$). The tree owns its reference: a shared root
 * fd of the server's is released, any other fd closed, with the tree.
 * NULL on no memory (fd released).
 */
struct smbd_tree *smbd_tree_new(struct smbd_session *s,
				const struct wg_share_cfg *sh, int root_fd);

/*
 * The O_PATH directory fd of the share root at path, shared by every
 * tree connect to it (one fd per share, not per connect); -errno if it
 * cannot be opened. Hand it to smbd_tree_new, which releases it.
 */
int share_root_get(struct smbd_server *srv, const char *path);

/*
 * Close the share root fds no tree uses any more (kept open between
 * tree connects; see tree.c): at a configuration reload.
 */
void smbd_share_roots_trim(struct smbd_server *srv);

/*
 * Whether a session of user (guest / anonymous as flagged) passes the
 * share's own rules: null and guest sessions only IPC$ and guest ok
 * shares, others only if in valid users. What smbd_tree_connect checks
 * before the tree budget; NetShareEnum hides shares with access based
 * share enum from those it refuses.
 */
bool smbd_share_may_connect(const struct wg_share_cfg *sh, const char *user,
			    bool guest, bool anonymous);

/*
 * Connect s to the share the UNC path "\\server\share" names, after
 * the checks both front ends share (share exists, null/guest and valid
 * users rules, the tree budget, the share root opens). 0 with *out set,
 * or BAD_NETWORK_NAME, ACCESS_DENIED, INSUFFICIENT_RESOURCES, NO_MEMORY.
 */
NTSTATUS smbd_tree_connect(struct smbd_session *s, const char *path,
			   struct smbd_tree **out);

#endif
