/*
 * vg_openat2.c - LD_PRELOAD shim for profiling wgsmbd under valgrind only.
 *
 * Valgrind 3.19 (Debian 12) does not know openat2(2) (syscall 437) and
 * fails it with ENOSYS, so every path lookup of wgsmbd's VFS would fail
 * under callgrind. This shim replaces libc's syscall() and serves
 * SYS_openat2 with openat(2), dropping the RESOLVE_* flags: the lookup is
 * no longer confined beneath the share root. Never use it outside a
 * profiling run (bench/profile.sh), never on a server others can reach.
 *
 * Build: cc -shared -fPIC -o vg_openat2.so bench/vg_openat2.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef long (*syscall_fn)(long, ...);

long syscall(long nr, ...)
{
	static syscall_fn real_syscall;
	long a[6];
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++) {
		a[i] = va_arg(ap, long);
	}
	va_end(ap);
	if (nr == SYS_openat2) {
		const char *path = (const char *)a[1];
		const struct open_how *how = (const struct open_how *)a[2];

		if (path == NULL || how == NULL) {
			errno = EFAULT;
			return -1;
		}
		return openat((int)a[0], path[0] == '\0' ? "." : path,
			      (int)how->flags, (mode_t)how->mode);
	}
	if (real_syscall == NULL) {
		real_syscall = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
		if (real_syscall == NULL) {
			errno = ENOSYS;
			return -1;
		}
	}
	return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
