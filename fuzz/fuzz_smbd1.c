/*
 * fuzz_smbd1.c - SMB1 frames through the real SMB1 dispatcher (AndX
 * chains, TRANS/TRANS2/NT_TRANSACT reassembly) and every command
 * handler, in process.
 *
 * A connection on a socketpair is set up already past NEGOTIATE (a real
 * NT LM 0.12 NEGOTIATE through smbd_smb1_frame, server min protocol =
 * NT1), with one valid unsigned session (UID 100) and trees on a
 * scratch disk share (TID 1), on IPC$ (TID 2) and on a print share
 * (TID 3), so the fuzzer spends its time in the handlers rather than in
 * the authentication it cannot get past.
 *
 * Input format: a sequence of [u16 length][byte flags][frame]; frames
 * not starting "\xffSMB" are skipped. Flags of the frame's header:
 *   bit 0    UID := the prepared one (100)
 *   bits 1-2 TID := 1 disk, 2 IPC$, 3 print (0: as sent)
 *   bit 3    every 16-bit little-endian 0xF1D0 in the frame := the FID
 *            of the connection's newest open (the FID the previous
 *            frames made, wherever a command carries one)
 * File I/O runs synchronously (no worker pool), so runs are repeatable;
 * every 256th run empties the share and the spool directory.
 */
#include "smbd/smbd.h"
#include "smbd/net/conn.h"
#include "smbd/smb1/smb1.h"
#include "smbd/smb2/session.h"
#include "smbd/smb2/tree.h"
#include "smbd/daemon/server.h"
#include "smbd/fs/open.h"
#include "smbd/admin/admission.h"
#include "fuzz/smbd_harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define FUZZ_UID	100
#define FUZZ_FID_MAGIC	0xF1D0

static struct fz_server fz;
static char spool_dir[80];

static void setup(void)
{
	char lp[128];

	fz_make_dir(&fz, "wgfuzz1");
	snprintf(spool_dir, sizeof(spool_dir), "%s.spool", fz.dir);
	if (mkdir(spool_dir, 0700) != 0) {
		abort();
	}
	snprintf(lp, sizeof(lp), "[lp]\npath = %s\nprintable = yes\n",
		 spool_dir);
	fz_server_start(&fz, "fuzz_smbd1", "server min protocol = NT1\n", "",
			lp);
	/* the session manager, as the daemon starts it (RAP and srvsvc
	 * ask it for the session cap) */
	if (smbd_limits_start(fz.srv) != 0) {
		abort();
	}
}

/* A real NEGOTIATE offering NT LM 0.12 only, extended security. */
static void negotiate(struct smbd_conn *conn)
{
	static const uint8_t neg[] = {
		0xff, 'S', 'M', 'B', 0x72, 0, 0, 0, 0,
		0x18, 0x53, 0xc8,		/* flags, flags2 */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0,				/* TID */
		0xfe, 0xff,			/* PID */
		0, 0,				/* UID */
		1, 0,				/* MID */
		0,				/* WordCount */
		12, 0,				/* ByteCount */
		0x02, 'N', 'T', ' ', 'L', 'M', ' ', '0', '.', '1', '2', 0,
	};
	uint8_t *buf = talloc_memdup(conn, neg, sizeof(neg));

	if (buf == NULL || !smbd_smb1_frame(conn, buf, sizeof(neg)) ||
	    conn->smb1 == NULL) {
		abort();
	}
}

static void add_tree(struct smbd_session *s, const char *unc, uint16_t tid)
{
	struct smbd_tree *t = NULL;

	if (smbd_tree_connect(s, unc, &t) != NT_STATUS_OK) {
		abort();
	}
	t->id = tid;
}

static struct smbd_conn *prepared_conn(int fd)
{
	struct smbd_conn *conn = smbd_conn_new(fz.srv, fd, false);
	struct smbd_session *s = NULL;

	if (conn == NULL) {
		abort();
	}
	negotiate(conn);
	s = fz_session(conn, FUZZ_UID);
	(void)smbd_session_set_token(s);
	add_tree(s, "\\\\fuzz\\demo", 1);
	add_tree(s, "\\\\fuzz\\IPC$", 2);
	add_tree(s, "\\\\fuzz\\lp", 3);
	conn->smb1->next_tid = 4;
	return conn;
}

/* The FID of conn's newest open (0 if none). */
static uint16_t newest_fid(struct smbd_conn *conn)
{
	struct smbd_session *s = NULL;
	struct smbd_tree *t = NULL;
	struct smbd_open *op = NULL;
	uint64_t best = 0;

	for (s = conn->sessions; s != NULL; s = s->next) {
		for (t = s->trees; t != NULL; t = t->next) {
			for (op = t->opens; op != NULL; op = op->next) {
				if (op->fid_volatile > best) {
					best = op->fid_volatile;
				}
			}
		}
	}
	return (uint16_t)best;
}

static void patch(struct smbd_conn *conn, uint8_t *buf, size_t len,
		  uint8_t flags)
{
	size_t i = 0;
	uint16_t fid = 0;

	if (len < SMB1_HDR_SIZE) {
		return;
	}
	if (flags & 1) {
		wire_setle16(buf + 28, FUZZ_UID);
	}
	if (flags & 6) {
		wire_setle16(buf + 24, (flags >> 1) & 3);
	}
	if (flags & 8) {
		fid = newest_fid(conn);
		for (i = SMB1_HDR_SIZE; i + 2 <= len; i++) {
			if (wire_le16(buf + i) == FUZZ_FID_MAGIC) {
				wire_setle16(buf + i, fid);
				i++;
			}
		}
	}
}

/* The replies; FUZZ_SMBD1_TRACE=1 prints each one's command and status
 * (to see what a seed reaches). */
static void drain(int fd)
{
	static int trace = -1;
	uint8_t buf[65536];
	ssize_t n = 0;
	ssize_t i = 0;

	if (trace < 0) {
		trace = getenv("FUZZ_SMBD1_TRACE") != NULL;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; trace && i + 4 + SMB1_HDR_SIZE <= n;) {
			size_t l = ((size_t)buf[i + 1] << 16) |
				   ((size_t)buf[i + 2] << 8) | buf[i + 3];

			fprintf(stderr, "reply cmd 0x%02x status 0x%08x len "
				"%zu\n", buf[i + 8], wire_le32(buf + i + 9),
				l);
			i += 4 + (ssize_t)l;
		}
	}
}

/* The prepared UID, TID and newest FID patched in as flags ask (patch);
 * only SMB1 frames go to the dispatcher. */
static void feed(struct smbd_conn *conn, uint8_t *buf, size_t len,
		 uint8_t flags)
{
	patch(conn, buf, len, flags);
	if (len >= 4 && memcmp(buf, "\xffSMB", 4) == 0) {
		smbd_smb1_frame(conn, buf, len);
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
	drain(sv[1]);
	fz_run_input(fz.srv, fz.ev, conn, sv[1], data, size, feed, drain);
	if (++runs % 256 == 0) {
		fz_rm_rf_children(fz.dir);
		fz_rm_rf_children(spool_dir);
	}
	return 0;
}
