/*
 * bindaddr.c - LD_PRELOAD shim that makes one test process look like its
 * own client computer.
 *
 * The server tells client computers apart by their source IP address
 * (PROTOCOL.md section 3). On loopback every client would otherwise come
 * from 127.0.0.1, so with WG_BIND_ADDR=127.0.0.N set, an AF_INET stream
 * socket that connects to 127.0.0.0/8 is first bound to 127.0.0.N, port 0.
 * Any other socket, or an unset/invalid WG_BIND_ADDR, is passed through
 * untouched. If the bind fails, connect() fails with bind's errno.
 *
 * Build: cc -shared -fPIC -o bindaddr.so tests/shim/bindaddr.c -ldl
 * Use:   WG_BIND_ADDR=127.0.0.7 LD_PRELOAD=$PWD/bindaddr.so smbclient ...
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);

/* 1 if fd is an AF_INET SOCK_STREAM socket that has no local address yet */
static int wants_bind(int fd)
{
	struct sockaddr_in local = {};
	socklen_t len = sizeof(local);
	int type = 0;
	socklen_t tlen = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0) {
		return 0;
	}
	if (type != SOCK_STREAM) {
		return 0;
	}
	if (getsockname(fd, (struct sockaddr *)&local, &len) != 0) {
		return 0;
	}
	if (local.sin_family != AF_INET) {
		return 0;
	}
	return local.sin_port == 0 && local.sin_addr.s_addr == INADDR_ANY;
}

int connect(int fd, const struct sockaddr *addr, socklen_t addrlen)
{
	static connect_fn real_connect = NULL;
	const char *want = getenv("WG_BIND_ADDR");
	const struct sockaddr_in *dst = (const struct sockaddr_in *)addr;
	struct sockaddr_in src = {};

	if (real_connect == NULL) {
		real_connect = (connect_fn)dlsym(RTLD_NEXT, "connect");
		if (real_connect == NULL) {
			errno = ENOSYS;
			return -1;
		}
	}
	if (want == NULL || addr == NULL || addrlen < sizeof(*dst) ||
	    dst->sin_family != AF_INET ||
	    (ntohl(dst->sin_addr.s_addr) >> 24) != 127) {
		return real_connect(fd, addr, addrlen);
	}
	src.sin_family = AF_INET;
	src.sin_port = 0;
	if (inet_pton(AF_INET, want, &src.sin_addr) != 1 ||
	    (ntohl(src.sin_addr.s_addr) >> 24) != 127) {
		return real_connect(fd, addr, addrlen);
	}
	/*
	 * A failed bind fails the connect: a test that silently came from
	 * 127.0.0.1 instead would pass or fail for the wrong reason.
	 */
	if (wants_bind(fd) &&
	    bind(fd, (const struct sockaddr *)&src, sizeof(src)) != 0) {
		return -1;
	}
	return real_connect(fd, addr, addrlen);
}
