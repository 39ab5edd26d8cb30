/*
 * wgnet.c - the wgsmb administration tool.
 *
 *	wgnet [-c CONFIG] VERB [ARGS...]
 *
 * One function per verb, found through the verb table below. `user`
 * edits the users file named by "users file" in [global] of the config;
 * the other verbs ask the running daemon over its control socket
 * ("control socket", default "<state directory>/wgsmbd.sock"), see
 * wgnet_admin.c; `discovery` sets up Avahi and wsdd from the config,
 * see wgnet_discovery.c. Errors go to stderr naming the object and the
 * errno text. Exit status: 0 success, 1 error, 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <termios.h>
#include <unistd.h>

#include <talloc.h>

#include "proto/ntlmssp.h"
#include "sessions/users.h"
#include "tools/wgnet_admin.h"
#include "tools/wgnet_common.h"
#include "tools/wgnet_discovery.h"

#define WGNET_PASSWORD_MAX	256	/* bytes of UTF-8 */

struct wgnet_verb {
	const char *name;
	int (*run)(struct wgnet *ctx, int argc, char **argv);
};

static int verb_user(struct wgnet *ctx, int argc, char **argv);
static int verb_group(struct wgnet *ctx, int argc, char **argv);

/* Verbs, one row each, with a paragraph in usage() and its own --help. */
static const struct wgnet_verb verbs[] = {
	{ .name = "user", .run = verb_user },
	{ .name = "group", .run = verb_group },
	{ .name = "session", .run = verb_session },
	{ .name = "sessions", .run = verb_session },
	{ .name = "files", .run = verb_files },
	{ .name = "file", .run = verb_files },
	{ .name = "share", .run = verb_share },
	{ .name = "shares", .run = verb_share },
	{ .name = "connections", .run = verb_connections },
	{ .name = "config", .run = verb_config },
	{ .name = "statistics", .run = verb_statistics },
	{ .name = "stats", .run = verb_statistics },
	{ .name = "acl", .run = verb_acl },
	{ .name = "discovery", .run = verb_discovery },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: wgnet [-c CONFIG] [--socket PATH] VERB [ARGS...]\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE    configuration file\n"
		"                       (default " WGNET_DEFAULT_CONFIG ")\n"
		"  -s, --socket PATH    the daemon's control socket (default:\n"
		"                       \"control socket\" in the config, or\n"
		"                       <state directory>/"
		WGNET_SOCKET_NAME ")\n"
		"  -h, --help           show this help; VERB --help for a "
		"verb\n"
		"\n"
		"Verbs:\n"
		"  user add NAME [--stdin]     add a user\n"
		"  user passwd NAME [--stdin]  set a user's password\n"
		"  user del NAME               delete a user (and end the\n"
		"                              sessions it has on wgsmbd)\n"
		"  user list [--json]          list user names (--json: and RIDs)\n"
		"  group add|del NAME          add or delete a local group\n"
		"  group addmember|delmember NAME USER\n"
		"                              put a user in a group or take "
		"it out\n"
		"                              (sessions see it at their next "
		"logon)\n"
		"  group list [--json]         list groups and their members\n"
		"  session [\\\\COMPUTER] [/delete [/user NAME]] [--all] "
		"[--json]\n"
		"                              list session slots, show a "
		"computer's,\n"
		"                              or end them\n"
		"  files [ID /close] [--json]  list open files, or close one\n"
		"  share [--json]              list shares and their users\n"
		"  connections [--json]        list TCP connections\n"
		"  config server [--json]      the server's settings\n"
		"  statistics server [--json]  counters since the daemon "
		"started\n"
		"  acl SHARE:PATH [/reset] [--sddl] [--json]\n"
		"                              show a file's owner and ACL, or "
		"reset\n"
		"                              a tree to inherited permissions\n"
		"  discovery [show|avahi|wsdd] how Avahi and wsdd announce "
		"the\n"
		"                              server (see discovery --help)\n"
		"\n"
		"User options:\n"
		"  --stdin  read the password as one line from standard input\n"
		"           instead of prompting twice on the terminal\n"
		"  --json   machine-readable output\n"
		"\n"
		"The users file is \"users file\" in [global] of the config\n"
		"(default " WGNET_DEFAULT_USERS "). The other verbs ask the\n"
		"running wgsmbd; they need root, the daemon's user or the\n"
		"\"admin group\" of the config.\n"
		"Exit status: 0 success, 1 error, 2 usage error.\n");
}

