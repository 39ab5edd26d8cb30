/*
 * log.c - leveled logging with debug classes, to stderr or syslog.
 *
 * stderr lines look like
 *   2024-05-01 12:00:00.123 wgsmbd[42]: NOTICE conn smbd_conn_new: message
 * syslog gets "NOTICE conn func: message" (syslog adds time and pid).
 * Each message is formatted into one buffer and written with one write(),
 * so lines from worker threads do not interleave. Control characters in
 * messages (client-supplied names can hold them) are shown as '?', so a
 * client cannot forge log lines.
 */
#include "smbd/base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/time.h>

#define WG_LOG_LINE_MAX		2048
#define WG_LOG_RL_WINDOW	10	/* seconds */
#define WG_LOG_RL_BURST		10	/* messages per window */

int wg_log_levels[WG_CLS_NUM] = {
	[0 ... WG_CLS_NUM - 1] = WG_LOG_NOTICE,
};

static const char *const class_names[WG_CLS_NUM] = {
	[WG_CLS_GEN] = "gen",
	[WG_CLS_CONN] = "conn",
	[WG_CLS_AUTH] = "auth",
	[WG_CLS_SESS] = "sess",
	[WG_CLS_PIPE] = "pipe",
	[WG_CLS_PROTO] = "proto",
	[WG_CLS_VFS] = "vfs",
};

static const char *const level_names[] = {
	[WG_LOG_ERR] = "ERR",
	[WG_LOG_WARN] = "WARN",
	[WG_LOG_NOTICE] = "NOTICE",
	[WG_LOG_INFO] = "INFO",
	[WG_LOG_DEBUG] = "DEBUG",
};

static const int level_prio[] = {
	[WG_LOG_ERR] = LOG_ERR,
	[WG_LOG_WARN] = LOG_WARNING,
	[WG_LOG_NOTICE] = LOG_NOTICE,
	[WG_LOG_INFO] = LOG_INFO,
	[WG_LOG_DEBUG] = LOG_DEBUG,
};

static char wg_log_progname[32] = "wgsmbd";
static bool wg_log_to_stderr = true;
static bool wg_log_syslog_open;

void wg_log_init(const char *progname, bool to_stderr)
{
	if (progname != NULL) {
		const char *slash = strrchr(progname, '/');

		snprintf(wg_log_progname, sizeof(wg_log_progname), "%s",
			 slash != NULL ? slash + 1 : progname);
	}
	if (wg_log_syslog_open) {
		closelog();
		wg_log_syslog_open = false;
	}
	wg_log_to_stderr = to_stderr;
	if (!to_stderr) {
		/* openlog keeps the pointer: wg_log_progname is static. */
		openlog(wg_log_progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		wg_log_syslog_open = true;
	}
}

static int clamp(int level)
{
	if (level < WG_LOG_ERR) {
		return WG_LOG_ERR;
	}
	if (level > WG_LOG_DEBUG) {
		return WG_LOG_DEBUG;
	}
	return level;
}

void wg_log_set_level(int level)
{
	int i = 0;

	for (i = 0; i < WG_CLS_NUM; i++) {
		wg_log_levels[i] = clamp(level);
	}
}

int wg_log_set_class(const char *spec)
{
	const char *colon = NULL;
	char *end = NULL;
	size_t len = 0;
	long level = 0;
	int i = 0;

	if (spec == NULL) {
		return -1;
	}
	colon = strchr(spec, ':');
	if (colon == NULL || colon == spec || colon[1] == '\0') {
		return -1;
	}
	errno = 0;
	level = strtol(colon + 1, &end, 10);
	/* Samba levels run to 10; anything above ours means "debug". */
	if (errno != 0 || *end != '\0' || level < 0 || level > 10) {
		return -1;
	}
	len = (size_t)(colon - spec);
	if (len == 3 && strncasecmp(spec, "all", 3) == 0) {
		wg_log_set_level((int)level);
		return 0;
	}
	for (i = 0; i < WG_CLS_NUM; i++) {
		if (strlen(class_names[i]) == len &&
		    strncasecmp(spec, class_names[i], len) == 0) {
			wg_log_levels[i] = clamp((int)level);
			return 0;
		}
	}
	return -1;
}

/* Replace control characters so one message stays one line. */
static void sanitize(char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			*s = '?';
		}
	}
}

static size_t stderr_prefix(char *buf, size_t size)
{
	struct timeval tv = {};
	struct tm tm = {};
	size_t n = 0;

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03ld %s[%ld]: ",
		 (long)(tv.tv_usec / 1000), wg_log_progname, (long)getpid());
	return strlen(buf);
}

void wg_log_msg(int level, int cls, const char *func, const char *fmt, ...)
{
	char buf[WG_LOG_LINE_MAX];
	int saved_errno = errno;
	size_t prefix = 0;
	size_t len = 0;
	size_t body = 0;
	va_list ap;
	int n = 0;

	level = clamp(level);
	if (cls < 0 || cls >= WG_CLS_NUM) {
		cls = WG_CLS_GEN;
	}
	if (wg_log_to_stderr) {
		prefix = stderr_prefix(buf, sizeof(buf));
	}
	n = snprintf(buf + prefix, sizeof(buf) - prefix, "%s %s %s: ",
		     level_names[level], class_names[cls],
		     func != NULL ? func : "?");
	len = prefix + ((n > 0 && (size_t)n < sizeof(buf) - prefix) ?
			(size_t)n : 0);
	body = len;
	errno = saved_errno;	/* for %m */
	va_start(ap, fmt);
	n = vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		n = 0;
		buf[len] = '\0';
	}
	if ((size_t)n >= sizeof(buf) - len) {
		/* Truncated: mark it, keep room for the newline. */
		len = sizeof(buf) - 5;
		memcpy(buf + len, "...", 4);
		len += 3;
	} else {
		len += (size_t)n;
	}
	sanitize(buf + body);
	if (wg_log_to_stderr) {
		ssize_t w = 0;

		buf[len++] = '\n';
		w = write(STDERR_FILENO, buf, len);
		(void)w;
	} else {
		syslog(level_prio[level], "%s", buf);
	}
	errno = saved_errno;
}

static time_t rl_now(void)
{
	struct timespec ts = {};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

bool wg_log_rl_allow(struct wg_log_rl *rl, unsigned *suppressed)
{
	time_t now = rl_now();

	if (suppressed != NULL) {
		*suppressed = 0;
	}
	if (rl->count == 0 || now - rl->window >= WG_LOG_RL_WINDOW ||
	    now < rl->window) {
		/* A new window: report what the last one swallowed. */
		if (suppressed != NULL) {
			*suppressed = rl->suppressed;
		}
		rl->window = now;
		rl->count = 1;
		rl->suppressed = 0;
		return true;
	}
	if (rl->count < WG_LOG_RL_BURST) {
		rl->count++;
		return true;
	}
	rl->suppressed++;
	return false;
}
