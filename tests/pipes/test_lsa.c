/*
 * test_lsa.c - \PIPE\lsarpc and \PIPE\samr over a users database and a
 * machine SID: answers, unmapped statuses, restrict anonymous, the
 * handle budget, and every request decoder truncated at every byte.
 */
#include "tests/pipes/rpctest.h"
#include "proto/ndr_sec.h"
#include "sessions/users.h"

#define LSA_UUID "12345778-1234-abcd-ef00-0123456789ab"
#define SAMR_UUID "12345778-1234-abcd-ef00-0123456789ac"

static struct users_db *db;
static struct dom_sid machine;
static struct wg_pipe_env env;
static unsigned budget_hits;

static void on_budget(void *priv, const char *ip, unsigned limit)
{
	budget_hits++;
	ck_assert_uint_eq(limit, 64);
}

static int fake_server_info(void *priv, TALLOC_CTX *mem,
			    struct wg_admin_server **out)
{
	struct wg_admin_server *s = talloc_zero(mem, struct wg_admin_server);

	s->netbios_name = "WGTEST";
	s->workgroup = "LAB";
	s->comment = "";
	s->restrict_anonymous = 1;
	*out = s;
	return 0;
}

static const struct wg_admin_ops admin = {
	.server_info = fake_server_info,
};

static void setup(void)
{
	static const uint8_t h[16];

	wgt_setup();
	db = users_new(NULL);
	ck_assert_int_eq(users_set(db, "alice", h), 0);	/* RID 1000 */
	ck_assert_int_eq(users_set(db, "bob", h), 0);	/* RID 1001 */
	ck_assert_int_eq(users_group_add(db, "Accounting"), 0);	/* 1002 */
	ck_assert_int_eq(users_group_addmember(db, "accounting", "bob"), 0);
	ck_assert_int_eq(sid_parse("S-1-5-21-1-2-3", &machine), 0);
	budget_hits = 0;
	env = (struct wg_pipe_env) {
		.admin = &admin, .user = "alice", .client_ip = "127.0.0.9",
		.machine_sid = &machine, .users = &db,
		.handle_budget_hit = on_budget,
	};
}

static void teardown(void)
{
	TALLOC_FREE(db);
	wgt_teardown();
}

static struct wg_pipe *open_bound(const char *name, const char *uuid,
				  uint16_t major)
{
	bool unknown = false;
	struct wg_pipe *p = wg_pipe_open(wgt_root, name, &env, &unknown);

	ck_assert_ptr_nonnull(p);
	rt_bind(wgt_root, p, uuid, major);
	return p;
}

/* LsarOpenPolicy2 with NULL attributes but a QoS; returns the status. */
static uint32_t open_policy2(struct wg_pipe *p, uint8_t h[20])
{
	struct ndr_push in;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint32_t st = 0;

	ndr_push_init(&in, wgt_root, 0);
	rt_put_unique_string(&in, "\\\\WGTEST");
	ndr_push_u32(&in, 24);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 0);
	ndr_push_referent(&in);		/* QoS */
	ndr_push_u32(&in, 12);
	ndr_push_u16(&in, 2);
	ndr_push_u8(&in, 1);
	ndr_push_u8(&in, 0);
	ndr_push_u32(&in, 0x02000000);
	ck_assert_uint_eq(rt_call(wgt_root, p, 44, &in.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 24);
	memcpy(h, stub, 20);
	st = wire_le32(stub + 20);
	talloc_free(stub);
	talloc_free(in.w.buf);
	return st;
}

/* Feed every prefix of a request stub: a fault or an answer, no crash. */
static void truncations(struct wg_pipe *p, uint16_t opnum,
			const struct wire_wr *in)
{
	for (size_t n = 0; n < in->len; n++) {
		struct wire_wr cut = *in;
		uint8_t *stub = NULL;
		size_t len = 0;

		cut.len = n;
		(void)rt_call(wgt_root, p, opnum, &cut, &stub, &len);
		talloc_free(stub);
	}
}

static void push_names(struct ndr_push *in, const char **names, uint32_t n)
{
	ndr_push_u32(in, n);
	ndr_push_u32(in, n);
	for (uint32_t i = 0; i < n; i++) {
		ndr_push_ustr(in, names[i]);
	}
	ndr_push_flush(in);
}

