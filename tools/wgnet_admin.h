/*
 * wgnet_admin.h - the wgnet verbs answered by the running daemon over its
 * control socket (wgnet_admin.c). Each returns WGNET_OK, WGNET_ERR or
 * WGNET_USAGE and prints its own messages.
 */
#ifndef WG_TOOLS_WGNET_ADMIN_H
#define WG_TOOLS_WGNET_ADMIN_H

#include "tools/wgnet_common.h"

/* Verbs served by the daemon (wgnet_admin.c); argv[0] is the verb. */
int verb_session(struct wgnet *ctx, int argc, char **argv);
int verb_files(struct wgnet *ctx, int argc, char **argv);
int verb_acl(struct wgnet *ctx, int argc, char **argv);
int verb_share(struct wgnet *ctx, int argc, char **argv);
int verb_connections(struct wgnet *ctx, int argc, char **argv);
int verb_config(struct wgnet *ctx, int argc, char **argv);
int verb_statistics(struct wgnet *ctx, int argc, char **argv);

/*
 * After `user del NAME`: tell a running daemon to end NAME's sessions.
 * A daemon that is not running is not an error (nothing to end); other
 * failures print a warning. Never changes the exit status.
 */
void wgnet_user_deleted(struct wgnet *ctx, const char *name);

#endif
