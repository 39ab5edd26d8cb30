/*
 * wtime.c - Windows' delayed LastWriteTime update (see wtime.h).
 */
#include "smbd/fs/wtime.h"
#include "smbd/loop.h"
#include "smbd/fs/open.h"
#include "smbd/base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Per file: the held update. A child of its smbd_file. */
struct smbd_wtime {
	struct smbd_file *file;
	bool holding;		/* mtime is kept at held */
	bool delayed_done;	/* the first write's delayed update ran */
	uint64_t gen;		/* counts holds, so a late write sees its
				 * hold ended */
	unsigned inflight;	/* writes of this hold not completed */
	struct timespec held;
	struct tevent_timer *te;	/* ends the hold; child */
};

/* Per open that wrote or set the time: an attachment (open.h). */
struct wtime_open {
	bool sticky;		/* LastWriteTime set through this open */
	uint64_t held_gen;	/* the hold it last wrote in; 0: none */
};

static void wtime_att_close(struct smbd_open *op, void *priv);

static const struct smbd_open_att_ops wtime_att_ops = {
	.close = wtime_att_close,
};

static struct wtime_open *wo_find(const struct smbd_open *op)
{
	struct smbd_open_att *a = smbd_open_att_find(op, &wtime_att_ops);

	return a != NULL ? smbd_open_att_priv(a) : NULL;
}

static struct wtime_open *wo_get(struct smbd_open *op)
{
	struct wtime_open *wo = wo_find(op);

	if (wo != NULL) {
		return wo;
	}
	wo = talloc_zero(op, struct wtime_open);
	if (wo == NULL) {
		return NULL;
	}
	if (smbd_open_attach(wo, op, SMBD_OPEN_STAGE_LOCKS, &wtime_att_ops,
			     wo) == NULL) {
		talloc_free(wo);
		return NULL;
	}
	return wo;
}

/* Set mtime (atime untouched); an O_PATH fd goes through /proc. */
static void set_mtime(int fd, const struct timespec *mtime)
{
	struct timespec ts[2] = {
		{ .tv_nsec = UTIME_OMIT },
		*mtime,
	};
	char path[64];

	if (futimens(fd, ts) == 0) {
		return;
	}
	if (errno == EBADF) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (utimensat(AT_FDCWD, path, ts, 0) == 0) {
			return;
		}
	}
	DBG_DEBUG(VFS, "write time not set on fd %d: %s", fd,
		  strerror(errno));
}

/* An fd of the file to set its time through: op's, else any open's. */
static int file_fd(const struct smbd_file *f, const struct smbd_open *op)
{
	size_t i = 0;

	if (op != NULL && op->fd >= 0) {
		return op->fd;
	}
	for (i = 0; i < f->nopens; i++) {
		if (f->opens[i]->fd >= 0) {
			return f->opens[i]->fd;
		}
	}
	return -1;
}

/* End the hold; now: LastWriteTime becomes the time now (else it stays). */
static void hold_end(struct smbd_wtime *w, const struct smbd_open *op,
		     bool now)
{
	int fd = -1;

	if (!w->holding) {
		return;
	}
	w->holding = false;
	TALLOC_FREE(w->te);
	fd = file_fd(w->file, op);
	if (now && fd >= 0) {
		struct timespec t = {};

		/* the clock, not UTIME_NOW: the kernel stamps files with
		 * a coarse clock, up to a tick behind the time a client
		 * on this machine reads just before it closes */
		clock_gettime(CLOCK_REALTIME, &t);
		set_mtime(fd, &t);
	}
}

static void hold_timer(struct tevent_context *ev, struct tevent_timer *te,
		       struct timeval tv, void *priv)
{
	struct smbd_wtime *w = talloc_get_type_abort(priv, struct smbd_wtime);

	w->te = NULL;	/* freed by tevent after this */
	w->delayed_done = true;
	hold_end(w, NULL, true);
}

static struct smbd_wtime *w_get(struct smbd_file *f)
{
	if (f->wtime == NULL) {
		f->wtime = talloc_zero(f, struct smbd_wtime);
		if (f->wtime != NULL) {
			f->wtime->file = f;
		}
	}
	return f->wtime;
}

