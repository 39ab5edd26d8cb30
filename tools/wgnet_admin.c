/*
 * wgnet_admin.c - the wgnet verbs answered by the running daemon over its
 * control socket (protocol: proto/ctlproto.h, verbs: smbd/admin/control.h):
 *
 *	wgnet session [\\COMPUTER [/delete [/user NAME]]] | [/delete --all]
 *	wgnet files [ID /close]
 *	wgnet share
 *	wgnet connections
 *	wgnet config server
 *	wgnet statistics server
 *
 * Windows spellings (/delete, /close, \\COMPUTER) and POSIX ones
 * (--delete, --close, COMPUTER) are both accepted. --json prints the
 * daemon's answer as it came (one JSON object, stable field names);
 * without it, tables fit an 80-column terminal.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "proto/ctlproto.h"
#include "tools/wgnet_admin.h"
#include "tools/wgnet_common.h"

#define CTL_TIMEOUT_MS		30000
#define CTL_MAX_RESPONSE	(64u * 1024 * 1024)
#define RULE \
	"-------------------------------------------------------------------" \
	"------------"

/* A daemon's answer. */
struct answer {
	char *raw;			/* the JSON line as received */
	struct ctl_jv *doc;		/* parsed */
	bool ok;
	const char *error;		/* when !ok */
};

/* ---- talking to the daemon ------------------------------------------- */

static int connect_daemon(const char *path, int *fdp)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = -1;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	*fdp = fd;
	return 0;
}

static void unreachable_msg(const char *path, int rc)
{
	const char *hint = "";

	switch (-rc) {
	case ECONNREFUSED:
	case ENOENT:
		hint = " (is the daemon running?)";
		break;
	case EACCES:
	case EPERM:
		hint = " (run as root, as the daemon's user or as a member "
		       "of its \"admin group\")";
		break;
	case ENAMETOOLONG:
		hint = " (a Unix socket path is at most 107 bytes)";
		break;
	default:
		break;
	}
	err_msg("cannot reach wgsmbd at %s: %s%s", path, strerror(-rc), hint);
}

/* Send the whole request; a daemon that already answered and closed
 * (a refusal) makes this fail with EPIPE, which the read then explains. */
static void send_request(int fd, const char *line)
{
	size_t len = strlen(line);
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(fd, line + done, len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return;
		}
		done += (size_t)n;
	}
}

/* Read until the answer's newline or EOF; 0 or -errno. */
static int read_answer(struct wgnet *ctx, int fd, char **out, size_t *outlen)
{
	size_t cap = 4096, len = 0;
	char *buf = talloc_array(ctx->mem, char, cap);
	struct timespec t0;

	if (buf == NULL) {
		return -ENOMEM;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct timespec now;
		long left = 0;
		ssize_t n = 0;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = CTL_TIMEOUT_MS - ((now.tv_sec - t0.tv_sec) * 1000 +
					 (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0) {
			talloc_free(buf);
			return -ETIMEDOUT;
		}
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
			talloc_free(buf);
			return -errno;
		}
		if (cap - len < 4096) {
			if (cap >= CTL_MAX_RESPONSE) {
				talloc_free(buf);
				return -EMSGSIZE;
			}
			cap *= 2;
			buf = talloc_realloc(ctx->mem, buf, char, cap);
			if (buf == NULL) {
				return -ENOMEM;
			}
		}
		n = recv(fd, buf + len, cap - len - 1, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			continue;
		}
		/* a reset after the answer (our request unread) is its end */
		if (n == 0 || (n < 0 && errno == ECONNRESET && len > 0)) {
			break;
		}
		if (n < 0) {
			int rc = -errno;

			talloc_free(buf);
			return rc;
		}
		len += (size_t)n;
		if (memchr(buf + len - (size_t)n, '\n', (size_t)n) != NULL) {
			break;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

/*
 * Run verb with args on the daemon. WGNET_OK with *a filled (a->ok may be
 * false: the daemon's refusal), or WGNET_ERR with the reason printed.
 * *unreachable (if not NULL) gets the connect errno, 0 if connected.
 */
static int ctl_call(struct wgnet *ctx, const char *verb,
		    const char *const *args, size_t nargs, struct answer *a,
		    int *unreachable)
{
	char *line = NULL;
	char *raw = NULL;
	size_t len = 0;
	size_t at = 0;
	int fd = -1;
	int rc = 0;

	if (unreachable != NULL) {
		*unreachable = 0;
	}
	if (!ctx->socket_given && config_load(ctx) != WGNET_OK) {
		return WGNET_ERR;
	}
	line = ctl_request_format(ctx->mem, verb, args, nargs);
	if (line == NULL) {
		err_msg("%s: cannot build the request: %s", verb,
			strerror(errno));
		return WGNET_ERR;
	}
	rc = connect_daemon(ctx->control_socket, &fd);
	if (rc != 0) {
		if (unreachable != NULL) {
			*unreachable = -rc;
			return WGNET_ERR;
		}
		unreachable_msg(ctx->control_socket, rc);
		return WGNET_ERR;
	}
	send_request(fd, line);
	rc = read_answer(ctx, fd, &raw, &len);
	close(fd);
	if (rc != 0) {
		err_msg("no answer from wgsmbd at %s: %s", ctx->control_socket,
			strerror(-rc));
		return WGNET_ERR;
	}
	*a = (struct answer) { .raw = raw };
	rc = ctl_json_parse(ctx->mem, raw, len, &a->doc, &at);
	if (rc != 0 || a->doc->type != CTL_J_OBJECT ||
	    ctl_jv_get(a->doc, "ok") == NULL) {
		err_msg("wgsmbd at %s sent %s", ctx->control_socket,
			len == 0 ? "no answer" : "an answer that is not valid "
			"JSON");
		return WGNET_ERR;
	}
	a->ok = ctl_jv_bool(a->doc, "ok", false);
	a->error = ctl_jv_str(a->doc, "error", "unknown error");
	return WGNET_OK;
}

/*
 * ctl_call for the listing and action verbs: WGNET_OK with a->ok true,
 * or WGNET_ERR with the message printed ("wgnet: what: why").
 */
static int ctl_run(struct wgnet *ctx, const char *verb, const char *arg,
		   struct answer *a)
{
	const char *args[1] = { arg };

	if (ctl_call(ctx, verb, args, arg != NULL ? 1 : 0, a, NULL) !=
	    WGNET_OK) {
		return WGNET_ERR;
	}
	if (!a->ok) {
		err_msg("%s", a->error);
		return WGNET_ERR;
	}
	return WGNET_OK;
}

/* --json: the daemon's answer, as it came. */
static int print_raw(const struct answer *a)
{
	fputs(a->raw, stdout);
	if (a->raw[0] == '\0' || a->raw[strlen(a->raw) - 1] != '\n') {
		putchar('\n');
	}
	return WGNET_OK;
}

void wgnet_user_deleted(struct wgnet *ctx, const char *name)
{
	const char *args[1] = { name };
	struct answer a = {};
	int unreachable = 0;
	uint64_t n = 0;

	if (ctl_call(ctx, "user-deleted", args, 1, &a, &unreachable) !=
	    WGNET_OK) {
		if (unreachable == ECONNREFUSED || unreachable == ENOENT) {
			return;	/* not running: no sessions to end */
		}
		if (unreachable != 0) {
			err_msg("warning: cannot tell wgsmbd at %s to end the "
				"sessions of \"%s\": %s", ctx->control_socket,
				name, strerror(unreachable));
		}
		return;
	}
	if (!a.ok) {
		err_msg("warning: wgsmbd did not end the sessions of \"%s\": "
			"%s", name, a.error);
		return;
	}
	n = ctl_jv_u64(a.doc, "sessions_ended", 0);
	if (n > 0) {
		printf("ended %llu session(s) of \"%s\" on wgsmbd\n",
		       (unsigned long long)n, name);
	}
}

/* ---- table output ---------------------------------------------------- */

static bool utf8_terminal(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && strcasecmp(cs, "UTF-8") == 0;
}

/* Code points in s (continuation bytes do not count). */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++) {
		w += ((unsigned char)*s & 0xC0) != 0x80;
	}
	return w;
}

enum align {
	LEFT = 0,
	RIGHT,
	LAST,		/* left, not padded: the end of a line */
};

/*
 * Print s in width columns: padded, or cut with an ellipsis ("…" on a
 * UTF-8 terminal, else "~"). Control characters are shown as '?'.
 */
static void cell_at(const char *s, size_t width, enum align align)
{
	size_t w = text_width(s);
	size_t keep = w;
	size_t pad = 0;
	size_t i = 0;
	const char *p = s;

	if (w > width) {
		keep = width > 0 ? width - 1 : 0;
	} else {
		pad = width - w;
	}
	if (align == RIGHT) {
		printf("%*s", (int)pad, "");
	}
	for (i = 0; *p != '\0';) {
		unsigned char c = (unsigned char)*p;

		if ((c & 0xC0) != 0x80) {
			if (i == keep) {
				break;
			}
			i++;
		}
		putchar(c < 0x20 || c == 0x7F ? '?' : c);
		p++;
	}
	if (w > width && width > 0) {
		fputs(utf8_terminal() ? "\xe2\x80\xa6" : "~", stdout);
	}
	if (align == LEFT) {
		printf("%*s", (int)pad, "");
	}
}

static void cell(const char *s, size_t width, bool right)
{
	cell_at(s, width, right ? RIGHT : LEFT);
}

/* "HH:MM:SS", or "NNNd HHh" past 99 hours. */
static const char *hms(char *buf, size_t len, uint64_t secs)
{
	if (secs < 100 * 3600) {
		snprintf(buf, len, "%02llu:%02llu:%02llu",
			 (unsigned long long)(secs / 3600),
			 (unsigned long long)(secs / 60 % 60),
			 (unsigned long long)(secs % 60));
	} else {
		snprintf(buf, len, "%llud %02lluh",
			 (unsigned long long)(secs / 86400),
			 (unsigned long long)(secs / 3600 % 24));
	}
	return buf;
}

/* At most 5 characters: "99999", "9999K", "9999M", ... */
static const char *bytes(char *buf, size_t len, uint64_t n)
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (n >= (u < 0 ? 100000u : 10000u) && u < 5) {
		n /= 1024;
		u++;
	}
	if (u < 0) {
		snprintf(buf, len, "%llu", (unsigned long long)n);
	} else {
		snprintf(buf, len, "%llu%c", (unsigned long long)n, units[u]);
	}
	return buf;
}

