/*
 * lsarpc.c - the local security authority's translation methods
 * [MS-LSAT], 12345778-1234-abcd-ef00-0123456789ab v0.0: open a policy,
 * ask who the server is (a workgroup member: the account domain is the
 * machine, there is no primary domain), and translate names and SIDs
 * both ways, so clients (smbcacls, Windows' Security tab) show and
 * accept names.
 *
 * Names we know: the users file's users and local groups
 * (MACHINE\name, SID = machine SID + RID; groups are aliases), the
 * well-known SIDs of proto/sid.h (Everyone, NT AUTHORITY\...,
 * BUILTIN\...), and the domains themselves (the machine's name,
 * BUILTIN, NT AUTHORITY).
 *
 * Policy handles are rpc_handle.c's: budgeted per session. Null
 * sessions may open a policy and query it, but when restrict anonymous
 * is set (>= 1) their lookups are refused (STATUS_ACCESS_DENIED), as
 * Windows refuses anonymous SID/name translation.
 */
#include "pipes/rpc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "proto/ndr_sec.h"
#include "sessions/identity.h"
#include "sessions/users.h"

#define LSA_HANDLE_POLICY	1u
/* Most names or SIDs one lookup may carry [MS-LSAT: range(0,20480)]. */
#define LSA_MAX_LOOKUP		20480u
/* Distinct domains one answer can reference: ours, BUILTIN, NT
 * AUTHORITY, S-1-1, S-1-3 and a few strays; more go unmapped. */
#define LSA_MAX_DOMAINS		8
/* MaxEntries of a referenced domain list, as Windows sends it. */
#define LSA_REF_MAX_ENTRIES	32u

/* POLICY_INFORMATION_CLASS [MS-LSAD §2.2.4.1] */
#define POLICY_PRIMARY_DOMAIN		3u
#define POLICY_ACCOUNT_DOMAIN		5u
#define POLICY_DNS_DOMAIN		12u
#define POLICY_DNS_DOMAIN_INT		13u
#define POLICY_LOCAL_ACCOUNT_DOMAIN	14u

/* --- translation --- */

struct lsa_domain {
	const char *name;
	struct dom_sid sid;
};

struct lsa_refs {
	struct lsa_domain d[LSA_MAX_DOMAINS];
	uint32_t n;
};

/* One name or SID, translated (or not: use SID_NAME_UNKNOWN). */
struct lsa_xlat {
	enum sid_name_use use;
	struct dom_sid sid;
	const char *name;		/* account name, no domain */
	uint32_t dom;			/* index in lsa_refs, or UINT32_MAX */
};

/* The index of domain (name, sid) in refs, added if new. */
static uint32_t ref_domain(struct lsa_refs *refs, const char *name,
			   const struct dom_sid *sid)
{
	for (uint32_t i = 0; i < refs->n; i++) {
		if (sid_equal(&refs->d[i].sid, sid)) {
			return i;
		}
	}
	if (refs->n >= LSA_MAX_DOMAINS) {
		return UINT32_MAX;
	}
	refs->d[refs->n].name = name;
	refs->d[refs->n].sid = *sid;
	return refs->n++;
}

/* s without its last sub-authority (s must have one). */
static struct dom_sid sid_parent(const struct dom_sid *s)
{
	struct dom_sid d = *s;

	if (d.num_auths > 0) {
		d.num_auths--;
	}
	return d;
}

static void xlat_wk(struct lsa_refs *refs, const struct sid_wk *wk,
		    struct lsa_xlat *x)
{
	struct dom_sid dom = wk->use == SID_NAME_DOMAIN ? wk->sid :
			     sid_parent(&wk->sid);

	x->use = wk->use;
	x->sid = wk->sid;
	x->name = wk->use == SID_NAME_DOMAIN ? wk->domain : wk->name;
	x->dom = ref_domain(refs, wk->domain, &dom);
	if (x->dom == UINT32_MAX) {
		x->use = SID_NAME_UNKNOWN;
	}
}