void smbd_wtime_write_begin(struct smbd_open *op, struct smbd_wtime_io *io)
{
	struct wtime_open *wo = NULL;
	struct smbd_wtime *w = NULL;
	struct stat st = {};

	*io = (struct smbd_wtime_io) {};
	if (op->file == NULL || op->fd < 0) {
		return;
	}
	wo = wo_get(op);
	if (wo == NULL) {
		return;
	}
	if (wo->sticky) {
		if (fstat(op->fd, &st) != 0) {
			return;
		}
		io->restore = true;
		io->sticky = true;
		io->mtime = st.st_mtim;
		return;
	}
	w = w_get(op->file);
	if (w == NULL) {
		return;
	}
	if (!w->holding) {
		struct smbd_server *srv = op->file->srv;
		uint32_t ms = w->delayed_done ? SMBD_WTIME_HOLD_MAX_MS :
						SMBD_WTIME_DELAY_MS;

		if (fstat(op->fd, &st) != 0) {
			return;
		}
		/* no timer, no hold: it would have no bound */
		w->te = tevent_add_timer(smbd_loop_ev(srv), w,
					 tevent_timeval_current_ofs(
						 ms / 1000, (ms % 1000) * 1000),
					 hold_timer, w);
		if (w->te == NULL) {
			return;
		}
		w->holding = true;
		w->held = st.st_mtim;
		w->gen++;
		w->inflight = 0;
	}
	w->inflight++;
	wo->held_gen = w->gen;
	io->restore = true;
	io->gen = w->gen;
	io->mtime = w->held;
}

void smbd_wtime_size_begin(struct smbd_open *op, struct smbd_wtime_io *io)
{
	const struct wtime_open *wo = wo_find(op);
	struct stat st = {};

	*io = (struct smbd_wtime_io) {};
	if (wo == NULL || !wo->sticky || op->fd < 0 ||
	    fstat(op->fd, &st) != 0) {
		return;
	}
	io->restore = true;
	io->sticky = true;
	io->mtime = st.st_mtim;
}

void smbd_wtime_write_end(struct smbd_open *op,
			  const struct smbd_wtime_io *io)
{
	struct smbd_wtime *w = NULL;

	if (!io->restore || op == NULL || op->file == NULL || op->fd < 0) {
		return;
	}
	if (io->sticky) {
		set_mtime(op->fd, &io->mtime);
		return;
	}
	w = op->file->wtime;
	if (w == NULL || !w->holding || w->gen != io->gen) {
		return;
	}
	/*
	 * Only the last write of the hold in flight puts the time back:
	 * one futimens per write took the inode lock that the writes in
	 * flight hold while they copy, and the loop spun on it with the
	 * state lock held. Until the last completes the time may read as
	 * moved, as it may while any write is in flight.
	 */
	if (w->inflight > 0) {
		w->inflight--;
	}
	if (w->inflight == 0) {
		set_mtime(op->fd, &w->held);
	}
}

void smbd_wtime_flush(struct smbd_open *op)
{
	if (op->file != NULL && op->file->wtime != NULL) {
		hold_end(op->file->wtime, op, true);
	}
}

void smbd_wtime_set_explicit(struct smbd_open *op)
{
	struct wtime_open *wo = NULL;

	if (op->file == NULL) {
		return;
	}
	wo = wo_get(op);
	if (wo != NULL) {
		wo->sticky = true;
	}
	if (op->file->wtime != NULL) {
		hold_end(op->file->wtime, op, false);
	}
}

static void close_wo(struct smbd_open *op, struct wtime_open *wo)
{
	struct smbd_wtime *w = op->file != NULL ? op->file->wtime : NULL;

	if (wo == NULL || w == NULL || wo->sticky) {
		return;
	}
	if (w->holding && wo->held_gen == w->gen) {
		hold_end(w, op, true);
	}
	wo->held_gen = 0;
}

void smbd_wtime_close(struct smbd_open *op)
{
	close_wo(op, wo_find(op));
}

/* (the open's destructor has taken the attachment off op->atts) */
static void wtime_att_close(struct smbd_open *op, void *priv)
{
	close_wo(op, priv);
}

bool smbd_wtime_holding(const struct smbd_open *op)
{
	return op->file != NULL && op->file->wtime != NULL &&
	       op->file->wtime->holding;
}
