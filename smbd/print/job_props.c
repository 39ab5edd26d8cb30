/*
 * job_props.c - a print job's named properties [MS-RPRN 3.1.1 Job Named
 * Properties], set and read through spoolss (opnums 110-113). They live
 * in memory as children of their job (struct print_job), so they go
 * with it; a job holds at most PRINT_MAX_JOB_PROPS of them and
 * PRINT_MAX_JOB_PROP_BYTES of names and values
 * (SMBD_BUDGET_JOB_PROPERTIES).
 */
#include "smbd/print/print_int.h"
#include "smbd/budget.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

/* What a property counts against its job's byte budget. */
static size_t prop_bytes(const struct wg_job_prop *p)
{
	size_t n = strlen(p->name) + 1;

	switch (p->type) {
	case WG_PROP_STRING:
		return n + (p->str != NULL ? strlen(p->str) + 1 : 0);
	case WG_PROP_BUFFER:
		return n + p->len;
	default:
		return n + sizeof(p->num);
	}
}

/* A copy of src as a child of mem; false when out of memory. */
static bool prop_copy(TALLOC_CTX *mem, struct wg_job_prop *dst,
		      const struct wg_job_prop *src)
{
	*dst = (struct wg_job_prop) {
		.type = src->type,
		.num = src->num,
		.len = src->type == WG_PROP_BUFFER ? src->len : 0,
	};
	dst->name = talloc_strdup(mem, src->name);
	if (dst->name == NULL) {
		return false;
	}
	if (src->type == WG_PROP_STRING) {
		dst->str = talloc_strdup(mem, src->str != NULL ? src->str : "");
		if (dst->str == NULL) {
			return false;
		}
	}
	if (dst->len > 0) {
		dst->data = talloc_memdup(mem, src->data, src->len);
		if (dst->data == NULL) {
			return false;
		}
	}
	return true;
}

static void prop_free(struct wg_job_prop *p)
{
	talloc_free(p->name);
	talloc_free(p->str);
	talloc_free(p->data);
	*p = (struct wg_job_prop) {};
}

/* The job's property of that name (names are case-sensitive), or -1. */
static ssize_t prop_index(const struct print_job *j, const char *name)
{
	for (size_t i = 0; i < j->nprops; i++) {
		if (strcmp(j->props[i].name, name) == 0) {
			return (ssize_t)i;
		}
	}
	return -1;
}

static int op_job_props(void *priv, TALLOC_CTX *mem, const char *printer,
			uint32_t id, struct wg_job_prop **out, size_t *n)
{
	struct print_job *j = print_job_of(priv, printer, id);
	struct wg_job_prop *v = NULL;

	*out = NULL;
	*n = 0;
	if (j == NULL) {
		return -ENOENT;
	}
	if (j->nprops == 0) {
		return 0;
	}
	v = talloc_zero_array(mem, struct wg_job_prop, j->nprops);
	if (v == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < j->nprops; i++) {
		if (!prop_copy(v, &v[i], &j->props[i])) {
			talloc_free(v);
			return -ENOMEM;
		}
	}
	*out = v;
	*n = j->nprops;
	return 0;
}

static int op_job_prop_set(void *priv, const char *printer, uint32_t id,
			   const struct wg_job_prop *p, const char *client_ip)
{
	struct print_ctx *pc = priv;
	struct print_job *j = print_job_of(pc, printer, id);
	struct wg_job_prop c = {}, *grown = NULL;
	ssize_t at = -1;
	size_t bytes = 0;

	if (j == NULL) {
		return -ENOENT;
	}
	at = prop_index(j, p->name);
	bytes = j->prop_bytes + prop_bytes(p) -
		(at >= 0 ? prop_bytes(&j->props[at]) : 0);
	if ((at < 0 && j->nprops >= PRINT_MAX_JOB_PROPS) ||
	    bytes > PRINT_MAX_JOB_PROP_BYTES) {
		smbd_budget_hit_addr(pc->srv, client_ip != NULL ?
				     client_ip : "?",
				     SMBD_BUDGET_JOB_PROPERTIES,
				     at < 0 && j->nprops >=
				     PRINT_MAX_JOB_PROPS ?
				     PRINT_MAX_JOB_PROPS :
				     PRINT_MAX_JOB_PROP_BYTES);
		return -ENOSPC;
	}
	if (at < 0) {
		grown = talloc_realloc(j, j->props, struct wg_job_prop,
				       j->nprops + 1);
		if (grown == NULL) {
			return -ENOMEM;
		}
		j->props = grown;
	}
	if (!prop_copy(j->props, &c, p)) {
		prop_free(&c);
		return -ENOMEM;
	}
	if (at >= 0) {
		prop_free(&j->props[at]);
		j->props[at] = c;
	} else {
		j->props[j->nprops++] = c;
	}
	j->prop_bytes = bytes;
	return 0;
}

static int op_job_prop_delete(void *priv, const char *printer, uint32_t id,
			      const char *name)
{
	struct print_job *j = print_job_of(priv, printer, id);
	ssize_t at = -1;

	if (j == NULL) {
		return -ENOENT;
	}
	at = prop_index(j, name);
	if (at < 0) {
		return -ENODATA;
	}
	j->prop_bytes -= prop_bytes(&j->props[at]);
	prop_free(&j->props[at]);
	memmove(&j->props[at], &j->props[at + 1],
		(j->nprops - (size_t)at - 1) * sizeof(j->props[0]));
	j->nprops--;
	return 0;
}

void job_props_set_ops(struct wg_print_ops *ops)
{
	ops->job_props = op_job_props;
	ops->job_prop_set = op_job_prop_set;
	ops->job_prop_delete = op_job_prop_delete;
}
