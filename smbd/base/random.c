/*
 * random.c - the per-thread pool of kernel random bytes (random.h).
 */
#include "smbd/base/random.h"

#include "proto/wire.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

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

int smbd_random(void *buf, size_t n)
{
	uint8_t *from = NULL;
	int rc = 0;

	if (n > sizeof(pool.buf)) {
		return wire_random(buf, n);
	}
	(void)pthread_once(&atfork_once, rnd_atfork);
	if (pool.left < n) {
		rc = wire_random(pool.buf, sizeof(pool.buf));
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
