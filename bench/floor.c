/*
 * bench/floor.c - the kernel's share of a bench/run.sh exchange (issue 16):
 * what a server that does nothing but TCP (and, for the file modes, the
 * fewest file calls the operation needs) pays for it on this machine.
 *
 * A server process (one epoll loop, accept4, read, writev of a canned
 * reply, close on EOF) and clients that send requests with the sizes
 * wgsmbd sees on the wire and read replies of wgsmbd's sizes. The
 * server's user and system CPU (from /proc/PID/stat) per unit is the
 * floor below which no SMB server on this kernel can go for that
 * exchange: no parsing, no crypto, no xattrs. Modes (-m):
 *
 *   cycle      J client processes (default 2, as run.sh's cycles) that
 *              each connect, send the eleven requests of a libsmbclient
 *              cycle (NEGOTIATE, SESSION_SETUP x2, TREE_CONNECT,
 *              CREATE/QUERY_INFO/CLOSE x2, TREE_DISCONNECT, LOGOFF) one
 *              at a time, and close. Unit: a cycle.
 *   echo       one client process with J connections (default 4, as
 *              smbtorture smb2.bench.echo with torture:nprocs=4: one
 *              process, one tevent loop), one 68-byte ECHO in flight on
 *              each; the reply is 68 bytes. Unit: an ECHO.
 *   stat       one connection (J, default 1) repeating libsmbclient's
 *              smbc_stat: CREATE (148 bytes, FILE_READ_ATTRIBUTES),
 *              QUERY_INFO FileAllInformation (105), CLOSE (88), one at a
 *              time, not compounded; replies 153, 202 and 124. The
 *              server calls openat(dir, name, O_PATH) and statx at
 *              CREATE, statx at QUERY_INFO, close at CLOSE. Unit: a stat.
 *   openclose  the same three requests and sizes (smbc_open read-only,
 *              smbc_fstat, smbc_close), but the CREATE asks for read
 *              data, so the server's open is openat(dir, name,
 *              O_RDONLY). Unit: an open+fstat+close.
 *
 * Why those file calls are the minimum: a handle must pin the file
 * itself (a later rename or delete must not make the handle name
 * another file), so CREATE opens it: O_PATH when only attributes were
 * asked for, a real read-only open when data may be read; the CREATE
 * reply carries the times, sizes and attributes (one statx, with the
 * birth time); QUERY_INFO must report the file as it is now (another
 * statx, as nothing says it is unchanged); CLOSE releases the handle.
 * The name is one component, so openat with O_NOFOLLOW stays inside the
 * share. A server that keeps DOS attributes, EAs or ACLs in xattrs pays
 * for reading them on top.
 *
 * Build and run (no root, no daemon):
 *   cc -O2 -o /tmp/floor bench/floor.c
 *   /tmp/floor [-m MODE] [-j J] [-t SECS] [-r RUNS] [-d USEC] [-x] [-k]
 *              [-w MS] [-f DIR]
 *     -m  cycle (default), echo, stat or openclose (above)
 *     -j  cycle: client processes; others: connections (defaults above)
 *     -t  seconds per run (default 4)
 *     -r  runs; prints each and the median (default 3)
 *     -d  the client's think time: it spins USEC microseconds before each
 *         request, as the client library's own work delays its next one
 *         (default 0); the server then sleeps in epoll_wait every time
 *     -x  the server also does wgsmbd's per-connection calls: getpeername,
 *         getsockname and six setsockopt (their cost is the difference)
 *     -k  the listening socket gets wgsmbd's TCP options (TCP_NODELAY,
 *         keepalive 60/10/6, TCP_USER_TIMEOUT 120 s), which accepted
 *         sockets inherit, as wgsmbd sets them
 *     -w  MS: the server's epoll_wait timeout (default -1, none); an
 *         event loop with a timer pending sleeps with one
 *     -f  stat, openclose: the directory (a tmpfs, as run.sh's share) in
 *         which the server makes its 8-byte file floor-PID.dat (default
 *         /dev/shm); removed at exit
 *
 * Output: a line per run, then "median: X us of server CPU per UNIT";
 * with -m other than cycle also "RESULT mode=M us=X" for scripts.
 * Everything is freed at exit; errors exit non-zero with a message.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* NBSS payload sizes, as strace shows them for wgsmbd */
