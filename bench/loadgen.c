/*
 * loadgen.c - SMB load client for bench/run.sh, on libsmbclient (Samba's
 * client library), so that wgsmbd and Samba's smbd are measured with the
 * same client.
 *
 * Every SMBCCTX is its own SMB session: libsmbclient caches server
 * connections per context (never across contexts), and we also turn off
 * the winbind credential cache (smbc_setOptionUseCCache) and Kerberos, so
 * each context authenticates with NTLMSSP (NTLMv2) on its own TCP
 * connection.
 *
 * Modes (one per run):
 *   cycles N     N x (new context: connect, negotiate, NTLMv2 session
 *                setup, tree connect, one stat; teardown); with -t the run
 *                also stops after that many seconds. Reports cycles/s.
 *   hold K       K contexts, each with an authenticated session and a tree
 *                connect, kept open; prints "READY ..." once all are up,
 *                then waits for SIGTERM/SIGINT/SIGUSR1 and exits.
 *   openclose N  N x (open, fstat, close) of one file, one session.
 *   stat N       N x stat of one file, one session.
 *   write BYTES  write a file of BYTES (default 1 GiB), one session.
 *   read BYTES   read BYTES (default 1 GiB) of the file "write" made.
 *   office ID    one office computer (bench/run.sh's ten-computer run):
 *                sets up its directory offID/ (200 files of 4-64 KiB and
 *                a subdirectory new/, untimed), prints "READY", waits for
 *                SIGUSR1, then for -t SECS repeats the office cycle
 *                (below) in a closed loop and writes every operation's
 *                latency to the -L file, one "OP MICROSECONDS" a line.
 *                With -R OPS the computer is paced instead (open loop):
 *                see "Paced office computers" below.
 *   bulk BYTES   the copier: waits for SIGUSR1 like office, then for -t
 *                SECS writes a file of BYTES (default 256 MiB) and reads
 *                it back, again and again; the rate counts every byte
 *                moved either way, the transfer cut off when time is up.
 *                With -r MIBS the copier is paced: after each buffer it
 *                sleeps (nanosleep) until the time at which MIBS MiB/s
 *                would have moved the bytes so far, so it never runs
 *                ahead of MIBS (it may fall behind if the server is slower);
 *                the rate reported is the one achieved.
 *
 * The office cycle, each of its operations one libsmbclient call (and so
 * one to three SMB requests, as a client application would make them):
 *   stat       x3  stat of a random one of the 200 files
 *   open+read  x2  open a random one, read it whole, close
 *   create+write   create new/wN, write 4-64 KiB (random), close
 *   rename         new/wN -> new/rN
 *   delete         unlink new/rN
 *   listing        opendir offID/, readdir to the end (~201 entries), close
 *
 * Paced office computers (-R OPS, the equal-offered-load runs): operation
 * k of the run is due at T0 + (PHASE + k) / OPS, a fixed timetable that
 * does not depend on how fast the server answers (PHASE: the fractional
 * part of (ID - 1) x 0.618..., so that computers with the same rate do
 * not start in step). The computer sleeps until an operation is due and
 * starts it then; if it is late (the previous operation ended after the
 * due time) it starts at once, so it catches up by running operations
 * back to back, but never more than OFFICE_LAG_SLOTS + 1 intervals
 * behind the timetable (8 + 1): when it is further behind, the slots in
 * excess are skipped (counted as skipped=, offered work not done). Each
 * operation's latency is written twice, "OP FROM_DUE FROM_START": from
 * the time it was due (time spent behind a slow earlier operation
 * counts, as it would for a user on that timetable: no coordinated
 * omission, within the lag bound) and from the time it actually started
 * (the service time the client saw, its own wait for a CPU included).
 * No operation starts at or after the end of the run; a cycle cut short
 * is cleaned up untimed. RESULT adds offered=OPS, skipped=SLOTS,
 * started=N, late=N (operations started more than 1 ms after they were
 * due) and lag=MS (mean of start - due over the started ones, ms).
 *
 * -j J runs J workers (processes, each with its own sessions) for cycles,
 * openclose and stat; N is split between them and the rate is the total
 * over the wall time.
 *
 * office and bulk also report cpu=SECS: this process's own CPU (user +
 * system, getrusage) from SIGUSR1 to the end of the run, so that
 * bench/run.sh can split the machine's CPU between the clients and the
 * server. They report delay=SECS too: the time this process's threads were
 * runnable but waited for a CPU over the same span (the run delay, field 2
 * of /proc/self/task/TID/schedstat summed over the threads; 0 without
 * schedstats), which bench/run.sh sets beside the server's.
 *
 * The last line on stdout is machine-readable, e.g.
 *   RESULT mode=cycles count=2000 errors=0 secs=4.210 rate=475.1
 *   RESULT mode=read count=1073741824 errors=0 secs=1.532 rate=668.4 unit=MiB/s
 *
 * Build: cc -O2 -o loadgen bench/loadgen.c $(pkg-config --cflags --libs smbclient)
 * (Debian: libsmbclient-dev).
 */