static const char *u64s(char *buf, size_t len, uint64_t n)
{
	snprintf(buf, len, "%llu", (unsigned long long)n);
	return buf;
}

/* "15m", "60s", "500ms", "never" */
static const char *duration(char *buf, size_t len, uint64_t ms)
{
	if (ms == 0) {
		snprintf(buf, len, "never (0)");
	} else if (ms % 3600000 == 0) {
		snprintf(buf, len, "%lluh", (unsigned long long)(ms / 3600000));
	} else if (ms % 60000 == 0) {
		snprintf(buf, len, "%llum", (unsigned long long)(ms / 60000));
	} else if (ms % 1000 == 0) {
		snprintf(buf, len, "%llus", (unsigned long long)(ms / 1000));
	} else {
		snprintf(buf, len, "%llums", (unsigned long long)ms);
	}
	return buf;
}

static void kv(const char *key, const char *value)
{
	cell(key, 28, false);
	putchar(' ');
	cell_at(value, 50, LAST);
	putchar('\n');
}

static void kv_u64(const char *key, uint64_t v)
{
	char b[24];

	kv(key, u64s(b, sizeof(b), v));
}

static const char *yes_no(bool b)
{
	return b ? "Yes" : "No";
}

/* "\\name" for a computer. */
static const char *unc(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "\\\\%s", name);
	return buf;
}

static const char *type_title(const char *t)
{
	if (strcmp(t, "disk") == 0) {
		return "Disk";
	}
	if (strcmp(t, "print") == 0) {
		return "Print";
	}
	if (strcmp(t, "ipc") == 0) {
		return "IPC";
	}
	return t;
}

/* ---- options --------------------------------------------------------- */

enum {
	OPT_JSON = 1u << 0,
	OPT_DELETE = 1u << 1,
	OPT_ALL = 1u << 2,
	OPT_CLOSE = 1u << 3,
	OPT_USER = 1u << 4,
	OPT_RESET = 1u << 5,
	OPT_SDDL = 1u << 6,
};

struct verb_args {
	unsigned flags;
	int npos;
	char *pos[4];
	const char *user;		/* /user NAME */
	bool help;
};

/*
 * Options every daemon verb takes (--json, --socket, --help) plus the
 * ones in allowed; "/delete" and "/close" (any case) count as their long
 * options. Returns WGNET_OK or WGNET_USAGE (message printed).
 */
