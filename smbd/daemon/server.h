/*
 * server.h - the daemon's lifecycle: create, bind, run, shut down.
 */
#ifndef WG_SMBD_SERVER_H
#define WG_SMBD_SERVER_H

#include "smbd/smbd.h"

/* Create the server state (no sockets yet). NULL on no memory. */
struct smbd_server *smbd_server_new(TALLOC_CTX *mem_ctx,
				    struct tevent_context *ev,
				    struct wg_config *cfg);

/*
 * Bind and listen on every configured address and port (called as root,
 * before privileges are dropped). Returns 0, or -errno with a logged
 * message naming the address and port.
 */
int smbd_server_listen(struct smbd_server *srv);

/*
 * Start serving: accept connections, start workers and timers. Call
 * after privileges are dropped. Returns 0 or -errno.
 */
int smbd_server_start(struct smbd_server *srv);

/*
 * Begin a clean shutdown: stop accepting, flush and close every open
 * file, end every connection. *done becomes true when finished (the
 * caller keeps looping tevent until then).
 */
void smbd_server_shutdown(struct smbd_server *srv, bool *done);

/* SIGHUP: apply a freshly loaded config (shares, users file, timeouts). */
void smbd_server_reload(struct smbd_server *srv, struct wg_config *cfg);

#endif
