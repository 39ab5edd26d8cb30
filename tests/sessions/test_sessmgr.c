/*
 * test_sessmgr.c - the session manager: slots, the cap, reclaim, idle
 * reaping and counts that must not drift, driven through a fake smbd
 * (hooks) and a fake clock.
 */
#include "tests/wgtest.h"
#include "sessions/sessmgr.h"

#include <stdio.h>
#include <time.h>

/* ---- a fake smbd ---- */

struct fsess {
	struct sm_session *t;
	bool opens;
	unsigned printers;	/* fake printer handles still open */
	struct fsess *buddy;	/* ended together (same "connection") */
};

struct fhandle {
	struct sm_handle *h;
	struct fsess *s;
};

static struct {
	uint64_t now;
	unsigned ended[SM_REAP_NUM];
	unsigned closed;
	void *last_ended;
	bool keep_on_end;	/* end_session does not free */
	unsigned nlog;
	char log[4096];
	int log_level;
	void *not_a_session;	/* a reservation's cookie: no hook sees it */
} F;

static uint64_t fake_now(void *priv)
{
	return F.now;
}

static bool fake_has_opens(void *priv, void *session)
{
	struct fsess *s = session;

	ck_assert_ptr_ne(session, F.not_a_session);
	return s->opens || s->printers > 0;
}

static void fake_end_session(void *priv, void *session,
			     enum sm_reap_cause c)
{
	struct fsess *s = session;

	ck_assert_ptr_eq(priv, &F);
	ck_assert_ptr_ne(session, F.not_a_session);
	F.ended[c]++;
	F.last_ended = session;
	if (F.keep_on_end) {
		return;
	}
	if (s->buddy != NULL) {
		s->buddy->buddy = NULL;
		talloc_free(s->buddy);
	}
	talloc_free(s);
}

static void fake_close_handle(void *priv, void *cookie)
{
	struct fhandle *fh = cookie;

	F.closed++;
	fh->s->printers--;
	talloc_free(fh);
}

static void fake_log(void *priv, int level, const char *msg)
{
	F.nlog++;
	F.log_level = level;
	snprintf(F.log, sizeof(F.log), "%s", msg);
}

static struct sm_settings defset(void)
{
	struct sm_settings set = {
		.edition = SM_EDITION_WORKSTATION,
		.max_sessions = -1,
		.accounting = SM_ACCT_WINDOWS,
		.cap_policy = SM_CAP_REFUSE,
		.restrict_anonymous = 0,
	};
	return set;
}

static struct sm_manager *new_sm(const struct sm_settings *set)
{
	struct sm_hooks hooks = {
		.priv = &F,
		.has_opens = fake_has_opens,
		.end_session = fake_end_session,
		.close_handle = fake_close_handle,
	};
	struct sm_manager *sm = NULL;

	memset(&F, 0, sizeof(F));
	F.now = 1000000;
	sm = sm_new(wgt_root, wgt_ev, set, &hooks);
	ck_assert_ptr_nonnull(sm);
	sm_set_clock(sm, fake_now, NULL);
	sm_set_logger(sm, fake_log, &F);
	return sm;
}

/* Admit a fake session under parent; NULL when refused (res says why). */
static struct fsess *admit_r(struct sm_manager *sm, TALLOC_CTX *parent,
			     const char *ip, const char *user, bool anon,
			     enum sm_admit_result *res)
{
	struct fsess *s = talloc_zero(parent, struct fsess);
	enum sm_admit_result r;

	ck_assert_ptr_nonnull(s);
	r = sm_admit(sm, s, s, ip, NULL, anon ? "" : user, anon, &s->t);
	*res = r;
	if (r != SM_ADMITTED) {
		ck_assert_ptr_null(s->t);
		talloc_free(s);
		return NULL;
	}
	ck_assert_ptr_nonnull(s->t);
	return s;
}

static struct fsess *admit(struct sm_manager *sm, TALLOC_CTX *parent,
			   const char *ip, const char *user, bool anon)
{
	enum sm_admit_result r;
	struct fsess *s = admit_r(sm, parent, ip, user, anon, &r);

	ck_assert_int_eq(r, SM_ADMITTED);
	return s;
}

static enum sm_admit_result try_admit(struct sm_manager *sm,
				      TALLOC_CTX *parent, const char *ip,
				      const char *user, bool anon)
{
	enum sm_admit_result r;

	admit_r(sm, parent, ip, user, anon, &r);
	return r;
}

static const char *ipn(char *buf, size_t n, unsigned i)
{
	snprintf(buf, n, "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255,
		 i & 255);
	return buf;
}

struct find_state {
	void *session;
	struct sm_session_info info;
	bool found;
};

static bool find_fn(const struct sm_session_info *info, void *priv)
{
	struct find_state *st = priv;

	if (info->session != st->session) {
		return true;
	}
	st->info = *info;
	st->found = true;
	return false;
}

static unsigned slot_of(struct sm_manager *sm, struct fsess *s)
{
	struct find_state st = { .session = s };

	sm_foreach(sm, find_fn, &st);
	ck_assert(st.found);
	return st.info.slot_id;
}

/* ---- the cap ---- */

START_TEST(test_cap_workstation)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = new_sm(&set);
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct fsess *s[10] = { NULL };
	struct sm_stats st;
	size_t blocks = 0;
	char ip[32];

	ck_assert_uint_eq(sm_cap(sm), 10);
	for (unsigned i = 0; i < 10; i++) {
		s[i] = admit(sm, mem, ipn(ip, sizeof(ip), i + 1), "alice",
			     false);
	}
	ck_assert_uint_eq(sm_slots_used(sm), 10);
	blocks = talloc_total_blocks(wgt_root);
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.11", "bob", false),
			 SM_REFUSED_CAP);
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.11", "", true),
			 SM_REFUSED_CAP);
	/* a refusal leaves nothing behind */
	ck_assert_uint_eq(talloc_total_blocks(wgt_root), blocks);
	ck_assert_uint_eq(sm_slots_used(sm), 10);
	/* a known (computer, user) still gets in: no new slot */
	talloc_free(admit(sm, mem, "10.0.0.3", "ALICE", false));

	talloc_free(s[4]);
	s[4] = NULL;
	ck_assert_uint_eq(sm_slots_used(sm), 9);
	s[4] = admit(sm, mem, "10.0.0.11", "bob", false);
	ck_assert_uint_eq(sm_slots_used(sm), 10);

	sm_get_stats(sm, &st);
	ck_assert_uint_eq(st.admitted, 12);
	ck_assert_uint_eq(st.refused_cap, 2);
	ck_assert_uint_eq(st.refused_anonymous, 0);
	talloc_free(mem);
	ck_assert_uint_eq(sm_slots_used(sm), 0);
	ck_assert_uint_eq(sm_tickets_used(sm), 0);
	talloc_free(sm);
}
END_TEST

