/*
 * sessmgr.h - the session manager: who is a client computer, what counts
 * as one session, the licence cap, and idle reaping.
 *
 * sessions/ knows no wire format. smbd/ calls sm_admit() when a
 * SESSION_SETUP has authenticated a user, before any per-session state
 * exists; the returned ticket is a talloc child of smbd's session object
 * and its destructor gives the slot back, so counts cannot drift. The
 * manager calls smbd back through struct sm_hooks to end sessions and
 * close idle printer handles.
 *
 * Counting (one slot = one "session" in the Windows sense):
 *  - accounting WINDOWS: a slot is (computer, user); every null session
 *    is a slot of its own.
 *  - accounting COMPUTER: a slot is the computer, whatever users.
 * Every TCP connection, SMB session, tree connect and pipe of one slot
 * shares it: only the first ticket of a slot is checked against the cap.
 */
#ifndef WG_SESSIONS_SESSMGR_H
#define WG_SESSIONS_SESSMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>

enum sm_edition {
	SM_EDITION_WORKSTATION = 0,	/* 10 */
	SM_EDITION_HOME,		/* 5 */
	SM_EDITION_SERVER,		/* no cap */
};

enum sm_accounting {
	SM_ACCT_WINDOWS = 0,
	SM_ACCT_COMPUTER,
};

enum sm_cap_policy {
	SM_CAP_REFUSE = 0,
	SM_CAP_RECLAIM,
};

enum sm_reap_cause {
	SM_REAP_AUTODISCONNECT = 0,
	SM_REAP_NULL_IDLE,
	SM_REAP_SPOOLSS,
	SM_REAP_AUTH_TIMEOUT,
	SM_REAP_HALF_CLOSE,
	SM_REAP_DEAD_PEER,
	SM_REAP_ADMIN,
	SM_REAP_RECLAIM,
	SM_REAP_NUM,
};

/* "autodisconnect", "null idle", ... for logs and wgnet statistics */
const char *sm_reap_cause_name(enum sm_reap_cause c);

struct sm_settings {
	enum sm_edition edition;
	long max_sessions;		/* -1: from the edition; 0: no cap */
	enum sm_accounting accounting;
	enum sm_cap_policy cap_policy;
	int restrict_anonymous;		/* 0, 1, 2 */
	uint32_t autodisconnect_ms;	/* 0 = never */
	uint32_t null_session_timeout_ms;
	uint32_t spoolss_handle_timeout_ms;
};

struct sm_session;	/* a ticket: one smbd session's claim on a slot */
struct sm_handle;	/* a tracked printer handle of a session */

struct sm_hooks {
	void *priv;
	/*
	 * Does this smbd session hold anything that must keep it alive
	 * (open files, pipes other than spoolss ones with only idle
	 * handles)? Sessions that do are never reaped for idleness.
	 */
	bool (*has_opens)(void *priv, void *session);
	/*
	 * End this smbd session now: flush and close its files, free it
	 * (which frees its ticket). Called from a timer or from sm_admit
	 * (reclaim), never while the caller holds pointers into the slot.
	 */
	void (*end_session)(void *priv, void *session, enum sm_reap_cause c);
	/* Close one idle printer handle (frees the sm_handle). */
	void (*close_handle)(void *priv, void *handle_cookie);
};

struct sm_manager;

/*
 * Create the manager (talloc child of mem_ctx) and its reaping timer.
 * Returns NULL on ENOMEM. hooks is copied (NULL = no hooks); any hook may
 * be NULL: no has_opens means "never has opens", no end_session disables
 * idle reaping and reclaim, no close_handle disables handle reaping.
 * ev may be NULL (no timer: only sm_tick_for_test() reaps). The timer is
 * armed only while tickets exist and some timeout is non-zero.
 *
 * Settings: max_sessions > 0 is the cap, 0 means NO cap whatever the
 * edition, < 0 takes the edition's (workstation 10, home 5, server none).
 * A timeout of 0 disables that kind of reaping. restrict_anonymous >= 2
 * refuses null sessions.
 *
 * Lifetime: tickets and handles may outlive the manager. Freeing the
 * manager detaches them: their destructors then do nothing and
 * sm_touch()/sm_set_display()/sm_handle_touch() on them are no-ops.
 * Hooks must not free the manager, the tevent context, or the owner
 * passed to a running sm_admit().
 */