/* A domain's own name ("BUILTIN", "NT AUTHORITY"): its table entry. */
static const struct sid_wk *wk_domain(const char *name)
{
	size_t n = 0;
	const struct sid_wk *t = sid_wk_table(&n);

	for (size_t i = 0; i < n; i++) {
		if (t[i].use == SID_NAME_DOMAIN &&
		    strcasecmp(t[i].domain, name) == 0) {
			return &t[i];
		}
	}
	return NULL;
}

/* A user or local group of ours, by name (without the domain part). */
static bool xlat_user(struct wg_rpc_call *call, struct lsa_refs *refs,
		      const char *name, struct lsa_xlat *x)
{
	const struct users_db *db = wg_rpc_users(call);
	const struct dom_sid *machine = call->env->machine_sid;
	const char *canon = NULL;
	uint32_t rid = 0;
	enum sid_name_use use = SID_NAME_USER;

	if (db == NULL) {
		return false;
	}
	if (users_rid(db, name, &rid) != 0 ||
	    users_lookup(db, name, NULL, &canon) != 0) {
		/* a local group: an alias of our domain */
		if (users_group_lookup(db, name, &rid, &canon) != 0) {
			return false;
		}
		use = SID_NAME_ALIAS;
	}
	if (sid_compose(&x->sid, machine, rid) != 0) {
		return false;
	}
	x->use = use;
	x->name = canon;
	x->dom = ref_domain(refs, wg_rpc_server(call)->netbios_name, machine);
	return x->dom != UINT32_MAX;
}

/*
 * Translate one name: "alice", "MACHINE\alice", "Everyone",
 * "BUILTIN\Administrators", "Administrators", "MACHINE", "BUILTIN".
 * Well-known names first, then BUILTIN's, then our accounts, as Windows
 * looks them up.
 */
static void xlat_name(struct wg_rpc_call *call, struct lsa_refs *refs,
		      const char *name, struct lsa_xlat *x)
{
	const char *host = wg_rpc_server(call)->netbios_name;
	const struct dom_sid *machine = call->env->machine_sid;
	const char *bs = strchr(name, '\\');
	const struct sid_wk *wk = NULL;

	*x = (struct lsa_xlat) { .use = SID_NAME_UNKNOWN, .dom = UINT32_MAX };
	if (name[0] == '\0') {
		return;
	}
	if (bs != NULL && (size_t)(bs - name) == strlen(host) &&
	    strncasecmp(name, host, strlen(host)) == 0) {
		if (bs[1] == '\0') {
			goto machine_domain;
		}
		(void)xlat_user(call, refs, bs + 1, x);
		return;
	}
	wk = sid_wk_by_name(name);
	if (wk == NULL && bs == NULL) {
		wk = wk_domain(name);
	}
	if (wk != NULL) {
		xlat_wk(refs, wk, x);
		return;
	}
	if (bs != NULL) {
		return;
	}
	if (xlat_user(call, refs, name, x)) {
		return;
	}
	*x = (struct lsa_xlat) { .use = SID_NAME_UNKNOWN, .dom = UINT32_MAX };
	if (strcasecmp(name, host) != 0) {
		return;
	}
machine_domain:
	x->use = SID_NAME_DOMAIN;
	x->sid = *machine;
	x->name = host;
	x->dom = ref_domain(refs, host, machine);
	if (x->dom == UINT32_MAX) {
		x->use = SID_NAME_UNKNOWN;
	}
}

/* Translate one SID (sessions/identity.h: the rules wgnet acl shares).
 * An unknown RID of ours still names our domain. */
static void xlat_sid(struct wg_rpc_call *call, struct lsa_refs *refs,
		     const struct dom_sid *sid, struct lsa_xlat *x)
{
	struct identity_name n;

	identity_sid_name(wg_rpc_users(call), call->env->machine_sid,
			  wg_rpc_server(call)->netbios_name, sid, &n);
	*x = (struct lsa_xlat) {
		.use = n.use, .sid = *sid, .name = n.name, .dom = UINT32_MAX,
	};
	if (n.domain != NULL) {
		x->dom = ref_domain(refs, n.domain, &n.domain_sid);
	}
	if (x->dom == UINT32_MAX) {
		x->use = SID_NAME_UNKNOWN;
	}
}

