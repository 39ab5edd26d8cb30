/*
 * main.c - wgsmbd, the SMB2/3 server daemon: arguments, start-up order,
 * signals and the main loop.
 *
 * Start-up order:
 *   1. parse arguments, load the config (a bad one exits 1);
 *   2. create the tevent context and the server, bind every port (root);
 *   3. unless -F/-i: detach (the launching process waits and exits with
 *      the daemon's start-up status);
 *   4. as root: refuse a "run as user" that is root or nobody, create
 *      the state directory and give it, the users file and a new
 *      directory for the control socket to "run as user" (not as root:
 *      refuse to run as nobody);
 *   5. unless -F/-i: lock and write <state directory>/wgsmbd.pid;
 *   6. as root: drop to "run as user" for good;
 *   7. start serving, install the signal handlers, loop.
 *
 * The users file is read by the server after privileges are dropped
 * (and again on SIGHUP, by path), so when we start as root and it is
 * root-owned we hand its ownership (not its group or mode) to the run-as
 * user. The run-as user is a dedicated account (default _wgsmb, made by
 * the Debian package or scripts/demo.sh); "nobody" is refused, as is
 * running as nobody's uid: any process running as that user can read
 * the password hashes and use the control socket.
 *
 * Signals: SIGTERM/SIGINT shut down cleanly (a second one exits at
 * once), SIGHUP reloads the config (a bad one is logged and the running
 * one kept), SIGPIPE is ignored.
 */
#include "smbd/smbd.h"
#include "smbd/daemon/server.h"
#include "smbd/daemon/daemon.h"
#include "smbd/loop.h"
#include "smbd/base/config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <malloc.h>

#ifndef WGSMB_VERSION
#define WGSMB_VERSION "0.1.0"
#endif

#define WGSMBD_DEFAULT_CONFIG "/etc/wgsmb/wgsmb.conf"

struct wgsmbd {
	TALLOC_CTX *mem;
	struct tevent_context *ev;
	struct smbd_server *srv;
	const char *config_path;
	int debug_level;	/* -d, or -1: from the config */
	bool foreground;
	bool shutting_down;
	bool done;
	bool force_exit;
	struct wg_pidfile *pidfile;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: wgsmbd [options]\n"
		"SMB2/3 file and print server.\n"
		"\n"
		"  -c, --config FILE      configuration file (default "
		WGSMBD_DEFAULT_CONFIG ")\n"
		"  -F, --foreground       do not detach; log to stderr\n"
		"  -i, --interactive      same as -F (Samba compatibility)\n"
		"  -d, --debuglevel LEVEL log level 0-10 (above 4 is debug); "
		"overrides\n"
		"                         'log level' in the config\n"
		"  -h, --help             show this help\n"
		"  -V, --version          show the version\n"
		"\n"
		"Signals: TERM/INT shut down, HUP reloads the "
		"configuration.\n");
}

/* Set the log levels from the config, unless -d said otherwise. */
static void apply_log_config(const struct wgsmbd *d,
			     const struct wg_config *cfg)
{
	char *classes = NULL;
	char *tok = NULL;
	char *save = NULL;

	if (d->debug_level >= 0) {
		wg_log_set_level(d->debug_level);
		return;
	}
	wg_log_set_level(cfg->log_level);
	if (cfg->log_classes == NULL || cfg->log_classes[0] == '\0') {
		return;
	}
	classes = talloc_strdup(NULL, cfg->log_classes);
	if (classes == NULL) {
		return;
	}
	for (tok = strtok_r(classes, " ", &save); tok != NULL;
	     tok = strtok_r(NULL, " ", &save)) {
		if (wg_log_set_class(tok) != 0) {
			DBG_WARN(GEN, "ignoring log class '%s'", tok);
		}
	}
	talloc_free(classes);
}

static bool str_lists_equal(char **a, char **b)
{
	size_t i = 0;

	for (i = 0; a != NULL && b != NULL && a[i] != NULL && b[i] != NULL;
	     i++) {
		if (strcmp(a[i], b[i]) != 0) {
			return false;
		}
	}
	return (a == NULL || a[i] == NULL) && (b == NULL || b[i] == NULL);
}

