/*
 * random.c - the per-thread pool of kernel random bytes (random.h).
 */
#include "smbd/base/random.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/random.h>

struct rnd_pool {
	uint8_t buf[SMBD_RANDOM_POOL];
	size_t left;		/* unused bytes at the end of buf */
	uint64_t refills;
};

static __thread struct rnd_pool pool;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* A child must never repeat bytes its parent hands out too. */
static void rnd_child(void)
{
	explicit_bzero(pool.buf, sizeof(pool.buf));
	pool.left = 0;
}

static void rnd_atfork(void)
{
	(void)pthread_atfork(NULL, NULL, rnd_child);
}

static int rnd_get(uint8_t *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t rc = getrandom(p + got, n - got, 0);

		if (rc < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		got += (size_t)rc;
	}
	return 0;
}

int smbd_random(void *buf, size_t n)
{
	uint8_t *from = NULL;
	int rc = 0;

	if (n > sizeof(pool.buf)) {
		return rnd_get(buf, n);
	}
	(void)pthread_once(&atfork_once, rnd_atfork);
	if (pool.left < n) {
		rc = rnd_get(pool.buf, sizeof(pool.buf));
		if (rc != 0) {
			pool.left = 0;
			return rc;
		}
		pool.left = sizeof(pool.buf);
		pool.refills++;
	}
	from = pool.buf + sizeof(pool.buf) - pool.left;
	memcpy(buf, from, n);
	explicit_bzero(from, n);
	pool.left -= n;
	return 0;
}

uint64_t smbd_random_refills(void)
{
	return pool.refills;
}