#define _GNU_SOURCE
#include <libsmbclient.h>

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct opts {
	const char *host;
	unsigned port;
	const char *share;
	const char *user;
	const char *pass;
	const char *workgroup;
	const char *conf;	/* private smb.conf for the client library */
	const char *dir;	/* directory inside the share for our files */
	double seconds;		/* time limit (0 = none) */
	unsigned jobs;
	size_t bufsize;
	int debug;
	const char *min_proto;
	const char *max_proto;
	const char *latfile;	/* office: where the latencies go */
	double rate_mibs;	/* bulk: pace to MiB/s (0 = flat out) */
	double office_rate;	/* office: operations/s (0 = closed loop) */
};

static struct opts o = {
	.host = "127.0.0.1",
	.port = 445,
	.share = "bench",
	.user = "bench",
	.pass = "bench",
	.workgroup = "WORKGROUP",
	.conf = NULL,
	.dir = "",
	.seconds = 0,
	.jobs = 1,
	.bufsize = 4u << 20,
	.debug = 0,
	.min_proto = "SMB2_02",
	.max_proto = "SMB3_11",
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This process's CPU time so far (user + system, all threads), seconds. */
static double cpu_secs(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0) {
		return 0;
	}
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Run delay so far, seconds: every thread's schedstat field 2 (ns). */
static double delay_secs(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e = NULL;
	unsigned long long sum = 0;

	if (d == NULL) {
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		char path[300];
		unsigned long long run = 0, wait = 0;
		FILE *f = NULL;

		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/self/task/%s/schedstat",
			 e->d_name);
		f = fopen(path, "re");
		if (f == NULL) {
			continue;
		}
		if (fscanf(f, "%llu %llu", &run, &wait) == 2) {
			sum += wait;
		}
		fclose(f);
	}
	closedir(d);
	return (double)sum / 1e9;
}

static void auth_fn(SMBCCTX *c, const char *srv, const char *shr,
		    char *wg, int wglen, char *un, int unlen,
		    char *pw, int pwlen)
{
	(void)c;
	(void)srv;
	(void)shr;
	snprintf(wg, (size_t)wglen, "%s", o.workgroup);
	snprintf(un, (size_t)unlen, "%s", o.user);
	snprintf(pw, (size_t)pwlen, "%s", o.pass);
}

/* A fresh, initialised context: its own connections, its own session. */
static SMBCCTX *ctx_new(void)
{
	static bool configured = false;
	SMBCCTX *c = smbc_new_context();

	if (c == NULL) {
		return NULL;
	}
	if (!configured && o.conf != NULL) {
		/* Global in libsmbclient: load it once, before the first init. */
		if (smbc_setConfiguration(c, o.conf) != 0) {
			fprintf(stderr, "loadgen: cannot load %s\n", o.conf);
		}
		configured = true;
	}
	smbc_setDebug(c, o.debug);
	smbc_setPort(c, (uint16_t)o.port);
	smbc_setWorkgroup(c, (char *)o.workgroup);
	smbc_setUser(c, (char *)o.user);
	smbc_setFunctionAuthDataWithContext(c, auth_fn);
	smbc_setOptionUseKerberos(c, false);
	smbc_setOptionFallbackAfterKerberos(c, true);
	smbc_setOptionNoAutoAnonymousLogin(c, true);
	smbc_setOptionUseCCache(c, false);
	smbc_setOptionOneSharePerServer(c, true);
	smbc_setOptionProtocols(c, o.min_proto, o.max_proto);
	if (smbc_init_context(c) == NULL) {
		smbc_free_context(c, 1);
		return NULL;
	}
	return c;
}

static void url(char *buf, size_t len, const char *name)
{
	const char *sep = (o.dir[0] != '\0') ? "/" : "";

	snprintf(buf, len, "smb://%s/%s/%s%s%s", o.host, o.share, o.dir, sep,
		 name);
}

static void share_url(char *buf, size_t len)
{
	snprintf(buf, len, "smb://%s/%s/", o.host, o.share);
}

struct result {
	uint64_t count;
	uint64_t errors;
	double secs;
};

static bool time_up(double t0)
{
	return o.seconds > 0 && now() - t0 >= o.seconds;
}

/* One session cycle per iteration; the stat is of the share root. */
static struct result do_cycles(uint64_t n, unsigned worker)
{
	struct result r = {0};
	char u[1024];
	double t0 = now();
	uint64_t i;

