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
 *
 * -j J runs J workers (processes, each with its own sessions) for cycles,
 * openclose and stat; N is split between them and the rate is the total
 * over the wall time.
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
		" write BYTES | read BYTES\n"
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
		"  -d LEVEL     libsmbclient debug level (0)\n");
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

	while ((opt = getopt(argc, argv, "H:p:S:U:W:s:D:t:j:b:m:d:h")) != -1) {
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