START_TEST(test_lookup_names3)
{
	struct wg_pipe *p = open_bound("lsarpc", LSA_UUID, 0);
	const char *names[] = { "alice", "Everyone", "nobody",
				"WGTEST\\bob", "BUILTIN\\Administrators" };
	uint8_t h[20];
	struct ndr_push in;
	struct ndr_pull r;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint32_t v = 0, ref = 0, n = 0, max = 0;
	struct dom_sid sid;
	char *dname = NULL;
	struct ndr_ustr_hdr dh[8];

	ck_assert_uint_eq(open_policy2(p, h), 0);
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, h);
	push_names(&in, names, 5);
	ndr_push_u32(&in, 0);		/* TranslatedSids: 0, NULL */
	ndr_push_u32(&in, 0);
	ndr_push_u16(&in, 1);		/* LookupLevel */
	ndr_push_u32(&in, 0);		/* MappedCount */
	ndr_push_u32(&in, 0);		/* LookupOptions */
	ndr_push_u32(&in, 2);		/* ClientRevision */
	ck_assert_uint_eq(rt_call(wgt_root, p, 68, &in.w, &stub, &len), 0);
	ndr_pull_init(&r, stub, stub, len);
	/* referenced domains: WGTEST (ours), "" (S-1-1), BUILTIN */
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_uint_ne(ref, 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);	/* MaxEntries */
	ck_assert_int_eq(ndr_pull_u32(&r, &max), 0);
	ck_assert_uint_eq(max, 3);
	for (uint32_t i = 0; i < 3; i++) {
		ck_assert_int_eq(ndr_pull_ustr_hdr(&r, &dh[i]), 0);
		ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	}
	ck_assert_int_eq(ndr_pull_ustr_body(&r, &dh[0], &dname), 0);
	ck_assert_str_eq(dname, "WGTEST");
	ck_assert_int_eq(ndr_pull_rpc_sid(&r, &sid), 0);
	ck_assert(sid_equal(&sid, &machine));
	ck_assert_int_eq(ndr_pull_ustr_body(&r, &dh[1], &dname), 0);
	ck_assert_int_eq(ndr_pull_rpc_sid(&r, &sid), 0);
	ck_assert_int_eq(ndr_pull_ustr_body(&r, &dh[2], &dname), 0);
	ck_assert_str_eq(dname, "BUILTIN");
	ck_assert_int_eq(ndr_pull_rpc_sid(&r, &sid), 0);
	ck_assert(sid_equal(&sid, &sid_builtin));
	/* translated SIDs */
	ck_assert_int_eq(ndr_pull_u32(&r, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &max), 0);
	uint16_t uses[5];
	uint32_t refs[5], idx[5];

	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(ndr_pull_u16(&r, &uses[i]), 0);
		ck_assert_int_eq(ndr_pull_ptr(&r, &refs[i]), 0);
		ck_assert_int_eq(ndr_pull_u32(&r, &idx[i]), 0);
		ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	}
	ck_assert_uint_eq(uses[0], SID_NAME_USER);
	ck_assert_uint_eq(uses[1], SID_NAME_WKN_GRP);
	ck_assert_uint_eq(uses[2], SID_NAME_UNKNOWN);
	ck_assert_uint_eq(refs[2], 0);
	ck_assert_uint_eq(idx[2], UINT32_MAX);
	ck_assert_uint_eq(uses[3], SID_NAME_USER);
	ck_assert_uint_eq(uses[4], SID_NAME_ALIAS);
	ck_assert_int_eq(ndr_pull_rpc_sid(&r, &sid), 0);
	ck_assert_uint_eq(sid.sub_auths[4], 1000);
	ck_assert_int_eq(ndr_pull_rpc_sid(&r, &sid), 0);
	ck_assert(sid_equal(&sid, &sid_everyone));
	ck_assert_int_eq(ndr_pull_rpc_sid(&r, &sid), 0);
	ck_assert_uint_eq(sid.sub_auths[4], 1001);
	ck_assert_int_eq(ndr_pull_rpc_sid(&r, &sid), 0);
	ck_assert(sid_equal(&sid, &sid_builtin_admins));
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 4);			/* MappedCount */
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 0x00000107);		/* SOME_NOT_MAPPED */
	ck_assert_uint_eq(ndr_pull_left(&r), 0);
	talloc_free(stub);
	truncations(p, 68, &in.w);
	talloc_free(in.w.buf);
	talloc_free(p);
}
END_TEST