static int parse_verb_args(struct wgnet *ctx, int argc, char **argv,
			   unsigned allowed, struct verb_args *va)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "delete", no_argument, NULL, 'd' },
		{ "all", no_argument, NULL, 'a' },
		{ "close", no_argument, NULL, 'C' },
		{ "user", required_argument, NULL, 'u' },
		{ "reset", no_argument, NULL, 'R' },
		{ "sddl", no_argument, NULL, 'S' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *verb = argv[0];
	int c = 0;
	int i = 0;

	*va = (struct verb_args) {};
	optind = 0;	/* glibc: full re-initialisation for a new argv */
	while ((c = getopt_long(argc, argv, "hs:", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			va->flags |= OPT_JSON;
			break;
		case 'd':
			va->flags |= OPT_DELETE;
			break;
		case 'a':
			va->flags |= OPT_ALL;
			break;
		case 'C':
			va->flags |= OPT_CLOSE;
			break;
		case 'u':
			va->flags |= OPT_USER;
			va->user = optarg;
			break;
		case 'R':
			va->flags |= OPT_RESET;
			break;
		case 'S':
			va->flags |= OPT_SDDL;
			break;
		case 's':
			ctx->control_socket = talloc_strdup(ctx->mem, optarg);
			ctx->socket_given = ctx->control_socket != NULL;
			break;
		case 'h':
			va->help = true;
			return WGNET_OK;
		default:
			err_msg("%s: try \"wgnet %s --help\"", verb, verb);
			return WGNET_USAGE;
		}
	}
	for (i = optind; i < argc; i++) {
		if (strcasecmp(argv[i], "/delete") == 0 ||
		    strcasecmp(argv[i], "/d") == 0) {
			va->flags |= OPT_DELETE;
		} else if (strcasecmp(argv[i], "/close") == 0) {
			va->flags |= OPT_CLOSE;
		} else if (strcasecmp(argv[i], "/reset") == 0) {
			va->flags |= OPT_RESET;
		} else if (strcasecmp(argv[i], "/user") == 0) {
			if (i + 1 >= argc) {
				err_msg("%s: /user needs a user name", verb);
				return WGNET_USAGE;
			}
			va->flags |= OPT_USER;
			va->user = argv[++i];
		} else if (va->npos < 4) {
			va->pos[va->npos++] = argv[i];
		} else {
			err_msg("%s: too many arguments", verb);
			return WGNET_USAGE;
		}
	}
	if ((va->flags & ~(allowed | OPT_JSON)) != 0) {
		unsigned bad = va->flags & ~(allowed | OPT_JSON);

		err_msg("%s: %s is not an option of this verb (try --help)",
			verb, (bad & OPT_DELETE) ? "/delete" :
			(bad & OPT_CLOSE) ? "/close" :
			(bad & OPT_USER) ? "/user" :
			(bad & OPT_RESET) ? "/reset" :
			(bad & OPT_SDDL) ? "--sddl" : "--all");
		return WGNET_USAGE;
	}
	return WGNET_OK;
}

/* ---- session --------------------------------------------------------- */

static void usage_session(void)
{
	printf(
"Usage: wgnet session [--json]\n"
"       wgnet session \\\\COMPUTER [--json]\n"
"       wgnet session \\\\COMPUTER /delete [/user NAME] [--json]\n"
"       wgnet session /delete --all [--json]\n"
"\n"
"Without arguments, list the sessions of the running wgsmbd the way\n"
"`net session` does: one row per session slot (what the edition's cap\n"
"counts), with the computer's address, the user name (\"(null)\" for a\n"
"null session), client type (SMB dialect), open files and pipes and\n"
"idle time, then how many of the slots are in use. A slot kept for a\n"
"computer whose connection was lost (or that logged off) while it held\n"
"durable opens shows as \"disconnected\", with those opens and the\n"
"seconds left before they time out; it counts against the cap until\n"
"the computer reconnects into it or they time out.\n"
"\n"
"A computer is named by its address, a NetBIOS calling name it used\n"
"(port 139) or its NTLM workstation name, as \\\\NAME or NAME. Shown\n"
"alone, its slots in detail: every SMB session with its shares, open\n"
"files and pipes, and every connection (port, calling name).\n"
"\n"
"  /delete, --delete  end all of the computer's sessions: what it wrote\n"
"                     is flushed, its files closed, its slots freed\n"
"                     (durable opens kept for a disconnected session\n"
"                     too)\n"
"  /user NAME, --user NAME\n"
"                     with /delete: only that user's session (NAME\n"
"                     \"(null)\": its null sessions)\n"
"  --all              with /delete: end every session\n"
"  --json             print the daemon's answer as JSON: one object\n"
"                     per slot, its SMB sessions in \"smb_sessions\"\n"
"  --socket PATH      the daemon's control socket\n"
"\n"
"Exit status: 0 success, 1 error (no such computer, a name used by\n"
"several computers, daemon not running, permission denied), 2 usage\n"
"error.\n");
}

/* "(null)" for null sessions, "NAME (guest)" for guest logons. */
static const char *user_col(const struct ctl_jv *s)
{
	static char buf[96];
	const char *user = ctl_jv_str(s, "user", "");

	if (ctl_jv_bool(s, "anonymous", false) || user[0] == '\0') {
		return "(null)";
	}
	if (ctl_jv_bool(s, "guest", false)) {
		snprintf(buf, sizeof(buf), "%s (guest)", user);
		return buf;
	}
	return user;
}

/*
 * A slot kept for durable opens of a lost or logged-off session: how
 * many, and the seconds until the last one times out (and the slot with
 * it, unless the computer reconnects first).
 */
static void print_durable_line(const struct ctl_jv *sl, const char *indent)
{
	uint64_t n = ctl_jv_u64(sl, "durable_opens", 0);

	if (n == 0) {
		return;
	}
	printf("%s%s: %llu durable open%s kept for a reconnect, %llu s "
	       "left\n", indent,
	       ctl_jv_bool(sl, "disconnected", false) ? "disconnected" :
	       "and a disconnected session", (unsigned long long)n,
	       n == 1 ? "" : "s",
	       (unsigned long long)ctl_jv_u64(sl, "durable_secs_left", 0));
}

static void print_session_row(const struct ctl_jv *s)
{
	char b[96];

	cell(unc(b, sizeof(b), ctl_jv_str(s, "ip", "?")), 22, false);
	putchar(' ');
	cell(user_col(s), 20, false);
	putchar(' ');
	cell(ctl_jv_bool(s, "disconnected", false) ? "disconnected" :
	     ctl_jv_str(s, "client_type", ""), 13, false);
	putchar(' ');
	cell(u64s(b, sizeof(b), ctl_jv_u64(s, "opens", 0)), 5, true);
	putchar(' ');
	cell_at(hms(b, sizeof(b), ctl_jv_u64(s, "idle_secs", 0)), 9, LAST);
	putchar('\n');
	print_durable_line(s, "  ");
}

static void print_slots_footer(const struct ctl_jv *d)
{
	uint64_t cap = ctl_jv_u64(d, "cap", 0);
	uint64_t used = ctl_jv_u64(d, "slots_used", 0);
	const char *ed = ctl_jv_str(d, "edition", "?");

	if (cap == 0) {
		printf("%llu session(s) in use (no cap, edition %s)\n",
		       (unsigned long long)used, ed);
	} else {
		printf("%llu of %llu sessions in use (edition %s)\n",
		       (unsigned long long)used, (unsigned long long)cap, ed);
	}
}

static int session_list(struct wgnet *ctx, bool json)
{
	struct answer a = {};
	const struct ctl_jv *v = NULL;
	size_t i = 0;

	if (ctl_run(ctx, "sessions", NULL, &a) != WGNET_OK) {
		return WGNET_ERR;
	}
	if (json) {
		return print_raw(&a);
	}
	v = ctl_jv_get(a.doc, "sessions");
	if (ctl_jv_len(v) == 0) {
		printf("There are no entries in the list.\n");
	} else {
		cell("Computer", 22, false);
		putchar(' ');
		cell("User name", 20, false);
		putchar(' ');
		cell("Client type", 13, false);
		printf(" Opens Idle time\n%s\n", RULE);
		for (i = 0; i < ctl_jv_len(v); i++) {
			print_session_row(ctl_jv_at(v, i));
		}
	}
	print_slots_footer(a.doc);
	return WGNET_OK;
}

static void print_session_shares(const struct ctl_jv *s)
{
	const struct ctl_jv *sh = ctl_jv_get(s, "shares");
	char b[32];
	size_t i = 0;

	printf("\n  Share name     Type     # Opens  Connected\n"
	       "  ------------------------------------------\n");
	for (i = 0; i < ctl_jv_len(sh); i++) {
		const struct ctl_jv *t = ctl_jv_at(sh, i);

		printf("  ");
		cell(ctl_jv_str(t, "name", "?"), 14, false);
		putchar(' ');
		cell(type_title(ctl_jv_str(t, "type", "")), 8, false);
		putchar(' ');
		cell(u64s(b, sizeof(b), ctl_jv_u64(t, "opens", 0)), 7, true);
		printf("  %s\n", hms(b, sizeof(b),
				     ctl_jv_u64(t, "connected_secs", 0)));
	}
	if (ctl_jv_len(sh) == 0) {
		printf("  (none)\n");
	}
}

static void print_session_files(const struct ctl_jv *files, uint64_t sid,
				uint64_t printer_handles)
{
	char b[32];
	size_t i = 0;
	bool any = false;

	printf("\n  ID       Path                              Mode        "
	       "# Locks  Idle time\n"
	       "  -------------------------------------------------------"
	       "--------------------\n");
	for (i = 0; i < ctl_jv_len(files); i++) {
		const struct ctl_jv *f = ctl_jv_at(files, i);
		char *path = NULL;

		if (ctl_jv_u64(f, "session_id", 0) != sid) {
			continue;
		}
		any = true;
		path = talloc_asprintf(NULL, "%s%s", ctl_jv_str(f, "path", "?"),
				       ctl_jv_bool(f, "is_dir", false) ?
				       "\\" : "");
		printf("  ");
		cell(u64s(b, sizeof(b), ctl_jv_u64(f, "id", 0)), 8, false);
		putchar(' ');
		cell(path != NULL ? path : "?", 33, false);
		putchar(' ');
		cell(ctl_jv_str(f, "mode", ""), 11, false);
		putchar(' ');
		cell(u64s(b, sizeof(b), ctl_jv_u64(f, "locks", 0)), 7, true);
		printf("  %s\n", hms(b, sizeof(b),
				     ctl_jv_u64(f, "idle_secs", 0)));
		talloc_free(path);
	}
	if (!any) {
		printf("  (no open files or pipes)\n");
	}
	if (printer_handles > 0) {
		printf("  %llu printer handle(s) open on \\PIPE\\spoolss\n",
		       (unsigned long long)printer_handles);
	}
}

/* "PCONE, PCTWO" from a JSON array of strings; "-" if empty. */
static const char *name_list(char *buf, size_t len, const struct ctl_jv *v)
{
	size_t i = 0, at = 0;

	buf[0] = '\0';
	for (i = 0; i < ctl_jv_len(v) && at < len; i++) {
		const struct ctl_jv *e = ctl_jv_at(v, i);
		int k = snprintf(buf + at, len - at, "%s%s", i > 0 ? ", " : "",
				 e->type == CTL_J_STRING ? e->str : "?");

		at += k > 0 ? (size_t)k : 0;
	}
	return buf[0] != '\0' ? buf : "-";
}

/* One SMB session of a slot: how it came in, then its trees and opens. */
static void print_smb_session(const struct ctl_jv *s,
			      const struct ctl_jv *files)
{
	char b[96], idle[24], logon[24];
	const char *cn = ctl_jv_str(s, "calling_name", "");
	const char *ws = ctl_jv_str(s, "workstation", "");
	const char *domain = ctl_jv_str(s, "domain", "");
	uint64_t handles = ctl_jv_u64(s, "printer_handles", 0);

	snprintf(b, sizeof(b), "0x%016llx",
		 (unsigned long long)ctl_jv_u64(s, "id", 0));
	if (ctl_jv_bool(s, "disconnected", false)) {
		uint64_t n = ctl_jv_u64(s, "opens", 0);

		printf("\nSMB session %s: %s%s%s, disconnected\n"
		       "  %llu durable open%s kept for a reconnect, %llu s "
		       "left; logon %s, idle %s\n", b,
		       domain[0] != '\0' ? domain : "",
		       domain[0] != '\0' ? "\\" : "", user_col(s),
		       (unsigned long long)n, n == 1 ? "" : "s",
		       (unsigned long long)ctl_jv_u64(s, "durable_secs_left",
						      0),
		       hms(logon, sizeof(logon),
			   ctl_jv_u64(s, "logon_secs", 0)),
		       hms(idle, sizeof(idle), ctl_jv_u64(s, "idle_secs", 0)));
		return;
	}
	printf("\nSMB session %s: %s%s%s on connection #%llu\n", b,
	       domain[0] != '\0' ? domain : "", domain[0] != '\0' ? "\\" : "",
	       user_col(s),
	       (unsigned long long)ctl_jv_u64(s, "connection_id", 0));
	printf("  NetBIOS name %s, workstation %s, %s\n",
	       cn[0] != '\0' ? cn : "-", ws[0] != '\0' ? ws : "-",
	       ctl_jv_str(s, "client_type", ""));
	printf("  logon %s, idle %s, signing %s, encryption %s%s\n",
	       hms(logon, sizeof(logon), ctl_jv_u64(s, "logon_secs", 0)),
	       hms(idle, sizeof(idle), ctl_jv_u64(s, "idle_secs", 0)),
	       yes_no(ctl_jv_bool(s, "signing", false)),
	       yes_no(ctl_jv_bool(s, "encryption", false)),
	       ctl_jv_bool(s, "guest", false) ? ", guest" : "");
	print_session_shares(s);
	print_session_files(files, ctl_jv_u64(s, "id", 0), handles);
}

/* One slot: the `net session \\computer` block, then its SMB sessions. */
static void print_slot_detail(const struct ctl_jv *sl,
			      const struct ctl_jv *files)
{
	const struct ctl_jv *ss = ctl_jv_get(sl, "smb_sessions");
	char b[256];
	size_t i = 0;

	kv("User name", user_col(sl));
	kv("Computer", unc(b, sizeof(b), ctl_jv_str(sl, "ip", "?")));
	kv("NetBIOS names", name_list(b, sizeof(b),
				      ctl_jv_get(sl, "calling_names")));
	kv("Workstation names", name_list(b, sizeof(b),
					  ctl_jv_get(sl, "workstations")));
	kv("Guest logon", yes_no(ctl_jv_bool(sl, "guest", false)));
	kv("Null session", yes_no(ctl_jv_bool(sl, "anonymous", false)));
	kv("Client type", ctl_jv_str(sl, "client_type", ""));
	kv("Sess time", hms(b, sizeof(b), ctl_jv_u64(sl, "logon_secs", 0)));
	kv("Idle time", hms(b, sizeof(b), ctl_jv_u64(sl, "idle_secs", 0)));
	kv_u64("Opens", ctl_jv_u64(sl, "opens", 0));
	kv_u64("Printer handles", ctl_jv_u64(sl, "printer_handles", 0));
	kv_u64("SMB sessions", ctl_jv_len(ss));
	if (ctl_jv_u64(sl, "durable_opens", 0) > 0) {
		snprintf(b, sizeof(b), "%s, %llu durable open(s), %llu s left",
			 ctl_jv_bool(sl, "disconnected", false) ? "yes" :
			 "one of its sessions",
			 (unsigned long long)ctl_jv_u64(sl, "durable_opens", 0),
			 (unsigned long long)ctl_jv_u64(sl, "durable_secs_left",
							0));
		kv("Disconnected", b);
	}
	for (i = 0; i < ctl_jv_len(ss); i++) {
		print_smb_session(ctl_jv_at(ss, i), files);
	}
}

static void print_detail_conns(const struct ctl_jv *conns)
{
	char in[16], out[16], idle[24], how[48];
	size_t i = 0;

	printf("\nConnections\n");
	for (i = 0; i < ctl_jv_len(conns); i++) {
		const struct ctl_jv *c = ctl_jv_at(conns, i);
		const char *cn = ctl_jv_str(c, "calling_name", "");

		if (ctl_jv_bool(c, "netbios", false)) {
			snprintf(how, sizeof(how), "NetBIOS from %s",
				 cn[0] != '\0' ? cn : "?");
		} else {
			snprintf(how, sizeof(how), "direct TCP");
		}
		printf("  #%llu %s <- %s  %s\n"
		       "     %s %s, %s, in %s, out %s, idle %s\n",
		       (unsigned long long)ctl_jv_u64(c, "id", 0),
		       ctl_jv_str(c, "local", "?"),
		       ctl_jv_str(c, "remote", "?"), how,
		       ctl_jv_str(c, "state", "?"),
		       ctl_jv_str(c, "dialect", ""),
		       strcmp(ctl_jv_str(c, "cipher", "none"), "none") == 0 ?
		       "not encrypted" : ctl_jv_str(c, "cipher", "?"),
		       bytes(in, sizeof(in), ctl_jv_u64(c, "bytes_in", 0)),
		       bytes(out, sizeof(out), ctl_jv_u64(c, "bytes_out", 0)),
		       hms(idle, sizeof(idle), ctl_jv_u64(c, "idle_secs", 0)));
	}
}

static int session_show(struct wgnet *ctx, const char *computer, bool json)
{
	struct answer a = {};
	const struct ctl_jv *v = NULL;
	char b[256];
	size_t i = 0;

	if (ctl_run(ctx, "session", computer, &a) != WGNET_OK) {
		return WGNET_ERR;
	}
	if (json) {
		return print_raw(&a);
	}
	v = ctl_jv_get(a.doc, "sessions");
	printf("%s: %zu session(s) from %s\n", computer, ctl_jv_len(v),
	       name_list(b, sizeof(b), ctl_jv_get(a.doc, "addresses")));
	for (i = 0; i < ctl_jv_len(v); i++) {
		printf("%s\n", RULE);
		print_slot_detail(ctl_jv_at(v, i), ctl_jv_get(a.doc, "files"));
	}
	printf("%s\n", RULE);
	print_detail_conns(ctl_jv_get(a.doc, "connections"));
	return WGNET_OK;
}

static int session_delete(struct wgnet *ctx, const char *computer,
			  const char *user, bool json)
{
	const char *args[2] = { computer != NULL ? computer : "--all", user };
	struct answer a = {};
	const struct ctl_jv *v = NULL;
	char b[96];
	size_t i = 0;

	if (ctl_call(ctx, "session-delete", args, user != NULL ? 2 : 1, &a,
		     NULL) != WGNET_OK) {
		return WGNET_ERR;
	}
	if (!a.ok) {
		err_msg("%s", a.error);
		return WGNET_ERR;
	}
	if (json) {
		return print_raw(&a);
	}
	v = ctl_jv_get(a.doc, "ended");
	for (i = 0; i < ctl_jv_len(v); i++) {
		const struct ctl_jv *s = ctl_jv_at(v, i);
		size_t n = ctl_jv_len(ctl_jv_get(s, "smb_sessions"));

		printf("Ended the session of %s from %s (%zu SMB session%s)%s\n",
		       user_col(s), unc(b, sizeof(b), ctl_jv_str(s, "ip", "?")),
		       n, n == 1 ? "" : "s",
		       ctl_jv_bool(s, "freed", true) ? "" :
		       ": other users keep the slot");
	}
	printf("%zu session(s) ended, %llu open file(s) and pipe(s) flushed "
	       "and closed.\n", ctl_jv_len(v),
	       (unsigned long long)ctl_jv_u64(a.doc, "files_closed", 0));
	return WGNET_OK;
}

int verb_session(struct wgnet *ctx, int argc, char **argv)
{
	struct verb_args va = {};
	bool json = false;
	int rc = parse_verb_args(ctx, argc, argv,
				 OPT_DELETE | OPT_ALL | OPT_USER, &va);

	if (rc != WGNET_OK || va.help) {
		if (va.help) {
			usage_session();
		}
		return rc;
	}
	json = (va.flags & OPT_JSON) != 0;
	if ((va.flags & OPT_USER) && !(va.flags & OPT_DELETE)) {
		err_msg("session: /user goes with /delete: wgnet session "
			"\\\\COMPUTER /delete /user NAME");
		return WGNET_USAGE;
	}
	if ((va.flags & OPT_USER) && va.user[0] == '\0') {
		err_msg("session: /user needs a user name (\"(null)\" for "
			"null sessions)");
		return WGNET_USAGE;
	}
	if (va.flags & OPT_ALL) {
		if (!(va.flags & OPT_DELETE) || va.npos != 0) {
			err_msg("session: --all goes with /delete and no "
				"computer: wgnet session /delete --all");
			return WGNET_USAGE;
		}
		return session_delete(ctx, NULL, va.user, json);
	}
	if (va.npos > 1) {
		err_msg("session: name one computer (try --help)");
		return WGNET_USAGE;
	}
	if (va.flags & OPT_DELETE) {
		if (va.npos == 0) {
			err_msg("session: /delete needs a computer, or --all "
				"to end every session");
			return WGNET_USAGE;
		}
		return session_delete(ctx, va.pos[0], va.user, json);
	}
	return va.npos == 0 ? session_list(ctx, json) :
			      session_show(ctx, va.pos[0], json);
}

/* ---- files ----------------------------------------------------------- */

static void usage_files(void)
{
	printf(
"Usage: wgnet files [--json]\n"
"       wgnet files ID /close [--json]\n"
"\n"
"List the files, directories and pipes clients have open on the running\n"
"wgsmbd: id, path (share-relative; pipes as \\PIPE\\name), user name,\n"
"byte-range locks and access mode.\n"
"\n"
"  /close, --close  close open ID (what was written is flushed first);\n"
"                   the client sees its handle closed\n"
"  --json           print the daemon's answer as JSON\n"
"  --socket PATH    the daemon's control socket\n"
"\n"
"Exit status: 0 success, 1 error (no such id, daemon not running,\n"
"permission denied), 2 usage error.\n");
}

static int files_list(struct wgnet *ctx, bool json)
{
	struct answer a = {};
	const struct ctl_jv *v = NULL;
	char b[32];
	size_t i = 0;

	if (ctl_run(ctx, "files", NULL, &a) != WGNET_OK) {
		return WGNET_ERR;
	}
	if (json) {
		return print_raw(&a);
	}
	v = ctl_jv_get(a.doc, "files");
	if (ctl_jv_len(v) == 0) {
		printf("There are no entries in the list.\n");
		return WGNET_OK;
	}
	printf("ID       Path                               User name        "
	       "# Locks Mode\n%s\n", RULE);
	for (i = 0; i < ctl_jv_len(v); i++) {
		const struct ctl_jv *f = ctl_jv_at(v, i);
		const char *user = ctl_jv_str(f, "user", "");
		char *path = talloc_asprintf(NULL, "%s%s",
					     ctl_jv_str(f, "path", "?"),
					     ctl_jv_bool(f, "is_dir", false) ?
					     "\\" : "");

		cell(u64s(b, sizeof(b), ctl_jv_u64(f, "id", 0)), 8, false);
		putchar(' ');
		cell(path != NULL ? path : "?", 34, false);
		putchar(' ');
		cell(user[0] != '\0' ? user : "(null)", 16, false);
		putchar(' ');
		cell(u64s(b, sizeof(b), ctl_jv_u64(f, "locks", 0)), 7, true);
		putchar(' ');
		cell_at(ctl_jv_str(f, "mode", ""), 10, LAST);
		putchar('\n');
		talloc_free(path);
	}
	printf("%zu open file(s) and pipe(s)\n", ctl_jv_len(v));
	return WGNET_OK;
}

static int files_close(struct wgnet *ctx, const char *id, bool json)
{
	struct answer a = {};

	if (ctl_run(ctx, "file-close", id, &a) != WGNET_OK) {
		return WGNET_ERR;
	}
	if (json) {
		return print_raw(&a);
	}
	printf("Closed open file %llu (flushed first).\n",
	       (unsigned long long)ctl_jv_u64(a.doc, "closed", 0));
	return WGNET_OK;
}

int verb_files(struct wgnet *ctx, int argc, char **argv)
{
	struct verb_args va = {};
	int rc = parse_verb_args(ctx, argc, argv, OPT_CLOSE, &va);
	bool json = false;

	if (rc != WGNET_OK || va.help) {
		if (va.help) {
			usage_files();
		}
		return rc;
	}
	json = (va.flags & OPT_JSON) != 0;
	if (va.flags & OPT_CLOSE) {
		if (va.npos != 1) {
			err_msg("files: /close needs exactly one file id: "
				"wgnet files ID /close");
			return WGNET_USAGE;
		}
		return files_close(ctx, va.pos[0], json);
	}
	if (va.npos != 0) {
		err_msg("files: to close a file: wgnet files ID /close");
		return WGNET_USAGE;
	}
	return files_list(ctx, json);
}

/* ---- acl ------------------------------------------------------------- */

static void usage_acl(void)
{
	printf(
"Usage: wgnet acl SHARE:PATH [--sddl] [--json]\n"
"       wgnet acl SHARE:PATH /reset [--json]\n"
"\n"
"Show the owner, group and access control list (DACL) of a file or folder\n"
"of a disk share, with names as Windows shows them (machine\\user,\n"
"BUILTIN\\Administrators, Everyone), one ACE a line in the style of\n"
"icacls: (DENY) for deny ACEs, the inheritance flags (OI)(CI)(IO)(NP), (ID)\n"
"for an inherited ACE, and the rights (F, M, RX, R, W or the mask).\n"
"PATH may also be written \\\\SHARE\\PATH; SHARE: or \\\\SHARE alone is the\n"
"share's root. Names are matched without regard to case, as clients do.\n"
"\n"
"  --sddl           print the descriptor as one SDDL line instead\n"
"  /reset, --reset  remove every stored descriptor of PATH and of\n"
"                   everything below it: the tree shows the permissions\n"
"                   its parent passes down again (the share root: the\n"
"                   default, Everyone full control). The way back for\n"
"                   an administrator locked out of a folder.\n"
"  --json           print the daemon's answer as JSON\n"
"  --socket PATH    the daemon's control socket\n"
"\n"
"Exit status: 0 success, 1 error (no such share or path, daemon not\n"
"running, permission denied), 2 usage error.\n");
}

/* "SHARE:PATH" or "\\SHARE\PATH": *share and *path (talloc, "/" for the
 * root). false if there is no share name. */
static bool acl_split(TALLOC_CTX *mem, const char *arg, char **share,
		      char **path)
{
	const char *colon = strchr(arg, ':');
	const char *p = NULL;
	size_t n = 0;

	if (arg[0] == '\\' || arg[0] == '/') {
		p = arg + strspn(arg, "\\/");
		n = strcspn(p, "\\/");
		*share = talloc_strndup(mem, p, n);
		p += n;
	} else if (colon != NULL) {
		*share = talloc_strndup(mem, arg, (size_t)(colon - arg));
		p = colon + 1;
	} else {
		return false;
	}
	p += strspn(p, "\\/");
	*path = talloc_strdup(mem, p[0] != '\0' ? p : "/");
	return *share != NULL && (*share)[0] != '\0' && *path != NULL;
}

/* icacls' short names for the usual masks. */
static const char *acl_rights(char *buf, size_t len, uint64_t mask)
{
	switch (mask) {
	case 0x1f01ff:	return "F";
	case 0x1301bf:	return "M";
	case 0x1200a9:	return "RX";
	case 0x120089:	return "R";
	case 0x100116:	return "W";
	case 0x10000000: return "GA";
	case 0xa0000000: return "GR,GE";
	default:
		snprintf(buf, len, "0x%llx", (unsigned long long)mask);
		return buf;
	}
}

static const char *acl_who(const struct ctl_jv *o)
{
	const char *name = ctl_jv_str(o, "name", NULL);

	return name != NULL ? name : ctl_jv_str(o, "sid", "?");
}

static void acl_print(const struct ctl_jv *d, const char *share)
{
	const struct ctl_jv *dacl = ctl_jv_get(d, "dacl");
	const struct ctl_jv *o = ctl_jv_get(d, "owner");
	const struct ctl_jv *g = ctl_jv_get(d, "group");
	const char *path = ctl_jv_str(d, "path", "");
	char b[32];

	printf("\\\\%s\\", share);
	for (const char *p = path; *p != '\0'; p++) {
		putchar(*p == '/' ? '\\' : *p);
	}
	printf("  (%s, %s)\n", ctl_jv_str(d, "type", "?"),
	       ctl_jv_bool(d, "stored", false) ? "its own descriptor" :
	       "inherited");
	printf("Owner: %s (%s)\n", o != NULL ? acl_who(o) : "(none)",
	       ctl_jv_str(o, "sid", "-"));
	printf("Group: %s (%s)\n", g != NULL ? acl_who(g) : "(none)",
	       ctl_jv_str(g, "sid", "-"));
	if (dacl == NULL || dacl->type != CTL_J_ARRAY) {
		printf("DACL: none (everyone has every right)\n");
		return;
	}
	printf("DACL%s:%s\n", ctl_jv_bool(d, "protected", false) ?
	       " (protected: nothing inherited)" : "",
	       ctl_jv_len(dacl) == 0 ? " empty (only the owner may change "
	       "it)" : "");
	for (size_t i = 0; i < ctl_jv_len(dacl); i++) {
		const struct ctl_jv *a = ctl_jv_at(dacl, i);
		const struct ctl_jv *fl = ctl_jv_get(a, "flags");
		const char *type = ctl_jv_str(a, "type", "?");

		printf("  %s:", acl_who(a));
		if (strcmp(type, "denied") == 0) {
			printf("(DENY)");
		} else if (strcmp(type, "allowed") != 0) {
			printf("(%s)", type);
		}
		for (size_t k = 0; k < ctl_jv_len(fl); k++) {
			const struct ctl_jv *f = ctl_jv_at(fl, k);

			if (f != NULL && f->type == CTL_J_STRING) {
				printf("(%s)", f->str);
			}
		}
		printf("(%s)\n", acl_rights(b, sizeof(b),
					    ctl_jv_u64(a, "mask", 0)));
	}
}

int verb_acl(struct wgnet *ctx, int argc, char **argv)
{
	struct verb_args va = {};
	struct answer a = {};
	const char *args[2];
	char *share = NULL, *path = NULL;
	bool reset = false;
	int rc = parse_verb_args(ctx, argc, argv, OPT_RESET | OPT_SDDL, &va);

	if (rc != WGNET_OK || va.help) {
		if (va.help) {
			usage_acl();
		}
		return rc;
	}
	reset = (va.flags & OPT_RESET) != 0;
	if (va.npos != 1 || !acl_split(ctx->mem, va.pos[0], &share, &path)) {
		err_msg("acl: name one file or folder as SHARE:PATH or "
			"\\\\SHARE\\PATH");
		return WGNET_USAGE;
	}
	if (reset && (va.flags & OPT_SDDL)) {
		err_msg("acl: --sddl shows a descriptor; /reset changes one");
		return WGNET_USAGE;
	}
	args[0] = share;
	args[1] = path;
	if (ctl_call(ctx, reset ? "acl-reset" : "acl", args, 2, &a, NULL) !=
	    WGNET_OK) {
		return WGNET_ERR;
	}
	if (!a.ok) {
		err_msg("%s", a.error);
		return WGNET_ERR;
	}
	if (va.flags & OPT_JSON) {
		return print_raw(&a);
	}
	if (reset) {
		printf("Reset %s:%s: %llu stored descriptor(s) removed; it "
		       "inherits its permissions again.\n", share, path,
		       (unsigned long long)ctl_jv_u64(a.doc, "removed", 0));
		if (ctl_jv_u64(a.doc, "failed", 0) != 0) {
			printf("%llu object(s) could not be reset (see the "
			       "daemon's log).\n", (unsigned long long)
			       ctl_jv_u64(a.doc, "failed", 0));
			return WGNET_ERR;
		}
		return WGNET_OK;
	}
	if (va.flags & OPT_SDDL) {
		printf("%s\n", ctl_jv_str(a.doc, "sddl", ""));
		return WGNET_OK;
	}
	acl_print(a.doc, ctl_jv_str(a.doc, "share", share));
	return WGNET_OK;
}

/* ---- share ----------------------------------------------------------- */

static int want_server(const char *verb, const struct verb_args *va)
{
	if (va->npos > 1 ||
	    (va->npos == 1 && strcasecmp(va->pos[0], "server") != 0)) {
		err_msg("%s: only \"%s server\" exists (try --help)", verb,
			verb);
		return WGNET_USAGE;
	}
	return WGNET_OK;
}

/*
 * The common start of a listing verb: parse the arguments (--help shows
 * usage; "server" is the one positional a server verb takes, others take
 * none), ask the daemon for ctl_verb, and print the answer as it is for
 * --json. Returns true when the verb is finished (*rc says how); false
 * when *a holds the answer for the verb to print as a table.
 */
static bool fetch_listing(struct wgnet *ctx, int argc, char **argv,
			  const char *verb, const char *ctl_verb,
			  void (*usage)(void), bool server_verb,
			  struct answer *a, int *rc)
{
	struct verb_args va = {};

	*rc = parse_verb_args(ctx, argc, argv, 0, &va);
	if (*rc != WGNET_OK || va.help) {
		if (va.help) {
			usage();
		}
		return true;
	}
	if (server_verb && want_server(verb, &va) != WGNET_OK) {
		*rc = WGNET_USAGE;
		return true;
	}
	if (!server_verb && va.npos != 0) {
		err_msg("%s: unexpected argument \"%s\" (try --help)", verb,
			va.pos[0]);
		*rc = WGNET_USAGE;
		return true;
	}
	if (ctl_run(ctx, ctl_verb, NULL, a) != WGNET_OK) {
		*rc = WGNET_ERR;
		return true;
	}
	if (va.flags & OPT_JSON) {
		*rc = print_raw(a);
		return true;
	}
	return false;
}

static void usage_share(void)
{
	printf(
"Usage: wgnet share [--json]\n"
"\n"
"List the shares of the running wgsmbd: name, path, type (Disk, Print,\n"
"IPC), how many tree connects use it now, and its remark.\n"
"\n"
"  --json         print the daemon's answer as JSON\n"
"  --socket PATH  the daemon's control socket\n");
}

int verb_share(struct wgnet *ctx, int argc, char **argv)
{
	struct answer a = {};
	const struct ctl_jv *v = NULL;
	char b[32];
	size_t i = 0;
	int rc = WGNET_OK;

	if (fetch_listing(ctx, argc, argv, "share", "shares", usage_share,
			  false, &a, &rc)) {
		return rc;
	}
	printf("Share name   Resource                        Type   Users  "
	       "Remark\n%s\n", RULE);
	v = ctl_jv_get(a.doc, "shares");
	for (i = 0; i < ctl_jv_len(v); i++) {
		const struct ctl_jv *s = ctl_jv_at(v, i);

		cell(ctl_jv_str(s, "name", "?"), 12, false);
		putchar(' ');
		cell(ctl_jv_str(s, "path", ""), 31, false);
		putchar(' ');
		cell(type_title(ctl_jv_str(s, "type", "")), 5, false);
		putchar(' ');
		cell(u64s(b, sizeof(b), ctl_jv_u64(s, "current_users", 0)), 6,
		     true);
		if (ctl_jv_str(s, "remark", "")[0] != '\0') {
			printf("  ");
			cell_at(ctl_jv_str(s, "remark", ""), 20, LAST);
		}
		putchar('\n');
	}
	return WGNET_OK;
}

/* ---- connections ----------------------------------------------------- */

static void usage_connections(void)
{
	printf(
"Usage: wgnet connections [--json]\n"
"\n"
"List the TCP connections of the running wgsmbd, like nbtstat -s: local\n"
"and remote address, client computer, state (netbios, negotiating,\n"
"negotiated, authenticated, closing), bytes in and out, idle time.\n"
"\n"
"  --json         print the daemon's answer as JSON\n"
"  --socket PATH  the daemon's control socket\n");
}

int verb_connections(struct wgnet *ctx, int argc, char **argv)
{
	struct answer a = {};
	const struct ctl_jv *v = NULL;
	char b[32];
	size_t i = 0;
	int rc = WGNET_OK;

	if (fetch_listing(ctx, argc, argv, "connections", "connections",
			  usage_connections, false, &a, &rc)) {
		return rc;
	}
	v = ctl_jv_get(a.doc, "connections");
	if (ctl_jv_len(v) == 0) {
		printf("There are no entries in the list.\n");
		return WGNET_OK;
	}
	printf("Local           Remote           Computer    State        "
	       "     In   Out Idle\n%s\n", RULE);
	for (i = 0; i < ctl_jv_len(v); i++) {
		const struct ctl_jv *c = ctl_jv_at(v, i);

		cell(ctl_jv_str(c, "local", "?"), 15, false);
		putchar(' ');
		cell(ctl_jv_str(c, "remote", "?"), 16, false);
		putchar(' ');
		cell(ctl_jv_str(c, "computer", "?"), 11, false);
		putchar(' ');
		cell(ctl_jv_str(c, "state", "?"), 13, false);
		putchar(' ');
		cell(bytes(b, sizeof(b), ctl_jv_u64(c, "bytes_in", 0)), 5,
		     true);
		putchar(' ');
		cell(bytes(b, sizeof(b), ctl_jv_u64(c, "bytes_out", 0)), 5,
		     true);
		putchar(' ');
		cell_at(hms(b, sizeof(b), ctl_jv_u64(c, "idle_secs", 0)), 8,
			LAST);
		putchar('\n');
	}
	return WGNET_OK;
}

/* ---- config and statistics ------------------------------------------- */

static void usage_config(void)
{
	printf(
"Usage: wgnet config server [--json]\n"
"\n"
"Show the running wgsmbd's settings: names, edition, session cap and\n"
"slots in use, accounting mode, cap policy, every timeout, the control\n"
"socket and who may use it.\n"
"\n"
"  --json         print the daemon's answer as JSON\n"
"  --socket PATH  the daemon's control socket\n");
}

/* "server" is the only one there is; Windows also knows "workstation". */
static void print_config(const struct ctl_jv *s)
{
	const struct ctl_jv *t = ctl_jv_get(s, "timeouts_ms");
	char b[64];
	uint64_t cap = ctl_jv_u64(s, "cap", 0);
	const char *group = ctl_jv_str(s, "admin_group", "");

	kv("Server name",
	   unc(b, sizeof(b), ctl_jv_str(s, "netbios_name", "?")));
	kv("Server comment", ctl_jv_str(s, "comment", ""));
	kv("Workgroup", ctl_jv_str(s, "workgroup", ""));
	kv("Software version", ctl_jv_str(s, "version", ""));
	kv("Edition", ctl_jv_str(s, "edition", ""));
	kv("Session cap", cap == 0 ? "none" : u64s(b, sizeof(b), cap));
	kv_u64("Session slots in use", ctl_jv_u64(s, "slots_used", 0));
	kv("Session accounting", ctl_jv_str(s, "accounting", ""));
	kv("Cap policy", ctl_jv_str(s, "cap_policy", ""));
	snprintf(b, sizeof(b), "%lld",
		 (long long)ctl_jv_i64(s, "restrict_anonymous", 0));
	kv("Restrict anonymous", b);
	kv("Autodisconnect", duration(b, sizeof(b),
				      ctl_jv_u64(t, "autodisconnect", 0)));
	kv("Null session timeout", duration(b, sizeof(b),
					    ctl_jv_u64(t, "null_session", 0)));
	kv("Spoolss handle timeout",
	   duration(b, sizeof(b), ctl_jv_u64(t, "spoolss_handle", 0)));
	kv("Auth timeout", duration(b, sizeof(b), ctl_jv_u64(t, "auth", 0)));
	kv("Linger timeout", duration(b, sizeof(b),
				      ctl_jv_u64(t, "linger", 0)));
	kv("Uptime", hms(b, sizeof(b), ctl_jv_u64(s, "uptime_secs", 0)));
	kv("Control socket", ctl_jv_str(s, "control_socket", ""));
	kv("Admin group", group[0] != '\0' ? group : "(none)");
	kv("SMB1 (NT1)", ctl_jv_bool(s, "smb1", false) ?
	   "enabled (server min protocol = NT1)" : "disabled");
	kv("NTLMv1", ctl_jv_bool(s, "ntlmv1_permitted", false) ?
	   "permitted (insecure)" : "refused (ntlmv2-only)");
	kv("NetBIOS name service", ctl_jv_bool(s, "netbios_name_service",
						false) ? "on (UDP)" : "off");
}

int verb_config(struct wgnet *ctx, int argc, char **argv)
{
	struct answer a = {};
	int rc = WGNET_OK;

	if (fetch_listing(ctx, argc, argv, "config", "config", usage_config,
			  true, &a, &rc)) {
		return rc;
	}
	print_config(ctl_jv_get(a.doc, "server"));
	return WGNET_OK;
}

static void usage_statistics(void)
{
	printf(
"Usage: wgnet statistics server [--json]\n"
"\n"
"Counters since the running wgsmbd started: sessions admitted, refused\n"
"at the cap (Windows \"System error 71\") and refused as anonymous,\n"
"sessions reaped by cause (autodisconnect, null idle, spoolss idle, auth\n"
"timeout, half close, dead peer, admin, reclaim), bytes received and\n"
"sent, connections, errors, and how often each per-client limit was\n"
"reached (a refusal, or a connection not read for its reply backlog).\n"
"\n"
"  --json         print the daemon's answer as JSON\n"
"  --socket PATH  the daemon's control socket\n");
}

/*
 * One indented line per counter of a JSON object of numbers, its key
 * with '_' shown as ' ' (the reap causes, the limits reached).
 */
static void print_counters(const struct ctl_jv *o)
{
	size_t i = 0;

	for (i = 0; o != NULL && o->type == CTL_J_OBJECT && i < o->n; i++) {
		char *key = talloc_asprintf(NULL, "  %s", o->keys[i]);
		char *p = NULL;

		for (p = key; p != NULL && *p != '\0'; p++) {
			*p = *p == '_' ? ' ' : *p;
		}
		kv_u64(key != NULL ? key : "?",
		       o->items[i]->type == CTL_J_NUMBER ?
		       o->items[i]->mag : 0);
		talloc_free(key);
	}
}

/*
 * With several loops, how each took the state lock: acquisitions, how
 * many found it held (and the share), the time those waited (and the
 * longest wait), and the wakes other threads sent it (docs/threads.md).
 */
static void print_loop_lock(const struct ctl_jv *lp, size_t i)
{
	unsigned long long acq = ctl_jv_u64(lp, "lock_acquired", 0);
	unsigned long long con = ctl_jv_u64(lp, "lock_contended", 0);
	unsigned long long us = ctl_jv_u64(lp, "lock_wait_us", 0);
	char key[48];
	char v[200];

	if (acq == 0) {
		return;		/* one loop: no lock */
	}
	snprintf(key, sizeof(key), "  state lock, loop %zu", i);
	snprintf(v, sizeof(v), "%llu taken, %llu contended (%.1f%%), "
		 "%llu.%03llu ms waited (longest %llu us), %llu wakes",
		 acq, con, 100.0 * (double)con / (double)acq, us / 1000,
		 us % 1000,
		 (unsigned long long)ctl_jv_u64(lp, "lock_wait_max_us", 0),
		 (unsigned long long)ctl_jv_u64(lp, "wakes", 0));
	kv(key, v);
}

/* A time in us as "123 us", "45.6 ms" or "7.89 s". */
static void fmt_us(char *buf, size_t len, unsigned long long us)
{
	if (us < 1000) {
		snprintf(buf, len, "%llu us", us);
	} else if (us < 1000000) {
		snprintf(buf, len, "%.1f ms", (double)us / 1e3);
	} else {
		snprintf(buf, len, "%.2f s", (double)us / 1e6);
	}
}

/*
 * With several loops, how long each held the state lock (docs/threads.md):
 * holds, their time in all, the longest and who held it; the hold-time
 * histogram; the three sites that held it longest in all.
 */
static void print_loop_holds(const struct ctl_jv *lp, size_t i)
{
	const struct ctl_jv *h = ctl_jv_get(lp, "lock_holds");
	const struct ctl_jv *hist = ctl_jv_get(h, "histogram");
	const struct ctl_jv *sites = ctl_jv_get(h, "sites");
	char key[48];
	char v[160];
	char t[32];
	char m[32];
	size_t k = 0;

	if (h == NULL || h->type != CTL_J_OBJECT) {
		return;
	}
	fmt_us(t, sizeof(t), ctl_jv_u64(h, "total_us", 0));
	fmt_us(m, sizeof(m), ctl_jv_u64(h, "max_us", 0));
	snprintf(key, sizeof(key), "  lock held, loop %zu", i);
	snprintf(v, sizeof(v), "%llu times, %s, longest %s",
		 (unsigned long long)ctl_jv_u64(h, "count", 0), t, m);
	kv(key, v);
	kv("    longest by", ctl_jv_str(h, "max_site", "?"));
	snprintf(v, sizeof(v), "%llu / %llu / %llu / %llu / %llu",
		 (unsigned long long)ctl_jv_u64(hist, "lt_10us", 0),
		 (unsigned long long)ctl_jv_u64(hist, "lt_100us", 0),
		 (unsigned long long)ctl_jv_u64(hist, "lt_1ms", 0),
		 (unsigned long long)ctl_jv_u64(hist, "lt_10ms", 0),
		 (unsigned long long)ctl_jv_u64(hist, "ge_10ms", 0));
	kv("    held <10/100/1k/10k+ us", v);
	for (k = 0; sites != NULL && sites->type == CTL_J_ARRAY &&
		    k < sites->n && k < 3; k++) {
		const struct ctl_jv *s = sites->items[k];

		fmt_us(t, sizeof(t), ctl_jv_u64(s, "total_us", 0));
		fmt_us(m, sizeof(m), ctl_jv_u64(s, "max_us", 0));
		snprintf(key, sizeof(key), "    %s", ctl_jv_str(s, "site", "?"));
		snprintf(v, sizeof(v), "%s in %llu, longest %s", t,
			 (unsigned long long)ctl_jv_u64(s, "count", 0), m);
		kv(key, v);
	}
}

/* One line per event loop: what it serves now, what it accepted. */
static void print_loops(const struct ctl_jv *a)
{
	size_t i = 0;

	for (i = 0; a != NULL && a->type == CTL_J_ARRAY && i < a->n; i++) {
		const struct ctl_jv *lp = a->items[i];
		char key[48];
		char v[96];

		snprintf(key, sizeof(key), "Event loop %zu", i);
		snprintf(v, sizeof(v), "%llu computers, %llu connections "
			 "(%llu accepted)",
			 (unsigned long long)ctl_jv_u64(lp, "computers", 0),
			 (unsigned long long)ctl_jv_u64(lp, "connections", 0),
			 (unsigned long long)ctl_jv_u64(lp,
							"connections_accepted",
							0));
		kv(key, v);
		print_loop_lock(lp, i);
		print_loop_holds(lp, i);
		if (ctl_jv_get(lp, "run_delay_us") != NULL) {
			char t[32], d[32];

			fmt_us(t, sizeof(t), ctl_jv_u64(lp, "cpu_us", 0));
			fmt_us(d, sizeof(d),
			       ctl_jv_u64(lp, "run_delay_us", 0));
			snprintf(key, sizeof(key), "  scheduler, loop %zu", i);
			snprintf(v, sizeof(v), "%s on a CPU, %s waiting for one",
				 t, d);
			kv(key, v);
		}
	}
}

/* A phase's mean in us ("-" if it never happened), for the table. */
static void lat_mean(char *buf, size_t len, const struct ctl_jv *ph,
		     const char *name)
{
	const struct ctl_jv *p = ctl_jv_get(ph, name);
	unsigned long long n = ctl_jv_u64(p, "count", 0);

	if (n == 0) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%.1f",
		 (double)ctl_jv_u64(p, "sum_ns", 0) / (double)n / 1e3);
}

