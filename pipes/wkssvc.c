/*
 * wkssvc.c - the workstation service [MS-WKST], 6bffd098-a112-3610-9833-
 * 46c3f87e345a v1.0: NetrWkstaGetInfo levels 100, 101 and 102, which
 * clients use to learn our name and workgroup.
 */
#include "pipes/rpc.h"
#include "proto/osversion.h"

#define PLATFORM_ID_NT		500u

struct wksta_view {
	uint32_t level;
	const struct wg_admin_server *si;
};

/* WKSTA_INFO_100/101/102 (strings deferred) */
static void wksta_info_cb(struct ndr_push *p, const void *arg)
{
	const struct wksta_view *v = arg;

	ndr_push_u32(p, PLATFORM_ID_NT);
	ndr_push_unique_string(p, v->si->netbios_name);
	ndr_push_unique_string(p, v->si->workgroup);
	ndr_push_u32(p, WG_OS_LM_MAJOR);
	ndr_push_u32(p, WG_OS_LM_MINOR);
	if (v->level == 100) {
		return;
	}
	ndr_push_unique_string(p, "C:\\");	/* lanroot */
	if (v->level == 102) {
		ndr_push_u32(p, 0);		/* logged-on users */
	}
}

/* NetrWkstaGetInfo (0) */
static uint32_t op_wksta_getinfo(struct wg_rpc_call *call)
{
	char *server = NULL;
	struct wksta_view *v = NULL;
	uint32_t level = 0;
	uint32_t werr = WERR_OK;
	int rc = ndr_pull_unique_string(&call->in, &server);

	if (rc == 0) {
		rc = ndr_pull_u32(&call->in, &level);
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (level != 100 && level != 101 && level != 102) {
		werr = WERR_UNKNOWN_LEVEL;
	} else if (level != 100 && wg_rpc_anonymous_restricted(call)) {
		werr = WERR_ACCESS_DENIED;
	} else {
		v = talloc_zero(call->mem, struct wksta_view);
		if (v == NULL) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
		v->level = level;
		v->si = wg_rpc_server(call);
	}
	ndr_push_u32(&call->out, level);
	ndr_push_ptr(&call->out, v, wksta_info_cb);
	ndr_push_flush(&call->out);
	ndr_push_u32(&call->out, werr);
	return 0;
}

static const wg_rpc_op wkssvc_ops[] = {
	[0] = op_wksta_getinfo,
};

const struct wg_rpc_iface wg_wkssvc_iface = {
	.name = "wkssvc",
	.uuid = "6bffd098-a112-3610-9833-46c3f87e345a",
	.major = 1,
	.minor = 0,
	.ops = wkssvc_ops,
	.n_ops = sizeof(wkssvc_ops) / sizeof(wkssvc_ops[0]),
};