/* STATUS_SUCCESS, STATUS_SOME_NOT_MAPPED or STATUS_NONE_MAPPED. */
static uint32_t mapped_status(const struct lsa_xlat *x, uint32_t n,
			      uint32_t *mapped)
{
	*mapped = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (x[i].use != SID_NAME_UNKNOWN) {
			(*mapped)++;
		}
	}
	if (n == 0 || *mapped == n) {
		return 0;
	}
	return *mapped == 0 ? WG_STATUS_NONE_MAPPED :
			      WG_STATUS_SOME_NOT_MAPPED;
}

/* --- encoding --- */

static void push_domains_cb(struct ndr_push *p, const void *arg)
{
	const struct lsa_refs *refs = arg;

	ndr_push_u32(p, refs->n);
	for (uint32_t i = 0; i < refs->n; i++) {
		ndr_push_ustr(p, refs->d[i].name);
		ndr_push_sid_ptr(p, &refs->d[i].sid);
	}
}

/* LSAPR_REFERENCED_DOMAIN_LIST */
static void push_refs_cb(struct ndr_push *p, const void *arg)
{
	const struct lsa_refs *refs = arg;

	ndr_push_u32(p, refs->n);
	ndr_push_ptr(p, refs->n > 0 ? refs : NULL, push_domains_cb);
	ndr_push_u32(p, LSA_REF_MAX_ENTRIES);
}

/* The answer's shape: which Translated* structure, by method. */
enum lsa_shape {
	LSA_SIDS,	/* LSA_TRANSLATED_SID: use, rid, index */
	LSA_SIDS_EX,	/* ... + flags */
	LSA_SIDS_EX2,	/* use, PRPC_SID, index, flags */
	LSA_NAMES,	/* LSAPR_TRANSLATED_NAME: use, name, index */
	LSA_NAMES_EX,	/* ... + flags */
};

struct lsa_answer {
	enum lsa_shape shape;
	const struct lsa_xlat *x;
	uint32_t n;
};

static uint32_t xlat_rid(const struct lsa_xlat *x)
{
	if (x->use == SID_NAME_UNKNOWN || x->use == SID_NAME_DOMAIN ||
	    x->sid.num_auths == 0) {
		return x->use == SID_NAME_DOMAIN ? UINT32_MAX : 0;
	}
	return x->sid.sub_auths[x->sid.num_auths - 1];
}

static void push_xlat_array_cb(struct ndr_push *p, const void *arg)
{
	const struct lsa_answer *a = arg;

	ndr_push_u32(p, a->n);
	for (uint32_t i = 0; i < a->n; i++) {
		const struct lsa_xlat *x = &a->x[i];
		bool known = x->use != SID_NAME_UNKNOWN;

		ndr_push_u16(p, (uint16_t)x->use);
		switch (a->shape) {
		case LSA_SIDS:
		case LSA_SIDS_EX:
			ndr_push_u32(p, xlat_rid(x));
			break;
		case LSA_SIDS_EX2:
			ndr_push_sid_ptr(p, known ? &x->sid : NULL);
			break;
		case LSA_NAMES:
		case LSA_NAMES_EX:
			ndr_push_ustr(p, known ? x->name : "");
			break;
		}
		ndr_push_u32(p, x->dom);
		if (a->shape != LSA_SIDS && a->shape != LSA_NAMES) {
			ndr_push_u32(p, 0);	/* Flags */
		}
	}
}