/*
 * Where SMB2 requests' time went on the server (all loops): per command,
 * the requests sent and how many were timed (one in "sample"), of those
 * the median and 99th percentile from frame read to reply written, and
 * the mean of each phase in us (wgsmbd's loop.h names them; async is
 * what went async, worker queue/run/back are its jobs').
 */
/* The phases' names in statistics --json, in a request's order. */
static const char *const lat_phases[] = {
	"lock", "pre", "handler", "async", "worker_queue", "worker_run",
	"worker_back", "reply", "flush", "write",
};

/*
 * Two tables, each within 80 columns: the totals and the phases up to the
 * handler's end, then the worker's and the reply's phases.
 */
static void print_latency(const struct ctl_jv *l)
{
	const struct ctl_jv *a = ctl_jv_get(l, "commands");
	char m[10][16];
	size_t i = 0, k = 0;

	if (a == NULL || a->type != CTL_J_ARRAY || a->n == 0) {
		return;
	}
	printf("Request latency, us (server side; one request in %llu "
	       "timed; mean per phase)\n",
	       (unsigned long long)ctl_jv_u64(a->items[0], "sample", 0));
	printf("  %-16s %8s %6s %7s %7s %6s %6s %7s %7s\n", "command",
	       "requests", "timed", "p50", "p99", "lock", "pre", "handler",
	       "async");
	for (i = 0; i < a->n; i++) {
		const struct ctl_jv *c = a->items[i];
		const struct ctl_jv *ph = ctl_jv_get(c, "phases");
		const struct ctl_jv *t = ctl_jv_get(ph, "total");

		for (k = 0; k < 4; k++) {
			lat_mean(m[k], sizeof(m[k]), ph, lat_phases[k]);
		}
		printf("  %-16s %8llu %6llu %7.1f %7.1f %6s %6s %7s %7s\n",
		       ctl_jv_str(c, "command", "?"),
		       (unsigned long long)ctl_jv_u64(c, "requests", 0),
		       (unsigned long long)ctl_jv_u64(t, "count", 0),
		       (double)ctl_jv_u64(t, "p50_ns", 0) / 1e3,
		       (double)ctl_jv_u64(t, "p99_ns", 0) / 1e3, m[0], m[1],
		       m[2], m[3]);
	}
	printf("  %-16s %6s %6s %6s %6s %6s %6s\n", "command", "wq", "wrun",
	       "wback", "reply", "flush", "write");
	for (i = 0; i < a->n; i++) {
		const struct ctl_jv *c = a->items[i];
		const struct ctl_jv *ph = ctl_jv_get(c, "phases");

		for (k = 4; k < 10; k++) {
			lat_mean(m[k], sizeof(m[k]), ph, lat_phases[k]);
		}
		printf("  %-16s %6s %6s %6s %6s %6s %6s\n",
		       ctl_jv_str(c, "command", "?"), m[4], m[5], m[6], m[7],
		       m[8], m[9]);
	}
}

