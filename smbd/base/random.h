/*
 * random.h - random bytes for the protocol (server challenges, preauth
 * salts) from a small per-thread pool filled by getrandom(2), so that a
 * session setup does not cost a system call per random field.
 */
#ifndef WG_SMBD_RANDOM_H
#define WG_SMBD_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Fill buf with n bytes from the kernel's CSPRNG. Bytes come from a pool
 * of this thread's (SMBD_RANDOM_POOL bytes, refilled whole when it runs
 * short; every byte handed out is wiped from the pool, none is handed out
 * twice; a child of fork() starts with an empty pool). Requests larger
 * than the pool go to getrandom() directly. Returns 0, or -errno of
 * getrandom() (buf is then unspecified).
 */
#define SMBD_RANDOM_POOL	256
int smbd_random(void *buf, size_t n);

/* How often this thread's pool was filled (for tests). */
uint64_t smbd_random_refills(void);

#endif