struct sm_manager *sm_new(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
			  const struct sm_settings *set,
			  const struct sm_hooks *hooks);

/*
 * Apply new settings to live state (SIGHUP); nobody is dropped. A new cap
 * applies to future admissions only: tickets already admitted keep their
 * slots even above the new cap (and RECLAIM then reclaims only when one
 * victim makes room). New timeouts apply from the next tick. A new
 * accounting mode applies to slots created from now on; existing slots
 * keep their tickets (in COMPUTER mode a computer that already holds any
 * slot joins it).
 */
void sm_apply_settings(struct sm_manager *sm, const struct sm_settings *set);

/* The cap in force (0 = none) and the slots in use. */
unsigned sm_cap(const struct sm_manager *sm);
unsigned sm_slots_used(const struct sm_manager *sm);

enum sm_admit_result {
	SM_ADMITTED = 0,
	SM_REFUSED_CAP = -1,		/* STATUS_REQUEST_NOT_ACCEPTED */
	SM_REFUSED_ANONYMOUS = -2,	/* restrict anonymous = 2 */
	SM_NO_MEMORY = -3,
};

/*
 * Admit an authenticated session. ip identifies the computer (already
 * folded to IPv4 when IPv4-mapped); display is the best name for it
 * (NetBIOS calling name, NTLM workstation, or the ip). user is the
 * canonical user name ("" when anonymous). session is smbd's cookie,
 * handed back in hooks. On SM_ADMITTED *out is a new ticket, a talloc
 * child of owner; freeing it releases the slot when it was the last.
 * Over the cap with policy RECLAIM, the longest-idle slot without open
 * files (null sessions and stalled spoolss handles first) is ended
 * through the end_session hook first. Refusals are counted and logged
 * once per computer per minute with who holds the slots.
 */
enum sm_admit_result sm_admit(struct sm_manager *sm, TALLOC_CTX *owner,
			      void *session, const char *ip,
			      const char *display, const char *user,
			      bool anonymous, struct sm_session **out);

/*
 * Slot keys: the ip string as given, and for named users in WINDOWS
 * accounting the user name with ASCII letters folded (as the users file
 * folds them). Returns SM_ADMITTED, SM_REFUSED_CAP, SM_REFUSED_ANONYMOUS
 * or SM_NO_MEMORY; on refusal nothing is allocated and *out is NULL.
 * Only a ticket that needs a NEW slot is checked against the cap (in
 * WINDOWS accounting every null session needs one). Reclaim requires
 * end_session to free the session before it returns; if the slot is still
 * there afterwards the admission is refused.
 */

/* Activity on a session (any request): resets its idle clock. */
void sm_touch(struct sm_session *t);

/* Better display name learnt later (never changes the identity). */
void sm_set_display(struct sm_session *t, const char *display);

/*
 * Track a printer handle opened by this session; the result is a talloc
 * child of owner (free it when the handle closes). cookie goes back to
 * hooks->close_handle when the handle idles past the spoolss timeout.
 */
struct sm_handle *sm_handle_add(struct sm_session *t, TALLOC_CTX *owner,
				void *cookie);
/*
 * The handle was used: reset its idle clock (and the session's: a used
 * printer handle is activity). After hooks->close_handle() was called for
 * a handle it is never reported again, even if the hook did not free it.
 * Freeing the ticket stops tracking its handles (they stay allocated).
 * sm_handle_add() returns NULL on ENOMEM or if the ticket is detached.
 */
void sm_handle_touch(struct sm_handle *h);

/* Printer handles the session holds now (over all its pipes). */
unsigned sm_handle_count(const struct sm_session *t);

