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
#include <time.h>

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
 * Who holds the state lock, and how long (docs/threads.md). Each hold of
 * a loop (from taking the lock to letting it go) is timed with the
 * processor's time-stamp counter (clock_gettime elsewhere) and put down
 * to one "site": what ran while it was held. Each hold starts as
 * SMBD_SITE_LOOP (waking, writing replies, nothing tagged); tevent's
 * trace points tag fd handlers, timers and immediates, the socket read
 * and worker completion handlers tag themselves, and the SMB2 and SMB1
 * dispatchers tag the command they run. A later handler kind replaces an
 * earlier one; the first command of a hold stays (a compound or an AndX
 * chain is put down to its first command).
 */
enum smbd_site {
	SMBD_SITE_LOOP = 0,	/* nothing tagged: waking, flushing */
	SMBD_SITE_FD,		/* an fd handler not named below */
	SMBD_SITE_READ,		/* a socket read, before any command */
	SMBD_SITE_TIMER,
	SMBD_SITE_IMMEDIATE,
	SMBD_SITE_WORKER,	/* a worker job's completion (fs/workers.c) */
	SMBD_SITE_CONTROL,	/* the wgnet control socket (admin/control.c) */
	SMBD_SITE_SMB2,		/* + the SMB2 command code */
	SMBD_SITE_SMB1 = SMBD_SITE_SMB2 + SMB2_NUM_CMDS, /* + SMB1 code */
	SMBD_SITE_NUM = SMBD_SITE_SMB1 + 256,
};

/* Hold-time buckets: < 10 us, < 100 us, < 1 ms, < 10 ms, >= 10 ms. */
#define SMBD_HOLD_BUCKETS 5

struct smbd_hold_site {
	uint64_t count;
	uint64_t ticks;
	uint64_t max_ticks;
};

/*
 * One loop's holds (lp->holds, a talloc child of lp, only with several
 * loops), written by the loop's thread as it lets go of the lock and
 * read by others under the lock. count holds have ended: a loop that
 * holds the lock now has taken it count + 1 times (lock_acquired).
 */
struct smbd_holds {
	uint64_t count;
	uint64_t ticks;
	uint64_t max_ticks;
	unsigned max_site;
	uint64_t hist[SMBD_HOLD_BUCKETS];
	struct smbd_hold_site site[SMBD_SITE_NUM];
};

/*
 * Call fn(arg, n) right after the calling loop next lets go of the state
 * lock, n being how many times fn/arg was asked for since (at most
 * SMBD_LOOP_AFTER distinct pairs). For wakes of other threads: a thread
 * woken from under the lock may preempt the loop on its CPU while it
 * still holds it, and every other loop then waits (docs/threads.md). fn
 * runs without the lock: it may touch no smbd object. Returns false,
 * having done nothing, when it cannot defer (one loop, a thread that is
 * no loop, the list full): the caller then does it now.
 */
#define SMBD_LOOP_AFTER 4
typedef void (*smbd_after_fn)(void *arg, unsigned n);
bool smbd_loop_after_unlock(smbd_after_fn fn, void *arg);

/* Tag the calling loop's current hold with site (rules above). */
void smbd_loop_site(unsigned site);

/* ticks of struct smbd_holds in microseconds. */
uint64_t smbd_hold_us(const struct smbd_server *srv, uint64_t ticks);

/* A site's name ("smb2_create", "smb1_0x2e", "timer") into buf. */
const char *smbd_site_name(unsigned site, char *buf, size_t len);

/* The name of hold-time bucket b ("lt_10us" ... "ge_10ms"). */
const char *smbd_hold_bucket_name(unsigned b);

/*
 * Request latency (issue 16): where a small request's time goes on the
 * server, per SMB2 command, per loop. Each request is stamped with the
 * time-stamp counter (smbd_lat_now, ~10 ns) as it passes:
 *   rd   the read() that completed its frame returned   (net/conn.c)
 *   lk   the state lock taken again after that read     (net/conn.c)
 *   h0   its handler starts, h1 it returns               (smb2/dispatch.c)
 *   d    it is done: at once, or when its async work ends
 *   q    its reply is queued; w0 writev starts, w1 the reply is written
 * and, for one request in SMBD_LAT_SAMPLE of each loop (every request
 * is counted; chosen at random), the phases between them are put down to
 * its loop:
 *   lock = lk - rd, pre = h0 - lk (parked frames, decryption, signature
 *   checks, earlier requests of its compound), handler = d - h0 (h1 - h0
 *   if it went async), async = d - h1 (async ones only), reply = q - d
 *   (later requests of its compound, signing), flush = w0 - q (other
 *   connections' work in the same loop turn), write = w1 - w0, and
 *   total = w1 - rd, which the seven add up to. Of async: its worker jobs'
 *   queue wait (queued -> started), run, and back (finished -> completion
 *   handler on the loop: the loop's own queue and the lock), summed over
 *   the jobs of a chain (each job's completion queues the next).
 * A request whose reply is never written (a dropped connection, a fifth
 * request of one compound) has its first phases put down but no total.
 * Requests that end in a job's completion get that job's chain, which is
 * another request's if one request's completion finishes another.
 * The time a frame waited in the socket before the loop read it, and the
 * time the loop's thread waited for a CPU (see smbd_loop_schedstat), are
 * outside these.
 */
enum smbd_lat_phase {
	SMBD_LAT_TOTAL = 0,
	SMBD_LAT_LOCK,
	SMBD_LAT_PRE,
	SMBD_LAT_HANDLER,
	SMBD_LAT_ASYNC,
	SMBD_LAT_WQUEUE,
	SMBD_LAT_WRUN,
	SMBD_LAT_WBACK,
	SMBD_LAT_REPLY,
	SMBD_LAT_FLUSH,
	SMBD_LAT_WRITE,
	SMBD_LAT_PHASES,
};

