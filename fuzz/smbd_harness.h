/*
 * smbd_harness.h - what the in-process dispatcher fuzzers (fuzz_smbd.c,
 * fuzz_smbd1.c) share: one input's frames fed to a prepared connection
 * with the loop turned between them, and the scratch share kept small.
 *
 * An input is a sequence of [u16 length][byte flags][frame]; a length
 * past the end is cut to it, a zero one skipped.
 */
#ifndef WGSMB_FUZZ_SMBD_HARNESS_H
#define WGSMB_FUZZ_SMBD_HARNESS_H

#include "smbd/smbd.h"

#include <stddef.h>
#include <stdint.h>

/* The server a fuzzer runs, made once per process. */
struct fz_server {
	TALLOC_CTX *root;
	struct tevent_context *ev;
	struct smbd_server *srv;
	char dir[64];		/* the scratch share [demo]: /tmp/NAME.PID */
};

/* Make fz->dir, "/tmp/<name>.<pid>"; abort if it cannot be made. */
void fz_make_dir(struct fz_server *fz, const char *name);

/*
 * Start fz's server (abort on failure) on a config of a [global]
 * section (log level 0, a users file beside fz->dir, then global's
 * lines), a writable [demo] share on fz->dir (then demo's lines) and
 * extra (more shares); the config file is gone when it returns.
 * log_name names the log, which is silenced.
 */
void fz_server_start(struct fz_server *fz, const char *log_name,
		     const char *global, const char *demo,
		     const char *extra);

/* A new valid session on conn, id, of user "fuzz" (abort if none). */
struct smbd_session *fz_session(struct smbd_conn *conn, uint64_t id);

/* A nonblocking socketpair: sv[0] the server's end, sv[1] the client's. */
void fz_socketpair(int sv[2]);

/* Remove everything under dir (the fuzzer creates and renames files). */
void fz_rm_rf_children(const char *dir);

/* One turn of ev's loop that never blocks. */
void fz_turn(struct tevent_context *ev);

/*
 * Each frame of an input: buf is a talloc copy, a child of conn, that
 * feed owns (it hands it to the dispatcher or frees it).
 */
typedef void (*fz_feed_fn)(struct smbd_conn *conn, uint8_t *buf,
			   size_t len, uint8_t flags);

/*
 * Feed the frames of data to conn (served on ev; peer_fd is the client's
 * end of its socketpair, drained by drain after each frame's four turns
 * of the loop) until they run out or the server closes the connection;
 * then let its deferred frees run, free conn if the server has not, and
 * close peer_fd.
 */
void fz_run_input(struct smbd_server *srv, struct tevent_context *ev,
		  struct smbd_conn *conn, int peer_fd, const uint8_t *data,
		  size_t size, fz_feed_fn feed, void (*drain)(int fd));

#endif
