/*
 * sessmgr.c - who is a client computer, what counts as one session, the
 * cap, and idle reaping (API and rules in sessmgr.h).
 *
 * Data structures (n tickets, s slots, c computers):
 *  - computers: hash table keyed by the ip string, O(1) find.
 *  - named slots (WINDOWS accounting): hash table keyed by (ip, folded
 *    user), O(1) find. Anonymous slots are never looked up: each null
 *    session gets a new one. In COMPUTER accounting the slot is the
 *    computer's first slot.
 *  - intrusive doubly linked lists, O(1) unlink: every slot (victim search
 *    and refusal log), every ticket (reaper rotation, listings), every
 *    tracked handle (reaper rotation), a computer's slots, a slot's
 *    tickets, a ticket's handles.
 * The hash tables double when fuller than one entry per bucket and halve
 * below a quarter, so admit and release are O(1) amortised. Reclaim's
 * victim search is O(s + n) and runs only when the cap is full.
 *
 * Counts never drift: they are the list lengths, and a ticket leaves its
 * lists only in its talloc destructor, which drops the slot with its last
 * ticket and the computer with its last slot. Reaper cursors are links
 * into the ticket and handle lists; unlinking the cursor's entry moves
 * the cursor on, so hooks may free anything while a tick runs.
 */
#include "sessions/sessmgr.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SM_TICK_MAX_MS		1000
#define SM_TICK_MIN_MS		100
#define SM_HASH_MIN		64
#define SM_REFUSE_LOG_MS	60000	/* a refusal line per computer */
#define SM_REFUSE_LOG_MAX	20	/* refusal lines per minute, all */
#define SM_REFUSE_MEMO		64	/* computers remembered */
#define SM_MISC_LOG_MS		10000
#define SM_MISC_LOG_MAX		10
#define SM_LOG_HOLDERS		10	/* holders named per line */
#define SM_KEEP			SM_REAP_NUM	/* verdict: keep */

#define sm_container(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct sm_link {
	struct sm_link *prev;
	struct sm_link *next;
};

struct sm_list {
	struct sm_link *head;
	struct sm_link *tail;
	size_t n;
};

struct sm_hnode {
	struct sm_hnode *next;
	uint64_t hash;
};

struct sm_htab {
	struct sm_hnode **b;		/* talloc child of the manager */
	size_t nb;			/* power of two */
	size_t n;
};

struct sm_computer {
	struct sm_hnode hnode;		/* in sm->computers */
	struct sm_list slots;
	char *ip;
};

struct sm_slot {
	struct sm_computer *comp;
	struct sm_hnode hnode;		/* in sm->named when key_user */
	struct sm_link all;		/* sm->slots */
	struct sm_link in_comp;		/* comp->slots */
	struct sm_list tickets;
	char *key_user;			/* folded user; NULL: unhashed */
	unsigned id;
	unsigned pins;			/* > 0: kept even when empty */
};

struct sm_session {
	struct sm_manager *sm;		/* NULL once detached */
	struct sm_slot *slot;
	struct sm_link all;		/* sm->tickets */
	struct sm_link in_slot;		/* slot->tickets */
	struct sm_list handles;
	void *cookie;
	char *user;
	char *display;
	bool anonymous;
	bool ending;			/* end_session was called */
	bool reserved;			/* a reservation (sm_reserve) */
	bool display_apart;	/* display is a child, not in names */
	uint64_t last_ms;
	uint64_t logon_unix;
	/* user and the first display, in the ticket's own block (a talloc
	 * chunk of its own costs ~100 bytes of header) */
	char names[];
};

struct sm_handle {
	struct sm_manager *sm;		/* NULL once untracked */
	struct sm_session *t;
	struct sm_link all;		/* sm->handles */
	struct sm_link in_ticket;	/* t->handles */
	void *cookie;
	uint64_t last_ms;
	bool closing;			/* close_handle was called */
};

/* Per-computer memory for the once-a-minute refusal line. */
struct sm_refuse_memo {
	uint64_t hash;			/* of the ip; 0 = unused */
	uint64_t last_ms;
	unsigned suppressed;
};

/* Fixed-window rate limiter. */
struct sm_rl {
	uint64_t window_ms;
	unsigned count;
	unsigned suppressed;
};

struct sm_manager {
	struct tevent_context *ev;
	struct tevent_timer *timer;
	struct sm_settings set;
	struct sm_hooks hooks;
	struct sm_htab computers;
	struct sm_htab named;
	struct sm_list slots;
	struct sm_list tickets;
	struct sm_list handles;
	struct sm_link *tcursor;	/* next ticket the reaper visits */
	struct sm_link *hcursor;	/* next handle the reaper visits */
	unsigned next_slot_id;
	struct sm_stats st;
	uint64_t (*now_ms)(void *priv);
	void *clock_priv;
	void (*log)(void *priv, int level, const char *msg);
	void *log_priv;
	struct sm_refuse_memo memo[SM_REFUSE_MEMO];
	struct sm_rl refuse_rl;
	struct sm_rl misc_rl;
};

