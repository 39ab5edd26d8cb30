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