static const int cycle_req[] = { 230, 166, 498, 110, 125, 109, 92, 125,
				 109, 92, 72 };
static const int cycle_rsp[] = { 284, 231, 101, 80, 153, 92, 124, 153,
				 174, 124, 68 };
static const int echo_req[] = { 68 };
static const int echo_rsp[] = { 68 };
/* CREATE, QUERY_INFO FileAllInformation, CLOSE (stat and openclose) */
static const int file_req[] = { 148, 105, 88 };
static const int file_rsp[] = { 153, 202, 124 };

enum mode { M_CYCLE, M_ECHO, M_STAT, M_OPENCLOSE };
static const char *const mode_name[] = { "cycle", "echo", "stat",
					 "openclose" };

static enum mode mode = M_CYCLE;
static const int *req_len = cycle_req;
static const int *rsp_len = cycle_rsp;
static int nmsg = (int)(sizeof(cycle_req) / sizeof(cycle_req[0]));

#define MAXFD 65536
#define MAXCONN 64

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Accept every pending connection; extra: wgsmbd's per-connection calls */
static void take(int ep, int lfd, int extra, unsigned char *idx)
{
	int one = 1;
	int c = -1;

	while ((c = accept4(lfd, NULL, NULL,
			    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		struct epoll_event e = { .events = EPOLLIN, .data.fd = c };
		int k = 0;

		if (c >= MAXFD) {
			close(c);
			continue;
		}
		if (extra) {
			getpeername(c, (void *)&sa, &sl);
			sl = sizeof(sa);
			getsockname(c, (void *)&sa, &sl);
			for (k = 0; k < 6; k++) {
				setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one,
					   sizeof(one));
			}
		}
		idx[c] = 0;
		epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
	}
}

/*
 * stat and openclose: the file calls for request k of the three on the
 * connection whose handle is *h (see the header comment). Exits on error.
 */
static void file_calls(int dfd, const char *name, int k, int *h)
{
	struct statx stx;
	unsigned int want = STATX_BASIC_STATS | STATX_BTIME;
	int flags = mode == M_STAT ? O_PATH : O_RDONLY | O_NONBLOCK;

	if (k == 0) {
		*h = openat(dfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
		if (*h < 0) {
			die("server: openat");
		}
	}
	if (k == 0 || k == 1) {
		if (statx(*h, "", AT_EMPTY_PATH, want, &stx) != 0) {
			die("server: statx");
		}
	} else {
		close(*h);
		*h = -1;
	}
}

static void server(int lfd, int extra, int dfd, const char *name,
		   int wait_ms)
{
	static char buf[65536];
	static char out[512];
	static unsigned char idx[MAXFD];
	static int handle[MAXFD];
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0) {
		die("epoll");
	}
	for (;;) {
		struct epoll_event evs[16];
		int n = epoll_wait(ep, evs, 16, wait_ms);
		int i = 0;

		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			ssize_t r = 0;
			uint32_t len = 0;
			struct iovec iov[2];
			int k = 0;

			if (fd == lfd) {
				take(ep, lfd, extra, idx);
				continue;
			}
			r = read(fd, buf, sizeof(buf));
			if (r <= 0) {
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
				continue;
			}
			k = idx[fd];
			idx[fd] = (unsigned char)((k + 1) % nmsg);
			if (mode == M_STAT || mode == M_OPENCLOSE) {
				file_calls(dfd, name, k, &handle[fd]);
			}
			len = htonl((uint32_t)rsp_len[k]);
			iov[0] = (struct iovec) { &len, 4 };
			iov[1] = (struct iovec) { out, (size_t)rsp_len[k] };
			if (writev(fd, iov, 2) < 0) {
				close(fd);
			}
		}
	}
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void spin(double usec)
{
	double end = now() + usec / 1e6;

	while (usec > 0 && now() < end) {
	}
}

static int dial(const struct sockaddr_in *sa)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	if (s < 0) {
		die("socket");
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, 4);
	if (connect(s, (const void *)sa, sizeof(*sa)) != 0) {
		die("connect");
	}
	return s;
}

static void send_req(int s, int k, double think)
{
	static char out[1024];
	uint32_t len = htonl((uint32_t)req_len[k]);

	memcpy(out, &len, 4);
	spin(think);
	if (write(s, out, (size_t)req_len[k] + 4) < 0) {
		die("write");
	}
}