static void sm_arm(struct sm_manager *sm);

/* ---- lists ---- */

static void sm_list_add(struct sm_list *l, struct sm_link *e)
{
	e->next = NULL;
	e->prev = l->tail;
	if (l->tail != NULL) {
		l->tail->next = e;
	} else {
		l->head = e;
	}
	l->tail = e;
	l->n++;
}

static void sm_list_del(struct sm_list *l, struct sm_link *e)
{
	if (e->prev != NULL) {
		e->prev->next = e->next;
	} else {
		l->head = e->next;
	}
	if (e->next != NULL) {
		e->next->prev = e->prev;
	} else {
		l->tail = e->prev;
	}
	e->prev = NULL;
	e->next = NULL;
	l->n--;
}

/* ---- hash tables ---- */

static uint64_t sm_fnv(uint64_t h, const char *s, bool with_nul)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	if (with_nul) {
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define SM_FNV_BASIS 0xcbf29ce484222325ULL

static bool sm_htab_init(TALLOC_CTX *mem, struct sm_htab *h)
{
	h->b = talloc_zero_array(mem, struct sm_hnode *, SM_HASH_MIN);
	h->nb = SM_HASH_MIN;
	h->n = 0;
	return h->b != NULL;
}

/* Rehash into nb buckets; on ENOMEM keep the old table (still correct). */
static void sm_htab_resize(TALLOC_CTX *mem, struct sm_htab *h, size_t nb)
{
	struct sm_hnode **b = talloc_zero_array(mem, struct sm_hnode *, nb);

	if (b == NULL) {
		return;
	}
	for (size_t i = 0; i < h->nb; i++) {
		struct sm_hnode *e = h->b[i];

		while (e != NULL) {
			struct sm_hnode *next = e->next;
			size_t j = (size_t)(e->hash & (nb - 1));

			e->next = b[j];
			b[j] = e;
			e = next;
		}
	}
	talloc_free(h->b);
	h->b = b;
	h->nb = nb;
}

static void sm_htab_insert(TALLOC_CTX *mem, struct sm_htab *h,
			   struct sm_hnode *e)
{
	size_t j = (size_t)(e->hash & (h->nb - 1));

	e->next = h->b[j];
	h->b[j] = e;
	h->n++;
	if (h->n > h->nb && h->nb <= SIZE_MAX / 4) {
		sm_htab_resize(mem, h, h->nb * 2);
	}
}

static void sm_htab_remove(TALLOC_CTX *mem, struct sm_htab *h,
			   struct sm_hnode *e)
{
	struct sm_hnode **pp = &h->b[e->hash & (h->nb - 1)];

	while (*pp != NULL && *pp != e) {
		pp = &(*pp)->next;
	}
	if (*pp == NULL) {
		return;
	}
	*pp = e->next;
	e->next = NULL;
	h->n--;
	if (h->nb > SM_HASH_MIN && h->n < h->nb / 4) {
		sm_htab_resize(mem, h, h->nb / 2);
	}
}

static struct sm_hnode *sm_htab_first(const struct sm_htab *h, uint64_t hash)
{
	return h->b[hash & (h->nb - 1)];
}

/* ---- clock, logging ---- */

static uint64_t sm_now(const struct sm_manager *sm)
{
	struct timespec ts = {};

	if (sm->now_ms != NULL) {
		return sm->now_ms(sm->clock_priv);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t sm_idle(uint64_t last_ms, uint64_t now)
{
	return now > last_ms ? now - last_ms : 0;
}

static bool sm_rl_allow(struct sm_rl *rl, uint64_t now, uint64_t period,
			unsigned max, unsigned *suppressed)
{
	if (rl->count == 0 || now - rl->window_ms >= period ||
	    now < rl->window_ms) {
		rl->window_ms = now;
		rl->count = 0;
	}
	if (rl->count >= max) {
		rl->suppressed++;
		return false;
	}
	rl->count++;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}

static void sm_logf(const struct sm_manager *sm, int level, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

static void sm_logf(const struct sm_manager *sm, int level, const char *fmt,
		    ...)
{
	va_list ap;
	char *msg = NULL;

	if (sm->log == NULL) {
		return;
	}
	va_start(ap, fmt);
	msg = talloc_vasprintf(NULL, fmt, ap);
	va_end(ap);
	if (msg == NULL) {
		return;
	}
	/* names come from clients: keep one line, no terminal escapes */
	for (char *p = msg; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*p = '?';
		}
	}
	sm->log(sm->log_priv, level, msg);
	talloc_free(msg);
}

/* A client can trigger these: at most SM_MISC_LOG_MAX per window. */
static bool sm_misc_log_ok(struct sm_manager *sm, uint64_t now)
{
	unsigned sup = 0;

	if (sm->log == NULL) {
		return false;
	}
	if (!sm_rl_allow(&sm->misc_rl, now, SM_MISC_LOG_MS, SM_MISC_LOG_MAX,
			 &sup)) {
		return false;
	}
	if (sup > 0) {
		sm_logf(sm, SM_LOG_INFO, "(%u similar messages suppressed)",
			sup);
	}
	return true;
}

/* ---- computers and slots ---- */

static void sm_fold(char *s)
{
	for (; *s != '\0'; s++) {
		if (*s >= 'A' && *s <= 'Z') {
			*s = (char)(*s + ('a' - 'A'));
		}
	}
}

static struct sm_computer *sm_find_computer(const struct sm_manager *sm,
					    const char *ip)
{
	uint64_t hash = sm_fnv(SM_FNV_BASIS, ip, false);
	struct sm_hnode *e = sm_htab_first(&sm->computers, hash);

	for (; e != NULL; e = e->next) {
		struct sm_computer *c = sm_container(e, struct sm_computer,
						     hnode);

		if (e->hash == hash && strcmp(c->ip, ip) == 0) {
			return c;
		}
	}
	return NULL;
}

static uint64_t sm_named_hash(const char *ip, const char *folded)
{
	return sm_fnv(sm_fnv(SM_FNV_BASIS, ip, true), folded, false);
}

static struct sm_slot *sm_find_named(const struct sm_manager *sm,
				     const struct sm_computer *c,
				     const char *folded)
{
	uint64_t hash = sm_named_hash(c->ip, folded);
	struct sm_hnode *e = sm_htab_first(&sm->named, hash);

	for (; e != NULL; e = e->next) {
		struct sm_slot *s = sm_container(e, struct sm_slot, hnode);

		if (e->hash == hash && s->comp == c &&
		    strcmp(s->key_user, folded) == 0) {
			return s;
		}
	}
	return NULL;
}

/* The slot an admission joins, or NULL if it needs a new one. */
static struct sm_slot *sm_find_slot(const struct sm_manager *sm,
				    const char *ip, const char *folded,
				    bool anonymous)
{
	struct sm_computer *c = sm_find_computer(sm, ip);

	if (c == NULL) {
		return NULL;
	}
	if (sm->set.accounting == SM_ACCT_COMPUTER) {
		return sm_container(c->slots.head, struct sm_slot, in_comp);
	}
	if (anonymous) {
		return NULL;
	}
	return sm_find_named(sm, c, folded);
}

static void sm_computer_free(struct sm_manager *sm, struct sm_computer *c)
{
	sm_htab_remove(sm, &sm->computers, &c->hnode);
	talloc_free(c);
}

static struct sm_computer *sm_get_computer(struct sm_manager *sm,
					   const char *ip)
{
	struct sm_computer *c = sm_find_computer(sm, ip);

	if (c != NULL) {
		return c;
	}
	c = talloc_zero(sm, struct sm_computer);
	if (c == NULL) {
		return NULL;
	}
	c->ip = talloc_strdup(c, ip);
	if (c->ip == NULL) {
		talloc_free(c);
		return NULL;
	}
	c->hnode.hash = sm_fnv(SM_FNV_BASIS, ip, false);
	sm_htab_insert(sm, &sm->computers, &c->hnode);
	return c;
}

/* A new, empty slot (freed by sm_slot_unref() if no ticket joins it). */
static struct sm_slot *sm_new_slot(struct sm_manager *sm, const char *ip,
				   const char *folded, bool anonymous)
{
	struct sm_computer *c = sm_get_computer(sm, ip);
	struct sm_slot *s = NULL;

	if (c == NULL) {
		return NULL;
	}
	s = talloc_zero(sm, struct sm_slot);
	if (s == NULL) {
		goto fail;
	}
	if (sm->set.accounting == SM_ACCT_WINDOWS && !anonymous) {
		s->key_user = talloc_strdup(s, folded);
		if (s->key_user == NULL) {
			goto fail;
		}
		s->hnode.hash = sm_named_hash(c->ip, folded);
		sm_htab_insert(sm, &sm->named, &s->hnode);
	}
	s->comp = c;
	s->id = ++sm->next_slot_id;
	sm_list_add(&sm->slots, &s->all);
	sm_list_add(&c->slots, &s->in_comp);
	return s;
fail:
	talloc_free(s);
	if (c->slots.n == 0) {
		sm_computer_free(sm, c);
	}
	return NULL;
}

/* Drop the slot once it has no tickets and nobody pins it. */
static void sm_slot_unref(struct sm_manager *sm, struct sm_slot *s)
{
	struct sm_computer *c = s->comp;

	if (s->tickets.n > 0 || s->pins > 0) {
		return;
	}
	if (s->key_user != NULL) {
		sm_htab_remove(sm, &sm->named, &s->hnode);
	}
	sm_list_del(&sm->slots, &s->all);
	sm_list_del(&c->slots, &s->in_comp);
	talloc_free(s);
	if (c->slots.n == 0) {
		sm_computer_free(sm, c);
	}
}

/* ---- tickets and handles: destructors keep the counts ---- */

static void sm_handle_untrack(struct sm_handle *h)
{
	struct sm_manager *sm = h->sm;

	if (sm->hcursor == &h->all) {
		sm->hcursor = h->all.next;
	}
	sm_list_del(&sm->handles, &h->all);
	sm_list_del(&h->t->handles, &h->in_ticket);
	h->sm = NULL;
	h->t = NULL;
}

static int sm_handle_destructor(struct sm_handle *h)
{
	if (h->sm != NULL) {
		sm_handle_untrack(h);
	}
	return 0;
}

static int sm_session_destructor(struct sm_session *t)
{
	struct sm_manager *sm = t->sm;
	struct sm_slot *s = t->slot;

	if (sm == NULL) {
		return 0;
	}
	while (t->handles.head != NULL) {
		sm_handle_untrack(sm_container(t->handles.head,
					       struct sm_handle, in_ticket));
	}
	if (sm->tcursor == &t->all) {
		sm->tcursor = t->all.next;
	}
	sm_list_del(&sm->tickets, &t->all);
	sm_list_del(&s->tickets, &t->in_slot);
	t->sm = NULL;
	t->slot = NULL;
	sm_slot_unref(sm, s);
	return 0;
}

/* Detach what outlives us: their destructors then do nothing. */
static int sm_manager_destructor(struct sm_manager *sm)
{
	while (sm->handles.head != NULL) {
		sm_handle_untrack(sm_container(sm->handles.head,
					       struct sm_handle, all));
	}
	while (sm->tickets.head != NULL) {
		struct sm_session *t = sm_container(sm->tickets.head,
						    struct sm_session, all);

		sm_list_del(&sm->tickets, &t->all);
		t->sm = NULL;
		t->slot = NULL;
	}
	return 0;
}

static struct sm_session *sm_new_ticket(struct sm_manager *sm,
					TALLOC_CTX *owner, struct sm_slot *s,
					void *session, const char *ip,
					const char *display, const char *user,
					bool anonymous)
{
	const char *u = anonymous ? "" : user;
	const char *d = display != NULL ? display : ip;
	size_t lu = strlen(u) + 1;
	size_t ld = strlen(d) + 1;
	struct sm_session *t = talloc_zero_size(owner,
						sizeof(*t) + lu + ld);

	if (t == NULL) {
		return NULL;
	}
	talloc_set_name_const(t, "struct sm_session");
	t->user = memcpy(t->names, u, lu);
	t->display = memcpy(t->names + lu, d, ld);
	t->sm = sm;
	t->slot = s;
	t->cookie = session;
	t->anonymous = anonymous;
	t->last_ms = sm_now(sm);
	t->logon_unix = (uint64_t)time(NULL);
	sm_list_add(&sm->tickets, &t->all);
	sm_list_add(&s->tickets, &t->in_slot);
	talloc_set_destructor(t, sm_session_destructor);
	return t;
}

/* ---- the one exemption rule, ending sessions ---- */

/*
 * May this ticket be ended for idleness or by reclaim? Every exemption
 * lives here: a reservation (its cookie is not a session: no hook may
 * see it), a session already being ended, or one holding opens.
 */
static bool sm_exempt(const struct sm_manager *sm, const struct sm_session *t)
{
	if (t->reserved || t->ending || sm->hooks.end_session == NULL) {
		return true;
	}
	if (sm->hooks.has_opens != NULL &&
	    sm->hooks.has_opens(sm->hooks.priv, t->cookie)) {
		return true;
	}
	return false;
}

/* Why the reaper should end t now, or SM_KEEP. */
static enum sm_reap_cause sm_idle_verdict(const struct sm_manager *sm,
					  const struct sm_session *t,
					  uint64_t now)
{
	uint32_t limit = sm->set.autodisconnect_ms;
	enum sm_reap_cause c = SM_REAP_AUTODISCONNECT;

	if (t->anonymous) {
		limit = sm->set.null_session_timeout_ms;
		c = SM_REAP_NULL_IDLE;
	}
	if (limit == 0 || sm_idle(t->last_ms, now) <= limit) {
		return SM_KEEP;
	}
	if (sm_exempt(sm, t)) {
		return SM_KEEP;
	}
	return c;
}

static const char *sm_user_str(const struct sm_session *t)
{
	return t->anonymous ? "(null session)" : t->user;
}

/* Call end_session (which normally frees t: do not touch t after). */
static void sm_end_ticket(struct sm_manager *sm, struct sm_session *t,
			  enum sm_reap_cause c, uint64_t now)
{
	if (c != SM_REAP_RECLAIM && sm_misc_log_ok(sm, now)) {
		sm_logf(sm, SM_LOG_INFO,
			"ending session %s/%.64s/%.64s: %s, idle %llu ms",
			t->slot->comp->ip, t->display, sm_user_str(t),
			sm_reap_cause_name(c),
			(unsigned long long)sm_idle(t->last_ms, now));
	}
	t->ending = true;
	sm->st.reaped[c]++;
	sm->hooks.end_session(sm->hooks.priv, t->cookie, c);
}

/*
 * End every session of a slot. Hooks may free any ticket, including
 * ones of this slot not yet visited (smbd ending a whole connection), so
 * rather than remembering cookies that may dangle we pin the slot and
 * each time end its first ticket not yet ended: every step marks one
 * ticket, so this ends even if a hook does not free.
 */
static void sm_end_slot(struct sm_manager *sm, struct sm_slot *s,
			enum sm_reap_cause c, uint64_t now)
{
	s->pins++;
	for (;;) {
		struct sm_link *l = s->tickets.head;
		struct sm_session *t = NULL;

		for (; l != NULL; l = l->next) {
			t = sm_container(l, struct sm_session, in_slot);
			if (!t->ending) {
				break;
			}
		}
		if (l == NULL) {
			break;
		}
		sm_end_ticket(sm, t, c, now);
	}
	s->pins--;
	sm_slot_unref(sm, s);
}

/* ---- admission ---- */

/*
 * Reclaim victim: no ticket exempt; null-session slots first, then slots
 * holding printer handles (smbd reports those as no opens only when the
 * handles are stalled), then the rest; the longest idle within a rank.
 */
static struct sm_slot *sm_pick_victim(const struct sm_manager *sm,
				      uint64_t now)
{
	struct sm_slot *best = NULL;
	unsigned best_rank = 0;
	uint64_t best_idle = 0;

	for (struct sm_link *l = sm->slots.head; l != NULL; l = l->next) {
		struct sm_slot *s = sm_container(l, struct sm_slot, all);
		bool ok = s->tickets.n > 0 && s->pins == 0;
		bool all_anon = true;
		bool handles = false;
		uint64_t last = 0;
		unsigned rank = 0;

		for (struct sm_link *m = s->tickets.head; ok && m != NULL;
		     m = m->next) {
			struct sm_session *t = sm_container(
				m, struct sm_session, in_slot);

			ok = !sm_exempt(sm, t);
			all_anon = all_anon && t->anonymous;
			handles = handles || t->handles.n > 0;
			last = t->last_ms > last ? t->last_ms : last;
		}
		if (!ok) {
			continue;
		}
		rank = all_anon ? 0 : (handles ? 1 : 2);
		if (best == NULL || rank < best_rank ||
		    (rank == best_rank && sm_idle(last, now) > best_idle)) {
			best = s;
			best_rank = rank;
			best_idle = sm_idle(last, now);
		}
	}
	return best;
}

static void sm_reclaim(struct sm_manager *sm, const char *ip,
		       const char *user, bool anonymous, uint64_t now)
{
	struct sm_slot *v = sm_pick_victim(sm, now);
	struct sm_session *t = NULL;

	if (v == NULL) {
		return;
	}
	t = sm_container(v->tickets.head, struct sm_session, in_slot);
	sm_logf(sm, SM_LOG_NOTICE,
		"cap %u reached: reclaiming slot %u of %s/%.64s/%.64s "
		"(%zu sessions, idle %llu ms) for %s/%.64s",
		sm_cap(sm), v->id, v->comp->ip, t->display, sm_user_str(t),
		v->tickets.n, (unsigned long long)sm_idle(t->last_ms, now),
		ip, anonymous ? "(null session)" : user);
	sm_end_slot(sm, v, SM_REAP_RECLAIM, now);
}

/* "ip/display/user, ..." for the first SM_LOG_HOLDERS slots. */
static char *sm_holders(TALLOC_CTX *mem, const struct sm_manager *sm)
{
	char *s = talloc_strdup(mem, "");
	unsigned i = 0;

	for (struct sm_link *l = sm->slots.head; l != NULL && s != NULL;
	     l = l->next) {
		struct sm_slot *sl = sm_container(l, struct sm_slot, all);
		struct sm_session *t = NULL;

		if (sl->tickets.head == NULL) {
			continue;
		}
		if (i == SM_LOG_HOLDERS) {
			s = talloc_asprintf_append_buffer(
				s, ", +%zu more", sm->slots.n - i);
			break;
		}
		t = sm_container(sl->tickets.head, struct sm_session,
				 in_slot);
		s = talloc_asprintf_append_buffer(
			s, "%s%s/%.32s/%.32s", i > 0 ? ", " : "",
			sl->comp->ip, t->display, sm_user_str(t));
		if (s != NULL && sl->tickets.n > 1) {
			s = talloc_asprintf_append_buffer(s, " (x%zu)",
							  sl->tickets.n);
		}
		i++;
	}
	return s;
}

/* Once per computer per minute, and SM_REFUSE_LOG_MAX a minute in all. */
static void sm_log_refusal(struct sm_manager *sm, const char *ip,
			   const char *display, const char *user,
			   bool anonymous, uint64_t now)
{
	uint64_t hash = sm_fnv(SM_FNV_BASIS, ip, false) | 1;
	struct sm_refuse_memo *m = &sm->memo[hash % SM_REFUSE_MEMO];
	unsigned mine = 0;
	unsigned all = 0;
	char *holders = NULL;

	if (sm->log == NULL) {
		return;
	}
	if (m->hash == hash && sm_idle(m->last_ms, now) < SM_REFUSE_LOG_MS) {
		m->suppressed++;
		return;
	}
	if (!sm_rl_allow(&sm->refuse_rl, now, SM_REFUSE_LOG_MS,
			 SM_REFUSE_LOG_MAX, &all)) {
		return;
	}
	mine = m->hash == hash ? m->suppressed : 0;
	m->hash = hash;
	m->last_ms = now;
	m->suppressed = 0;
	holders = sm_holders(NULL, sm);
	sm_logf(sm, SM_LOG_NOTICE,
		"refused session for %s/%.64s/%.64s: all %u sessions in use "
		"(%zu slots) by %s; refused %llu so far, %u more from this "
		"computer and %u from others not logged",
		ip, display != NULL ? display : ip,
		anonymous ? "(null session)" : user, sm_cap(sm), sm->slots.n,
		holders != NULL ? holders : "?",
		(unsigned long long)sm->st.refused_cap, mine, all);
	talloc_free(holders);
}

/* Room for one new slot: SM_ADMITTED, or SM_REFUSED_CAP (logged). */
static enum sm_admit_result sm_make_room(struct sm_manager *sm,
					 const char *ip, const char *display,
					 const char *user, bool anonymous,
					 uint64_t now)
{
	unsigned cap = sm_cap(sm);

	if (cap == 0 || sm->slots.n < cap) {
		return SM_ADMITTED;
	}
	/* after the cap was lowered one victim would not make room */
	if (sm->set.cap_policy == SM_CAP_RECLAIM && sm->slots.n == cap) {
		sm_reclaim(sm, ip, user, anonymous, now);
		if (sm->slots.n < cap) {
			return SM_ADMITTED;
		}
	}
	sm->st.refused_cap++;
	sm_log_refusal(sm, ip, display, user, anonymous, now);
	return SM_REFUSED_CAP;
}

enum sm_admit_result sm_admit(struct sm_manager *sm, TALLOC_CTX *owner,
			      void *session, const char *ip,
			      const char *display, const char *user,
			      bool anonymous, struct sm_session **out)
{
	uint64_t now = sm_now(sm);
	struct sm_slot *s = NULL;
	struct sm_session *t = NULL;
	char *folded = NULL;
	enum sm_admit_result ret = SM_NO_MEMORY;

	*out = NULL;
	if (user == NULL) {
		user = "";
	}
	if (anonymous && sm->set.restrict_anonymous >= 2) {
		sm->st.refused_anonymous++;
		if (sm_misc_log_ok(sm, now)) {
			sm_logf(sm, SM_LOG_NOTICE,
				"refused null session from %s/%.64s: "
				"restrict anonymous = 2", ip,
				display != NULL ? display : ip);
		}
		return SM_REFUSED_ANONYMOUS;
	}
	folded = talloc_strdup(NULL, user);
	if (folded == NULL) {
		return SM_NO_MEMORY;
	}
	sm_fold(folded);
	s = sm_find_slot(sm, ip, folded, anonymous);
	if (s == NULL) {
		ret = sm_make_room(sm, ip, display, user, anonymous, now);
		if (ret != SM_ADMITTED) {
			goto done;
		}
		ret = SM_NO_MEMORY;
		s = sm_new_slot(sm, ip, folded, anonymous);
		if (s == NULL) {
			goto done;
		}
	}
	t = sm_new_ticket(sm, owner, s, session, ip, display, user,
			  anonymous);
	if (t == NULL) {
		sm_slot_unref(sm, s);	/* drops it only if it was new */
		goto done;
	}
	sm->st.admitted++;
	sm_arm(sm);
	*out = t;
	ret = SM_ADMITTED;
done:
	talloc_free(folded);
	return ret;
}

/* ---- reaping ---- */

static void sm_tick_handles(struct sm_manager *sm, uint64_t now)
{
	uint32_t limit = sm->set.spoolss_handle_timeout_ms;
	size_t budget = sm->handles.n;

	if (limit == 0 || sm->hooks.close_handle == NULL) {
		return;
	}
	if (budget > SM_TICK_SLICE) {
		budget = SM_TICK_SLICE;
	}
	for (; budget > 0; budget--) {
		struct sm_link *l = sm->hcursor != NULL ? sm->hcursor
							: sm->handles.head;
		struct sm_handle *h = NULL;

		if (l == NULL) {
			break;
		}
		sm->hcursor = l->next;
		h = sm_container(l, struct sm_handle, all);
		if (h->closing || sm_idle(h->last_ms, now) <= limit) {
			continue;
		}
		h->closing = true;
		sm->st.handles_reaped++;
		sm->hooks.close_handle(sm->hooks.priv, h->cookie);
	}
}

static void sm_tick_sessions(struct sm_manager *sm, uint64_t now)
{
	size_t budget = sm->tickets.n;

	if (budget > SM_TICK_SLICE) {
		budget = SM_TICK_SLICE;
	}
	for (; budget > 0; budget--) {
		struct sm_link *l = sm->tcursor != NULL ? sm->tcursor
							: sm->tickets.head;
		struct sm_session *t = NULL;
		enum sm_reap_cause c = SM_KEEP;

		if (l == NULL) {
			break;
		}
		sm->tcursor = l->next;
		t = sm_container(l, struct sm_session, all);
		c = sm_idle_verdict(sm, t, now);
		if (c != SM_KEEP) {
			sm_end_ticket(sm, t, c, now);
		}
	}
}

void sm_tick_for_test(struct sm_manager *sm)
{
	uint64_t now = sm_now(sm);

	/* handles first: closing one may leave its session reapable */
	sm_tick_handles(sm, now);
	sm_tick_sessions(sm, now);
}

/* A quarter of the smallest timeout, within [100 ms, 1 s]; 0: none. */
static uint32_t sm_period_ms(const struct sm_manager *sm)
{
	uint32_t t[3] = {
		sm->set.autodisconnect_ms,
		sm->set.null_session_timeout_ms,
		sm->set.spoolss_handle_timeout_ms,
	};
	uint32_t min = 0;

	for (size_t i = 0; i < 3; i++) {
		if (t[i] != 0 && (min == 0 || t[i] < min)) {
			min = t[i];
		}
	}
	if (min == 0) {
		return 0;
	}
	min /= 4;
	if (min > SM_TICK_MAX_MS) {
		return SM_TICK_MAX_MS;
	}
	return min < SM_TICK_MIN_MS ? SM_TICK_MIN_MS : min;
}

static void sm_timer_fired(struct tevent_context *ev, struct tevent_timer *te,
			   struct timeval now, void *priv)
{
	struct sm_manager *sm = talloc_get_type_abort(priv,
						      struct sm_manager);

	sm->timer = NULL;	/* tevent frees a timer once it fired */
	sm_tick_for_test(sm);
	sm_arm(sm);
}

/* Keep the timer armed while there is anything it could reap. */
static void sm_arm(struct sm_manager *sm)
{
	uint32_t p = sm_period_ms(sm);

	if (sm->timer != NULL || sm->ev == NULL || p == 0 ||
	    sm->tickets.n == 0) {
		return;
	}
	sm->timer = tevent_add_timer(sm->ev, sm,
				     tevent_timeval_current_ofs(
					     p / 1000, (p % 1000) * 1000),
				     sm_timer_fired, sm);
	/* on ENOMEM the next admission tries again */
}

/* ---- the rest of the API ---- */

struct sm_manager *sm_new(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
			  const struct sm_settings *set,
			  const struct sm_hooks *hooks)
{
	struct sm_manager *sm = talloc_zero(mem_ctx, struct sm_manager);

	if (sm == NULL) {
		return NULL;
	}
	sm->ev = ev;
	sm->set = *set;
	if (hooks != NULL) {
		sm->hooks = *hooks;
	}
	if (!sm_htab_init(sm, &sm->computers) ||
	    !sm_htab_init(sm, &sm->named)) {
		talloc_free(sm);
		return NULL;
	}
	talloc_set_destructor(sm, sm_manager_destructor);
	return sm;
}

void sm_apply_settings(struct sm_manager *sm, const struct sm_settings *set)
{
	sm->set = *set;
	TALLOC_FREE(sm->timer);	/* the period may have changed */
	sm_arm(sm);
}

unsigned sm_cap(const struct sm_manager *sm)
{
	long max = sm->set.max_sessions;

	if (max > 0) {
		return (unsigned long)max > UINT_MAX ? UINT_MAX
						     : (unsigned)max;
	}
	if (max == 0) {
		return 0;
	}
	switch (sm->set.edition) {
	case SM_EDITION_HOME:
		return 5;
	case SM_EDITION_SERVER:
		return 0;
	case SM_EDITION_WORKSTATION:
	default:
		return 10;
	}
}

unsigned sm_slots_used(const struct sm_manager *sm)
{
	return (unsigned)sm->slots.n;
}

unsigned sm_tickets_used(const struct sm_manager *sm)
{
	return (unsigned)sm->tickets.n;
}

int sm_restrict_anonymous(const struct sm_manager *sm)
{
	return sm->set.restrict_anonymous;
}

void sm_touch(struct sm_session *t)
{
	if (t != NULL && t->sm != NULL) {
		t->last_ms = sm_now(t->sm);
	}
}

void sm_reserve(struct sm_session *t, TALLOC_CTX *holder, void *cookie)
{
	if (t == NULL || t->sm == NULL || t->reserved) {
		return;
	}
	/* its printer handles were the ended session's */
	while (t->handles.head != NULL) {
		sm_handle_untrack(sm_container(t->handles.head,
					       struct sm_handle, in_ticket));
	}
	t->reserved = true;
	t->cookie = cookie;
	(void)talloc_steal(holder, t);
}

bool sm_reserved(const struct sm_session *t)
{
	return t != NULL && t->reserved;
}

unsigned sm_reserved_slots(const struct sm_manager *sm)
{
	unsigned n = 0;

	for (struct sm_link *l = sm->slots.head; l != NULL; l = l->next) {
		const struct sm_slot *s = sm_container(l, struct sm_slot, all);
		bool live = false;

		for (struct sm_link *m = s->tickets.head; m != NULL && !live;
		     m = m->next) {
			live = !sm_container(m, struct sm_session,
					     in_slot)->reserved;
		}
		n += s->tickets.n > 0 && !live;
	}
	return n;
}

void sm_set_display(struct sm_session *t, const char *display)
{
	char *d = NULL;

	if (t == NULL || display == NULL) {
		return;
	}
	d = talloc_strdup(t, display);
	if (d == NULL) {
		return;
	}
	if (t->display_apart) {
		talloc_free(t->display);	/* not the one in t's block */
	}
	t->display = d;
	t->display_apart = true;
}

struct sm_handle *sm_handle_add(struct sm_session *t, TALLOC_CTX *owner,
				void *cookie)
{
	struct sm_handle *h = NULL;

	if (t == NULL || t->sm == NULL) {
		return NULL;
	}
	h = talloc_zero(owner, struct sm_handle);
	if (h == NULL) {
		return NULL;
	}
	h->sm = t->sm;
	h->t = t;
	h->cookie = cookie;
	h->last_ms = sm_now(t->sm);
	sm_list_add(&t->sm->handles, &h->all);
	sm_list_add(&t->handles, &h->in_ticket);
	talloc_set_destructor(h, sm_handle_destructor);
	return h;
}

unsigned sm_handle_count(const struct sm_session *t)
{
	return t != NULL ? (unsigned)t->handles.n : 0;
}

void sm_handle_touch(struct sm_handle *h)
{
	if (h == NULL || h->sm == NULL) {
		return;
	}
	h->last_ms = sm_now(h->sm);
	h->t->last_ms = h->last_ms;
}

void sm_count_reap(struct sm_manager *sm, enum sm_reap_cause c)
{
	if ((unsigned)c < SM_REAP_NUM) {
		sm->st.reaped[c]++;
	}
}

const char *sm_reap_cause_name(enum sm_reap_cause c)
{
	static const char *const names[SM_REAP_NUM] = {
		[SM_REAP_AUTODISCONNECT] = "autodisconnect",
		[SM_REAP_NULL_IDLE] = "null idle",
		[SM_REAP_SPOOLSS] = "spoolss idle",
		[SM_REAP_AUTH_TIMEOUT] = "auth timeout",
		[SM_REAP_HALF_CLOSE] = "half close",
		[SM_REAP_DEAD_PEER] = "dead peer",
		[SM_REAP_ADMIN] = "admin",
		[SM_REAP_RECLAIM] = "reclaim",
	};

	if ((unsigned)c >= SM_REAP_NUM) {
		return "unknown";
	}
	return names[c];
}

void sm_get_stats(const struct sm_manager *sm, struct sm_stats *st)
{
	*st = sm->st;
}

void sm_foreach(const struct sm_manager *sm,
		bool (*fn)(const struct sm_session_info *info, void *priv),
		void *priv)
{
	uint64_t now = sm_now(sm);

	for (struct sm_link *l = sm->tickets.head; l != NULL; l = l->next) {
		const struct sm_session *t = sm_container(
			l, struct sm_session, all);
		struct sm_session_info info = {
			.ip = t->slot->comp->ip,
			.display = t->display,
			.user = t->user,
			.anonymous = t->anonymous,
			.session = t->cookie,
			.idle_ms = sm_idle(t->last_ms, now),
			.logon_unix = t->logon_unix,
			.handles = (unsigned)t->handles.n,
			.slot_id = t->slot->id,
			.reserved = t->reserved,
		};

		if (!fn(&info, priv)) {
			break;
		}
	}
}

void sm_set_logger(struct sm_manager *sm,
		   void (*log)(void *priv, int level, const char *msg),
		   void *priv)
{
	sm->log = log;
	sm->log_priv = priv;
}

void sm_set_clock(struct sm_manager *sm, uint64_t (*now_ms)(void *priv),
		  void *priv)
{
	sm->now_ms = now_ms;
	sm->clock_priv = priv;
}