START_TEST(test_cap_home)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	char ip[32];

	set.edition = SM_EDITION_HOME;
	sm = new_sm(&set);
	ck_assert_uint_eq(sm_cap(sm), 5);
	for (unsigned i = 0; i < 5; i++) {
		admit(sm, mem, ipn(ip, sizeof(ip), i + 1), "u", false);
	}
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.6", "u", false),
			 SM_REFUSED_CAP);
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

START_TEST(test_cap_overrides)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	char ip[32];

	set.max_sessions = 3;
	sm = new_sm(&set);
	ck_assert_uint_eq(sm_cap(sm), 3);
	for (unsigned i = 0; i < 3; i++) {
		admit(sm, mem, ipn(ip, sizeof(ip), i + 1), "u", false);
	}
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.4", "u", false),
			 SM_REFUSED_CAP);
	/* max sessions = 0 means no cap, even for a workstation */
	set.max_sessions = 0;
	sm_apply_settings(sm, &set);
	ck_assert_uint_eq(sm_cap(sm), 0);
	for (unsigned i = 3; i < 50; i++) {
		admit(sm, mem, ipn(ip, sizeof(ip), i + 1), "u", false);
	}
	ck_assert_uint_eq(sm_slots_used(sm), 50);
	set.max_sessions = -1;
	set.edition = SM_EDITION_SERVER;
	sm_apply_settings(sm, &set);
	ck_assert_uint_eq(sm_cap(sm), 0);
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

static double secs_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) +
	       (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

START_TEST(test_server_10000)
{
	enum { N = 10000 };
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct fsess **s = talloc_array(mem, struct fsess *, N);
	struct timespec t0;
	char ip[32];

	set.edition = SM_EDITION_SERVER;
	set.autodisconnect_ms = 15 * 60 * 1000;
	sm = new_sm(&set);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 0; i < N; i++) {
		/* 2,500 computers, 3 users and a null session each */
		const char *users[] = { "a", "b", "c", "" };

		s[i] = admit(sm, mem, ipn(ip, sizeof(ip), i / 4),
			     users[i % 4], i % 4 == 3);
	}
	ck_assert_uint_eq(sm_slots_used(sm), N);
	ck_assert_uint_eq(sm_tickets_used(sm), N);
	/* a second connection of every named user takes no slot */
	for (unsigned i = 0; i < N; i += 4) {
		admit(sm, s[i], ipn(ip, sizeof(ip), i / 4), "A", false);
	}
	ck_assert_uint_eq(sm_slots_used(sm), N);
	/* a tick is bounded work whatever the number of sessions */
	sm_tick_for_test(sm);
	for (unsigned i = 0; i < N; i += 2) {
		talloc_free(s[i]);
	}
	ck_assert_uint_eq(sm_slots_used(sm), N / 2);
	for (unsigned i = N - 1; i < N; i -= 2) {
		talloc_free(s[i]);
	}
	ck_assert_uint_eq(sm_slots_used(sm), 0);
	ck_assert_uint_eq(sm_tickets_used(sm), 0);
	fprintf(stderr, "sessmgr: %u admit+release cycles in %.3f s\n",
		N * 5 / 4, secs_since(&t0));
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

/* ---- what counts as one session ---- */

START_TEST(test_same_slot_four_connections)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = new_sm(&set);
	TALLOC_CTX *conn[4];
	struct fsess *s[4];
	char ip[32];

	set.max_sessions = 1;
	sm_apply_settings(sm, &set);
	for (unsigned i = 0; i < 4; i++) {
		const char *names[] = { "Alice", "alice", "ALICE", "aLiCe" };

		conn[i] = talloc_new(wgt_root);
		s[i] = admit(sm, conn[i], "192.168.1.5", names[i], false);
	}
	/* with the cap full, the same user from the same computer */
	ck_assert_uint_eq(sm_slots_used(sm), 1);
	ck_assert_uint_eq(sm_tickets_used(sm), 4);
	for (unsigned i = 1; i < 4; i++) {
		ck_assert_uint_eq(slot_of(sm, s[i]), slot_of(sm, s[0]));
	}
	/* ...but another user, computer or a null session is a new slot */
	ck_assert_int_eq(try_admit(sm, conn[0], "192.168.1.5", "bob", false),
			 SM_REFUSED_CAP);
	ck_assert_int_eq(try_admit(sm, conn[0], "192.168.1.6", "alice",
				   false), SM_REFUSED_CAP);
	ck_assert_int_eq(try_admit(sm, conn[0], "192.168.1.5", "", true),
			 SM_REFUSED_CAP);
	talloc_free(conn[2]);
	talloc_free(conn[0]);
	talloc_free(conn[3]);
	ck_assert_uint_eq(sm_slots_used(sm), 1);
	talloc_free(conn[1]);
	ck_assert_uint_eq(sm_slots_used(sm), 0);
	/* a ticket owned by the manager itself is detached, then freed */
	admit(sm, sm, ipn(ip, sizeof(ip), 7), "bob", false);
	talloc_free(sm);
}
END_TEST