/* LsarLookupSids2 request for sids; returns the status, *mapped. */
static uint32_t lookup_sids2(struct wg_pipe *p, const uint8_t h[20],
			     const struct dom_sid *sids, uint32_t n,
			     uint32_t *mapped, struct wire_wr *keep)
{
	struct ndr_push in;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint32_t st = 0;

	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, h);
	ndr_push_u32(&in, n);
	ndr_push_referent(&in);
	ndr_push_u32(&in, n);
	for (uint32_t i = 0; i < n; i++) {
		ndr_push_sid_ptr(&in, &sids[i]);
	}
	ndr_push_flush(&in);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 0);
	ndr_push_u16(&in, 1);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 2);
	ck_assert_uint_eq(rt_call(wgt_root, p, 57, &in.w, &stub, &len), 0);
	ck_assert_uint_ge(len, 8);
	*mapped = wire_le32(stub + len - 8);
	st = wire_le32(stub + len - 4);
	talloc_free(stub);
	if (keep != NULL) {
		*keep = in.w;
	} else {
		talloc_free(in.w.buf);
	}
	return st;
}

START_TEST(test_lookup_sids_statuses)
{
	struct wg_pipe *p = open_bound("\\PIPE\\lsarpc", LSA_UUID, 0);
	struct dom_sid s[3];
	struct wire_wr w;
	uint8_t h[20];
	uint32_t mapped = 0;

	ck_assert_uint_eq(open_policy2(p, h), 0);
	ck_assert_int_eq(sid_compose(&s[0], &machine, 1000), 0);
	s[1] = sid_everyone;
	ck_assert_int_eq(sid_compose(&s[2], &machine, 4242), 0);
	ck_assert_uint_eq(lookup_sids2(p, h, s, 2, &mapped, NULL), 0);
	ck_assert_uint_eq(mapped, 2);
	ck_assert_uint_eq(lookup_sids2(p, h, s, 3, &mapped, NULL),
			  0x00000107);
	ck_assert_uint_eq(mapped, 2);
	ck_assert_uint_eq(lookup_sids2(p, h, s + 2, 1, &mapped, &w),
			  0xC0000073);
	ck_assert_uint_eq(mapped, 0);
	truncations(p, 57, &w);
	talloc_free(w.buf);
	/* restrict anonymous: a null session may open, not translate */
	env.anonymous = true;
	env.user = "";
	env.sm = NULL;
	talloc_free(p);
	p = open_bound("lsarpc", LSA_UUID, 0);
	ck_assert_uint_eq(open_policy2(p, h), 0);
	ck_assert_uint_eq(lookup_sids2(p, h, s, 2, &mapped, NULL),
			  0xC0000022);
	talloc_free(p);
}
END_TEST

START_TEST(test_handle_budget)
{
	struct wg_pipe *p = open_bound("lsarpc", LSA_UUID, 0);
	uint8_t h[20];

	for (int i = 0; i < 64; i++) {
		ck_assert_uint_eq(open_policy2(p, h), 0);
	}
	ck_assert_uint_eq(wg_pipe_handle_count(p), 64);
	ck_assert_uint_eq(open_policy2(p, h), 0xC000009A);
	ck_assert_uint_eq(budget_hits, 1);
	talloc_free(p);
}
END_TEST

