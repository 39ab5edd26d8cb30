/*
 * smbd_harness.c - the shared part of the in-process dispatcher fuzzers
 * (smbd_harness.h).
 */
#include "fuzz/smbd_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void fz_rm_rf_children(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "find '%s' -mindepth 1 -delete", dir);
	if (system(cmd) != 0) {
		abort();
	}
}

static void tick(struct tevent_context *e, struct tevent_timer *te,
		 struct timeval now, void *priv)
{
}

void fz_turn(struct tevent_context *ev)
{
	TALLOC_CTX *tmp = talloc_new(NULL);

	tevent_add_timer(ev, tmp, tevent_timeval_zero(), tick, NULL);
	tevent_loop_once(ev);
	talloc_free(tmp);
}

void fz_run_input(struct smbd_server *srv, struct tevent_context *ev,
		  struct smbd_conn *conn, int peer_fd, const uint8_t *data,
		  size_t size, fz_feed_fn feed, void (*drain)(int fd))
{
	size_t off = 0;
	int i = 0;

	/* a connection the server closed is freed at the next turn */
	while (off + 3 <= size && srv->nconns > 0 &&
	       conn->state != SMBD_CONN_CLOSING) {
		size_t len = (size_t)data[off] | ((size_t)data[off + 1] << 8);
		uint8_t flags = data[off + 2];
		uint8_t *buf = NULL;

		off += 3;
		if (len > size - off) {
			len = size - off;
		}
		if (len == 0) {
			continue;
		}
		buf = talloc_memdup(conn, data + off, len);
		off += len;
		if (buf == NULL) {
			abort();
		}
		feed(conn, buf, len, flags);
		for (i = 0; i < 4; i++) {
			fz_turn(ev);
			drain(peer_fd);
		}
	}
	/* immediates (deferred frees) then the connection itself */
	for (i = 0; i < 2; i++) {
		fz_turn(ev);
	}
	if (srv->nconns > 0) {
		talloc_free(conn);
	}
	close(peer_fd);
}
