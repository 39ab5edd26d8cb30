/*
 * rpc_handle.c - context handles of the LSA and SAM services (rpc.h).
 *
 * A handle is a talloc child of its pipe's set; its destructor unlinks
 * it, so the counts never drift whichever way it goes: LsarClose /
 * SamrCloseHandle, the pipe closing, or the session manager reaping it
 * when idle (wg_pipe_reap_handle frees the cookie, which is the handle).
 */
#include "pipes/rpc.h"

#include <errno.h>
#include <string.h>

struct wg_rpc_handles {
	const struct wg_pipe_env *env;
	struct wg_rpc_handle *head;
	unsigned n;
};

static int handle_destructor(struct wg_rpc_handle *h)
{
	struct wg_rpc_handles *set = h->set;

	if (h->prev != NULL) {
		h->prev->next = h->next;
	} else {
		set->head = h->next;
	}
	if (h->next != NULL) {
		h->next->prev = h->prev;
	}
	set->n--;
	return 0;
}

void wg_rpc_handles_close(struct wg_rpc_handles *set)
{
	while (set->head != NULL) {
		talloc_free(set->head);
	}
}

static int set_destructor(struct wg_rpc_handles *set)
{
	wg_rpc_handles_close(set);
	return 0;
}

struct wg_rpc_handles *wg_rpc_handles_new(TALLOC_CTX *mem,
					  const struct wg_pipe_env *env)
{
	struct wg_rpc_handles *set = talloc_zero(mem, struct wg_rpc_handles);

	if (set == NULL) {
		return NULL;
	}
	set->env = env;
	talloc_set_destructor(set, set_destructor);
	return set;
}

unsigned wg_rpc_handles_count(const struct wg_rpc_handles *set)
{
	return set->n;
}

/* Handles the session holds over all its pipes (this pipe's without one). */
static unsigned session_handles(const struct wg_rpc_handles *set)
{
	if (set->env->ticket != NULL) {
		return sm_handle_count(set->env->ticket);
	}
	return set->n;
}

struct wg_rpc_handle *wg_rpc_handle_new(struct wg_rpc_handles *set,
					uint32_t kind, uint32_t *status)
{
	const struct wg_pipe_env *env = set->env;
	struct wg_rpc_handle *h = NULL;

	if (session_handles(set) >= WG_RPC_MAX_HANDLES) {
		if (env->handle_budget_hit != NULL) {
			env->handle_budget_hit(env->hook_priv, env->client_ip,
					       WG_RPC_MAX_HANDLES);
		}
		*status = WG_STATUS_INSUFFICIENT_RESOURCES;
		return NULL;
	}
	h = talloc_zero(set, struct wg_rpc_handle);
	if (h == NULL) {
		*status = WG_STATUS_NO_MEMORY;
		return NULL;
	}
	h->set = set;
	h->kind = kind;
	/* Attributes 0, then a random UUID that is never all zeros. */
	do {
		wg_rpc_random(h->wire + 4, NDR_HANDLE_LEN - 4);
	} while (h->wire[4] == 0 && h->wire[5] == 0);
	h->next = set->head;
	if (set->head != NULL) {
		set->head->prev = h;
	}
	set->head = h;
	set->n++;
	talloc_set_destructor(h, handle_destructor);
	if (env->ticket != NULL) {
		h->smh = sm_handle_add(env->ticket, h, h);
		if (h->smh == NULL) {
			talloc_free(h);
			*status = WG_STATUS_NO_MEMORY;
			return NULL;
		}
	}
	*status = 0;
	return h;
}

int wg_rpc_handle_pull(struct wg_rpc_call *call, struct wg_rpc_handles *set,
		       uint32_t kind, struct wg_rpc_handle **out)
{
	uint8_t wire[NDR_HANDLE_LEN];

	*out = NULL;
	if (ndr_pull_handle(&call->in, wire) != 0) {
		return -EINVAL;
	}
	for (struct wg_rpc_handle *h = set->head; h != NULL; h = h->next) {
		if (memcmp(h->wire, wire, sizeof(wire)) != 0) {
			continue;
		}
		if (kind != 0 && h->kind != kind) {
			return -ENOENT;
		}
		if (h->smh != NULL) {
			sm_handle_touch(h->smh);
		}
		*out = h;
		return 0;
	}
	return -ENOENT;
}

void wg_rpc_push_null_handle(struct ndr_push *p)
{
	static const uint8_t zero[NDR_HANDLE_LEN];

	ndr_push_handle(p, zero);
}

void *wg_rpc_handles_state_new(TALLOC_CTX *mem, struct wg_pipe *p,
			       const struct wg_pipe_env *env)
{
	(void)p;
	return wg_rpc_handles_new(mem, env);
}

void wg_rpc_handles_state_close(void *state)
{
	wg_rpc_handles_close(state);
}

unsigned wg_rpc_handles_state_count(const void *state)
{
	return wg_rpc_handles_count(state);
}

const struct users_db *wg_rpc_users(const struct wg_rpc_call *call)
{
	if (call->env->users == NULL) {
		return NULL;
	}
	return *call->env->users;
}