START_TEST(test_samr_users)
{
	struct wg_pipe *p = open_bound("samr", SAMR_UUID, 1);
	struct ndr_push in;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint8_t srv[20], dom[20];
	const char *names[] = { "bob", "nobody" };

	/* SamrConnect5 */
	ndr_push_init(&in, wgt_root, 0);
	rt_put_unique_string(&in, "\\\\WGTEST");
	ndr_push_u32(&in, 0x02000000);
	ndr_push_u32(&in, 1);
	ndr_push_u32(&in, 1);
	ndr_push_u32(&in, 3);
	ndr_push_u32(&in, 0);
	ck_assert_uint_eq(rt_call(wgt_root, p, 64, &in.w, &stub, &len), 0);
	ck_assert_uint_eq(len, 40);
	ck_assert_uint_eq(wire_le32(stub + 36), 0);
	memcpy(srv, stub + 16, 20);
	talloc_free(stub);
	truncations(p, 64, &in.w);
	talloc_free(in.w.buf);
	/* SamrOpenDomain (the machine SID) */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, srv);
	ndr_push_u32(&in, 0x02000000);
	ndr_push_rpc_sid(&in, &machine);
	ck_assert_uint_eq(rt_call(wgt_root, p, 7, &in.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + 20), 0);
	memcpy(dom, stub, 20);
	talloc_free(stub);
	truncations(p, 7, &in.w);
	talloc_free(in.w.buf);
	/* SamrLookupNamesInDomain: bob mapped, nobody not */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, dom);
	ndr_push_u32(&in, 2);
	ndr_push_u32(&in, 1000);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 2);
	for (int i = 0; i < 2; i++) {
		ndr_push_ustr(&in, names[i]);
	}
	ndr_push_flush(&in);
	ck_assert_uint_eq(rt_call(wgt_root, p, 17, &in.w, &stub, &len), 0);
	/* rids: 2, ref, 2, 1001, 0; uses: 2, ref, 2, 1, 8; status */
	ck_assert_uint_eq(len, 44);
	ck_assert_uint_eq(wire_le32(stub + 12), 1001);
	ck_assert_uint_eq(wire_le32(stub + 32), SID_NAME_USER);
	ck_assert_uint_eq(wire_le32(stub + 36), SID_NAME_UNKNOWN);
	ck_assert_uint_eq(wire_le32(stub + 40), 0x00000107);
	talloc_free(stub);
	truncations(p, 17, &in.w);
	talloc_free(in.w.buf);
	/* SamrEnumerateUsersInDomain: alice and bob */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, dom);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 0xffff);
	ck_assert_uint_eq(rt_call(wgt_root, p, 13, &in.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 0);
	ck_assert_uint_eq(wire_le32(stub + len - 8), 2);
	talloc_free(stub);
	truncations(p, 13, &in.w);
	talloc_free(in.w.buf);
	/* a write: refused */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, dom);
	ck_assert_uint_eq(rt_call(wgt_root, p, 12, &in.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + len - 4), 0xC0000022);
	talloc_free(stub);
	talloc_free(in.w.buf);
	talloc_free(p);
}
END_TEST

/* SamrConnect5 then SamrOpenDomain(sid): the domain handle in dom. */
static void samr_open_domain(struct wg_pipe *p, const struct dom_sid *sid,
			     uint8_t dom[20])
{
	struct ndr_push in;
	uint8_t *stub = NULL;
	size_t len = 0;
	uint8_t srv[20];

	ndr_push_init(&in, wgt_root, 0);
	rt_put_unique_string(&in, "\\\\WGTEST");
	ndr_push_u32(&in, 0x02000000);
	ndr_push_u32(&in, 1);
	ndr_push_u32(&in, 1);
	ndr_push_u32(&in, 3);
	ndr_push_u32(&in, 0);
	ck_assert_uint_eq(rt_call(wgt_root, p, 64, &in.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + 36), 0);
	memcpy(srv, stub + 16, 20);
	talloc_free(stub);
	talloc_free(in.w.buf);
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, srv);
	ndr_push_u32(&in, 0x02000000);
	ndr_push_rpc_sid(&in, sid);
	ck_assert_uint_eq(rt_call(wgt_root, p, 7, &in.w, &stub, &len), 0);
	ck_assert_uint_eq(wire_le32(stub + 20), 0);
	memcpy(dom, stub, 20);
	talloc_free(stub);
	talloc_free(in.w.buf);
}

/* Call opnum with in; the answer in *stub (caller frees), checked to
 * end in want_status; then every truncation of in. */
static uint8_t *samr_call(struct wg_pipe *p, uint16_t opnum,
			  struct ndr_push *in, size_t *len,
			  uint32_t want_status)
{
	uint8_t *stub = NULL;

	ck_assert_uint_eq(rt_call(wgt_root, p, opnum, &in->w, &stub, len),
			  0);
	ck_assert_uint_ge(*len, 4);
	ck_assert_uint_eq(wire_le32(stub + *len - 4), want_status);
	truncations(p, opnum, &in->w);
	talloc_free(in->w.buf);
	return stub;
}

/* The local group "Accounting" (RID 1002, bob in it) through samr: the
 * object picker's listing, alias info and members, membership of SIDs,
 * and name/RID lookups; Builtin's Users alias. */