/*
 * Quarter-octave buckets of ticks: 0 is < 256, then four per power of
 * two up to 2^33 (~3 s at 3 GHz); the last holds the rest.
 */
#define SMBD_LAT_BUCKETS 102

struct smbd_lat_hist {
	uint64_t count;
	uint64_t ticks;
	uint32_t hist[SMBD_LAT_BUCKETS];
};

/*
 * One loop's (lp->lat, made with the loop; 90 KB): per command, the
 * requests it was sent, and the phases of the sampled ones. One request
 * in SMBD_LAT_SAMPLE is timed: timing every one costs ~300 instructions
 * (rdtsc, ten phases' buckets), 5% of an ECHO; the sample costs ~1%.
 */
#define SMBD_LAT_SAMPLE 8

struct smbd_lat {
	struct smbd_lat_hist h[SMB2_NUM_CMDS][SMBD_LAT_PHASES];
	uint64_t requests[SMB2_NUM_CMDS];
	uint32_t seq;			/* the sample's random state */
};

/* The latency clock: the time-stamp counter on x86, else ns. */
static inline uint64_t smbd_lat_now(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	struct timespec ts = {};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

/*
 * The histograms of cmd's phases on lp (row[phase]), or NULL when lp
 * keeps none (NULL: a connection made by a unit test) or cmd is unknown.
 */
static inline struct smbd_lat_hist *smbd_lat_row(const struct smbd_loop *lp,
						 unsigned cmd)
{
	if (lp == NULL || lp->lat == NULL || cmd >= SMB2_NUM_CMDS) {
		return NULL;
	}
	return lp->lat->h[cmd];
}

/*
 * Count a cmd request on lp; true if it is the one in SMBD_LAT_SAMPLE to
 * time (never without lp->lat: a unit test's connection).
 */
static inline bool smbd_lat_take(const struct smbd_loop *lp, unsigned cmd)
{
	if (lp == NULL || lp->lat == NULL || cmd >= SMB2_NUM_CMDS) {
		return false;
	}
	lp->lat->requests[cmd]++;
	/* at random (an LCG's top bits): a client's fixed cycle of
	 * commands must not fall in step with the sample */
	lp->lat->seq = lp->lat->seq * 1103515245u + 12345u;
	return (lp->lat->seq >> 24) % SMBD_LAT_SAMPLE == 0;
}

/* Put down a phase from..to in h (a row's entry). */
static inline void smbd_lat_put(struct smbd_lat_hist *h, uint64_t from,
				uint64_t to)
{
	uint64_t d = to > from ? to - from : 0;
	unsigned b = 0;

	if (d >= 256) {
		unsigned e = 63 - (unsigned)__builtin_clzll(d);

		b = 1 + (e - 8) * 4 + (unsigned)((d >> (e - 2)) & 3);
		if (b >= SMBD_LAT_BUCKETS) {
			b = SMBD_LAT_BUCKETS - 1;
		}
	}
	h->count++;
	h->ticks += d;
	h->hist[b]++;
}

/* A phase's name ("total", "lock", ... "write"). */
const char *smbd_lat_phase_name(unsigned phase);

/* Ticks in ns (the clock is calibrated once, on first use: ~5 ms). */
uint64_t smbd_lat_ns(uint64_t ticks);

/* The q-quantile (0 < q < 1) of h's buckets in ns (0 if empty). */
uint64_t smbd_lat_quantile_ns(const struct smbd_lat_hist *h, double q);

/* The ns bucket b of a histogram starts at (lo) and ends before (hi). */
void smbd_lat_bucket_ns(unsigned b, uint64_t *lo, uint64_t *hi);

/* Add every histogram of src into dst. */
void smbd_lat_merge(struct smbd_lat *dst, const struct smbd_lat *src);

/*
 * A worker job's completion (fs/workers.c) publishes its chain while its
 * callback runs, on the calling thread: a job queued then carries it on,
 * a request done then takes it. begin returns the previous one, which
 * end puts back.
 */
extern __thread const struct smbd_lat_jobs *smbd_lat_cur; /* loop.c */

static inline const struct smbd_lat_jobs *smbd_lat_deliver_begin(
	const struct smbd_lat_jobs *jobs)
{
	const struct smbd_lat_jobs *prev = smbd_lat_cur;

	smbd_lat_cur = jobs;
	return prev;
}

static inline void smbd_lat_deliver_end(const struct smbd_lat_jobs *prev)
{
	smbd_lat_cur = prev;
}

static inline const struct smbd_lat_jobs *smbd_lat_delivering(void)
{
	return smbd_lat_cur;
}

/*
 * The scheduler's account of lp's thread (/proc/self/task/TID/schedstat):
 * ns on a CPU, ns runnable but waiting for one (run delay), timeslices.
 * Returns 0, or -errno.
 */
int smbd_loop_schedstat(const struct smbd_loop *lp, uint64_t *cpu_ns,
			uint64_t *delay_ns, uint64_t *slices);

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

/*
 * `loop priority` (docs/threads.md): smbd_loop_priority_early(N), called
 * by the main thread while it may still lower its nice (as root, before
 * dropping privileges), sets the main thread's nice to N; the threads it
 * starts later inherit it: the loop threads keep it, the workers take the
 * old value back from smbd_loop_base_nice (false: nothing was changed).
 * Errors leave the nice as it was; the loops log it when they start.
 */
void smbd_loop_priority_early(int nice);
bool smbd_loop_base_nice(int *nice);

#endif
