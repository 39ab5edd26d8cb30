/*
 * config_int.h - what the config parser (config.c) and the key handlers
 * (config_keys.c) share. Private to those two files.
 */
#ifndef WG_SMBD_CONFIG_INT_H
#define WG_SMBD_CONFIG_INT_H

#include <stdbool.h>
#include <talloc.h>

#include "smbd/base/config.h"
#include "smbd/base/log.h"

#define CFG_MAX_SHARE_NAME	80	/* characters */
#define CFG_MAX_NB_NAME		15
#define CFG_MAX_LISTEN		32
#define CFG_MAX_SESSIONS	1000000L

#define CFG_DEFAULT_USERS_FILE	"/var/lib/wgsmb/users"
#define CFG_DEFAULT_STATE_DIR	"/var/lib/wgsmb"
#define CFG_DEFAULT_LOG_LEVEL	WG_LOG_NOTICE

/* Parse-time facts about one share, parallel to cfg->shares. */
struct share_meta {
	int line;		/* its [header] */
	bool guest_ok_set;
	int print_command_line;	/* 0 if not set */
};

enum cfg_where {
	CFG_NOWHERE = 0,	/* before the first section */
	CFG_GLOBAL,
	CFG_SHARE,
};

struct cfg_parse {
	TALLOC_CTX *tmp;
	struct wg_config *cfg;
	const char *path;
	int line;		/* where the current item's line starts */
	enum cfg_where where;
	char *section;
	struct share_meta *meta;
	int min_proto_line;
	int max_proto_line;
	int control_socket_line;
	bool global_guest_ok;
	char *err;		/* first error, "FILE:LINE: reason" */
};

struct cfg_key {
	const char *name;
	int (*fn)(struct cfg_parse *p, const char *key, const char *v);
};

/* Record the first error as "FILE:LINE: reason" (later ones are dropped). */
void cfg_fail_at(struct cfg_parse *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define cfg_fail(p, ...) cfg_fail_at((p), (p)->line, __VA_ARGS__)

/* The handlers of [global] and share keys, NULL-terminated. */
extern const struct cfg_key cfg_global_keys[];
extern const struct cfg_key cfg_share_keys[];

/* Blank (space or tab). */
bool cfg_is_blank(char c);
/* May c appear in a NetBIOS name (spaces only if allow_space)? */
bool cfg_nb_char_ok(char c, bool allow_space);

#endif
