/*
 * samr.c - the security account manager [MS-SAMR], 12345778-1234-abcd-
 * ef00-0123456789ac v1.0, read only: what the Windows object picker,
 * rpcclient and impacket ask to list and name the users of a workgroup
 * server. Two domains: the account domain (our NetBIOS name, the machine
 * SID, the users file's users; its local groups as aliases, as a Windows
 * workstation's are; the one group "None" (513) every user is in) and
 * Builtin (S-1-5-32: Administrators, Users, Guests as aliases; Users
 * holds Authenticated Users, as the session token has it).
 *
 * Everything that writes (create, set, delete, change password) answers
 * STATUS_ACCESS_DENIED: accounts are managed with `wgnet user` and
 * `wgnet group`.
 * Handles are rpc_handle.c's, budgeted per session.
 */
#include "pipes/rpc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "proto/ndr_sec.h"
#include "sessions/identity.h"
#include "sessions/users.h"

enum samr_kind {
	SAMR_SERVER = 1,
	SAMR_DOMAIN = 2,
	SAMR_USER = 3,
	SAMR_ALIAS = 4,	/* data: the RID (Builtin's are < 1000) */
};

enum samr_domain {
	DOM_ACCOUNT = 1,
	DOM_BUILTIN = 2,
};

/* [range(0,1000)] counts of LookupNames/LookupIds [MS-SAMR §3.1.5.11] */
#define SAMR_MAX_LOOKUP		1000u
/* What an enumeration entry costs against PreferedMaximumLength. */
#define SAMR_ENTRY_COST		12u

#define USER_NORMAL_ACCOUNT	0x00000010u
#define USER_DONT_EXPIRE_PASSWORD 0x00000200u
#define DOMAIN_GROUP_RID_USERS	IDENTITY_RID_NONE
#define SE_GROUP_DEFAULT	7u	/* mandatory, default, enabled */
#define GROUP_NAME_NONE		"None"
#define WG_STATUS_NO_SUCH_ALIAS	0xC0000151u

/* ALIAS_INFORMATION_CLASS [MS-SAMR §2.2.6.27] */
#define ALIAS_GENERAL		1u
#define ALIAS_NAME		2u
#define ALIAS_ADMIN_COMMENT	3u

/* DOMAIN_DISPLAY_INFORMATION [MS-SAMR §2.2.8.12] */
#define DISPLAY_USER		1u
#define DISPLAY_MACHINE		2u
#define DISPLAY_GROUP		3u
#define DISPLAY_OEM_USER	4u
#define DISPLAY_OEM_GROUP	5u

static size_t n_users(const struct wg_rpc_call *call)
{
	const struct users_db *db = wg_rpc_users(call);

	return db != NULL ? users_count(db) : 0;
}

static size_t n_groups(const struct wg_rpc_call *call)
{
	const struct users_db *db = wg_rpc_users(call);

	return db != NULL ? users_group_count(db) : 0;
}

/* The aliases of Builtin: the BUILTIN entries of the well-known table. */
static size_t builtin_aliases(const struct sid_wk **out, size_t max)
{
	size_t n = 0, k = 0;
	const struct sid_wk *t = sid_wk_table(&n);

	for (size_t i = 0; i < n && k < max; i++) {
		if (t[i].use == SID_NAME_ALIAS &&
		    sid_in_domain(&t[i].sid, &sid_builtin, NULL)) {
			out[k++] = &t[i];
		}
	}
	return k;
}

/* Handle helpers: the handle's domain or RID rides in h->data. */
static uintptr_t handle_val(const struct wg_rpc_handle *h)
{
	return (uintptr_t)h->data;
}

/*
 * Pull a handle of kind: 0 with *h set, 0 with *status INVALID_HANDLE,
 * or -EPROTO (does not decode).
 */
static int pull_h(struct wg_rpc_call *call, enum samr_kind kind,
		  struct wg_rpc_handle **h, uint32_t *status)
{
	struct wg_rpc_handles *handles = call->state;
	int rc = wg_rpc_handle_pull(call, handles, kind, h);

	*status = 0;
	if (rc == -EINVAL) {
		return -EPROTO;
	}
	if (rc != 0) {
		*h = NULL;
		*status = WG_STATUS_INVALID_HANDLE;
	}
	return 0;
}

/* Push a new handle (or a null one) and status. */
static void answer_handle(struct wg_rpc_call *call, enum samr_kind kind,
			  uintptr_t val, uint32_t access, uint32_t status)
{
	struct wg_rpc_handles *handles = call->state;
	struct wg_rpc_handle *h = NULL;

	if (status == 0 && call->env->machine_sid == NULL) {
		status = WG_STATUS_INTERNAL_DB_ERROR;
	}
	if (status == 0) {
		h = wg_rpc_handle_new(handles, kind, &status);
	}
	if (h != NULL) {
		h->data = (void *)val;
		h->access = access;
		ndr_push_handle(&call->out, h->wire);
	} else {
		wg_rpc_push_null_handle(&call->out);
	}
	ndr_push_u32(&call->out, status);
}

/* --- connect and close --- */

/* SamrConnect (0): [in,unique] wchar_t *ServerName (one character) */
static uint32_t op_connect(struct wg_rpc_call *call)
{
	uint32_t ref = 0, access = 0;
	uint16_t c = 0;

	if (ndr_pull_ptr(&call->in, &ref) != 0 ||
	    (ref != 0 && ndr_pull_u16(&call->in, &c) != 0) ||
	    ndr_pull_u32(&call->in, &access) != 0) {
		return DCERPC_FAULT_NDR;
	}
	answer_handle(call, SAMR_SERVER, 0, access, 0);
	return 0;
}

/* SamrConnect2 (57): [in,unique,string] ServerName, DesiredAccess */
static uint32_t op_connect2(struct wg_rpc_call *call)
{
	char *server = NULL;
	uint32_t access = 0;

	if (ndr_pull_unique_string(&call->in, &server) != 0 ||
	    ndr_pull_u32(&call->in, &access) != 0) {
		return DCERPC_FAULT_NDR;
	}
	answer_handle(call, SAMR_SERVER, 0, access, 0);
	return 0;
}

/* SamrConnect4 (62): ServerName, ClientRevision, DesiredAccess */
static uint32_t op_connect4(struct wg_rpc_call *call)
{
	char *server = NULL;
	uint32_t rev = 0, access = 0;

	if (ndr_pull_unique_string(&call->in, &server) != 0 ||
	    ndr_pull_u32(&call->in, &rev) != 0 ||
	    ndr_pull_u32(&call->in, &access) != 0) {
		return DCERPC_FAULT_NDR;
	}
	answer_handle(call, SAMR_SERVER, 0, access, 0);
	return 0;
}

/*
 * SamrConnect5 (64): ServerName, DesiredAccess, InVersion,
 * [switch_is(InVersion)] SAMPR_REVISION_INFO *InRevisionInfo; out
 * OutVersion, OutRevisionInfo, ServerHandle.
 */
