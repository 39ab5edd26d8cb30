/*
 * bench/floor.c - the kernel's share of a session cycle (issue 16): what a
 * server that does nothing but TCP pays for the round trips of one
 * bench/run.sh "cycles" cycle on this machine.
 *
 * A server process (one epoll loop, accept4, read, writev of a canned
 * reply, close on EOF) and J client processes that each connect, send the
 * eleven requests of a libsmbclient cycle (NEGOTIATE, SESSION_SETUP x2,
 * TREE_CONNECT, CREATE/QUERY_INFO/CLOSE x2, TREE_DISCONNECT, LOGOFF) with
 * the sizes wgsmbd sees on the wire, read each reply (same sizes as
 * wgsmbd's), and close. The server's user and system CPU (from
 * /proc/PID/stat) per cycle is the floor below which no SMB server on
 * this kernel can go for that exchange: no parsing, no crypto, no files.
 *
 * Build and run (no root, no daemon):
 *   cc -O2 -o /tmp/floor bench/floor.c
 *   /tmp/floor [-j JOBS] [-t SECS] [-r RUNS] [-d USEC] [-x]
 *     -j  client processes (default 2, as run.sh's cycles)
 *     -t  seconds per run (default 4)
 *     -r  runs; prints each and the median (default 3)
 *     -d  the client's think time: it spins USEC microseconds before each
 *         request, as libsmbclient's own work delays its next one
 *         (default 0); the server then sleeps in epoll_wait every time
 *     -x  the server also does wgsmbd's per-connection calls: getpeername,
 *         getsockname and six setsockopt (their cost is the difference)
 *
 * Everything is freed at exit; errors exit non-zero with a message.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* NBSS payload sizes of one cycle, as strace shows them for wgsmbd */
static const int req_len[] = { 230, 166, 498, 110, 125, 109, 92, 125,
			       109, 92, 72 };
static const int rsp_len[] = { 284, 231, 101, 80, 153, 92, 124, 153,
			       174, 124, 68 };
#define NMSG ((int)(sizeof(req_len) / sizeof(req_len[0])))

/*
 * -m stat: one connection kept open, each unit the three requests of a
 * libsmbclient stat or open+fstat+close (CREATE, QUERY_INFO, CLOSE; the
 * sizes wgsmbd sees); -m echo: each unit one SMB2 ECHO.
 */
static const int stat_req[] = { 152, 109, 92 };
static const int stat_rsp[] = { 153, 202, 124 };
static const int echo_req[] = { 68 };
static const int echo_rsp[] = { 68 };
static const int *use_req = req_len;
static const int *use_rsp = rsp_len;
static int use_n = NMSG;
static int keep_conn;	/* units on one connection (-m) */
#define MAXFD 65536

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