/* [out] refs, [in,out] translated, [in,out] MappedCount, status. */
static void push_lookup_answer(struct wg_rpc_call *call,
			       const struct lsa_refs *refs,
			       const struct lsa_answer *a, uint32_t mapped,
			       uint32_t status)
{
	struct ndr_push *out = &call->out;

	ndr_push_ptr(out, refs, push_refs_cb);
	ndr_push_flush(out);
	ndr_push_u32(out, a->n);
	ndr_push_ptr(out, a->n > 0 ? a : NULL, push_xlat_array_cb);
	ndr_push_flush(out);
	ndr_push_u32(out, mapped);
	ndr_push_u32(out, status);
}

/* --- decoding --- */

/*
 * The [in] part of a Translated* structure: clients send an empty one
 * (Entries 0, NULL or an empty array). Anything else is not ours to
 * read: -EINVAL (the caller answers INVALID_PARAMETER).
 */
static int pull_empty_translated(struct ndr_pull *in)
{
	uint32_t entries = 0, ref = 0, max = 0;
	int rc = ndr_pull_u32(in, &entries);

	if (rc == 0) {
		rc = ndr_pull_ptr(in, &ref);
	}
	if (rc == 0 && ref != 0) {
		rc = ndr_pull_array_size(in, 0, &max);
	}
	if (rc != 0) {
		return -EPROTO;
	}
	return entries == 0 && max == 0 ? 0 : -EINVAL;
}

/* [range(0,20480)] Count, [size_is(Count)] PRPC_UNICODE_STRING Names */
static int pull_names(struct wg_rpc_call *call, char ***names, uint32_t *n)
{
	struct ndr_pull *in = &call->in;
	struct ndr_ustr_hdr *h = NULL;
	uint32_t count = 0, max = 0;
	char **v = NULL;
	int rc = ndr_pull_u32(in, &count);

	if (rc == 0) {
		/* 8 bytes per inline RPC_UNICODE_STRING */
		rc = ndr_pull_array_size(in, 8, &max);
	}
	if (rc != 0 || max != count || count > LSA_MAX_LOOKUP) {
		return -EPROTO;
	}
	h = talloc_array(call->mem, struct ndr_ustr_hdr, count);
	v = talloc_zero_array(call->mem, char *, count);
	if ((h == NULL || v == NULL) && count > 0) {
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < count; i++) {
		if (ndr_pull_ustr_hdr(in, &h[i]) != 0) {
			return -EPROTO;
		}
	}
	for (uint32_t i = 0; i < count; i++) {
		if (ndr_pull_ustr_body(in, &h[i], &v[i]) != 0) {
			return -EPROTO;
		}
		if (v[i] == NULL) {
			v[i] = "";
		}
	}
	*names = v;
	*n = count;
	return 0;
}

/* LSAPR_SID_ENUM_BUFFER: Entries, [size_is(Entries)] PLSAPR_SID_INFORMATION */
static int pull_sids(struct wg_rpc_call *call, struct dom_sid **sids,
		     uint32_t *n)
{
	int rc = ndr_pull_sid_array(&call->in, LSA_MAX_LOOKUP, sids, n);

	if (rc == WIRE_E_NOMEM) {
		return -ENOMEM;
	}
	return rc != 0 ? -EPROTO : 0;
}

/* A policy handle of this pipe: 0, or the status for a bad one. */
static int pull_policy(struct wg_rpc_call *call, uint32_t *status)
{
	struct wg_rpc_handles *handles = call->state;
	struct wg_rpc_handle *h = NULL;
	int rc = wg_rpc_handle_pull(call, handles, LSA_HANDLE_POLICY, &h);

	*status = 0;
	if (rc == -EINVAL) {
		return -EPROTO;
	}
	if (rc != 0) {
		*status = WG_STATUS_INVALID_HANDLE;
	}
	return 0;
}

/* --- operations --- */

/* LsarClose (0): [in,out] handle */
static uint32_t op_close(struct wg_rpc_call *call)
{
	struct wg_rpc_handles *handles = call->state;
	struct wg_rpc_handle *h = NULL;
	uint32_t status = 0;
	int rc = wg_rpc_handle_pull(call, handles, 0, &h);

	if (rc == -EINVAL) {
		return DCERPC_FAULT_NDR;
	}
	if (rc != 0) {
		status = WG_STATUS_INVALID_HANDLE;
	}
	TALLOC_FREE(h);
	wg_rpc_push_null_handle(&call->out);
	ndr_push_u32(&call->out, status);
	return 0;
}

