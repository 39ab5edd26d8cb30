/*
 * smbd_harness.c - the shared part of the in-process dispatcher fuzzers
 * (smbd_harness.h).
 */
#include "fuzz/smbd_harness.h"
#include "smbd/smb2/session.h"
#include "smbd/daemon/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

void fz_make_dir(struct fz_server *fz, const char *name)
{
	snprintf(fz->dir, sizeof(fz->dir), "/tmp/%s.%d", name, getpid());
	if (mkdir(fz->dir, 0700) != 0) {
		abort();
	}
}

void fz_server_start(struct fz_server *fz, const char *log_name,
		     const char *global, const char *demo,
		     const char *extra)
{
	char conf[128];
	char *err = NULL;
	struct wg_config *cfg = NULL;
	FILE *f = NULL;

	snprintf(conf, sizeof(conf), "%s.conf", fz->dir);
	f = fopen(conf, "w");
	if (f == NULL) {
		abort();
	}
	fprintf(f, "[global]\nlog level = 0\nusers file = %s.users\n%s"
		"[demo]\npath = %s\nread only = no\n%s%s", fz->dir, global,
		fz->dir, demo, extra);
	fclose(f);
	fz->root = talloc_new(NULL);
	fz->ev = tevent_context_init(fz->root);
	cfg = wg_config_load(fz->root, conf, &err);
	if (cfg == NULL) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	unlink(conf);
	wg_log_init(log_name, true);
	wg_log_set_level(-1);
	fz->srv = smbd_server_new(fz->root, fz->ev, cfg);
	if (fz->srv == NULL) {
		abort();
	}
}

struct smbd_session *fz_session(struct smbd_conn *conn, uint64_t id)
{
	struct smbd_session *s = smbd_session_new(conn);

	if (s == NULL) {
		abort();
	}
	s->id = id;
	s->state = SMBD_SESS_VALID;
	s->user = talloc_strdup(s, "fuzz");
	s->domain = talloc_strdup(s, "");
	s->workstation = talloc_strdup(s, "");
	return s;
}

void fz_socketpair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv) != 0) {
		abort();
	}
}

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
