/*
 * log.h - leveled logging with debug classes. Every macro carries the
 * level and the function name. Messages a client can trigger should use
 * WG_LOG_RL (rate-limited per call site).
 */
#ifndef WG_SMBD_LOG_H
#define WG_SMBD_LOG_H

#include <stdbool.h>
#include <time.h>

enum wg_log_level {
	WG_LOG_ERR = 0,
	WG_LOG_WARN = 1,
	WG_LOG_NOTICE = 2,
	WG_LOG_INFO = 3,
	WG_LOG_DEBUG = 4,
};

enum wg_log_class {
	WG_CLS_GEN = 0,
	WG_CLS_CONN,
	WG_CLS_AUTH,
	WG_CLS_SESS,
	WG_CLS_PIPE,
	WG_CLS_PROTO,
	WG_CLS_VFS,
	WG_CLS_NUM,
};

/* Current level per class; a message is shown if level <= wg_log_levels[cls] */
extern int wg_log_levels[WG_CLS_NUM];

void wg_log_init(const char *progname, bool to_stderr);
/* Set every class to level. */
void wg_log_set_level(int level);
/* "auth:4" style: set one class; returns -1 if the class is unknown. */
int wg_log_set_class(const char *spec);

void wg_log_msg(int level, int cls, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Token-bucket rate limit per call site: at most 10 messages per 10 s. */
struct wg_log_rl {
	time_t window;
	unsigned count;
	unsigned suppressed;
};
bool wg_log_rl_allow(struct wg_log_rl *rl, unsigned *suppressed);

#define WG_LOG(level, cls, ...)						\
	do {								\
		if ((level) <= wg_log_levels[(cls)]) {			\
			wg_log_msg((level), (cls), __func__, __VA_ARGS__);\
		}							\
	} while (0)

#define WG_LOG_RL(level, cls, ...)					\
	do {								\
		static struct wg_log_rl rl__;				\
		unsigned sup__ = 0;					\
		if ((level) <= wg_log_levels[(cls)] &&			\
		    wg_log_rl_allow(&rl__, &sup__)) {			\
			if (sup__ > 0) {				\
				wg_log_msg((level), (cls), __func__,	\
					   "(%u similar messages "	\
					   "suppressed)", sup__);	\
			}						\
			wg_log_msg((level), (cls), __func__, __VA_ARGS__);\
		}							\
	} while (0)

#define DBG_ERR(cls, ...) WG_LOG(WG_LOG_ERR, WG_CLS_##cls, __VA_ARGS__)
#define DBG_WARN(cls, ...) WG_LOG(WG_LOG_WARN, WG_CLS_##cls, __VA_ARGS__)
#define DBG_NOTICE(cls, ...) WG_LOG(WG_LOG_NOTICE, WG_CLS_##cls, __VA_ARGS__)
#define DBG_INFO(cls, ...) WG_LOG(WG_LOG_INFO, WG_CLS_##cls, __VA_ARGS__)
#define DBG_DEBUG(cls, ...) WG_LOG(WG_LOG_DEBUG, WG_CLS_##cls, __VA_ARGS__)
/* Client-triggerable: rate-limited */
#define DBG_CLIENT(cls, ...) WG_LOG_RL(WG_LOG_NOTICE, WG_CLS_##cls, __VA_ARGS__)

#endif