/* Settings applied once at start-up, as root. */
/*
 * Every client holds a socket (and each open file an fd): take the whole
 * hard limit, so a workgroup - or 10,000 sessions in the server edition -
 * is not cut off at the default 1,024.
 */
/*
 * READ and WRITE move 1 MiB buffers. Above glibc's default threshold
 * each would be a fresh mmap (page faults and zeroing every time) and
 * its free would trim the heap; keep them on the heap and reuse them.
 */
static void tune_malloc(void)
{
	mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
}

static void raise_fd_limit(void)
{
	struct rlimit rl = {};

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) {
		return;
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		DBG_WARN(GEN, "cannot raise the open file limit: %s",
			 strerror(errno));
		return;
	}
	DBG_INFO(GEN, "open file limit raised to %llu",
		 (unsigned long long)rl.rlim_cur);
}

static void warn_restart_needed(const struct wg_config *old,
				const struct wg_config *cfg)
{
	if (!str_lists_equal(old->listen_addresses, cfg->listen_addresses) ||
	    old->nports != cfg->nports ||
	    memcmp(old->ports, cfg->ports,
		   old->nports * sizeof(old->ports[0])) != 0) {
		DBG_WARN(GEN, "reload: 'listen addresses' and 'smb ports' "
			 "change only on restart");
	}
	if (old->nbns != cfg->nbns || old->nbns_port != cfg->nbns_port) {
		DBG_WARN(GEN, "reload: 'netbios name service' and 'nbns port' "
			 "change only on restart");
	}
	if (strcmp(old->run_as_user, cfg->run_as_user) != 0 ||
	    strcmp(old->state_dir, cfg->state_dir) != 0 ||
	    strcmp(old->control_socket, cfg->control_socket) != 0) {
		DBG_WARN(GEN, "reload: 'run as user', 'state directory' and "
			 "'control socket' change only on restart");
	}
	if (old->server_threads != cfg->server_threads) {
		DBG_WARN(GEN, "reload: 'server threads' changes only on "
			 "restart");
	}
	if (old->loop_priority != cfg->loop_priority) {
		DBG_WARN(GEN, "reload: 'loop priority' changes only on "
			 "restart");
	}
}

static void on_hup(struct tevent_context *ev, struct tevent_signal *se,
		   int signum, int count, void *siginfo, void *private_data)
{
	struct wgsmbd *d = private_data;
	struct wg_config *cfg = NULL;
	char *err = NULL;

	if (d->shutting_down) {
		return;
	}
	cfg = wg_config_load(d->mem, d->config_path, &err);
	if (cfg != NULL && wg_config_check_system(cfg, d->mem, &err) != 0) {
		TALLOC_FREE(cfg);
	}
	if (cfg == NULL) {
		DBG_ERR(GEN, "reload failed, keeping the running "
			"configuration: %s", err != NULL ? err : "no memory");
		talloc_free(err);
		return;
	}
	warn_restart_needed(d->srv->cfg, cfg);
	apply_log_config(d, cfg);
	DBG_NOTICE(GEN, "reloading %s", d->config_path);
	/* The server takes cfg over and frees the old one when unused. */
	smbd_server_reload(d->srv, cfg);
}

static void on_term(struct tevent_context *ev, struct tevent_signal *se,
		    int signum, int count, void *siginfo, void *private_data)
{
	struct wgsmbd *d = private_data;

	if (d->shutting_down) {
		DBG_WARN(GEN, "signal %d during shutdown: exiting now", signum);
		d->force_exit = true;
		return;
	}
	DBG_NOTICE(GEN, "signal %d: shutting down", signum);
	d->shutting_down = true;
	smbd_server_shutdown(d->srv, &d->done);
}

