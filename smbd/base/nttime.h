/*
 * nttime.h - NT time (FILETIME): 100 ns units since 1601-01-01 UTC, as
 * SMB2 carries every timestamp [MS-DTYP §2.3.3].
 */
#ifndef WG_SMBD_NTTIME_H
#define WG_SMBD_NTTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Seconds between 1601-01-01 and 1970-01-01. */
#define SMBD_NT_EPOCH_DELTA	11644473600LL

/*
 * A Unix time as an NT FILETIME (100 ns units since 1601-01-01 UTC):
 * (tv_sec + 11644473600) * 10^7 + tv_nsec / 100. Times before 1601 give 0.
 */
uint64_t smbd_timespec_nt(const struct timespec *ts);

/*
 * The reverse of smbd_timespec_nt(), for SET_INFO: nt is an NT time as a
 * signed 64-bit count; negative values are the caller's business (SET_INFO
 * gives 0, -1 and -2 special meanings) and are not accepted here: returns
 * false and leaves *ts alone for nt < 0.
 */
bool smbd_nt_timespec(int64_t nt, struct timespec *ts);

/* The current time (CLOCK_REALTIME) as NT time. */
uint64_t smbd_nt_now(void);

/* Whole seconds from NT time then until now (0 if then is not earlier). */
uint64_t smbd_nt_secs_since(uint64_t then, uint64_t now);

/* NT time as Unix seconds (negative before 1970). */
int64_t smbd_nt_unix_secs(uint64_t nt);

#endif