/* Read the whole reply to request k (one reply in flight per socket) */
static void read_rsp(int s, int k)
{
	static char buf[65536];
	int got = 0;

	while (got < rsp_len[k] + 4) {
		ssize_t r = read(s, buf, sizeof(buf));

		if (r <= 0) {
			die("read");
		}
		got += (int)r;
	}
}

/* cycle: a connection per cycle, its requests one at a time */
static int client_cycles(const struct sockaddr_in *sa, double secs,
			 double think)
{
	double end = now() + secs;
	int cycles = 0;

	do {
		int s = dial(sa);
		int k = 0;

		for (k = 0; k < nmsg; k++) {
			send_req(s, k, think);
			read_rsp(s, k);
		}
		close(s);
		cycles++;
	} while (now() < end);
	return cycles;
}

/*
 * echo, stat, openclose: conns connections kept open, one request in
 * flight on each, the next sent when its reply is in (an epoll loop, as
 * smbtorture's tevent loop). A unit is done when a connection's sequence
 * of nmsg requests wraps.
 */
static int client_persistent(const struct sockaddr_in *sa, double secs,
			     double think, int conns)
{
	int s[MAXCONN];
	int at[MAXCONN];
	int ep = epoll_create1(EPOLL_CLOEXEC);
	double end = 0;
	int units = 0;
	int c = 0;

	if (ep < 0) {
		die("epoll");
	}
	for (c = 0; c < conns; c++) {
		struct epoll_event e = { .events = EPOLLIN, .data.u32 = c };

		s[c] = dial(sa);
		at[c] = 0;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, s[c], &e) != 0) {
			die("epoll_ctl");
		}
	}
	end = now() + secs;
	for (c = 0; c < conns; c++) {
		send_req(s[c], 0, think);
	}
	while (now() < end) {
		struct epoll_event evs[MAXCONN];
		int n = epoll_wait(ep, evs, MAXCONN, -1);
		int i = 0;

		for (i = 0; i < n; i++) {
			c = (int)evs[i].data.u32;
			read_rsp(s[c], at[c]);
			at[c] = (at[c] + 1) % nmsg;
			if (at[c] == 0) {
				units++;
			}
			send_req(s[c], at[c], think);
		}
	}
	/* the requests still in flight: their replies, then close */
	for (c = 0; c < conns; c++) {
		read_rsp(s[c], at[c]);
		if ((at[c] + 1) % nmsg == 0) {
			units++;
		}
		close(s[c]);
	}
	close(ep);
	return units;
}

static int proc_cpu(pid_t pid, long *user, long *sys)
{
	char path[64];
	FILE *f = NULL;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL) {
		return -1;
	}
	n = fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
		   "%ld %ld", user, sys);
	fclose(f);
	return n == 2 ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(void)
{
	fprintf(stderr, "usage: floor [-m cycle|echo|stat|openclose] "
		"[-j J] [-t SECS] [-r RUNS] [-d USEC] [-x] [-k] [-w MS] "
		"[-f DIR]\n");
}