/* ---- passwords -------------------------------------------------------- */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/*
 * Read one line from fd into buf (NUL-terminated, line end dropped).
 * Byte by byte, so nothing of the password stays in a stdio buffer.
 * Returns 0, -EINTR (signal), -ENODATA (EOF before any byte), -E2BIG, or
 * -errno.
 */
static int read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;

	for (;;) {
		char c = 0;
		ssize_t got = read(fd, &c, 1);

		if (got < 0 && errno == EINTR && got_signal == 0) {
			continue;
		}
		if (got < 0) {
			return -errno;
		}
		if (got == 0) {
			if (n == 0) {
				return -ENODATA;
			}
			break;
		}
		if (c == '\n') {
			break;
		}
		if (n + 1 >= size) {
			return -E2BIG;
		}
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r') {
		n--;
	}
	buf[n] = '\0';
	return 0;
}

/*
 * Prompt on the terminal with echo off. A signal while echo is off
 * restores the terminal before we give up.
 */
static int tty_prompt(int tty, const char *prompt, char *buf, size_t size)
{
	struct termios old = {};
	struct termios quiet = {};
	struct sigaction sa = {};
	struct sigaction saved[4] = {};
	static const int sigs[4] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	int rc = 0;

	if (tcgetattr(tty, &old) != 0) {
		return -errno;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	quiet.c_lflag |= ICANON;
	sa.sa_handler = on_signal;	/* no SA_RESTART: read() returns */
	for (size_t i = 0; i < 4; i++) {
		sigaction(sigs[i], &sa, &saved[i]);
	}
	/* echo off before the prompt, so nothing typed early shows */
	if (tcsetattr(tty, TCSAFLUSH, &quiet) != 0 ||
	    write(tty, prompt, strlen(prompt)) < 0) {
		rc = -errno;
		goto restore;
	}
	rc = read_line(tty, buf, size);
	(void)!write(tty, "\n", 1);

restore:
	tcsetattr(tty, TCSAFLUSH, &old);
	for (size_t i = 0; i < 4; i++) {
		sigaction(sigs[i], &saved[i], NULL);
	}
	if (got_signal != 0) {
		rc = -EINTR;
	}
	return rc;
}

static void password_error(int rc, const char *from)
{
	switch (rc) {
	case -ENODATA:
		err_msg("no password on %s", from);
		break;
	case -E2BIG:
		err_msg("password longer than %d bytes", WGNET_PASSWORD_MAX);
		break;
	case -EINTR:
		err_msg("interrupted");
		break;
	default:
		err_msg("cannot read password from %s: %s", from,
			strerror(-rc));
		break;
	}
}

/* Ask twice on /dev/tty. Returns WGNET_OK or WGNET_ERR. */
static int password_from_tty(char *pw, size_t size)
{
	char again[WGNET_PASSWORD_MAX + 1] = { 0 };
	int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	int ret = WGNET_ERR;
	int rc = 0;

	if (tty < 0) {
		err_msg("cannot open /dev/tty: %s (use --stdin)",
			strerror(errno));
		return WGNET_ERR;
	}
	rc = tty_prompt(tty, "New password: ", pw, size);
	if (rc == 0) {
		rc = tty_prompt(tty, "Retype new password: ", again,
				sizeof(again));
	}
	if (rc != 0) {
		password_error(rc, "/dev/tty");
		goto done;
	}
	if (strcmp(pw, again) != 0) {
		err_msg("passwords do not match");
		goto done;
	}
	ret = WGNET_OK;

done:
	explicit_bzero(again, sizeof(again));
	close(tty);
	return ret;
}

/* Read a password and turn it into an NT hash; the password is wiped. */
static int get_nt_hash(bool from_stdin, uint8_t nt_hash[16])
{
	char pw[WGNET_PASSWORD_MAX + 1] = { 0 };
	int ret = WGNET_ERR;
	int rc = 0;

	if (from_stdin) {
		rc = read_line(STDIN_FILENO, pw, sizeof(pw));
		if (rc != 0) {
			password_error(rc, "standard input");
			goto done;
		}
	} else if (password_from_tty(pw, sizeof(pw)) != WGNET_OK) {
		goto done;
	}
	if (pw[0] == '\0') {
		err_msg("empty password refused");
		goto done;
	}
	if (ntlm_nt_hash(pw, nt_hash) != 0) {
		err_msg("password is not valid UTF-8");
		goto done;
	}
	ret = WGNET_OK;

done:
	explicit_bzero(pw, sizeof(pw));
	return ret;
}

/* ---- the users file --------------------------------------------------- */

/*
 * Serialise writers (two admins, or a script) with an exclusive flock on
 * "<users file>.lock". Returns the fd (closing it unlocks) or -1.
 */
static int users_lock(struct wgnet *ctx)
{
	char *lock = talloc_asprintf(ctx->mem, "%s.lock", ctx->users_file);
	int fd = -1;

	if (lock == NULL) {
		err_msg("out of memory");
		return -1;
	}
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		err_msg("cannot open lock file %s: %s", lock, strerror(errno));
		talloc_free(lock);
		return -1;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			err_msg("cannot lock %s: %s", lock, strerror(errno));
			close(fd);
			talloc_free(lock);
			return -1;
		}
	}
	talloc_free(lock);
	return fd;
}

