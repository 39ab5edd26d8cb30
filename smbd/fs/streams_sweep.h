/*
 * streams_sweep.h - giving back the space of orphaned named streams.
 *
 * A file removed through the share takes its streams with it
 * (fs/streams.h), but one removed by a local program (rm) leaves its
 * per-file directory ".wgsmb:streams/<dev>-<ino>" behind: its streams
 * take space and nothing names them. Its generation marker keeps them
 * from showing up on a new file that reuses the inode (streams.h), and
 * this sweep reclaims them.
 *
 * How: every 'streams sweep interval' (default 1h; 0: never) and once
 * soon after start, a job on the low-priority sweep pool
 * (srv->sweep_workers) reads the store of each disk share; if it has
 * per-file directories, it walks the share once (no symlinks followed,
 * the stores skipped) looking for each one's file: the same device and
 * inode, and the same generation marker (birth time). A directory whose
 * file is not found is a suspect; a suspect found again by the next
 * sweep, its directory unchanged (same ctime) in between, is removed
 * with its streams. Two sweeps, because a file renamed by a local
 * program while the walk passes can escape one walk; a new stream in the
 * directory changes its ctime and clears the suspicion. After a sweep
 * that found suspects the next one comes within a minute, so a start-up
 * sweep confirms soon.
 *
 * Bounds: a walk visits at most SWEEP_MAX_ENTRIES entries and
 * SWEEP_MAX_DEPTH levels of a share; a walk cut short reclaims nothing
 * in that share (its suspects could be beyond). Memory: one small
 * record per per-file directory of the store.
 *
 * Counted: srv->stats.streams_reclaimed (streams removed; `wgnet
 * statistics`), and a rate-limited notice per sweep that reclaimed any.
 *
 * Ownership: the sweep's state is a talloc child of srv; its timer and
 * job go with it.
 */
#ifndef WG_SMBD_FS_STREAMS_SWEEP_H
#define WG_SMBD_FS_STREAMS_SWEEP_H

struct smbd_server;

/*
 * Arm the sweep (srv->sweep_workers must be started): the first one soon
 * after start, then every srv->cfg->streams_sweep_ms (read again at each
 * sweep, so a reload takes effect). 0, or -ENOMEM.
 */
int streams_sweep_start(struct smbd_server *srv);

#endif