static void print_statistics(const struct ctl_jv *s)
{
	const struct ctl_jv *r = ctl_jv_get(s, "reaped");
	const struct ctl_jv *e = ctl_jv_get(s, "errors");
	const struct ctl_jv *l = ctl_jv_get(s, "limits_hit");
	time_t start = (time_t)ctl_jv_i64(s, "start_time", 0);
	struct tm tm = {};
	char b[64];

	localtime_r(&start, &tm);
	strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S", &tm);
	printf("Statistics since %s\n\n", b);
	kv_u64("Sessions admitted", ctl_jv_u64(s, "sessions_admitted", 0));
	kv_u64("Sessions refused (error 71)",
	       ctl_jv_u64(s, "sessions_refused_cap", 0));
	kv_u64("Sessions refused (anonymous)",
	       ctl_jv_u64(s, "sessions_refused_anonymous", 0));
	kv_u64("Sessions reaped", ctl_jv_u64(s, "sessions_reaped", 0));
	print_counters(r);
	kv_u64("Printer handles reaped",
	       ctl_jv_u64(s, "printer_handles_reaped", 0));
	kv_u64("Bytes received", ctl_jv_u64(s, "bytes_in", 0));
	kv_u64("Bytes sent", ctl_jv_u64(s, "bytes_out", 0));
	kv_u64("Connections accepted",
	       ctl_jv_u64(s, "connections_accepted", 0));
	kv_u64("Orphaned streams reclaimed",
	       ctl_jv_u64(s, "streams_reclaimed", 0));
	kv_u64("WRITEs spliced", ctl_jv_u64(s, "writes_spliced", 0));
	kv_u64("WRITEs not spliced (pipes busy)",
	       ctl_jv_u64(s, "splice_pipes_busy", 0));
	kv_u64("WRITEs not spliced (no pipe)",
	       ctl_jv_u64(s, "splice_pipes_failed", 0));
	kv_u64("WRITEs unspliced (pipe filled early)",
	       ctl_jv_u64(s, "writes_unspliced", 0));
	kv_u64("Splice pipes alive", ctl_jv_u64(s, "splice_pipes_alive", 0));
	kv_u64("Sessions with expanded keys",
	       ctl_jv_u64(s, "sessions_with_expanded_keys", 0));
	print_loops(ctl_jv_get(s, "loops"));
	print_latency(ctl_jv_get(s, "latency"));
	kv_u64("Connections refused",
	       ctl_jv_u64(e, "connections_refused", 0));
	kv_u64("Connections dropped (errors)",
	       ctl_jv_u64(e, "connections_dropped", 0));
	if (l != NULL && l->type == CTL_J_OBJECT) {
		printf("Limits reached\n");
		print_counters(l);
	}
}

int verb_statistics(struct wgnet *ctx, int argc, char **argv)
{
	struct answer a = {};
	int rc = WGNET_OK;

	if (fetch_listing(ctx, argc, argv, "statistics", "statistics",
			  usage_statistics, true, &a, &rc)) {
		return rc;
	}
	print_statistics(ctl_jv_get(a.doc, "statistics"));
	return WGNET_OK;
}