static struct users_db *users_open(struct wgnet *ctx)
{
	char *err = NULL;
	struct users_db *db = users_load(ctx->mem, ctx->users_file, &err);

	if (db == NULL) {
		err_msg("%s", err != NULL ? err : "out of memory");
		talloc_free(err);
	}
	return db;
}

enum user_op {
	USER_ADD,
	USER_PASSWD,
	USER_DEL,
};

/* Whether op may run on a user who does (not) exist; message if not. */
static bool op_allowed(struct wgnet *ctx, enum user_op op,
		       const struct users_db *db, const char *name)
{
	const char *canon = NULL;
	bool exists = users_lookup(db, name, NULL, &canon) == 0;

	if (op == USER_ADD && exists) {
		err_msg("user \"%s\" already exists in %s", canon,
			ctx->users_file);
		return false;
	}
	if (op != USER_ADD && !exists) {
		err_msg("user \"%s\" not found in %s", name, ctx->users_file);
		return false;
	}
	if (op == USER_ADD && users_group_lookup(db, name, NULL, &canon) == 0) {
		err_msg("\"%s\" is a group in %s", canon, ctx->users_file);
		return false;
	}
	return true;
}

/* Lock, reload, re-check, apply and save. nt_hash unused for USER_DEL. */
static int users_apply(struct wgnet *ctx, enum user_op op, const char *name,
		       const uint8_t nt_hash[16])
{
	static const char *const op_done[] = {
		[USER_ADD] = "added",
		[USER_PASSWD] = "changed password of",
		[USER_DEL] = "deleted",
	};
	struct users_db *db = NULL;
	const char *canon = NULL;
	const char *shown = NULL;
	int lock = users_lock(ctx);
	int ret = WGNET_ERR;
	int rc = 0;

	if (lock < 0) {
		return WGNET_ERR;
	}
	db = users_open(ctx);
	if (db == NULL || !op_allowed(ctx, op, db, name)) {
		goto done;
	}
	/* report the stored spelling, which users_set() keeps */
	if (op != USER_ADD && users_lookup(db, name, NULL, &canon) == 0) {
		shown = talloc_strdup(db, canon);
	}
	if (shown == NULL) {
		shown = name;
	}
	rc = op == USER_DEL ? users_del(db, name)
			    : users_set(db, name, nt_hash);
	if (rc != 0) {
		err_msg("cannot update user \"%s\": %s", shown, strerror(-rc));
		goto done;
	}
	rc = users_save(db, ctx->users_file);
	if (rc != 0) {
		err_msg("cannot save %s: %s", ctx->users_file, strerror(-rc));
		goto done;
	}
	printf("%s user \"%s\"\n", op_done[op], shown);
	ret = WGNET_OK;

done:
	talloc_free(db);
	close(lock);
	return ret;
}