START_TEST(test_accounting_windows)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = new_sm(&set);
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct fsess *a = admit(sm, mem, "10.0.0.1", "alice", false);
	struct fsess *b = admit(sm, mem, "10.0.0.1", "bob", false);
	struct fsess *n1 = admit(sm, mem, "10.0.0.1", "", true);
	struct fsess *n2 = admit(sm, mem, "10.0.0.1", "", true);

	ck_assert_uint_eq(sm_slots_used(sm), 4);
	ck_assert_uint_ne(slot_of(sm, a), slot_of(sm, b));
	ck_assert_uint_ne(slot_of(sm, n1), slot_of(sm, n2));
	talloc_free(n1);
	ck_assert_uint_eq(sm_slots_used(sm), 3);
	/* null sessions count as Windows 2000 counted them: 10 fill it */
	for (unsigned i = 0; i < 7; i++) {
		admit(sm, mem, "10.0.0.2", "", true);
	}
	ck_assert_uint_eq(sm_slots_used(sm), 10);
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.2", "", true),
			 SM_REFUSED_CAP);
	(void)n2;
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

START_TEST(test_accounting_computer)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct fsess *s[6];
	char ip[32];

	set.accounting = SM_ACCT_COMPUTER;
	set.max_sessions = 2;
	sm = new_sm(&set);
	s[0] = admit(sm, mem, "10.0.0.1", "", true);
	s[1] = admit(sm, mem, "10.0.0.1", "alice", false);
	s[2] = admit(sm, mem, "10.0.0.1", "bob", false);
	s[3] = admit(sm, mem, "10.0.0.1", "", true);
	ck_assert_uint_eq(sm_slots_used(sm), 1);
	for (unsigned i = 1; i < 4; i++) {
		ck_assert_uint_eq(slot_of(sm, s[i]), slot_of(sm, s[0]));
	}
	s[4] = admit(sm, mem, "10.0.0.2", "", true);
	s[5] = admit(sm, mem, "10.0.0.2", "carol", false);
	ck_assert_uint_eq(sm_slots_used(sm), 2);
	ck_assert_int_eq(try_admit(sm, mem, ipn(ip, sizeof(ip), 3), "x",
				   false), SM_REFUSED_CAP);
	/* the slot lives while any of its sessions does, in any order */
	talloc_free(s[0]);
	talloc_free(s[3]);
	talloc_free(s[1]);
	ck_assert_uint_eq(sm_slots_used(sm), 2);
	talloc_free(s[2]);
	ck_assert_uint_eq(sm_slots_used(sm), 1);
	/* switching accounting keeps everyone where they are */
	set.accounting = SM_ACCT_WINDOWS;
	sm_apply_settings(sm, &set);
	ck_assert_uint_eq(sm_slots_used(sm), 1);
	ck_assert_uint_eq(sm_tickets_used(sm), 2);
	admit(sm, mem, "10.0.0.2", "dave", false);
	ck_assert_uint_eq(sm_slots_used(sm), 2);
	talloc_free(mem);
	ck_assert_uint_eq(sm_slots_used(sm), 0);
	talloc_free(sm);
}
END_TEST

START_TEST(test_restrict_anonymous)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct sm_stats st;

	set.restrict_anonymous = 2;
	sm = new_sm(&set);
	ck_assert_int_eq(sm_restrict_anonymous(sm), 2);
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.1", "", true),
			 SM_REFUSED_ANONYMOUS);
	ck_assert_uint_eq(F.nlog, 1);
	ck_assert_ptr_nonnull(strstr(F.log, "restrict anonymous"));
	admit(sm, mem, "10.0.0.1", "alice", false);
	for (int level = 1; level >= 0; level--) {
		set.restrict_anonymous = level;
		sm_apply_settings(sm, &set);
		ck_assert_int_eq(sm_restrict_anonymous(sm), level);
		admit(sm, mem, "10.0.0.1", "", true);
	}
	sm_get_stats(sm, &st);
	ck_assert_uint_eq(st.refused_anonymous, 1);
	ck_assert_uint_eq(st.refused_cap, 0);
	ck_assert_uint_eq(st.admitted, 3);
	ck_assert_uint_eq(sm_slots_used(sm), 3);
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

/* ---- reclaim ---- */

START_TEST(test_reclaim_order)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct fsess *busy, *idle, *printer, *anon, *x, *y, *z;
	struct fhandle *fh = NULL;
	struct sm_stats st;

	set.max_sessions = 4;
	set.cap_policy = SM_CAP_RECLAIM;
	sm = new_sm(&set);
	busy = admit(sm, mem, "10.0.0.1", "busy", false);
	busy->opens = true;		/* the idlest, but has files open */
	F.now += 10000;
	idle = admit(sm, mem, "10.0.0.2", "idle", false);
	F.now += 10000;
	printer = admit(sm, mem, "10.0.0.3", "prn", false);
	fh = talloc_zero(printer, struct fhandle);
	fh->s = printer;
	fh->h = sm_handle_add(printer->t, fh, fh);
	ck_assert_ptr_nonnull(fh->h);
	F.now += 10000;
	anon = admit(sm, mem, "10.0.0.4", "", true);
	F.now += 10000;

	/* the null session goes first, though it is the least idle */
	x = admit(sm, mem, "10.0.0.5", "x", false);
	ck_assert_ptr_eq(F.last_ended, anon);
	ck_assert_uint_eq(F.ended[SM_REAP_RECLAIM], 1);
	ck_assert_uint_eq(sm_slots_used(sm), 4);
	ck_assert_ptr_nonnull(strstr(F.log, "reclaiming"));
	/* then slots holding only stalled printer handles */
	y = admit(sm, mem, "10.0.0.6", "y", false);
	ck_assert_ptr_eq(F.last_ended, printer);
	ck_assert_uint_eq(F.closed, 0);
	/* then the longest idle: idle (busy is idler but has opens) */
	F.now += 5000;
	sm_touch(x->t);
	z = admit(sm, mem, "10.0.0.7", "z", false);
	ck_assert_ptr_eq(F.last_ended, idle);
	/* now y is the longest idle without opens */
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.8", "w", false),
			 SM_ADMITTED);
	ck_assert_ptr_eq(F.last_ended, y);
	(void)z;
	sm_get_stats(sm, &st);
	ck_assert_uint_eq(st.reaped[SM_REAP_RECLAIM], 4);
	ck_assert_uint_eq(st.refused_cap, 0);
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