static uint32_t op_connect5(struct wg_rpc_call *call)
{
	char *server = NULL;
	uint32_t access = 0, version = 0, tag = 0, rev = 0, features = 0;
	uint32_t status = 0;

	if (ndr_pull_unique_string(&call->in, &server) != 0 ||
	    ndr_pull_u32(&call->in, &access) != 0 ||
	    ndr_pull_u32(&call->in, &version) != 0 ||
	    ndr_pull_u32(&call->in, &tag) != 0 || tag != version ||
	    version != 1 || ndr_pull_u32(&call->in, &rev) != 0 ||
	    ndr_pull_u32(&call->in, &features) != 0) {
		return DCERPC_FAULT_NDR;
	}
	ndr_push_u32(&call->out, 1);		/* OutVersion */
	ndr_push_u32(&call->out, 1);		/* its union tag */
	ndr_push_u32(&call->out, 3);		/* Revision */
	ndr_push_u32(&call->out, 0);		/* SupportedFeatures */
	answer_handle(call, SAMR_SERVER, 0, access, status);
	return 0;
}

/* SamrCloseHandle (1): [in,out] handle */
static uint32_t op_close(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	uint32_t status = 0;

	if (pull_h(call, 0, &h, &status) != 0) {
		return DCERPC_FAULT_NDR;
	}
	TALLOC_FREE(h);
	wg_rpc_push_null_handle(&call->out);
	ndr_push_u32(&call->out, status);
	return 0;
}

/* --- enumerations --- */

struct rid_entry {
	uint32_t rid;
	const char *name;
};

struct rid_list {
	struct rid_entry *e;
	uint32_t n;
};

static void push_rid_array_cb(struct ndr_push *p, const void *arg)
{
	const struct rid_list *l = arg;

	ndr_push_u32(p, l->n);
	for (uint32_t i = 0; i < l->n; i++) {
		ndr_push_u32(p, l->e[i].rid);
		ndr_push_ustr(p, l->e[i].name);
	}
}

/* SAMPR_ENUMERATION_BUFFER */
static void push_enum_buffer_cb(struct ndr_push *p, const void *arg)
{
	const struct rid_list *l = arg;

	ndr_push_u32(p, l->n);
	ndr_push_ptr(p, l->n > 0 ? l : NULL, push_rid_array_cb);
}

/*
 * Answer an enumeration from all[0..n) starting at *ctx, as much as
 * fits in max bytes (at least one entry): [in,out] EnumerationContext,
 * [out] Buffer, [out] CountReturned, status (MORE_ENTRIES if cut).
 */
static void answer_enum(struct wg_rpc_call *call, const struct rid_entry *all,
			uint32_t n, uint32_t ctx, uint32_t max,
			uint32_t status)
{
	struct rid_list *l = talloc_zero(call->mem, struct rid_list);
	uint32_t used = 0;

	if (l == NULL) {
		ndr_push_u32(&call->out, ctx);
		ndr_push_u32(&call->out, 0);
		ndr_push_u32(&call->out, 0);
		ndr_push_u32(&call->out, WG_STATUS_NO_MEMORY);
		return;
	}
	if (status == 0 && ctx < n) {
		l->e = (struct rid_entry *)all + ctx;
		while (ctx + l->n < n) {
			uint32_t cost = SAMR_ENTRY_COST +
				2 * (uint32_t)strlen(all[ctx + l->n].name);

			if (l->n > 0 && used + cost > max) {
				break;
			}
			used += cost;
			l->n++;
		}
		ctx += l->n;
		if (ctx < n) {
			status = WG_STATUS_MORE_ENTRIES;
		}
	}
	ndr_push_u32(&call->out, ctx);
	ndr_push_ptr(&call->out, status == 0 ||
		     status == WG_STATUS_MORE_ENTRIES ? l : NULL,
		     push_enum_buffer_cb);
	ndr_push_flush(&call->out);
	ndr_push_u32(&call->out, l->n);
	ndr_push_u32(&call->out, status);
}

static const char *domain_name(struct wg_rpc_call *call, uintptr_t dom)
{
	return dom == DOM_BUILTIN ? "Builtin" :
				    wg_rpc_server(call)->netbios_name;
}

/* SamrEnumerateDomainsInSamServer (6) */
static uint32_t op_enum_domains(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	struct rid_entry all[2] = {
		{ 0, domain_name(call, DOM_ACCOUNT) },
		{ 0, domain_name(call, DOM_BUILTIN) },
	};
	uint32_t status = 0, ctx = 0, max = 0;

	if (pull_h(call, SAMR_SERVER, &h, &status) != 0 ||
	    ndr_pull_u32(&call->in, &ctx) != 0 ||
	    ndr_pull_u32(&call->in, &max) != 0) {
		return DCERPC_FAULT_NDR;
	}
	answer_enum(call, all, 2, ctx, max, status);
	return 0;
}

/*
 * Enumerate users (13), groups (11) or aliases (15) of a domain handle:
 * [in,out] EnumerationContext, (users: UserAccountControl filter),
 * PreferedMaximumLength.
 */