	(void)worker;
	share_url(u, sizeof(u));
	for (i = 0; i < n && !time_up(t0); i++) {
		struct stat st;
		SMBCCTX *c = ctx_new();

		if (c == NULL || smbc_getFunctionStat(c)(c, u, &st) != 0) {
			if (r.errors++ < 3) {
				fprintf(stderr, "loadgen: cycle %" PRIu64
					": %s\n", i, strerror(errno));
			}
		} else {
			r.count++;
		}
		if (c != NULL) {
			smbc_free_context(c, 1);
		}
	}
	r.secs = now() - t0;
	return r;
}

/* The file each worker of openclose/stat works on: created first. */
static int make_file(SMBCCTX *c, const char *u)
{
	SMBCFILE *f = smbc_getFunctionOpen(c)(c, u, O_WRONLY | O_CREAT | O_TRUNC,
					      0644);
	static const char data[] = "loadgen\n";

	if (f == NULL) {
		fprintf(stderr, "loadgen: create %s: %s\n", u, strerror(errno));
		return -1;
	}
	smbc_getFunctionWrite(c)(c, f, data, sizeof(data) - 1);
	smbc_getFunctionClose(c)(c, f);
	return 0;
}

static struct result do_files(bool openclose, uint64_t n, unsigned worker)
{
	struct result r = {0};
	char name[64], u[1024];
	SMBCCTX *c = ctx_new();
	double t0;
	uint64_t i;

	snprintf(name, sizeof(name), "lg-%u-%u.dat", (unsigned)getpid(), worker);
	url(u, sizeof(u), name);
	if (c == NULL || make_file(c, u) != 0) {
		r.errors = 1;
		return r;
	}
	/* A file changed in the last two seconds is not remembered by
	 * wgsmbd (its xattr memo and descriptor cache: two changes within
	 * one timestamp tick look alike), so each stat of it reads its
	 * xattrs again; the files of an office are older than that. Let
	 * this one age first, so the run measures the steady state rather
	 * than the first two seconds after a write (set-up, not timed). */
	nanosleep(&(struct timespec){ .tv_sec = 2, .tv_nsec = 200000000 },
		  NULL);
	smbc_open_fn open_fn = smbc_getFunctionOpen(c);
	smbc_fstat_fn fstat_fn = smbc_getFunctionFstat(c);
	smbc_close_fn close_fn = smbc_getFunctionClose(c);
	smbc_stat_fn stat_fn = smbc_getFunctionStat(c);

	t0 = now();
	for (i = 0; i < n && !time_up(t0); i++) {
		struct stat st;
		bool ok;

		if (openclose) {
			SMBCFILE *f = open_fn(c, u, O_RDONLY, 0);

			ok = f != NULL && fstat_fn(c, f, &st) == 0;
			if (f != NULL && close_fn(c, f) != 0) {
				ok = false;
			}
		} else {
			ok = stat_fn(c, u, &st) == 0;
		}
		if (ok) {
			r.count++;
		} else if (r.errors++ < 3) {
			fprintf(stderr, "loadgen: %s %" PRIu64 ": %s\n",
				openclose ? "openclose" : "stat", i,
				strerror(errno));
		}
	}
	r.secs = now() - t0;
	smbc_getFunctionUnlink(c)(c, u);
	smbc_free_context(c, 1);
	return r;
}

static struct result do_io(bool writing, uint64_t bytes)
{
	struct result r = {0};
	char u[1024];
	SMBCCTX *c = ctx_new();
	char *buf = malloc(o.bufsize);
	SMBCFILE *f;
	double t0;

	url(u, sizeof(u), "loadgen-io.dat");
	if (c == NULL || buf == NULL) {
		fprintf(stderr, "loadgen: no context\n");
		r.errors = 1;
		return r;
	}
	memset(buf, 0x5a, o.bufsize);
	t0 = now();
	f = smbc_getFunctionOpen(c)(c, u, writing ?
				    (O_WRONLY | O_CREAT | O_TRUNC) : O_RDONLY,
				    0644);
	if (f == NULL) {
		fprintf(stderr, "loadgen: open %s: %s\n", u, strerror(errno));
		r.errors = 1;
		goto out;
	}
	while (r.count < bytes) {
		size_t want = o.bufsize;
		ssize_t got;

		if (bytes - r.count < want) {
			want = (size_t)(bytes - r.count);
		}
		got = writing ? smbc_getFunctionWrite(c)(c, f, buf, want)
			      : smbc_getFunctionRead(c)(c, f, buf, want);
		if (got <= 0) {
			fprintf(stderr, "loadgen: %s at %" PRIu64 ": %s\n",
				writing ? "write" : "read", r.count,
				got == 0 ? "end of file" : strerror(errno));
			r.errors = 1;
			break;
		}
		r.count += (uint64_t)got;
	}
	if (smbc_getFunctionClose(c)(c, f) != 0) {
		r.errors++;
	}
	r.secs = now() - t0;
out:
	smbc_free_context(c, 1);
	free(buf);
	return r;
}

