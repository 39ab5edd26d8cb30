/*
 * wgnet_discovery.h - `wgnet discovery`: how the system's own discovery
 * daemons announce wgsmbd, derived from wgsmb.conf (wgnet_discovery.c).
 *
 * wgsmbd speaks neither discovery protocol. With "mdns = yes" Avahi
 * publishes a static service file this verb writes; with "wsd = yes"
 * wsdd runs with the command line this verb builds. The generators
 * below are pure (no I/O), so they are unit-tested on their own.
 */
#ifndef WG_TOOLS_WGNET_DISCOVERY_H
#define WG_TOOLS_WGNET_DISCOVERY_H

#include <stdint.h>
#include <talloc.h>

#include "smbd/base/config.h"
#include "tools/wgnet_common.h"

#define DISC_AVAHI_FILE		"/etc/avahi/services/wgsmb.service"
#define DISC_WSDD		"/usr/sbin/wsdd"
/*
 * The Finder icon _device-info._tcp asks for: Apple's rack server, so
 * the server shows as a file server, never as someone's Mac.
 */
#define DISC_MODEL		"Xserve"

/*
 * The port announced for _smb._tcp: the first "smb ports" port that is
 * not 139 (139 wants NetBIOS session framing, which mDNS clients do not
 * speak). 0 if there is none.
 */
uint16_t disc_smb_port(const struct wg_config *cfg);

/*
 * The Avahi static service file (avahi.service(5)) announcing
 * _smb._tcp on disc_smb_port() and _device-info._tcp with
 * model=DISC_MODEL, both named "netbios name" (XML-escaped, wildcards
 * off). A talloc child of mem_ctx, or NULL when there is no port to
 * announce or on no memory.
 */
char *disc_avahi_service(TALLOC_CTX *mem_ctx, const struct wg_config *cfg);

/*
 * The name-based (version 5, DNS namespace) UUID of the lower-cased
 * "netbios name", as text (36 characters and a NUL) in out. wsdd's own
 * default is the same UUID of the host name, so a server named after
 * its host keeps the identity stock wsdd would give it.
 */
void disc_wsd_uuid(const char *netbios_name, char out[37]);

/*
 * wsdd's argument vector: wsdd (the program), --hostname NAME
 * --workgroup GROUP --uuid UUID, --interface ADDR for each "listen
 * addresses" entry unless one of them is a wildcard (0.0.0.0, ::),
 * --ipv4only / --ipv6only when every address is of one family, then
 * the nextra strings of extra. NULL-terminated, a talloc child of
 * mem_ctx; NULL on no memory.
 */
char **disc_wsdd_argv(TALLOC_CTX *mem_ctx, const struct wg_config *cfg,
		      const char *wsdd, char **extra, int nextra);

/* The `discovery` verb. WGNET_OK, WGNET_ERR or WGNET_USAGE. */
int verb_discovery(struct wgnet *ctx, int argc, char **argv);

#endif
