/*
 * nttime.c - NT time conversions and the clock. See nttime.h.
 */
#include "smbd/base/nttime.h"

#define NT_TICKS_PER_SEC	10000000ULL

uint64_t smbd_timespec_nt(const struct timespec *ts)
{
	int64_t sec = 0;

	if (ts->tv_sec < -SMBD_NT_EPOCH_DELTA) {
		return 0;
	}
	sec = (int64_t)ts->tv_sec + SMBD_NT_EPOCH_DELTA;
	if ((uint64_t)sec > UINT64_MAX / NT_TICKS_PER_SEC - 1) {
		return UINT64_MAX;
	}
	return (uint64_t)sec * NT_TICKS_PER_SEC + (uint64_t)ts->tv_nsec / 100;
}

bool smbd_nt_timespec(int64_t nt, struct timespec *ts)
{
	if (nt < 0) {
		return false;
	}
	ts->tv_sec = (time_t)(nt / (int64_t)NT_TICKS_PER_SEC) -
		     SMBD_NT_EPOCH_DELTA;
	ts->tv_nsec = (long)(nt % (int64_t)NT_TICKS_PER_SEC) * 100;
	return true;
}

uint64_t smbd_nt_now(void)
{
	struct timespec ts = {};

	clock_gettime(CLOCK_REALTIME, &ts);
	return smbd_timespec_nt(&ts);
}

uint64_t smbd_nt_secs_since(uint64_t then, uint64_t now)
{
	return now > then ? (now - then) / NT_TICKS_PER_SEC : 0;
}

int64_t smbd_nt_unix_secs(uint64_t nt)
{
	return (int64_t)(nt / NT_TICKS_PER_SEC) - SMBD_NT_EPOCH_DELTA;
}