/*
 * LSAPR_OBJECT_ATTRIBUTES, whose fields the server ignores [MS-LSAT
 * §2.2.2.4]: everything but a quality of service must be NULL (we do not
 * read descriptors here). -EPROTO: does not decode; -EINVAL: not ours.
 */
static int pull_object_attributes(struct ndr_pull *in)
{
	uint32_t len = 0, root = 0, name = 0, attrs = 0, sd = 0, qos = 0;
	uint32_t qlen = 0;
	uint16_t level = 0;
	uint8_t mode = 0, eff = 0;
	int rc = ndr_pull_u32(in, &len);

	if (rc == 0) {
		rc = ndr_pull_ptr(in, &root);
	}
	if (rc == 0) {
		rc = ndr_pull_ptr(in, &name);
	}
	if (rc == 0) {
		rc = ndr_pull_u32(in, &attrs);
	}
	if (rc == 0) {
		rc = ndr_pull_ptr(in, &sd);
	}
	if (rc == 0) {
		rc = ndr_pull_ptr(in, &qos);
	}
	if (rc != 0) {
		return -EPROTO;
	}
	if (root != 0 || name != 0 || sd != 0) {
		return -EINVAL;
	}
	if (qos == 0) {
		return 0;
	}
	rc = ndr_pull_u32(in, &qlen);
	if (rc == 0) {
		rc = ndr_pull_u16(in, &level);
	}
	if (rc == 0) {
		rc = ndr_pull_u8(in, &mode);
	}
	if (rc == 0) {
		rc = ndr_pull_u8(in, &eff);
	}
	return rc == 0 ? 0 : -EPROTO;
}

/* The rest of both OpenPolicy methods: attributes, access, [out] handle. */
static uint32_t open_policy(struct wg_rpc_call *call)
{
	struct wg_rpc_handles *handles = call->state;
	struct wg_rpc_handle *h = NULL;
	uint32_t access = 0, status = 0;
	int rc = pull_object_attributes(&call->in);

	/* past attributes we do not read, DesiredAccess cannot be found */
	if (rc == -EPROTO ||
	    (rc == 0 && ndr_pull_u32(&call->in, &access) != 0)) {
		return DCERPC_FAULT_NDR;
	}
	if (rc == -EINVAL) {
		status = WG_STATUS_INVALID_PARAMETER;
	} else if (call->env->machine_sid == NULL) {
		status = WG_STATUS_INTERNAL_DB_ERROR;
	} else {
		h = wg_rpc_handle_new(handles, LSA_HANDLE_POLICY, &status);
	}
	if (h != NULL) {
		h->access = access;
		ndr_push_handle(&call->out, h->wire);
	} else {
		wg_rpc_push_null_handle(&call->out);
	}
	ndr_push_u32(&call->out, status);
	return 0;
}

/* LsarOpenPolicy (6): [in,unique] wchar_t *SystemName (one character) */
static uint32_t op_open_policy(struct wg_rpc_call *call)
{
	uint32_t ref = 0;
	uint16_t c = 0;

	if (ndr_pull_ptr(&call->in, &ref) != 0 ||
	    (ref != 0 && ndr_pull_u16(&call->in, &c) != 0)) {
		return DCERPC_FAULT_NDR;
	}
	return open_policy(call);
}

/* LsarOpenPolicy2 (44): [in,unique,string] wchar_t *SystemName */
static uint32_t op_open_policy2(struct wg_rpc_call *call)
{
	char *server = NULL;

	if (ndr_pull_unique_string(&call->in, &server) != 0) {
		return DCERPC_FAULT_NDR;
	}
	return open_policy(call);
}

struct policy_info {
	uint16_t level;
	const char *workgroup;
	const char *host;
	const struct dom_sid *machine;
};