static int install_signals(struct wgsmbd *d)
{
	static const int term[] = { SIGTERM, SIGINT };
	size_t i = 0;

	for (i = 0; i < sizeof(term) / sizeof(term[0]); i++) {
		if (tevent_add_signal(d->ev, d->mem, term[i], 0, on_term, d) ==
		    NULL) {
			DBG_ERR(GEN, "cannot handle signal %d", term[i]);
			return -ENOMEM;
		}
	}
	if (tevent_add_signal(d->ev, d->mem, SIGHUP, 0, on_hup, d) == NULL) {
		DBG_ERR(GEN, "cannot handle SIGHUP");
		return -ENOMEM;
	}
	return 0;
}

/*
 * --list-keys (not in --help): every key the config parser knows, one
 * "global<TAB>key" or "share<TAB>key" line each, so the man page check
 * (tests/man/check_man.py) compares wgsmb.conf(5) with the parser itself.
 */
static void list_keys(void)
{
	const char *name = NULL;
	size_t i = 0;

	for (i = 0; (name = wg_config_key_name(false, i)) != NULL; i++) {
		printf("global\t%s\n", name);
	}
	for (i = 0; (name = wg_config_key_name(true, i)) != NULL; i++) {
		printf("share\t%s\n", name);
	}
}

enum { OPT_LIST_KEYS = 0x100 };

