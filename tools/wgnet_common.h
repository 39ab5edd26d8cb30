/*
 * wgnet_common.h - what every part of wgnet uses (wgnet_common.c): the
 * command context, messages and the config lookup. It calls neither
 * wgnet.c nor wgnet_admin.c: wgnet.c (main, `user`) calls the verbs of
 * wgnet_admin.c (wgnet_admin.h), and both call this.
 */
#ifndef WG_TOOLS_WGNET_COMMON_H
#define WG_TOOLS_WGNET_COMMON_H

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

#endif