START_TEST(test_reclaim_never_opens)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct fsess *a, *b, *b2;
	struct sm_stats st;

	set.max_sessions = 2;
	set.cap_policy = SM_CAP_RECLAIM;
	sm = new_sm(&set);
	a = admit(sm, mem, "10.0.0.1", "a", false);
	a->opens = true;
	b = admit(sm, mem, "10.0.0.2", "b", false);
	/* one ticket with opens shields its whole slot */
	b2 = admit(sm, mem, "10.0.0.2", "B", false);
	b2->opens = true;
	F.now += 3600 * 1000;
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.3", "c", false),
			 SM_REFUSED_CAP);
	ck_assert_uint_eq(F.ended[SM_REAP_RECLAIM], 0);
	ck_assert_uint_eq(sm_tickets_used(sm), 3);
	ck_assert_ptr_nonnull(strstr(F.log, "refused session for 10.0.0.3"));
	/* a hook that ends but does not free: refused, ended only once */
	b2->opens = false;
	F.keep_on_end = true;
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.3", "c", false),
			 SM_REFUSED_CAP);
	ck_assert_uint_eq(F.ended[SM_REAP_RECLAIM], 2);
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.3", "c", false),
			 SM_REFUSED_CAP);
	ck_assert_uint_eq(F.ended[SM_REAP_RECLAIM], 2);
	sm_get_stats(sm, &st);
	ck_assert_uint_eq(st.refused_cap, 3);
	(void)b;
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

/* Reclaiming a slot whose sessions share a connection: the first
 * end_session frees both; the second must not be called. */
START_TEST(test_reclaim_slot_many_tickets)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct fsess *a1, *a2, *a3;

	set.max_sessions = 1;
	set.cap_policy = SM_CAP_RECLAIM;
	sm = new_sm(&set);
	a1 = admit(sm, mem, "10.0.0.1", "a", false);
	a2 = admit(sm, mem, "10.0.0.1", "a", false);
	a3 = admit(sm, mem, "10.0.0.1", "a", false);
	a1->buddy = a2;
	a2->buddy = a1;
	(void)a3;
	F.now += 1000;
	admit(sm, mem, "10.0.0.1", "", true);
	ck_assert_uint_eq(F.ended[SM_REAP_RECLAIM], 2);
	ck_assert_uint_eq(sm_slots_used(sm), 1);
	ck_assert_uint_eq(sm_tickets_used(sm), 1);
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

/* ---- idle reaping ---- */

START_TEST(test_null_idle_reap)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct fsess *n = NULL;
	struct sm_stats st;

	set.null_session_timeout_ms = 60000;
	sm = new_sm(&set);
	n = admit(sm, mem, "10.0.0.1", "", true);
	admit(sm, mem, "10.0.0.1", "alice", false);
	F.now += 60000;
	sm_tick_for_test(sm);
	ck_assert_uint_eq(F.ended[SM_REAP_NULL_IDLE], 0);
	F.now += 1;
	sm_tick_for_test(sm);
	ck_assert_uint_eq(F.ended[SM_REAP_NULL_IDLE], 1);
	ck_assert_ptr_eq(F.last_ended, n);
	ck_assert_uint_eq(sm_slots_used(sm), 1);
	/* named sessions are not ruled by the null timeout */
	F.now += 3600 * 1000;
	sm_tick_for_test(sm);
	ck_assert_uint_eq(sm_tickets_used(sm), 1);
	sm_get_stats(sm, &st);
	ck_assert_uint_eq(st.reaped[SM_REAP_NULL_IDLE], 1);
	ck_assert_uint_eq(st.reaped[SM_REAP_AUTODISCONNECT], 0);
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

START_TEST(test_autodisconnect_opens)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct fsess *a = NULL;
	struct sm_stats st;

	set.autodisconnect_ms = 15 * 60 * 1000;
	set.null_session_timeout_ms = 60000;
	sm = new_sm(&set);
	a = admit(sm, mem, "10.0.0.1", "alice", false);
	a->opens = true;
	F.now += 20 * 60 * 1000;
	sm_tick_for_test(sm);
	ck_assert_uint_eq(sm_tickets_used(sm), 1);
	a->opens = false;
	sm_touch(a->t);
	F.now += 14 * 60 * 1000;
	sm_tick_for_test(sm);
	ck_assert_uint_eq(sm_tickets_used(sm), 1);
	F.now += 60 * 1000 + 1;
	sm_tick_for_test(sm);
	ck_assert_uint_eq(sm_tickets_used(sm), 0);
	ck_assert_uint_eq(sm_slots_used(sm), 0);
	ck_assert_uint_eq(F.ended[SM_REAP_AUTODISCONNECT], 1);
	/* autodisconnect 0 = never */
	set.autodisconnect_ms = 0;
	sm_apply_settings(sm, &set);
	admit(sm, mem, "10.0.0.1", "alice", false);
	F.now += 100ULL * 24 * 3600 * 1000;
	sm_tick_for_test(sm);
	ck_assert_uint_eq(sm_tickets_used(sm), 1);
	sm_get_stats(sm, &st);
	ck_assert_uint_eq(st.reaped[SM_REAP_AUTODISCONNECT], 1);
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

static struct fhandle *add_printer(struct fsess *s)
{
	struct fhandle *fh = talloc_zero(s, struct fhandle);

	ck_assert_ptr_nonnull(fh);
	fh->s = s;
	fh->h = sm_handle_add(s->t, fh, fh);
	ck_assert_ptr_nonnull(fh->h);
	s->printers++;
	return fh;
}

