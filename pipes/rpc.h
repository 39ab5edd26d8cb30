/*
 * rpc.h - inside pipes/: what the DCE/RPC engine (pipe.c) offers the
 * services (srvsvc.c, wkssvc.c, spoolss.c) and what they declare to it.
 * Not for smbd: smbd uses pipe.h only.
 */
#ifndef WG_PIPES_RPC_H
#define WG_PIPES_RPC_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>
#include "pipes/pipe.h"
#include "proto/ndr.h"
#include "proto/dcerpc.h"

/* Win32 error codes the services return (WERROR / NET_API_STATUS). */
#define WERR_OK			0u
#define WERR_BADFILE		2u
#define WERR_ACCESS_DENIED	5u
#define WERR_INVALID_HANDLE	6u
#define WERR_NOT_ENOUGH_MEMORY	8u
/* ERROR_NO_SYSTEM_RESOURCES: STATUS_INSUFFICIENT_RESOURCES as a WERROR */
#define WERR_NO_SYSTEM_RESOURCES	1450u
#define WERR_NOT_SUPPORTED	50u
#define WERR_INVALID_PARAMETER	87u
#define WERR_INSUFFICIENT_BUFFER 122u
#define WERR_INVALID_NAME	123u
#define WERR_UNKNOWN_LEVEL	124u
#define WERR_MORE_DATA		234u
#define WERR_CAN_NOT_COMPLETE	1003u
#define WERR_UNKNOWN_PRINTER_DRIVER 1797u
#define WERR_UNKNOWN_PRINTPROCESSOR 1798u
#define WERR_INVALID_PRINTER_NAME 1801u
#define WERR_INVALID_DATATYPE	1804u
#define WERR_INVALID_ENVIRONMENT 1805u
#define WERR_INVALID_PRINTER_STATE 1906u
#define WERR_NERR_USERNOTFOUND	2221u
#define WERR_NERR_NETNAMENOTFOUND 2310u
#define WERR_NERR_DEVICENOTSHARED 2311u
#define WERR_NERR_CLIENTNAMENOTFOUND 2312u
#define WERR_NERR_FILEIDNOTFOUND 2314u
#define WERR_SPL_NO_STARTDOC	3004u
#define WERR_FILE_EXISTS	80u
#define WERR_NO_MORE_ITEMS	259u
#define WERR_NOT_FOUND		1168u
#define WERR_INVALID_FORM_NAME	1902u
#define WERR_INVALID_FORM_SIZE	1903u
#define WERR_INVALID_PRINTER_COMMAND 1803u
/* An HRESULT (GetCorePrinterDrivers, GetPrinterDriverPackagePath). */
#define WG_HRES_E_NOTIMPL	0x80004001u
#define WG_HRES_E_INVALIDARG	0x80070057u
#define WG_HRES_ERROR_NOT_FOUND	0x80070490u
#define WG_HRES_ERROR_FILE_NOT_FOUND 0x80070002u

/* One call in progress, as a service sees it. */
struct wg_rpc_call {
	struct wg_pipe *pipe;
	const struct wg_pipe_env *env;
	void *state;		/* the service's per-pipe state, or NULL */
	TALLOC_CTX *mem;	/* freed when the call is answered */
	struct ndr_pull in;	/* the request stub */
	struct ndr_push out;	/* the response stub */
	const struct wg_admin_server *server;	/* see wg_rpc_server() */
};

/*
 * One operation: decode call->in, encode call->out. Returns 0 (the
 * response is call->out) or a fault status (DCERPC_FAULT_NDR for a stub
 * that does not decode, ...); then call->out is discarded.
 */
typedef uint32_t (*wg_rpc_op)(struct wg_rpc_call *call);

struct wg_rpc_iface {
	const char *name;		/* "srvsvc": pipe and sec addr */
	const char *uuid;		/* abstract syntax */
	uint16_t major, minor;
	const wg_rpc_op *ops;		/* indexed by opnum; NULL = none */
	uint16_t n_ops;
	/* Optional per-pipe state, a talloc child of mem (freed with the
	 * pipe; its destructor closes what it holds). */
	void *(*state_new)(TALLOC_CTX *mem, struct wg_pipe *p,
			   const struct wg_pipe_env *env);
	void (*close_handles)(void *state);
	unsigned (*handle_count)(const void *state);
};

extern const struct wg_rpc_iface wg_srvsvc_iface;
extern const struct wg_rpc_iface wg_wkssvc_iface;
extern const struct wg_rpc_iface wg_spoolss_iface;
extern const struct wg_rpc_iface wg_lsarpc_iface;
extern const struct wg_rpc_iface wg_samr_iface;
extern const struct wg_rpc_iface wg_winreg_iface;

/*
 * The server's identity (NetBIOS name, comment, restrict anonymous...)
 * from env->admin, fetched once per call; defaults when unavailable.
 * Never NULL.
 */