static int parse_args(struct wgsmbd *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'F' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "debuglevel", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "list-keys", no_argument, NULL, OPT_LIST_KEYS },
		{ NULL, 0, NULL, 0 },
	};
	char *end = NULL;
	long level = 0;
	int c = 0;

	while ((c = getopt_long(argc, argv, "c:Fid:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d->config_path = optarg;
			break;
		case 'F':
		case 'i':
			d->foreground = true;
			break;
		case 'd':
			errno = 0;
			level = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    level < 0 || level > 10) {
				fprintf(stderr, "wgsmbd: -d '%s': expected a "
					"level from 0 to 10\n", optarg);
				return 2;
			}
			d->debug_level = (int)level;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("wgsmbd %s\n", WGSMB_VERSION);
			return 0;
		case OPT_LIST_KEYS:
			list_keys();
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "wgsmbd: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	return -1;
}

/* The account the daemon will run as (*uid, *gid), or -errno with the
 * reason logged: an unknown user, root, or nobody. */
static int run_as_account(const struct wg_config *cfg, uid_t *uid, gid_t *gid)
{
	*uid = geteuid();
	*gid = getegid();
	if (geteuid() == 0) {
		return wg_daemon_lookup_user(cfg->run_as_user, uid, gid);
	}
	/* "run as user" is not used, but nobody is never right. */
	return wg_daemon_refuse_nobody(cfg->run_as_user, *uid);
}

/* Steps 4-6 of the start-up: state directory, pid file, dropping root. */
static int become_unprivileged(struct wgsmbd *d, const struct wg_config *cfg)
{
	bool root = geteuid() == 0;
	char *pidpath = NULL;
	uid_t uid = 0;
	gid_t gid = 0;
	int rc = 0;

	rc = run_as_account(cfg, &uid, &gid);
	if (rc != 0) {
		return rc;
	}
	rc = wg_daemon_prepare_state_dir(cfg->state_dir, uid, gid);
	if (rc != 0 && (root || !d->foreground)) {
		return rc;
	}
	/* Not fatal: the control socket logs its own failure. */
	wg_daemon_prepare_socket_dir(cfg->control_socket, uid, gid);
	if (root) {
		/* Not fatal: the server reports an unreadable users file. */
		wg_daemon_hand_over_file(cfg->users_file, uid);
	}
	if (!d->foreground) {
		pidpath = talloc_asprintf(d->mem, "%s/wgsmbd.pid",
					  cfg->state_dir);
		if (pidpath == NULL) {
			return -ENOMEM;
		}
		rc = wg_pidfile_create(d->mem, pidpath, &d->pidfile);
		talloc_free(pidpath);
		if (rc != 0) {
			return rc;
		}
	}
	/*
	 * `loop priority`: the main thread runs the first loop, and may
	 * lower its nice only now, as root (CAP_SYS_NICE); the loop threads
	 * it starts inherit it, the workers go back to the old value.
	 */
	smbd_loop_priority_early(cfg->loop_priority);
	if (root) {
		rc = wg_daemon_drop_privileges(cfg->run_as_user);
		if (rc != 0) {
			return rc;
		}
	} else {
		DBG_NOTICE(GEN, "not started as root: running as uid %ld",
			   (long)geteuid());
	}
	return 0;
}

static int run(struct wgsmbd *d)
{
	struct wg_config *cfg = NULL;
	char *err = NULL;
	int ready_fd = -1;
	int rc = 0;

	cfg = wg_config_load(d->mem, d->config_path, &err);
	if (cfg != NULL && wg_config_check_system(cfg, d->mem, &err) != 0) {
		TALLOC_FREE(cfg);
	}
	if (cfg == NULL) {
		fprintf(stderr, "wgsmbd: %s\n",
			err != NULL ? err : "out of memory");
		return 1;
	}
	apply_log_config(d, cfg);
	signal(SIGPIPE, SIG_IGN);

	d->ev = tevent_context_init(d->mem);
	if (d->ev == NULL) {
		DBG_ERR(GEN, "cannot create the event context");
		return 1;
	}
	/* The server owns cfg from here on. */
	d->srv = smbd_server_new(d->mem, d->ev, cfg);
	if (d->srv == NULL) {
		DBG_ERR(GEN, "cannot create the server: out of memory");
		return 1;
	}
	raise_fd_limit();
	tune_malloc();
	/* an account that will be refused is said before binding a port */
	{
		uid_t uid = 0;
		gid_t gid = 0;

		if (run_as_account(d->srv->cfg, &uid, &gid) != 0) {
			return 1;
		}
	}
	if (smbd_server_listen(d->srv) != 0) {
		return 1;
	}
	if (!d->foreground) {
		if (wg_daemon_detach(&ready_fd) != 0) {
			return 1;
		}
		/* Only the daemon gets here: renew the epoll fd after fork. */
		if (tevent_re_initialise(d->ev) != 0) {
			DBG_ERR(GEN, "cannot re-initialise the event context");
			return 1;
		}
	}
	if (become_unprivileged(d, d->srv->cfg) != 0) {
		return 1;
	}
	rc = smbd_server_start(d->srv);
	if (rc != 0) {
		DBG_ERR(GEN, "cannot start serving: %s", strerror(-rc));
		return 1;
	}
	if (install_signals(d) != 0) {
		return 1;
	}
	DBG_NOTICE(GEN, "wgsmbd %s started (config %s)", WGSMB_VERSION,
		   d->config_path);
	if (!d->foreground) {
		wg_log_init("wgsmbd", false);
		wg_daemon_ready(ready_fd);
	}
	while (!d->done && !d->force_exit) {
		if (tevent_loop_once(d->ev) != 0) {
			DBG_ERR(GEN, "event loop failed: %s", strerror(errno));
			return 1;
		}
	}
	if (d->force_exit) {
		return 1;
	}
	DBG_NOTICE(GEN, "exiting");
	return 0;
}

int main(int argc, char **argv)
{
	struct wgsmbd d = {
		.config_path = WGSMBD_DEFAULT_CONFIG,
		.debug_level = -1,
	};
	int rc = 0;

	rc = parse_args(&d, argc, argv);
	if (rc >= 0) {
		return rc;
	}
	if (!d.foreground) {
		/* A daemon keeps no descriptors from whoever launched it. */
		close_range(STDERR_FILENO + 1, ~0U, 0);
	}
	wg_log_init("wgsmbd", true);
	if (d.debug_level >= 0) {
		wg_log_set_level(d.debug_level);
	}
	d.mem = talloc_new(NULL);
	if (d.mem == NULL) {
		fprintf(stderr, "wgsmbd: out of memory\n");
		return 1;
	}
	rc = run(&d);
	if (d.srv != NULL) {
		/* the loop threads end before what they use is freed */
		smbd_loops_stop(d.srv);
	}
	/* Frees the server (closing everything) and removes the pid file. */
	talloc_free(d.mem);
	return rc;
}