START_TEST(test_handle_reap)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct fsess *a = NULL;
	struct fhandle *h1, *h2;
	struct sm_stats st;
	struct find_state fs = {};

	set.autodisconnect_ms = 60000;
	set.spoolss_handle_timeout_ms = 30000;
	sm = new_sm(&set);
	/* a null session next to it, never reaped: null timeout is 0 */
	admit(sm, mem, "10.0.0.1", "", true);
	a = admit(sm, mem, "10.0.0.1", "spooler", false);
	h1 = add_printer(a);
	h2 = add_printer(a);
	fs.session = a;
	sm_foreach(sm, find_fn, &fs);
	ck_assert_uint_eq(fs.info.handles, 2);
	F.now += 20000;
	sm_handle_touch(h2->h);		/* used: also session activity */
	F.now += 10001;
	sm_tick_for_test(sm);
	ck_assert_uint_eq(F.closed, 1);	/* h1 only */
	ck_assert_uint_eq(a->printers, 1);
	(void)h1;
	F.now += 30000;
	sm_tick_for_test(sm);
	ck_assert_uint_eq(F.closed, 2);
	ck_assert_uint_eq(a->printers, 0);
	/* the session was kept alive only by its handles: now reapable */
	ck_assert_uint_eq(sm_tickets_used(sm), 2);
	ck_assert_uint_eq(F.ended[SM_REAP_AUTODISCONNECT], 0);
	F.now += 30000;
	sm_tick_for_test(sm);
	ck_assert_uint_eq(F.ended[SM_REAP_AUTODISCONNECT], 1);
	ck_assert_uint_eq(sm_tickets_used(sm), 1);
	sm_get_stats(sm, &st);
	ck_assert_uint_eq(st.handles_reaped, 2);
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

/* end_session frees a neighbour too: the cursor must survive it. */
START_TEST(test_tick_slice_and_cursor)
{
	enum { N = 1000 };
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct fsess *s[N];
	unsigned ticks = 0;
	char ip[32];

	set.edition = SM_EDITION_SERVER;
	set.null_session_timeout_ms = 1000;
	sm = new_sm(&set);
	for (unsigned i = 0; i < N; i++) {
		s[i] = admit(sm, mem, ipn(ip, sizeof(ip), i % 300), "", true);
		s[i]->opens = (i % 10 == 0);
	}
	for (unsigned i = 1; i + 1 < N; i += 3) {
		if (!s[i]->opens && !s[i + 1]->opens) {
			s[i]->buddy = s[i + 1];
			s[i + 1]->buddy = s[i];
		}
	}
	F.now += 1001;
	sm_tick_for_test(sm);
	/* one tick visits at most a slice */
	ck_assert_uint_le(F.ended[SM_REAP_NULL_IDLE], SM_TICK_SLICE);
	ck_assert_uint_gt(F.ended[SM_REAP_NULL_IDLE], 0);
	while (sm_tickets_used(sm) > N / 10 && ticks < 100) {
		sm_tick_for_test(sm);
		ticks++;
	}
	ck_assert_uint_eq(sm_tickets_used(sm), N / 10);
	ck_assert_uint_eq(sm_slots_used(sm), N / 10);
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

/* The real tevent timer with the real clock and short timeouts. */
START_TEST(test_timer_real_clock)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct timespec t0;

	set.null_session_timeout_ms = 200;
	sm = new_sm(&set);
	sm_set_clock(sm, NULL, NULL);
	admit(sm, mem, "127.0.0.2", "", true);
	admit(sm, mem, "127.0.0.2", "alice", false);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (F.ended[SM_REAP_NULL_IDLE] == 0 && secs_since(&t0) < 10) {
		ck_assert_int_eq(tevent_loop_once(wgt_ev), 0);
	}
	ck_assert_uint_eq(F.ended[SM_REAP_NULL_IDLE], 1);
	ck_assert_uint_eq(sm_slots_used(sm), 1);
	ck_assert_double_ge(secs_since(&t0), 0.2);
	talloc_free(mem);
	/* no tickets: the timer is disarmed, so a loop would block */
	talloc_free(sm);
}
END_TEST

/* ---- settings, counters, listings, logging ---- */

START_TEST(test_lower_cap_drops_nobody)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = new_sm(&set);
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct fsess *s[10];
	char ip[32];

	for (unsigned i = 0; i < 10; i++) {
		s[i] = admit(sm, mem, ipn(ip, sizeof(ip), i), "u", false);
	}
	set.edition = SM_EDITION_HOME;
	set.cap_policy = SM_CAP_RECLAIM;
	sm_apply_settings(sm, &set);
	ck_assert_uint_eq(sm_cap(sm), 5);
	F.now += 3600 * 1000;
	sm_tick_for_test(sm);
	ck_assert_uint_eq(sm_slots_used(sm), 10);
	/* over the new cap, reclaiming one would not make room: refuse */
	ck_assert_int_eq(try_admit(sm, mem, "10.1.0.0", "u", false),
			 SM_REFUSED_CAP);
	ck_assert_uint_eq(F.ended[SM_REAP_RECLAIM], 0);
	/* existing slots keep admitting their own */
	admit(sm, mem, ipn(ip, sizeof(ip), 3), "u", false);
	for (unsigned i = 0; i < 5; i++) {
		talloc_free(s[i]);
	}
	ck_assert_uint_eq(sm_slots_used(sm), 6);
	set.cap_policy = SM_CAP_REFUSE;
	sm_apply_settings(sm, &set);
	ck_assert_int_eq(try_admit(sm, mem, "10.1.0.0", "u", false),
			 SM_REFUSED_CAP);
	talloc_free(s[5]);
	talloc_free(s[6]);
	admit(sm, mem, "10.1.0.0", "u", false);
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