const struct wg_admin_server *wg_rpc_server(struct wg_rpc_call *call);

/* Is the caller a null session that restrict anonymous >= 1 shuts out? */
bool wg_rpc_anonymous_restricted(struct wg_rpc_call *call);

/* Is the caller listed in `admin users`? (never for null sessions) */
bool wg_rpc_is_admin(struct wg_rpc_call *call);

/*
 * Share s's path the way Windows tools expect it ("C:\srv\data" for
 * "/srv/data"), as srvsvc's SHARE_INFO_2 and winreg's LanmanServer\Shares
 * show it; a child of mem. "" (static) when the caller is not admin,
 * for IPC$, for a share without a path, and when out of memory.
 */
const char *wg_rpc_share_path(TALLOC_CTX *mem,
			      const struct wg_admin_share *s, bool admin);

/* Fill n bytes with random data (context handles). */
void wg_rpc_random(void *buf, size_t n);

/* NTSTATUS codes the LSA and SAM services return beside ntstatus.h's. */
#define WG_STATUS_MORE_ENTRIES		0x00000105u
#define WG_STATUS_SOME_NOT_MAPPED	0x00000107u
#define WG_STATUS_NO_MORE_ENTRIES	0x8000001Au
#define WG_STATUS_NO_SUCH_USER		0xC0000064u
#define WG_STATUS_NONE_MAPPED		0xC0000073u
#define WG_STATUS_NO_SUCH_DOMAIN	0xC00000DFu
#define WG_STATUS_INVALID_INFO_CLASS	0xC0000003u
#define WG_STATUS_INVALID_PARAMETER	0xC000000Du
#define WG_STATUS_INVALID_HANDLE	0xC0000008u
#define WG_STATUS_ACCESS_DENIED		0xC0000022u
#define WG_STATUS_NO_MEMORY		0xC0000017u
#define WG_STATUS_INSUFFICIENT_RESOURCES 0xC000009Au
#define WG_STATUS_NOT_SUPPORTED		0xC00000BBu
#define WG_STATUS_INTERNAL_DB_ERROR	0xC0000158u

/*
 * Context handles of the LSA and SAM services (rpc_handle.c). Each is
 * 20 random bytes valid only on the pipe that made it, tracked in the
 * session manager like a printer handle (sm_handle_add: idle reaping,
 * released with the session), and counted against one budget per
 * session: WG_RPC_MAX_HANDLES tracked handles of any service.
 */
#define WG_RPC_MAX_HANDLES	64

struct wg_rpc_handles;

struct wg_rpc_handle {
	struct wg_rpc_handle *prev, *next;
	struct wg_rpc_handles *set;
	uint8_t wire[NDR_HANDLE_LEN];
	uint32_t kind;			/* the service's type of object */
	uint32_t access;		/* granted access */
	struct sm_handle *smh;		/* NULL when no session tracks it */
	void *data;			/* the service's, a child of the handle */
};

/* The handles of one pipe: a talloc child of mem, closing all on free. */
struct wg_rpc_handles *wg_rpc_handles_new(TALLOC_CTX *mem,
					  const struct wg_pipe_env *env);
void wg_rpc_handles_close(struct wg_rpc_handles *set);
unsigned wg_rpc_handles_count(const struct wg_rpc_handles *set);

/*
 * The state_new / close_handles / handle_count hooks of a service whose
 * pipe state is just its handle set (lsarpc, samr): call->state is then
 * the struct wg_rpc_handles.
 */
void *wg_rpc_handles_state_new(TALLOC_CTX *mem, struct wg_pipe *p,
			       const struct wg_pipe_env *env);
void wg_rpc_handles_state_close(void *state);
unsigned wg_rpc_handles_state_count(const void *state);

/* The users file the call's pipe sees now (reloads included), or NULL. */
const struct users_db *wg_rpc_users(const struct wg_rpc_call *call);

/*
 * A new handle of kind. Returns it (free it with talloc_free to close)
 * or NULL with *status WG_STATUS_INSUFFICIENT_RESOURCES when the session
 * holds WG_RPC_MAX_HANDLES already (counted through the env's
 * handle_budget_hit) or WG_STATUS_NO_MEMORY.
 */
struct wg_rpc_handle *wg_rpc_handle_new(struct wg_rpc_handles *set,
					uint32_t kind, uint32_t *status);

/*
 * Pull a context handle from call->in and find it on this pipe (touching
 * it). kind 0 takes any kind. Returns 0, -EINVAL (does not decode) or
 * -ENOENT (unknown, or of another kind).
 */
int wg_rpc_handle_pull(struct wg_rpc_call *call, struct wg_rpc_handles *set,
		       uint32_t kind, struct wg_rpc_handle **out);

/* A zero handle, what Close answers. */
void wg_rpc_push_null_handle(struct ndr_push *p);

#endif