/* ---- office: one computer of the ten-computer benchmark ---- */

enum office_op {
	OP_STAT, OP_READ, OP_CREATE, OP_RENAME, OP_DELETE, OP_LIST, OP_N
};

static const char *const office_op_name[OP_N] = {
	"stat", "open+read", "create+write", "rename", "delete", "listing",
};

/* One cycle: the mix documented at the top. */
static const enum office_op office_cycle[] = {
	OP_STAT, OP_READ, OP_STAT, OP_CREATE, OP_RENAME, OP_STAT, OP_READ,
	OP_DELETE, OP_LIST,
};

#define OFFICE_FILES	200
#define OFFICE_MIN	(4u << 10)
#define OFFICE_MAX	(64u << 10)

struct lat {
	uint32_t *v;
	size_t n, cap;
};

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64*: enough for picking files and sizes */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static void lat_add(struct lat *l, double secs)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4096;
		uint32_t *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL) {
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	if (secs < 0) {
		secs = 0;
	}
	l->v[l->n++] = (uint32_t)(secs * 1e6 + 0.5);
}

/* ---- paced office computers (-R): the timetable ---- */

#define OFFICE_LAG_SLOTS	8	/* skip slots beyond this many behind */
#define OFFICE_LATE		1e-3	/* started later than this: late */

struct pacer {
	double t0;		/* the run's start */
	double end;		/* no operation is due at or after this */
	double interval;	/* 1 / operations per second */
	double phase;		/* first slot at t0 + phase * interval */
	uint64_t slot;		/* the next slot */
	uint64_t skipped;	/* slots skipped: more than the bound behind */
	uint64_t started;	/* operations started */
	uint64_t late;		/* of them, started > OFFICE_LATE after due */
	double lag_sum;		/* sum of start - due, seconds */
};

/* Sleep until T (seconds on CLOCK_MONOTONIC, as now()). */
static void sleep_until(double t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR) {
	}
}

/*
 * The due time of the next operation, after sleeping until it if it is
 * still ahead; if the computer is more than OFFICE_LAG_SLOTS intervals
 * behind, the slots in excess are skipped (so it never bursts more than
 * that to catch up). Negative: the next slot is at or past the end.
 */
static double pacer_next(struct pacer *p)
{
	double due = p->t0 + (p->phase + (double)p->slot) * p->interval;
	double t = now();
	double behind = (t - due) / p->interval;

	if (behind > OFFICE_LAG_SLOTS + 1) {
		uint64_t skip = (uint64_t)behind - OFFICE_LAG_SLOTS;

		p->slot += skip;
		p->skipped += skip;
		due = p->t0 + (p->phase + (double)p->slot) * p->interval;
	}
	if (due >= p->end) {
		return -1;
	}
	if (due > t) {
		sleep_until(due);
	}
	p->slot++;
	return due;
}

static void wait_go(void)
{
	sigset_t set;
	int sig = 0;

	printf("READY\n");
	fflush(stdout);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigwait(&set, &sig);
	if (sig == SIGTERM) {
		_exit(3);
	}
}