START_TEST(test_counters_and_names)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = new_sm(&set);
	struct sm_stats st;

	sm_count_reap(sm, SM_REAP_AUTH_TIMEOUT);
	sm_count_reap(sm, SM_REAP_AUTH_TIMEOUT);
	sm_count_reap(sm, SM_REAP_HALF_CLOSE);
	sm_count_reap(sm, SM_REAP_DEAD_PEER);
	sm_count_reap(sm, SM_REAP_NUM);
	sm_count_reap(sm, (enum sm_reap_cause)-1);
	sm_get_stats(sm, &st);
	ck_assert_uint_eq(st.reaped[SM_REAP_AUTH_TIMEOUT], 2);
	ck_assert_uint_eq(st.reaped[SM_REAP_HALF_CLOSE], 1);
	ck_assert_uint_eq(st.reaped[SM_REAP_DEAD_PEER], 1);
	ck_assert_uint_eq(st.admitted, 0);
	ck_assert_str_eq(sm_reap_cause_name(SM_REAP_AUTODISCONNECT),
			 "autodisconnect");
	ck_assert_str_eq(sm_reap_cause_name(SM_REAP_NULL_IDLE), "null idle");
	ck_assert_str_eq(sm_reap_cause_name(SM_REAP_RECLAIM), "reclaim");
	for (int c = 0; c < SM_REAP_NUM; c++) {
		ck_assert_ptr_nonnull(sm_reap_cause_name(c));
		ck_assert_str_ne(sm_reap_cause_name(c), "unknown");
	}
	ck_assert_str_eq(sm_reap_cause_name(SM_REAP_NUM), "unknown");
	talloc_free(sm);
}
END_TEST

static bool count_fn(const struct sm_session_info *info, void *priv)
{
	unsigned *n = priv;

	(*n)++;
	return *n < 2;
}

START_TEST(test_foreach_and_display)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = new_sm(&set);
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct fsess *s = talloc_zero(mem, struct fsess);
	struct find_state fs = { .session = s };
	unsigned n = 0;

	ck_assert_int_eq(sm_admit(sm, s, s, "10.0.0.9", "10.0.0.9", "Alice",
				  false, &s->t), SM_ADMITTED);
	admit(sm, mem, "10.0.0.8", "", true);
	admit(sm, mem, "10.0.0.7", "x", false);
	F.now += 1234;
	sm_set_display(s->t, "ALICEPC");
	sm_foreach(sm, find_fn, &fs);
	ck_assert(fs.found);
	ck_assert_str_eq(fs.info.ip, "10.0.0.9");
	ck_assert_str_eq(fs.info.display, "ALICEPC");
	ck_assert_str_eq(fs.info.user, "Alice");
	ck_assert(!fs.info.anonymous);
	ck_assert_uint_eq(fs.info.idle_ms, 1234);
	ck_assert_uint_ne(fs.info.logon_unix, 0);
	ck_assert_uint_eq(fs.info.handles, 0);
	sm_foreach(sm, count_fn, &n);
	ck_assert_uint_eq(n, 2);	/* stopped early */
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

START_TEST(test_refusal_log)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	char ip[32];
	unsigned before = 0;
	struct sm_stats st;

	set.max_sessions = 12;
	sm = new_sm(&set);
	for (unsigned i = 0; i < 12; i++) {
		struct fsess *s = admit(sm, mem, ipn(ip, sizeof(ip), i),
					"user", false);

		sm_set_display(s->t, i == 1 ? "EVIL\nPC\033[2J" : "PC");
	}
	admit(sm, mem, "10.0.0.0", "user", false);
	ck_assert_uint_eq(F.nlog, 0);
	ck_assert_int_eq(try_admit(sm, mem, "172.16.0.1", "bob", false),
			 SM_REFUSED_CAP);
	ck_assert_uint_eq(F.nlog, 1);
	ck_assert_int_eq(F.log_level, SM_LOG_NOTICE);
	ck_assert_ptr_nonnull(strstr(F.log, "172.16.0.1"));
	ck_assert_ptr_nonnull(strstr(F.log, "10.0.0.0/PC/user (x2)"));
	ck_assert_ptr_nonnull(strstr(F.log, "10.0.0.1/EVIL?PC?[2J/user"));
	ck_assert_ptr_nonnull(strstr(F.log, "+2 more"));
	ck_assert_ptr_null(strstr(F.log, "10.0.0.11/"));
	ck_assert_ptr_null(strchr(F.log, '\n'));
	/* once per computer per minute */
	before = F.nlog;
	for (unsigned i = 0; i < 5; i++) {
		F.now += 10000;
		try_admit(sm, mem, "172.16.0.1", "bob", false);
	}
	ck_assert_uint_eq(F.nlog, before);
	try_admit(sm, mem, "172.16.0.2", "bob", false);
	ck_assert_uint_eq(F.nlog, before + 1);
	F.now += 10001;
	try_admit(sm, mem, "172.16.0.1", "bob", false);
	ck_assert_uint_eq(F.nlog, before + 2);
	ck_assert_ptr_nonnull(strstr(F.log, "5 more from this computer"));
	/* a flood from many addresses is capped in all */
	for (unsigned i = 0; i < 100; i++) {
		try_admit(sm, mem, ipn(ip, sizeof(ip), 0x200000 + i), "b",
			  false);
	}
	ck_assert_uint_le(F.nlog, before + 2 + 20);
	sm_get_stats(sm, &st);
	ck_assert_uint_eq(st.refused_cap, 108);
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

/* ---- freeing in every order ---- */

START_TEST(test_free_manager_first)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct fsess *a, *b;
	struct fhandle *h;
	TALLOC_CTX *hown = talloc_new(wgt_root);
	struct sm_handle *h2 = NULL;

	set.null_session_timeout_ms = 100;
	sm = new_sm(&set);
	a = admit(sm, mem, "10.0.0.1", "a", false);
	b = admit(sm, mem, "10.0.0.1", "", true);
	h = add_printer(a);
	h2 = sm_handle_add(b->t, hown, b);	/* owned apart from b */
	ck_assert_ptr_nonnull(h2);
	talloc_free(sm);
	/* detached: all no-ops, then free in any order */
	sm_touch(a->t);
	sm_set_display(a->t, "X");
	sm_handle_touch(h->h);
	sm_handle_touch(h2);
	ck_assert_ptr_null(sm_handle_add(a->t, mem, NULL));
	talloc_free(b);
	talloc_free(h2);
	talloc_free(hown);
	talloc_free(mem);
	/* the timer died with the manager: the fixture counts the blocks */
}
END_TEST