/* Count a connection-level reap (auth timeout, half-close, dead peer). */
void sm_count_reap(struct sm_manager *sm, enum sm_reap_cause c);

struct sm_stats {
	uint64_t admitted;
	uint64_t refused_cap;
	uint64_t refused_anonymous;
	uint64_t reaped[SM_REAP_NUM];
	uint64_t handles_reaped;
};
void sm_get_stats(const struct sm_manager *sm, struct sm_stats *st);

/* For listings: visit every ticket (stop when fn returns false). */
struct sm_session_info {
	const char *ip;
	const char *display;
	const char *user;		/* "" for null sessions */
	bool anonymous;
	void *session;			/* smbd's cookie */
	uint64_t idle_ms;
	uint64_t logon_unix;		/* seconds */
	unsigned handles;		/* tracked printer handles */
	unsigned slot_id;		/* tickets with the same id share a slot */
	bool reserved;			/* a reservation: session is the
					 * holder's cookie (sm_reserve) */
};
/* fn must not free tickets; the strings in info live until it returns. */
void sm_foreach(const struct sm_manager *sm,
		bool (*fn)(const struct sm_session_info *info, void *priv),
		void *priv);

/* ---- additions to the pinned API ---- */

/* The restrict anonymous level in force (1 is enforced by the RPC layer). */
int sm_restrict_anonymous(const struct sm_manager *sm);

/* Live tickets (smbd sessions admitted and not yet freed). */
unsigned sm_tickets_used(const struct sm_manager *sm);

/*
 * Reservations. The session behind ticket t ended but left state its
 * computer may come back for (durable opens preserved for a reconnect),
 * so its slot stays taken: t becomes a reservation, moved under holder
 * (talloc_steal) with cookie instead of the session's. A reservation is
 * never ended for idleness, never reclaimed, and never handed to a hook;
 * its printer handles stop being tracked. A new session with the same
 * slot key (the computer and user; in computer accounting the computer)
 * joins the reserved slot like any ticket of it, without a cap check, so
 * a reconnecting computer is never refused by its own reservation, while
 * another computer at a full cap is. Freeing the reservation (the state
 * is gone: reclaimed, timed out, deleted) releases the slot if it was the
 * last ticket. No-op on NULL, detached or already reserved tickets.
 */
void sm_reserve(struct sm_session *t, TALLOC_CTX *holder, void *cookie);
bool sm_reserved(const struct sm_session *t);
/* Slots held only by reservations (O(slots + tickets), for listings). */
unsigned sm_reserved_slots(const struct sm_manager *sm);

/* Log levels handed to the logger; numerically equal to smbd's wg_log_level. */
enum sm_log_level {
	SM_LOG_ERR = 0,
	SM_LOG_WARN = 1,
	SM_LOG_NOTICE = 2,
	SM_LOG_INFO = 3,
	SM_LOG_DEBUG = 4,
};

/*
 * Route log lines (one line each, control characters replaced by '?') to
 * smbd's logger. Default: no logging. Lines clients can trigger are
 * rate-limited here: cap refusals once per computer per minute (and at
 * most 20 a minute in all), other refusals and reaps 10 per 10 s.
 */
void sm_set_logger(struct sm_manager *sm,
		   void (*log)(void *priv, int level, const char *msg),
		   void *priv);

/*
 * Replace the monotonic millisecond clock (for tests); NULL restores
 * CLOCK_MONOTONIC. Set it before admitting anything: idle times are
 * differences of readings of one clock.
 */
void sm_set_clock(struct sm_manager *sm, uint64_t (*now_ms)(void *priv),
		  void *priv);

/*
 * Run one reaping tick now, as the timer does: visit the next bounded
 * slice (SM_TICK_SLICE tickets and as many handles) of the rotation.
 * Hooks may free any ticket or handle meanwhile.
 */
#define SM_TICK_SLICE 200
void sm_tick_for_test(struct sm_manager *sm);

#endif
