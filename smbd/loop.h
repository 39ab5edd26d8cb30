/*
 * loop.h - several event loops in one server (docs/threads.md, stage 2):
 * which loop the calling thread runs, waking a loop from another thread,
 * the loop threads and the state lock.
 *
 * With one loop (`server threads = 1`) nothing here starts a thread or
 * takes a lock, and the server runs as it always did. With N > 1, loop 0
 * is the main thread's (srv->ev) and loops 1..N-1 run on threads of
 * their own. One server-wide lock, the state lock, protects every smbd
 * object (the talloc tree under the server, the session manager, the
 * open and file registry, share modes, locks, oplocks and leases,
 * notify, print, admin, statistics): a loop holds it whenever it runs
 * anything, and lets go of it only while it waits in epoll, while it
 * reads a socket and while it writes queued replies (net/conn.c). Worker
 * threads (fs/workers.c) never take it: they touch no smbd object.
 *
 * Rules for code that runs under the lock on some loop:
 *  - Timers, immediates and worker jobs are put on the calling thread's
 *    loop (smbd_loop_ev()), never on another loop's tevent_context: a
 *    loop asleep in epoll would not see them.
 *  - An immediate for another loop goes through smbd_loop_schedule(),
 *    which wakes that loop.
 *  - A connection's tevent_fd is freed by its own loop only (a loop may
 *    hold it in the events epoll_wait returned before it takes the lock).
 * The lock is a plain (adaptive) mutex, not a fair one: a loop that
 * lets go for one syscall may take it straight back, which keeps lock
 * convoys away; a fair ticket lock measured slower (docs/threads.md).
 */
#ifndef WG_SMBD_LOOP_H
#define WG_SMBD_LOOP_H

#include <stdbool.h>
#include <tevent.h>

#include "smbd/smbd.h"

/* The loop the calling thread runs; NULL with one loop (and on workers). */
struct smbd_loop *smbd_loop_self(void);

/* True if the calling thread runs lp (or the server has one loop). */
bool smbd_loop_is_self(const struct smbd_loop *lp);

/* The tevent_context of the calling thread's loop, else srv->ev. */
struct tevent_context *smbd_loop_ev(const struct smbd_server *srv);

/* Wake lp if it is another thread's (its epoll_wait returns). */
void smbd_loop_wake(struct smbd_loop *lp);

/* Schedule im on lp's context, waking lp if it is another thread's. */
void smbd_loop_schedule(struct smbd_loop *lp, struct tevent_immediate *im,
			tevent_immediate_handler_t fn, void *priv);

/* The same on conn's loop (srv->ev for a connection without one). */
void smbd_loop_schedule_conn(struct smbd_conn *conn,
			     struct tevent_immediate *im,
			     tevent_immediate_handler_t fn, void *priv);

/* The state lock; both no-ops with one loop. Not recursive. */
void smbd_state_lock(struct smbd_server *srv);
void smbd_state_unlock(struct smbd_server *srv);

/*
 * Run srv->loops[1..nloops-1] (made by the caller, each with its own
 * tevent_context) on threads of their own, and make the calling thread
 * loop 0's: it takes the state lock and keeps it except while srv->ev
 * waits. Returns 0 (also with one loop, when it does nothing) or -errno.
 */
int smbd_loops_start(struct smbd_server *srv);

/*
 * Stop and join the loop threads; called by loop 0 with the state lock
 * held. From then on the lock is not used (one thread is left).
 * Idempotent.
 */
void smbd_loops_stop(struct smbd_server *srv);

#endif