START_TEST(test_free_handles_and_tickets)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	TALLOC_CTX *own = talloc_new(wgt_root);
	struct fsess *a = NULL;
	struct sm_handle *h[3];
	struct find_state fs = {};

	set.spoolss_handle_timeout_ms = 1000;
	sm = new_sm(&set);
	a = admit(sm, mem, "10.0.0.1", "a", false);
	for (unsigned i = 0; i < 3; i++) {
		h[i] = sm_handle_add(a->t, own, NULL);
		ck_assert_ptr_nonnull(h[i]);
	}
	talloc_free(h[1]);
	fs.session = a;
	sm_foreach(sm, find_fn, &fs);
	ck_assert_uint_eq(fs.info.handles, 2);
	/* the ticket goes first: its handles stop being tracked */
	talloc_free(a);
	F.now += 5000;
	sm_tick_for_test(sm);
	ck_assert_uint_eq(F.closed, 0);
	sm_handle_touch(h[0]);
	talloc_free(h[2]);
	talloc_free(h[0]);
	/* ticket and handles under one parent, freed at once */
	a = admit(sm, mem, "10.0.0.1", "a", false);
	add_printer(a);
	add_printer(a);
	talloc_free(a);
	ck_assert_uint_eq(sm_slots_used(sm), 0);
	talloc_free(own);
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

/* Free tickets in a pseudo-random order; slots must match a model. */
START_TEST(test_free_random_orders)
{
	enum { N = 300 };
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	struct fsess *s[N];
	unsigned comp[N], user[N];
	bool live[N];
	uint32_t rnd = 12345;
	char ip[32];

	set.edition = SM_EDITION_SERVER;
	sm = new_sm(&set);
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < N; i++) {
			char u[8];

			rnd = rnd * 1103515245 + 12345;
			comp[i] = (rnd >> 8) % 7;
			user[i] = (rnd >> 16) % 4;	/* 0 = anonymous */
			snprintf(u, sizeof(u), "U%u", user[i]);
			s[i] = admit(sm, mem, ipn(ip, sizeof(ip), comp[i]), u,
				     user[i] == 0);
			live[i] = true;
		}
		for (unsigned left = N; left > 0; left--) {
			bool seen[7][4] = {};
			unsigned slots = 0;
			unsigned k;

			rnd = rnd * 1103515245 + 12345;
			k = (rnd >> 8) % N;
			while (!live[k]) {
				k = (k + 1) % N;
			}
			talloc_free(s[k]);
			live[k] = false;
			for (unsigned i = 0; i < N; i++) {
				if (!live[i]) {
					continue;
				}
				if (user[i] == 0) {
					slots++;
				} else if (!seen[comp[i]][user[i]]) {
					seen[comp[i]][user[i]] = true;
					slots++;
				}
			}
			ck_assert_uint_eq(sm_slots_used(sm), slots);
			ck_assert_uint_eq(sm_tickets_used(sm), left - 1);
		}
	}
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

/* Freeing the common parent of manager and tickets in one go. */
START_TEST(test_free_all_at_once)
{
	TALLOC_CTX *top = talloc_new(wgt_root);
	struct sm_settings set = defset();
	struct sm_hooks hooks = { .priv = &F };
	TALLOC_CTX *early = talloc_new(top);	/* freed after sm */
	struct sm_manager *sm = sm_new(top, wgt_ev, &set, &hooks);
	struct sm_session *t0 = NULL, *t1 = NULL, *t2 = NULL;

	ck_assert_ptr_nonnull(sm);
	ck_assert_int_eq(sm_admit(sm, early, NULL, "10.0.0.1", NULL, "a",
				  false, &t0), SM_ADMITTED);
	ck_assert_ptr_nonnull(sm_handle_add(t0, early, NULL));
	/* tickets created before and after the manager's siblings */
	ck_assert_int_eq(sm_admit(sm, top, NULL, "10.0.0.1", NULL, "a", false,
				  &t1), SM_ADMITTED);
	ck_assert_int_eq(sm_admit(sm, sm, NULL, "10.0.0.2", NULL, "", true,
				  &t2), SM_ADMITTED);
	ck_assert_ptr_nonnull(sm_handle_add(t1, top, NULL));
	talloc_free(top);
}
END_TEST

/* ---- reservations (a lost session's durable opens) ---- */

/* The session s ended leaving durable opens: its ticket goes to holder. */
static struct sm_session *reserve(struct fsess *s, TALLOC_CTX *holder)
{
	struct sm_session *t = s->t;

	F.not_a_session = holder;
	sm_reserve(t, holder, holder);
	ck_assert(sm_reserved(t));
	s->t = NULL;
	talloc_free(s);		/* the session goes, the slot stays */
	return t;
}

static bool reserved_fn(const struct sm_session_info *info, void *priv)
{
	unsigned *n = priv;

	if (info->reserved) {
		ck_assert_ptr_eq(info->session, F.not_a_session);
		(*n)++;
	}
	return true;
}

START_TEST(test_reserve_cap_refuse)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	TALLOC_CTX *ghost = talloc_new(wgt_root);
	struct fsess *a = NULL, *a2 = NULL, *a3 = NULL;
	unsigned n = 0;

	set.max_sessions = 2;
	sm = new_sm(&set);
	a = admit(sm, mem, "10.0.0.1", "Alice", false);
	(void)admit(sm, mem, "10.0.0.2", "bob", false);
	(void)reserve(a, ghost);
	ck_assert_uint_eq(sm_slots_used(sm), 2);
	ck_assert_uint_eq(sm_tickets_used(sm), 2);
	ck_assert_uint_eq(sm_reserved_slots(sm), 1);
	sm_foreach(sm, reserved_fn, &n);
	ck_assert_uint_eq(n, 1);
	/* another computer at the full cap is refused */
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.3", "carol", false),
			 SM_REFUSED_CAP);
	/* so is another user of that computer (a slot of its own) */
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.1", "bob", false),
			 SM_REFUSED_CAP);
	/* the computer and user coming back join the reserved slot */
	a2 = admit(sm, mem, "10.0.0.1", "ALICE", false);
	ck_assert_uint_eq(sm_slots_used(sm), 2);
	ck_assert_uint_eq(sm_reserved_slots(sm), 0);
	/* its durable opens reattached: the reservation goes, not the slot */
	talloc_free(ghost);
	ck_assert_uint_eq(sm_slots_used(sm), 2);
	ck_assert_uint_eq(sm_tickets_used(sm), 2);
	talloc_free(a2);
	ck_assert_uint_eq(sm_slots_used(sm), 1);
	/* a reservation nobody comes back for: freeing it frees the slot */
	ghost = talloc_new(wgt_root);
	a3 = admit(sm, mem, "10.0.0.4", "dave", false);
	(void)reserve(a3, ghost);
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.3", "carol", false),
			 SM_REFUSED_CAP);
	talloc_free(ghost);
	ck_assert_uint_eq(sm_slots_used(sm), 1);
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.3", "carol", false),
			 SM_ADMITTED);
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