static uint32_t enum_accounts(struct wg_rpc_call *call, enum sid_name_use use)
{
	const struct users_db *db = wg_rpc_users(call);
	const struct sid_wk *wk[8];
	struct wg_rpc_handle *h = NULL;
	struct rid_entry *all = NULL;
	uint32_t status = 0, ctx = 0, max = 0, uac = 0, n = 0;

	if (pull_h(call, SAMR_DOMAIN, &h, &status) != 0 ||
	    ndr_pull_u32(&call->in, &ctx) != 0 ||
	    (use == SID_NAME_USER && ndr_pull_u32(&call->in, &uac) != 0) ||
	    ndr_pull_u32(&call->in, &max) != 0) {
		return DCERPC_FAULT_NDR;
	}
	all = talloc_zero_array(call->mem, struct rid_entry,
				n_users(call) + n_groups(call) + 8);
	if (all == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	if (h != NULL && handle_val(h) == DOM_ACCOUNT && use == SID_NAME_USER &&
	    (uac == 0 || (uac & USER_NORMAL_ACCOUNT) != 0)) {
		for (size_t i = 0; i < n_users(call); i++) {
			all[n++] = (struct rid_entry) {
				users_rid_at(db, i), users_name_at(db, i),
			};
		}
	}
	if (h != NULL && handle_val(h) == DOM_ACCOUNT &&
	    use == SID_NAME_ALIAS) {
		for (size_t i = 0; i < n_groups(call); i++) {
			all[n++] = (struct rid_entry) {
				users_group_rid_at(db, i),
				users_group_name_at(db, i),
			};
		}
	}
	if (h != NULL && handle_val(h) == DOM_ACCOUNT &&
	    use == SID_NAME_DOM_GRP) {
		all[n++] = (struct rid_entry) {
			DOMAIN_GROUP_RID_USERS, GROUP_NAME_NONE,
		};
	}
	if (h != NULL && handle_val(h) == DOM_BUILTIN &&
	    use == SID_NAME_ALIAS) {
		size_t k = builtin_aliases(wk, 8);

		for (size_t i = 0; i < k; i++) {
			all[n++] = (struct rid_entry) {
				wk[i]->sid.sub_auths[1], wk[i]->name,
			};
		}
	}
	answer_enum(call, all, n, ctx, max, status);
	return 0;
}

static uint32_t op_enum_groups(struct wg_rpc_call *call)
{
	return enum_accounts(call, SID_NAME_DOM_GRP);
}

static uint32_t op_enum_users(struct wg_rpc_call *call)
{
	return enum_accounts(call, SID_NAME_USER);
}

static uint32_t op_enum_aliases(struct wg_rpc_call *call)
{
	return enum_accounts(call, SID_NAME_ALIAS);
}

/* --- domains --- */

/* SamrLookupDomainInSamServer (5): handle, RPC_UNICODE_STRING Name */
static uint32_t op_lookup_domain(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	const struct dom_sid *sid = NULL;
	uint32_t status = 0;
	char *name = NULL;

	if (pull_h(call, SAMR_SERVER, &h, &status) != 0 ||
	    ndr_pull_ustr(&call->in, &name) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (status == 0 && name != NULL &&
	    strcasecmp(name, domain_name(call, DOM_BUILTIN)) == 0) {
		sid = &sid_builtin;
	} else if (status == 0 && name != NULL &&
		   strcasecmp(name, domain_name(call, DOM_ACCOUNT)) == 0) {
		sid = call->env->machine_sid;
	}
	if (status == 0 && sid == NULL) {
		status = WG_STATUS_NO_SUCH_DOMAIN;
	}
	ndr_push_sid_ptr(&call->out, sid);
	ndr_push_flush(&call->out);
	ndr_push_u32(&call->out, status);
	return 0;
}

/* SamrOpenDomain (7): handle, DesiredAccess, PRPC_SID DomainId */
static uint32_t op_open_domain(struct wg_rpc_call *call)
{
	const struct dom_sid *machine = call->env->machine_sid;
	struct wg_rpc_handle *h = NULL;
	struct dom_sid sid;
	uint32_t status = 0, access = 0;
	uintptr_t dom = 0;

	if (pull_h(call, SAMR_SERVER, &h, &status) != 0 ||
	    ndr_pull_u32(&call->in, &access) != 0 ||
	    ndr_pull_rpc_sid(&call->in, &sid) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (sid_equal(&sid, &sid_builtin)) {
		dom = DOM_BUILTIN;
	} else if (machine != NULL && sid_equal(&sid, machine)) {
		dom = DOM_ACCOUNT;
	} else if (status == 0) {
		status = WG_STATUS_NO_SUCH_DOMAIN;
	}
	answer_handle(call, SAMR_DOMAIN, dom, access, status);
	return 0;
}

/* OLD_LARGE_INTEGER: LowPart, HighPart */
static void push_old_large(struct ndr_push *p, uint64_t v)
{
	ndr_push_u32(p, (uint32_t)v);
	ndr_push_u32(p, (uint32_t)(v >> 32));
}

#define NEVER_DELTA	0x8000000000000000ull	/* a relative "never" */

struct dom_info {
	uint16_t level;
	const char *name;
	uint32_t n_users, n_aliases;
};

/* SAMPR_DOMAIN_INFO_BUFFER's arm for v->level */
static void push_dom_info_cb(struct ndr_push *p, const void *arg)
{
	const struct dom_info *v = arg;

	ndr_push_u16(p, v->level);
	switch (v->level) {
	case 1:	/* DOMAIN_PASSWORD_INFORMATION */
		ndr_push_u16(p, 0);		/* MinPasswordLength */
		ndr_push_u16(p, 0);		/* PasswordHistoryLength */
		ndr_push_u32(p, 0);		/* PasswordProperties */
		push_old_large(p, NEVER_DELTA);	/* MaxPasswordAge */
		push_old_large(p, 0);		/* MinPasswordAge */
		break;
	case 2:	/* SAMPR_DOMAIN_GENERAL_INFORMATION */
		push_old_large(p, NEVER_DELTA);	/* ForceLogoff */
		ndr_push_ustr(p, "");		/* OemInformation */
		ndr_push_ustr(p, v->name);
		ndr_push_ustr(p, "");		/* ReplicaSourceNodeName */
		push_old_large(p, 1);		/* DomainModifiedCount */
		ndr_push_u32(p, 1);		/* DomainServerEnabled */
		ndr_push_u32(p, 3);		/* DomainServerRolePrimary */
		ndr_push_u8(p, 0);		/* UasCompatibilityRequired */
		ndr_push_u32(p, v->n_users);
		ndr_push_u32(p, 0);		/* GroupCount */
		ndr_push_u32(p, v->n_aliases);
		break;
	case 3:	/* DOMAIN_LOGOFF_INFORMATION */
		push_old_large(p, NEVER_DELTA);
		break;
	case 4:	/* SAMPR_DOMAIN_OEM_INFORMATION */
	case 6:	/* SAMPR_DOMAIN_REPLICATION_INFORMATION */
		ndr_push_ustr(p, "");
		break;
	case 5:	/* SAMPR_DOMAIN_NAME_INFORMATION */
		ndr_push_ustr(p, v->name);
		break;
	case 7:	/* DOMAIN_SERVER_ROLE_INFORMATION */
		ndr_push_u32(p, 3);
		break;
	case 8:	/* DOMAIN_MODIFIED_INFORMATION */
		push_old_large(p, 1);
		push_old_large(p, 0);
		break;
	case 9:	/* DOMAIN_STATE_INFORMATION */
		ndr_push_u32(p, 1);
		break;
	}
}

/* SamrQueryInformationDomain (8) and ...Domain2 (46) */
static uint32_t op_query_domain_info(struct wg_rpc_call *call)
{
	const struct sid_wk *wk[8];
	struct wg_rpc_handle *h = NULL;
	struct dom_info *v = NULL;
	uint32_t status = 0;
	uint16_t level = 0;

	if (pull_h(call, SAMR_DOMAIN, &h, &status) != 0 ||
	    ndr_pull_u16(&call->in, &level) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (status == 0 && (level < 1 || level > 9)) {
		status = WG_STATUS_INVALID_INFO_CLASS;
	}
	if (status == 0) {
		bool builtin = handle_val(h) == DOM_BUILTIN;

		v = talloc_zero(call->mem, struct dom_info);
		if (v == NULL) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
		v->level = level;
		v->name = domain_name(call, handle_val(h));
		v->n_users = builtin ? 0 : (uint32_t)n_users(call);
		v->n_aliases = builtin ? (uint32_t)builtin_aliases(wk, 8) :
					 (uint32_t)n_groups(call);
	}
	ndr_push_ptr(&call->out, v, push_dom_info_cb);
	ndr_push_flush(&call->out);
	ndr_push_u32(&call->out, status);
	return 0;
}

/* --- names and RIDs --- */

/* One RID of a domain: its name and use, or NULL. */
static const char *rid_name(struct wg_rpc_call *call, uintptr_t dom,
			    uint32_t rid, enum sid_name_use *use)
{
	const struct users_db *db = wg_rpc_users(call);
	const struct sid_wk *wk[8];
	size_t k = 0;

	if (dom == DOM_ACCOUNT) {
		const char *name = NULL;
		int gi = db != NULL ? users_group_index(db, rid) : -ENOENT;

		*use = SID_NAME_USER;
		name = db != NULL ? users_name_by_rid(db, rid) : NULL;
		if (name == NULL && gi >= 0) {
			*use = SID_NAME_ALIAS;
			name = users_group_name_at(db, (size_t)gi);
		}
		if (name == NULL && rid == DOMAIN_GROUP_RID_USERS) {
			*use = SID_NAME_DOM_GRP;
			name = GROUP_NAME_NONE;
		}
		return name;
	}
	k = builtin_aliases(wk, 8);
	for (size_t i = 0; i < k; i++) {
		if (wk[i]->sid.sub_auths[1] == rid) {
			*use = SID_NAME_ALIAS;
			return wk[i]->name;
		}
	}
	return NULL;
}

/* One name of a domain: its RID and use, or -ENOENT. */
static int name_rid(struct wg_rpc_call *call, uintptr_t dom,
		    const char *name, uint32_t *rid, enum sid_name_use *use)
{
	const struct users_db *db = wg_rpc_users(call);
	const struct sid_wk *wk[8];
	size_t k = 0;

	if (dom == DOM_ACCOUNT) {
		*use = SID_NAME_USER;
		if (db != NULL && users_rid(db, name, rid) == 0) {
			return 0;
		}
		*use = SID_NAME_ALIAS;
		if (db != NULL && users_group_lookup(db, name, rid, NULL) == 0) {
			return 0;
		}
		*use = SID_NAME_DOM_GRP;
		*rid = DOMAIN_GROUP_RID_USERS;
		return strcasecmp(name, GROUP_NAME_NONE) == 0 ? 0 : -ENOENT;
	}
	k = builtin_aliases(wk, 8);
	for (size_t i = 0; i < k; i++) {
		if (strcasecmp(wk[i]->name, name) == 0) {
			*use = SID_NAME_ALIAS;
			*rid = wk[i]->sid.sub_auths[1];
			return 0;
		}
	}
	return -ENOENT;
}

struct ulong_array {
	const uint32_t *v;
	uint32_t n;
};

static void push_ulongs_cb(struct ndr_push *p, const void *arg)
{
	const struct ulong_array *a = arg;

	ndr_push_u32(p, a->n);
	for (uint32_t i = 0; i < a->n; i++) {
		ndr_push_u32(p, a->v[i]);
	}
}

/* SAMPR_ULONG_ARRAY as a top-level [out] structure. */
static void push_ulong_array(struct ndr_push *p, const struct ulong_array *a)
{
	ndr_push_u32(p, a->n);
	ndr_push_ptr(p, a->n > 0 ? a : NULL, push_ulongs_cb);
	ndr_push_flush(p);
}

static uint32_t mapped_status(uint32_t mapped, uint32_t n)
{
	if (mapped == n) {
		return 0;
	}
	return mapped == 0 ? WG_STATUS_NONE_MAPPED : WG_STATUS_SOME_NOT_MAPPED;
}

/*
 * SamrLookupNamesInDomain (17): handle, [range(0,1000)] Count,
 * [size_is(1000), length_is(Count)] RPC_UNICODE_STRING Names[*]; out
 * RelativeIds, Use (SAMPR_ULONG_ARRAY each).
 */
static uint32_t op_lookup_names(struct wg_rpc_call *call)
{
	struct ndr_pull *in = &call->in;
	struct wg_rpc_handle *h = NULL;
	struct ndr_ustr_hdr *hdr = NULL;
	struct ulong_array rids = {}, uses = {};
	uint32_t *rv = NULL, *uv = NULL;
	uint32_t status = 0, count = 0, max = 0, off = 0, actual = 0;
	uint32_t mapped = 0;

	if (pull_h(call, SAMR_DOMAIN, &h, &status) != 0 ||
	    ndr_pull_u32(in, &count) != 0 || count > SAMR_MAX_LOOKUP ||
	    ndr_pull_u32(in, &max) != 0 || ndr_pull_u32(in, &off) != 0 ||
	    ndr_pull_u32(in, &actual) != 0 || off != 0 || actual != count ||
	    max < actual || actual > ndr_pull_left(in) / 8) {
		return DCERPC_FAULT_NDR;
	}
	hdr = talloc_array(call->mem, struct ndr_ustr_hdr, count + 1);
	rv = talloc_zero_array(call->mem, uint32_t, count + 1);
	uv = talloc_zero_array(call->mem, uint32_t, count + 1);
	if (hdr == NULL || rv == NULL || uv == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	for (uint32_t i = 0; i < count; i++) {
		if (ndr_pull_ustr_hdr(in, &hdr[i]) != 0) {
			return DCERPC_FAULT_NDR;
		}
	}
	for (uint32_t i = 0; i < count; i++) {
		char *name = NULL;
		enum sid_name_use use = SID_NAME_UNKNOWN;

		if (ndr_pull_ustr_body(in, &hdr[i], &name) != 0) {
			return DCERPC_FAULT_NDR;
		}
		uv[i] = SID_NAME_UNKNOWN;
		if (status == 0 && name != NULL &&
		    name_rid(call, handle_val(h), name, &rv[i], &use) == 0) {
			uv[i] = use;
			mapped++;
		}
	}
	if (status == 0) {
		status = mapped_status(mapped, count);
		rids = (struct ulong_array) { rv, count };
		uses = (struct ulong_array) { uv, count };
	}
	push_ulong_array(&call->out, &rids);
	push_ulong_array(&call->out, &uses);
	ndr_push_u32(&call->out, status);
	return 0;
}

struct ustr_array {
	const char **v;
	uint32_t n;
};

static void push_ustrs_cb(struct ndr_push *p, const void *arg)
{
	const struct ustr_array *a = arg;

	ndr_push_u32(p, a->n);
	for (uint32_t i = 0; i < a->n; i++) {
		ndr_push_ustr(p, a->v[i]);
	}
}

/*
 * SamrLookupIdsInDomain (18): handle, [range(0,1000)] Count,
 * [size_is(1000), length_is(Count)] unsigned long *RelativeIds; out
 * Names (SAMPR_RETURNED_USTRING_ARRAY), Use.
 */
static uint32_t op_lookup_ids(struct wg_rpc_call *call)
{
	struct ndr_pull *in = &call->in;
	struct wg_rpc_handle *h = NULL;
	struct ustr_array *names = NULL;
	struct ulong_array uses = {};
	const char **nv = NULL;
	uint32_t *uv = NULL;
	uint32_t status = 0, count = 0, max = 0, off = 0, actual = 0;
	uint32_t mapped = 0;

	if (pull_h(call, SAMR_DOMAIN, &h, &status) != 0 ||
	    ndr_pull_u32(in, &count) != 0 || count > SAMR_MAX_LOOKUP ||
	    ndr_pull_u32(in, &max) != 0 || ndr_pull_u32(in, &off) != 0 ||
	    ndr_pull_u32(in, &actual) != 0 || off != 0 || actual != count ||
	    max < actual || actual > ndr_pull_left(in) / 4) {
		return DCERPC_FAULT_NDR;
	}
	names = talloc_zero(call->mem, struct ustr_array);
	nv = talloc_zero_array(call->mem, const char *, count + 1);
	uv = talloc_zero_array(call->mem, uint32_t, count + 1);
	if (names == NULL || nv == NULL || uv == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	for (uint32_t i = 0; i < count; i++) {
		enum sid_name_use use = SID_NAME_UNKNOWN;
		uint32_t rid = 0;

		if (ndr_pull_u32(in, &rid) != 0) {
			return DCERPC_FAULT_NDR;
		}
		uv[i] = SID_NAME_UNKNOWN;
		if (status == 0) {
			nv[i] = rid_name(call, handle_val(h), rid, &use);
		}
		if (nv[i] != NULL) {
			uv[i] = use;
			mapped++;
		}
	}
	if (status == 0) {
		status = mapped_status(mapped, count);
		*names = (struct ustr_array) { nv, count };
		uses = (struct ulong_array) { uv, count };
	}
	ndr_push_u32(&call->out, names->n);
	ndr_push_ptr(&call->out, names->n > 0 ? names : NULL, push_ustrs_cb);
	ndr_push_flush(&call->out);
	push_ulong_array(&call->out, &uses);
	ndr_push_u32(&call->out, status);
	return 0;
}

/* --- users --- */

/* SamrOpenUser (34): domain handle, DesiredAccess, UserId */
static uint32_t op_open_user(struct wg_rpc_call *call)
{
	const struct users_db *db = wg_rpc_users(call);
	struct wg_rpc_handle *h = NULL;
	uint32_t status = 0, access = 0, rid = 0;

	if (pull_h(call, SAMR_DOMAIN, &h, &status) != 0 ||
	    ndr_pull_u32(&call->in, &access) != 0 ||
	    ndr_pull_u32(&call->in, &rid) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (status == 0 && (handle_val(h) != DOM_ACCOUNT || db == NULL ||
			    users_name_by_rid(db, rid) == NULL)) {
		status = WG_STATUS_NO_SUCH_USER;
	}
	answer_handle(call, SAMR_USER, rid, access, status);
	return 0;
}

struct user_info {
	uint16_t level;
	const char *name;
	uint32_t rid;
};

static void push_logon_hours_cb(struct ndr_push *p, const void *arg)
{
	uint8_t all[21];

	memset(all, 0xff, sizeof(all));
	ndr_push_u32(p, 1260);		/* size_is(1260) */
	ndr_push_u32(p, 0);
	ndr_push_u32(p, sizeof(all));	/* length_is(UnitsPerWeek / 8) */
	ndr_push_bytes(p, all, sizeof(all));
}

/* SAMPR_USER_ALL_INFORMATION (level 21) */
static void push_user_all(struct ndr_push *p, const struct user_info *v)
{
	static const uint64_t never = 0x7fffffffffffffffull;

	push_old_large(p, 0);		/* LastLogon */
	push_old_large(p, 0);		/* LastLogoff */
	push_old_large(p, 0);		/* PasswordLastSet */
	push_old_large(p, never);	/* AccountExpires */
	push_old_large(p, 0);		/* PasswordCanChange */
	push_old_large(p, never);	/* PasswordMustChange */
	ndr_push_ustr(p, v->name);	/* UserName */
	for (int i = 0; i < 9; i++) {
		/* FullName, HomeDirectory, HomeDirectoryDrive, ScriptPath,
		 * ProfilePath, AdminComment, WorkStations, UserComment,
		 * Parameters */
		ndr_push_ustr(p, "");
	}
	for (int i = 0; i < 2; i++) {
		/* LmOwfPassword, NtOwfPassword: never sent */
		ndr_push_u16(p, 0);
		ndr_push_u16(p, 0);
		ndr_push_u32(p, 0);
	}
	ndr_push_ustr(p, NULL);		/* PrivateData */
	ndr_push_u32(p, 0);		/* SecurityDescriptor.Length */
	ndr_push_u32(p, 0);		/* ... its buffer */
	ndr_push_u32(p, v->rid);	/* UserId */
	ndr_push_u32(p, DOMAIN_GROUP_RID_USERS);	/* PrimaryGroupId */
	ndr_push_u32(p, USER_NORMAL_ACCOUNT | USER_DONT_EXPIRE_PASSWORD);
	ndr_push_u32(p, 0x00FFFFFFu);	/* WhichFields */
	ndr_push_u16(p, 168);		/* LogonHours.UnitsPerWeek */
	ndr_push_ptr(p, v, push_logon_hours_cb);
	ndr_push_u16(p, 0);		/* BadPasswordCount */
	ndr_push_u16(p, 0);		/* LogonCount */
	ndr_push_u16(p, 0);		/* CountryCode */
	ndr_push_u16(p, 0);		/* CodePage */
	ndr_push_u8(p, 0);		/* LmPasswordPresent */
	ndr_push_u8(p, 1);		/* NtPasswordPresent */
	ndr_push_u8(p, 0);		/* PasswordExpired */
	ndr_push_u8(p, 0);		/* PrivateDataSensitive */
}

/* SAMPR_USER_INFO_BUFFER's arm for v->level */
static void push_user_info_cb(struct ndr_push *p, const void *arg)
{
	const struct user_info *v = arg;

	ndr_push_u16(p, v->level);
	switch (v->level) {
	case 1:	/* SAMPR_USER_GENERAL_INFORMATION */
		ndr_push_ustr(p, v->name);
		ndr_push_ustr(p, "");			/* FullName */
		ndr_push_u32(p, DOMAIN_GROUP_RID_USERS);
		ndr_push_ustr(p, "");			/* AdminComment */
		ndr_push_ustr(p, "");			/* UserComment */
		break;
	case 6:	/* SAMPR_USER_NAME_INFORMATION */
		ndr_push_ustr(p, v->name);
		ndr_push_ustr(p, "");
		break;
	case 7:	/* SAMPR_USER_A_NAME_INFORMATION */
		ndr_push_ustr(p, v->name);
		break;
	case 8:	/* SAMPR_USER_F_NAME_INFORMATION */
		ndr_push_ustr(p, "");
		break;
	case 16:	/* USER_CONTROL_INFORMATION */
		ndr_push_u32(p, USER_NORMAL_ACCOUNT |
			     USER_DONT_EXPIRE_PASSWORD);
		break;
	case 21:
		push_user_all(p, v);
		break;
	}
}

/* SamrQueryInformationUser (36) and ...User2 (47) */
static uint32_t op_query_user_info(struct wg_rpc_call *call)
{
	const struct users_db *db = wg_rpc_users(call);
	struct wg_rpc_handle *h = NULL;
	struct user_info *v = NULL;
	const char *name = NULL;
	uint32_t status = 0;
	uint16_t level = 0;

	if (pull_h(call, SAMR_USER, &h, &status) != 0 ||
	    ndr_pull_u16(&call->in, &level) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (status == 0 && level != 1 && level != 6 && level != 7 &&
	    level != 8 && level != 16 && level != 21) {
		status = WG_STATUS_INVALID_INFO_CLASS;
	}
	if (status == 0) {
		name = db != NULL ? users_name_by_rid(db, handle_val(h)) : NULL;
		if (name == NULL) {
			/* deleted since it was opened */
			status = WG_STATUS_NO_SUCH_USER;
		}
	}
	if (status == 0) {
		v = talloc_zero(call->mem, struct user_info);
		if (v == NULL) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
		*v = (struct user_info) {
			.level = level,
			.name = talloc_strdup(call->mem, name),
			.rid = (uint32_t)handle_val(h),
		};
	}
	ndr_push_ptr(&call->out, v, push_user_info_cb);
	ndr_push_flush(&call->out);
	ndr_push_u32(&call->out, status);
	return 0;
}

static void push_groups_cb(struct ndr_push *p, const void *arg)
{
	ndr_push_u32(p, 1);
	ndr_push_u32(p, DOMAIN_GROUP_RID_USERS);
	ndr_push_u32(p, SE_GROUP_DEFAULT);
}

static void push_groups_buffer_cb(struct ndr_push *p, const void *arg)
{
	ndr_push_u32(p, 1);			/* MembershipCount */
	ndr_push_ptr(p, arg, push_groups_cb);
}

/* SamrGetGroupsForUser (39): every user is in "None" (513) */
static uint32_t op_get_groups_for_user(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	uint32_t status = 0;

	if (pull_h(call, SAMR_USER, &h, &status) != 0) {
		return DCERPC_FAULT_NDR;
	}
	ndr_push_ptr(&call->out, status == 0 ? h : NULL,
		     push_groups_buffer_cb);
	ndr_push_flush(&call->out);
	ndr_push_u32(&call->out, status);
	return 0;
}

/* SamrGetUserDomainPasswordInformation (44): no length, no properties */
static uint32_t op_get_user_pw_info(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	uint32_t status = 0;

	if (pull_h(call, SAMR_USER, &h, &status) != 0) {
		return DCERPC_FAULT_NDR;
	}
	ndr_push_u16(&call->out, 0);
	ndr_push_u32(&call->out, 0);
	ndr_push_u32(&call->out, status);
	return 0;
}

/* --- aliases: the local groups, and Builtin's --- */

/* The Builtin alias with this RID, or NULL. */
static const struct sid_wk *builtin_alias(uint32_t rid)
{
	const struct sid_wk *wk[8];
	size_t k = builtin_aliases(wk, 8);

	for (size_t i = 0; i < k; i++) {
		if (wk[i]->sid.sub_auths[1] == rid) {
			return wk[i];
		}
	}
	return NULL;
}

/* SamrOpenAlias (27): domain handle, DesiredAccess, AliasId */
static uint32_t op_open_alias(struct wg_rpc_call *call)
{
	const struct users_db *db = wg_rpc_users(call);
	struct wg_rpc_handle *h = NULL;
	uint32_t status = 0, access = 0, rid = 0;
	bool found = false;

	if (pull_h(call, SAMR_DOMAIN, &h, &status) != 0 ||
	    ndr_pull_u32(&call->in, &access) != 0 ||
	    ndr_pull_u32(&call->in, &rid) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (status == 0 && handle_val(h) == DOM_ACCOUNT) {
		found = rid >= USERS_RID_FIRST && db != NULL &&
			users_group_index(db, rid) >= 0;
	} else if (status == 0) {
		found = builtin_alias(rid) != NULL;
	}
	if (status == 0 && !found) {
		status = WG_STATUS_NO_SUCH_ALIAS;
	}
	answer_handle(call, SAMR_ALIAS, rid, access, status);
	return 0;
}

/* An alias's members as SIDs (talloc array under mem, *n of them); its
 * name in *name. Returns 0, -ENOENT (gone since opened) or -ENOMEM. */
static int alias_members(struct wg_rpc_call *call, TALLOC_CTX *mem,
			 uint32_t rid, const char **name,
			 struct dom_sid **sids, uint32_t *n)
{
	const struct users_db *db = wg_rpc_users(call);
	const struct sid_wk *wk = builtin_alias(rid);
	const uint32_t *m = NULL;
	size_t k = 0;
	int gi = -ENOENT;

	*n = 0;
	*sids = talloc_array(mem, struct dom_sid, 1);
	if (*sids == NULL) {
		return -ENOMEM;
	}
	if (rid < USERS_RID_FIRST) {
		if (wk == NULL) {
			return -ENOENT;
		}
		*name = wk->name;
		if (sid_equal(&wk->sid, &sid_builtin_users)) {
			(*sids)[(*n)++] = sid_authenticated_users;
		}
		return 0;
	}
	gi = db != NULL ? users_group_index(db, rid) : -ENOENT;
	if (gi < 0 || call->env->machine_sid == NULL) {
		return -ENOENT;
	}
	*name = users_group_name_at(db, (size_t)gi);
	k = users_group_members_at(db, (size_t)gi, &m);
	*sids = talloc_realloc(mem, *sids, struct dom_sid, k + 1);
	if (*sids == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < k; i++) {
		if (sid_compose(&(*sids)[*n], call->env->machine_sid,
				m[i]) == 0) {
			(*n)++;
		}
	}
	return 0;
}

struct alias_info {
	uint16_t level;
	const char *name;
	uint32_t members;
};

/* SAMPR_ALIAS_INFO_BUFFER's arm for v->level */
static void push_alias_info_cb(struct ndr_push *p, const void *arg)
{
	const struct alias_info *v = arg;

	ndr_push_u16(p, v->level);
	switch (v->level) {
	case ALIAS_GENERAL:	/* SAMPR_ALIAS_GENERAL_INFORMATION */
		ndr_push_ustr(p, v->name);
		ndr_push_u32(p, v->members);
		ndr_push_ustr(p, "");		/* AdminComment */
		break;
	case ALIAS_NAME:
		ndr_push_ustr(p, v->name);
		break;
	case ALIAS_ADMIN_COMMENT:
		ndr_push_ustr(p, "");
		break;
	}
}

/* SamrQueryInformationAlias (28): alias handle, ALIAS_INFORMATION_CLASS */
static uint32_t op_query_alias_info(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	struct alias_info *v = NULL;
	struct dom_sid *sids = NULL;
	const char *name = NULL;
	uint32_t status = 0, n = 0;
	uint16_t level = 0;
	int rc = 0;

	if (pull_h(call, SAMR_ALIAS, &h, &status) != 0 ||
	    ndr_pull_u16(&call->in, &level) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (status == 0 && (level < ALIAS_GENERAL ||
			    level > ALIAS_ADMIN_COMMENT)) {
		status = WG_STATUS_INVALID_INFO_CLASS;
	}
	if (status == 0) {
		rc = alias_members(call, call->mem, (uint32_t)handle_val(h),
				   &name, &sids, &n);
		if (rc == -ENOMEM) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
		if (rc != 0) {
			status = WG_STATUS_NO_SUCH_ALIAS;
		}
	}
	if (status == 0) {
		v = talloc_zero(call->mem, struct alias_info);
		if (v == NULL) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
		*v = (struct alias_info) {
			.level = level,
			.name = talloc_strdup(call->mem, name),
			.members = n,
		};
	}
	ndr_push_ptr(&call->out, v, push_alias_info_cb);
	ndr_push_flush(&call->out);
	ndr_push_u32(&call->out, status);
	return 0;
}

struct sid_array {
	const struct dom_sid *v;
	uint32_t n;
};

static void push_sid_ptrs_cb(struct ndr_push *p, const void *arg)
{
	const struct sid_array *a = arg;

	ndr_push_u32(p, a->n);
	for (uint32_t i = 0; i < a->n; i++) {
		ndr_push_sid_ptr(p, &a->v[i]);
	}
}

/* SamrGetMembersInAlias (33): alias handle; out SAMPR_PSID_ARRAY_OUT */
static uint32_t op_get_members_in_alias(struct wg_rpc_call *call)
{
	struct wg_rpc_handle *h = NULL;
	struct sid_array *a = NULL;
	struct dom_sid *sids = NULL;
	const char *name = NULL;
	uint32_t status = 0, n = 0;
	int rc = 0;

	if (pull_h(call, SAMR_ALIAS, &h, &status) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (status == 0) {
		rc = alias_members(call, call->mem, (uint32_t)handle_val(h),
				   &name, &sids, &n);
		if (rc == -ENOMEM) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
		if (rc != 0) {
			status = WG_STATUS_NO_SUCH_ALIAS;
			n = 0;
		}
	}
	a = talloc_zero(call->mem, struct sid_array);
	if (a == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	*a = (struct sid_array) { sids, n };
	ndr_push_u32(&call->out, n);
	ndr_push_ptr(&call->out, n > 0 ? a : NULL, push_sid_ptrs_cb);
	ndr_push_flush(&call->out);
	ndr_push_u32(&call->out, status);
	return 0;
}

/*
 * SAMPR_PSID_ARRAY (a top-level [in] ref pointer): Count,
 * [size_is(Count)] PSAMPR_SID_INFORMATION Sids, each a PRPC_SID.
 * Returns 0 or -EPROTO (does not decode) or -ENOMEM.
 */
static int pull_psid_array(struct wg_rpc_call *call, struct dom_sid **sids,
			   uint32_t *n)
{
	int rc = ndr_pull_sid_array(&call->in, SAMR_MAX_LOOKUP, sids, n);

	if (rc == WIRE_E_NOMEM) {
		return -ENOMEM;
	}
	return rc != 0 ? -EPROTO : 0;
}

/* Add rid to the set v[0..*n) if it is not there yet. */
static void rid_set_add(uint32_t *v, uint32_t *n, uint32_t rid)
{
	for (uint32_t i = 0; i < *n; i++) {
		if (v[i] == rid) {
			return;
		}
	}
	v[(*n)++] = rid;
}

/*
 * SamrGetAliasMembership (16): domain handle, SAMPR_PSID_ARRAY; out the
 * RIDs of the domain's aliases any of the SIDs is a member of.
 */
static uint32_t op_get_alias_membership(struct wg_rpc_call *call)
{
	const struct users_db *db = wg_rpc_users(call);
	const struct dom_sid *machine = call->env->machine_sid;
	struct wg_rpc_handle *h = NULL;
	struct ulong_array out = {};
	struct dom_sid *sids = NULL;
	uint32_t *v = NULL;
	uint32_t status = 0, n = 0, k = 0;
	size_t cap = 0;
	int rc = 0;

	if (pull_h(call, SAMR_DOMAIN, &h, &status) != 0) {
		return DCERPC_FAULT_NDR;
	}
	rc = pull_psid_array(call, &sids, &n);
	if (rc == -ENOMEM) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	if (rc != 0) {
		return DCERPC_FAULT_NDR;
	}
	cap = n_groups(call) + 8;
	v = talloc_array(call->mem, uint32_t, cap);
	if (v == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	for (uint32_t i = 0; status == 0 && i < n; i++) {
		uint32_t rid = 0;

		if (handle_val(h) == DOM_BUILTIN) {
			/* Users holds Authenticated Users: every user */
			if (sid_equal(&sids[i], &sid_authenticated_users) ||
			    (machine != NULL && db != NULL &&
			     sid_in_domain(&sids[i], machine, &rid) &&
			     users_name_by_rid(db, rid) != NULL)) {
				rid_set_add(v, &k,
					    sid_builtin_users.sub_auths[1]);
			}
			continue;
		}
		if (machine == NULL || db == NULL ||
		    !sid_in_domain(&sids[i], machine, &rid)) {
			continue;
		}
		for (size_t g = 0; g < n_groups(call); g++) {
			const uint32_t *m = NULL;
			size_t mn = users_group_members_at(db, g, &m);

			for (size_t j = 0; j < mn; j++) {
				if (m[j] == rid) {
					rid_set_add(v, &k,
						    users_group_rid_at(db, g));
					break;
				}
			}
		}
	}
	out = (struct ulong_array) { v, k };
	push_ulong_array(&call->out, &out);
	ndr_push_u32(&call->out, status);
	return 0;
}

/* --- display information (the object picker's listing) --- */

struct disp_entry {
	uint32_t rid;
	const char *name;
};

struct disp_list {
	uint16_t level;
	const struct disp_entry *e;
	uint32_t first;		/* the Index of e[0] */
	uint32_t n;
};

static int disp_cmp(const void *a, const void *b)
{
	const struct disp_entry *x = a, *y = b;

	return strcasecmp(x->name, y->name);
}

static void push_disp_array_cb(struct ndr_push *p, const void *arg)
{
	const struct disp_list *l = arg;

	ndr_push_u32(p, l->n);
	for (uint32_t i = 0; i < l->n; i++) {
		ndr_push_u32(p, l->first + i + 1);	/* Index */
		ndr_push_u32(p, l->e[i].rid);
		switch (l->level) {
		case DISPLAY_USER:
			ndr_push_u32(p, USER_NORMAL_ACCOUNT |
				     USER_DONT_EXPIRE_PASSWORD);
			ndr_push_ustr(p, l->e[i].name);
			ndr_push_ustr(p, "");		/* AdminComment */
			ndr_push_ustr(p, "");		/* FullName */
			break;
		case DISPLAY_GROUP:
			ndr_push_u32(p, SE_GROUP_DEFAULT);
			ndr_push_ustr(p, l->e[i].name);
			ndr_push_ustr(p, "");		/* AdminComment */
			break;
		}
	}
}

/* The cost of one entry against PreferredMaximumLength. */
static uint32_t disp_cost(const struct disp_entry *e)
{
	return SAMR_ENTRY_COST + 2 * (uint32_t)strlen(e->name);
}

/*
 * SamrQueryDisplayInformation (40), ...2 (48), ...3 (51): domain handle,
 * DOMAIN_DISPLAY_INFORMATION class, Index, EntryCount,
 * PreferredMaximumLength; out TotalAvailable, TotalReturned, the
 * SAMPR_DISPLAY_INFO_BUFFER arm (every arm is EntriesRead and a
 * pointer). Accounts sorted by name; Index is a cursor into them.
 * Users (1) and groups (3: "None"); no machines (2) and no OEM forms.
 */
static uint32_t op_query_display_info(struct wg_rpc_call *call)
{
	const struct users_db *db = wg_rpc_users(call);
	struct ndr_push *out = &call->out;
	struct wg_rpc_handle *h = NULL;
	struct disp_entry *all = NULL;
	struct disp_list *l = NULL;
	uint32_t status = 0, index = 0, count = 0, max = 0, n = 0;
	uint32_t avail = 0, used = 0;
	uint16_t level = 0;

	if (pull_h(call, SAMR_DOMAIN, &h, &status) != 0 ||
	    ndr_pull_u16(&call->in, &level) != 0 ||
	    ndr_pull_u32(&call->in, &index) != 0 ||
	    ndr_pull_u32(&call->in, &count) != 0 ||
	    ndr_pull_u32(&call->in, &max) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (level < DISPLAY_USER || level > DISPLAY_OEM_GROUP) {
		/* no arm to answer with */
		return DCERPC_FAULT_NDR;
	}
	if (status == 0 && level != DISPLAY_USER && level != DISPLAY_MACHINE &&
	    level != DISPLAY_GROUP) {
		status = WG_STATUS_INVALID_INFO_CLASS;
	}
	all = talloc_zero_array(call->mem, struct disp_entry,
				n_users(call) + 1);
	l = talloc_zero(call->mem, struct disp_list);
	if (all == NULL || l == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	if (status == 0 && handle_val(h) == DOM_ACCOUNT) {
		if (level == DISPLAY_USER) {
			for (size_t i = 0; i < n_users(call); i++) {
				all[n++] = (struct disp_entry) {
					users_rid_at(db, i),
					users_name_at(db, i),
				};
			}
		} else if (level == DISPLAY_GROUP) {
			all[n++] = (struct disp_entry) {
				DOMAIN_GROUP_RID_USERS, GROUP_NAME_NONE,
			};
		}
	}
	qsort(all, n, sizeof(all[0]), disp_cmp);
	for (uint32_t i = 0; i < n; i++) {
		avail += disp_cost(&all[i]);
	}
	l->level = level;
	l->first = index;
	if (status == 0 && index < n) {
		l->e = all + index;
		while (index + l->n < n && l->n < count) {
			uint32_t cost = disp_cost(&all[index + l->n]);

			if (l->n > 0 && used + cost > max) {
				break;
			}
			used += cost;
			l->n++;
		}
		if (index + l->n < n) {
			status = WG_STATUS_MORE_ENTRIES;
		}
	}
	ndr_push_u32(out, avail);		/* TotalAvailable */
	ndr_push_u32(out, used);		/* TotalReturned */
	ndr_push_u16(out, level);		/* the union's tag */
	ndr_push_u32(out, l->n);		/* EntriesRead */
	ndr_push_ptr(out, l->n > 0 ? l : NULL, push_disp_array_cb);
	ndr_push_flush(out);
	ndr_push_u32(out, status);
	return 0;
}

/* --- what writes: refused, with the method's [out] shape --- */

/* Methods whose only [out] is the status. */
static uint32_t op_deny(struct wg_rpc_call *call)
{
	ndr_push_u32(&call->out, WG_STATUS_ACCESS_DENIED);
	return 0;
}

/* Delete*: [in,out] handle, status. */
static uint32_t op_deny_handle(struct wg_rpc_call *call)
{
	wg_rpc_push_null_handle(&call->out);
	ndr_push_u32(&call->out, WG_STATUS_ACCESS_DENIED);
	return 0;
}

/* Create{Group,User,Alias}InDomain: [out] handle, RelativeId, status. */
static uint32_t op_deny_create(struct wg_rpc_call *call)
{
	wg_rpc_push_null_handle(&call->out);
	ndr_push_u32(&call->out, 0);
	ndr_push_u32(&call->out, WG_STATUS_ACCESS_DENIED);
	return 0;
}

/* CreateUser2InDomain: [out] handle, GrantedAccess, RelativeId, status. */
static uint32_t op_deny_create2(struct wg_rpc_call *call)
{
	wg_rpc_push_null_handle(&call->out);
	ndr_push_u32(&call->out, 0);
	ndr_push_u32(&call->out, 0);
	ndr_push_u32(&call->out, WG_STATUS_ACCESS_DENIED);
	return 0;
}

static const wg_rpc_op samr_ops[] = {
	[0] = op_connect,
	[1] = op_close,
	[2] = op_deny,			/* SetSecurityObject */
	[5] = op_lookup_domain,
	[6] = op_enum_domains,
	[7] = op_open_domain,
	[8] = op_query_domain_info,
	[9] = op_deny,			/* SetInformationDomain */
	[10] = op_deny_create,		/* CreateGroupInDomain */
	[11] = op_enum_groups,
	[12] = op_deny_create,		/* CreateUserInDomain */
	[13] = op_enum_users,
	[14] = op_deny_create,		/* CreateAliasInDomain */
	[15] = op_enum_aliases,
	[16] = op_get_alias_membership,
	[17] = op_lookup_names,
	[18] = op_lookup_ids,
	[21] = op_deny,			/* SetInformationGroup */
	[22] = op_deny,			/* AddMemberToGroup */
	[23] = op_deny_handle,		/* DeleteGroup */
	[24] = op_deny,			/* RemoveMemberFromGroup */
	[26] = op_deny,			/* SetMemberAttributesOfGroup */
	[27] = op_open_alias,
	[28] = op_query_alias_info,
	[29] = op_deny,			/* SetInformationAlias */
	[30] = op_deny_handle,		/* DeleteAlias */
	[31] = op_deny,			/* AddMemberToAlias */
	[32] = op_deny,			/* RemoveMemberFromAlias */
	[33] = op_get_members_in_alias,
	[34] = op_open_user,
	[35] = op_deny_handle,		/* DeleteUser */
	[36] = op_query_user_info,
	[37] = op_deny,			/* SetInformationUser */
	[38] = op_deny,			/* ChangePasswordUser */
	[39] = op_get_groups_for_user,
	[40] = op_query_display_info,
	[44] = op_get_user_pw_info,
	[46] = op_query_domain_info,
	[47] = op_query_user_info,
	[48] = op_query_display_info,
	[50] = op_deny_create2,		/* CreateUser2InDomain */
	[51] = op_query_display_info,
	[52] = op_deny,			/* AddMultipleMembersToAlias */
	[53] = op_deny,			/* RemoveMultipleMembersFromAlias */
	[54] = op_deny,			/* OemChangePasswordUser2 */
	[55] = op_deny,			/* UnicodeChangePasswordUser2 */
	[57] = op_connect2,
	[58] = op_deny,			/* SetInformationUser2 */
	[62] = op_connect4,
	[64] = op_connect5,
};

const struct wg_rpc_iface wg_samr_iface = {
	.name = "samr",
	.uuid = "12345778-1234-abcd-ef00-0123456789ac",
	.major = 1,
	.minor = 0,
	.ops = samr_ops,
	.n_ops = sizeof(samr_ops) / sizeof(samr_ops[0]),
	.state_new = wg_rpc_handles_state_new,
	.close_handles = wg_rpc_handles_state_close,
	.handle_count = wg_rpc_handles_state_count,
};