/* add and passwd: check early (before prompting), then apply. */
static int user_set_password(struct wgnet *ctx, enum user_op op,
			     const char *name, bool from_stdin)
{
	uint8_t nt_hash[16] = { 0 };
	struct users_db *db = NULL;
	const char *why = users_name_check(name);
	int ret = WGNET_ERR;

	if (why != NULL) {
		err_msg("invalid user name: %s", why);
		return WGNET_ERR;
	}
	db = users_open(ctx);
	if (db == NULL || !op_allowed(ctx, op, db, name)) {
		talloc_free(db);
		return WGNET_ERR;
	}
	talloc_free(db);
	if (get_nt_hash(from_stdin, nt_hash) != WGNET_OK) {
		return WGNET_ERR;
	}
	ret = users_apply(ctx, op, name, nt_hash);
	explicit_bzero(nt_hash, sizeof(nt_hash));
	return ret;
}

static int user_add(struct wgnet *ctx, const char *name, bool from_stdin)
{
	return user_set_password(ctx, USER_ADD, name, from_stdin);
}

static int user_passwd(struct wgnet *ctx, const char *name, bool from_stdin)
{
	return user_set_password(ctx, USER_PASSWD, name, from_stdin);
}

static int user_del(struct wgnet *ctx, const char *name)
{
	int ret = users_apply(ctx, USER_DEL, name, NULL);

	if (ret == WGNET_OK) {
		wgnet_user_deleted(ctx, name);
	}
	return ret;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			printf("\\%c", c);
		} else if (c < 0x20) {
			printf("\\u%04x", c);
		} else {
			putchar(c);
		}
	}
	putchar('"');
}

static int user_list(struct wgnet *ctx, bool json)
{
	struct users_db *db = users_open(ctx);
	size_t n = 0;

	if (db == NULL) {
		return WGNET_ERR;
	}
	n = users_count(db);
	if (json) {
		printf("{\"users\":[");
	}
	for (size_t i = 0; i < n; i++) {
		if (!json) {
			printf("%s\n", users_name_at(db, i));
			continue;
		}
		printf("%s{\"name\":", i == 0 ? "" : ",");
		json_string(users_name_at(db, i));
		printf(",\"rid\":%u}", (unsigned)users_rid_at(db, i));
	}
	if (json) {
		printf("]}\n");
	}
	talloc_free(db);
	return WGNET_OK;
}

/* wgnet user add|passwd|del|list [NAME] [--stdin] [--json] */
static int verb_user(struct wgnet *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stdin", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool from_stdin = false;
	bool json = false;
	const char *sub = NULL;
	const char *name = NULL;
	int c = 0;

	optind = 0;	/* glibc: full re-initialisation for a new argv */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			from_stdin = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return WGNET_OK;
		default:
			return WGNET_USAGE;
		}
	}
	if (optind >= argc) {
		err_msg("user: missing action (add, passwd, del, list)");
		return WGNET_USAGE;
	}
	sub = argv[optind++];
	if (strcmp(sub, "list") == 0) {
		if (optind != argc || from_stdin) {
			err_msg("usage: wgnet user list [--json]");
			return WGNET_USAGE;
		}
		return config_load(ctx) != WGNET_OK ? WGNET_ERR
						    : user_list(ctx, json);
	}
	if (strcmp(sub, "add") != 0 && strcmp(sub, "passwd") != 0 &&
	    strcmp(sub, "del") != 0) {
		err_msg("user: unknown action \"%s\" (try --help)", sub);
		return WGNET_USAGE;
	}
	if (strcmp(sub, "del") == 0 && (optind + 1 != argc || json ||
					from_stdin)) {
		err_msg("usage: wgnet user del NAME");
		return WGNET_USAGE;
	}
	if (optind + 1 != argc || json) {
		err_msg("usage: wgnet user %s NAME [--stdin]", sub);
		return WGNET_USAGE;
	}
	name = argv[optind];
	if (config_load(ctx) != WGNET_OK) {
		return WGNET_ERR;
	}
	if (strcmp(sub, "add") == 0) {
		return user_add(ctx, name, from_stdin);
	}
	if (strcmp(sub, "passwd") == 0) {
		return user_passwd(ctx, name, from_stdin);
	}
	return user_del(ctx, name);
}