/* stat, openclose: the server's 8-byte file in dir; its name in name */
static int make_file(const char *dir, char *name, size_t len)
{
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = -1;

	if (dfd < 0) {
		die(dir);
	}
	snprintf(name, len, "floor-%d.dat", (int)getpid());
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644);
	if (fd < 0 || write(fd, "floor..\n", 8) != 8) {
		die(name);
	}
	close(fd);
	return dfd;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	double hz = (double)sysconf(_SC_CLK_TCK);
	double tot[64];
	double secs = 4;
	double think = 0;
	const char *dir = "/dev/shm";
	char name[64] = "";
	int jobs = 0;
	int runs = 3;
	int extra = 0;
	int keepalive = 0;
	int wait_ms = -1;
	int one = 1;
	int lfd = -1;
	int dfd = -1;
	int opt = 0;
	int r = 0;
	pid_t srv = -1;

	while ((opt = getopt(argc, argv, "m:j:t:r:d:xkw:f:")) != -1) {
		switch (opt) {
		case 'm':
			for (r = 0; r < 4; r++) {
				if (strcmp(optarg, mode_name[r]) == 0) {
					break;
				}
			}
			if (r == 4) {
				usage();
				return 64;
			}
			mode = (enum mode)r;
			break;
		case 'j':
			jobs = atoi(optarg);
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		case 'd':
			think = atof(optarg);
			break;
		case 'x':
			extra = 1;
			break;
		case 'k':
			keepalive = 1;
			break;
		case 'w':
			wait_ms = atoi(optarg);
			break;
		case 'f':
			dir = optarg;
			break;
		default:
			usage();
			return 64;
		}
	}
	if (mode == M_ECHO) {
		req_len = echo_req;
		rsp_len = echo_rsp;
		nmsg = 1;
	} else if (mode == M_STAT || mode == M_OPENCLOSE) {
		req_len = file_req;
		rsp_len = file_rsp;
		nmsg = 3;
	}
	if (jobs == 0) {
		jobs = mode == M_CYCLE ? 2 : mode == M_ECHO ? 4 : 1;
	}
	if (jobs < 1 || jobs > MAXCONN || runs < 1 || runs > 64 ||
	    secs <= 0) {
		fprintf(stderr, "floor: 1-64 jobs, 1-64 runs, SECS > 0\n");
		return 64;
	}
	if (mode == M_STAT || mode == M_OPENCLOSE) {
		dfd = make_file(dir, name, sizeof(name));
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0) {
		die("socket");
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (keepalive) {
		int idle = 60, intvl = 10, cnt = 6;
		unsigned int user_timeout = 120 * 1000;

		setsockopt(lfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(lfd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
		setsockopt(lfd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
		setsockopt(lfd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
			   sizeof(intvl));
		setsockopt(lfd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
		setsockopt(lfd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout,
			   sizeof(user_timeout));
	}
	if (bind(lfd, (void *)&sa, sizeof(sa)) != 0 || listen(lfd, 128) != 0 ||
	    getsockname(lfd, (void *)&sa, &sl) != 0) {
		die("listen");
	}
	srv = fork();
	if (srv < 0) {
		die("fork");
	}
	if (srv == 0) {
		server(lfd, extra, dfd, name, wait_ms);
		_exit(0);
	}
	close(lfd);
	for (r = 0; r < runs; r++) {
		long u0 = 0, s0 = 0, u1 = 0, s1 = 0;
		int pfd[2] = { -1, -1 };
		int nproc = mode == M_CYCLE ? jobs : 1;
		int total = 0;
		int j = 0;

		if (pipe(pfd) != 0 || proc_cpu(srv, &u0, &s0) != 0) {
			die("pipe or /proc");
		}
		for (j = 0; j < nproc; j++) {
			if (fork() == 0) {
				int c = mode == M_CYCLE ?
					client_cycles(&sa, secs, think) :
					client_persistent(&sa, secs, think,
							  jobs);

				if (write(pfd[1], &c, sizeof(c)) < 0) {
					_exit(1);
				}
				_exit(0);
			}
		}
		for (j = 0; j < nproc; j++) {
			int c = 0;

			if (read(pfd[0], &c, sizeof(c)) == sizeof(c)) {
				total += c;
			}
			wait(NULL);
		}
		close(pfd[0]);
		close(pfd[1]);
		/* the server closes the last connections: let it finish */
		usleep(100000);
		if (proc_cpu(srv, &u1, &s1) != 0 || total == 0) {
			die("no units done");
		}
		tot[r] = (double)(u1 - u0 + s1 - s0) / hz / total * 1e6;
		printf("run %d: %d %ss, server user %.2f us + system %.2f "
		       "us = %.2f us per %s\n", r + 1, total, mode_name[mode],
		       (double)(u1 - u0) / hz / total * 1e6,
		       (double)(s1 - s0) / hz / total * 1e6, tot[r],
		       mode_name[mode]);
	}
	kill(srv, SIGKILL);
	waitpid(srv, NULL, 0);
	if (dfd >= 0) {
		unlinkat(dfd, name, 0);
		close(dfd);
	}
	qsort(tot, (size_t)runs, sizeof(tot[0]), cmp_double);
	printf("median: %.2f us of server CPU per %s%s\n", tot[runs / 2],
	       mode_name[mode],
	       extra ? " (with wgsmbd's per-connection calls)" : "");
	printf("RESULT mode=%s us=%.3f\n", mode_name[mode], tot[runs / 2]);
	return 0;
}