START_TEST(test_reserve_never_reclaimed)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	TALLOC_CTX *ghost = talloc_new(wgt_root);
	struct fsess *a = NULL, *b = NULL;
	struct sm_stats st;

	set.max_sessions = 2;
	set.cap_policy = SM_CAP_RECLAIM;
	set.autodisconnect_ms = 1000;
	sm = new_sm(&set);
	a = admit(sm, mem, "10.0.0.1", "alice", false);
	(void)add_printer(a);
	(void)reserve(a, ghost);
	F.now += 60000;		/* the reservation is by far the idlest */
	b = admit(sm, mem, "10.0.0.2", "bob", false);
	b->opens = true;
	/* nothing reclaimable: refused rather than end the reservation */
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.3", "carol", false),
			 SM_REFUSED_CAP);
	ck_assert_uint_eq(F.ended[SM_REAP_RECLAIM], 0);
	/* an idle live session is reclaimed, the reservation still not */
	b->opens = false;
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.3", "carol", false),
			 SM_ADMITTED);
	ck_assert_ptr_eq(F.last_ended, b);
	/* nor is it reaped for idleness */
	F.now += 3600000;
	for (int i = 0; i < 5; i++) {
		sm_tick_for_test(sm);
	}
	ck_assert_uint_eq(sm_reserved_slots(sm), 1);
	ck_assert_uint_eq(F.ended[SM_REAP_AUTODISCONNECT], 1);
	sm_get_stats(sm, &st);
	ck_assert_uint_eq(st.reaped[SM_REAP_RECLAIM], 1);
	ck_assert_uint_eq(sm_handle_count(NULL), 0);
	talloc_free(ghost);
	ck_assert_uint_eq(sm_slots_used(sm), 0);
	talloc_free(mem);
	talloc_free(sm);
}
END_TEST

START_TEST(test_reserve_computer_accounting)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = NULL;
	TALLOC_CTX *mem = talloc_new(wgt_root);
	TALLOC_CTX *ghost = talloc_new(wgt_root);
	struct fsess *a = NULL;

	set.max_sessions = 1;
	set.accounting = SM_ACCT_COMPUTER;
	sm = new_sm(&set);
	a = admit(sm, mem, "10.0.0.1", "alice", false);
	(void)reserve(a, ghost);
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.2", "alice", false),
			 SM_REFUSED_CAP);
	/* any user of the computer joins its slot */
	ck_assert_int_eq(try_admit(sm, mem, "10.0.0.1", "bob", false),
			 SM_ADMITTED);
	ck_assert_uint_eq(sm_slots_used(sm), 1);
	talloc_free(mem);
	ck_assert_uint_eq(sm_slots_used(sm), 1);
	talloc_free(ghost);
	ck_assert_uint_eq(sm_slots_used(sm), 0);
	talloc_free(sm);
}
END_TEST

START_TEST(test_reserve_outlives_manager)
{
	struct sm_settings set = defset();
	struct sm_manager *sm = new_sm(&set);
	TALLOC_CTX *mem = talloc_new(wgt_root);
	TALLOC_CTX *ghost = talloc_new(wgt_root);
	struct sm_session *t = NULL;

	t = reserve(admit(sm, mem, "10.0.0.1", "alice", false), ghost);
	sm_reserve(t, mem, mem);	/* twice: no-op */
	ck_assert_ptr_eq(talloc_parent(t), ghost);
	talloc_free(sm);
	sm_reserve(NULL, mem, mem);
	talloc_free(ghost);		/* detached: its destructor does nothing */
	talloc_free(mem);
}
END_TEST

static Suite *sessmgr_suite(void)
{
	Suite *s = suite_create("sessmgr");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, wgt_setup, wgt_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_cap_workstation);
	tcase_add_test(tc, test_cap_home);
	tcase_add_test(tc, test_cap_overrides);
	tcase_add_test(tc, test_server_10000);
	tcase_add_test(tc, test_same_slot_four_connections);
	tcase_add_test(tc, test_accounting_windows);
	tcase_add_test(tc, test_accounting_computer);
	tcase_add_test(tc, test_restrict_anonymous);
	tcase_add_test(tc, test_reclaim_order);
	tcase_add_test(tc, test_reclaim_never_opens);
	tcase_add_test(tc, test_reclaim_slot_many_tickets);
	tcase_add_test(tc, test_null_idle_reap);
	tcase_add_test(tc, test_autodisconnect_opens);
	tcase_add_test(tc, test_handle_reap);
	tcase_add_test(tc, test_tick_slice_and_cursor);
	tcase_add_test(tc, test_timer_real_clock);
	tcase_add_test(tc, test_lower_cap_drops_nobody);
	tcase_add_test(tc, test_counters_and_names);
	tcase_add_test(tc, test_foreach_and_display);
	tcase_add_test(tc, test_refusal_log);
	tcase_add_test(tc, test_free_manager_first);
	tcase_add_test(tc, test_free_handles_and_tickets);
	tcase_add_test(tc, test_free_random_orders);
	tcase_add_test(tc, test_free_all_at_once);
	tcase_add_test(tc, test_reserve_cap_refuse);
	tcase_add_test(tc, test_reserve_never_reclaimed);
	tcase_add_test(tc, test_reserve_computer_accounting);
	tcase_add_test(tc, test_reserve_outlives_manager);
	suite_add_tcase(s, tc);
	return s;
}

WGT_MAIN(sessmgr_suite)