/* ---- local groups ----------------------------------------------------- */

enum group_op {
	GROUP_ADD,
	GROUP_DEL,
	GROUP_ADDMEMBER,
	GROUP_DELMEMBER,
};

/* Why a group edit failed, for users_group_*()'s errors. */
static void group_err(struct wgnet *ctx, enum group_op op, const char *group,
		      const char *user, int rc)
{
	switch (rc) {
	case -EINVAL:
		err_msg("invalid group name: %s", users_name_check(group));
		break;
	case -EEXIST:
		if (op == GROUP_ADD) {
			err_msg("a user or group \"%s\" already exists in %s",
				group, ctx->users_file);
		} else {
			err_msg("\"%s\" is already a member of \"%s\"", user,
				group);
		}
		break;
	case -ENOENT:
		err_msg("group \"%s\" not found in %s", group,
			ctx->users_file);
		break;
	case -ESRCH:
		err_msg("user \"%s\" not found in %s", user, ctx->users_file);
		break;
	case -ENODATA:
		err_msg("\"%s\" is not a member of \"%s\"", user, group);
		break;
	default:
		err_msg("cannot update group \"%s\": %s", group,
			strerror(-rc));
		break;
	}
}

/* Lock, reload, apply and save, as users_apply(). user: members only. */
static int group_apply(struct wgnet *ctx, enum group_op op, const char *group,
		       const char *user)
{
	struct users_db *db = NULL;
	const char *gname = group;
	const char *uname = user;
	int lock = users_lock(ctx);
	int ret = WGNET_ERR;
	int rc = 0;

	if (lock < 0) {
		return WGNET_ERR;
	}
	db = users_open(ctx);
	if (db == NULL) {
		goto done;
	}
	/* report stored spellings */
	if (op != GROUP_ADD) {
		(void)users_group_lookup(db, group, NULL, &gname);
		gname = talloc_strdup(db, gname);
	}
	if (user != NULL) {
		(void)users_lookup(db, user, NULL, &uname);
		uname = talloc_strdup(db, uname);
	}
	if (gname == NULL || (user != NULL && uname == NULL)) {
		err_msg("out of memory");
		goto done;
	}
	switch (op) {
	case GROUP_ADD:
		rc = users_group_add(db, group);
		break;
	case GROUP_DEL:
		rc = users_group_del(db, group);
		break;
	case GROUP_ADDMEMBER:
		rc = users_group_addmember(db, group, user);
		break;
	case GROUP_DELMEMBER:
		rc = users_group_delmember(db, group, user);
		break;
	}
	if (rc != 0) {
		group_err(ctx, op, gname, uname, rc);
		goto done;
	}
	rc = users_save(db, ctx->users_file);
	if (rc != 0) {
		err_msg("cannot save %s: %s", ctx->users_file, strerror(-rc));
		goto done;
	}
	switch (op) {
	case GROUP_ADD:
		printf("added group \"%s\"\n", gname);
		break;
	case GROUP_DEL:
		printf("deleted group \"%s\"\n", gname);
		break;
	case GROUP_ADDMEMBER:
		printf("added \"%s\" to group \"%s\"\n", uname, gname);
		break;
	case GROUP_DELMEMBER:
		printf("removed \"%s\" from group \"%s\"\n", uname, gname);
		break;
	}
	ret = WGNET_OK;

done:
	talloc_free(db);
	close(lock);
	return ret;
}

static int group_list(struct wgnet *ctx, bool json)
{
	struct users_db *db = users_open(ctx);
	size_t n = 0;

	if (db == NULL) {
		return WGNET_ERR;
	}
	n = users_group_count(db);
	if (json) {
		printf("{\"groups\":[");
	}
	for (size_t i = 0; i < n; i++) {
		const uint32_t *m = NULL;
		size_t k = users_group_members_at(db, i, &m);

		if (json) {
			printf("%s{\"name\":", i == 0 ? "" : ",");
			json_string(users_group_name_at(db, i));
			printf(",\"rid\":%u,\"members\":[",
			       (unsigned)users_group_rid_at(db, i));
		} else {
			printf("%s:", users_group_name_at(db, i));
		}
		for (size_t j = 0; j < k; j++) {
			const char *u = users_name_by_rid(db, m[j]);

			if (u == NULL) {
				continue;
			}
			if (json) {
				printf("%s", j == 0 ? "" : ",");
				json_string(u);
			} else {
				printf("%s%s", j == 0 ? " " : ", ", u);
			}
		}
		printf(json ? "]}" : "\n");
	}
	if (json) {
		printf("]}\n");
	}
	talloc_free(db);
	return WGNET_OK;
}

