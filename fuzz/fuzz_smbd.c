/*
 * fuzz_smbd.c - SMB2 frames through the real dispatcher and every
 * command handler, in process.
 *
 * A connection on a socketpair is set up already negotiated, with one
 * valid (unsigned) session and one tree on a scratch share, so the
 * fuzzer spends its time in the handlers' parsers rather than in the
 * authentication it cannot get past. Input format: a sequence of
 * [u16 length][byte flags][frame]; flag bit 0 asks for SessionId and
 * TreeId of the frame's first header to be set to the prepared ones.
 * File I/O runs synchronously (no worker pool), so runs are repeatable.
 * The share grants durable handles: the opens an input leaves durable are
 * preserved when its connection ends and may be reattached by a later
 * input's DHnC/DH2C, until every 256th run closes them.
 */
#include "smbd/smbd.h"
#include "smbd/net/conn.h"
#include "smbd/smb2/dispatch.h"
#include "smbd/smb2/session.h"
#include "smbd/smb2/tree.h"
#include "smbd/daemon/server.h"
#include "smbd/fs/open.h"
#include "fuzz/smbd_harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

static struct fz_server fz;

static void setup(void)
{
	fz_make_dir(&fz, "wgfuzz");
	fz_server_start(&fz, "fuzz_smbd", "", "durable handles = yes\n", "");
}

static struct smbd_conn *prepared_conn(int fd)
{
	struct smbd_conn *conn = smbd_conn_new(fz.srv, fd, false);
	struct smbd_session *s = NULL;
	struct smbd_tree *t = NULL;

	if (conn == NULL) {
		abort();
	}
	conn->state = SMBD_CONN_ACTIVE;
	conn->dialect = SMB2_DIALECT_311;
	conn->max_trans = conn->max_read = conn->max_write = SMBD_MAX_TRANSACT;
	conn->sign_alg = SMB2_SIGN_AES_CMAC;
	conn->seq_low = 0;
	conn->seq_high = SMBD_MAX_CREDITS;
	s = fz_session(conn, 1);
	t = smbd_tree_new(s, wg_config_find_share(fz.srv->cfg, "demo"),
			  open(fz.dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
	if (t == NULL || t->id != 1) {
		abort();
	}
	return conn;
}

static void drain(int fd)
{
	char buf[65536];

	while (read(fd, buf, sizeof(buf)) > 0) {
	}
}

/* Flag bit 0: the frame's first header gets the prepared session and
 * tree. */
static void feed(struct smbd_conn *conn, uint8_t *buf, size_t len,
		 uint8_t flags)
{
	if ((flags & 1) && len >= SMB2_HDR_SIZE) {
		wire_setle32(buf + 36, 1);	/* TreeId */
		wire_setle64(buf + 40, 1);	/* SessionId */
	}
	if (len >= 4 && memcmp(buf, SMB2_MAGIC, 4) == 0) {
		smbd_smb2_process_frame(conn, buf, len);
	} else {
		talloc_free(buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned runs;
	struct smbd_conn *conn = NULL;
	int sv[2];

	if (fz.srv == NULL) {
		setup();
	}
	fz_socketpair(sv);
	conn = prepared_conn(sv[0]);
	fz_run_input(fz.srv, fz.ev, conn, sv[1], data, size, feed, drain);
	if (++runs % 256 == 0) {
		/* durable opens outlive their input (a later DHnC may
		 * reattach one) until the share is cleaned */
		smbd_opens_preserved_close_all(fz.srv);
		fz_rm_rf_children(fz.dir);
	}
	return 0;
}