/* The union arm of LSAPR_POLICY_INFORMATION for v->level. */
static void push_policy_info_cb(struct ndr_push *p, const void *arg)
{
	const struct policy_info *v = arg;
	static const uint8_t no_guid[16];

	ndr_push_u16(p, v->level);
	switch (v->level) {
	case POLICY_PRIMARY_DOMAIN:
		/* a workgroup member: the workgroup's name, no SID */
		ndr_push_ustr(p, v->workgroup);
		ndr_push_sid_ptr(p, NULL);
		break;
	case POLICY_ACCOUNT_DOMAIN:
	case POLICY_LOCAL_ACCOUNT_DOMAIN:
		ndr_push_ustr(p, v->host);
		ndr_push_sid_ptr(p, v->machine);
		break;
	case POLICY_DNS_DOMAIN:
	case POLICY_DNS_DOMAIN_INT:
		ndr_push_ustr(p, v->workgroup);
		ndr_push_ustr(p, NULL);		/* DnsDomainName */
		ndr_push_ustr(p, NULL);		/* DnsForestName */
		ndr_push_align(p, 4);
		ndr_push_bytes(p, no_guid, sizeof(no_guid));
		ndr_push_sid_ptr(p, NULL);
		break;
	}
}

/* LsarQueryInformationPolicy (7) and ...Policy2 (46) */
static uint32_t op_query_info_policy(struct wg_rpc_call *call)
{
	const struct wg_admin_server *si = NULL;
	struct policy_info *v = NULL;
	uint32_t status = 0;
	uint16_t level = 0;

	if (pull_policy(call, &status) != 0 ||
	    ndr_pull_u16(&call->in, &level) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (status == 0 && level != POLICY_PRIMARY_DOMAIN &&
	    level != POLICY_ACCOUNT_DOMAIN &&
	    level != POLICY_LOCAL_ACCOUNT_DOMAIN &&
	    level != POLICY_DNS_DOMAIN && level != POLICY_DNS_DOMAIN_INT) {
		status = WG_STATUS_INVALID_PARAMETER;
	}
	if (status == 0) {
		si = wg_rpc_server(call);
		v = talloc_zero(call->mem, struct policy_info);
		if (v == NULL) {
			return DCERPC_FAULT_OUT_OF_MEMORY;
		}
		*v = (struct policy_info) {
			.level = level,
			.workgroup = si->workgroup,
			.host = si->netbios_name,
			.machine = call->env->machine_sid,
		};
	}
	ndr_push_ptr(&call->out, v, push_policy_info_cb);
	ndr_push_flush(&call->out);
	ndr_push_u32(&call->out, status);
	return 0;
}

/* May this caller translate? (restrict anonymous shuts null sessions out) */
static uint32_t lookup_allowed(struct wg_rpc_call *call)
{
	return wg_rpc_anonymous_restricted(call) ? WG_STATUS_ACCESS_DENIED : 0;
}

/*
 * LsarLookupNames (14), 2 (58), 3 (68) and 4 (77, no policy handle):
 * Names, [in,out] TranslatedSids, LookupLevel, [in,out] MappedCount and,
 * from 2 on, LookupOptions and ClientRevision.
 */
static uint32_t lookup_names(struct wg_rpc_call *call, bool has_handle,
			     enum lsa_shape shape)
{
	struct lsa_refs *refs = talloc_zero(call->mem, struct lsa_refs);
	struct lsa_answer a = { .shape = shape };
	struct lsa_xlat *x = NULL;
	char **names = NULL;
	uint32_t n = 0, mapped = 0, status = 0, options = 0, rev = 0;
	uint16_t level = 0;
	int rc = 0;

	if (refs == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	if (has_handle && pull_policy(call, &status) != 0) {
		return DCERPC_FAULT_NDR;
	}
	rc = pull_names(call, &names, &n);
	if (rc == -ENOMEM) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	if (rc == 0) {
		rc = pull_empty_translated(&call->in);
	}
	if (rc == -EINVAL) {
		status = status != 0 ? status : WG_STATUS_INVALID_PARAMETER;
		n = 0;
	} else if (rc != 0 || ndr_pull_u16(&call->in, &level) != 0 ||
		   ndr_pull_u32(&call->in, &mapped) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (rc == 0 && shape != LSA_SIDS &&
	    (ndr_pull_u32(&call->in, &options) != 0 ||
	     ndr_pull_u32(&call->in, &rev) != 0)) {
		return DCERPC_FAULT_NDR;
	}
	if (status == 0 && (level < 1 || level > 6)) {
		status = WG_STATUS_INVALID_PARAMETER;
	}
	if (status == 0) {
		status = lookup_allowed(call);
	}
	if (status == 0 && call->env->machine_sid == NULL) {
		status = WG_STATUS_INTERNAL_DB_ERROR;
	}
	if (status != 0) {
		n = 0;
	}
	x = talloc_zero_array(call->mem, struct lsa_xlat, n > 0 ? n : 1);
	if (x == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	for (uint32_t i = 0; i < n; i++) {
		xlat_name(call, refs, names[i], &x[i]);
	}
	if (status == 0) {
		status = mapped_status(x, n, &mapped);
	} else {
		mapped = 0;
	}
	a.x = x;
	a.n = n;
	push_lookup_answer(call, refs, &a, mapped, status);
	return 0;
}

static uint32_t op_lookup_names(struct wg_rpc_call *call)
{
	return lookup_names(call, true, LSA_SIDS);
}

static uint32_t op_lookup_names2(struct wg_rpc_call *call)
{
	return lookup_names(call, true, LSA_SIDS_EX);
}

static uint32_t op_lookup_names3(struct wg_rpc_call *call)
{
	return lookup_names(call, true, LSA_SIDS_EX2);
}

static uint32_t op_lookup_names4(struct wg_rpc_call *call)
{
	return lookup_names(call, false, LSA_SIDS_EX2);
}

/*
 * LsarLookupSids (15), 2 (57) and 3 (76, no policy handle): SidEnumBuffer,
 * [in,out] TranslatedNames, LookupLevel, [in,out] MappedCount and, from 2
 * on, LookupOptions and ClientRevision.
 */
static uint32_t lookup_sids(struct wg_rpc_call *call, bool has_handle,
			    enum lsa_shape shape)
{
	struct lsa_refs *refs = talloc_zero(call->mem, struct lsa_refs);
	struct lsa_answer a = { .shape = shape };
	struct lsa_xlat *x = NULL;
	struct dom_sid *sids = NULL;
	uint32_t n = 0, mapped = 0, status = 0, options = 0, rev = 0;
	uint16_t level = 0;
	int rc = 0;

	if (refs == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	if (has_handle && pull_policy(call, &status) != 0) {
		return DCERPC_FAULT_NDR;
	}
	rc = pull_sids(call, &sids, &n);
	if (rc == -ENOMEM) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	if (rc == 0) {
		rc = pull_empty_translated(&call->in);
	}
	if (rc == -EINVAL) {
		status = status != 0 ? status : WG_STATUS_INVALID_PARAMETER;
		n = 0;
	} else if (rc != 0 || ndr_pull_u16(&call->in, &level) != 0 ||
		   ndr_pull_u32(&call->in, &mapped) != 0) {
		return DCERPC_FAULT_NDR;
	}
	if (rc == 0 && shape != LSA_NAMES &&
	    (ndr_pull_u32(&call->in, &options) != 0 ||
	     ndr_pull_u32(&call->in, &rev) != 0)) {
		return DCERPC_FAULT_NDR;
	}
	if (status == 0 && (level < 1 || level > 6)) {
		status = WG_STATUS_INVALID_PARAMETER;
	}
	if (status == 0) {
		status = lookup_allowed(call);
	}
	if (status == 0 && call->env->machine_sid == NULL) {
		status = WG_STATUS_INTERNAL_DB_ERROR;
	}
	if (status != 0) {
		n = 0;
	}
	x = talloc_zero_array(call->mem, struct lsa_xlat, n > 0 ? n : 1);
	if (x == NULL) {
		return DCERPC_FAULT_OUT_OF_MEMORY;
	}
	for (uint32_t i = 0; i < n; i++) {
		xlat_sid(call, refs, &sids[i], &x[i]);
	}
	if (status == 0) {
		status = mapped_status(x, n, &mapped);
	} else {
		mapped = 0;
	}
	a.x = x;
	a.n = n;
	push_lookup_answer(call, refs, &a, mapped, status);
	return 0;
}

static uint32_t op_lookup_sids(struct wg_rpc_call *call)
{
	return lookup_sids(call, true, LSA_NAMES);
}

static uint32_t op_lookup_sids2(struct wg_rpc_call *call)
{
	return lookup_sids(call, true, LSA_NAMES_EX);
}

static uint32_t op_lookup_sids3(struct wg_rpc_call *call)
{
	return lookup_sids(call, false, LSA_NAMES_EX);
}

static void push_ustr_ptr_cb(struct ndr_push *p, const void *arg)
{
	ndr_push_ustr(p, arg);
}

/* [in,out] PRPC_UNICODE_STRING *: skip what came in (a string or NULL). */
static int pull_ustr_ptr(struct ndr_pull *in)
{
	uint32_t ref = 0;
	char *s = NULL;

	if (ndr_pull_ptr(in, &ref) != 0) {
		return -EPROTO;
	}
	if (ref != 0 && ndr_pull_ustr(in, &s) != 0) {
		return -EPROTO;
	}
	return 0;
}

/*
 * LsarGetUserName (45): SystemName, [in,out] PRPC_UNICODE_STRING
 * *UserName, [in,out,unique] PRPC_UNICODE_STRING *DomainName.
 */
static uint32_t op_get_user_name(struct wg_rpc_call *call)
{
	const char *user = call->env->user;
	const char *domain = wg_rpc_server(call)->netbios_name;
	char *server = NULL;
	uint32_t dref = 0;

	if (ndr_pull_unique_string(&call->in, &server) != 0 ||
	    pull_ustr_ptr(&call->in) != 0 ||
	    ndr_pull_ptr(&call->in, &dref) != 0 ||
	    (dref != 0 && pull_ustr_ptr(&call->in) != 0)) {
		return DCERPC_FAULT_NDR;
	}
	if (call->env->anonymous || user == NULL || user[0] == '\0') {
		user = "ANONYMOUS LOGON";
		domain = "NT AUTHORITY";
	}
	ndr_push_ptr(&call->out, user, push_ustr_ptr_cb);
	ndr_push_flush(&call->out);
	if (dref != 0) {
		ndr_push_referent(&call->out);
		ndr_push_ptr(&call->out, domain, push_ustr_ptr_cb);
		ndr_push_flush(&call->out);
	} else {
		ndr_push_u32(&call->out, 0);
	}
	ndr_push_u32(&call->out, 0);
	return 0;
}

static const wg_rpc_op lsa_ops[] = {
	[0] = op_close,
	[6] = op_open_policy,
	[7] = op_query_info_policy,
	[14] = op_lookup_names,
	[15] = op_lookup_sids,
	[44] = op_open_policy2,
	[45] = op_get_user_name,
	[46] = op_query_info_policy,
	[57] = op_lookup_sids2,
	[58] = op_lookup_names2,
	[68] = op_lookup_names3,
	[76] = op_lookup_sids3,
	[77] = op_lookup_names4,
};

const struct wg_rpc_iface wg_lsarpc_iface = {
	.name = "lsarpc",
	.uuid = "12345778-1234-abcd-ef00-0123456789ab",
	.major = 0,
	.minor = 0,
	.ops = lsa_ops,
	.n_ops = sizeof(lsa_ops) / sizeof(lsa_ops[0]),
	.state_new = wg_rpc_handles_state_new,
	.close_handles = wg_rpc_handles_state_close,
	.handle_count = wg_rpc_handles_state_count,
};