/* wgnet group add|del|addmember|delmember|list [NAME [USER]] [--json] */
static int verb_group(struct wgnet *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *name;
		enum group_op op;
		int args;
	} subs[] = {
		{ "add", GROUP_ADD, 1 },
		{ "del", GROUP_DEL, 1 },
		{ "addmember", GROUP_ADDMEMBER, 2 },
		{ "delmember", GROUP_DELMEMBER, 2 },
	};
	bool json = false;
	const char *sub = NULL;
	int c = 0;

	optind = 0;	/* glibc: full re-initialisation for a new argv */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return WGNET_OK;
		default:
			return WGNET_USAGE;
		}
	}
	if (optind >= argc) {
		err_msg("group: missing action (add, del, addmember, "
			"delmember, list)");
		return WGNET_USAGE;
	}
	sub = argv[optind++];
	if (strcmp(sub, "list") == 0) {
		if (optind != argc) {
			err_msg("usage: wgnet group list [--json]");
			return WGNET_USAGE;
		}
		return config_load(ctx) != WGNET_OK ? WGNET_ERR
						    : group_list(ctx, json);
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(sub, subs[i].name) != 0) {
			continue;
		}
		if (argc - optind != subs[i].args || json) {
			err_msg("usage: wgnet group %s NAME%s", sub,
				subs[i].args == 2 ? " USER" : "");
			return WGNET_USAGE;
		}
		if (subs[i].op == GROUP_ADD &&
		    users_name_check(argv[optind]) != NULL) {
			err_msg("invalid group name: %s",
				users_name_check(argv[optind]));
			return WGNET_ERR;
		}
		if (config_load(ctx) != WGNET_OK) {
			return WGNET_ERR;
		}
		return group_apply(ctx, subs[i].op, argv[optind],
				   subs[i].args == 2 ? argv[optind + 1] : NULL);
	}
	err_msg("group: unknown action \"%s\" (try --help)", sub);
	return WGNET_USAGE;
}

/* ---- main ------------------------------------------------------------- */

static const struct wgnet_verb *find_verb(const char *name)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(verbs[i].name, name) == 0) {
			return &verbs[i];
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct wgnet ctx = {
		.config_path = WGNET_DEFAULT_CONFIG,
	};
	char *socket_path = NULL;
	const struct wgnet_verb *verb = NULL;
	int ret = WGNET_USAGE;
	int c = 0;

	/* '+': stop at the verb; its own options are parsed by the verb */
	setlocale(LC_CTYPE, "");	/* names in tables: UTF-8 or not */
	while ((c = getopt_long(argc, argv, "+c:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctx.config_path = optarg;
			ctx.config_given = true;
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return WGNET_OK;
		default:
			usage(stderr);
			return WGNET_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return WGNET_USAGE;
	}
	verb = find_verb(argv[optind]);
	if (verb == NULL) {
		err_msg("unknown verb \"%s\" (try --help)", argv[optind]);
		return WGNET_USAGE;
	}
	ctx.mem = talloc_new(NULL);
	if (ctx.mem == NULL) {
		err_msg("out of memory");
		return WGNET_ERR;
	}
	if (socket_path != NULL) {
		ctx.control_socket = talloc_strdup(ctx.mem, socket_path);
		ctx.socket_given = true;
	}
	ret = verb->run(&ctx, argc - optind, argv + optind);
	talloc_free(ctx.mem);
	if (fflush(stdout) != 0 && ret == WGNET_OK) {
		err_msg("cannot write output: %s", strerror(errno));
		ret = WGNET_ERR;
	}
	return ret;
}