static void block_go(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static int put_file(SMBCCTX *c, const char *u, const char *buf, size_t len)
{
	SMBCFILE *f = smbc_getFunctionOpen(c)(c, u, O_WRONLY | O_CREAT |
					      O_TRUNC, 0644);
	int rc = 0;

	if (f == NULL) {
		return -1;
	}
	if (smbc_getFunctionWrite(c)(c, f, buf, len) != (ssize_t)len) {
		rc = -1;
	}
	if (smbc_getFunctionClose(c)(c, f) != 0) {
		rc = -1;
	}
	return rc;
}

static int get_file(SMBCCTX *c, const char *u, char *buf, size_t len)
{
	SMBCFILE *f = smbc_getFunctionOpen(c)(c, u, O_RDONLY, 0);
	int rc = 0;
	ssize_t got = 0;

	if (f == NULL) {
		return -1;
	}
	do {
		got = smbc_getFunctionRead(c)(c, f, buf, len);
	} while (got > 0);
	if (got < 0) {
		rc = -1;
	}
	if (smbc_getFunctionClose(c)(c, f) != 0) {
		rc = -1;
	}
	return rc;
}

/* offID/ with its 200 files and new/ (whatever of it is missing). */
static int office_setup(SMBCCTX *c, const char *dir, char *buf)
{
	char u[1024], name[64];
	bool have[OFFICE_FILES] = {false};
	SMBCFILE *d = NULL;
	struct smbc_dirent *de = NULL;

	url(u, sizeof(u), dir);
	smbc_getFunctionMkdir(c)(c, u, 0755);
	snprintf(name, sizeof(name), "%s/new", dir);
	url(u, sizeof(u), name);
	smbc_getFunctionMkdir(c)(c, u, 0755);
	url(u, sizeof(u), dir);
	d = smbc_getFunctionOpendir(c)(c, u);
	if (d == NULL) {
		fprintf(stderr, "loadgen: opendir %s: %s\n", u,
			strerror(errno));
		return -1;
	}
	while ((de = smbc_getFunctionReaddir(c)(c, d)) != NULL) {
		unsigned i = 0;
		char end = 0;

		if (sscanf(de->name, "f%u.dat%c", &i, &end) == 1 &&
		    i < OFFICE_FILES) {
			have[i] = true;
		}
	}
	smbc_getFunctionClosedir(c)(c, d);
	for (unsigned i = 0; i < OFFICE_FILES; i++) {
		size_t len = OFFICE_MIN + (size_t)(i * 7919u) %
					  (OFFICE_MAX - OFFICE_MIN + 1);

		if (have[i]) {
			continue;
		}
		snprintf(name, sizeof(name), "%s/f%03u.dat", dir, i);
		url(u, sizeof(u), name);
		if (put_file(c, u, buf, len) != 0) {
			fprintf(stderr, "loadgen: create %s: %s\n", u,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int office_op(SMBCCTX *c, enum office_op op, const char *dir,
		     uint64_t seq, char *buf)
{
	char u[1024], u2[1024], name[64];
	struct stat st;
	SMBCFILE *d = NULL;
	size_t len = 0;
	int rc = 0;

	switch (op) {
	case OP_STAT:
		snprintf(name, sizeof(name), "%s/f%03u.dat", dir,
			 rng() % OFFICE_FILES);
		url(u, sizeof(u), name);
		return smbc_getFunctionStat(c)(c, u, &st);
	case OP_READ:
		snprintf(name, sizeof(name), "%s/f%03u.dat", dir,
			 rng() % OFFICE_FILES);
		url(u, sizeof(u), name);
		return get_file(c, u, buf, OFFICE_MAX);
	case OP_CREATE:
		len = OFFICE_MIN + rng() % (OFFICE_MAX - OFFICE_MIN + 1);
		snprintf(name, sizeof(name), "%s/new/w%" PRIu64 ".dat", dir,
			 seq);
		url(u, sizeof(u), name);
		return put_file(c, u, buf, len);
	case OP_RENAME:
		snprintf(name, sizeof(name), "%s/new/w%" PRIu64 ".dat", dir,
			 seq);
		url(u, sizeof(u), name);
		snprintf(name, sizeof(name), "%s/new/r%" PRIu64 ".dat", dir,
			 seq);
		url(u2, sizeof(u2), name);
		return smbc_getFunctionRename(c)(c, u, c, u2);
	case OP_DELETE:
		snprintf(name, sizeof(name), "%s/new/r%" PRIu64 ".dat", dir,
			 seq);
		url(u, sizeof(u), name);
		return smbc_getFunctionUnlink(c)(c, u);
	case OP_LIST:
		url(u, sizeof(u), dir);
		d = smbc_getFunctionOpendir(c)(c, u);
		if (d == NULL) {
			return -1;
		}
		while (smbc_getFunctionReaddir(c)(c, d) != NULL) {
		}
		if (smbc_getFunctionClosedir(c)(c, d) != 0) {
			rc = -1;
		}
		return rc;
	default:
		return -1;
	}
}

/* A paced run cut short mid-cycle: remove its file, untimed. */
static void office_tidy(SMBCCTX *c, const char *dir, uint64_t seq)
{
	char u[1024], name[64];
	const char *pre[] = { "w", "r" };

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		snprintf(name, sizeof(name), "%s/new/%s%" PRIu64 ".dat", dir,
			 pre[i], seq);
		url(u, sizeof(u), name);
		smbc_getFunctionUnlink(c)(c, u);
	}
}

static int do_office(unsigned id)
{
	struct lat lat[OP_N] = {{0}};
	struct lat svc[OP_N] = {{0}};	/* paced: from the actual start */
	struct pacer pc = {0};
	bool paced = o.office_rate > 0, stop = false;
	struct result r = {0};
	char dir[32];
	char *buf = malloc(OFFICE_MAX);
	SMBCCTX *c = NULL;
	FILE *out = NULL;
	uint64_t seq = 0;
	double t0 = 0, c0 = 0, cpu = 0, d0 = 0, delay = 0;

	block_go();
	rng_state = 0x9e3779b97f4a7c15ull ^ ((uint64_t)id << 32) ^
		    (uint64_t)getpid();
	snprintf(dir, sizeof(dir), "off%u", id);
	c = ctx_new();
	if (buf == NULL || c == NULL) {
		fprintf(stderr, "loadgen: no context\n");
		return 1;
	}
	memset(buf, 0x6f, OFFICE_MAX);
	if (office_setup(c, dir, buf) != 0) {
		return 1;
	}
	wait_go();
	t0 = now();
	c0 = cpu_secs();
	d0 = delay_secs();
	if (paced) {
		double ph = (double)(id > 0 ? id - 1 : 0) * 0.6180339887498949;

		pc.t0 = t0;
		pc.end = o.seconds > 0 ? t0 + o.seconds : 1e300;
		pc.interval = 1.0 / o.office_rate;
		pc.phase = ph - (double)(uint64_t)ph;
	}
	while (!stop && !time_up(t0)) {
		for (size_t i = 0; i < sizeof(office_cycle) /
				       sizeof(office_cycle[0]); i++) {
			enum office_op op = office_cycle[i];
			double due = 0, a = 0, b = 0;

			if (paced && (due = pacer_next(&pc)) < 0) {
				stop = true;
				break;
			}
			a = now();
			if (paced) {
				pc.started++;
				pc.lag_sum += a - due;
				if (a - due > OFFICE_LATE) {
					pc.late++;
				}
			} else {
				due = a;
			}
			if (office_op(c, op, dir, seq, buf) != 0) {
				if (r.errors++ < 3) {
					fprintf(stderr, "loadgen: office %s: "
						"%s\n", office_op_name[op],
						strerror(errno));
				}
				continue;
			}
			b = now();
			lat_add(&lat[op], b - due);
			if (paced) {
				lat_add(&svc[op], b - a);
			}
			r.count++;
		}
		if (!stop) {
			seq++;
		}
	}
	r.secs = now() - t0;
	cpu = cpu_secs() - c0;
	delay = delay_secs() - d0;
	if (o.latfile != NULL && (out = fopen(o.latfile, "w")) != NULL) {
		for (int op = 0; op < OP_N; op++) {
			for (size_t i = 0; i < lat[op].n; i++) {
				if (!paced) {
					fprintf(out, "%s %" PRIu32 "\n",
						office_op_name[op],
						lat[op].v[i]);
					continue;
				}
				fprintf(out, "%s %" PRIu32 " %" PRIu32 "\n",
					office_op_name[op], lat[op].v[i],
					i < svc[op].n ? svc[op].v[i] : 0);
			}
		}
		fclose(out);
	}
	printf("RESULT mode=office count=%" PRIu64 " errors=%" PRIu64
	       " secs=%.3f rate=%.1f unit=ops/s cpu=%.3f delay=%.3f",
	       r.count, r.errors, r.secs,
	       r.secs > 0 ? (double)r.count / r.secs : 0, cpu, delay);
	if (paced) {
		printf(" offered=%.3f skipped=%" PRIu64 " late=%" PRIu64
		       " started=%" PRIu64 " lag=%.3f", o.office_rate,
		       pc.skipped, pc.late, pc.started,
		       pc.started > 0 ? 1e3 * pc.lag_sum /
					(double)pc.started : 0);
	}
	printf("\n");
	/* a whole cycle ends with its delete: new/ is left empty */
	if (stop) {
		office_tidy(c, dir, seq);
	}
	smbc_free_context(c, 1);
	return r.errors != 0 && r.count == 0 ? 1 : 0;
}

/*
 * -r: sleep until MOVED bytes are due at o.rate_mibs since T0 (never past
 * the end of the run). Sleeping to a due time rather than for a fixed
 * pause keeps the average exact whatever each transfer took.
 */
static void pace(double t0, uint64_t moved)
{
	double due = 0;

	if (o.rate_mibs <= 0) {
		return;
	}
	due = t0 + (double)moved / (o.rate_mibs * 1048576.0);
	if (o.seconds > 0 && due > t0 + o.seconds) {
		due = t0 + o.seconds;
	}
	if (due > now()) {
		sleep_until(due);
	}
}

/* The copier: up and down, again and again, until time is up. */
static int do_bulk(uint64_t bytes)
{
	struct result r = {0};
	char u[1024], name[64];
	char *buf = malloc(o.bufsize);
	SMBCCTX *c = NULL;
	double t0 = 0, c0 = 0, cpu = 0, d0 = 0, delay = 0;

	block_go();
	c = ctx_new();
	if (c == NULL || buf == NULL) {
		fprintf(stderr, "loadgen: no context\n");
		return 1;
	}
	memset(buf, 0x42, o.bufsize);
	snprintf(name, sizeof(name), "bulk-%u.dat", (unsigned)getpid());
	url(u, sizeof(u), name);
	wait_go();
	t0 = now();
	c0 = cpu_secs();
	d0 = delay_secs();
	for (bool writing = true; !time_up(t0) && r.errors == 0;
	     writing = !writing) {
		SMBCFILE *f = smbc_getFunctionOpen(c)(c, u, writing ?
			(O_WRONLY | O_CREAT | O_TRUNC) : O_RDONLY, 0644);
		uint64_t done = 0;

		if (f == NULL) {
			fprintf(stderr, "loadgen: bulk open: %s\n",
				strerror(errno));
			r.errors++;
			break;
		}
		while (done < bytes && !time_up(t0)) {
			size_t want = o.bufsize;
			ssize_t got = 0;

			if (bytes - done < want) {
				want = (size_t)(bytes - done);
			}
			got = writing ?
			      smbc_getFunctionWrite(c)(c, f, buf, want) :
			      smbc_getFunctionRead(c)(c, f, buf, want);
			if (got <= 0) {
				fprintf(stderr, "loadgen: bulk %s: %s\n",
					writing ? "write" : "read",
					got == 0 ? "end of file" :
						   strerror(errno));
				r.errors++;
				break;
			}
			done += (uint64_t)got;
			pace(t0, r.count + done);
		}
		r.count += done;
		smbc_getFunctionClose(c)(c, f);
	}
	r.secs = now() - t0;
	cpu = cpu_secs() - c0;
	delay = delay_secs() - d0;
	smbc_getFunctionUnlink(c)(c, u);
	printf("RESULT mode=bulk count=%" PRIu64 " errors=%" PRIu64
	       " secs=%.3f rate=%.1f unit=MiB/s cpu=%.3f target=%.1f"
	       " delay=%.3f\n",
	       r.count, r.errors, r.secs,
	       r.secs > 0 ? (double)r.count / 1048576.0 / r.secs : 0, cpu,
	       o.rate_mibs, delay);
	smbc_free_context(c, 1);
	free(buf);
	return r.errors != 0 ? 1 : 0;
}

/* K sessions with a tree connect each, held until a signal. */
static int do_hold(uint64_t k)
{
	SMBCCTX **ctx = calloc(k ? k : 1, sizeof(*ctx));
	char u[1024];
	uint64_t i, up = 0, failed = 0;
	double t0 = now();
	sigset_t set;
	int sig = 0;

	if (ctx == NULL) {
		return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	share_url(u, sizeof(u));
	for (i = 0; i < k; i++) {
		struct stat st;

		ctx[i] = ctx_new();
		if (ctx[i] == NULL ||
		    smbc_getFunctionStat(ctx[i])(ctx[i], u, &st) != 0) {
			if (failed++ < 3) {
				fprintf(stderr, "loadgen: hold %" PRIu64
					": %s\n", i, strerror(errno));
			}
			if (ctx[i] != NULL) {
				smbc_free_context(ctx[i], 1);
				ctx[i] = NULL;
			}
			continue;
		}
		up++;
	}
	printf("READY held=%" PRIu64 " failed=%" PRIu64 " secs=%.3f\n", up,
	       failed, now() - t0);
	fflush(stdout);
	sigwait(&set, &sig);
	/* The kernel closes the sockets; freeing 10,000 contexts is slow. */
	printf("RESULT mode=hold count=%" PRIu64 " errors=%" PRIu64 "\n", up,
	       failed);
	fflush(stdout);
	_exit(failed ? 2 : 0);
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static uint64_t parse_size(const char *s)
{
	char *end = NULL;
	double v = strtod(s, &end);

	switch (end != NULL ? *end : '\0') {
	case 'k': case 'K': v *= 1024; break;
	case 'm': case 'M': v *= 1024 * 1024; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; break;
	default: break;
	}
	return (uint64_t)v;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: loadgen [options] MODE [N|BYTES]\n"
		"Modes: cycles N | hold K | openclose N | stat N |"
		" write BYTES | read BYTES | office ID | bulk BYTES\n"
		"  -H HOST      server address (127.0.0.1)\n"
		"  -p PORT      server port (445)\n"
		"  -S SHARE     share name (bench)\n"
		"  -U USER%%PASS credentials (bench%%bench)\n"
		"  -W WORKGROUP (WORKGROUP)\n"
		"  -s FILE      smb.conf for the client library\n"
		"  -D DIR       directory inside the share for our files\n"
		"  -t SECS      stop cycles/openclose/stat after SECS\n"
		"  -j J         J worker processes (cycles, openclose, stat)\n"
		"  -b BYTES     I/O buffer for write/read (4M)\n"
		"  -m MAXPROTO  client max protocol (SMB3_11)\n"
		"  -d LEVEL     libsmbclient debug level (0)\n"
		"  -L FILE      office: write the latencies to FILE\n"
		"  -r MIBS      bulk: pace the copier to MIBS MiB/s"
		" (0: flat out)\n"
		"  -R OPS       office: pace to OPS operations/s, open loop"
		" (0: closed loop)\n");
}

/* Run fn in J workers; combine counts, take the wall time. */
static struct result run_workers(struct result (*fn)(uint64_t, unsigned,
						     int),
				 uint64_t n, int arg)
{
	struct result total = {0};
	int fds[2];
	unsigned j;
	double t0 = now();

	if (o.jobs <= 1) {
		return fn(n, 0, arg);
	}
	if (pipe(fds) != 0) {
		total.errors = 1;
		return total;
	}
	fflush(stdout);
	for (j = 0; j < o.jobs; j++) {
		pid_t p = fork();

		if (p == 0) {
			uint64_t share = n / o.jobs + (j < n % o.jobs);
			struct result r = fn(share, j, arg);

			close(fds[0]);
			if (write(fds[1], &r, sizeof(r)) != sizeof(r)) {
				_exit(1);
			}
			_exit(0);
		}
		if (p < 0) {
			total.errors++;
		}
	}
	close(fds[1]);
	for (;;) {
		struct result r;
		ssize_t got = read(fds[0], &r, sizeof(r));

		if (got != sizeof(r)) {
			break;
		}
		total.count += r.count;
		total.errors += r.errors;
	}
	while (wait(NULL) > 0) {
	}
	total.secs = now() - t0;
	return total;
}

static struct result w_cycles(uint64_t n, unsigned w, int arg)
{
	(void)arg;
	return do_cycles(n, w);
}

static struct result w_files(uint64_t n, unsigned w, int openclose)
{
	return do_files(openclose != 0, n, w);
}

int main(int argc, char **argv)
{
	const char *mode;
	uint64_t n;
	struct result r;
	const char *unit = "ops/s";
	double rate;
	int opt;

	while ((opt = getopt(argc, argv, "H:p:S:U:W:s:D:t:j:b:m:d:L:r:R:h")) !=
	       -1) {
		switch (opt) {
		case 'H': o.host = optarg; break;
		case 'p': o.port = (unsigned)atoi(optarg); break;
		case 'S': o.share = optarg; break;
		case 'U': {
			char *pct = strchr(optarg, '%');

			if (pct != NULL) {
				*pct = '\0';
				o.pass = pct + 1;
			}
			o.user = optarg;
			break;
		}
		case 'W': o.workgroup = optarg; break;
		case 's': o.conf = optarg; break;
		case 'D': o.dir = optarg; break;
		case 't': o.seconds = atof(optarg); break;
		case 'j': o.jobs = (unsigned)atoi(optarg); break;
		case 'b': o.bufsize = (size_t)parse_size(optarg); break;
		case 'm': o.max_proto = optarg; break;
		case 'd': o.debug = atoi(optarg); break;
		case 'L': o.latfile = optarg; break;
		case 'r': o.rate_mibs = atof(optarg); break;
		case 'R': o.office_rate = atof(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 64;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 64;
	}
	if (o.jobs == 0) {
		o.jobs = 1;
	}
	if (o.bufsize == 0) {
		o.bufsize = 1u << 20;
	}
	mode = argv[optind];
	n = optind + 1 < argc ? parse_size(argv[optind + 1]) : 0;
	raise_nofile();
	signal(SIGPIPE, SIG_IGN);

	if (strcmp(mode, "cycles") == 0) {
		r = run_workers(w_cycles, n ? n : 1000, 0);
		unit = "cycles/s";
	} else if (strcmp(mode, "openclose") == 0) {
		r = run_workers(w_files, n ? n : 10000, 1);
	} else if (strcmp(mode, "stat") == 0) {
		r = run_workers(w_files, n ? n : 10000, 0);
	} else if (strcmp(mode, "write") == 0 || strcmp(mode, "read") == 0) {
		r = do_io(mode[0] == 'w', n ? n : (1ull << 30));
		unit = "MiB/s";
	} else if (strcmp(mode, "hold") == 0) {
		return do_hold(n ? n : 500);
	} else if (strcmp(mode, "office") == 0) {
		return do_office((unsigned)n);
	} else if (strcmp(mode, "bulk") == 0) {
		return do_bulk(n ? n : (256ull << 20));
	} else {
		usage(stderr);
		return 64;
	}
	if (strcmp(unit, "MiB/s") == 0) {
		rate = r.secs > 0 ? (double)r.count / 1048576.0 / r.secs : 0;
	} else {
		rate = r.secs > 0 ? (double)r.count / r.secs : 0;
	}
	printf("RESULT mode=%s count=%" PRIu64 " errors=%" PRIu64
	       " secs=%.3f rate=%.1f unit=%s\n", mode, r.count, r.errors,
	       r.secs, rate, unit);
	return r.errors != 0 && r.count == 0 ? 1 : 0;
}