static void server(int lfd, int extra)
{
	static char buf[65536];
	static char out[512];
	static unsigned char idx[MAXFD];
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0) {
		die("epoll");
	}
	for (;;) {
		struct epoll_event evs[16];
		int n = epoll_wait(ep, evs, 16, -1);
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
			idx[fd] = (unsigned char)((k + 1) % use_n);
			len = htonl((uint32_t)use_rsp[k]);
			iov[0] = (struct iovec) { &len, 4 };
			iov[1] = (struct iovec) { out, (size_t)use_rsp[k] };
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

static int client(const struct sockaddr_in *sa, double secs, double think)
{
	static char buf[65536];
	static char out[1024];
	double end = now() + secs;
	int cycles = 0;

	int s = -1;

	do {
		int one = 1;
		int k = 0;

		if (s < 0) {
			s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (s < 0) {
				die("socket");
			}
			setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, 4);
			if (connect(s, (const void *)sa, sizeof(*sa)) != 0) {
				die("connect");
			}
		}
		for (k = 0; k < use_n; k++) {
			uint32_t len = htonl((uint32_t)use_req[k]);
			int got = 0;

			memcpy(out, &len, 4);
			spin(think);
			if (write(s, out, (size_t)use_req[k] + 4) < 0) {
				die("write");
			}
			while (got < use_rsp[k] + 4) {
				ssize_t r = read(s, buf, sizeof(buf));

				if (r <= 0) {
					die("read");
				}
				got += (int)r;
			}
		}
		if (!keep_conn) {
			close(s);
			s = -1;
		}
		cycles++;
	} while (now() < end);
	if (s >= 0) {
		close(s);
	}
	return cycles;
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

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	double hz = (double)sysconf(_SC_CLK_TCK);
	double tot[64];
	double secs = 4;
	double think = 0;
	int jobs = 2;
	int runs = 3;
	int extra = 0;
	int one = 1;
	int lfd = -1;
	int opt = 0;
	int r = 0;
	pid_t srv = -1;

	while ((opt = getopt(argc, argv, "j:t:r:d:xm:")) != -1) {
		switch (opt) {
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
		case 'm':
			keep_conn = 1;
			if (strcmp(optarg, "stat") == 0) {
				use_req = stat_req;
				use_rsp = stat_rsp;
				use_n = 3;
			} else if (strcmp(optarg, "echo") == 0) {
				use_req = echo_req;
				use_rsp = echo_rsp;
				use_n = 1;
			} else {
				fprintf(stderr, "floor: -m stat|echo\n");
				return 64;
			}
			break;
		default:
			fprintf(stderr, "usage: floor [-j JOBS] [-t SECS] "
				"[-r RUNS] [-d USEC] [-x] [-m stat|echo]\n");
			return 64;
		}
	}
	if (jobs < 1 || jobs > 64 || runs < 1 || runs > 64 || secs <= 0) {
		fprintf(stderr, "floor: 1-64 jobs, 1-64 runs, SECS > 0\n");
		return 64;
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0) {
		die("socket");
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (void *)&sa, sizeof(sa)) != 0 || listen(lfd, 128) != 0 ||
	    getsockname(lfd, (void *)&sa, &sl) != 0) {
		die("listen");
	}
	srv = fork();
	if (srv < 0) {
		die("fork");
	}
	if (srv == 0) {
		server(lfd, extra);
		_exit(0);
	}
	close(lfd);
	for (r = 0; r < runs; r++) {
		long u0 = 0, s0 = 0, u1 = 0, s1 = 0;
		int pfd[2] = { -1, -1 };
		int total = 0;
		int j = 0;

		if (pipe(pfd) != 0 || proc_cpu(srv, &u0, &s0) != 0) {
			die("pipe or /proc");
		}
		for (j = 0; j < jobs; j++) {
			if (fork() == 0) {
				int c = client(&sa, secs, think);

				if (write(pfd[1], &c, sizeof(c)) < 0) {
					_exit(1);
				}
				_exit(0);
			}
		}
		for (j = 0; j < jobs; j++) {
			int c = 0;

			if (read(pfd[0], &c, sizeof(c)) == sizeof(c)) {
				total += c;
			}
			wait(NULL);
		}
		close(pfd[0]);
		close(pfd[1]);
		if (proc_cpu(srv, &u1, &s1) != 0 || total == 0) {
			die("no cycles");
		}
		tot[r] = (double)(u1 - u0 + s1 - s0) / hz / total * 1e6;
		printf("run %d: %d %s, server user %.1f us + system %.1f "
		       "us = %.1f us per %s\n", r + 1, total,
		       keep_conn ? "units" : "cycles",
		       (double)(u1 - u0) / hz / total * 1e6,
		       (double)(s1 - s0) / hz / total * 1e6, tot[r],
		       keep_conn ? "unit" : "cycle");
	}
	kill(srv, SIGKILL);
	waitpid(srv, NULL, 0);
	qsort(tot, (size_t)runs, sizeof(tot[0]), cmp_double);
	printf("median: %.1f us of server CPU per %s%s\n", tot[runs / 2],
	       keep_conn ? "unit" : "cycle",
	       extra ? " (with wgsmbd's per-connection calls)" : "");
	return 0;
}
