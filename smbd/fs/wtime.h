/*
 * wtime.h - Windows' delayed LastWriteTime update (Windows Server up to
 * 2016, which smbtorture smb2.timestamps checks; MS-FSA §2.1.5.3 leaves
 * the timing to the object store):
 *
 *   - A WRITE does not move LastWriteTime at once. The first write to a
 *     file while it is open arms one timer for the file; when it fires
 *     (SMBD_WTIME_DELAY_MS later) LastWriteTime becomes the time then.
 *     Writes after that leave it where it is until the open that wrote
 *     closes (it becomes the close time) or SMBD_WTIME_HOLD_MAX_MS pass.
 *   - FLUSH, and SET_INFO of basic information, end of file or
 *     allocation, make a held update happen now (smbd_wtime_flush).
 *   - SET_INFO that sets LastWriteTime through an open makes the time
 *     sticky for that open: its later writes do not move it, and an
 *     update held for other opens is dropped: the time set stands.
 *
 * How: Linux moves mtime on every write, so while an update is held the
 * completion of the hold's last write in flight puts mtime back
 * (futimens) to the held value (one per write contended for the inode
 * lock with the writes in flight); when the hold ends mtime becomes
 * "now" on disk. Once no write of the hold is in flight, every reader
 * (GETINFO, QUERY_DIRECTORY, CLOSE, local programs) sees the same time;
 * while some are, the time may read as moved. A crash
 * while holding leaves the older mtime on the file: the hold is bounded
 * (SMBD_WTIME_HOLD_MAX_MS) for that reason.
 *
 * State: per file (struct smbd_file.wtime, its child, freed with it) the
 * held time and one timer; per open that wrote or set the time, a small
 * attachment (open.h) whose close releases the open's hold. Nothing
 * grows with the number of writes.
 */
#ifndef WG_SMBD_WTIME_H
#define WG_SMBD_WTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct smbd_open;

/* The delayed update after a first write, as Windows (about 2 s). */
#define SMBD_WTIME_DELAY_MS	2000
/* Later writes are held at most this long (Windows: until close). */
#define SMBD_WTIME_HOLD_MAX_MS	60000

/* What a WRITE in flight must put back when it completes. */
struct smbd_wtime_io {
	bool restore;		/* put mtime back after the write */
	bool sticky;		/* to the open's own set time */
	uint64_t gen;		/* the file's hold this write is in */
	struct timespec mtime;	/* the value to put back */
};

/*
 * Before a WRITE through op (a file open with an fd) goes to disk:
 * starts the file's hold if none (arming its timer) and fills io. On no
 * memory or a failed fstat io->restore is false: the write moves the
 * time at once, as before.
 */
void smbd_wtime_write_begin(struct smbd_open *op, struct smbd_wtime_io *io);

/*
 * After that WRITE completed (or failed: it may have written part):
 * puts mtime back if the hold it was in still holds, or to the open's
 * sticky time. op is the open looked up again; NULL if it went.
 */
void smbd_wtime_write_end(struct smbd_open *op,
			  const struct smbd_wtime_io *io);

/*
 * Before a change of size through op (SET_INFO of end of file or
 * allocation): if LastWriteTime was set through op, io says to put it
 * back after (smbd_wtime_write_end), as MS-FSA §2.1.4.17 updates it only
 * for an open whose UserSetModificationTime is FALSE. Else io->restore
 * is false and the change moves the time as it does.
 */
void smbd_wtime_size_begin(struct smbd_open *op, struct smbd_wtime_io *io);

/* FLUSH or SET_INFO through op: a held update of its file happens now. */
void smbd_wtime_flush(struct smbd_open *op);

/*
 * SET_INFO set LastWriteTime through op (after the time was written):
 * sticky for op from now on; a held update of the file is dropped.
 */
void smbd_wtime_set_explicit(struct smbd_open *op);

/*
 * op is closing (before its fd goes; CLOSE calls it before it reads the
 * times it answers with, the open's destructor calls it too): if op
 * wrote during the file's current hold, the update happens now.
 */
void smbd_wtime_close(struct smbd_open *op);

/* Is an update of op's file held (tests)? */
bool smbd_wtime_holding(const struct smbd_open *op);

#endif