START_TEST(test_samr_groups)
{
	struct wg_pipe *p = open_bound("samr", SAMR_UUID, 1);
	struct ndr_push in;
	struct ndr_pull r;
	struct ndr_ustr_hdr uh;
	struct dom_sid sid, ask[3];
	uint8_t dom[20], bdom[20], alias[20];
	uint8_t *stub = NULL;
	size_t len = 0;
	uint32_t v = 0, ref = 0;
	uint16_t tag = 0;
	char *name = NULL;
	const char *names[] = { "ACCOUNTING", "None" };

	samr_open_domain(p, &machine, dom);
	samr_open_domain(p, &sid_builtin, bdom);

	/* SamrEnumerateAliasesInDomain: Accounting */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, dom);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 0xffff);
	stub = samr_call(p, 15, &in, &len, 0);
	ck_assert_uint_eq(wire_le32(stub + len - 8), 1);
	/* ctx, ptr, count, ptr, max, then the first RID */
	ck_assert_uint_eq(wire_le32(stub + 20), 1002);
	talloc_free(stub);
	/* SamrEnumerateGroupsInDomain: None */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, dom);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 0xffff);
	stub = samr_call(p, 11, &in, &len, 0);
	ck_assert_uint_eq(wire_le32(stub + 20), 513);
	talloc_free(stub);

	/* SamrLookupNamesInDomain: an alias and the group */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, dom);
	ndr_push_u32(&in, 2);
	ndr_push_u32(&in, 1000);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 2);
	for (int i = 0; i < 2; i++) {
		ndr_push_ustr(&in, names[i]);
	}
	ndr_push_flush(&in);
	stub = samr_call(p, 17, &in, &len, 0);
	ck_assert_uint_eq(wire_le32(stub + 12), 1002);
	ck_assert_uint_eq(wire_le32(stub + 16), 513);
	ck_assert_uint_eq(wire_le32(stub + 32), SID_NAME_ALIAS);
	ck_assert_uint_eq(wire_le32(stub + 36), SID_NAME_DOM_GRP);
	talloc_free(stub);
	/* SamrLookupIdsInDomain: 1002 */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, dom);
	ndr_push_u32(&in, 1);
	ndr_push_u32(&in, 1000);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 1);
	ndr_push_u32(&in, 1002);
	stub = samr_call(p, 18, &in, &len, 0);
	ndr_pull_init(&r, stub, stub, len);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_int_eq(ndr_pull_ustr_hdr(&r, &uh), 0);
	ck_assert_int_eq(ndr_pull_ustr_body(&r, &uh, &name), 0);
	ck_assert_str_eq(name, "Accounting");
	talloc_free(stub);

	/* SamrOpenAlias: 1001 is a user, not an alias; 1002 opens */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, dom);
	ndr_push_u32(&in, 0x02000000);
	ndr_push_u32(&in, 1001);
	stub = samr_call(p, 27, &in, &len, 0xC0000151);
	talloc_free(stub);
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, dom);
	ndr_push_u32(&in, 0x02000000);
	ndr_push_u32(&in, 1002);
	stub = samr_call(p, 27, &in, &len, 0);
	ck_assert_uint_eq(len, 24);
	memcpy(alias, stub, 20);
	talloc_free(stub);
	/* SamrQueryInformationAlias, general: name and one member */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, alias);
	ndr_push_u16(&in, 1);
	stub = samr_call(p, 28, &in, &len, 0);
	ndr_pull_init(&r, stub, stub, len);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_uint_ne(ref, 0);
	ck_assert_int_eq(ndr_pull_u16(&r, &tag), 0);
	ck_assert_uint_eq(tag, 1);
	ck_assert_int_eq(ndr_pull_ustr_hdr(&r, &uh), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 1);
	talloc_free(stub);
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, alias);
	ndr_push_u16(&in, 9);
	stub = samr_call(p, 28, &in, &len, 0xC0000003);
	talloc_free(stub);
	/* SamrGetMembersInAlias: bob's SID */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, alias);
	stub = samr_call(p, 33, &in, &len, 0);
	ndr_pull_init(&r, stub, stub, len);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_u32(&r, &v), 0);
	ck_assert_int_eq(ndr_pull_ptr(&r, &ref), 0);
	ck_assert_int_eq(ndr_pull_rpc_sid(&r, &sid), 0);
	ck_assert_int_eq(sid_compose(&ask[0], &machine, 1001), 0);
	ck_assert(sid_equal(&sid, &ask[0]));
	talloc_free(stub);

	/* SamrGetAliasMembership: alice (none), bob (1002), a stranger */
	ck_assert_int_eq(sid_compose(&ask[0], &machine, 1000), 0);
	ck_assert_int_eq(sid_compose(&ask[1], &machine, 1001), 0);
	ask[2] = sid_everyone;
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, dom);
	ndr_push_u32(&in, 3);
	ndr_push_referent(&in);
	ndr_push_u32(&in, 3);
	for (int i = 0; i < 3; i++) {
		ndr_push_sid_ptr(&in, &ask[i]);
	}
	ndr_push_flush(&in);
	stub = samr_call(p, 16, &in, &len, 0);
	ck_assert_uint_eq(len, 20);		/* n, ptr, max, 1002, status */
	ck_assert_uint_eq(wire_le32(stub), 1);
	ck_assert_uint_eq(wire_le32(stub + 12), 1002);
	talloc_free(stub);
	/* ... in Builtin: Users */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, bdom);
	ndr_push_u32(&in, 1);
	ndr_push_referent(&in);
	ndr_push_u32(&in, 1);
	ndr_push_sid_ptr(&in, &ask[0]);
	ndr_push_flush(&in);
	stub = samr_call(p, 16, &in, &len, 0);
	ck_assert_uint_eq(wire_le32(stub + 12), 545);
	talloc_free(stub);
	/* a count the array does not have: a fault, not a read past */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, dom);
	ndr_push_u32(&in, 2);
	ndr_push_referent(&in);
	ndr_push_u32(&in, 1);
	ndr_push_sid_ptr(&in, &ask[0]);
	ndr_push_flush(&in);
	ck_assert_uint_ne(rt_call(wgt_root, p, 16, &in.w, &stub, &len), 0);
	talloc_free(stub);
	talloc_free(in.w.buf);

	/* SamrQueryDisplayInformation3, users: alice then bob, by name */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, dom);
	ndr_push_u16(&in, 1);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 100);
	ndr_push_u32(&in, 0xffff);
	stub = samr_call(p, 51, &in, &len, 0);
	ck_assert_uint_eq(wire_le16(stub + 8), 1);
	ck_assert_uint_eq(wire_le32(stub + 12), 2);	/* EntriesRead */
	ck_assert_uint_eq(wire_le32(stub + 24), 1);	/* Index */
	ck_assert_uint_eq(wire_le32(stub + 28), 1000);
	ck_assert_uint_eq(wire_le32(stub + 24 + 36 + 4), 1001);
	talloc_free(stub);
	/* one at a time: MORE_ENTRIES, then bob from index 1 */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, dom);
	ndr_push_u16(&in, 1);
	ndr_push_u32(&in, 1);
	ndr_push_u32(&in, 1);
	ndr_push_u32(&in, 0xffff);
	stub = samr_call(p, 40, &in, &len, 0);
	ck_assert_uint_eq(wire_le32(stub + 12), 1);
	ck_assert_uint_eq(wire_le32(stub + 28), 1001);
	talloc_free(stub);
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, dom);
	ndr_push_u16(&in, 1);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 1);
	ndr_push_u32(&in, 0xffff);
	stub = samr_call(p, 48, &in, &len, 0x00000105);
	talloc_free(stub);
	/* groups: None */
	ndr_push_init(&in, wgt_root, 0);
	ndr_push_handle(&in, dom);
	ndr_push_u16(&in, 3);
	ndr_push_u32(&in, 0);
	ndr_push_u32(&in, 100);
	ndr_push_u32(&in, 0xffff);
	stub = samr_call(p, 51, &in, &len, 0);
	ck_assert_uint_eq(wire_le32(stub + 12), 1);
	ck_assert_uint_eq(wire_le32(stub + 28), 513);
	talloc_free(stub);
	talloc_free(p);
}
END_TEST

/* lsarpc names a local group MACHINE\group, an alias. */
START_TEST(test_lsa_group_sid)
{
	struct wg_pipe *p = open_bound("lsarpc", LSA_UUID, 0);
	struct dom_sid s[1];
	uint8_t h[20];
	uint32_t mapped = 0;

	ck_assert_uint_eq(open_policy2(p, h), 0);
	ck_assert_int_eq(sid_compose(&s[0], &machine, 1002), 0);
	ck_assert_uint_eq(lookup_sids2(p, h, s, 1, &mapped, NULL), 0);
	ck_assert_uint_eq(mapped, 1);
	talloc_free(p);
}
END_TEST

static Suite *lsa_suite(void)
{
	Suite *s = suite_create("lsa");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lookup_names3);
	tcase_add_test(tc, test_lookup_sids_statuses);
	tcase_add_test(tc, test_handle_budget);
	tcase_add_test(tc, test_samr_users);
	tcase_add_test(tc, test_samr_groups);
	tcase_add_test(tc, test_lsa_group_sid);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(lsa_suite)
