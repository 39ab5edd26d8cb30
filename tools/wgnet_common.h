/*
 * wgnet.h - what the parts of wgnet share: the command context, the
 * config lookup and messages (wgnet.c), and the verbs that talk to the
 * running daemon over its control socket (wgnet_admin.c).
 */
#ifndef WG_TOOLS_WGNET_H
#define WG_TOOLS_WGNET_H

#include <stdbool.h>
#include <talloc.h>

#define WGNET_DEFAULT_CONFIG	"/etc/wgsmb/wgsmb.conf"
#define WGNET_DEFAULT_USERS	"/var/lib/wgsmb/users"
#define WGNET_DEFAULT_STATE_DIR	"/var/lib/wgsmb"
#define WGNET_SOCKET_NAME	"wgsmbd.sock"

enum {
	WGNET_OK = 0,
	WGNET_ERR = 1,
	WGNET_USAGE = 2,
};

struct wgnet {
	TALLOC_CTX *mem;
	const char *config_path;
	bool config_given;	/* -c used: a missing file is an error */
	char *users_file;	/* from the config, else the default */
	char *state_dir;	/* from the config, else the default */
	char *control_socket;	/* --socket, the config, or the default */
	bool socket_given;	/* --socket: the config is not read */
};

/* "wgnet: " + message + newline on stderr. */
void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Read the config (unless already read) for the users file and the
 * control socket. WGNET_OK or WGNET_ERR (message printed).
 */
int config_load(struct wgnet *ctx);

/* Verbs served by the daemon (wgnet_admin.c); argv[0] is the verb. */
int verb_session(struct wgnet *ctx, int argc, char **argv);
int verb_files(struct wgnet *ctx, int argc, char **argv);
int verb_share(struct wgnet *ctx, int argc, char **argv);
int verb_connections(struct wgnet *ctx, int argc, char **argv);
int verb_config(struct wgnet *ctx, int argc, char **argv);
int verb_statistics(struct wgnet *ctx, int argc, char **argv);

/*
 * After `user del NAME`: tell a running daemon to end NAME's sessions.
 * A daemon that is not running is not an error (nothing to end); other
 * failures print a warning. Never changes the exit status.
 */
void wgnet_user_deleted(struct wgnet *ctx, const char *name);

#endif
